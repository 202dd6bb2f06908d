/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the storage model's contents (cosim/cosim_storage.h): RAM and image-file
 * backends, random round trips against a shadow array kept here, out-of-range requests, the
 * read-only medium, GET_ID, and image files the model must refuse. No DUT: the same under every
 * --dut. Checks record and go on (no TB_REQUIRE once something is allocated or a temporary file
 * exists), so every path frees its memory and unlinks its files.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cosim_storage.h"
#include "tb.h"

#define SEC COSIM_STORAGE_SECTOR

/* A temporary image of `bytes` bytes (holes read 0) in path; 0 or -errno. */
static int make_image(char *path, size_t len, uint64_t bytes) {
  snprintf(path, len, "/tmp/vep-storage-XXXXXX");
  int fd = mkstemp(path);
  if (fd < 0) return -errno;
  int rc = ftruncate(fd, (off_t)bytes) ? -errno : 0;
  close(fd);
  if (rc) unlink(path);
  return rc;
}

/* A second, independent view of the image: what another process would read. */
static int read_image(const char *path, uint64_t off, void *buf, size_t len) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -errno;
  ssize_t r = pread(fd, buf, len, (off_t)off);
  close(fd);
  return r == (ssize_t)len ? 0 : -EIO;
}

static void fill_random(tb_t *t, uint8_t *b, size_t len) {
  for (size_t i = 0; i < len; i++) b[i] = (uint8_t)tb_rand32(&t->rng);
}

/* Submits one request, lets its latency pass, and returns its completion's status (or the
 * negative errno of submit/poll). *now advances to the completion time. */
static int do_one(cosim_storage_t *s, uint64_t *now, const cosim_storage_req_t *req,
                  cosim_storage_cpl_t *cpl) {
  int rc = cosim_storage_submit(s, *now, req);
  if (rc) return rc;
  *now = cosim_storage_next_due(s);
  rc = cosim_storage_poll(s, *now, cpl);
  if (rc != 1) return rc < 0 ? rc : -ENODATA;
  return (int)cpl->status;
}

#define WL_SLOTS 8u
#define WL_MAXN 40u

typedef struct wl_slot {
  int used;
  cosim_storage_op_t op;
  uint64_t sector;
  uint32_t n;
  uint8_t data[WL_MAXN * SEC];
} wl_slot_t;

/* Random READs and WRITEs of 0..WL_MAXN sectors inside [base, base + span), up to WL_SLOTS in
 * flight. Requests take effect when they complete, so the shadow is updated (WRITE) or compared
 * (READ) at each completion, in completion order; at the end every byte of the span is compared
 * through read_direct. shadow holds the span's expected contents on entry; written[i] (when
 * not NULL) is set for every sector of the span a WRITE completed on. */
