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
#include "cosim_fcov.h"
#include "vep_consts.h"

#define VM_QUEUES 64u
#define VM_READS 64u               /* status read-backs remembered */
#define VM_TEXT 240u
#define VM_MSIX 64u                /* MSI-X table entries mirrored */
#define VM_INDIRECT 32u            /* indirect tables remembered (most recent) */
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

typedef enum { VM_RD_STATUS, VM_RD_ISR, VM_RD_PBA } vm_read_kind_t;

typedef struct vm_read {
  int used;
  vm_read_kind_t kind;
  uint16_t req_id, tag;
  unsigned status_off;       /* byte offset of the register (device_status, ISR, PBA) in the
                                payload */
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
  /* Observation for the TLP log and coverage (cosim_vmon_observe), learned only when on: */
  int observing;
  cosim_fcov_t *fcov;
  uint16_t msix_config;       /* common_cfg.msix_config as written */
  uint8_t msix[VM_MSIX * VEP_MSIX_ENTRY_SIZE];  /* the MSI-X table as written */
  uint8_t msix_pending[VM_MSIX];  /* an interrupt came while its vector was masked */
  int needs_reset_seen;       /* a device_status read showed DEVICE_NEEDS_RESET since reset */
  uint64_t queues_active;     /* queues whose rings the device accessed (bit mask) */
  uint16_t avail_idx[VM_QUEUES];  /* last avail idx the device read, per queue */
  uint8_t avail_idx_seen[VM_QUEUES];
  struct {
    uint64_t addr;
    uint32_t len;
    unsigned q;
  } indirect[VM_INDIRECT];    /* indirect tables seen in descriptors the device read */
  unsigned indirect_next;
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
  /* Offset first: reg + field alone points past the array (undefined behaviour). */
  return le(q->reg + (field - VM_QREG_BASE), 8);
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
  if (n == 1) cosim_fcov_hit(m->fcov, COSIM_FCOV_Q_SIZE_1);
  if (n == m->p.QUEUE_SIZE_MAX) cosim_fcov_hit(m->fcov, COSIM_FCOV_Q_SIZE_MAX);
}

