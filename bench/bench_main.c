/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vepbench: the performance figures (docs/perf.md). For every supported DATA_W and every link
 * latency it runs the workloads of bench_work.h on the RTL, the same workload on all three DUTs
 * for the simulator speeds (their cycle counts must agree: the models are cycle-exact), and
 * build/vepsim's blk_stress in lockstep for the resident memory; prints a table and writes the
 * figures as JSON.
 *
 *   vepbench [--out FILE] [--only NAME,...] [--latencies L,...] [--data-w W,...] [--seed S]
 *            [--vepsim PATH] [--show-tlps] [--dut rtl|cmodel|lockstep]
 *
 * Exit status: 0, 1 when a run failed a check (its figure is FAILED / null), 2 for bad options.
 */
#define _DEFAULT_SOURCE   /* wait4: the resource use of one child */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_limit.h"
#include "bench_report.h"
#include "bench_work.h"
#include "cosim_rc.h"
#include "vep_consts.h"

#define MAX_LIST 8
/* Requests per run: enough for the steady state to dominate its window. */
#define N_QD32 128u
#define N_QD1 16u
#define N_RAND 256u
#define N_SPEED 256u

typedef struct opts {
  const char *out;
  const char *only;           /* comma-separated figure names, or NULL: all */
  unsigned latency[MAX_LIST], nlatency;
  unsigned data_w[MAX_LIST], ndata_w;
  uint64_t seed;
  const char *vepsim;
  int show_tlps;
  int append;                 /* --append: add to the figures already in --out */
  cosim_dut_kind_t dut;       /* of the throughput and latency figures */
} opts_t;

static void usage(FILE *f, const char *argv0) {
  fprintf(f,
          "usage: %s [--out FILE] [--only NAME,...] [--latencies L,...] [--data-w W,...]\n"
          "          [--seed S] [--vepsim PATH] [--show-tlps] [--dut D] [--append]\n"
          "  --out FILE        JSON results (default build/bench/results.json)\n"
          "  --append          add the figures to those already in --out (make bench runs one\n"
          "                    vepbench per DATA_W, each built with its own Verilated RTL)\n"
          "  --only NAMES      only these figures (and what they need), e.g.\n"
          "                    seq_read_4k_qd32_efficiency,peak_rss_mib\n"
          "  --latencies LIST  link latencies, cycles each way (default 0,100,500)\n"
          "  --data-w LIST     DATA_W values to try (default 64,128,256; those the DUTs refuse\n"
          "                    are skipped with a note)\n"
          "  --seed S          every random choice (default 1)\n"
          "  --vepsim PATH     the runner for peak_rss_mib (default: vepsim beside this program)\n"
          "  --show-tlps       print the TLPs of the timed QD1 read at the endpoint's ports\n"
          "  --dut D           rtl (default), cmodel or lockstep for the throughput and latency\n"
          "                    figures (cycle counts are the same on every DUT)\n",
          argv0);
}

static int parse_list(const char *s, unsigned *v, unsigned *n) {
  *n = 0;
  while (*s) {
    char *end;
    errno = 0;
    unsigned long x = strtoul(s, &end, 10);
    if (errno || end == s || x > 100000 || *n == MAX_LIST || (*end && *end != ',')) return -1;
    v[(*n)++] = (unsigned)x;
    s = *end ? end + 1 : end;
  }
  return *n ? 0 : -1;
}

/* Whether figure name is asked for. */
static int wanted(const opts_t *o, const char *name) {
  if (!o->only) return 1;
  size_t len = strlen(name);
  for (const char *p = o->only; *p;) {
    const char *comma = strchr(p, ',');
    size_t n = comma ? (size_t)(comma - p) : strlen(p);
    if (n == len && !strncmp(p, name, n)) return 1;
    p += n + (comma != NULL);
  }
  return 0;
}

static int any_wanted(const opts_t *o, const char *const *names) {
  for (; *names; names++)
    if (wanted(o, *names)) return 1;
  return 0;
}

typedef struct ctx {
  const opts_t *o;
  bench_report_t *rep;
  int oom;
} ctx_t;

