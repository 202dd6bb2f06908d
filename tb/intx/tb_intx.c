/* SPDX-License-Identifier: Apache-2.0 */
/*
 * INTx emulation: the virtual INTA wire (ISR != 0, MSI-X disabled, INTx Disable clear) is
 * signalled with Assert_INTA / Deassert_INTA messages, one per change of the wire.
 *
 * The root complex accepts INTx messages but has no way to show them to a test, so these tests
 * watch the TX port of the endpoint itself through the tap (tb_tap.h), a pass-through DUT adapter
 * around the usual one that logs every message the endpoint sends.
 */
#include "intx/tb_tap.h"
#include "tb.h"

#define V1 (1ull << VEP_F_VERSION_1)

typedef tb_tap_t tap_t;
typedef tb_tap_msg_t tap_msg_t;

/* Messages sent since tp->nmsg was `from`. */
static unsigned intx_count(const tap_t *tp, unsigned from) { return tp->nmsg - from; }

static const tap_msg_t *intx_last(tb_t *t, const tap_t *tp, unsigned from) {
  return tb_tap_last_msg(t, tp, from);
}

/* n cycles after everything sent so far has reached the endpoint. */
static void run(tb_t *t, tap_t *tp, uint64_t n) { tb_tap_settle(t, tp, n); }

/* Checks that exactly one INTx message was sent after the first `from` (waiting up to
 * TB_IRQ_WAIT_CYCLES for it, then as long again for a second one), and that it is the message
 * with code `code`, every header field as docs/interface.md gives it. */
static void expect_intx(tb_t *t, tap_t *tp, unsigned from, uint8_t code, const char *when) {
  for (unsigned c = 0; c < TB_IRQ_WAIT_CYCLES && intx_count(tp, from) == 0; c += 4) run(t, tp, 4);
  run(t, tp, TB_IRQ_WAIT_CYCLES);
  if (!TB_CHECK_EQ_CTX(t, intx_count(tp, from), 1, "INTx messages %s", when)) return;
  const tap_msg_t *m = intx_last(t, tp, from);
  const uint16_t completer_id = TB_EP_BDF & 0xFFF8u;
  TB_CHECK_EQ_CTX(t, m->dw[1] & 0xFFu, code, "message code %s", when);
  /* Msg, local routing, 4DW, no data: TC 0, Attr 0, TD/EP 0, Length 0. */
  TB_CHECK_EQ_CTX(t, m->dw[0], (uint32_t)VEP_TLP_MSG_LOCAL << 24, "DW0 %s", when);
  TB_CHECK_EQ_CTX(t, m->dw[1] >> 8, (uint32_t)completer_id << 8, "Requester ID, tag %s", when);
  TB_CHECK_EQ_CTX(t, m->dw[2], 0, "DW2 %s", when);
  TB_CHECK_EQ_CTX(t, m->dw[3], 0, "DW3 %s", when);
  TB_CHECK_EQ_CTX(t, m->ndw, 4, "DWs %s", when);
}

static void expect_no_intx(tb_t *t, tap_t *tp, unsigned from, const char *when) {
  run(t, tp, TB_IRQ_WAIT_CYCLES);
  TB_CHECK_EQ_CTX(t, intx_count(tp, from), 0, "INTx messages %s", when);
}

/* A configuration change (capacity + 1). The read first makes sure the posted writes before it
 * have landed. */
static void config_event(tb_t *t) {
  uint64_t cap = tb_bar_rd(t, VEP_BAR_DEVICE_OFF + VEP_BLK_CFG_CAPACITY, 8);
  cosim_set_blk_capacity(t->sim, cap + 1);
}

static int status_intx(tb_t *t) { return (tb_cfg_rd(t, VEP_CFG_STATUS, 2) & VEP_STS_INTX) != 0; }

static void command(tb_t *t, uint16_t bits) { tb_cfg_wr(t, VEP_CFG_COMMAND, 2, bits); }

#define CMD_ON (VEP_CMD_MEM_EN | VEP_CMD_BUS_MASTER)

