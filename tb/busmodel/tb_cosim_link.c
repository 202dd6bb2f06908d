/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the link model and the TLP <-> beat conversion (cosim/cosim_link.h) at DATA_W 64
 * (2 DW lanes): the expected beats are built here from the rule in vep_ports.h (DW i in lane
 * i % 2 of beat i / 2, lane l in bits [32l+31:32l] of data[0]), not by the code under test. No
 * DUT: the same under every --dut.
 */
#include <errno.h>
#include <string.h>

#include "cosim_link.h"
#include "tb.h"

#define LANES 2u

/* What the assembler delivered. */
typedef struct got {
  unsigned ntlp, nstray;
  size_t n[8];
  uint32_t dws[8][16];
  const char *framing[8];
  const char *stray;
} got_t;

static void on_tlp(void *ctx, const uint32_t *dws, size_t n, const char *framing) {
  got_t *g = ctx;
  if (!dws) {
    g->nstray++;
    g->stray = framing;
    return;
  }
  if (g->ntlp < 8) {
    g->n[g->ntlp] = n;
    memcpy(g->dws[g->ntlp], dws, (n < 16 ? n : 16) * sizeof(uint32_t));
    g->framing[g->ntlp] = framing;
  }
  g->ntlp++;
}

TB_TEST(cosim_link_beats, "DATA_W 64: TLPs of 1..9 DWs and the longest TLP split into "
                          "ceil(n/2) beats, DW i in lane i%2 of beat i/2 (low half first), keep "
                          "0b11 / 0b01 on an odd last beat, sop/eop on first/last, upper QWORDs "
                          "0; the assembler rebuilds them unchanged; bad framing (no sop, keep 0, "
                          "gaps, short non-eop beat, lanes above 2, sop inside a TLP) reported; "
                          "too few beats / 0 DWs refused") {
  static cosim_beat_t beats[COSIM_TLP_MAX_TOTAL_DW];
  static uint32_t dws[COSIM_TLP_MAX_TOTAL_DW];
  for (size_t i = 0; i < COSIM_TLP_MAX_TOTAL_DW; i++) dws[i] = tb_rand32(&t->rng) | 1u;
  static const size_t lens[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, COSIM_TLP_MAX_TOTAL_DW};
  for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
    size_t n = lens[li];
    int nb = cosim_tlp_to_beats(dws, n, LANES, beats, COSIM_TLP_MAX_TOTAL_DW);
    if (!TB_CHECK_EQ_CTX(t, nb, (n + 1) / 2, "beats for %zu DWs", n)) continue;
    unsigned bad = 0;
    for (size_t b = 0; b < (size_t)nb; b++) {
      uint64_t lo = dws[2 * b], hi = 2 * b + 1 < n ? dws[2 * b + 1] : 0;
      uint8_t keep = 2 * b + 1 < n ? 0x3 : 0x1;
      int ok = beats[b].data[0] == (lo | hi << 32) && beats[b].keep == keep &&
               beats[b].sop == (b == 0) && beats[b].eop == (b == (size_t)nb - 1);
      for (unsigned q = 1; q < VEP_DATA_QWORDS; q++) ok = ok && beats[b].data[q] == 0;
      if (!ok && bad++ == 0)
        tb_fail(t, __FILE__, __LINE__,
                "%zu DWs, beat %zu: data 0x%016llx keep 0x%x sop %u eop %u; want "
                 "0x%016llx keep 0x%x sop %d eop %d", n, b, (unsigned long long)beats[b].data[0],
                 beats[b].keep, beats[b].sop, beats[b].eop, (unsigned long long)(lo | hi << 32),
                 keep, b == 0, b == (size_t)nb - 1);
    }
    /* Round trip through the assembler. */
    cosim_asm_t a;
    got_t g;
    memset(&g, 0, sizeof g);
    cosim_asm_init(&a, LANES);
    for (int b = 0; b < nb; b++) cosim_asm_push(&a, &beats[b], on_tlp, &g);
    TB_CHECK_EQ_CTX(t, g.ntlp, 1, "TLPs assembled from %zu DWs", n);
    TB_CHECK_EQ_CTX(t, g.n[0], n, "DWs assembled");
    TB_CHECK(t, g.framing[0] == NULL, "%zu DWs: framing error '%s' on well-formed beats", n,
             g.framing[0]);
    TB_CHECK(t, memcmp(g.dws[0], dws, (n < 16 ? n : 16) * sizeof(uint32_t)) == 0,
             "%zu DWs: assembled DWs differ", n);
    TB_CHECK(t, memcmp(a.dws, dws, n * sizeof(uint32_t)) == 0, "%zu DWs: assembler buffer", n);
  }
  /* Refusals. */
  TB_CHECK_EQ(t, cosim_tlp_to_beats(dws, 0, LANES, beats, 8), -EINVAL);
  TB_CHECK_EQ(t, cosim_tlp_to_beats(dws, 5, LANES, beats, 2), -EINVAL);  /* needs 3 */
  TB_CHECK_EQ(t, cosim_tlp_to_beats(dws, 4, LANES, beats, 2), 2);        /* exactly enough */
  TB_CHECK_EQ(t, cosim_tlp_to_beats(dws, 4, 0, beats, 8), -EINVAL);

  /* Framing errors, each on a fresh assembler. */
  static const struct {
    const char *what;
    cosim_beat_t b[3];
    unsigned nb;
    unsigned want_tlps, want_stray, bad_tlp;  /* bad_tlp: index of the TLP with framing set */
  } cases[] = {
      {"beat without sop outside a TLP", {{{0x1}, 0x3, 0, 1}}, 1, 0, 1, 9},
      {"keep 0 on the last beat", {{{0x1}, 0x3, 1, 0}, {{0x2}, 0x0, 0, 1}}, 2, 1, 0, 0},
      {"keep 0b10 (gap at lane 0)", {{{0x1}, 0x2, 1, 1}}, 1, 1, 0, 0},
      {"keep 0b01 on a beat without eop", {{{0x1}, 0x1, 1, 0}, {{0x2}, 0x3, 0, 1}}, 2, 1, 0, 0},
      {"keep 0b111 (lane 2 on a 2-lane stream)", {{{0x1}, 0x7, 1, 1}}, 1, 1, 0, 0},
      {"sop inside a TLP", {{{0x1}, 0x3, 1, 0}, {{0x2}, 0x3, 1, 1}}, 2, 2, 0, 0},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    cosim_asm_t a;
    got_t g;
    memset(&g, 0, sizeof g);
    cosim_asm_init(&a, LANES);
    for (unsigned b = 0; b < cases[c].nb; b++) cosim_asm_push(&a, &cases[c].b[b], on_tlp, &g);
    TB_CHECK_EQ_CTX(t, g.ntlp, cases[c].want_tlps, "%s: TLPs", cases[c].what);
    TB_CHECK_EQ_CTX(t, g.nstray, cases[c].want_stray, "%s: stray beats", cases[c].what);
    if (cases[c].want_stray)
      TB_CHECK(t, g.stray != NULL, "%s: no reason given", cases[c].what);
    if (cases[c].bad_tlp < 8)
      TB_CHECK(t, g.framing[cases[c].bad_tlp] != NULL, "%s: not reported", cases[c].what);
    if (c == 5) TB_CHECK(t, g.framing[1] == NULL, "sop inside a TLP: the second TLP is fine");
  }
}

