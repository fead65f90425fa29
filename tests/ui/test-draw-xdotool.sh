#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The Draw page as a person uses it: start the app, click the Draw tab, drag
# a "7" across the canvas with the mouse (xdotool), and check that a
# prediction of 7 appears. TAP output. Run by run-under-x.sh (a display and
# a D-Bus session). $1: the convolve binary.
app=$1
log=$(mktemp)
echo "1..2"
G_MESSAGES_DEBUG=Convolve "$app" >"$log" 2>&1 &
pid=$!
sleep 3
# The window opens at 1200×800 in the screen's corner; the Draw tab sits
# right of the middle of the header bar.
xdotool mousemove 725 28 click 1
sleep 1
xdotool mousemove 210 180 mousedown 1
for p in "250 178" "300 176" "350 175" "400 176" "415 180" "400 220" "380 260" \
         "360 300" "340 340" "325 380" "315 420"; do
  xdotool mousemove $p
  sleep 0.04
done
xdotool mouseup 1
sleep 2
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if grep -q "prediction" "$log"; then echo "ok 1 - a prediction appears while drawing"
else echo "not ok 1 - a prediction appears while drawing"; fi
last=$(grep "prediction" "$log" | tail -n 1)
case "$last" in
  *"prediction 7 "*) echo "ok 2 - the drawn 7 is read as 7 (${last##*prediction })" ;;
  *) echo "not ok 2 - the drawn 7 is read as 7 (last: ${last:-none})" ;;
esac
rm -f "$log"
