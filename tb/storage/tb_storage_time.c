/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the storage model's timing and durability (cosim/cosim_storage.h): latency and
 * seeded jitter, the in-flight bound, misuse refused, FLUSH and write-through on an image file.
 * No DUT: the same under every --dut. No TB_REQUIRE once something is allocated or a temporary
 * file exists, so every path frees and unlinks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cosim_storage.h"
#include "tb.h"

#define SEC COSIM_STORAGE_SECTOR

static int make_image(char *path, size_t len, uint64_t bytes) {
  snprintf(path, len, "/tmp/vep-storage-XXXXXX");
  int fd = mkstemp(path);
  if (fd < 0) return -errno;
  int rc = ftruncate(fd, (off_t)bytes) ? -errno : 0;
  close(fd);
  if (rc) unlink(path);
  return rc;
}

#define NREQ 96u

/* One run of the timing scenario: what came out, in order. */
typedef struct trace {
  unsigned n;
  uint64_t tag[NREQ];
  uint64_t at[NREQ];      /* the poll time that returned it */
} trace_t;

/* NREQ requests of every kind, submitted at random times 0..3 apart; polled every time unit.
 * Checks per completion: never before submit + latency, never after submit + latency + jitter
 * (it is polled every unit), `due` within the same bounds, and next_due announced it. */
static void timing_run(tb_t *t, uint64_t latency, uint64_t jitter, uint64_t seed, trace_t *tr) {
  cosim_storage_cfg_t cfg;
  cosim_storage_cfg_default(&cfg);
  cfg.capacity = 1024;
  cfg.latency = latency;
  cfg.jitter = jitter;
  cfg.seed = seed;
  cfg.max_inflight = NREQ;
  memset(tr, 0, sizeof *tr);
  cosim_storage_t *s = NULL;
  if (!TB_CHECK_EQ(t, cosim_storage_create(&cfg, &s, NULL, 0), 0)) return;
  uint64_t sub[NREQ];
  /* The request pattern comes from a fixed stream, not t->rng: two runs must submit the same. */
  tb_rng_t pat;
  tb_rng_seed(&pat, 42);
  uint8_t d[SEC] = {0};
  uint64_t now = 0, next_sub = 0;
  unsigned issued = 0, early = 0, late = 0;
  while (tr->n < NREQ && now < 100000) {
    if (issued < NREQ && now == next_sub) {
      cosim_storage_req_t r = {.tag = issued, .op = (cosim_storage_op_t)(issued % 4),
                               .sector = tb_rand_below(&pat, 1000), .nsectors = 1, .data = d};
      TB_CHECK_EQ_CTX(t, cosim_storage_submit(s, now, &r), 0, "submit %u", issued);
      sub[issued++] = now;
      next_sub = now + tb_rand_below(&pat, 4);
      if (next_sub == now) continue;  /* several submits in the same time unit */
    }
    uint64_t nd = cosim_storage_next_due(s);
    cosim_storage_cpl_t c;
    int rc;
    while ((rc = cosim_storage_poll(s, now, &c)) == 1) {
      if (!TB_CHECK(t, c.tag < issued, "unknown tag %llu", (unsigned long long)c.tag)) continue;
      uint64_t lo = sub[c.tag] + latency, hi = lo + jitter;
      early += now < lo;
      late += now > hi;
      TB_CHECK_EQ_CTX(t, c.submitted, sub[c.tag], "tag %llu", (unsigned long long)c.tag);
      TB_CHECK(t, c.due >= lo && c.due <= hi && c.due <= now, "tag %llu: due %llu outside "
               "[%llu, %llu] or after %llu", (unsigned long long)c.tag,
               (unsigned long long)c.due, (unsigned long long)lo, (unsigned long long)hi,
               (unsigned long long)now);
      TB_CHECK(t, nd <= c.due, "next_due %llu after a completion due %llu",
               (unsigned long long)nd, (unsigned long long)c.due);
      tr->tag[tr->n] = c.tag;
      tr->at[tr->n++] = now;
    }
    TB_CHECK_EQ(t, rc, 0);
    /* Nothing due: next_due is in the future (or nothing is in flight). */
    uint64_t nd2 = cosim_storage_next_due(s);
    TB_CHECK(t, nd2 > now, "next_due %llu not after %llu with nothing returned",
             (unsigned long long)nd2, (unsigned long long)now);
    now++;
  }
  TB_CHECK_EQ(t, tr->n, NREQ);
  TB_CHECK_EQ_CTX(t, early, 0, "completions before their latency");
  TB_CHECK_EQ_CTX(t, late, 0, "completions held past latency + jitter");
  TB_CHECK_EQ(t, cosim_storage_next_due(s), UINT64_MAX);
  /* Time never goes back. */
  cosim_storage_cpl_t c;
  cosim_storage_req_t r = {.op = COSIM_STORAGE_FLUSH};
  TB_CHECK_EQ(t, cosim_storage_poll(s, now - 2, &c), -EINVAL);
  TB_CHECK_EQ(t, cosim_storage_submit(s, now - 2, &r), -EINVAL);
  cosim_storage_destroy(s);
}

