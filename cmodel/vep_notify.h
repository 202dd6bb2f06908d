/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_notify: the doorbells, BAR0 region 3 (rtl/vep_notify.sv). A write to
 * VEP_BAR_NOTIFY_OFF + 4*q latches "queue q notified". The notify region reads 0, so this block
 * has no read-data output. Register map: docs/registers.md.
 * All functions expect parameters accepted by vep_model_check_params().
 */
#ifndef VEP_NOTIFY_H
#define VEP_NOTIFY_H

#include <stdint.h>

#include "vep_ports.h"
#include "vep_types.h"

/* The flops: same names as the _q signals of rtl/vep_notify.sv. */
typedef struct vep_notify_q {
  uint64_t doorbell_q;       /* bit q: queue q was notified (NUM_QUEUES <= 64) */
} vep_notify_q_t;

typedef struct vep_notify_in {
  vep_regbus_t bus;
  uint8_t dev_reset;         /* strobe from vep_common_cfg: clears every doorbell */
  uint64_t doorbell_clr;     /* strobe from vep_vq_fetch: bit q clears doorbell q (a ring on the
                              * same edge wins, so no doorbell is lost) */
  uint64_t ring;             /* strobe from vep_rx_demux's fast path: bit q sets doorbell q */
} vep_notify_in_t;

typedef struct vep_notify_out {
  uint64_t doorbell;         /* RTL doorbell_o[NUM_QUEUES-1:0] */
} vep_notify_out_t;

/* Sets q to the values of the asynchronous reset (rst_ni low). */
void vep_notify_reset(vep_notify_q_t *q, const vep_params_t *p);
/* The outputs of the current cycle, from q only (the RTL's assigns). */
void vep_notify_outputs(const vep_notify_q_t *q, const vep_params_t *p, vep_notify_out_t *out);
/* The next state (the RTL's always_comb). *d must start as a copy of *q. */
void vep_notify_next(const vep_notify_q_t *q, const vep_params_t *p, const vep_notify_in_t *in,
                     vep_notify_q_t *d);

#endif /* VEP_NOTIFY_H */
