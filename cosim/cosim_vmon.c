/* SPDX-License-Identifier: Apache-2.0 */
/* The virtio ring monitor (cosim_vmon.h). */
#include "cosim_vmon.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cosim.h"
#include "vep_consts.h"

#define VM_QUEUES 64u
#define VM_READS 64u               /* status read-backs remembered */
#define VM_TEXT 240u
/* The per-queue registers of the common configuration, from queue_size (0x18) to the end. */
#define VM_QREG_BASE VEP_COMMON_Q_SIZE
#define VM_QREG_LEN (VEP_BAR_COMMON_LEN - VEP_COMMON_Q_SIZE)

typedef enum {
  VM_PRE,        /* after reset (read back), before DRIVER_OK: no DMA */
  VM_RUN,        /* DRIVER_OK */
  VM_RESETTING,  /* 0 written, not yet read back as 0: DMA under way may still arrive */
} vm_state_t;

typedef struct vm_queue {
  uint8_t reg[VM_QREG_LEN];  /* as the driver wrote them (little-endian) */
  /* used-ring tracking since the queue was enabled */
  uint16_t used_idx;         /* the last published index */
  uint8_t *emask;            /* per element: bytes written since last published (8 bits) */
  size_t ecap;
} vm_queue_t;

typedef struct vm_read {
  int used;
  uint16_t req_id, tag;
  unsigned status_off;       /* byte offset of device_status in the payload */
  uint64_t epoch;            /* reset count when sent */
} vm_read_t;

struct cosim_vmon {
  vep_params_t p;
  cosim_hmem_t *mem;
  cosim_errlog_t *log;
  uint8_t cfg[256];          /* config-space bytes the host wrote to the endpoint */
  uint16_t q_select;
  uint32_t dfselect;          /* driver_feature_select */
  uint32_t dfeat[2];          /* driver_feature, the accepted features */
  uint8_t status;
  vm_state_t state;
  uint64_t reset_epoch, reset_cycle, driver_ok_cycle;
  vm_queue_t q[VM_QUEUES];
  vm_read_t reads[VM_READS];
  cosim_vmon_stats_t st;
  cosim_tlp_t t;             /* decode scratch for host TLPs */
};

static uint64_t le(const uint8_t *p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
  return v;
}

static unsigned q_size(const vm_queue_t *q) {
  return (unsigned)le(q->reg + VEP_COMMON_Q_SIZE - VM_QREG_BASE, 2);
}
static int q_enabled(const vm_queue_t *q) {
  return le(q->reg + VEP_COMMON_Q_ENABLE - VM_QREG_BASE, 2) != 0;
}
static uint64_t q_addr(const vm_queue_t *q, unsigned field) {
  return le(q->reg + field - VM_QREG_BASE, 8);
}

static int event_idx(const cosim_vmon_t *m) { return m->dfeat[0] >> VEP_F_EVENT_IDX & 1u; }

/* Bytes of the used ring the device may write: flags, idx, ring, and avail_event. */
static uint64_t used_extent(unsigned size) { return 6ull + 8ull * size; }

static void queue_reset_regs(cosim_vmon_t *m, vm_queue_t *q) {
  memset(q->reg, 0, sizeof(q->reg));
  q->reg[VEP_COMMON_Q_SIZE - VM_QREG_BASE] = (uint8_t)m->p.QUEUE_SIZE_MAX;
  q->reg[VEP_COMMON_Q_SIZE - VM_QREG_BASE + 1] = (uint8_t)(m->p.QUEUE_SIZE_MAX >> 8);
  q->reg[VEP_COMMON_Q_MSIX - VM_QREG_BASE] = 0xFF;
  q->reg[VEP_COMMON_Q_MSIX - VM_QREG_BASE + 1] = 0xFF;
  q->used_idx = 0;
  if (q->emask) memset(q->emask, 0, q->ecap);
}