static unsigned reorders(const trace_t *tr) {
  unsigned n = 0;
  for (unsigned i = 1; i < tr->n; i++) n += tr->tag[i] < tr->tag[i - 1];
  return n;
}

TB_TEST(storage_latency_jitter, "Storage timing: without jitter every completion at exactly "
                                "submit + latency, in submission order; with jitter within "
                                "[latency, latency + jitter], never early, reordered, the same "
                                "order and times again for the same seed and not for another; "
                                "time going back refused") {
  trace_t *a = malloc(sizeof *a), *b = malloc(sizeof *b), *c = malloc(sizeof *c);
  if (TB_CHECK(t, a && b && c, "out of memory")) {
    timing_run(t, 10, 0, 1, a);
    TB_CHECK_EQ_CTX(t, reorders(a), 0, "reordered completions without jitter");
    timing_run(t, 0, 0, 1, a);
    TB_CHECK_EQ_CTX(t, reorders(a), 0, "reordered completions, latency 0");
    uint64_t seed = tb_rand64(&t->rng);
    timing_run(t, 25, 40, seed, a);
    timing_run(t, 25, 40, seed, b);
    timing_run(t, 25, 40, seed + 1, c);
    TB_CHECK(t, reorders(a) > 0, "jitter 40 never reordered %u completions", a->n);
    TB_CHECK(t, a->n == b->n && memcmp(a->tag, b->tag, sizeof a->tag) == 0 &&
                    memcmp(a->at, b->at, sizeof a->at) == 0,
             "the same seed gave another completion order or time");
    TB_CHECK(t, memcmp(a->tag, c->tag, sizeof a->tag) != 0 || memcmp(a->at, c->at, sizeof a->at),
             "seeds %llu and %llu gave the same completions", (unsigned long long)seed,
             (unsigned long long)(seed + 1));
  }
  free(a);
  free(b);
  free(c);
}

