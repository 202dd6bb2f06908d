/* SPDX-License-Identifier: Apache-2.0 */
/* The test API of tb.h: registry, checks, PRNG, register access helpers, fixtures. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tb.h"

/* ---- Registry ---- */
static tb_test_t *g_tests;
static size_t g_ntests;

void tb_register(tb_test_t *test) {
  test->next = g_tests;
  g_tests = test;
  g_ntests++;
}

static int cmp_test(const void *a, const void *b) {
  const tb_test_t *const *ta = a;
  const tb_test_t *const *tb = b;
  return strcmp((*ta)->name, (*tb)->name);
}

const tb_test_t *const *tb_tests_sorted(size_t *n) {
  static const tb_test_t **sorted;
  if (!sorted) {
    /* Static: the registry lives as long as the process, and nothing is left to free. */
    static const tb_test_t *storage[512];
    if (g_ntests > sizeof storage / sizeof storage[0]) {
      fprintf(stderr, "vepsim: more than %zu tests registered\n",
              sizeof storage / sizeof storage[0]);
      abort();
    }
    size_t i = 0;
    for (const tb_test_t *p = g_tests; p; p = p->next) storage[i++] = p;
    qsort(storage, g_ntests, sizeof storage[0], cmp_test);
    sorted = storage;
  }
  *n = g_ntests;
  return sorted;
}

