/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-blk against bad input and a failing bus (docs/datapath.md "Error behaviour"): chains
 * built by hand in the rings the driver set up, DMA error completions injected by the root
 * complex (cosim_set_dma_fault), a reset with requests in flight, Bus Master cleared under load.
 * Every case checks what the device must do (DEVICE_NEEDS_RESET and the configuration interrupt,
 * or status IOERR), that it still answers register reads, that nothing was written where the
 * driver did not allow it (the ring monitor and the IOMMU map report into the error list, which
 * fails the test), and that after a reset a normal write and read work.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tb_blk_lib.h"
#include "vep_consts.h"
#include "vep_virtio.h"

/* An address no buffer lives at: any device access there is an IOMMU violation. */
#define BAD_NOWHERE 0x0000007000000000ull

/* ---- Hand-built chains on queue 0 ---- */

static vdrv_virtq_t *vq0(tb_blk_t *k) { return &k->b.q[0].vq; }

static void put_desc(tb_blk_t *k, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
                     uint16_t flags, uint16_t next)
{
  uint8_t d[16];
  for (unsigned j = 0; j < 8; j++) {
    d[j] = (uint8_t)(addr >> (8 * j));
  }
  for (unsigned j = 0; j < 4; j++) {
    d[8 + j] = (uint8_t)(len >> (8 * j));
  }
  d[12] = (uint8_t)flags;
  d[13] = (uint8_t)(flags >> 8);
  d[14] = (uint8_t)next;
  d[15] = (uint8_t)(next >> 8);
  tb_blk_put(k, table + 16u * i, d, 16);
}

static void put16(tb_blk_t *k, uint64_t a, uint16_t v)
{
  uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  tb_blk_put(k, a, b, 2);
}

static void notify(tb_blk_t *k, unsigned q)
{
  tb_bar_wr(k->t, VEP_BAR_NOTIFY_OFF + VEP_NOTIFY_MULTIPLIER * q, 2, q);
}

/* Makes `head` available on queue 0 (ring entry, then avail.idx) and rings the doorbell. */
static void publish(tb_blk_t *k, uint16_t head)
{
  vdrv_virtq_t *vq = vq0(k);
  put16(k, vq->avail + VDRV_VRING_AVAIL_RING(vq->avail_idx & (vq->size - 1u)), head);
  vq->avail_idx++;
  put16(k, vq->avail + VDRV_VRING_IDX, vq->avail_idx);
  notify(k, 0);
}

/* A virtio-blk OUT header (16 bytes, device-readable) for sector. */
static uint64_t out_header(tb_blk_t *k, uint64_t sector)
{
  uint8_t h[16] = {0};
  h[0] = VEP_BLK_T_OUT;
  for (unsigned j = 0; j < 8; j++) {
    h[8 + j] = (uint8_t)(sector >> (8 * j));
  }
  uint64_t a = tb_blk_buf(k, 16, 16, VDRV_DMA_DEV_READ);
  tb_blk_put(k, a, h, 16);
  return a;
}

/* ---- What every failure must look like ---- */

typedef struct bad_snap {
  uint64_t cfg_irqs, requests, tlps_tx;
  unsigned isr_seen;
} bad_snap_t;

static void snap(tb_blk_t *k, bad_snap_t *s)
{
  cosim_blkport_stats_t st;
  cosim_blk_stats(k->t->sim, &st);
  s->cfg_irqs = k->b.config_irqs;
  s->requests = st.requests;
  s->tlps_tx = cosim_tlps_tx(k->t->sim);
  s->isr_seen = 0;
}

/* Runs until device_status has DEVICE_NEEDS_RESET (at most max cycles); checks the
 * configuration interrupt and that the device still answers. backend: requests the backend may
 * have taken since s (the chain never reaches it: 0). */
static int expect_needs_reset(tb_blk_t *k, const bad_snap_t *s, uint64_t max, const char *what,
                              uint64_t backend)
{
  tb_t *t = k->t;
  uint64_t start = cosim_cycles(t->sim);
  uint8_t st = 0;
  while (!((st = tb_status_rd(t)) & VEP_STATUS_DEVICE_NEEDS_RESET) &&
         cosim_cycles(t->sim) - start < max) {
    tb_run(t, 64);
  }
  int ok = TB_CHECK(t, st & VEP_STATUS_DEVICE_NEEDS_RESET,
                    "%s: device_status 0x%02x without DEVICE_NEEDS_RESET after %llu cycles", what,
                    st, (unsigned long long)max);
  TB_CHECK(t, st & VEP_STATUS_DRIVER_OK, "%s: device_status 0x%02x lost DRIVER_OK", what, st);
  /* The configuration interrupt: MSI-X on the configuration vector (counted by the driver's
   * handler), or ISR bit 1 with INTx. */
  if (k->b.irq_mode == VDRV_BLK_IRQ_MSIX) {
    uint64_t w = cosim_cycles(t->sim);
    while (k->b.config_irqs == s->cfg_irqs && cosim_cycles(t->sim) - w < TB_IRQ_WAIT_CYCLES) {
      tb_run(t, 8);
    }
    ok &= TB_CHECK(t, k->b.config_irqs > s->cfg_irqs,
                   "%s: no MSI-X message on the configuration vector %u", what,
                   k->b.config_vector);
  } else {
    unsigned isr = (unsigned)tb_bar_rd(t, VEP_BAR_ISR_OFF, 1);
    ok &= TB_CHECK(t, isr & VEP_ISR_CONFIG, "%s: ISR 0x%02x without the configuration bit",
                   what, isr);
  }
  /* Still answering: registers read back sensibly. */
  TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_NUMQ), 2), t->cfg.params.NUM_QUEUES,
                  "%s: num_queues", what);
  TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, 0, 2), VEP_PCI_VENDOR_ID, "%s: vendor ID", what);
  cosim_blkport_stats_t bs;
  cosim_blk_stats(t->sim, &bs);
  TB_CHECK_EQ_CTX(t, bs.requests - s->requests, backend, "%s: backend requests", what);
  return ok;
}

/* A normal write and read after the driver's reset and re-initialisation. */
static void recover(tb_blk_t *k, const char *what)
{
  tb_t *t = k->t;
  TB_DRV(t, vdrv_blk_reset(&k->b));
  TB_CHECK(t, !(tb_status_rd(t) & VEP_STATUS_DEVICE_NEEDS_RESET), "%s: still needs a reset",
           what);
  uint32_t len = 512u * (1u + tb_rand_below(&t->rng, 8));
  uint64_t sector = tb_rand_below(&t->rng, (uint32_t)(k->capacity - len / 512u));
  uint64_t w = tb_blk_buf(k, len, 8, VDRV_DMA_DEV_READ);
  uint64_t r = tb_blk_buf(k, len, 8, VDRV_DMA_DEV_WRITE);
  tb_blk_fill(k, w, len, tb_rand32(&t->rng));
  vdrv_virtq_seg_t ws = {w, len}, rs = {r, len};
  int rc = vdrv_blk_write(&k->b, 0, sector, &ws, 1);
  if (!TB_CHECK(t, rc == 0, "%s: write after the reset: %d", what, rc)) {
    tb_abort(t);
  }
  tb_blk_shadow_write(k, sector, &ws, 1);
  rc = vdrv_blk_read(&k->b, 0, sector, &rs, 1);
  if (!TB_CHECK(t, rc == 0, "%s: read after the reset: %d", what, rc)) {
    tb_abort(t);
  }
  tb_blk_check_read(k, sector, &rs, 1, what);
  tb_blk_check_disk(k);
}

