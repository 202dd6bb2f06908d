/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of rtl/vep_rx_demux.sv; see vep_rx_demux.h. */
#include "vep_rx_demux.h"

#include <string.h>

void vep_rx_demux_reset(vep_rx_demux_q_t *q, const vep_params_t *p)
{
  (void)p;
  memset(q, 0, sizeof(*q));
  q->state_q = RxSop;
}

void vep_rx_demux_outputs(const vep_rx_demux_q_t *q, const vep_params_t *p,
                          vep_rx_demux_out_t *out)
{
  (void)p;
  const uint32_t *dw = q->dw_q;
  uint8_t fmt_type = (uint8_t)(dw[0] >> 24);
  unsigned is_4dw = (fmt_type >> 5) & 1u;
  unsigned has_data = (fmt_type >> 6) & 1u;
  uint16_t len_dw = (uint16_t)(dw[0] & 0x3FFu);
  vep_req_t *r = &out->req;

  out->s_rx_ready = q->state_q != RxReq;
  out->req_valid = q->state_q == RxReq;
  out->ev_malformed = q->ev_malformed_q;
  out->rc_valid = q->rc_valid_q;
  out->rc_sop = q->rc_sop_q;
  out->rc_eop = q->rc_eop_q;
  out->rc_bad = q->rc_bad_q;
  out->rc_hdr = q->rc_hdr_q;
  out->rc_data = q->rc_data_q;
  out->rc_ndw = q->rc_ndw_q;
  out->ring = q->ring_q;

  if (len_dw == 0) {
    len_dw = 1024;
  }
  memset(r, 0, sizeof(*r));
  r->fmt_type = fmt_type;
  r->tc = (uint8_t)((dw[0] >> 20) & 7u);
  r->attr = (uint8_t)((((dw[0] >> 18) & 1u) << 2) | ((dw[0] >> 12) & 3u));
  r->ep = (uint8_t)((dw[0] >> 14) & 1u);
  r->len_dw = len_dw;
  r->requester_id = (uint16_t)(dw[1] >> 16);
  r->tag = (uint16_t)((((dw[0] >> 23) & 1u) << 9) | (((dw[0] >> 19) & 1u) << 8) |
                      ((dw[1] >> 8) & 0xFFu));
  r->last_be = (uint8_t)((dw[1] >> 4) & 0xFu);
  r->first_be = (uint8_t)(dw[1] & 0xFu);
  /* Config requests keep DW2 whole (bus/device/function and register number); every other
   * request carries a DW address there. */
  if (((fmt_type >> 1) & 0xFu) == 0x2u) {
    r->addr = dw[2];
  } else if (is_4dw) {
    r->addr = ((uint64_t)dw[2] << 32) | (dw[3] & ~3u);
  } else {
    r->addr = dw[2] & ~3u;
  }
  if (has_data) {
    r->data = is_4dw ? dw[4] : dw[3];
    if (len_dw >= 2) {
      r->data |= (uint64_t)(is_4dw ? dw[5] : dw[4]) << 32;
    }
  }
}

static uint32_t lane_of(const uint64_t *data, unsigned l)
{
  return (uint32_t)(data[l / 2] >> (32 * (l % 2)));
}

/* The kept lanes of keep (bit l: lane l), as the RTL's sum over the lanes. */
static unsigned keep_count(unsigned keep)
{
  unsigned n = 0;
  for (; keep != 0; keep >>= 1) {
    n += keep & 1u;
  }
  return n;
}

/* Whether Type is defined with this Fmt (0xx); PCIe calls any other combination a Malformed
 * TLP. MRd/MWr any; MRdLk without data; I/O, configuration and completions 3DW; messages 4DW;
 * AtomicOps with data. Type 11011 (TCfgRd/TCfgWr, deprecated) is undefined here: a receiver
 * without Trusted Configuration Space treats it as malformed. */
static int type_defined(unsigned fmt, unsigned type)
{
  switch (type) {
  case 0x00: return 1;
  case 0x01: return !(fmt & 2u);
  case 0x02: case 0x04: case 0x05: case 0x0A: case 0x0B: return !(fmt & 1u);
  case 0x0C: case 0x0D: case 0x0E: return (fmt & 2u) != 0;
  default: return (type >> 3) == 2u && (fmt & 1u);
  }
}

