/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The configuration-space spec table (tb_cfg_spec.h). Bit numbers and attributes are those of
 * the PCI Local Bus / PCI Express Base specifications (type 0 header, PCI Express capability v2,
 * MSI-X, PCI Power Management 1.2) and of virtio 1.x (virtio_pci_cap, virtio_pci_notify_cap,
 * virtio_pci_cfg_cap); the section of virtio-pcie-facts.md is given with each structure. No
 * VEP_* value is used.
 */
#include "tb_cfg_spec.h"

#include <string.h>

#define ALL 0xFFFFFFFFu
#define HI(x) ((uint32_t)(x) << 16)

/* One DW of a structure: offset inside it and its classes. */
typedef struct spec_dw {
  unsigned off;
  tb_cfg_bits_t b;
} spec_dw_t;

/* ---- Type 0 header (facts 11.9; PCIe Base 7.5.1) ---- */
static const spec_dw_t k_header[] = {
    {0x00, {.ro = ALL, .name = "Vendor ID / Device ID"}},
    /* Command: I/O Space hardwired 0 (no I/O BAR); Special Cycles, MWI, VGA Snoop, IDSEL
     * Stepping, Fast Back-to-Back do not apply to PCIe (hardwired 0); bits 15:11 reserved.
     * Status: Interrupt Status and Capabilities List RO; Master Data Parity Error, Signaled /
     * Received Target Abort, Received Master Abort, Signaled System Error, Detected Parity Error
     * RW1C; Immediate Readiness (0: not advertised), 66 MHz, Fast Back-to-Back, DEVSEL 0. */
    {0x04, {.rw = TB_SPEC_CMD_RW, .zero = (0xFFFFu & ~TB_SPEC_CMD_RW) | HI(0x06E7u),
            .ro = HI(0x0018u), .rw1c = HI(0xF900u), .name = "Command / Status"}},
    {0x08, {.ro = ALL, .name = "Revision ID / Class Code"}},
    /* Cache Line Size RW (no effect on PCIe); Latency Timer hardwired 0 on PCIe; Header Type RO;
     * BIST not capable: 0. */
    {0x0C, {.rw = 0x000000FFu, .ro = 0x00FF0000u, .zero = 0xFF00FF00u,
            .name = "Cache Line / Latency Timer / Header Type / BIST"}},
    /* 64-bit memory BAR: type bits RO, address bits below the size hardwired 0. */
    {0x10, {.ro = 0x0000000Fu, .zero = (TB_SPEC_BAR0_BYTES - 1u) & ~0xFu,
            .rw = ~(TB_SPEC_BAR0_BYTES - 1u), .name = "BAR0"}},
    {0x14, {.rw = ALL, .name = "BAR1 (upper half of BAR0)"}},
    {0x18, {.zero = ALL, .name = "BAR2 (not implemented)"}},
    {0x1C, {.zero = ALL, .name = "BAR3 (not implemented)"}},
    {0x20, {.zero = ALL, .name = "BAR4 (not implemented)"}},
    {0x24, {.zero = ALL, .name = "BAR5 (not implemented)"}},
    {0x28, {.zero = ALL, .name = "CardBus CIS Pointer (not supported)"}},
    {0x2C, {.ro = ALL, .name = "Subsystem Vendor ID / Subsystem ID"}},
    {0x30, {.zero = ALL, .name = "Expansion ROM BAR (no ROM)"}},
    {0x34, {.ro = 0x000000FFu, .zero = 0xFFFFFF00u, .name = "Capabilities Pointer / reserved"}},
    {0x38, {.zero = ALL, .name = "reserved"}},
    /* Interrupt Line RW; Interrupt Pin RO; Min_Gnt / Max_Lat do not apply to PCIe: 0. */
    {0x3C, {.rw = 0x000000FFu, .ro = 0x0000FF00u, .zero = 0xFFFF0000u,
            .name = "Interrupt Line / Interrupt Pin / Min_Gnt / Max_Lat"}},
};

