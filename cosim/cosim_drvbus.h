/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The driver's bus (driver/vdrv_bus.h) over the simulated PCIe system: configuration and MMIO
 * accesses become CfgRd0/CfgWr0 and MRd/MWr TLPs of the root complex, and delay lets simulated
 * cycles pass. DMA memory is the simulation's host memory (cosim_mem.h): buffers from its high
 * zone (above 4 GiB), exposed to the device in the permission map as dma_alloc's dir says, and
 * freed out of it; MSI-X messages go to the handler set_irq_handler installs (it replaces the
 * one a test runner may have set with cosim_set_msi_handler).
 * The platform's windows are COSIM_MMIO_WINDOW_* (64-bit, prefetchable BARs) and
 * COSIM_MMIO32_WINDOW_* (below 4 GiB, non-prefetchable BARs), the endpoint's bus COSIM_EP_BUS.
 */
#ifndef COSIM_DRVBUS_H
#define COSIM_DRVBUS_H

#include "cosim.h"
#include "vdrv_bus.h"

/* Fills *bus so that the driver runs over s (bus->ctx = s; s must outlive bus). Nothing is
 * allocated: there is no matching destroy. Returns 0, or -EINVAL when bus or s is NULL.
 * Error convention of the ops: a UR/CA/CRS completion is not an error for the driver (reads give
 * all ones, as a real root complex does) and returns 0; a completion timeout returns -ETIMEDOUT;
 * once lockstep has diverged every op returns -EIO so that polling loops stop. */
int cosim_drvbus_init(vdrv_bus_t *bus, cosim_t *s);

#endif /* COSIM_DRVBUS_H */
