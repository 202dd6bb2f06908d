/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of rtl/vep_common_cfg.sv; see vep_common_cfg.h and docs/registers.md. */
#include "vep_common_cfg.h"

#include "vep_consts.h"

/* A 16-bit field in byte lanes [2h+1:2h] of the DW: merge the enabled bytes into old. */
static uint16_t merge16(uint16_t old, uint32_t wdata, uint8_t be, unsigned h)
{
  return (uint16_t)vep_merge32(old, wdata >> (16 * h), (uint8_t)((be >> (2 * h)) & 3u));
}

static int be16(uint8_t be, unsigned h)
{
  return ((be >> (2 * h)) & 3u) != 0;
}

/* A vector the table does not have reads back as NO_VECTOR: the driver sees the mapping failed. */
static uint16_t vec_map(uint16_t v, const vep_params_t *p)
{
  return v < p->MSIX_VECTORS ? v : (uint16_t)VEP_MSI_NO_VECTOR;
}

static void set_half(uint64_t *r, unsigned hi, uint32_t wdata, uint8_t be)
{
  unsigned sh = hi ? 32 : 0;
  uint32_t v = vep_merge32((uint32_t)(*r >> sh), wdata, be);
  *r = (*r & ~((uint64_t)0xFFFFFFFFu << sh)) | (uint64_t)v << sh;
}

/* Everything the device reset restores; config_generation keeps its value. */
static void device_reset(vep_common_cfg_q_t *q, const vep_params_t *p)
{
  q->dfselect_q = 0;
  q->gfselect_q = 0;
  q->gf_q = 0;
  q->gf_unknown_q = 0;
  q->msix_config_q = VEP_MSI_NO_VECTOR;
  q->status_q = 0;
  q->queue_select_q = 0;
  for (unsigned i = 0; i < VEP_COMMON_CFG_QUEUES_MAX; i++) {
    q->queue_size_q[i] = i < p->NUM_QUEUES ? (uint16_t)p->QUEUE_SIZE_MAX : 0;
    q->queue_msix_q[i] = i < p->NUM_QUEUES ? (uint16_t)VEP_MSI_NO_VECTOR : 0;
    q->queue_enable_q[i] = 0;
    q->queue_desc_q[i] = 0;
    q->queue_driver_q[i] = 0;
    q->queue_device_q[i] = 0;
  }
}

static uint32_t read_dw(const vep_common_cfg_q_t *q, const vep_params_t *p,
                        const vep_common_cfg_in_t *in, uint32_t off)
{
  unsigned sel = q->queue_select_q;
  int qv = sel < p->NUM_QUEUES;
  switch (off) {
  case VEP_COMMON_DFSELECT: return q->dfselect_q;
  case VEP_COMMON_DF:
    if (q->dfselect_q == 0) {
      return (uint32_t)in->dev_features;
    }
    return q->dfselect_q == 1 ? (uint32_t)(in->dev_features >> 32) : 0;
  case VEP_COMMON_GFSELECT: return q->gfselect_q;
  case VEP_COMMON_GF:
    if (q->gfselect_q == 0) {
      return (uint32_t)q->gf_q;
    }
    return q->gfselect_q == 1 ? (uint32_t)(q->gf_q >> 32) : 0;
  case VEP_COMMON_MSIX: return (uint32_t)p->NUM_QUEUES << 16 | q->msix_config_q;
  case VEP_COMMON_STATUS:
    return (uint32_t)q->queue_select_q << 16 | (uint32_t)q->cfg_gen_q << 8 |
           (q->rst_busy_q ? q->rst_old_q : q->status_q);
  default:
    break;
  }
  if (!qv) {
    return 0;
  }
  switch (off) {
  case VEP_COMMON_Q_SIZE: return (uint32_t)q->queue_msix_q[sel] << 16 | q->queue_size_q[sel];
  case VEP_COMMON_Q_ENABLE: return (uint32_t)sel << 16 | q->queue_enable_q[sel];
  case VEP_COMMON_Q_DESCLO: return (uint32_t)q->queue_desc_q[sel];
  case VEP_COMMON_Q_DESCHI: return (uint32_t)(q->queue_desc_q[sel] >> 32);
  case VEP_COMMON_Q_AVAILLO: return (uint32_t)q->queue_driver_q[sel];
  case VEP_COMMON_Q_AVAILHI: return (uint32_t)(q->queue_driver_q[sel] >> 32);
  case VEP_COMMON_Q_USEDLO: return (uint32_t)q->queue_device_q[sel];
  case VEP_COMMON_Q_USEDHI: return (uint32_t)(q->queue_device_q[sel] >> 32);
  default: return 0;
  }
}

