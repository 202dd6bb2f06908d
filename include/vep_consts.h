/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Constants shared by the RTL and all C code: PCI/PCIe, TLP encodings, virtio, and this
 * endpoint's layout (configuration-space capability offsets, BAR map, feature set).
 *
 * rtl/vep_pkg.sv defines every VEP_* name in VEP_SHARED_CONSTANTS with the same value;
 * tb/consts/ proves it. The names are UPPER_SNAKE in both languages (not the UpperCamelCase of
 * the SystemVerilog style guide) so that one grep finds a constant on both sides.
 */
#ifndef VEP_CONSTS_H
#define VEP_CONSTS_H

/* ---- PCI identity of the endpoint ---- */
#define VEP_PCI_VENDOR_ID          0x1AF4u   /* Red Hat / virtio */
#define VEP_PCI_DEVICE_ID_BASE     0x1040u   /* modern device ID = base + virtio device ID */
#define VEP_PCI_REVISION_ID        0x01u     /* non-transitional: >= 1 */
#define VEP_PCI_SUBSYS_VENDOR_ID   0x1AF4u
#define VEP_PCI_SUBSYS_ID          0x0040u   /* >= 0x40 keeps legacy drivers away */
#define VEP_PCI_CLASS_STORAGE_SCSI 0x010000u /* class/subclass/prog-if, as QEMU uses for blk */
#define VEP_PCI_CLASS_NET_ETHERNET 0x020000u
#define VEP_PCI_INT_PIN            0x01u     /* INTA */

/* ---- Type 0 configuration header offsets ---- */
#define VEP_CFG_VENDOR_ID      0x00u
#define VEP_CFG_DEVICE_ID      0x02u
#define VEP_CFG_COMMAND        0x04u
#define VEP_CFG_STATUS         0x06u
#define VEP_CFG_REVISION       0x08u
#define VEP_CFG_CLASS          0x09u
#define VEP_CFG_CACHE_LINE     0x0Cu
#define VEP_CFG_HEADER_TYPE    0x0Eu
#define VEP_CFG_BAR0           0x10u
#define VEP_CFG_BAR1           0x14u
#define VEP_CFG_BAR5           0x24u
#define VEP_CFG_SUBSYS_VENDOR  0x2Cu
#define VEP_CFG_SUBSYS_ID      0x2Eu
#define VEP_CFG_ROM_BAR        0x30u
#define VEP_CFG_CAP_PTR        0x34u
#define VEP_CFG_INT_LINE       0x3Cu
#define VEP_CFG_INT_PIN        0x3Du
#define VEP_CFG_SPACE_SIZE     0x1000u   /* PCIe: 4 KiB, extended space from 0x100 */

/* Command register bits */
#define VEP_CMD_IO_EN          0x0001u
#define VEP_CMD_MEM_EN         0x0002u
#define VEP_CMD_BUS_MASTER     0x0004u
#define VEP_CMD_PARITY         0x0040u
#define VEP_CMD_SERR           0x0100u
#define VEP_CMD_INTX_DISABLE   0x0400u
#define VEP_CMD_WRITABLE       0x0546u   /* MEM, BME, parity, SERR#, INTx disable; no I/O BAR */
/* Status register bits */
#define VEP_STS_INTX           0x0008u
#define VEP_STS_CAP_LIST       0x0010u
#define VEP_STS_SIG_TGT_ABORT  0x0800u   /* set when the completer sends a CA completion */
#define VEP_STS_RCV_TGT_ABORT  0x1000u
#define VEP_STS_RCV_MST_ABORT  0x2000u
#define VEP_STS_RW1C           0x3800u

/* BAR encoding */
#define VEP_BAR_MEM_TYPE_64    0x4u
#define VEP_BAR_PREFETCH       0x8u

