/* SPDX-License-Identifier: Apache-2.0 */
/*
 * junit-merge: merges the JUnit reports of a sharded regression (vepsim --shard I/N --junit F)
 * into one report, and refuses to merge a set that does not prove a complete run.
 *
 *   junit-merge OUT.xml IN.xml...
 *
 * Test suites are merged by name (vepsim.lockstep, vepsim.rtl, ...): their test cases are put
 * together, sorted by name, and the counts and times summed. For each suite the inputs must
 * agree on seed, DUT, backpressure, shard count and selection size, name each shard 0..N-1
 * exactly once, and hold together exactly `selected` distinct tests; otherwise nothing is
 * written and the reason goes to stderr (exit 1). Reports without shard properties (a plain
 * run) merge as one shard of one. Exit 2 on a usage or I/O error.
 *
 * Only the format vepsim writes is read (tb/tb_main.c write_junit): one element per line for
 * properties, a test case from "<testcase" to "</testcase>".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SUITES 64
#define MAX_SHARDS 4096

typedef struct tcase {
  char *name;
  char *xml;     /* "<testcase ...</testcase>", verbatim */
  int failed;
  double secs;
} tcase_t;

typedef struct suite {
  char name[128];
  char seed[32], dut[32], backpressure[16];
  unsigned long shard_n, selected;
  unsigned char *shard_seen;  /* shard_n flags */
  tcase_t *cases;
  size_t ncases, cap;
  double secs;
} suite_t;

static suite_t suites[MAX_SUITES];
static size_t nsuites;

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "junit-merge: %s: %s\n", path, strerror(errno));
    return NULL;
  }
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += got;
    if (cap - len < 2) {
      char *p = realloc(buf, cap * 2);
      if (!p) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = p;
      cap *= 2;
    }
  }
  fclose(f);
  if (!buf) {
    fprintf(stderr, "junit-merge: %s: out of memory\n", path);
    return NULL;
  }
  buf[len] = '\0';
  return buf;
}

/* The value of attribute `attr` in the element starting at `elem` (up to its '>'), into out. */
static int attr_of(const char *elem, const char *attr, char *out, size_t len) {
  const char *end = strchr(elem, '>');
  char key[64];
  snprintf(key, sizeof key, " %s=\"", attr);
  const char *p = strstr(elem, key);
  if (!p || (end && p > end)) return -1;
  p += strlen(key);
  const char *q = strchr(p, '"');
  if (!q || (size_t)(q - p) >= len) return -1;
  memcpy(out, p, (size_t)(q - p));
  out[q - p] = '\0';
  return 0;
}

/* A <property name="key" value="..."/> inside [from, to). */
static int property(const char *from, const char *to, const char *key, char *out, size_t len) {
  char pat[96];
  snprintf(pat, sizeof pat, "<property name=\"%s\"", key);
  const char *p = strstr(from, pat);
  if (!p || p >= to) return -1;
  return attr_of(p, "value", out, len);
}

static suite_t *suite_named(const char *name) {
  for (size_t i = 0; i < nsuites; i++)
    if (!strcmp(suites[i].name, name)) return &suites[i];
  if (nsuites == MAX_SUITES) return NULL;
  suite_t *s = &suites[nsuites++];
  memset(s, 0, sizeof *s);
  snprintf(s->name, sizeof s->name, "%s", name);
  return s;
}

static int add_case(suite_t *s, const char *start, const char *end) {
  if (s->ncases == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 128;
    tcase_t *p = realloc(s->cases, cap * sizeof *p);
    if (!p) return -1;
    s->cases = p;
    s->cap = cap;
  }
  tcase_t *c = &s->cases[s->ncases];
  char name[256], t[32];
  if (attr_of(start, "name", name, sizeof name) < 0) return -1;
  c->name = strdup(name);
  c->xml = strndup(start, (size_t)(end - start));
  if (!c->name || !c->xml) return -1;
  c->failed = strstr(c->xml, "<failure") != NULL;
  c->secs = attr_of(start, "time", t, sizeof t) == 0 ? strtod(t, NULL) : 0;
  s->ncases++;
  return 0;
}

