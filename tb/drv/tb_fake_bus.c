/* SPDX-License-Identifier: Apache-2.0 */
/* The fake driver bus (tb_fake_bus.h). */
#include "tb_fake_bus.h"

#include <errno.h>
#include <string.h>

static int over_limit(tb_fake_bus_t *f) {
  if (tb_fake_ops(f) < f->limit) return 0;
  f->refused++;
  return 1;
}

static uint64_t get_le(const uint8_t *p, unsigned size) {
  uint64_t v = 0;
  for (unsigned i = 0; i < size; i++) v |= (uint64_t)p[i] << (8 * i);
  return v;
}

static void put_le(uint8_t *p, unsigned size, uint64_t v) {
  for (unsigned i = 0; i < size; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static int ok_size(unsigned off, unsigned size, unsigned max, unsigned limit) {
  return size >= 1 && size <= max && (size & (size - 1)) == 0 && off % size == 0 &&
         off + size <= limit;
}

static int fake_cfg_read(void *ctx, vdrv_bdf_t bdf, unsigned off, unsigned size, uint32_t *val) {
  tb_fake_bus_t *f = ctx;
  if (over_limit(f)) return -EIO;
  f->cfg_reads++;
  if (!ok_size(off, size, 4, TB_FAKE_CFG_SIZE)) return -EINVAL;
  if (bdf != TB_FAKE_BDF) {
    f->stray++;
    *val = size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1u;
    return 0;
  }
  *val = (uint32_t)get_le(&f->cfg[off], size);
  return 0;
}

static int fake_cfg_write(void *ctx, vdrv_bdf_t bdf, unsigned off, unsigned size, uint32_t val) {
  tb_fake_bus_t *f = ctx;
  if (over_limit(f)) return -EIO;
  f->cfg_writes++;
  if (!ok_size(off, size, 4, TB_FAKE_CFG_SIZE)) return -EINVAL;
  if (bdf != TB_FAKE_BDF) {
    f->stray++;
    return 0;
  }
  put_le(&f->cfg[off], size, val);
  return 0;
}

/* BAR0 offset of [addr, addr + size), or -1 when it is not inside BAR0. */
static long bar_off(uint64_t addr, unsigned size) {
  if (addr < TB_FAKE_BAR_ADDR || addr - TB_FAKE_BAR_ADDR > TB_FAKE_BAR_SIZE - size) return -1;
  return (long)(addr - TB_FAKE_BAR_ADDR);
}

static int fake_mmio_read(void *ctx, uint64_t addr, unsigned size, uint64_t *val) {
  tb_fake_bus_t *f = ctx;
  if (over_limit(f)) return -EIO;
  f->mmio_reads++;
  if (!ok_size((unsigned)(addr & 7u), size, 8, 8)) return -EINVAL;
  long off = bar_off(addr, size);
  if (off < 0) {
    f->stray++;
    *val = size == 8 ? ~0ull : (1ull << (8 * size)) - 1u;
    return 0;
  }
  *val = get_le(&f->bar[off], size);
  return 0;
}

static int fake_mmio_write(void *ctx, uint64_t addr, unsigned size, uint64_t val) {
  tb_fake_bus_t *f = ctx;
  if (over_limit(f)) return -EIO;
  f->mmio_writes++;
  if (!ok_size((unsigned)(addr & 7u), size, 8, 8)) return -EINVAL;
  long off = bar_off(addr, size);
  if (off < 0) {
    f->stray++;
    return 0;
  }
  put_le(&f->bar[off], size, val);
  return 0;
}

static void fake_delay(void *ctx, unsigned cycles) {
  tb_fake_bus_t *f = ctx;
  (void)cycles;
  f->delays++;
}

void tb_fake_init(tb_fake_bus_t *f) {
  memset(f, 0, sizeof *f);
  f->ops.cfg_read = fake_cfg_read;
  f->ops.cfg_write = fake_cfg_write;
  f->ops.mmio_read = fake_mmio_read;
  f->ops.mmio_write = fake_mmio_write;
  f->ops.delay = fake_delay;
  f->bus.ops = &f->ops;
  f->bus.ctx = f;
  f->bus.mmio_window_base = TB_FAKE_BAR_ADDR & ~0xFFFFFFFull;
  f->bus.mmio_window_size = 0x10000000ull;
  f->bus.first_bus = 1;
  f->limit = TB_FAKE_LIMIT;
}

unsigned long tb_fake_ops(const tb_fake_bus_t *f) {
  return f->cfg_reads + f->cfg_writes + f->mmio_reads + f->mmio_writes + f->delays;
}

void tb_fake_cfg_put(tb_fake_bus_t *f, unsigned off, unsigned size, uint32_t val) {
  put_le(&f->cfg[off], size, val);
}

uint32_t tb_fake_cfg_get(const tb_fake_bus_t *f, unsigned off, unsigned size) {
  return (uint32_t)get_le(&f->cfg[off], size);
}

void tb_fake_bar_put(tb_fake_bus_t *f, unsigned off, unsigned size, uint32_t val) {
  put_le(&f->bar[off], size, val);
}

void tb_fake_caps(tb_fake_bus_t *f, const tb_fake_cap_t *caps, unsigned n, unsigned *pos) {
  unsigned at = 0x40, prev = 0;
  for (unsigned i = 0; i < n; i++) {
    const tb_fake_cap_t *c = &caps[i];
    unsigned p = c->at ? c->at : at;
    unsigned len = 4;
    tb_fake_cfg_put(f, p, 1, c->id);
    tb_fake_cfg_put(f, p + 1, 1, 0);
    if (c->id == 0x09) {
      len = c->cap_len ? c->cap_len : (c->cfg_type == 2 || c->cfg_type == 5) ? 20u : 16u;
      tb_fake_cfg_put(f, p + 2, 1, len);
      tb_fake_cfg_put(f, p + 3, 1, c->cfg_type);
      tb_fake_cfg_put(f, p + 4, 1, c->bar);
      tb_fake_cfg_put(f, p + 8, 4, c->offset);
      tb_fake_cfg_put(f, p + 12, 4, c->length);
      if (len >= 20 && p + 20 <= 0x100) tb_fake_cfg_put(f, p + 16, 4, c->extra);
    } else if (c->id == 0x11) {
      len = 12;
      tb_fake_cfg_put(f, p + 2, 2, 7);          /* Table Size 8 */
      tb_fake_cfg_put(f, p + 4, 4, 0x4000);     /* table: BAR0 0x4000 */
      tb_fake_cfg_put(f, p + 8, 4, 0x5000);     /* PBA: BAR0 0x5000 */
    }
    if (i == 0) tb_fake_cfg_put(f, 0x34, 1, p);
    else tb_fake_cfg_put(f, prev + 1, 1, p);
    if (pos) pos[i] = p;
    prev = p;
    at = (p + len + 3u) & ~3u;
  }
  uint32_t status = tb_fake_cfg_get(f, 0x06, 2);
  tb_fake_cfg_put(f, 0x06, 2, n ? status | 0x0010u : status & ~0x0010u);
  if (!n) tb_fake_cfg_put(f, 0x34, 1, 0);
}

void tb_fake_virtio_caps(tb_fake_cap_t caps[TB_FAKE_NCAPS]) {
  const tb_fake_cap_t def[TB_FAKE_NCAPS] = {
      {.id = 0x11},
      {.id = 0x09, .cfg_type = 1, .bar = 0, .offset = 0x0000, .length = 0x38},
      {.id = 0x09, .cfg_type = 2, .bar = 0, .offset = 0x3000, .length = 0x10, .extra = 4},
      {.id = 0x09, .cfg_type = 3, .bar = 0, .offset = 0x1000, .length = 4},
      {.id = 0x09, .cfg_type = 4, .bar = 0, .offset = 0x2000, .length = 0x24},
      {.id = 0x09, .cfg_type = 5},
  };
  memcpy(caps, def, sizeof def);
}

void tb_fake_virtio(tb_fake_bus_t *f, const tb_fake_cap_t *caps, unsigned n, unsigned *pos) {
  tb_fake_cfg_put(f, 0x00, 2, 0x1AF4);
  tb_fake_cfg_put(f, 0x02, 2, 0x1042);
  tb_fake_cfg_put(f, 0x08, 4, 0x01000001u);  /* revision 1, class 0x010000 */
  tb_fake_cfg_put(f, 0x0E, 1, 0x00);         /* type 0 header */
  tb_fake_cfg_put(f, 0x10, 4, (uint32_t)TB_FAKE_BAR_ADDR | 0x4u);  /* 64-bit memory BAR */
  tb_fake_cfg_put(f, 0x14, 4, (uint32_t)(TB_FAKE_BAR_ADDR >> 32));
  tb_fake_cfg_put(f, 0x2C, 2, 0x1AF4);
  tb_fake_cfg_put(f, 0x2E, 2, 0x0040);
  tb_fake_cfg_put(f, 0x3D, 1, 1);
  tb_fake_caps(f, caps, n, pos);
  tb_fake_bar_put(f, 0x12, 2, 4);            /* num_queues */
  tb_fake_bar_put(f, 0x1E, 2, 0);            /* queue_notify_off (every queue: plain memory) */
}

int tb_fake_probe_dev(tb_fake_bus_t *f, vdrv_pci_dev_t *d) {
  int rc = vdrv_pci_probe_dev(&f->bus, TB_FAKE_BDF, d);
  if (rc == 0 && !d->bar[0].is_io) d->bar[0].size = TB_FAKE_BAR_SIZE;
  return rc;
}
