/* SPDX-License-Identifier: Apache-2.0 */
/* The modern virtio-pci transport: see vdrv_vpci.h. */
#include "vdrv_vpci.h"

#include <errno.h>
#include <string.h>

static int is_pow2(uint64_t x) { return x && !(x & (x - 1u)); }

/* A bus error below marks the PCI device broken; the transport inherits it. */
static int track(vdrv_vpci_t *v, int rc)
{
  if (rc && v->pci->broken) v->broken = 1;
  return rc;
}

static int usable(const vdrv_vpci_t *v)
{
  if (!v || !v->pci) return -EINVAL;
  return (v->broken || v->pci->broken) ? -EIO : 0;
}

/* ---- Region accessors: the only place that turns a structure offset into a BAR access ---- */

static int region_check(const vdrv_vpci_region_t *r, unsigned off, unsigned size, unsigned align)
{
  if (r->bar < 0) return -ENOENT;
  if (size == 0 || (off % align)) return -EINVAL;
  if (off >= r->length || size > r->length - off) return -ERANGE;
  return 0;
}

static int region_read(vdrv_vpci_t *v, const vdrv_vpci_region_t *r, unsigned off,
                       unsigned size, uint32_t *val)
{
  int rc = region_check(r, off, size, size);
  if (rc) return rc;
  uint64_t x = 0;
  rc = track(v, vdrv_pci_mmio_read(v->pci, r->bar, (uint64_t)r->offset + off, size, &x));
  *val = (uint32_t)x;
  return rc;
}

static int region_write(vdrv_vpci_t *v, const vdrv_vpci_region_t *r, unsigned off,
                        unsigned size, uint32_t val)
{
  int rc = region_check(r, off, size, size);
  if (rc) return rc;
  return track(v, vdrv_pci_mmio_write(v->pci, r->bar, (uint64_t)r->offset + off, size, val));
}

static int common_args_ok(unsigned size) { return size == 1 || size == 2 || size == 4; }

/* Unchecked against `broken`: reset must still be able to talk to the device. */
static int cread(vdrv_vpci_t *v, unsigned off, unsigned size, uint32_t *val)
{
  return region_read(v, &v->common, off, size, val);
}

static int cwrite(vdrv_vpci_t *v, unsigned off, unsigned size, uint32_t val)
{
  return region_write(v, &v->common, off, size, val);
}

int vdrv_vpci_common_read(vdrv_vpci_t *v, unsigned off, unsigned size, uint32_t *val)
{
  int rc = usable(v);
  if (rc) return rc;
  if (!val || !common_args_ok(size)) return -EINVAL;
  return cread(v, off, size, val);
}

int vdrv_vpci_common_write(vdrv_vpci_t *v, unsigned off, unsigned size, uint32_t val)
{
  int rc = usable(v);
  if (rc) return rc;
  if (!common_args_ok(size)) return -EINVAL;
  return cwrite(v, off, size, val);
}

/* ---- Probe ---- */

/* One virtio capability as read from config space. */
typedef struct vcap {
  uint8_t len, type, bar;
  uint32_t offset, length, extra;
  int len_ok;                           /* cap_len fits the type, inside the config space */
} vcap_t;

