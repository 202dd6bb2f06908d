/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What software may do to each bit of the configuration space, written from the PCI/PCIe and
 * virtio specifications (virtio-pcie-facts.md 11.9, 11.10, 5.2, 1.2, 1.5) for an endpoint with
 * the capabilities this one advertises. Deliberately NOT taken from include/vep_consts.h: the
 * write masks there are what the RTL implements, so a test that used them would pass whatever
 * they said. The only design inputs are the documented BAR0 size (docs/registers.md: 32 KiB) and
 * the capability bits the device itself advertises (Device/Link Capabilities, Device
 * Capabilities 2), from which the spec decides which control bits must be hardwired 0.
 *
 * Every bit of every DW falls in exactly one class:
 *   rw    written value sticks
 *   rw1c  reads a status; writing 1 clears it, writing 0 leaves it
 *   ro    read-only with any value (IDs, capabilities, status fields, pointers)
 *   zero  hardwired 0: reserved, unimplemented, or a control bit of a feature not advertised
 *   opt   the spec leaves the choice to the implementation ("permitted to hardwire"): either
 *         RW or read-only, but the same all the time
 *   pstate PM PMCSR PowerState: RW for the D-states PMC advertises (D0, D3hot always; D1, D2
 *         per PMC bits 25, 26); a write of any other state is discarded (PCI PM 1.2 5.4.1)
 */
#ifndef TB_CFG_SPEC_H
#define TB_CFG_SPEC_H

#include <stdint.h>

#include "tb.h"

typedef struct tb_cfg_bits {
  uint32_t rw, rw1c, ro, zero, opt, pstate;
  const char *name;             /* the register(s) in the DW */
} tb_cfg_bits_t;

#define TB_CFG_SPEC_DWS 64u     /* 0x00-0xFF; 0x100-0xFFF is all zero (no extended capability) */
#define TB_SPEC_BAR0_BYTES 0x8000u  /* docs/registers.md: one 64-bit, non-prefetchable 32 KiB BAR */

/* The map of 0x00-0xFF, built by walking the device's capability chain and laying the spec's
 * structure of each capability (by ID, and cfg_type for virtio) over it. */
typedef struct tb_cfg_map {
  tb_cfg_bits_t dw[TB_CFG_SPEC_DWS];
  unsigned pcie, msix, pcicfg, pm;  /* capability offsets (0: absent) */
  unsigned skip;                /* pci_cfg_data: a BAR access through the window, not a register */
  uint32_t devcap, lnkcap, devcap2;  /* as advertised: the map's conditions */
  uint32_t pmc;                 /* PM capability DW 0 (PMC in [31:16]): D1/D2 support */
} tb_cfg_map_t;

/* Walks the chain (bounded, checked) and builds the map; stops the test on a chain it cannot
 * lay the spec over (unknown capability, bad pointer). */
void tb_cfg_spec_map(tb_t *t, tb_cfg_map_t *m);
/* The bits of the DW at off (any offset < 4 KiB; DW aligned). */
tb_cfg_bits_t tb_cfg_spec_bits(const tb_cfg_map_t *m, unsigned off);

/* Whether every bit of b is all-zero class (an unimplemented DW). */
static inline int tb_cfg_spec_unimpl(const tb_cfg_bits_t *b) { return b->zero == 0xFFFFFFFFu; }

/* The PCI Express capability's control registers by the spec, given what the function
 * advertises (cfg_pcie_regs uses them on their own). 16-bit masks that together cover all 16 bits
 * (a control register has no RO or RW1C bits). Aux Power PM Enable is
 * hardwired 0: the function has no Aux power (PM capability PMC Aux_Current 0, no PME). */
typedef struct tb_cfg_ctl16 {
  uint16_t rw, zero, opt;
} tb_cfg_ctl16_t;
tb_cfg_ctl16_t tb_spec_devctl(uint32_t devcap);
tb_cfg_ctl16_t tb_spec_lnkctl(uint32_t lnkcap);
tb_cfg_ctl16_t tb_spec_devctl2(uint32_t devcap2);
#define TB_SPEC_CMD_RW 0x0546u  /* Command: Memory, Bus Master, Parity Error Response, SERR#,
                                 * Interrupt Disable (no I/O BAR: I/O Space hardwired 0) */

/* Opt-bit bookkeeping across a test: per DW, which opt bits were seen to take a written value
 * and which were seen to ignore one. Both for one bit is a violation. */
typedef struct tb_cfg_opt_seen {
  uint32_t took[TB_CFG_SPEC_DWS], kept[TB_CFG_SPEC_DWS];
} tb_cfg_opt_seen_t;

/* Checks the DW at off (< 0x100) after a write of val with byte enables be (bit per byte) over
 * the value `before`; `after` is what it reads now. Records failures at the caller's line. */
#define tb_cfg_spec_check(t, m, seen, off, before, val, be, after, ctx) \
  tb_cfg_spec_check_at((t), __FILE__, __LINE__, (m), (seen), (off), (before), (val), (be), \
                       (after), (ctx))
void tb_cfg_spec_check_at(tb_t *t, const char *file, int line, const tb_cfg_map_t *m,
                          tb_cfg_opt_seen_t *seen, unsigned off, uint32_t before, uint32_t val,
                          unsigned be, uint32_t after, const char *ctx);

#endif /* TB_CFG_SPEC_H */
