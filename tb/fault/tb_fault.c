/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-blk I/O through the driver while the root complex misbehaves (docs/faults.md): the
 * fault plan's kinds one at a time and mixed, TX/RX storms, and a device reset with DMA in
 * flight; and the settings the bus model refuses. Every random choice (the plan's draws, the
 * storms, the workload, the reset moment) comes from the printed seed. The checks are
 * fault_round's (tb_fault_lib.h); the benign kinds (DELAY, REORDER, DUP, storms) must leave
 * every request OK.
 */
#include <errno.h>
#include <string.h>

#include "tb_fault_lib.h"

/* Rounds of 16..32 requests. */
static void run_rounds(fault_env_t *e, unsigned rounds)
{
  for (unsigned i = 0; i < rounds; i++) {
    fault_round_opts_t o = {.nreq = 16u + tb_rand_below(&e->k.t->rng, FAULT_MAX_REQ - 15u)};
    fault_round(e, &o);
  }
}

/* Every request OK and nothing else happened. */
static void expect_all_ok(fault_env_t *e)
{
  tb_t *t = e->k.t;
  TB_CHECK_EQ_CTX(t, e->ok, e->requests, "requests completed OK");
  TB_CHECK_EQ_CTX(t, e->needs_reset, 0, "DEVICE_NEEDS_RESET");
}

static void expect_injected(fault_env_t *e, unsigned kind)
{
  cosim_fault_stats_t st;
  cosim_fault_stats(e->k.t->sim, &st);
  TB_CHECK(e->k.t, st.injected[kind] > 0, "no %s fault was injected", fault_kind_name(kind));
}

static int all_errors_met(fault_env_t *e)
{
  cosim_fault_stats_t st;
  cosim_fault_stats(e->k.t->sim, &st);
  for (unsigned k = COSIM_DMA_FAULT_UR; k <= COSIM_DMA_FAULT_DROP; k++) {
    if (!st.injected[k]) {
      return 0;
    }
  }
  return 1;
}

/* TX backpressure and RX gap storms of min..max cycles, about every gap cycles, both ways. */
static void storms_on(tb_t *t, unsigned gap, unsigned min, unsigned max)
{
  cosim_cfg_t c = t->cfg;
  c.tx_storm_gap = c.rx_storm_gap = gap;
  c.tx_storm_min = c.rx_storm_min = min;
  c.tx_storm_max = c.rx_storm_max = max;
  tb_reconfigure(t, &c);
}

TB_TEST(fault_delay, "completions of 40% of device reads held back 50..2000 cycles: every "
                     "request OK, every byte right, no error") {
  fault_env_t e;
  fault_open(t, &e);
  e.plan.rule[COSIM_DMA_FAULT_DELAY].permille = 400;
  e.plan.delay_min = 50;
  e.plan.delay_max = 2000;
  fault_plan_on(&e);
  run_rounds(&e, 3);
  expect_injected(&e, COSIM_DMA_FAULT_DELAY);
  expect_all_ok(&e);
  fault_report(&e);
  tb_blk_close(&e.k);
}

TB_TEST(fault_reorder, "completions of 60% of device reads due at their own time, passing "
                       "other reads' (split completions of one read stay in order): every "
                       "request OK, every byte right, no error") {
  fault_env_t e;
  fault_open(t, &e);
  e.plan.rule[COSIM_DMA_FAULT_REORDER].permille = 600;
  e.plan.reorder_span = 400;
  fault_plan_on(&e);
  run_rounds(&e, 5);
  expect_injected(&e, COSIM_DMA_FAULT_REORDER);
  expect_all_ok(&e);
  fault_report(&e);
  tb_blk_close(&e.k);
}

TB_TEST(fault_dup, "the last completion of 40% of device reads sent twice (the device drops "
                   "the unexpected copy): every request OK, every byte right, no error") {
  fault_env_t e;
  fault_open(t, &e);
  e.plan.rule[COSIM_DMA_FAULT_DUP].permille = 400;
  fault_plan_on(&e);
  run_rounds(&e, 5);
  expect_injected(&e, COSIM_DMA_FAULT_DUP);
  expect_all_ok(&e);
  fault_report(&e);
  tb_blk_close(&e.k);
}

