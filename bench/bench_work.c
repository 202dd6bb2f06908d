/* SPDX-License-Identifier: Apache-2.0 */
/* The bench's workloads: see bench_work.h. */
#include "bench_work.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench_probe.h"
#include "blk/tb_blk_lib.h"
#include "cosim_dut.h"
#include "cosim_storage.h"
#include "tb.h"
#include "vdrv_blk.h"
#include "vep_consts.h"

#define QD_MAX 64u

/* One run: the test context the tb/ helpers need, outside the regression runner (as vepfuzz
 * does), and the probe when the run asked for one. */
typedef struct run {
  tb_t t;
  tb_blk_t k;
  bench_probe_t *probe;
  bench_result_t *r;
  /* Requests in flight, one per buffer. */
  uint64_t buf[QD_MAX];
  vdrv_virtq_seg_t seg[QD_MAX];
  uint64_t sector[QD_MAX];
  uint32_t fill_seed[QD_MAX];
  unsigned fin[QD_MAX];       /* buffers completed, not yet checked and refilled */
  unsigned nfin;
  unsigned ndone, bad;
  uint64_t last_cycle;        /* of the last completion seen */
} run_t;

typedef struct slot {
  run_t *x;
  unsigned buf;
} slot_t;

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void why(bench_result_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void why(bench_result_t *r, const char *fmt, ...) {
  size_t n = strlen(r->why);
  if (n + 2 >= sizeof r->why) return;
  if (n) r->why[n++] = ';', r->why[n++] = ' ', r->why[n] = 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->why + n, sizeof r->why - n, fmt, ap);
  va_end(ap);
}

/* A disk full of a pattern, so that every byte read means something. */
static void pattern_disk(run_t *x) {
  tb_t *t = &x->t;
  cosim_storage_t *st = cosim_blk_storage(t->sim);
  uint64_t cap = t->cfg.blk_capacity;
  uint8_t pat[8 * 512];
  uint32_t seed = tb_rand32(&t->rng);
  for (uint64_t s = 0; s + 8 <= cap; s += 8) {
    for (unsigned i = 0; i < sizeof pat; i++)
      pat[i] = (uint8_t)((seed + s * 512 + i) * 2654435761u >> 13);
    TB_DRV(t, cosim_storage_write_direct(st, s, 8, pat));
  }
}

/* Creates the simulation (with the probe when asked), patterns the disk, starts the driver with
 * one queue of queue_size and reads the MPS in force. */
static void open_run(run_t *x, const bench_setup_t *s, int probe, uint16_t queue_size) {
  tb_t *t = &x->t;
  cosim_cfg_default(&t->cfg);
  t->cfg.params.DATA_W = s->data_w;
  t->cfg.dut = s->dut;
  t->cfg.seed = s->seed;
  t->cfg.link_latency_rx = t->cfg.link_latency_tx = s->latency;
  t->cfg.blk_latency = BENCH_BLK_LATENCY;
  t->cfg.blk_jitter = 0;
  /* Completion timeout of the root complex's own requests: well above any round trip here. */
  t->cfg.cpl_timeout = 10000 + 4 * s->latency;
  int rc = probe ? cosim_create_custom(&t->cfg, bench_probe_factory, &x->probe, &t->sim)
                 : cosim_create(&t->cfg, &t->sim);
  if (rc < 0) {
    tb_fail(t, __FILE__, __LINE__, "cosim_create: %s (DATA_W %u)", strerror(-rc), s->data_w);
    tb_abort(t);
  }
  tb_msi_install(t);
  pattern_disk(x);
  tb_blk_opts(&x->k, VDRV_BLK_IRQ_MSIX, 0);
  x->k.o.num_queues = 1;
  x->k.o.queue_size = queue_size;
  tb_blk_open(t, &x->k, &x->k.o);
  TB_REQUIRE(t, x->k.capacity >= 8 * QD_MAX, "capacity %llu", (unsigned long long)x->k.capacity);
  uint32_t devctl = tb_cfg_rd(t, VEP_CAP_PCIE_OFF + VEP_PCIE_DEVCTL, 2);
  x->r->mps = 128u << ((devctl >> VEP_DEVCTL_MPS_SHIFT) & 7u);
}

