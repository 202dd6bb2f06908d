// SPDX-License-Identifier: Apache-2.0
// vep_skid: a two-entry skid buffer for a valid/ready stream. s_ready_o is registered (not full)
// and m_valid_o/m_data_o come straight from the head register, so it cuts every combinational
// path between the two sides and still moves one beat per cycle: with one entry held, a beat
// can enter on the same edge as the head leaves, and the second entry absorbs the beat that was
// already on its way when m_ready_i dropped. C twin: cmodel/vep_skid.c.
`default_nettype none

module vep_skid #(
  parameter int unsigned W = 64  // payload bits
) (
  input  logic         clk_i,
  input  logic         rst_ni,

  // ---- Input stream ----
  input  logic         s_valid_i,
  output logic         s_ready_o,   // registered: not full
  input  logic [W-1:0] s_data_i,

  // ---- Output stream (registered) ----
  output logic         m_valid_o,
  input  logic         m_ready_i,
  output logic [W-1:0] m_data_o
);

  logic [1:0]   cnt_q, cnt_d;   // entries held, 0..2
  logic [W-1:0] e0_q, e0_d;     // head, on m_data_o; zero when empty
  logic [W-1:0] e1_q, e1_d;     // second entry; zero when not held

  assign s_ready_o = (cnt_q != 2'd2);
  assign m_valid_o = (cnt_q != 2'd0);
  assign m_data_o  = e0_q;

  logic push, pop;

  always_comb begin
    cnt_d = cnt_q;
    e0_d  = e0_q;
    e1_d  = e1_q;
    push  = s_valid_i && (cnt_q != 2'd2);
    pop   = (cnt_q != 2'd0) && m_ready_i;
    unique case (cnt_q)
      2'd0: begin
        if (push) begin
          e0_d  = s_data_i;
          cnt_d = 2'd1;
        end
      end
      2'd1: begin
        if (push && pop) begin
          e0_d = s_data_i;
        end else if (push) begin
          e1_d  = s_data_i;
          cnt_d = 2'd2;
        end else if (pop) begin
          e0_d  = '0;
          cnt_d = 2'd0;
        end
      end
      2'd2: begin
        if (pop) begin
          e0_d  = e1_q;
          e1_d  = '0;
          cnt_d = 2'd1;
        end
      end
      default: begin
        cnt_d = 2'd0;
        e0_d  = '0;
        e1_d  = '0;
      end
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cnt_q <= 2'd0;
      e0_q  <= '0;
      e1_q  <= '0;
    end else begin
      cnt_q <= cnt_d;
      e0_q  <= e0_d;
      e1_q  <= e1_d;
    end
  end

endmodule

`default_nettype wire
