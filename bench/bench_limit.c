/* SPDX-License-Identifier: Apache-2.0 */
/* Link and protocol bounds: see bench_limit.h and docs/perf.md. */
#include "bench_limit.h"

unsigned bench_tlp_beats(unsigned data_w, unsigned hdr_dw, unsigned payload) {
  unsigned lanes = data_w / 32u;
  unsigned dws = hdr_dw + (payload + 3u) / 4u;
  return (dws + lanes - 1u) / lanes;
}

/* Beats of `bytes` of payload cut into TLPs of at most `chunk` bytes, each with its header. */
static unsigned chunked_beats(unsigned data_w, unsigned hdr_dw, unsigned chunk, unsigned bytes) {
  unsigned beats = 0;
  for (unsigned left = bytes; left > 0;) {
    unsigned n = left < chunk ? left : chunk;
    beats += bench_tlp_beats(data_w, hdr_dw, n);
    left -= n;
  }
  return beats;
}

double bench_stream_efficiency(unsigned data_w, unsigned hdr_dw, unsigned chunk, unsigned bytes) {
  unsigned beats = chunked_beats(data_w, hdr_dw, chunk, bytes);
  return beats ? (double)bytes / ((double)beats * (data_w / 8u)) : 0.0;
}

double bench_blk_read_rate_bound(unsigned data_w, unsigned hdr_dw, unsigned mps, unsigned bytes) {
  unsigned tx = chunked_beats(data_w, hdr_dw, mps, bytes);
  tx += bench_tlp_beats(data_w, hdr_dw, 1) + bench_tlp_beats(data_w, hdr_dw, 8);
  /* One completion of the header and one of the three descriptors: the fewest beats. */
  unsigned rx = bench_tlp_beats(data_w, BENCH_HDR_3DW, 16) +
                bench_tlp_beats(data_w, BENCH_HDR_3DW, 48);
  unsigned busier = tx > rx ? tx : rx;
  return 1000.0 / busier;
}
