/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers of the virtio-blk tests that run the blk driver (driver/vdrv_blk) against the real
 * endpoint: bring-up, DMA buffers with patterns, and a shadow of the disk to check every byte.
 */
#ifndef TB_BLK_LIB_H
#define TB_BLK_LIB_H

#include <stdint.h>

#include "tb.h"
#include "vdrv_blk.h"

typedef struct tb_blk {
  tb_t *t;
  vdrv_pci_dev_t dev;
  vdrv_vpci_t v;
  vdrv_blk_t b;
  vdrv_blk_opts_t o;
  /* What the disk must hold: capacity * 512 bytes in simulated host memory that the device may
   * not touch (so it goes away with the simulation, even when a test stops early). */
  uint64_t shadow;
  uint64_t capacity;
} tb_blk_t;

/* Options as the tests use them: MSI-X into the harness's MSI window, a timeout of 2M cycles. */
void tb_blk_opts(tb_blk_t *k, unsigned irq_mode, unsigned layout);
/* Brings the endpoint up, starts the blk driver with k->o (set it with tb_blk_opts first, or 0
 * for the defaults) and copies the disk into the shadow. Stops the test on failure. */
void tb_blk_open(tb_t *t, tb_blk_t *k, const vdrv_blk_opts_t *o);
void tb_blk_close(tb_blk_t *k);

/* The pattern of seed in [a, a+len) of DMA memory, through the driver's bus (t->bus). */
void tb_dma_fill(tb_t *t, uint64_t a, size_t len, uint32_t seed);
/* Cuts [a, a+len) into n segments of random lengths (each >= 1): returns how many. */
unsigned tb_split(tb_rng_t *rng, uint64_t a, uint32_t len, unsigned n, vdrv_virtq_seg_t *seg);

/* A DMA buffer (freed with the simulation), and its contents. */
uint64_t tb_blk_buf(tb_blk_t *k, size_t len, size_t align, unsigned dir);
void tb_blk_fill(tb_blk_t *k, uint64_t a, size_t len, uint32_t seed);
void tb_blk_put(tb_blk_t *k, uint64_t a, const void *src, size_t len);
void tb_blk_get(tb_blk_t *k, uint64_t a, void *dst, size_t len);
/* A little-endian 16-bit ring field (an index, flags, an event index) in host memory. */
uint16_t tb_blk_get16(tb_blk_t *k, uint64_t a);
void tb_blk_put16(tb_blk_t *k, uint64_t a, uint16_t v);

/* The shadow: an OUT of the bytes in segs at sector (the driver reported it done). */
void tb_blk_shadow_write(tb_blk_t *k, uint64_t sector, const vdrv_virtq_seg_t *seg,
                         unsigned nseg);
/* Whether segs hold exactly the shadow's bytes from sector; fails the test if not. */
int tb_blk_check_read(tb_blk_t *k, uint64_t sector, const vdrv_virtq_seg_t *seg, unsigned nseg,
                      const char *what);
/* Whether the storage holds exactly the shadow (all of it); fails the test if not. */
int tb_blk_check_disk(tb_blk_t *k);

/* Waits up to 200000 cycles until the backend has answered every request it took; fails the
 * test (what: the context) if it has not. */
void tb_blk_wait_backend_idle(tb_blk_t *k, const char *what);
/* A write that may or may not have happened (cancelled by a reset): compares the storage at
 * sector with the shadow (old) and with the segments (new, as a whole). Returns
 * TB_BLK_DISK_OLD and/or TB_BLK_DISK_NEW (both when the two are equal), 0 for neither (the
 * caller reports it). */
#define TB_BLK_DISK_OLD 1
#define TB_BLK_DISK_NEW 2
int tb_blk_disk_old_or_new(tb_blk_t *k, uint64_t sector, const vdrv_virtq_seg_t *seg,
                           unsigned nseg);

/* tb_split with the test's random numbers. */
unsigned tb_blk_split(tb_blk_t *k, uint64_t a, uint32_t len, unsigned n, vdrv_virtq_seg_t *seg);

/* ---- Added for the data-path tests (tb_blk_io.c, tb_blk_stress.c) ---- */

/* Submits io on queue q (waiting while the queue is full) and waits for its completion: 0 with
 * *cpl, or the submit error (negative errno). Stops the test when the device does not complete
 * it within the driver's timeout or the driver reports that the device needs a reset. */
int tb_blk_io_wait(tb_blk_t *k, unsigned q, const vdrv_blk_io_t *io, vdrv_blk_cpl_t *cpl);

/* Waits (vdrv_blk_wait) until no request is in flight on any queue; stops the test on a timeout
 * or a device that needs a reset. */
void tb_blk_drain(tb_blk_t *k);

/* Bypasses the driver on queue q (nothing of the driver's may be in flight there): makes one
 * chain available as a single INDIRECT descriptor (the table: n_out device-readable segments,
 * then n_in device-writable ones), notifies, and polls the used ring until the device returns
 * it (keeping the driver's indices in step, so the driver sees nothing). For queue sizes the
 * driver cannot use (1). Returns the used len; stops the test on a timeout or a wrong used id. */
uint32_t tb_blk_raw_indirect(tb_blk_t *k, unsigned q, const vdrv_virtq_seg_t *out,
                             unsigned n_out, const vdrv_virtq_seg_t *in, unsigned n_in);

/* Compares len bytes at DMA address a + skip with bytes skip.. of the pattern tb_blk_fill(k, a,
 * .., seed) wrote (a buffer the device must not have touched): 1 if equal, else fails the test
 * with what. */
int tb_blk_check_fill(tb_blk_t *k, uint64_t a, size_t skip, size_t len, uint32_t seed,
                      const char *what);

#endif /* TB_BLK_LIB_H */