static int read_vcap(vdrv_pci_dev_t *pci, uint8_t pos, vcap_t *c)
{
  uint32_t x;
  int rc;
  memset(c, 0, sizeof(*c));
  if ((rc = vdrv_pci_cfg_read(pci, pos + 2u, 1, &x))) return rc;
  c->len = (uint8_t)x;
  if ((rc = vdrv_pci_cfg_read(pci, pos + VEP_VIRTIO_CAP_CFG_TYPE, 1, &x))) return rc;
  c->type = (uint8_t)x;
  /* Other types (vendor data, shared memory, reserved) have their own layouts: the caller
   * skips them, so their length is not judged here. */
  if (c->type < VEP_VIRTIO_PCI_CAP_COMMON_CFG || c->type > VEP_VIRTIO_PCI_CAP_PCI_CFG) return 0;
  /* A capability must fit in the standard config space, header included; the fields past a
   * cap_len that is too short are not read. */
  unsigned need = (c->type == VEP_VIRTIO_PCI_CAP_NOTIFY_CFG) ? VEP_VIRTIO_NOTIFY_CAP_LEN
                  : (c->type == VEP_VIRTIO_PCI_CAP_PCI_CFG)  ? VEP_VIRTIO_PCICFG_CAP_LEN
                                                             : VEP_VIRTIO_CAP_LEN;
  if (c->len < need || pos + (unsigned)c->len > 0x100u) return 0;
  c->len_ok = 1;
  if ((rc = vdrv_pci_cfg_read(pci, pos + VEP_VIRTIO_CAP_BAR, 1, &x))) return rc;
  c->bar = (uint8_t)x;
  if ((rc = vdrv_pci_cfg_read(pci, pos + VEP_VIRTIO_CAP_OFFSET, 4, &c->offset))) return rc;
  if ((rc = vdrv_pci_cfg_read(pci, pos + VEP_VIRTIO_CAP_LENGTH, 4, &c->length))) return rc;
  /* pci_cfg_data is never read here: that would be a BAR access through the window. */
  if (c->type == VEP_VIRTIO_PCI_CAP_NOTIFY_CFG &&
      (rc = vdrv_pci_cfg_read(pci, pos + VEP_VIRTIO_CAP_EXTRA, 4, &c->extra)))
    return rc;
  return 0;
}

/* Whether the driver can use the BAR a capability names (the spec: ignore bar >= 6). */
static int bar_usable(const vdrv_pci_dev_t *pci, uint8_t bar)
{
  if (bar >= VDRV_PCI_NUM_BARS) return 0;
  const vdrv_pci_bar_t *b = &pci->bar[bar];
  return !b->is_io && b->size != 0 && b->addr != 0;
}

/* The alignment and minimum-length rules of each structure [virtio 1.x, PCI Device Layout]
 * (for notify, all but the doorbells, which need the queues: doorbells_fit). */
static int vcap_valid(const vdrv_pci_dev_t *pci, const vcap_t *c)
{
  if (!c->len_ok) return 0;
  /* The PCI_CFG capability's bar/offset/length are the window's, not a region's. */
  if (c->type == VEP_VIRTIO_PCI_CAP_PCI_CFG) return 1;
  if ((uint64_t)c->offset + c->length > pci->bar[c->bar].size) return 0;
  switch (c->type) {
  case VEP_VIRTIO_PCI_CAP_COMMON_CFG:
    return (c->offset % 4u) == 0 && c->length >= VDRV_VPCI_COMMON_MIN_LEN;
  case VEP_VIRTIO_PCI_CAP_NOTIFY_CFG:
    /* Even multipliers keep every 16-bit doorbell aligned. */
    return (c->offset % 2u) == 0 && c->length >= 2u &&
           (c->extra == 0 || (is_pow2(c->extra) && c->extra >= 2u));
  case VEP_VIRTIO_PCI_CAP_ISR_CFG: return c->length >= 1u;
  case VEP_VIRTIO_PCI_CAP_DEVICE_CFG: return (c->offset % 4u) == 0 && c->length >= 1u;
  default: return 1;
  }
}

static int doorbell_fits(const vdrv_vpci_t *v, uint16_t noff)
{
  return (uint64_t)noff * v->notify_off_multiplier + 2u <= v->notify.length;
}

/* What the capability walk found beyond the chosen structures. */
typedef struct probe_found {
  /* Notify capabilities that pass vcap_valid, in list order: the first whose region holds every
   * queue's doorbell is chosen once the queues are known. */
  vcap_t notify[VDRV_PCI_CAP_MAX];
  unsigned nnotify;
  /* bit t: a usable capability of type t was invalid (an error if none of t is chosen) */
  unsigned invalid;
} probe_found_t;

