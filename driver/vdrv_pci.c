/* SPDX-License-Identifier: Apache-2.0 */
/* The driver's PCI layer: see vdrv_pci.h. */
#include "vdrv_pci.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- Configuration access ---- */

static int cfg_args_ok(unsigned off, unsigned size)
{
  if (size != 1 && size != 2 && size != 4) return 0;
  return (off % size) == 0 && off + size <= VEP_CFG_SPACE_SIZE;
}

int vdrv_pci_cfg_read(vdrv_pci_dev_t *d, unsigned off, unsigned size, uint32_t *val)
{
  if (!d || !d->bus || !val || !cfg_args_ok(off, size)) return -EINVAL;
  if (d->broken) return -EIO;
  int rc = d->bus->ops->cfg_read(d->bus->ctx, d->bdf, off, size, val);
  if (rc < 0) d->broken = 1;
  return rc < 0 ? rc : 0;
}

int vdrv_pci_cfg_write(vdrv_pci_dev_t *d, unsigned off, unsigned size, uint32_t val)
{
  if (!d || !d->bus || !cfg_args_ok(off, size)) return -EINVAL;
  if (d->broken) return -EIO;
  int rc = d->bus->ops->cfg_write(d->bus->ctx, d->bdf, off, size, val);
  if (rc < 0) d->broken = 1;
  return rc < 0 ? rc : 0;
}

/* ---- Capabilities ---- */

/* Called for each capability in list order with its offset and its first two bytes (ID, next
 * pointer): 0 goes on, anything else ends the walk and is returned. */
typedef int (*cap_visit_t)(vdrv_pci_dev_t *d, unsigned pos, uint32_t hdr, void *ctx);

/* The one capability walk, with loop protection: 0 at the end of the list (at once when Status
 * has no Capabilities List); -EPROTO for a pointer that is not DW aligned or not in 0x40..0xFC,
 * -ELOOP past VDRV_PCI_CAP_MAX capabilities (for these two, *bad_ptr, if not NULL, gets the
 * pointer the walk stopped at, never 0); a bus error; or what visit returned. */
static int cap_walk(vdrv_pci_dev_t *d, cap_visit_t visit, void *ctx, unsigned *bad_ptr)
{
  uint32_t v;
  int rc = vdrv_pci_cfg_read(d, VEP_CFG_STATUS, 2, &v);
  if (rc) return rc;
  if (!(v & VEP_STS_CAP_LIST)) return 0;
  if ((rc = vdrv_pci_cfg_read(d, VEP_CFG_CAP_PTR, 1, &v))) return rc;
  unsigned pos = v;
  for (unsigned n = 0; pos != 0; n++) {
    int bad = 0;
    if (n >= VDRV_PCI_CAP_MAX) bad = -ELOOP;
    else if ((pos & 3u) || pos < VDRV_PCI_CAP_MIN_PTR || pos > VDRV_PCI_CAP_MAX_PTR) bad = -EPROTO;
    if (bad) {
      if (bad_ptr) *bad_ptr = pos;
      return bad;
    }
    uint32_t hdr;
    if ((rc = vdrv_pci_cfg_read(d, pos, 2, &hdr))) return rc;
    if ((rc = visit(d, pos, hdr, ctx))) return rc;
    pos = (hdr >> 8) & 0xFFu;
  }
  return 0;
}

typedef struct find_ctx {
  uint8_t id, after;
  int passed;            /* `after` has been walked past (or is 0) */
  uint8_t found;
} find_ctx_t;

#define CAP_FOUND 1

static int find_visit(vdrv_pci_dev_t *d, unsigned pos, uint32_t hdr, void *ctx)
{
  (void)d;
  find_ctx_t *f = ctx;
  if (f->passed && (hdr & 0xFFu) == f->id) {
    f->found = (uint8_t)pos;
    return CAP_FOUND;
  }
  if (pos == f->after) f->passed = 1;
  return 0;
}

int vdrv_pci_find_cap(vdrv_pci_dev_t *d, uint8_t id, uint8_t after, uint8_t *off)
{
  /* Walk from the head every time, even when `after` is given: a caller's offset is then
   * validated as part of the list, and the loop bound covers the whole walk. */
  find_ctx_t f = {id, after, after == 0, 0};
  int rc = cap_walk(d, find_visit, &f, NULL);
  if (rc == CAP_FOUND) {
    if (off) *off = f.found;
    return 0;
  }
  return rc ? rc : -ENOENT;
}

/* ---- Device discovery ---- */

/* Type and current address of BAR i from its register(s); sizes are left to assign_bars. */
static int read_bar_types(vdrv_pci_dev_t *d)
{
  memset(d->bar, 0, sizeof(d->bar));
  if ((d->header_type & VDRV_PCI_HDR_TYPE_MASK) != VDRV_PCI_HDR_TYPE_NORMAL) return 0;
  for (unsigned i = 0; i < VDRV_PCI_NUM_BARS; i++) {
    uint32_t lo, hi = 0;
    int rc = vdrv_pci_cfg_read(d, VEP_CFG_BAR0 + 4u * i, 4, &lo);
    if (rc) return rc;
    vdrv_pci_bar_t *b = &d->bar[i];
    if (lo & VDRV_PCI_BAR_IO) {
      b->is_io = 1;
      b->addr = lo & VDRV_PCI_BAR_IO_MASK;
      continue;
    }
    b->prefetchable = (lo & VEP_BAR_PREFETCH) != 0;
    if ((lo & VDRV_PCI_BAR_MEM_TYPE_MASK) == VEP_BAR_MEM_TYPE_64 && i + 1 < VDRV_PCI_NUM_BARS) {
      b->is_64 = 1;
      rc = vdrv_pci_cfg_read(d, VEP_CFG_BAR0 + 4u * (i + 1), 4, &hi);
      if (rc) return rc;
      b->addr = ((uint64_t)hi << 32) | (lo & VDRV_PCI_BAR_MEM_MASK);
      i++;
      continue;
    }
    b->addr = lo & VDRV_PCI_BAR_MEM_MASK;
  }
  return 0;
}

