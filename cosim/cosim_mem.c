/* SPDX-License-Identifier: Apache-2.0 */
#include "cosim_mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct page_slot {
  uint64_t pn;                  /* page number (addr >> 12) */
  uint8_t *page;                /* NULL: empty slot */
} page_slot_t;

typedef struct perm_range {
  uint64_t base, end;           /* [base, end) */
  unsigned perm;
} perm_range_t;

typedef struct alloc_range {
  uint64_t base, size;
} alloc_range_t;

struct cosim_hmem {
  page_slot_t *slots;           /* open addressing, linear probing, power-of-two size */
  size_t nslots, npages;
  perm_range_t *perms;          /* sorted by base, disjoint, no empty ranges */
  size_t nperms, capperms;
  alloc_range_t *allocs;        /* sorted by base */
  size_t nallocs, capallocs;
};

int cosim_hmem_create(cosim_hmem_t **out) {
  if (!out) return -EINVAL;
  cosim_hmem_t *m = calloc(1, sizeof(*m));
  if (!m) return -ENOMEM;
  m->nslots = 256;
  m->slots = calloc(m->nslots, sizeof(*m->slots));
  if (!m->slots) {
    free(m);
    return -ENOMEM;
  }
  *out = m;
  return 0;
}

void cosim_hmem_destroy(cosim_hmem_t *m) {
  if (!m) return;
  for (size_t i = 0; i < m->nslots; i++) free(m->slots[i].page);
  free(m->slots);
  free(m->perms);
  free(m->allocs);
  free(m);
}

size_t cosim_hmem_pages(const cosim_hmem_t *m) { return m->npages; }

static size_t slot_of(uint64_t pn, size_t nslots) {
  return (size_t)((pn * 0x9E3779B97F4A7C15ull) >> 17) & (nslots - 1);
}

static uint8_t *page_find(const cosim_hmem_t *m, uint64_t pn) {
  for (size_t i = slot_of(pn, m->nslots);; i = (i + 1) & (m->nslots - 1)) {
    if (!m->slots[i].page) return NULL;
    if (m->slots[i].pn == pn) return m->slots[i].page;
  }
}

static void slot_put(page_slot_t *slots, size_t nslots, uint64_t pn, uint8_t *page) {
  size_t i = slot_of(pn, nslots);
  while (slots[i].page) i = (i + 1) & (nslots - 1);
  slots[i].pn = pn;
  slots[i].page = page;
}

static uint8_t *page_get(cosim_hmem_t *m, uint64_t pn) {
  uint8_t *p = page_find(m, pn);
  if (p) return p;
  if (2 * (m->npages + 1) > m->nslots) { /* keep the load at most 1/2 so probes stay short */
    size_t n = m->nslots * 2;
    page_slot_t *s = calloc(n, sizeof(*s));
    if (!s) return NULL;
    for (size_t i = 0; i < m->nslots; i++)
      if (m->slots[i].page) slot_put(s, n, m->slots[i].pn, m->slots[i].page);
    free(m->slots);
    m->slots = s;
    m->nslots = n;
  }
  p = calloc(1, COSIM_HMEM_PAGE_SIZE);
  if (!p) return NULL;
  slot_put(m->slots, m->nslots, pn, p);
  m->npages++;
  return p;
}

static int wraps(uint64_t addr, uint64_t len) { return len && addr + (len - 1) < addr; }

int cosim_hmem_read(const cosim_hmem_t *m, uint64_t addr, void *buf, size_t len) {
  if (wraps(addr, len)) return -EINVAL;
  uint8_t *out = buf;
  while (len) {
    uint64_t off = addr & (COSIM_HMEM_PAGE_SIZE - 1);
    size_t n = COSIM_HMEM_PAGE_SIZE - off < len ? (size_t)(COSIM_HMEM_PAGE_SIZE - off) : len;
    const uint8_t *p = page_find(m, addr / COSIM_HMEM_PAGE_SIZE);
    if (p)
      memcpy(out, p + off, n);
    else
      memset(out, 0, n);
    out += n;
    addr += n;
    len -= n;
  }
  return 0;
}

/* Writes src (or `byte` when src is NULL) to [addr, addr + len). */
static int store(cosim_hmem_t *m, uint64_t addr, const uint8_t *src, uint8_t byte, size_t len) {
  if (wraps(addr, len)) return -EINVAL;
  while (len) {
    uint64_t off = addr & (COSIM_HMEM_PAGE_SIZE - 1);
    size_t n = COSIM_HMEM_PAGE_SIZE - off < len ? (size_t)(COSIM_HMEM_PAGE_SIZE - off) : len;
    uint64_t pn = addr / COSIM_HMEM_PAGE_SIZE;
    uint8_t *p = (!src && byte == 0) ? page_find(m, pn) : page_get(m, pn);
    if (p) {
      if (src)
        memcpy(p + off, src, n);
      else
        memset(p + off, byte, n);
    } else if (src || byte) {
      return -ENOMEM;
    }
    if (src) src += n;
    addr += n;
    len -= n;
  }
  return 0;
}

int cosim_hmem_write(cosim_hmem_t *m, uint64_t addr, const void *buf, size_t len) {
  return store(m, addr, buf, 0, len);
}

int cosim_hmem_fill(cosim_hmem_t *m, uint64_t addr, uint8_t byte, size_t len) {
  return store(m, addr, NULL, byte, len);
}

/* ---- Permission map ---- */

static int perm_reserve(cosim_hmem_t *m, size_t n) {
  if (n <= m->capperms) return 0;
  size_t cap = m->capperms ? m->capperms : 16;
  while (cap < n) cap *= 2;
  perm_range_t *p = realloc(m->perms, cap * sizeof(*p));
  if (!p) return -ENOMEM;
  m->perms = p;
  m->capperms = cap;
  return 0;
}

