/* SPDX-License-Identifier: Apache-2.0 */
#include "cosim_rc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vep_consts.h"

#define RC_TAGS 1024u           /* tests may send 10-bit tags with cosim_send_tlp */
#define RC_TEXT 256u

typedef enum { RC_FREE, RC_WAITING, RC_DONE, RC_TIMEDOUT } rc_state_t;

typedef struct rc_req {
  rc_state_t state;
  uint16_t req_id;
  int mem_read;                 /* completions may be split; others come in one */
  uint64_t sent;                /* cycle it was delivered (until then: the current cycle) */
  uint64_t seq;                 /* its number among the TLPs sent (tlps_sent after sending) */
  int got_first;
  unsigned status;
  cosim_tlp_t *first;           /* allocated on first use, kept for the tag's next use */
  char text[RC_TEXT];
} rc_req_t;

/* How a scheduled completion goes on the link. */
typedef enum {
  RC_SEND_PLAIN,                /* send: the checker sees it */
  RC_SEND_POISONED,             /* an injected poisoned CplD (send_fault, checker sees EP 0) */
  RC_SEND_HIDDEN                /* an injected duplicate (send_fault, the checker never sees it) */
} rc_send_how_t;

typedef struct rc_sched {
  uint64_t due;
  size_t n;
  uint32_t *dws;
  rc_send_how_t how;
} rc_sched_t;

typedef struct rc_fault {
  uint64_t addr, len;
  unsigned kind;                /* COSIM_DMA_FAULT_*, NONE: unused */
} rc_fault_t;

struct cosim_rc {
  cosim_rc_cfg_t cfg;
  cosim_rc_msi_fn_t msi_fn;
  void *msi_ctx;
  rc_req_t reqs[RC_TAGS];
  uint16_t active[RC_TAGS];     /* tags in RC_WAITING, for the timeout scan */
  unsigned nactive;
  unsigned next_tag;
  rc_sched_t *sched;            /* DMA completions waiting for their cycle, in sending order
                                   (a ring; REORDER inserts by due, the rest append) */
  size_t sched_head, sched_count, sched_cap;
  uint64_t last_due;
  rc_fault_t faults[COSIM_RC_MAX_FAULTS];
  uint64_t faults_hit;
  cosim_fault_plan_t plan;
  int has_plan;
  cosim_rng_t fault_rng;        /* the plan's draws only */
  cosim_fault_stats_t fstats;
  cosim_tlp_t scratch;
  uint8_t wrun[4 * COSIM_TLP_MAX_DW];  /* dma_write: a run of enabled bytes */
  uint32_t dws[COSIM_TLP_MAX_TOTAL_DW];
};

int cosim_rc_create(const cosim_rc_cfg_t *cfg, cosim_rc_t **out) {
  if (!cfg || !out || !cfg->mem || !cfg->check || !cfg->log || !cfg->rng || !cfg->send ||
      !cfg->tlps_sent || !cfg->tlps_delivered || !cfg->rx_refused)
    return -EINVAL;
  cosim_rc_t *rc = calloc(1, sizeof(*rc));
  if (!rc) return -ENOMEM;
  rc->cfg = *cfg;
  cosim_rng_seed(&rc->fault_rng, cfg->fault_seed);
  *out = rc;
  return 0;
}

void cosim_rc_destroy(cosim_rc_t *rc) {
  if (!rc) return;
  for (unsigned i = 0; i < RC_TAGS; i++) free(rc->reqs[i].first);
  for (size_t i = 0; i < rc->sched_count; i++)
    free(rc->sched[(rc->sched_head + i) % rc->sched_cap].dws);
  free(rc->sched);
  free(rc);
}

void cosim_rc_set_msi_handler(cosim_rc_t *rc, cosim_rc_msi_fn_t fn, void *ctx) {
  rc->msi_fn = fn;
  rc->msi_ctx = ctx;
}

