/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_msix: the MSI-X table (BAR0 region 4) and PBA (region 5) (rtl/vep_msix.sv). Interrupt
 * events (configuration change; queue q via q_irq/q_vector) set the pending bit of their vector;
 * the lowest pending vector whose entry is unmasked goes out as a MWr on msg_valid/msg_tlp while
 * MSI-X is enabled, the function is unmasked and Bus Master is on. The pending bit clears on the
 * handshake (msg_valid && msg_ready). An offer is withdrawn, the bit staying pending, as soon as
 * the message may no longer be sent (entry masked in the same cycle, or MSI-X disabled, function
 * masked or Bus Master off one cycle after the input changes); msg_tlp is built from the entry as
 * it is now. The virtio device reset (dev_reset) clears every pending bit and withdraws an offered
 * message; the table keeps its contents. Register map: docs/registers.md.
 *
 * Timing (docs/microarchitecture.md): an access seen in cycle N is answered on msix_rdata in cycle
 * N+1; writes and events take effect on the edge ending cycle N. Outputs depend on q only.
 * All functions expect parameters accepted by vep_model_check_params().
 */
#ifndef VEP_MSIX_H
#define VEP_MSIX_H

#include <stdint.h>

#include "vep_ports.h"
#include "vep_types.h"

/* Array bound: the largest MSIX_VECTORS the parameter checks accept. */
#define VEP_MSIX_VECTORS_MAX 64

/* The flops: same names as the _q signals of rtl/vep_msix.sv. Entry v of a tbl_*_q array is
 * table entry v (the RTL packs them into vectors). */
typedef struct vep_msix_q {
  uint32_t tbl_addr_lo_q[VEP_MSIX_VECTORS_MAX];  /* Message Address, bits [1:0] are 0 */
  uint32_t tbl_addr_hi_q[VEP_MSIX_VECTORS_MAX];  /* Message Upper Address */
  uint32_t tbl_data_q[VEP_MSIX_VECTORS_MAX];     /* Message Data */
  uint64_t tbl_mask_q;                           /* bit v: Vector Control mask of entry v */
  uint64_t pending_q;                            /* bit v: PBA pending bit of vector v */
  uint8_t msg_valid_q;
  uint8_t msg_vector_q;                          /* the vector offered on msg_valid/msg_tlp */
  uint16_t completer_id_q;                       /* Requester ID of the messages */
  uint32_t msix_rdata_q;
} vep_msix_q_t;

typedef struct vep_msix_in {
  vep_regbus_t bus;
  uint8_t msix_en;           /* MSI-X Enable, from vep_cfg_space */
  uint8_t msix_fmask;        /* MSI-X Function Mask, from vep_cfg_space */
  uint8_t bus_master;        /* Command.Bus Master Enable, from vep_cfg_space */
  uint16_t completer_id;     /* Requester ID of the messages, from vep_completer */
  uint8_t cfg_irq;           /* strobe from vep_common_cfg: configuration-change event */
  uint8_t dev_reset;         /* strobe from vep_common_cfg: virtio device reset */
  uint16_t config_vector;    /* msix_config, from vep_common_cfg */
  uint64_t q_irq;            /* strobe from vep_vq_used: bit q = queue q's interrupt event */
  uint16_t q_vector[64];     /* queue q's queue_msix_vector, from vep_common_cfg */
  uint8_t msg_ready;         /* from vep_tx_arbiter (registered there) */
} vep_msix_in_t;

typedef struct vep_msix_out {
  uint32_t msix_rdata;
  uint8_t msg_valid;
  vep_small_tlp_t msg_tlp;
} vep_msix_out_t;

/* Sets q to the values of the asynchronous reset (rst_ni low). */
void vep_msix_reset(vep_msix_q_t *q, const vep_params_t *p);
/* The outputs of the current cycle, from q only (the RTL's assigns). */
void vep_msix_outputs(const vep_msix_q_t *q, const vep_params_t *p, vep_msix_out_t *out);
/* The next state (the RTL's always_comb). *d must start as a copy of *q. */
void vep_msix_next(const vep_msix_q_t *q, const vep_params_t *p, const vep_msix_in_t *in,
                   vep_msix_q_t *d);

#endif /* VEP_MSIX_H */
