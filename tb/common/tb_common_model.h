/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tests' own model of the virtio common configuration structure (BAR0 region 0), written
 * from the register semantics (docs/registers.md), not from the C model: what each byte reads
 * after any sequence of writes. A write is applied field by field: the enabled bytes are merged
 * into the field, then the field's rule (read-only, vector range, power-of-two size, selects)
 * decides what is stored.
 */
#ifndef TB_COMMON_MODEL_H
#define TB_COMMON_MODEL_H

#include <stdint.h>

#include "vep_ports.h"

#define TB_CC_BYTES 0x40u          /* bytes 0x38..0x3F are past the 1.0 structure: read 0 */
#define TB_CC_MAX_QUEUES 64u

typedef struct tb_cc_queue {
  uint16_t size, msix, enable;
  uint64_t desc, driver, device;
} tb_cc_queue_t;

typedef struct tb_cc_model {
  vep_params_t p;
  uint64_t offered;
  uint32_t dfselect, gfselect;
  uint64_t gf;
  uint16_t msix_config;
  uint8_t status, config_generation;
  uint16_t queue_select;
  tb_cc_queue_t q[TB_CC_MAX_QUEUES];
  int needs_reset_events;    /* queue_enable writes of a value other than 1 */
} tb_cc_model_t;

/* The state after a device reset (config_generation is kept by the caller's choice). */
void tb_cc_reset(tb_cc_model_t *m, const vep_params_t *p, uint64_t offered);
/* The structure's bytes as reads return them. */
void tb_cc_image(const tb_cc_model_t *m, uint8_t img[TB_CC_BYTES]);
/* Applies a write of `size` bytes of val (little-endian) at off. The device_status byte is
 * modelled only for writes of a nonzero value that leave FEATURES_OK clear; a caller writing
 * something else must not use the model for status afterwards. */
void tb_cc_write(tb_cc_model_t *m, unsigned off, unsigned size, uint32_t val);

#endif /* TB_COMMON_MODEL_H */