int cosim_rc_alloc_tag(cosim_rc_t *rc) {
  for (unsigned i = 0; i < 256; i++) {
    unsigned tag = (rc->next_tag + i) & 0xFF;
    if (rc->reqs[tag].state == RC_FREE) {
      rc->next_tag = (tag + 1) & 0xFF;
      return (int)tag;
    }
  }
  return -EBUSY;
}

static void active_remove(cosim_rc_t *rc, uint16_t tag) {
  for (unsigned i = 0; i < rc->nactive; i++) {
    if (rc->active[i] != tag) continue;
    rc->active[i] = rc->active[--rc->nactive];
    return;
  }
}

int cosim_rc_issue(cosim_rc_t *rc, uint64_t now, const cosim_tlp_t *req, uint64_t *launch) {
  int posted = cosim_tlp_is_posted(req->fmt_type);
  if (req->tag >= RC_TAGS) return -EINVAL;
  if (!posted && rc->reqs[req->tag].state != RC_FREE) return -EBUSY;
  int n = cosim_tlp_encode(req, rc->dws, COSIM_TLP_MAX_TOTAL_DW, NULL);
  if (n < 0) return n;
  if (!posted) {
    rc_req_t *r = &rc->reqs[req->tag];
    r->state = RC_WAITING;
    r->req_id = req->req_id;
    cosim_tlp_kind_t k = cosim_tlp_kind(req->fmt_type);
    r->mem_read = k == COSIM_TLP_KIND_MRD || k == COSIM_TLP_KIND_MRDLK;
    r->sent = now;
    r->got_first = 0;
    r->status = VEP_CPL_SC;
    cosim_tlp_format(req, r->text, sizeof(r->text));
    rc->active[rc->nactive++] = req->tag;
  }
  int64_t last = rc->cfg.send(rc->cfg.send_ctx, rc->dws, (size_t)n);
  if (!posted) rc->reqs[req->tag].seq = *rc->cfg.tlps_sent;
  if (last < 0) {
    if (!posted) {
      rc->reqs[req->tag].state = RC_FREE;
      active_remove(rc, req->tag);
    }
    return (int)last;
  }
  if (launch) *launch = (uint64_t)last;
  return posted;
}

int cosim_rc_result(cosim_rc_t *rc, uint16_t req_id, uint16_t tag, cosim_rc_result_t *res) {
  if (tag >= RC_TAGS) return -ENOENT;
  rc_req_t *r = &rc->reqs[tag];
  if (r->state == RC_FREE || r->req_id != req_id) return -ENOENT;
  if (r->state == RC_WAITING) return -EAGAIN;
  int timed_out = r->state == RC_TIMEDOUT;
  r->state = RC_FREE;
  if (timed_out) return -ETIMEDOUT;
  if (res) {
    res->status = r->status;
    res->first = r->first;
  }
  return 0;
}

/* ---- What the device sends ---- */

static void own_completion(cosim_rc_t *rc, const cosim_tlp_t *t) {
  if (t->tag >= RC_TAGS) return;
  rc_req_t *r = &rc->reqs[t->tag];
  /* The checker reports completions nobody waits for; here they are dropped. */
  if (r->state != RC_WAITING || r->req_id != t->req_id) return;
  if (!r->got_first) {
    if (!r->first && !(r->first = malloc(sizeof(*r->first)))) {
      cosim_errlog_add(rc->cfg.log, r->sent, "root complex: out of memory for a completion");
    } else {
      memcpy(r->first, t, offsetof(cosim_tlp_t, data) + t->ndata * sizeof(uint32_t));
    }
    r->got_first = 1;
  }
  r->status = t->status;
  int last = 1;
  /* A successful memory read completion that does not reach the Byte Count leaves more to
   * come. */
  if (r->mem_read && t->status == VEP_CPL_SC && cosim_tlp_has_data(t->fmt_type) &&
      (uint32_t)t->len_dw * 4 - (t->lower_addr & 3u) < t->byte_count)
    last = 0;
  if (last) {
    r->state = RC_DONE;
    active_remove(rc, t->tag);
  }
}

