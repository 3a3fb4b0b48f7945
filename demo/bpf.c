// SPDX-License-Identifier: GPL-2.0
/*
 * A BPF ring buffer (BPF_MAP_TYPE_RINGBUF), created with the raw bpf()
 * syscall: its pages, the double mapping of its data pages, and that only
 * the consumer page is writable.
 *
 * The consumer page is mapped read/write at offset 0; the producer page
 * and the data pages, twice in a row so that a record wrapping around the
 * end reads contiguously, read-only from offset one page.  The map mmaps
 * them with remap_vmalloc_range(): on a base kernel they are refcounted and
 * mapped (the data pages twice: mapcount 2); converted, they would be
 * kernel-owned with mapcount 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "check.h"
#include "kinds.h"
#include "pages.h"

#define BPF_DATA_PAGES		4	/* a power of two, as the map needs */

struct bpf_ring {
	int fd;
	__u64 *cons;		/* consumer page: consumer_pos first */
	char *prod;		/* producer page: producer_pos first */
	size_t prod_len;	/* producer page and the data pages twice */
};

static const char *bpf_cons_label(unsigned int i)
{
	(void)i;
	return "consumer";
}

static const char *bpf_prod_label(unsigned int i)
{
	static char buf[32];

	if (!i)
		return "producer";
	i--;
	snprintf(buf, sizeof(buf), "%s %u",
		 i < BPF_DATA_PAGES ? "data page" : "alias",
		 i % BPF_DATA_PAGES);
	return buf;
}

static const char *bpf_create_hint(int err)
{
	switch (err) {
	case ENOSYS:
		return "kernel without CONFIG_BPF_SYSCALL?";
	case EPERM:
		return "needs CAP_BPF: run as root (see /proc/sys/kernel/unprivileged_bpf_disabled)";
	case EINVAL:
		return "kernel without BPF_MAP_TYPE_RINGBUF (Linux 5.8+)?";
	default:
		return NULL;
	}
}

static int bpf_ringbuf_create(void)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_RINGBUF;
	attr.max_entries = BPF_DATA_PAGES * page_size;	/* bytes of data */
	fd = syscall(__NR_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	return report_fd(fd, "bpf(BPF_MAP_CREATE, BPF_MAP_TYPE_RINGBUF)",
			 bpf_create_hint);
}

static void bpf_unmap(struct bpf_ring *r)
{
	if (r->prod)
		munmap(r->prod, r->prod_len);
	if (r->cons)
		munmap(r->cons, page_size);
	close(r->fd);
}

/* Create and map the ring; NULL, or the verdict if that failed. */
static const char *bpf_map(struct bpf_ring *r)
{
	r->fd = bpf_ringbuf_create();
	if (r->fd < 0)
		return not_tested("BPF_MAP_CREATE failed",
				  "BPF ring buffer create");
	r->cons = map_shared(r->fd, page_size, PROT_READ | PROT_WRITE, 0,
			     "mmap BPF consumer page", NULL);
	r->prod_len = (1 + 2 * BPF_DATA_PAGES) * page_size;
	if (r->cons)
		r->prod = map_shared(r->fd, r->prod_len, PROT_READ, page_size,
				     "mmap BPF producer and data pages", NULL);
	if (r->prod)
		return NULL;
	bpf_unmap(r);
	return not_tested("mmap failed", "BPF ring buffer mmap");
}

/* Data page N and alias N must be the same page: the same PFN. */
static void bpf_check_aliases(const struct bpf_ring *r)
{
	const char *data = r->prod + page_size;
	size_t data_len = BPF_DATA_PAGES * page_size;
	unsigned int i, same = 0;

	if (!page_pfn(r->prod)) {
		printf("\n  alias:    PFNs hidden (needs root): double mapping not checked\n");
		return;
	}
	for (i = 0; i < BPF_DATA_PAGES; i++) {
		uint64_t pfn = page_pfn(data + i * page_size);

		if (pfn && pfn == page_pfn(data + data_len + i * page_size))
			same++;
	}
	printf("\n  alias:    %u of %d data pages mapped twice (data page N and alias N: same PFN)\n",
	       same, BPF_DATA_PAGES);
	if (same != BPF_DATA_PAGES)
		add_failure("BPF data pages not mapped twice");
}

/* Only the consumer page is writable; the producer page is read-only for good. */
static void bpf_check_writes(struct bpf_ring *r)
{
	__u64 cons = __atomic_load_n(r->cons, __ATOMIC_ACQUIRE);
	__u64 prod = __atomic_load_n((__u64 *)r->prod, __ATOMIC_ACQUIRE);

	printf("  position: consumer_pos %llu, producer_pos %llu\n",
	       (unsigned long long)cons, (unsigned long long)prod);
	/* Store consumer_pos unchanged: the kernel reads it, we may write it. */
	check_write_works(r->cons, cons, "BPF", "consumer page",
			  "consumer_pos");
	check_read_only(r->prod, "BPF", "producer page");
}

const char *demo_bpf(void)
{
	struct bpf_ring r = { 0 };
	struct census sum = { 0 };
	const char *mode;

	printf("\n== BPF ring buffer: BPF_MAP_TYPE_RINGBUF, %d data pages, raw bpf() ==\n",
	       BPF_DATA_PAGES);
	mode = bpf_map(&r);
	if (mode)
		return mode;
	describe_mapping("consumer page", r.cons, page_size, bpf_cons_label,
			 &sum);
	describe_mapping("producer+data", r.prod, r.prod_len, bpf_prod_label,
			 &sum);
	mode = census_verdict(&sum);
	bpf_check_aliases(&r);
	bpf_check_writes(&r);
	printf("  mode:     %s\n", mode);
	bpf_unmap(&r);
	return mode;
}
