/* SPDX-License-Identifier: Apache-2.0 */
/* The PCI Express capability: declared values, the control registers by the spec table
 * (tb_cfg_spec.c), and Device Status. */
#include "tb.h"
#include "tb_cfg_spec.h"

#define PCIE(reg) (VEP_CAP_PCIE_OFF + (reg))

/* Bit names of the three control registers, for the failure messages. */
static const char *const k_devctl_names[16] = {
    "Correctable Error Reporting Enable", "Non-Fatal Error Reporting Enable",
    "Fatal Error Reporting Enable", "Unsupported Request Reporting Enable",
    "Enable Relaxed Ordering", "Max_Payload_Size[0]", "Max_Payload_Size[1]",
    "Max_Payload_Size[2]", "Extended Tag Field Enable", "Phantom Functions Enable",
    "Aux Power PM Enable", "Enable No Snoop", "Max_Read_Request_Size[0]",
    "Max_Read_Request_Size[1]", "Max_Read_Request_Size[2]", "Initiate FLR"};
static const char *const k_lnkctl_names[16] = {
    "ASPM Control[0]", "ASPM Control[1]", "reserved 2", "Read Completion Boundary",
    "Link Disable", "Retrain Link", "Common Clock Configuration", "Extended Synch",
    "Enable Clock Power Management", "Hardware Autonomous Width Disable",
    "Link Bandwidth Management Interrupt Enable", "Link Autonomous Bandwidth Interrupt Enable",
    "DRS Signaling Control[0]", "DRS Signaling Control[1]", "reserved 14", "reserved 15"};
static const char *const k_devctl2_names[16] = {
    "Completion Timeout Value[0]", "Completion Timeout Value[1]", "Completion Timeout Value[2]",
    "Completion Timeout Value[3]", "Completion Timeout Disable", "ARI Forwarding Enable",
    "AtomicOp Requester Enable", "AtomicOp Egress Blocking", "IDO Request Enable",
    "IDO Completion Enable", "LTR Mechanism Enable", "Emergency Power Reduction Request",
    "10-Bit Tag Requester Enable", "OBFF Enable[0]", "OBFF Enable[1]",
    "End-End TLP Prefix Blocking"};

/* One control register against its spec masks: every bit alone, all ones, zeros, random words.
 * Optional bits may read either way, but the same way every time. */
static void check_ctl(tb_t *t, unsigned off, const char *reg, tb_cfg_ctl16_t c,
                      const char *const names[16]) {
  uint32_t took = 0, kept = 0;
  for (unsigned bit = 0; bit < 16; bit++) {
    uint32_t w = 1u << bit;
    tb_cfg_wr(t, off, 2, w);
    uint32_t r = tb_cfg_rd(t, off, 2);
    const char *cls = (c.rw & w) ? "RW" : (c.zero & w) ? "hardwired 0" : "optional";
    if (c.opt & w) {
      took |= r & w;
      kept |= w & ~r;
    }
    TB_CHECK_EQ_CTX(t, r & ~c.opt, w & c.rw, "%s bit %u (%s, spec: %s) written alone", reg, bit,
                    names[bit], cls);
  }
  tb_cfg_wr(t, off, 2, 0xFFFF);
  uint32_t r = tb_cfg_rd(t, off, 2);
  took |= r & c.opt;
  kept |= c.opt & ~r;
  TB_CHECK_EQ_CTX(t, r & ~c.opt, c.rw, "%s after writing 0xFFFF (hardwired-0 bits 0x%04x)", reg,
                  c.zero);
  tb_cfg_wr(t, off, 2, 0);
  r = tb_cfg_rd(t, off, 2);
  TB_CHECK_EQ_CTX(t, r & ~c.opt, 0, "%s after writing 0", reg);
  TB_CHECK_EQ_CTX(t, r & took, 0, "%s optional bits that took a 1 did not take a 0", reg);
  for (int i = 0; i < 16; i++) {
    uint32_t w = tb_rand32(&t->rng) & 0xFFFFu;
    tb_cfg_wr(t, off, 2, w);
    r = tb_cfg_rd(t, off, 2);
    took |= r & c.opt & w;
    kept |= c.opt & w & ~r;
    TB_CHECK_EQ_CTX(t, r & ~c.opt, w & c.rw, "%s write 0x%04x", reg, w);
  }
  TB_CHECK_EQ_CTX(t, took & kept, 0, "%s optional bits neither RW nor hardwired", reg);
  tb_cfg_wr(t, off, 2, 0);
}

