/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of rtl/vep_dma_wr.sv; see vep_dma_wr.h. */
#include "vep_dma_wr.h"

#include <string.h>

/* The widths of rtl/vep_dma_wr.sv's localparams, from DATA_W (64, 128 or 256), computed at
 * compile time: next() runs every cycle and needs them at once. */
typedef struct wr_geom {
  unsigned qw;          /* qwords per beat: W/64 */
  unsigned b;           /* bytes per beat: B */
  unsigned l, ll;       /* DW lanes L and log2(L) */
  unsigned beat_aw;     /* RAM beats per slot: 2^beat_aw */
  unsigned hb3, hb4;    /* whole header beats of a 3DW / 4DW header */
  unsigned off3, off4;  /* header bytes in RAM beat 0 */
  unsigned hdr_beats;   /* beats holding header DWs */
  int fast;             /* W > 64: header with the slot's give-back and in WrEnd (the RTL's Fast) */
} wr_geom_t;

#define WR_CLOG2(x) ((x) <= 1 ? 0u : (x) <= 2 ? 1u : (x) <= 4 ? 2u : (x) <= 8 ? 3u : \
                     (x) <= 16 ? 4u : (x) <= 32 ? 5u : (x) <= 64 ? 6u : 7u)
#define WR_OFFMAX(b) (12u % (b) > 16u % (b) ? 12u % (b) : 16u % (b))
/* RAM beats of a slot: MPS payload bytes after the header's share of RAM beat 0 and up to 3 bytes
 * of address offset */
#define WR_RAM_BEATS(b) ((WR_OFFMAX(b) + 3u + (128u << VEP_MPS_SUPPORTED_ENC) + (b) - 1u) / (b))
#define WR_GEOM(w)                                                                            \
  {.qw = (w) / 64u, .b = (w) / 8u, .l = (w) / 32u, .ll = WR_CLOG2((w) / 32u),               \
   .beat_aw = WR_CLOG2(WR_RAM_BEATS((w) / 8u)), .hb3 = 12u / ((w) / 8u),                     \
   .hb4 = 16u / ((w) / 8u), .off3 = 12u % ((w) / 8u), .off4 = 16u % ((w) / 8u),              \
   .hdr_beats = (128u + (w) - 1u) / (w), .fast = (w) > 64u}
static const wr_geom_t wr_geoms[3] = {WR_GEOM(64u), WR_GEOM(128u), WR_GEOM(256u)};
_Static_assert(WR_RAM_BEATS(8u) <= 128u && WR_RAM_BEATS(16u) <= 64u && WR_RAM_BEATS(32u) <= 32u &&
                   (2u << WR_CLOG2(WR_RAM_BEATS(8u))) * 1u <= VEP_DMA_WR_BUF_QWORDS &&
                   (2u << WR_CLOG2(WR_RAM_BEATS(16u))) * 2u <= VEP_DMA_WR_BUF_QWORDS &&
                   (2u << WR_CLOG2(WR_RAM_BEATS(32u))) * 4u <= VEP_DMA_WR_BUF_QWORDS,
               "the TLP buffer must hold two slots at every DATA_W");

static const wr_geom_t *wr_geom(const vep_params_t *p)
{
  return &wr_geoms[p->DATA_W == 64 ? 0 : p->DATA_W == 128 ? 1 : 2];
}

/* comb[0 .. 2*qw) |= ((src >> 8*lo) & k bytes) << 8*cnt: the RTL's shifted, kmask and comb, a
 * qword at a time (bytes shifted past either end are dropped, as there). */
static void pack_window(uint64_t *comb, const uint64_t *src, unsigned qw, unsigned lo, unsigned k,
                        unsigned cnt)
{
  uint64_t m[VEP_DATA_QWORDS];
  const unsigned sw = lo >> 3, sb = 8 * (lo & 7u);
  const unsigned dw = cnt >> 3, db = 8 * (cnt & 7u);

  for (unsigned i = 0; i < qw; i++) {
    uint64_t v = 0;
    if (i + sw < qw) {
      v = src[i + sw] >> sb;
      if (sb != 0 && i + sw + 1 < qw) {
        v |= src[i + sw + 1] << (64 - sb);
      }
    }
    if (8 * (i + 1) > k) {   /* the k-byte mask */
      v = 8 * i >= k ? 0 : v & ((1ull << (8 * (k - 8 * i))) - 1);
    }
    m[i] = v;
  }
  for (unsigned i = 0; i < qw && i + dw < 2 * qw; i++) {
    comb[i + dw] |= m[i] << db;
    if (db != 0 && i + dw + 1 < 2 * qw) {
      comb[i + dw + 1] |= m[i] >> (64 - db);
    }
  }
}

