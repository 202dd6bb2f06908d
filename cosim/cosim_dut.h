/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The DUT adapter: what cosim needs from an endpoint, as an ops table, so that the bus model
 * runs the Verilated RTL, the C model, or both in lockstep without knowing which.
 *
 * A cycle, as cosim drives it: outputs() gives the outputs of the current cycle (functions of the
 * registers only, vep_ports.h), the bus computes the inputs of the same cycle from them, then
 * step() applies the inputs and clocks one rising edge.
 */
#ifndef COSIM_DUT_H
#define COSIM_DUT_H

#include <errno.h>
#include <stddef.h>

#include "cosim.h"
#include "cosim_err.h"
#include "vep_ports.h"

typedef struct cosim_dut cosim_dut_t;

/* What a DUT can show of its internals (cosim_dut_observe). */
typedef struct cosim_dut_obs {
  unsigned dev_err_code;  /* VEP_ERR_* behind DEVICE_NEEDS_RESET while it is set, else 0 */
} cosim_dut_obs_t;

typedef struct cosim_dut_ops {
  void (*destroy)(cosim_dut_t *d);
  void (*outputs)(cosim_dut_t *d, vep_out_t *out);
  void (*step)(cosim_dut_t *d, const vep_in_t *in);
  /* Starts an FST waveform of everything from now on. Returns 0, -ENOTSUP (this DUT has no
   * waveform), or another negative errno. path NULL stops the waveform (the file is complete;
   * it cannot be restarted): a trace window's end, without a new op every wrapper must forward. */
  int (*trace_open)(cosim_dut_t *d, const char *path);
  const char *(*name)(const cosim_dut_t *d);
} cosim_dut_ops_t;

/* Every implementation starts its own struct with this one. */
struct cosim_dut {
  const cosim_dut_ops_t *ops;
  /* Optional op, outside the table so that adapters written before it need no change (NULL: not
   * available): internal state for coverage, read without effect on the DUT. Returns 0, or
   * -ENOTSUP when this DUT cannot show it. */
  int (*observe)(const cosim_dut_t *d, cosim_dut_obs_t *obs);
};

static inline void cosim_dut_destroy(cosim_dut_t *d) {
  if (d) d->ops->destroy(d);
}
static inline void cosim_dut_outputs(cosim_dut_t *d, vep_out_t *out) { d->ops->outputs(d, out); }
static inline void cosim_dut_step(cosim_dut_t *d, const vep_in_t *in) { d->ops->step(d, in); }
static inline int cosim_dut_trace_open(cosim_dut_t *d, const char *path) {
  return d->ops->trace_open(d, path);
}
static inline int cosim_dut_trace_close(cosim_dut_t *d) { return d->ops->trace_open(d, NULL); }
static inline const char *cosim_dut_name(const cosim_dut_t *d) { return d->ops->name(d); }
static inline int cosim_dut_observe(const cosim_dut_t *d, cosim_dut_obs_t *obs) {
  return d->observe ? d->observe(d, obs) : -ENOTSUP;
}

/* The C model (cmodel/vep_model.h). Returns 0, -EINVAL (parameters the model rejects; the reason
 * in *why when why is not NULL), -ENOMEM. trace_open gives -ENOTSUP. */
int cosim_dut_cmodel_create(const vep_params_t *p, cosim_dut_t **out, const char **why);

/* The Verilated RTL (cosim_rtl_shim.cpp). The model is Verilated with fixed parameters; a p that
 * differs gives -EINVAL and, in why (a buffer of whylen bytes), which parameter differs and how
 * to rebuild. */
int cosim_dut_rtl_create(const vep_params_t *p, cosim_dut_t **out, char *why, size_t whylen);

/* Lockstep of two DUTs fed the same inputs. `lead` drives the bus (its outputs are what outputs()
 * returns), `ref` is compared with it after every step, every output port and every bit of
 * m_tx_data (the backend request fields while m_blk_req_valid, m_blk_wdata_data while
 * m_blk_wdata_valid). The first mismatch is reported once into log (cycle, port, both values, the last
 * TLPs each side sent and received, and `repro` plus " --trace mismatch.fst") and comparison
 * stops. Takes ownership of lead and ref (also on failure). data_w: the stream width, for the
 * history of TLPs. trace_open goes to lead. */
int cosim_dut_lockstep_create(cosim_dut_t *lead, cosim_dut_t *ref, unsigned data_w,
                              cosim_errlog_t *log, const char *repro, cosim_dut_t **out);
/* Nonzero once d (a lockstep adapter) found a mismatch. */
int cosim_dut_lockstep_diverged(const cosim_dut_t *d);
/* The port of d's first mismatch (a static string), or NULL before any or when d is not a
 * lockstep adapter. */
const char *cosim_dut_lockstep_mismatch_port(const cosim_dut_t *d);

/* ---- Building a simulation around a DUT ---- */

/* Makes the DUT of a simulation. log is the simulation's error list (for lockstep reports). */
typedef int (*cosim_dut_factory_t)(void *ctx, const cosim_cfg_t *cfg, cosim_errlog_t *log,
                                   cosim_dut_t **out);
/* The factory cosim_create uses: cfg->dut chooses rtl, cmodel, or lockstep (rtl leads, cmodel is
 * compared). A reason for a refusal is printed on stderr, since no simulation exists yet to
 * record it. */
int cosim_dut_factory_default(void *ctx, const cosim_cfg_t *cfg, cosim_errlog_t *log,
                              cosim_dut_t **out);
/* cosim_create with another DUT: an endpoint that is not this project's, or a test double.
 * cfg->dut is then only informative. */
int cosim_create_custom(const cosim_cfg_t *cfg, cosim_dut_factory_t make, void *ctx,
                        cosim_t **out);

#endif /* COSIM_DUT_H */
