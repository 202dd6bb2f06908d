/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Functional coverage: a fixed table of named points (the spec features a run can exercise),
 * counted during a simulation, so that "never hit" means the same in every run. The counts of
 * several runs merge into one text file, one "name count" line per point (docs/functional-
 * coverage.md).
 *
 * Who counts what: the TLP-level points (kinds, completion splitting, faults) are counted here
 * from the TLPs cosim shows (cosim_fcov_host_tlp, cosim_fcov_dev_tlp); the virtio points (ring
 * features, blk requests, MSI-X, resets) by the ring monitor (cosim_vmon.c), which knows the
 * driver's set-up, through cosim_fcov_hit; the device error codes by cosim from the DUT's
 * observation op (cosim_fcov_device_error).
 */
#ifndef COSIM_FCOV_H
#define COSIM_FCOV_H

#include <stdint.h>
#include <stdio.h>

#include "cosim_tlp.h"

/* X(id, name, description) */
#define COSIM_FCOV_POINTS(X)                                                                    \
  X(RX_CFGRD0, "tlp.rc2ep.CfgRd0", "configuration read to the endpoint")                        \
  X(RX_CFGWR0, "tlp.rc2ep.CfgWr0", "configuration write to the endpoint")                       \
  X(RX_MRD32, "tlp.rc2ep.MRd32", "memory read, 3DW header (BAR below 4 GiB)")                  \
  X(RX_MRD64, "tlp.rc2ep.MRd64", "memory read, 4DW header (BAR above 4 GiB)")                  \
  X(RX_MWR32, "tlp.rc2ep.MWr32", "memory write, 3DW header")                                    \
  X(RX_MWR64, "tlp.rc2ep.MWr64", "memory write, 4DW header")                                    \
  X(RX_CPL, "tlp.rc2ep.Cpl", "completion without data to a device read (UR/CA)")               \
  X(RX_CPLD, "tlp.rc2ep.CplD", "completion with data to a device read")                         \
  X(RX_OTHER, "tlp.rc2ep.other", "any other TLP kind (IO, Cfg Type 1, Msg, locked, atomic)")    \
  X(RX_MALFORMED, "tlp.rc2ep.malformed", "raw DWs that do not decode as a TLP")                \
  X(TX_MRD32, "tlp.ep2rc.MRd32", "device DMA read, 3DW header")                                 \
  X(TX_MRD64, "tlp.ep2rc.MRd64", "device DMA read, 4DW header")                                 \
  X(TX_MWR32, "tlp.ep2rc.MWr32", "device DMA/MSI-X write, 3DW header")                          \
  X(TX_MWR64, "tlp.ep2rc.MWr64", "device DMA write, 4DW header")                                \
  X(TX_CPL_UR, "tlp.ep2rc.Cpl.UR", "device completion Unsupported Request")                     \
  X(TX_CPL_CA, "tlp.ep2rc.Cpl.CA", "device completion Completer Abort")                         \
  X(TX_CPL_SC, "tlp.ep2rc.Cpl.SC", "device completion without data, successful (CfgWr)")       \
  X(TX_CPLD, "tlp.ep2rc.CplD", "device completion with data")                                   \
  X(TX_ASSERT_INTA, "tlp.ep2rc.Msg.Assert_INTA", "INTx assert message")                         \
  X(TX_DEASSERT_INTA, "tlp.ep2rc.Msg.Deassert_INTA", "INTx deassert message")                   \
  X(TX_OTHER, "tlp.ep2rc.other", "any other TLP kind from the device")                          \
  X(RD_ONE_CPL, "dmard.one_cpl", "device read answered by a single CplD")                       \
  X(RD_SPLIT, "dmard.split_rcb", "device read answered by several CplDs split at the RCB")      \
  X(RD_SPLIT_UNALIGNED, "dmard.split_unaligned_start",                                          \
    "split read whose start is not RCB-aligned (short first CplD)")                             \
  X(RD_PARTIAL_BE, "dmard.partial_be", "device read with a First or Last DW BE not 1111")       \
  X(RD_MULTI_DW, "dmard.multi_dw", "device read of more than 1 DW")                             \
  X(RD_UR, "dmard.fault_ur", "device read answered UR (fault injection)")                       \
  X(RD_CA, "dmard.fault_ca", "device read answered CA (fault injection)")                       \
  X(RD_POISONED, "dmard.fault_poisoned", "device read answered by poisoned CplDs")              \
  X(RD_TIMEOUT, "dmard.fault_timeout", "device read never answered (its tag reused)")           \
  X(Q_SIZE_1, "ring.queue_size_1", "a queue enabled with size 1")                               \
  X(Q_SIZE_MAX, "ring.queue_size_max", "a queue enabled with QUEUE_SIZE_MAX")                   \
  X(Q_MULTI, "ring.multiple_queues", "device DMA on the rings of two or more queues in a run")   \
  X(DESC_NEXT, "ring.desc_next", "device read a descriptor with NEXT")                          \
  X(DESC_WRITE, "ring.desc_write", "device read a descriptor with WRITE")                       \
  X(DESC_INDIRECT, "ring.desc_indirect", "device read a descriptor with INDIRECT")              \
  X(INDIRECT_READ, "ring.indirect_table_read", "device read an indirect descriptor table")      \
  X(USED_EVENT_READ, "ring.event_idx.used_event_read", "device read used_event (EVENT_IDX)")    \
  X(AVAIL_EVENT_WRITE, "ring.event_idx.avail_event_write",                                      \
    "device wrote avail_event (EVENT_IDX)")                                                     \
  X(AVAIL_NO_INTERRUPT, "ring.avail_f_no_interrupt",                                            \
    "device read avail flags with VIRTQ_AVAIL_F_NO_INTERRUPT set")                              \
  X(AVAIL_WRAP, "ring.avail_idx_wrap", "avail idx read by the device passed 65535 -> 0")        \
  X(USED_WRAP, "ring.used_idx_wrap", "used idx written by the device passed 65535 -> 0")        \
  X(ERR_HEAD_RANGE, "err.HEAD_RANGE", "VEP_ERR_HEAD_RANGE raised DEVICE_NEEDS_RESET")           \
  X(ERR_NEXT_RANGE, "err.NEXT_RANGE", "VEP_ERR_NEXT_RANGE")                                     \
  X(ERR_CHAIN_LOOP, "err.CHAIN_LOOP", "VEP_ERR_CHAIN_LOOP")                                     \
  X(ERR_INDIRECT_FEATURE, "err.INDIRECT_FEATURE", "VEP_ERR_INDIRECT_FEATURE")                   \
  X(ERR_INDIRECT_NESTED, "err.INDIRECT_NESTED", "VEP_ERR_INDIRECT_NESTED")                      \
  X(ERR_INDIRECT_NEXT, "err.INDIRECT_NEXT", "VEP_ERR_INDIRECT_NEXT")                            \
  X(ERR_INDIRECT_LEN, "err.INDIRECT_LEN", "VEP_ERR_INDIRECT_LEN")                               \
  X(ERR_ZERO_LEN, "err.ZERO_LEN", "VEP_ERR_ZERO_LEN")                                           \
  X(ERR_READ_AFTER_WRITE, "err.READ_AFTER_WRITE", "VEP_ERR_READ_AFTER_WRITE")                   \
  X(ERR_TOO_MANY_SEGS, "err.TOO_MANY_SEGS", "VEP_ERR_TOO_MANY_SEGS")                            \
  X(ERR_CHAIN_BYTES, "err.CHAIN_BYTES", "VEP_ERR_CHAIN_BYTES")                                  \
  X(ERR_AVAIL_JUMP, "err.AVAIL_JUMP", "VEP_ERR_AVAIL_JUMP")                                     \
  X(ERR_RING_DMA, "err.RING_DMA", "VEP_ERR_RING_DMA")                                           \
  X(ERR_BLK_HEADERS, "err.BLK_HEADERS", "VEP_ERR_BLK_HEADERS")                                  \
  X(ERR_USED_DMA, "err.USED_DMA", "VEP_ERR_USED_DMA")                                           \
  X(BLK_IN, "blk.type.IN", "virtio-blk read request completed")                                 \
  X(BLK_OUT, "blk.type.OUT", "virtio-blk write request completed")                              \
  X(BLK_FLUSH, "blk.type.FLUSH", "virtio-blk flush request completed")                          \
  X(BLK_GET_ID, "blk.type.GET_ID", "virtio-blk GET_ID request completed")                       \
  X(BLK_UNSUPPORTED, "blk.type.unsupported", "virtio-blk request of another type completed")    \
  X(BLK_OK, "blk.status.OK", "request completed with VIRTIO_BLK_S_OK")                          \
  X(BLK_IOERR, "blk.status.IOERR", "request completed with VIRTIO_BLK_S_IOERR")                 \
  X(BLK_UNSUPP, "blk.status.UNSUPP", "request completed with VIRTIO_BLK_S_UNSUPP")              \
  X(MSIX_VECTOR_MASKED, "msix.vector_masked", "driver set a vector's mask bit")                 \
  X(MSIX_FUNCTION_MASKED, "msix.function_masked", "driver set the MSI-X Function Mask")         \
  X(MSIX_PBA_PENDING, "msix.pba_pending_read", "driver read a PBA with a pending bit set")      \
  X(MSIX_SENT_ON_UNMASK, "msix.pending_sent_on_unmask",                                         \
    "message for an interrupt raised while its vector was masked, sent after the unmask")       \
  X(MSIX_MESSAGE, "msix.message", "MSI-X message from the device")                              \
  X(ISR_READ_CLEAR, "isr.read_clear", "ISR read returning a set bit (the read clears it)")      \
  X(RESET_AFTER_ACK, "reset.after_acknowledge", "device_status 0 written after ACKNOWLEDGE")    \
  X(RESET_AFTER_DRIVER, "reset.after_driver", "device_status 0 written after DRIVER")           \
  X(RESET_AFTER_FEATURES_OK, "reset.after_features_ok", "reset after FEATURES_OK")              \
  X(RESET_AFTER_DRIVER_OK, "reset.after_driver_ok", "reset after DRIVER_OK")                    \
  X(RESET_NEEDS_RESET, "reset.with_needs_reset", "reset after DEVICE_NEEDS_RESET was read")     \
  X(RESET_AFTER_FAILED, "reset.after_failed", "reset after the driver set FAILED")              \
  X(RESET_DMA_IN_FLIGHT, "reset.dma_in_flight", "device DMA seen between reset write and the " \
    "read-back of 0")                                                                           \
  X(NEEDS_RESET_RAISED, "status.needs_reset_raised", "device_status read with DEVICE_NEEDS_RESET") \
  X(CONFIG_CHANGE_IRQ, "irq.config_change", "configuration change interrupt (ISR bit 1 or the " \
    "msix_config vector)")