/* ---- Capability IDs ---- */
#define VEP_CAP_ID_PM          0x01u     /* PCI Power Management */
#define VEP_CAP_ID_VNDR        0x09u
#define VEP_CAP_ID_PCIE        0x10u
#define VEP_CAP_ID_MSIX        0x11u

/* ---- This endpoint's capability chain (config-space offsets) ---- */
#define VEP_CAP_PCIE_OFF       0x40u     /* PCI Express capability v2, 0x3C bytes */
#define VEP_CAP_MSIX_OFF       0x80u     /* MSI-X, 12 bytes */
#define VEP_CAP_COMMON_OFF     0x8Cu     /* virtio_pci_cap, COMMON_CFG */
#define VEP_CAP_NOTIFY_OFF     0x9Cu     /* virtio_pci_notify_cap, 20 bytes */
#define VEP_CAP_ISR_OFF        0xB0u     /* virtio_pci_cap, ISR_CFG */
#define VEP_CAP_DEVICE_OFF     0xC0u     /* virtio_pci_cap, DEVICE_CFG */
#define VEP_CAP_PCICFG_OFF     0xD0u     /* virtio_pci_cfg_cap, 20 bytes */
#define VEP_CAP_PM_OFF         0xE4u     /* PCI Power Management, 8 bytes; last in the chain */
#define VEP_CAP_PCIE_LEN       0x3Cu

/* ---- PCI Power Management capability (at VEP_CAP_PM_OFF) ---- */
#define VEP_PM_PMC_VAL           0x0003u  /* PMC: version 3; no D1/D2, PME or aux current */
#define VEP_PM_PMCSR             0x04u    /* PMCSR offset from the capability start */
#define VEP_PM_PMCSR_STATE_MASK  0x0003u  /* PowerState: 00 D0, 11 D3hot (01/10 ignored) */
#define VEP_PM_STATE_D0          0u
#define VEP_PM_STATE_D3HOT       3u
#define VEP_PM_PMCSR_NOSOFTRESET 0x0008u  /* RO 1: D3hot -> D0 keeps all state */

/* ---- PCI Express capability register offsets (from the capability start) ---- */
#define VEP_PCIE_CAPS          0x02u
#define VEP_PCIE_DEVCAP        0x04u
#define VEP_PCIE_DEVCTL        0x08u
#define VEP_PCIE_DEVSTA        0x0Au
#define VEP_PCIE_LNKCAP        0x0Cu
#define VEP_PCIE_LNKCTL        0x10u
#define VEP_PCIE_LNKSTA        0x12u
#define VEP_PCIE_DEVCAP2       0x24u
#define VEP_PCIE_DEVCTL2       0x28u
#define VEP_PCIE_LNKCAP2       0x2Cu
#define VEP_PCIE_LNKCTL2       0x30u
#define VEP_PCIE_LNKSTA2       0x32u
/* Register values and masks of this endpoint */
#define VEP_PCIE_CAPS_VAL      0x0002u      /* version 2, type 0 = PCI Express Endpoint */
#define VEP_PCIE_DEVCAP_VAL    0x00008022u  /* MPS supported 512 B, ext tag, role-based err */
#define VEP_PCIE_DEVCTL_RESET  0x2810u      /* MRRS 512 B, no-snoop en, relaxed-order en */
#define VEP_PCIE_DEVCTL_WMASK  0x79FFu      /* not writable: 9 (phantom functions), 10 (aux
                                             * power PM) and 15 (initiate FLR): DevCap
                                             * advertises none of them */