/* ---- blk_bad_ring ---- */

enum {
  BR_HEAD_RANGE, BR_HEAD_FFFF, BR_NEXT_RANGE, BR_LOOP, BR_IND_FEATURE, BR_IND_NESTED,
  BR_IND_NEXT, BR_IND_LEN0, BR_IND_LEN24, BR_ZERO_LEN, BR_READ_AFTER_WRITE, BR_TOO_MANY,
  BR_BYTES_R, BR_BYTES_W, BR_IND_NEXT_RANGE, BR_IND_LOOP, BR_AVAIL_JUMP, BR_BLK_SHORT_HDR,
  BR_BLK_NO_STATUS, BR_NCASES
};

static const char *const br_name[BR_NCASES] = {
    "head out of range (= size)", "head 0xffff", "next out of range", "loop in the table",
    "INDIRECT without the feature", "nested INDIRECT", "INDIRECT with NEXT",
    "indirect table of length 0", "indirect table of 24 bytes", "zero-length buffer",
    "readable after writable", "more than seg_max + 2 buffers", "readable total above 2^32-1",
    "writable total above 2^32-1", "next out of an indirect table", "loop in an indirect table",
    "avail index moved by size + 1", "blk: 8-byte header", "blk: no status byte"};

static void bad_ring_case(tb_blk_t *k, unsigned c)
{
  tb_t *t = k->t;
  const char *what = br_name[c];
  vdrv_virtq_t *vq = vq0(k);
  const uint64_t D = vq->desc;
  const uint16_t size = vq->size;
  const uint16_t R = 0, W = VEP_VRING_DESC_F_WRITE, N = VEP_VRING_DESC_F_NEXT,
                 I = VEP_VRING_DESC_F_INDIRECT;
  uint64_t sector = tb_rand_below(&t->rng, (uint32_t)k->capacity - 8);
  uint64_t hdr = out_header(k, sector);
  uint64_t data = tb_blk_buf(k, 4096, 8, VDRV_DMA_DEV_READ);
  uint64_t stat = tb_blk_buf(k, 1, 1, VDRV_DMA_DEV_WRITE);
  tb_blk_fill(k, data, 4096, c + 100);
  bad_snap_t s;
  snap(k, &s);
  uint16_t head = (uint16_t)tb_rand_below(&t->rng, size);
  uint16_t d1 = (uint16_t)((head + 1u + tb_rand_below(&t->rng, size - 2u)) & (size - 1u));
  uint16_t d2 = (uint16_t)((d1 + 1u) & (size - 1u));
  if (d2 == head) {
    d2 = (uint16_t)((d2 + 1u) & (size - 1u));
  }
  uint64_t table = 0;
  switch (c) {
  case BR_HEAD_RANGE:
  case BR_HEAD_FFFF:
    put_desc(k, D, head, hdr, 16, N, d1);
    put_desc(k, D, d1, stat, 1, W, 0);
    head = c == BR_HEAD_RANGE ? size : 0xFFFF;
    break;
  case BR_NEXT_RANGE:
    put_desc(k, D, head, hdr, 16, N, d1);
    put_desc(k, D, d1, data, 512, N, (uint16_t)(size + tb_rand_below(&t->rng, 100)));
    break;
  case BR_LOOP:
    put_desc(k, D, head, hdr, 16, N, d1);
    put_desc(k, D, d1, data, 512, N, d2);
    put_desc(k, D, d2, data + 512, 512, N, d1);
    break;
  case BR_IND_FEATURE:
  case BR_IND_NESTED:
  case BR_IND_NEXT:
  case BR_IND_LEN0:
  case BR_IND_LEN24:
  case BR_IND_NEXT_RANGE:
  case BR_IND_LOOP:
  case BR_TOO_MANY: {
    unsigned n = c == BR_TOO_MANY ? t->cfg.params.BLK_SEG_MAX + 3u : 4u;
    table = tb_blk_buf(k, 16u * n, 16, VDRV_DMA_DEV_READ);
    put_desc(k, table, 0, hdr, 16, N, 1);
    for (unsigned i = 1; i + 1 < n; i++) {
      put_desc(k, table, i, data + 8u * i, 8, N, (uint16_t)(i + 1));
    }
    put_desc(k, table, n - 1, stat, 1, W, 0);
    uint32_t tlen = 16u * n;
    uint16_t f = I;
    if (c == BR_IND_NESTED) {
      uint64_t t2 = tb_blk_buf(k, 32, 16, VDRV_DMA_DEV_READ);
      put_desc(k, t2, 0, hdr, 16, N, 1);
      put_desc(k, t2, 1, stat, 1, W, 0);
      put_desc(k, table, 1, t2, 32, I, 0);
      tlen = 32;
    } else if (c == BR_IND_NEXT) {
      f = I | N;
      put_desc(k, D, d1, stat, 1, W, 0);
    } else if (c == BR_IND_LEN0) {
      tlen = 0;
    } else if (c == BR_IND_LEN24) {
      tlen = 24;
    } else if (c == BR_IND_NEXT_RANGE) {
      put_desc(k, table, 1, data, 8, N, (uint16_t)n);
    } else if (c == BR_IND_LOOP) {
      put_desc(k, table, 2, data, 8, N, 1);
    }
    put_desc(k, D, head, table, tlen, f, d1);
    break;
  }
  case BR_ZERO_LEN:
    put_desc(k, D, head, hdr, 16, N, d1);
    put_desc(k, D, d1, data, 0, N, d2);
    put_desc(k, D, d2, stat, 1, W, 0);
    break;
  case BR_READ_AFTER_WRITE:
    put_desc(k, D, head, hdr, 16, N, d1);
    put_desc(k, D, d1, stat, 1, W | N, d2);
    put_desc(k, D, d2, data, 512, R, 0);
    break;
  case BR_BYTES_R:
    /* 16 + 2^31 + 2^31 readable bytes nowhere: the device must fail before any DMA. */
    put_desc(k, D, head, hdr, 16, N, d1);
    put_desc(k, D, d1, BAD_NOWHERE, 0x80000000u, N, d2);
    put_desc(k, D, d2, BAD_NOWHERE + 0x80000000u, 0x80000000u, R, 0);
    break;
  case BR_BYTES_W:
    put_desc(k, D, head, hdr, 16, N, d1);
    put_desc(k, D, d1, BAD_NOWHERE, 0xFFFFFFFFu, W | N, d2);
    put_desc(k, D, d2, stat, 1, W, 0);
    break;
  case BR_BLK_SHORT_HDR:
    put_desc(k, D, head, hdr, 8, N, d1);
    put_desc(k, D, d1, stat, 1, W, 0);
    break;
  case BR_BLK_NO_STATUS:
    put_desc(k, D, head, hdr, 16, N, d1);
    put_desc(k, D, d1, data, 512, R, 0);
    break;
  case BR_AVAIL_JUMP:
    put_desc(k, D, head, hdr, 16, N, d1);
    put_desc(k, D, d1, stat, 1, W, 0);
    put16(k, vq->avail + VDRV_VRING_AVAIL_RING(vq->avail_idx & (size - 1u)), head);
    vq->avail_idx = (uint16_t)(vq->avail_idx + size + 1u);
    put16(k, vq->avail + VDRV_VRING_IDX, vq->avail_idx);
    notify(k, 0);
    break;
  }
  if (c != BR_AVAIL_JUMP) {
    publish(k, head);
  }
  expect_needs_reset(k, &s, 4000, what, 0);
  /* The bad chain was never executed: the status byte is untouched, the disk unchanged. */
  uint8_t sb = 0xAA;
  tb_blk_get(k, stat, &sb, 1);
  TB_CHECK_EQ_CTX(t, sb, 0, "%s: status byte", what);
  tb_blk_check_disk(k);
  recover(k, what);
}

