/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Well-framed but malformed requests from the host (PCIe: a malformed TLP is discarded, the
 * device must not act on it): a memory request crossing a 4 KiB boundary; Length 1 with Last BE
 * != 0; Length > 1 with First or Last BE 0; a configuration request with Length != 1. Each is
 * reported by the host-side checker, gets no completion (the root complex times out after a
 * short cfg.cpl_timeout), has no effect, and the device keeps working.
 */
#include <errno.h>
#include <string.h>

#include "tb.h"

#define V1 (1ull << VEP_F_VERSION_1)
/* Completion timeout for this test: far above the device's answer time, also under
 * backpressure, and short enough that a dozen timeouts cost little. */
#define MALFORMED_CPL_TIMEOUT 800u

static int error_mentions(tb_t *t, const char *text) {
  unsigned n = cosim_error_count(t->sim);
  for (unsigned i = 0; i < n; i++) {
    const char *e = cosim_error(t->sim, i);
    if (e && strstr(e, text)) return 1;
  }
  return 0;
}

/* Values the cases must not change (with the ISR, which must stay set). */
static const uint64_t k_desc = 0x1122334455667700ull;
static const uint32_t k_entry0 = 0xFEE01230u;

/* The device answers correctly, nothing above changed, no error is left over. */
static void check_unchanged(tb_t *t, const char *what) {
  TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, VEP_CFG_VENDOR_ID, 2), VEP_PCI_VENDOR_ID, "%s", what);
  TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, VEP_CFG_COMMAND, 2), VEP_CMD_MEM_EN | VEP_CMD_BUS_MASTER,
                  "%s: Command", what);
  TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_NUMQ), 2), t->cfg.params.NUM_QUEUES,
                  "%s", what);
  TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 8), k_desc,
                  "%s: queue_desc", what);
  TB_CHECK_EQ_CTX(t, tb_bar_rd(t, VEP_BAR_MSIX_TABLE_OFF, 4), k_entry0,
                  "%s: MSI-X entry 0 address", what);
  /* Status bit 3 shows the ISR without consuming it. */
  TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, VEP_CFG_STATUS, 2) & VEP_STS_INTX, VEP_STS_INTX,
                  "%s: the ISR was read (cleared)", what);
  TB_CHECK_EQ_CTX(t, cosim_error_count(t->sim), 0, "%s: errors after recovery", what);
}

/* Sends req; expects the checker's complaint `why` and, for a non-posted request, no
 * completion. */
static void send_bad(tb_t *t, const cosim_tlp_t *req, const char *why, const char *what) {
  cosim_tlp_t cpl;
  uint64_t tx = cosim_tlps_tx(t->sim);
  int rc = cosim_send_tlp(t->sim, req, &cpl);
  tb_check_diverged(t);
  if (cosim_tlp_is_posted(req->fmt_type)) {
    TB_CHECK_EQ_CTX(t, rc, 1, "%s: cosim_send_tlp", what);
    tb_run(t, TB_IRQ_WAIT_CYCLES);
  } else {
    TB_CHECK_EQ_CTX(t, (int64_t)rc, (int64_t)-ETIMEDOUT, "%s: answered (status %u)", what,
                    rc == 0 ? cpl.status : 0u);
    TB_CHECK(t, error_mentions(t, "completion timeout"), "%s: the timeout was not reported",
             what);
  }
  TB_CHECK_EQ_CTX(t, cosim_tlps_tx(t->sim), tx, "%s: the device sent something", what);
  TB_CHECK(t, error_mentions(t, why), "%s: the host-side checker did not report \"%s\"", what,
           why);
  cosim_clear_errors(t->sim);
  check_unchanged(t, what);
}

/* Sends raw DWs (for what cosim_tlp_encode refuses to build) and expects no answer. */
static void send_raw_bad(tb_t *t, const uint32_t *dws, size_t n, const char *what) {
  uint64_t tx = cosim_tlps_tx(t->sim);
  TB_CHECK_EQ_CTX(t, cosim_send_raw(t->sim, dws, n), 0, "%s", what);
  tb_run(t, TB_IRQ_WAIT_CYCLES);
  TB_CHECK_EQ_CTX(t, cosim_tlps_tx(t->sim), tx, "%s: the device answered", what);
  TB_CHECK(t, error_mentions(t, "host: malformed TLP"),
           "%s: not reported by the host-side checker", what);
  cosim_clear_errors(t->sim);
  check_unchanged(t, what);
}