static void workload(tb_t *t, cosim_storage_t *s, uint64_t base, uint32_t span, unsigned nreq,
                     uint8_t *shadow, wl_slot_t *slot, uint8_t *written) {
  uint64_t now = 0;
  unsigned done = 0, issued = 0, bad_reads = 0, reordered = 0;
  uint64_t last_tag = 0;
  memset(slot, 0, WL_SLOTS * sizeof *slot);
  while (done < nreq && now < 1000000) {
    unsigned k = tb_rand_below(&t->rng, WL_SLOTS);
    if (issued < nreq && !slot[k].used && tb_rand_below(&t->rng, 4) == 0) {
      wl_slot_t *w = &slot[k];
      unsigned pick = tb_rand_below(&t->rng, 4);
      w->n = pick == 0 ? 1 : pick == 1 ? WL_MAXN : tb_rand_below(&t->rng, WL_MAXN + 1);
      w->sector = base + tb_rand_below(&t->rng, span - w->n + 1);
      w->op = tb_rand_below(&t->rng, 2) ? COSIM_STORAGE_WRITE : COSIM_STORAGE_READ;
      if (w->op == COSIM_STORAGE_WRITE) fill_random(t, w->data, (size_t)w->n * SEC);
      cosim_storage_req_t r = {.tag = ((uint64_t)issued << 8) | k, .op = w->op,
                               .sector = w->sector, .nsectors = w->n, .data = w->data};
      if (TB_CHECK_EQ_CTX(t, cosim_storage_submit(s, now, &r), 0, "submit %u", issued)) {
        w->used = 1;
        issued++;
      }
    }
    cosim_storage_cpl_t c;
    int rc;
    while ((rc = cosim_storage_poll(s, now, &c)) == 1) {
      unsigned i = (unsigned)(c.tag & 0xFF);
      if (!TB_CHECK(t, i < WL_SLOTS && slot[i].used, "completion with unknown tag 0x%llx",
                    (unsigned long long)c.tag))
        continue;
      wl_slot_t *w = &slot[i];
      reordered += c.tag >> 8 < last_tag;
      last_tag = c.tag >> 8;
      TB_CHECK_EQ_CTX(t, c.status, COSIM_STORAGE_OK, "request %llu",
                      (unsigned long long)(c.tag >> 8));
      TB_CHECK_EQ_CTX(t, c.op, w->op, "op of request %llu", (unsigned long long)(c.tag >> 8));
      TB_CHECK_EQ_CTX(t, c.sector, w->sector, "sector of request %llu",
                      (unsigned long long)(c.tag >> 8));
      size_t off = (size_t)(w->sector - base) * SEC, len = (size_t)w->n * SEC;
      if (w->op == COSIM_STORAGE_WRITE) {
        memcpy(shadow + off, w->data, len);
        if (written) memset(written + (w->sector - base), 1, w->n);
      } else if (TB_CHECK_EQ_CTX(t, c.len, len, "READ length")) {
        bad_reads += len && memcmp(c.data, shadow + off, len) != 0;
      }
      w->used = 0;
      done++;
    }
    TB_CHECK_EQ_CTX(t, rc, 0, "poll at %llu", (unsigned long long)now);
    now++;
  }
  TB_CHECK_EQ_CTX(t, done, nreq, "requests completed");
  TB_CHECK_EQ(t, bad_reads, 0);
  TB_CHECK(t, reordered > 0, "jitter never reordered completions in %u requests", nreq);
  /* Every byte, independently of the request path. */
  uint8_t buf[SEC];
  unsigned bad = 0;
  for (uint32_t i = 0; i < span; i++) {
    TB_CHECK_EQ(t, cosim_storage_read_direct(s, base + i, 1, buf), 0);
    bad += memcmp(buf, shadow + (size_t)i * SEC, SEC) != 0;
  }
  TB_CHECK_EQ_CTX(t, bad, 0, "sectors differing from the shadow (of %u)", span);
}

TB_TEST(storage_ram_roundtrip, "Storage, RAM (4 GiB, sparse): 600 random READ/WRITE of 0..40 "
                               "sectors up to 8 in flight with jitter, in the last 1024 sectors "
                               "and a preloaded half; each READ equals the shadow at its "
                               "completion; every byte equal by read_direct; memory for exactly "
                               "the sectors written") {
  const uint64_t cap = 8ull << 20;  /* 4 GiB */
  const uint32_t span = 1024;
  const uint64_t base = cap - span;
  cosim_storage_cfg_t cfg;
  cosim_storage_cfg_default(&cfg);
  cfg.capacity = cap;
  cfg.latency = 5;
  cfg.jitter = 20;
  cfg.seed = tb_rand64(&t->rng);
  cosim_storage_t *s = NULL;
  char err[160];
  TB_REQUIRE(t, cosim_storage_create(&cfg, &s, err, sizeof err) == 0, "create: %s", err);
  uint8_t *shadow = calloc(span, SEC);
  wl_slot_t *slot = malloc(WL_SLOTS * sizeof *slot);
  uint8_t written[1024] = {0};
  if (TB_CHECK(t, shadow && slot, "out of memory")) {
    TB_CHECK_EQ(t, cosim_storage_capacity(s), cap);
    TB_CHECK_EQ(t, cosim_storage_read_only(s), 0);
    /* Preload the upper half through the direct path. */
    fill_random(t, shadow + (size_t)span / 2 * SEC, (size_t)span / 2 * SEC);
    TB_CHECK_EQ(t, cosim_storage_write_direct(s, base + span / 2, span / 2,
                                              shadow + (size_t)span / 2 * SEC), 0);
    memset(written + span / 2, 1, span / 2);
    workload(t, s, base, span, 600, shadow, slot, written);
    /* Sparse: memory for exactly the sectors ever written, and a read of untouched sectors
     * elsewhere gives zeros and allocates nothing. */
    unsigned nwritten = 0;
    for (uint32_t i = 0; i < span; i++) nwritten += written[i];
    cosim_storage_stats_t st;
    cosim_storage_get_stats(s, &st);
    TB_CHECK_EQ_CTX(t, st.ram_sectors, nwritten, "sectors holding memory vs sectors written");
    uint8_t buf[4 * SEC], zero[4 * SEC] = {0};
    memset(buf, 0xA5, sizeof buf);
    TB_CHECK_EQ(t, cosim_storage_read_direct(s, cap / 2, 4, buf), 0);
    TB_CHECK(t, memcmp(buf, zero, sizeof buf) == 0, "untouched sectors do not read 0");
    cosim_storage_stats_t st2;
    cosim_storage_get_stats(s, &st2);
    TB_CHECK_EQ_CTX(t, st2.ram_sectors, st.ram_sectors, "sectors allocated by a read");
  }
  free(slot);
  free(shadow);
  cosim_storage_destroy(s);
}

