/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One differential-fuzzing iteration (diff_iter.h): the blk driver against the endpoint with
 * random options, random requests in flight on random queues, and now and then a corruption of
 * a request's ring entries (injected before any simulated time passes after the request was
 * made available, so the device cannot have fetched it yet) or a reset with requests in flight.
 *
 * Expectations:
 * - every corruption this file injects is one the device must refuse with DEVICE_NEEDS_RESET
 *   (docs/datapath.md, "Error behaviour"): the driver must see it, the corrupted request must
 *   never complete, and after the driver's reset the device must work again;
 * - a request that was not corrupted and not cancelled by a reset completes with OK; reads
 *   return exactly what the disk holds (a shadow of it), GET_ID the serial; at the end the disk
 *   equals the shadow (sectors of writes cancelled by a reset, whose content is then undefined,
 *   are re-read into the shadow);
 * - no error from the checkers, the IOMMU, the ring monitor or lockstep.
 */
#include "diff_iter.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cosim_mem.h"
#include "cosim_storage.h"
#include "tb.h"
#include "blk/tb_blk_lib.h"
#include "vdrv_blk.h"
#include "vdrv_virtq.h"
#include "vep_consts.h"

#define MAX_REQS 48u           /* requests in flight at most */
#define MAX_SEGS 8u
#define MAX_BLOCKS 16u         /* per request */
#define WAIT_CYCLES 300000u    /* without progress: a hang */
#define SERIAL "vepfuzz-serial"

/* Corruptions, each refused by the device with DEVICE_NEEDS_RESET. */
enum {
  C_NEXT_RANGE,      /* the head's next index beyond the queue (or the table) */
  C_ZERO_LEN,        /* the head (or table entry 0) of length 0 */
  C_SHORT_HEADER,    /* the 16-byte header cut to 1..15 bytes, nothing else readable */
  C_STATUS_RO,       /* the last buffer (the status byte) not device-writable */
  C_HEAD_RANGE,      /* the avail entry names a descriptor beyond the queue */
  C_AVAIL_JUMP,      /* avail.idx moved by more than the queue size */
  C_NESTED_INDIRECT, /* an indirect table entry with INDIRECT */
  C_TABLE_LEN,       /* an indirect table whose length is not a multiple of 16 */
  C_COUNT
};
static const char *const corruption_name[C_COUNT] = {
    "next out of range", "zero-length buffer", "header cut short", "status not writable",
    "avail entry out of range", "avail idx jump", "nested indirect table",
    "indirect table length"};

typedef struct req {
  int busy, done, corrupted;
  uint32_t type;
  uint64_t sector;
  unsigned q, nseg;
  uint32_t bytes;
  vdrv_virtq_seg_t seg[MAX_SEGS];
  uint64_t buf;
  vdrv_blk_cpl_t cpl;
} req_t;

typedef struct fz {
  tb_t *t;
  tb_blk_t k;
  diff_result_t *r;
  req_t req[MAX_REQS];
  unsigned layout;
  int expect_needs_reset;  /* a corruption is pending: DEVICE_NEEDS_RESET must come */
  const char *corruption;
} fz_t;

static uint32_t pick(tb_t *t, uint32_t n) { return tb_rand_below(&t->rng, n); }

