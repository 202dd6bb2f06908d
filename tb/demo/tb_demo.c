/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `vepsim --demo` (what `make run` shows): the bring-up sequence of tb/bringup, printed step by
 * step; then virtio-blk I/O through the data path with the blk driver: 4 KiB writes of a
 * pattern and reads back, many in flight over every queue, completions by MSI-X, every byte
 * checked (on the RAM disk, or on the --disk image, whose contents are read first and put back
 * afterwards; with --ro only the reads); then the verdict of the run: lockstep agreement, or the
 * first mismatch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blk/tb_blk_lib.h"
#include "cosim_storage.h"
#include "tb.h"

#define DEMO_REQS 128u     /* 4 KiB requests per pass (fewer on a smaller disk) */
#define DEMO_DEPTH 32u     /* in flight at once, spread over the queues */

typedef struct demo_io {
  unsigned ndone, bad, nfin, fin[DEMO_DEPTH];
  uint64_t bytes;
} demo_io_t;

typedef struct demo_tag {
  demo_io_t *d;
  unsigned buf;
} demo_tag_t;

static void demo_cb(void *cookie, const vdrv_blk_cpl_t *cpl) {
  demo_tag_t *g = cookie;
  if (cpl->result) g->d->bad++;
  g->d->ndone++;
  g->d->fin[g->d->nfin++] = g->buf;
}

/* One pass of n 4 KiB requests of `type` from sector 0, DEMO_DEPTH in flight, request i on queue
 * i mod nq. Writes carry pattern `seed` (or, when save is not NULL, the saved bytes back); reads
 * are checked against the shadow and, when save is not NULL, kept there. */
static void demo_pass(tb_blk_t *k, uint32_t type, unsigned n, uint32_t seed, uint8_t *save,
                      demo_io_t *d) {
  tb_t *t = k->t;
  demo_tag_t tag[DEMO_DEPTH];
  vdrv_virtq_seg_t seg[DEMO_DEPTH];
  unsigned req[DEMO_DEPTH];
  unsigned dir = type == VEP_BLK_T_OUT ? VDRV_DMA_DEV_READ : VDRV_DMA_DEV_WRITE;
  memset(d, 0, sizeof *d);
  for (unsigned b = 0; b < DEMO_DEPTH; b++) {
    tag[b] = (demo_tag_t){d, b};
    seg[b] = (vdrv_virtq_seg_t){tb_blk_buf(k, 4096, 4096, dir), 4096};
    d->fin[d->nfin++] = b;
  }
  unsigned sub = 0, first = 1;
  while (d->ndone < n) {
    while (d->nfin) {
      unsigned b = d->fin[--d->nfin];
      if (!first) {
        if (type == VEP_BLK_T_OUT) {
          tb_blk_shadow_write(k, (uint64_t)req[b] * 8, &seg[b], 1);
        } else {
          tb_blk_check_read(k, (uint64_t)req[b] * 8, &seg[b], 1, "demo read");
          if (save) tb_blk_get(k, seg[b].addr, save + (size_t)req[b] * 4096, 4096);
        }
        d->bytes += 4096;
      }
      if (sub == n) continue;
      req[b] = sub;
      if (type == VEP_BLK_T_OUT) {
        if (save)
          tb_blk_put(k, seg[b].addr, save + (size_t)sub * 4096, 4096);
        else
          tb_blk_fill(k, seg[b].addr, 4096, seed + sub);
      }
      vdrv_blk_io_t io = {.type = type, .sector = (uint64_t)sub * 8, .seg = &seg[b], .nseg = 1,
                          .flags = VDRV_BLK_IO_NO_KICK};
      TB_DRV(t, vdrv_blk_submit(&k->b, sub % k->b.nq, &io, demo_cb, &tag[b]));
      sub++;
    }
    first = 0;
    for (unsigned q = 0; q < k->b.nq; q++) TB_DRV(t, vdrv_blk_kick(&k->b, q));
    TB_DRV(t, vdrv_blk_wait(&k->b, 0));
  }
  while (d->nfin) {   /* the last completions */
    unsigned b = d->fin[--d->nfin];
    if (type == VEP_BLK_T_OUT) {
      tb_blk_shadow_write(k, (uint64_t)req[b] * 8, &seg[b], 1);
    } else {
      tb_blk_check_read(k, (uint64_t)req[b] * 8, &seg[b], 1, "demo read");
      if (save) tb_blk_get(k, seg[b].addr, save + (size_t)req[b] * 4096, 4096);
    }
    d->bytes += 4096;
  }
  TB_CHECK_EQ_CTX(t, d->bad, 0, "demo requests that failed");
}

