/* SPDX-License-Identifier: Apache-2.0 */
#include "cosim_drvbus.h"

#include <errno.h>

/* A diverged lockstep run has no meaningful answers left: stop the driver's loops. */
static int dead(cosim_t *s) { return cosim_diverged(s); }

static int db_cfg_read(void *ctx, vdrv_bdf_t bdf, unsigned off, unsigned size, uint32_t *val) {
  cosim_t *s = ctx;
  if (dead(s)) return -EIO;
  return cosim_cfg_read(s, bdf, off, size, val, NULL);
}

static int db_cfg_write(void *ctx, vdrv_bdf_t bdf, unsigned off, unsigned size, uint32_t val) {
  cosim_t *s = ctx;
  if (dead(s)) return -EIO;
  return cosim_cfg_write(s, bdf, off, size, val, NULL);
}

static int db_mmio_read(void *ctx, uint64_t addr, unsigned size, uint64_t *val) {
  cosim_t *s = ctx;
  if (dead(s)) return -EIO;
  return cosim_mem_read(s, addr, size, val, NULL);
}

static int db_mmio_write(void *ctx, uint64_t addr, unsigned size, uint64_t val) {
  cosim_t *s = ctx;
  if (dead(s)) return -EIO;
  return cosim_mem_write(s, addr, size, val);
}

static void db_delay(void *ctx, unsigned cycles) { cosim_run(ctx, cycles); }

static const vdrv_bus_ops_t drvbus_ops = {
    .cfg_read = db_cfg_read,
    .cfg_write = db_cfg_write,
    .mmio_read = db_mmio_read,
    .mmio_write = db_mmio_write,
    .delay = db_delay,
};

int cosim_drvbus_init(vdrv_bus_t *bus, cosim_t *s) {
  if (!bus || !s) return -EINVAL;
  bus->ops = &drvbus_ops;
  bus->ctx = s;
  bus->mmio_window_base = COSIM_MMIO_WINDOW_BASE;
  bus->mmio_window_size = COSIM_MMIO_WINDOW_SIZE;
  bus->mmio32_window_base = COSIM_MMIO32_WINDOW_BASE;
  bus->mmio32_window_size = COSIM_MMIO32_WINDOW_SIZE;
  bus->first_bus = COSIM_EP_BUS;
  return 0;
}
