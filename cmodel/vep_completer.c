/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of rtl/vep_completer.sv; see vep_completer.h. */
#include "vep_completer.h"

#include <string.h>

#include "vep_consts.h"

/* pci_cfg_data: the config-space DW that windows onto BAR0. */
#define CFG_WIN_ADDR (VEP_CAP_PCICFG_OFF + VEP_VIRTIO_CAP_EXTRA)
/* An endpoint answers an unsupported locked read with a CplLk. */
#define TLP_CPLLK 0x0Bu

void vep_completer_reset(vep_completer_q_t *q, const vep_params_t *p)
{
  (void)p;
  memset(q, 0, sizeof(*q));
  q->state_q = CplIdle;
}

/* Disabled bytes before the first enabled byte of a BE (4 when none is enabled). */
static unsigned be_lead(unsigned be)
{
  return (be & 1u) ? 0 : (be & 2u) ? 1 : (be & 4u) ? 2 : (be & 8u) ? 3 : 4;
}

/* Disabled bytes after the last enabled byte of a BE (4 when none is enabled). */
static unsigned be_trail(unsigned be)
{
  return (be & 8u) ? 0 : (be & 4u) ? 1 : (be & 2u) ? 2 : (be & 1u) ? 3 : 4;
}

void vep_completer_outputs(const vep_completer_q_t *q, const vep_params_t *p,
                           vep_completer_out_t *out)
{
  (void)p;
  const vep_req_t *r = &q->req_q;
  unsigned ft = r->fmt_type;
  /* Fmt 000/001 (3DW/4DW without data) with Type 0000x: MRd and MRdLk. */
  int mem_rd = (ft & 0xDEu) == 0x00u;
  int mrdlk = (ft & 0xDFu) == 0x01u;
  unsigned type = ft & 0x1Fu;
  int atomic = (ft & 0x40u) && (type == 0x0Cu || type == 0x0Du || type == 0x0Eu);
  unsigned first_lead = be_lead(r->first_be & 0xFu);
  unsigned first_off = first_lead == 4 ? 0 : first_lead;
  unsigned first_last = (r->first_be & 8u) ? 3 : (r->first_be & 4u) ? 2 :
                        (r->first_be & 2u) ? 1 : 0;
  unsigned req_bytes, byte_count, lower_addr, fmt_type;
  vep_small_tlp_t *t = &out->cpl_tlp;

  if (r->len_dw == 1) {
    /* One DW: from the first to the last enabled byte; a zero-length read counts 1. */
    req_bytes = (r->first_be & 0xFu) == 0 ? 1u : first_last - first_off + 1u;
  } else {
    req_bytes = (4u * (r->len_dw & 0x7FFu) - first_lead - be_trail(r->last_be & 0xFu)) & 0x1FFFu;
  }
  if (mem_rd) {
    byte_count = req_bytes & 0xFFFu;   /* 4096 is encoded as 0 */
    lower_addr = (unsigned)(r->addr & 0x7Cu) | (first_off & 3u);
  } else if (atomic) {
    /* AtomicOp completions carry the operand size: half the payload for CAS. */
    byte_count = (type == 0x0Eu ? 2u * r->len_dw : 4u * r->len_dw) & 0xFFFu;
    lower_addr = 0;
  } else {
    byte_count = 4;
    lower_addr = 0;
  }
  fmt_type = q->cpl_dw_q != 0 ? VEP_TLP_CPLD : mrdlk ? TLP_CPLLK : VEP_TLP_CPL;

  out->req_ready = q->state_q == CplIdle;
  out->bus.reg_req = q->reg_req_q;
  out->bus.reg_space = q->reg_space_q;
  out->bus.reg_we = q->reg_we_q;
  out->bus.reg_addr = q->reg_addr_q;
  out->bus.reg_be = q->reg_be_q;
  out->bus.reg_wdata = q->reg_wdata_q;
  out->completer_id = q->completer_id_q;
  out->ev_ur = q->ev_ur_q;
  out->ev_ca = q->ev_ca_q;
  out->cpl_valid = q->state_q == CplTx;

  memset(t, 0, sizeof(*t));
  t->hdr[0] = (fmt_type << 24) | (((r->tag >> 9) & 1u) << 23) | ((r->tc & 7u) << 20) |
              (((r->tag >> 8) & 1u) << 19) | (((r->attr >> 2) & 1u) << 18) |
              ((r->attr & 3u) << 12) | (q->cpl_dw_q & 3u);
  t->hdr[1] = ((uint32_t)q->completer_id_q << 16) | ((q->status_q & 7u) << 13) | byte_count;
  t->hdr[2] = ((uint32_t)r->requester_id << 16) | ((r->tag & 0xFFu) << 8) | lower_addr;
  t->hdr_4dw = 0;
  t->data_dw = q->cpl_dw_q & 3u;
  t->data[0] = (uint32_t)q->data_q;
  t->data[1] = (uint32_t)(q->data_q >> 32);
}

