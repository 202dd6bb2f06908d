/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_blk: the virtio-blk device function (rtl/vep_blk.sv, docs/datapath.md "vep_blk").
 *
 * A slot table of VEP_BLK_SLOTS requests, the segment memory that vep_vq_fetch fills
 * (slot*SEG_SLOTS + i, SEG_SLOTS = BLK_SEG_MAX + VEP_SEG_EXTRA), and two sequencers:
 * - the header issuer walks the hand-off FIFO ahead of the reader and reads the 16-byte headers
 *   of up to VEP_BLK_HDRQ slots over their readable segments (DMA read client 2), several reads
 *   in flight; rec_q records what each outstanding read is for (the engine answers in order);
 * - the reader takes slots in hand-off order: waits for the slot's header, checks it, sends the
 *   backend request (m_blk_req_*) and, for OUT, streams the data from DMA reads to
 *   m_blk_wdata_*; rejected requests get a local status;
 * - the writer takes backend responses (s_blk_rsp_*) first, then the local verdicts: writes IN /
 *   GET_ID data over the writable segments (DMA write client 2), then the status byte at the last
 *   writable byte, and hands the request to the done stage (pd_*), which waits for its wr_done
 *   strobes and offers done_* to vep_vq_used while the writer takes the next response.
 *   The slot is freed on the done handshake.
 * A request with fewer than 16 readable or no writable byte raises dev_err (VEP_ERR_BLK_HEADERS)
 * and frees its slot without a done.
 *
 * Timing (docs/microarchitecture.md): every output is a register; a valid/ready handshake commits
 * on the edge where both are 1. The device reset (dev_reset) frees every slot at once except
 * those whose backend request is outstanding (their response is dropped when it comes), ends an
 * OUT data stream with a last+abort beat, forgets its DMA reads (vep_dma_rd delivers nothing more
 * for them) and swallows the wr_done strobes of writes issued before it (counted in wr_drop_q).
 * All functions expect 1 <= BLK_SEG_MAX <= VEP_BLK_SEG_MAX_MAX.
 */
#ifndef VEP_BLK_H
#define VEP_BLK_H

#include <stdint.h>

#include "vep_ports.h"
#include "vep_types.h"

/* Array bound: chain_t.nseg is 8 bits, so a chain has at most 255 segments. */
#define VEP_BLK_SEG_MAX_MAX 253u
#define VEP_BLK_SEG_SLOTS_MAX (VEP_BLK_SEG_MAX_MAX + VEP_SEG_EXTRA)
/* Most DMA writes of the writer outstanding at a time (bounds its counter). */
#define VEP_BLK_MAX_OUT 15u
/* Most DMA reads (headers and OUT data) outstanding at a time: every header of the queue below
 * can be out at once. */
#define VEP_BLK_MAX_RD_OUT 31u
/* Headers the issuer may read ahead of the reader (entries of the header queue hq_*), a power
 * of two, at most VEP_BLK_SLOTS. */
#define VEP_BLK_HDRQ 16u
/* Entries of rec_q (>= VEP_BLK_MAX_RD_OUT + 1, a power of two). */
#define VEP_BLK_REC 32u
/* Slot numbers and header entries wrap with these; a slot mask holds VEP_BLK_SLOTS bits. */
#define VEP_BLK_SLOT_M (VEP_BLK_SLOTS - 1u)
#define VEP_BLK_HQ_M (VEP_BLK_HDRQ - 1u)
typedef uint16_t vep_blk_mask_t;

/* Reader states (rtl/vep_blk.sv rd_state_e). */
enum {
  BrIdle = 0,  /* waiting for a slot the issuer has taken */
  BrCheck,     /* header and status present? */
  BrSegRd,     /* OUT data: segment memory read of r_seg_q */
  BrSeg,       /* OUT data: cut the next DMA read from the segment in rseg_q */
  BrReq,       /* OUT data: rdq offered */
  BrWait,      /* waiting for the slot's header (entry hq_rd_q) */
  BrDecide,    /* header complete: verdict */
  BrBreq,      /* backend request offered */
  BrDrain      /* OUT data: every read issued (or aborted), waiting for the responses */
};

