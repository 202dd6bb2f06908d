/* SPDX-License-Identifier: Apache-2.0 */
#include "tb_blk_lib.h"

#include <errno.h>
#include <string.h>

#include "cosim_storage.h"
#include "vep_consts.h"

static void shadow_put(tb_blk_t *k, uint64_t off, const void *src, size_t len)
{
  TB_DRV(k->t, cosim_hmem_write(cosim_host_mem(k->t->sim), k->shadow + off, src, len));
}

static void shadow_get(tb_blk_t *k, uint64_t off, void *dst, size_t len)
{
  TB_DRV(k->t, cosim_hmem_read(cosim_host_mem(k->t->sim), k->shadow + off, dst, len));
}

void tb_blk_opts(tb_blk_t *k, unsigned irq_mode, unsigned layout)
{
  vdrv_blk_opts_default(&k->o);
  k->o.irq_mode = irq_mode;
  k->o.layout = layout;
  k->o.msi_addr = TB_MSI_ADDR(0);
  k->o.msi_data = TB_MSI_DATA(0);
  k->o.timeout_cycles = 2000000;
}

void tb_blk_open(tb_t *t, tb_blk_t *k, const vdrv_blk_opts_t *o)
{
  vdrv_blk_opts_t opts;
  if (o != NULL) {
    opts = *o;
  } else {
    tb_blk_opts(k, VDRV_BLK_IRQ_MSIX, 0);
    opts = k->o;
  }
  memset(k, 0, sizeof *k);
  k->t = t;
  k->o = opts;
  tb_bringup(t, &k->dev, &k->v);
  TB_DRV(t, vdrv_blk_init(&k->b, &k->v, &k->o));
  k->capacity = k->b.capacity;
  TB_DRV(t, cosim_hmem_alloc(cosim_host_mem(t->sim), k->capacity * 512 + 512, 4096, 1,
                             &k->shadow));
  cosim_storage_t *s = cosim_blk_storage(t->sim);
  uint8_t buf[64 * 512];
  for (uint64_t sec = 0; sec < k->capacity; sec += 64) {
    uint32_t n = k->capacity - sec < 64 ? (uint32_t)(k->capacity - sec) : 64;
    TB_DRV(t, cosim_storage_read_direct(s, sec, n, buf));
    shadow_put(k, sec * 512, buf, n * 512u);
  }
}

void tb_blk_close(tb_blk_t *k)
{
  vdrv_blk_fini(&k->b);
}

uint64_t tb_blk_buf(tb_blk_t *k, size_t len, size_t align, unsigned dir)
{
  uint64_t a = 0;
  TB_DRV(k->t, k->t->bus.ops->dma_alloc(k->t->bus.ctx, len, align, dir, &a));
  return a;
}

void tb_blk_put(tb_blk_t *k, uint64_t a, const void *src, size_t len)
{
  TB_DRV(k->t, k->t->bus.ops->dma_write(k->t->bus.ctx, a, src, len));
}

void tb_blk_get(tb_blk_t *k, uint64_t a, void *dst, size_t len)
{
  TB_DRV(k->t, k->t->bus.ops->dma_read(k->t->bus.ctx, a, dst, len));
}

uint16_t tb_blk_get16(tb_blk_t *k, uint64_t a)
{
  uint8_t b[2];
  tb_blk_get(k, a, b, 2);
  return (uint16_t)(b[0] | b[1] << 8);
}

void tb_blk_put16(tb_blk_t *k, uint64_t a, uint16_t v)
{
  uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  tb_blk_put(k, a, b, 2);
}

void tb_blk_wait_backend_idle(tb_blk_t *k, const char *what)
{
  tb_t *t = k->t;
  uint64_t w = cosim_cycles(t->sim);
  while (!cosim_blk_idle(t->sim) && cosim_cycles(t->sim) - w < 200000) {
    tb_run(t, 64);
  }
  TB_CHECK(t, cosim_blk_idle(t->sim), "%s: the backend is still busy", what);
}