TB_TEST(storage_ram_sparse, "Storage, RAM of 2^40 sectors (512 TiB): writes to sector 0, the "
                            "last sector and 2^39 take one sector of memory each and read back; "
                            "their neighbours read 0") {
  cosim_storage_cfg_t cfg;
  cosim_storage_cfg_default(&cfg);
  cfg.capacity = 1ull << 40;
  cosim_storage_t *s = NULL;
  TB_REQUIRE(t, cosim_storage_create(&cfg, &s, NULL, 0) == 0, "create");
  const uint64_t at[] = {0, (1ull << 40) - 1, 1ull << 39};
  uint8_t d[SEC], buf[SEC], zero[SEC] = {0};
  uint64_t now = 0;
  cosim_storage_cpl_t c;
  for (unsigned i = 0; i < 3; i++) {
    memset(d, 0x31 + i, sizeof d);
    cosim_storage_req_t r = {.tag = i, .op = COSIM_STORAGE_WRITE, .sector = at[i], .nsectors = 1,
                             .data = d};
    TB_CHECK_EQ_CTX(t, do_one(s, &now, &r, &c), COSIM_STORAGE_OK, "write at 0x%llx",
                    (unsigned long long)at[i]);
  }
  cosim_storage_stats_t st;
  cosim_storage_get_stats(s, &st);
  TB_CHECK_EQ(t, st.ram_sectors, 3);
  for (unsigned i = 0; i < 3; i++) {
    memset(d, 0x31 + i, sizeof d);
    cosim_storage_req_t r = {.tag = i, .op = COSIM_STORAGE_READ, .sector = at[i], .nsectors = 1};
    if (TB_CHECK_EQ(t, do_one(s, &now, &r, &c), COSIM_STORAGE_OK))
      TB_CHECK(t, c.len == SEC && memcmp(c.data, d, SEC) == 0, "sector 0x%llx does not read back",
               (unsigned long long)at[i]);
    if (at[i] > 0) {
      TB_CHECK_EQ(t, cosim_storage_read_direct(s, at[i] - 1, 1, buf), 0);
      TB_CHECK(t, memcmp(buf, zero, SEC) == 0, "sector before 0x%llx", (unsigned long long)at[i]);
    }
    if (at[i] + 1 < cfg.capacity) {
      TB_CHECK_EQ(t, cosim_storage_read_direct(s, at[i] + 1, 1, buf), 0);
      TB_CHECK(t, memcmp(buf, zero, SEC) == 0, "sector after 0x%llx", (unsigned long long)at[i]);
    }
  }
  cosim_storage_get_stats(s, &st);
  TB_CHECK_EQ_CTX(t, st.ram_sectors, 3, "after reads");
  cosim_storage_destroy(s);
}

