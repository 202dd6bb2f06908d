/* SPDX-License-Identifier: Apache-2.0 */
#include "cosim_check.h"

#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cosim_tlp.h"
#include "vep_consts.h"

#define CHK_MAX_REQS 1024u      /* outstanding requests tracked per direction (10-bit tags) */
#define CHK_POSTED 8u           /* recent posted requests remembered, to name a bad completion */
#define CHK_TEXT 256u
#define CHK_CFGWR_MAX 64u       /* configuration writes to the endpoint in flight at once */
#define CHK_BRIEF_DW 4u         /* payload DWs cosim_tlp_format shows */

/* A remembered request: what cosim_tlp_format reads of it (the TLP up to its payload and the
 * payload DWs it shows), formatted only for a message. */
typedef struct chk_brief {
  unsigned char hdr[offsetof(cosim_tlp_t, data)];
  uint32_t data[CHK_BRIEF_DW];
} chk_brief_t;

/* The TLP being checked, formatted on first use: a clean TLP needs no text, and formatting every
 * one cost more than all the checks together. */
typedef struct chk_text {
  const cosim_tlp_t *t;
  int done;
  char buf[CHK_TEXT];
} chk_text_t;

typedef struct chk_req {
  int used;
  uint64_t seq;                 /* host requests: order of sending */
  uint64_t cycle;               /* when it was sent */
  uint16_t req_id, tag;
  cosim_tlp_kind_t kind;
  uint8_t tc, attr;
  uint32_t remaining;           /* memory reads: bytes still to come; AtomicOps: operand size */
  uint64_t next_addr;           /* memory reads: address of the next completion's first byte */
  uint16_t cpl_id_sent;         /* the captured bus/device when it was sent (device side) */
  int cfgwr;                    /* a CfgWr0 to function 0, in the in-flight list */
  chk_brief_t text;             /* the request */
} chk_req_t;

typedef struct chk_cfg {
  uint16_t cmd, devctl, id;
} chk_cfg_t;

/* A CfgWr0 to the endpoint's function whose completion has not come back yet. */
typedef struct chk_cfgwr {
  uint64_t seq;                 /* of its request */
  uint16_t bdf, reg;
  uint8_t be;
  uint32_t data;
} chk_cfgwr_t;

typedef struct chk_posted {
  uint16_t req_id, tag;
  chk_brief_t text;
} chk_posted_t;

struct cosim_check {
  cosim_errlog_t *log;
  chk_req_t *host_reqs;         /* host requests the device must complete */
  chk_req_t *dev_reqs;          /* device reads the host must complete */
  chk_posted_t posted[CHK_POSTED];
  unsigned nposted;
  /* done: the CfgWr0s to function 0 that completed SC, in completion order. pend: done plus
   * those still in flight, in sending order (the device may act on one before its completion
   * reaches the host); recomputed when one completes, so a write answered UR/CA/CRS or timed
   * out is rolled back. */
  chk_cfg_t done, pend;
  chk_cfgwr_t inflight[CHK_CFGWR_MAX];
  unsigned ninflight;
  uint64_t seq;
  cosim_tlp_t t;                /* scratch: too big for the stack of every call */
  cosim_tlp_t brief_tlp;        /* brief_text: a remembered request rebuilt for formatting */
  char brief_buf[CHK_TEXT];
};

int cosim_check_create(cosim_errlog_t *log, cosim_check_t **out) {
  if (!log || !out) return -EINVAL;
  cosim_check_t *c = calloc(1, sizeof(*c));
  if (!c) return -ENOMEM;
  c->host_reqs = calloc(CHK_MAX_REQS, sizeof(*c->host_reqs));
  c->dev_reqs = calloc(CHK_MAX_REQS, sizeof(*c->dev_reqs));
  if (!c->host_reqs || !c->dev_reqs) {
    cosim_check_destroy(c);
    return -ENOMEM;
  }
  c->log = log;
  c->pend.devctl = c->done.devctl = VEP_PCIE_DEVCTL_RESET;
  *out = c;
  return 0;
}

