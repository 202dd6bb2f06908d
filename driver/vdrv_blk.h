/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtio-blk driver (virtio 1.x section 5.2), written like Linux virtio_blk.c and SPDK
 * bdev_virtio_blk, on top of vdrv_vpci.h (transport) and vdrv_virtq.h (split rings). All memory
 * the device sees (request headers, status bytes, bounce buffers) comes from the bus's DMA ops,
 * allocated with the direction the device needs; the driver holds no host pointer into it.
 *
 * Bring-up: the caller enumerates, assigns BARs, enables the function and probes the transport
 * (vdrv_vpci_probe, see docs/driver.md); vdrv_blk_init then negotiates features, reads the
 * configuration, sets up interrupts and queues and sets DRIVER_OK.
 *
 * Requests carry the caller's data as scatter-gather lists of bus addresses (DMA memory the
 * caller got from the bus's dma_alloc: device-writable for reads and GET_ID, device-readable for
 * writes), any alignment and length, at most vdrv_blk_t.max_segs segments. Completions are
 * reported through a callback, called only from vdrv_blk_poll / vdrv_blk_process / vdrv_blk_wait
 * / vdrv_blk_reset / vdrv_blk_fini (never from the MSI-X handler, which only records which
 * vectors fired). The synchronous helpers submit one request and wait for it.
 *
 * Errors are negative errno values: those of the layers below, plus
 *   -EINVAL     bad argument (segment count, a zero-length segment, a length that is not a
 *               multiple of the block size, a queue index out of range, a type the helper does
 *               not issue)
 *   -ERANGE     the request reaches past the capacity
 *   -EROFS      a write to a device that offered VIRTIO_BLK_F_RO
 *   -EOPNOTSUPP FLUSH without VIRTIO_BLK_F_FLUSH negotiated; in a completion: status UNSUPP
 *   -ENOSPC     the queue has no room now (poll and retry)
 *   -EIO        the device needs a reset (DEVICE_NEEDS_RESET seen, a broken ring, a bus error);
 *               in a completion: status IOERR
 *   -EPROTO     in a completion: a status byte other than OK/IOERR/UNSUPP, or a used length
 *               that does not fit the request
 *   -ECANCELED  in a completion: the request was still in flight at a reset
 *   -ETIMEDOUT  a synchronous helper or vdrv_blk_wait saw nothing complete in time
 * Not thread safe: one caller at a time per device, as the layers below.
 */
#ifndef VDRV_BLK_H
#define VDRV_BLK_H

#include <stdint.h>

#include "vdrv_virtq.h"
#include "vdrv_vpci.h"

#define VDRV_BLK_MAX_QUEUES 16u            /* request queues this driver sets up at most */
#define VDRV_BLK_POLL_DELAY 32u            /* bus delay (cycles) between two polls in a wait */
#define VDRV_BLK_TIMEOUT_DEFAULT 2000000u  /* cycles a synchronous helper waits by default */
#define VDRV_BLK_STATUS_POLL_EVERY 16u     /* polling mode: device_status read every N polls */
#define VDRV_BLK_ID_BYTES 20u              /* GET_ID answer (VEP_BLK_ID_BYTES) */

/* Interrupt modes (vdrv_blk_opts_t.irq_mode). */
#define VDRV_BLK_IRQ_MSIX 0u   /* one vector for configuration, one per queue when the table is
                                * large enough (else one shared by the queues); falls back to
                                * INTx when the function has no MSI-X */
#define VDRV_BLK_IRQ_INTX 1u   /* MSI-X off; ISR read by vdrv_blk_process (the line's handler) */
#define VDRV_BLK_IRQ_POLL 2u   /* no interrupts asked for (NO_INTERRUPT / used_event behind);
                                * used rings polled, device_status read now and then */

/* Request layouts (vdrv_blk_opts_t.layout, a bit set; 0: header, each data segment and the
 * status byte as descriptors of their own, as Linux does). */
#define VDRV_BLK_LAYOUT_MERGE 1u     /* one descriptor holds the header and the first data
                                      * segment (writes) or the last data segment and the status
                                      * byte (reads, GET_ID), through a bounce buffer */
#define VDRV_BLK_LAYOUT_INDIRECT 2u  /* each request as one indirect table (when INDIRECT_DESC
                                      * was negotiated; direct chains otherwise) */

/* vdrv_blk_io_t.flags */
#define VDRV_BLK_IO_NO_KICK 1u  /* make the request available but do not notify: batch, then
                                 * vdrv_blk_kick */