/* ---- PCI Express capability control registers (facts 11.10; PCIe Base 7.5.3) ---- */
tb_cfg_ctl16_t tb_spec_devctl(uint32_t devcap) {
  tb_cfg_ctl16_t c = {0, 0, 0};
  c.rw |= 0x000F;   /* 3:0 error reporting enables (CERE, NFERE, FERE, URRE): required */
  /* 4 Enable Relaxed Ordering, 11 Enable No Snoop: a function that never sets the attribute
   * may hardwire them to 0; this one is a DMA requester (the virtqueues) and defaults them to 1,
   * as the spec's default value says: RW. */
  c.rw |= 0x0010 | 0x0800;
  /* 7:5 Max_Payload_Size: RW, unless only 128 B is supported (then permitted to be 000b). */
  if (devcap & 0x7u) c.rw |= 0x00E0; else c.opt |= 0x00E0;
  /* 8 Extended Tag Field Enable: RW when Extended Tag Field Supported, else may be 0. */
  if (devcap & 0x20u) c.rw |= 0x0100; else c.opt |= 0x0100;
  /* 9 Phantom Functions Enable: hardwired 0 unless Phantom Functions Supported [4:3] != 0. */
  if (devcap & 0x18u) c.rw |= 0x0200; else c.zero |= 0x0200;
  /* 10 Aux Power PM Enable: hardwired 0 for a function without Aux power (PMC Aux_Current 0,
   * no PME support). */
  c.zero |= 0x0400;
  c.rw |= 0x7000;   /* 14:12 Max_Read_Request_Size */
  /* 15 Initiate Function Level Reset: reads 0 always (and is reserved without FLR Capable). */
  c.zero |= 0x8000;
  return c;
}

tb_cfg_ctl16_t tb_spec_lnkctl(uint32_t lnkcap) {
  tb_cfg_ctl16_t c = {0, 0, 0};
  c.rw |= 0x0003;   /* 1:0 ASPM Control: RW */
  c.zero |= 0x0004; /* 2 reserved */
  c.opt |= 0x0008;  /* 3 RCB: endpoints may implement it, else hardwired 0 */
  c.zero |= 0x0030; /* 4 Link Disable, 5 Retrain Link: reserved for endpoints */
  c.rw |= 0x00C0;   /* 6 Common Clock Configuration, 7 Extended Synch */
  /* 8 Enable Clock Power Management: hardwired 0 unless Link Capabilities bit 18. */
  if (lnkcap & (1u << 18)) c.rw |= 0x0100; else c.zero |= 0x0100;
  c.opt |= 0x0200;  /* 9 Hardware Autonomous Width Disable: permitted to be hardwired 0 */
  /* 10, 11 bandwidth notification interrupt enables, 13:12 DRS signalling: downstream ports
   * only; 15:14 reserved. */
  c.zero |= 0xFC00;
  return c;
}

tb_cfg_ctl16_t tb_spec_devctl2(uint32_t devcap2) {
  tb_cfg_ctl16_t c = {0, 0, 0};
  /* 3:0 Completion Timeout Value: a function without programmable timeout ranges (Completion
   * Timeout Ranges Supported 0000b) must hardwire it to 0000b. */
  if (devcap2 & 0xFu) c.rw |= 0x000F; else c.zero |= 0x000F;
  /* 4 Completion Timeout Disable: RW when supported (DevCap2 bit 4), else 0. */
  if (devcap2 & 0x10u) c.rw |= 0x0010; else c.zero |= 0x0010;
  c.zero |= 0x0020; /* 5 ARI Forwarding Enable: downstream ports only */
  c.opt |= 0x0040;  /* 6 AtomicOp Requester Enable: RW if it can issue AtomicOps, else may be 0 */
  c.zero |= 0x0080; /* 7 AtomicOp Egress Blocking: ports only */
  c.opt |= 0x0300;  /* 8, 9 IDO Request / Completion Enable: permitted to be hardwired 0 */
  /* 10 LTR Mechanism Enable: hardwired 0 without LTR Mechanism Supported (DevCap2 bit 11). */
  if (devcap2 & (1u << 11)) c.rw |= 0x0400; else c.zero |= 0x0400;
  /* 11 Emergency Power Reduction Request: 0 without EPR support (DevCap2 24:23). */
  if (devcap2 & (3u << 23)) c.rw |= 0x0800; else c.zero |= 0x0800;
  /* 12 10-Bit Tag Requester Enable: RW with 10-Bit Tag Requester Supported (bit 17), else may
   * be hardwired 0. */
  if (devcap2 & (1u << 17)) c.rw |= 0x1000; else c.opt |= 0x1000;
  /* 14:13 OBFF Enable: 0 without OBFF Supported (DevCap2 19:18). */
  if (devcap2 & (3u << 18)) c.rw |= 0x6000; else c.zero |= 0x6000;
  c.zero |= 0x8000; /* 15 End-End TLP Prefix Blocking: ports only */
  return c;
}

