/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness on the C model behind the bus model: the input bytes are a program of host
 * actions (configuration and BAR accesses, raw and hand-built TLPs, descriptors, avail entries,
 * indirect tables and buffer bytes written into host memory, doorbells, resets, idle cycles),
 * optionally after a bring-up to DRIVER_OK with one queue programmed by register writes.
 * docs/fuzzing.md gives the byte format.
 *
 * What counts as a crash (abort(), so libFuzzer keeps the input):
 * - any error the bus model's checkers record that the host did not provoke: every "device:"
 *   PCIe rule, the IOMMU (a device access outside the memory exposed to it, or in the wrong
 *   direction), the virtio ring monitor, the backend port, a lockstep mismatch, a completion
 *   timeout of a host request the host did not break;
 * - a device that, after the program, does not finish a virtio reset within RESET_POLLS reads of
 *   device_status or does not answer a configuration read of its Vendor ID;
 * - an action that takes more than ACTION_MAX_CYCLES cycles (the device kept the host waiting).
 * The program stops taking actions after BUDGET_CYCLES cycles, so every input runs in bounded
 * simulated time.
 * Sanitizer reports are libFuzzer's own crashes.
 *
 * Host-caused errors, which are filtered: messages starting "host: " (the host-side checker on
 * TLPs the program sent: malformed, rule-breaking, tag reuse) and "checker: " (the checker's
 * own tracking limits, reached only by host floods); and a root complex completion timeout in
 * an action that also produced a "host: " error, or of a hand-built request sent "lawless"
 * (fields that break the rules of its type: the device rightly drops it). A device answer to a
 * raw TLP the checker called malformed is not filtered: the device must drop such a TLP.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cosim.h"
#include "cosim_mem.h"
#include "vep_consts.h"

#define EP_BDF ((uint16_t)(COSIM_EP_BUS << 8))
#define BAR0_ADDR (COSIM_MMIO_WINDOW_BASE + 0x00100000ull)
#define BAR0_ADDR32 (COSIM_MMIO32_WINDOW_BASE + 0x00100000ull)  /* nothing there: UR */
#define BUDGET_CYCLES 12000u       /* the program stops taking actions past this */
#define ACTION_MAX_CYCLES (3u * CPL_TIMEOUT + RUN_MAX + RAW_DRAIN)  /* more is a hang */
#define FINAL_CYCLES 20000u        /* the closing reset and Vendor ID read */
#define RESET_POLLS 200u
#define RUN_MAX 1024u              /* cycles one "run" action may ask for */
#define RAW_DRAIN 64u              /* cycles after a raw TLP, so its completion cannot be taken
                                    * for the answer to a later request with the same tag */
#define CPL_TIMEOUT 4000u
#define MAX_ACTIONS 256u

/* Host memory the bring-up exposes, by direction, so that the IOMMU checks the device's reads
 * and writes against what the descriptors allow. */
#define DESC_BYTES 4096u           /* 256 descriptors at most */
#define AVAIL_BYTES 1024u
#define USED_BYTES 4096u
#define ITAB_BYTES 2048u           /* 8 indirect tables of 16 entries */
#define ITAB_ENTRIES 16u
#define RBUF_BYTES 16384u          /* device-readable data */
#define WBUF_BYTES 16384u          /* device-writable data */

typedef struct {
  const uint8_t *p;
  size_t n, i;
} prog_t;

typedef struct {
  cosim_t *s;
  cosim_hmem_t *m;
  int up;                  /* bring-up done: the rings below exist */
  uint16_t qsize;
  uint16_t avail_idx;
  uint64_t desc, avail, used, itab, rbuf, wbuf;
  unsigned tag;            /* tags of the hand-built requests, away from the root complex's */
  int timeout_ok;          /* the request under way was sent breaking the rules on purpose */
  int rewrote_in_flight;   /* a descriptor, table entry or ring entry was rewritten while a
                            * published chain may still be the device's (see host_rewrite) */
  const char *action;      /* for reports */
  unsigned nact;
} fz_t;

