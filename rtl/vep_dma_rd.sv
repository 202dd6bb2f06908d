// SPDX-License-Identifier: Apache-2.0
// vep_dma_rd: the read DMA engine (docs/datapath.md, "vep_dma_rd: the read engine"). C twin:
// cmodel/vep_dma_rd.c.
//
// Requests of three clients (round robin, registered one-hot ready) are cut into MRds of at most
// min(512, MRRS) bytes that never cross a boundary of that size. The ready is up whenever the
// cutter is free on the next cycle: on the client chosen from the valids, or, with none valid,
// parked on client 0 (vq_fetch: the doorbell's avail.idx read), so a request is taken on the edge
// its valid rises. The edge that takes a request also cuts its first chunk into the MRd register
// when that register is free (the cutter works on the request's inputs then, on cut_*_q after),
// so an MRd is offered the cycle after its request is taken. Each MRd takes a tag, allocated
// in a circle (tags 0..DMA_TAGS-1, or 0..31 without Extended Tag); tags retire in allocation
// order, so responses come back in request order. Completions (rc_* from vep_rx_demux) are
// checked against the tag's next expected address and remaining byte count and written into
// the completion buffer (L = DATA_W/32 banks of 32 bits, DMA_TAGS x 512/B rows each with
// B = DATA_W/8, registered read; a beat of up to L consecutive DWs writes each bank at most once).
// The oldest tag, once its completion has ended, is read out as byte-window beats, one word per
// cycle: a B-byte word for client 2 (blk), an 8-byte word in rdr_data_o[63:0] for clients 0 and
// 1 (vq_fetch, vq_used) at every DATA_W; or it yields one error beat for its request.
//
// Tag life: allocated (busy) when its MRd is loaded into the MRd register (or, without Bus
// Master, as a "phantom" tag that carries only the request's error); ended when a completion
// whose own Byte Count says it is the last has ended, when a completion has a status other than
// SC, when it timed out as the oldest tag, or when its MRd was withdrawn unsent; free again when
// retired. Only ended tags retire, so a tag id is never reused while completions may still
// come for it (except after a timeout). A failed check marks the tag failed; it still waits for
// its last completion (or the timeout).
//
// Extended Tag Enable is sampled while no tag is outstanding (changing the circle's size with
// tags outstanding would break the allocation order); the pointers restart at 0 then.
`default_nettype none

module vep_dma_rd #(
  parameter int unsigned DATA_W   = 64, // 64, 128 or 256
  parameter int unsigned DMA_TAGS = 32  // outstanding MRds, 1..256
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,

  // ---- Requests of the DMA read clients (0 vq_fetch, 1 vq_used, 2 blk) ----
  input  logic [2:0]              rdq_valid_i,
  output logic [2:0]              rdq_ready_o,    // registered, at most one bit set
  input  logic [3*64-1:0]         rdq_addr_i,     // client c at [64c+63:64c], byte address
  input  logic [3*13-1:0]         rdq_len_i,      // client c at [13c+12:13c], 1..4096 bytes

  // ---- Responses: byte-window beats, no ready ----
  output logic                    rdr_valid_o,
  output logic [1:0]              rdr_client_o,
  // Client 2: one B-byte word, bytes lo..lo+n-1 (n 1..B); clients 0 and 1: one 8-byte word in
  // [63:0] (lo < 8, n 1..8). Bytes outside the window are 0.
  output logic [DATA_W-1:0]       rdr_data_o,
  output logic [$clog2(DATA_W/8)-1:0] rdr_lo_o,
  output logic [$clog2(DATA_W/8):0]   rdr_n_o,    // 0 on an error beat
  output logic                    rdr_last_o,
  output logic                    rdr_err_o,      // with rdr_last_o: the request failed

  // ---- MRd TLPs to vep_tx_arbiter ----
  output logic                    mrd_valid_o,
  input  logic                    mrd_ready_i,
  output vep_pkg::small_tlp_t     mrd_tlp_o,

  // ---- Completions from vep_rx_demux (no backpressure) ----
  input  logic                    rc_valid_i,
  input  logic                    rc_sop_i,
  input  logic                    rc_eop_i,
  input  logic                    rc_bad_i,
  // The Completer ID is not checked: only the Requester ID and tag identify our completions.
  /* verilator lint_off UNUSEDSIGNAL */
  input  vep_pkg::cpl_hdr_t       rc_hdr_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [DATA_W-1:0]       rc_data_i,      // payload DW k of the beat in lane k
  input  logic [$clog2(DATA_W/32):0] rc_ndw_i,    // 0..L

  // ---- Configuration ----
  input  logic                    bus_master_i,
  input  logic [2:0]              mrrs_i,
  input  logic                    ext_tag_en_i,
  input  logic [15:0]             completer_id_i,
  input  logic                    dev_reset_i,

  output logic                    ev_unexp_cpl_o, // strobe: a completion for no open tag
  output logic                    idle_o
);

  localparam int unsigned B = DATA_W / 8;           // bytes per word
  localparam int unsigned L = DATA_W / 32;          // DW lanes, banks of the buffer
  localparam int unsigned LW = $clog2(B);
  localparam int unsigned LL = $clog2(L);
  localparam int unsigned TagW = (DMA_TAGS > 1) ? $clog2(DMA_TAGS) : 1;
  localparam int unsigned RowW = 9 - LW;            // host address [8:LW]
  localparam int unsigned AddrW = TagW + RowW;      // buffer row: {tag, host address [8:LW]}
  localparam int unsigned Rows = (512 / B) << TagW; // DMA_TAGS x 512/B rounded up to a power of 2
  // 8-byte words in a B-byte word, and the width of an 8-byte word's index inside it.
  localparam logic [5:0] Q8 = 6'(B / 8);
  localparam int unsigned SelW = (LW > 3) ? LW - 3 : 1;
  // Size of the tag circle with and without Extended Tag.
  localparam logic [8:0] TagsExt = 9'(DMA_TAGS);
  localparam logic [8:0] TagsStd = (DMA_TAGS < 32) ? 9'(DMA_TAGS) : 9'd32;
  localparam logic [13:0] ToLast = 14'(vep_pkg::VEP_CPL_TIMEOUT_CYCLES - 1);

  if (DMA_TAGS < 1 || DMA_TAGS > 256) begin : gen_check_tags
    $error("vep_dma_rd: DMA_TAGS must be 1..256");
  end
  if (DATA_W != 64 && DATA_W != 128 && DATA_W != 256) begin : gen_check_w
    $error("vep_dma_rd: DATA_W must be 64, 128 or 256");
  end

  // ---- Registers ----
  // Per tag
  logic [DMA_TAGS-1:0]    busy_q, busy_d;     // allocated, not yet retired
  logic [DMA_TAGS-1:0]    end_q, end_d;       // its completion has ended (or timed out)
  logic [DMA_TAGS-1:0]    fail_q, fail_d;
  logic [DMA_TAGS-1:0]    disc_q, disc_d;     // the device reset came: deliver nothing
  logic [DMA_TAGS-1:0]    last_q, last_d;     // the last chunk of its request
  logic [DMA_TAGS*2-1:0]  cli_q, cli_d;
  logic [DMA_TAGS*9-1:0]  sa_q, sa_d;         // chunk start, host address [8:0]
  logic [DMA_TAGS*10-1:0] blen_q, blen_d;     // chunk bytes, 1..512
  logic [DMA_TAGS*9-1:0]  nxt_q, nxt_d;       // next expected byte, host address [8:0]
  logic [DMA_TAGS*10-1:0] rem_q, rem_d;       // bytes still expected
  // Tag circle
  logic [TagW-1:0]        head_q, head_d;     // next tag to allocate
  logic [TagW-1:0]        tail_q, tail_d;     // oldest tag
  logic [8:0]             cnt_q, cnt_d;       // tags allocated and not retired
  logic                   ext_q, ext_d;       // Extended Tag in use
  // Requests and the cutter
  logic [2:0]             rdq_ready_q, rdq_ready_d;
  logic [1:0]             rr_q, rr_d;         // client taken last
  logic                   cut_q, cut_d;       // a request is being cut
  logic [63:0]            cut_addr_q, cut_addr_d;
  logic [12:0]            cut_rem_q, cut_rem_d;
  logic [1:0]             cut_cli_q, cut_cli_d;
  logic                   mrd_valid_q, mrd_valid_d;
  vep_pkg::small_tlp_t    mrd_tlp_q, mrd_tlp_d;
  logic [TagW-1:0]        mrd_tag_q, mrd_tag_d;
  // The completion streaming in
  logic                   cur_mt_q, cur_mt_d;   // it matched an open tag
  logic                   cur_ok_q, cur_ok_d;   // its header passed the checks: store payload
  logic                   cur_fin_q, cur_fin_d; // it ends the tag's completion
  logic [TagW-1:0]        cur_tag_q, cur_tag_d;
  logic [6:0]             cur_dw_q, cur_dw_d;   // host address [8:2] of its next payload DW
  logic                   unexp_q, unexp_d;
  logic [13:0]            to_q, to_d;           // cycles the oldest tag has waited
  // Retirement and the response register
  logic                   rt_rd_q, rt_rd_d;     // reading out the oldest tag
  logic [5:0]             rt_w_q, rt_w_d;       // its next word, host address [8:3]
  logic                   rt_fail_q, rt_fail_d; // the request has failed: silence until its last
  logic                   rd_v_q, rd_v_d;
  logic [1:0]             rd_cli_q, rd_cli_d;
  logic [LW-1:0]          rd_lo_q, rd_lo_d;
  logic [LW:0]            rd_n_q, rd_n_d;
  logic [SelW-1:0]        rd_sel_q, rd_sel_d;   // clients 0, 1: the 8-byte word of the row (0 at 64)
  logic                   rd_last_q, rd_last_d;
  logic                   rd_err_q, rd_err_d;
  // The completion buffer (block RAM: one write and one registered read per bank and cycle;
  // bank j holds the DWs at host address bits [LW-1:2] == j)
  logic [DATA_W-1:0]      rdata_q;              // bank j's read register at [32j+31:32j]
  logic [L-1:0]           b_we;
  logic                   ram_re;
  logic [L*AddrW-1:0]     b_waddr;
  logic [AddrW-1:0]       ram_raddr;
  logic [DATA_W-1:0]      b_wdata;

  // ---- Outputs: functions of the registers only ----
  logic [DATA_W-1:0] win_mask;
  logic [DATA_W-1:0] rd_word;       // the word read out: the row, or one 8-byte word of it
  always_comb begin
    for (int unsigned i = 0; i < B; i++) begin
      win_mask[8*i +: 8] = ({1'b0, LW'(i)} >= {1'b0, rd_lo_q} &&
                            {1'b0, LW'(i)} < ({1'b0, rd_lo_q} + rd_n_q)) ? 8'hFF : 8'h00;
    end
    if (LW == 3 || rd_cli_q == 2'd2) begin
      rd_word = rdata_q;
    end else begin
      rd_word = DATA_W'(rdata_q[64*rd_sel_q +: 64]);
    end
  end
  assign rdq_ready_o    = rdq_ready_q;
  assign rdr_valid_o    = rd_v_q;
  assign rdr_client_o   = rd_cli_q;
  assign rdr_data_o     = (rd_v_q && !rd_err_q) ? (rd_word & win_mask) : '0;
  assign rdr_lo_o       = rd_lo_q;
  assign rdr_n_o        = rd_n_q;
  assign rdr_last_o     = rd_last_q;
  assign rdr_err_o      = rd_err_q;
  assign mrd_valid_o    = mrd_valid_q;
  assign mrd_tlp_o      = mrd_tlp_q;
  assign ev_unexp_cpl_o = unexp_q;
  assign idle_o         = (cnt_q == 9'd0) && !cut_q && !mrd_valid_q && !rd_v_q;

  // ---- Next state ----
  logic [8:0]       ntags;        // size of the tag circle
  logic             take;         // a request is taken on this edge
  logic [1:0]       take_c;
  logic [1:0]       pick_c;
  logic [1:0]       c1, c2;
  logic             pick_v;
  // The request the cutter works on this cycle: the one taken now, else cut_*_q.
  logic             k_act;
  logic [63:0]      k_addr;
  logic [12:0]      k_rem;
  logic [1:0]       k_cli;
  logic             can_alloc;
  logic             alloc;
  logic             retire;
  logic [TagW-1:0]  head_nx, tail_nx;
  // The cutter's next chunk
  logic [9:0]       lim;          // min(512, MRRS)
  logic [9:0]       room;         // bytes to the next boundary of lim
  logic [12:0]      chunk;
  logic             is4;
  logic [127:0]     mrd_hdr;
  // Completion checks
  logic [TagW-1:0]  ct;           // tag of the completion starting here
  logic             c_open, c_ok, c_fin;
  logic [12:0]      c_carried;    // bytes its payload covers from Lower Address on
  // Wider than used: c_bytes <= byte_count <= 512 whenever it is used; w_a only by its row
  // bits; t_len[9] only in 512, whose low bits give the same end address.
  /* verilator lint_off UNUSEDSIGNAL */
  logic [12:0]      c_bytes;
  logic [12:0]      c_need;       // payload DWs the tag still needs from Lower Address on
  logic [9:0]       c_rem;
  logic [8:0]       c_nxt;
  logic             w_act;        // this beat's payload is stored
  logic [TagW-1:0]  w_tag;
  logic [6:0]       w_dw;
  logic [6:0]       w_a;          // host address [8:2] of the DW a bank takes
  logic [LL-1:0]    w_k;          // its lane in the beat
  logic [9:0]       t_len;
  /* verilator lint_on UNUSEDSIGNAL */
  logic             e_mt, e_fin;
  logic [TagW-1:0]  e_tag;
  // Retirement
  logic [8:0]       t_sa;
  logic [8:0]       t_ea;
  logic             t_wide;       // client 2: B-byte words (else 8-byte words)
  logic [5:0]       t_w;          // the word's host address [8:3]
  logic [LW-1:0]    t_lo;
  logic [LW-1:0]    t_hi;
  logic             t_fin;
  logic             waiting;
  logic             force_end;
  logic [TagW-1:0]  force_tag;

  always_comb begin
    busy_d = busy_q;  end_d = end_q;  fail_d = fail_q;  disc_d = disc_q;  last_d = last_q;
    cli_d = cli_q;  sa_d = sa_q;  blen_d = blen_q;  nxt_d = nxt_q;  rem_d = rem_q;
    head_d = head_q;  tail_d = tail_q;  cnt_d = cnt_q;  ext_d = ext_q;
    rdq_ready_d = 3'd0;  rr_d = rr_q;
    cut_d = cut_q;  cut_addr_d = cut_addr_q;  cut_rem_d = cut_rem_q;  cut_cli_d = cut_cli_q;
    mrd_valid_d = mrd_valid_q;  mrd_tlp_d = mrd_tlp_q;  mrd_tag_d = mrd_tag_q;
    cur_mt_d = cur_mt_q;  cur_ok_d = cur_ok_q;  cur_fin_d = cur_fin_q;  cur_tag_d = cur_tag_q;
    cur_dw_d = cur_dw_q;
    unexp_d = 1'b0;
    to_d = to_q;
    rt_rd_d = rt_rd_q;  rt_w_d = rt_w_q;  rt_fail_d = rt_fail_q;
    rd_v_d = 1'b0;  rd_cli_d = rd_cli_q;  rd_lo_d = rd_lo_q;  rd_n_d = rd_n_q;
    rd_sel_d = rd_sel_q;
    rd_last_d = 1'b0;  rd_err_d = 1'b0;
    b_we = '0;  b_waddr = '0;  b_wdata = '0;
    ram_re = 1'b0;  ram_raddr = '0;

    ntags   = ext_q ? TagsExt : TagsStd;
    head_nx = (9'(head_q) + 9'd1 >= ntags) ? '0 : head_q + 1'b1;
    tail_nx = (9'(tail_q) + 9'd1 >= ntags) ? '0 : tail_q + 1'b1;
    can_alloc = (cnt_q < ntags);
    alloc   = 1'b0;
    retire  = 1'b0;

    // ---- Requests: take on a registered ready (only ever up while the cutter is free) ----
    take   = ((rdq_ready_q & rdq_valid_i) != 3'd0) && !dev_reset_i;
    take_c = rdq_ready_q[1] ? 2'd1 : (rdq_ready_q[2] ? 2'd2 : 2'd0);
    k_act  = take || cut_q;
    k_addr = take ? rdq_addr_i[64*take_c +: 64] : cut_addr_q;
    k_rem  = take ? rdq_len_i[13*take_c +: 13] : cut_rem_q;
    k_cli  = take ? take_c : cut_cli_q;
    if (take) begin
      cut_d      = 1'b1;
      cut_addr_d = k_addr;
      cut_rem_d  = k_rem;
      cut_cli_d  = take_c;
      rr_d       = take_c;
    end
    // Round robin: the clients after rr_q first, rr_q itself last.
    c1 = (rr_q == 2'd2) ? 2'd0 : rr_q + 2'd1;
    c2 = (c1 == 2'd2) ? 2'd0 : c1 + 2'd1;
    pick_v = (rdq_valid_i != 3'd0);
    pick_c = !pick_v ? 2'd0 : (rdq_valid_i[c1] ? c1 : (rdq_valid_i[c2] ? c2 : rr_q));

    // ---- The MRd register ----
    if (mrd_valid_q && mrd_ready_i) begin
      mrd_valid_d = 1'b0;
    end

    // ---- Cutting: the next chunk of the request ----
    lim   = (mrrs_i >= 3'd2) ? 10'd512 : (10'd128 << mrrs_i);
    room  = lim - (k_addr[9:0] & (lim - 10'd1));
    chunk = (k_rem < {3'd0, room}) ? k_rem : {3'd0, room};
    is4 = (k_addr[63:32] != 32'd0);
    mrd_hdr = vep_pkg::mem_req_hdr(1'b0, k_addr, chunk, completer_id_i, 8'(head_q));

    if (k_act && !dev_reset_i && can_alloc) begin
      if (!bus_master_i) begin
        // No MRd may go out: a tag that has already failed carries the request's error, in
        // order after its earlier chunks.
        alloc = 1'b1;
        end_d[head_q] = 1'b1;
        fail_d[head_q] = 1'b1;
        last_d[head_q] = 1'b1;
        cut_d = 1'b0;
      end else if (!mrd_valid_q || mrd_ready_i) begin
        alloc = 1'b1;
        end_d[head_q] = 1'b0;
        fail_d[head_q] = 1'b0;
        last_d[head_q] = (k_rem == chunk);
        sa_d[9*head_q +: 9]    = k_addr[8:0];
        blen_d[10*head_q +: 10] = chunk[9:0];
        nxt_d[9*head_q +: 9]   = k_addr[8:0];
        rem_d[10*head_q +: 10]  = chunk[9:0];
        mrd_valid_d = 1'b1;
        mrd_tag_d   = head_q;
        mrd_tlp_d   = '0;
        mrd_tlp_d.hdr = mrd_hdr;
        mrd_tlp_d.hdr_4dw = is4;
        cut_addr_d = k_addr + 64'(chunk);
        cut_rem_d  = k_rem - chunk;
        if (k_rem == chunk) begin
          cut_d = 1'b0;
        end
      end
    end
    if (alloc) begin
      busy_d[head_q] = 1'b1;
      disc_d[head_q] = 1'b0;
      cli_d[2*head_q +: 2] = k_cli;
      head_d = head_nx;
    end

    // ---- The ready of the next take: up while the cutter is free on the next cycle ----
    if (!cut_d && !dev_reset_i) begin
      rdq_ready_d[pick_c] = 1'b1;
    end

    // ---- Completions ----
    ct        = rc_hdr_i.tag[TagW-1:0];
    c_open    = (rc_hdr_i.tag < 10'(DMA_TAGS)) && busy_q[ct] && !end_q[ct];
    c_rem     = rem_q[10*ct +: 10];
    c_nxt     = nxt_q[9*ct +: 9];
    c_carried = {rc_hdr_i.len_dw, 2'b00} - 13'(rc_hdr_i.lower_addr[1:0]);
    c_need    = (13'(rc_hdr_i.lower_addr[1:0]) + 13'(c_rem) + 13'd3) >> 2;
    c_ok      = (rc_hdr_i.status == 3'(vep_pkg::VEP_CPL_SC)) && !rc_hdr_i.ep &&
                (rc_hdr_i.requester_id == completer_id_i) && (rc_hdr_i.len_dw != 11'd0) &&
                (rc_hdr_i.lower_addr == c_nxt[6:0]) && (rc_hdr_i.byte_count == 13'(c_rem)) &&
                (13'(rc_hdr_i.len_dw) <= c_need);
    c_fin     = (rc_hdr_i.status != 3'(vep_pkg::VEP_CPL_SC)) || (rc_hdr_i.len_dw == 11'd0) ||
                (rc_hdr_i.byte_count <= c_carried);
    c_bytes   = (rc_hdr_i.byte_count <= c_carried) ? rc_hdr_i.byte_count : c_carried;
    w_act = 1'b0;
    w_tag = cur_tag_q;
    w_dw  = cur_dw_q;
    e_mt  = cur_mt_q;
    e_fin = cur_fin_q;
    e_tag = cur_tag_q;
    if (rc_valid_i) begin
      if (rc_sop_i) begin
        e_mt  = c_open;
        e_fin = c_fin;
        e_tag = ct;
        if (!c_open) begin
          unexp_d  = 1'b1;
          cur_mt_d = 1'b0;
          cur_ok_d = 1'b0;
        end else begin
          cur_mt_d  = 1'b1;
          cur_ok_d  = c_ok;
          cur_fin_d = c_fin;
          cur_tag_d = ct;
          if (c_ok) begin
            rem_d[10*ct +: 10] = c_rem - c_bytes[9:0];
            nxt_d[9*ct +: 9]   = c_nxt + c_bytes[8:0];
          end else begin
            fail_d[ct] = 1'b1;
          end
        end
        w_act = c_open && c_ok;
        w_tag = ct;
        w_dw  = c_nxt[8:2];
      end else begin
        w_act = cur_ok_q;
      end
      // The beat's DWs land in all banks at once: DW k at address a = w_dw + k goes to bank
      // a[LL-1:0], row {tag, a[6:LL]}; bank j takes lane (j - w_dw) mod L, if the beat has it.
      w_a = '0;
      w_k = '0;
      for (int unsigned j = 0; j < L; j++) begin
        w_k = LL'(LL'(j) - w_dw[LL-1:0]);
        w_a = w_dw + 7'(w_k);
        if (w_act && ({1'b0, w_k} < rc_ndw_i)) begin
          b_we[j] = 1'b1;
        end
        b_waddr[AddrW*j +: AddrW] = {w_tag, w_a[6:LL]};
        b_wdata[32*j +: 32] = rc_data_i[32*w_k +: 32];
      end
      if (w_act) begin
        cur_dw_d = w_dw + 7'(rc_ndw_i);
      end
      if (rc_eop_i) begin
        if (e_mt) begin
          if (rc_bad_i) begin
            fail_d[e_tag] = 1'b1;
          end
          if (e_fin) begin
            end_d[e_tag] = 1'b1;
          end
        end
        cur_mt_d = 1'b0;
        cur_ok_d = 1'b0;
      end
    end else begin
      w_a = '0;
      w_k = '0;
    end

    // ---- Retirement of the oldest tag ----
    t_sa  = sa_q[9*tail_q +: 9];
    t_len = blen_q[10*tail_q +: 10];
    t_ea  = t_sa + t_len[8:0] - 9'd1;
    // Words of B bytes for client 2, of 8 bytes for clients 0 and 1 (the same at DATA_W 64).
    t_wide = (cli_q[2*tail_q +: 2] == 2'd2);
    t_w   = rt_rd_q ? rt_w_q : (t_wide ? (t_sa[8:3] & ~(Q8 - 6'd1)) : t_sa[8:3]);
    t_lo  = t_wide ? t_sa[LW-1:0] : LW'(t_sa[2:0]);
    t_fin = t_wide ? ((t_w >> (LW - 3)) == 6'(t_ea[8:LW])) : (t_w == t_ea[8:3]);
    t_hi  = t_fin ? (t_wide ? t_ea[LW-1:0] : LW'(t_ea[2:0])) :
                    (t_wide ? LW'(B - 1) : LW'(7));
    if (rt_rd_q) begin
      // Reading out: one word per cycle; the device reset cuts it short.
      ram_re    = !dev_reset_i;
      ram_raddr = {tail_q, RowW'(t_w >> (LW - 3))};
      rd_v_d    = 1'b1;
      rd_cli_d  = cli_q[2*tail_q +: 2];
      rd_lo_d   = '0;
      rd_n_d    = {1'b0, t_hi} + 1'b1;
      rd_sel_d  = SelW'(t_w & (Q8 - 6'd1));
      rd_last_d = t_fin && last_q[tail_q];
      rt_w_d    = t_w + (t_wide ? Q8 : 6'd1);
      if (t_fin || dev_reset_i) begin
        retire  = 1'b1;
        rt_rd_d = 1'b0;
      end
    end else if (cnt_q != 9'd0 && end_q[tail_q] && !dev_reset_i) begin
      retire = 1'b1;
      if (disc_q[tail_q]) begin
        // dropped without a word
      end else if (fail_q[tail_q] || rt_fail_q) begin
        if (!rt_fail_q) begin
          rd_v_d    = 1'b1;
          rd_err_d  = 1'b1;
          rd_last_d = 1'b1;
          rd_cli_d  = cli_q[2*tail_q +: 2];
          rd_lo_d   = '0;
          rd_n_d    = '0;
        end
        rt_fail_d = !last_q[tail_q];
      end else begin
        ram_re    = 1'b1;
        ram_raddr = {tail_q, RowW'(t_w >> (LW - 3))};
        rd_v_d    = 1'b1;
        rd_cli_d  = cli_q[2*tail_q +: 2];
        rd_lo_d   = t_lo;
        rd_n_d    = {1'b0, t_hi} - {1'b0, t_lo} + 1'b1;
        rd_sel_d  = SelW'(t_w & (Q8 - 6'd1));
        rd_last_d = t_fin && last_q[tail_q];
        rt_w_d    = t_w + (t_wide ? Q8 : 6'd1);
        if (!t_fin) begin
          retire  = 1'b0;
          rt_rd_d = 1'b1;
        end
      end
    end
    if (retire) begin
      busy_d[tail_q] = 1'b0;
      tail_d = tail_nx;
    end
    cnt_d = cnt_q + {8'd0, alloc} - {8'd0, retire};

    // ---- Completion timeout of the oldest tag ----
    waiting   = (cnt_q != 9'd0) && !end_q[tail_q];
    force_end = 1'b0;
    force_tag = tail_q;
    to_d = waiting ? to_q + 14'd1 : 14'd0;
    if (waiting && to_q == ToLast) begin
      force_end = 1'b1;
      to_d = 14'd0;
    end

    // ---- Withdrawal: an MRd not yet taken may not go out any more ----
    if (mrd_valid_q && !mrd_ready_i && (!bus_master_i || dev_reset_i)) begin
      mrd_valid_d = 1'b0;
      end_d[mrd_tag_q]  = 1'b1;
      fail_d[mrd_tag_q] = 1'b1;
      if (cur_mt_d && cur_tag_d == mrd_tag_q) begin
        cur_mt_d = 1'b0;
        cur_ok_d = 1'b0;
      end
    end
    if (force_end) begin
      end_d[force_tag]  = 1'b1;
      fail_d[force_tag] = 1'b1;
      // A completion still streaming for it must not touch the tag once it is reused.
      if (cur_mt_d && cur_tag_d == force_tag) begin
        cur_mt_d = 1'b0;
        cur_ok_d = 1'b0;
      end
    end

    // ---- The device reset ----
    if (dev_reset_i) begin
      disc_d    = disc_d | busy_q;
      cut_d     = 1'b0;
      rt_fail_d = 1'b0;
      rd_v_d    = 1'b0;
      rd_err_d  = 1'b0;
      rd_last_d = 1'b0;
    end

    // ---- Extended Tag Enable, sampled with no tag outstanding ----
    if (cnt_q == 9'd0 && !alloc && ext_q != ext_tag_en_i) begin
      ext_d  = ext_tag_en_i;
      head_d = '0;
      tail_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= '0;  end_q <= '0;  fail_q <= '0;  disc_q <= '0;  last_q <= '0;
      cli_q <= '0;  sa_q <= '0;  blen_q <= '0;  nxt_q <= '0;  rem_q <= '0;
      head_q <= '0;  tail_q <= '0;  cnt_q <= '0;  ext_q <= 1'b0;
      rdq_ready_q <= '0;  rr_q <= 2'd2;
      cut_q <= 1'b0;  cut_addr_q <= '0;  cut_rem_q <= '0;  cut_cli_q <= '0;
      mrd_valid_q <= 1'b0;  mrd_tlp_q <= '0;  mrd_tag_q <= '0;
      cur_mt_q <= 1'b0;  cur_ok_q <= 1'b0;  cur_fin_q <= 1'b0;  cur_tag_q <= '0;
      cur_dw_q <= '0;  unexp_q <= 1'b0;  to_q <= '0;
      rt_rd_q <= 1'b0;  rt_w_q <= '0;  rt_fail_q <= 1'b0;
      rd_v_q <= 1'b0;  rd_cli_q <= '0;  rd_lo_q <= '0;  rd_n_q <= '0;  rd_sel_q <= '0;
      rd_last_q <= 1'b0;  rd_err_q <= 1'b0;
    end else begin
      busy_q <= busy_d;  end_q <= end_d;  fail_q <= fail_d;  disc_q <= disc_d;
      last_q <= last_d;
      cli_q <= cli_d;  sa_q <= sa_d;  blen_q <= blen_d;  nxt_q <= nxt_d;  rem_q <= rem_d;
      head_q <= head_d;  tail_q <= tail_d;  cnt_q <= cnt_d;  ext_q <= ext_d;
      rdq_ready_q <= rdq_ready_d;  rr_q <= rr_d;
      cut_q <= cut_d;  cut_addr_q <= cut_addr_d;  cut_rem_q <= cut_rem_d;
      cut_cli_q <= cut_cli_d;
      mrd_valid_q <= mrd_valid_d;  mrd_tlp_q <= mrd_tlp_d;  mrd_tag_q <= mrd_tag_d;
      cur_mt_q <= cur_mt_d;  cur_ok_q <= cur_ok_d;  cur_fin_q <= cur_fin_d;
      cur_tag_q <= cur_tag_d;  cur_dw_q <= cur_dw_d;  unexp_q <= unexp_d;  to_q <= to_d;
      rt_rd_q <= rt_rd_d;  rt_w_q <= rt_w_d;  rt_fail_q <= rt_fail_d;
      rd_v_q <= rd_v_d;  rd_cli_q <= rd_cli_d;  rd_lo_q <= rd_lo_d;  rd_n_q <= rd_n_d;
      rd_sel_q <= rd_sel_d;
      rd_last_q <= rd_last_d;  rd_err_q <= rd_err_d;
    end
  end

  // The completion buffer: block RAM, so no reset. Its read registers are seen only through
  // rdr_data_o, gated by rd_v_q, and only bytes that completions wrote are inside the window.
  // Each bank is its own simple dual-port RAM (one write port, one registered read port).
  for (genvar j = 0; j < L; j++) begin : gen_bank
    logic [31:0] mem [Rows];
    always_ff @(posedge clk_i) begin
      if (b_we[j]) mem[b_waddr[AddrW*j +: AddrW]] <= b_wdata[32*j +: 32];
      if (ram_re) rdata_q[32*j +: 32] <= mem[ram_raddr];
    end
  end

endmodule

`default_nettype wire
