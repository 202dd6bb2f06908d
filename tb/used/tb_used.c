/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_vq_used's batches (docs/datapath.md): dones queued while a batch is in flight go out
 * together, as consecutive used elements in one write (two at the ring's end), one used.idx
 * write, one read of the suppression field and one interrupt decision for the whole batch.
 *
 * Every test runs the same scene on queue 0 of a real endpoint with the blk driver: 8 FLUSH
 * requests are made available at once and all reach the backend (latency BLK_LAT) before the
 * first is answered; the answers then come one fetch apart. Every read of the suppression field
 * is held back DELAY cycles by the root complex (a DELAY fault on those 2 bytes; vep_dma_rd
 * answers in request order). The first done is a batch of its own; the next dones queue while its
 * read is held, and vep_vq_used starts the next batch, with its read still in flight, once
 * BatchMin of them are queued; FLUSH needs no more reads, so all 8 complete within the first
 * held-back read. The test does not assume the batches' sizes: it rebuilds them from the TLP log
 * (--tlp-log), line by line, and checks each against the rules (elements contiguous from the
 * index, one write or two across the ring's end, cut only at MPS boundaries; one index write; one
 * suppression read; its message, after its answer, exactly when the rule asks). The MSI-X
 * messages are taken from the driver (tb_msi_install), so the test sees every one.
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
#define NB 7u           /* requests after the lead one */
#define WAIT 200000u    /* bound on any wait for the device */

/* ---- The run: open, the batches, and the TLP log read back ---- */

typedef struct cnt {
  unsigned done, bad;
} cnt_t;

static void count_cb(void *cookie, const vdrv_blk_cpl_t *cpl)
{
  cnt_t *c = cookie;
  c->done++;
  if (cpl->result != 0) c->bad++;
}

/* A device TLP of queue 0's used ring or suppression field, the completion of such a read, or
 * an MSI-X message. */
enum { EV_ELEM, EV_IDX, EV_SUP, EV_CPL, EV_MSI };
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

static uint16_t used_idx(run_t *r) { return tb_blk_get16(&r->k, r->used + VDRV_VRING_IDX); }

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
  tb_temp_path(t, r->path, sizeof r->path, "used");
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

/* The 8 requests; returns when the backend has answered all of them, which must be within the
 * lead batch's held-back read (the scene's premise). */
static void batches(run_t *r)
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
  TB_REQUIRE(r->t, cosim_cycles(r->t->sim) - lead_done < DELAY,
             "the dones did not all come within the lead batch's held-back read (%" PRIu64
             " cycles)", cosim_cycles(r->t->sim) - lead_done);
}

/* Closes the simulation (which closes its log) and reads the log back: the events of queue 0
 * after the lead request. */
static void run_close(run_t *r)
{
  tb_t *t = r->t;
  tb_blk_close(&r->k);
  FILE *in = tb_tlp_log_end(t, r->path);
  char line[512];
  while (fgets(line, sizeof line, in)) {
    uint64_t cycle = strtoull(line, NULL, 10);
    const char *m = strstr(line, "| ");
    if (cycle < r->lead_cycle || !m) continue;
    int sup = strstr(m, "q0 avail flags read") || strstr(m, "q0 used_event read");
    int kind;
    if (strstr(line, "RC>EP")) {
      if (!sup || !strstr(m, "CplD for")) continue;
      kind = EV_CPL;
    } else if (strstr(m, "q0 used elem [")) {
      kind = EV_ELEM;
    } else if (strstr(m, "q0 used idx write")) {
      kind = EV_IDX;
    } else if (sup) {
      kind = EV_SUP;
    } else if (strstr(m, "MSI-X vector")) {
      kind = EV_MSI;
    } else {
      continue;
    }
    const char *a = strstr(line, "addr=0x"), *l = strstr(line, " len=");
    TB_REQUIRE(t, (a || kind == EV_CPL) && l && r->nev < EV_MAX, "log line: %s", line);
    r->ev[r->nev++] = (ev_t){kind, cycle, a ? strtoull(a + 7, NULL, 16) : 0,
                             (unsigned)strtoul(l + 5, NULL, 10)};
  }
  fclose(in);
  remove(r->path);
}

