/* SPDX-License-Identifier: Apache-2.0 */
/* virtio-blk stress on the real endpoint: a seeded random mix of requests over random device,
 * driver, backend and link settings, every byte checked against a shadow of the disk. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cosim_storage.h"
#include "tb_blk_lib.h"
#include "vep_consts.h"

#define ST_SLOTS 48u         /* requests in flight at most */
#define ST_MAXLEN 32768u     /* data bytes per request at most */
#define ST_SLOT_BUF (ST_MAXLEN + 4096u)
#define ST_MAXSEG 8u

enum { ST_IN, ST_OUT, ST_FLUSH, ST_GET_ID, ST_UNSUPP, ST_RANGE, ST_PARTIAL, ST_KINDS };

typedef struct st_rq {
  int busy, calls;
  vdrv_blk_cpl_t cpl;
  unsigned kind, q, nseg;
  uint32_t type, len, seed;
  uint64_t sector;
  uint64_t buf;             /* the slot's buffer (read pool for everything but OUT) */
  vdrv_virtq_seg_t seg[ST_MAXSEG];
} st_rq_t;

typedef struct st {
  tb_blk_t k;
  st_rq_t rq[ST_SLOTS];
  uint64_t wpool, rpool;
  uint8_t busy[4096];       /* in-flight IN/OUT requests covering each sector */
  char serial[VDRV_BLK_ID_BYTES + 1];
  uint64_t exp_req, exp_in, exp_out, exp_flush, exp_id, exp_rd, exp_wr;
  unsigned done_ok, done_err;
} st_t;

static void st_cb(void *cookie, const vdrv_blk_cpl_t *cpl)
{
  st_rq_t *r = cookie;
  r->calls++;
  r->cpl = *cpl;
}

static void st_mark(st_t *s, const st_rq_t *r, int d)
{
  if (r->kind != ST_IN && r->kind != ST_OUT) return;
  for (uint64_t x = r->sector; x < r->sector + r->len / 512; x++) s->busy[x] = (uint8_t)(s->busy[x] + d);
}

/* Checks a completed request and frees its slot. */
static void st_finish(st_t *s, st_rq_t *r, unsigned idx)
{
  tb_t *t = s->k.t;
  char what[96];
  snprintf(what, sizeof what, "request %u (kind %u, type 0x%x, queue %u, sector %llu, %u bytes, "
           "%u segments)", idx, r->kind, r->type, r->q, (unsigned long long)r->sector, r->len,
           r->nseg);
  TB_CHECK(t, r->calls == 1, "%s: %d callbacks", what, r->calls);
  uint8_t st = VEP_BLK_S_OK;
  uint32_t len = 1;
  if (r->kind == ST_IN) len = r->len + 1;
  if (r->kind == ST_GET_ID) len = (r->len < 20 ? r->len : 20) + 1;
  if (r->kind == ST_UNSUPP) st = VEP_BLK_S_UNSUPP;
  if (r->kind == ST_RANGE || r->kind == ST_PARTIAL) st = VEP_BLK_S_IOERR;
  if (!TB_CHECK(t, r->cpl.status == st && r->cpl.len == len,
                "%s: status %u len %u, expected %u and %u", what, r->cpl.status, r->cpl.len, st,
                len))
    tb_abort(t);
  switch (r->kind) {
  case ST_IN:
    tb_blk_check_read(&s->k, r->sector, r->seg, r->nseg, what);
    break;
  case ST_OUT:
    tb_blk_shadow_write(&s->k, r->sector, r->seg, r->nseg);
    break;
  case ST_GET_ID: {
    uint8_t got[32], want[20] = {0};
    memcpy(want, s->serial, strlen(s->serial));
    uint32_t n = r->len < 20 ? r->len : 20;
    tb_blk_get(&s->k, r->seg[0].addr, got, n);
    TB_CHECK(t, memcmp(got, want, n) == 0, "%s: ID '%.20s'", what, (const char *)got);
    tb_blk_check_fill(&s->k, r->seg[0].addr, n, r->len - n, r->seed, what);
    break;
  }
  case ST_UNSUPP:
  case ST_RANGE:
  case ST_PARTIAL:
    if (r->type != VEP_BLK_T_OUT)
      for (unsigned i = 0; i < r->nseg; i++)
        tb_blk_check_fill(&s->k, r->seg[0].addr, r->seg[i].addr - r->seg[0].addr, r->seg[i].len,
                          r->seed, what);
    break;
  }
  if (st == VEP_BLK_S_OK) s->done_ok++;
  else s->done_err++;
  st_mark(s, r, -1);
  r->busy = 0;
}

