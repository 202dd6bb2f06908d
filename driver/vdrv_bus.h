/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The driver's view of a PCI bus: an ops table, so that the same pci / virtio_pci / device code
 * runs over the simulated bus (cosim/cosim_drvbus.c) and, later, a real board (VFIO).
 * Ring and device code never call the cfg/MMIO ops directly; they go through vdrv_vpci
 * (vdrv_vpci.h). The DMA ops are the ring code's (vdrv_virtq.h): memory, not registers.
 */
#ifndef VDRV_BUS_H
#define VDRV_BUS_H

#include <stddef.h>
#include <stdint.h>

/* What the device may do with a DMA buffer (dma_alloc's dir): an IOMMU mapping's direction. */
#define VDRV_DMA_DEV_READ  1u
#define VDRV_DMA_DEV_WRITE 2u

/* Bus/device/function, as in a Requester ID: bus [15:8], device [7:3], function [2:0]. */
typedef uint16_t vdrv_bdf_t;
#define VDRV_BDF(bus, dev, fn) ((vdrv_bdf_t)(((bus) << 8) | ((dev) << 3) | (fn)))

typedef struct vdrv_bus_ops {
  /* Configuration read/write of size 1, 2 or 4 bytes at a naturally aligned offset < 4096.
   * A read that nothing answers (UR) returns 0 with all ones in *val, as a real root complex
   * does; a completion timeout or a broken bus returns a negative errno. */
  int (*cfg_read)(void *ctx, vdrv_bdf_t bdf, unsigned off, unsigned size, uint32_t *val);
  int (*cfg_write)(void *ctx, vdrv_bdf_t bdf, unsigned off, unsigned size, uint32_t val);
  /* Memory-mapped read/write of size 1, 2, 4 or 8 bytes, naturally aligned, at a bus address the
   * driver assigned to a BAR. Same error convention. */
  int (*mmio_read)(void *ctx, uint64_t addr, unsigned size, uint64_t *val);
  int (*mmio_write)(void *ctx, uint64_t addr, unsigned size, uint64_t val);
  /* Lets simulated time pass (or sleeps on real hardware): used by polling loops. */
  void (*delay)(void *ctx, unsigned cycles);
  /* DMA memory, as the platform gives it (host memory in simulation, IOMMU-mapped pages with
   * VFIO). dma_alloc returns size > 0 zeroed bytes aligned to align (a power of two; 0 means 8)
   * at *bus_addr, which the device may access only as dir says (VDRV_DMA_DEV_* bits, at least
   * one): -EINVAL, -ENOMEM. dma_free takes a bus_addr dma_alloc gave (-ENOENT is not reported:
   * freeing what is not allocated is a driver bug the platform may only log). */
  int (*dma_alloc)(void *ctx, size_t size, size_t align, unsigned dir, uint64_t *bus_addr);
  void (*dma_free)(void *ctx, uint64_t bus_addr);
  /* The CPU's access to DMA memory, any length and alignment. The driver holds no pointer into
   * it, so that the platform may keep it sparse or behind a mapping. 0, or a negative errno. */
  int (*dma_read)(void *ctx, uint64_t bus_addr, void *buf, size_t len);
  int (*dma_write)(void *ctx, uint64_t bus_addr, const void *buf, size_t len);
  /* Installs the handler of MSI-X messages, delivered as the address/data the device wrote
   * (fn NULL removes it). One handler per bus: a later call replaces the earlier one. */
  void (*set_irq_handler)(void *ctx, void (*fn)(void *arg, uint64_t addr, uint32_t data),
                          void *arg);
} vdrv_bus_ops_t;

/* A bus: its operations plus what the platform tells the driver about it. */
typedef struct vdrv_bus {
  const vdrv_bus_ops_t *ops;
  void *ctx;
  /* The platform's memory windows, [base, base + size), as a root port or bridge has them
   * (size 0: no such window):
   * - mmio_window: prefetchable memory BARs; may lie above 4 GiB (64-bit);
   * - mmio32_window: non-prefetchable memory BARs, 32- or 64-bit; below 4 GiB, since a
   *   bridge's non-prefetchable window is 32-bit. */
  uint64_t mmio_window_base;
  uint64_t mmio_window_size;
  uint64_t mmio32_window_base;
  uint64_t mmio32_window_size;
  /* The bus number below the root port the endpoint sits behind (enumeration scans it). */
  unsigned first_bus;
} vdrv_bus_t;

#endif /* VDRV_BUS_H */
