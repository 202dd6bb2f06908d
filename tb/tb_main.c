/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vepsim: the regression runner. Options in usage() below; docs/testing.md explains them.
 * Each selected test gets a fresh cosim_t and prints one PASS/FAIL line; the run ends with
 * "N passed, M failed" and exits 1 if any failed, 2 on a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cosim_fcov.h"
#include "cosim_rtl_shim.h"
#include "tb.h"

static void usage(FILE *f, const char *argv0) {
  fprintf(f,
          "usage: %s [options]\n"
          "  --dut rtl|cmodel|lockstep   device under test (default lockstep)\n"
          "  --test NAME                 run NAME; repeatable; a trailing '*' matches a prefix\n"
          "  --list                      print the (selected) tests with a description\n"
          "  --seed N                    seed of every random choice (default 1)\n"
          "  --shard I/N                 run the tests whose index in the sorted list is I mod N\n"
          "  --junit FILE                write a JUnit XML report\n"
          "  --trace FILE                FST waveform of the RTL (per test: NAME before the "
          "extension)\n"
          "  --trace-window FROM:TO      with --trace: only cycles FROM..TO in the FST\n"
          "  --mismatch-window N         a failing lockstep divergence re-runs the test with a\n"
          "                              waveform of N cycles before the mismatch and 20 after\n"
          "                              (default 200; 0: no re-run), without --trace\n"
          "  --latency N                 link latency in cycles each way (default 8)\n"
          "  --backpressure PCT          random flow control, 0..90: m_tx_ready low and idle\n"
          "                              cycles before RX beats, each in PCT%% of cycles\n"
          "                              (default 0)\n"
          "  --disk FILE                 raw disk image behind the virtio-blk backend (its size\n"
          "                              must be a multiple of 512; capacity = size / 512;\n"
          "                              tests write to it); default: a 2 MiB RAM disk\n"
          "  --ro                        read-only disk (VIRTIO_BLK_F_RO; writes fail)\n"
          "  --blk-latency N             cycles from a backend request to its answer, plus a\n"
          "                              jitter of up to N/2 (default 20), 0..1000000\n"
          "  --expect-divergence PORT    lockstep self-test: a test passes only if RTL and model\n"
          "                              diverged and the first mismatch is on PORT\n"
          "  --tlp-log FILE              every TLP on the link with its virtio meaning (per\n"
          "                              test: NAME before the extension)\n"
          "  --fcov FILE                 add this run's functional coverage counts to FILE\n"
          "  --fcov-report FILE          print the coverage points of FILE, those never hit last\n"
          "  --demo                      enumerate, dump config space, initialise to DRIVER_OK\n"
          "  -h, --help                  this text\n",
          argv0);
}

const char *tb_dut_name(cosim_dut_kind_t d) {
  switch (d) {
    case COSIM_DUT_RTL: return "rtl";
    case COSIM_DUT_CMODEL: return "cmodel";
    default: return "lockstep";
  }
}

void tb_repro_cmd(const tb_opts_t *o, const char *test, char *buf, size_t len) {
  int n;
  if (test)
    n = snprintf(buf, len, "%s --dut %s --test %s --seed %llu", o->argv0, tb_dut_name(o->dut),
                 test, (unsigned long long)o->seed);
  else
    n = snprintf(buf, len, "%s --dut %s --demo --seed %llu", o->argv0, tb_dut_name(o->dut),
                 (unsigned long long)o->seed);
  /* A non-default latency or flow control changes every timing, and the self-test inverts the
   * verdict: all are part of what reproduces the run. */
  if (o->latency_set && n > 0 && (size_t)n < len)
    n += snprintf(buf + n, len - (size_t)n, " --latency %u", o->latency);
  if (o->backpressure && n > 0 && (size_t)n < len)
    n += snprintf(buf + n, len - (size_t)n, " --backpressure %u", o->backpressure);
  if (o->disk && n > 0 && (size_t)n < len)
    n += snprintf(buf + n, len - (size_t)n, " --disk %s", o->disk);
  if (o->ro_flag && n > 0 && (size_t)n < len)
    n += snprintf(buf + n, len - (size_t)n, " --ro");
  if (o->blk_latency_set && n > 0 && (size_t)n < len)
    n += snprintf(buf + n, len - (size_t)n, " --blk-latency %u", o->blk_latency);
  if (o->expect_port && n > 0 && (size_t)n < len)
    snprintf(buf + n, len - (size_t)n, " --expect-divergence %s", o->expect_port);
}

