/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The regression runner's test API: registration, checks, random numbers, register access
 * through the simulated root complex, and fixtures.
 *
 * A test is a function of one tb_t, registered with TB_TEST:
 *
 *   TB_TEST(cfg_header, "Vendor/Device/Revision/Class/Subsystem IDs") {
 *     tb_setup_bar0(t);
 *     TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_VENDOR_ID, 2), VEP_PCI_VENDOR_ID);
 *   }
 *
 * The runner gives each test a fresh cosim_t (t->sim) and a PRNG (t->rng) seeded from the
 * printed seed and the test's name, so a test draws the same numbers whatever else runs with it
 * (sharding and --test selection do not change what a seed means). Checks record a message and
 * let the test go on; TB_REQUIRE and the access helpers stop the test (longjmp back to the
 * runner) when going on makes no sense: a failed precondition, a completion timeout, a lockstep
 * divergence. So tests hold no heap memory of their own across checks.
 */
#ifndef TB_H
#define TB_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cosim.h"
#include "cosim_drvbus.h"
#include "vdrv_bus.h"
#include "vdrv_pci.h"
#include "vdrv_vpci.h"
#include "vep_consts.h"

/* ---- Registration ---- */
typedef struct tb tb_t;
typedef void (*tb_fn_t)(tb_t *t);

typedef struct tb_test {
  const char *name;
  const char *desc;
  tb_fn_t fn;
  const char *file;
  struct tb_test *next;
} tb_test_t;

/* Adds a test to the registry (called by the constructors TB_TEST generates). */
void tb_register(tb_test_t *test);
/* The registered tests sorted by name; *n gets the count. The array lives until exit. */
const tb_test_t *const *tb_tests_sorted(size_t *n);

/* Defines and registers test `id` (a C identifier, also its name on the command line). The
 * constructor runs before main, so a test file needs no central table entry. */
#define TB_TEST(id, description)                                                     \
  static void tb_fn_##id(tb_t *t);                                                 \
  static tb_test_t tb_test_##id = {#id, description, tb_fn_##id, __FILE__, NULL};  \
  __attribute__((constructor)) static void tb_register_##id(void) {                \
    tb_register(&tb_test_##id);                                                    \
  }                                                                                \
  static void tb_fn_##id(tb_t *t)

/* ---- Random numbers: xoshiro256**, seeded through splitmix64 ---- */
typedef struct tb_rng {
  uint64_t s[4];
} tb_rng_t;

void tb_rng_seed(tb_rng_t *r, uint64_t seed);
uint64_t tb_rand64(tb_rng_t *r);
uint32_t tb_rand32(tb_rng_t *r);
/* Uniform in [0, n); n > 0. */
uint32_t tb_rand_below(tb_rng_t *r, uint32_t n);

/* ---- MSI-X messages the root complex delivered ---- */
#define TB_MSI_LOG_MAX 64

typedef struct tb_msi {
  uint64_t addr;
  uint32_t data;
  uint64_t cycle;
} tb_msi_t;

/* ---- The test context ---- */
#define TB_MAX_MSGS 5
#define TB_MSG_LEN 320

struct tb {
  const tb_test_t *test;
  cosim_t *sim;
  cosim_cfg_t cfg;          /* what sim was created from */
  tb_rng_t rng;
  unsigned nfail;           /* failed checks (messages beyond TB_MAX_MSGS are counted only) */
  unsigned nmsg;
  char msg[TB_MAX_MSGS][TB_MSG_LEN];
  jmp_buf abort_to;         /* tb_abort jumps here */
  /* Set by tb_setup_bar0 / tb_bringup: */
  uint16_t bdf;             /* the endpoint's bus/device/function */
  uint64_t bar0;            /* BAR0 bus address (0 until assigned) */
  vdrv_bus_t bus;           /* the driver's bus over sim (tb_bringup) */
  /* Set by a test before tb_bringup: BAR0 above 4 GiB (4DW MRd/MWr) rather than in the 32-bit
   * window where the driver places a non-prefetchable BAR by default (3DW). */
  int bar0_above_4g;
  /* MSI-X messages seen since the test started (tb_msi_clear forgets them): */
  unsigned nmsi;            /* total count, may exceed TB_MSI_LOG_MAX */
  tb_msi_t msi[TB_MSI_LOG_MAX];
};

