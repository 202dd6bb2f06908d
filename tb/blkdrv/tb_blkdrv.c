/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtio-blk driver (driver/vdrv_blk.c) over the simulated bus, before the endpoint has a
 * data path. The transport (features, configuration, queue registers, MSI-X table, status) is
 * the real endpoint's; the data path is a device written here (fb_*), which sits in the
 * driver's bus as a thin wrapper around the simulated one:
 * - doorbell writes are taken by the fake and not forwarded (so a data path that arrives in the
 *   endpoint later stays idle in these tests);
 * - every bus delay (the driver's wait loops) lets the fake work: it walks the avail rings
 *   where the endpoint's registers say, executes virtio-blk requests against a disk image in
 *   host memory (not exposed to the device), writes used elements and, as the driver's
 *   suppression asks, interrupts: an MSI-X message built from the endpoint's MSI-X table to the
 *   handler the driver installed, or the ISR bit for INTx;
 * - it can inject DEVICE_NEEDS_RESET (ORed into device_status reads, with a configuration
 *   interrupt), force statuses, used lengths and ids, or stop answering.
 * Every device access to a ring or buffer goes through the permission map (cosim_hmem_check),
 * so memory exposed in the wrong direction fails the test as the IOMMU would.
 */
#include <errno.h>
#include <string.h>

#include "cosim_mem.h"
#include "blk/tb_blk_lib.h"
#include "tb.h"
#include "vdrv_blk.h"

#define FB_SLOTS 8u          /* requests the fake holds at once (VEP_BLK_SLOTS) */
#define FB_MAX_SEG 258u      /* segments of one chain */
#define FB_NQ 8u
#define FB_ID "vep-fake-blk-0123456"   /* 20 bytes */

typedef struct fb_seg {
  uint64_t addr;
  uint32_t len;
  int write;
} fb_seg_t;

typedef struct fb_chain {
  uint16_t head;
  unsigned n, n_desc;
  int indirect;
  fb_seg_t seg[FB_MAX_SEG];
} fb_chain_t;

typedef struct fb_q {
  int attached;
  uint16_t size, vector;
  uint64_t desc, avail, used;
  uint16_t last_avail, avail_shadow, used_idx;
  int doorbell, drained;
  unsigned npend;
  fb_chain_t pend[FB_SLOTS];
} fb_q_t;

typedef struct fb {
  tb_t *t;
  cosim_hmem_t *m;
  vdrv_bus_t inner;             /* the simulated bus */
  vdrv_bus_t bus;               /* what the driver gets */
  vdrv_bus_ops_t ops;
  void (*irq_fn)(void *, uint64_t, uint32_t);
  void *irq_arg;
  uint8_t isr;                  /* the fake's ISR bits (INTx) */
  int needs_reset;              /* injected DEVICE_NEEDS_RESET */
  int dead;                     /* fetching stopped (device error) */
  int event_idx, indirect;      /* negotiated, read at DRIVER_OK */
  fb_q_t q[FB_NQ];
  uint64_t disk, capacity;
  int ro;
  /* Knobs. */
  unsigned serve_pct;           /* chance (%) that a delay lets the fake work */
  int shuffle;                  /* complete in random order */
  unsigned concurrent_pct;      /* chance (%) that the fake also works right after one of the
                                 * driver's DMA accesses: a device running alongside the CPU,
                                 * interrupting it anywhere */
  int stopped;                  /* do nothing at all (a hung device) */
  int hold;                     /* fetch chains but complete none */
  int race_reads;               /* > 0: at this many-th driver read of a used.idx, complete one
                                 * held chain of that queue right after the read */
  int force_status;             /* >= 0: every request answers it, nothing transferred */
  int force_len;                /* >= 0: used length of every request */
  int bad_id;                   /* next used element gets an id out of range */
  int reset_after;              /* > 0: DEVICE_NEEDS_RESET after this many more requests */
  /* What the fake saw. */
  unsigned reqs[16];            /* by type (others in [15]) */
  unsigned notifies, irqs_sent, irqs_suppressed, intx_irqs, chains_indirect, max_segs;
  unsigned hdr_alone, hdr_merged, status_alone, status_merged;
} fb_t;

/* ---- Device-side memory accesses, through the permission map ---- */

static void fb_dev_rd(fb_t *f, uint64_t a, void *buf, size_t len, const char *what) {
  uint64_t bad = 0;
  if (cosim_hmem_check(f->m, a, len, COSIM_HMEM_DEV_READ, &bad))
    tb_fail(f->t, __FILE__, __LINE__, "device read of %s at 0x%llx (+%zu): 0x%llx not readable",
            what, (unsigned long long)a, len, (unsigned long long)bad);
  cosim_hmem_read(f->m, a, buf, len);
}

static void fb_dev_wr(fb_t *f, uint64_t a, const void *buf, size_t len, const char *what) {
  uint64_t bad = 0;
  if (cosim_hmem_check(f->m, a, len, COSIM_HMEM_DEV_WRITE, &bad)) {
    tb_fail(f->t, __FILE__, __LINE__, "device write of %s at 0x%llx (+%zu): 0x%llx not "
            "writable", what, (unsigned long long)a, len, (unsigned long long)bad);
    return;
  }
  cosim_hmem_write(f->m, a, buf, len);
}

static uint16_t fb_rd16(fb_t *f, uint64_t a, const char *what) {
  uint8_t b[2];
  fb_dev_rd(f, a, b, 2, what);
  return (uint16_t)(b[0] | (b[1] << 8));
}

static void fb_wr16(fb_t *f, uint64_t a, uint16_t v, const char *what) {
  uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  fb_dev_wr(f, a, b, 2, what);
}

static uint64_t le(const uint8_t *p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = n; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

/* ---- Interrupts as the endpoint would send them ---- */

static void fb_interrupt(fb_t *f, uint16_t vector, uint8_t isr_bit) {
  tb_t *t = f->t;
  uint32_t ctl = tb_cfg_rd(t, VEP_CAP_MSIX_OFF + VEP_MSIX_MSGCTL, 2);
  if (!(ctl & VEP_MSIX_CTL_ENABLE)) {
    f->isr |= isr_bit;
    f->intx_irqs++;
    return;
  }
  if (vector == VEP_MSI_NO_VECTOR || (ctl & VEP_MSIX_CTL_FMASK)) return;
  unsigned e = VEP_BAR_MSIX_TABLE_OFF + VEP_MSIX_ENTRY_SIZE * vector;
  if (tb_bar_rd(t, e + VDRV_MSIX_ENTRY_CTRL, 4) & VEP_MSIX_VECTOR_MASKED) return;
  uint64_t addr = tb_bar_rd(t, e + VDRV_MSIX_ENTRY_ADDR_LO, 4) |
                  tb_bar_rd(t, e + VDRV_MSIX_ENTRY_ADDR_HI, 4) << 32;
  uint32_t data = (uint32_t)tb_bar_rd(t, e + VDRV_MSIX_ENTRY_DATA, 4);
  f->irqs_sent++;
  if (f->irq_fn) f->irq_fn(f->irq_arg, addr, data);
}

static void fb_device_error(fb_t *f) {
  if (f->needs_reset) return;
  f->needs_reset = 1;
  f->dead = 1;
  uint16_t cv = (uint16_t)tb_bar_rd(f->t, TB_COMMON(VEP_COMMON_MSIX), 2);
  fb_interrupt(f, cv, VEP_ISR_CONFIG);
}

/* ---- Attach / detach (DRIVER_OK, reset) ---- */

static void fb_attach(fb_t *f) {
  tb_t *t = f->t;
  uint32_t sel = (uint32_t)tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2);
  uint32_t gsel = (uint32_t)tb_bar_rd(t, TB_COMMON(VEP_COMMON_GFSELECT), 4);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_GFSELECT), 4, 0);
  uint64_t feat = tb_bar_rd(t, TB_COMMON(VEP_COMMON_GF), 4);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_GFSELECT), 4, 1);
  feat |= tb_bar_rd(t, TB_COMMON(VEP_COMMON_GF), 4) << 32;
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_GFSELECT), 4, gsel);
  f->event_idx = (feat >> VEP_F_EVENT_IDX) & 1;
  f->indirect = (feat >> VEP_F_INDIRECT_DESC) & 1;
  unsigned nq = t->cfg.params.NUM_QUEUES < FB_NQ ? t->cfg.params.NUM_QUEUES : FB_NQ;
  for (unsigned i = 0; i < nq; i++) {
    fb_q_t *q = &f->q[i];
    memset(q, 0, sizeof *q);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, i);
    if (tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2) != 1) continue;
    q->attached = 1;
    q->size = (uint16_t)tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_SIZE), 2);
    q->vector = (uint16_t)tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_MSIX), 2);
    q->desc = tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 4) |
              tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_DESCHI), 4) << 32;
    q->avail = tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_AVAILLO), 4) |
               tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_AVAILHI), 4) << 32;
    q->used = tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_USEDLO), 4) |
              tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_USEDHI), 4) << 32;
  }
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, sel);
}

