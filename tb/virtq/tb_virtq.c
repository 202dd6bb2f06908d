/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The driver's split virtqueue (driver/vdrv_virtq.c) and the bus's DMA ops, before the endpoint
 * has a data path: the device side is a small ring consumer written here. It finds the rings
 * where the endpoint's queue registers say, reads avail and descriptors and writes used elements
 * through the simulated host memory, checks the layout and flags per the spec, and makes every
 * access through the permission map (cosim_hmem_check), so a ring or buffer exposed in the
 * wrong direction fails the test as the IOMMU would.
 *
 * The endpoint offers neither EVENT_IDX nor INDIRECT_DESC. Since the consumer here plays the
 * device, a test "negotiates" them by setting them in the driver's copy of the accepted set
 * after vdrv_vpci_init, which is all vdrv_virtq_create looks at.
 */
#include <errno.h>
#include <string.h>

#include "cosim_mem.h"
#include "tb.h"
#include "vdrv_virtq.h"

#define TQ_MAX_SEG 256u        /* segments of one buffer (the largest queue) */
#define TQ_MAX_REQ 256u        /* buffers in flight (the largest queue) */
#define TQ_SEG_STRIDE 8u       /* bytes between two segments' addresses in the pools */

/* The device side of one queue. */
typedef struct tq_dev {
  tb_t *t;
  cosim_hmem_t *m;
  uint16_t q;
  uint64_t desc, avail, used;
  uint16_t size;
  int event_idx, indirect;   /* what the device side negotiated (it checks the driver's use) */
  uint16_t last_avail;       /* avail entries taken */
  uint16_t used_idx;         /* used entries written */
  uint16_t owner[TQ_MAX_REQ];  /* per descriptor: head + 1 of the chain holding it, 0 if none */
} tq_dev_t;

/* One segment as the consumer found it. */
typedef struct tq_seg {
  uint64_t addr;
  uint32_t len;
  int write;
} tq_seg_t;

typedef struct tq_chain {
  uint16_t head;
  unsigned n;
  uint64_t table;            /* indirect table address, 0 for a direct chain */
  tq_seg_t seg[TQ_MAX_SEG];
} tq_chain_t;

/* A buffer the test makes available: segment i of request r lies at a fixed place of the
 * readable or writable pool, so the consumer can tell which request a chain is. */
typedef struct tq_req {
  unsigned r, n_out, n_in;
  int busy;
} tq_req_t;

typedef struct tq {
  tb_t *t;
  vdrv_pci_dev_t dev;
  vdrv_vpci_t v;
  uint64_t rpool, wpool;     /* device-readable and device-writable payload pools */
  tq_req_t req[TQ_MAX_REQ];
} tq_t;

/* ---- Device-side accesses, each through the permission map ---- */

static void dev_rd(tq_dev_t *d, uint64_t addr, void *buf, size_t len, const char *what) {
  uint64_t bad = 0;
  if (cosim_hmem_check(d->m, addr, len, COSIM_HMEM_DEV_READ, &bad))
    tb_fail(d->t, __FILE__, __LINE__, "device read of %s at 0x%llx (+%zu): byte 0x%llx is not "
            "device-readable", what, (unsigned long long)addr, len, (unsigned long long)bad);
  cosim_hmem_read(d->m, addr, buf, len);
}

static void dev_wr(tq_dev_t *d, uint64_t addr, const void *buf, size_t len, const char *what) {
  uint64_t bad = 0;
  if (cosim_hmem_check(d->m, addr, len, COSIM_HMEM_DEV_WRITE, &bad)) {
    tb_fail(d->t, __FILE__, __LINE__, "device write of %s at 0x%llx (+%zu): byte 0x%llx is not "
            "device-writable", what, (unsigned long long)addr, len, (unsigned long long)bad);
    return;                  /* as the IOMMU drops it */
  }
  cosim_hmem_write(d->m, addr, buf, len);
}

static uint16_t dev_rd16(tq_dev_t *d, uint64_t addr, const char *what) {
  uint8_t b[2];
  dev_rd(d, addr, b, 2, what);
  return (uint16_t)(b[0] | (b[1] << 8));
}

static void dev_wr16(tq_dev_t *d, uint64_t addr, uint16_t v, const char *what) {
  uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  dev_wr(d, addr, b, 2, what);
}

/* What the driver may read without a permission: the consumer's view, for checks only. */
static uint16_t host_rd16(tq_dev_t *d, uint64_t addr) {
  uint8_t b[2];
  cosim_hmem_read(d->m, addr, b, 2);
  return (uint16_t)(b[0] | (b[1] << 8));
}

static void rd_desc(tq_dev_t *d, uint64_t addr, uint64_t *a, uint32_t *len, uint16_t *fl,
                    uint16_t *next) {
  uint8_t b[16];
  dev_rd(d, addr, b, 16, "descriptor");
  *a = 0;
  for (int i = 7; i >= 0; i--) *a = (*a << 8) | b[i];
  *len = (uint32_t)b[8] | (uint32_t)b[9] << 8 | (uint32_t)b[10] << 16 | (uint32_t)b[11] << 24;
  *fl = (uint16_t)(b[12] | (b[13] << 8));
  *next = (uint16_t)(b[14] | (b[15] << 8));
}

/* The device's view of queue q: the addresses the endpoint's registers hold. */
static void dev_attach(tq_dev_t *d, tb_t *t, uint16_t q, int event_idx, int indirect) {
  memset(d, 0, sizeof *d);
  d->t = t;
  d->m = cosim_host_mem(t->sim);
  d->q = q;
  d->event_idx = event_idx;
  d->indirect = indirect;
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, q);
  d->size = (uint16_t)tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_SIZE), 2);
  d->desc = tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 4) |
            tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_DESCHI), 4) << 32;
  d->avail = tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_AVAILLO), 4) |
             tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_AVAILHI), 4) << 32;
  d->used = tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_USEDLO), 4) |
            tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_USEDHI), 4) << 32;
  TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2), 1, "queue %u enabled", q);
  TB_REQUIRE(t, d->size >= 1 && d->size <= TQ_MAX_REQ, "queue %u size %u", q, d->size);
}

