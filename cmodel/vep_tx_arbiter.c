/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of rtl/vep_tx_arbiter.sv; see vep_tx_arbiter.h. */
#include "vep_tx_arbiter.h"

#include <string.h>

#define MAX_DW 6u   /* 4 header DWs + 2 payload DWs */

void vep_tx_arbiter_reset(vep_tx_arbiter_q_t *q, const vep_params_t *p)
{
  memset(q, 0, sizeof(*q));
  q->rr_q = 2;      /* as if wr went last: msg first */
  vep_skid_reset(&q->skid, p);
}

void vep_tx_arbiter_outputs(const vep_tx_arbiter_q_t *q, const vep_params_t *p,
                            vep_tx_arbiter_out_t *out)
{
  vep_skid_out_t sk;

  unsigned lanes = p->DATA_W / 32, words = p->DATA_W / 64;
  uint64_t side;

  vep_skid_outputs(&q->skid, p, &sk);
  side = sk.m_data[words];
  out->cpl_ready = q->cpl_ready_q;
  out->msg_ready = q->msg_ready_q;
  out->intx_ready = q->intx_ready_q;
  out->mrd_ready = q->mrd_ready_q;
  /* Registers only: the selection and the skid's registered not-full. */
  out->wr_ready = q->wr_sel_q && sk.s_ready;
  out->m_tx_valid = sk.m_valid;
  out->m_tx_sop = (uint8_t)(side >> (lanes + 1) & 1u);
  out->m_tx_eop = (uint8_t)(side >> lanes & 1u);
  out->m_tx_keep = (uint8_t)(side & ((1u << lanes) - 1u));
  memset(out->m_tx_data, 0, sizeof(out->m_tx_data));
  memcpy(out->m_tx_data, sk.m_data, words * sizeof(uint64_t));
}

void vep_tx_arbiter_next(const vep_tx_arbiter_q_t *q, const vep_params_t *p,
                         const vep_tx_arbiter_in_t *in, vep_tx_arbiter_q_t *d)
{
  unsigned lanes = p->DATA_W / 32, words = p->DATA_W / 64;
  /* At most one ready is up, so at most one take. */
  int take_cpl = q->cpl_ready_q && in->cpl_valid;
  int take_msg = q->msg_ready_q && in->msg_valid;
  int take_intx = q->intx_ready_q && in->intx_valid;
  int take_mrd = q->mrd_ready_q && in->mrd_valid;
  int take_any = take_cpl || take_msg || take_intx || take_mrd;
  vep_skid_out_t sk;
  vep_skid_in_t sk_in;
  const vep_small_tlp_t *src = &q->tlp_q;
  unsigned src_beat = q->beat_q;
  int src_valid = 1;
  uint32_t src_dw[MAX_DW] = {0};
  unsigned hdr_dw, data_dw, src_ndw;
  unsigned beat_keep = 0;
  uint64_t beat_data[VEP_DATA_QWORDS] = {0};
  int beat_eop;
  unsigned posted;
  int wr_end;
  unsigned skid_cnt_d;

  vep_skid_outputs(&q->skid, p, &sk);
  memset(&sk_in, 0, sizeof(sk_in));
  sk_in.m_ready = in->m_tx_ready;

  d->cpl_ready_q = 0;
  d->msg_ready_q = 0;
  d->intx_ready_q = 0;
  d->mrd_ready_q = 0;
  if (take_msg) {
    d->rr_q = 0;
  } else if (take_intx) {
    d->rr_q = 1;
  }

  /* The small TLP to push beats of: the one in progress, else the one taken now. */
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
  } else if (take_mrd) {
    src = &in->mrd_tlp;
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
    if (sk.s_ready) {
      sk_in.s_valid = 1;
      memcpy(sk_in.s_data, beat_data, words * sizeof(uint64_t));
      sk_in.s_data[words] = beat_keep | (uint64_t)beat_eop << lanes |
                            (uint64_t)(src_beat == 0) << (lanes + 1);
      if (beat_eop) {
        d->tlp_valid_q = 0;
      } else {
        d->beat_q = (uint8_t)((src_beat + 1) & 3u);
      }
    }
  }

  /* A selected wr TLP: its beats pass into the skid as the wr source offers them. */
  wr_end = q->wr_sel_q && in->wr_valid && sk.s_ready && in->wr_eop;
  if (q->wr_sel_q && in->wr_valid && sk.s_ready) {
    sk_in.s_valid = 1;
    memcpy(sk_in.s_data, in->wr_data.q, words * sizeof(uint64_t));
    sk_in.s_data[words] = (in->wr_keep & ((1u << lanes) - 1u)) |
                          (uint64_t)(in->wr_eop != 0) << lanes |
                          (uint64_t)(in->wr_sop != 0) << (lanes + 1);
    if (in->wr_eop) {
      d->wr_sel_q = 0;
    }
  }

  /* A request (not a completion, Type 0101x) enters the skid with the bus/device number
   * captured now, in DW1[31:16], whenever its source formed it (rtl/vep_tx_arbiter.sv says
   * why). */
  if (sk_in.s_valid && (sk_in.s_data[words] >> (lanes + 1) & 1u) &&
      (sk_in.s_data[0] >> 25 & 0xFu) != 0x5u) {
    sk_in.s_data[0] = (sk_in.s_data[0] & ~(0xFFFFull << 48)) | (uint64_t)in->completer_id << 48;
  }

  /* The skid's count after this edge (vep_skid: push only when not full). */
  skid_cnt_d = (!sk.m_valid ? 0u : !sk.s_ready ? 2u : 1u) + (sk_in.s_valid ? 1u : 0u) -
               ((sk.m_valid && in->m_tx_ready) ? 1u : 0u);

  /* Choose the next TLP when the arbiter is free on the next cycle, no wr TLP streams, and the
   * skid will hold at most the last beat of the previous TLP (so, with m_tx_ready low, no TLP
   * is taken from a source while an earlier one waits whole in the skid: the source can still
   * withdraw it): a posted source first (round robin from rr_q), then the completion, then the
   * MRd. */
  /* On the edge that takes a wr TLP's eop beat, wr counts as valid if its next TLP follows at
   * once (wr_more); picking it keeps wr_sel_q, so the two TLPs leave no idle beat between them. */
  posted = (in->msg_valid ? 1u : 0u) | (in->intx_valid ? 2u : 0u) |
           ((q->wr_sel_q ? in->wr_more : in->wr_valid) ? 4u : 0u);
  if (!take_any && !d->tlp_valid_q && (!q->wr_sel_q || wr_end) && skid_cnt_d <= 1) {
    int pick = -1;
    for (unsigned i = 1; i <= 3; i++) {
      unsigned cand = (q->rr_q + i) % 3;
      if (posted >> cand & 1u) {
        pick = (int)cand;
        break;
      }
    }
    if (pick == 0) {
      d->msg_ready_q = 1;
    } else if (pick == 1) {
      d->intx_ready_q = 1;
    } else if (pick == 2) {
      d->wr_sel_q = 1;
      d->rr_q = 2;
    } else if (in->cpl_valid) {
      d->cpl_ready_q = 1;
    } else {
      /* Up with or without an MRd offered (parked): an MRd offered in the next cycle is taken
       * at once. It was offered after this choice, as a posted TLP or completion appearing
       * then, so the ordering rule above still holds. */
      d->mrd_ready_q = 1;
    }
  }

  vep_skid_next(&q->skid, p, &sk_in, &d->skid);
}