static void fb_detach(fb_t *f) {
  memset(f->q, 0, sizeof f->q);
  f->isr = 0;
  f->needs_reset = 0;
  f->dead = 0;
}

/* ---- Fetching chains (as vep_vq_fetch will: QEMU's virtio_error list is a test failure) ---- */

static void fb_desc(fb_t *f, uint64_t a, uint64_t *addr, uint32_t *len, uint16_t *fl,
                    uint16_t *next) {
  uint8_t b[16];
  fb_dev_rd(f, a, b, 16, "descriptor");
  *addr = le(b, 8);
  *len = (uint32_t)le(b + 8, 4);
  *fl = (uint16_t)le(b + 12, 2);
  *next = (uint16_t)le(b + 14, 2);
}

static void fb_add_seg(fb_t *f, fb_chain_t *c, uint64_t a, uint32_t len, uint16_t fl) {
  tb_t *t = f->t;
  int w = !!(fl & VEP_VRING_DESC_F_WRITE);
  TB_REQUIRE(t, len > 0, "zero-length buffer in chain %u", c->head);
  TB_REQUIRE(t, c->n < FB_MAX_SEG, "chain %u: too many segments", c->head);
  TB_REQUIRE(t, w || !c->n || !c->seg[c->n - 1].write, "readable after writable (chain %u)",
             c->head);
  c->seg[c->n++] = (fb_seg_t){a, len, w};
}

static int fb_pop(fb_t *f, fb_q_t *q, fb_chain_t *c) {
  tb_t *t = f->t;
  if (q->avail_shadow == q->last_avail) {
    /* After a doorbell, and (as QEMU's virtqueue_pop does with EVENT_IDX) after the ring was
     * drained: otherwise avail_event would stay behind and the driver would stop notifying. */
    if (!q->doorbell && !q->drained) return 0;
    q->doorbell = 0;
    q->drained = 0;
    q->avail_shadow = fb_rd16(f, q->avail + VDRV_VRING_IDX, "avail.idx");
    if (q->avail_shadow == q->last_avail && f->event_idx) {
      fb_wr16(f, q->used + VDRV_VRING_AVAIL_EVENT(q->size), q->last_avail, "avail_event");
      q->avail_shadow = fb_rd16(f, q->avail + VDRV_VRING_IDX, "avail.idx");
    }
    TB_REQUIRE(t, (uint16_t)(q->avail_shadow - q->last_avail) <= q->size, "avail index jump");
    if (q->avail_shadow == q->last_avail) return 0;
  }
  uint16_t head = fb_rd16(f, q->avail + VDRV_VRING_AVAIL_RING(q->last_avail % q->size),
                          "avail.ring");
  q->last_avail++;
  q->drained = 1;
  TB_REQUIRE(t, head < q->size, "head %u >= size %u", head, q->size);
  memset(c, 0, offsetof(fb_chain_t, seg));
  c->head = head;
  uint16_t i = head;
  for (unsigned k = 0;; k++) {
    TB_REQUIRE(t, k < q->size, "chain %u loops", head);
    uint64_t a;
    uint32_t len;
    uint16_t fl, next;
    fb_desc(f, q->desc + 16u * i, &a, &len, &fl, &next);
    c->n_desc++;
    if (fl & VEP_VRING_DESC_F_INDIRECT) {
      TB_REQUIRE(t, f->indirect, "INDIRECT without the feature");
      TB_REQUIRE(t, !(fl & VEP_VRING_DESC_F_NEXT) && k == 0, "INDIRECT with NEXT or not alone");
      TB_REQUIRE(t, len && len % 16 == 0, "indirect table length %u", len);
      c->indirect = 1;
      f->chains_indirect++;
      unsigned n = len / 16;
      uint16_t j = 0;
      for (unsigned m = 0;; m++) {
        TB_REQUIRE(t, m < n, "indirect chain loops");
        uint64_t sa;
        uint32_t sl;
        uint16_t sf, sn;
        fb_desc(f, a + 16u * j, &sa, &sl, &sf, &sn);
        TB_REQUIRE(t, !(sf & VEP_VRING_DESC_F_INDIRECT), "nested INDIRECT");
        fb_add_seg(f, c, sa, sl, sf);
        if (!(sf & VEP_VRING_DESC_F_NEXT)) break;
        TB_REQUIRE(t, sn < n, "indirect next %u >= %u", sn, n);
        j = sn;
      }
      break;
    }
    fb_add_seg(f, c, a, len, fl);
    if (!(fl & VEP_VRING_DESC_F_NEXT)) break;
    TB_REQUIRE(t, next < q->size, "next %u >= size", next);
    i = next;
  }
  if (c->n > f->max_segs) f->max_segs = c->n;
  return 1;
}

/* ---- Executing a request over the two byte streams ---- */

/* Reads (write = 0: device-readable stream) or writes (device-writable stream) len bytes at
 * stream offset off. */
static void fb_stream(fb_t *f, const fb_chain_t *c, int write, uint64_t off, uint8_t *buf,
                      uint64_t len) {
  for (unsigned i = 0; i < c->n && len; i++) {
    const fb_seg_t *s = &c->seg[i];
    if (s->write != write) continue;
    if (off >= s->len) {
      off -= s->len;
      continue;
    }
    uint64_t n = s->len - off < len ? s->len - off : len;
    if (write)
      fb_dev_wr(f, s->addr + off, buf, n, "writable buffer");
    else
      fb_dev_rd(f, s->addr + off, buf, n, "readable buffer");
    buf += n;
    len -= n;
    off = 0;
  }
}

