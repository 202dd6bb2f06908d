/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of rtl/vep_vq_fetch.sv; see vep_vq_fetch.h and docs/datapath.md. */
#include "vep_vq_fetch.h"

#include <string.h>

#include "vep_consts.h"

/* The RTL's SegAddrW: $clog2(VEP_BLK_SLOTS * SEG_SLOTS). */
static unsigned seg_addr_w(const vep_params_t *p)
{
  unsigned n = VEP_BLK_SLOTS * VEP_VQ_FETCH_SEG_SLOTS(p);
  unsigned w = 0;
  while ((1u << w) < n) {
    w++;
  }
  return w;
}

void vep_vq_fetch_reset(vep_vq_fetch_q_t *q, const vep_params_t *p)
{
  *q = (vep_vq_fetch_q_t){0};
  q->rr_q = (uint8_t)(p->NUM_QUEUES - 1u);
}

void vep_vq_fetch_outputs(const vep_vq_fetch_q_t *q, const vep_params_t *p,
                          vep_vq_fetch_out_t *out)
{
  (void)p;
  out->doorbell_clr = q->db_clr_q;
  out->rdq_valid = q->st_q == FetchIdxReq || q->st_q == FetchRingReq || q->st_q == FetchDescReq;
  out->rdq_addr = q->addr_q;
  out->rdq_len = q->len_q;
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
  out->idle = (q->st_q == FetchIdle || q->st_q == FetchHalt) && !q->dev_err_q;
}

/* This beat's byte window appended to the assembled response bytes (at most 16 are kept). */
static void append_beat(const vep_vq_fetch_q_t *q, const vep_vq_fetch_in_t *in, uint8_t nb[16],
                        uint8_t *cnt)
{
  memcpy(nb, q->buf_q, 16);
  *cnt = q->bcnt_q;
  for (unsigned j = 0; j < in->rdr_n; j++) {
    unsigned b = in->rdr_lo + j;
    uint8_t byte = b < 8 ? (uint8_t)(in->rdr_data >> (8 * b)) : 0;
    if (*cnt < 16) {
      nb[*cnt] = byte;
      (*cnt)++;
    }
  }
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
    int db = ((in->doorbell | q->chk_q) >> i) & 1u;
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

/* A descriptor is complete (its response's last beat, without error): check it, then follow it. */
static void take_desc(const vep_vq_fetch_q_t *q, const vep_params_t *p,
                      const vep_vq_fetch_in_t *in, const uint8_t nb[16], vep_vq_fetch_q_t *d)
{
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
      d->vis_q = 1;
      d->addr_q = addr;
      d->len_q = 16;
      d->st_q = in->run ? FetchDescReq : FetchIdle;
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
      d->addr_q = q->base_q + 16u * (uint64_t)next;
      d->len_q = 16;
      d->st_q = in->run ? FetchDescReq : FetchIdle;
    } else {
      d->st_q = FetchChain;
    }
  }
}