static void completed(void *cookie, const vdrv_blk_cpl_t *cpl) {
  slot_t *g = cookie;
  run_t *x = g->x;
  if (cpl->result != 0 || cpl->len != (cpl->type == VEP_BLK_T_IN ? x->seg[g->buf].len + 1 : 1))
    x->bad++;
  x->ndone++;
  x->fin[x->nfin++] = g->buf;
  x->last_cycle = cosim_cycles(x->t.sim);
}

/* Submits nreq requests of type at depth qd, each to the sector next_sector() gives, refilling
 * buffers as they complete; reads are checked against the shadow as they complete, writes go
 * into the shadow. The window runs from the qd-th completion to the last. */
typedef uint64_t (*next_sector_fn)(run_t *x, unsigned i);

static void stream(run_t *x, uint32_t type, unsigned qd, unsigned nreq, uint32_t bytes,
                   next_sector_fn next_sector) {
  tb_t *t = &x->t;
  bench_result_t *r = x->r;
  unsigned dir = type == VEP_BLK_T_IN ? VDRV_DMA_DEV_WRITE : VDRV_DMA_DEV_READ;
  slot_t slot[QD_MAX];
  for (unsigned i = 0; i < qd; i++) {
    slot[i] = (slot_t){x, i};
    x->buf[i] = tb_blk_buf(&x->k, bytes, 4096, dir);
    x->seg[i] = (vdrv_virtq_seg_t){x->buf[i], bytes};
    x->fin[x->nfin++] = i;
  }
  r->hdr_4dw = x->buf[0] >= (1ull << 32);
  double cpu0 = cpu_now();
  uint64_t cycle0 = cosim_cycles(t->sim);
  unsigned sub = 0, warm = qd < nreq ? qd : nreq - 1;
  uint64_t window_start = 0;
  unsigned done_at_start = 0;
  int first = 1;
  while (x->ndone < nreq) {
    while (x->nfin) {
      unsigned b = x->fin[--x->nfin];
      if (!first && type == VEP_BLK_T_IN)
        tb_blk_check_read(&x->k, x->sector[b], &x->seg[b], 1, "read");
      if (!first && type == VEP_BLK_T_OUT)
        tb_blk_shadow_write(&x->k, x->sector[b], &x->seg[b], 1);
      if (sub == nreq) continue;
      x->sector[b] = next_sector(x, sub);
      if (type == VEP_BLK_T_OUT) {
        x->fill_seed[b] = tb_rand32(&t->rng);
        tb_blk_fill(&x->k, x->buf[b], bytes, x->fill_seed[b]);
      }
      vdrv_blk_io_t io = {.type = type, .sector = x->sector[b], .seg = &x->seg[b], .nseg = 1,
                          .flags = VDRV_BLK_IO_NO_KICK};
      TB_DRV(t, vdrv_blk_submit(&x->k.b, 0, &io, completed, &slot[b]));
      sub++;
    }
    first = 0;
    TB_DRV(t, vdrv_blk_kick(&x->k.b, 0));
    TB_DRV(t, vdrv_blk_wait(&x->k.b, 0));
    if (!window_start && x->ndone >= warm) {
      window_start = x->last_cycle;
      done_at_start = x->ndone;
    }
  }
  while (x->nfin) {
    unsigned b = x->fin[--x->nfin];
    if (type == VEP_BLK_T_IN) tb_blk_check_read(&x->k, x->sector[b], &x->seg[b], 1, "read");
    else tb_blk_shadow_write(&x->k, x->sector[b], &x->seg[b], 1);
  }
  if (type == VEP_BLK_T_OUT) tb_blk_check_disk(&x->k);
  r->work_cycles = cosim_cycles(t->sim) - cycle0;
  r->work_cpu_seconds = cpu_now() - cpu0;
  TB_CHECK_EQ(t, x->bad, 0);
  r->requests = nreq - done_at_start;
  r->bytes = (uint64_t)r->requests * bytes;
  r->window_cycles = x->last_cycle - window_start;
}