static bench_figure_t figure(const char *name, double value, const char *unit,
                             const bench_setup_t *s, const bench_result_t *r) {
  bench_figure_t f;
  memset(&f, 0, sizeof f);
  snprintf(f.name, sizeof f.name, "%s", name);
  f.value = value;
  f.unit = unit;
  f.config.data_w = s->data_w;
  f.config.latency = s->latency;
  f.config.mps = r ? r->mps : 0;
  f.config.rcb = COSIM_RC_RCB;
  f.config.dut = s->dut == COSIM_DUT_RTL ? "rtl" : s->dut == COSIM_DUT_CMODEL ? "cmodel"
                                                                              : "lockstep";
  f.failed = r ? r->failed : 0;
  return f;
}

static void add(ctx_t *c, const bench_figure_t *f) {
  if (!wanted(c->o, f->name)) return;
  if (bench_report_add(c->rep, f)) c->oom = 1;
}

static void report_failure(const char *what, const bench_setup_t *s, const bench_result_t *r) {
  if (r->failed)
    fprintf(stderr, "vepbench: %s (DATA_W %u, latency %u, seed %llu) FAILED: %s\n", what,
            s->data_w, s->latency, (unsigned long long)s->seed, r->why[0] ? r->why : "?");
}

/* Sequential 4 KiB reads (IN: the endpoint writes host memory, MWr of MPS bytes) or writes
 * (OUT: the endpoint reads host memory, CplD of at most MPS bytes, split at RCB multiples). */
static void seq_figures(ctx_t *c, const bench_setup_t *s, uint32_t type, unsigned qd) {
  char name[BENCH_NAME_LEN];
  snprintf(name, sizeof name, "seq_%s_4k_qd%u_efficiency", type == VEP_BLK_T_IN ? "read" : "write",
           qd);
  if (!wanted(c->o, name)) return;
  bench_result_t r;
  bench_seq(s, type, qd, qd > 1 ? N_QD32 : N_QD1, &r);
  report_failure(name, s, &r);
  double per_cycle = r.window_cycles ? (double)r.bytes / (double)r.window_cycles : 0.0;
  bench_figure_t f = figure(name, per_cycle / (s->data_w / 8u), "of link", s, &r);
  f.config.queue_depth = qd;
  f.config.rcb = COSIM_RC_RCB;
  f.has_limit = 1;
  if (type == VEP_BLK_T_IN) {
    unsigned hdr = r.hdr_4dw ? BENCH_HDR_4DW : BENCH_HDR_3DW;
    f.limit = bench_stream_efficiency(s->data_w, hdr, r.mps, 4096);
    snprintf(f.config.note, sizeof f.config.note, "limit: MWr of MPS bytes, %uDW headers", hdr);
  } else {
    f.limit = bench_stream_efficiency(s->data_w, BENCH_HDR_3DW, r.mps, 4096);
    snprintf(f.config.note, sizeof f.config.note,
             "limit: CplD of MPS bytes, 3DW headers (CplD of RCB bytes: %.3f)",
             bench_stream_efficiency(s->data_w, BENCH_HDR_3DW, COSIM_RC_RCB, 4096));
  }
  if (type == VEP_BLK_T_IN && qd > 1) {
    f.target = BENCH_TARGET_MIN_PCT_OF_LIMIT;
    f.target_value = 90;
  }
  add(c, &f);
}

static void rand_figure(ctx_t *c, const bench_setup_t *s) {
  const char *name = "rand_read_512_qd64_rate";
  if (!wanted(c->o, name)) return;
  bench_result_t r;
  bench_rand_read(s, 512, 64, N_RAND, &r);
  report_failure(name, s, &r);
  double rate = r.window_cycles ? 1000.0 * (double)r.requests / (double)r.window_cycles : 0.0;
  bench_figure_t f = figure(name, rate, "req/1000cyc", s, &r);
  f.config.queue_depth = 64;
  f.has_limit = 1;
  unsigned hdr = r.hdr_4dw ? BENCH_HDR_4DW : BENCH_HDR_3DW;
  f.limit = bench_blk_read_rate_bound(s->data_w, hdr, r.mps, 512);
  snprintf(f.config.note, sizeof f.config.note,
           "bound: data, status and used element MWr (%uDW) on TX", hdr);
  f.target = BENCH_TARGET_MIN_PCT_OF_LIMIT;
  f.target_value = 80;
  add(c, &f);
}