TB_TEST(storage_inflight_bound, "Storage: max_inflight 4 accepted, the 5th -EBUSY until a "
                                "completion is polled (not merely due); refused requests "
                                "(unknown op, WRITE without data, above max_req_sectors) -EINVAL "
                                "and not counted; the 64 default") {
  cosim_storage_cfg_t cfg;
  cosim_storage_cfg_default(&cfg);
  cfg.capacity = 4096;
  cfg.latency = 10;
  cfg.max_inflight = 4;
  cfg.max_req_sectors = 16;
  cosim_storage_t *s = NULL;
  TB_REQUIRE(t, cosim_storage_create(&cfg, &s, NULL, 0) == 0, "create");
  uint8_t d[17 * SEC] = {0};
  cosim_storage_req_t r = {.op = COSIM_STORAGE_READ, .sector = 0, .nsectors = 1};
  for (unsigned i = 0; i < 4; i++) {
    r.tag = i;
    TB_CHECK_EQ_CTX(t, cosim_storage_submit(s, i, &r), 0, "request %u", i);
  }
  TB_CHECK_EQ(t, cosim_storage_inflight(s), 4);
  r.tag = 4;
  TB_CHECK_EQ(t, cosim_storage_submit(s, 5, &r), -EBUSY);
  TB_CHECK_EQ_CTX(t, cosim_storage_submit(s, 20, &r), -EBUSY, "due but not polled");
  cosim_storage_cpl_t c;
  TB_CHECK_EQ(t, cosim_storage_poll(s, 20, &c), 1);
  TB_CHECK_EQ(t, c.tag, 0);
  TB_CHECK_EQ(t, cosim_storage_inflight(s), 3);
  TB_CHECK_EQ(t, cosim_storage_submit(s, 20, &r), 0);
  TB_CHECK_EQ(t, cosim_storage_submit(s, 20, &r), -EBUSY);
  /* Drain: tags 1, 2, 3, 4 in that order. */
  for (unsigned i = 1; i <= 4; i++) {
    TB_CHECK_EQ_CTX(t, cosim_storage_poll(s, 40, &c), 1, "drain %u", i);
    TB_CHECK_EQ_CTX(t, c.tag, i, "drain order");
  }
  TB_CHECK_EQ(t, cosim_storage_poll(s, 40, &c), 0);
  TB_CHECK_EQ(t, cosim_storage_inflight(s), 0);
  /* Requests the device function must never make. */
  cosim_storage_req_t bad = {.op = (cosim_storage_op_t)7};
  TB_CHECK_EQ(t, cosim_storage_submit(s, 40, &bad), -EINVAL);
  bad = (cosim_storage_req_t){.op = COSIM_STORAGE_WRITE, .nsectors = 1, .data = NULL};
  TB_CHECK_EQ(t, cosim_storage_submit(s, 40, &bad), -EINVAL);
  bad = (cosim_storage_req_t){.op = COSIM_STORAGE_WRITE, .nsectors = 17, .data = d};
  TB_CHECK_EQ(t, cosim_storage_submit(s, 40, &bad), -EINVAL);
  bad.op = COSIM_STORAGE_READ;
  TB_CHECK_EQ(t, cosim_storage_submit(s, 40, &bad), -EINVAL);
  TB_CHECK_EQ(t, cosim_storage_submit(s, 40, NULL), -EINVAL);
  TB_CHECK_EQ(t, cosim_storage_inflight(s), 0);
  bad.nsectors = 16;
  TB_CHECK_EQ_CTX(t, cosim_storage_submit(s, 40, &bad), 0, "max_req_sectors itself");
  cosim_storage_stats_t st;
  cosim_storage_get_stats(s, &st);
  TB_CHECK_EQ(t, st.submitted, 6);
  cosim_storage_destroy(s);  /* with one request in flight: freed, not leaked */

  cosim_storage_cfg_default(&cfg);
  cfg.capacity = 1;
  s = NULL;
  TB_REQUIRE(t, cosim_storage_create(&cfg, &s, NULL, 0) == 0, "create");
  cosim_storage_req_t f = {.op = COSIM_STORAGE_FLUSH};
  unsigned ok = 0;
  while (ok < 1000 && cosim_storage_submit(s, 0, &f) == 0) ok++;
  TB_CHECK_EQ_CTX(t, ok, COSIM_STORAGE_DEF_MAX_INFLIGHT, "default bound");
  cosim_storage_destroy(s);
}

/* Writes nw random requests (1..8 sectors) to s and completes them, applying them to shadow. */
static void write_some(tb_t *t, cosim_storage_t *s, uint64_t *now, uint8_t *shadow, uint32_t cap,
                       unsigned nw) {
  uint8_t d[8 * SEC];
  for (unsigned i = 0; i < nw; i++) {
    uint32_t n = 1 + tb_rand_below(&t->rng, 8);
    uint64_t sector = tb_rand_below(&t->rng, cap - n + 1);
    for (size_t k = 0; k < (size_t)n * SEC; k++) d[k] = (uint8_t)tb_rand32(&t->rng);
    cosim_storage_req_t r = {.tag = i, .op = COSIM_STORAGE_WRITE, .sector = sector,
                             .nsectors = n, .data = d};
    TB_CHECK_EQ(t, cosim_storage_submit(s, *now, &r), 0);
    cosim_storage_cpl_t c;
    *now = cosim_storage_next_due(s);
    if (TB_CHECK_EQ(t, cosim_storage_poll(s, *now, &c), 1) &&
        TB_CHECK_EQ(t, c.status, COSIM_STORAGE_OK))
      memcpy(shadow + sector * SEC, d, (size_t)n * SEC);
  }
}

/* The image as another process sees it, compared with shadow; the count of differing sectors. */
static unsigned image_diff(tb_t *t, const char *path, const uint8_t *shadow, uint32_t cap) {
  int fd = open(path, O_RDONLY);
  if (!TB_CHECK(t, fd >= 0, "second open of %s", path)) return cap;
  unsigned bad = 0;
  uint8_t buf[SEC];
  for (uint32_t i = 0; i < cap; i++)
    bad += pread(fd, buf, SEC, (off_t)i * SEC) != SEC || memcmp(buf, shadow + (size_t)i * SEC, SEC);
  close(fd);
  return bad;
}