/* Returns the used length, or -1 for a device error (no used element). */
static int64_t fb_exec(fb_t *f, const fb_chain_t *c) {
  uint64_t R = 0, W = 0;
  for (unsigned i = 0; i < c->n; i++) *(c->seg[i].write ? &W : &R) += c->seg[i].len;
  /* Layout statistics: the header's and the status byte's descriptors. */
  unsigned first_w = 0;
  while (first_w < c->n && !c->seg[first_w].write) first_w++;
  if (c->n && !c->seg[0].write) {
    if (c->seg[0].len == VEP_BLK_HDR_BYTES) f->hdr_alone++; else f->hdr_merged++;
  }
  if (c->n && c->seg[c->n - 1].write) {
    if (c->seg[c->n - 1].len == 1) f->status_alone++; else f->status_merged++;
  }
  if (R < VEP_BLK_HDR_BYTES || W < 1) return -1;
  uint8_t hdr[16];
  fb_stream(f, c, 0, 0, hdr, 16);
  uint32_t type = (uint32_t)le(hdr, 4);
  uint64_t sector = le(hdr + 8, 8);
  f->reqs[type < 15 ? type : 15]++;
  uint8_t status = VEP_BLK_S_OK;
  uint64_t len = 1;
  uint8_t buf[4096];
  if (f->force_status >= 0) {
    status = (uint8_t)f->force_status;
  } else if (type == VEP_BLK_T_IN || type == VEP_BLK_T_OUT) {
    uint64_t data = type == VEP_BLK_T_IN ? W - 1 : R - 16;
    if (data % 512 || sector > f->capacity || data / 512 > f->capacity - sector ||
        (type == VEP_BLK_T_OUT && f->ro)) {
      status = VEP_BLK_S_IOERR;
    } else {
      for (uint64_t o = 0; o < data; o += sizeof buf) {
        uint64_t n = data - o < sizeof buf ? data - o : sizeof buf;
        if (type == VEP_BLK_T_IN) {
          cosim_hmem_read(f->m, f->disk + sector * 512 + o, buf, n);
          fb_stream(f, c, 1, o, buf, n);
        } else {
          fb_stream(f, c, 0, 16 + o, buf, n);
          cosim_hmem_write(f->m, f->disk + sector * 512 + o, buf, n);
        }
      }
      if (type == VEP_BLK_T_IN) len = data + 1;
    }
  } else if (type == VEP_BLK_T_FLUSH) {
  } else if (type == VEP_BLK_T_GET_ID) {
    uint64_t n = W - 1 < 20 ? W - 1 : 20;
    memcpy(buf, FB_ID, 20);
    fb_stream(f, c, 1, 0, buf, n);
    len = n + 1;
  } else {
    status = VEP_BLK_S_UNSUPP;
  }
  fb_stream(f, c, 1, W - 1, &status, 1);
  return (int64_t)len;
}

/* Publishes one used element, then the index; interrupts as the driver asked. */
static void fb_push(fb_t *f, fb_q_t *q, unsigned qi, uint16_t head, uint32_t len) {
  (void)qi;
  uint8_t e[8];
  uint32_t id = f->bad_id ? q->size + 3u : head;
  f->bad_id = 0;
  for (int i = 0; i < 4; i++) {
    e[i] = (uint8_t)(id >> (8 * i));
    e[4 + i] = (uint8_t)(len >> (8 * i));
  }
  fb_dev_wr(f, q->used + VDRV_VRING_USED_RING(q->used_idx % q->size), e, 8, "used element");
  uint16_t old = q->used_idx++;
  fb_wr16(f, q->used + VDRV_VRING_IDX, q->used_idx, "used.idx");
  int want;
  if (f->event_idx)
    want = vdrv_vring_need_event(fb_rd16(f, q->avail + VDRV_VRING_USED_EVENT(q->size),
                                         "used_event"), q->used_idx, old);
  else
    want = !(fb_rd16(f, q->avail, "avail.flags") & VEP_VRING_AVAIL_F_NO_INTERRUPT);
  if (want)
    fb_interrupt(f, q->vector, VEP_ISR_QUEUE);
  else
    f->irqs_suppressed++;
}

/* Executes and completes held chain j of queue q. */
static void fb_complete(fb_t *f, fb_q_t *q, unsigned qi, unsigned j) {
  fb_chain_t *c = &q->pend[j];
  int64_t len = fb_exec(f, c);
  uint16_t head = c->head;
  q->npend--;
  memmove(&q->pend[j], &q->pend[j + 1], (q->npend - j) * sizeof q->pend[0]);
  if (len < 0) {
    fb_device_error(f);
    return;
  }
  fb_push(f, q, qi, head, f->force_len >= 0 ? (uint32_t)f->force_len : (uint32_t)len);
  if (f->reset_after > 0 && --f->reset_after == 0) fb_device_error(f);
}

static void fb_step(fb_t *f) {
  tb_t *t = f->t;
  if (f->stopped || tb_rand_below(&t->rng, 100) >= f->serve_pct) return;
  for (unsigned qi = 0; qi < FB_NQ; qi++) {
    fb_q_t *q = &f->q[qi];
    if (!q->attached) continue;
    while (!f->dead && q->npend < FB_SLOTS && fb_pop(f, q, &q->pend[q->npend])) q->npend++;
    if (!q->npend || f->hold) continue;
    unsigned k = 1 + tb_rand_below(&t->rng, q->npend);
    while (k-- && q->npend)
      fb_complete(f, q, qi, f->shuffle ? tb_rand_below(&t->rng, q->npend) : 0);
  }
}

/* ---- The wrapping bus ---- */

static uint64_t fb_bar0(const fb_t *f) { return f->t->bar0; }

static int fb_cfg_read(void *ctx, vdrv_bdf_t bdf, unsigned off, unsigned size, uint32_t *val) {
  fb_t *f = ctx;
  return f->inner.ops->cfg_read(f->inner.ctx, bdf, off, size, val);
}

static int fb_cfg_write(void *ctx, vdrv_bdf_t bdf, unsigned off, unsigned size, uint32_t val) {
  fb_t *f = ctx;
  return f->inner.ops->cfg_write(f->inner.ctx, bdf, off, size, val);
}

static int fb_mmio_read(void *ctx, uint64_t addr, unsigned size, uint64_t *val) {
  fb_t *f = ctx;
  int rc = f->inner.ops->mmio_read(f->inner.ctx, addr, size, val);
  if (rc) return rc;
  if (addr == fb_bar0(f) + VEP_BAR_ISR_OFF) {
    *val |= f->isr;
    f->isr = 0;
  }
  if (addr == fb_bar0(f) + TB_COMMON(VEP_COMMON_STATUS) && size == 1 && f->needs_reset)
    *val |= VEP_STATUS_DEVICE_NEEDS_RESET;
  return 0;
}

static int fb_mmio_write(void *ctx, uint64_t addr, unsigned size, uint64_t val) {
  fb_t *f = ctx;
  uint64_t nb = fb_bar0(f) + VEP_BAR_NOTIFY_OFF;
  if (addr >= nb && addr < nb + 0x1000u) {
    /* The doorbell: ours, not the endpoint's. */
    unsigned qi = (unsigned)((addr - nb) / VEP_NOTIFY_MULTIPLIER);
    TB_CHECK_EQ_CTX(f->t, size, 2, "doorbell width");
    TB_CHECK_EQ_CTX(f->t, val, qi, "doorbell value");
    if (qi < FB_NQ) f->q[qi].doorbell = 1;
    f->notifies++;
    return 0;
  }
  int rc = f->inner.ops->mmio_write(f->inner.ctx, addr, size, val);
  if (!rc && addr == fb_bar0(f) + TB_COMMON(VEP_COMMON_STATUS) && size == 1) {
    if (val == 0) fb_detach(f);
    else if ((val & VEP_STATUS_DRIVER_OK) && !f->q[0].attached) fb_attach(f);
  }
  return rc;
}

static void fb_delay(void *ctx, unsigned cycles) {
  fb_t *f = ctx;
  f->inner.ops->delay(f->inner.ctx, cycles);
  fb_step(f);
}

static int fb_dma_alloc(void *ctx, size_t size, size_t align, unsigned dir, uint64_t *a) {
  fb_t *f = ctx;
  return f->inner.ops->dma_alloc(f->inner.ctx, size, align, dir, a);
}

static void fb_dma_free(void *ctx, uint64_t a) {
  fb_t *f = ctx;
  f->inner.ops->dma_free(f->inner.ctx, a);
}

static void fb_concurrent(fb_t *f) {
  if (f->concurrent_pct && tb_rand_below(&f->t->rng, 100) < f->concurrent_pct) fb_step(f);
}

static int fb_dma_read(void *ctx, uint64_t a, void *buf, size_t len) {
  fb_t *f = ctx;
  int rc = f->inner.ops->dma_read(f->inner.ctx, a, buf, len);
  for (unsigned qi = 0; qi < FB_NQ && f->race_reads > 0; qi++) {
    fb_q_t *q = &f->q[qi];
    if (q->attached && a == q->used + VDRV_VRING_IDX && q->npend && --f->race_reads == 0)
      fb_complete(f, q, qi, 0);
  }
  fb_concurrent(f);
  return rc;
}