/* The device's registers after a reset, as the monitor mirrors them. */
static void device_reset(cosim_vmon_t *m) {
  for (unsigned i = 0; i < VM_QUEUES; i++) queue_reset_regs(m, &m->q[i]);
  m->q_select = 0;
  m->dfselect = 0;
  m->dfeat[0] = m->dfeat[1] = 0;
}

int cosim_vmon_create(const vep_params_t *p, cosim_hmem_t *mem, cosim_errlog_t *log,
                      cosim_vmon_t **out) {
  if (!p || !mem || !log || !out || p->NUM_QUEUES == 0 || p->NUM_QUEUES > VM_QUEUES)
    return -EINVAL;
  cosim_vmon_t *m = calloc(1, sizeof(*m));
  if (!m) return -ENOMEM;
  m->p = *p;
  m->mem = mem;
  m->log = log;
  m->state = VM_PRE;
  device_reset(m);
  *out = m;
  return 0;
}

void cosim_vmon_destroy(cosim_vmon_t *m) {
  if (!m) return;
  for (unsigned i = 0; i < VM_QUEUES; i++) free(m->q[i].emask);
  free(m);
}

void cosim_vmon_get_stats(const cosim_vmon_t *m, cosim_vmon_stats_t *st) { *st = m->st; }

uint64_t cosim_vmon_bar0(const cosim_vmon_t *m) {
  uint64_t lo = le(m->cfg + VEP_CFG_BAR0, 4), hi = le(m->cfg + VEP_CFG_BAR1, 4);
  return (hi << 32 | lo) & ~(uint64_t)(VEP_BAR0_SIZE - 1);
}

int cosim_vmon_driver_ok(const cosim_vmon_t *m) { return m->state == VM_RUN; }

static void report(cosim_vmon_t *m, uint64_t cycle, const cosim_tlp_t *t, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void report(cosim_vmon_t *m, uint64_t cycle, const cosim_tlp_t *t, const char *fmt, ...) {
  char what[VM_TEXT], text[VM_TEXT];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof(what), fmt, ap);
  va_end(ap);
  cosim_tlp_format(t, text, sizeof(text));
  m->st.violations++;
  cosim_errlog_add(m->log, cycle, "virtio monitor: %s: %s", what, text);
}

/* ---- The host side: what the driver programmed ---- */

static void status_write(cosim_vmon_t *m, uint64_t cycle, uint8_t v) {
  m->status = v;
  if (v == 0) {
    m->reset_epoch++;
    m->reset_cycle = cycle;
    /* Until the read-back, the device may still finish what it had started; with nothing
     * started (no DRIVER_OK since the last reset) it is reset at once. */
    if (m->state == VM_RUN)
      m->state = VM_RESETTING;
    else if (m->state == VM_PRE)
      device_reset(m);
  } else if (v & VEP_STATUS_DRIVER_OK) {
    if (m->state != VM_RUN) m->driver_ok_cycle = cycle;
    m->state = VM_RUN;
  }
}

static void queue_enabled(cosim_vmon_t *m, vm_queue_t *q) {
  unsigned n = q_size(q);
  q->used_idx = 0;
  if (n > q->ecap) {
    uint8_t *e = realloc(q->emask, n);
    if (!e) return;  /* no element tracking: the idx check below then refuses nothing */
    q->emask = e;
    q->ecap = n;
  }
  if (q->emask) memset(q->emask, 0, q->ecap);
  (void)m;
}

