/* SPDX-License-Identifier: Apache-2.0 */
#include "tb_fault_lib.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vep_consts.h"

/* Cycles a round may take before it counts as a hang, plus this much per dropped completion
 * (the device times a dropped read out after VEP_CPL_TIMEOUT_CYCLES, one tag at a time). */
#define FAULT_ROUND_BUDGET 400000u
#define FAULT_DROP_BUDGET (VEP_CPL_TIMEOUT_CYCLES + 4000u)

static const char *const kind_names[COSIM_DMA_FAULT_KINDS] = {
    "none", "UR", "CA", "POISON", "DROP", "DELAY", "REORDER", "DUP"};

const char *fault_kind_name(unsigned kind)
{
  return kind < COSIM_DMA_FAULT_KINDS ? kind_names[kind] : "?";
}

static int is_error_kind(unsigned kind)
{
  return kind >= COSIM_DMA_FAULT_UR && kind <= COSIM_DMA_FAULT_DROP;
}

static int overlaps(uint64_t a, uint64_t n, uint64_t b, uint64_t m)
{
  return a < b + m && b < a + n;
}

/* The request of this round whose header or data a read of [addr, addr + len) touches. */
static fault_req_t *owner(fault_env_t *e, uint64_t addr, uint64_t len)
{
  vdrv_blk_t *b = &e->k.b;
  for (unsigned q = 0; q < b->nq; q++) {
    const vdrv_blk_queue_t *Q = &b->q[q];
    if (!overlaps(addr, len, Q->hdrs, (uint64_t)VEP_BLK_HDR_BYTES * Q->vq.size)) {
      continue;
    }
    const vdrv_blk_rq_t *rq = &Q->rq[(addr - Q->hdrs) / VEP_BLK_HDR_BYTES];
    fault_req_t *r = rq->cookie;
    if (rq->busy && r >= e->req && r < e->req + e->nreq) {
      return r;
    }
    return NULL;
  }
  for (unsigned i = 0; i < e->nreq; i++) {
    fault_req_t *r = &e->req[i];
    for (unsigned s = 0; s < r->nseg; s++) {
      if (overlaps(addr, len, r->seg[s].addr, r->seg[s].len)) {
        return r;
      }
    }
  }
  return NULL;
}

/* The plan's callback: which request (or ring) met which fault. */
static void on_fault(void *ctx, uint64_t addr, uint64_t len, unsigned kind)
{
  fault_env_t *e = ctx;
  if (kind == COSIM_DMA_FAULT_DELAY) {
    e->delays_seen++;
  }
  if (!is_error_kind(kind)) {
    return;
  }
  fault_req_t *r = owner(e, addr, len);
  if (r != NULL) {
    r->err_faults++;
  } else {
    e->ring_faults++;
  }
}

static void add_range(fault_env_t *e, cosim_fault_rule_t *r, uint64_t addr, uint64_t len)
{
  TB_REQUIRE(e->k.t, r->nranges < COSIM_FAULT_RULE_RANGES, "at most %u ranges per fault kind",
             COSIM_FAULT_RULE_RANGES);
  r->range[r->nranges++] = (cosim_fault_range_t){addr, len};
}

static void fill_ranges(fault_env_t *e, cosim_fault_rule_t *r, unsigned where)
{
  vdrv_blk_t *b = &e->k.b;
  r->nranges = 0;
  if (where == FAULT_AT_DATA) {
    add_range(e, r, e->out_arena, (uint64_t)FAULT_MAX_REQ * FAULT_BUF_STRIDE);
    for (unsigned q = 0; q < b->nq; q++) {
      add_range(e, r, b->q[q].hdrs, (uint64_t)VEP_BLK_HDR_BYTES * b->q[q].vq.size);
    }
  } else if (where == FAULT_AT_RING) {
    for (unsigned q = 0; q < b->nq; q++) {
      const vdrv_virtq_t *vq = &b->q[q].vq;
      add_range(e, r, vq->desc, VDRV_VRING_DESC_BYTES(vq->size));
      add_range(e, r, vq->avail, VDRV_VRING_AVAIL_BYTES(vq->size));
    }
  }
}

void fault_open(tb_t *t, fault_env_t *e)
{
  memset(e, 0, sizeof *e);
  tb_blk_open(t, &e->k, NULL);
  size_t arena = (size_t)FAULT_MAX_REQ * FAULT_BUF_STRIDE;
  e->out_arena = tb_blk_buf(&e->k, arena, 8, VDRV_DMA_DEV_READ);
  e->in_arena = tb_blk_buf(&e->k, arena, 8, VDRV_DMA_DEV_WRITE);
}