static rc_sched_t *sched_at(cosim_rc_t *rc, size_t i) {
  return &rc->sched[(rc->sched_head + i) % rc->sched_cap];
}

/* Enqueues a completion for the device, due at cycle due: at the end, or when by_due, after
 * the last entry due no later (so entries of equal due keep their order, and the completions of
 * one read, all due together, stay together and in address order). */
static void sched_push_ex(cosim_rc_t *rc, uint64_t due, const cosim_tlp_t *cpl,
                          rc_send_how_t how, int by_due) {
  int n = cosim_tlp_encode(cpl, rc->dws, COSIM_TLP_MAX_TOTAL_DW, NULL);
  uint32_t *copy = n > 0 ? malloc((size_t)n * sizeof(uint32_t)) : NULL;
  if (rc->sched_count == rc->sched_cap) {
    size_t cap = rc->sched_cap ? rc->sched_cap * 2 : 16;
    rc_sched_t *s = copy ? malloc(cap * sizeof(*s)) : NULL;
    if (s) {
      for (size_t i = 0; i < rc->sched_count; i++)
        s[i] = rc->sched[(rc->sched_head + i) % rc->sched_cap];
      free(rc->sched);
      rc->sched = s;
      rc->sched_cap = cap;
      rc->sched_head = 0;
    }
  }
  if (!copy || rc->sched_count == rc->sched_cap) {
    free(copy);
    cosim_errlog_add(rc->cfg.log, due, "root complex: cannot queue a completion (%s)",
                     n > 0 ? "out of memory" : "encoding failed");
    return;
  }
  memcpy(copy, rc->dws, (size_t)n * sizeof(uint32_t));
  size_t pos = rc->sched_count++;
  while (by_due && pos > 0 && sched_at(rc, pos - 1)->due > due) {
    *sched_at(rc, pos) = *sched_at(rc, pos - 1);
    pos--;
  }
  *sched_at(rc, pos) = (rc_sched_t){due, (size_t)n, copy, how};
}

static void sched_push(cosim_rc_t *rc, uint64_t due, const cosim_tlp_t *cpl) {
  sched_push_ex(rc, due, cpl, RC_SEND_PLAIN, 0);
}

int cosim_rc_set_dma_fault(cosim_rc_t *rc, uint64_t addr, uint64_t len, unsigned kind) {
  if (!rc || len == 0 || kind > COSIM_DMA_FAULT_DROP) return -EINVAL;
  if (kind == COSIM_DMA_FAULT_NONE) {
    for (unsigned i = 0; i < COSIM_RC_MAX_FAULTS; i++) {
      rc_fault_t *f = &rc->faults[i];
      if (f->kind != COSIM_DMA_FAULT_NONE && f->addr < addr + len && addr < f->addr + f->len)
        f->kind = COSIM_DMA_FAULT_NONE;
    }
    return 0;
  }
  for (unsigned i = 0; i < COSIM_RC_MAX_FAULTS; i++) {
    if (rc->faults[i].kind == COSIM_DMA_FAULT_NONE) {
      rc->faults[i] = (rc_fault_t){addr, len, kind};
      return 0;
    }
  }
  return -ENOSPC;
}

uint64_t cosim_rc_dma_faults_hit(const cosim_rc_t *rc) { return rc->faults_hit; }

int cosim_rc_set_fault_plan(cosim_rc_t *rc, const cosim_fault_plan_t *plan) {
  if (!rc) return -EINVAL;
  if (!plan) {
    rc->has_plan = 0;
    return 0;
  }
  for (unsigned k = 0; k < COSIM_DMA_FAULT_KINDS; k++)
    if (plan->rule[k].permille > 1000 || plan->rule[k].nranges > COSIM_FAULT_RULE_RANGES)
      return -EINVAL;
  if (plan->delay_min > plan->delay_max ||
      (plan->rule[COSIM_DMA_FAULT_DELAY].permille && plan->delay_max == 0) ||
      (plan->rule[COSIM_DMA_FAULT_REORDER].permille && plan->reorder_span == 0))
    return -EINVAL;
  rc->plan = *plan;
  rc->has_plan = 1;
  return 0;
}

