/* SPDX-License-Identifier: Apache-2.0 */
/*
 * "Every offset not listed reads 0 and drops writes" (docs/registers.md), for every unimplemented
 * DW of BAR0 and of configuration space: patterns written (all ones with DW writes, then random
 * values with random sizes), every DW read back 0, and a snapshot of every implemented register
 * the host can read, taken before and after, unchanged (so a write that aliased into a register
 * is caught even where the unimplemented offset itself reads 0). The device is first put in a
 * non-reset state (DRIVER_OK, queues programmed, MSI-X enabled with a live vector), so that an
 * aliased write shows up as a changed value, a reset, or an MSI-X message.
 *
 * Not observable from the host, so not in the snapshot: the notify doorbells (write-only; the
 * lockstep comparison of the doorbell outputs still covers RTL vs model).
 */
#include <string.h>

#include "tb.h"
#include "cfgspace/tb_cfg_spec.h"

/* The implemented part of each BAR0 region, from the structures' sizes in the specs and the
 * layout of docs/registers.md (not from VEP_BAR_*_LEN): the virtio 1.0 common configuration is
 * 0x38 bytes, the ISR 1 byte (DW 0x1000), virtio-blk's configuration through num_queues 0x24,
 * the notify region one 4-byte doorbell per queue (multiplier 4), the MSI-X table 16 bytes per
 * vector, the PBA one QWORD per 64 vectors. 0x6000-0x7FFF is unused. */
typedef struct region {
  const char *name;
  unsigned base, used;          /* used: implemented bytes from base */
} region_t;

static unsigned regions(const vep_params_t *p, region_t r[7]) {
  r[0] = (region_t){"common configuration", 0x0000, 0x38};
  r[1] = (region_t){"ISR", 0x1000, 4};
  r[2] = (region_t){"device configuration", 0x2000, 0x24};
  r[3] = (region_t){"notify", 0x3000, 4u * p->NUM_QUEUES};
  r[4] = (region_t){"MSI-X table", 0x4000, 16u * p->MSIX_VECTORS};
  r[5] = (region_t){"MSI-X PBA", 0x5000, 8u * ((p->MSIX_VECTORS + 63u) / 64u)};
  r[6] = (region_t){"unused 0x6000-0x7FFF", 0x6000, 0};
  return 7;
}
/* End of region i (exclusive). */
static unsigned region_end(const region_t *r) { return r->base == 0x6000 ? 0x8000 : r->base + 0x1000; }

/* ---- Snapshot of every implemented register the host can read ---- */
#define MAXQ 64u
#define MAXV 64u

typedef struct snap {
  uint32_t cfg[TB_CFG_SPEC_DWS];
  uint32_t common[6];           /* DWs 0x00-0x14 (device_feature/driver_feature at the selects) */
  uint32_t queue[MAXQ][8];      /* DWs 0x18-0x34 of each queue */
  uint32_t devcfg[9];
  uint32_t isr;
  uint32_t msix[MAXV][4];
  uint32_t pba[2];
} snap_t;

static void snapshot(tb_t *t, const tb_cfg_map_t *m, snap_t *s) {
  const vep_params_t *p = &t->cfg.params;
  memset(s, 0, sizeof *s);
  for (unsigned i = 0; i < TB_CFG_SPEC_DWS; i++)
    if (4 * i != m->skip) s->cfg[i] = tb_cfg_rd(t, 4 * i, 4);
  for (unsigned i = 0; i < 6; i++) s->common[i] = (uint32_t)tb_bar_rd(t, 4 * i, 4);
  uint32_t qsel = s->common[5] >> 16;
  for (unsigned q = 0; q < p->NUM_QUEUES && q < MAXQ; q++) {
    tb_bar_wr(t, 0x16, 2, q);
    for (unsigned i = 0; i < 8; i++) s->queue[q][i] = (uint32_t)tb_bar_rd(t, 0x18 + 4 * i, 4);
  }
  tb_bar_wr(t, 0x16, 2, qsel);
  for (unsigned i = 0; i < 9; i++) s->devcfg[i] = (uint32_t)tb_bar_rd(t, 0x2000 + 4 * i, 4);
  s->isr = (uint32_t)tb_bar_rd(t, 0x1000, 4);  /* read-to-clear: must be 0 both times anyway */
  for (unsigned v = 0; v < p->MSIX_VECTORS && v < MAXV; v++)
    for (unsigned i = 0; i < 4; i++) s->msix[v][i] = (uint32_t)tb_bar_rd(t, 0x4000 + 16 * v + 4 * i, 4);
  for (unsigned i = 0; i < 2; i++) s->pba[i] = (uint32_t)tb_bar_rd(t, 0x5000 + 4 * i, 4);
}

