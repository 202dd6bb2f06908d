#!/usr/bin/env bash
# `make waves`: one test on the RTL with a waveform, opened in gtkwave with a block's view.
#
#   scripts/waves.sh BUILD TEST [BLOCK] [FROM:TO] [RUNNER_ARGS]
#
# BLOCK: a save file of waves/ without .gtkw (default overview). FROM:TO: a trace window in
# cycles (--trace-window). RUNNER_ARGS: more options for the runner (--seed N, --backpressure
# PCT, ...). The FST is BUILD/waves/TEST.fst. Without a display ($DISPLAY unset) the gtkwave
# command is printed instead of run.
set -euo pipefail

build=${1:?usage: scripts/waves.sh BUILD TEST [BLOCK] [FROM:TO] [RUNNER_ARGS]}
test=${2:-} block=${3:-} window=${4:-} args=${5:-}
here=$(cd "$(dirname "$0")/.." && pwd)
blocks=$(cd "$here/waves" && printf '%s\n' ./*.gtkw | sed 's|^\./||; s/\.gtkw$//' | tr '\n' ' ')
if [ -z "$test" ]; then
  echo "make waves TEST=name [BLOCK=name] [WINDOW=FROM:TO] [ARGS='--seed N ...']" >&2
  echo "  BLOCK: $blocks(default overview); tests: $build/vepsim --list" >&2
  exit 2
fi
case $test in *'*'*) echo "waves: TEST is one test, not a pattern ($test)" >&2; exit 2 ;; esac
block=${block:-overview}
gtkw=waves/$block.gtkw
[ -f "$here/$gtkw" ] || { echo "waves: no $gtkw; BLOCK is one of: $blocks" >&2; exit 2; }

mkdir -p "$build/waves"
fst=$(cd "$build/waves" && pwd)/$test.fst
run=("$build/vepsim" --dut rtl --test "$test" --trace "$fst")
[ -n "$window" ] && run+=(--trace-window "$window")
# shellcheck disable=SC2206  # RUNNER_ARGS is a list of options, split on purpose
[ -n "$args" ] && run+=($args)
echo "${run[*]}"
status=0
"${run[@]}" || status=$?
# A failed test is often why one wants its waveform: open it all the same, once it exists.
if [ $status -gt 1 ] || [ ! -s "$fst" ]; then
  echo "waves: no waveform (runner exit $status)" >&2
  exit 1
fi
[ $status -eq 0 ] || echo "waves: the test failed; its waveform is $fst"

# The save file relative to the repository root, like the command the runner prints for a
# mismatch.
cmd="gtkwave -S waves/zoom_fit.tcl $fst $gtkw"
if [ -z "${DISPLAY:-}" ]; then
  echo "waves: no display (\$DISPLAY unset); open it with:"
  echo "  (cd $here && $cmd)"
  exit 0
fi
cd "$here"
exec gtkwave -S waves/zoom_fit.tcl "$fst" "$gtkw"