void tb_cfg_from_opts(const tb_opts_t *o, cosim_cfg_t *cfg) {
  cosim_cfg_default(cfg);
  /* Every DUT of one binary runs at the DATA_W its RTL was Verilated with (make DATA_W=W), so the
   * rtl, cmodel and lockstep runs of a build test the same endpoint; the binary's path is in the
   * reproduce command. */
  vep_params_t built;
  cosim_rtl_params(&built);
  cfg->params.DATA_W = built.DATA_W;
  cfg->dut = o->dut;
  cfg->seed = o->seed;
  if (o->latency_set) {
    cfg->link_latency_rx = o->latency;
    cfg->link_latency_tx = o->latency;
  }
  cfg->trace_path = o->trace;
  cfg->tlp_log_path = o->tlp_log;
  cfg->fcov = o->fcov != NULL;
  cfg->trace_from = o->trace_from;
  cfg->trace_to = o->trace_to;
  cfg->tx_backpressure_pct = o->backpressure;
  cfg->rx_gap_pct = o->backpressure;
  /* The backend's own flow control follows --backpressure too (its own random stream). */
  cfg->blk_flow_pct = o->backpressure;
  if (o->disk) {
    cfg->blk_image = o->disk;
    cfg->blk_capacity = o->disk_sectors;
  }
  cfg->blk_ro = o->ro;
  if (o->blk_latency_set) {
    cfg->blk_latency = o->blk_latency;
    cfg->blk_jitter = o->blk_latency / 2;
  }
}

/* Checks --disk FILE now, so that a bad image is a usage error (exit 2) rather than every test
 * failing: a regular file, readable, its size a multiple of 512. Sets the capacity, and
 * read-only when the file cannot be written (the storage model opens it read-only then). */
static int check_disk(tb_opts_t *o, const char *path) {
  struct stat sb;
  if (stat(path, &sb) != 0) {
    fprintf(stderr, "vepsim: --disk %s: %s\n", path, strerror(errno));
    return -1;
  }
  if (!S_ISREG(sb.st_mode)) {
    fprintf(stderr, "vepsim: --disk %s: not a regular file\n", path);
    return -1;
  }
  if (sb.st_size % 512) {
    fprintf(stderr, "vepsim: --disk %s: size %lld bytes is not a multiple of the 512-byte "
            "sector\n", path, (long long)sb.st_size);
    return -1;
  }
  if (access(path, R_OK) != 0) {
    fprintf(stderr, "vepsim: --disk %s: %s\n", path, strerror(errno));
    return -1;
  }
  o->disk = path;
  o->disk_sectors = (uint64_t)sb.st_size / 512;
  if (access(path, W_OK) != 0) o->ro = 1;
  return 0;
}

/* ---- Results ---- */
typedef struct result {
  const tb_test_t *test;
  int pass;
  uint64_t cycles, tlps;
  double secs;
  char *text;     /* failure messages, one per line (heap), or NULL */
} result_t;

typedef struct strbuf {
  char *p;
  size_t len, cap;
} strbuf_t;

static void sb_add(strbuf_t *b, const char *s) {
  size_t n = strlen(s);
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) return;  /* a lost message must not stop the regression */
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n + 1);
  b->len += n;
}

/* Adds one message as an indented block (continuation lines of a multi-line report indented
 * further), so that a failure stays readable in a CI log. */
static void sb_add_msg(strbuf_t *b, const char *msg) {
  sb_add(b, "    ");
  for (const char *p = msg; *p;) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    char line[1024];
    if (n >= sizeof line) n = sizeof line - 1;
    memcpy(line, p, n);
    line[n] = '\0';
    sb_add(b, line);
    sb_add(b, "\n");
    if (!nl || !nl[1]) break;
    sb_add(b, "      ");
    p = nl + 1;
  }
}