int vdrv_pci_probe_dev(vdrv_bus_t *bus, vdrv_bdf_t bdf, vdrv_pci_dev_t *d)
{
  if (!bus || !bus->ops || !d) return -EINVAL;
  memset(d, 0, sizeof(*d));
  d->bus = bus;
  d->bdf = bdf;
  uint32_t v;
  int rc = vdrv_pci_cfg_read(d, VEP_CFG_VENDOR_ID, 4, &v);
  if (rc) return rc;
  if ((v & 0xFFFFu) == VDRV_PCI_VENDOR_NONE) return -ENODEV;
  d->vendor_id = (uint16_t)v;
  d->device_id = (uint16_t)(v >> 16);
  if ((rc = vdrv_pci_cfg_read(d, VEP_CFG_REVISION, 4, &v))) return rc;
  d->revision = (uint8_t)v;
  d->class_code = v >> 8;
  if ((rc = vdrv_pci_cfg_read(d, VEP_CFG_HEADER_TYPE, 1, &v))) return rc;
  d->header_type = (uint8_t)v;
  if ((d->header_type & VDRV_PCI_HDR_TYPE_MASK) == VDRV_PCI_HDR_TYPE_NORMAL) {
    if ((rc = vdrv_pci_cfg_read(d, VEP_CFG_SUBSYS_VENDOR, 4, &v))) return rc;
    d->subsys_vendor_id = (uint16_t)v;
    d->subsys_id = (uint16_t)(v >> 16);
  }
  if ((rc = vdrv_pci_cfg_read(d, VEP_CFG_INT_PIN, 1, &v))) return rc;
  d->int_pin = (uint8_t)v;
  if ((rc = read_bar_types(d))) return rc;
  uint8_t off;
  /* A malformed list only hides the capabilities here; find_cap reports it to whoever needs
   * them. Bus errors do propagate. */
  rc = vdrv_pci_find_cap(d, VEP_CAP_ID_PCIE, 0, &off);
  if (rc == 0) d->pcie_cap = off;
  else if (d->broken) return rc;
  rc = vdrv_pci_find_cap(d, VEP_CAP_ID_MSIX, 0, &off);
  if (rc == 0) d->msix_cap = off;
  else if (d->broken) return rc;
  return 0;
}

int vdrv_pci_enumerate(vdrv_bus_t *bus, vdrv_pci_dev_t *devs, unsigned max, unsigned *found)
{
  if (!bus || !bus->ops || (!devs && max) || !found) return -EINVAL;
  *found = 0;
  if (bus->first_bus > 0xFFu) return -EINVAL;
  for (unsigned dev = 0; dev < VDRV_PCI_MAX_DEVICES && *found < max; dev++) {
    unsigned nfn = 1;
    for (unsigned fn = 0; fn < nfn && *found < max; fn++) {
      vdrv_pci_dev_t *d = &devs[*found];
      int rc = vdrv_pci_probe_dev(bus, VDRV_BDF(bus->first_bus, dev, fn), d);
      if (rc == -ENODEV) continue;
      if (rc) return rc;
      if (fn == 0 && (d->header_type & VDRV_PCI_HDR_MULTIFUNC)) nfn = VDRV_PCI_MAX_FUNCTIONS;
      (*found)++;
    }
  }
  return 0;
}

/* ---- BARs ---- */

/* Writes all ones, reads back, restores. Called with memory decoding off. */
static int size_bar(vdrv_pci_dev_t *d, unsigned i, uint32_t *lo_out, uint64_t *size)
{
  unsigned reg = VEP_CFG_BAR0 + 4u * i;
  uint32_t lo, rb_lo, hi = 0, rb_hi = 0;
  int rc;
  *size = 0;
  if ((rc = vdrv_pci_cfg_read(d, reg, 4, &lo))) return rc;
  *lo_out = lo;
  int is_io = lo & VDRV_PCI_BAR_IO;
  unsigned type = lo & VDRV_PCI_BAR_MEM_TYPE_MASK;
  int is_64 = !is_io && type == VEP_BAR_MEM_TYPE_64;
  if (!is_io && type != VEP_BAR_MEM_TYPE_64 && type != VDRV_PCI_BAR_MEM_TYPE_32 &&
      type != VDRV_PCI_BAR_MEM_TYPE_1M)
    return -EPROTO;
  if (is_64 && i + 1 >= VDRV_PCI_NUM_BARS) return -EPROTO;
  if ((rc = vdrv_pci_cfg_write(d, reg, 4, 0xFFFFFFFFu))) return rc;
  if ((rc = vdrv_pci_cfg_read(d, reg, 4, &rb_lo))) return rc;
  if ((rc = vdrv_pci_cfg_write(d, reg, 4, lo))) return rc;
  if (is_64) {
    if ((rc = vdrv_pci_cfg_read(d, reg + 4, 4, &hi))) return rc;
    if ((rc = vdrv_pci_cfg_write(d, reg + 4, 4, 0xFFFFFFFFu))) return rc;
    if ((rc = vdrv_pci_cfg_read(d, reg + 4, 4, &rb_hi))) return rc;
    if ((rc = vdrv_pci_cfg_write(d, reg + 4, 4, hi))) return rc;
  }
  /* The writable address bits read back as ones: for a valid BAR they are exactly the bits
   * above log2(size), a contiguous run up to the top of the register. */
  uint64_t mask, top;
  if (is_io) {
    mask = rb_lo & VDRV_PCI_BAR_IO_MASK;
    top = VDRV_PCI_BAR_IO_MASK;
    /* A 16-bit I/O decoder reads back 0 in the upper half. */
    if (mask && !(mask & 0xFFFF0000u)) mask |= 0xFFFF0000u;
  } else if (is_64) {
    mask = ((uint64_t)rb_hi << 32) | (rb_lo & VDRV_PCI_BAR_MEM_MASK);
    top = ~(uint64_t)0xF;
  } else {
    mask = rb_lo & VDRV_PCI_BAR_MEM_MASK;
    top = VDRV_PCI_BAR_MEM_MASK;
  }
  if (mask == 0) return 0;
  uint64_t lowest = mask & (~mask + 1u);   /* lowest writable address bit = the size */
  if (mask != (top & ~(lowest - 1u))) return -EPROTO;
  *size = lowest;
  return 0;
}