void cosim_check_destroy(cosim_check_t *c) {
  if (!c) return;
  free(c->host_reqs);
  free(c->dev_reqs);
  free(c);
}

/* ---- The configuration the host programmed ---- */

static unsigned enc_bytes(unsigned enc) { return 128u << (enc > 5 ? 5 : enc); }
static unsigned mps_of(const chk_cfg_t *f) {
  return enc_bytes(f->devctl >> VEP_DEVCTL_MPS_SHIFT & 7);
}
static unsigned mrrs_of(const chk_cfg_t *f) {
  return enc_bytes(f->devctl >> VEP_DEVCTL_MRRS_SHIFT & 7);
}
static unsigned umax(unsigned a, unsigned b) { return a > b ? a : b; }
static unsigned umin(unsigned a, unsigned b) { return a < b ? a : b; }

unsigned cosim_check_mps(const cosim_check_t *c) {
  return umin(mps_of(&c->pend), mps_of(&c->done));
}

/* Writes the enabled bytes of a 16-bit register at config offset `off` from a CfgWr0. */
static void write16(uint16_t *reg, unsigned off, uint16_t cfg_reg, uint8_t be, uint32_t data,
                    uint16_t wmask) {
  if ((off & ~3u) != cfg_reg) return;
  unsigned sh = off & 3u;
  uint16_t val = (uint16_t)(data >> (8 * sh));
  uint16_t m = (uint16_t)(((be >> sh & 1) ? 0x00FF : 0) | ((be >> (sh + 1) & 1) ? 0xFF00 : 0));
  m &= wmask;
  *reg = (uint16_t)((*reg & ~m) | (val & m));
}

/* The effect of a successful CfgWr0 to function 0 (the endpoint's only function): the device
 * captures the bus/device number, and Command / Device Control take the written bits. */
static void cfg_apply(chk_cfg_t *f, const chk_cfgwr_t *w) {
  f->id = w->bdf & 0xFFF8u;
  write16(&f->cmd, VEP_CFG_COMMAND, w->reg, w->be, w->data, VEP_CMD_WRITABLE);
  write16(&f->devctl, VEP_CAP_PCIE_OFF + VEP_PCIE_DEVCTL, w->reg, w->be, w->data,
          VEP_PCIE_DEVCTL_WMASK);
}

/* done with the in-flight writes sent up to request `upto` applied, in sending order. */
static chk_cfg_t cfg_view(const cosim_check_t *c, uint64_t upto) {
  chk_cfg_t f = c->done;
  for (unsigned i = 0; i < c->ninflight && c->inflight[i].seq <= upto; i++)
    cfg_apply(&f, &c->inflight[i]);
  return f;
}

/* A CfgWr0 to function 0 that the device answered UR/CA was still received by it, and PCIe
 * (2.2.6.2) has the function capture its bus/device number from it: only the register write
 * did not happen. (A write that was never answered, e.g. dropped as malformed, captured
 * nothing.) */
static void cfgwr_capture_id(cosim_check_t *c, uint64_t seq) {
  for (unsigned i = 0; i < c->ninflight; i++)
    if (c->inflight[i].seq == seq) c->done.id = c->inflight[i].bdf & 0xFFF8u;
}

/* Takes the write of request seq out of flight; applies it to done when it succeeded. */
static void cfgwr_finish(cosim_check_t *c, uint64_t seq, int success) {
  for (unsigned i = 0; i < c->ninflight; i++) {
    if (c->inflight[i].seq != seq) continue;
    if (success) cfg_apply(&c->done, &c->inflight[i]);
    c->ninflight--;
    memmove(&c->inflight[i], &c->inflight[i + 1], (c->ninflight - i) * sizeof(c->inflight[0]));
    break;
  }
  c->pend = cfg_view(c, UINT64_MAX);
}

/* ---- Helpers ---- */

