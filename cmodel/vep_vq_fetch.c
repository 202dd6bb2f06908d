/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of rtl/vep_vq_fetch.sv; see vep_vq_fetch.h and docs/datapath.md. */
#include "vep_vq_fetch.h"

#include <string.h>

#include "vep_consts.h"

/* The RTL's SegAddrW: $clog2(VEP_BLK_SLOTS * SEG_SLOTS). */
static unsigned seg_addr_w(const vep_params_t *p)
{
  return vep_clog2(VEP_BLK_SLOTS * VEP_VQ_FETCH_SEG_SLOTS(p));
}

void vep_vq_fetch_reset(vep_vq_fetch_q_t *q, vep_vq_fetch_mem_t *mem, const vep_params_t *p)
{
  *q = (vep_vq_fetch_q_t){0};
  memset(mem, 0, sizeof(*mem));
  q->rr_q = (uint8_t)(p->NUM_QUEUES - 1u);
}

void vep_vq_fetch_outputs(const vep_vq_fetch_q_t *q, const vep_params_t *p,
                          vep_vq_fetch_out_t *out)
{
  (void)p;
  out->doorbell_clr = q->db_clr_q;
  int ra_req = q->ra_st_q == VEP_FETCH_RA_IDX_REQ || q->ra_st_q == VEP_FETCH_RA_RING_REQ;
  out->rdq_valid = q->st_q == FetchIdxReq || q->st_q == FetchRingReq ||
                   (q->st_q == FetchDescReq && !q->place_q) || ra_req;
  out->rdq_addr = ra_req ? q->ra_addr_q : q->addr_q;
  out->rdq_len = ra_req ? q->ra_len_q : q->len_q;
  out->wrq_valid = q->st_q == FetchEvtReq;
  out->wrq_addr = q->addr_q;
  out->wrq_len = q->len_q;
  out->wrd_valid = q->st_q == FetchEvtData;
  out->wrd_data = q->wdata_q;
  out->wrd_lo = 0;
  out->wrd_n = 2;
  out->seg_we = q->seg_we_q;
  out->seg_waddr = q->seg_waddr_q;
  out->seg_wdata = q->seg_wdata_q;
  out->chain_valid = q->st_q == FetchChain;
  out->chain = (vep_chain_t){.slot = q->slot_q,
                             .q = q->qn_q,
                             .head = q->head_q,
                             .nseg = q->nseg_q,
                             .nr = q->nr_q,
                             .r_bytes = q->rbytes_q,
                             .w_bytes = q->wbytes_q};
  out->dev_err = q->dev_err_q;
  out->dev_err_code = q->dev_err_q ? q->err_code_q : VEP_ERR_NONE;
  out->idle = (q->st_q == FetchIdle || q->st_q == FetchHalt) && q->ra_st_q == VEP_FETCH_RA_IDLE &&
              !q->mo_q && !q->ro_q && !q->dev_err_q;
}

/* Byte j of this beat's window (the RTL's win): 0 outside lo..lo+n-1 and beyond the word. */
static uint8_t win_byte(const vep_vq_fetch_in_t *in, unsigned j)
{
  unsigned b = in->rdr_lo + j;
  return (j < in->rdr_n && b < 8) ? (uint8_t)(in->rdr_data >> (8 * b)) : 0;
}

/* This beat's byte window appended to the assembled response bytes (the RTL's nb, nb_cnt). */
static void append_beat(const vep_vq_fetch_q_t *q, const vep_vq_fetch_in_t *in, uint8_t nb[24],
                        uint8_t *cnt)
{
  memcpy(nb, q->buf_q, 24);
  for (unsigned j = 0; j < 8; j++) {
    unsigned b = q->bcnt_q + j;
    if (b < 24) {
      nb[b] |= win_byte(in, j);
    }
  }
  *cnt = (uint8_t)((q->bcnt_q + in->rdr_n) & 31u);
}

static uint16_t le16(const uint8_t *b)
{
  return (uint16_t)(b[0] | b[1] << 8);
}

static uint32_t le32(const uint8_t *b)
{
  return (uint32_t)le16(b) | (uint32_t)le16(b + 2) << 16;
}

static uint64_t le64(const uint8_t *b)
{
  return (uint64_t)le32(b) | (uint64_t)le32(b + 4) << 32;
}

/* The round-robin choice: the first queue after rr_q with work, else the first one from 0. A queue
 * with entries known to be pending needs a free slot; one with only a doorbell or a re-check does
 * not (its visit reads avail.idx first). */
