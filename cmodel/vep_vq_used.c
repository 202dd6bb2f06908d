/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of rtl/vep_vq_used.sv; see vep_vq_used.h and docs/datapath.md. */
#include "vep_vq_used.h"

#include "vep_consts.h"

#define FQ_MASK (VEP_VQ_USED_DEPTH - 1u)
#define RT_MASK (VEP_VQ_USED_READS - 1u)

_Static_assert(VEP_VQ_USED_DEPTH >= 2 && (VEP_VQ_USED_DEPTH & (VEP_VQ_USED_DEPTH - 1u)) == 0,
               "the done queue's depth is a power of two");
_Static_assert(VEP_VQ_USED_READS >= 2 && (VEP_VQ_USED_READS & (VEP_VQ_USED_READS - 1u)) == 0,
               "the read tracker's depth is a power of two");

void vep_vq_used_reset(vep_vq_used_q_t *q, const vep_params_t *p)
{
  (void)p;
  *q = (vep_vq_used_q_t){0};
}

void vep_vq_used_outputs(const vep_vq_used_q_t *q, const vep_params_t *p, vep_vq_used_out_t *out)
{
  (void)p;
  out->done_ready = q->fq_n_q != VEP_VQ_USED_DEPTH;
  out->rdq_valid = q->st_q == UsedEvtReq;
  out->rdq_addr = q->addr_q;
  out->rdq_len = q->len_q;
  out->wrq_valid = q->st_q == UsedElemReq || q->st_q == UsedIdxReq;
  out->wrq_addr = q->addr_q;
  out->wrq_len = q->len_q;
  out->wrd_valid = q->st_q == UsedElemData || q->st_q == UsedIdxData;
  out->wrd_data = q->wdata_q;
  out->wrd_lo = 0;
  out->wrd_n = q->wn_q;
  out->q_irq = q->q_irq_q;
  out->dev_err = q->dev_err_q;
  out->dev_err_code = q->dev_err_q ? VEP_ERR_USED_DMA : VEP_ERR_NONE;
  out->idle = q->st_q == UsedIdle && q->fq_n_q == 0 && q->rt_n_q == 0 && q->q_irq_q == 0 &&
              !q->dev_err_q;
}

/* The bytes of a response beat (lo .. lo+n-1, in address order) appended to the 2-byte field. */
static void sup_append(const vep_vq_used_q_t *q, const vep_vq_used_in_t *in, uint16_t *sup,
                       uint8_t *n)
{
  *sup = q->sup_q;
  *n = q->sup_n_q;
  for (unsigned b = 0; b < 8; b++) {
    if (b >= in->rdr_lo && b < (unsigned)in->rdr_lo + in->rdr_n && *n < 2) {
      unsigned byte = (unsigned)(in->rdr_data >> (8 * b)) & 0xFFu;
      *sup = (uint16_t)(*n == 0 ? (*sup & 0xFF00u) | byte : (*sup & 0x00FFu) | byte << 8);
      (*n)++;
    }
  }
}

/* The used element of queued done i: {id = head, len}. */
static uint64_t fq_elem(const vep_vq_used_q_t *q, unsigned i)
{
  return (uint64_t)q->fq_len_q[i & FQ_MASK] << 32 | q->fq_head_q[i & FQ_MASK];
}

/* The batch: how many queued dones from the head belong to the head's queue. */
static unsigned run_len(const vep_vq_used_q_t *q)
{
  unsigned hq = q->fq_qn_q[q->fq_rd_q];
  unsigned n = 1;
  for (unsigned i = 1; i < VEP_VQ_USED_DEPTH; i++) {
    if (i >= q->fq_n_q || q->fq_qn_q[(q->fq_rd_q + i) & FQ_MASK] != hq) break;
    n++;
  }
  return n;
}

