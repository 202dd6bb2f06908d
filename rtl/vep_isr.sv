// SPDX-License-Identifier: Apache-2.0
// vep_isr: the virtio ISR status byte, BAR0 region 1 (docs/registers.md). Bit 1 (configuration
// change) is set by cfg_irq_i, bit 0 (queue) by queue_irq_i (vep_vq_used). A read with BE[0]
// returns the byte and clears it; writes are ignored; the device reset clears it.
// C twin: cmodel/vep_isr.c.
`default_nettype none

module vep_isr (
  input  logic        clk_i,
  input  logic        rst_ni,

  // ---- Register bus from vep_completer ----
  input  logic        reg_req_i,
  input  logic        reg_space_i,
  input  logic        reg_we_i,
  input  logic [14:0] reg_addr_i,
  input  logic [3:0]  reg_be_i,
  input  logic [31:0] reg_wdata_i,
  output logic [31:0] isr_rdata_o,

  // ---- Events ----
  input  logic        cfg_irq_i,     // strobe from vep_common_cfg: sets the config bit
  input  logic        queue_irq_i,   // strobe from vep_vq_used: sets the queue bit
  input  logic        dev_reset_i,   // strobe from vep_common_cfg: clears the ISR

  output logic        isr_pending_o  // ISR != 0: Status.Interrupt Status and the INTA wire
);

  localparam logic [2:0] Region    = 3'(vep_pkg::VEP_BAR_ISR_OFF >> 12);
  localparam logic [7:0] IsrConfig = 8'(vep_pkg::VEP_ISR_CONFIG);
  localparam logic [7:0] IsrQueue  = 8'(vep_pkg::VEP_ISR_QUEUE);

  logic [7:0]  isr_q, isr_d;
  logic [31:0] isr_rdata_q, isr_rdata_d;

  assign isr_rdata_o   = isr_rdata_q;
  assign isr_pending_o = (isr_q != 8'd0);

  // Only a read that returns the ISR byte (BE[0]) consumes it.
  logic rd;
  assign rd = reg_req_i && reg_space_i && !reg_we_i && (reg_addr_i[14:12] == Region) &&
              (reg_addr_i[11:2] == 10'd0) && reg_be_i[0];

  always_comb begin
    isr_rdata_d = rd ? {24'd0, isr_q} : 32'd0;
    isr_d       = (rd || dev_reset_i) ? 8'd0 : isr_q;
    // An event on the clearing edge is newer than what the read returned: keep it.
    if (cfg_irq_i) isr_d = isr_d | IsrConfig;
    if (queue_irq_i) isr_d = isr_d | IsrQueue;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      isr_q       <= '0;
      isr_rdata_q <= '0;
    end else begin
      isr_q       <= isr_d;
      isr_rdata_q <= isr_rdata_d;
    end
  end

  // Writes are ignored, so the write data and bytes 1-3's enables play no part; [1:0] are 0.
  logic unused_bus;
  assign unused_bus = ^{reg_wdata_i, reg_be_i[3:1], reg_addr_i[1:0]};

endmodule

`default_nettype wire
