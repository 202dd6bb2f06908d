/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio common configuration: every access width at every offset against the tests' own model
 * (tb_common_model.c), device reset, per-queue register isolation, queue_size validation and the
 * vector read-back rule.
 */
#include <string.h>

#include "tb.h"
#include "tb_common_model.h"

/* Reads the whole structure one byte at a time and compares it with the model. Returns the
 * number of differing bytes (each reported, up to the runner's message limit). */
static unsigned compare_all(tb_t *t, const tb_cc_model_t *m, const char *after) {
  uint8_t img[TB_CC_BYTES];
  tb_cc_image(m, img);
  unsigned bad = 0;
  for (unsigned b = 0; b < TB_CC_BYTES; b++) {
    uint64_t got = tb_bar_rd(t, TB_COMMON(b), 1);
    if (!TB_CHECK_EQ_CTX(t, got, img[b], "common byte 0x%02x after %s", b, after)) bad++;
  }
  return bad;
}

/* A random value for a write of size bytes at off. Fields whose writes have effects beyond the
 * register get chosen values: device_status ACKNOWLEDGE (0 would reset, FEATURES_OK would
 * validate), queue_enable 1 (anything else is a driver error: queue_enable_error tests that);
 * the others are biased towards values that exercise their rule: queue_select mostly a real
 * queue, feature selects 0/1, vectors and queue sizes in range half the time. */
static uint32_t pattern(tb_t *t, unsigned off, unsigned size) {
  const vep_params_t *p = &t->cfg.params;
  tb_rng_t *r = &t->rng;
  uint32_t val = tb_rand32(r);
  for (unsigned i = 0; i < size; i++) {
    unsigned a = off + i;
    uint32_t byte = (val >> (8 * i)) & 0xFFu;
    int half = tb_rand_below(r, 2);
    if (a == VEP_COMMON_STATUS) byte = VEP_STATUS_ACKNOWLEDGE;
    if (a == VEP_COMMON_Q_ENABLE) byte = 1;
    if (a == VEP_COMMON_Q_ENABLE + 1) byte = 0;
    if (a == VEP_COMMON_Q_SELECT)
      byte = tb_rand_below(r, 5) ? tb_rand_below(r, p->NUM_QUEUES) : p->NUM_QUEUES;
    if (a == VEP_COMMON_Q_SELECT + 1 && tb_rand_below(r, 8)) byte = 0;
    if (a == VEP_COMMON_Q_SIZE && half) byte = tb_rand_below(r, p->QUEUE_SIZE_MAX + 1) & 0xFFu;
    if (a == VEP_COMMON_Q_SIZE + 1 && half) byte = 0;
    if ((a == VEP_COMMON_DFSELECT || a == VEP_COMMON_GFSELECT) && half)
      byte = tb_rand_below(r, 3);
    if (((a > VEP_COMMON_DFSELECT && a < VEP_COMMON_DF) ||
         (a > VEP_COMMON_GFSELECT && a < VEP_COMMON_GF)) && half)
      byte = 0;
    if ((a == VEP_COMMON_MSIX || a == VEP_COMMON_Q_MSIX) && half)
      byte = tb_rand_below(r, p->MSIX_VECTORS + 2);
    if ((a == VEP_COMMON_MSIX + 1 || a == VEP_COMMON_Q_MSIX + 1) && half) byte = 0;
    val = (val & ~(0xFFu << (8 * i))) | byte << (8 * i);
  }
  return val;
}

TB_TEST(common_access_widths, "Common configuration: a random write of every size (1, 2, 4) "
                              "at every aligned offset 0x00-0x3F, then all 64 bytes read one "
                              "by one and compared with the register model; neighbours "
                              "untouched") {
  tb_setup_bar0(t);
  const vep_params_t *p = &t->cfg.params;
  tb_cc_model_t m;
  memset(&m, 0, sizeof m);
  tb_cc_reset(&m, p, TB_FEATURES_OFFERED);
  compare_all(t, &m, "reset");

  /* Three sweeps: each field then sees writes in several states of the others (queue_select,
   * feature selects), not just one. */
  for (unsigned step = 0; step < 3 * TB_CC_BYTES * 3; step++) {
    unsigned off = (step / 3) % TB_CC_BYTES;
    unsigned size = 1u << (step % 3);
    if (off % size) continue;
    uint32_t val = pattern(t, off, size);
    /* A byte write of the upper half of queue_enable is a write of 1 only if the lower half
     * already holds 1: make it so, so that it is not a driver error either. */
    if (size == 1 && off == VEP_COMMON_Q_ENABLE + 1 && m.queue_select < p->NUM_QUEUES &&
        m.q[m.queue_select].enable != 1) {
      tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2, 1);
      tb_cc_write(&m, VEP_COMMON_Q_ENABLE, 2, 1);
    }
    tb_bar_wr(t, TB_COMMON(off), size, val);
    tb_cc_write(&m, off, size, val);
    char after[64];
    snprintf(after, sizeof after, "writing 0x%0*x at 0x%02x", 2 * size, val, off);
    if (compare_all(t, &m, after)) return;  /* later comparisons would repeat the same error */
  }
  TB_CHECK_EQ(t, m.needs_reset_events, 0);
}

