/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The root complex's completion timeout runs from the delivery of a request to the device, not
 * from its queueing: a read that waits behind posted writes is not timed out for that wait. And a
 * device that never takes a request (its RX stream refusing every beat offered) still cannot make
 * a synchronous access wait forever: the wait ends once it refused for cpl_timeout cycles.
 */
#include <errno.h>
#include <string.h>

#include "cosim.h"
#include "intx/tb_tap.h"
#include "tb.h"
#include "vep_consts.h"

static const uint16_t ep_bdf = (uint16_t)(COSIM_EP_BUS << 8);

TB_TEST(bad_rx_queued_read, "A read queued behind posted writes and 99% RX gaps for longer than "
                            "cpl_timeout is not timed out: the timer starts at delivery") {
  cosim_cfg_t cfg = t->cfg;
  cfg.cpl_timeout = 2000;
  cfg.rx_gap_pct = 99;
  tb_reconfigure(t, &cfg);
  tb_setup_bar0(t);
  /* 64 harmless posted writes (queue_select) ahead of the read: about 190 beats, each waiting
   * about 100 cycles for its gap to close. */
  for (unsigned i = 0; i < 64; i++)
    TB_CHECK_EQ(t, cosim_mem_write(t->sim, TB_BAR0_ADDR + VEP_BAR_COMMON_OFF + VEP_COMMON_Q_SELECT,
                                   2, i % t->cfg.params.NUM_QUEUES), 0);
  uint64_t c0 = cosim_cycles(t->sim);
  uint32_t v = 0;
  unsigned st = 0xFF;
  TB_CHECK_EQ(t, cosim_cfg_read(t->sim, ep_bdf, VEP_CFG_VENDOR_ID, 2, &v, &st), 0);
  uint64_t waited = cosim_cycles(t->sim) - c0;
  TB_CHECK_EQ(t, st, VEP_CPL_SC);
  TB_CHECK_EQ(t, v, VEP_PCI_VENDOR_ID);
  /* The scenario needs the read to have waited longer than the timeout, else it tests nothing. */
  TB_CHECK(t, waited > cfg.cpl_timeout, "the read waited only %llu cycles (timeout %u)",
           (unsigned long long)waited, cfg.cpl_timeout);
}

TB_TEST(bad_rx_held, "A device that never takes a request (TX held, so its RX stalls): each "
                     "synchronous read returns -ETIMEDOUT within two timeouts, "
                     "the last one reported as not accepted; no hang, and the device works after") {
  cosim_cfg_t cfg = t->cfg;
  cfg.cpl_timeout = 500;
  tb_reconfigure(t, &cfg);
  tb_tap_t *tp = tb_tap_install(t);
  tb_tap_hold(tp, 1);
  const uint64_t limit = 2u * (uint64_t)cfg.cpl_timeout + cfg.link_latency_rx +
                         cfg.link_latency_tx + 64u;
  int not_accepted = 0;
  /* The first reads are taken (their completions stay in the held TX path); once the endpoint's
   * request path is full, the next one is never taken. */
  for (unsigned i = 0; i < 6 && !not_accepted; i++) {
    uint64_t c0 = cosim_cycles(t->sim);
    uint32_t v = 0;
    int rc = cosim_cfg_read(t->sim, ep_bdf, VEP_CFG_VENDOR_ID, 2, &v, NULL);
    uint64_t elapsed = cosim_cycles(t->sim) - c0;
    TB_CHECK_EQ_CTX(t, rc, -ETIMEDOUT, "read %u", i);
    TB_CHECK(t, elapsed <= limit, "read %u returned after %llu cycles, limit %llu", i,
             (unsigned long long)elapsed, (unsigned long long)limit);
    not_accepted = tb_error_mentions(t, "did not accept");
  }
  TB_CHECK(t, not_accepted, "no read was reported as not accepted by the device");
  TB_CHECK(t, tb_error_mentions(t, "completion timeout"), "the taken reads were not timed out");
  /* Released, the endpoint sends the completions the root complex already gave up on: those are
   * reported as unexpected, which is right; consume them, then the device must work again. */
  tb_tap_hold(tp, 0);
  tb_tap_run(t, tp, 2000);
  TB_CHECK(t, tb_error_mentions(t, "unexpected completion"),
           "the late completions were not reported as unexpected");
  cosim_clear_errors(t->sim);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_VENDOR_ID, 2), VEP_PCI_VENDOR_ID);
  tb_setup_bar0(t);
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_NUMQ), 2), t->cfg.params.NUM_QUEUES);
}
