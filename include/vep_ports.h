/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The endpoint's ports and parameters: the one contract between rtl/vep_top.sv, the C model, and
 * cosim. Same names as the RTL ports and parameters. See docs/interface.md.
 *
 * Timing rule: every output is a function of the endpoint's registers only (no combinational path
 * from an input to an output). So a harness reads the outputs of cycle N, computes the inputs of
 * cycle N from them, and then clocks one rising edge; a valid/ready handshake completes on that
 * edge when both were 1 during cycle N.
 */
#ifndef VEP_PORTS_H
#define VEP_PORTS_H

#include <stdint.h>

#define VEP_DATA_W_MAX   256
#define VEP_DATA_QWORDS  (VEP_DATA_W_MAX / 64)

/* Parameters: the SystemVerilog parameters of vep_top, same names. */
typedef struct vep_params {
  unsigned DATA_W;          /* TLP stream width in bits: 64, 128 or 256 */
  unsigned NUM_QUEUES;      /* virtqueues, 1..64 */
  unsigned QUEUE_SIZE_MAX;  /* power of two, 1..32768: queue_size after reset */
  unsigned MSIX_VECTORS;    /* MSI-X table entries, 1..64 */
  unsigned DMA_TAGS;        /* outstanding read tags of the DMA engine, 1..256 */
  unsigned DEVICE_ID;       /* virtio device ID: 2 = blk (the only one so far) */
  unsigned BLK_SEG_MAX;     /* virtio-blk seg_max offered in the device configuration */
  unsigned BLK_SIZE;        /* virtio-blk blk_size (bytes) offered in the device configuration */
} vep_params_t;

/* The defaults used by `make run` and the regression. */
#define VEP_PARAMS_DEFAULT                                                             \
  ((vep_params_t){.DATA_W = 64, .NUM_QUEUES = 4, .QUEUE_SIZE_MAX = 256, .MSIX_VECTORS = 8, \
                  .DMA_TAGS = 32, .DEVICE_ID = 2, .BLK_SEG_MAX = 64, .BLK_SIZE = 512})

/* Inputs of one cycle. DW lane i of a stream is bits [32i+31:32i] of data, i.e. bits
 * [32(i%2)+31 : 32(i%2)] of data[i/2]; keep bit i says lane i is valid. */
typedef struct vep_in {
  uint8_t rst_ni;                       /* asynchronous, active low */
  /* RX TLP stream, host to endpoint */
  uint8_t s_rx_valid;
  uint8_t s_rx_sop;
  uint8_t s_rx_eop;
  uint8_t s_rx_keep;
  uint64_t s_rx_data[VEP_DATA_QWORDS];
  /* TX TLP stream, endpoint to host */
  uint8_t m_tx_ready;
  /* virtio-blk straps from the storage backend (static in a run; a change of capacity is a
   * device-configuration change) */
  uint64_t blk_capacity_i;              /* in 512-byte sectors */
  uint8_t blk_ro_i;                     /* read-only medium: offer VIRTIO_BLK_F_RO */
  /* virtio-blk backend (docs/datapath.md): request ready, and response beats */
  uint8_t m_blk_req_ready;
  uint8_t s_blk_rsp_valid;
  uint8_t s_blk_rsp_tag;
  uint64_t s_blk_rsp_data[VEP_DATA_QWORDS];
  uint8_t s_blk_rsp_last;
  uint8_t s_blk_rsp_status;             /* valid with last */
} vep_in_t;

/* Outputs of one cycle (functions of the registers only). */
typedef struct vep_out {
  uint8_t s_rx_ready;
  uint8_t m_tx_valid;
  uint8_t m_tx_sop;
  uint8_t m_tx_eop;
  uint8_t m_tx_keep;
  uint64_t m_tx_data[VEP_DATA_QWORDS];
  /* virtio-blk backend: requests, OUT write data (no ready), response ready */
  uint8_t m_blk_req_valid;
  uint8_t m_blk_req_tag;
  uint8_t m_blk_req_type;               /* VEP_BLK_T_* */
  uint64_t m_blk_req_sector;
  uint32_t m_blk_req_bytes;
  uint8_t m_blk_wdata_valid;
  uint64_t m_blk_wdata_data[VEP_DATA_QWORDS];
  uint32_t m_blk_wdata_keep;            /* one bit per byte: a contiguous run */
  uint8_t m_blk_wdata_last;
  uint8_t m_blk_wdata_abort;            /* with last: discard the request's data */
  uint8_t s_blk_rsp_ready;
} vep_out_t;

/* Port table for printing and comparing: name, width in bits, and where it lives. */
#define VEP_OUT_PORTS(X)          \
  X(s_rx_ready, 1)                \
  X(m_tx_valid, 1)                \
  X(m_tx_sop, 1)                  \
  X(m_tx_eop, 1)                  \
  X(m_tx_keep, 8)                 \
  X(m_blk_req_valid, 1)           \
  X(m_blk_req_tag, 8)             \
  X(m_blk_req_type, 8)            \
  X(m_blk_req_sector, 64)         \
  X(m_blk_req_bytes, 32)          \
  X(m_blk_wdata_valid, 1)         \
  X(m_blk_wdata_keep, 32)         \
  X(m_blk_wdata_last, 1)          \
  X(m_blk_wdata_abort, 1)         \
  X(s_blk_rsp_ready, 1)

#endif /* VEP_PORTS_H */
