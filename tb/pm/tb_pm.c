/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PCI Power Management capability (docs/registers.md): PMC version 3 with no D1/D2, PME or aux
 * current; PMCSR PowerState D0/D3hot with NoSoft_Reset. In D3hot the function answers
 * configuration requests only: memory requests get UR (writes are dropped), no MSI-X message
 * and no INTx assertion; back in D0 everything is as it was (NoSoft_Reset) and a message held
 * back as a pending bit goes out.
 */
#include "intx/tb_tap.h"
#include "tb.h"

#define V1 (1ull << VEP_F_VERSION_1)
#define PMCSR (VEP_CAP_PM_OFF + 4u)
#define D0 0u
#define D3HOT 3u
#define CMD_ON (VEP_CMD_MEM_EN | VEP_CMD_BUS_MASTER)

static unsigned pm_state(tb_t *t) { return tb_cfg_rd(t, PMCSR, 2) & 3u; }

/* The PM capability found by walking the chain (0: none). */
static unsigned find_pm(tb_t *t) {
  unsigned ptr = tb_cfg_rd(t, VEP_CFG_CAP_PTR, 1), last = 0;
  for (unsigned n = 0; ptr && n < 48; n++) {
    if ((tb_cfg_rd(t, ptr, 1)) == VEP_CAP_ID_PM) last = ptr;
    ptr = tb_cfg_rd(t, ptr + 1, 1);
  }
  return last;
}

TB_TEST(pm_cap, "Power Management capability at 0xE4, last in the chain (PCI_CFG points to it, "
                "its next is 0): PMC 0x0003 (version 3, no D1/D2/PME/aux current) read-only; "
                "PMCSR 0x0008 after reset (D0, NoSoft_Reset 1), PowerState RW with D0 and "
                "D3hot only (01 and 10 ignored), every other bit read-only") {
  TB_CHECK_EQ(t, find_pm(t), VEP_CAP_PM_OFF);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CAP_PCICFG_OFF + 1, 1), 0xE4u);
  const uint32_t dw0 = 0x00030001u;  /* PMC 0x0003, next 0, ID 0x01 */
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CAP_PM_OFF, 4), dw0);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PMCSR, 4), 0x00000008u);
  /* DW 0 is read-only. */
  tb_cfg_wr(t, VEP_CAP_PM_OFF, 4, 0xFFFFFFFFu);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CAP_PM_OFF, 4), dw0);
  tb_cfg_wr(t, VEP_CAP_PM_OFF, 4, 0);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CAP_PM_OFF, 4), dw0);
  /* PowerState: from each state, every written value. */
  static const unsigned from[] = {D0, D3HOT};
  for (unsigned f = 0; f < 2; f++) {
    for (unsigned w = 0; w < 4; w++) {
      tb_cfg_wr(t, PMCSR, 2, from[f]);
      TB_CHECK_EQ(t, pm_state(t), from[f]);
      tb_cfg_wr(t, PMCSR, 2, w);
      unsigned want = (w == D0 || w == D3HOT) ? w : from[f];
      TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, PMCSR, 4), 0x8u | want, "in D%u, wrote %u", from[f], w);
    }
  }
  /* All ones (D3hot, PME_En, PME_Status, Data_Select...): only PowerState moves. */
  tb_cfg_wr(t, PMCSR, 2, D0);
  tb_cfg_wr(t, PMCSR, 4, 0xFFFFFFFFu);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PMCSR, 4), 0x0000000Bu);
  tb_cfg_wr(t, PMCSR, 4, 0xFFFFFFF4u);  /* PowerState 00, NoSoft_Reset written 0 */
  TB_CHECK_EQ(t, tb_cfg_rd(t, PMCSR, 4), 0x00000008u);
  /* A byte write of the upper bytes does not touch PowerState. */
  tb_cfg_wr(t, PMCSR, 2, D3HOT);
  tb_cfg_wr(t, PMCSR + 1, 1, 0xFF);
  tb_cfg_wr(t, PMCSR + 2, 2, 0xFFFF);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PMCSR, 4), 0x0000000Bu);
  tb_cfg_wr(t, PMCSR, 1, 0x00);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PMCSR, 4), 0x00000008u);
  /* Behind the capability: 0xEC reads 0. */
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CAP_PM_OFF + 8, 4), 0);
}

/* One configuration change (capacity + 1); cap is the capacity before it. */
static void config_event(tb_t *t, uint64_t *cap) {
  *cap += 1;
  cosim_set_blk_capacity(t->sim, *cap);
}

/* The registers the D3hot test compares before and after. */
typedef struct pm_snap {
  uint32_t cfg[64];
  uint64_t common[6];
  uint64_t queue[8];
  uint64_t msix[4];
} pm_snap_t;