void cosim_rc_fault_stats(const cosim_rc_t *rc, cosim_fault_stats_t *st) { *st = rc->fstats; }

/* Whether the plan's rule for kind fires on a read of [first, first + n). */
static int plan_fires(cosim_rc_t *rc, unsigned kind, uint64_t first, uint64_t n) {
  const cosim_fault_rule_t *r = &rc->plan.rule[kind];
  if (r->permille == 0) return 0;
  int inside = r->nranges == 0;
  for (unsigned i = 0; i < r->nranges && !inside; i++)
    inside = r->range[i].addr < first + n && first < r->range[i].addr + r->range[i].len;
  if (!inside) return 0;
  return cosim_rng_below(&rc->fault_rng, 1000) < r->permille;
}

/* The plan's verdict on a read: an error kind (or NONE), and in *benign the bit set (1 << kind)
 * of DELAY, REORDER, DUP drawn when there is no error. */
static unsigned plan_draw(cosim_rc_t *rc, uint64_t first, uint64_t n, unsigned *benign) {
  *benign = 0;
  if (!rc->has_plan) return COSIM_DMA_FAULT_NONE;
  for (unsigned k = COSIM_DMA_FAULT_UR; k <= COSIM_DMA_FAULT_DROP; k++)
    if (plan_fires(rc, k, first, n)) return k;
  for (unsigned k = COSIM_DMA_FAULT_DELAY; k <= COSIM_DMA_FAULT_DUP; k++)
    if (plan_fires(rc, k, first, n)) *benign |= 1u << k;
  return COSIM_DMA_FAULT_NONE;
}

static void fault_met(cosim_rc_t *rc, unsigned kind, uint64_t first, uint64_t n) {
  rc->fstats.injected[kind]++;
  if (rc->has_plan && rc->plan.on_fault) rc->plan.on_fault(rc->plan.on_fault_ctx, first, n, kind);
}

/* The fault a device read of [first, first + n) meets (the first range set that overlaps). */
static unsigned fault_of(const cosim_rc_t *rc, uint64_t first, uint64_t n) {
  if (n == 0) n = 1;
  for (unsigned i = 0; i < COSIM_RC_MAX_FAULTS; i++) {
    const rc_fault_t *f = &rc->faults[i];
    if (f->kind != COSIM_DMA_FAULT_NONE && f->addr < first + n && first < f->addr + f->len)
      return f->kind;
  }
  return COSIM_DMA_FAULT_NONE;
}

static void cpl_header(cosim_tlp_t *c, const cosim_tlp_t *req, unsigned status) {
  memset(c, 0, offsetof(cosim_tlp_t, data));
  c->fmt_type = VEP_TLP_CPL;
  c->tc = req->tc;
  c->attr = req->attr;
  c->req_id = req->req_id;
  c->tag = req->tag;
  c->status = (uint8_t)status;
}

static void perm_text(unsigned perm, char *buf) {
  buf[0] = (perm & COSIM_HMEM_DEV_READ) ? 'r' : '-';
  buf[1] = (perm & COSIM_HMEM_DEV_WRITE) ? 'w' : '-';
  buf[2] = 0;
}

static void violation(cosim_rc_t *rc, uint64_t now, const cosim_tlp_t *t, const char *what,
                      uint64_t bad) {
  char text[RC_TEXT], perm[3];
  cosim_tlp_format(t, text, sizeof(text));
  perm_text(cosim_hmem_perm(rc->cfg.mem, bad), perm);
  cosim_errlog_add(rc->cfg.log, now,
                   "IOMMU: device %s outside the memory the driver exposed: byte 0x%" PRIx64
                   " (device permissions %s): %s",
                   what, bad, perm, text);
}