TB_TEST(common_reset, "Writing 0 to device_status restores every common field of every queue "
                      "to its default, except config_generation; status reads 0 at once") {
  tb_setup_bar0(t);
  const vep_params_t *p = &t->cfg.params;
  tb_rng_t *r = &t->rng;
  /* Make config_generation nonzero first, so that "kept" is visible. */
  cosim_set_blk_capacity(t->sim, t->cfg.blk_capacity + 8);
  tb_run(t, 64);
  uint32_t gen = (uint32_t)tb_bar_rd(t, TB_COMMON(VEP_COMMON_CFGGEN), 1);
  TB_CHECK(t, gen != 0, "config_generation still 0 after a capacity change");

  tb_cc_model_t m;
  memset(&m, 0, sizeof m);
  m.config_generation = (uint8_t)gen;
  tb_cc_reset(&m, p, TB_FEATURES_OFFERED);
  for (int round = 0; round < 2; round++) {
    /* Everything writable gets a non-default value. */
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_DFSELECT), 4, 1);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_GFSELECT), 4, 1);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_GF), 4, 1u << (VEP_F_VERSION_1 - 32));
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_MSIX), 2, tb_rand_below(r, p->MSIX_VECTORS));
    for (unsigned q = 0; q < p->NUM_QUEUES; q++) {
      tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, q);
      tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SIZE), 2, 1u << tb_rand_below(r, 8));
      tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_MSIX), 2, tb_rand_below(r, p->MSIX_VECTORS));
      tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 8, tb_rand64(r) | 1);
      tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_AVAILLO), 8, tb_rand64(r) | 1);
      tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_USEDLO), 8, tb_rand64(r) | 1);
      tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2, 1);
    }
    tb_status_wr(t, VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER);
    /* Round 1 also has DEVICE_NEEDS_RESET set (a queue_enable of 0): reset clears it too. */
    if (round == 1) {
      tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2, 0);
      TB_CHECK(t, tb_status_rd(t) & VEP_STATUS_DEVICE_NEEDS_RESET, "no DEVICE_NEEDS_RESET");
    }
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, 1);
    uint32_t before = tb_status_rd(t);
    tb_status_wr(t, 0);
    /* device_status reads its old value until the reset is done, then 0 (the driver waits for
     * 0); with nothing in flight that is two cycles after the write's register strobe. At
     * DATA_W 64 the read's own beats take longer, so it already sees 0; from 128 on (one-beat
     * MWr and MRd) the first read can come early enough to see the old value, the second not. */
    const unsigned old_reads = t->cfg.params.DATA_W == 64 ? 0 : 1;
    uint32_t sts = tb_status_rd(t);
    for (unsigned polls = 0; sts != 0 && polls < old_reads; polls++) {
      TB_CHECK_EQ_CTX(t, sts, before, "device_status during the reset (read %u)", polls);
      sts = tb_status_rd(t);
    }
    TB_CHECK_EQ(t, sts, 0);
    for (unsigned q = 0; q < p->NUM_QUEUES; q++) {
      if (q) {
        tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, q);
        m.queue_select = (uint16_t)q;
      }
      char after[32];
      snprintf(after, sizeof after, "reset (queue %u)", q);
      compare_all(t, &m, after);
      tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, 0);
      m.queue_select = 0;
    }
  }
}