static void snap(tb_t *t, pm_snap_t *s) {
  for (unsigned i = 0; i < 64; i++) {
    unsigned off = 4 * i;
    /* pci_cfg_data is a BAR access; DevSta changes by the URs in D3hot, and Command reads
     * back in full (checked separately). */
    s->cfg[i] = off == VEP_CAP_PCICFG_OFF + 16 ? 0 : tb_cfg_rd(t, off, 4);
  }
  s->cfg[(VEP_CAP_PCIE_OFF + 8) / 4] &= 0xFFFFu;  /* Device Status: URD set by the URs */
  for (unsigned i = 0; i < 6; i++) s->common[i] = tb_bar_rd(t, 4 * i, 4);
  for (unsigned i = 0; i < 8; i++) s->queue[i] = tb_bar_rd(t, 0x18 + 4 * i, 4);
  for (unsigned i = 0; i < 4; i++) s->msix[i] = tb_bar_rd(t, VEP_BAR_MSIX_TABLE_OFF + 4 * i, 4);
}

TB_TEST(pm_d3hot, "D0 -> D3hot -> D0: in D3hot a BAR0 read gets UR, config reads work and "
                  "Command reads back what was written, memory writes change nothing (virtio "
                  "status, selects, MSI-X vector, table), no MSI-X message (the PBA bit holds "
                  "it and it goes out back in D0); back in D0 every register is as before "
                  "(NoSoft_Reset) and the device works") {
  tb_setup_bar0(t);
  const unsigned nv = t->cfg.params.MSIX_VECTORS;
  for (unsigned v = 0; v < nv; v++) tb_msix_entry_program(t, v, 0);
  tb_msix_ctl(t, 1, 0);
  tb_virtio_init(t, V1, 1);
  const unsigned vec = nv - 1;
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_MSIX), 2, vec);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, 1 % t->cfg.params.NUM_QUEUES);
  uint64_t cap = tb_bar_rd(t, VEP_BAR_DEVICE_OFF + VEP_BLK_CFG_CAPACITY, 8);
  /* In D0 the event is delivered at once. */
  tb_msi_clear(t);
  config_event(t, &cap);
  TB_CHECK_EQ_CTX(t, tb_msi_wait(t, 1, TB_IRQ_WAIT_CYCLES), 1, "message in D0");
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_MSIX_PBA_OFF, 8), 0);

  pm_snap_t before, after;
  snap(t, &before);
  uint32_t cmd = tb_cfg_rd(t, VEP_CFG_COMMAND, 2);
  TB_CHECK_EQ(t, cmd & CMD_ON, CMD_ON);

  tb_cfg_wr(t, PMCSR, 2, D3HOT);
  TB_CHECK_EQ(t, pm_state(t), D3HOT);
  TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, VEP_CFG_COMMAND, 2), cmd, "Command in D3hot");
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_VENDOR_ID, 2), VEP_PCI_VENDOR_ID);
  unsigned st = 0;
  tb_mem_rd_st(t, TB_BAR0_ADDR + TB_COMMON(VEP_COMMON_STATUS), 4, &st);
  TB_CHECK_EQ_CTX(t, st, VEP_CPL_UR, "BAR0 read in D3hot");
  tb_mem_rd_st(t, TB_BAR0_ADDR + VEP_BAR_MSIX_PBA_OFF, 4, &st);
  TB_CHECK_EQ_CTX(t, st, VEP_CPL_UR, "PBA read in D3hot");
  TB_CHECK(t, tb_cfg_rd(t, VEP_CAP_PCIE_OFF + 0x0A, 2) & VEP_PCIE_DEVSTA_URD,
           "URD not set by the UR in D3hot");
  /* Memory writes: a device reset, selects, the vector, an MSI-X table entry, a doorbell. */
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_STATUS), 1, 0);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_DFSELECT), 4, 0x55);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_MSIX), 2, 0);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, 0);
  tb_bar_wr(t, VEP_BAR_MSIX_TABLE_OFF, 4, 0xDEAD0000u);
  tb_bar_wr(t, VEP_BAR_MSIX_TABLE_OFF + 12, 4, 1);
  tb_bar_wr(t, VEP_BAR_NOTIFY_OFF, 2, 0);
  /* A configuration change: no message while in D3hot. */
  tb_msi_clear(t);
  config_event(t, &cap);
  tb_run(t, 4 * TB_IRQ_WAIT_CYCLES);
  TB_CHECK_EQ_CTX(t, t->nmsi, 0, "MSI-X messages in D3hot");
  TB_CHECK_EQ(t, pm_state(t), D3HOT);

  /* Back to D0: the pending message goes out, once; nothing else changed. */
  tb_cfg_wr(t, PMCSR, 2, D0);
  TB_CHECK_EQ(t, pm_state(t), D0);
  TB_CHECK_EQ_CTX(t, tb_msi_wait(t, 1, TB_IRQ_WAIT_CYCLES), 1, "pending message after D0");
  tb_run(t, TB_IRQ_WAIT_CYCLES);
  TB_CHECK_EQ_CTX(t, t->nmsi, 1, "messages after D0 (one)");
  if (t->nmsi >= 1) {
    TB_CHECK_EQ(t, t->msi[0].addr, TB_MSI_ADDR(vec));
    TB_CHECK_EQ(t, t->msi[0].data, TB_MSI_DATA(vec));
  }
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_MSIX_PBA_OFF, 8), 0);
  tb_cfg_wr(t, VEP_CAP_PCIE_OFF + 0x0A, 2, VEP_PCIE_DEVSTA_URD);
  snap(t, &after);
  for (unsigned i = 0; i < 64; i++)
    TB_CHECK_EQ_CTX(t, after.cfg[i], before.cfg[i], "config DW 0x%02x after D3hot", 4 * i);
  /* config_generation (DW 0x14 bits 15:8) counts the one change made in D3hot. */
  before.common[5] += 0x100u;
  for (unsigned i = 0; i < 6; i++)
    TB_CHECK_EQ_CTX(t, after.common[i], before.common[i], "common DW 0x%02x", 4 * i);
  for (unsigned i = 0; i < 8; i++)
    TB_CHECK_EQ_CTX(t, after.queue[i], before.queue[i], "queue DW 0x%02x", 0x18 + 4 * i);
  for (unsigned i = 0; i < 4; i++)
    TB_CHECK_EQ_CTX(t, after.msix[i], before.msix[i], "MSI-X entry 0 DW %u", i);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_DEVICE_OFF + VEP_BLK_CFG_CAPACITY, 8), cap);
  /* And it works: a further event is delivered at once. */
  tb_msi_clear(t);
  config_event(t, &cap);
  TB_CHECK_EQ_CTX(t, tb_msi_wait(t, 1, TB_IRQ_WAIT_CYCLES), 1, "message in D0 again");
}

