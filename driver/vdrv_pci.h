/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The driver's PCI layer: configuration access, enumeration, BAR sizing and assignment,
 * capability walk, BAR (MMIO) access, MSI-X enable, and an `lspci -vvv`-like dump.
 * Everything goes through a vdrv_bus_t (driver/vdrv_bus.h), so the same code runs over the
 * simulated bus and a real board. The layer above is vdrv_vpci.h (virtio-pci transport).
 *
 * Errors are negative errno values:
 *   -EINVAL   bad argument (size, alignment, offset out of config space, BAR index)
 *   -ERANGE   MMIO offset past the end of the BAR
 *   -ENXIO    BAR not implemented or not assigned
 *   -ENOENT   capability not found
 *   -EPROTO   the device presents an invalid structure (capability pointer, BAR encoding)
 *   -ELOOP    capability list longer than VDRV_PCI_CAP_MAX (a loop)
 *   -ENOSPC   BARs do not fit in the bus window
 *   -EIO      the device is marked broken
 *   anything the bus returns (e.g. -ETIMEDOUT for a completion timeout)
 * A bus error (negative return of a bus op) marks the device broken: every later access
 * returns -EIO without touching the bus, as Linux does for a disconnected device. The caller may
 * clear `broken` to try again (e.g. after resetting the simulation's link).
 */
#ifndef VDRV_PCI_H
#define VDRV_PCI_H

#include <stddef.h>
#include <stdint.h>

#include "vdrv_bus.h"
#include "vep_consts.h"

/* ---- Generic PCI constants that include/vep_consts.h does not define ---- */
#define VDRV_PCI_VENDOR_NONE        0xFFFFu  /* vendor ID read when nothing answers (UR) */
#define VDRV_PCI_HDR_TYPE_MASK      0x7Fu
#define VDRV_PCI_HDR_MULTIFUNC      0x80u
#define VDRV_PCI_HDR_TYPE_NORMAL    0x00u
#define VDRV_PCI_MAX_DEVICES        32u
#define VDRV_PCI_MAX_FUNCTIONS      8u
#define VDRV_PCI_NUM_BARS           6u
#define VDRV_PCI_BAR_IO             0x1u
#define VDRV_PCI_BAR_MEM_TYPE_MASK  0x6u
#define VDRV_PCI_BAR_MEM_TYPE_32    0x0u
#define VDRV_PCI_BAR_MEM_TYPE_1M    0x2u     /* legacy "below 1 MiB": treated as 32-bit */
#define VDRV_PCI_BAR_MEM_MASK       0xFFFFFFF0u
#define VDRV_PCI_BAR_IO_MASK        0xFFFFFFFCu
#define VDRV_PCI_CAP_MIN_PTR        0x40u    /* standard capabilities live in 0x40..0xFF */
#define VDRV_PCI_CAP_MAX_PTR        0xFCu
#define VDRV_PCI_CAP_MAX            48u      /* (0x100 - 0x40) / 4: more means a loop */
#define VDRV_PCI_CAP_NEXT           1u       /* byte offset of the next pointer in a capability */
#define VDRV_PCI_STS_DEVSEL_MASK    0x0600u
#define VDRV_PCI_STS_SIG_SERR       0x4000u
#define VDRV_PCI_STS_PARITY         0x8000u
#define VDRV_PCI_STS_MDPE           0x0100u
/* PCI Express capability fields */
#define VDRV_PCIE_CAPS_VER_MASK     0x000Fu
#define VDRV_PCIE_CAPS_TYPE_SHIFT   4u
#define VDRV_PCIE_CAPS_TYPE_MASK    0x00F0u
#define VDRV_PCIE_CAPS_IRQ_SHIFT    9u
#define VDRV_PCIE_CAPS_IRQ_MASK     0x3E00u
#define VDRV_PCIE_DEVCAP_MPS_MASK   0x00000007u
#define VDRV_PCIE_DEVCAP_PHANTOM    0x00000018u
#define VDRV_PCIE_DEVCAP_EXT_TAG    0x00000020u
#define VDRV_PCIE_DEVCAP_L0S_SHIFT  6u
#define VDRV_PCIE_DEVCAP_L1_SHIFT   9u
#define VDRV_PCIE_DEVCAP_RBER       0x00008000u
#define VDRV_PCIE_DEVCAP_FLR        0x10000000u
#define VDRV_PCIE_DEVCTL_CERE       0x0001u
#define VDRV_PCIE_DEVCTL_NFERE      0x0002u
#define VDRV_PCIE_DEVCTL_FERE       0x0004u
#define VDRV_PCIE_DEVCTL_URRE       0x0008u
#define VDRV_PCIE_DEVCTL_RELAX_EN   0x0010u
#define VDRV_PCIE_DEVCTL_MPS_MASK   0x00E0u
#define VDRV_PCIE_DEVCTL_EXT_TAG    0x0100u
#define VDRV_PCIE_DEVCTL_PHANTOM    0x0200u
#define VDRV_PCIE_DEVCTL_AUX_PM     0x0400u
#define VDRV_PCIE_DEVCTL_NOSNOOP_EN 0x0800u
#define VDRV_PCIE_DEVCTL_MRRS_MASK  0x7000u
#define VDRV_PCIE_DEVCTL_FLR        0x8000u
#define VDRV_PCIE_DEVSTA_CED        0x0001u
#define VDRV_PCIE_DEVSTA_NFED       0x0002u
#define VDRV_PCIE_DEVSTA_FED        0x0004u
#define VDRV_PCIE_DEVSTA_AUXPD      0x0010u
#define VDRV_PCIE_DEVSTA_TRPND      0x0020u
#define VDRV_PCIE_LNKCAP_SPEED_MASK 0x0000000Fu
#define VDRV_PCIE_LNKCAP_WIDTH_SHIFT 4u
#define VDRV_PCIE_LNKCAP_WIDTH_MASK 0x000003F0u
#define VDRV_PCIE_LNKCAP_ASPM_SHIFT 10u
#define VDRV_PCIE_LNKCAP_PORT_SHIFT 24u
#define VDRV_PCIE_LNKCTL_ASPM_MASK  0x0003u
#define VDRV_PCIE_LNKCTL_CCC        0x0040u
#define VDRV_PCIE_LNKCTL_ES         0x0080u
#define VDRV_PCIE_LNKSTA_SPEED_MASK 0x000Fu
#define VDRV_PCIE_LNKSTA_WIDTH_SHIFT 4u
#define VDRV_PCIE_LNKSTA_WIDTH_MASK 0x03F0u
#define VDRV_PCIE_LNKSTA_TRAINING   0x0800u
#define VDRV_PCIE_LNKSTA_DLLLA      0x2000u
/* MSI-X capability fields */
#define VDRV_MSIX_CTL_TABLE_SIZE    0x07FFu  /* N - 1 */
#define VDRV_MSIX_BIR_MASK          0x7u
#define VDRV_MSIX_OFFSET_MASK       0xFFFFFFF8u
#define VDRV_MSIX_ENTRY_ADDR_LO     0x0u
#define VDRV_MSIX_ENTRY_ADDR_HI     0x4u
#define VDRV_MSIX_ENTRY_DATA        0x8u
#define VDRV_MSIX_ENTRY_CTRL        0xCu

typedef struct vdrv_pci_bar {
  uint64_t addr;      /* bus address assigned (0: not assigned) */
  uint64_t size;      /* bytes, 0: not implemented (or the upper half of a 64-bit BAR) */
  int is_io, is_64, prefetchable;
} vdrv_pci_bar_t;

typedef struct vdrv_pci_dev {
  vdrv_bus_t *bus;
  vdrv_bdf_t bdf;
  uint16_t vendor_id, device_id, subsys_vendor_id, subsys_id;
  uint8_t revision, header_type, int_pin;
  uint32_t class_code;          /* base class [23:16], subclass [15:8], prog-if [7:0] */
  vdrv_pci_bar_t bar[6];
  uint8_t pcie_cap, msix_cap;   /* config offsets, 0 if absent */
  int broken;
} vdrv_pci_dev_t;

/* The MSI-X capability decoded. */
typedef struct vdrv_pci_msix_info {
  unsigned table_size;          /* number of entries (Table Size field + 1) */
  uint8_t table_bir, pba_bir;
  uint32_t table_offset, pba_offset;
  int enabled, function_masked;
} vdrv_pci_msix_info_t;

/* Configuration read/write of size 1, 2 or 4 at a naturally aligned offset < 4096. A read that
 * nothing answers gives 0 and all ones (see vdrv_bus.h). */
int vdrv_pci_cfg_read(vdrv_pci_dev_t *d, unsigned off, unsigned size, uint32_t *val);
int vdrv_pci_cfg_write(vdrv_pci_dev_t *d, unsigned off, unsigned size, uint32_t val);

/* Reads the header of the function at bdf into *d (IDs, class, header type, interrupt pin, BAR
 * types and current addresses; sizes stay 0 until vdrv_pci_assign_bars) and locates the PCI
 * Express and MSI-X capabilities. -ENODEV if nothing answers at bdf. A malformed capability
 * list is not an error here: pcie_cap/msix_cap stay 0 and vdrv_pci_find_cap reports it. */
int vdrv_pci_probe_dev(vdrv_bus_t *bus, vdrv_bdf_t bdf, vdrv_pci_dev_t *d);

/* Scans bus->first_bus devices 0..31 function 0 (and functions 1..7 of multi-function devices);
 * fills up to max devices (each as vdrv_pci_probe_dev does). *found gets the number filled;
 * functions beyond max are ignored. */
int vdrv_pci_enumerate(vdrv_bus_t *bus, vdrv_pci_dev_t *devs, unsigned max, unsigned *found);

/* Sizes every BAR (write all ones, read back, restore; 64-bit pairs combined) and assigns
 * addresses in the bus's two windows (vdrv_bus.h), as Linux does behind a bridge:
 * non-prefetchable memory BARs (32- or 64-bit) in the 32-bit window mmio32_window, 64-bit
 * prefetchable ones in mmio_window, a 32-bit prefetchable one in mmio_window only when that lies
 * below 4 GiB, else in mmio32_window; a BAR whose window the bus lacks (size 0) goes to the other
 * one. In each window, from the cursor upward (*next32_addr for mmio32_window, *next_addr for
 * mmio_window; from the window base when the cursor is below it), naturally aligned, largest
 * first; on success each cursor is left at the end of its window's last BAR. Memory decoding is
 * disabled while sizing; the Command register is restored afterwards. I/O BARs are sized but not
 * assigned (the bus has no I/O window). A BAR that does not fit in its window, or a 32-bit BAR
 * that cannot be placed below 4 GiB inside it, gives -ENOSPC. -ENOTSUP for a non-type-0 header,
 * -EPROTO for an invalid encoding (reserved type, 64-bit BAR in slot 5, size not a power of two,
 * or an address that does not read back as written). */
int vdrv_pci_assign_bars(vdrv_pci_dev_t *d, uint64_t *next_addr, uint64_t *next32_addr);

/* Sets Memory Space and Bus Master in Command and checks they read back set (-EIO if not). */
int vdrv_pci_enable(vdrv_pci_dev_t *d);

/* Capability walk with loop protection (at most 48 capabilities, pointers must be DW aligned and
 * in 0x40..0xFC, else -ELOOP / -EPROTO). Finds the first capability with this ID after config
 * offset `after` (0 = from the start; otherwise `after` must be a capability of the list, else
 * -ENOENT). Returns 0 and *off, or -ENOENT (also when Status has no Capabilities List). */
int vdrv_pci_find_cap(vdrv_pci_dev_t *d, uint8_t id, uint8_t after, uint8_t *off);

/* MMIO read/write of size 1, 2, 4 or 8 at a naturally aligned offset inside an assigned memory
 * BAR (-ENXIO if unassigned, -ERANGE past its end). */
int vdrv_pci_mmio_read(vdrv_pci_dev_t *d, int bar, uint64_t off, unsigned size, uint64_t *val);
int vdrv_pci_mmio_write(vdrv_pci_dev_t *d, int bar, uint64_t off, unsigned size, uint64_t val);

/* Reads and decodes the MSI-X capability (-ENOENT without one). */
int vdrv_pci_msix_info(vdrv_pci_dev_t *d, vdrv_pci_msix_info_t *info);

/* Sets or clears MSI-X Enable in Message Control (other bits kept). Enabling also sets INTx
 * Disable in Command, since INTx must not be used while MSI-X is enabled. -ENOENT without an
 * MSI-X capability. */
int vdrv_pci_msix_enable(vdrv_pci_dev_t *d, int enable);

/* Programs Max Payload Size and Max Read Request Size in Device Control (bytes: 128..4096,
 * powers of two; -EINVAL otherwise, or when mps exceeds what Device Capabilities supports).
 * -ENOENT without a PCI Express capability. */
int vdrv_pci_set_mps_mrrs(vdrv_pci_dev_t *d, unsigned mps, unsigned mrrs);

/* Formats config space like `lspci -vvv` for a virtio device: IDs, class, Command/Status, BARs
 * with size and address, PCI Express capability (DevCap/DevCtl with MPS/MRRS decoded, link),
 * MSI-X (table size, table/PBA BIR and offset, enable/mask), each virtio vendor capability with
 * cfg_type name, bar, offset, length (and notify multiplier). Reads only registers without side
 * effects (never pci_cfg_data). Writes a NUL-terminated string into buf, truncated to len - 1
 * characters; returns its length (strlen(buf)), or a negative errno if config reads fail. */
int vdrv_pci_format(vdrv_pci_dev_t *d, char *buf, size_t len);

#endif /* VDRV_PCI_H */
