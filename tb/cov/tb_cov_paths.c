/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests written to reach what the rest of the suite left unexercised (docs/coverage.md): rings
 * and buffers below 4 GiB (the device's 3DW DMA requests) and a reset after the driver set
 * FAILED. Both drive the endpoint by raw register writes and hand-built rings, no driver.
 */
#include <string.h>

#include "cosim_mem.h"
#include "tb.h"

#define COV_QSIZE 8u
#define COV_DESC_NEXT 1u
#define COV_DESC_WRITE 2u

/* A split virtqueue of COV_QSIZE entries laid out by hand in one zone of host memory. */
typedef struct cov_ring {
  uint64_t desc, avail, used;
  uint16_t avail_idx;
} cov_ring_t;

static uint64_t cov_alloc(tb_t *t, uint64_t len, uint64_t align, int high, unsigned perm) {
  cosim_hmem_t *m = cosim_host_mem(t->sim);
  uint64_t a = 0;
  TB_REQUIRE(t, cosim_hmem_alloc(m, len, align, high, &a) == 0, "alloc %llu bytes",
             (unsigned long long)len);
  TB_REQUIRE(t, cosim_hmem_expose(m, a, len, perm) == 0, "expose %llu bytes",
             (unsigned long long)len);
  return a;
}

static void cov_put(tb_t *t, uint64_t a, const void *src, size_t len) {
  TB_REQUIRE(t, cosim_hmem_write(cosim_host_mem(t->sim), a, src, len) == 0, "host write");
}

static void cov_get(tb_t *t, uint64_t a, void *dst, size_t len) {
  TB_REQUIRE(t, cosim_hmem_read(cosim_host_mem(t->sim), a, dst, len) == 0, "host read");
}

static void cov_put_le(tb_t *t, uint64_t a, uint64_t v, unsigned size) {
  uint8_t b[8];
  for (unsigned i = 0; i < size; i++) b[i] = (uint8_t)(v >> (8 * i));
  cov_put(t, a, b, size);
}

static uint64_t cov_get_le(tb_t *t, uint64_t a, unsigned size) {
  uint8_t b[8] = {0};
  cov_get(t, a, b, size);
  uint64_t v = 0;
  for (unsigned i = 0; i < size; i++) v |= (uint64_t)b[i] << (8 * i);
  return v;
}

/* Allocates queue 0's rings (in the low zone unless high), programs and enables it. */
static void cov_ring_setup(tb_t *t, cov_ring_t *r, int high) {
  memset(r, 0, sizeof(*r));
  r->desc = cov_alloc(t, 16u * COV_QSIZE, 16, high, COSIM_HMEM_DEV_READ);
  r->avail = cov_alloc(t, 6u + 2u * COV_QSIZE, 2, high, COSIM_HMEM_DEV_READ);
  r->used = cov_alloc(t, 6u + 8u * COV_QSIZE, 4, high, COSIM_HMEM_DEV_WRITE);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, 0);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SIZE), 2, COV_QSIZE);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 4, (uint32_t)r->desc);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_DESCHI), 4, (uint32_t)(r->desc >> 32));
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_AVAILLO), 4, (uint32_t)r->avail);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_AVAILHI), 4, (uint32_t)(r->avail >> 32));
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_USEDLO), 4, (uint32_t)r->used);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_USEDHI), 4, (uint32_t)(r->used >> 32));
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2, 1);
  TB_REQUIRE(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2) == 1, "queue 0 not enabled");
}

/* One blk request as a 3-descriptor chain from descriptor 0: header, data (device-writable for
 * IN), status; made available, notified, and waited for. Returns the used length and sets
 * *status to the status byte the device wrote. */
