/* SPDX-License-Identifier: Apache-2.0 */
#include "cosim_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cosim_errlog_init(cosim_errlog_t *log) { memset(log, 0, sizeof(*log)); }

void cosim_errlog_clear(cosim_errlog_t *log) {
  for (unsigned i = 0; i < COSIM_ERR_KEEP; i++) free(log->msg[i]);
  cosim_errlog_init(log);
}

void cosim_errlog_add(cosim_errlog_t *log, uint64_t cycle, const char *fmt, ...) {
  log->count++;
  if (log->kept >= COSIM_ERR_KEEP) return;
  char prefix[40];
  int np = snprintf(prefix, sizeof(prefix), "cycle %llu: ", (unsigned long long)cycle);
  va_list ap;
  va_start(ap, fmt);
  int nt = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (np < 0 || nt < 0) return;
  char *m = malloc((size_t)np + (size_t)nt + 1);
  if (!m) return;
  memcpy(m, prefix, (size_t)np);
  va_start(ap, fmt);
  vsnprintf(m + np, (size_t)nt + 1, fmt, ap);
  va_end(ap);
  log->msg[log->kept++] = m;
}

char *cosim_strdup(const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}
