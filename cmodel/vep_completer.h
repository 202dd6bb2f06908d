/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_completer: serves the host's requests one at a time (rtl/vep_completer.sv): decodes them
 * (configuration space, BAR0 hit, unsupported), performs their DW accesses on the register bus,
 * translates the virtio_pci_cfg_cap window (pci_cfg_data) into BAR0 accesses, captures the
 * bus/device number from CfgWr0, builds the completion, and reports UR and CA events. What it
 * answers to each request is listed in docs/interface.md.
 *
 * Timing (docs/microarchitecture.md): outputs depend on q only. The request is decoded on the
 * edge that takes it; register strobes follow on the next cycles (CplAcc0, CplAcc1); read data
 * is taken the cycle after its strobe (CplAcc1, CplData); then the completion is offered (CplTx).
 */
#ifndef VEP_COMPLETER_H
#define VEP_COMPLETER_H

#include <stdint.h>

#include "vep_ports.h"
#include "vep_types.h"

/* FSM states: vep_pkg::cpl_state_e, same names and values. */
typedef enum vep_cpl_state {
  CplIdle = 0,  /* req_ready */
  CplAcc0 = 1,  /* register strobe of the first DW on the bus */
  CplAcc1 = 2,  /* register strobe of the second DW; read data of the first on reg_rdata */
  CplData = 3,  /* read data of the last DW on reg_rdata */
  CplTx = 4     /* completion offered to the TX arbiter */
} vep_cpl_state_e;

/* The flops: same names as the _q signals of rtl/vep_completer.sv. */
typedef struct vep_completer_q {
  vep_cpl_state_e state_q;
  vep_req_t req_q;                /* the request being served */
  uint16_t completer_id_q;        /* {bus, device, 3'b000}, captured from CfgWr0 */
  uint8_t reg_req_q;
  uint8_t reg_space_q;
  uint8_t reg_we_q;
  uint16_t reg_addr_q;
  uint8_t reg_be_q;
  uint32_t reg_wdata_q;
  uint8_t two_dw_q;               /* a second DW access follows the first */
  uint8_t rd_shift_q;             /* window reads: byte offset within the DW */
  uint8_t rd_bmask_q;             /* window reads: bytes kept after the shift */
  uint8_t status_q;               /* completion status */
  uint8_t cpl_dw_q;               /* completion payload DWs; 0 = no data */
  uint64_t data_q;                /* completion payload, DW 0 in [31:0] */
  uint8_t ev_ur_q;
  uint8_t ev_ca_q;
} vep_completer_q_t;

typedef struct vep_completer_in {
  uint8_t req_valid;
  vep_req_t req;
  uint32_t reg_rdata;             /* OR of the register blocks' read data */
  uint8_t cmd_mem_en;
  uint64_t bar0_base;             /* RTL bar0_base_i[63:15], here as a byte address: [14:0] = 0 */
  uint8_t cfgwin_bar;
  uint32_t cfgwin_offset;
  uint32_t cfgwin_length;
  uint8_t cpl_ready;              /* from vep_tx_arbiter (registered there) */
} vep_completer_in_t;

typedef struct vep_completer_out {
  uint8_t req_ready;
  vep_regbus_t bus;               /* RTL reg_*_o */
  uint16_t completer_id;
  uint8_t ev_ur;                  /* strobe: answered UR, or dropped as unsupported */
  uint8_t ev_ca;                  /* strobe: a CA completion was built */
  uint8_t cpl_valid;
  vep_small_tlp_t cpl_tlp;
} vep_completer_out_t;

/* Sets q to the values of the asynchronous reset (rst_ni low). */
void vep_completer_reset(vep_completer_q_t *q, const vep_params_t *p);
/* The outputs of the current cycle, from q only (the RTL's assigns). */
void vep_completer_outputs(const vep_completer_q_t *q, const vep_params_t *p,
                           vep_completer_out_t *out);
/* The next state (the RTL's always_comb). *d must start as a copy of *q. */
void vep_completer_next(const vep_completer_q_t *q, const vep_params_t *p,
                        const vep_completer_in_t *in, vep_completer_q_t *d);

#endif /* VEP_COMPLETER_H */