/* Messages the tap logged since `from`, after everything sent has reached the endpoint. */
static unsigned msgs_since(tb_t *t, tb_tap_t *tp, unsigned from) {
  tb_tap_settle(t, tp, TB_IRQ_WAIT_CYCLES);
  return tp->nmsg - from;
}

static void expect_msg(tb_t *t, tb_tap_t *tp, unsigned from, uint8_t code, const char *when) {
  if (!TB_CHECK_EQ_CTX(t, msgs_since(t, tp, from), 1, "INTx messages %s", when)) return;
  const tb_tap_msg_t *m = tb_tap_last_msg(t, tp, from);
  TB_CHECK_EQ_CTX(t, m->dw[1] & 0xFFu, code, "message code %s", when);
}

TB_TEST(pm_d3hot_intx, "INTx (MSI-X off) and D3hot: entering D3hot with the wire asserted "
                       "sends Deassert_INTA; a configuration change in D3hot asserts nothing "
                       "(Status.Interrupt Status still shows the ISR); back in D0 Assert_INTA "
                       "goes out, and the ISR read deasserts") {
  tb_tap_t *tp = tb_tap_install(t);
  tb_setup_bar0(t);
  tb_virtio_init(t, V1, 1);
  uint64_t cap = tb_bar_rd(t, VEP_BAR_DEVICE_OFF + VEP_BLK_CFG_CAPACITY, 8);
  unsigned from = tp->nmsg;
  config_event(t, &cap);
  expect_msg(t, tp, from, VEP_MSG_ASSERT_INTA, "configuration change in D0");

  from = tp->nmsg;
  tb_cfg_wr(t, PMCSR, 2, D3HOT);
  expect_msg(t, tp, from, VEP_MSG_DEASSERT_INTA, "entering D3hot while asserted");
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_COMMAND, 2) & VEP_CMD_INTX_DISABLE, 0);
  from = tp->nmsg;
  config_event(t, &cap);
  TB_CHECK_EQ_CTX(t, msgs_since(t, tp, from), 0, "INTx messages for a change in D3hot");
  TB_CHECK(t, tb_cfg_rd(t, VEP_CFG_STATUS, 2) & VEP_STS_INTX, "Interrupt Status in D3hot");
  /* D1 and D2 are ignored: still no message. */
  tb_cfg_wr(t, PMCSR, 2, 1);
  tb_cfg_wr(t, PMCSR, 2, 2);
  TB_CHECK_EQ_CTX(t, msgs_since(t, tp, from), 0, "INTx messages after writes of D1/D2");

  from = tp->nmsg;
  tb_cfg_wr(t, PMCSR, 2, D0);
  expect_msg(t, tp, from, VEP_MSG_ASSERT_INTA, "back in D0 with the ISR set");
  from = tp->nmsg;
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), VEP_ISR_CONFIG);
  expect_msg(t, tp, from, VEP_MSG_DEASSERT_INTA, "ISR read in D0");
}
