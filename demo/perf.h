/* SPDX-License-Identifier: GPL-2.0 */
/* The perf ring buffer as perf.c maps it and perf_records.c reads it. */
#ifndef KMAPDEMO_PERF_H
#define KMAPDEMO_PERF_H

#include <stdint.h>

#include <linux/perf_event.h>

struct perf_ring {
	int fd;
	size_t len;
	struct perf_event_mmap_page *meta;
	char *data;
	uint64_t data_size;
};

/* Make records arrive, walk them through the mapping, consume them. */
void perf_check_records(struct perf_ring *r);

#endif
