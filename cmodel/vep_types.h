/* SPDX-License-Identifier: Apache-2.0 */
/* Types crossing block boundaries inside the model: mirrors of the packed structs in
 * rtl/vep_pkg.sv, same names and fields. */
#ifndef VEP_TYPES_H
#define VEP_TYPES_H

#include <stdint.h>

#include "vep_consts.h"
#include "vep_ports.h"

/* vep_pkg::req_t: a request from the host, parsed by vep_rx_demux for vep_completer. */
typedef struct vep_req {
  uint8_t fmt_type;      /* DW0[31:24] */
  uint8_t tc;
  uint8_t attr;          /* {IDO, RO, NS} */
  uint8_t ep;
  uint16_t len_dw;       /* 1..1024 */
  uint16_t requester_id;
  uint16_t tag;          /* 10 bits */
  uint8_t last_be;
  uint8_t first_be;
  uint64_t addr;         /* memory/IO: byte address, [1:0] = 0; config: DW2 in [31:0] */
  uint64_t data;         /* first two payload DWs, first in [31:0]; 0 where absent */
} vep_req_t;

/* vep_pkg::small_tlp_t: a TLP of at most 2 payload DWs, from a block to vep_tx_arbiter. */
typedef struct vep_small_tlp {
  uint32_t hdr[4];       /* header DW i; DW3 unused for 3DW headers */
  uint8_t hdr_4dw;
  uint8_t data_dw;       /* 0..2 */
  uint32_t data[2];
} vep_small_tlp_t;

/* ---- Types of the data path (docs/datapath.md), mirrors of rtl/vep_pkg.sv ---- */

/* vep_pkg::cpl_hdr_t: the header fields of a completion (valid with rc_sop). */
typedef struct vep_cpl_hdr {
  uint16_t completer_id;
  uint8_t status;        /* 3 bits */
  uint16_t byte_count;   /* 1..4096 (the field's 0 decoded as 4096) */
  uint16_t requester_id;
  uint16_t tag;          /* 10 bits */
  uint8_t lower_addr;    /* 7 bits */
  uint16_t len_dw;       /* 0 for a Cpl; 1..1024 */
  uint8_t ep;
} vep_cpl_hdr_t;

/* vep_pkg::seg_t: one buffer of a descriptor chain. */
typedef struct vep_seg {
  uint64_t addr;
  uint32_t len;
  uint8_t write;
} vep_seg_t;

/* vep_pkg::chain_t: a fetched chain handed from vep_vq_fetch to vep_blk. */
typedef struct vep_chain {
  uint8_t slot;
  uint8_t q;             /* 6 bits */
  uint16_t head;
  uint8_t nseg;
  uint8_t nr;
  uint32_t r_bytes;
  uint32_t w_bytes;
} vep_chain_t;

/* vep_pkg::done_t: a finished request, from vep_blk to vep_vq_used. */
typedef struct vep_done {
  uint8_t q;
  uint16_t head;
  uint32_t len;
} vep_done_t;

/* A DATA_W-bit data field of a port inside the model (rc_data, rdr_data, wrd_data, tx_data, the
 * backend data): bits [64i+63:64i] in q[i], as in vep_ports.h; the words at and above DATA_W/64
 * are 0. A struct, so a port is copied by assignment. */
typedef struct vep_wide {
  uint64_t q[VEP_DATA_QWORDS];
} vep_wide_t;

/* vep_pkg::mem_req_hdr: the header of a memory request the device sends (MRd, or MWr when
 * write), TC 0, no attributes; 3DW below 4 GiB, 4DW above (hdr_4dw = addr >> 32 != 0); Length
 * and first/last byte enables from the byte address and length (1..4096, within one 4 KiB page);
 * Requester ID and tag. hdr[3] is 0 for a 3DW header. */
static inline void vep_mem_req_hdr(uint32_t hdr[4], int write, uint64_t addr, unsigned len,
                                   uint16_t req_id, uint8_t tag)
{
  unsigned off = (unsigned)addr & 3u;
  unsigned ndw = (off + len + 3u) >> 2;
  unsigned lastb = (off + len - 1u) & 3u;
  unsigned fbe = (0xFu << off) & 0xFu;
  unsigned lbe = 0xFu >> (3u - lastb);
  int is4 = (addr >> 32) != 0;
  if (ndw == 1) {
    fbe &= lbe;
    lbe = 0;
  }
  hdr[0] = (uint32_t)(write ? (is4 ? VEP_TLP_MWR64 : VEP_TLP_MWR32)
                            : (is4 ? VEP_TLP_MRD64 : VEP_TLP_MRD32)) << 24 | (ndw & 0x3FFu);
  hdr[1] = (uint32_t)req_id << 16 | (uint32_t)tag << 8 | lbe << 4 | fbe;
  hdr[2] = is4 ? (uint32_t)(addr >> 32) : ((uint32_t)addr & ~3u);
  hdr[3] = is4 ? ((uint32_t)addr & ~3u) : 0u;
}

/* The register bus from vep_completer to the register blocks (all registered). */
typedef struct vep_regbus {
  uint8_t reg_req;
  uint8_t reg_space;     /* 0 = configuration space, 1 = BAR0 */
  uint8_t reg_we;
  uint16_t reg_addr;     /* 15 bits, [1:0] = 0 */
  uint8_t reg_be;
  uint32_t reg_wdata;
} vep_regbus_t;

/* The BAR0 region a register-bus access addresses (reg_addr[14:12]), as each block decodes it. */
static inline unsigned vep_bar_region(const vep_regbus_t *b)
{
  return (b->reg_addr >> VEP_BAR_REGION_SHIFT) & 7u;
}

/* Whether the access is a BAR0 access to the region that starts at offset region_off. */
static inline int vep_bar_hit(const vep_regbus_t *b, uint32_t region_off)
{
  return b->reg_req && b->reg_space == 1 && vep_bar_region(b) == region_off >> VEP_BAR_REGION_SHIFT;
}

/* SystemVerilog's $clog2: the bits to count n values, 0 for n <= 1. */
static inline unsigned vep_clog2(unsigned n)
{
  unsigned w = 0;

  while (w < 32u && (1ull << w) < n) {
    w++;
  }
  return w;
}

/* The mask of the bytes a byte-enable nibble selects: byte i of the DW when be bit i is set. */
static inline uint32_t vep_be_mask(uint8_t be)
{
  uint32_t m = 0;
  for (unsigned i = 0; i < 4; i++) {
    if (be & (1u << i)) {
      m |= 0xFFu << (8 * i);
    }
  }
  return m;
}

/* vep_pkg::merge32: a register write changes only the bytes it enables, so the register's next
 * value is old with the enabled bytes of wdata. */
static inline uint32_t vep_merge32(uint32_t old, uint32_t wdata, uint8_t be)
{
  uint32_t m = vep_be_mask(be);
  return (old & ~m) | (wdata & m);
}

#endif /* VEP_TYPES_H */