static uint32_t cov_blk_request(tb_t *t, cov_ring_t *r, uint32_t type, uint64_t sector,
                                uint64_t hdr, uint64_t data, uint32_t len, uint64_t st,
                                uint8_t *status) {
  cov_put_le(t, hdr, type, 4);
  cov_put_le(t, hdr + 4, 0, 4);
  cov_put_le(t, hdr + 8, sector, 8);
  cov_put_le(t, st, 0xFF, 1);
  const struct {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
  } d[3] = {{hdr, 16, COV_DESC_NEXT},
            {data, len, (uint16_t)(COV_DESC_NEXT | (type == VEP_BLK_T_IN ? COV_DESC_WRITE : 0))},
            {st, 1, COV_DESC_WRITE}};
  for (unsigned i = 0; i < 3; i++) {
    cov_put_le(t, r->desc + 16u * i, d[i].addr, 8);
    cov_put_le(t, r->desc + 16u * i + 8, d[i].len, 4);
    cov_put_le(t, r->desc + 16u * i + 12, d[i].flags, 2);
    cov_put_le(t, r->desc + 16u * i + 14, i + 1u, 2);
  }
  cov_put_le(t, r->avail + 4u + 2u * (r->avail_idx % COV_QSIZE), 0, 2);
  r->avail_idx++;
  cov_put_le(t, r->avail + 2, r->avail_idx, 2);
  tb_bar_wr(t, VEP_BAR_NOTIFY_OFF, 2, 0);
  uint64_t waited = 0;
  while (cov_get_le(t, r->used + 2, 2) != r->avail_idx) {
    TB_REQUIRE(t, waited < 200000, "request %u not completed in %llu cycles", r->avail_idx,
               (unsigned long long)waited);
    tb_run(t, 100);
    waited += 100;
  }
  uint64_t elem = r->used + 4u + 8u * ((r->avail_idx - 1u) % COV_QSIZE);
  TB_CHECK_EQ_CTX(t, cov_get_le(t, elem, 4), 0, "used id of request %u", r->avail_idx);
  *status = (uint8_t)cov_get_le(t, st, 1);
  return (uint32_t)cov_get_le(t, elem + 4, 4);
}

TB_TEST(cov_rings_below_4g, "rings, headers, data and status below 4 GiB: the device's ring, "
                            "data and used-ring DMA are 3DW requests (a 4DW one is a reported "
                            "PCIe error); a 1 KiB OUT then IN of the same sectors round-trips "
                            "with status OK and used len 1 / 1025") {
  tb_setup_bar0(t);
  tb_virtio_init(t, 1ull << VEP_F_VERSION_1, 0);
  cov_ring_t r;
  cov_ring_setup(t, &r, 0);
  tb_status_wr(t, VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER | VEP_STATUS_FEATURES_OK |
                      VEP_STATUS_DRIVER_OK);
  TB_REQUIRE(t, r.desc < (1ull << 32) && r.used < (1ull << 32), "rings not below 4 GiB");

  enum { LEN = 1024 };
  uint64_t hdr = cov_alloc(t, 16, 8, 0, COSIM_HMEM_DEV_READ);
  uint64_t out = cov_alloc(t, LEN, 8, 0, COSIM_HMEM_DEV_READ);
  uint64_t in = cov_alloc(t, LEN, 8, 0, COSIM_HMEM_DEV_WRITE);
  uint64_t st = cov_alloc(t, 1, 1, 0, COSIM_HMEM_DEV_WRITE);
  uint8_t pattern[LEN], back[LEN];
  for (unsigned i = 0; i < LEN; i++) pattern[i] = (uint8_t)tb_rand32(&t->rng);
  cov_put(t, out, pattern, LEN);
  uint64_t sector = 2 + tb_rand_below(&t->rng, 64);

  uint8_t status = 0xFF;
  uint32_t used_len = cov_blk_request(t, &r, VEP_BLK_T_OUT, sector, hdr, out, LEN, st, &status);
  TB_CHECK_EQ_CTX(t, status, VEP_BLK_S_OK, "OUT status");
  TB_CHECK_EQ_CTX(t, used_len, 1, "OUT used len (the status byte)");
  used_len = cov_blk_request(t, &r, VEP_BLK_T_IN, sector, hdr, in, LEN, st, &status);
  TB_CHECK_EQ_CTX(t, status, VEP_BLK_S_OK, "IN status");
  TB_CHECK_EQ_CTX(t, used_len, LEN + 1, "IN used len (data and status)");
  cov_get(t, in, back, LEN);
  unsigned bad = 0;
  for (unsigned i = 0; i < LEN; i++) bad += back[i] != pattern[i];
  TB_CHECK(t, bad == 0, "%u of %u bytes read back differ from those written at sector %llu",
           bad, LEN, (unsigned long long)sector);
  TB_CHECK_EQ_CTX(t, tb_status_rd(t) & VEP_STATUS_DEVICE_NEEDS_RESET, 0, "no NEEDS_RESET");
}

