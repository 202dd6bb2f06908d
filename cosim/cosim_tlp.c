/* SPDX-License-Identifier: Apache-2.0 */
#include "cosim_tlp.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "vep_consts.h"

cosim_tlp_kind_t cosim_tlp_kind(uint8_t fmt_type) {
  unsigned fmt = fmt_type >> 5, type = fmt_type & 0x1Fu;
  if (fmt > 3) return COSIM_TLP_KIND_UNKNOWN; /* 100 is a TLP prefix, 101..111 reserved */
  switch (type) {
  case 0x00: return fmt < 2 ? COSIM_TLP_KIND_MRD : COSIM_TLP_KIND_MWR;
  case 0x01: return fmt < 2 ? COSIM_TLP_KIND_MRDLK : COSIM_TLP_KIND_UNKNOWN;
  case 0x02:
    return fmt == 0 ? COSIM_TLP_KIND_IORD : fmt == 2 ? COSIM_TLP_KIND_IOWR : COSIM_TLP_KIND_UNKNOWN;
  case 0x04:
    return fmt == 0   ? COSIM_TLP_KIND_CFGRD0
           : fmt == 2 ? COSIM_TLP_KIND_CFGWR0
                      : COSIM_TLP_KIND_UNKNOWN;
  case 0x05:
    return fmt == 0   ? COSIM_TLP_KIND_CFGRD1
           : fmt == 2 ? COSIM_TLP_KIND_CFGWR1
                      : COSIM_TLP_KIND_UNKNOWN;
  case 0x0A:
    return fmt == 0 ? COSIM_TLP_KIND_CPL : fmt == 2 ? COSIM_TLP_KIND_CPLD : COSIM_TLP_KIND_UNKNOWN;
  case 0x0B:
    return fmt == 0   ? COSIM_TLP_KIND_CPLLK
           : fmt == 2 ? COSIM_TLP_KIND_CPLDLK
                      : COSIM_TLP_KIND_UNKNOWN;
  case 0x0C: case 0x0D: case 0x0E:
    return fmt >= 2 ? COSIM_TLP_KIND_ATOMIC : COSIM_TLP_KIND_UNKNOWN;
  case 0x10: case 0x11: case 0x12: case 0x13: case 0x14: case 0x15:
    return fmt == 1 ? COSIM_TLP_KIND_MSG : fmt == 3 ? COSIM_TLP_KIND_MSGD : COSIM_TLP_KIND_UNKNOWN;
  default: return COSIM_TLP_KIND_UNKNOWN;
  }
}

const char *cosim_tlp_kind_name(cosim_tlp_kind_t k) {
  static const char *const names[] = {
      [COSIM_TLP_KIND_MRD] = "MRd",       [COSIM_TLP_KIND_MRDLK] = "MRdLk",
      [COSIM_TLP_KIND_MWR] = "MWr",       [COSIM_TLP_KIND_IORD] = "IORd",
      [COSIM_TLP_KIND_IOWR] = "IOWr",     [COSIM_TLP_KIND_CFGRD0] = "CfgRd0",
      [COSIM_TLP_KIND_CFGWR0] = "CfgWr0", [COSIM_TLP_KIND_CFGRD1] = "CfgRd1",
      [COSIM_TLP_KIND_CFGWR1] = "CfgWr1", [COSIM_TLP_KIND_CPL] = "Cpl",
      [COSIM_TLP_KIND_CPLD] = "CplD",     [COSIM_TLP_KIND_CPLLK] = "CplLk",
      [COSIM_TLP_KIND_CPLDLK] = "CplDLk", [COSIM_TLP_KIND_MSG] = "Msg",
      [COSIM_TLP_KIND_MSGD] = "MsgD",     [COSIM_TLP_KIND_ATOMIC] = "Atomic",
      [COSIM_TLP_KIND_UNKNOWN] = "Unknown",
  };
  return (unsigned)k <= COSIM_TLP_KIND_UNKNOWN ? names[k] : "Unknown";
}