static void fmt_raw(const uint32_t *dws, size_t n, char *buf, size_t len) {
  size_t pos = 0;
  buf[0] = 0;
  for (size_t i = 0; i < n && i < 8 && pos < len; i++)
    pos += (size_t)snprintf(buf + pos, len - pos, "%s%08" PRIx32, i ? " " : "", dws[i]);
  if (n > 8 && pos < len) snprintf(buf + pos, len - pos, " ...(%zu DWs)", n);
}

static const char *txt(chk_text_t *x) {
  if (!x->done) {
    cosim_tlp_format(x->t, x->buf, sizeof(x->buf));
    x->done = 1;
  }
  return x->buf;
}

static void brief_of(const cosim_tlp_t *t, chk_brief_t *b) {
  memcpy(b->hdr, t, sizeof(b->hdr));
  memcpy(b->data, t->data, sizeof(b->data));
}

/* A remembered request's text, in the checker's buffer (valid until the next call). */
static const char *brief_text(cosim_check_t *c, const chk_brief_t *b) {
  memcpy(&c->brief_tlp, b->hdr, sizeof(b->hdr));
  memcpy(c->brief_tlp.data, b->data, sizeof(b->data));
  cosim_tlp_format(&c->brief_tlp, c->brief_buf, sizeof(c->brief_buf));
  return c->brief_buf;
}

static int is_cfg_kind(cosim_tlp_kind_t k) {
  return k == COSIM_TLP_KIND_CFGRD0 || k == COSIM_TLP_KIND_CFGWR0 || k == COSIM_TLP_KIND_CFGRD1 ||
         k == COSIM_TLP_KIND_CFGWR1;
}
static int is_cpl_kind(cosim_tlp_kind_t k) {
  return k == COSIM_TLP_KIND_CPL || k == COSIM_TLP_KIND_CPLD || k == COSIM_TLP_KIND_CPLLK ||
         k == COSIM_TLP_KIND_CPLDLK;
}
static int is_mem_read(cosim_tlp_kind_t k) {
  return k == COSIM_TLP_KIND_MRD || k == COSIM_TLP_KIND_MRDLK;
}
static int is_mem_req(cosim_tlp_kind_t k) {
  return is_mem_read(k) || k == COSIM_TLP_KIND_MWR || k == COSIM_TLP_KIND_ATOMIC;
}

/* The byte-enable rules of a memory request; NULL when they hold. */
static const char *be_rule(const cosim_tlp_t *t) {
  if (t->len_dw == 1)
    return t->last_be ? "Last DW BE not 0000 in a 1-DW request" : NULL;
  if (!t->first_be || !t->last_be) return "First or Last DW BE 0000 in a request of 2 DWs or more";
  /* 2-DW QW-aligned requests may have any non-zero byte enables. */
  if (t->len_dw == 2 && !(t->addr & 7)) return NULL;
  int first_ok = t->first_be == 0x8 || t->first_be == 0xC || t->first_be == 0xE ||
                 t->first_be == 0xF;
  int last_ok = t->last_be == 0x1 || t->last_be == 0x3 || t->last_be == 0x7 || t->last_be == 0xF;
  return first_ok && last_ok ? NULL : "non-contiguous byte enables in a request of 2 DWs or more";
}

/* Rules every memory request obeys, whoever sends it. */
static void mem_req_rules(cosim_check_t *c, uint64_t cycle, const char *side, const cosim_tlp_t *t,
                          chk_text_t *text) {
  const char *why = be_rule(t);
  if (why) cosim_errlog_add(c->log, cycle, "%s: %s: %s", side, why, txt(text));
  if ((t->addr & 0xFFF) + (uint64_t)t->len_dw * 4 > 0x1000)
    cosim_errlog_add(c->log, cycle, "%s: request crosses a 4 KiB boundary: %s", side, txt(text));
  if (cosim_tlp_is_4dw(t->fmt_type) && t->addr <= 0xFFFFFFFFull)
    cosim_errlog_add(c->log, cycle, "%s: 4DW header for an address below 4 GiB: %s", side,
                     txt(text));
}

