/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtio ring monitor (cosim/cosim_vmon.h) against writes injected into the endpoint's TX
 * stream: the endpoint is the usual DUT wrapped in an injector that, between the endpoint's own
 * TLPs, sends MWr TLPs the test builds (holding the endpoint's m_tx_ready low meanwhile). The
 * driver side is real (BAR, virtio init, a queue in host memory), so the monitor learns
 * everything from the host's TLPs, as in any test. Legal ring updates pass; each kind of bad
 * write is reported.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cosim_dut.h"
#include "cosim_link.h"
#include "cosim_mem.h"
#include "tb.h"

#define INJ_BEATS 64u

typedef struct inj {
  cosim_dut_t base;
  cosim_dut_t *inner;
  unsigned lanes;
  vep_out_t out;            /* the inner DUT's outputs of this cycle */
  int inner_mid;            /* the inner DUT is inside a TLP on TX */
  cosim_beat_t beat[INJ_BEATS];
  unsigned nb, sent;
} inj_t;

/* Injecting this cycle: a function of the state only (as the endpoint's outputs are). */
static int inj_now(const inj_t *j) { return j->sent < j->nb && !j->inner_mid; }

static void inj_destroy(cosim_dut_t *d) {
  inj_t *j = (inj_t *)d;
  cosim_dut_destroy(j->inner);
  free(j);
}

static void inj_outputs(cosim_dut_t *d, vep_out_t *out) {
  inj_t *j = (inj_t *)d;
  cosim_dut_outputs(j->inner, &j->out);
  *out = j->out;
  if (inj_now(j)) {
    const cosim_beat_t *b = &j->beat[j->sent];
    out->m_tx_valid = 1;
    out->m_tx_sop = b->sop;
    out->m_tx_eop = b->eop;
    out->m_tx_keep = b->keep;
    memcpy(out->m_tx_data, b->data, sizeof(out->m_tx_data));
  }
}

static void inj_step(cosim_dut_t *d, const vep_in_t *in) {
  inj_t *j = (inj_t *)d;
  vep_in_t inner_in = *in;
  if (inj_now(j)) {
    inner_in.m_tx_ready = 0;
    if (in->rst_ni && in->m_tx_ready && ++j->sent == j->nb) j->sent = j->nb = 0;
  } else if (in->rst_ni && j->out.m_tx_valid && in->m_tx_ready) {
    j->inner_mid = !j->out.m_tx_eop;
  }
  cosim_dut_step(j->inner, &inner_in);
}

static int inj_trace(cosim_dut_t *d, const char *path) {
  return cosim_dut_trace_open(((inj_t *)d)->inner, path);
}

static const char *inj_name(const cosim_dut_t *d) {
  return cosim_dut_name(((const inj_t *)d)->inner);
}

static const cosim_dut_ops_t inj_ops = {inj_destroy, inj_outputs, inj_step, inj_trace, inj_name};

static int inj_factory(void *ctx, const cosim_cfg_t *cfg, cosim_errlog_t *log,
                       cosim_dut_t **out) {
  cosim_dut_t *inner = NULL;
  int rc = cosim_dut_factory_default(NULL, cfg, log, &inner);
  if (rc) return rc;
  inj_t *j = calloc(1, sizeof(*j));
  if (!j) {
    cosim_dut_destroy(inner);
    return -ENOMEM;
  }
  j->base.ops = &inj_ops;
  j->inner = inner;
  j->lanes = cfg->params.DATA_W / 32;
  *(inj_t **)ctx = j;
  *out = &j->base;
  return 0;
}

static inj_t *inj_install(tb_t *t) {
  tb_reconfigure(t, &t->cfg);
  inj_t *j = NULL;
  cosim_t *s = NULL;
  int rc = cosim_create_custom(&t->cfg, inj_factory, &j, &s);
  if (rc < 0) {
    tb_fail(t, __FILE__, __LINE__, "cosim_create_custom: %s", strerror(-rc));
    tb_abort(t);
  }
  cosim_destroy(t->sim);
  t->sim = s;
  t->bar0 = 0;
  tb_msi_install(t);
  return j;
}

/* Sends a device MWr of `size` (4 or 8) bytes at addr (4-aligned) and waits until the root
 * complex has it. */
static void dev_write(tb_t *t, inj_t *j, uint64_t addr, unsigned size, uint64_t val) {
  cosim_tlp_t tlp;
  uint32_t dws[8];
  cosim_tlp_mem(&tlp, 1, (uint16_t)(t->bdf & 0xFFF8u), 0, addr, size, val);
  int n = cosim_tlp_encode(&tlp, dws, 8, NULL);
  TB_REQUIRE(t, n > 0, "encoding the injected MWr");
  int nb = cosim_tlp_to_beats(dws, (size_t)n, j->lanes, j->beat, INJ_BEATS);
  TB_REQUIRE(t, nb > 0, "beats of the injected MWr");
  j->sent = 0;
  j->nb = (unsigned)nb;
  uint64_t tx = cosim_tlps_tx(t->sim);
  for (unsigned i = 0; i < 1000 && cosim_tlps_tx(t->sim) == tx; i++) tb_run(t, 1);
  TB_REQUIRE(t, cosim_tlps_tx(t->sim) > tx, "the injected MWr did not reach the root complex");
}

static void expect(tb_t *t, const char *text) {
  TB_CHECK(t, tb_error_mentions(t, text), "no report mentioning '%s' (%u errors; first: %s)",
           text, cosim_error_count(t->sim),
           cosim_error(t->sim, 0) ? cosim_error(t->sim, 0) : "none");
  cosim_clear_errors(t->sim);
}

static void expect_none(tb_t *t, const char *what) {
  TB_CHECK(t, cosim_error_count(t->sim) == 0, "%s: unexpected report: %s", what,
           cosim_error(t->sim, 0) ? cosim_error(t->sim, 0) : "(text lost)");
  cosim_clear_errors(t->sim);
}

/* Queue memory of `qs` entries, exposed as a driver would: descriptor table and avail ring
 * device-readable, used ring and a 512-byte data buffer device-writable. */
typedef struct vm_ring {
  uint64_t desc, avail, used, buf;
} vm_ring_t;

static void vm_ring_alloc(tb_t *t, cosim_hmem_t *m, unsigned qs, vm_ring_t *r) {
  TB_REQUIRE(t, cosim_hmem_alloc(m, 16 * qs, 16, 0, &r->desc) == 0, "alloc");
  TB_REQUIRE(t, cosim_hmem_alloc(m, 6 + 2 * qs, 2, 0, &r->avail) == 0, "alloc");
  TB_REQUIRE(t, cosim_hmem_alloc(m, 6 + 8 * qs, 4, 0, &r->used) == 0, "alloc");
  TB_REQUIRE(t, cosim_hmem_alloc(m, 512, 8, 0, &r->buf) == 0, "alloc");
  cosim_hmem_expose(m, r->desc, 16 * qs, COSIM_HMEM_DEV_READ);
  cosim_hmem_expose(m, r->avail, 6 + 2 * qs, COSIM_HMEM_DEV_READ);
  cosim_hmem_expose(m, r->used, 6 + 8 * qs, COSIM_HMEM_DEV_WRITE);
  cosim_hmem_expose(m, r->buf, 512, COSIM_HMEM_DEV_WRITE);
}

TB_TEST(vmon_rings, "virtio monitor: legal used-ring updates pass; early index, long len, "
                    "avail_event without EVENT_IDX, stray write, DMA before DRIVER_OK and after "
                    "a reset are each reported") {
  inj_t *j = inj_install(t);
  tb_setup_bar0(t);
  cosim_hmem_t *m = cosim_host_mem(t->sim);
  const unsigned qs = 8;
  vm_ring_t rg;
  vm_ring_alloc(t, m, qs, &rg);
  const uint64_t desc = rg.desc, avail = rg.avail, used = rg.used, buf = rg.buf;
  uint64_t other;
  TB_REQUIRE(t, cosim_hmem_alloc(m, 64, 8, 0, &other) == 0, "alloc");
  /* Chain at head 2: 16 readable bytes, then 512 writable: len may be up to 512. */
  uint8_t d[32] = {0};
  uint64_t hdr = other;
  memcpy(d, &hdr, 8);
  d[8] = 16;
  d[12] = VEP_VRING_DESC_F_NEXT;
  d[14] = 3;
  memcpy(d + 16, &buf, 8);
  d[24] = 0x00, d[25] = 0x02;  /* 512 */
  d[28] = VEP_VRING_DESC_F_WRITE;
  cosim_hmem_write(m, desc + 16 * 2, d, 32);

  /* Before DRIVER_OK: any DMA is a violation. */
  tb_virtio_init(t, 1ull << VEP_F_VERSION_1, 0);
  dev_write(t, j, buf, 4, 0x11111111);
  expect(t, "before DRIVER_OK");

  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, 0);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SIZE), 2, qs);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 4, (uint32_t)desc);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_DESCHI), 4, (uint32_t)(desc >> 32));
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_AVAILLO), 4, (uint32_t)avail);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_AVAILHI), 4, (uint32_t)(avail >> 32));
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_USEDLO), 4, (uint32_t)used);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_USEDHI), 4, (uint32_t)(used >> 32));
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2, 1);
  tb_status_wr(t, VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER | VEP_STATUS_FEATURES_OK |
                      VEP_STATUS_DRIVER_OK);
  TB_CHECK(t, tb_status_rd(t) & VEP_STATUS_DRIVER_OK, "DRIVER_OK");
  expect_none(t, "set-up");

  /* Legal: data, the element {id 2, len 512}, then flags 0 and idx 1 in one write. */
  dev_write(t, j, buf, 8, 0x0123456789ABCDEFull);
  dev_write(t, j, used + 4, 8, (uint64_t)512 << 32 | 2);
  dev_write(t, j, used, 4, 1ull << 16);  /* flags 0, idx 1 */
  expect_none(t, "a legal used-ring update");
  cosim_vmon_stats_t vs;
  cosim_vmon_stats(t->sim, &vs);
  TB_CHECK_EQ(t, vs.used_published, 1);
  TB_CHECK_EQ(t, vs.len_checked, 1);

  /* The index before the element. */
  dev_write(t, j, used, 4, 2ull << 16);
  expect(t, "before all its 8 bytes were written");
  /* len beyond the chain's writable bytes. */
  dev_write(t, j, used + 4 + 8 * 2, 8, (uint64_t)513 << 32 | 2);
  expect(t, "exceeds the 512 device-writable bytes");
  /* avail_event without EVENT_IDX. */
  dev_write(t, j, used + 4 + 8 * qs, 4, 0);
  expect(t, "without VIRTIO_F_EVENT_IDX");
  /* Memory the driver did not expose. */
  dev_write(t, j, other, 4, 0);
  expect(t, "neither a device-writable buffer");

  /* After a reset (read back as 0), before DRIVER_OK again. */
  tb_virtio_reset(t);
  dev_write(t, j, buf, 4, 0);
  expect(t, "after a reset, before DRIVER_OK");
}

