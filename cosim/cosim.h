/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated PCIe system: root complex, link, host memory, and one endpoint behind a DUT
 * adapter (rtl, cmodel or lockstep). It owns simulated time: every call that waits for the device
 * advances the clock cycle by cycle until the answer arrives or times out.
 *
 * Topology: the endpoint is bus COSIM_EP_BUS, device 0, function 0, behind a root port. Type 0
 * configuration requests for other device numbers on that bus are answered UR by the root port
 * itself (as a real downstream port does without ARI); so is anything on another bus.
 */
#ifndef COSIM_H
#define COSIM_H

#include <stddef.h>
#include <stdint.h>

#include "cosim_blkport.h"
#include "cosim_rc.h"
#include "cosim_tlp.h"
#include "cosim_vmon.h"
#include "vep_ports.h"

#define COSIM_EP_BUS 1u
#define COSIM_RC_ID  0x0000u            /* Requester ID of the root complex */
/* The root port's two memory windows, both routed to the endpoint: the 64-bit (prefetchable)
 * one above 4 GiB, where memory requests use 4DW headers, and the 32-bit (non-prefetchable) one
 * below 4 GiB, where they use 3DW headers. Anything else is not forwarded. */
#define COSIM_MMIO_WINDOW_BASE   0x0000004000000000ull
#define COSIM_MMIO_WINDOW_SIZE   0x0000000040000000ull
#define COSIM_MMIO32_WINDOW_BASE 0x00000000E0000000ull
#define COSIM_MMIO32_WINDOW_SIZE 0x0000000010000000ull  /* 256 MiB */
#define COSIM_MSI_WINDOW_BASE  0x00000000FEE00000ull /* MSI-X message addresses */
#define COSIM_MSI_WINDOW_SIZE  0x0000000000100000ull

typedef enum { COSIM_DUT_RTL, COSIM_DUT_CMODEL, COSIM_DUT_LOCKSTEP } cosim_dut_kind_t;

typedef struct cosim_cfg {
  vep_params_t params;
  cosim_dut_kind_t dut;
  uint64_t seed;              /* every random choice of the bus model flows from it */
  unsigned link_latency_rx;   /* cycles from the root complex to the endpoint */
  unsigned link_latency_tx;   /* cycles from the endpoint to the root complex */
  unsigned cpl_timeout;       /* cycles the root complex waits for a completion, counted from
                               * the cycle the device accepted the request's last beat */
  /* The storage behind the virtio-blk backend port (cosim_blkport.h). The straps blk_capacity_i
   * and blk_ro_i are the storage's capacity and read-only state. */
  uint64_t blk_capacity;      /* RAM medium: its size in 512-byte sectors (ignored with an image) */
  int blk_ro;                 /* read-only medium (an image that cannot be written is too) */
  const char *blk_image;      /* raw image file (capacity = its size / 512), or NULL: RAM */
  const char *blk_serial;     /* GET_ID string (at most 20 bytes), or NULL: 20 NULs */
  uint64_t blk_latency;       /* cycles from a request (an OUT: its last data beat) to its answer */
  uint64_t blk_jitter;        /* plus a seeded draw in [0, blk_jitter] per request */
  unsigned blk_max_inflight;  /* requests outstanding at the port; 0: 64 */
  unsigned blk_flow_pct;      /* 0..99: % of cycles m_blk_req_ready is held low, and of cycles an
                               * answer that could start waits (its own random stream) */
  const char *trace_path;     /* FST waveform of the RTL, or NULL */
  const char *tlp_log_path;   /* every TLP with its virtio meaning (cosim_tlplog.h), or NULL */
  int fcov;                   /* count functional coverage points (cosim_fcov.h) */
  /* With trace_path, a window: the FST holds only cycles trace_from..trace_to, both included
   * (FST time 10N+1..10N+10 for cycle N, whatever the window). trace_to 0: to the end of the
   * run. The trace opens when cycle trace_from starts (a file that cannot be written then is
   * an error in the list) and closes after the edge of cycle trace_to; trace_from 0 opens it in
   * cosim_create, where a failure makes cosim_create fail. */
  uint64_t trace_from, trace_to;
  const char *repro;          /* the command line that re-runs this simulation, printed in
                               * mismatch reports (may be NULL) */
  /* Flow control, drawn each cycle from a random stream seeded from `seed` (0..99, 0: none):
   * - tx_backpressure_pct: percentage of cycles m_tx_ready is 0;
   * - rx_gap_pct: percentage of cycles in which the root complex, having a beat ready for the
   *   endpoint (between beats of a TLP or between TLPs), inserts an idle cycle instead. A beat
   *   already offered is held until s_rx_ready takes it (valid never drops before ready). */
  unsigned tx_backpressure_pct;
  unsigned rx_gap_pct;
  /* Storms, beside the per-cycle draws above, from a random stream of their own (seeded from
   * `seed`; nothing is drawn while both are off): after a pause drawn in [0, 2 * *_storm_gap]
   * cycles, m_tx_ready stays 0 (TX) / no RX beat is offered (RX: only before a beat is offered,
   * a beat offered stays until taken) for a run drawn in [*_storm_min, *_storm_max] cycles, then
   * the next pause. *_storm_gap 0: no storms. */
  unsigned tx_storm_gap, tx_storm_min, tx_storm_max;
  unsigned rx_storm_gap, rx_storm_min, rx_storm_max;
} cosim_cfg_t;