int cosim_tlp_has_data(uint8_t fmt_type) { return (fmt_type & VEP_TLP_FMT_DATA) != 0; }
int cosim_tlp_is_4dw(uint8_t fmt_type) { return (fmt_type & VEP_TLP_FMT_4DW) != 0; }

int cosim_tlp_is_posted(uint8_t fmt_type) {
  cosim_tlp_kind_t k = cosim_tlp_kind(fmt_type);
  return k == COSIM_TLP_KIND_MWR || k == COSIM_TLP_KIND_MSG || k == COSIM_TLP_KIND_MSGD;
}

/* Whether the Length field means something. For TLPs without data other than reads it is
 * reserved, and decode reports it raw (0..1023) rather than turning 0 into 1024. */
static int length_meaningful(cosim_tlp_kind_t k, uint8_t fmt_type) {
  if (cosim_tlp_has_data(fmt_type)) return 1;
  return k == COSIM_TLP_KIND_MRD || k == COSIM_TLP_KIND_MRDLK || k == COSIM_TLP_KIND_IORD ||
         k == COSIM_TLP_KIND_CFGRD0 || k == COSIM_TLP_KIND_CFGRD1;
}

static int is_cpl(cosim_tlp_kind_t k) {
  return k == COSIM_TLP_KIND_CPL || k == COSIM_TLP_KIND_CPLD || k == COSIM_TLP_KIND_CPLLK ||
         k == COSIM_TLP_KIND_CPLDLK;
}

static int is_cfg(cosim_tlp_kind_t k) {
  return k == COSIM_TLP_KIND_CFGRD0 || k == COSIM_TLP_KIND_CFGWR0 || k == COSIM_TLP_KIND_CFGRD1 ||
         k == COSIM_TLP_KIND_CFGWR1;
}

static int is_msg(cosim_tlp_kind_t k) {
  return k == COSIM_TLP_KIND_MSG || k == COSIM_TLP_KIND_MSGD;
}

static int fail(const char **why, const char *msg) {
  if (why) *why = msg;
  return -EINVAL;
}

int cosim_tlp_encode(const cosim_tlp_t *t, uint32_t *dws, size_t max, const char **why) {
  cosim_tlp_kind_t k = cosim_tlp_kind(t->fmt_type);
  if (k == COSIM_TLP_KIND_UNKNOWN) return fail(why, "unknown Fmt/Type");
  if (t->tc > 7 || t->attr > 7 || t->td > 1 || t->ep > 1)
    return fail(why, "TC, Attr, TD or EP out of range");
  if (t->tag > 0x3FF) return fail(why, "tag wider than 10 bits");
  if (t->first_be > 0xF || t->last_be > 0xF) return fail(why, "byte enable wider than 4 bits");
  int with_len = length_meaningful(k, t->fmt_type);
  if (with_len ? (t->len_dw < 1 || t->len_dw > 1024) : t->len_dw > 1023)
    return fail(why, "Length out of range");
  if (cosim_tlp_has_data(t->fmt_type) ? t->ndata != t->len_dw : t->ndata != 0)
    return fail(why, "ndata does not match Fmt and Length");
  if ((is_cfg(k) || k == COSIM_TLP_KIND_IORD || k == COSIM_TLP_KIND_IOWR) && t->len_dw != 1)
    return fail(why, "configuration and I/O requests have Length 1");
  int hdr = cosim_tlp_is_4dw(t->fmt_type) ? 4 : 3;
  if (!is_cpl(k) && !is_cfg(k) && !is_msg(k)) {
    if (t->addr & 3) return fail(why, "address bits [1:0] not 0");
    if (hdr == 3 && t->addr > 0xFFFFFFFFull) return fail(why, "3DW header with a 64-bit address");
  }
  if (is_cfg(k) && (t->cfg_reg & ~0xFFCu)) return fail(why, "register offset not in [11:2]");
  if (is_cpl(k)) {
    if (t->status > 7 || t->bcm > 1) return fail(why, "Completion Status or BCM out of range");
    if (t->byte_count < 1 || t->byte_count > 4096) return fail(why, "Byte Count out of range");
    if (t->lower_addr > 0x7F) return fail(why, "Lower Address wider than 7 bits");
  }
  size_t total = (size_t)hdr + t->ndata;
  if (total > max) return fail(why, "output buffer too small");

  dws[0] = (uint32_t)t->fmt_type << 24 | (uint32_t)(t->tag >> 9 & 1) << 23 |
           (uint32_t)t->tc << 20 | (uint32_t)(t->tag >> 8 & 1) << 19 |
           (uint32_t)(t->attr >> 2 & 1) << 18 | (uint32_t)t->td << 15 | (uint32_t)t->ep << 14 |
           (uint32_t)(t->attr & 3) << 12 | (t->len_dw & 0x3FFu);
  if (is_cpl(k)) {
    dws[1] = (uint32_t)t->cpl_id << 16 | (uint32_t)t->status << 13 | (uint32_t)t->bcm << 12 |
             (t->byte_count & 0xFFFu);
    dws[2] = (uint32_t)t->req_id << 16 | (uint32_t)(t->tag & 0xFF) << 8 | t->lower_addr;
  } else if (is_msg(k)) {
    dws[1] = (uint32_t)t->req_id << 16 | (uint32_t)(t->tag & 0xFF) << 8 | t->msg_code;
    dws[2] = (uint32_t)(t->addr >> 32);
    dws[3] = (uint32_t)t->addr;
  } else {
    dws[1] = (uint32_t)t->req_id << 16 | (uint32_t)(t->tag & 0xFF) << 8 |
             (uint32_t)t->last_be << 4 | t->first_be;
    if (is_cfg(k)) {
      dws[2] = (uint32_t)t->cfg_bdf << 16 | t->cfg_reg;
    } else if (hdr == 4) {
      dws[2] = (uint32_t)(t->addr >> 32);
      dws[3] = (uint32_t)t->addr;
    } else {
      dws[2] = (uint32_t)t->addr;
    }
  }
  if (t->ndata) memcpy(&dws[hdr], t->data, t->ndata * sizeof(uint32_t));
  return (int)total;
}

