/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bench's workloads: the blk driver (driver/vdrv_blk) against the endpoint through the bus
 * model, real rings and real TLPs, every byte checked (reads against a patterned disk's shadow,
 * writes by comparing the whole disk with the shadow at the end), so a fast but wrong device
 * cannot score. Each run builds a fresh simulation and destroys it.
 */
#ifndef BENCH_WORK_H
#define BENCH_WORK_H

#include <stdint.h>

#include "cosim.h"

/* What a run is configured with. */
typedef struct bench_setup {
  cosim_dut_kind_t dut;
  unsigned data_w;        /* DATA_W of the endpoint */
  unsigned latency;       /* link latency, cycles each way */
  uint64_t seed;          /* every random choice (bus model and workload) flows from it */
  int show_tlps;          /* bench_one_read prints the timed read's TLPs at the ports */
} bench_setup_t;

/* Fixed parts of every run, reported in each figure's config. */
#define BENCH_BLK_LATENCY 0u    /* backend answers at once: it never limits */
#define BENCH_MRRS 512u         /* the endpoint's Max Read Request Size after reset */

/* What a run measured. */
typedef struct bench_result {
  int failed;                 /* a check failed, the simulation recorded an error, or lockstep
                               * diverged: no figure of the run may be used */
  char why[600];
  unsigned mps;               /* Max Payload Size in force (Device Control), bytes */
  int hdr_4dw;                /* DMA buffers above 4 GiB: the endpoint's requests use 4DW */
  uint64_t requests;          /* requests in the measured window */
  uint64_t bytes;             /* payload bytes in the measured window */
  uint64_t window_cycles;     /* simulated cycles of the measured window */
  uint64_t sim_cycles;        /* all simulated cycles of the run, bring-up included */
  double cpu_seconds;         /* CPU time of the whole run (creation to destruction) */
  uint64_t work_cycles;       /* simulated cycles of the workload proper (after bring-up) */
  double work_cpu_seconds;    /* and its CPU time (bus model, driver and checks included) */
  /* bench_one_read only: */
  uint64_t doorbell_to_first_read;  /* doorbell's last beat taken -> first MRd's first beat out */
  uint64_t doorbell_to_msi;         /* doorbell's last beat taken -> MSI-X message's first beat */
  unsigned round_trips;             /* MRds sent while no read of the endpoint was outstanding */
} bench_result_t;

/* Sequential 4 KiB requests (type VEP_BLK_T_IN or _OUT) on one queue at depth qd, refilled as
 * they complete: nreq in all, the window from the completion of the first qd to the last. */
void bench_seq(const bench_setup_t *s, uint32_t type, unsigned qd, unsigned nreq,
               bench_result_t *r);

/* Reads of `bytes` at random block-aligned sectors at depth qd (window as above). */
void bench_rand_read(const bench_setup_t *s, unsigned bytes, unsigned qd, unsigned nreq,
                     bench_result_t *r);

/* One 4 KiB read at depth 1 after a warm-up read, timed at the endpoint's ports (bench_probe.h):
 * fills doorbell_to_first_read, doorbell_to_msi and round_trips. */
void bench_one_read(const bench_setup_t *s, bench_result_t *r);

#endif /* BENCH_WORK_H */
