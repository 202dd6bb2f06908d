/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated PCIe system (cosim.h): it owns simulated time. Every cycle, in this order:
 * read the DUT's outputs (functions of its registers), let a TX beat the device offers enter the
 * link (unless random backpressure or a storm holds m_tx_ready low), let the root complex take
 * what has arrived from the device, let it send what is due, drive the RX beat that has arrived
 * (held until the device is ready; before a beat is offered a random gap or a storm may leave
 * the cycle idle), and clock the DUT.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cosim.h"
#include "cosim_blkport.h"
#include "cosim_check.h"
#include "cosim_dut.h"
#include "cosim_err.h"
#include "cosim_fcov.h"
#include "cosim_link.h"
#include "cosim_mem.h"
#include "cosim_rc.h"
#include "cosim_rng.h"
#include "cosim_tlplog.h"
#include "cosim_vmon.h"
#include "vep_consts.h"

#define COSIM_RESET_CYCLES 8u

struct cosim {
  cosim_cfg_t cfg;              /* its strings point to the copies below */
  char *trace_path, *repro, *blk_image, *blk_serial;
  cosim_errlog_t log;
  cosim_rng_t rng;
  cosim_rng_t flow_rng;         /* backpressure and gaps: their own stream, so that turning them
                                   on does not change the root complex's other random choices */
  cosim_hmem_t *mem;
  cosim_check_t *chk;
  cosim_rc_t *rc;
  cosim_link_t *rx, *tx;        /* rx: root complex to endpoint; tx: endpoint to root complex */
  cosim_dut_t *dut;
  cosim_blkport_t *blk;         /* the storage side of the backend port */
  cosim_vmon_t *vmon;           /* the virtio ring monitor */
  vep_in_t in;
  unsigned reset_left;
  int rx_offered;               /* the RX head beat was offered and not taken: hold it */
  uint64_t cycle, tlps_rx, tlps_tx;
  uint64_t tlps_rx_delivered;   /* TLPs whose last beat the device accepted */
  uint64_t rx_refused;          /* consecutive cycles an offered RX beat was refused */
  cosim_rng_t storm_rng;        /* storms: their own stream, like flow_rng */
  uint64_t tx_storm_next, rx_storm_next;  /* cycle the next storm begins */
  uint64_t tx_storm_left, rx_storm_left;  /* cycles of the current storm still to come */
  cosim_storm_stats_t storms;
  int trace_deferred;           /* a trace window opens when cycle cfg.trace_from starts */
  uint64_t mismatch_cycle;      /* lockstep's first mismatch, 0 before any */
  cosim_asm_t tx_asm;
  cosim_tlp_t req, dev_tlp;     /* scratch */
  /* Observers, NULL when off (cosim_cfg.tlp_log_path, .fcov): */
  cosim_tlplog_t *tlplog;
  cosim_fcov_t *fcov;
  cosim_tlp_t obs_tlp;          /* decode scratch of the observers */
};

void cosim_cfg_default(cosim_cfg_t *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  cfg->params = VEP_PARAMS_DEFAULT;
  cfg->dut = COSIM_DUT_LOCKSTEP;
  cfg->seed = 1;
  cfg->link_latency_rx = 8;
  cfg->link_latency_tx = 8;
  cfg->cpl_timeout = 10000;
  cfg->blk_capacity = (2u << 20) / 512;
  cfg->blk_latency = 20;
  cfg->blk_jitter = 10;
}

/* Whether a flow-control event of probability pct % happens this cycle (no draw when pct is 0,
 * so that runs without flow control draw nothing). */
static int flow_event(cosim_t *s, unsigned pct) {
  return pct && cosim_rng_below(&s->flow_rng, 100) < pct;
}

/* Whether a storm (cosim_cfg.*_storm_*) holds this cycle, advancing it: one begins at *next and
 * lasts *left more cycles; when it ends, the next one is drawn. No draw while gap is 0. */
