/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of rtl/vep_dma_wr.sv; see vep_dma_wr.h. */
#include "vep_dma_wr.h"

#include <string.h>

void vep_dma_wr_reset(vep_dma_wr_q_t *q, vep_dma_wr_mem_t *mem, const vep_params_t *p)
{
  (void)p;
  memset(q, 0, sizeof(*q));
  memset(mem, 0, sizeof(*mem));
  q->fill_state_q = WrIdle;
  q->rr_q = 2;                 /* so that client 0 comes first */
  q->idle_q = 1;
}

void vep_dma_wr_outputs(const vep_dma_wr_q_t *q, const vep_params_t *p, vep_dma_wr_out_t *out)
{
  (void)p;
  for (unsigned c = 0; c < VEP_DMA_CLIENTS; c++) {
    out->wrq_ready[c] = q->wrq_ready_q >> c & 1u;
    out->wrd_ready[c] = q->wrd_ready_q >> c & 1u;
    out->wr_done[c] = q->wr_done_q >> c & 1u;
  }
  out->wr_err = q->wr_err_q;
  out->tx_valid = q->tx_valid_q;
  out->tx_sop = q->tx_sop_q;
  out->tx_eop = q->tx_eop_q;
  /* Stage a moves into tx on the take unless this beat ends a request. */
  out->tx_more = (uint8_t)(q->a_valid_q && q->a_sop_q && !q->tx_done_q);
  out->tx_keep = q->tx_keep_q;
  out->tx_data = q->tx_data_q;
  out->idle = q->idle_q;
}

