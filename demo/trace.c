// SPDX-License-Identifier: GPL-2.0
/*
 * The trace ring buffer of CPU 0, mapped through trace_pipe_raw: its
 * pages, that trace_marker writes arrive in the reader sub-buffer, and
 * that the mapping is read-only for good.
 *
 * The mapping is the meta page, zero-page padding up to the sub-buffer
 * size, then every sub-buffer in ID order.  The ring buffer maps them with
 * vm_insert_pages(): on a base kernel they are refcounted and mapped
 * (mapcount 1); converted, they would be kernel-owned with mapcount 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "kinds.h"
#include "pages.h"
#include "trace_mmap.h"

/* -DTRACEFS='"/sys/kernel/tracing/instances/NAME"' maps an instance's buffer. */
#ifndef TRACEFS
#define TRACEFS			"/sys/kernel/tracing"
#endif
#define TRACE_CPU		0
#define TRACE_MARKS		4
#define TRACE_MARK		"kmapdemo-trace-"	/* then pid-number */

struct trace_ring {
	int fd;
	struct trace_buffer_meta *meta;
	size_t len;
};

/* The geometry the page labels follow, once the ring is mapped. */
static const struct trace_buffer_meta *label_meta;

static const char *trace_page_label(unsigned int i)
{
	unsigned int meta_pages = label_meta->meta_page_size / page_size;
	unsigned int subbuf_pages = label_meta->subbuf_size / page_size;
	static char buf[32];

	if (!i)
		return "meta page";
	if (i < meta_pages)
		snprintf(buf, sizeof(buf), "meta pad %u", i);
	else if (subbuf_pages == 1)
		snprintf(buf, sizeof(buf), "subbuf %u", i - meta_pages);
	else
		snprintf(buf, sizeof(buf), "subbuf %u.%u",
			 (i - meta_pages) / subbuf_pages,
			 (i - meta_pages) % subbuf_pages);
	return buf;
}

static const char *trace_hint(int err)
{
	switch (err) {
	case ENOENT:
		return "tracefs not mounted (mount -t tracefs nodev " TRACEFS ") or kernel without CONFIG_TRACING";
	case EACCES:
	case EPERM:
		return "run as root";
	case EBUSY:
		return "a snapshot of this buffer is in use";
	case ENODEV:
	case EOPNOTSUPP:
	case EINVAL:
		return "kernel without trace ring buffer mmap (Linux 6.10+)?";
	default:
		return NULL;
	}
}

