/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of rtl/vep_cfg_space.sv; see vep_cfg_space.h and docs/registers.md. */
#include "vep_cfg_space.h"

#include "vep_consts.h"

static uint32_t class_code(const vep_params_t *p)
{
  if (p->DEVICE_ID == VEP_VIRTIO_ID_BLK) {
    return VEP_PCI_CLASS_STORAGE_SCSI;
  }
  if (p->DEVICE_ID == VEP_VIRTIO_ID_NET) {
    return VEP_PCI_CLASS_NET_ETHERNET;
  }
  return 0;
}

/* DW 0 of a vendor-specific (virtio) capability. */
static uint32_t vndr_dw0(uint32_t cfg_type, uint32_t cap_len, uint32_t next)
{
  return (cfg_type << 24) | (cap_len << 16) | (next << 8) | VEP_CAP_ID_VNDR;
}

/* The DW at config-space address addr (DW aligned) as a read returns it. */
static uint32_t read_dw(const vep_cfg_space_q_t *q, const vep_params_t *p,
                        const vep_cfg_space_in_t *in, uint32_t addr)
{
  uint32_t sts = VEP_STS_CAP_LIST | q->sts_q;
  if (in->isr_pending && !q->msix_en_q) {
    sts |= VEP_STS_INTX;
  }
  uint32_t rev = VEP_PCI_REVISION_ID;
#ifdef VEP_MODEL_INJECT_BUG
  /* Deliberate one-bit divergence from the RTL: proves that lockstep catches it. */
  rev ^= 1u;
#endif
  switch (addr) {
  case 0x00: return ((VEP_PCI_DEVICE_ID_BASE + p->DEVICE_ID) & 0xFFFFu) << 16 | VEP_PCI_VENDOR_ID;
  case 0x04: return sts << 16 | q->cmd_q;
  case 0x08: return class_code(p) << 8 | rev;
  case 0x0C: return q->cache_line_q;
  case 0x10: return q->bar0_q | VEP_BAR_MEM_TYPE_64;
  case 0x14: return q->bar1_q;
  case 0x2C: return VEP_PCI_SUBSYS_ID << 16 | VEP_PCI_SUBSYS_VENDOR_ID;
  case 0x34: return VEP_CAP_PCIE_OFF;
  case 0x3C: return VEP_PCI_INT_PIN << 8 | q->int_line_q;
  /* PCI Express capability */
  case VEP_CAP_PCIE_OFF:
    return VEP_PCIE_CAPS_VAL << 16 | VEP_CAP_MSIX_OFF << 8 | VEP_CAP_ID_PCIE;
  case VEP_CAP_PCIE_OFF + VEP_PCIE_DEVCAP: return VEP_PCIE_DEVCAP_VAL;
  case VEP_CAP_PCIE_OFF + VEP_PCIE_DEVCTL:
    return ((q->devsta_urd_q ? VEP_PCIE_DEVSTA_URD : 0u) |
            (q->devsta_fed_q ? VEP_PCIE_DEVSTA_FED : 0u)) << 16 | q->devctl_q;
  case VEP_CAP_PCIE_OFF + VEP_PCIE_LNKCAP: return VEP_PCIE_LNKCAP_VAL;
  case VEP_CAP_PCIE_OFF + VEP_PCIE_LNKCTL: return VEP_PCIE_LNKSTA_VAL << 16 | q->lnkctl_q;
  case VEP_CAP_PCIE_OFF + VEP_PCIE_DEVCAP2: return VEP_PCIE_DEVCAP2_VAL;
  case VEP_CAP_PCIE_OFF + VEP_PCIE_DEVCTL2: return q->devctl2_q;
  case VEP_CAP_PCIE_OFF + VEP_PCIE_LNKCAP2: return VEP_PCIE_LNKCAP2_VAL;
  case VEP_CAP_PCIE_OFF + VEP_PCIE_LNKCTL2: return VEP_PCIE_LNKCTL2_VAL;
  /* MSI-X capability */
  case VEP_CAP_MSIX_OFF: {
    uint32_t ctl = (p->MSIX_VECTORS - 1u) | (q->msix_fmask_q ? VEP_MSIX_CTL_FMASK : 0u) |
                   (q->msix_en_q ? VEP_MSIX_CTL_ENABLE : 0u);
    return ctl << 16 | VEP_CAP_COMMON_OFF << 8 | VEP_CAP_ID_MSIX;
  }
  case VEP_CAP_MSIX_OFF + VEP_MSIX_TABLE: return VEP_BAR_MSIX_TABLE_OFF;
  case VEP_CAP_MSIX_OFF + VEP_MSIX_PBA: return VEP_BAR_MSIX_PBA_OFF;
  /* virtio capabilities: bar (+4) is 0 (BAR0) except in the PCI_CFG capability */
  case VEP_CAP_COMMON_OFF:
    return vndr_dw0(VEP_VIRTIO_PCI_CAP_COMMON_CFG, VEP_VIRTIO_CAP_LEN, VEP_CAP_NOTIFY_OFF);
  case VEP_CAP_COMMON_OFF + VEP_VIRTIO_CAP_OFFSET: return VEP_BAR_COMMON_OFF;
  case VEP_CAP_COMMON_OFF + VEP_VIRTIO_CAP_LENGTH: return VEP_BAR_COMMON_LEN;
  case VEP_CAP_NOTIFY_OFF:
    return vndr_dw0(VEP_VIRTIO_PCI_CAP_NOTIFY_CFG, VEP_VIRTIO_NOTIFY_CAP_LEN, VEP_CAP_ISR_OFF);
  case VEP_CAP_NOTIFY_OFF + VEP_VIRTIO_CAP_OFFSET: return VEP_BAR_NOTIFY_OFF;
  case VEP_CAP_NOTIFY_OFF + VEP_VIRTIO_CAP_LENGTH: return p->NUM_QUEUES * VEP_NOTIFY_MULTIPLIER;
  case VEP_CAP_NOTIFY_OFF + VEP_VIRTIO_CAP_EXTRA: return VEP_NOTIFY_MULTIPLIER;
  case VEP_CAP_ISR_OFF:
    return vndr_dw0(VEP_VIRTIO_PCI_CAP_ISR_CFG, VEP_VIRTIO_CAP_LEN, VEP_CAP_DEVICE_OFF);
  case VEP_CAP_ISR_OFF + VEP_VIRTIO_CAP_OFFSET: return VEP_BAR_ISR_OFF;
  case VEP_CAP_ISR_OFF + VEP_VIRTIO_CAP_LENGTH: return VEP_BAR_ISR_LEN;
  case VEP_CAP_DEVICE_OFF:
    return vndr_dw0(VEP_VIRTIO_PCI_CAP_DEVICE_CFG, VEP_VIRTIO_CAP_LEN, VEP_CAP_PCICFG_OFF);
  case VEP_CAP_DEVICE_OFF + VEP_VIRTIO_CAP_OFFSET: return VEP_BAR_DEVICE_OFF;
  case VEP_CAP_DEVICE_OFF + VEP_VIRTIO_CAP_LENGTH: return VEP_BAR_DEVICE_LEN;
  case VEP_CAP_PCICFG_OFF:
    return vndr_dw0(VEP_VIRTIO_PCI_CAP_PCI_CFG, VEP_VIRTIO_PCICFG_CAP_LEN, VEP_CAP_PM_OFF);
  case VEP_CAP_PCICFG_OFF + VEP_VIRTIO_CAP_BAR: return q->cfgwin_bar_q;
  case VEP_CAP_PCICFG_OFF + VEP_VIRTIO_CAP_OFFSET: return q->cfgwin_offset_q;
  case VEP_CAP_PCICFG_OFF + VEP_VIRTIO_CAP_LENGTH: return q->cfgwin_length_q;
  /* pci_cfg_data (+16) is served by vep_completer as a BAR0 access: reads 0 here */
  /* Power Management capability, last in the chain (next 0) */
  case VEP_CAP_PM_OFF: return VEP_PM_PMC_VAL << 16 | VEP_CAP_ID_PM;
  case VEP_CAP_PM_OFF + VEP_PM_PMCSR: return VEP_PM_PMCSR_NOSOFTRESET | q->pm_state_q;
  default: return 0;
  }
}

