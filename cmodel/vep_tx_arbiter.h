/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_tx_arbiter: chooses among the completer (cpl), MSI-X (msg) and INTx (intx) and serializes
 * the taken small TLP into beats on the TX stream (rtl/vep_tx_arbiter.sv). Posted sources (msg,
 * intx) go before the completion (PCIe: a completion must not pass a posted request); between
 * the two posted sources, round-robin.
 *
 * Timing (docs/microarchitecture.md): outputs depend on q only. The beat on m_tx_* is a register;
 * tlp_q holds the TLP whose remaining beats still have to be loaded into it. One source's ready
 * at most is raised (registered), only when that source is valid and tlp_q will be free. All
 * functions expect parameters accepted by vep_model_check_params() (DATA_W a multiple of 64, at
 * most VEP_DATA_W_MAX).
 */
#ifndef VEP_TX_ARBITER_H
#define VEP_TX_ARBITER_H

#include <stdint.h>

#include "vep_ports.h"
#include "vep_types.h"

/* The flops: same names as the _q signals of rtl/vep_tx_arbiter.sv. */
typedef struct vep_tx_arbiter_q {
  uint8_t cpl_ready_q;
  uint8_t msg_ready_q;
  uint8_t intx_ready_q;
  uint8_t rr_q;                          /* 1: msg was taken last, intx goes first */
  vep_small_tlp_t tlp_q;
  uint8_t tlp_valid_q;                   /* tlp_q has beats still to load */
  uint8_t beat_q;                        /* next beat of tlp_q to load */
  uint8_t m_tx_valid_q;
  uint8_t m_tx_sop_q;
  uint8_t m_tx_eop_q;
  uint8_t m_tx_keep_q;
  uint64_t m_tx_data_q[VEP_DATA_QWORDS];
} vep_tx_arbiter_q_t;

typedef struct vep_tx_arbiter_in {
  uint8_t cpl_valid;
  vep_small_tlp_t cpl_tlp;
  uint8_t msg_valid;                     /* posted: MSI-X MWr */
  vep_small_tlp_t msg_tlp;
  uint8_t intx_valid;                    /* posted: INTx Msg */
  vep_small_tlp_t intx_tlp;
  uint8_t m_tx_ready;
} vep_tx_arbiter_in_t;

typedef struct vep_tx_arbiter_out {
  uint8_t cpl_ready;
  uint8_t msg_ready;
  uint8_t intx_ready;
  uint8_t m_tx_valid;
  uint8_t m_tx_sop;
  uint8_t m_tx_eop;
  uint8_t m_tx_keep;
  uint64_t m_tx_data[VEP_DATA_QWORDS];
} vep_tx_arbiter_out_t;

/* Sets q to the values of the asynchronous reset (rst_ni low). */
void vep_tx_arbiter_reset(vep_tx_arbiter_q_t *q, const vep_params_t *p);
/* The outputs of the current cycle, from q only (the RTL's assigns). */
void vep_tx_arbiter_outputs(const vep_tx_arbiter_q_t *q, const vep_params_t *p,
                            vep_tx_arbiter_out_t *out);
/* The next state (the RTL's always_comb). *d must start as a copy of *q. */
void vep_tx_arbiter_next(const vep_tx_arbiter_q_t *q, const vep_params_t *p,
                         const vep_tx_arbiter_in_t *in, vep_tx_arbiter_q_t *d);

#endif /* VEP_TX_ARBITER_H */