/* Walks the vendor capabilities: for each type the first one the driver can use (an assigned
 * memory BAR, for all but PCI_CFG) and that is valid is chosen; invalid ones are skipped. */
static int probe_caps(vdrv_vpci_t *v, probe_found_t *f)
{
  vdrv_pci_dev_t *pci = v->pci;
  vdrv_vpci_region_t *slot[VEP_VIRTIO_PCI_CAP_DEVICE_CFG + 1] = {
    NULL, &v->common, NULL, &v->isr, &v->device};
  uint32_t seen[256 / 32] = {0};
  uint8_t pos = 0;
  for (unsigned n = 0;; n++) {
    /* find_cap restarts from the head each time, so its own bound cannot see a loop that keeps
     * returning to a vendor capability: remember where we have been. */
    if (n >= VDRV_PCI_CAP_MAX) return -EPROTO;
    int rc = vdrv_pci_find_cap(pci, VEP_CAP_ID_VNDR, pos, &pos);
    if (rc == -ENOENT) return 0;
    if (rc == -ELOOP) return -EPROTO;
    if (rc) return rc;
    if (seen[pos / 32u] & (1u << (pos % 32u))) return -EPROTO;
    seen[pos / 32u] |= 1u << (pos % 32u);

    vcap_t c;
    if ((rc = read_vcap(pci, pos, &c))) return rc;
    if (c.type < VEP_VIRTIO_PCI_CAP_COMMON_CFG || c.type > VEP_VIRTIO_PCI_CAP_PCI_CFG)
      continue;   /* shared memory, vendor data, reserved: not used by this driver */
    if (c.type == VEP_VIRTIO_PCI_CAP_PCI_CFG) {
      if (v->pci_cfg_cap) continue;
      if (vcap_valid(pci, &c)) v->pci_cfg_cap = pos;
      else f->invalid |= 1u << c.type;
      continue;
    }
    if (c.len_ok && !bar_usable(pci, c.bar)) continue;
    if (c.type == VEP_VIRTIO_PCI_CAP_NOTIFY_CFG) {
      if (vcap_valid(pci, &c)) f->notify[f->nnotify++] = c;
      else f->invalid |= 1u << c.type;
      continue;
    }
    vdrv_vpci_region_t *r = slot[c.type];
    if (r->bar >= 0) continue;
    if (!vcap_valid(pci, &c)) {
      f->invalid |= 1u << c.type;
      continue;
    }
    r->bar = c.bar;
    r->offset = c.offset;
    r->length = c.length;
  }
}

/* The first valid notify capability whose region holds the doorbell of every queue (their
 * queue_notify_off already read). */
static int choose_notify(vdrv_vpci_t *v, const probe_found_t *f, unsigned nq)
{
  for (unsigned i = 0; i < f->nnotify; i++) {
    const vcap_t *c = &f->notify[i];
    v->notify.bar = c->bar;
    v->notify.offset = c->offset;
    v->notify.length = c->length;
    v->notify_off_multiplier = c->extra;
    unsigned q = 0;
    while (q < nq && doorbell_fits(v, v->queue_notify_off[q])) q++;
    if (q == nq) return 0;
  }
  v->notify.bar = -1;
  v->notify.offset = v->notify.length = 0;
  v->notify_off_multiplier = 0;
  return -EPROTO;
}

