/* SPDX-License-Identifier: Apache-2.0 */
/* The PCI Express capability: declared values, Device Control and Device Status. */
#include "tb.h"

#define PCIE(reg) (VEP_CAP_PCIE_OFF + (reg))

TB_TEST(cfg_pcie_regs, "PCIe capability values; DevCtl reset value, writable mask (MPS/MRRS "
                       "writable, Initiate FLR not), LnkCtl and DevCtl2 masks") {
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_CAPS), 2), VEP_PCIE_CAPS_VAL);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVCAP), 4), VEP_PCIE_DEVCAP_VAL);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVCAP), 4) & VDRV_PCIE_DEVCAP_MPS_MASK,
              VEP_MPS_SUPPORTED_ENC);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVCAP), 4) & VDRV_PCIE_DEVCAP_FLR, 0);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_LNKCAP), 4), VEP_PCIE_LNKCAP_VAL);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_LNKSTA), 2), VEP_PCIE_LNKSTA_VAL);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVCAP2), 4), VEP_PCIE_DEVCAP2_VAL);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_LNKCAP2), 4), VEP_PCIE_LNKCAP2_VAL);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_LNKCTL2), 2), VEP_PCIE_LNKCTL2_VAL);

  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVCTL), 2), VEP_PCIE_DEVCTL_RESET);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVSTA), 2), 0);
  tb_cfg_wr(t, PCIE(VEP_PCIE_DEVCTL), 2, 0xFFFF);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVCTL), 2), VEP_PCIE_DEVCTL_WMASK);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVCTL), 2) & VDRV_PCIE_DEVCTL_FLR, 0);
  tb_cfg_wr(t, PCIE(VEP_PCIE_DEVCTL), 2, 0);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVCTL), 2), 0);
  /* Every MPS and MRRS encoding is stored as written (the device limits itself by DevCap). */
  for (unsigned mps = 0; mps < 8; mps++) {
    unsigned mrrs = 7u - mps;
    uint32_t w = mps << VEP_DEVCTL_MPS_SHIFT | mrrs << VEP_DEVCTL_MRRS_SHIFT;
    tb_cfg_wr(t, PCIE(VEP_PCIE_DEVCTL), 2, w);
    TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVCTL), 2), w, "MPS %u MRRS %u", mps, mrrs);
  }
  /* FLR alone: not a writable bit, and the device does not reset (Command stays). */
  tb_cfg_wr(t, VEP_CFG_COMMAND, 2, VEP_CMD_MEM_EN);
  tb_cfg_wr(t, PCIE(VEP_PCIE_DEVCTL), 2, VDRV_PCIE_DEVCTL_FLR);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVCTL), 2), 0);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_COMMAND, 2), VEP_CMD_MEM_EN);
  for (int i = 0; i < 16; i++) {
    uint32_t w = tb_rand32(&t->rng) & 0xFFFFu;
    tb_cfg_wr(t, PCIE(VEP_PCIE_DEVCTL), 2, w);
    TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVCTL), 2), w & VEP_PCIE_DEVCTL_WMASK,
                    "DevCtl write 0x%04x", w);
    tb_cfg_wr(t, PCIE(VEP_PCIE_LNKCTL), 2, w);
    TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, PCIE(VEP_PCIE_LNKCTL), 2), w & VEP_PCIE_LNKCTL_WMASK,
                    "LnkCtl write 0x%04x", w);
    tb_cfg_wr(t, PCIE(VEP_PCIE_DEVCTL2), 2, w);
    TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVCTL2), 2), w & VEP_PCIE_DEVCTL2_WMASK,
                    "DevCtl2 write 0x%04x", w);
  }
}

TB_TEST(cfg_pcie_urd, "Device Status URD: set by a UR the endpoint sends, not cleared by "
                      "writing 0 or other bits, cleared by writing 1 (RW1C)") {
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVSTA), 2), 0);
  /* A memory read with Memory Space off (BAR assigned): the endpoint answers UR. */
  tb_cfg_wr(t, VEP_CFG_BAR0, 4, (uint32_t)TB_BAR0_ADDR);
  tb_cfg_wr(t, VEP_CFG_BAR1, 4, (uint32_t)(TB_BAR0_ADDR >> 32));
  unsigned st;
  tb_mem_rd_st(t, TB_BAR0_ADDR, 4, &st);
  TB_CHECK_EQ(t, st, VEP_CPL_UR);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVSTA), 2), VEP_PCIE_DEVSTA_URD);
  tb_cfg_wr(t, PCIE(VEP_PCIE_DEVSTA), 2, 0);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVSTA), 2), VEP_PCIE_DEVSTA_URD);
  tb_cfg_wr(t, PCIE(VEP_PCIE_DEVSTA), 2, (uint16_t)~VEP_PCIE_DEVSTA_URD);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVSTA), 2), VEP_PCIE_DEVSTA_URD);
  /* A DevCtl write (low half of the DW) does not touch the status half. */
  tb_cfg_wr(t, PCIE(VEP_PCIE_DEVCTL), 2, VEP_PCIE_DEVCTL_RESET);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVSTA), 2), VEP_PCIE_DEVSTA_URD);
  tb_cfg_wr(t, PCIE(VEP_PCIE_DEVSTA), 2, VEP_PCIE_DEVSTA_URD);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVSTA), 2), 0);
  /* A successful request does not set it. */
  tb_cfg_wr(t, VEP_CFG_COMMAND, 2, VEP_CMD_MEM_EN);
  tb_mem_rd_st(t, TB_BAR0_ADDR, 4, &st);
  TB_CHECK_EQ(t, st, VEP_CPL_SC);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVSTA), 2), 0);
  /* A second UR sets it again. */
  tb_mem_rd_st(t, TB_BAR0_ADDR + VEP_BAR0_SIZE, 4, &st);
  TB_CHECK_EQ(t, st, VEP_CPL_UR);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCIE(VEP_PCIE_DEVSTA), 2), VEP_PCIE_DEVSTA_URD);
}
