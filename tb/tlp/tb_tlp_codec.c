/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TLP codec (cosim/cosim_tlp.c) against an independent reference: header DWs are built here
 * bit by bit from the layout of the PCIe Base Specification (virtio-pcie-facts.md section 11),
 * so a codec that is merely self-consistent but puts a field in the wrong place fails.
 */
#include <errno.h>
#include <string.h>

#include "tb.h"

/* DW0 as drawn in the spec: Fmt/Type, T9, TC, T8, Attr[2], LN, TH, TD, EP, Attr[1:0], AT,
 * Length. */
static uint32_t ref_dw0(const cosim_tlp_t *p, unsigned len_field) {
  return (uint32_t)p->fmt_type << 24 | ((p->tag >> 9) & 1u) << 23 | (p->tc & 7u) << 20 |
         ((p->tag >> 8) & 1u) << 19 | ((p->attr >> 2) & 1u) << 18 | (p->td & 1u) << 15 |
         (p->ep & 1u) << 14 | (p->attr & 3u) << 12 | (len_field & 0x3FFu);
}

/* The complete DW stream the spec gives for p (no digest). Returns the DW count. */
static size_t ref_encode(const cosim_tlp_t *p, uint32_t *dw) {
  cosim_tlp_kind_t k = cosim_tlp_kind(p->fmt_type);
  int four = (p->fmt_type & VEP_TLP_FMT_4DW) != 0;
  int data = (p->fmt_type & VEP_TLP_FMT_DATA) != 0;
  size_t n;
  unsigned len_field = p->len_dw & 0x3FFu;  /* 1024 encodes as 0 */
  if (k == COSIM_TLP_KIND_CPL || k == COSIM_TLP_KIND_CPLLK) len_field = 0;
  dw[0] = ref_dw0(p, len_field);
  switch (k) {
    case COSIM_TLP_KIND_CPL:
    case COSIM_TLP_KIND_CPLD:
    case COSIM_TLP_KIND_CPLLK:
    case COSIM_TLP_KIND_CPLDLK:
      dw[1] = (uint32_t)p->cpl_id << 16 | (p->status & 7u) << 13 | (p->bcm & 1u) << 12 |
              (p->byte_count & 0xFFFu);
      dw[2] = (uint32_t)p->req_id << 16 | (p->tag & 0xFFu) << 8 | (p->lower_addr & 0x7Fu);
      n = 3;
      break;
    case COSIM_TLP_KIND_CFGRD0:
    case COSIM_TLP_KIND_CFGWR0:
    case COSIM_TLP_KIND_CFGRD1:
    case COSIM_TLP_KIND_CFGWR1:
      dw[1] = (uint32_t)p->req_id << 16 | (p->tag & 0xFFu) << 8 | (p->last_be & 0xFu) << 4 |
              (p->first_be & 0xFu);
      dw[2] = (uint32_t)p->cfg_bdf << 16 | (p->cfg_reg & 0xFFCu);
      n = 3;
      break;
    case COSIM_TLP_KIND_MSG:
    case COSIM_TLP_KIND_MSGD:
      dw[1] = (uint32_t)p->req_id << 16 | (p->tag & 0xFFu) << 8 | p->msg_code;
      dw[2] = (uint32_t)(p->addr >> 32);
      dw[3] = (uint32_t)p->addr;
      n = 4;
      break;
    default: /* memory, I/O, atomics */
      dw[1] = (uint32_t)p->req_id << 16 | (p->tag & 0xFFu) << 8 | (p->last_be & 0xFu) << 4 |
              (p->first_be & 0xFu);
      if (four) {
        dw[2] = (uint32_t)(p->addr >> 32);
        dw[3] = (uint32_t)p->addr & ~3u;
        n = 4;
      } else {
        dw[2] = (uint32_t)p->addr & ~3u;
        n = 3;
      }
  }
  if (data)
    for (unsigned i = 0; i < p->len_dw; i++) dw[n++] = p->data[i];
  return n;
}

