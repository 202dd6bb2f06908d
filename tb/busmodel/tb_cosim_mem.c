/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the bus model's host memory (cosim/cosim_mem.h): the sparse page store, the DMA
 * buffer allocator, and the permission map, the last also through a root complex of its own
 * (cosim/cosim_rc.h) fed device TLPs directly, to see that device accesses outside the map are
 * reported and not performed. They build their own objects: no DUT involved, the same under
 * every --dut. Heap objects are freed on every path (checks record and go on; nothing here stops
 * the test half way).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cosim_check.h"
#include "cosim_err.h"
#include "cosim_mem.h"
#include "cosim_rc.h"
#include "cosim_rng.h"
#include "tb.h"

#define PAGE COSIM_HMEM_PAGE_SIZE

TB_TEST(cosim_mem_sparse, "Host memory: untouched reads give 0 and allocate nothing (zero fill "
                          "neither); writes at 0, 4 GiB, 2^47, 2^63 and the last 8 bytes of the "
                          "64-bit space read back with their neighbours 0, one page each; a "
                          "page-crossing write; 4096 scattered pages (table growth) all read back; "
                          "ranges that wrap past 2^64 refused") {
  cosim_hmem_t *m = NULL;
  TB_REQUIRE(t, cosim_hmem_create(&m) == 0 && m, "cosim_hmem_create");
  uint8_t buf[64], want[64];

  TB_CHECK_EQ(t, cosim_hmem_pages(m), 0);
  memset(buf, 0xAA, sizeof buf);
  TB_CHECK_EQ(t, cosim_hmem_read(m, 0, buf, sizeof buf), 0);
  memset(want, 0, sizeof want);
  TB_CHECK(t, memcmp(buf, want, sizeof buf) == 0, "untouched memory at 0 does not read 0");
  TB_CHECK_EQ(t, cosim_hmem_read(m, 0xFFFFFFFFFFFFFFC0ull, buf, 64), 0);
  TB_CHECK(t, memcmp(buf, want, sizeof buf) == 0, "untouched memory at the top does not read 0");
  TB_CHECK_EQ(t, cosim_hmem_fill(m, 0x100000, 0, 1u << 20), 0);
  TB_CHECK_EQ_CTX(t, cosim_hmem_pages(m), 0, "pages after reads and a zero fill");

  static const uint64_t far[] = {0x0ull, 0x100000000ull, 0x0000800000000000ull,
                                 0x8000000000000000ull, 0xFFFFFFFFFFFFFFF8ull};
  const size_t nfar = sizeof far / sizeof far[0];
  for (size_t i = 0; i < nfar; i++) {
    size_t len = far[i] == 0xFFFFFFFFFFFFFFF8ull ? 8 : 16;
    for (size_t k = 0; k < len; k++) buf[k] = (uint8_t)(0x11 * (i + 1) + k);
    TB_CHECK_EQ_CTX(t, cosim_hmem_write(m, far[i], buf, len), 0, "write at 0x%llx",
                    (unsigned long long)far[i]);
  }
  TB_CHECK_EQ_CTX(t, cosim_hmem_pages(m), nfar, "one page per far write");
  for (size_t i = 0; i < nfar; i++) {
    size_t len = far[i] == 0xFFFFFFFFFFFFFFF8ull ? 8 : 16;
    for (size_t k = 0; k < len; k++) want[k] = (uint8_t)(0x11 * (i + 1) + k);
    TB_CHECK_EQ(t, cosim_hmem_read(m, far[i], buf, len), 0);
    TB_CHECK(t, memcmp(buf, want, len) == 0, "write at 0x%llx does not read back",
             (unsigned long long)far[i]);
    /* Bytes around it in the same page are still 0. */
    uint8_t z = 0xFF;
    if (far[i] % PAGE + len < PAGE) {
      cosim_hmem_read(m, far[i] + len, &z, 1);
      TB_CHECK_EQ_CTX(t, z, 0, "byte after the write at 0x%llx", (unsigned long long)far[i]);
    }
    if (far[i] % PAGE) {
      z = 0xFF;
      cosim_hmem_read(m, far[i] - 1, &z, 1);
      TB_CHECK_EQ_CTX(t, z, 0, "byte before the write at 0x%llx", (unsigned long long)far[i]);
    }
  }
  /* A write across a page boundary lands in both pages. */
  size_t pages = cosim_hmem_pages(m);
  const uint64_t cross = 0x0000123456780000ull - 3;
  for (size_t k = 0; k < 8; k++) buf[k] = (uint8_t)(0xC0 + k);
  TB_CHECK_EQ(t, cosim_hmem_write(m, cross, buf, 8), 0);
  TB_CHECK_EQ_CTX(t, cosim_hmem_pages(m), pages + 2, "pages after a page-crossing write");
  for (size_t k = 0; k < 8; k++) {
    uint8_t b = 0;
    cosim_hmem_read(m, cross + k, &b, 1);
    TB_CHECK_EQ_CTX(t, b, 0xC0 + k, "byte %zu of the page-crossing write", k);
  }
  /* Many pages far apart: every one keeps its own contents. Page numbers i * odd mod 2^40 are
   * distinct. */
  pages = cosim_hmem_pages(m);
  const unsigned npg = 4096;
  for (unsigned i = 0; i < npg; i++) {
    uint64_t a = (((uint64_t)(i + 1) * 0x9E3779B1ull) & ((1ull << 40) - 1u)) * PAGE + 8 * (i % 64);
    uint64_t v = a ^ 0x5A5A5A5A5A5A5A5Aull;
    cosim_hmem_write(m, a, &v, 8);
  }
  TB_CHECK_EQ_CTX(t, cosim_hmem_pages(m), pages + npg, "pages after %u scattered writes", npg);
  unsigned bad = 0;
  for (unsigned i = 0; i < npg; i++) {
    uint64_t a = (((uint64_t)(i + 1) * 0x9E3779B1ull) & ((1ull << 40) - 1u)) * PAGE + 8 * (i % 64);
    uint64_t v = 0;
    cosim_hmem_read(m, a, &v, 8);
    bad += v != (a ^ 0x5A5A5A5A5A5A5A5Aull);
  }
  TB_CHECK_EQ_CTX(t, bad, 0, "scattered pages that did not read back");
  /* A nonzero fill allocates; ranges past 2^64 are refused and change nothing. */
  pages = cosim_hmem_pages(m);
  TB_CHECK_EQ(t, cosim_hmem_fill(m, 0x7000000000ull, 0x5C, 2 * PAGE), 0);
  TB_CHECK_EQ(t, cosim_hmem_pages(m), pages + 2);
  uint8_t b5 = 0;
  cosim_hmem_read(m, 0x7000000000ull + 2 * PAGE - 1, &b5, 1);
  TB_CHECK_EQ(t, b5, 0x5C);
  TB_CHECK_EQ(t, cosim_hmem_write(m, 0xFFFFFFFFFFFFFFFCull, buf, 8), -EINVAL);
  TB_CHECK_EQ(t, cosim_hmem_read(m, 0xFFFFFFFFFFFFFFF9ull, buf, 8), -EINVAL);
  TB_CHECK_EQ(t, cosim_hmem_fill(m, 0xFFFFFFFFFFFFFFFFull, 1, 2), -EINVAL);
  TB_CHECK_EQ(t, cosim_hmem_write(m, 0xFFFFFFFFFFFFFFFFull, buf, 1), 0);  /* the last byte: ok */
  cosim_hmem_destroy(m);
}

