/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TLP log: every TLP on the link, both directions, one line each, the way a protocol analyzer
 * shows it, with its virtio meaning (docs/tlp-log.md):
 *
 *   cycle  dir    kind    fields...                               | meaning
 *
 * The meaning of a memory access comes from the ring monitor (cosim_vmon_describe); of a
 * configuration access, from the register map; of a completion, from the request it answers
 * (matched by Requester ID and Tag).
 */
#ifndef COSIM_TLPLOG_H
#define COSIM_TLPLOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cosim_tlp.h"
#include "cosim_vmon.h"

typedef struct cosim_tlplog cosim_tlplog_t;

/* Opens path for appending (several simulations of one test share a file). vmon: where meanings come from (must outlive the log).
 * Returns 0, or the negative errno of fopen. */
int cosim_tlplog_create(const char *path, const cosim_vmon_t *vmon, cosim_tlplog_t **out);
void cosim_tlplog_destroy(cosim_tlplog_t *l);

/* A TLP the root complex sends (its DWs, as on the link); fault: injected by fault injection. */
void cosim_tlplog_host(cosim_tlplog_t *l, uint64_t cycle, const uint32_t *dws, size_t n, int fault);
/* A TLP from the device, decoded. */
void cosim_tlplog_dev(cosim_tlplog_t *l, uint64_t cycle, const cosim_tlp_t *t);
/* An access the root port answered itself, with nothing on the link (e.g. UR for a device number
 * other than 0 on the endpoint's bus). */
void cosim_tlplog_note(cosim_tlplog_t *l, uint64_t cycle, const char *what);

/* The name of the configuration register at byte offset off of this endpoint ("Command",
 * "BAR0", "MSI-X cap Message Control", "virtio cap COMMON_CFG", ...). */
void cosim_tlplog_cfg_reg_name(unsigned off, char *buf, size_t len);

#endif /* COSIM_TLPLOG_H */
