/* SPDX-License-Identifier: Apache-2.0 */
/* The tap: see tb_tap.h. */
#include "intx/tb_tap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void tap_destroy(cosim_dut_t *d) {
  tb_tap_t *tp = (tb_tap_t *)d;
  cosim_dut_destroy(tp->inner);
  free(tp);
}

static void tap_outputs(cosim_dut_t *d, vep_out_t *out) {
  tb_tap_t *tp = (tb_tap_t *)d;
  cosim_dut_outputs(tp->inner, &tp->out);
  *out = tp->out;
  if (tp->hold) {
    /* No beat on offer, and idle lanes 0, as the endpoint drives them while m_tx_valid is 0. */
    out->m_tx_valid = out->m_tx_sop = out->m_tx_eop = out->m_tx_keep = 0;
    memset(out->m_tx_data, 0, sizeof(out->m_tx_data));
  }
}

static void tap_step(cosim_dut_t *d, const vep_in_t *in) {
  tb_tap_t *tp = (tb_tap_t *)d;
  const vep_out_t *o = &tp->out;
  vep_in_t inner_in = *in;
  if (tp->hold) inner_in.m_tx_ready = 0;
  /* A beat moves on this edge when valid and ready are both 1. */
  if (inner_in.rst_ni && o->m_tx_valid && inner_in.m_tx_ready) {
    if (o->m_tx_sop) tp->ncur = 0;
    for (unsigned l = 0; l < tp->lanes; l++) {
      if (!(o->m_tx_keep >> l & 1u)) continue;
      if (tp->ncur < TB_TAP_DW_MAX)
        tp->cur[tp->ncur] = (uint32_t)(o->m_tx_data[l / 2] >> (32 * (l % 2)));
      tp->ncur++;
    }
    if (o->m_tx_eop) {
      /* Type 10xxx: a message. */
      if ((tp->cur[0] >> 27 & 3u) == 2u) {
        if (tp->nmsg < TB_TAP_LOG_MAX) {
          tb_tap_msg_t *e = &tp->log[tp->nmsg];
          memcpy(e->dw, tp->cur, sizeof(e->dw));
          e->ndw = tp->ncur;
          e->seq = tp->ntlp;
          e->cycle = tp->cycle;
        }
        tp->nmsg++;
      }
      tp->ntlp++;
    }
  }
  cosim_dut_step(tp->inner, &inner_in);
  tp->cycle++;
}

static int tap_trace_open(cosim_dut_t *d, const char *path) {
  return cosim_dut_trace_open(((tb_tap_t *)d)->inner, path);
}

static const char *tap_name(const cosim_dut_t *d) {
  return cosim_dut_name(((const tb_tap_t *)d)->inner);
}

static const cosim_dut_ops_t tap_ops = {tap_destroy, tap_outputs, tap_step, tap_trace_open,
                                        tap_name};

/* The factory: the default DUT, wrapped. ctx receives the tap. */
static int tap_factory(void *ctx, const cosim_cfg_t *cfg, cosim_errlog_t *log,
                       cosim_dut_t **out) {
  cosim_dut_t *inner = NULL;
  int rc = cosim_dut_factory_default(NULL, cfg, log, &inner);
  if (rc) return rc;
  tb_tap_t *tp = calloc(1, sizeof(*tp));
  if (!tp) {
    cosim_dut_destroy(inner);
    return -ENOMEM;
  }
  tp->base.ops = &tap_ops;
  tp->inner = inner;
  tp->lanes = cfg->params.DATA_W / 32;
  *(tb_tap_t **)ctx = tp;
  *out = &tp->base;
  return 0;
}

tb_tap_t *tb_tap_install(tb_t *t) {
  /* tb_reconfigure turns what the old simulation recorded into failures first. */
  tb_reconfigure(t, &t->cfg);
  tb_tap_t *tp = NULL;
  cosim_t *s = NULL;
  int rc = cosim_create_custom(&t->cfg, tap_factory, &tp, &s);
  if (rc < 0) {
    tb_fail(t, __FILE__, __LINE__, "cosim_create_custom: %s", strerror(-rc));
    tb_abort(t);
  }
  cosim_destroy(t->sim);
  t->sim = s;
  t->bar0 = 0;
  tb_msi_install(t);
  return tp;
}

void tb_tap_hold(tb_tap_t *tp, int hold) { tp->hold = hold != 0; }

void tb_tap_settle(tb_t *t, tb_tap_t *tp, uint64_t n) {
  uint64_t waited = 0;
  while (cosim_tlps_rx_delivered(t->sim) < cosim_tlps_rx(t->sim)) {
    if (waited >= TB_TAP_SETTLE_MAX) {
      tb_fail(t, __FILE__, __LINE__, "the endpoint did not take what was sent within %u cycles",
              TB_TAP_SETTLE_MAX);
      tb_abort(t);
    }
    tb_tap_run(t, tp, 1);
    waited++;
  }
  tb_tap_run(t, tp, n);
}

void tb_tap_run(tb_t *t, tb_tap_t *tp, uint64_t n) {
  tb_run(t, n);
  if (cosim_dut_lockstep_diverged(tp->inner)) {
    tb_fail(t, __FILE__, __LINE__, "lockstep diverged on %s",
            cosim_dut_lockstep_mismatch_port(tp->inner));
    tb_abort(t);
  }
}

const tb_tap_msg_t *tb_tap_last_msg(tb_t *t, const tb_tap_t *tp, unsigned from) {
  TB_REQUIRE(t, tp->nmsg <= TB_TAP_LOG_MAX, "message log full (%u messages)", tp->nmsg);
  return tp->nmsg > from ? &tp->log[tp->nmsg - 1] : NULL;
}

unsigned tb_tap_held_tlps(const tb_tap_t *tp, unsigned ndw) {
  unsigned beats = (ndw + tp->lanes - 1) / tp->lanes;
  return (2 + beats - 1) / beats;
}