TB_TEST(storage_file_roundtrip, "Storage, image file (mkstemp, 1 MiB): 400 random READ/WRITE "
                                "with jitter against a shadow preloaded from the file; every "
                                "byte equal by read_direct and by a second open of the file "
                                "after the model is destroyed") {
  const uint32_t span = 2048;
  char path[64];
  TB_REQUIRE(t, make_image(path, sizeof path, (uint64_t)span * SEC) == 0, "mkstemp in /tmp");
  uint8_t *shadow = malloc((size_t)span * SEC);
  uint8_t *again = malloc((size_t)span * SEC);
  wl_slot_t *slot = malloc(WL_SLOTS * sizeof *slot);
  cosim_storage_t *s = NULL;
  if (!TB_CHECK(t, shadow && again && slot, "out of memory")) goto out;
  /* Contents written behind the model's back before it opens the file. */
  fill_random(t, shadow, (size_t)span * SEC);
  int fd = open(path, O_WRONLY);
  TB_CHECK(t, fd >= 0 && pwrite(fd, shadow, (size_t)span * SEC, 0) == (ssize_t)span * SEC,
           "preload %s", path);
  if (fd >= 0) close(fd);
  cosim_storage_cfg_t cfg;
  cosim_storage_cfg_default(&cfg);
  cfg.path = path;
  cfg.capacity = 7;  /* ignored: the file's size decides */
  cfg.latency = 3;
  cfg.jitter = 15;
  cfg.seed = tb_rand64(&t->rng);
  char err[160];
  if (!TB_CHECK_EQ_CTX(t, cosim_storage_create(&cfg, &s, err, sizeof err), 0, "%s", err)) goto out;
  TB_CHECK_EQ(t, cosim_storage_capacity(s), span);
  TB_CHECK_EQ(t, cosim_storage_read_only(s), 0);
  workload(t, s, 0, span, 400, shadow, slot, NULL);
  cosim_storage_destroy(s);
  s = NULL;
  TB_CHECK_EQ(t, read_image(path, 0, again, (size_t)span * SEC), 0);
  TB_CHECK(t, memcmp(again, shadow, (size_t)span * SEC) == 0,
           "the file read by another open differs from the shadow");
out:
  cosim_storage_destroy(s);
  free(slot);
  free(again);
  free(shadow);
  unlink(path);
}

/* Out-of-range requests on s (capacity cap, contents `want` of cap sectors): IOERR, no data, and
 * nothing changes (contents, and for RAM the memory). */
static void out_of_range(tb_t *t, cosim_storage_t *s, uint64_t cap, const uint8_t *want,
                         const char *what) {
  static const struct {
    uint64_t back;   /* sector = cap - back (modulo 2^64) */
    uint32_t n;
    int ok;
  } cases[] = {
      {0, 1, 0},           /* first sector past the end */
      {1, 2, 0},           /* straddles the end */
      {1, 1, 1},           /* the last sector: fine */
      {0, 0, 1},           /* empty at the end: fine */
      {(uint64_t)-1, 0, 0},  /* empty past the end */
      {4, 5, 0},
      {0, 8, 0},
  };
  uint8_t d[8 * SEC], buf[SEC];
  memset(d, 0xEE, sizeof d);
  uint64_t now = 0;
  unsigned nerr = 0;
  cosim_storage_stats_t st0, st1;
  cosim_storage_get_stats(s, &st0);
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint64_t sector = cap - cases[i].back;
    for (int w = 0; w < 2; w++) {
      cosim_storage_cpl_t c;
      cosim_storage_req_t r = {.tag = i, .op = w ? COSIM_STORAGE_WRITE : COSIM_STORAGE_READ,
                               .sector = sector, .nsectors = cases[i].n, .data = d};
      int want_st = cases[i].ok ? COSIM_STORAGE_OK : COSIM_STORAGE_IOERR;
      nerr += !cases[i].ok;
      /* The one in-range write would change the last sector: write what it holds. */
      if (w && cases[i].ok && cases[i].n) memcpy(d, want + (cap - 1) * SEC, SEC);
      int rc = do_one(s, &now, &r, &c);
      TB_CHECK_EQ_CTX(t, rc, want_st, "%s: %s of %u at capacity%+lld", what, w ? "WRITE" : "READ",
                      cases[i].n, -(long long)cases[i].back);
      if (rc == COSIM_STORAGE_IOERR) TB_CHECK(t, !c.data && !c.len, "%s: IOERR with data", what);
      memset(d, 0xEE, sizeof d);
    }
  }
  /* Sectors past 2^64 / 512 and a range wrapping past 2^64. */
  const uint64_t far[][2] = {{UINT64_MAX, 1}, {UINT64_MAX - 2, 8}, {1ull << 55, 1}};
  for (unsigned i = 0; i < 3; i++)
    for (int w = 0; w < 2; w++) {
      cosim_storage_cpl_t c;
      cosim_storage_req_t r = {.op = w ? COSIM_STORAGE_WRITE : COSIM_STORAGE_READ,
                               .sector = far[i][0], .nsectors = (uint32_t)far[i][1], .data = d};
      TB_CHECK_EQ_CTX(t, do_one(s, &now, &r, &c), COSIM_STORAGE_IOERR, "%s: %s at 0x%llx", what,
                      w ? "WRITE" : "READ", (unsigned long long)far[i][0]);
    }
  cosim_storage_get_stats(s, &st1);
  TB_CHECK_EQ_CTX(t, st1.ram_sectors, st0.ram_sectors, "%s: memory taken by failed writes", what);
  TB_CHECK_EQ_CTX(t, st1.ioerr - st0.ioerr, nerr + 2 * 3, "%s: IOERR count", what);
  TB_CHECK_EQ_CTX(t, cosim_storage_read_direct(s, cap, 1, buf), -EINVAL, "%s", what);
  TB_CHECK_EQ_CTX(t, cosim_storage_write_direct(s, cap - 1, 2, d), -EINVAL, "%s", what);
  unsigned bad = 0;
  for (uint64_t i = 0; i < cap; i++) {
    TB_CHECK_EQ(t, cosim_storage_read_direct(s, i, 1, buf), 0);
    bad += memcmp(buf, want + i * SEC, SEC) != 0;
  }
  TB_CHECK_EQ_CTX(t, bad, 0, "%s: sectors changed by out-of-range requests", what);
}

