/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The completer, through TLPs the tests build field by field (cosim_send_tlp): unsupported
 * requests (UR), Completer Abort for reads longer than the register path takes, posted writes
 * that hit nothing, and the fields of every completion: Completer ID, Requester ID, tag, Byte
 * Count, Lower Address.
 */
#include <string.h>

#include "tb.h"

#define PCIE(reg) (VEP_CAP_PCIE_OFF + (reg))
#define REQ_ID 0x0010u   /* a requester other than the root complex's own ID */

/* Bytes a memory read asks for and the offset of its first byte (PCIe Byte Count rules). */
static unsigned req_bytes(unsigned len, unsigned fbe, unsigned lbe, unsigned *first) {
  unsigned lo = 0, hi = 3;
  while (lo < 4 && !(fbe >> lo & 1u)) lo++;
  if (len == 1) {
    if (!fbe) {
      *first = 0;
      return 1;  /* a zero-length read is answered as one byte */
    }
    while (!(fbe >> hi & 1u)) hi--;
    *first = lo;
    return hi - lo + 1;
  }
  while (!(lbe >> hi & 1u)) hi--;
  *first = lo;
  return 4 * len - lo - (3 - hi);
}

static void urd_clear(tb_t *t) { tb_cfg_wr(t, PCIE(VEP_PCIE_DEVSTA), 2, VEP_PCIE_DEVSTA_URD); }
static unsigned urd(tb_t *t) {
  return tb_cfg_rd(t, PCIE(VEP_PCIE_DEVSTA), 2) & VEP_PCIE_DEVSTA_URD;
}

/* The endpoint's Completer ID once tb_setup_bar0 configured it at TB_EP_BDF (function 0). */
#define EP_CPL_ID (TB_EP_BDF & 0xFFF8u)

/* Sends req and checks an error completion with everything echoed. */
static void expect_error(tb_t *t, const cosim_tlp_t *req, unsigned status, unsigned bc,
                         unsigned la, const char *what) {
  cosim_tlp_t cpl;
  memset(&cpl, 0, sizeof cpl);
  int rc = tb_send_tlp(t, req, &cpl);
  if (!TB_CHECK_EQ_CTX(t, rc, 0, "%s: no completion", what)) return;
  uint8_t want_type = cosim_tlp_kind(req->fmt_type) == COSIM_TLP_KIND_MRDLK ? VEP_TLP_CPLLK
                                                                             : VEP_TLP_CPL;
  TB_CHECK_EQ_CTX(t, cpl.fmt_type, want_type, "%s: completion type", what);
  TB_CHECK_EQ_CTX(t, cpl.status, status, "%s: status", what);
  TB_CHECK_EQ_CTX(t, cpl.req_id, req->req_id, "%s: Requester ID", what);
  TB_CHECK_EQ_CTX(t, cpl.tag, req->tag, "%s: tag", what);
  TB_CHECK_EQ_CTX(t, cpl.cpl_id, EP_CPL_ID, "%s: Completer ID", what);
  TB_CHECK_EQ_CTX(t, cpl.byte_count, bc, "%s: Byte Count", what);
  TB_CHECK_EQ_CTX(t, cpl.lower_addr, la, "%s: Lower Address", what);
  TB_CHECK_EQ_CTX(t, cpl.ndata, 0, "%s: payload", what);
  TB_CHECK_EQ_CTX(t, cpl.tc, req->tc, "%s: TC", what);
  TB_CHECK_EQ_CTX(t, cpl.attr, req->attr, "%s: Attr", what);
}

static void mem_req(cosim_tlp_t *r, uint8_t fmt_type, uint16_t tag, uint64_t addr, unsigned len,
                    unsigned fbe, unsigned lbe) {
  memset(r, 0, offsetof(cosim_tlp_t, data));
  r->fmt_type = fmt_type;
  r->req_id = REQ_ID;
  r->tag = tag;
  r->addr = addr;
  r->len_dw = (uint16_t)len;
  r->first_be = (uint8_t)fbe;
  r->last_be = (uint8_t)lbe;
  if (cosim_tlp_has_data(fmt_type)) {
    r->ndata = len;
    for (unsigned i = 0; i < len; i++) r->data[i] = 0xC0DE0000u + i;
  }
}