#define VEP_PCIE_DEVSTA_FED    0x0004u      /* Fatal Error Detected, RW1C: malformed TLPs */
#define VEP_PCIE_DEVSTA_URD    0x0008u      /* Unsupported Request Detected, RW1C */
#define VEP_PCIE_LNKCAP_VAL    0x00000011u  /* 2.5 GT/s, x1 */
#define VEP_PCIE_LNKCTL_WMASK  0x00CBu      /* ASPM, RCB, common clock, extended synch */
#define VEP_PCIE_LNKCTL_RCB    0x0008u
#define VEP_PCIE_LNKSTA_VAL    0x0011u      /* 2.5 GT/s, x1 */
#define VEP_PCIE_DEVCAP2_VAL   0x00000010u  /* completion timeout disable supported */
#define VEP_PCIE_DEVCTL2_WMASK 0x0010u      /* completion timeout disable only: DevCap2 advertises
                                               * no ranges, so the value field is hardwired 0 */
#define VEP_PCIE_LNKCAP2_VAL   0x00000002u  /* supported speeds: 2.5 GT/s */
#define VEP_PCIE_LNKCTL2_VAL   0x0001u      /* target link speed 2.5 GT/s */
#define VEP_DEVCTL_MPS_SHIFT   5u
#define VEP_DEVCTL_MRRS_SHIFT  12u
#define VEP_MPS_SUPPORTED_ENC  2u           /* 512 B */

/* ---- MSI-X capability ---- */
#define VEP_MSIX_MSGCTL        0x02u
#define VEP_MSIX_TABLE         0x04u
#define VEP_MSIX_PBA           0x08u
#define VEP_MSIX_CTL_ENABLE    0x8000u
#define VEP_MSIX_CTL_FMASK     0x4000u
#define VEP_MSIX_ENTRY_SIZE    16u
#define VEP_MSIX_VECTOR_MASKED 0x1u

/* ---- virtio vendor capability ---- */
#define VEP_VIRTIO_CAP_LEN        16u
#define VEP_VIRTIO_NOTIFY_CAP_LEN 20u
#define VEP_VIRTIO_PCICFG_CAP_LEN 20u
#define VEP_VIRTIO_CAP_CFG_TYPE   3u
#define VEP_VIRTIO_CAP_BAR        4u
#define VEP_VIRTIO_CAP_OFFSET     8u
#define VEP_VIRTIO_CAP_LENGTH     12u
#define VEP_VIRTIO_CAP_EXTRA      16u   /* notify_off_multiplier, or pci_cfg_data */
#define VEP_VIRTIO_PCI_CAP_COMMON_CFG 1u
#define VEP_VIRTIO_PCI_CAP_NOTIFY_CFG 2u
#define VEP_VIRTIO_PCI_CAP_ISR_CFG    3u
#define VEP_VIRTIO_PCI_CAP_DEVICE_CFG 4u
#define VEP_VIRTIO_PCI_CAP_PCI_CFG    5u

/* ---- BAR0 map: one 64-bit non-prefetchable memory BAR (the ISR reads have side effects) ---- */
#define VEP_BAR0_SIZE          0x8000u
#define VEP_BAR0_SIZE_LOG2     15u
#define VEP_BAR_COMMON_OFF     0x0000u
#define VEP_BAR_COMMON_LEN     0x0038u  /* every virtio 1.0 field */
#define VEP_BAR_ISR_OFF        0x1000u
#define VEP_BAR_ISR_LEN        0x0004u
#define VEP_BAR_DEVICE_OFF     0x2000u
#define VEP_BAR_DEVICE_LEN     0x0024u  /* virtio-blk config through num_queues */
#define VEP_BAR_NOTIFY_OFF     0x3000u
#define VEP_NOTIFY_MULTIPLIER  4u       /* queue q's doorbell at NOTIFY_OFF + 4*q */
#define VEP_BAR_MSIX_TABLE_OFF 0x4000u
#define VEP_BAR_MSIX_PBA_OFF   0x5000u
#define VEP_BAR_REGION_SHIFT   12u      /* BAR offset [14:12] selects the region above */

