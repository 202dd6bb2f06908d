/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Configuration space: the Type 0 header's identity, which bits software can change (and which
 * it cannot), and the Command register's writable mask.
 */
#include "tb.h"

TB_TEST(cfg_header, "Vendor/Device/Revision/Class/Subsystem IDs, header type, interrupt pin, "
                    "Status capability bit; byte, word and dword reads agree") {
  const vep_params_t *p = &t->cfg.params;
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_VENDOR_ID, 2), VEP_PCI_VENDOR_ID);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_DEVICE_ID, 2), VEP_PCI_DEVICE_ID_BASE + p->DEVICE_ID);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_REVISION, 1), VEP_PCI_REVISION_ID);
  uint32_t class_code = tb_cfg_rd(t, VEP_CFG_REVISION, 4) >> 8;
  TB_CHECK_EQ(t, class_code, p->DEVICE_ID == VEP_VIRTIO_ID_NET ? VEP_PCI_CLASS_NET_ETHERNET
                                                                : VEP_PCI_CLASS_STORAGE_SCSI);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_HEADER_TYPE, 1), 0x00);  /* type 0, single function */
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_SUBSYS_VENDOR, 2), VEP_PCI_SUBSYS_VENDOR_ID);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_SUBSYS_ID, 2), VEP_PCI_SUBSYS_ID);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_INT_PIN, 1), VEP_PCI_INT_PIN);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_CAP_PTR, 1), VEP_CAP_PCIE_OFF);
  uint32_t status = tb_cfg_rd(t, VEP_CFG_STATUS, 2);
  TB_CHECK(t, status & VEP_STS_CAP_LIST, "Status 0x%04x lacks Capabilities List", status);
  TB_CHECK_EQ(t, status & VEP_STS_RW1C, 0);  /* no error happened yet */
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_COMMAND, 2), 0);  /* decoders off after reset */
  /* Virtio identity rules: non-transitional ID range, revision >= 1, subsystem >= 0x40. */
  TB_CHECK(t, VEP_PCI_DEVICE_ID_BASE + p->DEVICE_ID >= 0x1040u &&
                  VEP_PCI_DEVICE_ID_BASE + p->DEVICE_ID <= 0x107Fu,
           "device ID outside the modern range");

  /* The header through every access width: the bytes of each DW read alone, in pairs and as a
   * whole all agree (byte enables select lanes, not different registers). */
  for (unsigned off = 0; off < 0x40; off += 4) {
    if (off == VEP_CFG_BAR0 || off == VEP_CFG_BAR1) continue;  /* unassigned: still 0 */
    uint32_t dw = tb_cfg_rd(t, off, 4);
    for (unsigned b = 0; b < 4; b++)
      TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, off + b, 1), (dw >> (8 * b)) & 0xFFu, "byte 0x%02x",
                      off + b);
    for (unsigned h = 0; h < 2; h++)
      TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, off + 2 * h, 2), (dw >> (16 * h)) & 0xFFFFu,
                      "word 0x%02x", off + 2 * h);
  }
}

/* Which bits of each configuration DW software may change. Everything not listed is read-only.
 * rw: written value sticks; rw1c: writing 1 clears. The PCI_CFG window's data DW (0xE0) is not
 * here: it is a BAR access, tested in cfgwin/. */
typedef struct cfg_bits {
  unsigned off;
  uint32_t rw, rw1c;
} cfg_bits_t;

