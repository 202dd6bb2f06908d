/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bench's figures: collected as they are measured, then printed as a table and written as
 * JSON (an array of {"name", "value", "unit", "limit", "config"}; limit null where no protocol or
 * link bound applies).
 */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <stdio.h>

#define BENCH_NAME_LEN 48
#define BENCH_TEXT_LEN 96

/* The configuration a figure was measured in; fields that do not apply are 0 / empty and left
 * out of the JSON. */
typedef struct bench_config {
  unsigned data_w, latency, mps, rcb, queue_depth;
  const char *dut;            /* "rtl", "cmodel", "lockstep", or "all" */
  char note[BENCH_TEXT_LEN];  /* what else fixes the figure (header size, limit basis...) */
} bench_config_t;

typedef struct bench_figure {
  char name[BENCH_NAME_LEN];
  double value;
  const char *unit;
  int has_limit;
  double limit;
  /* The target the issue sets, for the table (never asserted): kind and threshold. */
  enum { BENCH_TARGET_NONE, BENCH_TARGET_MIN_PCT_OF_LIMIT, BENCH_TARGET_MAX, BENCH_TARGET_MIN,
         BENCH_TARGET_BELOW } target;
  double target_value;
  bench_config_t config;
  int failed;                 /* the run behind it failed a check: value is not to be used */
} bench_figure_t;

typedef struct bench_report bench_report_t;

bench_report_t *bench_report_create(void);
void bench_report_destroy(bench_report_t *r);
/* Adds a copy of f. Returns 0 or -ENOMEM. */
int bench_report_add(bench_report_t *r, const bench_figure_t *f);
/* The table: name, value, unit, limit, % of limit or the target and whether it is met, config. */
void bench_report_table(const bench_report_t *r, FILE *out);
/* The JSON array. append: the figures go after those already in the file at path, which must be
 * an array this program wrote (so builds at different DATA_W fill one results file). Returns 0,
 * -EINVAL (append to a file that is not such an array), or the negative errno of I/O. */
int bench_report_json(const bench_report_t *r, const char *path, int append);
/* Figures whose run failed. */
unsigned bench_report_failed(const bench_report_t *r);

#endif /* BENCH_REPORT_H */
