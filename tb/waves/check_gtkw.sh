#!/usr/bin/env bash
# Every signal a GTKWave save file in waves/ names must exist in the FST Verilator writes, so that
# renaming or resizing an RTL signal breaks this check instead of silently emptying a view.
#
#   tb/waves/check_gtkw.sh [BUILD]        (BUILD defaults to build; needs fst2vcd)
#
# Writes a 20-cycle FST of a real test (cfg_header on the RTL: the hierarchy does not depend on
# the test), lists its signals as GTKWave names them (TOP.vep_top.u_blk.busy_q[7:0]: scope path,
# name, range), and looks up each trace of each waves/*.gtkw: plain lines, "+{alias} name",
# and the bits of "#{alias} (i)name ..." combinations.
set -euo pipefail
export LC_ALL=C  # one collation for sort and comm

build=${1:-build}
here=$(cd "$(dirname "$0")/../.." && pwd)
command -v fst2vcd >/dev/null || { echo "check_gtkw: fst2vcd missing (scripts/install-deps.sh waves)" >&2; exit 2; }
[ -x "$build/vepsim" ] || { echo "check_gtkw: $build/vepsim missing (make build)" >&2; exit 2; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

"$build/vepsim" --dut rtl --test cfg_header --trace "$scratch/h.fst" --trace-window 1:20 \
  >"$scratch/run.out" || { cat "$scratch/run.out"; echo "check_gtkw: the FST run failed" >&2; exit 1; }
# Into a file first: awk stops reading at $enddefinitions, and fst2vcd writing into the closed
# pipe would die of SIGPIPE, failing this script (pipefail) at random, silently.
fst2vcd "$scratch/h.fst" >"$scratch/h.vcd" 2>"$scratch/fst2vcd.err" ||
  { cat "$scratch/fst2vcd.err" >&2; echo "check_gtkw: fst2vcd cannot read the FST" >&2; exit 1; }
awk '
  /\$scope/ { s[++d] = $3 } /\$upscope/ { d-- }
  /\$var/ { p = ""; for (i = 1; i <= d; i++) p = p s[i] "."; print p $5 ($6 ~ /^\[/ ? $6 : "") }
  /\$enddefinitions/ { exit }' "$scratch/h.vcd" | sort -u >"$scratch/names"
[ -s "$scratch/names" ] || { echo "check_gtkw: no signals in the FST" >&2; exit 1; }

files=0 traces=0 missing=0
for g in "$here"/waves/*.gtkw; do
  files=$((files + 1))
  # One trace name per line: comments, directives, flags and group titles dropped, aliases and
  # bit selectors stripped; then each looked up in the FST's names.
  grep -v '^\[\|^@\|^-\|^\*' "$g" | sed -e 's/^+{[^}]*} //' -e 's/^#{[^}]*} //' |
    tr ' ' '\n' | sed -e 's/^([0-9]*)//' | grep -v '^$' | sort -u >"$scratch/traces"
  traces=$((traces + $(wc -l <"$scratch/traces")))
  while read -r name; do
    echo "check_gtkw: $(basename "$g"): $name is not in the FST"
    missing=$((missing + 1))
  done < <(comm -23 "$scratch/traces" "$scratch/names")
done
echo "check_gtkw: $files save files, $traces traces (distinct per file), $missing missing"
[ $files -gt 0 ] && [ $missing -eq 0 ]
