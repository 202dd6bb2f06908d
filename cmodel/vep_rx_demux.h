/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_rx_demux: assembles one TLP at a time from the RX stream, checks its framing and hands
 * requests to vep_completer (rtl/vep_rx_demux.sv). Completions, messages, TLP prefixes and
 * malformed TLPs are dropped. Malformed: bad framing, and well-framed requests that break a
 * PCIe rule: a memory request crossing a 4 KiB boundary; byte enables (memory, I/O,
 * configuration requests) with Length 1 and Last BE != 0, or Length > 1 and First or Last BE 0;
 * a configuration or I/O request with Length != 1; and every TLP with Fmt 1xx (a TLP prefix,
 * none of which the endpoint supports, or a reserved Fmt). The rules are in the RTL's header
 * comment and in docs/interface.md. Each malformed TLP raises the registered one-cycle strobe
 * ev_malformed, which sets Device Status Fatal Error Detected in vep_cfg_space.
 *
 * Timing (docs/microarchitecture.md): outputs depend on q only. s_rx_ready is low while a parsed
 * request waits for the completer. All functions expect parameters accepted by
 * vep_model_check_params() (DATA_W a multiple of 64, at most VEP_DATA_W_MAX).
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
} vep_rx_demux_q_t;

typedef struct vep_rx_demux_in {
  uint8_t s_rx_valid;
  uint8_t s_rx_sop;
  uint8_t s_rx_eop;
  uint8_t s_rx_keep;                         /* bit i: DW lane i valid */
  uint64_t s_rx_data[VEP_DATA_QWORDS];       /* lane i in bits [32(i%2)+31:32(i%2)] of [i/2] */
  uint8_t req_ready;                         /* from vep_completer (registered there) */
} vep_rx_demux_in_t;

typedef struct vep_rx_demux_out {
  uint8_t s_rx_ready;
  uint8_t req_valid;
  vep_req_t req;
  uint8_t ev_malformed;                      /* strobe to vep_cfg_space: sets DevSta.FED */
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
