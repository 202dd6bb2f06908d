/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of rtl/vep_blk.sv; see vep_blk.h and docs/datapath.md. Statement for statement the
 * order of the RTL always_comb, so later assignments win the same way. */
#include "vep_blk.h"

#include <string.h>

#include "vep_consts.h"

static unsigned depth(const vep_params_t *p)
{
  return VEP_BLK_SLOTS * vep_blk_seg_slots(p);
}

/* Segment memory address of segment i of slot s; out of range reads entry 0 (never used). */
static unsigned seg_addr(const vep_params_t *p, unsigned s, unsigned i)
{
  uint32_t a = (uint32_t)s * vep_blk_seg_slots(p) + i;
  return a < depth(p) ? a : 0u;
}

static uint32_t min32(uint32_t a, uint32_t b)
{
  return a < b ? a : b;
}

/* Bytes of a DATA_W word (B in rtl/vep_blk.sv). */
static unsigned beat_bytes(const vep_params_t *p)
{
  return p->DATA_W / 8u;
}

/* Byte i of a DATA_W word. */
static uint8_t wide_byte(const vep_wide_t *w, unsigned i)
{
  return (uint8_t)(w->q[i / 8u] >> (8u * (i % 8u)));
}

/* The DATA_W word of one byte v in byte 0 (the RTL's DATA_W'(v)). */
static vep_wide_t wide_of_byte(uint8_t v)
{
  vep_wide_t w;
  memset(&w, 0, sizeof w);
  w.q[0] = v;
  return w;
}

void vep_blk_reset(vep_blk_q_t *q, vep_blk_mem_t *mem, const vep_params_t *p)
{
  (void)p;
  memset(q, 0, sizeof(*q));
  memset(mem, 0, sizeof(*mem));
}

void vep_blk_outputs(const vep_blk_q_t *q, const vep_params_t *p, vep_blk_out_t *out)
{
  (void)p;
  out->slot_free = q->slot_free_q;
  out->slot_id = q->slot_id_q;
  out->chain_ready = q->chain_ready_q;
  out->rdq_valid = q->rdq_valid_q;
  out->rdq_addr = q->rdq_addr_q;
  out->rdq_len = q->rdq_len_q;
  out->wrq_valid = q->wrq_valid_q;
  out->wrq_addr = q->wrq_addr_q;
  out->wrq_len = q->wrq_len_q;
  out->wrd_valid = q->wrd_valid_q;
  out->wrd_data = q->wrd_data_q;
  out->wrd_lo = q->wrd_lo_q;
  out->wrd_n = q->wrd_n_q;
  out->m_blk_req_valid = q->req_valid_q;
  out->m_blk_req_tag = q->req_tag_q;
  out->m_blk_req_type = q->req_type_q;
  out->m_blk_req_sector = q->req_sector_q;
  out->m_blk_req_bytes = q->req_bytes_q;
  out->m_blk_wdata_valid = q->wd_valid_q;
  out->m_blk_wdata_data = q->wd_data_q;
  out->m_blk_wdata_keep = q->wd_keep_q;
  out->m_blk_wdata_last = q->wd_last_q;
  out->m_blk_wdata_abort = q->wd_abort_q;
  out->s_blk_rsp_ready = q->rsp_ready_q;
  out->done_valid = q->done_valid_q;
  out->done = q->done_q;
  out->dev_err = q->dev_err_q;
  out->dev_err_code = q->dev_err_code_q;
  out->idle = q->idle_q;
  out->bk_busy = q->bk_q != 0;
}

/* The writer's data states: a DMA write of response data being prepared or sent. */
static int wr_data_state(uint8_t st)
{
  return st == BwSegRd || st == BwSeg || st == BwReq || st == BwData;
}

/* The window of the held response beat the next DMA write beat carries. */
static uint8_t win_n(const vep_params_t *p, uint8_t hb_pos, uint16_t prem)
{
  uint32_t avail = beat_bytes(p) - hb_pos;
  return (uint8_t)min32(avail, prem);
}

