// SPDX-License-Identifier: Apache-2.0
// vep_common_cfg: the virtio common configuration structure, BAR0 region 0 (docs/registers.md):
// feature selects and values, device status with FEATURES_OK validation and the device reset
// (a write of 0), config vector, queue_select and the per-queue registers of NUM_QUEUES queues,
// config_generation. Raises the configuration-change notification. Exports the per-queue
// registers and the accepted features to the data path, and takes its device-error strobe
// (DEVICE_NEEDS_RESET). C twin: cmodel/vep_common_cfg.c.
`default_nettype none

module vep_common_cfg #(
  parameter int unsigned NUM_QUEUES     = 4,    // virtqueues, 1..64
  parameter int unsigned QUEUE_SIZE_MAX = 256,  // queue_size after reset: a power of two
  parameter int unsigned MSIX_VECTORS   = 8     // MSI-X table entries: valid vectors 0..N-1
) (
  input  logic        clk_i,
  input  logic        rst_ni,

  // ---- Register bus from vep_completer ----
  input  logic        reg_req_i,
  input  logic        reg_space_i,
  input  logic        reg_we_i,
  input  logic [14:0] reg_addr_i,
  input  logic [3:0]  reg_be_i,
  input  logic [31:0] reg_wdata_i,
  output logic [31:0] common_rdata_o,

  // ---- Device function ----
  input  logic [63:0] dev_features_i,   // offered features, from vep_blk_cfg
  input  logic        config_changed_i, // strobe from vep_blk_cfg

  // ---- Data path ----
  input  logic        dev_err_i,        // strobe: a data-path error; sets DEVICE_NEEDS_RESET
  // The backend still owes answers to requests from before a device reset (vep_blk): the reset
  // is not complete until they are in, or a write from before it could land after it.
  input  logic        reset_busy_i,

  // ---- State exported to the other blocks ----
  output logic [7:0]  dev_status_o,
  output logic [15:0] config_vector_o,  // msix_config
  output logic        dev_reset_o,      // strobe: the driver wrote 0 to device_status
  output logic        cfg_irq_o,        // strobe: a configuration-change notification is due

  // ---- Per-queue registers and accepted features, to the data path (queue q in [W*q +: W]) ----
  output logic [NUM_QUEUES-1:0]    q_enable_o,     // queue_enable
  output logic [NUM_QUEUES*16-1:0] q_size_o,       // queue_size
  output logic [NUM_QUEUES*64-1:0] q_desc_o,       // queue_desc (descriptor area)
  output logic [NUM_QUEUES*64-1:0] q_avail_o,      // queue_driver (driver area: avail ring)
  output logic [NUM_QUEUES*64-1:0] q_used_o,       // queue_device (device area: used ring)
  output logic [NUM_QUEUES*16-1:0] q_vector_o,     // queue_msix_vector
  output logic [63:0]              drv_features_o  // driver_feature, selects 0 and 1
);

  if (NUM_QUEUES < 1 || NUM_QUEUES > 64) begin : gen_check_num_queues
    $error("vep_common_cfg: NUM_QUEUES must be 1..64");
  end
  if (QUEUE_SIZE_MAX < 1 || QUEUE_SIZE_MAX > 32768 ||
      (QUEUE_SIZE_MAX & (QUEUE_SIZE_MAX - 1)) != 0) begin : gen_check_queue_size_max
    $error("vep_common_cfg: QUEUE_SIZE_MAX must be a power of two in 1..32768");
  end
  if (MSIX_VECTORS < 1 || MSIX_VECTORS > 64) begin : gen_check_msix_vectors
    $error("vep_common_cfg: MSIX_VECTORS must be 1..64");
  end

  localparam logic [11:0] OffDfSelect = 12'h000;
  localparam logic [11:0] OffDf       = 12'h004;
  localparam logic [11:0] OffGfSelect = 12'h008;
  localparam logic [11:0] OffGf       = 12'h00C;
  localparam logic [11:0] OffMsix     = 12'h010;  // config_msix_vector, num_queues
  localparam logic [11:0] OffStatus   = 12'h014;  // device_status, config_generation, q_select
  localparam logic [11:0] OffQSize    = 12'h018;  // queue_size, queue_msix_vector
  localparam logic [11:0] OffQEnable  = 12'h01C;  // queue_enable, queue_notify_off
  localparam logic [11:0] OffQDescLo  = 12'h020;
  localparam logic [11:0] OffQDescHi  = 12'h024;
  localparam logic [11:0] OffQDrvLo   = 12'h028;
  localparam logic [11:0] OffQDrvHi   = 12'h02C;
  localparam logic [11:0] OffQDevLo   = 12'h030;
  localparam logic [11:0] OffQDevHi   = 12'h034;
  localparam logic [2:0]  Region      = 3'(vep_pkg::VEP_BAR_COMMON_OFF >> 12);

  localparam logic [7:0]  StsDriverOk   = 8'(vep_pkg::VEP_STATUS_DRIVER_OK);
  localparam logic [7:0]  StsFeaturesOk = 8'(vep_pkg::VEP_STATUS_FEATURES_OK);
  localparam logic [7:0]  StsNeedsReset = 8'(vep_pkg::VEP_STATUS_DEVICE_NEEDS_RESET);
  localparam logic [15:0] NoVector      = 16'(vep_pkg::VEP_MSI_NO_VECTOR);
  localparam logic [15:0] QSizeMax      = 16'(QUEUE_SIZE_MAX);
  localparam int unsigned FVersion1     = vep_pkg::VEP_F_VERSION_1;

  function automatic logic [15:0] merge16(logic [15:0] old, logic [15:0] wdata, logic [1:0] be);
    merge16 = old;
    if (be[0]) merge16[7:0] = wdata[7:0];
    if (be[1]) merge16[15:8] = wdata[15:8];
  endfunction

  // A vector the table does not have reads back as NO_VECTOR: the driver sees the mapping failed.
  function automatic logic [15:0] vec_map(logic [15:0] v);
    vec_map = (32'(v) < MSIX_VECTORS) ? v : NoVector;
  endfunction

  // ---- Registers ----
  logic [31:0]              dfselect_q, dfselect_d;
  logic [31:0]              gfselect_q, gfselect_d;
  logic [63:0]              gf_q, gf_d;
  logic                     gf_unknown_q, gf_unknown_d;
  logic [15:0]              msix_config_q, msix_config_d;
  logic [7:0]               status_q, status_d;
  logic [7:0]               cfg_gen_q, cfg_gen_d;
  logic [15:0]              queue_select_q, queue_select_d;
  // Per-queue registers, queue i in bits [W*i +: W]
  logic [NUM_QUEUES*16-1:0] queue_size_q, queue_size_d;
  logic [NUM_QUEUES*16-1:0] queue_msix_q, queue_msix_d;
  logic [NUM_QUEUES-1:0]    queue_enable_q, queue_enable_d;
  logic [NUM_QUEUES*64-1:0] queue_desc_q, queue_desc_d;
  logic [NUM_QUEUES*64-1:0] queue_driver_q, queue_driver_d;
  logic [NUM_QUEUES*64-1:0] queue_device_q, queue_device_d;
  logic                     dev_reset_q, dev_reset_d;
  // A reset in progress: device_status reads rst_old_q (its value before the write of 0) until
  // reset_busy_i drops (virtio: the device presents 0 once the reset is done).
  logic                     rst_busy_q, rst_busy_d;
  logic [7:0]               rst_old_q, rst_old_d;
  logic                     cfg_irq_q, cfg_irq_d;
  logic [31:0]              common_rdata_q, common_rdata_d;

  // ---- Outputs: functions of the registers only ----
  assign common_rdata_o  = common_rdata_q;
  assign dev_status_o    = status_q;
  assign config_vector_o = msix_config_q;
  assign dev_reset_o     = dev_reset_q;
  assign cfg_irq_o       = cfg_irq_q;
  assign q_enable_o      = queue_enable_q;
  assign q_size_o        = queue_size_q;
  assign q_desc_o        = queue_desc_q;
  assign q_avail_o       = queue_driver_q;
  assign q_used_o        = queue_device_q;
  assign q_vector_o      = queue_msix_q;
  assign drv_features_o  = gf_q;

  // ---- Register-bus decode ----
  // The queue index is decoded once into a one-hot select; every per-queue access below is a
  // loop over the queues with constant slices (a variable part-select with a 32-bit index
  // synthesizes into wide shifters).
  localparam int unsigned QIdxW = (NUM_QUEUES > 1) ? $clog2(NUM_QUEUES) : 1;

  logic [11:0]            off;
  logic                   hit;
  logic                   wr;
  logic                   qv;    // queue_select names an existing queue
  logic [QIdxW-1:0]       qidx;  // its index (meaningful only when qv)
  logic [NUM_QUEUES-1:0]  qsel;  // one-hot: bit i set when queue_select == i

  assign off  = {reg_addr_i[11:2], 2'b00};
  assign hit  = reg_req_i && reg_space_i && (reg_addr_i[14:12] == Region);
  assign wr   = hit && reg_we_i;
  assign qv   = 32'(queue_select_q) < NUM_QUEUES;
  assign qidx = queue_select_q[QIdxW-1:0];
  always_comb begin
    for (int i = 0; i < NUM_QUEUES; i++) begin
      qsel[i] = qv && (32'(qidx) == i);
    end
  end

  // The selected queue's registers: an OR of the slices masked by the select (0 when !qv).
  logic [15:0] sel_size, sel_msix;
  logic        sel_enable;
  logic [63:0] sel_desc, sel_driver, sel_device;
  always_comb begin
    sel_size   = '0;
    sel_msix   = '0;
    sel_desc   = '0;
    sel_driver = '0;
    sel_device = '0;
    for (int i = 0; i < NUM_QUEUES; i++) begin
      sel_size   = sel_size   | ({16{qsel[i]}} & queue_size_q[16*i +: 16]);
      sel_msix   = sel_msix   | ({16{qsel[i]}} & queue_msix_q[16*i +: 16]);
      sel_desc   = sel_desc   | ({64{qsel[i]}} & queue_desc_q[64*i +: 64]);
      sel_driver = sel_driver | ({64{qsel[i]}} & queue_driver_q[64*i +: 64]);
      sel_device = sel_device | ({64{qsel[i]}} & queue_device_q[64*i +: 64]);
    end
  end
  assign sel_enable = |(queue_enable_q & qsel);

  // Read data
  logic [31:0] rdata;
  logic [31:0] wval;  // the addressed DW with the written bytes replaced
  always_comb begin
    rdata = 32'd0;
    unique case (off)
      OffDfSelect: rdata = dfselect_q;
      OffDf: begin
        if (dfselect_q == 32'd0) rdata = dev_features_i[31:0];
        else if (dfselect_q == 32'd1) rdata = dev_features_i[63:32];
      end
      OffGfSelect: rdata = gfselect_q;
      OffGf: begin
        if (gfselect_q == 32'd0) rdata = gf_q[31:0];
        else if (gfselect_q == 32'd1) rdata = gf_q[63:32];
      end
      OffMsix:    rdata = {16'(NUM_QUEUES), msix_config_q};
      OffStatus:  rdata = {queue_select_q, cfg_gen_q, rst_busy_q ? rst_old_q : status_q};
      OffQSize:   if (qv) rdata = {sel_msix, sel_size};
      OffQEnable: if (qv) rdata = {queue_select_q, 15'd0, sel_enable};  // notify_off = index
      OffQDescLo: if (qv) rdata = sel_desc[31:0];
      OffQDescHi: if (qv) rdata = sel_desc[63:32];
      OffQDrvLo:  if (qv) rdata = sel_driver[31:0];
      OffQDrvHi:  if (qv) rdata = sel_driver[63:32];
      OffQDevLo:  if (qv) rdata = sel_device[31:0];
      OffQDevHi:  if (qv) rdata = sel_device[63:32];
      default: ;
    endcase
  end
  // For the per-queue DWs (written only when qv) this is the merge with the selected register.
  assign wval = vep_pkg::merge32(rdata, reg_wdata_i, reg_be_i);

  // The status a nonzero driver write leaves: NEEDS_RESET belongs to the device, and FEATURES_OK
  // sticks only if the accepted features pass validation.
  logic [7:0] status_wr;
  logic       features_valid;
  assign features_valid = ((gf_q & ~dev_features_i) == 64'd0) &&
                          gf_q[FVersion1] && !gf_unknown_q;
  always_comb begin
    status_wr = (reg_wdata_i[7:0] & ~StsNeedsReset) | (status_q & StsNeedsReset);
    if ((status_wr & StsFeaturesOk) != 8'd0 && (status_q & StsFeaturesOk) == 8'd0 &&
        !features_valid) begin
      status_wr = status_wr & ~StsFeaturesOk;
    end
  end

  // Next state
  logic        needs_reset;  // the driver made an error the device reports with NEEDS_RESET
  logic        dev_live;     // DRIVER_OK set and no reset in progress
  assign dev_live = (status_q & StsDriverOk) != 8'd0 && !rst_busy_q;
  logic        dev_reset;
  logic [15:0] wsize;        // queue_size as written (OffQSize)
  logic [15:0] wenable;      // queue_enable as written (OffQEnable)
  // Writes to the selected queue's registers, decoded in the case and applied in the queue loop
  logic        wr_size, wr_msix, wr_enable;
  logic        wr_desc_lo, wr_desc_hi, wr_drv_lo, wr_drv_hi, wr_dev_lo, wr_dev_hi;
  always_comb begin
    dfselect_d     = dfselect_q;
    gfselect_d     = gfselect_q;
    gf_d           = gf_q;
    gf_unknown_d   = gf_unknown_q;
    msix_config_d  = msix_config_q;
    status_d       = status_q;
    cfg_gen_d      = cfg_gen_q;
    queue_select_d = queue_select_q;
    queue_size_d   = queue_size_q;
    queue_msix_d   = queue_msix_q;
    queue_enable_d = queue_enable_q;
    queue_desc_d   = queue_desc_q;
    queue_driver_d = queue_driver_q;
    queue_device_d = queue_device_q;
    rst_busy_d     = rst_busy_q;
    rst_old_d      = rst_old_q;
    dev_reset_d    = 1'b0;
    cfg_irq_d      = 1'b0;
    common_rdata_d = (hit && !reg_we_i) ? rdata : 32'd0;
    needs_reset    = 1'b0;
    dev_reset      = 1'b0;
    wsize          = wval[15:0];
    wenable        = wval[15:0];
    wr_size        = 1'b0;
    wr_msix        = 1'b0;
    wr_enable      = 1'b0;
    wr_desc_lo     = 1'b0;
    wr_desc_hi     = 1'b0;
    wr_drv_lo      = 1'b0;
    wr_drv_hi      = 1'b0;
    wr_dev_lo      = 1'b0;
    wr_dev_hi      = 1'b0;

    if (wr) begin
      unique case (off)
        OffDfSelect: dfselect_d = vep_pkg::merge32(dfselect_q, reg_wdata_i, reg_be_i);
        OffGfSelect: gfselect_d = vep_pkg::merge32(gfselect_q, reg_wdata_i, reg_be_i);
        OffGf: begin
          // No feature may be accepted once FEATURES_OK is set.
          if ((status_q & StsFeaturesOk) == 8'd0) begin
            if (gfselect_q == 32'd0) begin
              gf_d[31:0] = vep_pkg::merge32(gf_q[31:0], reg_wdata_i, reg_be_i);
            end else if (gfselect_q == 32'd1) begin
              gf_d[63:32] = vep_pkg::merge32(gf_q[63:32], reg_wdata_i, reg_be_i);
            end else if (vep_pkg::merge32(32'd0, reg_wdata_i, reg_be_i) != 32'd0) begin
              gf_unknown_d = 1'b1;
            end
          end
        end
        OffMsix: begin
          if (reg_be_i[1:0] != 2'b00) begin
            msix_config_d = vec_map(merge16(msix_config_q, reg_wdata_i[15:0], reg_be_i[1:0]));
          end
        end
        OffStatus: begin
          if (reg_be_i[3:2] != 2'b00) begin
            queue_select_d = merge16(queue_select_q, reg_wdata_i[31:16], reg_be_i[3:2]);
          end
          if (reg_be_i[0]) begin
            if (reg_wdata_i[7:0] == 8'd0) dev_reset = 1'b1;
            else status_d = status_wr;
          end
        end
        OffQSize: begin
          if (qv && reg_be_i[1:0] != 2'b00 && wsize != 16'd0 &&
              (wsize & (wsize - 16'd1)) == 16'd0 && wsize <= QSizeMax) begin
            wr_size = 1'b1;
          end
          if (qv && reg_be_i[3:2] != 2'b00) wr_msix = 1'b1;
        end
        OffQEnable: begin
          // The spec lets the driver write only 1 (QEMU: anything else is virtio_error).
          if (qv && reg_be_i[1:0] != 2'b00) begin
            if (wenable == 16'd1) wr_enable = 1'b1;
            else needs_reset = 1'b1;
          end
        end
        OffQDescLo: wr_desc_lo = 1'b1;
        OffQDescHi: wr_desc_hi = 1'b1;
        OffQDrvLo:  wr_drv_lo  = 1'b1;
        OffQDrvHi:  wr_drv_hi  = 1'b1;
        OffQDevLo:  wr_dev_lo  = 1'b1;
        OffQDevHi:  wr_dev_hi  = 1'b1;
        default: ;
      endcase
    end

    // The selected queue takes the write (qsel is all-zero when queue_select names no queue).
    for (int i = 0; i < NUM_QUEUES; i++) begin
      if (qsel[i]) begin
        if (wr_msix)    queue_msix_d[16*i +: 16]      = vec_map(wval[31:16]);
        if (wr_enable)  queue_enable_d[i]             = 1'b1;
      end
      // Once a queue is enabled its size and ring addresses stay fixed until a reset: a driver
      // that rewrites them then must not make the device use memory it never exposed.
      if (qsel[i] && !queue_enable_q[i]) begin
        if (wr_size)    queue_size_d[16*i +: 16]      = wsize;
        if (wr_desc_lo) queue_desc_d[64*i +: 32]      = wval;
        if (wr_desc_hi) queue_desc_d[64*i+32 +: 32]   = wval;
        if (wr_drv_lo)  queue_driver_d[64*i +: 32]    = wval;
        if (wr_drv_hi)  queue_driver_d[64*i+32 +: 32] = wval;
        if (wr_dev_lo)  queue_device_d[64*i +: 32]    = wval;
        if (wr_dev_hi)  queue_device_d[64*i+32 +: 32] = wval;
      end
    end

    // A driver error (queue_enable != 1) or a data-path error (dev_err_i): DEVICE_NEEDS_RESET,
    // notified once (virtio: after setting it with DRIVER_OK set, a configuration interrupt).
    // A data-path error counts only while the device is live: one raised by a request being
    // drained during a reset, or before DRIVER_OK, would survive the reset (found by fuzz_tlp).
    if ((needs_reset || (dev_err_i && dev_live)) && (status_q & StsNeedsReset) == 8'd0) begin
      status_d = status_d | StsNeedsReset;
      if ((status_q & StsDriverOk) != 8'd0) cfg_irq_d = 1'b1;
    end
    if (config_changed_i) begin
      cfg_gen_d = cfg_gen_q + 8'd1;
      if ((status_q & StsDriverOk) != 8'd0) cfg_irq_d = 1'b1;
    end
    // Not in the cycle of the dev_reset strobe: a backend request the blk function issues in
    // that cycle (it resets at its end) shows in reset_busy_i only from the next one.
    if (rst_busy_q && !reset_busy_i && !dev_reset_q) rst_busy_d = 1'b0;
    if (dev_reset) begin
      if (!rst_busy_q) rst_old_d = status_q;
      rst_busy_d = 1'b1;
      // Everything but config_generation. A notification raised on the reset edge would reach
      // a device that is being reset: dropped.
      dfselect_d     = '0;
      gfselect_d     = '0;
      gf_d           = '0;
      gf_unknown_d   = 1'b0;
      msix_config_d  = NoVector;
      status_d       = '0;
      queue_select_d = '0;
      queue_size_d   = {NUM_QUEUES{QSizeMax}};
      queue_msix_d   = {NUM_QUEUES{NoVector}};
      queue_enable_d = '0;
      queue_desc_d   = '0;
      queue_driver_d = '0;
      queue_device_d = '0;
      dev_reset_d    = 1'b1;
      cfg_irq_d      = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      dfselect_q     <= '0;
      gfselect_q     <= '0;
      gf_q           <= '0;
      gf_unknown_q   <= 1'b0;
      msix_config_q  <= NoVector;
      status_q       <= '0;
      cfg_gen_q      <= '0;
      queue_select_q <= '0;
      queue_size_q   <= {NUM_QUEUES{QSizeMax}};
      queue_msix_q   <= {NUM_QUEUES{NoVector}};
      queue_enable_q <= '0;
      queue_desc_q   <= '0;
      queue_driver_q <= '0;
      queue_device_q <= '0;
      dev_reset_q    <= 1'b0;
      rst_busy_q     <= 1'b0;
      rst_old_q      <= '0;
      cfg_irq_q      <= 1'b0;
      common_rdata_q <= '0;
    end else begin
      dfselect_q     <= dfselect_d;
      gfselect_q     <= gfselect_d;
      gf_q           <= gf_d;
      gf_unknown_q   <= gf_unknown_d;
      msix_config_q  <= msix_config_d;
      status_q       <= status_d;
      cfg_gen_q      <= cfg_gen_d;
      queue_select_q <= queue_select_d;
      queue_size_q   <= queue_size_d;
      queue_msix_q   <= queue_msix_d;
      queue_enable_q <= queue_enable_d;
      queue_desc_q   <= queue_desc_d;
      queue_driver_q <= queue_driver_d;
      queue_device_q <= queue_device_d;
      dev_reset_q    <= dev_reset_d;
      rst_busy_q     <= rst_busy_d;
      rst_old_q      <= rst_old_d;
      cfg_irq_q      <= cfg_irq_d;
      common_rdata_q <= common_rdata_d;
    end
  end

  // Only the DW address matters: reg_addr_i[1:0] are 0.
  logic unused_addr;
  assign unused_addr = ^reg_addr_i[1:0];

endmodule

`default_nettype wire