/* What the log showed. */
#define B_MAX 16
typedef struct seen {
  unsigned n;                 /* batches */
  unsigned k[B_MAX];          /* their sizes */
  uint16_t old[B_MAX];        /* the used index before each */
  int msg[B_MAX];             /* whether the rule asked for its message */
  unsigned max_k, wraps;      /* the largest batch; batches written in two writes */
  unsigned overlap;           /* batches begun while an earlier batch's read was in flight */
  unsigned msgs;              /* messages the rule asked for */
} seen_t;

/* The suppression field as the device reads it, for the rule: no_int (avail.flags
 * NO_INTERRUPT) without EVENT_IDX, used_event with it. */
static int rule_wants(const run_t *r, int no_int, uint16_t used_event, uint16_t old, unsigned k)
{
  if (!r->event_idx) return !no_int;
  uint16_t nw = (uint16_t)(old + k);
  return (uint16_t)(nw - used_event - 1u) < (uint16_t)(nw - old);
}

/* Rebuilds the batches from the log and checks each against the rules; fills *sn. */
static void check_log(run_t *r, int no_int, uint16_t used_event, seen_t *sn)
{
  tb_t *t = r->t;
  const unsigned size = r->size;
  memset(sn, 0, sizeof *sn);
  unsigned bytes = 0, writes = 0;    /* of the batch being written */
  uint64_t next = 0;
  uint16_t idx = r->u0;
  unsigned no_sup = 0;               /* batches indexed, their read not seen yet (the last ones) */
  unsigned rd_from = 0, rd_to = 0;   /* batches whose read is in flight: [rd_from, rd_to) */
  unsigned owed = 0;                 /* messages asked for and not seen yet */
  for (unsigned i = 0; i < r->nev; i++) {
    const ev_t *e = &r->ev[i];
    switch (e->kind) {
    case EV_ELEM:
      if (bytes == 0) {
        next = r->used + 4 + 8ull * (idx % size);
        writes = 1;
        if (rd_to > rd_from) sn->overlap++;
      } else if (e->addr == r->used + 4 && next == r->used + 4 + 8ull * size) {
        writes++;   /* the rest of the batch, from the ring's start */
        next = r->used + 4;
      } else {
        TB_CHECK(t, e->addr % 128 == 0, "a used-element write cut at 0x%" PRIx64 ", not an MPS "
                 "boundary nor the ring's end", e->addr);
      }
      TB_CHECK(t, e->addr == next, "used elements at 0x%" PRIx64 ", expected 0x%" PRIx64
               " (batch %u)", e->addr, next, sn->n);
      bytes += e->len;
      next = e->addr + e->len;
      break;
    case EV_IDX: {
      TB_CHECK(t, e->addr == r->used + 2 && e->len == 2, "the index write");
      if (!TB_CHECK(t, bytes > 0 && bytes % 8 == 0 && sn->n < B_MAX,
                    "index write %u after %u bytes of elements", sn->n, bytes))
        return;
      unsigned k = bytes / 8, slot = idx % size;
      TB_CHECK_EQ_CTX(t, writes, slot + k > size ? 2u : 1u, "element writes of batch %u (slot "
                      "%u, %u elements, size %u)", sn->n, slot, k, size);
      sn->k[sn->n] = k;
      sn->old[sn->n] = idx;
      sn->msg[sn->n] = rule_wants(r, no_int, used_event, idx, k);
      if (k > sn->max_k) sn->max_k = k;
      if (writes == 2) sn->wraps++;
      sn->n++;
      no_sup++;
      idx = (uint16_t)(idx + k);
      bytes = 0;
      break;
    }
    case EV_SUP:
      TB_CHECK(t, e->addr == r->sup && e->len == 2, "the suppression read at 0x%" PRIx64, e->addr);
      if (!TB_CHECK(t, no_sup > 0, "a suppression read with no batch indexed before it")) return;
      no_sup--;
      rd_to++;
      break;
    case EV_CPL:
      if (!TB_CHECK(t, rd_to > rd_from, "a suppression read's answer with none in flight")) return;
      if (sn->msg[rd_from]) {
        owed++;
        sn->msgs++;
      }
      rd_from++;
      break;
    case EV_MSI:
      TB_CHECK(t, owed > 0, "an MSI-X message no batch's answer asked for (cycle %" PRIu64 ")",
               e->cycle);
      if (owed) owed--;
      break;
    }
  }
  TB_CHECK_EQ_CTX(t, bytes, 0, "used elements after the last index write");
  TB_CHECK_EQ_CTX(t, no_sup + (rd_to - rd_from), 0, "batches without a read, or its answer");
  TB_CHECK_EQ_CTX(t, owed, 0, "messages asked for and not sent");
  TB_CHECK_EQ_CTX(t, idx, (uint16_t)(r->u0 + 1 + NB), "the index after the last batch");
  TB_CHECK_EQ_CTX(t, t->nmsi, sn->msgs, "MSI-X messages seen");
}