static void snap_compare(tb_t *t, const snap_t *a, const snap_t *b, const tb_cfg_map_t *m) {
  const vep_params_t *p = &t->cfg.params;
  for (unsigned i = 0; i < TB_CFG_SPEC_DWS; i++)
    if (4 * i != m->skip)
      TB_CHECK_EQ_CTX(t, b->cfg[i], a->cfg[i], "config DW 0x%02x (%s) changed", 4 * i,
                      m->dw[i].name);
  for (unsigned i = 0; i < 6; i++)
    TB_CHECK_EQ_CTX(t, b->common[i], a->common[i], "common configuration DW 0x%02x changed", 4 * i);
  for (unsigned q = 0; q < p->NUM_QUEUES && q < MAXQ; q++)
    for (unsigned i = 0; i < 8; i++)
      TB_CHECK_EQ_CTX(t, b->queue[q][i], a->queue[q][i], "queue %u DW 0x%02x changed", q,
                      0x18 + 4 * i);
  for (unsigned i = 0; i < 9; i++)
    TB_CHECK_EQ_CTX(t, b->devcfg[i], a->devcfg[i], "device configuration DW 0x%02x changed", 4 * i);
  TB_CHECK_EQ_CTX(t, a->isr, 0, "ISR before");
  TB_CHECK_EQ_CTX(t, b->isr, 0, "ISR after");
  for (unsigned v = 0; v < p->MSIX_VECTORS && v < MAXV; v++)
    for (unsigned i = 0; i < 4; i++)
      TB_CHECK_EQ_CTX(t, b->msix[v][i], a->msix[v][i], "MSI-X entry %u DW %u changed", v, i);
  for (unsigned i = 0; i < 2; i++)
    TB_CHECK_EQ_CTX(t, b->pba[i], a->pba[i], "PBA DW %u changed", i);
}

/* BAR0 assigned, every RW register away from its reset value, DRIVER_OK, MSI-X on with
 * config_msix_vector 0 unmasked: an aliased write changes a value, resets the device, or sends
 * a message. */