static void latency_figures(ctx_t *c, const bench_setup_t *s) {
  static const char *const names[] = {"doorbell_to_first_read_cycles",
                                      "qd1_read_4k_latency_cycles", "qd1_read_4k_round_trips",
                                      NULL};
  if (!any_wanted(c->o, names)) return;
  bench_result_t r;
  bench_one_read(s, &r);
  report_failure("one 4 KiB read", s, &r);
  bench_figure_t f = figure(names[0], (double)r.doorbell_to_first_read, "cycles", s, &r);
  f.config.queue_depth = 1;
  snprintf(f.config.note, sizeof f.config.note,
           "doorbell last beat taken -> first MRd first beat sent");
  f.target = BENCH_TARGET_MAX;
  f.target_value = 4;
  add(c, &f);
  f = figure(names[1], (double)r.doorbell_to_msi, "cycles", s, &r);
  f.config.queue_depth = 1;
  snprintf(f.config.note, sizeof f.config.note,
           "doorbell last beat taken -> MSI-X message first beat sent");
  add(c, &f);
  f = figure(names[2], (double)r.round_trips, "round trips", s, &r);
  f.config.queue_depth = 1;
  snprintf(f.config.note, sizeof f.config.note, "MRds sent with no read outstanding");
  add(c, &f);
}

/* The same workload on the three DUTs: their speeds, and a check that the cycle counts agree.
 * The machine is shared, so each DUT runs SPEED_REPEATS times, interleaved, and the least CPU
 * time counts (what the simulator can do; interference only ever adds). */
#define SPEED_REPEATS 3u
static void speed_figures(ctx_t *c, const bench_setup_t *base) {
  static const char *const names[] = {"sim_speed_rtl", "sim_speed_cmodel", "sim_speed_lockstep",
                                      "cmodel_speedup", "lockstep_overhead", NULL};
  if (!any_wanted(c->o, names)) return;
  static const cosim_dut_kind_t duts[3] = {COSIM_DUT_RTL, COSIM_DUT_CMODEL, COSIM_DUT_LOCKSTEP};
  bench_result_t r[3], run;
  double best[3] = {0, 0, 0};
  int failed = 0;
  for (unsigned k = 0; k < SPEED_REPEATS; k++) {
    for (unsigned i = 0; i < 3; i++) {
      bench_setup_t s = *base;
      s.dut = duts[i];
      s.show_tlps = 0;
      bench_seq(&s, VEP_BLK_T_IN, 32, N_SPEED, &run);
      report_failure(names[i], &s, &run);
      failed |= run.failed;
      if (k == 0 || run.work_cpu_seconds < best[i]) best[i] = run.work_cpu_seconds;
      if (k == 0) r[i] = run;
      else if (run.work_cycles != r[i].work_cycles) failed = 1;
    }
  }
  double speed[3];
  for (unsigned i = 0; i < 3; i++) speed[i] = best[i] > 0 ? (double)r[i].work_cycles / best[i] : 0;
  if (!failed && (r[0].work_cycles != r[1].work_cycles || r[0].work_cycles != r[2].work_cycles ||
                  r[0].window_cycles != r[1].window_cycles)) {
    fprintf(stderr, "vepbench: the DUTs disagree on the cycles of one workload: rtl %llu, cmodel "
            "%llu, lockstep %llu (window rtl %llu, cmodel %llu)\n",
            (unsigned long long)r[0].work_cycles, (unsigned long long)r[1].work_cycles,
            (unsigned long long)r[2].work_cycles, (unsigned long long)r[0].window_cycles,
            (unsigned long long)r[1].window_cycles);
    failed = 1;
  }
  char note[BENCH_TEXT_LEN];
  snprintf(note, sizeof note, "%u x 4 KiB reads, %llu cycles on every DUT, least CPU time of %u",
           N_SPEED, (unsigned long long)r[0].work_cycles, SPEED_REPEATS);
  for (unsigned i = 0; i < 3; i++) {
    bench_setup_t s = *base;
    s.dut = duts[i];
    bench_figure_t f = figure(names[i], speed[i], "cycles/s", &s, &r[i]);
    f.config.queue_depth = 32;
    f.failed = failed;
    snprintf(f.config.note, sizeof f.config.note, "%s", note);
    add(c, &f);
  }
  bench_figure_t f = figure(names[3], speed[0] > 0 ? speed[1] / speed[0] : 0.0, "x", base, &r[0]);
  f.config.dut = "cmodel/rtl";
  f.config.queue_depth = 32;
  f.failed = failed;
  f.target = BENCH_TARGET_MIN;
  f.target_value = 10;
  snprintf(f.config.note, sizeof f.config.note, "speed of the C model over the RTL's");
  add(c, &f);
  f = figure(names[4], speed[2] > 0 ? speed[0] / speed[2] : 0.0, "x", base, &r[0]);
  f.config.dut = "lockstep/rtl";
  f.config.queue_depth = 32;
  f.failed = failed;
  f.target = BENCH_TARGET_MAX;
  f.target_value = 1.3;
  snprintf(f.config.note, sizeof f.config.note, "time of lockstep over the RTL's alone");
  add(c, &f);
}

