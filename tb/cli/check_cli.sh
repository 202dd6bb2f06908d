#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The runner's command line refuses bad options (docs/testing.md: "A bad option or value prints
# the usage on stderr and exits 2"). A test inside vepsim cannot call its own main, so this
# script runs build/vepsim with each bad command line and checks: exit status 2, a usage line
# ("usage: ...") on stderr, nothing on stdout, and no test run (no PASS/FAIL line).
# Usage: tb/cli/check_cli.sh [BUILD_DIR]   (default build). Ends with "N passed, M failed" and
# exits 1 if any case failed, as the regression's stages do.
set -uo pipefail
build=${1:-build}
vepsim="$build/vepsim"
pass=0
fail=0

if [ ! -x "$vepsim" ]; then
  echo "check_cli: $vepsim not found (make build first)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# check NAME ARGS...: one bad command line. With NEED set, stderr must contain NEED instead of
# a usage line.
check() {
  local name=$1
  shift
  local out err rc why=""
  out=$(mktemp)
  err=$(mktemp)
  "$vepsim" "$@" >"$out" 2>"$err"
  rc=$?
  [ "$rc" -eq 2 ] || why+="exit status $rc, expected 2; "
  if [ -n "${NEED:-}" ]; then
    grep -qF -- "$NEED" "$err" || why+="stderr does not name '$NEED'; "
  else
    grep -q '^usage: ' "$err" || why+="no 'usage: ' line on stderr; "
  fi
  [ -s "$out" ] && why+="stdout not empty; "
  grep -qE '^(PASS|FAIL) ' "$out" "$err" && why+="tests ran; "
  if [ -z "$why" ]; then
    echo "PASS cli_$name ($*)"
    pass=$((pass + 1))
  else
    echo "FAIL cli_$name ($*)"
    echo "    ${why%; }"
    sed -n '1,3s/^/    stderr: /p' "$err"
    fail=$((fail + 1))
  fi
  rm -f "$out" "$err"
}

check dut_foo          --dut foo
check dut_empty        --dut=
check seed_x           --seed x
check seed_negative    --seed -1
check seed_trailing    --seed 12abc
check shard_3_of_2     --shard 3/2
check shard_2_of_2     --shard 2/2
check shard_zero_n     --shard 0/0
check shard_no_slash   --shard 3
check bogus            --bogus
check bogus_positional bogus
check latency_0        --latency 0
check latency_x        --latency x
check backpressure_91  --backpressure 91
check missing_value    --seed
check value_on_flag    --list=yes
# The virtio-blk backend: --disk must name a regular file whose size is a multiple of 512
# (vepsim names the file and the reason, then prints the usage); --blk-latency a number.
tmpdir=$(mktemp -d)
printf '%1000s' x >"$tmpdir/odd.img"
check disk_missing     --disk "$tmpdir/no_such.img"
check disk_odd_size    --disk "$tmpdir/odd.img"
NEED="not a multiple of the 512-byte sector" check disk_odd_says_why --disk "$tmpdir/odd.img"
check disk_directory   --disk "$tmpdir"
check disk_empty_name  --disk=
check disk_no_value    --disk
check blk_latency_x    --blk-latency x
check blk_latency_neg  --blk-latency -5
check blk_latency_big  --blk-latency 1000001
check ro_with_value    --ro=1
# A --test pattern that matches nothing is a usage error too (exit 2); vepsim names the pattern
# and points at --list instead of printing the whole usage.
NEED=no_such_test_zzz check test_no_match --test no_such_test_zzz
# The verification kit's options: a file that cannot be written or is not ours, a bad window.
NEED="--tlp-log $tmpdir/no/dir/t.log" check tlp_log_unwritable --tlp-log "$tmpdir/no/dir/t.log"
printf 'not a coverage file\n' >"$tmpdir/foreign.txt"
NEED="--fcov $tmpdir/foreign.txt" check fcov_foreign_file --fcov "$tmpdir/foreign.txt"
NEED="--fcov-report" check fcov_report_missing --fcov-report "$tmpdir/no_such.txt"
check trace_window_reversed --trace "$tmpdir/w.fst" --trace-window 5:3
check trace_window_x        --trace "$tmpdir/w.fst" --trace-window x
NEED="needs --trace" check trace_window_alone --trace-window 5:10
check mismatch_window_x     --mismatch-window x
# A good option before the bad one does not rescue it.
check good_then_bad    --dut rtl --bogus

# The controls: the same runner accepts good options (so the failures above are about the
# options, not a runner that refuses everything).
if "$vepsim" --list --dut cmodel --seed 7 --shard 1/2 >/dev/null 2>&1; then
  echo "PASS cli_good_options (--list --dut cmodel --seed 7 --shard 1/2)"
  pass=$((pass + 1))
else
  echo "FAIL cli_good_options (--list --dut cmodel --seed 7 --shard 1/2): exit $?"
  fail=$((fail + 1))
fi
if "$vepsim" --help 2>/dev/null | grep '^usage: ' >/dev/null; then
  echo "PASS cli_help (--help: usage on stdout)"
  pass=$((pass + 1))
else
  echo "FAIL cli_help (--help: no usage on stdout)"
  fail=$((fail + 1))
fi

# A good image is accepted (and a read-only one too).
truncate -s 1M "$tmpdir/good.img"
if "$vepsim" --list --disk "$tmpdir/good.img" --ro --blk-latency 0 >/dev/null 2>&1; then
  echo "PASS cli_disk_good (--list --disk good.img --ro --blk-latency 0)"
  pass=$((pass + 1))
else
  echo "FAIL cli_disk_good (--list --disk good.img --ro --blk-latency 0): exit $?"
  fail=$((fail + 1))
fi
rm -rf "$tmpdir"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