TB_TEST(completer_ur, "UR completions (status, Byte Count, Lower Address, tag, Requester and "
                      "Completer ID) for IORd, IOWr, MRdLk, CfgRd1, CfgRd0/CfgWr0 to function "
                      "1, atomics, MRd outside BAR0 and with Memory Space off; each sets URD") {
  tb_setup_bar0(t);
  tb_rng_t *r = &t->rng;
  cosim_tlp_t req;
  const uint64_t in_bar = TB_BAR0_ADDR + TB_COMMON(VEP_COMMON_Q_DESCLO);
  /* Something to verify that nothing was written by the UR'd writes. */
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 8, 0x1122334455667788ull);
  uint32_t int_line = tb_cfg_rd(t, VEP_CFG_INT_LINE, 1);

  for (int round = 0; round < 2; round++) {
    uint16_t tag = (uint16_t)tb_rand_below(r, 256);
    char what[64];
#define NEXT(name) (snprintf(what, sizeof what, "%s (tag 0x%02x)", name, tag), urd_clear(t))
#define AFTER() TB_CHECK_EQ_CTX(t, urd(t), VEP_PCIE_DEVSTA_URD, "URD after %s", what), tag++

    NEXT("IORd");
    mem_req(&req, VEP_TLP_IORD, tag, 0x1000u, 1, 0xF, 0);
    expect_error(t, &req, VEP_CPL_UR, 4, 0, what);
    AFTER();

    NEXT("IOWr");
    mem_req(&req, VEP_TLP_IOWR, tag, 0x1000u, 1, 0x3, 0);
    expect_error(t, &req, VEP_CPL_UR, 4, 0, what);
    AFTER();

    NEXT("MRdLk64 in BAR0");
    mem_req(&req, VEP_TLP_MRDLK64, tag, in_bar, 1, 0xF, 0);
    expect_error(t, &req, VEP_CPL_UR, 4, (unsigned)(in_bar & 0x7C), what);
    AFTER();

    NEXT("CfgRd1");
    cosim_tlp_cfg(&req, 0, REQ_ID, tag, VDRV_BDF(COSIM_EP_BUS + 1, 0, 0), 0, 4, 0);
    req.fmt_type = VEP_TLP_CFGRD1;
    expect_error(t, &req, VEP_CPL_UR, 4, 0, what);
    AFTER();

    NEXT("CfgRd0 function 1");
    cosim_tlp_cfg(&req, 0, REQ_ID, tag, VDRV_BDF(COSIM_EP_BUS, 0, 1), 0, 4, 0);
    expect_error(t, &req, VEP_CPL_UR, 4, 0, what);
    AFTER();

    NEXT("CfgWr0 function 7");
    cosim_tlp_cfg(&req, 1, REQ_ID, tag, VDRV_BDF(COSIM_EP_BUS, 0, 7), VEP_CFG_INT_LINE, 1, 0x5A);
    expect_error(t, &req, VEP_CPL_UR, 4, 0, what);
    AFTER();

    NEXT("FetchAdd64 in BAR0");
    mem_req(&req, 0x6C, tag, in_bar, 1, 0xF, 0);
    expect_error(t, &req, VEP_CPL_UR, 4, 0, what);
    AFTER();

    NEXT("CAS64 in BAR0");
    mem_req(&req, 0x6E, tag, in_bar, 2, 0xF, 0xF);
    expect_error(t, &req, VEP_CPL_UR, 4, 0, what);
    AFTER();

    /* An AtomicOp's completion counts its operand size (PCIe 2.2.9), error or not: 8 bytes for
     * a 64-bit FetchAdd, and for a CAS whose two 64-bit operands fill 4 DWs. */
    NEXT("FetchAdd64 with an 8-byte operand");
    mem_req(&req, 0x6C, tag, in_bar, 2, 0xF, 0xF);
    expect_error(t, &req, VEP_CPL_UR, 8, 0, what);
    AFTER();

    NEXT("CAS64 with 8-byte operands");
    mem_req(&req, 0x6E, tag, in_bar, 4, 0xF, 0xF);
    expect_error(t, &req, VEP_CPL_UR, 8, 0, what);
    AFTER();

    /* Memory reads that hit no BAR, each BE pattern answered with its own Byte Count. */
    static const uint64_t outside[] = {TB_BAR0_ADDR - 8, TB_BAR0_ADDR + VEP_BAR0_SIZE,
                                       TB_BAR0_ADDR + 0x10000u + 0x24u};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
      unsigned len = 1 + tb_rand_below(r, 2);
      unsigned fbe = 1 + tb_rand_below(r, 15), lbe = len > 1 ? 1 + tb_rand_below(r, 15) : 0;
      if (len == 2 && (outside[i] & 7)) fbe = 0xF, lbe = 0xF;  /* contiguous when not QW aligned */
      unsigned first, bc = req_bytes(len, fbe, lbe, &first);
      NEXT("MRd64 outside BAR0");
      mem_req(&req, VEP_TLP_MRD64, tag, outside[i], len, fbe, lbe);
      expect_error(t, &req, VEP_CPL_UR, bc, (unsigned)(outside[i] & 0x7C) | first, what);
      AFTER();
    }
    NEXT("MRd64 with Memory Space off");
    tb_cfg_wr(t, VEP_CFG_COMMAND, 2, VEP_CMD_BUS_MASTER);
    mem_req(&req, VEP_TLP_MRD64, tag, in_bar, 1, 0x6, 0);
    expect_error(t, &req, VEP_CPL_UR, 2, (unsigned)(in_bar & 0x7C) | 1u, what);
    AFTER();
    tb_cfg_wr(t, VEP_CFG_COMMAND, 2, VEP_CMD_MEM_EN | VEP_CMD_BUS_MASTER);