/* One byte the driver wrote into BAR0 at offset off. */
static void bar_byte(cosim_vmon_t *m, uint64_t cycle, unsigned off, uint8_t v, int *status_w,
                     int *enable_w) {
  if (off >= VEP_BAR_COMMON_LEN) return;
  if (off >= VEP_COMMON_GF && off < VEP_COMMON_GF + 4) {
    if (m->dfselect < 2) {
      unsigned sh = 8 * (off - VEP_COMMON_GF);
      m->dfeat[m->dfselect] = (m->dfeat[m->dfselect] & ~(0xFFu << sh)) | (uint32_t)v << sh;
    }
  } else if (off >= VEP_COMMON_GFSELECT && off < VEP_COMMON_GFSELECT + 4) {
    unsigned sh = 8 * (off - VEP_COMMON_GFSELECT);
    m->dfselect = (m->dfselect & ~(0xFFu << sh)) | (uint32_t)v << sh;
  } else if (off == VEP_COMMON_STATUS) {
    *status_w = 1;
    m->status = v;
  } else if (off >= VEP_COMMON_Q_SELECT && off < VEP_COMMON_Q_SELECT + 2) {
    unsigned sh = 8 * (off - VEP_COMMON_Q_SELECT);
    m->q_select = (uint16_t)((m->q_select & ~(0xFFu << sh)) | (unsigned)v << sh);
  } else if (off >= VM_QREG_BASE && m->q_select < m->p.NUM_QUEUES) {
    vm_queue_t *q = &m->q[m->q_select];
    /* queue_notify_off is read-only. */
    if (off == VEP_COMMON_Q_NOFF || off == VEP_COMMON_Q_NOFF + 1) return;
    q->reg[off - VM_QREG_BASE] = v;
    if (off == VEP_COMMON_Q_ENABLE || off == VEP_COMMON_Q_ENABLE + 1) *enable_w = 1;
  }
  (void)cycle;
}

/* A write of n bytes at BAR0 offset off (the bytes whose mask bit is set). */
static void bar_write(cosim_vmon_t *m, uint64_t cycle, unsigned off, const uint8_t *bytes,
                      const uint8_t *en, unsigned n) {
  int status_w = 0, enable_w = 0;
  for (unsigned i = 0; i < n; i++)
    if (en[i]) bar_byte(m, cycle, off + i, bytes[i], &status_w, &enable_w);
  if (enable_w && m->q_select < m->p.NUM_QUEUES && q_enabled(&m->q[m->q_select]))
    queue_enabled(m, &m->q[m->q_select]);
  if (status_w) status_write(m, cycle, m->status);
}

static int mem_en(const cosim_vmon_t *m) { return m->cfg[VEP_CFG_COMMAND] & VEP_CMD_MEM_EN; }

static int bar_hit(const cosim_vmon_t *m, uint64_t addr, uint64_t *off) {
  uint64_t base = cosim_vmon_bar0(m);
  if (!mem_en(m) || addr < base || addr - base >= VEP_BAR0_SIZE) return 0;
  *off = addr - base;
  return 1;
}

static void host_cfgwr(cosim_vmon_t *m, uint64_t cycle, const cosim_tlp_t *t) {
  unsigned reg = t->cfg_reg & 0xFFCu;
  if ((t->cfg_bdf >> 8) != COSIM_EP_BUS || (t->cfg_bdf & 0xFF) != 0 || !t->ndata) return;
  if (reg == VEP_CAP_PCICFG_OFF + VEP_VIRTIO_CAP_EXTRA) {
    /* pci_cfg_data: a BAR0 access of `length` bytes at `offset` (docs/registers.md). */
    uint32_t len = (uint32_t)le(m->cfg + VEP_CAP_PCICFG_OFF + VEP_VIRTIO_CAP_LENGTH, 4);
    uint32_t off = (uint32_t)le(m->cfg + VEP_CAP_PCICFG_OFF + VEP_VIRTIO_CAP_OFFSET, 4);
    uint8_t bar = m->cfg[VEP_CAP_PCICFG_OFF + VEP_VIRTIO_CAP_BAR];
    if (bar != 0 || (len != 1 && len != 2 && len != 4) || off % len || off >= VEP_BAR0_SIZE)
      return;
    uint8_t bytes[4], en[4];
    for (unsigned i = 0; i < len; i++) {
      bytes[i] = (uint8_t)(t->data[0] >> (8 * i));
      en[i] = (uint8_t)(t->first_be >> i & 1u);
    }
    bar_write(m, cycle, off, bytes, en, len);
    return;
  }
  if (reg >= sizeof(m->cfg)) return;
  for (unsigned i = 0; i < 4; i++)
    if (t->first_be >> i & 1u) m->cfg[reg + i] = (uint8_t)(t->data[0] >> (8 * i));
}

