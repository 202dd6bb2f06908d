// SPDX-License-Identifier: Apache-2.0
// vep_tx_arbiter: chooses among five TLP sources and sends the chosen TLP, whole, on the TX
// stream: four sources of small TLPs on valid/ready, the completer (cpl), MSI-X (msg), INTx
// (intx) and the DMA read engine (mrd, MRd), and the DMA write engine (wr, a beat stream of whole
// MWr TLPs). C twin: cmodel/vep_tx_arbiter.c.
//
// Choice (PCIe ordering: neither a completion nor a non-posted request may pass a posted
// request): between TLPs, a posted source (msg, intx, wr; round robin, rr_q) first, then cpl,
// then mrd. The choice is made in a cycle in which the arbiter will be free on the next one, from
// the valids of that cycle: a small source gets its (registered) ready, wr is selected (wr_sel_q:
// the wr source never withdraws, so selecting it commits). A TLP is taken only later, so one
// offered only after the choice follows the chosen one. No choice is made in a cycle in which a
// wr TLP is streaming (its valid then says nothing about its next TLP), except on the edge that
// takes its eop beat: that choice counts wr as valid when wr_more_i says its next TLP follows at
// once, and keeps wr selected if it wins, so back-to-back wr TLPs leave no idle beat between
// them; otherwise the choice is made as between any two TLPs. Starvation: docs/microarchitecture.md.
//
// Small sources may withdraw (valid dropping before the handshake): the readies are recomputed
// every cycle from the current valids, a TLP is taken, whole, on an edge where its valid and
// ready are both 1. tlp_q holds a taken TLP whose remaining beats still have to be pushed. The
// beats go through a two-entry skid buffer (vep_skid), whose head register drives m_tx_*, so
// m_tx_ready is honoured at one beat per cycle with registered readies.
//
// Width (L = DATA_W/32 lanes): a small TLP (3 or 4 header DWs, 0..2 data DWs) goes out as its
// DWs in order from lane 0 of its first beat, header then data, in ceil(DWs/L) beats (at
// DATA_W = 64 two or three, at 128 one or two, at 256 one), keep contiguous from lane 0 and full
// on every beat but the last. The wr beats are DATA_W wide and already laid out that way by
// vep_dma_wr; they pass through unchanged.
`default_nettype none

module vep_tx_arbiter #(
  parameter int unsigned DATA_W = 64  // TX stream width in bits: 64, 128 or 256
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,

  // ---- Small-TLP sources ----
  input  logic                 cpl_valid_i,   // completion
  output logic                 cpl_ready_o,
  input  vep_pkg::small_tlp_t  cpl_tlp_i,
  input  logic                 msg_valid_i,   // posted (MSI-X MWr)
  output logic                 msg_ready_o,
  input  vep_pkg::small_tlp_t  msg_tlp_i,
  input  logic                 intx_valid_i,  // posted (INTx Msg)
  output logic                 intx_ready_o,
  input  vep_pkg::small_tlp_t  intx_tlp_i,
  input  logic                 mrd_valid_i,   // non-posted (DMA MRd)
  output logic                 mrd_ready_o,
  input  vep_pkg::small_tlp_t  mrd_tlp_i,

  // ---- DMA write engine: whole MWr TLPs as beats (posted) ----
  input  logic                 wr_valid_i,    // never drops inside a TLP, never withdraws
  output logic                 wr_ready_o,
  input  logic                 wr_sop_i,
  input  logic                 wr_eop_i,
  input  logic [DATA_W/32-1:0] wr_keep_i,
  input  logic [DATA_W-1:0]    wr_data_i,
  input  logic                 wr_more_i,     // with wr_eop_i: the next wr TLP follows at once

  // ---- vep_completer: {bus, device, 3'b000} captured from the last CfgWr0 ----
  input  logic [15:0]          completer_id_i,

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
  localparam int unsigned BeatW = DATA_W + Lanes + 2;  // {sop, eop, keep, data} in the skid

  if (DATA_W != 64 && DATA_W != 128 && DATA_W != 256) begin : gen_check_data_w
    $error("vep_tx_arbiter: DATA_W must be 64, 128 or 256");
  end

  logic                 cpl_ready_q, cpl_ready_d;
  logic                 msg_ready_q, msg_ready_d;
  logic                 intx_ready_q, intx_ready_d;
  logic                 mrd_ready_q, mrd_ready_d;
  logic [1:0]           rr_q, rr_d;              // posted source chosen last: 0 msg, 1 intx, 2 wr
  vep_pkg::small_tlp_t  tlp_q, tlp_d;
  logic                 tlp_valid_q, tlp_valid_d;
  logic [1:0]           beat_q, beat_d;          // next beat of tlp_q to push
  logic                 wr_sel_q, wr_sel_d;      // a wr TLP is chosen: its beats pass through

  logic                 skid_s_valid;
  logic                 skid_s_ready;
  logic [BeatW-1:0]     skid_s_data;
  logic [BeatW-1:0]     skid_m_data;

  vep_skid #(
    .W (BeatW)
  ) u_skid (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .s_valid_i (skid_s_valid),
    .s_ready_o (skid_s_ready),
    .s_data_i  (skid_s_data),
    .m_valid_o (m_tx_valid),
    .m_ready_i (m_tx_ready),
    .m_data_o  (skid_m_data)
  );

  assign cpl_ready_o  = cpl_ready_q;
  assign msg_ready_o  = msg_ready_q;
  assign intx_ready_o = intx_ready_q;
  assign mrd_ready_o  = mrd_ready_q;
  // Registers only: the selection and the skid's registered not-full.
  assign wr_ready_o   = wr_sel_q && skid_s_ready;
  assign m_tx_sop     = skid_m_data[BeatW-1];
  assign m_tx_eop     = skid_m_data[BeatW-2];
  assign m_tx_keep    = skid_m_data[DATA_W +: Lanes];
  assign m_tx_data    = skid_m_data[DATA_W-1:0];

  logic                    take_cpl, take_msg, take_intx, take_mrd, take_any;
  logic                    wr_push;
  logic                    wr_end;      // the eop beat of the selected wr TLP is pushed
  logic                    src_valid;
  vep_pkg::small_tlp_t     src;
  logic [1:0]              src_beat;
  logic [32*MaxDw-1:0]     src_dw;      // DW i in [32i+31:32i]
  logic [2:0]              src_ndw;
  logic [Lanes-1:0]        beat_keep;
  logic [DATA_W-1:0]       beat_data;
  logic                    beat_eop;
  logic [1:0]              skid_cnt_d;  // beats the skid holds after this edge
  logic [2:0]              posted;      // valid posted sources: 0 msg, 1 intx, 2 wr
  logic                    pick_ok;
  logic [1:0]              pick;
  logic [1:0]              cand;

  always_comb begin
    cpl_ready_d  = 1'b0;
    msg_ready_d  = 1'b0;
    intx_ready_d = 1'b0;
    mrd_ready_d  = 1'b0;
    rr_d         = rr_q;
    tlp_d        = tlp_q;
    tlp_valid_d  = tlp_valid_q;
    beat_d       = beat_q;
    wr_sel_d     = wr_sel_q;
    skid_s_valid = 1'b0;
    skid_s_data  = '0;

    // At most one ready is up, so at most one take.
    take_cpl  = cpl_ready_q && cpl_valid_i;
    take_msg  = msg_ready_q && msg_valid_i;
    take_intx = intx_ready_q && intx_valid_i;
    take_mrd  = mrd_ready_q && mrd_valid_i;
    take_any  = take_cpl || take_msg || take_intx || take_mrd;
    if (take_msg) begin
      rr_d = 2'd0;
    end else if (take_intx) begin
      rr_d = 2'd1;
    end

    // The small TLP to push beats of: the one in progress, else the one taken now.
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
    end else if (take_mrd) begin
      src      = mrd_tlp_i;
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
      if (skid_s_ready) begin
        skid_s_valid = 1'b1;
        skid_s_data  = {src_beat == 2'd0, beat_eop, beat_keep, beat_data};
        if (beat_eop) begin
          tlp_valid_d = 1'b0;
        end else begin
          beat_d = src_beat + 2'd1;
        end
      end
    end

    // A selected wr TLP: its beats pass into the skid as the wr source offers them.
    wr_push = wr_sel_q && wr_valid_i && skid_s_ready;
    wr_end  = wr_push && wr_eop_i;
    if (wr_push) begin
      skid_s_valid = 1'b1;
      skid_s_data  = {wr_sop_i, wr_eop_i, wr_keep_i, wr_data_i};
      if (wr_eop_i) wr_sel_d = 1'b0;
    end

    // A request (not a completion, Type 0101x) enters the skid with the bus/device number
    // captured now, in DW1[31:16], whenever its source formed it: a CfgWr0 may have moved the
    // number while an MWr waited in vep_dma_wr's slots. The CfgWr0's completion enters the skid
    // after the capture, so no request with the old number leaves after it (PCIe 2.2.6.2; the
    // bus model's checker holds the device to that).
    if (skid_s_valid && skid_s_data[BeatW-1] && skid_s_data[28:25] != 4'b0101) begin
      skid_s_data[63:48] = completer_id_i;
    end

    // The skid's count from its outputs (0: not valid, 2: not ready), then after this edge.
    skid_cnt_d = (!m_tx_valid ? 2'd0 : (!skid_s_ready ? 2'd2 : 2'd1)) + {1'b0, skid_s_valid}
                 - {1'b0, m_tx_valid && m_tx_ready};

    // Choose the next TLP when the arbiter is free on the next cycle, no wr TLP streams, and the
    // skid will hold at most the last beat of the previous TLP (so, with m_tx_ready low, no
    // TLP is taken from a source while an earlier one waits whole in the skid: the source can
    // still withdraw it): a posted source first (round robin from rr_q), then the completion,
    // then the MRd.
    posted  = {wr_sel_q ? wr_more_i : wr_valid_i, intx_valid_i, msg_valid_i};
    pick_ok = 1'b0;
    pick    = 2'd0;
    cand    = 2'd0;
    if (!take_any && !tlp_valid_d && (!wr_sel_q || wr_end) && skid_cnt_d <= 2'd1) begin
      for (int unsigned i = 1; i <= 3; i++) begin
        // 3-bit arithmetic (rr_q + i <= 6): a 32-bit remainder synthesises into a divider.
        cand = 2'((3'(rr_q) + 3'(i)) % 3'd3);
        if (!pick_ok && posted[cand]) begin
          pick_ok = 1'b1;
          pick    = cand;
        end
      end
      if (pick_ok) begin
        unique case (pick)
          2'd0:    msg_ready_d  = 1'b1;
          2'd1:    intx_ready_d = 1'b1;
          default: begin
            wr_sel_d = 1'b1;
            rr_d     = 2'd2;
          end
        endcase
      end else if (cpl_valid_i) begin
        cpl_ready_d = 1'b1;
      end else begin
        // Up with or without an MRd offered (parked): an MRd offered in the next cycle is
        // taken at once, and its first beat enters the skid on that edge. It was offered after
        // this choice, as a posted TLP or completion appearing then, so nothing offered at the
        // choice is passed and the ordering rule holds.
        mrd_ready_d = 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cpl_ready_q  <= 1'b0;
      msg_ready_q  <= 1'b0;
      intx_ready_q <= 1'b0;
      mrd_ready_q  <= 1'b0;
      rr_q         <= 2'd2;
      tlp_q        <= '0;
      tlp_valid_q  <= 1'b0;
      beat_q       <= '0;
      wr_sel_q     <= 1'b0;
    end else begin
      cpl_ready_q  <= cpl_ready_d;
      msg_ready_q  <= msg_ready_d;
      intx_ready_q <= intx_ready_d;
      mrd_ready_q  <= mrd_ready_d;
      rr_q         <= rr_d;
      tlp_q        <= tlp_d;
      tlp_valid_q  <= tlp_valid_d;
      beat_q       <= beat_d;
      wr_sel_q     <= wr_sel_d;
    end
  end

endmodule

`default_nettype wire
