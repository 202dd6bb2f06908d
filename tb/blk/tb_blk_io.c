/* SPDX-License-Identifier: Apache-2.0 */
/* virtio-blk on the real endpoint: the blk driver over the simulated bus, the device's data path
 * (ring walker, DMA engines, blk function) and the storage model behind the backend port. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cosim_storage.h"
#include "tb_blk_lib.h"
#include "vep_consts.h"

TB_TEST(blk_rw_basic, "write 4 KiB to the disk through the endpoint, read it back, compare with "
                      "the storage and a shadow; MSI-X completions") {
  tb_blk_t k;
  tb_blk_open(t, &k, NULL);
  uint64_t w = tb_blk_buf(&k, 4096, 4096, VDRV_DMA_DEV_READ);
  uint64_t r = tb_blk_buf(&k, 4096, 4096, VDRV_DMA_DEV_WRITE);
  tb_blk_fill(&k, w, 4096, 7);
  vdrv_virtq_seg_t ws = {w, 4096}, rs = {r, 4096};
  TB_DRV(t, vdrv_blk_write(&k.b, 0, 8, &ws, 1));
  tb_blk_shadow_write(&k, 8, &ws, 1);
  TB_DRV(t, vdrv_blk_read(&k.b, 0, 8, &rs, 1));
  tb_blk_check_read(&k, 8, &rs, 1, "read back");
  tb_blk_check_disk(&k);
  TB_CHECK(t, k.b.irqs >= 2, "completions came by MSI-X: %llu interrupts",
           (unsigned long long)k.b.irqs);
  tb_blk_close(&k);
}

/* ---- Request types, statuses, used lengths, backend counters ---- */

#define RT_SERIAL "vep-ser-0123456789" /* 18 bytes: the device pads the ID with 2 NULs */

/* One request through the device; checks its status byte, used len and driver result. */
static void rt_do(tb_blk_t *k, unsigned q, uint32_t type, uint64_t sector,
                  const vdrv_virtq_seg_t *seg, unsigned nseg, int raw, uint8_t status,
                  uint32_t len, const char *what)
{
  vdrv_blk_io_t io = {type, sector, seg, nseg, raw ? VDRV_BLK_IO_RAW : 0u};
  vdrv_blk_cpl_t c;
  int rc = tb_blk_io_wait(k, q, &io, &c);
  if (!TB_CHECK(k->t, rc == 0, "%s: submit %d", what, rc)) return;
  TB_CHECK_EQ_CTX(k->t, c.status, status, "%s: status", what);
  TB_CHECK_EQ_CTX(k->t, c.len, len, "%s: used len", what);
  int res = status == VEP_BLK_S_OK ? 0 : status == VEP_BLK_S_IOERR ? -EIO : -EOPNOTSUPP;
  TB_CHECK_EQ_CTX(k->t, (uint32_t)c.result, (uint32_t)res, "%s: result", what);
}

typedef struct rt_cnt {
  uint64_t req, in, out, flush, id, other, rd, wr, ok, ioerr, unsupp, viol;
} rt_cnt_t;

static rt_cnt_t rt_stats(tb_t *t)
{
  cosim_blkport_stats_t s;
  cosim_blk_stats(t->sim, &s);
  return (rt_cnt_t){s.requests, s.req_in, s.req_out, s.req_flush, s.req_get_id, s.req_other,
                    s.bytes_read, s.bytes_written, s.rsp_ok, s.rsp_ioerr, s.rsp_unsupp,
                    s.violations};
}

/* The backend counters moved by exactly d since *prev (then *prev = now). */
static void rt_expect(tb_t *t, rt_cnt_t *prev, rt_cnt_t d, const char *what)
{
  rt_cnt_t n = rt_stats(t);
#define RT_F(f) TB_CHECK_EQ_CTX(t, n.f - prev->f, d.f, "%s: backend " #f, what)
  RT_F(req); RT_F(in); RT_F(out); RT_F(flush); RT_F(id); RT_F(other);
  RT_F(rd); RT_F(wr); RT_F(ok); RT_F(ioerr); RT_F(unsupp); RT_F(viol);
#undef RT_F
  *prev = n;
}

