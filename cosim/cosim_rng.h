/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bus model's random numbers: splitmix64, one state per simulation, seeded from
 * cosim_cfg.seed. Every random choice of cosim flows from this one state so that the printed seed
 * reproduces a run exactly (rand() would be shared with the rest of the process).
 */
#ifndef COSIM_RNG_H
#define COSIM_RNG_H

#include <stdint.h>

typedef struct cosim_rng {
  uint64_t s;
} cosim_rng_t;

static inline void cosim_rng_seed(cosim_rng_t *r, uint64_t seed) { r->s = seed; }

static inline uint64_t cosim_rng_next(cosim_rng_t *r) {
  uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Uniform in [0, n) for n > 0 (the modulo bias is below 2^-32 for the small n used here). */
static inline uint32_t cosim_rng_below(cosim_rng_t *r, uint32_t n) {
  return (uint32_t)(cosim_rng_next(r) % n);
}

#endif /* COSIM_RNG_H */
