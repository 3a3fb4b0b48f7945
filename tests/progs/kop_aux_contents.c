// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test-only, not part of the series: the contents of perf AUX areas, written
 * by the test PMU of tests/modules/kop_aux_pmu.c, read through the mapping.
 * Needs that module loaded (make variant loads it); without its PMU the tests
 * fail rather than skip.
 *
 * The PMU writes up to 512 bytes at the AUX head every time the event stops
 * (here: PERF_EVENT_IOC_DISABLE), the byte at absolute offset pos being
 * kop_aux_byte(pos).  The AUX area is high-order chunks split into pages
 * (PERF_PMU_CAP_AUX_PREFER_LARGE), mapped as kernel-owned pages; the checks
 * cross chunk and vm_insert_pages_prot() batch boundaries and wrap around.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>

#include "kselftest_harness.h"

#define KOP_AUX_CHUNK	512
#define PMU_TYPE	"/sys/bus/event_source/devices/kop_aux/type"

static long page_size;

static unsigned char kop_aux_byte(unsigned long pos)
{
	return (pos ^ (pos >> 8) ^ 0x5a) & 0xff;
}

struct aux_map {
	int fd;
	struct perf_event_mmap_page *rb;
	unsigned char *aux;
	size_t rb_len, aux_len;
};

/* Open a kop_aux event, map 1 + 2 pages of buffer and @aux_pages of AUX. */
static int aux_open(struct aux_map *m, int aux_pages, int prot)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr), .disabled = 1, .exclude_kernel = 1, .exclude_hv = 1,
	};
	FILE *f = fopen(PMU_TYPE, "r");

	page_size = sysconf(_SC_PAGESIZE);
	if (!f)
		return -1;
	if (fscanf(f, "%u", &attr.type) != 1) {
		fclose(f);
		return -1;
	}
	fclose(f);
	m->fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	if (m->fd < 0)
		return -1;
	m->rb_len = 3 * page_size;
	m->rb = mmap(NULL, m->rb_len, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (m->rb == MAP_FAILED)
		return -1;
	m->aux_len = (size_t)aux_pages * page_size;
	m->rb->aux_offset = m->rb_len;
	m->rb->aux_size = m->aux_len;
	m->aux = mmap(NULL, m->aux_len, prot, MAP_SHARED, m->fd, m->rb->aux_offset);
	return m->aux == MAP_FAILED ? -1 : 0;
}

static void aux_close(struct aux_map *m)
{
	munmap(m->aux, m->aux_len);
	munmap(m->rb, m->rb_len);
	close(m->fd);
}

/* One PMU write: enable and disable the event. */
static int aux_write_once(struct aux_map *m)
{
	if (ioctl(m->fd, PERF_EVENT_IOC_ENABLE, 0))
		return -1;
	return ioctl(m->fd, PERF_EVENT_IOC_DISABLE, 0);
}

static __u64 aux_head(struct aux_map *m)
{
	return __atomic_load_n(&m->rb->aux_head, __ATOMIC_ACQUIRE);
}

/* The first offset in [from, to) whose byte is wrong, or to. */
static __u64 first_bad(struct aux_map *m, __u64 from, __u64 to)
{
	for (; from < to; from++)
		if (m->aux[from % m->aux_len] != kop_aux_byte(from))
			break;
	return from;
}

/*
 * A writable AUX area that user space consumes: every write appears at the
 * head, through 16 pages and 1024 pages (more than one batch), 3 times
 * around.
 */
static void check_consumed(struct __test_metadata *_metadata, int aux_pages)
{
	struct aux_map m;
	__u64 head = 0, now;
	int i, writes;

	ASSERT_EQ(aux_open(&m, aux_pages, PROT_READ | PROT_WRITE), 0)
		TH_LOG("kop_aux PMU and AUX mapping: %s (is kop_aux_pmu.ko loaded?)",
		       strerror(errno));
	writes = 3 * m.aux_len / KOP_AUX_CHUNK;
	for (i = 0; i < writes; i++) {
		ASSERT_EQ(aux_write_once(&m), 0);
		now = aux_head(&m);
		ASSERT_EQ(now, head + KOP_AUX_CHUNK);
		ASSERT_EQ(first_bad(&m, head, now), now);
		head = now;
		__atomic_store_n(&m.rb->aux_tail, head, __ATOMIC_RELEASE);
	}
	aux_close(&m);
}

TEST(consumed_16_pages)
{
	check_consumed(_metadata, 16);
}

TEST(consumed_1024_pages)
{
	check_consumed(_metadata, 1024);
}

/*
 * Without aux_tail moving, the PMU stops at a full buffer (CIRC_SPACE(): one
 * byte short of its size) and nothing is overwritten.
 */
TEST(full_buffer_stops)
{
	struct aux_map m;
	int i;

	ASSERT_EQ(aux_open(&m, 16, PROT_READ | PROT_WRITE), 0);
	for (i = 0; i < 2 * (int)(m.aux_len / KOP_AUX_CHUNK); i++)
		aux_write_once(&m);
	ASSERT_EQ(aux_head(&m), m.aux_len - 1);
	ASSERT_EQ(first_bad(&m, 0, m.aux_len - 1), m.aux_len - 1);
	aux_close(&m);
}

/* A read-only AUX area is an overwrite buffer: the newest data wins. */
TEST(overwrite)
{
	struct aux_map m;
	__u64 head;
	int i;

	ASSERT_EQ(aux_open(&m, 64, PROT_READ), 0);
	for (i = 0; i < (int)(m.aux_len / KOP_AUX_CHUNK) * 5 / 2; i++)
		ASSERT_EQ(aux_write_once(&m), 0);
	head = aux_head(&m);
	ASSERT_EQ(head, (__u64)i * KOP_AUX_CHUNK);
	ASSERT_EQ(first_bad(&m, head - m.aux_len, head), head);
	aux_close(&m);
}

TEST_HARNESS_MAIN