void vep_common_cfg_reset(vep_common_cfg_q_t *q, const vep_params_t *p)
{
  *q = (vep_common_cfg_q_t){0};
  device_reset(q, p);
}

void vep_common_cfg_outputs(const vep_common_cfg_q_t *q, const vep_params_t *p,
                            vep_common_cfg_out_t *out)
{
  out->common_rdata = q->common_rdata_q;
  out->dev_status = q->status_q;
  out->config_vector = q->msix_config_q;
  out->dev_reset = q->dev_reset_q;
  out->cfg_irq = q->cfg_irq_q;
  out->q_enable = 0;
  for (unsigned i = 0; i < VEP_COMMON_CFG_QUEUES_MAX; i++) {
    int v = i < p->NUM_QUEUES;
    out->q_enable |= (uint64_t)(v && q->queue_enable_q[i]) << i;
    out->q_size[i] = v ? q->queue_size_q[i] : 0;
    out->q_desc[i] = v ? q->queue_desc_q[i] : 0;
    out->q_avail[i] = v ? q->queue_driver_q[i] : 0;
    out->q_used[i] = v ? q->queue_device_q[i] : 0;
    out->q_vector[i] = v ? q->queue_msix_q[i] : 0;
  }
  out->drv_features = q->gf_q;
}

/* The status a nonzero driver write leaves: NEEDS_RESET belongs to the device, and FEATURES_OK
 * sticks only if the accepted features pass validation. */
static uint8_t status_write(const vep_common_cfg_q_t *q, const vep_common_cfg_in_t *in,
                            uint8_t wb)
{
  uint8_t s = (uint8_t)((wb & ~VEP_STATUS_DEVICE_NEEDS_RESET) |
                        (q->status_q & VEP_STATUS_DEVICE_NEEDS_RESET));
  if ((s & VEP_STATUS_FEATURES_OK) && !(q->status_q & VEP_STATUS_FEATURES_OK)) {
    int ok = (q->gf_q & ~in->dev_features) == 0 &&
             ((q->gf_q >> VEP_F_VERSION_1) & 1u) != 0 && !q->gf_unknown_q;
    if (!ok) {
      s = (uint8_t)(s & ~VEP_STATUS_FEATURES_OK);
    }
  }
  return s;
}