static int bad(const char **why, const char *msg) {
  if (why) *why = msg;
  return -EBADMSG;
}

int cosim_tlp_decode(const uint32_t *dws, size_t n, cosim_tlp_t *t, const char **why) {
  memset(t, 0, offsetof(cosim_tlp_t, data));
  if (n < 1) return bad(why, "empty TLP");
  uint32_t dw0 = dws[0];
  t->fmt_type = (uint8_t)(dw0 >> 24);
  cosim_tlp_kind_t k = cosim_tlp_kind(t->fmt_type);
  if (k == COSIM_TLP_KIND_UNKNOWN) return bad(why, "unknown Fmt/Type");
  t->tc = dw0 >> 20 & 7;
  t->attr = (uint8_t)((dw0 >> 18 & 1) << 2 | (dw0 >> 12 & 3));
  t->td = dw0 >> 15 & 1;
  t->ep = dw0 >> 14 & 1;
  unsigned len_field = dw0 & 0x3FF;
  int with_len = length_meaningful(k, t->fmt_type);
  t->len_dw = (uint16_t)(with_len && len_field == 0 ? 1024 : len_field);
  size_t hdr = cosim_tlp_is_4dw(t->fmt_type) ? 4 : 3;
  size_t ndata = cosim_tlp_has_data(t->fmt_type) ? t->len_dw : 0;
  if (n != hdr + ndata + t->td) {
    if (n < hdr) return bad(why, "shorter than its header");
    return bad(why, n < hdr + ndata + t->td ? "fewer DWs than the header's Length (and TD)"
                                             : "more DWs than the header's Length (and TD)");
  }
  if ((is_cfg(k) || k == COSIM_TLP_KIND_IORD || k == COSIM_TLP_KIND_IOWR) && t->len_dw != 1)
    return bad(why, "configuration or I/O request with Length other than 1");
  uint16_t tag_hi = (uint16_t)((dw0 >> 23 & 1) << 9 | (dw0 >> 19 & 1) << 8);
  if (is_cpl(k)) {
    t->cpl_id = (uint16_t)(dws[1] >> 16);
    t->status = dws[1] >> 13 & 7;
    t->bcm = dws[1] >> 12 & 1;
    t->byte_count = (uint16_t)(dws[1] & 0xFFF);
    if (t->byte_count == 0) t->byte_count = 4096;
    t->req_id = (uint16_t)(dws[2] >> 16);
    t->tag = (uint16_t)(tag_hi | (dws[2] >> 8 & 0xFF));
    t->lower_addr = dws[2] & 0x7F;
  } else {
    t->req_id = (uint16_t)(dws[1] >> 16);
    t->tag = (uint16_t)(tag_hi | (dws[1] >> 8 & 0xFF));
    if (is_msg(k)) {
      t->msg_code = (uint8_t)dws[1];
      t->addr = (uint64_t)dws[2] << 32 | dws[3];
    } else {
      t->last_be = dws[1] >> 4 & 0xF;
      t->first_be = dws[1] & 0xF;
      if (is_cfg(k)) {
        t->cfg_bdf = (uint16_t)(dws[2] >> 16);
        t->cfg_reg = dws[2] & 0xFFC;
      } else if (hdr == 4) {
        t->addr = (uint64_t)dws[2] << 32 | (dws[3] & ~3u);
      } else {
        t->addr = dws[2] & ~3u;
      }
    }
  }
  t->ndata = (uint32_t)ndata;
  if (ndata) memcpy(t->data, &dws[hdr], ndata * sizeof(uint32_t));
  return 0;
}

