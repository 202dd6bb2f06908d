/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The model's top, C twin of rtl/vep_top.sv: every block's registers, the wiring between the
 * blocks, and the clock edge. See vep_model.h and docs/microarchitecture.md.
 */
#include "vep_model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vep_blk_cfg.h"
#include "vep_cfg_space.h"
#include "vep_common_cfg.h"
#include "vep_completer.h"
#include "vep_intx.h"
#include "vep_isr.h"
#include "vep_msix.h"
#include "vep_notify.h"
#include "vep_rx_demux.h"
#include "vep_tx_arbiter.h"

/* The registers of every block (the RTL instance names without u_). */
typedef struct vep_model_q {
  vep_rx_demux_q_t rx_demux;
  vep_completer_q_t completer;
  vep_cfg_space_q_t cfg_space;
  vep_common_cfg_q_t common_cfg;
  vep_isr_q_t isr;
  vep_blk_cfg_q_t blk_cfg;
  vep_notify_q_t notify;
  vep_msix_q_t msix;
  vep_intx_q_t intx;
  vep_tx_arbiter_q_t tx_arbiter;
} vep_model_q_t;

/* The outputs of every block in one cycle. */
typedef struct vep_model_outs {
  vep_rx_demux_out_t rx_demux;
  vep_completer_out_t completer;
  vep_cfg_space_out_t cfg_space;
  vep_common_cfg_out_t common_cfg;
  vep_isr_out_t isr;
  vep_blk_cfg_out_t blk_cfg;
  vep_notify_out_t notify;
  vep_msix_out_t msix;
  vep_intx_out_t intx;
  vep_tx_arbiter_out_t tx_arbiter;
} vep_model_outs_t;

struct vep_model {
  vep_params_t p;
  uint64_t cycles;
  /* Two register sets: q is the current one, d receives the next state; a step swaps them. */
  vep_model_q_t regs[2];
  vep_model_q_t *q;
  vep_model_q_t *d;
};

static int is_pow2(unsigned x)
{
  return x != 0 && (x & (x - 1)) == 0;
}

int vep_model_check_params(const vep_params_t *p, const char **why)
{
  const char *msg = NULL;

  if (p == NULL) {
    msg = "no parameters";
  } else if (p->DATA_W != 64) {
    msg = "DATA_W must be 64 (128 and 256 are not supported yet)";
  } else if (p->NUM_QUEUES < 1 || p->NUM_QUEUES > 64) {
    msg = "NUM_QUEUES must be 1..64";
  } else if (!is_pow2(p->QUEUE_SIZE_MAX) || p->QUEUE_SIZE_MAX > 32768) {
    msg = "QUEUE_SIZE_MAX must be a power of two in 1..32768";
  } else if (p->MSIX_VECTORS < 1 || p->MSIX_VECTORS > 64) {
    msg = "MSIX_VECTORS must be 1..64";
  } else if (p->DMA_TAGS < 1 || p->DMA_TAGS > 256) {
    msg = "DMA_TAGS must be 1..256";
  } else if (p->DEVICE_ID != VEP_VIRTIO_ID_BLK) {
    msg = "DEVICE_ID must be 2 (virtio-blk, the only device so far)";
  } else if (p->BLK_SEG_MAX < 1) {
    msg = "BLK_SEG_MAX must be >= 1";
  } else if (!is_pow2(p->BLK_SIZE) || p->BLK_SIZE < 512) {
    msg = "BLK_SIZE must be a power of two >= 512";
  }
  if (msg != NULL) {
    if (why != NULL) {
      *why = msg;
    }
    return -EINVAL;
  }
  return 0;
}

static void reset_all(vep_model_q_t *q, const vep_params_t *p)
{
  vep_rx_demux_reset(&q->rx_demux, p);
  vep_completer_reset(&q->completer, p);
  vep_cfg_space_reset(&q->cfg_space, p);
  vep_common_cfg_reset(&q->common_cfg, p);
  vep_isr_reset(&q->isr, p);
  vep_blk_cfg_reset(&q->blk_cfg, p);
  vep_notify_reset(&q->notify, p);
  vep_msix_reset(&q->msix, p);
  vep_intx_reset(&q->intx, p);
  vep_tx_arbiter_reset(&q->tx_arbiter, p);
}