static int storm_on(cosim_t *s, unsigned gap, unsigned min, unsigned max, uint64_t *next,
                    uint64_t *left, uint64_t *storms, uint64_t *cycles) {
  if (!gap) return 0;
  if (*left == 0) {
    if (s->cycle < *next) return 0;
    *left = min + cosim_rng_below(&s->storm_rng, max - min + 1u);
    (*storms)++;
  }
  (*cycles)++;
  if (--*left == 0) *next = s->cycle + 1 + cosim_rng_below(&s->storm_rng, 2u * gap + 1u);
  return 1;
}

/* ---- Link endpoints of the root complex ---- */

/* A host TLP to the log and the coverage counters, when they are on. */
static void observe_host(cosim_t *s, const uint32_t *dws, size_t n, int fault) {
  if (s->tlplog) cosim_tlplog_host(s->tlplog, s->cycle, dws, n, fault);
  if (s->fcov)
    cosim_fcov_host_tlp(s->fcov, cosim_tlp_decode(dws, n, &s->obs_tlp, NULL) ? NULL : &s->obs_tlp);
}

static int64_t host_send(void *ctx, const uint32_t *dws, size_t n) {
  cosim_t *s = ctx;
  if (s->tlplog || s->fcov) observe_host(s, dws, n, 0);
  cosim_check_host_tlp(s->chk, s->cycle, dws, n);
  cosim_vmon_host_tlp(s->vmon, s->cycle, dws, n);
  int64_t last = cosim_link_send_tlp(s->rx, s->cycle, dws, n);
  if (last >= 0) s->tlps_rx++;
  return last;
}

/* An injected fault (cosim_set_dma_fault): on the link and to the ring monitor, not to the
 * checker (the root complex showed it a sound stand-in). */
static int64_t host_send_fault(void *ctx, const uint32_t *dws, size_t n) {
  cosim_t *s = ctx;
  if (s->tlplog || s->fcov) observe_host(s, dws, n, 1);
  cosim_vmon_host_tlp(s->vmon, s->cycle, dws, n);
  int64_t last = cosim_link_send_tlp(s->rx, s->cycle, dws, n);
  if (last >= 0) s->tlps_rx++;
  return last;
}

static void dev_tlp(void *ctx, const uint32_t *dws, size_t n, const char *framing) {
  cosim_t *s = ctx;
  if (dws) s->tlps_tx++;
  cosim_check_dev_tlp(s->chk, s->cycle, dws, n, framing);
  /* A TLP with bad framing but a sound header still reaches the root complex, so that one
   * framing bug does not also show up as a completion timeout. */
  if (dws && cosim_tlp_decode(dws, n, &s->dev_tlp, NULL) == 0) {
    if (s->tlplog) cosim_tlplog_dev(s->tlplog, s->cycle, &s->dev_tlp);
    cosim_fcov_dev_tlp(s->fcov, &s->dev_tlp);
    cosim_rc_receive(s->rc, s->cycle, &s->dev_tlp);
    /* After the root complex: a write is in host memory by then. */
    cosim_vmon_dev_tlp(s->vmon, s->cycle, &s->dev_tlp);
  }
}

