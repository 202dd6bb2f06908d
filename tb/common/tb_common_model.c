/* SPDX-License-Identifier: Apache-2.0 */
#include "tb_common_model.h"

#include <string.h>

#include "vep_consts.h"

void tb_cc_reset(tb_cc_model_t *m, const vep_params_t *p, uint64_t offered) {
  uint8_t gen = m->config_generation;
  memset(m, 0, sizeof *m);
  m->p = *p;
  m->offered = offered;
  m->config_generation = gen;
  m->msix_config = VEP_MSI_NO_VECTOR;
  for (unsigned i = 0; i < p->NUM_QUEUES && i < TB_CC_MAX_QUEUES; i++) {
    m->q[i].size = (uint16_t)p->QUEUE_SIZE_MAX;
    m->q[i].msix = VEP_MSI_NO_VECTOR;
  }
}

static void put(uint8_t *img, unsigned off, unsigned size, uint64_t v) {
  for (unsigned i = 0; i < size; i++) img[off + i] = (uint8_t)(v >> (8 * i));
}

void tb_cc_image(const tb_cc_model_t *m, uint8_t img[TB_CC_BYTES]) {
  memset(img, 0, TB_CC_BYTES);
  put(img, VEP_COMMON_DFSELECT, 4, m->dfselect);
  put(img, VEP_COMMON_DF, 4, m->dfselect < 2 ? (uint32_t)(m->offered >> (32 * m->dfselect)) : 0);
  put(img, VEP_COMMON_GFSELECT, 4, m->gfselect);
  put(img, VEP_COMMON_GF, 4, m->gfselect < 2 ? (uint32_t)(m->gf >> (32 * m->gfselect)) : 0);
  put(img, VEP_COMMON_MSIX, 2, m->msix_config);
  put(img, VEP_COMMON_NUMQ, 2, m->p.NUM_QUEUES);
  put(img, VEP_COMMON_STATUS, 1, m->status);
  put(img, VEP_COMMON_CFGGEN, 1, m->config_generation);
  put(img, VEP_COMMON_Q_SELECT, 2, m->queue_select);
  if (m->queue_select >= m->p.NUM_QUEUES) return;  /* per-queue fields read 0 */
  const tb_cc_queue_t *q = &m->q[m->queue_select];
  put(img, VEP_COMMON_Q_SIZE, 2, q->size);
  put(img, VEP_COMMON_Q_MSIX, 2, q->msix);
  put(img, VEP_COMMON_Q_ENABLE, 2, q->enable);
  put(img, VEP_COMMON_Q_NOFF, 2, m->queue_select);  /* queue_notify_off = index */
  put(img, VEP_COMMON_Q_DESCLO, 8, q->desc);
  put(img, VEP_COMMON_Q_AVAILLO, 8, q->driver);
  put(img, VEP_COMMON_Q_USEDLO, 8, q->device);
}

/* Merges the bytes of the write [woff, woff+wsize) that fall into the field [foff, foff+fsize)
 * into old; *hit says whether any did. */
static uint64_t merge(uint64_t old, unsigned foff, unsigned fsize, unsigned woff, unsigned wsize,
                      uint32_t val, int *hit) {
  *hit = 0;
  for (unsigned i = 0; i < fsize; i++) {
    unsigned a = foff + i;
    if (a < woff || a >= woff + wsize) continue;
    uint64_t byte = (val >> (8 * (a - woff))) & 0xFFu;
    old = (old & ~(0xFFull << (8 * i))) | byte << (8 * i);
    *hit = 1;
  }
  return old;
}

static uint16_t vector(const tb_cc_model_t *m, uint64_t v) {
  return v < m->p.MSIX_VECTORS ? (uint16_t)v : (uint16_t)VEP_MSI_NO_VECTOR;
}

void tb_cc_write(tb_cc_model_t *m, unsigned off, unsigned size, uint32_t val) {
  int hit;
  uint64_t v;
  v = merge(m->dfselect, VEP_COMMON_DFSELECT, 4, off, size, val, &hit);
  if (hit) m->dfselect = (uint32_t)v;
  v = merge(m->gfselect, VEP_COMMON_GFSELECT, 4, off, size, val, &hit);
  if (hit) m->gfselect = (uint32_t)v;
  /* driver_feature uses the select as it was before this write (one DW holds only one). */
  if (m->gfselect < 2 && !(m->status & VEP_STATUS_FEATURES_OK)) {
    unsigned sh = 32 * m->gfselect;
    v = merge((uint32_t)(m->gf >> sh), VEP_COMMON_GF, 4, off, size, val, &hit);
    if (hit) m->gf = (m->gf & ~(0xFFFFFFFFull << sh)) | (v & 0xFFFFFFFFull) << sh;
  }
  v = merge(m->msix_config, VEP_COMMON_MSIX, 2, off, size, val, &hit);
  if (hit) m->msix_config = vector(m, v);
  v = merge(m->status, VEP_COMMON_STATUS, 1, off, size, val, &hit);
  if (hit) {
    if (v == 0) {
      tb_cc_reset(m, &m->p, m->offered);
      return;  /* the rest of this DW write lands on a device in reset: not modelled */
    }
    /* DEVICE_NEEDS_RESET is the device's: only a reset clears it. */
    m->status = (uint8_t)((v & ~VEP_STATUS_DEVICE_NEEDS_RESET) |
                          (m->status & VEP_STATUS_DEVICE_NEEDS_RESET));
  }
  v = merge(m->queue_select, VEP_COMMON_Q_SELECT, 2, off, size, val, &hit);
  uint16_t sel = m->queue_select;  /* per-queue fields of this write use the old select */
  if (hit) m->queue_select = (uint16_t)v;
  if (sel >= m->p.NUM_QUEUES) return;
  tb_cc_queue_t *q = &m->q[sel];
  /* Once enabled (before this write), size and ring addresses are fixed until a reset. */
  const int fixed = q->enable;
  v = merge(q->size, VEP_COMMON_Q_SIZE, 2, off, size, val, &hit);
  if (hit && !fixed && v != 0 && (v & (v - 1)) == 0 && v <= m->p.QUEUE_SIZE_MAX) q->size = (uint16_t)v;
  v = merge(q->msix, VEP_COMMON_Q_MSIX, 2, off, size, val, &hit);
  if (hit) q->msix = vector(m, v);
  v = merge(q->enable, VEP_COMMON_Q_ENABLE, 2, off, size, val, &hit);
  if (hit) {
    if (v == 1) {
      q->enable = 1;
    } else {
      m->status |= VEP_STATUS_DEVICE_NEEDS_RESET;
      m->needs_reset_events++;
    }
  }
  v = merge(q->desc, VEP_COMMON_Q_DESCLO, 8, off, size, val, &hit);
  if (hit && !fixed) q->desc = v;
  v = merge(q->driver, VEP_COMMON_Q_AVAILLO, 8, off, size, val, &hit);
  if (hit && !fixed) q->driver = v;
  v = merge(q->device, VEP_COMMON_Q_USEDLO, 8, off, size, val, &hit);
  if (hit && !fixed) q->device = v;
}
