# SPDX-License-Identifier: GPL-3.0-or-later
"""The CLI test scripts' TAP runner: each test function as one `ok` / `not ok`
line, a failure's traceback as comments, exit status 1 if any failed."""
import sys
import traceback


def run(tests):
    print('1..%d' % len(tests))
    failed = 0
    for i, function in enumerate(tests, 1):
        try:
            function()
            print('ok %d %s' % (i, function.__name__))
        except Exception:
            failed += 1
            print('not ok %d %s' % (i, function.__name__))
            for line in traceback.format_exc().splitlines():
                print('# ' + line)
        sys.stdout.flush()
    return 1 if failed else 0