typedef enum {
#define COSIM_FCOV_ENUM(id, name, desc) COSIM_FCOV_##id,
  COSIM_FCOV_POINTS(COSIM_FCOV_ENUM)
#undef COSIM_FCOV_ENUM
  COSIM_FCOV_COUNT
} cosim_fcov_point_t;

typedef struct cosim_fcov cosim_fcov_t;

/* The table: name and description of point p (p < COSIM_FCOV_COUNT), or NULL. */
const char *cosim_fcov_name(cosim_fcov_point_t p);
const char *cosim_fcov_desc(cosim_fcov_point_t p);
/* The point called name, or -1. */
int cosim_fcov_lookup(const char *name);

/* Counters of one simulation, all 0. Returns 0 or -ENOMEM. */
int cosim_fcov_create(cosim_fcov_t **out);
void cosim_fcov_destroy(cosim_fcov_t *f);
/* Counts a hit (f may be NULL: coverage off). */
void cosim_fcov_hit(cosim_fcov_t *f, cosim_fcov_point_t p);
uint64_t cosim_fcov_count(const cosim_fcov_t *f, cosim_fcov_point_t p);
/* Adds src's counts into dst. */
void cosim_fcov_add(cosim_fcov_t *dst, const cosim_fcov_t *src);

/* Observation points (f may be NULL). host: a TLP the root complex sends (n DWs, decoded into t,
 * or t NULL when the DWs do not decode); dev: a decoded TLP from the device. */