TB_TEST(storage_flush_durable, "Storage durability on an image file: write-back WRITEs sync "
                               "nothing; a FLUSH submitted after them completes after its "
                               "latency with one fsync, and a second open sees every byte; "
                               "write-through: one fdatasync per WRITE before it completes, the "
                               "data visible at once; switched at run time; RAM FLUSH OK") {
  const uint32_t cap = 256;
  char path[64];
  TB_REQUIRE(t, make_image(path, sizeof path, (uint64_t)cap * SEC) == 0, "mkstemp in /tmp");
  uint8_t *shadow = calloc(cap, SEC);
  cosim_storage_t *s = NULL;
  cosim_storage_cfg_t cfg;
  cosim_storage_cfg_default(&cfg);
  cfg.path = path;
  cfg.latency = 30;
  cfg.jitter = 5;
  cfg.seed = tb_rand64(&t->rng);
  if (!TB_CHECK(t, shadow, "out of memory") ||
      !TB_CHECK_EQ(t, cosim_storage_create(&cfg, &s, NULL, 0), 0))
    goto out;
  uint64_t now = 0;
  cosim_storage_stats_t st;
  write_some(t, s, &now, shadow, cap, 20);
  cosim_storage_get_stats(s, &st);
  TB_CHECK_EQ_CTX(t, st.fsyncs + st.fdatasyncs, 0, "syncs by write-back WRITEs");
  /* The FLUSH: not complete before its latency, complete after it with one fsync. */
  cosim_storage_req_t f = {.tag = 77, .op = COSIM_STORAGE_FLUSH};
  TB_CHECK_EQ(t, cosim_storage_submit(s, now, &f), 0);
  cosim_storage_cpl_t c;
  TB_CHECK_EQ_CTX(t, cosim_storage_poll(s, now + 29, &c), 0, "FLUSH before its latency");
  cosim_storage_get_stats(s, &st);
  TB_CHECK_EQ_CTX(t, st.fsyncs, 0, "fsync before the FLUSH completes");
  if (TB_CHECK_EQ(t, cosim_storage_poll(s, now + 35, &c), 1)) {
    TB_CHECK_EQ(t, c.tag, 77);
    TB_CHECK_EQ(t, c.op, COSIM_STORAGE_FLUSH);
    TB_CHECK_EQ(t, c.status, COSIM_STORAGE_OK);
  }
  now += 35;
  cosim_storage_get_stats(s, &st);
  TB_CHECK_EQ_CTX(t, st.fsyncs, 1, "fsyncs by one FLUSH");
  TB_CHECK_EQ_CTX(t, image_diff(t, path, shadow, cap), 0, "sectors differing after FLUSH");

  /* Write-through from now on: each WRITE synced before its completion is returned. */
  cosim_storage_set_write_through(s, 1);
  write_some(t, s, &now, shadow, cap, 10);
  cosim_storage_get_stats(s, &st);
  TB_CHECK_EQ_CTX(t, st.fdatasyncs, 10, "fdatasyncs by 10 write-through WRITEs");
  TB_CHECK_EQ_CTX(t, st.fsyncs, 1, "fsyncs");
  TB_CHECK_EQ_CTX(t, image_diff(t, path, shadow, cap), 0, "sectors differing, write-through");
  cosim_storage_set_write_through(s, 0);
  write_some(t, s, &now, shadow, cap, 3);
  cosim_storage_get_stats(s, &st);
  TB_CHECK_EQ_CTX(t, st.fdatasyncs, 10, "fdatasyncs after write-through was switched off");
  cosim_storage_destroy(s);
  s = NULL;

  /* Write-through from the configuration. */
  cfg.write_through = 1;
  if (TB_CHECK_EQ(t, cosim_storage_create(&cfg, &s, NULL, 0), 0)) {
    now = 0;
    write_some(t, s, &now, shadow, cap, 4);
    cosim_storage_get_stats(s, &st);
    TB_CHECK_EQ_CTX(t, st.fdatasyncs, 4, "fdatasyncs with cfg.write_through");
    TB_CHECK_EQ_CTX(t, image_diff(t, path, shadow, cap), 0, "sectors differing");
    cosim_storage_destroy(s);
    s = NULL;
  }
  /* RAM: nothing to sync, FLUSH OK after its latency. */
  cosim_storage_cfg_default(&cfg);
  cfg.capacity = 8;
  cfg.latency = 4;
  if (TB_CHECK_EQ(t, cosim_storage_create(&cfg, &s, NULL, 0), 0)) {
    TB_CHECK_EQ(t, cosim_storage_submit(s, 10, &f), 0);
    TB_CHECK_EQ(t, cosim_storage_poll(s, 13, &c), 0);
    TB_CHECK(t, cosim_storage_poll(s, 14, &c) == 1 && c.status == COSIM_STORAGE_OK, "RAM FLUSH");
    cosim_storage_get_stats(s, &st);
    TB_CHECK_EQ(t, st.fsyncs, 0);
  }
out:
  cosim_storage_destroy(s);
  free(shadow);
  unlink(path);
}