void vep_vq_fetch_next(const vep_vq_fetch_q_t *q, const vep_params_t *p,
                       const vep_vq_fetch_in_t *in, vep_vq_fetch_q_t *d)
{
  uint16_t cur_last = q->last_avail_q[q->qn_q];
  uint8_t nb[16];
  uint8_t nb_cnt;

  append_beat(q, in, nb, &nb_cnt);
  d->seg_we_q = 0;
  d->db_clr_q = 0;
  d->dev_err_q = 0;

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
        d->db_clr_q = 1ull << pk;
        d->chk_q &= ~(1ull << pk);
        d->addr_q = in->q_avail[pk] + 2u;
        d->st_q = FetchIdxReq;
      } else {
        /* ring[last_avail mod size] at q_avail + 4 + 2*(.); the size is a power of two */
        uint16_t ent = (uint16_t)(q->last_avail_q[pk] & (uint16_t)(in->q_size[pk] - 1u));
        d->addr_q = in->q_avail[pk] + 4u + 2u * (uint64_t)ent;
        d->slot_q = in->slot_id;
        d->st_q = FetchRingReq;
      }
    }
    break;
  }
  case FetchIdxReq:
    if (in->rdq_ready) {
      d->st_q = FetchIdxRsp;
    }
    break;
  case FetchIdxRsp:
    if (in->rdr_valid) {
      memcpy(d->buf_q, nb, 16);
      d->bcnt_q = nb_cnt;
      if (in->rdr_last) {
        uint16_t idx = le16(nb);
        memset(d->buf_q, 0, sizeof d->buf_q);
        d->bcnt_q = 0;
        if (in->rdr_err) {
          fail(d, VEP_ERR_RING_DMA);
        } else if ((uint16_t)(idx - cur_last) > q->size_q) {
          fail(d, VEP_ERR_AVAIL_JUMP);
        } else {
          d->avail_idx_q[q->qn_q] = idx;
          if (idx != cur_last) {
            if (in->slot_free && in->run) {
              uint16_t ent = (uint16_t)(cur_last & (uint16_t)(q->size_q - 1u));
              d->addr_q = q->avail_q + 4u + 2u * (uint64_t)ent;
              d->len_q = 2;
              d->slot_q = in->slot_id;
              d->st_q = FetchRingReq;
            } else {
              d->st_q = FetchIdle;
            }
          } else if (in->feat_event_idx && !q->second_q && in->run) {
            /* avail_event at q_used + 4 + 8*size */
            d->addr_q = q->used_q + 4u + 8u * (uint64_t)q->size_q;
            d->len_q = 2;
            d->wdata_q = cur_last;
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
        d->second_q = 1;
        d->addr_q = q->avail_q + 2u;
        d->len_q = 2;
        d->st_q = FetchIdxReq;
      } else {
        d->st_q = FetchIdle;
      }
    }
    break;
  case FetchRingReq:
    if (in->rdq_ready) {
      d->st_q = FetchRingRsp;
    }
    break;
  case FetchRingRsp:
    if (in->rdr_valid) {
      memcpy(d->buf_q, nb, 16);
      d->bcnt_q = nb_cnt;
      if (in->rdr_last) {
        uint16_t head = le16(nb);
        memset(d->buf_q, 0, sizeof d->buf_q);
        d->bcnt_q = 0;
        if (in->rdr_err) {
          fail(d, VEP_ERR_RING_DMA);
        } else if (head >= q->size_q) {
          fail(d, VEP_ERR_HEAD_RANGE);
        } else if (in->run) {
          d->head_q = head;
          d->base_q = q->desc_q;
          d->max_q = q->size_q;
          d->ind_q = 0;
          d->vis_q = 1;
          d->nseg_q = 0;
          d->nr_q = 0;
          d->seen_w_q = 0;
          d->rbytes_q = 0;
          d->wbytes_q = 0;
          d->addr_q = q->desc_q + 16u * (uint64_t)head;
          d->len_q = 16;
          d->st_q = FetchDescReq;
        } else {
          d->st_q = FetchIdle;
        }
      }
    }
    break;
  case FetchDescReq:
    if (in->rdq_ready) {
      d->st_q = FetchDescRsp;
    }
    break;
  case FetchDescRsp:
    if (in->rdr_valid) {
      memcpy(d->buf_q, nb, 16);
      d->bcnt_q = nb_cnt;
      if (in->rdr_last) {
        memset(d->buf_q, 0, sizeof d->buf_q);
        d->bcnt_q = 0;
        if (in->rdr_err) {
          fail(d, VEP_ERR_RING_DMA);
        } else {
          take_desc(q, p, in, nb, d);
        }
      }
    }
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

  /* A visit that ends while run is low (abandoned before its next request) is done again from the
   * avail.idx read: it may have cleared the doorbell and not yet written avail_event. */
  if (!in->run && d->st_q == FetchIdle &&
      (q->st_q == FetchIdxRsp || q->st_q == FetchEvtWait || q->st_q == FetchRingRsp ||
       q->st_q == FetchDescRsp)) {
    d->chk_q |= 1ull << q->qn_q;
  }

  if (in->dev_reset) {
    /* Forget every index and the error. A read in flight is forgotten (no beat of it comes); a
     * write taken on or before this edge still ends with a wr_done: wait for it. */
    for (unsigned i = 0; i < VEP_VQ_FETCH_QUEUES_MAX; i++) {
      d->last_avail_q[i] = 0;
      d->avail_idx_q[i] = 0;
    }
    d->chk_q = 0;
    d->seg_we_q = 0;
    d->db_clr_q = 0;
    d->dev_err_q = 0;
    d->err_code_q = 0;
    memset(d->buf_q, 0, sizeof d->buf_q);
    d->bcnt_q = 0;
    if ((q->st_q == FetchEvtReq && in->wrq_ready) || q->st_q == FetchEvtData ||
        ((q->st_q == FetchEvtWait || q->st_q == FetchDrain) && !in->wr_done)) {
      d->st_q = FetchDrain;
    } else {
      d->st_q = FetchIdle;
    }
  }
}