TB_TEST(storage_out_of_range, "Storage, RAM and file: READ/WRITE past the end, straddling it, "
                              "empty past it, at sectors near 2^64 (no wrap): IOERR without data; "
                              "nothing written, no memory taken; the last sector and an empty "
                              "request at the end are OK") {
  const uint64_t cap = 64;
  uint8_t want[64 * SEC];
  fill_random(t, want, sizeof want);
  cosim_storage_cfg_t cfg;
  cosim_storage_cfg_default(&cfg);
  cfg.capacity = cap;
  cosim_storage_t *s = NULL;
  TB_REQUIRE(t, cosim_storage_create(&cfg, &s, NULL, 0) == 0, "create");
  TB_CHECK_EQ(t, cosim_storage_write_direct(s, 0, cap, want), 0);
  out_of_range(t, s, cap, want, "RAM");
  cosim_storage_destroy(s);
  s = NULL;

  char path[64];
  TB_REQUIRE(t, make_image(path, sizeof path, cap * SEC) == 0, "mkstemp in /tmp");
  cfg.path = path;
  if (TB_CHECK_EQ(t, cosim_storage_create(&cfg, &s, NULL, 0), 0)) {
    TB_CHECK_EQ(t, cosim_storage_write_direct(s, 0, cap, want), 0);
    out_of_range(t, s, cap, want, "file");
    cosim_storage_destroy(s);
    struct stat sb;
    TB_CHECK(t, stat(path, &sb) == 0 && sb.st_size == (off_t)(cap * SEC),
             "the image grew or shrank");
  }
  unlink(path);
}

/* A read-only s holding `want` (n sectors): WRITEs fail with IOERR and change nothing, READs
 * work, FLUSH is OK. */
