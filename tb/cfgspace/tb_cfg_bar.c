/* SPDX-License-Identifier: Apache-2.0 */
/*
 * BARs: sizing by the all-ones protocol, and address decoding: the endpoint answers a memory
 * request only at the address software assigned, only with Memory Space enabled; anything else
 * it answers UR (which its Device Status records, proving the endpoint and not the root port
 * answered).
 */
#include "tb.h"

TB_TEST(cfg_bar_sizing, "BAR0/1 is one 64-bit non-prefetchable 32 KiB BAR (all-ones read-back "
                        "0xFFFF8004/0xFFFFFFFF); BAR2-5 and the ROM BAR are not implemented") {
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_BAR0, 4), VEP_BAR_MEM_TYPE_64);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_BAR1, 4), 0);
  tb_cfg_wr(t, VEP_CFG_BAR0, 4, 0xFFFFFFFFu);
  tb_cfg_wr(t, VEP_CFG_BAR1, 4, 0xFFFFFFFFu);
  uint32_t lo = tb_cfg_rd(t, VEP_CFG_BAR0, 4);
  uint32_t hi = tb_cfg_rd(t, VEP_CFG_BAR1, 4);
  TB_CHECK_EQ(t, lo, ~(VEP_BAR0_SIZE - 1u) | VEP_BAR_MEM_TYPE_64);
  TB_CHECK_EQ(t, hi, 0xFFFFFFFFu);
  TB_CHECK_EQ(t, lo & 1u, 0);                  /* memory, not I/O */
  TB_CHECK_EQ(t, lo & 6u, VEP_BAR_MEM_TYPE_64);
  TB_CHECK_EQ(t, lo & VEP_BAR_PREFETCH, 0);    /* the ISR has read side effects */
  uint64_t mask = ((uint64_t)hi << 32) | (lo & ~0xFu);
  TB_CHECK_EQ(t, ~mask + 1, VEP_BAR0_SIZE);
  for (unsigned off = VEP_CFG_BAR1 + 4; off <= VEP_CFG_BAR5; off += 4) {
    tb_cfg_wr(t, off, 4, 0xFFFFFFFFu);
    TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, off, 4), 0, "BAR at 0x%02x", off);
  }
  tb_cfg_wr(t, VEP_CFG_ROM_BAR, 4, 0xFFFFFFFFu);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_ROM_BAR, 4), 0);
  /* Any 32 KiB-aligned address reads back exactly; lower bits are hard-wired. */
  for (int i = 0; i < 16; i++) {
    uint64_t a = tb_rand64(&t->rng) & ~(uint64_t)(VEP_BAR0_SIZE - 1u);
    tb_cfg_wr(t, VEP_CFG_BAR0, 4, (uint32_t)a | (tb_rand32(&t->rng) & (VEP_BAR0_SIZE - 1u)));
    tb_cfg_wr(t, VEP_CFG_BAR1, 4, (uint32_t)(a >> 32));
    TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_BAR0, 4), (uint32_t)a | VEP_BAR_MEM_TYPE_64);
    TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_BAR1, 4), (uint32_t)(a >> 32));
  }
}

/* Reads one DW at addr; returns the completion status. */
static unsigned probe(tb_t *t, uint64_t addr) {
  unsigned st;
  tb_mem_rd_st(t, addr, 4, &st);
  return st;
}

/* Clears URD, then checks that a read at addr is answered UR by the endpoint itself. */
#define EXPECT_UR(t, addr, ...)                                                        \
  do {                                                                                 \
    tb_cfg_wr(t, VEP_CAP_PCIE_OFF + VEP_PCIE_DEVSTA, 2, VEP_PCIE_DEVSTA_URD);          \
    TB_CHECK_EQ_CTX(t, probe(t, addr), VEP_CPL_UR, __VA_ARGS__);                       \
    TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, VEP_CAP_PCIE_OFF + VEP_PCIE_DEVSTA, 2) &           \
                           VEP_PCIE_DEVSTA_URD, VEP_PCIE_DEVSTA_URD, __VA_ARGS__);     \
  } while (0)

TB_TEST(cfg_bar_decode, "BAR0 decodes only at the assigned address (both halves), only inside "
                        "its 32 KiB, only with Memory Space enabled; otherwise UR") {
  const uint64_t a = TB_BAR0_ADDR;
  const uint64_t b = TB_BAR0_ADDR + 0x40000u;  /* another 32 KiB-aligned place in the window */
  const uint32_t numq = t->cfg.params.NUM_QUEUES;
  /* num_queues lives in the upper half of the DW at 0x10. */
  const unsigned numq_dw = TB_COMMON(VEP_COMMON_MSIX);
  tb_cfg_wr(t, VEP_CFG_BAR0, 4, (uint32_t)a);
  tb_cfg_wr(t, VEP_CFG_BAR1, 4, (uint32_t)(a >> 32));

  /* Memory Space off: UR even at the assigned address. */
  EXPECT_UR(t, a + numq_dw, "Memory Space off");
  tb_cfg_wr(t, VEP_CFG_COMMAND, 2, VEP_CMD_MEM_EN);
  uint64_t v;
  unsigned st;
  v = tb_mem_rd_st(t, a + numq_dw, 4, &st);
  TB_CHECK_EQ(t, st, VEP_CPL_SC);
  TB_CHECK_EQ(t, v >> 16, numq);
  TB_CHECK_EQ(t, probe(t, a + VEP_BAR0_SIZE - 4), VEP_CPL_SC);  /* last DW: unimplemented, 0 */
  EXPECT_UR(t, a + VEP_BAR0_SIZE, "first DW past the BAR");
  EXPECT_UR(t, a - 4, "last DW below the BAR");
  EXPECT_UR(t, b + numq_dw, "unassigned address");

  /* Move the BAR: the old address stops decoding, the new one starts. */
  tb_cfg_wr(t, VEP_CFG_BAR0, 4, (uint32_t)b);
  v = tb_mem_rd_st(t, b + numq_dw, 4, &st);
  TB_CHECK_EQ(t, st, VEP_CPL_SC);
  TB_CHECK_EQ(t, v >> 16, numq);
  EXPECT_UR(t, a + numq_dw, "old address after moving the BAR");

  /* The upper half takes part in the decode: with BAR1 changed, the window address (same low
   * half) is no longer the BAR's. */
  tb_cfg_wr(t, VEP_CFG_BAR1, 4, (uint32_t)(b >> 32) + 1u);
  EXPECT_UR(t, b + numq_dw, "BAR1 differs from the address's upper half");
  tb_cfg_wr(t, VEP_CFG_BAR1, 4, (uint32_t)(b >> 32));
  TB_CHECK_EQ(t, probe(t, b + numq_dw), VEP_CPL_SC);

  /* Memory Space off again: UR; writes are dropped (queue_select is not changed). */
  tb_cfg_wr(t, VEP_CFG_COMMAND, 2, 0);
  EXPECT_UR(t, b + numq_dw, "Memory Space switched off");
  TB_CHECK_EQ(t, cosim_mem_write(t->sim, b + TB_COMMON(VEP_COMMON_Q_SELECT), 2, 3), 0);
  tb_cfg_wr(t, VEP_CFG_COMMAND, 2, VEP_CMD_MEM_EN);
  t->bar0 = b;
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2), 0);
}