TB_TEST(intx_assert_deassert,
        "INTx with MSI-X disabled: a configuration change sends Assert_INTA (Msg local, 4DW, "
        "Length 0, Requester ID = Completer ID, tag 0, DW2/DW3 0) and sets Status bit 3; the "
        "ISR read sends Deassert_INTA, which leaves before the read's completion (posted "
        "before completions); one message per change of the wire, none without one") {
  tap_t *tp = tb_tap_install(t);
  tb_setup_bar0(t);
  tb_virtio_init(t, V1, 1);
  unsigned from = tp->nmsg;
  expect_no_intx(t, tp, from, "after initialisation");
  TB_CHECK_EQ(t, status_intx(t), 0);

  for (int round = 0; round < 3; round++) {
    char when[64];
    snprintf(when, sizeof when, "round %d, after a configuration change", round);
    from = tp->nmsg;
    config_event(t);
    expect_intx(t, tp, from, VEP_MSG_ASSERT_INTA, when);
    TB_CHECK_EQ_CTX(t, status_intx(t), 1, "Status.Interrupt Status %s", when);
    /* A second change while the wire is asserted changes nothing on the wire. */
    from = tp->nmsg;
    config_event(t);
    snprintf(when, sizeof when, "round %d, a second change while asserted", round);
    expect_no_intx(t, tp, from, when);

    from = tp->nmsg;
    uint64_t seq = tp->ntlp;
    TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), VEP_ISR_CONFIG);
    /* The Deassert is offered when the read's completion is: the posted message goes first, so
     * it is the first TLP the endpoint sent after the read arrived. */
    const tap_msg_t *dea = intx_last(t, tp, from);
    if (TB_CHECK(t, dea != NULL, "round %d: no message by the ISR read's completion", round))
      TB_CHECK_EQ_CTX(t, dea->seq, seq, "round %d: TLPs the endpoint sent after the ISR read "
                      "and before Deassert_INTA (1: the completion passed it)", round);
    snprintf(when, sizeof when, "round %d, after the ISR read", round);
    expect_intx(t, tp, from, VEP_MSG_DEASSERT_INTA, when);
    TB_CHECK_EQ_CTX(t, status_intx(t), 0, "Status.Interrupt Status %s", when);
    /* An ISR read with nothing pending: no message. */
    from = tp->nmsg;
    TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), 0);
    expect_no_intx(t, tp, from, "ISR read of 0");
  }
}

TB_TEST(intx_disable,
        "INTx Disable: set while asserted sends Deassert_INTA; set, a configuration change sends "
        "nothing though Status bit 3 still shows the ISR; cleared with the ISR set sends "
        "Assert_INTA. Bus Master Enable does not gate INTx messages") {
  tap_t *tp = tb_tap_install(t);
  tb_setup_bar0(t);
  tb_virtio_init(t, V1, 1);

  unsigned from = tp->nmsg;
  config_event(t);
  expect_intx(t, tp, from, VEP_MSG_ASSERT_INTA, "configuration change");
  from = tp->nmsg;
  command(t, CMD_ON | VEP_CMD_INTX_DISABLE);
  expect_intx(t, tp, from, VEP_MSG_DEASSERT_INTA, "INTx Disable set while asserted");
  TB_CHECK_EQ(t, status_intx(t), 1);
  from = tp->nmsg;
  command(t, CMD_ON);
  expect_intx(t, tp, from, VEP_MSG_ASSERT_INTA, "INTx Disable cleared, ISR set");
  from = tp->nmsg;
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), VEP_ISR_CONFIG);
  expect_intx(t, tp, from, VEP_MSG_DEASSERT_INTA, "ISR read");

  /* Disabled: the event is in the ISR and in Status bit 3, not on the wire. */
  command(t, CMD_ON | VEP_CMD_INTX_DISABLE);
  from = tp->nmsg;
  config_event(t);
  expect_no_intx(t, tp, from, "configuration change with INTx Disable");
  TB_CHECK_EQ(t, status_intx(t), 1);
  /* Read while disabled: the wire never rose, so clearing INTx Disable afterwards sends nothing. */
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), VEP_ISR_CONFIG);
  TB_CHECK_EQ(t, status_intx(t), 0);
  command(t, CMD_ON);
  expect_no_intx(t, tp, from, "INTx Disable cleared with the ISR read meanwhile");

  /* Bus Master off: INTx messages are not memory requests, they still go. */
  command(t, VEP_CMD_MEM_EN);
  from = tp->nmsg;
  config_event(t);
  expect_intx(t, tp, from, VEP_MSG_ASSERT_INTA, "configuration change, Bus Master off");
  from = tp->nmsg;
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), VEP_ISR_CONFIG);
  expect_intx(t, tp, from, VEP_MSG_DEASSERT_INTA, "ISR read, Bus Master off");
}

