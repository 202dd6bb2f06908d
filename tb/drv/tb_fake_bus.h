/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A test double of the driver's bus (vdrv_bus_ops_t, driver/vdrv_bus.h): one function whose
 * 4 KiB configuration space and 64-bit BAR0 are plain memory the test writes directly, so that
 * the driver can be fed capability lists no real endpoint would present (loops, bad pointers,
 * missing or invalid virtio structures). No simulation behind it: the tests that use it run the
 * same under every --dut.
 *
 * - Configuration reads/writes at the function's bdf access the bytes (little-endian); any other
 *   bdf answers like nothing is there (all ones). Writes land as written (no write masks).
 * - MMIO inside [bar_addr, bar_addr + TB_FAKE_BAR_SIZE) accesses the BAR bytes; anything else is
 *   counted as stray and reads all ones.
 * - Every operation is counted; after `limit` operations each one fails with -EIO, so a driver
 *   loop that does not end turns into a bus error the test reports instead of a hang.
 *
 * BAR sizing is not modelled: after vdrv_pci_probe_dev (which reads the BAR's type and address
 * from config space) the test sets dev.bar[0].size itself, as vdrv_pci_assign_bars would
 * (tb_fake_probe_dev).
 */
#ifndef TB_FAKE_BUS_H
#define TB_FAKE_BUS_H

#include <stdint.h>

#include "vdrv_bus.h"
#include "vdrv_pci.h"

#define TB_FAKE_CFG_SIZE 4096u
#define TB_FAKE_BAR_SIZE 0x8000u
#define TB_FAKE_BAR_ADDR 0x0000004000100000ull
#define TB_FAKE_BDF VDRV_BDF(1, 0, 0)
#define TB_FAKE_LIMIT 20000ul

typedef struct tb_fake_bus {
  vdrv_bus_t bus;
  vdrv_bus_ops_t ops;
  uint8_t cfg[TB_FAKE_CFG_SIZE];
  uint8_t bar[TB_FAKE_BAR_SIZE];
  unsigned long cfg_reads, cfg_writes, mmio_reads, mmio_writes, delays;
  unsigned long stray;          /* MMIO outside BAR0, or config to another bdf */
  unsigned long limit;          /* operations allowed before everything fails -EIO */
  unsigned long refused;        /* operations refused because of the limit */
} tb_fake_bus_t;

/* An empty function: config space all zero (so vendor 0), BAR0 zero, counters 0. */
void tb_fake_init(tb_fake_bus_t *f);
/* Operations so far (all kinds). */
unsigned long tb_fake_ops(const tb_fake_bus_t *f);

/* Direct access to the backing bytes (not counted). */
void tb_fake_cfg_put(tb_fake_bus_t *f, unsigned off, unsigned size, uint32_t val);
uint32_t tb_fake_cfg_get(const tb_fake_bus_t *f, unsigned off, unsigned size);
void tb_fake_bar_put(tb_fake_bus_t *f, unsigned off, unsigned size, uint32_t val);

/* One capability for tb_fake_caps. id 0x09 is a virtio vendor capability (cfg_type, bar,
 * offset, length, extra = notify_off_multiplier; cap_len 0 means the spec size: 16, or 20 for
 * NOTIFY and PCI_CFG); id 0x11 is MSI-X (table size 8, table at BAR0 0x4000, PBA at 0x5000);
 * any other id is a bare 4-byte header. `at` 0 places it after the previous one. */
typedef struct tb_fake_cap {
  uint8_t id, cfg_type, bar, cap_len;
  uint32_t offset, length, extra;
  unsigned at;
} tb_fake_cap_t;

/* Writes caps[0..n) into config space from 0x40 (or their `at`), linked in order, the last
 * with next 0; sets the Capabilities Pointer and the Status bit. Returns the offset of each in
 * pos[] (may be NULL). */
void tb_fake_caps(tb_fake_bus_t *f, const tb_fake_cap_t *caps, unsigned n, unsigned *pos);

/* A modern virtio-blk function: vendor 0x1AF4, device 0x1042, class 0x010000, BAR0 64-bit
 * non-prefetchable at TB_FAKE_BAR_ADDR, and the capabilities of tb_fake_virtio_caps: MSI-X,
 * COMMON (0x0000, 0x38), NOTIFY (0x3000, 0x10, multiplier 4), ISR (0x1000, 4), DEVICE (0x2000,
 * 0x24), PCI_CFG. In BAR0: num_queues 4, queue_notify_off 0. */
#define TB_FAKE_NCAPS 6u
void tb_fake_virtio_caps(tb_fake_cap_t caps[TB_FAKE_NCAPS]);
void tb_fake_virtio(tb_fake_bus_t *f, const tb_fake_cap_t *caps, unsigned n, unsigned *pos);

/* vdrv_pci_probe_dev on the fake, then BAR0's size as vdrv_pci_assign_bars would find it. */
int tb_fake_probe_dev(tb_fake_bus_t *f, vdrv_pci_dev_t *d);

#endif /* TB_FAKE_BUS_H */