void vep_dma_wr_reset(vep_dma_wr_q_t *q, vep_dma_wr_mem_t *mem, const vep_params_t *p)
{
  (void)p;
  memset(q, 0, sizeof(*q));   /* also the words of the wide fields above DATA_W */
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
  out->tx_busy = (uint8_t)(q->rbeat_q != 0 || q->a_valid_q || q->tx_valid_q);
  out->tx_keep = q->tx_keep_q;
  out->tx_data = q->tx_data_q;
  out->idle = q->idle_q;
}

void vep_dma_wr_next(const vep_dma_wr_q_t *q, const vep_params_t *p, const vep_dma_wr_in_t *in,
                     vep_dma_wr_q_t *d, vep_dma_wr_mem_t *mem)
{
  const wr_geom_t *const g = wr_geom(p);
  const unsigned beat_mask = (1u << g->beat_aw) - 1u;
  int req_take = 0;
  unsigned req_client = 0;
  unsigned mps_eff, mps_bytes, room, tlp_len, end_off, len_dw, total_dw;
  int is4;
  uint32_t hdr[4];
  int src_ok = 0;
  const vep_wide_t *src_data = &q->hold_q;
  unsigned src_lo = q->hold_lo_q, src_n = q->hold_n_q;
  unsigned k, total;
  uint64_t comb[2 * VEP_DATA_QWORDS];   /* {0, acc} | (window << 8*cnt): 2W bits */
  unsigned c = q->client_q;
  int mem_we = 0, mem_re = 0;
  unsigned mem_waddr = ((unsigned)q->wslot_q << g->beat_aw) | q->wbeat_q;
  const uint64_t *mem_wdata = q->acc_q.q;
  unsigned mem_raddr = 0;
  int tx_take, a_move, a_free, pipe_empty;
  unsigned cur, nb, hb, ldw;
  int beat_last, started, drop_now, slot_rel;
  int hdr_go = 0;
  unsigned hslot = q->wslot_q;

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
    src_data = &in->wrd_data[c];
    src_lo = in->wrd_lo[c] & (g->b - 1);
    src_n = in->wrd_n[c] & (2 * g->b - 1);
  }
  k = src_n < q->tlp_rem_q ? src_n : (q->tlp_rem_q & (2 * g->b - 1));
  total = q->cnt_q + k;

  /* ---- The send side's state as the fill side needs it (slot_rel: see the RTL's Fast) ---- */
  tx_take = q->tx_valid_q && in->tx_ready;
  a_move = q->a_valid_q && (!q->tx_valid_q || (tx_take && !q->tx_done_q));
  a_free = !q->a_valid_q || a_move;
  pipe_empty = !q->a_valid_q && !q->tx_valid_q;
  cur = q->rslot_q;
  nb = q->s_nbeats_q[cur];
  beat_last = q->rbeat_q == ((nb - 1) & 0x7Fu);
  drop_now = q->rbeat_q == 0 && (q->s_drop_q[cur] || !in->bus_master);
  slot_rel = (q->slot_full_q >> cur & 1u) && (drop_now ? pipe_empty : (a_free && beat_last));

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
    } else if (!(q->slot_full_q >> q->wslot_q & 1u) ||
               (g->fast && slot_rel && cur == q->wslot_q)) {
      hdr_go = 1;
    }
    break;
  case WrData:
    if (in->dev_reset) {
      d->fill_state_q = WrAbort;
      d->hold_valid_q = 0;
    } else if (src_ok) {
      for (unsigned i = 0; i < g->qw; i++) {
        comb[i] = q->acc_q.q[i];
        comb[g->qw + i] = 0;
      }
      pack_window(comb, src_data->q, g->qw, src_lo, k, q->cnt_q);
      if (total >= g->b) {
        mem_we = 1;
        mem_wdata = comb;
        d->wbeat_q = (uint8_t)((q->wbeat_q + 1) & beat_mask);
        for (unsigned i = 0; i < g->qw; i++) {
          d->acc_q.q[i] = comb[g->qw + i];
        }
        d->cnt_q = (uint8_t)(total - g->b);
      } else {
        for (unsigned i = 0; i < g->qw; i++) {
          d->acc_q.q[i] = comb[i];
        }
        d->cnt_q = (uint8_t)total;
      }
      d->tlp_rem_q = (uint16_t)(q->tlp_rem_q - k);
      d->hold_valid_q = k < src_n;
      d->hold_q = *src_data;
      d->hold_lo_q = (uint8_t)((src_lo + k) & (g->b - 1));
      d->hold_n_q = (uint8_t)((src_n - k) & (2 * g->b - 1));
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
      if (g->fast && q->rem_q != 0 &&
          (!(q->slot_full_q >> !q->wslot_q & 1u) || (slot_rel && cur == (unsigned)!q->wslot_q))) {
        hdr_go = 1;
        hslot = !q->wslot_q;
      }
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
  /* WrHdr's work (also WrEnd's for the next TLP when fast): the header into slot hslot */
  if (hdr_go) {
    /* Built only here, where it is stored (the RTL computes it every cycle). */
    vep_mem_req_hdr(hdr, 1, q->addr_q, tlp_len, in->completer_id, 0);
    memcpy(d->s_hdr_q[hslot], hdr, sizeof(hdr));
    d->s_4dw_q[hslot] = (uint8_t)is4;
    d->s_nbeats_q[hslot] = (uint8_t)((total_dw + g->l - 1) >> g->ll);
    d->s_ldw_q[hslot] = (uint8_t)(total_dw & (g->l - 1));
    d->s_last_q[hslot] = tlp_len == q->rem_q;
    d->s_client_q[hslot] = q->client_q;
    d->addr_q = q->addr_q + tlp_len;
    d->rem_q = (uint16_t)(q->rem_q - tlp_len);
    d->tlp_rem_q = (uint16_t)tlp_len;
    for (unsigned i = 0; i < g->qw; i++) {
      d->acc_q.q[i] = 0;
    }
    d->cnt_q = (uint8_t)((is4 ? g->off4 : g->off3) + (q->addr_q & 3u));
    d->wbeat_q = 0;
    d->fill_state_q = WrData;
  }

  /* ---- Send side: TX register, stage a, issue ---- */

  if (tx_take && q->tx_done_q) {
    d->wr_done_q |= (uint8_t)(1u << q->tx_client_q);
    d->wr_err_q = q->tx_err_q;
  }
  if (a_move) {
    d->tx_valid_q = 1;
    d->tx_sop_q = q->a_sop_q;
    d->tx_eop_q = q->a_eop_q;
    d->tx_keep_q = q->a_keep_q;
    for (unsigned i = 0; i < g->qw; i++) {
      d->tx_data_q.q[i] = (q->a_ram_q ? q->rd_data_q.q[i] : 0) | q->a_hdr_q.q[i];
    }
    d->tx_done_q = q->a_done_q;
    d->tx_err_q = q->a_err_q;
    d->tx_client_q = q->a_client_q;
  } else if (tx_take) {
    d->tx_valid_q = 0;
    d->tx_sop_q = 0;
    d->tx_eop_q = 0;
    d->tx_keep_q = 0;
    for (unsigned i = 0; i < g->qw; i++) {
      d->tx_data_q.q[i] = 0;
    }
    d->tx_done_q = 0;
    d->tx_err_q = 0;
    d->tx_client_q = 0;
  }
  if (a_move) {
    d->a_valid_q = 0;
  }

  hb = q->s_4dw_q[cur] ? g->hb4 : g->hb3;
  ldw = q->s_ldw_q[cur];
  if (q->slot_full_q >> cur & 1u) {
    if (drop_now) {
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
      d->a_keep_q = (uint8_t)((beat_last && ldw != 0) ? (1u << ldw) - 1 : (1u << g->l) - 1);
      d->a_done_q = beat_last && q->s_last_q[cur];
      d->a_err_q = q->err_acc_q;
      d->a_client_q = q->s_client_q[cur];
      /* Header DWs of this beat: qword i of beat t is header qword t*W/64 + i (a 3DW header's
       * DW3 is 0). */
      for (unsigned i = 0; i < g->qw; i++) {
        unsigned hq = q->rbeat_q * g->qw + i;
        d->a_hdr_q.q[i] = q->rbeat_q < g->hdr_beats && hq < 2
                              ? (uint64_t)q->s_hdr_q[cur][2 * hq + 1] << 32 | q->s_hdr_q[cur][2 * hq]
                              : 0;
      }
      d->a_ram_q = 0;
      if (q->rbeat_q >= hb) {
        d->a_ram_q = 1;
        mem_re = 1;
        mem_raddr = (cur << g->beat_aw) | ((q->rbeat_q - hb) & beat_mask);
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
    for (unsigned i = 0; i < g->qw; i++) {
      d->rd_data_q.q[i] = mem->tlpbuf_q[mem_raddr * g->qw + i];
    }
  }
  if (mem_we) {
    for (unsigned i = 0; i < g->qw; i++) {
      mem->tlpbuf_q[mem_waddr * g->qw + i] = mem_wdata[i];
    }
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