/* ---- Checks ---- */
/* Records a failure message "file:line: ..." (first TB_MAX_MSGS kept). */
void tb_fail(tb_t *t, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Ends the test now (it has already failed, or the runner is told why by a message). */
_Noreturn void tb_abort(tb_t *t);

/* Records a failure when cond is false; evaluates to cond (0/1) so a test can branch on it. */
#define TB_CHECK(t, cond, ...) \
  ((cond) ? 1 : (tb_fail_cond((t), __FILE__, __LINE__, #cond, __VA_ARGS__), 0))
/* Same, and ends the test on failure. */
#define TB_REQUIRE(t, cond, ...)                                  \
  do {                                                            \
    if (!(cond)) {                                                \
      tb_fail_cond((t), __FILE__, __LINE__, #cond, __VA_ARGS__);  \
      tb_abort(t);                                                \
    }                                                             \
  } while (0)
/* a == b as unsigned 64-bit values; on failure prints both in hex. Evaluates to 0/1. */
#define TB_CHECK_EQ(t, a, b) \
  tb_check_eq((t), __FILE__, __LINE__, #a, #b, (uint64_t)(a), (uint64_t)(b), NULL)
/* Same with a context string for checks inside loops (e.g. "offset 0x1c"). */
#define TB_CHECK_EQ_CTX(t, a, b, ...) \
  tb_check_eq((t), __FILE__, __LINE__, #a, #b, (uint64_t)(a), (uint64_t)(b), __VA_ARGS__)

void tb_fail_cond(tb_t *t, const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int tb_check_eq(tb_t *t, const char *file, int line, const char *sa, const char *sb, uint64_t a,
                uint64_t b, const char *fmt, ...) __attribute__((format(printf, 8, 9)));

/* ---- Register access through the root complex (real CfgRd0/CfgWr0/MRd/MWr TLPs) ----
 * The plain forms fail the test (recorded at the caller's line) when the completion is not
 * Successful, and stop it on a timeout or a lockstep divergence. The _st forms return the
 * completion status (VEP_CPL_*) instead of failing on UR/CA. */
#define tb_cfg_rd(t, off, size) tb_cfg_rd_at((t), __FILE__, __LINE__, (off), (size))
#define tb_cfg_wr(t, off, size, val) tb_cfg_wr_at((t), __FILE__, __LINE__, (off), (size), (val))
#define tb_cfg_rd_st(t, off, size, st) tb_cfg_rd_st_at((t), __FILE__, __LINE__, (off), (size), (st))
#define tb_cfg_wr_st(t, off, size, val) \
  tb_cfg_wr_st_at((t), __FILE__, __LINE__, (off), (size), (val))
/* BAR0-relative memory accesses (t->bar0 + off). */
#define tb_bar_rd(t, off, size) tb_bar_rd_at((t), __FILE__, __LINE__, (off), (size))
#define tb_bar_wr(t, off, size, val) tb_bar_wr_at((t), __FILE__, __LINE__, (off), (size), (val))
#define tb_mem_rd_st(t, addr, size, st) \
  tb_mem_rd_st_at((t), __FILE__, __LINE__, (addr), (size), (st))
/* Any TLP; returns cosim_send_tlp's result (0, 1 = posted); stops the test on -ETIMEDOUT
 * unless the caller asked for it with tb_send_tlp_raw. */
#define tb_send_tlp(t, req, cpl) tb_send_tlp_at((t), __FILE__, __LINE__, (req), (cpl))

uint32_t tb_cfg_rd_at(tb_t *t, const char *file, int line, unsigned off, unsigned size);
void tb_cfg_wr_at(tb_t *t, const char *file, int line, unsigned off, unsigned size, uint32_t val);
uint32_t tb_cfg_rd_st_at(tb_t *t, const char *file, int line, unsigned off, unsigned size,
                         unsigned *status);
unsigned tb_cfg_wr_st_at(tb_t *t, const char *file, int line, unsigned off, unsigned size,
                         uint32_t val);
uint64_t tb_bar_rd_at(tb_t *t, const char *file, int line, unsigned off, unsigned size);
void tb_bar_wr_at(tb_t *t, const char *file, int line, unsigned off, unsigned size, uint64_t val);
uint64_t tb_mem_rd_st_at(tb_t *t, const char *file, int line, uint64_t addr, unsigned size,
                         unsigned *status);
int tb_send_tlp_at(tb_t *t, const char *file, int line, const cosim_tlp_t *req, cosim_tlp_t *cpl);

/* Lets n cycles pass; stops the test if lockstep diverged meanwhile. */
void tb_run(tb_t *t, uint64_t n);
/* Whether an error the simulation recorded (cosim_error) contains text: how a test checks that
 * the bus model reported what it provoked, before consuming it with cosim_clear_errors. */
int tb_error_mentions(tb_t *t, const char *text);
/* Stops the test (with the mismatch report as its failure) if lockstep has diverged. */
void tb_check_diverged(tb_t *t);

/* ---- Fixtures ---- */
/* The address tb_setup_bar0 gives BAR0: inside the platform's 64-bit MMIO window, above 4 GiB
 * (so memory requests use 4DW headers), aligned to the BAR size. */
#define TB_BAR0_ADDR (COSIM_MMIO_WINDOW_BASE + 0x00100000ull)
/* The same inside the 32-bit window, below 4 GiB (3DW headers): for tb_setup_bar0_at. */
#define TB_BAR0_ADDR32 (COSIM_MMIO32_WINDOW_BASE + 0x00100000ull)
/* The bus/device the tests enumerate the endpoint at. */
#define TB_EP_BDF VDRV_BDF(COSIM_EP_BUS, 0, 0)

/* Without the driver: programs BAR0/BAR1 with TB_BAR0_ADDR and Command with Memory Space and
 * Bus Master, by CfgWr0 (so the endpoint also captures its bus/device number). For tests of
 * the registers themselves, so that a driver bug cannot hide or fake an endpoint bug. */
void tb_setup_bar0(tb_t *t);
/* The same at any BAR0-aligned address: TB_BAR0_ADDR32 for 3DW requests. */
void tb_setup_bar0_at(tb_t *t, uint64_t addr);

/* With the driver: drvbus over t->sim, enumerate (the endpoint must be found at TB_EP_BDF with
 * the virtio vendor ID), size and assign BARs from the windows' bases (BAR0, non-prefetchable,
 * in the 32-bit window; above 4 GiB when t->bar0_above_4g is set), enable Memory Space and Bus
 * Master, and probe the virtio-pci transport. Sets t->bar0. Stops the test on any failure. */
void tb_bringup(tb_t *t, vdrv_pci_dev_t *dev, vdrv_vpci_t *vpci);
/* Stops the test when a driver call returned a negative errno (recorded at the caller). */
#define TB_DRV(t, call) tb_drv_at((t), __FILE__, __LINE__, #call, (call))
int tb_drv_at(tb_t *t, const char *file, int line, const char *what, int rc);

/* The bring-up sequence of the `bringup` test and of --demo (tb/bringup/tb_bringup.c): every
 * step asserted; printed to log when log is not NULL. */
void tb_bringup_sequence(tb_t *t, FILE *log);
/* Feature bits by name ("SEG_MAX BLK_SIZE VERSION_1"), unknown ones as "bitN". */
void tb_format_features(const uint32_t *words, char *buf, size_t len);

/* ---- MSI-X helpers ---- */
/* Installs the recorder into t->msi (done by the runner before every test). */
void tb_msi_install(tb_t *t);
void tb_msi_clear(tb_t *t);
/* Runs until at least n messages were seen or max_cycles passed; returns t->nmsi. */
unsigned tb_msi_wait(tb_t *t, unsigned n, uint64_t max_cycles);
/* Address of MSI-X vector i as the tests program it (distinct per vector, in the MSI window) and
 * its data. */
#define TB_MSI_ADDR(i) (COSIM_MSI_WINDOW_BASE + 0x1000u + 0x10u * (uint64_t)(i))
#define TB_MSI_DATA(i) (0x4000u + (uint32_t)(i))
/* Programs table entry i with TB_MSI_ADDR(i)/TB_MSI_DATA(i) and the given mask bit. */
void tb_msix_entry_program(tb_t *t, unsigned i, int masked);
/* Writes MSI-X Message Control (enable, function mask). */
void tb_msix_ctl(tb_t *t, int enable, int fmask);
/* Cycles to wait for an interrupt that must (or must not) arrive: well above the round trip. */
#define TB_IRQ_WAIT_CYCLES 400u

/* Replaces t->sim by a new simulation built from cfg (for tests that need other straps or
 * parameters). Errors the old one recorded become failures of the test first. */
void tb_reconfigure(tb_t *t, const cosim_cfg_t *cfg);
/* A fresh, empty file /tmp/vepsim-WHAT-XXXXXX (e.g. for a TLP log) named into path[len]; the test
 * stops if none can be made. */
void tb_temp_path(tb_t *t, char *path, size_t len, const char *what);
/* Ends the TLP log the test asked for (cfg.tlp_log_path = path): a new simulation without a log
 * closes the file. Returns the log opened for reading; the test stops if it cannot be. */
FILE *tb_tlp_log_end(tb_t *t, const char *path);

/* ---- Small helpers shared by tests ---- */
/* BAR0 offset of a common configuration field (VEP_COMMON_*). */
#define TB_COMMON(field) (VEP_BAR_COMMON_OFF + (field))
/* Features this endpoint offers with the default straps. */
#define TB_FEATURES_OFFERED                                                          \
  ((1ull << VEP_F_VERSION_1) | (1ull << VEP_F_INDIRECT_DESC) | (1ull << VEP_F_EVENT_IDX) | \
   (1ull << VEP_BLK_F_SEG_MAX) | (1ull << VEP_BLK_F_BLK_SIZE) | (1ull << VEP_BLK_F_FLUSH))
/* virtio device status write + read back, through BAR0. */
void tb_status_wr(tb_t *t, uint8_t status);
uint8_t tb_status_rd(tb_t *t);
/* Writes 0 to device_status and polls until it reads 0. */
void tb_virtio_reset(tb_t *t);
/* Without the driver: reset, ACKNOWLEDGE, DRIVER, accept `features` (select 0 and 1),
 * FEATURES_OK (required to stick), then DRIVER_OK if driver_ok. */
void tb_virtio_init(tb_t *t, uint64_t features, int driver_ok);

/* ---- Runner entry points used by tb_main.c ---- */
typedef struct tb_opts {
  cosim_dut_kind_t dut;
  uint64_t seed;
  unsigned latency;
  int latency_set;
  const char *trace;        /* --trace FILE, or NULL */
  int trace_per_test;       /* insert the test name into the trace file name */
  const char *expect_port;  /* --expect-divergence PORT, or NULL */
  unsigned backpressure;    /* --backpressure PCT: TX backpressure and RX gaps, % of cycles */
  const char *argv0;
  /* virtio-blk backend (cosim_cfg.blk_*): */
  const char *disk;         /* --disk FILE: raw image, or NULL (RAM) */
  uint64_t disk_sectors;    /* its size / 512, checked when parsed */
  int ro;                   /* --ro, or an image that cannot be written */
  int ro_flag;              /* --ro given (for the repro command) */
  unsigned blk_latency;     /* --blk-latency N */
  int blk_latency_set;
  /* Waveforms (docs/waves.md): */
  uint64_t trace_from, trace_to;  /* --trace-window FROM:TO, cycles, both included; 0, 0: all */
  unsigned mismatch_window;       /* --mismatch-window N: cycles before a lockstep mismatch in
                                   * its automatic waveform; 0: no automatic waveform */
  const char *wave_dir;           /* where automatic waveforms are written */
  /* Observation (docs/tlp-log.md, docs/functional-coverage.md): */
  const char *tlp_log;            /* --tlp-log FILE, or NULL */
  int tlp_log_per_test;           /* insert the test name into its file name */
  const char *fcov;               /* --fcov FILE: add this run's coverage counts to it */
  cosim_fcov_t *fcov_total;       /* the counts of the tests run so far (with --fcov) */
} tb_opts_t;

const char *tb_dut_name(cosim_dut_kind_t d);
/* The command that re-runs one test (or the demo, when test is NULL). */
void tb_repro_cmd(const tb_opts_t *o, const char *test, char *buf, size_t len);
/* Fills cfg from the defaults and the options. */
void tb_cfg_from_opts(const tb_opts_t *o, cosim_cfg_t *cfg);
/* The --demo scenario; returns the exit status. */
int tb_demo(const tb_opts_t *o);

#endif /* TB_H */
