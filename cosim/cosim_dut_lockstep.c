/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lockstep: two DUTs, the same inputs, every output compared after every step. The bus sees only
 * the lead's outputs, so a mismatch never changes what the lead does; the first one is reported
 * with enough context (both sides' last TLPs, decoded) to start debugging without re-running,
 * and the command that re-runs it with a waveform.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cosim_blkport.h"
#include "cosim_dut.h"
#include "cosim_link.h"

#define LS_HIST 4u       /* TLPs kept per side and direction for the report */
#define LS_LINE 200u

typedef struct ls_hist {
  char line[LS_HIST][LS_LINE];
  uint64_t cycle[LS_HIST];
  unsigned n;            /* total recorded; the last min(n, LS_HIST) are kept */
} ls_hist_t;

/* TLPs as they crossed a port, kept raw and formatted (into an ls_hist_t) only for a report:
 * decoding and printing every TLP of both sides cost more than a report ever uses. */
typedef struct ls_tlps {
  uint32_t dws[LS_HIST][COSIM_TLP_MAX_TOTAL_DW];
  size_t ndw[LS_HIST];
  const char *framing[LS_HIST];  /* the assembler's (string literals), NULL when well formed */
  uint64_t cycle[LS_HIST];
  unsigned n;            /* total recorded; the last min(n, LS_HIST) are kept */
} ls_tlps_t;

typedef struct ls_side {
  cosim_dut_t *dut;
  vep_out_t out;         /* outputs of the current cycle */
  cosim_asm_t rx_asm, tx_asm;
  ls_tlps_t rx, tx;
  ls_hist_t blk;         /* backend-port events: requests, ends of OUT data, answers */
  uint32_t wbeats, wbytes;  /* OUT data beats and bytes since the last `last` */
} ls_side_t;

typedef struct dut_lockstep {
  cosim_dut_t base;
  ls_side_t side[2];     /* 0: lead (drives the bus), 1: ref */
  unsigned data_w;
  cosim_errlog_t *log;
  char *repro;
  uint64_t cycle;        /* steps so far: the cycle whose outputs side[].out holds */
  int outs_valid;        /* side[].out are the current outputs (registers change only in a step) */
  const char *mismatch_port;  /* the port of the first mismatch (a string literal), or NULL */
  ls_tlps_t *cb_hist;    /* where the assembler callback records */
  cosim_tlp_t scratch;   /* decode buffer: too big for the stack of every call */
  ls_hist_t text;        /* a report's TLP lines, formatted from side[].rx/tx */
} dut_lockstep_t;

static void hist_cb(void *ctx, const uint32_t *dws, size_t n, const char *framing) {
  dut_lockstep_t *l = ctx;
  ls_tlps_t *h = l->cb_hist;
  unsigned i = h->n % LS_HIST;
  h->cycle[i] = l->cycle;
  h->ndw[i] = n;
  h->framing[i] = framing;
  if (n) memcpy(h->dws[i], dws, n * sizeof(*dws));
  h->n++;
}

/* One recorded TLP as a report line. */
static void fmt_tlp(dut_lockstep_t *l, const ls_tlps_t *h, unsigned i, char *line) {
  const uint32_t *dws = h->dws[i];
  size_t n = h->ndw[i];
  const char *framing = h->framing[i];
  if (!n) {
    snprintf(line, LS_LINE, "(stray beat: %s)", framing);
    return;
  }
  cosim_tlp_t *t = &l->scratch;
  const char *why = NULL;
  if (cosim_tlp_decode(dws, n, t, &why) == 0) {
    cosim_tlp_format(t, line, LS_LINE);
  } else {
    int p = snprintf(line, LS_LINE, "(malformed: %s)", why);
    for (size_t k = 0; k < n && k < 6 && p > 0 && (size_t)p < LS_LINE; k++)
      p += snprintf(line + p, LS_LINE - (size_t)p, " %08" PRIx32, dws[k]);
  }
  if (framing && strlen(line) + 24 < LS_LINE) strcat(line, " [framing error]");
}

/* The TLPs of h as text, for fmt_hist. */
static void tlps_text(dut_lockstep_t *l, const ls_tlps_t *h, ls_hist_t *out) {
  out->n = h->n;
  unsigned first = h->n < LS_HIST ? 0 : h->n - LS_HIST;
  for (unsigned k = first; k < h->n; k++) {
    fmt_tlp(l, h, k % LS_HIST, out->line[k % LS_HIST]);
    out->cycle[k % LS_HIST] = h->cycle[k % LS_HIST];
  }
}

static void beat_of_rx(const vep_in_t *in, cosim_beat_t *b) {
  memcpy(b->data, in->s_rx_data, sizeof(b->data));
  b->keep = in->s_rx_keep;
  b->sop = in->s_rx_sop;
  b->eop = in->s_rx_eop;
}

static void beat_of_tx(const vep_out_t *o, cosim_beat_t *b) {
  memcpy(b->data, o->m_tx_data, sizeof(b->data));
  b->keep = o->m_tx_keep;
  b->sop = o->m_tx_sop;
  b->eop = o->m_tx_eop;
}

static void ls_destroy(cosim_dut_t *d) {
  dut_lockstep_t *l = (dut_lockstep_t *)d;
  cosim_dut_destroy(l->side[0].dut);
  cosim_dut_destroy(l->side[1].dut);
  free(l->repro);
  free(l);
}

/* Both sides' outputs of the current cycle, read from the DUTs once per cycle. */
static void current_outputs(dut_lockstep_t *l) {
  if (l->outs_valid) return;
  cosim_dut_outputs(l->side[0].dut, &l->side[0].out);
  cosim_dut_outputs(l->side[1].dut, &l->side[1].out);
  l->outs_valid = 1;
}

static void ls_outputs(cosim_dut_t *d, vep_out_t *out) {
  dut_lockstep_t *l = (dut_lockstep_t *)d;
  current_outputs(l);
  *out = l->side[0].out;
}

static void fmt_data(const uint64_t *data, unsigned data_w, char *buf, size_t len) {
  size_t pos = 0;
  buf[0] = 0;
  pos += (size_t)snprintf(buf, len, "0x");
  for (int q = (int)(data_w / 64) - 1; q >= 0 && pos < len; q--)
    pos += (size_t)snprintf(buf + pos, len - pos, "%016" PRIx64 "%s", data[q], q ? "_" : "");
}

static void fmt_outputs(const vep_out_t *o, unsigned data_w, char *buf, size_t len) {
  char data[80], wdata[80];
  fmt_data(o->m_tx_data, data_w, data, sizeof(data));
  fmt_data(o->m_blk_wdata_data, data_w, wdata, sizeof(wdata));
  snprintf(buf, len,
           "s_rx_ready=%u m_tx_valid=%u m_tx_sop=%u m_tx_eop=%u m_tx_keep=0x%x m_tx_data=%s\n"
           "    m_blk_req_valid=%u m_blk_req_tag=0x%x m_blk_req_type=0x%x m_blk_req_sector=0x%" PRIx64
           " m_blk_req_bytes=0x%" PRIx32 "\n"
           "    m_blk_wdata_valid=%u m_blk_wdata_keep=0x%" PRIx32 " m_blk_wdata_last=%u "
           "m_blk_wdata_abort=%u m_blk_wdata_data=%s s_blk_rsp_ready=%u",
           o->s_rx_ready, o->m_tx_valid, o->m_tx_sop, o->m_tx_eop, o->m_tx_keep, data,
           o->m_blk_req_valid, o->m_blk_req_tag, o->m_blk_req_type, o->m_blk_req_sector,
           o->m_blk_req_bytes, o->m_blk_wdata_valid, o->m_blk_wdata_keep, o->m_blk_wdata_last,
           o->m_blk_wdata_abort, wdata, o->s_blk_rsp_ready);
}

/* Records one backend-port event of a side. */
static void blk_event(dut_lockstep_t *l, ls_hist_t *h, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void blk_event(dut_lockstep_t *l, ls_hist_t *h, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(h->line[h->n % LS_HIST], LS_LINE, fmt, ap);
  va_end(ap);
  h->cycle[h->n % LS_HIST] = l->cycle;
  h->n++;
}

/* The backend-port transfers of this edge for one side: its outputs, the shared inputs. */
static void blk_watch(dut_lockstep_t *l, ls_side_t *s, const vep_in_t *in) {
  const vep_out_t *o = &s->out;
  if (!in->rst_ni) return;
  char tn[24];
  if (o->m_blk_req_valid && in->m_blk_req_ready)
    blk_event(l, &s->blk, "request tag=%u %s sector=%" PRIu64 " bytes=%" PRIu32,
              o->m_blk_req_tag, cosim_blkport_type_name(o->m_blk_req_type, tn, sizeof(tn)),
              o->m_blk_req_sector, o->m_blk_req_bytes);
  if (o->m_blk_wdata_valid) {
    s->wbeats++;
    s->wbytes += (uint32_t)__builtin_popcount(o->m_blk_wdata_keep);
    if (o->m_blk_wdata_last) {
      blk_event(l, &s->blk, "OUT data ended%s: %" PRIu32 " beats, %" PRIu32 " bytes",
                o->m_blk_wdata_abort ? " by abort" : "", s->wbeats, s->wbytes);
      s->wbeats = s->wbytes = 0;
    }
  }
  if (in->s_blk_rsp_valid && o->s_blk_rsp_ready && in->s_blk_rsp_last)
    blk_event(l, &s->blk, "answer tag=%u status=%u taken", in->s_blk_rsp_tag,
              in->s_blk_rsp_status);
}

/* Appends one side's TLP history to the report. */
static size_t fmt_hist(char *buf, size_t len, size_t pos, const char *who, const char *dir,
                       const ls_hist_t *h) {
  if (pos >= len) return pos;
  pos += (size_t)snprintf(buf + pos, len - pos, "  %s %s (last %u of %u):\n", who, dir,
                          h->n < LS_HIST ? h->n : LS_HIST, h->n);
  unsigned first = h->n < LS_HIST ? 0 : h->n - LS_HIST;
  for (unsigned i = first; i < h->n && pos < len; i++)
    pos += (size_t)snprintf(buf + pos, len - pos, "    cycle %" PRIu64 ": %s\n",
                            h->cycle[i % LS_HIST], h->line[i % LS_HIST]);
  return pos;
}

/* Appends the TLP a side is in the middle of sending, if any: the mismatch is often in it. */
static size_t fmt_partial(char *buf, size_t len, size_t pos, const char *who,
                          const cosim_asm_t *a) {
  if (!a->active || pos >= len) return pos;
  pos += (size_t)snprintf(buf + pos, len - pos, "  %s sending (%zu DWs so far):", who, a->n);
  for (size_t i = 0; i < a->n && i < 8 && pos < len; i++)
    pos += (size_t)snprintf(buf + pos, len - pos, " %08" PRIx32, a->dws[i]);
  if (pos < len) pos += (size_t)snprintf(buf + pos, len - pos, "%s\n", a->n > 8 ? " ..." : "");
  return pos;
}

static void report(dut_lockstep_t *l, const char *port, const char *note, const char *va,
                   const char *vb) {
  size_t len = 8192;
  char *buf = malloc(len);
  if (!buf) {
    cosim_errlog_add(l->log, l->cycle, "lockstep mismatch on %s: %s=%s %s=%s", port,
                     cosim_dut_name(l->side[0].dut), va, cosim_dut_name(l->side[1].dut), vb);
    return;
  }
  const char *na = cosim_dut_name(l->side[0].dut), *nb = cosim_dut_name(l->side[1].dut);
  char oa[600], ob[600];
  fmt_outputs(&l->side[0].out, l->data_w, oa, sizeof(oa));
  fmt_outputs(&l->side[1].out, l->data_w, ob, sizeof(ob));
  /* The outputs of cycle N are the registers after the rising edge that ends cycle N-1; in the
   * FST that edge is at 10(N-1)+5 (see cosim_rtl_shim.cpp). */
  size_t pos = (size_t)snprintf(
      buf, len,
      "lockstep mismatch: port %s%s differs in the outputs of cycle %" PRIu64
      " (registers after the rising edge at t=%" PRIu64 " in the FST)\n"
      "  %-7s %s = %s\n  %-7s %s = %s\n"
      "  all outputs of %s: %s\n  all outputs of %s: %s\n",
      port, note, l->cycle, l->cycle ? 10 * (l->cycle - 1) + 5 : 0, na, port, va, nb, port, vb, na,
      oa, nb, ob);
  tlps_text(l, &l->side[0].rx, &l->text);
  pos = fmt_hist(buf, len, pos, na, "received", &l->text);
  tlps_text(l, &l->side[0].tx, &l->text);
  pos = fmt_hist(buf, len, pos, na, "sent", &l->text);
  tlps_text(l, &l->side[1].rx, &l->text);
  pos = fmt_hist(buf, len, pos, nb, "received", &l->text);
  tlps_text(l, &l->side[1].tx, &l->text);
  pos = fmt_hist(buf, len, pos, nb, "sent", &l->text);
  /* The backend port only once it has been used, so that reports of tests without virtio-blk
   * traffic stay short. */
  if (l->side[0].blk.n || l->side[1].blk.n) {
    pos = fmt_hist(buf, len, pos, na, "backend port", &l->side[0].blk);
    pos = fmt_hist(buf, len, pos, nb, "backend port", &l->side[1].blk);
  }
  pos = fmt_partial(buf, len, pos, na, &l->side[0].tx_asm);
  pos = fmt_partial(buf, len, pos, nb, &l->side[1].tx_asm);
  if (pos < len) {
    if (l->repro)
      snprintf(buf + pos, len - pos, "  re-run with a waveform: %s --trace mismatch.fst", l->repro);
    else
      snprintf(buf + pos, len - pos,
               "  re-run with a waveform: (no command: cosim_cfg.repro was not set)");
  }
  cosim_errlog_add(l->log, l->cycle, "%s", buf);
  free(buf);
}

static int ls_req_field(const char *port) { return strncmp(port, "m_blk_req_", 10) == 0 &&
                                                  strcmp(port, "m_blk_req_valid") != 0; }

/* Compares a DATA_W-bit port; reports it and returns 1 when it differs. */
static int cmp_data(dut_lockstep_t *l, const char *port, const uint64_t *da, const uint64_t *db) {
  char va[80], vb[80];
  for (unsigned q = 0; q < l->data_w / 64; q++) {
    if (da[q] == db[q]) continue;
    fmt_data(da, l->data_w, va, sizeof(va));
    fmt_data(db, l->data_w, vb, sizeof(vb));
    char note[64];
    uint64_t x = da[q] ^ db[q];
    unsigned bit = 0;
    while (!(x >> bit & 1)) bit++;
    unsigned b = 64 * q + bit;
    if (!strcmp(port, "m_tx_data"))
      snprintf(note, sizeof(note), " (lowest differing bit %u: DW lane %u bit %u)", b, b / 32,
               b % 32);
    else
      snprintf(note, sizeof(note), " (lowest differing bit %u: byte %u bit %u)", b, b / 8, b % 8);
    report(l, port, note, va, vb);
    l->mismatch_port = port;
    return 1;
  }
  return 0;
}

/* Compares the outputs of the current cycle; reports the first differing port. Both adapters
 * zero the whole struct before filling it, so equal bytes mean equal outputs: the port-by-port
 * comparison runs only when some byte differs (maybe in a field that means nothing this cycle). */
static void compare(dut_lockstep_t *l) {
  const vep_out_t *a = &l->side[0].out, *b = &l->side[1].out;
  if (memcmp(a, b, sizeof(*a)) == 0) return;
  char va[80], vb[80];
  /* The request fields mean something only with m_blk_req_valid (compared before them). */
#define LS_CMP(port, width)                                                 \
  if (a->port != b->port && (a->m_blk_req_valid || !ls_req_field(#port))) { \
    snprintf(va, sizeof(va), "0x%" PRIx64, (uint64_t)a->port);              \
    snprintf(vb, sizeof(vb), "0x%" PRIx64, (uint64_t)b->port);              \
    report(l, #port, "", va, vb);                                           \
    l->mismatch_port = #port;                                               \
    return;                                                                 \
  }
  VEP_OUT_PORTS(LS_CMP)
#undef LS_CMP
  if (cmp_data(l, "m_tx_data", a->m_tx_data, b->m_tx_data)) return;
  /* Write data only with m_blk_wdata_valid (equal on both sides by now). */
  if (a->m_blk_wdata_valid) cmp_data(l, "m_blk_wdata_data", a->m_blk_wdata_data,
                                     b->m_blk_wdata_data);
}

static void ls_step(cosim_dut_t *d, const vep_in_t *in) {
  dut_lockstep_t *l = (dut_lockstep_t *)d;
  cosim_beat_t beat;
  /* The outputs of this cycle decide which beats the handshakes transfer on this edge. */
  current_outputs(l);
  for (int i = 0; i < 2; i++) {
    ls_side_t *s = &l->side[i];
    if (in->rst_ni && in->s_rx_valid && s->out.s_rx_ready) {
      beat_of_rx(in, &beat);
      l->cb_hist = &s->rx;
      cosim_asm_push(&s->rx_asm, &beat, hist_cb, l);
    }
    if (in->rst_ni && s->out.m_tx_valid && in->m_tx_ready) {
      beat_of_tx(&s->out, &beat);
      l->cb_hist = &s->tx;
      cosim_asm_push(&s->tx_asm, &beat, hist_cb, l);
    }
    blk_watch(l, s, in);
  }
  cosim_dut_step(l->side[0].dut, in);
  cosim_dut_step(l->side[1].dut, in);
  l->cycle++;
  l->outs_valid = 0;
  if (l->mismatch_port) return;
  current_outputs(l);
  compare(l);
}

static int ls_trace_open(cosim_dut_t *d, const char *path) {
  return cosim_dut_trace_open(((dut_lockstep_t *)d)->side[0].dut, path);
}

static const char *ls_name(const cosim_dut_t *d) {
  (void)d;
  return "lockstep";
}

/* The reference side is the C model in the default pairing; the lead (RTL) shows nothing. */
static int ls_observe(const cosim_dut_t *d, cosim_dut_obs_t *obs) {
  const dut_lockstep_t *l = (const dut_lockstep_t *)d;
  int rc = cosim_dut_observe(l->side[1].dut, obs);
  return rc == -ENOTSUP ? cosim_dut_observe(l->side[0].dut, obs) : rc;
}

static const cosim_dut_ops_t lockstep_ops = {
    .destroy = ls_destroy,
    .outputs = ls_outputs,
    .step = ls_step,
    .trace_open = ls_trace_open,
    .name = ls_name,
};

int cosim_dut_lockstep_create(cosim_dut_t *lead, cosim_dut_t *ref, unsigned data_w,
                              cosim_errlog_t *log, const char *repro, cosim_dut_t **out) {
  dut_lockstep_t *l = NULL;
  int rc = -EINVAL;
  if (!lead || !ref || !log || !out || (data_w != 64 && data_w != 128 && data_w != 256)) goto fail;
  rc = -ENOMEM;
  l = calloc(1, sizeof(*l));
  if (!l) goto fail;
  if (repro && !(l->repro = cosim_strdup(repro))) goto fail;
  l->base.ops = &lockstep_ops;
  l->base.observe = ls_observe;
  l->side[0].dut = lead;
  l->side[1].dut = ref;
  l->data_w = data_w;
  l->log = log;
  for (int i = 0; i < 2; i++) {
    cosim_asm_init(&l->side[i].rx_asm, data_w / 32);
    cosim_asm_init(&l->side[i].tx_asm, data_w / 32);
  }
  *out = &l->base;
  return 0;
fail:
  if (l) free(l->repro);
  free(l);
  cosim_dut_destroy(lead);
  cosim_dut_destroy(ref);
  return rc;
}

int cosim_dut_lockstep_diverged(const cosim_dut_t *d) {
  return d && d->ops == &lockstep_ops && ((const dut_lockstep_t *)d)->mismatch_port != NULL;
}

const char *cosim_dut_lockstep_mismatch_port(const cosim_dut_t *d) {
  if (!d || d->ops != &lockstep_ops) return NULL;
  return ((const dut_lockstep_t *)d)->mismatch_port;
}
