/* SPDX-License-Identifier: Apache-2.0 */
/* The ISR status byte: set by configuration changes, cleared by the read that returns it. */
#include "tb.h"

#define V1 (1ull << VEP_F_VERSION_1)
#define PCICFG(f) (VEP_CAP_PCICFG_OFF + (f))

/* A device-configuration change, which (with DRIVER_OK) sets ISR bit 1. */
static void config_event(tb_t *t) {
  uint64_t cap = tb_bar_rd(t, VEP_BAR_DEVICE_OFF + VEP_BLK_CFG_CAPACITY, 8);
  cosim_set_blk_capacity(t->sim, cap + 1);
  tb_run(t, 64);
}

static uint16_t pci_status(tb_t *t) { return (uint16_t)tb_cfg_rd(t, VEP_CFG_STATUS, 2); }

TB_TEST(isr_read_clear, "ISR: a config change sets bit 1 (and Status.Interrupt with MSI-X off); "
                        "the read returning byte 0 clears it (through BAR0 and through the "
                        "PCI_CFG window), other reads do not; writes are ignored; device reset "
                        "clears it") {
  tb_setup_bar0(t);
  tb_virtio_init(t, V1, 1);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), 0);
  TB_CHECK_EQ(t, pci_status(t) & VEP_STS_INTX, 0);

  config_event(t);
  TB_CHECK(t, pci_status(t) & VEP_STS_INTX, "Status.Interrupt not set while the ISR is pending");
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), VEP_ISR_CONFIG);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), 0);
  TB_CHECK_EQ(t, pci_status(t) & VEP_STS_INTX, 0);

  /* A DW read returns it in byte 0 and clears it as well. */
  config_event(t);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 4), VEP_ISR_CONFIG);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 4), 0);

  /* A read that does not enable byte 0 returns 0 and leaves the ISR alone. */
  config_event(t);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF + 1, 1), 0);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF + 2, 2), 0);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), VEP_ISR_CONFIG);

  /* Writes do nothing: neither set nor clear. */
  tb_bar_wr(t, VEP_BAR_ISR_OFF, 1, 0xFF);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), 0);
  config_event(t);
  tb_bar_wr(t, VEP_BAR_ISR_OFF, 1, 0);
  tb_bar_wr(t, VEP_BAR_ISR_OFF, 4, 0xFFFFFFFFu);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), VEP_ISR_CONFIG);

  /* Two events before one read: one bit, one read clears it. */
  config_event(t);
  config_event(t);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), VEP_ISR_CONFIG);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), 0);

  /* Through the PCI_CFG window (bar 0, length 1, the ISR's offset). */
  tb_cfg_wr(t, PCICFG(VEP_VIRTIO_CAP_BAR), 1, 0);
  tb_cfg_wr(t, PCICFG(VEP_VIRTIO_CAP_LENGTH), 4, 1);
  tb_cfg_wr(t, PCICFG(VEP_VIRTIO_CAP_OFFSET), 4, VEP_BAR_ISR_OFF);
  config_event(t);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCICFG(VEP_VIRTIO_CAP_EXTRA), 4), VEP_ISR_CONFIG);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCICFG(VEP_VIRTIO_CAP_EXTRA), 4), 0);
  config_event(t);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCICFG(VEP_VIRTIO_CAP_EXTRA), 4), VEP_ISR_CONFIG);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), 0);  /* the window read cleared it */
  config_event(t);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), VEP_ISR_CONFIG);
  TB_CHECK_EQ(t, tb_cfg_rd(t, PCICFG(VEP_VIRTIO_CAP_EXTRA), 4), 0);  /* the BAR read did */

  /* A device reset clears it. */
  config_event(t);
  tb_virtio_reset(t);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), 0);
  TB_CHECK_EQ(t, pci_status(t) & VEP_STS_INTX, 0);
  /* And without DRIVER_OK a configuration change raises nothing. */
  tb_virtio_init(t, V1, 0);
  config_event(t);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), 0);
}