static void tick(cosim_t *s) {
  vep_out_t out;
  cosim_dut_outputs(s->dut, &out);
  int in_reset = s->reset_left > 0;
  uint8_t tx_ready = in_reset ? 1 : !flow_event(s, s->cfg.tx_backpressure_pct);
  if (!in_reset && storm_on(s, s->cfg.tx_storm_gap, s->cfg.tx_storm_min, s->cfg.tx_storm_max,
                            &s->tx_storm_next, &s->tx_storm_left, &s->storms.tx_storms,
                            &s->storms.tx_cycles))
    tx_ready = 0;
  int rx_storm = !in_reset && storm_on(s, s->cfg.rx_storm_gap, s->cfg.rx_storm_min,
                                       s->cfg.rx_storm_max, &s->rx_storm_next,
                                       &s->rx_storm_left, &s->storms.rx_storms,
                                       &s->storms.rx_cycles);
  if (!in_reset && out.m_tx_valid && tx_ready) {
    cosim_beat_t b;
    memcpy(b.data, out.m_tx_data, sizeof(b.data));
    b.keep = out.m_tx_keep;
    b.sop = out.m_tx_sop;
    b.eop = out.m_tx_eop;
    cosim_link_send_beat(s->tx, s->cycle, &b);
  }
  const cosim_beat_t *b;
  while ((b = cosim_link_head(s->tx, s->cycle))) {
    cosim_asm_push(&s->tx_asm, b, dev_tlp, s);
    cosim_link_pop(s->tx);
  }
  cosim_rc_tick(s->rc, s->cycle);
  /* Read only after the root complex has sent, since sending may move the link's storage. */
  const cosim_beat_t *rx = in_reset ? NULL : cosim_link_head(s->rx, s->cycle);
  /* A gap only before a beat is offered: once valid, a beat stays until the device takes it. */
  if (rx && !s->rx_offered && flow_event(s, s->cfg.rx_gap_pct)) rx = NULL;
  if (rx && !s->rx_offered && rx_storm) rx = NULL;
  vep_in_t *in = &s->in;
  in->rst_ni = !in_reset;
  in->s_rx_valid = rx != NULL;
  if (rx) {
    in->s_rx_sop = rx->sop;
    in->s_rx_eop = rx->eop;
    in->s_rx_keep = rx->keep;
    memcpy(in->s_rx_data, rx->data, sizeof(in->s_rx_data));
  } else {
    /* Idle lanes are driven to 0 so that lockstep never compares what the bus left behind. */
    in->s_rx_sop = in->s_rx_eop = in->s_rx_keep = 0;
    memset(in->s_rx_data, 0, sizeof(in->s_rx_data));
  }
  in->m_tx_ready = tx_ready;
  /* The backend port: the same inputs go to both DUTs in lockstep, computed from the lead's
   * outputs as the TX/RX ones are. */
  cosim_blkport_cycle(s->blk, s->cycle, in_reset, &out, in);
  if (s->trace_deferred && s->cycle == s->cfg.trace_from) {
    s->trace_deferred = 0;
    int rc = cosim_dut_trace_open(s->dut, s->trace_path);
    if (rc)
      cosim_errlog_add(&s->log, s->cycle, "cannot write the waveform %s with DUT %s: %s",
                       s->trace_path, cosim_dut_name(s->dut),
                       rc == -ENOTSUP ? "it has no waveform (use rtl or lockstep)" : strerror(-rc));
  }
  cosim_dut_step(s->dut, in);
  /* After the edge of the window's last cycle: the file is then complete. */
  if (s->trace_path && s->cfg.trace_to && s->cycle == s->cfg.trace_to)
    cosim_dut_trace_close(s->dut);
  if (rx && out.s_rx_ready) {
    if (rx->eop) s->tlps_rx_delivered++;
    cosim_link_pop(s->rx);
    s->rx_refused = 0;
  } else if (rx) {
    s->rx_refused++;
  }
  s->rx_offered = rx && !out.s_rx_ready;
  if (s->fcov) {
    cosim_dut_obs_t obs;
    if (cosim_dut_observe(s->dut, &obs) == 0) cosim_fcov_device_error(s->fcov, obs.dev_err_code);
  }
  s->cycle++;
  if (!s->mismatch_cycle && cosim_dut_lockstep_diverged(s->dut)) s->mismatch_cycle = s->cycle;
  if (in_reset) s->reset_left--;
}

/* ---- Life cycle ---- */

void cosim_destroy(cosim_t *s) {
  if (!s) return;
  cosim_dut_destroy(s->dut);
  cosim_rc_destroy(s->rc);
  cosim_link_destroy(s->rx);
  cosim_link_destroy(s->tx);
  cosim_check_destroy(s->chk);
  cosim_tlplog_destroy(s->tlplog);
  cosim_fcov_destroy(s->fcov);
  cosim_vmon_destroy(s->vmon);
  cosim_blkport_destroy(s->blk);
  cosim_hmem_destroy(s->mem);
  cosim_errlog_clear(&s->log);
  free(s->trace_path);
  free(s->repro);
  free(s->blk_image);
  free(s->blk_serial);
  free(s);
}