/* Map the whole ring; NULL, or why it could not be. */
static const char *trace_map(struct trace_ring *r)
{
	struct trace_buffer_meta *meta;

	r->fd = open(TRACEFS "/per_cpu/cpu0/trace_pipe_raw",
		     O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (report_fd(r->fd, "open " TRACEFS "/per_cpu/cpu0/trace_pipe_raw",
		      trace_hint) < 0)
		return errno == ENOENT ? "no trace_pipe_raw: tracefs not mounted?" :
					 "open of trace_pipe_raw failed";
	/* The meta page says how much there is to map: map it alone first. */
	meta = map_shared(r->fd, page_size, PROT_READ, 0,
			  "mmap trace meta page", trace_hint);
	if (!meta)
		return "mmap failed";
	r->len = meta->meta_page_size +
		 (size_t)meta->nr_subbufs * meta->subbuf_size;
	munmap(meta, page_size);
	r->meta = map_shared(r->fd, r->len, PROT_READ, 0,
			     "mmap trace ring buffer", trace_hint);
	if (!r->meta)
		return "mmap failed";
	printf("  meta:     meta_page_size %u, subbuf_size %u, nr_subbufs %u (reader included)\n",
	       r->meta->meta_page_size, r->meta->subbuf_size,
	       r->meta->nr_subbufs);
	return NULL;
}

/*
 * Marker @i as written to trace_marker and stored in the event; its length.
 * The pid keeps the markers of an earlier run, still in the ring, out.
 */
static int trace_mark(char *buf, size_t size, int i)
{
	return snprintf(buf, size, TRACE_MARK "%d-%d\n", (int)getpid(), i);
}

/* Write the markers from CPU 0, so that they land in its ring buffer. */
static int trace_write_markers(void)
{
	cpu_set_t old, cpu;
	int fd, i, ret = 0;
	char mark[32];

	fd = open(TRACEFS "/trace_marker", O_WRONLY | O_CLOEXEC);
	if (report_fd(fd, "open " TRACEFS "/trace_marker", NULL) < 0)
		return -1;
	CPU_ZERO(&cpu);
	CPU_SET(TRACE_CPU, &cpu);
	if (sched_getaffinity(0, sizeof(old), &old) ||
	    sched_setaffinity(0, sizeof(cpu), &cpu)) {
		report_errno("sched_setaffinity(CPU 0)", errno, NULL);
		close(fd);
		return -1;
	}
	for (i = 0; i < TRACE_MARKS && !ret; i++) {
		/* One write() is one event. */
		int len = trace_mark(mark, sizeof(mark), i);

		if (write(fd, mark, len) != len) {
			/* trace_marker refuses writes while tracing is off. */
			report_errno("write " TRACEFS "/trace_marker", errno,
				     errno == EBADF ? "is " TRACEFS "/tracing_on 0?" : NULL);
			ret = -1;
		}
	}
	sched_setaffinity(0, sizeof(old), &old);
	close(fd);
	return ret;
}

/* Which markers the sub-buffer @id holds, as a bitmask. */
static unsigned int trace_marks_in(const struct trace_ring *r, unsigned int id)
{
	const char *subbuf = (const char *)r->meta + r->meta->meta_page_size +
			     (size_t)id * r->meta->subbuf_size;
	unsigned int seen = 0;
	char mark[32];
	int i, len;

	for (i = 0; i < TRACE_MARKS; i++) {
		len = trace_mark(mark, sizeof(mark), i);
		if (memmem(subbuf, r->meta->subbuf_size, mark, len))
			seen |= 1U << i;
	}
	return seen;
}

/*
 * Swap sub-buffers into the reader slot until all markers were seen there.
 * Each GET_READER consumes the reader sub-buffer, or swaps in the next one
 * if it was consumed: two calls per sub-buffer go round the whole ring.
 */
static void trace_check_markers(struct trace_ring *r)
{
	unsigned int seen = 0, all = (1U << TRACE_MARKS) - 1, tries, id = 0;

	printf("\n  markers:  %d lines \"" TRACE_MARK "%d-N\" to trace_marker on CPU %d\n",
	       TRACE_MARKS, (int)getpid(), TRACE_CPU);
	if (trace_write_markers()) {
		add_failure("trace_marker writes");
		return;
	}
	for (tries = 0; seen != all && tries <= 2 * r->meta->nr_subbufs; tries++) {
		if (ioctl(r->fd, TRACE_MMAP_IOCTL_GET_READER) < 0) {
			report_errno("ioctl(TRACE_MMAP_IOCTL_GET_READER)", errno, NULL);
			break;
		}
		id = __atomic_load_n(&r->meta->reader.id, __ATOMIC_ACQUIRE);
		seen |= trace_marks_in(r, id);
	}
	printf("  reader:   sub-buffer %u, entries %llu, read %llu: %d of %d markers seen through the mapping\n",
	       id, (unsigned long long)r->meta->entries,
	       (unsigned long long)r->meta->read,
	       __builtin_popcount(seen), TRACE_MARKS);
	if (seen != all)
		add_failure("trace markers missing from the mapped reader sub-buffer");
}

const char *demo_trace(void)
{
	struct trace_ring r = { .fd = -1 };
	struct census c = { 0 };
	const char *mode, *why;

	printf("\n== trace ring buffer: CPU %d, trace_pipe_raw ==\n", TRACE_CPU);
	why = trace_map(&r);
	if (why) {
		if (r.fd >= 0)
			close(r.fd);
		return not_tested(why, "trace ring buffer: %s", why);
	}
	label_meta = r.meta;
	describe_mapping("trace ring", r.meta, r.len, trace_page_label, &c);
	mode = census_verdict(&c);
	trace_check_markers(&r);
	check_read_only(r.meta, "trace", "meta page");
	check_read_only((char *)r.meta + r.meta->meta_page_size, "trace",
			"subbuf 0");
	printf("  mode:     %s\n", mode);
	munmap(r.meta, r.len);
	close(r.fd);
	return mode;
}