int tb_blk_disk_old_or_new(tb_blk_t *k, uint64_t sector, const vdrv_virtq_seg_t *seg,
                           unsigned nseg)
{
  tb_t *t = k->t;
  uint8_t disk[4096], old[4096], neu[4096];
  uint32_t len = 0;
  for (unsigned s = 0; s < nseg; s++) {
    TB_REQUIRE(t, len + seg[s].len <= sizeof neu, "a write of more than %zu bytes",
               sizeof neu);
    tb_blk_get(k, seg[s].addr, neu + len, seg[s].len);
    len += seg[s].len;
  }
  TB_DRV(t, cosim_storage_read_direct(cosim_blk_storage(t->sim), sector, len / 512u, disk));
  TB_DRV(t, cosim_hmem_read(cosim_host_mem(t->sim), k->shadow + sector * 512u, old, len));
  return (memcmp(disk, old, len) ? 0 : TB_BLK_DISK_OLD) |
         (memcmp(disk, neu, len) ? 0 : TB_BLK_DISK_NEW);
}

void tb_dma_fill(tb_t *t, uint64_t a, size_t len, uint32_t seed)
{
  uint8_t b[512];
  for (size_t o = 0; o < len; o += sizeof b) {
    size_t n = len - o < sizeof b ? len - o : sizeof b;
    for (size_t i = 0; i < n; i++) {
      b[i] = (uint8_t)((seed * 2654435761u + (o + i) * 40503u) >> 7);
    }
    TB_DRV(t, t->bus.ops->dma_write(t->bus.ctx, a + o, b, n));
  }
}

void tb_blk_fill(tb_blk_t *k, uint64_t a, size_t len, uint32_t seed)
{
  tb_dma_fill(k->t, a, len, seed);
}

void tb_blk_shadow_write(tb_blk_t *k, uint64_t sector, const vdrv_virtq_seg_t *seg,
                         unsigned nseg)
{
  uint64_t off = sector * 512;
  uint8_t buf[4096];
  for (unsigned i = 0; i < nseg; i++) {
    for (uint32_t o = 0; o < seg[i].len; o += sizeof buf) {
      uint32_t n = seg[i].len - o < sizeof buf ? seg[i].len - o : (uint32_t)sizeof buf;
      tb_blk_get(k, seg[i].addr + o, buf, n);
      shadow_put(k, off + o, buf, n);
    }
    off += seg[i].len;
  }
}

int tb_blk_check_read(tb_blk_t *k, uint64_t sector, const vdrv_virtq_seg_t *seg, unsigned nseg,
                      const char *what)
{
  uint64_t off = sector * 512;
  uint8_t buf[4096], want[4096];
  for (unsigned i = 0; i < nseg; i++) {
    for (uint32_t o = 0; o < seg[i].len; o += sizeof buf) {
      uint32_t n = seg[i].len - o < sizeof buf ? seg[i].len - o : (uint32_t)sizeof buf;
      tb_blk_get(k, seg[i].addr + o, buf, n);
      shadow_get(k, off + o, want, n);
      for (uint32_t j = 0; j < n; j++) {
        if (buf[j] != want[j]) {
          tb_fail(k->t, __FILE__, __LINE__,
                  "%s: byte %llu of the read (sector %llu + %llu, segment %u at 0x%llx) is 0x%02x, "
                  "the disk holds 0x%02x", what, (unsigned long long)(off + o + j - sector * 512),
                  (unsigned long long)sector, (unsigned long long)(off + o + j - sector * 512),
                  i, (unsigned long long)(seg[i].addr + o + j), buf[j], want[j]);
          return 0;
        }
      }
    }
    off += seg[i].len;
  }
  return 1;
}