#undef NEXT
#undef AFTER
  }
  /* None of the UR'd writes landed. */
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 8), 0x1122334455667788ull);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_INT_LINE, 1), int_line);
  /* Signaled Target Abort is for CA only. */
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_STATUS, 2) & VEP_STS_SIG_TGT_ABORT, 0);
}

TB_TEST(completer_ca, "MRd of 3 or more DW inside BAR0: Completer Abort (fields echoed), "
                      "Status Signaled Target Abort set, RW1C; the device keeps working") {
  tb_setup_bar0(t);
  cosim_tlp_t req;
  static const unsigned lens[] = {3, 4, 16, 64};
  for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
    uint64_t addr = TB_BAR0_ADDR + TB_COMMON(VEP_COMMON_Q_DESCLO) - 4 * (i & 1);
    char what[32];
    snprintf(what, sizeof what, "MRd64 of %u DW", lens[i]);
    tb_cfg_wr(t, VEP_CFG_STATUS, 2, VEP_STS_SIG_TGT_ABORT);
    TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_STATUS, 2) & VEP_STS_SIG_TGT_ABORT, 0);
    mem_req(&req, VEP_TLP_MRD64, (uint16_t)(0x40 + i), addr, lens[i], 0xE, 0x7);
    expect_error(t, &req, VEP_CPL_CA, 4 * lens[i] - 2, (unsigned)(addr & 0x7C) | 1u, what);
    uint32_t st = tb_cfg_rd(t, VEP_CFG_STATUS, 2);
    TB_CHECK(t, st & VEP_STS_SIG_TGT_ABORT, "%s: Status 0x%04x lacks Signaled Target Abort", what,
             st);
    /* Writing 0 keeps it; writing the bit clears it, nothing else changes. */
    tb_cfg_wr(t, VEP_CFG_STATUS, 2, 0);
    TB_CHECK(t, tb_cfg_rd(t, VEP_CFG_STATUS, 2) & VEP_STS_SIG_TGT_ABORT, "%s: cleared by 0", what);
    tb_cfg_wr(t, VEP_CFG_STATUS, 2, VEP_STS_SIG_TGT_ABORT);
    TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_STATUS, 2), VEP_STS_CAP_LIST);
    TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_COMMAND, 2), VEP_CMD_MEM_EN | VEP_CMD_BUS_MASTER);
  }
  /* A CA is not a UR. */
  TB_CHECK_EQ(t, urd(t), 0);
  /* Still serves 1- and 2-DW reads. */
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_NUMQ), 2), t->cfg.params.NUM_QUEUES);
}

