/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of rtl/vep_skid.sv; see vep_skid.h. */
#include "vep_skid.h"

#include <string.h>

void vep_skid_reset(vep_skid_q_t *q, const vep_params_t *p)
{
  (void)p;
  memset(q, 0, sizeof(*q));
}

void vep_skid_outputs(const vep_skid_q_t *q, const vep_params_t *p, vep_skid_out_t *out)
{
  (void)p;
  out->s_ready = q->cnt_q != 2;
  out->m_valid = q->cnt_q != 0;
  memcpy(out->m_data, q->e0_q, sizeof(out->m_data));
}

void vep_skid_next(const vep_skid_q_t *q, const vep_params_t *p, const vep_skid_in_t *in,
                   vep_skid_q_t *d)
{
  int push = in->s_valid && q->cnt_q != 2;
  int pop = q->cnt_q != 0 && in->m_ready;

  (void)p;
  switch (q->cnt_q) {
  case 0:
    if (push) {
      memcpy(d->e0_q, in->s_data, sizeof(d->e0_q));
      d->cnt_q = 1;
    }
    break;
  case 1:
    if (push && pop) {
      memcpy(d->e0_q, in->s_data, sizeof(d->e0_q));
    } else if (push) {
      memcpy(d->e1_q, in->s_data, sizeof(d->e1_q));
      d->cnt_q = 2;
    } else if (pop) {
      memset(d->e0_q, 0, sizeof(d->e0_q));
      d->cnt_q = 0;
    }
    break;
  case 2:
    if (pop) {
      memcpy(d->e0_q, q->e1_q, sizeof(d->e0_q));
      memset(d->e1_q, 0, sizeof(d->e1_q));
      d->cnt_q = 1;
    }
    break;
  default:
    memset(d, 0, sizeof(*d));
    break;
  }
}
