/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_vq_fetch's head buffer and descriptor windows (docs/datapath.md, "vep_vq_fetch"): chains
 * built by hand in the rings the driver set up (descriptors where a test wants them, published
 * several at a time), and driver traffic that carries the avail ring across its wrap. Every
 * request is an IN of sectors whose bytes the shadow knows: the data read back, the status byte
 * and the used element say whether the device walked the chain it was given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blk/tb_blk_lib.h"
#include "vep_consts.h"
#include "vep_virtio.h"

/* ---- Hand-built IN chains on queue 0 ---- */

/* One IN chain: its descriptor indices (header, data segments, status byte) and buffers. */
typedef struct ring_chain {
  unsigned ndesc;           /* header + nseg + status */
  uint16_t idx[8];          /* descriptor index of each, in chain order */
  uint64_t sector;
  unsigned nseg;
  vdrv_virtq_seg_t seg[6];  /* device-writable data */
  uint64_t hdr, status;
} ring_chain_t;

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
  for (unsigned i = 0; i < n; i++) {
    p[i] = (uint8_t)(v >> (8 * i));
  }
}

static void put_desc(tb_blk_t *k, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
  uint8_t d[16];
  put_le(d, addr, 8);
  put_le(d + 8, len, 4);
  put_le(d + 12, flags, 2);
  put_le(d + 14, next, 2);
  tb_blk_put(k, k->b.q[0].vq.desc + 16u * i, d, 16);
}

/* A chain reading nseg segments of 512 bytes from sector, at descriptor indices idx[] (header
 * first, status last); buffers fresh, the data ones filled with a pattern the IN overwrites. */
static void chain_make(tb_blk_t *k, ring_chain_t *c, uint64_t sector, unsigned nseg,
                       const uint16_t *idx)
{
  memset(c, 0, sizeof *c);
  c->sector = sector;
  c->nseg = nseg;
  c->ndesc = nseg + 2;
  memcpy(c->idx, idx, c->ndesc * sizeof *idx);
  uint8_t h[VEP_BLK_HDR_BYTES] = {0};
  put_le(h, VEP_BLK_T_IN, 4);
  put_le(h + 8, sector, 8);
  c->hdr = tb_blk_buf(k, sizeof h, 16, VDRV_DMA_DEV_READ);
  tb_blk_put(k, c->hdr, h, sizeof h);
  for (unsigned s = 0; s < nseg; s++) {
    c->seg[s].addr = tb_blk_buf(k, 512, 8, VDRV_DMA_DEV_WRITE);
    c->seg[s].len = 512;
    tb_blk_fill(k, c->seg[s].addr, 512, 0x5a00u + s);
  }
  c->status = tb_blk_buf(k, 1, 1, VDRV_DMA_DEV_WRITE);
  uint8_t ff = 0xFF;
  tb_blk_put(k, c->status, &ff, 1);
}

/* Its descriptors into the table (after which the chain may be published). */
static void chain_write(tb_blk_t *k, const ring_chain_t *c)
{
  const uint16_t N = VEP_VRING_DESC_F_NEXT, W = VEP_VRING_DESC_F_WRITE;
  put_desc(k, c->idx[0], c->hdr, VEP_BLK_HDR_BYTES, N, c->idx[1]);
  for (unsigned s = 0; s < c->nseg; s++) {
    put_desc(k, c->idx[1 + s], c->seg[s].addr, c->seg[s].len, N | W, c->idx[2 + s]);
  }
  put_desc(k, c->idx[c->ndesc - 1], c->status, 1, W, 0);
}

/* Publishes n chains with one avail.idx write, notifies, waits until the device has returned
 * them all and checks each: used id and len, status OK, data equal to the shadow. The driver's
 * indices are kept in step (nothing of the driver's may be in flight on queue 0). */