static chk_req_t *req_find(chk_req_t *tab, uint16_t req_id, uint16_t tag) {
  for (unsigned i = 0; i < CHK_MAX_REQS; i++)
    if (tab[i].used && tab[i].tag == tag && tab[i].req_id == req_id) return &tab[i];
  return NULL;
}

static chk_req_t *req_find_tag(chk_req_t *tab, uint16_t tag) {
  for (unsigned i = 0; i < CHK_MAX_REQS; i++)
    if (tab[i].used && tab[i].tag == tag) return &tab[i];
  return NULL;
}

static chk_req_t *req_add(cosim_check_t *c, chk_req_t *tab, uint64_t cycle, const cosim_tlp_t *t,
                          chk_text_t *text) {
  chk_req_t *r = NULL;
  for (unsigned i = 0; i < CHK_MAX_REQS && !r; i++)
    if (!tab[i].used) r = &tab[i];
  if (!r) {
    cosim_errlog_add(c->log, cycle, "checker: more than %u outstanding requests, not tracked: %s",
                     CHK_MAX_REQS, txt(text));
    return NULL;
  }
  memset(r, 0, sizeof(*r));
  r->used = 1;
  r->cycle = cycle;
  r->req_id = t->req_id;
  r->tag = t->tag;
  r->kind = cosim_tlp_kind(t->fmt_type);
  r->tc = t->tc;
  r->attr = t->attr;
  if (is_mem_read(r->kind)) {
    unsigned off;
    uint32_t n = cosim_tlp_byte_span(t, &off);
    r->remaining = n ? n : 1;   /* a zero-length read is answered with Byte Count 1 */
    r->next_addr = t->addr + off;
  } else if (r->kind == COSIM_TLP_KIND_ATOMIC) {
    /* PCIe 2.2.9: an AtomicOp completion's Byte Count is the operand size; CAS carries two
     * operands (compare and swap) in its payload. */
    r->remaining = (t->fmt_type & 0x1Fu) == 0x0Eu ? t->len_dw * 2u : t->len_dw * 4u;
  }
  brief_of(t, &r->text);
  return r;
}

/* Ends a request: a configuration write leaves flight, taking effect only when it succeeded. */
static void req_end(cosim_check_t *c, chk_req_t *r, int success) {
  if (r->cfgwr) cfgwr_finish(c, r->seq, success);
  r->used = 0;
}

/* ---- Completions (either side) ---- */

/* Byte Count and Lower Address of the next completion of r, whatever its status: a memory read
 * counts the bytes still to come and points at the next one; anything else is 4 and 0. */
static void check_bc_la(cosim_check_t *c, uint64_t cycle, const char *side, const chk_req_t *r,
                        const cosim_tlp_t *t, chk_text_t *text) {
  uint32_t want_bc = 4;
  uint8_t want_la = 0;
  if (is_mem_read(r->kind)) {
    want_bc = r->remaining;
    want_la = (uint8_t)(r->next_addr & 0x7F);
  } else if (r->kind == COSIM_TLP_KIND_ATOMIC) {
    want_bc = r->remaining;
  }
  if (t->byte_count != want_bc || t->lower_addr != want_la)
    cosim_errlog_add(c->log, cycle,
                     "%s: Byte Count %u / Lower Address 0x%02x, expected %u / 0x%02x: %s answers "
                     "%s",
                     side, t->byte_count, t->lower_addr, want_bc, want_la, txt(text),
                     brief_text(c, &r->text));
}

