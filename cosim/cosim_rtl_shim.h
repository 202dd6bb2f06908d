/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A C API over the Verilated vep_top (cosim_rtl_shim.cpp, the project's only C++). The parameters
 * are those the model was Verilated with, fixed at build time (-DVEP_RTL_<PARAM>=...).
 *
 * One step: apply the inputs with clk_i = 0 and evaluate; clk_i = 1 and evaluate (the rising
 * edge); clk_i = 0 and evaluate. With a trace open, cycle N appears in the FST with its inputs at
 * t = 10N+1, its rising edge at t = 10N+5 and the falling edge at t = 10N+10.
 */
#ifndef COSIM_RTL_SHIM_H
#define COSIM_RTL_SHIM_H

#include "vep_ports.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cosim_rtl cosim_rtl_t;

/* The parameters the linked model was Verilated with. */
void cosim_rtl_params(vep_params_t *p);
/* A new model, its VerilatedContext owned by it, with rst_ni = 0 evaluated so that its outputs
 * are the reset values. NULL when memory runs out. */
cosim_rtl_t *cosim_rtl_new(void);
/* Calls final(), closes the trace, deletes the model and its context. */
void cosim_rtl_delete(cosim_rtl_t *r);
void cosim_rtl_outputs(const cosim_rtl_t *r, vep_out_t *out);
void cosim_rtl_step(cosim_rtl_t *r, const vep_in_t *in);
/* Opens an FST waveform at path. Returns 0, -EBUSY (a trace is already open: Verilator attaches
 * a model to one trace for its lifetime), or the errno of creating the file, negated.
 * Opened later than cosim_rtl_new, the FST starts at the current time (its first dump holds
 * every signal's value); the time keeps counting from the model's creation, so cycle N stays
 * at 10N+1..10N+10 whenever the trace was opened. path NULL stops the waveform: the file is
 * closed and complete, nothing more is written, and the trace cannot be opened again. */
int cosim_rtl_trace_open(cosim_rtl_t *r, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* COSIM_RTL_SHIM_H */
