/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of rtl/vep_notify.sv; see vep_notify.h and docs/registers.md. */
#include "vep_notify.h"

#include "vep_consts.h"

void vep_notify_reset(vep_notify_q_t *q, const vep_params_t *p)
{
  (void)p;
  *q = (vep_notify_q_t){0};
}

void vep_notify_outputs(const vep_notify_q_t *q, const vep_params_t *p, vep_notify_out_t *out)
{
  (void)p;
  out->doorbell = q->doorbell_q;
}

void vep_notify_next(const vep_notify_q_t *q, const vep_params_t *p, const vep_notify_in_t *in,
                     vep_notify_q_t *d)
{
  const vep_regbus_t *b = &in->bus;
  unsigned qi = (b->reg_addr & 0xFFFu) / VEP_NOTIFY_MULTIPLIER;
  /* The queue comes from the address; the value written (its index) is not checked. */
  int ring = vep_bar_hit(b, VEP_BAR_NOTIFY_OFF) && b->reg_we &&
             (b->reg_be & 3u) != 0 && qi < p->NUM_QUEUES;
  uint64_t db = in->dev_reset ? 0 : (q->doorbell_q & ~in->doorbell_clr);

  /* A doorbell on the reset or clear edge was written after it: keep it (never lost). */
  if (ring) {
    db |= 1ull << qi;
  }
  d->doorbell_q = db | in->ring;
}