void vep_dma_wr_next(const vep_dma_wr_q_t *q, const vep_params_t *p, const vep_dma_wr_in_t *in,
                     vep_dma_wr_q_t *d, vep_dma_wr_mem_t *mem)
{
  int req_take = 0;
  unsigned req_client = 0;
  unsigned mps_eff, mps_bytes, room, tlp_len, end_off, len_dw, total_dw;
  int is4;
  uint32_t hdr[4];
  int src_ok = 0;
  uint64_t src_data = q->hold_q;
  unsigned src_lo = q->hold_lo_q, src_n = q->hold_n_q;
  unsigned k, total;
  uint64_t shifted, kmask, masked, comb_lo, comb_hi;
  unsigned c = q->client_q;
  int mem_we = 0, mem_re = 0;
  unsigned mem_waddr = ((unsigned)q->wslot_q << VEP_DMA_WR_BEAT_AW) | q->wbeat_q;
  uint64_t mem_wdata = q->acc_q;
  unsigned mem_raddr = 0;
  int tx_take, a_move, a_free, pipe_empty;
  unsigned cur, nb;
  int beat_last, started;

  (void)p;
  d->wrq_ready_q = 0;
  d->wrd_ready_q = 0;
  d->wr_done_q = 0;
  d->wr_err_q = 0;

  /* ---- Request acceptance ---- */
  for (unsigned i = 0; i < VEP_DMA_CLIENTS; i++) {
    if ((q->wrq_ready_q >> i & 1u) && in->wrq_valid[i]) {
      req_take = 1;
      req_client = i;
    }
  }

  /* ---- TLP header fields from addr_q, rem_q, mps (used in WrHdr) ---- */
  mps_eff = in->mps > VEP_MPS_SUPPORTED_ENC ? VEP_MPS_SUPPORTED_ENC : in->mps;
  mps_bytes = 128u << mps_eff;
  room = mps_bytes - ((unsigned)q->addr_q & (mps_bytes - 1));
  tlp_len = room < q->rem_q ? room : q->rem_q;
  end_off = ((unsigned)q->addr_q & 3u) + tlp_len;
  len_dw = (end_off + 3) >> 2;
  is4 = (q->addr_q >> 32) != 0;
  total_dw = len_dw + (is4 ? 4 : 3);

  /* ---- Packing (WrData): the held tail first, else the client's beat ---- */
  if (q->hold_valid_q) {
    src_ok = 1;
  } else if ((q->wrd_ready_q >> c & 1u) && in->wrd_valid[c]) {
    src_ok = 1;
    src_data = in->wrd_data[c];
    src_lo = in->wrd_lo[c] & 7u;
    src_n = in->wrd_n[c] & 15u;
  }
  k = src_n < q->tlp_rem_q ? src_n : (q->tlp_rem_q & 15u);
  shifted = src_data >> (8 * src_lo);
  kmask = k >= 8 ? ~0ull : ((1ull << (8 * k)) - 1);
  masked = shifted & kmask;
  /* comb = {0, acc} | (masked << 8*cnt), as two 64-bit halves */
  comb_lo = q->acc_q | (q->cnt_q >= 8 ? 0 : masked << (8 * q->cnt_q));
  comb_hi = q->cnt_q == 0 ? 0 : (q->cnt_q >= 8 ? masked << (8 * (q->cnt_q - 8))
                                               : masked >> (64 - 8 * q->cnt_q));
  total = q->cnt_q + k;

  switch (q->fill_state_q) {
  case WrIdle:
    if (req_take) {
      d->client_q = (uint8_t)req_client;
      d->rr_q = (uint8_t)req_client;
      d->addr_q = in->wrq_addr[req_client];
      d->rem_q = in->wrq_len[req_client] & 0x1FFFu;
      d->fill_state_q = in->dev_reset ? WrAbort : WrHdr;
    }
    break;
  case WrHdr:
    if (in->dev_reset) {
      d->fill_state_q = WrAbort;
    } else if (!(q->slot_full_q >> q->wslot_q & 1u)) {
      unsigned s = q->wslot_q;
      /* Built only here, where it is stored (the RTL computes it every cycle). */
      vep_mem_req_hdr(hdr, 1, q->addr_q, tlp_len, in->completer_id, 0);
      memcpy(d->s_hdr_q[s], hdr, sizeof(hdr));
      d->s_4dw_q[s] = (uint8_t)is4;
      d->s_nbeats_q[s] = (uint8_t)((total_dw + 1) >> 1);
      d->s_odd_q[s] = total_dw & 1u;
      d->s_last_q[s] = tlp_len == q->rem_q;
      d->s_client_q[s] = q->client_q;
      d->addr_q = q->addr_q + tlp_len;
      d->rem_q = (uint16_t)(q->rem_q - tlp_len);
      d->tlp_rem_q = (uint16_t)tlp_len;
      d->acc_q = 0;
      d->cnt_q = (uint8_t)((is4 ? 0 : 4) + (q->addr_q & 3u));
      d->wbeat_q = 0;
      d->fill_state_q = WrData;
    }
    break;
  case WrData:
    if (in->dev_reset) {
      d->fill_state_q = WrAbort;
      d->hold_valid_q = 0;
    } else if (src_ok) {
      if (total >= 8) {
        mem_we = 1;
        mem_wdata = comb_lo;
        d->wbeat_q = (uint8_t)((q->wbeat_q + 1) & ((1u << VEP_DMA_WR_BEAT_AW) - 1));
        d->acc_q = comb_hi;
        d->cnt_q = (uint8_t)(total - 8);
      } else {
        d->acc_q = comb_lo;
        d->cnt_q = (uint8_t)total;
      }
      d->tlp_rem_q = (uint16_t)(q->tlp_rem_q - k);
      d->hold_valid_q = k < src_n;
      d->hold_q = src_data;
      d->hold_lo_q = (uint8_t)((src_lo + k) & 7u);
      d->hold_n_q = (uint8_t)((src_n - k) & 15u);
      if (q->tlp_rem_q == k) {
        d->fill_state_q = WrEnd;
      }
    }
    break;
  case WrEnd:
    if (in->dev_reset) {
      d->fill_state_q = WrAbort;
      d->hold_valid_q = 0;
    } else {
      if (q->cnt_q != 0) {
        mem_we = 1;
      }
      d->slot_full_q |= (uint8_t)(1u << q->wslot_q);
      d->s_drop_q[q->wslot_q] = 0;
      d->wslot_q = !q->wslot_q;
      d->fill_state_q = q->rem_q == 0 ? WrIdle : WrHdr;
    }
    break;
  case WrAbort:
    d->hold_valid_q = 0;
    if (!(q->slot_full_q >> q->wslot_q & 1u)) {
      d->slot_full_q |= (uint8_t)(1u << q->wslot_q);
      d->s_drop_q[q->wslot_q] = 1;
      d->s_last_q[q->wslot_q] = 1;
      d->s_client_q[q->wslot_q] = q->client_q;
      d->wslot_q = !q->wslot_q;
      d->fill_state_q = WrIdle;
    }
    break;
  default:
    d->fill_state_q = WrIdle;
    break;
  }

  /* ---- Send side: TX register, stage a, issue ---- */
  tx_take = q->tx_valid_q && in->tx_ready;
  a_move = q->a_valid_q && (!q->tx_valid_q || (tx_take && !q->tx_done_q));
  a_free = !q->a_valid_q || a_move;
  pipe_empty = !q->a_valid_q && !q->tx_valid_q;

  if (tx_take && q->tx_done_q) {
    d->wr_done_q |= (uint8_t)(1u << q->tx_client_q);
    d->wr_err_q = q->tx_err_q;
  }
  if (a_move) {
    d->tx_valid_q = 1;
    d->tx_sop_q = q->a_sop_q;
    d->tx_eop_q = q->a_eop_q;
    d->tx_keep_q = q->a_keep_q;
    d->tx_data_q = (q->a_ram_q ? q->rd_data_q : 0) | q->a_hdr_q;
    d->tx_done_q = q->a_done_q;
    d->tx_err_q = q->a_err_q;
    d->tx_client_q = q->a_client_q;
  } else if (tx_take) {
    d->tx_valid_q = 0;
    d->tx_sop_q = 0;
    d->tx_eop_q = 0;
    d->tx_keep_q = 0;
    d->tx_data_q = 0;
    d->tx_done_q = 0;
    d->tx_err_q = 0;
    d->tx_client_q = 0;
  }
  if (a_move) {
    d->a_valid_q = 0;
  }

  cur = q->rslot_q;
  nb = q->s_nbeats_q[cur];
  beat_last = q->rbeat_q == ((nb - 1) & 0x7Fu);
  if (q->slot_full_q >> cur & 1u) {
    if (q->rbeat_q == 0 && (q->s_drop_q[cur] || !in->bus_master)) {
      /* Discard once the pipe is empty, so that its done cannot meet a sent TLP's done. */
      if (pipe_empty) {
        d->slot_full_q &= (uint8_t)~(1u << cur);
        d->rslot_q = !q->rslot_q;
        if (q->s_last_q[cur]) {
          d->wr_done_q |= (uint8_t)(1u << q->s_client_q[cur]);
          d->wr_err_q = 1;
          d->err_acc_q = 0;
        } else {
          d->err_acc_q = 1;
        }
      }
    } else if (a_free) {
      d->a_valid_q = 1;
      d->a_sop_q = q->rbeat_q == 0;
      d->a_eop_q = (uint8_t)beat_last;
      d->a_keep_q = (beat_last && q->s_odd_q[cur]) ? 1 : 3;
      d->a_done_q = beat_last && q->s_last_q[cur];
      d->a_err_q = q->err_acc_q;
      d->a_client_q = q->s_client_q[cur];
      d->a_ram_q = 0;
      if (q->rbeat_q == 0) {
        d->a_hdr_q = (uint64_t)q->s_hdr_q[cur][1] << 32 | q->s_hdr_q[cur][0];
      } else if (q->rbeat_q == 1 && q->s_4dw_q[cur]) {
        d->a_hdr_q = (uint64_t)q->s_hdr_q[cur][3] << 32 | q->s_hdr_q[cur][2];
      } else {
        d->a_hdr_q = q->rbeat_q == 1 ? q->s_hdr_q[cur][2] : 0;
        d->a_ram_q = 1;
        mem_re = 1;
        mem_raddr = (cur << VEP_DMA_WR_BEAT_AW) |
                    ((q->rbeat_q - (q->s_4dw_q[cur] ? 2u : 1u)) & 0x7Fu);
      }
      if (beat_last) {
        d->slot_full_q &= (uint8_t)~(1u << cur);
        d->rslot_q = !q->rslot_q;
        d->rbeat_q = 0;
        if (q->s_last_q[cur]) {
          d->err_acc_q = 0;
        }
      } else {
        d->rbeat_q = (uint8_t)((q->rbeat_q + 1) & 0x7Fu);
      }
    }
  }
  if (mem_re) {
    d->rd_data_q = mem->tlpbuf_q[mem_raddr];
  }
  if (mem_we) {
    mem->tlpbuf_q[mem_waddr] = mem_wdata;
  }

  /* ---- Device reset: drop every slot not started; no new request until the drain ---- */
  started = q->rbeat_q != 0;
  if (in->dev_reset) {
    for (unsigned s = 0; s < 2; s++) {
      if ((q->slot_full_q >> s & 1u) && !(started && q->rslot_q == s)) {
        d->s_drop_q[s] = 1;
      }
    }
    d->drain_q = 1;
  } else if (q->drain_q && q->fill_state_q == WrIdle && q->slot_full_q == 0 && pipe_empty) {
    d->drain_q = 0;
  }

  /* ---- Registered readies ---- */
  if (d->fill_state_q == WrIdle && !d->drain_q && !req_take) {
    for (unsigned i = 1; i <= VEP_DMA_CLIENTS; i++) {
      unsigned cand = (q->rr_q + i) % VEP_DMA_CLIENTS;
      if (in->wrq_valid[cand]) {
        d->wrq_ready_q = (uint8_t)(1u << cand);
        break;
      }
    }
  }
  if (d->fill_state_q == WrData && !d->hold_valid_q) {
    d->wrd_ready_q = (uint8_t)(1u << d->client_q);
  }

  d->idle_q = d->fill_state_q == WrIdle && d->slot_full_q == 0 && !d->a_valid_q &&
              !d->tx_valid_q;
}