static void check_cpl(cosim_check_t *c, uint64_t cycle, int from_dev, const cosim_tlp_t *t,
                      chk_text_t *text) {
  const char *side = from_dev ? "device" : "host";
  chk_req_t *r = req_find(from_dev ? c->host_reqs : c->dev_reqs, t->req_id, t->tag);
  if (!r) {
    for (unsigned i = 0; i < CHK_POSTED && i < c->nposted; i++) {
      const chk_posted_t *p = &c->posted[(c->nposted - 1 - i) % CHK_POSTED];
      if (p->req_id == t->req_id && p->tag == t->tag) {
        cosim_errlog_add(c->log, cycle, "%s: completion for a posted request: %s answers %s",
                         side, txt(text), brief_text(c, &p->text));
        return;
      }
    }
    cosim_errlog_add(c->log, cycle,
                     "%s: unexpected completion (no outstanding request with Requester ID %04x "
                     "and tag %03x): %s",
                     side, t->req_id, t->tag, txt(text));
    return;
  }
  cosim_tlp_kind_t k = cosim_tlp_kind(t->fmt_type);
  if (from_dev && t->cpl_id != r->cpl_id_sent && t->cpl_id != c->done.id) {
    /* Or the bus/device of a configuration write sent up to this request and still in flight
     * (for a CfgWr0, its own): the device may have captured it already. */
    uint16_t want = cfg_view(c, r->seq).id;
    if (t->cpl_id != want)
      cosim_errlog_add(c->log, cycle,
                       "device: Completer ID %04x, expected %04x (the bus/device number captured "
                       "from a successful CfgWr0 to function 0, 0 before any): %s answers %s",
                       t->cpl_id, want, txt(text), brief_text(c, &r->text));
  }
  if (t->tc != r->tc || t->attr != r->attr)
    cosim_errlog_add(c->log, cycle, "%s: TC/Attr %u/%u not copied from the request (%u/%u): %s",
                     side, t->tc, t->attr, r->tc, r->attr, txt(text));
  int locked_cpl = k == COSIM_TLP_KIND_CPLLK || k == COSIM_TLP_KIND_CPLDLK;
  if (locked_cpl != (r->kind == COSIM_TLP_KIND_MRDLK))
    cosim_errlog_add(c->log, cycle, "%s: %s completion for %s", side,
                     locked_cpl ? "locked" : "non-locked", brief_text(c, &r->text));
  int with_data = cosim_tlp_has_data(t->fmt_type);
  if (t->status != VEP_CPL_SC) {
    /* UR, CA, CRS: the request ends here, without data, and a configuration write it answers
     * did not happen. */
    int ok = t->status == VEP_CPL_UR || t->status == VEP_CPL_CA ||
             (t->status == VEP_CPL_CRS && is_cfg_kind(r->kind));
    if (!ok)
      cosim_errlog_add(c->log, cycle, "%s: Completion Status %u not allowed here: %s answers %s",
                       side, t->status, txt(text), brief_text(c, &r->text));
    if (with_data)
      cosim_errlog_add(c->log, cycle, "%s: error completion with data: %s", side, txt(text));
    check_bc_la(c, cycle, side, r, t, text);
    if (r->cfgwr) cfgwr_capture_id(c, r->seq);
    req_end(c, r, 0);
    return;
  }
  if (t->ep) cosim_errlog_add(c->log, cycle, "%s: poisoned completion: %s", side, txt(text));
  int is_read = is_mem_read(r->kind) || r->kind == COSIM_TLP_KIND_CFGRD0 ||
                r->kind == COSIM_TLP_KIND_CFGRD1 || r->kind == COSIM_TLP_KIND_IORD ||
                r->kind == COSIM_TLP_KIND_ATOMIC;
  if (is_read != with_data)
    cosim_errlog_add(c->log, cycle, "%s: %s for %s", side,
                     is_read ? "successful completion without data" : "completion with data",
                     brief_text(c, &r->text));
  if (!is_mem_read(r->kind)) {
    /* (An AtomicOp's successful completion counts its operand size: not checked here.) */
    if (is_cfg_kind(r->kind) || r->kind == COSIM_TLP_KIND_IORD || r->kind == COSIM_TLP_KIND_IOWR) {
      check_bc_la(c, cycle, side, r, t, text);
      if (with_data && t->len_dw != 1)
        cosim_errlog_add(c->log, cycle, "%s: Length %u, expected 1: %s", side, t->len_dw,
                         txt(text));
    }
    req_end(c, r, 1);
    return;
  }
  /* A memory read: each completion returns the next bytes in address order. */
  check_bc_la(c, cycle, side, r, t, text);
  if (!with_data) {
    req_end(c, r, 0);
    return;
  }
  unsigned mps = umax(mps_of(&c->pend), mps_of(&c->done));
  if ((unsigned)t->len_dw * 4 > mps)
    cosim_errlog_add(c->log, cycle, "%s: completion payload %u bytes above MPS %u: %s", side,
                     t->len_dw * 4u, mps, txt(text));
  uint32_t lead = (uint32_t)(r->next_addr & 3);
  uint32_t covered = (uint32_t)t->len_dw * 4 - lead;
  if (covered >= r->remaining) {
    uint32_t need = (lead + r->remaining + 3) / 4;
    if (t->len_dw != need)
      cosim_errlog_add(c->log, cycle,
                       "%s: last completion has Length %u, the remaining %u bytes need %u: %s",
                       side, t->len_dw, r->remaining, need, txt(text));
    req_end(c, r, 1);
    return;
  }
  uint64_t end = (r->next_addr & ~3ull) + (uint64_t)t->len_dw * 4;
  if (end % COSIM_CHECK_RCB)
    cosim_errlog_add(c->log, cycle,
                     "%s: split completion ends at 0x%" PRIx64 ", not on a %u-byte RCB boundary: "
                     "%s answers %s",
                     side, end, COSIM_CHECK_RCB, txt(text), brief_text(c, &r->text));
  r->remaining -= covered;
  r->next_addr += covered;
}

