#!/usr/bin/env bash
# `make coverage`: runs the coverage stages of the regression on build/vepsim-cov (the RTL
# Verilated with line and toggle coverage, the C code compiled with gcov), merges what each
# stage counted, writes one lcov HTML report and prints a one-line summary.
#
#   scripts/coverage.sh [BUILD]        (make coverage calls it after building BUILD/vepsim-cov)
#
# Stages: lockstep (RTL and C model at once), backpressure (lockstep under 30% backpressure: the
# flow-control paths of both), cmodel (the C model alone: its adapter and the paths only it
# takes). Each shard's RTL counts go to a .dat file of its own; gcov accumulates the C counts in
# BUILD/obj-cov/*.gcda. Environment: JOBS (processes at once, default 2), SHARDS (default 8).
# Outputs, under BUILD/coverage/: rtl-STAGE-SHARD.dat, rtl-merged.dat, rtl-line.info (RTL line and
# branch points), rtl-toggle.txt (toggle points per module), c.info, c-dirs.txt (C lines per directory), total.info, html/,
# annotated/ (every RTL source with its counts; `%` marks a line below the threshold),
# uncovered-rtl.txt (every RTL line with a point never hit), STAGE-SHARD.log, fcov.txt and
# fcov-report.txt (functional coverage, when vepsim has --fcov).
set -uo pipefail
build=${1:-build}
sim=$build/vepsim-cov
out=$build/coverage
[ -x "$sim" ] || { echo "coverage: $sim missing (make coverage builds it)" >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out"
# gcov adds to the counts already in the .gcda files: start from zero.
find "$build/obj-cov" -name '*.gcda' -delete

# Functional coverage (--fcov) when this vepsim has it: one file per process (a file must not be
# merged into by two processes ending together), summed afterwards.
has_fcov=0
"$sim" --help 2>&1 | grep -- '--fcov ' >/dev/null && has_fcov=1

# The instrumented RTL runs 10 to 20 times slower than build/vepsim, so each stage is cut into
# $SHARDS shards (--shard I/N: every test exactly once) that $JOBS processes take in turn: more
# shards than processes, because one test (blk_index_wrap) alone takes a third of a stage. gcov
# locks each .gcda while it adds to it; every shard writes its RTL and functional counts to files
# of its own.
jobs=${JOBS:-2}
shards=${SHARDS:-8}
export out sim has_fcov shards
run_shard() {  # stage shard vepsim-args...
  local name=$1 i=$2; shift 2
  local extra=(--shard "$i/$shards")
  [ "$has_fcov" -eq 1 ] && extra+=(--fcov "$out/fcov-$name-$i.txt")
  VEP_RTL_COVERAGE_FILE=$out/rtl-$name-$i.dat "$sim" "$@" "${extra[@]}" >"$out/$name-$i.log" 2>&1
}
export -f run_shard
failed=()
run_stage() {
  local name=$1; shift
  echo "=== coverage stage $name: vepsim-cov $* ($shards shards, $jobs at a time)"
  local t0=$SECONDS rc=0
  seq 0 $((shards - 1)) | xargs -P "$jobs" -I{} bash -c 'run_shard "$@"' _ "$name" {} "$@" || rc=1
  cat "$out/$name"-*.log | grep -E '^FAIL' || true
  cat "$out/$name"-*.log | awk '/^[0-9]+ passed, [0-9]+ failed/ { p += $1; f += $3 }
    END { printf "%d passed, %d failed", p, f }'
  echo " ($((SECONDS - t0)) s, logs: $out/$name-*.log)"
  [ "$rc" -eq 0 ] || failed+=("$name")
}
run_stage lockstep --dut lockstep
run_stage backpressure --dut lockstep --backpressure 30
run_stage cmodel --dut cmodel

# ---- RTL: merge the stages, then split line/branch points from toggle points ----
shopt -s nullglob
dats=("$out"/rtl-*.dat)
[ ${#dats[@]} -gt 0 ] || { echo "coverage: no stage wrote RTL coverage" >&2; exit 1; }
verilator_coverage --write "$out/rtl-merged.dat" "${dats[@]}" >/dev/null
# A point's record: C '<key>\001<field>\002<value>...' COUNT; the `page` field names its kind
# (v_line, v_branch, v_toggle) and module.
awk 'index($0, "\001page\002v_toggle/") == 0' "$out/rtl-merged.dat" >"$out/rtl-line.dat"
verilator_coverage --write-info "$out/rtl-line.info" "$out/rtl-line.dat" >/dev/null
verilator_coverage --annotate "$out/annotated" --annotate-min 1 "$out/rtl-line.dat" \
  >"$out/annotate.log" 2>&1

# Points per kind, hit / total; toggles also per module.
point_stats() {  # kind -> "hit total"
  awk -v kind="$1" 'index($0, "\001page\002" kind "/") {
      n++; if ($NF + 0 > 0) h++ } END { printf "%d %d\n", h, n }' "$out/rtl-merged.dat"
}
awk 'index($0, "\001page\002v_toggle/") {
    split($0, a, "\001page\002v_toggle/"); split(a[2], b, "\001"); m = b[1]; sub(/__.*/, "", m)
    n[m]++; if ($NF + 0 > 0) h[m]++ }
  END { for (m in n) printf "%-16s %6d / %6d  %5.1f%%\n", m, h[m], n[m], 100 * h[m] / n[m] }' \
  "$out/rtl-merged.dat" | sort >"$out/rtl-toggle.txt"

# Every RTL source line that carries a line or branch point never hit, with its source text.
awk 'BEGIN { FS = "\001" }
  /^C / { f = ""; l = ""; for (i = 2; i <= NF; i++) {
      if (substr($i, 1, 2) == "f\002") f = substr($i, 3)
      if (substr($i, 1, 2) == "l\002") l = substr($i, 3) }
    split($NF, c, "'"'"' "); if (c[2] + 0 == 0) print f ":" l }' "$out/rtl-line.dat" |
  sort -t: -k1,1 -k2,2n -u |
  while IFS=: read -r f l; do
    printf '%s:%s: %s\n' "$f" "$l" "$(sed -n "${l}p" "$f" | sed 's/^ *//')"
  done >"$out/uncovered-rtl.txt"

# ---- C: gcov of cmodel, cosim, driver, tb ----
lcov --quiet --capture --directory "$build/obj-cov" --base-directory . --no-external \
  --output-file "$out/c.info" 2>"$out/lcov.log"
# C lines per directory (tb/ as one), for docs/coverage.md.
awk -F'[:,]' -v root="$PWD/" '/^SF:/ { f = $2; if (index(f, root) == 1) f = substr(f, length(root) + 1)
    d = f; sub(/\/[^\/]*$/, "", d); if (d ~ /^tb\//) d = "tb" }
  /^DA:/ { n[d]++; if ($3 + 0 > 0) h[d]++ }
  END { for (d in n) printf "%-8s %6d / %6d  %5.1f%%\n", d, h[d], n[d], 100 * h[d] / n[d] }' \
  "$out/c.info" | sort >"$out/c-dirs.txt"
lcov --quiet --add-tracefile "$out/rtl-line.info" --add-tracefile "$out/c.info" \
  --output-file "$out/total.info" 2>>"$out/lcov.log"
genhtml --quiet --title "virtio-ep coverage" --prefix "$PWD" --output-directory "$out/html" \
  "$out/total.info" 2>>"$out/lcov.log"

# ---- Summary ----
lcov_lines() {  # info file -> "hit total" of its source lines (DA records)
  awk -F'[:,]' '/^SF:/ { f = $2 } /^DA:/ { k = f ":" $2; n[k]; if ($3 + 0 > 0) h[k] = 1 }
    END { for (k in n) t++; for (k in h) c++; printf "%d %d\n", c, t }' "$1"
}
pct() { awk -v h="$1" -v n="$2" 'BEGIN { printf "%.1f%%", n ? 100 * h / n : 0 }'; }
read -r rl_h rl_n < <(lcov_lines "$out/rtl-line.info")
read -r rt_h rt_n < <(point_stats v_toggle)
read -r c_h c_n < <(lcov_lines "$out/c.info")
fcov=""
fcov_files=("$out"/fcov-*.txt)
if [ "$has_fcov" -eq 1 ] && [ ${#fcov_files[@]} -gt 0 ]; then
  # `name count` lines: sum per point, in the order of the table
  awk '{ if (!($1 in n)) order[++k] = $1; n[$1] += $2 }
    END { for (i = 1; i <= k; i++) print order[i], n[order[i]] }' "${fcov_files[@]}" \
    >"$out/fcov.txt"
  "$sim" --fcov-report "$out/fcov.txt" >"$out/fcov-report.txt" 2>&1
  fcov=", functional $(grep -m1 -oE '[0-9]+/[0-9]+ points' "$out/fcov-report.txt")"
fi
echo
[ ${#failed[@]} -eq 0 ] || echo "coverage: failing stages: ${failed[*]} (counts still merged)"
echo "coverage: RTL lines $(pct "$rl_h" "$rl_n") ($rl_h/$rl_n)," \
  "RTL toggles $(pct "$rt_h" "$rt_n") ($rt_h/$rt_n), C lines $(pct "$c_h" "$c_n") ($c_h/$c_n)$fcov" \
  "(report: $out/html/index.html)"
[ ${#failed[@]} -eq 0 ]
