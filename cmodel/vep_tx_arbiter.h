/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_tx_arbiter: chooses among five TLP sources and sends the chosen TLP, whole, on the TX
 * stream (rtl/vep_tx_arbiter.sv): the small-TLP sources cpl (completer), msg (MSI-X), intx
 * (INTx) and mrd (DMA read engine), each one vep_small_tlp_t on valid/ready, and wr (DMA write
 * engine), a beat stream of whole MWr TLPs. Between TLPs: a posted source (msg, intx, wr; round
 * robin) first, then cpl, then mrd (PCIe: neither a completion nor a read may pass a posted
 * request).
 *
 * Timing (docs/microarchitecture.md): outputs depend on q only. The readies of the small sources
 * are registered, at most one is up, only for a source that was valid at the choice, except
 * mrd's, which a choice with no source valid raises anyway (parked); a source may withdraw. A
 * chosen wr TLP streams at one beat per cycle (wr_ready = selected and the skid not full); the
 * edge of its eop beat makes the next choice, with wr valid if wr_more says its next TLP follows
 * at once (then no idle beat between them). The beats leave through a two-entry skid buffer
 * (vep_skid) whose head register is m_tx_*. A small TLP leaves as its DWs from lane 0, header
 * then data, in ceil(DWs/(DATA_W/32)) beats; the wr beats (DATA_W wide, laid out the same way by
 * vep_dma_wr) pass through. DATA_W is 64, 128 or 256.
 */
#ifndef VEP_TX_ARBITER_H
#define VEP_TX_ARBITER_H

#include <stdint.h>

#include "vep_ports.h"
#include "vep_skid.h"
#include "vep_types.h"

/* The flops: same names as the _q signals of rtl/vep_tx_arbiter.sv; skid is u_skid. The skid
 * payload is the beat as the RTL's {sop, eop, keep, data}: data in words 0..DATA_W/64-1, then
 * in word DATA_W/64 keep in bits [L-1:0] (L = DATA_W/32), eop in bit L, sop in bit L+1. */
typedef struct vep_tx_arbiter_q {
  uint8_t cpl_ready_q;
  uint8_t msg_ready_q;
  uint8_t intx_ready_q;
  uint8_t mrd_ready_q;
  uint8_t rr_q;                          /* posted source chosen last: 0 msg, 1 intx, 2 wr */
  vep_small_tlp_t tlp_q;
  uint8_t tlp_valid_q;                   /* tlp_q has beats still to push */
  uint8_t beat_q;                        /* next beat of tlp_q to push */
  uint8_t wr_sel_q;                      /* a wr TLP is chosen: its beats pass through */
  vep_skid_q_t skid;
} vep_tx_arbiter_q_t;

typedef struct vep_tx_arbiter_in {
  uint8_t cpl_valid;
  vep_small_tlp_t cpl_tlp;
  uint8_t msg_valid;                     /* posted: MSI-X MWr */
  vep_small_tlp_t msg_tlp;
  uint8_t intx_valid;                    /* posted: INTx Msg */
  vep_small_tlp_t intx_tlp;
  uint8_t mrd_valid;                     /* non-posted: DMA MRd */
  vep_small_tlp_t mrd_tlp;
  uint8_t wr_valid;                      /* posted: DMA MWr beats */
  uint8_t wr_sop;
  uint8_t wr_eop;
  uint8_t wr_more;                       /* with wr_eop: the next wr TLP follows at once */
  uint8_t wr_keep;                       /* bit l: DW lane l */
  vep_wide_t wr_data;
  uint16_t completer_id;                 /* vep_completer: {bus, device, 3'b000} */
  uint8_t m_tx_ready;
} vep_tx_arbiter_in_t;

typedef struct vep_tx_arbiter_out {
  uint8_t cpl_ready;
  uint8_t msg_ready;
  uint8_t intx_ready;
  uint8_t mrd_ready;
  uint8_t wr_ready;
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
