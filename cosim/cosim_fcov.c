/* SPDX-License-Identifier: Apache-2.0 */
/* Functional coverage points, counters and the merged file (cosim_fcov.h). */
#include "cosim_fcov.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cosim_rc.h"
#include "vep_consts.h"

#define FCOV_TAGS 1024u  /* 10-bit tags */

typedef struct fcov_read {
  uint8_t open;            /* a device read with this tag awaits completions */
  uint8_t unaligned;       /* its start is not RCB-aligned */
  uint16_t cpls;           /* completions so far */
} fcov_read_t;

struct cosim_fcov {
  uint64_t n[COSIM_FCOV_COUNT];
  unsigned last_err;
  fcov_read_t rd[FCOV_TAGS];
};

static const char *const point_name[] = {
#define FCOV_NAME(id, name, desc) name,
    COSIM_FCOV_POINTS(FCOV_NAME)
#undef FCOV_NAME
};
static const char *const point_desc[] = {
#define FCOV_DESC(id, name, desc) desc,
    COSIM_FCOV_POINTS(FCOV_DESC)
#undef FCOV_DESC
};

const char *cosim_fcov_name(cosim_fcov_point_t p) {
  return (unsigned)p < COSIM_FCOV_COUNT ? point_name[p] : NULL;
}

const char *cosim_fcov_desc(cosim_fcov_point_t p) {
  return (unsigned)p < COSIM_FCOV_COUNT ? point_desc[p] : NULL;
}

int cosim_fcov_lookup(const char *name) {
  for (unsigned i = 0; i < COSIM_FCOV_COUNT; i++)
    if (!strcmp(point_name[i], name)) return (int)i;
  return -1;
}

int cosim_fcov_create(cosim_fcov_t **out) {
  *out = calloc(1, sizeof(**out));
  return *out ? 0 : -ENOMEM;
}

void cosim_fcov_destroy(cosim_fcov_t *f) { free(f); }

void cosim_fcov_hit(cosim_fcov_t *f, cosim_fcov_point_t p) {
  if (f && (unsigned)p < COSIM_FCOV_COUNT) f->n[p]++;
}

uint64_t cosim_fcov_count(const cosim_fcov_t *f, cosim_fcov_point_t p) {
  return (unsigned)p < COSIM_FCOV_COUNT ? f->n[p] : 0;
}

void cosim_fcov_add(cosim_fcov_t *dst, const cosim_fcov_t *src) {
  for (unsigned i = 0; i < COSIM_FCOV_COUNT; i++) dst->n[i] += src->n[i];
}

/* ---- TLP-level points ---- */

/* A device read ends with its last completion. */
static void read_answered(cosim_fcov_t *f, fcov_read_t *r) {
  cosim_fcov_hit(f, r->cpls == 1 ? COSIM_FCOV_RD_ONE_CPL : COSIM_FCOV_RD_SPLIT);
  if (r->cpls > 1 && r->unaligned) cosim_fcov_hit(f, COSIM_FCOV_RD_SPLIT_UNALIGNED);
  r->open = 0;
}

/* A completion the root complex sends for a device read. */
static void rc_completion(cosim_fcov_t *f, const cosim_tlp_t *t) {
  fcov_read_t *r = &f->rd[t->tag % FCOV_TAGS];
  if (!r->open) return;
  if (t->status == VEP_CPL_UR || t->status == VEP_CPL_CA) {
    cosim_fcov_hit(f, t->status == VEP_CPL_UR ? COSIM_FCOV_RD_UR : COSIM_FCOV_RD_CA);
    r->open = 0;
    return;
  }
  if (t->ep) cosim_fcov_hit(f, COSIM_FCOV_RD_POISONED);
  r->cpls++;
  /* The last completion carries exactly the remaining bytes, counted from its lower address. */
  uint32_t bc = t->byte_count ? t->byte_count : 4096u;
  uint32_t carried = 4u * t->len_dw - (t->lower_addr & 3u);
  if (bc <= carried) {
    if (t->ep)
      r->open = 0;
    else
      read_answered(f, r);
  }
}