static void st_harvest(st_t *s)
{
  for (unsigned i = 0; i < ST_SLOTS; i++)
    if (s->rq[i].busy && s->rq[i].calls) st_finish(s, &s->rq[i], i);
}

static void st_wait(st_t *s)
{
  int rc = vdrv_blk_wait(&s->k.b, 0);
  if (rc < 0) {
    tb_fail(s->k.t, __FILE__, __LINE__, "vdrv_blk_wait: %d", rc);
    tb_abort(s->k.t);
  }
  st_harvest(s);
}

/* Builds a random request into a free slot r and submits it: 1 submitted, 0 the queue was full. */
static int st_submit(st_t *s, st_rq_t *r, unsigned idx, unsigned nreq, unsigned *kick_mask)
{
  tb_t *t = s->k.t;
  tb_blk_t *k = &s->k;
  memset(r, 0, sizeof *r);
  uint32_t d = tb_rand_below(&t->rng, 100);
  r->kind = d < 38 ? ST_IN : d < 76 ? ST_OUT : d < 82 ? ST_FLUSH : d < 88 ? ST_GET_ID
            : d < 92 ? ST_UNSUPP : d < 96 ? ST_RANGE : ST_PARTIAL;
  r->q = tb_rand_below(&t->rng, k->b.nq);
  r->seed = nreq * 7919u + 13u;
  unsigned flags = 0;
  uint32_t sectors = tb_rand_below(&t->rng, 4) == 0 ? 1 + tb_rand_below(&t->rng, ST_MAXLEN / 512)
                                                     : 1 + tb_rand_below(&t->rng, 8);
  r->len = sectors * 512;
  switch (r->kind) {
  case ST_IN:
  case ST_OUT: {
    r->type = r->kind == ST_IN ? VEP_BLK_T_IN : VEP_BLK_T_OUT;
    /* A range no request in flight touches (so the shadow decides the data). */
    for (unsigned tries = 0;; tries++) {
      r->sector = tb_rand_below(&t->rng, (uint32_t)(k->capacity - sectors + 1));
      int free = 1;
      for (uint64_t x = r->sector; x < r->sector + sectors && free; x++) free = !s->busy[x];
      if (free) break;
      if (tries > 8) {
        r->kind = ST_FLUSH;
        break;
      }
    }
    break;
  }
  default:
    break;
  }
  switch (r->kind) {
  case ST_FLUSH:
    r->type = VEP_BLK_T_FLUSH;
    r->len = 0;
    break;
  case ST_GET_ID:
    r->type = VEP_BLK_T_GET_ID;
    r->len = 1 + tb_rand_below(&t->rng, 40);
    break;
  case ST_UNSUPP: {
    static const uint32_t ty[] = {2, 3, 6, 0x11, 0x7FFFFFFFu};
    r->type = ty[tb_rand_below(&t->rng, 5)];
    flags = VDRV_BLK_IO_RAW;
    break;
  }
  case ST_RANGE:
    r->type = tb_rand_below(&t->rng, 2) ? VEP_BLK_T_OUT : VEP_BLK_T_IN;
    r->sector = k->capacity - tb_rand_below(&t->rng, sectors) ;
    if (tb_rand_below(&t->rng, 4) == 0) r->sector = ~0ull - tb_rand_below(&t->rng, 4);
    flags = VDRV_BLK_IO_RAW;
    break;
  case ST_PARTIAL:
    r->type = tb_rand_below(&t->rng, 2) ? VEP_BLK_T_OUT : VEP_BLK_T_IN;
    r->len = r->len - 1 - tb_rand_below(&t->rng, 511);
    r->sector = tb_rand_below(&t->rng, (uint32_t)(k->capacity - sectors + 1));
    flags = VDRV_BLK_IO_RAW;
    break;
  default:
    break;
  }
  if (r->len) {
    r->buf = (r->type == VEP_BLK_T_OUT ? s->wpool : s->rpool) + (uint64_t)idx * ST_SLOT_BUF;
    uint32_t off = tb_rand_below(&t->rng, 4096);
    tb_blk_fill(k, r->buf + off, r->len, r->seed);
    unsigned maxs = k->b.max_segs < ST_MAXSEG ? k->b.max_segs : ST_MAXSEG;
    r->nseg = tb_blk_split(k, r->buf + off, r->len, 1 + tb_rand_below(&t->rng, maxs), r->seg);
    r->buf += off;
  }
  if (tb_rand_below(&t->rng, 3) == 0) flags |= VDRV_BLK_IO_NO_KICK;
  k->b.opts.layout = tb_rand_below(&t->rng, 4);   /* per request */
  vdrv_blk_io_t io = {r->type, r->sector, r->seg, r->nseg, flags};
  int rc = vdrv_blk_submit(&k->b, r->q, &io, st_cb, r);
  if (rc == -ENOSPC) return 0;
  TB_DRV(t, rc);
  r->busy = 1;
  st_mark(s, r, +1);
  if (flags & VDRV_BLK_IO_NO_KICK) *kick_mask |= 1u << r->q;
  else *kick_mask &= ~(1u << r->q);  /* the kick of this submit covered the earlier ones */
  switch (r->kind) {
  case ST_IN: s->exp_req++; s->exp_in++; s->exp_rd += r->len; break;
  case ST_OUT: s->exp_req++; s->exp_out++; s->exp_wr += r->len; break;
  case ST_FLUSH: s->exp_req++; s->exp_flush++; break;
  case ST_GET_ID: s->exp_req++; s->exp_id++; break;
  default: break;
  }
  return 1;
}