/* ---- virtio common configuration (offsets within the structure) ---- */
#define VEP_COMMON_DFSELECT    0x00u
#define VEP_COMMON_DF          0x04u
#define VEP_COMMON_GFSELECT    0x08u
#define VEP_COMMON_GF          0x0Cu
#define VEP_COMMON_MSIX        0x10u
#define VEP_COMMON_NUMQ        0x12u
#define VEP_COMMON_STATUS      0x14u
#define VEP_COMMON_CFGGEN      0x15u
#define VEP_COMMON_Q_SELECT    0x16u
#define VEP_COMMON_Q_SIZE      0x18u
#define VEP_COMMON_Q_MSIX      0x1Au
#define VEP_COMMON_Q_ENABLE    0x1Cu
#define VEP_COMMON_Q_NOFF      0x1Eu
#define VEP_COMMON_Q_DESCLO    0x20u
#define VEP_COMMON_Q_DESCHI    0x24u
#define VEP_COMMON_Q_AVAILLO   0x28u
#define VEP_COMMON_Q_AVAILHI   0x2Cu
#define VEP_COMMON_Q_USEDLO    0x30u
#define VEP_COMMON_Q_USEDHI    0x34u

/* Device status bits */
#define VEP_STATUS_ACKNOWLEDGE        0x01u
#define VEP_STATUS_DRIVER             0x02u
#define VEP_STATUS_DRIVER_OK          0x04u
#define VEP_STATUS_FEATURES_OK        0x08u
#define VEP_STATUS_DEVICE_NEEDS_RESET 0x40u
#define VEP_STATUS_FAILED             0x80u
#define VEP_MSI_NO_VECTOR             0xFFFFu

/* ISR bits */
#define VEP_ISR_QUEUE          0x01u
#define VEP_ISR_CONFIG         0x02u

/* ---- virtio device IDs and feature bits (bit numbers) ---- */
#define VEP_VIRTIO_ID_NET          1u
#define VEP_VIRTIO_ID_BLK          2u
#define VEP_F_INDIRECT_DESC        28u
#define VEP_F_EVENT_IDX            29u
#define VEP_F_VERSION_1            32u
#define VEP_F_ACCESS_PLATFORM      33u
#define VEP_F_RING_PACKED          34u
#define VEP_BLK_F_SIZE_MAX         1u
#define VEP_BLK_F_SEG_MAX          2u
#define VEP_BLK_F_GEOMETRY         4u
#define VEP_BLK_F_RO               5u
#define VEP_BLK_F_BLK_SIZE         6u
#define VEP_BLK_F_FLUSH            9u

/* virtio-blk device configuration offsets */
#define VEP_BLK_CFG_CAPACITY       0x00u
#define VEP_BLK_CFG_SIZE_MAX       0x08u
#define VEP_BLK_CFG_SEG_MAX        0x0Cu
#define VEP_BLK_CFG_GEOMETRY       0x10u
#define VEP_BLK_CFG_BLK_SIZE       0x14u
#define VEP_BLK_CFG_TOPOLOGY       0x18u
#define VEP_BLK_CFG_WRITEBACK      0x20u
#define VEP_BLK_CFG_NUM_QUEUES     0x22u

/* ---- TLP encodings: DW0 byte 0 = {Fmt[2:0], Type[4:0]} ---- */
#define VEP_TLP_MRD32          0x00u
#define VEP_TLP_MRD64          0x20u
#define VEP_TLP_MRDLK32        0x01u
#define VEP_TLP_MRDLK64        0x21u
#define VEP_TLP_MWR32          0x40u
#define VEP_TLP_MWR64          0x60u
#define VEP_TLP_IORD           0x02u
#define VEP_TLP_IOWR           0x42u
#define VEP_TLP_CFGRD0         0x04u
#define VEP_TLP_CFGWR0         0x44u
#define VEP_TLP_CFGRD1         0x05u
#define VEP_TLP_CFGWR1         0x45u
#define VEP_TLP_CPL            0x0Au
#define VEP_TLP_CPLD           0x4Au
#define VEP_TLP_CPLLK          0x0Bu
#define VEP_TLP_CPLDLK         0x4Bu
#define VEP_TLP_MSG_LOCAL      0x34u   /* Msg, routed locally: INTx assert/deassert */
#define VEP_TLP_FMT_4DW        0x20u   /* Fmt bit 0 in byte 0: 4DW header */
#define VEP_TLP_FMT_DATA       0x40u   /* Fmt bit 1 in byte 0: with data */
#define VEP_CPL_SC             0u
#define VEP_CPL_UR             1u
#define VEP_CPL_CRS            2u
#define VEP_CPL_CA             4u
#define VEP_MSG_ASSERT_INTA    0x20u   /* message codes (DW1[7:0]) of the INTA virtual wire */
#define VEP_MSG_DEASSERT_INTA  0x24u