TB_TEST(intx_msix_and_reset,
        "INTx and MSI-X: with MSI-X enabled a configuration change sends no INTx message (the "
        "MSI-X message instead); enabling MSI-X while asserted sends Deassert_INTA, disabling it "
        "with the ISR set sends Assert_INTA; the virtio reset (ISR cleared) sends "
        "Deassert_INTA") {
  tap_t *tp = tb_tap_install(t);
  tb_setup_bar0(t);
  tb_msix_entry_program(t, 0, 0);
  tb_virtio_init(t, V1, 1);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_MSIX), 2, 0);
  TB_REQUIRE(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_MSIX), 2) == 0, "config vector 0");

  /* MSI-X on: the MSI-X message, no INTx. */
  tb_msix_ctl(t, 1, 0);
  tb_msi_clear(t);
  unsigned from = tp->nmsg;
  config_event(t);
  TB_CHECK_EQ(t, tb_msi_wait(t, 1, TB_IRQ_WAIT_CYCLES), 1);
  expect_no_intx(t, tp, from, "configuration change with MSI-X enabled");
  TB_CHECK_EQ(t, status_intx(t), 0);
  /* MSI-X off with the ISR still set (nobody read it): the wire rises. */
  from = tp->nmsg;
  tb_msix_ctl(t, 0, 0);
  expect_intx(t, tp, from, VEP_MSG_ASSERT_INTA, "MSI-X disabled with the ISR set");
  TB_CHECK_EQ(t, status_intx(t), 1);
  /* MSI-X on again while asserted: INTx must not be used, the wire falls. */
  from = tp->nmsg;
  tb_msix_ctl(t, 1, 0);
  expect_intx(t, tp, from, VEP_MSG_DEASSERT_INTA, "MSI-X enabled while asserted");
  tb_msi_clear(t);
  from = tp->nmsg;
  tb_msix_ctl(t, 0, 0);
  expect_intx(t, tp, from, VEP_MSG_ASSERT_INTA, "MSI-X disabled again");
  TB_CHECK_EQ(t, t->nmsi, 0);

  /* The virtio reset clears the ISR: the wire falls. */
  from = tp->nmsg;
  tb_virtio_reset(t);
  expect_intx(t, tp, from, VEP_MSG_DEASSERT_INTA, "virtio reset while asserted");
  TB_CHECK_EQ(t, status_intx(t), 0);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), 0);
}

TB_TEST(intx_random,
        "INTx, random: configuration changes, ISR reads, INTx Disable, MSI-X Enable and virtio "
        "resets in random order with random gaps (offers withdrawn when the wire falls back "
        "before the handshake); the messages always alternate Assert/Deassert starting with "
        "Assert, and once quiet the wire signalled is Status bit 3 && !INTx Disable") {
  tap_t *tp = tb_tap_install(t);
  tb_rng_t *r = &t->rng;
  tb_setup_bar0(t);
  tb_virtio_init(t, V1, 1);
  int intx_dis = 0, msix = 0;
  unsigned checked = 0;   /* messages already checked for alternation */
  int asserted = 0;       /* the state the messages so far signal */

  for (int step = 0; step < 120; step++) {
    switch (tb_rand_below(r, 6)) {
    case 0: case 1: config_event(t); break;
    case 2: (void)tb_bar_rd(t, VEP_BAR_ISR_OFF, 1); break;
    case 3:
      intx_dis = !intx_dis;
      command(t, CMD_ON | (intx_dis ? VEP_CMD_INTX_DISABLE : 0));
      break;
    case 4:
      msix = tb_rand_below(r, 4) == 0;
      tb_msix_ctl(t, msix, 0);
      break;
    default:
      if (tb_rand_below(r, 8) == 0) tb_virtio_init(t, V1, 1);
      break;
    }
    run(t, tp, tb_rand_below(r, 24));
    if (tb_rand_below(r, 8) == 0 || step == 119) {
      run(t, tp, TB_IRQ_WAIT_CYCLES);
      int want = status_intx(t) && !intx_dis;
      TB_REQUIRE(t, tp->nmsg <= TB_TAP_LOG_MAX, "message log full (%u messages)", tp->nmsg);
      for (; checked < tp->nmsg; checked++) {
        const tap_msg_t *m = &tp->log[checked];
        uint8_t code = (uint8_t)m->dw[1];
        TB_CHECK_EQ_CTX(t, code, asserted ? VEP_MSG_DEASSERT_INTA : VEP_MSG_ASSERT_INTA,
                        "step %d: message %u out of turn", step, checked);
        asserted = code == VEP_MSG_ASSERT_INTA;
      }
      TB_CHECK_EQ_CTX(t, asserted, want, "step %d: the wire signalled once quiet (INTx Disable "
                      "%d, MSI-X %d)", step, intx_dis, msix);
    }
  }
}