static void chains_run(tb_blk_t *k, ring_chain_t *const *c, unsigned n, const char *what)
{
  tb_t *t = k->t;
  vdrv_virtq_t *vq = &k->b.q[0].vq;
  TB_REQUIRE(t, vdrv_blk_inflight(&k->b, 0) == 0, "%s: queue 0 idle", what);
  uint8_t e[2];
  for (unsigned i = 0; i < n; i++) {
    put_le(e, c[i]->idx[0], 2);
    tb_blk_put(k, vq->avail + VDRV_VRING_AVAIL_RING((uint16_t)(vq->avail_idx + i) % vq->size),
               e, 2);
  }
  vq->avail_idx = (uint16_t)(vq->avail_idx + n);
  vq->kicked_idx = vq->avail_idx;
  put_le(e, vq->avail_idx, 2);
  tb_blk_put(k, vq->avail + VDRV_VRING_IDX, e, 2);
  TB_DRV(t, vdrv_vpci_notify(&k->v, 0));
  uint16_t want = (uint16_t)(vq->last_used + n), got;
  for (uint64_t waited = 0;; waited += 64) {
    tb_blk_get(k, vq->used + VDRV_VRING_IDX, e, 2);
    got = (uint16_t)(e[0] | e[1] << 8);
    if (got == want) break;
    TB_REQUIRE(t, waited < 2000000 && !(tb_status_rd(t) & VEP_STATUS_DEVICE_NEEDS_RESET),
               "%s: used.idx %u, expected %u (device_status 0x%02x)", what, got, want,
               tb_status_rd(t));
    tb_run(t, 64);
  }
  for (unsigned i = 0; i < n; i++) {
    uint8_t el[8];
    tb_blk_get(k, vq->used + VDRV_VRING_USED_RING(vq->last_used % vq->size), el, 8);
    vq->last_used++;
    uint32_t id = el[0] | el[1] << 8 | el[2] << 16 | (uint32_t)el[3] << 24;
    uint32_t len = el[4] | el[5] << 8 | el[6] << 16 | (uint32_t)el[7] << 24;
    TB_CHECK_EQ_CTX(t, id, c[i]->idx[0], "%s: used id of chain %u", what, i);
    TB_CHECK_EQ_CTX(t, len, 512u * c[i]->nseg + 1u, "%s: used len of chain %u", what, i);
    uint8_t st;
    tb_blk_get(k, c[i]->status, &st, 1);
    TB_CHECK_EQ_CTX(t, st, VEP_BLK_S_OK, "%s: status of chain %u", what, i);
    tb_blk_check_read(k, c[i]->sector, c[i]->seg, c[i]->nseg, what);
  }
}

static void open_plain(tb_t *t, tb_blk_t *k)
{
  tb_blk_open(t, k, NULL);
  TB_REQUIRE(t, k->b.q[0].vq.size >= 256, "queue 0 of 256 entries at least (size %u)",
             k->b.q[0].vq.size);
}

TB_TEST(ring_window_rewrite, "descriptors read into a window before the driver rewrote them "
                             "(they were not yet available) are not used: a stale valid-looking "
                             "chain read with two published ones, then rewritten to other "
                             "buffers and published: the device reads the new descriptors (data "
                             "lands in the new buffers, the old ones untouched)") {
  tb_blk_t k;
  open_plain(t, &k);
  /* The stale chain at 6, 7, 8: valid, never published. */
  ring_chain_t stale, a1, a2, fresh;
  chain_make(&k, &stale, 40, 1, (const uint16_t[]){6, 7, 8});
  chain_write(&k, &stale);
  /* Two chains published together: the window read for the first covers 4 descriptors per
   * chain known available (8: descriptors 0..7), the stale 6 and 7 with them. */
  chain_make(&k, &a1, 10, 1, (const uint16_t[]){0, 1, 2});
  chain_make(&k, &a2, 20, 1, (const uint16_t[]){3, 4, 5});
  chain_write(&k, &a1);
  chain_write(&k, &a2);
  chains_run(&k, (ring_chain_t *const[]){&a1, &a2}, 2, "two chains");
  /* Now the driver writes a different chain at 6, 7, 8 and publishes it. */
  chain_make(&k, &fresh, 60, 1, (const uint16_t[]){6, 7, 8});
  chain_write(&k, &fresh);
  chains_run(&k, (ring_chain_t *const[]){&fresh}, 1, "rewritten chain");
  tb_blk_check_fill(&k, stale.seg[0].addr, 0, 512, 0x5a00u, "the stale chain's buffer");
  uint8_t st;
  tb_blk_get(&k, stale.status, &st, 1);
  TB_CHECK_EQ_CTX(t, st, 0xFF, "the stale chain's status byte");
  /* The same with the window of a single chain: its 4 descriptors (9..12) take in 12 before
   * the chain at 12.. is written. */
  ring_chain_t b1, b2;
  chain_make(&k, &stale, 41, 1, (const uint16_t[]){12, 13, 14});
  chain_write(&k, &stale);
  chain_make(&k, &b1, 11, 1, (const uint16_t[]){9, 10, 11});
  chain_write(&k, &b1);
  chains_run(&k, (ring_chain_t *const[]){&b1}, 1, "single chain");
  chain_make(&k, &b2, 61, 1, (const uint16_t[]){12, 13, 14});
  chain_write(&k, &b2);
  chains_run(&k, (ring_chain_t *const[]){&b2}, 1, "rewritten chain after a single one");
  tb_blk_check_fill(&k, stale.seg[0].addr, 0, 512, 0x5a00u, "the second stale buffer");
  tb_blk_close(&k);
}