/* Takes the next available buffer, checking it per the spec: 1 with the chain, 0 if none. */
static int dev_pop(tq_dev_t *d, tq_chain_t *c) {
  tb_t *t = d->t;
  uint16_t aidx = dev_rd16(d, d->avail + VDRV_VRING_IDX, "avail.idx");
  if (aidx == d->last_avail) return 0;
  TB_REQUIRE(t, (uint16_t)(aidx - d->last_avail) <= d->size,
             "avail.idx %u is more than the queue size past %u", aidx, d->last_avail);
  uint16_t head = dev_rd16(d, d->avail + VDRV_VRING_AVAIL_RING(d->last_avail % d->size),
                           "avail.ring");
  d->last_avail++;
  TB_REQUIRE(t, head < d->size, "avail head %u >= size %u", head, d->size);
  memset(c, 0, sizeof *c);
  c->head = head;
  uint16_t i = head;
  int seen_write = 0;
  for (unsigned k = 0;; k++) {
    TB_REQUIRE(t, k < d->size, "chain from head %u longer than the queue", head);
    TB_REQUIRE(t, d->owner[i] == 0, "descriptor %u of chain %u already in chain %u", i, head,
               d->owner[i] - 1u);
    d->owner[i] = (uint16_t)(head + 1);
    uint64_t a;
    uint32_t len;
    uint16_t fl, next;
    rd_desc(d, d->desc + 16u * i, &a, &len, &fl, &next);
    if (fl & VEP_VRING_DESC_F_INDIRECT) {
      TB_REQUIRE(t, d->indirect, "INDIRECT without INDIRECT_DESC negotiated (desc %u)", i);
      TB_REQUIRE(t, !(fl & VEP_VRING_DESC_F_NEXT), "INDIRECT with NEXT (desc %u)", i);
      TB_REQUIRE(t, k == 0 && c->n == 0, "indirect descriptor not alone in its chain");
      TB_REQUIRE(t, len && len % 16 == 0, "indirect table length %u", len);
      unsigned n = len / 16;
      TB_REQUIRE(t, n <= d->size, "indirect table of %u entries > queue size", n);
      c->table = a;
      uint16_t j = 0;
      for (unsigned m = 0;; m++) {
        TB_REQUIRE(t, m < n, "indirect chain longer than its table");
        uint64_t sa;
        uint32_t sl;
        uint16_t sf, sn;
        rd_desc(d, a + 16u * j, &sa, &sl, &sf, &sn);
        TB_REQUIRE(t, !(sf & VEP_VRING_DESC_F_INDIRECT), "INDIRECT inside an indirect table");
        TB_REQUIRE(t, j == m, "indirect entry %u reached as number %u (not in order)", j, m);
        int w = !!(sf & VEP_VRING_DESC_F_WRITE);
        TB_REQUIRE(t, w || !seen_write, "readable segment after a writable one");
        seen_write |= w;
        c->seg[c->n++] = (tq_seg_t){sa, sl, w};
        if (!(sf & VEP_VRING_DESC_F_NEXT)) break;
        TB_REQUIRE(t, sn < n, "indirect next %u >= %u entries", sn, n);
        j = sn;
      }
      TB_CHECK_EQ(t, c->n, n);
      break;
    }
    int w = !!(fl & VEP_VRING_DESC_F_WRITE);
    TB_REQUIRE(t, w || !seen_write, "readable segment after a writable one (desc %u)", i);
    seen_write |= w;
    c->seg[c->n++] = (tq_seg_t){a, len, w};
    if (!(fl & VEP_VRING_DESC_F_NEXT)) break;
    TB_REQUIRE(t, next < d->size, "next %u >= size", next);
    i = next;
  }
  return 1;
}

/* Reads the readable segments and fills the writable ones (through the permission map); returns
 * the bytes written. */
static uint32_t dev_process(tq_dev_t *d, const tq_chain_t *c) {
  uint8_t buf[64];
  uint32_t written = 0;
  for (unsigned i = 0; i < c->n; i++) {
    uint32_t len = c->seg[i].len < sizeof buf ? c->seg[i].len : (uint32_t)sizeof buf;
    if (c->seg[i].write) {
      memset(buf, 0xA5 ^ (int)i, len);
      dev_wr(d, c->seg[i].addr, buf, len, "writable segment");
      written += len;
    } else {
      dev_rd(d, c->seg[i].addr, buf, len, "readable segment");
    }
  }
  return written;
}

/* Writes a used element, then used.idx (the order the spec asks of a device). Returns whether
 * the device must interrupt by the driver's request (avail.flags or used_event). */
static int dev_push(tq_dev_t *d, uint16_t head, uint32_t len) {
  uint8_t e[8];
  for (int i = 0; i < 4; i++) {
    e[i] = (uint8_t)(head >> (8 * i));
    e[4 + i] = (uint8_t)(len >> (8 * i));
  }
  dev_wr(d, d->used + VDRV_VRING_USED_RING(d->used_idx % d->size), e, 8, "used element");
  uint16_t old = d->used_idx++;
  dev_wr16(d, d->used + VDRV_VRING_IDX, d->used_idx, "used.idx");
  for (unsigned i = 0; i < d->size; i++)
    if (d->owner[i] == head + 1u) d->owner[i] = 0;
  if (d->event_idx) {
    uint16_t ev = dev_rd16(d, d->avail + VDRV_VRING_USED_EVENT(d->size), "used_event");
    return vdrv_vring_need_event(ev, d->used_idx, old);
  }
  return !(dev_rd16(d, d->avail, "avail.flags") & VEP_VRING_AVAIL_F_NO_INTERRUPT);
}

/* ---- The driver side ---- */

/* Bring-up to FEATURES_OK through the driver, the features the consumer plays, and the payload
 * pools (readable and writable, one slot of TQ_MAX_SEG segments per request). */
static void tq_init(tq_t *q, tb_t *t, int event_idx, int indirect) {
  memset(q, 0, sizeof *q);
  q->t = t;
  tb_bringup(t, &q->dev, &q->v);
  TB_DRV(t, vdrv_vpci_init(&q->v, NULL));
  if (event_idx) q->v.driver_features[VEP_F_EVENT_IDX / 32] |= 1u << (VEP_F_EVENT_IDX % 32);
  if (indirect)
    q->v.driver_features[VEP_F_INDIRECT_DESC / 32] |= 1u << (VEP_F_INDIRECT_DESC % 32);
  const vdrv_bus_ops_t *ops = t->bus.ops;
  size_t pool = (size_t)TQ_MAX_REQ * TQ_MAX_SEG * TQ_SEG_STRIDE;
  TB_DRV(t, ops->dma_alloc(t->bus.ctx, pool, 64, VDRV_DMA_DEV_READ, &q->rpool));
  TB_DRV(t, ops->dma_alloc(t->bus.ctx, pool, 64, VDRV_DMA_DEV_WRITE, &q->wpool));
  for (unsigned r = 0; r < TQ_MAX_REQ; r++) q->req[r].r = r;
}

/* The usual start of a test: the transport brought up (tq_init), queue 0 created by the driver
 * with `size` entries, and the test's device side attached to it. */
static void tq_open(tb_t *t, tq_t *q, vdrv_virtq_t *vq, tq_dev_t *d, int event_idx, int indirect,
                    uint16_t size) {
  tq_init(q, t, event_idx, indirect);
  TB_DRV(t, vdrv_virtq_create(vq, &q->v, 0, size, VEP_MSI_NO_VECTOR));
  dev_attach(d, t, 0, event_idx, indirect);
}