static int fb_dma_write(void *ctx, uint64_t a, const void *buf, size_t len) {
  fb_t *f = ctx;
  int rc = f->inner.ops->dma_write(f->inner.ctx, a, buf, len);
  fb_concurrent(f);
  return rc;
}

static void fb_set_irq(void *ctx, void (*fn)(void *, uint64_t, uint32_t), void *arg) {
  fb_t *f = ctx;
  f->irq_fn = fn;
  f->irq_arg = arg;
  f->inner.ops->set_irq_handler(f->inner.ctx, fn, arg);   /* the endpoint's own messages */
}

/* Brings the transport up (tb_bringup), wraps its bus and puts the disk image in place. */
static void fb_open(tb_t *t, fb_t *f, vdrv_pci_dev_t *dev, vdrv_vpci_t *v) {
  memset(f, 0, sizeof *f);
  f->t = t;
  f->m = cosim_host_mem(t->sim);
  tb_bringup(t, dev, v);
  f->inner = t->bus;
  f->ops = (vdrv_bus_ops_t){fb_cfg_read, fb_cfg_write, fb_mmio_read, fb_mmio_write, fb_delay,
                            fb_dma_alloc, fb_dma_free, fb_dma_read, fb_dma_write, fb_set_irq};
  f->bus = t->bus;
  f->bus.ops = &f->ops;
  f->bus.ctx = f;
  dev->bus = &f->bus;
  f->capacity = t->cfg.blk_capacity;
  f->ro = t->cfg.blk_ro;
  TB_DRV(t, cosim_hmem_alloc(f->m, f->capacity * 512, 4096, 1, &f->disk));
  f->serve_pct = 60;
  f->force_status = -1;
  f->force_len = -1;
}

static void fb_opts(vdrv_blk_opts_t *o, unsigned irq, unsigned layout) {
  vdrv_blk_opts_default(o);
  o->irq_mode = irq;
  o->layout = layout;
  o->msi_addr = TB_MSI_ADDR(0);
  o->msi_data = TB_MSI_DATA(0);
  o->timeout_cycles = 200000;
}

/* A DMA buffer of the test's (freed with the simulation). */
static uint64_t buf_alloc(tb_t *t, fb_t *f, size_t len, unsigned dir) {
  uint64_t a;
  TB_DRV(t, f->inner.ops->dma_alloc(f->inner.ctx, len, 1, dir, &a));
  return a;
}

/* Whether DMA memory a (len bytes) equals disk sectors from `sector`. */
static int same_as_disk(fb_t *f, uint64_t a, size_t len, uint64_t sector) {
  uint8_t x[512], y[512];
  for (size_t o = 0; o < len; o += sizeof x) {
    size_t n = len - o < sizeof x ? len - o : sizeof x;
    cosim_hmem_read(f->m, a + o, x, n);
    cosim_hmem_read(f->m, f->disk + sector * 512 + o, y, n);
    if (memcmp(x, y, n)) return 0;
  }
  return 1;
}


/* ---- Tests ---- */

TB_TEST(blkdrv_init, "blk driver bring-up: device ID, features (VERSION_1 SEG_MAX BLK_SIZE FLUSH "
                     "INDIRECT EVENT_IDX; each refusable, RO with the strap), capacity / "
                     "seg_max / blk_size from the configuration, all queues at the chosen size, "
                     "one MSI-X vector per queue plus config, DRIVER_OK; fini resets") {
  fb_t f;
  vdrv_pci_dev_t dev;
  vdrv_vpci_t v;
  fb_open(t, &f, &dev, &v);
  vdrv_blk_opts_t o;
  fb_opts(&o, VDRV_BLK_IRQ_MSIX, 0);
  vdrv_blk_t b;
  TB_DRV(t, vdrv_blk_init(&b, &v, &o));
  const vep_params_t *p = &t->cfg.params;
  TB_CHECK(t, b.flush && b.indirect && b.event_idx && b.has_seg_max && b.has_blk_size && !b.ro,
           "features f%d i%d e%d s%d b%d r%d", b.flush, b.indirect, b.event_idx, b.has_seg_max,
           b.has_blk_size, b.ro);
  TB_CHECK_EQ(t, b.capacity, t->cfg.blk_capacity);
  TB_CHECK_EQ(t, b.seg_max, p->BLK_SEG_MAX);
  TB_CHECK_EQ(t, b.blk_size, p->BLK_SIZE);
  TB_CHECK_EQ(t, b.max_segs, p->BLK_SEG_MAX);
  TB_CHECK_EQ(t, b.nq, p->NUM_QUEUES);
  TB_CHECK_EQ(t, b.irq_mode, VDRV_BLK_IRQ_MSIX);
  TB_CHECK_EQ(t, tb_status_rd(t), VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER |
                                      VEP_STATUS_FEATURES_OK | VEP_STATUS_DRIVER_OK);
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_MSIX), 2), 0);
  for (unsigned i = 0; i < b.nq; i++) {
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, i);
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_MSIX), 2), 1 + i, "queue %u", i);
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2), 1, "queue %u", i);
    TB_CHECK_EQ_CTX(t, b.q[i].vq.size, p->QUEUE_SIZE_MAX, "queue %u", i);
  }
  for (unsigned i = 0; i <= b.nq; i++) {
    unsigned e = VEP_BAR_MSIX_TABLE_OFF + VEP_MSIX_ENTRY_SIZE * i;
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, e + VDRV_MSIX_ENTRY_ADDR_LO, 4), (uint32_t)TB_MSI_ADDR(0),
                    "vector %u", i);
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, e + VDRV_MSIX_ENTRY_DATA, 4), TB_MSI_DATA(0) + i,
                    "vector %u", i);
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, e + VDRV_MSIX_ENTRY_CTRL, 4), 0, "vector %u", i);
  }
  vdrv_blk_fini(&b);
  TB_CHECK_EQ(t, tb_status_rd(t), 0);

  /* Each feature refused on its own; 2 queues of 16. */
  static const unsigned bits[] = {VEP_BLK_F_SEG_MAX, VEP_BLK_F_BLK_SIZE, VEP_BLK_F_FLUSH,
                                  VEP_F_INDIRECT_DESC, VEP_F_EVENT_IDX};
  for (unsigned i = 0; i < 5; i++) {
    fb_opts(&o, VDRV_BLK_IRQ_MSIX, 0);
    o.refuse_features = 1ull << bits[i];
    o.num_queues = 2;
    o.queue_size = 16;
    TB_DRV(t, vdrv_blk_init(&b, &v, &o));
    TB_CHECK_EQ_CTX(t, vdrv_vpci_has_feature(v.driver_features, bits[i]), 0, "bit %u", bits[i]);
    TB_CHECK_EQ_CTX(t, b.nq, 2, "bit %u", bits[i]);
    TB_CHECK_EQ_CTX(t, b.q[1].vq.size, 16, "bit %u", bits[i]);
    if (bits[i] == VEP_BLK_F_SEG_MAX) TB_CHECK_EQ(t, b.max_segs, 1);
    if (bits[i] == VEP_BLK_F_FLUSH) {
      TB_CHECK_EQ(t, vdrv_blk_flush(&b, 0), 0);   /* write-through: nothing sent */
      vdrv_blk_io_t io = {VEP_BLK_T_FLUSH, 0, NULL, 0, 0};
      TB_CHECK_EQ(t, vdrv_blk_submit(&b, 0, &io, NULL, NULL), -EOPNOTSUPP);
      TB_CHECK_EQ(t, f.reqs[VEP_BLK_T_FLUSH], 0);
    }
    vdrv_blk_fini(&b);
  }
  fb_opts(&o, VDRV_BLK_IRQ_MSIX, 0);
  o.num_queues = p->NUM_QUEUES + 1;
  TB_CHECK_EQ(t, vdrv_blk_init(&b, &v, &o), -EINVAL);
  TB_CHECK(t, tb_status_rd(t) & VEP_STATUS_FAILED, "FAILED after a failed init");
  fb_opts(&o, VDRV_BLK_IRQ_MSIX, 0);
  o.queue_size = 3;
  TB_CHECK_EQ(t, vdrv_blk_init(&b, &v, &o), -EINVAL);

  /* Read-only disk. */
  cosim_cfg_t cfg = t->cfg;
  cfg.blk_ro = 1;
  tb_reconfigure(t, &cfg);
  fb_open(t, &f, &dev, &v);
  fb_opts(&o, VDRV_BLK_IRQ_POLL, 0);
  TB_DRV(t, vdrv_blk_init(&b, &v, &o));
  TB_CHECK(t, b.ro, "RO negotiated");
  uint64_t a = buf_alloc(t, &f, 512, VDRV_DMA_DEV_READ);
  vdrv_virtq_seg_t s = {a, 512};
  TB_CHECK_EQ(t, vdrv_blk_write(&b, 0, 0, &s, 1), -EROFS);
  vdrv_blk_fini(&b);
  fb_opts(&o, VDRV_BLK_IRQ_POLL, 0);
  o.refuse_features = 1ull << VEP_BLK_F_RO;
  TB_DRV(t, vdrv_blk_init(&b, &v, &o));
  TB_CHECK(t, !b.ro, "RO refused");
  TB_CHECK_EQ(t, vdrv_blk_write(&b, 0, 0, &s, 1), -EIO);   /* the device refuses it */
  vdrv_blk_fini(&b);
}