TB_TEST(blk_bad_ring, "malformed descriptor chains and avail rings built by hand (every "
                      "VEP_ERR_* of vq_fetch, missing blk headers): DEVICE_NEEDS_RESET, config "
                      "interrupt, no stray DMA, recovery by reset") {
  tb_blk_t k;
  tb_blk_opts(&k, VDRV_BLK_IRQ_MSIX, 0);
  /* 16 entries: a loop is found (16 descriptors) before the segment limit (66). */
  k.o.queue_size = 16;
  tb_blk_open(t, &k, &k.o);
  TB_REQUIRE(t, k.b.indirect, "INDIRECT_DESC negotiated");
  for (unsigned c = 0; c < BR_NCASES; c++) {
    if (c == BR_IND_FEATURE) {
      k.b.opts.refuse_features |= 1ull << VEP_F_INDIRECT_DESC;
      TB_DRV(t, vdrv_blk_reset(&k.b));
      TB_REQUIRE(t, !k.b.indirect, "INDIRECT_DESC refused");
    }
    bad_ring_case(&k, c);
    if (c == BR_IND_FEATURE) {
      k.b.opts.refuse_features &= ~(1ull << VEP_F_INDIRECT_DESC);
      TB_DRV(t, vdrv_blk_reset(&k.b));
    }
  }
  /* Once more with INTx: the configuration change shows in the ISR. */
  k.b.opts.irq_mode = VDRV_BLK_IRQ_INTX;
  TB_DRV(t, vdrv_blk_reset(&k.b));
  unsigned c = tb_rand_below(&t->rng, BR_NCASES);
  bad_ring_case(&k, c == BR_IND_FEATURE ? BR_LOOP : c);
  tb_blk_close(&k);
}

/* ---- blk_dma_err ---- */

typedef struct bad_cpl {
  int done;
  vdrv_blk_cpl_t cpl;
} bad_cpl_t;

static void bad_cb(void *cookie, const vdrv_blk_cpl_t *cpl)
{
  bad_cpl_t *c = cookie;
  c->done++;
  c->cpl = *cpl;
}

/* Submits one OUT of the segment on queue 0 (kicked); its completion lands in *c. */
static void submit_out(tb_blk_t *k, uint64_t sector, const vdrv_virtq_seg_t *seg, bad_cpl_t *c)
{
  memset(c, 0, sizeof *c);
  vdrv_blk_io_t io = {.type = VEP_BLK_T_OUT, .sector = sector, .seg = seg, .nseg = 1};
  TB_DRV(k->t, vdrv_blk_submit(&k->b, 0, &io, bad_cb, c));
}

enum {
  DE_DATA, DE_HDR, DE_DESC, DE_AVAIL, DE_AVAIL_IDX, DE_USED_EVENT, DE_AVAIL_FLAGS, DE_NTARGETS
};
static const char *const de_target[DE_NTARGETS] = {
    "OUT data buffer", "request header", "descriptor table", "avail ring entries", "avail.idx",
    "used_event", "avail.flags"};
static const char *const de_kind[5] = {"none", "UR", "CA", "poisoned CplD", "dropped (timeout)"};

