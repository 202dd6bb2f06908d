/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_vq_used's batches (docs/datapath.md): dones queued while a batch is in flight go out
 * together, as consecutive used elements in one write (two at the ring's end), one used.idx
 * write, one read of the suppression field and one interrupt decision for the whole batch.
 *
 * Every test makes the same two batches on queue 0 of a real endpoint with the blk driver: 8
 * FLUSH requests are made available at once and all reach the backend (latency BLK_LAT) before
 * the first is answered; the answers then come one fetch apart. The first done is a batch of
 * its own, and the read of the suppression field that ends it is held back DELAY cycles by the
 * root complex (a DELAY fault on those 2 bytes); FLUSH needs no more reads, so the other 7
 * complete meanwhile and wait in vep_vq_used's queue: the second batch. What the device did is
 * read back from the TLP log (--tlp-log) line by line, and the MSI-X messages are taken from the
 * driver (tb_msi_install), so the test sees every one.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blk/tb_blk_lib.h"
#include "vep_consts.h"

#define BLK_LAT 20000u  /* backend latency: every request reaches the backend before an answer */
#define DELAY 5000u     /* cycles the suppression read of the lead batch is held back */
#define NB 7u           /* requests of the second batch */
#define WAIT 200000u    /* bound on any wait for the device */

/* ---- The run: open, the two batches, and the TLP log read back ---- */

typedef struct cnt {
  unsigned done, bad;
} cnt_t;

static void count_cb(void *cookie, const vdrv_blk_cpl_t *cpl)
{
  cnt_t *c = cookie;
  c->done++;
  if (cpl->result != 0) c->bad++;
}

/* A device TLP of queue 0's used ring or suppression field, or an MSI-X message. */
enum { EV_ELEM, EV_IDX, EV_SUP, EV_MSI };
typedef struct ev {
  int kind;
  uint64_t cycle, addr;
  unsigned len;
} ev_t;

#define EV_MAX 4096

typedef struct run {
  tb_t *t;
  tb_blk_t k;
  char path[64];
  int event_idx;
  uint64_t used, sup;       /* used ring; the suppression field's address */
  unsigned size;            /* queue size */
  uint16_t u0;              /* used.idx before the lead request */
  uint64_t lead_cycle;      /* when the lead request was made available */
  cnt_t c;
  ev_t ev[EV_MAX];
  unsigned nev;
} run_t;

static uint16_t rd16(tb_blk_t *k, uint64_t a)
{
  uint8_t b[2];
  tb_blk_get(k, a, b, 2);
  return (uint16_t)(b[0] | b[1] << 8);
}

static void wr16(tb_blk_t *k, uint64_t a, uint16_t v)
{
  uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  tb_blk_put(k, a, b, 2);
}

static uint16_t used_idx(run_t *r) { return rd16(&r->k, r->used + VDRV_VRING_IDX); }

/* Runs until used.idx (in host memory) reads want; stops the test after WAIT cycles. */
static void wait_used(run_t *r, uint16_t want, const char *what)
{
  uint64_t c0 = cosim_cycles(r->t->sim);
  while (used_idx(r) != want) {
    if (cosim_cycles(r->t->sim) - c0 > WAIT) {
      tb_fail(r->t, __FILE__, __LINE__, "%s: used.idx is %u after %u cycles, expected %u", what,
              used_idx(r), WAIT, want);
      tb_abort(r->t);
    }
    tb_run(r->t, 8);
  }
}

static void submit(run_t *r, unsigned n, unsigned flags)
{
  vdrv_blk_io_t fl = {.type = VEP_BLK_T_FLUSH, .flags = flags};
  for (unsigned i = 0; i < n; i++) TB_DRV(r->t, vdrv_blk_submit(&r->k.b, 0, &fl, count_cb, &r->c));
}

/* A simulation with a TLP log, the blk driver on one queue of qsize, EVENT_IDX as asked, the
 * MSI-X messages seen by the test, and `pre` FLUSH requests done one by one (to place the used
 * index), all completed. */
static void run_open(tb_t *t, run_t *r, int event_idx, uint16_t qsize, unsigned pre)
{
  memset(r, 0, sizeof *r);
  r->t = t;
  r->event_idx = event_idx;
  snprintf(r->path, sizeof r->path, "/tmp/vepsim-used-XXXXXX");
  int fd = mkstemp(r->path);
  TB_REQUIRE(t, fd >= 0, "mkstemp %s", r->path);
  close(fd);
  cosim_cfg_t cfg = t->cfg;
  cfg.tlp_log_path = r->path;
  cfg.blk_latency = BLK_LAT;
  cfg.blk_jitter = 0;
  /* The answers come one fetch apart, and 7 of them must fit in DELAY (which must stay below
   * the device's completion timeout): a short link, whatever --latency says. */
  cfg.link_latency_rx = cfg.link_latency_tx = 8;
  tb_reconfigure(t, &cfg);
  tb_blk_opts(&r->k, VDRV_BLK_IRQ_MSIX, 0);
  r->k.o.num_queues = 1;
  r->k.o.queue_size = qsize;
  if (!event_idx) r->k.o.refuse_features = 1ull << VEP_F_EVENT_IDX;
  tb_blk_open(t, &r->k, &r->k.o);
  TB_REQUIRE(t, r->k.b.event_idx == event_idx, "EVENT_IDX negotiated %d", r->k.b.event_idx);
  tb_msi_install(t);
  const vdrv_virtq_t *vq = &r->k.b.q[0].vq;
  r->used = vq->used;
  r->size = vq->size;
  r->sup = event_idx ? vq->avail + VDRV_VRING_USED_EVENT(vq->size) : vq->avail;
  for (unsigned i = 0; i < pre; i++) {
    uint16_t u = used_idx(r);
    submit(r, 1, 0);
    wait_used(r, (uint16_t)(u + 1), "placing the used index");
    TB_CHECK_EQ(t, vdrv_blk_poll(&r->k.b, 0), 1);
  }
  tb_run(t, 2000);   /* the last one's suppression read and message */
  r->u0 = used_idx(r);
}

/* The suppression read of every batch from now on held back DELAY cycles. */
static void delay_sup(run_t *r)
{
  cosim_fault_plan_t plan;
  memset(&plan, 0, sizeof plan);
  plan.rule[COSIM_DMA_FAULT_DELAY].permille = 1000;
  plan.rule[COSIM_DMA_FAULT_DELAY].nranges = 1;
  plan.rule[COSIM_DMA_FAULT_DELAY].range[0] = (cosim_fault_range_t){r->sup, 2};
  plan.delay_min = plan.delay_max = DELAY;
  TB_REQUIRE(r->t, cosim_set_fault_plan(r->t->sim, &plan) == 0, "fault plan");
}

/* The 8 requests; returns when the backend has answered all of them, the lead batch is
 * published and the other 7 dones wait in vep_vq_used's queue behind its held-back read. */
static void two_batches(run_t *r)
{
  cosim_blkport_stats_t s0, s;
  cosim_blk_stats(r->t->sim, &s0);
  delay_sup(r);
  tb_msi_clear(r->t);
  r->lead_cycle = cosim_cycles(r->t->sim);
  submit(r, 1 + NB, VDRV_BLK_IO_NO_KICK);
  TB_DRV(r->t, vdrv_blk_kick(&r->k.b, 0));
  wait_used(r, (uint16_t)(r->u0 + 1), "the lead batch");
  uint64_t lead_done = cosim_cycles(r->t->sim);
  do {
    tb_run(r->t, 8);
    cosim_blk_stats(r->t->sim, &s);
  } while (s.rsp_ok < s0.rsp_ok + 1 + NB && cosim_cycles(r->t->sim) - lead_done < WAIT);
  TB_REQUIRE(r->t, s.rsp_ok == s0.rsp_ok + 1 + NB, "the backend answered %" PRIu64 " of %u",
             s.rsp_ok - s0.rsp_ok, 1 + NB);
  tb_run(r->t, 300);   /* the last status write and its done */
  /* The point of the test: all of them were done inside the lead batch's held-back read. */
  TB_REQUIRE(r->t, used_idx(r) == (uint16_t)(r->u0 + 1) &&
                       cosim_cycles(r->t->sim) - lead_done < DELAY,
             "the second batch's dones were not all queued within the held-back read (used.idx "
             "%u, u0 %u, %" PRIu64 " cycles)", used_idx(r), r->u0,
             cosim_cycles(r->t->sim) - lead_done);
}

/* Closes the simulation (which closes its log) and reads the log back: the events of queue 0
 * after the lead request. */
static void run_close(run_t *r)
{
  tb_t *t = r->t;
  tb_blk_close(&r->k);
  cosim_cfg_t plain = t->cfg;
  plain.tlp_log_path = NULL;
  tb_reconfigure(t, &plain);
  FILE *in = fopen(r->path, "r");
  TB_REQUIRE(t, in != NULL, "open %s", r->path);
  char line[512];
  while (fgets(line, sizeof line, in)) {
    uint64_t cycle = strtoull(line, NULL, 10);
    const char *m = strstr(line, "| ");
    if (cycle < r->lead_cycle || !strstr(line, "EP>RC") || !m) continue;
    int kind;
    if (strstr(m, "q0 used elem [")) kind = EV_ELEM;
    else if (strstr(m, "q0 used idx write")) kind = EV_IDX;
    else if (strstr(m, "q0 avail flags read") || strstr(m, "q0 used_event read")) kind = EV_SUP;
    else if (strstr(m, "MSI-X vector")) kind = EV_MSI;
    else continue;
    const char *a = strstr(line, "addr=0x"), *l = strstr(line, " len=");
    TB_REQUIRE(t, a && l && r->nev < EV_MAX, "log line: %s", line);
    r->ev[r->nev++] = (ev_t){kind, cycle, strtoull(a + 7, NULL, 16),
                             (unsigned)strtoul(l + 5, NULL, 10)};
  }
  fclose(in);
  remove(r->path);
}

/* The log of the two batches, in order: the lead's element, index and suppression read (and its
 * message when lead_irq), then the second batch's elements (from slot u0+1, contiguous, NB*8
 * bytes, in one write or, crossing the ring's end, two; a write may still be cut into TLPs at
 * MPS boundaries by vep_dma_wr, never elsewhere), ONE index write, ONE suppression read, and
 * batch_irq messages (0 or 1); nothing else of queue 0 and no other message. */
static void check_log(run_t *r, int lead_irq, int batch_irq)
{
  tb_t *t = r->t;
  const unsigned size = r->size;
  unsigned i = 0;
  /* The lead batch. */
  uint64_t lead_at = r->used + 4 + 8ull * (r->u0 % size);
  TB_CHECK(t, i < r->nev && r->ev[i].kind == EV_ELEM && r->ev[i].addr == lead_at &&
                  r->ev[i].len == 8, "the lead element: one 8-byte write at 0x%" PRIx64, lead_at);
  i++;
  TB_CHECK(t, i < r->nev && r->ev[i].kind == EV_IDX, "the lead batch's index write");
  i++;
  TB_CHECK(t, i < r->nev && r->ev[i].kind == EV_SUP && r->ev[i].addr == r->sup,
           "the lead batch's suppression read at 0x%" PRIx64, r->sup);
  i++;
  if (lead_irq) {
    TB_CHECK(t, i < r->nev && r->ev[i].kind == EV_MSI, "the lead batch's message");
    i++;
  }
  /* The second batch's elements. */
  unsigned bytes = 0, writes = 1;
  uint16_t slot = (uint16_t)((r->u0 + 1u) % size);
  uint64_t next = r->used + 4 + 8ull * slot;
  for (; i < r->nev && r->ev[i].kind == EV_ELEM; i++) {
    const ev_t *e = &r->ev[i];
    int wrap = bytes > 0 && e->addr == r->used + 4 && next == r->used + 4 + 8ull * size;
    if (wrap) {
      writes++;
      next = r->used + 4;
    }
    TB_CHECK(t, e->addr == next, "element TLP %u of the batch at 0x%" PRIx64 ", expected 0x%"
             PRIx64, i, e->addr, next);
    TB_CHECK(t, bytes == 0 || wrap || e->addr % 128 == 0,
             "the batch's element write is cut at 0x%" PRIx64 ", not an MPS boundary", e->addr);
    bytes += e->len;
    next = e->addr + e->len;
  }
  TB_CHECK_EQ_CTX(t, bytes, 8 * NB, "bytes of the batch's used elements");
  unsigned want_writes = slot + NB > size ? 2 : 1;
  TB_CHECK_EQ_CTX(t, writes, want_writes, "element writes of the batch (slot %u, size %u)", slot,
                  size);
  TB_CHECK(t, i < r->nev && r->ev[i].kind == EV_IDX && r->ev[i].addr == r->used + 2 &&
                  r->ev[i].len == 2, "ONE index write after the batch's elements");
  i++;
  TB_CHECK(t, i < r->nev && r->ev[i].kind == EV_SUP && r->ev[i].addr == r->sup,
           "ONE suppression read after the batch's index write");
  i++;
  if (batch_irq) {
    TB_CHECK(t, i < r->nev && r->ev[i].kind == EV_MSI, "ONE message for the batch");
    i++;
  }
  TB_CHECK(t, i == r->nev, "%u more queue-0 or MSI-X TLPs after the batch (next: kind %d at "
           "cycle %" PRIu64 ")", r->nev - i, i < r->nev ? r->ev[i].kind : -1,
           i < r->nev ? r->ev[i].cycle : 0);
  TB_CHECK_EQ_CTX(t, t->nmsi, (unsigned)(lead_irq + batch_irq), "MSI-X messages seen");
}

/* Both batches completed: the driver's view, the used index, the ring monitor. */
static void finish(run_t *r)
{
  tb_t *t = r->t;
  wait_used(r, (uint16_t)(r->u0 + 1 + NB), "the second batch");
  tb_run(t, DELAY + 2000);   /* its suppression read and message, if any */
  TB_CHECK_EQ(t, vdrv_blk_poll(&r->k.b, 0), 1 + NB);
  TB_CHECK_EQ(t, r->c.bad, 0);
  cosim_vmon_stats_t vs;
  cosim_vmon_stats(t->sim, &vs);
  TB_CHECK_EQ(t, vs.violations, 0);
}

/* ---- The tests ---- */

TB_TEST(used_batch, "7 dones queued while a batch's suppression read is held back: written as 7 "
                    "consecutive used elements in one write (cut only at MPS boundaries), ONE "
                    "used.idx write, ONE avail.flags read and ONE MSI-X message after it "
                    "(no EVENT_IDX)") {
  run_t *r = malloc(sizeof *r);
  TB_REQUIRE(t, r != NULL, "malloc");
  run_open(t, r, 0, 64, 0);
  two_batches(r);
  finish(r);
  run_close(r);
  check_log(r, 1, 1);
  free(r);
}

TB_TEST(used_batch_wrap, "a batch of 7 crossing the ring's end (queue size 16, slots 14..15 and "
                         "0..4): two element writes (the second at the ring's start), then ONE "
                         "used.idx write (21), ONE suppression read, ONE message") {
  run_t *r = malloc(sizeof *r);
  TB_REQUIRE(t, r != NULL, "malloc");
  run_open(t, r, 0, 16, 13);
  TB_CHECK_EQ(t, r->u0, 13);
  two_batches(r);
  finish(r);
  TB_CHECK_EQ(t, used_idx(r), 21);
  run_close(r);
  check_log(r, 1, 1);
  free(r);
}

TB_TEST(used_batch_event_idx, "EVENT_IDX, one decision per batch (old = u0+1, new = u0+8): "
                              "used_event u0+1 and u0+7 (inside the batch's range): ONE message; "
                              "u0+8 and u0+1000 (outside): none; u0 (the lead batch's range): "
                              "the lead's message only") {
  static const struct { uint16_t off; int lead, batch; } cs[] = {
      {1, 0, 1}, {7, 0, 1}, {8, 0, 0}, {1000, 0, 0}, {0, 1, 0},
  };
  run_t *r = malloc(sizeof *r);
  TB_REQUIRE(t, r != NULL, "malloc");
  for (size_t c = 0; c < sizeof cs / sizeof *cs; c++) {
    run_open(t, r, 1, 64, 3);
    wr16(&r->k, r->sup, (uint16_t)(r->u0 + cs[c].off));
    two_batches(r);
    finish(r);
    run_close(r);
    check_log(r, cs[c].lead, cs[c].batch);
    if (t->nfail) {
      tb_fail(t, __FILE__, __LINE__, "in the case used_event = u0 + %u", cs[c].off);
      break;
    }
  }
  free(r);
}

TB_TEST(used_batch_no_interrupt, "avail.flags NO_INTERRUPT (no EVENT_IDX): both batches written "
                                 "and read as usual (one index write, one flags read each), no "
                                 "MSI-X message; the requests found by polling") {
  run_t *r = malloc(sizeof *r);
  TB_REQUIRE(t, r != NULL, "malloc");
  run_open(t, r, 0, 64, 0);
  TB_DRV(t, vdrv_virtq_disable_cb(&r->k.b.q[0].vq));
  two_batches(r);
  finish(r);
  run_close(r);
  check_log(r, 0, 0);
  free(r);
}

TB_TEST(used_batch_reset, "a device reset while 7 dones wait in vep_vq_used's queue behind a "
                          "held-back suppression read: none of them is written (no used element, "
                          "index or message after the reset), the device resets, and a request "
                          "after the re-initialisation completes at used.idx 1") {
  run_t *r = malloc(sizeof *r);
  TB_REQUIRE(t, r != NULL, "malloc");
  run_open(t, r, 0, 64, 0);
  two_batches(r);
  uint64_t reset_at = cosim_cycles(t->sim);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_STATUS), 1, 0);
  uint64_t w = cosim_cycles(t->sim);
  while (tb_status_rd(t) != 0 && cosim_cycles(t->sim) - w < WAIT) {
  }
  TB_REQUIRE(t, tb_status_rd(t) == 0, "device_status does not read 0 after the reset");
  tb_run(t, DELAY + 2000);   /* the held-back read answers; it must be swallowed */
  TB_CHECK_EQ(t, used_idx(r), (uint16_t)(r->u0 + 1));
  TB_CHECK_EQ(t, t->nmsi, 0);   /* the lead batch's read was still held back: swallowed */
  uint64_t reinit_at = cosim_cycles(t->sim);
  cosim_set_fault_plan(t->sim, NULL);
  TB_DRV(t, vdrv_blk_reset(&r->k.b));
  /* Every request from before the reset reported once (the queued ones cancelled). */
  TB_CHECK_EQ(t, r->c.done, 1 + NB);
  unsigned bad0 = r->c.bad;
  TB_CHECK(t, bad0 >= NB, "%u of the %u queued requests cancelled", bad0, NB);
  tb_msi_install(t);
  r->used = r->k.b.q[0].vq.used;
  submit(r, 1, 0);
  wait_used(r, 1, "the request after the re-initialisation");
  TB_CHECK_EQ(t, vdrv_blk_poll(&r->k.b, 0), 1);
  TB_CHECK_EQ(t, r->c.done, 2 + NB);
  TB_CHECK_EQ(t, r->c.bad, bad0);
  run_close(r);
  unsigned after = 0;
  for (unsigned i = 0; i < r->nev; i++)
    if (r->ev[i].cycle > reset_at && r->ev[i].cycle < reinit_at && r->ev[i].kind != EV_SUP)
      after++;
  TB_CHECK_EQ_CTX(t, after, 0, "used-ring writes or messages between the reset and the "
                               "re-initialisation");
  free(r);
}
