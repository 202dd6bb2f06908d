/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The backend-port adapter: the storage side of the endpoint's virtio-blk backend port
 * (docs/datapath.md "The backend port", docs/storage.md). Each cycle it reads the DUT's outputs
 * (m_blk_req_*, m_blk_wdata_*, s_blk_rsp_ready), drives the DUT's inputs (m_blk_req_ready,
 * s_blk_rsp_*) and serves the requests from a cosim_storage model, whose latency, jitter and
 * in-flight bound decide when each answer comes. Answers of different tags come in completion
 * order (with jitter, not in request order); the beats of one answer come on consecutive cycles
 * once it has started, each held until s_blk_rsp_ready takes it.
 *
 * It also checks the device side of the protocol and reports each violation into the
 * simulation's error list, naming the cycle and the fields: a tag reused while outstanding, an
 * unknown type, a bytes field that does not fit the type (IN/OUT: a multiple of 512; GET_ID 20;
 * FLUSH 0), write data without a pending OUT request, more or fewer data bytes than the request
 * announced, a keep that is not one contiguous run (or 0 on a beat that does not abort), abort
 * without last. After a violation it still answers (IOERR, or UNSUPP for an unknown type; a
 * reused tag's second request is dropped), so the DUT is not left waiting.
 *
 * Conventions the port leaves open, as built here: an OUT of 0 bytes has no data beats (it is
 * written at once); OUT data may start in the cycle its request is taken; an OUT is submitted to
 * the storage when its last data beat arrives (its latency counts from there).
 */
#ifndef COSIM_BLKPORT_H
#define COSIM_BLKPORT_H

#include <stddef.h>
#include <stdint.h>

#include "cosim_err.h"
#include "cosim_storage.h"
#include "vep_ports.h"

typedef struct cosim_blkport_cfg {
  /* The medium (RAM with capacity, or an image file), read-only, serial, latency and jitter in
   * cycles, seed of the jitter. storage.max_inflight bounds the requests outstanding at the
   * port (taken and not yet answered to the last beat); 0: COSIM_STORAGE_DEF_MAX_INFLIGHT. */
  cosim_storage_cfg_t storage;
  unsigned data_w;          /* DATA_W of the endpoint: 64, 128 or 256 */
  uint64_t seed;            /* flow-control draws below (their own stream) */
  unsigned req_stall_pct;   /* 0..99: % of cycles m_blk_req_ready is 0 although there is room */
  unsigned rsp_gap_pct;     /* 0..99: % of cycles an answer that could start waits one more */
} cosim_blkport_cfg_t;

/* Counters, for tests and reports. */
typedef struct cosim_blkport_stats {
  uint64_t requests;        /* taken (valid and ready) */
  uint64_t req_in, req_out, req_flush, req_get_id, req_other;
  uint64_t bytes_read;      /* IN data answered with status OK */
  uint64_t bytes_written;   /* OUT data the storage wrote with status OK */
  uint64_t aborted;         /* OUT data ended by m_blk_wdata_abort */
  uint64_t responses;       /* answers whose last beat was taken */
  uint64_t rsp_ok, rsp_ioerr, rsp_unsupp;
  uint64_t violations;      /* protocol errors reported */
  unsigned outstanding;     /* now: taken and not answered */
  unsigned max_outstanding; /* the most at once */
} cosim_blkport_stats_t;

typedef struct cosim_blkport cosim_blkport_t;

/* Sets the defaults: RAM medium of 0 sectors, latency 0, no flow control, DATA_W 64. */
void cosim_blkport_cfg_default(cosim_blkport_cfg_t *cfg);

/* Creates the adapter and its storage. Violations go to log (which must outlive it). Returns 0,
 * -EINVAL (bad data_w or percentage, or what cosim_storage_create refuses; reason in err),
 * -ENOMEM, or the storage's errno. */
int cosim_blkport_create(const cosim_blkport_cfg_t *cfg, cosim_errlog_t *log,
                         cosim_blkport_t **out, char *err, size_t errlen);
/* Frees everything (answers still pending are dropped). NULL is a no-op. */
void cosim_blkport_destroy(cosim_blkport_t *b);

/* One cycle: from the DUT's outputs of cycle `cycle`, sets in->m_blk_req_ready and
 * in->s_blk_rsp_* (idle fields 0) and records what the handshakes transfer on the edge that ends
 * the cycle (so call it exactly once per cycle, before stepping the DUT). in_reset: rst_ni is
 * low; nothing transfers and the inputs are idle. */
void cosim_blkport_cycle(cosim_blkport_t *b, uint64_t cycle, int in_reset, const vep_out_t *out,
                         vep_in_t *in);

/* The storage model, for tests that preload or verify the disk (cosim_storage_read_direct,
 * cosim_storage_write_direct) or switch write-through. Owned by the adapter. */
cosim_storage_t *cosim_blkport_storage(cosim_blkport_t *b);
void cosim_blkport_get_stats(const cosim_blkport_t *b, cosim_blkport_stats_t *st);
/* Nonzero when nothing is outstanding at the port (every request answered to its last beat and
 * no OUT waiting for data). */
int cosim_blkport_idle(const cosim_blkport_t *b);

/* Name of a virtio-blk request type ("IN", "OUT", "FLUSH", "GET_ID", or "type N" in buf). */
const char *cosim_blkport_type_name(unsigned type, char *buf, size_t len);

#endif /* COSIM_BLKPORT_H */