static void dma_err_case(tb_blk_t *k, unsigned target, unsigned kind)
{
  tb_t *t = k->t;
  char what[96];
  snprintf(what, sizeof what, "%s on the %s", de_kind[kind], de_target[target]);
  vdrv_virtq_t *vq = vq0(k);
  uint32_t len = 512u * (1u + tb_rand_below(&t->rng, 8));
  uint64_t sector = tb_rand_below(&t->rng, (uint32_t)(k->capacity - len / 512u));
  uint64_t data = tb_blk_buf(k, len, 8, VDRV_DMA_DEV_READ);
  tb_blk_fill(k, data, len, tb_rand32(&t->rng));
  vdrv_virtq_seg_t seg = {data, len};
  uint64_t fa = 0, fl = 0;
  switch (target) {
  case DE_DATA: {
    /* Some 8-byte-aligned part of the data: the parts before it may reach the backend. */
    uint32_t off = 8u * tb_rand_below(&t->rng, len / 8u);
    fa = data + off;
    fl = 8u + 8u * tb_rand_below(&t->rng, (len - off) / 8u);
    break;
  }
  case DE_HDR:
    fa = k->b.q[0].hdrs;
    fl = 16u * vq->size;
    break;
  case DE_DESC:
    fa = vq->desc;
    fl = VDRV_VRING_DESC_BYTES(vq->size);
    break;
  case DE_AVAIL:
    fa = vq->avail + VDRV_VRING_AVAIL_RING(0);
    fl = 2u * vq->size;
    break;
  case DE_AVAIL_IDX:
    fa = vq->avail + VDRV_VRING_IDX;
    fl = 2;
    break;
  case DE_USED_EVENT:
    fa = vq->avail + VDRV_VRING_USED_EVENT(vq->size);
    fl = 2;
    break;
  case DE_AVAIL_FLAGS:
    fa = vq->avail;
    fl = 2;
    break;
  }
  TB_DRV(t, cosim_set_dma_fault(t->sim, fa, fl, kind));
  uint64_t hits = cosim_dma_faults_hit(t->sim);
  bad_snap_t s;
  snap(k, &s);
  cosim_blkport_stats_t b0, b1;
  cosim_blk_stats(t->sim, &b0);
  bad_cpl_t c;
  submit_out(k, sector, &seg, &c);
  /* Each dropped MRd times out in turn once it is the oldest tag: a faulty range over several
   * 512-byte reads of one buffer takes that many timeouts. */
  const uint64_t max = VEP_CPL_TIMEOUT_CYCLES * (2u + (fl + 1022u) / 512u) + 20000u;
  if (target == DE_DATA || target == DE_HDR) {
    /* A data error: status IOERR, the device carries on. */
    uint64_t start = cosim_cycles(t->sim);
    while (!c.done && cosim_cycles(t->sim) - start < max) {
      int rc = vdrv_blk_wait(&k->b, max);
      TB_REQUIRE(t, rc >= 0, "%s: vdrv_blk_wait %d", what, rc);
    }
    TB_REQUIRE(t, c.done == 1, "%s: the request did not complete", what);
    TB_CHECK_EQ_CTX(t, c.cpl.status, VEP_BLK_S_IOERR, "%s: status byte", what);
    TB_CHECK_EQ_CTX(t, c.cpl.len, 1, "%s: used length", what);
    TB_CHECK(t, !(tb_status_rd(t) & VEP_STATUS_DEVICE_NEEDS_RESET),
             "%s: a data error must not need a reset", what);
    TB_CHECK(t, cosim_blk_idle(t->sim), "%s: backend still busy", what);
    cosim_blk_stats(t->sim, &b1);
    if (target == DE_DATA) {
      TB_CHECK_EQ_CTX(t, b1.req_out - b0.req_out, 1, "%s: OUT requests at the backend", what);
      TB_CHECK_EQ_CTX(t, b1.aborted - b0.aborted, 1, "%s: aborted OUT data", what);
      TB_CHECK_EQ_CTX(t, b1.bytes_written - b0.bytes_written, 0, "%s: bytes written", what);
    } else {
      TB_CHECK_EQ_CTX(t, b1.requests - b0.requests, 0, "%s: backend requests", what);
    }
  } else {
    /* A ring access failed: DEVICE_NEEDS_RESET. */
    expect_needs_reset(k, &s, max, what, target >= DE_USED_EVENT ? 1 : 0);
    if (target >= DE_USED_EVENT) {
      /* The request was done (used element written) before the suppression read failed. */
      uint64_t w = cosim_cycles(t->sim);
      while (!cosim_blk_idle(t->sim) && cosim_cycles(t->sim) - w < 10000) {
        tb_run(t, 64);
      }
      cosim_blk_stats(t->sim, &b1);
      TB_CHECK_EQ_CTX(t, b1.bytes_written - b0.bytes_written, len, "%s: bytes written", what);
      tb_blk_shadow_write(k, sector, &seg, 1);
    }
  }
  TB_CHECK(t, cosim_dma_faults_hit(t->sim) > hits, "%s: the fault was never met", what);
  tb_blk_check_disk(k);
  TB_DRV(t, cosim_set_dma_fault(t->sim, fa, fl, COSIM_DMA_FAULT_NONE));
  if (target == DE_DATA || target == DE_HDR) {
    /* No reset needed: the next request works (a reset is still done every other time). */
    uint64_t r = tb_blk_buf(k, len, 8, VDRV_DMA_DEV_WRITE);
    vdrv_virtq_seg_t rs = {r, len};
    TB_DRV(t, vdrv_blk_write(&k->b, 0, sector, &seg, 1));
    tb_blk_shadow_write(k, sector, &seg, 1);
    TB_DRV(t, vdrv_blk_read(&k->b, 0, sector, &rs, 1));
    tb_blk_check_read(k, sector, &rs, 1, what);
    if (kind & 1) {
      recover(k, what);
    }
  } else {
    recover(k, what);
  }
}

TB_TEST(blk_dma_err, "UR, CA, poisoned and dropped completions on OUT data (IOERR, backend "
                     "aborted), the header (IOERR), descriptors, avail ring and index, "
                     "used_event and avail.flags (DEVICE_NEEDS_RESET); recovery after each") {
  tb_blk_t k;
  tb_blk_open(t, &k, NULL);
  TB_REQUIRE(t, k.b.event_idx, "EVENT_IDX negotiated");
  for (unsigned target = 0; target < DE_NTARGETS; target++) {
    if (target == DE_AVAIL_FLAGS) {
      k.b.opts.refuse_features |= 1ull << VEP_F_EVENT_IDX;
      TB_DRV(t, vdrv_blk_reset(&k.b));
      TB_REQUIRE(t, !k.b.event_idx, "EVENT_IDX refused");
    }
    for (unsigned kind = COSIM_DMA_FAULT_UR; kind <= COSIM_DMA_FAULT_DROP; kind++) {
      dma_err_case(&k, target, kind);
    }
  }
  tb_blk_close(&k);
}

/* ---- Writes interrupted by a reset or by Bus Master off ---- */

#define BATCH_MAX 32u

typedef struct batch {
  unsigned n;
  uint64_t sector[BATCH_MAX];
  vdrv_virtq_seg_t seg[BATCH_MAX];
  bad_cpl_t cpl[BATCH_MAX];
} batch_t;

/* n writes of 1..8 sectors at disjoint places (16-sector strides from a random base), spread
 * over the queues, made available without a kick, then kicked. */
static void batch_submit(tb_blk_t *k, batch_t *bt, unsigned n)
{
  tb_t *t = k->t;
  memset(bt, 0, sizeof *bt);
  bt->n = n;
  uint64_t base = tb_rand_below(&t->rng, (uint32_t)(k->capacity - 16u * n));
  for (unsigned i = 0; i < n; i++) {
    uint32_t len = 512u * (1u + tb_rand_below(&t->rng, 8));
    bt->sector[i] = base + 16u * i + tb_rand_below(&t->rng, 16u - len / 512u + 1u);
    bt->seg[i] = (vdrv_virtq_seg_t){tb_blk_buf(k, len, 8, VDRV_DMA_DEV_READ), len};
    tb_blk_fill(k, bt->seg[i].addr, len, tb_rand32(&t->rng));
    vdrv_blk_io_t io = {.type = VEP_BLK_T_OUT, .sector = bt->sector[i], .seg = &bt->seg[i],
                        .nseg = 1, .flags = VDRV_BLK_IO_NO_KICK};
    TB_DRV(t, vdrv_blk_submit(&k->b, i % k->b.nq, &io, bad_cb, &bt->cpl[i]));
  }
  for (unsigned q = 0; q < k->b.nq; q++) {
    vdrv_blk_kick(&k->b, q);
  }
}

/* Each interrupted write left its sectors either as they were (the shadow) or as written, as a
 * whole, nothing else; the shadow then takes what the disk holds. Returns how many were new. */