/* Checks that a shard's run parameters match the suite's (the first shard sets them). */
static int same(const char *path, const suite_t *s, const char *what, const char *have,
                const char *want) {
  if (!strcmp(have, want)) return 0;
  fprintf(stderr, "junit-merge: %s: suite %s has %s %s, other shards %s: not one run\n", path,
          s->name, what, have, want);
  return -1;
}

static int merge_file(const char *path) {
  char *buf = read_file(path);
  if (!buf) return 2;
  int rc = 0;
  int found = 0;
  for (const char *p = buf; (p = strstr(p, "<testsuite ")) != NULL;) {
    const char *end = strstr(p, "</testsuite>");
    if (!end) {
      fprintf(stderr, "junit-merge: %s: unterminated <testsuite>\n", path);
      rc = 1;
      break;
    }
    found = 1;
    char name[128], seed[32] = "", dut[32] = "", bp[16] = "0", shard[48] = "0/1", sel[32] = "";
    char t[32];
    if (attr_of(p, "name", name, sizeof name) < 0) {
      fprintf(stderr, "junit-merge: %s: <testsuite> without a name\n", path);
      rc = 1;
      break;
    }
    property(p, end, "seed", seed, sizeof seed);
    property(p, end, "dut", dut, sizeof dut);
    property(p, end, "backpressure", bp, sizeof bp);
    property(p, end, "shard", shard, sizeof shard);
    int has_sel = property(p, end, "selected", sel, sizeof sel) == 0;
    unsigned long si = 0, sn = 1;
    if (sscanf(shard, "%lu/%lu", &si, &sn) != 2 || sn == 0 || sn > MAX_SHARDS || si >= sn) {
      fprintf(stderr, "junit-merge: %s: suite %s: bad shard '%s'\n", path, name, shard);
      rc = 1;
      break;
    }
    suite_t *s = suite_named(name);
    if (!s) {
      fprintf(stderr, "junit-merge: more than %d suites\n", MAX_SUITES);
      rc = 2;
      break;
    }
    char sn_text[24], sel_text[24];
    if (!s->shard_seen) {
      snprintf(s->seed, sizeof s->seed, "%s", seed);
      snprintf(s->dut, sizeof s->dut, "%s", dut);
      snprintf(s->backpressure, sizeof s->backpressure, "%s", bp);
      s->shard_n = sn;
      s->selected = has_sel ? strtoul(sel, NULL, 10) : 0;
      s->shard_seen = calloc(sn, 1);
      if (!s->shard_seen) {
        rc = 2;
        break;
      }
    }
    snprintf(sn_text, sizeof sn_text, "%lu", sn);
    char want_sn[24];
    snprintf(want_sn, sizeof want_sn, "%lu", s->shard_n);
    snprintf(sel_text, sizeof sel_text, "%lu", has_sel ? strtoul(sel, NULL, 10) : 0ul);
    char want_sel[24];
    snprintf(want_sel, sizeof want_sel, "%lu", s->selected);
    if (same(path, s, "seed", seed, s->seed) || same(path, s, "dut", dut, s->dut) ||
        same(path, s, "backpressure", bp, s->backpressure) ||
        same(path, s, "shard count", sn_text, want_sn) ||
        same(path, s, "selection size", sel_text, want_sel)) {
      rc = 1;
      break;
    }
    if (s->shard_seen[si]) {
      fprintf(stderr, "junit-merge: %s: suite %s: shard %lu/%lu given twice\n", path, name, si,
              sn);
      rc = 1;
      break;
    }
    s->shard_seen[si] = 1;
    if (attr_of(p, "time", t, sizeof t) == 0) s->secs += strtod(t, NULL);
    for (const char *c = p; (c = strstr(c, "<testcase ")) != NULL && c < end;) {
      const char *ce = strstr(c, "</testcase>");
      if (!ce || ce > end) {
        fprintf(stderr, "junit-merge: %s: unterminated <testcase>\n", path);
        rc = 1;
        break;
      }
      ce += strlen("</testcase>");
      if (add_case(s, c, ce) < 0) {
        fprintf(stderr, "junit-merge: %s: unreadable <testcase>\n", path);
        rc = 1;
        break;
      }
      c = ce;
    }
    if (rc) break;
    p = end;
  }
  if (!rc && !found) {
    fprintf(stderr, "junit-merge: %s: no <testsuite>\n", path);
    rc = 1;
  }
  free(buf);
  return rc;
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const tcase_t *)a)->name, ((const tcase_t *)b)->name);
}