typedef struct kind_case {
  uint8_t fmt_type;
  cosim_tlp_kind_t kind;
  int posted, has_data, is_4dw;
} kind_case_t;

/* Every kind the codec knows, in each header size it has. Byte-0 values from the spec table. */
static const kind_case_t k_kinds[] = {
    {VEP_TLP_MRD32, COSIM_TLP_KIND_MRD, 0, 0, 0},
    {VEP_TLP_MRD64, COSIM_TLP_KIND_MRD, 0, 0, 1},
    {VEP_TLP_MRDLK32, COSIM_TLP_KIND_MRDLK, 0, 0, 0},
    {VEP_TLP_MRDLK64, COSIM_TLP_KIND_MRDLK, 0, 0, 1},
    {VEP_TLP_MWR32, COSIM_TLP_KIND_MWR, 1, 1, 0},
    {VEP_TLP_MWR64, COSIM_TLP_KIND_MWR, 1, 1, 1},
    {VEP_TLP_IORD, COSIM_TLP_KIND_IORD, 0, 0, 0},
    {VEP_TLP_IOWR, COSIM_TLP_KIND_IOWR, 0, 1, 0},
    {VEP_TLP_CFGRD0, COSIM_TLP_KIND_CFGRD0, 0, 0, 0},
    {VEP_TLP_CFGWR0, COSIM_TLP_KIND_CFGWR0, 0, 1, 0},
    {VEP_TLP_CFGRD1, COSIM_TLP_KIND_CFGRD1, 0, 0, 0},
    {VEP_TLP_CFGWR1, COSIM_TLP_KIND_CFGWR1, 0, 1, 0},
    {VEP_TLP_CPL, COSIM_TLP_KIND_CPL, 0, 0, 0},
    {VEP_TLP_CPLD, COSIM_TLP_KIND_CPLD, 0, 1, 0},
    {VEP_TLP_CPLLK, COSIM_TLP_KIND_CPLLK, 0, 0, 0},
    {VEP_TLP_CPLDLK, COSIM_TLP_KIND_CPLDLK, 0, 1, 0},
    {0x30, COSIM_TLP_KIND_MSG, 1, 0, 1},          /* Msg, routed to the root complex */
    {VEP_TLP_MSG_LOCAL, COSIM_TLP_KIND_MSG, 1, 0, 1},
    {0x74, COSIM_TLP_KIND_MSGD, 1, 1, 1},         /* MsgD, local */
    {0x4C, COSIM_TLP_KIND_ATOMIC, 0, 1, 0},       /* FetchAdd, 3DW */
    {0x6D, COSIM_TLP_KIND_ATOMIC, 0, 1, 1},       /* Swap, 4DW */
    {0x4E, COSIM_TLP_KIND_ATOMIC, 0, 1, 0},       /* CAS, 3DW */
};
#define NKINDS (sizeof k_kinds / sizeof k_kinds[0])

