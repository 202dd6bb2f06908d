/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of rtl/vep_isr.sv; see vep_isr.h and docs/registers.md. */
#include "vep_isr.h"

#include "vep_consts.h"

void vep_isr_reset(vep_isr_q_t *q, const vep_params_t *p)
{
  (void)p;
  *q = (vep_isr_q_t){0};
}

void vep_isr_outputs(const vep_isr_q_t *q, const vep_params_t *p, vep_isr_out_t *out)
{
  (void)p;
  out->isr_rdata = q->isr_rdata_q;
  out->isr_pending = q->isr_q != 0;
}

void vep_isr_next(const vep_isr_q_t *q, const vep_params_t *p, const vep_isr_in_t *in,
                  vep_isr_q_t *d)
{
  (void)p;
  const vep_regbus_t *b = &in->bus;
  /* Only a read that returns the ISR byte (BE[0]) consumes it. */
  int rd = vep_bar_hit(b, VEP_BAR_ISR_OFF) && !b->reg_we &&
           (b->reg_addr & 0xFFCu) == 0 && (b->reg_be & 1u);
  uint8_t isr = q->isr_q;

  d->isr_rdata_q = rd ? isr : 0;
  if (rd || in->dev_reset) {
    isr = 0;
  }
  /* An event on the clearing edge is newer than what the read returned: keep it. */
  if (in->cfg_irq) {
    isr |= VEP_ISR_CONFIG;
  }
  if (in->queue_irq) {
    isr |= VEP_ISR_QUEUE;
  }
  d->isr_q = isr;
}
