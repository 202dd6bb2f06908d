/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Configuration space: the Type 0 header's identity, and which bits software can change (and
 * which it cannot) by the spec table of tb_cfg_spec.c, not by the RTL's own masks.
 */
#include <string.h>

#include "tb.h"
#include "tb_cfg_spec.h"

TB_TEST(cfg_header, "Vendor/Device/Revision/Class/Subsystem IDs, header type, interrupt pin, "
                    "Status capability bit; byte, word and dword reads agree") {
  const vep_params_t *p = &t->cfg.params;
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_VENDOR_ID, 2), VEP_PCI_VENDOR_ID);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_DEVICE_ID, 2), VEP_PCI_DEVICE_ID_BASE + p->DEVICE_ID);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_REVISION, 1), VEP_PCI_REVISION_ID);
  uint32_t class_code = tb_cfg_rd(t, VEP_CFG_REVISION, 4) >> 8;
  TB_CHECK_EQ(t, class_code, p->DEVICE_ID == VEP_VIRTIO_ID_NET ? VEP_PCI_CLASS_NET_ETHERNET
                                                                : VEP_PCI_CLASS_STORAGE_SCSI);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_HEADER_TYPE, 1), 0x00);  /* type 0, single function */
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_SUBSYS_VENDOR, 2), VEP_PCI_SUBSYS_VENDOR_ID);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_SUBSYS_ID, 2), VEP_PCI_SUBSYS_ID);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_INT_PIN, 1), VEP_PCI_INT_PIN);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_CAP_PTR, 1), VEP_CAP_PCIE_OFF);
  uint32_t status = tb_cfg_rd(t, VEP_CFG_STATUS, 2);
  TB_CHECK(t, status & VEP_STS_CAP_LIST, "Status 0x%04x lacks Capabilities List", status);
  TB_CHECK_EQ(t, status & VEP_STS_RW1C, 0);  /* no error happened yet */
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_COMMAND, 2), 0);  /* decoders off after reset */
  /* The virtio identity rules (virtio 1.x 4.1.2), on the values the device returns and with the
   * specification's numbers, not the constants the endpoint itself is built from: vendor 0x1AF4,
   * modern device ID 0x1040 + virtio device ID, revision >= 1, subsystem ID >= 0x40. */
  uint32_t dev_id = tb_cfg_rd(t, VEP_CFG_DEVICE_ID, 2);
  TB_CHECK_EQ(t, tb_cfg_rd(t, VEP_CFG_VENDOR_ID, 2), 0x1AF4u);
  TB_CHECK_EQ(t, dev_id, 0x1040u + p->DEVICE_ID);
  TB_CHECK(t, dev_id >= 0x1040u && dev_id <= 0x107Fu, "device ID 0x%04x outside the modern range",
           dev_id);
  uint32_t rev = tb_cfg_rd(t, VEP_CFG_REVISION, 1);
  TB_CHECK(t, rev >= 1u, "revision %u: a non-transitional device should have >= 1", rev);
  uint32_t subsys = tb_cfg_rd(t, VEP_CFG_SUBSYS_ID, 2);
  TB_CHECK(t, subsys >= 0x40u, "subsystem ID 0x%04x: should be >= 0x40", subsys);

  /* The header through every access width: the bytes of each DW read alone, in pairs and as a
   * whole all agree (byte enables select lanes, not different registers). */
  for (unsigned off = 0; off < 0x40; off += 4) {
    if (off == VEP_CFG_BAR0 || off == VEP_CFG_BAR1) continue;  /* unassigned: still 0 */
    uint32_t dw = tb_cfg_rd(t, off, 4);
    for (unsigned b = 0; b < 4; b++)
      TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, off + b, 1), (dw >> (8 * b)) & 0xFFu, "byte 0x%02x",
                      off + b);
    for (unsigned h = 0; h < 2; h++)
      TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, off + 2 * h, 2), (dw >> (16 * h)) & 0xFFFFu,
                      "word 0x%02x", off + 2 * h);
  }
}