int vdrv_vpci_probe(vdrv_vpci_t *v, vdrv_pci_dev_t *pci)
{
  if (!v || !pci || !pci->bus) return -EINVAL;
  memset(v, 0, sizeof(*v));
  v->pci = pci;
  v->common.bar = v->notify.bar = v->isr.bar = v->device.bar = -1;
  if (pci->broken) return -EIO;
  if (pci->vendor_id != VEP_PCI_VENDOR_ID || pci->device_id < 0x1000u || pci->device_id > 0x107Fu)
    return -ENODEV;

  probe_found_t f;
  f.nnotify = 0;
  f.invalid = 0;
  int rc = probe_caps(v, &f);
  if (rc) goto fail;
  if (v->common.bar < 0) {
    if (!(f.invalid & (1u << VEP_VIRTIO_PCI_CAP_COMMON_CFG))) return -ENODEV;
    rc = -EPROTO;
    goto fail;
  }
  /* Required: ISR and notify (chosen below). Optional, but not when only invalid ones exist:
   * device cfg and PCI_CFG. */
  if (v->isr.bar < 0 || f.nnotify == 0 ||
      (v->device.bar < 0 && (f.invalid & (1u << VEP_VIRTIO_PCI_CAP_DEVICE_CFG))) ||
      (!v->pci_cfg_cap && (f.invalid & (1u << VEP_VIRTIO_PCI_CAP_PCI_CFG)))) {
    rc = -EPROTO;
    goto fail;
  }

  if (pci->msix_cap) {
    vdrv_pci_msix_info_t mi;
    if ((rc = vdrv_pci_msix_info(pci, &mi))) goto fail;
    v->msix_vectors = mi.table_size;
  }
  uint32_t x;
  if ((rc = cread(v, VEP_COMMON_NUMQ, 2, &x))) goto fail;
  v->num_queues = (uint16_t)x;
  unsigned nq = v->num_queues < VDRV_VPCI_MAX_QUEUES ? v->num_queues : VDRV_VPCI_MAX_QUEUES;
  for (unsigned q = 0; q < nq; q++) {
    if ((rc = cwrite(v, VEP_COMMON_Q_SELECT, 2, q))) goto fail;
    if ((rc = cread(v, VEP_COMMON_Q_NOFF, 2, &x))) goto fail;
    v->queue_notify_off[q] = (uint16_t)x;
  }
  if (nq && (rc = cwrite(v, VEP_COMMON_Q_SELECT, 2, 0))) goto fail;
  if ((rc = choose_notify(v, &f, nq))) goto fail;
  v->probed = 1;
  return 0;

fail:
  v->broken = 1;
  return rc;
}

/* ---- Status and features ---- */

int vdrv_vpci_get_status(vdrv_vpci_t *v, uint8_t *status)
{
  int rc = usable(v);
  if (rc) return rc;
  if (!status) return -EINVAL;
  uint32_t x;
  if ((rc = cread(v, VEP_COMMON_STATUS, 1, &x))) return rc;
  *status = (uint8_t)x;
  return 0;
}

int vdrv_vpci_set_status(vdrv_vpci_t *v, uint8_t status)
{
  uint8_t cur;
  int rc = vdrv_vpci_get_status(v, &cur);
  if (rc) return rc;
  return cwrite(v, VEP_COMMON_STATUS, 1, (uint32_t)(cur | status));
}

int vdrv_vpci_reset(vdrv_vpci_t *v)
{
  if (!v || !v->pci) return -EINVAL;
  /* A transport whose probe failed has nothing a reset could repair. */
  if (!v->probed || v->pci->broken) return -EIO;
  int rc = cwrite(v, VEP_COMMON_STATUS, 1, 0);
  if (rc) return rc;
  for (unsigned n = 0; n < VDRV_VPCI_RESET_POLLS; n++) {
    uint32_t st;
    if ((rc = cread(v, VEP_COMMON_STATUS, 1, &st))) return rc;
    if (st == 0) {
      v->broken = 0;
      memset(v->driver_features, 0, sizeof(v->driver_features));
      return 0;
    }
    if (v->pci->bus->ops->delay) v->pci->bus->ops->delay(v->pci->bus->ctx, VDRV_VPCI_POLL_DELAY);
  }
  v->broken = 1;
  return -ETIMEDOUT;
}