TB_TEST(blk_req_types, "every request type through the device: OUT, IN, FLUSH, GET_ID (serial, "
                       "short and long buffers), unknown types (UNSUPP), IN/OUT out of range "
                       "(also a sector that wraps), not a multiple of 512 (IOERR), OUT on a "
                       "read-only disk; status, used len, buffers and disk untouched on errors, "
                       "backend counters") {
  cosim_cfg_t c = t->cfg;
  c.blk_serial = RT_SERIAL;
  tb_reconfigure(t, &c);
  tb_blk_t k;
  tb_blk_open(t, &k, NULL);
  const uint64_t cap = k.capacity;
  TB_REQUIRE(t, cap >= 64, "capacity %llu", (unsigned long long)cap);
  uint64_t w = tb_blk_buf(&k, 8192 + 64, 4096, VDRV_DMA_DEV_READ);
  uint64_t r = tb_blk_buf(&k, 8192 + 64, 4096, VDRV_DMA_DEV_WRITE);
  rt_cnt_t st = rt_stats(t);
  unsigned nq = k.b.nq;

  /* OUT and IN, 8 KiB, on a queue each. */
  uint64_t sec = 1 + tb_rand_below(&t->rng, (uint32_t)(cap - 17));
  tb_blk_fill(&k, w, 8192, 11);
  vdrv_virtq_seg_t ws = {w, 8192}, rs = {r, 8192};
  rt_do(&k, 1 % nq, VEP_BLK_T_OUT, sec, &ws, 1, 0, VEP_BLK_S_OK, 1, "OUT 8 KiB");
  tb_blk_shadow_write(&k, sec, &ws, 1);
  rt_expect(t, &st, (rt_cnt_t){.req = 1, .out = 1, .wr = 8192, .ok = 1}, "OUT");
  tb_blk_check_disk(&k);
  rt_do(&k, 2 % nq, VEP_BLK_T_IN, sec, &rs, 1, 0, VEP_BLK_S_OK, 8193, "IN 8 KiB");
  tb_blk_check_read(&k, sec, &rs, 1, "IN 8 KiB");
  rt_expect(t, &st, (rt_cnt_t){.req = 1, .in = 1, .rd = 8192, .ok = 1}, "IN");
  /* The last sector, and sector 0. */
  vdrv_virtq_seg_t one = {w, 512}, rone = {r, 512};
  rt_do(&k, 0, VEP_BLK_T_OUT, cap - 1, &one, 1, 0, VEP_BLK_S_OK, 1, "OUT last sector");
  tb_blk_shadow_write(&k, cap - 1, &one, 1);
  rt_do(&k, 0, VEP_BLK_T_IN, cap - 1, &rone, 1, 0, VEP_BLK_S_OK, 513, "IN last sector");
  tb_blk_check_read(&k, cap - 1, &rone, 1, "IN last sector");
  rt_do(&k, 0, VEP_BLK_T_IN, 0, &rone, 1, 0, VEP_BLK_S_OK, 513, "IN sector 0");
  tb_blk_check_read(&k, 0, &rone, 1, "IN sector 0");
  rt_expect(t, &st, (rt_cnt_t){.req = 3, .in = 2, .out = 1, .rd = 1024, .wr = 512, .ok = 3},
            "last sector");

  /* FLUSH. */
  rt_do(&k, 3 % nq, VEP_BLK_T_FLUSH, 0, NULL, 0, 0, VEP_BLK_S_OK, 1, "FLUSH");
  TB_DRV(t, vdrv_blk_flush(&k.b, 0));
  rt_expect(t, &st, (rt_cnt_t){.req = 2, .flush = 2, .ok = 2}, "FLUSH");

  /* GET_ID into 20 bytes, 8 bytes (truncated) and 33 bytes (20 written, the rest untouched). */
  char want[VDRV_BLK_ID_BYTES];
  memset(want, 0, sizeof want);
  memcpy(want, RT_SERIAL, strlen(RT_SERIAL));
  static const uint32_t idlen[] = {20, 8, 33, 1};
  for (unsigned i = 0; i < 4; i++) {
    char what[48];
    snprintf(what, sizeof what, "GET_ID into %u bytes", idlen[i]);
    tb_blk_fill(&k, r, 64, 100 + i);
    vdrv_virtq_seg_t s = {r, idlen[i]};
    uint32_t n = idlen[i] < 20 ? idlen[i] : 20;
    rt_do(&k, i % nq, VEP_BLK_T_GET_ID, 0, &s, 1, 0, VEP_BLK_S_OK, n + 1, what);
    uint8_t got[64];
    tb_blk_get(&k, r, got, 64);
    TB_CHECK(t, memcmp(got, want, n) == 0, "%s: '%.20s'", what, (const char *)got);
    tb_blk_check_fill(&k, r, n, 64 - n, 100 + i, what);
  }
  rt_expect(t, &st, (rt_cnt_t){.req = 4, .id = 4, .ok = 4}, "GET_ID");
  char id[VDRV_BLK_ID_BYTES + 1];
  TB_DRV(t, vdrv_blk_get_id(&k.b, 0, id));
  TB_CHECK(t, strcmp(id, RT_SERIAL) == 0, "vdrv_blk_get_id: '%s'", id);
  rt_expect(t, &st, (rt_cnt_t){.req = 1, .id = 1, .ok = 1}, "vdrv_blk_get_id");

  /* Unknown types: UNSUPP without a backend request; the (device-writable) data untouched. */
  static const uint32_t bad_type[] = {2, 3, 5, 7, 9, 11, 0x55, 0x80000000u, 0xFFFFFFFFu};
  for (unsigned i = 0; i < sizeof bad_type / sizeof bad_type[0]; i++) {
    char what[48];
    snprintf(what, sizeof what, "type 0x%x", bad_type[i]);
    tb_blk_fill(&k, r, 1024, 200 + i);
    vdrv_virtq_seg_t s = {r, i % 2 ? 512u : 1000u};
    rt_do(&k, i % nq, bad_type[i], sec, &s, i % 3 ? 1 : 0, 1, VEP_BLK_S_UNSUPP, 1, what);
    tb_blk_check_fill(&k, r, 0, 1024, 200 + i, what);
  }
  rt_expect(t, &st, (rt_cnt_t){0}, "unknown types");

  /* IN and OUT the device must refuse: IOERR, no backend request, nothing transferred. */
  static const struct {
    uint64_t sector;
    uint32_t len;
    const char *what;
  } bad[] = {
      {0, 1000, "1000 bytes"},       {0, 511, "511 bytes"},           {0, 513, "513 bytes"},
      {0, 1, "1 byte"},              {5, 4097, "4097 bytes"},         {~0ull, 512, "sector 2^64-1"},
      {1ull << 63, 512, "sector 2^63"}, {1ull << 55, 512, "sector 2^55"}, {~0ull - 1, 1024, "wraps"},
  };
  for (unsigned pass = 0; pass < 2; pass++) {
    uint32_t type = pass ? VEP_BLK_T_OUT : VEP_BLK_T_IN;
    uint64_t buf = pass ? w : r;
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0] + 3; i++) {
      uint64_t sector;
      uint32_t len;
      char what[64];
      if (i < sizeof bad / sizeof bad[0]) {
        sector = bad[i].sector;
        len = bad[i].len;
        snprintf(what, sizeof what, "%s %s", pass ? "OUT" : "IN", bad[i].what);
      } else {
        /* Past the capacity: starting at it, straddling it, and far beyond. */
        unsigned j = i - (unsigned)(sizeof bad / sizeof bad[0]);
        sector = j == 0 ? cap : j == 1 ? cap - 1 : cap * 3;
        len = j == 1 ? 1024 : 512;
        snprintf(what, sizeof what, "%s sector %llu + %u bytes", pass ? "OUT" : "IN",
                 (unsigned long long)sector, len);
      }
      tb_blk_fill(&k, buf, 8192, 300 + i);
      vdrv_virtq_seg_t s = {buf, len};
      rt_do(&k, i % nq, type, sector, &s, 1, 1, VEP_BLK_S_IOERR, 1, what);
      if (!pass) tb_blk_check_fill(&k, buf, 0, 8192, 300 + i, what);
      rt_expect(t, &st, (rt_cnt_t){0}, what);
    }
  }
  tb_blk_check_disk(&k);
  /* No data at all (header and status byte only): IN and OUT of 0 sectors and GET_ID into no
   * buffer are valid requests (0 is a multiple of 512, within the capacity). */
  rt_do(&k, 0, VEP_BLK_T_IN, sec, NULL, 0, 1, VEP_BLK_S_OK, 1, "IN of 0 bytes");
  rt_do(&k, 1 % nq, VEP_BLK_T_OUT, sec, NULL, 0, 1, VEP_BLK_S_OK, 1, "OUT of 0 bytes");
  rt_do(&k, 0, VEP_BLK_T_GET_ID, 0, NULL, 0, 1, VEP_BLK_S_OK, 1, "GET_ID without a buffer");
  rt_expect(t, &st, (rt_cnt_t){.req = 3, .in = 1, .out = 1, .id = 1, .ok = 3}, "no data");
  tb_blk_check_disk(&k);
  /* The device still works. */
  rt_do(&k, 0, VEP_BLK_T_IN, sec, &rs, 1, 0, VEP_BLK_S_OK, 8193, "IN after the errors");
  tb_blk_check_read(&k, sec, &rs, 1, "IN after the errors");
  rt_expect(t, &st, (rt_cnt_t){.req = 1, .in = 1, .rd = 8192, .ok = 1}, "IN after the errors");
  TB_CHECK_EQ(t, vdrv_blk_check_status(&k.b), 0);
  tb_blk_close(&k);

  /* A read-only disk: OUT answers IOERR without reaching the backend; IN works. */
  c = t->cfg;
  c.blk_ro = 1;
  tb_reconfigure(t, &c);
  cosim_storage_t *sto = cosim_blk_storage(t->sim);
  uint8_t pre[512];
  for (unsigned i = 0; i < 512; i++) pre[i] = (uint8_t)(i * 7 + 3);
  TB_DRV(t, cosim_storage_write_direct(sto, 3, 1, pre));
  tb_blk_open(t, &k, NULL);
  TB_CHECK(t, k.b.ro, "VIRTIO_BLK_F_RO negotiated");
  w = tb_blk_buf(&k, 4096, 4096, VDRV_DMA_DEV_READ);
  r = tb_blk_buf(&k, 4096, 4096, VDRV_DMA_DEV_WRITE);
  st = rt_stats(t);
  tb_blk_fill(&k, w, 4096, 400);
  ws = (vdrv_virtq_seg_t){w, 4096};
  for (unsigned q = 0; q < k.b.nq; q++)
    rt_do(&k, q, VEP_BLK_T_OUT, 3 * q, &ws, 1, 1, VEP_BLK_S_IOERR, 1, "OUT read-only");
  vdrv_virtq_seg_t s = {w, 512};
  TB_CHECK_EQ(t, vdrv_blk_write(&k.b, 0, 3, &s, 1), -EROFS);
  rt_expect(t, &st, (rt_cnt_t){0}, "OUT read-only");
  tb_blk_check_disk(&k);
  rs = (vdrv_virtq_seg_t){r, 4096};
  rt_do(&k, 0, VEP_BLK_T_IN, 0, &rs, 1, 0, VEP_BLK_S_OK, 4097, "IN read-only");
  tb_blk_check_read(&k, 0, &rs, 1, "IN read-only");
  rt_do(&k, 0, VEP_BLK_T_FLUSH, 0, NULL, 0, 0, VEP_BLK_S_OK, 1, "FLUSH read-only");
  rt_expect(t, &st, (rt_cnt_t){.req = 2, .in = 1, .flush = 1, .rd = 4096, .ok = 2},
            "read-only IN");
  tb_blk_close(&k);
}