static uint64_t seq_sector(run_t *x, unsigned i) {
  return (uint64_t)i % (x->k.capacity / 8) * 8;
}

static uint64_t rand_sector(run_t *x, unsigned i) {
  (void)i;
  return (uint64_t)tb_rand_below(&x->t.rng, (uint32_t)(x->k.capacity / 8)) * 8;
}

/* The endpoint's reads outstanding, from the completions it has taken. */
typedef struct outstanding {
  uint16_t tag[1024];
  unsigned n;
} outstanding_t;

static void forget_tag(outstanding_t *o, uint16_t tag) {
  for (unsigned i = 0; i < o->n; i++)
    if (o->tag[i] == tag) {
      o->tag[i] = o->tag[--o->n];
      return;
    }
}

/* From the TLPs at the endpoint's ports during one read: the doorbell, the first MRd after it,
 * the MSI-X message, and the round trips in between. */
static void analyse_one(run_t *x, int show) {
  tb_t *t = &x->t;
  bench_result_t *r = x->r;
  size_t n;
  const bench_tlp_event_t *ev = bench_probe_events(x->probe, &n);
  TB_REQUIRE(t, !bench_probe_lost(x->probe), "the probe ran out of memory");
  uint64_t doorbell = 0, first_read = 0, msi = 0;
  int have_doorbell = 0, have_read = 0, have_msi = 0;
  outstanding_t out = {.n = 0};
  for (size_t i = 0; i < n && !have_msi; i++) {
    const bench_tlp_event_t *e = &ev[i];
    cosim_tlp_kind_t kind = cosim_tlp_kind(e->fmt_type);
    if (!have_doorbell) {
      /* The driver's only TLP after the submit is the notify write into BAR0. */
      if (e->to_device && kind == COSIM_TLP_KIND_MWR && e->addr >= t->bar0 &&
          e->addr < t->bar0 + VEP_BAR0_SIZE) {
        doorbell = e->cycle;
        have_doorbell = 1;
      }
      continue;
    }
    if (show)
      printf("    +%-6llu %s %-6s addr=0x%llx len=%u tag=%u%s\n",
             (unsigned long long)(e->cycle - doorbell), e->to_device ? "RC>EP" : "EP>RC",
             cosim_tlp_kind_name(kind), (unsigned long long)e->addr, e->len_dw, e->tag,
             !e->to_device && kind == COSIM_TLP_KIND_MRD && out.n == 0 ? "  <- round trip" : "");
    if (!e->to_device && (kind == COSIM_TLP_KIND_MRD)) {
      if (!have_read) first_read = e->cycle, have_read = 1;
      if (out.n == 0) r->round_trips++;
      if (out.n < 1024) out.tag[out.n++] = e->tag;
    } else if (e->to_device && (kind == COSIM_TLP_KIND_CPLD || kind == COSIM_TLP_KIND_CPL)) {
      /* The last completion of a read: its Byte Count is all it carries. */
      unsigned carried = kind == COSIM_TLP_KIND_CPL ? 0 : 4u * e->len_dw - (e->lower_addr & 3u);
      if (kind == COSIM_TLP_KIND_CPL || e->byte_count <= carried) forget_tag(&out, e->tag);
    } else if (!e->to_device && kind == COSIM_TLP_KIND_MWR && e->addr >= COSIM_MSI_WINDOW_BASE &&
               e->addr < COSIM_MSI_WINDOW_BASE + COSIM_MSI_WINDOW_SIZE) {
      msi = e->cycle;
      have_msi = 1;
    }
  }
  TB_REQUIRE(t, have_doorbell && have_read && have_msi,
             "TLPs not found at the ports: doorbell %d, first read %d, MSI-X message %d",
             have_doorbell, have_read, have_msi);
  r->doorbell_to_first_read = first_read - doorbell;
  r->doorbell_to_msi = msi - doorbell;
}

