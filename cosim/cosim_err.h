/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The error list every part of cosim reports into: checkers, the root complex, lockstep. Errors
 * never abort a run; the first COSIM_ERR_KEEP are kept as text and all of them are counted, so a
 * run that goes wrong in a loop does not drown the first, most useful message.
 */
#ifndef COSIM_ERR_H
#define COSIM_ERR_H

#include <stdint.h>

#define COSIM_ERR_KEEP 16u

typedef struct cosim_errlog {
  unsigned count;               /* all errors reported */
  unsigned kept;                /* min(count, COSIM_ERR_KEEP) unless an allocation failed */
  char *msg[COSIM_ERR_KEEP];    /* heap strings, "cycle N: <text>" */
} cosim_errlog_t;

/* An empty list (also what cosim_errlog_clear leaves). */
void cosim_errlog_init(cosim_errlog_t *log);
/* Frees the kept messages and zeroes both counts. */
void cosim_errlog_clear(cosim_errlog_t *log);
/* Records one error stamped with the cycle. Never fails: when memory runs out the error is still
 * counted, only its text is lost. */
void cosim_errlog_add(cosim_errlog_t *log, uint64_t cycle, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* strdup, which C11 lacks: a heap copy of s, or NULL when s is NULL or memory runs out. */
char *cosim_strdup(const char *s);

#endif /* COSIM_ERR_H */
