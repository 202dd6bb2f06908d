/* SPDX-License-Identifier: Apache-2.0 */
/* DUT adapter over the Verilated RTL, through the extern "C" shim. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cosim_dut.h"
#include "cosim_rtl_shim.h"

typedef struct dut_rtl {
  cosim_dut_t base;
  cosim_rtl_t *r;
} dut_rtl_t;

static void rtl_destroy(cosim_dut_t *d) {
  dut_rtl_t *x = (dut_rtl_t *)d;
  cosim_rtl_delete(x->r);
  free(x);
}

static void rtl_outputs(cosim_dut_t *d, vep_out_t *out) {
  cosim_rtl_outputs(((dut_rtl_t *)d)->r, out);
}

static void rtl_step(cosim_dut_t *d, const vep_in_t *in) {
  cosim_rtl_step(((dut_rtl_t *)d)->r, in);
}

static int rtl_trace_open(cosim_dut_t *d, const char *path) {
  return cosim_rtl_trace_open(((dut_rtl_t *)d)->r, path);
}

static const char *rtl_name(const cosim_dut_t *d) {
  (void)d;
  return "rtl";
}

/* The Verilated model's internals are not exposed (no DPI for the error code). */
static int rtl_observe(const cosim_dut_t *d, cosim_dut_obs_t *obs) {
  (void)d;
  (void)obs;
  return -ENOTSUP;
}

static const cosim_dut_ops_t rtl_ops = {
    .destroy = rtl_destroy,
    .outputs = rtl_outputs,
    .step = rtl_step,
    .trace_open = rtl_trace_open,
    .name = rtl_name,
};

int cosim_dut_rtl_create(const vep_params_t *p, cosim_dut_t **out, char *why, size_t whylen) {
  if (!p || !out) return -EINVAL;
  vep_params_t built;
  cosim_rtl_params(&built);
  const char *name = NULL;
  unsigned want = 0, have = 0;
#define RTL_PARAM(f)                 \
  if (!name && p->f != built.f) {    \
    name = #f;                       \
    want = p->f;                     \
    have = built.f;                  \
  }
  RTL_PARAM(DATA_W) RTL_PARAM(NUM_QUEUES) RTL_PARAM(QUEUE_SIZE_MAX) RTL_PARAM(MSIX_VECTORS)
  RTL_PARAM(DMA_TAGS) RTL_PARAM(DEVICE_ID) RTL_PARAM(BLK_SEG_MAX) RTL_PARAM(BLK_SIZE)
#undef RTL_PARAM
  if (name) {
    if (why && whylen)
      snprintf(why, whylen,
               "the linked RTL model was Verilated with %s=%u but %s=%u was asked for: rebuild "
               "with `make %s=%u` (it re-Verilates build/vrtl/ with -G%s=%u and compiles "
               "cosim_rtl_shim.cpp with -DVEP_RTL_%s=%u), or use the default parameters",
               name, have, name, want, name, want, name, want, name, want);
    return -EINVAL;
  }
  dut_rtl_t *x = calloc(1, sizeof(*x));
  if (!x) return -ENOMEM;
  x->base.ops = &rtl_ops;
  x->base.observe = rtl_observe;
  x->r = cosim_rtl_new();
  if (!x->r) {
    free(x);
    return -ENOMEM;
  }
  *out = &x->base;
  return 0;
}