static void one_read(run_t *x, int show) {
  tb_t *t = &x->t;
  uint64_t buf = tb_blk_buf(&x->k, 4096, 4096, VDRV_DMA_DEV_WRITE);
  vdrv_virtq_seg_t seg = {buf, 4096};
  x->r->hdr_4dw = buf >= (1ull << 32);
  vdrv_blk_cpl_t cpl;
  vdrv_blk_io_t io = {.type = VEP_BLK_T_IN, .sector = 8, .seg = &seg, .nseg = 1};
  /* A warm-up read first, so that the timed one finds the device as a busy system would. */
  TB_REQUIRE(t, tb_blk_io_wait(&x->k, 0, &io, &cpl) == 0 && cpl.result == 0, "warm-up read");
  tb_blk_check_read(&x->k, 8, &seg, 1, "warm-up read");
  io.sector = 16;
  bench_probe_record(x->probe, 1);
  TB_REQUIRE(t, tb_blk_io_wait(&x->k, 0, &io, &cpl) == 0 && cpl.result == 0, "timed read");
  bench_probe_record(x->probe, 0);
  tb_blk_check_read(&x->k, 16, &seg, 1, "timed read");
  x->r->requests = 1;
  x->r->bytes = 4096;
  analyse_one(x, show);
}

typedef enum { WORK_SEQ, WORK_RAND, WORK_ONE } work_t;

typedef struct work_args {
  work_t work;
  uint32_t type;
  unsigned qd, nreq, bytes;
} work_args_t;

/* Runs one workload in a fresh simulation and collects what went wrong. */
static void run_work(const bench_setup_t *s, const work_args_t *a, bench_result_t *r) {
  static const tb_test_t test = {"vepbench", "performance workload", NULL, __FILE__, NULL};
  static run_t x;  /* large (message buffers, shadows' handles): not on the stack */
  memset(r, 0, sizeof *r);
  memset(&x, 0, sizeof x);
  x.r = r;
  x.t.test = &test;
  x.t.bdf = TB_EP_BDF;
  tb_rng_seed(&x.t.rng, s->seed);
  double c0 = cpu_now();
  if (setjmp(x.t.abort_to) == 0) {
    int probe = a->work == WORK_ONE;
    /* Three descriptors per request (header, data, status). */
    unsigned qsize = 4;
    while (qsize < 3 * a->qd) qsize *= 2;
    open_run(&x, s, probe, (uint16_t)qsize);
    if (a->work == WORK_SEQ) stream(&x, a->type, a->qd, a->nreq, 4096, seq_sector);
    else if (a->work == WORK_RAND) stream(&x, VEP_BLK_T_IN, a->qd, a->nreq, a->bytes, rand_sector);
    else one_read(&x, s->show_tlps);
    tb_blk_close(&x.k);
  }
  if (x.t.sim) {
    r->sim_cycles = cosim_cycles(x.t.sim);
    for (unsigned i = 0; i < x.t.nmsg; i++) why(r, "%s", x.t.msg[i]);
    unsigned ne = cosim_error_count(x.t.sim);
    for (unsigned i = 0; i < ne; i++) {
      const char *e = cosim_error(x.t.sim, i);
      why(r, "%s", e ? e : "(error text not kept)");
    }
    r->failed = x.t.nfail > 0 || ne > 0 || cosim_diverged(x.t.sim);
    if (cosim_diverged(x.t.sim)) why(r, "lockstep diverged");
    cosim_destroy(x.t.sim);
  } else {
    for (unsigned i = 0; i < x.t.nmsg; i++) why(r, "%s", x.t.msg[i]);
    r->failed = 1;
  }
  r->cpu_seconds = cpu_now() - c0;
}

void bench_seq(const bench_setup_t *s, uint32_t type, unsigned qd, unsigned nreq,
               bench_result_t *r) {
  work_args_t a = {WORK_SEQ, type, qd, nreq, 4096};
  run_work(s, &a, r);
}

void bench_rand_read(const bench_setup_t *s, unsigned bytes, unsigned qd, unsigned nreq,
                     bench_result_t *r) {
  work_args_t a = {WORK_RAND, VEP_BLK_T_IN, qd, nreq, bytes};
  run_work(s, &a, r);
}

void bench_one_read(const bench_setup_t *s, bench_result_t *r) {
  work_args_t a = {WORK_ONE, VEP_BLK_T_IN, 1, 2, 4096};
  run_work(s, &a, r);
}
