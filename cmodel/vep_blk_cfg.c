/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of rtl/vep_blk_cfg.sv; see vep_blk_cfg.h and docs/registers.md. */
#include "vep_blk_cfg.h"

#include "vep_consts.h"

void vep_blk_cfg_reset(vep_blk_cfg_q_t *q, const vep_params_t *p)
{
  (void)p;
  *q = (vep_blk_cfg_q_t){0};
}

void vep_blk_cfg_outputs(const vep_blk_cfg_q_t *q, const vep_params_t *p, vep_blk_cfg_out_t *out)
{
  (void)p;
  out->blk_rdata = q->blk_rdata_q;
  out->dev_features = (1ull << VEP_F_VERSION_1) | (1ull << VEP_F_INDIRECT_DESC) |
                      (1ull << VEP_F_EVENT_IDX) | (1ull << VEP_BLK_F_SEG_MAX) |
                      (1ull << VEP_BLK_F_BLK_SIZE) | (1ull << VEP_BLK_F_FLUSH) |
                      ((uint64_t)q->blk_ro_q << VEP_BLK_F_RO);
  out->config_changed = q->config_changed_q;
}

static uint32_t read_dw(const vep_blk_cfg_q_t *q, const vep_params_t *p, uint32_t off)
{
  switch (off) {
  case VEP_BLK_CFG_CAPACITY: return (uint32_t)q->capacity_q;
  case VEP_BLK_CFG_CAPACITY + 4: return (uint32_t)(q->capacity_q >> 32);
  case VEP_BLK_CFG_SEG_MAX: return p->BLK_SEG_MAX;
  case VEP_BLK_CFG_BLK_SIZE: return p->BLK_SIZE;
  /* writeback (byte 0) and unused0 (byte 1) read 0 */
  case VEP_BLK_CFG_WRITEBACK: return (p->NUM_QUEUES & 0xFFFFu) << 16;
  default: return 0;
  }
}

void vep_blk_cfg_next(const vep_blk_cfg_q_t *q, const vep_params_t *p, const vep_blk_cfg_in_t *in,
                      vep_blk_cfg_q_t *d)
{
  const vep_regbus_t *b = &in->bus;
  int rd = vep_bar_hit(b, VEP_BAR_DEVICE_OFF) && !b->reg_we;

  d->blk_rdata_q = rd ? read_dw(q, p, b->reg_addr & 0xFFCu) : 0;
  d->capacity_q = in->blk_capacity;
  d->captured_q = 1;
  d->blk_ro_q = in->blk_ro != 0;
  /* The first capture after rst_ni replaces the reset value: not a change the driver must see. */
  d->config_changed_q = q->captured_q && in->blk_capacity != q->capacity_q;
}