int cosim_create_custom(const cosim_cfg_t *cfg, cosim_dut_factory_t make, void *ctx,
                        cosim_t **out) {
  if (!cfg || !make || !out || cfg->cpl_timeout == 0 || cfg->tx_backpressure_pct > 99 ||
      cfg->rx_gap_pct > 99 || cfg->blk_flow_pct > 99 ||
      (cfg->trace_to && cfg->trace_to < cfg->trace_from))
    return -EINVAL;
  if ((cfg->tx_storm_gap && (cfg->tx_storm_max == 0 || cfg->tx_storm_min > cfg->tx_storm_max)) ||
      (cfg->rx_storm_gap && (cfg->rx_storm_max == 0 || cfg->rx_storm_min > cfg->rx_storm_max)))
    return -EINVAL;
  unsigned w = cfg->params.DATA_W;
  if (w != 64 && w != 128 && w != 256) return -EINVAL;
  cosim_t *s = calloc(1, sizeof(*s));
  if (!s) return -ENOMEM;
  int rc = -ENOMEM;
  s->cfg = *cfg;
  if ((cfg->trace_path && !(s->trace_path = cosim_strdup(cfg->trace_path))) ||
      (cfg->repro && !(s->repro = cosim_strdup(cfg->repro))) ||
      (cfg->blk_image && !(s->blk_image = cosim_strdup(cfg->blk_image))) ||
      (cfg->blk_serial && !(s->blk_serial = cosim_strdup(cfg->blk_serial))))
    goto fail;
  s->cfg.trace_path = s->trace_path;
  s->cfg.repro = s->repro;
  s->cfg.blk_image = s->blk_image;
  s->cfg.blk_serial = s->blk_serial;
  cosim_errlog_init(&s->log);
  cosim_rng_seed(&s->rng, cfg->seed);
  cosim_rng_seed(&s->flow_rng, cfg->seed ^ 0x5EED0F1011C0A575ull);
  cosim_rng_seed(&s->storm_rng, cfg->seed ^ 0x5707A1115EED0002ull);
  if (cfg->tx_storm_gap)
    s->tx_storm_next = cosim_rng_below(&s->storm_rng, 2u * cfg->tx_storm_gap + 1u);
  if (cfg->rx_storm_gap)
    s->rx_storm_next = cosim_rng_below(&s->storm_rng, 2u * cfg->rx_storm_gap + 1u);
  cosim_asm_init(&s->tx_asm, w / 32);
  if ((rc = cosim_hmem_create(&s->mem)) || (rc = cosim_check_create(&s->log, &s->chk)) ||
      (rc = cosim_link_create(w, cfg->link_latency_rx, &s->rx)) ||
      (rc = cosim_link_create(w, cfg->link_latency_tx, &s->tx)) ||
      (rc = cosim_vmon_create(&cfg->params, s->mem, &s->log, &s->vmon)))
    goto fail;
  cosim_blkport_cfg_t bcfg;
  cosim_blkport_cfg_default(&bcfg);
  bcfg.storage.path = cfg->blk_image;
  bcfg.storage.capacity = cfg->blk_capacity;
  bcfg.storage.read_only = cfg->blk_ro;
  bcfg.storage.serial = cfg->blk_serial;
  bcfg.storage.latency = cfg->blk_latency;
  bcfg.storage.jitter = cfg->blk_jitter;
  bcfg.storage.seed = cfg->seed ^ 0x57012A6E5EED0001ull;
  bcfg.storage.max_inflight = cfg->blk_max_inflight;
  bcfg.data_w = w;
  bcfg.seed = cfg->seed;
  bcfg.req_stall_pct = bcfg.rsp_gap_pct = cfg->blk_flow_pct;
  char berr[200] = "";
  if ((rc = cosim_blkport_create(&bcfg, &s->log, &s->blk, berr, sizeof(berr)))) {
    /* No simulation is left to hold the error, so say it where the user will see it. */
    fprintf(stderr, "cosim: cannot create the storage behind the backend port: %s\n",
            berr[0] ? berr : strerror(-rc));
    goto fail;
  }
  /* The straps describe the medium. */
  s->cfg.blk_capacity = cosim_storage_capacity(cosim_blkport_storage(s->blk));
  s->cfg.blk_ro = cosim_storage_read_only(cosim_blkport_storage(s->blk));
  cosim_rc_cfg_t rcfg = {
      .rc_id = COSIM_RC_ID,
      .cpl_timeout = cfg->cpl_timeout,
      .msi_base = COSIM_MSI_WINDOW_BASE,
      .msi_size = COSIM_MSI_WINDOW_SIZE,
      .mem = s->mem,
      .check = s->chk,
      .log = &s->log,
      .rng = &s->rng,
      .send = host_send,
      .send_ctx = s,
      .tlps_sent = &s->tlps_rx,
      .tlps_delivered = &s->tlps_rx_delivered,
      .rx_refused = &s->rx_refused,
      .send_fault = host_send_fault,
      .fault_seed = cfg->seed ^ 0xFA017F1A5EED0003ull,
  };
  if ((rc = cosim_rc_create(&rcfg, &s->rc))) goto fail;
  if (cfg->fcov && (rc = cosim_fcov_create(&s->fcov))) goto fail;
  if (cfg->tlp_log_path && (rc = cosim_tlplog_create(cfg->tlp_log_path, s->vmon, &s->tlplog))) {
    /* No simulation is left to hold the error, so say it where the user will see it. */
    fprintf(stderr, "cosim: cannot write the TLP log %s: %s\n", cfg->tlp_log_path, strerror(-rc));
    goto fail;
  }
  if (s->tlplog || s->fcov) cosim_vmon_observe(s->vmon, s->fcov);
  if ((rc = make(ctx, &s->cfg, &s->log, &s->dut))) goto fail;
  s->trace_deferred = s->trace_path && s->cfg.trace_from > 0;
  if (s->trace_deferred) {
    /* The window opens later; a path that cannot be written is found out now all the same. */
    FILE *probe = fopen(s->trace_path, "wb");
    if (!probe) {
      rc = errno ? -errno : -EIO;
      fprintf(stderr, "cosim: cannot write the waveform %s: %s\n", s->trace_path, strerror(-rc));
      goto fail;
    }
    fclose(probe);
  } else if (s->trace_path && (rc = cosim_dut_trace_open(s->dut, s->trace_path))) {
    /* No simulation is left to hold the error, so say it where the user will see it. */
    fprintf(stderr, "cosim: cannot write the waveform %s with DUT %s: %s\n", s->trace_path,
            cosim_dut_name(s->dut),
            rc == -ENOTSUP ? "it has no waveform (use rtl or lockstep)" : strerror(-rc));
    goto fail;
  }
  s->in.blk_capacity_i = s->cfg.blk_capacity;
  s->in.blk_ro_i = (uint8_t)(s->cfg.blk_ro != 0);
  s->reset_left = COSIM_RESET_CYCLES;
  while (s->reset_left) tick(s);
  *out = s;
  return 0;
fail:
  cosim_destroy(s);
  return rc;
}

