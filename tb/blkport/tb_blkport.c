/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The backend-port adapter (cosim/cosim_blkport.h) against a scripted fake endpoint: the fake
 * drives m_blk_req_* and m_blk_wdata_* from a script (its outputs are functions of its own
 * state only, as the real endpoint's are), takes answers with a random s_blk_rsp_ready, and
 * records every answer beat. The fake speaks the port at the DATA_W of the run (B = DATA_W/8
 * bytes per beat). The tests check the answers against the storage (IN/OUT/FLUSH/
 * GET_ID, answers out of order, abort, errors) and that each protocol violation is reported.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cosim_dut.h"
#include "tb.h"

#define FK_REQS 64u
#define FK_BEATS 4096u
#define FK_RSP_BYTES 8192u

typedef struct fk_req {
  uint8_t tag, type;
  uint64_t sector;
  uint32_t bytes;
} fk_req_t;

typedef struct fk_beat {
  uint8_t data[VEP_DATA_QWORDS * 8];  /* byte i of the beat in lane i */
  uint32_t keep;
  uint8_t last, abort;
  unsigned after_req;        /* sent once this many requests were taken */
} fk_beat_t;

/* What came back for one tag (the latest answer). */
typedef struct fk_rsp {
  unsigned nbeats;
  int done;
  uint8_t status;
  uint64_t done_cycle;
  unsigned order;            /* completion rank */
  uint8_t data[FK_RSP_BYTES];
} fk_rsp_t;

typedef struct fake {
  cosim_dut_t base;
  fk_req_t req[FK_REQS];
  unsigned nreq, req_taken;
  fk_beat_t beat[FK_BEATS];
  unsigned nbeat, beat_sent;
  unsigned bpb;              /* bytes per beat: DATA_W / 8 */
  unsigned ready_pct;        /* s_blk_rsp_ready 1 in this % of cycles */
  uint64_t rng;
  uint8_t rsp_ready;         /* the "register" behind s_blk_rsp_ready */
  uint64_t cycle;
  int cur_tag;               /* tag whose answer is streaming, -1 between answers */
  unsigned interleaved;      /* beats of another tag inside an answer */
  unsigned ndone;
  fk_rsp_t rsp[256];
} fake_t;

static uint32_t fk_rand(fake_t *f) {
  f->rng = f->rng * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(f->rng >> 33);
}

static void fk_destroy(cosim_dut_t *d) { free(d); }

static void fk_outputs(cosim_dut_t *d, vep_out_t *o) {
  fake_t *f = (fake_t *)d;
  memset(o, 0, sizeof(*o));
  o->s_rx_ready = 1;
  if (f->req_taken < f->nreq) {
    const fk_req_t *r = &f->req[f->req_taken];
    o->m_blk_req_valid = 1;
    o->m_blk_req_tag = r->tag;
    o->m_blk_req_type = r->type;
    o->m_blk_req_sector = r->sector;
    o->m_blk_req_bytes = r->bytes;
  }
  if (f->beat_sent < f->nbeat && f->req_taken >= f->beat[f->beat_sent].after_req) {
    const fk_beat_t *b = &f->beat[f->beat_sent];
    o->m_blk_wdata_valid = 1;
    for (unsigned i = 0; i < f->bpb; i++)
      o->m_blk_wdata_data[i / 8] |= (uint64_t)b->data[i] << (8 * (i % 8));
    o->m_blk_wdata_keep = b->keep;
    o->m_blk_wdata_last = b->last;
    o->m_blk_wdata_abort = b->abort;
  }
  o->s_blk_rsp_ready = f->rsp_ready;
}

static void fk_step(cosim_dut_t *d, const vep_in_t *in) {
  fake_t *f = (fake_t *)d;
  vep_out_t o;
  fk_outputs(d, &o);
  f->cycle++;
  if (!in->rst_ni) return;
  if (o.m_blk_req_valid && in->m_blk_req_ready) f->req_taken++;
  if (o.m_blk_wdata_valid) f->beat_sent++;
  if (in->s_blk_rsp_valid && o.s_blk_rsp_ready) {
    fk_rsp_t *r = &f->rsp[in->s_blk_rsp_tag];
    if (f->cur_tag < 0) {
      f->cur_tag = in->s_blk_rsp_tag;
      r->nbeats = 0;
      r->done = 0;
      memset(r->data, 0, sizeof(r->data));
    } else if (f->cur_tag != in->s_blk_rsp_tag) {
      f->interleaved++;
    }
    if ((r->nbeats + 1) * f->bpb <= FK_RSP_BYTES)
      for (unsigned i = 0; i < f->bpb; i++)
        r->data[f->bpb * r->nbeats + i] = (uint8_t)(in->s_blk_rsp_data[i / 8] >> (8 * (i % 8)));
    r->nbeats++;
    if (in->s_blk_rsp_last) {
      r->done = 1;
      r->status = in->s_blk_rsp_status;
      r->done_cycle = f->cycle;
      r->order = f->ndone++;
      f->cur_tag = -1;
    }
  }
  f->rsp_ready = (uint8_t)(fk_rand(f) % 100 < f->ready_pct);
}

static int fk_trace(cosim_dut_t *d, const char *path) {
  (void)d;
  (void)path;
  return -ENOTSUP;
}

static const char *fk_name(const cosim_dut_t *d) {
  (void)d;
  return "fake-blk";
}

static const cosim_dut_ops_t fk_ops = {fk_destroy, fk_outputs, fk_step, fk_trace, fk_name};

static int fk_factory(void *ctx, const cosim_cfg_t *cfg, cosim_errlog_t *log, cosim_dut_t **out) {
  (void)log;
  fake_t *f = calloc(1, sizeof(*f));
  if (!f) return -ENOMEM;
  f->base.ops = &fk_ops;
  f->bpb = cfg->params.DATA_W / 8;
  f->ready_pct = 100;
  f->rsp_ready = 1;
  f->cur_tag = -1;
  *(fake_t **)ctx = f;
  *out = &f->base;
  return 0;
}

/* Replaces t->sim by one around a fake endpoint, with the backend configured by the caller. */
static fake_t *fk_install(tb_t *t, const cosim_cfg_t *cfg, unsigned ready_pct) {
  tb_reconfigure(t, &t->cfg);  /* turns what the old simulation recorded into failures */
  fake_t *f = NULL;
  cosim_t *s = NULL;
  int rc = cosim_create_custom(cfg, fk_factory, &f, &s);
  if (rc < 0) {
    tb_fail(t, __FILE__, __LINE__, "cosim_create_custom: %s", strerror(-rc));
    tb_abort(t);
  }
  cosim_destroy(t->sim);
  t->sim = s;
  f->ready_pct = ready_pct;
  f->rng = t->cfg.seed ^ 0x1234567ull;
  return f;
}

static void fk_req(fake_t *f, uint8_t tag, uint8_t type, uint64_t sector, uint32_t bytes) {
  /* Once everything scripted has gone out, the script starts over (long tests). */
  if (f->req_taken == f->nreq && f->beat_sent == f->nbeat)
    f->nreq = f->req_taken = f->nbeat = f->beat_sent = 0;
  if (f->nreq < FK_REQS) f->req[f->nreq++] = (fk_req_t){tag, type, sector, bytes};
}

/* OUT data for the request just scripted, in random byte windows (lo, n) of a B-byte beat. With
 * abort_at >= 0 the data ends after that many beats with an abort beat (keep 0 when
 * abort_keep0). */
static void fk_data(tb_t *t, fake_t *f, const uint8_t *buf, uint32_t len, int abort_at,
                    int abort_keep0) {
  uint32_t pos = 0;
  int nb = 0;
  while (pos < len) {
    unsigned lo = tb_rand_below(&t->rng, f->bpb);
    unsigned n = 1 + tb_rand_below(&t->rng, f->bpb - lo);
    if (tb_rand_below(&t->rng, 2)) lo = 0, n = f->bpb;  /* mostly full beats */
    if (n > len - pos) n = len - pos;
    TB_REQUIRE(t, f->nbeat < FK_BEATS, "fake: beat script full");
    fk_beat_t *b = &f->beat[f->nbeat++];
    memset(b, 0, sizeof(*b));
    b->after_req = f->nreq;
    memcpy(b->data + lo, buf + pos, n);
    b->keep = (uint32_t)((((uint64_t)1 << n) - 1) << lo);
    pos += n;
    nb++;
    if (abort_at >= 0 && nb == abort_at + 1) {
      b->abort = 1;
      b->last = 1;
      if (abort_keep0) b->keep = 0, memset(b->data, 0, sizeof b->data);
      return;
    }
  }
  if (f->nbeat) f->beat[f->nbeat - 1].last = 1;
}

/* A beat with data in its low 8 bytes. */
static void fk_raw_beat(fake_t *f, uint64_t data, uint32_t keep, int last, int abort) {
  fk_beat_t *b = &f->beat[f->nbeat++];
  memset(b, 0, sizeof(*b));
  for (unsigned i = 0; i < 8; i++) b->data[i] = (uint8_t)(data >> (8 * i));
  b->keep = keep;
  b->last = (uint8_t)last;
  b->abort = (uint8_t)abort;
  b->after_req = f->nreq;
}

/* Runs until every scripted request has been answered (tags distinct), or fails. */
static void fk_wait(tb_t *t, fake_t *f, unsigned answers, uint64_t max) {
  uint64_t n = 0;
  while (f->ndone < answers && n < max) tb_run(t, 1), n++;
  TB_REQUIRE(t, f->ndone >= answers, "%u of %u answers after %llu cycles", f->ndone, answers,
             (unsigned long long)n);
  tb_run(t, 4);
}

static cosim_cfg_t base_cfg(tb_t *t) {
  cosim_cfg_t c = t->cfg;
  c.blk_image = NULL;
  c.blk_capacity = 4096;
  c.blk_ro = 0;
  c.blk_latency = 10;
  c.blk_jitter = 0;
  c.blk_flow_pct = 0;
  return c;
}

TB_TEST(blkport_in_out, "backend port: OUT then IN of random data, partial beats; storage and "
                        "counters agree") {
  cosim_cfg_t c = base_cfg(t);
  fake_t *f = fk_install(t, &c, 100);
  static uint8_t w[4][2048];
  uint64_t sec[4] = {0, 7, 100, 4095 - 3};
  uint32_t len[4] = {512, 1024, 2048, 2048};
  for (unsigned i = 0; i < 4; i++) {
    for (uint32_t k = 0; k < len[i]; k++) w[i][k] = (uint8_t)tb_rand32(&t->rng);
    fk_req(f, (uint8_t)i, VEP_BLK_T_OUT, sec[i], len[i]);
    fk_data(t, f, w[i], len[i], -1, 0);
  }
  fk_wait(t, f, 4, 20000);
  for (unsigned i = 0; i < 4; i++) {
    TB_CHECK_EQ_CTX(t, f->rsp[i].status, VEP_BLK_S_OK, "OUT tag %u", i);
    TB_CHECK_EQ_CTX(t, f->rsp[i].nbeats, 1, "OUT tag %u answers in one beat", i);
    uint8_t got[2048];
    TB_CHECK_EQ(t, cosim_storage_read_direct(cosim_blk_storage(t->sim), sec[i], len[i] / 512,
                                              got), 0);
    TB_CHECK(t, memcmp(got, w[i], len[i]) == 0, "storage holds the OUT data of tag %u", i);
  }
  unsigned base = f->ndone;
  for (unsigned i = 0; i < 4; i++) fk_req(f, (uint8_t)(10 + i), VEP_BLK_T_IN, sec[i], len[i]);
  fk_wait(t, f, base + 4, 20000);
  for (unsigned i = 0; i < 4; i++) {
    fk_rsp_t *r = &f->rsp[10 + i];
    TB_CHECK_EQ_CTX(t, r->status, VEP_BLK_S_OK, "IN tag %u", 10 + i);
    TB_CHECK_EQ_CTX(t, r->nbeats, len[i] / f->bpb, "IN tag %u: bytes/B beats", 10 + i);
    TB_CHECK(t, memcmp(r->data, w[i], len[i]) == 0, "IN tag %u returns the data written", 10 + i);
  }
  cosim_blkport_stats_t st;
  cosim_blk_stats(t->sim, &st);
  TB_CHECK_EQ(t, st.requests, 8);
  TB_CHECK_EQ(t, st.req_in, 4);
  TB_CHECK_EQ(t, st.req_out, 4);
  TB_CHECK_EQ(t, st.bytes_written, 512 + 1024 + 2048 + 2048);
  TB_CHECK_EQ(t, st.bytes_read, 512 + 1024 + 2048 + 2048);
  TB_CHECK_EQ(t, st.violations, 0);
  TB_CHECK(t, cosim_blk_idle(t->sim), "nothing outstanding");
  TB_CHECK_EQ(t, f->interleaved, 0);
}

TB_TEST(blkport_flush_get_id, "backend port: FLUSH answers in one beat; GET_ID in ceil(20/B) "
                              "beats: the serial, NUL padding, zeros") {
  cosim_cfg_t c = base_cfg(t);
  c.blk_serial = "vep-serial-0042";
  fake_t *f = fk_install(t, &c, 70);
  fk_req(f, 3, VEP_BLK_T_FLUSH, 0, 0);
  fk_req(f, 5, VEP_BLK_T_GET_ID, 0, VEP_BLK_ID_BYTES);
  fk_wait(t, f, 2, 20000);
  TB_CHECK_EQ(t, f->rsp[3].status, VEP_BLK_S_OK);
  TB_CHECK_EQ(t, f->rsp[3].nbeats, 1);
  TB_CHECK_EQ(t, f->rsp[5].status, VEP_BLK_S_OK);
  unsigned id_beats = (VEP_BLK_ID_BYTES + f->bpb - 1) / f->bpb;
  TB_CHECK_EQ(t, f->rsp[5].nbeats, id_beats);
  uint8_t want[32] = {0};
  memcpy(want, "vep-serial-0042", 15);
  TB_CHECK(t, memcmp(f->rsp[5].data, want, id_beats * f->bpb) == 0, "GET_ID data: '%.20s'",
           f->rsp[5].data);
  cosim_blkport_stats_t st;
  cosim_blk_stats(t->sim, &st);
  TB_CHECK_EQ(t, st.req_flush, 1);
  TB_CHECK_EQ(t, st.req_get_id, 1);
  TB_CHECK_EQ(t, st.violations, 0);
}

TB_TEST(blkport_out_of_order, "backend port: with jitter, answers overtake each other; the beats "
                              "of one answer are never interleaved with another's") {
  cosim_cfg_t c = base_cfg(t);
  c.blk_latency = 20;
  c.blk_jitter = 400;
  c.blk_flow_pct = 30;
  fake_t *f = fk_install(t, &c, 60);
  for (unsigned i = 0; i < 8; i++) {
    uint8_t buf[512];
    memset(buf, 0x40 + (int)i, sizeof buf);
    TB_CHECK_EQ(t, cosim_storage_write_direct(cosim_blk_storage(t->sim), 16 * i, 1, buf), 0);
  }
  for (unsigned i = 0; i < 8; i++) fk_req(f, (uint8_t)i, VEP_BLK_T_IN, 16 * i, 512);
  fk_wait(t, f, 8, 50000);
  unsigned inversions = 0;
  for (unsigned i = 0; i < 8; i++) {
    TB_CHECK_EQ_CTX(t, f->rsp[i].status, VEP_BLK_S_OK, "tag %u", i);
    TB_CHECK_EQ_CTX(t, f->rsp[i].data[0], 0x40 + i, "tag %u data", i);
    TB_CHECK_EQ_CTX(t, f->rsp[i].data[511], 0x40 + i, "tag %u data", i);
    for (unsigned j = i + 1; j < 8; j++) inversions += f->rsp[j].order < f->rsp[i].order;
  }
  TB_CHECK(t, inversions > 0, "answers came in request order (jitter 400 over 8 requests)");
  TB_CHECK_EQ(t, f->interleaved, 0);
}

TB_TEST(blkport_abort_ioerr, "backend port: an aborted OUT writes nothing and answers IOERR; out "
                             "of range and read-only answer IOERR in one beat") {
  cosim_cfg_t c = base_cfg(t);
  fake_t *f = fk_install(t, &c, 100);
  uint8_t w[1024], z[1024] = {0}, got[1024];
  for (unsigned k = 0; k < sizeof w; k++) w[k] = (uint8_t)(k * 7 + 1);
  fk_req(f, 1, VEP_BLK_T_OUT, 20, 1024);
  fk_data(t, f, w, 1024, 5, 0);            /* abort on the 6th beat, with data */
  fk_req(f, 2, VEP_BLK_T_OUT, 40, 1024);
  fk_data(t, f, w, 1024, 2, 1);            /* abort with keep 0 */
  fk_req(f, 3, VEP_BLK_T_IN, 4095, 1024);  /* beyond the capacity */
  fk_req(f, 4, VEP_BLK_T_OUT, 0, 512);     /* control: a good one after the aborts */
  fk_data(t, f, w, 512, -1, 0);
  fk_wait(t, f, 4, 20000);
  TB_CHECK_EQ(t, f->rsp[1].status, VEP_BLK_S_IOERR);
  TB_CHECK_EQ(t, f->rsp[2].status, VEP_BLK_S_IOERR);
  TB_CHECK_EQ(t, f->rsp[3].status, VEP_BLK_S_IOERR);
  TB_CHECK_EQ(t, f->rsp[3].nbeats, 1);
  TB_CHECK_EQ(t, f->rsp[4].status, VEP_BLK_S_OK);
  cosim_storage_t *st = cosim_blk_storage(t->sim);
  TB_CHECK_EQ(t, cosim_storage_read_direct(st, 20, 2, got), 0);
  TB_CHECK(t, memcmp(got, z, 1024) == 0, "aborted OUT wrote nothing");
  TB_CHECK_EQ(t, cosim_storage_read_direct(st, 40, 2, got), 0);
  TB_CHECK(t, memcmp(got, z, 1024) == 0, "aborted OUT wrote nothing");
  TB_CHECK_EQ(t, cosim_storage_read_direct(st, 0, 1, got), 0);
  TB_CHECK(t, memcmp(got, w, 512) == 0, "the OUT after the aborts was written");
  cosim_blkport_stats_t s;
  cosim_blk_stats(t->sim, &s);
  TB_CHECK_EQ(t, s.aborted, 2);
  TB_CHECK_EQ(t, s.violations, 0);

  /* A read-only medium: OUT fails, IN works. */
  c.blk_ro = 1;
  f = fk_install(t, &c, 100);
  TB_CHECK(t, cosim_storage_read_only(cosim_blk_storage(t->sim)), "medium read-only");
  fk_req(f, 7, VEP_BLK_T_OUT, 0, 512);
  fk_data(t, f, w, 512, -1, 0);
  fk_req(f, 8, VEP_BLK_T_IN, 0, 512);
  fk_wait(t, f, 2, 20000);
  TB_CHECK_EQ(t, f->rsp[7].status, VEP_BLK_S_IOERR);
  TB_CHECK_EQ(t, f->rsp[8].status, VEP_BLK_S_OK);
  TB_CHECK_EQ(t, cosim_storage_read_direct(cosim_blk_storage(t->sim), 0, 1, got), 0);
  TB_CHECK(t, memcmp(got, z, 512) == 0, "read-only medium unchanged");
}

/* One violation scenario: script it, run, expect a report naming `text`, consume it. */
static void expect_violation(tb_t *t, fake_t *f, const char *text, unsigned answers) {
  fk_wait(t, f, answers, 20000);
  TB_CHECK(t, tb_error_mentions(t, text), "no backend-port report mentioning '%s' (%u errors; "
           "first: %s)", text, cosim_error_count(t->sim),
           cosim_error(t->sim, 0) ? cosim_error(t->sim, 0) : "none");
  cosim_blkport_stats_t s;
  cosim_blk_stats(t->sim, &s);
  TB_CHECK(t, s.violations >= 1, "violation counted for '%s'", text);
  cosim_clear_errors(t->sim);
}

TB_TEST(blkport_violations, "backend port: tag reuse, data without OUT, too many/too few bytes, "
                            "keep not contiguous, unknown type are each reported") {
  cosim_cfg_t c = base_cfg(t);
  c.blk_latency = 200;
  uint8_t w[1024] = {1, 2, 3};
  fake_t *f = fk_install(t, &c, 100);
  fk_req(f, 9, VEP_BLK_T_IN, 0, 512);
  fk_req(f, 9, VEP_BLK_T_IN, 8, 512);
  expect_violation(t, f, "tag 9 reused while outstanding", 1);

  f = fk_install(t, &c, 100);
  fk_raw_beat(f, 0x1122334455667788ull, 0xFF, 1, 0);
  fk_req(f, 1, VEP_BLK_T_FLUSH, 0, 0);  /* something to wait for */
  expect_violation(t, f, "without a pending OUT request", 1);

  f = fk_install(t, &c, 100);
  fk_req(f, 2, VEP_BLK_T_OUT, 0, 512);
  fk_data(t, f, w, 520, -1, 0);
  expect_violation(t, f, "more data bytes than the 512 announced", 1);
  TB_CHECK_EQ(t, f->rsp[2].status, VEP_BLK_S_IOERR);

  f = fk_install(t, &c, 100);
  fk_req(f, 3, VEP_BLK_T_OUT, 0, 1024);
  fk_data(t, f, w, 1000, -1, 0);
  expect_violation(t, f, "fewer than the 1024 announced", 1);
  TB_CHECK_EQ(t, f->rsp[3].status, VEP_BLK_S_IOERR);

  f = fk_install(t, &c, 100);
  fk_req(f, 4, VEP_BLK_T_OUT, 0, 512);
  fk_raw_beat(f, 0, 0xF3, 0, 0);
  fk_data(t, f, w, 506, -1, 0);
  expect_violation(t, f, "keep 0xf3 is not one contiguous run", 1);
  TB_CHECK_EQ(t, f->rsp[4].status, VEP_BLK_S_IOERR);

  f = fk_install(t, &c, 100);
  fk_req(f, 5, 7, 0, 0);
  expect_violation(t, f, "unknown type 7", 1);
  TB_CHECK_EQ(t, f->rsp[5].status, VEP_BLK_S_UNSUPP);

  f = fk_install(t, &c, 100);
  fk_req(f, 6, VEP_BLK_T_IN, 0, 100);
  expect_violation(t, f, "bytes not a multiple of 512", 1);
  TB_CHECK_EQ(t, f->rsp[6].status, VEP_BLK_S_IOERR);
}

TB_TEST(blkport_random, "backend port: 300 random IN/OUT/FLUSH over 8 tags with stalls and "
                        "jitter, checked against a shadow disk") {
  cosim_cfg_t c = base_cfg(t);
  c.blk_capacity = 64;
  c.blk_latency = 5;
  c.blk_jitter = 60;
  c.blk_flow_pct = 40;
  c.blk_max_inflight = 4;
  fake_t *f = fk_install(t, &c, 50);
  static uint8_t shadow[64 * 512];
  uint8_t buf[2048];
  unsigned done = 0;
  cosim_blkport_stats_t st;
  for (unsigned round = 0; round < 60; round++) {
    /* Up to 5 requests at once on distinct tags; reads only of sectors no write in the batch
     * touches (answers may come in any order). */
    unsigned n = 1 + tb_rand_below(&t->rng, 5);
    uint64_t wsec[5], rsec[5];
    uint32_t wlen[5], rlen[5];
    unsigned nw = 0, nr = 0;
    uint8_t tags[5];
    for (unsigned i = 0; i < n; i++) {
      uint8_t tag = (uint8_t)(round * 5 + i);
      tags[i] = tag;
      unsigned kind = tb_rand_below(&t->rng, 10);
      uint32_t ns = 1 + tb_rand_below(&t->rng, 4);
      uint64_t sec = tb_rand_below(&t->rng, 64 - ns + 1);
      int wover = 0;  /* writes of one batch may complete in any order: keep them apart */
      for (unsigned k = 0; k < nw; k++) wover |= sec < wsec[k] + wlen[k] && wsec[k] < sec + ns;
      if (kind < 4 && wover) kind = 9;
      if (kind < 4) {
        for (uint32_t k = 0; k < ns * 512; k++) buf[k] = (uint8_t)tb_rand32(&t->rng);
        fk_req(f, tag, VEP_BLK_T_OUT, sec, ns * 512);
        fk_data(t, f, buf, ns * 512, -1, 0);
        memcpy(shadow + sec * 512, buf, ns * 512);
        wsec[nw] = sec, wlen[nw++] = ns;
      } else if (kind < 9) {
        fk_req(f, tag, VEP_BLK_T_IN, sec, ns * 512);
        rsec[nr] = sec, rlen[nr++] = ns;
      } else {
        fk_req(f, tag, VEP_BLK_T_FLUSH, 0, 0);
      }
    }
    done += n;
    fk_wait(t, f, done, 50000);
    /* Reads of sectors a write of the same batch also touched may see either; skip those. */
    unsigned ri = 0;
    for (unsigned i = 0; i < n; i++) {
      fk_rsp_t *r = &f->rsp[tags[i]];
      TB_CHECK_EQ_CTX(t, r->status, VEP_BLK_S_OK, "round %u tag %u", round, tags[i]);
      if (f->req[f->nreq - n + i].type != VEP_BLK_T_IN) continue;
      uint64_t s0 = rsec[ri];
      uint32_t ln = rlen[ri++];
      int overlap = 0;
      for (unsigned k = 0; k < nw; k++)
        overlap |= s0 < wsec[k] + wlen[k] && wsec[k] < s0 + ln;
      if (!overlap)
        TB_CHECK(t, memcmp(r->data, shadow + s0 * 512, ln * 512) == 0,
                 "round %u tag %u: IN data differs from the shadow disk", round, tags[i]);
    }
    cosim_blk_stats(t->sim, &st);
    TB_CHECK(t, st.max_outstanding <= 4, "in-flight bound: %u outstanding", st.max_outstanding);
  }
  uint8_t disk[64 * 512];
  TB_CHECK_EQ(t, cosim_storage_read_direct(cosim_blk_storage(t->sim), 0, 64, disk), 0);
  TB_CHECK(t, memcmp(disk, shadow, sizeof disk) == 0, "final disk equals the shadow");
  TB_CHECK_EQ(t, st.violations, 0);
  TB_CHECK_EQ(t, f->interleaved, 0);
}
