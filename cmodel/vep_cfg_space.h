/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_cfg_space: the 4 KiB PCI configuration space of the endpoint (rtl/vep_cfg_space.sv): type 0
 * header, PCI Express capability, MSI-X capability, the five virtio capabilities, PCI Power
 * Management. Register map:
 * docs/registers.md. Only accesses with bus.reg_space == 0 hit this block.
 *
 * Timing (docs/microarchitecture.md): an access seen in cycle N is answered on cfg_rdata in cycle
 * N+1; writes and events take effect on the edge ending cycle N. Outputs depend on q only.
 * All functions expect parameters accepted by vep_model_check_params().
 */
#ifndef VEP_CFG_SPACE_H
#define VEP_CFG_SPACE_H

#include <stdint.h>

#include "vep_ports.h"
#include "vep_types.h"

/* The flops: same names as the _q signals of rtl/vep_cfg_space.sv. */
typedef struct vep_cfg_space_q {
  uint16_t cmd_q;            /* Command, only VEP_CMD_WRITABLE bits can be 1 */
  uint16_t sts_q;            /* Status, only the RW1C bits (VEP_STS_RW1C) are stored */
  uint8_t cache_line_q;      /* Cache Line Size */
  uint8_t int_line_q;        /* Interrupt Line */
  uint32_t bar0_q;           /* BAR0 address bits [31:15] in place; [14:0] stored as 0 */
  uint32_t bar1_q;           /* BAR1: address bits [63:32] */
  uint16_t devctl_q;         /* PCIe Device Control */
  uint8_t devsta_urd_q;      /* PCIe Device Status: Unsupported Request Detected */
  uint8_t devsta_fed_q;      /* PCIe Device Status: Fatal Error Detected */
  uint16_t lnkctl_q;         /* PCIe Link Control, VEP_PCIE_LNKCTL_WMASK bits */
  uint16_t devctl2_q;        /* PCIe Device Control 2, VEP_PCIE_DEVCTL2_WMASK bits */
  uint8_t msix_en_q;         /* MSI-X Message Control bit 15 */
  uint8_t msix_fmask_q;      /* MSI-X Message Control bit 14 */
  uint8_t cfgwin_bar_q;      /* virtio_pci_cfg_cap.cap.bar */
  uint32_t cfgwin_offset_q;  /* virtio_pci_cfg_cap.cap.offset */
  uint32_t cfgwin_length_q;  /* virtio_pci_cfg_cap.cap.length */
  uint32_t cfg_rdata_q;      /* read data of the previous cycle's access */
  uint8_t pm_state_q;        /* PMCSR PowerState: VEP_PM_STATE_D0 or VEP_PM_STATE_D3HOT */
} vep_cfg_space_q_t;

typedef struct vep_cfg_space_in {
  vep_regbus_t bus;
  uint8_t isr_pending;       /* from vep_isr: mirrored in Status bit 3 while MSI-X is off */
  uint8_t ev_ur;             /* strobe from vep_completer: sets DevSta.URD */
  uint8_t ev_ca;             /* strobe from vep_completer: sets Status.Signaled Target Abort */
  uint8_t ev_malformed;      /* strobe from vep_rx_demux: sets DevSta.FED */
} vep_cfg_space_in_t;

typedef struct vep_cfg_space_out {
  uint32_t cfg_rdata;
  uint8_t cmd_mem_en;        /* Command[1] and PowerState D0 */
  uint8_t cmd_bus_master;    /* Command[2] and PowerState D0 */
  uint8_t cmd_intx_dis;      /* Command[10] or PowerState not D0 */
  uint64_t bar0_base;        /* RTL bar0_base_o[63:15], here as a byte address: [14:0] = 0 */
  uint8_t mps;               /* DevCtl[7:5] */
  uint8_t mrrs;              /* DevCtl[14:12] */
  uint8_t ext_tag_en;        /* DevCtl[8] */
  uint8_t rcb;               /* LinkCtl[3] */
  uint8_t msix_en;
  uint8_t msix_fmask;
  uint8_t cfgwin_bar;
  uint32_t cfgwin_offset;
  uint32_t cfgwin_length;
} vep_cfg_space_out_t;

/* Sets q to the values of the asynchronous reset (rst_ni low). */
void vep_cfg_space_reset(vep_cfg_space_q_t *q, const vep_params_t *p);
/* The outputs of the current cycle, from q only (the RTL's assigns). */
void vep_cfg_space_outputs(const vep_cfg_space_q_t *q, const vep_params_t *p,
                           vep_cfg_space_out_t *out);
/* The next state (the RTL's always_comb). *d must start as a copy of *q. */
void vep_cfg_space_next(const vep_cfg_space_q_t *q, const vep_params_t *p,
                        const vep_cfg_space_in_t *in, vep_cfg_space_q_t *d);

#endif /* VEP_CFG_SPACE_H */