/* The PCI Express capability v2 of an endpoint: 0x3C bytes. */
static void lay_pcie(tb_cfg_map_t *m, unsigned base) {
  tb_cfg_ctl16_t dc = tb_spec_devctl(m->devcap);
  tb_cfg_ctl16_t lc = tb_spec_lnkctl(m->lnkcap);
  tb_cfg_ctl16_t dc2 = tb_spec_devctl2(m->devcap2);
  /* Device Status: 3:0 CED/NFED/FED/URD RW1C; 4 AUX Power Detected, 5 Transactions Pending
   * RO; 6 Emergency Power Reduction Detected RW1C only with EPR support; rest reserved. */
  uint32_t devsta_rw1c = 0x000F | ((m->devcap2 & (3u << 23)) ? 0x0040u : 0u);
  uint32_t devsta_zero = 0xFFC0 & ~devsta_rw1c;
  /* Link Control 2 of a 2.5 GT/s-only link: Target Link Speed is permitted to be hardwired to
   * 0001b, and the compliance / margin / de-emphasis controls to 0. */
  int gen1_only = (m->lnkcap & 0xFu) == 1u;
  uint32_t lnkctl2_rw = gen1_only ? 0u : 0x000Fu;
  const spec_dw_t pcie[] = {
      {0x00, {.ro = ALL, .name = "PCIe Capability ID / Next / PCI Express Capabilities"}},
      {0x04, {.ro = ALL, .name = "Device Capabilities"}},
      {0x08, {.rw = dc.rw, .zero = dc.zero | HI(devsta_zero), .opt = dc.opt,
              .rw1c = HI(devsta_rw1c), .ro = HI(0x0030u), .name = "Device Control / Status"}},
      {0x0C, {.ro = ALL, .name = "Link Capabilities"}},
      /* Link Status: RO for an endpoint (its RW1C bandwidth bits are for downstream ports). */
      {0x10, {.rw = lc.rw, .zero = lc.zero, .opt = lc.opt, .ro = HI(0xFFFFu),
              .name = "Link Control / Status"}},
      /* Slot and Root registers: not implemented by an endpoint. */
      {0x14, {.zero = ALL, .name = "Slot Capabilities (endpoint: none)"}},
      {0x18, {.zero = ALL, .name = "Slot Control / Status (endpoint: none)"}},
      {0x1C, {.zero = ALL, .name = "Root Control / Capabilities (endpoint: none)"}},
      {0x20, {.zero = ALL, .name = "Root Status (endpoint: none)"}},
      {0x24, {.ro = ALL, .name = "Device Capabilities 2"}},
      {0x28, {.rw = dc2.rw, .zero = dc2.zero | HI(0xFFFFu), .opt = dc2.opt,
              .name = "Device Control 2 / Device Status 2"}},
      {0x2C, {.ro = ALL, .name = "Link Capabilities 2"}},
      {0x30, {.rw = lnkctl2_rw, .opt = 0xFFFFu & ~lnkctl2_rw, .ro = HI(0xFFFFu),
              .name = "Link Control 2 / Link Status 2"}},
      {0x34, {.zero = ALL, .name = "Slot Capabilities 2 (endpoint: none)"}},
      {0x38, {.zero = ALL, .name = "Slot Control 2 / Status 2 (endpoint: none)"}},
  };
  for (size_t i = 0; i < sizeof pcie / sizeof pcie[0]; i++)
    m->dw[(base + pcie[i].off) / 4] = pcie[i].b;
}

/* ---- MSI-X (facts 5.2): Message Control [10:0] Table Size RO, [13:11] reserved, [14] Function
 * Mask RW, [15] MSI-X Enable RW; Table and PBA Offset/BIR RO. ---- */
static const spec_dw_t k_msix[] = {
    {0x00, {.ro = 0x07FFFFFFu, .zero = HI(0x3800u), .rw = HI(0xC000u),
            .name = "MSI-X ID / Next / Message Control"}},
    {0x04, {.ro = ALL, .name = "MSI-X Table Offset / BIR"}},
    {0x08, {.ro = ALL, .name = "MSI-X PBA Offset / BIR"}},
};

/* ---- virtio vendor capabilities (facts 1.2, 1.5): all read-only, except in
 * virtio_pci_cfg_cap the driver's cap.bar (a byte), cap.offset, cap.length and pci_cfg_data.
 * ---- */
