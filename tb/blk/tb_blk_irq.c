/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-blk on the real endpoint: the queue machinery around the data path. The 16-bit ring
 * indices wrapping past 65535, MSI-X masking (entry mask, function mask, the configuration
 * vector on DEVICE_NEEDS_RESET) with real completions, EVENT_IDX (avail_event, kick and
 * interrupt suppression) and NO_INTERRUPT, and the queue-depth-32 sequential read figure.
 *
 * Where a test must see every MSI-X message itself, it takes the MSI window back from the driver
 * (tb_msi_install after vdrv_blk_init) and completes requests with vdrv_blk_poll.
 */
#include <errno.h>
#include <string.h>

#include "cosim_storage.h"
#include "tb_blk_lib.h"
#include "vep_consts.h"

/* ---- Small helpers of this file ---- */

typedef struct cnt {
  uint64_t done, bad;
} cnt_t;

static void count_cb(void *cookie, const vdrv_blk_cpl_t *cpl)
{
  cnt_t *c = cookie;
  c->done++;
  if (cpl->result != 0) c->bad++;
}

/* used.idx, avail_event (in the used ring), used_event (in the avail ring) of queue q. */
static uint16_t used_idx(tb_blk_t *k, unsigned q)
{
  return tb_blk_get16(k, k->b.q[q].vq.used + VDRV_VRING_IDX);
}

static uint16_t avail_event(tb_blk_t *k, unsigned q)
{
  const vdrv_virtq_t *vq = &k->b.q[q].vq;
  return tb_blk_get16(k, vq->used + VDRV_VRING_AVAIL_EVENT(vq->size));
}

static void set_used_event(tb_blk_t *k, unsigned q, uint16_t ev)
{
  const vdrv_virtq_t *vq = &k->b.q[q].vq;
  tb_blk_put16(k, vq->avail + VDRV_VRING_USED_EVENT(vq->size), ev);
}

/* Runs until queue q's used.idx (in host memory) reaches `want`; fails the test after max
 * cycles. */
static void wait_used(tb_blk_t *k, unsigned q, uint16_t want, uint64_t max, const char *what)
{
  tb_t *t = k->t;
  uint64_t c0 = cosim_cycles(t->sim);
  while (used_idx(k, q) != want) {
    if (cosim_cycles(t->sim) - c0 > max) {
      tb_fail(t, __FILE__, __LINE__, "%s: used.idx is %u after %llu cycles, expected %u", what,
              used_idx(k, q), (unsigned long long)max, want);
      tb_abort(t);
    }
    tb_run(t, 8);
  }
}

/* Runs until the pending bit of MSI-X vector v reads `want` (bounded); returns whether it did. */
static int wait_pba(tb_t *t, unsigned v, int want, uint64_t max)
{
  uint64_t c0 = cosim_cycles(t->sim);
  for (;;) {
    int bit = (int)(tb_bar_rd(t, VEP_BAR_MSIX_PBA_OFF, 8) >> v & 1u);
    if (bit == want) return 1;
    if (cosim_cycles(t->sim) - c0 > max) return 0;
    tb_run(t, 16);
  }
}

static unsigned entry_ctrl(unsigned v)
{
  return VEP_BAR_MSIX_TABLE_OFF + VEP_MSIX_ENTRY_SIZE * v + VDRV_MSIX_ENTRY_CTRL;
}

/* Submits until the queue is full or n requests went in; returns how many. */
static unsigned fill(tb_blk_t *k, unsigned q, const vdrv_blk_io_t *io, unsigned n, cnt_t *c)
{
  unsigned i = 0;
  for (; i < n; i++) {
    int rc = vdrv_blk_submit(&k->b, q, io, count_cb, c);
    if (rc == -ENOSPC) break;
    TB_DRV(k->t, rc);
  }
  return i;
}

/* ---- 1. Index wrap ---- */

/* Writes then reads of random length, sector and segmentation, up to `depth` in flight, each
 * request on its own sectors; reads checked against the shadow, then the whole disk. */