/* A random TLP of this kind with every field inside its legal range. */
static void random_tlp(tb_t *t, const kind_case_t *kc, cosim_tlp_t *p) {
  tb_rng_t *r = &t->rng;
  memset(p, 0, sizeof *p);
  p->fmt_type = kc->fmt_type;
  p->tc = (uint8_t)tb_rand_below(r, 8);
  p->attr = (uint8_t)tb_rand_below(r, 8);
  p->ep = (uint8_t)tb_rand_below(r, 2);
  p->req_id = (uint16_t)tb_rand32(r);
  p->tag = (uint16_t)tb_rand_below(r, 1024);
  switch (kc->kind) {
    case COSIM_TLP_KIND_MRD:
    case COSIM_TLP_KIND_MRDLK:
    case COSIM_TLP_KIND_MWR: {
      /* Include the largest Length (1024, encoded 0) now and then. */
      unsigned maxlen = kc->kind == COSIM_TLP_KIND_MWR ? 64u : 1024u;
      p->len_dw = tb_rand_below(r, 4) == 0 ? (uint16_t)maxlen
                                           : (uint16_t)(1 + tb_rand_below(r, maxlen));
      if (kc->kind == COSIM_TLP_KIND_MRD && tb_rand_below(r, 4) == 0) p->len_dw = 1024;
      p->first_be = (uint8_t)(1 + tb_rand_below(r, 15));
      p->last_be = p->len_dw == 1 ? 0 : (uint8_t)(1 + tb_rand_below(r, 15));
      if (kc->is_4dw)
        p->addr = ((uint64_t)(1 + tb_rand32(r)) << 32 | tb_rand32(r)) & ~3ull;
      else
        p->addr = tb_rand32(r) & ~3u;
      break;
    }
    case COSIM_TLP_KIND_IORD:
    case COSIM_TLP_KIND_IOWR:
      p->len_dw = 1;
      p->tc = 0;
      p->attr = 0;
      p->first_be = (uint8_t)(1 + tb_rand_below(r, 15));
      p->addr = tb_rand32(r) & ~3u;
      break;
    case COSIM_TLP_KIND_CFGRD0:
    case COSIM_TLP_KIND_CFGWR0:
    case COSIM_TLP_KIND_CFGRD1:
    case COSIM_TLP_KIND_CFGWR1:
      p->len_dw = 1;
      p->tc = 0;
      p->attr = 0;
      p->first_be = (uint8_t)(1 + tb_rand_below(r, 15));
      p->cfg_bdf = (uint16_t)tb_rand32(r);
      p->cfg_reg = (uint16_t)(tb_rand_below(r, 1024) * 4);
      break;
    case COSIM_TLP_KIND_CPL:
    case COSIM_TLP_KIND_CPLLK:
    case COSIM_TLP_KIND_CPLD:
    case COSIM_TLP_KIND_CPLDLK: {
      static const uint8_t st[] = {VEP_CPL_SC, VEP_CPL_UR, VEP_CPL_CRS, VEP_CPL_CA};
      p->cpl_id = (uint16_t)tb_rand32(r);
      p->status = st[tb_rand_below(r, 4)];
      p->byte_count = (uint16_t)(1 + tb_rand_below(r, 4096));
      p->lower_addr = (uint8_t)tb_rand_below(r, 128);
      p->len_dw = kc->has_data ? (uint16_t)(1 + tb_rand_below(r, 128)) : 0;
      if (kc->has_data) p->status = VEP_CPL_SC;
      break;
    }
    case COSIM_TLP_KIND_MSG:
    case COSIM_TLP_KIND_MSGD:
      p->tag = (uint16_t)tb_rand_below(r, 256);
      p->msg_code = (uint8_t)tb_rand32(r);
      p->len_dw = kc->has_data ? (uint16_t)(1 + tb_rand_below(r, 8)) : 0;
      break;
    case COSIM_TLP_KIND_ATOMIC: {
      /* FetchAdd/Swap operands of 1 or 2 DW; CAS 2, 4 or 8 DW (compare + swap). */
      static const uint16_t cas[] = {2, 4, 8};
      p->len_dw = (kc->fmt_type & 0x1Fu) == 0x0Eu ? cas[tb_rand_below(r, 3)]
                                                  : (uint16_t)(1 + tb_rand_below(r, 2));
      p->first_be = 0xF;
      p->last_be = p->len_dw == 1 ? 0 : 0xF;
      if (kc->is_4dw)
        p->addr = ((uint64_t)(1 + tb_rand32(r)) << 32 | tb_rand32(r)) & ~7ull;
      else
        p->addr = tb_rand32(r) & ~7u;
      break;
    }
    default:
      break;
  }
  if (kc->has_data) {
    p->ndata = p->len_dw;
    for (unsigned i = 0; i < p->ndata; i++) p->data[i] = tb_rand32(r);
  }
}