/* Header issuer states (rtl/vep_blk.sv hi_state_e). */
enum {
  HiIdle = 0,  /* next slot of the hand-off FIFO: allocate its header entry */
  HiSegRd,     /* segment memory read of h_seg_q */
  HiSeg,       /* cut the next header read from the segment in rseg_q */
  HiReq        /* rdq offered */
};

/* Writer states (rtl/vep_blk.sv wr_state_e). */
enum {
  BwIdle = 0,  /* s_blk_rsp_ready: a response's first beat, else a local verdict */
  BwSegRd,     /* segment memory read of w_seg_q */
  BwSeg,       /* cut the next DMA write from the segment in wseg_q */
  BwReq,       /* wrq offered */
  BwData,      /* wrd offered: a window of the held response beat */
  BwBeat,      /* s_blk_rsp_ready: the next beat of the response */
  BwDrain,     /* s_blk_rsp_ready: drop the response's beats up to its last */
  BwStRd,      /* segment memory read of the last writable segment */
  BwSt,        /* offer the 1-byte status write */
  BwStReq,     /* wrq of the status offered */
  BwStData,    /* wrd of the status offered */
  BwWait       /* status out: waiting for the done stage to take the request */
};

/* The segment memory (a RAM in RTL: not reset there; zero here). Kept out of the flops so the
 * model does not copy it every cycle: vep_blk_next reads it (registered reads see the contents
 * before this edge's write, as the RTL's RAM does) and then writes it in place. */
typedef struct vep_blk_mem {
  vep_seg_t seg_mem[VEP_BLK_SLOTS * VEP_BLK_SEG_SLOTS_MAX];
} vep_blk_mem_t;

/* The flops: same names as the _q signals of rtl/vep_blk.sv. Bit s of a vep_blk_mask_t is slot
 * s. */
