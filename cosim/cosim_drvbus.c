/* SPDX-License-Identifier: Apache-2.0 */
#include "cosim_drvbus.h"

#include <errno.h>

#include "cosim_mem.h"

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

/* DMA buffers come from the high zone, so that every address the driver programs has a non-zero
 * upper half (the device's 4DW requests and the 64-bit queue registers are exercised). */
static int db_dma_alloc(void *ctx, size_t size, size_t align, unsigned dir, uint64_t *bus_addr) {
  cosim_hmem_t *m = cosim_host_mem(ctx);
  if (!bus_addr || !dir || (dir & ~(VDRV_DMA_DEV_READ | VDRV_DMA_DEV_WRITE))) return -EINVAL;
  uint64_t a;
  int rc = cosim_hmem_alloc(m, size, align, 1, &a);
  if (rc) return rc;
  unsigned perm = ((dir & VDRV_DMA_DEV_READ) ? COSIM_HMEM_DEV_READ : 0u) |
                  ((dir & VDRV_DMA_DEV_WRITE) ? COSIM_HMEM_DEV_WRITE : 0u);
  /* The permission map is the simulated IOMMU: the root complex refuses (and reports) any
   * device access outside it or in the other direction. */
  rc = cosim_hmem_expose(m, a, size, perm);
  if (rc) {
    cosim_hmem_free(m, a);
    return rc;
  }
  *bus_addr = a;
  return 0;
}

static void db_dma_free(void *ctx, uint64_t bus_addr) {
  /* Also takes the range out of the permission map; -ENOENT (a driver bug) has nobody to go to:
   * the buffer stays as it was. */
  (void)cosim_hmem_free(cosim_host_mem(ctx), bus_addr);
}

static int db_dma_read(void *ctx, uint64_t bus_addr, void *buf, size_t len) {
  return cosim_hmem_read(cosim_host_mem(ctx), bus_addr, buf, len);
}

static int db_dma_write(void *ctx, uint64_t bus_addr, const void *buf, size_t len) {
  return cosim_hmem_write(cosim_host_mem(ctx), bus_addr, buf, len);
}

static void db_set_irq_handler(void *ctx, void (*fn)(void *arg, uint64_t addr, uint32_t data),
                               void *arg) {
  cosim_set_msi_handler(ctx, fn, arg);
}

static const vdrv_bus_ops_t drvbus_ops = {
    .cfg_read = db_cfg_read,
    .cfg_write = db_cfg_write,
    .mmio_read = db_mmio_read,
    .mmio_write = db_mmio_write,
    .delay = db_delay,
    .dma_alloc = db_dma_alloc,
    .dma_free = db_dma_free,
    .dma_read = db_dma_read,
    .dma_write = db_dma_write,
    .set_irq_handler = db_set_irq_handler,
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