typedef struct abuf {
  uint64_t addr, size;
  int high;
} abuf_t;

TB_TEST(cosim_mem_alloc, "DMA allocator: 48 buffers of mixed sizes and alignments (1 B..64 KiB, "
                         "align 0/1/8/64/4 KiB/64 KiB) in both zones: aligned, inside their zone, "
                         "no overlap and at least COSIM_HMEM_GUARD bytes from the zone start and "
                         "each other; zeroed on reuse; first fit into a freed hole; -EINVAL, "
                         "-ENOMEM, -ENOENT cases") {
  cosim_hmem_t *m = NULL;
  TB_REQUIRE(t, cosim_hmem_create(&m) == 0 && m, "cosim_hmem_create");
  static const uint64_t sizes[] = {1, 7, 64, 100, 4096, 5000, 65536, 3};
  static const uint64_t aligns[] = {0, 1, 8, 64, 4096, 65536};
  abuf_t b[48];
  unsigned n = 0;
  for (unsigned i = 0; i < 48; i++) {
    uint64_t size = sizes[tb_rand_below(&t->rng, 8)];
    uint64_t align = aligns[tb_rand_below(&t->rng, 6)];
    int high = (int)(i & 1);
    uint64_t a = 0;
    int rc = cosim_hmem_alloc(m, size, align, high, &a);
    if (!TB_CHECK_EQ_CTX(t, rc, 0, "alloc %llu align %llu high %d", (unsigned long long)size,
                         (unsigned long long)align, high))
      continue;
    uint64_t eff = align ? align : 8;
    TB_CHECK_EQ_CTX(t, a % eff, 0, "alignment of a %llu-byte buffer aligned %llu",
                    (unsigned long long)size, (unsigned long long)eff);
    uint64_t zb = high ? COSIM_HMEM_HIGH_BASE : COSIM_HMEM_LOW_BASE;
    uint64_t ze = high ? COSIM_HMEM_HIGH_END : COSIM_HMEM_LOW_END;
    TB_CHECK(t, a >= zb + COSIM_HMEM_GUARD && a + size <= ze,
             "buffer 0x%llx+%llu outside its zone (guard included)", (unsigned long long)a,
             (unsigned long long)size);
    b[n++] = (abuf_t){a, size, high};
  }
  /* No two buffers overlap, guards included: between any two, GUARD free bytes. */
  for (unsigned i = 0; i < n; i++)
    for (unsigned k = 0; k < n; k++) {
      if (i == k) continue;
      const abuf_t *x = &b[i], *y = &b[k];
      if (x->addr > y->addr) continue;
      TB_CHECK(t, x->addr + x->size + COSIM_HMEM_GUARD <= y->addr,
               "buffers 0x%llx+%llu and 0x%llx closer than the guard",
               (unsigned long long)x->addr, (unsigned long long)x->size,
               (unsigned long long)y->addr);
    }
  /* In fresh memories, where first fit is predictable: a freed, dirtied buffer comes back at
   * the same place zeroed; buffers of align 1 pack GUARD apart from the zone base up, and a small
   * one goes into the hole a freed one left. */
  cosim_hmem_t *f = NULL;
  if (TB_CHECK(t, cosim_hmem_create(&f) == 0, "cosim_hmem_create")) {
    uint64_t d = 0, d2 = 0;
    uint8_t junk[256], got[256], zero[256];
    memset(junk, 0xEE, sizeof junk);
    memset(zero, 0, sizeof zero);
    TB_CHECK_EQ(t, cosim_hmem_alloc(f, 256, 64, 0, &d), 0);
    TB_CHECK_EQ(t, d, COSIM_HMEM_LOW_BASE + COSIM_HMEM_GUARD);
    cosim_hmem_write(f, d - 8, junk, sizeof junk);  /* the guard before it too */
    TB_CHECK_EQ(t, cosim_hmem_free(f, d), 0);
    TB_CHECK_EQ(t, cosim_hmem_free(f, d), -ENOENT);  /* double free */
    TB_CHECK_EQ(t, cosim_hmem_alloc(f, 256, 64, 0, &d2), 0);
    TB_CHECK_EQ_CTX(t, d2, d, "first fit after a free");
    cosim_hmem_read(f, d2, got, sizeof got);
    TB_CHECK(t, memcmp(got, zero, sizeof got) == 0, "reallocated buffer not zeroed");
    uint64_t h1 = 0, h2 = 0, h3 = 0, h4 = 0;
    const uint64_t step = 4096 + COSIM_HMEM_GUARD;
    TB_CHECK_EQ(t, cosim_hmem_alloc(f, 4096, 1, 1, &h1), 0);
    TB_CHECK_EQ(t, cosim_hmem_alloc(f, 4096, 1, 1, &h2), 0);
    TB_CHECK_EQ(t, cosim_hmem_alloc(f, 4096, 1, 1, &h3), 0);
    TB_CHECK_EQ(t, h1, COSIM_HMEM_HIGH_BASE + COSIM_HMEM_GUARD);
    TB_CHECK_EQ(t, h2, h1 + step);
    TB_CHECK_EQ(t, h3, h2 + step);
    TB_CHECK_EQ(t, cosim_hmem_free(f, h2), 0);
    TB_CHECK_EQ(t, cosim_hmem_alloc(f, 64, 64, 1, &h4), 0);
    TB_CHECK_EQ_CTX(t, h4, h1 + step, "a small buffer in the hole of a freed one");
    cosim_hmem_destroy(f);
  }
  /* Errors. */
  uint64_t a = 0;
  TB_CHECK_EQ(t, cosim_hmem_alloc(m, 0, 8, 0, &a), -EINVAL);
  TB_CHECK_EQ(t, cosim_hmem_alloc(m, 8, 3, 0, &a), -EINVAL);
  TB_CHECK_EQ(t, cosim_hmem_alloc(m, 8, 8, 0, NULL), -EINVAL);
  TB_CHECK_EQ(t, cosim_hmem_alloc(m, COSIM_HMEM_LOW_END - COSIM_HMEM_LOW_BASE + 1, 8, 0, &a),
              -ENOMEM);
  TB_CHECK_EQ(t, cosim_hmem_free(m, 0x12345678), -ENOENT);
  /* In an empty memory: the whole low zone less one guard at each end fits, at the zone base +
   * GUARD; one byte more leaves no room for the guards. Allocating touches no page (zeroing
   * untouched memory is free). */
  const uint64_t zone = COSIM_HMEM_LOW_END - COSIM_HMEM_LOW_BASE;
  cosim_hmem_t *m2 = NULL;
  if (TB_CHECK(t, cosim_hmem_create(&m2) == 0, "cosim_hmem_create")) {
    TB_CHECK_EQ(t, cosim_hmem_alloc(m2, zone - 2 * COSIM_HMEM_GUARD + 1, 8, 0, &a), -ENOMEM);
    TB_CHECK_EQ(t, cosim_hmem_alloc(m2, zone - 2 * COSIM_HMEM_GUARD, 1, 0, &a), 0);
    TB_CHECK_EQ(t, a, COSIM_HMEM_LOW_BASE + COSIM_HMEM_GUARD);
    TB_CHECK_EQ(t, cosim_hmem_alloc(m2, 1, 1, 0, &a), -ENOMEM);  /* low zone full */
    TB_CHECK_EQ(t, cosim_hmem_alloc(m2, 1, 1, 1, &a), 0);        /* high zone is separate */
    TB_CHECK(t, a >= COSIM_HMEM_HIGH_BASE, "high-zone buffer at 0x%llx", (unsigned long long)a);
    TB_CHECK_EQ_CTX(t, cosim_hmem_pages(m2), 0, "pages after allocating the whole low zone");
    cosim_hmem_destroy(m2);
  }
  cosim_hmem_destroy(m);
}