/* ---- Host side ---- */

void cosim_check_host_tlp(cosim_check_t *c, uint64_t cycle, const uint32_t *dws, size_t n) {
  cosim_tlp_t *t = &c->t;
  const char *why = NULL;
  if (cosim_tlp_decode(dws, n, t, &why) != 0) {
    char raw[CHK_TEXT];
    fmt_raw(dws, n, raw, sizeof(raw));
    cosim_errlog_add(c->log, cycle, "host: malformed TLP (%s): %s", why, raw);
    return;
  }
  chk_text_t text_of_t = {.t = t}, *text = &text_of_t;
  cosim_tlp_kind_t k = cosim_tlp_kind(t->fmt_type);
  if (is_cpl_kind(k)) {
    check_cpl(c, cycle, 0, t, text);
    return;
  }
  if (is_mem_req(k)) {
    mem_req_rules(c, cycle, "host", t, text);
    unsigned mps = umax(mps_of(&c->pend), mps_of(&c->done));
    if (k == COSIM_TLP_KIND_MWR && (unsigned)t->len_dw * 4 > mps)
      cosim_errlog_add(c->log, cycle, "host: MWr payload %u bytes above the device's MPS %u: %s",
                       t->len_dw * 4u, mps, txt(text));
  }
  if (is_cfg_kind(k) && (t->tc || t->attr || t->last_be))
    cosim_errlog_add(c->log, cycle,
                     "host: configuration request with TC, Attr or Last DW BE not 0: %s",
                     txt(text));
  if (cosim_tlp_is_posted(t->fmt_type)) {
    chk_posted_t *p = &c->posted[c->nposted++ % CHK_POSTED];
    p->req_id = t->req_id;
    p->tag = t->tag;
    brief_of(t, &p->text);
    return;
  }
  chk_req_t *old = req_find(c->host_reqs, t->req_id, t->tag);
  if (old) {
    cosim_errlog_add(c->log, cycle, "host: tag %03x reused while %s (cycle %" PRIu64
                     ") is outstanding: %s",
                     t->tag, brief_text(c, &old->text), old->cycle, txt(text));
    req_end(c, old, 0);
  }
  chk_req_t *r = req_add(c, c->host_reqs, cycle, t, text);
  if (!r) return;
  r->seq = ++c->seq;
  r->cpl_id_sent = c->done.id;
  /* Only a write to the endpoint's own function can change its configuration. */
  if (k != COSIM_TLP_KIND_CFGWR0 || (t->cfg_bdf & 7u) != 0) return;
  if (c->ninflight == CHK_CFGWR_MAX) {
    cosim_errlog_add(c->log, cycle,
                     "checker: more than %u configuration writes in flight, not tracked: %s",
                     CHK_CFGWR_MAX, txt(text));
    return;
  }
  c->inflight[c->ninflight++] =
      (chk_cfgwr_t){r->seq, t->cfg_bdf, t->cfg_reg, t->first_be, t->data[0]};
  r->cfgwr = 1;
  c->pend = cfg_view(c, UINT64_MAX);
}

