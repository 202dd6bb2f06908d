/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of rtl/vep_dma_rd.sv; see vep_dma_rd.h. Arithmetic is masked to the RTL's widths. */
#include "vep_dma_rd.h"

#include <stddef.h>
#include <string.h>

/* log2 of the tag circle's address space, as the RTL's TagW. */
static unsigned tag_w(const vep_params_t *p)
{
  unsigned w = vep_clog2(p->DMA_TAGS);

  return w ? w : 1u;
}

void vep_dma_rd_reset(vep_dma_rd_q_t *q, vep_dma_rd_mem_t *mem, const vep_params_t *p)
{
  (void)p;
  memset(q, 0, sizeof(*q));
  memset(mem, 0, sizeof(*mem));
  q->rr_q = 2;  /* so client 0 comes first */
}

size_t vep_dma_rd_regs_bytes(const vep_params_t *p)
{
  return offsetof(vep_dma_rd_q_t, tag) + p->DMA_TAGS * sizeof(((vep_dma_rd_q_t *)0)->tag[0]);
}

void vep_dma_rd_copy(vep_dma_rd_q_t *d, const vep_dma_rd_q_t *q, const vep_params_t *p)
{
  memcpy(d, q, vep_dma_rd_regs_bytes(p));
}

void vep_dma_rd_outputs(const vep_dma_rd_q_t *q, const vep_params_t *p, vep_dma_rd_out_t *out)
{
  /* Byte lanes lo .. ((lo + n) mod 2B) - 1 within 0..B-1, as the RTL's per-lane compare. */
  const unsigned nb = p->DATA_W / 8u, nl = p->DATA_W / 32u;
  const unsigned lo = q->rd_lo_q, end = (q->rd_lo_q + q->rd_n_q) & (2u * nb - 1u);
  const unsigned hi = end < nb ? end : nb;

  memset(out, 0, sizeof(*out));
  for (unsigned c = 0; c < VEP_DMA_CLIENTS; c++) {
    out->rdq_ready[c] = (uint8_t)((q->rdq_ready_q >> c) & 1u);
  }
  out->rdr_valid = q->rd_v_q;
  out->rdr_client = q->rd_cli_q;
  if (q->rd_v_q && !q->rd_err_q) {
    /* The word: the whole row (client 2, or DATA_W 64), else its 8-byte word rd_sel_q in q[0]. */
    vep_wide_t w;

    memset(&w, 0, sizeof(w));
    if (nl == 2u || q->rd_cli_q == 2u) {
      for (unsigned j = 0; j < nl; j++) {
        w.q[j / 2u] |= (uint64_t)q->rdata_q[j] << (32u * (j & 1u));
      }
    } else {
      w.q[0] = ((uint64_t)q->rdata_q[2u * q->rd_sel_q + 1u] << 32) | q->rdata_q[2u * q->rd_sel_q];
    }
    for (unsigned i = 0; i < nb / 8u; i++) {
      unsigned a = 8u * i, b = a + 8u;  /* the bytes of q[i] */
      unsigned l = lo > a ? lo : a, h = hi < b ? hi : b;
      uint64_t mask = 0;

      if (l < h) {
        mask = (h - a == 8u ? ~(uint64_t)0 : (((uint64_t)1 << (8u * (h - a))) - 1u)) &
               ~(((uint64_t)1 << (8u * (l - a))) - 1u);
      }
      out->rdr_data.q[i] = w.q[i] & mask;
    }
  }
  out->rdr_lo = q->rd_lo_q;
  out->rdr_n = q->rd_n_q;
  out->rdr_last = q->rd_last_q;
  out->rdr_err = q->rd_err_q;
  out->mrd_valid = q->mrd_valid_q;
  out->mrd_tlp = q->mrd_tlp_q;
  out->ev_unexp_cpl = q->unexp_q;
  out->idle = (uint8_t)(q->cnt_q == 0 && !q->cut_q && !q->mrd_valid_q && !q->rd_v_q);
}