cosim_hmem_t *cosim_host_mem(cosim_t *s) { return s->mem; }

/* ---- Synchronous accesses of the root complex ---- */

static int wait_for(cosim_t *s, uint16_t req_id, uint16_t tag, cosim_rc_result_t *res) {
  for (;;) {
    int rc = cosim_rc_result(s->rc, req_id, tag, res);
    if (rc != -EAGAIN) return rc;
    tick(s);
  }
}

static void run_until(cosim_t *s, uint64_t cycle) {
  while (s->cycle <= cycle) tick(s);
}

static int cfg_access(cosim_t *s, int write, uint16_t bdf, unsigned off, unsigned size,
                      uint32_t wval, uint32_t *val, unsigned *status) {
  if (!s || (size != 1 && size != 2 && size != 4) || off % size || off + size > VEP_CFG_SPACE_SIZE)
    return -EINVAL;
  uint32_t ones = size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
  /* The root port answers UR itself for anything but device 0 below it (no ARI). */
  if ((bdf >> 8) != COSIM_EP_BUS || (bdf >> 3 & 0x1F) != 0) {
    if (s->tlplog) {
      char note[96];
      snprintf(note, sizeof note, "root port UR: Cfg%s to %02x:%02x.%x reg 0x%03x", write ? "Wr" : "Rd",
               bdf >> 8, bdf >> 3 & 0x1F, bdf & 7, off);
      cosim_tlplog_note(s->tlplog, s->cycle, note);
    }
    if (val) *val = ones;
    if (status) *status = VEP_CPL_UR;
    return 0;
  }
  int tag = cosim_rc_alloc_tag(s->rc);
  if (tag < 0) return tag;
  cosim_tlp_cfg(&s->req, write, COSIM_RC_ID, (uint16_t)tag, bdf, off, size, wval);
  int rc = cosim_rc_issue(s->rc, s->cycle, &s->req, NULL);
  if (rc < 0) return rc;
  cosim_rc_result_t res;
  rc = wait_for(s, COSIM_RC_ID, (uint16_t)tag, &res);
  if (rc) return rc;
  if (status) *status = res.status;
  if (val) {
    const cosim_tlp_t *c = res.first;
    if (res.status == VEP_CPL_SC && c && c->ndata >= 1)
      *val = (c->data[0] >> (8 * (off & 3u))) & ones;
    else
      *val = ones;
  }
  return 0;
}