/* The fields that the kind carries, compared one by one so a failure names the field. */
static int same_fields(tb_t *t, const kind_case_t *kc, const cosim_tlp_t *a, const cosim_tlp_t *b,
                       unsigned iter) {
  int ok = 1;
#define SAME(f) ok &= TB_CHECK_EQ_CTX(t, b->f, a->f, "fmt_type 0x%02x iter %u", kc->fmt_type, iter)
  SAME(fmt_type);
  SAME(tc);
  SAME(attr);
  SAME(td);
  SAME(ep);
  SAME(req_id);
  SAME(tag);
  SAME(ndata);
  switch (kc->kind) {
    case COSIM_TLP_KIND_CPL:
    case COSIM_TLP_KIND_CPLLK:
    case COSIM_TLP_KIND_CPLD:
    case COSIM_TLP_KIND_CPLDLK:
      SAME(cpl_id);
      SAME(status);
      SAME(bcm);
      SAME(byte_count);
      SAME(lower_addr);
      if (kc->has_data) SAME(len_dw);
      break;
    case COSIM_TLP_KIND_CFGRD0:
    case COSIM_TLP_KIND_CFGWR0:
    case COSIM_TLP_KIND_CFGRD1:
    case COSIM_TLP_KIND_CFGWR1:
      SAME(len_dw);
      SAME(first_be);
      SAME(last_be);
      SAME(cfg_bdf);
      SAME(cfg_reg);
      break;
    case COSIM_TLP_KIND_MSG:
    case COSIM_TLP_KIND_MSGD:
      SAME(msg_code);
      if (kc->has_data) SAME(len_dw);
      break;
    default:
      SAME(len_dw);
      SAME(first_be);
      SAME(last_be);
      SAME(addr);
  }
#undef SAME
  for (unsigned i = 0; i < a->ndata && i < b->ndata && ok; i++)
    ok &= TB_CHECK_EQ_CTX(t, b->data[i], a->data[i], "payload DW %u of fmt_type 0x%02x", i,
                          kc->fmt_type);
  return ok;
}

static uint32_t g_dws[COSIM_TLP_MAX_TOTAL_DW + 2];
static uint32_t g_ref[COSIM_TLP_MAX_TOTAL_DW + 2];

