/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bench's probe: a pass-through DUT adapter around the usual DUT (rtl, cmodel or lockstep)
 * that timestamps TLPs at the endpoint's own ports, where the bus model's log cannot (it stamps
 * host TLPs when they enter the link and device TLPs when they reach the root complex):
 *
 * - RX (root complex to endpoint): the cycle the endpoint TAKES the TLP's last beat
 *   (s_rx_valid, s_rx_ready and s_rx_eop on one edge);
 * - TX (endpoint to root complex): the cycle the TLP's FIRST beat leaves the endpoint
 *   (m_tx_valid, m_tx_ready and m_tx_sop on one edge).
 *
 * Cycle numbers are those of cosim_cycles(): the cycle whose edge moved the beat. Recording is
 * off until bench_probe_record(p, 1), so the bring-up costs nothing; it observes and never
 * changes a signal.
 */
#ifndef BENCH_PROBE_H
#define BENCH_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "cosim_dut.h"
#include "cosim_tlp.h"

typedef struct bench_tlp_event {
  uint64_t cycle;       /* see above: RX last beat taken, TX first beat sent */
  int to_device;        /* 1: RX, 0: TX */
  uint8_t fmt_type;     /* VEP_TLP_* */
  uint16_t len_dw;
  uint16_t tag;
  uint64_t addr;        /* memory requests */
  uint16_t byte_count;  /* completions */
  uint8_t lower_addr;   /* completions */
} bench_tlp_event_t;

typedef struct bench_probe bench_probe_t;

/* A cosim_dut_factory_t: the default DUT for cfg, wrapped. ctx is a bench_probe_t ** that
 * receives the probe (owned by the simulation: it goes with cosim_destroy). */
int bench_probe_factory(void *ctx, const cosim_cfg_t *cfg, cosim_errlog_t *log,
                        cosim_dut_t **out);

/* Starts (1) or stops (0) recording; starting forgets what was recorded before. */
void bench_probe_record(bench_probe_t *p, int on);
/* The events recorded, in the order their last beats moved (so a long TX TLP, stamped with its
 * first beat, may come after an RX TLP of a later cycle); *n gets the count.
 * Valid until the next bench_probe_record or event. */
const bench_tlp_event_t *bench_probe_events(const bench_probe_t *p, size_t *n);
/* Nonzero when an event could not be stored (out of memory): the figures must not be used. */
int bench_probe_lost(const bench_probe_t *p);

#endif /* BENCH_PROBE_H */
