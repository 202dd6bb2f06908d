/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of rtl/vep_vq_used.sv; see vep_vq_used.h and docs/datapath.md. */
#include "vep_vq_used.h"

#include "vep_consts.h"

void vep_vq_used_reset(vep_vq_used_q_t *q, const vep_params_t *p)
{
  (void)p;
  *q = (vep_vq_used_q_t){0};
}

void vep_vq_used_outputs(const vep_vq_used_q_t *q, const vep_params_t *p, vep_vq_used_out_t *out)
{
  (void)p;
  out->done_ready = q->st_q == UsedIdle;
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
  out->idle = q->st_q == UsedIdle && q->q_irq_q == 0 && !q->dev_err_q;
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

void vep_vq_used_next(const vep_vq_used_q_t *q, const vep_params_t *p, const vep_vq_used_in_t *in,
                      vep_vq_used_q_t *d)
{
  int wr_end = 0;  /* the write in flight ended (its wr_done) */

  d->q_irq_q = 0;
  d->dev_err_q = 0;

  switch ((vep_used_state_t)q->st_q) {
  case UsedIdle: {
    unsigned qn = in->done.q;
    /* Dropped (taken, nothing written): after a DMA error, without DRIVER_OK, for a queue that
     * does not exist, or on the reset edge. */
    if (in->done_valid && !q->err_q && in->run && qn < p->NUM_QUEUES && !in->dev_reset) {
      uint16_t idx = q->used_idx_q[qn];
      uint16_t size = in->q_size[qn];
      d->qn_q = (uint8_t)qn;
      d->old_idx_q = idx;
      d->size_q = size;
      d->avail_q = in->q_avail[qn];
      d->used_q = in->q_used[qn];
      d->evt_q = in->feat_event_idx != 0;
      /* The element at q_used + 4 + 8*(idx mod size); the size is a power of two. */
      d->addr_q = in->q_used[qn] + 4u + 8u * (uint64_t)(uint16_t)(idx & (uint16_t)(size - 1u));
      d->len_q = 8;
      d->wdata_q = (uint64_t)in->done.len << 32 | in->done.head;
      d->wn_q = 8;
      d->used_idx_q[qn] = (uint16_t)(idx + 1u);
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
      d->st_q = UsedElemWait;
    }
    break;
  case UsedElemWait:
    if (in->wr_done) {
      wr_end = 1;
      /* The used index, 2 bytes at q_used + 2. */
      d->addr_q = q->used_q + 2u;
      d->len_q = 2;
      d->wdata_q = (uint16_t)(q->old_idx_q + 1u);
      d->wn_q = 2;
      d->st_q = UsedIdxReq;
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
      d->sup_q = 0;
      d->sup_n_q = 0;
      d->st_q = UsedEvtReq;
    }
    break;
  case UsedEvtReq:
    if (in->rdq_ready) {
      d->st_q = UsedEvtData;
    }
    break;
  case UsedEvtData:
    if (in->rdr_valid) {
      uint16_t sup;
      uint8_t n;
      sup_append(q, in, &sup, &n);
      d->sup_q = sup;
      d->sup_n_q = n;
      if (in->rdr_last) {
        d->st_q = UsedIdle;
        if (!q->discard_q) {
          if (in->rdr_err) {
            d->err_q = 1;
            d->dev_err_q = 1;
          } else {
            /* vring_need_event(used_event, new, old) with new = old + 1; without EVENT_IDX,
             * unless VRING_AVAIL_F_NO_INTERRUPT. */
            uint16_t nw = (uint16_t)(q->old_idx_q + 1u);
            int want = q->evt_q ? (uint16_t)(nw - sup - 1u) < (uint16_t)(nw - q->old_idx_q)
                                : (sup & VEP_VRING_AVAIL_F_NO_INTERRUPT) == 0;
            if (want) {
              d->q_irq_q = 1ull << q->qn_q;
            }
          }
        }
        d->discard_q = 0;
      }
    }
    break;
  default:
    d->st_q = UsedIdle;
    break;
  }

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

  if (in->dev_reset) {
    /* Forget every index and the error. A request not yet taken is withdrawn. A write taken
     * (also on this edge) still ends with its wr_done (vep_dma_wr answers every request it took,
     * without taking more data): wait for it and swallow it. A read taken is forgotten by
     * vep_dma_rd, which delivers nothing more for it. */
    for (unsigned i = 0; i < VEP_VQ_USED_QUEUES_MAX; i++) {
      d->used_idx_q[i] = 0;
    }
    d->err_q = 0;
    d->q_irq_q = 0;
    d->dev_err_q = 0;
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