int tb_blk_check_disk(tb_blk_t *k)
{
  cosim_storage_t *s = cosim_blk_storage(k->t->sim);
  uint8_t buf[8 * 512], want[8 * 512];
  for (uint64_t sec = 0; sec < k->capacity; sec += 8) {
    uint32_t n = k->capacity - sec < 8 ? (uint32_t)(k->capacity - sec) : 8;
    TB_DRV(k->t, cosim_storage_read_direct(s, sec, n, buf));
    shadow_get(k, sec * 512, want, n * 512u);
    if (memcmp(buf, want, n * 512u) != 0) {
      for (uint32_t j = 0; j < n * 512u; j++) {
        if (buf[j] != want[j]) {
          tb_fail(k->t, __FILE__, __LINE__,
                  "the disk differs from its shadow at sector %llu byte %u: 0x%02x, expected "
                  "0x%02x", (unsigned long long)(sec + j / 512), j % 512, buf[j], want[j]);
          return 0;
        }
      }
    }
  }
  return 1;
}

unsigned tb_split(tb_rng_t *rng, uint64_t a, uint32_t len, unsigned n, vdrv_virtq_seg_t *seg)
{
  if (n > len) {
    n = len;
  }
  uint32_t left = len;
  for (unsigned i = 0; i < n; i++) {
    uint32_t room = left - (n - 1 - i);
    uint32_t l = i + 1 == n ? left : 1 + tb_rand_below(rng, room / 2 + 1);
    if (l > room) {
      l = room;
    }
    seg[i] = (vdrv_virtq_seg_t){a, l};
    a += l;
    left -= l;
  }
  return n;
}

unsigned tb_blk_split(tb_blk_t *k, uint64_t a, uint32_t len, unsigned n, vdrv_virtq_seg_t *seg)
{
  return tb_split(&k->t->rng, a, len, n, seg);
}

/* ---- Added for the data-path tests ---- */

typedef struct io_wait {
  int done;
  vdrv_blk_cpl_t cpl;
} io_wait_t;

static void io_wait_cb(void *cookie, const vdrv_blk_cpl_t *cpl)
{
  io_wait_t *w = cookie;
  w->done = 1;
  w->cpl = *cpl;
}

static void wait_some(tb_blk_t *k)
{
  int rc = vdrv_blk_wait(&k->b, 0);
  if (rc < 0) {
    tb_fail(k->t, __FILE__, __LINE__, "vdrv_blk_wait: %d (%s) with %u/%u/%u/%u in flight", rc,
            rc == -ETIMEDOUT ? "the device completed nothing in time" : "the device needs a reset",
            vdrv_blk_inflight(&k->b, 0), vdrv_blk_inflight(&k->b, 1), vdrv_blk_inflight(&k->b, 2),
            vdrv_blk_inflight(&k->b, 3));
    tb_abort(k->t);
  }
}

int tb_blk_io_wait(tb_blk_t *k, unsigned q, const vdrv_blk_io_t *io, vdrv_blk_cpl_t *cpl)
{
  io_wait_t w;
  memset(&w, 0, sizeof w);
  int rc;
  while ((rc = vdrv_blk_submit(&k->b, q, io, io_wait_cb, &w)) == -ENOSPC) wait_some(k);
  if (rc < 0) return rc;
  while (!w.done) wait_some(k);
  *cpl = w.cpl;
  return 0;
}