static int write_bar_addr(vdrv_pci_dev_t *d, unsigned i, uint32_t orig_lo, uint64_t addr)
{
  unsigned reg = VEP_CFG_BAR0 + 4u * i;
  const vdrv_pci_bar_t *b = &d->bar[i];
  uint32_t lo = (uint32_t)addr | (orig_lo & ~VDRV_PCI_BAR_MEM_MASK);
  uint32_t rb;
  int rc;
  if ((rc = vdrv_pci_cfg_write(d, reg, 4, lo))) return rc;
  if (b->is_64 && (rc = vdrv_pci_cfg_write(d, reg + 4, 4, (uint32_t)(addr >> 32)))) return rc;
  if ((rc = vdrv_pci_cfg_read(d, reg, 4, &rb))) return rc;
  if ((rb & VDRV_PCI_BAR_MEM_MASK) != (uint32_t)addr) return -EPROTO;
  if (b->is_64) {
    if ((rc = vdrv_pci_cfg_read(d, reg + 4, 4, &rb))) return rc;
    if (rb != (uint32_t)(addr >> 32)) return -EPROTO;
  }
  return 0;
}

#define FOUR_GIB (1ull << 32)

/* Whether memory BAR b goes to the bus's 32-bit (non-prefetchable) window rather than the 64-bit
 * (prefetchable) one, as Linux places BARs behind a bridge: non-prefetchable ones, 32- or 64-bit,
 * in the non-prefetchable window; 64-bit prefetchable ones in the prefetchable window; a 32-bit
 * prefetchable one there only when that window lies below 4 GiB, else in the non-prefetchable
 * one. Without the preferred window, the other one. */
static int in_window32(const vdrv_bus_t *bus, const vdrv_pci_bar_t *b)
{
  int has32 = bus->mmio32_window_size != 0, has64 = bus->mmio_window_size != 0;
  if (!b->prefetchable) return has32 || !has64;
  if (b->is_64) return !has64;
  int low64 = has64 && bus->mmio_window_base + bus->mmio_window_size <= FOUR_GIB;
  return has32 && !low64;
}

/* Places the memory BARs of one window, largest first (with natural alignment this packs without
 * holes), from *pos upward; leaves *pos at the end of the last. */
static int place_window(vdrv_pci_dev_t *d, const uint32_t *orig_lo, int window32, uint64_t win_lo,
                        uint64_t win_size, uint64_t *pos)
{
  uint64_t win_hi = win_lo + win_size;
  if (*pos < win_lo) *pos = win_lo;
  unsigned done = 0;   /* bit i: BAR i placed */
  for (;;) {
    int pick = -1;
    for (unsigned i = 0; i < VDRV_PCI_NUM_BARS; i++) {
      const vdrv_pci_bar_t *b = &d->bar[i];
      if (b->size == 0 || b->is_io || (done & (1u << i)) || in_window32(d->bus, b) != window32)
        continue;
      if (pick < 0 || b->size > d->bar[pick].size) pick = (int)i;
    }
    if (pick < 0) return 0;
    vdrv_pci_bar_t *b = &d->bar[pick];
    uint64_t addr = (*pos + b->size - 1u) & ~(b->size - 1u);
    uint64_t limit = b->is_64 || win_hi < FOUR_GIB ? win_hi : FOUR_GIB;
    if (addr < *pos || addr > limit || b->size > limit - addr) return -ENOSPC;
    int rc = write_bar_addr(d, (unsigned)pick, orig_lo[pick], addr);
    if (rc) return rc;
    b->addr = addr;
    *pos = addr + b->size;
    done |= 1u << pick;
  }
}