/* The I/O part of the demo, after the bring-up sequence. */
static void demo_io(tb_t *t, const tb_opts_t *o, FILE *log, uint8_t **save) {
  tb_blk_t k;
  tb_blk_opts(&k, VDRV_BLK_IRQ_MSIX, 0);
  fprintf(log, "\nvirtio-blk I/O through the data path (blk driver, %s, MSI-X)\n",
          o->disk ? o->disk : "2 MiB RAM disk");
  /* The bring-up showed a capacity change on the strap alone: the medium's size again. */
  cosim_set_blk_capacity(t->sim, t->cfg.blk_capacity);
  tb_blk_open(t, &k, &k.o);
  fprintf(log, "  driver up: capacity %llu sectors, %u queues of %u, %u MSI-X vectors%s%s\n",
          (unsigned long long)k.capacity, k.b.nq, k.b.q[0].vq.size, k.b.nvectors,
          k.b.event_idx ? ", EVENT_IDX" : "", k.b.ro ? ", read-only" : "");
  unsigned n = (unsigned)(k.capacity / 8 < DEMO_REQS ? k.capacity / 8 : DEMO_REQS);
  TB_REQUIRE(t, n > 0, "a disk of at least 4 KiB");
  uint64_t c0 = cosim_cycles(t->sim), irq0 = k.b.irqs;
  unsigned reqs = 0;
  uint64_t bytes = 0;
  demo_io_t d;
  int keep = o->disk && !k.b.ro;   /* an image is put back as it was */
  if (keep) {
    *save = malloc((size_t)n * 4096);
    TB_REQUIRE(t, *save != NULL, "out of memory");
    demo_pass(&k, VEP_BLK_T_IN, n, 0, *save, &d);
    reqs += d.ndone, bytes += d.bytes;
    fprintf(log, "  read  %3u x 4 KiB (the image as it is, saved), checked\n", d.ndone);
  }
  if (!k.b.ro) {
    demo_pass(&k, VEP_BLK_T_OUT, n, tb_rand32(&t->rng), NULL, &d);
    reqs += d.ndone, bytes += d.bytes;
    fprintf(log, "  wrote %3u x 4 KiB of a pattern, up to %u in flight over %u queues\n",
            d.ndone, n < DEMO_DEPTH ? n : DEMO_DEPTH, k.b.nq);
  }
  demo_pass(&k, VEP_BLK_T_IN, n, 0, NULL, &d);
  reqs += d.ndone, bytes += d.bytes;
  fprintf(log, "  read  %3u x 4 KiB %s, every byte checked\n", d.ndone,
          k.b.ro ? "(read-only disk: against the image)" : "back");
  if (keep) {
    demo_pass(&k, VEP_BLK_T_OUT, n, 0, *save, &d);
    reqs += d.ndone, bytes += d.bytes;
    fprintf(log, "  wrote %3u x 4 KiB: the image's contents put back\n", d.ndone);
  }
  int disk_ok = tb_blk_check_disk(&k);
  uint64_t cyc = cosim_cycles(t->sim) - c0;
  fprintf(log, "  %u requests done, %llu bytes moved in %llu cycles (%.2f bytes/cycle), %llu "
          "MSI-X interrupts; storage %s\n", reqs, (unsigned long long)bytes,
          (unsigned long long)cyc, cyc ? (double)bytes / (double)cyc : 0.0,
          (unsigned long long)(k.b.irqs - irq0),
          disk_ok ? "holds exactly what the driver wrote" : "DIFFERS from what the driver wrote");
  tb_blk_close(&k);
}

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
  int stage_ok = 0;
  if (setjmp(t->abort_to) == 0) {
    tb_bringup_sequence(t, stdout);
    stage_ok = 1;
  }
  static uint8_t *save;   /* static: survives the longjmp of a failed check */
  save = NULL;
  if (stage_ok && t->nfail == 0 && !cosim_diverged(t->sim) && setjmp(t->abort_to) == 0)
    demo_io(t, o, stdout, &save);
  free(save);
  fflush(stdout);

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