/* Defaults: VEP_PARAMS_DEFAULT, lockstep, seed 1, latency 8/8, timeout 10000, 2 MiB RAM disk
 * answering after 20 cycles plus up to 10 (so answers overtake each other), no backpressure or
 * gaps. */
void cosim_cfg_default(cosim_cfg_t *cfg);

typedef struct cosim cosim_t;

/* Creates the system and holds the endpoint in reset for 8 cycles. -EINVAL for an invalid cfg
 * (a percentage above 99, a storm with min > max or max 0, timeout 0, DATA_W not 64/128/256, a serial above 20 bytes, an image
 * whose size is not a multiple of 512), or the errno of opening the image (the reason is
 * printed on stderr). */
int cosim_create(const cosim_cfg_t *cfg, cosim_t **out);
void cosim_destroy(cosim_t *s);

/* ---- The root complex, as the driver uses it (all synchronous) ---- */
/* Configuration read/write (size 1, 2, 4; naturally aligned). A UR/CRS/CA completion gives 0 and
 * all ones in *val for reads (the error is recorded in *status when status is not NULL);
 * returns -ETIMEDOUT after cpl_timeout cycles without a completion (counted from the cycle the
 * device took the request: queueing and device backpressure do not count). */
int cosim_cfg_read(cosim_t *s, uint16_t bdf, unsigned off, unsigned size, uint32_t *val,
                   unsigned *status);
int cosim_cfg_write(cosim_t *s, uint16_t bdf, unsigned off, unsigned size, uint32_t val,
                    unsigned *status);
/* Memory read/write of 1, 2, 4 or 8 bytes, naturally aligned (writes are posted: the call
 * returns once the TLP has entered the link). 3DW headers below 4 GiB, 4DW above. Outside both
 * memory windows nothing is sent: a read gives UR and all ones, a write vanishes. */
int cosim_mem_read(cosim_t *s, uint64_t addr, unsigned size, uint64_t *val, unsigned *status);
int cosim_mem_write(cosim_t *s, uint64_t addr, unsigned size, uint64_t val);

/* Sends any TLP (the test chooses every field; nothing is checked or fixed up) and, if it is a
 * non-posted request, waits for the completion with the same tag and copies it to *cpl.
 * Returns 0, -ETIMEDOUT, or 1 when the request is posted (no completion expected). */
int cosim_send_tlp(cosim_t *s, const cosim_tlp_t *req, cosim_tlp_t *cpl);
/* Sends raw DWs as one TLP on the link (for malformed-TLP tests); nothing waits. */
int cosim_send_raw(cosim_t *s, const uint32_t *dws, size_t ndw);

/* Lets n cycles pass. */
void cosim_run(cosim_t *s, uint64_t n);
uint64_t cosim_cycles(const cosim_t *s);
/* TLPs seen on the link so far, each direction. */
uint64_t cosim_tlps_rx(const cosim_t *s);   /* root complex to endpoint */
/* Of those, the TLPs the endpoint has taken (their last beat accepted). Equal to cosim_tlps_rx
 * when nothing sent is still on its way: how a test knows its posted writes have arrived. */
uint64_t cosim_tlps_rx_delivered(const cosim_t *s);
uint64_t cosim_tlps_tx(const cosim_t *s);   /* endpoint to root complex */

/* Changes a strap input (e.g. the capacity, to make a device-configuration change). Only the
 * strap: the storage behind the backend port keeps its own capacity. */
void cosim_set_blk_capacity(cosim_t *s, uint64_t sectors);