static void st_kick(st_t *s, unsigned *kick_mask)
{
  for (unsigned q = 0; q < s->k.b.nq; q++)
    if (*kick_mask & (1u << q)) TB_DRV(s->k.t, vdrv_blk_kick(&s->k.b, q));
  *kick_mask = 0;
}

TB_TEST(blk_stress, "seeded random mix of IN/OUT/FLUSH/GET_ID and bad requests (unknown type, "
                    "out of range, partial sector) of random sizes, segment counts and layouts "
                    "on random queues, depth up to 48, batched kicks, over three device "
                    "instances with random queue size, irq mode, EVENT_IDX, backend latency / "
                    "jitter / in-flight bound / flow control and link backpressure: statuses, "
                    "used lengths, every read and the whole disk checked against the shadow, "
                    "backend counters") {
  static st_t s;   /* too big for the stack; reset at every phase */
  static const uint16_t qsizes[] = {0, 4, 8, 16, 32, 64};
  unsigned total = 0;
  for (unsigned phase = 0; phase < 3; phase++) {
    memset(&s, 0, sizeof s);
    cosim_cfg_t c = t->cfg;
    c.blk_latency = tb_rand_below(&t->rng, 4) == 0 ? 0 : tb_rand_below(&t->rng, 300);
    c.blk_jitter = tb_rand_below(&t->rng, 500);
    c.blk_max_inflight = tb_rand_below(&t->rng, 3) == 0 ? 1 + tb_rand_below(&t->rng, 8) : 0;
    unsigned bp = tb_rand_below(&t->rng, 51);
    c.blk_flow_pct = t->cfg.blk_flow_pct > bp ? t->cfg.blk_flow_pct : bp;
    bp = tb_rand_below(&t->rng, 51);
    c.tx_backpressure_pct = t->cfg.tx_backpressure_pct > bp ? t->cfg.tx_backpressure_pct : bp;
    bp = tb_rand_below(&t->rng, 51);
    c.rx_gap_pct = t->cfg.rx_gap_pct > bp ? t->cfg.rx_gap_pct : bp;
    unsigned sl = 1 + tb_rand_below(&t->rng, 20);
    for (unsigned i = 0; i < sl; i++) s.serial[i] = (char)('!' + tb_rand_below(&t->rng, 94));
    c.blk_serial = s.serial;
    tb_reconfigure(t, &c);
    cosim_storage_t *sto = cosim_blk_storage(t->sim);
    uint8_t pat[4096];
    for (uint64_t x = 0; x < 4096; x += 8) {
      for (unsigned j = 0; j < sizeof pat; j++) pat[j] = (uint8_t)(tb_rand32(&t->rng) >> 11);
      TB_DRV(t, cosim_storage_write_direct(sto, x, 8, pat));
    }
    tb_blk_opts(&s.k, tb_rand_below(&t->rng, 3), 0);
    if (tb_rand_below(&t->rng, 2)) s.k.o.refuse_features |= 1ull << VEP_F_EVENT_IDX;
    s.k.o.queue_size = qsizes[tb_rand_below(&t->rng, sizeof qsizes / sizeof qsizes[0])];
    s.k.o.num_queues = 1 + tb_rand_below(&t->rng, t->cfg.params.NUM_QUEUES);
    tb_blk_open(t, &s.k, &s.k.o);
    TB_REQUIRE(t, s.k.capacity <= sizeof s.busy, "capacity %llu",
               (unsigned long long)s.k.capacity);
    s.wpool = tb_blk_buf(&s.k, (size_t)ST_SLOTS * ST_SLOT_BUF, 4096, VDRV_DMA_DEV_READ);
    s.rpool = tb_blk_buf(&s.k, (size_t)ST_SLOTS * ST_SLOT_BUF, 4096, VDRV_DMA_DEV_WRITE);
    unsigned depth = 1 + tb_rand_below(&t->rng, ST_SLOTS);
    unsigned nreq = 120 + tb_rand_below(&t->rng, 40);
    unsigned kick_mask = 0, issued = 0;
    while (issued < nreq) {
      unsigned inflight = 0, idx = ST_SLOTS;
      for (unsigned i = 0; i < ST_SLOTS; i++) {
        if (s.rq[i].busy) inflight++;
        else if (idx == ST_SLOTS) idx = i;
      }
      if (inflight >= depth || idx == ST_SLOTS || tb_rand_below(&t->rng, 8) == 0) {
        st_kick(&s, &kick_mask);
        if (inflight) st_wait(&s);
        continue;
      }
      if (st_submit(&s, &s.rq[idx], idx, total + issued, &kick_mask)) {
        issued++;
      } else {
        st_kick(&s, &kick_mask);
        st_wait(&s);
      }
    }
    st_kick(&s, &kick_mask);
    for (;;) {
      unsigned inflight = 0;
      for (unsigned i = 0; i < ST_SLOTS; i++) inflight += s.rq[i].busy != 0;
      if (!inflight) break;
      st_wait(&s);
    }
    total += issued;
    tb_blk_check_disk(&s.k);
    TB_CHECK_EQ_CTX(t, s.done_ok + s.done_err, issued, "phase %u", phase);
    cosim_blkport_stats_t bs;
    cosim_blk_stats(t->sim, &bs);
    TB_CHECK_EQ_CTX(t, bs.requests, s.exp_req, "phase %u", phase);
    TB_CHECK_EQ_CTX(t, bs.req_in, s.exp_in, "phase %u", phase);
    TB_CHECK_EQ_CTX(t, bs.req_out, s.exp_out, "phase %u", phase);
    TB_CHECK_EQ_CTX(t, bs.req_flush, s.exp_flush, "phase %u", phase);
    TB_CHECK_EQ_CTX(t, bs.req_get_id, s.exp_id, "phase %u", phase);
    TB_CHECK_EQ_CTX(t, bs.bytes_read, s.exp_rd, "phase %u", phase);
    TB_CHECK_EQ_CTX(t, bs.bytes_written, s.exp_wr, "phase %u", phase);
    TB_CHECK_EQ_CTX(t, bs.rsp_ok, s.exp_req, "phase %u", phase);
    TB_CHECK_EQ_CTX(t, bs.violations + bs.aborted + bs.req_other, 0, "phase %u", phase);
    TB_CHECK_EQ_CTX(t, vdrv_blk_check_status(&s.k.b), 0, "phase %u", phase);
    tb_blk_close(&s.k);
  }
  TB_CHECK(t, total >= 360, "%u requests", total);
}
