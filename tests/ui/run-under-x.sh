#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a GUI test on a display: the user's own if there is one, else a fresh
# Xvfb server; always inside a private D-Bus session so GTK finds a bus.
if [ -n "$DISPLAY" ] || [ -n "$WAYLAND_DISPLAY" ]; then
  exec dbus-run-session -- "$@"
fi
exec xvfb-run -a -s "-screen 0 1280x900x24" dbus-run-session -- "$@"
