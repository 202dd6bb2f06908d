/* SPDX-License-Identifier: Apache-2.0 */
/*
 * queue_enable may only be written with 1. Anything else is a driver error the device reports
 * as QEMU's virtio_error does: DEVICE_NEEDS_RESET, and with DRIVER_OK a configuration-change
 * notification (ISR bit 1, and the MSI-X message of config_msix_vector when MSI-X is on).
 * A reset makes the device usable again.
 */
#include "tb.h"

#define V1 (1ull << VEP_F_VERSION_1)

static void select_queue(tb_t *t, unsigned q) {
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, q);
}

static uint8_t read_isr(tb_t *t) { return (uint8_t)tb_bar_rd(t, VEP_BAR_ISR_OFF, 1); }

TB_TEST(queue_enable_error, "queue_enable of a value other than 1 sets DEVICE_NEEDS_RESET; with "
                            "DRIVER_OK also ISR bit 1 and the config vector's MSI-X message "
                            "(address and data of the entry); after a reset the device works") {
  tb_setup_bar0(t);
  const vep_params_t *p = &t->cfg.params;
  const unsigned nq = p->NUM_QUEUES;
  for (unsigned i = 0; i < p->MSIX_VECTORS; i++) tb_msix_entry_program(t, i, 0);
  tb_msix_ctl(t, 1, 0);
  static const uint16_t bad_values[] = {0, 2, 0xFFFF, 0x100};

  for (unsigned round = 0; round < 4; round++) {
    const unsigned vec = tb_rand_below(&t->rng, p->MSIX_VECTORS);
    const unsigned q = tb_rand_below(&t->rng, nq);
    const uint16_t bad = bad_values[round];
    const int driver_ok = round != 0;   /* round 0: before DRIVER_OK, no notification */
    const int msix = round != 3;        /* round 3: MSI-X off, only the ISR */
    tb_msix_ctl(t, msix, 0);
    tb_virtio_init(t, V1, driver_ok);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_MSIX), 2, vec);
    TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_MSIX), 2), vec);
    TB_CHECK_EQ(t, read_isr(t), 0);
    /* A well-behaved queue first: enabling with 1 is no error. */
    select_queue(t, (q + 1) % nq);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2, 1);
    TB_CHECK_EQ_CTX(t, tb_status_rd(t) & VEP_STATUS_DEVICE_NEEDS_RESET, 0,
                    "round %u: queue_enable = 1 is no error", round);
    tb_msi_clear(t);
    select_queue(t, q);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2, bad);
    uint8_t s = tb_status_rd(t);
    TB_CHECK(t, s & VEP_STATUS_DEVICE_NEEDS_RESET, "round %u: status 0x%02x after queue_enable "
             "= 0x%x lacks DEVICE_NEEDS_RESET", round, s, bad);
    /* The rest of the status is the driver's, untouched. */
    TB_CHECK_EQ_CTX(t, s & ~VEP_STATUS_DEVICE_NEEDS_RESET,
                    VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER | VEP_STATUS_FEATURES_OK |
                        (driver_ok ? VEP_STATUS_DRIVER_OK : 0u), "round %u", round);
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2), 0,
                    "round %u: the queue was not enabled", round);
    unsigned n = tb_msi_wait(t, 1, TB_IRQ_WAIT_CYCLES);
    if (driver_ok && msix) {
      if (TB_CHECK_EQ_CTX(t, n, 1, "round %u: MSI-X messages", round)) {
        TB_CHECK_EQ_CTX(t, t->msi[0].addr, TB_MSI_ADDR(vec), "round %u vector %u", round, vec);
        TB_CHECK_EQ_CTX(t, t->msi[0].data, TB_MSI_DATA(vec), "round %u vector %u", round, vec);
      }
    } else {
      TB_CHECK_EQ_CTX(t, n, 0, "round %u: MSI-X messages", round);
    }
    /* A second error while DEVICE_NEEDS_RESET is set notifies nothing more. */
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2, bad);
    TB_CHECK(t, tb_status_rd(t) & VEP_STATUS_DEVICE_NEEDS_RESET, "round %u", round);
    TB_CHECK_EQ_CTX(t, tb_msi_wait(t, n + 1, TB_IRQ_WAIT_CYCLES), n,
                    "round %u: messages after a second error", round);
    /* The device sets ISR bit 1 before any configuration notification. */
    TB_CHECK_EQ_CTX(t, read_isr(t), driver_ok ? VEP_ISR_CONFIG : 0u, "round %u: ISR", round);
    TB_CHECK_EQ_CTX(t, read_isr(t), 0, "round %u: ISR after it was read", round);

    /* Reset: status 0, DEVICE_NEEDS_RESET gone, vectors unmapped, queues disabled. */
    tb_virtio_reset(t);
    TB_CHECK_EQ(t, tb_status_rd(t), 0);
    TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_MSIX), 2), VEP_MSI_NO_VECTOR);
    select_queue(t, (q + 1) % nq);
    TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2), 0);
    /* And it works again: a full initialisation with every queue enabled, no error. */
    tb_msi_clear(t);
    tb_virtio_init(t, V1, 0);
    for (unsigned i = 0; i < nq; i++) {
      select_queue(t, i);
      tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2, 1);
      TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2), 1, "queue %u", i);
    }
    tb_status_wr(t, VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER | VEP_STATUS_FEATURES_OK |
                        VEP_STATUS_DRIVER_OK);
    TB_CHECK_EQ(t, tb_status_rd(t), VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER |
                                        VEP_STATUS_FEATURES_OK | VEP_STATUS_DRIVER_OK);
    TB_CHECK_EQ(t, read_isr(t), 0);
    TB_CHECK_EQ(t, tb_msi_wait(t, 1, 64), 0);
  }
}