/* A reset (device_status 0 written): the coverage point of the stage it interrupts. */
static void reset_stage(cosim_vmon_t *m, uint8_t before) {
  cosim_fcov_point_t p;
  if (before & VEP_STATUS_FAILED) p = COSIM_FCOV_RESET_AFTER_FAILED;
  else if (m->needs_reset_seen) p = COSIM_FCOV_RESET_NEEDS_RESET;
  else if (before & VEP_STATUS_DRIVER_OK) p = COSIM_FCOV_RESET_AFTER_DRIVER_OK;
  else if (before & VEP_STATUS_FEATURES_OK) p = COSIM_FCOV_RESET_AFTER_FEATURES_OK;
  else if (before & VEP_STATUS_DRIVER) p = COSIM_FCOV_RESET_AFTER_DRIVER;
  else if (before & VEP_STATUS_ACKNOWLEDGE) p = COSIM_FCOV_RESET_AFTER_ACK;
  else p = COSIM_FCOV_COUNT;  /* a reset of a reset device: no stage */
  if (p != COSIM_FCOV_COUNT) cosim_fcov_hit(m->fcov, p);
  m->needs_reset_seen = 0;
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
  } else if (off == VEP_COMMON_MSIX || off == VEP_COMMON_MSIX + 1) {
    unsigned sh = 8 * (off - VEP_COMMON_MSIX);
    m->msix_config = (uint16_t)((m->msix_config & ~(0xFFu << sh)) | (unsigned)v << sh);
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

static int in_field(unsigned off, unsigned field, unsigned len) {
  return off >= field && off < field + len;
}

/* After the bytes of one DW landed in the selected queue's mirror: undo what the device drops
 * (docs/registers.md, per-queue registers), so that the monitor reads the rings where the device
 * does. `old` is the mirror before the DW, `was_enabled` the queue's state before it. */
static void queue_write_rules(const cosim_vmon_t *m, vm_queue_t *q, const uint8_t *old,
                              int was_enabled) {
  static const struct {
    unsigned off, len;
  } locked[] = {{VEP_COMMON_Q_SIZE, 2}, {VEP_COMMON_Q_DESCLO, 8},
                {VEP_COMMON_Q_AVAILLO, 8}, {VEP_COMMON_Q_USEDLO, 8}};
  for (unsigned k = 0; was_enabled && k < sizeof locked / sizeof locked[0]; k++)
    memcpy(q->reg + (locked[k].off - VM_QREG_BASE), old + (locked[k].off - VM_QREG_BASE),
           locked[k].len);
  unsigned size = q_size(q);
  if (size == 0 || size > m->p.QUEUE_SIZE_MAX || (size & (size - 1)))
    memcpy(q->reg + (VEP_COMMON_Q_SIZE - VM_QREG_BASE), old + (VEP_COMMON_Q_SIZE - VM_QREG_BASE),
           2);
  /* queue_enable: 1 enables; anything else is a driver error the device does not act on, and
   * only the device reset disables. */
  uint8_t *en = q->reg + (VEP_COMMON_Q_ENABLE - VM_QREG_BASE);
  unsigned v = (unsigned)le(en, 2);
  unsigned keep = was_enabled || v == 1;
  en[0] = (uint8_t)keep;
  en[1] = 0;
}

/* A write of one DW (n <= 4 bytes) at BAR0 offset off (the bytes whose mask bit is set): one
 * register access, as the device applies it. */
static void bar_write(cosim_vmon_t *m, uint64_t cycle, unsigned off, const uint8_t *bytes,
                      const uint8_t *en, unsigned n) {
  int status_w = 0, enable_w = 0;
  uint8_t before = m->status;
  vm_queue_t *q = m->q_select < m->p.NUM_QUEUES ? &m->q[m->q_select] : NULL;
  uint8_t old[VM_QREG_LEN];
  /* Between a reset's write and its read-back the device may already be reset (its queues
   * disabled, so writes land): take the writes then, as a reset device would. */
  int was_enabled = q && q_enabled(q) && m->state != VM_RESETTING;
  if (q) memcpy(old, q->reg, sizeof old);
  for (unsigned i = 0; i < n; i++)
    if (en[i]) bar_byte(m, cycle, off + i, bytes[i], &status_w, &enable_w);
  if (q && in_field(off, VM_QREG_BASE, VM_QREG_LEN)) queue_write_rules(m, q, old, was_enabled);
  if (enable_w && q && !was_enabled && q_enabled(q)) queue_enabled(m, q);
  if (status_w && m->status == 0) reset_stage(m, before);
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
  if (reg == VEP_CAP_MSIX_OFF && (t->first_be & 0x8u) &&
      (le(m->cfg + VEP_CAP_MSIX_OFF + VEP_MSIX_MSGCTL, 2) & VEP_MSIX_CTL_FMASK))
    cosim_fcov_hit(m->fcov, COSIM_FCOV_MSIX_FUNCTION_MASKED);
}

/* A write into the MSI-X table: mirrored for the log's vector names and for coverage. */
static void msix_table_write(cosim_vmon_t *m, unsigned off, const uint8_t *bytes,
                             const uint8_t *en, unsigned n) {
  for (unsigned i = 0; i < n; i++) {
    unsigned o = off + i - VEP_BAR_MSIX_TABLE_OFF;
    if (!en[i] || o >= sizeof(m->msix)) continue;
    m->msix[o] = bytes[i];
    if (o % VEP_MSIX_ENTRY_SIZE == 12 && (bytes[i] & VEP_MSIX_VECTOR_MASKED))
      cosim_fcov_hit(m->fcov, COSIM_FCOV_MSIX_VECTOR_MASKED);
  }
}

static void host_mwr(cosim_vmon_t *m, uint64_t cycle, const cosim_tlp_t *t) {
  uint64_t off;
  if (!bar_hit(m, t->addr, &off)) return;
  /* The device takes writes of 1 or 2 DWs, not poisoned, inside BAR0, one register access per
   * DW (docs/interface.md); it drops the rest, so the mirror must too. */
  if (t->len_dw < 1 || t->len_dw > 2 || t->ep || off + 4u * t->len_dw > VEP_BAR0_SIZE) return;
  if (m->observing && off >= VEP_BAR_MSIX_TABLE_OFF && off < VEP_BAR_MSIX_PBA_OFF) {
    uint8_t bytes[8], en[8];
    unsigned n = 4u * t->len_dw;
    for (unsigned i = 0; i < n; i++) {
      unsigned dw = i / 4;
      unsigned be = dw == 0 ? t->first_be : t->last_be;
      en[i] = (uint8_t)(be >> (i % 4) & 1u);
      bytes[i] = dw < t->ndata ? (uint8_t)(t->data[dw] >> (8 * (i % 4))) : 0;
    }
    msix_table_write(m, (unsigned)off, bytes, en, n);
    return;
  }
  for (unsigned dw = 0; dw < t->len_dw; dw++) {
    unsigned be = dw == 0 ? t->first_be : t->last_be;
    uint8_t bytes[4], en[4];
    for (unsigned b = 0; b < 4; b++) {
      en[b] = (uint8_t)(be >> b & 1u);
      bytes[b] = dw < t->ndata ? (uint8_t)(t->data[dw] >> (8 * b)) : 0;
    }
    bar_write(m, cycle, (unsigned)off + 4u * dw, bytes, en, 4);
  }
}

static void host_mrd(cosim_vmon_t *m, const cosim_tlp_t *t) {
  uint64_t off;
  if (!bar_hit(m, t->addr, &off)) return;
  uint64_t end = off + 4ull * t->len_dw;
  vm_read_kind_t kind;
  unsigned reg;
  if (off <= VEP_COMMON_STATUS && end > VEP_COMMON_STATUS) {
    kind = VM_RD_STATUS;
    reg = VEP_COMMON_STATUS;
  } else if (m->observing && off >= VEP_BAR_ISR_OFF && off < VEP_BAR_ISR_OFF + VEP_BAR_ISR_LEN) {
    kind = VM_RD_ISR;
    reg = (unsigned)off;
  } else if (m->observing && off >= VEP_BAR_MSIX_PBA_OFF && off < VEP_BAR_MSIX_PBA_OFF + 8) {
    kind = VM_RD_PBA;
    reg = (unsigned)off;
  } else {
    return;
  }
  for (unsigned i = 0; i < VM_READS; i++) {
    vm_read_t *r = &m->reads[i];
    if (r->used && !(r->req_id == t->req_id && r->tag == t->tag)) continue;
    *r = (vm_read_t){1, kind, t->req_id, t->tag, (unsigned)(reg - off), m->reset_epoch};
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

/* ---- Observation: what the device's accesses mean (log and coverage) ---- */

static int msix_enabled(const cosim_vmon_t *m) {
  return (le(m->cfg + VEP_CAP_MSIX_OFF + VEP_MSIX_MSGCTL, 2) & VEP_MSIX_CTL_ENABLE) != 0;
}

static int vector_masked(const cosim_vmon_t *m, unsigned v) {
  if (le(m->cfg + VEP_CAP_MSIX_OFF + VEP_MSIX_MSGCTL, 2) & VEP_MSIX_CTL_FMASK) return 1;
  return v < VM_MSIX && (m->msix[v * VEP_MSIX_ENTRY_SIZE + 12] & VEP_MSIX_VECTOR_MASKED);
}

/* The table entry a message's address and data came from, or -1. */
static int msix_vector_of(const cosim_vmon_t *m, uint64_t addr, uint32_t data) {
  unsigned nvec = m->p.MSIX_VECTORS < VM_MSIX ? m->p.MSIX_VECTORS : VM_MSIX;
  for (unsigned v = 0; v < nvec; v++) {
    const uint8_t *e = m->msix + v * VEP_MSIX_ENTRY_SIZE;
    if (le(e, 8) == addr && (uint32_t)le(e + 8, 4) == data) return (int)v;
  }
  return -1;
}

/* The device published used elements of a queue whose interrupt goes to vector v: if v is masked
 * now, the message must wait for the unmask (coverage of the pending path). Suppression by
 * EVENT_IDX or NO_INTERRUPT is not modelled here, so this marks a candidate only; the point is
 * hit when a message for v does arrive later. */
static void interrupt_event(cosim_vmon_t *m, unsigned v) {
  if (v < VM_MSIX && msix_enabled(m) && vector_masked(m, v)) m->msix_pending[v] = 1;
}

static void msix_message(cosim_vmon_t *m, const cosim_tlp_t *t) {
  cosim_fcov_hit(m->fcov, COSIM_FCOV_MSIX_MESSAGE);
  int v = msix_vector_of(m, t->addr, t->ndata ? t->data[0] : 0);
  if (v < 0) return;
  if (m->msix_pending[v]) cosim_fcov_hit(m->fcov, COSIM_FCOV_MSIX_SENT_ON_UNMASK);
  m->msix_pending[v] = 0;
  if ((unsigned)v != m->msix_config) return;
  for (unsigned qi = 0; qi < m->p.NUM_QUEUES; qi++)
    if (le(m->q[qi].reg + VEP_COMMON_Q_MSIX - VM_QREG_BASE, 2) == (unsigned)v) return;
  cosim_fcov_hit(m->fcov, COSIM_FCOV_CONFIG_CHANGE_IRQ);
}

/* Descriptors [i0, i1) of a table the device read: their flags, and indirect tables to remember. */
static void descs_read(cosim_vmon_t *m, unsigned qi, uint64_t table, unsigned i0, unsigned i1) {
  for (unsigned i = i0; i < i1; i++) {
    uint8_t d[16];
    if (cosim_hmem_read(m->mem, table + 16ull * i, d, 16)) return;
    uint16_t flags = (uint16_t)le(d + 12, 2);
    if (flags & VEP_VRING_DESC_F_NEXT) cosim_fcov_hit(m->fcov, COSIM_FCOV_DESC_NEXT);
    if (flags & VEP_VRING_DESC_F_WRITE) cosim_fcov_hit(m->fcov, COSIM_FCOV_DESC_WRITE);
    if (flags & VEP_VRING_DESC_F_INDIRECT) {
      cosim_fcov_hit(m->fcov, COSIM_FCOV_DESC_INDIRECT);
      unsigned k = m->indirect_next++ % VM_INDIRECT;
      m->indirect[k].addr = le(d, 8);
      m->indirect[k].len = (uint32_t)le(d + 8, 4);
      m->indirect[k].q = qi;
    }
  }
}

static int overlaps(uint64_t a, uint64_t n, uint64_t base, uint64_t len) {
  return n && len && a < base + len && base < a + n;
}

/* A device read or write of [a, a + n): coverage of the ring features it shows. */
static void learn_dev_access(cosim_vmon_t *m, const cosim_tlp_t *t, uint64_t a, uint64_t n,
                             int write) {
  (void)t;
  for (unsigned qi = 0; qi < m->p.NUM_QUEUES; qi++) {
    vm_queue_t *q = &m->q[qi];
    unsigned size = q_size(q);
    uint64_t desc = q_addr(q, VEP_COMMON_Q_DESCLO), avail = q_addr(q, VEP_COMMON_Q_AVAILLO);
    uint64_t used = q_addr(q, VEP_COMMON_Q_USEDLO);
    int hit = 0;
    if (desc && overlaps(a, n, desc, 16ull * size)) {
      hit = 1;
      if (!write) {
        uint64_t lo = a > desc ? a : desc;
        uint64_t hi = a + n < desc + 16ull * size ? a + n : desc + 16ull * size;
        descs_read(m, qi, desc, (unsigned)((lo - desc) / 16), (unsigned)((hi - desc + 15) / 16));
      }
    }
    if (avail && overlaps(a, n, avail, 6ull + 2ull * size)) {
      hit = 1;
      uint8_t b[2];
      if (!write && overlaps(a, n, avail, 1) && !cosim_hmem_read(m->mem, avail, b, 2) &&
          (b[0] & VEP_VRING_AVAIL_F_NO_INTERRUPT))
        cosim_fcov_hit(m->fcov, COSIM_FCOV_AVAIL_NO_INTERRUPT);
      if (!write && overlaps(a, n, avail + 2, 2) && !cosim_hmem_read(m->mem, avail + 2, b, 2)) {
        uint16_t idx = (uint16_t)le(b, 2);
        if (m->avail_idx_seen[qi] && idx < m->avail_idx[qi])
          cosim_fcov_hit(m->fcov, COSIM_FCOV_AVAIL_WRAP);
        m->avail_idx[qi] = idx;
        m->avail_idx_seen[qi] = 1;
      }
      if (!write && overlaps(a, n, avail + 4 + 2ull * size, 2))
        cosim_fcov_hit(m->fcov, COSIM_FCOV_USED_EVENT_READ);
    }
    if (used && overlaps(a, n, used, used_extent(size))) hit = 1;
    if (hit && !(m->queues_active >> qi & 1u)) {
      m->queues_active |= 1ull << qi;
      if (m->queues_active & (m->queues_active - 1))
        cosim_fcov_hit(m->fcov, COSIM_FCOV_Q_MULTI);
    }
  }
  if (!write)
    for (unsigned k = 0; k < VM_INDIRECT; k++)
      if (m->indirect[k].len && overlaps(a, n, m->indirect[k].addr, m->indirect[k].len)) {
        cosim_fcov_hit(m->fcov, COSIM_FCOV_INDIRECT_READ);
        uint64_t base = m->indirect[k].addr;
        uint64_t lo = a > base ? a : base;
        uint64_t hi = a + n < base + m->indirect[k].len ? a + n : base + m->indirect[k].len;
        /* Flags inside an indirect table count too; nested INDIRECT is recorded as a table. */
        descs_read(m, m->indirect[k].q, base, (unsigned)((lo - base) / 16),
                   (unsigned)((hi - base + 15) / 16));
        break;
      }
}

/* A used element was published for the chain at head: the blk request's type (the header's
 * first 4 bytes) and the status byte the device wrote (the last device-writable byte). */
static void blk_request_done(cosim_vmon_t *m, uint64_t desc, unsigned size, unsigned head) {
  uint64_t table = desc, hdr = 0, status_at = 0;
  unsigned n = size, i = head, steps = 0;
  int indirect = 0, have_hdr = 0, have_status = 0;
  for (;;) {
    uint8_t d[16];
    if (i >= n || ++steps > n + 1 || cosim_hmem_read(m->mem, table + 16ull * i, d, 16)) return;
    uint64_t addr = le(d, 8);
    uint32_t len = (uint32_t)le(d + 8, 4);
    uint16_t flags = (uint16_t)le(d + 12, 2), next = (uint16_t)le(d + 14, 2);
    if (flags & VEP_VRING_DESC_F_INDIRECT) {
      if (indirect || len == 0 || len % 16) return;
      indirect = 1;
      table = addr;
      n = len / 16;
      i = 0;
      steps = 0;
      continue;
    }
    if (!(flags & VEP_VRING_DESC_F_WRITE) && !have_hdr && len >= 4) {
      hdr = addr;
      have_hdr = 1;
    }
    if ((flags & VEP_VRING_DESC_F_WRITE) && len) {
      status_at = addr + len - 1;
      have_status = 1;
    }
    if (!(flags & VEP_VRING_DESC_F_NEXT)) break;
    i = next;
  }
  uint8_t b[4];
  if (have_hdr && !cosim_hmem_read(m->mem, hdr, b, 4)) {
    uint32_t type = (uint32_t)le(b, 4);
    cosim_fcov_hit(m->fcov, type == VEP_BLK_T_IN       ? COSIM_FCOV_BLK_IN
                            : type == VEP_BLK_T_OUT    ? COSIM_FCOV_BLK_OUT
                            : type == VEP_BLK_T_FLUSH  ? COSIM_FCOV_BLK_FLUSH
                            : type == VEP_BLK_T_GET_ID ? COSIM_FCOV_BLK_GET_ID
                                                       : COSIM_FCOV_BLK_UNSUPPORTED);
  }
  if (have_status && !cosim_hmem_read(m->mem, status_at, b, 1)) {
    if (b[0] == VEP_BLK_S_OK) cosim_fcov_hit(m->fcov, COSIM_FCOV_BLK_OK);
    else if (b[0] == VEP_BLK_S_IOERR) cosim_fcov_hit(m->fcov, COSIM_FCOV_BLK_IOERR);
    else if (b[0] == VEP_BLK_S_UNSUPP) cosim_fcov_hit(m->fcov, COSIM_FCOV_BLK_UNSUPP);
  }
}

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
  if (m->fcov) blk_request_done(m, q_addr(q, VEP_COMMON_Q_DESCLO), size, id);
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
  if (hi > ev) cosim_fcov_hit(m->fcov, COSIM_FCOV_AVAIL_EVENT_WRITE);
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
    if (moved && nidx < q->used_idx) cosim_fcov_hit(m->fcov, COSIM_FCOV_USED_WRAP);
    if (moved && m->observing) interrupt_event(m, (unsigned)le(q->reg + VEP_COMMON_Q_MSIX -
                                                                  VM_QREG_BASE, 2));
    q->used_idx = nidx;
  }
}

static void dev_mwr(cosim_vmon_t *m, uint64_t cycle, const cosim_tlp_t *t) {
  unsigned off0;
  uint64_t n = cosim_tlp_byte_span(t, &off0), first = t->addr + off0, end = first + n;
  if (t->addr >= COSIM_MSI_WINDOW_BASE && t->addr - COSIM_MSI_WINDOW_BASE < COSIM_MSI_WINDOW_SIZE) {
    if (m->observing) msix_message(m, t);
    return;
  }
  m->st.dev_writes++;
  if (m->state == VM_RESETTING) cosim_fcov_hit(m->fcov, COSIM_FCOV_RESET_DMA_IN_FLIGHT);
  if (m->observing) learn_dev_access(m, t, first, n, 1);
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
    if (r->kind == VM_RD_ISR) {
      if (st) cosim_fcov_hit(m->fcov, COSIM_FCOV_ISR_READ_CLEAR);
      if (st & VEP_ISR_CONFIG) cosim_fcov_hit(m->fcov, COSIM_FCOV_CONFIG_CHANGE_IRQ);
      return;
    }
    if (r->kind == VM_RD_PBA) {
      for (unsigned k = 0; k < t->ndata; k++)
        if (t->data[k]) {
          cosim_fcov_hit(m->fcov, COSIM_FCOV_MSIX_PBA_PENDING);
          break;
        }
      return;
    }
    if ((st & VEP_STATUS_DEVICE_NEEDS_RESET) && !m->needs_reset_seen) {
      m->needs_reset_seen = 1;
      cosim_fcov_hit(m->fcov, COSIM_FCOV_NEEDS_RESET_RAISED);
    }
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
      if (m->state == VM_RESETTING) cosim_fcov_hit(m->fcov, COSIM_FCOV_RESET_DMA_IN_FLIGHT);
      if (m->observing) {
        unsigned off0;
        uint64_t n = cosim_tlp_byte_span(t, &off0);
        learn_dev_access(m, t, t->addr + off0, n, 0);
      }
      if (m->state == VM_PRE)
        report(m, cycle, t, "device read %s", m->reset_epoch ? "after a reset, before DRIVER_OK"
                                                            : "before DRIVER_OK");
      break;
    case COSIM_TLP_KIND_CPLD: dev_cpl(m, t); break;
    case COSIM_TLP_KIND_CPL: dev_cpl(m, t); break;
    default: break;
  }
}

