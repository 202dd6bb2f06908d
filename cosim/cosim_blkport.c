/* SPDX-License-Identifier: Apache-2.0 */
/* The backend-port adapter (cosim_blkport.h). */
#include "cosim_blkport.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cosim_rng.h"
#include "vep_consts.h"

#define BP_TAGS 256u            /* m_blk_req_tag is 8 bits */

typedef enum { BP_FREE = 0, BP_WAIT_DATA, BP_AT_STORAGE, BP_READY } bp_state_t;

typedef struct bp_tag {
  bp_state_t state;
  uint8_t type;
  uint64_t sector;
  uint32_t bytes;
  uint64_t cycle;               /* when the request was taken */
  /* OUT data being collected */
  uint8_t *wbuf;                /* NULL when the data is not kept (too large, or a violation) */
  uint64_t wgot;                /* data bytes received */
  int wbad;                     /* a violation already reported: answer IOERR, do not write */
} bp_tag_t;

/* An answer waiting for its turn on s_blk_rsp (completion order). */
typedef struct bp_rsp {
  uint8_t tag;
  uint8_t status;
  uint8_t *data;                /* nbeats * data_w/8 bytes, or NULL (one beat of zeros) */
  uint32_t nbeats;
  uint64_t data_bytes;          /* IN: bytes delivered (for the counter) */
} bp_rsp_t;

struct cosim_blkport {
  cosim_blkport_cfg_t cfg;
  cosim_errlog_t *log;
  cosim_storage_t *st;
  cosim_rng_t rng;
  unsigned bpb;                 /* bytes per beat */
  unsigned max_out;             /* outstanding bound */
  uint64_t max_req_bytes;       /* what one storage READ/WRITE may carry */
  bp_tag_t tag[BP_TAGS];
  /* OUT requests waiting for their data, in request order */
  uint8_t wq[BP_TAGS];
  unsigned wq_head, wq_n;
  /* answers ready, in completion order; rq[0] is the one on the port (once started) */
  bp_rsp_t *rq;
  size_t rq_head, rq_n, rq_cap;
  int rsp_active;               /* rq head has started: its beats go out back to back */
  uint32_t rsp_beat;            /* next beat of the head */
  cosim_blkport_stats_t stats;
};

void cosim_blkport_cfg_default(cosim_blkport_cfg_t *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  cosim_storage_cfg_default(&cfg->storage);
  cfg->data_w = 64;
  cfg->seed = 1;
}

const char *cosim_blkport_type_name(unsigned type, char *buf, size_t len) {
  switch (type) {
    case VEP_BLK_T_IN: return "IN";
    case VEP_BLK_T_OUT: return "OUT";
    case VEP_BLK_T_FLUSH: return "FLUSH";
    case VEP_BLK_T_GET_ID: return "GET_ID";
    default: snprintf(buf, len, "type %u", type); return buf;
  }
}

int cosim_blkport_create(const cosim_blkport_cfg_t *cfg, cosim_errlog_t *log,
                         cosim_blkport_t **out, char *err, size_t errlen) {
  if (err && errlen) err[0] = 0;
  if (!cfg || !log || !out || (cfg->data_w != 64 && cfg->data_w != 128 && cfg->data_w != 256) ||
      cfg->req_stall_pct > 99 || cfg->rsp_gap_pct > 99) {
    if (err && errlen) snprintf(err, errlen, "bad backend-port configuration");
    return -EINVAL;
  }
  cosim_blkport_t *b = calloc(1, sizeof(*b));
  if (!b) return -ENOMEM;
  b->cfg = *cfg;
  b->log = log;
  b->bpb = cfg->data_w / 8;
  b->max_out = cfg->storage.max_inflight ? cfg->storage.max_inflight
                                         : COSIM_STORAGE_DEF_MAX_INFLIGHT;
  uint32_t mrs = cfg->storage.max_req_sectors ? cfg->storage.max_req_sectors
                                              : COSIM_STORAGE_DEF_MAX_REQ_SECTORS;
  b->max_req_bytes = (uint64_t)mrs * COSIM_STORAGE_SECTOR;
  cosim_rng_seed(&b->rng, cfg->seed ^ 0xB1C0B1C0DEADBEEFull);
  cosim_storage_cfg_t sc = cfg->storage;
  sc.max_inflight = b->max_out;
  int rc = cosim_storage_create(&sc, &b->st, err, errlen);
  if (rc) {
    free(b);
    return rc;
  }
  /* The strings of the caller's cfg need not outlive create. */
  b->cfg.storage.path = NULL;
  b->cfg.storage.serial = NULL;
  *out = b;
  return 0;
}

