/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bad input from the host: malformed TLPs are reported by the host-side checker and dropped by
 * the device, which keeps working; a non-posted request the device drops makes the root complex
 * time out after cpl_timeout cycles instead of hanging.
 */
#include <errno.h>
#include <string.h>

#include "tb.h"

/* Whether one of the recorded errors contains text. */
TB_TEST(bad_malformed_tlp, "Malformed TLPs from the host (payload DW missing or extra, Fmt 100, "
                           "an MRd with an extra DW, undefined Fmt/Type combinations): reported by the host checker, dropped by "
                           "the device (no write, no completion), which keeps working") {
  tb_setup_bar0(t);
  const unsigned target = TB_COMMON(VEP_COMMON_Q_DESCLO);
  const uint64_t known = 0x8877665544332211ull;
  tb_bar_wr(t, target, 8, known);
  TB_REQUIRE(t, cosim_error_count(t->sim) == 0, "errors before the test began");

  cosim_tlp_t good;
  uint32_t dws[16];
  const char *why = NULL;
  cosim_tlp_mem(&good, 1, COSIM_RC_ID, 0, TB_BAR0_ADDR + target, 8, 0xDEADBEEFCAFEF00Dull);
  int n = cosim_tlp_encode(&good, dws, 15, &why);
  TB_REQUIRE(t, n == 6, "MWr64 of 2 DW encodes to %d DWs (%s)", n, why ? why : "");
  cosim_tlp_t rd;
  uint32_t rdws[8];
  cosim_tlp_mem(&rd, 0, COSIM_RC_ID, 0x33, TB_BAR0_ADDR + target, 4, 0);
  int nr = cosim_tlp_encode(&rd, rdws, 7, &why);
  TB_REQUIRE(t, nr == 4, "MRd64 encodes to %d DWs", nr);

  struct {
    const char *what;
    const uint32_t *dws;
    size_t n;
    uint32_t dw0;   /* replaces DW0 when not 0 */
  } cases[] = {
      {"MWr64 Length 2 with one payload DW", dws, 5, 0},
      {"MWr64 Length 2 with three payload DWs", dws, 7, 0},
      {"Fmt 100 (a TLP prefix) on an MWr", dws, 6, (dws[0] & 0x1FFFFFFFu) | 0x80000000u},
      {"MRd64 with one DW too many", rdws, 5, 0},
      {"MRd64 missing its last address DW", rdws, 3, 0},
      /* Fmt/Type combinations PCIe does not define: malformed, not a UR. */
      {"undefined Type 00011", rdws, 4, (rdws[0] & 0x00FFFFFFu) | 0x23000000u},
      {"FetchAdd (Type 01100) without data", rdws, 4, (rdws[0] & 0x00FFFFFFu) | 0x2C000000u},
      {"MRdLk with data (Fmt 011)", dws, 6, (dws[0] & 0x00FFFFFFu) | 0x61000000u},
      {"CfgRd0 with a 4DW header", rdws, 4, (rdws[0] & 0x00FFFFFFu) | 0x24000000u},
      {"message with a 3DW header", rdws, 3, (rdws[0] & 0x00FFFFFFu) | 0x10000000u},
      {"TCfgRd (Type 11011, deprecated)", rdws, 4, (rdws[0] & 0x00FFFFFFu) | 0x3B000000u},
  };
  dws[6] = 0x12345678u;  /* the extra DW of case 2 */
  rdws[4] = 0x9ABCDEF0u;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint32_t raw[16];
    memcpy(raw, cases[i].dws, cases[i].n * sizeof raw[0]);
    if (cases[i].dw0) raw[0] = cases[i].dw0;
    uint64_t tx = cosim_tlps_tx(t->sim);
    TB_CHECK_EQ_CTX(t, cosim_send_raw(t->sim, raw, cases[i].n), 0, "%s", cases[i].what);
    tb_run(t, TB_IRQ_WAIT_CYCLES);
    TB_CHECK(t, tb_error_mentions(t, "host: malformed TLP"),
             "%s: not reported by the host-side checker", cases[i].what);
    TB_CHECK_EQ_CTX(t, cosim_tlps_tx(t->sim), tx, "%s: the device answered", cases[i].what);
    /* Consumed on purpose: these errors are the test's stimulus. */
    cosim_clear_errors(t->sim);
    /* Dropped: nothing written; and the device still answers, correctly. */
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, target, 8), known, "%s", cases[i].what);
    TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, VEP_CFG_VENDOR_ID, 2), VEP_PCI_VENDOR_ID, "%s",
                    cases[i].what);
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_NUMQ), 2), t->cfg.params.NUM_QUEUES,
                    "%s", cases[i].what);
    TB_CHECK_EQ_CTX(t, cosim_error_count(t->sim), 0, "%s: errors after recovery", cases[i].what);
  }
  /* The well-formed versions of the same TLPs do work (the stimulus targets a real register). */
  TB_CHECK_EQ(t, cosim_send_raw(t->sim, dws, 6), 0);
  TB_CHECK_EQ(t, tb_bar_rd(t, target, 8), 0xDEADBEEFCAFEF00Dull);
}

TB_TEST(bad_cpl_timeout, "A non-posted request the device drops (TD=1 without its digest): "
                         "-ETIMEDOUT after cfg.cpl_timeout cycles, reported, no hang; the tag "
                         "and the device work afterwards") {
  tb_setup_bar0(t);
  cosim_tlp_t req, cpl;
  cosim_tlp_mem(&req, 0, COSIM_RC_ID, 0x5A, TB_BAR0_ADDR + TB_COMMON(VEP_COMMON_NUMQ), 2, 0);
  req.td = 1;  /* promises a digest DW that is not there: malformed, the device drops it */
  uint64_t c0 = cosim_cycles(t->sim);
  int rc = cosim_send_tlp(t->sim, &req, &cpl);
  uint64_t elapsed = cosim_cycles(t->sim) - c0;
  tb_check_diverged(t);
  TB_REQUIRE(t, rc != -EINVAL,
             "cosim_send_tlp refused the TD=1 request (-EINVAL: cosim_tlp_encode rejects TD=1), "
             "so no dropped non-posted request can be provoked; cosim.h promises that "
             "cosim_send_tlp sends any TLP unchecked");
  TB_CHECK_EQ(t, rc, -ETIMEDOUT);
  const uint64_t timeout = t->cfg.cpl_timeout;
  const uint64_t slack = (uint64_t)t->cfg.link_latency_rx + t->cfg.link_latency_tx + 64u;
  TB_CHECK(t, elapsed >= timeout && elapsed <= timeout + slack,
           "returned after %llu cycles, expected %llu..%llu", (unsigned long long)elapsed,
           (unsigned long long)timeout, (unsigned long long)(timeout + slack));
  TB_CHECK(t, tb_error_mentions(t, "completion timeout"), "the timeout was not reported");
  TB_CHECK(t, tb_error_mentions(t, "host: malformed TLP"), "the malformed TLP was not reported");
  cosim_clear_errors(t->sim);
  /* No late completion turns up, the same tag works, and so does the device. */
  tb_run(t, 1000);
  TB_CHECK_EQ(t, cosim_error_count(t->sim), 0);
  req.td = 0;
  TB_CHECK_EQ(t, tb_send_tlp(t, &req, &cpl), 0);
  TB_CHECK_EQ(t, cpl.status, VEP_CPL_SC);
  TB_CHECK_EQ(t, (cpl.data[0] >> 16) & 0xFFFFu, t->cfg.params.NUM_QUEUES);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_VENDOR_ID, 2), VEP_PCI_VENDOR_ID);
}
