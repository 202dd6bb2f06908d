/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Well-framed but malformed requests from the host (PCIe: a malformed TLP is discarded, the
 * device must not act on it): a memory request crossing a 4 KiB boundary (also with Length 0 =
 * 1024 DW); Length 1 with Last BE != 0; Length > 1 with First or Last BE 0; a configuration or
 * I/O request with Length != 1 or Last BE != 0. Each gets no completion (the root complex times
 * out after a short cfg.cpl_timeout), has no effect but one: it sets Device Status Fatal Error
 * Detected (RW1C; a Malformed TLP is a Fatal error, logged even with error reporting disabled),
 * and the device keeps working. Requests that end exactly at a 4 KiB boundary are not
 * malformed and are served; neither they, nor other well-formed traffic, nor a UR set FED.
 */
#include <errno.h>
#include <string.h>

#include "tb.h"

#define PCIE(reg) (VEP_CAP_PCIE_OFF + (reg))
/* Device Status bit 2, Fatal Error Detected (RW1C), as the PCIe Base Specification places it. */
#define DEVSTA_FED VEP_PCIE_DEVSTA_FED

#define V1 (1ull << VEP_F_VERSION_1)
/* Completion timeout for this test: far above the device's answer time, also under
 * backpressure, and short enough that a dozen timeouts cost little. */
#define MALFORMED_CPL_TIMEOUT 800u

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

static uint32_t devsta(tb_t *t) { return tb_cfg_rd(t, PCIE(VEP_PCIE_DEVSTA), 2); }

/* Before a malformed request: Device Status is clean (no FED left by the previous case or set
 * by the well-formed traffic since). */
static void fed_before(tb_t *t, const char *what) {
  TB_CHECK_EQ_CTX(t, devsta(t), 0, "%s: Device Status before", what);
}

/* After it: FED, and only FED (a dropped request is no UR), survives writes of 0, clears on 1. */
static void fed_after(tb_t *t, const char *what) {
  TB_CHECK_EQ_CTX(t, devsta(t), DEVSTA_FED, "%s: Device Status after (FED expected)", what);
  tb_cfg_wr(t, PCIE(VEP_PCIE_DEVSTA), 2, (uint16_t)~DEVSTA_FED);
  TB_CHECK_EQ_CTX(t, devsta(t), DEVSTA_FED, "%s: FED cleared by writing 0 to it", what);
  tb_cfg_wr(t, PCIE(VEP_PCIE_DEVSTA), 2, DEVSTA_FED);
  TB_CHECK_EQ_CTX(t, devsta(t), 0, "%s: FED not cleared by writing 1", what);
}

/* Sends req; expects the checker's complaint `why` (unless NULL: a rule the host-side checker
 * does not know) and, for a non-posted request, no completion. */
static void send_bad(tb_t *t, const cosim_tlp_t *req, const char *why, const char *what) {
  cosim_tlp_t cpl;
  fed_before(t, what);
  uint64_t tx = cosim_tlps_tx(t->sim);
  int rc = cosim_send_tlp(t->sim, req, &cpl);
  tb_check_diverged(t);
  if (cosim_tlp_is_posted(req->fmt_type)) {
    TB_CHECK_EQ_CTX(t, rc, 1, "%s: cosim_send_tlp", what);
    tb_run(t, TB_IRQ_WAIT_CYCLES);
  } else {
    TB_CHECK_EQ_CTX(t, (int64_t)rc, (int64_t)-ETIMEDOUT, "%s: answered (status %u)", what,
                    rc == 0 ? cpl.status : 0u);
    TB_CHECK(t, tb_error_mentions(t, "completion timeout"), "%s: the timeout was not reported",
             what);
  }
  TB_CHECK_EQ_CTX(t, cosim_tlps_tx(t->sim), tx, "%s: the device sent something", what);
  if (why)
    TB_CHECK(t, tb_error_mentions(t, why), "%s: the host-side checker did not report \"%s\"", what,
             why);
  cosim_clear_errors(t->sim);
  fed_after(t, what);
  check_unchanged(t, what);
}

/* Sends raw DWs (for what cosim_tlp_encode refuses to build) and expects no answer. */
static void send_raw_bad(tb_t *t, const uint32_t *dws, size_t n, const char *what) {
  fed_before(t, what);
  uint64_t tx = cosim_tlps_tx(t->sim);
  TB_CHECK_EQ_CTX(t, cosim_send_raw(t->sim, dws, n), 0, "%s", what);
  tb_run(t, TB_IRQ_WAIT_CYCLES);
  TB_CHECK_EQ_CTX(t, cosim_tlps_tx(t->sim), tx, "%s: the device answered", what);
  TB_CHECK(t, tb_error_mentions(t, "host: malformed TLP"),
           "%s: not reported by the host-side checker", what);
  cosim_clear_errors(t->sim);
  fed_after(t, what);
  check_unchanged(t, what);
}

/* A well-formed request that ends exactly at a 4 KiB boundary: served (SC, Length DWs of data
 * for a read), reported by nobody, FED (and Device Status) stays 0. */
