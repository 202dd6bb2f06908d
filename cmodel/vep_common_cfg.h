/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_common_cfg: virtio common configuration, BAR0 region 0 (rtl/vep_common_cfg.sv). Feature
 * selects and values, device status with FEATURES_OK validation and device reset, config vector,
 * queue_select and the per-queue registers of NUM_QUEUES queues, config_generation. Exports the
 * per-queue registers and the accepted features to the data path; its dev_err strobe sets
 * DEVICE_NEEDS_RESET. Register map: docs/registers.md.
 *
 * Timing (docs/microarchitecture.md): an access seen in cycle N is answered on common_rdata in
 * cycle N+1; writes and events take effect on the edge ending cycle N. Outputs depend on q only.
 * All functions expect parameters accepted by vep_model_check_params().
 */
#ifndef VEP_COMMON_CFG_H
#define VEP_COMMON_CFG_H

#include <stdint.h>

#include "vep_ports.h"
#include "vep_types.h"

/* Array bound: the largest NUM_QUEUES the parameter checks accept. */
#define VEP_COMMON_CFG_QUEUES_MAX 64

/* The flops: same names as the _q signals of rtl/vep_common_cfg.sv. Entry i of a queue_*_q
 * array is queue i (the RTL packs them into vectors, 16 or 64 bits per queue). */
typedef struct vep_common_cfg_q {
  uint32_t dfselect_q;           /* device_feature_select */
  uint32_t gfselect_q;           /* driver_feature_select */
  uint64_t gf_q;                 /* driver_feature, selects 0 and 1 */
  uint8_t gf_unknown_q;          /* sticky: a bit was written with driver_feature_select >= 2 */
  uint16_t msix_config_q;        /* config_msix_vector */
  uint8_t status_q;              /* device_status */
  uint8_t cfg_gen_q;             /* config_generation (not cleared by the device reset) */
  uint16_t queue_select_q;
  uint16_t queue_size_q[VEP_COMMON_CFG_QUEUES_MAX];
  uint16_t queue_msix_q[VEP_COMMON_CFG_QUEUES_MAX];
  uint8_t queue_enable_q[VEP_COMMON_CFG_QUEUES_MAX];  /* 0 or 1 */
  uint64_t queue_desc_q[VEP_COMMON_CFG_QUEUES_MAX];
  uint64_t queue_driver_q[VEP_COMMON_CFG_QUEUES_MAX];
  uint64_t queue_device_q[VEP_COMMON_CFG_QUEUES_MAX];
  uint8_t dev_reset_q;           /* strobe: the driver wrote 0 to device_status */
  uint8_t rst_busy_q;            /* reset in progress: device_status reads rst_old_q */
  uint8_t rst_old_q;             /* device_status before the write of 0 */
  uint8_t cfg_irq_q;             /* strobe: a configuration-change notification is due */
  uint32_t common_rdata_q;
} vep_common_cfg_q_t;

typedef struct vep_common_cfg_in {
  vep_regbus_t bus;
  uint64_t dev_features;         /* offered features, from vep_blk_cfg */
  uint8_t config_changed;        /* strobe from vep_blk_cfg */
  uint8_t dev_err;               /* strobe from the data path: sets DEVICE_NEEDS_RESET */
  uint8_t reset_busy;            /* vep_blk: the backend owes answers from before a reset */
} vep_common_cfg_in_t;

typedef struct vep_common_cfg_out {
  uint32_t common_rdata;
  uint8_t dev_status;
  uint16_t config_vector;        /* msix_config */
  uint8_t dev_reset;             /* one-cycle strobe */
  uint8_t cfg_irq;               /* one-cycle strobe */
  /* Per-queue registers, entry q = queue q (entries >= NUM_QUEUES are 0) */
  uint64_t q_enable;             /* bit q: queue_enable of queue q */
  uint16_t q_size[VEP_COMMON_CFG_QUEUES_MAX];
  uint64_t q_desc[VEP_COMMON_CFG_QUEUES_MAX];
  uint64_t q_avail[VEP_COMMON_CFG_QUEUES_MAX];    /* queue_driver */
  uint64_t q_used[VEP_COMMON_CFG_QUEUES_MAX];     /* queue_device */
  uint16_t q_vector[VEP_COMMON_CFG_QUEUES_MAX];   /* queue_msix_vector */
  uint64_t drv_features;         /* driver_feature, selects 0 and 1 */
} vep_common_cfg_out_t;

/* Sets q to the values of the asynchronous reset (rst_ni low). */
void vep_common_cfg_reset(vep_common_cfg_q_t *q, const vep_params_t *p);
/* The outputs of the current cycle, from q only (the RTL's assigns). */
void vep_common_cfg_outputs(const vep_common_cfg_q_t *q, const vep_params_t *p,
                            vep_common_cfg_out_t *out);
/* The next state (the RTL's always_comb). *d must start as a copy of *q. */
void vep_common_cfg_next(const vep_common_cfg_q_t *q, const vep_params_t *p,
                         const vep_common_cfg_in_t *in, vep_common_cfg_q_t *d);

#endif /* VEP_COMMON_CFG_H */
