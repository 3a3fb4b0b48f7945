// SPDX-License-Identifier: GPL-2.0
/*
 * The perf ring buffer of a task-clock sampling event: its pages, that the
 * records arrive (perf_records.c) and that the data pages are
 * write-protected.
 *
 * On a base kernel the ring is a VM_PFNMAP mapping ("pf" in VmFlags,
 * pagemap skips it).  With the kernel-owned pages series it is a
 * VM_MIXEDMAP ("mm") mapping of pages typed PGTY_kernel_owned
 * (KPF_KERNEL_OWNED in kpageflags) with mapcount 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "kinds.h"
#include "pages.h"
#include "perf.h"

#define PERF_DATA_PAGES		4	/* must be a power of two */
#define PERF_SAMPLE_NS		1000000	/* one sample per ms of task clock */

static const char *perf_page_label(unsigned int i)
{
	static char buf[32];

	if (!i)
		return "user page";
	snprintf(buf, sizeof(buf), "data page %u", i - 1);
	return buf;
}

static const char *perf_open_hint(int err)
{
	switch (err) {
	case ENOSYS:
	case ENOENT:
		return "kernel without CONFIG_PERF_EVENTS?";
	case EACCES:
	case EPERM:
		return "check /proc/sys/kernel/perf_event_paranoid, or run as root";
	default:
		return fd_limit_hint(err);
	}
}

/* Whatever the errno: the locked memory limit is the likely cause. */
static const char *perf_map_hint(int err)
{
	(void)err;
	return "EPERM: raise /proc/sys/kernel/perf_event_mlock_kb or RLIMIT_MEMLOCK";
}

static int perf_open(void)
{
	struct perf_event_attr attr = {
		.type		= PERF_TYPE_SOFTWARE,
		.size		= sizeof(attr),
		.config		= PERF_COUNT_SW_TASK_CLOCK,
		.sample_period	= PERF_SAMPLE_NS,
		.sample_type	= PERF_SAMPLE_IP | PERF_SAMPLE_TID,
		.comm		= 1,
		.mmap		= 1,
		/* user-only events work under perf_event_paranoid <= 2 */
		.exclude_kernel	= 1,
		.exclude_hv	= 1,
	};
	int fd;

	fd = syscall(__NR_perf_event_open, &attr, 0, -1, -1,
		     PERF_FLAG_FD_CLOEXEC);
	return report_fd(fd, "perf_event_open(TASK_CLOCK, this task)",
			 perf_open_hint);
}

/* Open and map the ring; NULL, or the verdict if that failed. */
static const char *perf_map(struct perf_ring *r)
{
	r->fd = perf_open();
	if (r->fd < 0)
		return not_tested("perf_event_open failed", "perf_event_open");
	r->len = (1 + PERF_DATA_PAGES) * page_size;
	r->meta = map_shared(r->fd, r->len, PROT_READ | PROT_WRITE, 0,
			     "mmap perf ring buffer", perf_map_hint);
	if (!r->meta) {
		close(r->fd);
		return not_tested("mmap failed", "perf mmap");
	}
	/* data_offset/data_size are 0 on kernels older than 4.1. */
	r->data_size = r->meta->data_size ?:
		       (uint64_t)PERF_DATA_PAGES * page_size;
	r->data = (char *)r->meta +
		  (r->meta->data_offset ?: (uint64_t)page_size);
	return NULL;
}

static void perf_check_write_protect(struct perf_ring *r)
{
	int sig = check_write_faults(r->data, "perf", "data page 0");

	if (sig && sig != SIGBUS)
		printf("            (expected SIGBUS from perf_mmap_pfn_mkwrite())\n");
}

static const char *perf_mode(const struct census *c)
{
	if (has_vmflag(c, "pf"))
		return "base behaviour (VM_PFNMAP)";
	if (!has_vmflag(c, "mm"))
		return "unexpected (neither VM_PFNMAP nor VM_MIXEDMAP)";
	if (!census_complete(c))
		return "VM_MIXEDMAP, page type not checked (needs root)";
	if (census_converted(c))
		return VERDICT_CONVERTED;
	return "unexpected (VM_MIXEDMAP but pages not all typed with mapcount 0)";
}

const char *demo_perf(void)
{
	struct perf_ring r = { 0 };
	struct census c = { 0 };
	const char *mode;

	printf("== perf ring buffer: task-clock sampling event, 1+%d pages ==\n",
	       PERF_DATA_PAGES);
	mode = perf_map(&r);
	if (mode)
		return mode;
	describe_mapping("perf ring", r.meta, r.len, perf_page_label, &c);
	mode = perf_mode(&c);
	perf_check_records(&r);
	perf_check_write_protect(&r);
	printf("  mode:     %s\n", mode);
	munmap(r.meta, r.len);
	close(r.fd);
	return mode;
}