typedef struct vep_blk_q {
  /* slot table */
  vep_blk_mask_t busy_q;       /* slot not free */
  vep_blk_mask_t bk_q;         /* backend request taken, its response's last beat not yet */
  vep_blk_mask_t zomb_q;       /* reset while bk: drop the response, then free */
  vep_blk_mask_t loc_q;        /* a local verdict (sl_st_q) waits for the writer */
  vep_blk_mask_t ioerr_q;      /* OUT data failed: the status is IOERR whatever the backend says */
  uint8_t sl_queue_q[VEP_BLK_SLOTS];
  uint16_t sl_head_q[VEP_BLK_SLOTS];
  uint8_t sl_nseg_q[VEP_BLK_SLOTS];
  uint8_t sl_nr_q[VEP_BLK_SLOTS];
  uint32_t sl_rb_q[VEP_BLK_SLOTS];
  uint32_t sl_wb_q[VEP_BLK_SLOTS];
  uint8_t sl_type_q[VEP_BLK_SLOTS];  /* type of the backend request */
  uint8_t sl_st_q[VEP_BLK_SLOTS];    /* local verdict */
  /* slot supply and chain hand-off */
  uint8_t slot_free_q;
  uint8_t slot_id_q;
  uint8_t chain_ready_q;
  uint8_t rf_q[VEP_BLK_SLOTS];  /* hand-off order FIFO of slots for the reader */
  uint8_t rf_rd_q, rf_wr_q, rf_cnt_q;
  uint8_t rf_iss_q;     /* next FIFO entry for the header issuer */
  uint8_t rf_icnt_q;    /* FIFO entries the issuer has not taken yet */
  /* header issuer */
  uint8_t h_st_q;
  uint8_t h_slot_q;
  uint8_t h_ent_q;      /* its header queue entry */
  uint8_t h_seg_q;
  uint32_t h_off_q;     /* stream offset of segment h_seg_q */
  uint8_t h_pos_q;      /* next header byte to request */
  /* header queue: one entry per slot taken by the issuer, freed by the reader's verdict */
  uint8_t hq_wr_q, hq_rd_q, hq_cnt_q;
  uint32_t hq_type_q[VEP_BLK_HDRQ];  /* header bytes 0..3 */
  uint64_t hq_sec_q[VEP_BLK_HDRQ];   /* header bytes 8..15 */
  uint8_t hq_n_q[VEP_BLK_HDRQ];      /* header bytes received */
  uint8_t hq_pend_q[VEP_BLK_HDRQ];   /* header reads issued, last beat not yet seen */
  vep_blk_mask_t hq_fin_q;           /* bit e: every header read of entry e issued */
  vep_blk_mask_t hq_err_q;           /* bit e: a header read of entry e failed */
  /* what each outstanding DMA read is for, in request order: bit VEP_BLK_HDRQ (log2) header,
   * the bits below it the entry */
  uint8_t rec_q[VEP_BLK_REC];
  uint8_t rec_rd_q, rec_wr_q;
  uint8_t d_out_q;      /* OUT data reads outstanding */
  /* reader */
  uint8_t r_st_q;
  uint8_t r_slot_q;
  uint8_t r_seg_q;
  uint32_t r_off_q;     /* stream offset of segment r_seg_q */
  uint32_t r_pos_q;     /* next stream byte to request */
  uint32_t r_lim_q;     /* end of this phase's stream range */
  uint8_t r_out_q;      /* reads issued (header and data), last beat not yet seen */
  uint8_t r_abort_q;    /* OUT data read failed: issue no more, swallow the rest */
  uint8_t r_wd_open_q;  /* OUT data stream open at the backend (no last yet) */
  vep_seg_t rseg_q;     /* registered read of the reader or the issuer */
  uint8_t rdq_valid_q;
  uint64_t rdq_addr_q;
  uint16_t rdq_len_q;
  uint8_t req_valid_q;
  uint8_t req_tag_q;
  uint8_t req_type_q;
  uint64_t req_sector_q;
  uint32_t req_bytes_q;
  uint8_t wd_valid_q;
  vep_wide_t wd_data_q;
  uint32_t wd_keep_q;   /* one bit per byte of the DATA_W word */
  uint8_t wd_last_q;
  uint8_t wd_abort_q;
  /* writer */
  uint8_t w_st_q;
  uint8_t w_slot_q;
  uint8_t w_seg_q;
  uint32_t w_off_q;     /* stream offset of segment w_seg_q (writable stream) */
  uint32_t w_pos_q;     /* next data byte to write */
  uint32_t w_dlen_q;    /* data bytes to write */
  uint16_t w_prem_q;    /* bytes of the current DMA write still to send */
  uint8_t w_status_q;
  uint8_t w_short_q;    /* the response had fewer beats than its data: IOERR */
  uint8_t w_open_q;     /* the response being written has more beats */
  vep_wide_t hb_data_q; /* the held response beat */
  uint8_t hb_pos_q;     /* its bytes already written (0..DATA_W/8) */
  uint8_t hb_last_q;
  /* The response beat after hb_*, taken while hb_* is being written, so that s_blk_rsp_ready
   * (registered) can stay high and the DMA write gets a beat every cycle. */
  uint8_t nb_valid_q;
  vep_wide_t nb_data_q;
  uint8_t nb_last_q;
  vep_seg_t wseg_q;     /* registered read of the writer */
  uint8_t wr_out_q;     /* writes issued, wr_done not yet seen */
  uint16_t wr_drop_q;   /* wr_done strobes from before a reset still to swallow */
  uint8_t rsp_ready_q;
  uint8_t wrq_valid_q;
  uint64_t wrq_addr_q;
  uint16_t wrq_len_q;
  uint8_t wrd_valid_q;
  vep_wide_t wrd_data_q;
  uint8_t wrd_lo_q;
  uint8_t wrd_n_q;
  /* done stage: the request whose status write is out, until its done is taken */
  uint8_t pd_valid_q;
  uint8_t pd_slot_q;
  uint32_t pd_len_q;    /* used length */
  uint8_t pd_need_q;    /* its writes still out (wr_done to come) */
  uint8_t done_valid_q;
  vep_done_t done_q;
  /* status */
  uint8_t dev_err_q;
  uint8_t dev_err_code_q;
  uint8_t idle_q;
} vep_blk_q_t;

