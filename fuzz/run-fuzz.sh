#!/usr/bin/env bash
# `make fuzz`: runs the libFuzzer harness on the C model for half the budget, then the
# differential fuzzer (lockstep) for the other half; one summary line each; exit 1 when either
# found something. Crash inputs stay under BUILD/fuzz/ with a repro command next to each.
#
#   fuzz/run-fuzz.sh BUILD SECONDS [SEED|clock]   (default seed 1)
set -uo pipefail
build=${1:?usage: run-fuzz.sh BUILD SECONDS [SEED|clock]}
seconds=${2:?usage: run-fuzz.sh BUILD SECONDS [SEED|clock]}
seed=${3:-1}
if [ "$seed" = clock ]; then
  seed=$(date +%s)
fi
case $seed in
  ''|*[!0-9]*) echo "run-fuzz: bad seed '$seed' (a number, or clock)" >&2; exit 2 ;;
esac
echo "fuzz: seed $seed (libFuzzer -seed, vepfuzz --seed), $seconds s"
half=$(( seconds / 2 > 0 ? seconds / 2 : 1 ))
fdir=$build/fuzz
mkdir -p "$fdir/corpus" "$fdir/crashes"
found=0

# ---- Past findings: every input that once crashed must now pass (a regression check) ----
findings=(fuzz/findings/*)
if [ -e "${findings[0]}" ]; then
  if "$fdir/fuzz_tlp" "${findings[@]}" >"$fdir/findings.log" 2>&1; then
    echo "fuzz_tlp: ${#findings[@]} past findings (fuzz/findings/) replayed, all pass"
  else
    found=1
    echo "fuzz_tlp: a past finding fails again (fuzz/findings/): see $fdir/findings.log"
    grep -E '^(fuzz_tlp:|Running:)' "$fdir/findings.log" | tail -3
  fi
fi

# ---- libFuzzer on the C model ----
log=$fdir/fuzz_tlp.log
before=$(ls "$fdir/crashes" | wc -l)
"$fdir/fuzz_tlp" -seed="$seed" -max_total_time="$half" -print_final_stats=1 -timeout=20 -rss_limit_mb=2048 \
  -artifact_prefix="$fdir/crashes/" "$fdir/corpus" fuzz/corpus >"$log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
corpus=$(ls "$fdir/corpus" | wc -l)
crashes=$(( $(ls "$fdir/crashes" | grep -v '\.repro$' | wc -l) - before ))
for c in "$fdir"/crashes/*; do
  case $c in *.repro) continue ;; esac
  [ -e "$c" ] && [ ! -e "$c.repro" ] && echo "$fdir/fuzz_tlp $c" >"$c.repro"
done
echo "fuzz_tlp: ${execs:-?} executions in ${half} s (${rate:-?}/s), coverage ${cov:-?} edges," \
     "${ft:-?} features, corpus $corpus inputs, $crashes new crashes (log: $log)"
if [ "$rc" -ne 0 ] || [ "$crashes" -gt 0 ]; then
  found=1
  grep -E '^(fuzz_tlp:|==[0-9]+==ERROR|SUMMARY)|runtime error' "$log" | head -5
  for c in "$fdir"/crashes/*.repro; do [ -e "$c" ] && echo "reproduce: $(cat "$c")"; done
fi

# ---- differential fuzzer, lockstep ----
dlog=$fdir/vepfuzz.log
"$build/vepfuzz" --seconds "$half" --seed "$seed" >"$dlog" 2>&1
drc=$?
grep -A12 '^FAIL' "$dlog" | head -40
summary=$(grep '^vepfuzz: .* iterations' "$dlog" | tail -1)
echo "${summary:-vepfuzz: no summary (exit $drc), see $dlog}"
if [ "$drc" -ne 0 ]; then
  found=1
  grep '^reproduce:' "$dlog" >"$fdir/vepfuzz-failures.txt"
  echo "vepfuzz: failing iterations and their repro commands: $fdir/vepfuzz-failures.txt"
fi

if [ "$found" -ne 0 ]; then
  echo "fuzz: FOUND problems (see above)"
  exit 1
fi
echo "fuzz: nothing found"
