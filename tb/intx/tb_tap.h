/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tap: a pass-through DUT adapter that tests put around the usual DUT (lockstep, rtl or
 * cmodel) to watch and hold the endpoint's TX port, for what the root complex does not show.
 *
 * - It counts every TLP the endpoint sends and logs the messages among them (INTx), each with
 *   its place among all TLPs sent, as their last beat leaves the TX port.
 * - It can hold the TX port: while held, the endpoint sees m_tx_ready 0 and the bus sees no beat
 *   (m_tx_valid 0), so whatever the endpoint has taken into its TX path stays there, exactly,
 *   for as long as the test wants (the random backpressure of cosim_cfg cannot promise that).
 *
 * The simulation must be rebuilt around it (tb_tap_install), which a test does before anything
 * else; the tap lives as long as t->sim, which the runner destroys at the end of the test.
 */
#ifndef TB_TAP_H
#define TB_TAP_H

#include <stdint.h>

#include "cosim_dut.h"
#include "tb.h"

#define TB_TAP_LOG_MAX 256
#define TB_TAP_DW_MAX 8

/* One message the endpoint sent: its first DWs, its DW count, seq = the number of TLPs the
 * endpoint sent before it, the cycle its eop beat left. */
typedef struct tb_tap_msg {
  uint32_t dw[TB_TAP_DW_MAX];
  unsigned ndw;
  uint64_t seq;
  uint64_t cycle;
} tb_tap_msg_t;

typedef struct tb_tap {
  cosim_dut_t base;       /* first: the tap is a cosim_dut_t */
  cosim_dut_t *inner;     /* the DUT the simulation would have had */
  unsigned lanes;
  int hold;               /* TX held (tb_tap_hold) */
  vep_out_t out;          /* the endpoint's outputs of the current cycle */
  uint64_t cycle;
  uint32_t cur[TB_TAP_DW_MAX];
  unsigned ncur;
  uint64_t ntlp;          /* TLPs sent */
  unsigned nmsg;          /* messages sent (the log keeps the first TB_TAP_LOG_MAX) */
  tb_tap_msg_t log[TB_TAP_LOG_MAX];
} tb_tap_t;

/* Rebuilds t->sim from t->cfg around a tap (as tb_reconfigure does: errors recorded so far
 * become failures of the test) and returns the tap. Stops the test on failure. */
tb_tap_t *tb_tap_install(tb_t *t);
/* Holds (1) or releases (0) the endpoint's TX port from the next cycle on. */
void tb_tap_hold(tb_tap_t *tp, int hold);
/* tb_run, also stopping the test if the lockstep inside the tap diverged. */
void tb_tap_run(tb_t *t, tb_tap_t *tp, uint64_t n);
/* Runs until every TLP sent to the endpoint has been taken (posted writes included; bounded:
 * fails the test after TB_TAP_SETTLE_MAX cycles), then n cycles more for their effects. Fixed
 * waits alone are not enough under random RX gaps (--backpressure). */
#define TB_TAP_SETTLE_MAX 200000u
void tb_tap_settle(tb_t *t, tb_tap_t *tp, uint64_t n);
/* The last message logged if it came after the first `from` messages, else NULL. Stops the test
 * once the log is full. */
const tb_tap_msg_t *tb_tap_last_msg(tb_t *t, const tb_tap_t *tp, unsigned from);
/* How many TLPs of ndw DWs each the endpoint takes into its TX path while the port is held: the
 * TX arbiter commits to a TLP once its first beat has room in the two-entry skid buffer
 * (docs/datapath.md), so ceil(2 / beats) with beats = ceil(ndw / lanes). One 4-DW message at
 * DATA_W 64 (two beats), two from DATA_W 128 on (one beat each). */
unsigned tb_tap_held_tlps(const tb_tap_t *tp, unsigned ndw);

#endif /* TB_TAP_H */