typedef struct vep_blk_in {
  uint8_t dev_reset;         /* strobe: virtio device reset */
  uint64_t blk_capacity;     /* 512-byte sectors */
  uint8_t blk_ro;
  /* segment writes and chain hand-off from vep_vq_fetch */
  uint8_t seg_we;
  uint32_t seg_waddr;        /* slot*SEG_SLOTS + i */
  vep_seg_t seg_wdata;
  uint8_t chain_valid;
  vep_chain_t chain;
  /* DMA read client 2 */
  uint8_t rdq_ready;
  uint8_t rdr_valid;
  vep_wide_t rdr_data;       /* one DATA_W/8-byte-aligned word of host memory */
  uint8_t rdr_lo;
  uint8_t rdr_n;
  uint8_t rdr_last;
  uint8_t rdr_err;
  /* DMA write client 2 */
  uint8_t wrq_ready;
  uint8_t wrd_ready;
  uint8_t wr_done;
  uint8_t wr_err;
  /* backend */
  uint8_t m_blk_req_ready;
  uint8_t s_blk_rsp_valid;
  uint8_t s_blk_rsp_tag;
  vep_wide_t s_blk_rsp_data;
  uint8_t s_blk_rsp_last;
  uint8_t s_blk_rsp_status;
  /* vep_vq_used */
  uint8_t done_ready;
} vep_blk_in_t;

typedef struct vep_blk_out {
  uint8_t slot_free;
  uint8_t slot_id;
  uint8_t chain_ready;
  uint8_t rdq_valid;
  uint64_t rdq_addr;
  uint16_t rdq_len;          /* 1..4096 */
  uint8_t wrq_valid;
  uint64_t wrq_addr;
  uint16_t wrq_len;          /* 1..4096 */
  uint8_t wrd_valid;
  vep_wide_t wrd_data;
  uint8_t wrd_lo;
  uint8_t wrd_n;
  uint8_t m_blk_req_valid;
  uint8_t m_blk_req_tag;
  uint8_t m_blk_req_type;
  uint64_t m_blk_req_sector;
  uint32_t m_blk_req_bytes;
  uint8_t m_blk_wdata_valid;
  vep_wide_t m_blk_wdata_data;
  uint32_t m_blk_wdata_keep;  /* one bit per byte: a contiguous run */
  uint8_t m_blk_wdata_last;
  uint8_t m_blk_wdata_abort;
  uint8_t s_blk_rsp_ready;
  uint8_t done_valid;
  vep_done_t done;
  uint8_t dev_err;
  uint8_t dev_err_code;
  uint8_t idle;
  uint8_t bk_busy;      /* a backend request is outstanding (also from before a reset) */
} vep_blk_out_t;

/* Segments per slot, BLK_SEG_MAX + VEP_SEG_EXTRA. */
static inline unsigned vep_blk_seg_slots(const vep_params_t *p)
{
  return p->BLK_SEG_MAX + VEP_SEG_EXTRA;
}

/* Sets q to the values of the asynchronous reset (rst_ni low). */
void vep_blk_reset(vep_blk_q_t *q, vep_blk_mem_t *mem, const vep_params_t *p);
/* The outputs of the current cycle, from q only (the RTL's assigns). */
void vep_blk_outputs(const vep_blk_q_t *q, const vep_params_t *p, vep_blk_out_t *out);
/* The next state (the RTL's always_comb and the segment RAM write). *d must start as a copy
 * of *q. */
void vep_blk_next(const vep_blk_q_t *q, const vep_params_t *p, const vep_blk_in_t *in,
                  vep_blk_q_t *d, vep_blk_mem_t *mem);

#endif /* VEP_BLK_H */
