/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Functional checks shared by every mapping kind: failure bookkeeping,
 * error reports and write probes that catch the fault a store raises.
 */
#ifndef KMAPDEMO_CHECK_H
#define KMAPDEMO_CHECK_H

#include <stddef.h>
#include <sys/types.h>

#include <linux/types.h>

/* What to tell the user about a call that failed with @err, or NULL. */
typedef const char *(*hint_fn)(int err);

void add_failure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The failures so far, "; "-separated; "" if every check passed. */
const char *failures(void);
const char *not_tested(const char *why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void report_errno(const char *what, int err, const char *hint);
const char *fd_limit_hint(int err);
int report_fd(int fd, const char *what, hint_fn hint);
void *map_shared(int fd, size_t len, int prot, off_t off, const char *what,
		 hint_fn hint);
void check_write_works(__u64 *p, __u64 val, const char *kind,
		       const char *page, const char *field);
int check_write_faults(void *p, const char *kind, const char *what);
void check_read_only(void *p, const char *kind, const char *what);

#endif
