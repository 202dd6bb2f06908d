/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The storage behind the endpoint's backend port: a transaction-level model of a block device in
 * simulated time. The virtio-blk function asks it to READ, WRITE, FLUSH or GET_ID; each request
 * completes after a configurable latency (plus seeded jitter, so completions may come out of
 * submission order). The port adapter that turns the endpoint's backend signals into these calls
 * is not here: this library only knows requests, completions and the time the caller gives it.
 *
 * Backing store: RAM (sparse: only written sectors take memory, untouched ones read 0) or a raw
 * image file. Durability follows virtio 1.x (docs/storage.md): with a file, a FLUSH completes only
 * after fsync, and in write-through mode every write is fdatasync'ed before it completes.
 *
 * A request takes effect when it completes (in completion order), not when it is submitted: that
 * is when a real device is free to perform it, and it keeps the jitter honest (a READ overtaking
 * an earlier WRITE to the same sector sees the old data, as virtio allows).
 *
 * Every random choice comes from cfg.seed; the same calls with the same seed give the same
 * completions in the same order. No globals: any number of instances.
 */
#ifndef COSIM_STORAGE_H
#define COSIM_STORAGE_H

#include <stddef.h>
#include <stdint.h>

/* virtio-blk sectors are always 512 bytes (virtio 1.3 5.2.6) */
#define COSIM_STORAGE_SECTOR    512u
#define COSIM_STORAGE_ID_BYTES  20u   /* VIRTIO_BLK_ID_BYTES */

#define COSIM_STORAGE_DEF_MAX_INFLIGHT    64u
#define COSIM_STORAGE_DEF_MAX_REQ_SECTORS 8192u  /* 4 MiB: bounds one READ's buffer */

typedef enum cosim_storage_op {
  COSIM_STORAGE_READ = 0,
  COSIM_STORAGE_WRITE = 1,
  COSIM_STORAGE_FLUSH = 2,
  COSIM_STORAGE_GET_ID = 3,
} cosim_storage_op_t;

/* The values are virtio-blk's status byte, so the device function can copy them. UNSUPP (2) is
 * never produced here: the device function answers unknown or not-negotiated types itself. */
typedef enum cosim_storage_status {
  COSIM_STORAGE_OK = 0,
  COSIM_STORAGE_IOERR = 1,
} cosim_storage_status_t;

typedef struct cosim_storage_cfg {
  const char *path;         /* raw image file; NULL: RAM */
  uint64_t capacity;        /* RAM only: size in sectors (the file's size decides otherwise) */
  int read_only;            /* writes fail with IOERR; a file is opened O_RDONLY */
  int write_through;        /* each WRITE durable before it completes (also at run time below) */
  const char *serial;       /* GET_ID string, at most 20 bytes; NULL: "" (20 NULs) */
  uint64_t latency;         /* time from submit to completion, in the caller's time unit */
  uint64_t jitter;          /* plus a draw in [0, jitter] per request */
  uint64_t seed;            /* of the jitter draws */
  unsigned max_inflight;    /* submitted and not yet polled; 0: COSIM_STORAGE_DEF_MAX_INFLIGHT */
  uint32_t max_req_sectors; /* per READ/WRITE; 0: COSIM_STORAGE_DEF_MAX_REQ_SECTORS */
} cosim_storage_cfg_t;

typedef struct cosim_storage_req {
  uint64_t tag;             /* the caller's, returned with the completion; not interpreted */
  cosim_storage_op_t op;
  uint64_t sector;          /* READ/WRITE; ignored otherwise */
  uint32_t nsectors;        /* READ/WRITE; 0 is allowed (OK when sector <= capacity) */
  const void *data;         /* WRITE: nsectors * 512 bytes, copied by submit */
} cosim_storage_req_t;