#define VDRV_BLK_IO_RAW 2u      /* skip the checks of type, feature, capacity, block size,
                                 * read-only and seg_max (tests of the device's error paths);
                                 * the data of a type other than OUT is device-writable */

typedef struct vdrv_blk_opts {
  /* Feature bits (bit n = feature n, n < 64) the driver will not accept even if offered:
   * SEG_MAX, BLK_SIZE, FLUSH, RO, INDIRECT_DESC, EVENT_IDX. VERSION_1 cannot be refused. */
  uint64_t refuse_features;
  unsigned num_queues;        /* 0: all the device has, up to VDRV_BLK_MAX_QUEUES */
  uint16_t queue_size;        /* 0: the device's; else a power of two no larger */
  unsigned irq_mode;          /* VDRV_BLK_IRQ_* */
  unsigned layout;            /* VDRV_BLK_LAYOUT_* bits */
  /* MSI-X messages: vector i is programmed with address msi_addr and data msi_data + i (the
   * platform's choice: an x86 LAPIC address and interrupt vectors; the simulated MSI window). */
  uint64_t msi_addr;
  uint32_t msi_data;
  uint64_t timeout_cycles;    /* synchronous helpers; 0: VDRV_BLK_TIMEOUT_DEFAULT */
} vdrv_blk_opts_t;

/* A completed request. */
typedef struct vdrv_blk_cpl {
  void *cookie;               /* the submitter's */
  uint32_t type;              /* VEP_BLK_T_* (or the raw type) */
  int result;                 /* 0, -EIO (IOERR), -EOPNOTSUPP (UNSUPP), -EPROTO, -ECANCELED */
  uint8_t status;             /* the status byte as read (0xFF if cancelled) */
  uint32_t len;               /* used length as the device wrote it (0 if cancelled) */
} vdrv_blk_cpl_t;

typedef void (*vdrv_blk_cb_t)(void *cookie, const vdrv_blk_cpl_t *cpl);

/* One request. */
typedef struct vdrv_blk_io {
  uint32_t type;              /* VEP_BLK_T_IN, _OUT, _FLUSH, _GET_ID */
  uint64_t sector;            /* 512-byte sectors (IN, OUT) */
  const vdrv_virtq_seg_t *seg;  /* data: IN/OUT blocks, the GET_ID buffer; none for FLUSH */
  unsigned nseg;
  unsigned flags;             /* VDRV_BLK_IO_* */
} vdrv_blk_io_t;

/* Driver-private state of one request slot. */
typedef struct vdrv_blk_rq {
  vdrv_blk_cb_t cb;           /* NULL once a synchronous helper gave up on it */
  void *cookie;
  uint32_t type;
  uint32_t data_in;           /* device-writable data bytes (excluding the status byte) */
  uint64_t status_addr;
  uint64_t bounce;            /* MERGE layout buffer, 0 if none; freed at completion */
  uint64_t copy_to;           /* reads: caller segment the bounce's data goes back to */
  uint32_t copy_len, copy_skip;  /* its length; writable data bytes before it */
  uint64_t own;               /* another DMA buffer freed at completion (sync GET_ID) */
  uint16_t next_free;
  uint8_t busy;
} vdrv_blk_rq_t;

typedef struct vdrv_blk_queue {
  vdrv_virtq_t vq;
  uint16_t vector;            /* MSI-X vector, VEP_MSI_NO_VECTOR without */
  uint64_t hdrs;              /* DMA: 16 bytes per slot, device-readable */
  uint64_t stats;             /* DMA: 1 byte per slot, device-writable */
  vdrv_blk_rq_t *rq;          /* vq.size slots */
  uint16_t free_head, nfree;
  int irq_pending;            /* its vector fired since the last vdrv_blk_process */
} vdrv_blk_queue_t;

typedef struct vdrv_blk {
  vdrv_vpci_t *v;
  vdrv_blk_opts_t opts;
  /* From the negotiated features and the device configuration: */
  uint64_t capacity;          /* 512-byte sectors */
  uint32_t seg_max;           /* as read (0 without SEG_MAX) */
  uint32_t blk_size;          /* as read (0 without BLK_SIZE) */
  uint32_t lbs;               /* block size requests are checked against: blk_size when it is a
                               * power of two in 512..65536, else 512 */
  uint16_t cfg_num_queues;    /* num_queues field of the blk configuration (informative) */
  int ro, flush, indirect, event_idx, has_seg_max, has_blk_size;
  unsigned max_segs;          /* data segments per request */
  unsigned irq_mode;          /* in use (MSI-X may have fallen back to INTx) */
  uint16_t config_vector;     /* VEP_MSI_NO_VECTOR without MSI-X */
  unsigned nvectors;          /* MSI-X entries programmed */
  unsigned nq;
  vdrv_blk_queue_t q[VDRV_BLK_MAX_QUEUES];
  int config_pending;         /* the configuration vector fired */
  int needs_reset;            /* DEVICE_NEEDS_RESET seen, or a ring/bus failure: only
                               * vdrv_blk_reset (or fini) helps */
  int ready;                  /* DRIVER_OK set and not failed since */
  unsigned poll_count;
  /* Counters for tests and statistics. */
  uint64_t irqs, config_irqs, config_changes, stray_irqs, completions;
  uint64_t rearm_races;       /* used entries found when interrupts were re-enabled */
} vdrv_blk_t;

/* Default options: everything accepted, all queues, the device's queue size, MSI-X, separate
 * descriptors, no MSI address (set msi_addr/msi_data for MSI-X). */
void vdrv_blk_opts_default(vdrv_blk_opts_t *o);

/* Initialises a probed transport (vdrv_vpci_probe succeeded) as a virtio-blk device: checks the
 * PCI device ID (0x1042 modern, 0x1001 transitional: -ENODEV otherwise), negotiates VERSION_1 and
 * whichever of SEG_MAX, BLK_SIZE, FLUSH, RO, INDIRECT_DESC, EVENT_IDX are offered and not
 * refused, reads capacity / seg_max / blk_size / num_queues (config_generation loop), sets up
 * interrupts (installing the bus's MSI-X handler for MSI-X), creates the queues and their
 * header/status memory, and sets DRIVER_OK. opts may be NULL (defaults). On failure the device
 * gets FAILED (when it still answers) and nothing stays allocated. */
int vdrv_blk_init(vdrv_blk_t *b, vdrv_vpci_t *v, const vdrv_blk_opts_t *opts);

/* Resets the device, completes every request still in flight with -ECANCELED, frees all DMA
 * memory and removes the MSI-X handler. Safe on a zeroed or finished b. */
void vdrv_blk_fini(vdrv_blk_t *b);

/* Re-initialisation (after DEVICE_NEEDS_RESET, a broken ring, or at will): device reset (which
 * clears the transport's broken state), cancelled completions as in fini, then vdrv_blk_init
 * again with the same options. Data buffers of requests a synchronous helper abandoned belong to
 * the caller again once this returns. */
int vdrv_blk_reset(vdrv_blk_t *b);

/* Makes one request available on queue q and (unless VDRV_BLK_IO_NO_KICK) notifies the device as
 * the ring asks. cb(cookie, cpl) is called once when it completes (cb may be NULL). */
int vdrv_blk_submit(vdrv_blk_t *b, unsigned q, const vdrv_blk_io_t *io, vdrv_blk_cb_t cb,
                    void *cookie);
/* Notifies the device of requests made available with VDRV_BLK_IO_NO_KICK: 1 if the doorbell
 * was rung, 0 if the device did not ask for it. */
int vdrv_blk_kick(vdrv_blk_t *b, unsigned q);

/* Completes what queue q's used ring holds (callbacks in used-ring order): the number completed,
 * or a negative errno. In the interrupt modes interrupts are re-enabled afterwards (and the ring
 * drained again if entries arrived meanwhile, as Linux's virtblk_done does). */
int vdrv_blk_poll(vdrv_blk_t *b, unsigned q);

/* What an interrupt handler does, for the mode in use: MSI-X: the queues whose vector fired are
 * polled and a configuration interrupt is handled; INTx: the ISR is read (and so cleared), bit 0
 * polls every queue, bit 1 handles a configuration change; polling: every queue is polled and,
 * every VDRV_BLK_STATUS_POLL_EVERY calls, device_status read. A configuration change reads
 * device_status (DEVICE_NEEDS_RESET sets needs_reset) and re-reads the capacity. Returns the
 * requests completed, or -EIO when the device needs a reset. */
int vdrv_blk_process(vdrv_blk_t *b);

/* vdrv_blk_process with bus delays between calls until at least one request completes (returns
 * the count), the device needs a reset (-EIO, after device_status was read once more), or
 * max_cycles pass (0: the default timeout; -ETIMEDOUT). */
int vdrv_blk_wait(vdrv_blk_t *b, uint64_t max_cycles);

/* Reads device_status now: -EIO (and needs_reset) if it has DEVICE_NEEDS_RESET or FAILED. */
int vdrv_blk_check_status(vdrv_blk_t *b);

/* Synchronous helpers: submit on queue q (retrying while it is full) and wait up to the
 * timeout. The result of the request (0, -EIO, -EOPNOTSUPP, -EPROTO), or a submit error, or
 * -ETIMEDOUT / -EIO when the device did not complete it: the request is then abandoned (its
 * completion will be dropped) and the data buffers must not be reused before vdrv_blk_reset. */
int vdrv_blk_read(vdrv_blk_t *b, unsigned q, uint64_t sector, const vdrv_virtq_seg_t *seg,
                  unsigned nseg);
int vdrv_blk_write(vdrv_blk_t *b, unsigned q, uint64_t sector, const vdrv_virtq_seg_t *seg,
                   unsigned nseg);
/* Without VIRTIO_BLK_F_FLUSH the device is write-through: returns 0 without a request. */
int vdrv_blk_flush(vdrv_blk_t *b, unsigned q);
/* The 20-byte identification string, NUL-terminated into id[21] (a DMA buffer of its own). */
int vdrv_blk_get_id(vdrv_blk_t *b, unsigned q, char id[VDRV_BLK_ID_BYTES + 1]);

/* Requests in flight on queue q (made available, not completed). */
unsigned vdrv_blk_inflight(const vdrv_blk_t *b, unsigned q);

#endif /* VDRV_BLK_H */