/* Every batch completed: the driver's view, the used index, the ring monitor. */
static void finish(run_t *r)
{
  tb_t *t = r->t;
  wait_used(r, (uint16_t)(r->u0 + 1 + NB), "the last batch");
  tb_run(t, 2 * DELAY);   /* the reads still held back, and their messages */
  TB_CHECK_EQ(t, vdrv_blk_poll(&r->k.b, 0), 1 + NB);
  TB_CHECK_EQ(t, r->c.bad, 0);
  cosim_vmon_stats_t vs;
  cosim_vmon_stats(t->sim, &vs);
  TB_CHECK_EQ(t, vs.violations, 0);
}

/* ---- The tests ---- */

TB_TEST(used_batch, "dones queued while a batch's suppression read is held back go out as "
                    "consecutive used elements in one write (cut only at MPS boundaries), ONE "
                    "used.idx write, ONE avail.flags read and ONE MSI-X message after its answer "
                    "(no EVENT_IDX); a batch starts while an earlier batch's read is in flight; "
                    "fewer batches than requests") {
  run_t *r = malloc(sizeof *r);
  TB_REQUIRE(t, r != NULL, "malloc");
  run_open(t, r, 0, 64, 0);
  batches(r);
  finish(r);
  run_close(r);
  seen_t sn;
  check_log(r, 0, 0, &sn);
  TB_CHECK(t, sn.max_k >= 2 && sn.n < 1 + NB, "%u batches, the largest of %u", sn.n, sn.max_k);
  TB_CHECK(t, sn.overlap > 0, "no batch began while an earlier batch's read was in flight");
  TB_CHECK_EQ(t, sn.msgs, sn.n);
  free(r);
}

TB_TEST(used_batch_wrap, "batches across the ring's end (queue size 16, from used index 13): a "
                         "batch crossing it is two element writes (the second at the ring's "
                         "start), then ONE used.idx write, ONE suppression read, ONE message") {
  run_t *r = malloc(sizeof *r);
  TB_REQUIRE(t, r != NULL, "malloc");
  run_open(t, r, 0, 16, 13);
  TB_CHECK_EQ(t, r->u0, 13);
  batches(r);
  finish(r);
  TB_CHECK_EQ(t, used_idx(r), 21);
  run_close(r);
  seen_t sn;
  check_log(r, 0, 0, &sn);
  TB_CHECK(t, sn.wraps == 1, "%u batches crossed the ring's end", sn.wraps);
  free(r);
}