static void host_mwr(cosim_vmon_t *m, uint64_t cycle, const cosim_tlp_t *t) {
  uint64_t off;
  if (!bar_hit(m, t->addr, &off)) return;
  unsigned n = 4u * t->len_dw;
  if (n > 64) n = 64;  /* the common configuration is 0x38 bytes */
  uint8_t bytes[64], en[64];
  for (unsigned i = 0; i < n; i++) {
    unsigned dw = i / 4, b = i % 4;
    unsigned be = dw == 0 ? t->first_be : (dw + 1u == t->len_dw ? t->last_be : 0xFu);
    en[i] = (uint8_t)(be >> b & 1u);
    bytes[i] = dw < t->ndata ? (uint8_t)(t->data[dw] >> (8 * b)) : 0;
  }
  bar_write(m, cycle, (unsigned)off, bytes, en, n);
}

static void host_mrd(cosim_vmon_t *m, const cosim_tlp_t *t) {
  uint64_t off;
  if (!bar_hit(m, t->addr, &off)) return;
  uint64_t end = off + 4ull * t->len_dw;
  if (off > VEP_COMMON_STATUS || end <= VEP_COMMON_STATUS) return;
  for (unsigned i = 0; i < VM_READS; i++) {
    vm_read_t *r = &m->reads[i];
    if (r->used && !(r->req_id == t->req_id && r->tag == t->tag)) continue;
    *r = (vm_read_t){1, t->req_id, t->tag, (unsigned)(VEP_COMMON_STATUS - off), m->reset_epoch};
    return;
  }
}

void cosim_vmon_host_tlp(cosim_vmon_t *m, uint64_t cycle, const uint32_t *dws, size_t n) {
  if (cosim_tlp_decode(dws, n, &m->t, NULL)) return;
  const cosim_tlp_t *t = &m->t;
  switch (cosim_tlp_kind(t->fmt_type)) {
    case COSIM_TLP_KIND_CFGWR0: host_cfgwr(m, cycle, t); break;
    case COSIM_TLP_KIND_MWR: host_mwr(m, cycle, t); break;
    case COSIM_TLP_KIND_MRD: host_mrd(m, t); break;
    default: break;
  }
}

/* ---- The device side ---- */

/* The device-writable bytes of the chain at head, or -1 when it does not parse (the device
 * reports those chains as errors; nothing to compare then). */
static int64_t chain_writable(const cosim_vmon_t *m, uint64_t desc, unsigned size, unsigned head) {
  uint64_t table = desc;
  unsigned n = size, i = head, steps = 0;
  int indirect = 0;
  int64_t total = 0;
  for (;;) {
    uint8_t d[16];
    if (i >= n || ++steps > n + 1 || cosim_hmem_read(m->mem, table + 16ull * i, d, 16))
      return -1;
    uint64_t addr = le(d, 8);
    uint32_t len = (uint32_t)le(d + 8, 4);
    uint16_t flags = (uint16_t)le(d + 12, 2), next = (uint16_t)le(d + 14, 2);
    if (flags & VEP_VRING_DESC_F_INDIRECT) {
      if (indirect || (flags & VEP_VRING_DESC_F_NEXT) || len == 0 || len % 16) return -1;
      indirect = 1;
      table = addr;
      n = len / 16;
      i = 0;
      steps = 0;
      continue;
    }
    if (flags & VEP_VRING_DESC_F_WRITE) total += len;
    if (!(flags & VEP_VRING_DESC_F_NEXT)) return total;
    i = next;
  }
}

