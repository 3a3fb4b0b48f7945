// SPDX-License-Identifier: GPL-2.0
/*
 * The kcov coverage buffer (/sys/kernel/debug/kcov, CONFIG_KCOV): its
 * pages, and that the PCs of a traced system call arrive through it.
 *
 * KCOV_INIT_TRACE allocates the buffer with vmalloc_user(); mmap() of the
 * whole buffer at offset 0 maps it.  On a base kernel kcov_mmap() maps each
 * page with vm_insert_page(): refcounted and mapped (mapcount 1); converted,
 * the pages are kernel-owned with mapcount 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kcov.h>

#include "check.h"
#include "kinds.h"
#include "pages.h"

#define KCOV_PATH	"/sys/kernel/debug/kcov"
#define KCOV_PAGES	8

static const char *kcov_open_hint(int err)
{
	switch (err) {
	case ENOENT:
		return "kernel without CONFIG_KCOV, or debugfs not mounted on /sys/kernel/debug?";
	case EACCES:
		return "run as root";
	default:
		return NULL;
	}
}

/* Open kcov and size its buffer; the fd, or -1 after reporting why not. */
static int kcov_init(size_t words)
{
	int fd = report_fd(open(KCOV_PATH, O_RDWR), "open " KCOV_PATH,
			   kcov_open_hint);

	if (fd >= 0 && ioctl(fd, KCOV_INIT_TRACE, words)) {
		report_errno("ioctl(KCOV_INIT_TRACE)", errno, NULL);
		close(fd);
		return -1;
	}
	return fd;
}

/* Trace one system call of this thread; the number of PCs it recorded. */
static unsigned long kcov_trace_read(int fd, unsigned long *area)
{
	unsigned long n;

	if (ioctl(fd, KCOV_ENABLE, KCOV_TRACE_PC)) {
		report_errno("ioctl(KCOV_ENABLE)", errno, NULL);
		return 0;
	}
	__atomic_store_n(&area[0], 0, __ATOMIC_RELAXED);
	(void)!read(-1, NULL, 0);
	n = __atomic_load_n(&area[0], __ATOMIC_RELAXED);
	if (ioctl(fd, KCOV_DISABLE, 0))
		report_errno("ioctl(KCOV_DISABLE)", errno, NULL);
	return n;
}

static void kcov_check_coverage(int fd, unsigned long *area, size_t words)
{
	unsigned long n = kcov_trace_read(fd, area);

	printf("\n  coverage: read(-1) recorded %lu PCs in the mapping", n);
	if (n)
		printf(", the first %#lx", area[1]);
	printf("\n");
	if (!n || n >= words)
		add_failure("kcov: no coverage arrived through the mapping");
}

const char *demo_kcov(void)
{
	size_t len = KCOV_PAGES * page_size;
	size_t words = len / sizeof(unsigned long);
	struct census sum = { 0 };
	unsigned long *area;
	const char *mode;
	int fd;

	printf("\n== kcov coverage buffer: %d pages, KCOV_TRACE_PC ==\n",
	       KCOV_PAGES);
	fd = kcov_init(words);
	if (fd < 0)
		return not_tested("no kcov", "kcov open");
	area = map_shared(fd, len, PROT_READ | PROT_WRITE, 0, "mmap kcov buffer",
			  NULL);
	if (!area) {
		close(fd);
		return not_tested("mmap failed", "kcov mmap");
	}
	describe_mapping("buffer", area, len, NULL, &sum);
	mode = census_verdict(&sum);
	kcov_check_coverage(fd, area, words);
	printf("  mode:     %s\n", mode);
	munmap(area, len);
	close(fd);
	return mode;
}