int cosim_cfg_read(cosim_t *s, uint16_t bdf, unsigned off, unsigned size, uint32_t *val,
                   unsigned *status) {
  if (!val) return -EINVAL;
  return cfg_access(s, 0, bdf, off, size, 0, val, status);
}

int cosim_cfg_write(cosim_t *s, uint16_t bdf, unsigned off, unsigned size, uint32_t val,
                    unsigned *status) {
  return cfg_access(s, 1, bdf, off, size, val, NULL, status);
}

static int mem_args_ok(uint64_t addr, unsigned size) {
  return (size == 1 || size == 2 || size == 4 || size == 8) && addr % size == 0;
}

static int in_window(uint64_t addr, uint64_t base, uint64_t size) {
  return addr >= base && addr - base < size;
}

/* The root port forwards its two memory windows to the endpoint. */
static int in_mmio_window(uint64_t addr) {
  return in_window(addr, COSIM_MMIO_WINDOW_BASE, COSIM_MMIO_WINDOW_SIZE) ||
         in_window(addr, COSIM_MMIO32_WINDOW_BASE, COSIM_MMIO32_WINDOW_SIZE);
}

int cosim_mem_read(cosim_t *s, uint64_t addr, unsigned size, uint64_t *val, unsigned *status) {
  if (!s || !val || !mem_args_ok(addr, size)) return -EINVAL;
  uint64_t ones = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
  /* The root port forwards only its memory windows; anything else is a master abort. */
  if (!in_mmio_window(addr)) {
    *val = ones;
    if (status) *status = VEP_CPL_UR;
    return 0;
  }
  int tag = cosim_rc_alloc_tag(s->rc);
  if (tag < 0) return tag;
  cosim_tlp_mem(&s->req, 0, COSIM_RC_ID, (uint16_t)tag, addr, size, 0);
  int rc = cosim_rc_issue(s->rc, s->cycle, &s->req, NULL);
  if (rc < 0) return rc;
  cosim_rc_result_t res;
  rc = wait_for(s, COSIM_RC_ID, (uint16_t)tag, &res);
  if (rc) return rc;
  if (status) *status = res.status;
  const cosim_tlp_t *c = res.first;
  if (res.status != VEP_CPL_SC || !c || c->ndata < (size == 8 ? 2u : 1u))
    *val = ones;
  else if (size == 8)
    *val = (uint64_t)c->data[1] << 32 | c->data[0];
  else
    *val = ((uint64_t)c->data[0] >> (8 * (addr & 3))) & ones;
  return 0;
}

int cosim_mem_write(cosim_t *s, uint64_t addr, unsigned size, uint64_t val) {
  if (!s || !mem_args_ok(addr, size)) return -EINVAL;
  /* Outside the window a posted write goes nowhere, silently, as on a real root port. */
  if (!in_mmio_window(addr)) return 0;
  cosim_tlp_mem(&s->req, 1, COSIM_RC_ID, 0, addr, size, val);
  uint64_t launch;
  int rc = cosim_rc_issue(s->rc, s->cycle, &s->req, &launch);
  if (rc < 0) return rc;
  run_until(s, launch);
  return 0;
}