void vep_cfg_space_reset(vep_cfg_space_q_t *q, const vep_params_t *p)
{
  (void)p;
  *q = (vep_cfg_space_q_t){0};
  q->devctl_q = VEP_PCIE_DEVCTL_RESET;
}

void vep_cfg_space_outputs(const vep_cfg_space_q_t *q, const vep_params_t *p,
                           vep_cfg_space_out_t *out)
{
  (void)p;
  out->cfg_rdata = q->cfg_rdata_q;
  /* In D3hot: configuration requests only; no memory space, no MSI-X, INTx deasserted. */
  int d0 = q->pm_state_q == VEP_PM_STATE_D0;
  out->cmd_mem_en = (q->cmd_q & VEP_CMD_MEM_EN) != 0 && d0;
  out->cmd_bus_master = (q->cmd_q & VEP_CMD_BUS_MASTER) != 0 && d0;
  out->cmd_intx_dis = (q->cmd_q & VEP_CMD_INTX_DISABLE) != 0 || !d0;
  out->bar0_base = (uint64_t)q->bar1_q << 32 | q->bar0_q;
  out->mps = (q->devctl_q >> VEP_DEVCTL_MPS_SHIFT) & 7u;
  out->mrrs = (q->devctl_q >> VEP_DEVCTL_MRRS_SHIFT) & 7u;
  out->ext_tag_en = (q->devctl_q >> 8) & 1u;
  out->rcb = (q->lnkctl_q & VEP_PCIE_LNKCTL_RCB) != 0;
  out->msix_en = q->msix_en_q;
  out->msix_fmask = q->msix_fmask_q;
  out->cfgwin_bar = q->cfgwin_bar_q;
  out->cfgwin_offset = q->cfgwin_offset_q;
  out->cfgwin_length = q->cfgwin_length_q;
}