/* ---- DMA fault injection (tests of the device's error paths) ----
 * From now on, every device memory read (MRd) that touches a byte of [addr, addr + len) is
 * answered by the root complex with the fault `kind` instead of host memory:
 *   COSIM_DMA_FAULT_UR / _CA   one completion without data, status UR / CA (Byte Count and
 *                              Lower Address of the whole read, as the rules want);
 *   COSIM_DMA_FAULT_POISON     the usual CplDs with the data, each poisoned (EP set);
 *   COSIM_DMA_FAULT_DROP       no completion at all (the device's completion timeout).
 * An injected fault is expected: it is not an IOMMU/firewall violation (the permission map is
 * not consulted for that read), and the checker is shown sound stand-ins (a poisoned CplD with
 * EP clear; for a dropped read, a UR that never reaches the link), so neither a poisoned
 * completion nor a later reuse of the dropped read's tag is reported. Everything else the
 * device does is checked as usual. Writes are not affected. COSIM_DMA_FAULT_NONE removes every
 * fault range overlapping [addr, addr + len). Up to COSIM_RC_MAX_FAULTS (8) ranges at once; the
 * first one set that overlaps a read decides. Returns 0, -EINVAL (len 0, unknown kind), -ENOSPC.
 * cosim_dma_faults_hit counts the device reads answered by a fault (so a test can check that its
 * fault was actually met). */
int cosim_set_dma_fault(cosim_t *s, uint64_t addr, uint64_t len, unsigned kind);
uint64_t cosim_dma_faults_hit(const cosim_t *s);

/* This simulation's functional coverage counts (cosim_fcov.h), or NULL when cfg.fcov was 0. */
typedef struct cosim_fcov cosim_fcov_t;
const cosim_fcov_t *cosim_fcov_counts(const cosim_t *s);
/* Faults drawn at random per device read (cosim_fault_plan_t in cosim_rc.h: per-kind
 * probabilities and ranges, DELAY, REORDER and DUP besides the kinds above), from a random
 * stream of their own seeded from cfg.seed. NULL removes the plan. 0 or -EINVAL. The fixed
 * ranges above take precedence. Counters per kind, since creation, of both: */
int cosim_set_fault_plan(cosim_t *s, const cosim_fault_plan_t *plan);
void cosim_fault_stats(const cosim_t *s, cosim_fault_stats_t *st);
/* Storm counters: storms begun and cycles spent in them, per direction. */
typedef struct cosim_storm_stats {
  uint64_t tx_storms, tx_cycles, rx_storms, rx_cycles;
} cosim_storm_stats_t;
void cosim_storm_stats(const cosim_t *s, cosim_storm_stats_t *st);

/* ---- The virtio-blk backend (cosim_blkport.h) ---- */
/* The storage model, to preload or verify the disk (cosim_storage_read_direct/write_direct). */
cosim_storage_t *cosim_blk_storage(cosim_t *s);
/* The port's counters: requests by type, bytes read/written, answers, protocol violations. */
void cosim_blk_stats(const cosim_t *s, cosim_blkport_stats_t *st);
/* Nonzero when every request taken at the port has been answered. */
int cosim_blk_idle(const cosim_t *s);
/* The virtio ring monitor's counters (its violations are in the error list). */
void cosim_vmon_stats(const cosim_t *s, cosim_vmon_stats_t *st);

/* ---- Interrupts: MSI-X writes into the MSI window are delivered here ---- */
typedef void (*cosim_msi_handler_t)(void *ctx, uint64_t addr, uint32_t data);
void cosim_set_msi_handler(cosim_t *s, cosim_msi_handler_t fn, void *ctx);

/* ---- Errors: checkers and lockstep ---- */
/* Number of errors recorded (PCIe rule violations by the device, malformed TLPs from the host,
 * unexpected TLPs, lockstep mismatches). The first few are kept as text. */
unsigned cosim_error_count(const cosim_t *s);
/* The i-th recorded error message (i < kept), or NULL. */
const char *cosim_error(const cosim_t *s, unsigned i);
/* Forgets recorded errors (a test that provokes one on purpose consumes it). */
void cosim_clear_errors(cosim_t *s);
/* Nonzero once lockstep has found a mismatch (the run cannot continue meaningfully). */
int cosim_diverged(const cosim_t *s);
/* The output port of lockstep's first mismatch ("m_tx_data", "s_rx_ready", ...), or NULL before
 * any (and always with a DUT other than lockstep). */
const char *cosim_mismatch_port(const cosim_t *s);
/* The cycle of lockstep's first mismatch (its report's "outputs of cycle N"; the edge that made
 * them is at FST time 10(N-1)+5), or 0 before any. */
uint64_t cosim_mismatch_cycle(const cosim_t *s);

#endif /* COSIM_H */