static void dma_write(cosim_rc_t *rc, uint64_t now, const cosim_tlp_t *t) {
  unsigned off;
  uint64_t bad, n = cosim_tlp_byte_span(t, &off), first = t->addr + off;
  if (cosim_hmem_check(rc->cfg.mem, first, n, COSIM_HMEM_DEV_WRITE, &bad)) {
    violation(rc, now, t, "write", bad);
    return;
  }
  /* Each run of enabled bytes in one write: byte by byte, every byte looked its page up again. */
  uint8_t *run = rc->wrun;
  size_t nrun = 0;
  uint64_t start = 0;
  for (uint32_t i = 0; i < t->len_dw && i < t->ndata; i++) {
    unsigned be = i == 0 ? t->first_be : (i == t->len_dw - 1u ? t->last_be : 0xFu);
    for (unsigned b = 0; b < 4; b++) {
      if (be >> b & 1) {
        if (!nrun) start = t->addr + 4ull * i + b;
        run[nrun++] = (uint8_t)(t->data[i] >> (8 * b));
        continue;
      }
      if (nrun && cosim_hmem_write(rc->cfg.mem, start, run, nrun))
        cosim_errlog_add(rc->cfg.log, now, "root complex: host memory write failed");
      nrun = 0;
    }
  }
  if (nrun && cosim_hmem_write(rc->cfg.mem, start, run, nrun))
    cosim_errlog_add(rc->cfg.log, now, "root complex: host memory write failed");
}