TB_TEST(common_queue_regs, "Per-queue registers: distinct random values per queue do not leak; "
                           "queue_select >= NUM_QUEUES reads 0 and drops writes; "
                           "queue_notify_off = index; queue_size validation; vector read-back "
                           "rule for config and queue vectors") {
  tb_setup_bar0(t);
  const vep_params_t *p = &t->cfg.params;
  tb_rng_t *r = &t->rng;
  const unsigned nq = p->NUM_QUEUES;
  tb_cc_queue_t want[TB_CC_MAX_QUEUES];
  TB_REQUIRE(t, nq <= TB_CC_MAX_QUEUES, "NUM_QUEUES %u", nq);

  for (unsigned q = 0; q < nq; q++) {
    want[q].size = (uint16_t)(1u << tb_rand_below(r, 9));
    if (want[q].size > p->QUEUE_SIZE_MAX) want[q].size = (uint16_t)p->QUEUE_SIZE_MAX;
    want[q].msix = (uint16_t)tb_rand_below(r, p->MSIX_VECTORS);
    want[q].desc = tb_rand64(r) & ~0xFull;
    want[q].driver = tb_rand64(r) & ~0x1ull;
    want[q].device = tb_rand64(r) & ~0x3ull;
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, q);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SIZE), 2, want[q].size);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_MSIX), 2, want[q].msix);
    /* Two 32-bit halves for desc (as Linux writes them), one 8-byte MWr for the others. */
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 4, (uint32_t)want[q].desc);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_DESCHI), 4, (uint32_t)(want[q].desc >> 32));
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_AVAILLO), 8, want[q].driver);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_USEDLO), 8, want[q].device);
    want[q].enable = (uint16_t)(q & 1u);
    if (want[q].enable) tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2, 1);
  }
  /* Selects past the last queue: reads 0, writes dropped (no queue changes). */
  static const uint16_t bad_sel[] = {0, 1, 0x100, 0x7FFF, 0xFFFF};
  for (size_t i = 0; i < sizeof bad_sel / sizeof bad_sel[0]; i++) {
    uint16_t sel = (uint16_t)(i == 0 ? nq : i == 1 ? nq + 1 : bad_sel[i]);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, sel);
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2), sel, "queue_select");
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SIZE), 2, 1);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_MSIX), 2, 0);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 8, ~0ull);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_AVAILLO), 8, ~0ull);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_USEDLO), 8, ~0ull);
    for (unsigned off = VEP_COMMON_Q_SIZE; off < VEP_BAR_COMMON_LEN; off += 2)
      TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(off), 2), 0, "offset 0x%02x with select 0x%x",
                      off, sel);
  }
  TB_CHECK_EQ(t, tb_status_rd(t), 0);  /* no error raised by those writes */
  for (unsigned q = 0; q < nq; q++) {
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, q);
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_SIZE), 2), want[q].size, "q%u", q);
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_MSIX), 2), want[q].msix, "q%u", q);
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2), want[q].enable, "q%u",
                    q);
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_NOFF), 2), q, "q%u", q);
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 8), want[q].desc, "q%u", q);
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_AVAILLO), 4), (uint32_t)want[q].driver,
                    "q%u", q);
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_AVAILHI), 4),
                    (uint32_t)(want[q].driver >> 32), "q%u", q);
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_USEDLO), 8), want[q].device, "q%u",
                    q);
  }

  /* queue_size: only a power of two in 1..QUEUE_SIZE_MAX is taken. */
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, 0);
  uint16_t cur = (uint16_t)tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_SIZE), 2);
  const uint32_t max = p->QUEUE_SIZE_MAX;
  const uint32_t sizes[] = {0, 3, 6, max - 1, max + 1, 2 * max, 0x8000, 0xFFFF, 1, max, 2, max / 2};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    uint32_t s = sizes[i] & 0xFFFFu;
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SIZE), 2, s);
    int valid = s != 0 && (s & (s - 1)) == 0 && s <= max;
    if (valid) cur = (uint16_t)s;
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_SIZE), 2), cur, "after writing %u",
                    s);
  }

  /* Vectors: below MSIX_VECTORS read back as written, anything else as NO_VECTOR. */
  const uint32_t nv = p->MSIX_VECTORS;
  const uint32_t vecs[] = {0, nv - 1, nv, nv + 1, 0x7FF, 0x800, 0xFFFE, 0xFFFF, nv / 2};
  for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
    uint32_t v = vecs[i];
    uint32_t e = v < nv ? v : VEP_MSI_NO_VECTOR;
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_MSIX), 2, v);
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_MSIX), 2), e, "config vector %u", v);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_MSIX), 2, v);
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_MSIX), 2), e, "queue vector %u", v);
  }
  /* The same through a 32-bit write of the DW holding queue_size and queue_msix_vector. */
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SIZE), 4, (nv + 3) << 16 | 4u);
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_SIZE), 4),
              (uint32_t)VEP_MSI_NO_VECTOR << 16 | 4u);
}