TB_TEST(ring_window_straddle, "chains whose descriptors lie outside the window read for their "
                              "head: a long chain jumping across the table (forward, backward, "
                              "to its last entry), and a second chain published with the first "
                              "that runs past the first's window: every descriptor walked, data "
                              "and status right") {
  tb_blk_t k;
  open_plain(t, &k);
  uint16_t last = (uint16_t)(k.b.q[0].vq.size - 1u);
  ring_chain_t c1, c2, c3;
  /* One chain alone: a window of 4 from 100 (100..103), then 200, 50 and the table's last. */
  chain_make(&k, &c1, 3, 6, (const uint16_t[]){100, 101, 102, 103, 200, 50, last, 49});
  chain_write(&k, &c1);
  chains_run(&k, (ring_chain_t *const[]){&c1}, 1, "scattered chain");
  /* Two chains: the window for the first (8 descriptors, 20..27) ends inside the second. */
  chain_make(&k, &c2, 30, 1, (const uint16_t[]){20, 21, 22});
  chain_make(&k, &c3, 50, 6, (const uint16_t[]){23, 24, 25, 26, 27, 28, 29, 30});
  chain_write(&k, &c2);
  chain_write(&k, &c3);
  chains_run(&k, (ring_chain_t *const[]){&c2, &c3}, 2, "chain past the window");
  /* A chain ending at the table's last descriptor, its window cut at the table's end. */
  ring_chain_t c4;
  chain_make(&k, &c4, 70, 1, (const uint16_t[]){(uint16_t)(last - 2u), (uint16_t)(last - 1u),
                                                last});
  chain_write(&k, &c4);
  chains_run(&k, (ring_chain_t *const[]){&c4}, 1, "chain at the table's end");
  tb_blk_close(&k);
}

/* ---- The TLP log: which reads the device made ---- */

/* The whole log of the test, after it ended (tb_tlp_log_end). */
static char *slurp(tb_t *t, const char *path)
{
  FILE *in = tb_tlp_log_end(t, path);
  static char buf[4 << 20];
  size_t nb = fread(buf, 1, sizeof buf - 1, in);
  fclose(in);
  buf[nb] = '\0';
  return buf;
}

