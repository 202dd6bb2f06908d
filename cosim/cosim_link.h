/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One direction of the link between the root complex and the endpoint: a delay line of
 * DATA_W-bit beats. A beat launched in cycle c is at the far end from cycle c + latency; at most
 * one beat is launched per cycle (the bandwidth of one beat per cycle per direction). The far end
 * takes beats when it is ready; beats it has not taken wait in order (flow-control credits come
 * later, and will bound this wait).
 *
 * Also the conversion between a TLP's DWs and beats (DW i in lane i % lanes of beat i / lanes,
 * lane l in bits [32(l%2)+31 : 32(l%2)] of data[l/2], as in vep_ports.h), and an assembler that
 * rebuilds TLPs from beats and reports framing errors (sop/eop/keep).
 */
#ifndef COSIM_LINK_H
#define COSIM_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "cosim_tlp.h"
#include "vep_ports.h"

typedef struct cosim_beat {
  uint64_t data[VEP_DATA_QWORDS];
  uint8_t keep;                 /* one bit per DW lane */
  uint8_t sop, eop;
} cosim_beat_t;

typedef struct cosim_link cosim_link_t;

/* data_w: 64, 128 or 256. Returns 0, -EINVAL or -ENOMEM. */
int cosim_link_create(unsigned data_w, unsigned latency, cosim_link_t **out);
void cosim_link_destroy(cosim_link_t *l);

/* Queues the TLP dws[0..n) as beats launched one per cycle, the first in cycle now or, when
 * earlier beats are still to launch, right after them. Returns the cycle in which the last beat
 * launches, or -EINVAL (n is 0 or above COSIM_TLP_MAX_TOTAL_DW) / -ENOMEM. */
int64_t cosim_link_send_tlp(cosim_link_t *l, uint64_t now, const uint32_t *dws, size_t n);
/* Launches one beat in cycle now, as a sender driving the stream does. Returns 0, -EBUSY when a
 * beat was already launched in cycle now or later, -ENOMEM. */
int cosim_link_send_beat(cosim_link_t *l, uint64_t now, const cosim_beat_t *b);
/* The oldest beat not yet taken if it has arrived by cycle now, else NULL. */
const cosim_beat_t *cosim_link_head(const cosim_link_t *l, uint64_t now);
/* Takes the head beat (after cosim_link_head returned it). */
void cosim_link_pop(cosim_link_t *l);
/* Beats launched or waiting to launch that the far end has not taken. */
size_t cosim_link_queued(const cosim_link_t *l);
unsigned cosim_link_lanes(const cosim_link_t *l);

/* Splits dws[0..n) into beats of `lanes` DW lanes; returns the number of beats written to
 * beats[0..max), or -EINVAL when they do not fit. */
int cosim_tlp_to_beats(const uint32_t *dws, size_t n, unsigned lanes, cosim_beat_t *beats,
                       size_t max);

/* TLP assembler: beats in, whole TLPs out. */
typedef struct cosim_asm {
  unsigned lanes;
  int active;                   /* inside a TLP (sop seen, eop not yet) */
  size_t n;
  const char *framing;          /* first framing error of the current TLP, or NULL */
  uint32_t dws[COSIM_TLP_MAX_TOTAL_DW];
} cosim_asm_t;

/* Called for each TLP the assembler completes (framing NULL when its beats were well formed),
 * and with dws NULL / n 0 for a beat that belongs to no TLP (framing says why). */
typedef void (*cosim_asm_fn_t)(void *ctx, const uint32_t *dws, size_t n, const char *framing);

void cosim_asm_init(cosim_asm_t *a, unsigned lanes);
/* Feeds one beat that was transferred (valid and ready). A sop inside a TLP ends the previous TLP
 * (reported with a framing error) and starts a new one. */
void cosim_asm_push(cosim_asm_t *a, const cosim_beat_t *b, cosim_asm_fn_t fn, void *ctx);

#endif /* COSIM_LINK_H */