/* ---- The permission map, directly and through a root complex ---- */

typedef struct sent {
  unsigned n;
  uint32_t dws[8][COSIM_TLP_MAX_TOTAL_DW];
  size_t len[8];
} sent_t;

static int64_t capture(void *ctx, const uint32_t *dws, size_t n) {
  sent_t *s = ctx;
  if (s->n < 8) {
    memcpy(s->dws[s->n], dws, n * sizeof(uint32_t));
    s->len[s->n] = n;
  }
  s->n++;
  return 0;
}

/* Whether some kept error message contains both words. */
static int logged(const cosim_errlog_t *log, const char *a, const char *b) {
  for (unsigned i = 0; i < log->kept; i++)
    if (log->msg[i] && strstr(log->msg[i], a) && strstr(log->msg[i], b)) return 1;
  return 0;
}

TB_TEST(cosim_mem_perm, "Permission map: exposed ranges read/write/both, the direction and the "
                        "range ends checked byte-exactly (first bad byte reported), overwrite "
                        "and removal split ranges, free drops them, bad arguments refused; a "
                        "root complex fed device TLPs performs MWr/MRd inside the map and "
                        "reports (IOMMU message) and does not perform them outside it or in the "
                        "wrong direction (the MRd gets a UR completion)") {
  cosim_hmem_t *m = NULL;
  TB_REQUIRE(t, cosim_hmem_create(&m) == 0 && m, "cosim_hmem_create");
  const unsigned R = COSIM_HMEM_DEV_READ, W = COSIM_HMEM_DEV_WRITE;
  const uint64_t A = 0x20000000ull;
  uint64_t bad = 0;
  TB_CHECK_EQ(t, cosim_hmem_check(m, A, 4, R, &bad), -EACCES);
  TB_CHECK_EQ(t, bad, A);
  TB_CHECK_EQ(t, cosim_hmem_check(m, A, 0, R | W, &bad), 0);  /* len 0 passes */
  TB_CHECK_EQ(t, cosim_hmem_expose(m, A, 0x100, R), 0);
  TB_CHECK_EQ(t, cosim_hmem_expose(m, A + 0x100, 0x100, W), 0);
  TB_CHECK_EQ(t, cosim_hmem_expose(m, A + 0x200, 0x100, R | W), 0);
  TB_CHECK_EQ(t, cosim_hmem_perm(m, A - 1), 0);
  TB_CHECK_EQ(t, cosim_hmem_perm(m, A), R);
  TB_CHECK_EQ(t, cosim_hmem_perm(m, A + 0xFF), R);
  TB_CHECK_EQ(t, cosim_hmem_perm(m, A + 0x100), W);
  TB_CHECK_EQ(t, cosim_hmem_perm(m, A + 0x2FF), R | W);
  TB_CHECK_EQ(t, cosim_hmem_perm(m, A + 0x300), 0);
  /* Inside, in the right direction. */
  TB_CHECK_EQ(t, cosim_hmem_check(m, A, 0x100, R, &bad), 0);
  TB_CHECK_EQ(t, cosim_hmem_check(m, A + 0x100, 0x200, W, &bad), 0);
  TB_CHECK_EQ(t, cosim_hmem_check(m, A + 0x200, 0x100, R | W, &bad), 0);
  /* Wrong direction: the first byte that lacks it. */
  bad = 0;
  TB_CHECK_EQ(t, cosim_hmem_check(m, A + 0x10, 8, W, &bad), -EACCES);
  TB_CHECK_EQ(t, bad, A + 0x10);
  TB_CHECK_EQ(t, cosim_hmem_check(m, A + 0xF0, 0x20, R, &bad), -EACCES);
  TB_CHECK_EQ(t, bad, A + 0x100);  /* read runs from the read range into the write-only one */
  TB_CHECK_EQ(t, cosim_hmem_check(m, A + 0x1F0, 0x20, R | W, &bad), -EACCES);
  TB_CHECK_EQ(t, bad, A + 0x1F0);
  /* Range ends. */
  TB_CHECK_EQ(t, cosim_hmem_check(m, A - 1, 4, R, &bad), -EACCES);
  TB_CHECK_EQ(t, bad, A - 1);
  TB_CHECK_EQ(t, cosim_hmem_check(m, A + 0x2FF, 1, W, &bad), 0);
  TB_CHECK_EQ(t, cosim_hmem_check(m, A + 0x2FF, 2, W, &bad), -EACCES);
  TB_CHECK_EQ(t, bad, A + 0x300);
  /* Overwrite the middle of the RW range with read-only, take a hole out of the read range. */
  TB_CHECK_EQ(t, cosim_hmem_expose(m, A + 0x240, 0x40, R), 0);
  TB_CHECK_EQ(t, cosim_hmem_perm(m, A + 0x23F), R | W);
  TB_CHECK_EQ(t, cosim_hmem_perm(m, A + 0x240), R);
  TB_CHECK_EQ(t, cosim_hmem_perm(m, A + 0x280), R | W);
  TB_CHECK_EQ(t, cosim_hmem_expose(m, A + 0x40, 0x10, 0), 0);
  TB_CHECK_EQ(t, cosim_hmem_check(m, A, 0x100, R, &bad), -EACCES);
  TB_CHECK_EQ(t, bad, A + 0x40);
  TB_CHECK_EQ(t, cosim_hmem_perm(m, A + 0x50), R);
  /* Bad arguments. */
  TB_CHECK_EQ(t, cosim_hmem_expose(m, A, 0, R), -EINVAL);
  TB_CHECK_EQ(t, cosim_hmem_expose(m, 0xFFFFFFFFFFFFFF00ull, 0x200, R), -EINVAL);
  TB_CHECK_EQ(t, cosim_hmem_expose(m, A, 8, 4), -EINVAL);
  /* Freeing a buffer takes its range out of the map. */
  uint64_t buf = 0;
  if (TB_CHECK_EQ(t, cosim_hmem_alloc(m, 256, 64, 0, &buf), 0)) {
    TB_CHECK_EQ(t, cosim_hmem_perm(m, buf), 0);  /* not exposed by allocating */
    cosim_hmem_expose(m, buf, 256, R | W);
    TB_CHECK_EQ(t, cosim_hmem_check(m, buf, 256, R | W, &bad), 0);
    cosim_hmem_free(m, buf);
    TB_CHECK_EQ(t, cosim_hmem_check(m, buf, 1, R, &bad), -EACCES);
  }

  /* ---- The root complex enforcing the map on device TLPs ---- */
  cosim_errlog_t log;
  cosim_errlog_init(&log);
  cosim_check_t *chk = NULL;
  cosim_rc_t *rc = NULL;
  cosim_rng_t rng;
  cosim_rng_seed(&rng, 1);
  sent_t *s = calloc(1, sizeof *s);
  int ok = s && cosim_check_create(&log, &chk) == 0;
  /* This test only looks at what the root complex sends; nothing is delivered to a device. */
  static const uint64_t no_tlps = 0;
  cosim_rc_cfg_t rcfg = {.rc_id = 0, .cpl_timeout = 1000, .msi_base = 0xFEE00000ull,
                         .msi_size = 0x100000, .mem = m, .check = chk, .log = &log, .rng = &rng,
                         .send = capture, .send_ctx = s, .tlps_sent = &no_tlps,
                         .tlps_delivered = &no_tlps, .rx_refused = &no_tlps};
  ok = ok && cosim_rc_create(&rcfg, &rc) == 0;
  if (TB_CHECK(t, ok, "creating the root complex")) {
    const uint16_t dev = 0x0100;
    cosim_tlp_t req;
    uint32_t v = 0;
    uint64_t now = 0;
    /* MWr into the write-only range: performed, nothing reported. */
    cosim_tlp_mem(&req, 1, dev, 0, A + 0x100, 4, 0xCAFEF00Du);
    cosim_rc_receive(rc, now, &req);
    cosim_hmem_read(m, A + 0x100, &v, 4);
    TB_CHECK_EQ(t, v, 0xCAFEF00Du);
    TB_CHECK_EQ_CTX(t, log.count, 0, "errors after an allowed write");
    /* MWr into the read-only range (wrong direction), outside every range, and straddling the
     * end of the writable range: reported, nothing written (not even the allowed part). */
    static const uint64_t wbad[] = {A + 0x10, A + 0x1000, A + 0x2FC};
    for (size_t i = 0; i < 3; i++) {
      unsigned before = log.count;
      uint64_t old = 0, now_v = 0;
      cosim_hmem_read(m, wbad[i], &old, 8);
      cosim_tlp_mem(&req, 1, dev, 0, wbad[i], 8, 0x1122334455667788ull);
      cosim_rc_receive(rc, now, &req);
      cosim_hmem_read(m, wbad[i], &now_v, 8);
      TB_CHECK_EQ_CTX(t, log.count, before + 1, "errors after a device write at 0x%llx",
                      (unsigned long long)wbad[i]);
      TB_CHECK_EQ_CTX(t, now_v, old, "memory at 0x%llx after a refused write",
                      (unsigned long long)wbad[i]);
    }
    TB_CHECK(t, logged(&log, "IOMMU", "write"), "no IOMMU write report (first: %s)",
             log.kept ? log.msg[0] : "none");
    /* MRd inside a readable range: a CplD with the data. */
    cosim_hmem_write(m, A + 0x200, &(uint32_t){0x600DDA7Au}, 4);
    unsigned errs = log.count;
    cosim_tlp_mem(&req, 0, dev, 5, A + 0x200, 4, 0);
    cosim_rc_receive(rc, now, &req);
    for (now = 0; now < 64; now++) cosim_rc_tick(rc, now);
    cosim_tlp_t cpl;
    if (TB_CHECK_EQ_CTX(t, s->n, 1, "completions for an allowed read") &&
        TB_CHECK_EQ(t, cosim_tlp_decode(s->dws[0], s->len[0], &cpl, NULL), 0)) {
      TB_CHECK_EQ(t, cpl.fmt_type, VEP_TLP_CPLD);
      TB_CHECK_EQ(t, cpl.status, VEP_CPL_SC);
      TB_CHECK_EQ(t, cpl.tag, 5);
      TB_CHECK_EQ(t, cpl.data[0], 0x600DDA7Au);
    }
    TB_CHECK_EQ_CTX(t, log.count, errs, "errors after an allowed read");
    /* MRd of the write-only range (wrong direction) and of unexposed memory: reported, UR. */
    static const uint64_t rbad[] = {A + 0x100, A + 0x4000};
    for (size_t i = 0; i < 2; i++) {
      s->n = 0;
      errs = log.count;
      cosim_tlp_mem(&req, 0, dev, 6 + (uint16_t)i, rbad[i], 4, 0);
      cosim_rc_receive(rc, now, &req);
      for (uint64_t end = now + 64; now < end; now++) cosim_rc_tick(rc, now);
      TB_CHECK_EQ_CTX(t, log.count, errs + 1, "errors after a device read at 0x%llx",
                      (unsigned long long)rbad[i]);
      if (TB_CHECK_EQ_CTX(t, s->n, 1, "completions for a refused read at 0x%llx",
                          (unsigned long long)rbad[i]) &&
          TB_CHECK_EQ(t, cosim_tlp_decode(s->dws[0], s->len[0], &cpl, NULL), 0)) {
        TB_CHECK_EQ_CTX(t, cpl.fmt_type, VEP_TLP_CPL, "refused read at 0x%llx",
                        (unsigned long long)rbad[i]);
        TB_CHECK_EQ_CTX(t, cpl.status, VEP_CPL_UR, "refused read at 0x%llx",
                        (unsigned long long)rbad[i]);
      }
    }
    TB_CHECK(t, logged(&log, "IOMMU", "read"), "no IOMMU read report");
  }
  cosim_rc_destroy(rc);
  cosim_check_destroy(chk);
  cosim_errlog_clear(&log);
  free(s);
  cosim_hmem_destroy(m);
}