/* ---- Observation API ---- */

void cosim_vmon_observe(cosim_vmon_t *m, cosim_fcov_t *fcov) {
  m->observing = 1;
  m->fcov = fcov;
}

typedef struct vm_field {
  unsigned off, len;
  const char *name;
} vm_field_t;

static const vm_field_t common_fields[] = {
    {VEP_COMMON_DFSELECT, 4, "device_feature_select"}, {VEP_COMMON_DF, 4, "device_feature"},
    {VEP_COMMON_GFSELECT, 4, "driver_feature_select"}, {VEP_COMMON_GF, 4, "driver_feature"},
    {VEP_COMMON_MSIX, 2, "msix_config"},               {VEP_COMMON_NUMQ, 2, "num_queues"},
    {VEP_COMMON_STATUS, 1, "device_status"},           {VEP_COMMON_CFGGEN, 1, "config_generation"},
    {VEP_COMMON_Q_SELECT, 2, "queue_select"},          {VEP_COMMON_Q_SIZE, 2, "queue_size"},
    {VEP_COMMON_Q_MSIX, 2, "queue_msix_vector"},       {VEP_COMMON_Q_ENABLE, 2, "queue_enable"},
    {VEP_COMMON_Q_NOFF, 2, "queue_notify_off"},        {VEP_COMMON_Q_DESCLO, 4, "queue_desc lo"},
    {VEP_COMMON_Q_DESCHI, 4, "queue_desc hi"},         {VEP_COMMON_Q_AVAILLO, 4, "queue_driver lo"},
    {VEP_COMMON_Q_AVAILHI, 4, "queue_driver hi"},      {VEP_COMMON_Q_USEDLO, 4, "queue_device lo"},
    {VEP_COMMON_Q_USEDHI, 4, "queue_device hi"},
};

