/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vep_skid: a two-entry skid buffer for a valid/ready stream (rtl/vep_skid.sv). s_ready is
 * registered (not full), m_valid/m_data come from the head register; one beat per cycle.
 * The payload is opaque: up to VEP_SKID_WORDS 64-bit words (the RTL's parameter W bits, in
 * word 0 bit 0 upwards); bits beyond W must be 0.
 */
#ifndef VEP_SKID_H
#define VEP_SKID_H

#include <stdint.h>

#include "vep_ports.h"

#define VEP_SKID_WORDS (VEP_DATA_QWORDS + 1)   /* a DATA_W beat plus its side bits */

/* The flops: same names as the _q signals of rtl/vep_skid.sv. */
typedef struct vep_skid_q {
  uint8_t cnt_q;                       /* entries held, 0..2 */
  uint64_t e0_q[VEP_SKID_WORDS];       /* head; zero when empty */
  uint64_t e1_q[VEP_SKID_WORDS];       /* second entry; zero when not held */
} vep_skid_q_t;

typedef struct vep_skid_in {
  uint8_t s_valid;
  uint64_t s_data[VEP_SKID_WORDS];
  uint8_t m_ready;
} vep_skid_in_t;

typedef struct vep_skid_out {
  uint8_t s_ready;
  uint8_t m_valid;
  uint64_t m_data[VEP_SKID_WORDS];
} vep_skid_out_t;

/* Sets q to the values of the asynchronous reset (rst_ni low). */
void vep_skid_reset(vep_skid_q_t *q, const vep_params_t *p);
/* The outputs of the current cycle, from q only (the RTL's assigns). */
void vep_skid_outputs(const vep_skid_q_t *q, const vep_params_t *p, vep_skid_out_t *out);
/* The next state (the RTL's always_comb). *d must start as a copy of *q. */
void vep_skid_next(const vep_skid_q_t *q, const vep_params_t *p, const vep_skid_in_t *in,
                   vep_skid_q_t *d);

#endif /* VEP_SKID_H */