static const cfg_bits_t k_cfg_bits[] = {
    {VEP_CFG_COMMAND, VEP_CMD_WRITABLE, (uint32_t)VEP_STS_RW1C << 16},
    {VEP_CFG_CACHE_LINE, 0x000000FFu, 0},     /* Cache Line Size: RW, no effect on PCIe */
    {VEP_CFG_BAR0, ~(VEP_BAR0_SIZE - 1u), 0},
    {VEP_CFG_BAR1, 0xFFFFFFFFu, 0},
    {VEP_CFG_INT_LINE, 0x000000FFu, 0},       /* Interrupt Line: RW for software */
    {VEP_CAP_PCIE_OFF + VEP_PCIE_DEVCTL, VEP_PCIE_DEVCTL_WMASK,
     (uint32_t)VEP_PCIE_DEVSTA_URD << 16},
    {VEP_CAP_PCIE_OFF + VEP_PCIE_LNKCTL, VEP_PCIE_LNKCTL_WMASK, 0},
    {VEP_CAP_PCIE_OFF + VEP_PCIE_DEVCTL2, VEP_PCIE_DEVCTL2_WMASK, 0},
    {VEP_CAP_MSIX_OFF, (uint32_t)(VEP_MSIX_CTL_ENABLE | VEP_MSIX_CTL_FMASK) << 16, 0},
    {VEP_CAP_PCICFG_OFF + VEP_VIRTIO_CAP_BAR, 0x000000FFu, 0},
    {VEP_CAP_PCICFG_OFF + VEP_VIRTIO_CAP_OFFSET, 0xFFFFFFFFu, 0},
    {VEP_CAP_PCICFG_OFF + VEP_VIRTIO_CAP_LENGTH, 0xFFFFFFFFu, 0},
};

static const cfg_bits_t *cfg_bits_of(unsigned off) {
  static const cfg_bits_t ro = {0, 0, 0};
  for (size_t i = 0; i < sizeof k_cfg_bits / sizeof k_cfg_bits[0]; i++)
    if (k_cfg_bits[i].off == off) return &k_cfg_bits[i];
  return &ro;
}

/* Expected DW after writing w over v. */
static uint32_t after_write(const cfg_bits_t *b, uint32_t v, uint32_t w) {
  uint32_t ro = ~(b->rw | b->rw1c);
  return (v & ro) | (w & b->rw) | (v & b->rw1c & ~w);
}

TB_TEST(cfg_readonly, "Every config DW 0x00-0xFF (and samples of 0x100-0xFFF) after writing all "
                      "ones and all zeros: read-only bits keep their value, RW bits take it, "
                      "RW1C bits (Signaled Target Abort, URD) clear only on 1") {
  tb_setup_bar0(t);
  /* Set both RW1C bits first, so that the sweep sees them clear on the all-ones write. */
  cosim_tlp_t req, cpl;
  cosim_tlp_mem(&req, 0, 0x0008, 3, TB_BAR0_ADDR, 4, 0);
  req.len_dw = 3;  /* a 3-DW read of BAR0: Completer Abort */
  req.last_be = 0xF;
  tb_send_tlp(t, &req, &cpl);
  TB_CHECK_EQ(t, cpl.status, VEP_CPL_CA);
  unsigned st;
  tb_mem_rd_st(t, TB_BAR0_ADDR + VEP_BAR0_SIZE, 4, &st);  /* past the BAR: UR */
  TB_CHECK_EQ(t, st, VEP_CPL_UR);
  TB_REQUIRE(t, tb_cfg_rd(t, VEP_CFG_STATUS, 2) & VEP_STS_SIG_TGT_ABORT,
             "Signaled Target Abort not set by a CA completion");
  TB_REQUIRE(t, tb_cfg_rd(t, VEP_CAP_PCIE_OFF + VEP_PCIE_DEVSTA, 2) & VEP_PCIE_DEVSTA_URD,
             "URD not set by a UR");

  /* Zeros first (RW1C bits must survive them), then all ones (which clears them). */
  for (unsigned off = 0; off < 0x100; off += 4) {
    if (off == VEP_CAP_PCICFG_OFF + VEP_VIRTIO_CAP_EXTRA) continue;  /* pci_cfg_data */
    const cfg_bits_t *b = cfg_bits_of(off);
    uint32_t v0 = tb_cfg_rd(t, off, 4);
    tb_cfg_wr(t, off, 4, 0);
    uint32_t v1 = tb_cfg_rd(t, off, 4);
    TB_CHECK_EQ_CTX(t, v1, after_write(b, v0, 0), "DW 0x%02x after writing zeros (was 0x%08x)",
                    off, v0);
    tb_cfg_wr(t, off, 4, 0xFFFFFFFFu);
    uint32_t v2 = tb_cfg_rd(t, off, 4);
    TB_CHECK_EQ_CTX(t, v2, after_write(b, v1, 0xFFFFFFFFu), "DW 0x%02x after writing all ones",
                    off);
    /* Put the RW bits back (RW1C bits written 0: unchanged). */
    tb_cfg_wr(t, off, 4, v0 & b->rw);
  }
  /* Extended configuration space: nothing there (an all-zero header ends the list at 0x100),
   * and writes do not create anything. */
  static const unsigned ext[] = {0x100, 0x104, 0x200, 0x400, 0x800, 0xFFC};
  for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
    tb_cfg_wr(t, ext[i], 4, 0xFFFFFFFFu);
    TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, ext[i], 4), 0, "extended DW 0x%03x", ext[i]);
  }
  /* Byte and word writes to read-only fields change nothing either. */
  for (int i = 0; i < 64; i++) {
    static const unsigned ro_off[] = {VEP_CFG_VENDOR_ID, VEP_CFG_REVISION, VEP_CFG_SUBSYS_VENDOR,
                                      VEP_CFG_CAP_PTR, VEP_CAP_PCIE_OFF, VEP_CAP_COMMON_OFF,
                                      VEP_CAP_NOTIFY_OFF + VEP_VIRTIO_CAP_EXTRA};
    unsigned off = ro_off[tb_rand_below(&t->rng, sizeof ro_off / sizeof ro_off[0])];
    unsigned size = 1u << tb_rand_below(&t->rng, 2);
    off += tb_rand_below(&t->rng, 4 / size) * size;
    uint32_t before = tb_cfg_rd(t, off & ~3u, 4);
    tb_cfg_wr(t, off, size, tb_rand32(&t->rng));
    TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, off & ~3u, 4), before, "after a %u-byte write at 0x%02x",
                    size, off);
  }
}