TB_TEST(cov_reset_after_failed, "FAILED set after FEATURES_OK reads back with the other bits; "
                                "writing 0 then resets the device (status, features, queue "
                                "registers), and a new initialization reaches DRIVER_OK") {
  tb_setup_bar0(t);
  const uint8_t negotiated =
      VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER | VEP_STATUS_FEATURES_OK;
  tb_virtio_init(t, 1ull << VEP_F_VERSION_1, 0);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, 0);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SIZE), 2, 16);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 4, 0x12345000u);
  tb_status_wr(t, negotiated | VEP_STATUS_FAILED);
  TB_CHECK_EQ_CTX(t, tb_status_rd(t), negotiated | VEP_STATUS_FAILED, "status after FAILED");

  tb_virtio_reset(t);
  TB_CHECK_EQ_CTX(t, tb_status_rd(t), 0, "status after reset");
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_GFSELECT), 4, 1);
  TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_GF), 4), 0,
                  "driver_feature[63:32] after reset");
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, 0);
  TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_SIZE), 2), t->cfg.params.QUEUE_SIZE_MAX,
                  "queue_size after reset");
  TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 4), 0,
                  "queue_desc after reset");
  TB_CHECK_EQ_CTX(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2), 0,
                  "queue_enable after reset");

  tb_virtio_init(t, 1ull << VEP_F_VERSION_1, 1);
}

TB_TEST(cov_msix_addr_above_4g, "an MSI-X vector whose address is above 4 GiB: a configuration "
                                "change sends one 4DW MWr (1 DW of data) that lands in host "
                                "memory at that address with the vector's data, and no message "
                                "in the MSI window") {
  tb_setup_bar0(t);
  tb_virtio_init(t, 1ull << VEP_F_VERSION_1, 1);
  /* A device-writable DW above 4 GiB, surrounded by bytes the device may not write. */
  uint64_t a = cov_alloc(t, 64, 64, 1, 0) + 16u;
  TB_REQUIRE(t, cosim_hmem_expose(cosim_host_mem(t->sim), a, 4, COSIM_HMEM_DEV_WRITE) == 0,
             "expose");
  cov_put_le(t, a, 0, 4);
  const uint32_t data = 0x5A000000u | (tb_rand32(&t->rng) & 0xFFFFFu);
  const unsigned e = VEP_BAR_MSIX_TABLE_OFF;  /* vector 0 */
  tb_bar_wr(t, e + VDRV_MSIX_ENTRY_CTRL, 4, VEP_MSIX_VECTOR_MASKED);
  tb_bar_wr(t, e + VDRV_MSIX_ENTRY_ADDR_LO, 4, (uint32_t)a);
  tb_bar_wr(t, e + VDRV_MSIX_ENTRY_ADDR_HI, 4, (uint32_t)(a >> 32));
  tb_bar_wr(t, e + VDRV_MSIX_ENTRY_DATA, 4, data);
  tb_bar_wr(t, e + VDRV_MSIX_ENTRY_CTRL, 4, 0);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_MSIX), 2, 0);
  tb_msix_ctl(t, 1, 0);
  TB_REQUIRE(t, tb_bar_rd(t, TB_COMMON(VEP_COMMON_MSIX), 2) == 0, "config_msix_vector not 0");

  uint64_t cap = tb_bar_rd(t, VEP_BAR_DEVICE_OFF + VEP_BLK_CFG_CAPACITY, 8);
  cosim_set_blk_capacity(t->sim, cap + 1);
  uint64_t waited = 0;
  while (cov_get_le(t, a, 4) == 0 && waited < TB_IRQ_WAIT_CYCLES) {
    tb_run(t, 8);
    waited += 8;
  }
  TB_CHECK_EQ_CTX(t, cov_get_le(t, a, 4), data, "DW at the vector's address above 4 GiB");
  tb_run(t, TB_IRQ_WAIT_CYCLES);
  TB_CHECK_EQ_CTX(t, t->nmsi, 0, "messages in the MSI window");
  TB_CHECK_EQ_CTX(t, cov_get_le(t, a - 16u, 8) | cov_get_le(t, a + 4u, 8), 0,
                  "bytes around the vector's address");
  /* One event, one message: the PBA holds nothing pending. */
  TB_CHECK_EQ_CTX(t, tb_bar_rd(t, VEP_BAR_MSIX_PBA_OFF, 8), 0, "PBA after the message");
}