/* ---- PRNG ---- */
static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void tb_rng_seed(tb_rng_t *r, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t tb_rand64(tb_rng_t *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t tt = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= tt;
  s[3] = rotl(s[3], 45);
  return result;
}

uint32_t tb_rand32(tb_rng_t *r) { return (uint32_t)(tb_rand64(r) >> 32); }

uint32_t tb_rand_below(tb_rng_t *r, uint32_t n) {
  /* Multiply-shift: bias below 2^-32, irrelevant for test stimulus. */
  return (uint32_t)(((uint64_t)tb_rand32(r) * n) >> 32);
}

/* ---- Checks ---- */
static void vrecord(tb_t *t, const char *file, int line, const char *prefix, const char *fmt,
                    va_list ap) {
  t->nfail++;
  if (t->nmsg >= TB_MAX_MSGS) return;
  char *m = t->msg[t->nmsg++];
  const char *base = strrchr(file, '/');
  int n = snprintf(m, TB_MSG_LEN, "%s:%d: %s", base ? base + 1 : file, line, prefix ? prefix : "");
  if (n < 0) n = 0;
  if (fmt && (size_t)n < TB_MSG_LEN) vsnprintf(m + n, TB_MSG_LEN - (size_t)n, fmt, ap);
}

void tb_fail(tb_t *t, const char *file, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vrecord(t, file, line, NULL, fmt, ap);
  va_end(ap);
}

void tb_fail_cond(tb_t *t, const char *file, int line, const char *cond, const char *fmt, ...) {
  char prefix[160];
  snprintf(prefix, sizeof prefix, "check (%s) failed: ", cond);
  va_list ap;
  va_start(ap, fmt);
  vrecord(t, file, line, prefix, fmt, ap);
  va_end(ap);
}

int tb_check_eq(tb_t *t, const char *file, int line, const char *sa, const char *sb, uint64_t a,
                uint64_t b, const char *fmt, ...) {
  if (a == b) return 1;
  char prefix[256];
  snprintf(prefix, sizeof prefix, "%s == %s failed: 0x%llx != 0x%llx%s", sa, sb,
           (unsigned long long)a, (unsigned long long)b, fmt ? " (" : "");
  va_list ap;
  va_start(ap, fmt);
  char ctx[128] = "";
  if (fmt) {
    vsnprintf(ctx, sizeof ctx - 1, fmt, ap);
    strcat(ctx, ")");
  }
  va_end(ap);
  tb_fail(t, file, line, "%s%s", prefix, ctx);
  return 0;
}

_Noreturn void tb_abort(tb_t *t) { longjmp(t->abort_to, 1); }

/* ---- Access helpers ---- */
static const char *cpl_status_name(unsigned st) {
  switch (st) {
    case VEP_CPL_SC: return "SC";
    case VEP_CPL_UR: return "UR";
    case VEP_CPL_CRS: return "CRS";
    case VEP_CPL_CA: return "CA";
    default: return "reserved";
  }
}

void tb_check_diverged(tb_t *t) {
  if (!cosim_diverged(t->sim)) return;
  /* The runner prints the mismatch report from cosim's error list. */
  tb_abort(t);
}

/* Stops the test on a bus-level failure: no answer, or lockstep lost. */
static void io_result(tb_t *t, const char *file, int line, int rc, const char *what) {
  tb_check_diverged(t);
  if (rc < 0) {
    tb_fail(t, file, line, "%s: %s", what, strerror(-rc));
    tb_abort(t);
  }
}

uint32_t tb_cfg_rd_st_at(tb_t *t, const char *file, int line, unsigned off, unsigned size,
                         unsigned *status) {
  uint32_t val = 0;
  unsigned st = 0;
  char what[64];
  snprintf(what, sizeof what, "CfgRd0 0x%03x size %u", off, size);
  int rc = cosim_cfg_read(t->sim, t->bdf, off, size, &val, &st);
  io_result(t, file, line, rc, what);
  if (status) *status = st;
  return val;
}

uint32_t tb_cfg_rd_at(tb_t *t, const char *file, int line, unsigned off, unsigned size) {
  unsigned st;
  uint32_t v = tb_cfg_rd_st_at(t, file, line, off, size, &st);
  if (st != VEP_CPL_SC)
    tb_fail(t, file, line, "CfgRd0 0x%03x size %u: completion status %s", off, size,
            cpl_status_name(st));
  return v;
}

unsigned tb_cfg_wr_st_at(tb_t *t, const char *file, int line, unsigned off, unsigned size,
                         uint32_t val) {
  unsigned st = 0;
  char what[64];
  snprintf(what, sizeof what, "CfgWr0 0x%03x size %u", off, size);
  int rc = cosim_cfg_write(t->sim, t->bdf, off, size, val, &st);
  io_result(t, file, line, rc, what);
  return st;
}

void tb_cfg_wr_at(tb_t *t, const char *file, int line, unsigned off, unsigned size,
                  uint32_t val) {
  unsigned st = tb_cfg_wr_st_at(t, file, line, off, size, val);
  if (st != VEP_CPL_SC)
    tb_fail(t, file, line, "CfgWr0 0x%03x size %u: completion status %s", off, size,
            cpl_status_name(st));
}

uint64_t tb_mem_rd_st_at(tb_t *t, const char *file, int line, uint64_t addr, unsigned size,
                         unsigned *status) {
  uint64_t val = 0;
  unsigned st = 0;
  char what[64];
  snprintf(what, sizeof what, "MRd 0x%llx size %u", (unsigned long long)addr, size);
  int rc = cosim_mem_read(t->sim, addr, size, &val, &st);
  io_result(t, file, line, rc, what);
  if (status) *status = st;
  return val;
}

static void require_bar0(tb_t *t, const char *file, int line) {
  if (t->bar0) return;
  tb_fail(t, file, line, "BAR0 access before tb_setup_bar0/tb_bringup");
  tb_abort(t);
}

uint64_t tb_bar_rd_at(tb_t *t, const char *file, int line, unsigned off, unsigned size) {
  require_bar0(t, file, line);
  unsigned st;
  uint64_t v = tb_mem_rd_st_at(t, file, line, t->bar0 + off, size, &st);
  if (st != VEP_CPL_SC)
    tb_fail(t, file, line, "MRd BAR0+0x%04x size %u: completion status %s", off, size,
            cpl_status_name(st));
  return v;
}

void tb_bar_wr_at(tb_t *t, const char *file, int line, unsigned off, unsigned size,
                  uint64_t val) {
  require_bar0(t, file, line);
  char what[64];
  snprintf(what, sizeof what, "MWr BAR0+0x%04x size %u", off, size);
  int rc = cosim_mem_write(t->sim, t->bar0 + off, size, val);
  io_result(t, file, line, rc, what);
}

int tb_send_tlp_at(tb_t *t, const char *file, int line, const cosim_tlp_t *req,
                   cosim_tlp_t *cpl) {
  char what[160];
  char txt[128];
  cosim_tlp_format(req, txt, sizeof txt);
  snprintf(what, sizeof what, "sending %s", txt);
  int rc = cosim_send_tlp(t->sim, req, cpl);
  io_result(t, file, line, rc, what);
  return rc;
}

void tb_run(tb_t *t, uint64_t n) {
  cosim_run(t->sim, n);
  tb_check_diverged(t);
}

int tb_drv_at(tb_t *t, const char *file, int line, const char *what, int rc) {
  tb_check_diverged(t);
  if (rc < 0) {
    tb_fail(t, file, line, "%s: %s", what, strerror(-rc));
    tb_abort(t);
  }
  return rc;
}

/* ---- Fixtures ---- */
void tb_setup_bar0(tb_t *t) { tb_setup_bar0_at(t, TB_BAR0_ADDR); }

void tb_bringup(tb_t *t, vdrv_pci_dev_t *dev, vdrv_vpci_t *vpci) {
  TB_DRV(t, cosim_drvbus_init(&t->bus, t->sim));
  vdrv_pci_dev_t devs[4];
  unsigned found = 0;
  TB_DRV(t, vdrv_pci_enumerate(&t->bus, devs, 4, &found));
  int idx = -1;
  for (unsigned i = 0; i < found; i++)
    if (devs[i].bdf == TB_EP_BDF) idx = (int)i;
  TB_REQUIRE(t, idx >= 0, "endpoint not found at %02x:%02x.%x (%u functions found)",
             TB_EP_BDF >> 8, (TB_EP_BDF >> 3) & 0x1F, TB_EP_BDF & 7, found);
  TB_REQUIRE(t, found == 1, "enumeration found %u functions, expected only the endpoint", found);
  *dev = devs[idx];
  TB_REQUIRE(t, dev->vendor_id == VEP_PCI_VENDOR_ID, "vendor 0x%04x", dev->vendor_id);
  /* Without the 32-bit window, the driver places BAR0 (64-bit, non-prefetchable) in the 64-bit
   * window above 4 GiB. */
  if (t->bar0_above_4g) t->bus.mmio32_window_base = t->bus.mmio32_window_size = 0;
  uint64_t next = t->bus.mmio_window_base, next32 = t->bus.mmio32_window_base;
  TB_DRV(t, vdrv_pci_assign_bars(dev, &next, &next32));
  TB_DRV(t, vdrv_pci_enable(dev));
  TB_DRV(t, vdrv_vpci_probe(vpci, dev));
  TB_REQUIRE(t, dev->bar[0].addr != 0, "BAR0 not assigned");
  t->bar0 = dev->bar[0].addr;
}

void tb_setup_bar0_at(tb_t *t, uint64_t addr) {
  /* A 64-bit BAR: low half in BAR0, high half in BAR1. */
  tb_cfg_wr(t, VEP_CFG_BAR0, 4, (uint32_t)addr);
  tb_cfg_wr(t, VEP_CFG_BAR1, 4, (uint32_t)(addr >> 32));
  tb_cfg_wr(t, VEP_CFG_COMMAND, 2, VEP_CMD_MEM_EN | VEP_CMD_BUS_MASTER);
  uint32_t lo = tb_cfg_rd(t, VEP_CFG_BAR0, 4);
  uint32_t hi = tb_cfg_rd(t, VEP_CFG_BAR1, 4);
  uint64_t got = ((uint64_t)hi << 32) | (lo & ~0xFu);
  TB_REQUIRE(t, got == addr, "BAR0 reads back 0x%llx after writing 0x%llx",
             (unsigned long long)got, (unsigned long long)addr);
  t->bar0 = addr;
}

/* ---- MSI-X ---- */
static void msi_record(void *ctx, uint64_t addr, uint32_t data) {
  tb_t *t = ctx;
  if (t->nmsi < TB_MSI_LOG_MAX) {
    tb_msi_t *m = &t->msi[t->nmsi];
    m->addr = addr;
    m->data = data;
    m->cycle = cosim_cycles(t->sim);
  }
  t->nmsi++;
}

void tb_msi_install(tb_t *t) { cosim_set_msi_handler(t->sim, msi_record, t); }

void tb_msi_clear(tb_t *t) { t->nmsi = 0; }

unsigned tb_msi_wait(tb_t *t, unsigned n, uint64_t max_cycles) {
  uint64_t start = cosim_cycles(t->sim);
  while (t->nmsi < n && cosim_cycles(t->sim) - start < max_cycles) tb_run(t, 4);
  return t->nmsi;
}

void tb_msix_entry_program(tb_t *t, unsigned i, int masked) {
  unsigned e = VEP_BAR_MSIX_TABLE_OFF + VEP_MSIX_ENTRY_SIZE * i;
  /* Masked while address and data change, as a driver must. */
  tb_bar_wr(t, e + VDRV_MSIX_ENTRY_CTRL, 4, VEP_MSIX_VECTOR_MASKED);
  tb_bar_wr(t, e + VDRV_MSIX_ENTRY_ADDR_LO, 4, (uint32_t)TB_MSI_ADDR(i));
  tb_bar_wr(t, e + VDRV_MSIX_ENTRY_ADDR_HI, 4, (uint32_t)(TB_MSI_ADDR(i) >> 32));
  tb_bar_wr(t, e + VDRV_MSIX_ENTRY_DATA, 4, TB_MSI_DATA(i));
  tb_bar_wr(t, e + VDRV_MSIX_ENTRY_CTRL, 4, masked ? VEP_MSIX_VECTOR_MASKED : 0);
}

void tb_msix_ctl(tb_t *t, int enable, int fmask) {
  tb_cfg_wr(t, VEP_CAP_MSIX_OFF + VEP_MSIX_MSGCTL, 2,
            (enable ? VEP_MSIX_CTL_ENABLE : 0u) | (fmask ? VEP_MSIX_CTL_FMASK : 0u));
}

/* ---- virtio helpers ---- */
void tb_status_wr(tb_t *t, uint8_t status) {
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_STATUS), 1, status);
}