void vep_cfg_space_next(const vep_cfg_space_q_t *q, const vep_params_t *p,
                        const vep_cfg_space_in_t *in, vep_cfg_space_q_t *d)
{
  const vep_regbus_t *b = &in->bus;
  uint32_t addr = b->reg_addr & 0xFFCu;
  int hit = b->reg_req && b->reg_space == 0;
  uint32_t rdata = read_dw(q, p, in, addr);
  /* What a write leaves: the DW as read with the written bytes replaced. */
  uint32_t wval = vep_merge32(rdata, b->reg_wdata, b->reg_be);
  /* The bits a write sets to 1 in the upper half (for RW1C). */
  uint16_t w1 = (uint16_t)((b->reg_wdata & vep_be_mask(b->reg_be)) >> 16);
  uint16_t sts_clr = 0;
  int urd_clr = 0;
  int fed_clr = 0;

  d->cfg_rdata_q = (hit && !b->reg_we) ? rdata : 0;

  if (hit && b->reg_we) {
    switch (addr) {
    case 0x04:
      d->cmd_q = (uint16_t)(wval & VEP_CMD_WRITABLE);
      sts_clr = (uint16_t)(w1 & VEP_STS_RW1C);
      break;
    case 0x0C: d->cache_line_q = (uint8_t)wval; break;
    case 0x10: d->bar0_q = wval & ~(VEP_BAR0_SIZE - 1u); break;
    case 0x14: d->bar1_q = wval; break;
    case 0x3C: d->int_line_q = (uint8_t)wval; break;
    case VEP_CAP_PCIE_OFF + VEP_PCIE_DEVCTL:
      d->devctl_q = (uint16_t)((wval & VEP_PCIE_DEVCTL_WMASK) |
                               (q->devctl_q & ~VEP_PCIE_DEVCTL_WMASK));
      urd_clr = (w1 & VEP_PCIE_DEVSTA_URD) != 0;
      fed_clr = (w1 & VEP_PCIE_DEVSTA_FED) != 0;
      break;
    case VEP_CAP_PCIE_OFF + VEP_PCIE_LNKCTL:
      d->lnkctl_q = (uint16_t)(wval & VEP_PCIE_LNKCTL_WMASK);
      break;
    case VEP_CAP_PCIE_OFF + VEP_PCIE_DEVCTL2:
      d->devctl2_q = (uint16_t)(wval & VEP_PCIE_DEVCTL2_WMASK);
      break;
    case VEP_CAP_MSIX_OFF:
      d->msix_fmask_q = (wval >> 30) & 1u;
      d->msix_en_q = (wval >> 31) & 1u;
      break;
    case VEP_CAP_PCICFG_OFF + VEP_VIRTIO_CAP_BAR: d->cfgwin_bar_q = (uint8_t)wval; break;
    case VEP_CAP_PCICFG_OFF + VEP_VIRTIO_CAP_OFFSET: d->cfgwin_offset_q = wval; break;
    case VEP_CAP_PCICFG_OFF + VEP_VIRTIO_CAP_LENGTH: d->cfgwin_length_q = wval; break;
    case VEP_CAP_PM_OFF + VEP_PM_PMCSR: {
      /* PowerState: D0 and D3hot only; a write of D1 or D2 is ignored */
      uint8_t st = (uint8_t)(wval & VEP_PM_PMCSR_STATE_MASK);
      if (st == VEP_PM_STATE_D0 || st == VEP_PM_STATE_D3HOT) {
        d->pm_state_q = st;
      }
      break;
    }
    default: break;
    }
  }

  /* RW1C: an event on the same edge as the clear wins, so no event is lost. */
  d->sts_q = (uint16_t)((q->sts_q & ~sts_clr) | (in->ev_ca ? VEP_STS_SIG_TGT_ABORT : 0u));
  d->devsta_urd_q = (uint8_t)((q->devsta_urd_q && !urd_clr) || in->ev_ur);
  d->devsta_fed_q = (uint8_t)((q->devsta_fed_q && !fed_clr) || in->ev_malformed);
}
