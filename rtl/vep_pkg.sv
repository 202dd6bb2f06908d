// SPDX-License-Identifier: Apache-2.0
// vep_pkg: constants and types shared by every RTL block of the virtio PCI endpoint.
//
// The VEP_* constants are those of VEP_SHARED_CONSTANTS in include/vep_consts.h, name for name
// and value for value (the test tb/consts proves it). They keep the C spelling, UPPER_SNAKE, so one grep finds both sides.
// Yosys 0.23 rejects `import vep_pkg::*`: users write vep_pkg::NAME in full.
`default_nettype none

package vep_pkg;

  // ---- Constants shared with C (include/vep_consts.h) ----
  // The list is the C side's: some constants serve only C code (the driver, the checkers), so
  // not every one has an RTL user.
  /* verilator lint_off UNUSEDPARAM */
  localparam int unsigned VEP_PCI_VENDOR_ID              = 32'h00001AF4;
  localparam int unsigned VEP_PCI_DEVICE_ID_BASE         = 32'h00001040;
  localparam int unsigned VEP_PCI_REVISION_ID            = 32'h00000001;
  localparam int unsigned VEP_PCI_SUBSYS_VENDOR_ID       = 32'h00001AF4;
  localparam int unsigned VEP_PCI_SUBSYS_ID              = 32'h00000040;
  localparam int unsigned VEP_PCI_CLASS_STORAGE_SCSI     = 32'h00010000;
  localparam int unsigned VEP_PCI_CLASS_NET_ETHERNET     = 32'h00020000;
  localparam int unsigned VEP_PCI_INT_PIN                = 32'h00000001;
  localparam int unsigned VEP_CMD_WRITABLE               = 32'h00000546;
  localparam int unsigned VEP_STS_INTX                   = 32'h00000008;
  localparam int unsigned VEP_STS_CAP_LIST               = 32'h00000010;
  localparam int unsigned VEP_STS_SIG_TGT_ABORT          = 32'h00000800;
  localparam int unsigned VEP_STS_RW1C                   = 32'h00003800;
  localparam int unsigned VEP_BAR_MEM_TYPE_64            = 32'h00000004;
  localparam int unsigned VEP_CAP_ID_VNDR                = 32'h00000009;
  localparam int unsigned VEP_CAP_ID_PCIE                = 32'h00000010;
  localparam int unsigned VEP_CAP_ID_MSIX                = 32'h00000011;
  localparam int unsigned VEP_CAP_ID_PM                  = 32'h00000001;
  localparam int unsigned VEP_CAP_PCIE_OFF               = 32'h00000040;
  localparam int unsigned VEP_CAP_MSIX_OFF               = 32'h00000080;
  localparam int unsigned VEP_CAP_COMMON_OFF             = 32'h0000008C;
  localparam int unsigned VEP_CAP_NOTIFY_OFF             = 32'h0000009C;
  localparam int unsigned VEP_CAP_ISR_OFF                = 32'h000000B0;
  localparam int unsigned VEP_CAP_DEVICE_OFF             = 32'h000000C0;
  localparam int unsigned VEP_CAP_PCICFG_OFF             = 32'h000000D0;
  localparam int unsigned VEP_CAP_PCIE_LEN               = 32'h0000003C;
  localparam int unsigned VEP_CAP_PM_OFF                 = 32'h000000E4;
  localparam int unsigned VEP_PM_PMC_VAL                 = 32'h00000003;
  localparam int unsigned VEP_PM_PMCSR_NOSOFTRESET       = 32'h00000008;
  localparam int unsigned VEP_PCIE_CAPS_VAL              = 32'h00000002;
  localparam int unsigned VEP_PCIE_DEVCAP_VAL            = 32'h00008022;
  localparam int unsigned VEP_PCIE_DEVCTL_RESET          = 32'h00002810;
  localparam int unsigned VEP_PCIE_DEVCTL_WMASK          = 32'h000079FF;
  localparam int unsigned VEP_PCIE_DEVSTA_FED            = 32'h00000004;
  localparam int unsigned VEP_PCIE_DEVSTA_URD            = 32'h00000008;
  localparam int unsigned VEP_PCIE_LNKCAP_VAL            = 32'h00000011;
  localparam int unsigned VEP_PCIE_LNKCTL_WMASK          = 32'h000000CB;
  localparam int unsigned VEP_PCIE_LNKSTA_VAL            = 32'h00000011;
  localparam int unsigned VEP_PCIE_DEVCAP2_VAL           = 32'h00000010;
  localparam int unsigned VEP_PCIE_DEVCTL2_WMASK         = 32'h00000010;
  localparam int unsigned VEP_PCIE_LNKCAP2_VAL           = 32'h00000002;
  localparam int unsigned VEP_PCIE_LNKCTL2_VAL           = 32'h00000001;
  localparam int unsigned VEP_MPS_SUPPORTED_ENC          = 32'h00000002;
  localparam int unsigned VEP_MSIX_CTL_ENABLE            = 32'h00008000;
  localparam int unsigned VEP_MSIX_CTL_FMASK             = 32'h00004000;
  localparam int unsigned VEP_VIRTIO_CAP_LEN             = 32'h00000010;
  localparam int unsigned VEP_VIRTIO_NOTIFY_CAP_LEN      = 32'h00000014;
  localparam int unsigned VEP_VIRTIO_PCICFG_CAP_LEN      = 32'h00000014;
  localparam int unsigned VEP_VIRTIO_PCI_CAP_COMMON_CFG  = 32'h00000001;
  localparam int unsigned VEP_VIRTIO_PCI_CAP_NOTIFY_CFG  = 32'h00000002;
  localparam int unsigned VEP_VIRTIO_PCI_CAP_ISR_CFG     = 32'h00000003;
  localparam int unsigned VEP_VIRTIO_PCI_CAP_DEVICE_CFG  = 32'h00000004;
  localparam int unsigned VEP_VIRTIO_PCI_CAP_PCI_CFG     = 32'h00000005;
  localparam int unsigned VEP_BAR0_SIZE                  = 32'h00008000;
  localparam int unsigned VEP_BAR0_SIZE_LOG2             = 32'h0000000F;
  localparam int unsigned VEP_BAR_COMMON_OFF             = 32'h00000000;
  localparam int unsigned VEP_BAR_COMMON_LEN             = 32'h00000038;
  localparam int unsigned VEP_BAR_ISR_OFF                = 32'h00001000;
  localparam int unsigned VEP_BAR_ISR_LEN                = 32'h00000004;
  localparam int unsigned VEP_BAR_DEVICE_OFF             = 32'h00002000;
  localparam int unsigned VEP_BAR_DEVICE_LEN             = 32'h00000024;
  localparam int unsigned VEP_BAR_NOTIFY_OFF             = 32'h00003000;
  localparam int unsigned VEP_NOTIFY_MULTIPLIER          = 32'h00000004;
  localparam int unsigned VEP_BAR_MSIX_TABLE_OFF         = 32'h00004000;
  localparam int unsigned VEP_BAR_MSIX_PBA_OFF           = 32'h00005000;
  localparam int unsigned VEP_BAR_REGION_SHIFT           = 32'h0000000C;
  localparam int unsigned VEP_STATUS_ACKNOWLEDGE         = 32'h00000001;
  localparam int unsigned VEP_STATUS_DRIVER              = 32'h00000002;
  localparam int unsigned VEP_STATUS_DRIVER_OK           = 32'h00000004;
  localparam int unsigned VEP_STATUS_FEATURES_OK         = 32'h00000008;
  localparam int unsigned VEP_STATUS_DEVICE_NEEDS_RESET  = 32'h00000040;
  localparam int unsigned VEP_STATUS_FAILED              = 32'h00000080;
  localparam int unsigned VEP_MSI_NO_VECTOR              = 32'h0000FFFF;
  localparam int unsigned VEP_ISR_QUEUE                  = 32'h00000001;
  localparam int unsigned VEP_ISR_CONFIG                 = 32'h00000002;
  localparam int unsigned VEP_VIRTIO_ID_NET              = 32'h00000001;
  localparam int unsigned VEP_VIRTIO_ID_BLK              = 32'h00000002;
  localparam int unsigned VEP_F_VERSION_1                = 32'h00000020;
  localparam int unsigned VEP_BLK_F_SEG_MAX              = 32'h00000002;
  localparam int unsigned VEP_BLK_F_RO                   = 32'h00000005;
  localparam int unsigned VEP_BLK_F_BLK_SIZE             = 32'h00000006;
  localparam int unsigned VEP_BLK_F_FLUSH                = 32'h00000009;
  localparam int unsigned VEP_F_INDIRECT_DESC            = 32'h0000001C;
  localparam int unsigned VEP_F_EVENT_IDX                = 32'h0000001D;
  localparam int unsigned VEP_TLP_MRD32                  = 32'h00000000;
  localparam int unsigned VEP_TLP_MRD64                  = 32'h00000020;
  localparam int unsigned VEP_TLP_MWR32                  = 32'h00000040;
  localparam int unsigned VEP_TLP_MWR64                  = 32'h00000060;
  localparam int unsigned VEP_TLP_CFGRD0                 = 32'h00000004;
  localparam int unsigned VEP_TLP_CFGWR0                 = 32'h00000044;
  localparam int unsigned VEP_TLP_CPL                    = 32'h0000000A;
  localparam int unsigned VEP_TLP_CPLD                   = 32'h0000004A;
  localparam int unsigned VEP_TLP_MSG_LOCAL              = 32'h00000034;
  localparam int unsigned VEP_CPL_SC                     = 32'h00000000;
  localparam int unsigned VEP_CPL_UR                     = 32'h00000001;
  localparam int unsigned VEP_CPL_CA                     = 32'h00000004;
  localparam int unsigned VEP_MSG_ASSERT_INTA            = 32'h00000020;
  localparam int unsigned VEP_MSG_DEASSERT_INTA          = 32'h00000024;
  localparam int unsigned VEP_REG_ACCESS_MAX_DW          = 32'h00000002;
  localparam int unsigned VEP_BLK_SLOTS                  = 32'h00000010;
  localparam int unsigned VEP_SEG_EXTRA                  = 32'h00000002;
  localparam int unsigned VEP_RD_CHUNK                   = 32'h00000200;
  localparam int unsigned VEP_DMA_MAX_LEN                = 32'h00001000;
  localparam int unsigned VEP_CPL_TIMEOUT_CYCLES         = 32'h00004000;
  localparam int unsigned VEP_DMA_CLIENTS                = 32'h00000003;
  localparam int unsigned VEP_BLK_T_IN                   = 32'h00000000;
  localparam int unsigned VEP_BLK_T_OUT                  = 32'h00000001;
  localparam int unsigned VEP_BLK_T_FLUSH                = 32'h00000004;
  localparam int unsigned VEP_BLK_T_GET_ID               = 32'h00000008;
  localparam int unsigned VEP_BLK_S_OK                   = 32'h00000000;
  localparam int unsigned VEP_BLK_S_IOERR                = 32'h00000001;
  localparam int unsigned VEP_BLK_S_UNSUPP               = 32'h00000002;
  localparam int unsigned VEP_BLK_HDR_BYTES              = 32'h00000010;
  localparam int unsigned VEP_BLK_ID_BYTES               = 32'h00000014;
  localparam int unsigned VEP_BLK_SECTOR                 = 32'h00000200;
  localparam int unsigned VEP_VRING_DESC_F_NEXT          = 32'h00000001;
  localparam int unsigned VEP_VRING_DESC_F_WRITE         = 32'h00000002;
  localparam int unsigned VEP_VRING_DESC_F_INDIRECT      = 32'h00000004;
  localparam int unsigned VEP_VRING_AVAIL_F_NO_INTERRUPT = 32'h00000001;
  localparam int unsigned VEP_VRING_USED_F_NO_NOTIFY     = 32'h00000001;
  localparam int unsigned VEP_ERR_NONE                   = 32'h00000000;
  localparam int unsigned VEP_ERR_HEAD_RANGE             = 32'h00000001;
  localparam int unsigned VEP_ERR_NEXT_RANGE             = 32'h00000002;
  localparam int unsigned VEP_ERR_CHAIN_LOOP             = 32'h00000003;
  localparam int unsigned VEP_ERR_INDIRECT_FEATURE       = 32'h00000004;
  localparam int unsigned VEP_ERR_INDIRECT_NESTED        = 32'h00000005;
  localparam int unsigned VEP_ERR_INDIRECT_NEXT          = 32'h00000006;
  localparam int unsigned VEP_ERR_INDIRECT_LEN           = 32'h00000007;
  localparam int unsigned VEP_ERR_ZERO_LEN               = 32'h00000008;
  localparam int unsigned VEP_ERR_READ_AFTER_WRITE       = 32'h00000009;
  localparam int unsigned VEP_ERR_TOO_MANY_SEGS          = 32'h0000000A;
  localparam int unsigned VEP_ERR_CHAIN_BYTES            = 32'h0000000B;
  localparam int unsigned VEP_ERR_AVAIL_JUMP             = 32'h0000000C;
  localparam int unsigned VEP_ERR_RING_DMA               = 32'h0000000D;
  localparam int unsigned VEP_ERR_BLK_HEADERS            = 32'h0000000E;
  localparam int unsigned VEP_ERR_USED_DMA               = 32'h0000000F;

  /* verilator lint_on UNUSEDPARAM */

  // ---- Types crossing block boundaries (mirrored in cmodel/vep_types.h) ----

  // A request from the host, parsed by vep_rx_demux for vep_completer.
  typedef struct packed {
    logic [7:0]  fmt_type;      // DW0[31:24]
    logic [2:0]  tc;
    logic [2:0]  attr;          // {IDO, RO, NS} = {DW0[18], DW0[13:12]}
    logic        ep;            // poisoned
    logic [10:0] len_dw;        // 1..1024 (the field's 0 decoded as 1024)
    logic [15:0] requester_id;
    logic [9:0]  tag;           // {T9, T8, DW1[15:8]}
    logic [3:0]  last_be;
    logic [3:0]  first_be;
    logic [63:0] addr;          // memory/IO: byte address, [1:0] = 0; config: DW2 in [31:0]
    logic [63:0] data;          // first two payload DWs, first in [31:0]; 0 where absent
  } req_t;

  // A TLP of at most 2 payload DWs, from a block to vep_tx_arbiter.
  typedef struct packed {
    logic [127:0] hdr;          // header DW i in [32i+31:32i]; DW3 unused for 3DW headers
    logic         hdr_4dw;
    logic [1:0]   data_dw;      // payload DWs, 0..2
    logic [63:0]  data;         // payload DW i in [32i+31:32i], bytes little-endian
  } small_tlp_t;

  // ---- Types of the data path (docs/datapath.md) ----

  // The header fields of a completion, from vep_rx_demux to vep_dma_rd (valid with rc_sop).
  typedef struct packed {
    logic [15:0] completer_id;  // DW1[31:16]
    logic [2:0]  status;        // DW1[15:13]
    logic [12:0] byte_count;    // DW1[11:0], the field's 0 decoded as 4096
    logic [15:0] requester_id;  // DW2[31:16]
    logic [9:0]  tag;           // {T9, T8, DW2[15:8]}
    logic [6:0]  lower_addr;    // DW2[6:0]
    logic [10:0] len_dw;        // payload DWs (0 for a Cpl; the field's 0 decoded as 1024)
    logic        ep;            // poisoned
  } cpl_hdr_t;

  // One buffer of a descriptor chain, from vep_vq_fetch into vep_blk's segment memory.
  typedef struct packed {
    logic [63:0] addr;
    logic [31:0] len;           // 1..2^32-1
    logic        write;         // device-writable
  } seg_t;

  // A fetched chain handed from vep_vq_fetch to vep_blk. Its segments are at
  // slot*SEG_SLOTS + 0 .. nseg-1: readable ones first (nr of them), then writable ones.
  typedef struct packed {
    logic [7:0]  slot;
    logic [5:0]  q;
    logic [15:0] head;          // the descriptor index the used element must name
    logic [7:0]  nseg;
    logic [7:0]  nr;
    logic [31:0] r_bytes;       // total of the readable segments
    logic [31:0] w_bytes;       // total of the writable segments
  } chain_t;

  // A finished request, from vep_blk to vep_vq_used.
  typedef struct packed {
    logic [5:0]  q;
    logic [15:0] head;
    logic [31:0] len;           // bytes written into the buffer
  } done_t;

  // ---- Block-private types: vep_rx_demux, vep_completer, vep_tx_arbiter ----

  // vep_rx_demux: waiting for the first beat of a TLP, inside a TLP, holding a parsed request
  // for the completer (s_rx_ready low).
  typedef enum logic [1:0] {
    RxSop  = 2'd0,
    RxBody = 2'd1,
    RxReq  = 2'd2
  } rx_state_e;

  // vep_completer: idle (req_ready), register strobe of the first / second DW on the bus, read
  // data of the last DW on reg_rdata, completion offered to the TX arbiter.
  typedef enum logic [2:0] {
    CplIdle = 3'd0,
    CplAcc0 = 3'd1,
    CplAcc1 = 3'd2,
    CplData = 3'd3,
    CplTx   = 3'd4
  } cpl_state_e;

  // ---- Functions shared by the register blocks ----

  // A register write changes only the bytes it enables: old with the bytes of wdata whose be bit
  // is set. Used by vep_cfg_space, vep_common_cfg and vep_msix; C twin: vep_merge32 in
  // cmodel/vep_types.h. Yosys 0.23 has no `return`: the result is assigned to the function's name.
  function automatic logic [31:0] merge32(logic [31:0] old, logic [31:0] wdata, logic [3:0] be);
    merge32 = old;
    for (int i = 0; i < 4; i++) begin
      if (be[i]) merge32[8*i +: 8] = wdata[8*i +: 8];
    end
  endfunction

  // The header of a memory request the device sends (MRd, or MWr when write), TC 0, no
  // attributes: 3DW below 4 GiB, 4DW above (the caller's hdr_4dw is addr[63:32] != 0); Length
  // and first/last byte enables from the byte address and length (1..4096, within one 4 KiB
  // page); Requester ID and tag. Used by vep_dma_rd and vep_dma_wr; C twin: vep_mem_req_hdr in
  // cmodel/vep_types.h.
  function automatic logic [127:0] mem_req_hdr(logic write, logic [63:0] addr, logic [12:0] len,
                                               logic [15:0] req_id, logic [7:0] tag);
    logic [12:0] ndw;
    logic [1:0]  lastb;
    logic [3:0]  fbe, lbe;
    logic        is4;
    ndw   = (13'(addr[1:0]) + len + 13'd3) >> 2;
    lastb = 2'(13'(addr[1:0]) + len - 13'd1);
    fbe   = 4'hF << addr[1:0];
    lbe   = 4'hF >> (2'd3 - lastb);
    if (ndw == 13'd1) begin
      fbe = fbe & lbe;
      lbe = 4'h0;
    end
    is4 = (addr[63:32] != 32'd0);
    mem_req_hdr = '0;
    mem_req_hdr[31:0]  = {write ? (is4 ? 8'(VEP_TLP_MWR64) : 8'(VEP_TLP_MWR32))
                                : (is4 ? 8'(VEP_TLP_MRD64) : 8'(VEP_TLP_MRD32)),
                          14'd0, ndw[9:0]};  // Length 1024 is encoded 0
    mem_req_hdr[63:32] = {req_id, tag, lbe, fbe};
    mem_req_hdr[95:64] = is4 ? addr[63:32] : {addr[31:2], 2'b00};
    if (is4) mem_req_hdr[127:96] = {addr[31:2], 2'b00};
  endfunction

  // ---- Block-private types: vep_cfg_space, vep_common_cfg, vep_isr, vep_blk_cfg,
  //      vep_notify, vep_msix ----
  // (register-block enums go here)

  // ---- Block-private types: vep_vq_used ----
  // vep_vq_used: no batch in flight; the batch's used elements write (request, data beats,
  // wr_done); used index write (request, data, wr_done); suppression-field read request (its
  // answer is awaited beside the next batches).
  typedef enum logic [3:0] {
    UsedIdle     = 4'd0,
    UsedElemReq  = 4'd1,
    UsedElemData = 4'd2,
    UsedElemWait = 4'd3,
    UsedIdxReq   = 4'd4,
    UsedIdxData  = 4'd5,
    UsedIdxWait  = 4'd6,
    UsedEvtReq   = 4'd7
  } used_state_e;

  // ---- Block-private types: vep_vq_fetch ----
  // vep_vq_fetch: choosing a queue; avail.idx read (request, response); avail_event write
  // (request, data beat, wr_done); ring entries read into the head buffer; descriptor window
  // read into the descriptor memory; chain offered to vep_blk; stopped after a ring error (until
  // the device reset); a write taken before a device reset, waiting for its wr_done; the next
  // head looked up in the head buffer; a descriptor looked up in a window (memory read issued);
  // the descriptor read from the memory checked and followed.
  typedef enum logic [3:0] {
    FetchIdle     = 4'd0,
    FetchIdxReq   = 4'd1,
    FetchIdxRsp   = 4'd2,
    FetchEvtReq   = 4'd3,
    FetchEvtData  = 4'd4,
    FetchEvtWait  = 4'd5,
    FetchRingReq  = 4'd6,
    FetchRingRsp  = 4'd7,
    FetchDescReq  = 4'd8,
    FetchDescRsp  = 4'd9,
    FetchChain    = 4'd10,
    FetchHalt     = 4'd11,
    FetchDrain    = 4'd12,
    FetchHead     = 4'd13,
    FetchLook     = 4'd14,
    FetchUse      = 4'd15
  } fetch_state_e;

endpackage

`default_nettype wire