static double now_s(void) {
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t hash_name(const char *s) {
  uint64_t h = 0xCBF29CE484222325ull;  /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001B3ull;
  return h;
}

static void trace_name(const char *trace, const char *test, char *buf, size_t len) {
  const char *slash = strrchr(trace, '/');
  const char *dot = strrchr(slash ? slash + 1 : trace, '.');
  if (!dot)
    snprintf(buf, len, "%s.%s", trace, test);
  else
    snprintf(buf, len, "%.*s.%s%s", (int)(dot - trace), trace, test, dot);
}

/* The automatic waveform of a lockstep mismatch at cycle N holds cycles N - BEFORE .. N + AFTER
 * (--mismatch-window changes BEFORE): BEFORE reaches back over the last few TLP exchanges
 * (cfg_header's configuration reads reach the device 25 cycles apart), AFTER shows the next
 * beats of the outputs. */
#define TB_MISMATCH_WAVE_BEFORE 200u
#define TB_MISMATCH_WAVE_AFTER 20u

/* What every run of a test starts from: the configuration the options give, the command that
 * reproduces it, and the test's own random stream (from the seed and its name only, so a test
 * does the same alone, in a shard or in the full run). */
static void test_init(const tb_opts_t *o, const tb_test_t *test, tb_t *t, char *repro,
                      size_t len) {
  tb_repro_cmd(o, test->name, repro, len);
  tb_cfg_from_opts(o, &t->cfg);
  t->cfg.repro = repro;
  t->test = test;
  t->bdf = TB_EP_BDF;
  tb_rng_seed(&t->rng, o->seed ^ hash_name(test->name));
}

/* Creates the simulation of t->cfg and runs the test in it (a failed requirement ends the test
 * early by longjmp back here). Returns 0, or cosim_create's error. */
static int test_run(tb_t *t) {
  int rc = cosim_create(&t->cfg, &t->sim);
  if (rc < 0) return rc;
  tb_msi_install(t);
  if (setjmp(t->abort_to) == 0) t->test->fn(t);
  return 0;
}

/* The automatic waveform of a failing lockstep divergence (docs/waves.md): the test again with
 * the same options, seed and test RNG (set up as run_one does), so it diverges on the same
 * cycle, now with the RTL traced over the window that led to the mismatch. Appends to *text
 * where the file is, or why there is none. */
static void mismatch_wave(const tb_opts_t *o, const tb_test_t *test, uint64_t cycle,
                          strbuf_t *text) {
  char path[1024], repro[512], m[2600];
  snprintf(path, sizeof path, "%s/mismatch-%s.fst", o->wave_dir, test->name);
  uint64_t from = cycle > o->mismatch_window ? cycle - o->mismatch_window : 0;
  uint64_t to = cycle + TB_MISMATCH_WAVE_AFTER;
  tb_t *t = calloc(1, sizeof *t);
  if (!t) {
    sb_add_msg(text, "no waveform of the mismatch: out of memory");
    return;
  }
  test_init(o, test, t, repro, sizeof repro);
  /* The re-run only draws the waveform: its TLPs and coverage were counted by the first run. */
  t->cfg.tlp_log_path = NULL;
  t->cfg.fcov = 0;
  t->cfg.trace_path = path;
  t->cfg.trace_from = from;
  t->cfg.trace_to = to;
  int rc = test_run(t);
  if (rc < 0) {
    snprintf(m, sizeof m, "no waveform of the mismatch: cosim_create: %s", strerror(-rc));
    sb_add_msg(text, m);
    free(t);
    return;
  }
  uint64_t again = cosim_mismatch_cycle(t->sim);
  cosim_destroy(t->sim);  /* closes the FST, if the window's end has not already */
  free(t);
  /* A trace that failed to open at the window's start leaves the empty file cosim_create made. */
  struct stat sb;
  if (stat(path, &sb) != 0 || sb.st_size == 0)
    snprintf(m, sizeof m, "no waveform of the mismatch: %s could not be written", path);
  else if (again != cycle)
    snprintf(m, sizeof m, "the waveform %s is not of this mismatch: the re-run diverged at cycle "
             "%llu, not %llu (something in the run is not deterministic)", path,
             (unsigned long long)again, (unsigned long long)cycle);
  else
    snprintf(m, sizeof m, "waveform of the mismatch (the test re-run): %s, cycles %llu..%llu, "
             "the mismatching edge at t=%llu\nopen it: gtkwave %s waves/overview.gtkw",
             path, (unsigned long long)from, (unsigned long long)to,
             (unsigned long long)(10 * (cycle - 1) + 5), path);
  sb_add_msg(text, m);
}

static void run_one(const tb_opts_t *o, const tb_test_t *test, result_t *r) {
  tb_t *t = calloc(1, sizeof *t);
  strbuf_t msgs = {0};
  char repro[512];
  char trace[1024];
  r->test = test;
  r->pass = 0;
  if (!t) {
    sb_add_msg(&msgs, "out of memory");
    r->text = msgs.p;
    return;
  }
  test_init(o, test, t, repro, sizeof repro);
  if (o->trace && o->trace_per_test) {
    trace_name(o->trace, test->name, trace, sizeof trace);
    t->cfg.trace_path = trace;
  }
  char tlp_log[1024];
  if (o->tlp_log && o->tlp_log_per_test) {
    trace_name(o->tlp_log, test->name, tlp_log, sizeof tlp_log);
    t->cfg.tlp_log_path = tlp_log;
  }
  /* The log appends (for tests that rebuild their simulation): each test starts it empty. */
  if (t->cfg.tlp_log_path) {
    FILE *empty = fopen(t->cfg.tlp_log_path, "w");
    if (empty) fclose(empty);
  }

  double t0 = now_s();
  int rc = test_run(t);
  if (rc < 0) {
    char m[128];
    snprintf(m, sizeof m, "cosim_create: %s", strerror(-rc));
    sb_add_msg(&msgs, m);
    r->text = msgs.p;
    free(t);
    return;
  }
  r->secs = now_s() - t0;
  r->cycles = cosim_cycles(t->sim);
  r->tlps = cosim_tlps_rx(t->sim) + cosim_tlps_tx(t->sim);

  int diverged = cosim_diverged(t->sim);
  uint64_t mismatch_cycle = cosim_mismatch_cycle(t->sim);
  unsigned nerr = cosim_error_count(t->sim);
  unsigned shown = 0;
  if (o->expect_port) {
    const char *port = cosim_mismatch_port(t->sim);
    r->pass = diverged && port && strcmp(port, o->expect_port) == 0;
    if (!diverged) {
      char m[160];
      snprintf(m, sizeof m, "expected a lockstep divergence on %s: RTL and model agreed",
               o->expect_port);
      sb_add_msg(&msgs, m);
      shown++;
    } else if (!r->pass) {
      char m[160];
      snprintf(m, sizeof m, "expected the first mismatch on %s, it was on '%s'", o->expect_port,
               port ? port : "(unknown)");
      sb_add_msg(&msgs, m);
      shown++;
    }
    for (unsigned i = 0; !r->pass && i < nerr && shown < TB_MAX_MSGS; i++) {
      const char *e = cosim_error(t->sim, i);
      if (e) sb_add_msg(&msgs, e), shown++;
    }
  } else {
    r->pass = t->nfail == 0 && nerr == 0 && !diverged;
    /* The mismatch report first when lockstep diverged: the checks that failed after it are
     * consequences. Otherwise the test's own messages first. */
    for (int pass = 0; pass < 2; pass++) {
      int errors_now = (pass == 0) == (diverged != 0);
      if (errors_now) {
        for (unsigned i = 0; i < nerr && shown < TB_MAX_MSGS; i++) {
          const char *e = cosim_error(t->sim, i);
          if (e) sb_add_msg(&msgs, e), shown++;
        }
      } else {
        for (unsigned i = 0; i < t->nmsg && shown < TB_MAX_MSGS; i++)
          sb_add_msg(&msgs, t->msg[i]), shown++;
      }
    }
    unsigned total = t->nfail + nerr;
    if (!r->pass && total > shown) {
      char m[96];
      snprintf(m, sizeof m, "(%u more failure%s not shown)", total - shown,
               total - shown == 1 ? "" : "s");
      /* Appended to the last message so that at most TB_MAX_MSGS messages are printed. */
      if (msgs.len && msgs.p[msgs.len - 1] == '\n') msgs.p[--msgs.len] = '\0';
      sb_add(&msgs, " ");
      sb_add(&msgs, m);
      sb_add(&msgs, "\n");
    }
  }
  if (o->fcov_total && cosim_fcov_counts(t->sim))
    cosim_fcov_add(o->fcov_total, cosim_fcov_counts(t->sim));
  cosim_destroy(t->sim);
  free(t);
  if (r->pass) {
    free(msgs.p);
    msgs.p = NULL;
  } else if (!msgs.p) {
    sb_add_msg(&msgs, "failed without a message");
  }
  if (!r->pass && mismatch_cycle && !o->trace && o->mismatch_window)
    mismatch_wave(o, test, mismatch_cycle, &msgs);
  r->text = msgs.p;
}

/* ---- JUnit XML ---- */
static void xml_escape(FILE *f, const char *s) {
  for (; *s; s++) {
    switch (*s) {
      case '<': fputs("&lt;", f); break;
      case '>': fputs("&gt;", f); break;
      case '&': fputs("&amp;", f); break;
      case '"': fputs("&quot;", f); break;
      default:
        if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
          fputc('?', f);
        else
          fputc(*s, f);
    }
  }
}

/* What a JUnit report says about the run as a whole (tools/junit_merge.c reads it back). */
typedef struct junit_run {
  uint64_t shard_i, shard_n;
  size_t selected_all;  /* tests selected by --test in all shards together */
  double secs;
} junit_run_t;

static int write_junit(const char *path, const tb_opts_t *o, const result_t *res, size_t n,
                       const junit_run_t *run) {
  double total_secs = run->secs;
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "vepsim: %s: %s\n", path, strerror(errno));
    return -1;
  }
  size_t failures = 0;
  for (size_t i = 0; i < n; i++) failures += !res[i].pass;
  /* The suite's name tells a run under backpressure from the plain one of the same DUT. */
  char suite[64];
  snprintf(suite, sizeof suite, "vepsim.%s%s", tb_dut_name(o->dut),
           o->backpressure ? ".backpressure" : "");
  fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  fprintf(f, "<testsuites tests=\"%zu\" failures=\"%zu\" time=\"%.3f\">\n", n, failures,
          total_secs);
  fprintf(f, "  <testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
          "time=\"%.3f\">\n", suite, n, failures, total_secs);
  fprintf(f, "    <properties><property name=\"seed\" value=\"%llu\"/>"
          "<property name=\"dut\" value=\"%s\"/>"
          "<property name=\"backpressure\" value=\"%u\"/>"
          "<property name=\"shard\" value=\"%llu/%llu\"/>"
          "<property name=\"selected\" value=\"%zu\"/></properties>\n",
          (unsigned long long)o->seed, tb_dut_name(o->dut), o->backpressure,
          (unsigned long long)run->shard_i, (unsigned long long)run->shard_n, run->selected_all);
  for (size_t i = 0; i < n; i++) {
    const result_t *r = &res[i];
    fprintf(f, "    <testcase classname=\"%s\" name=\"", suite);
    xml_escape(f, r->test->name);
    fprintf(f, "\" time=\"%.3f\">", r->secs);
    if (!r->pass) {
      char repro[512];
      tb_repro_cmd(o, r->test->name, repro, sizeof repro);
      fprintf(f, "\n      <failure message=\"");
      xml_escape(f, r->test->desc);
      fprintf(f, "\">");
      if (r->text) xml_escape(f, r->text);
      fprintf(f, "reproduce: ");
      xml_escape(f, repro);
      fprintf(f, "</failure>\n    ");
    }
    fprintf(f, "<system-out>cycles=%llu tlps=%llu</system-out></testcase>\n",
            (unsigned long long)r->cycles, (unsigned long long)r->tlps);
  }
  fprintf(f, "  </testsuite>\n</testsuites>\n");
  if (fclose(f) != 0) {
    fprintf(stderr, "vepsim: %s: %s\n", path, strerror(errno));
    return -1;
  }
  return 0;
}

