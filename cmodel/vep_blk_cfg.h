/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_blk_cfg: virtio-blk device configuration, BAR0 region 2 (rtl/vep_blk_cfg.sv), the
 * features the device offers, and the capacity-change event. Register map: docs/registers.md.
 *
 * Timing (docs/microarchitecture.md): an access seen in cycle N is answered on blk_rdata in cycle
 * N+1. Outputs depend on q only.
 * All functions expect parameters accepted by vep_model_check_params().
 */
#ifndef VEP_BLK_CFG_H
#define VEP_BLK_CFG_H

#include <stdint.h>

#include "vep_ports.h"
#include "vep_types.h"

/* The flops: same names as the _q signals of rtl/vep_blk_cfg.sv. */
typedef struct vep_blk_cfg_q {
  uint64_t capacity_q;       /* blk_capacity_i of the previous cycle */
  uint8_t captured_q;        /* capacity_q holds a captured value (not the reset value) */
  uint8_t blk_ro_q;          /* blk_ro_i of the previous cycle */
  uint8_t config_changed_q;  /* strobe: capacity_q changed */
  uint32_t blk_rdata_q;
} vep_blk_cfg_q_t;

typedef struct vep_blk_cfg_in {
  vep_regbus_t bus;
  uint64_t blk_capacity;     /* in 512-byte sectors */
  uint8_t blk_ro;
} vep_blk_cfg_in_t;

typedef struct vep_blk_cfg_out {
  uint32_t blk_rdata;
  uint64_t dev_features;     /* VERSION_1, INDIRECT_DESC, EVENT_IDX, BLK_F_SEG_MAX, BLK_F_BLK_SIZE,
                              * BLK_F_FLUSH; BLK_F_RO if blk_ro_q */
  uint8_t config_changed;    /* one-cycle strobe */
} vep_blk_cfg_out_t;

/* Sets q to the values of the asynchronous reset (rst_ni low). */
void vep_blk_cfg_reset(vep_blk_cfg_q_t *q, const vep_params_t *p);
/* The outputs of the current cycle, from q only (the RTL's assigns). */
void vep_blk_cfg_outputs(const vep_blk_cfg_q_t *q, const vep_params_t *p,
                         vep_blk_cfg_out_t *out);
/* The next state (the RTL's always_comb). *d must start as a copy of *q. */
void vep_blk_cfg_next(const vep_blk_cfg_q_t *q, const vep_params_t *p,
                      const vep_blk_cfg_in_t *in, vep_blk_cfg_q_t *d);

#endif /* VEP_BLK_CFG_H */
