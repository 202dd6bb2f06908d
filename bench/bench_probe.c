/* SPDX-License-Identifier: Apache-2.0 */
/* The probe: see bench_probe.h. */
#include "bench_probe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One direction's TLP being gathered from beats. */
typedef struct gather {
  uint32_t dws[COSIM_TLP_MAX_TOTAL_DW];
  size_t n;
  int overflow;
  uint64_t first_cycle;
} gather_t;

struct bench_probe {
  cosim_dut_t base;       /* first: the probe is a cosim_dut_t */
  cosim_dut_t *inner;
  unsigned lanes;
  vep_out_t out;          /* the endpoint's outputs of the current cycle */
  uint64_t cycle;
  int recording, lost;
  gather_t rx, tx;
  cosim_tlp_t scratch;    /* decode */
  bench_tlp_event_t *ev;
  size_t nev, cap;
};

static void probe_destroy(cosim_dut_t *d) {
  bench_probe_t *p = (bench_probe_t *)d;
  cosim_dut_destroy(p->inner);
  free(p->ev);
  free(p);
}

static void probe_outputs(cosim_dut_t *d, vep_out_t *out) {
  bench_probe_t *p = (bench_probe_t *)d;
  cosim_dut_outputs(p->inner, &p->out);
  *out = p->out;
}

static void add_event(bench_probe_t *p, const gather_t *g, int to_device, uint64_t cycle) {
  if (g->overflow || cosim_tlp_decode(g->dws, g->n, &p->scratch, NULL)) return;
  if (p->nev == p->cap) {
    size_t cap = p->cap ? 2 * p->cap : 4096;
    bench_tlp_event_t *ev = realloc(p->ev, cap * sizeof(*ev));
    if (!ev) {
      p->lost = 1;
      return;
    }
    p->ev = ev;
    p->cap = cap;
  }
  const cosim_tlp_t *t = &p->scratch;
  p->ev[p->nev++] = (bench_tlp_event_t){
      .cycle = cycle, .to_device = to_device, .fmt_type = t->fmt_type, .len_dw = t->len_dw,
      .tag = t->tag, .addr = t->addr, .byte_count = t->byte_count, .lower_addr = t->lower_addr};
}

/* One beat that moved on this edge; returns 1 when it ended a TLP. */
static int gather_beat(bench_probe_t *p, gather_t *g, const uint64_t *data, uint8_t keep,
                       uint8_t sop, uint8_t eop) {
  if (sop) {
    g->n = 0;
    g->overflow = 0;
    g->first_cycle = p->cycle;
  }
  for (unsigned l = 0; l < p->lanes; l++) {
    if (!(keep >> l & 1u)) continue;
    if (g->n < COSIM_TLP_MAX_TOTAL_DW)
      g->dws[g->n++] = (uint32_t)(data[l / 2] >> (32 * (l % 2)));
    else
      g->overflow = 1;
  }
  return eop;
}

static void probe_step(cosim_dut_t *d, const vep_in_t *in) {
  bench_probe_t *p = (bench_probe_t *)d;
  const vep_out_t *o = &p->out;
  if (p->recording && in->rst_ni) {
    if (in->s_rx_valid && o->s_rx_ready &&
        gather_beat(p, &p->rx, in->s_rx_data, in->s_rx_keep, in->s_rx_sop, in->s_rx_eop))
      add_event(p, &p->rx, 1, p->cycle);
    if (o->m_tx_valid && in->m_tx_ready &&
        gather_beat(p, &p->tx, o->m_tx_data, o->m_tx_keep, o->m_tx_sop, o->m_tx_eop))
      add_event(p, &p->tx, 0, p->tx.first_cycle);
  }
  cosim_dut_step(p->inner, in);
  p->cycle++;
}

static int probe_trace_open(cosim_dut_t *d, const char *path) {
  return cosim_dut_trace_open(((bench_probe_t *)d)->inner, path);
}

static const char *probe_name(const cosim_dut_t *d) {
  return cosim_dut_name(((const bench_probe_t *)d)->inner);
}

static const cosim_dut_ops_t probe_ops = {probe_destroy, probe_outputs, probe_step,
                                          probe_trace_open, probe_name};

int bench_probe_factory(void *ctx, const cosim_cfg_t *cfg, cosim_errlog_t *log,
                        cosim_dut_t **out) {
  cosim_dut_t *inner = NULL;
  int rc = cosim_dut_factory_default(NULL, cfg, log, &inner);
  if (rc) return rc;
  bench_probe_t *p = calloc(1, sizeof(*p));
  if (!p) {
    cosim_dut_destroy(inner);
    return -ENOMEM;
  }
  p->base.ops = &probe_ops;
  p->inner = inner;
  p->lanes = cfg->params.DATA_W / 32;
  *(bench_probe_t **)ctx = p;
  *out = &p->base;
  return 0;
}

void bench_probe_record(bench_probe_t *p, int on) {
  p->recording = on != 0;
  if (on) {
    p->nev = 0;
    p->lost = 0;
    p->rx.n = p->tx.n = 0;
  }
}

const bench_tlp_event_t *bench_probe_events(const bench_probe_t *p, size_t *n) {
  *n = p->nev;
  return p->ev;
}

int bench_probe_lost(const bench_probe_t *p) { return p->lost; }