/* ---- Options ---- */
static int parse_u64(const char *s, uint64_t *v) {
  char *end;
  if (!s || !*s || *s == '-') return -1;
  errno = 0;
  unsigned long long x = strtoull(s, &end, 0);
  if (errno || *end) return -1;
  *v = x;
  return 0;
}

static int match(const char *pattern, const char *name) {
  size_t n = strlen(pattern);
  if (n && pattern[n - 1] == '*') return strncmp(pattern, name, n - 1) == 0;
  return strcmp(pattern, name) == 0;
}

#define MAX_PATTERNS 512

/* --fcov-report FILE: every point with its count, then those never hit. */
static int fcov_report(const char *path) {
  cosim_fcov_t *f;
  char why[256] = "";
  if (cosim_fcov_create(&f)) return 2;
  int rc = cosim_fcov_load(f, path, why, sizeof why);
  if (!rc && access(path, F_OK) != 0) {
    snprintf(why, sizeof why, "%s: %s", path, strerror(ENOENT));
    rc = -ENOENT;
  }
  if (rc) {
    fprintf(stderr, "vepsim: --fcov-report %s\n", why);
    cosim_fcov_destroy(f);
    return 2;
  }
  cosim_fcov_report(f, stdout);
  cosim_fcov_destroy(f);
  return 0;
}