static void busy_state(tb_t *t, const tb_cfg_map_t *m) {
  const vep_params_t *p = &t->cfg.params;
  tb_rng_t *r = &t->rng;
  TB_REQUIRE(t, p->NUM_QUEUES <= MAXQ && p->MSIX_VECTORS <= MAXV, "parameters too large");
  tb_cfg_wr(t, 0x0C, 1, 0x10 | (tb_rand32(r) & 0xEF));           /* Cache Line Size */
  tb_cfg_wr(t, 0x3C, 1, 0x01 | (tb_rand32(r) & 0xFE));           /* Interrupt Line */
  if (m->pcicfg) {
    tb_cfg_wr(t, m->pcicfg + 4, 1, 1 + tb_rand_below(r, 5));       /* a bar != 0: inert */
    tb_cfg_wr(t, m->pcicfg + 8, 4, tb_rand32(r) | 1u);
    tb_cfg_wr(t, m->pcicfg + 12, 4, tb_rand32(r) | 1u);
  }
  tb_virtio_init(t, TB_FEATURES_OFFERED, 0);
  tb_bar_wr(t, 0x00, 4, 1);     /* device_feature_select */
  tb_bar_wr(t, 0x08, 4, 1);     /* driver_feature_select */
  tb_bar_wr(t, 0x10, 2, 0);     /* config_msix_vector */
  for (unsigned q = 0; q < p->NUM_QUEUES; q++) {
    tb_bar_wr(t, 0x16, 2, q);
    unsigned log2max = 0;
    while ((2u << log2max) <= p->QUEUE_SIZE_MAX) log2max++;
    tb_bar_wr(t, 0x18, 2, 1u << tb_rand_below(r, log2max + 1));
    tb_bar_wr(t, 0x1A, 2, q % p->MSIX_VECTORS);
    for (unsigned a = 0x20; a < 0x38; a += 4) tb_bar_wr(t, a, 4, tb_rand32(r) & ~0xFu);
    tb_bar_wr(t, 0x1C, 2, 1);
  }
  tb_bar_wr(t, 0x16, 2, p->NUM_QUEUES - 1);
  for (unsigned v = 0; v < p->MSIX_VECTORS; v++) tb_msix_entry_program(t, v, v != 0 && (v & 1));
  tb_msix_ctl(t, 1, 0);
  uint8_t s = tb_status_rd(t) | VEP_STATUS_DRIVER_OK;
  tb_status_wr(t, s);
  TB_REQUIRE(t, tb_status_rd(t) == s, "device_status 0x%02x after DRIVER_OK", tb_status_rd(t));
}

/* A random access size that fits at off inside [off, end) and is naturally aligned. */
static unsigned pick_size(tb_rng_t *r, unsigned off, unsigned end, unsigned max) {
  unsigned sizes[4], n = 0;
  for (unsigned s = 1; s <= max; s *= 2)
    if (off % s == 0 && off + s <= end) sizes[n++] = s;
  return sizes[tb_rand_below(r, n)];
}

TB_TEST(bar0_unimplemented, "Every unimplemented DW of BAR0 (common 0x38-0xFFC, ISR 0x1004-, "
                            "device 0x2024-, notify past the last doorbell, MSI-X table past "
                            "the last entry, PBA past its QWORDs, 0x6000-0x7FFC): all ones and "
                            "random values of random sizes written, every DW reads 0; no "
                            "implemented register changed (snapshot), no MSI-X message") {
  tb_setup_bar0(t);
  tb_cfg_map_t m;
  tb_cfg_spec_map(t, &m);
  busy_state(t, &m);
  snap_t before_s, after_s, *before = &before_s, *after = &after_s;
  snapshot(t, &m, before);
  tb_msi_clear(t);
  region_t r[7];
  unsigned nr = regions(&t->cfg.params, r);
  unsigned ndw = 0;
  for (int pass = 0; pass < 2; pass++) {
    for (unsigned i = 0; i < nr; i++) {
      unsigned end = region_end(&r[i]);
      for (unsigned off = r[i].base + r[i].used; off < end;) {
        unsigned size = pass == 0 ? 4u : pick_size(&t->rng, off, end, 8);
        uint64_t val = pass == 0 ? 0xFFFFFFFFull : tb_rand64(&t->rng);
        if (size < 8) val &= (1ull << (8 * size)) - 1u;
        tb_bar_wr(t, off, size, val);
        off += size;
      }
      for (unsigned off = r[i].base + r[i].used; off < end;) {
        unsigned size = pass == 0 ? 4u : pick_size(&t->rng, off, end, 8);
        if (size < 4) size = 4;  /* reads: every DW once, as a DW or within a QWORD */
        TB_CHECK_EQ_CTX(t, tb_bar_rd(t, off, size), 0, "BAR0+0x%04x size %u (%s, pass %d)", off,
                        size, r[i].name, pass);
        ndw += size / 4;
        off += size;
      }
    }
  }
  snapshot(t, &m, after);
  snap_compare(t, before, after, &m);
  tb_run(t, TB_IRQ_WAIT_CYCLES);
  TB_CHECK_EQ_CTX(t, t->nmsi, 0, "MSI-X messages during the unimplemented writes");
  /* 0x8000 bytes less what is implemented, twice. */
  unsigned used = 0;
  for (unsigned i = 0; i < nr; i++) used += r[i].used;
  TB_CHECK_EQ(t, ndw, 2 * (0x8000u - used) / 4);
}