static unsigned batch_check_old_or_new(tb_blk_t *k, const batch_t *bt, const char *what)
{
  tb_t *t = k->t;
  unsigned nnew = 0;
  for (unsigned i = 0; i < bt->n; i++) {
    uint32_t len = bt->seg[i].len;
    int holds = tb_blk_disk_old_or_new(k, bt->sector[i], &bt->seg[i], 1);
    int is_old = (holds & TB_BLK_DISK_OLD) != 0, is_new = (holds & TB_BLK_DISK_NEW) != 0;
    TB_CHECK(t, is_old || is_new,
             "%s: write %u (sector %llu, %u bytes, completion %d/%d) left the disk neither old "
             "nor new", what, i, (unsigned long long)bt->sector[i], len, bt->cpl[i].done,
             bt->cpl[i].cpl.result);
    if (bt->cpl[i].done && bt->cpl[i].cpl.result == 0) {
      TB_CHECK(t, is_new, "%s: write %u completed OK but the disk does not hold it", what, i);
    }
    if (!is_old) {
      nnew++;
      tb_blk_shadow_write(k, bt->sector[i], &bt->seg[i], 1);
    }
  }
  tb_blk_check_disk(k);
  return nnew;
}

/* New data over every range of the batch, each read back; the disk holds exactly that once the
 * backend is idle (no write from before the reset may land over it). */
static void batch_rewrite(tb_blk_t *k, const batch_t *bt, const char *what)
{
  tb_t *t = k->t;
  static bad_cpl_t wc[BATCH_MAX], rc[BATCH_MAX];
  vdrv_virtq_seg_t ws[BATCH_MAX], rs[BATCH_MAX];
  memset(wc, 0, sizeof wc);
  memset(rc, 0, sizeof rc);
  for (int pass = 0; pass < 2; pass++) {
    for (unsigned i = 0; i < bt->n; i++) {
      uint32_t len = bt->seg[i].len;
      if (pass == 0) {
        ws[i] = (vdrv_virtq_seg_t){tb_blk_buf(k, len, 8, VDRV_DMA_DEV_READ), len};
        rs[i] = (vdrv_virtq_seg_t){tb_blk_buf(k, len, 8, VDRV_DMA_DEV_WRITE), len};
        tb_blk_fill(k, ws[i].addr, len, tb_rand32(&t->rng));
      }
      vdrv_blk_io_t io = {.type = pass ? VEP_BLK_T_IN : VEP_BLK_T_OUT, .sector = bt->sector[i],
                          .seg = pass ? &rs[i] : &ws[i], .nseg = 1};
      int r;
      while ((r = vdrv_blk_submit(&k->b, i % k->b.nq, &io, bad_cb, pass ? &rc[i] : &wc[i])) ==
             -ENOSPC) {
        TB_DRV(t, vdrv_blk_wait(&k->b, 0));
      }
      TB_DRV(t, r);
    }
    bad_cpl_t *cs = pass ? rc : wc;
    for (unsigned i = 0; i < bt->n; i++) {
      while (!cs[i].done) {
        TB_DRV(t, vdrv_blk_wait(&k->b, 0));
      }
      TB_CHECK(t, cs[i].cpl.result == 0, "%s: %s %u after the reset: %d", what,
               pass ? "read" : "write", i, cs[i].cpl.result);
      if (pass == 0) {
        tb_blk_shadow_write(k, bt->sector[i], &ws[i], 1);
      }
    }
  }
  for (unsigned i = 0; i < bt->n; i++) {
    tb_blk_check_read(k, bt->sector[i], &rs[i], 1, what);
  }
  tb_blk_wait_backend_idle(k, what);
  tb_blk_check_disk(k);
}

TB_TEST(blk_reset_inflight, "device reset with many writes in flight at a slow backend: no "
                            "DMA after the reset, each write old or new as a whole, no stale "
                            "write over newer data, a full write/read pass afterwards") {
  cosim_cfg_t c = t->cfg;
  c.blk_latency = 100;
  c.blk_jitter = 12000;
  tb_reconfigure(t, &c);
  tb_blk_t k;
  tb_blk_open(t, &k, NULL);
  batch_t bt;
  unsigned nnew = 0, ncancel = 0;
  for (unsigned round = 0; round < 4; round++) {
    char what[64];
    snprintf(what, sizeof what, "round %u", round);
    batch_submit(&k, &bt, 16u + tb_rand_below(&t->rng, BATCH_MAX - 15u));
    /* Reset once a few writes are at the backend (and more are in the device or the ring). */
    unsigned want = 2u + tb_rand_below(&t->rng, 3);
    cosim_blkport_stats_t st0;
    uint64_t w0 = cosim_cycles(t->sim);
    do {
      tb_run(t, 16);
      cosim_blk_stats(t->sim, &st0);
    } while (st0.outstanding < want && cosim_cycles(t->sim) - w0 < 20000);
    TB_CHECK(t, st0.outstanding >= want, "%s: only %u writes reached the backend", what,
             st0.outstanding);
    tb_run(t, tb_rand_below(&t->rng, 64));
    if (round % 2 == 1) {
      /* The reset by hand first: status 0, then read until it reads 0. */
      tb_bar_wr(t, TB_COMMON(VEP_COMMON_STATUS), 1, 0);
      uint64_t w = cosim_cycles(t->sim);
      while (tb_status_rd(t) != 0 && cosim_cycles(t->sim) - w < 100000) {
      }
      TB_REQUIRE(t, tb_status_rd(t) == 0, "%s: device_status does not read 0", what);
    }
    if (round % 2 == 1) {
      /* The reset is complete: no write from before it may still take effect at the disk
       * (it could land over data written after the reset, as the rewrite below shows). */
      cosim_blkport_stats_t st;
      cosim_blk_stats(t->sim, &st);
      TB_CHECK(t, st.outstanding == 0,
               "%s: device_status reads 0 (reset complete) while the backend still has %u "
               "request(s) from before the reset outstanding", what, st.outstanding);
    }
    TB_DRV(t, vdrv_blk_reset(&k.b));
    for (unsigned i = 0; i < bt.n; i++) {
      TB_CHECK(t, bt.cpl[i].done == 1, "%s: write %u completed %d times", what, i,
               bt.cpl[i].done);
      ncancel += bt.cpl[i].cpl.result == -ECANCELED;
    }
    if (round % 2 == 0) {
      /* Let what the backend still had finish: old or new data, nothing else. */
      tb_blk_wait_backend_idle(&k, what);
      nnew += batch_check_old_or_new(&k, &bt, what);
      batch_rewrite(&k, &bt, what);
    } else {
      /* Straight on: new writes over the same sectors while the backend may still hold writes
       * from before the reset. */
      batch_rewrite(&k, &bt, what);
    }
  }
  TB_CHECK(t, ncancel > 0, "no request was in flight at any reset");
  (void)nnew;
  tb_blk_close(&k);
}