/* build/vepsim --dut lockstep --test blk_stress in a child; its peak resident set. The runner
 * refuses latency 0 (its smallest is 1), so 0 runs at 1. */
static void rss_figure(ctx_t *c, const bench_setup_t *s) {
  const char *name = "peak_rss_mib";
  if (!wanted(c->o, name)) return;
  unsigned lat = s->latency ? s->latency : 1;
  char latency[16], seed[24];
  snprintf(latency, sizeof latency, "%u", lat);
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)s->seed);
  bench_result_t r;
  memset(&r, 0, sizeof r);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, 1);
    execl(c->o->vepsim, c->o->vepsim, "--dut", "lockstep", "--test", "blk_stress", "--latency",
          latency, "--seed", seed, (char *)NULL);
    fprintf(stderr, "vepbench: cannot run %s: %s\n", c->o->vepsim, strerror(errno));
    _exit(127);
  }
  struct rusage ru;
  memset(&ru, 0, sizeof ru);
  int status = 0;
  if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    r.failed = 1;
    fprintf(stderr, "vepbench: %s --dut lockstep --test blk_stress --latency %s --seed %s did not "
            "pass (status 0x%x)\n", c->o->vepsim, latency, seed, status);
  }
  bench_setup_t ls = *s;
  ls.dut = COSIM_DUT_LOCKSTEP;
  ls.latency = lat;
  bench_figure_t f = figure(name, ru.ru_maxrss / 1024.0, "MiB", &ls, &r);
  f.config.rcb = 0;
  snprintf(f.config.note, sizeof f.config.note, "vepsim --dut lockstep --test blk_stress%s",
           s->latency ? "" : " (latency 0 runs at 1)");
  f.target = BENCH_TARGET_BELOW;
  f.target_value = 256;
  add(c, &f);
}

/* Whether DUT d accepts DATA_W w (the RTL only the DATA_W it was Verilated with; the C model
 * what it was written for). Its refusal is printed on stderr by cosim. */
static int data_w_supported(unsigned w, cosim_dut_kind_t d) {
  cosim_cfg_t cfg;
  cosim_cfg_default(&cfg);
  cfg.params.DATA_W = w;
  cfg.dut = d;
  cosim_t *sim = NULL;
  if (cosim_create(&cfg, &sim)) return 0;
  cosim_destroy(sim);
  return 1;
}

