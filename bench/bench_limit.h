/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bounds the bench compares its figures with, derived from the link's framing only: DATA_W
 * (DW lanes per beat, one beat per cycle per direction), MPS, RCB and TLP header sizes. A TLP of
 * h header DWs and p payload bytes occupies ceil((h + p/4) / lanes) beats (a TLP starts on a new
 * beat: the stream carries one TLP per beat at most). docs/perf.md gives the formulas.
 */
#ifndef BENCH_LIMIT_H
#define BENCH_LIMIT_H

#include <stdint.h>

#define BENCH_HDR_3DW 3u
#define BENCH_HDR_4DW 4u

/* Beats of one TLP of hdr_dw header DWs and payload bytes (a multiple of 4, or rounded up). */
unsigned bench_tlp_beats(unsigned data_w, unsigned hdr_dw, unsigned payload);

/* Payload bytes per cycle divided by DATA_W/8 at best when `bytes` move as TLPs of at most
 * `chunk` payload bytes each with hdr_dw header DWs, back to back in one direction: the
 * efficiency bound of a stream of MWr (chunk = MPS) or of CplD (chunk = the completion size). */
double bench_stream_efficiency(unsigned data_w, unsigned hdr_dw, unsigned chunk, unsigned bytes);

/* The link bound of virtio-blk reads of `bytes` each, in requests per 1000 cycles: per request,
 * the endpoint must send at least the data as MWr of at most MPS bytes, the status byte (a 1-DW
 * MWr) and the used element (an 8-byte MWr), each with hdr_dw header DWs, on the TX direction;
 * and receive the 16-byte request header and three 16-byte descriptors as completions (3DW
 * headers) on the RX direction. The bound is 1000 over the busier direction's beats. */
double bench_blk_read_rate_bound(unsigned data_w, unsigned hdr_dw, unsigned mps, unsigned bytes);

#endif /* BENCH_LIMIT_H */