uint8_t tb_status_rd(tb_t *t) { return (uint8_t)tb_bar_rd(t, TB_COMMON(VEP_COMMON_STATUS), 1); }

void tb_virtio_reset(tb_t *t) {
  tb_status_wr(t, 0);
  for (int i = 0; i < 100; i++)
    if (tb_status_rd(t) == 0) return;
  tb_fail(t, __FILE__, __LINE__, "device_status did not read 0 after a reset (100 polls)");
  tb_abort(t);
}

void tb_virtio_init(tb_t *t, uint64_t features, int driver_ok) {
  tb_virtio_reset(t);
  tb_status_wr(t, VEP_STATUS_ACKNOWLEDGE);
  tb_status_wr(t, VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER);
  for (unsigned sel = 0; sel < 2; sel++) {
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_GFSELECT), 4, sel);
    tb_bar_wr(t, TB_COMMON(VEP_COMMON_GF), 4, (uint32_t)(features >> (32 * sel)));
  }
  uint8_t s = VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER | VEP_STATUS_FEATURES_OK;
  tb_status_wr(t, s);
  uint8_t got = tb_status_rd(t);
  TB_REQUIRE(t, got == s, "status 0x%02x after FEATURES_OK with features 0x%llx", got,
             (unsigned long long)features);
  if (!driver_ok) return;
  s |= VEP_STATUS_DRIVER_OK;
  tb_status_wr(t, s);
  got = tb_status_rd(t);
  TB_REQUIRE(t, got == s, "status 0x%02x after DRIVER_OK", got);
}

