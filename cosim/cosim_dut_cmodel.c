/* SPDX-License-Identifier: Apache-2.0 */
/* DUT adapter over the C model. */
#include <errno.h>
#include <stdlib.h>

#include "cosim_dut.h"
#include "vep_model.h"

typedef struct dut_cmodel {
  cosim_dut_t base;
  vep_model_t *m;
} dut_cmodel_t;

static void cm_destroy(cosim_dut_t *d) {
  dut_cmodel_t *c = (dut_cmodel_t *)d;
  vep_model_destroy(c->m);
  free(c);
}

static void cm_outputs(cosim_dut_t *d, vep_out_t *out) {
  vep_model_outputs(((dut_cmodel_t *)d)->m, out);
}

static void cm_step(cosim_dut_t *d, const vep_in_t *in) {
  vep_model_step(((dut_cmodel_t *)d)->m, in);
}

static int cm_trace_open(cosim_dut_t *d, const char *path) {
  (void)d;
  (void)path;
  return -ENOTSUP;
}

static const char *cm_name(const cosim_dut_t *d) {
  (void)d;
  return "cmodel";
}

static int cm_observe(const cosim_dut_t *d, cosim_dut_obs_t *obs) {
  obs->dev_err_code = vep_model_device_error(((const dut_cmodel_t *)d)->m);
  return 0;
}

static const cosim_dut_ops_t cmodel_ops = {
    .destroy = cm_destroy,
    .outputs = cm_outputs,
    .step = cm_step,
    .trace_open = cm_trace_open,
    .name = cm_name,
};

int cosim_dut_cmodel_create(const vep_params_t *p, cosim_dut_t **out, const char **why) {
  if (!p || !out) return -EINVAL;
  int rc = vep_model_check_params(p, why);
  if (rc) return rc;
  dut_cmodel_t *c = calloc(1, sizeof(*c));
  if (!c) return -ENOMEM;
  c->base.ops = &cmodel_ops;
  c->base.observe = cm_observe;
  rc = vep_model_create(p, &c->m);
  if (rc) {
    free(c);
    return rc;
  }
  *out = &c->base;
  return 0;
}
