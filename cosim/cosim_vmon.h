/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtio ring monitor: a passive checker, in every simulation, of what the device does to
 * host memory against what the driver set up.
 *
 * What it learns, from the host's TLPs as the root complex sends them:
 * - BAR0's address and Memory Space Enable, from the CfgWr0s to the endpoint's BAR0/BAR1 and
 *   Command registers (no help from the harness; sizing writes are masked like the BAR does);
 * - the common configuration (MWr into BAR0, and writes through the virtio PCI configuration
 *   access capability): queue_select and, per queue, size, enable, desc/driver/device
 *   addresses; driver_feature_select/driver_feature; device_status.
 *
 * What it checks, on the device's TLPs as the root complex receives them (in the order the
 * device sent them):
 * - every MWr outside the MSI window lands either in the used ring of a queue (flags, idx, the
 *   ring elements, and avail_event only when EVENT_IDX was negotiated) of an enabled queue, or
 *   in memory the driver exposed as device-writable (cosim_mem's permission map);
 * - the used index moves by at most the queue size, and only over elements written (all 8
 *   bytes) since they were last published; a used element's id is below the queue size and its
 *   len does not exceed the writable bytes of the chain at that head (read from the descriptor
 *   table in host memory, following NEXT and INDIRECT; skipped when the chain does not parse);
 * - no device MWr/MRd (MSI-X writes excepted) before DRIVER_OK, nor after a reset until
 *   DRIVER_OK again. "After a reset" starts when the device answers a read of device_status with
 *   0 after the driver wrote 0: from the write to that read-back the device is still resetting,
 *   and DMA it had under way may still arrive (the device's TLPs are seen in the order it sent
 *   them, so anything it sends after that completion is checked).
 *
 * Violations go to the simulation's error list, "virtio monitor: ..." naming the TLP.
 */
#ifndef COSIM_VMON_H
#define COSIM_VMON_H

#include <stddef.h>
#include <stdint.h>

#include "cosim_err.h"
#include "cosim_mem.h"
#include "cosim_tlp.h"
#include "vep_ports.h"

typedef struct cosim_vmon cosim_vmon_t;

typedef struct cosim_vmon_stats {
  uint64_t dev_writes;        /* device MWr outside the MSI window */
  uint64_t dev_reads;         /* device MRd */
  uint64_t ring_writes;       /* of those writes, ones into a used ring */
  uint64_t used_published;    /* used elements published by used-index writes */
  uint64_t len_checked;       /* used elements whose len was checked against their chain */
  uint64_t violations;
} cosim_vmon_stats_t;

/* p: NUM_QUEUES and QUEUE_SIZE_MAX (the queue size after reset); mem: the host memory (read to
 * walk descriptor chains, and its permission map); log: where violations go. Both must outlive
 * the monitor. Returns 0, -EINVAL, -ENOMEM. */
int cosim_vmon_create(const vep_params_t *p, cosim_hmem_t *mem, cosim_errlog_t *log,
                      cosim_vmon_t **out);
void cosim_vmon_destroy(cosim_vmon_t *m);

/* A TLP the host sends (its DWs; malformed ones are ignored). */
void cosim_vmon_host_tlp(cosim_vmon_t *m, uint64_t cycle, const uint32_t *dws, size_t n);
/* A TLP from the device, decoded, after the root complex has acted on it (so a write is already
 * in host memory). */
void cosim_vmon_dev_tlp(cosim_vmon_t *m, uint64_t cycle, const cosim_tlp_t *t);

void cosim_vmon_get_stats(const cosim_vmon_t *m, cosim_vmon_stats_t *st);
/* The monitor's view: BAR0's address (0 until programmed) and whether DMA is allowed now
 * (DRIVER_OK written and no reset since). */
uint64_t cosim_vmon_bar0(const cosim_vmon_t *m);
int cosim_vmon_driver_ok(const cosim_vmon_t *m);

/* ---- Observation (the TLP log and functional coverage) ----
 * Turns on what only observers need: the MSI-X table mirror, ISR/PBA read tracking, indirect
 * tables seen in descriptors the device read, and coverage points (fcov, may be NULL) for ring
 * features, blk requests, MSI-X, resets. Off by default: the checks do not depend on it. */
typedef struct cosim_fcov cosim_fcov_t;
void cosim_vmon_observe(cosim_vmon_t *m, cosim_fcov_t *fcov);
/* The virtio meaning of a memory access of nbytes at addr, into buf: by the host (from_device 0:
 * BAR0 registers by name, e.g. "common_cfg.queue_select write 0x2", "q0 notify", "MSI-X table
 * vector 1 control (mask)") or by the device (ring structures by queue and index, indirect
 * tables, data buffers, MSI-X messages by vector). val: a write's value (the message data for an
 * MSI-X write). */
void cosim_vmon_describe(const cosim_vmon_t *m, int from_device, int write, uint64_t addr,
                         unsigned nbytes, uint64_t val, char *buf, size_t len);

#endif /* COSIM_VMON_H */
