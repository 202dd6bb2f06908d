/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host memory of the simulated system: a sparse 64-bit byte-addressed space whose 4 KiB pages
 * are allocated on first write (reads of untouched memory give 0 and allocate nothing), so a run
 * costs only the memory it touches.
 *
 * On top of it:
 * - an allocator for DMA buffers, in a zone below 4 GiB (3DW TLPs) or above (4DW TLPs), that
 *   leaves COSIM_HMEM_GUARD unallocated bytes around every buffer;
 * - a permission map: the ranges the driver exposed to the device and in which direction
 *   (device-readable, device-writable), as an IOMMU would hold them. The root complex checks
 *   every device access against it and reports one outside it, naming the TLP.
 *
 * Host (driver) accesses through cosim_hmem_read/write are not checked: the map is about what the
 * device may do.
 */
#ifndef COSIM_MEM_H
#define COSIM_MEM_H

#include <stddef.h>
#include <stdint.h>

#define COSIM_HMEM_PAGE_SIZE 4096u
#define COSIM_HMEM_GUARD     64u          /* unallocated bytes before and after each buffer */

/* Allocation zones. They avoid the MSI window (0xFEE00000), the MMIO window and page 0. */
#define COSIM_HMEM_LOW_BASE  0x0000000010000000ull
#define COSIM_HMEM_LOW_END   0x00000000C0000000ull
#define COSIM_HMEM_HIGH_BASE 0x0000000100000000ull
#define COSIM_HMEM_HIGH_END  0x0000002000000000ull

/* Permission bits (what the device may do). */
#define COSIM_HMEM_DEV_READ  1u
#define COSIM_HMEM_DEV_WRITE 2u

typedef struct cosim_hmem cosim_hmem_t;

int cosim_hmem_create(cosim_hmem_t **out);
void cosim_hmem_destroy(cosim_hmem_t *m);

/* Byte accesses of any length and alignment. Both return 0, or -EINVAL when the range wraps past
 * 2^64; write may return -ENOMEM. */
int cosim_hmem_read(const cosim_hmem_t *m, uint64_t addr, void *buf, size_t len);
int cosim_hmem_write(cosim_hmem_t *m, uint64_t addr, const void *buf, size_t len);
/* Sets len bytes to `byte`; filling untouched pages with 0 allocates nothing. */
int cosim_hmem_fill(cosim_hmem_t *m, uint64_t addr, uint8_t byte, size_t len);
/* Pages allocated so far. */
size_t cosim_hmem_pages(const cosim_hmem_t *m);

/* Allocates size bytes (size > 0) aligned to align (a power of two, 0 means 8), zeroed, in the
 * low zone (high = 0) or the high zone. First fit. Returns 0 with *addr, -EINVAL, or -ENOMEM
 * when the zone has no room. The buffer is not exposed to the device: see cosim_hmem_expose. */
int cosim_hmem_alloc(cosim_hmem_t *m, uint64_t size, uint64_t align, int high, uint64_t *addr);
/* Frees a buffer by the address alloc gave; its range leaves the permission map too.
 * Returns 0 or -ENOENT. */
int cosim_hmem_free(cosim_hmem_t *m, uint64_t addr);

/* Sets the device's permissions on [addr, addr + len) to perm (COSIM_HMEM_DEV_* bits; 0 takes the
 * range away), whatever they were. Returns 0, -EINVAL (len 0, wraps, unknown bits), -ENOMEM. */
int cosim_hmem_expose(cosim_hmem_t *m, uint64_t addr, uint64_t len, unsigned perm);
/* The device's permissions on the byte at addr. */
unsigned cosim_hmem_perm(const cosim_hmem_t *m, uint64_t addr);
/* 0 when every byte of [addr, addr + len) has all the bits of need (len 0 always passes);
 * otherwise -EACCES with the first byte that lacks them in *bad (if bad is not NULL). */
int cosim_hmem_check(const cosim_hmem_t *m, uint64_t addr, uint64_t len, unsigned need,
                     uint64_t *bad);

/* The host memory of a simulation (cosim.h), for the driver's DMA buffers and for tests. */
typedef struct cosim cosim_t;
cosim_hmem_t *cosim_host_mem(cosim_t *s);

#endif /* COSIM_MEM_H */
