/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_intx: legacy INTx emulation (rtl/vep_intx.sv). The virtual INTA wire is
 * isr_pending && !msix_en && !cmd_intx_dis; whenever it differs from the state last signalled,
 * an Assert_INTA or Deassert_INTA message (VEP_TLP_MSG_LOCAL, 4DW header, no data, Requester ID =
 * completer_id, Tag 0, code in DW1[7:0]) is offered on intx_valid/intx_tlp. The offer is withdrawn
 * if the wire returns to the signalled state before the handshake (intx_valid && intx_ready); the
 * new state is recorded on the handshake. Not gated by Bus Master Enable.
 *
 * Timing (docs/microarchitecture.md): outputs depend on q only; a change of the wire is offered
 * (or withdrawn) one cycle after it reaches the inputs.
 */
#ifndef VEP_INTX_H
#define VEP_INTX_H

#include <stdint.h>

#include "vep_ports.h"
#include "vep_types.h"

/* The flops: same names as the _q signals of rtl/vep_intx.sv. */
typedef struct vep_intx_q {
  uint8_t intx_state_q;      /* INTA as last signalled: 1 = asserted */
  uint8_t intx_valid_q;      /* a message is offered (the wire differs from the state) */
  uint16_t completer_id_q;   /* Requester ID of the messages */
} vep_intx_q_t;

typedef struct vep_intx_in {
  uint8_t isr_pending;       /* from vep_isr: ISR != 0 */
  uint8_t msix_en;           /* from vep_cfg_space: MSI-X Enable */
  uint8_t cmd_intx_dis;      /* from vep_cfg_space: Command.INTx Disable */
  uint16_t completer_id;     /* from vep_completer */
  uint8_t intx_ready;        /* from vep_tx_arbiter (registered there) */
} vep_intx_in_t;

typedef struct vep_intx_out {
  uint8_t intx_valid;
  vep_small_tlp_t intx_tlp;
} vep_intx_out_t;

/* Sets q to the values of the asynchronous reset (rst_ni low). */
void vep_intx_reset(vep_intx_q_t *q, const vep_params_t *p);
/* The outputs of the current cycle, from q only (the RTL's assigns). */
void vep_intx_outputs(const vep_intx_q_t *q, const vep_params_t *p, vep_intx_out_t *out);
/* The next state (the RTL's always_comb). *d must start as a copy of *q. */
void vep_intx_next(const vep_intx_q_t *q, const vep_params_t *p, const vep_intx_in_t *in,
                   vep_intx_q_t *d);

#endif /* VEP_INTX_H */