/* ---- Transfer sizes and alignments ---- */

/* OUT of seg (filled with seed) at sector, then IN of the same range into rs (whose buffer
 * around it holds the pattern rseed: checked unchanged), both checked. */
static void sz_rw(tb_blk_t *k, unsigned q, uint64_t sector, const vdrv_virtq_seg_t *ws,
                  unsigned nws, const vdrv_virtq_seg_t *rs, unsigned nrs, const char *what)
{
  tb_t *t = k->t;
  uint32_t total = 0;
  for (unsigned i = 0; i < nws; i++) total += ws[i].len;
  vdrv_blk_io_t io = {VEP_BLK_T_OUT, sector, ws, nws, 0};
  vdrv_blk_cpl_t c;
  TB_DRV(t, tb_blk_io_wait(k, q, &io, &c));
  TB_CHECK(t, c.result == 0 && c.status == VEP_BLK_S_OK && c.len == 1,
           "%s: OUT result %d status %u len %u", what, c.result, c.status, c.len);
  tb_blk_shadow_write(k, sector, ws, nws);
  io = (vdrv_blk_io_t){VEP_BLK_T_IN, sector, rs, nrs, 0};
  TB_DRV(t, tb_blk_io_wait(k, q, &io, &c));
  TB_CHECK(t, c.result == 0 && c.status == VEP_BLK_S_OK && c.len == total + 1,
           "%s: IN result %d status %u len %u (want %u)", what, c.result, c.status, c.len,
           total + 1);
  tb_blk_check_read(k, sector, rs, nrs, what);
}