/* A host MWr of `ndw` DWs (all bytes enabled) at BAR0 offset off: longer than the device takes
 * when ndw > 2. */
static void host_write_dws(tb_t *t, unsigned off, unsigned ndw, uint32_t v) {
  static cosim_tlp_t w;
  cosim_tlp_mem(&w, 1, COSIM_RC_ID, 0, t->bar0 + off, 4, v);
  w.len_dw = (uint16_t)ndw;
  w.first_be = w.last_be = 0xF;
  w.ndata = ndw;
  for (unsigned i = 0; i < ndw; i++) w.data[i] = v;
  TB_CHECK_EQ(t, cosim_send_tlp(t->sim, &w, NULL), 1);
  tb_run(t, 32);
}

TB_TEST(vmon_register_rules, "virtio monitor: it mirrors the queue registers as the device "
                             "applies them (an invalid queue_size, ring addresses and size "
                             "written after queue_enable, queue_enable 0, a 3-DW write are "
                             "dropped), so it keeps checking the rings the device uses") {
  inj_t *j = inj_install(t);
  tb_setup_bar0(t);
  cosim_hmem_t *m = cosim_host_mem(t->sim);
  const unsigned qs = 8;
  vm_ring_t rg;
  vm_ring_alloc(t, m, qs, &rg);
  const uint64_t desc = rg.desc, avail = rg.avail, used = rg.used, buf = rg.buf;
  /* Zeroed memory: a monitor that followed a moved ring there would see chains with no
   * device-writable byte and report every used element. */
  uint64_t decoy;
  TB_REQUIRE(t, cosim_hmem_alloc(m, 4096, 4096, 0, &decoy) == 0, "alloc");
  uint8_t d[16] = {0};  /* head 2: 512 device-writable bytes */
  memcpy(d, &buf, 8);
  d[8] = 0x00, d[9] = 0x02;
  d[12] = VEP_VRING_DESC_F_WRITE;
  cosim_hmem_write(m, desc + 16 * 2, d, 16);

  tb_virtio_init(t, 1ull << VEP_F_VERSION_1, 0);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, 0);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SIZE), 2, qs);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SIZE), 2, 3);  /* not a power of two: dropped */
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 8, desc);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_AVAILLO), 8, avail);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_USEDLO), 8, used);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2, 1);
  tb_status_wr(t, VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER | VEP_STATUS_FEATURES_OK |
                      VEP_STATUS_DRIVER_OK);
  TB_CHECK(t, tb_status_rd(t) & VEP_STATUS_DRIVER_OK, "DRIVER_OK");

  /* What the device drops once the queue is enabled (docs/registers.md). */
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 8, decoy);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_USEDLO), 4, (uint32_t)decoy + 0x800u);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SIZE), 2, qs / 2);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2, 0);
  host_write_dws(t, VEP_COMMON_Q_DESCLO, 3, (uint32_t)decoy);  /* too long for the device */
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 8), desc);
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_USEDLO), 8), used);
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_SIZE), 2), qs);
  TB_CHECK_EQ(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2), 1);
  expect_none(t, "the dropped writes");

  /* A legal completion on the rings the device still uses: checked, and no report. */
  dev_write(t, j, buf, 8, 0x0123456789ABCDEFull);
  dev_write(t, j, used + 4 + 8 * 0, 8, (uint64_t)512 << 32 | 2);
  dev_write(t, j, used, 4, 1ull << 16);
  expect_none(t, "a legal used-ring update after the dropped writes");
  cosim_vmon_stats_t vs;
  cosim_vmon_stats(t->sim, &vs);
  TB_CHECK_EQ(t, vs.used_published, 1);
  TB_CHECK_EQ(t, vs.len_checked, 1);
  /* And a bad one is still caught there. */
  dev_write(t, j, used + 4 + 8 * 1, 8, (uint64_t)513 << 32 | 2);
  dev_write(t, j, used, 4, 2ull << 16);
  expect(t, "exceeds the 512 device-writable bytes");
}
