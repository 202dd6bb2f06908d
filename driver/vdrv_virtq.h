/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The driver side of a split virtqueue (virtio 1.0 section 2.4 / 1.1 section 2.6), as Linux
 * virtio_ring.c and SPDK do it, on top of vdrv_vpci.h (queue programming, doorbell) and the bus's
 * DMA ops (vdrv_bus.h): the rings live in DMA memory the driver reaches only through
 * dma_read/dma_write, never through a pointer or a BAR.
 *
 * Everything the driver must believe (free list, chain of each head, cookies, indices) is kept in
 * host memory; the rings are written, and only the fields the device owns are read (used ring,
 * used.flags, avail_event). A device that writes nonsense there (a used id out of range or not in
 * flight, a used index that moves by more than the queue size) marks the queue broken: every
 * later call returns -EIO, and nothing the device wrote is dereferenced.
 *
 * Errors are negative errno values: those of vdrv_vpci.h and the DMA ops, plus
 *   -EINVAL   bad argument (no segment, a chain longer than the queue, 4 GiB or more in total)
 *   -ENOSPC   not enough free descriptors for the chain
 *   -ENOTSUP  the bus has no DMA ops
 *   -ENOMEM   no host memory for the queue's bookkeeping or an indirect table's staging
 *   -EIO      the queue (or its transport) is broken
 * Not thread safe: one caller at a time per queue, as in Linux.
 */
#ifndef VDRV_VIRTQ_H
#define VDRV_VIRTQ_H

#include <stdint.h>

#include "vdrv_vpci.h"
#include "vep_virtio.h"   /* descriptor and ring flags, struct vep_vring_desc */

#define VDRV_VRING_MAX_SIZE          32768u

/* Ring layout: byte offsets and sizes of each part for queue size n. */
#define VDRV_VRING_DESC_SIZE ((uint32_t)sizeof(struct vep_vring_desc))
#define VDRV_VRING_DESC_BYTES(n) (VDRV_VRING_DESC_SIZE * (uint32_t)(n))
#define VDRV_VRING_AVAIL_RING(i) (4u + 2u * (uint32_t)(i))     /* avail.ring[i] */
#define VDRV_VRING_USED_EVENT(n) (4u + 2u * (uint32_t)(n))     /* in the avail ring */
#define VDRV_VRING_AVAIL_BYTES(n) (6u + 2u * (uint32_t)(n))
#define VDRV_VRING_USED_RING(i) (4u + 8u * (uint32_t)(i))      /* used.ring[i] {id, len} */
#define VDRV_VRING_AVAIL_EVENT(n) (4u + 8u * (uint32_t)(n))    /* in the used ring */
#define VDRV_VRING_USED_BYTES(n) (6u + 8u * (uint32_t)(n))
#define VDRV_VRING_IDX 2u                                       /* avail.idx, used.idx */

/* The event-index rule (virtio 1.x 2.6.7.2, Linux vring_need_event): whether moving an index
 * from old to new passed event, with 16-bit wrap. */
static inline int vdrv_vring_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
  return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

/* One buffer segment: bus address (DMA memory the device may access) and length. */
typedef struct vdrv_virtq_seg {
  uint64_t addr;
  uint32_t len;
} vdrv_virtq_seg_t;

/* What the driver keeps per descriptor (host memory, so the device cannot change it). */
typedef struct vdrv_virtq_slot {
  void *cookie;             /* the buffer's, on its head */
  uint64_t indirect;        /* bus address of its indirect table (head only), 0 if none */
  uint16_t next;            /* chain or free-list link */
  uint16_t ndesc;           /* descriptors of the chain (head only) */
  uint8_t in_flight;        /* head of a chain the device owns */
} vdrv_virtq_slot_t;

typedef struct vdrv_virtq {
  vdrv_vpci_t *v;
  const vdrv_bus_t *bus;
  uint16_t index;           /* queue index on the device */
  uint16_t size;            /* power of two */
  uint64_t desc, avail, used;  /* bus addresses of the three parts */
  int event_idx;            /* VIRTIO_F_EVENT_IDX negotiated */
  int indirect;             /* VIRTIO_F_INDIRECT_DESC negotiated */
  vdrv_virtq_slot_t *slot;  /* size entries */
  uint16_t free_head;       /* first free descriptor (valid when num_free > 0) */
  uint16_t num_free;
  /* Shadow indices, wrapping at 65536 as the ring's do. */
  uint16_t avail_idx;       /* the next avail.idx to publish (= what was published) */
  uint16_t kicked_idx;      /* avail_idx at the last kick: "old" of the event-index rule */
  uint32_t added_since_kick;
  uint16_t last_used;       /* used entries consumed */
  uint16_t avail_flags;     /* what avail.flags holds */
  int cb_disabled;          /* disable_cb called last (with or without EVENT_IDX) */
  int broken;
} vdrv_virtq_t;

