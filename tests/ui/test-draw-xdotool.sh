#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The Draw page as a person uses it: start the app, click the Draw tab, drag
# a "7" across the canvas with the mouse (xdotool), and check that a
# prediction of 7 appears and that no sanitizer spoke. TAP output. Run by
# run-under-x.sh (a display and a D-Bus session). $1: the convolve binary.
# Sanitizer test setups set CVL_TEST_LATENCY_SCALE: the app runs that many
# times slower, and the waits grow with it.
app=$1
scale=${CVL_TEST_LATENCY_SCALE:-1}
log=$(mktemp)
echo "1..3"
G_MESSAGES_DEBUG=Convolve "$app" >"$log" 2>&1 &
pid=$!
# Until the window is on screen (at most 10 s × scale), then two seconds ×
# scale for its first frame and the bundled model.
tries=$((10 * scale))
until xdotool search --onlyvisible --name '^Convolve$' >/dev/null 2>&1 || [ "$tries" -le 0 ]; do
  sleep 1
  tries=$((tries - 1))
done
sleep $((2 * scale))
# The window opens at 1200×800 in the screen's corner; the Draw tab sits
# right of the middle of the header bar.
xdotool mousemove 725 28 click 1
sleep "$scale"
xdotool mousemove 210 180 mousedown 1
for p in "250 178" "300 176" "350 175" "400 176" "415 180" "400 220" "380 260" \
         "360 300" "340 340" "325 380" "315 420"; do
  xdotool mousemove $p
  sleep 0.04
done
xdotool mouseup 1
sleep $((2 * scale))
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if grep -q "prediction" "$log"; then echo "ok 1 - a prediction appears while drawing"
else echo "not ok 1 - a prediction appears while drawing"; fi
last=$(grep "prediction" "$log" | tail -n 1)
case "$last" in
  *"prediction 7 "*) echo "ok 2 - the drawn 7 is read as 7 (${last##*prediction })" ;;
  *) echo "not ok 2 - the drawn 7 is read as 7 (last: ${last:-none})" ;;
esac
# Under a sanitizer setup the app's own reports land in the log, not in the
# test's exit status: they fail the test here.
if grep -q "Sanitizer" "$log"; then
  echo "not ok 3 - the app ran without a sanitizer report"
  grep -A 30 "Sanitizer" "$log" | sed 's/^/# /'
else echo "ok 3 - the app ran without a sanitizer report"; fi
rm -f "$log"