void fault_plan_on(fault_env_t *e)
{
  cosim_fault_plan_t p = e->plan;
  for (unsigned k = 1; k < COSIM_DMA_FAULT_KINDS; k++) {
    fill_ranges(e, &p.rule[k], e->where[k]);
  }
  p.on_fault = on_fault;
  p.on_fault_ctx = e;
  TB_DRV(e->k.t, cosim_set_fault_plan(e->k.t->sim, &p));
  e->plan_on = 1;
}

void fault_plan_off(fault_env_t *e)
{
  TB_DRV(e->k.t, cosim_set_fault_plan(e->k.t->sim, NULL));
  e->plan_on = 0;
}

static void cpl_cb(void *cookie, const vdrv_blk_cpl_t *cpl)
{
  fault_req_t *r = cookie;
  r->done++;
  r->cpl = *cpl;
}

static uint64_t drops(tb_t *t)
{
  cosim_fault_stats_t st;
  cosim_fault_stats(t->sim, &st);
  return st.injected[COSIM_DMA_FAULT_DROP];
}

/* Builds the round's requests: disjoint 16-sector slots from a random base, 1..8 sectors each,
 * 1..3 segments at a random (unaligned) place of the request's part of its arena. */
static void build(fault_env_t *e, unsigned n)
{
  tb_t *t = e->k.t;
  memset(e->req, 0, sizeof e->req);
  e->nreq = n;
  uint64_t base = tb_rand_below(&t->rng, (uint32_t)(e->k.capacity - FAULT_SLOT_SECTORS * n));
  for (unsigned i = 0; i < n; i++) {
    fault_req_t *r = &e->req[i];
    r->type = tb_rand_below(&t->rng, 2) ? VEP_BLK_T_OUT : VEP_BLK_T_IN;
    r->len = 512u * (1u + tb_rand_below(&t->rng, 8));
    r->sector = base + FAULT_SLOT_SECTORS * i +
                tb_rand_below(&t->rng, FAULT_SLOT_SECTORS - r->len / 512u + 1u);
    r->q = tb_rand_below(&t->rng, e->k.b.nq);
    uint64_t a = (r->type == VEP_BLK_T_OUT ? e->out_arena : e->in_arena) +
                 (uint64_t)FAULT_BUF_STRIDE * i +
                 tb_rand_below(&t->rng, FAULT_BUF_STRIDE - r->len + 1u);
    /* OUT: the data; IN: a pattern the read must overwrite. */
    tb_blk_fill(&e->k, a, r->len, tb_rand32(&t->rng));
    r->nseg = tb_split(&t->rng, a, r->len, 1u + tb_rand_below(&t->rng, FAULT_MAX_SEGS), r->seg);
  }
}

/* Submits the round; returns how many were submitted (fewer when the driver already knows the
 * device needs a reset). */
static unsigned submit(fault_env_t *e)
{
  tb_t *t = e->k.t;
  for (unsigned i = 0; i < e->nreq; i++) {
    fault_req_t *r = &e->req[i];
    vdrv_blk_io_t io = {.type = r->type, .sector = r->sector, .seg = r->seg, .nseg = r->nseg};
    int rc;
    while ((rc = vdrv_blk_submit(&e->k.b, r->q, &io, cpl_cb, r)) == -ENOSPC) {
      rc = vdrv_blk_wait(&e->k.b, 0);
      if (rc < 0 && rc != -ETIMEDOUT) {
        break;
      }
    }
    if (rc == -EIO) {
      return i;
    }
    TB_DRV(t, rc);
  }
  return e->nreq;
}

static int all_done(const fault_env_t *e, unsigned n)
{
  for (unsigned i = 0; i < n; i++) {
    if (!e->req[i].done) {
      return 0;
    }
  }
  return 1;
}

/* Waits for the round's requests; returns 1 when the driver reports that the device needs a
 * reset. Fails (and stops) the test on a hang. */
static int wait_round(fault_env_t *e, unsigned n)
{
  tb_t *t = e->k.t;
  uint64_t start = cosim_cycles(t->sim), d0 = drops(t);
  while (!all_done(e, n)) {
    int rc = vdrv_blk_wait(&e->k.b, 20000);
    if (rc == -EIO) {
      return 1;
    }
    if (rc == -ETIMEDOUT) {
      uint64_t budget = FAULT_ROUND_BUDGET + FAULT_DROP_BUDGET * (drops(t) - d0);
      TB_REQUIRE(t, cosim_cycles(t->sim) - start < budget,
                 "the device hangs: requests still in flight after %" PRIu64 " cycles, without "
                 "DEVICE_NEEDS_RESET", cosim_cycles(t->sim) - start);
      continue;
    }
    TB_REQUIRE(t, rc >= 0, "vdrv_blk_wait: %d", rc);
  }
  return 0;
}

