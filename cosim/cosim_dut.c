/* SPDX-License-Identifier: Apache-2.0 */
/* Which DUT a simulation runs: the factory behind cosim_create. Kept apart from cosim.c so that a
 * program bringing its own endpoint (cosim_create_custom) links neither Verilator nor the model. */
#include "cosim_dut.h"

#include <errno.h>
#include <stdio.h>

static int make_cmodel(const cosim_cfg_t *cfg, cosim_dut_t **out) {
  const char *why = NULL;
  int rc = cosim_dut_cmodel_create(&cfg->params, out, &why);
  if (rc) fprintf(stderr, "cosim: cannot create the C model: %s\n", why ? why : "out of memory");
  return rc;
}

static int make_rtl(const cosim_cfg_t *cfg, cosim_dut_t **out) {
  char why[400] = "out of memory";
  int rc = cosim_dut_rtl_create(&cfg->params, out, why, sizeof(why));
  if (rc) fprintf(stderr, "cosim: cannot create the RTL model: %s\n", why);
  return rc;
}

int cosim_dut_factory_default(void *ctx, const cosim_cfg_t *cfg, cosim_errlog_t *log,
                              cosim_dut_t **out) {
  (void)ctx;
  cosim_dut_t *rtl = NULL, *cm = NULL;
  int rc;
  switch (cfg->dut) {
  case COSIM_DUT_CMODEL: return make_cmodel(cfg, out);
  case COSIM_DUT_RTL: return make_rtl(cfg, out);
  case COSIM_DUT_LOCKSTEP:
    rc = make_rtl(cfg, &rtl);
    if (rc) return rc;
    rc = make_cmodel(cfg, &cm);
    if (rc) {
      cosim_dut_destroy(rtl);
      return rc;
    }
    return cosim_dut_lockstep_create(rtl, cm, cfg->params.DATA_W, log, cfg->repro, out);
  }
  return -EINVAL;
}

int cosim_create(const cosim_cfg_t *cfg, cosim_t **out) {
  return cosim_create_custom(cfg, cosim_dut_factory_default, NULL, out);
}