TB_TEST(completer_posted_drop, "Posted MWr outside BAR0, with Memory Space off, or longer than "
                               "2 DW: dropped, no completion, no register changes; logged as "
                               "URD") {
  tb_setup_bar0(t);
  cosim_tlp_t req;
  const uint64_t target = TB_COMMON(VEP_COMMON_Q_DESCLO);
  tb_bar_wr(t, target, 8, 0x0102030405060708ull);
  struct {
    const char *what;
    uint64_t addr;
    unsigned len;
    uint16_t cmd;
  } cases[] = {
      {"MWr64 below BAR0", TB_BAR0_ADDR - 8, 2, VEP_CMD_MEM_EN},
      {"MWr64 past BAR0", TB_BAR0_ADDR + VEP_BAR0_SIZE + target, 1, VEP_CMD_MEM_EN},
      {"MWr64 with Memory Space off", TB_BAR0_ADDR + target, 2, 0},
      {"MWr64 of 3 DW in BAR0", TB_BAR0_ADDR + target, 3, VEP_CMD_MEM_EN},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    tb_cfg_wr(t, VEP_CFG_COMMAND, 2, cases[i].cmd);
    urd_clear(t);
    uint64_t tx = cosim_tlps_tx(t->sim);
    mem_req(&req, VEP_TLP_MWR64, 0, cases[i].addr, cases[i].len, 0xF, cases[i].len > 1 ? 0xF : 0);
    TB_CHECK_EQ_CTX(t, tb_send_tlp(t, &req, NULL), 1, "%s: posted", cases[i].what);
    tb_run(t, TB_IRQ_WAIT_CYCLES);
    TB_CHECK_EQ_CTX(t, cosim_tlps_tx(t->sim), tx, "%s: the device sent something",
                    cases[i].what);
    TB_CHECK_EQ_CTX(t, urd(t), VEP_PCIE_DEVSTA_URD, "%s: URD", cases[i].what);
    tb_cfg_wr(t, VEP_CFG_COMMAND, 2, VEP_CMD_MEM_EN | VEP_CMD_BUS_MASTER);
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, target, 8), 0x0102030405060708ull, "%s", cases[i].what);
    TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_AVAILLO), 8), 0, "%s", cases[i].what);
    TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, VEP_CFG_STATUS, 2), VEP_STS_CAP_LIST, "%s", cases[i].what);
  }
  /* The same write inside BAR0 does land (the test can see a write). */
  mem_req(&req, VEP_TLP_MWR64, 0, TB_BAR0_ADDR + target, 2, 0xF, 0xF);
  tb_send_tlp(t, &req, NULL);
  TB_CHECK_EQ(t, tb_bar_rd(t, target, 8), 0xC0DE0001C0DE0000ull);
}

TB_TEST(completer_ids, "Completer ID is the bus/device captured from the last CfgWr0 to "
                       "function 0 (not from CfgRd0, not from a UR'd CfgWr0); Requester ID and "
                       "tag echoed for every tag value") {
  cosim_tlp_t req, cpl;
  /* Before any CfgWr0 the Completer ID is 0. */
  cosim_tlp_cfg(&req, 0, REQ_ID, 1, TB_EP_BDF, VEP_CFG_VENDOR_ID, 2, 0);
  tb_send_tlp(t, &req, &cpl);
  TB_CHECK_EQ(t, cpl.cpl_id, 0);
  TB_CHECK_EQ(t, cpl.data[0] & 0xFFFFu, VEP_PCI_VENDOR_ID);
  /* A Type 0 request carries the bus/device the host addressed; the endpoint takes them. */
  for (int i = 0; i < 8; i++) {
    uint16_t bus = (uint16_t)tb_rand_below(&t->rng, 256);
    uint16_t dev = (uint16_t)tb_rand_below(&t->rng, 32);
    uint16_t bdf = VDRV_BDF(bus, dev, 0);
    cosim_tlp_cfg(&req, 1, REQ_ID, (uint16_t)(2 + i), bdf, VEP_CFG_INT_LINE, 1, (uint32_t)i);
    tb_send_tlp(t, &req, &cpl);
    TB_CHECK_EQ(t, cpl.status, VEP_CPL_SC);
    /* Its own completion already carries the new ID. */
    TB_CHECK_EQ_CTX(t, cpl.cpl_id, bdf, "CfgWr0 completion, bus %u dev %u", bus, dev);
    cosim_tlp_cfg(&req, 0, REQ_ID, (uint16_t)(20 + i), VDRV_BDF(bus ^ 1u, dev, 0),
                  VEP_CFG_INT_LINE, 1, 0);
    tb_send_tlp(t, &req, &cpl);
    TB_CHECK_EQ_CTX(t, cpl.cpl_id, bdf, "CfgRd0 to another bus does not capture");
    TB_CHECK_EQ(t, cpl.data[0] & 0xFFu, (unsigned)i);
    cosim_tlp_cfg(&req, 1, REQ_ID, (uint16_t)(40 + i), VDRV_BDF(bus ^ 2u, dev, 3),
                  VEP_CFG_INT_LINE, 1, 0);
    tb_send_tlp(t, &req, &cpl);
    TB_CHECK_EQ(t, cpl.status, VEP_CPL_UR);
    TB_CHECK_EQ_CTX(t, cpl.cpl_id, bdf, "UR'd CfgWr0 to function 3 does not capture");
  }
  /* Back to the real topology; every 8-bit tag and a few Requester IDs are echoed. */
  tb_setup_bar0(t);
  for (unsigned tag = 0; tag < 256; tag++) {
    uint16_t rid = (uint16_t)tb_rand32(&t->rng);
    if (tag & 1u) {
      cosim_tlp_cfg(&req, 0, rid, (uint16_t)tag, TB_EP_BDF, VEP_CFG_DEVICE_ID, 2, 0);
    } else {
      cosim_tlp_mem(&req, 0, rid, (uint16_t)tag, TB_BAR0_ADDR + TB_COMMON(VEP_COMMON_NUMQ), 2, 0);
    }
    tb_send_tlp(t, &req, &cpl);
    TB_CHECK_EQ_CTX(t, cpl.tag, tag, "tag");
    TB_CHECK_EQ_CTX(t, cpl.req_id, rid, "Requester ID, tag 0x%02x", tag);
    TB_CHECK_EQ_CTX(t, cpl.cpl_id, EP_CPL_ID, "Completer ID, tag 0x%02x", tag);
    TB_CHECK_EQ_CTX(t, cpl.status, VEP_CPL_SC, "tag 0x%02x", tag);
  }
}

