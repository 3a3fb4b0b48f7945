// SPDX-License-Identifier: GPL-2.0
/*
 * The records of the perf ring buffer: generate some (task-clock samples
 * and a COMM record), walk them through the mapping and consume them
 * through the user page.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "check.h"
#include "perf.h"

#define PERF_BUSY_NS		60000000
#define DEMO_COMM		"kmapdemo-comm"

struct record_counts {
	uint64_t head;		/* data_head the walk stopped at */
	unsigned int comm, comm_ours, sample, mmap, lost, other;
	bool corrupt;
};

/* Copy @len bytes at ring position @pos, which may wrap around the end. */
static void ring_copy(const struct perf_ring *r, uint64_t pos, void *dst,
		      size_t len)
{
	size_t off = pos % r->data_size;
	size_t first = len < r->data_size - off ? len : r->data_size - off;

	memcpy(dst, r->data + off, first);
	memcpy((char *)dst + first, r->data, len - first);
}

static void count_record(const struct perf_ring *r, uint64_t pos,
			 const struct perf_event_header *hdr,
			 struct record_counts *rc)
{
	struct {
		struct perf_event_header hdr;
		uint32_t pid, tid;
		char comm[64];
	} comm;

	switch (hdr->type) {
	case PERF_RECORD_COMM:
		rc->comm++;
		memset(&comm, 0, sizeof(comm));
		ring_copy(r, pos, &comm, hdr->size < sizeof(comm) - 1 ?
					 hdr->size : sizeof(comm) - 1);
		if (!strcmp(comm.comm, DEMO_COMM))
			rc->comm_ours++;
		break;
	case PERF_RECORD_SAMPLE:
		rc->sample++;
		break;
	case PERF_RECORD_MMAP:
		rc->mmap++;
		break;
	case PERF_RECORD_LOST:
		rc->lost++;
		break;
	default:
		rc->other++;
		break;
	}
}

/* Walk the records between data_tail and data_head; return the new tail. */
static uint64_t perf_count_records(const struct perf_ring *r,
				   struct record_counts *rc)
{
	/* Acquire pairs with the kernel's barrier before it publishes head. */
	uint64_t head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = r->meta->data_tail;
	struct perf_event_header hdr;

	rc->head = head;
	if (head - tail > r->data_size) {
		rc->corrupt = true;
		return tail;
	}
	while (tail < head) {
		ring_copy(r, tail, &hdr, sizeof(hdr));
		if (hdr.size < sizeof(hdr) || hdr.size > head - tail) {
			rc->corrupt = true;
			break;
		}
		count_record(r, tail, &hdr, rc);
		tail += hdr.size;
	}
	return tail;
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Burn user CPU time so the task clock produces samples. */
static void busy_loop(uint64_t ns)
{
	uint64_t end = thread_cpu_ns() + ns;
	volatile unsigned long spin = 0;

	while (thread_cpu_ns() < end) {
		for (int i = 0; i < 10000; i++)
			spin++;
	}
}

static void perf_generate_activity(void)
{
	busy_loop(PERF_BUSY_NS / 2);
	/* set_task_comm() emits a PERF_RECORD_COMM to events with comm=1 */
	if (prctl(PR_SET_NAME, DEMO_COMM) < 0)
		report_errno("prctl(PR_SET_NAME)", errno, NULL);
	busy_loop(PERF_BUSY_NS / 2);
}

void perf_check_records(struct perf_ring *r)
{
	struct record_counts rc = { 0 };
	uint64_t head_before, tail;

	head_before = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
	perf_generate_activity();
	tail = perf_count_records(r, &rc);
	printf("\n  records:  data_head %llu -> %llu (data area %llu bytes)\n",
	       (unsigned long long)head_before, (unsigned long long)rc.head,
	       (unsigned long long)r->data_size);
	printf("            COMM %u (%u with name \"%s\"), SAMPLE %u, MMAP %u, LOST %u, other %u%s\n",
	       rc.comm, rc.comm_ours, DEMO_COMM, rc.sample, rc.mmap,
	       rc.lost, rc.other, rc.corrupt ? ", ring CORRUPT" : "");
	if (rc.corrupt)
		add_failure("perf ring records corrupt");
	if (rc.head == head_before)
		add_failure("perf data_head did not advance");
	if (!rc.comm_ours)
		add_failure("no perf COMM record for prctl(PR_SET_NAME)");
	if (!rc.sample)
		add_failure("no perf SAMPLE records");

	/* Consuming the records is the write to the user page. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	check_write_works(&r->meta->data_tail, tail, "perf", "user page",
			  "data_tail");
}
