// SPDX-License-Identifier: Apache-2.0
// vep_blk: the virtio-blk device function (docs/datapath.md, "vep_blk").
// A slot table of VEP_BLK_SLOTS requests with the segment memory vep_vq_fetch fills, and two
// sequencers. The reader takes slots in hand-off order: its header issuer walks ahead of it and
// reads the 16-byte headers of up to HdrQ slots over their readable segments (DMA read client 2,
// several reads in flight); the reader then checks each header in order, sends the backend
// request and, for OUT, streams the data from DMA reads to m_blk_wdata. The writer takes backend
// responses first, then the reader's local verdicts: writes IN / GET_ID data over the writable
// segments (DMA write client 2; a second beat buffer keeps a beat ready every cycle), then the
// status byte at the last writable byte, and hands the request to a done stage, which waits for
// its wr_done strobes and offers done to vep_vq_used while the writer goes on with the next
// response; the slot is freed on the done handshake.
// Every output is a register. C twin: cmodel/vep_blk.c (same registers, same order of
// assignments in the next-state logic).
`default_nettype none

module vep_blk #(
  parameter int unsigned BLK_SEG_MAX = 64,  // virtio-blk seg_max: segments per chain - 2
  parameter int unsigned DATA_W      = 64,  // data path width: 64, 128 or 256
  // Bytes of a DATA_W word and its byte-lane index width.
  localparam int unsigned B  = DATA_W / 8,
  localparam int unsigned LW = $clog2(B),
  // Segment memory address width: $clog2(VEP_BLK_SLOTS * (BLK_SEG_MAX + VEP_SEG_EXTRA)).
  localparam int unsigned SegSlots = BLK_SEG_MAX + vep_pkg::VEP_SEG_EXTRA,
  localparam int unsigned SegAw    = $clog2(vep_pkg::VEP_BLK_SLOTS * SegSlots)
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 dev_reset_i,       // strobe: virtio device reset
  input  logic [63:0]          blk_capacity_i,    // 512-byte sectors
  input  logic                 blk_ro_i,

  // ---- Slot supply, segment writes and chain hand-off (vep_vq_fetch) ----
  output logic                 slot_free_o,
  output logic [7:0]           slot_id_o,         // held until that slot is handed over
  input  logic                 seg_we_i,
  input  logic [SegAw-1:0]     seg_waddr_i,       // slot*SegSlots + i
  input  vep_pkg::seg_t        seg_wdata_i,
  input  logic                 chain_valid_i,
  output logic                 chain_ready_o,
  input  vep_pkg::chain_t      chain_i,

  // ---- DMA read client 2 ----
  output logic                 rdq_valid_o,
  input  logic                 rdq_ready_i,
  output logic [63:0]          rdq_addr_o,
  output logic [12:0]          rdq_len_o,         // 1..4096
  input  logic                 rdr_valid_i,
  input  logic [DATA_W-1:0]    rdr_data_i,        // one B-byte-aligned word of host memory
  input  logic [LW-1:0]        rdr_lo_i,
  input  logic [LW:0]          rdr_n_i,
  input  logic                 rdr_last_i,
  input  logic                 rdr_err_i,

  // ---- DMA write client 2 ----
  output logic                 wrq_valid_o,
  input  logic                 wrq_ready_i,
  output logic [63:0]          wrq_addr_o,
  output logic [12:0]          wrq_len_o,         // 1..4096
  output logic                 wrd_valid_o,
  input  logic                 wrd_ready_i,
  output logic [DATA_W-1:0]    wrd_data_o,
  output logic [LW-1:0]        wrd_lo_o,
  output logic [LW:0]          wrd_n_o,
  input  logic                 wr_done_i,
  input  logic                 wr_err_i,

  // ---- Backend port ----
  output logic                 m_blk_req_valid,
  input  logic                 m_blk_req_ready,
  output logic [7:0]           m_blk_req_tag,
  output logic [7:0]           m_blk_req_type,
  output logic [63:0]          m_blk_req_sector,
  output logic [31:0]          m_blk_req_bytes,
  output logic                 m_blk_wdata_valid,
  output logic [DATA_W-1:0]    m_blk_wdata_data,
  output logic [B-1:0]         m_blk_wdata_keep,
  output logic                 m_blk_wdata_last,
  output logic                 m_blk_wdata_abort,
  input  logic                 s_blk_rsp_valid,
  output logic                 s_blk_rsp_ready,
  input  logic [7:0]           s_blk_rsp_tag,
  input  logic [DATA_W-1:0]    s_blk_rsp_data,
  input  logic                 s_blk_rsp_last,
  input  logic [7:0]           s_blk_rsp_status,

  // ---- Finished requests to vep_vq_used ----
  output logic                 done_valid_o,
  input  logic                 done_ready_i,
  output vep_pkg::done_t       done_o,

  output logic                 dev_err_o,         // strobe
  output logic [7:0]           dev_err_code_o,
  output logic                 idle_o,
  output logic                 bk_busy_o     // a backend request is outstanding (also from before a reset)
);

  if (DATA_W != 64 && DATA_W != 128 && DATA_W != 256) begin : gen_check_data_w
    $error("vep_blk: DATA_W must be 64, 128 or 256");
  end
  if (BLK_SEG_MAX < 1 || BLK_SEG_MAX > 253) begin : gen_check_seg_max
    $error("vep_blk: BLK_SEG_MAX must be 1..253 (chain_t.nseg is 8 bits)");
  end

  localparam int unsigned NSlot  = vep_pkg::VEP_BLK_SLOTS;
  localparam int unsigned Depth  = NSlot * SegSlots;
  localparam logic [7:0]  MaxOut = 8'd15;  // DMA writes of the writer outstanding at most
  localparam logic [31:0] HdrB   = 32'(vep_pkg::VEP_BLK_HDR_BYTES);
  localparam logic [31:0] IdB    = 32'(vep_pkg::VEP_BLK_ID_BYTES);
  localparam logic [31:0] TIn    = 32'(vep_pkg::VEP_BLK_T_IN);
  localparam logic [31:0] TOut   = 32'(vep_pkg::VEP_BLK_T_OUT);
  localparam logic [31:0] TFlush = 32'(vep_pkg::VEP_BLK_T_FLUSH);
  localparam logic [31:0] TGetId = 32'(vep_pkg::VEP_BLK_T_GET_ID);
  localparam logic [7:0]  SOk    = 8'(vep_pkg::VEP_BLK_S_OK);
  localparam logic [7:0]  SIoerr = 8'(vep_pkg::VEP_BLK_S_IOERR);
  localparam logic [7:0]  SUnsup = 8'(vep_pkg::VEP_BLK_S_UNSUPP);

  // Headers the issuer may read ahead of the reader (entries of the header queue hq_*): every
  // slot's header can be out at once (a power of two, at most 16; VEP_BLK_HDRQ in the C twin).
  localparam int unsigned HdrQ = 16;
  localparam int unsigned HqW  = $clog2(HdrQ);
  localparam int unsigned SlW  = $clog2(NSlot);
  // Reads out at most (headers and OUT data) and the entries of rec_q recording them.
  localparam logic [7:0]  MaxRdOut = 8'd31;
  localparam int unsigned RecN = 32;
  localparam int unsigned RecW = $clog2(RecN);

  // Slot numbers and header entries are SlW and HqW bits wide and wrap; the C twin's slot and
  // header entry masks (vep_blk_mask_t) are 16 bits.
  if (NSlot < 2 || NSlot > 16 || (NSlot & (NSlot - 1)) != 0) begin : gen_check_slots
    $error("vep_blk: VEP_BLK_SLOTS must be a power of two, 2..16 (the C twin's masks are 16 bits)");
  end

  // Reader: slot from the hand-off FIFO, header present?, wait for its header (read by the
  // issuer), verdict, backend request offered, OUT data: segment read, cut a DMA read, rdq
  // offered, wait for the data responses.
  typedef enum logic [3:0] {
    BrIdle   = 4'd0,
    BrCheck  = 4'd1,
    BrSegRd  = 4'd2,
    BrSeg    = 4'd3,
    BrReq    = 4'd4,
    BrWait   = 4'd5,
    BrDecide = 4'd6,
    BrBreq   = 4'd7,
    BrDrain  = 4'd8
  } rd_state_e;

  // Header issuer: next slot of the hand-off FIFO (header entry allocated), segment read, cut a
  // DMA read, rdq offered.
  typedef enum logic [1:0] {
    HiIdle  = 2'd0,
    HiSegRd = 2'd1,
    HiSeg   = 2'd2,
    HiReq   = 2'd3
  } hi_state_e;

  // Writer: first beat or local verdict, segment read, cut a DMA write, wrq offered, wrd offered,
  // next response beat, drop beats to the last, status: segment read, cut, wrq, wrd, wait while
  // the done stage (pd_*) still holds the request before.
  typedef enum logic [3:0] {
    BwIdle   = 4'd0,
    BwSegRd  = 4'd1,
    BwSeg    = 4'd2,
    BwReq    = 4'd3,
    BwData   = 4'd4,
    BwBeat   = 4'd5,
    BwDrain  = 4'd6,
    BwStRd   = 4'd7,
    BwSt     = 4'd8,
    BwStReq  = 4'd9,
    BwStData = 4'd10,
    BwWait   = 4'd11
  } wr_state_e;

  // ---- Segment memory: one write port, registered reads (rseg_q, wseg_q); a RAM, not reset ----
  logic [96:0] seg_mem [Depth];  // = $bits(vep_pkg::seg_t); plain vectors: Yosys infers a memory  // plain vectors: Yosys infers a memory
  always_ff @(posedge clk_i) begin
    if (seg_we_i && 32'(seg_waddr_i) < Depth) seg_mem[seg_waddr_i] <= seg_wdata_i;
  end

  // ---- Registers ----
  // slot table (bit / entry s = slot s)
  logic [NSlot-1:0]       busy_q, busy_d;      // slot not free
  logic [NSlot-1:0]       bk_q, bk_d;          // backend request outstanding
  logic [NSlot-1:0]       zomb_q, zomb_d;      // reset while bk: drop its response, then free
  logic [NSlot-1:0]       loc_q, loc_d;        // local verdict waiting for the writer
  logic [NSlot-1:0]       ioerr_q, ioerr_d;    // OUT data failed: status IOERR
  logic [NSlot*6-1:0] sl_queue_q, sl_queue_d;
  logic [NSlot*16-1:0] sl_head_q, sl_head_d;
  logic [NSlot*8-1:0] sl_nseg_q, sl_nseg_d;
  logic [NSlot*8-1:0] sl_nr_q, sl_nr_d;
  logic [NSlot*32-1:0] sl_rb_q, sl_rb_d;
  logic [NSlot*32-1:0] sl_wb_q, sl_wb_d;
  logic [NSlot*8-1:0] sl_type_q, sl_type_d;
  logic [NSlot*8-1:0] sl_st_q, sl_st_d;
  // slot supply, hand-off FIFO
  logic                   slot_free_q, slot_free_d;
  logic [7:0]             slot_id_q, slot_id_d;
  logic                   chain_ready_q, chain_ready_d;
  logic [NSlot*SlW-1:0] rf_q, rf_d;
  logic [SlW-1:0]         rf_rd_q, rf_rd_d, rf_wr_q, rf_wr_d;
  logic [SlW:0]           rf_cnt_q, rf_cnt_d;
  logic [SlW-1:0]         rf_iss_q, rf_iss_d;  // next FIFO entry for the header issuer
  logic [SlW:0]           rf_icnt_q, rf_icnt_d; // FIFO entries the issuer has not taken yet
  // header issuer
  hi_state_e              h_st_q, h_st_d;
  logic [SlW-1:0]         h_slot_q, h_slot_d;
  logic [HqW-1:0]         h_ent_q, h_ent_d;    // its header queue entry
  logic [7:0]             h_seg_q, h_seg_d;
  logic [31:0]            h_off_q, h_off_d;    // stream offset of segment h_seg_q
  logic [4:0]             h_pos_q, h_pos_d;    // next header byte to request
  // header queue: one entry per slot taken by the issuer, freed by the reader's verdict, in
  // hand-off order (entry e in [W*e +: W])
  logic [HqW-1:0]         hq_wr_q, hq_wr_d, hq_rd_q, hq_rd_d;
  logic [HqW:0]           hq_cnt_q, hq_cnt_d;
  logic [HdrQ*32-1:0]     hq_type_q, hq_type_d;  // header bytes 0..3
  logic [HdrQ*64-1:0]     hq_sec_q, hq_sec_d;    // header bytes 8..15
  logic [HdrQ*5-1:0]      hq_n_q, hq_n_d;        // header bytes received
  logic [HdrQ*5-1:0]      hq_pend_q, hq_pend_d;  // header reads issued, last beat not yet seen
  logic [HdrQ-1:0]        hq_fin_q, hq_fin_d;    // every header read issued
  logic [HdrQ-1:0]        hq_err_q, hq_err_d;    // a header read failed
  // What each outstanding DMA read is for, in request order (vep_dma_rd answers in that
  // order): {header, header queue entry}; a data read is the reader's OUT data.
  logic [RecN*(HqW+1)-1:0]    rec_q, rec_d;
  logic [RecW-1:0]         rec_rd_q, rec_rd_d, rec_wr_q, rec_wr_d;
  logic [7:0]             d_out_q, d_out_d;    // OUT data reads outstanding
  // reader
  rd_state_e              r_st_q, r_st_d;
  logic [SlW-1:0]         r_slot_q, r_slot_d;
  logic [7:0]             r_seg_q, r_seg_d;
  logic [31:0]            r_off_q, r_off_d;    // stream offset of segment r_seg_q
  logic [31:0]            r_pos_q, r_pos_d;    // next stream byte to request
  logic [31:0]            r_lim_q, r_lim_d;    // end of this phase's stream range
  logic [7:0]             r_out_q, r_out_d;    // reads issued (both), last beat not yet seen
  logic                   r_abort_q, r_abort_d;
  logic                   r_wd_open_q, r_wd_open_d;
  // The segment RAM read of the reader or the issuer (one at a time: only one of them is in
  // its segment states), one address per cycle, as the writer's wseg_rd/wseg_ra.
  vep_pkg::seg_t          rseg_q, rseg_d;
  logic                   rseg_rd;
  logic [SegAw-1:0]       rseg_ra;
  logic [SlW-1:0]         rseg_rs;             // slot and segment of that read
  logic [7:0]             rseg_ri;
  logic                   rdq_valid_q, rdq_valid_d;
  logic [63:0]            rdq_addr_q, rdq_addr_d;
  logic [12:0]            rdq_len_q, rdq_len_d;
  logic                   req_valid_q, req_valid_d;
  logic [7:0]             req_tag_q, req_tag_d;
  logic [7:0]             req_type_q, req_type_d;
  logic [63:0]            req_sector_q, req_sector_d;
  logic [31:0]            req_bytes_q, req_bytes_d;
  logic                   wd_valid_q, wd_valid_d;
  logic [DATA_W-1:0]      wd_data_q, wd_data_d;
  logic [B-1:0]           wd_keep_q, wd_keep_d;
  logic                   wd_last_q, wd_last_d;
  logic                   wd_abort_q, wd_abort_d;
  // writer
  wr_state_e              w_st_q, w_st_d;
  logic [SlW-1:0]         w_slot_q, w_slot_d;
  logic [7:0]             w_seg_q, w_seg_d;
  logic [31:0]            w_off_q, w_off_d;
  logic [31:0]            w_pos_q, w_pos_d;
  logic [31:0]            w_dlen_q, w_dlen_d;
  logic [12:0]            w_prem_q, w_prem_d;
  logic [7:0]             w_status_q, w_status_d;
  logic                   w_short_q, w_short_d;
  logic                   w_open_q, w_open_d;
  logic [DATA_W-1:0]      hb_data_q, hb_data_d;
  logic [LW:0]            hb_pos_q, hb_pos_d;      // its bytes already written (0..B)
  logic                   hb_last_q, hb_last_d;
  // The response beat after hb_*, taken while hb_* is being written, so that s_blk_rsp_ready
  // (registered) can stay high and the DMA write gets a beat every cycle.
  logic                   nb_valid_q, nb_valid_d;
  logic [DATA_W-1:0]      nb_data_q, nb_data_d;
  logic                   nb_last_q, nb_last_d;
  vep_pkg::seg_t          wseg_q, wseg_d;
  // The writer's one read of the segment memory per cycle, at one address: two reads meeting in
  // a multiplexer before wseg_q kept Yosys from mapping the memory to block RAM (docs/synth.md).
  logic                   wseg_rd;
  logic [SegAw-1:0]       wseg_ra;
  logic [7:0]             wr_out_q, wr_out_d;
  logic [15:0]            wr_drop_q, wr_drop_d;
  logic                   rsp_ready_q, rsp_ready_d;
  logic                   wrq_valid_q, wrq_valid_d;
  logic [63:0]            wrq_addr_q, wrq_addr_d;
  logic [12:0]            wrq_len_q, wrq_len_d;
  logic                   wrd_valid_q, wrd_valid_d;
  logic [DATA_W-1:0]      wrd_data_q, wrd_data_d;
  logic [LW-1:0]          wrd_lo_q, wrd_lo_d;
  logic [LW:0]            wrd_n_q, wrd_n_d;
  // done stage: the request whose status write is out, until its done is taken
  logic                   pd_valid_q, pd_valid_d;
  logic [SlW-1:0]         pd_slot_q, pd_slot_d;
  logic [31:0]            pd_len_q, pd_len_d;    // used length
  logic [7:0]             pd_need_q, pd_need_d;  // its writes still out (wr_done to come)
  logic                   done_valid_q, done_valid_d;
  vep_pkg::done_t         done_q, done_d;
  logic                   dev_err_q, dev_err_d;
  logic [7:0]             dev_err_code_q, dev_err_code_d;
  logic                   idle_q, idle_d;

  // ---- Outputs: registers only ----
  assign slot_free_o       = slot_free_q;
  assign slot_id_o         = slot_id_q;
  assign chain_ready_o     = chain_ready_q;
  assign rdq_valid_o       = rdq_valid_q;
  assign rdq_addr_o        = rdq_addr_q;
  assign rdq_len_o         = rdq_len_q;
  assign wrq_valid_o       = wrq_valid_q;
  assign wrq_addr_o        = wrq_addr_q;
  assign wrq_len_o         = wrq_len_q;
  assign wrd_valid_o       = wrd_valid_q;
  assign wrd_data_o        = wrd_data_q;
  assign wrd_lo_o          = wrd_lo_q;
  assign wrd_n_o           = wrd_n_q;
  assign m_blk_req_valid   = req_valid_q;
  assign m_blk_req_tag     = req_tag_q;
  assign m_blk_req_type    = req_type_q;
  assign m_blk_req_sector  = req_sector_q;
  assign m_blk_req_bytes   = req_bytes_q;
  assign m_blk_wdata_valid = wd_valid_q;
  assign m_blk_wdata_data  = wd_data_q;
  assign m_blk_wdata_keep  = wd_keep_q;
  assign m_blk_wdata_last  = wd_last_q;
  assign m_blk_wdata_abort = wd_abort_q;
  assign s_blk_rsp_ready   = rsp_ready_q;
  assign done_valid_o      = done_valid_q;
  assign done_o            = done_q;
  assign dev_err_o         = dev_err_q;
  assign dev_err_code_o    = dev_err_code_q;
  assign idle_o            = idle_q;
  assign bk_busy_o         = bk_q != '0;

  // Segment memory address of segment i of slot s; out of range reads entry 0 (never used).
  function automatic logic [SegAw-1:0] seg_addr(logic [SlW-1:0] s, logic [31:0] i);
    logic [31:0] a;
    a = 32'(s) * 32'(SegSlots) + i;
    seg_addr = (a < 32'(Depth)) ? a[SegAw-1:0] : '0;
  endfunction

  function automatic logic [31:0] min32(logic [31:0] a, logic [31:0] b);
    min32 = (a < b) ? a : b;
  endfunction

  // The window of the held response beat the next DMA write beat carries.
  function automatic logic [LW:0] win_n(logic [LW:0] pos, logic [12:0] prem);
    logic [LW:0] avail;
    avail = (LW+1)'(B) - pos;
    win_n = (prem < 13'(avail)) ? prem[LW:0] : avail;
  endfunction

  // ---- Next state ----
  logic        chain_hs, rf_pop, rsp_hs;
  logic        r_inc, r_dec, w_inc, w_dec, wdrop_dec;
  logic        pd_cap;  // the done stage takes the writer's request
  logic        h_take, hq_pop, hq_inc, hq_dec, d_inc, d_dec, rec_push;
  logic [HqW:0] rec_val, rh;
  logic [SlW-1:0] hsl;
  logic [HqW-1:0] de;
  logic [4:0]  hnpos, hn, boff;
  logic [LW-1:0] blane;
  logic [31:0] hseg_end;
  logic [SlW-1:0] rs, ws, cs;
  // reader temporaries
  // cut_len, wlen (<= 4096) and keepw (< 2**B): only their low bits carry a value.
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0] cut_len, wlen, hcut;
  logic [B:0]  keepw;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [31:0] rdiff, wdiff;
  logic [31:0] seg_end, npos32, dtype, dlen, rb, wb;
  logic [63:0] sector, nsec, rsec;
  logic        range_ok, backend, fin, known, fail, keep_slot, found;
  logic [7:0]  st;
  logic [31:0] rbytes;
  // writer temporaries
  logic [SlW-1:0] t, ls, fid;
  logic [31:0] wseg_end, wdl, nwpos;
  logic [LW:0] hpos;
  logic [12:0] nprem;
  logic        more, wdata_st;

  always_comb begin
    busy_d = busy_q;  bk_d = bk_q;  zomb_d = zomb_q;  loc_d = loc_q;  ioerr_d = ioerr_q;
    sl_queue_d = sl_queue_q;  sl_head_d = sl_head_q;  sl_nseg_d = sl_nseg_q;  sl_nr_d = sl_nr_q;
    sl_rb_d = sl_rb_q;  sl_wb_d = sl_wb_q;  sl_type_d = sl_type_q;  sl_st_d = sl_st_q;
    slot_free_d = slot_free_q;  slot_id_d = slot_id_q;
    rf_d = rf_q;  rf_rd_d = rf_rd_q;  rf_wr_d = rf_wr_q;  rf_cnt_d = rf_cnt_q;
    rf_iss_d = rf_iss_q;  rf_icnt_d = rf_icnt_q;
    h_st_d = h_st_q;  h_slot_d = h_slot_q;  h_ent_d = h_ent_q;  h_seg_d = h_seg_q;
    h_off_d = h_off_q;  h_pos_d = h_pos_q;
    hq_wr_d = hq_wr_q;  hq_rd_d = hq_rd_q;  hq_cnt_d = hq_cnt_q;  hq_type_d = hq_type_q;
    hq_sec_d = hq_sec_q;  hq_n_d = hq_n_q;  hq_pend_d = hq_pend_q;  hq_fin_d = hq_fin_q;
    hq_err_d = hq_err_q;
    rec_d = rec_q;  rec_rd_d = rec_rd_q;  rec_wr_d = rec_wr_q;  d_out_d = d_out_q;
    r_st_d = r_st_q;  r_slot_d = r_slot_q;  r_seg_d = r_seg_q;
    r_off_d = r_off_q;  r_pos_d = r_pos_q;  r_lim_d = r_lim_q;  r_out_d = r_out_q;
    r_abort_d = r_abort_q;  r_wd_open_d = r_wd_open_q;
    rseg_d = rseg_q;  rseg_rd = 1'b0;  rseg_ra = '0;  rseg_rs = '0;  rseg_ri = '0;
    rdq_valid_d = rdq_valid_q;  rdq_addr_d = rdq_addr_q;  rdq_len_d = rdq_len_q;
    req_valid_d = req_valid_q;  req_tag_d = req_tag_q;  req_type_d = req_type_q;
    req_sector_d = req_sector_q;  req_bytes_d = req_bytes_q;
    w_st_d = w_st_q;  w_slot_d = w_slot_q;  w_seg_d = w_seg_q;  w_off_d = w_off_q;
    w_pos_d = w_pos_q;  w_dlen_d = w_dlen_q;  w_prem_d = w_prem_q;  w_status_d = w_status_q;
    w_short_d = w_short_q;  w_open_d = w_open_q;
    hb_data_d = hb_data_q;  hb_pos_d = hb_pos_q;  hb_last_d = hb_last_q;  wseg_d = wseg_q;
    nb_valid_d = nb_valid_q;  nb_data_d = nb_data_q;  nb_last_d = nb_last_q;
    wseg_rd = 1'b0;  wseg_ra = '0;
    wr_out_d = wr_out_q;  wr_drop_d = wr_drop_q;  rsp_ready_d = rsp_ready_q;
    wrq_valid_d = wrq_valid_q;  wrq_addr_d = wrq_addr_q;  wrq_len_d = wrq_len_q;
    wrd_valid_d = wrd_valid_q;  wrd_data_d = wrd_data_q;  wrd_lo_d = wrd_lo_q;
    wrd_n_d = wrd_n_q;
    done_valid_d = done_valid_q;  done_d = done_q;
    pd_valid_d = pd_valid_q;  pd_slot_d = pd_slot_q;  pd_len_d = pd_len_q;  pd_need_d = pd_need_q;
    pd_cap = 1'b0;
    idle_d = idle_q;

    r_inc = 1'b0;  r_dec = 1'b0;
    h_take = 1'b0;  hq_pop = 1'b0;  hq_inc = 1'b0;  hq_dec = 1'b0;  d_inc = 1'b0;
    d_dec = 1'b0;  rec_push = 1'b0;  rec_val = '0;  rh = '0;  hsl = '0;  de = '0;
    hnpos = '0;  hseg_end = '0;  hcut = '0;  hn = '0;  boff = '0;  blane = '0;
    w_inc = 1'b0;  w_dec = 1'b0;  wdrop_dec = 1'b0;
    rs = r_slot_q;  ws = w_slot_q;
    seg_end = '0;  cut_len = '0;  npos32 = '0;  dtype = '0;  dlen = '0;  rb = '0;  wb = '0;
    sector = '0;  nsec = '0;  rsec = '0;  range_ok = 1'b0;  backend = 1'b0;  fin = 1'b0;
    known = 1'b0;  fail = 1'b0;  keep_slot = 1'b0;  found = 1'b0;  st = SOk;  rbytes = '0;
    keepw = '0;  rdiff = '0;  wdiff = '0;  t = '0;  ls = '0;  fid = '0;  wseg_end = '0;  wlen = '0;  wdl = '0;
    nwpos = '0;  hpos = '0;  nprem = '0;  more = 1'b0;  cs = '0;  wdata_st = 1'b0;

    dev_err_d      = 1'b0;
    dev_err_code_d = 8'd0;
    wd_valid_d     = 1'b0;
    wd_data_d      = '0;
    wd_keep_d      = '0;
    wd_last_d      = 1'b0;
    wd_abort_d     = 1'b0;
    chain_ready_d  = 1'b1;

    // ---- chain hand-off: the slot joins the reader's FIFO ----
    chain_hs = chain_valid_i && chain_ready_q;
    if (chain_hs) begin
      cs = chain_i.slot[SlW-1:0];
      busy_d[cs]     = 1'b1;
      sl_queue_d[6*cs +: 6] = chain_i.q;
      sl_head_d[16*cs +: 16]  = chain_i.head;
      sl_nseg_d[8*cs +: 8]  = chain_i.nseg;
      sl_nr_d[8*cs +: 8]    = chain_i.nr;
      sl_rb_d[32*cs +: 32]    = chain_i.r_bytes;
      sl_wb_d[32*cs +: 32]    = chain_i.w_bytes;
      rf_d[SlW*rf_wr_q +: SlW] = cs;
      rf_wr_d        = rf_wr_q + SlW'(1);
    end
    rf_pop = 1'b0;

    // ---- reader ----
    unique case (r_st_q)
      BrIdle: begin
        // The FIFO's head once the issuer has taken it: its header entry is hq_rd_q.
        if (hq_cnt_q != '0) begin
          rf_pop   = 1'b1;
          r_slot_d = rf_q[SlW*rf_rd_q +: SlW];
          r_st_d   = BrCheck;
        end
      end
      BrCheck: begin
        if (sl_rb_q[32*rs +: 32] < HdrB || sl_wb_q[32*rs +: 32] == 32'd0) begin
          // Nowhere to put a status: a device error, the slot is freed without a done (the
          // issuer read nothing for it).
          dev_err_d      = 1'b1;
          dev_err_code_d = 8'(vep_pkg::VEP_ERR_BLK_HEADERS);
          busy_d[rs]     = 1'b0;
          hq_pop         = 1'b1;
          r_st_d         = BrIdle;
        end else begin
          r_st_d = BrWait;
        end
      end
      BrSegRd: begin
        if (r_abort_q || r_seg_q >= sl_nr_q[8*rs +: 8]) begin
          // aborted, or the readable segments ran out before r_lim (inconsistent chain)
          r_st_d = BrDrain;
        end else if (h_st_q == HiIdle) begin
          // The issuer is not using rseg_q or rdq (and cannot start while we are here).
          rseg_rd = 1'b1;
          rseg_rs = rs;
          rseg_ri = r_seg_q;
          r_st_d  = BrSeg;
        end
      end
      BrSeg: begin
        seg_end = r_off_q + rseg_q.len;
        if (r_abort_q) begin
          r_st_d = BrDrain;
        end else if (r_pos_q >= seg_end) begin
          r_off_d = seg_end;
          r_seg_d = r_seg_q + 8'd1;
          r_st_d  = BrSegRd;
        end else if (r_out_q < MaxRdOut) begin
          cut_len     = min32(min32(seg_end, r_lim_q) - r_pos_q, 32'(vep_pkg::VEP_DMA_MAX_LEN));
          rdq_valid_d = 1'b1;
          rdiff       = r_pos_q - r_off_q;
          rdq_addr_d  = rseg_q.addr + 64'(rdiff);
          rdq_len_d   = cut_len[12:0];
          r_st_d      = BrReq;
        end
      end
      BrReq: begin
        if (rdq_ready_i) begin
          npos32      = r_pos_q + 32'(rdq_len_q);
          rdq_valid_d = 1'b0;
          r_inc       = 1'b1;
          d_inc       = 1'b1;
          rec_push    = 1'b1;
          rec_val     = '0;
          r_pos_d     = npos32;
          if (npos32 == r_lim_q) r_st_d = BrDrain;
          else r_st_d = BrSeg;
        end
      end
      BrWait: begin
        if (hq_fin_q[hq_rd_q] && hq_pend_q[5*hq_rd_q +: 5] == 5'd0) r_st_d = BrDecide;
      end
      BrDecide: begin
        dtype    = hq_type_q[32*hq_rd_q +: 32];
        sector   = hq_sec_q[64*hq_rd_q +: 64];
        rb       = sl_rb_q[32*rs +: 32];
        wb       = sl_wb_q[32*rs +: 32];
        dlen     = (dtype == TIn) ? wb - 32'd1 : rb - HdrB;
        nsec     = {41'd0, dlen[31:9]};
        range_ok = (dlen[8:0] == 9'd0) && (sector <= blk_capacity_i) &&
                   (nsec <= blk_capacity_i - sector);
        backend  = 1'b0;
        st       = SOk;
        rsec     = '0;
        rbytes   = '0;
        hq_pop   = 1'b1;
        // A header the readable segments do not cover (vep_vq_fetch never hands one over) is
        // as good as a failed read.
        if (hq_err_q[hq_rd_q] || hq_n_q[5*hq_rd_q +: 5] < 5'd16) begin
          st = SIoerr;
        end else if (dtype == TIn) begin
          if (range_ok) begin
            backend = 1'b1;
            rsec    = sector;
            rbytes  = dlen;
          end else begin
            st = SIoerr;
          end
        end else if (dtype == TOut) begin
          if (range_ok && !blk_ro_i) begin
            backend = 1'b1;
            rsec    = sector;
            rbytes  = dlen;
          end else begin
            st = SIoerr;
          end
        end else if (dtype == TFlush) begin
          backend = 1'b1;
        end else if (dtype == TGetId) begin
          backend = 1'b1;
          rbytes  = IdB;
        end else begin
          st = SUnsup;
        end
        if (backend) begin
          sl_type_d[8*rs +: 8] = dtype[7:0];
          req_valid_d   = 1'b1;
          req_tag_d     = 8'(rs);
          req_type_d    = dtype[7:0];
          req_sector_d  = rsec;
          req_bytes_d   = rbytes;
          r_st_d        = BrBreq;
        end else begin
          loc_d[rs]   = 1'b1;
          sl_st_d[8*rs +: 8] = st;
          r_st_d      = BrIdle;
        end
      end
      BrBreq: begin
        if (m_blk_req_ready) begin
          req_valid_d = 1'b0;
          bk_d[rs]    = 1'b1;
          if (32'(req_type_q) == TOut) begin
            if (req_bytes_q == 32'd0) begin
              // No data: the stream is one empty last beat, so every OUT ends with a last.
              wd_valid_d = 1'b1;
              wd_last_d  = 1'b1;
              r_st_d     = BrIdle;
            end else begin
              r_seg_d     = 8'd0;
              r_off_d     = 32'd0;
              r_pos_d     = HdrB;
              r_lim_d     = sl_rb_q[32*rs +: 32];
              r_abort_d   = 1'b0;
              r_wd_open_d = 1'b1;
              r_st_d      = BrSegRd;
            end
          end else begin
            r_st_d = BrIdle;
          end
        end
      end
      BrDrain: begin
        if (d_out_q == 8'd0) r_st_d = BrIdle;
      end
      default: r_st_d = BrIdle;
    endcase

    // ---- header issuer: reads the headers of the next slots while earlier ones are out ----
    unique case (h_st_q)
      HiIdle: begin
        if (rf_icnt_q != '0 && hq_cnt_q < (HqW+1)'(HdrQ) &&
            r_st_q != BrSegRd && r_st_q != BrSeg && r_st_q != BrReq) begin
          hsl                  = rf_q[SlW*rf_iss_q +: SlW];
          h_take               = 1'b1;
          h_slot_d             = hsl;
          h_ent_d              = hq_wr_q;
          hq_fin_d[hq_wr_q]    = 1'b0;
          hq_err_d[hq_wr_q]    = 1'b0;
          hq_n_d[5*hq_wr_q +: 5] = 5'd0;
          if (sl_rb_q[32*hsl +: 32] < HdrB || sl_wb_q[32*hsl +: 32] == 32'd0) begin
            // Nothing to read: the reader reports the device error when it gets there.
            hq_fin_d[hq_wr_q] = 1'b1;
          end else begin
            h_seg_d = 8'd0;
            h_off_d = 32'd0;
            h_pos_d = 5'd0;
            h_st_d  = HiSegRd;
          end
        end
      end
      HiSegRd: begin
        if (h_seg_q >= sl_nr_q[8*h_slot_q +: 8]) begin
          // The readable segments end before the header (inconsistent chain): stop here.
          hq_fin_d[h_ent_q] = 1'b1;
          h_st_d            = HiIdle;
        end else begin
          rseg_rd = 1'b1;
          rseg_rs = h_slot_q;
          rseg_ri = h_seg_q;
          h_st_d  = HiSeg;
        end
      end
      HiSeg: begin
        hseg_end = h_off_q + rseg_q.len;
        if (32'(h_pos_q) >= hseg_end) begin
          h_off_d = hseg_end;
          h_seg_d = h_seg_q + 8'd1;
          h_st_d  = HiSegRd;
        end else if (r_out_q < MaxRdOut) begin
          hcut        = min32(hseg_end, HdrB) - 32'(h_pos_q);
          rdq_valid_d = 1'b1;
          rdiff       = 32'(h_pos_q) - h_off_q;
          rdq_addr_d  = rseg_q.addr + 64'(rdiff);
          rdq_len_d   = hcut[12:0];
          h_st_d      = HiReq;
        end
      end
      HiReq: begin
        if (rdq_ready_i) begin
          hnpos       = h_pos_q + rdq_len_q[4:0];
          rdq_valid_d = 1'b0;
          r_inc       = 1'b1;
          rec_push    = 1'b1;
          rec_val     = {1'b1, h_ent_q};
          hq_inc      = 1'b1;
          h_pos_d     = hnpos;
          if (32'(hnpos) == HdrB) begin
            hq_fin_d[h_ent_q] = 1'b1;
            h_st_d            = HiIdle;
          end else begin
            h_st_d = HiSeg;
          end
        end
      end
      default: h_st_d = HiIdle;
    endcase

    // ---- DMA read responses (in request order: rec_q says what each read is for) ----
    if (rdr_valid_i && r_out_q != 8'd0) begin
      rh = rec_q[(HqW+1)*rec_rd_q +: HqW+1];
      if (rdr_last_i) begin
        r_dec    = 1'b1;
        rec_rd_d = rec_rd_q + RecW'(1);
      end
      if (rh[HqW]) begin
        de = rh[HqW-1:0];
        if (rdr_last_i) begin
          hq_dec = 1'b1;
          if (rdr_err_i) hq_err_d[de] = 1'b1;
        end
        if (!rdr_err_i) begin
          // Header byte p is lane lo + (p - bytes received) of this beat, if that is inside
          // its window: one B-way choice per byte, the entry only an enable (byte lanes
          // placed at a computed offset cost thousands of LUTs in shifters). A header read is
          // at most 16 bytes, so a beat carries at most 16 of them: one beat holds a whole
          // aligned header at B >= 16, an unaligned one comes in two. Below B = 32 a byte
          // already received wraps boff to 16 or more, outside any window; at B = 32 it is
          // excluded explicitly.
          hn = hq_n_q[5*de +: 5];
          for (int b = 0; b < 16; b++) begin
            if (b < 4 || b >= 8) begin
              boff = 5'(b) - hn;
              if ((B <= 16 || hn <= 5'(b)) && 6'(boff) < 6'(rdr_n_i)) begin
                blane = rdr_lo_i + LW'(boff);
                for (int e = 0; e < HdrQ; e++) begin
                  if (de == HqW'(e)) begin
                    if (b < 4) hq_type_d[32*e + 8*b +: 8] = rdr_data_i[8*blane +: 8];
                    else hq_sec_d[64*e + 8*(b-8) +: 8] = rdr_data_i[8*blane +: 8];
                  end
                end
              end
            end
          end
          hq_n_d[5*de +: 5] = hq_n_q[5*de +: 5] + 5'(rdr_n_i);
        end
      end else begin
        if (rdr_last_i) d_dec = (d_out_q != 8'd0);
        if (r_wd_open_q) begin
          if (rdr_err_i) begin
            wd_valid_d  = 1'b1;
            wd_last_d   = 1'b1;
            wd_abort_d  = 1'b1;
            r_wd_open_d = 1'b0;
            r_abort_d   = 1'b1;
            ioerr_d[rs] = 1'b1;
          end else begin
            fin        = rdr_last_i && (r_st_q == BrDrain) && (d_out_q == 8'd1);
            keepw      = (((B+1)'(1) << rdr_n_i) - (B+1)'(1)) << rdr_lo_i;
            wd_valid_d = 1'b1;
            wd_data_d  = rdr_data_i;
            wd_keep_d  = keepw[B-1:0];
            wd_last_d  = fin;
            if (fin) r_wd_open_d = 1'b0;
          end
        end
      end
    end
    // One address computation for both sequencers (one constant multiplier, not two).
    rseg_ra = seg_addr(rseg_rs, 32'(rseg_ri));
    if (rseg_rd) rseg_d = seg_mem[rseg_ra];
    if (rec_push) begin
      rec_d[(HqW+1)*rec_wr_q +: HqW+1] = rec_val;
      rec_wr_d = rec_wr_q + RecW'(1);
    end
    // A header entry's outstanding reads: one issued (h_ent_q) and one answered (de) per cycle.
    for (int e = 0; e < HdrQ; e++) begin
      hq_pend_d[5*e +: 5] = hq_pend_q[5*e +: 5] + 5'(hq_inc && h_ent_q == HqW'(e)) -
                            5'(hq_dec && de == HqW'(e));
    end

    // ---- writer ----
    rsp_hs = s_blk_rsp_valid && rsp_ready_q;
    // In the data states a beat goes to nb_* (it is empty whenever s_blk_rsp_ready is high
    // there); its last beat closes the response at once, as in BwBeat.
    wdata_st = (w_st_q == BwSegRd) || (w_st_q == BwSeg) || (w_st_q == BwReq) ||
               (w_st_q == BwData);
    if (rsp_hs && wdata_st) begin
      nb_valid_d = 1'b1;
      nb_data_d  = s_blk_rsp_data;
      nb_last_d  = s_blk_rsp_last;
      if (s_blk_rsp_last) begin
        bk_d[ws]   = 1'b0;
        w_open_d   = 1'b0;
        w_status_d = s_blk_rsp_status;
      end
    end
    unique case (w_st_q)
      BwIdle: begin
        if (rsp_hs) begin
          t     = s_blk_rsp_tag[SlW-1:0];
          known = (32'(s_blk_rsp_tag) < NSlot) && bk_q[t];
          if (!known) begin
            // not outstanding: dropped beat by beat
          end else if (zomb_q[t]) begin
            if (s_blk_rsp_last) begin
              bk_d[t]   = 1'b0;
              zomb_d[t] = 1'b0;
              busy_d[t] = 1'b0;
            end
          end else begin
            wb   = sl_wb_q[32*t +: 32];
            wdl  = (32'(sl_type_q[8*t +: 8]) == TIn)    ? wb - 32'd1 :
                   (32'(sl_type_q[8*t +: 8]) == TGetId) ? min32(IdB, wb - 32'd1) : 32'd0;
            fail = s_blk_rsp_last && (s_blk_rsp_status != SOk);
            w_slot_d   = t;
            w_short_d  = 1'b0;
            w_pos_d    = 32'd0;
            w_status_d = s_blk_rsp_status;
            w_open_d   = !s_blk_rsp_last;
            if (s_blk_rsp_last) bk_d[t] = 1'b0;
            if (!fail && wdl != 32'd0) begin
              w_dlen_d  = wdl;
              hb_data_d = s_blk_rsp_data;
              hb_pos_d  = '0;
              hb_last_d = s_blk_rsp_last;
              w_seg_d   = sl_nr_q[8*t +: 8];
              w_off_d   = 32'd0;
              w_st_d    = BwSegRd;
            end else begin
              w_dlen_d = 32'd0;
              w_st_d   = s_blk_rsp_last ? BwStRd : BwDrain;
            end
          end
        end else if (loc_q != '0) begin
          ls = '0;
          for (int i = NSlot - 1; i >= 0; i--) begin
            if (loc_q[i]) ls = SlW'(i);
          end
          loc_d[ls]  = 1'b0;
          w_slot_d   = ls;
          w_dlen_d   = 32'd0;
          w_pos_d    = 32'd0;
          w_short_d  = 1'b0;
          w_open_d   = 1'b0;
          w_status_d = sl_st_q[8*ls +: 8];
          w_st_d     = BwStRd;
        end
      end
      BwSegRd: begin
        if (w_seg_q >= sl_nseg_q[8*ws +: 8]) begin
          // writable segments ran out before the data (inconsistent chain): give up the data
          w_short_d = 1'b1;
          w_st_d    = w_open_d ? BwDrain : BwStRd;
        end else begin
          wseg_rd = 1'b1;
          wseg_ra = seg_addr(ws, 32'(w_seg_q));
          w_st_d  = BwSeg;
        end
      end
      BwSeg: begin
        wseg_end = w_off_q + wseg_q.len;
        if (w_pos_q >= wseg_end) begin
          w_off_d = wseg_end;
          w_seg_d = w_seg_q + 8'd1;
          w_st_d  = BwSegRd;
        end else if (wr_out_q < MaxOut) begin
          wlen        = min32(min32(wseg_end, w_dlen_q) - w_pos_q, 32'(vep_pkg::VEP_DMA_MAX_LEN));
          wrq_valid_d = 1'b1;
          wdiff       = w_pos_q - w_off_q;
          wrq_addr_d  = wseg_q.addr + 64'(wdiff);
          wrq_len_d   = wlen[12:0];
          w_prem_d    = wlen[12:0];
          w_st_d      = BwReq;
        end
      end
      BwReq: begin
        if (wrq_ready_i) begin
          wrq_valid_d = 1'b0;
          w_inc       = 1'b1;
          wrd_valid_d = 1'b1;
          wrd_data_d  = hb_data_q;
          wrd_lo_d    = hb_pos_q[LW-1:0];
          wrd_n_d     = win_n(hb_pos_q, w_prem_q);
          w_st_d      = BwData;
        end
      end
      BwData: begin
        if (wrd_ready_i) begin
          hpos        = hb_pos_q + wrd_n_q;
          nprem       = w_prem_q - 13'(wrd_n_q);
          nwpos       = w_pos_q + 32'(wrd_n_q);
          w_prem_d    = nprem;
          w_pos_d     = nwpos;
          hb_pos_d    = hpos;
          wrd_valid_d = 1'b0;
          more        = (nprem != 13'd0) || (nwpos != w_dlen_q);
          if (hpos == (LW+1)'(B) && !hb_last_q && more) begin
            if (nb_valid_d) begin
              // The next beat is at hand (held, or taken on this edge): no bubble.
              hb_data_d  = nb_data_d;
              hb_pos_d   = '0;
              hb_last_d  = nb_last_d;
              nb_valid_d = 1'b0;
              if (nprem != 13'd0) begin
                wrd_valid_d = 1'b1;
                wrd_data_d  = nb_data_d;
                wrd_lo_d    = '0;
                wrd_n_d     = win_n('0, nprem);
              end else begin
                w_st_d = BwSeg;
              end
            end else begin
              w_st_d = BwBeat;
            end
          end else begin
            if (hpos == (LW+1)'(B)) begin
              // The response ended before its data (fewer beats than announced): the rest of
              // the DMA write repeats the last beat and the status becomes IOERR.
              if (more) w_short_d = 1'b1;
              hb_pos_d = '0;
              hpos     = '0;
            end
            if (nprem != 13'd0) begin
              wrd_valid_d = 1'b1;
              wrd_lo_d    = hpos[LW-1:0];
              wrd_n_d     = win_n(hpos, nprem);
            end else if (nwpos == w_dlen_q) begin
              w_st_d = w_open_d ? BwDrain : BwStRd;
            end else begin
              w_st_d = BwSeg;
            end
          end
        end
      end
      BwBeat: begin
        if (rsp_hs) begin
          hb_data_d = s_blk_rsp_data;
          hb_pos_d  = '0;
          hb_last_d = s_blk_rsp_last;
          if (s_blk_rsp_last) begin
            bk_d[ws]   = 1'b0;
            w_open_d   = 1'b0;
            w_status_d = s_blk_rsp_status;
          end
          if (w_prem_q != 13'd0) begin
            wrd_valid_d = 1'b1;
            wrd_data_d  = s_blk_rsp_data;
            wrd_lo_d    = '0;
            wrd_n_d     = win_n('0, w_prem_q);
            w_st_d      = BwData;
          end else begin
            w_st_d = BwSeg;
          end
        end
      end
      BwDrain: begin
        if (rsp_hs && s_blk_rsp_last) begin
          bk_d[ws]   = 1'b0;
          w_open_d   = 1'b0;
          w_status_d = s_blk_rsp_status;
          if (zomb_q[ws]) begin
            zomb_d[ws] = 1'b0;
            busy_d[ws] = 1'b0;
            w_st_d     = BwIdle;
          end else begin
            w_st_d = BwStRd;
          end
        end
      end
      BwStRd: begin
        wseg_rd = 1'b1;
        wseg_ra = seg_addr(ws, 32'(sl_nseg_q[8*ws +: 8]) - 32'd1);
        w_st_d  = BwSt;
      end
      BwSt: begin
        if (wr_out_q < MaxOut) begin
          wrq_valid_d = 1'b1;
          wrq_addr_d  = wseg_q.addr + 64'(wseg_q.len) - 64'd1;
          wrq_len_d   = 13'd1;
          if (ioerr_q[ws] || w_short_q) w_status_d = SIoerr;
          w_st_d = BwStReq;
        end
      end
      BwStReq: begin
        if (wrq_ready_i) begin
          wrq_valid_d = 1'b0;
          w_inc       = 1'b1;
          wrd_valid_d = 1'b1;
          wrd_data_d  = DATA_W'(w_status_q);
          wrd_lo_d    = '0;
          wrd_n_d     = (LW+1)'(1);
          w_st_d      = BwStData;
        end
      end
      BwStData: begin
        if (wrd_ready_i) begin
          wrd_valid_d = 1'b0;
          w_st_d      = BwWait;
          if (!pd_valid_q) begin
            pd_cap = 1'b1;
            w_st_d = BwIdle;
          end
        end
      end
      BwWait: begin
        // The done stage still holds the previous request.
        if (!pd_valid_q) begin
          pd_cap = 1'b1;
          w_st_d = BwIdle;
        end
      end
      default: w_st_d = BwIdle;
    endcase
    if (pd_cap) begin
      pd_valid_d = 1'b1;
      pd_slot_d  = ws;
      pd_len_d   = w_dlen_q + 32'd1;
    end

    // ---- done stage: the request whose status write is out; the writer goes on meanwhile ----
    if (pd_valid_q && pd_need_q == 8'd0 && !done_valid_q) begin
      // Its writes, the status byte's last, are done (taken for transmission) before the used
      // ring is written.
      done_valid_d = 1'b1;
      done_d.q     = sl_queue_q[6*pd_slot_q +: 6];
      done_d.head  = sl_head_q[16*pd_slot_q +: 16];
      done_d.len   = pd_len_q;
    end
    if (done_valid_q && done_ready_i) begin
      done_valid_d      = 1'b0;
      pd_valid_d        = 1'b0;
      busy_d[pd_slot_q]  = 1'b0;
      ioerr_d[pd_slot_q] = 1'b0;
    end
    if (wseg_rd) wseg_d = seg_mem[wseg_ra];

    // ---- wr_done strobes (one per write request, in order) ----
    if (wr_done_i) begin
      if (wr_drop_q != 16'd0) wdrop_dec = 1'b1;
      else w_dec = (wr_out_q != 8'd0);
    end

    r_out_d   = r_out_q + 8'(r_inc) - 8'(r_dec);
    wr_out_d  = wr_out_q + 8'(w_inc) - 8'(w_dec);
    // The done stage's writes still out: those out when it took the request (the writer issues
    // none in that cycle), each wr_done counting down (they come in order).
    if (pd_cap) pd_need_d = wr_out_d;
    else if (w_dec && pd_need_q != 8'd0) pd_need_d = pd_need_q - 8'd1;
    wr_drop_d = wr_drop_q - 16'(wdrop_dec);
    d_out_d   = d_out_q + 8'(d_inc) - 8'(d_dec);
    if (rf_pop) rf_rd_d = rf_rd_q + SlW'(1);
    rf_cnt_d = rf_cnt_q + (SlW+1)'(chain_hs) - (SlW+1)'(rf_pop);
    if (h_take) begin
      rf_iss_d = rf_iss_q + SlW'(1);
      hq_wr_d  = hq_wr_q + HqW'(1);
    end
    rf_icnt_d = rf_icnt_q + (SlW+1)'(chain_hs) - (SlW+1)'(h_take);
    if (hq_pop) hq_rd_d = hq_rd_q + HqW'(1);
    hq_cnt_d = hq_cnt_q + (HqW+1)'(h_take) - (HqW+1)'(hq_pop);

    // ---- virtio device reset ----
    if (dev_reset_i) begin
      if (r_wd_open_d) begin
        // The OUT data stream at the backend ends at once.
        wd_valid_d  = 1'b1;
        wd_data_d   = '0;
        wd_keep_d   = '0;
        wd_last_d   = 1'b1;
        wd_abort_d  = 1'b1;
        r_wd_open_d = 1'b0;
      end
      // vep_dma_rd forgets every read it took before the reset: nothing to swallow.
      r_out_d     = 8'd0;
      d_out_d     = 8'd0;
      rec_rd_d    = '0;
      rec_wr_d    = '0;
      r_st_d      = BrIdle;
      h_st_d      = HiIdle;
      r_abort_d   = 1'b0;
      rdq_valid_d = 1'b0;
      req_valid_d = 1'b0;
      rf_rd_d     = '0;
      rf_wr_d     = '0;
      rf_cnt_d    = '0;
      rf_iss_d    = '0;
      rf_icnt_d   = '0;
      hq_rd_d     = '0;
      hq_wr_d     = '0;
      hq_cnt_d    = '0;
      hq_pend_d   = '0;
      wr_drop_d   = wr_drop_d + 16'(wr_out_d);
      wr_out_d    = 8'd0;
      wrq_valid_d = 1'b0;
      wrd_valid_d = 1'b0;
      done_valid_d = 1'b0;
      pd_valid_d   = 1'b0;
      // A response being taken keeps its slot until its last beat, then drops it.
      if (w_st_d != BwIdle && bk_d[w_slot_d]) w_st_d = BwDrain;
      else w_st_d = BwIdle;
      zomb_d         = bk_d;
      busy_d         = bk_d;
      loc_d          = '0;
      ioerr_d        = '0;
      dev_err_d      = 1'b0;
      dev_err_code_d = 8'd0;
    end

    // ---- slot supply: a free slot, held until it is handed over ----
    keep_slot = slot_free_q && !chain_hs && !busy_d[slot_id_q[SlW-1:0]];
    if (!keep_slot) begin
      found = 1'b0;
      fid   = slot_id_q[SlW-1:0];
      for (int i = NSlot - 1; i >= 0; i--) begin
        if (!busy_d[i]) begin
          found = 1'b1;
          fid   = SlW'(i);
        end
      end
      slot_free_d = found;
      slot_id_d   = found ? 8'(fid) : slot_id_q;
    end

    // nb_* only lives in the data states (a reset or the end of the data drops it).
    if (!((w_st_d == BwSegRd) || (w_st_d == BwSeg) || (w_st_d == BwReq) || (w_st_d == BwData)))
      nb_valid_d = 1'b0;
    rsp_ready_d = (w_st_d == BwIdle) || (w_st_d == BwBeat) || (w_st_d == BwDrain) ||
                  (((w_st_d == BwSegRd) || (w_st_d == BwSeg) || (w_st_d == BwReq) ||
                    (w_st_d == BwData)) && w_open_d && !nb_valid_d);
    idle_d = (busy_d == '0) && (r_out_d == 8'd0) &&
             (wr_out_d == 8'd0) && (wr_drop_d == 16'd0);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= '0;  bk_q <= '0;  zomb_q <= '0;  loc_q <= '0;  ioerr_q <= '0;
      sl_queue_q <= '0;  sl_head_q <= '0;  sl_nseg_q <= '0;  sl_nr_q <= '0;
      sl_rb_q <= '0;  sl_wb_q <= '0;  sl_type_q <= '0;  sl_st_q <= '0;
      slot_free_q <= 1'b0;  slot_id_q <= '0;  chain_ready_q <= 1'b0;
      rf_q <= '0;  rf_rd_q <= '0;  rf_wr_q <= '0;  rf_cnt_q <= '0;
      rf_iss_q <= '0;  rf_icnt_q <= '0;
      h_st_q <= HiIdle;  h_slot_q <= '0;  h_ent_q <= '0;  h_seg_q <= '0;  h_off_q <= '0;
      h_pos_q <= '0;
      hq_wr_q <= '0;  hq_rd_q <= '0;  hq_cnt_q <= '0;  hq_type_q <= '0;  hq_sec_q <= '0;
      hq_n_q <= '0;  hq_pend_q <= '0;  hq_fin_q <= '0;  hq_err_q <= '0;
      rec_q <= '0;  rec_rd_q <= '0;  rec_wr_q <= '0;  d_out_q <= '0;
      r_st_q <= BrIdle;  r_slot_q <= '0;  r_seg_q <= '0;
      r_off_q <= '0;  r_pos_q <= '0;  r_lim_q <= '0;  r_out_q <= '0;
      r_abort_q <= 1'b0;  r_wd_open_q <= 1'b0;  rseg_q <= '0;
      rdq_valid_q <= 1'b0;  rdq_addr_q <= '0;  rdq_len_q <= '0;
      req_valid_q <= 1'b0;  req_tag_q <= '0;  req_type_q <= '0;  req_sector_q <= '0;
      req_bytes_q <= '0;
      wd_valid_q <= 1'b0;  wd_data_q <= '0;  wd_keep_q <= '0;  wd_last_q <= 1'b0;
      wd_abort_q <= 1'b0;
      w_st_q <= BwIdle;  w_slot_q <= '0;  w_seg_q <= '0;  w_off_q <= '0;  w_pos_q <= '0;
      w_dlen_q <= '0;  w_prem_q <= '0;  w_status_q <= '0;  w_short_q <= 1'b0;
      w_open_q <= 1'b0;  hb_data_q <= '0;  hb_pos_q <= '0;  hb_last_q <= 1'b0;  wseg_q <= '0;
      nb_valid_q <= 1'b0;  nb_data_q <= '0;  nb_last_q <= 1'b0;
      wr_out_q <= '0;  wr_drop_q <= '0;  rsp_ready_q <= 1'b0;
      wrq_valid_q <= 1'b0;  wrq_addr_q <= '0;  wrq_len_q <= '0;
      wrd_valid_q <= 1'b0;  wrd_data_q <= '0;  wrd_lo_q <= '0;  wrd_n_q <= '0;
      done_valid_q <= 1'b0;  done_q <= '0;
      pd_valid_q <= 1'b0;  pd_slot_q <= '0;  pd_len_q <= '0;  pd_need_q <= '0;
      dev_err_q <= 1'b0;  dev_err_code_q <= '0;  idle_q <= 1'b0;
    end else begin
      busy_q <= busy_d;  bk_q <= bk_d;  zomb_q <= zomb_d;  loc_q <= loc_d;  ioerr_q <= ioerr_d;
      sl_queue_q <= sl_queue_d;  sl_head_q <= sl_head_d;  sl_nseg_q <= sl_nseg_d;
      sl_nr_q <= sl_nr_d;  sl_rb_q <= sl_rb_d;  sl_wb_q <= sl_wb_d;  sl_type_q <= sl_type_d;
      sl_st_q <= sl_st_d;
      slot_free_q <= slot_free_d;  slot_id_q <= slot_id_d;  chain_ready_q <= chain_ready_d;
      rf_q <= rf_d;  rf_rd_q <= rf_rd_d;  rf_wr_q <= rf_wr_d;  rf_cnt_q <= rf_cnt_d;
      rf_iss_q <= rf_iss_d;  rf_icnt_q <= rf_icnt_d;
      h_st_q <= h_st_d;  h_slot_q <= h_slot_d;  h_ent_q <= h_ent_d;  h_seg_q <= h_seg_d;
      h_off_q <= h_off_d;  h_pos_q <= h_pos_d;
      hq_wr_q <= hq_wr_d;  hq_rd_q <= hq_rd_d;  hq_cnt_q <= hq_cnt_d;  hq_type_q <= hq_type_d;
      hq_sec_q <= hq_sec_d;  hq_n_q <= hq_n_d;  hq_pend_q <= hq_pend_d;  hq_fin_q <= hq_fin_d;
      hq_err_q <= hq_err_d;
      rec_q <= rec_d;  rec_rd_q <= rec_rd_d;  rec_wr_q <= rec_wr_d;  d_out_q <= d_out_d;
      r_st_q <= r_st_d;  r_slot_q <= r_slot_d;  r_seg_q <= r_seg_d;
      r_off_q <= r_off_d;  r_pos_q <= r_pos_d;  r_lim_q <= r_lim_d;  r_out_q <= r_out_d;
      r_abort_q <= r_abort_d;
      r_wd_open_q <= r_wd_open_d;  rseg_q <= rseg_d;
      rdq_valid_q <= rdq_valid_d;  rdq_addr_q <= rdq_addr_d;  rdq_len_q <= rdq_len_d;
      req_valid_q <= req_valid_d;  req_tag_q <= req_tag_d;  req_type_q <= req_type_d;
      req_sector_q <= req_sector_d;  req_bytes_q <= req_bytes_d;
      wd_valid_q <= wd_valid_d;  wd_data_q <= wd_data_d;  wd_keep_q <= wd_keep_d;
      wd_last_q <= wd_last_d;  wd_abort_q <= wd_abort_d;
      w_st_q <= w_st_d;  w_slot_q <= w_slot_d;  w_seg_q <= w_seg_d;  w_off_q <= w_off_d;
      w_pos_q <= w_pos_d;  w_dlen_q <= w_dlen_d;  w_prem_q <= w_prem_d;
      w_status_q <= w_status_d;  w_short_q <= w_short_d;  w_open_q <= w_open_d;
      hb_data_q <= hb_data_d;  hb_pos_q <= hb_pos_d;  hb_last_q <= hb_last_d;
      nb_valid_q <= nb_valid_d;  nb_data_q <= nb_data_d;  nb_last_q <= nb_last_d;
      wseg_q <= wseg_d;  wr_out_q <= wr_out_d;  wr_drop_q <= wr_drop_d;
      rsp_ready_q <= rsp_ready_d;
      wrq_valid_q <= wrq_valid_d;  wrq_addr_q <= wrq_addr_d;  wrq_len_q <= wrq_len_d;
      wrd_valid_q <= wrd_valid_d;  wrd_data_q <= wrd_data_d;  wrd_lo_q <= wrd_lo_d;
      wrd_n_q <= wrd_n_d;
      done_valid_q <= done_valid_d;  done_q <= done_d;
      pd_valid_q <= pd_valid_d;  pd_slot_q <= pd_slot_d;  pd_len_q <= pd_len_d;
      pd_need_q <= pd_need_d;
      dev_err_q <= dev_err_d;  dev_err_code_q <= dev_err_code_d;  idle_q <= idle_d;
    end
  end

  // wr_err_i: a dropped write changes nothing here (a dropped status write is the host's loss,
  // as is a dropped used-ring write in vep_vq_used); only the wr_done count matters.
  // chain_i.slot[7:3] is 0 (slots 0..7).
  logic unused;
  assign unused = wr_err_i ^ ^chain_i.slot[7:3] ^ ^s_blk_rsp_tag[7:3] ^ ^slot_id_q[7:3];

endmodule

`default_nettype wire
