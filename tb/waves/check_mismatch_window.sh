#!/usr/bin/env bash
# The automatic waveform of a lockstep mismatch, checked end to end (docs/waves.md).
#
#   tb/waves/check_mismatch_window.sh [BUILD]      (BUILD defaults to build; needs fst2vcd)
#
# BUILD/vepsim-bug is the runner linked with the C model's deliberate bug: cfg_header diverges
# in lockstep. Run without --expect-divergence it must fail with the usual mismatch report, re-run
# itself with a trace window, and name the FST. Checked twice: with the default window (the
# mismatch is early, so the window starts at cycle 0 and the trace opens in cosim_create) and
# with --mismatch-window 30 and --junit in a scratch directory (the trace opens in the middle of
# the run, and the file goes next to the JUnit report). For each file: it exists, fst2vcd reads
# it, it declares the top-level ports and signals of every block, its first time is 10*FROM+1,
# its time range covers the mismatching edge, and the mismatching port's value at that edge is
# the RTL value the report prints.
set -euo pipefail

build=${1:-build}
bin=$build/vepsim-bug
test=cfg_header
command -v fst2vcd >/dev/null || { echo "check_mismatch_window: fst2vcd missing (scripts/install-deps.sh waves)" >&2; exit 2; }
[ -x "$bin" ] || { echo "check_mismatch_window: $bin missing (make build)" >&2; exit 2; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail=0
bad() { echo "check_mismatch_window: FAIL: $*"; fail=1; }

# check_one NAME EXPECTED_FST RUNNER_ARGS...
check_one() {
  local name=$1 fst=$2; shift 2
  local out=$scratch/$name.out rc=0
  rm -f "$fst"
  "$bin" --dut lockstep --test $test "$@" >"$out" 2>&1 || rc=$?
  [ $rc -eq 1 ] || { bad "$name: the runner exited $rc, not 1 (a failed test)"; cat "$out"; return; }
  grep -q "lockstep mismatch: port" "$out" || { bad "$name: no mismatch report"; return; }
  local port cycle edge rtlval
  port=$(sed -n 's/.*lockstep mismatch: port \([a-z_]*\).*/\1/p' "$out" | head -1)
  cycle=$(sed -n 's/.*differs in the outputs of cycle \([0-9]*\).*/\1/p' "$out" | head -1)
  edge=$(sed -n 's/.*rising edge at t=\([0-9]*\) in the FST.*/\1/p' "$out" | head -1)
  rtlval=$(sed -n "s/^ *rtl  *$port = \\(0x[0-9a-f_]*\\).*/\\1/p" "$out" | head -1 | tr -d _)
  [ -n "$port" ] && [ -n "$cycle" ] && [ -n "$edge" ] && [ -n "$rtlval" ] ||
    { bad "$name: cannot read port/cycle/edge/value from the report"; return; }
  [ "$edge" -eq $((10 * (cycle - 1) + 5)) ] || bad "$name: edge t=$edge is not 10*($cycle-1)+5"
  local line from to
  line=$(grep "waveform of the mismatch" "$out" || true)
  [ -n "$line" ] || { bad "$name: the report names no waveform"; cat "$out"; return; }
  case $line in *"$fst,"*) ;; *) bad "$name: the waveform is not $fst: $line"; return ;; esac
  grep -q "open it: gtkwave $fst waves/overview.gtkw" "$out" || bad "$name: no gtkwave command"
  from=$(sed -n 's/.*cycles \([0-9]*\)\.\.\([0-9]*\),.*/\1/p' <<<"$line")
  to=$(sed -n 's/.*cycles \([0-9]*\)\.\.\([0-9]*\),.*/\2/p' <<<"$line")
  [ -s "$fst" ] || { bad "$name: $fst missing or empty"; return; }
  local vcd=$scratch/$name.vcd
  fst2vcd "$fst" >"$vcd" 2>"$scratch/$name.err" || { bad "$name: fst2vcd cannot read $fst"; return; }
  for sig in TOP.clk_i TOP.s_rx_valid TOP.m_tx_data TOP.vep_top.u_rx_demux.state_q \
             TOP.vep_top.u_cfg_space.cfg_rdata_q TOP.vep_top.u_tx_arbiter.u_skid.cnt_q \
             TOP.vep_top.u_dma_rd.mrd_valid_q TOP.vep_top.u_vq_fetch.st_q \
             TOP.vep_top.u_blk.r_st_q; do
    awk -v want="$sig" '
      /\$scope/ { s[++d] = $3 } /\$upscope/ { d-- }
      /\$var/ { p = ""; for (i = 1; i <= d; i++) p = p s[i] "."; if (p $5 == want) { found = 1; exit } }
      /\$enddefinitions/ { exit }
      END { exit !found }' "$vcd" || bad "$name: $fst does not declare $sig"
  done
  # The times, the port's value at the edge: one pass over the value changes.
  read -r first last value < <(awk -v port="$port" -v edge="$edge" '
    /\$scope/ { d++ } /\$upscope/ { d-- }
    /\$var/ && d == 1 && $5 == port { id = $4 }
    /^#/ { t = substr($0, 2) + 0; if (first == "") first = t; last = t; next }
    id != "" && t <= edge && /^b/ && $2 == id { v = substr($1, 2) }
    id != "" && t <= edge && /^[01]/ && substr($0, 2) == id { v = substr($0, 1, 1) }
    END { print first, last, (v == "" ? "none" : v) }' "$vcd")
  [ "$first" -eq $((10 * from + 1)) ] || bad "$name: first time $first, want 10*$from+1"
  [ "$first" -le "$edge" ] && [ "$last" -ge "$edge" ] ||
    bad "$name: time range $first..$last does not cover the edge t=$edge"
  [ "$last" -le $((10 * to + 10)) ] || bad "$name: last time $last after the window's end $to"
  local hex
  hex=$(python3 -c "import sys; print(hex(int(sys.argv[1], 2)))" "$value" 2>/dev/null || echo none)
  [ "$hex" != none ] && [ "$((hex))" = "$((rtlval))" ] ||
    bad "$name: $port at t=$edge is $hex in the FST, the report says rtl $rtlval"
  [ $fail -eq 0 ] && echo "check_mismatch_window: $name: ok ($fst: cycles $from..$to," \
    "FST time $first..$last covers the edge t=$edge of cycle $cycle; $port=$hex there)"
}

check_one default "$build/mismatch-$test.fst"
check_one window30 "$scratch/mismatch-$test.fst" --mismatch-window 30 --junit "$scratch/junit.xml"
exit $fail
