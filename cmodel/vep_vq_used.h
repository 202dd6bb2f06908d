/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_vq_used: the used ring and the used-buffer notifications (rtl/vep_vq_used.sv,
 * docs/datapath.md). Dones from vep_blk go into a queue of VEP_VQ_USED_DEPTH entries whenever it
 * has room (also while a batch is in flight). A batch is the run of queued dones at the head that
 * belong to one virtqueue: its k elements {id = head, len} are written as consecutive slots from
 * q_used + 4 + 8*(old mod size) in one write (two when the batch crosses the ring's end), each
 * waited for (wr_done), then the used index old + k at q_used + 2, waited for; then the
 * suppression field's read is issued (DMA read client 1: used_event at q_avail + 4 + 2*size with
 * EVENT_IDX, else avail.flags) and the next batch goes on without waiting for its answer (up to
 * VEP_VQ_USED_READS reads in flight, answered in request order; with reads in flight a batch
 * waits for VEP_VQ_USED_BATCH_MIN queued dones). Each answer makes its batch's
 * one decision: q_irq[q] strobes if the driver wants an interrupt (vring_need_event(used_event,
 * old + k, old), or no NO_INTERRUPT). A DMA error strobes dev_err (VEP_ERR_USED_DMA), drops the
 * queued dones, stops the messages and freezes the used rings until dev_reset: dones are still
 * taken, and dropped. dev_reset forgets every index, the queued dones and the reads in flight; a
 * DMA write already taken is finished and its result swallowed.
 *
 * Timing (docs/microarchitecture.md): outputs depend on q only; done_ready is high while the
 * queue has room, and a batch starts (wrq_valid) in the cycle after the state is UsedIdle with
 * a done queued and the start rule above met.
 */
#ifndef VEP_VQ_USED_H
#define VEP_VQ_USED_H

#include <stdint.h>

#include "vep_ports.h"
#include "vep_types.h"

/* Array bound: the largest NUM_QUEUES the parameter checks accept. */
#define VEP_VQ_USED_QUEUES_MAX 64
/* The done queue: as deep as vep_blk has slots, so vep_blk never waits for it. */
#define VEP_VQ_USED_DEPTH VEP_BLK_SLOTS
/* Suppression reads in flight at once (RtDepth in the RTL). */
#define VEP_VQ_USED_READS 4u
/* While reads are in flight, a batch waits for this many dones (BatchMin in the RTL): fixed, not
 * half the depth, so that more vep_blk slots do not lengthen the batches. */
#define VEP_VQ_USED_BATCH_MIN 4u

/* FSM states: the names and values of vep_pkg::used_state_e. */
typedef enum vep_used_state {
  UsedIdle = 0,      /* no batch in flight */
  UsedElemReq = 1,   /* used elements: write request offered */
  UsedElemData = 2,  /*   their data beats offered */
  UsedElemWait = 3,  /*   waiting for its wr_done */
  UsedIdxReq = 4,    /* used index: write request offered */
  UsedIdxData = 5,   /*   its data beat offered */
  UsedIdxWait = 6,   /*   waiting for its wr_done */
  UsedEvtReq = 7     /* suppression field: read request offered (answered beside the next
                      * batches) */
} vep_used_state_t;