void cosim_blkport_destroy(cosim_blkport_t *b) {
  if (!b) return;
  for (unsigned i = 0; i < BP_TAGS; i++) free(b->tag[i].wbuf);
  for (size_t i = 0; i < b->rq_n; i++) free(b->rq[(b->rq_head + i) % b->rq_cap].data);
  free(b->rq);
  cosim_storage_destroy(b->st);
  free(b);
}

cosim_storage_t *cosim_blkport_storage(cosim_blkport_t *b) { return b->st; }

void cosim_blkport_get_stats(const cosim_blkport_t *b, cosim_blkport_stats_t *st) {
  *st = b->stats;
}

int cosim_blkport_idle(const cosim_blkport_t *b) { return b->stats.outstanding == 0; }

static int draw(cosim_blkport_t *b, unsigned pct) {
  return pct && cosim_rng_below(&b->rng, 100) < pct;
}

/* Queues an answer; data (may be NULL) is copied, padded with zeros to whole beats. */
static void answer(cosim_blkport_t *b, uint64_t cycle, uint8_t tag, uint8_t status,
                   const uint8_t *data, size_t len) {
  if (b->rq_n == b->rq_cap) {
    size_t cap = b->rq_cap ? 2 * b->rq_cap : 16;
    bp_rsp_t *n = calloc(cap, sizeof(*n));
    if (!n) {
      cosim_errlog_add(b->log, cycle, "backend port: out of memory queueing the answer to tag %u",
                       tag);
      return;
    }
    for (size_t i = 0; i < b->rq_n; i++) n[i] = b->rq[(b->rq_head + i) % b->rq_cap];
    free(b->rq);
    b->rq = n;
    b->rq_cap = cap;
    b->rq_head = 0;
  }
  bp_rsp_t r = {.tag = tag, .status = status, .nbeats = 1};
  if (status == VEP_BLK_S_OK && len) {
    r.nbeats = (uint32_t)((len + b->bpb - 1) / b->bpb);
    r.data = calloc(r.nbeats, b->bpb);
    if (!r.data) {
      cosim_errlog_add(b->log, cycle, "backend port: out of memory for %zu bytes of tag %u", len,
                       tag);
      r.nbeats = 1;
      r.status = VEP_BLK_S_IOERR;
    } else {
      memcpy(r.data, data, len);
      if (b->tag[tag].type == VEP_BLK_T_IN) r.data_bytes = len;
    }
  }
  b->rq[(b->rq_head + b->rq_n++) % b->rq_cap] = r;
  b->tag[tag].state = BP_READY;
}

