/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_isr: the virtio ISR status byte, BAR0 region 1 (rtl/vep_isr.sv), read-to-clear.
 * Register map: docs/registers.md.
 *
 * Timing (docs/microarchitecture.md): an access seen in cycle N is answered on isr_rdata in cycle
 * N+1; the read-to-clear and events take effect on the edge ending cycle N. Outputs depend on q
 * only.
 */
#ifndef VEP_ISR_H
#define VEP_ISR_H

#include <stdint.h>

#include "vep_ports.h"
#include "vep_types.h"

/* The flops: same names as the _q signals of rtl/vep_isr.sv. */
typedef struct vep_isr_q {
  uint8_t isr_q;             /* bit 1 VEP_ISR_CONFIG, bit 0 VEP_ISR_QUEUE */
  uint32_t isr_rdata_q;
} vep_isr_q_t;

typedef struct vep_isr_in {
  vep_regbus_t bus;
  uint8_t cfg_irq;           /* strobe from vep_common_cfg: sets VEP_ISR_CONFIG */
  uint8_t queue_irq;         /* strobe from vep_vq_used (OR over queues): sets VEP_ISR_QUEUE */
  uint8_t dev_reset;         /* strobe from vep_common_cfg: clears the ISR */
} vep_isr_in_t;

typedef struct vep_isr_out {
  uint32_t isr_rdata;
  uint8_t isr_pending;       /* ISR != 0: Status.Interrupt Status and the INTA wire */
} vep_isr_out_t;

/* Sets q to the values of the asynchronous reset (rst_ni low). */
void vep_isr_reset(vep_isr_q_t *q, const vep_params_t *p);
/* The outputs of the current cycle, from q only (the RTL's assigns). */
void vep_isr_outputs(const vep_isr_q_t *q, const vep_params_t *p, vep_isr_out_t *out);
/* The next state (the RTL's always_comb). *d must start as a copy of *q. */
void vep_isr_next(const vep_isr_q_t *q, const vep_params_t *p, const vep_isr_in_t *in,
                  vep_isr_q_t *d);

#endif /* VEP_ISR_H */