void vep_rx_demux_next(const vep_rx_demux_q_t *q, const vep_params_t *p,
                       const vep_rx_demux_in_t *in, vep_rx_demux_q_t *d)
{
  unsigned lanes = p->DATA_W / 32;
  unsigned keep_all = (1u << lanes) - 1u;
  unsigned keep = in->s_rx_keep & keep_all;
  int start = q->state_q == RxSop;
  unsigned base = start ? 0 : q->dw_cnt_q;
  unsigned cnt_sum = base;
  int keep_bad, beat_bad;
  uint32_t lane0 = lane_of(in->s_rx_data, 0), lane1 = lane_of(in->s_rx_data, 1);
  unsigned s_fmt = lane0 >> 29, s_type = (lane0 >> 24) & 0x1Fu;
  unsigned s_len = (lane0 & 0x3FFu) ? (lane0 & 0x3FFu) : 1024u;
  int is_cpl = (s_fmt == 0u || s_fmt == 2u) && s_type == 0x0Au;
  /* The MPS in DWs, capped at what the device supports. */
  unsigned mps_dw = 32u << (in->mps > VEP_MPS_SUPPORTED_ENC ? VEP_MPS_SUPPORTED_ENC : in->mps);
  int over_mps = (keep & 1u) && is_cpl && (s_fmt & 2u) && s_len > mps_dw;
  int malformed = 0;
  /* The completion stream: this cycle makes an rc beat; its header DWs; where its payload
   * starts in the RX beat; the payload DWs the completion still has before this beat. */
  int emit = 0, hdr_new = 0;
  uint32_t h_dw0 = 0, h_dw1 = 0, h_dw2 = 0;
  unsigned hoff = 0, cpay_cur = 0;

  for (unsigned l = 0; l < lanes; l++) {
    cnt_sum += (keep >> l) & 1u;
  }
  /* Valid lanes must be 0..k-1 with k >= 1: keep + 1 is then a power of two. */
  keep_bad = keep == 0 || (keep & ((keep + 1u) & keep_all)) != 0 ||
             (!in->s_rx_eop && keep != keep_all);
  beat_bad = keep_bad || (start ? !in->s_rx_sop : in->s_rx_sop);
  d->ev_malformed_q = 0;
  d->rc_valid_q = 0;
  d->rc_sop_q = 0;
  d->rc_eop_q = 0;
  d->rc_bad_q = 0;
  d->rc_ndw_q = 0;
  d->ring_q = 0;
  d->handoff_q = (uint8_t)(q->state_q == RxReq && in->req_ready);

  switch (q->state_q) {
  case RxReq:
    if (in->req_ready) {
      d->state_q = RxSop;
    }
    break;
  case RxSop:
  case RxBody:
    if (!in->s_rx_valid) {
      break;
    }
    if (start) {
      memset(d->dw_q, 0, sizeof(d->dw_q));
    }
    for (unsigned l = 0; l < lanes; l++) {
      unsigned pos = base + l;
      if (((keep >> l) & 1u) && pos < VEP_RX_BUF_DW) {
        d->dw_q[pos] = lane_of(in->s_rx_data, l);
      }
    }
    /* A CplD longer than the MPS is malformed from its first beat on. */
    d->bad_q = (uint8_t)((start ? 0 : q->bad_q) | beat_bad | (start && over_mps));
    d->dw_cnt_q = (uint16_t)(cnt_sum > VEP_RX_CNT_MAX ? VEP_RX_CNT_MAX : cnt_sum);
    if (in->s_rx_eop) {
      /* A TLP that ends here started either with this beat or with DW0 already stored;
       * anything else is malformed and dropped whatever its header says. */
      uint32_t dw0 = start ? ((keep & 1u) ? lane_of(in->s_rx_data, 0) : 0) : q->dw_q[0];
      unsigned fmt = dw0 >> 29, type = (dw0 >> 24) & 0x1Fu;
      unsigned len = dw0 & 0x3FFu;
      unsigned expect_dw;
      int is_request;

      if (len == 0) {
        len = 1024;
      }
      expect_dw = ((fmt & 1u) ? 4u : 3u) + ((fmt & 2u) ? len : 0u) + ((dw0 >> 15) & 1u);
      /* Fmt 1xx: TLP prefixes (and reserved); Type 0101x: completions; Type 10xxx:
       * messages. None of them is a request for the completer. */
      is_request = !(fmt & 4u) && type != 0x0Au && type != 0x0Bu && (type >> 3) != 2u;
      /* A well-framed request that is malformed nonetheless (see vep_rx_demux.h). The header as
       * stored with this beat: whole whenever the framing is good. */
      uint32_t hdr_dw1 = d->dw_q[1];
      uint32_t addr_dw = (fmt & 1u) ? d->dw_q[3] : d->dw_q[2];
      unsigned first_be = hdr_dw1 & 0xFu, last_be = (hdr_dw1 >> 4) & 0xFu;
      int is_mem = (type >> 1) == 0u;                  /* MRd, MWr, MRdLk */
      int is_len1 = (type >> 1) == 2u || type == 2u;   /* configuration, I/O */
      int cross_4k = is_mem && ((addr_dw >> 2) & 0x3FFu) + len > 1024u;
      int be_bad = (is_mem || is_len1) &&
                   (len == 1 ? last_be != 0 : (first_be == 0 || last_be == 0));
      int req_bad = cross_4k || be_bad || (is_len1 && len != 1);
      /* is_mem and is_len1 are request types, so req_bad implies a request (or Fmt 1xx). */
      malformed = d->bad_q || (fmt & 4u) || d->dw_cnt_q != expect_dw || req_bad ||
                  !type_defined(fmt, type);
      d->ev_malformed_q = (uint8_t)malformed;
      /* The doorbell fast path: the completer's BAR0 hit (a Length-1 access cannot run past
       * the end of BAR0) in the notify region, for an MWr it would write. */
      uint64_t nfy_addr = (fmt & 1u) ? ((uint64_t)d->dw_q[2] << 32) | d->dw_q[3] : d->dw_q[2];
      unsigned nqi = (unsigned)(nfy_addr >> 2) & 0x3FFu;
      int nfy = !malformed && ((dw0 >> 24) & 0xDFu) == 0x40u && !((dw0 >> 14) & 1u) &&
                len == 1 && in->cmd_mem_en && (nfy_addr >> 15) == (in->bar0_base >> 15) &&
                ((nfy_addr >> 12) & 7u) == VEP_BAR_NOTIFY_OFF >> 12 &&
                !(lanes > 2 && q->handoff_q);
      if (nfy && (first_be & 3u) != 0 && nqi < p->NUM_QUEUES) {
        d->ring_q = 1ull << nqi;
      }
      d->state_q = (!malformed && is_request && !nfy) ? RxReq : RxSop;
    } else {
      d->state_q = RxBody;
    }

    /* ---- The completion stream ---- */
    if (start) {
      cpay_cur = (s_fmt & 2u) ? s_len : 0u;
      if (lanes == 2) {
        /* Stream only what is well begun: the whole first beat, a 3DW completion header
         * (which ends in the next beat). */
        d->cs_q = (uint8_t)(!beat_bad && !in->s_rx_eop && is_cpl && !over_mps);
        d->cfirst_q = 1;
        d->cpay_q = (uint16_t)cpay_cur;
      } else {
        /* The whole 3DW header is in this beat, which is the first rc beat: well begun is sop,
         * the header lanes and, unless it is the only beat, every lane. */
        emit = in->s_rx_sop && (keep & 7u) == 7u && (in->s_rx_eop || keep == keep_all) &&
               is_cpl && !over_mps;
        d->cs_q = (uint8_t)(emit && !in->s_rx_eop);
        d->cfirst_q = 0;
        hdr_new = 1;
        h_dw0 = lane0;
        h_dw1 = lane1;
        h_dw2 = lane_of(in->s_rx_data, 2);
        hoff = 3;
      }
    } else if (q->cs_q) {
      emit = 1;
      cpay_cur = q->cpay_q;
      if (q->cfirst_q) {
        /* DATA_W = 64: lane 0 is DW2 of the header, lane 1 payload DW 0. */
        hdr_new = 1;
        h_dw0 = q->dw_q[0];
        h_dw1 = q->dw_q[1];
        h_dw2 = lane0;
        hoff = 1;
      }
    }
    if (emit) {
      unsigned avail = keep_count(keep >> hoff);
      unsigned ndw = cpay_cur < avail ? cpay_cur : avail;
      memset(&d->rc_data_q, 0, sizeof(d->rc_data_q));
      for (unsigned l = 0; l < ndw; l++) {
        d->rc_data_q.q[l / 2] |= (uint64_t)lane_of(in->s_rx_data, hoff + l) << (32 * (l % 2));
      }
      if (hdr_new) {
        vep_cpl_hdr_t *h = &d->rc_hdr_q;
        h->completer_id = (uint16_t)(h_dw1 >> 16);
        h->status = (uint8_t)((h_dw1 >> 13) & 7u);
        h->byte_count = (uint16_t)((h_dw1 & 0xFFFu) ? (h_dw1 & 0xFFFu) : 4096u);
        h->requester_id = (uint16_t)(h_dw2 >> 16);
        h->tag = (uint16_t)((((h_dw0 >> 23) & 1u) << 9) | (((h_dw0 >> 19) & 1u) << 8) |
                            ((h_dw2 >> 8) & 0xFFu));
        h->lower_addr = (uint8_t)(h_dw2 & 0x7Fu);
        h->len_dw = (uint16_t)cpay_cur;
        h->ep = (uint8_t)((h_dw0 >> 14) & 1u);
      }
      d->rc_valid_q = 1;
      d->rc_sop_q = (uint8_t)hdr_new;
      d->rc_eop_q = in->s_rx_eop;
      d->rc_bad_q = (uint8_t)(in->s_rx_eop && malformed);
      d->rc_ndw_q = (uint8_t)ndw;
      d->cpay_q = (uint16_t)(cpay_cur - ndw);
      d->cfirst_q = 0;
      if (in->s_rx_eop) {
        d->cs_q = 0;
      }
    }
    break;
  default:
    d->state_q = RxSop;
    break;
  }
}
