/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_dma_rd: the read DMA engine, C twin of rtl/vep_dma_rd.sv (docs/datapath.md).
 *
 * Requests of the three read clients (round robin; rdq_ready registered, one bit at most, up
 * whenever the cutter is free on the next cycle and parked on client 0 when none is valid; the
 * take edge already loads the first MRd when the MRd register is free) are cut into MRds of at most min(512, MRRS) bytes that never cross a boundary of that size. Each
 * MRd takes a tag, allocated in a circle (0..DMA_TAGS-1, or 0..31 without Extended Tag, which
 * is sampled only while no tag is outstanding); tags retire in allocation order, so responses
 * come back in request order. Completions (rc_* from vep_rx_demux) are checked against the tag
 * (Requester ID, status SC, not poisoned, Lower Address, Byte Count, Length) and their payload
 * stored in the completion buffer (L = DATA_W/32 banks of 32 bits, DW at host address bits
 * [8:2] of its tag's 512-byte area, bank = address bits [LW-1:2] with LW = log2(DATA_W/8); a
 * beat of up to L DWs writes each bank at most once). The oldest tag, once its completion has
 * ended, is read out one word per cycle as byte-window beats (rdr_*): a DATA_W/8-byte word for
 * client 2 (blk), an 8-byte word in rdr_data bits [63:0] for clients 0 and 1 at every DATA_W;
 * or it gives one error beat (rdr_err with rdr_last, n = 0) for its request; the later tags of
 * a failed request retire silently.
 *
 * A tag ends when a completion whose Byte Count says it is the last has ended (or one with a
 * status other than SC, or without data), when it has waited VEP_CPL_TIMEOUT_CYCLES as the
 * oldest, or when its MRd was withdrawn unsent (Bus Master off, device reset). It is free again
 * only when retired. Without Bus Master no MRd is issued: the request being cut ends with an
 * already-failed tag, in order. dev_reset stops cutting, drops a request taken on the same edge,
 * marks every outstanding tag "discard" (no beat) and stops a read-out in progress.
 *
 * Timing: outputs depend on q only. A response word appears two cycles after the completion
 * that ended the tag (one to see it ended and read the buffer, one for the registered read).
 */
#ifndef VEP_DMA_RD_H
#define VEP_DMA_RD_H

#include <stddef.h>
#include <stdint.h>

#include "vep_consts.h"
#include "vep_ports.h"
#include "vep_types.h"

/* The largest DMA_TAGS (vep_model_check_params enforces 1..256). */
#define VEP_DMA_RD_TAGS_MAX 256u
/* The completion buffer's DWs for the largest DMA_TAGS: 128 per tag (512 bytes). */
#define VEP_DMA_RD_DWS (VEP_DMA_RD_TAGS_MAX * 128u)
/* The most banks (DW lanes), at DATA_W 256. */
#define VEP_DMA_RD_BANKS_MAX (2u * VEP_DATA_QWORDS)

/* The registers of one tag (the RTL's per-tag vectors, bit or element t). */
typedef struct vep_dma_rd_tag {
  uint8_t busy_q;   /* allocated, not yet retired */
  uint8_t end_q;    /* its completion has ended (or timed out) */
  uint8_t fail_q;
  uint8_t disc_q;   /* the device reset came: deliver nothing */
  uint8_t last_q;   /* the last chunk of its request */
  uint8_t cli_q;
  uint16_t sa_q;    /* chunk start, host address [8:0] */
  uint16_t blen_q;  /* chunk bytes, 1..512 */
  uint16_t nxt_q;   /* next expected byte, host address [8:0] */
  uint16_t rem_q;   /* bytes still expected */
} vep_dma_rd_tag_t;

/* The flops: same names as the _q signals of rtl/vep_dma_rd.sv. The per-tag vectors are one
 * array of per-tag records, last, so that the registers in use (tags 0..DMA_TAGS-1) are one
 * prefix of the struct: vep_dma_rd_copy copies only that (tags >= DMA_TAGS stay 0 for ever). */
typedef struct vep_dma_rd_q {
  /* Tag circle */
  uint16_t head_q;                       /* next tag to allocate */
  uint16_t tail_q;                       /* oldest tag */
  uint16_t cnt_q;                        /* tags allocated and not retired */
  uint8_t ext_q;                         /* Extended Tag in use */
  /* Requests and the cutter */
  uint8_t rdq_ready_q;                   /* bit c: client c */
  uint8_t rr_q;                          /* client taken last */
  uint8_t cut_q;                         /* a request is being cut */
  uint64_t cut_addr_q;
  uint16_t cut_rem_q;
  uint8_t cut_cli_q;
  uint8_t mrd_valid_q;
  vep_small_tlp_t mrd_tlp_q;
  uint16_t mrd_tag_q;
  /* The completion streaming in */
  uint8_t cur_mt_q;                      /* it matched an open tag */
  uint8_t cur_ok_q;                      /* its header passed the checks: store its payload */
  uint8_t cur_fin_q;                     /* it ends the tag's completion */
  uint16_t cur_tag_q;
  uint8_t cur_dw_q;                      /* host address [8:2] of its next payload DW */
  uint8_t unexp_q;
  uint16_t to_q;                         /* cycles the oldest tag has waited */
  /* Retirement and the response register */
  uint8_t rt_rd_q;                       /* reading out the oldest tag */
  uint8_t rt_w_q;                        /* its next word, host address [8:3] */
  uint8_t rt_fail_q;                     /* the request has failed: silence until its last */
  uint8_t rd_v_q;
  uint8_t rd_cli_q;
  uint8_t rd_lo_q;
  uint8_t rd_n_q;
  uint8_t rd_sel_q;                      /* clients 0, 1: the 8-byte word of the row (0 at 64) */
  uint8_t rd_last_q;
  uint8_t rd_err_q;
  /* The read registers of the completion buffer: bank j in [j] (j < L) */
  uint32_t rdata_q[VEP_DMA_RD_BANKS_MAX];
  /* Per tag (must stay last: see vep_dma_rd_copy) */
  vep_dma_rd_tag_t tag[VEP_DMA_RD_TAGS_MAX];
} vep_dma_rd_q_t;