void cosim_check_forget(cosim_check_t *c, uint16_t req_id, uint16_t tag) {
  chk_req_t *r = req_find(c->host_reqs, req_id, tag);
  /* A write that timed out may or may not have happened: the checker assumes it did not. */
  if (r) req_end(c, r, 0);
}

/* ---- Device side ---- */

static void dev_mem_req(cosim_check_t *c, uint64_t cycle, const cosim_tlp_t *t, chk_text_t *text) {
  cosim_tlp_kind_t k = cosim_tlp_kind(t->fmt_type);
  if (t->req_id != c->done.id && t->req_id != c->pend.id)
    cosim_errlog_add(c->log, cycle,
                     "device: Requester ID %04x is not the captured bus/device number %04x: %s",
                     t->req_id, c->done.id, txt(text));
  if (!((c->pend.cmd | c->done.cmd) & VEP_CMD_BUS_MASTER))
    cosim_errlog_add(c->log, cycle, "device: memory request while Bus Master Enable is 0: %s",
                     txt(text));
  mem_req_rules(c, cycle, "device", t, text);
  uint16_t devctl = c->pend.devctl | c->done.devctl;
  if ((t->attr & 2) && !(devctl & 0x0010))
    cosim_errlog_add(c->log, cycle, "device: Relaxed Ordering set but not enabled: %s", txt(text));
  if ((t->attr & 1) && !(devctl & 0x0800))
    cosim_errlog_add(c->log, cycle, "device: No Snoop set but not enabled: %s", txt(text));
  if (t->attr & 4)
    cosim_errlog_add(c->log, cycle, "device: ID-Based Ordering set but not enabled: %s", txt(text));
  if (t->ep) cosim_errlog_add(c->log, cycle, "device: poisoned request: %s", txt(text));
  if (k == COSIM_TLP_KIND_MWR) {
    unsigned mps = umax(mps_of(&c->pend), mps_of(&c->done));
    if ((unsigned)t->len_dw * 4 > mps)
      cosim_errlog_add(c->log, cycle, "device: MWr payload %u bytes above MPS %u: %s",
                       t->len_dw * 4u, mps, txt(text));
    return;
  }
  if (k != COSIM_TLP_KIND_MRD) {
    cosim_errlog_add(c->log, cycle, "device: an endpoint does not send %s: %s",
                     cosim_tlp_kind_name(k), txt(text));
    return;
  }
  unsigned mrrs = umax(mrrs_of(&c->pend), mrrs_of(&c->done));
  if ((unsigned)t->len_dw * 4 > mrrs)
    cosim_errlog_add(c->log, cycle, "device: MRd of %u bytes above MRRS %u: %s", t->len_dw * 4u,
                     mrrs, txt(text));
  if (t->tag > 0xFF)
    cosim_errlog_add(c->log, cycle, "device: 10-bit tag, which is not enabled: %s", txt(text));
  else if (t->tag >= 32 && !(devctl & 0x0100))
    cosim_errlog_add(c->log, cycle,
                     "device: tag %03x above 31 without Extended Tag Field Enable: %s", t->tag,
                     txt(text));
  chk_req_t *old = req_find_tag(c->dev_reqs, t->tag);
  if (old) {
    cosim_errlog_add(c->log, cycle,
                     "device: tag %03x reused before its completion finished (%s, cycle %" PRIu64
                     "): %s", t->tag, brief_text(c, &old->text), old->cycle, txt(text));
    req_end(c, old, 0);
  }
  req_add(c, c->dev_reqs, cycle, t, text);
}