TB_TEST(blk_sizes, "OUT then IN of every power of two from 512 B to 1 MiB and odd multiples of "
                   "512, from buffers at odd byte offsets crossing 4 KiB pages: data read back "
                   "and on the disk equal to the shadow, bytes around the read buffer untouched, "
                   "used len = data + 1") {
  tb_blk_t k;
  tb_blk_open(t, &k, NULL);
  const uint32_t max = 1u << 20;
  TB_REQUIRE(t, k.capacity * 512 >= 2ull * max, "capacity %llu", (unsigned long long)k.capacity);
  uint64_t wb = tb_blk_buf(&k, max + 8192, 4096, VDRV_DMA_DEV_READ);
  uint64_t rb = tb_blk_buf(&k, max + 8192, 4096, VDRV_DMA_DEV_WRITE);
  static const uint32_t odd[] = {3, 5, 7, 9, 25, 255};
  uint32_t sizes[32];
  unsigned n = 0;
  for (uint32_t s = 512; s <= max; s <<= 1) sizes[n++] = s;
  for (unsigned i = 0; i < sizeof odd / sizeof odd[0]; i++) sizes[n++] = odd[i] * 512;
  for (unsigned i = 0; i < n; i++) {
    uint32_t len = sizes[i];
    char what[64];
    snprintf(what, sizeof what, "%u bytes", len);
    /* Odd offsets below a page, or just below a page end so the buffer crosses it. */
    uint32_t wo = (tb_rand_below(&t->rng, 4096) | 1u);
    uint32_t ro = i % 2 ? 4096 - 1 - 2 * tb_rand_below(&t->rng, 8) : tb_rand_below(&t->rng, 4096) | 1u;
    uint64_t sector = tb_rand_below(&t->rng, (uint32_t)(k.capacity - len / 512 + 1));
    tb_blk_fill(&k, wb + wo, len, 1000 + i);
    tb_blk_fill(&k, rb, len + 8192, 2000 + i);
    vdrv_virtq_seg_t ws = {wb + wo, len}, rs = {rb + ro, len};
    sz_rw(&k, i % k.b.nq, sector, &ws, 1, &rs, 1, what);
    tb_blk_check_fill(&k, rb, 0, ro, 2000 + i, "before the read buffer");
    tb_blk_check_fill(&k, rb, ro + len, 8192 - ro, 2000 + i, "after the read buffer");
  }
  tb_blk_check_disk(&k);
  tb_blk_close(&k);
}