static vdrv_virtq_seg_t req_seg(const tq_t *q, unsigned r, unsigned i, unsigned n_out) {
  uint64_t base = i < n_out ? q->rpool : q->wpool;
  return (vdrv_virtq_seg_t){base + ((uint64_t)r * TQ_MAX_SEG + i) * TQ_SEG_STRIDE,
                            1u + (r + i) % TQ_SEG_STRIDE};
}

/* Makes request r available with n_out readable and n_in writable segments. */
static int tq_add(tq_t *q, vdrv_virtq_t *vq, unsigned r, unsigned n_out, unsigned n_in,
                  int use_indirect) {
  vdrv_virtq_seg_t out[TQ_MAX_SEG], in[TQ_MAX_SEG];
  for (unsigned i = 0; i < n_out; i++) out[i] = req_seg(q, r, i, n_out);
  for (unsigned i = 0; i < n_in; i++) in[i] = req_seg(q, r, n_out + i, n_out);
  int rc = vdrv_virtq_add(vq, out, n_out, in, n_in, &q->req[r], use_indirect);
  if (rc == 0) {
    q->req[r].n_out = n_out;
    q->req[r].n_in = n_in;
    q->req[r].busy = 1;
  }
  return rc;
}

/* Which request a popped chain is, checked segment by segment against what was added. */
static unsigned tq_match(tq_t *q, const tq_chain_t *c) {
  tb_t *t = q->t;
  TB_REQUIRE(t, c->n > 0, "empty chain");
  uint64_t a = c->seg[0].addr, base = c->seg[0].write ? q->wpool : q->rpool;
  unsigned r = (unsigned)((a - base) / ((uint64_t)TQ_MAX_SEG * TQ_SEG_STRIDE));
  TB_REQUIRE(t, a >= base && r < TQ_MAX_REQ && q->req[r].busy,
             "chain %u starts at 0x%llx: no such request in flight", c->head,
             (unsigned long long)a);
  const tq_req_t *rq = &q->req[r];
  TB_REQUIRE(t, c->n == rq->n_out + rq->n_in, "request %u: %u segments, added %u+%u", r, c->n,
             rq->n_out, rq->n_in);
  for (unsigned i = 0; i < c->n; i++) {
    vdrv_virtq_seg_t s = req_seg(q, r, i, rq->n_out);
    TB_CHECK_EQ_CTX(t, c->seg[i].addr, s.addr, "request %u segment %u address", r, i);
    TB_CHECK_EQ_CTX(t, c->seg[i].len, s.len, "request %u segment %u length", r, i);
    TB_CHECK_EQ_CTX(t, c->seg[i].write, i >= rq->n_out, "request %u segment %u WRITE", r, i);
  }
  return r;
}

/* Completion order FIFO: what the device pushed, in order, to check get_used against. */
typedef struct tq_fifo {
  unsigned r[TQ_MAX_REQ];
  uint32_t len[TQ_MAX_REQ];
  unsigned head, n;
} tq_fifo_t;

static void fifo_push(tq_fifo_t *f, unsigned r, uint32_t len) {
  unsigned i = (f->head + f->n++) % TQ_MAX_REQ;
  f->r[i] = r;
  f->len[i] = len;
}

/* Takes everything used, checking cookies and lengths in used-ring order. */
static void tq_drain(tq_t *q, vdrv_virtq_t *vq, tq_fifo_t *f) {
  tb_t *t = q->t;
  while (f->n) {
    void *cookie = NULL;
    uint32_t len = 0;
    int rc = vdrv_virtq_get_used(vq, &cookie, &len);
    TB_REQUIRE(t, rc == 1, "get_used gave %d with %u entries used", rc, f->n);
    tq_req_t *want = &q->req[f->r[f->head]];
    TB_REQUIRE(t, cookie == want, "get_used: cookie of request %u, expected %u",
               cookie ? ((tq_req_t *)cookie)->r : 9999u, want->r);
    TB_CHECK_EQ_CTX(t, len, f->len[f->head], "request %u length", want->r);
    want->busy = 0;
    f->head = (f->head + 1) % TQ_MAX_REQ;
    f->n--;
  }
  TB_CHECK_EQ(t, vdrv_virtq_get_used(vq, NULL, NULL), 0);
}

/* Buffers the device has taken and not yet completed. */
typedef struct tq_pend {
  unsigned n;
  uint16_t head[TQ_MAX_REQ];
  unsigned r[TQ_MAX_REQ];
  uint32_t len[TQ_MAX_REQ];
} tq_pend_t;

/* The device takes (and processes) every available buffer. */
static void tq_take(tq_t *q, tq_dev_t *d, tq_pend_t *p) {
  tq_chain_t c;
  while (dev_pop(d, &c)) {
    TB_REQUIRE(q->t, p->n < TQ_MAX_REQ, "more buffers than the queue holds");
    p->r[p->n] = tq_match(q, &c);
    p->len[p->n] = dev_process(d, &c);
    p->head[p->n++] = c.head;
  }
}

/* The device completes k of the buffers it holds, picked at random (shuffle) or the oldest. */
static void tq_complete(tq_t *q, tq_dev_t *d, tq_pend_t *p, tq_fifo_t *f, unsigned k,
                        int shuffle) {
  while (k-- && p->n) {
    unsigned j = shuffle ? tb_rand_below(&q->t->rng, p->n) : 0;
    dev_push(d, p->head[j], p->len[j]);
    fifo_push(f, p->r[j], p->len[j]);
    p->n--;
    memmove(&p->head[j], &p->head[j + 1], (p->n - j) * sizeof p->head[0]);
    memmove(&p->r[j], &p->r[j + 1], (p->n - j) * sizeof p->r[0]);
    memmove(&p->len[j], &p->len[j + 1], (p->n - j) * sizeof p->len[0]);
  }
}

/* The device takes every available buffer and completes them all. */
static void tq_serve(tq_t *q, tq_dev_t *d, tq_fifo_t *f, int shuffle) {
  tq_pend_t p;
  p.n = 0;
  tq_take(q, d, &p);
  tq_complete(q, d, &p, f, p.n, shuffle);
}

/* Request numbers not in flight, picked at random. */
static unsigned tq_free_req(tq_t *q) {
  unsigned r = tb_rand_below(&q->t->rng, TQ_MAX_REQ);
  while (q->req[r].busy) r = (r + 1) % TQ_MAX_REQ;
  return r;
}