static void put_le(uint8_t *p, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint64_t get_le(const uint8_t *p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
  return v;
}

static void fail(fz_t *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(fz_t *f, const char *fmt, ...) {
  char m[TB_MSG_LEN];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(m, sizeof m, fmt, ap);
  va_end(ap);
  tb_fail(f->t, __FILE__, __LINE__, "%s", m);
  tb_abort(f->t);
}

/* Whether [sector, +n) overlaps a request in flight: requests to the same sectors may complete
 * in any order, so the fuzzer never has two at once (the shadow would not know the answer). */
static int overlaps(const fz_t *f, uint64_t sector, uint32_t n) {
  for (unsigned i = 0; i < MAX_REQS; i++) {
    const req_t *q = &f->req[i];
    if (!q->busy || (q->type != VEP_BLK_T_IN && q->type != VEP_BLK_T_OUT)) continue;
    if (sector < q->sector + q->bytes / 512u && q->sector < sector + n) return 1;
  }
  return 0;
}

/* The shadow takes what the disk holds for sectors whose content a cancelled write left
 * undefined. */
static void resync_shadow(fz_t *f, uint64_t sector, uint32_t n) {
  uint8_t b[512];
  for (uint32_t i = 0; i < n; i++) {
    TB_DRV(f->t, cosim_storage_read_direct(cosim_blk_storage(f->t->sim), sector + i, 1, b));
    TB_DRV(f->t, cosim_hmem_write(cosim_host_mem(f->t->sim), f->k.shadow + (sector + i) * 512u,
                                  b, 512));
  }
}

static void completed(void *cookie, const vdrv_blk_cpl_t *cpl) {
  req_t *q = cookie;
  q->done = 1;
  q->cpl = *cpl;
}

/* Checks and retires a completed request. */
static void retire(fz_t *f, req_t *q) {
  tb_t *t = f->t;
  int res = q->cpl.result;
  if (q->corrupted && res != -ECANCELED)
    fail(f, "the device completed a chain it had to refuse (%s): result %d, status %u, len %u",
         f->corruption, res, q->cpl.status, q->cpl.len);
  if (res == -ECANCELED) {
    if (q->type == VEP_BLK_T_OUT) resync_shadow(f, q->sector, q->bytes / 512u);
  } else if (res != 0) {
    fail(f, "request type %u sector %llu (%u bytes, %u segments, queue %u) failed: result %d, "
         "status %u", q->type, (unsigned long long)q->sector, q->bytes, q->nseg, q->q, res,
         q->cpl.status);
  } else {
    f->r->requests++;
    if (q->type == VEP_BLK_T_IN) {
      if (!tb_blk_check_read(&f->k, q->sector, q->seg, q->nseg, "IN")) tb_abort(t);
    } else if (q->type == VEP_BLK_T_OUT) {
      tb_blk_shadow_write(&f->k, q->sector, q->seg, q->nseg);
    } else if (q->type == VEP_BLK_T_GET_ID) {
      char id[VDRV_BLK_ID_BYTES] = {0}, want[VDRV_BLK_ID_BYTES] = {0};
      tb_blk_get(&f->k, q->seg[0].addr, id, VDRV_BLK_ID_BYTES);
      memcpy(want, SERIAL, strlen(SERIAL));
      if (memcmp(id, want, VDRV_BLK_ID_BYTES) != 0) fail(f, "GET_ID returned another string");
    }
  }
  t->bus.ops->dma_free(t->bus.ctx, q->buf);
  memset(q, 0, sizeof *q);
}

static void retire_done(fz_t *f) {
  for (unsigned i = 0; i < MAX_REQS; i++)
    if (f->req[i].busy && f->req[i].done) retire(f, &f->req[i]);
}

static unsigned inflight(const fz_t *f) {
  unsigned n = 0;
  for (unsigned q = 0; q < f->k.b.nq; q++) n += vdrv_blk_inflight(&f->k.b, q);
  return n;
}

/* The driver's reset: cancels what is in flight, re-initialises; the device must come back. */
static void driver_reset(fz_t *f) {
  f->r->resets++;
  TB_DRV(f->t, vdrv_blk_reset(&f->k.b));
  retire_done(f);
  for (unsigned i = 0; i < MAX_REQS; i++)
    if (f->req[i].busy) fail(f, "a request survived the driver's reset without a completion");
  f->expect_needs_reset = 0;
}

/* Waits for progress: some completion, or DEVICE_NEEDS_RESET (expected only after a
 * corruption). */
static void wait_some(fz_t *f) {
  int rc = vdrv_blk_wait(&f->k.b, WAIT_CYCLES);
  tb_check_diverged(f->t);
  if (rc == -EIO) {
    if (!f->expect_needs_reset) fail(f, "DEVICE_NEEDS_RESET without a corruption");
    uint8_t st = tb_status_rd(f->t);
    if (!(st & VEP_STATUS_DEVICE_NEEDS_RESET))
      fail(f, "the driver saw a failure but device_status is 0x%02x", st);
    retire_done(f);
    driver_reset(f);
    return;
  }
  if (rc < 0)
    fail(f, "nothing completed in %u cycles with %u requests in flight%s%s", WAIT_CYCLES,
         inflight(f), f->expect_needs_reset ? " and DEVICE_NEEDS_RESET still missing after " : "",
         f->expect_needs_reset ? f->corruption : "");
  retire_done(f);
}

/* The descriptor (16 bytes) at addr, read or written through the driver's bus. */
static void desc_get(fz_t *f, uint64_t addr, uint8_t d[16]) { tb_blk_get(&f->k, addr, d, 16); }
static void desc_put(fz_t *f, uint64_t addr, const uint8_t d[16]) {
  tb_blk_put(&f->k, addr, d, 16);
}

/* Corrupts the request just made available (and not yet kicked) on vq. Returns 0 when the
 * chosen corruption does not apply to this chain's shape (nothing was changed). */
static int corrupt(fz_t *f, vdrv_virtq_t *vq, const req_t *q) {
  tb_t *t = f->t;
  uint16_t slot = (uint16_t)((vq->avail_idx - 1u) % vq->size);
  uint8_t e[2], d[16];
  tb_blk_get(&f->k, vq->avail + VDRV_VRING_AVAIL_RING(slot), e, 2);
  uint16_t head = (uint16_t)get_le(e, 2);
  uint64_t at = vq->desc + 16u * head;
  desc_get(f, at, d);
  uint16_t flags = (uint16_t)get_le(d + 12, 2);
  /* In an indirect table, the entries stand for the chain. */
  uint64_t base = at, table = 0;
  unsigned n = vq->size;
  if (flags & VEP_VRING_DESC_F_INDIRECT) {
    table = get_le(d, 8);
    n = (unsigned)get_le(d + 8, 4) / 16u;
    base = table;
  }
  unsigned kind = pick(t, C_COUNT);
  uint8_t x[16];
  desc_get(f, base, x);  /* the first buffer of the chain */
  uint16_t xflags = (uint16_t)get_le(x + 12, 2);
  switch (kind) {
  case C_NEXT_RANGE:
    if (!(xflags & VEP_VRING_DESC_F_NEXT)) return 0;
    put_le(x + 14, n + pick(t, 1000), 2);
    desc_put(f, base, x);
    break;
  case C_ZERO_LEN:
    put_le(x + 8, 0, 4);
    desc_put(f, base, x);
    break;
  case C_SHORT_HEADER:
    /* Only the header readable: reads, GET_ID and FLUSH, with the header alone first. */
    if (q->type == VEP_BLK_T_OUT || get_le(x + 8, 4) != 16) return 0;
    put_le(x + 8, 1 + pick(t, 15), 4);
    desc_put(f, base, x);
    break;
  case C_STATUS_RO: {
    uint64_t a = base;
    uint8_t y[16];
    for (unsigned hops = 0;; hops++) {
      desc_get(f, a, y);
      uint16_t fl = (uint16_t)get_le(y + 12, 2);
      if (!(fl & VEP_VRING_DESC_F_NEXT)) break;
      if (hops > n) fail(f, "the driver's chain does not end");
      a = (table ? table : vq->desc) + 16u * get_le(y + 14, 2);
    }
    put_le(y + 12, get_le(y + 12, 2) & ~(uint64_t)VEP_VRING_DESC_F_WRITE, 2);
    desc_put(f, a, y);
    break;
  }
  case C_HEAD_RANGE:
    put_le(e, vq->size + pick(t, 1000), 2);
    tb_blk_put(&f->k, vq->avail + VDRV_VRING_AVAIL_RING(slot), e, 2);
    break;
  case C_AVAIL_JUMP:
    /* The driver's own index stays: after the reset the ring is rebuilt anyway. */
    put_le(e, (uint16_t)(vq->avail_idx + vq->size + pick(t, 1000)), 2);
    tb_blk_put(&f->k, vq->avail + VDRV_VRING_IDX, e, 2);
    break;
  case C_NESTED_INDIRECT:
    if (!table) return 0;
    put_le(x + 12, xflags | VEP_VRING_DESC_F_INDIRECT, 2);
    desc_put(f, base, x);
    break;
  case C_TABLE_LEN:
    if (!table) return 0;
    put_le(d + 8, get_le(d + 8, 4) - 1 - pick(t, 15), 4);
    desc_put(f, at, d);
    break;
  }
  f->corruption = corruption_name[kind];
  return 1;
}

/* Draws one request and submits it; may corrupt it. */
static void submit_one(fz_t *f, int may_corrupt) {
  tb_t *t = f->t;
  req_t *q = NULL;
  for (unsigned i = 0; i < MAX_REQS && !q; i++)
    if (!f->req[i].busy) q = &f->req[i];
  if (!q) {
    wait_some(f);
    return;
  }
  static const uint32_t types[] = {VEP_BLK_T_IN, VEP_BLK_T_IN, VEP_BLK_T_IN, VEP_BLK_T_OUT,
                                   VEP_BLK_T_OUT, VEP_BLK_T_OUT, VEP_BLK_T_FLUSH,
                                   VEP_BLK_T_GET_ID};
  uint32_t type = types[pick(t, sizeof types / sizeof types[0])];
  uint32_t bytes = 0;
  uint64_t sector = 0;
  if (type == VEP_BLK_T_IN || type == VEP_BLK_T_OUT) {
    uint32_t blocks = 1 + pick(t, MAX_BLOCKS);
    sector = pick(t, (uint32_t)(f->k.capacity - blocks + 1));
    if (overlaps(f, sector, blocks)) return;
    bytes = 512u * blocks;
  } else if (type == VEP_BLK_T_GET_ID) {
    bytes = VDRV_BLK_ID_BYTES;
  }
  unsigned maxseg = f->k.b.max_segs < MAX_SEGS ? f->k.b.max_segs : MAX_SEGS;
  unsigned nseg = 0;
  uint64_t buf = 0;
  if (bytes) {
    unsigned dir = type == VEP_BLK_T_OUT ? VDRV_DMA_DEV_READ : VDRV_DMA_DEV_WRITE;
    buf = tb_blk_buf(&f->k, bytes, 1u << pick(t, 10), dir);
    if (type == VEP_BLK_T_OUT) tb_blk_fill(&f->k, buf, bytes, tb_rand32(&t->rng));
    nseg = type == VEP_BLK_T_GET_ID ? 1 : tb_blk_split(&f->k, buf, bytes,
                                                       1 + pick(t, maxseg), q->seg);
    if (type == VEP_BLK_T_GET_ID) q->seg[0] = (vdrv_virtq_seg_t){buf, bytes};
  }
  unsigned qi = pick(t, f->k.b.nq);
  int corrupting = may_corrupt && !f->expect_needs_reset;
  vdrv_blk_io_t io = {type, sector, nseg ? q->seg : NULL, nseg,
                      corrupting || pick(t, 4) == 0 ? VDRV_BLK_IO_NO_KICK : 0u};
  q->busy = 1;
  q->type = type;
  q->sector = sector;
  q->q = qi;
  q->nseg = nseg;
  q->bytes = bytes;
  q->buf = buf;
  int rc = vdrv_blk_submit(&f->k.b, qi, &io, completed, q);
  if (rc == -ENOSPC || rc == -EINVAL) {
    /* The queue is full, or the chain does not fit a small queue without INDIRECT. */
    if (buf) t->bus.ops->dma_free(t->bus.ctx, buf);
    memset(q, 0, sizeof *q);
    if (rc == -ENOSPC) wait_some(f);
    return;
  }
  TB_DRV(t, rc);
  if (corrupting && corrupt(f, &f->k.b.q[qi].vq, q)) {
    q->corrupted = 1;
    f->expect_needs_reset = 1;
    f->r->corruptions++;
  }
  if (io.flags & VDRV_BLK_IO_NO_KICK) {
    rc = vdrv_blk_kick(&f->k.b, qi);
    TB_DRV(t, rc);
  }
}

static void draw_scenario(tb_t *t, cosim_cfg_t *cfg, vdrv_blk_opts_t *o, char *line,
                          size_t len) {
  static const unsigned pct[] = {0, 0, 10, 30, 60};
  cfg->link_latency_rx = 1 + pick(t, 24);
  cfg->link_latency_tx = 1 + pick(t, 24);
  cfg->tx_backpressure_pct = pct[pick(t, 5)];
  cfg->rx_gap_pct = pct[pick(t, 5)];
  cfg->blk_capacity = 64u + pick(t, 448);
  cfg->blk_latency = 1 + pick(t, 200);
  cfg->blk_jitter = pick(t, 50);
  cfg->blk_flow_pct = pct[pick(t, 5)];
  cfg->blk_serial = SERIAL;
  vdrv_blk_opts_default(o);
  o->irq_mode = pick(t, 3);
  o->layout = pick(t, 4);
  o->num_queues = 1 + pick(t, 4);
  /* 4..256: a chain of header, data and status needs 3 descriptors without INDIRECT */
  o->queue_size = (uint16_t)(4u << pick(t, 7));
  if (pick(t, 3) == 0) o->refuse_features |= 1ull << VEP_F_INDIRECT_DESC;
  if (pick(t, 3) == 0) o->refuse_features |= 1ull << VEP_F_EVENT_IDX;
  o->msi_addr = TB_MSI_ADDR(0);
  o->msi_data = TB_MSI_DATA(0);
  o->timeout_cycles = WAIT_CYCLES;
  static const char *const irq[] = {"msix", "intx", "poll"};
  snprintf(line, len,
           "latency %u/%u, backpressure %u%%, rx gaps %u%%, disk %llu sectors, blk latency "
           "%llu+%llu, flow %u%%, %s, layout %u, %u queues of %u%s%s",
           cfg->link_latency_rx, cfg->link_latency_tx, cfg->tx_backpressure_pct,
           cfg->rx_gap_pct, (unsigned long long)cfg->blk_capacity,
           (unsigned long long)cfg->blk_latency, (unsigned long long)cfg->blk_jitter,
           cfg->blk_flow_pct, irq[o->irq_mode], o->layout, o->num_queues, o->queue_size,
           o->refuse_features >> VEP_F_INDIRECT_DESC & 1 ? ", no INDIRECT" : "",
           o->refuse_features >> VEP_F_EVENT_IDX & 1 ? ", no EVENT_IDX" : "");
}

static void scenario(fz_t *f, const vdrv_blk_opts_t *o) {
  tb_t *t = f->t;
  tb_blk_open(t, &f->k, o);
  unsigned nreq = 8 + pick(t, 56);
  unsigned corrupt_pct = pick(t, 2) ? 0 : 10 + pick(t, 30);
  for (unsigned i = 0; i < nreq; i++) {
    unsigned r = pick(t, 100);
    if (f->expect_needs_reset) {
      /* Nothing more is made available until the device has refused the corruption: a later
       * request would rewrite avail.idx and could undo it. */
      wait_some(f);
    } else if (r < 70 || inflight(f) == 0) {
      submit_one(f, pick(t, 100) < corrupt_pct);
    } else if (r < 95) {
      wait_some(f);
    } else if (r < 97) {
      driver_reset(f);  /* mid-flight */
    } else {
      tb_run(t, 1 + pick(t, 2000));
    }
  }
  while (inflight(f) || f->expect_needs_reset) {
    if (f->expect_needs_reset && inflight(f) == 0)
      fail(f, "every request completed but DEVICE_NEEDS_RESET never came after %s",
           f->corruption);
    wait_some(f);
  }
  retire_done(f);
  /* The device works after everything above: one write and its read-back. */
  for (unsigned i = 0; i < 2; i++) {
    req_t *q = &f->req[0];
    q->busy = 1;
    q->type = i ? VEP_BLK_T_IN : VEP_BLK_T_OUT;
    q->sector = 0;
    q->bytes = 1024;
    q->nseg = 1;
    q->buf = tb_blk_buf(&f->k, 1024, 8, i ? VDRV_DMA_DEV_WRITE : VDRV_DMA_DEV_READ);
    q->seg[0] = (vdrv_virtq_seg_t){q->buf, 1024};
    if (!i) tb_blk_fill(&f->k, q->buf, 1024, 0xF00D);
    vdrv_blk_io_t io = {q->type, 0, q->seg, 1, 0};
    TB_DRV(t, vdrv_blk_submit(&f->k.b, 0, &io, completed, q));
    while (q->busy) wait_some(f);  /* retired (checked) by wait_some */
  }
  if (!tb_blk_check_disk(&f->k)) tb_abort(t);
  tb_blk_close(&f->k);
}

static void add_why(diff_result_t *r, const char *s) {
  size_t n = strlen(r->why);
  if (n + 2 < sizeof r->why) snprintf(r->why + n, sizeof r->why - n, "%s%s", n ? "\n" : "", s);
}

void diff_iter_run(uint64_t seed, cosim_dut_kind_t dut, const char *repro, diff_result_t *r) {
  static const tb_test_t test = {"vepfuzz", "differential fuzzing iteration", NULL, __FILE__,
                                 NULL};
  static tb_t t;  /* large (message buffers): not on the stack */
  static fz_t f;
  memset(r, 0, sizeof *r);
  memset(&t, 0, sizeof t);
  memset(&f, 0, sizeof f);
  t.test = &test;
  t.bdf = TB_EP_BDF;
  tb_rng_seed(&t.rng, seed);
  f.t = &t;
  f.r = r;
  cosim_cfg_default(&t.cfg);
  t.cfg.dut = dut;
  t.cfg.seed = seed;
  t.cfg.repro = repro;
  vdrv_blk_opts_t o;
  draw_scenario(&t, &t.cfg, &o, r->scenario, sizeof r->scenario);
  int rc = cosim_create(&t.cfg, &t.sim);
  if (rc < 0) {
    r->failed = 1;
    snprintf(r->why, sizeof r->why, "cosim_create: %s", strerror(-rc));
    return;
  }
  tb_msi_install(&t);
  if (setjmp(t.abort_to) == 0) scenario(&f, &o);
  r->cycles = cosim_cycles(t.sim);
  r->tlps = cosim_tlps_rx(t.sim) + cosim_tlps_tx(t.sim);
  r->diverged = cosim_diverged(t.sim);
  for (unsigned i = 0; i < t.nmsg; i++) add_why(r, t.msg[i]);
  unsigned ne = cosim_error_count(t.sim);
  for (unsigned i = 0; i < ne; i++) {
    const char *e = cosim_error(t.sim, i);
    add_why(r, e ? e : "(error text not kept)");
  }
  r->failed = t.nfail > 0 || ne > 0 || r->diverged;
  cosim_destroy(t.sim);
}