/* Sets both RW1C status bits this endpoint has sources for, so that the sweeps see them survive
 * zeros and clear on ones: Signaled Target Abort (Status bit 11) by a Completer Abort, URD (Device
 * Status bit 3) by an Unsupported Request. */
static void set_rw1c_bits(tb_t *t, const tb_cfg_map_t *m) {
  cosim_tlp_t req, cpl;
  cosim_tlp_mem(&req, 0, 0x0008, 3, TB_BAR0_ADDR, 4, 0);
  req.len_dw = 3;  /* a 3-DW read of BAR0: Completer Abort */
  req.last_be = 0xF;
  tb_send_tlp(t, &req, &cpl);
  TB_CHECK_EQ(t, cpl.status, VEP_CPL_CA);
  unsigned st;
  tb_mem_rd_st(t, TB_BAR0_ADDR + TB_SPEC_BAR0_BYTES, 4, &st);  /* past the BAR: UR */
  TB_CHECK_EQ(t, st, VEP_CPL_UR);
  TB_REQUIRE(t, tb_cfg_rd(t, 0x06, 2) & 0x0800u, "Signaled Target Abort not set by a CA");
  TB_REQUIRE(t, tb_cfg_rd(t, m->pcie + 0x0A, 2) & 0x0008u, "URD not set by a UR");
}

TB_TEST(cfg_readonly, "Every config DW 0x00-0xFF against the spec table (tb_cfg_spec.c), after "
                      "writing zeros, all ones, the old value and 256 random byte/word/DW "
                      "writes: RW bits take the value, RO bits keep it, hardwired-0 bits read 0, "
                      "RW1C bits (Signaled Target Abort, URD) survive 0 and clear on 1, optional "
                      "bits act as RW or hardwired; extended space reads 0") {
  tb_setup_bar0(t);
  tb_cfg_map_t m;
  tb_cfg_spec_map(t, &m);
  TB_REQUIRE(t, m.pcie != 0, "no PCI Express capability");
  tb_cfg_opt_seen_t seen;
  memset(&seen, 0, sizeof seen);
  set_rw1c_bits(t, &m);

  /* Zeros first (RW1C bits must survive them), then all ones (which clears them), then the RW
   * bits back. */
  for (unsigned off = 0; off < 0x100; off += 4) {
    if (off == m.skip) continue;  /* pci_cfg_data: a BAR access, tested in cfgwin/ */
    tb_cfg_bits_t b = tb_cfg_spec_bits(&m, off);
    uint32_t v0 = tb_cfg_rd(t, off, 4);
    tb_cfg_spec_check(t, &m, &seen, off, v0, 0, 0, v0, "as found");
    tb_cfg_wr(t, off, 4, 0);
    uint32_t v1 = tb_cfg_rd(t, off, 4);
    tb_cfg_spec_check(t, &m, &seen, off, v0, 0, 0xF, v1, "after writing zeros");
    tb_cfg_wr(t, off, 4, 0xFFFFFFFFu);
    uint32_t v2 = tb_cfg_rd(t, off, 4);
    tb_cfg_spec_check(t, &m, &seen, off, v1, 0xFFFFFFFFu, 0xF, v2, "after writing all ones");
    uint32_t back = v0 & (b.rw | b.opt | b.pstate);  /* RW1C bits written 0: unchanged */
    tb_cfg_wr(t, off, 4, back);
    tb_cfg_spec_check(t, &m, &seen, off, v2, back, 0xF, tb_cfg_rd(t, off, 4), "restoring");
  }
  /* Random writes of every size at every lane: a write reaches only its bytes. */
  for (int i = 0; i < 256; i++) {
    unsigned off = 4 * tb_rand_below(&t->rng, 0x40);
    if (off == m.skip) continue;
    unsigned size = 1u << tb_rand_below(&t->rng, 3);
    unsigned lane = tb_rand_below(&t->rng, 4 / size) * size;
    uint32_t w = tb_rand32(&t->rng);
    uint32_t wval = size == 4 ? w : w & ((1u << (8 * size)) - 1u);
    uint32_t before = tb_cfg_rd(t, off, 4);
    tb_cfg_wr(t, off + lane, size, wval);
    char ctx[48];
    snprintf(ctx, sizeof ctx, "after a %u-byte write at 0x%02x", size, off + lane);
    tb_cfg_spec_check(t, &m, &seen, off, before, wval << (8 * lane),
                      ((1u << size) - 1u) << lane, tb_cfg_rd(t, off, 4), ctx);
  }
  /* Extended configuration space: nothing there (an all-zero header ends the list at 0x100),
   * and writes do not create anything. Every DW is in cfg_unimplemented; samples here. */
  static const unsigned ext[] = {0x100, 0x104, 0x200, 0x400, 0x800, 0xFFC};
  for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
    tb_cfg_wr(t, ext[i], 4, 0xFFFFFFFFu);
    tb_cfg_spec_check(t, &m, NULL, ext[i], 0, 0xFFFFFFFFu, 0xF, tb_cfg_rd(t, ext[i], 4),
                      "extended space after writing all ones");
  }
}