void vep_vq_used_next(const vep_vq_used_q_t *q, const vep_params_t *p, const vep_vq_used_in_t *in,
                      vep_vq_used_q_t *d)
{
  int wr_end = 0;  /* the write in flight ended (its wr_done) */
  int pop = 0;     /* a data beat of an element write taken: its done leaves the queue */
  int rt_push = 0; /* a suppression read taken by vep_dma_rd */
  int rt_pop = 0;  /* the oldest suppression read ended */

  d->q_irq_q = 0;
  d->dev_err_q = 0;

  switch ((vep_used_state_t)q->st_q) {
  case UsedIdle: {
    /* A batch needs room for its suppression read. While reads are in flight it waits for
     * VEP_VQ_USED_BATCH_MIN dones (bigger batches, fewer TLPs), unless none is in flight. */
    int may_start = q->fq_n_q >= VEP_VQ_USED_BATCH_MIN && q->rt_n_q != VEP_VQ_USED_READS;
    if (q->fq_n_q != 0 && (q->rt_n_q == 0 || may_start) && !in->dev_reset) {
      unsigned qn = q->fq_qn_q[q->fq_rd_q];
      unsigned run = run_len(q);
      uint16_t idx = q->used_idx_q[qn];
      uint16_t size = in->q_size[qn];
      uint16_t slot = (uint16_t)(idx & (uint16_t)(size - 1u));
      unsigned room = (unsigned)size - slot;  /* size is a power of two, so room >= 1 */
      unsigned first = run <= room ? run : room;
      d->qn_q = (uint8_t)qn;
      d->old_idx_q = idx;
      d->new_idx_q = (uint16_t)(idx + run);
      d->size_q = size;
      d->avail_q = in->q_avail[qn];
      d->used_q = in->q_used[qn];
      d->evt_q = in->feat_event_idx != 0;
      /* The first element at q_used + 4 + 8*(old mod size), up to the ring's end. */
      d->addr_q = in->q_used[qn] + 4u + 8u * (uint64_t)slot;
      d->len_q = (uint16_t)(8u * first);
      d->bn_q = (uint8_t)first;
      d->rest_q = (uint8_t)(run - first);
      d->wdata_q = fq_elem(q, q->fq_rd_q);
      d->wn_q = 8;
      d->used_idx_q[qn] = (uint16_t)(idx + run);
      d->st_q = UsedElemReq;
    }
    break;
  }
  case UsedElemReq:
    if (in->wrq_ready) {
      d->st_q = UsedElemData;
    }
    break;
  case UsedElemData:
    if (in->wrd_ready) {
      pop = 1;
      d->bn_q = (uint8_t)(q->bn_q - 1u);
      d->wdata_q = fq_elem(q, q->fq_rd_q + 1u);
      if (q->bn_q == 1) {
        d->st_q = UsedElemWait;
      }
    }
    break;
  case UsedElemWait:
    if (in->wr_done) {
      wr_end = 1;
      if (q->rest_q != 0) {
        /* The rest of the batch from the ring's first slot. */
        d->addr_q = q->used_q + 4u;
        d->len_q = (uint16_t)(8u * q->rest_q);
        d->bn_q = q->rest_q;
        d->rest_q = 0;
        d->st_q = UsedElemReq;
      } else {
        /* The used index, 2 bytes at q_used + 2. */
        d->addr_q = q->used_q + 2u;
        d->len_q = 2;
        d->wdata_q = q->new_idx_q;
        d->wn_q = 2;
        d->st_q = UsedIdxReq;
      }
    }
    break;
  case UsedIdxReq:
    if (in->wrq_ready) {
      d->st_q = UsedIdxData;
    }
    break;
  case UsedIdxData:
    if (in->wrd_ready) {
      d->st_q = UsedIdxWait;
    }
    break;
  case UsedIdxWait:
    if (in->wr_done) {
      wr_end = 1;
      /* The suppression field, 2 bytes: used_event at q_avail + 4 + 2*size, or avail.flags. */
      d->addr_q = q->evt_q ? q->avail_q + 4u + 2u * (uint64_t)q->size_q : q->avail_q;
      d->len_q = 2;
      d->st_q = UsedEvtReq;
    }
    break;
  case UsedEvtReq:
    /* The read taken: its answer is decided on below, while the next batch goes on. */
    if (in->rdq_ready) {
      rt_push = 1;
      d->st_q = UsedIdle;
    }
    break;
  default:
    d->st_q = UsedIdle;
    break;
  }

  /* The oldest suppression read's answer: the batch's decision once it ended. Once the rings are
   * frozen by an error, no more messages. */
  if (in->rdr_valid && q->rt_n_q != 0) {
    uint16_t sup;
    uint8_t n;
    sup_append(q, in, &sup, &n);
    d->sup_q = sup;
    d->sup_n_q = n;
    if (in->rdr_last) {
      unsigned h = q->rt_rd_q;
      rt_pop = 1;
      d->sup_q = 0;
      d->sup_n_q = 0;
      if (in->rdr_err) {
        if (!q->err_q) {
          d->err_q = 1;
          d->dev_err_q = 1;
        }
      } else if (!q->err_q) {
        /* One decision per batch: vring_need_event(used_event, new, old), old and new the used
         * index before and after it; without EVENT_IDX, unless VRING_AVAIL_F_NO_INTERRUPT. */
        uint16_t nw = q->rt_new_q[h];
        int want = q->rt_evt_q[h] ? (uint16_t)(nw - sup - 1u) < (uint16_t)(nw - q->rt_old_q[h])
                                  : (sup & VEP_VRING_AVAIL_F_NO_INTERRUPT) == 0;
        if (want) {
          d->q_irq_q = 1ull << q->rt_qn_q[h];
        }
      }
    }
  }
  if (rt_push) {
    d->rt_qn_q[q->rt_wr_q] = q->qn_q;
    d->rt_old_q[q->rt_wr_q] = q->old_idx_q;
    d->rt_new_q[q->rt_wr_q] = q->new_idx_q;
    d->rt_evt_q[q->rt_wr_q] = q->evt_q;
    d->rt_wr_q = (uint8_t)((q->rt_wr_q + 1u) & RT_MASK);
  }
  if (rt_pop) {
    d->rt_rd_q = (uint8_t)((q->rt_rd_q + 1u) & RT_MASK);
  }
  d->rt_n_q = (uint8_t)(q->rt_n_q + rt_push - rt_pop);

  /* A write ended: an error stops the used rings (unless it belongs to the time before a reset);
   * a stale one ends here. */
  if (wr_end) {
    if (q->discard_q) {
      d->st_q = UsedIdle;
      d->discard_q = 0;
    } else if (in->wr_err) {
      d->st_q = UsedIdle;
      d->err_q = 1;
      d->dev_err_q = 1;
    }
  }

  /* The queue: a done taken whenever there is room; dropped (taken, nothing written) after a DMA
   * error, without DRIVER_OK, for a queue that does not exist, or on the reset edge. */
  int push = in->done_valid && q->fq_n_q != VEP_VQ_USED_DEPTH && !q->err_q && in->run &&
             in->done.q < p->NUM_QUEUES && !in->dev_reset;
  if (pop) {
    d->fq_rd_q = (uint8_t)((q->fq_rd_q + 1u) & FQ_MASK);
  }
  if (push) {
    d->fq_qn_q[q->fq_wr_q] = in->done.q;
    d->fq_head_q[q->fq_wr_q] = in->done.head;
    d->fq_len_q[q->fq_wr_q] = in->done.len;
    d->fq_wr_q = (uint8_t)((q->fq_wr_q + 1u) & FQ_MASK);
  }
  d->fq_n_q = (uint8_t)(q->fq_n_q + push - pop);
  /* A new DMA error drops the queued dones (the rings are frozen). */
  if (d->dev_err_q) {
    d->fq_rd_q = 0;
    d->fq_wr_q = 0;
    d->fq_n_q = 0;
  }

  if (in->dev_reset) {
    /* Forget every index, the queued dones and the error. A request not yet taken is withdrawn.
     * A write taken (also on this edge) still ends with its wr_done (vep_dma_wr answers every
     * request it took, without taking more data): wait for it and swallow it. The reads taken
     * are forgotten by vep_dma_rd, which delivers nothing more for them: so are they here, and
     * their batches send no message. */
    for (unsigned i = 0; i < VEP_VQ_USED_QUEUES_MAX; i++) {
      d->used_idx_q[i] = 0;
    }
    d->err_q = 0;
    d->q_irq_q = 0;
    d->dev_err_q = 0;
    d->fq_rd_q = 0;
    d->fq_wr_q = 0;
    d->fq_n_q = 0;
    d->rt_rd_q = 0;
    d->rt_wr_q = 0;
    d->rt_n_q = 0;
    d->sup_q = 0;
    d->sup_n_q = 0;
    switch ((vep_used_state_t)d->st_q) {
    case UsedElemData:
    case UsedElemWait:
      d->st_q = UsedElemWait;
      d->discard_q = 1;
      break;
    case UsedIdxData:
    case UsedIdxWait:
      d->st_q = UsedIdxWait;
      d->discard_q = 1;
      break;
    default:
      d->st_q = UsedIdle;
      d->discard_q = 0;
      break;
    }
  }
}