TB_TEST(fault_storm, "TX backpressure storms and RX gap storms of 200..2000 cycles at seeded "
                     "moments: every request OK, every byte right, no error") {
  storms_on(t, 1500, 200, 2000);
  fault_env_t e;
  fault_open(t, &e);
  run_rounds(&e, 4);
  cosim_storm_stats_t ss;
  cosim_storm_stats(t->sim, &ss);
  TB_CHECK(t, ss.tx_storms > 0 && ss.rx_storms > 0, "storms TX %llu RX %llu",
           (unsigned long long)ss.tx_storms, (unsigned long long)ss.rx_storms);
  expect_all_ok(&e);
  fault_report(&e);
  tb_blk_close(&e.k);
}

TB_TEST(fault_benign_mix, "DELAY, REORDER and DUP together, with TX/RX storms: every request "
                          "OK, every byte right, no error") {
  storms_on(t, 4000, 200, 1200);
  fault_env_t e;
  fault_open(t, &e);
  e.plan.rule[COSIM_DMA_FAULT_DELAY].permille = 200;
  e.plan.delay_min = 20;
  e.plan.delay_max = 1500;
  e.plan.rule[COSIM_DMA_FAULT_REORDER].permille = 400;
  e.plan.reorder_span = 300;
  e.plan.rule[COSIM_DMA_FAULT_DUP].permille = 300;
  fault_plan_on(&e);
  run_rounds(&e, 4);
  for (unsigned k = COSIM_DMA_FAULT_DELAY; k <= COSIM_DMA_FAULT_DUP; k++) {
    expect_injected(&e, k);
  }
  expect_all_ok(&e);
  fault_report(&e);
  tb_blk_close(&e.k);
}

TB_TEST(fault_data_err, "UR, CA, poisoned and dropped completions on request headers and OUT "
                        "data: IOERR for exactly the requests whose reads failed, OK for the "
                        "rest, no DEVICE_NEEDS_RESET, the disk unchanged by a failed write") {
  fault_env_t e;
  fault_open(t, &e);
  for (unsigned k = COSIM_DMA_FAULT_UR; k <= COSIM_DMA_FAULT_POISON; k++) {
    e.plan.rule[k].permille = 25;
    e.where[k] = FAULT_AT_DATA;
  }
  /* Each dropped read costs the device's completion timeout (16384 cycles). */
  e.plan.rule[COSIM_DMA_FAULT_DROP].permille = 8;
  e.where[COSIM_DMA_FAULT_DROP] = FAULT_AT_DATA;
  fault_plan_on(&e);
  /* Until every error kind was met (a few rounds). */
  for (unsigned i = 0; i < 16 && (i < 3 || !all_errors_met(&e)); i++) {
    run_rounds(&e, 1);
  }
  for (unsigned k = COSIM_DMA_FAULT_UR; k <= COSIM_DMA_FAULT_DROP; k++) {
    expect_injected(&e, k);
  }
  TB_CHECK(t, e.ioerr > 0, "no request failed");
  TB_CHECK_EQ_CTX(t, e.needs_reset, 0, "DEVICE_NEEDS_RESET");
  TB_CHECK_EQ_CTX(t, e.ok + e.ioerr, e.requests, "requests OK or IOERR");
  fault_report(&e);
  tb_blk_close(&e.k);
}