/* ---- Endpoint limits that are part of the register contract ---- */
#define VEP_REG_ACCESS_MAX_DW  2u   /* MRd/MWr to BAR0 of 1 or 2 DW; longer: CA / dropped */

/* ---- The data path (docs/datapath.md) ---- */
#define VEP_BLK_SLOTS          16u     /* virtio-blk requests in the device at once */
#define VEP_SEG_EXTRA          2u      /* segments per chain = BLK_SEG_MAX + this (header, status) */
#define VEP_RD_CHUNK           512u    /* largest MRd the read engine sends; its buffer per tag */
#define VEP_DMA_MAX_LEN        4096u   /* largest DMA request of a client, in bytes */
#define VEP_CPL_TIMEOUT_CYCLES 16384u  /* the oldest read tag fails after this many cycles */
#define VEP_DMA_CLIENTS        3u      /* 0 vq_fetch, 1 vq_used, 2 blk */

/* virtio-blk request types and status values */
#define VEP_BLK_T_IN           0u
#define VEP_BLK_T_OUT          1u
#define VEP_BLK_T_FLUSH        4u
#define VEP_BLK_T_GET_ID       8u
#define VEP_BLK_S_OK           0u
#define VEP_BLK_S_IOERR        1u
#define VEP_BLK_S_UNSUPP       2u
#define VEP_BLK_HDR_BYTES      16u
#define VEP_BLK_ID_BYTES       20u
#define VEP_BLK_SECTOR         512u

/* split ring flags */
#define VEP_VRING_DESC_F_NEXT      1u
#define VEP_VRING_DESC_F_WRITE     2u
#define VEP_VRING_DESC_F_INDIRECT  4u
#define VEP_VRING_AVAIL_F_NO_INTERRUPT 1u
#define VEP_VRING_USED_F_NO_NOTIFY     1u

/* Device error codes (dev_err_code): why the device set DEVICE_NEEDS_RESET. */
#define VEP_ERR_NONE               0u
#define VEP_ERR_HEAD_RANGE         1u   /* avail ring entry >= queue size */
#define VEP_ERR_NEXT_RANGE         2u   /* next >= queue size (or indirect table entries) */
#define VEP_ERR_CHAIN_LOOP         3u   /* more descriptors than the size: a loop */
#define VEP_ERR_INDIRECT_FEATURE   4u   /* INDIRECT without VIRTIO_F_INDIRECT_DESC */
#define VEP_ERR_INDIRECT_NESTED    5u   /* INDIRECT inside an indirect table */
#define VEP_ERR_INDIRECT_NEXT      6u   /* INDIRECT together with NEXT */
#define VEP_ERR_INDIRECT_LEN       7u   /* table length 0 or not a multiple of 16 */
#define VEP_ERR_ZERO_LEN           8u   /* a zero-length buffer */
#define VEP_ERR_READ_AFTER_WRITE   9u   /* device-readable after device-writable */
#define VEP_ERR_TOO_MANY_SEGS      10u  /* more buffers than VEP_SEG_SLOTS */
#define VEP_ERR_CHAIN_BYTES        11u  /* readable or writable total above 2^32-1 */
#define VEP_ERR_AVAIL_JUMP         12u  /* avail index moved by more than the size */
#define VEP_ERR_RING_DMA           13u  /* a DMA error on an avail-ring or descriptor access */
#define VEP_ERR_BLK_HEADERS        14u  /* blk request without 16-byte header or status byte */
#define VEP_ERR_USED_DMA           15u  /* a DMA error on a used-ring access */