/* Creates queue `index`: reads its size on the device (0: -ENOENT), takes `size` (0 means the
 * device's; else a power of two no larger: -EINVAL), allocates the descriptor table (align 16),
 * the avail ring with used_event (align 2, device-readable) and the used ring with avail_event
 * (align 4, device-writable), all zeroed, and programs and enables the queue with
 * vdrv_vpci_setup_queue (MSI-X vector `vector`). EVENT_IDX and INDIRECT_DESC are used when
 * v->driver_features has them (the negotiated set). Call it after FEATURES_OK and before
 * DRIVER_OK. On failure nothing stays allocated. */
int vdrv_virtq_create(vdrv_virtq_t *vq, vdrv_vpci_t *v, uint16_t index, uint16_t size,
                      uint16_t vector);
/* Frees the rings, the indirect tables of buffers still in flight and the host-side state. The
 * device must no longer use the queue (after a device reset). Safe on a zeroed or destroyed vq. */
void vdrv_virtq_destroy(vdrv_virtq_t *vq);

/* Makes one buffer available: n_out device-readable segments, then n_in device-writable ones
 * (the spec's order), with cookie (returned by get_used; may be NULL). With use_indirect and
 * INDIRECT_DESC negotiated the chain goes into one indirect table in DMA memory (device-readable)
 * and takes one descriptor; otherwise (also when INDIRECT_DESC was not negotiated) a direct chain
 * linked by NEXT. The avail entry and then avail.idx are published at once; the device is told
 * only by vdrv_virtq_kick. -EINVAL for no segment, more than `size` of them, or 4 GiB or more in
 * total; -ENOSPC when the free descriptors do not suffice. */
int vdrv_virtq_add(vdrv_virtq_t *vq, const vdrv_virtq_seg_t *out, unsigned n_out,
                   const vdrv_virtq_seg_t *in, unsigned n_in, void *cookie, int use_indirect);

/* Notifies the device (vdrv_vpci_notify) if it asked for it since the last kick: with EVENT_IDX
 * when avail_event lies in what was added (vdrv_vring_need_event), without it unless used.flags
 * has NO_NOTIFY; never when nothing was added; always after 65536 or more additions (the 16-bit
 * comparison can no longer tell). Returns 1 when it notified, 0 when not, or a negative errno. */
int vdrv_virtq_kick(vdrv_virtq_t *vq);

/* Takes the next used entry in used-ring order: 1 with its cookie and the length the device
 * wrote (either pointer may be NULL), 0 when none is pending. Frees the chain's descriptors (and
 * its indirect table). -EIO, and the queue is broken, when the used index moved by more than the
 * queue size or the entry's id is out of range or not the head of a buffer in flight. The
 * length is the device's word, not checked against the buffer. */
int vdrv_virtq_get_used(vdrv_virtq_t *vq, void **cookie, uint32_t *len);

/* Interrupt suppression. disable_cb asks the device not to interrupt: avail.flags NO_INTERRUPT,
 * or with EVENT_IDX a used_event just behind the used index (never reached for 65535 entries).
 * enable_cb asks for an interrupt at the next used entry (flags 0, or used_event = the entries
 * consumed) and returns 1 when entries are already pending (the caller drains them: the device
 * may have written them before it saw the request), 0 when none is, or a negative errno. Both
 * are hints the device may ignore; interrupts must still be tolerated. */
int vdrv_virtq_disable_cb(vdrv_virtq_t *vq);
int vdrv_virtq_enable_cb(vdrv_virtq_t *vq);

/* Free descriptors (for callers that size their batches). */
static inline unsigned vdrv_virtq_num_free(const vdrv_virtq_t *vq) { return vq->num_free; }

#endif /* VDRV_VIRTQ_H */