static void rw_batch(tb_blk_t *k, unsigned q, unsigned nreq, unsigned depth, uint32_t seed)
{
  tb_t *t = k->t;
  enum { MAXR = 16, MAXLEN = 8192 };
  TB_REQUIRE(t, nreq <= MAXR && k->capacity >= MAXR * (MAXLEN / 512), "nreq %u", nreq);
  uint64_t w[MAXR], r[MAXR], sec[MAXR];
  uint32_t len[MAXR];
  vdrv_virtq_seg_t ws[MAXR][4], rs[MAXR][4];
  unsigned wn[MAXR], rn[MAXR];
  uint64_t slots = k->capacity / (MAXLEN / 512);
  uint64_t base = tb_rand_below(&t->rng, (uint32_t)(slots - nreq + 1));
  for (unsigned i = 0; i < nreq; i++) {
    len[i] = 512u * (1 + tb_rand_below(&t->rng, MAXLEN / 512));
    sec[i] = (base + i) * (MAXLEN / 512) + tb_rand_below(&t->rng, (MAXLEN - len[i]) / 512 + 1);
    w[i] = tb_blk_buf(k, len[i], 1, VDRV_DMA_DEV_READ);
    r[i] = tb_blk_buf(k, len[i], 1, VDRV_DMA_DEV_WRITE);
    tb_blk_fill(k, w[i], len[i], seed + i);
    wn[i] = tb_blk_split(k, w[i], len[i], 1 + tb_rand_below(&t->rng, 4), ws[i]);
    rn[i] = tb_blk_split(k, r[i], len[i], 1 + tb_rand_below(&t->rng, 4), rs[i]);
  }
  for (int pass = 0; pass < 2; pass++) {
    cnt_t c = {0, 0};
    unsigned sub = 0;
    while (c.done < nreq) {
      while (sub < nreq && sub - c.done < depth) {
        vdrv_blk_io_t io = {.type = pass ? VEP_BLK_T_IN : VEP_BLK_T_OUT, .sector = sec[sub],
                            .seg = pass ? rs[sub] : ws[sub], .nseg = pass ? rn[sub] : wn[sub],
                            .flags = VDRV_BLK_IO_NO_KICK};
        int rc = vdrv_blk_submit(&k->b, q, &io, count_cb, &c);
        if (rc == -ENOSPC) break;
        TB_DRV(t, rc);
        sub++;
      }
      TB_DRV(t, vdrv_blk_kick(&k->b, q));
      TB_DRV(t, vdrv_blk_wait(&k->b, 0));
    }
    TB_CHECK_EQ_CTX(t, c.bad, 0, "%s requests that failed", pass ? "read" : "write");
    for (unsigned i = 0; i < nreq; i++) {
      if (!pass)
        tb_blk_shadow_write(k, sec[i], ws[i], wn[i]);
      else
        tb_blk_check_read(k, sec[i], rs[i], rn[i], "read after the index wrap");
    }
  }
  tb_blk_check_disk(k);
}