static void read_only_checks(tb_t *t, cosim_storage_t *s, const uint8_t *want, uint32_t n,
                             const char *what) {
  TB_CHECK_EQ_CTX(t, cosim_storage_read_only(s), 1, "%s", what);
  uint8_t d[4 * SEC], buf[SEC];
  memset(d, 0x5A, sizeof d);
  uint64_t now = 0;
  cosim_storage_cpl_t c;
  cosim_storage_req_t w = {.op = COSIM_STORAGE_WRITE, .sector = 1, .nsectors = 4, .data = d};
  TB_CHECK_EQ_CTX(t, do_one(s, &now, &w, &c), COSIM_STORAGE_IOERR, "%s: WRITE", what);
  cosim_storage_req_t r = {.op = COSIM_STORAGE_READ, .sector = 0, .nsectors = n};
  if (TB_CHECK_EQ_CTX(t, do_one(s, &now, &r, &c), COSIM_STORAGE_OK, "%s: READ", what))
    TB_CHECK(t, c.len == (size_t)n * SEC && memcmp(c.data, want, c.len) == 0, "%s: READ data",
             what);
  cosim_storage_req_t f = {.op = COSIM_STORAGE_FLUSH};
  TB_CHECK_EQ_CTX(t, do_one(s, &now, &f, &c), COSIM_STORAGE_OK, "%s: FLUSH", what);
  unsigned bad = 0;
  for (uint32_t i = 0; i < n; i++) {
    TB_CHECK_EQ(t, cosim_storage_read_direct(s, i, 1, buf), 0);
    bad += memcmp(buf, want + (size_t)i * SEC, SEC) != 0;
  }
  TB_CHECK_EQ_CTX(t, bad, 0, "%s: sectors changed", what);
}

TB_TEST(storage_read_only, "Storage read-only: RAM and file with the option, a file without "
                           "write permission (unless running as root): WRITE IOERR and nothing "
                           "written (read_direct and a second open), READ and FLUSH OK; "
                           "write_direct refused on a read-only file") {
  const uint32_t n = 16;
  uint8_t want[16 * SEC];
  fill_random(t, want, sizeof want);
  cosim_storage_cfg_t cfg;
  cosim_storage_cfg_default(&cfg);
  cfg.capacity = n;
  cfg.read_only = 1;
  cfg.latency = 2;
  cosim_storage_t *s = NULL;
  TB_REQUIRE(t, cosim_storage_create(&cfg, &s, NULL, 0) == 0, "create");
  TB_CHECK_EQ(t, cosim_storage_write_direct(s, 0, n, want), 0);  /* preloading RAM is allowed */
  read_only_checks(t, s, want, n, "RAM");
  cosim_storage_destroy(s);
  s = NULL;

  char path[64];
  TB_REQUIRE(t, make_image(path, sizeof path, (uint64_t)n * SEC) == 0, "mkstemp in /tmp");
  int fd = open(path, O_WRONLY);
  TB_CHECK(t, fd >= 0 && pwrite(fd, want, sizeof want, 0) == (ssize_t)sizeof want, "preload");
  if (fd >= 0) close(fd);
  cfg.path = path;
  if (TB_CHECK_EQ(t, cosim_storage_create(&cfg, &s, NULL, 0), 0)) {
    read_only_checks(t, s, want, n, "file, option");
    TB_CHECK_EQ(t, cosim_storage_write_direct(s, 0, 1, want), -EROFS);
    cosim_storage_destroy(s);
    s = NULL;
  }
  /* The file says so: no write permission. Root ignores permissions, so there the model opens it
   * read-write and this part proves nothing; it is skipped. */
  cfg.read_only = 0;
  if (geteuid() != 0 && TB_CHECK_EQ(t, chmod(path, 0444), 0) &&
      TB_CHECK_EQ(t, cosim_storage_create(&cfg, &s, NULL, 0), 0)) {
    read_only_checks(t, s, want, n, "file, mode 0444");
    cosim_storage_destroy(s);
    s = NULL;
  }
  uint8_t again[16 * SEC];
  TB_CHECK_EQ(t, read_image(path, 0, again, sizeof again), 0);
  TB_CHECK(t, memcmp(again, want, sizeof want) == 0, "the image changed (second open)");
  unlink(path);
}

