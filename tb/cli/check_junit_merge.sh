#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Sharded runs merge into one report (docs/testing.md, "Sharding"): the cfg_* tests are run in
# three shards with --junit, merged with build/junit-merge, and the merged report must hold
# exactly the tests of the unsharded run, each once, with the same verdicts. The merge must also
# refuse a missing shard, a shard given twice and shards of different seeds.
# Usage: tb/cli/check_junit_merge.sh [BUILD_DIR]. Ends with "N passed, M failed".
set -uo pipefail
build=${1:-build}
vepsim="$build/vepsim"
merge="$build/junit-merge"
pass=0
fail=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

result() {  # NAME WHY (empty WHY: passed)
  if [ -z "$2" ]; then
    echo "PASS $1"
    pass=$((pass + 1))
  else
    echo "FAIL $1: $2"
    fail=$((fail + 1))
  fi
}

names() { grep -o '<testcase [^>]*name="[^"]*"' "$1" | sed 's/.*name="//; s/"$//' | sort; }

sel=(--dut cmodel --test 'cfg_*')
"$vepsim" "${sel[@]}" --junit "$dir/all.xml" >/dev/null
for i in 0 1 2; do
  "$vepsim" "${sel[@]}" --shard "$i/3" --junit "$dir/s$i.xml" >/dev/null
done

why=""
"$merge" "$dir/merged.xml" "$dir/s0.xml" "$dir/s1.xml" "$dir/s2.xml" >/dev/null ||
  why+="merge of three shards failed; "
if [ -f "$dir/merged.xml" ]; then
  [ "$(names "$dir/merged.xml")" = "$(names "$dir/all.xml")" ] ||
    why+="merged test names differ from the unsharded run; "
  n_all=$(names "$dir/all.xml" | wc -l)
  grep -q "<testsuites tests=\"$n_all\" failures=\"0\"" "$dir/merged.xml" ||
    why+="merged totals are not $n_all tests, 0 failures; "
  [ "$n_all" -ge 3 ] || why+="too few tests ($n_all) to prove anything; "
fi
result merge_complete "$why"

why=""
"$merge" "$dir/m2.xml" "$dir/s0.xml" "$dir/s2.xml" 2>"$dir/err" >/dev/null && why+="accepted; "
grep -q 'shard 1/3 missing' "$dir/err" || why+="no 'shard 1/3 missing' on stderr; "
[ -e "$dir/m2.xml" ] && why+="wrote a report; "
result merge_missing_shard "$why"

why=""
"$merge" "$dir/m3.xml" "$dir/s0.xml" "$dir/s1.xml" "$dir/s1.xml" "$dir/s2.xml" 2>"$dir/err" \
  >/dev/null && why+="accepted; "
grep -q 'given twice' "$dir/err" || why+="no 'given twice' on stderr; "
result merge_duplicate_shard "$why"

why=""
"$vepsim" "${sel[@]}" --shard 1/3 --seed 7 --junit "$dir/s1seed7.xml" >/dev/null
"$merge" "$dir/m4.xml" "$dir/s0.xml" "$dir/s1seed7.xml" "$dir/s2.xml" 2>"$dir/err" \
  >/dev/null && why+="accepted; "
grep -q 'has seed 7' "$dir/err" || why+="no seed complaint on stderr; "
result merge_mixed_seeds "$why"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