static int pick_queue(const vep_vq_fetch_q_t *q, const vep_params_t *p,
                      const vep_vq_fetch_in_t *in, unsigned *pick)
{
  uint64_t elig = 0;
  for (unsigned i = 0; i < p->NUM_QUEUES; i++) {
    int pend = q->avail_idx_q[i] != q->last_avail_q[i];
    int en = (in->q_enable >> i) & 1u;
    /* An avail.idx read waits for the read-ahead to finish (one reader of the index). */
    int db = (((in->doorbell | q->chk_q) >> i) & 1u) && q->ra_st_q == VEP_FETCH_RA_IDLE;
    if (en && (pend ? in->slot_free : db)) {
      elig |= 1ull << i;
    }
  }
  for (unsigned i = q->rr_q + 1u; i < p->NUM_QUEUES; i++) {
    if ((elig >> i) & 1u) {
      *pick = i;
      return 1;
    }
  }
  for (unsigned i = 0; i < p->NUM_QUEUES; i++) {
    if ((elig >> i) & 1u) {
      *pick = i;
      return 1;
    }
  }
  return 0;
}

static void fail(vep_vq_fetch_q_t *d, uint8_t code)
{
  d->st_q = FetchHalt;
  d->dev_err_q = 1;
  d->err_code_q = code;
}

/* The descriptor read from the memory (dram_q): check it, then follow it. */
static void use_desc(const vep_vq_fetch_q_t *q, const vep_params_t *p,
                     const vep_vq_fetch_in_t *in, vep_vq_fetch_q_t *d)
{
  const uint8_t *nb = q->dram_q;
  uint64_t addr = le64(nb);
  uint32_t len = le32(nb + 8);
  uint16_t flags = le16(nb + 12);
  uint16_t next = le16(nb + 14);
  int w = (flags & VEP_VRING_DESC_F_WRITE) != 0;
  int has_next = (flags & VEP_VRING_DESC_F_NEXT) != 0;

  if (flags & VEP_VRING_DESC_F_INDIRECT) {
    /* The table's own WRITE flag is ignored (virtio 1.0, 2.4.5.3.2). */
    if (!in->feat_indirect) {
      fail(d, VEP_ERR_INDIRECT_FEATURE);
    } else if (q->ind_q) {
      fail(d, VEP_ERR_INDIRECT_NESTED);
    } else if (has_next) {
      fail(d, VEP_ERR_INDIRECT_NEXT);
    } else if (len == 0 || (len & 15u) != 0) {
      fail(d, VEP_ERR_INDIRECT_LEN);
    } else {
      d->base_q = addr;
      d->max_q = len >> 4;
      d->ind_q = 1;
      d->didx_q = 0;
      d->vis_q = 1;
      d->st_q = in->run ? FetchLook : FetchIdle;
    }
    return;
  }

  uint64_t sum = (uint64_t)(w ? q->wbytes_q : q->rbytes_q) + len;
  if (len == 0) {
    fail(d, VEP_ERR_ZERO_LEN);
  } else if (!w && q->seen_w_q) {
    fail(d, VEP_ERR_READ_AFTER_WRITE);
  } else if (q->nseg_q == VEP_VQ_FETCH_SEG_SLOTS(p)) {
    fail(d, VEP_ERR_TOO_MANY_SEGS);
  } else if (sum > 0xFFFFFFFFull) {
    fail(d, VEP_ERR_CHAIN_BYTES);
  } else if (has_next && next >= q->max_q) {
    fail(d, VEP_ERR_NEXT_RANGE);
  } else if (has_next && q->vis_q >= q->max_q) {
    /* A NEXT out of the size-th descriptor (or the table's last entry) can only be a loop. */
    fail(d, VEP_ERR_CHAIN_LOOP);
  } else {
    d->seg_we_q = 1;
    d->seg_waddr_q = (uint16_t)((q->slot_q * VEP_VQ_FETCH_SEG_SLOTS(p) + q->nseg_q) &
                                ((1u << seg_addr_w(p)) - 1u));
    d->seg_wdata_q = (vep_seg_t){.addr = addr, .len = len, .write = (uint8_t)w};
    d->nseg_q = (uint8_t)(q->nseg_q + 1u);
    d->seen_w_q = q->seen_w_q || w;
    if (w) {
      d->wbytes_q = (uint32_t)sum;
    } else {
      d->rbytes_q = (uint32_t)sum;
      d->nr_q = (uint8_t)(q->nr_q + 1u);
    }
    if (has_next) {
      d->vis_q = (uint16_t)(q->vis_q + 1u);
      d->didx_q = next;
      d->st_q = in->run ? FetchLook : FetchIdle;
    } else {
      d->st_q = FetchChain;
    }
  }
}