TB_TEST(blk_index_wrap, "65532 FLUSH requests on one queue of 16 (backend latency 0, link "
                        "latency 1), then writes and reads that carry avail.idx and used.idx "
                        "past 65535: the device's used.idx and avail_event and the driver agree "
                        "after the wrap, every byte checked, backend and ring monitor counts") {
  cosim_cfg_t c = t->cfg;
  c.blk_latency = 0;
  c.blk_jitter = 0;
  c.link_latency_rx = c.link_latency_tx = 1;
  tb_reconfigure(t, &c);
  tb_blk_t k;
  tb_blk_opts(&k, VDRV_BLK_IRQ_MSIX, 0);
  k.o.num_queues = 1;
  k.o.queue_size = 16;
  tb_blk_open(t, &k, &k.o);
  TB_REQUIRE(t, k.b.event_idx, "EVENT_IDX negotiated");
  const vdrv_virtq_t *vq = &k.b.q[0].vq;

  /* FLUSH up to 4 short of the wrap, the queue kept full (8 chains of 2 descriptors). */
  const uint64_t nflush = 65536 - 4;
  cnt_t n = {0, 0};
  uint64_t sub = 0;
  vdrv_blk_io_t fl = {.type = VEP_BLK_T_FLUSH, .flags = VDRV_BLK_IO_NO_KICK};
  while (n.done < nflush) {
    sub += fill(&k, 0, &fl, (unsigned)(nflush - sub < 64 ? nflush - sub : 64), &n);
    TB_DRV(t, vdrv_blk_kick(&k.b, 0));
    TB_DRV(t, vdrv_blk_wait(&k.b, 0));
  }
  TB_CHECK_EQ(t, n.done, nflush);
  TB_CHECK_EQ(t, n.bad, 0);
  TB_CHECK_EQ(t, used_idx(&k, 0), (uint16_t)nflush);
  TB_CHECK_EQ(t, vq->avail_idx, (uint16_t)nflush);

  /* 12 writes (avail/used indices 65532..65543: across the wrap), then 12 reads after it. */
  rw_batch(&k, 0, 12, 8, tb_rand32(&t->rng));
  const uint64_t total = nflush + 24;
  TB_CHECK_EQ(t, used_idx(&k, 0), (uint16_t)total);
  TB_CHECK_EQ(t, vq->last_used, (uint16_t)total);
  TB_CHECK_EQ(t, vq->avail_idx, (uint16_t)total);
  /* An idle device with EVENT_IDX has published avail_event = its last_avail (after the wrap). */
  tb_run(t, 200);
  TB_CHECK_EQ(t, avail_event(&k, 0), (uint16_t)total);

  /* And more after the wrap: a FLUSH and a GET_ID. */
  TB_DRV(t, vdrv_blk_flush(&k.b, 0));
  char id[VDRV_BLK_ID_BYTES + 1];
  TB_DRV(t, vdrv_blk_get_id(&k.b, 0, id));
  TB_CHECK_EQ(t, used_idx(&k, 0), (uint16_t)(total + 2));

  cosim_blkport_stats_t st;
  cosim_blk_stats(t->sim, &st);
  TB_CHECK_EQ(t, st.req_flush, nflush + 1);
  TB_CHECK_EQ(t, st.req_out, 12);
  TB_CHECK_EQ(t, st.req_in, 12);
  TB_CHECK_EQ(t, st.rsp_ok, total + 2);
  cosim_vmon_stats_t vs;
  cosim_vmon_stats(t->sim, &vs);
  TB_CHECK_EQ(t, vs.used_published, total + 2);
  TB_CHECK_EQ(t, vs.violations, 0);
  tb_blk_close(&k);
}

/* ---- 2. MSI-X masking with real completions ---- */

#define MASK_WAIT 20000u   /* cycles a completion or a pending bit may take, backpressure too */

/* One message of vector v as the driver programmed the table (one address, data + v). */
static void expect_one_msg(tb_t *t, tb_blk_t *k, unsigned v, const char *when)
{
  unsigned n = tb_msi_wait(t, 1, MASK_WAIT);
  if (!TB_CHECK_EQ_CTX(t, n, 1, "messages once %s", when)) return;
  TB_CHECK_EQ_CTX(t, t->msi[0].addr, k->o.msi_addr, "address, %s", when);
  TB_CHECK_EQ_CTX(t, t->msi[0].data, k->o.msi_data + v, "data, %s", when);
  tb_run(t, TB_IRQ_WAIT_CYCLES);
  TB_CHECK_EQ_CTX(t, t->nmsi, 1, "messages once %s (a second one)", when);
  TB_CHECK_EQ_CTX(t, tb_bar_rd(t, VEP_BAR_MSIX_PBA_OFF, 8) >> v & 1u, 0,
                  "PBA bit %u once %s", v, when);
}

/* A request whose completion must come without a message while `unmask` is not yet done: submit
 * it, see it in the used ring, no message, the PBA bit of vector v set; then unmask(): the one
 * held-back message arrives and the bit clears; the driver completes the request. */
