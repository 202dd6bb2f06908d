// SPDX-License-Identifier: Apache-2.0
// vep_intx: legacy INTx emulation (the Interrupt Pin says INTA). The virtual INTA wire is
// isr_pending && !msix_en && !cmd_intx_dis; whenever it differs from the state last signalled, an
// Assert_INTA or Deassert_INTA message is offered to vep_tx_arbiter. The offer is withdrawn if
// the wire returns to the signalled state before the handshake; the new state is recorded on the
// handshake. INTx messages are not gated by Bus Master Enable (they are messages, not memory
// requests), only by INTx Disable. C twin: cmodel/vep_intx.c.
//
// The message: Msg routed locally (Fmt 001 = 4DW header without data, Type 10100), Length 0,
// TC 0, Attr 0, Requester ID = the Completer ID, Tag 0, DW1[7:0] the message code, DW2 = DW3 = 0.
`default_nettype none

module vep_intx (
  input  logic                clk_i,
  input  logic                rst_ni,

  // ---- The wire's inputs ----
  input  logic                isr_pending_i,   // vep_isr: ISR != 0
  input  logic                msix_en_i,       // vep_cfg_space: MSI-X Enable (INTx unused then)
  input  logic                cmd_intx_dis_i,  // vep_cfg_space: Command.INTx Disable
  input  logic [15:0]         completer_id_i,  // vep_completer: Requester ID of the messages

  // ---- Messages to vep_tx_arbiter ----
  output logic                intx_valid_o,
  input  logic                intx_ready_i,
  output vep_pkg::small_tlp_t intx_tlp_o
);

  localparam logic [7:0] MsgLocal     = 8'(vep_pkg::VEP_TLP_MSG_LOCAL);
  localparam logic [7:0] AssertInta   = 8'(vep_pkg::VEP_MSG_ASSERT_INTA);
  localparam logic [7:0] DeassertInta = 8'(vep_pkg::VEP_MSG_DEASSERT_INTA);

  logic        intx_state_q, intx_state_d;      // INTA as last signalled: 1 = asserted
  logic        intx_valid_q, intx_valid_d;      // a message is offered (the wire != the state)
  logic [15:0] completer_id_q, completer_id_d;  // Requester ID of the messages

  // ---- Outputs: functions of the registers only ----
  // The message offered is the one that changes the signalled state.
  assign intx_valid_o = intx_valid_q;
  always_comb begin
    intx_tlp_o            = '0;
    intx_tlp_o.hdr[31:0]  = {MsgLocal, 24'd0};
    intx_tlp_o.hdr[63:32] = {completer_id_q, 8'd0, intx_state_q ? DeassertInta : AssertInta};
    intx_tlp_o.hdr_4dw    = 1'b1;
  end

  // ---- Next state ----
  // On the handshake edge the state takes the value just signalled; a wire that differs from the
  // state is (still, or again) offered, one that does not is withdrawn.
  logic inta;  // the virtual INTA wire
  always_comb begin
    inta           = isr_pending_i && !msix_en_i && !cmd_intx_dis_i;
    intx_state_d   = (intx_valid_q && intx_ready_i) ? !intx_state_q : intx_state_q;
    intx_valid_d   = (inta != intx_state_d);
    completer_id_d = completer_id_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      intx_state_q   <= 1'b0;
      intx_valid_q   <= 1'b0;
      completer_id_q <= '0;
    end else begin
      intx_state_q   <= intx_state_d;
      intx_valid_q   <= intx_valid_d;
      completer_id_q <= completer_id_d;
    end
  end

endmodule

`default_nettype wire
