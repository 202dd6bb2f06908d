/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_rx_demux: assembles one TLP at a time from the RX stream, checks its framing and hands
 * requests to vep_completer (rtl/vep_rx_demux.sv), and streams completions (Cpl, CplD with a
 * 3DW header) to vep_dma_rd on the rc_* stream. Messages, CplLk/CplDLk, 4DW completions, TLP
 * prefixes and malformed TLPs are dropped. Malformed: bad framing, and well-framed requests that break a
 * PCIe rule: a memory request crossing a 4 KiB boundary; byte enables (memory, I/O,
 * configuration requests) with Length 1 and Last BE != 0, or Length > 1 and First or Last BE 0;
 * a configuration or I/O request with Length != 1; and every TLP with Fmt 1xx (a TLP prefix,
 * none of which the endpoint supports, or a reserved Fmt). The rules are in the RTL's header
 * comment and in docs/interface.md. Each malformed TLP raises the registered one-cycle strobe
 * ev_malformed, which sets Device Status Fatal Error Detected in vep_cfg_space.
 *
 * Completion stream (no backpressure; L = DATA_W/32 lanes): streamed when the first RX beat is
 * good, the header 3DW, and a CplD's Length within the MPS (mps capped at VEP_MPS_SUPPORTED_ENC,
 * 512 bytes; longer: malformed, nothing streamed). An rc beat carries payload DWs packed from
 * lane 0 (rc_ndw of them, higher lanes 0), never more than Length in all (fewer, or rc_ndw 0,
 * for an ECRC or excess DW). DATA_W = 64: the first beat is good with sop, both lanes, no eop;
 * RX beat j >= 1 becomes rc beat j-1 one cycle later, the first (rc_sop) with the header and
 * payload DW 0, the later ones up to two DWs. DATA_W >= 128: good with sop, lanes 0..2 and,
 * without eop, all lanes; RX beat j becomes rc beat j one cycle later, the first with the header
 * and the payload of lanes 3..L-1, the later ones up to L DWs; a one-beat completion is one rc
 * beat with rc_sop and rc_eop. The rc_eop beat has rc_bad set when the framing check at eop
 * failed (ev_malformed too).
 *
 * Doorbell fast path: a well-formed MWr of Length 1, not poisoned, hitting the notify region of
 * BAR0 with Memory Space enabled is consumed here instead of going to the completer; its edge
 * sets ring bit q (First BE covering byte 0 or 1, q < NUM_QUEUES), a one-cycle strobe to
 * vep_notify, ORed with its doorbells for vep_vq_fetch (rationale in the RTL's header). From
 * DATA_W = 128 on, a one-beat doorbell taken on the edge after a request was handed to the
 * completer (handoff_q) goes to the completer instead: the earlier request's register writes
 * may not have landed yet.
 *
 * Timing (docs/microarchitecture.md): outputs depend on q only. s_rx_ready is low while a parsed
 * request waits for the completer. All functions expect parameters accepted by
 * vep_model_check_params() (DATA_W 64, 128 or 256).
 */
#ifndef VEP_RX_DEMUX_H
#define VEP_RX_DEMUX_H

#include <stdint.h>

#include "vep_consts.h"
#include "vep_ports.h"
#include "vep_types.h"

/* FSM states: vep_pkg::rx_state_e, same names and values. */
typedef enum vep_rx_state {
  RxSop = 0,   /* waiting for the first beat of a TLP */
  RxBody = 1,  /* inside a TLP */
  RxReq = 2    /* holding a parsed request for the completer */
} vep_rx_state_e;

/* Stored DWs: the longest header and the payload a register access can use. */
#define VEP_RX_BUF_DW (4u + VEP_REG_ACCESS_MAX_DW)
/* The DW counter saturates here (11 bits), far above the longest legal TLP (4 + 1024 + 1). */
#define VEP_RX_CNT_MAX 0x7FFu

/* The flops: same names as the _q signals of rtl/vep_rx_demux.sv. */
typedef struct vep_rx_demux_q {
  vep_rx_state_e state_q;
  uint8_t bad_q;                   /* the TLP in progress is malformed */
  uint16_t dw_cnt_q;               /* DWs of the TLP in progress so far, saturating */
  uint32_t dw_q[VEP_RX_BUF_DW];    /* DW j of the TLP (header, then payload) */
  uint8_t ev_malformed_q;          /* strobe: a malformed TLP ended in the previous cycle */
  /* The completion stream */
  uint8_t cs_q;                    /* the TLP in progress is a streamed completion */
  uint8_t cfirst_q;                /* its next beat is the first rc beat */
  uint16_t cpay_q;                 /* payload DWs still to stream */
  uint8_t rc_valid_q;
  uint8_t rc_sop_q;
  uint8_t rc_eop_q;
  uint8_t rc_bad_q;
  vep_cpl_hdr_t rc_hdr_q;
  vep_wide_t rc_data_q;
  uint8_t rc_ndw_q;
  uint64_t ring_q;                 /* strobe: bit q, the fast path rang queue q */
  uint8_t handoff_q;               /* a request was handed to the completer on the last edge */
} vep_rx_demux_q_t;

typedef struct vep_rx_demux_in {
  uint8_t s_rx_valid;
  uint8_t s_rx_sop;
  uint8_t s_rx_eop;
  uint8_t s_rx_keep;                         /* bit i: DW lane i valid */
  uint64_t s_rx_data[VEP_DATA_QWORDS];       /* lane i in bits [32(i%2)+31:32(i%2)] of [i/2] */
  uint8_t req_ready;                         /* from vep_completer (registered there) */
  uint8_t mps;                               /* Device Control MPS, from vep_cfg_space */
  uint8_t cmd_mem_en;                        /* from vep_cfg_space: the fast path's BAR0 hit */
  uint64_t bar0_base;                        /* RTL bar0_base_i[63:15] as a byte address */
} vep_rx_demux_in_t;

typedef struct vep_rx_demux_out {
  uint8_t s_rx_ready;
  uint8_t req_valid;
  vep_req_t req;
  uint8_t ev_malformed;                      /* strobe to vep_cfg_space: sets DevSta.FED */
  /* Completion stream to vep_dma_rd */
  uint8_t rc_valid;
  uint8_t rc_sop;                            /* first beat: rc_hdr is new */
  uint8_t rc_eop;
  uint8_t rc_bad;                            /* with rc_eop: the completion was malformed */
  vep_cpl_hdr_t rc_hdr;                      /* held from the sop beat on */
  vep_wide_t rc_data;                        /* payload DW k of the beat in lane k */
  uint8_t rc_ndw;                            /* 0..DATA_W/32 */
  uint64_t ring;                             /* RTL ring_o[NUM_QUEUES-1:0], to vep_notify */
} vep_rx_demux_out_t;

/* Sets q to the values of the asynchronous reset (rst_ni low). */
void vep_rx_demux_reset(vep_rx_demux_q_t *q, const vep_params_t *p);
/* The outputs of the current cycle, from q only (the RTL's assigns). */
void vep_rx_demux_outputs(const vep_rx_demux_q_t *q, const vep_params_t *p,
                          vep_rx_demux_out_t *out);
/* The next state (the RTL's always_comb). *d must start as a copy of *q. */
void vep_rx_demux_next(const vep_rx_demux_q_t *q, const vep_params_t *p,
                       const vep_rx_demux_in_t *in, vep_rx_demux_q_t *d);

#endif /* VEP_RX_DEMUX_H */
