#!/usr/bin/env bash
# The regression `make test` runs. Each stage prints its own per-test lines; this script adds a
# stage header, keeps going after a failing stage, and ends with the total on one line.
set -uo pipefail
build=${1:-build}
# The other DATA_W values, each built in $build/dwW (make test passes them: 128 256).
shift || true
wide=("$@")
total_pass=0
total_fail=0
failed_stages=()

# Runs one stage; counts its "N passed, M failed" line. A stage that crashes without that line
# counts as one failure.
stage() {
  local name=$1; shift
  echo "=== $name: $*"
  local log
  log=$(mktemp)
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  rm -f "$log"
  if [ -n "$line" ]; then
    total_pass=$((total_pass + $(echo "$line" | awk '{print $1}')))
    total_fail=$((total_fail + $(echo "$line" | awk '{print $3}')))
  fi
  if [ "$rc" -ne 0 ]; then
    failed_stages+=("$name")
    [ -z "$line" ] && total_fail=$((total_fail + 1))
  fi
}

stage consts   "$build/check_consts" rtl/vep_pkg.sv
stage cli      tb/cli/check_cli.sh "$build"
stage lockstep "$build/vepsim" --dut lockstep --junit "$build/junit-lockstep.xml"
# STYLE rule 7: every stream test also runs under random backpressure (m_tx_ready low and idle
# cycles between RX beats, each in 30% of cycles).
stage lockstep-backpressure "$build/vepsim" --dut lockstep --backpressure 30 \
  --junit "$build/junit-lockstep-backpressure.xml"
stage rtl      "$build/vepsim" --dut rtl --junit "$build/junit-rtl.xml"
stage cmodel   "$build/vepsim" --dut cmodel --junit "$build/junit-cmodel.xml"
stage asan     "$build/vepsim-asan" --dut cmodel
stage valgrind scripts/valgrind-cmodel.sh "$build"
stage junit-merge tb/cli/check_junit_merge.sh "$build"
# Every signal the waves/*.gtkw save files name exists in the RTL's FST; a lockstep mismatch
# leaves a waveform whose window holds the mismatching edge.
stage waves-gtkw tb/waves/check_gtkw.sh "$build"
stage waves-mismatch tb/waves/check_mismatch_window.sh "$build"
# Every test in lockstep at each other DATA_W, plain and under backpressure: the RTL and the C model
# of that width agree on every output every cycle and the driver's checks pass.
for w in "${wide[@]}"; do
  stage "lockstep-dw$w" "$build/dw$w/vepsim" --dut lockstep --junit "$build/junit-lockstep-dw$w.xml"
  stage "lockstep-backpressure-dw$w" "$build/dw$w/vepsim" --dut lockstep --backpressure 30 \
    --junit "$build/junit-lockstep-backpressure-dw$w.xml"
done
# The C model built with a deliberate one-bit difference: lockstep must catch it, on m_tx_data,
# in the test that reads the Revision ID.
stage lockstep-selftest "$build/vepsim-bug" --dut lockstep --test cfg_header \
  --expect-divergence m_tx_data

echo
if [ ${#failed_stages[@]} -gt 0 ]; then
  echo "failed stages: ${failed_stages[*]}"
fi
echo "regression: $total_pass passed, $total_fail failed"
[ ${#failed_stages[@]} -eq 0 ]