/* ---- Scatter-gather in every layout ---- */

static const char *const layout_name[4] = {"separate", "MERGE", "INDIRECT", "MERGE|INDIRECT"};

TB_TEST(blk_sg, "scatter-gather: OUT and IN chains of 1..seg_max data segments of random "
                "lengths and odd alignments (the IN cut differently from the OUT), in every "
                "layout (separate, MERGE, INDIRECT, MERGE|INDIRECT), on every queue; raw chains "
                "with the header cut across buffers and sharing one with the data, the status "
                "byte sharing one with the data: data read back and on the disk equal to the "
                "shadow, nothing written outside the buffers") {
  tb_blk_t k;
  tb_blk_open(t, &k, NULL);
  unsigned maxs = k.b.max_segs;
  TB_REQUIRE(t, maxs >= 2 && maxs <= 64, "max_segs %u", maxs);
  TB_CHECK_EQ(t, maxs, t->cfg.params.BLK_SEG_MAX);
  const uint32_t maxlen = 64 * 512;
  uint64_t wb = tb_blk_buf(&k, maxlen + 4096, 4096, VDRV_DMA_DEV_READ);
  uint64_t rb = tb_blk_buf(&k, maxlen + 4096, 4096, VDRV_DMA_DEV_WRITE);
  vdrv_virtq_seg_t ws[64], rs[64];
  unsigned round = 0;
  for (unsigned lay = 0; lay < 4; lay++) {
    k.b.opts.layout = lay;   /* the driver takes the layout per request */
    for (unsigned i = 0; i < 6; i++, round++) {
      unsigned nw = i == 0 ? 1 : i == 1 ? maxs : 1 + tb_rand_below(&t->rng, maxs);
      unsigned nr = i == 0 ? maxs : i == 1 ? 1 : 1 + tb_rand_below(&t->rng, maxs);
      unsigned mx = nw > nr ? nw : nr;
      uint32_t sectors = (mx + 511) / 512 + tb_rand_below(&t->rng, 24);
      if (sectors > 64) sectors = 64;
      uint32_t len = sectors * 512;
      uint32_t wo = tb_rand_below(&t->rng, 4096) | 1u, ro = tb_rand_below(&t->rng, 4096) | 1u;
      nw = tb_blk_split(&k, wb + wo, len, nw, ws);
      nr = tb_blk_split(&k, rb + ro, len, nr, rs);
      uint64_t sector = tb_rand_below(&t->rng, (uint32_t)(k.capacity - sectors + 1));
      tb_blk_fill(&k, wb + wo, len, 3000 + round);
      tb_blk_fill(&k, rb, maxlen + 4096, 4000 + round);
      char what[96];
      snprintf(what, sizeof what, "%s: %u bytes, OUT in %u segments, IN in %u",
               layout_name[lay], len, nw, nr);
      sz_rw(&k, round % k.b.nq, sector, ws, nw, rs, nr, what);
      tb_blk_check_fill(&k, rb, 0, ro, 4000 + round, "before the read buffer");
      tb_blk_check_fill(&k, rb, ro + len, maxlen + 4096 - ro - len, 4000 + round,
                        "after the read buffer");
    }
  }
  /* No framing: raw chains (one INDIRECT descriptor) whose readable bytes (header, then OUT
   * data) and writable bytes (IN data, then the status byte) are one region each, cut at random
   * places, so the header spans buffers and shares one with data, and the status byte shares
   * one with data. */
  k.b.opts.layout = 0;
  for (unsigned i = 0; i < 8; i++, round++) {
    int out = i % 2 == 0;
    uint32_t sectors = 1 + tb_rand_below(&t->rng, 8), len = sectors * 512;
    uint64_t sector = tb_rand_below(&t->rng, (uint32_t)(k.capacity - sectors + 1));
    uint64_t hb = tb_blk_buf(&k, 16 + len + 8, 8, VDRV_DMA_DEV_READ) + 1 + i % 7;
    uint64_t ib = rb + (tb_rand_below(&t->rng, 4096) | 1u);
    uint8_t h[16] = {0};
    h[0] = (uint8_t)(out ? VEP_BLK_T_OUT : VEP_BLK_T_IN);
    for (unsigned b = 0; b < 8; b++) h[8 + b] = (uint8_t)(sector >> (8 * b));
    tb_blk_put(&k, hb, h, 16);
    if (out) tb_blk_fill(&k, hb + 16, len, 5000 + round);
    tb_blk_fill(&k, rb, maxlen + 4096, 6000 + round);
    unsigned nh = tb_blk_split(&k, hb, out ? 16 + len : 16, 1 + tb_rand_below(&t->rng, 8), ws);
    unsigned ni = tb_blk_split(&k, ib, out ? 1 : len + 1, 1 + tb_rand_below(&t->rng, 8), rs);
    uint32_t ulen = tb_blk_raw_indirect(&k, (unsigned)i % k.b.nq, ws, nh, rs, ni);
    uint8_t stb = 0xFF;
    tb_blk_get(&k, ib + (out ? 0 : len), &stb, 1);
    char what[80];
    snprintf(what, sizeof what, "raw %s, %u bytes, %u readable and %u writable buffers",
             out ? "OUT" : "IN", len, nh, ni);
    TB_CHECK_EQ_CTX(t, stb, VEP_BLK_S_OK, "%s: status", what);
    TB_CHECK_EQ_CTX(t, ulen, out ? 1 : len + 1, "%s: used len", what);
    vdrv_virtq_seg_t d = {out ? hb + 16 : ib, len};
    if (out) tb_blk_shadow_write(&k, sector, &d, 1);
    else tb_blk_check_read(&k, sector, &d, 1, what);
    tb_blk_check_fill(&k, rb, 0, ib - rb, 6000 + round, "before the writable region");
    uint64_t end = ib + (out ? 1 : len + 1) - rb;
    tb_blk_check_fill(&k, rb, end, maxlen + 4096 - end, 6000 + round,
                      "after the writable region");
  }
  tb_blk_check_disk(&k);
  tb_blk_close(&k);
}