/* The avail.idx read of a queue whose last_avail is `last`: avail.idx (q_avail + 2) and
 * ring[k ..] (q_avail + 4 + 2k) are one contiguous range when k, last's ring slot, is small: idx,
 * ring[0 .. k-1] (skipped) and up to VEP_VQ_FETCH_HEADS entries from slot k (not across the ring's
 * end) in one request. *n = 0: avail.idx alone. */
static void idx_read_shape(uint16_t last, uint16_t size, uint8_t *n, uint8_t *skip,
                           uint16_t *len)
{
  uint16_t k = (uint16_t)(last & (uint16_t)(size - 1u));
  uint32_t room = ((uint32_t)size - k) & 0x1FFFFu;
  *n = 0;
  if (k < VEP_VQ_FETCH_HEADS) {
    *n = (uint8_t)(room < VEP_VQ_FETCH_HEADS ? room : VEP_VQ_FETCH_HEADS);
  }
  *skip = (uint8_t)(2u + 2u * (k & 31u));
  *len = *n == 0 ? 2 : (uint16_t)(*skip + 2u * *n);
}

/* This beat's bytes placed in the head buffer (the RTL's hb_w): byte i of the buffer is byte
 * (i - 2*hfill_q) mod 2*HEADS of the entries read, stream byte hskip_q + that. */
static void place_heads(const vep_vq_fetch_q_t *q, const vep_vq_fetch_in_t *in, uint8_t hb[])
{
  for (unsigned i = 0; i < 2u * VEP_VQ_FETCH_HEADS; i++) {
    unsigned e = (i - 2u * q->hfill_q) & (2u * VEP_VQ_FETCH_HEADS - 1u);
    uint8_t sp = (uint8_t)(e + q->hskip_q - q->boff_q);
    if (sp < in->rdr_n) {
      hb[i] = win_byte(in, sp & 7u);
    }
  }
}

static int walking(uint8_t st)
{
  return st == FetchIdle || st == FetchHead || st == FetchLook || st == FetchUse ||
         st == FetchChain;
}

/* The read-ahead (the RTL's "The read-ahead" block), after the FSM's next state: it starts only
 * while the FSM walks chains or waits for a slot (no request of its own offered or outstanding),
 * for the head buffer's queue while that has entries known to be available; an error of the FSM
 * in this step (d->dev_err_q) comes first. */