static void check_perm(tb_t *t, cosim_hmem_t *m, uint64_t a, uint64_t len, unsigned perm,
                       const char *what) {
  TB_CHECK_EQ_CTX(t, cosim_hmem_perm(m, a), perm, "%s first byte", what);
  TB_CHECK_EQ_CTX(t, cosim_hmem_perm(m, a + len - 1), perm, "%s last byte", what);
  TB_CHECK_EQ_CTX(t, cosim_hmem_check(m, a, len, perm, NULL), 0, "%s whole range", what);
  TB_CHECK_EQ_CTX(t, cosim_hmem_perm(m, a - 1), 0, "byte before %s", what);
  TB_CHECK_EQ_CTX(t, cosim_hmem_perm(m, a + len), 0, "byte after %s", what);
}

/* Fills the queue with buffers of 1..max_seg segments (readable then writable, split at random)
 * until -ENOSPC; returns how many were added. */
static unsigned tq_fill(tq_t *q, vdrv_virtq_t *vq, unsigned max_seg, int use_indirect) {
  tb_t *t = q->t;
  unsigned added = 0;
  for (;;) {
    unsigned n = 1 + tb_rand_below(&t->rng, max_seg);
    unsigned n_out = tb_rand_below(&t->rng, n + 1);
    unsigned before = vdrv_virtq_num_free(vq);
    int rc = tq_add(q, vq, tq_free_req(q), n_out, n - n_out, use_indirect);
    if (rc == -ENOSPC) {
      TB_CHECK(t, before < (use_indirect && vq->indirect ? 1u : n),
               "-ENOSPC for %u segments with %u descriptors free", n, before);
      return added;
    }
    TB_REQUIRE(t, rc == 0, "add of %u segments: %d", n, rc);
    added++;
  }
}

/* ---- Tests ---- */

typedef struct irq_log {
  unsigned n;
  uint64_t addr;
  uint32_t data;
} irq_log_t;

static void irq_record(void *arg, uint64_t addr, uint32_t data) {
  irq_log_t *l = arg;
  l->n++;
  l->addr = addr;
  l->data = data;
}

TB_TEST(virtq_dma_ops, "bus DMA ops over host memory: alloc zeroed, aligned, above 4 GiB, "
                       "exposed exactly as dir says (guard bytes not), read/write round trip, "
                       "free unexposes; bad dir/size/align -EINVAL; set_irq_handler gets the "
                       "MSI-X address/data") {
  vdrv_pci_dev_t dev;
  vdrv_vpci_t v;
  tb_bringup(t, &dev, &v);
  const vdrv_bus_ops_t *ops = t->bus.ops;
  void *ctx = t->bus.ctx;
  cosim_hmem_t *m = cosim_host_mem(t->sim);
  static const size_t sizes[] = {1, 6, 100, 4096, 5000};
  static const size_t aligns[] = {0, 2, 16, 4096};
  static const unsigned dirs[] = {VDRV_DMA_DEV_READ, VDRV_DMA_DEV_WRITE,
                                  VDRV_DMA_DEV_READ | VDRV_DMA_DEV_WRITE};
  uint64_t bufs[5 * 4 * 3];
  unsigned nb = 0;
  for (unsigned si = 0; si < 5; si++)
    for (unsigned ai = 0; ai < 4; ai++)
      for (unsigned di = 0; di < 3; di++) {
        uint64_t a = 0;
        TB_DRV(t, ops->dma_alloc(ctx, sizes[si], aligns[ai], dirs[di], &a));
        bufs[nb++] = a;
        size_t al = aligns[ai] ? aligns[ai] : 8;
        TB_CHECK_EQ_CTX(t, a % al, 0, "size %zu align %zu", sizes[si], al);
        TB_CHECK(t, a >= (1ull << 32), "DMA buffer at 0x%llx below 4 GiB",
                 (unsigned long long)a);
        unsigned perm = ((dirs[di] & VDRV_DMA_DEV_READ) ? COSIM_HMEM_DEV_READ : 0u) |
                        ((dirs[di] & VDRV_DMA_DEV_WRITE) ? COSIM_HMEM_DEV_WRITE : 0u);
        check_perm(t, m, a, sizes[si], perm, "DMA buffer");
        uint8_t w[64], r[64];
        size_t n = sizes[si] < sizeof w ? sizes[si] : sizeof w;
        TB_DRV(t, ops->dma_read(ctx, a, r, n));
        for (size_t i = 0; i < n; i++) TB_CHECK_EQ_CTX(t, r[i], 0, "fresh byte %zu", i);
        for (size_t i = 0; i < n; i++) w[i] = (uint8_t)tb_rand32(&t->rng);
        TB_DRV(t, ops->dma_write(ctx, a + sizes[si] - n, w, n));
        TB_DRV(t, ops->dma_read(ctx, a + sizes[si] - n, r, n));
        TB_CHECK(t, memcmp(w, r, n) == 0, "DMA read-back differs (size %zu)", sizes[si]);
      }
  for (unsigned i = 0; i < nb; i++) {
    ops->dma_free(ctx, bufs[i]);
    TB_CHECK_EQ_CTX(t, cosim_hmem_perm(m, bufs[i]), 0, "buffer %u freed", i);
  }
  uint64_t a;
  TB_CHECK_EQ(t, ops->dma_alloc(ctx, 16, 8, 0, &a), -EINVAL);
  TB_CHECK_EQ(t, ops->dma_alloc(ctx, 16, 8, 4, &a), -EINVAL);
  TB_CHECK_EQ(t, ops->dma_alloc(ctx, 0, 8, VDRV_DMA_DEV_READ, &a), -EINVAL);
  TB_CHECK_EQ(t, ops->dma_alloc(ctx, 16, 3, VDRV_DMA_DEV_READ, &a), -EINVAL);

  /* An MSI-X message (a configuration change on vector 0) reaches the installed handler. */
  irq_log_t log = {0, 0, 0};
  ops->set_irq_handler(ctx, irq_record, &log);
  TB_DRV(t, vdrv_vpci_init(&v, NULL));
  TB_DRV(t, vdrv_pci_msix_enable(&dev, 1));
  TB_DRV(t, vdrv_vpci_msix_set_entry(&v, 0, TB_MSI_ADDR(0), TB_MSI_DATA(0), 0));
  uint16_t rb;
  TB_DRV(t, vdrv_vpci_set_config_vector(&v, 0, &rb));
  TB_CHECK_EQ(t, rb, 0);
  TB_DRV(t, vdrv_vpci_driver_ok(&v));
  cosim_set_blk_capacity(t->sim, t->cfg.blk_capacity + 8);
  for (unsigned c = 0; c < TB_IRQ_WAIT_CYCLES && !log.n; c += 4) tb_run(t, 4);
  TB_CHECK_EQ(t, log.n, 1);
  TB_CHECK_EQ(t, log.addr, TB_MSI_ADDR(0));
  TB_CHECK_EQ(t, log.data, TB_MSI_DATA(0));
  TB_CHECK_EQ(t, t->nmsi, 0);   /* the handler replaced the runner's recorder */
  ops->set_irq_handler(ctx, NULL, NULL);
}

