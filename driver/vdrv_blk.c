/* SPDX-License-Identifier: Apache-2.0 */
/* The virtio-blk driver: see vdrv_blk.h. */
#include "vdrv_blk.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define STATUS_UNSET 0xFFu    /* preset into each status byte: a device that completes a request
                               * without writing its status is caught */
#define COPY_CHUNK 512u

static const vdrv_bus_t *bus_of(const vdrv_blk_t *b) { return b->v->pci->bus; }

static void put_le32(uint8_t *p, uint32_t v)
{
  for (unsigned i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
  for (unsigned i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static int has(const vdrv_blk_t *b, unsigned bit)
{
  return vdrv_vpci_has_feature(b->v->driver_features, bit);
}

static int dma_alloc(vdrv_blk_t *b, size_t size, size_t align, unsigned dir, uint64_t *addr)
{
  const vdrv_bus_t *bus = bus_of(b);
  return bus->ops->dma_alloc(bus->ctx, size, align, dir, addr);
}

static void dma_free(vdrv_blk_t *b, uint64_t *addr)
{
  if (*addr) {
    const vdrv_bus_t *bus = bus_of(b);
    bus->ops->dma_free(bus->ctx, *addr);
    *addr = 0;
  }
}

/* A failing DMA op leaves requests nobody can vouch for: like a broken ring, only a reset
 * helps. */
static int dma_wr(vdrv_blk_t *b, uint64_t addr, const void *buf, size_t len)
{
  const vdrv_bus_t *bus = bus_of(b);
  if (bus->ops->dma_write(bus->ctx, addr, buf, len)) {
    b->needs_reset = 1;
    return -EIO;
  }
  return 0;
}

static int dma_rd(vdrv_blk_t *b, uint64_t addr, void *buf, size_t len)
{
  const vdrv_bus_t *bus = bus_of(b);
  if (bus->ops->dma_read(bus->ctx, addr, buf, len)) {
    b->needs_reset = 1;
    return -EIO;
  }
  return 0;
}

/* CPU copy between two DMA buffers, in chunks: the driver holds no pointer into either. */
static int dma_copy(vdrv_blk_t *b, uint64_t dst, uint64_t src, uint32_t len)
{
  uint8_t buf[COPY_CHUNK];
  while (len) {
    uint32_t n = len < COPY_CHUNK ? len : COPY_CHUNK;
    int rc = dma_rd(b, src, buf, n);
    if (!rc) rc = dma_wr(b, dst, buf, n);
    if (rc) return rc;
    src += n;
    dst += n;
    len -= n;
  }
  return 0;
}

static void delay(vdrv_blk_t *b, unsigned cycles)
{
  const vdrv_bus_t *bus = bus_of(b);
  if (bus->ops->delay) bus->ops->delay(bus->ctx, cycles);
}

static uint64_t timeout_of(const vdrv_blk_t *b)
{
  return b->opts.timeout_cycles ? b->opts.timeout_cycles : VDRV_BLK_TIMEOUT_DEFAULT;
}

void vdrv_blk_opts_default(vdrv_blk_opts_t *o)
{
  memset(o, 0, sizeof *o);
  o->irq_mode = VDRV_BLK_IRQ_MSIX;
}

/* ---- Interrupts ---- */

/* Runs in interrupt context on a real platform: only records what fired. */
static void msix_handler(void *arg, uint64_t addr, uint32_t data)
{
  vdrv_blk_t *b = arg;
  uint32_t vec = data - b->opts.msi_data;
  if (addr != b->opts.msi_addr || vec >= b->nvectors) {
    b->stray_irqs++;
    return;
  }
  b->irqs++;
  if (vec == b->config_vector) {
    b->config_pending = 1;
    b->config_irqs++;
  }
  for (unsigned i = 0; i < b->nq; i++)
    if (b->q[i].vector == vec) b->q[i].irq_pending = 1;
}

int vdrv_blk_check_status(vdrv_blk_t *b)
{
  if (!b || !b->v) return -EINVAL;
  uint8_t st;
  int rc = vdrv_vpci_get_status(b->v, &st);
  if (rc) {
    b->needs_reset = 1;
    return rc;
  }
  /* Without DRIVER_OK someone reset the device under us: the rings are gone too. */
  if ((st & (VEP_STATUS_DEVICE_NEEDS_RESET | VEP_STATUS_FAILED)) ||
      !(st & VEP_STATUS_DRIVER_OK)) {
    b->needs_reset = 1;
    return -EIO;
  }
  return 0;
}

static int read_capacity(vdrv_blk_t *b)
{
  uint64_t cap;
  int rc = vdrv_vpci_device_read(b->v, VEP_BLK_CFG_CAPACITY, 8, &cap);
  if (!rc) b->capacity = cap;
  return rc;
}

/* A configuration interrupt: DEVICE_NEEDS_RESET is announced this way, and so is a change of
 * the configuration (a resized disk). */
static int config_changed(vdrv_blk_t *b)
{
  int rc = vdrv_blk_check_status(b);
  if (rc) return rc;
  b->config_changes++;
  rc = read_capacity(b);
  if (rc) b->needs_reset = 1;
  return rc;
}

/* ---- Request slots ---- */

static void slot_free(vdrv_blk_queue_t *Q, uint16_t i)
{
  Q->rq[i].busy = 0;
  Q->rq[i].cb = NULL;
  Q->rq[i].next_free = Q->free_head;
  Q->free_head = i;
  Q->nfree++;
}

/* Checks the status byte and used length, copies a bounce buffer back, frees the slot, then
 * calls back (after the free, so that the callback may submit again). */
static void complete_rq(vdrv_blk_t *b, vdrv_blk_queue_t *Q, vdrv_blk_rq_t *rq, int cancelled,
                        uint32_t len)
{
  vdrv_blk_cpl_t cpl;
  cpl.cookie = rq->cookie;
  cpl.type = rq->type;
  cpl.status = STATUS_UNSET;
  cpl.len = 0;
  if (cancelled) {
    cpl.result = -ECANCELED;
  } else {
    cpl.len = len;
    uint8_t st = STATUS_UNSET;
    if (dma_rd(b, rq->status_addr, &st, 1)) {
      cpl.result = -EIO;
    } else {
      cpl.status = st;
      uint64_t writable = (uint64_t)rq->data_in + 1u;
      if (len < 1 || len > writable) {
        cpl.result = -EPROTO;
      } else if (st == VEP_BLK_S_OK) {
        /* A read must have filled every byte asked for: anything else would hand the caller
         * stale data as if it were the disk's. */
        cpl.result = (rq->type == VEP_BLK_T_IN && len != writable) ? -EPROTO : 0;
        uint32_t written = len - 1u;
        if (!cpl.result && rq->copy_to && written > rq->copy_skip) {
          uint32_t n = written - rq->copy_skip;
          if (n > rq->copy_len) n = rq->copy_len;
          if (dma_copy(b, rq->copy_to, rq->bounce, n)) cpl.result = -EIO;
        }
      } else if (st == VEP_BLK_S_IOERR) {
        cpl.result = -EIO;
      } else if (st == VEP_BLK_S_UNSUPP) {
        cpl.result = -EOPNOTSUPP;
      } else {
        cpl.result = -EPROTO;
      }
    }
  }
  vdrv_blk_cb_t cb = rq->cb;
  void *cookie = rq->cookie;
  dma_free(b, &rq->bounce);
  dma_free(b, &rq->own);
  slot_free(Q, (uint16_t)(rq - Q->rq));
  b->completions++;
  if (cb) cb(cookie, &cpl);
}

/* ---- Queues ---- */

static void queue_destroy(vdrv_blk_t *b, vdrv_blk_queue_t *Q)
{
  if (Q->rq) {
    for (unsigned i = 0; i < Q->vq.size; i++)
      if (Q->rq[i].busy) complete_rq(b, Q, &Q->rq[i], 1, 0);
  }
  vdrv_virtq_destroy(&Q->vq);
  dma_free(b, &Q->hdrs);
  dma_free(b, &Q->stats);
  free(Q->rq);
  memset(Q, 0, sizeof *Q);
}

static int queue_create(vdrv_blk_t *b, unsigned qi, uint16_t vector)
{
  vdrv_blk_queue_t *Q = &b->q[qi];
  memset(Q, 0, sizeof *Q);
  Q->vector = vector;
  int rc = vdrv_virtq_create(&Q->vq, b->v, (uint16_t)qi, b->opts.queue_size, vector);
  if (rc) return rc;
  uint16_t n = Q->vq.size;
  Q->rq = calloc(n, sizeof *Q->rq);
  if (!Q->rq) {
    rc = -ENOMEM;
    goto fail;
  }
  if ((rc = dma_alloc(b, (size_t)VEP_BLK_HDR_BYTES * n, 16, VDRV_DMA_DEV_READ, &Q->hdrs)))
    goto fail;
  if ((rc = dma_alloc(b, n, 8, VDRV_DMA_DEV_WRITE, &Q->stats))) goto fail;
  for (unsigned i = 0; i < n; i++) Q->rq[i].next_free = (uint16_t)(i + 1);
  Q->free_head = 0;
  Q->nfree = n;
  if (b->irq_mode == VDRV_BLK_IRQ_POLL && (rc = vdrv_virtq_disable_cb(&Q->vq))) goto fail;
  return 0;
fail:
  queue_destroy(b, Q);
  return rc;
}

/* ---- Bring-up ---- */

static int is_blk(const vdrv_pci_dev_t *pci)
{
  return pci->device_id == VEP_PCI_DEVICE_ID_BASE + VEP_VIRTIO_ID_BLK ||
         pci->device_id == 0x1001u;   /* transitional virtio-blk */
}

/* Interrupt set-up for the mode asked for; MSI-X without a table falls back to INTx. */
static int setup_irqs(vdrv_blk_t *b, uint16_t *qvec)
{
  vdrv_vpci_t *v = b->v;
  const vdrv_bus_t *bus = bus_of(b);
  int rc;
  b->irq_mode = b->opts.irq_mode;
  if (b->irq_mode == VDRV_BLK_IRQ_MSIX && (!v->msix_vectors || !bus->ops->set_irq_handler))
    b->irq_mode = VDRV_BLK_IRQ_INTX;
  b->config_vector = VEP_MSI_NO_VECTOR;
  if (b->irq_mode != VDRV_BLK_IRQ_MSIX) {
    if (v->msix_vectors && (rc = vdrv_pci_msix_enable(v->pci, 0))) return rc;
    uint16_t rb;
    if ((rc = vdrv_vpci_set_config_vector(v, VEP_MSI_NO_VECTOR, &rb))) return rc;
    for (unsigned i = 0; i < b->nq; i++) qvec[i] = VEP_MSI_NO_VECTOR;
    return 0;
  }
  /* One vector for the configuration and one per queue, as Linux asks first; else the queues
   * share one; with a single entry everything shares it. */
  unsigned nvec = v->msix_vectors >= b->nq + 1u ? b->nq + 1u : (v->msix_vectors >= 2u ? 2u : 1u);
  for (unsigned i = 0; i < nvec; i++)
    if ((rc = vdrv_vpci_msix_set_entry(v, i, b->opts.msi_addr, b->opts.msi_data + i, 0)))
      return rc;
  b->nvectors = nvec;
  bus->ops->set_irq_handler(bus->ctx, msix_handler, b);
  if ((rc = vdrv_pci_msix_enable(v->pci, 1))) return rc;
  uint16_t rb;
  if ((rc = vdrv_vpci_set_config_vector(v, 0, &rb))) return rc;
  if (rb != 0) return rb == VEP_MSI_NO_VECTOR ? -EIO : -EPROTO;
  b->config_vector = 0;
  for (unsigned i = 0; i < b->nq; i++)
    qvec[i] = (uint16_t)(nvec == 1u ? 0u : (nvec == 2u ? 1u : 1u + i));
  return 0;
}

static void teardown(vdrv_blk_t *b, int reset_device)
{
  if (reset_device) (void)vdrv_vpci_reset(b->v);
  b->ready = 0;
  for (unsigned i = 0; i < VDRV_BLK_MAX_QUEUES; i++) queue_destroy(b, &b->q[i]);
  b->nq = 0;
  if (b->nvectors) {
    const vdrv_bus_t *bus = bus_of(b);
    bus->ops->set_irq_handler(bus->ctx, NULL, NULL);
    b->nvectors = 0;
  }
}

int vdrv_blk_init(vdrv_blk_t *b, vdrv_vpci_t *v, const vdrv_blk_opts_t *opts)
{
  if (!b || !v || !v->pci || !v->pci->bus) return -EINVAL;
  vdrv_blk_opts_t o;
  if (opts)
    o = *opts;
  else
    vdrv_blk_opts_default(&o);
  memset(b, 0, sizeof *b);
  b->v = v;
  b->opts = o;
  if (!v->probed) return -EINVAL;
  if (!is_blk(v->pci)) return -ENODEV;
  const vdrv_bus_ops_t *ops = v->pci->bus->ops;
  if (!ops->dma_alloc || !ops->dma_free || !ops->dma_read || !ops->dma_write) return -ENOTSUP;
  if (o.irq_mode > VDRV_BLK_IRQ_POLL) return -EINVAL;

  static const unsigned want_bits[] = {VEP_BLK_F_SEG_MAX, VEP_BLK_F_BLK_SIZE, VEP_BLK_F_FLUSH,
                                       VEP_BLK_F_RO, VEP_F_INDIRECT_DESC, VEP_F_EVENT_IDX};
  uint32_t wanted[VDRV_FEATURE_WORDS] = {0};
  for (unsigned i = 0; i < sizeof want_bits / sizeof want_bits[0]; i++)
    if (!((o.refuse_features >> want_bits[i]) & 1u))
      wanted[want_bits[i] / 32u] |= 1u << (want_bits[i] % 32u);
  int rc = vdrv_vpci_init(v, wanted);   /* sets FAILED itself on failure */
  if (rc) return rc;

  b->has_seg_max = has(b, VEP_BLK_F_SEG_MAX);
  b->has_blk_size = has(b, VEP_BLK_F_BLK_SIZE);
  b->flush = has(b, VEP_BLK_F_FLUSH);
  b->ro = has(b, VEP_BLK_F_RO);
  b->indirect = has(b, VEP_F_INDIRECT_DESC);
  b->event_idx = has(b, VEP_F_EVENT_IDX);
  uint64_t val;
  if ((rc = read_capacity(b))) goto fail;
  if (b->has_seg_max) {
    if ((rc = vdrv_vpci_device_read(v, VEP_BLK_CFG_SEG_MAX, 4, &val))) goto fail;
    b->seg_max = (uint32_t)val;
  }
  if (b->has_blk_size) {
    if ((rc = vdrv_vpci_device_read(v, VEP_BLK_CFG_BLK_SIZE, 4, &val))) goto fail;
    b->blk_size = (uint32_t)val;
  }
  /* Informative (meaningful with VIRTIO_BLK_F_MQ); a shorter configuration lacks it. */
  if (!vdrv_vpci_device_read(v, VEP_BLK_CFG_NUM_QUEUES, 2, &val)) b->cfg_num_queues = (uint16_t)val;
  b->lbs = VEP_BLK_SECTOR;
  if (b->has_blk_size && b->blk_size >= VEP_BLK_SECTOR && b->blk_size <= 65536u &&
      !(b->blk_size & (b->blk_size - 1u)))
    b->lbs = b->blk_size;

  unsigned avail_q = v->num_queues < VDRV_BLK_MAX_QUEUES ? v->num_queues : VDRV_BLK_MAX_QUEUES;
  if (o.num_queues > avail_q || !avail_q) {
    rc = avail_q ? -EINVAL : -ENODEV;
    goto fail;
  }
  b->nq = o.num_queues ? o.num_queues : avail_q;
  uint16_t qvec[VDRV_BLK_MAX_QUEUES];
  if ((rc = setup_irqs(b, qvec))) goto fail;
  uint16_t min_size = 0xFFFFu;
  for (unsigned i = 0; i < b->nq; i++) {
    if ((rc = queue_create(b, i, qvec[i]))) goto fail;
    if (b->q[i].vq.size < min_size) min_size = b->q[i].vq.size;
  }
  /* Linux: seg_max data segments (at least one), header and status on top; a direct chain must
   * also fit the ring (an indirect table too: vdrv_virtq keeps it within the queue size). */
  b->max_segs = b->has_seg_max && b->seg_max ? b->seg_max : 1u;
  unsigned ring_max = min_size > 2u ? min_size - 2u : 1u;
  if (b->max_segs > ring_max) b->max_segs = ring_max;
  if ((rc = vdrv_vpci_driver_ok(v))) goto fail;
  b->ready = 1;
  return 0;

fail:
  teardown(b, 1);
  (void)vdrv_vpci_set_status(v, VEP_STATUS_FAILED);
  return rc;
}

void vdrv_blk_fini(vdrv_blk_t *b)
{
  if (!b || !b->v) return;
  teardown(b, 1);
}

int vdrv_blk_reset(vdrv_blk_t *b)
{
  if (!b || !b->v) return -EINVAL;
  vdrv_vpci_t *v = b->v;
  vdrv_blk_opts_t o = b->opts;
  /* The reset comes first so that the device has let go of every buffer before the requests are
   * cancelled and their memory freed. */
  int rc = vdrv_vpci_reset(v);
  teardown(b, 0);
  if (rc) {
    b->needs_reset = 1;
    return rc;
  }
  return vdrv_blk_init(b, v, &o);
}

/* ---- Requests ---- */

static int usable(const vdrv_blk_t *b, unsigned q)
{
  if (!b || !b->v) return -EINVAL;
  if (!b->ready || b->needs_reset || b->v->broken) return -EIO;
  return q < b->nq ? 0 : -EINVAL;
}

/* The checks a well-behaved driver makes before it bothers the device. */
static int check_io(const vdrv_blk_t *b, const vdrv_blk_io_t *io, uint64_t total)
{
  if (io->flags & VDRV_BLK_IO_RAW) return 0;
  if (io->nseg > b->max_segs) return -EINVAL;
  switch (io->type) {
  case VEP_BLK_T_IN:
  case VEP_BLK_T_OUT: {
    uint64_t spb = b->lbs / VEP_BLK_SECTOR;
    if (!io->nseg || total % b->lbs || io->sector % spb) return -EINVAL;
    uint64_t n = total / VEP_BLK_SECTOR;
    if (io->sector > b->capacity || n > b->capacity - io->sector) return -ERANGE;
    if (io->type == VEP_BLK_T_OUT && b->ro) return -EROFS;
    return 0;
  }
  case VEP_BLK_T_FLUSH:
    if (io->nseg) return -EINVAL;
    return b->flush ? 0 : -EOPNOTSUPP;
  case VEP_BLK_T_GET_ID:
    return io->nseg ? 0 : -EINVAL;
  default:
    return -EINVAL;
  }
}

static int submit(vdrv_blk_t *b, unsigned qi, const vdrv_blk_io_t *io, vdrv_blk_cb_t cb,
                  void *cookie, uint16_t *slot_out)
{
  int rc = usable(b, qi);
  if (rc) return rc;
  if (!io || (io->nseg && !io->seg)) return -EINVAL;
  vdrv_blk_queue_t *Q = &b->q[qi];
  uint64_t total = 0;
  for (unsigned i = 0; i < io->nseg; i++) {
    if (!io->seg[i].len) return -EINVAL;   /* the device refuses zero-length buffers */
    total += io->seg[i].len;
  }
  if (total >= 0xFFFFFFFFull || io->nseg > Q->vq.size) return -EINVAL;
  if ((rc = check_io(b, io, total))) return rc;
  if (!Q->nfree) return -ENOSPC;

  uint16_t slot = Q->free_head;
  vdrv_blk_rq_t *rq = &Q->rq[slot];
  memset(rq, 0, offsetof(vdrv_blk_rq_t, next_free));
  int out = io->type == VEP_BLK_T_OUT;
  int merge = (b->opts.layout & VDRV_BLK_LAYOUT_MERGE) && io->nseg;
  uint8_t hdr[VEP_BLK_HDR_BYTES];
  put_le32(hdr, io->type);
  put_le32(hdr + 4, 0);   /* reserved (ioprio) */
  int has_sector = io->type == VEP_BLK_T_IN || io->type == VEP_BLK_T_OUT ||
                   (io->flags & VDRV_BLK_IO_RAW);
  put_le64(hdr + 8, has_sector ? io->sector : 0);
  uint64_t hdr_addr = Q->hdrs + (uint64_t)VEP_BLK_HDR_BYTES * slot;
  rq->status_addr = Q->stats + slot;
  rq->data_in = out ? 0u : (uint32_t)total;

  vdrv_virtq_seg_t *segs = malloc(sizeof *segs * (io->nseg + 2u));
  if (!segs) return -ENOMEM;
  vdrv_virtq_seg_t *o = segs;
  unsigned n_out = 0, n_in = 0;
  if (merge && out) {
    /* Header and first data segment as one readable buffer. */
    uint32_t l0 = io->seg[0].len;
    if ((rc = dma_alloc(b, (size_t)VEP_BLK_HDR_BYTES + l0, 16, VDRV_DMA_DEV_READ, &rq->bounce)))
      goto fail;
    if ((rc = dma_wr(b, rq->bounce, hdr, sizeof hdr)) ||
        (rc = dma_copy(b, rq->bounce + VEP_BLK_HDR_BYTES, io->seg[0].addr, l0)))
      goto fail;
    o[n_out++] = (vdrv_virtq_seg_t){rq->bounce, VEP_BLK_HDR_BYTES + l0};
    for (unsigned i = 1; i < io->nseg; i++) o[n_out++] = io->seg[i];
  } else {
    if ((rc = dma_wr(b, hdr_addr, hdr, sizeof hdr))) goto fail;
    o[n_out++] = (vdrv_virtq_seg_t){hdr_addr, VEP_BLK_HDR_BYTES};
    if (out)
      for (unsigned i = 0; i < io->nseg; i++) o[n_out++] = io->seg[i];
  }
  vdrv_virtq_seg_t *in = o + n_out;
  if (merge && !out) {
    /* Last data segment and status byte as one writable buffer; copied back at completion. */
    const vdrv_virtq_seg_t *last = &io->seg[io->nseg - 1u];
    for (unsigned i = 0; i + 1u < io->nseg; i++) in[n_in++] = io->seg[i];
    if ((rc = dma_alloc(b, (size_t)last->len + 1u, 8, VDRV_DMA_DEV_WRITE, &rq->bounce)))
      goto fail;
    in[n_in++] = (vdrv_virtq_seg_t){rq->bounce, last->len + 1u};
    rq->status_addr = rq->bounce + last->len;
    rq->copy_to = last->addr;
    rq->copy_len = last->len;
    rq->copy_skip = (uint32_t)total - last->len;
  } else {
    if (!out)
      for (unsigned i = 0; i < io->nseg; i++) in[n_in++] = io->seg[i];
    in[n_in++] = (vdrv_virtq_seg_t){rq->status_addr, 1};
  }
  uint8_t unset = STATUS_UNSET;
  if ((rc = dma_wr(b, rq->status_addr, &unset, 1))) goto fail;
  rc = vdrv_virtq_add(&Q->vq, o, n_out, in, n_in, rq,
                      (b->opts.layout & VDRV_BLK_LAYOUT_INDIRECT) != 0);
  if (rc) {
    if (Q->vq.broken) b->needs_reset = 1;
    goto fail;
  }
  free(segs);
  rq->cb = cb;
  rq->cookie = cookie;
  rq->type = io->type;
  rq->busy = 1;
  Q->free_head = rq->next_free;
  Q->nfree--;
  if (slot_out) *slot_out = slot;
  /* The request is the device's now: a failing doorbell does not take it back (it completes or
   * is cancelled at the reset the failure calls for). */
  if (!(io->flags & VDRV_BLK_IO_NO_KICK) && vdrv_virtq_kick(&Q->vq) < 0) b->needs_reset = 1;
  return 0;
fail:
  free(segs);
  dma_free(b, &rq->bounce);
  return rc;
}

int vdrv_blk_submit(vdrv_blk_t *b, unsigned q, const vdrv_blk_io_t *io, vdrv_blk_cb_t cb,
                    void *cookie)
{
  return submit(b, q, io, cb, cookie, NULL);
}

int vdrv_blk_kick(vdrv_blk_t *b, unsigned q)
{
  int rc = usable(b, q);
  if (rc) return rc;
  rc = vdrv_virtq_kick(&b->q[q].vq);
  if (rc < 0) b->needs_reset = 1;
  return rc;
}

unsigned vdrv_blk_inflight(const vdrv_blk_t *b, unsigned q)
{
  if (!b || q >= b->nq) return 0;
  return (unsigned)(b->q[q].vq.size - b->q[q].nfree);
}

/* ---- Completions ---- */

int vdrv_blk_poll(vdrv_blk_t *b, unsigned qi)
{
  if (!b || !b->v || qi >= b->nq) return -EINVAL;
  if (!b->ready) return -EIO;
  vdrv_blk_queue_t *Q = &b->q[qi];
  int n = 0, rc;
  int irq = b->irq_mode != VDRV_BLK_IRQ_POLL;
  for (;;) {
    if (irq && (rc = vdrv_virtq_disable_cb(&Q->vq))) goto broken;
    void *cookie;
    uint32_t len;
    while ((rc = vdrv_virtq_get_used(&Q->vq, &cookie, &len)) == 1) {
      complete_rq(b, Q, cookie, 0, len);
      n++;
    }
    if (rc < 0) goto broken;
    if (!irq) break;
    /* Entries that arrived before the device saw interrupts re-enabled came without one. */
    if ((rc = vdrv_virtq_enable_cb(&Q->vq)) < 0) goto broken;
    if (!rc) break;
    b->rearm_races++;
  }
  return n;
broken:
  b->needs_reset = 1;
  return rc;
}

static int poll_all(vdrv_blk_t *b)
{
  int n = 0;
  for (unsigned i = 0; i < b->nq; i++) {
    int rc = vdrv_blk_poll(b, i);
    if (rc < 0) return rc;
    n += rc;
  }
  return n;
}

int vdrv_blk_process(vdrv_blk_t *b)
{
  if (!b || !b->v) return -EINVAL;
  if (!b->ready) return -EIO;
  int n = 0, rc = 0;
  switch (b->irq_mode) {
  case VDRV_BLK_IRQ_MSIX:
    if (b->config_pending) {
      b->config_pending = 0;
      (void)config_changed(b);
    }
    for (unsigned i = 0; i < b->nq; i++) {
      if (!b->q[i].irq_pending) continue;
      b->q[i].irq_pending = 0;
      if ((rc = vdrv_blk_poll(b, i)) < 0) return rc;
      n += rc;
    }
    break;
  case VDRV_BLK_IRQ_INTX: {
    uint8_t isr;
    if ((rc = vdrv_vpci_read_isr(b->v, &isr))) {
      b->needs_reset = 1;
      return rc;
    }
    if (isr & VEP_ISR_CONFIG) (void)config_changed(b);
    if (isr & VEP_ISR_QUEUE) {
      if ((rc = poll_all(b)) < 0) return rc;
      n = rc;
    }
    break;
  }
  default:
    if ((rc = poll_all(b)) < 0) return rc;
    n = rc;
    if (++b->poll_count % VDRV_BLK_STATUS_POLL_EVERY == 0) (void)vdrv_blk_check_status(b);
    break;
  }
  if (!n && b->needs_reset) return -EIO;
  return n;
}

int vdrv_blk_wait(vdrv_blk_t *b, uint64_t max_cycles)
{
  if (!b || !b->v) return -EINVAL;
  if (!max_cycles) max_cycles = timeout_of(b);
  for (uint64_t waited = 0;; waited += VDRV_BLK_POLL_DELAY) {
    int rc = vdrv_blk_process(b);
    if (rc) return rc;
    if (waited >= max_cycles) {
      /* A device that stopped because it needs a reset may not have said so yet. */
      rc = vdrv_blk_check_status(b);
      return rc ? rc : -ETIMEDOUT;
    }
    delay(b, VDRV_BLK_POLL_DELAY);
  }
}

/* ---- Synchronous helpers ---- */

typedef struct sync_ctx {
  int done;
  vdrv_blk_cpl_t cpl;
} sync_ctx_t;

static void sync_cb(void *cookie, const vdrv_blk_cpl_t *cpl)
{
  sync_ctx_t *s = cookie;
  s->done = 1;
  s->cpl = *cpl;
}

/* Submits and waits. On a timeout or a device that needs a reset the request is abandoned: its
 * callback is cleared (the context is on our stack) and `own` (a DMA buffer of the helper, or 0)
 * is handed to the request to free at its completion or cancellation; *abandoned says so. */
static int sync_io(vdrv_blk_t *b, unsigned q, const vdrv_blk_io_t *io, uint64_t own,
                   int *abandoned)
{
  sync_ctx_t s;
  memset(&s, 0, sizeof s);
  *abandoned = 0;
  uint64_t limit = timeout_of(b), waited = 0;
  uint16_t slot = 0;
  int rc;
  for (;;) {
    rc = submit(b, q, io, sync_cb, &s, &slot);
    if (rc != -ENOSPC) break;
    /* Full: others' requests must complete first. */
    if ((rc = vdrv_blk_process(b)) < 0) return rc;
    if (waited >= limit) return -ETIMEDOUT;
    if (!rc) {
      delay(b, VDRV_BLK_POLL_DELAY);
      waited += VDRV_BLK_POLL_DELAY;
    }
  }
  if (rc) return rc;
  for (;;) {
    rc = vdrv_blk_process(b);
    if (s.done) return s.cpl.result;
    if (rc >= 0 && waited >= limit) {
      rc = vdrv_blk_check_status(b);
      if (!rc) rc = -ETIMEDOUT;
    }
    if (rc < 0) {
      vdrv_blk_rq_t *rq = &b->q[q].rq[slot];
      if (b->ready && rq->busy && rq->cookie == &s) {
        rq->cb = NULL;
        rq->own = own;
        *abandoned = 1;
      }
      return rc;
    }
    if (!rc) {
      delay(b, VDRV_BLK_POLL_DELAY);
      waited += VDRV_BLK_POLL_DELAY;
    }
  }
}

static int rw_sync(vdrv_blk_t *b, unsigned q, uint32_t type, uint64_t sector,
                   const vdrv_virtq_seg_t *seg, unsigned nseg)
{
  vdrv_blk_io_t io = {type, sector, seg, nseg, 0};
  int abandoned;
  return sync_io(b, q, &io, 0, &abandoned);
}

int vdrv_blk_read(vdrv_blk_t *b, unsigned q, uint64_t sector, const vdrv_virtq_seg_t *seg,
                  unsigned nseg)
{
  return rw_sync(b, q, VEP_BLK_T_IN, sector, seg, nseg);
}

int vdrv_blk_write(vdrv_blk_t *b, unsigned q, uint64_t sector, const vdrv_virtq_seg_t *seg,
                   unsigned nseg)
{
  return rw_sync(b, q, VEP_BLK_T_OUT, sector, seg, nseg);
}

int vdrv_blk_flush(vdrv_blk_t *b, unsigned q)
{
  int rc = usable(b, q);
  if (rc) return rc;
  if (!b->flush) return 0;
  return rw_sync(b, q, VEP_BLK_T_FLUSH, 0, NULL, 0);
}

int vdrv_blk_get_id(vdrv_blk_t *b, unsigned q, char id[VDRV_BLK_ID_BYTES + 1])
{
  int rc = usable(b, q);
  if (rc) return rc;
  if (!id) return -EINVAL;
  uint64_t buf;
  if ((rc = dma_alloc(b, VDRV_BLK_ID_BYTES, 8, VDRV_DMA_DEV_WRITE, &buf))) return rc;
  vdrv_virtq_seg_t seg = {buf, VDRV_BLK_ID_BYTES};
  vdrv_blk_io_t io = {VEP_BLK_T_GET_ID, 0, &seg, 1, 0};
  int abandoned;
  rc = sync_io(b, q, &io, buf, &abandoned);
  if (abandoned) return rc;
  if (!rc) rc = dma_rd(b, buf, id, VDRV_BLK_ID_BYTES);
  id[VDRV_BLK_ID_BYTES] = 0;
  dma_free(b, &buf);
  return rc;
}
