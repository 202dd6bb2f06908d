// SPDX-License-Identifier: Apache-2.0
// vep_cfg_space: the 4 KiB PCI configuration space of the endpoint: type 0 header, PCI Express
// capability, MSI-X capability, the five virtio capabilities and the PCI Power Management
// capability (docs/registers.md). Exports the Command bits (gated by the power state), the
// BAR0 base, MPS/MRRS, MSI-X enable/function mask and the virtio_pci_cfg_cap window
// registers. Only register-bus accesses with reg_space_i = 0 hit it. The extended space
// (0x100-0xFFF) reads 0: the extended-capability list is empty. C twin: cmodel/vep_cfg_space.c.
`default_nettype none

module vep_cfg_space #(
  parameter int unsigned NUM_QUEUES   = 4,  // virtqueues: sizes the notify capability's length
  parameter int unsigned MSIX_VECTORS = 8,  // MSI-X table entries, reported in Message Control
  parameter int unsigned DEVICE_ID    = 2   // virtio device ID: Device ID and class code
) (
  input  logic        clk_i,
  input  logic        rst_ni,

  // ---- Register bus from vep_completer ----
  input  logic        reg_req_i,
  input  logic        reg_space_i,
  input  logic        reg_we_i,
  input  logic [14:0] reg_addr_i,
  input  logic [3:0]  reg_be_i,
  input  logic [31:0] reg_wdata_i,
  output logic [31:0] cfg_rdata_o,

  // ---- Status sources ----
  input  logic        isr_pending_i,  // vep_isr: ISR != 0, mirrored in Status bit 3
  input  logic        ev_ur_i,        // vep_completer strobe: sets DevSta.URD
  input  logic        ev_ca_i,        // vep_completer strobe: sets Status.Signaled Target Abort
  input  logic        ev_malformed_i, // vep_rx_demux strobe: sets DevSta.FED

  // ---- Configuration exported to the other blocks ----
  output logic        cmd_mem_en_o,
  output logic        cmd_bus_master_o,
  output logic        cmd_intx_dis_o,
  output logic [63:15] bar0_base_o,
  output logic [2:0]  mps_o,
  output logic [2:0]  mrrs_o,
  output logic        ext_tag_en_o,
  output logic        rcb_o,
  output logic        msix_en_o,
  output logic        msix_fmask_o,
  output logic [7:0]  cfgwin_bar_o,
  output logic [31:0] cfgwin_offset_o,
  output logic [31:0] cfgwin_length_o
);

  if (NUM_QUEUES < 1 || NUM_QUEUES > 64) begin : gen_check_num_queues
    $error("vep_cfg_space: NUM_QUEUES must be 1..64");
  end
  if (MSIX_VECTORS < 1 || MSIX_VECTORS > 64) begin : gen_check_msix_vectors
    $error("vep_cfg_space: MSIX_VECTORS must be 1..64");
  end

  // ---- Constant fields ----
  localparam logic [15:0] DeviceId = 16'(vep_pkg::VEP_PCI_DEVICE_ID_BASE + DEVICE_ID);
  localparam logic [23:0] ClassCode =
      (DEVICE_ID == vep_pkg::VEP_VIRTIO_ID_BLK) ? 24'(vep_pkg::VEP_PCI_CLASS_STORAGE_SCSI) :
      (DEVICE_ID == vep_pkg::VEP_VIRTIO_ID_NET) ? 24'(vep_pkg::VEP_PCI_CLASS_NET_ETHERNET) :
      24'd0;
  localparam logic [15:0] CmdWMask = 16'(vep_pkg::VEP_CMD_WRITABLE);
  localparam logic [15:0] StsRw1c = 16'(vep_pkg::VEP_STS_RW1C);
  localparam logic [15:0] DevCtlWMask = 16'(vep_pkg::VEP_PCIE_DEVCTL_WMASK);
  localparam logic [15:0] LnkCtlWMask = 16'(vep_pkg::VEP_PCIE_LNKCTL_WMASK);
  localparam logic [15:0] DevCtl2WMask = 16'(vep_pkg::VEP_PCIE_DEVCTL2_WMASK);
  localparam logic [10:0] MsixTableSize = 11'(MSIX_VECTORS - 1);

  // Read-only DWs and fields. Every package constant is taken into a localparam, so no process
  // refers to vep_pkg (Verilator then does not report the package's constants this block does
  // not use).
  localparam logic [31:0] IdDw        = {DeviceId, 16'(vep_pkg::VEP_PCI_VENDOR_ID)};
  localparam logic [31:0] ClassRevDw  = {ClassCode, 8'(vep_pkg::VEP_PCI_REVISION_ID)};
  localparam logic [31:0] SubsysDw    = {16'(vep_pkg::VEP_PCI_SUBSYS_ID),
                                         16'(vep_pkg::VEP_PCI_SUBSYS_VENDOR_ID)};
  localparam logic [31:0] CapPtrDw    = 32'(vep_pkg::VEP_CAP_PCIE_OFF);
  localparam logic [7:0]  IntPin      = 8'(vep_pkg::VEP_PCI_INT_PIN);
  localparam logic [14:0] Bar0Low     = 15'(vep_pkg::VEP_BAR_MEM_TYPE_64);  // [14:4] 0: 32 KiB
  localparam logic [15:0] StsCapList  = 16'(vep_pkg::VEP_STS_CAP_LIST);
  localparam logic [15:0] StsIntx     = 16'(vep_pkg::VEP_STS_INTX);
  localparam logic [15:0] StsSigTgtAbort = 16'(vep_pkg::VEP_STS_SIG_TGT_ABORT);
  localparam logic [31:0] PcieHdrDw   = {16'(vep_pkg::VEP_PCIE_CAPS_VAL),
                                         8'(vep_pkg::VEP_CAP_MSIX_OFF),
                                         8'(vep_pkg::VEP_CAP_ID_PCIE)};
  localparam logic [31:0] DevCapDw    = 32'(vep_pkg::VEP_PCIE_DEVCAP_VAL);
  localparam logic [15:0] DevCtlReset = 16'(vep_pkg::VEP_PCIE_DEVCTL_RESET);
  localparam logic [15:0] DevStaUrd   = 16'(vep_pkg::VEP_PCIE_DEVSTA_URD);
  // Fatal Error Detected (Device Status bit 2): a Malformed TLP, Fatal by default, sets it
  // whether or not error reporting is enabled.
  localparam logic [15:0] DevStaFed   = 16'(vep_pkg::VEP_PCIE_DEVSTA_FED);
  localparam logic [31:0] LnkCapDw    = 32'(vep_pkg::VEP_PCIE_LNKCAP_VAL);
  localparam logic [15:0] LnkSta      = 16'(vep_pkg::VEP_PCIE_LNKSTA_VAL);
  localparam logic [31:0] DevCap2Dw   = 32'(vep_pkg::VEP_PCIE_DEVCAP2_VAL);
  localparam logic [31:0] LnkCap2Dw   = 32'(vep_pkg::VEP_PCIE_LNKCAP2_VAL);
  localparam logic [31:0] LnkCtl2Dw   = 32'(vep_pkg::VEP_PCIE_LNKCTL2_VAL);
  localparam logic [15:0] MsixHdrLow  = {8'(vep_pkg::VEP_CAP_COMMON_OFF),
                                         8'(vep_pkg::VEP_CAP_ID_MSIX)};
  localparam logic [31:0] MsixTableDw = 32'(vep_pkg::VEP_BAR_MSIX_TABLE_OFF);  // BIR 0
  localparam logic [31:0] MsixPbaDw   = 32'(vep_pkg::VEP_BAR_MSIX_PBA_OFF);    // BIR 0
  localparam logic [31:0] CommonBarOff = 32'(vep_pkg::VEP_BAR_COMMON_OFF);
  localparam logic [31:0] CommonBarLen = 32'(vep_pkg::VEP_BAR_COMMON_LEN);
  localparam logic [31:0] NotifyBarOff = 32'(vep_pkg::VEP_BAR_NOTIFY_OFF);
  localparam logic [31:0] NotifyBarLen = 32'(NUM_QUEUES * vep_pkg::VEP_NOTIFY_MULTIPLIER);
  localparam logic [31:0] NotifyMult   = 32'(vep_pkg::VEP_NOTIFY_MULTIPLIER);
  localparam logic [31:0] IsrBarOff    = 32'(vep_pkg::VEP_BAR_ISR_OFF);
  localparam logic [31:0] IsrBarLen    = 32'(vep_pkg::VEP_BAR_ISR_LEN);
  localparam logic [31:0] DeviceBarOff = 32'(vep_pkg::VEP_BAR_DEVICE_OFF);
  localparam logic [31:0] DeviceBarLen = 32'(vep_pkg::VEP_BAR_DEVICE_LEN);

  // ---- DW addresses (include/vep_consts.h spells the offsets the same way) ----
  localparam logic [11:0] AddrId        = 12'h000;
  localparam logic [11:0] AddrCmdSts    = 12'h004;
  localparam logic [11:0] AddrClassRev  = 12'h008;
  localparam logic [11:0] AddrCacheLine = 12'h00C;
  localparam logic [11:0] AddrBar0      = 12'h010;
  localparam logic [11:0] AddrBar1      = 12'h014;
  localparam logic [11:0] AddrSubsys    = 12'h02C;
  localparam logic [11:0] AddrCapPtr    = 12'h034;
  localparam logic [11:0] AddrIntLine   = 12'h03C;
  localparam logic [11:0] PcieOff       = 12'(vep_pkg::VEP_CAP_PCIE_OFF);
  localparam logic [11:0] AddrPcieHdr   = PcieOff;
  localparam logic [11:0] AddrDevCap    = PcieOff + 12'h04;
  localparam logic [11:0] AddrDevCtlSta = PcieOff + 12'h08;
  localparam logic [11:0] AddrLnkCap    = PcieOff + 12'h0C;
  localparam logic [11:0] AddrLnkCtlSta = PcieOff + 12'h10;
  localparam logic [11:0] AddrDevCap2   = PcieOff + 12'h24;
  localparam logic [11:0] AddrDevCtl2   = PcieOff + 12'h28;
  localparam logic [11:0] AddrLnkCap2   = PcieOff + 12'h2C;
  localparam logic [11:0] AddrLnkCtl2   = PcieOff + 12'h30;
  localparam logic [11:0] MsixOff       = 12'(vep_pkg::VEP_CAP_MSIX_OFF);
  localparam logic [11:0] AddrMsixHdr   = MsixOff;
  localparam logic [11:0] AddrMsixTable = MsixOff + 12'h04;
  localparam logic [11:0] AddrMsixPba   = MsixOff + 12'h08;
  localparam logic [11:0] CommonOff     = 12'(vep_pkg::VEP_CAP_COMMON_OFF);
  localparam logic [11:0] NotifyOff     = 12'(vep_pkg::VEP_CAP_NOTIFY_OFF);
  localparam logic [11:0] IsrOff        = 12'(vep_pkg::VEP_CAP_ISR_OFF);
  localparam logic [11:0] DeviceOff     = 12'(vep_pkg::VEP_CAP_DEVICE_OFF);
  localparam logic [11:0] PciCfgOff     = 12'(vep_pkg::VEP_CAP_PCICFG_OFF);
  // virtio_pci_cap field offsets: +4 bar, +8 offset, +12 length, +16 the extra DW
  localparam logic [11:0] CapBar        = 12'h004;
  localparam logic [11:0] CapOffset     = 12'h008;
  localparam logic [11:0] CapLength     = 12'h00C;
  localparam logic [11:0] CapExtra      = 12'h010;

  // DW 0 of each virtio vendor-specific capability: {cfg_type, cap_len, cap_next, cap_vndr}
  localparam logic [7:0] Vndr = 8'(vep_pkg::VEP_CAP_ID_VNDR);
  localparam logic [31:0] CommonDw0 = {8'(vep_pkg::VEP_VIRTIO_PCI_CAP_COMMON_CFG),
      8'(vep_pkg::VEP_VIRTIO_CAP_LEN), 8'(vep_pkg::VEP_CAP_NOTIFY_OFF), Vndr};
  localparam logic [31:0] NotifyDw0 = {8'(vep_pkg::VEP_VIRTIO_PCI_CAP_NOTIFY_CFG),
      8'(vep_pkg::VEP_VIRTIO_NOTIFY_CAP_LEN), 8'(vep_pkg::VEP_CAP_ISR_OFF), Vndr};
  localparam logic [31:0] IsrDw0 = {8'(vep_pkg::VEP_VIRTIO_PCI_CAP_ISR_CFG),
      8'(vep_pkg::VEP_VIRTIO_CAP_LEN), 8'(vep_pkg::VEP_CAP_DEVICE_OFF), Vndr};
  localparam logic [31:0] DeviceDw0 = {8'(vep_pkg::VEP_VIRTIO_PCI_CAP_DEVICE_CFG),
      8'(vep_pkg::VEP_VIRTIO_CAP_LEN), 8'(vep_pkg::VEP_CAP_PCICFG_OFF), Vndr};
  localparam logic [31:0] PciCfgDw0 = {8'(vep_pkg::VEP_VIRTIO_PCI_CAP_PCI_CFG),
      8'(vep_pkg::VEP_VIRTIO_PCICFG_CAP_LEN), 8'(vep_pkg::VEP_CAP_PM_OFF), Vndr};
  // The Power Management capability ends the chain: next 0. PMC: version 3, no D1/D2/PME.
  localparam logic [31:0] PmHdrDw = {16'(vep_pkg::VEP_PM_PMC_VAL), 8'd0,
      8'(vep_pkg::VEP_CAP_ID_PM)};
  localparam logic [15:0] PmNoSoftReset = 16'(vep_pkg::VEP_PM_PMCSR_NOSOFTRESET);
  localparam logic [11:0] PmOff      = 12'(vep_pkg::VEP_CAP_PM_OFF);
  localparam logic [11:0] AddrPmHdr  = PmOff;
  localparam logic [11:0] AddrPmCsr  = PmOff + 12'h004;
  localparam logic [1:0]  PmD0       = 2'b00;
  localparam logic [1:0]  PmD3hot    = 2'b11;

  // ---- Registers ----
  logic [15:0] cmd_q, cmd_d;
  logic [15:0] sts_q, sts_d;
  logic [7:0]  cache_line_q, cache_line_d;
  logic [7:0]  int_line_q, int_line_d;
  logic [31:15] bar0_q, bar0_d;
  logic [31:0] bar1_q, bar1_d;
  logic [15:0] devctl_q, devctl_d;
  logic        devsta_urd_q, devsta_urd_d;
  logic        devsta_fed_q, devsta_fed_d;
  logic [15:0] lnkctl_q, lnkctl_d;
  logic [15:0] devctl2_q, devctl2_d;
  logic        msix_en_q, msix_en_d;
  logic        msix_fmask_q, msix_fmask_d;
  logic [7:0]  cfgwin_bar_q, cfgwin_bar_d;
  logic [31:0] cfgwin_offset_q, cfgwin_offset_d;
  logic [31:0] cfgwin_length_q, cfgwin_length_d;
  logic [31:0] cfg_rdata_q, cfg_rdata_d;
  logic [1:0]  pm_state_q, pm_state_d;  // PMCSR PowerState: D0 or D3hot only

  // ---- Outputs: functions of the registers only ----
  assign cfg_rdata_o      = cfg_rdata_q;
  // In D3hot the function answers configuration requests only: no memory space, no MSI-X
  // (bus master off), INTx deasserted. The Command register still reads what was written.
  assign cmd_mem_en_o     = cmd_q[1] && (pm_state_q == PmD0);
  assign cmd_bus_master_o = cmd_q[2] && (pm_state_q == PmD0);
  assign cmd_intx_dis_o   = cmd_q[10] || (pm_state_q != PmD0);
  assign bar0_base_o      = {bar1_q, bar0_q};
  assign mps_o            = devctl_q[7:5];
  assign mrrs_o           = devctl_q[14:12];
  assign ext_tag_en_o     = devctl_q[8];
  assign rcb_o            = lnkctl_q[3];
  assign msix_en_o        = msix_en_q;
  assign msix_fmask_o     = msix_fmask_q;
  assign cfgwin_bar_o     = cfgwin_bar_q;
  assign cfgwin_offset_o  = cfgwin_offset_q;
  assign cfgwin_length_o  = cfgwin_length_q;

  // ---- Register-bus decode ----
  logic [11:0] addr;
  logic        hit;
  logic        wr;
  logic [31:16] w1;     // the bits a write sets to 1 in the upper half (for RW1C)
  logic [31:0] rdata;   // the addressed DW as a read returns it
  logic [31:0] wval;    // rdata with the written bytes replaced: what a write leaves
  logic [15:0] sts_rd;
  logic [15:0] msix_ctl;
  logic [15:0] devsta_rd;

  assign addr = {reg_addr_i[11:2], 2'b00};
  assign hit  = reg_req_i && !reg_space_i;
  assign wr   = hit && reg_we_i;
  assign w1   = reg_wdata_i[31:16] & {{8{reg_be_i[3]}}, {8{reg_be_i[2]}}};
  assign wval = vep_pkg::merge32(rdata, reg_wdata_i, reg_be_i);

  // Read data
  always_comb begin
    sts_rd = StsCapList | sts_q;
    if (isr_pending_i && !msix_en_q) sts_rd = sts_rd | StsIntx;
    msix_ctl = {msix_en_q, msix_fmask_q, 3'b000, MsixTableSize};
    devsta_rd = (devsta_urd_q ? DevStaUrd : 16'd0) | (devsta_fed_q ? DevStaFed : 16'd0);
    unique case (addr)
      AddrId:        rdata = IdDw;
      AddrCmdSts:    rdata = {sts_rd, cmd_q};
      AddrClassRev:  rdata = ClassRevDw;
      AddrCacheLine: rdata = {24'd0, cache_line_q};
      AddrBar0:      rdata = {bar0_q, Bar0Low};
      AddrBar1:      rdata = bar1_q;
      AddrSubsys:    rdata = SubsysDw;
      AddrCapPtr:    rdata = CapPtrDw;
      AddrIntLine:   rdata = {16'd0, IntPin, int_line_q};
      // PCI Express capability
      AddrPcieHdr:   rdata = PcieHdrDw;
      AddrDevCap:    rdata = DevCapDw;
      AddrDevCtlSta: rdata = {devsta_rd, devctl_q};
      AddrLnkCap:    rdata = LnkCapDw;
      AddrLnkCtlSta: rdata = {LnkSta, lnkctl_q};
      AddrDevCap2:   rdata = DevCap2Dw;
      AddrDevCtl2:   rdata = {16'd0, devctl2_q};
      AddrLnkCap2:   rdata = LnkCap2Dw;
      AddrLnkCtl2:   rdata = LnkCtl2Dw;
      // MSI-X capability: table and PBA in BAR0 (BIR 0)
      AddrMsixHdr:   rdata = {msix_ctl, MsixHdrLow};
      AddrMsixTable: rdata = MsixTableDw;
      AddrMsixPba:   rdata = MsixPbaDw;
      // virtio capabilities; bar (+4) reads 0 (BAR0) except in the PCI_CFG capability
      CommonOff:     rdata = CommonDw0;
      CommonOff + CapOffset: rdata = CommonBarOff;
      CommonOff + CapLength: rdata = CommonBarLen;
      NotifyOff:     rdata = NotifyDw0;
      NotifyOff + CapOffset: rdata = NotifyBarOff;
      NotifyOff + CapLength: rdata = NotifyBarLen;
      NotifyOff + CapExtra:  rdata = NotifyMult;
      IsrOff:        rdata = IsrDw0;
      IsrOff + CapOffset:    rdata = IsrBarOff;
      IsrOff + CapLength:    rdata = IsrBarLen;
      DeviceOff:     rdata = DeviceDw0;
      DeviceOff + CapOffset: rdata = DeviceBarOff;
      DeviceOff + CapLength: rdata = DeviceBarLen;
      PciCfgOff:     rdata = PciCfgDw0;
      PciCfgOff + CapBar:    rdata = {24'd0, cfgwin_bar_q};
      PciCfgOff + CapOffset: rdata = cfgwin_offset_q;
      PciCfgOff + CapLength: rdata = cfgwin_length_q;
      // pci_cfg_data (+16) is served by vep_completer as a BAR0 access: reads 0 here
      // Power Management capability: PMCSR = {0, NoSoft_Reset, 0, PowerState}
      AddrPmHdr:     rdata = PmHdrDw;
      AddrPmCsr:     rdata = {16'd0, PmNoSoftReset | {14'd0, pm_state_q}};
      default:       rdata = 32'd0;
    endcase
  end

  // Next state
  always_comb begin
    cmd_d           = cmd_q;
    sts_d           = sts_q;
    cache_line_d    = cache_line_q;
    int_line_d      = int_line_q;
    bar0_d          = bar0_q;
    bar1_d          = bar1_q;
    devctl_d        = devctl_q;
    devsta_urd_d    = devsta_urd_q;
    devsta_fed_d    = devsta_fed_q;
    lnkctl_d        = lnkctl_q;
    devctl2_d       = devctl2_q;
    msix_en_d       = msix_en_q;
    msix_fmask_d    = msix_fmask_q;
    cfgwin_bar_d    = cfgwin_bar_q;
    cfgwin_offset_d = cfgwin_offset_q;
    cfgwin_length_d = cfgwin_length_q;
    pm_state_d      = pm_state_q;
    cfg_rdata_d     = (hit && !reg_we_i) ? rdata : 32'd0;

    if (wr) begin
      unique case (addr)
        AddrCmdSts: begin
          cmd_d = wval[15:0] & CmdWMask;
          sts_d = sts_q & ~(w1[31:16] & StsRw1c);
        end
        AddrCacheLine: cache_line_d = wval[7:0];
        AddrBar0:      bar0_d = wval[31:15];
        AddrBar1:      bar1_d = wval;
        AddrIntLine:   int_line_d = wval[7:0];
        AddrDevCtlSta: begin
          devctl_d = (wval[15:0] & DevCtlWMask) | (devctl_q & ~DevCtlWMask);
          if ((w1 & DevStaUrd) != 16'd0) devsta_urd_d = 1'b0;
          if ((w1 & DevStaFed) != 16'd0) devsta_fed_d = 1'b0;
        end
        AddrLnkCtlSta: lnkctl_d = wval[15:0] & LnkCtlWMask;
        AddrDevCtl2:   devctl2_d = wval[15:0] & DevCtl2WMask;
        AddrMsixHdr: begin
          msix_fmask_d = wval[30];
          msix_en_d    = wval[31];
        end
        PciCfgOff + CapBar:    cfgwin_bar_d = wval[7:0];
        PciCfgOff + CapOffset: cfgwin_offset_d = wval;
        PciCfgOff + CapLength: cfgwin_length_d = wval;
        // PowerState: D0 and D3hot only; a write of D1 or D2 is ignored
        AddrPmCsr: if (wval[1:0] == PmD0 || wval[1:0] == PmD3hot) pm_state_d = wval[1:0];
        default: ;
      endcase
    end

    // RW1C: an event on the same edge as the clear wins, so no event is lost.
    if (ev_ca_i) sts_d = sts_d | StsSigTgtAbort;
    if (ev_ur_i) devsta_urd_d = 1'b1;
    if (ev_malformed_i) devsta_fed_d = 1'b1;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cmd_q           <= '0;
      sts_q           <= '0;
      cache_line_q    <= '0;
      int_line_q      <= '0;
      bar0_q          <= '0;
      bar1_q          <= '0;
      devctl_q        <= DevCtlReset;
      devsta_urd_q    <= 1'b0;
      devsta_fed_q    <= 1'b0;
      lnkctl_q        <= '0;
      devctl2_q       <= '0;
      msix_en_q       <= 1'b0;
      msix_fmask_q    <= 1'b0;
      cfgwin_bar_q    <= '0;
      cfgwin_offset_q <= '0;
      cfgwin_length_q <= '0;
      cfg_rdata_q     <= '0;
      pm_state_q      <= PmD0;
    end else begin
      cmd_q           <= cmd_d;
      sts_q           <= sts_d;
      cache_line_q    <= cache_line_d;
      int_line_q      <= int_line_d;
      bar0_q          <= bar0_d;
      bar1_q          <= bar1_d;
      devctl_q        <= devctl_d;
      devsta_urd_q    <= devsta_urd_d;
      devsta_fed_q    <= devsta_fed_d;
      lnkctl_q        <= lnkctl_d;
      devctl2_q       <= devctl2_d;
      msix_en_q       <= msix_en_d;
      msix_fmask_q    <= msix_fmask_d;
      cfgwin_bar_q    <= cfgwin_bar_d;
      cfgwin_offset_q <= cfgwin_offset_d;
      cfgwin_length_q <= cfgwin_length_d;
      cfg_rdata_q     <= cfg_rdata_d;
      pm_state_q      <= pm_state_d;
    end
  end

  // Only the DW address matters: reg_addr_i[1:0] are 0 and [14:12] is BAR0's region field.
  logic unused_addr;
  assign unused_addr = ^{reg_addr_i[14:12], reg_addr_i[1:0]};

endmodule

`default_nettype wire
