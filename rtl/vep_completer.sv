// SPDX-License-Identifier: Apache-2.0
// vep_completer: serves the host's requests one at a time. It decodes a request (configuration
// space, BAR0 hit, unsupported), performs its DW accesses on the register bus, translates the
// virtio_pci_cfg_cap window (pci_cfg_data) into a BAR0 access, captures the bus/device number
// from CfgWr0, builds the completion, and reports UR and CA events. C twin: cmodel/vep_completer.c.
//
// Timing: the request is decoded on the edge that takes it; the first register strobe is on the
// bus the next cycle (CplAcc0), the second one, for a 2-DW access, in the cycle after (CplAcc1);
// read data arrives the cycle after its strobe; then the completion is offered (CplTx).
`default_nettype none

module vep_completer (
  input  logic                clk_i,
  input  logic                rst_ni,

  // ---- Request from vep_rx_demux ----
  input  logic                req_valid_i,
  output logic                req_ready_o,
  input  vep_pkg::req_t       req_i,

  // ---- Register bus to the register blocks ----
  output logic                reg_req_o,
  output logic                reg_space_o,
  output logic                reg_we_o,
  output logic [14:0]         reg_addr_o,
  output logic [3:0]          reg_be_o,
  output logic [31:0]         reg_wdata_o,
  input  logic [31:0]         reg_rdata_i,   // OR of the blocks' registered read data

  // ---- Configuration-space state ----
  input  logic                cmd_mem_en_i,
  input  logic [63:15]        bar0_base_i,
  input  logic [7:0]          cfgwin_bar_i,
  input  logic [31:0]         cfgwin_offset_i,
  input  logic [31:0]         cfgwin_length_i,
  output logic [15:0]         completer_id_o,
  output logic                ev_ur_o,       // strobe: answered UR, or dropped as unsupported
  output logic                ev_ca_o,       // strobe: a CA completion was built

  // ---- Completion to vep_tx_arbiter ----
  output logic                cpl_valid_o,
  input  logic                cpl_ready_i,
  output vep_pkg::small_tlp_t cpl_tlp_o
);

  // pci_cfg_data: the config-space DW that windows onto BAR0.
  localparam logic [11:0] CfgWinAddr = 12'(vep_pkg::VEP_CAP_PCICFG_OFF + 16);
  localparam logic [16:0] Bar0Size   = 17'(vep_pkg::VEP_BAR0_SIZE);
  // An endpoint answers an unsupported locked read with a CplLk (not in the shared constants:
  // nothing else in the design uses it).
  localparam logic [7:0]  TlpCplLk   = 8'h0B;

  vep_pkg::cpl_state_e state_q, state_d;
  vep_pkg::req_t       req_q, req_d;
  logic [15:0]         completer_id_q, completer_id_d;
  logic                reg_req_q, reg_req_d;
  logic                reg_space_q, reg_space_d;
  logic                reg_we_q, reg_we_d;
  logic [14:0]         reg_addr_q, reg_addr_d;
  logic [3:0]          reg_be_q, reg_be_d;
  logic [31:0]         reg_wdata_q, reg_wdata_d;
  logic                two_dw_q, two_dw_d;      // a second DW access follows the first
  logic [1:0]          rd_shift_q, rd_shift_d;  // window reads: byte offset within the DW
  logic [3:0]          rd_bmask_q, rd_bmask_d;  // window reads: bytes kept after the shift
  logic [2:0]          status_q, status_d;
  logic [1:0]          cpl_dw_q, cpl_dw_d;      // completion payload DWs; 0 = no data
  logic [63:0]         data_q, data_d;
  logic                ev_ur_q, ev_ur_d;
  logic                ev_ca_q, ev_ca_d;

  // ---- Outputs: functions of the registers only ----
  logic        q_mem_rd;     // MRd or MRdLk: Byte Count and Lower Address from the request
  logic        q_mrdlk;
  logic        q_atomic;
  // Bit 12 is only set for 4096, which the Byte Count field encodes as 0.
  /* verilator lint_off UNUSEDSIGNAL */
  logic [12:0] q_req_bytes;  // the request's byte count, 1..4096
  /* verilator lint_on UNUSEDSIGNAL */
  logic [2:0]  q_first_off;  // offset of the first enabled byte
  logic [2:0]  q_first_lead; // disabled bytes before the first enabled byte of first_be
  logic [2:0]  q_last_trail; // disabled bytes after the last enabled byte of last_be
  logic [2:0]  q_first_last; // offset of the last enabled byte of first_be
  logic [11:0] q_byte_count;
  logic [6:0]  q_lower_addr;
  logic [7:0]  q_fmt_type;

  assign req_ready_o    = (state_q == vep_pkg::CplIdle);
  assign reg_req_o      = reg_req_q;
  assign reg_space_o    = reg_space_q;
  assign reg_we_o       = reg_we_q;
  assign reg_addr_o     = reg_addr_q;
  assign reg_be_o       = reg_be_q;
  assign reg_wdata_o    = reg_wdata_q;
  assign completer_id_o = completer_id_q;
  assign ev_ur_o        = ev_ur_q;
  assign ev_ca_o        = ev_ca_q;
  assign cpl_valid_o    = (state_q == vep_pkg::CplTx);

  always_comb begin
    // Fmt 000/001 (3DW/4DW without data) with Type 0000x: MRd and MRdLk.
    q_mem_rd = ((req_q.fmt_type & 8'hDE) == 8'h00);
    q_mrdlk  = ((req_q.fmt_type & 8'hDF) == 8'h01);
    q_atomic = req_q.fmt_type[6] && (req_q.fmt_type[4:0] == 5'b01100 ||
                                     req_q.fmt_type[4:0] == 5'b01101 ||
                                     req_q.fmt_type[4:0] == 5'b01110);

    q_first_lead = req_q.first_be[0] ? 3'd0 : req_q.first_be[1] ? 3'd1 :
                   req_q.first_be[2] ? 3'd2 : req_q.first_be[3] ? 3'd3 : 3'd4;
    q_first_last = req_q.first_be[3] ? 3'd3 : req_q.first_be[2] ? 3'd2 :
                   req_q.first_be[1] ? 3'd1 : 3'd0;
    q_last_trail = req_q.last_be[3] ? 3'd0 : req_q.last_be[2] ? 3'd1 :
                   req_q.last_be[1] ? 3'd2 : req_q.last_be[0] ? 3'd3 : 3'd4;
    q_first_off  = (q_first_lead == 3'd4) ? 3'd0 : q_first_lead;
    if (req_q.len_dw == 11'd1) begin
      // One DW: from the first to the last enabled byte; a zero-length read counts 1.
      q_req_bytes = (req_q.first_be == 4'd0) ? 13'd1 :
                    {10'd0, q_first_last - q_first_off} + 13'd1;
    end else begin
      q_req_bytes = {req_q.len_dw, 2'b00} - {10'd0, q_first_lead} - {10'd0, q_last_trail};
    end

    if (q_mem_rd) begin
      q_byte_count = q_req_bytes[11:0];   // 4096 is encoded as 0
      q_lower_addr = {req_q.addr[6:2], q_first_off[1:0]};
    end else if (q_atomic) begin
      // AtomicOp completions carry the operand size: half the payload for CAS.
      q_byte_count = (req_q.fmt_type[4:0] == 5'b01110) ? {req_q.len_dw[10:0], 1'b0} :
                                                         {req_q.len_dw[9:0], 2'b00};
      q_lower_addr = 7'd0;
    end else begin
      q_byte_count = 12'd4;
      q_lower_addr = 7'd0;
    end

    if (cpl_dw_q != 2'd0) begin
      q_fmt_type = 8'(vep_pkg::VEP_TLP_CPLD);
    end else if (q_mrdlk) begin
      q_fmt_type = TlpCplLk;
    end else begin
      q_fmt_type = 8'(vep_pkg::VEP_TLP_CPL);
    end

    cpl_tlp_o              = '0;
    cpl_tlp_o.hdr[31:0]    = {q_fmt_type, req_q.tag[9], req_q.tc, req_q.tag[8], req_q.attr[2],
                              2'b00, 2'b00, req_q.attr[1:0], 2'b00, 8'd0, cpl_dw_q};
    cpl_tlp_o.hdr[63:32]   = {completer_id_q, status_q, 1'b0, q_byte_count};
    cpl_tlp_o.hdr[95:64]   = {req_q.requester_id, req_q.tag[7:0], 1'b0, q_lower_addr};
    cpl_tlp_o.hdr_4dw      = 1'b0;
    cpl_tlp_o.data_dw      = cpl_dw_q;
    cpl_tlp_o.data         = data_q;
  end

  // ---- Next state ----
  logic        is_cfgrd0, is_cfgwr0, is_cfg0, is_mrd, is_mwr;
  logic        func0;
  logic [11:0] cfg_addr;
  logic        bar_hit;
  logic [16:0] bar_end;
  logic        win_ok;
  logic [3:0]  win_lmask;
  logic [1:0]  win_amask;
  logic [1:0]  win_shift;
  logic [3:0]  win_be;
  logic [31:0] win_wdata;
  logic        q_write, q_posted;
  logic [31:0] rd_val;

  always_comb begin
    state_d        = state_q;
    req_d          = req_q;
    completer_id_d = completer_id_q;
    reg_req_d      = 1'b0;
    reg_space_d    = reg_space_q;
    reg_we_d       = reg_we_q;
    reg_addr_d     = reg_addr_q;
    reg_be_d       = reg_be_q;
    reg_wdata_d    = reg_wdata_q;
    two_dw_d       = two_dw_q;
    rd_shift_d     = rd_shift_q;
    rd_bmask_d     = rd_bmask_q;
    status_d       = status_q;
    cpl_dw_d       = cpl_dw_q;
    data_d         = data_q;
    ev_ur_d        = 1'b0;
    ev_ca_d        = 1'b0;

    // Decode of the offered request (used in CplIdle only).
    is_cfgrd0 = (req_i.fmt_type == 8'(vep_pkg::VEP_TLP_CFGRD0));
    is_cfgwr0 = (req_i.fmt_type == 8'(vep_pkg::VEP_TLP_CFGWR0));
    is_cfg0   = is_cfgrd0 || is_cfgwr0;
    is_mrd    = (req_i.fmt_type == 8'(vep_pkg::VEP_TLP_MRD32)) ||
                (req_i.fmt_type == 8'(vep_pkg::VEP_TLP_MRD64));
    is_mwr    = (req_i.fmt_type == 8'(vep_pkg::VEP_TLP_MWR32)) ||
                (req_i.fmt_type == 8'(vep_pkg::VEP_TLP_MWR64));
    func0     = (req_i.addr[18:16] == 3'd0);
    cfg_addr  = {req_i.addr[11:2], 2'b00};
    bar_end   = {2'b00, req_i.addr[14:0]} + {4'd0, req_i.len_dw, 2'b00};
    bar_hit   = cmd_mem_en_i && (req_i.addr[63:15] == bar0_base_i) && (bar_end <= Bar0Size);

    win_lmask = (cfgwin_length_i == 32'd1) ? 4'b0001 :
                (cfgwin_length_i == 32'd2) ? 4'b0011 : 4'b1111;
    // offset must be a multiple of length: the low bits length - 1 of offset are 0.
    win_amask = (cfgwin_length_i == 32'd4) ? 2'b11 : (cfgwin_length_i == 32'd2) ? 2'b01 : 2'b00;
    win_shift = cfgwin_offset_i[1:0];
    // With offset a multiple of length (<= 4), offset < BAR0 size implies
    // offset + length <= BAR0 size.
    win_ok    = (cfgwin_bar_i == 8'd0) &&
                (cfgwin_length_i == 32'd1 || cfgwin_length_i == 32'd2 ||
                 cfgwin_length_i == 32'd4) &&
                ((cfgwin_offset_i[1:0] & win_amask) == 2'd0) &&
                (cfgwin_offset_i < 32'(vep_pkg::VEP_BAR0_SIZE));
    win_be    = (req_i.first_be & win_lmask) << win_shift;
    win_wdata = req_i.data[31:0] << {win_shift, 3'b000};

    // State of the request being served.
    q_write  = req_q.fmt_type[6];
    q_posted = ((req_q.fmt_type & 8'hDF) == 8'h40);   // MWr32 or MWr64
    rd_val   = (reg_rdata_i >> {rd_shift_q, 3'b000}) &
               {{8{rd_bmask_q[3]}}, {8{rd_bmask_q[2]}}, {8{rd_bmask_q[1]}}, {8{rd_bmask_q[0]}}};

    unique case (state_q)
      vep_pkg::CplIdle: begin
        if (req_valid_i) begin
          req_d      = req_i;
          two_dw_d   = 1'b0;
          rd_shift_d = 2'd0;
          rd_bmask_d = 4'b1111;
          status_d   = 3'(vep_pkg::VEP_CPL_SC);
          cpl_dw_d   = 2'd0;
          data_d     = '0;
          if (is_cfgwr0 && func0) begin
            completer_id_d = {req_i.addr[31:19], 3'd0};
          end

          if (is_cfg0) begin
            // Length is 1: vep_rx_demux drops configuration requests of any other Length.
            if (!func0 || (is_cfgwr0 && req_i.ep)) begin
              status_d = 3'(vep_pkg::VEP_CPL_UR);
              ev_ur_d  = 1'b1;
              state_d  = vep_pkg::CplTx;
            end else begin
              cpl_dw_d = {1'b0, is_cfgrd0};
              if (cfg_addr != CfgWinAddr) begin
                reg_req_d   = 1'b1;
                reg_space_d = 1'b0;
                reg_we_d    = is_cfgwr0;
                reg_addr_d  = {3'd0, cfg_addr};
                reg_be_d    = req_i.first_be;
                reg_wdata_d = req_i.data[31:0];
                state_d     = vep_pkg::CplAcc0;
              end else if (win_ok) begin
                reg_req_d   = 1'b1;
                reg_space_d = 1'b1;
                reg_we_d    = is_cfgwr0;
                reg_addr_d  = {cfgwin_offset_i[14:2], 2'b00};
                reg_be_d    = win_be;
                reg_wdata_d = win_wdata;
                rd_shift_d  = win_shift;
                rd_bmask_d  = win_lmask;
                state_d     = vep_pkg::CplAcc0;
              end else begin
                // A window onto nothing: reads 0, writes are dropped.
                state_d = vep_pkg::CplTx;
              end
            end
          end else if (is_mrd) begin
            if (!bar_hit) begin
              status_d = 3'(vep_pkg::VEP_CPL_UR);
              ev_ur_d  = 1'b1;
              state_d  = vep_pkg::CplTx;
            end else if (req_i.len_dw > 11'(vep_pkg::VEP_REG_ACCESS_MAX_DW)) begin
              status_d = 3'(vep_pkg::VEP_CPL_CA);
              ev_ca_d  = 1'b1;
              state_d  = vep_pkg::CplTx;
            end else if (req_i.len_dw == 11'd1 && req_i.first_be == 4'd0) begin
              // Zero-length read: no access, one DW of 0.
              cpl_dw_d = 2'd1;
              state_d  = vep_pkg::CplTx;
            end else begin
              reg_req_d   = 1'b1;
              reg_space_d = 1'b1;
              reg_we_d    = 1'b0;
              reg_addr_d  = {req_i.addr[14:2], 2'b00};
              reg_be_d    = req_i.first_be;
              reg_wdata_d = '0;
              two_dw_d    = (req_i.len_dw == 11'd2);
              cpl_dw_d    = req_i.len_dw[1:0];
              state_d     = vep_pkg::CplAcc0;
            end
          end else if (is_mwr) begin
            if (bar_hit && !req_i.ep &&
                req_i.len_dw <= 11'(vep_pkg::VEP_REG_ACCESS_MAX_DW)) begin
              reg_req_d   = 1'b1;
              reg_space_d = 1'b1;
              reg_we_d    = 1'b1;
              reg_addr_d  = {req_i.addr[14:2], 2'b00};
              reg_be_d    = req_i.first_be;
              reg_wdata_d = req_i.data[31:0];
              two_dw_d    = (req_i.len_dw == 11'd2);
              state_d     = vep_pkg::CplAcc0;
            end else begin
              // Unsupported posted request: logged, never answered.
              ev_ur_d = 1'b1;
            end
          end else begin
            status_d = 3'(vep_pkg::VEP_CPL_UR);
            ev_ur_d  = 1'b1;
            state_d  = vep_pkg::CplTx;
          end
        end
      end

      vep_pkg::CplAcc0: begin
        if (two_dw_q) begin
          reg_req_d   = 1'b1;
          reg_addr_d  = reg_addr_q + 15'd4;
          reg_be_d    = req_q.last_be;
          reg_wdata_d = q_write ? req_q.data[63:32] : 32'd0;
          state_d     = vep_pkg::CplAcc1;
        end else if (!q_write) begin
          state_d = vep_pkg::CplData;
        end else if (q_posted) begin
          state_d = vep_pkg::CplIdle;
        end else begin
          state_d = vep_pkg::CplTx;
        end
      end

      vep_pkg::CplAcc1: begin
        if (!q_write) begin
          data_d[31:0] = rd_val;
          state_d      = vep_pkg::CplData;
        end else if (q_posted) begin
          state_d = vep_pkg::CplIdle;
        end else begin
          state_d = vep_pkg::CplTx;
        end
      end

      vep_pkg::CplData: begin
        if (two_dw_q) begin
          data_d[63:32] = rd_val;
        end else begin
          data_d[31:0] = rd_val;
        end
        state_d = vep_pkg::CplTx;
      end

      vep_pkg::CplTx: begin
        if (cpl_ready_i) begin
          state_d = vep_pkg::CplIdle;
        end
      end

      default: begin
        state_d = vep_pkg::CplIdle;
      end
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q        <= vep_pkg::CplIdle;
      req_q          <= '0;
      completer_id_q <= '0;
      reg_req_q      <= 1'b0;
      reg_space_q    <= 1'b0;
      reg_we_q       <= 1'b0;
      reg_addr_q     <= '0;
      reg_be_q       <= '0;
      reg_wdata_q    <= '0;
      two_dw_q       <= 1'b0;
      rd_shift_q     <= '0;
      rd_bmask_q     <= '0;
      status_q       <= '0;
      cpl_dw_q       <= '0;
      data_q         <= '0;
      ev_ur_q        <= 1'b0;
      ev_ca_q        <= 1'b0;
    end else begin
      state_q        <= state_d;
      req_q          <= req_d;
      completer_id_q <= completer_id_d;
      reg_req_q      <= reg_req_d;
      reg_space_q    <= reg_space_d;
      reg_we_q       <= reg_we_d;
      reg_addr_q     <= reg_addr_d;
      reg_be_q       <= reg_be_d;
      reg_wdata_q    <= reg_wdata_d;
      two_dw_q       <= two_dw_d;
      rd_shift_q     <= rd_shift_d;
      rd_bmask_q     <= rd_bmask_d;
      status_q       <= status_d;
      cpl_dw_q       <= cpl_dw_d;
      data_q         <= data_d;
      ev_ur_q        <= ev_ur_d;
      ev_ca_q        <= ev_ca_d;
    end
  end

endmodule

`default_nettype wire
