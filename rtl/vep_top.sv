// SPDX-License-Identifier: Apache-2.0
// vep_top: the virtio 1.x PCI endpoint (virtio-blk). TLP streams in and out, the straps of the
// storage backend, one clock, one asynchronous active-low reset. The port contract is
// docs/interface.md; the blocks and their timing, docs/microarchitecture.md. C twin:
// cmodel/vep_model.c.
//
// Every output is a function of registers only: no combinational path from an input to an output.
`default_nettype none

module vep_top #(
  parameter int unsigned DATA_W         = 64,   // TLP stream width in bits: 64 (128, 256 later)
  parameter int unsigned NUM_QUEUES     = 4,    // virtqueues, 1..64
  parameter int unsigned QUEUE_SIZE_MAX = 256,  // queue_size after reset: power of two, 1..32768
  parameter int unsigned MSIX_VECTORS   = 8,    // MSI-X table entries, 1..64
  // Outstanding read tags of the DMA engine, 1..256. Checked, but nothing uses it until the DMA
  // engine exists.
  parameter int unsigned DMA_TAGS       = 32,
  parameter int unsigned DEVICE_ID      = 2,    // virtio device ID: 2 = blk, the only one so far
  parameter int unsigned BLK_SEG_MAX    = 64,   // virtio-blk seg_max, >= 1
  parameter int unsigned BLK_SIZE       = 512   // virtio-blk blk_size in bytes, power of two >= 512
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,

  // ---- RX TLP stream, host to endpoint ----
  input  logic                 s_rx_valid,
  output logic                 s_rx_ready,
  input  logic [DATA_W-1:0]    s_rx_data,
  input  logic [DATA_W/32-1:0] s_rx_keep,
  input  logic                 s_rx_sop,
  input  logic                 s_rx_eop,

  // ---- TX TLP stream, endpoint to host ----
  output logic                 m_tx_valid,
  input  logic                 m_tx_ready,
  output logic [DATA_W-1:0]    m_tx_data,
  output logic [DATA_W/32-1:0] m_tx_keep,
  output logic                 m_tx_sop,
  output logic                 m_tx_eop,

  // ---- virtio-blk straps from the storage backend ----
  input  logic [63:0]          blk_capacity_i,  // in 512-byte sectors
  input  logic                 blk_ro_i,        // read-only medium

  // ---- virtio-blk backend (docs/datapath.md) ----
  output logic                 m_blk_req_valid,
  input  logic                 m_blk_req_ready,
  output logic [7:0]           m_blk_req_tag,
  output logic [7:0]           m_blk_req_type,
  output logic [63:0]          m_blk_req_sector,
  output logic [31:0]          m_blk_req_bytes,
  output logic                 m_blk_wdata_valid,   // no ready: one beat per cycle is taken
  output logic [DATA_W-1:0]    m_blk_wdata_data,
  output logic [DATA_W/8-1:0]  m_blk_wdata_keep,
  output logic                 m_blk_wdata_last,
  output logic                 m_blk_wdata_abort,
  input  logic                 s_blk_rsp_valid,
  output logic                 s_blk_rsp_ready,
  input  logic [7:0]           s_blk_rsp_tag,
  input  logic [DATA_W-1:0]    s_blk_rsp_data,
  input  logic                 s_blk_rsp_last,
  input  logic [7:0]           s_blk_rsp_status
);

  // ---- Parameter checks (the same rules as vep_model_check_params) ----
  if (DATA_W != 64) begin : gen_check_data_w
    $error("vep_top: DATA_W must be 64 (128 and 256 are not supported yet)");
  end
  if (NUM_QUEUES < 1 || NUM_QUEUES > 64) begin : gen_check_num_queues
    $error("vep_top: NUM_QUEUES must be 1..64");
  end
  if (QUEUE_SIZE_MAX < 1 || QUEUE_SIZE_MAX > 32768 ||
      (QUEUE_SIZE_MAX & (QUEUE_SIZE_MAX - 1)) != 0) begin : gen_check_queue_size_max
    $error("vep_top: QUEUE_SIZE_MAX must be a power of two in 1..32768");
  end
  if (MSIX_VECTORS < 1 || MSIX_VECTORS > 64) begin : gen_check_msix_vectors
    $error("vep_top: MSIX_VECTORS must be 1..64");
  end
  if (DMA_TAGS < 1 || DMA_TAGS > 256) begin : gen_check_dma_tags
    $error("vep_top: DMA_TAGS must be 1..256");
  end
  if (DEVICE_ID != 2) begin : gen_check_device_id
    $error("vep_top: DEVICE_ID must be 2 (virtio-blk, the only device so far)");
  end
  if (BLK_SEG_MAX < 1) begin : gen_check_blk_seg_max
    $error("vep_top: BLK_SEG_MAX must be >= 1");
  end
  if (BLK_SIZE < 512 || (BLK_SIZE & (BLK_SIZE - 1)) != 0) begin : gen_check_blk_size
    $error("vep_top: BLK_SIZE must be a power of two >= 512");
  end

  // ---- Front end: RX demux -> completer ----
  logic                req_valid;
  logic                req_ready;
  vep_pkg::req_t       req;

  // Register bus
  logic                reg_req;
  logic                reg_space;
  logic                reg_we;
  logic [14:0]         reg_addr;
  logic [3:0]          reg_be;
  logic [31:0]         reg_wdata;
  logic [31:0]         reg_rdata;
  logic [31:0]         cfg_rdata, common_rdata, isr_rdata, blk_rdata, msix_rdata;

  // Completer <-> configuration space
  logic                cmd_mem_en;
  logic [63:15]        bar0_base;
  logic [7:0]          cfgwin_bar;
  logic [31:0]         cfgwin_offset;
  logic [31:0]         cfgwin_length;
  logic [15:0]         completer_id;
  logic                ev_ur, ev_ca;
  logic                ev_malformed;   // vep_rx_demux -> vep_cfg_space: sets DevSta.FED

  // Completions and messages to the TX arbiter
  logic                cpl_valid, cpl_ready;
  vep_pkg::small_tlp_t cpl_tlp;
  logic                msg_valid, msg_ready;
  vep_pkg::small_tlp_t msg_tlp;
  logic                intx_valid, intx_ready;
  vep_pkg::small_tlp_t intx_tlp;

  // Between the register blocks
  logic                cmd_bus_master;
  logic                cmd_intx_dis;
  logic                msix_en, msix_fmask;
  logic                isr_pending;
  logic [63:0]         dev_features;
  logic                config_changed;
  logic [15:0]         config_vector;
  logic                dev_reset;
  logic                cfg_irq;

  // Outputs the next issues consume: the device status, the DMA engine (MPS, MRRS, extended
  // tags, RCB) and the ring walker (doorbells). Nothing reads them yet.
  /* verilator lint_off UNUSEDSIGNAL */
  logic [2:0]          mps;
  logic [2:0]          mrrs;
  logic                ext_tag_en;
  logic                rcb;
  logic [7:0]          dev_status;
  logic [NUM_QUEUES-1:0] doorbell;
  /* verilator lint_on UNUSEDSIGNAL */

  // Each block returns 0 unless the previous cycle's read hit it (the notify region reads 0).
  assign reg_rdata = cfg_rdata | common_rdata | isr_rdata | blk_rdata | msix_rdata;

  vep_rx_demux #(
    .DATA_W (DATA_W)
  ) u_rx_demux (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .s_rx_valid  (s_rx_valid),
    .s_rx_ready  (s_rx_ready),
    .s_rx_data   (s_rx_data),
    .s_rx_keep   (s_rx_keep),
    .s_rx_sop    (s_rx_sop),
    .s_rx_eop    (s_rx_eop),
    .req_valid_o (req_valid),
    .req_ready_i (req_ready),
    .req_o       (req),
    .ev_malformed_o (ev_malformed)
  );

  vep_completer u_completer (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .req_valid_i     (req_valid),
    .req_ready_o     (req_ready),
    .req_i           (req),
    .reg_req_o       (reg_req),
    .reg_space_o     (reg_space),
    .reg_we_o        (reg_we),
    .reg_addr_o      (reg_addr),
    .reg_be_o        (reg_be),
    .reg_wdata_o     (reg_wdata),
    .reg_rdata_i     (reg_rdata),
    .cmd_mem_en_i    (cmd_mem_en),
    .bar0_base_i     (bar0_base),
    .cfgwin_bar_i    (cfgwin_bar),
    .cfgwin_offset_i (cfgwin_offset),
    .cfgwin_length_i (cfgwin_length),
    .completer_id_o  (completer_id),
    .ev_ur_o         (ev_ur),
    .ev_ca_o         (ev_ca),
    .cpl_valid_o     (cpl_valid),
    .cpl_ready_i     (cpl_ready),
    .cpl_tlp_o       (cpl_tlp)
  );

  // ---- Register blocks ----
  vep_cfg_space #(
    .NUM_QUEUES   (NUM_QUEUES),
    .MSIX_VECTORS (MSIX_VECTORS),
    .DEVICE_ID    (DEVICE_ID)
  ) u_cfg_space (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .reg_req_i        (reg_req),
    .reg_space_i      (reg_space),
    .reg_we_i         (reg_we),
    .reg_addr_i       (reg_addr),
    .reg_be_i         (reg_be),
    .reg_wdata_i      (reg_wdata),
    .cfg_rdata_o      (cfg_rdata),
    .isr_pending_i    (isr_pending),
    .ev_ur_i          (ev_ur),
    .ev_ca_i          (ev_ca),
    .ev_malformed_i   (ev_malformed),
    .cmd_mem_en_o     (cmd_mem_en),
    .cmd_bus_master_o (cmd_bus_master),
    .cmd_intx_dis_o   (cmd_intx_dis),
    .bar0_base_o      (bar0_base),
    .mps_o            (mps),
    .mrrs_o           (mrrs),
    .ext_tag_en_o     (ext_tag_en),
    .rcb_o            (rcb),
    .msix_en_o        (msix_en),
    .msix_fmask_o     (msix_fmask),
    .cfgwin_bar_o     (cfgwin_bar),
    .cfgwin_offset_o  (cfgwin_offset),
    .cfgwin_length_o  (cfgwin_length)
  );

  vep_common_cfg #(
    .NUM_QUEUES     (NUM_QUEUES),
    .QUEUE_SIZE_MAX (QUEUE_SIZE_MAX),
    .MSIX_VECTORS   (MSIX_VECTORS)
  ) u_common_cfg (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .reg_req_i        (reg_req),
    .reg_space_i      (reg_space),
    .reg_we_i         (reg_we),
    .reg_addr_i       (reg_addr),
    .reg_be_i         (reg_be),
    .reg_wdata_i      (reg_wdata),
    .common_rdata_o   (common_rdata),
    .dev_features_i   (dev_features),
    .config_changed_i (config_changed),
    .dev_status_o     (dev_status),
    .config_vector_o  (config_vector),
    .dev_reset_o      (dev_reset),
    .cfg_irq_o        (cfg_irq)
  );

  vep_isr u_isr (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .reg_req_i     (reg_req),
    .reg_space_i   (reg_space),
    .reg_we_i      (reg_we),
    .reg_addr_i    (reg_addr),
    .reg_be_i      (reg_be),
    .reg_wdata_i   (reg_wdata),
    .isr_rdata_o   (isr_rdata),
    .cfg_irq_i     (cfg_irq),
    .dev_reset_i   (dev_reset),
    .isr_pending_o (isr_pending)
  );

  vep_blk_cfg #(
    .NUM_QUEUES  (NUM_QUEUES),
    .BLK_SEG_MAX (BLK_SEG_MAX),
    .BLK_SIZE    (BLK_SIZE)
  ) u_blk_cfg (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .reg_req_i        (reg_req),
    .reg_space_i      (reg_space),
    .reg_we_i         (reg_we),
    .reg_addr_i       (reg_addr),
    .reg_be_i         (reg_be),
    .reg_wdata_i      (reg_wdata),
    .blk_rdata_o      (blk_rdata),
    .blk_capacity_i   (blk_capacity_i),
    .blk_ro_i         (blk_ro_i),
    .dev_features_o   (dev_features),
    .config_changed_o (config_changed)
  );

  vep_notify #(
    .NUM_QUEUES (NUM_QUEUES)
  ) u_notify (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .reg_req_i   (reg_req),
    .reg_space_i (reg_space),
    .reg_we_i    (reg_we),
    .reg_addr_i  (reg_addr),
    .reg_be_i    (reg_be),
    .reg_wdata_i (reg_wdata),
    .dev_reset_i (dev_reset),
    .doorbell_o  (doorbell)
  );

  vep_msix #(
    .MSIX_VECTORS (MSIX_VECTORS)
  ) u_msix (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .reg_req_i       (reg_req),
    .reg_space_i     (reg_space),
    .reg_we_i        (reg_we),
    .reg_addr_i      (reg_addr),
    .reg_be_i        (reg_be),
    .reg_wdata_i     (reg_wdata),
    .msix_rdata_o    (msix_rdata),
    .msix_en_i       (msix_en),
    .msix_fmask_i    (msix_fmask),
    .bus_master_i    (cmd_bus_master),
    .completer_id_i  (completer_id),
    .cfg_irq_i       (cfg_irq),
    .config_vector_i (config_vector),
    .dev_reset_i     (dev_reset),
    .msg_valid_o     (msg_valid),
    .msg_ready_i     (msg_ready),
    .msg_tlp_o       (msg_tlp)
  );

  vep_intx u_intx (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .isr_pending_i  (isr_pending),
    .msix_en_i      (msix_en),
    .cmd_intx_dis_i (cmd_intx_dis),
    .completer_id_i (completer_id),
    .intx_valid_o   (intx_valid),
    .intx_ready_i   (intx_ready),
    .intx_tlp_o     (intx_tlp)
  );

  // ---- TX: completions, MSI-X and INTx messages ----
  vep_tx_arbiter #(
    .DATA_W (DATA_W)
  ) u_tx_arbiter (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .cpl_valid_i  (cpl_valid),
    .cpl_ready_o  (cpl_ready),
    .cpl_tlp_i    (cpl_tlp),
    .msg_valid_i  (msg_valid),
    .msg_ready_o  (msg_ready),
    .msg_tlp_i    (msg_tlp),
    .intx_valid_i (intx_valid),
    .intx_ready_o (intx_ready),
    .intx_tlp_i   (intx_tlp),
    .m_tx_valid   (m_tx_valid),
    .m_tx_ready   (m_tx_ready),
    .m_tx_data    (m_tx_data),
    .m_tx_keep    (m_tx_keep),
    .m_tx_sop     (m_tx_sop),
    .m_tx_eop     (m_tx_eop)
  );

  // ---- virtio-blk backend: driven by vep_blk (being integrated) ----
  assign m_blk_req_valid   = 1'b0;
  assign m_blk_req_tag     = '0;
  assign m_blk_req_type    = '0;
  assign m_blk_req_sector  = '0;
  assign m_blk_req_bytes   = '0;
  assign m_blk_wdata_valid = 1'b0;
  assign m_blk_wdata_data  = '0;
  assign m_blk_wdata_keep  = '0;
  assign m_blk_wdata_last  = 1'b0;
  assign m_blk_wdata_abort = 1'b0;
  assign s_blk_rsp_ready   = 1'b0;
  logic unused_blk_port;
  assign unused_blk_port = ^{m_blk_req_ready, s_blk_rsp_valid, s_blk_rsp_tag, s_blk_rsp_data,
                             s_blk_rsp_last, s_blk_rsp_status};

endmodule

`default_nettype wire