/* Every request type once, synchronously, with data checked against the disk. */
static void all_types(tb_t *t, fb_t *f, vdrv_blk_t *b, unsigned q, const char *ctx) {
  uint64_t w = buf_alloc(t, f, 4096, VDRV_DMA_DEV_READ);
  uint64_t r = buf_alloc(t, f, 4096, VDRV_DMA_DEV_WRITE);
  uint64_t sector = 8 * tb_rand_below(&t->rng, (uint32_t)(b->capacity / 8 - 1));
  tb_dma_fill(t, w, 4096, tb_rand32(&t->rng));
  vdrv_virtq_seg_t sw = {w, 4096}, sr = {r, 4096};
  TB_CHECK_EQ_CTX(t, vdrv_blk_write(b, q, sector, &sw, 1), 0, "%s write", ctx);
  TB_CHECK(t, same_as_disk(f, w, 4096, sector), "%s: disk differs after write", ctx);
  TB_CHECK_EQ_CTX(t, vdrv_blk_read(b, q, sector, &sr, 1), 0, "%s read", ctx);
  TB_CHECK(t, same_as_disk(f, r, 4096, sector), "%s: read data differs", ctx);
  TB_CHECK_EQ_CTX(t, vdrv_blk_flush(b, q), 0, "%s flush", ctx);
  char id[21];
  TB_CHECK_EQ_CTX(t, vdrv_blk_get_id(b, q, id), 0, "%s get_id", ctx);
  TB_CHECK(t, !strcmp(id, FB_ID), "%s: id '%s'", ctx, id);
  f->inner.ops->dma_free(f->inner.ctx, w);
  f->inner.ops->dma_free(f->inner.ctx, r);
}

TB_TEST(blkdrv_modes, "read/write/flush/get_id synchronously in every interrupt mode (MSI-X "
                      "per-queue vectors, INTx via ISR, polling) x layout (separate, header+data "
                      "merged, indirect, both) x EVENT_IDX on/off, on every queue; interrupts "
                      "arrive only when asked for; the fake sees the layout asked for") {
  fb_t f;
  vdrv_pci_dev_t dev;
  vdrv_vpci_t v;
  fb_open(t, &f, &dev, &v);
  for (unsigned irq = 0; irq < 3; irq++)
    for (unsigned layout = 0; layout < 4; layout++)
      for (unsigned ev = 0; ev < 2; ev++) {
        char ctx[64];
        snprintf(ctx, sizeof ctx, "irq %u layout %u event_idx %u", irq, layout, ev);
        vdrv_blk_opts_t o;
        fb_opts(&o, irq, layout);
        if (!ev) o.refuse_features = 1ull << VEP_F_EVENT_IDX;
        o.queue_size = 32;
        vdrv_blk_t b;
        TB_DRV(t, vdrv_blk_init(&b, &v, &o));
        unsigned sent0 = f.irqs_sent, intx0 = f.intx_irqs, ind0 = f.chains_indirect;
        unsigned ha = f.hdr_alone, hm = f.hdr_merged, sa = f.status_alone, sm = f.status_merged;
        for (unsigned q = 0; q < b.nq; q++) all_types(t, &f, &b, q, ctx);
        unsigned n = 4 * b.nq;
        if (irq == VDRV_BLK_IRQ_MSIX) {
          TB_CHECK(t, f.irqs_sent > sent0 && b.irqs == (uint64_t)(f.irqs_sent - sent0) +
                   b.config_irqs, "%s: %u MSI-X sent, driver saw %llu", ctx, f.irqs_sent - sent0,
                   (unsigned long long)b.irqs);
          TB_CHECK_EQ_CTX(t, f.intx_irqs, intx0, "%s", ctx);
        } else if (irq == VDRV_BLK_IRQ_INTX) {
          TB_CHECK(t, f.intx_irqs > intx0, "%s: no INTx", ctx);
          TB_CHECK_EQ_CTX(t, f.irqs_sent, sent0, "%s", ctx);
        } else {
          TB_CHECK_EQ_CTX(t, f.irqs_sent + f.intx_irqs, sent0 + intx0, "%s: polled", ctx);
        }
        TB_CHECK_EQ_CTX(t, f.chains_indirect - ind0, (layout & 2) ? n : 0, "%s indirect", ctx);
        /* Writes merge header+data; reads and GET_ID merge data+status; FLUSH never merges. */
        unsigned per_q_merge_h = (layout & 1) ? 1 : 0, per_q_merge_s = (layout & 1) ? 2 : 0;
        TB_CHECK_EQ_CTX(t, f.hdr_merged - hm, per_q_merge_h * b.nq, "%s", ctx);
        TB_CHECK_EQ_CTX(t, f.hdr_alone - ha, (4 - per_q_merge_h) * b.nq, "%s", ctx);
        TB_CHECK_EQ_CTX(t, f.status_merged - sm, per_q_merge_s * b.nq, "%s", ctx);
        TB_CHECK_EQ_CTX(t, f.status_alone - sa, (4 - per_q_merge_s) * b.nq, "%s", ctx);
        vdrv_blk_fini(&b);
      }
}