TB_TEST(completer_byte_count, "Byte Count, Lower Address and payload of 1-DW reads (every First "
                              "BE, including zero-length) and 2-DW reads (every First x Last BE) "
                              "in BAR0") {
  tb_setup_bar0(t);
  tb_rng_t *r = &t->rng;
  /* Known, distinct bytes in the queue address registers (0x20..0x37). */
  uint8_t img[VEP_BAR_COMMON_LEN];
  for (unsigned off = VEP_COMMON_Q_DESCLO; off < VEP_BAR_COMMON_LEN; off += 8) {
    uint64_t v = tb_rand64(r);
    tb_bar_wr(t, TB_COMMON(off), 8, v);
    for (unsigned i = 0; i < 8; i++) img[off + i] = (uint8_t)(v >> (8 * i));
  }
  cosim_tlp_t req, cpl;
  unsigned tag = 0;
  for (unsigned len = 1; len <= 2; len++) {
    for (unsigned fbe = len == 1 ? 0 : 1; fbe < 16; fbe++) {
      for (unsigned lbe = len == 1 ? 0 : 1; lbe < (len == 1 ? 1u : 16u); lbe++) {
        /* QW-aligned for 2 DW (non-contiguous byte enables are legal only there). */
        unsigned off = VEP_COMMON_Q_DESCLO + 8 * tb_rand_below(r, 3);
        if (len == 1) off += 4 * tb_rand_below(r, 2);
        uint64_t addr = TB_BAR0_ADDR + TB_COMMON(off);
        mem_req(&req, VEP_TLP_MRD64, (uint16_t)(tag++ & 0xFFu), addr, len, fbe, lbe);
        unsigned first, bc = req_bytes(len, fbe, lbe, &first);
        int rc = tb_send_tlp(t, &req, &cpl);
        char what[48];
        snprintf(what, sizeof what, "len %u BE %x/%x at 0x%02x", len, fbe, lbe, off);
        if (!TB_CHECK_EQ_CTX(t, rc, 0, "%s", what)) continue;
        TB_CHECK_EQ_CTX(t, cpl.fmt_type, VEP_TLP_CPLD, "%s", what);
        TB_CHECK_EQ_CTX(t, cpl.status, VEP_CPL_SC, "%s", what);
        TB_CHECK_EQ_CTX(t, cpl.byte_count, bc, "%s: Byte Count", what);
        TB_CHECK_EQ_CTX(t, cpl.lower_addr, (unsigned)(addr & 0x7C) | first, "%s: Lower Address",
                        what);
        TB_CHECK_EQ_CTX(t, cpl.len_dw, len, "%s: Length", what);
        if (cpl.ndata != len) continue;
        /* Enabled bytes carry the register bytes (disabled ones are undefined). */
        for (unsigned b = 0; b < 4 * len; b++) {
          unsigned be = b < 4 ? fbe : lbe;
          if (!(be >> (b & 3u) & 1u)) continue;
          uint8_t got = (uint8_t)(cpl.data[b / 4] >> (8 * (b & 3u)));
          TB_CHECK_EQ_CTX(t, got, img[off + b], "%s: byte %u", what, b);
        }
      }
    }
  }
}