TB_TEST(cosim_link_beats_wide, "DATA_W 128 and 256 (4 and 8 lanes): TLPs of 1..17 DWs and the "
                               "longest TLP split into ceil(n/lanes) beats, DW i in lane i%lanes "
                               "of beat i/lanes (lane l in bits [32(l%2)+31:32(l%2)] of data[l/2]), "
                               "keep contiguous from lane 0, full on every beat but the last, "
                               "sop/eop on first/last; the assembler rebuilds them unchanged") {
  static cosim_beat_t beats[COSIM_TLP_MAX_TOTAL_DW];
  static uint32_t dws[COSIM_TLP_MAX_TOTAL_DW];
  for (size_t i = 0; i < COSIM_TLP_MAX_TOTAL_DW; i++) dws[i] = tb_rand32(&t->rng) | 1u;
  static const unsigned lanes_of[] = {4, 8};
  for (size_t wi = 0; wi < 2; wi++) {
    unsigned lanes = lanes_of[wi];
    for (size_t n = 1; n <= 18; n++) {
      size_t len = n == 18 ? COSIM_TLP_MAX_TOTAL_DW : n;
      int nb = cosim_tlp_to_beats(dws, len, lanes, beats, COSIM_TLP_MAX_TOTAL_DW);
      if (!TB_CHECK_EQ_CTX(t, nb, (len + lanes - 1) / lanes, "%u lanes: beats for %zu DWs", lanes,
                           len))
        continue;
      unsigned bad = 0;
      for (size_t b = 0; b < (size_t)nb; b++) {
        uint64_t want[VEP_DATA_QWORDS] = {0};
        unsigned keep = 0;
        for (unsigned l = 0; l < lanes; l++) {
          size_t i = b * lanes + l;
          if (i >= len) break;
          want[l / 2] |= (uint64_t)dws[i] << (32 * (l % 2));
          keep |= 1u << l;
        }
        int ok = memcmp(beats[b].data, want, sizeof want) == 0 && beats[b].keep == keep &&
                 beats[b].sop == (b == 0) && beats[b].eop == (b == (size_t)nb - 1);
        if (!ok && bad++ == 0)
          tb_fail(t, __FILE__, __LINE__, "%u lanes, %zu DWs, beat %zu: keep 0x%x sop %u eop %u; "
                  "want keep 0x%x sop %d eop %d (or the data differ)", lanes, len, b,
                  beats[b].keep, beats[b].sop, beats[b].eop, keep, b == 0, b == (size_t)nb - 1);
      }
      cosim_asm_t a;
      got_t g;
      memset(&g, 0, sizeof g);
      cosim_asm_init(&a, lanes);
      for (int b = 0; b < nb; b++) cosim_asm_push(&a, &beats[b], on_tlp, &g);
      TB_CHECK_EQ_CTX(t, g.ntlp, 1, "%u lanes: TLPs assembled from %zu DWs", lanes, len);
      TB_CHECK_EQ_CTX(t, g.n[0], len, "%u lanes: DWs assembled", lanes);
      TB_CHECK(t, g.framing[0] == NULL, "%u lanes, %zu DWs: framing error '%s' on well-formed "
               "beats", lanes, len, g.framing[0]);
      TB_CHECK(t, memcmp(a.dws, dws, len * sizeof(uint32_t)) == 0,
               "%u lanes, %zu DWs: assembled DWs differ", lanes, len);
    }
  }
}