TB_TEST(blkdrv_sg, "scatter-gather: random requests of 1..seg_max segments of any alignment and "
                   "length (total a multiple of 512), random layout per device instance, data "
                   "checked on the disk and read back; argument checks: too many segments, a "
                   "zero-length segment, a partial sector, past the capacity, FLUSH with data, "
                   "GET_ID without a buffer, an unknown type") {
  fb_t f;
  vdrv_pci_dev_t dev;
  vdrv_vpci_t v;
  fb_open(t, &f, &dev, &v);
  uint64_t w = buf_alloc(t, &f, 70000, VDRV_DMA_DEV_READ);
  uint64_t r = buf_alloc(t, &f, 70000, VDRV_DMA_DEV_WRITE);
  vdrv_virtq_seg_t seg[300];
  for (unsigned round = 0; round < 8; round++) {
    vdrv_blk_opts_t o;
    fb_opts(&o, tb_rand_below(&t->rng, 3), round % 4);
    if (round & 4) o.refuse_features = 1ull << VEP_F_EVENT_IDX;
    vdrv_blk_t b;
    TB_DRV(t, vdrv_blk_init(&b, &v, &o));
    TB_REQUIRE(t, b.max_segs >= 2, "max_segs %u", b.max_segs);
    for (unsigned k = 0; k < 12; k++) {
      uint32_t sectors = 1 + tb_rand_below(&t->rng, 64);
      uint32_t len = 512 * sectors;
      uint64_t sector = tb_rand_below(&t->rng, (uint32_t)(b.capacity - sectors + 1));
      uint32_t off = tb_rand_below(&t->rng, 64);
      unsigned n = tb_split(&t->rng, w + off, len, 1 + tb_rand_below(&t->rng, b.max_segs), seg);
      tb_dma_fill(t, w + off, len, tb_rand32(&t->rng));
      unsigned q = tb_rand_below(&t->rng, b.nq);
      TB_CHECK_EQ_CTX(t, vdrv_blk_write(&b, q, sector, seg, n), 0, "round %u req %u", round, k);
      TB_CHECK(t, same_as_disk(&f, w + off, len, sector), "round %u req %u: disk differs "
               "(%u segments)", round, k, n);
      off = tb_rand_below(&t->rng, 64);
      n = tb_split(&t->rng, r + off, len, 1 + tb_rand_below(&t->rng, b.max_segs), seg);
      TB_CHECK_EQ_CTX(t, vdrv_blk_read(&b, q, sector, seg, n), 0, "round %u req %u", round, k);
      TB_CHECK(t, same_as_disk(&f, r + off, len, sector), "round %u req %u: read differs "
               "(%u segments)", round, k, n);
    }
    /* Argument checks: nothing reaches the device. */
    unsigned before = f.reqs[0] + f.reqs[1] + f.reqs[4] + f.reqs[8] + f.reqs[15];
    unsigned n = tb_split(&t->rng, r, 512 * (b.max_segs + 1), b.max_segs + 1, seg);
    TB_CHECK_EQ(t, vdrv_blk_read(&b, 0, 0, seg, n), -EINVAL);
    seg[0] = (vdrv_virtq_seg_t){r, 512};
    seg[1] = (vdrv_virtq_seg_t){r + 512, 0};
    TB_CHECK_EQ(t, vdrv_blk_read(&b, 0, 0, seg, 2), -EINVAL);
    seg[1].len = 100;
    TB_CHECK_EQ(t, vdrv_blk_read(&b, 0, 0, seg, 2), -EINVAL);
    TB_CHECK_EQ(t, vdrv_blk_read(&b, 0, 0, seg, 0), -EINVAL);
    TB_CHECK_EQ(t, vdrv_blk_read(&b, 0, b.capacity, seg, 1), -ERANGE);
    TB_CHECK_EQ(t, vdrv_blk_read(&b, 0, ~0ull, seg, 1), -ERANGE);
    TB_CHECK_EQ(t, vdrv_blk_read(&b, b.nq, 0, seg, 1), -EINVAL);
    vdrv_blk_io_t io = {VEP_BLK_T_FLUSH, 0, seg, 1, 0};
    TB_CHECK_EQ(t, vdrv_blk_submit(&b, 0, &io, NULL, NULL), -EINVAL);
    io = (vdrv_blk_io_t){VEP_BLK_T_GET_ID, 0, NULL, 0, 0};
    TB_CHECK_EQ(t, vdrv_blk_submit(&b, 0, &io, NULL, NULL), -EINVAL);
    io = (vdrv_blk_io_t){77, 0, seg, 1, 0};
    TB_CHECK_EQ(t, vdrv_blk_submit(&b, 0, &io, NULL, NULL), -EINVAL);
    TB_CHECK_EQ(t, f.reqs[0] + f.reqs[1] + f.reqs[4] + f.reqs[8] + f.reqs[15], before);
    TB_CHECK_EQ(t, vdrv_blk_inflight(&b, 0), 0);
    vdrv_blk_fini(&b);
  }
}

/* Asynchronous completion bookkeeping. */
typedef struct ac_req {
  int done, result;
  uint32_t len;
  unsigned ncb;
} ac_req_t;

static void ac_cb(void *cookie, const vdrv_blk_cpl_t *cpl) {
  ac_req_t *r = cookie;
  r->ncb++;
  r->done = 1;
  r->result = cpl->result;
  r->len = cpl->len;
}

TB_TEST(blkdrv_async, "many requests in flight on every queue (filled to -ENOSPC, batched with "
                      "NO_KICK then kick), completed out of order by a device that also runs "
                      "between the driver's ring accesses: each cookie called back once with "
                      "its own result, data checked, per interrupt mode "
                      "and EVENT_IDX on/off; few doorbells with EVENT_IDX") {
  fb_t f;
  vdrv_pci_dev_t dev;
  vdrv_vpci_t v;
  fb_open(t, &f, &dev, &v);
  f.shuffle = 1;
  f.concurrent_pct = 25;
  enum { NR = 64, SZ = 1024 };
  uint64_t rbuf = buf_alloc(t, &f, (size_t)NR * SZ, VDRV_DMA_DEV_WRITE);
  uint64_t wbuf = buf_alloc(t, &f, (size_t)NR * SZ, VDRV_DMA_DEV_READ);
  ac_req_t req[NR];
  for (unsigned mode = 0; mode < 6; mode++) {
    vdrv_blk_opts_t o;
    fb_opts(&o, mode % 3, tb_rand_below(&t->rng, 4));
    if (mode >= 3) o.refuse_features = 1ull << VEP_F_EVENT_IDX;
    o.queue_size = 8;   /* 8 slots per queue: 64 requests overflow even as indirect tables */
    vdrv_blk_t b;
    TB_DRV(t, vdrv_blk_init(&b, &v, &o));
    /* Writes of distinct data to distinct sectors, then reads of them. */
    for (unsigned pass = 0; pass < 2; pass++) {
      memset(req, 0, sizeof req);
      unsigned submitted = 0, completed = 0, full = 0;
      unsigned notif0 = f.notifies;
      while (completed < NR) {
        while (submitted < NR) {
          unsigned i = submitted;
          uint64_t a = (pass ? rbuf : wbuf) + (uint64_t)i * SZ;
          if (!pass) tb_dma_fill(t, a, SZ, i * 7u + mode);
          vdrv_virtq_seg_t s[2] = {{a, 300}, {a + 300, SZ - 300}};
          vdrv_blk_io_t io = {pass ? VEP_BLK_T_IN : VEP_BLK_T_OUT, (uint64_t)i * (SZ / 512), s,
                              2, (i % 4) ? VDRV_BLK_IO_NO_KICK : 0u};
          int rc = vdrv_blk_submit(&b, i % b.nq, &io, ac_cb, &req[i]);
          if (rc == -ENOSPC) {
            full++;
            break;
          }
          TB_REQUIRE(t, rc == 0, "mode %u submit %u: %d", mode, i, rc);
          submitted++;
        }
        for (unsigned q = 0; q < b.nq; q++) TB_REQUIRE(t, vdrv_blk_kick(&b, q) >= 0, "kick");
        int rc = vdrv_blk_wait(&b, 0);
        TB_REQUIRE(t, rc > 0, "mode %u pass %u: wait %d with %u/%u completed", mode, pass, rc,
                   completed, submitted);
        completed += (unsigned)rc;
      }
      TB_CHECK(t, full > 0, "mode %u: the queues never filled", mode);
      for (unsigned i = 0; i < NR; i++) {
        TB_CHECK_EQ_CTX(t, req[i].ncb, 1, "mode %u pass %u req %u callbacks", mode, pass, i);
        TB_CHECK_EQ_CTX(t, req[i].result, 0, "mode %u pass %u req %u", mode, pass, i);
        TB_CHECK_EQ_CTX(t, req[i].len, pass ? SZ + 1u : 1u, "mode %u pass %u req %u", mode, pass,
                        i);
      }
      for (unsigned i = 0; i < NR; i++)
        TB_CHECK(t, same_as_disk(&f, (pass ? rbuf : wbuf) + (uint64_t)i * SZ, SZ,
                                 (uint64_t)i * (SZ / 512)),
                 "mode %u pass %u req %u: data differs", mode, pass, i);
      TB_CHECK(t, f.notifies - notif0 >= 1 && f.notifies - notif0 <= NR, "%u doorbells",
               f.notifies - notif0);
      for (unsigned q = 0; q < b.nq; q++) TB_CHECK_EQ(t, vdrv_blk_inflight(&b, q), 0);
    }
    vdrv_blk_fini(&b);
  }
}