int vdrv_pci_assign_bars(vdrv_pci_dev_t *d, uint64_t *next_addr, uint64_t *next32_addr)
{
  if (!d || !d->bus || !next_addr || !next32_addr) return -EINVAL;
  if ((d->header_type & VDRV_PCI_HDR_TYPE_MASK) != VDRV_PCI_HDR_TYPE_NORMAL) return -ENOTSUP;
  uint32_t cmd, orig_lo[VDRV_PCI_NUM_BARS] = {0};
  int rc = vdrv_pci_cfg_read(d, VEP_CFG_COMMAND, 2, &cmd);
  if (rc) return rc;
  /* Sizing writes all ones into the BAR: with decoding on, the device would answer a window it
   * does not own for a moment. */
  rc = vdrv_pci_cfg_write(d, VEP_CFG_COMMAND, 2, cmd & ~(uint32_t)(VEP_CMD_MEM_EN | VEP_CMD_IO_EN));
  if (rc) return rc;

  memset(d->bar, 0, sizeof(d->bar));
  for (unsigned i = 0; i < VDRV_PCI_NUM_BARS; i++) {
    uint64_t size;
    if ((rc = size_bar(d, i, &orig_lo[i], &size))) goto restore;
    vdrv_pci_bar_t *b = &d->bar[i];
    b->size = size;
    b->is_io = orig_lo[i] & VDRV_PCI_BAR_IO;
    if (b->is_io) continue;
    b->prefetchable = (orig_lo[i] & VEP_BAR_PREFETCH) != 0;
    if ((orig_lo[i] & VDRV_PCI_BAR_MEM_TYPE_MASK) == VEP_BAR_MEM_TYPE_64) {
      b->is_64 = 1;
      i++;
    }
  }

  const vdrv_bus_t *bus = d->bus;
  uint64_t pos32 = *next32_addr, pos64 = *next_addr;
  if ((rc = place_window(d, orig_lo, 1, bus->mmio32_window_base, bus->mmio32_window_size,
                         &pos32)) ||
      (rc = place_window(d, orig_lo, 0, bus->mmio_window_base, bus->mmio_window_size, &pos64)))
    goto restore;
  *next32_addr = pos32;
  *next_addr = pos64;

restore:
  {
    int rc2 = vdrv_pci_cfg_write(d, VEP_CFG_COMMAND, 2, cmd);
    if (!rc) rc = rc2;
  }
  return rc;
}

int vdrv_pci_enable(vdrv_pci_dev_t *d)
{
  uint32_t cmd;
  const uint32_t want = VEP_CMD_MEM_EN | VEP_CMD_BUS_MASTER;
  int rc = vdrv_pci_cfg_read(d, VEP_CFG_COMMAND, 2, &cmd);
  if (rc) return rc;
  if ((rc = vdrv_pci_cfg_write(d, VEP_CFG_COMMAND, 2, cmd | want))) return rc;
  if ((rc = vdrv_pci_cfg_read(d, VEP_CFG_COMMAND, 2, &cmd))) return rc;
  return (cmd & want) == want ? 0 : -EIO;
}

/* ---- MMIO ---- */

static int mmio_check(vdrv_pci_dev_t *d, int bar, uint64_t off, unsigned size, uint64_t *addr)
{
  if (!d || !d->bus) return -EINVAL;
  if (bar < 0 || bar >= (int)VDRV_PCI_NUM_BARS) return -EINVAL;
  if (size != 1 && size != 2 && size != 4 && size != 8) return -EINVAL;
  if (off % size) return -EINVAL;
  const vdrv_pci_bar_t *b = &d->bar[bar];
  if (b->is_io || b->size == 0 || b->addr == 0) return -ENXIO;
  if (off >= b->size || size > b->size - off) return -ERANGE;
  if (d->broken) return -EIO;
  *addr = b->addr + off;
  return 0;
}

int vdrv_pci_mmio_read(vdrv_pci_dev_t *d, int bar, uint64_t off, unsigned size, uint64_t *val)
{
  uint64_t addr;
  if (!val) return -EINVAL;
  int rc = mmio_check(d, bar, off, size, &addr);
  if (rc) return rc;
  rc = d->bus->ops->mmio_read(d->bus->ctx, addr, size, val);
  if (rc < 0) d->broken = 1;
  return rc < 0 ? rc : 0;
}

int vdrv_pci_mmio_write(vdrv_pci_dev_t *d, int bar, uint64_t off, unsigned size, uint64_t val)
{
  uint64_t addr;
  int rc = mmio_check(d, bar, off, size, &addr);
  if (rc) return rc;
  rc = d->bus->ops->mmio_write(d->bus->ctx, addr, size, val);
  if (rc < 0) d->broken = 1;
  return rc < 0 ? rc : 0;
}

/* ---- MSI-X and PCI Express ---- */

int vdrv_pci_msix_info(vdrv_pci_dev_t *d, vdrv_pci_msix_info_t *info)
{
  if (!d || !info) return -EINVAL;
  if (!d->msix_cap) return -ENOENT;
  uint32_t ctl, tbl, pba;
  int rc;
  if ((rc = vdrv_pci_cfg_read(d, d->msix_cap + VEP_MSIX_MSGCTL, 2, &ctl))) return rc;
  if ((rc = vdrv_pci_cfg_read(d, d->msix_cap + VEP_MSIX_TABLE, 4, &tbl))) return rc;
  if ((rc = vdrv_pci_cfg_read(d, d->msix_cap + VEP_MSIX_PBA, 4, &pba))) return rc;
  info->table_size = (ctl & VDRV_MSIX_CTL_TABLE_SIZE) + 1u;
  info->table_bir = (uint8_t)(tbl & VDRV_MSIX_BIR_MASK);
  info->table_offset = tbl & VDRV_MSIX_OFFSET_MASK;
  info->pba_bir = (uint8_t)(pba & VDRV_MSIX_BIR_MASK);
  info->pba_offset = pba & VDRV_MSIX_OFFSET_MASK;
  info->enabled = (ctl & VEP_MSIX_CTL_ENABLE) != 0;
  info->function_masked = (ctl & VEP_MSIX_CTL_FMASK) != 0;
  return 0;
}