TB_TEST(fault_ring_err, "UR, CA, poisoned and dropped completions on descriptor and avail ring "
                        "reads: DEVICE_NEEDS_RESET exactly when one failed, requests fetched "
                        "before finish correctly, the rest cancelled by the reset (writes old or "
                        "new), clean I/O after each reset") {
  fault_env_t e;
  fault_open(t, &e);
  for (unsigned k = COSIM_DMA_FAULT_UR; k <= COSIM_DMA_FAULT_POISON; k++) {
    e.plan.rule[k].permille = 2;
    e.where[k] = FAULT_AT_RING;
  }
  e.plan.rule[COSIM_DMA_FAULT_DROP].permille = 1;
  e.where[COSIM_DMA_FAULT_DROP] = FAULT_AT_RING;
  fault_plan_on(&e);
  for (unsigned i = 0; i < 12 && e.needs_reset < 2; i++) {
    run_rounds(&e, 1);
  }
  TB_CHECK(t, e.needs_reset > 0, "no ring read failed in %u rounds", e.rounds);
  TB_CHECK_EQ_CTX(t, e.ioerr, 0, "IOERR without a data fault");
  fault_report(&e);
  tb_blk_close(&e.k);
}

TB_TEST(fault_mix, "every fault kind on every device read at once, with TX/RX storms and "
                   "device resets at seeded moments: each request OK, IOERR or cancelled exactly "
                   "as its faults say, DEVICE_NEEDS_RESET exactly after a failed ring read, "
                   "nothing lost, nothing outside the firewall") {
  storms_on(t, 6000, 200, 800);
  fault_env_t e;
  fault_open(t, &e);
  for (unsigned k = COSIM_DMA_FAULT_UR; k <= COSIM_DMA_FAULT_POISON; k++) {
    e.plan.rule[k].permille = 2;
  }
  e.plan.rule[COSIM_DMA_FAULT_DROP].permille = 1;
  e.plan.rule[COSIM_DMA_FAULT_DELAY].permille = 150;
  e.plan.delay_min = 100;
  e.plan.delay_max = 1000;
  e.plan.rule[COSIM_DMA_FAULT_REORDER].permille = 300;
  e.plan.reorder_span = 200;
  e.plan.rule[COSIM_DMA_FAULT_DUP].permille = 200;
  fault_plan_on(&e);
  for (unsigned i = 0; i < 6; i++) {
    /* Every other round ends in a device reset at a seeded moment after a delayed read. */
    fault_round_opts_t o = {.nreq = 16u + tb_rand_below(&t->rng, FAULT_MAX_REQ - 15u)};
    if (i % 2) {
      o.reset_after_delay = 1u + tb_rand_below(&t->rng, 2);
      o.reset_wait = tb_rand_below(&t->rng, e.plan.delay_min);
    }
    fault_round(&e, &o);
  }
  fault_report(&e);
  tb_blk_close(&e.k);
}

TB_TEST(fault_reset_dma, "device reset (device_status 0) at a seeded moment while reads are "
                         "delayed in flight and writes wait at a slow backend: each request "
                         "completes once (OK and right, or cancelled; a cancelled write old or "
                         "new), no DMA after the reset, clean I/O after it") {
  cosim_cfg_t c = t->cfg;
  c.blk_latency = 100;
  c.blk_jitter = 3000;
  tb_reconfigure(t, &c);
  fault_env_t e;
  fault_open(t, &e);
  e.plan.rule[COSIM_DMA_FAULT_DELAY].permille = 500;
  e.plan.delay_min = 400;
  e.plan.delay_max = 1200;
  e.plan.rule[COSIM_DMA_FAULT_REORDER].permille = 200;
  e.plan.reorder_span = 100;
  e.plan.rule[COSIM_DMA_FAULT_DUP].permille = 200;
  fault_plan_on(&e);
  for (unsigned i = 0; i < 4; i++) {
    fault_round_opts_t o = {.nreq = 16u + tb_rand_below(&t->rng, FAULT_MAX_REQ - 15u),
                            .reset_after_delay = 1u + tb_rand_below(&t->rng, 12),
                            .reset_wait = tb_rand_below(&t->rng, 380)};
    fault_round(&e, &o);
    /* The device works again after each reset, under the same plan. */
    fault_round_opts_t clean = {.nreq = 8u + tb_rand_below(&t->rng, 9)};
    fault_round(&e, &clean);
  }
  TB_CHECK_EQ_CTX(t, e.resets, 4, "resets");
  TB_CHECK(t, e.cancelled > 0, "no request was in flight at any reset");
  TB_CHECK_EQ_CTX(t, e.ok + e.cancelled, e.requests, "requests OK or cancelled");
  fault_report(&e);
  tb_blk_close(&e.k);
}

