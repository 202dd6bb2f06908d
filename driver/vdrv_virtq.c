/* SPDX-License-Identifier: Apache-2.0 */
#include "vdrv_virtq.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---- DMA memory, little-endian whatever the host is ---- */

static void put_le16(uint8_t *p, uint16_t v)
{
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
  put_le16(p, (uint16_t)v);
  put_le16(p + 2, (uint16_t)(v >> 16));
}

static void put_le64(uint8_t *p, uint64_t v)
{
  put_le32(p, (uint32_t)v);
  put_le32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t get_le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

static uint32_t get_le32(const uint8_t *p)
{
  return (uint32_t)get_le16(p) | ((uint32_t)get_le16(p + 2) << 16);
}

/* A DMA access that fails leaves the ring in a state nobody can vouch for: the queue is broken. */
static int dma_wr(vdrv_virtq_t *vq, uint64_t addr, const void *buf, size_t len)
{
  if (vq->bus->ops->dma_write(vq->bus->ctx, addr, buf, len)) {
    vq->broken = 1;
    return -EIO;
  }
  return 0;
}

static int dma_rd(vdrv_virtq_t *vq, uint64_t addr, void *buf, size_t len)
{
  if (vq->bus->ops->dma_read(vq->bus->ctx, addr, buf, len)) {
    vq->broken = 1;
    return -EIO;
  }
  return 0;
}

static int wr16(vdrv_virtq_t *vq, uint64_t addr, uint16_t v)
{
  uint8_t b[2];
  put_le16(b, v);
  return dma_wr(vq, addr, b, sizeof b);
}

static int rd16(vdrv_virtq_t *vq, uint64_t addr, uint16_t *v)
{
  uint8_t b[2];
  int rc = dma_rd(vq, addr, b, sizeof b);
  if (!rc) *v = get_le16(b);
  return rc;
}

static void encode_desc(uint8_t *d, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
  put_le64(d + offsetof(struct vep_vring_desc, addr), addr);
  put_le32(d + offsetof(struct vep_vring_desc, len), len);
  put_le16(d + offsetof(struct vep_vring_desc, flags), flags);
  put_le16(d + offsetof(struct vep_vring_desc, next), next);
}

static int usable(const vdrv_virtq_t *vq)
{
  if (!vq || !vq->slot) return -EINVAL;
  return (vq->broken || vq->v->broken) ? -EIO : 0;
}

static int is_pow2(unsigned x) { return x && !(x & (x - 1)); }

/* ---- Creation ---- */

void vdrv_virtq_destroy(vdrv_virtq_t *vq)
{
  if (!vq || !vq->slot) return;
  const vdrv_bus_ops_t *ops = vq->bus->ops;
  for (unsigned i = 0; i < vq->size; i++)
    if (vq->slot[i].in_flight && vq->slot[i].indirect)
      ops->dma_free(vq->bus->ctx, vq->slot[i].indirect);
  if (vq->desc) ops->dma_free(vq->bus->ctx, vq->desc);
  if (vq->avail) ops->dma_free(vq->bus->ctx, vq->avail);
  if (vq->used) ops->dma_free(vq->bus->ctx, vq->used);
  free(vq->slot);
  memset(vq, 0, sizeof *vq);
}

int vdrv_virtq_create(vdrv_virtq_t *vq, vdrv_vpci_t *v, uint16_t index, uint16_t size,
                      uint16_t vector)
{
  if (!vq || !v || !v->pci || !v->pci->bus) return -EINVAL;
  memset(vq, 0, sizeof *vq);
  const vdrv_bus_t *bus = v->pci->bus;
  const vdrv_bus_ops_t *ops = bus->ops;
  if (!ops->dma_alloc || !ops->dma_free || !ops->dma_read || !ops->dma_write) return -ENOTSUP;
  if (index >= VDRV_VPCI_MAX_QUEUES) return -ERANGE;
  /* The size must be known before the rings are allocated, so read it here; setup_queue reads it
   * again and programs the smaller one. */
  uint32_t dev_size;
  int rc = vdrv_vpci_common_write(v, VEP_COMMON_Q_SELECT, 2, index);
  if (!rc) rc = vdrv_vpci_common_read(v, VEP_COMMON_Q_SIZE, 2, &dev_size);
  if (rc) return rc;
  if (!dev_size) return -ENOENT;
  if (!size) size = (uint16_t)dev_size;
  if (!is_pow2(size) || size > dev_size || size > VDRV_VRING_MAX_SIZE) return -EINVAL;

  vq->v = v;
  vq->bus = bus;
  vq->index = index;
  vq->size = size;
  vq->event_idx = vdrv_vpci_has_feature(v->driver_features, VEP_F_EVENT_IDX);
  vq->indirect = vdrv_vpci_has_feature(v->driver_features, VEP_F_INDIRECT_DESC);
  vq->slot = calloc(size, sizeof *vq->slot);
  if (!vq->slot) return -ENOMEM;
  /* The avail ring holds used_event and the used ring avail_event whether or not EVENT_IDX is
   * negotiated, so that one layout serves both. */
  if ((rc = ops->dma_alloc(bus->ctx, VDRV_VRING_DESC_BYTES(size), 16, VDRV_DMA_DEV_READ,
                           &vq->desc)))
    goto fail;
  if ((rc = ops->dma_alloc(bus->ctx, VDRV_VRING_AVAIL_BYTES(size), 2, VDRV_DMA_DEV_READ,
                           &vq->avail)))
    goto fail;
  if ((rc = ops->dma_alloc(bus->ctx, VDRV_VRING_USED_BYTES(size), 4, VDRV_DMA_DEV_WRITE,
                           &vq->used)))
    goto fail;
  for (unsigned i = 0; i < size; i++) vq->slot[i].next = (uint16_t)(i + 1);
  vq->free_head = 0;
  vq->num_free = size;
  uint16_t got;
  rc = vdrv_vpci_setup_queue(v, index, size, vq->desc, vq->avail, vq->used, vector, 1, &got);
  if (!rc && got != size) rc = -EPROTO;
  if (rc) goto fail;
  return 0;
fail:
  vdrv_virtq_destroy(vq);
  return rc;
}

/* ---- Making buffers available ---- */

int vdrv_virtq_add(vdrv_virtq_t *vq, const vdrv_virtq_seg_t *out, unsigned n_out,
                   const vdrv_virtq_seg_t *in, unsigned n_in, void *cookie, int use_indirect)
{
  int rc = usable(vq);
  if (rc) return rc;
  unsigned total = n_out + n_in;
  if (!total || total > vq->size || n_out > vq->size || n_in > vq->size || (n_out && !out) ||
      (n_in && !in))
    return -EINVAL;
  uint64_t bytes = 0;
  for (unsigned i = 0; i < n_out; i++) bytes += out[i].len;
  for (unsigned i = 0; i < n_in; i++) bytes += in[i].len;
  if (bytes > UINT32_MAX) return -EINVAL;
  int indirect = use_indirect && vq->indirect;
  if ((indirect ? 1u : total) > vq->num_free) return -ENOSPC;

  uint16_t head = vq->free_head;
  vdrv_virtq_slot_t *h = &vq->slot[head];
  uint8_t d[VDRV_VRING_DESC_SIZE];
  if (indirect) {
    const vdrv_bus_ops_t *ops = vq->bus->ops;
    size_t tbytes = (size_t)VDRV_VRING_DESC_SIZE * total;
    uint8_t *tab = malloc(tbytes);
    if (!tab) return -ENOMEM;
    /* Inside the table the chain starts at 0 and runs in order; readable entries first. */
    for (unsigned i = 0; i < total; i++) {
      const vdrv_virtq_seg_t *s = i < n_out ? &out[i] : &in[i - n_out];
      uint16_t fl = (uint16_t)((i >= n_out ? VEP_VRING_DESC_F_WRITE : 0u) |
                               (i + 1 < total ? VEP_VRING_DESC_F_NEXT : 0u));
      encode_desc(tab + VDRV_VRING_DESC_SIZE * i, s->addr, s->len, fl,
                  (uint16_t)(i + 1 < total ? i + 1 : 0));
    }
    uint64_t taddr;
    rc = ops->dma_alloc(vq->bus->ctx, tbytes, 16, VDRV_DMA_DEV_READ, &taddr);
    if (rc) {
      free(tab);
      return rc;
    }
    rc = dma_wr(vq, taddr, tab, tbytes);
    free(tab);
    if (rc) {
      ops->dma_free(vq->bus->ctx, taddr);
      return rc;
    }
    encode_desc(d, taddr, (uint32_t)tbytes, VEP_VRING_DESC_F_INDIRECT, 0);
    if ((rc = dma_wr(vq, vq->desc + VDRV_VRING_DESC_SIZE * head, d, sizeof d))) {
      ops->dma_free(vq->bus->ctx, taddr);
      return rc;
    }
    h->indirect = taddr;
    h->ndesc = 1;
    vq->free_head = h->next;
  } else {
    /* The chain takes the first `total` entries of the free list, linked as they are there. */
    uint16_t cur = head;
    for (unsigned i = 0; i < total; i++) {
      const vdrv_virtq_seg_t *s = i < n_out ? &out[i] : &in[i - n_out];
      int more = i + 1 < total;
      uint16_t fl = (uint16_t)((i >= n_out ? VEP_VRING_DESC_F_WRITE : 0u) |
                               (more ? VEP_VRING_DESC_F_NEXT : 0u));
      encode_desc(d, s->addr, s->len, fl, more ? vq->slot[cur].next : 0);
      if ((rc = dma_wr(vq, vq->desc + VDRV_VRING_DESC_SIZE * cur, d, sizeof d))) return rc;
      if (more) cur = vq->slot[cur].next;
    }
    h->indirect = 0;
    h->ndesc = (uint16_t)total;
    vq->free_head = vq->slot[cur].next;
  }
  vq->num_free = (uint16_t)(vq->num_free - h->ndesc);
  h->cookie = cookie;
  h->in_flight = 1;

  if ((rc = wr16(vq, vq->avail + VDRV_VRING_AVAIL_RING(vq->avail_idx & (vq->size - 1)), head)))
    return rc;
  /* Release: the descriptors (and indirect table) and the ring entry above must be visible to
   * the device before the index that hands them over; the device reads in the opposite order. */
  atomic_thread_fence(memory_order_release);
  vq->avail_idx++;
  vq->added_since_kick++;
  return wr16(vq, vq->avail + VDRV_VRING_IDX, vq->avail_idx);
}

int vdrv_virtq_kick(vdrv_virtq_t *vq)
{
  int rc = usable(vq);
  if (rc) return rc;
  if (!vq->added_since_kick) return 0;
  /* Full barrier: the avail.idx store must be visible before we read what the device asked
   * for; otherwise the device could read the old index, ask to be notified, go idle, and we
   * would read its stale request and skip the doorbell. Only a full fence orders a store before
   * a later load. */
  atomic_thread_fence(memory_order_seq_cst);
  int need;
  if (vq->added_since_kick >= 65536u) {
    need = 1;
  } else if (vq->event_idx) {
    uint16_t ev;
    if ((rc = rd16(vq, vq->used + VDRV_VRING_AVAIL_EVENT(vq->size), &ev))) return rc;
    need = vdrv_vring_need_event(ev, vq->avail_idx, vq->kicked_idx);
  } else {
    uint16_t fl;
    if ((rc = rd16(vq, vq->used, &fl))) return rc;
    need = !(fl & VEP_VRING_USED_F_NO_NOTIFY);
  }
  vq->kicked_idx = vq->avail_idx;
  vq->added_since_kick = 0;
  if (!need) return 0;
  rc = vdrv_vpci_notify(vq->v, vq->index);
  return rc ? rc : 1;
}

/* ---- Used buffers ---- */

/* Entries the device has published and we have not consumed; a count above the queue size
 * cannot come from a working device. */
static int used_pending(vdrv_virtq_t *vq, uint16_t *pending)
{
  uint16_t idx;
  int rc = rd16(vq, vq->used + VDRV_VRING_IDX, &idx);
  if (rc) return rc;
  uint16_t n = (uint16_t)(idx - vq->last_used);
  if (n > vq->size) {
    vq->broken = 1;
    return -EIO;
  }
  *pending = n;
  return 0;
}

/* used_event as the callback state asks: the entries consumed (interrupt at the next one), or
 * one behind (no interrupt until the index comes round again, 65535 entries later). */
static int write_used_event(vdrv_virtq_t *vq)
{
  uint16_t ev = (uint16_t)(vq->last_used - (vq->cb_disabled ? 1u : 0u));
  return wr16(vq, vq->avail + VDRV_VRING_USED_EVENT(vq->size), ev);
}

int vdrv_virtq_get_used(vdrv_virtq_t *vq, void **cookie, uint32_t *len)
{
  int rc = usable(vq);
  if (rc) return rc;
  uint16_t pending;
  if ((rc = used_pending(vq, &pending))) return rc;
  if (!pending) return 0;
  /* Acquire: the used element must be read after the index that published it, or we could see
   * the element's old contents. */
  atomic_thread_fence(memory_order_acquire);
  uint8_t e[8];
  if ((rc = dma_rd(vq, vq->used + VDRV_VRING_USED_RING(vq->last_used & (vq->size - 1)), e,
                   sizeof e)))
    return rc;
  uint32_t id = get_le32(e), n = get_le32(e + 4);
  if (id >= vq->size || !vq->slot[id].in_flight) {
    vq->broken = 1;
    return -EIO;
  }
  vdrv_virtq_slot_t *h = &vq->slot[id];
  if (cookie) *cookie = h->cookie;
  if (len) *len = n;
  if (h->indirect) vq->bus->ops->dma_free(vq->bus->ctx, h->indirect);
  /* Back onto the free list: the chain's links are still in slot[].next. */
  uint16_t last = (uint16_t)id;
  for (unsigned i = 1; i < h->ndesc; i++) last = vq->slot[last].next;
  vq->slot[last].next = vq->free_head;
  vq->free_head = (uint16_t)id;
  vq->num_free = (uint16_t)(vq->num_free + h->ndesc);
  h->in_flight = 0;
  h->indirect = 0;
  h->cookie = NULL;
  vq->last_used++;
  if (vq->event_idx) {
    if ((rc = write_used_event(vq))) return rc;
    /* Full barrier: the new used_event must be visible before the caller's next read of
     * used.idx, as in enable_cb. */
    atomic_thread_fence(memory_order_seq_cst);
  }
  return 1;
}

int vdrv_virtq_disable_cb(vdrv_virtq_t *vq)
{
  int rc = usable(vq);
  if (rc) return rc;
  vq->cb_disabled = 1;
  /* A hint only: an interrupt already on its way is tolerated, so no barrier. */
  if (vq->event_idx) return write_used_event(vq);
  if (vq->avail_flags & VEP_VRING_AVAIL_F_NO_INTERRUPT) return 0;
  vq->avail_flags |= VEP_VRING_AVAIL_F_NO_INTERRUPT;
  return wr16(vq, vq->avail, vq->avail_flags);
}

int vdrv_virtq_enable_cb(vdrv_virtq_t *vq)
{
  int rc = usable(vq);
  if (rc) return rc;
  vq->cb_disabled = 0;
  if (vq->event_idx) {
    rc = write_used_event(vq);
  } else if (vq->avail_flags & VEP_VRING_AVAIL_F_NO_INTERRUPT) {
    /* With EVENT_IDX the spec wants avail.flags 0, so only this path touches it. */
    vq->avail_flags &= (uint16_t)~VEP_VRING_AVAIL_F_NO_INTERRUPT;
    rc = wr16(vq, vq->avail, vq->avail_flags);
  }
  if (rc) return rc;
  /* Full barrier: the request must be visible before we look at used.idx. An entry the device
   * wrote before seeing it came without an interrupt; reading after the barrier finds it. */
  atomic_thread_fence(memory_order_seq_cst);
  uint16_t pending;
  if ((rc = used_pending(vq, &pending))) return rc;
  return pending != 0;
}