void vep_dma_rd_next(const vep_dma_rd_q_t *q, const vep_params_t *p, const vep_dma_rd_in_t *in,
                     vep_dma_rd_q_t *d, vep_dma_rd_mem_t *mem)
{
  const unsigned tagw = tag_w(p);
  const unsigned tmask = (1u << tagw) - 1u;
  const unsigned ntags = q->ext_q ? p->DMA_TAGS : (p->DMA_TAGS < 32 ? p->DMA_TAGS : 32u);
  const unsigned head = q->head_q, tail = q->tail_q;
  const unsigned head_nx = head + 1 >= ntags ? 0 : ((head + 1) & tmask);
  const unsigned tail_nx = tail + 1 >= ntags ? 0 : ((tail + 1) & tmask);
  const int can_alloc = q->cnt_q < ntags;
  int alloc = 0, retire = 0, take;
  unsigned take_c, pick_c = 0;
  int pick_v = 0;
  int k_act;
  uint64_t k_addr;
  unsigned k_rem, k_cli;
  const unsigned nl = p->DATA_W / 32u, lw = vep_clog2(p->DATA_W / 8u);
  const unsigned q8 = 1u << (lw - 3u);   /* 8-byte words in a B-byte word */
  /* The buffer writes of this edge (at most one per bank), applied after its read. */
  unsigned nw = 0, w_idx[VEP_DMA_RD_BANKS_MAX];
  uint32_t w_val[VEP_DMA_RD_BANKS_MAX];

  d->rdq_ready_q = 0;
  d->unexp_q = 0;
  d->rd_v_q = 0;
  d->rd_last_q = 0;
  d->rd_err_q = 0;

  /* ---- Requests: take on a registered ready (only ever up while the cutter is free) ---- */
  take = (q->rdq_ready_q & ((in->rdq_valid[0] ? 1u : 0u) | (in->rdq_valid[1] ? 2u : 0u) |
                            (in->rdq_valid[2] ? 4u : 0u))) != 0 && !in->dev_reset;
  take_c = (q->rdq_ready_q & 2u) ? 1u : ((q->rdq_ready_q & 4u) ? 2u : 0u);
  /* The request the cutter works on this cycle: the one taken now, else cut_*_q. */
  k_act = take || q->cut_q;
  k_addr = take ? in->rdq_addr[take_c] : q->cut_addr_q;
  k_rem = take ? (in->rdq_len[take_c] & 0x1FFFu) : q->cut_rem_q;
  k_cli = take ? take_c : q->cut_cli_q;
  if (take) {
    d->cut_q = 1;
    d->cut_addr_q = k_addr;
    d->cut_rem_q = (uint16_t)k_rem;
    d->cut_cli_q = (uint8_t)take_c;
    d->rr_q = (uint8_t)take_c;
  }
  {
    /* Round robin: the clients after rr_q first, rr_q itself last; with none valid, the
     * ready parks on client 0. */
    unsigned c1 = q->rr_q == 2 ? 0u : q->rr_q + 1u;
    unsigned c2 = c1 == 2 ? 0u : c1 + 1u;
    pick_v = in->rdq_valid[0] || in->rdq_valid[1] || in->rdq_valid[2];
    pick_c = !pick_v ? 0u : (in->rdq_valid[c1] ? c1 : (in->rdq_valid[c2] ? c2 : q->rr_q));
  }

  /* ---- The MRd register ---- */
  if (q->mrd_valid_q && in->mrd_ready) {
    d->mrd_valid_q = 0;
  }

  /* ---- Cutting: the next chunk of the request ---- */
  {
    unsigned lim = in->mrrs >= 2 ? 512u : (128u << in->mrrs);
    unsigned room = lim - ((unsigned)k_addr & 0x3FFu & (lim - 1u));
    unsigned chunk = k_rem < room ? k_rem : room;
    int is4 = (k_addr >> 32) != 0;

    if (k_act && !in->dev_reset && can_alloc) {
      if (!in->bus_master) {
        /* No MRd may go out: an already-failed tag carries the request's error, in order. */
        alloc = 1;
        d->tag[head].end_q = 1;
        d->tag[head].fail_q = 1;
        d->tag[head].last_q = 1;
        d->cut_q = 0;
      } else if (!q->mrd_valid_q || in->mrd_ready) {
        vep_small_tlp_t *t = &d->mrd_tlp_q;
        alloc = 1;
        d->tag[head].end_q = 0;
        d->tag[head].fail_q = 0;
        d->tag[head].last_q = (uint8_t)(k_rem == chunk);
        d->tag[head].sa_q = (uint16_t)(k_addr & 0x1FFu);
        d->tag[head].blen_q = (uint16_t)(chunk & 0x3FFu);
        d->tag[head].nxt_q = (uint16_t)(k_addr & 0x1FFu);
        d->tag[head].rem_q = (uint16_t)(chunk & 0x3FFu);
        d->mrd_valid_q = 1;
        d->mrd_tag_q = (uint16_t)head;
        memset(t, 0, sizeof(*t));
        vep_mem_req_hdr(t->hdr, 0, k_addr, chunk, in->completer_id, (uint8_t)head);
        t->hdr_4dw = (uint8_t)is4;
        d->cut_addr_q = k_addr + chunk;
        d->cut_rem_q = (uint16_t)((k_rem - chunk) & 0x1FFFu);
        if (k_rem == chunk) {
          d->cut_q = 0;
        }
      }
    }
  }
  if (alloc) {
    d->tag[head].busy_q = 1;
    d->tag[head].disc_q = 0;
    d->tag[head].cli_q = (uint8_t)k_cli;
    d->head_q = (uint16_t)head_nx;
  }

  /* ---- The ready of the next take: up while the cutter is free on the next cycle ---- */
  if (!d->cut_q && !in->dev_reset) {
    d->rdq_ready_q = (uint8_t)(1u << pick_c);
  }

  /* ---- Completions ---- */
  if (in->rc_valid) {
    const vep_cpl_hdr_t *h = &in->rc_hdr;
    unsigned ct = h->tag & tmask;
    unsigned la2 = h->lower_addr & 3u;
    int c_open = h->tag < p->DMA_TAGS && q->tag[ct].busy_q && !q->tag[ct].end_q;
    unsigned c_rem = q->tag[ct].rem_q, c_nxt = q->tag[ct].nxt_q;
    unsigned carried = ((unsigned)h->len_dw * 4u - la2) & 0x1FFFu;
    unsigned need = ((la2 + c_rem + 3u) & 0x1FFFu) >> 2;
    unsigned bc = h->byte_count & 0x1FFFu;
    int c_ok = h->status == VEP_CPL_SC && !h->ep && h->requester_id == in->completer_id &&
               h->len_dw != 0 && h->lower_addr == (c_nxt & 0x7Fu) && bc == c_rem &&
               h->len_dw <= need;
    int c_fin = h->status != VEP_CPL_SC || h->len_dw == 0 || bc <= carried;
    unsigned c_bytes = bc <= carried ? bc : carried;
    int w_act, e_mt = q->cur_mt_q, e_fin = q->cur_fin_q;
    unsigned w_tag = q->cur_tag_q, w_dw = q->cur_dw_q, e_tag = q->cur_tag_q;

    if (in->rc_sop) {
      e_mt = c_open;
      e_fin = c_fin;
      e_tag = ct;
      if (!c_open) {
        d->unexp_q = 1;
        d->cur_mt_q = 0;
        d->cur_ok_q = 0;
      } else {
        d->cur_mt_q = 1;
        d->cur_ok_q = (uint8_t)c_ok;
        d->cur_fin_q = (uint8_t)c_fin;
        d->cur_tag_q = (uint16_t)ct;
        if (c_ok) {
          d->tag[ct].rem_q = (uint16_t)((c_rem - c_bytes) & 0x3FFu);
          d->tag[ct].nxt_q = (uint16_t)((c_nxt + c_bytes) & 0x1FFu);
        } else {
          d->tag[ct].fail_q = 1;
        }
      }
      w_act = c_open && c_ok;
      w_tag = ct;
      w_dw = (c_nxt >> 2) & 0x7Fu;
    } else {
      w_act = q->cur_ok_q;
    }
    /* The beat's DWs land in all banks at once: DW k at address (w_dw + k) mod 128, each in
     * its own bank. Applied after the buffer read below: the read sees the contents before this
     * edge. */
    if (w_act) {
      for (unsigned k = 0; k < in->rc_ndw && k < nl; k++) {
        w_idx[nw] = w_tag * 128u + ((w_dw + k) & 0x7Fu);
        w_val[nw] = (uint32_t)(in->rc_data.q[k / 2u] >> (32u * (k & 1u)));
        nw++;
      }
    }
    if (w_act) {
      d->cur_dw_q = (uint8_t)((w_dw + in->rc_ndw) & 0x7Fu);
    }
    if (in->rc_eop) {
      if (e_mt) {
        if (in->rc_bad) {
          d->tag[e_tag].fail_q = 1;
        }
        if (e_fin) {
          d->tag[e_tag].end_q = 1;
        }
      }
      d->cur_mt_q = 0;
      d->cur_ok_q = 0;
    }
  }

  /* ---- Retirement of the oldest tag ---- */
  {
    /* Words of B bytes for client 2, of 8 bytes for clients 0 and 1 (the same at DATA_W 64);
     * t_w is the word's host address [8:3]. */
    const int t_wide = q->tag[tail].cli_q == 2u;
    const unsigned gm = t_wide ? (1u << lw) - 1u : 7u;   /* byte offset mask in the word */
    const unsigned t_sa = q->tag[tail].sa_q;
    const unsigned t_ea = (t_sa + (q->tag[tail].blen_q & 0x1FFu) - 1u) & 0x1FFu;
    const unsigned t_w = q->rt_rd_q ? q->rt_w_q : ((t_sa >> 3) & ~(t_wide ? q8 - 1u : 0u));
    const unsigned t_lo = t_sa & gm;
    const int t_fin = t_wide ? (t_w >> (lw - 3u)) == (t_ea >> lw) : t_w == (t_ea >> 3);
    const unsigned t_hi = t_fin ? (t_ea & gm) : gm;
    const unsigned t_step = t_wide ? q8 : 1u;
    const unsigned base = tail * 128u + ((t_w >> (lw - 3u)) << (lw - 2u));  /* bank 0's DW */
    const uint8_t sel = (uint8_t)(t_w & (q8 - 1u));
    int ram_re = 0;

    if (q->rt_rd_q) {
      /* Reading out: one word per cycle; the device reset cuts it short. */
      ram_re = !in->dev_reset;
      d->rd_v_q = 1;
      d->rd_cli_q = q->tag[tail].cli_q;
      d->rd_lo_q = 0;
      d->rd_n_q = (uint8_t)(t_hi + 1u);
      d->rd_sel_q = sel;
      d->rd_last_q = (uint8_t)(t_fin && q->tag[tail].last_q);
      d->rt_w_q = (uint8_t)((t_w + t_step) & 0x3Fu);
      if (t_fin || in->dev_reset) {
        retire = 1;
        d->rt_rd_q = 0;
      }
    } else if (q->cnt_q != 0 && q->tag[tail].end_q && !in->dev_reset) {
      retire = 1;
      if (q->tag[tail].disc_q) {
        /* dropped without a word */
      } else if (q->tag[tail].fail_q || q->rt_fail_q) {
        if (!q->rt_fail_q) {
          d->rd_v_q = 1;
          d->rd_err_q = 1;
          d->rd_last_q = 1;
          d->rd_cli_q = q->tag[tail].cli_q;
          d->rd_lo_q = 0;
          d->rd_n_q = 0;
        }
        d->rt_fail_q = (uint8_t)!q->tag[tail].last_q;
      } else {
        ram_re = 1;
        d->rd_v_q = 1;
        d->rd_cli_q = q->tag[tail].cli_q;
        d->rd_lo_q = (uint8_t)t_lo;
        d->rd_n_q = (uint8_t)((t_hi - t_lo + 1u) & (2u * (1u << lw) - 1u));
        d->rd_sel_q = sel;
        d->rd_last_q = (uint8_t)(t_fin && q->tag[tail].last_q);
        d->rt_w_q = (uint8_t)((t_w + t_step) & 0x3Fu);
        if (!t_fin) {
          retire = 0;
          d->rt_rd_q = 1;
        }
      }
    }
    if (ram_re) {
      memcpy(d->rdata_q, &mem->dw[base], nl * sizeof(d->rdata_q[0]));
    }
  }
  for (unsigned i = 0; i < nw; i++) {
    mem->dw[w_idx[i]] = w_val[i];
  }
  if (retire) {
    d->tag[tail].busy_q = 0;
    d->tail_q = (uint16_t)tail_nx;
  }
  d->cnt_q = (uint16_t)((q->cnt_q + alloc - retire) & 0x1FFu);

  /* ---- Completion timeout of the oldest tag ---- */
  {
    int waiting = q->cnt_q != 0 && !q->tag[tail].end_q;
    int force_end = 0;

    d->to_q = waiting ? (uint16_t)((q->to_q + 1u) & 0x3FFFu) : 0;
    if (waiting && q->to_q == VEP_CPL_TIMEOUT_CYCLES - 1u) {
      force_end = 1;
      d->to_q = 0;
    }
    /* ---- Withdrawal: an MRd not yet taken may not go out any more ---- */
    if (q->mrd_valid_q && !in->mrd_ready && (!in->bus_master || in->dev_reset)) {
      d->mrd_valid_q = 0;
      d->tag[q->mrd_tag_q].end_q = 1;
      d->tag[q->mrd_tag_q].fail_q = 1;
      if (d->cur_mt_q && d->cur_tag_q == q->mrd_tag_q) {
        d->cur_mt_q = 0;
        d->cur_ok_q = 0;
      }
    }
    if (force_end) {
      d->tag[tail].end_q = 1;
      d->tag[tail].fail_q = 1;
      /* A completion still streaming for it must not touch the tag once it is reused. */
      if (d->cur_mt_q && d->cur_tag_q == tail) {
        d->cur_mt_q = 0;
        d->cur_ok_q = 0;
      }
    }
  }

  /* ---- The device reset ---- */
  if (in->dev_reset) {
    for (unsigned t = 0; t < p->DMA_TAGS; t++) {
      if (q->tag[t].busy_q) {
        d->tag[t].disc_q = 1;
      }
    }
    d->cut_q = 0;
    d->rt_fail_q = 0;
    d->rd_v_q = 0;
    d->rd_err_q = 0;
    d->rd_last_q = 0;
  }

  /* ---- Extended Tag Enable, sampled with no tag outstanding ---- */
  if (q->cnt_q == 0 && !alloc && q->ext_q != (in->ext_tag_en ? 1 : 0)) {
    d->ext_q = in->ext_tag_en ? 1 : 0;
    d->head_q = 0;
    d->tail_q = 0;
  }
}