static void read_ahead(const vep_vq_fetch_q_t *q, const vep_vq_fetch_in_t *in,
                       vep_vq_fetch_q_t *d, int r_rv)
{
  unsigned rs = q->ra_st_q == VEP_FETCH_RA_IDLE ? q->hq_q : q->ra_q_q;
  int r_en = (int)((in->q_enable >> rs) & 1u);
  uint16_t r_size = in->q_size[rs], r_last = q->last_avail_q[rs], r_aidx = q->avail_idx_q[rs];
  uint64_t r_avail = in->q_avail[rs];
  uint16_t r_hend = (uint16_t)(q->hstart_q + q->hcnt_q);
  int r_in = (uint16_t)(r_last - q->hstart_q) <= q->hcnt_q;
  uint16_t r_have = (uint16_t)(r_hend - r_last);
  uint16_t r_beyond = (uint16_t)(r_aidx - r_hend);
  uint16_t r_slot = (uint16_t)(r_hend & (uint16_t)(r_size - 1u));
  uint32_t r_room = ((uint32_t)r_size - r_slot) & 0x1FFFFu;
  unsigned r_m = (VEP_VQ_FETCH_HEADS - (r_have & 127u)) & 127u;
  if (r_beyond < r_m) {
    r_m = r_beyond & 127u;
  }
  if (r_room < r_m) {
    r_m = r_room & 127u;
  }
  uint16_t known = (uint16_t)(r_aidx - r_last);
  int ok = in->run && !in->dev_reset && r_en && !q->mo_q && q->ra_st_q == VEP_FETCH_RA_IDLE &&
           r_aidx != r_last && r_in && !d->dev_err_q && walking(q->st_q) && walking(d->st_q);
  int go_ring = ok && r_have <= VEP_FETCH_RA_LOW && r_beyond != 0 && r_beyond <= r_size;
  int go_idx = ok && known <= VEP_FETCH_RA_LOW && known >= 2 &&
               (!q->ra_vld_q || q->ra_q_q != q->hq_q ||
                (uint16_t)(r_last - q->ra_last_q) >= VEP_FETCH_RA_STEP);
  int live = q->st_q != FetchHalt && !d->dev_err_q;  /* else a response is only waited for */

  switch (q->ra_st_q) {
  case VEP_FETCH_RA_IDLE:
    if (go_ring) {
      /* Ring entries after the buffered ones, into the slots already consumed. */
      d->ra_st_q = VEP_FETCH_RA_RING_REQ;
      d->ra_q_q = q->hq_q;
      d->ra_addr_q = r_avail + 4u + 2u * (uint64_t)r_slot;
      d->ra_len_q = (uint16_t)(2u * r_m);
      d->ra_m_q = (uint8_t)r_m;
      d->hstart_q = r_last;
      d->hcnt_q = (uint8_t)(r_have & 127u);
      d->hfill_q = (uint8_t)(r_hend & 31u);
      d->hskip_q = 0;
      d->boff_q = 0;
    } else if (go_idx) {
      d->ra_st_q = VEP_FETCH_RA_IDX_REQ;
      d->ra_q_q = q->hq_q;
      d->ra_addr_q = r_avail + 2u;
      d->ra_len_q = 2;
      d->ra_vld_q = 1;
      d->ra_last_q = r_last;
      d->ra_buf_q = 0;
      d->ra_bcnt_q = 0;
    }
    break;
  case VEP_FETCH_RA_IDX_REQ:
    if (in->rdq_ready) {
      d->ra_st_q = VEP_FETCH_RA_IDX_RSP;
    }
    break;
  case VEP_FETCH_RA_RING_REQ:
    if (in->rdq_ready) {
      d->ra_st_q = VEP_FETCH_RA_RING_RSP;
    }
    break;
  case VEP_FETCH_RA_IDX_RSP:
    if (r_rv) {
      uint32_t w16 = (uint32_t)win_byte(in, 0) | (uint32_t)win_byte(in, 1) << 8;
      uint16_t r_nb = (uint16_t)(q->ra_buf_q | ((w16 << (8u * q->ra_bcnt_q)) & 0xFFFFu));
      unsigned c = q->ra_bcnt_q + in->rdr_n;
      d->ra_buf_q = r_nb;
      d->ra_bcnt_q = (uint8_t)(c > 2 ? 2 : c);
      if (in->rdr_last) {
        d->ra_st_q = VEP_FETCH_RA_IDLE;
        if (live) {
          if (in->rdr_err) {
            fail(d, VEP_ERR_RING_DMA);
          } else if ((uint16_t)(r_nb - r_last) > r_size) {
            fail(d, VEP_ERR_AVAIL_JUMP);
          } else if ((uint16_t)(r_nb - r_last) > known) {
            d->avail_idx_q[q->ra_q_q] = r_nb;
          }
        }
      }
    }
    break;
  case VEP_FETCH_RA_RING_RSP:
    if (r_rv) {
      if (q->st_q != FetchHalt) {
        place_heads(q, in, d->hb_q);
      }
      d->boff_q = (uint8_t)(q->boff_q + in->rdr_n);
      if (in->rdr_last) {
        d->ra_st_q = VEP_FETCH_RA_IDLE;
        if (live) {
          if (in->rdr_err) {
            fail(d, VEP_ERR_RING_DMA);
          } else {
            d->hcnt_q = (uint8_t)((q->hcnt_q + q->ra_m_q) & 127u);
          }
        }
      }
    }
    break;
  default:
    d->ra_st_q = VEP_FETCH_RA_IDLE;
    break;
  }
}

/* Where a window read for descriptor e starts and how many entries it takes: at most
 * VEP_VQ_FETCH_WIN, at most `want` (4 per chain known to be available), inside the table
 * [0, max). Forward (from e) as a rule; `back` when the next chain's head lies below e, as a
 * driver that puts freed chains at the front of its free list hands them out (descending chain
 * by chain once completions have come in order): the window then keeps 24 entries from e on
 * (4 when it is under 32) and reaches down over the chains that follow. e is always inside the
 * window. The RTL's win_place. */
static void win_place(uint32_t e, uint32_t want, uint32_t max, int back, uint32_t *first,
                      unsigned *n)
{
  /* Both placements from e, want and max, and back only picks one, as the RTL forms them (side
   * by side, so that back's path is not in series with the arithmetic). */
  unsigned kw = want < VEP_VQ_FETCH_WIN ? want : VEP_VQ_FETCH_WIN;
  uint64_t room = ((uint64_t)max - e) & 0x1FFFFFFFFull;
  unsigned kf = room < kw ? (unsigned)room : kw;
  unsigned kb = (uint64_t)max < kw ? max : kw;
  uint32_t b = kb >= 32u ? kb - 24u : kb > 4u ? kb - 4u : 0u;
  uint32_t sb = e - (e < b ? e : b);
  uint32_t mk = max - kb; /* s + kb > max is s > max - kb, as kb <= max */
  if (sb > mk) {
    sb = mk;
  }
  *first = back ? sb : e;
  *n = back ? kb : kf;
}

