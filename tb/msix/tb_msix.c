/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MSI-X: the table and PBA as registers, and message delivery with entry mask, function mask
 * and Bus Master Enable holding messages back as pending bits. The event source is a
 * configuration change (a capacity change with DRIVER_OK) on config_msix_vector.
 */
#include "tb.h"

#define V1 (1ull << VEP_F_VERSION_1)

static unsigned entry_off(unsigned v, unsigned field) {
  return VEP_BAR_MSIX_TABLE_OFF + VEP_MSIX_ENTRY_SIZE * v + field;
}

static uint64_t pba(tb_t *t) { return tb_bar_rd(t, VEP_BAR_MSIX_PBA_OFF, 8); }

TB_TEST(msix_table, "MSI-X table: every entry's address/data/control read/write, address bits "
                    "[1:0] and control bits [31:1] read-only 0, mask resets to 1, entries "
                    "independent; PBA read-only") {
  tb_setup_bar0(t);
  const unsigned nv = t->cfg.params.MSIX_VECTORS;
  tb_rng_t *r = &t->rng;
  uint32_t want[64][4];
  TB_REQUIRE(t, nv <= 64, "MSIX_VECTORS %u", nv);
  for (unsigned v = 0; v < nv; v++)
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, entry_off(v, VDRV_MSIX_ENTRY_CTRL), 4),
                    VEP_MSIX_VECTOR_MASKED, "entry %u control after reset", v);
  TB_CHECK_EQ(t, pba(t), 0);
  for (unsigned v = 0; v < nv; v++) {
    for (unsigned f = 0; f < 4; f++) {
      uint32_t w = tb_rand32(r);
      tb_bar_wr(t, entry_off(v, 4 * f), 4, w);
      want[v][f] = f == 0 ? w & ~3u : f == 3 ? w & VEP_MSIX_VECTOR_MASKED : w;
      TB_CHECK_EQ_CTX(t, tb_bar_rd(t, entry_off(v, 4 * f), 4), want[v][f], "entry %u DW %u", v,
                      f);
    }
  }
  /* Byte writes reach one byte of one entry. */
  for (int i = 0; i < 32; i++) {
    unsigned v = tb_rand_below(r, nv), f = tb_rand_below(r, 3), b = tb_rand_below(r, 4);
    uint32_t byte = tb_rand32(r) & 0xFFu;
    tb_bar_wr(t, entry_off(v, 4 * f + b), 1, byte);
    want[v][f] = (want[v][f] & ~(0xFFu << (8 * b))) | byte << (8 * b);
    if (f == 0) want[v][f] &= ~3u;
  }
  /* Just past the table: reads 0, and writes do not alias into it. */
  tb_bar_wr(t, entry_off(nv, VDRV_MSIX_ENTRY_DATA), 4, 0xDEADBEEFu);
  tb_bar_wr(t, entry_off(nv, VDRV_MSIX_ENTRY_ADDR_LO), 4, 0xDEADBEEFu);
  TB_CHECK_EQ(t, tb_bar_rd(t, entry_off(nv, VDRV_MSIX_ENTRY_DATA), 4), 0);
  TB_CHECK_EQ(t, tb_bar_rd(t, entry_off(nv, VDRV_MSIX_ENTRY_CTRL), 4), 0);
  for (unsigned v = 0; v < nv; v++)
    for (unsigned f = 0; f < 4; f++)
      TB_CHECK_EQ_CTX(t, tb_bar_rd(t, entry_off(v, 4 * f), 4), want[v][f], "entry %u DW %u", v,
                      f);
  /* 8-byte access to address low/high together. */
  uint64_t a = (tb_rand64(r) & ~3ull);
  tb_bar_wr(t, entry_off(0, VDRV_MSIX_ENTRY_ADDR_LO), 8, a | 3u);
  TB_CHECK_EQ(t, tb_bar_rd(t, entry_off(0, VDRV_MSIX_ENTRY_ADDR_LO), 8), a);
  /* The PBA ignores writes. */
  tb_bar_wr(t, VEP_BAR_MSIX_PBA_OFF, 8, ~0ull);
  tb_bar_wr(t, VEP_BAR_MSIX_PBA_OFF, 4, 0xFFFFFFFFu);
  tb_bar_wr(t, VEP_BAR_MSIX_PBA_OFF + 4, 4, 0xFFFFFFFFu);
  TB_CHECK_EQ(t, pba(t), 0);
}

/* A configuration change: one event on config_msix_vector. */
static void config_event(tb_t *t) {
  uint64_t cap = tb_bar_rd(t, VEP_BAR_DEVICE_OFF + VEP_BLK_CFG_CAPACITY, 8);
  cosim_set_blk_capacity(t->sim, cap + 1);
  tb_run(t, 16);
}

