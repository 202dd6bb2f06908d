/* SPDX-License-Identifier: Apache-2.0 */
/* Feature negotiation: what is offered, which accepted sets pass FEATURES_OK, which do not. */
#include "tb.h"

#define DRV (VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER)

/* Reset, ACKNOWLEDGE|DRIVER, write the four driver_feature words, set FEATURES_OK; returns
 * whether FEATURES_OK stuck. */
static int try_features(tb_t *t, const uint32_t words[4]) {
  tb_virtio_reset(t);
  tb_status_wr(t, VEP_STATUS_ACKNOWLEDGE);
  tb_status_wr(t, DRV);
  for (unsigned sel = 0; sel < 4; sel++) {
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_GFSELECT), 4, sel);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_GF), 4, words[sel]);
  }
  tb_status_wr(t, DRV | VEP_STATUS_FEATURES_OK);
  uint8_t s = tb_status_rd(t);
  TB_CHECK_EQ(t, s & ~VEP_STATUS_FEATURES_OK, DRV);  /* nothing else changes */
  return (s & VEP_STATUS_FEATURES_OK) != 0;
}

TB_TEST(features_offered, "device_feature: select 0/1 show VERSION_1|INDIRECT_DESC|EVENT_IDX|"
                          "SEG_MAX|BLK_SIZE|FLUSH (plus RO with the blk_ro strap), every other "
                          "select reads 0") {
  for (int ro = 0; ro < 2; ro++) {
    if (ro) {
      cosim_cfg_t c = t->cfg;
      c.blk_ro = 1;
      tb_reconfigure(t, &c);
    }
    tb_setup_bar0(t);
    uint64_t offered = TB_FEATURES_OFFERED | (ro ? 1ull << VEP_BLK_F_RO : 0);
    for (unsigned sel = 0; sel < 2; sel++) {
      tb_bar_wr(t, TB_COMMON(VEP_COMMON_DFSELECT), 4, sel);
      TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_DF), 4),
                      (uint32_t)(offered >> (32 * sel)), "select %u blk_ro %d", sel, ro);
    }
    const uint32_t sels[] = {2, 3, 4, 0x80, 0xFFFFFFFFu, tb_rand32(&t->rng) | 2u};
    for (size_t i = 0; i < sizeof sels / sizeof sels[0]; i++) {
      tb_bar_wr(t, TB_COMMON(VEP_COMMON_DFSELECT), 4, sels[i]);
      TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_DFSELECT), 4), sels[i], "select");
      TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_DF), 4), 0, "select 0x%x", sels[i]);
    }
    /* device_feature is read-only. */
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_DFSELECT), 4, 0);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_DF), 4, 0xFFFFFFFFu);
    TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_DF), 4), (uint32_t)offered);
  }
}

TB_TEST(features_negotiation, "FEATURES_OK accepted for subsets of the offer with VERSION_1; "
                              "refused for a not-offered bit, a bit in select 2 or 3, or "
                              "without VERSION_1; driver_feature frozen once FEATURES_OK") {
  tb_setup_bar0(t);
  const uint64_t off = TB_FEATURES_OFFERED;
  const uint64_t v1 = 1ull << VEP_F_VERSION_1;
  struct {
    const char *what;
    uint32_t w[4];
    int ok;
  } cases[] = {
      {"VERSION_1 only", {(uint32_t)v1, (uint32_t)(v1 >> 32), 0, 0}, 1},
      {"everything offered", {(uint32_t)off, (uint32_t)(off >> 32), 0, 0}, 1},
      {"VERSION_1 + BLK_SIZE", {1u << VEP_BLK_F_BLK_SIZE, (uint32_t)(v1 >> 32), 0, 0}, 1},
      {"no VERSION_1", {(uint32_t)off, 0, 0, 0}, 0},
      {"nothing at all", {0, 0, 0, 0}, 0},
      {"RO not offered", {(uint32_t)off | 1u << VEP_BLK_F_RO, (uint32_t)(off >> 32), 0, 0}, 0},
      {"VERSION_1 + FLUSH + EVENT_IDX",
       {1u << VEP_BLK_F_FLUSH | 1u << VEP_F_EVENT_IDX, (uint32_t)(v1 >> 32), 0, 0}, 1},
      {"GEOMETRY not offered", {1u << VEP_BLK_F_GEOMETRY, (uint32_t)(v1 >> 32), 0, 0}, 0},
      {"RING_PACKED not offered",
       {0, (uint32_t)(v1 >> 32) | 1u << (VEP_F_RING_PACKED - 32), 0, 0}, 0},
      {"ACCESS_PLATFORM not offered",
       {0, (uint32_t)(v1 >> 32) | 1u << (VEP_F_ACCESS_PLATFORM - 32), 0, 0}, 0},
      {"a bit in select 2", {(uint32_t)off, (uint32_t)(off >> 32), 1u, 0}, 0},
      {"a bit in select 3", {(uint32_t)off, (uint32_t)(off >> 32), 0, 0x80000000u}, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int ok = try_features(t, cases[i].w);
    TB_CHECK(t, ok == cases[i].ok, "%s: FEATURES_OK %s", cases[i].what,
             ok ? "accepted" : "refused");
    /* What was written to select 0/1 reads back as written; select 2/3 read 0. */
    for (unsigned sel = 0; sel < 4; sel++) {
      tb_bar_wr(t, TB_COMMON(VEP_COMMON_GFSELECT), 4, sel);
      TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_GF), 4), sel < 2 ? cases[i].w[sel] : 0,
                      "%s: driver_feature select %u", cases[i].what, sel);
    }
  }
  /* A random subset of the offer that includes VERSION_1 always passes. */
  for (int i = 0; i < 8; i++) {
    uint64_t f = (tb_rand64(&t->rng) & off) | v1;
    uint32_t w[4] = {(uint32_t)f, (uint32_t)(f >> 32), 0, 0};
    TB_CHECK(t, try_features(t, w), "subset 0x%llx refused", (unsigned long long)f);
  }
  /* Once FEATURES_OK holds, the accepted set is frozen. */
  {
    uint32_t w[4] = {(uint32_t)off, (uint32_t)(off >> 32), 0, 0};
    tb_virtio_reset(t);
    tb_status_wr(t, DRV);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_GFSELECT), 4, 0);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_GF), 4, w[0]);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_GFSELECT), 4, 1);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_GF), 4, w[1]);
    tb_status_wr(t, DRV | VEP_STATUS_FEATURES_OK);
    TB_CHECK(t, tb_status_rd(t) & VEP_STATUS_FEATURES_OK, "offer refused");
    /* driver_feature writes are ignored, in both selects and at any width. */
    for (unsigned sel = 0; sel < 2; sel++) {
      tb_bar_wr(t, TB_COMMON(VEP_COMMON_GFSELECT), 4, sel);
      tb_bar_wr(t, TB_COMMON(VEP_COMMON_GF), 4, ~w[sel]);
      tb_bar_wr(t, TB_COMMON(VEP_COMMON_GF) + 1, 1, 0xA5);
      TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_GF), 4), w[sel],
                      "driver_feature select %u after FEATURES_OK", sel);
    }
    /* Setting FEATURES_OK again (with DRIVER_OK) keeps it: the set was not changed. */
    tb_status_wr(t, DRV | VEP_STATUS_FEATURES_OK | VEP_STATUS_DRIVER_OK);
    TB_CHECK_EQ(t, tb_status_rd(t), DRV | VEP_STATUS_FEATURES_OK | VEP_STATUS_DRIVER_OK);
  }
}
