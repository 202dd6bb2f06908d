// SPDX-License-Identifier: Apache-2.0
// vep_vq_fetch: the split-virtqueue avail ring and descriptor-chain walker (docs/datapath.md,
// "vep_vq_fetch"). Round robin over the queues with work (enabled, and the shadow avail index
// ahead of last_avail with a free slot, or doorbell set, or re-check set), one chain per visit:
//   1. nothing known: strobe doorbell_clr_o[q], read avail.idx (2 B at q_avail + 2); with
//      EVENT_IDX and nothing new, write avail_event = last_avail (2 B at q_used + 4 + 8*size),
//      wait for its wr_done and read avail.idx once more;
//   2. with work and a free vep_blk slot: take the head from the head buffer; when it is not
//      there, read up to Heads ring entries in one request (from last_avail, only entries the
//      avail index says are available, not across the ring's end) into the head buffer;
//   3. walk the chain from the descriptor memory, following NEXT and at most one INDIRECT table,
//      each buffer written as a seg_t at slot*SEG_SLOTS + n. The memory holds two windows of Win
//      descriptors: one of the descriptor table, one of an indirect table. A descriptor not in
//      its table's window (or in a window read when this chain was not yet available) starts a
//      window read at that descriptor: min(Win, 4 per chain known available, entries to the
//      table's end) descriptors in one request; its placement is registered (wfirst) and the
//      address formed a cycle later (place_q), before the request is offered;
//   4. offer the chain; last_avail advances on its handshake.
// Read-ahead (ra_st_q), beside the FSM while it walks chains or waits for a slot: for the head
// buffer's queue, when it has at most RaLow entries buffered and more known, their ring entries
// are read into the slots already consumed; when at most RaLow (and 2 or more) are known,
// avail.idx is read (at most once per RaStep hand-offs). So the next batch's heads are there when
// the buffered ones are used up. The FSM's read and the read-ahead's may both be outstanding;
// vep_dma_rd answers in request order, so a beat belongs to the older one (mo_q, ro_q, first_q).
// The FSM's avail.idx and ring reads wait while the read-ahead runs; neither offers a request
// while the other offers one. Window read-ahead (pre_q): while no vep_blk slot is free, the FSM
// reads the window of the next chain whose head is buffered but outside window 0, then idles. Otherwise one DMA request of the FSM at most is in flight (read
// client 0 or write client 0). A ring error strobes
// dev_err_o once, then the block does nothing until dev_reset_i. dev_reset_i forgets every index,
// the head buffer and the windows, and abandons the visit: a read in flight is forgotten
// (vep_dma_rd delivers no beat of a request outstanding at the reset), a write already taken is
// waited for (vep_dma_wr gives it a wr_done, without taking more data). Without run_i no visit
// starts, and a visit that would issue its next DMA request or walk its next descriptor while
// run_i is low is abandoned (nothing is committed before the hand-off) and done again later
// from the avail.idx read.
//
// Window rule: the driver writes a chain's descriptors before it publishes the chain in
// avail.idx, so a window holds valid descriptors only for chains at avail positions before the
// avail index this block knew when it issued the window read (waidx). A chain at a later
// position (its descriptors may have been rewritten since) misses and reads again. Windows hold
// bytes of the table only: nothing in them is checked until a chain walks it.
//
// Re-check (chk_q, beyond docs/datapath.md): when a hand-off uses up the entries known from the
// last avail.idx read, the queue gets work without a doorbell: avail.idx is read again (and, with
// EVENT_IDX and nothing new, avail_event written and avail.idx read once more). Without it the
// queue stalls under EVENT_IDX: the driver notifies only when its new index passes avail_event,
// which this block writes only when it finds the ring empty, so entries published while it
// consumed the earlier ones would never be fetched.
//
// Checks of a descriptor, in this order. INDIRECT: feature, nested, NEXT, length. Direct: zero
// length, readable after writable, too many segments, byte total; then, with NEXT, next index
// range and loop (a NEXT out of the size-th descriptor of the ring, or of the last entry of a
// table).
// C twin: cmodel/vep_vq_fetch.c.
`default_nettype none

module vep_vq_fetch #(
  parameter int unsigned NUM_QUEUES     = 4,    // virtqueues, 1..64
  parameter int unsigned QUEUE_SIZE_MAX = 256,  // largest queue_size: power of two, 1..32768
  parameter int unsigned BLK_SEG_MAX    = 64    // virtio-blk seg_max: SEG_SLOTS = this + 2
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,

  // ---- Device state ----
  input  logic                     dev_reset_i,       // strobe: virtio device reset
  input  logic                     run_i,             // DRIVER_OK and not DEVICE_NEEDS_RESET
  input  logic                     feat_indirect_i,   // VIRTIO_F_INDIRECT_DESC negotiated
  input  logic                     feat_event_idx_i,  // VIRTIO_F_EVENT_IDX negotiated

  // ---- Per-queue registers from vep_common_cfg, queue q in [W*q +: W] ----
  input  logic [NUM_QUEUES-1:0]    q_enable_i,
  input  logic [NUM_QUEUES*16-1:0] q_size_i,
  input  logic [NUM_QUEUES*64-1:0] q_desc_i,
  input  logic [NUM_QUEUES*64-1:0] q_avail_i,
  input  logic [NUM_QUEUES*64-1:0] q_used_i,

  // ---- Doorbells (vep_notify) ----
  input  logic [NUM_QUEUES-1:0]    doorbell_i,
  output logic [NUM_QUEUES-1:0]    doorbell_clr_o,    // strobe: a ring on the same edge wins

  // ---- DMA read client 0 ----
  output logic                     rdq_valid_o,
  input  logic                     rdq_ready_i,
  output logic [63:0]              rdq_addr_o,
  output logic [12:0]              rdq_len_o,
  input  logic                     rdr_valid_i,       // a beat of this client's response
  input  logic [63:0]              rdr_data_i,
  input  logic [2:0]               rdr_lo_i,
  input  logic [3:0]               rdr_n_i,
  input  logic                     rdr_last_i,
  input  logic                     rdr_err_i,

  // ---- DMA write client 0 (avail_event only) ----
  output logic                     wrq_valid_o,
  input  logic                     wrq_ready_i,
  output logic [63:0]              wrq_addr_o,
  output logic [12:0]              wrq_len_o,
  output logic                     wrd_valid_o,
  input  logic                     wrd_ready_i,
  output logic [63:0]              wrd_data_o,
  output logic [2:0]               wrd_lo_o,
  output logic [3:0]               wrd_n_o,
  input  logic                     wr_done_i,
  input  logic                     wr_err_i,

  // ---- Chain hand-off to vep_blk ----
  input  logic                     slot_free_i,       // slot_id_i is free (held until handed over)
  input  logic [7:0]               slot_id_i,
  output logic                     seg_we_o,          // strobe: write seg_wdata_o at seg_waddr_o
  output logic [$clog2(vep_pkg::VEP_BLK_SLOTS * (BLK_SEG_MAX + vep_pkg::VEP_SEG_EXTRA))-1:0]
                                   seg_waddr_o,       // slot*SEG_SLOTS + n
  output vep_pkg::seg_t            seg_wdata_o,
  output logic                     chain_valid_o,
  input  logic                     chain_ready_i,
  output vep_pkg::chain_t          chain_o,

  // ---- Events ----
  output logic                     dev_err_o,         // strobe: a ring error
  output logic [7:0]               dev_err_code_o,    // VEP_ERR_* with dev_err_o, else 0
  output logic                     idle_o             // no request outstanding, no chain
);

  localparam int unsigned SegSlots = BLK_SEG_MAX + vep_pkg::VEP_SEG_EXTRA;
  localparam int unsigned SegAddrW = $clog2(vep_pkg::VEP_BLK_SLOTS * SegSlots);
  localparam logic [7:0]  SegSlots8 = 8'(SegSlots);
  localparam logic [15:0] FNext     = 16'(vep_pkg::VEP_VRING_DESC_F_NEXT);
  localparam logic [15:0] FWrite    = 16'(vep_pkg::VEP_VRING_DESC_F_WRITE);
  localparam logic [15:0] FIndirect = 16'(vep_pkg::VEP_VRING_DESC_F_INDIRECT);
  // Head buffer: ring entries read in one request (64 B). Window: descriptors per table window
  // (1 KiB, two 512 B MRds at MRRS 512); two windows (descriptor table, indirect table) of one
  // 128-bit-wide memory.
  localparam int unsigned Heads = 32;
  localparam int unsigned Win   = 64;
  localparam logic [6:0]  Heads7 = 7'(Heads);
  // Read-ahead states; it starts when the head buffer's queue has at most RaLow entries known
  // (avail.idx read, at most once per RaStep hand-offs) or buffered (ring read).
  localparam logic [2:0]  RaIdle    = 3'd0;
  localparam logic [2:0]  RaIdxReq  = 3'd1;
  localparam logic [2:0]  RaIdxRsp  = 3'd2;
  localparam logic [2:0]  RaRingReq = 3'd3;
  localparam logic [2:0]  RaRingRsp = 3'd4;
  localparam logic [15:0] RaLow     = 16'd16;
  localparam logic [15:0] RaStep    = 16'd8;

  if (NUM_QUEUES < 1 || NUM_QUEUES > 64) begin : gen_check_num_queues
    $error("vep_vq_fetch: NUM_QUEUES must be 1..64");
  end
  if (QUEUE_SIZE_MAX < 1 || QUEUE_SIZE_MAX > 32768 ||
      (QUEUE_SIZE_MAX & (QUEUE_SIZE_MAX - 1)) != 0) begin : gen_check_qsize
    $error("vep_vq_fetch: QUEUE_SIZE_MAX must be a power of two, 1..32768");
  end
  if (BLK_SEG_MAX < 1 || SegSlots > 255) begin : gen_check_seg_max
    $error("vep_vq_fetch: BLK_SEG_MAX must be 1..253 (chain_t.nseg is 8 bits)");
  end

  // ---- Registers ----
  vep_pkg::fetch_state_e    st_q, st_d;
  logic [NUM_QUEUES*16-1:0] last_avail_q, last_avail_d;  // per queue: next avail entry to take
  logic [NUM_QUEUES*16-1:0] avail_idx_q, avail_idx_d;    // per queue: driver's avail.idx, as read
  logic [NUM_QUEUES-1:0]    chk_q, chk_d;                // per queue: shadow used up, re-read idx
  logic [5:0]               rr_q, rr_d;                  // queue visited last
  logic [5:0]               qn_q, qn_d;                  // queue of this visit
  logic [15:0]              size_q, size_d;              //   its queue_size
  logic [63:0]              desc_q, desc_d;              //   its descriptor area
  logic [63:0]              avail_q, avail_d;            //   its driver area
  logic [63:0]              used_q, used_d;              //   its device area
  logic                     second_q, second_d;          // avail_event written in this visit
  logic [63:0]              addr_q, addr_d;              // the DMA request: address
  logic [12:0]              len_q, len_d;                //   and length
  logic [15:0]              wdata_q, wdata_d;            // avail_event value (the data beat)
  logic [191:0]             buf_q, buf_d;                // response bytes, assembled
  logic [4:0]               bcnt_q, bcnt_d;              //   how many (0..23)
  logic [7:0]               slot_q, slot_d;              // the vep_blk slot of this chain
  logic [15:0]              head_q, head_d;              // the chain's head index
  logic [63:0]              base_q, base_d;              // table walked: q_desc or indirect table
  logic [31:0]              max_q, max_d;                //   its entries
  logic                     ind_q, ind_d;                //   it is an indirect table
  logic [31:0]              didx_q, didx_d;              //   the descriptor to walk next
  logic [15:0]              vis_q, vis_d;                // descriptors read in this table
  logic [7:0]               nseg_q, nseg_d;              // segments written
  logic [7:0]               nr_q, nr_d;                  //   readable ones
  logic                     seen_w_q, seen_w_d;          //   a writable one already
  logic [31:0]              rbytes_q, rbytes_d;
  logic [31:0]              wbytes_q, wbytes_d;
  // head buffer: ring entries of queue hq_q at avail positions hstart_q .. hstart_q + hcnt_q - 1,
  // the entry of position p in slot p mod Heads
  logic [Heads*16-1:0]      hb_q, hb_d;
  logic [5:0]               hq_q, hq_d;
  logic [15:0]              hstart_q, hstart_d;
  logic [6:0]               hcnt_q, hcnt_d;
  logic [7:0]               boff_q, boff_d;              // bytes of the read received
  logic [7:0]               hskip_q, hskip_d;            //   of them before the first entry
  logic [4:0]               hfill_q, hfill_d;            //   the first entry's slot
  logic [6:0]               hreq_q, hreq_d;              // entries read with avail.idx (0: none)
  // windows (index 0: descriptor table, 1: indirect table): table entries wfirst .. + wcnt - 1
  // of the table at wbase, read for queue wq when its avail index was waidx; wv: read complete
  logic [1:0]               wv_q, wv_d;
  logic [2*6-1:0]           wq_q, wq_d;
  logic [2*64-1:0]          wbase_q, wbase_d;
  logic [2*32-1:0]          wfirst_q, wfirst_d;
  logic [2*7-1:0]           wcnt_q, wcnt_d;
  logic [2*16-1:0]          waidx_q, waidx_d;
  logic [127:0]             dram_q;                      // descriptor memory read register
  // read-ahead of the head buffer's queue (avail.idx, then ring entries into free slots) while
  // chains are walked; responses come in request order: mo/ro say who has a read outstanding,
  // first_q whose is older when both have
  logic [2:0]               ra_st_q, ra_st_d;
  logic [5:0]               ra_q_q, ra_q_d;              // its queue
  logic [63:0]              ra_addr_q, ra_addr_d;
  logic [12:0]              ra_len_q, ra_len_d;
  logic [6:0]               ra_m_q, ra_m_d;              // ring entries it reads
  logic [15:0]              ra_buf_q, ra_buf_d;          // avail.idx bytes
  logic [1:0]               ra_bcnt_q, ra_bcnt_d;
  logic                     ra_vld_q, ra_vld_d;          // ra_last_q holds a value
  logic [15:0]              ra_last_q, ra_last_d;        // last_avail at its last idx read
  logic                     mo_q, mo_d;                  // the FSM's read outstanding
  logic                     ro_q, ro_d;                  // the read-ahead's read outstanding
  logic                     first_q, first_d;            // both: the read-ahead's is older
  logic                     pre_q, pre_d;                // window read ahead of the walk
  logic                     place_q, place_d;            // FetchDescReq, 1st cycle: no address yet
  logic                     seg_we_q, seg_we_d;
  logic [SegAddrW-1:0]      seg_waddr_q, seg_waddr_d;
  vep_pkg::seg_t            seg_wdata_q, seg_wdata_d;
  logic [NUM_QUEUES-1:0]    db_clr_q, db_clr_d;
  logic                     dev_err_q, dev_err_d;
  logic [7:0]               err_code_q, err_code_d;

  logic ra_req;  // the read-ahead offers its request
  assign ra_req = (ra_st_q == RaIdxReq) || (ra_st_q == RaRingReq);

  // ---- Descriptor memory: one write port, registered read (dram_q); a RAM, not reset ----
  logic [127:0] dmem [2*Win];  // plain vectors: Yosys infers a memory
  logic         ram_we, ram_re;
  logic [6:0]   ram_wa, ram_ra;
  logic [127:0] ram_wd;
  always_ff @(posedge clk_i) begin
    if (ram_we) dmem[ram_wa] <= ram_wd;
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      dram_q <= '0;
    end else if (ram_re) begin
      dram_q <= dmem[ram_ra];
    end
  end

  // ---- Outputs: functions of the registers only ----
  assign doorbell_clr_o = db_clr_q;
  assign rdq_valid_o    = (st_q == vep_pkg::FetchIdxReq) || (st_q == vep_pkg::FetchRingReq) ||
                          (st_q == vep_pkg::FetchDescReq && !place_q) || ra_req;
  assign rdq_addr_o     = ra_req ? ra_addr_q : addr_q;
  assign rdq_len_o      = ra_req ? ra_len_q : len_q;
  assign wrq_valid_o    = (st_q == vep_pkg::FetchEvtReq);
  assign wrq_addr_o     = addr_q;
  assign wrq_len_o      = len_q;
  assign wrd_valid_o    = (st_q == vep_pkg::FetchEvtData);
  assign wrd_data_o     = {48'd0, wdata_q};
  assign wrd_lo_o       = 3'd0;
  assign wrd_n_o        = 4'd2;
  assign seg_we_o       = seg_we_q;
  assign seg_waddr_o    = seg_waddr_q;
  assign seg_wdata_o    = seg_wdata_q;
  assign chain_valid_o  = (st_q == vep_pkg::FetchChain);
  assign chain_o        = {slot_q, qn_q, head_q, nseg_q, nr_q, rbytes_q, wbytes_q};
  assign dev_err_o      = dev_err_q;
  assign dev_err_code_o = dev_err_q ? err_code_q : 8'd0;
  assign idle_o         = ((st_q == vep_pkg::FetchIdle) || (st_q == vep_pkg::FetchHalt)) &&
                          (ra_st_q == RaIdle) && !mo_q && !ro_q && !dev_err_q;

  // ---- Queue choice: round robin after rr_q over the queues with work ----
  // A queue with entries known to be pending needs a free slot; one with only a doorbell or a
  // re-check does not (its visit reads avail.idx first).
  logic [NUM_QUEUES-1:0] pend, elig;
  logic                  pick_ok;
  logic [5:0]            pick;
  always_comb begin
    for (int i = 0; i < NUM_QUEUES; i++) begin
      pend[i] = avail_idx_q[16*i +: 16] != last_avail_q[16*i +: 16];
      // An avail.idx read waits for the read-ahead to finish (one reader of the index).
      elig[i] = q_enable_i[i] && (pend[i] ? slot_free_i :
                                  ((doorbell_i[i] || chk_q[i]) && ra_st_q == RaIdle));
    end
    // The first queue after rr_q with work, else the first one from 0 (rr_q included).
    pick_ok = 1'b0;
    pick    = '0;
    for (int i = 0; i < NUM_QUEUES; i++) begin
      if (!pick_ok && elig[i] && i > 32'(rr_q)) begin
        pick_ok = 1'b1;
        pick    = 6'(i);
      end
    end
    for (int i = 0; i < NUM_QUEUES; i++) begin
      if (!pick_ok && elig[i]) begin
        pick_ok = 1'b1;
        pick    = 6'(i);
      end
    end
  end

  // The picked queue's registers and indices, and the current queue's last_avail and avail
  // index (one-hot selects over constant slices).
  logic [15:0] p_size, p_last, p_aidx, cur_last, cur_aidx;
  logic        cur_en;
  logic [63:0] p_desc, p_avail, p_used;
  always_comb begin
    p_size   = '0;
    p_last   = '0;
    p_aidx   = '0;
    p_desc   = '0;
    p_avail  = '0;
    p_used   = '0;
    cur_last = '0;
    cur_aidx = '0;
    cur_en   = 1'b0;
    for (int i = 0; i < NUM_QUEUES; i++) begin
      if (32'(pick) == i) begin
        p_size  = q_size_i[16*i +: 16];
        p_last  = last_avail_q[16*i +: 16];
        p_aidx  = avail_idx_q[16*i +: 16];
        p_desc  = q_desc_i[64*i +: 64];
        p_avail = q_avail_i[64*i +: 64];
        p_used  = q_used_i[64*i +: 64];
      end
      if (32'(qn_q) == i) begin
        cur_last = last_avail_q[16*i +: 16];
        cur_aidx = avail_idx_q[16*i +: 16];
        cur_en   = q_enable_i[i];
      end
    end
  end

  // The read-ahead's queue (the head buffer's when it starts, its own while it runs).
  logic [5:0]  r_sel;
  logic        r_en;
  logic [15:0] r_size, r_last, r_aidx;
  logic [63:0] r_avail;
  always_comb begin
    r_sel   = (ra_st_q == RaIdle) ? hq_q : ra_q_q;
    r_en    = 1'b0;
    r_size  = '0;
    r_last  = '0;
    r_aidx  = '0;
    r_avail = '0;
    for (int i = 0; i < NUM_QUEUES; i++) begin
      if (32'(r_sel) == i) begin
        r_en    = q_enable_i[i];
        r_size  = q_size_i[16*i +: 16];
        r_last  = last_avail_q[16*i +: 16];
        r_aidx  = avail_idx_q[16*i +: 16];
        r_avail = q_avail_i[64*i +: 64];
      end
    end
  end

  // Whose read a response beat belongs to: the older one's while both have one outstanding.
  logic to_main, to_ra, m_rv, r_rv;
  assign to_main = mo_q && (!ro_q || !first_q);
  assign to_ra   = ro_q && (!mo_q || first_q);
  assign m_rv    = rdr_valid_i && to_main;
  assign r_rv    = rdr_valid_i && to_ra;

  // ---- Response bytes: this beat's window appended to the assembled bytes ----
  logic [63:0]  win;
  logic [191:0] nb;
  logic [4:0]   nb_cnt;
  always_comb begin
    win    = rdr_data_i >> {rdr_lo_i, 3'b000};
    win    = (rdr_n_i >= 4'd8) ? win : (win & ((64'd1 << {rdr_n_i[2:0], 3'b000}) - 64'd1));
    nb     = buf_q | ({128'd0, win} << {bcnt_q, 3'b000});
    nb_cnt = bcnt_q + 5'(rdr_n_i);
  end
  logic [15:0] idx_v;  // avail.idx, on the last beat of its read
  assign idx_v = (bcnt_q >= 5'd2) ? buf_q[15:0] : nb[15:0];

  // ---- The head buffer: the entry of the current position ----
  logic [15:0] hoff;
  logic        hhit;
  logic [15:0] hval;
  logic        nhit;   // the next position's entry is in the buffer too
  logic [15:0] nval;
  logic [16:0] hroom;  // ring entries from last_avail to the ring's end
  logic [16:0] hwant;  // entries the avail index says are available
  logic [6:0]  hn;     // entries to read
  always_comb begin
    hoff  = cur_last - hstart_q;
    hhit  = (hq_q == qn_q) && (hoff < {9'd0, hcnt_q});
    hval  = hb_q[16*cur_last[4:0] +: 16];
    // The next chain's head says which way a window should reach (win_place). hoff + 1 < hcnt
    // as hoff < hcnt - 1: no adder after the subtract.
    nhit  = (hq_q == qn_q) && (hcnt_q != 7'd0) && (hoff < {9'd0, hcnt_q - 7'd1});
    nval  = hb_q[16*(cur_last[4:0] + 5'd1) +: 16];
    hroom = {1'b0, size_q} - {1'b0, cur_last & (size_q - 16'd1)};
    hwant = {1'b0, cur_aidx - cur_last};
    hn    = Heads7;
    if (hwant < 17'(Heads)) hn = hwant[6:0];
    if (hroom < 17'(hn)) hn = hroom[6:0];
  end

  // ---- avail.idx read: with the ring entries from last_avail when they follow it closely ----
  // avail.idx (q_avail + 2) and ring[k ..] (q_avail + 4 + 2k) are one contiguous range when k,
  // last_avail's ring slot, is small: read idx, ring[0 .. k-1] (skipped) and up to Heads entries
  // from slot k (not across the ring's end) in one request; those before the index it returns
  // are valid (the driver publishes entries before the index).
  logic [6:0]  ix_n, ix_pn;      // entries (0: avail.idx alone): current and picked queue
  logic [7:0]  ix_skip, ix_pskip;
  logic [12:0] ix_len, ix_plen;
  always_comb begin
    logic [15:0] k, pk;
    logic [16:0] room, proom;
    k       = cur_last & (size_q - 16'd1);
    room    = {1'b0, size_q} - {1'b0, k};
    ix_n    = '0;
    if (k < 16'(Heads)) ix_n = (room < 17'(Heads)) ? room[6:0] : Heads7;
    ix_skip = 8'd2 + {2'd0, k[4:0], 1'b0};
    ix_len  = (ix_n == 7'd0) ? 13'd2 : 13'(ix_skip) + {5'd0, ix_n, 1'b0};
    pk      = p_last & (p_size - 16'd1);
    proom   = {1'b0, p_size} - {1'b0, pk};
    ix_pn   = '0;
    if (pk < 16'(Heads)) ix_pn = (proom < 17'(Heads)) ? proom[6:0] : Heads7;
    ix_pskip = 8'd2 + {2'd0, pk[4:0], 1'b0};
    ix_plen  = (ix_pn == 7'd0) ? 13'd2 : 13'(ix_pskip) + {5'd0, ix_pn, 1'b0};
  end

  // This beat's bytes placed in the head buffer: byte i of the buffer is byte
  // (i - 2*hfill_q) mod 2*Heads of the entries read, stream byte hskip_q + that; the beat holds
  // stream bytes boff_q .. boff_q + rdr_n_i - 1. Slots outside the read's entries are not
  // touched (their stream bytes are past its end).
  logic [Heads*16-1:0] hb_w;
  always_comb begin
    logic [5:0] e;
    logic [7:0] sp;
    hb_w = hb_q;
    for (int i = 0; i < 2 * Heads; i++) begin
      e  = 6'(i) - {hfill_q, 1'b0};
      sp = {2'd0, e} + hskip_q - boff_q;
      if (sp < {4'd0, rdr_n_i}) hb_w[8*i +: 8] = win[8*sp[2:0] +: 8];
    end
  end

  // Where a window read for descriptor e starts and how many entries it takes ({first, n}): at
  // most Win, at most `want` (4 per chain known to be available), inside the table [0, max).
  // Forward from e as a rule; `back` when the next chain's head lies below e, as a driver that
  // puts freed chains at the front of its free list hands them out (descending chain by chain
  // once completions come in order): the window then keeps 24 entries (4 when it is under 32)
  // from e on and reaches down over the chains that follow. e is always inside the window.
  // `back` comes from the head buffer (a subtract and a compare): both placements are formed
  // from e, want and max alone and `back` only picks one, so its path and the placement's
  // arithmetic are side by side, not in series (docs/synth.md, logic levels).
  function automatic logic [38:0] win_place(logic [31:0] e, logic [17:0] want,
                                            logic [31:0] max, logic back);
    logic [6:0]  kw, kf, kb;
    logic [32:0] room;
    logic [31:0] b, sb, mk;
    kw = 7'(Win);
    if (want < 18'(Win)) kw = want[6:0];
    // Forward: up to the table's end from e.
    room = {1'b0, max} - {1'b0, e};
    kf   = kw;
    if (room < 33'(kw)) kf = room[6:0];
    // Back: the whole table is room; st + kb > max is st > max - kb, as kb <= max.
    kb = kw;
    if ({1'b0, max} < 33'(kw)) kb = max[6:0];
    b  = (kb >= 7'd32) ? 32'(kb) - 32'd24 : (kb > 7'd4) ? 32'(kb) - 32'd4 : 32'd0;
    sb = e - ((e < b) ? e : b);
    mk = max - 32'(kb);
    if (sb > mk) sb = mk;
    win_place = back ? {sb, kb} : {e, kf};
  endfunction

  // ---- The window of the table walked: is descriptor didx_q in it? ----
  logic        w_v;
  logic [5:0]  w_qn;
  logic [63:0] w_base;
  logic [31:0] w_first;
  logic [6:0]  w_cnt;
  logic [15:0] w_aidx;
  logic [31:0] w_off;
  logic        w_hit;
  logic [17:0] w_want;  // 4 per chain known to be available
  logic [31:0] w_start; // first entry to read on a miss
  logic [6:0]  w_n;     // entries to read on a miss
  always_comb begin
    w_v     = wv_q[ind_q];
    w_qn    = wq_q[6*ind_q +: 6];
    w_base  = wbase_q[64*ind_q +: 64];
    w_first = wfirst_q[32*ind_q +: 32];
    w_cnt   = wcnt_q[7*ind_q +: 7];
    w_aidx  = waidx_q[16*ind_q +: 16];
    w_off   = didx_q - w_first;
    // The window's descriptors were written before waidx was published: valid only for chains
    // before it (at most size positions back).
    w_hit   = w_v && (w_qn == qn_q) && (w_base == base_q) && (w_off < {25'd0, w_cnt}) &&
              ((w_aidx - cur_last - 16'd1) < size_q);
    // A window sized for the chains known to be available (4 descriptors each, a header, a
    // buffer and a status byte with room to spare), so that a lone request does not wait for
    // 1 KiB of completions; never past the table's end.
    w_want  = {cur_aidx - cur_last, 2'b00};
    {w_start, w_n} = win_place(didx_q, w_want, max_q,
                               !ind_q && nhit && ({16'd0, nval} < didx_q));
  end

  // ---- Window read-ahead: waiting for a slot, the next chain's head outside window 0 ----
  // The FSM idles while vep_blk has no free slot; if the next chain of the current queue has its
  // head in the head buffer but not in the descriptor table's window, the window read it will
  // need is done now (the walk then starts from the memory when a slot frees).
  logic        pf_go;
  logic [31:0] pf_start;
  logic [6:0]  pf_n;
  logic [31:0] pf_off;
  always_comb begin
    pf_off  = {16'd0, hval} - wfirst_q[31:0];
    {pf_start, pf_n} = win_place({16'd0, hval}, {cur_aidx - cur_last, 2'b00},
                                 {16'd0, size_q}, nhit && (nval < hval));
    pf_go   = run_i && !slot_free_i && (hq_q == qn_q) && cur_en &&
              (cur_aidx != cur_last) && hhit && (hval < size_q) && !ra_req &&
              !(wv_q[0] && (wq_q[5:0] == qn_q) && (wbase_q[63:0] == desc_q) &&
                (pf_off < {25'd0, wcnt_q[6:0]}) &&
                ((waidx_q[15:0] - cur_last - 16'd1) < size_q));
  end

  // The descriptor read from the memory: addr u64, len u32, flags u16, next u16.
  logic [63:0] d_addr;
  logic [31:0] d_len;
  logic [15:0] d_flags, d_next;
  logic        d_w, d_next_on;
  logic [32:0] d_sum;   // the chain's readable or writable total with this buffer
  assign d_addr  = dram_q[63:0];
  assign d_len   = dram_q[95:64];
  assign d_flags = dram_q[111:96];
  assign d_next  = dram_q[127:112];
  assign d_w     = (d_flags & FWrite) != 16'd0;
  assign d_next_on = (d_flags & FNext) != 16'd0;
  assign d_sum   = {1'b0, d_w ? wbytes_q : rbytes_q} + {1'b0, d_len};

  // ---- When the read-ahead starts ----
  // Only while the FSM walks chains or waits for a slot (no request of its own offered or
  // outstanding), for the head buffer's queue while it has entries known to be available.
  logic [15:0] r_hend, r_have, r_beyond, r_slot;
  logic [16:0] r_room;
  logic [6:0]  r_m;
  logic        r_in, ra_ok, ra_go_ring, ra_go_idx;
  always_comb begin
    r_hend   = hstart_q + {9'd0, hcnt_q};
    r_in     = (r_last - hstart_q) <= {9'd0, hcnt_q};
    r_have   = r_hend - r_last;
    r_beyond = r_aidx - r_hend;
    r_slot   = r_hend & (r_size - 16'd1);
    r_room   = {1'b0, r_size} - {1'b0, r_slot};
    r_m      = Heads7 - r_have[6:0];
    if (r_beyond < 16'(r_m)) r_m = r_beyond[6:0];
    if (r_room < 17'(r_m)) r_m = r_room[6:0];
    ra_ok      = run_i && !dev_reset_i && r_en && !mo_q && (ra_st_q == RaIdle) &&
                 (r_aidx != r_last) && r_in;
    ra_go_ring = ra_ok && (r_have <= RaLow) && (r_beyond != 16'd0) && (r_beyond <= r_size);
    ra_go_idx  = ra_ok && ((r_aidx - r_last) <= RaLow) && ((r_aidx - r_last) >= 16'd2) &&
                 (!ra_vld_q || (ra_q_q != hq_q) || ((r_last - ra_last_q) >= RaStep));
  end

  // The read-ahead's avail.idx bytes with this beat's.
  logic [15:0] r_nb;
  logic [1:0]  r_ncnt;
  always_comb begin
    r_nb   = ra_buf_q | 16'(win[15:0] << {ra_bcnt_q, 3'b000});
    r_ncnt = ((5'(ra_bcnt_q) + 5'(rdr_n_i)) > 5'd2) ? 2'd2 : 2'(5'(ra_bcnt_q) + 5'(rdr_n_i));
  end

  // ---- Next state ----
  logic       main_take, ra_take, walking, walking_next;
  logic       err;
  logic [7:0] err_code;
  always_comb begin
    st_d         = st_q;
    last_avail_d = last_avail_q;
    avail_idx_d  = avail_idx_q;
    chk_d        = chk_q;
    rr_d         = rr_q;
    qn_d         = qn_q;
    size_d       = size_q;
    desc_d       = desc_q;
    avail_d      = avail_q;
    used_d       = used_q;
    second_d     = second_q;
    addr_d       = addr_q;
    len_d        = len_q;
    wdata_d      = wdata_q;
    buf_d        = buf_q;
    bcnt_d       = bcnt_q;
    slot_d       = slot_q;
    head_d       = head_q;
    base_d       = base_q;
    max_d        = max_q;
    ind_d        = ind_q;
    didx_d       = didx_q;
    vis_d        = vis_q;
    nseg_d       = nseg_q;
    nr_d         = nr_q;
    seen_w_d     = seen_w_q;
    rbytes_d     = rbytes_q;
    wbytes_d     = wbytes_q;
    hb_d         = hb_q;
    hq_d         = hq_q;
    hstart_d     = hstart_q;
    hcnt_d       = hcnt_q;
    boff_d       = boff_q;
    hskip_d      = hskip_q;
    hfill_d      = hfill_q;
    ra_st_d      = ra_st_q;
    ra_q_d       = ra_q_q;
    ra_addr_d    = ra_addr_q;
    ra_len_d     = ra_len_q;
    ra_m_d       = ra_m_q;
    ra_buf_d     = ra_buf_q;
    ra_bcnt_d    = ra_bcnt_q;
    ra_vld_d     = ra_vld_q;
    ra_last_d    = ra_last_q;
    pre_d        = pre_q;
    place_d      = 1'b0;
    hreq_d       = hreq_q;
    wv_d         = wv_q;
    wq_d         = wq_q;
    wbase_d      = wbase_q;
    wfirst_d     = wfirst_q;
    wcnt_d       = wcnt_q;
    waidx_d      = waidx_q;
    seg_we_d     = 1'b0;
    seg_waddr_d  = seg_waddr_q;
    seg_wdata_d  = seg_wdata_q;
    db_clr_d     = '0;
    dev_err_d    = 1'b0;
    err_code_d   = err_code_q;
    err          = 1'b0;
    err_code     = '0;
    ram_we       = 1'b0;
    ram_wa       = '0;
    ram_wd       = '0;
    ram_re       = 1'b0;
    ram_ra       = '0;

    unique case (st_q)
      vep_pkg::FetchIdle: begin
        if (run_i && pick_ok) begin
          qn_d     = pick;
          rr_d     = pick;
          size_d   = p_size;
          desc_d   = p_desc;
          avail_d  = p_avail;
          used_d   = p_used;
          second_d = 1'b0;
          buf_d    = '0;
          bcnt_d   = '0;
          len_d    = 13'd2;
          if (p_aidx == p_last) begin
            // avail.idx at q_avail + 2
            for (int i = 0; i < NUM_QUEUES; i++) begin
              if (32'(pick) == i) begin
                db_clr_d[i] = 1'b1;
                chk_d[i]    = 1'b0;
              end
            end
            addr_d  = p_avail + 64'd2;
            len_d   = ix_plen;
            hreq_d  = ix_pn;
            if (ix_pn != 7'd0) begin
              hq_d     = pick;
              hstart_d = p_last;
              hcnt_d   = '0;
              hskip_d  = ix_pskip;
              hfill_d  = p_last[4:0];
              boff_d   = '0;
            end
            st_d    = vep_pkg::FetchIdxReq;
          end else begin
            slot_d = slot_id_i;
            st_d   = vep_pkg::FetchHead;
          end
        end else if (pf_go) begin
          // The next chain's window, from its head (a window read as FetchLook issues it).
          base_d        = desc_q;
          max_d         = {16'd0, size_q};
          ind_d         = 1'b0;
          didx_d        = {16'd0, hval};
          wv_d[0]       = 1'b0;
          wq_d[5:0]     = qn_q;
          wbase_d[63:0] = desc_q;
          wfirst_d[31:0] = pf_start;
          wcnt_d[6:0]   = '0;
          waidx_d[15:0] = cur_aidx;
          len_d         = {2'd0, pf_n, 4'd0};
          buf_d         = '0;
          bcnt_d        = '0;
          pre_d         = 1'b1;
          place_d       = 1'b1;
          st_d          = vep_pkg::FetchDescReq;
        end
      end

      vep_pkg::FetchIdxReq: if (rdq_ready_i) st_d = vep_pkg::FetchIdxRsp;

      vep_pkg::FetchIdxRsp: begin
        if (m_rv) begin
          // The index: the first two bytes. The ring entries after it: into the head buffer.
          if (bcnt_q < 5'd2) begin
            buf_d  = nb;
            bcnt_d = nb_cnt;
          end
          if (hreq_q != 7'd0) hb_d = hb_w;
          boff_d = boff_q + 8'(rdr_n_i);
          if (rdr_last_i) begin
            buf_d  = '0;
            bcnt_d = '0;
            if (rdr_err_i) begin
              err      = 1'b1;
              err_code = 8'(vep_pkg::VEP_ERR_RING_DMA);
            end else if ((idx_v - cur_last) > size_q) begin
              err      = 1'b1;
              err_code = 8'(vep_pkg::VEP_ERR_AVAIL_JUMP);
            end else begin
              for (int i = 0; i < NUM_QUEUES; i++) begin
                if (32'(qn_q) == i) avail_idx_d[16*i +: 16] = idx_v;
              end
              // Entries at positions before the index are valid.
              if (hreq_q != 7'd0) begin
                hcnt_d = ((idx_v - cur_last) < {9'd0, hreq_q}) ? 7'(idx_v - cur_last) : hreq_q;
              end
              if (idx_v != cur_last) begin
                if (slot_free_i && run_i) begin
                  slot_d = slot_id_i;
                  st_d   = vep_pkg::FetchHead;
                end else begin
                  st_d = vep_pkg::FetchIdle;
                end
              end else if (feat_event_idx_i && !second_q && run_i) begin
                // avail_event at q_used + 4 + 8*size
                addr_d  = used_q + 64'd4 + {45'd0, size_q, 3'd0};
                len_d   = 13'd2;
                wdata_d = cur_last;
                hreq_d  = '0;
                st_d    = vep_pkg::FetchEvtReq;
              end else begin
                st_d = vep_pkg::FetchIdle;
              end
            end
          end
        end
      end

      vep_pkg::FetchEvtReq: if (wrq_ready_i) st_d = vep_pkg::FetchEvtData;
      vep_pkg::FetchEvtData: if (wrd_ready_i) st_d = vep_pkg::FetchEvtWait;

      vep_pkg::FetchEvtWait: begin
        if (wr_done_i) begin
          if (wr_err_i) begin
            err      = 1'b1;
            err_code = 8'(vep_pkg::VEP_ERR_RING_DMA);
          end else if (run_i) begin
            // avail.idx once more: the driver may have published before it saw avail_event
            second_d = 1'b1;
            addr_d   = avail_q + 64'd2;
            len_d    = ix_len;
            hreq_d   = ix_n;
            if (ix_n != 7'd0) begin
              hq_d     = qn_q;
              hstart_d = cur_last;
              hcnt_d   = '0;
              hskip_d  = ix_skip;
              hfill_d  = cur_last[4:0];
              boff_d   = '0;
            end
            st_d     = vep_pkg::FetchIdxReq;
          end else begin
            st_d = vep_pkg::FetchIdle;
          end
        end
      end

      vep_pkg::FetchHead: begin
        if (!run_i) begin
          st_d = vep_pkg::FetchIdle;
        end else if (hhit) begin
          if (hval >= size_q) begin
            err      = 1'b1;
            err_code = 8'(vep_pkg::VEP_ERR_HEAD_RANGE);
          end else begin
            head_d   = hval;
            base_d   = desc_q;
            max_d    = {16'd0, size_q};
            ind_d    = 1'b0;
            didx_d   = {16'd0, hval};
            vis_d    = 16'd1;
            nseg_d   = '0;
            nr_d     = '0;
            seen_w_d = 1'b0;
            rbytes_d = '0;
            wbytes_d = '0;
            st_d     = vep_pkg::FetchLook;
          end
        end else if (ra_st_q == RaIdle) begin
          // (While the read-ahead runs it may bring this entry: wait for it.)
          // ring[last_avail mod size ..] at q_avail + 4 + 2*(.); the size is a power of two
          addr_d   = avail_q + 64'd4 + {47'd0, cur_last & (size_q - 16'd1), 1'b0};
          len_d    = {5'd0, hn, 1'b0};
          hq_d     = qn_q;
          hstart_d = cur_last;
          hcnt_d   = '0;
          hskip_d  = '0;
          hfill_d  = cur_last[4:0];
          boff_d   = '0;
          st_d     = vep_pkg::FetchRingReq;
        end
      end

      vep_pkg::FetchRingReq: if (rdq_ready_i) st_d = vep_pkg::FetchRingRsp;

      vep_pkg::FetchRingRsp: begin
        if (m_rv) begin
          hb_d   = hb_w;
          boff_d = boff_q + 8'(rdr_n_i);
          if (rdr_last_i) begin
            if (rdr_err_i) begin
              err      = 1'b1;
              err_code = 8'(vep_pkg::VEP_ERR_RING_DMA);
            end else begin
              hcnt_d = len_q[7:1];
              st_d   = vep_pkg::FetchHead;
            end
          end
        end
      end

      vep_pkg::FetchLook: begin
        if (w_hit) begin
          ram_re = 1'b1;
          ram_ra = {ind_q, w_off[5:0]};
          st_d   = vep_pkg::FetchUse;
        end else if (run_i && !ra_req) begin
          // A window from this descriptor: inside the table, at most Win entries (after the
          // read-ahead's request, if it is offering one).
          for (int r = 0; r < 2; r++) begin
            if (32'(ind_q) == r) begin
              wv_d[r]              = 1'b0;
              wq_d[6*r +: 6]       = qn_q;
              wbase_d[64*r +: 64]  = base_q;
              wfirst_d[32*r +: 32] = w_start;
              wcnt_d[7*r +: 7]     = '0;
              waidx_d[16*r +: 16]  = cur_aidx;
            end
          end
          len_d   = {2'd0, w_n, 4'd0};
          buf_d   = '0;
          bcnt_d  = '0;
          place_d = 1'b1;
          st_d    = vep_pkg::FetchDescReq;
        end else if (!run_i) begin
          st_d = vep_pkg::FetchIdle;
        end
      end

      vep_pkg::FetchDescReq: begin
        if (place_q) begin
          // The placement was registered (wfirst) on entry: the address is formed from it here,
          // a cycle before the request is offered, so that the window placement and this 64-bit
          // add are not one combinational path.
          addr_d = base_q + {28'd0, w_first, 4'd0};
        end else if (rdq_ready_i) begin
          st_d = vep_pkg::FetchDescRsp;
        end
      end

      vep_pkg::FetchDescRsp: begin
        if (m_rv) begin
          buf_d  = nb;
          bcnt_d = nb_cnt;
          if (nb_cnt >= 5'd16) begin
            // A whole descriptor: into the window, the rest kept.
            ram_we = 1'b1;
            ram_wa = {ind_q, w_cnt[5:0]};
            ram_wd = nb[127:0];
            buf_d  = {128'd0, nb[191:128]};
            bcnt_d = nb_cnt - 5'd16;
            for (int r = 0; r < 2; r++) begin
              if (32'(ind_q) == r) wcnt_d[7*r +: 7] = w_cnt + 7'd1;
            end
          end
          if (rdr_last_i) begin
            buf_d  = '0;
            bcnt_d = '0;
            if (rdr_err_i) begin
              err      = 1'b1;
              err_code = 8'(vep_pkg::VEP_ERR_RING_DMA);
            end else begin
              for (int r = 0; r < 2; r++) begin
                if (32'(ind_q) == r) wv_d[r] = 1'b1;
              end
              // A window read ahead of the walk: back to waiting for a slot.
              st_d  = pre_q ? vep_pkg::FetchIdle : vep_pkg::FetchLook;
              pre_d = 1'b0;
            end
          end
        end
      end

      vep_pkg::FetchUse: begin
        if ((d_flags & FIndirect) != 16'd0) begin
          // The table's own WRITE flag is ignored (virtio 1.0, 2.4.5.3.2).
          err = 1'b1;
          if (!feat_indirect_i) begin
            err_code = 8'(vep_pkg::VEP_ERR_INDIRECT_FEATURE);
          end else if (ind_q) begin
            err_code = 8'(vep_pkg::VEP_ERR_INDIRECT_NESTED);
          end else if (d_next_on) begin
            err_code = 8'(vep_pkg::VEP_ERR_INDIRECT_NEXT);
          end else if (d_len == 32'd0 || d_len[3:0] != 4'd0) begin
            err_code = 8'(vep_pkg::VEP_ERR_INDIRECT_LEN);
          end else begin
            err    = 1'b0;
            base_d = d_addr;
            max_d  = {4'd0, d_len[31:4]};
            ind_d  = 1'b1;
            didx_d = '0;
            vis_d  = 16'd1;
            st_d   = run_i ? vep_pkg::FetchLook : vep_pkg::FetchIdle;
          end
        end else begin
          err = 1'b1;
          if (d_len == 32'd0) begin
            err_code = 8'(vep_pkg::VEP_ERR_ZERO_LEN);
          end else if (!d_w && seen_w_q) begin
            err_code = 8'(vep_pkg::VEP_ERR_READ_AFTER_WRITE);
          end else if (nseg_q == SegSlots8) begin
            err_code = 8'(vep_pkg::VEP_ERR_TOO_MANY_SEGS);
          end else if (d_sum[32]) begin
            err_code = 8'(vep_pkg::VEP_ERR_CHAIN_BYTES);
          end else if (d_next_on && {16'd0, d_next} >= max_q) begin
            err_code = 8'(vep_pkg::VEP_ERR_NEXT_RANGE);
          end else if (d_next_on && {16'd0, vis_q} >= max_q) begin
            err_code = 8'(vep_pkg::VEP_ERR_CHAIN_LOOP);
          end else begin
            err         = 1'b0;
            seg_we_d    = 1'b1;
            seg_waddr_d = SegAddrW'(32'(slot_q) * SegSlots + 32'(nseg_q));
            seg_wdata_d = {d_addr, d_len, d_w};  // seg_t {addr, len, write}
            nseg_d      = nseg_q + 8'd1;
            seen_w_d    = seen_w_q || d_w;
            if (d_w) begin
              wbytes_d = d_sum[31:0];
            end else begin
              rbytes_d = d_sum[31:0];
              nr_d     = nr_q + 8'd1;
            end
            if (d_next_on) begin
              vis_d  = vis_q + 16'd1;
              didx_d = {16'd0, d_next};
              st_d   = run_i ? vep_pkg::FetchLook : vep_pkg::FetchIdle;
            end else begin
              st_d = vep_pkg::FetchChain;
            end
          end
        end
      end

      vep_pkg::FetchChain: begin
        if (chain_ready_i) begin
          for (int i = 0; i < NUM_QUEUES; i++) begin
            if (32'(qn_q) == i) begin
              last_avail_d[16*i +: 16] = cur_last + 16'd1;
              // The last entry known: look at avail.idx again without waiting for a doorbell.
              // With EVENT_IDX the driver notifies only when it passes avail_event, which is
              // written only when the ring is found empty, so the device must look by itself.
              chk_d[i] = chk_q[i] || (cur_last + 16'd1 == avail_idx_q[16*i +: 16]);
            end
          end
          st_d = vep_pkg::FetchIdle;
        end
      end

      vep_pkg::FetchHalt: st_d = vep_pkg::FetchHalt;

      vep_pkg::FetchDrain: if (wr_done_i) st_d = vep_pkg::FetchIdle;

      default: st_d = vep_pkg::FetchIdle;
    endcase

    // ---- The read-ahead ----
    walking = (st_q == vep_pkg::FetchIdle) || (st_q == vep_pkg::FetchHead) ||
              (st_q == vep_pkg::FetchLook) || (st_q == vep_pkg::FetchUse) ||
              (st_q == vep_pkg::FetchChain);
    walking_next = (st_d == vep_pkg::FetchIdle) || (st_d == vep_pkg::FetchHead) ||
                   (st_d == vep_pkg::FetchLook) || (st_d == vep_pkg::FetchUse) ||
                   (st_d == vep_pkg::FetchChain);
    unique case (ra_st_q)
      RaIdle: begin
        if (ra_go_ring && walking && walking_next && !err) begin
          // Ring entries after the buffered ones, into the slots already consumed.
          ra_st_d   = RaRingReq;
          ra_q_d    = hq_q;
          ra_addr_d = r_avail + 64'd4 + {47'd0, r_slot, 1'b0};
          ra_len_d  = {5'd0, r_m, 1'b0};
          ra_m_d    = r_m;
          hstart_d  = r_last;
          hcnt_d    = r_have[6:0];
          hfill_d   = r_hend[4:0];
          hskip_d   = '0;
          boff_d    = '0;
        end else if (ra_go_idx && walking && walking_next && !err) begin
          ra_st_d   = RaIdxReq;
          ra_q_d    = hq_q;
          ra_addr_d = r_avail + 64'd2;
          ra_len_d  = 13'd2;
          ra_vld_d  = 1'b1;
          ra_last_d = r_last;
          ra_buf_d  = '0;
          ra_bcnt_d = '0;
        end
      end
      RaIdxReq: if (rdq_ready_i) ra_st_d = RaIdxRsp;
      RaRingReq: if (rdq_ready_i) ra_st_d = RaRingRsp;
      RaIdxRsp: begin
        if (r_rv) begin
          ra_buf_d  = r_nb;
          ra_bcnt_d = r_ncnt;
          if (rdr_last_i) begin
            ra_st_d = RaIdle;
            // After a ring error the response is only waited for.
            if (st_q != vep_pkg::FetchHalt && !err) begin
              if (rdr_err_i) begin
                err      = 1'b1;
                err_code = 8'(vep_pkg::VEP_ERR_RING_DMA);
              end else if ((r_nb - r_last) > r_size) begin
                err      = 1'b1;
                err_code = 8'(vep_pkg::VEP_ERR_AVAIL_JUMP);
              end else if ((r_nb - r_last) > (r_aidx - r_last)) begin
                for (int i = 0; i < NUM_QUEUES; i++) begin
                  if (32'(ra_q_q) == i) avail_idx_d[16*i +: 16] = r_nb;
                end
              end
            end
          end
        end
      end
      RaRingRsp: begin
        if (r_rv) begin
          if (st_q != vep_pkg::FetchHalt) hb_d = hb_w;
          boff_d = boff_q + 8'(rdr_n_i);
          if (rdr_last_i) begin
            ra_st_d = RaIdle;
            if (st_q != vep_pkg::FetchHalt && !err) begin
              if (rdr_err_i) begin
                err      = 1'b1;
                err_code = 8'(vep_pkg::VEP_ERR_RING_DMA);
              end else begin
                hcnt_d = hcnt_q + ra_m_q;
              end
            end
          end
        end
      end
      default: ra_st_d = RaIdle;
    endcase

    // Outstanding reads, in request order.
    main_take = rdq_ready_i && ((st_q == vep_pkg::FetchIdxReq) ||
                (st_q == vep_pkg::FetchRingReq) || (st_q == vep_pkg::FetchDescReq && !place_q));
    ra_take   = rdq_ready_i && ra_req;
    mo_d      = (mo_q && !(m_rv && rdr_last_i)) || main_take;
    ro_d      = (ro_q && !(r_rv && rdr_last_i)) || ra_take;
    first_d   = (mo_d && ro_d) ? (main_take ? 1'b1 : (ra_take ? 1'b0 : first_q)) : ro_d;

    // A visit that ends while run_i is low (abandoned before its next request or descriptor) is
    // done again from the avail.idx read: it may have cleared the doorbell and not yet written
    // avail_event.
    if (!run_i && st_d == vep_pkg::FetchIdle &&
        (st_q == vep_pkg::FetchIdxRsp || st_q == vep_pkg::FetchEvtWait ||
         st_q == vep_pkg::FetchHead || st_q == vep_pkg::FetchLook ||
         st_q == vep_pkg::FetchUse)) begin
      for (int i = 0; i < NUM_QUEUES; i++) begin
        if (32'(qn_q) == i) chk_d[i] = 1'b1;
      end
    end

    if (err) begin
      st_d       = vep_pkg::FetchHalt;
      dev_err_d  = 1'b1;
      err_code_d = err_code;
    end

    if (dev_reset_i) begin
      // Forget every index, the head buffer, the windows and the error. A read in flight is
      // forgotten (no beat of it comes); a write taken on or before this edge still ends with a
      // wr_done: wait for it.
      last_avail_d = '0;
      avail_idx_d  = '0;
      chk_d        = '0;
      hcnt_d       = '0;
      wv_d         = '0;
      seg_we_d     = 1'b0;
      db_clr_d     = '0;
      dev_err_d    = 1'b0;
      err_code_d   = '0;
      buf_d        = '0;
      bcnt_d       = '0;
      ram_we       = 1'b0;
      ra_st_d      = RaIdle;
      ra_vld_d     = 1'b0;
      mo_d         = 1'b0;
      ro_d         = 1'b0;
      first_d      = 1'b0;
      pre_d        = 1'b0;
      place_d      = 1'b0;
      if ((st_q == vep_pkg::FetchEvtReq && wrq_ready_i) || st_q == vep_pkg::FetchEvtData ||
          ((st_q == vep_pkg::FetchEvtWait || st_q == vep_pkg::FetchDrain) && !wr_done_i)) begin
        st_d = vep_pkg::FetchDrain;
      end else begin
        st_d = vep_pkg::FetchIdle;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q         <= vep_pkg::FetchIdle;
      last_avail_q <= '0;
      avail_idx_q  <= '0;
      chk_q        <= '0;
      rr_q         <= 6'(NUM_QUEUES - 1);
      qn_q         <= '0;
      size_q       <= '0;
      desc_q       <= '0;
      avail_q      <= '0;
      used_q       <= '0;
      second_q     <= 1'b0;
      addr_q       <= '0;
      len_q        <= '0;
      wdata_q      <= '0;
      buf_q        <= '0;
      bcnt_q       <= '0;
      slot_q       <= '0;
      head_q       <= '0;
      base_q       <= '0;
      max_q        <= '0;
      ind_q        <= 1'b0;
      didx_q       <= '0;
      vis_q        <= '0;
      nseg_q       <= '0;
      nr_q         <= '0;
      seen_w_q     <= 1'b0;
      rbytes_q     <= '0;
      wbytes_q     <= '0;
      hb_q         <= '0;
      hq_q         <= '0;
      hstart_q     <= '0;
      hcnt_q       <= '0;
      boff_q       <= '0;
      hskip_q      <= '0;
      hfill_q      <= '0;
      ra_st_q      <= RaIdle;
      ra_q_q       <= '0;
      ra_addr_q    <= '0;
      ra_len_q     <= '0;
      ra_m_q       <= '0;
      ra_buf_q     <= '0;
      ra_bcnt_q    <= '0;
      ra_vld_q     <= 1'b0;
      ra_last_q    <= '0;
      mo_q         <= 1'b0;
      ro_q         <= 1'b0;
      first_q      <= 1'b0;
      pre_q        <= 1'b0;
      place_q      <= 1'b0;
      hreq_q       <= '0;
      wv_q         <= '0;
      wq_q         <= '0;
      wbase_q      <= '0;
      wfirst_q     <= '0;
      wcnt_q       <= '0;
      waidx_q      <= '0;
      seg_we_q     <= 1'b0;
      seg_waddr_q  <= '0;
      seg_wdata_q  <= '0;
      db_clr_q     <= '0;
      dev_err_q    <= 1'b0;
      err_code_q   <= '0;
    end else begin
      st_q         <= st_d;
      last_avail_q <= last_avail_d;
      avail_idx_q  <= avail_idx_d;
      chk_q        <= chk_d;
      rr_q         <= rr_d;
      qn_q         <= qn_d;
      size_q       <= size_d;
      desc_q       <= desc_d;
      avail_q      <= avail_d;
      used_q       <= used_d;
      second_q     <= second_d;
      addr_q       <= addr_d;
      len_q        <= len_d;
      wdata_q      <= wdata_d;
      buf_q        <= buf_d;
      bcnt_q       <= bcnt_d;
      slot_q       <= slot_d;
      head_q       <= head_d;
      base_q       <= base_d;
      max_q        <= max_d;
      ind_q        <= ind_d;
      didx_q       <= didx_d;
      vis_q        <= vis_d;
      nseg_q       <= nseg_d;
      nr_q         <= nr_d;
      seen_w_q     <= seen_w_d;
      rbytes_q     <= rbytes_d;
      wbytes_q     <= wbytes_d;
      hb_q         <= hb_d;
      hq_q         <= hq_d;
      hstart_q     <= hstart_d;
      hcnt_q       <= hcnt_d;
      boff_q       <= boff_d;
      hskip_q      <= hskip_d;
      hfill_q      <= hfill_d;
      ra_st_q      <= ra_st_d;
      ra_q_q       <= ra_q_d;
      ra_addr_q    <= ra_addr_d;
      ra_len_q     <= ra_len_d;
      ra_m_q       <= ra_m_d;
      ra_buf_q     <= ra_buf_d;
      ra_bcnt_q    <= ra_bcnt_d;
      ra_vld_q     <= ra_vld_d;
      ra_last_q    <= ra_last_d;
      mo_q         <= mo_d;
      ro_q         <= ro_d;
      first_q      <= first_d;
      pre_q        <= pre_d;
      place_q      <= place_d;
      hreq_q       <= hreq_d;
      wv_q         <= wv_d;
      wq_q         <= wq_d;
      wbase_q      <= wbase_d;
      wfirst_q     <= wfirst_d;
      wcnt_q       <= wcnt_d;
      waidx_q      <= waidx_d;
      seg_we_q     <= seg_we_d;
      seg_waddr_q  <= seg_waddr_d;
      seg_wdata_q  <= seg_wdata_d;
      db_clr_q     <= db_clr_d;
      dev_err_q    <= dev_err_d;
      err_code_q   <= err_code_d;
    end
  end

endmodule

`default_nettype wire