static void dma_read(cosim_rc_t *rc, uint64_t now, const cosim_tlp_t *t) {
  unsigned off;
  uint64_t bad, n = cosim_tlp_byte_span(t, &off), first = t->addr + off;
  uint64_t due = now + COSIM_RC_DMA_LAT_MIN + cosim_rng_below(rc->cfg.rng, COSIM_RC_DMA_LAT_SPAN);
  /* Completions leave in request order, unless the fault plan reorders this read. */
  if (due < rc->last_due) due = rc->last_due;
  rc->last_due = due;
  cosim_tlp_t *c = &rc->scratch;
  rc->fstats.reads++;
  unsigned benign = 0, fault = fault_of(rc, first, n ? n : 1);
  if (fault != COSIM_DMA_FAULT_NONE) {
    rc->faults_hit++;
  } else if (cosim_hmem_check(rc->cfg.mem, first, n, COSIM_HMEM_DEV_READ, &bad)) {
    /* Outside the map: reported, whatever the plan would have drawn (a fault must not hide
     * a stray read). */
    violation(rc, now, t, "read", bad);
    cpl_header(c, t, VEP_CPL_UR);
    c->cpl_id = rc->cfg.rc_id;
    c->byte_count = (uint16_t)(n ? n : 1);
    c->lower_addr = (uint8_t)(first & 0x7F);
    sched_push(rc, due, c);
    return;
  } else {
    fault = plan_draw(rc, first, n ? n : 1, &benign);
  }
  if (fault != COSIM_DMA_FAULT_NONE) fault_met(rc, fault, first, n ? n : 1);
  if (fault == COSIM_DMA_FAULT_UR || fault == COSIM_DMA_FAULT_CA ||
      fault == COSIM_DMA_FAULT_DROP) {
    cpl_header(c, t, fault == COSIM_DMA_FAULT_CA ? VEP_CPL_CA : VEP_CPL_UR);
    c->cpl_id = rc->cfg.rc_id;
    c->byte_count = (uint16_t)(n ? n : 1);
    c->lower_addr = (uint8_t)(first & 0x7F);
    if (fault != COSIM_DMA_FAULT_DROP) {
      sched_push(rc, due, c);
    } else {
      /* Nothing goes on the link; the checker is shown a UR so that it stops waiting (the
       * device times the read out, and may reuse its tag later). */
      int m = cosim_tlp_encode(c, rc->dws, COSIM_TLP_MAX_TOTAL_DW, NULL);
      if (m > 0) cosim_check_host_tlp(rc->cfg.check, now, rc->dws, (size_t)m);
    }
    return;
  }
  int by_due = 0;
  if (benign & (1u << COSIM_DMA_FAULT_REORDER)) {
    /* A due of its own, not held behind the reads before it: it may pass them, and later
     * ones may pass it. */
    due = now + COSIM_RC_DMA_LAT_MIN + cosim_rng_below(&rc->fault_rng, rc->plan.reorder_span);
    by_due = 1;
    fault_met(rc, COSIM_DMA_FAULT_REORDER, first, n ? n : 1);
  }
  if (benign & (1u << COSIM_DMA_FAULT_DELAY)) {
    unsigned span = rc->plan.delay_max - rc->plan.delay_min + 1u;
    due += rc->plan.delay_min + (span ? cosim_rng_below(&rc->fault_rng, span) : 0u);
    /* In order, the reads after it wait behind it (their completions append). */
    if (!by_due && due > rc->last_due) rc->last_due = due;
    fault_met(rc, COSIM_DMA_FAULT_DELAY, first, n ? n : 1);
  }
  uint64_t cur = first;                              /* next byte to return */
  uint64_t remaining = n ? n : 1;                    /* a zero-length read returns one DW */
  uint64_t dw_end = t->addr + 4ull * t->len_dw;
  unsigned mps = cosim_check_mps(rc->cfg.check);
  while (remaining) {
    uint64_t start = cur & ~3ull;
    uint64_t max_end = dw_end < start + mps ? dw_end : start + mps;
    /* Ends other than the request's end must be RCB-aligned. */
    uint64_t rcb_end = max_end == dw_end ? max_end : max_end & ~(uint64_t)(COSIM_RC_RCB - 1);
    uint64_t end = rcb_end;
    uint64_t first_rcb = (start + COSIM_RC_RCB) & ~(uint64_t)(COSIM_RC_RCB - 1);
    if (first_rcb < rcb_end && cosim_rng_below(rc->cfg.rng, 2)) {
      uint64_t choices = (rcb_end - first_rcb) / COSIM_RC_RCB + 1;
      end = first_rcb + COSIM_RC_RCB * cosim_rng_below(rc->cfg.rng, (uint32_t)choices);
      if (end > rcb_end) end = rcb_end;
    }
    cpl_header(c, t, VEP_CPL_SC);
    c->fmt_type = VEP_TLP_CPLD;
    c->cpl_id = rc->cfg.rc_id;
    c->byte_count = (uint16_t)remaining;
    c->lower_addr = (uint8_t)(cur & 0x7F);
    c->len_dw = (uint16_t)((end - start) / 4);
    c->ndata = c->len_dw;
    if (cosim_hmem_read(rc->cfg.mem, start, c->data, end - start))
      cosim_errlog_add(rc->cfg.log, now, "root complex: host memory read failed");
    sched_push_ex(rc, due, c, fault == COSIM_DMA_FAULT_POISON ? RC_SEND_POISONED : RC_SEND_PLAIN,
                  by_due);
    uint64_t covered = end - cur;
    remaining = covered >= remaining ? 0 : remaining - covered;
    cur = end;
  }
  if (benign & (1u << COSIM_DMA_FAULT_DUP)) {
    /* The last completion (still in scratch) again, right behind it: the tag has ended, so
     * it is an unexpected completion for the device. */
    sched_push_ex(rc, due, c, RC_SEND_HIDDEN, by_due);
    fault_met(rc, COSIM_DMA_FAULT_DUP, first, n ? n : 1);
  }
}