TB_TEST(tlp_codec, "TLP encode/decode round trip of every kind against the spec's bit layout; "
                   "malformed DW streams rejected with a reason") {
  static cosim_tlp_t a, b;
  const char *why;

  /* Classification of every kind. */
  for (size_t k = 0; k < NKINDS; k++) {
    const kind_case_t *kc = &k_kinds[k];
    TB_CHECK_EQ_CTX(t, cosim_tlp_kind(kc->fmt_type), kc->kind, "kind of 0x%02x", kc->fmt_type);
    TB_CHECK_EQ_CTX(t, !!cosim_tlp_is_posted(kc->fmt_type), kc->posted, "posted 0x%02x",
                    kc->fmt_type);
    TB_CHECK_EQ_CTX(t, !!cosim_tlp_has_data(kc->fmt_type), kc->has_data, "data 0x%02x",
                    kc->fmt_type);
    TB_CHECK_EQ_CTX(t, !!cosim_tlp_is_4dw(kc->fmt_type), kc->is_4dw, "4dw 0x%02x",
                    kc->fmt_type);
    const char *name = cosim_tlp_kind_name(kc->kind);
    TB_CHECK(t, name && *name, "kind %d has no name", (int)kc->kind);
  }
  TB_CHECK_EQ(t, cosim_tlp_kind(0x03), COSIM_TLP_KIND_UNKNOWN);  /* Type 00011 is reserved */

  /* Round trips: random fields, then the reference DWs, then decode and re-encode. */
  for (size_t k = 0; k < NKINDS; k++) {
    const kind_case_t *kc = &k_kinds[k];
    for (unsigned iter = 0; iter < 64; iter++) {
      random_tlp(t, kc, &a);
      size_t nref = ref_encode(&a, g_ref);
      why = NULL;
      int n = cosim_tlp_encode(&a, g_dws, COSIM_TLP_MAX_TOTAL_DW, &why);
      if (!TB_CHECK(t, n > 0, "encode of fmt_type 0x%02x failed: %s", kc->fmt_type,
                    why ? why : "(no reason)"))
        break;
      if (!TB_CHECK_EQ_CTX(t, (unsigned)n, nref, "DW count of fmt_type 0x%02x", kc->fmt_type))
        break;
      int same = 1;
      for (size_t i = 0; i < nref && same; i++)
        same = TB_CHECK_EQ_CTX(t, g_dws[i], g_ref[i], "DW%zu of fmt_type 0x%02x len %u", i,
                               kc->fmt_type, a.len_dw);
      if (!same) break;
      memset(&b, 0xA5, sizeof b);  /* decode must set every field it reports */
      why = NULL;
      int rc = cosim_tlp_decode(g_ref, nref, &b, &why);
      if (!TB_CHECK(t, rc == 0, "decode of fmt_type 0x%02x: %d (%s)", kc->fmt_type, rc,
                    why ? why : "no reason"))
        break;
      if (!same_fields(t, kc, &a, &b, iter)) break;
      /* What was decoded encodes back to the same DWs. */
      n = cosim_tlp_encode(&b, g_dws, COSIM_TLP_MAX_TOTAL_DW, &why);
      TB_CHECK_EQ_CTX(t, (unsigned)n, nref, "re-encode count of fmt_type 0x%02x", kc->fmt_type);
      for (size_t i = 0; i < nref && n == (int)nref; i++)
        if (!TB_CHECK_EQ_CTX(t, g_dws[i], g_ref[i], "re-encode DW%zu", i)) break;
      char line[256];
      cosim_tlp_format(&b, line, sizeof line);
      TB_CHECK(t, strlen(line) > 0, "empty format of fmt_type 0x%02x", kc->fmt_type);
    }
  }

  /* A digest DW after a TD=1 TLP belongs to it. */
  random_tlp(t, &k_kinds[0], &a);
  a.td = 1;
  size_t nref = ref_encode(&a, g_ref);
  g_ref[nref] = 0x12345678u;
  why = NULL;
  TB_CHECK(t, cosim_tlp_decode(g_ref, nref + 1, &b, &why) == 0, "TD=1 with digest: %s",
           why ? why : "");
  TB_CHECK_EQ(t, b.td, 1);

  /* Builders: byte enables and payload lanes follow the offset inside the DW. */
  cosim_tlp_cfg(&a, 1, 0x0100, 5, TB_EP_BDF, 0x06, 2, 0xBEEF);
  TB_CHECK_EQ(t, a.fmt_type, VEP_TLP_CFGWR0);
  TB_CHECK_EQ(t, a.first_be, 0xC);
  TB_CHECK_EQ(t, a.last_be, 0);
  TB_CHECK_EQ(t, a.cfg_reg, 0x04);
  TB_CHECK_EQ(t, a.cfg_bdf, TB_EP_BDF);
  TB_CHECK_EQ(t, a.data[0], 0xBEEF0000u);
  cosim_tlp_cfg(&a, 0, 0x0100, 5, TB_EP_BDF, 0x0B, 1, 0);
  TB_CHECK_EQ(t, a.fmt_type, VEP_TLP_CFGRD0);
  TB_CHECK_EQ(t, a.first_be, 0x8);
  TB_CHECK_EQ(t, a.cfg_reg, 0x08);
  cosim_tlp_mem(&a, 1, 0, 7, 0x0000004000001008ull, 8, 0x1122334455667788ull);
  TB_CHECK_EQ(t, a.fmt_type, VEP_TLP_MWR64);
  TB_CHECK_EQ(t, a.len_dw, 2);
  TB_CHECK_EQ(t, a.first_be, 0xF);
  TB_CHECK_EQ(t, a.last_be, 0xF);
  TB_CHECK_EQ(t, a.data[0], 0x55667788u);
  TB_CHECK_EQ(t, a.data[1], 0x11223344u);
  cosim_tlp_mem(&a, 0, 0, 7, 0x1003ull, 1, 0);
  TB_CHECK_EQ(t, a.fmt_type, VEP_TLP_MRD32);
  TB_CHECK_EQ(t, a.addr, 0x1000);
  TB_CHECK_EQ(t, a.first_be, 0x8);

  /* Malformed DW streams: each rejected with -EBADMSG and a reason. */
  struct bad {
    const char *what;
    uint32_t dw[6];
    size_t n;
  } bad[] = {
      {"no DW at all", {0}, 0},
      {"Fmt 100 (TLP prefix)", {0x80000001u, 0, 0}, 3},
      {"reserved Type 00011", {0x03000001u, 0, 0}, 3},
      {"reserved Type 11111", {0x1F000001u, 0, 0}, 3},
      {"MRd64 with a 3-DW header", {0x20000001u, 0x0000010Fu, 0x00000040u}, 3},
      {"MRd32 with one DW too many", {0x00000001u, 0x0000010Fu, 0x1000u, 0}, 4},
      {"MWr32 Length 2 with one payload DW", {0x40000002u, 0x000001FFu, 0x1000u, 1}, 4},
      {"MWr32 Length 1 with two payload DWs", {0x40000001u, 0x0000010Fu, 0x1000u, 1, 2}, 5},
      {"CfgRd0 with Length 2", {0x04000002u, 0x0000010Fu, 0x01000000u}, 3},
      {"IORd with Length 2", {0x02000002u, 0x0000010Fu, 0x1000u}, 3},
      {"MRd32 with TD=1 and no digest", {0x00008001u, 0x0000010Fu, 0x1000u}, 3},
      {"CplD Length 2 with one payload DW", {0x4A000002u, 0x00000008u, 0x00000100u, 7}, 4},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    why = NULL;
    int rc = cosim_tlp_decode(bad[i].dw, bad[i].n, &b, &why);
    TB_CHECK(t, rc == -EBADMSG, "%s: decode returned %d, expected -EBADMSG", bad[i].what, rc);
    TB_CHECK(t, why && *why, "%s: rejected without a reason", bad[i].what);
  }

  /* Structures that no DW stream can carry are refused by the encoder, with a reason. */
  random_tlp(t, &k_kinds[4], &a);  /* MWr32 */
  a.ndata = a.len_dw + 1;
  why = NULL;
  TB_CHECK(t, cosim_tlp_encode(&a, g_dws, COSIM_TLP_MAX_TOTAL_DW, &why) == -EINVAL && why,
           "MWr with ndata != len_dw accepted");
  random_tlp(t, &k_kinds[0], &a);  /* MRd32 */
  a.len_dw = 1025;
  why = NULL;
  TB_CHECK(t, cosim_tlp_encode(&a, g_dws, COSIM_TLP_MAX_TOTAL_DW, &why) == -EINVAL && why,
           "MRd with Length 1025 accepted");
  random_tlp(t, &k_kinds[0], &a);
  a.fmt_type = 0x03;
  why = NULL;
  TB_CHECK(t, cosim_tlp_encode(&a, g_dws, COSIM_TLP_MAX_TOTAL_DW, &why) == -EINVAL && why,
           "reserved Type accepted by the encoder");
  random_tlp(t, &k_kinds[5], &a);  /* MWr64, a few DWs: does not fit in 3 */
  why = NULL;
  TB_CHECK(t, cosim_tlp_encode(&a, g_dws, 3, &why) < 0, "encode past max DWs accepted");
}
