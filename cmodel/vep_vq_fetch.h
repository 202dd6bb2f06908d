/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_vq_fetch: the split-virtqueue avail ring and descriptor-chain walker
 * (rtl/vep_vq_fetch.sv, docs/datapath.md). Round robin over the queues with work, one chain per
 * visit: with nothing known, clear the doorbell and read avail.idx (with EVENT_IDX and nothing
 * new: write avail_event = last_avail, wait for its wr_done, read avail.idx once more); with work
 * and a free vep_blk slot, take the head from the head buffer (refilled by one read of up to
 * VEP_VQ_FETCH_HEADS available ring entries), then walk the descriptors from the descriptor
 * memory: two windows of VEP_VQ_FETCH_WIN descriptors (descriptor table, indirect table), each
 * filled by one read starting at a descriptor that missed. A window serves only chains at avail
 * positions before the avail index known when it was read (the driver writes descriptors before
 * publishing them). Each buffer is written as a segment at slot*SEG_SLOTS + n; the chain is
 * offered; last_avail advances on its handshake. A read-ahead beside the FSM (ra_st_q) reads
 * avail.idx and further ring entries of the head buffer's queue into consumed slots while chains
 * are walked; its read and the FSM's may both be outstanding (responses in request order: mo_q,
 * ro_q, first_q). While no vep_blk slot is free the FSM reads the window of the next buffered
 * chain whose head is outside window 0 (pre_q). A ring error strobes dev_err once and stops the block until dev_reset. A hand-off that uses up the
 * entries known from the last avail.idx read sets the queue's re-check bit (chk_q): it is visited
 * again without a doorbell, so that under EVENT_IDX entries published meanwhile (which the driver
 * does not notify) are fetched.
 *
 * Timing (docs/microarchitecture.md): outputs depend on q only. A visit starts on the edge after a
 * cycle in Idle with run and an eligible queue; its first request (rdq_valid) and the doorbell
 * clear strobe show in the next cycle. Each response's last beat is acted on at the edge of that
 * beat's cycle. A descriptor in a window takes two cycles (Look: memory read; Use: checked and
 * followed). The last seg_we and chain_valid rise in the same cycle.
 */
#ifndef VEP_VQ_FETCH_H
#define VEP_VQ_FETCH_H

#include <stdint.h>

#include "vep_ports.h"
#include "vep_types.h"

/* Array bound: the largest NUM_QUEUES the parameter checks accept. */
#define VEP_VQ_FETCH_QUEUES_MAX 64

/* Head buffer entries and descriptors per window (the RTL's Heads and Win). */
#define VEP_VQ_FETCH_HEADS 32u
#define VEP_VQ_FETCH_WIN 64u

/* Segments per chain: BLK_SEG_MAX + VEP_SEG_EXTRA (the RTL's SegSlots). */
#define VEP_VQ_FETCH_SEG_SLOTS(p) ((p)->BLK_SEG_MAX + VEP_SEG_EXTRA)

/* FSM states: the names and values of vep_pkg::fetch_state_e. */
typedef enum vep_fetch_state {
  FetchIdle = 0,     /* choosing a queue */
  FetchIdxReq = 1,   /* avail.idx: read request offered */
  FetchIdxRsp = 2,   /*   its response beats */
  FetchEvtReq = 3,   /* avail_event: write request offered */
  FetchEvtData = 4,  /*   its data beat offered */
  FetchEvtWait = 5,  /*   waiting for its wr_done */
  FetchRingReq = 6,  /* ring entry (head): read request offered */
  FetchRingRsp = 7,  /*   its response beats */
  FetchDescReq = 8,  /* descriptor: read request offered */
  FetchDescRsp = 9,  /*   its response beats */
  FetchChain = 10,   /* chain offered to vep_blk */
  FetchHalt = 11,    /* after a ring error: nothing until dev_reset */
  FetchDrain = 12,   /* a write taken before dev_reset: waiting for its wr_done */
  FetchHead = 13,    /* the next head looked up in the head buffer */
  FetchLook = 14,    /* a descriptor looked up in its window (memory read) */
  FetchUse = 15      /* the descriptor from the memory checked and followed */
} vep_fetch_state_t;

/* Read-ahead states (the RTL's Ra* localparams); it starts when the head buffer's queue has at
 * most VEP_FETCH_RA_LOW entries known (avail.idx read, at most once per VEP_FETCH_RA_STEP
 * hand-offs) or buffered (ring read). */