TB_TEST(bad_malformed_requests,
        "Malformed requests are dropped, not executed: MRd/MWr/MRdLk crossing 4 KiB, Length 1 "
        "with Last BE != 0, Length 2 with First or Last BE 0, CfgRd/CfgWr (type 0 and 1) with "
        "Length 2 or with Last BE != 0: no completion (timeout), no effect (the ISR stays set, "
        "registers keep their values), reported by the host checker; the device keeps "
        "working") {
  cosim_cfg_t c = t->cfg;
  c.cpl_timeout = MALFORMED_CPL_TIMEOUT;
  tb_reconfigure(t, &c);
  tb_setup_bar0(t);
  tb_virtio_init(t, V1, 1);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, 0);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 8, k_desc);
  tb_bar_wr(t, VEP_BAR_MSIX_TABLE_OFF, 4, k_entry0);
  /* A configuration change sets the ISR, which the reads below must not clear. */
  uint64_t cap = tb_bar_rd(t, VEP_BAR_DEVICE_OFF + VEP_BLK_CFG_CAPACITY, 8);
  cosim_set_blk_capacity(t->sim, cap + 1);
  tb_run(t, TB_IRQ_WAIT_CYCLES);
  check_unchanged(t, "before the test");

  const uint64_t bar = t->bar0;
  const uint16_t bdf = TB_EP_BDF;
  cosim_tlp_t r;
  uint16_t tag = 0x80;

  /* Memory requests crossing a 4 KiB boundary: an MRd whose second DW is the ISR, an MWr
   * whose second DW is MSI-X entry 0's address. */
  cosim_tlp_mem(&r, 0, COSIM_RC_ID, tag++, bar + VEP_BAR_ISR_OFF - 4, 8, 0);
  send_bad(t, &r, "crosses a 4 KiB boundary", "MRd of 2 DW at ISR - 4");
  cosim_tlp_mem(&r, 1, COSIM_RC_ID, tag++, bar + VEP_BAR_MSIX_TABLE_OFF - 4, 8,
                0xDEAD0000ull << 32);
  send_bad(t, &r, "crosses a 4 KiB boundary", "MWr of 2 DW at MSI-X table - 4");
  cosim_tlp_mem(&r, 0, COSIM_RC_ID, tag++, bar + VEP_BAR_ISR_OFF - 4, 8, 0);
  r.fmt_type = VEP_TLP_MRDLK64;
  send_bad(t, &r, "crosses a 4 KiB boundary", "MRdLk of 2 DW at ISR - 4");

  /* Length 1 with Last BE != 0. */
  cosim_tlp_mem(&r, 0, COSIM_RC_ID, tag++, bar + VEP_BAR_ISR_OFF, 4, 0);
  r.last_be = 0xF;
  send_bad(t, &r, "Last DW BE not 0000 in a 1-DW request", "MRd of 1 DW, Last BE 1111");
  cosim_tlp_mem(&r, 0, COSIM_RC_ID, tag++, bar + VEP_BAR_ISR_OFF, 4, 0);
  r.fmt_type = VEP_TLP_MRDLK64;
  r.last_be = 0x1;
  send_bad(t, &r, "Last DW BE not 0000 in a 1-DW request", "MRdLk of 1 DW, Last BE 0001");
  cosim_tlp_mem(&r, 1, COSIM_RC_ID, tag++, bar + TB_COMMON(VEP_COMMON_Q_DESCLO), 4, 0xBADu);
  r.last_be = 0xF;
  send_bad(t, &r, "Last DW BE not 0000 in a 1-DW request", "MWr of 1 DW, Last BE 1111");

  /* Length 2 with First BE or Last BE 0. */
  cosim_tlp_mem(&r, 0, COSIM_RC_ID, tag++, bar + VEP_BAR_ISR_OFF, 8, 0);
  r.last_be = 0;
  send_bad(t, &r, "First or Last DW BE 0000", "MRd of 2 DW at the ISR, Last BE 0");
  cosim_tlp_mem(&r, 0, COSIM_RC_ID, tag++, bar + VEP_BAR_ISR_OFF, 8, 0);
  r.first_be = 0;
  send_bad(t, &r, "First or Last DW BE 0000", "MRd of 2 DW at the ISR, First BE 0");
  cosim_tlp_mem(&r, 1, COSIM_RC_ID, tag++, bar + TB_COMMON(VEP_COMMON_Q_DESCLO), 8, ~0ull);
  r.first_be = 0;
  send_bad(t, &r, "First or Last DW BE 0000", "MWr of 2 DW to queue_desc, First BE 0");
  cosim_tlp_mem(&r, 1, COSIM_RC_ID, tag++, bar + TB_COMMON(VEP_COMMON_Q_DESCLO), 8, ~0ull);
  r.last_be = 0;
  send_bad(t, &r, "First or Last DW BE 0000", "MWr of 2 DW to queue_desc, Last BE 0");

  /* Configuration requests with Last BE != 0 (Length 1). */
  cosim_tlp_cfg(&r, 0, COSIM_RC_ID, tag++, bdf, VEP_CFG_VENDOR_ID, 4, 0);
  r.last_be = 0xF;
  send_bad(t, &r, "Last DW BE not 0", "CfgRd0, Last BE 1111");
  cosim_tlp_cfg(&r, 1, COSIM_RC_ID, tag++, bdf, VEP_CFG_COMMAND, 2, 0);
  r.last_be = 0x3;
  send_bad(t, &r, "Last DW BE not 0", "CfgWr0 of Command = 0, Last BE 0011");

  /* Configuration requests with Length 2 (cosim_tlp_encode refuses them: raw DWs). Type 0 and
   * Type 1 alike; the CfgWr0 would clear Command. */
  const uint32_t dw1 = (uint32_t)COSIM_RC_ID << 16 | (uint32_t)tag << 8 | 0xFFu;
  const uint32_t dw2 = (uint32_t)bdf << 16;
  const uint32_t cfgrd0[] = {(uint32_t)VEP_TLP_CFGRD0 << 24 | 2u, dw1, dw2};
  send_raw_bad(t, cfgrd0, 3, "CfgRd0 of Length 2");
  const uint32_t cfgwr0[] = {(uint32_t)VEP_TLP_CFGWR0 << 24 | 2u, dw1, dw2 | VEP_CFG_COMMAND, 0,
                             0};
  send_raw_bad(t, cfgwr0, 5, "CfgWr0 of Length 2 to Command");
  const uint32_t cfgrd1[] = {(uint32_t)VEP_TLP_CFGRD1 << 24 | 2u, dw1, dw2};
  send_raw_bad(t, cfgrd1, 3, "CfgRd1 of Length 2");

  /* Well-formed, the same requests work: the ISR read returns and clears the event. */
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), VEP_ISR_CONFIG);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), 0);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 8, ~k_desc);
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 8), ~k_desc);
  TB_CHECK_EQ(t, cosim_error_count(t->sim), 0);
}
