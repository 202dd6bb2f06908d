// SPDX-License-Identifier: Apache-2.0
// vep_vq_used: the used ring and the used-buffer notifications (docs/datapath.md). Dones from
// vep_blk go into a queue of VEP_BLK_SLOTS entries, taken whenever there is room (also while a
// batch is in flight), so vep_blk frees its slots at once. A batch is the run of queued dones at
// the head that belong to one virtqueue (dones of different queues: different batches, in the
// order they came). For a batch of k elements from used index old: the elements {id = head, len}
// are written as consecutive 8-byte slots at q_used + 4 + 8*(old mod size) in ONE write through
// DMA write client 1 (two writes when the batch crosses the ring's end: the second at q_used + 4),
// each waited for (wr_done), then ONE used index write (old + k, 2 bytes at q_used + 2), waited
// for (the index is then ahead of any TLP sent later: the suppression read and the MSI-X
// message), then ONE read of the suppression field is issued through DMA read client 1
// (EVENT_IDX: used_event at q_avail + 4 + 2*size; else avail.flags). The next batch does not wait
// for its answer: up to RtDepth reads are in flight, answered in request order, and each answer
// makes the one interrupt decision of its batch (EVENT_IDX: vring_need_event(used_event, old + k,
// old); else unless NO_INTERRUPT): q_irq_o[q]. A batch starts when a done is queued and no read
// is in flight, or, with reads in flight, once BatchMin dones are queued (fewer, bigger batches).
// A DMA error is a device error (VEP_ERR_USED_DMA): the queue is emptied, no message follows,
// and dones are still taken (so vep_blk frees its slots) but dropped until dev_reset_i.
// dev_reset_i forgets every index, the queued dones and the reads in flight; a write already
// issued is completed on the DMA side (its data sent, its wr_done awaited) and swallowed.
// C twin: cmodel/vep_vq_used.c.
`default_nettype none

module vep_vq_used #(
  parameter int unsigned NUM_QUEUES = 4  // virtqueues, 1..64
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,

  // ---- Device state ----
  input  logic                     dev_reset_i,       // strobe: virtio device reset
  input  logic                     run_i,             // device_status has DRIVER_OK
  input  logic                     feat_event_idx_i,  // VIRTIO_F_EVENT_IDX negotiated

  // ---- Per-queue registers from vep_common_cfg, queue q in [W*q +: W] ----
  input  logic [NUM_QUEUES*16-1:0] q_size_i,
  input  logic [NUM_QUEUES*64-1:0] q_avail_i,
  input  logic [NUM_QUEUES*64-1:0] q_used_i,

  // ---- Finished requests from vep_blk ----
  input  logic                     done_valid_i,
  output logic                     done_ready_o,
  input  vep_pkg::done_t           done_i,

  // ---- DMA read client 1 ----
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

  // ---- DMA write client 1 ----
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

  // ---- Events ----
  output logic [NUM_QUEUES-1:0]    q_irq_o,           // strobe: queue q's used-buffer notification
  output logic                     dev_err_o,         // strobe: a DMA error on a used-ring access
  output logic [7:0]               dev_err_code_o,    // VEP_ERR_USED_DMA with dev_err_o
  output logic                     idle_o             // nothing in flight, no strobe pending
);

  if (NUM_QUEUES < 1 || NUM_QUEUES > 64) begin : gen_check_num_queues
    $error("vep_vq_used: NUM_QUEUES must be 1..64");
  end

  localparam logic [7:0]  ErrUsedDma  = 8'(vep_pkg::VEP_ERR_USED_DMA);
  localparam logic [15:0] NoInterrupt = 16'(vep_pkg::VEP_VRING_AVAIL_F_NO_INTERRUPT);
  // The done queue: as deep as vep_blk has slots, so vep_blk never waits for it.
  localparam int unsigned Depth = vep_pkg::VEP_BLK_SLOTS;
  localparam int unsigned PtrW  = $clog2(Depth);
  localparam int unsigned CntW  = PtrW + 1;
  // Suppression reads in flight at once (vep_dma_rd answers them in request order).
  localparam int unsigned RtDepth = 4;
  localparam int unsigned RtPtrW  = $clog2(RtDepth);
  localparam int unsigned RtCntW  = RtPtrW + 1;
  // Fixed at 4 (half of the 8 slots the queue had when it was sized): a fixed count keeps the
  // batches as short as they were when vep_blk got more slots.
  localparam int unsigned BatchMin = 4;

  if (Depth < 2 || (Depth & (Depth - 1)) != 0) begin : gen_check_depth
    $error("vep_vq_used: VEP_BLK_SLOTS must be a power of two >= 2");
  end

  // ---- Registers ----
  vep_pkg::used_state_e     st_q, st_d;
  logic                     discard_q, discard_d;        // the request in flight predates a reset
  logic                     err_q, err_d;                // a DMA error: used rings frozen
  logic [NUM_QUEUES*16-1:0] used_idx_q, used_idx_d;      // per queue: the next used index
  logic [Depth*6-1:0]       fq_qn_q, fq_qn_d;            // queued dones: queue,
  logic [Depth*16-1:0]      fq_head_q, fq_head_d;        //   head,
  logic [Depth*32-1:0]      fq_len_q, fq_len_d;          //   len
  logic [PtrW-1:0]          fq_rd_q, fq_rd_d;            // the oldest queued done
  logic [PtrW-1:0]          fq_wr_q, fq_wr_d;            // where the next done goes
  logic [CntW-1:0]          fq_n_q, fq_n_d;              // dones queued
  logic [5:0]               qn_q, qn_d;                  // the batch's queue
  logic [15:0]              old_idx_q, old_idx_d;        // its used index before the batch
  logic [15:0]              new_idx_q, new_idx_d;        //   and after it
  logic [CntW-1:0]          bn_q, bn_d;                  // elements left in the current write
  logic [CntW-1:0]          rest_q, rest_d;              // elements of the write after the wrap
  logic [15:0]              size_q, size_d;              // its queue_size
  logic [63:0]              avail_q, avail_d;            // its driver area
  logic [63:0]              used_q, used_d;              // its device area
  logic                     evt_q, evt_d;                // EVENT_IDX, as at the batch's start
  logic [63:0]              addr_q, addr_d;              // the DMA request: address
  logic [12:0]              len_q, len_d;                //   and length
  logic [63:0]              wdata_q, wdata_d;            // the data beat of a write (lo = 0)
  logic [3:0]               wn_q, wn_d;                  //   its byte count
  logic [RtDepth*6-1:0]     rt_qn_q, rt_qn_d;            // suppression reads in flight: queue,
  logic [RtDepth*16-1:0]    rt_old_q, rt_old_d;          //   used index before its batch,
  logic [RtDepth*16-1:0]    rt_new_q, rt_new_d;          //   and after it,
  logic [RtDepth-1:0]       rt_evt_q, rt_evt_d;          //   EVENT_IDX (used_event, not flags)
  logic [RtPtrW-1:0]        rt_rd_q, rt_rd_d;            // the oldest read in flight
  logic [RtPtrW-1:0]        rt_wr_q, rt_wr_d;            // where the next read goes
  logic [RtCntW-1:0]        rt_n_q, rt_n_d;              // reads in flight
  logic [15:0]              sup_q, sup_d;                // the oldest read's field, assembled
  logic [1:0]               sup_n_q, sup_n_d;            //   bytes of it received
  logic [NUM_QUEUES-1:0]    q_irq_q, q_irq_d;
  logic                     dev_err_q, dev_err_d;

  // ---- Outputs: functions of the registers only ----
  assign done_ready_o   = (fq_n_q != CntW'(Depth));
  assign rdq_valid_o    = (st_q == vep_pkg::UsedEvtReq);
  assign rdq_addr_o     = addr_q;
  assign rdq_len_o      = len_q;
  assign wrq_valid_o    = (st_q == vep_pkg::UsedElemReq) || (st_q == vep_pkg::UsedIdxReq);
  assign wrq_addr_o     = addr_q;
  assign wrq_len_o      = len_q;
  assign wrd_valid_o    = (st_q == vep_pkg::UsedElemData) || (st_q == vep_pkg::UsedIdxData);
  assign wrd_data_o     = wdata_q;
  assign wrd_lo_o       = 3'd0;
  assign wrd_n_o        = wn_q;
  assign q_irq_o        = q_irq_q;
  assign dev_err_o      = dev_err_q;
  assign dev_err_code_o = dev_err_q ? ErrUsedDma : 8'd0;
  assign idle_o         = (st_q == vep_pkg::UsedIdle) && (fq_n_q == '0) && (rt_n_q == '0) &&
                          (q_irq_q == '0) && !dev_err_q;

  // ---- The head done and the batch: the run of queued dones of the head's queue ----
  // Entries are read and written with one-hot selects and constant slices (a variable slice
  // index synthesizes into a shifter over the whole queue).
  logic [5:0]      hd_qn;
  logic [63:0]     hd_elem;  // the head's used element {id = head, len}
  logic [63:0]     nx_elem;  // the next one's, the data beat after the head's
  logic [PtrW-1:0] nx_ptr;
  logic [Depth-1:0] same_queue;  // entry i holds a done of the head's queue
  logic [Depth-1:0] in_run;  // the entry at distance j from the head, of the head's queue
  logic [Depth-1:0] run_in;  // bit j: the entry j places after the head is queued, same queue
  logic [Depth-1:0] run_ok;  // bit j: the entries 0..j after the head are all in the run
  logic [CntW-1:0] run_n;
  assign nx_ptr = fq_rd_q + PtrW'(1);
  always_comb begin
    hd_qn   = '0;
    hd_elem = '0;
    nx_elem = '0;
    for (int i = 0; i < Depth; i++) begin
      if (fq_rd_q == PtrW'(i)) begin
        hd_qn   = hd_qn | fq_qn_q[6*i +: 6];
        hd_elem = hd_elem | {fq_len_q[32*i +: 32], 16'd0, fq_head_q[16*i +: 16]};
      end
      if (nx_ptr == PtrW'(i)) begin
        nx_elem = nx_elem | {fq_len_q[32*i +: 32], 16'd0, fq_head_q[16*i +: 16]};
      end
    end
    for (int i = 0; i < Depth; i++) same_queue[i] = (fq_qn_q[6*i +: 6] == hd_qn);
    // Rotated so that bit j is the entry j places after the head.
    in_run = '0;
    for (int j = 0; j < Depth; j++) begin
      for (int i = 0; i < Depth; i++) begin
        if (PtrW'(i) == fq_rd_q + PtrW'(j)) in_run[j] = same_queue[i];
      end
    end
    run_in    = '0;
    run_in[0] = 1'b1;
    for (int j = 1; j < Depth; j++) run_in[j] = (CntW'(j) < fq_n_q) && in_run[j];
  end
  // run_n, the length of the run, is the number of bits set in the thermometer run_ok, encoded
  // from its top bit as an OR of constants: a counter here chained Depth - 1 incrementers on the
  // path to first_n (60 logic levels).
  for (genvar j = 0; j < Depth; j++) begin : gen_run_ok
    assign run_ok[j] = &run_in[j:0];
  end
  always_comb begin
    run_n = '0;
    for (int j = 0; j < Depth; j++) begin
      if (run_ok[j] && (j == Depth - 1 || !run_ok[(j + 1) % Depth])) run_n = run_n | CntW'(j + 1);
    end
  end

  // ---- The head's queue: its registers and its used index (one-hot select, constant slices) ----
  logic [NUM_QUEUES-1:0] hq_sel;
  logic [15:0]           hq_size, hq_idx;
  logic [63:0]           hq_avail, hq_used;
  always_comb begin
    hq_size  = '0;
    hq_idx   = '0;
    hq_avail = '0;
    hq_used  = '0;
    for (int i = 0; i < NUM_QUEUES; i++) begin
      hq_sel[i] = (32'(hd_qn) == i);
      hq_size   = hq_size  | ({16{hq_sel[i]}} & q_size_i[16*i +: 16]);
      hq_idx    = hq_idx   | ({16{hq_sel[i]}} & used_idx_q[16*i +: 16]);
      hq_avail  = hq_avail | ({64{hq_sel[i]}} & q_avail_i[64*i +: 64]);
      hq_used   = hq_used  | ({64{hq_sel[i]}} & q_used_i[64*i +: 64]);
    end
  end

  // The batch's first write ends at the ring's end: room slots from old mod size (size is a power
  // of two, at least 1, so room >= 1).
  logic [15:0]     hq_slot;
  logic [16:0]     hq_room;
  logic [CntW-1:0] first_n;
  assign hq_slot = hq_idx & (hq_size - 16'd1);
  assign hq_room = {1'b0, hq_size} - {1'b0, hq_slot};
  assign first_n = (17'(run_n) <= hq_room) ? run_n : CntW'(hq_room);

  // ---- Read response: the bytes of this beat appended to the suppression field ----
  logic [15:0] sup_new;
  logic [1:0]  sup_n_new;
  always_comb begin
    sup_new   = sup_q;
    sup_n_new = sup_n_q;
    for (int b = 0; b < 8; b++) begin
      if (b >= 32'(rdr_lo_i) && b < 32'(rdr_lo_i) + 32'(rdr_n_i) && sup_n_new < 2'd2) begin
        if (sup_n_new == 2'd0) sup_new[7:0] = rdr_data_i[8*b +: 8];
        else sup_new[15:8] = rdr_data_i[8*b +: 8];
        sup_n_new = sup_n_new + 2'd1;
      end
    end
  end

  // One decision per batch, when its read ends: vring_need_event(used_event, new, old) =
  // (u16)(new - used_event - 1) < (u16)(new - old), old and new the used index before and after
  // the batch; without EVENT_IDX, unless NO_INTERRUPT.
  logic [5:0]  rh_qn;
  logic [15:0] rh_old, rh_new;
  logic        rh_evt;
  logic        want_irq;
  always_comb begin
    rh_qn  = '0;
    rh_old = '0;
    rh_new = '0;
    rh_evt = 1'b0;
    for (int i = 0; i < RtDepth; i++) begin
      if (rt_rd_q == RtPtrW'(i)) begin
        rh_qn  = rh_qn | rt_qn_q[6*i +: 6];
        rh_old = rh_old | rt_old_q[16*i +: 16];
        rh_new = rh_new | rt_new_q[16*i +: 16];
        rh_evt = rh_evt | rt_evt_q[i];
      end
    end
  end
  assign want_irq = rh_evt ? ((rh_new - sup_new - 16'd1) < (rh_new - rh_old))
                           : ((sup_new & NoInterrupt) == 16'd0);

  // ---- Next state ----
  logic wr_end;   // the write request in flight ended (its wr_done)
  logic pop;      // a data beat of an element write taken: its done leaves the queue
  logic push;     // a done taken into the queue
  logic rt_push;  // a suppression read taken by vep_dma_rd
  logic rt_pop;   // the oldest suppression read ended
  always_comb begin
    st_d       = st_q;
    discard_d  = discard_q;
    err_d      = err_q;
    used_idx_d = used_idx_q;
    fq_qn_d    = fq_qn_q;
    fq_head_d  = fq_head_q;
    fq_len_d   = fq_len_q;
    fq_rd_d    = fq_rd_q;
    fq_wr_d    = fq_wr_q;
    fq_n_d     = fq_n_q;
    qn_d       = qn_q;
    old_idx_d  = old_idx_q;
    new_idx_d  = new_idx_q;
    bn_d       = bn_q;
    rest_d     = rest_q;
    size_d     = size_q;
    avail_d    = avail_q;
    used_d     = used_q;
    evt_d      = evt_q;
    addr_d     = addr_q;
    len_d      = len_q;
    wdata_d    = wdata_q;
    wn_d       = wn_q;
    rt_qn_d    = rt_qn_q;
    rt_old_d   = rt_old_q;
    rt_new_d   = rt_new_q;
    rt_evt_d   = rt_evt_q;
    rt_rd_d    = rt_rd_q;
    rt_wr_d    = rt_wr_q;
    rt_n_d     = rt_n_q;
    sup_d      = sup_q;
    sup_n_d    = sup_n_q;
    q_irq_d    = '0;
    dev_err_d  = 1'b0;
    wr_end     = 1'b0;
    pop        = 1'b0;
    rt_push    = 1'b0;
    rt_pop     = 1'b0;

    unique case (st_q)
      vep_pkg::UsedIdle: begin
        // A batch needs room for its suppression read. While reads are in flight it waits for
        // BatchMin dones (bigger batches, fewer TLPs), unless none is in flight.
        if (fq_n_q != '0 && (rt_n_q == '0 || (fq_n_q >= CntW'(BatchMin) &&
                                             rt_n_q != RtCntW'(RtDepth))) && !dev_reset_i) begin
          qn_d      = hd_qn;
          old_idx_d = hq_idx;
          new_idx_d = hq_idx + 16'(run_n);
          size_d    = hq_size;
          avail_d   = hq_avail;
          used_d    = hq_used;
          evt_d     = feat_event_idx_i;
          // The first element at q_used + 4 + 8*(old mod size), up to the ring's end.
          addr_d    = hq_used + 64'd4 + {45'd0, hq_slot, 3'd0};
          len_d     = 13'({first_n, 3'd0});
          bn_d      = first_n;
          rest_d    = run_n - first_n;
          wdata_d   = hd_elem;
          wn_d      = 4'd8;
          for (int i = 0; i < NUM_QUEUES; i++) begin
            if (hq_sel[i]) used_idx_d[16*i +: 16] = hq_idx + 16'(run_n);
          end
          st_d      = vep_pkg::UsedElemReq;
        end
      end
      vep_pkg::UsedElemReq: if (wrq_ready_i) st_d = vep_pkg::UsedElemData;
      vep_pkg::UsedElemData: begin
        if (wrd_ready_i) begin
          pop     = 1'b1;
          bn_d    = bn_q - CntW'(1);
          wdata_d = nx_elem;
          if (bn_q == CntW'(1)) st_d = vep_pkg::UsedElemWait;
        end
      end
      vep_pkg::UsedElemWait: begin
        if (wr_done_i) begin
          wr_end = 1'b1;
          if (rest_q != '0) begin
            // The rest of the batch from the ring's first slot.
            addr_d = used_q + 64'd4;
            len_d  = 13'({rest_q, 3'd0});
            bn_d   = rest_q;
            rest_d = '0;
            st_d   = vep_pkg::UsedElemReq;
          end else begin
            // The used index, 2 bytes at q_used + 2.
            addr_d  = used_q + 64'd2;
            len_d   = 13'd2;
            wdata_d = {48'd0, new_idx_q};
            wn_d    = 4'd2;
            st_d    = vep_pkg::UsedIdxReq;
          end
        end
      end
      vep_pkg::UsedIdxReq: if (wrq_ready_i) st_d = vep_pkg::UsedIdxData;
      vep_pkg::UsedIdxData: if (wrd_ready_i) st_d = vep_pkg::UsedIdxWait;
      vep_pkg::UsedIdxWait: begin
        if (wr_done_i) begin
          wr_end = 1'b1;
          // Suppression field, 2 bytes: used_event at q_avail + 4 + 2*size, or avail.flags.
          addr_d  = evt_q ? (avail_q + 64'd4 + {47'd0, size_q, 1'b0}) : avail_q;
          len_d   = 13'd2;
          st_d    = vep_pkg::UsedEvtReq;
        end
      end
      vep_pkg::UsedEvtReq: begin
        // The read taken: its answer is decided on below, while the next batch goes on.
        if (rdq_ready_i) begin
          rt_push = 1'b1;
          st_d    = vep_pkg::UsedIdle;
        end
      end
      default: st_d = vep_pkg::UsedIdle;
    endcase

    // The oldest suppression read's answer: the batch's decision once it ended. Once the rings
    // are frozen by an error, no more messages.
    if (rdr_valid_i && rt_n_q != '0) begin
      sup_d   = sup_new;
      sup_n_d = sup_n_new;
      if (rdr_last_i) begin
        rt_pop  = 1'b1;
        sup_d   = '0;
        sup_n_d = '0;
        if (rdr_err_i) begin
          if (!err_q) begin
            err_d     = 1'b1;
            dev_err_d = 1'b1;
          end
        end else if (!err_q) begin
          for (int i = 0; i < NUM_QUEUES; i++) begin
            q_irq_d[i] = want_irq && (32'(rh_qn) == i);
          end
        end
      end
    end
    for (int i = 0; i < RtDepth; i++) begin
      if (rt_push && rt_wr_q == RtPtrW'(i)) begin
        rt_qn_d[6*i +: 6]    = qn_q;
        rt_old_d[16*i +: 16] = old_idx_q;
        rt_new_d[16*i +: 16] = new_idx_q;
        rt_evt_d[i]          = evt_q;
      end
    end
    if (rt_push) rt_wr_d = rt_wr_q + RtPtrW'(1);
    if (rt_pop) rt_rd_d = rt_rd_q + RtPtrW'(1);
    rt_n_d = rt_n_q + RtCntW'(rt_push) - RtCntW'(rt_pop);

    // A write ended: an error stops the used rings (unless it belongs to the time before a reset);
    // a stale one ends here.
    if (wr_end) begin
      if (discard_q) begin
        st_d      = vep_pkg::UsedIdle;
        discard_d = 1'b0;
      end else if (wr_err_i) begin
        st_d      = vep_pkg::UsedIdle;
        err_d     = 1'b1;
        dev_err_d = 1'b1;
      end
    end

    // The queue: a done taken whenever there is room; dropped (taken, nothing written) after a
    // DMA error, without DRIVER_OK, for a queue that does not exist, or on the reset edge.
    push = done_valid_i && done_ready_o && !err_q && run_i && 32'(done_i.q) < NUM_QUEUES &&
           !dev_reset_i;
    if (pop) fq_rd_d = fq_rd_q + PtrW'(1);
    for (int i = 0; i < Depth; i++) begin
      if (push && fq_wr_q == PtrW'(i)) begin
        fq_qn_d[6*i +: 6]    = done_i.q;
        fq_head_d[16*i +: 16] = done_i.head;
        fq_len_d[32*i +: 32]  = done_i.len;
      end
    end
    if (push) fq_wr_d = fq_wr_q + PtrW'(1);
    fq_n_d = fq_n_q + CntW'(push) - CntW'(pop);
    // A new DMA error drops the queued dones (the rings are frozen).
    if (dev_err_d) begin
      fq_rd_d = '0;
      fq_wr_d = '0;
      fq_n_d  = '0;
    end

    if (dev_reset_i) begin
      // Forget every index, the queued dones and the error. A request not yet taken is
      // withdrawn. A write taken (also on this edge) still ends with its wr_done (vep_dma_wr
      // answers every request it took, without taking more data): wait for it and swallow it.
      // The reads taken are forgotten by vep_dma_rd, which delivers nothing more for them: so
      // are they here, and their batches send no message.
      used_idx_d = '0;
      err_d      = 1'b0;
      q_irq_d    = '0;
      dev_err_d  = 1'b0;
      fq_rd_d    = '0;
      fq_wr_d    = '0;
      fq_n_d     = '0;
      rt_rd_d    = '0;
      rt_wr_d    = '0;
      rt_n_d     = '0;
      sup_d      = '0;
      sup_n_d    = '0;
      unique case (st_d)
        vep_pkg::UsedElemData, vep_pkg::UsedElemWait: begin
          st_d      = vep_pkg::UsedElemWait;
          discard_d = 1'b1;
        end
        vep_pkg::UsedIdxData, vep_pkg::UsedIdxWait: begin
          st_d      = vep_pkg::UsedIdxWait;
          discard_d = 1'b1;
        end
        default: begin
          st_d      = vep_pkg::UsedIdle;
          discard_d = 1'b0;
        end
      endcase
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q       <= vep_pkg::UsedIdle;
      discard_q  <= 1'b0;
      err_q      <= 1'b0;
      used_idx_q <= '0;
      fq_qn_q    <= '0;
      fq_head_q  <= '0;
      fq_len_q   <= '0;
      fq_rd_q    <= '0;
      fq_wr_q    <= '0;
      fq_n_q     <= '0;
      qn_q       <= '0;
      old_idx_q  <= '0;
      new_idx_q  <= '0;
      bn_q       <= '0;
      rest_q     <= '0;
      size_q     <= '0;
      avail_q    <= '0;
      used_q     <= '0;
      evt_q      <= 1'b0;
      addr_q     <= '0;
      len_q      <= '0;
      wdata_q    <= '0;
      wn_q       <= '0;
      rt_qn_q    <= '0;
      rt_old_q   <= '0;
      rt_new_q   <= '0;
      rt_evt_q   <= '0;
      rt_rd_q    <= '0;
      rt_wr_q    <= '0;
      rt_n_q     <= '0;
      sup_q      <= '0;
      sup_n_q    <= '0;
      q_irq_q    <= '0;
      dev_err_q  <= 1'b0;
    end else begin
      st_q       <= st_d;
      discard_q  <= discard_d;
      err_q      <= err_d;
      used_idx_q <= used_idx_d;
      fq_qn_q    <= fq_qn_d;
      fq_head_q  <= fq_head_d;
      fq_len_q   <= fq_len_d;
      fq_rd_q    <= fq_rd_d;
      fq_wr_q    <= fq_wr_d;
      fq_n_q     <= fq_n_d;
      qn_q       <= qn_d;
      old_idx_q  <= old_idx_d;
      new_idx_q  <= new_idx_d;
      bn_q       <= bn_d;
      rest_q     <= rest_d;
      size_q     <= size_d;
      avail_q    <= avail_d;
      used_q     <= used_d;
      evt_q      <= evt_d;
      addr_q     <= addr_d;
      len_q      <= len_d;
      wdata_q    <= wdata_d;
      wn_q       <= wn_d;
      rt_qn_q    <= rt_qn_d;
      rt_old_q   <= rt_old_d;
      rt_new_q   <= rt_new_d;
      rt_evt_q   <= rt_evt_d;
      rt_rd_q    <= rt_rd_d;
      rt_wr_q    <= rt_wr_d;
      rt_n_q     <= rt_n_d;
      sup_q      <= sup_d;
      sup_n_q    <= sup_n_d;
      q_irq_q    <= q_irq_d;
      dev_err_q  <= dev_err_d;
    end
  end

endmodule

`default_nettype wire