static const spec_dw_t k_vcap[] = {
    {0x00, {.ro = ALL, .name = "virtio cap_vndr / cap_next / cap_len / cfg_type"}},
    {0x04, {.ro = ALL, .name = "virtio bar / id / padding"}},
    {0x08, {.ro = ALL, .name = "virtio offset"}},
    {0x0C, {.ro = ALL, .name = "virtio length"}},
    {0x10, {.ro = ALL, .name = "virtio notify_off_multiplier"}},
};
static const spec_dw_t k_pcicfg[] = {
    {0x00, {.ro = ALL, .name = "PCI_CFG cap_vndr / cap_next / cap_len / cfg_type"}},
    {0x04, {.rw = 0x000000FFu, .ro = 0xFFFFFF00u, .name = "PCI_CFG bar / id / padding"}},
    {0x08, {.rw = ALL, .name = "PCI_CFG offset"}},
    {0x0C, {.rw = ALL, .name = "PCI_CFG length"}},
};

/* ---- PCI Power Management (PCI PM 1.2 3.2; PCIe Base 7.5.2): PMC all RO; PMCSR [1:0]
 * PowerState (pstate), [2] reserved, [3] NoSoft_Reset RO, [7:4] reserved, [8] PME_En (may be
 * hardwired 0 without PME support: opt), [12:9] Data_Select and [14:13] Data_Scale (0: no Data
 * register), [15] PME_Status (0: no PME support), [23:16] bridge extensions (0: not a bridge),
 * [31:24] Data (0). ---- */
static const spec_dw_t k_pm[] = {
    {0x00, {.ro = ALL, .name = "PM ID / Next / PMC"}},
    {0x04, {.pstate = 0x00000003u, .ro = 0x00000008u, .opt = 0x00000100u,
            .zero = 0xFFFFFEF4u, .name = "PMCSR / PMCSR_BSE / Data"}},
};

static void lay(tb_cfg_map_t *m, unsigned base, const spec_dw_t *s, size_t n) {
  for (size_t i = 0; i < n; i++) m->dw[(base + s[i].off) / 4] = s[i].b;
}

void tb_cfg_spec_map(tb_t *t, tb_cfg_map_t *m) {
  memset(m, 0, sizeof *m);
  for (unsigned i = 0; i < TB_CFG_SPEC_DWS; i++)
    m->dw[i] = (tb_cfg_bits_t){.zero = ALL, .name = "outside every capability"};
  lay(m, 0, k_header, sizeof k_header / sizeof k_header[0]);
  uint8_t claimed[TB_CFG_SPEC_DWS] = {0};
  memset(claimed, 1, 0x40 / 4);

  TB_REQUIRE(t, (tb_cfg_rd(t, 0x06, 2) & 0x0010u) != 0, "Status has no Capabilities List");
  unsigned ptr = tb_cfg_rd(t, 0x34, 1);
  for (unsigned n = 0; ptr != 0; n++) {
    TB_REQUIRE(t, n < 48, "more than 48 capabilities: the chain loops");
    TB_REQUIRE(t, ptr >= 0x40 && ptr <= 0xFC && (ptr & 3u) == 0,
               "capability pointer 0x%02x outside 0x40..0xFC or not DW aligned", ptr);
    uint32_t dw0 = tb_cfg_rd(t, ptr, 4);
    unsigned id = dw0 & 0xFFu, len = 0;
    const char *what = NULL;
    switch (id) {
      case 0x10:  /* PCI Express */
        m->pcie = ptr;
        m->devcap = tb_cfg_rd(t, ptr + 0x04, 4);
        m->lnkcap = tb_cfg_rd(t, ptr + 0x0C, 4);
        m->devcap2 = tb_cfg_rd(t, ptr + 0x24, 4);
        len = 0x3C;
        what = "PCI Express";
        break;
      case 0x11:  /* MSI-X */
        m->msix = ptr;
        len = 12;
        what = "MSI-X";
        break;
      case 0x09: {  /* vendor specific: virtio, by cfg_type */
        unsigned type = dw0 >> 24;
        TB_REQUIRE(t, type >= 1 && type <= 5, "virtio capability at 0x%02x: cfg_type %u has no "
                   "spec table here", ptr, type);
        len = (type == 2 || type == 5) ? 20u : 16u;
        if (type == 5) {
          m->pcicfg = ptr;
          m->skip = ptr + 0x10;
        }
        what = "virtio";
        break;
      }
      case 0x01:  /* PCI Power Management */
        m->pm = ptr;
        m->pmc = dw0;
        len = 8;
        what = "Power Management";
        break;
      default:
        TB_REQUIRE(t, 0, "capability ID 0x%02x at 0x%02x: no spec table for it (a new "
                   "capability needs its table in tb_cfg_spec.c)", id, ptr);
    }
    TB_REQUIRE(t, ptr + len <= 0x100, "%s capability at 0x%02x runs past 0xFF", what, ptr);
    for (unsigned o = ptr; o < ptr + len; o += 4) {
      TB_REQUIRE(t, !claimed[o / 4], "%s capability at 0x%02x overlaps DW 0x%02x", what, ptr, o);
      claimed[o / 4] = 1;
    }
    if (id == 0x10) lay_pcie(m, ptr);
    else if (id == 0x11) lay(m, ptr, k_msix, 3);
    else if (id == 0x01) lay(m, ptr, k_pm, 2);
    else if (m->pcicfg == ptr) lay(m, ptr, k_pcicfg, 4);
    else lay(m, ptr, k_vcap, len / 4);
    ptr = (dw0 >> 8) & 0xFFu;
  }
  /* Every DW's classes cover its 32 bits exactly once. */
  for (unsigned i = 0; i < TB_CFG_SPEC_DWS; i++) {
    const tb_cfg_bits_t *b = &m->dw[i];
    if (i * 4 == m->skip && m->skip) continue;
    uint32_t all = b->rw | b->rw1c | b->ro | b->zero | b->opt | b->pstate;
    uint32_t twice = (b->rw & (b->rw1c | b->ro | b->zero | b->opt | b->pstate)) |
                     (b->rw1c & (b->ro | b->zero | b->opt | b->pstate)) |
                     (b->ro & (b->zero | b->opt | b->pstate)) |
                     ((b->zero | b->pstate) & b->opt) | (b->zero & b->pstate);
    TB_REQUIRE(t, all == ALL && twice == 0, "spec table DW 0x%02x (%s): classes cover 0x%08x, "
               "overlap 0x%08x", i * 4, b->name, all, twice);
  }
}