static void violation(cosim_blkport_t *b, uint64_t cycle, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void violation(cosim_blkport_t *b, uint64_t cycle, const char *fmt, ...) {
  char text[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  b->stats.violations++;
  cosim_errlog_add(b->log, cycle, "backend port protocol: %s", text);
}

static void submit(cosim_blkport_t *b, uint64_t cycle, uint8_t tag, cosim_storage_op_t op,
                   const void *data) {
  bp_tag_t *t = &b->tag[tag];
  cosim_storage_req_t r = {.tag = tag, .op = op, .sector = t->sector,
                           .nsectors = (uint32_t)(t->bytes / COSIM_STORAGE_SECTOR), .data = data};
  int rc = cosim_storage_submit(b->st, cycle, &r);
  if (rc == 0) {
    t->state = BP_AT_STORAGE;
    return;
  }
  /* Too large for one storage request (the device should have split or refused it), or an
   * internal error: the device still gets an answer. */
  if (rc != -EINVAL)
    cosim_errlog_add(b->log, cycle, "backend port: storage refused tag %u: %s", tag,
                     strerror(-rc));
  answer(b, cycle, tag, VEP_BLK_S_IOERR, NULL, 0);
}

static void take_request(cosim_blkport_t *b, uint64_t cycle, const vep_out_t *o) {
  uint8_t tag = o->m_blk_req_tag;
  bp_tag_t *t = &b->tag[tag];
  char tn[24], tn2[24];
  const char *name = cosim_blkport_type_name(o->m_blk_req_type, tn, sizeof(tn));
  b->stats.requests++;
  if (t->state != BP_FREE) {
    violation(b, cycle,
              "request tag %u reused while outstanding (new: %s sector %" PRIu64
              " bytes %u; outstanding: %s sector %" PRIu64 " bytes %u taken at cycle %" PRIu64
              "); the new request is dropped",
              tag, name, o->m_blk_req_sector, o->m_blk_req_bytes,
              cosim_blkport_type_name(t->type, tn2, sizeof(tn2)), t->sector, t->bytes, t->cycle);
    return;
  }
  t->type = o->m_blk_req_type;
  t->sector = o->m_blk_req_sector;
  t->bytes = o->m_blk_req_bytes;
  t->cycle = cycle;
  t->wgot = 0;
  t->wbad = 0;
  t->state = BP_AT_STORAGE;
  if (++b->stats.outstanding > b->stats.max_outstanding)
    b->stats.max_outstanding = b->stats.outstanding;
  switch (t->type) {
    case VEP_BLK_T_IN:
    case VEP_BLK_T_OUT:
      if (t->type == VEP_BLK_T_IN) b->stats.req_in++;
      else b->stats.req_out++;
      if (t->bytes % COSIM_STORAGE_SECTOR) {
        violation(b, cycle, "request tag %u %s sector %" PRIu64 " bytes %u: bytes not a multiple"
                  " of 512", tag, name, t->sector, t->bytes);
        t->wbad = 1;
      }
      if (t->type == VEP_BLK_T_OUT) {
        /* The data follows, ended by a last beat (an OUT of 0 bytes: one beat with keep 0); it
         * is kept only when the storage can take it in one request. */
        t->state = BP_WAIT_DATA;
        if (!t->wbad && t->bytes && t->bytes <= b->max_req_bytes &&
            !(t->wbuf = malloc(t->bytes))) {
          cosim_errlog_add(b->log, cycle, "backend port: out of memory for OUT tag %u", tag);
          t->wbad = 1;
        }
        b->wq[(b->wq_head + b->wq_n++) % BP_TAGS] = tag;
        return;
      }
      if (t->wbad)
        answer(b, cycle, tag, VEP_BLK_S_IOERR, NULL, 0);
      else
        submit(b, cycle, tag, t->type == VEP_BLK_T_IN ? COSIM_STORAGE_READ : COSIM_STORAGE_WRITE,
               "");
      return;
    case VEP_BLK_T_FLUSH:
      b->stats.req_flush++;
      if (t->bytes != 0)
        violation(b, cycle, "request tag %u FLUSH with bytes %u (0 expected); served anyway", tag,
                  t->bytes);
      submit(b, cycle, tag, COSIM_STORAGE_FLUSH, NULL);
      return;
    case VEP_BLK_T_GET_ID:
      b->stats.req_get_id++;
      if (t->bytes != VEP_BLK_ID_BYTES)
        violation(b, cycle, "request tag %u GET_ID with bytes %u (20 expected); served anyway",
                  tag, t->bytes);
      submit(b, cycle, tag, COSIM_STORAGE_GET_ID, NULL);
      return;
    default:
      b->stats.req_other++;
      violation(b, cycle, "request tag %u of unknown type %u (sector %" PRIu64 " bytes %u): the "
                "device answers unknown types itself; answered UNSUPP", tag, t->type, t->sector,
                t->bytes);
      answer(b, cycle, tag, VEP_BLK_S_UNSUPP, NULL, 0);
      return;
  }
}

static void take_wdata(cosim_blkport_t *b, uint64_t cycle, const vep_out_t *o) {
  uint32_t keep = o->m_blk_wdata_keep;
  uint32_t mask = b->bpb >= 32 ? 0xFFFFFFFFu : (1u << b->bpb) - 1;
  if (!b->wq_n) {
    violation(b, cycle, "write data beat without a pending OUT request (keep 0x%x last %u abort "
              "%u, data[0] 0x%016" PRIx64 ")", keep, o->m_blk_wdata_last, o->m_blk_wdata_abort,
              o->m_blk_wdata_data[0]);
    return;
  }
  uint8_t tag = b->wq[b->wq_head];
  bp_tag_t *t = &b->tag[tag];
  unsigned lo = 0, n = 0;
  if (keep & ~mask) {
    violation(b, cycle, "write data of OUT tag %u: keep 0x%x has bits above the %u byte lanes",
              tag, keep, b->bpb);
    t->wbad = 1;
    keep &= mask;
  }
  if (keep) {
    while (!(keep >> lo & 1)) lo++;
    uint32_t run = keep >> lo;
    while (n < 32 && (run >> n & 1)) n++;
    if (n < 32 && (run >> n) != 0) {
      violation(b, cycle, "write data of OUT tag %u: keep 0x%x is not one contiguous run", tag,
                o->m_blk_wdata_keep);
      t->wbad = 1;
    }
  } else if (!o->m_blk_wdata_abort && !(t->bytes == 0 && o->m_blk_wdata_last)) {
    violation(b, cycle, "write data of OUT tag %u: keep 0 on a beat without abort (last %u)", tag,
              o->m_blk_wdata_last);
    t->wbad = 1;
  }
  if (o->m_blk_wdata_abort && !o->m_blk_wdata_last) {
    violation(b, cycle, "write data of OUT tag %u: abort without last", tag);
    t->wbad = 1;
  }
  for (unsigned i = 0; t->wbuf && i < n && lo + i < b->bpb; i++) {
    uint64_t pos = t->wgot + i;
    if (pos < t->bytes)
      t->wbuf[pos] = (uint8_t)(o->m_blk_wdata_data[(lo + i) / 8] >> (8 * ((lo + i) % 8)));
  }
  uint64_t before = t->wgot;
  t->wgot += n;
  if (before <= t->bytes && t->wgot > t->bytes) {
    violation(b, cycle, "write data of OUT tag %u (sector %" PRIu64 "): more data bytes than the "
              "%u announced (%" PRIu64 " so far)", tag, t->sector, t->bytes, t->wgot);
    t->wbad = 1;
  }
  if (!o->m_blk_wdata_last) return;
  b->wq_head = (b->wq_head + 1) % BP_TAGS;
  b->wq_n--;
  if (o->m_blk_wdata_abort) {
    b->stats.aborted++;
    t->wbad = 1;
  } else if (t->wgot < t->bytes) {
    violation(b, cycle, "write data of OUT tag %u (sector %" PRIu64 "): last beat after %" PRIu64
              " data bytes, fewer than the %u announced", tag, t->sector, t->wgot, t->bytes);
    t->wbad = 1;
  }
  if (t->wbad || (!t->wbuf && t->bytes))
    answer(b, cycle, tag, VEP_BLK_S_IOERR, NULL, 0);
  else
    submit(b, cycle, tag, COSIM_STORAGE_WRITE, t->wbuf ? t->wbuf : (const uint8_t *)"");
  free(t->wbuf);
  t->wbuf = NULL;
}

static void poll_storage(cosim_blkport_t *b, uint64_t cycle) {
  cosim_storage_cpl_t c;
  int rc;
  while ((rc = cosim_storage_poll(b->st, cycle, &c)) == 1) {
    uint8_t tag = (uint8_t)c.tag;
    if (c.status == COSIM_STORAGE_OK && c.op == COSIM_STORAGE_WRITE)
      b->stats.bytes_written += (uint64_t)c.nsectors * COSIM_STORAGE_SECTOR;
    if (c.status == COSIM_STORAGE_OK && (c.op == COSIM_STORAGE_READ || c.op == COSIM_STORAGE_GET_ID))
      answer(b, cycle, tag, VEP_BLK_S_OK, c.data, c.len);
    else
      answer(b, cycle, tag, c.status == COSIM_STORAGE_OK ? VEP_BLK_S_OK : VEP_BLK_S_IOERR, NULL, 0);
  }
  if (rc < 0) cosim_errlog_add(b->log, cycle, "backend port: storage poll: %s", strerror(-rc));
}

void cosim_blkport_cycle(cosim_blkport_t *b, uint64_t cycle, int in_reset, const vep_out_t *o,
                         vep_in_t *in) {
  in->m_blk_req_ready = 0;
  in->s_blk_rsp_valid = 0;
  in->s_blk_rsp_tag = 0;
  in->s_blk_rsp_last = 0;
  in->s_blk_rsp_status = 0;
  memset(in->s_blk_rsp_data, 0, sizeof(in->s_blk_rsp_data));
  if (in_reset) return;
  poll_storage(b, cycle);

  /* Inputs of this cycle. */
  in->m_blk_req_ready =
      b->stats.outstanding < b->max_out && !draw(b, b->cfg.req_stall_pct);
  if (b->rq_n && !b->rsp_active && !draw(b, b->cfg.rsp_gap_pct)) {
    b->rsp_active = 1;
    b->rsp_beat = 0;
  }
  const bp_rsp_t *r = b->rsp_active ? &b->rq[b->rq_head] : NULL;
  if (r) {
    in->s_blk_rsp_valid = 1;
    in->s_blk_rsp_tag = r->tag;
    if (r->data) memcpy(in->s_blk_rsp_data, r->data + (size_t)b->rsp_beat * b->bpb, b->bpb);
    in->s_blk_rsp_last = b->rsp_beat + 1 == r->nbeats;
    in->s_blk_rsp_status = in->s_blk_rsp_last ? r->status : 0;
  }

  /* What the edge transfers: requests first, so that reusing a tag on the very edge its answer
   * ends is caught (the device cannot have seen that answer end yet). */
  if (o->m_blk_req_valid && in->m_blk_req_ready) take_request(b, cycle, o);
  if (o->m_blk_wdata_valid) take_wdata(b, cycle, o);
  if (r && o->s_blk_rsp_ready) {
    if (!in->s_blk_rsp_last) {
      b->rsp_beat++;
      return;
    }
    bp_tag_t *t = &b->tag[r->tag];
    b->stats.responses++;
    if (r->status == VEP_BLK_S_OK) {
      b->stats.rsp_ok++;
      b->stats.bytes_read += r->data_bytes;
    } else if (r->status == VEP_BLK_S_UNSUPP) {
      b->stats.rsp_unsupp++;
    } else {
      b->stats.rsp_ioerr++;
    }
    free(b->rq[b->rq_head].data);
    b->rq_head = (b->rq_head + 1) % b->rq_cap;
    b->rq_n--;
    b->rsp_active = 0;
    t->state = BP_FREE;
    b->stats.outstanding--;
  }
}
