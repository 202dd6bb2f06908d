/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One iteration of the differential fuzzer: a fresh simulation whose every choice (queues,
 * features, interrupt mode, request mix and layouts, backpressure, link latency, corruptions,
 * resets) comes from one seed, checked for lockstep agreement, checker errors, data integrity
 * and the device's reaction to each corruption. docs/fuzzing.md describes what is drawn.
 */
#ifndef DIFF_ITER_H
#define DIFF_ITER_H

#include <stddef.h>
#include <stdint.h>

#include "cosim.h"

#define DIFF_WHY_LEN 1600u

typedef struct diff_result {
  int failed;              /* a divergence, a checker error, a wrong answer or a hang */
  int diverged;            /* of which: lockstep found RTL and C model disagreeing */
  char why[DIFF_WHY_LEN];  /* what went wrong (the first few messages) */
  uint64_t cycles, tlps;
  unsigned requests;       /* completed with OK and checked */
  unsigned corruptions;    /* ring corruptions injected */
  unsigned resets;         /* driver resets (after DEVICE_NEEDS_RESET or mid-flight) */
  char scenario[240];      /* the drawn configuration, one line */
} diff_result_t;

/* Runs iteration `seed` on `dut`; repro is the command line printed in lockstep reports. */
void diff_iter_run(uint64_t seed, cosim_dut_kind_t dut, const char *repro, diff_result_t *r);

#endif /* DIFF_ITER_H */