/* The completion buffer (block RAM in the RTL). Kept out of the flops so that the model does not
 * copy it every cycle: vep_dma_rd_next reads it (the registered read sees the contents before
 * this edge's writes, as the RTL's RAM does) and then writes it in place. */
/* The RTL's bank j, row {tag, a[6:LL]} (a = host address [8:2], LL = log2(L), j = a mod L) is
 * dw[tag * 128 + a]: the same cells, one index for every DATA_W. */
typedef struct vep_dma_rd_mem {
  uint32_t dw[VEP_DMA_RD_DWS];
} vep_dma_rd_mem_t;

typedef struct vep_dma_rd_in {
  uint8_t rdq_valid[VEP_DMA_CLIENTS];
  uint64_t rdq_addr[VEP_DMA_CLIENTS];    /* byte address */
  uint16_t rdq_len[VEP_DMA_CLIENTS];     /* 1..4096 bytes */
  uint8_t mrd_ready;                     /* from vep_tx_arbiter */
  /* Completion stream from vep_rx_demux */
  uint8_t rc_valid;
  uint8_t rc_sop;
  uint8_t rc_eop;
  uint8_t rc_bad;
  vep_cpl_hdr_t rc_hdr;
  vep_wide_t rc_data;                    /* payload DW k of the beat in lane k */
  uint8_t rc_ndw;                        /* 0..L */
  /* From vep_cfg_space / vep_completer / vep_common_cfg */
  uint8_t bus_master;
  uint8_t mrrs;
  uint8_t ext_tag_en;
  uint16_t completer_id;
  uint8_t dev_reset;
} vep_dma_rd_in_t;

typedef struct vep_dma_rd_out {
  uint8_t rdq_ready[VEP_DMA_CLIENTS];
  uint8_t rdr_valid;
  uint8_t rdr_client;
  vep_wide_t rdr_data;                   /* bytes outside lo..lo+n-1 are 0; clients 0, 1: q[0] */
  uint8_t rdr_lo;
  uint8_t rdr_n;                         /* 1..B (clients 0, 1: 1..8); 0 on an error beat */
  uint8_t rdr_last;
  uint8_t rdr_err;                       /* with rdr_last: the request failed */
  uint8_t mrd_valid;
  vep_small_tlp_t mrd_tlp;
  uint8_t ev_unexp_cpl;                  /* strobe: a completion for no open tag, dropped */
  uint8_t idle;
} vep_dma_rd_out_t;

/* Sets q to the values of the asynchronous reset, and the buffer to 0 (as the Verilated RAM). */
void vep_dma_rd_reset(vep_dma_rd_q_t *q, vep_dma_rd_mem_t *mem, const vep_params_t *p);
/* The outputs of the current cycle, from q only (the RTL's assigns). */
void vep_dma_rd_outputs(const vep_dma_rd_q_t *q, const vep_params_t *p, vep_dma_rd_out_t *out);
/* *d = *q for the registers p can use: what the model copies before vep_dma_rd_next (its
 * contract). The tags from DMA_TAGS up are never written (head, tail, the tag of a completion
 * that matched and the MRd's tag are all below DMA_TAGS), so they hold their reset value 0 in both
 * copies and are not copied: with DMA_TAGS 32 that is about 0.6 KB instead of 3.7 KB. */
void vep_dma_rd_copy(vep_dma_rd_q_t *d, const vep_dma_rd_q_t *q, const vep_params_t *p);
/* The bytes at the start of vep_dma_rd_q_t that vep_dma_rd_copy copies (the rest is 0). */
size_t vep_dma_rd_regs_bytes(const vep_params_t *p);
/* The next state (the RTL's always_comb) and the buffer's read and write on this edge. *d must
 * start as a copy of *q. */
void vep_dma_rd_next(const vep_dma_rd_q_t *q, const vep_params_t *p, const vep_dma_rd_in_t *in,
                     vep_dma_rd_q_t *d, vep_dma_rd_mem_t *mem);

#endif /* VEP_DMA_RD_H */
