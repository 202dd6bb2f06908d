/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fault tests' workload: rounds of virtio-blk reads and writes through the blk driver
 * (many in flight, over every queue, unaligned multi-segment buffers, disjoint sectors) while
 * the root complex injects faults from a plan (cosim_set_fault_plan), and the checks of
 * docs/faults.md after every round:
 * - nothing hangs: every request completes, or the device sets DEVICE_NEEDS_RESET, within a
 *   cycle budget; the device still answers a configuration read;
 * - each request ends as its faults say (the plan's callback tells which request's header or
 *   data read met an error): status IOERR exactly when its header or OUT data read failed, OK
 *   otherwise; cancelled only by a reset;
 * - DEVICE_NEEDS_RESET exactly when a ring read (descriptor, avail ring or index, used_event)
 *   met an error;
 * - nothing lost: every OK read returns the disk's bytes, the disk holds every OK write and
 *   nothing of a failed one; a write cancelled by a reset is old or new as a whole;
 * - nothing outside the firewall: the simulation's error list (ring monitor, IOMMU map, PCIe
 *   checkers, lockstep) stays empty.
 */
#ifndef TB_FAULT_LIB_H
#define TB_FAULT_LIB_H

#include <stdint.h>

#include "blk/tb_blk_lib.h"

#define FAULT_MAX_REQ 32u      /* requests per round */
#define FAULT_MAX_SEGS 3u      /* data segments per request */
#define FAULT_SLOT_SECTORS 16u /* each request of a round owns this many sectors */
#define FAULT_BUF_STRIDE 8192u /* and this much of each data arena */

/* Where a kind of the plan applies (fault_env_t.where). */
#define FAULT_AT_ALL 0u        /* every device read */
#define FAULT_AT_DATA 1u       /* request headers and OUT data: IOERR */
#define FAULT_AT_RING 2u       /* descriptor tables and avail rings: DEVICE_NEEDS_RESET */

typedef struct fault_req {
  uint32_t type;               /* VEP_BLK_T_IN or _OUT */
  uint64_t sector;
  uint32_t len;
  unsigned q, nseg;
  vdrv_virtq_seg_t seg[FAULT_MAX_SEGS];
  int done;                    /* completions seen (must end 1) */
  vdrv_blk_cpl_t cpl;
  unsigned err_faults;         /* error faults its header or data reads met */
} fault_req_t;

typedef struct fault_env {
  tb_blk_t k;
  uint64_t out_arena, in_arena;  /* data buffers of the requests (device-readable, -writable) */
  /* The plan as the test wants it; its ranges are filled from `where` (the rings and headers
   * move at every re-initialisation). */
  cosim_fault_plan_t plan;
  unsigned where[COSIM_DMA_FAULT_KINDS];
  int plan_on;
  unsigned nreq;
  fault_req_t req[FAULT_MAX_REQ];
  uint64_t ring_faults;        /* error faults met by other reads since the last reset */
  uint64_t delays_seen;        /* DELAY faults injected (for a reset at a seeded moment) */
  /* Totals over the test. */
  unsigned rounds, requests, ok, ioerr, cancelled, needs_reset, resets, writes_new;
} fault_env_t;

/* Brings up the device and the driver (MSI-X, separate descriptors) and allocates the arenas.
 * No plan yet. */
void fault_open(tb_t *t, fault_env_t *e);
/* Installs e->plan (ranges from e->where) with the request-tracking callback. */
void fault_plan_on(fault_env_t *e);
void fault_plan_off(fault_env_t *e);

/* What a round does besides waiting for its requests. */
typedef struct fault_round_opts {
  unsigned nreq;               /* 1..FAULT_MAX_REQ */
  /* Reset the device (vdrv_blk_reset) while DMA is in flight: run until `reset_after_delay`
   * more DELAY faults were injected (a delayed read is then in flight for at least
   * plan.delay_min cycles), then `reset_wait` cycles (< delay_min), then reset. 0: no reset. */
  unsigned reset_after_delay;
  unsigned reset_wait;
} fault_round_opts_t;

/* One round: submits, waits, checks everything above; recovers from DEVICE_NEEDS_RESET (plan
 * off during the reset and one clean round after it, then on again). Returns 1 when the device
 * needed a reset. */
int fault_round(fault_env_t *e, const fault_round_opts_t *o);

/* Prints the totals and the faults injected per kind (and storms), named after the running
 * test; checks that the error list is empty. */
void fault_report(fault_env_t *e);

/* The name of a fault kind (COSIM_DMA_FAULT_*). */
const char *fault_kind_name(unsigned kind);

#endif /* TB_FAULT_LIB_H */