void vep_common_cfg_next(const vep_common_cfg_q_t *q, const vep_params_t *p,
                         const vep_common_cfg_in_t *in, vep_common_cfg_q_t *d)
{
  const vep_regbus_t *b = &in->bus;
  uint32_t off = b->reg_addr & 0xFFCu;
  int hit = vep_bar_hit(b, VEP_BAR_COMMON_OFF);
  int wr = hit && b->reg_we;
  unsigned sel = q->queue_select_q;
  int qv = sel < p->NUM_QUEUES;
  int needs_reset = 0;  /* the driver made an error the device reports with NEEDS_RESET */
  int dev_reset = 0;

  d->dev_reset_q = 0;
  d->cfg_irq_q = 0;
  d->common_rdata_q = (hit && !b->reg_we) ? read_dw(q, p, in, off) : 0;

  if (wr) {
    switch (off) {
    case VEP_COMMON_DFSELECT:
      d->dfselect_q = vep_merge32(q->dfselect_q, b->reg_wdata, b->reg_be);
      break;
    case VEP_COMMON_GFSELECT:
      d->gfselect_q = vep_merge32(q->gfselect_q, b->reg_wdata, b->reg_be);
      break;
    case VEP_COMMON_GF:
      /* No feature may be accepted once FEATURES_OK is set. */
      if (!(q->status_q & VEP_STATUS_FEATURES_OK)) {
        if (q->gfselect_q <= 1) {
          set_half(&d->gf_q, q->gfselect_q, b->reg_wdata, b->reg_be);
        } else if (b->reg_wdata & vep_be_mask(b->reg_be)) {
          d->gf_unknown_q = 1;
        }
      }
      break;
    case VEP_COMMON_MSIX:
      if (be16(b->reg_be, 0)) {
        d->msix_config_q = vec_map(merge16(q->msix_config_q, b->reg_wdata, b->reg_be, 0), p);
      }
      break;
    case VEP_COMMON_STATUS:
      if (be16(b->reg_be, 1)) {
        d->queue_select_q = merge16(q->queue_select_q, b->reg_wdata, b->reg_be, 1);
      }
      if (b->reg_be & 1u) {
        uint8_t wb = (uint8_t)b->reg_wdata;
        if (wb == 0) {
          dev_reset = 1;
        } else {
          d->status_q = status_write(q, in, wb);
        }
      }
      break;
    case VEP_COMMON_Q_SIZE:
      /* Once a queue is enabled its size and ring addresses stay fixed until a reset: a driver
       * that rewrites them then must not make the device use memory it never exposed. */
      if (qv && !q->queue_enable_q[sel] && be16(b->reg_be, 0)) {
        uint16_t v = merge16(q->queue_size_q[sel], b->reg_wdata, b->reg_be, 0);
        if (v != 0 && (v & (v - 1u)) == 0 && v <= p->QUEUE_SIZE_MAX) {
          d->queue_size_q[sel] = v;
        }
      }
      if (qv && be16(b->reg_be, 1)) {
        d->queue_msix_q[sel] = vec_map(merge16(q->queue_msix_q[sel], b->reg_wdata, b->reg_be, 1),
                                       p);
      }
      break;
    case VEP_COMMON_Q_ENABLE:
      if (qv && be16(b->reg_be, 0)) {
        /* The spec lets the driver write only 1 (QEMU: anything else is virtio_error). */
        if (merge16(q->queue_enable_q[sel], b->reg_wdata, b->reg_be, 0) == 1) {
          d->queue_enable_q[sel] = 1;
        } else {
          needs_reset = 1;
        }
      }
      break;
    case VEP_COMMON_Q_DESCLO:
    case VEP_COMMON_Q_DESCHI:
      if (qv && !q->queue_enable_q[sel]) {
        set_half(&d->queue_desc_q[sel], off == VEP_COMMON_Q_DESCHI, b->reg_wdata, b->reg_be);
      }
      break;
    case VEP_COMMON_Q_AVAILLO:
    case VEP_COMMON_Q_AVAILHI:
      if (qv && !q->queue_enable_q[sel]) {
        set_half(&d->queue_driver_q[sel], off == VEP_COMMON_Q_AVAILHI, b->reg_wdata, b->reg_be);
      }
      break;
    case VEP_COMMON_Q_USEDLO:
    case VEP_COMMON_Q_USEDHI:
      if (qv && !q->queue_enable_q[sel]) {
        set_half(&d->queue_device_q[sel], off == VEP_COMMON_Q_USEDHI, b->reg_wdata, b->reg_be);
      }
      break;
    default:
      break;
    }
  }

  /* A driver error (queue_enable != 1) or a data-path error: DEVICE_NEEDS_RESET, notified once
   * (virtio: after setting it with DRIVER_OK set, a configuration interrupt). A data-path error
   * counts only while the device is live: one raised by a request being drained during a reset,
   * or before DRIVER_OK, would survive the reset (found by fuzz_tlp). */
  int dev_live = (q->status_q & VEP_STATUS_DRIVER_OK) && !q->rst_busy_q;
  if ((needs_reset || (in->dev_err && dev_live)) &&
      !(q->status_q & VEP_STATUS_DEVICE_NEEDS_RESET)) {
    d->status_q = (uint8_t)(d->status_q | VEP_STATUS_DEVICE_NEEDS_RESET);
    if (q->status_q & VEP_STATUS_DRIVER_OK) {
      d->cfg_irq_q = 1;
    }
  }
  if (in->config_changed) {
    d->cfg_gen_q = (uint8_t)(q->cfg_gen_q + 1u);
    if (q->status_q & VEP_STATUS_DRIVER_OK) {
      d->cfg_irq_q = 1;
    }
  }
  /* The reset is complete (device_status reads 0) once the backend has answered every request
   * from before it: a write still at the backend would otherwise land after the reset. */
  /* Not in the cycle of the dev_reset strobe: a backend request the blk function issues in that
   * cycle (it resets at its end) shows in reset_busy only from the next one. */
  if (q->rst_busy_q && !in->reset_busy && !q->dev_reset_q) {
    d->rst_busy_q = 0;
  }
  if (dev_reset) {
    if (!q->rst_busy_q) {
      d->rst_old_q = q->status_q;
    }
    d->rst_busy_q = 1;
    /* A notification raised on the reset edge would reach a device that is being reset. */
    device_reset(d, p);
    d->dev_reset_q = 1;
    d->cfg_irq_q = 0;
  }
}