static void masked_completion(tb_t *t, tb_blk_t *k, const vdrv_blk_io_t *io, unsigned v,
                              void (*unmask)(tb_t *), const char *what)
{
  cnt_t c = {0, 0};
  tb_msi_clear(t);
  uint16_t u0 = used_idx(k, 0);
  TB_DRV(t, vdrv_blk_submit(&k->b, 0, io, count_cb, &c));
  wait_used(k, 0, (uint16_t)(u0 + 1), MASK_WAIT, what);
  TB_CHECK_EQ_CTX(t, c.done, 0, "%s: completed before the driver looked", what);
  TB_CHECK(t, wait_pba(t, v, 1, MASK_WAIT), "%s: PBA bit %u not set after the completion", what,
           v);
  tb_run(t, TB_IRQ_WAIT_CYCLES);
  TB_CHECK_EQ_CTX(t, t->nmsi, 0, "%s: messages while masked", what);
  TB_CHECK_EQ_CTX(t, tb_bar_rd(t, VEP_BAR_MSIX_PBA_OFF, 8), 1ull << v, "%s: PBA", what);
  unmask(t);
  expect_one_msg(t, k, v, what);
  TB_CHECK_EQ_CTX(t, vdrv_blk_poll(&k->b, 0), 1, "%s: completions found", what);
  TB_CHECK_EQ_CTX(t, c.done, 1, "%s: callbacks", what);
  TB_CHECK_EQ_CTX(t, c.bad, 0, "%s: failed", what);
}

static void unmask_entry1(tb_t *t) { tb_bar_wr(t, entry_ctrl(1), 4, 0); }
static void unmask_function(tb_t *t) { tb_msix_ctl(t, 1, 0); }
static void unmask_entry0(tb_t *t) { tb_bar_wr(t, entry_ctrl(0), 4, 0); }