void tb_temp_path(tb_t *t, char *path, size_t len, const char *what) {
  snprintf(path, len, "/tmp/vepsim-%s-XXXXXX", what);
  int fd = mkstemp(path);
  TB_REQUIRE(t, fd >= 0, "mkstemp %s: %s", path, strerror(errno));
  close(fd);
}

FILE *tb_tlp_log_end(tb_t *t, const char *path) {
  cosim_cfg_t plain = t->cfg;
  plain.tlp_log_path = NULL;
  tb_reconfigure(t, &plain);
  FILE *in = fopen(path, "r");
  TB_REQUIRE(t, in != NULL, "open %s: %s", path, strerror(errno));
  return in;
}

void tb_reconfigure(tb_t *t, const cosim_cfg_t *cfg) {
  unsigned n = cosim_error_count(t->sim);
  for (unsigned i = 0; i < n; i++) {
    const char *e = cosim_error(t->sim, i);
    tb_fail(t, __FILE__, __LINE__, "before reconfiguring: %s", e ? e : "(error text lost)");
  }
  if (cosim_diverged(t->sim)) tb_abort(t);
  cosim_t *s = NULL;
  cosim_cfg_t c = *cfg;
  c.repro = t->cfg.repro;
  c.trace_path = t->cfg.trace_path;
  int rc = cosim_create(&c, &s);
  if (rc < 0) {
    tb_fail(t, __FILE__, __LINE__, "cosim_create: %s", strerror(-rc));
    tb_abort(t);
  }
  cosim_destroy(t->sim);
  t->sim = s;
  t->cfg = c;
  t->bar0 = 0;
  tb_msi_install(t);
}

int tb_error_mentions(tb_t *t, const char *text) {
  unsigned n = cosim_error_count(t->sim);
  for (unsigned i = 0; i < n; i++) {
    const char *e = cosim_error(t->sim, i);
    if (e && strstr(e, text)) return 1;
  }
  return 0;
}