/* Whether device_status shows DEVICE_NEEDS_RESET within max cycles. */
static int status_needs_reset(tb_t *t, uint64_t max)
{
  uint64_t start = cosim_cycles(t->sim);
  for (;;) {
    if (tb_status_rd(t) & VEP_STATUS_DEVICE_NEEDS_RESET) {
      return 1;
    }
    if (cosim_cycles(t->sim) - start >= max) {
      return 0;
    }
    tb_run(t, 256);
  }
}

/* A write cancelled by a reset: its sectors hold the old data (the shadow) or the new as a
 * whole; the shadow takes the new. */
static void check_old_or_new(fault_env_t *e, fault_req_t *r, unsigned i)
{
  tb_t *t = e->k.t;
  int holds = tb_blk_disk_old_or_new(&e->k, r->sector, r->seg, r->nseg);
  int is_old = (holds & TB_BLK_DISK_OLD) != 0;
  TB_CHECK(t, holds != 0,
           "request %u (OUT, sector %" PRIu64 ", %u bytes) cancelled by the reset left the disk "
           "neither old nor new", i, r->sector, r->len);
  if (!is_old) {
    tb_blk_shadow_write(&e->k, r->sector, r->seg, r->nseg);
    e->writes_new++;
  }
}

/* Each submitted request against what its faults say (see the header). */
static void check_requests(fault_env_t *e, unsigned n, int reset)
{
  tb_t *t = e->k.t;
  for (unsigned i = 0; i < n; i++) {
    fault_req_t *r = &e->req[i];
    const char *type = r->type == VEP_BLK_T_OUT ? "OUT" : "IN";
    char what[96];
    snprintf(what, sizeof what, "round %u request %u (%s, sector %" PRIu64 ", %u bytes)",
             e->rounds, i, type, r->sector, r->len);
    if (!TB_CHECK(t, r->done == 1, "%s: completed %d times", what, r->done)) {
      continue;
    }
    switch (r->cpl.result) {
    case 0:
      TB_CHECK(t, r->err_faults == 0, "%s: completed OK, yet %u of its header/data reads "
               "failed", what, r->err_faults);
      if (r->type == VEP_BLK_T_IN) {
        tb_blk_check_read(&e->k, r->sector, r->seg, r->nseg, what);
      } else {
        tb_blk_shadow_write(&e->k, r->sector, r->seg, r->nseg);
      }
      e->ok++;
      break;
    case -EIO:
      TB_CHECK(t, r->err_faults > 0, "%s: status IOERR, yet none of its reads failed", what);
      TB_CHECK_EQ_CTX(t, r->cpl.status, VEP_BLK_S_IOERR, "%s: status byte", what);
      TB_CHECK_EQ_CTX(t, r->cpl.len, 1, "%s: used length of an IOERR", what);
      /* A failed OUT changed nothing: the shadow keeps the old data, checked below. */
      e->ioerr++;
      break;
    case -ECANCELED:
      TB_CHECK(t, reset, "%s: cancelled without a reset", what);
      if (r->type == VEP_BLK_T_OUT) {
        check_old_or_new(e, r, i);
      }
      e->cancelled++;
      break;
    default:
      tb_fail(t, __FILE__, __LINE__, "%s: result %d (status 0x%02x, len %u)", what,
              r->cpl.result, r->cpl.status, r->cpl.len);
      break;
    }
  }
}

static void check_clean(fault_env_t *e, const char *when)
{
  tb_t *t = e->k.t;
  unsigned n = cosim_error_count(t->sim);
  TB_CHECK(t, n == 0, "%s: %u error(s) in the bus model (firewall, checkers), first: %s", when,
           n, n ? cosim_error(t->sim, 0) : "");
  TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, 0, 2), VEP_PCI_VENDOR_ID, "%s: configuration read", when);
}

/* Every request of the round answered at the backend (the message names the round). */
static void backend_idle(fault_env_t *e)
{
  char what[32];
  snprintf(what, sizeof what, "round %u", e->rounds);
  tb_blk_wait_backend_idle(&e->k, what);
}

