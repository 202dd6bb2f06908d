/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PCIe TLPs as the link carries them: encode to DWs, decode from DWs, print on one line.
 * Header DWs are 32-bit values as drawn in the PCIe Base Specification (DW0 bits [31:29] Fmt).
 * Payload DWs hold bytes little-endian: the byte at the lowest address in bits [7:0].
 */
#ifndef COSIM_TLP_H
#define COSIM_TLP_H

#include <stddef.h>
#include <stdint.h>

#define COSIM_TLP_MAX_DW 1024u          /* payload */
#define COSIM_TLP_MAX_TOTAL_DW (4u + COSIM_TLP_MAX_DW + 1u)

typedef enum {
  COSIM_TLP_KIND_MRD, COSIM_TLP_KIND_MRDLK, COSIM_TLP_KIND_MWR, COSIM_TLP_KIND_IORD,
  COSIM_TLP_KIND_IOWR, COSIM_TLP_KIND_CFGRD0, COSIM_TLP_KIND_CFGWR0, COSIM_TLP_KIND_CFGRD1,
  COSIM_TLP_KIND_CFGWR1, COSIM_TLP_KIND_CPL, COSIM_TLP_KIND_CPLD, COSIM_TLP_KIND_CPLLK,
  COSIM_TLP_KIND_CPLDLK, COSIM_TLP_KIND_MSG, COSIM_TLP_KIND_MSGD, COSIM_TLP_KIND_ATOMIC,
  COSIM_TLP_KIND_UNKNOWN
} cosim_tlp_kind_t;

typedef struct cosim_tlp {
  uint8_t fmt_type;     /* DW0 [31:24]: Fmt and Type, e.g. VEP_TLP_MRD64 */
  uint8_t tc;           /* traffic class */
  uint8_t attr;         /* {IDO, RO, NS} */
  uint8_t td, ep;       /* digest present, poisoned */
  uint16_t len_dw;      /* Length in DWs, 1..1024 (the field's 0 means 1024) */
  /* requests (memory, I/O, configuration, messages) */
  uint16_t req_id;
  uint16_t tag;         /* 10 bits */
  uint8_t first_be, last_be;
  uint64_t addr;        /* memory and I/O: byte address with [1:0] = 0 */
  uint16_t cfg_bdf;     /* configuration: target bus/device/function */
  uint16_t cfg_reg;     /* configuration: byte offset of the DW, [11:2] */
  uint8_t msg_code;     /* messages */
  /* completions */
  uint16_t cpl_id;      /* Completer ID */
  uint8_t status;       /* VEP_CPL_SC, _UR, _CRS, _CA */
  uint8_t bcm;
  uint16_t byte_count;  /* 1..4096 (the field's 0 means 4096) */
  uint8_t lower_addr;   /* 7 bits */
  /* cpl: req_id and tag above are the Requester ID and Tag copied from the request */
  uint32_t ndata;       /* payload DWs present (== len_dw when the Fmt has data, else 0) */
  uint32_t data[COSIM_TLP_MAX_DW];
} cosim_tlp_t;

cosim_tlp_kind_t cosim_tlp_kind(uint8_t fmt_type);
const char *cosim_tlp_kind_name(cosim_tlp_kind_t k);
/* A completion status as its PCIe abbreviation: SC, UR, CRS, CA, or "reserved". */
const char *cosim_tlp_status_name(unsigned st);
int cosim_tlp_has_data(uint8_t fmt_type);
int cosim_tlp_is_4dw(uint8_t fmt_type);
int cosim_tlp_is_posted(uint8_t fmt_type);

/* Encodes t into dws (header, payload, no digest). Returns the number of DWs, or -EINVAL when
 * t does not describe an encodable TLP (the reason in why, a static string, if not NULL).
 * t->td = 1 is encoded as it is, still without a digest: the TLP then announces a DW it lacks,
 * which decode and every receiver treat as malformed (tests use it to have a request dropped). */
int cosim_tlp_encode(const cosim_tlp_t *t, uint32_t *dws, size_t max, const char **why);
/* Decodes n DWs into t. Returns 0, or -EBADMSG for a malformed TLP (unknown Fmt/Type, DW count
 * not matching the header, Length other than 1 for Cfg/IO, ...) with the reason in why. */
int cosim_tlp_decode(const uint32_t *dws, size_t n, cosim_tlp_t *t, const char **why);
/* One line, like a protocol analyzer: "MRd64 req=0000 tag=012 addr=0x4000001000 len=1 be=f/0". */
void cosim_tlp_format(const cosim_tlp_t *t, char *buf, size_t len);

/* The bytes a memory request touches, from its address, Length and byte enables: returns their
 * number and sets *first_off to the offset of the first one from t->addr. Non-contiguous byte
 * enables (1- and 2-DW requests) count the bytes between the enabled ones. A zero-length read
 * (1 DW, First DW BE 0000) touches nothing: 0, *first_off 0 (its completion still carries one DW
 * with Byte Count 1). */
uint32_t cosim_tlp_byte_span(const cosim_tlp_t *t, unsigned *first_off);

/* Builders for the requests the root complex sends (fields not named are 0). */
void cosim_tlp_cfg(cosim_tlp_t *t, int write, uint16_t req_id, uint16_t tag, uint16_t bdf,
                   unsigned off, unsigned size, uint32_t val);
void cosim_tlp_mem(cosim_tlp_t *t, int write, uint16_t req_id, uint16_t tag, uint64_t addr,
                   unsigned size, uint64_t val);

#endif /* COSIM_TLP_H */