static void expect_message(tb_t *t, unsigned vec, const char *when) {
  unsigned n = tb_msi_wait(t, 1, TB_IRQ_WAIT_CYCLES);
  if (!TB_CHECK_EQ_CTX(t, n, 1, "messages %s", when)) return;
  TB_CHECK_EQ_CTX(t, t->msi[0].addr, TB_MSI_ADDR(vec), "%s", when);
  TB_CHECK_EQ_CTX(t, t->msi[0].data, TB_MSI_DATA(vec), "%s", when);
  tb_run(t, TB_IRQ_WAIT_CYCLES);  /* and only one */
  TB_CHECK_EQ_CTX(t, t->nmsi, 1, "messages %s (a second one)", when);
}

static void expect_none(tb_t *t, const char *when) {
  TB_CHECK_EQ_CTX(t, tb_msi_wait(t, 1, TB_IRQ_WAIT_CYCLES), 0, "messages %s", when);
}

TB_TEST(msix_pending, "MSI-X delivery: an unmasked vector sends its address/data; a masked "
                      "entry, the function mask, or Bus Master off hold the message as a PBA "
                      "bit until released, then it is sent once and the bit clears") {
  tb_setup_bar0(t);
  const unsigned nv = t->cfg.params.MSIX_VECTORS;
  tb_rng_t *r = &t->rng;
  for (unsigned v = 0; v < nv; v++) tb_msix_entry_program(t, v, 0);
  tb_msix_ctl(t, 1, 0);
  tb_virtio_init(t, V1, 1);

  for (int round = 0; round < 3; round++) {
    unsigned vec = tb_rand_below(r, nv);
    uint64_t bit = 1ull << vec;
    char when[64];
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_MSIX), 2, vec);

    /* Unmasked: straight through, nothing left pending. */
    tb_msi_clear(t);
    config_event(t);
    snprintf(when, sizeof when, "unmasked vector %u", vec);
    expect_message(t, vec, when);
    TB_CHECK_EQ(t, pba(t), 0);

    /* Entry mask. */
    tb_msi_clear(t);
    tb_bar_wr(t, entry_off(vec, VDRV_MSIX_ENTRY_CTRL), 4, VEP_MSIX_VECTOR_MASKED);
    config_event(t);
    snprintf(when, sizeof when, "vector %u masked", vec);
    expect_none(t, when);
    TB_CHECK_EQ_CTX(t, pba(t), bit, "%s", when);
    /* Unmasking another vector releases nothing. */
    unsigned other = (vec + 1) % nv;
    if (other != vec) {
      tb_bar_wr(t, entry_off(other, VDRV_MSIX_ENTRY_CTRL), 4, VEP_MSIX_VECTOR_MASKED);
      tb_bar_wr(t, entry_off(other, VDRV_MSIX_ENTRY_CTRL), 4, 0);
      expect_none(t, "unmasking another vector");
    }
    tb_bar_wr(t, entry_off(vec, VDRV_MSIX_ENTRY_CTRL), 4, 0);
    snprintf(when, sizeof when, "after unmasking vector %u", vec);
    expect_message(t, vec, when);
    TB_CHECK_EQ_CTX(t, pba(t), 0, "%s", when);

    /* Function mask. */
    tb_msi_clear(t);
    tb_msix_ctl(t, 1, 1);
    config_event(t);
    expect_none(t, "function masked");
    TB_CHECK_EQ_CTX(t, pba(t), bit, "function masked, vector %u", vec);
    tb_msix_ctl(t, 1, 0);
    expect_message(t, vec, "after clearing the function mask");
    TB_CHECK_EQ(t, pba(t), 0);

    /* Bus Master off: a function must not send memory writes. */
    tb_msi_clear(t);
    tb_cfg_wr(t, VEP_CFG_COMMAND, 2, VEP_CMD_MEM_EN);
    config_event(t);
    expect_none(t, "Bus Master off");
    TB_CHECK_EQ_CTX(t, pba(t), bit, "Bus Master off, vector %u", vec);
    tb_cfg_wr(t, VEP_CFG_COMMAND, 2, VEP_CMD_MEM_EN | VEP_CMD_BUS_MASTER);
    expect_message(t, vec, "after Bus Master on");
    TB_CHECK_EQ(t, pba(t), 0);
  }

  /* No vector mapped: nothing sent, nothing pending. */
  tb_msi_clear(t);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_MSIX), 2, VEP_MSI_NO_VECTOR);
  config_event(t);
  expect_none(t, "config vector NO_VECTOR");
  TB_CHECK_EQ(t, pba(t), 0);
  /* MSI-X disabled: no message (the ISR carries the event). */
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_MSIX), 2, 0);
  tb_msix_ctl(t, 0, 0);
  (void)tb_bar_rd(t, VEP_BAR_ISR_OFF, 1);
  config_event(t);
  expect_none(t, "MSI-X disabled");
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), VEP_ISR_CONFIG);
}
