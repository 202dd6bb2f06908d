/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The root complex: the host's side of the link.
 *
 * - Its own requests (configuration and MMIO from the driver, raw requests from tests): tags
 *   allocated in increasing order, completions matched by Requester ID and tag, a completion
 *   timeout after cpl_timeout cycles (reported, and the checker told to forget the request).
 * - What the device sends it: completions for its requests; memory writes, which are MSI-X
 *   messages inside the MSI window (delivered to the registered handler) or DMA writes to host
 *   memory, allowed only where the permission map lets the device write; memory reads (DMA),
 *   answered from host memory where the map lets the device read, after a seeded latency, split
 *   at the Read Completion Boundary and at MPS at seeded points, in request order (unless a
 *   fault plan delays, reorders, duplicates or fails them: cosim_rc_set_fault_plan). Any access
 *   outside the map is reported naming the TLP and not performed (a read gets a UR completion).
 *   Other non-posted requests get UR; INTx messages are accepted and ignored.
 */
#ifndef COSIM_RC_H
#define COSIM_RC_H

#include <stddef.h>
#include <stdint.h>

#include "cosim_check.h"
#include "cosim_err.h"
#include "cosim_mem.h"
#include "cosim_rng.h"
#include "cosim_tlp.h"

#define COSIM_RC_RCB 64u              /* the root complex's Read Completion Boundary */
#define COSIM_RC_DMA_LAT_MIN 4u       /* cycles from a device read to its first completion */
#define COSIM_RC_DMA_LAT_SPAN 16u     /* ... plus a seeded 0..SPAN-1 */

/* Puts a TLP on the link toward the device; returns the cycle its last beat launches, or a
 * negative errno. */
typedef int64_t (*cosim_rc_send_fn_t)(void *ctx, const uint32_t *dws, size_t n);
typedef void (*cosim_rc_msi_fn_t)(void *ctx, uint64_t addr, uint32_t data);

typedef struct cosim_rc_cfg {
  uint16_t rc_id;               /* Requester/Completer ID of the root complex */
  unsigned cpl_timeout;         /* cycles */
  uint64_t msi_base, msi_size;  /* the MSI window */
  cosim_hmem_t *mem;            /* host memory (required) */
  cosim_check_t *check;         /* told about timeouts; gives MPS (required) */
  cosim_errlog_t *log;          /* (required) */
  cosim_rng_t *rng;             /* the simulation's random numbers (required) */
  cosim_rc_send_fn_t send;      /* (required) */
  void *send_ctx;
  /* TLPs sent on the link towards the device, and TLPs the device has taken (its last beat
   * accepted). A requester's completion timer runs from the transmission of the request, so a
   * request still queued behind others, or held by device backpressure, has not started its
   * timeout yet. (required) */
  const uint64_t *tlps_sent;
  const uint64_t *tlps_delivered;
  /* Consecutive cycles in which a beat was offered to the device and refused (s_rx_ready 0).
   * When it reaches cpl_timeout, requests not yet delivered end as timed out too: a device
   * that holds its RX stream must not make a synchronous access wait forever. (required) */
  const uint64_t *rx_refused;
  /* Puts an injected faulty completion (cosim_rc_set_dma_fault) on the link WITHOUT showing it
   * to the checker: the root complex shows the checker a sound stand-in itself (a poisoned CplD
   * with EP cleared; for a dropped read, a UR that never reaches the link), so an expected fault
   * is neither a rule violation nor leaves the checker waiting. NULL: faults use send. */
  cosim_rc_send_fn_t send_fault;
  uint64_t fault_seed;          /* seeds the fault plan's own random stream */
} cosim_rc_cfg_t;

typedef struct cosim_rc cosim_rc_t;

/* The pointers in cfg must outlive the root complex. Returns 0, -EINVAL, -ENOMEM. */
int cosim_rc_create(const cosim_rc_cfg_t *cfg, cosim_rc_t **out);
void cosim_rc_destroy(cosim_rc_t *rc);

void cosim_rc_set_msi_handler(cosim_rc_t *rc, cosim_rc_msi_fn_t fn, void *ctx);

/* The next free tag (8 bits, in increasing order, wrapping), or -EBUSY when all are waiting. */
int cosim_rc_alloc_tag(cosim_rc_t *rc);
/* Encodes req and sends it as it is (fields not checked beyond encoding). A non-posted request
 * is then waited for under (req->req_id, req->tag). Returns 0 (non-posted) or 1 (posted) with
 * *launch set to the cycle its last beat enters the link; -EINVAL when req cannot be encoded;
 * -EBUSY when that tag is already waited for. */
int cosim_rc_issue(cosim_rc_t *rc, uint64_t now, const cosim_tlp_t *req, uint64_t *launch);

typedef struct cosim_rc_result {
  unsigned status;              /* of the last completion: VEP_CPL_* */
  cosim_tlp_t *first;           /* the first completion (owned by the root complex, valid until
                                   the next issue with this tag) */
} cosim_rc_result_t;
/* For a request issued with tag: -EAGAIN while completions are still due; 0 once the last came
 * (res filled); -ETIMEDOUT once it timed out; -ENOENT when nothing was issued with that tag.
 * 0 and -ETIMEDOUT free the tag. */
int cosim_rc_result(cosim_rc_t *rc, uint16_t req_id, uint16_t tag, cosim_rc_result_t *res);

