/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Storage model behind the backend port (cosim_storage.h, docs/storage.md).
 */
#include "cosim_storage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cosim_rng.h"

#define SECTOR COSIM_STORAGE_SECTOR

/* Offsets into a multi-GiB image must not wrap: a 32-bit off_t would silently alias sectors. */
_Static_assert(sizeof(off_t) >= 8, "64-bit off_t required (build with _FILE_OFFSET_BITS=64)");

/* One written sector of the RAM medium. */
typedef struct sec_slot {
  uint64_t sector;
  uint8_t *data;                /* NULL: empty slot */
} sec_slot_t;

/* One request between submit and the poll that returns it. */
typedef struct pending {
  int used;
  uint64_t seq;                 /* submission order: breaks ties between equal due times */
  uint64_t submitted, due;
  cosim_storage_req_t req;      /* req.data points to wdata */
  uint8_t *wdata;               /* WRITE: the caller's data, copied */
} pending_t;

struct cosim_storage {
  int fd;                       /* -1: RAM */
  uint64_t capacity;
  int read_only, write_through;
  /* Set by the first failed fsync/fdatasync: Linux may drop the dirty pages after reporting the
   * error once, so a later fsync could succeed although data was lost. Every later FLUSH fails
   * rather than promise durability it cannot give. */
  int sync_failed;
  uint8_t id[COSIM_STORAGE_ID_BYTES];
  uint64_t latency, jitter;
  cosim_rng_t rng;
  uint32_t max_req_sectors;
  unsigned max_inflight, ninflight;
  pending_t *pend;
  uint64_t min_due;             /* the earliest due of pend, UINT64_MAX when none: polled every
                                   cycle, the scan of pend only when something is due */
  uint64_t next_seq, last_now;
  uint8_t *cpl_buf;             /* data of the last completion */
  size_t cpl_cap;
  sec_slot_t *slots;            /* RAM: open addressing, linear probing, power-of-two size */
  size_t nslots, nsec;
  cosim_storage_stats_t st;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...) {
  if (!err || !errlen) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

void cosim_storage_cfg_default(cosim_storage_cfg_t *cfg) { memset(cfg, 0, sizeof *cfg); }

/* ---- RAM medium: sparse sectors ---- */

static size_t slot_of(uint64_t sector, size_t nslots) {
  return (size_t)((sector * 0x9E3779B97F4A7C15ull) >> 17) & (nslots - 1);
}

static uint8_t *ram_find(const cosim_storage_t *s, uint64_t sector) {
  for (size_t i = slot_of(sector, s->nslots);; i = (i + 1) & (s->nslots - 1)) {
    if (!s->slots[i].data) return NULL;
    if (s->slots[i].sector == sector) return s->slots[i].data;
  }
}

static void slot_put(sec_slot_t *slots, size_t nslots, uint64_t sector, uint8_t *data) {
  size_t i = slot_of(sector, nslots);
  while (slots[i].data) i = (i + 1) & (nslots - 1);
  slots[i].sector = sector;
  slots[i].data = data;
}

/* The sector's memory, allocated zeroed on first use. NULL only when memory runs out. */
static uint8_t *ram_get(cosim_storage_t *s, uint64_t sector) {
  uint8_t *d = ram_find(s, sector);
  if (d) return d;
  /* Grow at half load so that probe sequences stay short. */
  if (2 * (s->nsec + 1) > s->nslots) {
    size_t n = s->nslots * 2;
    sec_slot_t *ns = calloc(n, sizeof *ns);
    if (!ns) return NULL;
    for (size_t i = 0; i < s->nslots; i++)
      if (s->slots[i].data) slot_put(ns, n, s->slots[i].sector, s->slots[i].data);
    free(s->slots);
    s->slots = ns;
    s->nslots = n;
  }
  d = calloc(1, SECTOR);
  if (!d) return NULL;
  slot_put(s->slots, s->nslots, sector, d);
  s->nsec++;
  return d;
}

static void ram_read(const cosim_storage_t *s, uint64_t sector, uint32_t n, uint8_t *buf) {
  for (uint32_t i = 0; i < n; i++) {
    const uint8_t *d = ram_find(s, sector + i);
    if (d)
      memcpy(buf + (size_t)i * SECTOR, d, SECTOR);
    else
      memset(buf + (size_t)i * SECTOR, 0, SECTOR);
  }
}

/* Allocates every sector first, so that running out of memory leaves the contents unchanged
 * (the sectors allocated meanwhile hold zeros, which is what they read as untouched). */
static int ram_write(cosim_storage_t *s, uint64_t sector, uint32_t n, const uint8_t *buf) {
  for (uint32_t i = 0; i < n; i++)
    if (!ram_get(s, sector + i)) return -ENOMEM;
  for (uint32_t i = 0; i < n; i++)
    memcpy(ram_find(s, sector + i), buf + (size_t)i * SECTOR, SECTOR);
  return 0;
}

/* ---- File medium ---- */

/* Loops over short transfers and EINTR; a read hitting end of file (the image shrank under us)
 * is an I/O error, not zeros. */
static int file_read(int fd, uint64_t sector, uint32_t n, uint8_t *buf) {
  size_t len = (size_t)n * SECTOR, done = 0;
  while (done < len) {
    ssize_t r = pread(fd, buf + done, len - done, (off_t)(sector * SECTOR + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -errno;
    if (r == 0) return -EIO;
    done += (size_t)r;
  }
  return 0;
}

static int file_write(int fd, uint64_t sector, uint32_t n, const uint8_t *buf) {
  size_t len = (size_t)n * SECTOR, done = 0;
  while (done < len) {
    ssize_t r = pwrite(fd, buf + done, len - done, (off_t)(sector * SECTOR + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -errno;
    if (r == 0) return -EIO;
    done += (size_t)r;
  }
  return 0;
}

/* ---- Life cycle ---- */

static int open_image(cosim_storage_t *s, const cosim_storage_cfg_t *cfg, char *err,
                      size_t errlen) {
  int ro = cfg->read_only;
  int fd = open(cfg->path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
  if (fd < 0 && !ro && (errno == EACCES || errno == EROFS)) {
    /* The file says read-only: serve it as a read-only medium (virtio-blk F_RO) rather than
     * refuse it, as QEMU does with readonly=on. */
    ro = 1;
    fd = open(cfg->path, O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) {
    int e = errno;
    set_err(err, errlen, "%s: %s", cfg->path, strerror(e));
    return -e;
  }
  struct stat sb;
  if (fstat(fd, &sb) != 0) {
    int e = errno;
    set_err(err, errlen, "%s: fstat: %s", cfg->path, strerror(e));
    close(fd);
    return -e;
  }
  if (!S_ISREG(sb.st_mode)) {
    set_err(err, errlen, "%s: not a regular file (a raw image file is required)", cfg->path);
    close(fd);
    return -EINVAL;
  }
  if (sb.st_size % SECTOR) {
    set_err(err, errlen,
            "%s: size %lld bytes is not a multiple of the 512-byte sector: refused rather than "
            "hide the last %lld bytes",
            cfg->path, (long long)sb.st_size, (long long)(sb.st_size % SECTOR));
    close(fd);
    return -EINVAL;
  }
  s->fd = fd;
  s->read_only = ro;
  s->capacity = (uint64_t)sb.st_size / SECTOR;
  return 0;
}

int cosim_storage_create(const cosim_storage_cfg_t *cfg, cosim_storage_t **out, char *err,
                         size_t errlen) {
  int rc;
  set_err(err, errlen, "%s", "");
  if (!cfg || !out) return -EINVAL;
  *out = NULL;
  size_t idlen = cfg->serial ? strlen(cfg->serial) : 0;
  if (idlen > COSIM_STORAGE_ID_BYTES) {
    set_err(err, errlen, "serial \"%s\" is %zu bytes, GET_ID holds at most %u", cfg->serial,
            idlen, COSIM_STORAGE_ID_BYTES);
    return -EINVAL;
  }
  cosim_storage_t *s = calloc(1, sizeof *s);
  if (!s) return -ENOMEM;
  s->fd = -1;
  /* NUL padding, and no terminator when the serial is exactly 20 bytes (virtio 1.3 5.2.6). */
  if (idlen) memcpy(s->id, cfg->serial, idlen);
  s->write_through = !!cfg->write_through;
  s->latency = cfg->latency;
  s->jitter = cfg->jitter;
  cosim_rng_seed(&s->rng, cfg->seed);
  s->max_inflight = cfg->max_inflight ? cfg->max_inflight : COSIM_STORAGE_DEF_MAX_INFLIGHT;
  s->max_req_sectors =
      cfg->max_req_sectors ? cfg->max_req_sectors : COSIM_STORAGE_DEF_MAX_REQ_SECTORS;
  s->pend = calloc(s->max_inflight, sizeof *s->pend);
  s->min_due = UINT64_MAX;
  if (!s->pend) {
    rc = -ENOMEM;
    goto fail;
  }
  if (cfg->path) {
    rc = open_image(s, cfg, err, errlen);
    if (rc) goto fail;
  } else {
    s->read_only = !!cfg->read_only;
    s->capacity = cfg->capacity;
    s->nslots = 256;
    s->slots = calloc(s->nslots, sizeof *s->slots);
    if (!s->slots) {
      rc = -ENOMEM;
      goto fail;
    }
  }
  *out = s;
  return 0;
fail:
  if (rc == -ENOMEM) set_err(err, errlen, "out of memory");
  cosim_storage_destroy(s);
  return rc;
}

void cosim_storage_destroy(cosim_storage_t *s) {
  if (!s) return;
  if (s->fd >= 0) close(s->fd);
  if (s->pend)
    for (unsigned i = 0; i < s->max_inflight; i++) free(s->pend[i].wdata);
  free(s->pend);
  for (size_t i = 0; s->slots && i < s->nslots; i++) free(s->slots[i].data);
  free(s->slots);
  free(s->cpl_buf);
  free(s);
}

uint64_t cosim_storage_capacity(const cosim_storage_t *s) { return s->capacity; }
int cosim_storage_read_only(const cosim_storage_t *s) { return s->read_only; }
void cosim_storage_set_write_through(cosim_storage_t *s, int on) { s->write_through = !!on; }
unsigned cosim_storage_inflight(const cosim_storage_t *s) { return s->ninflight; }

void cosim_storage_get_stats(const cosim_storage_t *s, cosim_storage_stats_t *st) {
  *st = s->st;
  st->ram_sectors = s->nsec;
}

/* ---- Requests ---- */

static int in_range(const cosim_storage_t *s, uint64_t sector, uint64_t n) {
  return sector <= s->capacity && n <= s->capacity - sector;
}

static uint64_t sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

int cosim_storage_submit(cosim_storage_t *s, uint64_t now, const cosim_storage_req_t *req) {
  if (!req || now < s->last_now) return -EINVAL;
  switch (req->op) {
  case COSIM_STORAGE_READ:
  case COSIM_STORAGE_WRITE:
    if (req->nsectors > s->max_req_sectors) return -EINVAL;
    if (req->op == COSIM_STORAGE_WRITE && req->nsectors && !req->data) return -EINVAL;
    break;
  case COSIM_STORAGE_FLUSH:
  case COSIM_STORAGE_GET_ID:
    break;
  default:
    return -EINVAL;
  }
  if (s->ninflight >= s->max_inflight) return -EBUSY;
  pending_t *p = NULL;
  for (unsigned i = 0; i < s->max_inflight && !p; i++)
    if (!s->pend[i].used) p = &s->pend[i];
  uint8_t *wdata = NULL;
  if (req->op == COSIM_STORAGE_WRITE && req->nsectors) {
    size_t len = (size_t)req->nsectors * SECTOR;
    wdata = malloc(len);
    if (!wdata) return -ENOMEM;
    memcpy(wdata, req->data, len);
  }
  /* Drawn for every request, whatever its kind, so that one request's op does not shift the
   * latencies of all later ones. */
  uint64_t extra = 0;
  uint64_t draw = cosim_rng_next(&s->rng);
  if (s->jitter) extra = s->jitter == UINT64_MAX ? draw : draw % (s->jitter + 1);
  *p = (pending_t){.used = 1,
                   .seq = s->next_seq++,
                   .submitted = now,
                   .due = sat_add(sat_add(now, s->latency), extra),
                   .req = *req,
                   .wdata = wdata};
  p->req.data = wdata;
  if (p->due < s->min_due) s->min_due = p->due;
  s->ninflight++;
  s->last_now = now;
  s->st.submitted++;
  return 0;
}

static pending_t *next_pending(const cosim_storage_t *s) {
  pending_t *best = NULL;
  for (unsigned i = 0; i < s->max_inflight; i++) {
    pending_t *p = &s->pend[i];
    if (!p->used) continue;
    if (!best || p->due < best->due || (p->due == best->due && p->seq < best->seq)) best = p;
  }
  return best;
}

uint64_t cosim_storage_next_due(const cosim_storage_t *s) { return s->min_due; }

static int cpl_buf_reserve(cosim_storage_t *s, size_t len) {
  if (len <= s->cpl_cap) return 0;
  uint8_t *b = realloc(s->cpl_buf, len);
  if (!b) return -ENOMEM;
  s->cpl_buf = b;
  s->cpl_cap = len;
  return 0;
}

/* Performs p. Returns the virtio status, or -ENOMEM (nothing done: the request stays queued). */
static int perform(cosim_storage_t *s, const pending_t *p, cosim_storage_cpl_t *cpl) {
  const cosim_storage_req_t *r = &p->req;
  switch (r->op) {
  case COSIM_STORAGE_READ: {
    if (!in_range(s, r->sector, r->nsectors)) return COSIM_STORAGE_IOERR;
    size_t len = (size_t)r->nsectors * SECTOR;
    if (cpl_buf_reserve(s, len ? len : 1)) return -ENOMEM;
    if (s->fd < 0)
      ram_read(s, r->sector, r->nsectors, s->cpl_buf);
    else if (file_read(s->fd, r->sector, r->nsectors, s->cpl_buf))
      return COSIM_STORAGE_IOERR;
    cpl->data = s->cpl_buf;
    cpl->len = len;
    return COSIM_STORAGE_OK;
  }
  case COSIM_STORAGE_WRITE:
    /* virtio 1.3 5.2.6.2: on a read-only device writes fail with IOERR and write nothing. */
    if (s->read_only || !in_range(s, r->sector, r->nsectors)) return COSIM_STORAGE_IOERR;
    if (!r->nsectors) return COSIM_STORAGE_OK;
    if (s->fd < 0) return ram_write(s, r->sector, r->nsectors, p->wdata);
    if (file_write(s->fd, r->sector, r->nsectors, p->wdata)) return COSIM_STORAGE_IOERR;
    if (s->write_through) {
      s->st.fdatasyncs++;
      if (fdatasync(s->fd)) {
        s->sync_failed = 1;
        return COSIM_STORAGE_IOERR;
      }
    }
    return COSIM_STORAGE_OK;
  case COSIM_STORAGE_FLUSH:
    /* Every write that completed before this FLUSH was submitted was pwritten then (requests
     * take effect at completion), so one fsync now covers them all. */
    if (s->fd < 0 || s->read_only) return COSIM_STORAGE_OK;
    s->st.fsyncs++;
    if (fsync(s->fd)) s->sync_failed = 1;
    return s->sync_failed ? COSIM_STORAGE_IOERR : COSIM_STORAGE_OK;
  case COSIM_STORAGE_GET_ID:
    if (cpl_buf_reserve(s, COSIM_STORAGE_ID_BYTES)) return -ENOMEM;
    memcpy(s->cpl_buf, s->id, COSIM_STORAGE_ID_BYTES);
    cpl->data = s->cpl_buf;
    cpl->len = COSIM_STORAGE_ID_BYTES;
    return COSIM_STORAGE_OK;
  }
  return COSIM_STORAGE_IOERR;
}

int cosim_storage_poll(cosim_storage_t *s, uint64_t now, cosim_storage_cpl_t *cpl) {
  if (!cpl || now < s->last_now) return -EINVAL;
  s->last_now = now;
  if (s->min_due > now) return 0;
  pending_t *p = next_pending(s);
  *cpl = (cosim_storage_cpl_t){.tag = p->req.tag,
                               .op = p->req.op,
                               .sector = p->req.sector,
                               .nsectors = p->req.nsectors,
                               .submitted = p->submitted,
                               .due = p->due};
  int st = perform(s, p, cpl);
  if (st < 0) return st;
  cpl->status = (cosim_storage_status_t)st;
  if (st != COSIM_STORAGE_OK) {
    cpl->data = NULL;
    cpl->len = 0;
    s->st.ioerr++;
  }
  free(p->wdata);
  *p = (pending_t){0};
  p = next_pending(s);
  s->min_due = p ? p->due : UINT64_MAX;
  s->ninflight--;
  s->st.completed++;
  return 1;
}

/* ---- Direct access for tests ---- */

int cosim_storage_read_direct(const cosim_storage_t *s, uint64_t sector, uint32_t nsectors,
                              void *buf) {
  if (!in_range(s, sector, nsectors) || (nsectors && !buf)) return -EINVAL;
  if (s->fd < 0) {
    ram_read(s, sector, nsectors, buf);
    return 0;
  }
  return file_read(s->fd, sector, nsectors, buf) ? -EIO : 0;
}

int cosim_storage_write_direct(cosim_storage_t *s, uint64_t sector, uint32_t nsectors,
                               const void *buf) {
  if (!in_range(s, sector, nsectors) || (nsectors && !buf)) return -EINVAL;
  if (s->fd < 0) return ram_write(s, sector, nsectors, buf);
  if (s->read_only) return -EROFS;
  return file_write(s->fd, sector, nsectors, buf) ? -EIO : 0;
}