int cosim_send_tlp(cosim_t *s, const cosim_tlp_t *req, cosim_tlp_t *cpl) {
  if (!s || !req) return -EINVAL;
  uint64_t launch;
  int rc = cosim_rc_issue(s->rc, s->cycle, req, &launch);
  if (rc < 0) return rc;
  if (rc == 1) {
    run_until(s, launch);
    return 1;
  }
  cosim_rc_result_t res;
  rc = wait_for(s, req->req_id, req->tag, &res);
  if (rc) return rc;
  if (cpl) {
    if (res.first)
      memcpy(cpl, res.first, offsetof(cosim_tlp_t, data) + res.first->ndata * sizeof(uint32_t));
    else
      memset(cpl, 0, offsetof(cosim_tlp_t, data));
  }
  return 0;
}

int cosim_send_raw(cosim_t *s, const uint32_t *dws, size_t ndw) {
  if (!s || !dws || ndw == 0 || ndw > COSIM_TLP_MAX_TOTAL_DW) return -EINVAL;
  int64_t last = host_send(s, dws, ndw);
  return last < 0 ? (int)last : 0;
}

void cosim_run(cosim_t *s, uint64_t n) {
  while (n--) tick(s);
}

uint64_t cosim_cycles(const cosim_t *s) { return s->cycle; }
uint64_t cosim_tlps_rx(const cosim_t *s) { return s->tlps_rx; }
uint64_t cosim_tlps_rx_delivered(const cosim_t *s) { return s->tlps_rx_delivered; }
uint64_t cosim_tlps_tx(const cosim_t *s) { return s->tlps_tx; }

void cosim_set_blk_capacity(cosim_t *s, uint64_t sectors) { s->in.blk_capacity_i = sectors; }

int cosim_set_dma_fault(cosim_t *s, uint64_t addr, uint64_t len, unsigned kind) {
  return cosim_rc_set_dma_fault(s->rc, addr, len, kind);
}

uint64_t cosim_dma_faults_hit(const cosim_t *s) { return cosim_rc_dma_faults_hit(s->rc); }

const cosim_fcov_t *cosim_fcov_counts(const cosim_t *s) { return s->fcov; }

int cosim_set_fault_plan(cosim_t *s, const cosim_fault_plan_t *plan) {
  return cosim_rc_set_fault_plan(s->rc, plan);
}

void cosim_fault_stats(const cosim_t *s, cosim_fault_stats_t *st) {
  cosim_rc_fault_stats(s->rc, st);
}

void cosim_storm_stats(const cosim_t *s, cosim_storm_stats_t *st) { *st = s->storms; }

cosim_storage_t *cosim_blk_storage(cosim_t *s) { return cosim_blkport_storage(s->blk); }

void cosim_blk_stats(const cosim_t *s, cosim_blkport_stats_t *st) {
  cosim_blkport_get_stats(s->blk, st);
}

int cosim_blk_idle(const cosim_t *s) { return cosim_blkport_idle(s->blk); }

void cosim_vmon_stats(const cosim_t *s, cosim_vmon_stats_t *st) {
  cosim_vmon_get_stats(s->vmon, st);
}

void cosim_set_msi_handler(cosim_t *s, cosim_msi_handler_t fn, void *ctx) {
  cosim_rc_set_msi_handler(s->rc, fn, ctx);
}

unsigned cosim_error_count(const cosim_t *s) { return s->log.count; }

const char *cosim_error(const cosim_t *s, unsigned i) {
  return i < s->log.kept ? s->log.msg[i] : NULL;
}

void cosim_clear_errors(cosim_t *s) { cosim_errlog_clear(&s->log); }

int cosim_diverged(const cosim_t *s) { return cosim_dut_lockstep_diverged(s->dut); }

uint64_t cosim_mismatch_cycle(const cosim_t *s) { return s->mismatch_cycle; }

const char *cosim_mismatch_port(const cosim_t *s) {
  return cosim_dut_lockstep_mismatch_port(s->dut);
}