TB_TEST(blk_msix_mask, "MSI-X with real completions: a queue vector masked in its table entry, "
                       "or the function masked, while a request completes: no message, PBA bit "
                       "set; unmask: exactly one message (the entry's address/data), PBA bit "
                       "clears; the configuration vector on DEVICE_NEEDS_RESET (avail entry >= "
                       "queue size) held back and delivered the same way; reset recovers") {
  tb_blk_t k;
  tb_blk_opts(&k, VDRV_BLK_IRQ_MSIX, 0);
  k.o.num_queues = 1;
  k.o.queue_size = 8;
  tb_blk_open(t, &k, &k.o);
  TB_REQUIRE(t, k.b.nvectors == 2 && k.b.config_vector == 0 && k.b.q[0].vector == 1,
             "vectors: %u, config %u, queue 0 %u", k.b.nvectors, k.b.config_vector,
             k.b.q[0].vector);
  tb_msi_install(t);   /* the messages are the test's now; completions by vdrv_blk_poll */

  uint64_t w = tb_blk_buf(&k, 4096, 8, VDRV_DMA_DEV_READ);
  uint64_t r = tb_blk_buf(&k, 4096, 8, VDRV_DMA_DEV_WRITE);
  tb_blk_fill(&k, w, 4096, tb_rand32(&t->rng));
  uint64_t sec = 8 * tb_rand_below(&t->rng, (uint32_t)(k.capacity / 8));
  vdrv_virtq_seg_t ws = {w, 4096}, rs = {r, 4096};

  /* Entry mask: a write completes under it. */
  tb_bar_wr(t, entry_ctrl(1), 4, VEP_MSIX_VECTOR_MASKED);
  vdrv_blk_io_t wio = {.type = VEP_BLK_T_OUT, .sector = sec, .seg = &ws, .nseg = 1};
  masked_completion(t, &k, &wio, 1, unmask_entry1, "entry 1 masked");
  tb_blk_shadow_write(&k, sec, &ws, 1);

  /* Function mask: a read completes under it. */
  tb_msix_ctl(t, 1, 1);
  vdrv_blk_io_t rio = {.type = VEP_BLK_T_IN, .sector = sec, .seg = &rs, .nseg = 1};
  masked_completion(t, &k, &rio, 1, unmask_function, "function masked");
  tb_blk_check_read(&k, sec, &rs, 1, "read under the function mask");

  /* Both unmasked: a completion interrupts at once. */
  cnt_t c = {0, 0};
  tb_msi_clear(t);
  vdrv_blk_io_t fio = {.type = VEP_BLK_T_FLUSH};
  TB_DRV(t, vdrv_blk_submit(&k.b, 0, &fio, count_cb, &c));
  expect_one_msg(t, &k, 1, "unmasked");
  TB_CHECK_EQ(t, vdrv_blk_poll(&k.b, 0), 1);

  /* The configuration vector: masked, then a ring entry >= the queue size published and
   * notified: DEVICE_NEEDS_RESET, its configuration interrupt pending, not sent. */
  tb_msi_clear(t);
  tb_bar_wr(t, entry_ctrl(0), 4, VEP_MSIX_VECTOR_MASKED);
  const vdrv_virtq_t *vq = &k.b.q[0].vq;
  uint16_t ai = vq->avail_idx;
  tb_blk_put16(&k, vq->avail + VDRV_VRING_AVAIL_RING(ai & (vq->size - 1)), vq->size);
  tb_blk_put16(&k, vq->avail + VDRV_VRING_IDX, (uint16_t)(ai + 1));
  TB_DRV(t, vdrv_vpci_notify(&k.v, 0));
  uint64_t c0 = cosim_cycles(t->sim);
  while (!(tb_status_rd(t) & VEP_STATUS_DEVICE_NEEDS_RESET)) {
    TB_REQUIRE(t, cosim_cycles(t->sim) - c0 < MASK_WAIT, "no DEVICE_NEEDS_RESET after a head "
               "index >= the queue size");
    tb_run(t, 32);
  }
  TB_CHECK(t, wait_pba(t, 0, 1, MASK_WAIT), "PBA bit 0 not set by DEVICE_NEEDS_RESET");
  tb_run(t, TB_IRQ_WAIT_CYCLES);
  TB_CHECK_EQ(t, t->nmsi, 0);
  TB_CHECK_EQ(t, tb_bar_rd(t, VEP_BAR_MSIX_PBA_OFF, 8), 1);
  unmask_entry0(t);
  expect_one_msg(t, &k, 0, "config entry unmasked");

  /* The driver recovers: reset, init (its handler back), a read of what was written. */
  TB_DRV(t, vdrv_blk_reset(&k.b));
  memset(&rs, 0, sizeof rs);
  rs = (vdrv_virtq_seg_t){r, 4096};
  tb_blk_fill(&k, r, 4096, 0);
  TB_DRV(t, vdrv_blk_read(&k.b, 0, sec, &rs, 1));
  tb_blk_check_read(&k, sec, &rs, 1, "read after the reset");
  tb_blk_check_disk(&k);
  tb_blk_close(&k);
}

/* ---- 3. EVENT_IDX and NO_INTERRUPT ---- */

/* Write requests for the suppression tests: request i of a run writes 1 KiB at its own sector,
 * from its own buffer (the shadow is updated once it completed). */
typedef struct wr_set {
  uint64_t buf[64];
  uint64_t sec[64];
  vdrv_virtq_seg_t seg[64];
} wr_set_t;

static void wr_set_init(tb_blk_t *k, wr_set_t *s, unsigned n)
{
  uint64_t base = 2 * tb_rand_below(&k->t->rng, (uint32_t)(k->capacity / 2 - n));
  for (unsigned i = 0; i < n; i++) {
    s->buf[i] = tb_blk_buf(k, 1024, 8, VDRV_DMA_DEV_READ);
    tb_blk_fill(k, s->buf[i], 1024, tb_rand32(&k->t->rng));
    s->sec[i] = base + 2 * i;
    s->seg[i] = (vdrv_virtq_seg_t){s->buf[i], 1024};
  }
}

static void wr_submit(tb_blk_t *k, wr_set_t *s, unsigned i, unsigned flags, cnt_t *c)
{
  vdrv_blk_io_t io = {.type = VEP_BLK_T_OUT, .sector = s->sec[i], .seg = &s->seg[i], .nseg = 1,
                      .flags = flags};
  TB_DRV(k->t, vdrv_blk_submit(&k->b, 0, &io, count_cb, c));
}

