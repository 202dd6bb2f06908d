/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vepfuzz: the differential fuzzer. Runs iterations seed = base + i (diff_iter.h), each a fresh
 * simulation, by default in lockstep (RTL against the C model), for a time budget or a count,
 * and prints every failure with the command that re-runs it alone.
 *
 *   vepfuzz --seconds 60 [--seed S] [--dut lockstep|rtl|cmodel]
 *   vepfuzz --iterations 100 [--seed S]
 *   vepfuzz --one SEED [--verbose]          one iteration, as a failure's repro line prints it
 *
 * Exit status: 0 when nothing was found, 1 when an iteration failed, 2 for bad options.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diff_iter.h"

static void usage(FILE *f, const char *argv0) {
  fprintf(f,
          "usage: %s [--seconds N | --iterations K | --one SEED] [--seed S]\n"
          "          [--dut lockstep|rtl|cmodel] [--verbose]\n"
          "  --seconds N      run iterations for N seconds (default 60)\n"
          "  --iterations K   run exactly K iterations instead\n"
          "  --seed S         base seed: iteration i uses seed S + i (default: from the clock)\n"
          "  --one SEED       run the single iteration SEED (what a failure's repro line says)\n"
          "  --dut D          lockstep (default: RTL and C model compared every cycle), rtl,\n"
          "                   cmodel\n"
          "  --verbose        one line per iteration\n",
          argv0);
}

static int parse_u64(const char *s, uint64_t *v) {
  char *end;
  errno = 0;
  unsigned long long x = strtoull(s, &end, 0);
  if (errno || end == s || *end || s[0] == '-') return -1;
  *v = x;
  return 0;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *dut_name(cosim_dut_kind_t d) {
  return d == COSIM_DUT_RTL ? "rtl" : d == COSIM_DUT_CMODEL ? "cmodel" : "lockstep";
}

int main(int argc, char **argv) {
  uint64_t seconds = 60, iterations = 0, base = 0, one = 0;
  int have_seed = 0, have_one = 0, verbose = 0;
  cosim_dut_kind_t dut = COSIM_DUT_LOCKSTEP;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout, argv[0]);
      return 0;
    } else if (!strcmp(a, "--verbose")) {
      verbose = 1;
      continue;
    }
    uint64_t x = 0;
    int ok = v != NULL;
    if (!strcmp(a, "--dut") && v) {
      if (!strcmp(v, "lockstep")) dut = COSIM_DUT_LOCKSTEP;
      else if (!strcmp(v, "rtl")) dut = COSIM_DUT_RTL;
      else if (!strcmp(v, "cmodel")) dut = COSIM_DUT_CMODEL;
      else ok = 0;
    } else if (v && parse_u64(v, &x) == 0) {
      if (!strcmp(a, "--seconds") && x > 0) seconds = x;
      else if (!strcmp(a, "--iterations") && x > 0) iterations = x;
      else if (!strcmp(a, "--seed")) base = x, have_seed = 1;
      else if (!strcmp(a, "--one")) one = x, have_one = 1;
      else ok = 0;
    } else {
      ok = 0;
    }
    if (!ok) {
      fprintf(stderr, "vepfuzz: bad option '%s%s%s'\n", a, v ? " " : "", v ? v : "");
      usage(stderr, argv[0]);
      return 2;
    }
    i++;
  }
  if (have_one) {
    base = one;
    iterations = 1;
    verbose = 1;
  } else if (!have_seed) {
    base = (uint64_t)time(NULL);
  }
  if (!have_one)
    printf("vepfuzz: base seed %llu, dut %s, %s %llu\n", (unsigned long long)base,
           dut_name(dut), iterations ? "iterations" : "seconds",
           (unsigned long long)(iterations ? iterations : seconds));
  fflush(stdout);
  double start = now_s();
  uint64_t done = 0, cycles = 0, tlps = 0, requests = 0, corruptions = 0, resets = 0;
  unsigned failures = 0, divergences = 0;
  for (uint64_t i = 0; iterations ? i < iterations : now_s() - start < (double)seconds; i++) {
    uint64_t seed = base + i;
    char repro[256];
    snprintf(repro, sizeof repro, "%s --one %llu --dut %s", argv[0], (unsigned long long)seed,
             dut_name(dut));
    static diff_result_t r;
    diff_iter_run(seed, dut, repro, &r);
    done++;
    cycles += r.cycles;
    tlps += r.tlps;
    requests += r.requests;
    corruptions += r.corruptions;
    resets += r.resets;
    if (verbose || r.failed)
      printf("%s seed %llu: %llu cycles, %llu TLPs, %u requests, %u corruptions, %u resets (%s)\n",
             r.failed ? "FAIL" : "ok  ", (unsigned long long)seed,
             (unsigned long long)r.cycles, (unsigned long long)r.tlps, r.requests,
             r.corruptions, r.resets, r.scenario);
    if (r.failed) {
      failures++;
      divergences += r.diverged != 0;
      printf("%s\nreproduce: %s\n", r.why, repro);
    }
    fflush(stdout);
  }
  double secs = now_s() - start;
  printf("vepfuzz: %llu iterations in %.0f s, %llu simulated cycles, %llu TLPs, %llu requests "
         "checked, %llu corruptions injected, %llu resets, %u divergences, %u failures\n",
         (unsigned long long)done, secs, (unsigned long long)cycles, (unsigned long long)tlps,
         (unsigned long long)requests, (unsigned long long)corruptions,
         (unsigned long long)resets, divergences, failures);
  return failures ? 1 : 0;
}