enum {
  VEP_FETCH_RA_IDLE = 0,
  VEP_FETCH_RA_IDX_REQ = 1,
  VEP_FETCH_RA_IDX_RSP = 2,
  VEP_FETCH_RA_RING_REQ = 3,
  VEP_FETCH_RA_RING_RSP = 4
};
#define VEP_FETCH_RA_LOW 16u
#define VEP_FETCH_RA_STEP 8u

/* The descriptor memory (a RAM in RTL: not reset there; zero here), 16 bytes per descriptor as in
 * host memory; entry {w, i}: descriptor i of window w. Kept out of the flops so the model does not
 * copy it every cycle: vep_vq_fetch_next reads it (into dram_q) and then writes it in place. */
typedef struct vep_vq_fetch_mem {
  uint8_t dmem[2 * VEP_VQ_FETCH_WIN][16];
} vep_vq_fetch_mem_t;

/* The flops: same names as the _q signals of rtl/vep_vq_fetch.sv. */
typedef struct vep_vq_fetch_q {
  uint8_t st_q;                                  /* vep_fetch_state_t */
  uint16_t last_avail_q[VEP_VQ_FETCH_QUEUES_MAX]; /* per queue: next avail entry to take */
  uint16_t avail_idx_q[VEP_VQ_FETCH_QUEUES_MAX];  /* per queue: driver's avail.idx as read */
  uint64_t chk_q;                                /* bit q: shadow used up, re-read avail.idx */
  uint8_t rr_q;                                  /* queue visited last */
  uint8_t qn_q;                                  /* queue of this visit */
  uint16_t size_q;                               /*   its queue_size */
  uint64_t desc_q;                               /*   its descriptor area */
  uint64_t avail_q;                              /*   its driver area */
  uint64_t used_q;                               /*   its device area */
  uint8_t second_q;                              /* avail_event written in this visit */
  uint64_t addr_q;                               /* the DMA request: address */
  uint16_t len_q;                                /*   and length (13 bits) */
  uint16_t wdata_q;                              /* avail_event value */
  uint8_t buf_q[24];                             /* response bytes, assembled (RTL buf_q) */
  uint8_t bcnt_q;                                /*   how many, 0..23 */
  uint8_t slot_q;                                /* vep_blk slot of this chain */
  uint16_t head_q;                               /* the chain's head */
  uint64_t base_q;                               /* table walked: q_desc or indirect table */
  uint32_t max_q;                                /*   its entries */
  uint8_t ind_q;                                 /*   it is an indirect table */
  uint32_t didx_q;                               /*   the descriptor to walk next */
  uint16_t vis_q;                                /* descriptors read in this table */
  uint8_t nseg_q;                                /* segments written */
  uint8_t nr_q;                                  /*   readable ones */
  uint8_t seen_w_q;                              /*   a writable one already */
  uint32_t rbytes_q;
  uint32_t wbytes_q;
  /* head buffer: ring entries of queue hq_q at avail positions hstart_q .. + hcnt_q - 1, the
   * entry of position p in slot p mod VEP_VQ_FETCH_HEADS */
  uint8_t hb_q[2 * VEP_VQ_FETCH_HEADS];
  uint8_t hq_q;
  uint16_t hstart_q;
  uint8_t hcnt_q;
  uint8_t boff_q;                                /* bytes of the read received */
  uint8_t hskip_q;                               /*   of them before the first entry */
  uint8_t hfill_q;                               /*   the first entry's slot */
  uint8_t hreq_q;                                /* entries read with avail.idx (0: none) */
  /* windows (0: descriptor table, 1: indirect table): entries wfirst .. + wcnt - 1 of the table
   * at wbase, read for queue wq when its avail index was waidx; wv: read complete */
  uint8_t wv_q[2];
  uint8_t wq_q[2];
  uint64_t wbase_q[2];
  uint32_t wfirst_q[2];
  uint8_t wcnt_q[2];
  uint16_t waidx_q[2];
  uint8_t dram_q[16];                            /* descriptor memory read register */
  /* read-ahead of the head buffer's queue while chains are walked (VEP_FETCH_RA_*); mo/ro: the
   * FSM's / the read-ahead's read outstanding, first_q: both, the read-ahead's is older */
  uint8_t ra_st_q;
  uint8_t ra_q_q;
  uint64_t ra_addr_q;
  uint16_t ra_len_q;
  uint8_t ra_m_q;                                /* ring entries it reads */
  uint16_t ra_buf_q;                             /* avail.idx bytes */
  uint8_t ra_bcnt_q;
  uint8_t ra_vld_q;                              /* ra_last_q holds a value */
  uint16_t ra_last_q;                            /* last_avail at its last idx read */
  uint8_t mo_q;
  uint8_t ro_q;
  uint8_t first_q;
  uint8_t pre_q;                                 /* window read ahead of the walk */
  uint8_t place_q;                               /* FetchDescReq, 1st cycle: no address yet */
  uint8_t seg_we_q;
  uint16_t seg_waddr_q;
  vep_seg_t seg_wdata_q;
  uint64_t db_clr_q;                             /* bit q: doorbell clear strobe */
  uint8_t dev_err_q;                             /* strobe */
  uint8_t err_code_q;                            /* VEP_ERR_* of the last error */
} vep_vq_fetch_q_t;

