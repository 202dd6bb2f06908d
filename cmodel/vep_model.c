/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The model's top, C twin of rtl/vep_top.sv: every block's registers, the wiring between the
 * blocks, and the clock edge. See vep_model.h and docs/microarchitecture.md.
 */
#include "vep_model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vep_blk.h"
#include "vep_blk_cfg.h"
#include "vep_cfg_space.h"
#include "vep_common_cfg.h"
#include "vep_completer.h"
#include "vep_dma_rd.h"
#include "vep_dma_wr.h"
#include "vep_intx.h"
#include "vep_isr.h"
#include "vep_msix.h"
#include "vep_notify.h"
#include "vep_rx_demux.h"
#include "vep_tx_arbiter.h"
#include "vep_vq_fetch.h"
#include "vep_vq_used.h"

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
  vep_dma_rd_q_t dma_rd;
  vep_dma_wr_q_t dma_wr;
  vep_vq_fetch_q_t vq_fetch;
  vep_blk_q_t blk;
  vep_vq_used_q_t vq_used;
} vep_model_q_t;

/* The RAMs: one copy, read then written in place by their block's next function (see
 * vep_dma_rd_mem_t), so a step does not copy them. */
typedef struct vep_model_mem {
  vep_dma_rd_mem_t dma_rd;
  vep_blk_mem_t blk;
  vep_vq_fetch_mem_t vq_fetch;
} vep_model_mem_t;

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
  vep_dma_rd_out_t dma_rd;
  vep_dma_wr_out_t dma_wr;
  vep_vq_fetch_out_t vq_fetch;
  vep_blk_out_t blk;
  vep_vq_used_out_t vq_used;
} vep_model_outs_t;

struct vep_model {
  vep_params_t p;
  uint64_t cycles;
  /* Two register sets: q is the current one, d receives the next state; a step swaps them. */
  vep_model_q_t regs[2];
  vep_model_q_t *q;
  vep_model_q_t *d;
  vep_model_mem_t mem;
  /* Observation only (vep_model_device_error): never read by the next-state functions. */
  uint8_t obs_err_code;
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

static void reset_all(vep_model_q_t *q, vep_model_mem_t *mem, const vep_params_t *p)
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
  vep_dma_rd_reset(&q->dma_rd, &mem->dma_rd, p);
  vep_dma_wr_reset(&q->dma_wr, p);
  vep_vq_fetch_reset(&q->vq_fetch, &mem->vq_fetch, p);
  vep_blk_reset(&q->blk, &mem->blk, p);
  vep_vq_used_reset(&q->vq_used, p);
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
  reset_all(m->q, &m->mem, &m->p);
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
  vep_dma_rd_outputs(&q->dma_rd, p, &o->dma_rd);
  vep_dma_wr_outputs(&q->dma_wr, p, &o->dma_wr);
  vep_vq_fetch_outputs(&q->vq_fetch, p, &o->vq_fetch);
  vep_blk_outputs(&q->blk, p, &o->blk);
  vep_vq_used_outputs(&q->vq_used, p, &o->vq_used);
}

void vep_model_outputs(const vep_model_t *m, vep_out_t *out)
{
  vep_rx_demux_out_t rx;
  vep_tx_arbiter_out_t tx;
  vep_blk_out_t blk;

  vep_rx_demux_outputs(&m->q->rx_demux, &m->p, &rx);
  vep_tx_arbiter_outputs(&m->q->tx_arbiter, &m->p, &tx);
  vep_blk_outputs(&m->q->blk, &m->p, &blk);
  memset(out, 0, sizeof(*out));
  out->s_rx_ready = rx.s_rx_ready;
  out->m_tx_valid = tx.m_tx_valid;
  out->m_tx_sop = tx.m_tx_sop;
  out->m_tx_eop = tx.m_tx_eop;
  out->m_tx_keep = tx.m_tx_keep;
  memcpy(out->m_tx_data, tx.m_tx_data, sizeof(out->m_tx_data));
  out->m_blk_req_valid = blk.m_blk_req_valid;
  out->m_blk_req_tag = blk.m_blk_req_tag;
  out->m_blk_req_type = blk.m_blk_req_type;
  out->m_blk_req_sector = blk.m_blk_req_sector;
  out->m_blk_req_bytes = blk.m_blk_req_bytes;
  out->m_blk_wdata_valid = blk.m_blk_wdata_valid;
  out->m_blk_wdata_data[0] = blk.m_blk_wdata_data;
  out->m_blk_wdata_keep = blk.m_blk_wdata_keep;
  out->m_blk_wdata_last = blk.m_blk_wdata_last;
  out->m_blk_wdata_abort = blk.m_blk_wdata_abort;
  out->s_blk_rsp_ready = blk.s_blk_rsp_ready;
}

