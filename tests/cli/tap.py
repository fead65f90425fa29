# SPDX-License-Identifier: GPL-3.0-or-later
"""The CLI test scripts' TAP runner: each test function as one `ok` / `not ok`
line, a failure's traceback as comments, exit status 1 if any failed."""
import sys
import tempfile
import traceback


class Tests(list):
    """A script's tests in the order they are declared: `test = tests.add`,
    then `@test` above each test function."""

    def add(self, function):
        self.append(function)
        return function


def run(tests, tmp_prefix=None, name=lambda function: function.__name__):
    """Runs each test and prints TAP. With tmp_prefix, each test is given a
    fresh temporary folder of its own (removed afterwards) as its argument;
    name(function) is the description on its line."""
    print('1..%d' % len(tests))
    failed = 0
    for i, function in enumerate(tests, 1):
        try:
            if tmp_prefix is None:
                function()
            else:
                with tempfile.TemporaryDirectory(prefix=tmp_prefix) as tmp:
                    function(tmp)
            print('ok %d %s' % (i, name(function)))
        except Exception:
            failed += 1
            print('not ok %d %s' % (i, name(function)))
            for line in traceback.format_exc().splitlines():
                print('# ' + line)
        sys.stdout.flush()
    return 1 if failed else 0