TB_TEST(blkdrv_errors, "completion errors reach the caller: status IOERR -EIO, UNSUPP "
                       "-EOPNOTSUPP, an unknown status byte -EPROTO, used length 0 or beyond "
                       "the buffer (reads, GET_ID) or short for a read -EPROTO; raw requests "
                       "(unknown type, past the capacity, partial sector) answered by the "
                       "device; a used id out of range breaks the queue (-EIO, needs_reset) "
                       "and vdrv_blk_reset recovers") {
  fb_t f;
  vdrv_pci_dev_t dev;
  vdrv_vpci_t v;
  fb_open(t, &f, &dev, &v);
  vdrv_blk_opts_t o;
  fb_opts(&o, VDRV_BLK_IRQ_MSIX, VDRV_BLK_LAYOUT_MERGE);
  vdrv_blk_t b;
  TB_DRV(t, vdrv_blk_init(&b, &v, &o));
  uint64_t r = buf_alloc(t, &f, 2048, VDRV_DMA_DEV_WRITE);
  vdrv_virtq_seg_t s = {r, 1024};
  static const struct { int st, len, want; } cases[] = {
      {VEP_BLK_S_IOERR, -1, -EIO}, {VEP_BLK_S_UNSUPP, -1, -EOPNOTSUPP}, {7, -1, -EPROTO},
      {-1, 0, -EPROTO}, {-1, 1026, -EPROTO}, {-1, 513, -EPROTO}, {-1, 1025, 0}};
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    f.force_status = cases[i].st;
    f.force_len = cases[i].len;
    TB_CHECK_EQ_CTX(t, vdrv_blk_read(&b, 1, 8, &s, 1), cases[i].want, "case %u", i);
    TB_CHECK_EQ_CTX(t, vdrv_blk_inflight(&b, 1), 0, "case %u", i);
    TB_CHECK(t, !b.needs_reset, "case %u: needs_reset", i);
  }
  char id[21];
  f.force_len = 0;
  TB_CHECK_EQ(t, vdrv_blk_get_id(&b, 0, id), -EPROTO);
  f.force_len = 22;
  TB_CHECK_EQ(t, vdrv_blk_get_id(&b, 0, id), -EPROTO);
  f.force_len = 21;
  TB_CHECK_EQ(t, vdrv_blk_get_id(&b, 0, id), 0);
  f.force_status = f.force_len = -1;
  vdrv_blk_io_t io = {99, 0, &s, 1, VDRV_BLK_IO_RAW};
  ac_req_t a;
  memset(&a, 0, sizeof a);
  TB_DRV(t, vdrv_blk_submit(&b, 0, &io, ac_cb, &a));
  TB_CHECK_EQ(t, vdrv_blk_wait(&b, 0), 1);
  TB_CHECK_EQ(t, a.result, -EOPNOTSUPP);
  io = (vdrv_blk_io_t){VEP_BLK_T_IN, b.capacity - 1, &s, 1, VDRV_BLK_IO_RAW};
  memset(&a, 0, sizeof a);
  TB_DRV(t, vdrv_blk_submit(&b, 0, &io, ac_cb, &a));
  TB_CHECK_EQ(t, vdrv_blk_wait(&b, 0), 1);
  TB_CHECK_EQ(t, a.result, -EIO);
  s.len = 700;
  io = (vdrv_blk_io_t){VEP_BLK_T_IN, 0, &s, 1, VDRV_BLK_IO_RAW};
  memset(&a, 0, sizeof a);
  TB_DRV(t, vdrv_blk_submit(&b, 0, &io, ac_cb, &a));
  TB_CHECK_EQ(t, vdrv_blk_wait(&b, 0), 1);
  TB_CHECK_EQ(t, a.result, -EIO);
  TB_CHECK_EQ(t, a.len, 1);
  s.len = 1024;
  /* A broken used ring. */
  f.bad_id = 1;
  TB_CHECK_EQ(t, vdrv_blk_read(&b, 2, 0, &s, 1), -EIO);
  TB_CHECK(t, b.needs_reset, "needs_reset after a bad used id");
  TB_CHECK_EQ(t, vdrv_blk_read(&b, 0, 0, &s, 1), -EIO);
  TB_DRV(t, vdrv_blk_reset(&b));
  TB_CHECK(t, !b.needs_reset && b.ready, "ready again");
  all_types(t, &f, &b, 2, "after reset");
  vdrv_blk_fini(&b);
}

TB_TEST(blkdrv_needs_reset, "the fake device sets DEVICE_NEEDS_RESET with requests in flight "
                            "(announced by a configuration MSI-X, the ISR config bit, or found "
                            "by status polling): waits and submits return -EIO, reset cancels "
                            "what is in flight once (-ECANCELED), and the device works again") {
  fb_t f;
  vdrv_pci_dev_t dev;
  vdrv_vpci_t v;
  fb_open(t, &f, &dev, &v);
  uint64_t r = buf_alloc(t, &f, 8192, VDRV_DMA_DEV_WRITE);
  for (unsigned irq = 0; irq < 3; irq++) {
    vdrv_blk_opts_t o;
    fb_opts(&o, irq, 0);
    vdrv_blk_t b;
    TB_DRV(t, vdrv_blk_init(&b, &v, &o));
    f.reset_after = 3;
    ac_req_t req[8];
    memset(req, 0, sizeof req);
    for (unsigned i = 0; i < 8; i++) {
      vdrv_virtq_seg_t s = {r + 1024u * i, 1024};
      vdrv_blk_io_t io = {VEP_BLK_T_IN, 2u * i, &s, 1, 0};
      TB_DRV(t, vdrv_blk_submit(&b, 0, &io, ac_cb, &req[i]));
    }
    unsigned done = 0;
    int rc;
    while ((rc = vdrv_blk_wait(&b, 0)) > 0) done += (unsigned)rc;
    TB_CHECK_EQ_CTX(t, rc, -EIO, "irq %u", irq);
    TB_CHECK(t, b.needs_reset, "irq %u: needs_reset", irq);
    TB_CHECK(t, done >= 3, "irq %u: %u completed before", irq, done);
    if (irq == VDRV_BLK_IRQ_MSIX) TB_CHECK(t, b.config_irqs >= 1, "config interrupt");
    vdrv_virtq_seg_t s = {r, 512};
    TB_CHECK_EQ(t, vdrv_blk_read(&b, 0, 0, &s, 1), -EIO);
    TB_DRV(t, vdrv_blk_reset(&b));
    unsigned cancelled = 0;
    for (unsigned i = 0; i < 8; i++) {
      TB_CHECK_EQ_CTX(t, req[i].ncb, 1, "irq %u req %u", irq, i);
      TB_CHECK(t, req[i].result == 0 || req[i].result == -ECANCELED, "irq %u req %u: %d", irq,
               i, req[i].result);
      cancelled += req[i].result == -ECANCELED;
    }
    TB_CHECK_EQ_CTX(t, cancelled + done, 8, "irq %u", irq);
    TB_CHECK_EQ(t, tb_status_rd(t) & VEP_STATUS_DRIVER_OK, VEP_STATUS_DRIVER_OK);
    all_types(t, &f, &b, 0, "after needs_reset");
    vdrv_blk_fini(&b);
  }
}

