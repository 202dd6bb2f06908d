/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `vepsim --demo` (what `make run` shows): the bring-up sequence of tb/bringup, printed step by
 * step, then the verdict of the run: lockstep agreement, or the first mismatch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tb.h"

static const tb_test_t k_demo = {"demo", "the make run scenario", NULL, __FILE__, NULL};

int tb_demo(const tb_opts_t *o) {
  tb_t *t = calloc(1, sizeof *t);
  char repro[512];
  if (!t) {
    fprintf(stderr, "vepsim: out of memory\n");
    return 1;
  }
  tb_repro_cmd(o, NULL, repro, sizeof repro);
  tb_cfg_from_opts(o, &t->cfg);
  t->cfg.repro = repro;
  t->test = &k_demo;
  t->bdf = TB_EP_BDF;
  tb_rng_seed(&t->rng, o->seed);
  int rc = cosim_create(&t->cfg, &t->sim);
  if (rc < 0) {
    fprintf(stderr, "vepsim: cosim_create: %s\n", strerror(-rc));
    free(t);
    return 1;
  }
  tb_msi_install(t);
  printf("vepsim demo: dut=%s seed=%llu, virtio-blk endpoint (%u queues of %u, %u MSI-X vectors, "
         "%u-bit stream)\n\n", tb_dut_name(o->dut), (unsigned long long)o->seed,
         t->cfg.params.NUM_QUEUES, t->cfg.params.QUEUE_SIZE_MAX, t->cfg.params.MSIX_VECTORS,
         t->cfg.params.DATA_W);
  fflush(stdout);
  if (setjmp(t->abort_to) == 0) tb_bringup_sequence(t, stdout);

  uint64_t cycles = cosim_cycles(t->sim);
  uint64_t tlps = cosim_tlps_rx(t->sim) + cosim_tlps_tx(t->sim);
  unsigned nerr = cosim_error_count(t->sim);
  int diverged = cosim_diverged(t->sim);
  int ok = !diverged && nerr == 0 && t->nfail == 0;
  printf("\n");
  for (unsigned i = 0; i < t->nmsg; i++) printf("FAILED: %s\n", t->msg[i]);
  for (unsigned i = 0; i < nerr; i++) {
    const char *e = cosim_error(t->sim, i);
    if (e) printf("%s\n", e);
  }
  const char *who = o->dut == COSIM_DUT_RTL ? "the RTL alone" : "the C model alone";
  if (diverged)
    printf("lockstep: RTL and C model diverged (report above; %llu cycles, %llu TLPs)\n",
           (unsigned long long)cycles, (unsigned long long)tlps);
  else if (!ok)
    printf("%s: the demo FAILED (%llu cycles, %llu TLPs)\n", tb_dut_name(o->dut),
           (unsigned long long)cycles, (unsigned long long)tlps);
  else if (o->dut == COSIM_DUT_LOCKSTEP)
    printf("lockstep: RTL and C model agreed on every cycle (%llu cycles, %llu TLPs)\n",
           (unsigned long long)cycles, (unsigned long long)tlps);
  else
    printf("%s: the demo ran on %s (%llu cycles, %llu TLPs)\n", tb_dut_name(o->dut), who,
           (unsigned long long)cycles, (unsigned long long)tlps);
  if (!ok) printf("reproduce: %s\n", repro);
  cosim_destroy(t->sim);
  free(t);
  return ok ? 0 : 1;
}