/* ---- Queue sizes, queues, depth, EVENT_IDX, interrupt modes ---- */

#define QD_MAX 400u    /* requests in flight in one batch, at most */
#define QD_STRIDE 8u   /* sectors per request slot (4 KiB at most each) */
#define QD_BUF 8192u   /* bytes of buffer per request slot */

typedef struct qd_rq {
  int calls;
  vdrv_blk_cpl_t cpl;
  uint32_t type;
  uint64_t sector;
  uint32_t len;
  unsigned nseg, q;
  vdrv_virtq_seg_t seg[4];
} qd_rq_t;

static void qd_cb(void *cookie, const vdrv_blk_cpl_t *cpl)
{
  qd_rq_t *r = cookie;
  r->calls++;
  r->cpl = *cpl;
}

/* One batch: every queue filled until -ENOSPC (some requests batched with NO_KICK), then all
 * completed; each request checked (one callback, status, used len, read data); the disk after. */
static unsigned qd_batch(tb_blk_t *k, qd_rq_t *rq, uint64_t wb, uint64_t rb, unsigned batch)
{
  tb_t *t = k->t;
  unsigned n = 0;
  unsigned segmax = k->b.max_segs < 4 ? k->b.max_segs : 4;
  for (unsigned q = 0; q < k->b.nq; q++) {
    int pending_kick = 0;
    for (;;) {
      TB_REQUIRE(t, n < QD_MAX, "more than %u requests fit the queues", QD_MAX);
      qd_rq_t *r = &rq[n];
      memset(r, 0, sizeof *r);
      r->q = q;
      r->type = tb_rand_below(&t->rng, 8) == 0 ? VEP_BLK_T_FLUSH
                : tb_rand_below(&t->rng, 2)    ? VEP_BLK_T_OUT
                                               : VEP_BLK_T_IN;
      r->sector = (uint64_t)n * QD_STRIDE + tb_rand_below(&t->rng, 4);
      r->len = 512u * (1 + tb_rand_below(&t->rng, 4));
      if (r->type != VEP_BLK_T_FLUSH) {
        uint64_t a = (r->type == VEP_BLK_T_OUT ? wb : rb) + (uint64_t)n * QD_BUF +
                     (tb_rand_below(&t->rng, 2048) | 1u);
        if (r->type == VEP_BLK_T_OUT) tb_blk_fill(k, a, r->len, batch * 1000 + n);
        r->nseg = tb_blk_split(k, a, r->len, 1 + tb_rand_below(&t->rng, segmax), r->seg);
      }
      unsigned nokick = tb_rand_below(&t->rng, 2) ? VDRV_BLK_IO_NO_KICK : 0u;
      vdrv_blk_io_t io = {r->type, r->type == VEP_BLK_T_FLUSH ? 0 : r->sector, r->seg, r->nseg,
                          nokick};
      int rc = vdrv_blk_submit(&k->b, q, &io, qd_cb, r);
      if (rc == -ENOSPC) break;
      TB_DRV(t, rc);
      pending_kick = nokick != 0;
      n++;
    }
    TB_CHECK(t, vdrv_blk_inflight(&k->b, q) == k->b.q[q].vq.size ||
                    vdrv_virtq_num_free(&k->b.q[q].vq) < segmax + 2,
             "queue %u full: %u in flight, %u descriptors free", q, vdrv_blk_inflight(&k->b, q),
             vdrv_virtq_num_free(&k->b.q[q].vq));
    if (pending_kick) TB_DRV(t, vdrv_blk_kick(&k->b, q));
  }
  tb_blk_drain(k);
  for (unsigned i = 0; i < n; i++) {
    qd_rq_t *r = &rq[i];
    char what[80];
    snprintf(what, sizeof what, "batch %u request %u (queue %u, type %u, %u segments)", batch,
             i, r->q, r->type, r->nseg);
    if (!TB_CHECK(t, r->calls == 1, "%s: %d callbacks", what, r->calls)) continue;
    uint32_t want = r->type == VEP_BLK_T_IN ? r->len + 1 : 1;
    TB_CHECK(t, r->cpl.result == 0 && r->cpl.status == VEP_BLK_S_OK && r->cpl.len == want,
             "%s: result %d status %u len %u (want %u)", what, r->cpl.result, r->cpl.status,
             r->cpl.len, want);
    if (r->type == VEP_BLK_T_IN) tb_blk_check_read(k, r->sector, r->seg, r->nseg, what);
  }
  /* Writes went to distinct ranges: their order does not matter. */
  for (unsigned i = 0; i < n; i++)
    if (rq[i].type == VEP_BLK_T_OUT) tb_blk_shadow_write(k, rq[i].sector, rq[i].seg, rq[i].nseg);
  tb_blk_check_disk(k);
  return n;
}