void cosim_rc_receive(cosim_rc_t *rc, uint64_t now, const cosim_tlp_t *t) {
  switch (cosim_tlp_kind(t->fmt_type)) {
  case COSIM_TLP_KIND_CPL: case COSIM_TLP_KIND_CPLD:
  case COSIM_TLP_KIND_CPLLK: case COSIM_TLP_KIND_CPLDLK:
    own_completion(rc, t);
    return;
  case COSIM_TLP_KIND_MWR:
    if (t->addr >= rc->cfg.msi_base && t->addr - rc->cfg.msi_base < rc->cfg.msi_size) {
      if (t->len_dw != 1 || t->first_be != 0xF) {
        char text[RC_TEXT];
        cosim_tlp_format(t, text, sizeof(text));
        cosim_errlog_add(rc->cfg.log, now,
                         "root complex: MSI-X write that is not one DW with all bytes enabled, "
                         "dropped: %s", text);
        return;
      }
      if (rc->msi_fn) rc->msi_fn(rc->msi_ctx, t->addr, t->data[0]);
      return;
    }
    dma_write(rc, now, t);
    return;
  case COSIM_TLP_KIND_MRD:
    dma_read(rc, now, t);
    return;
  case COSIM_TLP_KIND_MSG: case COSIM_TLP_KIND_MSGD:
    return;
  default:
    if (!cosim_tlp_is_posted(t->fmt_type)) {
      cosim_tlp_t *c = &rc->scratch;
      cpl_header(c, t, VEP_CPL_UR);
      c->cpl_id = rc->cfg.rc_id;
      c->byte_count = 4;
      sched_push(rc, now, c);
    }
    return;
  }
}

void cosim_rc_tick(cosim_rc_t *rc, uint64_t now) {
  for (unsigned i = 0; i < rc->nactive;) {
    uint16_t tag = rc->active[i];
    rc_req_t *r = &rc->reqs[tag];
    if (*rc->cfg.tlps_delivered < r->seq) {
      /* Not delivered yet: the completion timer has not started, unless the device keeps
       * refusing what is offered to it. */
      if (*rc->cfg.rx_refused < rc->cfg.cpl_timeout) {
        r->sent = now;
        i++;
        continue;
      }
      cosim_errlog_add(rc->cfg.log, now,
                       "root complex: the device did not accept %s: its RX refused every beat "
                       "offered for %u cycles",
                       r->text, rc->cfg.cpl_timeout);
    } else if (now - r->sent < rc->cfg.cpl_timeout) {
      i++;
      continue;
    } else {
      cosim_errlog_add(rc->cfg.log, now,
                       "root complex: completion timeout: nothing completed %s (delivered at "
                       "cycle %" PRIu64 ") within %u cycles",
                       r->text, r->sent, rc->cfg.cpl_timeout);
    }
    cosim_check_forget(rc->cfg.check, r->req_id, tag);
    r->state = RC_TIMEDOUT;
    rc->active[i] = rc->active[--rc->nactive];
  }
  while (rc->sched_count) {
    rc_sched_t *s = &rc->sched[rc->sched_head];
    if (s->due > now) break;
    int64_t launched;
    if (s->how == RC_SEND_HIDDEN) {
      launched = rc->cfg.send_fault ? rc->cfg.send_fault(rc->cfg.send_ctx, s->dws, s->n)
                                    : rc->cfg.send(rc->cfg.send_ctx, s->dws, s->n);
    } else if (s->how == RC_SEND_POISONED) {
      /* EP is DW0 bit 14: the checker sees the completion as sound, the device poisoned. */
      s->dws[0] &= ~(1u << 14);
      if (rc->cfg.send_fault) cosim_check_host_tlp(rc->cfg.check, now, s->dws, s->n);
      s->dws[0] |= 1u << 14;
      launched = rc->cfg.send_fault ? rc->cfg.send_fault(rc->cfg.send_ctx, s->dws, s->n)
                                    : rc->cfg.send(rc->cfg.send_ctx, s->dws, s->n);
    } else {
      launched = rc->cfg.send(rc->cfg.send_ctx, s->dws, s->n);
    }
    if (launched < 0) cosim_errlog_add(rc->cfg.log, now, "root complex: link refused a TLP");
    free(s->dws);
    rc->sched_head = (rc->sched_head + 1) % rc->sched_cap;
    rc->sched_count--;
  }
}