int vep_model_create(const vep_params_t *p, vep_model_t **out)
{
  vep_model_t *m;
  int rc;

  if (out == NULL) {
    return -EINVAL;
  }
  *out = NULL;
  rc = vep_model_check_params(p, NULL);
  if (rc != 0) {
    return rc;
  }
  m = calloc(1, sizeof(*m));
  if (m == NULL) {
    return -ENOMEM;
  }
  m->p = *p;
  m->q = &m->regs[0];
  m->d = &m->regs[1];
  /* Until the first step the registers hold their reset values, as the RTL does after a reset. */
  reset_all(m->q, &m->p);
  *out = m;
  return 0;
}

void vep_model_destroy(vep_model_t *m)
{
  free(m);
}

static void outputs_all(const vep_model_q_t *q, const vep_params_t *p, vep_model_outs_t *o)
{
  vep_rx_demux_outputs(&q->rx_demux, p, &o->rx_demux);
  vep_completer_outputs(&q->completer, p, &o->completer);
  vep_cfg_space_outputs(&q->cfg_space, p, &o->cfg_space);
  vep_common_cfg_outputs(&q->common_cfg, p, &o->common_cfg);
  vep_isr_outputs(&q->isr, p, &o->isr);
  vep_blk_cfg_outputs(&q->blk_cfg, p, &o->blk_cfg);
  vep_notify_outputs(&q->notify, p, &o->notify);
  vep_msix_outputs(&q->msix, p, &o->msix);
  vep_intx_outputs(&q->intx, p, &o->intx);
  vep_tx_arbiter_outputs(&q->tx_arbiter, p, &o->tx_arbiter);
}

void vep_model_outputs(const vep_model_t *m, vep_out_t *out)
{
  vep_rx_demux_out_t rx;
  vep_tx_arbiter_out_t tx;

  vep_rx_demux_outputs(&m->q->rx_demux, &m->p, &rx);
  vep_tx_arbiter_outputs(&m->q->tx_arbiter, &m->p, &tx);
  memset(out, 0, sizeof(*out));
  out->s_rx_ready = rx.s_rx_ready;
  out->m_tx_valid = tx.m_tx_valid;
  out->m_tx_sop = tx.m_tx_sop;
  out->m_tx_eop = tx.m_tx_eop;
  out->m_tx_keep = tx.m_tx_keep;
  memcpy(out->m_tx_data, tx.m_tx_data, sizeof(out->m_tx_data));
}