TB_TEST(blkdrv_real_needs_reset, "the endpoint itself sets DEVICE_NEEDS_RESET (a queue_enable "
                                 "write of 0, a driver error it reports as QEMU does) and sends "
                                 "the configuration interrupt: the driver notices it through "
                                 "vdrv_blk_process (MSI-X) / status polling, and reset + re-init "
                                 "brings the device back") {
  fb_t f;
  vdrv_pci_dev_t dev;
  vdrv_vpci_t v;
  fb_open(t, &f, &dev, &v);
  for (unsigned irq = 0; irq < 3; irq += 2) {
    vdrv_blk_opts_t o;
    fb_opts(&o, irq, 0);
    vdrv_blk_t b;
    TB_DRV(t, vdrv_blk_init(&b, &v, &o));
    all_types(t, &f, &b, 1, "before");
    TB_DRV(t, vdrv_vpci_common_write(&v, VEP_COMMON_Q_SELECT, 2, 1));
    TB_DRV(t, vdrv_vpci_common_write(&v, VEP_COMMON_Q_ENABLE, 2, 0));
    TB_CHECK(t, tb_status_rd(t) & VEP_STATUS_DEVICE_NEEDS_RESET, "endpoint NEEDS_RESET");
    TB_CHECK_EQ_CTX(t, vdrv_blk_wait(&b, 20000), -EIO, "irq %u", irq);
    TB_CHECK(t, b.needs_reset, "driver saw it");
    if (irq == VDRV_BLK_IRQ_MSIX) TB_CHECK_EQ(t, b.config_irqs, 1);
    TB_DRV(t, vdrv_blk_reset(&b));
    TB_CHECK_EQ(t, tb_status_rd(t) & (VEP_STATUS_DEVICE_NEEDS_RESET | VEP_STATUS_DRIVER_OK),
                VEP_STATUS_DRIVER_OK);
    all_types(t, &f, &b, 1, "after");
    vdrv_blk_fini(&b);
  }
}

TB_TEST(blkdrv_timeout, "a device that stops answering: the synchronous helper returns "
                        "-ETIMEDOUT after the configured cycles and abandons the request; a "
                        "later reset cancels it silently (its callback is gone) and frees its "
                        "memory; a device that sets DEVICE_NEEDS_RESET without telling is found "
                        "when the wait times out") {
  fb_t f;
  vdrv_pci_dev_t dev;
  vdrv_vpci_t v;
  fb_open(t, &f, &dev, &v);
  vdrv_blk_opts_t o;
  fb_opts(&o, VDRV_BLK_IRQ_MSIX, 0);
  o.timeout_cycles = 5000;
  vdrv_blk_t b;
  TB_DRV(t, vdrv_blk_init(&b, &v, &o));
  f.stopped = 1;
  uint64_t c0 = cosim_cycles(t->sim);
  char id[21];
  TB_CHECK_EQ(t, vdrv_blk_get_id(&b, 0, id), -ETIMEDOUT);
  TB_CHECK(t, cosim_cycles(t->sim) - c0 >= 5000, "timed out after %llu cycles",
           (unsigned long long)(cosim_cycles(t->sim) - c0));
  TB_CHECK_EQ(t, vdrv_blk_inflight(&b, 0), 1);
  TB_CHECK_EQ(t, vdrv_blk_flush(&b, 0), -ETIMEDOUT);
  f.stopped = 0;
  TB_DRV(t, vdrv_blk_reset(&b));
  TB_CHECK_EQ(t, vdrv_blk_inflight(&b, 0), 0);
  all_types(t, &f, &b, 0, "after timeout");
  /* Silent NEEDS_RESET: no interrupt, the device just stops. */
  f.stopped = 1;
  f.needs_reset = 1;
  TB_CHECK_EQ(t, vdrv_blk_flush(&b, 0), -EIO);
  TB_CHECK(t, b.needs_reset, "needs_reset after the timeout's status read");
  f.stopped = 0;
  TB_DRV(t, vdrv_blk_reset(&b));
  all_types(t, &f, &b, 0, "after silent needs_reset");
  vdrv_blk_fini(&b);
}

TB_TEST(blkdrv_config_change, "a capacity change on the endpoint (its own configuration "
                              "interrupt: MSI-X config vector, or INTx ISR bit 1) makes the "
                              "driver re-read the capacity (once per change, no reset "
                              "needed)") {
  fb_t f;
  vdrv_pci_dev_t dev;
  vdrv_vpci_t v;
  fb_open(t, &f, &dev, &v);
  for (unsigned irq = 0; irq < 2; irq++) {
    vdrv_blk_opts_t o;
    fb_opts(&o, irq, 0);
    vdrv_blk_t b;
    TB_DRV(t, vdrv_blk_init(&b, &v, &o));
    uint64_t cap = b.capacity;
    cosim_set_blk_capacity(t->sim, cap + 8 + irq);
    for (unsigned i = 0; i < 40 && b.capacity == cap; i++) {
      TB_CHECK(t, vdrv_blk_process(&b) >= 0, "process");
      tb_run(t, 20);
    }
    TB_CHECK_EQ_CTX(t, b.capacity, cap + 8 + irq, "irq %u", irq);
    TB_CHECK_EQ_CTX(t, b.config_changes, 1, "irq %u", irq);
    TB_CHECK(t, !b.needs_reset, "no reset needed");
    cosim_set_blk_capacity(t->sim, cap);
    vdrv_blk_fini(&b);
  }
}

TB_TEST(blkdrv_irq_race, "a completion that lands while the driver drains with interrupts "
                         "disabled (right after its last used.idx read) comes without an "
                         "interrupt: the driver finds it when it re-enables interrupts and "
                         "drains again (MSI-X and INTx, EVENT_IDX on and off)") {
  fb_t f;
  vdrv_pci_dev_t dev;
  vdrv_vpci_t v;
  fb_open(t, &f, &dev, &v);
  uint64_t r = buf_alloc(t, &f, 1024, VDRV_DMA_DEV_WRITE);
  for (unsigned mode = 0; mode < 4; mode++) {
    vdrv_blk_opts_t o;
    fb_opts(&o, mode & 1, 0);
    if (mode & 2) o.refuse_features = 1ull << VEP_F_EVENT_IDX;
    o.timeout_cycles = 20000;
    vdrv_blk_t b;
    TB_DRV(t, vdrv_blk_init(&b, &v, &o));
    ac_req_t req[2];
    memset(req, 0, sizeof req);
    f.hold = 1;
    for (unsigned i = 0; i < 2; i++) {
      vdrv_virtq_seg_t s = {r + 512u * i, 512};
      vdrv_blk_io_t io = {VEP_BLK_T_IN, i, &s, 1, 0};
      TB_DRV(t, vdrv_blk_submit(&b, 0, &io, ac_cb, &req[i]));
    }
    for (unsigned i = 0; i < 1000 && f.q[0].npend < 2; i++) tb_run(t, 1), fb_step(&f);
    TB_REQUIRE(t, f.q[0].npend == 2, "fake holds %u", f.q[0].npend);
    /* The first completes with an interrupt; the second right after the driver's second
     * used.idx read of its drain (the one that finds nothing more). */
    fb_complete(&f, &f.q[0], 0, 0);
    f.race_reads = 2;
    uint64_t races = b.rearm_races;
    unsigned done = 0;
    int rc;
    while (done < 2 && (rc = vdrv_blk_wait(&b, 0)) > 0) done += (unsigned)rc;
    TB_CHECK_EQ_CTX(t, done, 2, "mode %u", mode);
    TB_CHECK_EQ_CTX(t, f.race_reads, 0, "mode %u: race armed but not hit", mode);
    TB_CHECK_EQ_CTX(t, b.rearm_races - races, 1, "mode %u", mode);
    TB_CHECK(t, req[0].result == 0 && req[1].result == 0, "mode %u results %d %d", mode,
             req[0].result, req[1].result);
    f.hold = 0;
    f.race_reads = 0;
    vdrv_blk_fini(&b);
  }
}