static void send_page_end(tb_t *t, const cosim_tlp_t *req, const char *what) {
  cosim_tlp_t cpl;
  if (cosim_tlp_is_posted(req->fmt_type)) {
    TB_CHECK_EQ_CTX(t, cosim_send_tlp(t->sim, req, &cpl), 1, "%s", what);
    tb_run(t, TB_IRQ_WAIT_CYCLES);
  } else {
    TB_CHECK_EQ_CTX(t, tb_send_tlp(t, req, &cpl), 0, "%s", what);
    TB_CHECK_EQ_CTX(t, cpl.status, VEP_CPL_SC, "%s: completion status", what);
    TB_CHECK_EQ_CTX(t, cpl.ndata, req->len_dw, "%s: DWs of data", what);
  }
  tb_check_diverged(t);
  TB_CHECK_EQ_CTX(t, cosim_error_count(t->sim), 0, "%s: errors", what);
  TB_CHECK_EQ_CTX(t, devsta(t), 0, "%s: Device Status (FED set by a well-formed request)", what);
}

TB_TEST(bad_malformed_requests,
        "Malformed requests are dropped, not executed: MRd/MWr/MRdLk crossing 4 KiB (also an "
        "MRd of Length 0 = 1024 DW), Length 1 with Last BE != 0, Length 2 with First or Last BE "
        "0, CfgRd/CfgWr (type 0 and 1) and IORd/IOWr with Length 2 or with Last BE != 0: no "
        "completion (timeout), no effect (the ISR stays set, registers keep their values) but "
        "Device Status FED set (RW1C: survives 0, clears on 1); the device keeps working. "
        "Requests ending exactly at 4 KiB are served; FED is not set by well-formed traffic or "
        "by a UR") {
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
  /* The bring-up above is well-formed traffic: Device Status is clean. */
  TB_CHECK_EQ(t, devsta(t), 0);

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
  /* Length field 0 = 1024 DW: from DW 1 of a page it ends one DW into the next page. */
  cosim_tlp_mem(&r, 0, COSIM_RC_ID, tag++, bar + 4, 4, 0);
  r.len_dw = 1024;
  r.last_be = 0xF;
  send_bad(t, &r, "crosses a 4 KiB boundary", "MRd of Length 0 (1024 DW) at BAR0 + 4");

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

  /* I/O requests (the endpoint has no I/O space: well-formed, they are answered UR) with Last
   * BE != 0, and with Length 2 (raw DWs again). */
  const uint32_t io_addr = 0x1000u;
  cosim_tlp_mem(&r, 0, COSIM_RC_ID, tag++, io_addr, 4, 0);
  r.fmt_type = VEP_TLP_IORD;
  r.last_be = 0xF;
  send_bad(t, &r, NULL, "IORd, Last BE 1111");
  cosim_tlp_mem(&r, 1, COSIM_RC_ID, tag++, io_addr, 4, 0x12345678u);
  r.fmt_type = VEP_TLP_IOWR;
  r.last_be = 0x1;
  send_bad(t, &r, NULL, "IOWr, Last BE 0001");
  const uint32_t dw1_io = (uint32_t)COSIM_RC_ID << 16 | (uint32_t)tag++ << 8 | 0xFFu;
  const uint32_t iord[] = {(uint32_t)VEP_TLP_IORD << 24 | 2u, dw1_io, io_addr};
  send_raw_bad(t, iord, 3, "IORd of Length 2");
  const uint32_t iowr[] = {(uint32_t)VEP_TLP_IOWR << 24 | 2u, dw1_io, io_addr, 1, 2};
  send_raw_bad(t, iowr, 5, "IOWr of Length 2");

  /* A UR is no malformed TLP: the well-formed IORd is answered UR, sets URD, not FED. */
  {
    cosim_tlp_t cpl;
    cosim_tlp_mem(&r, 0, COSIM_RC_ID, tag++, io_addr, 4, 0);
    r.fmt_type = VEP_TLP_IORD;
    TB_CHECK_EQ(t, tb_send_tlp(t, &r, &cpl), 0);
    TB_CHECK_EQ(t, cpl.status, VEP_CPL_UR);
    TB_CHECK_EQ(t, devsta(t), VEP_PCIE_DEVSTA_URD);
    tb_cfg_wr(t, PCIE(VEP_PCIE_DEVSTA), 2, VEP_PCIE_DEVSTA_URD);
    TB_CHECK_EQ(t, devsta(t), 0);
  }

  /* Ending exactly at a 4 KiB boundary is not crossing it: served (the offsets read 0). */
  cosim_tlp_mem(&r, 0, COSIM_RC_ID, tag++, bar + 0xFFC, 4, 0);
  send_page_end(t, &r, "MRd of 1 DW at BAR0 + 0xFFC");
  cosim_tlp_mem(&r, 0, COSIM_RC_ID, tag++, bar + 0xFF8, 8, 0);
  send_page_end(t, &r, "MRd of 2 DW at BAR0 + 0xFF8");
  cosim_tlp_mem(&r, 1, COSIM_RC_ID, tag++, bar + VEP_BAR_ISR_OFF - 8, 8, 0);
  send_page_end(t, &r, "MWr of 2 DW at ISR - 8");

  /* Well-formed, the same requests work: the ISR read returns and clears the event. */
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), VEP_ISR_CONFIG);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_ISR_OFF, 1), 0);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 8, ~k_desc);
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 8), ~k_desc);
  TB_CHECK_EQ(t, cosim_error_count(t->sim), 0);
}