void tb_blk_drain(tb_blk_t *k)
{
  for (;;) {
    unsigned n = 0;
    for (unsigned q = 0; q < k->b.nq; q++) n += vdrv_blk_inflight(&k->b, q);
    if (!n) return;
    wait_some(k);
  }
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
  for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t tb_blk_raw_indirect(tb_blk_t *k, unsigned q, const vdrv_virtq_seg_t *out,
                             unsigned n_out, const vdrv_virtq_seg_t *in, unsigned n_in)
{
  tb_t *t = k->t;
  TB_REQUIRE(t, q < k->b.nq && vdrv_blk_inflight(&k->b, q) == 0, "queue %u idle", q);
  vdrv_virtq_t *vq = &k->b.q[q].vq;
  unsigned n = n_out + n_in;
  TB_REQUIRE(t, n >= 1 && n <= 64, "%u segments", n);
  uint8_t tab[64 * 16];
  for (unsigned i = 0; i < n; i++) {
    const vdrv_virtq_seg_t *s = i < n_out ? &out[i] : &in[i - n_out];
    uint16_t fl = (uint16_t)((i >= n_out ? VEP_VRING_DESC_F_WRITE : 0u) |
                             (i + 1 < n ? VEP_VRING_DESC_F_NEXT : 0u));
    put_le(tab + 16 * i, s->addr, 8);
    put_le(tab + 16 * i + 8, s->len, 4);
    put_le(tab + 16 * i + 12, fl, 2);
    put_le(tab + 16 * i + 14, i + 1 < n ? i + 1 : 0, 2);
  }
  uint64_t ta = tb_blk_buf(k, 16u * n, 16, VDRV_DMA_DEV_READ);
  tb_blk_put(k, ta, tab, 16u * n);
  uint16_t head = (uint16_t)(vq->avail_idx % vq->size);
  uint8_t d[16];
  put_le(d, ta, 8);
  put_le(d + 8, 16u * n, 4);
  put_le(d + 12, VEP_VRING_DESC_F_INDIRECT, 2);
  put_le(d + 14, 0, 2);
  tb_blk_put(k, vq->desc + 16u * head, d, 16);
  uint8_t e[2];
  put_le(e, head, 2);
  tb_blk_put(k, vq->avail + VDRV_VRING_AVAIL_RING(vq->avail_idx % vq->size), e, 2);
  vq->avail_idx++;
  vq->kicked_idx = vq->avail_idx;
  put_le(e, vq->avail_idx, 2);
  tb_blk_put(k, vq->avail + VDRV_VRING_IDX, e, 2);
  TB_DRV(t, vdrv_vpci_notify(&k->v, (uint16_t)q));
  uint8_t u[2];
  for (uint64_t waited = 0;; waited += 64) {
    tb_blk_get(k, vq->used + VDRV_VRING_IDX, u, 2);
    if ((uint16_t)(u[0] | u[1] << 8) != vq->last_used) break;
    TB_REQUIRE(t, waited < 2000000, "queue %u: the device did not return the raw chain", q);
    tb_run(t, 64);
  }
  TB_CHECK_EQ(t, (uint16_t)(u[0] | u[1] << 8), (uint16_t)(vq->last_used + 1));
  uint8_t el[8];
  tb_blk_get(k, vq->used + VDRV_VRING_USED_RING(vq->last_used % vq->size), el, 8);
  vq->last_used++;
  uint32_t id = el[0] | el[1] << 8 | el[2] << 16 | (uint32_t)el[3] << 24;
  TB_CHECK_EQ(t, id, head);
  k->t->bus.ops->dma_free(k->t->bus.ctx, ta);
  return el[4] | el[5] << 8 | el[6] << 16 | (uint32_t)el[7] << 24;
}

int tb_blk_check_fill(tb_blk_t *k, uint64_t a, size_t skip, size_t len, uint32_t seed,
                      const char *what)
{
  uint8_t b[512];
  for (size_t o = skip; o < skip + len; o += sizeof b) {
    size_t n = skip + len - o < sizeof b ? skip + len - o : sizeof b;
    tb_blk_get(k, a + o, b, n);
    for (size_t i = 0; i < n; i++) {
      uint8_t want = (uint8_t)((seed * 2654435761u + (o + i) * 40503u) >> 7);
      if (b[i] != want) {
        tb_fail(k->t, __FILE__, __LINE__, "%s: byte %zu at 0x%llx is 0x%02x, expected 0x%02x "
                "(unchanged)", what, o + i, (unsigned long long)(a + o + i), b[i], want);
        return 0;
      }
    }
  }
  return 1;
}