TB_TEST(cfg_command_mask, "Command: exactly VEP_CMD_WRITABLE bits are writable, one bit at a "
                          "time and in random patterns; Status is not disturbed") {
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_COMMAND, 2), 0);
  tb_cfg_wr(t, VEP_CFG_COMMAND, 2, 0xFFFF);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_COMMAND, 2), VEP_CMD_WRITABLE);
  tb_cfg_wr(t, VEP_CFG_COMMAND, 2, 0);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_COMMAND, 2), 0);
  for (unsigned bit = 0; bit < 16; bit++) {
    tb_cfg_wr(t, VEP_CFG_COMMAND, 2, 1u << bit);
    TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, VEP_CFG_COMMAND, 2), (1u << bit) & VEP_CMD_WRITABLE,
                    "Command bit %u alone", bit);
  }
  for (int i = 0; i < 32; i++) {
    uint32_t w = tb_rand32(&t->rng) & 0xFFFFu;
    /* Byte writes reach only their byte. */
    if (i & 1) {
      uint32_t old = tb_cfg_rd(t, VEP_CFG_COMMAND, 2);
      unsigned b = tb_rand_below(&t->rng, 2);
      tb_cfg_wr(t, VEP_CFG_COMMAND + b, 1, (w >> (8 * b)) & 0xFF);
      uint32_t lane = 0xFFu << (8 * b);
      TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, VEP_CFG_COMMAND, 2),
                      (old & ~lane) | (w & lane & VEP_CMD_WRITABLE), "byte %u write 0x%04x", b, w);
    } else {
      tb_cfg_wr(t, VEP_CFG_COMMAND, 2, w);
      TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, VEP_CFG_COMMAND, 2), w & VEP_CMD_WRITABLE, "write 0x%04x",
                      w);
    }
    TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_STATUS, 2), VEP_STS_CAP_LIST);
  }
}
