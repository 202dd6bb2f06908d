/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The RTL adapter of a build without Verilator (the libFuzzer harness runs the C model alone):
 * cosim_dut.c's factory links against cosim_dut_rtl_create, and here asking for the RTL (or for
 * lockstep) is refused with the reason instead of a link error.
 */
#include <errno.h>
#include <stdio.h>

#include "cosim_dut.h"

int cosim_dut_rtl_create(const vep_params_t *p, cosim_dut_t **out, char *why, size_t whylen) {
  (void)p;
  *out = NULL;
  if (why && whylen) snprintf(why, whylen, "this program is built without the Verilated RTL");
  return -ENOTSUP;
}