TB_TEST(blk_bus_master_off, "Bus Master cleared with writes pending at a slow backend and a "
                            "doorbell rung: not one MRd/MWr (nor MSI-X) from the device; "
                            "DEVICE_NEEDS_RESET; after re-enabling and a reset it works") {
  cosim_cfg_t c = t->cfg;
  c.blk_latency = 800;
  c.blk_jitter = 800;
  tb_reconfigure(t, &c);
  tb_blk_t k;
  tb_blk_open(t, &k, NULL);
  batch_t bt;
  batch_submit(&k, &bt, 12u + tb_rand_below(&t->rng, 12));
  tb_run(t, 100u + tb_rand_below(&t->rng, 600));
  uint32_t cmd = tb_cfg_rd(t, VEP_CFG_COMMAND, 2);
  TB_REQUIRE(t, cmd & VEP_CMD_BUS_MASTER, "Bus Master enabled by the driver");
  tb_cfg_wr(t, VEP_CFG_COMMAND, 2, cmd & ~VEP_CMD_BUS_MASTER);
  /* From the completion of that write on, nothing the device sends may be a memory request
   * (the checker reports one against Bus Master Enable 0); count them too. */
  cosim_vmon_stats_t v0, v1;
  cosim_vmon_stats(t->sim, &v0);
  uint64_t msi0 = k.b.irqs + k.b.stray_irqs;
  unsigned inflight = vdrv_blk_inflight(&k.b, 0);
  /* More work: a hand-made notify on every queue. */
  for (unsigned q = 0; q < k.b.nq; q++) {
    notify(&k, q);
  }
  uint64_t w = cosim_cycles(t->sim);
  while (!cosim_blk_idle(t->sim) && cosim_cycles(t->sim) - w < 100000) {
    tb_run(t, 64);
  }
  tb_run(t, 2000);
  cosim_vmon_stats(t->sim, &v1);
  TB_CHECK_EQ_CTX(t, v1.dev_reads - v0.dev_reads, 0, "device reads with Bus Master off");
  TB_CHECK_EQ_CTX(t, v1.dev_writes - v0.dev_writes, 0, "device writes with Bus Master off");
  TB_CHECK_EQ_CTX(t, k.b.irqs + k.b.stray_irqs - msi0, 0, "MSI-X messages with Bus Master off");
  uint8_t st = tb_status_rd(t);
  TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_NUMQ), 2), t->cfg.params.NUM_QUEUES,
                  "num_queues with Bus Master off");
  if (inflight > 0) {
    TB_CHECK(t, st & VEP_STATUS_DEVICE_NEEDS_RESET,
             "device_status 0x%02x: requests in flight could not finish without Bus Master, "
             "yet no DEVICE_NEEDS_RESET", st);
  }
  tb_cfg_wr(t, VEP_CFG_COMMAND, 2, cmd);
  TB_DRV(t, vdrv_blk_reset(&k.b));
  tb_blk_wait_backend_idle(&k, "after Bus Master off");
  batch_check_old_or_new(&k, &bt, "after Bus Master off");
  batch_rewrite(&k, &bt, "after Bus Master off");
  tb_blk_close(&k);
}

/* ---- blk_reset_vs_error ---- */

/* A device reset written around the cycle a malformed chain raises its error, swept cycle by
 * cycle (64..175 cycles after the doorbell): the reset must always complete (device_status
 * reads 0, not DEVICE_NEEDS_RESET). An error raised in the very cycle the reset was written
 * once survived it (fuzz_tlp's finding fuzz/findings/status-0x40-after-reset.bin): the
 * driver's reset handshake never finished. */
enum { RE_SHORT_HEADER, RE_HEADER_ONLY, RE_ZERO_LEN };

static void reset_vs_error_sweep(tb_blk_t *k, unsigned chain, const char *what)
{
  tb_t *t = k->t;
  const uint16_t W = VEP_VRING_DESC_F_WRITE, N = VEP_VRING_DESC_F_NEXT;
  uint64_t hdr = out_header(k, 0);
  uint64_t data = tb_blk_buf(k, 512, 8, VDRV_DMA_DEV_READ);
  uint64_t stat = tb_blk_buf(k, 1, 1, VDRV_DMA_DEV_WRITE);
  /* Resets that came after the error was raised (it sent the configuration interrupt) and
   * before it; the sweep must see both. */
  unsigned raised = 0, not_raised = 0;
  for (unsigned d = 64; d < 176; d++) {
    const uint64_t D = vq0(k)->desc;
    if (chain == RE_SHORT_HEADER) {
      /* vep_blk's checks (VEP_ERR_BLK_HEADERS): an 8-byte header; no status byte. */
      put_desc(k, D, 0, hdr, 8, N, 1);
      put_desc(k, D, 1, stat, 1, W, 0);
    } else if (chain == RE_HEADER_ONLY) {
      put_desc(k, D, 0, hdr, 16, 0, 0);
    } else {
      /* vq_fetch's check: a zero-length buffer (VEP_ERR_ZERO_LEN). */
      put_desc(k, D, 0, hdr, 16, N, 1);
      put_desc(k, D, 1, data, 0, N, 2);
      put_desc(k, D, 2, stat, 1, W, 0);
    }
    uint64_t irqs = k->b.config_irqs;
    publish(k, 0);
    tb_run(t, d);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_STATUS), 1, 0);
    uint64_t w = cosim_cycles(t->sim);
    uint8_t st;
    while ((st = tb_status_rd(t)) != 0 && cosim_cycles(t->sim) - w < 20000) {
    }
    TB_REQUIRE(t, st == 0, "%s, reset written %u cycles after the doorbell: device_status "
               "reads 0x%02x long after the reset", what, d, st);
    if (k->b.config_irqs != irqs) raised++;
    else not_raised++;
    TB_DRV(t, vdrv_blk_reset(&k->b));
  }
  TB_CHECK(t, raised > 0 && not_raised > 0, "%s: %u resets after the error was raised, %u "
           "before: the sweep missed the moment of the error", what, raised, not_raised);
  recover(k, what);
}

TB_TEST(blk_reset_vs_error, "a device reset written at every cycle around a ring or blk error, "
                            "at link latencies 1 and 8 (the error of a request being drained "
                            "must not survive the reset: device_status reads 0), then normal "
                            "I/O") {
  /* Latency 1 puts the reset and the error on the same cycle for some delays; latency 8 does
   * not: both are kept, since what meets depends on the pipeline's timing. */
  for (unsigned lat = 1; lat <= 8; lat += 7) {
    cosim_cfg_t c = t->cfg;
    c.link_latency_rx = c.link_latency_tx = lat;
    tb_reconfigure(t, &c);
    tb_blk_t k;
    tb_blk_open(t, &k, NULL);
    reset_vs_error_sweep(&k, RE_SHORT_HEADER, "blk 8-byte header");
    reset_vs_error_sweep(&k, RE_HEADER_ONLY, "blk header without status");
    reset_vs_error_sweep(&k, RE_ZERO_LEN, "zero-length buffer");
    tb_blk_close(&k);
  }
}

/* ---- blk_ring_moved_after_enable ---- */