/* While the TX port is held (posted writes only, they need no TX): a virtio reset (ISR cleared:
 * the wire drops), then re-initialisation and a configuration change (the wire rises again). */
static void held_reset_and_raise(tb_t *t, tap_t *tp, uint64_t cap) {
  const uint8_t sts = VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER;
  tb_status_wr(t, 0);
  run(t, tp, 64);
  tb_status_wr(t, VEP_STATUS_ACKNOWLEDGE);
  tb_status_wr(t, sts);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_GFSELECT), 4, 1);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_GF), 4, (uint32_t)(V1 >> 32));
  tb_status_wr(t, sts | VEP_STATUS_FEATURES_OK);
  tb_status_wr(t, sts | VEP_STATUS_FEATURES_OK | VEP_STATUS_DRIVER_OK);
  run(t, tp, 200);
  cosim_set_blk_capacity(t->sim, cap);
  run(t, tp, 64);
}

TB_TEST(intx_withdraw,
        "INTx offer withdrawn: with the TX port held, messages are taken until the TX path is "
        "full (one at DATA_W 64, two from 128 on: each further wire change a reset and a "
        "re-raise) and the next one waits; a virtio reset (ISR cleared) offers the opposite "
        "message, re-initialisation and a configuration change raise the wire again before it is "
        "taken: it is withdrawn, and only the messages taken leave once the port is released "
        "(Assert, Deassert, ... ending with Assert)") {
  tap_t *tp = tb_tap_install(t);
  tb_setup_bar0(t);
  tb_virtio_init(t, V1, 1);
  uint64_t cap = tb_bar_rd(t, VEP_BAR_DEVICE_OFF + VEP_BLK_CFG_CAPACITY, 8);
  unsigned from = tp->nmsg;
  unsigned held = tb_tap_held_tlps(tp, 4);
  tb_tap_hold(tp, 1);
  cosim_set_blk_capacity(t->sim, ++cap);
  run(t, tp, 64);
  /* Assert_INTA taken; each round fills one more place with a Deassert_INTA and offers the
   * next Assert_INTA, which waits once the path is full. */
  for (unsigned k = 1; k < held; k++) held_reset_and_raise(t, tp, ++cap);
  held_reset_and_raise(t, tp, ++cap);
  TB_CHECK_EQ(t, tp->nmsg, from);
  tb_tap_hold(tp, 0);
  const unsigned want = 2 * held - 1;
  for (unsigned c = 0; c < TB_IRQ_WAIT_CYCLES && intx_count(tp, from) < want; c += 4)
    run(t, tp, 4);
  run(t, tp, TB_IRQ_WAIT_CYCLES);
  if (TB_CHECK_EQ_CTX(t, intx_count(tp, from), want, "INTx messages after the port is released"))
    for (unsigned i = 0; i < want; i++)
      TB_CHECK_EQ_CTX(t, tp->log[from + i].dw[1] & 0xFFu,
                      i % 2 ? VEP_MSG_DEASSERT_INTA : VEP_MSG_ASSERT_INTA, "message %u of %u", i,
                      want);
  const uint8_t sts = VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER;
  TB_CHECK_EQ(t, tb_status_rd(t), sts | VEP_STATUS_FEATURES_OK | VEP_STATUS_DRIVER_OK);
  TB_CHECK_EQ(t, status_intx(t), 1);
  from = tp->nmsg;
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), VEP_ISR_CONFIG);
  expect_intx(t, tp, from, VEP_MSG_DEASSERT_INTA, "ISR read");
}
