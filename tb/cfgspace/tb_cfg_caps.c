/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The capability chain, walked and validated the way a careful driver would, with the virtio
 * spec's placement rules for each virtio structure (virtio-pcie-facts.md 1.2, 1.3, 5.2).
 */
#include "tb.h"

typedef struct region {
  const char *name;
  uint64_t off, len;
} region_t;

static int overlaps(const region_t *a, const region_t *b) {
  return a->off < b->off + b->len && b->off < a->off + a->len;
}

TB_TEST(cfg_cap_chain, "Capability chain PCIe -> MSI-X -> COMMON -> NOTIFY -> ISR -> DEVICE -> "
                       "PCI_CFG -> PM: well formed, PCIe v2 endpoint, MSI-X and the five virtio "
                       "structures placed per the spec inside BAR0, no overlaps") {
  tb_setup_bar0(t);
  const vep_params_t *p = &t->cfg.params;
  TB_REQUIRE(t, tb_cfg_rd(t, VEP_CFG_STATUS, 2) & VEP_STS_CAP_LIST, "no Capabilities List");

  static const struct {
    unsigned off, id, cfg_type;
  } expect[] = {
      {VEP_CAP_PCIE_OFF, VEP_CAP_ID_PCIE, 0},
      {VEP_CAP_MSIX_OFF, VEP_CAP_ID_MSIX, 0},
      {VEP_CAP_COMMON_OFF, VEP_CAP_ID_VNDR, VEP_VIRTIO_PCI_CAP_COMMON_CFG},
      {VEP_CAP_NOTIFY_OFF, VEP_CAP_ID_VNDR, VEP_VIRTIO_PCI_CAP_NOTIFY_CFG},
      {VEP_CAP_ISR_OFF, VEP_CAP_ID_VNDR, VEP_VIRTIO_PCI_CAP_ISR_CFG},
      {VEP_CAP_DEVICE_OFF, VEP_CAP_ID_VNDR, VEP_VIRTIO_PCI_CAP_DEVICE_CFG},
      {VEP_CAP_PCICFG_OFF, VEP_CAP_ID_VNDR, VEP_VIRTIO_PCI_CAP_PCI_CFG},
      {VEP_CAP_PM_OFF, VEP_CAP_ID_PM, 0},
  };
  const unsigned nexp = sizeof expect / sizeof expect[0];

  /* Walk with the generic rules: DW aligned, inside 0x40..0xFF, no repeats, terminates. */
  unsigned ptr = tb_cfg_rd(t, VEP_CFG_CAP_PTR, 1);
  TB_CHECK_EQ(t, ptr & 3u, 0);
  uint8_t seen[256] = {0};
  region_t caps[16];
  unsigned ncap = 0;
  while (ptr) {
    TB_REQUIRE(t, ptr >= 0x40 && ptr <= 0xFC && (ptr & 3u) == 0,
               "capability pointer 0x%02x outside 0x40..0xFC or not DW aligned", ptr);
    TB_REQUIRE(t, !seen[ptr], "capability 0x%02x visited twice: the chain loops", ptr);
    TB_REQUIRE(t, ncap < 16, "more than 16 capabilities");
    seen[ptr] = 1;
    uint32_t dw0 = tb_cfg_rd(t, ptr, 4);
    unsigned id = dw0 & 0xFFu;
    unsigned len = id == VEP_CAP_ID_PCIE   ? VEP_CAP_PCIE_LEN
                   : id == VEP_CAP_ID_MSIX ? 12u
                   : id == VEP_CAP_ID_PM   ? 8u
                                           : (dw0 >> 16) & 0xFFu;  /* vendor: cap_len */
    if (ncap < nexp) {
      TB_CHECK_EQ_CTX(t, ptr, expect[ncap].off, "capability #%u", ncap);
      TB_CHECK_EQ_CTX(t, id, expect[ncap].id, "ID of capability at 0x%02x", ptr);
      if (expect[ncap].cfg_type)
        TB_CHECK_EQ_CTX(t, dw0 >> 24, expect[ncap].cfg_type, "cfg_type at 0x%02x", ptr);
    }
    TB_CHECK(t, ptr + len <= 0x100, "capability 0x%02x (len %u) runs past 0xFF", ptr, len);
    caps[ncap] = (region_t){"capability", ptr, len};
    for (unsigned i = 0; i < ncap; i++)
      TB_CHECK(t, !overlaps(&caps[i], &caps[ncap]), "capabilities 0x%02llx and 0x%02x overlap",
               (unsigned long long)caps[i].off, ptr);
    ncap++;
    ptr = (dw0 >> 8) & 0xFFu;
    TB_CHECK_EQ_CTX(t, ptr & 3u, 0, "next pointer of capability 0x%02llx",
                    (unsigned long long)caps[ncap - 1].off);
  }
  TB_CHECK_EQ(t, ncap, nexp);

  /* PCI Express capability: version 2, Endpoint, and the values this endpoint declares. */
  uint32_t caps_reg = tb_cfg_rd(t, VEP_CAP_PCIE_OFF + VEP_PCIE_CAPS, 2);
  TB_CHECK_EQ(t, caps_reg & VDRV_PCIE_CAPS_VER_MASK, 2);
  TB_CHECK_EQ(t, (caps_reg & VDRV_PCIE_CAPS_TYPE_MASK) >> VDRV_PCIE_CAPS_TYPE_SHIFT, 0);
  TB_CHECK_EQ(t, caps_reg, VEP_PCIE_CAPS_VAL);

  /* BAR0 size by the sizing protocol (restoring the assignment afterwards). */
  tb_cfg_wr(t, VEP_CFG_COMMAND, 2, 0);
  tb_cfg_wr(t, VEP_CFG_BAR0, 4, 0xFFFFFFFFu);
  uint64_t bar_size = (uint64_t)(~(tb_cfg_rd(t, VEP_CFG_BAR0, 4) & ~0xFu)) + 1u;
  bar_size &= 0xFFFFFFFFu;
  tb_cfg_wr(t, VEP_CFG_BAR0, 4, (uint32_t)TB_BAR0_ADDR);
  tb_cfg_wr(t, VEP_CFG_COMMAND, 2, VEP_CMD_MEM_EN | VEP_CMD_BUS_MASTER);
  TB_CHECK_EQ(t, bar_size, VEP_BAR0_SIZE);

  region_t reg[8];
  unsigned nreg = 0;

  /* MSI-X: table size, both structures in BAR0 (BIR 0), 8-byte aligned, inside the BAR. */
  uint32_t msgctl = tb_cfg_rd(t, VEP_CAP_MSIX_OFF + VEP_MSIX_MSGCTL, 2);
  unsigned nvec = (msgctl & VDRV_MSIX_CTL_TABLE_SIZE) + 1u;
  TB_CHECK_EQ(t, nvec, p->MSIX_VECTORS);
  TB_CHECK_EQ(t, msgctl & (VEP_MSIX_CTL_ENABLE | VEP_MSIX_CTL_FMASK), 0);
  uint32_t tbl = tb_cfg_rd(t, VEP_CAP_MSIX_OFF + VEP_MSIX_TABLE, 4);
  uint32_t pba = tb_cfg_rd(t, VEP_CAP_MSIX_OFF + VEP_MSIX_PBA, 4);
  TB_CHECK_EQ(t, tbl & VDRV_MSIX_BIR_MASK, 0);
  TB_CHECK_EQ(t, pba & VDRV_MSIX_BIR_MASK, 0);
  TB_CHECK_EQ(t, tbl & VDRV_MSIX_OFFSET_MASK, VEP_BAR_MSIX_TABLE_OFF);
  TB_CHECK_EQ(t, pba & VDRV_MSIX_OFFSET_MASK, VEP_BAR_MSIX_PBA_OFF);
  reg[nreg++] = (region_t){"MSI-X table", tbl & VDRV_MSIX_OFFSET_MASK,
                           (uint64_t)nvec * VEP_MSIX_ENTRY_SIZE};
  reg[nreg++] = (region_t){"MSI-X PBA", pba & VDRV_MSIX_OFFSET_MASK, 8u * ((nvec + 63u) / 64u)};

  /* The virtio structures. */
  static const char *const names[] = {"", "common", "notify", "ISR", "device", "PCI_CFG"};
  unsigned count[6] = {0};
  for (unsigned c = 2; c < nexp; c++) {
    if (expect[c].id != VEP_CAP_ID_VNDR) continue;  /* Power Management: tb/pm */
    unsigned cap = expect[c].off;
    uint32_t dw0 = tb_cfg_rd(t, cap, 4);
    unsigned type = dw0 >> 24;
    unsigned cap_len = (dw0 >> 16) & 0xFFu;
    if (!TB_CHECK(t, type >= 1 && type <= 5, "cfg_type %u at 0x%02x", type, cap)) continue;
    count[type]++;
    unsigned bar = tb_cfg_rd(t, cap + VEP_VIRTIO_CAP_BAR, 1);
    uint32_t off = tb_cfg_rd(t, cap + VEP_VIRTIO_CAP_OFFSET, 4);
    uint32_t len = tb_cfg_rd(t, cap + VEP_VIRTIO_CAP_LENGTH, 4);
    if (type == VEP_VIRTIO_PCI_CAP_PCI_CFG) {
      /* Its bar/offset/length are the window's registers, not a structure. */
      TB_CHECK(t, cap_len >= VEP_VIRTIO_PCICFG_CAP_LEN, "PCI_CFG cap_len %u", cap_len);
      continue;
    }
    TB_CHECK(t, cap_len >= (type == VEP_VIRTIO_PCI_CAP_NOTIFY_CFG ? VEP_VIRTIO_NOTIFY_CAP_LEN
                                                                  : VEP_VIRTIO_CAP_LEN),
             "%s cap_len %u", names[type], cap_len);
    TB_CHECK_EQ_CTX(t, bar, 0, "%s structure's BAR", names[type]);
    TB_CHECK(t, (uint64_t)off + len <= bar_size, "%s [0x%x, +0x%x) runs past the BAR",
             names[type], off, len);
    reg[nreg++] = (region_t){names[type], off, len};
    switch (type) {
      case VEP_VIRTIO_PCI_CAP_COMMON_CFG:
        TB_CHECK_EQ(t, off & 3u, 0);
        TB_CHECK(t, len >= VEP_BAR_COMMON_LEN, "common length 0x%x < 0x38", len);
        TB_CHECK_EQ(t, off, VEP_BAR_COMMON_OFF);
        break;
      case VEP_VIRTIO_PCI_CAP_NOTIFY_CFG: {
        uint32_t mult = tb_cfg_rd(t, cap + VEP_VIRTIO_CAP_EXTRA, 4);
        TB_CHECK_EQ(t, off & 1u, 0);
        TB_CHECK(t, mult == 0 || ((mult & (mult - 1)) == 0 && (mult & 1u) == 0),
                 "notify_off_multiplier %u is neither 0 nor an even power of two", mult);
        TB_CHECK_EQ(t, mult, VEP_NOTIFY_MULTIPLIER);
        TB_CHECK(t, len >= 2, "notify length %u < 2", len);
        TB_CHECK_EQ(t, off, VEP_BAR_NOTIFY_OFF);
        /* Every queue's doorbell inside the region, from the queue's own queue_notify_off. */
        uint32_t numq = (uint32_t)tb_bar_rd(t, TB_COMMON(VEP_COMMON_NUMQ), 2);
        TB_CHECK_EQ(t, numq, p->NUM_QUEUES);
        for (unsigned q = 0; q < numq; q++) {
          tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, q);
          uint32_t noff = (uint32_t)tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_NOFF), 2);
          TB_CHECK(t, (uint64_t)noff * mult + 2 <= len,
                   "queue %u doorbell at +0x%llx outside the notify length 0x%x", q,
                   (unsigned long long)noff * mult, len);
        }
        tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, 0);
        break;
      }
      case VEP_VIRTIO_PCI_CAP_ISR_CFG:
        TB_CHECK(t, len >= 1, "ISR length %u", len);
        TB_CHECK_EQ(t, off, VEP_BAR_ISR_OFF);
        break;
      case VEP_VIRTIO_PCI_CAP_DEVICE_CFG:
        TB_CHECK_EQ(t, off & 3u, 0);
        TB_CHECK(t, len >= VEP_BAR_DEVICE_LEN, "device cfg length 0x%x < 0x%x", len,
                 VEP_BAR_DEVICE_LEN);
        TB_CHECK_EQ(t, off, VEP_BAR_DEVICE_OFF);
        break;
      default:
        break;
    }
  }
  for (unsigned type = 1; type <= 5; type++)
    TB_CHECK_EQ_CTX(t, count[type], 1, "number of %s capabilities", names[type]);
  for (unsigned i = 0; i < nreg; i++)
    for (unsigned j = i + 1; j < nreg; j++)
      TB_CHECK(t, !overlaps(&reg[i], &reg[j]), "BAR0 regions %s and %s overlap", reg[i].name,
               reg[j].name);
}
