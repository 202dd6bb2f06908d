// SPDX-License-Identifier: Apache-2.0
// vep_tx_arbiter: chooses among three sources of small TLPs, the completer (cpl), MSI-X (msg) and
// INTx (intx), and serializes the taken TLP into beats on the TX stream. C twin:
// cmodel/vep_tx_arbiter.c.
//
// Ordering (PCIe: a completion must not pass a posted request): the posted sources, msg (MWr)
// and intx (Msg), go before the completion; between the two posted sources, round-robin. The
// choice is made when tlp_q becomes free, from the valids of that cycle, so a completion is only
// taken while no posted TLP was offered at the moment of the choice. Starvation argument:
// docs/microarchitecture.md.
//
// The beat on m_tx_* is a register. tlp_q holds the TLP whose remaining beats still have to be
// loaded into it; as soon as its last beat is loaded, tlp_q is free and the arbiter raises the
// ready of the next source, so back-to-back TLPs leave without an idle cycle when the host is
// ready. At most one ready is up, and only for a source that is valid. A source may withdraw its
// valid while its ready is up (MSI-X does when a message may no longer be sent, INTx when the
// wire returns to the signalled state): a TLP is taken, whole, only on an edge where valid and
// ready are both 1, and the readies are recomputed every cycle from the current valids.
`default_nettype none

module vep_tx_arbiter #(
  parameter int unsigned DATA_W = 64  // TX stream width in bits: 64, 128 or 256
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,

  // ---- Sources ----
  input  logic                 cpl_valid_i,
  output logic                 cpl_ready_o,
  input  vep_pkg::small_tlp_t  cpl_tlp_i,
  input  logic                 msg_valid_i,   // posted (MSI-X MWr)
  output logic                 msg_ready_o,
  input  vep_pkg::small_tlp_t  msg_tlp_i,
  input  logic                 intx_valid_i,  // posted (INTx Msg)
  output logic                 intx_ready_o,
  input  vep_pkg::small_tlp_t  intx_tlp_i,

  // ---- TX TLP stream, endpoint to host ----
  output logic                 m_tx_valid,
  input  logic                 m_tx_ready,
  output logic [DATA_W-1:0]    m_tx_data,
  output logic [DATA_W/32-1:0] m_tx_keep,
  output logic                 m_tx_sop,
  output logic                 m_tx_eop
);

  localparam int unsigned Lanes = DATA_W / 32;
  localparam int unsigned MaxDw = 6;   // 4 header DWs + 2 payload DWs

  if (DATA_W % 64 != 0 || DATA_W < 64 || DATA_W > 256) begin : gen_check_data_w
    $error("vep_tx_arbiter: DATA_W must be 64, 128 or 256");
  end

  logic                 cpl_ready_q, cpl_ready_d;
  logic                 msg_ready_q, msg_ready_d;
  logic                 intx_ready_q, intx_ready_d;
  logic                 rr_q, rr_d;              // 1: msg was taken last, intx goes first
  vep_pkg::small_tlp_t  tlp_q, tlp_d;
  logic                 tlp_valid_q, tlp_valid_d;
  logic [1:0]           beat_q, beat_d;          // next beat of tlp_q to load
  logic                 m_tx_valid_q, m_tx_valid_d;
  logic                 m_tx_sop_q, m_tx_sop_d;
  logic                 m_tx_eop_q, m_tx_eop_d;
  logic [Lanes-1:0]     m_tx_keep_q, m_tx_keep_d;
  logic [DATA_W-1:0]    m_tx_data_q, m_tx_data_d;

  assign cpl_ready_o  = cpl_ready_q;
  assign msg_ready_o  = msg_ready_q;
  assign intx_ready_o = intx_ready_q;
  assign m_tx_valid   = m_tx_valid_q;
  assign m_tx_sop     = m_tx_sop_q;
  assign m_tx_eop     = m_tx_eop_q;
  assign m_tx_keep    = m_tx_keep_q;
  assign m_tx_data    = m_tx_data_q;

  logic                    take_cpl, take_msg, take_intx;
  logic                    out_free;
  logic                    src_valid;
  vep_pkg::small_tlp_t     src;
  logic [1:0]              src_beat;
  logic [32*MaxDw-1:0]     src_dw;      // DW i in [32i+31:32i]
  logic [2:0]              src_ndw;
  logic [Lanes-1:0]        beat_keep;
  logic [DATA_W-1:0]       beat_data;
  logic                    beat_eop;

  always_comb begin
    cpl_ready_d  = 1'b0;
    msg_ready_d  = 1'b0;
    intx_ready_d = 1'b0;
    rr_d         = rr_q;
    tlp_d        = tlp_q;
    tlp_valid_d  = tlp_valid_q;
    beat_d       = beat_q;
    m_tx_valid_d = m_tx_valid_q;
    m_tx_sop_d   = m_tx_sop_q;
    m_tx_eop_d   = m_tx_eop_q;
    m_tx_keep_d  = m_tx_keep_q;
    m_tx_data_d  = m_tx_data_q;

    // At most one ready is up, so at most one take.
    take_cpl  = cpl_ready_q && cpl_valid_i;
    take_msg  = msg_ready_q && msg_valid_i && !take_cpl;
    take_intx = intx_ready_q && intx_valid_i && !take_cpl && !take_msg;
    if (take_msg) begin
      rr_d = 1'b1;
    end else if (take_intx) begin
      rr_d = 1'b0;
    end
    out_free = !m_tx_valid_q || m_tx_ready;

    // The TLP to load the output register from: the one in progress, else the one taken now.
    src_valid = 1'b1;
    src_beat  = beat_q;
    if (tlp_valid_q) begin
      src = tlp_q;
    end else if (take_cpl) begin
      src      = cpl_tlp_i;
      src_beat = 2'd0;
    end else if (take_msg) begin
      src      = msg_tlp_i;
      src_beat = 2'd0;
    end else if (take_intx) begin
      src      = intx_tlp_i;
      src_beat = 2'd0;
    end else begin
      src       = tlp_q;
      src_valid = 1'b0;
    end

    // The TLP as a DW sequence: header, payload, zeros.
    src_dw = '0;
    for (int unsigned i = 0; i < 3; i++) begin
      src_dw[32*i +: 32] = src.hdr[32*i +: 32];
    end
    if (src.hdr_4dw) begin
      src_dw[127:96] = src.hdr[127:96];
      if (src.data_dw != 2'd0) src_dw[159:128] = src.data[31:0];
      if (src.data_dw >= 2'd2) src_dw[191:160] = src.data[63:32];
    end else begin
      if (src.data_dw != 2'd0) src_dw[127:96] = src.data[31:0];
      if (src.data_dw >= 2'd2) src_dw[159:128] = src.data[63:32];
    end
    src_ndw = (src.hdr_4dw ? 3'd4 : 3'd3) + {1'b0, (src.data_dw == 2'd3) ? 2'd2 : src.data_dw};

    beat_keep = '0;
    beat_data = '0;
    for (int unsigned l = 0; l < Lanes; l++) begin
      for (int unsigned i = 0; i < MaxDw; i++) begin
        if ({4'd0, src_beat} * 6'(Lanes) + 6'(l) == 6'(i) && 3'(i) < src_ndw) begin
          beat_keep[l]          = 1'b1;
          beat_data[32*l +: 32] = src_dw[32*i +: 32];
        end
      end
    end
    beat_eop = ({4'd0, src_beat} + 6'd1) * 6'(Lanes) >= {3'd0, src_ndw};

    if (src_valid) begin
      tlp_d       = src;
      beat_d      = src_beat;
      tlp_valid_d = 1'b1;
      if (out_free) begin
        m_tx_valid_d = 1'b1;
        m_tx_sop_d   = (src_beat == 2'd0);
        m_tx_eop_d   = beat_eop;
        m_tx_keep_d  = beat_keep;
        m_tx_data_d  = beat_data;
        if (beat_eop) begin
          tlp_valid_d = 1'b0;
        end else begin
          beat_d = src_beat + 2'd1;
        end
      end
    end else if (out_free) begin
      m_tx_valid_d = 1'b0;
      m_tx_sop_d   = 1'b0;
      m_tx_eop_d   = 1'b0;
      m_tx_keep_d  = '0;
      m_tx_data_d  = '0;
    end

    // Offer to take the next TLP once tlp_q will be free: a posted source first (round-robin
    // between the two), the completion only when neither is valid.
    if (!take_cpl && !take_msg && !take_intx && !tlp_valid_d) begin
      if (msg_valid_i && intx_valid_i) begin
        msg_ready_d  = !rr_q;
        intx_ready_d = rr_q;
      end else if (msg_valid_i || intx_valid_i) begin
        msg_ready_d  = msg_valid_i;
        intx_ready_d = intx_valid_i;
      end else begin
        cpl_ready_d  = cpl_valid_i;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cpl_ready_q  <= 1'b0;
      msg_ready_q  <= 1'b0;
      intx_ready_q <= 1'b0;
      rr_q         <= 1'b0;
      tlp_q        <= '0;
      tlp_valid_q  <= 1'b0;
      beat_q       <= '0;
      m_tx_valid_q <= 1'b0;
      m_tx_sop_q   <= 1'b0;
      m_tx_eop_q   <= 1'b0;
      m_tx_keep_q  <= '0;
      m_tx_data_q  <= '0;
    end else begin
      cpl_ready_q  <= cpl_ready_d;
      msg_ready_q  <= msg_ready_d;
      intx_ready_q <= intx_ready_d;
      rr_q         <= rr_d;
      tlp_q        <= tlp_d;
      tlp_valid_q  <= tlp_valid_d;
      beat_q       <= beat_d;
      m_tx_valid_q <= m_tx_valid_d;
      m_tx_sop_q   <= m_tx_sop_d;
      m_tx_eop_q   <= m_tx_eop_d;
      m_tx_keep_q  <= m_tx_keep_d;
      m_tx_data_q  <= m_tx_data_d;
    end
  end

endmodule

`default_nettype wire