void cosim_fcov_host_tlp(cosim_fcov_t *f, const cosim_tlp_t *t);
void cosim_fcov_dev_tlp(cosim_fcov_t *f, const cosim_tlp_t *t);
/* The DUT's error code behind DEVICE_NEEDS_RESET this cycle (cosim_dut_obs_t): a change from 0 to
 * a code counts that code's point once. */
void cosim_fcov_device_error(cosim_fcov_t *f, unsigned code);

/* ---- The file: "name count" per line ----
 * Adds the counts of path (missing: nothing) into f. A line that does not parse, or names no
 * point of the table, is refused (-EBADMSG, the line in why) so that a file written by another
 * table is not silently merged. Returns 0, -EBADMSG, or the negative errno of reading. */
int cosim_fcov_load(cosim_fcov_t *f, const char *path, char *why, size_t whylen);
/* Writes every point of f to path (replacing it atomically: a temporary file and rename). */
int cosim_fcov_save(const cosim_fcov_t *f, const char *path);
/* Load path, add f, save: how a run adds its counts to a file several runs share. */
int cosim_fcov_merge_into(const cosim_fcov_t *f, const char *path, char *why, size_t whylen);
/* Prints every point with its count and description, "functional coverage: H/N points hit", and
 * the points never hit. Returns the number hit. */
unsigned cosim_fcov_report(const cosim_fcov_t *f, FILE *out);

#endif /* COSIM_FCOV_H */
