/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One function per mapping kind: maps it, prints its pages and functional
 * checks, and returns its verdict (base behaviour, converted, or why not).
 */
#ifndef KMAPDEMO_KINDS_H
#define KMAPDEMO_KINDS_H

const char *demo_perf(void);
const char *demo_uring(void);
const char *demo_trace(void);
const char *demo_bpf(void);
const char *demo_kcov(void);

#endif
