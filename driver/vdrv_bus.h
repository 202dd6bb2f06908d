/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The driver's view of a PCI bus: an ops table, so that the same pci / virtio_pci / device code
 * runs over the simulated bus (cosim/cosim_drvbus.c) and, later, a real board (VFIO).
 * Ring and device code never call these directly; they go through vdrv_vpci (virtio_pci.h).
 */
#ifndef VDRV_BUS_H
#define VDRV_BUS_H

#include <stdint.h>

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