int vdrv_vpci_read_features(vdrv_vpci_t *v)
{
  int rc = usable(v);
  if (rc) return rc;
  for (unsigned i = 0; i < VDRV_FEATURE_WORDS; i++) {
    if ((rc = cwrite(v, VEP_COMMON_DFSELECT, 4, i))) return rc;
    if ((rc = cread(v, VEP_COMMON_DF, 4, &v->device_features[i]))) return rc;
  }
  return 0;
}

int vdrv_vpci_write_features(vdrv_vpci_t *v, const uint32_t *accepted)
{
  int rc = usable(v);
  if (rc) return rc;
  if (!accepted) return -EINVAL;
  for (unsigned i = 0; i < VDRV_FEATURE_WORDS; i++) {
    if ((rc = cwrite(v, VEP_COMMON_GFSELECT, 4, i))) return rc;
    if ((rc = cwrite(v, VEP_COMMON_GF, 4, accepted[i]))) return rc;
    v->driver_features[i] = accepted[i];
  }
  if ((rc = vdrv_vpci_set_status(v, VEP_STATUS_FEATURES_OK))) return rc;
  uint8_t st;
  if ((rc = vdrv_vpci_get_status(v, &st))) return rc;
  return (st & VEP_STATUS_FEATURES_OK) ? 0 : -EPROTO;
}

int vdrv_vpci_init(vdrv_vpci_t *v, const uint32_t *wanted)
{
  int rc = vdrv_vpci_reset(v);
  if (rc) return rc;
  uint32_t accepted[VDRV_FEATURE_WORDS];
  if ((rc = vdrv_vpci_set_status(v, VEP_STATUS_ACKNOWLEDGE))) goto fail;
  if ((rc = vdrv_vpci_set_status(v, VEP_STATUS_DRIVER))) goto fail;
  if ((rc = vdrv_vpci_read_features(v))) goto fail;
  if (!vdrv_vpci_has_feature(v->device_features, VEP_F_VERSION_1)) {
    rc = -ENOTSUP;
    goto fail;
  }
  for (unsigned i = 0; i < VDRV_FEATURE_WORDS; i++)
    accepted[i] = v->device_features[i] & (wanted ? wanted[i] : 0u);
  accepted[VEP_F_VERSION_1 / 32u] |= 1u << (VEP_F_VERSION_1 % 32u);
  if ((rc = vdrv_vpci_write_features(v, accepted))) goto fail;
  return 0;

fail:
  /* Best effort: a device that stopped answering cannot be told. */
  (void)vdrv_vpci_set_status(v, VEP_STATUS_FAILED);
  return rc;
}

int vdrv_vpci_driver_ok(vdrv_vpci_t *v)
{
  int rc = vdrv_vpci_set_status(v, VEP_STATUS_DRIVER_OK);
  if (rc) return rc;
  uint8_t st;
  if ((rc = vdrv_vpci_get_status(v, &st))) return rc;
  return (st & VEP_STATUS_DEVICE_NEEDS_RESET) ? -EIO : 0;
}

/* ---- Queues, vectors, doorbells ---- */

static int write64(vdrv_vpci_t *v, unsigned off_lo, uint64_t val)
{
  /* Two 32-bit halves, low first, as the spec's access rules and Linux do. */
  int rc = cwrite(v, off_lo, 4, (uint32_t)val);
  return rc ? rc : cwrite(v, off_lo + 4u, 4, (uint32_t)(val >> 32));
}

