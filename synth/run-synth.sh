#!/usr/bin/env bash
# make synth (docs/synth.md): synthesise vep_top with Yosys once per configuration and flow, keep
# each run's log, stat and longest path under OUT_DIR/<config>/, and gather the figures into
# OUT_DIR/summary.json and OUT_DIR/summary.txt (written with awk: the build needs no python).
#
# usage: synth/run-synth.sh YOSYS OUT_DIR 'BASE_PARAMS' 'CONFIGS' 'FLOWS' RTL_SRC...
#   BASE_PARAMS  NAME=VALUE for every RTL parameter: the Makefile's defaults
#   CONFIGS      one word per configuration, NAME:P=V,P=V,... where each P=V overrides BASE_PARAMS
#   FLOWS        among xilinx, generic, generic_flops (synth/<flow>.ys), run in this order
#
# A configuration that the RTL refuses at elaboration (one of its parameter checks' $error) is
# reported as "refused" with the message and its flows are skipped; it does not fail the run,
# since that is the RTL saying the configuration does not exist yet. Any other Yosys failure
# fails the script.
set -euo pipefail

if (($# < 6)); then
  echo "usage: $0 YOSYS OUT_DIR 'BASE_PARAMS' 'CONFIGS' 'FLOWS' RTL_SRC..." >&2
  exit 2
fi
yosys=$1 out=$2 base_params=$3 configs=$4 flows=$5
shift 5
here=$(cd "$(dirname "$0")" && pwd)
srcs=""
for f in "$@"; do srcs+=" $(realpath "$f")"; done
for flow in $flows; do
  [[ -f $here/$flow.ys ]] || { echo "synth: no flow '$flow' (no synth/$flow.ys)" >&2; exit 2; }
done
mkdir -p "$out"
out=$(realpath "$out")

# The figure of stat text $2 for the cell types whose names match the awk regex $1 (sum of counts).
count_cells() {
  awk -v re="$1" '$1 ~ re && $2 ~ /^[0-9]+$/ { n += $2 } END { print n + 0 }' "$2"
}
# The total cell count of stat text $1 (its last "Number of cells", the whole design).
total_cells() {
  awk '/Number of cells:/ { n = $NF } END { print (n == "" ? "null" : n) }' "$1"
}
# The length of the longest path in ltp text $1, in cells.
path_length() {
  sed -n 's/.*Longest topological path in .* (length=\([0-9]*\)).*/\1/p' "$1" | tail -1
}
json_or_null() { if [[ -n $1 ]]; then printf '%s' "$1"; else printf 'null'; fi; }

entries=()
table=()
for config in $configs; do
  if [[ $config != ?*:?*=* ]]; then
    echo "synth: configuration '$config' is not NAME:P=V,..." >&2
    exit 2
  fi
  name=${config%%:*}
  overrides=${config#*:}
  # Later settings win: the configuration's overrides come after the defaults.
  declare -A value=()
  order=()
  for pv in $base_params ${overrides//,/ }; do
    p=${pv%%=*}
    [[ -v value[$p] ]] || order+=("$p")
    value[$p]=${pv#*=}
  done
  chparam="" params_json="" params_text=""
  for p in "${order[@]}"; do
    chparam+=" -set $p ${value[$p]}"
    params_json+="${params_json:+, }\"$p\": ${value[$p]}"
    params_text+="${params_text:+ }$p=${value[$p]}"
  done
  unset value

  dir=$out/$name
  rm -rf "$dir"
  mkdir -p "$dir"
  echo "$params_text" > "$dir/params.txt"
  read_step="read_verilog -sv$srcs; chparam$chparam vep_top; hierarchy -check -top vep_top"

  # Elaborate first: a refused configuration stops here, in seconds.
  status=ok message=""
  if ! (cd "$dir" && "$yosys" -q -l elaborate.log -p "$read_step" >/dev/null 2>&1); then
    message=$(grep -m1 'ERROR:' "$dir/elaborate.log" |
              sed 's/.*ERROR: *//; s/\.$//; s/["\\]/ /g' || true)
    # The RTL's parameter checks are `$error("<module>: <PARAM> must ...")` in generate blocks.
    if grep -q -E 'ERROR: vep_[a-z_]+: [A-Z_]+ must' "$dir/elaborate.log"; then
      status=refused
    else
      echo "synth: $name: elaboration failed: ${message:-see $dir/elaborate.log}" >&2
      exit 1
    fi
  fi

  declare -A secs=()
  if [[ $status == ok ]]; then
    for flow in $flows; do
      echo "synth: $name: $flow ($params_text) ..."
      t0=$(date +%s)
      if ! (cd "$dir" && "$yosys" -q -l "$flow.log" -p "$read_step; script $here/$flow.ys" \
              >/dev/null 2>&1); then
        echo "synth: $name: $flow failed: $(grep -m1 'ERROR:' "$dir/$flow.log" || true)" >&2
        echo "synth: log: $dir/$flow.log" >&2
        exit 1
      fi
      secs[$flow]=$(($(date +%s) - t0))
      echo "synth: $name: $flow done in ${secs[$flow]} s"
    done
  fi

  luts="" invs="" ffs="" ramb36="" ramb18="" brams="" lutram="" srls="" dsps="" levels="" gcells=""
  gmems="" glevels="" fcells="" flevels=""
  if [[ -f $dir/xilinx_stat.txt ]]; then
    st=$dir/xilinx_stat.txt
    luts=$(count_cells '^LUT[1-6]$' "$st")
    invs=$(count_cells '^INV$' "$st")
    ffs=$(count_cells '^(FD[RSCP]E|LD[CP]E)$' "$st")
    ramb36=$(count_cells '^RAMB36E1$' "$st")
    ramb18=$(count_cells '^RAMB18E1$' "$st")
    brams=$((ramb36 + ramb18))
    lutram=$(count_cells '^RAM(32|64|128|256)' "$st")
    srls=$(count_cells '^SRL' "$st")
    dsps=$(count_cells '^DSP48E1$' "$st")
    levels=$(path_length "$dir/xilinx_ltp.txt")
  fi
  if [[ -f $dir/generic_stat.txt ]]; then
    gcells=$(total_cells "$dir/generic_stat.txt")
    gmems=$(count_cells '^\$mem' "$dir/generic_stat.txt")
    glevels=$(path_length "$dir/generic_ltp.txt")
  fi
  if [[ -f $dir/generic_flops_stat.txt ]]; then
    fcells=$(total_cells "$dir/generic_flops_stat.txt")
    flevels=$(path_length "$dir/generic_flops_ltp.txt")
  fi

  entry="  {\"config\": \"$name\", \"params\": {$params_json}, \"status\": \"$status\""
  [[ $status == refused ]] && entry+=", \"message\": \"$message\""
  entry+=", \"luts\": $(json_or_null "$luts"), \"inv_cells\": $(json_or_null "$invs")"
  entry+=", \"ffs\": $(json_or_null "$ffs")"
  entry+=", \"brams\": $(json_or_null "$brams"), \"ramb36e1\": $(json_or_null "$ramb36")"
  entry+=", \"ramb18e1\": $(json_or_null "$ramb18"), \"lutram_cells\": $(json_or_null "$lutram")"
  entry+=", \"srl_cells\": $(json_or_null "$srls"), \"dsps\": $(json_or_null "$dsps")"
  entry+=", \"logic_levels\": $(json_or_null "$levels")"
  entry+=", \"generic_cells\": $(json_or_null "$gcells")"
  entry+=", \"generic_mem_cells\": $(json_or_null "$gmems")"
  entry+=", \"generic_gate_levels\": $(json_or_null "$glevels")"
  entry+=", \"generic_flops_cells\": $(json_or_null "$fcells")"
  entry+=", \"generic_flops_gate_levels\": $(json_or_null "$flevels")"
  entry+=", \"seconds\": {"
  sep=""
  for flow in $flows; do
    [[ -v secs[$flow] ]] || continue
    entry+="$sep\"$flow\": ${secs[$flow]}"
    sep=", "
  done
  entry+="}}"
  unset secs
  entries+=("$entry")

  if [[ $status == ok ]]; then
    table+=("$(printf '%-14s %7s %6s %7s %6s %8s %5s %7s %9s %7s' "$name" "${luts:--}" \
      "${invs:--}" "${ffs:--}" "${brams:--}" "${lutram:--}" "${dsps:--}" "${levels:--}" \
      "${gcells:--}" "${glevels:--}")")
  else
    table+=("$(printf '%-14s %s: %s' "$name" "$status" "$message")")
  fi
done

{
  echo "["
  for i in "${!entries[@]}"; do
    if ((i + 1 < ${#entries[@]})); then echo "${entries[$i]},"; else echo "${entries[$i]}"; fi
  done
  echo "]"
} > "$out/summary.json"

{
  printf '%-14s %7s %6s %7s %6s %8s %5s %7s %9s %7s\n' config LUTs INVs FFs BRAMs LUTRAMs \
    DSPs levels gen_cells gen_lvl
  printf '%s\n' "${table[@]}"
} > "$out/summary.txt"
cat "$out/summary.txt"
echo "synth: reports under $out/<config>/, figures in $out/summary.json"
