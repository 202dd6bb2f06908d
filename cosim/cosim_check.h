/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PCIe transaction-layer checkers. A passive monitor of both directions of the link: it sees
 * every TLP the host sends and every TLP the device sends, keeps its own view of what is
 * outstanding and of the configuration the host programmed (Command, Device Control, the
 * captured bus/device number), and reports each broken rule into the error list, naming the TLP.
 *
 * Device side: stream framing (sop/eop/keep) and Length against the DW count; well-formed
 * encoding; completions of every status (Completer ID, Requester ID/Tag/TC/Attr of an
 * outstanding request, Byte Count and Lower Address, Cpl vs CplD, split at the 64-byte RCB,
 * payload <= MPS, none for a posted request, none unexpected; UR/CA/CRS without payload, with the
 * Byte Count of what the request still had to return: a memory read's remaining bytes, an
 * AtomicOp's operand size, 4 for anything else, and Lower Address 0 except for memory reads);
 * memory requests (Requester ID, Bus Master Enable, Length <= MPS for writes / MRRS for reads,
 * no 4 KiB crossing, byte enables, 3DW below 4 GiB, tag range and no tag reuse before the
 * completion finished, RO/NS/IDO only when enabled); only MRd, MWr, completions and
 * Assert/Deassert_INTA messages from an endpoint (none asserting while INTx Disable is set).
 * Host side: well-formed encoding and the same request rules, so a test that injects a
 * malformed TLP on purpose sees it reported; the root complex's own completions to device reads
 * are checked like the device's.
 *
 * The endpoint's configuration, as the checker tracks it, changes only through CfgWr0s to
 * function 0 (the endpoint's only function; writes to other functions are UR'd and change
 * nothing), and only once their completion came back SC: the committed view. Because the device
 * may act on a write before its completion reaches the host, a device request is also accepted
 * when it is legal under the committed view plus the CfgWr0s still in flight (in sending order);
 * a write answered UR/CA/CRS, or timed out, leaves flight without taking effect, which rolls that
 * view back.
 */
#ifndef COSIM_CHECK_H
#define COSIM_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "cosim_err.h"

#define COSIM_CHECK_RCB 64u     /* completions may split at 64-byte boundaries (either side) */

typedef struct cosim_check cosim_check_t;

/* Reports go to log, which must outlive the checker. Returns 0, -EINVAL, -ENOMEM. */
int cosim_check_create(cosim_errlog_t *log, cosim_check_t **out);
void cosim_check_destroy(cosim_check_t *c);

/* A TLP the host put on the link, as its DWs. */
void cosim_check_host_tlp(cosim_check_t *c, uint64_t cycle, const uint32_t *dws, size_t n);
/* A TLP assembled from the device's TX stream: framing is the assembler's verdict (NULL when the
 * beats were well formed); dws is NULL for a beat that belonged to no TLP. */
void cosim_check_dev_tlp(cosim_check_t *c, uint64_t cycle, const uint32_t *dws, size_t n,
                         const char *framing);
/* The host stopped waiting for (req_id, tag) (completion timeout): a completion that still
 * comes is reported as unexpected. */
void cosim_check_forget(cosim_check_t *c, uint16_t req_id, uint16_t tag);

/* Max Payload Size in bytes as the checker tracks it (the smaller of the committed value and the
 * one with the writes in flight): what the root complex may put in one completion. */
unsigned cosim_check_mps(const cosim_check_t *c);

#endif /* COSIM_CHECK_H */
