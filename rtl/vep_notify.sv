// SPDX-License-Identifier: Apache-2.0
// vep_notify: the doorbells, BAR0 region 3 (docs/registers.md). A write with BE[1:0] != 0 to
// offset VEP_NOTIFY_MULTIPLIER * q, q < NUM_QUEUES, latches "queue q notified"; the queue comes
// from the address, the value written is not checked. The device reset clears every doorbell;
// doorbell_clr_i clears the named ones (a ring on the same edge wins). ring_i sets doorbells
// too: vep_rx_demux's fast path for an MWr to this region, which never reaches the register bus
// (vep_top ORs ring_i into what vep_vq_fetch sees in the same cycle; this block latches it).
// The region reads 0, so there is no read-data output. C twin: cmodel/vep_notify.c.
`default_nettype none

module vep_notify #(
  parameter int unsigned NUM_QUEUES = 4  // virtqueues, 1..64: one doorbell each
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,

  // ---- Register bus from vep_completer ----
  input  logic                  reg_req_i,
  input  logic                  reg_space_i,
  input  logic                  reg_we_i,
  input  logic [14:0]           reg_addr_i,
  input  logic [3:0]            reg_be_i,
  input  logic [31:0]           reg_wdata_i,

  input  logic                  dev_reset_i,  // strobe from vep_common_cfg
  // strobe from vep_vq_fetch: clear these doorbells (it is about to read avail.idx)
  input  logic [NUM_QUEUES-1:0] doorbell_clr_i,
  // strobe from vep_rx_demux: these queues were notified by an MWr it consumed
  input  logic [NUM_QUEUES-1:0] ring_i,

  output logic [NUM_QUEUES-1:0] doorbell_o    // bit q: queue q was notified
);

  if (NUM_QUEUES < 1 || NUM_QUEUES > 64) begin : gen_check_num_queues
    $error("vep_notify: NUM_QUEUES must be 1..64");
  end
  if (vep_pkg::VEP_NOTIFY_MULTIPLIER != 4) begin : gen_check_multiplier
    $error("vep_notify: the decode assumes one doorbell per DW (VEP_NOTIFY_MULTIPLIER = 4)");
  end

  localparam logic [2:0] Region = 3'(vep_pkg::VEP_BAR_NOTIFY_OFF >> 12);

  logic [NUM_QUEUES-1:0] doorbell_q, doorbell_d;

  assign doorbell_o = doorbell_q;

  logic        ring;
  int unsigned qi;
  assign qi   = 32'(reg_addr_i[11:2]);
  assign ring = reg_req_i && reg_space_i && reg_we_i && (reg_addr_i[14:12] == Region) &&
                (reg_be_i[1:0] != 2'b00) && (qi < NUM_QUEUES);

  always_comb begin
    doorbell_d = dev_reset_i ? '0 : (doorbell_q & ~doorbell_clr_i);
    // A doorbell on the reset or clear edge was written after it: keep it (never lost).
    if (ring) doorbell_d[qi] = 1'b1;
    doorbell_d = doorbell_d | ring_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) doorbell_q <= '0;
    else         doorbell_q <= doorbell_d;
  end

  // The queue comes from the address: the value written and the upper byte enables play no
  // part; reg_addr_i[1:0] are 0.
  logic unused_bus;
  assign unused_bus = ^{reg_wdata_i, reg_be_i[3:2], reg_addr_i[1:0]};

endmodule

`default_nettype wire