void cosim_fcov_host_tlp(cosim_fcov_t *f, const cosim_tlp_t *t) {
  if (!f) return;
  if (!t) {
    cosim_fcov_hit(f, COSIM_FCOV_RX_MALFORMED);
    return;
  }
  int four = cosim_tlp_is_4dw(t->fmt_type);
  switch (cosim_tlp_kind(t->fmt_type)) {
    case COSIM_TLP_KIND_CFGRD0: cosim_fcov_hit(f, COSIM_FCOV_RX_CFGRD0); break;
    case COSIM_TLP_KIND_CFGWR0: cosim_fcov_hit(f, COSIM_FCOV_RX_CFGWR0); break;
    case COSIM_TLP_KIND_MRD:
      cosim_fcov_hit(f, four ? COSIM_FCOV_RX_MRD64 : COSIM_FCOV_RX_MRD32);
      break;
    case COSIM_TLP_KIND_MWR:
      cosim_fcov_hit(f, four ? COSIM_FCOV_RX_MWR64 : COSIM_FCOV_RX_MWR32);
      break;
    case COSIM_TLP_KIND_CPL:
      cosim_fcov_hit(f, COSIM_FCOV_RX_CPL);
      rc_completion(f, t);
      break;
    case COSIM_TLP_KIND_CPLD:
      cosim_fcov_hit(f, COSIM_FCOV_RX_CPLD);
      rc_completion(f, t);
      break;
    default: cosim_fcov_hit(f, COSIM_FCOV_RX_OTHER); break;
  }
}

static void dev_read(cosim_fcov_t *f, const cosim_tlp_t *t) {
  fcov_read_t *r = &f->rd[t->tag % FCOV_TAGS];
  /* The device reuses a tag only once its read is over: unanswered means timed out. */
  if (r->open) cosim_fcov_hit(f, COSIM_FCOV_RD_TIMEOUT);
  unsigned first_off;
  cosim_tlp_byte_span(t, &first_off);
  r->open = 1;
  r->cpls = 0;
  r->unaligned = (uint8_t)((t->addr + first_off) % COSIM_RC_RCB != 0);
  if (t->first_be != 0xF || (t->len_dw > 1 && t->last_be != 0xF))
    cosim_fcov_hit(f, COSIM_FCOV_RD_PARTIAL_BE);
  if (t->len_dw > 1) cosim_fcov_hit(f, COSIM_FCOV_RD_MULTI_DW);
}

void cosim_fcov_dev_tlp(cosim_fcov_t *f, const cosim_tlp_t *t) {
  if (!f) return;
  int four = cosim_tlp_is_4dw(t->fmt_type);
  switch (cosim_tlp_kind(t->fmt_type)) {
    case COSIM_TLP_KIND_MRD:
      cosim_fcov_hit(f, four ? COSIM_FCOV_TX_MRD64 : COSIM_FCOV_TX_MRD32);
      dev_read(f, t);
      break;
    case COSIM_TLP_KIND_MWR:
      cosim_fcov_hit(f, four ? COSIM_FCOV_TX_MWR64 : COSIM_FCOV_TX_MWR32);
      break;
    case COSIM_TLP_KIND_CPL:
      cosim_fcov_hit(f, t->status == VEP_CPL_UR   ? COSIM_FCOV_TX_CPL_UR
                        : t->status == VEP_CPL_CA ? COSIM_FCOV_TX_CPL_CA
                        : t->status == VEP_CPL_SC ? COSIM_FCOV_TX_CPL_SC
                                                  : COSIM_FCOV_TX_OTHER);
      break;
    case COSIM_TLP_KIND_CPLD: cosim_fcov_hit(f, COSIM_FCOV_TX_CPLD); break;
    case COSIM_TLP_KIND_MSG:
      cosim_fcov_hit(f, t->msg_code == VEP_MSG_ASSERT_INTA     ? COSIM_FCOV_TX_ASSERT_INTA
                        : t->msg_code == VEP_MSG_DEASSERT_INTA ? COSIM_FCOV_TX_DEASSERT_INTA
                                                               : COSIM_FCOV_TX_OTHER);
      break;
    default: cosim_fcov_hit(f, COSIM_FCOV_TX_OTHER); break;
  }
}