TB_TEST(virtq_sizes, "queues of size 1, 2, 256: device registers hold the ring addresses, "
                     "alignment 16/2/4, permission map exactly desc+avail readable and used "
                     "writable (with the event fields), rounds filled to -ENOSPC and completed "
                     "out of order; bad size -EINVAL, absent queue -ENOENT; destroy unexposes") {
  tq_t q;
  tq_init(&q, t, 0, 0);
  cosim_hmem_t *m = cosim_host_mem(t->sim);
  vdrv_virtq_t vq;
  TB_CHECK_EQ(t, vdrv_virtq_create(&vq, &q.v, 0, 3, VEP_MSI_NO_VECTOR), -EINVAL);
  TB_CHECK_EQ(t, vdrv_virtq_create(&vq, &q.v, 0, 512, VEP_MSI_NO_VECTOR), -EINVAL);
  TB_CHECK_EQ(t, vdrv_virtq_create(&vq, &q.v, (uint16_t)t->cfg.params.NUM_QUEUES, 0,
                                   VEP_MSI_NO_VECTOR), -ENOENT);
  static const uint16_t sizes[] = {1, 2, 256};
  for (unsigned qi = 0; qi < 3; qi++) {
    uint16_t n = sizes[qi];
    TB_DRV(t, vdrv_virtq_create(&vq, &q.v, (uint16_t)qi, n, VEP_MSI_NO_VECTOR));
    TB_CHECK_EQ(t, vq.size, n);
    tq_dev_t d;
    dev_attach(&d, t, (uint16_t)qi, 0, 0);
    TB_CHECK_EQ_CTX(t, d.size, n, "queue_size");
    TB_CHECK_EQ_CTX(t, d.desc, vq.desc, "queue_desc, size %u", n);
    TB_CHECK_EQ_CTX(t, d.avail, vq.avail, "queue_driver, size %u", n);
    TB_CHECK_EQ_CTX(t, d.used, vq.used, "queue_device, size %u", n);
    TB_CHECK_EQ_CTX(t, d.desc % 16, 0, "descriptor table alignment, size %u", n);
    TB_CHECK_EQ_CTX(t, d.avail % 2, 0, "avail ring alignment, size %u", n);
    TB_CHECK_EQ_CTX(t, d.used % 4, 0, "used ring alignment, size %u", n);
    check_perm(t, m, d.desc, 16u * n, COSIM_HMEM_DEV_READ, "descriptor table");
    check_perm(t, m, d.avail, 6u + 2u * n, COSIM_HMEM_DEV_READ, "avail ring");
    check_perm(t, m, d.used, 6u + 8u * n, COSIM_HMEM_DEV_WRITE, "used ring");
    /* The map the consumer goes through refuses the other direction. */
    TB_CHECK_EQ(t, cosim_hmem_check(m, d.desc, 16, COSIM_HMEM_DEV_WRITE, NULL), -EACCES);
    TB_CHECK_EQ(t, cosim_hmem_check(m, d.used, 2, COSIM_HMEM_DEV_READ, NULL), -EACCES);
    TB_CHECK_EQ(t, host_rd16(&d, d.avail), 0);
    TB_CHECK_EQ(t, host_rd16(&d, d.avail + VDRV_VRING_IDX), 0);
    tq_fifo_t f = {{0}, {0}, 0, 0};
    for (unsigned round = 0; round < 6; round++) {
      unsigned added = tq_fill(&q, &vq, n < 3 ? n : 3, 0);
      TB_CHECK(t, added >= 1, "size %u round %u: nothing added", n, round);
      TB_CHECK_EQ_CTX(t, vdrv_virtq_kick(&vq), 1, "size %u round %u", n, round);
      tq_serve(&q, &d, &f, 1);
      tq_drain(&q, &vq, &f);
      TB_CHECK_EQ_CTX(t, vdrv_virtq_num_free(&vq), n, "size %u round %u", n, round);
    }
    uint64_t desc = vq.desc, avail = vq.avail, used = vq.used;
    vdrv_virtq_destroy(&vq);
    TB_CHECK_EQ(t, cosim_hmem_perm(m, desc) | cosim_hmem_perm(m, avail) |
                       cosim_hmem_perm(m, used), 0);
  }
}

TB_TEST(virtq_index_wrap, "EVENT_IDX queue of 8 through more than 65536 buffers in random "
                          "batches completed out of order: avail.idx, used.idx and used_event "
                          "wrap naturally past 65535 and stay in step with the driver") {
  tq_t q;
  vdrv_virtq_t vq;
  tq_dev_t d;
  tq_open(t, &q, &vq, &d, 1, 0, 8);
  tq_fifo_t f = {{0}, {0}, 0, 0};
  uint32_t total = 0;
  int wrapped = 0;
  uint16_t prev = 0;
  while (total < 65536u + 3000u) {
    unsigned k = 1 + tb_rand_below(&t->rng, 8);
    for (unsigned i = 0; i < k; i++) {
      int rc = tq_add(&q, &vq, tq_free_req(&q), 1, tb_rand_below(&t->rng, 2), 0);
      if (rc == -ENOSPC) break;
      TB_REQUIRE(t, rc == 0, "add: %d", rc);
      total++;
    }
    uint16_t aidx = host_rd16(&d, d.avail + VDRV_VRING_IDX);
    TB_REQUIRE(t, aidx == (uint16_t)total, "avail.idx %u after %u buffers", aidx, total);
    wrapped |= aidx < prev;
    prev = aidx;
    tq_serve(&q, &d, &f, 1);
    tq_drain(&q, &vq, &f);
    TB_REQUIRE(t, host_rd16(&d, d.used + VDRV_VRING_IDX) == (uint16_t)total, "used.idx");
    TB_REQUIRE(t, host_rd16(&d, d.avail + VDRV_VRING_USED_EVENT(8)) == (uint16_t)total,
               "used_event %u after %u buffers consumed",
               host_rd16(&d, d.avail + VDRV_VRING_USED_EVENT(8)), total);
    TB_REQUIRE(t, vdrv_virtq_num_free(&vq) == 8, "free %u", vdrv_virtq_num_free(&vq));
  }
  TB_CHECK(t, wrapped, "the avail index never wrapped (%u buffers)", total);
  /* The loop never kicks: after more than 65536 adds a kick must notify (the event index cannot
   * tell a full wrap from nothing new). */
  TB_CHECK_EQ(t, vdrv_virtq_kick(&vq), 1);
  vdrv_virtq_destroy(&vq);
}

