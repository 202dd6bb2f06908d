// SPDX-License-Identifier: Apache-2.0
// vep_top: the virtio 1.x PCI endpoint (virtio-blk). TLP streams in and out, the straps of the
// storage backend, one clock, one asynchronous active-low reset. The port contract is
// docs/interface.md; the blocks and their timing, docs/microarchitecture.md. C twin:
// cmodel/vep_model.c.
//
// Every output is a function of registers only: no combinational path from an input to an output.
`default_nettype none

module vep_top #(
  parameter int unsigned DATA_W         = 64,   // TLP stream width in bits: 64, 128 or 256
  parameter int unsigned NUM_QUEUES     = 4,    // virtqueues, 1..64
  parameter int unsigned QUEUE_SIZE_MAX = 256,  // queue_size after reset: power of two, 1..32768
  parameter int unsigned MSIX_VECTORS   = 8,    // MSI-X table entries, 1..64
  // Outstanding read tags of the DMA engine, 1..256
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
  if (DATA_W != 64 && DATA_W != 128 && DATA_W != 256) begin : gen_check_data_w
    $error("vep_top: DATA_W must be 64, 128 or 256");
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
  // Completion stream vep_rx_demux -> vep_dma_rd.
  logic                rc_valid, rc_sop, rc_eop, rc_bad;
  vep_pkg::cpl_hdr_t   rc_hdr;
  logic [DATA_W-1:0]   rc_data;
  logic [$clog2(DATA_W/32):0] rc_ndw;

  // Completions and messages to the TX arbiter
  logic                cpl_valid, cpl_ready;
  // With Bus Master off, a completion waits while vep_dma_wr still hands over an MWr whose Bus
  // Master sample was taken before: so no MWr leaves after the completion of the configuration
  // write that cleared Bus Master Enable (the write reaches vep_dma_wr before its completion can
  // be taken). Bounded: with Bus Master off no new MWr starts.
  logic                wr_busy, cpl_hold, cpl_valid_held, cpl_ready_held;
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
  logic [NUM_QUEUES*16-1:0] q_vector;  // vep_common_cfg -> vep_msix: queue_msix_vector per queue

  // Per-queue registers and accepted features for the data path.
  logic [NUM_QUEUES-1:0]    q_enable;
  logic [NUM_QUEUES*16-1:0] q_size;
  logic [NUM_QUEUES*64-1:0] q_desc;
  logic [NUM_QUEUES*64-1:0] q_avail;
  logic [NUM_QUEUES*64-1:0] q_used;
  /* verilator lint_off UNUSEDSIGNAL */  // only the ring features matter to the data path
  logic [63:0]              drv_features;
  /* verilator lint_on UNUSEDSIGNAL */

  logic [2:0]          mps;
  logic [2:0]          mrrs;
  logic                ext_tag_en;
  /* verilator lint_off UNUSEDSIGNAL */  // the RCB concerns completers: the device only reads
  logic                rcb;
  /* verilator lint_on UNUSEDSIGNAL */
  /* verilator lint_off UNUSEDSIGNAL */  // the data path looks at DRIVER_OK and NEEDS_RESET
  logic [7:0]          dev_status;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [NUM_QUEUES-1:0] doorbell;
  // Doorbells rung by vep_rx_demux's fast path (a strobe): latched by vep_notify and, in the
  // same cycle, ORed with its doorbells for vep_vq_fetch, an OR of two blocks' registers like
  // reg_rdata's (docs/microarchitecture.md, "The doorbell path").
  logic [NUM_QUEUES-1:0] rx_ring, fetch_doorbell;

  // ---- The data path (docs/datapath.md) ----
  localparam int unsigned NCli     = vep_pkg::VEP_DMA_CLIENTS;
  localparam int unsigned SegSlots = BLK_SEG_MAX + vep_pkg::VEP_SEG_EXTRA;
  localparam int unsigned SegAw    = $clog2(vep_pkg::VEP_BLK_SLOTS * SegSlots);

  // Read engine: requests from the three clients, responses broadcast with the client number.
  logic [NCli-1:0]      rdq_valid, rdq_ready;
  logic [NCli*64-1:0]   rdq_addr;
  logic [NCli*13-1:0]   rdq_len;
  logic                 rdr_valid, rdr_last, rdr_err;
  logic [1:0]           rdr_client;
  // Bytes per DATA_W word: log2(DATA_W/8), the width of the engines' byte offsets (lo)
  localparam int unsigned WrdLw = $clog2(DATA_W / 8);
  logic [DATA_W-1:0]    rdr_data;        // vq_fetch, vq_used: an 8-byte word in [63:0]
  logic [WrdLw-1:0]     rdr_lo;
  logic [WrdLw:0]       rdr_n;
  logic [NCli-1:0]      rdr_valid_c;     // rdr_valid for the client it belongs to
  logic                 mrd_valid, mrd_ready;
  vep_pkg::small_tlp_t  mrd_tlp;
  logic                 ev_unexp_cpl;
  logic                 dma_rd_idle;

  // Write engine: client c's data windows in slice c of wrd_* (DATA_W bits, DATA_W/8 bytes)
  logic [NCli-1:0]         wrq_valid, wrq_ready, wrd_valid, wrd_ready, wr_done;
  logic [NCli*64-1:0]      wrq_addr;
  logic [NCli*13-1:0]      wrq_len;
  logic [NCli*DATA_W-1:0]  wrd_data;
  logic [NCli*WrdLw-1:0]   wrd_lo;
  logic [NCli*(WrdLw+1)-1:0] wrd_n;
  // vq_fetch and vq_used keep 64-bit windows at every DATA_W: zero-extended into their slices
  logic [63:0]             fetch_wrd_data, used_wrd_data;
  logic [2:0]              fetch_wrd_lo, used_wrd_lo;
  logic [3:0]              fetch_wrd_n, used_wrd_n;
  logic                    wr_err;
  logic                    wr_valid, wr_ready, wr_sop, wr_eop, wr_more;
  logic [DATA_W/32-1:0]    wr_keep;
  logic [DATA_W-1:0]       wr_data;
  logic                    dma_wr_idle;

  // Queues: doorbells cleared by vep_vq_fetch, interrupts from vep_vq_used
  logic [NUM_QUEUES-1:0]    doorbell_clr, q_irq;
  logic                     queue_irq;
  logic                     run;

  // Fetch -> blk -> used
  logic                 slot_free;
  logic [7:0]           slot_id;
  logic                 seg_we;
  logic [SegAw-1:0]     seg_waddr;
  vep_pkg::seg_t        seg_wdata;
  logic                 chain_valid, chain_ready;
  vep_pkg::chain_t      chain;
  logic                 done_valid, done_ready;
  vep_pkg::done_t       done;

  // Device errors: any of them sets DEVICE_NEEDS_RESET
  logic                 fetch_err, used_err, blk_err, dev_err;
  logic [7:0]           fetch_err_code, used_err_code, blk_err_code;
  logic                 fetch_idle, used_idle, blk_idle;
  logic                 blk_bk_busy;      // a device reset completes once this is 0

  assign dev_err   = fetch_err | used_err | blk_err;
  // Slices 0 and 1 (vq_fetch, vq_used) zero-extended; slice 2 is driven by vep_blk directly.
  assign wrd_data[0 +: 2*DATA_W]     = {DATA_W'(used_wrd_data), DATA_W'(fetch_wrd_data)};
  assign wrd_lo[0 +: 2*WrdLw]        = {WrdLw'(used_wrd_lo), WrdLw'(fetch_wrd_lo)};
  assign wrd_n[0 +: 2*(WrdLw+1)]     = {(WrdLw+1)'(used_wrd_n), (WrdLw+1)'(fetch_wrd_n)};
  assign queue_irq = |q_irq;
  assign run       = dev_status[2] && !dev_status[6];  // DRIVER_OK and not DEVICE_NEEDS_RESET
  for (genvar c = 0; c < NCli; c++) begin : gen_rdr_valid
    assign rdr_valid_c[c] = rdr_valid && (rdr_client == 2'(c));
  end

  // Each block returns 0 unless the previous cycle's read hit it (the notify region reads 0).
  assign reg_rdata = cfg_rdata | common_rdata | isr_rdata | blk_rdata | msix_rdata;

  assign fetch_doorbell = doorbell | rx_ring;

  vep_rx_demux #(
    .DATA_W     (DATA_W),
    .NUM_QUEUES (NUM_QUEUES)
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
    .ev_malformed_o (ev_malformed),
    .mps_i       (mps),
    .cmd_mem_en_i (cmd_mem_en),
    .bar0_base_i (bar0_base),
    .ring_o      (rx_ring),
    .rc_valid_o  (rc_valid),
    .rc_sop_o    (rc_sop),
    .rc_eop_o    (rc_eop),
    .rc_bad_o    (rc_bad),
    .rc_hdr_o    (rc_hdr),
    .rc_data_o   (rc_data),
    .rc_ndw_o    (rc_ndw)
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
    .cpl_ready_i     (cpl_ready_held),
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
    .dev_err_i        (dev_err),
    .reset_busy_i     (blk_bk_busy),
    .dev_status_o     (dev_status),
    .config_vector_o  (config_vector),
    .dev_reset_o      (dev_reset),
    .cfg_irq_o        (cfg_irq),
    .q_enable_o       (q_enable),
    .q_size_o         (q_size),
    .q_desc_o         (q_desc),
    .q_avail_o        (q_avail),
    .q_used_o         (q_used),
    .q_vector_o       (q_vector),
    .drv_features_o   (drv_features)
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
    .queue_irq_i   (queue_irq),
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
    .doorbell_clr_i (doorbell_clr),
    .ring_i      (rx_ring),
    .doorbell_o  (doorbell)
  );

  vep_msix #(
    .MSIX_VECTORS (MSIX_VECTORS),
    .NUM_QUEUES   (NUM_QUEUES)
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
    .q_irq_i         (q_irq),
    .q_vector_i      (q_vector),
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

  // ---- TX: completions, MSI-X and INTx messages, DMA reads and writes ----
  assign cpl_hold       = !cmd_bus_master && wr_busy;
  assign cpl_valid_held = cpl_valid && !cpl_hold;
  assign cpl_ready_held = cpl_ready && !cpl_hold;
  vep_tx_arbiter #(
    .DATA_W (DATA_W)
  ) u_tx_arbiter (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .cpl_valid_i  (cpl_valid_held),
    .cpl_ready_o  (cpl_ready),
    .cpl_tlp_i    (cpl_tlp),
    .msg_valid_i  (msg_valid),
    .msg_ready_o  (msg_ready),
    .msg_tlp_i    (msg_tlp),
    .intx_valid_i (intx_valid),
    .intx_ready_o (intx_ready),
    .intx_tlp_i   (intx_tlp),
    .mrd_valid_i  (mrd_valid),
    .mrd_ready_o  (mrd_ready),
    .mrd_tlp_i    (mrd_tlp),
    .wr_valid_i   (wr_valid),
    .wr_ready_o   (wr_ready),
    .wr_sop_i     (wr_sop),
    .wr_eop_i     (wr_eop),
    .wr_keep_i    (wr_keep),
    .wr_data_i    (wr_data),
    .wr_more_i    (wr_more),
    .completer_id_i (completer_id),
    .m_tx_valid   (m_tx_valid),
    .m_tx_ready   (m_tx_ready),
    .m_tx_data    (m_tx_data),
    .m_tx_keep    (m_tx_keep),
    .m_tx_sop     (m_tx_sop),
    .m_tx_eop     (m_tx_eop)
  );

  // ---- DMA engines ----
  vep_dma_rd #(
    .DATA_W   (DATA_W),
    .DMA_TAGS (DMA_TAGS)
  ) u_dma_rd (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .rdq_valid_i    (rdq_valid),
    .rdq_ready_o    (rdq_ready),
    .rdq_addr_i     (rdq_addr),
    .rdq_len_i      (rdq_len),
    .rdr_valid_o    (rdr_valid),
    .rdr_client_o   (rdr_client),
    .rdr_data_o     (rdr_data),
    .rdr_lo_o       (rdr_lo),
    .rdr_n_o        (rdr_n),
    .rdr_last_o     (rdr_last),
    .rdr_err_o      (rdr_err),
    .mrd_valid_o    (mrd_valid),
    .mrd_ready_i    (mrd_ready),
    .mrd_tlp_o      (mrd_tlp),
    .rc_valid_i     (rc_valid),
    .rc_sop_i       (rc_sop),
    .rc_eop_i       (rc_eop),
    .rc_bad_i       (rc_bad),
    .rc_hdr_i       (rc_hdr),
    .rc_data_i      (rc_data),
    .rc_ndw_i       (rc_ndw),
    .bus_master_i   (cmd_bus_master),
    .mrrs_i         (mrrs),
    .ext_tag_en_i   (ext_tag_en),
    .completer_id_i (completer_id),
    .dev_reset_i    (dev_reset),
    .ev_unexp_cpl_o (ev_unexp_cpl),
    .idle_o         (dma_rd_idle)
  );

  vep_dma_wr #(
    .DATA_W (DATA_W)
  ) u_dma_wr (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .wrq_valid_i    (wrq_valid),
    .wrq_ready_o    (wrq_ready),
    .wrq_addr_i     (wrq_addr),
    .wrq_len_i      (wrq_len),
    .wrd_valid_i    (wrd_valid),
    .wrd_ready_o    (wrd_ready),
    .wrd_data_i     (wrd_data),
    .wrd_lo_i       (wrd_lo),
    .wrd_n_i        (wrd_n),
    .wr_done_o      (wr_done),
    .wr_err_o       (wr_err),
    .tx_valid_o     (wr_valid),
    .tx_ready_i     (wr_ready),
    .tx_sop_o       (wr_sop),
    .tx_eop_o       (wr_eop),
    .tx_more_o      (wr_more),
    .tx_busy_o      (wr_busy),
    .tx_keep_o      (wr_keep),
    .tx_data_o      (wr_data),
    .bus_master_i   (cmd_bus_master),
    .mps_i          (mps),
    .completer_id_i (completer_id),
    .dev_reset_i    (dev_reset),
    .idle_o         (dma_wr_idle)
  );

  // ---- Virtqueues and the virtio-blk function ----
  vep_vq_fetch #(
    .NUM_QUEUES     (NUM_QUEUES),
    .QUEUE_SIZE_MAX (QUEUE_SIZE_MAX),
    .BLK_SEG_MAX    (BLK_SEG_MAX)
  ) u_vq_fetch (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .dev_reset_i      (dev_reset),
    .run_i            (run),
    .feat_indirect_i  (drv_features[vep_pkg::VEP_F_INDIRECT_DESC]),
    .feat_event_idx_i (drv_features[vep_pkg::VEP_F_EVENT_IDX]),
    .q_enable_i       (q_enable),
    .q_size_i         (q_size),
    .q_desc_i         (q_desc),
    .q_avail_i        (q_avail),
    .q_used_i         (q_used),
    .doorbell_i       (fetch_doorbell),
    .doorbell_clr_o   (doorbell_clr),
    .rdq_valid_o      (rdq_valid[0]),
    .rdq_ready_i      (rdq_ready[0]),
    .rdq_addr_o       (rdq_addr[0 +: 64]),
    .rdq_len_o        (rdq_len[0 +: 13]),
    .rdr_valid_i      (rdr_valid_c[0]),
    .rdr_data_i       (rdr_data[63:0]),
    .rdr_lo_i         (rdr_lo[2:0]),
    .rdr_n_i          (rdr_n[3:0]),
    .rdr_last_i       (rdr_last),
    .rdr_err_i        (rdr_err),
    .wrq_valid_o      (wrq_valid[0]),
    .wrq_ready_i      (wrq_ready[0]),
    .wrq_addr_o       (wrq_addr[0 +: 64]),
    .wrq_len_o        (wrq_len[0 +: 13]),
    .wrd_valid_o      (wrd_valid[0]),
    .wrd_ready_i      (wrd_ready[0]),
    .wrd_data_o       (fetch_wrd_data),
    .wrd_lo_o         (fetch_wrd_lo),
    .wrd_n_o          (fetch_wrd_n),
    .wr_done_i        (wr_done[0]),
    .wr_err_i         (wr_err),
    .slot_free_i      (slot_free),
    .slot_id_i        (slot_id),
    .seg_we_o         (seg_we),
    .seg_waddr_o      (seg_waddr),
    .seg_wdata_o      (seg_wdata),
    .chain_valid_o    (chain_valid),
    .chain_ready_i    (chain_ready),
    .chain_o          (chain),
    .dev_err_o        (fetch_err),
    .dev_err_code_o   (fetch_err_code),
    .idle_o           (fetch_idle)
  );

  vep_blk #(
    .BLK_SEG_MAX (BLK_SEG_MAX),
    .DATA_W      (DATA_W)
  ) u_blk (
    .clk_i             (clk_i),
    .rst_ni            (rst_ni),
    .dev_reset_i       (dev_reset),
    .blk_capacity_i    (blk_capacity_i),
    .blk_ro_i          (blk_ro_i),
    .slot_free_o       (slot_free),
    .slot_id_o         (slot_id),
    .seg_we_i          (seg_we),
    .seg_waddr_i       (seg_waddr),
    .seg_wdata_i       (seg_wdata),
    .chain_valid_i     (chain_valid),
    .chain_ready_o     (chain_ready),
    .chain_i           (chain),
    .rdq_valid_o       (rdq_valid[2]),
    .rdq_ready_i       (rdq_ready[2]),
    .rdq_addr_o        (rdq_addr[128 +: 64]),
    .rdq_len_o         (rdq_len[26 +: 13]),
    .rdr_valid_i       (rdr_valid_c[2]),
    .rdr_data_i        (rdr_data),
    .rdr_lo_i          (rdr_lo),
    .rdr_n_i           (rdr_n),
    .rdr_last_i        (rdr_last),
    .rdr_err_i         (rdr_err),
    .wrq_valid_o       (wrq_valid[2]),
    .wrq_ready_i       (wrq_ready[2]),
    .wrq_addr_o        (wrq_addr[128 +: 64]),
    .wrq_len_o         (wrq_len[26 +: 13]),
    .wrd_valid_o       (wrd_valid[2]),
    .wrd_ready_i       (wrd_ready[2]),
    // Client 2's slices at full width (the same bits as [128 +: 64], [6 +: 3], [8 +: 4] at 64).
    .wrd_data_o        (wrd_data[2*DATA_W +: DATA_W]),
    .wrd_lo_o          (wrd_lo[2*WrdLw +: WrdLw]),
    .wrd_n_o           (wrd_n[2*(WrdLw+1) +: WrdLw+1]),
    .wr_done_i         (wr_done[2]),
    .wr_err_i          (wr_err),
    .m_blk_req_valid   (m_blk_req_valid),
    .m_blk_req_ready   (m_blk_req_ready),
    .m_blk_req_tag     (m_blk_req_tag),
    .m_blk_req_type    (m_blk_req_type),
    .m_blk_req_sector  (m_blk_req_sector),
    .m_blk_req_bytes   (m_blk_req_bytes),
    .m_blk_wdata_valid (m_blk_wdata_valid),
    .m_blk_wdata_data  (m_blk_wdata_data),
    .m_blk_wdata_keep  (m_blk_wdata_keep),
    .m_blk_wdata_last  (m_blk_wdata_last),
    .m_blk_wdata_abort (m_blk_wdata_abort),
    .s_blk_rsp_valid   (s_blk_rsp_valid),
    .s_blk_rsp_ready   (s_blk_rsp_ready),
    .s_blk_rsp_tag     (s_blk_rsp_tag),
    .s_blk_rsp_data    (s_blk_rsp_data),
    .s_blk_rsp_last    (s_blk_rsp_last),
    .s_blk_rsp_status  (s_blk_rsp_status),
    .done_valid_o      (done_valid),
    .done_ready_i      (done_ready),
    .done_o            (done),
    .dev_err_o         (blk_err),
    .dev_err_code_o    (blk_err_code),
    .idle_o            (blk_idle),
    .bk_busy_o         (blk_bk_busy)
  );

  vep_vq_used #(
    .NUM_QUEUES (NUM_QUEUES)
  ) u_vq_used (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .dev_reset_i      (dev_reset),
    .run_i            (dev_status[2]),  // DRIVER_OK: requests fetched before an error finish
    .feat_event_idx_i (drv_features[vep_pkg::VEP_F_EVENT_IDX]),
    .q_size_i         (q_size),
    .q_avail_i        (q_avail),
    .q_used_i         (q_used),
    .done_valid_i     (done_valid),
    .done_ready_o     (done_ready),
    .done_i           (done),
    .rdq_valid_o      (rdq_valid[1]),
    .rdq_ready_i      (rdq_ready[1]),
    .rdq_addr_o       (rdq_addr[64 +: 64]),
    .rdq_len_o        (rdq_len[13 +: 13]),
    .rdr_valid_i      (rdr_valid_c[1]),
    .rdr_data_i       (rdr_data[63:0]),
    .rdr_lo_i         (rdr_lo[2:0]),
    .rdr_n_i          (rdr_n[3:0]),
    .rdr_last_i       (rdr_last),
    .rdr_err_i        (rdr_err),
    .wrq_valid_o      (wrq_valid[1]),
    .wrq_ready_i      (wrq_ready[1]),
    .wrq_addr_o       (wrq_addr[64 +: 64]),
    .wrq_len_o        (wrq_len[13 +: 13]),
    .wrd_valid_o      (wrd_valid[1]),
    .wrd_ready_i      (wrd_ready[1]),
    .wrd_data_o       (used_wrd_data),
    .wrd_lo_o         (used_wrd_lo),
    .wrd_n_o          (used_wrd_n),
    .wr_done_i        (wr_done[1]),
    .wr_err_i         (wr_err),
    .q_irq_o          (q_irq),
    .dev_err_o        (used_err),
    .dev_err_code_o   (used_err_code),
    .idle_o           (used_idle)
  );

  // The error codes and idle flags are for waveforms and debugging; nothing acts on them.
  logic unused_dbg;
  assign unused_dbg = ^{fetch_err_code, used_err_code, blk_err_code, fetch_idle, used_idle,
                        blk_idle, dma_rd_idle, dma_wr_idle, ev_unexp_cpl};

endmodule

`default_nettype wire