tb_cfg_bits_t tb_cfg_spec_bits(const tb_cfg_map_t *m, unsigned off) {
  if (off / 4 < TB_CFG_SPEC_DWS) return m->dw[off / 4];
  return (tb_cfg_bits_t){.zero = ALL, .name = "extended configuration space (no capability)"};
}

void tb_cfg_spec_check_at(tb_t *t, const char *file, int line, const tb_cfg_map_t *m,
                          tb_cfg_opt_seen_t *seen, unsigned off, uint32_t before, uint32_t val,
                          unsigned be, uint32_t after, const char *ctx) {
  tb_cfg_bits_t b = tb_cfg_spec_bits(m, off & ~3u);
  uint32_t lanes = 0;
  for (unsigned i = 0; i < 4; i++)
    if (be >> i & 1u) lanes |= 0xFFu << (8 * i);
  /* Written lanes follow the class; the other lanes keep their value (zero bits read 0). */
  /* PowerState (pstate, bits 1:0 of its DW): a written supported state sticks, any other
   * write is discarded. */
  uint32_t pst = b.pstate;
  if (pst && (lanes & 0xFFu)) {
    unsigned s = val & 3u;
    int ok = s == 0 || s == 3 || (s == 1 && (m->pmc >> 25 & 1u)) ||
             (s == 2 && (m->pmc >> 26 & 1u));
    pst = ok ? 0 : pst;  /* supported: acts as rw below; else as ro */
  }
  uint32_t want = (lanes & (((b.rw | (b.pstate & ~pst)) & val) | (b.rw1c & before & ~val) |
                            ((b.ro | pst) & before))) |
                  (~lanes & before & ~b.zero);
  uint32_t bad = (after ^ want) & ~b.opt;
  /* An opt bit reads either what was written or what it was, and never both ways over a test. */
  uint32_t opt_w = b.opt & lanes;
  bad |= opt_w & (after ^ val) & (after ^ before);
  bad |= b.opt & ~lanes & (after ^ before);
  if (seen && off / 4 < TB_CFG_SPEC_DWS) {
    seen->took[off / 4] |= opt_w & (after ^ before);
    seen->kept[off / 4] |= opt_w & (after ^ val);
    bad |= seen->took[off / 4] & seen->kept[off / 4];
  }
  if (!bad) return;
  const char *cls = (bad & b.zero) ? "hardwired-0 bits read 1"
                    : (bad & b.rw) ? "RW bits did not take the write"
                    : (bad & b.pstate) ? "PowerState wrong (a supported state sticks, others "
                                         "are discarded)"
                    : (bad & b.rw1c) ? "RW1C bits wrong"
                    : (bad & b.ro) ? "RO bits changed"
                                   : "optional bits neither RW nor hardwired";
  tb_fail(t, file, line, "cfg DW 0x%03x (%s) %s: read 0x%08x, spec 0x%08x, bits 0x%08x (%s; "
          "was 0x%08x, wrote 0x%08x be 0x%x)", off & ~3u, b.name, ctx ? ctx : "", after, want,
          bad, cls, before, val, be);
}