TB_TEST(virtq_chains, "queue of 256: chains of every length 1..256 with readable segments "
                      "before writable ones, segment addresses/lengths/WRITE as added; partial "
                      "out-of-order completion with free descriptors reused while others stay "
                      "in flight (no descriptor in two chains); -EINVAL for 0 or 257 segments "
                      "or 4 GiB in total, -ENOSPC when full") {
  tq_t q;
  vdrv_virtq_t vq;
  tq_dev_t d;
  tq_open(t, &q, &vq, &d, 0, 0, 256);
  vdrv_virtq_seg_t big[2] = {{q.rpool, 0xFFFFFFFFu}, {q.rpool, 1}};
  TB_CHECK_EQ(t, vdrv_virtq_add(&vq, big, 0, NULL, 0, NULL, 0), -EINVAL);
  TB_CHECK_EQ(t, vdrv_virtq_add(&vq, big, 2, NULL, 0, NULL, 0), -EINVAL);
  TB_CHECK_EQ(t, tq_add(&q, &vq, 0, 200, 57, 0), -EINVAL);
  /* Counts whose sum wraps to a small number. */
  TB_CHECK_EQ(t, vdrv_virtq_add(&vq, big, 2, big, 0xFFFFFFFFu, NULL, 0), -EINVAL);
  TB_CHECK_EQ(t, vdrv_virtq_num_free(&vq), 256);
  tq_fifo_t f = {{0}, {0}, 0, 0};
  tq_pend_t p;
  p.n = 0;
  /* Every length, the device holding on to some buffers while new ones take freed slots. */
  for (unsigned len = 1; len <= 256; len++) {
    unsigned n_out = tb_rand_below(&t->rng, len + 1);
    unsigned r = tq_free_req(&q);
    int rc;
    while ((rc = tq_add(&q, &vq, r, n_out, len - n_out, 0)) == -ENOSPC) {
      tq_take(&q, &d, &p);
      TB_REQUIRE(t, p.n > 0, "-ENOSPC for %u segments with nothing in flight (%u free)", len,
                 vdrv_virtq_num_free(&vq));
      tq_complete(&q, &d, &p, &f, 1 + tb_rand_below(&t->rng, p.n), 1);
      tq_drain(&q, &vq, &f);
    }
    TB_REQUIRE(t, rc == 0, "add of %u segments: %d", len, rc);
    if (tb_rand_below(&t->rng, 4) == 0) tq_take(&q, &d, &p);
  }
  /* Then random lengths, mostly short, with partial completions. */
  for (unsigned round = 0; round < 200; round++) {
    unsigned len = 1 + tb_rand_below(&t->rng, 1 + tb_rand_below(&t->rng, 256));
    unsigned n_out = tb_rand_below(&t->rng, len + 1);
    int rc = tq_add(&q, &vq, tq_free_req(&q), n_out, len - n_out, 0);
    TB_REQUIRE(t, rc == 0 || rc == -ENOSPC, "add: %d", rc);
    tq_take(&q, &d, &p);
    tq_complete(&q, &d, &p, &f, tb_rand_below(&t->rng, p.n + 1), 1);
    tq_drain(&q, &vq, &f);
  }
  tq_take(&q, &d, &p);
  tq_complete(&q, &d, &p, &f, p.n, 1);
  tq_drain(&q, &vq, &f);
  TB_CHECK_EQ(t, vdrv_virtq_num_free(&vq), 256);
  vdrv_virtq_destroy(&vq);
}

TB_TEST(virtq_indirect, "INDIRECT_DESC: a buffer of 1..8 segments takes one descriptor "
                        "(INDIRECT alone, len 16*n) whose table is device-readable exactly and "
                        "chained from 0 in order, freed (unexposed) after get_used; 9 segments "
                        "-EINVAL on a queue of 8; not asked or not negotiated: a direct chain") {
  tq_t q;
  tq_init(&q, t, 0, 1);
  cosim_hmem_t *m = cosim_host_mem(t->sim);
  vdrv_virtq_t vq;
  TB_DRV(t, vdrv_virtq_create(&vq, &q.v, 0, 8, VEP_MSI_NO_VECTOR));
  tq_dev_t d;
  dev_attach(&d, t, 0, 0, 1);
  TB_CHECK_EQ(t, tq_add(&q, &vq, 0, 4, 5, 1), -EINVAL);
  tq_fifo_t f = {{0}, {0}, 0, 0};
  for (unsigned round = 0; round < 20; round++) {
    uint64_t tables[8];
    unsigned nt = 0;
    for (unsigned i = 0; i < 8; i++) {
      unsigned n = 1 + (round + i) % 8, n_out = tb_rand_below(&t->rng, n + 1);
      TB_DRV(t, tq_add(&q, &vq, tq_free_req(&q), n_out, n - n_out, 1));
      TB_CHECK_EQ_CTX(t, vdrv_virtq_num_free(&vq), 7 - i, "one descriptor per buffer");
    }
    TB_CHECK_EQ(t, tq_add(&q, &vq, tq_free_req(&q), 1, 0, 1), -ENOSPC);
    tq_chain_t c;
    tq_pend_t p;
    p.n = 0;
    while (dev_pop(&d, &c)) {
      TB_CHECK(t, c.table != 0, "buffer %u is not indirect", p.n);
      check_perm(t, m, c.table, 16u * c.n, COSIM_HMEM_DEV_READ, "indirect table");
      tables[nt++] = c.table;
      p.r[p.n] = tq_match(&q, &c);
      p.len[p.n] = dev_process(&d, &c);
      p.head[p.n++] = c.head;
    }
    TB_CHECK_EQ(t, p.n, 8);
    tq_complete(&q, &d, &p, &f, p.n, 1);
    tq_drain(&q, &vq, &f);
    for (unsigned i = 0; i < nt; i++)
      TB_CHECK_EQ_CTX(t, cosim_hmem_perm(m, tables[i]), 0, "table %u after get_used", i);
  }
  /* Not asked for: a direct chain (the consumer sees no table). */
  TB_DRV(t, tq_add(&q, &vq, 1, 2, 2, 0));
  TB_CHECK_EQ(t, vdrv_virtq_num_free(&vq), 4);
  tq_chain_t c;
  TB_REQUIRE(t, dev_pop(&d, &c) == 1, "no buffer");
  TB_CHECK_EQ(t, c.table, 0);
  tq_match(&q, &c);
  /* Left in flight on purpose: destroy frees what is outstanding. */
  vdrv_virtq_destroy(&vq);

  /* Asked for but not negotiated (queue 1): a direct chain; the consumer refuses INDIRECT. */
  q.v.driver_features[VEP_F_INDIRECT_DESC / 32] &= ~(1u << (VEP_F_INDIRECT_DESC % 32));
  TB_DRV(t, vdrv_virtq_create(&vq, &q.v, 1, 8, VEP_MSI_NO_VECTOR));
  dev_attach(&d, t, 1, 0, 0);
  q.req[1].busy = 0;
  TB_DRV(t, tq_add(&q, &vq, 2, 1, 2, 1));
  TB_CHECK_EQ(t, vdrv_virtq_num_free(&vq), 5);
  tq_serve(&q, &d, &f, 0);
  tq_drain(&q, &vq, &f);
  vdrv_virtq_destroy(&vq);
}