int fault_round(fault_env_t *e, const fault_round_opts_t *o)
{
  tb_t *t = e->k.t;
  TB_REQUIRE(t, o->nreq >= 1 && o->nreq <= FAULT_MAX_REQ, "1..%u requests", FAULT_MAX_REQ);
  build(e, o->nreq);
  unsigned n = submit(e);
  e->requests += n;
  int needs_reset = n < e->nreq, reset = 0;
  if (!needs_reset && o->reset_after_delay) {
    /* The seeded moment: a delayed read was just answered, its completions are still due. */
    uint64_t want = e->delays_seen + o->reset_after_delay, w = cosim_cycles(t->sim);
    /* The driver keeps completing meanwhile; a failed ring read stops the device: reset
     * then. */
    while (e->delays_seen < want && !e->ring_faults && cosim_cycles(t->sim) - w < 200000) {
      tb_run(t, 1);
      if (cosim_cycles(t->sim) % VDRV_BLK_POLL_DELAY == 0 && vdrv_blk_process(&e->k.b) < 0) {
        break;
      }
    }
    TB_CHECK(t, e->delays_seen >= want || e->ring_faults,
             "round %u: only %" PRIu64 " delayed reads before the reset", e->rounds,
             e->delays_seen + o->reset_after_delay - want);
    tb_run(t, o->reset_wait);
    TB_DRV(t, vdrv_blk_reset(&e->k.b));
    e->resets++;
    e->ring_faults = 0;
    reset = 1;
    if (e->plan_on) {
      fault_plan_on(e);  /* the rings and headers moved */
    }
  } else if (!needs_reset) {
    needs_reset = wait_round(e, n);
  }
  if (!reset && !needs_reset && e->ring_faults) {
    /* A ring read failed after the last request was fetched (a suppression or index re-read):
     * the device must still say so. */
    needs_reset = status_needs_reset(t, 20000 + FAULT_DROP_BUDGET * e->ring_faults);
    TB_CHECK(t, needs_reset, "round %u: %" PRIu64 " ring read(s) failed, yet no "
             "DEVICE_NEEDS_RESET", e->rounds, e->ring_faults);
  }
  if (needs_reset) {
    uint8_t st = tb_status_rd(t);
    TB_CHECK(t, st & VEP_STATUS_DEVICE_NEEDS_RESET,
             "round %u: the driver reports a needed reset, device_status 0x%02x", e->rounds, st);
    TB_CHECK(t, e->ring_faults > 0, "round %u: DEVICE_NEEDS_RESET without a failed ring read",
             e->rounds);
    check_clean(e, "at DEVICE_NEEDS_RESET");
    int was_on = e->plan_on;
    fault_plan_off(e);
    TB_DRV(t, vdrv_blk_reset(&e->k.b));
    e->needs_reset++;
    e->resets++;
    e->ring_faults = 0;
    reset = 1;
    check_requests(e, n, reset);
    backend_idle(e);
    tb_blk_check_disk(&e->k);
    check_clean(e, "after the reset");
    e->rounds++;
    /* The device works again: a clean round, then the plan again. */
    fault_round_opts_t clean = {.nreq = 8};
    fault_round(e, &clean);
    if (was_on) {
      fault_plan_on(e);
    }
    return 1;
  }
  if (!reset) {
    tb_run(t, 64);
    TB_CHECK(t, !(tb_status_rd(t) & VEP_STATUS_DEVICE_NEEDS_RESET),
             "round %u: DEVICE_NEEDS_RESET without a failed ring read", e->rounds);
  }
  check_requests(e, n, reset);
  backend_idle(e);
  tb_blk_check_disk(&e->k);
  check_clean(e, "end of round");
  e->rounds++;
  return 0;
}

void fault_report(fault_env_t *e)
{
  tb_t *t = e->k.t;
  cosim_fault_stats_t st;
  cosim_storm_stats_t ss;
  cosim_fault_stats(t->sim, &st);
  cosim_storm_stats(t->sim, &ss);
  char kinds[200];
  size_t off = 0;
  for (unsigned k = COSIM_DMA_FAULT_UR; k < COSIM_DMA_FAULT_KINDS; k++) {
    off += (size_t)snprintf(kinds + off, sizeof kinds - off, " %s %" PRIu64, kind_names[k],
                            st.injected[k]);
  }
  printf("  %s: %u rounds, %u requests: %u OK, %u IOERR, %u cancelled (%u of them written); "
         "%u DEVICE_NEEDS_RESET, %u resets\n",
         t->test->name, e->rounds, e->requests, e->ok, e->ioerr, e->cancelled, e->writes_new,
         e->needs_reset, e->resets);
  printf("  %s: faults injected:%s (of %" PRIu64 " device reads); storms TX %" PRIu64 " (%" PRIu64
         " cycles) RX %" PRIu64 " (%" PRIu64 " cycles)\n",
         t->test->name, kinds, st.reads, ss.tx_storms, ss.tx_cycles, ss.rx_storms, ss.rx_cycles);
  check_clean(e, "end of test");
}