void vep_model_step(vep_model_t *m, const vep_in_t *in)
{
  const vep_params_t *p = &m->p;
  const vep_model_q_t *q = m->q;
  vep_model_q_t *d = m->d;
  vep_model_outs_t o;
  vep_rx_demux_in_t rx_in;
  vep_completer_in_t cpl_in;
  vep_cfg_space_in_t cfg_in;
  vep_common_cfg_in_t common_in;
  vep_isr_in_t isr_in;
  vep_blk_cfg_in_t blk_in;
  vep_notify_in_t notify_in;
  vep_msix_in_t msix_in;
  vep_intx_in_t intx_in;
  vep_tx_arbiter_in_t tx_in;
  vep_model_q_t *tmp;

  m->cycles++;
  if (!in->rst_ni) {
    reset_all(m->q, p);
    return;
  }

  outputs_all(q, p, &o);

  /* The wiring of rtl/vep_top.sv. */
  memset(&rx_in, 0, sizeof(rx_in));
  rx_in.s_rx_valid = in->s_rx_valid;
  rx_in.s_rx_sop = in->s_rx_sop;
  rx_in.s_rx_eop = in->s_rx_eop;
  rx_in.s_rx_keep = in->s_rx_keep;
  memcpy(rx_in.s_rx_data, in->s_rx_data, sizeof(rx_in.s_rx_data));
  rx_in.req_ready = o.completer.req_ready;

  memset(&cpl_in, 0, sizeof(cpl_in));
  cpl_in.req_valid = o.rx_demux.req_valid;
  cpl_in.req = o.rx_demux.req;
  /* Each block returns 0 unless the previous cycle's read hit it (the notify region reads 0). */
  cpl_in.reg_rdata = o.cfg_space.cfg_rdata | o.common_cfg.common_rdata | o.isr.isr_rdata |
                     o.blk_cfg.blk_rdata | o.msix.msix_rdata;
  cpl_in.cmd_mem_en = o.cfg_space.cmd_mem_en;
  cpl_in.bar0_base = o.cfg_space.bar0_base;
  cpl_in.cfgwin_bar = o.cfg_space.cfgwin_bar;
  cpl_in.cfgwin_offset = o.cfg_space.cfgwin_offset;
  cpl_in.cfgwin_length = o.cfg_space.cfgwin_length;
  cpl_in.cpl_ready = o.tx_arbiter.cpl_ready;

  memset(&cfg_in, 0, sizeof(cfg_in));
  cfg_in.bus = o.completer.bus;
  cfg_in.isr_pending = o.isr.isr_pending;
  cfg_in.ev_ur = o.completer.ev_ur;
  cfg_in.ev_ca = o.completer.ev_ca;
  cfg_in.ev_malformed = o.rx_demux.ev_malformed;

  memset(&common_in, 0, sizeof(common_in));
  common_in.bus = o.completer.bus;
  common_in.dev_features = o.blk_cfg.dev_features;
  common_in.config_changed = o.blk_cfg.config_changed;

  memset(&isr_in, 0, sizeof(isr_in));
  isr_in.bus = o.completer.bus;
  isr_in.cfg_irq = o.common_cfg.cfg_irq;
  isr_in.dev_reset = o.common_cfg.dev_reset;

  memset(&blk_in, 0, sizeof(blk_in));
  blk_in.bus = o.completer.bus;
  blk_in.blk_capacity = in->blk_capacity_i;
  blk_in.blk_ro = in->blk_ro_i;

  memset(&notify_in, 0, sizeof(notify_in));
  notify_in.bus = o.completer.bus;
  notify_in.dev_reset = o.common_cfg.dev_reset;

  memset(&msix_in, 0, sizeof(msix_in));
  msix_in.bus = o.completer.bus;
  msix_in.msix_en = o.cfg_space.msix_en;
  msix_in.msix_fmask = o.cfg_space.msix_fmask;
  msix_in.bus_master = o.cfg_space.cmd_bus_master;
  msix_in.completer_id = o.completer.completer_id;
  msix_in.cfg_irq = o.common_cfg.cfg_irq;
  msix_in.config_vector = o.common_cfg.config_vector;
  msix_in.dev_reset = o.common_cfg.dev_reset;
  msix_in.msg_ready = o.tx_arbiter.msg_ready;

  memset(&intx_in, 0, sizeof(intx_in));
  intx_in.isr_pending = o.isr.isr_pending;
  intx_in.msix_en = o.cfg_space.msix_en;
  intx_in.cmd_intx_dis = o.cfg_space.cmd_intx_dis;
  intx_in.completer_id = o.completer.completer_id;
  intx_in.intx_ready = o.tx_arbiter.intx_ready;

  memset(&tx_in, 0, sizeof(tx_in));
  tx_in.cpl_valid = o.completer.cpl_valid;
  tx_in.cpl_tlp = o.completer.cpl_tlp;
  tx_in.msg_valid = o.msix.msg_valid;
  tx_in.msg_tlp = o.msix.msg_tlp;
  tx_in.intx_valid = o.intx.intx_valid;
  tx_in.intx_tlp = o.intx.intx_tlp;
  tx_in.m_tx_ready = in->m_tx_ready;

  /* Every next state from the same current state, as on a clock edge; then commit. */
  *d = *q;
  vep_rx_demux_next(&q->rx_demux, p, &rx_in, &d->rx_demux);
  vep_completer_next(&q->completer, p, &cpl_in, &d->completer);
  vep_cfg_space_next(&q->cfg_space, p, &cfg_in, &d->cfg_space);
  vep_common_cfg_next(&q->common_cfg, p, &common_in, &d->common_cfg);
  vep_isr_next(&q->isr, p, &isr_in, &d->isr);
  vep_blk_cfg_next(&q->blk_cfg, p, &blk_in, &d->blk_cfg);
  vep_notify_next(&q->notify, p, &notify_in, &d->notify);
  vep_msix_next(&q->msix, p, &msix_in, &d->msix);
  vep_intx_next(&q->intx, p, &intx_in, &d->intx);
  vep_tx_arbiter_next(&q->tx_arbiter, p, &tx_in, &d->tx_arbiter);

  tmp = m->q;
  m->q = m->d;
  m->d = tmp;
}

uint64_t vep_model_cycles(const vep_model_t *m)
{
  return m->cycles;
}