/* The only messages this endpoint may send: INTx emulation of its Interrupt Pin, INTA. Duplicate
 * Asserts or Deasserts are not errors in PCIe (the virtual wire simply keeps its level), but an
 * Assert while INTx Disable is set is: the function must not signal INTx then. */
static void dev_intx_msg(cosim_check_t *c, uint64_t cycle, const cosim_tlp_t *t,
                         chk_text_t *text) {
  int assert_a = t->msg_code == VEP_MSG_ASSERT_INTA;
  if (t->fmt_type != VEP_TLP_MSG_LOCAL || (!assert_a && t->msg_code != VEP_MSG_DEASSERT_INTA)) {
    cosim_errlog_add(c->log, cycle,
                     "device: message other than Assert/Deassert_INTA (Interrupt Pin INTA): %s",
                     txt(text));
    return;
  }
  if (t->tc || t->attr || t->addr)
    cosim_errlog_add(c->log, cycle,
                     "device: INTx message with TC/Attr not 0 or header DW2/DW3 not 0: %s",
                     txt(text));
  if (t->req_id != c->done.id && t->req_id != c->pend.id)
    cosim_errlog_add(c->log, cycle, "device: INTx message with Requester ID %04x, not %04x: %s",
                     t->req_id, c->done.id, txt(text));
  /* INTx Disable counts once the write setting it completed, and while it is in flight only if
   * both views agree (the device may act on a write before its completion arrives). */
  if (assert_a && (c->done.cmd & c->pend.cmd & VEP_CMD_INTX_DISABLE))
    cosim_errlog_add(c->log, cycle, "device: Assert_INTA while INTx Disable is set: %s", txt(text));
}

void cosim_check_dev_tlp(cosim_check_t *c, uint64_t cycle, const uint32_t *dws, size_t n,
                         const char *framing) {
  if (!dws) {
    cosim_errlog_add(c->log, cycle, "device: TX stream: %s", framing);
    return;
  }
  cosim_tlp_t *t = &c->t;
  const char *why = NULL;
  int rc = cosim_tlp_decode(dws, n, t, &why);
  if (rc) {
    char raw[CHK_TEXT];
    fmt_raw(dws, n, raw, sizeof(raw));
    uint8_t ft = (uint8_t)(dws[0] >> 24);
    if (cosim_tlp_kind(ft) != COSIM_TLP_KIND_UNKNOWN && n >= 1) {
      unsigned len = dws[0] & 0x3FF;
      size_t want = (cosim_tlp_is_4dw(ft) ? 4u : 3u) +
                    (cosim_tlp_has_data(ft) ? (len ? len : 1024u) : 0u) + (dws[0] >> 15 & 1);
      if (want != n) {
        cosim_errlog_add(c->log, cycle,
                         "device: TX stream: eop after %zu DWs, but the header (Fmt/Length/TD) "
                         "says %zu%s%s: %s",
                         n, want, framing ? "; also " : "", framing ? framing : "", raw);
        return;
      }
    }
    cosim_errlog_add(c->log, cycle, "device: malformed TLP (%s)%s%s: %s", why,
                     framing ? "; also " : "", framing ? framing : "", raw);
    return;
  }
  chk_text_t text_of_t = {.t = t}, *text = &text_of_t;
  if (framing) cosim_errlog_add(c->log, cycle, "device: TX stream: %s: %s", framing, txt(text));
  cosim_tlp_kind_t k = cosim_tlp_kind(t->fmt_type);
  if (is_cpl_kind(k)) {
    check_cpl(c, cycle, 1, t, text);
  } else if (is_mem_req(k)) {
    dev_mem_req(c, cycle, t, text);
  } else if (k == COSIM_TLP_KIND_MSG) {
    dev_intx_msg(c, cycle, t, text);
  } else {
    cosim_errlog_add(c->log, cycle, "device: an endpoint does not send %s: %s",
                     cosim_tlp_kind_name(k), txt(text));
  }
}