static const vm_field_t blk_fields[] = {
    {VEP_BLK_CFG_CAPACITY, 8, "capacity"}, {VEP_BLK_CFG_SIZE_MAX, 4, "size_max"},
    {VEP_BLK_CFG_SEG_MAX, 4, "seg_max"},   {VEP_BLK_CFG_GEOMETRY, 4, "geometry"},
    {VEP_BLK_CFG_BLK_SIZE, 4, "blk_size"}, {VEP_BLK_CFG_TOPOLOGY, 8, "topology"},
    {VEP_BLK_CFG_WRITEBACK, 2, "writeback"}, {VEP_BLK_CFG_NUM_QUEUES, 2, "num_queues"},
};

/* The fields of table that [off, off + n) touches, joined by '+'. */
static void field_names(const vm_field_t *table, size_t count, unsigned off, unsigned n,
                        char *buf, size_t len) {
  size_t pos = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < count && pos < len; i++) {
    if (off < table[i].off + table[i].len && table[i].off < off + n)
      pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", pos ? "+" : "", table[i].name);
  }
  if (!buf[0]) snprintf(buf, len, "+0x%x", off);
}

static void describe_bar(const cosim_vmon_t *m, uint64_t off, unsigned n, int write,
                         uint64_t val, char *buf, size_t len) {
  const char *rw = write ? "write" : "read";
  char f[96];
  if (off < VEP_BAR_COMMON_OFF + VEP_BAR_COMMON_LEN) {
    field_names(common_fields, sizeof common_fields / sizeof *common_fields, (unsigned)off, n, f,
                sizeof f);
    char q[16] = "";
    if (off + n > VEP_COMMON_Q_SIZE) snprintf(q, sizeof q, " (q%u)", m->q_select);
    if (write && n <= 8)
      snprintf(buf, len, "common_cfg.%s%s write 0x%" PRIx64, f, q, val);
    else
      snprintf(buf, len, "common_cfg.%s%s %s", f, q, rw);
  } else if (off >= VEP_BAR_ISR_OFF && off < VEP_BAR_ISR_OFF + 0x1000) {
    snprintf(buf, len, "ISR %s", rw);
  } else if (off >= VEP_BAR_DEVICE_OFF && off < VEP_BAR_DEVICE_OFF + 0x1000) {
    field_names(blk_fields, sizeof blk_fields / sizeof *blk_fields,
                (unsigned)(off - VEP_BAR_DEVICE_OFF), n, f, sizeof f);
    snprintf(buf, len, "blk cfg %s %s", f, rw);
  } else if (off >= VEP_BAR_NOTIFY_OFF && off < VEP_BAR_NOTIFY_OFF + 0x1000) {
    if (write)
      snprintf(buf, len, "q%u notify", (unsigned)((off - VEP_BAR_NOTIFY_OFF) / VEP_NOTIFY_MULTIPLIER));
    else
      snprintf(buf, len, "notify region read (q%u)",
               (unsigned)((off - VEP_BAR_NOTIFY_OFF) / VEP_NOTIFY_MULTIPLIER));
  } else if (off >= VEP_BAR_MSIX_TABLE_OFF && off < VEP_BAR_MSIX_PBA_OFF) {
    unsigned e = (unsigned)(off - VEP_BAR_MSIX_TABLE_OFF);
    static const char *const field[] = {"address lo", "address hi", "data", "control"};
    const char *what = field[(e % VEP_MSIX_ENTRY_SIZE) / 4];
    if (write && e % VEP_MSIX_ENTRY_SIZE == 12)
      snprintf(buf, len, "MSI-X table vector %u control (%s)", e / VEP_MSIX_ENTRY_SIZE,
               val & VEP_MSIX_VECTOR_MASKED ? "mask" : "unmask");
    else if (n == 8 && e % VEP_MSIX_ENTRY_SIZE == 0)
      snprintf(buf, len, "MSI-X table vector %u address %s", e / VEP_MSIX_ENTRY_SIZE, rw);
    else
      snprintf(buf, len, "MSI-X table vector %u %s %s", e / VEP_MSIX_ENTRY_SIZE, what, rw);
  } else if (off >= VEP_BAR_MSIX_PBA_OFF && off < VEP_BAR_MSIX_PBA_OFF + 0x1000) {
    snprintf(buf, len, "MSI-X PBA %s", rw);
  } else {
    snprintf(buf, len, "BAR0+0x%" PRIx64 " (unmapped) %s", off, rw);
  }
}