TB_TEST(storage_get_id, "Storage GET_ID: 20 bytes, NUL-padded for a short serial, no NUL for "
                        "exactly 20 bytes, all NUL without one; a 21-byte serial refused with a "
                        "reason; on a read-only medium too") {
  static const char *serials[] = {"vep-0001", "ABCDEFGHIJKLMNOPQRST", NULL, "", "x"};
  for (unsigned i = 0; i < 5; i++) {
    cosim_storage_cfg_t cfg;
    cosim_storage_cfg_default(&cfg);
    cfg.capacity = 8;
    cfg.serial = serials[i];
    cfg.read_only = (int)(i & 1);
    cfg.latency = 7;
    cosim_storage_t *s = NULL;
    if (!TB_CHECK_EQ_CTX(t, cosim_storage_create(&cfg, &s, NULL, 0), 0, "serial %u", i)) continue;
    /* Expected bytes built by hand: the string, then NULs up to 20. */
    uint8_t want[20] = {0};
    size_t len = serials[i] ? strlen(serials[i]) : 0;
    for (size_t k = 0; k < len; k++) want[k] = (uint8_t)serials[i][k];
    uint64_t now = 100;
    cosim_storage_cpl_t c;
    cosim_storage_req_t r = {.tag = 0xDEAD0000u + i, .op = COSIM_STORAGE_GET_ID,
                             .sector = 12345, .nsectors = 9};
    if (TB_CHECK_EQ_CTX(t, do_one(s, &now, &r, &c), COSIM_STORAGE_OK, "serial %u", i)) {
      TB_CHECK_EQ_CTX(t, c.len, 20, "serial %u", i);
      TB_CHECK_EQ_CTX(t, c.tag, 0xDEAD0000u + i, "serial %u", i);
      TB_CHECK_EQ_CTX(t, now, 107, "GET_ID latency");
      TB_CHECK(t, c.data && memcmp(c.data, want, 20) == 0, "serial %u: ID bytes", i);
      if (len == 20) TB_CHECK(t, c.data && memchr(c.data, 0, 20) == NULL, "NUL in a 20-byte ID");
    }
    cosim_storage_destroy(s);
  }
  cosim_storage_cfg_t cfg;
  cosim_storage_cfg_default(&cfg);
  cfg.serial = "ABCDEFGHIJKLMNOPQRSTU";
  cosim_storage_t *s = NULL;
  char err[160] = "";
  TB_CHECK_EQ(t, cosim_storage_create(&cfg, &s, err, sizeof err), -EINVAL);
  TB_CHECK(t, s == NULL, "a handle for a refused serial");
  cosim_storage_destroy(s);
  TB_CHECK(t, strstr(err, "at most 20") != NULL, "reason: \"%s\"", err);
}

TB_TEST(storage_file_refused, "Storage image files: 1000 bytes (not a multiple of 512) and "
                              "512 KiB + 1 refused with -EINVAL and a reason naming the size; a "
                              "missing file -ENOENT; a directory refused; an empty file has "
                              "capacity 0 (READ of 0 sectors OK, of 1 IOERR)") {
  static const uint64_t bad_sizes[] = {1000, 512 * 1024 + 1, 511};
  for (unsigned i = 0; i < 3; i++) {
    char path[64];
    if (!TB_CHECK_EQ(t, make_image(path, sizeof path, bad_sizes[i]), 0)) continue;
    cosim_storage_cfg_t cfg;
    cosim_storage_cfg_default(&cfg);
    cfg.path = path;
    cosim_storage_t *s = NULL;
    char err[200] = "";
    TB_CHECK_EQ_CTX(t, cosim_storage_create(&cfg, &s, err, sizeof err), -EINVAL, "%llu bytes",
                    (unsigned long long)bad_sizes[i]);
    TB_CHECK(t, s == NULL, "handle for a refused file");
    char sz[32];
    snprintf(sz, sizeof sz, "%llu bytes", (unsigned long long)bad_sizes[i]);
    TB_CHECK(t, strstr(err, sz) && strstr(err, "multiple of"), "reason: \"%s\"", err);
    cosim_storage_destroy(s);
    unlink(path);
  }
  cosim_storage_cfg_t cfg;
  cosim_storage_cfg_default(&cfg);
  cosim_storage_t *s = NULL;
  cfg.path = "/tmp/vep-storage-does-not-exist/x.img";
  TB_CHECK_EQ(t, cosim_storage_create(&cfg, &s, NULL, 0), -ENOENT);
  cfg.path = "/tmp";
  TB_CHECK(t, cosim_storage_create(&cfg, &s, NULL, 0) < 0, "a directory accepted as an image");
  char path[64];
  if (TB_CHECK_EQ(t, make_image(path, sizeof path, 0), 0)) {
    cfg.path = path;
    if (TB_CHECK_EQ(t, cosim_storage_create(&cfg, &s, NULL, 0), 0)) {
      TB_CHECK_EQ(t, cosim_storage_capacity(s), 0);
      uint64_t now = 0;
      cosim_storage_cpl_t c;
      cosim_storage_req_t r = {.op = COSIM_STORAGE_READ, .sector = 0, .nsectors = 0};
      TB_CHECK_EQ(t, do_one(s, &now, &r, &c), COSIM_STORAGE_OK);
      r.nsectors = 1;
      TB_CHECK_EQ(t, do_one(s, &now, &r, &c), COSIM_STORAGE_IOERR);
      cosim_storage_destroy(s);
    }
    unlink(path);
  }
}

