/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The model's top, C twin of rtl/vep_top.sv: every block's registers, the wiring between the
 * blocks, and the clock edge. See vep_model.h and docs/microarchitecture.md.
 */
#include "vep_model.h"

#include <errno.h>
#include <stddef.h>
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

/* The blocks, in the order of vep_model_q_t (the RTL instance names without u_). */
#define VEP_MODEL_BLOCKS(X) \
  X(rx_demux) X(completer) X(cfg_space) X(common_cfg) X(isr) X(blk_cfg) X(notify) X(msix) \
  X(intx) X(tx_arbiter) X(dma_rd) X(dma_wr) X(vq_fetch) X(blk) X(vq_used)

/* The registers of one block: two copies, r[cur] the current one. A clock edge copies it into
 * the other, lets the block's next function write the next state there (its contract: *d starts
 * as a copy of *q) and makes that one current. Per block rather than one pair for the whole
 * model, so that a block whose next state is known to equal its current one is not copied. */
#define VEP_MODEL_REGS(b) \
  struct {                \
    vep_##b##_q_t r[2];   \
    unsigned cur;         \
  } b;
typedef struct vep_model_q {
  VEP_MODEL_BLOCKS(VEP_MODEL_REGS)
} vep_model_q_t;
#undef VEP_MODEL_REGS

/* The current registers of block b of model m. */
#define CUR(m, b) (&(m)->q.b.r[(m)->q.b.cur])

/* The RAMs: one copy, read then written in place by their block's next function (see
 * vep_dma_rd_mem_t), so a step does not copy them. */
typedef struct vep_model_mem {
  vep_dma_rd_mem_t dma_rd;
  vep_dma_wr_mem_t dma_wr;
  vep_blk_mem_t blk;
  vep_vq_fetch_mem_t vq_fetch;
} vep_model_mem_t;

/* The outputs of every block in one cycle. */
#define VEP_MODEL_OUT(b) vep_##b##_out_t b;
typedef struct vep_model_outs {
  VEP_MODEL_BLOCKS(VEP_MODEL_OUT)
} vep_model_outs_t;
#undef VEP_MODEL_OUT

/* Every block's inputs, one struct per block. */
#define VEP_MODEL_IN(b) vep_##b##_in_t b;
typedef struct vep_model_ins {
  VEP_MODEL_BLOCKS(VEP_MODEL_IN)
} vep_model_ins_t;
#undef VEP_MODEL_IN

/* Per block: its registers changed on the last edge (or a reset came): its outputs must be
 * recomputed, and its next state may differ from its current one even with the same inputs. */
#define VEP_MODEL_FLAG(b) uint8_t b;
typedef struct vep_model_flags {
  VEP_MODEL_BLOCKS(VEP_MODEL_FLAG)
} vep_model_flags_t;
#undef VEP_MODEL_FLAG

