/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of rtl/vep_intx.sv; see vep_intx.h. */
#include "vep_intx.h"

#include <string.h>

#include "vep_consts.h"

void vep_intx_reset(vep_intx_q_t *q, const vep_params_t *p)
{
  (void)p;
  memset(q, 0, sizeof(*q));
}

void vep_intx_outputs(const vep_intx_q_t *q, const vep_params_t *p, vep_intx_out_t *out)
{
  (void)p;
  out->intx_valid = q->intx_valid_q;
  /* The message offered is the one that changes the signalled state. */
  memset(&out->intx_tlp, 0, sizeof(out->intx_tlp));
  out->intx_tlp.hdr[0] = (uint32_t)VEP_TLP_MSG_LOCAL << 24;
  out->intx_tlp.hdr[1] = (uint32_t)q->completer_id_q << 16 |
                         (q->intx_state_q ? VEP_MSG_DEASSERT_INTA : VEP_MSG_ASSERT_INTA);
  out->intx_tlp.hdr_4dw = 1;
}

void vep_intx_next(const vep_intx_q_t *q, const vep_params_t *p, const vep_intx_in_t *in,
                   vep_intx_q_t *d)
{
  (void)p;
  int inta = in->isr_pending && !in->msix_en && !in->cmd_intx_dis;

  /* On the handshake edge the state takes the value just signalled; a wire that differs from
   * the state is (still, or again) offered, one that does not is withdrawn. */
  d->intx_state_q = (q->intx_valid_q && in->intx_ready) ? !q->intx_state_q : q->intx_state_q;
  d->intx_valid_q = inta != d->intx_state_q;
  d->completer_id_q = in->completer_id;
}