TB_TEST(cosim_link_timing, "Link at DATA_W 64, latency 5: a 5-DW TLP sent in cycle 10 launches "
                           "3 beats in cycles 10-12 and each is at the far end exactly 5 cycles "
                           "later, in order; a TLP sent while one is launching follows it; one "
                           "beat per cycle (-EBUSY); beats wait until taken; widths other than "
                           "64/128/256 refused") {
  cosim_link_t *l = NULL;
  TB_CHECK_EQ(t, cosim_link_create(32, 5, &l), -EINVAL);
  TB_CHECK_EQ(t, cosim_link_create(96, 5, &l), -EINVAL);
  TB_REQUIRE(t, cosim_link_create(64, 5, &l) == 0 && l, "cosim_link_create(64)");
  TB_CHECK_EQ(t, cosim_link_lanes(l), LANES);
  uint32_t a[5] = {0xA0, 0xA1, 0xA2, 0xA3, 0xA4}, b[2] = {0xB0, 0xB1};
  TB_CHECK_EQ(t, cosim_link_send_tlp(l, 10, a, 5), 12);
  TB_CHECK_EQ(t, cosim_link_queued(l), 3);
  TB_CHECK_EQ(t, cosim_link_send_tlp(l, 11, b, 2), 13);  /* after a's last beat */
  TB_CHECK_EQ(t, cosim_link_send_beat(l, 13, &(cosim_beat_t){{0}, 1, 1, 1}), -EBUSY);
  TB_CHECK_EQ(t, cosim_link_send_tlp(l, 0, a, 0), -EINVAL);
  /* Arrivals: launch + 5. */
  static const struct {
    uint64_t at;
    uint64_t d0;
    uint8_t keep, sop, eop;
  } want[] = {{15, 0xA1ull << 32 | 0xA0, 3, 1, 0}, {16, 0xA3ull << 32 | 0xA2, 3, 0, 0},
              {17, 0xA4, 1, 0, 1},                 {18, 0xB1ull << 32 | 0xB0, 3, 1, 1}};
  for (size_t i = 0; i < 4; i++) {
    TB_CHECK(t, cosim_link_head(l, want[i].at - 1) == NULL, "beat %zu visible at cycle %llu", i,
             (unsigned long long)want[i].at - 1);
    const cosim_beat_t *h = cosim_link_head(l, want[i].at);
    if (!TB_CHECK(t, h != NULL, "beat %zu not there at cycle %llu", i,
                  (unsigned long long)want[i].at))
      break;
    TB_CHECK_EQ_CTX(t, h->data[0], want[i].d0, "beat %zu", i);
    TB_CHECK_EQ_CTX(t, h->keep, want[i].keep, "beat %zu", i);
    TB_CHECK_EQ_CTX(t, h->sop, want[i].sop, "beat %zu", i);
    TB_CHECK_EQ_CTX(t, h->eop, want[i].eop, "beat %zu", i);
    cosim_link_pop(l);
  }
  TB_CHECK_EQ(t, cosim_link_queued(l), 0);
  /* A single beat; the far end takes it late: it waits. */
  TB_CHECK_EQ(t, cosim_link_send_beat(l, 20, &(cosim_beat_t){{0x77}, 1, 1, 1}), 0);
  TB_CHECK(t, cosim_link_head(l, 24) == NULL, "single beat early");
  const cosim_beat_t *h = cosim_link_head(l, 1000);
  TB_CHECK(t, h && h->data[0] == 0x77, "single beat not waiting at cycle 1000");
  cosim_link_pop(l);
  /* Many TLPs queued at once (the ring grows): all arrive in order. */
  uint64_t last = 0;
  for (unsigned i = 0; i < 300; i++) {
    uint32_t d[3] = {i, i + 1000, i + 2000};
    int64_t r = cosim_link_send_tlp(l, 2000, d, 3);
    TB_CHECK_EQ_CTX(t, r, 2000 + 2 * i + 1, "TLP %u last launch", i);
    last = (uint64_t)r;
  }
  unsigned bad = 0;
  for (unsigned i = 0; i < 300; i++) {
    const cosim_beat_t *x = cosim_link_head(l, last + 5);
    bad += !x || x->data[0] != ((uint64_t)(i + 1000) << 32 | i);
    cosim_link_pop(l);
    x = cosim_link_head(l, last + 5);
    bad += !x || x->data[0] != i + 2000 || x->keep != 1 || !x->eop;
    cosim_link_pop(l);
  }
  TB_CHECK_EQ_CTX(t, bad, 0, "beats out of order after queueing 300 TLPs");
  cosim_link_destroy(l);
  cosim_link_t *w = NULL;
  if (TB_CHECK_EQ(t, cosim_link_create(128, 1, &w), 0)) {
    TB_CHECK_EQ(t, cosim_link_lanes(w), 4);
    cosim_link_destroy(w);
  }
}