static uint8_t take8(prog_t *g) { return g->i < g->n ? g->p[g->i++] : 0; }
static uint16_t take16(prog_t *g) { return (uint16_t)(take8(g) | take8(g) << 8); }
static uint32_t take32(prog_t *g) { return (uint32_t)take16(g) | (uint32_t)take16(g) << 16; }
static uint64_t take64(prog_t *g) { return (uint64_t)take32(g) | (uint64_t)take32(g) << 32; }

_Noreturn static void crash(fz_t *f, const char *fmt, const char *arg) {
  fprintf(stderr, "fuzz_tlp: action %u (%s), cycle %llu: ", f->nact, f->action,
          (unsigned long long)cosim_cycles(f->s));
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n");
  /* Everything the checkers said during this action, host-caused messages included: the
   * context of the crash. */
  for (unsigned i = 0; i < cosim_error_count(f->s); i++) {
    const char *e = cosim_error(f->s, i);
    if (e) fprintf(stderr, "  %s\n", e);
  }
  abort();
}

/* The text after "cycle N: ". */
static const char *error_text(const char *e) {
  const char *c = strstr(e, ": ");
  return c ? c + 2 : e;
}

static int starts(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Errors of the action just done: host-caused ones are dropped, anything else is a crash. */
static void check_errors(fz_t *f) {
  unsigned n = cosim_error_count(f->s);
  if (n == 0) return;
  int host_broke_something = 0;
  for (unsigned i = 0; i < n; i++) {
    const char *e = cosim_error(f->s, i);
    if (e && starts(error_text(e), "host: ")) host_broke_something = 1;
  }
  for (unsigned i = 0; i < n; i++) {
    const char *e = cosim_error(f->s, i);
    if (!e) continue;  /* beyond the kept ones: only the count survives */
    const char *t = error_text(e);
    if (starts(t, "host: ") || starts(t, "checker: ")) continue;
    /* The ring monitor reads the chains from host memory when it sees their used elements: once
     * the program has rewritten a chain the device may already hold (virtio forbids the driver
     * that), the monitor's view and the device's legitimately differ. */
    if (f->rewrote_in_flight && starts(t, "virtio monitor: ")) continue;
    if ((host_broke_something || f->timeout_ok) && starts(t, "root complex: completion timeout"))
      continue;
    crash(f, "%s", e);
  }
  cosim_clear_errors(f->s);
}

static void need(fz_t *f, int rc, const char *what) {
  if (rc == -ETIMEDOUT) {
    check_errors(f);  /* a timeout the host explained passes here ... */
    return;
  }
  if (rc < 0) crash(f, "%s failed", what);
}

static void cfg_wr(fz_t *f, unsigned off, unsigned size, uint32_t v) {
  need(f, cosim_cfg_write(f->s, EP_BDF, off, size, v, NULL), "configuration write");
}

static uint32_t cfg_rd(fz_t *f, unsigned off, unsigned size, int *timed_out) {
  uint32_t v = 0xFFFFFFFFu;
  int rc = cosim_cfg_read(f->s, EP_BDF, off, size, &v, NULL);
  if (timed_out) *timed_out = rc == -ETIMEDOUT;
  need(f, rc, "configuration read");
  return v;
}

static void bar_wr(fz_t *f, unsigned off, unsigned size, uint64_t v) {
  need(f, cosim_mem_write(f->s, BAR0_ADDR + off, size, v), "BAR0 write");
}

static uint64_t bar_rd(fz_t *f, unsigned off, unsigned size) {
  uint64_t v = ~0ull;
  need(f, cosim_mem_read(f->s, BAR0_ADDR + off, size, &v, NULL), "BAR0 read");
  return v;
}

static void hmem_put(fz_t *f, uint64_t addr, const void *src, size_t len) {
  if (cosim_hmem_write(f->m, addr, src, len)) crash(f, "%s", "host memory write failed");
}

/* BAR0 at BAR0_ADDR, memory space and bus mastering on, D0. */
static void setup_function(fz_t *f) {
  cfg_wr(f, VEP_CFG_BAR0, 4, (uint32_t)BAR0_ADDR);
  cfg_wr(f, VEP_CFG_BAR1, 4, (uint32_t)(BAR0_ADDR >> 32));
  cfg_wr(f, VEP_CAP_PM_OFF + VEP_PM_PMCSR, 2, 0);
  cfg_wr(f, VEP_CFG_COMMAND, 2, VEP_CMD_MEM_EN | VEP_CMD_BUS_MASTER);
}

static uint64_t alloc_exposed(fz_t *f, uint64_t size, unsigned perm) {
  uint64_t a = 0;
  if (cosim_hmem_alloc(f->m, size, 4096, 1, &a) || cosim_hmem_expose(f->m, a, size, perm))
    crash(f, "%s", "host memory allocation failed");
  return a;
}

/* The normal initialisation, by register writes: reset, ACKNOWLEDGE, DRIVER, features,
 * FEATURES_OK, queue 0 with the rings above, DRIVER_OK. The first byte chose features and the
 * queue size. */
static void bring_up(fz_t *f, uint8_t how) {
  f->desc = alloc_exposed(f, DESC_BYTES, COSIM_HMEM_DEV_READ);
  f->avail = alloc_exposed(f, AVAIL_BYTES, COSIM_HMEM_DEV_READ);
  f->used = alloc_exposed(f, USED_BYTES, COSIM_HMEM_DEV_WRITE);
  f->itab = alloc_exposed(f, ITAB_BYTES, COSIM_HMEM_DEV_READ);
  f->rbuf = alloc_exposed(f, RBUF_BYTES, COSIM_HMEM_DEV_READ);
  f->wbuf = alloc_exposed(f, WBUF_BYTES, COSIM_HMEM_DEV_WRITE);
  f->qsize = (uint16_t)(1u << ((how >> 1) % 6));   /* 1..32 */
  uint64_t feat = 1ull << VEP_F_VERSION_1;
  if (how & 0x40) feat |= 1ull << VEP_F_INDIRECT_DESC;
  if (how & 0x80) feat |= 1ull << VEP_F_EVENT_IDX;
  setup_function(f);
  bar_wr(f, VEP_BAR_COMMON_OFF + VEP_COMMON_STATUS, 1, 0);
  bar_wr(f, VEP_BAR_COMMON_OFF + VEP_COMMON_STATUS, 1, VEP_STATUS_ACKNOWLEDGE);
  uint8_t st = VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER;
  bar_wr(f, VEP_BAR_COMMON_OFF + VEP_COMMON_STATUS, 1, st);
  for (unsigned sel = 0; sel < 2; sel++) {
    bar_wr(f, VEP_BAR_COMMON_OFF + VEP_COMMON_GFSELECT, 4, sel);
    bar_wr(f, VEP_BAR_COMMON_OFF + VEP_COMMON_GF, 4, (uint32_t)(feat >> (32 * sel)));
  }
  st |= VEP_STATUS_FEATURES_OK;
  bar_wr(f, VEP_BAR_COMMON_OFF + VEP_COMMON_STATUS, 1, st);
  bar_wr(f, VEP_BAR_COMMON_OFF + VEP_COMMON_Q_SELECT, 2, 0);
  bar_wr(f, VEP_BAR_COMMON_OFF + VEP_COMMON_Q_SIZE, 2, f->qsize);
  bar_wr(f, VEP_BAR_COMMON_OFF + VEP_COMMON_Q_DESCLO, 8, f->desc);
  bar_wr(f, VEP_BAR_COMMON_OFF + VEP_COMMON_Q_AVAILLO, 8, f->avail);
  bar_wr(f, VEP_BAR_COMMON_OFF + VEP_COMMON_Q_USEDLO, 8, f->used);
  bar_wr(f, VEP_BAR_COMMON_OFF + VEP_COMMON_Q_ENABLE, 2, 1);
  bar_wr(f, VEP_BAR_COMMON_OFF + VEP_COMMON_STATUS, 1, st | VEP_STATUS_DRIVER_OK);
  f->up = 1;
  f->avail_idx = 0;
}

/* A buffer address and length inside the region the flags make legal: an indirect table for
 * INDIRECT, device-writable data for WRITE, device-readable data otherwise. */
static void place(fz_t *f, prog_t *g, uint16_t flags, uint64_t *addr, uint32_t *len) {
  uint64_t base = f->rbuf;
  uint32_t size = RBUF_BYTES;
  /* INDIRECT first: the device ignores WRITE on a descriptor that refers to an indirect table
   * and reads the table (virtio 2.7.5.3.2). */
  if (flags & VEP_VRING_DESC_F_INDIRECT) {
    base = f->itab;
    size = ITAB_BYTES;
  } else if (flags & VEP_VRING_DESC_F_WRITE) {
    base = f->wbuf;
    size = WBUF_BYTES;
  }
  uint32_t l = take16(g);
  if (l > size) l %= size + 1;
  uint32_t off = take16(g) % (size - l + 1);
  *addr = base + off;
  *len = l;
}

/* The program is about to write ring memory (a descriptor, an indirect table entry, an avail
 * entry): if a published chain may still be the device's (used.idx short of what was published),
 * that breaks the driver's side of the ring, and the ring monitor's complaints become
 * host-caused (check_errors). */
static void host_rewrite(fz_t *f) {
  uint16_t used_idx = 0;
  cosim_hmem_read(f->m, f->used + 2u, &used_idx, 2);
  if (used_idx != f->avail_idx) f->rewrote_in_flight = 1;
}

/* A descriptor at `at`: flags, next and a placement from the program. */
static void put_desc(fz_t *f, prog_t *g, uint64_t at) {
  uint16_t flags = take8(g) & 7u;
  uint16_t next = take16(g);
  uint64_t addr;
  uint32_t len;
  place(f, g, flags, &addr, &len);
  uint8_t d[16];
  host_rewrite(f);
  memcpy(d, &addr, 8);
  memcpy(d + 8, &len, 4);
  memcpy(d + 12, &flags, 2);
  memcpy(d + 14, &next, 2);
  hmem_put(f, at, d, sizeof d);
}

/* A hand-built request through the root complex: any type, fields from the program. */
static void send_built(fz_t *f, prog_t *g) {
  static const uint8_t types[] = {
      VEP_TLP_MRD32, VEP_TLP_MRD64, VEP_TLP_MRDLK32, VEP_TLP_MWR32, VEP_TLP_MWR64,
      VEP_TLP_IORD,  VEP_TLP_IOWR,  VEP_TLP_CFGRD0,  VEP_TLP_CFGWR0, VEP_TLP_CFGRD1,
      VEP_TLP_CFGWR1, VEP_TLP_MSG_LOCAL, VEP_TLP_CPL, VEP_TLP_CPLD};
  static cosim_tlp_t req, cpl;
  memset(&req, 0, offsetof(cosim_tlp_t, data));
  uint8_t sel = take8(g);
  /* Without `lawless`, the fields obey the rules of the type (so the device must answer a
   * non-posted request); with it, anything goes and the device may rightly drop the request. */
  int lawless = take8(g) < 0x40;
  req.fmt_type = types[sel % sizeof types];
  req.tc = sel & 0x80 ? take8(g) & 7u : 0;
  req.attr = sel & 0x40 ? take8(g) & 7u : 0;
  req.len_dw = (uint16_t)(1u + take8(g) % 8u);
  req.req_id = COSIM_RC_ID;
  req.tag = 0x100u + (f->tag++ % 0x100u);
  uint8_t be = take8(g);
  req.first_be = be & 0xF;
  req.last_be = be >> 4;
  uint16_t off = take16(g);
  req.addr = (sel & 0x20 ? BAR0_ADDR32 : BAR0_ADDR) + ((off % VEP_BAR0_SIZE) & ~3u);
  if (req.fmt_type == VEP_TLP_MRD32 || req.fmt_type == VEP_TLP_MWR32 ||
      req.fmt_type == VEP_TLP_MRDLK32 || req.fmt_type == VEP_TLP_IORD ||
      req.fmt_type == VEP_TLP_IOWR)
    req.addr &= 0xFFFFFFFCull;
  req.cfg_bdf = sel & 0x10 ? take16(g) : EP_BDF;
  req.cfg_reg = off & 0xFFCu;
  req.msg_code = take8(g);
  req.cpl_id = COSIM_RC_ID;
  cosim_tlp_kind_t kind = cosim_tlp_kind(req.fmt_type);
  if (!lawless && kind != COSIM_TLP_KIND_MRD && kind != COSIM_TLP_KIND_MWR) {
    /* I/O, configuration, locked reads, messages, completions: one DW, TC 0, no attributes,
     * Last DW BE 0 (PCIe 2.2.7, 2.2.5). */
    req.len_dw = 1;
    req.tc = req.attr = 0;
    req.last_be = 0;
    if (!req.first_be) req.first_be = 0xF;
  } else if (!lawless) {
    /* Memory requests: inside one 4 KiB page, legal byte enables. */
    req.addr &= ~0xFFFull | 0xF00ull;
    if (req.len_dw == 1) {
      req.last_be = 0;
    } else {
      req.first_be = 0xF;
      req.last_be = 0xF;
    }
  }
  if (cosim_tlp_has_data(req.fmt_type)) {
    req.ndata = req.len_dw;
    for (unsigned i = 0; i < req.ndata; i++) req.data[i] = take32(g);
  }
  int rc = cosim_send_tlp(f->s, &req, &cpl);
  if (rc == -ETIMEDOUT) {
    f->timeout_ok = lawless;  /* the device may rightly drop what breaks the rules */
    check_errors(f);
    f->timeout_ok = 0;
    return;
  }
  if (rc < 0 && rc != -EINVAL && rc != -EBUSY) crash(f, "%s", "cosim_send_tlp failed");
}

static void send_raw(fz_t *f, prog_t *g) {
  uint32_t dws[16];
  unsigned n = 1u + take8(g) % 16u;
  for (unsigned i = 0; i < n; i++) dws[i] = take32(g);
  if (cosim_send_raw(f->s, dws, n)) crash(f, "%s", "cosim_send_raw failed");
  cosim_run(f->s, RAW_DRAIN);
  check_errors(f);
}

/* One action; the opcode's low bits choose it. */
static void action(fz_t *f, prog_t *g) {
  uint8_t op = take8(g);
  switch (op % 16u) {
  case 0: {
    f->action = "configuration read";
    static const unsigned sz[] = {1, 2, 4, 4};
    unsigned size = sz[(op >> 4) & 3];
    cfg_rd(f, take16(g) & 0xFFFu & ~(size - 1), size, NULL);
    break;
  }
  case 1: {
    f->action = "configuration write";
    static const unsigned sz[] = {1, 2, 4, 4};
    unsigned size = sz[(op >> 4) & 3];
    unsigned off = take16(g) & 0xFFFu & ~(size - 1);
    cfg_wr(f, off, size, take32(g));
    break;
  }
  case 2: {
    f->action = "BAR0 read";
    unsigned size = 1u << ((op >> 4) & 3);
    bar_rd(f, take16(g) % VEP_BAR0_SIZE & ~(size - 1), size);
    break;
  }
  case 3: {
    f->action = "BAR0 write";
    unsigned size = 1u << ((op >> 4) & 3);
    unsigned off = take16(g) % VEP_BAR0_SIZE & ~(size - 1);
    bar_wr(f, off, size, take64(g));
    break;
  }
  case 4:
    f->action = "hand-built TLP";
    send_built(f, g);
    break;
  case 5:
    f->action = "raw TLP";
    send_raw(f, g);
    break;
  case 6:
    f->action = "run";
    cosim_run(f->s, 1u + take16(g) % RUN_MAX);
    break;
  case 7:
    f->action = "virtio reset";
    bar_wr(f, VEP_BAR_COMMON_OFF + VEP_COMMON_STATUS, 1, 0);
    break;
  case 8:
    f->action = "doorbell";
    bar_wr(f, VEP_BAR_NOTIFY_OFF + VEP_NOTIFY_MULTIPLIER * ((op >> 4) % 5u),
           op & 0x80 ? 4 : 2, op & 0x40 ? take32(g) : (op >> 4) % 5u);
    break;
  default:
    if (!f->up) {
      cosim_run(f->s, 1u + op);
      break;
    }
    switch (op % 16u) {
    case 9:
      f->action = "descriptor";
      put_desc(f, g, f->desc + 16u * (take8(g) % f->qsize));
      break;
    case 10:
      f->action = "indirect table entry";
      put_desc(f, g, f->itab + 16u * (take8(g) % (ITAB_BYTES / 16u)));
      break;
    case 11: {
      f->action = "avail entry";
      uint16_t slot = take8(g) % f->qsize;
      uint16_t id = take16(g);
      if (!(op & 0x80)) id %= f->qsize;
      host_rewrite(f);
      hmem_put(f, f->avail + 4u + 2u * slot, &id, 2);
      break;
    }
    case 12: {
      f->action = "avail idx";
      if (op & 0x80)
        f->avail_idx = take16(g);
      else
        f->avail_idx = (uint16_t)(f->avail_idx + 1u + take8(g) % f->qsize);
      hmem_put(f, f->avail + 2u, &f->avail_idx, 2);
      break;
    }
    case 13: {
      f->action = "avail flags / used_event";
      uint16_t v = take16(g);
      hmem_put(f, op & 0x80 ? f->avail + 4u + 2u * f->qsize : f->avail, &v, 2);
      break;
    }
    case 14: {
      f->action = "buffer bytes";
      uint8_t b[32];
      unsigned n = 1u + take8(g) % 32u;
      for (unsigned i = 0; i < n; i++) b[i] = take8(g);
      hmem_put(f, f->rbuf + take16(g) % (RBUF_BYTES - n + 1), b, n);
      break;
    }
    case 15: {
      /* The common case made short: a blk request header at the start of a readable buffer,
       * a three-descriptor chain at slot 0..2 (header, data, status), published and rung. */
      f->action = "blk request";
      uint8_t hdr[16] = {0};
      uint32_t type = take8(g) % 10u;
      uint64_t sector = take8(g);
      memcpy(hdr, &type, 4);
      memcpy(hdr + 8, &sector, 8);
      uint16_t head = take8(g) % f->qsize;
      hmem_put(f, f->rbuf, hdr, 16);
      uint16_t d1 = (uint16_t)((head + 1u) % f->qsize), d2 = (uint16_t)((head + 2u) % f->qsize);
      uint32_t dlen = 512u * (take8(g) % 4u);
      uint16_t dflags = type == VEP_BLK_T_OUT ? 0 : VEP_VRING_DESC_F_WRITE;
      uint64_t daddr = dflags ? f->wbuf + 512u : f->rbuf + 512u;
      struct {
        uint64_t a;
        uint32_t l;
        uint16_t fl, nx;
      } d[3] = {{f->rbuf, 16, VEP_VRING_DESC_F_NEXT, d1},
                {daddr, dlen, (uint16_t)(dflags | VEP_VRING_DESC_F_NEXT), d2},
                {f->wbuf, 1, VEP_VRING_DESC_F_WRITE, 0}};
      _Static_assert(sizeof d[0] == 16, "descriptor layout");
      host_rewrite(f);
      hmem_put(f, f->desc + 16u * head, &d[0], 16);
      hmem_put(f, f->desc + 16u * d1, &d[1], 16);
      hmem_put(f, f->desc + 16u * d2, &d[2], 16);
      hmem_put(f, f->avail + 4u + 2u * (f->avail_idx % f->qsize), &head, 2);
      f->avail_idx++;
      hmem_put(f, f->avail + 2u, &f->avail_idx, 2);
      bar_wr(f, VEP_BAR_NOTIFY_OFF, 2, 0);
      break;
    }
    }
  }
}

/* After the program: the function answers, and a virtio reset completes. */
static void final_check(fz_t *f) {
  f->action = "closing reset";
  uint64_t start = cosim_cycles(f->s);
  setup_function(f);
  bar_wr(f, VEP_BAR_COMMON_OFF + VEP_COMMON_STATUS, 1, 0);
  unsigned polls = 0;
  uint64_t st;
  while ((st = bar_rd(f, VEP_BAR_COMMON_OFF + VEP_COMMON_STATUS, 1)) != 0) {
    if (++polls < RESET_POLLS) continue;
    char v[64];
    snprintf(v, sizeof v, "0x%llx", (unsigned long long)st);
    crash(f, "device_status reads %s, not 0, long after a reset", v);
  }
  int timed_out = 0;
  uint32_t vid = cfg_rd(f, VEP_CFG_VENDOR_ID, 2, &timed_out);
  check_errors(f);
  if (timed_out || vid != VEP_PCI_VENDOR_ID)
    crash(f, "%s", "the Vendor ID read was not answered with the virtio vendor");
  if (cosim_cycles(f->s) - start > FINAL_CYCLES)
    crash(f, "%s", "the closing reset took longer than FINAL_CYCLES");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cosim_cfg_t cfg;
  cosim_cfg_default(&cfg);
  cfg.dut = COSIM_DUT_CMODEL;
  cfg.cpl_timeout = CPL_TIMEOUT;
  cfg.blk_capacity = 64;  /* small disk: fuzzed sectors land inside and outside it */
  /* VEP_FUZZ_TLP_LOG=FILE: every TLP of the run with its virtio meaning, to read a finding. */
  cfg.tlp_log_path = getenv("VEP_FUZZ_TLP_LOG");
  prog_t g = {data, size, 0};
  /* VEP_FUZZ_TRACE=1: one line per action, to read a finding. */
  static int trace = -1;
  if (trace < 0) trace = getenv("VEP_FUZZ_TRACE") != NULL;
  uint8_t how = take8(&g);
  cfg.link_latency_rx = 1u + (how & 1u) * 7u;
  cfg.link_latency_tx = cfg.link_latency_rx;
  fz_t f = {0};
  f.action = "create";
  if (cosim_create(&cfg, &f.s)) abort();
  f.m = cosim_host_mem(f.s);
  cosim_run(f.s, 16);
  f.action = "bring-up";
  if (how & 0x20) bring_up(&f, how);
  check_errors(&f);
  for (f.nact = 1; g.i < g.n && f.nact <= MAX_ACTIONS && cosim_cycles(f.s) < BUDGET_CYCLES;
       f.nact++) {
    uint64_t before = cosim_cycles(f.s);
    size_t at = g.i;
    action(&f, &g);
    if (trace)
      fprintf(stderr, "fuzz_tlp: action %u (%s), input bytes %zu..%zu, cycles %llu..%llu\n",
              f.nact, f.action, at, g.i - 1, (unsigned long long)before,
              (unsigned long long)cosim_cycles(f.s));
    check_errors(&f);
    if (cosim_cycles(f.s) - before > ACTION_MAX_CYCLES)
      crash(&f, "%s", "the action took more than ACTION_MAX_CYCLES cycles");
  }
  final_check(&f);
  cosim_destroy(f.s);
  return 0;
}