/* Every shard present, no test twice, and the selection complete. */
static int check_complete(suite_t *s) {
  for (unsigned long i = 0; i < s->shard_n; i++) {
    if (!s->shard_seen[i]) {
      fprintf(stderr, "junit-merge: suite %s: shard %lu/%lu missing\n", s->name, i, s->shard_n);
      return -1;
    }
  }
  qsort(s->cases, s->ncases, sizeof *s->cases, by_name);
  for (size_t i = 1; i < s->ncases; i++) {
    if (!strcmp(s->cases[i - 1].name, s->cases[i].name)) {
      fprintf(stderr, "junit-merge: suite %s: test %s appears twice\n", s->name,
              s->cases[i].name);
      return -1;
    }
  }
  if (s->selected && s->ncases != s->selected) {
    fprintf(stderr, "junit-merge: suite %s: %zu tests reported, %lu selected\n", s->name,
            s->ncases, s->selected);
    return -1;
  }
  return 0;
}

static void write_escaped(FILE *f, const char *v) {
  for (; *v; v++) {
    if (*v == '"') fputs("&quot;", f);
    else if (*v == '<') fputs("&lt;", f);
    else if (*v == '&') fputs("&amp;", f);
    else fputc(*v, f);
  }
}

static int write_merged(const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "junit-merge: %s: %s\n", path, strerror(errno));
    return 2;
  }
  size_t tests = 0, failures = 0;
  double secs = 0;
  for (size_t i = 0; i < nsuites; i++) {
    tests += suites[i].ncases;
    for (size_t c = 0; c < suites[i].ncases; c++) failures += suites[i].cases[c].failed;
    secs += suites[i].secs;
  }
  fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  fprintf(f, "<testsuites tests=\"%zu\" failures=\"%zu\" time=\"%.3f\">\n", tests, failures, secs);
  for (size_t i = 0; i < nsuites; i++) {
    const suite_t *s = &suites[i];
    size_t fails = 0;
    for (size_t c = 0; c < s->ncases; c++) fails += s->cases[c].failed;
    fprintf(f, "  <testsuite name=\"");
    write_escaped(f, s->name);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"%.3f\">\n", s->ncases,
            fails, s->secs);
    fprintf(f, "    <properties><property name=\"seed\" value=\"");
    write_escaped(f, s->seed);
    fprintf(f, "\"/><property name=\"dut\" value=\"");
    write_escaped(f, s->dut);
    fprintf(f, "\"/><property name=\"backpressure\" value=\"");
    write_escaped(f, s->backpressure);
    fprintf(f, "\"/><property name=\"merged_shards\" value=\"%lu\"/></properties>\n",
            s->shard_n);
    for (size_t c = 0; c < s->ncases; c++) fprintf(f, "    %s\n", s->cases[c].xml);
    fprintf(f, "  </testsuite>\n");
  }
  fprintf(f, "</testsuites>\n");
  if (fclose(f) != 0) {
    fprintf(stderr, "junit-merge: %s: %s\n", path, strerror(errno));
    return 2;
  }
  printf("junit-merge: %s: %zu suites, %zu tests, %zu failed\n", path, nsuites, tests, failures);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
    fprintf(argc < 3 ? stderr : stdout, "usage: %s OUT.xml IN.xml...\n", argv[0]);
    return argc < 3 ? 2 : 0;
  }
  for (int i = 2; i < argc; i++) {
    if (!strcmp(argv[i], argv[1])) {
      fprintf(stderr, "junit-merge: the output %s is also an input\n", argv[1]);
      return 2;
    }
    int rc = merge_file(argv[i]);
    if (rc) return rc;
  }
  for (size_t i = 0; i < nsuites; i++)
    if (check_complete(&suites[i]) < 0) return 1;
  return write_merged(argv[1]);
}