/* Every constant the RTL package must define with the same value. */
#define VEP_SHARED_CONSTANTS(X) \
  X(VEP_PCI_VENDOR_ID) X(VEP_PCI_DEVICE_ID_BASE) X(VEP_PCI_REVISION_ID) \
  X(VEP_PCI_SUBSYS_VENDOR_ID) X(VEP_PCI_SUBSYS_ID) X(VEP_PCI_CLASS_STORAGE_SCSI) \
  X(VEP_PCI_CLASS_NET_ETHERNET) X(VEP_PCI_INT_PIN) \
  X(VEP_CMD_WRITABLE) X(VEP_STS_INTX) X(VEP_STS_CAP_LIST) X(VEP_STS_SIG_TGT_ABORT) \
  X(VEP_STS_RW1C) X(VEP_BAR_MEM_TYPE_64) \
  X(VEP_CAP_ID_VNDR) X(VEP_CAP_ID_PCIE) X(VEP_CAP_ID_MSIX) X(VEP_CAP_ID_PM) X(VEP_CAP_PM_OFF) \
  X(VEP_PM_PMC_VAL) X(VEP_PM_PMCSR_NOSOFTRESET) \
  X(VEP_CAP_PCIE_OFF) X(VEP_CAP_MSIX_OFF) X(VEP_CAP_COMMON_OFF) X(VEP_CAP_NOTIFY_OFF) \
  X(VEP_CAP_ISR_OFF) X(VEP_CAP_DEVICE_OFF) X(VEP_CAP_PCICFG_OFF) X(VEP_CAP_PCIE_LEN) \
  X(VEP_PCIE_CAPS_VAL) X(VEP_PCIE_DEVCAP_VAL) X(VEP_PCIE_DEVCTL_RESET) X(VEP_PCIE_DEVCTL_WMASK) \
  X(VEP_PCIE_DEVSTA_FED) X(VEP_PCIE_DEVSTA_URD) X(VEP_PCIE_LNKCAP_VAL) \
  X(VEP_PCIE_LNKCTL_WMASK) X(VEP_PCIE_LNKSTA_VAL) \
  X(VEP_PCIE_DEVCAP2_VAL) X(VEP_PCIE_DEVCTL2_WMASK) X(VEP_PCIE_LNKCAP2_VAL) \
  X(VEP_PCIE_LNKCTL2_VAL) X(VEP_MPS_SUPPORTED_ENC) \
  X(VEP_MSIX_CTL_ENABLE) X(VEP_MSIX_CTL_FMASK) \
  X(VEP_VIRTIO_CAP_LEN) X(VEP_VIRTIO_NOTIFY_CAP_LEN) X(VEP_VIRTIO_PCICFG_CAP_LEN) \
  X(VEP_VIRTIO_PCI_CAP_COMMON_CFG) X(VEP_VIRTIO_PCI_CAP_NOTIFY_CFG) \
  X(VEP_VIRTIO_PCI_CAP_ISR_CFG) X(VEP_VIRTIO_PCI_CAP_DEVICE_CFG) X(VEP_VIRTIO_PCI_CAP_PCI_CFG) \
  X(VEP_BAR0_SIZE) X(VEP_BAR0_SIZE_LOG2) X(VEP_BAR_COMMON_OFF) X(VEP_BAR_COMMON_LEN) \
  X(VEP_BAR_ISR_OFF) X(VEP_BAR_ISR_LEN) X(VEP_BAR_DEVICE_OFF) X(VEP_BAR_DEVICE_LEN) \
  X(VEP_BAR_NOTIFY_OFF) X(VEP_NOTIFY_MULTIPLIER) X(VEP_BAR_MSIX_TABLE_OFF) \
  X(VEP_BAR_MSIX_PBA_OFF) X(VEP_BAR_REGION_SHIFT) \
  X(VEP_STATUS_ACKNOWLEDGE) X(VEP_STATUS_DRIVER) X(VEP_STATUS_DRIVER_OK) \
  X(VEP_STATUS_FEATURES_OK) X(VEP_STATUS_DEVICE_NEEDS_RESET) X(VEP_STATUS_FAILED) \
  X(VEP_MSI_NO_VECTOR) X(VEP_ISR_QUEUE) X(VEP_ISR_CONFIG) \
  X(VEP_VIRTIO_ID_NET) X(VEP_VIRTIO_ID_BLK) X(VEP_F_VERSION_1) X(VEP_BLK_F_SEG_MAX) \
  X(VEP_BLK_F_RO) X(VEP_BLK_F_BLK_SIZE) X(VEP_BLK_F_FLUSH) X(VEP_F_INDIRECT_DESC) \
  X(VEP_F_EVENT_IDX) \
  X(VEP_TLP_MRD32) X(VEP_TLP_MRD64) X(VEP_TLP_MWR32) X(VEP_TLP_MWR64) X(VEP_TLP_CFGRD0) \
  X(VEP_TLP_CFGWR0) X(VEP_TLP_CPL) X(VEP_TLP_CPLD) X(VEP_TLP_MSG_LOCAL) \
  X(VEP_CPL_SC) X(VEP_CPL_UR) X(VEP_CPL_CA) X(VEP_MSG_ASSERT_INTA) X(VEP_MSG_DEASSERT_INTA) \
  X(VEP_REG_ACCESS_MAX_DW) \
  X(VEP_BLK_SLOTS) X(VEP_SEG_EXTRA) X(VEP_RD_CHUNK) X(VEP_DMA_MAX_LEN)  \
  X(VEP_CPL_TIMEOUT_CYCLES) X(VEP_DMA_CLIENTS) X(VEP_BLK_T_IN) X(VEP_BLK_T_OUT)  \
  X(VEP_BLK_T_FLUSH) X(VEP_BLK_T_GET_ID) X(VEP_BLK_S_OK) X(VEP_BLK_S_IOERR) X(VEP_BLK_S_UNSUPP)  \
  X(VEP_BLK_HDR_BYTES) X(VEP_BLK_ID_BYTES) X(VEP_BLK_SECTOR) X(VEP_VRING_DESC_F_NEXT)  \
  X(VEP_VRING_DESC_F_WRITE) X(VEP_VRING_DESC_F_INDIRECT) X(VEP_VRING_AVAIL_F_NO_INTERRUPT)  \
  X(VEP_VRING_USED_F_NO_NOTIFY) X(VEP_ERR_NONE) X(VEP_ERR_HEAD_RANGE) X(VEP_ERR_NEXT_RANGE)  \
  X(VEP_ERR_CHAIN_LOOP) X(VEP_ERR_INDIRECT_FEATURE) X(VEP_ERR_INDIRECT_NESTED)  \
  X(VEP_ERR_INDIRECT_NEXT) X(VEP_ERR_INDIRECT_LEN) X(VEP_ERR_ZERO_LEN)  \
  X(VEP_ERR_READ_AFTER_WRITE) X(VEP_ERR_TOO_MANY_SEGS) X(VEP_ERR_CHAIN_BYTES)  \
  X(VEP_ERR_AVAIL_JUMP) X(VEP_ERR_RING_DMA) X(VEP_ERR_BLK_HEADERS) X(VEP_ERR_USED_DMA)

#endif /* VEP_CONSTS_H */