int cosim_hmem_expose(cosim_hmem_t *m, uint64_t addr, uint64_t len, unsigned perm) {
  if (!len || wraps(addr, len) || addr + len == 0 ||
      (perm & ~(COSIM_HMEM_DEV_READ | COSIM_HMEM_DEV_WRITE)))
    return -EINVAL;
  uint64_t end = addr + len;
  /* At most one range splits in two, plus the new one. */
  int rc = perm_reserve(m, m->nperms + 2);
  if (rc) return rc;
  perm_range_t *out = malloc((m->nperms + 2) * sizeof(*out));
  if (!out) return -ENOMEM;
  size_t n = 0;
  int placed = perm == 0;
  for (size_t i = 0; i < m->nperms; i++) {
    perm_range_t r = m->perms[i];
    if (!placed && r.base >= addr) {
      out[n++] = (perm_range_t){addr, end, perm};
      placed = 1;
    }
    if (r.end <= addr || r.base >= end) {
      out[n++] = r;
      continue;
    }
    if (r.base < addr) out[n++] = (perm_range_t){r.base, addr, r.perm};
    if (r.end > end) {
      if (!placed) {
        out[n++] = (perm_range_t){addr, end, perm};
        placed = 1;
      }
      out[n++] = (perm_range_t){end, r.end, r.perm};
    }
  }
  if (!placed) out[n++] = (perm_range_t){addr, end, perm};
  /* Merge neighbours with the same permissions so the map stays as small as what it says. */
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (k && m->perms[k - 1].end == out[i].base && m->perms[k - 1].perm == out[i].perm)
      m->perms[k - 1].end = out[i].end;
    else
      m->perms[k++] = out[i];
  }
  m->nperms = k;
  free(out);
  return 0;
}

/* Index of the range holding addr, or -1. */
static long perm_find(const cosim_hmem_t *m, uint64_t addr) {
  size_t lo = 0, hi = m->nperms;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (m->perms[mid].end <= addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < m->nperms && m->perms[lo].base <= addr ? (long)lo : -1;
}

unsigned cosim_hmem_perm(const cosim_hmem_t *m, uint64_t addr) {
  long i = perm_find(m, addr);
  return i < 0 ? 0 : m->perms[i].perm;
}

int cosim_hmem_check(const cosim_hmem_t *m, uint64_t addr, uint64_t len, unsigned need,
                     uint64_t *bad) {
  if (!len) return 0;
  uint64_t last = addr + (len - 1);
  uint64_t cur = addr;
  for (;;) {
    long i = perm_find(m, cur);
    if (i < 0 || (m->perms[i].perm & need) != need) {
      if (bad) *bad = cur;
      return -EACCES;
    }
    if (m->perms[i].end - 1 >= last || cur > last) return 0;
    cur = m->perms[i].end;
  }
}

/* ---- DMA buffer allocator ---- */

int cosim_hmem_alloc(cosim_hmem_t *m, uint64_t size, uint64_t align, int high, uint64_t *addr) {
  if (!align) align = 8;
  if (!size || !addr || (align & (align - 1))) return -EINVAL;
  uint64_t zbase = high ? COSIM_HMEM_HIGH_BASE : COSIM_HMEM_LOW_BASE;
  uint64_t zend = high ? COSIM_HMEM_HIGH_END : COSIM_HMEM_LOW_END;
  if (size > zend - zbase) return -ENOMEM;
  uint64_t floor = zbase + COSIM_HMEM_GUARD;
  size_t pos = 0;
  uint64_t cand = 0;
  int found = 0;
  for (;; pos++) {
    /* Only allocations inside this zone bound the gaps. */
    while (pos < m->nallocs && m->allocs[pos].base < zbase) pos++;
    cand = (floor + align - 1) & ~(align - 1);
    uint64_t limit = (pos < m->nallocs && m->allocs[pos].base < zend) ? m->allocs[pos].base : zend;
    if (cand >= floor && cand < limit && limit - cand >= size &&
        limit - cand - size >= COSIM_HMEM_GUARD) {
      found = 1;
      break;
    }
    if (pos >= m->nallocs || m->allocs[pos].base >= zend) break;
    floor = m->allocs[pos].base + m->allocs[pos].size + COSIM_HMEM_GUARD;
  }
  if (!found) return -ENOMEM;
  if (m->nallocs == m->capallocs) {
    size_t cap = m->capallocs ? m->capallocs * 2 : 16;
    alloc_range_t *a = realloc(m->allocs, cap * sizeof(*a));
    if (!a) return -ENOMEM;
    m->allocs = a;
    m->capallocs = cap;
  }
  memmove(&m->allocs[pos + 1], &m->allocs[pos], (m->nallocs - pos) * sizeof(*m->allocs));
  m->allocs[pos] = (alloc_range_t){cand, size};
  m->nallocs++;
  /* A freed buffer's old contents must not leak into a new one. */
  int rc = cosim_hmem_fill(m, cand, 0, (size_t)size);
  if (rc) {
    cosim_hmem_free(m, cand);
    return rc;
  }
  *addr = cand;
  return 0;
}

int cosim_hmem_free(cosim_hmem_t *m, uint64_t addr) {
  for (size_t i = 0; i < m->nallocs; i++) {
    if (m->allocs[i].base != addr) continue;
    uint64_t size = m->allocs[i].size;
    memmove(&m->allocs[i], &m->allocs[i + 1], (m->nallocs - i - 1) * sizeof(*m->allocs));
    m->nallocs--;
    return cosim_hmem_expose(m, addr, size, 0);
  }
  return -ENOENT;
}