/* The flops: same names as the _q signals of rtl/vep_vq_used.sv. */
typedef struct vep_vq_used_q {
  uint8_t st_q;                                /* vep_used_state_t */
  uint8_t discard_q;                           /* the request in flight predates a dev_reset */
  uint8_t err_q;                               /* a DMA error: used rings frozen until reset */
  uint16_t used_idx_q[VEP_VQ_USED_QUEUES_MAX]; /* per queue: the next used index */
  uint8_t fq_qn_q[VEP_VQ_USED_DEPTH];          /* queued dones: queue, */
  uint16_t fq_head_q[VEP_VQ_USED_DEPTH];       /*   head, */
  uint32_t fq_len_q[VEP_VQ_USED_DEPTH];        /*   len */
  uint8_t fq_rd_q;                             /* the oldest queued done */
  uint8_t fq_wr_q;                             /* where the next done goes */
  uint8_t fq_n_q;                              /* dones queued */
  uint8_t qn_q;                                /* the batch's queue */
  uint16_t old_idx_q;                          /* its used index before the batch */
  uint16_t new_idx_q;                          /*   and after it */
  uint8_t bn_q;                                /* elements left in the current write */
  uint8_t rest_q;                              /* elements of the write after the wrap */
  uint16_t size_q;                             /* its queue_size */
  uint64_t avail_q;                            /* its driver area */
  uint64_t used_q;                             /* its device area */
  uint8_t evt_q;                               /* EVENT_IDX as at the batch's start */
  uint64_t addr_q;                             /* the DMA request in flight: address */
  uint16_t len_q;                              /*   and length (13 bits) */
  uint64_t wdata_q;                            /* the data beat of a write (lo = 0) */
  uint8_t wn_q;                                /*   its byte count */
  uint8_t rt_qn_q[VEP_VQ_USED_READS];          /* suppression reads in flight: queue, */
  uint16_t rt_old_q[VEP_VQ_USED_READS];        /*   used index before its batch, */
  uint16_t rt_new_q[VEP_VQ_USED_READS];        /*   and after it, */
  uint8_t rt_evt_q[VEP_VQ_USED_READS];         /*   EVENT_IDX (used_event, not flags) */
  uint8_t rt_rd_q;                             /* the oldest read in flight */
  uint8_t rt_wr_q;                             /* where the next read goes */
  uint8_t rt_n_q;                              /* reads in flight */
  uint16_t sup_q;                              /* the oldest read's field, assembled */
  uint8_t sup_n_q;                             /*   bytes of it received (0..2) */
  uint64_t q_irq_q;                            /* bit q: strobe */
  uint8_t dev_err_q;                           /* strobe */
} vep_vq_used_q_t;

typedef struct vep_vq_used_in {
  uint8_t dev_reset;         /* strobe from vep_common_cfg */
  uint8_t run;               /* device_status has DRIVER_OK */
  uint8_t feat_event_idx;    /* VIRTIO_F_EVENT_IDX negotiated */
  uint16_t q_size[VEP_VQ_USED_QUEUES_MAX];
  uint64_t q_avail[VEP_VQ_USED_QUEUES_MAX];
  uint64_t q_used[VEP_VQ_USED_QUEUES_MAX];
  uint8_t done_valid;        /* from vep_blk */
  vep_done_t done;
  uint8_t rdq_ready;         /* DMA read client 1 (registered in vep_dma_rd) */
  uint8_t rdr_valid;         /* a response beat of this client */
  uint64_t rdr_data;
  uint8_t rdr_lo;
  uint8_t rdr_n;
  uint8_t rdr_last;
  uint8_t rdr_err;
  uint8_t wrq_ready;         /* DMA write client 1 (registered in vep_dma_wr) */
  uint8_t wrd_ready;
  uint8_t wr_done;
  uint8_t wr_err;            /* with wr_done */
} vep_vq_used_in_t;

typedef struct vep_vq_used_out {
  uint8_t done_ready;
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
  uint64_t q_irq;            /* bit q: queue q's used-buffer notification (strobe) */
  uint8_t dev_err;           /* strobe */
  uint8_t dev_err_code;      /* VEP_ERR_USED_DMA with dev_err, else 0 */
  uint8_t idle;              /* nothing in flight, no strobe pending */
} vep_vq_used_out_t;

/* Sets q to the values of the asynchronous reset (rst_ni low). */
void vep_vq_used_reset(vep_vq_used_q_t *q, const vep_params_t *p);
/* The outputs of the current cycle, from q only (the RTL's assigns). */
void vep_vq_used_outputs(const vep_vq_used_q_t *q, const vep_params_t *p, vep_vq_used_out_t *out);
/* The next state (the RTL's always_comb). *d must start as a copy of *q. */
void vep_vq_used_next(const vep_vq_used_q_t *q, const vep_params_t *p, const vep_vq_used_in_t *in,
                      vep_vq_used_q_t *d);

#endif /* VEP_VQ_USED_H */