static void wr_shadow(tb_blk_t *k, wr_set_t *s, unsigned n)
{
  for (unsigned i = 0; i < n; i++) tb_blk_shadow_write(k, s->sec[i], &s->seg[i], 1);
}

TB_TEST(blk_event_idx, "EVENT_IDX: after each batch the device's avail_event equals last_avail; "
                       "a batch added while the device is busy is not kicked (vring_need_event) "
                       "and still completes; used_event far ahead: no MSI-X message for a whole "
                       "batch, used_event = used+2: one message; NO_INTERRUPT without EVENT_IDX: "
                       "none, requests found by polling; data checked") {
  for (int ev = 1; ev >= 0; ev--) {
    if (!ev) tb_reconfigure(t, &t->cfg);
    tb_blk_t k;
    tb_blk_opts(&k, VDRV_BLK_IRQ_MSIX, 0);
    k.o.num_queues = 1;
    k.o.queue_size = 64;
    if (!ev) k.o.refuse_features = 1ull << VEP_F_EVENT_IDX;
    tb_blk_open(t, &k, &k.o);
    TB_REQUIRE(t, k.b.event_idx == ev, "EVENT_IDX negotiated %d", k.b.event_idx);
    vdrv_virtq_t *vq = &k.b.q[0].vq;
    wr_set_t s;
    const unsigned n = 16;
    wr_set_init(&k, &s, n);
    cnt_t c = {0, 0};

    if (ev) {
      /* Batches of random size, each kicked then waited for: the device drains and publishes
       * avail_event = last_avail = what the driver made available. */
      unsigned i = 0, kicks = 0, batches = 0;
      while (i < 8) {
        unsigned b = 1 + tb_rand_below(&t->rng, 3);
        for (unsigned j = 0; j < b && i < 8; j++) wr_submit(&k, &s, i++, VDRV_BLK_IO_NO_KICK, &c);
        int rc = vdrv_blk_kick(&k.b, 0);
        TB_DRV(t, rc);
        kicks += (unsigned)rc;
        batches++;
        while (c.done < i) TB_DRV(t, vdrv_blk_wait(&k.b, 0));
        uint64_t c0 = cosim_cycles(t->sim);
        while (avail_event(&k, 0) != vq->avail_idx && cosim_cycles(t->sim) - c0 < MASK_WAIT)
          tb_run(t, 16);
        TB_CHECK_EQ_CTX(t, avail_event(&k, 0), vq->avail_idx, "avail_event after batch %u",
                        batches);
      }
      TB_CHECK_EQ(t, kicks, batches);   /* an idle device asks for every batch */

      /* A batch kicked, and another added at once, before the device has read anything: the
       * device's avail_event is still behind the first batch, so the second is not kicked;
       * the device still finds it (it reads avail.idx again once it drained). */
      for (unsigned j = 0; j < 4; j++) wr_submit(&k, &s, i++, VDRV_BLK_IO_NO_KICK, &c);
      TB_CHECK_EQ(t, vdrv_blk_kick(&k.b, 0), 1);
      for (unsigned j = 0; j < 4; j++) wr_submit(&k, &s, i++, VDRV_BLK_IO_NO_KICK, &c);
      TB_CHECK_EQ(t, vdrv_blk_kick(&k.b, 0), 0);
      while (c.done < i) TB_DRV(t, vdrv_blk_wait(&k.b, 0));
      tb_run(t, 200);
      TB_CHECK_EQ(t, avail_event(&k, 0), vq->avail_idx);
    } else {
      for (unsigned i = 0; i < 16; i++) wr_submit(&k, &s, i, 0, &c);
      while (c.done < 16) TB_DRV(t, vdrv_blk_wait(&k.b, 0));
      TB_CHECK_EQ(t, avail_event(&k, 0), 0);   /* without EVENT_IDX the device leaves it */
    }
    TB_CHECK_EQ(t, c.bad, 0);
    wr_shadow(&k, &s, 16);

    /* Interrupt suppression, messages seen by the test. */
    tb_msi_install(t);
    wr_set_init(&k, &s, n);
    c = (cnt_t){0, 0};
    uint16_t u0 = used_idx(&k, 0);
    TB_REQUIRE(t, u0 == vq->last_used, "all consumed");
    if (ev)
      set_used_event(&k, 0, (uint16_t)(u0 + 1000));   /* far ahead */
    else
      TB_DRV(t, vdrv_virtq_disable_cb(vq));          /* avail.flags NO_INTERRUPT */
    tb_msi_clear(t);
    for (unsigned i = 0; i < 8; i++) wr_submit(&k, &s, i, VDRV_BLK_IO_NO_KICK, &c);
    TB_DRV(t, vdrv_blk_kick(&k.b, 0));
    wait_used(&k, 0, (uint16_t)(u0 + 8), 200000, "suppressed batch");
    tb_run(t, TB_IRQ_WAIT_CYCLES);
    TB_CHECK_EQ_CTX(t, t->nmsi, 0, "messages with %s", ev ? "used_event far ahead"
                                                           : "NO_INTERRUPT");
    /* Found by polling (vdrv_blk_poll re-enables interrupts afterwards). */
    TB_CHECK_EQ(t, vdrv_blk_poll(&k.b, 0), 8);
    TB_CHECK_EQ(t, c.done, 8);

    /* Interrupts asked for again: with EVENT_IDX exactly at used_event + 1 (one message for a
     * batch of 4 with used_event = used + 2), without it at every completion (at least one). */
    tb_msi_clear(t);
    u0 = used_idx(&k, 0);
    if (ev) set_used_event(&k, 0, (uint16_t)(u0 + 2));
    for (unsigned i = 8; i < 12; i++) wr_submit(&k, &s, i, VDRV_BLK_IO_NO_KICK, &c);
    TB_DRV(t, vdrv_blk_kick(&k.b, 0));
    wait_used(&k, 0, (uint16_t)(u0 + 4), 200000, "interrupting batch");
    tb_msi_wait(t, 1, MASK_WAIT);
    tb_run(t, TB_IRQ_WAIT_CYCLES);
    if (ev)
      TB_CHECK_EQ(t, t->nmsi, 1);
    else
      TB_CHECK(t, t->nmsi >= 1 && t->nmsi <= 4, "%u messages for 4 completions", t->nmsi);
    for (unsigned m = 0; m < t->nmsi && m < TB_MSI_LOG_MAX; m++)
      TB_CHECK_EQ_CTX(t, t->msi[m].data, k.o.msi_data + 1, "message %u", m);
    TB_CHECK_EQ(t, vdrv_blk_poll(&k.b, 0), 4);
    TB_CHECK_EQ(t, c.done, 12);
    TB_CHECK_EQ(t, c.bad, 0);
    wr_shadow(&k, &s, 12);
    tb_blk_check_disk(&k);
    tb_blk_close(&k);
  }
}