/* snprintf that appends at *pos and never runs past len. */
static void append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t len, size_t *pos, const char *fmt, ...) {
  if (*pos >= len) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
  va_end(ap);
  if (n > 0) *pos += (size_t)n;
}

const char *cosim_tlp_status_name(unsigned st) {
  switch (st) {
  case VEP_CPL_SC: return "SC";
  case VEP_CPL_UR: return "UR";
  case VEP_CPL_CRS: return "CRS";
  case VEP_CPL_CA: return "CA";
  default: return "reserved";
  }
}

void cosim_tlp_format(const cosim_tlp_t *t, char *buf, size_t len) {
  if (!len) return;
  buf[0] = 0;
  size_t pos = 0;
  cosim_tlp_kind_t k = cosim_tlp_kind(t->fmt_type);
  int four = cosim_tlp_is_4dw(t->fmt_type);
  switch (k) {
  case COSIM_TLP_KIND_MRD: case COSIM_TLP_KIND_MRDLK: case COSIM_TLP_KIND_MWR:
    append(buf, len, &pos, "%s%s", cosim_tlp_kind_name(k), four ? "64" : "32");
    break;
  case COSIM_TLP_KIND_ATOMIC: {
    static const char *const atomic[] = {"FetchAdd", "Swap", "CAS"};
    append(buf, len, &pos, "%s%s", atomic[(t->fmt_type & 0x1F) - 0x0C], four ? "64" : "32");
    break;
  }
  case COSIM_TLP_KIND_UNKNOWN:
    append(buf, len, &pos, "Unknown(fmt_type=0x%02x)", t->fmt_type);
    return;
  default: append(buf, len, &pos, "%s", cosim_tlp_kind_name(k)); break;
  }
  if (is_cpl(k)) {
    append(buf, len, &pos, " cpl=%04x req=%04x tag=%03x st=%s bc=%u la=%02x", t->cpl_id,
           t->req_id, t->tag, cosim_tlp_status_name(t->status), t->byte_count, t->lower_addr);
    if (t->bcm) append(buf, len, &pos, " bcm");
  } else if (is_msg(k)) {
    append(buf, len, &pos, " req=%04x tag=%03x code=0x%02x route=%u", t->req_id, t->tag,
           t->msg_code, t->fmt_type & 7u);
    if (t->addr) append(buf, len, &pos, " addr=0x%llx", (unsigned long long)t->addr);
  } else {
    append(buf, len, &pos, " req=%04x tag=%03x", t->req_id, t->tag);
    if (is_cfg(k))
      append(buf, len, &pos, " bdf=%02x:%02x.%x reg=0x%03x", t->cfg_bdf >> 8,
             t->cfg_bdf >> 3 & 0x1F, t->cfg_bdf & 7u, t->cfg_reg);
    else
      append(buf, len, &pos, " addr=0x%llx", (unsigned long long)t->addr);
  }
  append(buf, len, &pos, " len=%u", t->len_dw);
  if (!is_cpl(k) && !is_msg(k)) append(buf, len, &pos, " be=%x/%x", t->first_be, t->last_be);
  if (t->tc) append(buf, len, &pos, " tc=%u", t->tc);
  if (t->attr) append(buf, len, &pos, " attr=%u", t->attr);
  if (t->td) append(buf, len, &pos, " td");
  if (t->ep) append(buf, len, &pos, " ep");
  if (t->ndata) {
    append(buf, len, &pos, " data=");
    uint32_t shown = t->ndata < 4 ? t->ndata : 4;
    for (uint32_t i = 0; i < shown; i++)
      append(buf, len, &pos, "%s%08x", i ? " " : "", t->data[i]);
    if (t->ndata > shown) append(buf, len, &pos, " ...(+%u DW)", t->ndata - shown);
  }
}