void cosim_fcov_device_error(cosim_fcov_t *f, unsigned code) {
  if (!f) return;
  if (code != f->last_err && code >= VEP_ERR_HEAD_RANGE && code <= VEP_ERR_USED_DMA)
    cosim_fcov_hit(f, (cosim_fcov_point_t)(COSIM_FCOV_ERR_HEAD_RANGE + (code - VEP_ERR_HEAD_RANGE)));
  f->last_err = code;
}

/* ---- The file ---- */

int cosim_fcov_load(cosim_fcov_t *f, const char *path, char *why, size_t whylen) {
  FILE *in = fopen(path, "r");
  if (!in) {
    if (errno == ENOENT) return 0;
    int e = errno;
    snprintf(why, whylen, "%s: %s", path, strerror(e));
    return -e;
  }
  char line[256];
  unsigned lineno = 0;
  int rc = 0;
  cosim_fcov_t tmp = {0};
  while (fgets(line, sizeof line, in)) {
    lineno++;
    char name[200];
    uint64_t count;
    if (line[0] == '\n' || line[0] == '#') continue;
    if (sscanf(line, "%199s %" SCNu64, name, &count) != 2) {
      snprintf(why, whylen, "%s:%u: not \"name count\"", path, lineno);
      rc = -EBADMSG;
      break;
    }
    int p = cosim_fcov_lookup(name);
    if (p < 0) {
      snprintf(why, whylen, "%s:%u: no coverage point '%s' (a file of another table?)", path,
               lineno, name);
      rc = -EBADMSG;
      break;
    }
    tmp.n[p] += count;
  }
  if (!rc && ferror(in)) {
    rc = -EIO;
    snprintf(why, whylen, "%s: read error", path);
  }
  fclose(in);
  /* All or nothing: a file refused halfway must not leave half its counts added. */
  if (!rc) cosim_fcov_add(f, &tmp);
  return rc;
}

int cosim_fcov_save(const cosim_fcov_t *f, const char *path) {
  size_t n = strlen(path) + 24;
  char *tmp = malloc(n);
  if (!tmp) return -ENOMEM;
  /* Per process, so that runs merging into one file at once do not share a temporary. */
  snprintf(tmp, n, "%s.%ld", path, (long)getpid());
  FILE *out = fopen(tmp, "w");
  if (!out) {
    int e = errno;
    free(tmp);
    return -e;
  }
  for (unsigned i = 0; i < COSIM_FCOV_COUNT; i++)
    fprintf(out, "%s %" PRIu64 "\n", point_name[i], f->n[i]);
  int rc = 0;
  if (fclose(out) != 0) rc = -errno;
  if (!rc && rename(tmp, path) != 0) rc = -errno;
  if (rc) remove(tmp);
  free(tmp);
  return rc;
}

int cosim_fcov_merge_into(const cosim_fcov_t *f, const char *path, char *why, size_t whylen) {
  cosim_fcov_t *sum;
  int rc = cosim_fcov_create(&sum);
  if (rc) return rc;
  rc = cosim_fcov_load(sum, path, why, whylen);
  if (!rc) {
    cosim_fcov_add(sum, f);
    rc = cosim_fcov_save(sum, path);
    if (rc) snprintf(why, whylen, "%s: %s", path, strerror(-rc));
  }
  cosim_fcov_destroy(sum);
  return rc;
}

unsigned cosim_fcov_report(const cosim_fcov_t *f, FILE *out) {
  unsigned hit = 0;
  for (unsigned i = 0; i < COSIM_FCOV_COUNT; i++) {
    fprintf(out, "%-36s %12" PRIu64 "  %s\n", point_name[i], f->n[i], point_desc[i]);
    hit += f->n[i] != 0;
  }
  fprintf(out, "functional coverage: %u/%u points hit\n", hit, (unsigned)COSIM_FCOV_COUNT);
  if (hit < COSIM_FCOV_COUNT) {
    fprintf(out, "never hit:\n");
    for (unsigned i = 0; i < COSIM_FCOV_COUNT; i++)
      if (!f->n[i]) fprintf(out, "  %s\n", point_name[i]);
  }
  return hit;
}