/* DMA fault injection: device memory reads (MRd) that touch [addr, addr + len) are answered,
 * instead of from host memory and without a permission (IOMMU) check, with: */
#define COSIM_DMA_FAULT_NONE   0u   /* (removes the faults overlapping the range) */
#define COSIM_DMA_FAULT_UR     1u   /* one Cpl, Unsupported Request */
#define COSIM_DMA_FAULT_CA     2u   /* one Cpl, Completer Abort */
#define COSIM_DMA_FAULT_POISON 3u   /* the normal CplDs, every one poisoned (EP = 1) */
#define COSIM_DMA_FAULT_DROP   4u   /* nothing at all: the device's completion timeout */
/* Kinds only a fault plan (below) injects; the read is answered from host memory as usual: */
#define COSIM_DMA_FAULT_DELAY   5u  /* its completions held back an extra seeded N cycles */
#define COSIM_DMA_FAULT_REORDER 6u  /* its completions due at a fresh seeded time, free to pass
                                     * (or fall behind) those of other reads */
#define COSIM_DMA_FAULT_DUP     7u  /* its last completion sent twice, back to back */
#define COSIM_DMA_FAULT_KINDS   8u
#define COSIM_RC_MAX_FAULTS 8u
/* Adds a fault range (len > 0), or with COSIM_DMA_FAULT_NONE removes every fault range that
 * overlaps [addr, addr + len). 0, -EINVAL (bad kind, len 0), -ENOSPC (COSIM_RC_MAX_FAULTS set). */
int cosim_rc_set_dma_fault(cosim_rc_t *rc, uint64_t addr, uint64_t len, unsigned kind);
/* Device reads answered by a fault so far. */
uint64_t cosim_rc_dma_faults_hit(const cosim_rc_t *rc);

/* ---- Fault plan: faults drawn at random per device read ----
 * Each device memory read meets the kinds of the plan with their own probabilities, drawn from
 * the root complex's fault stream (cosim_rc_cfg.fault_seed; nothing is drawn without a plan, so
 * a plan changes no other random choice). A read that meets no fixed range
 * (cosim_rc_set_dma_fault) and passes the permission check (a read outside the map is reported
 * and answered UR, and draws nothing) draws each kind whose ranges it touches:
 * - the error kinds UR, CA, POISON, DROP, in this order: the first drawn answers the read (as
 *   the fixed ranges do: an expected fault; the checker sees stand-ins);
 * - otherwise DELAY, REORDER and DUP, each drawn on its own (they combine), on a read answered
 *   from host memory.
 * REORDER keeps the completions of one read in address order and together; only different
 * reads (tags) pass each other. DUP's second copy is never shown to the checker (it is no rule
 * violation of the root complex's; real links never duplicate a TLP, the data link layer drops
 * repeats): it reaches the device right after the original, while the tag is still not reused. */
#define COSIM_FAULT_RULE_RANGES 8u
typedef struct cosim_fault_range {
  uint64_t addr, len;
} cosim_fault_range_t;

typedef struct cosim_fault_rule {
  unsigned permille;            /* chance per device read, 0..1000 */
  /* Reads touching a byte of one of the first nranges ranges draw; nranges 0: every read. */
  unsigned nranges;
  cosim_fault_range_t range[COSIM_FAULT_RULE_RANGES];
} cosim_fault_rule_t;

/* Called for each fault injected (plan or fixed range) with the read's first byte and length:
 * how a test learns which of its buffers met which fault. */
typedef void (*cosim_fault_fn_t)(void *ctx, uint64_t addr, uint64_t len, unsigned kind);

typedef struct cosim_fault_plan {
  cosim_fault_rule_t rule[COSIM_DMA_FAULT_KINDS];  /* indexed by kind; [NONE] unused */
  unsigned delay_min, delay_max;  /* DELAY: extra cycles, uniform in [min, max] */
  unsigned reorder_span;          /* REORDER: due 4 + [0, span) cycles after the read arrives
                                   * (the usual latency is 4 + [0, 16), in request order) */
  cosim_fault_fn_t on_fault;      /* may be NULL */
  void *on_fault_ctx;
} cosim_fault_plan_t;

typedef struct cosim_fault_stats {
  uint64_t reads;                            /* device memory reads seen */
  uint64_t injected[COSIM_DMA_FAULT_KINDS];  /* reads that met each kind ([NONE]: none met) */
} cosim_fault_stats_t;

/* Replaces the plan (NULL: no plan). -EINVAL: a permille above 1000, nranges above
 * COSIM_FAULT_RULE_RANGES, delay_min > delay_max, a
 * DELAY or REORDER probability with delay_max / reorder_span 0. */
int cosim_rc_set_fault_plan(cosim_rc_t *rc, const cosim_fault_plan_t *plan);
/* Counts since creation, of the plan and the fixed ranges together. */
void cosim_rc_fault_stats(const cosim_rc_t *rc, cosim_fault_stats_t *st);

/* A TLP from the device (decoded; the checker has already judged it). */
void cosim_rc_receive(cosim_rc_t *rc, uint64_t now, const cosim_tlp_t *t);
/* Once per cycle: completion timeouts, and DMA completions that are due go on the link. */
void cosim_rc_tick(cosim_rc_t *rc, uint64_t now);

#endif /* COSIM_RC_H */