TB_TEST(ring_indirect_one_read, "an INDIRECT request of 10 table entries (header, 8 data "
                                "segments, status): the table is read by one request (its MRds "
                                "cover entries 0..9 once, in order, at most 3 of them), and the "
                                "data is right") {
  char path[64];
  tb_temp_path(t, path, sizeof path, "ring");
  cosim_cfg_t cfg = t->cfg;
  cfg.tlp_log_path = path;
  tb_reconfigure(t, &cfg);
  tb_blk_t k;
  tb_blk_opts(&k, VDRV_BLK_IRQ_MSIX, VDRV_BLK_LAYOUT_INDIRECT);
  tb_blk_open(t, &k, &k.o);
  uint64_t r = tb_blk_buf(&k, 8 * 512, 8, VDRV_DMA_DEV_WRITE);
  vdrv_virtq_seg_t seg[8];
  for (unsigned s = 0; s < 8; s++) {
    seg[s] = (vdrv_virtq_seg_t){r + 512u * s, 512};
  }
  TB_DRV(t, vdrv_blk_read(&k.b, 0, 8, seg, 8));
  tb_blk_check_read(&k, 8, seg, 8, "indirect read");
  tb_blk_close(&k);
  char *log = slurp(t, path);
  remove(path);
  unsigned next = 0, mrds = 0;
  for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
    const char *m = strstr(line, "indirect table [");
    if (!strstr(line, "EP>RC") || !strstr(line, " MRd") || !m) continue;
    unsigned lo, hi;
    if (sscanf(m, "indirect table [%u..%u]", &lo, &hi) != 2) {
      TB_REQUIRE(t, sscanf(m, "indirect table [%u]", &lo) == 1, "range in: %s", line);
      hi = lo;
    }
    TB_CHECK(t, lo == next, "indirect table MRd of [%u..%u] after entries 0..%u: %s", lo, hi,
             next ? next - 1 : 0, line);
    next = hi + 1;
    mrds++;
  }
  TB_CHECK_EQ_CTX(t, next, 10u, "indirect table entries read");
  /* One request, which vep_dma_rd cuts at MRRS boundaries only: 160 bytes cross at most two
   * at the smallest MRRS (128), so 3 MRds at most (a read per entry would be 10). */
  TB_CHECK(t, mrds >= 1 && mrds <= 3, "%u MRds of the indirect table", mrds);
}

/* ---- The head buffer across the ring's end ---- */

typedef struct wrap_ctx {
  unsigned done, bad;
} wrap_ctx_t;

static void wrap_done(void *cookie, const vdrv_blk_cpl_t *cpl)
{
  wrap_ctx_t *w = cookie;
  w->done++;
  if (cpl->result != 0) w->bad++;
}

TB_TEST(ring_head_wrap, "a queue of 16 entries (one INDIRECT descriptor per request): batches "
                        "of 11 and 7 requests published at once, so that ring entries are read "
                        "up to the ring's end and again from slot 0, past the avail index's "
                        "own wrap of the ring many times: every request OK, data right") {
  tb_blk_t k;
  tb_blk_opts(&k, VDRV_BLK_IRQ_MSIX, VDRV_BLK_LAYOUT_INDIRECT);
  k.o.queue_size = 16;
  tb_blk_open(t, &k, &k.o);
  TB_REQUIRE(t, k.b.q[0].vq.size == 16, "queue size 16 (got %u)", k.b.q[0].vq.size);
  enum { MAXB = 11 };
  uint64_t buf = tb_blk_buf(&k, MAXB * 1024, 8, VDRV_DMA_DEV_WRITE);
  wrap_ctx_t w = {0};
  unsigned total = 0;
  for (unsigned round = 0; round < 12; round++) {
    unsigned nb = (round % 2) ? 7 : MAXB;
    vdrv_virtq_seg_t seg[MAXB];
    for (unsigned i = 0; i < nb; i++) {
      seg[i] = (vdrv_virtq_seg_t){buf + 1024u * i, 1024};
      vdrv_blk_io_t io = {.type = VEP_BLK_T_IN, .sector = 2u * (round * MAXB + i),
                          .seg = &seg[i], .nseg = 1, .flags = VDRV_BLK_IO_NO_KICK};
      TB_DRV(t, vdrv_blk_submit(&k.b, 0, &io, wrap_done, &w));
    }
    (void)vdrv_blk_kick(&k.b, 0);
    total += nb;
    tb_blk_drain(&k);
    TB_CHECK_EQ_CTX(t, w.done, total, "round %u: requests completed", round);
    for (unsigned i = 0; i < nb; i++) {
      tb_blk_check_read(&k, 2u * (round * MAXB + i), &seg[i], 1, "wrap round");
    }
  }
  TB_CHECK_EQ_CTX(t, w.bad, 0, "requests not OK");
  tb_blk_close(&k);
}
