/* SPDX-License-Identifier: Apache-2.0 */
#include "cosim_link.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct link_slot {
  cosim_beat_t beat;
  uint64_t launch;
} link_slot_t;

struct cosim_link {
  unsigned lanes;
  unsigned latency;
  link_slot_t *ring;
  size_t cap, head, count;      /* cap: a power of two, so that positions wrap with a mask */
  int launched_any;
  uint64_t last_launch;
};

int cosim_link_create(unsigned data_w, unsigned latency, cosim_link_t **out) {
  if (!out || (data_w != 64 && data_w != 128 && data_w != 256)) return -EINVAL;
  cosim_link_t *l = calloc(1, sizeof(*l));
  if (!l) return -ENOMEM;
  l->lanes = data_w / 32;
  l->latency = latency;
  l->cap = 64;
  l->ring = calloc(l->cap, sizeof(*l->ring));
  if (!l->ring) {
    free(l);
    return -ENOMEM;
  }
  *out = l;
  return 0;
}

void cosim_link_destroy(cosim_link_t *l) {
  if (!l) return;
  free(l->ring);
  free(l);
}

unsigned cosim_link_lanes(const cosim_link_t *l) { return l->lanes; }
size_t cosim_link_queued(const cosim_link_t *l) { return l->count; }

static int grow(cosim_link_t *l) {
  size_t ncap = l->cap * 2;
  link_slot_t *r = malloc(ncap * sizeof(*r));
  if (!r) return -ENOMEM;
  for (size_t i = 0; i < l->count; i++) r[i] = l->ring[(l->head + i) & (l->cap - 1)];
  free(l->ring);
  l->ring = r;
  l->cap = ncap;
  l->head = 0;
  return 0;
}

static int push(cosim_link_t *l, const cosim_beat_t *b, uint64_t launch) {
  if (l->count == l->cap) {
    int rc = grow(l);
    if (rc) return rc;
  }
  link_slot_t *s = &l->ring[(l->head + l->count) & (l->cap - 1)];
  s->beat = *b;
  s->launch = launch;
  l->count++;
  l->launched_any = 1;
  l->last_launch = launch;
  return 0;
}

int cosim_tlp_to_beats(const uint32_t *dws, size_t n, unsigned lanes, cosim_beat_t *beats,
                       size_t max) {
  if (n == 0 || lanes == 0 || lanes > 2 * VEP_DATA_QWORDS) return -EINVAL;
  size_t nb = (n + lanes - 1) / lanes;
  if (nb > max) return -EINVAL;
  for (size_t b = 0; b < nb; b++) {
    cosim_beat_t *bt = &beats[b];
    memset(bt, 0, sizeof(*bt));
    bt->sop = b == 0;
    bt->eop = b == nb - 1;
    for (unsigned lane = 0; lane < lanes; lane++) {
      size_t i = b * lanes + lane;
      if (i >= n) break;
      bt->data[lane / 2] |= (uint64_t)dws[i] << (32 * (lane % 2));
      bt->keep |= (uint8_t)(1u << lane);
    }
  }
  return (int)nb;
}

int64_t cosim_link_send_tlp(cosim_link_t *l, uint64_t now, const uint32_t *dws, size_t n) {
  if (n == 0 || n > COSIM_TLP_MAX_TOTAL_DW) return -EINVAL;
  cosim_beat_t beats[COSIM_TLP_MAX_TOTAL_DW];
  int nb = cosim_tlp_to_beats(dws, n, l->lanes, beats, COSIM_TLP_MAX_TOTAL_DW);
  if (nb < 0) return nb;
  uint64_t launch = (l->launched_any && l->last_launch >= now) ? l->last_launch + 1 : now;
  for (int i = 0; i < nb; i++) {
    int rc = push(l, &beats[i], launch + (uint64_t)i);
    if (rc) return rc;
  }
  return (int64_t)l->last_launch;
}

int cosim_link_send_beat(cosim_link_t *l, uint64_t now, const cosim_beat_t *b) {
  if (l->launched_any && l->last_launch >= now) return -EBUSY;
  return push(l, b, now);
}

const cosim_beat_t *cosim_link_head(const cosim_link_t *l, uint64_t now) {
  if (!l->count) return NULL;
  const link_slot_t *s = &l->ring[l->head];
  return s->launch + l->latency <= now ? &s->beat : NULL;
}

void cosim_link_pop(cosim_link_t *l) {
  if (!l->count) return;
  l->head = (l->head + 1) & (l->cap - 1);
  l->count--;
}

void cosim_asm_init(cosim_asm_t *a, unsigned lanes) {
  a->lanes = lanes;
  a->active = 0;
  a->n = 0;
  a->framing = NULL;
}

static void finish(cosim_asm_t *a, cosim_asm_fn_t fn, void *ctx) {
  fn(ctx, a->dws, a->n, a->framing);
  a->active = 0;
  a->n = 0;
  a->framing = NULL;
}

void cosim_asm_push(cosim_asm_t *a, const cosim_beat_t *b, cosim_asm_fn_t fn, void *ctx) {
  unsigned all = (1u << a->lanes) - 1;
  if (b->sop && a->active) {
    if (!a->framing) a->framing = "no eop: the next TLP's sop came first";
    finish(a, fn, ctx);
  }
  if (!b->sop && !a->active) {
    fn(ctx, NULL, 0, "beat without sop outside a TLP");
    return;
  }
  a->active = 1;
  unsigned keep = b->keep;
  const char *err = NULL;
  if (keep & ~all)
    err = "keep has bits above the stream's lanes";
  else if (keep == 0)
    err = "keep 0 on a transferred beat";
  else if (keep & (keep + 1))
    err = "keep not contiguous from lane 0";
  else if (!b->eop && keep != all)
    err = "keep not full on a beat without eop";
  if (err && !a->framing) a->framing = err;
  for (unsigned lane = 0; lane < a->lanes; lane++) {
    if (!(keep >> lane & 1)) continue;
    if (a->n >= COSIM_TLP_MAX_TOTAL_DW) {
      if (!a->framing) a->framing = "longer than the longest TLP";
      break;
    }
    a->dws[a->n++] = (uint32_t)(b->data[lane / 2] >> (32 * (lane % 2)));
  }
  if (b->eop) finish(a, fn, ctx);
}