void cosim_tlp_cfg(cosim_tlp_t *t, int write, uint16_t req_id, uint16_t tag, uint16_t bdf,
                   unsigned off, unsigned size, uint32_t val) {
  memset(t, 0, offsetof(cosim_tlp_t, data));
  unsigned lane = off & 3u;
  uint64_t mask = (size >= 4) ? 0xFFFFFFFFull : ((1ull << (8 * size)) - 1);
  t->fmt_type = write ? VEP_TLP_CFGWR0 : VEP_TLP_CFGRD0;
  t->len_dw = 1;
  t->req_id = req_id;
  t->tag = tag;
  t->first_be = (uint8_t)((((1u << size) - 1) << lane) & 0xF);
  t->cfg_bdf = bdf;
  t->cfg_reg = (uint16_t)(off & 0xFFCu);
  if (write) {
    t->ndata = 1;
    t->data[0] = (uint32_t)(((uint64_t)val & mask) << (8 * lane));
  }
}

void cosim_tlp_mem(cosim_tlp_t *t, int write, uint16_t req_id, uint16_t tag, uint64_t addr,
                   unsigned size, uint64_t val) {
  memset(t, 0, offsetof(cosim_tlp_t, data));
  int four = addr > 0xFFFFFFFFull;
  t->fmt_type = (uint8_t)((write ? VEP_TLP_MWR32 : VEP_TLP_MRD32) | (four ? VEP_TLP_FMT_4DW : 0));
  t->req_id = req_id;
  t->tag = tag;
  t->addr = addr & ~3ull;
  if (size == 8) {
    t->len_dw = 2;
    t->first_be = 0xF;
    t->last_be = 0xF;
    if (write) {
      t->ndata = 2;
      t->data[0] = (uint32_t)val;
      t->data[1] = (uint32_t)(val >> 32);
    }
  } else {
    unsigned lane = addr & 3u;
    uint64_t mask = (size >= 4) ? 0xFFFFFFFFull : ((1ull << (8 * size)) - 1);
    t->len_dw = 1;
    t->first_be = (uint8_t)((((1u << size) - 1) << lane) & 0xF);
    if (write) {
      t->ndata = 1;
      t->data[0] = (uint32_t)((val & mask) << (8 * lane));
    }
  }
}

uint32_t cosim_tlp_byte_span(const cosim_tlp_t *t, unsigned *first_off) {
  *first_off = 0;
  if (t->len_dw == 1 && !t->first_be) return 0;
  unsigned lo = 0, hi = 3;
  while (lo < 4 && !(t->first_be >> lo & 1)) lo++;
  /* A 1-DW request ends in its first DW; a Last DW BE of 0000 (malformed for longer requests)
   * counts as the DW's first byte. */
  unsigned last_be = t->len_dw == 1 ? t->first_be : t->last_be;
  while (hi > 0 && !(last_be >> hi & 1)) hi--;
  *first_off = lo;
  return (uint32_t)(t->len_dw - 1u) * 4u + hi + 1u - lo;
}
