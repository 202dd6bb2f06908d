#!/usr/bin/env bash
# Renders a GTKWave view of an FST to a PNG without a display: Xvfb, gtkwave driven by a Tcl
# script (time window, marker), a screenshot with xwd, converted by ImageMagick.
#
#   scripts/render-wave.sh FST GTKW OUT.png FROM TO [MARK]
#
# FROM, TO: cycles; the view spans FST time 10*FROM .. 10*TO+10 (cycle N is 10N+1..10N+10, its
# rising edge at 10N+5; docs/waves.md). MARK: a cycle whose rising edge gets the marker.
# WAVE_SIZE (default 1400x820): the virtual screen, which the picture is. The save file's [size]
# should not exceed it.
set -euo pipefail

[ $# -ge 5 ] || { sed -n '2,12p' "$0" >&2; exit 2; }
fst=$1 gtkw=$2 out=$3 from=$4 to=$5 mark=${6:-}
size=${WAVE_SIZE:-1400x820}
for tool in Xvfb gtkwave xwd convert; do
  command -v $tool >/dev/null || { echo "render-wave: $tool missing (scripts/install-deps.sh waves)" >&2; exit 2; }
done
[ -s "$fst" ] || { echo "render-wave: $fst missing or empty" >&2; exit 2; }
[ -s "$gtkw" ] || { echo "render-wave: $gtkw missing" >&2; exit 2; }

scratch=$(mktemp -d)
xvfb_pid='' gtkwave_pid=''
cleanup() {
  # Only the two processes started here, by their ids.
  if [ -n "$gtkwave_pid" ]; then kill "$gtkwave_pid" 2>/dev/null || true; fi
  if [ -n "$xvfb_pid" ]; then kill "$xvfb_pid" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

# The picture shows the signal list and the waves: no hierarchy browser, no splash screen.
cat >"$scratch/rc" <<'RC'
hide_sst on
splash_disable on
RC
{
  echo "gtkwave::setZoomRangeTimes $((10 * from)) $((10 * to + 10))"
  [ -n "$mark" ] && echo "gtkwave::setMarker $((10 * mark + 5))"
  echo 'puts "render-wave: view ready"'
} >"$scratch/view.tcl"

# Xvfb picks a free display itself and writes its number to fd 3.
Xvfb -displayfd 3 -screen 0 "${size}x24" -nolisten tcp 3>"$scratch/display" 2>"$scratch/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 50); do [ -s "$scratch/display" ] && break; sleep 0.1; done
[ -s "$scratch/display" ] || { cat "$scratch/xvfb.log" >&2; echo "render-wave: Xvfb did not start" >&2; exit 1; }
display=:$(head -1 "$scratch/display")

DISPLAY=$display gtkwave -r "$scratch/rc" -S "$scratch/view.tcl" "$fst" "$gtkw" \
  >"$scratch/gtkwave.log" 2>&1 &
gtkwave_pid=$!
for _ in $(seq 100); do grep -q "view ready" "$scratch/gtkwave.log" && break; sleep 0.1; done
grep -q "view ready" "$scratch/gtkwave.log" ||
  { cat "$scratch/gtkwave.log" >&2; echo "render-wave: gtkwave did not load the view" >&2; exit 1; }
# The script runs before the last redraw: give it a moment to reach the screen.
sleep 1.5
DISPLAY=$display xwd -root -silent | convert xwd:- -strip "$out"
echo "render-wave: $out ($(stat -c %s "$out") bytes; $fst, cycles $from..$to${mark:+, marker at the edge of cycle $mark})"
