/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_consts: proves that rtl/vep_pkg.sv and include/vep_consts.h agree.
 *
 *   check_consts rtl/vep_pkg.sv
 *
 * Every name in VEP_SHARED_CONSTANTS must be defined in the package exactly once, as
 * `localparam int unsigned NAME = 32'hXXXXXXXX;`, with the same value; every VEP_* localparam of
 * the package must be in that list (otherwise the RTL holds a value no C code is checked
 * against). One line per mismatch, then `N passed, M failed`; exit 1 on any failure.
 *
 * A separate program rather than a runner test: it needs the RTL source, not a simulation, and
 * CI can run it before anything is Verilated.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vep_consts.h"

typedef struct {
  const char *name;
  unsigned long long value;
} shared_const_t;

#define CONST_ENTRY(n) {#n, (unsigned long long)(n)},
static const shared_const_t k_shared[] = {VEP_SHARED_CONSTANTS(CONST_ENTRY)};
#define NSHARED (sizeof k_shared / sizeof k_shared[0])

#define MAX_PKG 1024
#define NAME_MAX_LEN 96

typedef struct {
  char name[NAME_MAX_LEN];
  unsigned long long value;
  int well_formed;   /* matched `localparam int unsigned NAME = 32'hXXXXXXXX;` */
  unsigned line;
  unsigned count;    /* definitions of this name */
} pkg_const_t;

static const char *skip_ws(const char *p) {
  while (*p == ' ' || *p == '\t') p++;
  return p;
}

static const char *skip_word(const char *p, const char *word) {
  size_t n = strlen(word);
  if (strncmp(p, word, n) != 0 || isalnum((unsigned char)p[n]) || p[n] == '_') return NULL;
  return p + n;
}

/* Parses the rest of a localparam line after the keyword. Fills name and, when the line has
 * the one accepted form, value with well_formed = 1. Returns 0 if no VEP_* name was found. */
static int parse_localparam(const char *p, pkg_const_t *pc) {
  const char *q;
  const char *name_start = NULL;
  size_t name_len = 0;
  /* Find the name: the identifier just before '='. */
  const char *eq = strchr(p, '=');
  if (!eq) return 0;
  q = eq;
  while (q > p && (q[-1] == ' ' || q[-1] == '\t')) q--;
  const char *end = q;
  while (q > p && (isalnum((unsigned char)q[-1]) || q[-1] == '_')) q--;
  name_start = q;
  name_len = (size_t)(end - name_start);
  if (name_len < 5 || strncmp(name_start, "VEP_", 4) != 0) return 0;
  if (name_len >= NAME_MAX_LEN) name_len = NAME_MAX_LEN - 1;
  memcpy(pc->name, name_start, name_len);
  pc->name[name_len] = '\0';
  pc->well_formed = 0;
  pc->value = 0;

  /* The accepted form, token by token. */
  q = skip_ws(p);
  if (!(q = skip_word(q, "int"))) return 1;
  q = skip_ws(q);
  if (!(q = skip_word(q, "unsigned"))) return 1;
  q = skip_ws(q);
  if (q != name_start) return 1;
  q = skip_ws(eq + 1);
  if (strncmp(q, "32'h", 4) != 0) return 1;
  q += 4;
  unsigned long long v = 0;
  int digits = 0;
  while (isxdigit((unsigned char)*q) || *q == '_') {
    if (*q != '_') {
      int c = tolower((unsigned char)*q);
      v = v * 16 + (unsigned)(isdigit(c) ? c - '0' : c - 'a' + 10);
      digits++;
    }
    q++;
  }
  if (digits != 8) return 1;
  q = skip_ws(q);
  if (*q != ';') return 1;
  pc->value = v;
  pc->well_formed = 1;
  return 1;
}

static int in_shared(const char *name) {
  for (size_t i = 0; i < NSHARED; i++)
    if (strcmp(k_shared[i].name, name) == 0) return 1;
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2 || argv[1][0] == '-') {
    fprintf(stderr, "usage: %s rtl/vep_pkg.sv\n", argv[0]);
    return 2;
  }
  FILE *f = fopen(argv[1], "r");
  if (!f) {
    fprintf(stderr, "check_consts: %s: %s\n", argv[1], strerror(errno));
    return 2;
  }
  static pkg_const_t pkg[MAX_PKG];
  unsigned npkg = 0;
  char line[1024];
  unsigned lineno = 0;
  int in_block_comment = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    /* Drop comments so a name mentioned in prose does not count as a definition. */
    char *c = line;
    char clean[1024];
    size_t n = 0;
    while (*c && n + 1 < sizeof clean) {
      if (in_block_comment) {
        if (c[0] == '*' && c[1] == '/') {
          in_block_comment = 0;
          c += 2;
        } else {
          c++;
        }
      } else if (c[0] == '/' && c[1] == '/') {
        break;
      } else if (c[0] == '/' && c[1] == '*') {
        in_block_comment = 1;
        c += 2;
      } else {
        clean[n++] = *c++;
      }
    }
    clean[n] = '\0';
    const char *p = skip_ws(clean);
    const char *after = skip_word(p, "localparam");
    if (!after) continue;
    pkg_const_t pc;
    if (!parse_localparam(after, &pc)) continue;
    pc.line = lineno;
    pc.count = 1;
    unsigned j;
    for (j = 0; j < npkg; j++)
      if (strcmp(pkg[j].name, pc.name) == 0) break;
    if (j < npkg) {
      pkg[j].count++;
      continue;
    }
    if (npkg == MAX_PKG) {
      fprintf(stderr, "check_consts: more than %d VEP_* localparams\n", MAX_PKG);
      fclose(f);
      return 2;
    }
    pkg[npkg++] = pc;
  }
  fclose(f);

  unsigned passed = 0, failed = 0;
  for (size_t i = 0; i < NSHARED; i++) {
    const shared_const_t *sc = &k_shared[i];
    const pkg_const_t *pc = NULL;
    for (unsigned j = 0; j < npkg; j++)
      if (strcmp(pkg[j].name, sc->name) == 0) pc = &pkg[j];
    if (!pc) {
      printf("MISSING %s: in VEP_SHARED_CONSTANTS (0x%08llX) but not defined in %s\n", sc->name,
             sc->value, argv[1]);
      failed++;
    } else if (!pc->well_formed) {
      printf("FORM %s (%s:%u): not `localparam int unsigned %s = 32'hXXXXXXXX;`\n", sc->name,
             argv[1], pc->line, sc->name);
      failed++;
    } else if (pc->count != 1) {
      printf("DUPLICATE %s: defined %u times in %s\n", sc->name, pc->count, argv[1]);
      failed++;
    } else if (sc->value > 0xFFFFFFFFull || pc->value != sc->value) {
      printf("VALUE %s: C 0x%08llX, RTL 0x%08llX (%s:%u)\n", sc->name, sc->value, pc->value,
             argv[1], pc->line);
      failed++;
    } else {
      passed++;
    }
  }
  for (unsigned j = 0; j < npkg; j++) {
    if (in_shared(pkg[j].name)) continue;  /* counted above */
    printf("EXTRA %s (%s:%u): a VEP_* localparam not in VEP_SHARED_CONSTANTS\n", pkg[j].name,
           argv[1], pkg[j].line);
    failed++;
  }
  printf("%u passed, %u failed\n", passed, failed);
  return failed ? 1 : 0;
}
