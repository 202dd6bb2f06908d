/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cycle-accurate C model of the virtio PCI endpoint (rtl/vep_top.sv). Pure C11, no dependency:
 * usable alone. On the same inputs it drives the same outputs on the same cycles as the RTL.
 *
 * Use:
 *   vep_model_t *m;  vep_model_create(&params, &m);
 *   loop { vep_model_outputs(m, &out); ...compute in from out...; vep_model_step(m, &in); }
 *   vep_model_destroy(m);
 *
 * Reset is a port (in.rst_ni = 0): the model resets its registers immediately, as the
 * asynchronous reset of the RTL does, and holds them in reset on every step while rst_ni is 0.
 */
#ifndef VEP_MODEL_H
#define VEP_MODEL_H

#ifdef __cplusplus
extern "C" {
#endif

#include "vep_ports.h"

typedef struct vep_model vep_model_t;

/* Checks the parameters (same rules as the RTL's elaboration checks). Returns 0, or -EINVAL with
 * a message in *why (static string) when why is not NULL; -ENOMEM. */
int vep_model_check_params(const vep_params_t *p, const char **why);
int vep_model_create(const vep_params_t *p, vep_model_t **out);
void vep_model_destroy(vep_model_t *m);

/* The outputs of the current cycle: a function of the registers only. */
void vep_model_outputs(const vep_model_t *m, vep_out_t *out);

/* Applies the inputs of the current cycle and clocks one rising edge. */
void vep_model_step(vep_model_t *m, const vep_in_t *in);

/* Observation for coverage, with no effect on cycles or outputs: the VEP_ERR_* code of the
 * data-path error that raised DEVICE_NEEDS_RESET, while that bit is set; VEP_ERR_NONE otherwise
 * (also when a driver error, queue_enable written other than 1, raised it). */
uint8_t vep_model_device_error(const vep_model_t *m);

/* Cycles stepped since create. */
uint64_t vep_model_cycles(const vep_model_t *m);

#ifdef __cplusplus
}
#endif

#endif /* VEP_MODEL_H */