void vep_vq_fetch_next(const vep_vq_fetch_q_t *q, const vep_params_t *p,
                       const vep_vq_fetch_in_t *in, vep_vq_fetch_q_t *d,
                       vep_vq_fetch_mem_t *mem)
{
  const uint16_t cur_last = q->last_avail_q[q->qn_q];
  const uint16_t cur_aidx = q->avail_idx_q[q->qn_q];
  const unsigned r = q->ind_q & 1u;
  uint8_t nb[24];
  uint8_t nb_cnt;
  int ram_we = 0, ram_re = 0;
  unsigned ram_wa = 0, ram_ra = 0;

  /* Whose read a response beat belongs to: the older one's while both have one outstanding. */
  const int to_main = q->mo_q && (!q->ro_q || !q->first_q);
  const int to_ra = q->ro_q && (!q->mo_q || q->first_q);
  const int m_rv = in->rdr_valid && to_main;
  const int r_rv = in->rdr_valid && to_ra;
  const int ra_req = q->ra_st_q == VEP_FETCH_RA_IDX_REQ || q->ra_st_q == VEP_FETCH_RA_RING_REQ;

  append_beat(q, in, nb, &nb_cnt);
  d->seg_we_q = 0;
  d->place_q = 0;
  d->db_clr_q = 0;
  d->dev_err_q = 0;

  /* The head buffer's entry of the current position. */
  uint16_t hoff = (uint16_t)(cur_last - q->hstart_q);
  int hhit = q->hq_q == q->qn_q && hoff < q->hcnt_q;
  uint16_t hval = le16(q->hb_q + 2u * (cur_last & (VEP_VQ_FETCH_HEADS - 1u)));
  /* The next chain's head, when the buffer holds it too: which way a window should reach. */
  int nhit = q->hq_q == q->qn_q && (uint32_t)hoff + 1u < q->hcnt_q;
  uint16_t nval = le16(q->hb_q + 2u * ((uint16_t)(cur_last + 1u) & (VEP_VQ_FETCH_HEADS - 1u)));
  uint32_t hroom = ((uint32_t)q->size_q - (cur_last & (uint16_t)(q->size_q - 1u))) & 0x1FFFFu;
  uint32_t hwant = (uint16_t)(cur_aidx - cur_last);
  uint32_t hn = VEP_VQ_FETCH_HEADS;
  if (hwant < VEP_VQ_FETCH_HEADS) {
    hn = hwant;
  }
  if (hroom < hn) {
    hn = hroom;
  }

  /* The window of the table walked: is descriptor didx_q in it? The window's descriptors were
   * written before waidx was published: valid only for chains before it. */
  uint32_t w_off = q->didx_q - q->wfirst_q[r];
  int w_hit = q->wv_q[r] && q->wq_q[r] == q->qn_q && q->wbase_q[r] == q->base_q &&
              w_off < q->wcnt_q[r] &&
              (uint16_t)(q->waidx_q[r] - cur_last - 1u) < q->size_q;
  /* A window sized for the chains known to be available (4 descriptors each), never past the
   * table's end. */
  uint32_t w_want = 4u * (uint16_t)(cur_aidx - cur_last);
  uint32_t w_first;
  unsigned w_n;
  win_place(q->didx_q, w_want, q->max_q, !q->ind_q && nhit && nval < q->didx_q, &w_first, &w_n);

  /* Window read-ahead: waiting for a slot, the next chain of the current queue has its head in
   * the head buffer but not in the descriptor table's window: the window read it will need is
   * done now. */
  uint32_t pf_first;
  unsigned pf_n;
  win_place(hval, 4u * (uint16_t)(cur_aidx - cur_last), q->size_q, nhit && nval < hval,
            &pf_first, &pf_n);
  int pf_in_win = q->wv_q[0] && q->wq_q[0] == q->qn_q && q->wbase_q[0] == q->desc_q &&
                  (uint32_t)(hval - q->wfirst_q[0]) < q->wcnt_q[0] &&
                  (uint16_t)(q->waidx_q[0] - cur_last - 1u) < q->size_q;
  int pf_go = in->run && !in->slot_free && q->hq_q == q->qn_q &&
              ((in->q_enable >> q->qn_q) & 1u) && cur_aidx != cur_last && hhit &&
              hval < q->size_q && !ra_req && !pf_in_win;

  switch ((vep_fetch_state_t)q->st_q) {
  case FetchIdle: {
    unsigned pk;
    if (in->run && pick_queue(q, p, in, &pk)) {
      d->qn_q = (uint8_t)pk;
      d->rr_q = (uint8_t)pk;
      d->size_q = in->q_size[pk];
      d->desc_q = in->q_desc[pk];
      d->avail_q = in->q_avail[pk];
      d->used_q = in->q_used[pk];
      d->second_q = 0;
      memset(d->buf_q, 0, sizeof d->buf_q);
      d->bcnt_q = 0;
      d->len_q = 2;
      if (q->avail_idx_q[pk] == q->last_avail_q[pk]) {
        /* avail.idx at q_avail + 2 */
        uint8_t n, skip;
        uint16_t len;
        idx_read_shape(q->last_avail_q[pk], in->q_size[pk], &n, &skip, &len);
        d->db_clr_q = 1ull << pk;
        d->chk_q &= ~(1ull << pk);
        d->addr_q = in->q_avail[pk] + 2u;
        d->len_q = len;
        d->hreq_q = n;
        if (n != 0) {
          d->hq_q = (uint8_t)pk;
          d->hstart_q = q->last_avail_q[pk];
          d->hcnt_q = 0;
          d->hskip_q = skip;
          d->hfill_q = (uint8_t)(q->last_avail_q[pk] & 31u);
          d->boff_q = 0;
        }
        d->st_q = FetchIdxReq;
      } else {
        d->slot_q = in->slot_id;
        d->st_q = FetchHead;
      }
    } else if (pf_go) {
      /* The next chain's window, from its head (a window read as FetchLook issues it). */
      d->base_q = q->desc_q;
      d->max_q = q->size_q;
      d->ind_q = 0;
      d->didx_q = hval;
      d->wv_q[0] = 0;
      d->wq_q[0] = q->qn_q;
      d->wbase_q[0] = q->desc_q;
      d->wfirst_q[0] = pf_first;
      d->wcnt_q[0] = 0;
      d->waidx_q[0] = cur_aidx;
      d->len_q = (uint16_t)(16u * pf_n);
      memset(d->buf_q, 0, sizeof d->buf_q);
      d->bcnt_q = 0;
      d->pre_q = 1;
      d->place_q = 1;
      d->st_q = FetchDescReq;
    }
    break;
  }
  case FetchIdxReq:
    if (in->rdq_ready) {
      d->st_q = FetchIdxRsp;
    }
    break;
  case FetchIdxRsp:
    if (m_rv) {
      /* The index: the first two bytes. The ring entries after it: into the head buffer. */
      if (q->bcnt_q < 2) {
        memcpy(d->buf_q, nb, sizeof d->buf_q);
        d->bcnt_q = nb_cnt;
      }
      if (q->hreq_q != 0) {
        place_heads(q, in, d->hb_q);
      }
      d->boff_q = (uint8_t)(q->boff_q + in->rdr_n);
      if (in->rdr_last) {
        uint16_t idx = q->bcnt_q >= 2 ? le16(q->buf_q) : le16(nb);
        memset(d->buf_q, 0, sizeof d->buf_q);
        d->bcnt_q = 0;
        if (in->rdr_err) {
          fail(d, VEP_ERR_RING_DMA);
        } else if ((uint16_t)(idx - cur_last) > q->size_q) {
          fail(d, VEP_ERR_AVAIL_JUMP);
        } else {
          d->avail_idx_q[q->qn_q] = idx;
          /* Entries at positions before the index are valid. */
          if (q->hreq_q != 0) {
            uint16_t got = (uint16_t)(idx - cur_last);
            d->hcnt_q = (uint8_t)(got < q->hreq_q ? got : q->hreq_q);
          }
          if (idx != cur_last) {
            if (in->slot_free && in->run) {
              d->slot_q = in->slot_id;
              d->st_q = FetchHead;
            } else {
              d->st_q = FetchIdle;
            }
          } else if (in->feat_event_idx && !q->second_q && in->run) {
            /* avail_event at q_used + 4 + 8*size */
            d->addr_q = q->used_q + 4u + 8u * (uint64_t)q->size_q;
            d->len_q = 2;
            d->wdata_q = cur_last;
            d->hreq_q = 0;
            d->st_q = FetchEvtReq;
          } else {
            d->st_q = FetchIdle;
          }
        }
      }
    }
    break;
  case FetchEvtReq:
    if (in->wrq_ready) {
      d->st_q = FetchEvtData;
    }
    break;
  case FetchEvtData:
    if (in->wrd_ready) {
      d->st_q = FetchEvtWait;
    }
    break;
  case FetchEvtWait:
    if (in->wr_done) {
      if (in->wr_err) {
        fail(d, VEP_ERR_RING_DMA);
      } else if (in->run) {
        /* avail.idx once more: the driver may have published before it saw avail_event */
        uint8_t n, skip;
        uint16_t len;
        idx_read_shape(cur_last, q->size_q, &n, &skip, &len);
        d->second_q = 1;
        d->addr_q = q->avail_q + 2u;
        d->len_q = len;
        d->hreq_q = n;
        if (n != 0) {
          d->hq_q = q->qn_q;
          d->hstart_q = cur_last;
          d->hcnt_q = 0;
          d->hskip_q = skip;
          d->hfill_q = (uint8_t)(cur_last & 31u);
          d->boff_q = 0;
        }
        d->st_q = FetchIdxReq;
      } else {
        d->st_q = FetchIdle;
      }
    }
    break;
  case FetchHead:
    if (!in->run) {
      d->st_q = FetchIdle;
    } else if (hhit) {
      if (hval >= q->size_q) {
        fail(d, VEP_ERR_HEAD_RANGE);
      } else {
        d->head_q = hval;
        d->base_q = q->desc_q;
        d->max_q = q->size_q;
        d->ind_q = 0;
        d->didx_q = hval;
        d->vis_q = 1;
        d->nseg_q = 0;
        d->nr_q = 0;
        d->seen_w_q = 0;
        d->rbytes_q = 0;
        d->wbytes_q = 0;
        d->st_q = FetchLook;
      }
    } else if (q->ra_st_q == VEP_FETCH_RA_IDLE) {
      /* (While the read-ahead runs it may bring this entry: wait for it.)
       * ring[last_avail mod size ..] at q_avail + 4 + 2*(.); the size is a power of two */
      uint16_t ent = (uint16_t)(cur_last & (uint16_t)(q->size_q - 1u));
      d->addr_q = q->avail_q + 4u + 2u * (uint64_t)ent;
      d->len_q = (uint16_t)(2u * hn);
      d->hq_q = q->qn_q;
      d->hstart_q = cur_last;
      d->hcnt_q = 0;
      d->hskip_q = 0;
      d->hfill_q = (uint8_t)(cur_last & 31u);
      d->boff_q = 0;
      d->st_q = FetchRingReq;
    }
    break;
  case FetchRingReq:
    if (in->rdq_ready) {
      d->st_q = FetchRingRsp;
    }
    break;
  case FetchRingRsp:
    if (m_rv) {
      place_heads(q, in, d->hb_q);
      d->boff_q = (uint8_t)(q->boff_q + in->rdr_n);
      if (in->rdr_last) {
        if (in->rdr_err) {
          fail(d, VEP_ERR_RING_DMA);
        } else {
          d->hcnt_q = (uint8_t)((q->len_q >> 1) & 127u);
          d->st_q = FetchHead;
        }
      }
    }
    break;
  case FetchLook:
    if (w_hit) {
      ram_re = 1;
      ram_ra = r * VEP_VQ_FETCH_WIN + (w_off & (VEP_VQ_FETCH_WIN - 1u));
      d->st_q = FetchUse;
    } else if (in->run && !ra_req) {
      /* A window from this descriptor: inside the table, at most VEP_VQ_FETCH_WIN entries (after
       * the read-ahead's request, if it is offering one). */
      d->wv_q[r] = 0;
      d->wq_q[r] = q->qn_q;
      d->wbase_q[r] = q->base_q;
      d->wfirst_q[r] = w_first;
      d->wcnt_q[r] = 0;
      d->waidx_q[r] = cur_aidx;
      d->len_q = (uint16_t)(16u * w_n);
      memset(d->buf_q, 0, sizeof d->buf_q);
      d->bcnt_q = 0;
      d->place_q = 1;
      d->st_q = FetchDescReq;
    } else if (!in->run) {
      d->st_q = FetchIdle;
    }
    break;
  case FetchDescReq:
    if (q->place_q) {
      /* The placement was registered (wfirst) on entry: the address is formed from it here, a
       * cycle before the request is offered, so that the placement and this 64-bit add are not
       * one combinational path in the RTL. */
      d->addr_q = q->base_q + 16u * (uint64_t)q->wfirst_q[r];
    } else if (in->rdq_ready) {
      d->st_q = FetchDescRsp;
    }
    break;
  case FetchDescRsp:
    if (m_rv) {
      memcpy(d->buf_q, nb, sizeof d->buf_q);
      d->bcnt_q = nb_cnt;
      if (nb_cnt >= 16) {
        /* A whole descriptor: into the window, the rest kept. */
        ram_we = 1;
        ram_wa = r * VEP_VQ_FETCH_WIN + (q->wcnt_q[r] & (VEP_VQ_FETCH_WIN - 1u));
        memset(d->buf_q, 0, sizeof d->buf_q);
        memcpy(d->buf_q, nb + 16, 8);
        d->bcnt_q = (uint8_t)(nb_cnt - 16u);
        d->wcnt_q[r] = (uint8_t)((q->wcnt_q[r] + 1u) & 127u);
      }
      if (in->rdr_last) {
        memset(d->buf_q, 0, sizeof d->buf_q);
        d->bcnt_q = 0;
        if (in->rdr_err) {
          fail(d, VEP_ERR_RING_DMA);
        } else {
          d->wv_q[r] = 1;
          /* A window read ahead of the walk: back to waiting for a slot. */
          d->st_q = q->pre_q ? FetchIdle : FetchLook;
          d->pre_q = 0;
        }
      }
    }
    break;
  case FetchUse:
    use_desc(q, p, in, d);
    break;
  case FetchChain:
    if (in->chain_ready) {
      d->last_avail_q[q->qn_q] = (uint16_t)(cur_last + 1u);
      /* The last entry known: look at avail.idx again without waiting for a doorbell. With
       * EVENT_IDX the driver notifies only when it passes avail_event, which is written only when
       * the ring is found empty, so the device must look by itself. */
      if ((uint16_t)(cur_last + 1u) == q->avail_idx_q[q->qn_q]) {
        d->chk_q |= 1ull << q->qn_q;
      }
      d->st_q = FetchIdle;
    }
    break;
  case FetchHalt:
    break;
  case FetchDrain:
    if (in->wr_done) {
      d->st_q = FetchIdle;
    }
    break;
  default:
    d->st_q = FetchIdle;
    break;
  }

  read_ahead(q, in, d, r_rv);

  /* Outstanding reads, in request order. */
  {
    int main_take = in->rdq_ready && (q->st_q == FetchIdxReq || q->st_q == FetchRingReq ||
                                      (q->st_q == FetchDescReq && !q->place_q));
    int ra_take = in->rdq_ready && ra_req;
    d->mo_q = (uint8_t)((q->mo_q && !(m_rv && in->rdr_last)) || main_take);
    d->ro_q = (uint8_t)((q->ro_q && !(r_rv && in->rdr_last)) || ra_take);
    d->first_q = (d->mo_q && d->ro_q) ? (uint8_t)(main_take ? 1 : (ra_take ? 0 : q->first_q))
                                      : d->ro_q;
  }

  /* A visit that ends while run is low (abandoned before its next request or descriptor) is done
   * again from the avail.idx read: it may have cleared the doorbell and not yet written
   * avail_event. */
  if (!in->run && d->st_q == FetchIdle &&
      (q->st_q == FetchIdxRsp || q->st_q == FetchEvtWait || q->st_q == FetchHead ||
       q->st_q == FetchLook || q->st_q == FetchUse)) {
    d->chk_q |= 1ull << q->qn_q;
  }

  if (in->dev_reset) {
    /* Forget every index, the head buffer, the windows and the error. A read in flight is
     * forgotten (no beat of it comes); a write taken on or before this edge still ends with a
     * wr_done: wait for it. */
    for (unsigned i = 0; i < VEP_VQ_FETCH_QUEUES_MAX; i++) {
      d->last_avail_q[i] = 0;
      d->avail_idx_q[i] = 0;
    }
    d->chk_q = 0;
    d->hcnt_q = 0;
    d->wv_q[0] = 0;
    d->wv_q[1] = 0;
    d->seg_we_q = 0;
    d->db_clr_q = 0;
    d->dev_err_q = 0;
    d->err_code_q = 0;
    memset(d->buf_q, 0, sizeof d->buf_q);
    d->bcnt_q = 0;
    ram_we = 0;
    d->ra_st_q = VEP_FETCH_RA_IDLE;
    d->ra_vld_q = 0;
    d->mo_q = 0;
    d->ro_q = 0;
    d->first_q = 0;
    d->pre_q = 0;
    d->place_q = 0;
    if ((q->st_q == FetchEvtReq && in->wrq_ready) || q->st_q == FetchEvtData ||
        ((q->st_q == FetchEvtWait || q->st_q == FetchDrain) && !in->wr_done)) {
      d->st_q = FetchDrain;
    } else {
      d->st_q = FetchIdle;
    }
  }

  /* ---- descriptor memory: the registered read, then the write (read-before-write) ---- */
  if (ram_re) {
    memcpy(d->dram_q, mem->dmem[ram_ra], 16);
  }
  if (ram_we) {
    memcpy(mem->dmem[ram_wa], nb, 16);
  }
}
