// SPDX-License-Identifier: Apache-2.0
// vep_msix: the MSI-X table (BAR0 region 4) and Pending Bit Array (region 5) (docs/registers.md).
// Interrupt events (configuration change, queue q) set the pending bit of their vector. While MSI-X is enabled, the function is unmasked and Bus
// Master is on, the lowest-numbered pending vector whose entry is unmasked is offered to
// vep_tx_arbiter as a one-DW MWr of the entry's data to the entry's address; its pending bit
// clears on the handshake. The offer is withdrawn (the bit stays pending) as soon as the message
// may no longer be sent, and the MWr is always built from the entry as it is in the table now.
// The virtio device reset clears every pending bit and withdraws an offered message (no
// notification of an event from before the reset may leave); the table keeps its contents.
// C twin: cmodel/vep_msix.c.
`default_nettype none

module vep_msix #(
  parameter int unsigned MSIX_VECTORS = 8,  // table entries, 1..64
  parameter int unsigned NUM_QUEUES   = 4   // virtqueues, 1..64: one interrupt event each
) (
  input  logic                clk_i,
  input  logic                rst_ni,

  // ---- Register bus from vep_completer ----
  input  logic                reg_req_i,
  input  logic                reg_space_i,
  input  logic                reg_we_i,
  input  logic [14:0]         reg_addr_i,
  input  logic [3:0]          reg_be_i,
  input  logic [31:0]         reg_wdata_i,
  output logic [31:0]         msix_rdata_o,

  // ---- Configuration from vep_cfg_space and vep_completer ----
  input  logic                msix_en_i,        // MSI-X Enable
  input  logic                msix_fmask_i,     // MSI-X Function Mask
  input  logic                bus_master_i,     // Command.Bus Master Enable
  input  logic [15:0]         completer_id_i,   // Requester ID of the messages

  // ---- Interrupt events from vep_common_cfg ----
  input  logic                cfg_irq_i,        // strobe: configuration change
  input  logic [15:0]         config_vector_i,  // its vector (msix_config)
  input  logic                dev_reset_i,      // strobe: virtio device reset

  // ---- Queue interrupt events from vep_vq_used, vectors from vep_common_cfg ----
  input  logic [NUM_QUEUES-1:0]    q_irq_i,     // strobe per queue: used-buffer notification
  input  logic [NUM_QUEUES*16-1:0] q_vector_i,  // queue q's queue_msix_vector in [16q +: 16]

  // ---- Messages to vep_tx_arbiter ----
  output logic                msg_valid_o,
  input  logic                msg_ready_i,
  output vep_pkg::small_tlp_t msg_tlp_o
);

  if (MSIX_VECTORS < 1 || MSIX_VECTORS > 64) begin : gen_check_msix_vectors
    $error("vep_msix: MSIX_VECTORS must be 1..64");
  end
  if (NUM_QUEUES < 1 || NUM_QUEUES > 64) begin : gen_check_num_queues
    $error("vep_msix: NUM_QUEUES must be 1..64");
  end

  localparam logic [2:0] RegionTable = 3'(vep_pkg::VEP_BAR_MSIX_TABLE_OFF >> 12);
  localparam logic [2:0] RegionPba   = 3'(vep_pkg::VEP_BAR_MSIX_PBA_OFF >> 12);

  // ---- Registers; table entry v in bits [32*v +: 32] ----
  logic [MSIX_VECTORS*32-1:0] tbl_addr_lo_q, tbl_addr_lo_d;    // Message Address, [1:0] = 0
  logic [MSIX_VECTORS*32-1:0] tbl_addr_hi_q, tbl_addr_hi_d;    // Message Upper Address
  logic [MSIX_VECTORS*32-1:0] tbl_data_q, tbl_data_d;          // Message Data
  logic [MSIX_VECTORS-1:0]    tbl_mask_q, tbl_mask_d;          // Vector Control mask bits
  logic [MSIX_VECTORS-1:0]    pending_q, pending_d;            // the PBA
  logic                       msg_valid_q, msg_valid_d;
  logic [5:0]                 msg_vector_q, msg_vector_d;      // the vector offered on msg_*
  logic [15:0]                completer_id_q, completer_id_d;  // Requester ID of the messages
  logic [31:0]                msix_rdata_q, msix_rdata_d;

  // ---- Outputs: functions of the registers only ----
  assign msix_rdata_o = msix_rdata_q;
  assign msg_valid_o  = msg_valid_q;
  // msg_tlp_o: built from msg_vector_q, the table and completer_id_q (below).

  // ---- Register-bus decode ----
  // The entry index is decoded once into a one-hot select; every per-entry access below is a
  // loop over the entries with constant slices (a variable part-select with a 32-bit index
  // synthesizes into wide shifters).
  localparam int unsigned EIdxW = (MSIX_VECTORS > 1) ? $clog2(MSIX_VECTORS) : 1;

  logic                    hit_table;
  logic                    hit_pba;
  logic [7:0]              entry;     // table entry addressed
  logic                    entry_ok;  // the table has it
  logic [EIdxW-1:0]        eidx;      // its index (meaningful only when entry_ok)
  logic [MSIX_VECTORS-1:0] esel;      // one-hot: bit v set when entry_ok and entry == v
  logic [63:0]             pending64;
  logic [31:0]             rdata;
  logic [31:0]             wval;      // the addressed table DW with the written bytes replaced

  assign hit_table = reg_req_i && reg_space_i && (reg_addr_i[14:12] == RegionTable);
  assign hit_pba   = reg_req_i && reg_space_i && (reg_addr_i[14:12] == RegionPba);
  assign entry     = reg_addr_i[11:4];
  assign entry_ok  = 32'(entry) < MSIX_VECTORS;
  assign eidx      = entry[EIdxW-1:0];
  assign pending64 = 64'(pending_q);
  always_comb begin
    for (int v = 0; v < MSIX_VECTORS; v++) begin
      esel[v] = entry_ok && (32'(eidx) == v);
    end
  end

  // The addressed entry: an OR of the entries masked by the select.
  logic [31:0] sel_lo, sel_hi, sel_data;
  logic        sel_mask;
  always_comb begin
    sel_lo   = '0;
    sel_hi   = '0;
    sel_data = '0;
    for (int v = 0; v < MSIX_VECTORS; v++) begin
      sel_lo   = sel_lo   | ({32{esel[v]}} & tbl_addr_lo_q[32*v +: 32]);
      sel_hi   = sel_hi   | ({32{esel[v]}} & tbl_addr_hi_q[32*v +: 32]);
      sel_data = sel_data | ({32{esel[v]}} & tbl_data_q[32*v +: 32]);
    end
  end
  assign sel_mask = |(tbl_mask_q & esel);

  always_comb begin
    rdata = 32'd0;
    if (hit_pba) begin
      if (reg_addr_i[11:2] == 10'd0) rdata = pending64[31:0];
      else if (reg_addr_i[11:2] == 10'd1) rdata = pending64[63:32];
    end else if (entry_ok) begin
      unique case (reg_addr_i[3:2])
        2'd0:    rdata = sel_lo;
        2'd1:    rdata = sel_hi;
        2'd2:    rdata = sel_data;
        default: rdata = {31'd0, sel_mask};
      endcase
    end
  end
  assign wval = vep_pkg::merge32(rdata, reg_wdata_i, reg_be_i);

  // ---- Table writes (the PBA is read-only) ----
  always_comb begin
    tbl_addr_lo_d = tbl_addr_lo_q;
    tbl_addr_hi_d = tbl_addr_hi_q;
    tbl_data_d    = tbl_data_q;
    tbl_mask_d    = tbl_mask_q;
    for (int v = 0; v < MSIX_VECTORS; v++) begin
      if (hit_table && reg_we_i && esel[v]) begin
        unique case (reg_addr_i[3:2])
          2'd0:    tbl_addr_lo_d[32*v +: 32] = {wval[31:2], 2'b00};
          2'd1:    tbl_addr_hi_d[32*v +: 32] = wval;
          2'd2:    tbl_data_d[32*v +: 32] = wval;
          default: tbl_mask_d[v] = wval[0];
        endcase
      end
    end
  end

  // ---- Message choice: the lowest pending vector whose entry is unmasked ----
  // The mask bits are taken as this cycle's write leaves them (tbl_mask_d), so that no message is
  // offered, or stays offered, in a cycle in which its entry is masked.
  logic                    cand_found;
  logic [5:0]              cand;
  always_comb begin
    cand_found = 1'b0;
    cand       = 6'd0;
    for (int v = 0; v < MSIX_VECTORS; v++) begin
      if (!cand_found && pending_q[v] && !tbl_mask_d[v]) begin
        cand_found = 1'b1;
        cand       = 6'(v);
      end
    end
  end

  // ---- The message offered: the MWr of vector msg_vector_q, built from its table entry as it is
  // now (a rewrite of the entry while it is offered changes the message; it is taken whole, in
  // the handshake cycle). One DW of Message Data to the Message Address; TC 0, attr 0 (no Relaxed
  // Ordering: the message must not pass the writes before it), tag 0, 3DW header below 4 GiB.
  logic [MSIX_VECTORS-1:0] msg_oh;  // one-hot of msg_vector_q
  logic [31:0]             msg_lo, msg_hi, msg_data;
  always_comb begin
    msg_lo   = '0;
    msg_hi   = '0;
    msg_data = '0;
    for (int v = 0; v < MSIX_VECTORS; v++) begin
      msg_oh[v] = (32'(msg_vector_q) == v);
      msg_lo    = msg_lo   | ({32{msg_oh[v]}} & tbl_addr_lo_q[32*v +: 32]);
      msg_hi    = msg_hi   | ({32{msg_oh[v]}} & tbl_addr_hi_q[32*v +: 32]);
      msg_data  = msg_data | ({32{msg_oh[v]}} & tbl_data_q[32*v +: 32]);
    end
  end
  always_comb begin
    msg_tlp_o             = '0;
    msg_tlp_o.hdr         = vep_pkg::mem_req_hdr(1'b1, {msg_hi, msg_lo}, 13'd4, completer_id_q,
                                                 8'd0);
    msg_tlp_o.hdr_4dw     = (msg_hi != 32'd0);
    msg_tlp_o.data_dw     = 2'd1;
    msg_tlp_o.data[31:0]  = msg_data;
  end

  // ---- Next state: pending bits and the offer ----
  logic send_ok;    // MSI-X may send at all: enabled, function unmasked, Bus Master on
  logic handshake;  // the offered message is taken on this edge
  always_comb begin
    pending_d      = pending_q;
    msg_valid_d    = msg_valid_q;
    msg_vector_d   = msg_vector_q;
    completer_id_d = completer_id_i;
    msix_rdata_d   = ((hit_table || hit_pba) && !reg_we_i) ? rdata : 32'd0;
    send_ok        = msix_en_i && !msix_fmask_i && bus_master_i;
    handshake      = msg_valid_q && msg_ready_i;

    if (handshake) begin
      pending_d   = pending_q & ~msg_oh;
      msg_valid_d = 1'b0;
    end else if (msg_valid_q && !(send_ok && (msg_oh & ~tbl_mask_d) != '0)) begin
      // May no longer be sent: withdrawn, still pending; offered again (lowest first) once it may.
      msg_valid_d = 1'b0;
    end
    // An event on the handshake edge is a new one: it needs its own message.
    // A queue whose vector is NO_VECTOR or beyond the table sets nothing. Like the configuration
    // event, a queue event while MSI-X is disabled leaves no pending bit (it goes to the ISR).
    for (int v = 0; v < MSIX_VECTORS; v++) begin
      if (cfg_irq_i && msix_en_i && 32'(config_vector_i) == v) pending_d[v] = 1'b1;
      for (int i = 0; i < NUM_QUEUES; i++) begin
        if (q_irq_i[i] && msix_en_i && 32'(q_vector_i[16*i +: 16]) == v) pending_d[v] = 1'b1;
      end
    end

    if (dev_reset_i) begin
      // The virtio device reset: no notification of an event from before it may leave. Every
      // pending bit clears and an offered message is withdrawn (an event on this edge too,
      // though vep_common_cfg never raises one with the reset).
      pending_d   = '0;
      msg_valid_d = 1'b0;
    end else if (!msg_valid_q && send_ok && cand_found) begin
      msg_valid_d  = 1'b1;
      msg_vector_d = cand;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      tbl_addr_lo_q  <= '0;
      tbl_addr_hi_q  <= '0;
      tbl_data_q     <= '0;
      tbl_mask_q     <= '1;  // every entry starts masked
      pending_q      <= '0;
      msg_valid_q    <= 1'b0;
      msg_vector_q   <= '0;
      completer_id_q <= '0;
      msix_rdata_q   <= '0;
    end else begin
      tbl_addr_lo_q  <= tbl_addr_lo_d;
      tbl_addr_hi_q  <= tbl_addr_hi_d;
      tbl_data_q     <= tbl_data_d;
      tbl_mask_q     <= tbl_mask_d;
      pending_q      <= pending_d;
      msg_valid_q    <= msg_valid_d;
      msg_vector_q   <= msg_vector_d;
      completer_id_q <= completer_id_d;
      msix_rdata_q   <= msix_rdata_d;
    end
  end

  // reg_addr_i[1:0] are 0.
  logic unused_addr;
  assign unused_addr = ^reg_addr_i[1:0];

endmodule

`default_nettype wire