static void start_access(vep_completer_q_t *d, unsigned space, unsigned we, unsigned addr,
                         unsigned be, uint32_t wdata)
{
  d->reg_req_q = 1;
  d->reg_space_q = (uint8_t)space;
  d->reg_we_q = (uint8_t)we;
  d->reg_addr_q = (uint16_t)(addr & 0x7FFCu);
  d->reg_be_q = (uint8_t)(be & 0xFu);
  d->reg_wdata_q = wdata;
  d->state_q = CplAcc0;
}

/* The edge that takes a request: decode it and start serving it. */
static void take_request(const vep_completer_q_t *q, const vep_completer_in_t *in,
                         vep_completer_q_t *d)
{
  const vep_req_t *r = &in->req;
  unsigned ft = r->fmt_type;
  int is_cfgrd0 = ft == VEP_TLP_CFGRD0, is_cfgwr0 = ft == VEP_TLP_CFGWR0;
  int is_mrd = ft == VEP_TLP_MRD32 || ft == VEP_TLP_MRD64;
  int is_mwr = ft == VEP_TLP_MWR32 || ft == VEP_TLP_MWR64;
  int func0 = ((r->addr >> 16) & 7u) == 0;
  unsigned cfg_addr = (unsigned)(r->addr & 0xFFCu);
  uint64_t bar_end = (r->addr & 0x7FFFu) + 4u * (uint64_t)(r->len_dw & 0x7FFu);
  int bar_hit = in->cmd_mem_en && (r->addr >> 15) == (in->bar0_base >> 15) &&
                bar_end <= VEP_BAR0_SIZE;
  uint32_t wlen = in->cfgwin_length, woff = in->cfgwin_offset;
  unsigned win_lmask = wlen == 1 ? 0x1u : wlen == 2 ? 0x3u : 0xFu;
  /* offset must be a multiple of length: the low bits length - 1 of offset are 0. */
  unsigned win_amask = wlen == 4 ? 3u : wlen == 2 ? 1u : 0u;
  unsigned win_shift = woff & 3u;
  /* With offset a multiple of length (<= 4), offset < BAR0 size implies
   * offset + length <= BAR0 size. */
  int win_ok = in->cfgwin_bar == 0 && (wlen == 1 || wlen == 2 || wlen == 4) &&
               (woff & win_amask) == 0 && woff < VEP_BAR0_SIZE;
  unsigned win_be = ((r->first_be & win_lmask) << win_shift) & 0xFu;
  uint32_t win_wdata = (uint32_t)r->data << (8 * win_shift);

  (void)q;
  d->req_q = *r;
  d->two_dw_q = 0;
  d->rd_shift_q = 0;
  d->rd_bmask_q = 0xF;
  d->status_q = VEP_CPL_SC;
  d->cpl_dw_q = 0;
  d->data_q = 0;
  if (is_cfgwr0 && func0) {
    d->completer_id_q = (uint16_t)((r->addr >> 16) & 0xFFF8u);
  }

  if (is_cfgrd0 || is_cfgwr0) {
    /* Length is 1: vep_rx_demux drops configuration requests of any other Length (malformed). */
    if (!func0 || (is_cfgwr0 && r->ep)) {
      d->status_q = VEP_CPL_UR;
      d->ev_ur_q = 1;
      d->state_q = CplTx;
      return;
    }
    d->cpl_dw_q = (uint8_t)is_cfgrd0;
    if (cfg_addr != CFG_WIN_ADDR) {
      start_access(d, 0, is_cfgwr0, cfg_addr, r->first_be, (uint32_t)r->data);
    } else if (win_ok) {
      start_access(d, 1, is_cfgwr0, woff & 0x7FFCu, win_be, win_wdata);
      d->rd_shift_q = (uint8_t)win_shift;
      d->rd_bmask_q = (uint8_t)win_lmask;
    } else {
      /* A window onto nothing: reads 0, writes are dropped. */
      d->state_q = CplTx;
    }
  } else if (is_mrd) {
    if (!bar_hit) {
      d->status_q = VEP_CPL_UR;
      d->ev_ur_q = 1;
      d->state_q = CplTx;
    } else if (r->len_dw > VEP_REG_ACCESS_MAX_DW) {
      d->status_q = VEP_CPL_CA;
      d->ev_ca_q = 1;
      d->state_q = CplTx;
    } else if (r->len_dw == 1 && (r->first_be & 0xFu) == 0) {
      /* Zero-length read: no access, one DW of 0. */
      d->cpl_dw_q = 1;
      d->state_q = CplTx;
    } else {
      start_access(d, 1, 0, (unsigned)r->addr, r->first_be, 0);
      d->two_dw_q = r->len_dw == 2;
      d->cpl_dw_q = (uint8_t)(r->len_dw & 3u);
    }
  } else if (is_mwr) {
    if (bar_hit && !r->ep && r->len_dw <= VEP_REG_ACCESS_MAX_DW) {
      start_access(d, 1, 1, (unsigned)r->addr, r->first_be, (uint32_t)r->data);
      d->two_dw_q = r->len_dw == 2;
    } else {
      /* Unsupported posted request: logged, never answered. */
      d->ev_ur_q = 1;
    }
  } else {
    d->status_q = VEP_CPL_UR;
    d->ev_ur_q = 1;
    d->state_q = CplTx;
  }
}