int vdrv_pci_msix_enable(vdrv_pci_dev_t *d, int enable)
{
  if (!d) return -EINVAL;
  if (!d->msix_cap) return -ENOENT;
  uint32_t ctl, cmd;
  int rc;
  if (enable) {
    if ((rc = vdrv_pci_cfg_read(d, VEP_CFG_COMMAND, 2, &cmd))) return rc;
    if ((rc = vdrv_pci_cfg_write(d, VEP_CFG_COMMAND, 2, cmd | VEP_CMD_INTX_DISABLE))) return rc;
  }
  if ((rc = vdrv_pci_cfg_read(d, d->msix_cap + VEP_MSIX_MSGCTL, 2, &ctl))) return rc;
  ctl = enable ? (ctl | VEP_MSIX_CTL_ENABLE) : (ctl & ~(uint32_t)VEP_MSIX_CTL_ENABLE);
  return vdrv_pci_cfg_write(d, d->msix_cap + VEP_MSIX_MSGCTL, 2, ctl);
}

/* 128 << enc for enc 0..5 (128..4096 bytes); -1 for anything else. */
static int size_to_enc(unsigned bytes)
{
  for (int enc = 0; enc <= 5; enc++)
    if (bytes == 128u << enc) return enc;
  return -1;
}

int vdrv_pci_set_mps_mrrs(vdrv_pci_dev_t *d, unsigned mps, unsigned mrrs)
{
  if (!d) return -EINVAL;
  if (!d->pcie_cap) return -ENOENT;
  int mps_enc = size_to_enc(mps), mrrs_enc = size_to_enc(mrrs);
  if (mps_enc < 0 || mrrs_enc < 0) return -EINVAL;
  uint32_t devcap, devctl;
  int rc;
  if ((rc = vdrv_pci_cfg_read(d, d->pcie_cap + VEP_PCIE_DEVCAP, 4, &devcap))) return rc;
  if ((unsigned)mps_enc > (devcap & VDRV_PCIE_DEVCAP_MPS_MASK)) return -EINVAL;
  if ((rc = vdrv_pci_cfg_read(d, d->pcie_cap + VEP_PCIE_DEVCTL, 2, &devctl))) return rc;
  devctl &= ~(uint32_t)(VDRV_PCIE_DEVCTL_MPS_MASK | VDRV_PCIE_DEVCTL_MRRS_MASK);
  devctl |= ((uint32_t)mps_enc << VEP_DEVCTL_MPS_SHIFT) |
            ((uint32_t)mrrs_enc << VEP_DEVCTL_MRRS_SHIFT);
  return vdrv_pci_cfg_write(d, d->pcie_cap + VEP_PCIE_DEVCTL, 2, devctl);
}

/* ---- lspci-like dump ---- */

typedef struct outbuf {
  char *buf;
  size_t len, pos;   /* pos: characters stored (<= len - 1) */
} outbuf_t;