typedef struct cosim_storage_cpl {
  uint64_t tag;
  cosim_storage_op_t op;
  cosim_storage_status_t status;
  uint64_t sector;
  uint32_t nsectors;
  uint64_t submitted;       /* the `now` of submit */
  uint64_t due;             /* submitted + latency + jitter: the earliest poll that returns it */
  const uint8_t *data;      /* READ OK: nsectors * 512 bytes; GET_ID: 20 bytes; else NULL.
                               Owned by the model, valid until the next poll or destroy. */
  size_t len;               /* bytes at data */
} cosim_storage_cpl_t;

/* Counters, for tests and reports. */
typedef struct cosim_storage_stats {
  uint64_t submitted, completed, ioerr;
  uint64_t fsyncs;          /* fsync calls made by FLUSH */
  uint64_t fdatasyncs;      /* fdatasync calls made by write-through WRITEs */
  uint64_t ram_sectors;     /* RAM: sectors holding memory (the ones ever written) */
} cosim_storage_stats_t;

typedef struct cosim_storage cosim_storage_t;

/* Defaults: RAM, capacity 0, read-write, write-back, empty serial, latency 0, no jitter. */
void cosim_storage_cfg_default(cosim_storage_cfg_t *cfg);

/* Returns 0 with *out, or a negative errno with a one-line reason in err (when err is not NULL):
 * -EINVAL (serial longer than 20 bytes, image size not a multiple of 512), -ENOMEM, or open's and
 * fstat's errno. A file that cannot be opened for writing (EACCES, EROFS) is opened read-only and
 * the medium is read-only. */
int cosim_storage_create(const cosim_storage_cfg_t *cfg, cosim_storage_t **out, char *err,
                         size_t errlen);
/* Closes the file (no implicit fsync: what was not flushed is not promised) and frees all.
 * Requests still in flight are dropped. NULL is a no-op. */
void cosim_storage_destroy(cosim_storage_t *s);

uint64_t cosim_storage_capacity(const cosim_storage_t *s);
int cosim_storage_read_only(const cosim_storage_t *s);
/* Write-through on/off from now on; a WRITE uses the mode in force when it completes. The device
 * function sets it from the negotiated features and the `writeback` field (docs/storage.md). */
void cosim_storage_set_write_through(cosim_storage_t *s, int on);
unsigned cosim_storage_inflight(const cosim_storage_t *s);
void cosim_storage_get_stats(const cosim_storage_t *s, cosim_storage_stats_t *st);

/* Queues a request at time now. Returns 0; -EBUSY when max_inflight requests are in flight;
 * -EINVAL for a request the device function must never make (unknown op, WRITE without data,
 * nsectors above max_req_sectors) or now earlier than a previous submit/poll; -ENOMEM.
 * Out-of-range sectors are not an error here: the request completes with IOERR. */
int cosim_storage_submit(cosim_storage_t *s, uint64_t now, const cosim_storage_req_t *req);
/* Performs and returns the request due first (earliest due, then submission order) if its due
 * time is <= now: returns 1 with *cpl, 0 when none is due, -EINVAL when now went backwards,
 * -ENOMEM. Call until it returns 0 to drain a time step. */
int cosim_storage_poll(cosim_storage_t *s, uint64_t now, cosim_storage_cpl_t *cpl);
/* The due time of the next completion, or UINT64_MAX when nothing is in flight: lets a harness
 * skip idle time. */
uint64_t cosim_storage_next_due(const cosim_storage_t *s);

/* The medium's current contents, bypassing requests, latency and the in-flight bound: for tests
 * that check every byte independently of the request path. 0, -EINVAL (out of range), -EIO. */
int cosim_storage_read_direct(const cosim_storage_t *s, uint64_t sector, uint32_t nsectors,
                              void *buf);
/* Preloads contents the same way, also into a read-only RAM medium (a read-only file is opened
 * O_RDONLY: -EROFS). 0, -EINVAL, -EIO, -EROFS, -ENOMEM. */
int cosim_storage_write_direct(cosim_storage_t *s, uint64_t sector, uint32_t nsectors,
                               const void *buf);

#endif /* COSIM_STORAGE_H */