void vep_blk_next(const vep_blk_q_t *q, const vep_params_t *p, const vep_blk_in_t *in,
                  vep_blk_q_t *d, vep_blk_mem_t *mem)
{
  unsigned r_inc = 0, r_dec = 0;
  unsigned w_inc = 0, w_dec = 0, wdrop_dec = 0;
  int pd_cap = 0;  /* the done stage takes the writer's request */
  const uint8_t rs = q->r_slot_q & VEP_BLK_SLOT_M;
  const uint8_t ws = q->w_slot_q & VEP_BLK_SLOT_M;
  const unsigned nb = beat_bytes(p);

  d->dev_err_q = 0;
  d->dev_err_code_q = 0;
  d->wd_valid_q = 0;
  memset(&d->wd_data_q, 0, sizeof d->wd_data_q);
  d->wd_keep_q = 0;
  d->wd_last_q = 0;
  d->wd_abort_q = 0;
  d->chain_ready_q = 1;

  /* ---- chain hand-off: the slot joins the reader's FIFO ---- */
  const int chain_hs = in->chain_valid && q->chain_ready_q;
  if (chain_hs) {
    uint8_t s = in->chain.slot & VEP_BLK_SLOT_M;
    d->busy_q |= (vep_blk_mask_t)(1u << s);
    d->sl_queue_q[s] = in->chain.q & 0x3Fu;
    d->sl_head_q[s] = in->chain.head;
    d->sl_nseg_q[s] = in->chain.nseg;
    d->sl_nr_q[s] = in->chain.nr;
    d->sl_rb_q[s] = in->chain.r_bytes;
    d->sl_wb_q[s] = in->chain.w_bytes;
    d->rf_q[q->rf_wr_q & VEP_BLK_SLOT_M] = s;
    d->rf_wr_q = (q->rf_wr_q + 1u) & VEP_BLK_SLOT_M;
  }
  int rf_pop = 0;

  /* ---- reader ---- */
  int h_take = 0, hq_pop = 0, hq_inc = 0, hq_dec = 0, d_inc = 0, d_dec = 0, rec_push = 0;
  uint8_t rec_val = 0, de = 0;
  /* The segment RAM read of the reader or the issuer, one address per cycle. */
  int rseg_rd = 0;
  unsigned rseg_ra = 0;
  const uint8_t he = q->hq_rd_q & VEP_BLK_HQ_M;  /* the reader's header entry */
  switch (q->r_st_q) {
  case BrIdle:
    /* The FIFO's head once the issuer has taken it: its header entry is hq_rd_q. */
    if (q->hq_cnt_q != 0) {
      rf_pop = 1;
      d->r_slot_q = q->rf_q[q->rf_rd_q & VEP_BLK_SLOT_M];
      d->r_st_q = BrCheck;
    }
    break;
  case BrCheck:
    if (q->sl_rb_q[rs] < VEP_BLK_HDR_BYTES || q->sl_wb_q[rs] == 0) {
      /* Nowhere to put a status: a device error, the slot is freed without a done (the issuer
       * read nothing for it). */
      d->dev_err_q = 1;
      d->dev_err_code_q = VEP_ERR_BLK_HEADERS;
      d->busy_q &= (vep_blk_mask_t)~(1u << rs);
      hq_pop = 1;
      d->r_st_q = BrIdle;
    } else {
      d->r_st_q = BrWait;
    }
    break;
  case BrSegRd:
    if (q->r_abort_q || q->r_seg_q >= q->sl_nr_q[rs]) {
      /* aborted, or the readable segments ran out before r_lim (inconsistent chain) */
      d->r_st_q = BrDrain;
    } else if (q->h_st_q == HiIdle) {
      /* The issuer is not using rseg_q or rdq (and cannot start while we are here). */
      rseg_rd = 1;
      rseg_ra = seg_addr(p, rs, q->r_seg_q);
      d->r_st_q = BrSeg;
    }
    break;
  case BrSeg: {
    uint32_t seg_end = q->r_off_q + q->rseg_q.len;
    if (q->r_abort_q) {
      d->r_st_q = BrDrain;
    } else if (q->r_pos_q >= seg_end) {
      d->r_off_q = seg_end;
      d->r_seg_q = (uint8_t)(q->r_seg_q + 1u);
      d->r_st_q = BrSegRd;
    } else if (q->r_out_q < VEP_BLK_MAX_RD_OUT) {
      uint32_t len = min32(min32(seg_end, q->r_lim_q) - q->r_pos_q, VEP_DMA_MAX_LEN);
      d->rdq_valid_q = 1;
      d->rdq_addr_q = q->rseg_q.addr + (q->r_pos_q - q->r_off_q);
      d->rdq_len_q = (uint16_t)len;
      d->r_st_q = BrReq;
    }
    break;
  }
  case BrReq:
    if (in->rdq_ready) {
      uint32_t npos = q->r_pos_q + q->rdq_len_q;
      d->rdq_valid_q = 0;
      r_inc = 1;
      d_inc = 1;
      rec_push = 1;
      rec_val = 0;
      d->r_pos_q = npos;
      d->r_st_q = npos == q->r_lim_q ? BrDrain : BrSeg;
    }
    break;
  case BrWait:
    if (((q->hq_fin_q >> he) & 1u) && q->hq_pend_q[he] == 0) {
      d->r_st_q = BrDecide;
    }
    break;
  case BrDecide: {
    uint32_t type = q->hq_type_q[he];
    uint64_t sector = q->hq_sec_q[he];
    uint32_t rb = q->sl_rb_q[rs], wb = q->sl_wb_q[rs];
    uint32_t dlen = (type == VEP_BLK_T_IN) ? wb - 1u : rb - VEP_BLK_HDR_BYTES;
    uint64_t nsec = dlen >> 9;
    int range_ok = (dlen & 511u) == 0 && sector <= in->blk_capacity &&
                   nsec <= in->blk_capacity - sector;
    int backend = 0;
    uint8_t st = VEP_BLK_S_OK;
    uint64_t rsec = 0;
    uint32_t rbytes = 0;
    hq_pop = 1;
    /* A header the readable segments do not cover (vep_vq_fetch never hands one over) is as
     * good as a failed read. */
    if (((q->hq_err_q >> he) & 1u) || q->hq_n_q[he] < VEP_BLK_HDR_BYTES) {
      st = VEP_BLK_S_IOERR;
    } else if (type == VEP_BLK_T_IN) {
      if (range_ok) {
        backend = 1;
        rsec = sector;
        rbytes = dlen;
      } else {
        st = VEP_BLK_S_IOERR;
      }
    } else if (type == VEP_BLK_T_OUT) {
      if (range_ok && !in->blk_ro) {
        backend = 1;
        rsec = sector;
        rbytes = dlen;
      } else {
        st = VEP_BLK_S_IOERR;
      }
    } else if (type == VEP_BLK_T_FLUSH) {
      backend = 1;
    } else if (type == VEP_BLK_T_GET_ID) {
      backend = 1;
      rbytes = VEP_BLK_ID_BYTES;
    } else {
      st = VEP_BLK_S_UNSUPP;
    }
    if (backend) {
      d->sl_type_q[rs] = (uint8_t)type;
      d->req_valid_q = 1;
      d->req_tag_q = rs;
      d->req_type_q = (uint8_t)type;
      d->req_sector_q = rsec;
      d->req_bytes_q = rbytes;
      d->r_st_q = BrBreq;
    } else {
      d->loc_q |= (vep_blk_mask_t)(1u << rs);
      d->sl_st_q[rs] = st;
      d->r_st_q = BrIdle;
    }
    break;
  }
  case BrBreq:
    if (in->m_blk_req_ready) {
      d->req_valid_q = 0;
      d->bk_q |= (vep_blk_mask_t)(1u << rs);
      if (q->req_type_q == VEP_BLK_T_OUT) {
        if (q->req_bytes_q == 0) {
          /* No data: the stream is one empty last beat, so every OUT ends with a last. */
          d->wd_valid_q = 1;
          d->wd_last_q = 1;
          d->r_st_q = BrIdle;
        } else {
          d->r_seg_q = 0;
          d->r_off_q = 0;
          d->r_pos_q = VEP_BLK_HDR_BYTES;
          d->r_lim_q = q->sl_rb_q[rs];
          d->r_abort_q = 0;
          d->r_wd_open_q = 1;
          d->r_st_q = BrSegRd;
        }
      } else {
        d->r_st_q = BrIdle;
      }
    }
    break;
  case BrDrain:
    if (q->d_out_q == 0) {
      d->r_st_q = BrIdle;
    }
    break;
  default:
    d->r_st_q = BrIdle;
    break;
  }

  /* ---- header issuer: reads the headers of the next slots while earlier ones are out ---- */
  switch (q->h_st_q) {
  case HiIdle:
    if (q->rf_icnt_q != 0 && q->hq_cnt_q < VEP_BLK_HDRQ && q->r_st_q != BrSegRd &&
        q->r_st_q != BrSeg && q->r_st_q != BrReq) {
      uint8_t hs = q->rf_q[q->rf_iss_q & VEP_BLK_SLOT_M] & VEP_BLK_SLOT_M;
      uint8_t e = q->hq_wr_q & VEP_BLK_HQ_M;
      h_take = 1;
      d->h_slot_q = hs;
      d->h_ent_q = e;
      d->hq_fin_q &= (vep_blk_mask_t)~(1u << e);
      d->hq_err_q &= (vep_blk_mask_t)~(1u << e);
      d->hq_n_q[e] = 0;
      if (q->sl_rb_q[hs] < VEP_BLK_HDR_BYTES || q->sl_wb_q[hs] == 0) {
        /* Nothing to read: the reader reports the device error when it gets there. */
        d->hq_fin_q |= (vep_blk_mask_t)(1u << e);
      } else {
        d->h_seg_q = 0;
        d->h_off_q = 0;
        d->h_pos_q = 0;
        d->h_st_q = HiSegRd;
      }
    }
    break;
  case HiSegRd:
    if (q->h_seg_q >= q->sl_nr_q[q->h_slot_q & VEP_BLK_SLOT_M]) {
      /* The readable segments end before the header (inconsistent chain): stop here. */
      d->hq_fin_q |= (vep_blk_mask_t)(1u << (q->h_ent_q & VEP_BLK_HQ_M));
      d->h_st_q = HiIdle;
    } else {
      rseg_rd = 1;
      rseg_ra = seg_addr(p, q->h_slot_q & VEP_BLK_SLOT_M, q->h_seg_q);
      d->h_st_q = HiSeg;
    }
    break;
  case HiSeg: {
    uint32_t seg_end = q->h_off_q + q->rseg_q.len;
    if (q->h_pos_q >= seg_end) {
      d->h_off_q = seg_end;
      d->h_seg_q = (uint8_t)(q->h_seg_q + 1u);
      d->h_st_q = HiSegRd;
    } else if (q->r_out_q < VEP_BLK_MAX_RD_OUT) {
      uint32_t len = min32(seg_end, VEP_BLK_HDR_BYTES) - q->h_pos_q;
      d->rdq_valid_q = 1;
      d->rdq_addr_q = q->rseg_q.addr + (uint32_t)(q->h_pos_q - q->h_off_q);
      d->rdq_len_q = (uint16_t)(len & 0x1FFFu);
      d->h_st_q = HiReq;
    }
    break;
  }
  case HiReq:
    if (in->rdq_ready) {
      uint8_t npos = (uint8_t)((q->h_pos_q + q->rdq_len_q) & 0x1Fu);
      d->rdq_valid_q = 0;
      r_inc = 1;
      rec_push = 1;
      rec_val = (uint8_t)(VEP_BLK_HDRQ | (q->h_ent_q & VEP_BLK_HQ_M));
      hq_inc = 1;
      d->h_pos_q = npos;
      if (npos == VEP_BLK_HDR_BYTES) {
        d->hq_fin_q |= (vep_blk_mask_t)(1u << (q->h_ent_q & VEP_BLK_HQ_M));
        d->h_st_q = HiIdle;
      } else {
        d->h_st_q = HiSeg;
      }
    }
    break;
  default:
    d->h_st_q = HiIdle;
    break;
  }

  /* ---- DMA read responses (in request order: rec_q says what each read is for) ---- */
  if (in->rdr_valid && q->r_out_q != 0) {
    uint8_t rh = q->rec_q[q->rec_rd_q & (VEP_BLK_REC - 1u)];
    if (in->rdr_last) {
      r_dec = 1;
      d->rec_rd_q = (uint8_t)((q->rec_rd_q + 1u) & (VEP_BLK_REC - 1u));
    }
    if (rh & VEP_BLK_HDRQ) {
      de = rh & VEP_BLK_HQ_M;
      if (in->rdr_last) {
        hq_dec = 1;
        if (in->rdr_err) {
          d->hq_err_q |= (vep_blk_mask_t)(1u << de);
        }
      }
      if (!in->rdr_err) {
        /* Lane i of the window is header byte hq_n + (i - lo): a header read is at most 16
         * bytes, whole in one beat when aligned at DATA_W >= 128, else over two. */
        for (unsigned i = 0; i < nb; i++) {
          if (i >= in->rdr_lo && i < (unsigned)in->rdr_lo + in->rdr_n) {
            unsigned k = q->hq_n_q[de] + (i - in->rdr_lo);
            uint64_t b = wide_byte(&in->rdr_data, i);
            if (k < 4) {
              d->hq_type_q[de] = (uint32_t)((d->hq_type_q[de] & ~(0xFFu << (8 * k))) |
                                            (b << (8 * k)));
            } else if (k >= 8 && k < 16) {
              d->hq_sec_q[de] = (d->hq_sec_q[de] & ~(0xFFull << (8 * (k & 7u)))) |
                                (b << (8 * (k & 7u)));
            }
          }
        }
        d->hq_n_q[de] = (uint8_t)((q->hq_n_q[de] + in->rdr_n) & 0x1Fu);
      }
    } else {
      if (in->rdr_last) {
        d_dec = q->d_out_q != 0;
      }
      if (q->r_wd_open_q) {
        if (in->rdr_err) {
          d->wd_valid_q = 1;
          d->wd_last_q = 1;
          d->wd_abort_q = 1;
          d->r_wd_open_q = 0;
          d->r_abort_q = 1;
          d->ioerr_q |= (vep_blk_mask_t)(1u << rs);
        } else {
          int fin = in->rdr_last && q->r_st_q == BrDrain && q->d_out_q == 1;
          d->wd_valid_q = 1;
          d->wd_data_q = in->rdr_data;
          d->wd_keep_q = (uint32_t)(((1ull << in->rdr_n) - 1u) << in->rdr_lo);
          d->wd_last_q = (uint8_t)fin;
          if (fin) {
            d->r_wd_open_q = 0;
          }
        }
      }
    }
  }
  if (rseg_rd) {
    d->rseg_q = mem->seg_mem[rseg_ra];
  }
  if (rec_push) {
    d->rec_q[q->rec_wr_q & (VEP_BLK_REC - 1u)] = rec_val;
    d->rec_wr_q = (uint8_t)((q->rec_wr_q + 1u) & (VEP_BLK_REC - 1u));
  }
  /* A header entry's outstanding reads: one issued (h_ent_q) and one answered (de) per cycle. */
  for (unsigned e = 0; e < VEP_BLK_HDRQ; e++) {
    d->hq_pend_q[e] = (uint8_t)((q->hq_pend_q[e] + (hq_inc && (q->h_ent_q & VEP_BLK_HQ_M) == e) -
                                 (hq_dec && de == e)) & 0x1Fu);
  }

  /* ---- writer ---- */
  const int rsp_hs = in->s_blk_rsp_valid && q->rsp_ready_q;
  /* In the data states a beat goes to nb_* (it is empty whenever s_blk_rsp_ready is high
   * there); its last beat closes the response at once, as in BwBeat. */
  if (rsp_hs && wr_data_state(q->w_st_q)) {
    d->nb_valid_q = 1;
    d->nb_data_q = in->s_blk_rsp_data;
    d->nb_last_q = in->s_blk_rsp_last;
    if (in->s_blk_rsp_last) {
      d->bk_q &= (vep_blk_mask_t)~(1u << ws);
      d->w_open_q = 0;
      d->w_status_q = in->s_blk_rsp_status;
    }
  }
  /* Its one read of the segment RAM per cycle, at one address (as vep_blk.sv's wseg_rd/ra). */
  int wseg_rd = 0;
  unsigned wseg_ra = 0;
  switch (q->w_st_q) {
  case BwIdle:
    if (rsp_hs) {
      uint8_t t = in->s_blk_rsp_tag & VEP_BLK_SLOT_M;
      int known = in->s_blk_rsp_tag < VEP_BLK_SLOTS && ((q->bk_q >> t) & 1u);
      if (!known) {
        /* not outstanding: dropped beat by beat */
      } else if ((q->zomb_q >> t) & 1u) {
        if (in->s_blk_rsp_last) {
          d->bk_q &= (vep_blk_mask_t)~(1u << t);
          d->zomb_q &= (vep_blk_mask_t)~(1u << t);
          d->busy_q &= (vep_blk_mask_t)~(1u << t);
        }
      } else {
        uint32_t wb = q->sl_wb_q[t];
        uint32_t dlen = q->sl_type_q[t] == VEP_BLK_T_IN       ? wb - 1u
                        : q->sl_type_q[t] == VEP_BLK_T_GET_ID ? min32(VEP_BLK_ID_BYTES, wb - 1u)
                                                              : 0u;
        int fail = in->s_blk_rsp_last && in->s_blk_rsp_status != VEP_BLK_S_OK;
        d->w_slot_q = t;
        d->w_short_q = 0;
        d->w_pos_q = 0;
        d->w_status_q = in->s_blk_rsp_status;
        d->w_open_q = !in->s_blk_rsp_last;
        if (in->s_blk_rsp_last) {
          d->bk_q &= (vep_blk_mask_t)~(1u << t);
        }
        if (!fail && dlen != 0) {
          d->w_dlen_q = dlen;
          d->hb_data_q = in->s_blk_rsp_data;
          d->hb_pos_q = 0;
          d->hb_last_q = in->s_blk_rsp_last;
          d->w_seg_q = q->sl_nr_q[t];
          d->w_off_q = 0;
          d->w_st_q = BwSegRd;
        } else {
          d->w_dlen_q = 0;
          d->w_st_q = in->s_blk_rsp_last ? BwStRd : BwDrain;
        }
      }
    } else if (q->loc_q != 0) {
      uint8_t s = 0;
      for (unsigned i = VEP_BLK_SLOTS; i-- > 0;) {
        if ((q->loc_q >> i) & 1u) {
          s = (uint8_t)i;
        }
      }
      d->loc_q &= (vep_blk_mask_t)~(1u << s);
      d->w_slot_q = s;
      d->w_dlen_q = 0;
      d->w_pos_q = 0;
      d->w_short_q = 0;
      d->w_open_q = 0;
      d->w_status_q = q->sl_st_q[s];
      d->w_st_q = BwStRd;
    }
    break;
  case BwSegRd:
    if (q->w_seg_q >= q->sl_nseg_q[ws]) {
      /* writable segments ran out before the data (inconsistent chain): give up the data */
      d->w_short_q = 1;
      d->w_st_q = d->w_open_q ? BwDrain : BwStRd;
    } else {
      wseg_rd = 1;
      wseg_ra = seg_addr(p, ws, q->w_seg_q);
      d->w_st_q = BwSeg;
    }
    break;
  case BwSeg: {
    uint32_t seg_end = q->w_off_q + q->wseg_q.len;
    if (q->w_pos_q >= seg_end) {
      d->w_off_q = seg_end;
      d->w_seg_q = (uint8_t)(q->w_seg_q + 1u);
      d->w_st_q = BwSegRd;
    } else if (q->wr_out_q < VEP_BLK_MAX_OUT) {
      uint32_t len = min32(min32(seg_end, q->w_dlen_q) - q->w_pos_q, VEP_DMA_MAX_LEN);
      d->wrq_valid_q = 1;
      d->wrq_addr_q = q->wseg_q.addr + (q->w_pos_q - q->w_off_q);
      d->wrq_len_q = (uint16_t)len;
      d->w_prem_q = (uint16_t)len;
      d->w_st_q = BwReq;
    }
    break;
  }
  case BwReq:
    if (in->wrq_ready) {
      d->wrq_valid_q = 0;
      w_inc = 1;
      d->wrd_valid_q = 1;
      d->wrd_data_q = q->hb_data_q;
      d->wrd_lo_q = q->hb_pos_q;
      d->wrd_n_q = win_n(p, q->hb_pos_q, q->w_prem_q);
      d->w_st_q = BwData;
    }
    break;
  case BwData:
    if (in->wrd_ready) {
      uint8_t npos = (uint8_t)(q->hb_pos_q + q->wrd_n_q);
      uint16_t nprem = (uint16_t)(q->w_prem_q - q->wrd_n_q);
      uint32_t nwpos = q->w_pos_q + q->wrd_n_q;
      d->w_prem_q = nprem;
      d->w_pos_q = nwpos;
      d->hb_pos_q = npos;
      d->wrd_valid_q = 0;
      if (npos == nb && !q->hb_last_q && (nprem != 0 || nwpos != q->w_dlen_q)) {
        if (d->nb_valid_q) {
          /* The next beat is at hand (held, or taken on this edge): no bubble. */
          d->hb_data_q = d->nb_data_q;
          d->hb_pos_q = 0;
          d->hb_last_q = d->nb_last_q;
          d->nb_valid_q = 0;
          if (nprem != 0) {
            d->wrd_valid_q = 1;
            d->wrd_data_q = d->nb_data_q;
            d->wrd_lo_q = 0;
            d->wrd_n_q = win_n(p, 0, nprem);
          } else {
            d->w_st_q = BwSeg;
          }
        } else {
          d->w_st_q = BwBeat;
        }
      } else {
        if (npos == nb) {
          /* The response ended before its data (fewer beats than announced): the rest of
           * the DMA write repeats the last beat and the status becomes IOERR. */
          if (nprem != 0 || nwpos != q->w_dlen_q) {
            d->w_short_q = 1;
          }
          d->hb_pos_q = 0;
          npos = 0;
        }
        if (nprem != 0) {
          d->wrd_valid_q = 1;
          d->wrd_lo_q = npos;
          d->wrd_n_q = win_n(p, npos, nprem);
        } else if (nwpos == q->w_dlen_q) {
          d->w_st_q = d->w_open_q ? BwDrain : BwStRd;
        } else {
          d->w_st_q = BwSeg;
        }
      }
    }
    break;
  case BwBeat:
    if (rsp_hs) {
      d->hb_data_q = in->s_blk_rsp_data;
      d->hb_pos_q = 0;
      d->hb_last_q = in->s_blk_rsp_last;
      if (in->s_blk_rsp_last) {
        d->bk_q &= (vep_blk_mask_t)~(1u << ws);
        d->w_open_q = 0;
        d->w_status_q = in->s_blk_rsp_status;
      }
      if (q->w_prem_q != 0) {
        d->wrd_valid_q = 1;
        d->wrd_data_q = in->s_blk_rsp_data;
        d->wrd_lo_q = 0;
        d->wrd_n_q = win_n(p, 0, q->w_prem_q);
        d->w_st_q = BwData;
      } else {
        d->w_st_q = BwSeg;
      }
    }
    break;
  case BwDrain:
    if (rsp_hs && in->s_blk_rsp_last) {
      d->bk_q &= (vep_blk_mask_t)~(1u << ws);
      d->w_open_q = 0;
      d->w_status_q = in->s_blk_rsp_status;
      if ((q->zomb_q >> ws) & 1u) {
        d->zomb_q &= (vep_blk_mask_t)~(1u << ws);
        d->busy_q &= (vep_blk_mask_t)~(1u << ws);
        d->w_st_q = BwIdle;
      } else {
        d->w_st_q = BwStRd;
      }
    }
    break;
  case BwStRd:
    wseg_rd = 1;
    wseg_ra = seg_addr(p, ws, (uint32_t)q->sl_nseg_q[ws] - 1u);
    d->w_st_q = BwSt;
    break;
  case BwSt:
    if (q->wr_out_q < VEP_BLK_MAX_OUT) {
      d->wrq_valid_q = 1;
      d->wrq_addr_q = q->wseg_q.addr + q->wseg_q.len - 1u;
      d->wrq_len_q = 1;
      if (((q->ioerr_q >> ws) & 1u) || q->w_short_q) {
        d->w_status_q = VEP_BLK_S_IOERR;
      }
      d->w_st_q = BwStReq;
    }
    break;
  case BwStReq:
    if (in->wrq_ready) {
      d->wrq_valid_q = 0;
      w_inc = 1;
      d->wrd_valid_q = 1;
      d->wrd_data_q = wide_of_byte(q->w_status_q);
      d->wrd_lo_q = 0;
      d->wrd_n_q = 1;
      d->w_st_q = BwStData;
    }
    break;
  case BwStData:
    if (in->wrd_ready) {
      d->wrd_valid_q = 0;
      d->w_st_q = BwWait;
      if (!q->pd_valid_q) {
        pd_cap = 1;
        d->w_st_q = BwIdle;
      }
    }
    break;
  case BwWait:
    /* The done stage still holds the previous request. */
    if (!q->pd_valid_q) {
      pd_cap = 1;
      d->w_st_q = BwIdle;
    }
    break;
  default:
    d->w_st_q = BwIdle;
    break;
  }
  if (pd_cap) {
    d->pd_valid_q = 1;
    d->pd_slot_q = ws;
    d->pd_len_q = q->w_dlen_q + 1u;
  }

  /* ---- done stage: the request whose status write is out; the writer goes on meanwhile ---- */
  if (q->pd_valid_q && q->pd_need_q == 0 && !q->done_valid_q) {
    /* Its writes, the status byte's last, are done (taken for transmission) before the used
     * ring is written. */
    d->done_valid_q = 1;
    d->done_q.q = q->sl_queue_q[q->pd_slot_q & VEP_BLK_SLOT_M];
    d->done_q.head = q->sl_head_q[q->pd_slot_q & VEP_BLK_SLOT_M];
    d->done_q.len = q->pd_len_q;
  }
  if (q->done_valid_q && in->done_ready) {
    d->done_valid_q = 0;
    d->pd_valid_q = 0;
    d->busy_q &= (vep_blk_mask_t)~(1u << (q->pd_slot_q & VEP_BLK_SLOT_M));
    d->ioerr_q &= (vep_blk_mask_t)~(1u << (q->pd_slot_q & VEP_BLK_SLOT_M));
  }

  if (wseg_rd) {
    d->wseg_q = mem->seg_mem[wseg_ra];
  }

  /* ---- wr_done strobes (one per write request, in order) ---- */
  if (in->wr_done) {
    if (q->wr_drop_q != 0) {
      wdrop_dec = 1;
    } else {
      w_dec = q->wr_out_q != 0;
    }
  }

  d->r_out_q = (uint8_t)(q->r_out_q + r_inc - r_dec);
  d->wr_out_q = (uint8_t)(q->wr_out_q + w_inc - w_dec);
  /* The done stage's writes still out: those out when it took the request (the writer issues
   * none in that cycle), each wr_done counting down (they come in order). */
  if (pd_cap) {
    d->pd_need_q = d->wr_out_q;
  } else if (w_dec && q->pd_need_q != 0) {
    d->pd_need_q = (uint8_t)(q->pd_need_q - 1u);
  }
  d->wr_drop_q = (uint16_t)(q->wr_drop_q - wdrop_dec);
  d->d_out_q = (uint8_t)(q->d_out_q + d_inc - d_dec);
  if (rf_pop) {
    d->rf_rd_q = (q->rf_rd_q + 1u) & VEP_BLK_SLOT_M;
  }
  d->rf_cnt_q = (uint8_t)(q->rf_cnt_q + (chain_hs ? 1u : 0u) - (rf_pop ? 1u : 0u));
  if (h_take) {
    d->rf_iss_q = (q->rf_iss_q + 1u) & VEP_BLK_SLOT_M;
    d->hq_wr_q = (q->hq_wr_q + 1u) & VEP_BLK_HQ_M;
  }
  d->rf_icnt_q = (uint8_t)(q->rf_icnt_q + (chain_hs ? 1u : 0u) - (h_take ? 1u : 0u));
  if (hq_pop) {
    d->hq_rd_q = (q->hq_rd_q + 1u) & VEP_BLK_HQ_M;
  }
  d->hq_cnt_q = (uint8_t)(q->hq_cnt_q + (h_take ? 1u : 0u) - (hq_pop ? 1u : 0u));

  /* ---- virtio device reset ---- */
  if (in->dev_reset) {
    if (d->r_wd_open_q) {
      /* The OUT data stream at the backend ends at once. */
      d->wd_valid_q = 1;
      memset(&d->wd_data_q, 0, sizeof d->wd_data_q);
      d->wd_keep_q = 0;
      d->wd_last_q = 1;
      d->wd_abort_q = 1;
      d->r_wd_open_q = 0;
    }
    /* vep_dma_rd forgets every read it took before the reset: nothing to swallow. */
    d->r_out_q = 0;
    d->d_out_q = 0;
    d->rec_rd_q = 0;
    d->rec_wr_q = 0;
    d->r_st_q = BrIdle;
    d->h_st_q = HiIdle;
    d->r_abort_q = 0;
    d->rdq_valid_q = 0;
    d->req_valid_q = 0;
    d->rf_rd_q = 0;
    d->rf_wr_q = 0;
    d->rf_cnt_q = 0;
    d->rf_iss_q = 0;
    d->rf_icnt_q = 0;
    d->hq_rd_q = 0;
    d->hq_wr_q = 0;
    d->hq_cnt_q = 0;
    memset(d->hq_pend_q, 0, sizeof d->hq_pend_q);
    d->wr_drop_q = (uint16_t)(d->wr_drop_q + d->wr_out_q);
    d->wr_out_q = 0;
    d->wrq_valid_q = 0;
    d->wrd_valid_q = 0;
    d->done_valid_q = 0;
    d->pd_valid_q = 0;
    /* A response being taken keeps its slot until its last beat, then drops it. */
    if (d->w_st_q != BwIdle && ((d->bk_q >> (d->w_slot_q & VEP_BLK_SLOT_M)) & 1u)) {
      d->w_st_q = BwDrain;
    } else {
      d->w_st_q = BwIdle;
    }
    d->zomb_q = d->bk_q;
    d->busy_q = d->bk_q;
    d->loc_q = 0;
    d->ioerr_q = 0;
    d->dev_err_q = 0;
    d->dev_err_code_q = 0;
  }

  /* ---- slot supply: a free slot, held until it is handed over ---- */
  if (!(q->slot_free_q && !chain_hs && !((d->busy_q >> (q->slot_id_q & VEP_BLK_SLOT_M)) & 1u))) {
    uint8_t found = 0, id = q->slot_id_q;
    for (unsigned i = VEP_BLK_SLOTS; i-- > 0;) {
      if (!((d->busy_q >> i) & 1u)) {
        found = 1;
        id = (uint8_t)i;
      }
    }
    d->slot_free_q = found;
    d->slot_id_q = id;
  }

  /* nb_* only lives in the data states (a reset or the end of the data drops it). */
  if (!wr_data_state(d->w_st_q)) {
    d->nb_valid_q = 0;
  }
  d->rsp_ready_q = d->w_st_q == BwIdle || d->w_st_q == BwBeat || d->w_st_q == BwDrain ||
                   (wr_data_state(d->w_st_q) && d->w_open_q && !d->nb_valid_q);
  d->idle_q = d->busy_q == 0 && d->r_out_q == 0 && d->wr_out_q == 0 &&
              d->wr_drop_q == 0;

  /* ---- segment RAM write, after the reads above (read-before-write, as the RAM) ---- */
  if (in->seg_we && in->seg_waddr < depth(p)) {
    mem->seg_mem[in->seg_waddr] = in->seg_wdata;
  }
}