static void check_element(cosim_vmon_t *m, uint64_t cycle, const cosim_tlp_t *t, unsigned qi,
                          unsigned slot) {
  vm_queue_t *q = &m->q[qi];
  unsigned size = q_size(q);
  uint8_t e[8];
  if (cosim_hmem_read(m->mem, q_addr(q, VEP_COMMON_Q_USEDLO) + 4 + 8ull * slot, e, 8)) return;
  uint32_t id = (uint32_t)le(e, 4), len = (uint32_t)le(e + 4, 4);
  if (id >= size) {
    report(m, cycle, t, "queue %u used element %u: id %u is not below the queue size %u", qi,
           slot, id, size);
    return;
  }
  int64_t w = chain_writable(m, q_addr(q, VEP_COMMON_Q_DESCLO), size, id);
  if (w < 0) return;
  m->st.len_checked++;
  if (len > w)
    report(m, cycle, t, "queue %u used element %u: len %u exceeds the %" PRId64
           " device-writable bytes of the chain at head %u", qi, slot, len, w, id);
}

/* The part of a device write that lands in queue qi's used ring [lo, hi) (ring offsets). */
static void used_write(cosim_vmon_t *m, uint64_t cycle, const cosim_tlp_t *t, unsigned qi,
                       uint64_t lo, uint64_t hi) {
  vm_queue_t *q = &m->q[qi];
  unsigned size = q_size(q);
  uint64_t used = q_addr(q, VEP_COMMON_Q_USEDLO);
  m->st.ring_writes++;
  if (!q_enabled(q)) {
    report(m, cycle, t, "write into the used ring of queue %u (0x%" PRIx64 "), which is not "
           "enabled", qi, used);
    return;
  }
  uint64_t ev = 4 + 8ull * size;
  if (hi > ev && !event_idx(m)) {
    report(m, cycle, t, "write to avail_event of queue %u (used ring 0x%" PRIx64 " + 0x%" PRIx64
           ") without VIRTIO_F_EVENT_IDX negotiated", qi, used, ev);
  }
  /* Elements first: a write that also covers the index publishes what it wrote. */
  int checked = 0;
  for (uint64_t o = lo < 4 ? 4 : lo; o < hi && o < ev; o++) {
    unsigned slot = (unsigned)((o - 4) / 8);
    if (!q->emask || slot >= q->ecap) continue;
    uint8_t before = q->emask[slot];
    q->emask[slot] |= (uint8_t)(1u << ((o - 4) % 8));
    if (before != 0xFF && q->emask[slot] == 0xFF && checked < 64) {
      check_element(m, cycle, t, qi, slot);
      checked++;
    }
  }
  if (lo < 4 && hi > 2) {
    uint8_t b[2];
    if (cosim_hmem_read(m->mem, used + 2, b, 2)) return;
    uint16_t nidx = (uint16_t)le(b, 2);
    uint16_t moved = (uint16_t)(nidx - q->used_idx);
    if (moved > size) {
      report(m, cycle, t, "queue %u used idx %u -> %u moves by %u, more than the queue size %u",
             qi, q->used_idx, nidx, moved, size);
      q->used_idx = nidx;
      return;
    }
    for (unsigned k = 0; k < moved; k++) {
      unsigned slot = (uint16_t)(q->used_idx + k) % size;
      if (q->emask && slot < q->ecap && q->emask[slot] != 0xFF) {
        report(m, cycle, t, "queue %u used idx %u -> %u publishes element %u (ring slot %u) "
               "before all its 8 bytes were written (mask 0x%02x)", qi, q->used_idx, nidx,
               (uint16_t)(q->used_idx + k), slot, q->emask[slot]);
        break;
      }
    }
    for (unsigned k = 0; k < moved; k++) {
      unsigned slot = (uint16_t)(q->used_idx + k) % size;
      if (q->emask && slot < q->ecap) q->emask[slot] = 0;
    }
    m->st.used_published += moved;
    q->used_idx = nidx;
  }
}