TB_TEST(storage_file_ioerr, "Storage, image file: an I/O error from the file (pwrite refused "
                            "with EFBIG past RLIMIT_FSIZE, set for the test and restored) "
                            "completes the WRITE with IOERR; WRITEs below the limit and READs "
                            "everywhere stay OK") {
  const uint32_t cap = 64, lim = 16;
  char path[64];
  TB_REQUIRE(t, make_image(path, sizeof path, (uint64_t)cap * SEC) == 0, "mkstemp in /tmp");
  cosim_storage_cfg_t cfg;
  cosim_storage_cfg_default(&cfg);
  cfg.path = path;
  cosim_storage_t *s = NULL;
  if (!TB_CHECK_EQ(t, cosim_storage_create(&cfg, &s, NULL, 0), 0)) {
    unlink(path);
    return;
  }
  /* The process-wide limit and signal are put back before any check can matter to other tests:
   * nothing between here and the restore can leave the function. */
  struct rlimit old;
  struct sigaction ign = {.sa_handler = SIG_IGN}, old_sa;
  int have = getrlimit(RLIMIT_FSIZE, &old) == 0 && sigaction(SIGXFSZ, &ign, &old_sa) == 0;
  struct rlimit lo = old;
  lo.rlim_cur = (rlim_t)lim * SEC;
  int set = have && setrlimit(RLIMIT_FSIZE, &lo) == 0;
  uint8_t d[2 * SEC];
  fill_random(t, d, sizeof d);
  uint64_t now = 0;
  cosim_storage_cpl_t c;
  int st_hi = -1, st_lo = -1, st_rd = -1;
  if (set) {
    cosim_storage_req_t w = {.op = COSIM_STORAGE_WRITE, .sector = lim + 3, .nsectors = 2,
                             .data = d};
    st_hi = do_one(s, &now, &w, &c);
    w.sector = lim - 2;
    st_lo = do_one(s, &now, &w, &c);
    cosim_storage_req_t r = {.op = COSIM_STORAGE_READ, .sector = 0, .nsectors = cap};
    st_rd = do_one(s, &now, &r, &c);
    setrlimit(RLIMIT_FSIZE, &old);
  }
  if (have) sigaction(SIGXFSZ, &old_sa, NULL);
  if (TB_CHECK(t, set, "could not lower RLIMIT_FSIZE")) {
    TB_CHECK_EQ_CTX(t, st_hi, COSIM_STORAGE_IOERR, "WRITE past the file size limit");
    TB_CHECK_EQ_CTX(t, st_lo, COSIM_STORAGE_OK, "WRITE below the limit");
    TB_CHECK_EQ_CTX(t, st_rd, COSIM_STORAGE_OK, "READ of the whole image");
    uint8_t buf[2 * SEC], zero[2 * SEC] = {0};
    TB_CHECK_EQ(t, cosim_storage_read_direct(s, lim - 2, 2, buf), 0);
    TB_CHECK(t, memcmp(buf, d, sizeof d) == 0, "the WRITE below the limit did not land");
    TB_CHECK_EQ(t, cosim_storage_read_direct(s, lim + 3, 2, buf), 0);
    TB_CHECK(t, memcmp(buf, zero, sizeof zero) == 0, "the refused WRITE landed");
    cosim_storage_stats_t st;
    cosim_storage_get_stats(s, &st);
    TB_CHECK_EQ(t, st.ioerr, 1);
  }
  cosim_storage_destroy(s);
  unlink(path);
}