/* Entries [i0, i1] as "[i0]" or "[i0..i1]". */
static void range_text(char *buf, size_t len, const char *what, uint64_t lo, uint64_t hi,
                       unsigned stride, const char *rw) {
  unsigned i0 = (unsigned)(lo / stride), i1 = (unsigned)((hi - 1) / stride);
  if (i0 == i1)
    snprintf(buf, len, "%s [%u] %s", what, i0, rw);
  else
    snprintf(buf, len, "%s [%u..%u] %s", what, i0, i1, rw);
}

/* A device access of [a, a + n) in the rings of queue qi, or 0 when it is not in them. */
static int describe_ring(const cosim_vmon_t *m, unsigned qi, uint64_t a, uint64_t n, int write,
                         char *buf, size_t len) {
  const vm_queue_t *q = &m->q[qi];
  unsigned size = q_size(q);
  uint64_t desc = q_addr(q, VEP_COMMON_Q_DESCLO), avail = q_addr(q, VEP_COMMON_Q_AVAILLO);
  uint64_t used = q_addr(q, VEP_COMMON_Q_USEDLO);
  const char *rw = write ? "write" : "read";
  char what[48];
  if (desc && a >= desc && a < desc + 16ull * size) {
    snprintf(what, sizeof what, "q%u desc table", qi);
    range_text(buf, len, what, a - desc, a - desc + (n ? n : 1), 16, rw);
    return 1;
  }
  if (avail && a >= avail && a < avail + 6ull + 2ull * size) {
    uint64_t o = a - avail;
    if (o < 2 && o + n <= 2) snprintf(buf, len, "q%u avail flags %s", qi, rw);
    else if (o < 2) snprintf(buf, len, "q%u avail flags+idx %s", qi, rw);
    else if (o < 4 && o + n <= 4) snprintf(buf, len, "q%u avail idx %s", qi, rw);
    else if (o >= 4 + 2ull * size) snprintf(buf, len, "q%u used_event %s", qi, rw);
    else {
      snprintf(what, sizeof what, o < 4 ? "q%u avail idx+ring" : "q%u avail ring", qi);
      uint64_t lo = o < 4 ? 0 : o - 4, hi = o + n - 4;
      if (hi > 2ull * size) hi = 2ull * size;
      range_text(buf, len, what, lo, hi > lo ? hi : lo + 1, 2, rw);
    }
    return 1;
  }
  if (used && a >= used && a < used + used_extent(size)) {
    uint64_t o = a - used;
    if (o < 2 && o + n <= 2) snprintf(buf, len, "q%u used flags %s", qi, rw);
    else if (o < 4 && o + n <= 4) snprintf(buf, len, "q%u used idx %s", qi, rw);
    else if (o >= 4 + 8ull * size) snprintf(buf, len, "q%u avail_event %s", qi, rw);
    else {
      snprintf(what, sizeof what, "q%u used elem", qi);
      uint64_t lo = o < 4 ? 0 : o - 4, hi = o + n - 4;
      if (hi > 8ull * size) hi = 8ull * size;
      range_text(buf, len, what, lo, hi > lo ? hi : lo + 1, 8, rw);
    }
    return 1;
  }
  return 0;
}

