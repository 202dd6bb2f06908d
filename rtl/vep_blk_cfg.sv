// SPDX-License-Identifier: Apache-2.0
// vep_blk_cfg: the virtio-blk device configuration, BAR0 region 2 (docs/registers.md), the
// features the device offers, and the capacity-change event. Every field is read-only.
// C twin: cmodel/vep_blk_cfg.c.
`default_nettype none

module vep_blk_cfg #(
  parameter int unsigned NUM_QUEUES  = 4,    // virtqueues: the num_queues field
  parameter int unsigned BLK_SEG_MAX = 64,   // the seg_max field
  parameter int unsigned BLK_SIZE    = 512   // the blk_size field, in bytes
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
  output logic [31:0] blk_rdata_o,

  // ---- Straps from the storage backend ----
  input  logic [63:0] blk_capacity_i,   // in 512-byte sectors
  input  logic        blk_ro_i,         // read-only medium

  output logic [63:0] dev_features_o,   // offered features, to vep_common_cfg
  output logic        config_changed_o  // strobe: the capacity changed
);

  if (NUM_QUEUES < 1 || NUM_QUEUES > 64) begin : gen_check_num_queues
    $error("vep_blk_cfg: NUM_QUEUES must be 1..64");
  end

  localparam logic [2:0]  Region      = 3'(vep_pkg::VEP_BAR_DEVICE_OFF >> 12);
  localparam logic [63:0] FeaturesFix = (64'd1 << vep_pkg::VEP_F_VERSION_1) |
                                        (64'd1 << vep_pkg::VEP_F_INDIRECT_DESC) |
                                        (64'd1 << vep_pkg::VEP_F_EVENT_IDX) |
                                        (64'd1 << vep_pkg::VEP_BLK_F_SEG_MAX) |
                                        (64'd1 << vep_pkg::VEP_BLK_F_BLK_SIZE) |
                                        (64'd1 << vep_pkg::VEP_BLK_F_FLUSH);
  localparam logic [63:0] FeatureRo   = 64'd1 << vep_pkg::VEP_BLK_F_RO;

  // struct vep_virtio_blk_config, DW offsets (include/vep_consts.h VEP_BLK_CFG_*)
  localparam logic [11:0] OffCapLo     = 12'h000;
  localparam logic [11:0] OffCapHi     = 12'h004;
  localparam logic [11:0] OffSegMax    = 12'h00C;
  localparam logic [11:0] OffBlkSize   = 12'h014;
  localparam logic [11:0] OffWriteback = 12'h020;  // writeback, unused0, num_queues

  logic [63:0] capacity_q, capacity_d;
  logic        captured_q, captured_d;
  logic        blk_ro_q, blk_ro_d;
  logic        config_changed_q, config_changed_d;
  logic [31:0] blk_rdata_q, blk_rdata_d;

  assign blk_rdata_o      = blk_rdata_q;
  assign dev_features_o   = FeaturesFix | (blk_ro_q ? FeatureRo : 64'd0);
  assign config_changed_o = config_changed_q;

  logic        rd;
  logic [31:0] rdata;
  assign rd = reg_req_i && reg_space_i && !reg_we_i && (reg_addr_i[14:12] == Region);

  always_comb begin
    unique case ({reg_addr_i[11:2], 2'b00})
      OffCapLo:     rdata = capacity_q[31:0];
      OffCapHi:     rdata = capacity_q[63:32];
      OffSegMax:    rdata = 32'(BLK_SEG_MAX);
      OffBlkSize:   rdata = 32'(BLK_SIZE);
      OffWriteback: rdata = {16'(NUM_QUEUES), 16'd0};
      default:      rdata = 32'd0;  // size_max, geometry, topology
    endcase
  end

  always_comb begin
    blk_rdata_d      = rd ? rdata : 32'd0;
    capacity_d       = blk_capacity_i;
    captured_d       = 1'b1;
    blk_ro_d         = blk_ro_i;
    // The first capture after rst_ni replaces the reset value: not a change the driver must see.
    config_changed_d = captured_q && (blk_capacity_i != capacity_q);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      capacity_q       <= '0;
      captured_q       <= 1'b0;
      blk_ro_q         <= 1'b0;
      config_changed_q <= 1'b0;
      blk_rdata_q      <= '0;
    end else begin
      capacity_q       <= capacity_d;
      captured_q       <= captured_d;
      blk_ro_q         <= blk_ro_d;
      config_changed_q <= config_changed_d;
      blk_rdata_q      <= blk_rdata_d;
    end
  end

  // Every field is read-only and a read returns the whole DW: write data and byte enables play
  // no part; reg_addr_i[1:0] are 0.
  logic unused_bus;
  assign unused_bus = ^{reg_wdata_i, reg_be_i, reg_addr_i[1:0]};

endmodule

`default_nettype wire