/* The wiring of DMA client c (0 vq_fetch, 1 vq_used, 2 blk): the same ports on every client,
 * as the client slices of the engines' ports in rtl/vep_top.sv. */
#define DMA_RD_CLIENT(rd, c, cli)          \
  do {                                     \
    (rd).rdq_valid[c] = (cli).rdq_valid;   \
    (rd).rdq_addr[c] = (cli).rdq_addr;     \
    (rd).rdq_len[c] = (cli).rdq_len;       \
  } while (0)
#define DMA_WR_CLIENT(wr, c, cli)          \
  do {                                     \
    (wr).wrq_valid[c] = (cli).wrq_valid;   \
    (wr).wrq_addr[c] = (cli).wrq_addr;     \
    (wr).wrq_len[c] = (cli).wrq_len;       \
    (wr).wrd_valid[c] = (cli).wrd_valid;   \
    (wr).wrd_data[c] = (cli).wrd_data;     \
    (wr).wrd_lo[c] = (cli).wrd_lo;         \
    (wr).wrd_n[c] = (cli).wrd_n;           \
  } while (0)
/* The engines' outputs as client c sees them: its readies and done, the read response only when
 * it is c's (rdr_client), the rest broadcast. */
#define DMA_CLIENT_IN(in, c, o)                                           \
  do {                                                                    \
    (in).rdq_ready = (o).dma_rd.rdq_ready[c];                             \
    (in).rdr_valid = (o).dma_rd.rdr_valid && (o).dma_rd.rdr_client == (c); \
    (in).rdr_data = (o).dma_rd.rdr_data;                                  \
    (in).rdr_lo = (o).dma_rd.rdr_lo;                                      \
    (in).rdr_n = (o).dma_rd.rdr_n;                                        \
    (in).rdr_last = (o).dma_rd.rdr_last;                                  \
    (in).rdr_err = (o).dma_rd.rdr_err;                                    \
    (in).wrq_ready = (o).dma_wr.wrq_ready[c];                             \
    (in).wrd_ready = (o).dma_wr.wrd_ready[c];                             \
    (in).wr_done = (o).dma_wr.wr_done[c];                                 \
    (in).wr_err = (o).dma_wr.wr_err;                                      \
  } while (0)

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
  vep_dma_rd_in_t rd_in;
  vep_dma_wr_in_t wr_in;
  vep_vq_fetch_in_t fetch_in;
  vep_blk_in_t bk_in;
  vep_vq_used_in_t used_in;
  vep_model_q_t *tmp;
  uint8_t dev_err, run;
  uint64_t drv_f;

  m->cycles++;
  if (!in->rst_ni) {
    reset_all(m->q, &m->mem, p);
    return;
  }

  outputs_all(q, p, &o);
  dev_err = o.vq_fetch.dev_err | o.vq_used.dev_err | o.blk.dev_err;
  /* The strobe that raises DEVICE_NEEDS_RESET: remember why, for observers only. */
  if (!(o.common_cfg.dev_status & VEP_STATUS_DEVICE_NEEDS_RESET)) {
    m->obs_err_code = !dev_err ? VEP_ERR_NONE
                      : o.vq_fetch.dev_err_code ? o.vq_fetch.dev_err_code
                      : o.vq_used.dev_err_code ? o.vq_used.dev_err_code
                      : o.blk.dev_err_code;
  }
  run = (o.common_cfg.dev_status & VEP_STATUS_DRIVER_OK) &&
        !(o.common_cfg.dev_status & VEP_STATUS_DEVICE_NEEDS_RESET);
  drv_f = o.common_cfg.drv_features;

  /* The wiring of rtl/vep_top.sv. */
  memset(&rx_in, 0, sizeof(rx_in));
  rx_in.s_rx_valid = in->s_rx_valid;
  rx_in.s_rx_sop = in->s_rx_sop;
  rx_in.s_rx_eop = in->s_rx_eop;
  rx_in.s_rx_keep = in->s_rx_keep;
  memcpy(rx_in.s_rx_data, in->s_rx_data, sizeof(rx_in.s_rx_data));
  rx_in.req_ready = o.completer.req_ready;
  rx_in.mps = o.cfg_space.mps;

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
  common_in.dev_err = dev_err;
  common_in.reset_busy = o.blk.bk_busy;

  memset(&isr_in, 0, sizeof(isr_in));
  isr_in.bus = o.completer.bus;
  isr_in.cfg_irq = o.common_cfg.cfg_irq;
  isr_in.dev_reset = o.common_cfg.dev_reset;
  isr_in.queue_irq = o.vq_used.q_irq != 0;

  memset(&blk_in, 0, sizeof(blk_in));
  blk_in.bus = o.completer.bus;
  blk_in.blk_capacity = in->blk_capacity_i;
  blk_in.blk_ro = in->blk_ro_i;

  memset(&notify_in, 0, sizeof(notify_in));
  notify_in.bus = o.completer.bus;
  notify_in.dev_reset = o.common_cfg.dev_reset;
  notify_in.doorbell_clr = o.vq_fetch.doorbell_clr;

  memset(&msix_in, 0, sizeof(msix_in));
  msix_in.bus = o.completer.bus;
  msix_in.msix_en = o.cfg_space.msix_en;
  msix_in.msix_fmask = o.cfg_space.msix_fmask;
  msix_in.bus_master = o.cfg_space.cmd_bus_master;
  msix_in.completer_id = o.completer.completer_id;
  msix_in.cfg_irq = o.common_cfg.cfg_irq;
  msix_in.config_vector = o.common_cfg.config_vector;
  msix_in.dev_reset = o.common_cfg.dev_reset;
  msix_in.q_irq = o.vq_used.q_irq;
  memcpy(msix_in.q_vector, o.common_cfg.q_vector, sizeof(msix_in.q_vector));
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
  tx_in.mrd_valid = o.dma_rd.mrd_valid;
  tx_in.mrd_tlp = o.dma_rd.mrd_tlp;
  tx_in.wr_valid = o.dma_wr.tx_valid;
  tx_in.wr_sop = o.dma_wr.tx_sop;
  tx_in.wr_eop = o.dma_wr.tx_eop;
  tx_in.wr_keep = o.dma_wr.tx_keep;
  tx_in.wr_data = o.dma_wr.tx_data;
  tx_in.m_tx_ready = in->m_tx_ready;

  /* DMA clients: 0 vq_fetch, 1 vq_used, 2 blk. */
  memset(&rd_in, 0, sizeof(rd_in));
  DMA_RD_CLIENT(rd_in, 0, o.vq_fetch);
  DMA_RD_CLIENT(rd_in, 1, o.vq_used);
  DMA_RD_CLIENT(rd_in, 2, o.blk);
  rd_in.mrd_ready = o.tx_arbiter.mrd_ready;
  rd_in.rc_valid = o.rx_demux.rc_valid;
  rd_in.rc_sop = o.rx_demux.rc_sop;
  rd_in.rc_eop = o.rx_demux.rc_eop;
  rd_in.rc_bad = o.rx_demux.rc_bad;
  rd_in.rc_hdr = o.rx_demux.rc_hdr;
  rd_in.rc_data = o.rx_demux.rc_data;
  rd_in.rc_ndw = o.rx_demux.rc_ndw;
  rd_in.bus_master = o.cfg_space.cmd_bus_master;
  rd_in.mrrs = o.cfg_space.mrrs;
  rd_in.ext_tag_en = o.cfg_space.ext_tag_en;
  rd_in.completer_id = o.completer.completer_id;
  rd_in.dev_reset = o.common_cfg.dev_reset;

  memset(&wr_in, 0, sizeof(wr_in));
  DMA_WR_CLIENT(wr_in, 0, o.vq_fetch);
  DMA_WR_CLIENT(wr_in, 1, o.vq_used);
  DMA_WR_CLIENT(wr_in, 2, o.blk);
  wr_in.tx_ready = o.tx_arbiter.wr_ready;
  wr_in.bus_master = o.cfg_space.cmd_bus_master;
  wr_in.mps = o.cfg_space.mps;
  wr_in.completer_id = o.completer.completer_id;
  wr_in.dev_reset = o.common_cfg.dev_reset;

  memset(&fetch_in, 0, sizeof(fetch_in));
  fetch_in.dev_reset = o.common_cfg.dev_reset;
  fetch_in.run = run;
  fetch_in.feat_indirect = (drv_f >> VEP_F_INDIRECT_DESC) & 1u;
  fetch_in.feat_event_idx = (drv_f >> VEP_F_EVENT_IDX) & 1u;
  fetch_in.q_enable = o.common_cfg.q_enable;
  memcpy(fetch_in.q_size, o.common_cfg.q_size, sizeof(fetch_in.q_size));
  memcpy(fetch_in.q_desc, o.common_cfg.q_desc, sizeof(fetch_in.q_desc));
  memcpy(fetch_in.q_avail, o.common_cfg.q_avail, sizeof(fetch_in.q_avail));
  memcpy(fetch_in.q_used, o.common_cfg.q_used, sizeof(fetch_in.q_used));
  fetch_in.doorbell = o.notify.doorbell;
  DMA_CLIENT_IN(fetch_in, 0, o);
  fetch_in.slot_free = o.blk.slot_free;
  fetch_in.slot_id = o.blk.slot_id;
  fetch_in.chain_ready = o.blk.chain_ready;

  memset(&bk_in, 0, sizeof(bk_in));
  bk_in.dev_reset = o.common_cfg.dev_reset;
  bk_in.blk_capacity = in->blk_capacity_i;
  bk_in.blk_ro = in->blk_ro_i;
  bk_in.seg_we = o.vq_fetch.seg_we;
  bk_in.seg_waddr = o.vq_fetch.seg_waddr;
  bk_in.seg_wdata = o.vq_fetch.seg_wdata;
  bk_in.chain_valid = o.vq_fetch.chain_valid;
  bk_in.chain = o.vq_fetch.chain;
  DMA_CLIENT_IN(bk_in, 2, o);
  bk_in.m_blk_req_ready = in->m_blk_req_ready;
  bk_in.s_blk_rsp_valid = in->s_blk_rsp_valid;
  bk_in.s_blk_rsp_tag = in->s_blk_rsp_tag;
  bk_in.s_blk_rsp_data = in->s_blk_rsp_data[0];
  bk_in.s_blk_rsp_last = in->s_blk_rsp_last;
  bk_in.s_blk_rsp_status = in->s_blk_rsp_status;
  bk_in.done_ready = o.vq_used.done_ready;

  memset(&used_in, 0, sizeof(used_in));
  used_in.dev_reset = o.common_cfg.dev_reset;
  /* DRIVER_OK only: requests fetched before a device error still finish. */
  used_in.run = (o.common_cfg.dev_status & VEP_STATUS_DRIVER_OK) != 0;
  used_in.feat_event_idx = (drv_f >> VEP_F_EVENT_IDX) & 1u;
  memcpy(used_in.q_size, o.common_cfg.q_size, sizeof(used_in.q_size));
  memcpy(used_in.q_avail, o.common_cfg.q_avail, sizeof(used_in.q_avail));
  memcpy(used_in.q_used, o.common_cfg.q_used, sizeof(used_in.q_used));
  used_in.done_valid = o.blk.done_valid;
  used_in.done = o.blk.done;
  DMA_CLIENT_IN(used_in, 1, o);

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
  vep_dma_rd_next(&q->dma_rd, p, &rd_in, &d->dma_rd, &m->mem.dma_rd);
  vep_dma_wr_next(&q->dma_wr, p, &wr_in, &d->dma_wr);
  vep_vq_fetch_next(&q->vq_fetch, p, &fetch_in, &d->vq_fetch, &m->mem.vq_fetch);
  vep_blk_next(&q->blk, p, &bk_in, &d->blk, &m->mem.blk);
  vep_vq_used_next(&q->vq_used, p, &used_in, &d->vq_used);

  tmp = m->q;
  m->q = m->d;
  m->d = tmp;
}

uint8_t vep_model_device_error(const vep_model_t *m)
{
  /* Cleared by the reset that clears DEVICE_NEEDS_RESET, without a register of its own. */
  if (!(m->q->common_cfg.status_q & VEP_STATUS_DEVICE_NEEDS_RESET)) {
    return VEP_ERR_NONE;
  }
  return m->obs_err_code;
}

uint64_t vep_model_cycles(const vep_model_t *m)
{
  return m->cycles;
}