static void dev_mwr(cosim_vmon_t *m, uint64_t cycle, const cosim_tlp_t *t) {
  unsigned off0;
  uint64_t n = cosim_tlp_byte_span(t, &off0), first = t->addr + off0, end = first + n;
  if (t->addr >= COSIM_MSI_WINDOW_BASE && t->addr - COSIM_MSI_WINDOW_BASE < COSIM_MSI_WINDOW_SIZE)
    return;
  m->st.dev_writes++;
  if (m->state == VM_PRE) {
    report(m, cycle, t, "device write %s", m->reset_epoch ? "after a reset, before DRIVER_OK"
                                                         : "before DRIVER_OK");
    return;
  }
  if (!n) return;
  /* Used rings first; what is left must be device-writable memory. */
  uint64_t covered = 0;
  for (unsigned qi = 0; qi < m->p.NUM_QUEUES; qi++) {
    vm_queue_t *q = &m->q[qi];
    uint64_t used = q_addr(q, VEP_COMMON_Q_USEDLO);
    uint64_t uend = used + used_extent(q_size(q));
    if (!used || end <= used || first >= uend) continue;
    uint64_t lo = first > used ? first : used, hi = end < uend ? end : uend;
    covered += hi - lo;
    used_write(m, cycle, t, qi, lo - used, hi - used);
  }
  if (covered == n) return;
  uint64_t bad;
  if (!covered) {
    if (cosim_hmem_check(m->mem, first, n, COSIM_HMEM_DEV_WRITE, &bad))
      report(m, cycle, t, "device write to 0x%" PRIx64 ", which is neither a device-writable "
             "buffer the driver exposed, nor a used ring, nor the MSI window", bad);
    return;
  }
  for (uint64_t a = first; a < end;) {
    /* Skip the bytes inside a used ring. */
    uint64_t skip_to = 0;
    for (unsigned qi = 0; qi < m->p.NUM_QUEUES; qi++) {
      uint64_t used = q_addr(&m->q[qi], VEP_COMMON_Q_USEDLO);
      uint64_t uend = used + used_extent(q_size(&m->q[qi]));
      if (used && a >= used && a < uend && uend > skip_to) skip_to = uend;
    }
    if (skip_to) {
      a = skip_to;
      continue;
    }
    if (!(cosim_hmem_perm(m->mem, a) & COSIM_HMEM_DEV_WRITE)) {
      report(m, cycle, t, "device write to 0x%" PRIx64 ", which is neither a device-writable "
             "buffer the driver exposed, nor a used ring, nor the MSI window", a);
      return;
    }
    a++;
  }
}

static void dev_cpl(cosim_vmon_t *m, const cosim_tlp_t *t) {
  for (unsigned i = 0; i < VM_READS; i++) {
    vm_read_t *r = &m->reads[i];
    if (!r->used || r->req_id != t->req_id || r->tag != t->tag) continue;
    r->used = 0;
    unsigned dw = r->status_off / 4, b = r->status_off % 4;
    if (t->status != VEP_CPL_SC || dw >= t->ndata) return;
    uint8_t st = (uint8_t)(t->data[dw] >> (8 * b));
    /* Only a read sent after the last reset write proves that reset done. */
    if (st == 0 && m->state == VM_RESETTING && r->epoch == m->reset_epoch) {
      m->state = VM_PRE;
      device_reset(m);
    }
    return;
  }
}

void cosim_vmon_dev_tlp(cosim_vmon_t *m, uint64_t cycle, const cosim_tlp_t *t) {
  switch (cosim_tlp_kind(t->fmt_type)) {
    case COSIM_TLP_KIND_MWR: dev_mwr(m, cycle, t); break;
    case COSIM_TLP_KIND_MRD:
      m->st.dev_reads++;
      if (m->state == VM_PRE)
        report(m, cycle, t, "device read %s", m->reset_epoch ? "after a reset, before DRIVER_OK"
                                                            : "before DRIVER_OK");
      break;
    case COSIM_TLP_KIND_CPLD: dev_cpl(m, t); break;
    case COSIM_TLP_KIND_CPL: dev_cpl(m, t); break;
    default: break;
  }
}