TB_TEST(blk_ring_moved_after_enable, "the driver rewrites queue size and ring addresses after "
                                     "queue_enable (to memory it never exposed): the device "
                                     "keeps the old ones, reads them back, and I/O works with "
                                     "no access outside the exposed memory") {
  tb_blk_t k;
  tb_blk_opts(&k, VDRV_BLK_IRQ_MSIX, 0);
  k.o.queue_size = 8;  /* a short ring, so that the loop below wraps it */
  tb_blk_open(t, &k, &k.o);
  vdrv_virtq_t *vq = vq0(&k);
  const uint64_t nowhere = BAD_NOWHERE + 0x10000u;
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, 0);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 8, nowhere);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_AVAILLO), 4, (uint32_t)(nowhere + 0x1000u));
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_USEDHI), 4, (uint32_t)((nowhere + 0x2000u) >> 32));
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SIZE), 2, vq->size == 1 ? 2 : 1);
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 8), vq->desc);
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_AVAILLO), 8), vq->avail);
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_USEDLO), 8), vq->used);
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_SIZE), 2), vq->size);
  /* I/O on the rings the driver exposed, without a reset in between; the test fails on any
   * IOMMU or monitor report. */
  uint32_t len = 4096;
  uint64_t w = tb_blk_buf(&k, len, 8, VDRV_DMA_DEV_READ);
  uint64_t r = tb_blk_buf(&k, len, 8, VDRV_DMA_DEV_WRITE);
  tb_blk_fill(&k, w, len, tb_rand32(&t->rng));
  vdrv_virtq_seg_t ws = {w, len}, rs = {r, len};
  for (unsigned i = 0; i < 3u * vq->size; i++) {  /* past the end of the ring, twice */
    uint64_t sector = tb_rand_below(&t->rng, (uint32_t)(k.capacity - len / 512u));
    TB_DRV(t, vdrv_blk_write(&k.b, 0, sector, &ws, 1));
    tb_blk_shadow_write(&k, sector, &ws, 1);
    TB_DRV(t, vdrv_blk_read(&k.b, 0, sector, &rs, 1));
    tb_blk_check_read(&k, sector, &rs, 1, "after the rewrite");
  }
  TB_CHECK_EQ(t, tb_status_rd(t) & VEP_STATUS_DEVICE_NEEDS_RESET, 0);
  tb_blk_check_disk(&k);
  tb_blk_close(&k);
}

/* ---- blk_reset_vs_backend_request ---- */

/* A device reset written at every cycle around the moment vep_blk hands a request to the
 * backend: once device_status reads 0, the backend must hold no request from before the reset
 * (the reset completes only when it has answered them). A request handed over in the very cycle
 * of the reset strobe once escaped that rule (vepfuzz --one 1795520950): the reset read as done
 * while the request was still at the backend, and the driver's next status writes read back 0. */
static void reset_vs_backend_sweep(tb_blk_t *k, uint8_t type, const char *what)
{
  tb_t *t = k->t;
  const uint16_t W = VEP_VRING_DESC_F_WRITE, N = VEP_VRING_DESC_F_NEXT;
  uint64_t hdr = out_header(k, 0);
  uint8_t h0 = type;
  tb_blk_put(k, hdr, &h0, 1);
  uint64_t data = tb_blk_buf(k, 512, 8, type == VEP_BLK_T_IN ? VDRV_DMA_DEV_WRITE
                                                             : VDRV_DMA_DEV_READ);
  uint64_t stat = tb_blk_buf(k, 1, 1, VDRV_DMA_DEV_WRITE);
  /* First the moment itself: doorbell to the backend request, cycle by cycle (the same in every
   * round: the driver's reset puts the rings back as they were). */
  unsigned when = 0;
  const uint64_t D0 = vq0(k)->desc;
  put_desc(k, D0, 0, hdr, 16, N, 1);
  put_desc(k, D0, 1, data, 512, (uint16_t)(N | (type == VEP_BLK_T_IN ? W : 0)), 2);
  put_desc(k, D0, 2, stat, 1, W, 0);
  cosim_blkport_stats_t m0, m1;
  cosim_blk_stats(t->sim, &m0);
  publish(k, 0);
  do {
    tb_run(t, 1);
    cosim_blk_stats(t->sim, &m1);
  } while (m1.requests == m0.requests && ++when < 5000);
  TB_REQUIRE(t, m1.requests != m0.requests, "%s: no backend request", what);
  TB_DRV(t, vdrv_blk_reset(&k->b));
  unsigned at_backend = 0, not_yet = 0;
  for (unsigned d = when > 16 ? when - 16 : 0; d < when + 16; d++) {
    const uint64_t D = vq0(k)->desc;
    put_desc(k, D, 0, hdr, 16, N, 1);
    put_desc(k, D, 1, data, 512, (uint16_t)(N | (type == VEP_BLK_T_IN ? W : 0)), 2);
    put_desc(k, D, 2, stat, 1, W, 0);
    cosim_blkport_stats_t b0, b1;
    cosim_blk_stats(t->sim, &b0);
    publish(k, 0);
    tb_run(t, d);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_STATUS), 1, 0);
    uint64_t w = cosim_cycles(t->sim);
    uint8_t st;
    while ((st = tb_status_rd(t)) != 0 && cosim_cycles(t->sim) - w < 20000) {
    }
    TB_REQUIRE(t, st == 0, "%s, reset %u cycles after the doorbell: device_status 0x%02x",
               what, d, st);
    cosim_blk_stats(t->sim, &b1);
    TB_REQUIRE(t, b1.outstanding == 0, "%s, reset written %u cycles after the doorbell: "
               "device_status reads 0 (reset complete) while the backend holds %u request(s) "
               "from before it", what, d, b1.outstanding);
    if (b1.requests != b0.requests) at_backend++;
    else not_yet++;
    TB_DRV(t, vdrv_blk_reset(&k->b));
  }
  TB_CHECK(t, at_backend > 0 && not_yet > 0, "%s: %u resets after the request reached the "
           "backend, %u before: the sweep missed the moment", what, at_backend, not_yet);
}

TB_TEST(blk_reset_vs_backend_request, "a device reset written at every cycle around the moment "
                                      "a request reaches the backend, at link latencies 1 and "
                                      "8: device_status reads 0 only once the backend holds no "
                                      "request from before the reset; then normal I/O") {
  for (unsigned lat = 1; lat <= 8; lat += 7) {
    cosim_cfg_t c = t->cfg;
    c.link_latency_rx = c.link_latency_tx = lat;
    c.blk_latency = 300;  /* the request stays at the backend well past the reset */
    c.blk_jitter = 0;
    tb_reconfigure(t, &c);
    tb_blk_t k;
    tb_blk_open(t, &k, NULL);
    reset_vs_backend_sweep(&k, VEP_BLK_T_IN, "IN");
    reset_vs_backend_sweep(&k, VEP_BLK_T_OUT, "OUT");
    recover(&k, "after the sweeps");
    tb_blk_close(&k);
  }
}

/* ---- blk_bus_number_vs_dma_write ---- */

typedef struct busnum_done {
  int n, result;
} busnum_done_t;

static void busnum_cb(void *cookie, const vdrv_blk_cpl_t *cpl)
{
  busnum_done_t *d = cookie;
  d->n++;
  d->result = cpl->result;
}