void vep_completer_next(const vep_completer_q_t *q, const vep_params_t *p,
                        const vep_completer_in_t *in, vep_completer_q_t *d)
{
  (void)p;
  int q_write = (q->req_q.fmt_type >> 6) & 1u;
  int q_posted = (q->req_q.fmt_type & 0xDFu) == 0x40u;   /* MWr32 or MWr64 */
  unsigned sh = 8u * (q->rd_shift_q & 3u);
  uint32_t rd_val = (in->reg_rdata >> sh) & vep_be_mask(q->rd_bmask_q);

  d->reg_req_q = 0;
  d->ev_ur_q = 0;
  d->ev_ca_q = 0;

  switch (q->state_q) {
  case CplIdle:
    if (in->req_valid) {
      take_request(q, in, d);
    }
    break;
  case CplAcc0:
    if (q->two_dw_q) {
      d->reg_req_q = 1;
      d->reg_addr_q = (uint16_t)((q->reg_addr_q + 4u) & 0x7FFFu);
      d->reg_be_q = q->req_q.last_be & 0xFu;
      d->reg_wdata_q = q_write ? (uint32_t)(q->req_q.data >> 32) : 0;
      d->state_q = CplAcc1;
    } else if (!q_write) {
      d->state_q = CplData;
    } else {
      d->state_q = q_posted ? CplIdle : CplTx;
    }
    break;
  case CplAcc1:
    if (!q_write) {
      d->data_q = (q->data_q & ~0xFFFFFFFFull) | rd_val;
      d->state_q = CplData;
    } else {
      d->state_q = q_posted ? CplIdle : CplTx;
    }
    break;
  case CplData:
    if (q->two_dw_q) {
      d->data_q = (q->data_q & 0xFFFFFFFFull) | ((uint64_t)rd_val << 32);
    } else {
      d->data_q = (q->data_q & ~0xFFFFFFFFull) | rd_val;
    }
    d->state_q = CplTx;
    break;
  case CplTx:
    if (in->cpl_ready) {
      d->state_q = CplIdle;
    }
    break;
  default:
    d->state_q = CplIdle;
    break;
  }
}