int main(int argc, char **argv) {
  opts_t o = {.out = "build/bench/results.json", .latency = {0, 100, 500}, .nlatency = 3,
              .data_w = {64, 128, 256}, .ndata_w = 3, .seed = 1, .dut = COSIM_DUT_RTL};
  static char vepsim[4096];
  const char *slash = strrchr(argv[0], '/');
  snprintf(vepsim, sizeof vepsim, "%.*svepsim", slash ? (int)(slash - argv[0] + 1) : 0, argv[0]);
  o.vepsim = vepsim;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout, argv[0]);
      return 0;
    }
    if (!strcmp(a, "--show-tlps")) {
      o.show_tlps = 1;
      continue;
    }
    if (!strcmp(a, "--append")) {
      o.append = 1;
      continue;
    }
    int ok = v != NULL;
    if (ok && !strcmp(a, "--out")) o.out = v;
    else if (ok && !strcmp(a, "--only")) o.only = *v ? v : NULL;
    else if (ok && !strcmp(a, "--latencies")) ok = parse_list(v, o.latency, &o.nlatency) == 0;
    else if (ok && !strcmp(a, "--data-w")) ok = parse_list(v, o.data_w, &o.ndata_w) == 0;
    else if (ok && !strcmp(a, "--seed")) {
      char *end;
      o.seed = strtoull(v, &end, 0);
      ok = end != v && !*end;
    } else if (ok && !strcmp(a, "--vepsim")) {
      o.vepsim = v;
    } else if (ok && !strcmp(a, "--dut")) {
      if (!strcmp(v, "rtl")) o.dut = COSIM_DUT_RTL;
      else if (!strcmp(v, "cmodel")) o.dut = COSIM_DUT_CMODEL;
      else if (!strcmp(v, "lockstep")) o.dut = COSIM_DUT_LOCKSTEP;
      else ok = 0;
    }
    else ok = 0;
    if (!ok) {
      fprintf(stderr, "vepbench: bad option '%s%s%s'\n", a, v ? " " : "", v ? v : "");
      usage(stderr, argv[0]);
      return 2;
    }
    i++;
  }
  ctx_t c = {.o = &o, .rep = bench_report_create()};
  if (!c.rep) return 1;
  printf("vepbench: seed %llu, backend latency %u, every byte checked\n",
         (unsigned long long)o.seed, BENCH_BLK_LATENCY);
  for (unsigned wi = 0; wi < o.ndata_w; wi++) {
    unsigned w = o.data_w[wi];
    if (!data_w_supported(w, o.dut)) {
      printf("vepbench: DATA_W %u skipped: the %s DUT refuses it (the RTL is Verilated for one "
             "DATA_W: make DATA_W=%u, or make bench, which builds each)\n", w,
             o.dut == COSIM_DUT_RTL ? "rtl" : o.dut == COSIM_DUT_CMODEL ? "cmodel" : "lockstep",
             w);
      continue;
    }
    /* The speeds and the lockstep stress run need both models. */
    int both = data_w_supported(w, COSIM_DUT_LOCKSTEP);
    if (!both)
      printf("vepbench: DATA_W %u: no speed or memory figures (lockstep refuses it)\n", w);
    for (unsigned li = 0; li < o.nlatency; li++) {
      bench_setup_t s = {o.dut, w, o.latency[li], o.seed, o.show_tlps};
      printf("vepbench: DATA_W %u, link latency %u ...\n", w, s.latency);
      fflush(stdout);
      seq_figures(&c, &s, VEP_BLK_T_IN, 32);
      seq_figures(&c, &s, VEP_BLK_T_OUT, 32);
      seq_figures(&c, &s, VEP_BLK_T_IN, 1);
      seq_figures(&c, &s, VEP_BLK_T_OUT, 1);
      rand_figure(&c, &s);
      latency_figures(&c, &s);
      if (both) {
        speed_figures(&c, &s);
        rss_figure(&c, &s);
      }
    }
  }
  printf("\n");
  bench_report_table(c.rep, stdout);
  /* The JSON's folders (build/bench by default) may not exist yet. */
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", o.out);
  for (char *p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
    *p = 0;
    mkdir(dir, 0777);
    *p = '/';
  }
  int rc = bench_report_json(c.rep, o.out, o.append);
  if (rc) fprintf(stderr, "vepbench: cannot %s %s: %s\n", o.append ? "append to" : "write", o.out,
                  rc == -EINVAL ? "not a results array of vepbench" : strerror(-rc));
  else printf("\nvepbench: %s written\n", o.out);
  unsigned failed = bench_report_failed(c.rep);
  if (failed) fprintf(stderr, "vepbench: %u figures FAILED (see above)\n", failed);
  if (c.oom) fprintf(stderr, "vepbench: out of memory: figures are missing\n");
  bench_report_destroy(c.rep);
  return rc || failed || c.oom ? 1 : 0;
}