/* Submits the read `io` on queue 0 and runs until the backend has taken it. */
static void busnum_start(tb_blk_t *k, const vdrv_blk_io_t *io, busnum_done_t *done)
{
  tb_t *t = k->t;
  cosim_blkport_stats_t b0, b1;
  cosim_blk_stats(t->sim, &b0);
  *done = (busnum_done_t){0, 0};
  TB_DRV(t, vdrv_blk_submit(&k->b, 0, io, busnum_cb, done));
  unsigned waited = 0;
  do {
    tb_run(t, 1);
    cosim_blk_stats(t->sim, &b1);
  } while (b1.requests == b0.requests && ++waited < 5000);
  TB_REQUIRE(t, b1.requests != b0.requests, "the read did not reach the backend");
}

/* A CfgWr0 at every cycle of a 1 KiB read's writes (data, status, used ring, MSI-X): `bme_off`
 * 0 gives the endpoint a new bus/device number (INTERRUPT_LINE written at another BDF), 1
 * clears Bus Master Enable (and sets it again after the completion). Every TLP is checked by
 * the bus model's checker as it goes (the test fails on any report): no request with the old
 * number, no memory request at all, after the completion of the CfgWr0. Each read completes
 * with the right data or the device asks for a reset: a read-ahead MRd in flight at a number
 * change is answered to the old number, which the device no longer takes as its own (a real
 * switch would not even deliver it), and writes dropped with Bus Master off fail the request
 * (a ring write: the device asks for a reset; the status byte: the driver sees it unwritten). */
static void cfgwr_vs_read_sweep(tb_t *t, int bme_off)
{
  tb_blk_t k;
  tb_blk_opts(&k, VDRV_BLK_IRQ_MSIX, 0);
  tb_blk_open(t, &k, &k.o);
  const uint32_t len = 1024;
  uint64_t w = tb_blk_buf(&k, len, 8, VDRV_DMA_DEV_READ);
  uint64_t r = tb_blk_buf(&k, len, 8, VDRV_DMA_DEV_WRITE);
  tb_blk_fill(&k, w, len, tb_rand32(&t->rng));
  vdrv_virtq_seg_t ws = {w, len}, rs = {r, len};
  TB_DRV(t, vdrv_blk_write(&k.b, 0, 0, &ws, 1));
  tb_blk_shadow_write(&k, 0, &ws, 1);
  vdrv_blk_io_t io = {VEP_BLK_T_IN, 0, &rs, 1, 0};
  busnum_done_t done;
  const char *what = bme_off ? "Bus Master off" : "a new bus/device number";

  /* The window: from the backend taking the request to the used element in host memory. */
  uint16_t idx0 = tb_blk_get16(&k, vq0(&k)->used + VDRV_VRING_IDX);
  busnum_start(&k, &io, &done);
  unsigned window = 0;
  while (tb_blk_get16(&k, vq0(&k)->used + VDRV_VRING_IDX) == idx0 && window < 20000) {
    tb_run(t, 1);
    window++;
  }
  TB_REQUIRE(t, window < 20000, "the read did not complete");
  TB_DRV(t, vdrv_blk_wait(&k.b, 0));
  TB_REQUIRE(t, done.n == 1 && done.result == 0, "the first read: result %d", done.result);

  cosim_tlp_t req, cpl;
  const uint16_t cmd_on = VEP_CMD_MEM_EN | VEP_CMD_BUS_MASTER;
  unsigned completed = 0, reset = 0;
  for (unsigned d = 0; d < window + 8; d++) {
    uint16_t bdf = bme_off ? t->bdf : VDRV_BDF(0x20u + (d % 8u), d % 32u, 0);
    busnum_start(&k, &io, &done);
    tb_run(t, d);
    if (bme_off) {
      cosim_tlp_cfg(&req, 1, COSIM_RC_ID, (uint16_t)(0x80u + d % 64u), bdf, VEP_CFG_COMMAND, 2,
                    VEP_CMD_MEM_EN);
    } else {
      cosim_tlp_cfg(&req, 1, COSIM_RC_ID, (uint16_t)(0x80u + d % 64u), bdf, VEP_CFG_INT_LINE,
                    1, d & 0xFFu);
    }
    tb_send_tlp(t, &req, &cpl);
    TB_CHECK_EQ_CTX(t, cpl.cpl_id, bdf & 0xFFF8u, "%s %u cycles after the backend took the read",
                    what, d);
    if (bme_off) tb_cfg_wr(t, VEP_CFG_COMMAND, 2, cmd_on);
    int rc = 0;
    while (done.n == 0 && rc >= 0) rc = vdrv_blk_wait(&k.b, 0);
    /* -EPROTO: the status byte's MWr was dropped with Bus Master off (not a ring access, so no
     * device error), and the driver found its status byte unwritten. */
    if (rc == -EIO || (done.n && (done.result == -EIO || (bme_off && done.result == -EPROTO)))) {
      TB_DRV(t, vdrv_blk_reset(&k.b));
      reset++;
      continue;
    }
    TB_REQUIRE(t, rc >= 0 && done.result == 0, "%s %u cycles after the backend took the read: "
               "wait %d, result %d", what, d, rc, done.result);
    tb_blk_check_read(&k, 0, &rs, 1, what);
    completed++;
  }
  printf("  %s: %s at %u points: %u reads completed, %u needed a reset\n", t->test->name,
         what, window + 8, completed, reset);
  TB_CHECK(t, completed > 0 && (bme_off || completed > window / 2),
           "%u of %u reads completed (%u resets)", completed, window + 8, reset);
  /* Back to the real number, a reset (a read-ahead may have been in flight again), then normal
   * I/O. */
  cosim_tlp_cfg(&req, 1, COSIM_RC_ID, 0x7F, t->bdf, VEP_CFG_INT_LINE, 1, 0);
  tb_send_tlp(t, &req, &cpl);
  TB_CHECK_EQ(t, cpl.cpl_id, t->bdf & 0xFFF8u);
  TB_DRV(t, vdrv_blk_reset(&k.b));
  TB_DRV(t, vdrv_blk_read(&k.b, 0, 0, &rs, 1));
  tb_blk_check_read(&k, 0, &rs, 1, "back at the real bus/device number");
  tb_blk_close(&k);
}

TB_TEST(blk_bus_number_vs_dma_write, "a CfgWr0 gives the endpoint a new bus/device number at "
                                     "every cycle of a 1 KiB read's writes: no request leaves "
                                     "with the old number after the CfgWr0's completion; each "
                                     "read completes, or the device asks for a reset") {
  cfgwr_vs_read_sweep(t, 0);
}

TB_TEST(blk_bus_master_off_vs_dma_write, "Bus Master Enable cleared at every cycle of a 1 KiB "
                                         "read's writes: no memory request leaves after the "
                                         "completion of that CfgWr0; each read completes, or "
                                         "the device asks for a reset; then normal I/O") {
  cfgwr_vs_read_sweep(t, 1);
}