TB_TEST(cfg_command_mask, "Command by the spec table: Memory Space, Bus Master, Parity Error "
                          "Response, SERR#, Interrupt Disable RW; I/O Space (no I/O BAR) and "
                          "bits that do not apply to PCIe hardwired 0; one bit at a time, random "
                          "words and bytes; Status stays 0x0010") {
  tb_cfg_map_t m;
  tb_cfg_spec_map(t, &m);
  const uint32_t rw = tb_cfg_spec_bits(&m, 0x04).rw & 0xFFFFu;
  TB_CHECK_EQ(t, rw, 0x0546u);  /* the table itself: bits 1, 2, 6, 8, 10 */
  TB_CHECK_EQ(t, tb_cfg_rd(t, 0x04, 2), 0);  /* decoders off after reset */
  tb_cfg_wr(t, 0x04, 2, 0xFFFF);
  TB_CHECK_EQ(t, tb_cfg_rd(t, 0x04, 2), rw);
  tb_cfg_wr(t, 0x04, 2, 0);
  TB_CHECK_EQ(t, tb_cfg_rd(t, 0x04, 2), 0);
  static const char *const names[16] = {
      "I/O Space", "Memory Space", "Bus Master", "Special Cycles", "MWI Enable",
      "VGA Palette Snoop", "Parity Error Response", "IDSEL Stepping", "SERR# Enable",
      "Fast Back-to-Back", "Interrupt Disable", "reserved 11", "reserved 12", "reserved 13",
      "reserved 14", "reserved 15"};
  for (unsigned bit = 0; bit < 16; bit++) {
    tb_cfg_wr(t, 0x04, 2, 1u << bit);
    TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, 0x04, 2), (1u << bit) & rw, "Command bit %u (%s) alone", bit,
                    names[bit]);
  }
  for (int i = 0; i < 32; i++) {
    uint32_t w = tb_rand32(&t->rng) & 0xFFFFu;
    /* Byte writes reach only their byte. */
    if (i & 1) {
      uint32_t old = tb_cfg_rd(t, 0x04, 2);
      unsigned b = tb_rand_below(&t->rng, 2);
      tb_cfg_wr(t, 0x04 + b, 1, (w >> (8 * b)) & 0xFF);
      uint32_t lane = 0xFFu << (8 * b);
      TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, 0x04, 2), (old & ~lane) | (w & lane & rw),
                      "byte %u write 0x%04x", b, w);
    } else {
      tb_cfg_wr(t, 0x04, 2, w);
      TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, 0x04, 2), w & rw, "write 0x%04x", w);
    }
    /* Capabilities List, and nothing else: no interrupt pending, no error signalled. */
    TB_CHECK_EQ(t, tb_cfg_rd(t, 0x06, 2), 0x0010u);
  }
}