int vdrv_vpci_setup_queue(vdrv_vpci_t *v, uint16_t q, uint16_t size, uint64_t desc,
                          uint64_t driver, uint64_t device, uint16_t vector, int enable,
                          uint16_t *size_out)
{
  int rc = usable(v);
  if (rc) return rc;
  if (q >= VDRV_VPCI_MAX_QUEUES) return -ERANGE;
  uint32_t x;
  if ((rc = cwrite(v, VEP_COMMON_Q_SELECT, 2, q))) return rc;
  if ((rc = cread(v, VEP_COMMON_Q_SIZE, 2, &x))) return rc;
  if (x == 0) return -ENOENT;
  uint16_t in_use = (uint16_t)x;
  if (size) {
    if (!is_pow2(size) || size > in_use) return -EINVAL;
    if (size < in_use) {
      if ((rc = cwrite(v, VEP_COMMON_Q_SIZE, 2, size))) return rc;
      in_use = size;
    }
  }
  if ((rc = cread(v, VEP_COMMON_Q_NOFF, 2, &x))) return rc;
  if (!doorbell_fits(v, (uint16_t)x)) return -EPROTO;
  v->queue_notify_off[q] = (uint16_t)x;
  if ((rc = write64(v, VEP_COMMON_Q_DESCLO, desc))) return rc;
  if ((rc = write64(v, VEP_COMMON_Q_AVAILLO, driver))) return rc;
  if ((rc = write64(v, VEP_COMMON_Q_USEDLO, device))) return rc;
  if ((rc = cwrite(v, VEP_COMMON_Q_MSIX, 2, vector))) return rc;
  if ((rc = cread(v, VEP_COMMON_Q_MSIX, 2, &x))) return rc;
  if (x != vector) return (x == VEP_MSI_NO_VECTOR) ? -EIO : -EPROTO;
  if (enable && (rc = cwrite(v, VEP_COMMON_Q_ENABLE, 2, 1))) return rc;
  if (size_out) *size_out = in_use;
  return 0;
}

int vdrv_vpci_set_config_vector(vdrv_vpci_t *v, uint16_t vector, uint16_t *readback)
{
  int rc = usable(v);
  if (rc) return rc;
  if (!readback) return -EINVAL;
  uint32_t x;
  if ((rc = cwrite(v, VEP_COMMON_MSIX, 2, vector))) return rc;
  if ((rc = cread(v, VEP_COMMON_MSIX, 2, &x))) return rc;
  *readback = (uint16_t)x;
  return 0;
}

int vdrv_vpci_notify(vdrv_vpci_t *v, uint16_t q)
{
  int rc = usable(v);
  if (rc) return rc;
  if (q >= v->num_queues || q >= VDRV_VPCI_MAX_QUEUES) return -ERANGE;
  uint64_t off = (uint64_t)v->queue_notify_off[q] * v->notify_off_multiplier;
  if (off > UINT32_MAX) return -ERANGE;
  return region_write(v, &v->notify, (unsigned)off, 2, q);
}

int vdrv_vpci_read_isr(vdrv_vpci_t *v, uint8_t *isr)
{
  int rc = usable(v);
  if (rc) return rc;
  if (!isr) return -EINVAL;
  uint32_t x;
  if ((rc = region_read(v, &v->isr, 0, 1, &x))) return rc;
  *isr = (uint8_t)x;
  return 0;
}

/* ---- Device configuration ---- */

int vdrv_vpci_device_read(vdrv_vpci_t *v, unsigned off, unsigned size, uint64_t *val)
{
  int rc = usable(v);
  if (rc) return rc;
  if (!val || (size != 1 && size != 2 && size != 4 && size != 8)) return -EINVAL;
  if ((rc = region_check(&v->device, off, size, size == 8 ? 4u : size))) return rc;
  for (unsigned n = 0; n < VDRV_VPCI_GEN_RETRIES; n++) {
    uint32_t gen0, gen1, lo, hi = 0;
    if ((rc = cread(v, VEP_COMMON_CFGGEN, 1, &gen0))) return rc;
    if (size == 8) {
      if ((rc = region_read(v, &v->device, off, 4, &lo))) return rc;
      if ((rc = region_read(v, &v->device, off + 4u, 4, &hi))) return rc;
    } else if ((rc = region_read(v, &v->device, off, size, &lo))) {
      return rc;
    }
    if ((rc = cread(v, VEP_COMMON_CFGGEN, 1, &gen1))) return rc;
    if (gen0 == gen1) {
      *val = ((uint64_t)hi << 32) | lo;
      return 0;
    }
  }
  v->broken = 1;
  return -EIO;
}