TB_TEST(used_batch_event_idx, "EVENT_IDX, one decision per batch: used_event at each of u0 .. "
                              "u0+8 and far ahead: a message for exactly the batch whose indices "
                              "old .. old+k-1 hold used_event (vring_need_event(used_event, "
                              "old+k, old)), after its read's answer; used_event inside a "
                              "batch of several (not its first index) and outside every batch "
                              "both met") {
  static const uint16_t off[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 1000};
  run_t *r = malloc(sizeof *r);
  TB_REQUIRE(t, r != NULL, "malloc");
  unsigned inside = 0, none = 0;
  for (size_t c = 0; c < sizeof off / sizeof *off; c++) {
    run_open(t, r, 1, 64, 3);
    uint16_t ue = (uint16_t)(r->u0 + off[c]);
    tb_blk_put16(&r->k, r->sup, ue);
    batches(r);
    finish(r);
    run_close(r);
    seen_t sn;
    check_log(r, 0, ue, &sn);
    if (t->nfail) {
      tb_fail(t, __FILE__, __LINE__, "in the case used_event = u0 + %u", off[c]);
      break;
    }
    for (unsigned b = 0; b < sn.n; b++)
      if (sn.k[b] >= 2 && sn.msg[b] && ue != sn.old[b]) inside++;
    if (sn.msgs == 0) none++;
  }
  TB_CHECK(t, inside > 0, "used_event never fell inside a batch of several, after its first index");
  TB_CHECK(t, none > 0, "used_event never fell outside every batch");
  free(r);
}

TB_TEST(used_batch_no_interrupt, "avail.flags NO_INTERRUPT (no EVENT_IDX): the batches written "
                                 "and read as usual (one index write, one flags read each), no "
                                 "MSI-X message; the requests found by polling") {
  run_t *r = malloc(sizeof *r);
  TB_REQUIRE(t, r != NULL, "malloc");
  run_open(t, r, 0, 64, 0);
  TB_DRV(t, vdrv_virtq_disable_cb(&r->k.b.q[0].vq));
  batches(r);
  finish(r);
  run_close(r);
  seen_t sn;
  check_log(r, 1, 0, &sn);
  TB_CHECK(t, sn.n >= 2 && sn.msgs == 0, "%u batches, %u messages", sn.n, sn.msgs);
  free(r);
}

TB_TEST(used_batch_reset, "a device reset while dones wait in vep_vq_used's queue and batches' "
                          "suppression reads are held back: nothing more is written (no used "
                          "element, index or message after the reset, the index stays), the "
                          "device resets, and a request after the re-initialisation completes "
                          "at used.idx 1") {
  run_t *r = malloc(sizeof *r);
  TB_REQUIRE(t, r != NULL, "malloc");
  run_open(t, r, 0, 64, 0);
  batches(r);
  uint16_t at_reset = used_idx(r);
  TB_REQUIRE(t, at_reset != (uint16_t)(r->u0 + 1 + NB),
             "every done was published before the reset: none was queued");
  uint64_t reset_at = cosim_cycles(t->sim);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_STATUS), 1, 0);
  uint64_t w = cosim_cycles(t->sim);
  while (tb_status_rd(t) != 0 && cosim_cycles(t->sim) - w < WAIT) {
  }
  TB_REQUIRE(t, tb_status_rd(t) == 0, "device_status does not read 0 after the reset");
  tb_run(t, 2 * DELAY);   /* the held-back reads answer; they must be swallowed */
  TB_CHECK_EQ(t, used_idx(r), at_reset);
  TB_CHECK_EQ(t, t->nmsi, 0);   /* every batch's read was still held back */
  uint64_t reinit_at = cosim_cycles(t->sim);
  cosim_set_fault_plan(t->sim, NULL);
  TB_DRV(t, vdrv_blk_reset(&r->k.b));
  /* Every request from before the reset reported once (the queued ones cancelled). */
  TB_CHECK_EQ(t, r->c.done, 1 + NB);
  unsigned bad0 = r->c.bad;
  TB_CHECK(t, bad0 >= (unsigned)(r->u0 + 1 + NB - at_reset), "%u requests cancelled", bad0);
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
    if (r->ev[i].cycle > reset_at && r->ev[i].cycle < reinit_at &&
        (r->ev[i].kind == EV_ELEM || r->ev[i].kind == EV_IDX || r->ev[i].kind == EV_MSI))
      after++;
  TB_CHECK_EQ_CTX(t, after, 0, "used-ring writes or messages between the reset and the "
                               "re-initialisation");
  free(r);
}