/* Checks --tlp-log and --fcov before any test runs: a path that cannot be written, or a coverage
 * file of another table, is a usage error rather than a surprise at the end. */
static int check_observers(const char *tlp_log, const char *fcov) {
  if (tlp_log) {
    FILE *probe = fopen(tlp_log, "w");
    if (!probe) {
      fprintf(stderr, "vepsim: --tlp-log %s: %s\n", tlp_log, strerror(errno));
      return -1;
    }
    fclose(probe);
  }
  if (fcov) {
    cosim_fcov_t *f;
    char why[256] = "";
    if (cosim_fcov_create(&f)) return -1;
    int rc = cosim_fcov_load(f, fcov, why, sizeof why);
    cosim_fcov_destroy(f);
    if (rc) {
      fprintf(stderr, "vepsim: --fcov %s\n", why);
      return -1;
    }
    FILE *probe = fopen(fcov, "a");
    if (!probe) {
      fprintf(stderr, "vepsim: --fcov %s: %s\n", fcov, strerror(errno));
      return -1;
    }
    fclose(probe);
  }
  return 0;
}

int main(int argc, char **argv) {
  tb_opts_t o = {.dut = COSIM_DUT_LOCKSTEP, .seed = 1, .latency = 8, .argv0 = argv[0],
                 .mismatch_window = TB_MISMATCH_WAVE_BEFORE};
  const char *patterns[MAX_PATTERNS];
  int npat = 0, list = 0, demo = 0;
  const char *junit = NULL;
  uint64_t shard_i = 0, shard_n = 1;

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *val = NULL;
    char name[32];
    /* Accept both "--opt value" and "--opt=value". */
    const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
    if (eq && (size_t)(eq - a) < sizeof name) {
      memcpy(name, a, (size_t)(eq - a));
      name[eq - a] = '\0';
      a = name;
      val = eq + 1;
    }
    int takes_value = !strcmp(a, "--dut") || !strcmp(a, "--test") || !strcmp(a, "--seed") ||
                      !strcmp(a, "--junit") || !strcmp(a, "--shard") || !strcmp(a, "--trace") ||
                      !strcmp(a, "--expect-divergence") || !strcmp(a, "--latency") ||
                      !strcmp(a, "--backpressure") || !strcmp(a, "--disk") ||
                      !strcmp(a, "--blk-latency") || !strcmp(a, "--trace-window") ||
                      !strcmp(a, "--mismatch-window") || !strcmp(a, "--tlp-log") ||
                      !strcmp(a, "--fcov") || !strcmp(a, "--fcov-report");
    if (takes_value && !val) {
      if (i + 1 >= argc) {
        fprintf(stderr, "vepsim: %s needs a value\n", a);
        usage(stderr, argv[0]);
        return 2;
      }
      val = argv[++i];
    } else if (!takes_value && val) {
      fprintf(stderr, "vepsim: %s takes no value\n", a);
      usage(stderr, argv[0]);
      return 2;
    }
    uint64_t v;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout, argv[0]);
      return 0;
    } else if (!strcmp(a, "--dut")) {
      if (!strcmp(val, "rtl")) o.dut = COSIM_DUT_RTL;
      else if (!strcmp(val, "cmodel")) o.dut = COSIM_DUT_CMODEL;
      else if (!strcmp(val, "lockstep")) o.dut = COSIM_DUT_LOCKSTEP;
      else goto bad_value;
    } else if (!strcmp(a, "--test")) {
      if (!*val || npat == MAX_PATTERNS) goto bad_value;
      patterns[npat++] = val;
    } else if (!strcmp(a, "--list")) {
      list = 1;
    } else if (!strcmp(a, "--demo")) {
      demo = 1;
    } else if (!strcmp(a, "--seed")) {
      if (parse_u64(val, &o.seed)) goto bad_value;
    } else if (!strcmp(a, "--junit")) {
      if (!*val) goto bad_value;
      junit = val;
    } else if (!strcmp(a, "--trace")) {
      if (!*val) goto bad_value;
      o.trace = val;
    } else if (!strcmp(a, "--trace-window")) {
      /* FROM:TO; TO 0 would mean "to the end" in cosim_cfg, so it is refused here. */
      char from[32];
      const char *colon = strchr(val, ':');
      if (!colon || (size_t)(colon - val) >= sizeof from) goto bad_value;
      memcpy(from, val, (size_t)(colon - val));
      from[colon - val] = '\0';
      if (parse_u64(from, &o.trace_from) || parse_u64(colon + 1, &o.trace_to) ||
          o.trace_to == 0 || o.trace_to < o.trace_from)
        goto bad_value;
    } else if (!strcmp(a, "--mismatch-window")) {
      if (parse_u64(val, &v) || v > 1000000) goto bad_value;
      o.mismatch_window = (unsigned)v;
    } else if (!strcmp(a, "--expect-divergence")) {
      if (!*val) goto bad_value;
      o.expect_port = val;
    } else if (!strcmp(a, "--latency")) {
      if (parse_u64(val, &v) || v < 1 || v > 100000) goto bad_value;
      o.latency = (unsigned)v;
      o.latency_set = 1;
    } else if (!strcmp(a, "--backpressure")) {
      if (parse_u64(val, &v) || v > 90) goto bad_value;
      o.backpressure = (unsigned)v;
    } else if (!strcmp(a, "--disk")) {
      if (!*val) goto bad_value;
      if (check_disk(&o, val)) {
        usage(stderr, argv[0]);
        return 2;
      }
    } else if (!strcmp(a, "--tlp-log")) {
      if (!*val) goto bad_value;
      o.tlp_log = val;
    } else if (!strcmp(a, "--fcov")) {
      if (!*val) goto bad_value;
      o.fcov = val;
    } else if (!strcmp(a, "--fcov-report")) {
      if (!*val) goto bad_value;
      return fcov_report(val);
    } else if (!strcmp(a, "--ro")) {
      o.ro = o.ro_flag = 1;
    } else if (!strcmp(a, "--blk-latency")) {
      if (parse_u64(val, &v) || v > 1000000) goto bad_value;
      o.blk_latency = (unsigned)v;
      o.blk_latency_set = 1;
    } else if (!strcmp(a, "--shard")) {
      char *slash = strchr(val, '/');
      char ibuf[32];
      if (!slash || (size_t)(slash - val) >= sizeof ibuf) goto bad_value;
      memcpy(ibuf, val, (size_t)(slash - val));
      ibuf[slash - val] = '\0';
      if (parse_u64(ibuf, &shard_i) || parse_u64(slash + 1, &shard_n) || shard_n == 0 ||
          shard_i >= shard_n)
        goto bad_value;
    } else {
      fprintf(stderr, "vepsim: unknown option '%s'\n", argv[i]);
      usage(stderr, argv[0]);
      return 2;
    }
    continue;
  bad_value:
    fprintf(stderr, "vepsim: bad value '%s' for %s\n", val, a);
    usage(stderr, argv[0]);
    return 2;
  }
  if (check_observers(o.tlp_log, o.fcov)) {
    usage(stderr, argv[0]);
    return 2;
  }
  if (o.trace_to && !o.trace) {
    fprintf(stderr, "vepsim: --trace-window needs --trace FILE\n");
    usage(stderr, argv[0]);
    return 2;
  }
  /* Automatic waveforms go next to the JUnit report when there is one (CI keeps that
   * directory), else next to the runner (build/). */
  char wave_dir[1024];
  const char *wave_near = junit ? junit : argv[0];
  const char *wave_slash = strrchr(wave_near, '/');
  if (wave_slash)
    snprintf(wave_dir, sizeof wave_dir, "%.*s", (int)(wave_slash - wave_near), wave_near);
  else
    snprintf(wave_dir, sizeof wave_dir, ".");
  if (!wave_dir[0]) snprintf(wave_dir, sizeof wave_dir, "/");
  o.wave_dir = wave_dir;
  if (o.expect_port && o.dut != COSIM_DUT_LOCKSTEP) {
    fprintf(stderr, "vepsim: --expect-divergence needs --dut lockstep\n");
    usage(stderr, argv[0]);
    return 2;
  }

  if (demo) {
    if (npat || list || junit || shard_n != 1 || o.expect_port) {
      fprintf(stderr, "vepsim: --demo runs alone (no --test/--list/--junit/--shard/"
              "--expect-divergence)\n");
      usage(stderr, argv[0]);
      return 2;
    }
    return tb_demo(&o);
  }

  size_t ntests;
  const tb_test_t *const *all = tb_tests_sorted(&ntests);
  for (size_t i = 1; i < ntests; i++) {
    if (strcmp(all[i - 1]->name, all[i]->name) == 0) {
      fprintf(stderr, "vepsim: test %s registered twice (%s, %s)\n", all[i]->name,
              all[i - 1]->file, all[i]->file);
      return 2;
    }
  }
  for (int p = 0; p < npat; p++) {
    size_t hits = 0;
    for (size_t i = 0; i < ntests; i++) hits += match(patterns[p], all[i]->name);
    if (!hits) {
      fprintf(stderr, "vepsim: no test matches '%s' (see --list)\n", patterns[p]);
      return 2;
    }
  }
  const tb_test_t **sel = calloc(ntests ? ntests : 1, sizeof *sel);
  result_t *res = calloc(ntests ? ntests : 1, sizeof *res);
  if (!sel || !res) {
    fprintf(stderr, "vepsim: out of memory\n");
    free(sel);
    free(res);
    return 2;
  }
  /* selected_all: the --test selection over every shard, so that merged shard reports can
   * prove that each selected test ran exactly once. */
  size_t nsel = 0, selected_all = 0;
  for (size_t i = 0; i < ntests; i++) {
    int want = npat == 0;
    for (int p = 0; p < npat && !want; p++) want = match(patterns[p], all[i]->name);
    if (!want) continue;
    selected_all++;
    if (i % shard_n == shard_i) sel[nsel++] = all[i];
  }

  if (list) {
    for (size_t i = 0; i < nsel; i++) printf("%-32s %s\n", sel[i]->name, sel[i]->desc);
    free(sel);
    free(res);
    return 0;
  }

  o.trace_per_test = o.trace && nsel > 1;
  o.tlp_log_per_test = o.tlp_log && nsel > 1;
  if (o.tlp_log_per_test) remove(o.tlp_log);  /* the probe's empty file: each test has its own */
  if (o.fcov && cosim_fcov_create(&o.fcov_total)) {
    fprintf(stderr, "vepsim: out of memory\n");
    return 2;
  }
  size_t passed = 0, failed = 0;
  double t0 = now_s();
  for (size_t i = 0; i < nsel; i++) {
    result_t *r = &res[i];
    run_one(&o, sel[i], r);
    printf("%s %s (dut=%s seed=%llu cycles=%llu tlps=%llu %.2fs)\n", r->pass ? "PASS" : "FAIL",
           sel[i]->name, tb_dut_name(o.dut), (unsigned long long)o.seed,
           (unsigned long long)r->cycles, (unsigned long long)r->tlps, r->secs);
    if (!r->pass) {
      char repro[512];
      tb_repro_cmd(&o, sel[i]->name, repro, sizeof repro);
      if (r->text) fputs(r->text, stdout);
      printf("    reproduce: %s\n", repro);
      failed++;
    } else {
      passed++;
    }
    fflush(stdout);
  }
  printf("%zu passed, %zu failed\n", passed, failed);
  int status = failed ? 1 : 0;
  if (o.fcov_total) {
    char why[256] = "";
    if (cosim_fcov_merge_into(o.fcov_total, o.fcov, why, sizeof why)) {
      fprintf(stderr, "vepsim: --fcov %s\n", why);
      status = status ? status : 2;
    }
    cosim_fcov_destroy(o.fcov_total);
  }
  const junit_run_t run = {shard_i, shard_n, selected_all, now_s() - t0};
  if (junit && write_junit(junit, &o, res, nsel, &run) < 0) status = status ? status : 2;
  for (size_t i = 0; i < nsel; i++) free(res[i].text);
  free(sel);
  free(res);
  return status;
}
