// SPDX-License-Identifier: Apache-2.0
// vep_rx_demux: assembles one TLP at a time from the RX stream, checks its framing and hands
// requests to vep_completer, and streams completions (Cpl, CplD) to vep_dma_rd. Messages,
// locked completions (CplLk, CplDLk: the endpoint never sends MRdLk), completions with a 4DW
// header, TLP prefixes and malformed TLPs are dropped: a malformed TLP is discarded, nothing acts
// on it but the registered strobe ev_malformed_o (one cycle per malformed TLP), which sets Device
// Status Fatal Error Detected in vep_cfg_space. C twin: cmodel/vep_rx_demux.c.
//
// Completion stream (rc_*, registered, no backpressure; L = DATA_W/32 lanes): a completion is
// streamed when its first RX beat is good, its header is 3DW and, for a CplD, its Length is
// within the Max Payload Size (mps_i, capped at the 512 bytes the device supports:
// VEP_MPS_SUPPORTED_ENC). A CplD longer than that is malformed and nothing of it is streamed.
// An rc beat carries payload DWs packed from lane 0 in payload order (rc_data_o, lanes at and
// above rc_ndw_o zero), never more DWs in all than the header's Length (an ECRC DW or excess
// DWs give fewer, or beats with rc_ndw_o 0).
// - DATA_W = 64: the first beat is good when it has sop, both lanes and no eop. RX beat j >= 1
//   becomes rc beat j-1 one cycle later: the first (rc_sop_o) carries the header (DW2 is lane 0
//   of the second RX beat) and payload DW 0 (its lane 1); later beats up to two DWs.
// - DATA_W >= 128: the whole header is in RX beat 0, so RX beat j becomes rc beat j one cycle
//   later. The first beat is good when it has sop and lanes 0..2 and, without eop, all lanes.
//   The sop rc beat carries the header and the payload in lanes 3..L-1 (up to L-3 DWs), later
//   beats up to L DWs. A completion of one RX beat (a Cpl, a CplD of Length <= L-3) is one rc
//   beat with rc_sop_o and rc_eop_o.
// rc_hdr_o is new with rc_sop_o and held until the next completion. Every streamed completion
// ends with an rc_eop_o beat; a framing error found only at eop (DW count, a bad later beat)
// sets rc_bad_o on that beat, together with ev_malformed_o: the read engine then fails the tag.
//
// Framing: a TLP is every beat from the one taken while a TLP is expected up to and including
// the next eop beat. It is malformed if its first beat lacks sop, a later beat has sop, a keep is
// not contiguous from lane 0, a beat without eop is not full, or the DW count differs from
// header + (Fmt has data ? Length : 0) + TD. Only the first BufDw DWs are stored (the header and
// up to VEP_REG_ACCESS_MAX_DW payload DWs); every DW is counted.
//
// A well-framed request is still malformed, and dropped, when:
// - it is a memory request (MRd, MWr, MRdLk: Type 0000x) whose bytes cross a 4 KiB boundary
//   (address[11:0] + 4 x Length > 4096);
// - it carries byte enables (memory, I/O, configuration) and has Length 1 with Last BE != 0, or
//   Length > 1 with First BE or Last BE 0;
// - it is a configuration (Type 0010x) or I/O request (Type 00010) with Length != 1.
// A TLP with Fmt 1xx (a TLP prefix, or a reserved Fmt) is malformed too: the endpoint supports
// no prefix (DevCap2 advertises no End-End TLP Prefix), and its framing cannot be checked. So is
// a Type that is undefined, or defined only with another Fmt (an MRdLk with data, a 4DW
// configuration request, a message with a 3DW header...): PCIe calls it a Malformed TLP.
// Well-framed completions and messages are dropped without being malformed.
//
// Doorbell fast path: a well-formed MWr of Length 1, not poisoned, that hits the notify region
// of BAR0 while Memory Space is enabled is consumed here instead of going to the completer,
// which would do nothing with it but the one register write to vep_notify. On the edge that
// takes its last beat, ring_o gets the bit of the queue it names (when its First BE covers byte
// 0 or 1 and the queue exists, vep_notify's own rule), a one-cycle registered strobe to
// vep_notify (which latches it) and, ORed in vep_top with vep_notify's doorbells, to
// vep_vq_fetch: the doorbell reaches the fetch engine the cycle after the TLP ends instead of
// three cycles later (docs/microarchitecture.md, "The doorbell path"). Every other MWr to BAR0
// (Length 2, poisoned, another region) still goes through the completer. Ordering: the completer
// makes a request's register writes on the two edges after the one that takes it (a
// configuration write, which can change Memory Space or BAR0, on the first), so a doorbell whose
// last beat is taken two or more edges after that take decodes with the configuration written
// before it and rings no earlier than the cycle the queue setup written before it is in place.
// At DATA_W = 64 every TLP is two or more beats, so that always holds. From DATA_W = 128 on, a
// Length-1 MWr can be one beat taken on the very next edge (handoff_q): that doorbell goes to
// the completer instead, which serves it after the earlier request.
`default_nettype none

module vep_rx_demux #(
  parameter int unsigned DATA_W     = 64,  // RX stream width in bits: 64, 128 or 256
  parameter int unsigned NUM_QUEUES = 4    // virtqueues, 1..64: one doorbell each
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

  // ---- Parsed request to vep_completer ----
  output logic                 req_valid_o,
  input  logic                 req_ready_i,
  output vep_pkg::req_t        req_o,

  // ---- Error event to vep_cfg_space ----
  output logic                 ev_malformed_o,  // strobe: a malformed TLP was dropped

  // ---- Max Payload Size from vep_cfg_space (Device Control [7:5]) ----
  input  logic [2:0]           mps_i,

  // ---- Doorbell fast path: BAR0 decode from vep_cfg_space, rings to vep_notify ----
  input  logic                 cmd_mem_en_i,
  input  logic [63:15]         bar0_base_i,
  output logic [NUM_QUEUES-1:0] ring_o,       // strobe: bit q, queue q was notified

  // ---- Completion stream to vep_dma_rd (no backpressure) ----
  output logic                 rc_valid_o,
  output logic                 rc_sop_o,      // first beat: rc_hdr_o is new
  output logic                 rc_eop_o,      // last beat of the completion
  output logic                 rc_bad_o,      // with rc_eop_o: the completion was malformed
  output vep_pkg::cpl_hdr_t    rc_hdr_o,      // held from the sop beat to the next completion
  output logic [DATA_W-1:0]    rc_data_o,     // payload DW k of the beat in [32k+31:32k]
  output logic [$clog2(DATA_W/32):0] rc_ndw_o // payload DWs in this beat: 0..DATA_W/32
);

  localparam int unsigned Lanes = DATA_W / 32;
  localparam int unsigned NdwW  = $clog2(Lanes) + 1;   // rc_ndw_o: 0..Lanes
  // Stored DWs: the longest header plus the payload a register access can use.
  localparam int unsigned BufDw = 4 + vep_pkg::VEP_REG_ACCESS_MAX_DW;
  // The DW counter saturates: the longest legal TLP (4 + 1024 + 1 DWs) stays far below it.
  localparam int unsigned CntW = 11;
  localparam logic [CntW-1:0] CntMax = {CntW{1'b1}};
  localparam logic [Lanes-1:0] KeepAll = {Lanes{1'b1}};
  localparam logic [Lanes-1:0] KeepOne = {{(Lanes - 1){1'b0}}, 1'b1};
  // Lanes 0..2: a 3DW header (DATA_W >= 128, where it fits in one beat).
  localparam logic [Lanes-1:0] KeepHdr = Lanes'(3'b111);

  if (DATA_W != 64 && DATA_W != 128 && DATA_W != 256) begin : gen_check_data_w
    $error("vep_rx_demux: DATA_W must be 64, 128 or 256");
  end
  if (NUM_QUEUES < 1 || NUM_QUEUES > 64) begin : gen_check_num_queues
    $error("vep_rx_demux: NUM_QUEUES must be 1..64");
  end
  if (vep_pkg::VEP_NOTIFY_MULTIPLIER != 4) begin : gen_check_multiplier
    $error("vep_rx_demux: the doorbell decode assumes one doorbell per DW");
  end
  if (vep_pkg::VEP_BAR0_SIZE != 32'h8000) begin : gen_check_bar0
    $error("vep_rx_demux: the doorbell decode assumes a 32 KiB BAR0 (address bits [14:0])");
  end

  localparam logic [2:0] NotifyRegion = 3'(vep_pkg::VEP_BAR_NOTIFY_OFF >> 12);

  vep_pkg::rx_state_e          state_q, state_d;
  logic                        bad_q, bad_d;
  logic [CntW-1:0]             dw_cnt_q, dw_cnt_d;
  logic [32*BufDw-1:0]         dw_q, dw_d;   // DW j in [32j+31:32j]
  logic                        ev_malformed_q, ev_malformed_d;
  // The completion stream: the TLP in progress is a streamed completion; its next beat is the
  // first rc beat; payload DWs still to stream; the rc beat register.
  logic                        cs_q, cs_d;
  logic                        cfirst_q, cfirst_d;
  logic [10:0]                 cpay_q, cpay_d;
  logic                        rc_valid_q, rc_valid_d;
  logic                        rc_sop_q, rc_sop_d;
  logic                        rc_eop_q, rc_eop_d;
  logic                        rc_bad_q, rc_bad_d;
  vep_pkg::cpl_hdr_t           rc_hdr_q, rc_hdr_d;
  logic [DATA_W-1:0]           rc_data_q, rc_data_d;
  logic [NdwW-1:0]             rc_ndw_q, rc_ndw_d;
  logic [NUM_QUEUES-1:0]       ring_q, ring_d;
  // A request was handed to the completer on the last edge (the fast path's ordering rule).
  logic                        handoff_q, handoff_d;

  // The stored DWs by position in the TLP. Header fields the endpoint ignores (LN, TH, AT; TD
  // and Length only matter to the framing check) are stored but not decoded.
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0] q_dw0, q_dw1, q_dw2, q_dw3, q_dw4, q_dw5;
  logic [31:0] eop_dw0;   // DW0 of the TLP that ends with this cycle's beat
  /* verilator lint_on UNUSEDSIGNAL */
  assign q_dw0 = dw_q[31:0];
  assign q_dw1 = dw_q[63:32];
  assign q_dw2 = dw_q[95:64];
  assign q_dw3 = dw_q[127:96];
  assign q_dw4 = dw_q[159:128];
  assign q_dw5 = dw_q[191:160];

  // ---- Outputs: functions of the registers only ----
  logic [7:0]  fmt_type;
  logic [10:0] len_dw;
  logic        is_cfg;

  assign s_rx_ready  = (state_q != vep_pkg::RxReq);
  assign req_valid_o = (state_q == vep_pkg::RxReq);
  assign ev_malformed_o = ev_malformed_q;
  assign rc_valid_o  = rc_valid_q;
  assign rc_sop_o    = rc_sop_q;
  assign rc_eop_o    = rc_eop_q;
  assign rc_bad_o    = rc_bad_q;
  assign rc_hdr_o    = rc_hdr_q;
  assign rc_data_o   = rc_data_q;
  assign rc_ndw_o    = rc_ndw_q;
  assign ring_o      = ring_q;

  always_comb begin
    fmt_type = q_dw0[31:24];
    len_dw   = {(q_dw0[9:0] == 10'd0), q_dw0[9:0]};
    // Config requests keep DW2 whole (bus/device/function and register number); every other
    // request carries a DW address there.
    is_cfg   = (fmt_type[4:1] == 4'b0010);

    req_o              = '0;
    req_o.fmt_type     = fmt_type;
    req_o.tc           = q_dw0[22:20];
    req_o.attr         = {q_dw0[18], q_dw0[13:12]};
    req_o.ep           = q_dw0[14];
    req_o.len_dw       = len_dw;
    req_o.requester_id = q_dw1[31:16];
    req_o.tag          = {q_dw0[23], q_dw0[19], q_dw1[15:8]};
    req_o.last_be      = q_dw1[7:4];
    req_o.first_be     = q_dw1[3:0];
    if (is_cfg) begin
      req_o.addr = {32'd0, q_dw2};
    end else if (fmt_type[5]) begin
      req_o.addr = {q_dw2, q_dw3[31:2], 2'b00};
    end else begin
      req_o.addr = {32'd0, q_dw2[31:2], 2'b00};
    end
    if (fmt_type[6]) begin
      req_o.data[31:0] = fmt_type[5] ? q_dw4 : q_dw3;
      if (len_dw >= 11'd2) begin
        req_o.data[63:32] = fmt_type[5] ? q_dw5 : q_dw4;
      end
    end
  end

  // ---- Next state ----
  logic                start;
  logic [CntW-1:0]     base;
  logic [CntW+3:0]     cnt_sum;
  logic                keep_bad;
  logic                beat_bad;
  logic [2:0]          fmt_d;
  logic [4:0]          type_d;
  logic [10:0]         len_d;
  logic [CntW-1:0]     expect_dw;
  logic                is_request;
  logic [7:0]          hdr_be;      // DW1[7:0] of the TLP that ends here: {Last BE, First BE}
  logic [9:0]          addr_dwpg;   // its address bits [11:2]: the DW within the 4 KiB page
  logic                is_mem;      // MRd, MWr, MRdLk
  logic                is_len1;     // configuration or I/O: Length must be 1
  logic                cross_4k;
  logic                be_bad;
  logic                req_bad;     // a well-framed request that is malformed nonetheless
  logic                type_ok;     // Fmt/Type is a defined combination (PCIe: else malformed)
  logic                malformed;   // the TLP that ends here is malformed
  logic [31:0]         lane0, lane1;
  logic [2:0]          s_fmt;       // Fmt/Type/Length of a first beat (lane 0 = DW0)
  logic [4:0]          s_type;
  logic [10:0]         s_len;
  logic                is_cpl;      // a first beat of a Cpl/CplD with a 3DW header
  logic [10:0]         mps_dw;      // the Max Payload Size in DWs, capped at what is supported
  logic                over_mps;
  logic [31:0]         lane2;       // DW2 of a header that is all in this beat (DATA_W >= 128)
  // The completion stream: this cycle makes an rc beat; its header DWs; where its payload
  // starts in the RX beat; the payload DWs the completion still has before this beat.
  logic                emit;
  logic                hdr_new;
  // Header fields the read engine ignores are not decoded (as for the stored DWs above).
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0]         h_dw0, h_dw1, h_dw2;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [1:0]          hoff;
  logic [10:0]         cpay_cur;
  logic [Lanes-1:0]    keep_pay;    // the RX keep shifted down by hoff lanes
  logic [NdwW-1:0]     avail;       // kept lanes at and above hoff
  logic [DATA_W-1:0]   pay;         // the RX beat shifted down by hoff lanes
  logic [NdwW-1:0]     ndw;
  logic [63:2]         nfy_addr;    // the DW address of the TLP that ends here (memory)
  logic                nfy;         // it is a doorbell write for the fast path

  always_comb begin
    state_d  = state_q;
    bad_d    = bad_q;
    dw_cnt_d = dw_cnt_q;
    dw_d     = dw_q;
    ev_malformed_d = 1'b0;
    cs_d       = cs_q;
    cfirst_d   = cfirst_q;
    cpay_d     = cpay_q;
    rc_valid_d = 1'b0;
    rc_sop_d   = 1'b0;
    rc_eop_d   = 1'b0;
    rc_bad_d   = 1'b0;
    rc_hdr_d   = rc_hdr_q;
    rc_data_d  = rc_data_q;
    rc_ndw_d   = '0;
    ring_d     = '0;
    handoff_d  = (state_q == vep_pkg::RxReq) && req_ready_i;

    lane0    = s_rx_data[31:0];
    lane1    = s_rx_data[63:32];
    lane2    = 32'(s_rx_data >> 64);
    s_fmt    = lane0[31:29];
    s_type   = lane0[28:24];
    s_len    = {(lane0[9:0] == 10'd0), lane0[9:0]};
    is_cpl   = (s_fmt == 3'b000 || s_fmt == 3'b010) && (s_type == 5'b01010);
    mps_dw   = (mps_i > 3'(vep_pkg::VEP_MPS_SUPPORTED_ENC)) ?
               (11'd32 << vep_pkg::VEP_MPS_SUPPORTED_ENC) : (11'd32 << mps_i);
    over_mps = s_rx_keep[0] && is_cpl && s_fmt[1] && (s_len > mps_dw);
    ndw      = '0;
    emit     = 1'b0;
    hdr_new  = 1'b0;
    h_dw0    = '0;
    h_dw1    = '0;
    h_dw2    = '0;
    hoff     = '0;
    cpay_cur = '0;
    keep_pay = '0;
    avail    = '0;
    pay      = '0;

    start    = (state_q == vep_pkg::RxSop);
    base     = start ? '0 : dw_cnt_q;
    cnt_sum  = {4'd0, base};
    for (int unsigned l = 0; l < Lanes; l++) begin
      cnt_sum = cnt_sum + {{(CntW + 3){1'b0}}, s_rx_keep[l]};
    end
    // Valid lanes must be 0..k-1 with k >= 1: keep + 1 is then a power of two.
    keep_bad = (s_rx_keep == '0) || ((s_rx_keep & (s_rx_keep + KeepOne)) != '0) ||
               (!s_rx_eop && s_rx_keep != KeepAll);
    beat_bad = keep_bad || (start ? !s_rx_sop : s_rx_sop);

    eop_dw0    = '0;
    fmt_d      = '0;
    type_d     = '0;
    len_d      = '0;
    expect_dw  = '0;
    is_request = 1'b0;
    hdr_be     = '0;
    addr_dwpg  = '0;
    is_mem     = 1'b0;
    is_len1    = 1'b0;
    cross_4k   = 1'b0;
    be_bad     = 1'b0;
    type_ok    = 1'b0;
    req_bad    = 1'b0;
    malformed  = 1'b0;
    nfy_addr   = '0;
    nfy        = 1'b0;

    unique case (state_q)
      vep_pkg::RxReq: begin
        if (req_ready_i) begin
          state_d = vep_pkg::RxSop;
        end
      end
      vep_pkg::RxSop, vep_pkg::RxBody: begin
        if (s_rx_valid) begin
          if (start) begin
            dw_d = '0;
          end
          for (int unsigned l = 0; l < Lanes; l++) begin
            for (int unsigned j = 0; j < BufDw; j++) begin
              // One bit wider than the counter: a saturated base must not wrap onto slot 0.
              if (s_rx_keep[l] && ({1'b0, base} + (CntW + 1)'(l)) == (CntW + 1)'(j)) begin
                dw_d[32*j +: 32] = s_rx_data[32*l +: 32];
              end
            end
          end
          // A CplD longer than the MPS is malformed from its first beat on.
          bad_d    = (start ? 1'b0 : bad_q) | beat_bad | (start && over_mps);
          dw_cnt_d = (cnt_sum > {4'd0, CntMax}) ? CntMax : cnt_sum[CntW-1:0];

          if (s_rx_eop) begin
            // A TLP that ends here started either with this beat or with DW0 already stored;
            // anything else is malformed and dropped whatever its header says.
            eop_dw0   = start ? (s_rx_keep[0] ? s_rx_data[31:0] : 32'd0) : q_dw0;
            fmt_d     = eop_dw0[31:29];
            type_d    = eop_dw0[28:24];
            len_d     = {(eop_dw0[9:0] == 10'd0), eop_dw0[9:0]};
            expect_dw = (fmt_d[0] ? 11'd4 : 11'd3) + (fmt_d[1] ? len_d : 11'd0) +
                        {10'd0, eop_dw0[15]};
            // Fmt 1xx: TLP prefixes (and reserved); Type 0101x: completions; Type 10xxx:
            // messages. None of them is a request for the completer.
            is_request = !fmt_d[2] && (type_d != 5'b01010) && (type_d != 5'b01011) &&
                         (type_d[4:3] != 2'b10);
            // The header as stored with this beat (whole whenever the framing is good).
            // Address bits [11:2] are in DW3 [11:2] of a 4DW header, else in DW2 [11:2].
            hdr_be    = dw_d[39:32];
            addr_dwpg = fmt_d[0] ? dw_d[107:98] : dw_d[75:66];
            is_mem    = (type_d[4:1] == 4'b0000);
            is_len1   = (type_d[4:1] == 4'b0010) || (type_d == 5'b00010);
            // The DW offset in the page + Length beyond the page's 1024 DWs (11 bits suffice).
            cross_4k  = is_mem && ({1'b0, addr_dwpg} + len_d > 11'd1024);
            be_bad    = (is_mem || is_len1) &&
                        ((len_d == 11'd1) ? (hdr_be[7:4] != 4'd0) :
                                            (hdr_be[3:0] == 4'd0 || hdr_be[7:4] == 4'd0));
            req_bad   = cross_4k || be_bad || (is_len1 && len_d != 11'd1);
            // The Fmt each Type is defined with: MRd/MWr any; MRdLk without data; I/O,
            // configuration and completions 3DW; messages 4DW; AtomicOps with data. Any other
            // Type is undefined, Type 11011 included (TCfgRd/TCfgWr: deprecated, and a receiver
            // without Trusted Configuration Space treats them as malformed).
            unique case (type_d)
              5'b00000:           type_ok = 1'b1;
              5'b00001:           type_ok = !fmt_d[1];
              5'b00010, 5'b00100, 5'b00101, 5'b01010, 5'b01011: type_ok = !fmt_d[0];
              5'b01100, 5'b01101, 5'b01110: type_ok = fmt_d[1];
              default:            type_ok = (type_d[4:3] == 2'b10) && fmt_d[0];
            endcase
            // is_mem and is_len1 are request types, so req_bad implies a request (or Fmt 1xx).
            malformed = bad_d || fmt_d[2] || (dw_cnt_d != expect_dw) || req_bad || !type_ok;
            ev_malformed_d = malformed;
            // The doorbell fast path: the completer's BAR0 hit (a Length-1 access cannot
            // run past the end of BAR0) in the notify region, for an MWr it would write.
            nfy_addr = fmt_d[0] ? {dw_d[95:64], dw_d[127:98]} : {32'd0, dw_d[95:66]};
            nfy      = !malformed && ((eop_dw0[31:24] & 8'hDF) == 8'h40) && !eop_dw0[14] &&
                       (len_d == 11'd1) && cmd_mem_en_i && (nfy_addr[63:15] == bar0_base_i) &&
                       (nfy_addr[14:12] == NotifyRegion) && !(Lanes > 2 && handoff_q);
            for (int unsigned qn = 0; qn < NUM_QUEUES; qn++) begin
              ring_d[qn] = nfy && (hdr_be[1:0] != 2'b00) && (nfy_addr[11:2] == 10'(qn));
            end
            if (!malformed && is_request && !nfy) begin
              state_d = vep_pkg::RxReq;
            end else begin
              state_d = vep_pkg::RxSop;
            end
          end else begin
            state_d = vep_pkg::RxBody;
          end

          // ---- The completion stream ----
          if (start) begin
            cpay_cur = s_fmt[1] ? s_len : 11'd0;
            if (Lanes == 2) begin
              // Stream only what is well begun: the whole first beat, a 3DW completion header
              // (which ends in the next beat).
              cs_d     = !beat_bad && !s_rx_eop && is_cpl && !over_mps;
              cfirst_d = 1'b1;
              cpay_d   = cpay_cur;
            end else begin
              // The whole 3DW header is in this beat, which is the first rc beat: well begun is
              // sop, the header lanes and, unless it is the only beat, every lane.
              emit     = s_rx_sop && ((s_rx_keep & KeepHdr) == KeepHdr) &&
                         (s_rx_eop || s_rx_keep == KeepAll) && is_cpl && !over_mps;
              cs_d     = emit && !s_rx_eop;
              cfirst_d = 1'b0;
              hdr_new  = 1'b1;
              h_dw0    = lane0;
              h_dw1    = lane1;
              h_dw2    = lane2;
              hoff     = 2'd3;
            end
          end else if (cs_q) begin
            emit     = 1'b1;
            cpay_cur = cpay_q;
            if (cfirst_q) begin
              // DATA_W = 64: lane 0 is DW2 of the header, lane 1 payload DW 0.
              hdr_new = 1'b1;
              h_dw0   = q_dw0;
              h_dw1   = q_dw1;
              h_dw2   = lane0;
              hoff    = 2'd1;
            end
          end
          if (emit) begin
            keep_pay = s_rx_keep >> hoff;
            for (int unsigned l = 0; l < Lanes; l++) begin
              avail = avail + NdwW'(keep_pay[l]);
            end
            ndw = (cpay_cur < 11'(avail)) ? NdwW'(cpay_cur) : avail;
            pay = s_rx_data >> {hoff, 5'd0};
            rc_data_d = '0;
            for (int unsigned l = 0; l < Lanes; l++) begin
              if (NdwW'(l) < ndw) begin
                rc_data_d[32*l +: 32] = pay[32*l +: 32];
              end
            end
            if (hdr_new) begin
              rc_hdr_d.completer_id = h_dw1[31:16];
              rc_hdr_d.status       = h_dw1[15:13];
              rc_hdr_d.byte_count   = {(h_dw1[11:0] == 12'd0), h_dw1[11:0]};
              rc_hdr_d.requester_id = h_dw2[31:16];
              rc_hdr_d.tag          = {h_dw0[23], h_dw0[19], h_dw2[15:8]};
              rc_hdr_d.lower_addr   = h_dw2[6:0];
              rc_hdr_d.len_dw       = cpay_cur;
              rc_hdr_d.ep           = h_dw0[14];
            end
            rc_valid_d = 1'b1;
            rc_sop_d   = hdr_new;
            rc_eop_d   = s_rx_eop;
            rc_bad_d   = s_rx_eop && malformed;
            rc_ndw_d   = ndw;
            cpay_d     = cpay_cur - 11'(ndw);
            cfirst_d   = 1'b0;
            if (s_rx_eop) begin
              cs_d = 1'b0;
            end
          end
        end
      end
      default: begin
        state_d = vep_pkg::RxSop;
      end
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= vep_pkg::RxSop;
      bad_q    <= 1'b0;
      dw_cnt_q <= '0;
      dw_q     <= '0;
      ev_malformed_q <= 1'b0;
      cs_q       <= 1'b0;
      cfirst_q   <= 1'b0;
      cpay_q     <= '0;
      rc_valid_q <= 1'b0;
      rc_sop_q   <= 1'b0;
      rc_eop_q   <= 1'b0;
      rc_bad_q   <= 1'b0;
      rc_hdr_q   <= '0;
      rc_data_q  <= '0;
      rc_ndw_q   <= '0;
      ring_q     <= '0;
      handoff_q  <= 1'b0;
    end else begin
      state_q  <= state_d;
      bad_q    <= bad_d;
      dw_cnt_q <= dw_cnt_d;
      dw_q     <= dw_d;
      ev_malformed_q <= ev_malformed_d;
      cs_q       <= cs_d;
      cfirst_q   <= cfirst_d;
      cpay_q     <= cpay_d;
      rc_valid_q <= rc_valid_d;
      rc_sop_q   <= rc_sop_d;
      rc_eop_q   <= rc_eop_d;
      rc_bad_q   <= rc_bad_d;
      rc_hdr_q   <= rc_hdr_d;
      rc_data_q  <= rc_data_d;
      rc_ndw_q   <= rc_ndw_d;
      ring_q     <= ring_d;
      handoff_q  <= handoff_d;
    end
  end

endmodule

`default_nettype wire
