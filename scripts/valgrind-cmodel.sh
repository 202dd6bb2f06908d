#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The C model alone (--dut cmodel: no Verilated code runs) under valgrind memcheck, leaks
# included, as a regression stage: every test but those that take more than about 0.1 s on the C
# model natively (valgrind's ~60x slowdown would turn each into many seconds; the ASan/UBSan
# stage runs them all). The error paths stay in: blk_bad_ring, fault_dup, fault_data_err,
# fault_ring_err. Any memcheck error makes the exit status 3 and the stage fail.
# Usage: scripts/valgrind-cmodel.sh [BUILD_DIR] [vepsim options...]
set -uo pipefail
build=${1:-build}
shift || true
skip=" blk_index_wrap blk_reset_vs_error blk_sizes common_access_widths blk_qd32_seq_read \
blk_queues blk_stress bar0_unimplemented fault_delay blk_reset_inflight cfg_unimplemented \
fault_benign_mix blk_dma_err fault_reset_dma blk_sg blkdrv_modes fault_mix fault_storm \
fault_reorder "
tests=()
for t in $("$build/vepsim" --list | awk '{print $1}'); do
  [[ $skip == *" $t "* ]] || tests+=(--test "$t")
done
echo "valgrind: $(( ${#tests[@]} / 2 )) tests on the C model (skipped:$skip)"
exec valgrind -q --error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite,indirect \
  "$build/vepsim" --dut cmodel "${tests[@]}" "$@"