/* ---- 4. Queue depth 32, sequential 4 KiB reads: the throughput figure ---- */

#define QD 32u

typedef struct qd_ctx {
  tb_t *t;
  unsigned ndone;
  unsigned bad;
  unsigned fin[QD];     /* buffers completed, not yet checked and refilled */
  unsigned nfin;
  uint64_t last_cycle;  /* of the last completion seen */
} qd_ctx_t;

typedef struct qd_tag {
  qd_ctx_t *ctx;
  unsigned buf;
} qd_tag_t;

static void qd_cb(void *cookie, const vdrv_blk_cpl_t *cpl)
{
  qd_tag_t *g = cookie;
  qd_ctx_t *x = g->ctx;
  if (cpl->result != 0 || cpl->len != 4096 + 1) x->bad++;
  x->ndone++;
  x->fin[x->nfin++] = g->buf;
  x->last_cycle = cosim_cycles(x->t->sim);
}

/* nreq sequential 4 KiB reads from sector 0 (wrapping at the capacity) at depth QD on queue 0,
 * each checked against the shadow; prints payload bytes per cycle from the first submit to the
 * last completion. */
static void qd_run(tb_t *t, unsigned nreq, const char *label)
{
  tb_blk_t k;
  tb_blk_opts(&k, VDRV_BLK_IRQ_MSIX, 0);
  k.o.num_queues = 1;
  k.o.queue_size = 128;   /* 32 chains of 3 descriptors */
  /* A disk full of a pattern, so that every byte read means something. */
  cosim_storage_t *st = cosim_blk_storage(t->sim);
  uint64_t cap = t->cfg.blk_capacity;
  uint8_t pat[8 * 512];
  uint32_t seed = tb_rand32(&t->rng);
  for (uint64_t s = 0; s + 8 <= cap; s += 8) {
    for (unsigned i = 0; i < sizeof pat; i++)
      pat[i] = (uint8_t)((seed + s * 512 + i) * 2654435761u >> 13);
    TB_DRV(t, cosim_storage_write_direct(st, s, 8, pat));
  }
  tb_blk_open(t, &k, &k.o);
  TB_REQUIRE(t, k.capacity >= 8, "capacity %llu", (unsigned long long)k.capacity);
  uint64_t nblk = k.capacity / 8;
  qd_ctx_t x = {.t = t};
  qd_tag_t tag[QD];
  vdrv_virtq_seg_t seg[QD];
  uint64_t sec[QD];
  for (unsigned i = 0; i < QD; i++) {
    tag[i] = (qd_tag_t){&x, i};
    seg[i] = (vdrv_virtq_seg_t){tb_blk_buf(&k, 4096, 4096, VDRV_DMA_DEV_WRITE), 4096};
    x.fin[x.nfin++] = i;
  }
  unsigned sub = 0;
  uint64_t c0 = cosim_cycles(t->sim);
  int first = 1;
  while (x.ndone < nreq) {
    /* Check what completed, then refill its buffer with the next sequential read. */
    while (x.nfin) {
      unsigned b = x.fin[--x.nfin];
      if (!first) tb_blk_check_read(&k, sec[b], &seg[b], 1, label);
      if (sub == nreq) continue;
      sec[b] = (sub % nblk) * 8;
      vdrv_blk_io_t io = {.type = VEP_BLK_T_IN, .sector = sec[b], .seg = &seg[b], .nseg = 1,
                          .flags = VDRV_BLK_IO_NO_KICK};
      TB_DRV(t, vdrv_blk_submit(&k.b, 0, &io, qd_cb, &tag[b]));
      sub++;
    }
    first = 0;
    TB_DRV(t, vdrv_blk_kick(&k.b, 0));
    TB_CHECK(t, vdrv_blk_inflight(&k.b, 0) <= QD, "%u in flight", vdrv_blk_inflight(&k.b, 0));
    TB_DRV(t, vdrv_blk_wait(&k.b, 0));
  }
  while (x.nfin) {
    unsigned b = x.fin[--x.nfin];
    tb_blk_check_read(&k, sec[b], &seg[b], 1, label);
  }
  TB_CHECK_EQ(t, x.bad, 0);
  TB_CHECK_EQ(t, sub, nreq);
  uint64_t cyc = x.last_cycle - c0;
  double bytes = 4096.0 * nreq;
  printf("  %s: %u x 4 KiB sequential reads at queue depth %u, link latency %u: %.0f bytes in "
         "%llu cycles = %.2f bytes/cycle\n", label, nreq, QD, t->cfg.link_latency_rx, bytes,
         (unsigned long long)cyc, cyc ? bytes / (double)cyc : 0.0);
  fflush(stdout);
  tb_blk_close(&k);
}

TB_TEST(blk_qd32_seq_read, "4 KiB sequential reads at queue depth 32 on one queue, refilled as "
                           "they complete, every byte checked against a patterned disk; prints "
                           "payload bytes per cycle, with the default link latency and with "
                           "100 cycles each way (a figure, not an assertion)") {
  qd_run(t, 512, "qd32");
  cosim_cfg_t c = t->cfg;
  c.link_latency_rx = c.link_latency_tx = 100;
  tb_reconfigure(t, &c);
  qd_run(t, 128, "qd32 latency 100");
}
