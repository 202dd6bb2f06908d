/* SPDX-License-Identifier: Apache-2.0 */
/* The bench's table and JSON: see bench_report.h. */
#include "bench_report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct bench_report {
  bench_figure_t *fig;
  size_t n, cap;
};

bench_report_t *bench_report_create(void) { return calloc(1, sizeof(bench_report_t)); }

void bench_report_destroy(bench_report_t *r) {
  if (!r) return;
  free(r->fig);
  free(r);
}

int bench_report_add(bench_report_t *r, const bench_figure_t *f) {
  if (r->n == r->cap) {
    size_t cap = r->cap ? 2 * r->cap : 64;
    bench_figure_t *fig = realloc(r->fig, cap * sizeof(*fig));
    if (!fig) return -ENOMEM;
    r->fig = fig;
    r->cap = cap;
  }
  r->fig[r->n++] = *f;
  return 0;
}

unsigned bench_report_failed(const bench_report_t *r) {
  unsigned n = 0;
  for (size_t i = 0; i < r->n; i++) n += r->fig[i].failed != 0;
  return n;
}

/* Values are printed with as many digits as they mean: ratios with three decimals. */
static void format_value(double v, char *buf, size_t len) {
  if (!isfinite(v)) snprintf(buf, len, "-");
  else if (v == floor(v) && fabs(v) < 1e15) snprintf(buf, len, "%.0f", v);
  else if (fabs(v) >= 1000) snprintf(buf, len, "%.0f", v);
  else snprintf(buf, len, "%.3f", v);
}

static void format_target(const bench_figure_t *f, char *buf, size_t len) {
  double v = f->value, t = f->target_value;
  switch (f->target) {
  case BENCH_TARGET_MIN_PCT_OF_LIMIT:
    snprintf(buf, len, ">=%.0f%% of limit: %s", t,
             f->has_limit && 100.0 * v / f->limit >= t ? "met" : "missed");
    break;
  case BENCH_TARGET_MAX: snprintf(buf, len, "<=%g: %s", t, v <= t ? "met" : "missed"); break;
  case BENCH_TARGET_MIN: snprintf(buf, len, ">=%g: %s", t, v >= t ? "met" : "missed"); break;
  case BENCH_TARGET_BELOW: snprintf(buf, len, "<%g: %s", t, v < t ? "met" : "missed"); break;
  default: snprintf(buf, len, "-"); break;
  }
}

static void format_config(const bench_config_t *c, char *buf, size_t len) {
  size_t n = 0;
  buf[0] = 0;
#define ADD(...)                                                         \
  do {                                                                   \
    if (n < len) n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__);  \
  } while (0)
  if (c->data_w) ADD("W%u ", c->data_w);
  ADD("lat %u ", c->latency);
  if (c->mps) ADD("MPS %u ", c->mps);
  if (c->rcb) ADD("RCB %u ", c->rcb);
  if (c->queue_depth) ADD("QD %u ", c->queue_depth);
  if (c->dut) ADD("%s", c->dut);
#undef ADD
}

void bench_report_table(const bench_report_t *r, FILE *out) {
  fprintf(out, "%-31s %10s %-14s %8s %7s  %-28s %s\n", "name", "value", "unit", "limit",
          "%limit", "target", "config");
  for (size_t i = 0; i < r->n; i++) {
    const bench_figure_t *f = &r->fig[i];
    char v[32], l[32] = "-", p[16] = "-", t[64], c[BENCH_TEXT_LEN];
    format_value(f->value, v, sizeof v);
    if (f->has_limit) {
      format_value(f->limit, l, sizeof l);
      if (f->limit > 0) snprintf(p, sizeof p, "%.1f%%", 100.0 * f->value / f->limit);
    }
    format_target(f, t, sizeof t);
    format_config(&f->config, c, sizeof c);
    if (f->failed) {
      snprintf(v, sizeof v, "FAILED");
      snprintf(p, sizeof p, "-");
      snprintf(t, sizeof t, "-");
    }
    fprintf(out, "%-31s %10s %-14s %8s %7s  %-28s %s\n", f->name, v, f->unit, l, p, t, c);
  }
}

/* The strings written are the bench's own (names, units, notes): no character needs escaping
 * but a quote or a backslash, which are escaped all the same. */
static void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', f);
    if ((unsigned char)*s >= 0x20) fputc(*s, f);
  }
  fputc('"', f);
}

static void json_number(FILE *f, double v, int valid) {
  if (valid && isfinite(v)) fprintf(f, "%.6g", v);
  else fputs("null", f);
}

/* The figures already in a results file this program wrote (an array, "[" first and "]" last):
 * its text up to the closing bracket, into *text (malloc'd), and whether it holds a figure. */
static int read_array_head(const char *path, char **text, int *has_figure) {
  FILE *f = fopen(path, "r");
  if (!f) return errno ? -errno : -EIO;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (!buf) {
      fclose(f);
      return -ENOMEM;
    }
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap) break;
    char *bigger = realloc(buf, cap *= 2);
    if (!bigger) free(buf);
    buf = bigger;
  }
  int bad = ferror(f);
  fclose(f);
  while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) n--;
  size_t first = 0;
  while (first < n && (buf[first] == '\n' || buf[first] == ' ')) first++;
  if (bad || n < 2 || buf[first] != '[' || buf[n - 1] != ']') {
    free(buf);
    return -EINVAL;
  }
  n--;
  while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) n--;
  buf[n] = 0;
  *has_figure = buf[n - 1] == '}';
  *text = buf;
  return 0;
}

int bench_report_json(const bench_report_t *r, const char *path, int append) {
  char *head = NULL;
  int has_figure = 0;
  if (append) {
    int rc = read_array_head(path, &head, &has_figure);
    if (rc) return rc;
  }
  FILE *f = fopen(path, "w");
  if (!f) {
    free(head);
    return errno ? -errno : -EIO;
  }
  fputs(head ? head : "[", f);
  fputs(has_figure && r->n ? ",\n" : "\n", f);
  free(head);
  for (size_t i = 0; i < r->n; i++) {
    const bench_figure_t *g = &r->fig[i];
    const bench_config_t *c = &g->config;
    fputs("  {\"name\": ", f);
    json_string(f, g->name);
    fputs(", \"value\": ", f);
    json_number(f, g->value, !g->failed);
    fputs(", \"unit\": ", f);
    json_string(f, g->unit);
    fputs(", \"limit\": ", f);
    json_number(f, g->limit, g->has_limit);
    fputs(", \"config\": {", f);
    fprintf(f, "\"link_latency\": %u", c->latency);
    if (c->data_w) fprintf(f, ", \"DATA_W\": %u", c->data_w);
    if (c->mps) fprintf(f, ", \"MPS\": %u", c->mps);
    if (c->rcb) fprintf(f, ", \"RCB\": %u", c->rcb);
    if (c->queue_depth) fprintf(f, ", \"queue_depth\": %u", c->queue_depth);
    if (c->dut) {
      fputs(", \"dut\": ", f);
      json_string(f, c->dut);
    }
    if (c->note[0]) {
      fputs(", \"note\": ", f);
      json_string(f, c->note);
    }
    fprintf(f, "}}%s\n", i + 1 < r->n ? "," : "");
  }
  fputs("]\n", f);
  int bad = ferror(f);
  if (fclose(f) || bad) return -EIO;
  return 0;
}
