/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_dma_wr: the DMA write engine (rtl/vep_dma_wr.sv, docs/datapath.md). Takes write requests
 * from VEP_DMA_CLIENTS clients (round robin, one request at a time), cuts each into MWr TLPs that
 * never cross an MPS-aligned boundary (so never a 4 KiB one), packs the clients' byte-window
 * beats into a two-TLP buffer and offers each TLP, whole, as a beat stream to vep_tx_arbiter.
 * Widths follow p->DATA_W (W): client beats are windows of up to W/8 bytes of a W-bit word, TX
 * beats are W bits of the TLP as on the link, tx_keep has W/32 lane bits.
 *
 * Timing (outputs depend on q only): wrq_ready and wrd_ready are registered; the handshake is
 * the edge where valid and ready are both 1. wr_done[c] is a one-cycle strobe in the cycle after
 * the arbiter took the last beat of the request's last MWr (or after the request was dropped);
 * wr_err goes with it. After that last beat tx_valid is low for at least one cycle. Every
 * accepted request gets exactly one wr_done, in acceptance order. dev_reset: slots not yet
 * started are dropped, the request being filled is abandoned without consuming the rest of its
 * data, and no request is accepted until every pre-reset request has had its wr_done.
 */
#ifndef VEP_DMA_WR_H
#define VEP_DMA_WR_H

#include <stdint.h>

#include "vep_ports.h"
#include "vep_types.h"

/* Fill FSM states: same names and values as rtl/vep_dma_wr.sv. */
enum vep_dma_wr_fill_state {
  WrIdle = 0,   /* no request: wrq_ready offered */
  WrHdr = 1,    /* start a TLP once slot wslot_q is free */
  WrData = 2,   /* pack payload bytes */
  WrEnd = 3,    /* write the partial last beat, hand the slot over */
  WrAbort = 4   /* device reset: queue a drop marker for the request */
};

/* The TLP buffer: two slots of 2^aw RAM beats of DATA_W bits, aw = 7, 6, 5 at DATA_W 64, 128,
 * 256 (65, 33, 17 beats used at most: an MPS of 512 bytes after the header's share of the first
 * RAM beat and 3 bytes of address offset): 256 qwords at every width. Beat a is in qwords
 * [a * DATA_W/64, (a + 1) * DATA_W/64). */
#define VEP_DMA_WR_BUF_QWORDS 256u

/* The flops: same names as the _q signals of rtl/vep_dma_wr.sv. Per-slot metadata is an array
 * indexed by slot; tlpbuf_q is the TLP buffer RAM (beat {slot, index}). */
typedef struct vep_dma_wr_q {
  uint8_t fill_state_q;
  uint8_t client_q;
  uint8_t rr_q;
  uint8_t wrq_ready_q;           /* bit c: client c */
  uint8_t wrd_ready_q;
  uint8_t drain_q;
  uint64_t addr_q;
  uint16_t rem_q;
  uint16_t tlp_rem_q;
  vep_wide_t acc_q;
  uint8_t cnt_q;
  uint8_t wbeat_q;
  uint8_t wslot_q;
  vep_wide_t hold_q;
  uint8_t hold_lo_q;
  uint8_t hold_n_q;
  uint8_t hold_valid_q;
  uint8_t slot_full_q;           /* bit s: slot s */
  uint32_t s_hdr_q[2][4];
  uint8_t s_4dw_q[2];
  uint8_t s_nbeats_q[2];
  uint8_t s_ldw_q[2];            /* DWs mod W/32: the last beat has lanes 0..s_ldw_q-1 (0: all) */
  uint8_t s_last_q[2];
  uint8_t s_client_q[2];
  uint8_t s_drop_q[2];
  uint8_t rslot_q;
  uint8_t rbeat_q;
  uint8_t err_acc_q;
  vep_wide_t rd_data_q;
  uint8_t a_valid_q;
  uint8_t a_sop_q;
  uint8_t a_eop_q;
  uint8_t a_keep_q;
  uint8_t a_ram_q;
  vep_wide_t a_hdr_q;
  uint8_t a_done_q;
  uint8_t a_err_q;
  uint8_t a_client_q;
  uint8_t tx_valid_q;
  uint8_t tx_sop_q;
  uint8_t tx_eop_q;
  uint8_t tx_keep_q;
  vep_wide_t tx_data_q;
  uint8_t tx_done_q;
  uint8_t tx_err_q;
  uint8_t tx_client_q;
  uint8_t wr_done_q;
  uint8_t wr_err_q;
  uint8_t idle_q;
} vep_dma_wr_q_t;

typedef struct vep_dma_wr_in {
  uint8_t wrq_valid[VEP_DMA_CLIENTS];
  uint64_t wrq_addr[VEP_DMA_CLIENTS];
  uint16_t wrq_len[VEP_DMA_CLIENTS];       /* bytes, 1..4096 */
  uint8_t wrd_valid[VEP_DMA_CLIENTS];
  vep_wide_t wrd_data[VEP_DMA_CLIENTS];    /* bytes lo..lo+n-1 valid, n >= 1, lo + n <= W/8 */
  uint8_t wrd_lo[VEP_DMA_CLIENTS];
  uint8_t wrd_n[VEP_DMA_CLIENTS];
  uint8_t tx_ready;
  uint8_t bus_master;
  uint8_t mps;                             /* Device Control MPS encoding */
  uint16_t completer_id;
  uint8_t dev_reset;
} vep_dma_wr_in_t;

typedef struct vep_dma_wr_out {
  uint8_t wrq_ready[VEP_DMA_CLIENTS];      /* at most one set */
  uint8_t wrd_ready[VEP_DMA_CLIENTS];
  uint8_t wr_done[VEP_DMA_CLIENTS];        /* strobe; at most one set per cycle */
  uint8_t wr_err;
  uint8_t tx_valid;
  uint8_t tx_sop;
  uint8_t tx_eop;
  uint8_t tx_more;           /* with tx_eop: the next TLP's first beat follows at once */
  uint8_t tx_busy;           /* a TLP whose first beat was read (Bus Master sampled) is not all
                              * handed over */
  uint8_t tx_keep;           /* bit l: DW lane l */
  vep_wide_t tx_data;
  uint8_t idle;
} vep_dma_wr_out_t;

/* Sets q to the values of the asynchronous reset (rst_ni low); the buffer RAM is zeroed (the
 * RTL does not reset it; no beat is read before it is written). */
typedef struct vep_dma_wr_mem {
  uint64_t tlpbuf_q[VEP_DMA_WR_BUF_QWORDS];
} vep_dma_wr_mem_t;
void vep_dma_wr_reset(vep_dma_wr_q_t *q, vep_dma_wr_mem_t *mem, const vep_params_t *p);
/* The outputs of the current cycle, from q only (the RTL's assigns). */
void vep_dma_wr_outputs(const vep_dma_wr_q_t *q, const vep_params_t *p, vep_dma_wr_out_t *out);
/* The next state (the RTL's always_comb and the RAM write). *d must start as a copy of *q. */
void vep_dma_wr_next(const vep_dma_wr_q_t *q, const vep_params_t *p, const vep_dma_wr_in_t *in,
                     vep_dma_wr_q_t *d, vep_dma_wr_mem_t *mem);

#endif /* VEP_DMA_WR_H */