int vdrv_vpci_device_write(vdrv_vpci_t *v, unsigned off, unsigned size, uint32_t val)
{
  int rc = usable(v);
  if (rc) return rc;
  if (size != 1 && size != 2 && size != 4) return -EINVAL;
  return region_write(v, &v->device, off, size, val);
}

/* ---- MSI-X table ---- */

int vdrv_vpci_msix_set_entry(vdrv_vpci_t *v, unsigned entry, uint64_t addr, uint32_t data,
                             int masked)
{
  int rc = usable(v);
  if (rc) return rc;
  if (!v->pci->msix_cap || v->msix_vectors == 0) return -ENOENT;
  if (entry >= v->msix_vectors) return -EINVAL;
  vdrv_pci_msix_info_t mi;
  if ((rc = track(v, vdrv_pci_msix_info(v->pci, &mi)))) return rc;
  if (mi.table_bir >= VDRV_PCI_NUM_BARS) return -EPROTO;
  uint64_t e = (uint64_t)mi.table_offset + (uint64_t)entry * VEP_MSIX_ENTRY_SIZE;
  vdrv_pci_dev_t *p = v->pci;
  int bar = mi.table_bir;
  if ((rc = vdrv_pci_mmio_write(p, bar, e + VDRV_MSIX_ENTRY_CTRL, 4, VEP_MSIX_VECTOR_MASKED)) ||
      (rc = vdrv_pci_mmio_write(p, bar, e + VDRV_MSIX_ENTRY_ADDR_LO, 4, (uint32_t)addr)) ||
      (rc = vdrv_pci_mmio_write(p, bar, e + VDRV_MSIX_ENTRY_ADDR_HI, 4, addr >> 32)) ||
      (rc = vdrv_pci_mmio_write(p, bar, e + VDRV_MSIX_ENTRY_DATA, 4, data)))
    return track(v, rc);
  if (masked) return 0;
  return track(v, vdrv_pci_mmio_write(p, bar, e + VDRV_MSIX_ENTRY_CTRL, 4, 0));
}

/* ---- virtio_pci_cfg_cap window ---- */

static int cfgwin_setup(vdrv_vpci_t *v, uint8_t bar, uint32_t off, unsigned size)
{
  int rc = usable(v);
  if (rc) return rc;
  if (!v->pci_cfg_cap) return -ENOENT;
  if ((size != 1 && size != 2 && size != 4) || (off % size)) return -EINVAL;
  unsigned c = v->pci_cfg_cap;
  vdrv_pci_dev_t *p = v->pci;
  if ((rc = vdrv_pci_cfg_write(p, c + VEP_VIRTIO_CAP_BAR, 1, bar)) ||
      (rc = vdrv_pci_cfg_write(p, c + VEP_VIRTIO_CAP_OFFSET, 4, off)) ||
      (rc = vdrv_pci_cfg_write(p, c + VEP_VIRTIO_CAP_LENGTH, 4, size)))
    return track(v, rc);
  return 0;
}

int vdrv_vpci_cfgwin_read(vdrv_vpci_t *v, uint8_t bar, uint32_t off, unsigned size,
                          uint32_t *val)
{
  if (!val) return -EINVAL;
  int rc = cfgwin_setup(v, bar, off, size);
  if (rc) return rc;
  return track(v, vdrv_pci_cfg_read(v->pci, v->pci_cfg_cap + VEP_VIRTIO_CAP_EXTRA, size, val));
}

int vdrv_vpci_cfgwin_write(vdrv_vpci_t *v, uint8_t bar, uint32_t off, unsigned size,
                           uint32_t val)
{
  int rc = cfgwin_setup(v, bar, off, size);
  if (rc) return rc;
  return track(v, vdrv_pci_cfg_write(v->pci, v->pci_cfg_cap + VEP_VIRTIO_CAP_EXTRA, size, val));
}