TB_TEST(fault_plan_args, "the fault plan and storm settings the bus model refuses (-EINVAL): a "
                         "probability above 1000 per mille, more than 8 ranges, delay_min > "
                         "delay_max, DELAY without delay_max, REORDER without a span, a storm "
                         "with max 0 or min > max; a refused plan changes nothing") {
  cosim_fault_plan_t p;
  memset(&p, 0, sizeof p);
  TB_CHECK_EQ(t, cosim_set_fault_plan(t->sim, &p), 0);
  p.rule[COSIM_DMA_FAULT_UR].permille = 1001;
  TB_CHECK_EQ(t, cosim_set_fault_plan(t->sim, &p), (uint64_t)-EINVAL);
  memset(&p, 0, sizeof p);
  p.rule[COSIM_DMA_FAULT_DUP].nranges = COSIM_FAULT_RULE_RANGES + 1;
  TB_CHECK_EQ(t, cosim_set_fault_plan(t->sim, &p), (uint64_t)-EINVAL);
  memset(&p, 0, sizeof p);
  p.delay_min = 10;
  p.delay_max = 9;
  TB_CHECK_EQ(t, cosim_set_fault_plan(t->sim, &p), (uint64_t)-EINVAL);
  memset(&p, 0, sizeof p);
  p.rule[COSIM_DMA_FAULT_DELAY].permille = 1;
  TB_CHECK_EQ(t, cosim_set_fault_plan(t->sim, &p), (uint64_t)-EINVAL);
  memset(&p, 0, sizeof p);
  p.rule[COSIM_DMA_FAULT_REORDER].permille = 1;
  TB_CHECK_EQ(t, cosim_set_fault_plan(t->sim, &p), (uint64_t)-EINVAL);
  TB_CHECK_EQ(t, cosim_set_fault_plan(t->sim, NULL), 0);
  static const struct {
    unsigned gap, min, max;
  } bad[] = {{100, 0, 0}, {100, 50, 49}};
  for (unsigned i = 0; i < 2; i++) {
    for (int rx = 0; rx < 2; rx++) {
      cosim_cfg_t c = t->cfg;
      if (rx) {
        c.rx_storm_gap = bad[i].gap, c.rx_storm_min = bad[i].min, c.rx_storm_max = bad[i].max;
      } else {
        c.tx_storm_gap = bad[i].gap, c.tx_storm_min = bad[i].min, c.tx_storm_max = bad[i].max;
      }
      cosim_t *s = NULL;
      TB_CHECK_EQ_CTX(t, cosim_create(&c, &s), (uint64_t)-EINVAL, "storm %u (%s)", i,
                      rx ? "RX" : "TX");
      cosim_destroy(s);
    }
  }
  /* A plan that was refused is not half installed: no read meets a fault. */
  fault_env_t e;
  fault_open(t, &e);
  memset(&p, 0, sizeof p);
  p.rule[COSIM_DMA_FAULT_UR].permille = 1000;
  p.rule[COSIM_DMA_FAULT_REORDER].permille = 1;
  TB_CHECK_EQ(t, cosim_set_fault_plan(t->sim, &p), (uint64_t)-EINVAL);
  fault_round_opts_t o = {.nreq = 8};
  fault_round(&e, &o);
  expect_all_ok(&e);
  cosim_fault_stats_t st;
  cosim_fault_stats(t->sim, &st);
  TB_CHECK(t, st.reads > 0, "no device read counted");
  TB_CHECK_EQ(t, st.injected[COSIM_DMA_FAULT_UR], 0);
  tb_blk_close(&e.k);
}