TB_TEST(cov_reset_while_draining, "device_status 0 written twice while a blk IN waits 3000 cycles "
                                  "at the backend (the reset still draining): status reads 0 "
                                  "once drained, the request is never completed (used.idx 0, "
                                  "buffers untouched), and after a new initialization the same "
                                  "request completes OK") {
  cosim_cfg_t cfg = t->cfg;
  cfg.blk_latency = 3000;
  cfg.blk_jitter = 0;
  tb_reconfigure(t, &cfg);
  tb_setup_bar0(t);
  tb_virtio_init(t, 1ull << VEP_F_VERSION_1, 0);
  cov_ring_t r;
  cov_ring_setup(t, &r, 1);
  const uint8_t ok = VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER | VEP_STATUS_FEATURES_OK |
                     VEP_STATUS_DRIVER_OK;
  tb_status_wr(t, ok);
  uint64_t hdr = cov_alloc(t, 16, 8, 1, COSIM_HMEM_DEV_READ);
  uint64_t in = cov_alloc(t, 512, 8, 1, COSIM_HMEM_DEV_WRITE);
  uint64_t st = cov_alloc(t, 1, 1, 1, COSIM_HMEM_DEV_WRITE);
  cov_put_le(t, hdr, VEP_BLK_T_IN, 4);
  cov_put_le(t, hdr + 4, 0, 4);
  cov_put_le(t, hdr + 8, 5, 8);
  cov_put_le(t, st, 0xFF, 1);
  const struct {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
  } d[3] = {{hdr, 16, COV_DESC_NEXT},
            {in, 512, COV_DESC_NEXT | COV_DESC_WRITE},
            {st, 1, COV_DESC_WRITE}};
  for (unsigned i = 0; i < 3; i++) {
    cov_put_le(t, r.desc + 16u * i, d[i].addr, 8);
    cov_put_le(t, r.desc + 16u * i + 8, d[i].len, 4);
    cov_put_le(t, r.desc + 16u * i + 12, d[i].flags, 2);
    cov_put_le(t, r.desc + 16u * i + 14, i + 1u, 2);
  }
  cov_put_le(t, r.avail + 4, 0, 2);
  cov_put_le(t, r.avail + 2, 1, 2);
  tb_bar_wr(t, VEP_BAR_NOTIFY_OFF, 2, 0);
  tb_run(t, 600);  /* the request reaches the backend, which holds it 3000 cycles */

  /* Two resets back to back (posted writes): the second arrives while the first drains. */
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_STATUS), 1, 0);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_STATUS), 1, 0);
  uint64_t waited = 0;
  while (tb_status_rd(t) != 0) {
    TB_REQUIRE(t, waited < 20000, "status not 0 %llu cycles after the resets",
               (unsigned long long)waited);
    tb_run(t, 100);
    waited += 100;
  }
  tb_run(t, 4000);  /* well past the backend's answer */
  TB_CHECK_EQ_CTX(t, cov_get_le(t, r.used + 2, 2), 0, "used.idx after the reset");
  TB_CHECK_EQ_CTX(t, cov_get_le(t, st, 1), 0xFF, "status byte after the reset");
  TB_CHECK_EQ_CTX(t, cov_get_le(t, in, 8), 0, "data buffer after the reset");

  tb_virtio_init(t, 1ull << VEP_F_VERSION_1, 0);
  cov_ring_setup(t, &r, 1);
  tb_status_wr(t, ok);
  uint8_t status = 0xFF;
  uint32_t used_len = cov_blk_request(t, &r, VEP_BLK_T_IN, 5, hdr, in, 512, st, &status);
  TB_CHECK_EQ_CTX(t, status, VEP_BLK_S_OK, "IN status after the new initialization");
  TB_CHECK_EQ_CTX(t, used_len, 513, "IN used len after the new initialization");
}