TB_TEST(cfg_pcie_regs, "PCIe capability values (docs/registers.md) and spec rules (RBER set, "
                       "no FLR, no phantom functions); DevCtl reset 0x2810 (spec defaults); "
                       "DevCtl, LnkCtl, DevCtl2 writable bits from the spec given DevCap/LnkCap/"
                       "DevCap2 (Phantom Functions, Aux PM, Initiate FLR, unsupported completion "
                       "timeout ranges hardwired 0), bit by bit; every MPS/MRRS encoding; FLR "
                       "write resets nothing") {
  tb_cfg_map_t m;
  tb_cfg_spec_map(t, &m);
  TB_REQUIRE(t, m.pcie != 0, "no PCI Express capability");
  const unsigned p = m.pcie;
  /* The advertised values, as docs/registers.md documents them. */
  TB_CHECK_EQ(t, tb_cfg_rd(t, p + 0x02, 2), 0x0002u);      /* v2, PCI Express Endpoint */
  TB_CHECK_EQ(t, m.devcap, 0x00008022u);                   /* MPS 512, ext tag, RBER */
  TB_CHECK_EQ(t, m.lnkcap, 0x00000011u);                   /* 2.5 GT/s, x1 */
  TB_CHECK_EQ(t, tb_cfg_rd(t, p + 0x12, 2), 0x0011u);      /* Link Status */
  TB_CHECK_EQ(t, m.devcap2, 0x00000010u);                  /* completion timeout disable */
  TB_CHECK_EQ(t, tb_cfg_rd(t, p + 0x2C, 4), 0x00000002u);  /* Link Capabilities 2: 2.5 GT/s */
  TB_CHECK_EQ(t, tb_cfg_rd(t, p + 0x30, 2), 0x0001u);      /* Link Control 2: target 2.5 GT/s */
  /* Rules the spec puts on those values. */
  TB_CHECK(t, m.devcap & (1u << 15), "DevCap 0x%08x: Role-Based Error Reporting must be set",
           m.devcap);
  TB_CHECK_EQ(t, m.devcap & (1u << 28), 0);  /* no FLR: Initiate FLR is then reserved */
  TB_CHECK_EQ(t, m.devcap & 0x18u, 0);       /* no phantom functions */
  TB_CHECK_EQ(t, (tb_cfg_rd(t, p + 0x02, 2) >> 8) & 1u, 0);  /* endpoints: no slot */

  /* Reset values: the spec's defaults. DevCtl: Relaxed Ordering and No Snoop enabled (default
   * 1b), MPS 128 B (000b), MRRS 512 B (010b), everything else 0. */
  TB_CHECK_EQ(t, tb_cfg_rd(t, p + 0x08, 2), (1u << 4) | (1u << 11) | (2u << 12));
  TB_CHECK_EQ(t, tb_cfg_rd(t, p + 0x0A, 2), 0);
  TB_CHECK_EQ(t, tb_cfg_rd(t, p + 0x10, 2), 0);
  TB_CHECK_EQ(t, tb_cfg_rd(t, p + 0x28, 2), 0);

  check_ctl(t, p + 0x08, "DevCtl", tb_spec_devctl(m.devcap), k_devctl_names);
  check_ctl(t, p + 0x10, "LnkCtl", tb_spec_lnkctl(m.lnkcap), k_lnkctl_names);
  check_ctl(t, p + 0x28, "DevCtl2", tb_spec_devctl2(m.devcap2), k_devctl2_names);

  /* Every MPS and MRRS encoding is stored as written (the device limits itself by DevCap). */
  for (unsigned mps = 0; mps < 8; mps++) {
    unsigned mrrs = 7u - mps;
    uint32_t w = mps << 5 | mrrs << 12;
    tb_cfg_wr(t, p + 0x08, 2, w);
    TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, p + 0x08, 2), w, "MPS %u MRRS %u", mps, mrrs);
  }
  /* Initiate FLR alone: reads 0, and without FLR Capable the device does not reset (Command
   * keeps Memory Space). */
  tb_cfg_wr(t, 0x04, 2, 0x0002);
  tb_cfg_wr(t, p + 0x08, 2, 0x8000);
  TB_CHECK_EQ(t, tb_cfg_rd(t, p + 0x08, 2), 0);
  TB_CHECK_EQ(t, tb_cfg_rd(t, 0x04, 2), 0x0002u);
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