/* Queue size 1: the driver cannot place a request in one descriptor, so each goes as one
 * INDIRECT descriptor built by the test (OUT, IN of the same sectors, FLUSH) on every queue. */
static void qd_size1(tb_blk_t *k, uint64_t wb, uint64_t rb, unsigned inst)
{
  tb_t *t = k->t;
  uint64_t hdr = tb_blk_buf(k, 16, 16, VDRV_DMA_DEV_READ);
  uint64_t st = tb_blk_buf(k, 8, 8, VDRV_DMA_DEV_WRITE);
  for (unsigned q = 0; q < k->b.nq; q++) {
    TB_CHECK_EQ_CTX(t, k->b.q[q].vq.size, 1, "queue %u", q);
    for (unsigned j = 0; j < 3; j++) {
      uint32_t type = j == 0 ? VEP_BLK_T_OUT : j == 1 ? VEP_BLK_T_IN : VEP_BLK_T_FLUSH;
      uint64_t sector = 3000 + 8 * q;
      uint32_t len = 1024 + 512 * q;
      uint8_t h[16] = {0};
      h[0] = (uint8_t)type;
      for (unsigned b = 0; b < 8; b++) h[8 + b] = (uint8_t)(sector >> (8 * b));
      tb_blk_put(k, hdr, h, 16);
      uint8_t unset = 0xA5;
      tb_blk_put(k, st, &unset, 1);
      vdrv_virtq_seg_t out[2] = {{hdr, 16}, {wb + 1, len}}, in[2] = {{rb + 3, len}, {st, 1}};
      if (j == 0) tb_blk_fill(k, wb + 1, len, 7000 + inst * 8 + q);
      uint32_t ulen = j == 0   ? tb_blk_raw_indirect(k, q, out, 2, in + 1, 1)
                      : j == 1 ? tb_blk_raw_indirect(k, q, out, 1, in, 2)
                               : tb_blk_raw_indirect(k, q, out, 1, in + 1, 1);
      uint8_t s = 0xFF;
      tb_blk_get(k, st, &s, 1);
      TB_CHECK_EQ_CTX(t, s, VEP_BLK_S_OK, "queue size 1, queue %u, type %u: status", q, type);
      TB_CHECK_EQ_CTX(t, ulen, j == 1 ? len + 1 : 1, "queue size 1, queue %u, type %u: len", q,
                      type);
      if (j == 0) tb_blk_shadow_write(k, sector, &out[1], 1);
      if (j == 1) tb_blk_check_read(k, sector, &in[0], 1, "queue size 1: IN");
    }
  }
  tb_blk_check_disk(k);
}