void cosim_vmon_describe(const cosim_vmon_t *m, int from_device, int write, uint64_t addr,
                         unsigned nbytes, uint64_t val, char *buf, size_t len) {
  buf[0] = '\0';
  if (!from_device) {
    uint64_t off;
    if (bar_hit(m, addr, &off))
      describe_bar(m, off, nbytes, write, val, buf, len);
    else
      snprintf(buf, len, "not in BAR0 (or Memory Space off)");
    return;
  }
  if (addr >= COSIM_MSI_WINDOW_BASE && addr - COSIM_MSI_WINDOW_BASE < COSIM_MSI_WINDOW_SIZE) {
    int v = msix_vector_of(m, addr, (uint32_t)val);
    if (v >= 0)
      snprintf(buf, len, "MSI-X vector %d message", v);
    else
      snprintf(buf, len, "MSI-X message (no table entry matches)");
    return;
  }
  for (unsigned qi = 0; qi < m->p.NUM_QUEUES; qi++)
    if (describe_ring(m, qi, addr, nbytes, write, buf, len)) return;
  for (unsigned k = 0; k < VM_INDIRECT; k++) {
    if (m->indirect[k].len && addr >= m->indirect[k].addr &&
        addr < m->indirect[k].addr + m->indirect[k].len) {
      char what[48];
      snprintf(what, sizeof what, "q%u indirect table", m->indirect[k].q);
      range_text(buf, len, what, addr - m->indirect[k].addr,
                 addr - m->indirect[k].addr + (nbytes ? nbytes : 1), 16, write ? "write" : "read");
      return;
    }
  }
  unsigned perm = cosim_hmem_perm(m->mem, addr);
  if (write && (perm & COSIM_HMEM_DEV_WRITE))
    snprintf(buf, len, nbytes == 1 ? "blk status write" : "blk data buffer write");
  else if (!write && (perm & COSIM_HMEM_DEV_READ))
    snprintf(buf, len, "blk data buffer read");
  else
    snprintf(buf, len, "host memory not exposed to the device");
}