static void out(outbuf_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(outbuf_t *o, const char *fmt, ...)
{
  if (o->len == 0 || o->pos + 1 >= o->len) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  o->pos += (size_t)n;
  if (o->pos > o->len - 1) o->pos = o->len - 1;
}

static const char *pm(uint32_t v, uint32_t bit) { return (v & bit) ? "+" : "-"; }

static void out_size(outbuf_t *o, uint64_t size)
{
  static const char unit[] = {' ', 'K', 'M', 'G', 'T', 'P', 'E'};
  unsigned u = 0;
  while (u + 1 < sizeof(unit) && size >= 1024 && (size % 1024) == 0) {
    size /= 1024;
    u++;
  }
  if (u == 0) out(o, "[size=%llu]", (unsigned long long)size);
  else out(o, "[size=%llu%c]", (unsigned long long)size, unit[u]);
}

static const char *class_name(uint32_t cc)
{
  switch (cc >> 8) {
  case 0x0100: return "SCSI storage controller";
  case 0x0106: return "SATA controller";
  case 0x0108: return "Non-Volatile memory controller";
  case 0x0180: return "Mass storage controller";
  case 0x0200: return "Ethernet controller";
  case 0x0280: return "Network controller";
  case 0x0780: return "Communication controller";
  case 0x00FF: return "Unclassified device";
  default: return "Device";
  }
}

static const char *virtio_dev_name(uint16_t vendor, uint16_t device)
{
  if (vendor != VEP_PCI_VENDOR_ID) return "Device";
  switch (device) {
  case VEP_PCI_DEVICE_ID_BASE + VEP_VIRTIO_ID_NET: return "Virtio 1.0 network device";
  case VEP_PCI_DEVICE_ID_BASE + VEP_VIRTIO_ID_BLK: return "Virtio 1.0 block device";
  case 0x1000: return "Virtio network device";
  case 0x1001: return "Virtio block device";
  default:
    return (device >= 0x1000 && device <= 0x107F) ? "Virtio device" : "Device";
  }
}

static const char *virtio_cfg_name(unsigned type)
{
  switch (type) {
  case VEP_VIRTIO_PCI_CAP_COMMON_CFG: return "CommonCfg";
  case VEP_VIRTIO_PCI_CAP_NOTIFY_CFG: return "Notify";
  case VEP_VIRTIO_PCI_CAP_ISR_CFG: return "ISR";
  case VEP_VIRTIO_PCI_CAP_DEVICE_CFG: return "DeviceCfg";
  case VEP_VIRTIO_PCI_CAP_PCI_CFG: return "PCICfg";
  case 8: return "SharedMemory";
  case 9: return "VendorCfg";
  default: return "<unknown>";
  }
}

static const char *pcie_type_name(unsigned t)
{
  static const char *const names[] = {
    "Endpoint", "Legacy Endpoint", "<?>", "<?>", "Root Port", "Upstream Port",
    "Downstream Port", "PCI-Express to PCI/PCI-X Bridge", "PCI/PCI-X to PCI-Express Bridge",
    "Root Complex Integrated Endpoint", "Root Complex Event Collector"};
  return t < sizeof(names) / sizeof(names[0]) ? names[t] : "<?>";
}

static const char *link_speed(unsigned s)
{
  static const char *const sp[] = {"unknown", "2.5GT/s", "5GT/s", "8GT/s", "16GT/s", "32GT/s",
                                   "64GT/s"};
  return s < sizeof(sp) / sizeof(sp[0]) ? sp[s] : "unknown";
}

/* Config reads for the dump: any failure aborts it. */
#define CFG(off, size, var)                                   \
  do {                                                        \
    int rc_ = vdrv_pci_cfg_read(d, (off), (size), &(var));    \
    if (rc_) return rc_;                                      \
  } while (0)

static int format_pcie(vdrv_pci_dev_t *d, outbuf_t *o, unsigned c)
{
  static const char *const l0s[] = {"<64ns", "<128ns", "<256ns", "<512ns", "<1us", "<2us",
                                    "<4us", "unlimited"};
  static const char *const l1[] = {"<1us", "<2us", "<4us", "<8us", "<16us", "<32us", "<64us",
                                   "unlimited"};
  static const char *const aspm[] = {"not supported", "L0s", "L1", "L0s L1"};
  static const char *const aspm_ctl[] = {"Disabled", "L0s Enabled", "L1 Enabled",
                                         "L0s L1 Enabled"};
  uint32_t caps, devcap, devctl, devsta, lnkcap, lnkctl, lnksta, devcap2, devctl2;
  CFG(c + VEP_PCIE_CAPS, 2, caps);
  CFG(c + VEP_PCIE_DEVCAP, 4, devcap);
  CFG(c + VEP_PCIE_DEVCTL, 2, devctl);
  CFG(c + VEP_PCIE_DEVSTA, 2, devsta);
  CFG(c + VEP_PCIE_LNKCAP, 4, lnkcap);
  CFG(c + VEP_PCIE_LNKCTL, 2, lnkctl);
  CFG(c + VEP_PCIE_LNKSTA, 2, lnksta);
  unsigned ver = caps & VDRV_PCIE_CAPS_VER_MASK;
  out(o, "\tCapabilities: [%02x] Express (v%u) %s, MSI %02x\n", c, ver,
      pcie_type_name((caps & VDRV_PCIE_CAPS_TYPE_MASK) >> VDRV_PCIE_CAPS_TYPE_SHIFT),
      (caps & VDRV_PCIE_CAPS_IRQ_MASK) >> VDRV_PCIE_CAPS_IRQ_SHIFT);
  out(o, "\t\tDevCap:\tMaxPayload %u bytes, PhantFunc %u, Latency L0s %s, L1 %s\n",
      128u << (devcap & VDRV_PCIE_DEVCAP_MPS_MASK), (devcap & VDRV_PCIE_DEVCAP_PHANTOM) >> 3,
      l0s[(devcap >> VDRV_PCIE_DEVCAP_L0S_SHIFT) & 7u],
      l1[(devcap >> VDRV_PCIE_DEVCAP_L1_SHIFT) & 7u]);
  out(o, "\t\t\tExtTag%s RBE%s FLReset%s\n", pm(devcap, VDRV_PCIE_DEVCAP_EXT_TAG),
      pm(devcap, VDRV_PCIE_DEVCAP_RBER), pm(devcap, VDRV_PCIE_DEVCAP_FLR));
  out(o, "\t\tDevCtl:\tCorrErr%s NonFatalErr%s FatalErr%s UnsupReq%s\n",
      pm(devctl, VDRV_PCIE_DEVCTL_CERE), pm(devctl, VDRV_PCIE_DEVCTL_NFERE),
      pm(devctl, VDRV_PCIE_DEVCTL_FERE), pm(devctl, VDRV_PCIE_DEVCTL_URRE));
  out(o, "\t\t\tRlxdOrd%s ExtTag%s PhantFunc%s AuxPwr%s NoSnoop%s%s\n",
      pm(devctl, VDRV_PCIE_DEVCTL_RELAX_EN), pm(devctl, VDRV_PCIE_DEVCTL_EXT_TAG),
      pm(devctl, VDRV_PCIE_DEVCTL_PHANTOM), pm(devctl, VDRV_PCIE_DEVCTL_AUX_PM),
      pm(devctl, VDRV_PCIE_DEVCTL_NOSNOOP_EN), (devctl & VDRV_PCIE_DEVCTL_FLR) ? " FLReset+" : "");
  out(o, "\t\t\tMaxPayload %u bytes, MaxReadReq %u bytes\n",
      128u << ((devctl & VDRV_PCIE_DEVCTL_MPS_MASK) >> VEP_DEVCTL_MPS_SHIFT),
      128u << ((devctl & VDRV_PCIE_DEVCTL_MRRS_MASK) >> VEP_DEVCTL_MRRS_SHIFT));
  out(o, "\t\tDevSta:\tCorrErr%s NonFatalErr%s FatalErr%s UnsupReq%s AuxPwr%s TransPend%s\n",
      pm(devsta, VDRV_PCIE_DEVSTA_CED), pm(devsta, VDRV_PCIE_DEVSTA_NFED),
      pm(devsta, VDRV_PCIE_DEVSTA_FED), pm(devsta, VEP_PCIE_DEVSTA_URD),
      pm(devsta, VDRV_PCIE_DEVSTA_AUXPD), pm(devsta, VDRV_PCIE_DEVSTA_TRPND));
  out(o, "\t\tLnkCap:\tPort #%u, Speed %s, Width x%u, ASPM %s\n",
      lnkcap >> VDRV_PCIE_LNKCAP_PORT_SHIFT, link_speed(lnkcap & VDRV_PCIE_LNKCAP_SPEED_MASK),
      (lnkcap & VDRV_PCIE_LNKCAP_WIDTH_MASK) >> VDRV_PCIE_LNKCAP_WIDTH_SHIFT,
      aspm[(lnkcap >> VDRV_PCIE_LNKCAP_ASPM_SHIFT) & 3u]);
  out(o, "\t\tLnkCtl:\tASPM %s; RCB %u bytes, CommClk%s ExtSynch%s\n",
      aspm_ctl[lnkctl & VDRV_PCIE_LNKCTL_ASPM_MASK], (lnkctl & VEP_PCIE_LNKCTL_RCB) ? 128u : 64u,
      pm(lnkctl, VDRV_PCIE_LNKCTL_CCC), pm(lnkctl, VDRV_PCIE_LNKCTL_ES));
  out(o, "\t\tLnkSta:\tSpeed %s, Width x%u, TrErr- Train%s DLActive%s\n",
      link_speed(lnksta & VDRV_PCIE_LNKSTA_SPEED_MASK),
      (lnksta & VDRV_PCIE_LNKSTA_WIDTH_MASK) >> VDRV_PCIE_LNKSTA_WIDTH_SHIFT,
      pm(lnksta, VDRV_PCIE_LNKSTA_TRAINING), pm(lnksta, VDRV_PCIE_LNKSTA_DLLLA));
  if (ver >= 2) {
    CFG(c + VEP_PCIE_DEVCAP2, 4, devcap2);
    CFG(c + VEP_PCIE_DEVCTL2, 2, devctl2);
    out(o, "\t\tDevCap2: Completion Timeout: Range %s%s%s%s, TimeoutDis%s\n",
        (devcap2 & 0xFu) ? "" : "Not Supported", (devcap2 & 1u) ? "A" : "",
        (devcap2 & 2u) ? "B" : "", (devcap2 & 4u) ? "C" : "", pm(devcap2, 0x10u));
    out(o, "\t\tDevCtl2: Completion Timeout: value %x, TimeoutDis%s\n", devctl2 & 0xFu,
        pm(devctl2, 0x10u));
  }
  return 0;
}

static int format_msix(vdrv_pci_dev_t *d, outbuf_t *o, unsigned c)
{
  vdrv_pci_msix_info_t mi;
  int rc = vdrv_pci_msix_info(d, &mi);
  if (rc) return rc;
  out(o, "\tCapabilities: [%02x] MSI-X: Enable%s Count=%u Masked%s\n", c,
      mi.enabled ? "+" : "-", mi.table_size, mi.function_masked ? "+" : "-");
  out(o, "\t\tVector table: BAR=%u offset=%08x\n", mi.table_bir, mi.table_offset);
  out(o, "\t\tPBA: BAR=%u offset=%08x\n", mi.pba_bir, mi.pba_offset);
  return 0;
}

static int format_vndr(vdrv_pci_dev_t *d, outbuf_t *o, unsigned c)
{
  uint32_t len, type, bar, offset, length, mult;
  CFG(c + 2u, 1, len);
  out(o, "\tCapabilities: [%02x] Vendor Specific Information: ", c);
  if (d->vendor_id != VEP_PCI_VENDOR_ID || len < VEP_VIRTIO_CAP_LEN ||
      c + VEP_VIRTIO_CAP_LEN > 0x100u) {
    out(o, "Len=%02x <?>\n", len);
    return 0;
  }
  CFG(c + VEP_VIRTIO_CAP_CFG_TYPE, 1, type);
  CFG(c + VEP_VIRTIO_CAP_BAR, 1, bar);
  CFG(c + VEP_VIRTIO_CAP_OFFSET, 4, offset);
  CFG(c + VEP_VIRTIO_CAP_LENGTH, 4, length);
  out(o, "VirtIO: %s\n", virtio_cfg_name(type));
  out(o, "\t\tBAR=%u offset=%08x size=%08x", bar, offset, length);
  if (type == VEP_VIRTIO_PCI_CAP_NOTIFY_CFG && len >= VEP_VIRTIO_NOTIFY_CAP_LEN &&
      c + VEP_VIRTIO_NOTIFY_CAP_LEN <= 0x100u) {
    CFG(c + VEP_VIRTIO_CAP_EXTRA, 4, mult);
    out(o, " multiplier=%08x", mult);
  }
  out(o, "\n");
  return 0;
}

static int format_pm(vdrv_pci_dev_t *d, outbuf_t *o, unsigned c)
{
  static const char *const k_state[4] = {"D0", "D1", "D2", "D3hot"};
  static const unsigned k_aux_ma[8] = {0, 55, 100, 160, 220, 270, 320, 375};
  uint32_t pmc, pmcsr;
  CFG(c + 2u, 2, pmc);
  CFG(c + 4u, 2, pmcsr);
  out(o, "\tCapabilities: [%02x] Power Management version %u\n", c, pmc & 7u);
  out(o, "\t\tFlags: PMEClk%s DSI%s D1%s D2%s AuxCurrent=%umA "
      "PME(D0%s,D1%s,D2%s,D3hot%s,D3cold%s)\n", pmc >> 3 & 1u ? "+" : "-",
      pmc >> 5 & 1u ? "+" : "-", pmc >> 9 & 1u ? "+" : "-", pmc >> 10 & 1u ? "+" : "-",
      k_aux_ma[pmc >> 6 & 7u], pmc >> 11 & 1u ? "+" : "-", pmc >> 12 & 1u ? "+" : "-",
      pmc >> 13 & 1u ? "+" : "-", pmc >> 14 & 1u ? "+" : "-", pmc >> 15 & 1u ? "+" : "-");
  out(o, "\t\tStatus: %s NoSoftRst%s PME-Enable%s DSel=%u DScale=%u PME%s\n",
      k_state[pmcsr & 3u], pmcsr >> 3 & 1u ? "+" : "-", pmcsr >> 8 & 1u ? "+" : "-",
      pmcsr >> 9 & 15u, pmcsr >> 13 & 3u, pmcsr >> 15 & 1u ? "+" : "-");
  return 0;
}

/* One capability of the dump (a cap_walk visitor; ctx is the output). */
static int format_cap(vdrv_pci_dev_t *d, unsigned pos, uint32_t hdr, void *ctx)
{
  outbuf_t *o = ctx;
  switch (hdr & 0xFFu) {
  case VEP_CAP_ID_PCIE: return format_pcie(d, o, pos);
  case VEP_CAP_ID_MSIX:
    /* msix_info reads through d->msix_cap, which may name another MSI-X capability. */
    if (pos == d->msix_cap) return format_msix(d, o, pos);
    out(o, "\tCapabilities: [%02x] MSI-X: <second capability>\n", pos);
    return 0;
  case VEP_CAP_ID_VNDR: return format_vndr(d, o, pos);
  case VEP_CAP_ID_PM: return format_pm(d, o, pos);
  default: out(o, "\tCapabilities: [%02x] ID %02x\n", pos, hdr & 0xFFu); return 0;
  }
}

int vdrv_pci_format(vdrv_pci_dev_t *d, char *buf, size_t len)
{
  if (!d || !d->bus || (!buf && len)) return -EINVAL;
  outbuf_t ob = {buf, len, 0}, *o = &ob;
  if (len) buf[0] = '\0';
  uint32_t cmd, sts, pin, line;
  CFG(VEP_CFG_COMMAND, 2, cmd);
  CFG(VEP_CFG_STATUS, 2, sts);
  CFG(VEP_CFG_INT_PIN, 1, pin);
  CFG(VEP_CFG_INT_LINE, 1, line);

  unsigned b = d->bdf >> 8, dv = (d->bdf >> 3) & 0x1Fu, fn = d->bdf & 7u;
  out(o, "%02x:%02x.%u %s [%04x]: %s %s [%04x:%04x]", b, dv, fn, class_name(d->class_code),
      d->class_code >> 8, d->vendor_id == VEP_PCI_VENDOR_ID ? "Red Hat, Inc." : "Vendor",
      virtio_dev_name(d->vendor_id, d->device_id), d->vendor_id, d->device_id);
  out(o, " (rev %02x)", d->revision);
  if (d->class_code & 0xFFu) out(o, " (prog-if %02x)", d->class_code & 0xFFu);
  out(o, "\n");
  out(o, "\tSubsystem: %s Device [%04x:%04x]\n",
      d->subsys_vendor_id == VEP_PCI_VENDOR_ID ? "Red Hat, Inc." : "Vendor", d->subsys_vendor_id,
      d->subsys_id);
  out(o, "\tControl: I/O%s Mem%s BusMaster%s SpecCycle- MemWINV- VGASnoop- ParErr%s "
         "Stepping- SERR%s FastB2B- DisINTx%s\n",
      pm(cmd, VEP_CMD_IO_EN), pm(cmd, VEP_CMD_MEM_EN), pm(cmd, VEP_CMD_BUS_MASTER),
      pm(cmd, VEP_CMD_PARITY), pm(cmd, VEP_CMD_SERR), pm(cmd, VEP_CMD_INTX_DISABLE));
  static const char *const devsel[] = {"fast", "medium", "slow", "??"};
  out(o, "\tStatus: Cap%s 66MHz- UDF- FastB2B- ParErr%s DEVSEL=%s >TAbort%s <TAbort%s "
         "<MAbort%s >SERR%s <PERR%s INTx%s\n",
      pm(sts, VEP_STS_CAP_LIST), pm(sts, VDRV_PCI_STS_MDPE),
      devsel[(sts & VDRV_PCI_STS_DEVSEL_MASK) >> 9], pm(sts, VEP_STS_SIG_TGT_ABORT),
      pm(sts, VEP_STS_RCV_TGT_ABORT), pm(sts, VEP_STS_RCV_MST_ABORT),
      pm(sts, VDRV_PCI_STS_SIG_SERR), pm(sts, VDRV_PCI_STS_PARITY), pm(sts, VEP_STS_INTX));
  if (pin) out(o, "\tInterrupt: pin %c routed to IRQ %u\n", pin <= 4 ? 'A' + (int)pin - 1 : '?',
               line);

  for (unsigned i = 0; i < VDRV_PCI_NUM_BARS; i++) {
    const vdrv_pci_bar_t *bar = &d->bar[i];
    if (bar->size == 0) continue;
    if (bar->is_io) {
      out(o, "\tRegion %u: I/O ports at ", i);
      if (bar->addr) out(o, "%04llx ", (unsigned long long)bar->addr);
      else out(o, "<unassigned> ");
    } else {
      out(o, "\tRegion %u: Memory at ", i);
      if (bar->addr) out(o, "%llx ", (unsigned long long)bar->addr);
      else out(o, "<unassigned> ");
      out(o, "(%s, %sprefetchable) ", bar->is_64 ? "64-bit" : "32-bit",
          bar->prefetchable ? "" : "non-");
    }
    out_size(o, bar->size);
    out(o, "\n");
  }

  unsigned bad = 0;   /* set only when the list itself is broken */
  int rc = cap_walk(d, format_cap, o, &bad);
  if (bad && rc == -ELOOP) out(o, "\tCapabilities: <chain looped>\n");
  else if (bad) out(o, "\tCapabilities: <invalid pointer %02x>\n", bad);
  else if (rc) return rc;
  return (int)ob.pos;
}
