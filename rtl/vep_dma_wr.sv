// SPDX-License-Identifier: Apache-2.0
// vep_dma_wr: the DMA write engine (docs/datapath.md). Takes write requests from three clients
// (round robin, one request at a time), cuts each into MWr TLPs that never cross an MPS-aligned
// boundary (so never a 4 KiB one), packs the client's byte-window beats straight into TX beats in
// a two-TLP buffer, and offers each TLP, whole, as a beat stream to vep_tx_arbiter. C twin:
// cmodel/vep_dma_wr.c.
//
// Widths: W = DATA_W bits per beat, B = W/8 bytes, L = W/32 DW lanes. A client beat is a window
// of up to B bytes of a W-bit word (clients 0 and 1 have 64-bit ports, zero-extended by vep_top);
// a TX beat is W bits of the TLP as it goes on the link, header DWs from lane 0 of the first
// beat, payload right after (docs/datapath.md).
//
// Fill side (fill_state_q): WrHdr computes the next TLP's header into the metadata of the buffer
// slot wslot_q, WrData packs payload bytes into acc_q and writes each completed B-byte beat to
// the TLP buffer, WrEnd writes the partial last beat and hands the slot to the send side. A
// client beat that straddles two TLPs leaves its tail in hold_q. Only the payload is in the
// buffer RAM: RAM beat r of a slot is TX beat r + (header bytes)/B; its lanes below the header's
// end (header bytes mod B) are zero and take the header's last DWs. Whole header beats and the
// header DWs come from the slot's metadata registers. (W = 64: RAM beat r is TX beat r+1 with
// header DW2 in lane 0 for a 3DW header, r+2 for a 4DW one.)
//
// Send side: slots leave in fill order. Beat b of slot rslot_q is issued into stage a_* (RAM
// registered read), then moves to the TX register tx_*. A whole TLP is in the buffer before
// its first beat is issued, so tx_valid_o never drops inside a TLP. The beat that ends a
// request's last TLP carries tx_done_q: when the arbiter takes it, wr_done_o rises in the next
// cycle and tx_valid_o stays low for that cycle (a waiting completion or MRd gets the link).
// tx_more_o says, with the eop beat of a TLP on tx_*, that the next TLP's first beat is already
// in stage a and is offered in the cycle after that beat is taken (so the arbiter can keep the
// wr source selected and send the two TLPs without an idle beat between them).
//
// Every request accepted gets exactly one wr_done_o, in acceptance order. Drops go through the
// same slot queue: a slot about to be offered while Bus Master is off, or marked drop by the
// device reset, is discarded (once the TX pipe is empty); a request with any discarded TLP ends
// with wr_err_o. dev_reset_i marks every slot not yet started (the one being sent finishes),
// abandons the request being filled (its remaining data is NOT consumed: wrd_ready_o stays low
// for it) and queues a drop marker for it; no new request is accepted until every done of a
// request accepted before the reset has been given (drain_q).
`default_nettype none

module vep_dma_wr #(
  parameter int unsigned DATA_W = 64  // TLP beat width in bits: 64, 128 or 256
) (
  input  logic                                     clk_i,
  input  logic                                     rst_ni,

  // ---- Write requests, one per client ----
  input  logic [vep_pkg::VEP_DMA_CLIENTS-1:0]      wrq_valid_i,
  output logic [vep_pkg::VEP_DMA_CLIENTS-1:0]      wrq_ready_o,  // at most one bit
  input  logic [vep_pkg::VEP_DMA_CLIENTS*64-1:0]   wrq_addr_i,
  input  logic [vep_pkg::VEP_DMA_CLIENTS*13-1:0]   wrq_len_i,    // bytes, 1..4096

  // ---- Write data: byte-window beats of the request being filled ----
  input  logic [vep_pkg::VEP_DMA_CLIENTS-1:0]      wrd_valid_i,
  output logic [vep_pkg::VEP_DMA_CLIENTS-1:0]      wrd_ready_o,
  // client c: bytes lo..lo+n-1 of [DATA_W*c +: DATA_W], n >= 1, lo + n <= DATA_W/8
  input  logic [vep_pkg::VEP_DMA_CLIENTS*DATA_W-1:0]                 wrd_data_i,
  input  logic [vep_pkg::VEP_DMA_CLIENTS*$clog2(DATA_W/8)-1:0]       wrd_lo_i,
  input  logic [vep_pkg::VEP_DMA_CLIENTS*($clog2(DATA_W/8)+1)-1:0]   wrd_n_i,

  // ---- Completion of requests ----
  output logic [vep_pkg::VEP_DMA_CLIENTS-1:0]      wr_done_o,    // strobe
  output logic                                     wr_err_o,     // with wr_done_o: dropped

  // ---- MWr beats to vep_tx_arbiter ----
  output logic                                     tx_valid_o,
  input  logic                                     tx_ready_i,
  output logic                                     tx_sop_o,
  output logic                                     tx_eop_o,
  output logic                                     tx_more_o,  // see the header
  output logic                                     tx_busy_o,  // a TLP past its Bus Master sample
  output logic [DATA_W/32-1:0]                     tx_keep_o,
  output logic [DATA_W-1:0]                        tx_data_o,

  // ---- From vep_cfg_space / vep_common_cfg ----
  input  logic                                     bus_master_i,
  input  logic [2:0]                               mps_i,
  input  logic [15:0]                              completer_id_i,
  input  logic                                     dev_reset_i,
  output logic                                     idle_o
);

  localparam int unsigned Clients = vep_pkg::VEP_DMA_CLIENTS;
  localparam int unsigned MpsMax  = vep_pkg::VEP_MPS_SUPPORTED_ENC;
  localparam int unsigned W       = DATA_W;
  localparam int unsigned B       = W / 8;             // bytes per beat
  localparam int unsigned L       = W / 32;            // DW lanes
  localparam int unsigned LW      = $clog2(B);
  localparam int unsigned LL      = $clog2(L);
  localparam int unsigned Hb3     = 12 / B;            // whole header beats: 3DW header
  localparam int unsigned Hb4     = 16 / B;            //                     4DW header
  localparam int unsigned Off3    = 12 % B;            // header bytes in RAM beat 0: 3DW
  localparam int unsigned Off4    = 16 % B;            //                             4DW
  localparam int unsigned OffMax  = (Off3 > Off4) ? Off3 : Off4;
  // RAM beats of a slot: MPS payload bytes after the header's share of RAM beat 0 and up to 3
  // bytes of address offset. W = 64: 65 (in 2^7), 128: 33 (2^6), 256: 17 (2^5).
  localparam int unsigned RamBeats = (OffMax + 3 + (128 << MpsMax) + B - 1) / B;
  localparam int unsigned BeatAw  = $clog2(RamBeats);
  localparam int unsigned HdrBeats = (128 + W - 1) / W; // beats holding header DWs
  localparam int unsigned HdrX    = HdrBeats * W;
  // W > 64: the header is less than a beat of a TLP's beats (W = 128, MPS 128: 8 payload beats
  // of 9), so two fill cycles without data (WrHdr, WrEnd) would leave the link idle a cycle per
  // TLP. The fill then stores a TLP's header in the cycle the send side gives the slot back, and
  // in WrEnd along with the handover of the TLP before. At W = 64 (16 payload beats of 18) the
  // WrHdr cycle fits and stays (docs/datapath.md).
  localparam bit          Fast    = (W > 64);

  localparam logic [2:0] WrIdle  = 3'd0;  // no request: wrq_ready_o offered
  localparam logic [2:0] WrHdr   = 3'd1;  // start a TLP once slot wslot_q is free
  localparam logic [2:0] WrData  = 3'd2;  // pack payload bytes
  localparam logic [2:0] WrEnd   = 3'd3;  // write the partial last beat, hand the slot over
  localparam logic [2:0] WrAbort = 3'd4;  // device reset: queue a drop marker for the request

  if (Clients != 3) begin : gen_check_clients
    $error("vep_dma_wr: written for 3 clients");
  end
  if (DATA_W != 64 && DATA_W != 128 && DATA_W != 256) begin : gen_check_data_w
    $error("vep_dma_wr: DATA_W must be 64, 128 or 256");
  end

  // ---- Registers ----
  logic [2:0]         fill_state_q, fill_state_d;
  logic [1:0]         client_q, client_d;      // client of the request being filled
  logic [1:0]         rr_q, rr_d;              // client accepted last
  logic [Clients-1:0] wrq_ready_q, wrq_ready_d;
  logic [Clients-1:0] wrd_ready_q, wrd_ready_d;
  logic               drain_q, drain_d;        // dones of pre-reset requests still due
  logic [63:0]        addr_q, addr_d;          // address of the next TLP
  logic [12:0]        rem_q, rem_d;            // request bytes not yet in a TLP
  logic [9:0]         tlp_rem_q, tlp_rem_d;    // bytes of this TLP still to pack
  logic [W-1:0]       acc_q, acc_d;            // RAM beat being packed: bytes 0..cnt_q-1
  logic [LW:0]        cnt_q, cnt_d;
  logic [BeatAw-1:0]  wbeat_q, wbeat_d;        // RAM beat acc_q goes to
  logic               wslot_q, wslot_d;        // slot being filled
  logic [W-1:0]       hold_q, hold_d;          // tail of a client beat that straddled TLPs
  logic [LW-1:0]      hold_lo_q, hold_lo_d;
  logic [LW:0]        hold_n_q, hold_n_d;
  logic               hold_valid_q, hold_valid_d;

  // Slot s metadata in [W*s +: W]
  logic [1:0]         slot_full_q, slot_full_d;
  logic [255:0]       s_hdr_q, s_hdr_d;        // header DW i in [32i +: 32]
  logic [1:0]         s_4dw_q, s_4dw_d;
  logic [13:0]        s_nbeats_q, s_nbeats_d;  // TX beats of the TLP
  logic [2*LL-1:0]    s_ldw_q, s_ldw_d;        // DWs mod L: last beat has lanes 0..s_ldw-1
  logic [1:0]         s_last_q, s_last_d;      // the request's last TLP (or its drop marker)
  logic [3:0]         s_client_q, s_client_d;
  logic [1:0]         s_drop_q, s_drop_d;      // discard instead of sending

  // Send side
  logic               rslot_q, rslot_d;        // slot being sent
  logic [6:0]         rbeat_q, rbeat_d;        // next TX beat of it to issue
  logic               err_acc_q, err_acc_d;    // a TLP of the request being sent was dropped
  logic [W-1:0]       rd_data_q, rd_data_d;    // RAM read register
  logic               a_valid_q, a_valid_d;
  logic               a_sop_q, a_sop_d;
  logic               a_eop_q, a_eop_d;
  logic [L-1:0]       a_keep_q, a_keep_d;
  logic               a_ram_q, a_ram_d;        // rd_data_q is part of the beat
  logic [W-1:0]       a_hdr_q, a_hdr_d;        // header DWs of the beat (ORed in)
  logic               a_done_q, a_done_d;
  logic               a_err_q, a_err_d;
  logic [1:0]         a_client_q, a_client_d;
  logic               tx_valid_q, tx_valid_d;
  logic               tx_sop_q, tx_sop_d;
  logic               tx_eop_q, tx_eop_d;
  logic [L-1:0]       tx_keep_q, tx_keep_d;
  logic [W-1:0]       tx_data_q, tx_data_d;
  logic               tx_done_q, tx_done_d;    // last beat of a request
  logic               tx_err_q, tx_err_d;
  logic [1:0]         tx_client_q, tx_client_d;
  logic [Clients-1:0] wr_done_q, wr_done_d;
  logic               wr_err_q, wr_err_d;
  logic               idle_q, idle_d;

  // The TLP buffer: 2 slots x 2^BeatAw beats, one write port, registered read (rd_data_q).
  logic [W-1:0]       tlpbuf_q [0:2**(BeatAw+1)-1];
  logic               mem_we;
  logic [BeatAw:0]    mem_waddr;
  logic [W-1:0]       mem_wdata;
  logic               mem_re;
  logic [BeatAw:0]    mem_raddr;

  assign wrq_ready_o = wrq_ready_q;
  assign wrd_ready_o = wrd_ready_q;
  assign wr_done_o   = wr_done_q;
  assign wr_err_o    = wr_err_q;
  assign tx_valid_o  = tx_valid_q;
  assign tx_sop_o    = tx_sop_q;
  assign tx_eop_o    = tx_eop_q;
  // From registers only: stage a moves into tx on the take unless this beat ends a request.
  assign tx_more_o   = a_valid_q && a_sop_q && !tx_done_q;
  // A TLP whose first beat was read (Bus Master sampled then) has beats still to hand over.
  assign tx_busy_o   = (rbeat_q != 7'd0) || a_valid_q || tx_valid_q;
  assign tx_keep_o   = tx_keep_q;
  assign tx_data_o   = tx_data_q;
  assign idle_o      = idle_q;

  // ---- Combinational helpers ----
  logic               req_take;
  logic [1:0]         req_client;
  logic [1:0]         pick;
  logic               pick_ok;
  logic [1:0]         cand;
  logic [2:0]         mps_eff;
  logic [9:0]         mps_bytes;
  logic [9:0]         room;
  logic [9:0]         tlp_len;
  logic [9:0]         end_off;
  logic [7:0]         len_dw;
  logic               is4;
  logic [7:0]         total_dw;
  logic [127:0]       hdr;
  logic               src_ok;
  logic [W-1:0]       src_data;
  logic [LW-1:0]      src_lo;
  logic [LW:0]        src_n;
  logic [LW:0]        k;
  logic [W-1:0]       shifted;
  logic [W-1:0]       kmask;
  logic [2*W-1:0]     comb;
  logic [LW+1:0]      total;
  logic               tx_take;
  logic               a_move;
  logic               a_free;
  logic               pipe_empty;
  logic               cur;
  logic [6:0]         nb;
  logic               beat_last;
  logic               started;
  logic [6:0]         hb;                      // whole header beats of slot cur
  logic [HdrX-1:0]    hdr_x;                   // header of slot cur, zero-extended
  logic [LL-1:0]      ldw;
  logic               drop_now;                // slot cur is discarded, not sent
  logic               slot_rel;                // the send side gives slot cur back this cycle
  logic               hdr_go;                  // store the next TLP's header in slot hslot
  logic               hslot;

  always_comb begin
    fill_state_d = fill_state_q;
    client_d     = client_q;
    rr_d         = rr_q;
    wrq_ready_d  = '0;
    wrd_ready_d  = '0;
    drain_d      = drain_q;
    addr_d       = addr_q;
    rem_d        = rem_q;
    tlp_rem_d    = tlp_rem_q;
    acc_d        = acc_q;
    cnt_d        = cnt_q;
    wbeat_d      = wbeat_q;
    wslot_d      = wslot_q;
    hold_d       = hold_q;
    hold_lo_d    = hold_lo_q;
    hold_n_d     = hold_n_q;
    hold_valid_d = hold_valid_q;
    slot_full_d  = slot_full_q;
    s_hdr_d      = s_hdr_q;
    s_4dw_d      = s_4dw_q;
    s_nbeats_d   = s_nbeats_q;
    s_ldw_d      = s_ldw_q;
    s_last_d     = s_last_q;
    s_client_d   = s_client_q;
    s_drop_d     = s_drop_q;
    rslot_d      = rslot_q;
    rbeat_d      = rbeat_q;
    err_acc_d    = err_acc_q;
    rd_data_d    = rd_data_q;
    a_valid_d    = a_valid_q;
    a_sop_d      = a_sop_q;
    a_eop_d      = a_eop_q;
    a_keep_d     = a_keep_q;
    a_ram_d      = a_ram_q;
    a_hdr_d      = a_hdr_q;
    a_done_d     = a_done_q;
    a_err_d      = a_err_q;
    a_client_d   = a_client_q;
    tx_valid_d   = tx_valid_q;
    tx_sop_d     = tx_sop_q;
    tx_eop_d     = tx_eop_q;
    tx_keep_d    = tx_keep_q;
    tx_data_d    = tx_data_q;
    tx_done_d    = tx_done_q;
    tx_err_d     = tx_err_q;
    tx_client_d  = tx_client_q;
    wr_done_d    = '0;
    wr_err_d     = 1'b0;
    mem_we       = 1'b0;
    mem_waddr    = {wslot_q, wbeat_q};
    mem_wdata    = acc_q;
    mem_re       = 1'b0;
    mem_raddr    = '0;

    // ---- Request acceptance ----
    req_take   = 1'b0;
    req_client = 2'd0;
    for (int unsigned c = 0; c < Clients; c++) begin
      if (wrq_ready_q[c] && wrq_valid_i[c]) begin
        req_take   = 1'b1;
        req_client = 2'(c);
      end
    end

    // ---- TLP header from addr_q, rem_q, mps_i (used in WrHdr) ----
    mps_eff   = (mps_i > 3'(MpsMax)) ? 3'(MpsMax) : mps_i;
    mps_bytes = 10'd128 << mps_eff;
    room      = mps_bytes - (addr_q[9:0] & (mps_bytes - 10'd1));
    tlp_len   = ({3'd0, room} < rem_q) ? room : rem_q[9:0];
    end_off   = {8'd0, addr_q[1:0]} + tlp_len;
    len_dw    = 8'((end_off + 10'd3) >> 2);
    is4      = (addr_q[63:32] != 32'd0);
    total_dw = len_dw + (is4 ? 8'd4 : 8'd3);
    hdr      = vep_pkg::mem_req_hdr(1'b1, addr_q, {3'd0, tlp_len}, completer_id_i, 8'd0);

    // ---- The send side's state as the fill side needs it (slot_rel: see Fast) ----
    tx_take    = tx_valid_q && tx_ready_i;
    a_move     = a_valid_q && (!tx_valid_q || (tx_take && !tx_done_q));
    a_free     = !a_valid_q || a_move;
    pipe_empty = !a_valid_q && !tx_valid_q;
    cur        = rslot_q;
    nb         = s_nbeats_q[7*cur +: 7];
    beat_last  = (rbeat_q == nb - 7'd1);
    drop_now   = (rbeat_q == 7'd0) && (s_drop_q[cur] || !bus_master_i);
    slot_rel   = slot_full_q[cur] && (drop_now ? pipe_empty : (a_free && beat_last));

    // ---- Packing (WrData): the held tail first, else the client's beat ----
    src_ok   = 1'b0;
    src_data = hold_q;
    src_lo   = hold_lo_q;
    src_n    = hold_n_q;
    if (hold_valid_q) begin
      src_ok = 1'b1;
    end else if (wrd_ready_q[client_q] && wrd_valid_i[client_q]) begin
      src_ok   = 1'b1;
      src_data = wrd_data_i[W*client_q +: W];
      src_lo   = wrd_lo_i[LW*client_q +: LW];
      src_n    = wrd_n_i[(LW+1)*client_q +: LW+1];
    end
    k       = (10'(src_n) < tlp_rem_q) ? src_n : tlp_rem_q[LW:0];
    shifted = src_data >> {src_lo, 3'b000};
    // Bytes 0..k-1: one compare per byte (a shift and a W-bit subtraction made a carry chain of
    // W/4 CARRY4s on the packing path).
    for (int b = 0; b < B; b++) kmask[8*b +: 8] = {8{(LW+1)'(b) < k}};
    comb    = {W'(0), acc_q} | ({W'(0), shifted & kmask} << {cnt_q, 3'b000});
    total   = {1'b0, cnt_q} + {1'b0, k};

    hdr_go = 1'b0;
    hslot  = wslot_q;
    unique case (fill_state_q)
      WrIdle: begin
        if (req_take) begin
          client_d     = req_client;
          rr_d         = req_client;
          addr_d       = wrq_addr_i[64*req_client +: 64];
          rem_d        = wrq_len_i[13*req_client +: 13];
          fill_state_d = dev_reset_i ? WrAbort : WrHdr;
        end
      end
      WrHdr: begin
        if (dev_reset_i) begin
          fill_state_d = WrAbort;
        end else if (!slot_full_q[wslot_q] || (Fast && slot_rel && cur == wslot_q)) begin
          hdr_go = 1'b1;
        end
      end
      WrData: begin
        if (dev_reset_i) begin
          fill_state_d = WrAbort;
          hold_valid_d = 1'b0;
        end else if (src_ok) begin
          if (total >= (LW+2)'(B)) begin
            mem_we    = 1'b1;
            mem_wdata = comb[W-1:0];
            wbeat_d   = wbeat_q + 1'b1;
            acc_d     = comb[2*W-1:W];
            cnt_d     = (LW+1)'(total - (LW+2)'(B));
          end else begin
            acc_d = comb[W-1:0];
            cnt_d = total[LW:0];
          end
          tlp_rem_d    = tlp_rem_q - 10'(k);
          hold_valid_d = (k < src_n);
          hold_d       = src_data;
          hold_lo_d    = src_lo + k[LW-1:0];
          hold_n_d     = src_n - k;
          if (tlp_rem_q == 10'(k)) fill_state_d = WrEnd;
        end
      end
      WrEnd: begin
        if (dev_reset_i) begin
          fill_state_d = WrAbort;
          hold_valid_d = 1'b0;
        end else begin
          if (cnt_q != '0) mem_we = 1'b1;
          slot_full_d[wslot_q] = 1'b1;
          s_drop_d[wslot_q]    = 1'b0;
          wslot_d              = !wslot_q;
          fill_state_d         = (rem_q == 13'd0) ? WrIdle : WrHdr;
          if (Fast && rem_q != 13'd0 &&
              (!slot_full_q[!wslot_q] || (slot_rel && cur == !wslot_q))) begin
            hdr_go = 1'b1;
            hslot  = !wslot_q;
          end
        end
      end
      WrAbort: begin
        hold_valid_d = 1'b0;
        if (!slot_full_q[wslot_q]) begin
          slot_full_d[wslot_q]       = 1'b1;
          s_drop_d[wslot_q]          = 1'b1;
          s_last_d[wslot_q]          = 1'b1;
          s_client_d[2*wslot_q +: 2] = client_q;
          wslot_d                    = !wslot_q;
          fill_state_d               = WrIdle;
        end
      end
      default: fill_state_d = WrIdle;
    endcase
    // WrHdr's work (also WrEnd's for the next TLP when Fast): the header into slot hslot
    if (hdr_go) begin
      s_hdr_d[128*hslot +: 128] = hdr;
      s_4dw_d[hslot]            = is4;
      s_nbeats_d[7*hslot +: 7]  = 7'((total_dw + 8'(L - 1)) >> LL);
      s_ldw_d[LL*hslot +: LL]   = total_dw[LL-1:0];
      s_last_d[hslot]           = ({3'd0, tlp_len} == rem_q);
      s_client_d[2*hslot +: 2]  = client_q;
      addr_d       = addr_q + {54'd0, tlp_len};
      rem_d        = rem_q - {3'd0, tlp_len};
      tlp_rem_d    = tlp_len;
      acc_d        = '0;
      cnt_d        = (is4 ? (LW+1)'(Off4) : (LW+1)'(Off3)) + (LW+1)'(addr_q[1:0]);
      wbeat_d      = '0;
      fill_state_d = WrData;
    end

    // ---- Send side: TX register, stage a, issue ----
    if (tx_take && tx_done_q) begin
      wr_done_d[tx_client_q] = 1'b1;
      wr_err_d               = tx_err_q;
    end
    if (a_move) begin
      tx_valid_d  = 1'b1;
      tx_sop_d    = a_sop_q;
      tx_eop_d    = a_eop_q;
      tx_keep_d   = a_keep_q;
      tx_data_d   = (a_ram_q ? rd_data_q : W'(0)) | a_hdr_q;
      tx_done_d   = a_done_q;
      tx_err_d    = a_err_q;
      tx_client_d = a_client_q;
    end else if (tx_take) begin
      tx_valid_d  = 1'b0;
      tx_sop_d    = 1'b0;
      tx_eop_d    = 1'b0;
      tx_keep_d   = '0;
      tx_data_d   = '0;
      tx_done_d   = 1'b0;
      tx_err_d    = 1'b0;
      tx_client_d = '0;
    end
    if (a_move) a_valid_d = 1'b0;

    hb        = s_4dw_q[cur] ? 7'(Hb4) : 7'(Hb3);
    hdr_x     = HdrX'(s_hdr_q[128*cur +: 128]);
    ldw       = s_ldw_q[LL*cur +: LL];
    if (slot_full_q[cur]) begin
      if (drop_now) begin
        // Discard once the pipe is empty, so that its done cannot meet a sent TLP's done.
        if (pipe_empty) begin
          slot_full_d[cur] = 1'b0;
          rslot_d          = !rslot_q;
          if (s_last_q[cur]) begin
            wr_done_d[s_client_q[2*cur +: 2]] = 1'b1;
            wr_err_d  = 1'b1;
            err_acc_d = 1'b0;
          end else begin
            err_acc_d = 1'b1;
          end
        end
      end else if (a_free) begin
        a_valid_d  = 1'b1;
        a_sop_d    = (rbeat_q == 7'd0);
        a_eop_d    = beat_last;
        a_keep_d   = (beat_last && ldw != '0) ? ((L'(1) << ldw) - L'(1)) : {L{1'b1}};
        a_done_d   = beat_last && s_last_q[cur];
        a_err_d    = err_acc_q;
        a_client_d = s_client_q[2*cur +: 2];
        // Header DWs of this beat (a 3DW header's DW3 is 0, so a 3DW header beat needs no mask)
        a_hdr_d    = '0;
        for (int unsigned j = 0; j < HdrBeats; j++) begin
          if (rbeat_q == 7'(j)) a_hdr_d = hdr_x[j*W +: W];
        end
        a_ram_d    = 1'b0;
        if (rbeat_q >= hb) begin
          a_ram_d   = 1'b1;
          mem_re    = 1'b1;
          mem_raddr = {cur, BeatAw'(rbeat_q - hb)};
        end
        if (beat_last) begin
          slot_full_d[cur] = 1'b0;
          rslot_d          = !rslot_q;
          rbeat_d          = '0;
          if (s_last_q[cur]) err_acc_d = 1'b0;
        end else begin
          rbeat_d = rbeat_q + 7'd1;
        end
      end
    end
    if (mem_re) rd_data_d = tlpbuf_q[mem_raddr];

    // ---- Device reset: drop every slot not started; no new request until the drain ----
    started = (rbeat_q != 7'd0);
    if (dev_reset_i) begin
      for (int unsigned s = 0; s < 2; s++) begin
        if (slot_full_q[s] && !(started && rslot_q == 1'(s))) s_drop_d[s] = 1'b1;
      end
      drain_d = 1'b1;
    end else if (drain_q && fill_state_q == WrIdle && slot_full_q == 2'b00 && pipe_empty) begin
      drain_d = 1'b0;
    end

    // ---- Registered readies ----
    if (fill_state_d == WrIdle && !drain_d && !req_take) begin
      pick_ok = 1'b0;
      pick    = 2'd0;
      for (int unsigned i = 1; i <= Clients; i++) begin
        // 3-bit arithmetic (rr_q + i < 8 for up to 4 clients, as the 2-bit rr_q allows): a
        // 32-bit remainder synthesises into a divider.
        cand = 2'((3'(rr_q) + 3'(i)) % 3'(Clients));
        if (!pick_ok && wrq_valid_i[cand]) begin
          pick_ok = 1'b1;
          pick    = cand;
        end
      end
      if (pick_ok) wrq_ready_d[pick] = 1'b1;
    end else begin
      pick_ok = 1'b0;
      pick    = 2'd0;
      cand    = 2'd0;
    end
    if (fill_state_d == WrData && !hold_valid_d) wrd_ready_d[client_d] = 1'b1;

    idle_d = (fill_state_d == WrIdle) && (slot_full_d == 2'b00) && !a_valid_d && !tx_valid_d;
  end

  // The TLP buffer is a RAM: written, never reset (only beats written for a TLP are read).
  always_ff @(posedge clk_i) begin
    if (mem_we) tlpbuf_q[mem_waddr] <= mem_wdata;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      fill_state_q <= WrIdle;
      client_q     <= '0;
      rr_q         <= 2'd2;
      wrq_ready_q  <= '0;
      wrd_ready_q  <= '0;
      drain_q      <= 1'b0;
      addr_q       <= '0;
      rem_q        <= '0;
      tlp_rem_q    <= '0;
      acc_q        <= '0;
      cnt_q        <= '0;
      wbeat_q      <= '0;
      wslot_q      <= 1'b0;
      hold_q       <= '0;
      hold_lo_q    <= '0;
      hold_n_q     <= '0;
      hold_valid_q <= 1'b0;
      slot_full_q  <= '0;
      s_hdr_q      <= '0;
      s_4dw_q      <= '0;
      s_nbeats_q   <= '0;
      s_ldw_q      <= '0;
      s_last_q     <= '0;
      s_client_q   <= '0;
      s_drop_q     <= '0;
      rslot_q      <= 1'b0;
      rbeat_q      <= '0;
      err_acc_q    <= 1'b0;
      rd_data_q    <= '0;
      a_valid_q    <= 1'b0;
      a_sop_q      <= 1'b0;
      a_eop_q      <= 1'b0;
      a_keep_q     <= '0;
      a_ram_q      <= 1'b0;
      a_hdr_q      <= '0;
      a_done_q     <= 1'b0;
      a_err_q      <= 1'b0;
      a_client_q   <= '0;
      tx_valid_q   <= 1'b0;
      tx_sop_q     <= 1'b0;
      tx_eop_q     <= 1'b0;
      tx_keep_q    <= '0;
      tx_data_q    <= '0;
      tx_done_q    <= 1'b0;
      tx_err_q     <= 1'b0;
      tx_client_q  <= '0;
      wr_done_q    <= '0;
      wr_err_q     <= 1'b0;
      idle_q       <= 1'b1;
    end else begin
      fill_state_q <= fill_state_d;
      client_q     <= client_d;
      rr_q         <= rr_d;
      wrq_ready_q  <= wrq_ready_d;
      wrd_ready_q  <= wrd_ready_d;
      drain_q      <= drain_d;
      addr_q       <= addr_d;
      rem_q        <= rem_d;
      tlp_rem_q    <= tlp_rem_d;
      acc_q        <= acc_d;
      cnt_q        <= cnt_d;
      wbeat_q      <= wbeat_d;
      wslot_q      <= wslot_d;
      hold_q       <= hold_d;
      hold_lo_q    <= hold_lo_d;
      hold_n_q     <= hold_n_d;
      hold_valid_q <= hold_valid_d;
      slot_full_q  <= slot_full_d;
      s_hdr_q      <= s_hdr_d;
      s_4dw_q      <= s_4dw_d;
      s_nbeats_q   <= s_nbeats_d;
      s_ldw_q      <= s_ldw_d;
      s_last_q     <= s_last_d;
      s_client_q   <= s_client_d;
      s_drop_q     <= s_drop_d;
      rslot_q      <= rslot_d;
      rbeat_q      <= rbeat_d;
      err_acc_q    <= err_acc_d;
      rd_data_q    <= rd_data_d;
      a_valid_q    <= a_valid_d;
      a_sop_q      <= a_sop_d;
      a_eop_q      <= a_eop_d;
      a_keep_q     <= a_keep_d;
      a_ram_q      <= a_ram_d;
      a_hdr_q      <= a_hdr_d;
      a_done_q     <= a_done_d;
      a_err_q      <= a_err_d;
      a_client_q   <= a_client_d;
      tx_valid_q   <= tx_valid_d;
      tx_sop_q     <= tx_sop_d;
      tx_eop_q     <= tx_eop_d;
      tx_keep_q    <= tx_keep_d;
      tx_data_q    <= tx_data_d;
      tx_done_q    <= tx_done_d;
      tx_err_q     <= tx_err_d;
      tx_client_q  <= tx_client_d;
      wr_done_q    <= wr_done_d;
      wr_err_q     <= wr_err_d;
      idle_q       <= idle_d;
    end
  end

endmodule

`default_nettype wire
