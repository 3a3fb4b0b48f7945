// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test-only, not part of the series: the contents of perf AUX areas, written
 * by the test PMU of tests/modules/kop_aux_pmu.c, read through the mapping.
 * Needs that module loaded (make variant loads it); without its PMU the tests
 * fail rather than skip.
 *
 * The PMU writes up to 512 bytes at the AUX head every time the event stops
 * (PERF_EVENT_IOC_DISABLE here, and any context switch while it is enabled),
 * the byte at absolute offset pos being kop_aux_byte(pos).  The AUX area is high-order chunks split into pages
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

/* As tests/modules/kop_aux_pmu.c: every bit of @pos counts. */
static unsigned char kop_aux_byte(unsigned long pos)
{
	return (pos ^ (pos >> 8) ^ (pos >> 16) ^ (pos >> 24) ^ 0x5a) & 0xff;
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

/* At least one PMU write: enable and disable the event. */
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
 * head, whole chunks, through 16 pages (3 times around) and 1024 pages (more
 * than one vm_insert_pages_prot() batch, once around and then some).
 */
static void check_consumed(struct __test_metadata *_metadata, int aux_pages, int rounds4)
{
	struct aux_map m;
	__u64 head = 0, now;

	ASSERT_EQ(aux_open(&m, aux_pages, PROT_READ | PROT_WRITE), 0)
		TH_LOG("kop_aux PMU and AUX mapping: %s (is kop_aux_pmu.ko loaded?)",
		       strerror(errno));
	while (head < rounds4 * m.aux_len / 4) {
		ASSERT_EQ(aux_write_once(&m), 0);
		now = aux_head(&m);
		ASSERT_GT(now, head);
		ASSERT_EQ((now - head) % KOP_AUX_CHUNK, 0);
		ASSERT_EQ(first_bad(&m, head, now), now);
		head = now;
		__atomic_store_n(&m.rb->aux_tail, head, __ATOMIC_RELEASE);
	}
	aux_close(&m);
}

TEST(consumed_16_pages)
{
	check_consumed(_metadata, 16, 12);
}

TEST(consumed_1024_pages)
{
	check_consumed(_metadata, 1024, 5);
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
	ASSERT_GE(head, (__u64)i * KOP_AUX_CHUNK);
	ASSERT_EQ(head % KOP_AUX_CHUNK, 0);
	ASSERT_EQ(first_bad(&m, head - m.aux_len, head), head);
	aux_close(&m);
}

TEST_HARNESS_MAIN