TB_TEST(blk_queues, "queue sizes QUEUE_SIZE_MAX, 64, 16, 2 and 1 (as raw INDIRECT chains), all "
                    "queues filled until -ENOSPC (some requests batched with NO_KICK, then "
                    "kicked), every irq mode (MSI-X, INTx with the ISR, polling) with EVENT_IDX "
                    "on and off: every request completed once with status OK and the right used "
                    "len, reads equal to the shadow, the disk too; no MSI-X message in the INTx "
                    "and polling modes; a reset between queue sizes") {
  static const struct {
    unsigned irq, evidx, layout;
    uint16_t qsize;
  } inst[] = {
      {VDRV_BLK_IRQ_MSIX, 1, 0, 0},
      {VDRV_BLK_IRQ_MSIX, 0, VDRV_BLK_LAYOUT_MERGE, 2},
      {VDRV_BLK_IRQ_INTX, 1, VDRV_BLK_LAYOUT_MERGE | VDRV_BLK_LAYOUT_INDIRECT, 2},
      {VDRV_BLK_IRQ_INTX, 0, VDRV_BLK_LAYOUT_INDIRECT, 64},
      {VDRV_BLK_IRQ_POLL, 1, VDRV_BLK_LAYOUT_MERGE, 16},
      {VDRV_BLK_IRQ_POLL, 0, 0, 0},
  };
  qd_rq_t rq[QD_MAX];
  for (unsigned i = 0; i < sizeof inst / sizeof inst[0]; i++) {
    if (i) tb_reconfigure(t, &t->cfg);
    /* A disk with contents, so that reads return something. */
    cosim_storage_t *sto = cosim_blk_storage(t->sim);
    uint8_t pat[4096];
    for (uint64_t s = 0; s < QD_MAX * QD_STRIDE; s += 8) {
      for (unsigned j = 0; j < sizeof pat; j++) pat[j] = (uint8_t)(tb_rand32(&t->rng) >> 9);
      TB_DRV(t, cosim_storage_write_direct(sto, s, 8, pat));
    }
    tb_blk_t k;
    tb_blk_opts(&k, inst[i].irq, inst[i].layout);
    if (!inst[i].evidx) k.o.refuse_features = 1ull << VEP_F_EVENT_IDX;
    k.o.queue_size = inst[i].qsize;
    tb_blk_open(t, &k, &k.o);
    TB_CHECK_EQ_CTX(t, k.b.event_idx, inst[i].evidx, "instance %u", i);
    TB_CHECK_EQ_CTX(t, k.b.nq, t->cfg.params.NUM_QUEUES, "instance %u", i);
    TB_CHECK_EQ_CTX(t, k.b.q[0].vq.size, inst[i].qsize ? inst[i].qsize : t->cfg.params.QUEUE_SIZE_MAX,
                    "instance %u", i);
    uint64_t wb = tb_blk_buf(&k, (size_t)QD_MAX * QD_BUF, 4096, VDRV_DMA_DEV_READ);
    uint64_t rb = tb_blk_buf(&k, (size_t)QD_MAX * QD_BUF, 4096, VDRV_DMA_DEV_WRITE);
    unsigned total = 0;
    for (unsigned b = 0; b < 2; b++) total += qd_batch(&k, rq, wb, rb, i * 2 + b);
    TB_CHECK(t, total >= 2 * k.b.nq, "instance %u: %u requests", i, total);
    if (inst[i].irq == VDRV_BLK_IRQ_MSIX) {
      TB_CHECK(t, k.b.irqs > 0, "instance %u: no MSI-X interrupt", i);
    } else {
      TB_CHECK(t, k.b.irqs + k.b.stray_irqs == 0 && t->nmsi == 0,
               "instance %u (irq mode %u): %llu+%llu MSI-X messages to the driver, %u to the "
               "harness", i, inst[i].irq, (unsigned long long)k.b.irqs,
               (unsigned long long)k.b.stray_irqs, t->nmsi);
    }
    /* Queue size 1, after a reset (the same irq mode and EVENT_IDX). */
    k.b.opts.queue_size = 1;
    TB_DRV(t, vdrv_blk_reset(&k.b));
    qd_size1(&k, wb, rb, i);
    TB_CHECK_EQ(t, vdrv_blk_check_status(&k.b), 0);
    tb_blk_close(&k);
  }
}