TB_TEST(virtq_kick_flags, "without EVENT_IDX: kick rings the doorbell (one MWr) after adds "
                          "unless used.flags has NO_NOTIFY, never with nothing added; "
                          "avail_event is ignored") {
  tq_t q;
  vdrv_virtq_t vq;
  tq_dev_t d;
  tq_open(t, &q, &vq, &d, 0, 0, 16);
  tq_fifo_t f = {{0}, {0}, 0, 0};
  for (unsigned round = 0; round < 200; round++) {
    unsigned k = tb_rand_below(&t->rng, 4);
    int no_notify = tb_rand_below(&t->rng, 2);
    dev_wr16(&d, d.used, no_notify ? VEP_VRING_USED_F_NO_NOTIFY : 0, "used.flags");
    /* An avail_event that would suppress the doorbell with EVENT_IDX. */
    dev_wr16(&d, d.used + VDRV_VRING_AVAIL_EVENT(16), (uint16_t)(vq.avail_idx + 100),
             "avail_event");
    for (unsigned i = 0; i < k; i++) TB_DRV(t, tq_add(&q, &vq, tq_free_req(&q), 1, 1, 0));
    uint64_t before = cosim_tlps_rx(t->sim);
    int want = k && !no_notify;
    TB_CHECK_EQ_CTX(t, vdrv_virtq_kick(&vq), want, "round %u: %u added, NO_NOTIFY %d", round,
                    k, no_notify);
    TB_CHECK_EQ_CTX(t, cosim_tlps_rx(t->sim) - before, (uint64_t)want, "doorbell TLPs, round %u",
                    round);
    tq_serve(&q, &d, &f, 1);
    tq_drain(&q, &vq, &f);
  }
  vdrv_virtq_destroy(&vq);
}

TB_TEST(virtq_kick_event_idx, "with EVENT_IDX: kick rings the doorbell iff "
                              "vring_need_event(avail_event, new, old), avail_event placed "
                              "around the batch and across the 65535 wrap; used.flags ignored; "
                              "65536 adds without a kick always notify") {
  tq_t q;
  vdrv_virtq_t vq;
  tq_dev_t d;
  tq_open(t, &q, &vq, &d, 1, 0, 8);
  tq_fifo_t f = {{0}, {0}, 0, 0};
  uint32_t total = 0;
  unsigned notified = 0, quiet = 0;
  while (total < 65536u + 2000u) {
    uint16_t old = (uint16_t)total;
    unsigned k = 1 + tb_rand_below(&t->rng, 4);
    /* avail_event from 3 before the batch to 3 after it. */
    uint16_t ev = (uint16_t)(old - 3 + tb_rand_below(&t->rng, k + 7));
    dev_wr16(&d, d.used + VDRV_VRING_AVAIL_EVENT(8), ev, "avail_event");
    dev_wr16(&d, d.used, tb_rand_below(&t->rng, 2) ? VEP_VRING_USED_F_NO_NOTIFY : 0,
             "used.flags");
    for (unsigned i = 0; i < k; i++) TB_DRV(t, tq_add(&q, &vq, tq_free_req(&q), 1, 0, 0));
    total += k;
    uint16_t nw = (uint16_t)total;
    /* The rule written out: notify iff ev lies in [old, new), modulo 2^16. */
    int want = (uint16_t)(ev - old) < (uint16_t)(nw - old);
    uint64_t before = cosim_tlps_rx(t->sim);
    int got = vdrv_virtq_kick(&vq);
    TB_REQUIRE(t, got == want, "kick %d, expected %d: old %u new %u avail_event %u", got, want,
               old, nw, ev);
    TB_REQUIRE(t, cosim_tlps_rx(t->sim) - before == (uint64_t)want, "doorbell TLPs");
    if (want)
      notified++;
    else
      quiet++;
    tq_serve(&q, &d, &f, 1);
    tq_drain(&q, &vq, &f);
  }
  TB_CHECK(t, notified > 100 && quiet > 100, "notified %u, quiet %u", notified, quiet);
  /* 65536 buffers without a kick: new == old modulo 2^16, yet the device must hear of them. */
  dev_wr16(&d, d.used + VDRV_VRING_AVAIL_EVENT(8), (uint16_t)total, "avail_event");
  for (unsigned i = 0; i < 65536u; i++) {
    TB_DRV(t, tq_add(&q, &vq, tq_free_req(&q), 1, 0, 0));
    tq_serve(&q, &d, &f, 0);
    tq_drain(&q, &vq, &f);
  }
  TB_CHECK_EQ(t, vdrv_virtq_kick(&vq), 1);
  vdrv_virtq_destroy(&vq);
}

TB_TEST(virtq_interrupt_flags, "without EVENT_IDX: avail.flags 0 at start, disable_cb sets "
                               "NO_INTERRUPT (device must not interrupt), enable_cb clears it "
                               "and returns 1 while used entries are pending") {
  tq_t q;
  vdrv_virtq_t vq;
  tq_dev_t d;
  tq_open(t, &q, &vq, &d, 0, 0, 8);
  tq_fifo_t f = {{0}, {0}, 0, 0};
  tq_pend_t p;
  p.n = 0;
  TB_CHECK_EQ(t, host_rd16(&d, d.avail), 0);
  for (unsigned round = 0; round < 300; round++) {
    int disabled = tb_rand_below(&t->rng, 2);
    TB_DRV(t, disabled ? vdrv_virtq_disable_cb(&vq) : vdrv_virtq_enable_cb(&vq));
    TB_CHECK_EQ_CTX(t, host_rd16(&d, d.avail), disabled ? VEP_VRING_AVAIL_F_NO_INTERRUPT : 0,
                    "avail.flags, round %u", round);
    TB_DRV(t, tq_add(&q, &vq, tq_free_req(&q), 1, 1, 0));
    tq_take(&q, &d, &p);
    int irq = dev_push(&d, p.head[0], p.len[0]);
    fifo_push(&f, p.r[0], p.len[0]);
    p.n = 0;
    TB_CHECK_EQ_CTX(t, irq, !disabled, "interrupt wanted, round %u", round);
    if (disabled) {
      TB_CHECK_EQ_CTX(t, vdrv_virtq_enable_cb(&vq), 1, "pending entry, round %u", round);
      TB_CHECK_EQ(t, host_rd16(&d, d.avail), 0);
    }
    tq_drain(&q, &vq, &f);
    TB_CHECK_EQ_CTX(t, vdrv_virtq_enable_cb(&vq), 0, "nothing pending, round %u", round);
  }
  vdrv_virtq_destroy(&vq);
}

