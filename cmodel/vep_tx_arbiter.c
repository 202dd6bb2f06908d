/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of rtl/vep_tx_arbiter.sv; see vep_tx_arbiter.h. */
#include "vep_tx_arbiter.h"

#include <string.h>

#define MAX_DW 6u   /* 4 header DWs + 2 payload DWs */

void vep_tx_arbiter_reset(vep_tx_arbiter_q_t *q, const vep_params_t *p)
{
  (void)p;
  memset(q, 0, sizeof(*q));
}

void vep_tx_arbiter_outputs(const vep_tx_arbiter_q_t *q, const vep_params_t *p,
                            vep_tx_arbiter_out_t *out)
{
  (void)p;
  out->cpl_ready = q->cpl_ready_q;
  out->msg_ready = q->msg_ready_q;
  out->intx_ready = q->intx_ready_q;
  out->m_tx_valid = q->m_tx_valid_q;
  out->m_tx_sop = q->m_tx_sop_q;
  out->m_tx_eop = q->m_tx_eop_q;
  out->m_tx_keep = q->m_tx_keep_q;
  memcpy(out->m_tx_data, q->m_tx_data_q, sizeof(out->m_tx_data));
}

void vep_tx_arbiter_next(const vep_tx_arbiter_q_t *q, const vep_params_t *p,
                         const vep_tx_arbiter_in_t *in, vep_tx_arbiter_q_t *d)
{
  unsigned lanes = p->DATA_W / 32;
  /* At most one ready is up, so at most one take. */
  int take_cpl = q->cpl_ready_q && in->cpl_valid;
  int take_msg = q->msg_ready_q && in->msg_valid && !take_cpl;
  int take_intx = q->intx_ready_q && in->intx_valid && !take_cpl && !take_msg;
  int out_free = !q->m_tx_valid_q || in->m_tx_ready;
  const vep_small_tlp_t *src = &q->tlp_q;
  unsigned src_beat = q->beat_q;
  int src_valid = 1;
  uint32_t src_dw[MAX_DW] = {0};
  unsigned hdr_dw, data_dw, src_ndw;
  unsigned beat_keep = 0;
  uint64_t beat_data[VEP_DATA_QWORDS] = {0};
  int beat_eop;

  d->cpl_ready_q = 0;
  d->msg_ready_q = 0;
  d->intx_ready_q = 0;
  if (take_msg) {
    d->rr_q = 1;
  } else if (take_intx) {
    d->rr_q = 0;
  }

  /* The TLP to load the output register from: the one in progress, else the one taken now. */
  if (q->tlp_valid_q) {
    src = &q->tlp_q;
  } else if (take_cpl) {
    src = &in->cpl_tlp;
    src_beat = 0;
  } else if (take_msg) {
    src = &in->msg_tlp;
    src_beat = 0;
  } else if (take_intx) {
    src = &in->intx_tlp;
    src_beat = 0;
  } else {
    src_valid = 0;
  }

  /* The TLP as a DW sequence: header, payload, zeros. */
  hdr_dw = src->hdr_4dw ? 4 : 3;
  data_dw = (src->data_dw & 3u) == 3 ? 2 : (src->data_dw & 3u);
  for (unsigned i = 0; i < hdr_dw; i++) {
    src_dw[i] = src->hdr[i];
  }
  for (unsigned i = 0; i < data_dw; i++) {
    src_dw[hdr_dw + i] = src->data[i];
  }
  src_ndw = hdr_dw + data_dw;

  for (unsigned l = 0; l < lanes; l++) {
    unsigned i = src_beat * lanes + l;
    if (i < src_ndw) {
      beat_keep |= 1u << l;
      beat_data[l / 2] |= (uint64_t)src_dw[i] << (32 * (l % 2));
    }
  }
  beat_eop = (src_beat + 1) * lanes >= src_ndw;

  if (src_valid) {
    d->tlp_q = *src;
    d->beat_q = (uint8_t)src_beat;
    d->tlp_valid_q = 1;
    if (out_free) {
      d->m_tx_valid_q = 1;
      d->m_tx_sop_q = src_beat == 0;
      d->m_tx_eop_q = (uint8_t)beat_eop;
      d->m_tx_keep_q = (uint8_t)beat_keep;
      memcpy(d->m_tx_data_q, beat_data, sizeof(d->m_tx_data_q));
      if (beat_eop) {
        d->tlp_valid_q = 0;
      } else {
        d->beat_q = (uint8_t)((src_beat + 1) & 3u);
      }
    }
  } else if (out_free) {
    d->m_tx_valid_q = 0;
    d->m_tx_sop_q = 0;
    d->m_tx_eop_q = 0;
    d->m_tx_keep_q = 0;
    memset(d->m_tx_data_q, 0, sizeof(d->m_tx_data_q));
  }

  /* Offer to take the next TLP once tlp_q will be free: a posted source first (round-robin
   * between the two), the completion only when neither is valid (PCIe ordering: a completion
   * must not pass a posted request). */
  if (!take_cpl && !take_msg && !take_intx && !d->tlp_valid_q) {
    if (in->msg_valid && in->intx_valid) {
      d->msg_ready_q = !q->rr_q;
      d->intx_ready_q = q->rr_q;
    } else if (in->msg_valid || in->intx_valid) {
      d->msg_ready_q = in->msg_valid != 0;
      d->intx_ready_q = in->intx_valid != 0;
    } else {
      d->cpl_ready_q = in->cpl_valid != 0;
    }
  }
}