typedef struct vep_vq_fetch_in {
  uint8_t dev_reset;         /* strobe from vep_common_cfg */
  uint8_t run;               /* DRIVER_OK and not DEVICE_NEEDS_RESET */
  uint8_t feat_indirect;     /* VIRTIO_F_INDIRECT_DESC negotiated */
  uint8_t feat_event_idx;    /* VIRTIO_F_EVENT_IDX negotiated */
  uint64_t q_enable;         /* bit q: queue q enabled */
  uint16_t q_size[VEP_VQ_FETCH_QUEUES_MAX];
  uint64_t q_desc[VEP_VQ_FETCH_QUEUES_MAX];
  uint64_t q_avail[VEP_VQ_FETCH_QUEUES_MAX];
  uint64_t q_used[VEP_VQ_FETCH_QUEUES_MAX];
  uint64_t doorbell;         /* bit q: from vep_notify */
  uint8_t rdq_ready;         /* DMA read client 0 (registered in vep_dma_rd) */
  uint8_t rdr_valid;         /* a response beat of this client */
  uint64_t rdr_data;
  uint8_t rdr_lo;
  uint8_t rdr_n;
  uint8_t rdr_last;
  uint8_t rdr_err;
  uint8_t wrq_ready;         /* DMA write client 0 (registered in vep_dma_wr) */
  uint8_t wrd_ready;
  uint8_t wr_done;
  uint8_t wr_err;            /* with wr_done */
  uint8_t slot_free;         /* from vep_blk: slot_id is free, held until handed over */
  uint8_t slot_id;
  uint8_t chain_ready;       /* registered in vep_blk */
} vep_vq_fetch_in_t;

typedef struct vep_vq_fetch_out {
  uint64_t doorbell_clr;     /* bit q: strobe to vep_notify */
  uint8_t rdq_valid;
  uint64_t rdq_addr;
  uint16_t rdq_len;
  uint8_t wrq_valid;
  uint64_t wrq_addr;
  uint16_t wrq_len;
  uint8_t wrd_valid;
  uint64_t wrd_data;
  uint8_t wrd_lo;
  uint8_t wrd_n;
  uint8_t seg_we;            /* strobe: write seg_wdata at seg_waddr */
  uint16_t seg_waddr;        /* slot*SEG_SLOTS + n */
  vep_seg_t seg_wdata;
  uint8_t chain_valid;
  vep_chain_t chain;
  uint8_t dev_err;           /* strobe */
  uint8_t dev_err_code;      /* VEP_ERR_* with dev_err, else 0 */
  uint8_t idle;              /* no request outstanding, no chain in progress */
} vep_vq_fetch_out_t;

/* Sets q to the values of the asynchronous reset (rst_ni low). */
void vep_vq_fetch_reset(vep_vq_fetch_q_t *q, vep_vq_fetch_mem_t *mem, const vep_params_t *p);
/* The outputs of the current cycle, from q only (the RTL's assigns). */
void vep_vq_fetch_outputs(const vep_vq_fetch_q_t *q, const vep_params_t *p,
                          vep_vq_fetch_out_t *out);
/* The next state (the RTL's always_comb and the descriptor memory's write). *d must start as a
 * copy of *q. */
void vep_vq_fetch_next(const vep_vq_fetch_q_t *q, const vep_params_t *p,
                       const vep_vq_fetch_in_t *in, vep_vq_fetch_q_t *d,
                       vep_vq_fetch_mem_t *mem);

#endif /* VEP_VQ_FETCH_H */