TB_TEST(virtq_interrupt_event_idx, "with EVENT_IDX: avail.flags stays 0; enabled, used_event "
                                   "= entries consumed, so the device interrupts exactly when "
                                   "it publishes the entry after those; disabled, never; "
                                   "enable_cb returns 1 while entries are pending; across the "
                                   "65535 wrap") {
  tq_t q;
  vdrv_virtq_t vq;
  tq_dev_t d;
  tq_open(t, &q, &vq, &d, 1, 0, 8);
  tq_fifo_t f = {{0}, {0}, 0, 0};
  tq_pend_t p;
  p.n = 0;
  int enabled = 1;
  uint16_t consumed = 0;
  unsigned irqs = 0;
  uint32_t pushes = 0;
  TB_CHECK_EQ(t, vdrv_virtq_enable_cb(&vq), 0);
  for (unsigned op = 0; pushes < 70000u && op < 1000000u; op++) {
    unsigned pick = tb_rand_below(&t->rng, 10);
    if (pick < 1) {
      TB_DRV(t, vdrv_virtq_disable_cb(&vq));
      enabled = 0;
      TB_REQUIRE(t, host_rd16(&d, d.avail + VDRV_VRING_USED_EVENT(8)) == (uint16_t)(consumed - 1),
                 "used_event after disable_cb");
    } else if (pick < 2) {
      int rc = vdrv_virtq_enable_cb(&vq);
      enabled = 1;
      TB_REQUIRE(t, rc == (d.used_idx != consumed), "enable_cb %d, %u entries pending", rc,
                 (uint16_t)(d.used_idx - consumed));
      TB_REQUIRE(t, host_rd16(&d, d.avail + VDRV_VRING_USED_EVENT(8)) == consumed,
                 "used_event after enable_cb");
    } else if (pick < 6) {
      if (tq_add(&q, &vq, tq_free_req(&q), 0, 1, 0) == -ENOSPC) continue;
      tq_take(&q, &d, &p);
      uint16_t old = d.used_idx;
      int irq = dev_push(&d, p.head[0], p.len[0]);
      fifo_push(&f, p.r[0], p.len[0]);
      p.n = 0;
      int want = enabled && old == consumed;
      TB_REQUIRE(t, irq == want, "op %u: interrupt %d, expected %d (enabled %d, used %u, "
                 "consumed %u)", op, irq, want, enabled, old, consumed);
      irqs += (unsigned)irq;
      pushes++;
    } else if (f.n) {
      void *cookie;
      TB_REQUIRE(t, vdrv_virtq_get_used(&vq, &cookie, NULL) == 1, "get_used");
      TB_REQUIRE(t, cookie == &q.req[f.r[f.head]], "cookie order");
      q.req[f.r[f.head]].busy = 0;
      f.head = (f.head + 1) % TQ_MAX_REQ;
      f.n--;
      consumed++;
    }
    TB_REQUIRE(t, host_rd16(&d, d.avail) == 0, "avail.flags with EVENT_IDX");
  }
  TB_CHECK(t, irqs > 1000, "only %u interrupts wanted", irqs);
  TB_CHECK(t, pushes > 65536u, "only %u used entries: the index did not wrap", pushes);
  vdrv_virtq_destroy(&vq);
}

TB_TEST(virtq_broken, "a broken used ring gives -EIO and marks the queue broken (every later "
                      "call -EIO, transport untouched): id out of range, id of a free "
                      "descriptor, id inside a chain but not its head, the same id twice, "
                      "used.idx more than the queue size ahead (get_used and enable_cb)") {
  tq_t q;
  tq_init(&q, t, 0, 0);
  for (unsigned sc = 0; sc < 6; sc++) {
    vdrv_virtq_t vq;
    uint16_t qi = (uint16_t)(sc % 4);
    TB_DRV(t, vdrv_virtq_create(&vq, &q.v, qi, 4, VEP_MSI_NO_VECTOR));
    tq_dev_t d;
    dev_attach(&d, t, qi, 0, 0);
    TB_DRV(t, tq_add(&q, &vq, 10, 1, 2, 0));   /* descriptors 0, 1, 2; head 0 */
    TB_DRV(t, tq_add(&q, &vq, 11, 1, 0, 0));   /* descriptor 3 */
    tq_chain_t c;
    dev_pop(&d, &c);
    dev_pop(&d, &c);
    int rc;
    switch (sc) {
      case 0:                                 /* id out of range */
        dev_push(&d, 4, 0);
        break;
      case 1:                                 /* the same head twice: free the second time */
        dev_push(&d, 0, 0);
        dev_push(&d, 0, 0);
        TB_CHECK_EQ(t, vdrv_virtq_get_used(&vq, NULL, NULL), 1);
        break;
      case 2:                                 /* inside chain 0, not its head */
        dev_push(&d, 1, 0);
        break;
      case 3:                                 /* completed and reaped, then completed again */
        dev_push(&d, 3, 0);
        TB_CHECK_EQ(t, vdrv_virtq_get_used(&vq, NULL, NULL), 1);
        dev_push(&d, 3, 0);
        break;
      default:                                /* used.idx size + 1 ahead */
        dev_wr16(&d, d.used + VDRV_VRING_IDX, 5, "used.idx");
        break;
    }
    /* The jump is found by get_used (scenario 4) and by enable_cb (scenario 5). */
    rc = sc == 5 ? vdrv_virtq_enable_cb(&vq) : vdrv_virtq_get_used(&vq, NULL, NULL);
    TB_CHECK_EQ_CTX(t, rc, -EIO, "scenario %u", sc);
    TB_CHECK_EQ_CTX(t, vq.broken, 1, "scenario %u", sc);
    TB_CHECK_EQ_CTX(t, vdrv_virtq_get_used(&vq, NULL, NULL), -EIO, "scenario %u", sc);
    TB_CHECK_EQ_CTX(t, tq_add(&q, &vq, 12, 1, 0, 0), -EIO, "scenario %u", sc);
    TB_CHECK_EQ_CTX(t, vdrv_virtq_kick(&vq), -EIO, "scenario %u", sc);
    TB_CHECK_EQ_CTX(t, vdrv_virtq_enable_cb(&vq), -EIO, "scenario %u", sc);
    TB_CHECK_EQ_CTX(t, vdrv_virtq_disable_cb(&vq), -EIO, "scenario %u", sc);
    TB_CHECK_EQ_CTX(t, q.v.broken, 0, "transport, scenario %u", sc);
    q.req[10].busy = q.req[11].busy = 0;
    vdrv_virtq_destroy(&vq);
  }
}