TB_TEST(cfg_unimplemented, "Every configuration DW the spec table makes all hardwired-0 (BAR2-5, "
                           "CardBus 0x28, ROM 0x30, 0x38, PCIe slot/root registers, 0x7C, "
                           "0xEC-0xFC) and 0x100-0xFFC: all ones and random values of random "
                           "sizes written, every DW reads 0; no implemented register changed "
                           "(config and BAR0 snapshot)") {
  tb_setup_bar0(t);
  tb_cfg_map_t m;
  tb_cfg_spec_map(t, &m);
  busy_state(t, &m);
  /* The DWs: every all-zero DW of 0x00-0xFF by the spec table, and the extended space. */
  static const unsigned must[] = {0x18, 0x1C, 0x20, 0x24, 0x28, 0x30, 0x38, 0xEC, 0xF0, 0xFC};
  /* The Power Management capability (0xE4-0xEB) is implemented. */
  TB_CHECK_EQ(t, m.pm, 0xE4u);
  for (unsigned dw = 0xE4; dw < 0xEC; dw += 4) {
    tb_cfg_bits_t b = tb_cfg_spec_bits(&m, dw);
    TB_CHECK(t, !tb_cfg_spec_unimpl(&b), "spec table: PM DW 0x%02x is unimplemented", dw);
  }
  for (size_t i = 0; i < sizeof must / sizeof must[0]; i++) {
    tb_cfg_bits_t b = tb_cfg_spec_bits(&m, must[i]);
    TB_CHECK(t, tb_cfg_spec_unimpl(&b), "spec table: DW 0x%02x (%s) is not unimplemented",
             must[i], b.name);
  }
  snap_t before_s, after_s, *before = &before_s, *after = &after_s;
  snapshot(t, &m, before);
  tb_msi_clear(t);
  unsigned ndw = 0, nspace = 0;
  for (int pass = 0; pass < 2; pass++) {
    for (unsigned dw = 0; dw < 0x1000; dw += 4) {
      tb_cfg_bits_t b = tb_cfg_spec_bits(&m, dw);
      if (!tb_cfg_spec_unimpl(&b) || dw == m.skip) continue;
      nspace += pass == 0;
      for (unsigned off = dw; off < dw + 4;) {
        unsigned size = pass == 0 ? 4u : pick_size(&t->rng, off, dw + 4, 4);
        uint32_t val = pass == 0 ? 0xFFFFFFFFu : tb_rand32(&t->rng);
        if (size < 4) val &= (1u << (8 * size)) - 1u;
        tb_cfg_wr(t, off, size, val);
        off += size;
      }
      unsigned rsize = pass == 0 ? 4u : 1u << tb_rand_below(&t->rng, 3);
      for (unsigned off = dw; off < dw + 4; off += rsize)
        TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, off, rsize), 0, "config 0x%03x size %u (%s, pass %d)",
                        off, rsize, b.name, pass);
      ndw++;
    }
  }
  snapshot(t, &m, after);
  snap_compare(t, before, after, &m);
  TB_CHECK_EQ_CTX(t, t->nmsi, 0, "MSI-X messages during the unimplemented writes");
  TB_CHECK_EQ(t, ndw, 2 * nspace);
  TB_CHECK(t, nspace >= (0x1000u - 0x100u) / 4 + 7, "only %u unimplemented DWs", nspace);
}
