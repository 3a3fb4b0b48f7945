/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Functional checks shared by every mapping kind: failure bookkeeping,
 * error reports and write probes that catch the fault a store raises.
 */
#ifndef KMAPDEMO_CHECK_H
#define KMAPDEMO_CHECK_H

#include <linux/types.h>

void add_failure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The failures so far, "; "-separated; "" if every check passed. */
const char *failures(void);
void report_errno(const char *what, int err, const char *hint);
void check_write_works(__u64 *p, __u64 val, const char *kind,
		       const char *what);
int check_write_faults(void *p, const char *kind, const char *what);
void check_read_only(void *p, const char *kind, const char *what);

#endif
