/* SPDX-License-Identifier: Apache-2.0 */
/* virtio-blk device configuration: values from the straps and parameters, and capacity changes. */
#include "tb.h"

#define V1 (1ull << VEP_F_VERSION_1)
#define DEV(off) (VEP_BAR_DEVICE_OFF + (off))

/* Every byte of the structure as the straps and parameters define it. */
static void expect_devcfg(tb_t *t, uint64_t capacity, const char *when) {
  uint8_t img[VEP_BAR_DEVICE_LEN] = {0};
  const vep_params_t *p = &t->cfg.params;
  for (unsigned i = 0; i < 8; i++) img[VEP_BLK_CFG_CAPACITY + i] = (uint8_t)(capacity >> (8 * i));
  for (unsigned i = 0; i < 4; i++) {
    img[VEP_BLK_CFG_SEG_MAX + i] = (uint8_t)(p->BLK_SEG_MAX >> (8 * i));
    img[VEP_BLK_CFG_BLK_SIZE + i] = (uint8_t)(p->BLK_SIZE >> (8 * i));
  }
  img[VEP_BLK_CFG_NUM_QUEUES] = (uint8_t)p->NUM_QUEUES;
  img[VEP_BLK_CFG_NUM_QUEUES + 1] = (uint8_t)(p->NUM_QUEUES >> 8);
  /* Dword reads, and byte reads of a random dword, agree with the image. */
  for (unsigned off = 0; off < VEP_BAR_DEVICE_LEN; off += 4) {
    uint32_t want = 0;
    for (unsigned i = 0; i < 4; i++) want |= (uint32_t)img[off + i] << (8 * i);
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, DEV(off), 4), want, "device config 0x%02x %s", off, when);
  }
  unsigned off = 4 * tb_rand_below(&t->rng, VEP_BAR_DEVICE_LEN / 4);
  for (unsigned i = 0; i < 4; i++)
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, DEV(off + i), 1), img[off + i], "byte 0x%02x %s", off + i,
                    when);
}

TB_TEST(devcfg_straps, "virtio-blk config: capacity from the strap (also above 4 Gi sectors), "
                       "seg_max, blk_size, num_queues from the parameters, other fields 0, "
                       "read-only; BLK_F_RO offered only with the blk_ro strap") {
  for (int round = 0; round < 2; round++) {
    if (round) {
      cosim_cfg_t c = t->cfg;
      c.blk_capacity = 0x0000000123456789ull + tb_rand_below(&t->rng, 1000);
      c.blk_ro = 1;
      tb_reconfigure(t, &c);
    }
    tb_setup_bar0(t);
    expect_devcfg(t, t->cfg.blk_capacity, round ? "(second straps)" : "(default straps)");
    /* Writes to it change nothing. */
    for (unsigned off = 0; off < VEP_BAR_DEVICE_LEN; off += 4)
      tb_bar_wr(t, DEV(off), 4, 0xFFFFFFFFu);
    tb_bar_wr(t, DEV(VEP_BLK_CFG_WRITEBACK), 1, 1);
    expect_devcfg(t, t->cfg.blk_capacity, "after writes");
    TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_CFGGEN), 1), 0);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_DFSELECT), 4, 0);
    uint32_t f = (uint32_t)tb_bar_rd(t, TB_COMMON(VEP_COMMON_DF), 4);
    TB_CHECK_EQ_CTX(t, (f >> VEP_BLK_F_RO) & 1u, (unsigned)t->cfg.blk_ro, "BLK_F_RO offered");
    TB_CHECK_EQ(t, (f >> VEP_BLK_F_SEG_MAX) & 1u, 1);
    TB_CHECK_EQ(t, (f >> VEP_BLK_F_BLK_SIZE) & 1u, 1);
  }
}

TB_TEST(devcfg_capacity_change, "A capacity change: new capacity readable, config_generation "
                                "+1 per change; with DRIVER_OK a config interrupt (ISR bit 1, "
                                "or the MSI-X message on the config vector); none before") {
  tb_setup_bar0(t);
  const unsigned nv = t->cfg.params.MSIX_VECTORS;
  uint64_t cap = t->cfg.blk_capacity;
  unsigned gen = 0;
  for (unsigned v = 0; v < nv; v++) tb_msix_entry_program(t, v, 0);

  /* Before DRIVER_OK: generation counts, no notification. */
  tb_virtio_init(t, V1, 0);
  for (int i = 0; i < 3; i++) {
    cap += 1 + tb_rand_below(&t->rng, 1u << 20);
    cosim_set_blk_capacity(t->sim, cap);
    tb_run(t, 32);
    gen++;
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_CFGGEN), 1), gen & 0xFFu, "change %d",
                    i);
    TB_CHECK_EQ(t, tb_bar_rd(t, DEV(VEP_BLK_CFG_CAPACITY), 8), cap);
  }
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), 0);
  TB_CHECK_EQ(t, tb_msi_wait(t, 1, TB_IRQ_WAIT_CYCLES), 0);
  /* Setting the same capacity again is no change. */
  cosim_set_blk_capacity(t->sim, cap);
  tb_run(t, 32);
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_CFGGEN), 1), gen & 0xFFu);

  /* With DRIVER_OK and MSI-X off: ISR bit 1. The status is read back before the strap changes:
   * the read also makes sure the posted write has landed. */
  const uint8_t live = VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER | VEP_STATUS_FEATURES_OK |
                       VEP_STATUS_DRIVER_OK;
  tb_status_wr(t, live);
  TB_CHECK_EQ(t, tb_status_rd(t), live);
  cap += 4096;
  cosim_set_blk_capacity(t->sim, cap);
  tb_run(t, 32);
  gen++;
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_CFGGEN), 1), gen & 0xFFu);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), VEP_ISR_CONFIG);
  TB_CHECK_EQ(t, tb_msi_wait(t, 1, TB_IRQ_WAIT_CYCLES), 0);

  /* With MSI-X on and a config vector: the message of that vector. */
  tb_msix_ctl(t, 1, 0);
  unsigned vec = tb_rand_below(&t->rng, nv);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_MSIX), 2, vec);
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_MSIX), 2), vec);
  cap -= 1;  /* a shrink is a change too */
  cosim_set_blk_capacity(t->sim, cap);
  gen++;
  TB_CHECK_EQ(t, tb_msi_wait(t, 1, TB_IRQ_WAIT_CYCLES), 1);
  TB_CHECK_EQ(t, t->msi[0].addr, TB_MSI_ADDR(vec));
  TB_CHECK_EQ(t, t->msi[0].data, TB_MSI_DATA(vec));
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_CFGGEN), 1), gen & 0xFFu);
  TB_CHECK_EQ(t, tb_bar_rd(t, DEV(VEP_BLK_CFG_CAPACITY), 8), cap);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), VEP_ISR_CONFIG);
  /* config_generation survives a device reset; the capacity too. */
  tb_virtio_reset(t);
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_CFGGEN), 1), gen & 0xFFu);
  TB_CHECK_EQ(t, tb_bar_rd(t, DEV(VEP_BLK_CFG_CAPACITY), 8), cap);
  /* 256 changes wrap the 8-bit counter (and each one still counts). */
  for (int i = 0; i < 256; i++) {
    cosim_set_blk_capacity(t->sim, ++cap);
    tb_run(t, 4);
    gen++;
  }
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_CFGGEN), 1), gen & 0xFFu);
}