struct vep_model {
  vep_params_t p;
  uint64_t cycles;
  vep_model_q_t q;
  vep_model_mem_t mem;
  /* Derived from the registers and kept between steps (never state of their own): */
  vep_model_outs_t o;         /* every block's outputs, from its current registers */
  vep_out_t out;              /* the endpoint's ports, from o */
  vep_model_ins_t in;         /* every block's inputs, built in place each cycle (every field is
                                 assigned; vq_fetch's and vq_used's per-queue arrays only when
                                 vep_common_cfg's registers changed) */
  vep_model_ins_t last_in;    /* the inputs of each block's last clock edge */
  vep_model_flags_t changed;
  /* Some block's outputs changed when they were last computed (or a reset came): the wiring must
   * be redone. Without it, and with the ports' inputs equal to last_ext_in, every block's inputs
   * are those of the last step, which each block was either clocked with or found equal to its
   * last edge's: then only the blocks whose registers changed need an edge. */
  uint8_t moved;
  vep_in_t last_ext_in;       /* the ports' inputs of the last step */
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
  } else if (p->DATA_W != 64 && p->DATA_W != 128 && p->DATA_W != 256) {
    msg = "DATA_W must be 64, 128 or 256";
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

static void outputs_all(vep_model_t *m);
static void port_outputs(vep_model_t *m);

/* The asynchronous reset: every block's registers to their reset values, every output from them. */
static void reset_all(vep_model_t *m)
{
  const vep_params_t *p = &m->p;

  vep_rx_demux_reset(CUR(m, rx_demux), p);
  vep_completer_reset(CUR(m, completer), p);
  vep_cfg_space_reset(CUR(m, cfg_space), p);
  vep_common_cfg_reset(CUR(m, common_cfg), p);
  vep_isr_reset(CUR(m, isr), p);
  vep_blk_cfg_reset(CUR(m, blk_cfg), p);
  vep_notify_reset(CUR(m, notify), p);
  vep_msix_reset(CUR(m, msix), p);
  vep_intx_reset(CUR(m, intx), p);
  vep_tx_arbiter_reset(CUR(m, tx_arbiter), p);
  vep_dma_rd_reset(CUR(m, dma_rd), &m->mem.dma_rd, p);
  vep_dma_wr_reset(CUR(m, dma_wr), &m->mem.dma_wr, p);
  vep_vq_fetch_reset(CUR(m, vq_fetch), &m->mem.vq_fetch, p);
  vep_blk_reset(CUR(m, blk), &m->mem.blk, p);
  vep_vq_used_reset(CUR(m, vq_used), p);
  memset(&m->changed, 1, sizeof(m->changed));
  outputs_all(m);
  m->moved = 1;
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
  /* Until the first step the registers hold their reset values, as the RTL does after a reset. */
  reset_all(m);
  *out = m;
  return 0;
}

void vep_model_destroy(vep_model_t *m)
{
  free(m);
}

/* The outputs of every block whose registers changed (the others' are still right). */
static void outputs_all(vep_model_t *m)
{
  const vep_params_t *p = &m->p;

#define VEP_MODEL_OUTPUTS(b)                                   \
  if (m->changed.b) {                                          \
    vep_##b##_out_t was_##b = m->o.b;                          \
    vep_##b##_outputs(CUR(m, b), p, &m->o.b);                  \
    if (memcmp(&was_##b, &m->o.b, sizeof(was_##b)) != 0) {       \
      m->moved = 1;                                            \
    }                                                          \
  }
  m->moved = 0;
  VEP_MODEL_BLOCKS(VEP_MODEL_OUTPUTS)
#undef VEP_MODEL_OUTPUTS
  if (m->moved && (m->changed.rx_demux || m->changed.tx_arbiter || m->changed.blk)) {
    port_outputs(m);
  }
}

/* The endpoint's ports, from the outputs of the blocks that drive them. */
static void port_outputs(vep_model_t *m)
{
  const vep_rx_demux_out_t *rx = &m->o.rx_demux;
  const vep_tx_arbiter_out_t *tx = &m->o.tx_arbiter;
  const vep_blk_out_t *blk = &m->o.blk;
  vep_out_t *out = &m->out;

  memset(out, 0, sizeof(*out));
  out->s_rx_ready = rx->s_rx_ready;
  out->m_tx_valid = tx->m_tx_valid;
  out->m_tx_sop = tx->m_tx_sop;
  out->m_tx_eop = tx->m_tx_eop;
  out->m_tx_keep = tx->m_tx_keep;
  memcpy(out->m_tx_data, tx->m_tx_data, sizeof(out->m_tx_data));
  out->m_blk_req_valid = blk->m_blk_req_valid;
  out->m_blk_req_tag = blk->m_blk_req_tag;
  out->m_blk_req_type = blk->m_blk_req_type;
  out->m_blk_req_sector = blk->m_blk_req_sector;
  out->m_blk_req_bytes = blk->m_blk_req_bytes;
  out->m_blk_wdata_valid = blk->m_blk_wdata_valid;
  memcpy(out->m_blk_wdata_data, blk->m_blk_wdata_data.q, sizeof(out->m_blk_wdata_data));
  out->m_blk_wdata_keep = blk->m_blk_wdata_keep;
  out->m_blk_wdata_last = blk->m_blk_wdata_last;
  out->m_blk_wdata_abort = blk->m_blk_wdata_abort;
  out->s_blk_rsp_ready = blk->s_blk_rsp_ready;
}

void vep_model_outputs(const vep_model_t *m, vep_out_t *out)
{
  *out = m->out;
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
    (wr).wrd_lo[c] = (cli).wrd_lo;         \
    (wr).wrd_n[c] = (cli).wrd_n;           \
  } while (0)
/* The engines' outputs as client c sees them: its readies and done, the read response only when
 * it is c's (rdr_client), the rest broadcast. The read data is wired per client: vq_fetch and
 * vq_used take its low 64 bits, blk all DATA_W. */
#define DMA_CLIENT_IN(in, c, o)                                           \
  do {                                                                    \
    (in).rdq_ready = (o).dma_rd.rdq_ready[c];                             \
    (in).rdr_valid = (o).dma_rd.rdr_valid && (o).dma_rd.rdr_client == (c); \
    (in).rdr_lo = (o).dma_rd.rdr_lo;                                      \
    (in).rdr_n = (o).dma_rd.rdr_n;                                        \
    (in).rdr_last = (o).dma_rd.rdr_last;                                  \
    (in).rdr_err = (o).dma_rd.rdr_err;                                    \
    (in).wrq_ready = (o).dma_wr.wrq_ready[c];                             \
    (in).wrd_ready = (o).dma_wr.wrd_ready[c];                             \
    (in).wr_done = (o).dma_wr.wr_done[c];                                 \
    (in).wr_err = (o).dma_wr.wr_err;                                      \
  } while (0)

/* The copy a block's next state is written into (its contract: it starts as the current one). */
#define NEXT(m, b) (&(m)->q.b.r[!(m)->q.b.cur])
#define EDGE_BEGIN(b) copy_regs(NEXT(m, b), CUR(m, b), sizeof(*CUR(m, b)))

/* The C library's memcpy, called through a pointer the compiler cannot see through (inlined, gcc
 * copies the larger register sets with string instructions), in pieces below glibc's threshold
 * for `rep movsb` (2 KiB by default): on the AMD EPYC the figures of docs/perf.md come from, both
 * copied the 2-4 KiB register sets of dma_rd and dma_wr slower than the library's vector loop
 * (together about 12% of a sim_speed_cmodel run). */
#define COPY_PIECE 1024u
static void *(*volatile const copy_fn)(void *, const void *, size_t) = memcpy;

static void copy_regs(void *d, const void *s, size_t n)
{
  char *to = d;
  const char *from = s;

  while (n > COPY_PIECE) {
    copy_fn(to, from, COPY_PIECE);
    to += COPY_PIECE;
    from += COPY_PIECE;
    n -= COPY_PIECE;
  }
  copy_fn(to, from, n);
}

/* The next state becomes the current one. Always taken as a change: the block's outputs are
 * recomputed. */
#define EDGE_END(b)          \
  do {                       \
    m->q.b.cur ^= 1u;        \
    m->changed.b = 1;        \
  } while (0)

/* A block without a RAM is a function of its registers and inputs only: when neither changed
 * since its last edge, its next state is its current one, and the edge is skipped (most blocks are
 * idle most of the time). Otherwise (inputs_differ) it is clocked, and whether its registers
 * changed recorded. A next function that read anything besides its q and in (a RAM, a global)
 * would break this: such a block is clocked every cycle, as dma_rd and blk are. */
#define CLOCK_GEN(b, inputs_differ, save_in, next_call)                                 \
  do {                                                                                  \
    if (m->changed.b || (inputs_differ)) {                                              \
      save_in;                                                                          \
      EDGE_BEGIN(b);                                                                    \
      next_call;                                                                        \
      m->q.b.cur ^= 1u;                                                                 \
      m->changed.b = memcmp(&m->q.b.r[0], &m->q.b.r[1], sizeof(m->q.b.r[0])) != 0;        \
    }                                                                                   \
  } while (0)
#define SAVE_IN(b, in_) memcpy(&m->last_in.b, (in_), sizeof(*(in_)))
#define CLOCK_IF(b, in_, inputs_differ)                                                 \
  CLOCK_GEN(b, inputs_differ, SAVE_IN(b, in_), vep_##b##_next(CUR(m, b), p, (in_), NEXT(m, b)))
/* The same for a block with a RAM in m->mem (the caller's inputs_differ says when the RAM may
 * have changed since the last edge). */
#define CLOCK_IF_MEM(b, in_, inputs_differ)                                             \
  CLOCK_GEN(b, inputs_differ, SAVE_IN(b, in_),                                          \
            vep_##b##_next(CUR(m, b), p, (in_), NEXT(m, b), &m->mem.b))
#define CLOCK_UNLESS_IDLE(b, in_) \
  CLOCK_IF(b, in_, rewired && memcmp((in_), &m->last_in.b, sizeof(*(in_))) != 0)

/* Where the per-queue arrays of vep_common_cfg lie in an input struct, in address order (checked
 * below): the bytes a comparison of inputs may skip while those registers did not change. */
typedef struct vep_span {
  size_t off, len;
} vep_span_t;
#define VEP_FIELD(type, f) {offsetof(type, f), sizeof(((type *)0)->f)}
static const vep_span_t used_qarrays[] = {VEP_FIELD(vep_vq_used_in_t, q_size),
                                          VEP_FIELD(vep_vq_used_in_t, q_avail),
                                          VEP_FIELD(vep_vq_used_in_t, q_used)};
_Static_assert(offsetof(vep_vq_used_in_t, q_size) < offsetof(vep_vq_used_in_t, q_avail) &&
                   offsetof(vep_vq_used_in_t, q_avail) < offsetof(vep_vq_used_in_t, q_used),
               "used_qarrays must list vq_used's per-queue inputs in address order");

static const vep_span_t fetch_qarrays[] = {VEP_FIELD(vep_vq_fetch_in_t, q_size),
                                           VEP_FIELD(vep_vq_fetch_in_t, q_desc),
                                           VEP_FIELD(vep_vq_fetch_in_t, q_avail),
                                           VEP_FIELD(vep_vq_fetch_in_t, q_used)};
_Static_assert(offsetof(vep_vq_fetch_in_t, q_size) < offsetof(vep_vq_fetch_in_t, q_desc) &&
                   offsetof(vep_vq_fetch_in_t, q_desc) < offsetof(vep_vq_fetch_in_t, q_avail) &&
                   offsetof(vep_vq_fetch_in_t, q_avail) < offsetof(vep_vq_fetch_in_t, q_used),
               "fetch_qarrays must list vq_fetch's per-queue inputs in address order");

/* Whether inputs a differ from the last edge's b (size bytes) outside the n spans of skip. */
static int differ_outside(const void *a, const void *b, size_t size, const vep_span_t *skip,
                          unsigned n)
{
  const char *x = a, *y = b;
  size_t at = 0;

  for (unsigned i = 0; i < n; i++) {
    if (memcmp(x + at, y + at, skip[i].off - at) != 0) {
      return 1;
    }
    at = skip[i].off + skip[i].len;
  }
  return memcmp(x + at, y + at, size - at) != 0;
}

/* Copies inputs a into the last edge's b (size bytes) but for the n spans of skip: while
 * vep_common_cfg's registers did not change, those spans already agree (a step where they
 * changed clocks every block that takes them, which saves them whole). vq_fetch's and vq_used's
 * inputs are 1.7 and 1.2 KB, nearly all per-queue arrays. */
static void copy_outside(void *b, const void *a, size_t size, const vep_span_t *skip, unsigned n)
{
  char *y = b;
  const char *x = a;
  size_t at = 0;

  for (unsigned i = 0; i < n; i++) {
    memcpy(y + at, x + at, skip[i].off - at);
    at = skip[i].off + skip[i].len;
  }
  memcpy(y + at, x + at, size - at);
}

void vep_model_step(vep_model_t *m, const vep_in_t *in)
{
  const vep_params_t *p = &m->p;
  const vep_model_outs_t *o = &m->o;
  vep_rx_demux_in_t *rx_in = &m->in.rx_demux;
  vep_completer_in_t *cpl_in = &m->in.completer;
  vep_cfg_space_in_t *cfg_in = &m->in.cfg_space;
  vep_common_cfg_in_t *common_in = &m->in.common_cfg;
  vep_isr_in_t *isr_in = &m->in.isr;
  vep_blk_cfg_in_t *blk_in = &m->in.blk_cfg;
  vep_notify_in_t *notify_in = &m->in.notify;
  vep_msix_in_t *msix_in = &m->in.msix;
  vep_intx_in_t *intx_in = &m->in.intx;
  vep_tx_arbiter_in_t *tx_in = &m->in.tx_arbiter;
  vep_dma_rd_in_t *rd_in = &m->in.dma_rd;
  vep_dma_wr_in_t *wr_in = &m->in.dma_wr;
  vep_vq_fetch_in_t *fetch_in = &m->in.vq_fetch;
  vep_blk_in_t *bk_in = &m->in.blk;
  vep_vq_used_in_t *used_in = &m->in.vq_used;
  /* vep_common_cfg's registers changed on the last edge: its per-queue outputs may be new. */
  const uint8_t qregs_changed = m->changed.common_cfg;
  uint8_t dev_err, run, rewired;
  uint64_t drv_f;

  m->cycles++;
  if (!in->rst_ni) {
    reset_all(m);
    return;
  }

  rewired = m->moved || qregs_changed || memcmp(in, &m->last_ext_in, sizeof(*in)) != 0;
  dev_err = o->vq_fetch.dev_err | o->vq_used.dev_err | o->blk.dev_err;
  /* The strobe that raises DEVICE_NEEDS_RESET: remember why, for observers only. */
  if (!(o->common_cfg.dev_status & VEP_STATUS_DEVICE_NEEDS_RESET)) {
    m->obs_err_code = !dev_err ? VEP_ERR_NONE
                      : o->vq_fetch.dev_err_code ? o->vq_fetch.dev_err_code
                      : o->vq_used.dev_err_code ? o->vq_used.dev_err_code
                      : o->blk.dev_err_code;
  }
  run = (o->common_cfg.dev_status & VEP_STATUS_DRIVER_OK) &&
        !(o->common_cfg.dev_status & VEP_STATUS_DEVICE_NEEDS_RESET);
  drv_f = o->common_cfg.drv_features;

  if (!rewired) {
    goto edges;
  }
  m->last_ext_in = *in;
  /* The wiring of rtl/vep_top.sv. */
  rx_in->s_rx_valid = in->s_rx_valid;
  rx_in->s_rx_sop = in->s_rx_sop;
  rx_in->s_rx_eop = in->s_rx_eop;
  rx_in->s_rx_keep = in->s_rx_keep;
  memcpy(rx_in->s_rx_data, in->s_rx_data, sizeof(rx_in->s_rx_data));
  rx_in->req_ready = o->completer.req_ready;
  rx_in->mps = o->cfg_space.mps;
  rx_in->cmd_mem_en = o->cfg_space.cmd_mem_en;
  rx_in->bar0_base = o->cfg_space.bar0_base;

  cpl_in->req_valid = o->rx_demux.req_valid;
  cpl_in->req = o->rx_demux.req;
  /* Each block returns 0 unless the previous cycle's read hit it (the notify region reads 0). */
  cpl_in->reg_rdata = o->cfg_space.cfg_rdata | o->common_cfg.common_rdata | o->isr.isr_rdata |
                     o->blk_cfg.blk_rdata | o->msix.msix_rdata;
  cpl_in->cmd_mem_en = o->cfg_space.cmd_mem_en;
  cpl_in->bar0_base = o->cfg_space.bar0_base;
  cpl_in->cfgwin_bar = o->cfg_space.cfgwin_bar;
  cpl_in->cfgwin_offset = o->cfg_space.cfgwin_offset;
  cpl_in->cfgwin_length = o->cfg_space.cfgwin_length;
  /* With Bus Master off, a completion waits while vep_dma_wr hands over an MWr whose Bus Master
   * sample was taken before (rtl/vep_top.sv, cpl_hold). */
  const uint8_t cpl_hold = !o->cfg_space.cmd_bus_master && o->dma_wr.tx_busy;
  cpl_in->cpl_ready = o->tx_arbiter.cpl_ready && !cpl_hold;

  cfg_in->bus = o->completer.bus;
  cfg_in->isr_pending = o->isr.isr_pending;
  cfg_in->ev_ur = o->completer.ev_ur;
  cfg_in->ev_ca = o->completer.ev_ca;
  cfg_in->ev_malformed = o->rx_demux.ev_malformed;

  common_in->bus = o->completer.bus;
  common_in->dev_features = o->blk_cfg.dev_features;
  common_in->config_changed = o->blk_cfg.config_changed;
  common_in->dev_err = dev_err;
  common_in->reset_busy = o->blk.bk_busy;

  isr_in->bus = o->completer.bus;
  isr_in->cfg_irq = o->common_cfg.cfg_irq;
  isr_in->dev_reset = o->common_cfg.dev_reset;
  isr_in->queue_irq = o->vq_used.q_irq != 0;

  blk_in->bus = o->completer.bus;
  blk_in->blk_capacity = in->blk_capacity_i;
  blk_in->blk_ro = in->blk_ro_i;

  notify_in->bus = o->completer.bus;
  notify_in->dev_reset = o->common_cfg.dev_reset;
  notify_in->doorbell_clr = o->vq_fetch.doorbell_clr;
  notify_in->ring = o->rx_demux.ring;

  msix_in->bus = o->completer.bus;
  msix_in->msix_en = o->cfg_space.msix_en;
  msix_in->msix_fmask = o->cfg_space.msix_fmask;
  msix_in->bus_master = o->cfg_space.cmd_bus_master;
  msix_in->completer_id = o->completer.completer_id;
  msix_in->cfg_irq = o->common_cfg.cfg_irq;
  msix_in->config_vector = o->common_cfg.config_vector;
  msix_in->dev_reset = o->common_cfg.dev_reset;
  msix_in->q_irq = o->vq_used.q_irq;
  if (qregs_changed) {
    memcpy(msix_in->q_vector, o->common_cfg.q_vector, sizeof(msix_in->q_vector));
  }
  msix_in->msg_ready = o->tx_arbiter.msg_ready;

  intx_in->isr_pending = o->isr.isr_pending;
  intx_in->msix_en = o->cfg_space.msix_en;
  intx_in->cmd_intx_dis = o->cfg_space.cmd_intx_dis;
  intx_in->completer_id = o->completer.completer_id;
  intx_in->intx_ready = o->tx_arbiter.intx_ready;

  tx_in->cpl_valid = o->completer.cpl_valid && !cpl_hold;
  tx_in->cpl_tlp = o->completer.cpl_tlp;
  tx_in->msg_valid = o->msix.msg_valid;
  tx_in->msg_tlp = o->msix.msg_tlp;
  tx_in->intx_valid = o->intx.intx_valid;
  tx_in->intx_tlp = o->intx.intx_tlp;
  tx_in->mrd_valid = o->dma_rd.mrd_valid;
  tx_in->mrd_tlp = o->dma_rd.mrd_tlp;
  tx_in->wr_valid = o->dma_wr.tx_valid;
  tx_in->wr_sop = o->dma_wr.tx_sop;
  tx_in->wr_eop = o->dma_wr.tx_eop;
  tx_in->wr_more = o->dma_wr.tx_more;
  tx_in->wr_keep = o->dma_wr.tx_keep;
  tx_in->wr_data = o->dma_wr.tx_data;
  tx_in->completer_id = o->completer.completer_id;
  tx_in->m_tx_ready = in->m_tx_ready;

  /* DMA clients: 0 vq_fetch, 1 vq_used, 2 blk. */
  DMA_RD_CLIENT(*rd_in, 0, o->vq_fetch);
  DMA_RD_CLIENT(*rd_in, 1, o->vq_used);
  DMA_RD_CLIENT(*rd_in, 2, o->blk);
  rd_in->mrd_ready = o->tx_arbiter.mrd_ready;
  rd_in->rc_valid = o->rx_demux.rc_valid;
  rd_in->rc_sop = o->rx_demux.rc_sop;
  rd_in->rc_eop = o->rx_demux.rc_eop;
  rd_in->rc_bad = o->rx_demux.rc_bad;
  rd_in->rc_hdr = o->rx_demux.rc_hdr;
  rd_in->rc_data = o->rx_demux.rc_data;
  rd_in->rc_ndw = o->rx_demux.rc_ndw;
  rd_in->bus_master = o->cfg_space.cmd_bus_master;
  rd_in->mrrs = o->cfg_space.mrrs;
  rd_in->ext_tag_en = o->cfg_space.ext_tag_en;
  rd_in->completer_id = o->completer.completer_id;
  rd_in->dev_reset = o->common_cfg.dev_reset;

  DMA_WR_CLIENT(*wr_in, 0, o->vq_fetch);
  DMA_WR_CLIENT(*wr_in, 1, o->vq_used);
  DMA_WR_CLIENT(*wr_in, 2, o->blk);
  /* vq_fetch and vq_used keep 64-bit write data at every DATA_W: zero-extended. */
  wr_in->wrd_data[0] = (vep_wide_t){{o->vq_fetch.wrd_data}};
  wr_in->wrd_data[1] = (vep_wide_t){{o->vq_used.wrd_data}};
  wr_in->wrd_data[2] = o->blk.wrd_data;
  wr_in->tx_ready = o->tx_arbiter.wr_ready;
  wr_in->bus_master = o->cfg_space.cmd_bus_master;
  wr_in->mps = o->cfg_space.mps;
  wr_in->completer_id = o->completer.completer_id;
  wr_in->dev_reset = o->common_cfg.dev_reset;

  fetch_in->dev_reset = o->common_cfg.dev_reset;
  fetch_in->run = run;
  fetch_in->feat_indirect = (drv_f >> VEP_F_INDIRECT_DESC) & 1u;
  fetch_in->feat_event_idx = (drv_f >> VEP_F_EVENT_IDX) & 1u;
  fetch_in->q_enable = o->common_cfg.q_enable;
  if (qregs_changed) {
    memcpy(fetch_in->q_size, o->common_cfg.q_size, sizeof(fetch_in->q_size));
    memcpy(fetch_in->q_desc, o->common_cfg.q_desc, sizeof(fetch_in->q_desc));
    memcpy(fetch_in->q_avail, o->common_cfg.q_avail, sizeof(fetch_in->q_avail));
    memcpy(fetch_in->q_used, o->common_cfg.q_used, sizeof(fetch_in->q_used));
  }
  /* vep_top's OR: a fast-path ring reaches the fetch engine in the cycle it is latched. */
  fetch_in->doorbell = o->notify.doorbell | o->rx_demux.ring;
  DMA_CLIENT_IN(*fetch_in, 0, *o);
  fetch_in->rdr_data = o->dma_rd.rdr_data.q[0];
  fetch_in->slot_free = o->blk.slot_free;
  fetch_in->slot_id = o->blk.slot_id;
  fetch_in->chain_ready = o->blk.chain_ready;

  bk_in->dev_reset = o->common_cfg.dev_reset;
  bk_in->blk_capacity = in->blk_capacity_i;
  bk_in->blk_ro = in->blk_ro_i;
  bk_in->seg_we = o->vq_fetch.seg_we;
  bk_in->seg_waddr = o->vq_fetch.seg_waddr;
  bk_in->seg_wdata = o->vq_fetch.seg_wdata;
  bk_in->chain_valid = o->vq_fetch.chain_valid;
  bk_in->chain = o->vq_fetch.chain;
  DMA_CLIENT_IN(*bk_in, 2, *o);
  bk_in->rdr_data = o->dma_rd.rdr_data;
  bk_in->m_blk_req_ready = in->m_blk_req_ready;
  bk_in->s_blk_rsp_valid = in->s_blk_rsp_valid;
  bk_in->s_blk_rsp_tag = in->s_blk_rsp_tag;
  /* The port's words at and above DATA_W/64 do not exist in the RTL. */
  for (unsigned i = 0; i < VEP_DATA_QWORDS; i++) {
    bk_in->s_blk_rsp_data.q[i] = i < p->DATA_W / 64u ? in->s_blk_rsp_data[i] : 0u;
  }
  bk_in->s_blk_rsp_last = in->s_blk_rsp_last;
  bk_in->s_blk_rsp_status = in->s_blk_rsp_status;
  bk_in->done_ready = o->vq_used.done_ready;

  used_in->dev_reset = o->common_cfg.dev_reset;
  /* DRIVER_OK only: requests fetched before a device error still finish. */
  used_in->run = (o->common_cfg.dev_status & VEP_STATUS_DRIVER_OK) != 0;
  used_in->feat_event_idx = (drv_f >> VEP_F_EVENT_IDX) & 1u;
  if (qregs_changed) {
    memcpy(used_in->q_size, o->common_cfg.q_size, sizeof(used_in->q_size));
    memcpy(used_in->q_avail, o->common_cfg.q_avail, sizeof(used_in->q_avail));
    memcpy(used_in->q_used, o->common_cfg.q_used, sizeof(used_in->q_used));
  }
  used_in->done_valid = o->blk.done_valid;
  used_in->done = o->blk.done;
  DMA_CLIENT_IN(*used_in, 1, *o);
  used_in->rdr_data = o->dma_rd.rdr_data.q[0];

edges:
  /* Every next state from the same current state, as on a clock edge: each next function reads
   * only its own block's registers and the inputs above, so each block commits as it goes. */
  CLOCK_UNLESS_IDLE(rx_demux, rx_in);
  CLOCK_UNLESS_IDLE(completer, cpl_in);
  CLOCK_UNLESS_IDLE(cfg_space, cfg_in);
  CLOCK_UNLESS_IDLE(common_cfg, common_in);
  CLOCK_UNLESS_IDLE(isr, isr_in);
  CLOCK_UNLESS_IDLE(blk_cfg, blk_in);
  CLOCK_UNLESS_IDLE(notify, notify_in);
  CLOCK_UNLESS_IDLE(msix, msix_in);
  CLOCK_UNLESS_IDLE(intx, intx_in);
  CLOCK_UNLESS_IDLE(tx_arbiter, tx_in);
  /* dma_rd writes its completion buffer only while rc_valid is up: with rc_valid up the edge is
   * taken (as blk's with seg_we below). Only the registers of the tags in use are copied and
   * compared (vep_dma_rd_copy; the others are 0 in both copies). */
  if (m->changed.dma_rd || rd_in->rc_valid ||
      (rewired && memcmp(rd_in, &m->last_in.dma_rd, sizeof(*rd_in)) != 0)) {
    const size_t used = vep_dma_rd_regs_bytes(p);

    memcpy(&m->last_in.dma_rd, rd_in, sizeof(*rd_in));
    vep_dma_rd_copy(NEXT(m, dma_rd), CUR(m, dma_rd), p);
    vep_dma_rd_next(CUR(m, dma_rd), p, rd_in, NEXT(m, dma_rd), &m->mem.dma_rd);
    m->q.dma_rd.cur ^= 1u;
    m->changed.dma_rd = memcmp(&m->q.dma_rd.r[0], &m->q.dma_rd.r[1], used) != 0;
  }
  /* dma_wr writes its TLP buffer only on an edge that also changes a register (wbeat_q steps on
   * a data write, fill_state_q leaves WrEnd on the last one), as vq_fetch below. */
  CLOCK_IF_MEM(dma_wr, wr_in,
               rewired && memcmp(wr_in, &m->last_in.dma_wr, sizeof(*wr_in)) != 0);
  /* vq_fetch and blk have a RAM, which only their own next function reads and writes. Their
   * edge may still be skipped when registers and inputs are those of the last edge, as long as
   * that edge did not write the RAM (a read now could see what it wrote): then nothing their next
   * function reads has changed since. vq_fetch writes its descriptor window only on an edge that
   * also steps the window's count (wcnt_q[r] + 1), a register: such an edge leaves changed set,
   * so the next cycle is clocked. blk writes its segment RAM when its input seg_we is up: with
   * seg_we up the edge is always taken (equal inputs would rewrite the same word, but the
   * registered reads could see the word of the last edge's write). docs/perf.md. */
  CLOCK_GEN(vq_fetch,
            rewired && (qregs_changed ||
                        differ_outside(fetch_in, &m->last_in.vq_fetch, sizeof(*fetch_in),
                                       fetch_qarrays, 4)),
            if (qregs_changed) {
              SAVE_IN(vq_fetch, fetch_in);
            } else {
              copy_outside(&m->last_in.vq_fetch, fetch_in, sizeof(*fetch_in), fetch_qarrays, 4);
            },
            vep_vq_fetch_next(CUR(m, vq_fetch), p, fetch_in, NEXT(m, vq_fetch), &m->mem.vq_fetch));
  CLOCK_IF_MEM(blk, bk_in,
               bk_in->seg_we || (rewired && memcmp(bk_in, &m->last_in.blk, sizeof(*bk_in)) != 0));
  CLOCK_GEN(vq_used,
            rewired && (qregs_changed ||
                        differ_outside(used_in, &m->last_in.vq_used, sizeof(*used_in),
                                       used_qarrays, 3)),
            if (qregs_changed) {
              SAVE_IN(vq_used, used_in);
            } else {
              copy_outside(&m->last_in.vq_used, used_in, sizeof(*used_in), used_qarrays, 3);
            },
            vep_vq_used_next(CUR(m, vq_used), p, used_in, NEXT(m, vq_used)));
  outputs_all(m);
}

uint8_t vep_model_device_error(const vep_model_t *m)
{
  /* Cleared by the reset that clears DEVICE_NEEDS_RESET, without a register of its own. */
  if (!(CUR(m, common_cfg)->status_q & VEP_STATUS_DEVICE_NEEDS_RESET)) {
    return VEP_ERR_NONE;
  }
  return m->obs_err_code;
}

uint64_t vep_model_cycles(const vep_model_t *m)
{
  return m->cycles;
}
