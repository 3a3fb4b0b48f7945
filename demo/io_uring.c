// SPDX-License-Identifier: GPL-2.0
/*
 * The io_uring rings, set up with raw syscalls: their pages, and that NOPs
 * complete through the mapped rings.
 *
 * On a base kernel the ring pages are refcounted and mapped (mapcount 1).
 * With the kernel-owned pages series the rings are VM_MIXEDMAP ("mm")
 * mappings of pages typed PGTY_kernel_owned with mapcount 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/io_uring.h>

#include "check.h"
#include "kinds.h"
#include "pages.h"

#define URING_ENTRIES		128	/* big enough for multi-page rings */
#define URING_NOPS		4
#define URING_USER_DATA		0x6b6d6170ULL	/* "kmap" */

struct uring {
	int fd;
	struct io_uring_params p;
	void *sq_ring, *cq_ring;
	size_t sq_len, cq_len;
	struct io_uring_sqe *sqes;
	size_t sqes_len;
};

#define RING_FIELD(base, off)	((unsigned int *)((char *)(base) + (off)))

/* Whatever the errno: the offsets and sizes are io_uring_setup()'s. */
static const char *uring_map_hint(int err)
{
	(void)err;
	return "io_uring_mmap() refused the offset or size";
}

static void *uring_mmap(int fd, size_t len, uint64_t off, const char *what)
{
	return map_shared(fd, len, PROT_READ | PROT_WRITE, off, what,
			  uring_map_hint);
}

static const char *uring_setup_hint(int err)
{
	switch (err) {
	case ENOSYS:
		return "kernel without CONFIG_IO_URING?";
	case EPERM:
		return "see /proc/sys/kernel/io_uring_disabled";
	case ENOMEM:
		return "ring memory is charged to RLIMIT_MEMLOCK: raise it (ulimit -l) or run as root";
	default:
		return fd_limit_hint(err);
	}
}

static int uring_setup(struct uring *u)
{
	u->fd = syscall(__NR_io_uring_setup, URING_ENTRIES, &u->p);
	if (report_fd(u->fd, "io_uring_setup", uring_setup_hint) < 0)
		return -1;
	u->sq_len = u->p.sq_off.array + u->p.sq_entries * sizeof(unsigned int);
	u->cq_len = u->p.cq_off.cqes +
		    u->p.cq_entries * sizeof(struct io_uring_cqe);
	u->sqes_len = u->p.sq_entries * sizeof(struct io_uring_sqe);
	/* One region holds both rings: map it once, big enough for both. */
	if (u->p.features & IORING_FEAT_SINGLE_MMAP) {
		if (u->cq_len > u->sq_len)
			u->sq_len = u->cq_len;
		u->cq_len = u->sq_len;
	}

	u->sq_ring = uring_mmap(u->fd, u->sq_len, IORING_OFF_SQ_RING,
				"mmap IORING_OFF_SQ_RING");
	if (!u->sq_ring)
		return -1;
	if (u->p.features & IORING_FEAT_SINGLE_MMAP)
		u->cq_ring = u->sq_ring;
	else
		u->cq_ring = uring_mmap(u->fd, u->cq_len, IORING_OFF_CQ_RING,
					"mmap IORING_OFF_CQ_RING");
	if (!u->cq_ring)
		return -1;
	u->sqes = uring_mmap(u->fd, u->sqes_len, IORING_OFF_SQES,
			     "mmap IORING_OFF_SQES");
	return u->sqes ? 0 : -1;
}

static void uring_teardown(struct uring *u)
{
	if (u->sqes)
		munmap(u->sqes, u->sqes_len);
	if (u->cq_ring && u->cq_ring != u->sq_ring)
		munmap(u->cq_ring, u->cq_len);
	if (u->sq_ring)
		munmap(u->sq_ring, u->sq_len);
	if (u->fd >= 0)
		close(u->fd);
}

static void uring_queue_nops(struct uring *u)
{
	unsigned int *tail = RING_FIELD(u->sq_ring, u->p.sq_off.tail);
	unsigned int mask = *RING_FIELD(u->sq_ring, u->p.sq_off.ring_mask);
	unsigned int *array = RING_FIELD(u->sq_ring, u->p.sq_off.array);
	unsigned int t = *tail;	/* only we write the SQ tail */

	for (unsigned int i = 0; i < URING_NOPS; i++, t++) {
		struct io_uring_sqe *sqe = &u->sqes[t & mask];

		memset(sqe, 0, sizeof(*sqe));
		sqe->opcode = IORING_OP_NOP;
		sqe->user_data = URING_USER_DATA + i;
		array[t & mask] = t & mask;
	}
	/* Publish the SQEs before the kernel can see the new tail. */
	__atomic_store_n(tail, t, __ATOMIC_RELEASE);
}

/* Reap CQEs from the mapped CQ ring; return a bitmask of NOPs seen. */
static unsigned int uring_reap(struct uring *u)
{
	unsigned int *head = RING_FIELD(u->cq_ring, u->p.cq_off.head);
	unsigned int *tail = RING_FIELD(u->cq_ring, u->p.cq_off.tail);
	unsigned int mask = *RING_FIELD(u->cq_ring, u->p.cq_off.ring_mask);
	struct io_uring_cqe *cqes = (void *)((char *)u->cq_ring +
					     u->p.cq_off.cqes);
	unsigned int h = *head;	/* only we write the CQ head */
	unsigned int t = __atomic_load_n(tail, __ATOMIC_ACQUIRE);
	unsigned int seen = 0;

	for (; h != t; h++) {
		struct io_uring_cqe *cqe = &cqes[h & mask];
		uint64_t idx = cqe->user_data - URING_USER_DATA;
		bool ours = idx < URING_NOPS && !(seen & (1U << idx));

		printf("  cqe:      user_data 0x%llx res %d%s\n",
		       (unsigned long long)cqe->user_data, cqe->res,
		       ours && !cqe->res ? "" : "  UNEXPECTED");
		if (ours && !cqe->res)
			seen |= 1U << idx;
	}
	/* Done reading the CQEs: hand the slots back to the kernel. */
	__atomic_store_n(head, h, __ATOMIC_RELEASE);
	return seen;
}

static void uring_check_nops(struct uring *u)
{
	unsigned int seen;
	long ret;

	printf("\n  submit:   %d NOPs, user_data 0x%llx..0x%llx\n", URING_NOPS,
	       URING_USER_DATA, URING_USER_DATA + URING_NOPS - 1);
	uring_queue_nops(u);
	ret = syscall(__NR_io_uring_enter, u->fd, URING_NOPS, URING_NOPS,
		      IORING_ENTER_GETEVENTS, NULL, 0);
	if (ret < 0) {
		report_errno("io_uring_enter", errno, NULL);
		add_failure("io_uring_enter");
		return;
	}
	printf("  enter:    submitted %ld\n", ret);
	seen = uring_reap(u);
	if (seen == (1U << URING_NOPS) - 1) {
		printf("  result:   all %d CQEs came back through the mapped CQ ring\n",
		       URING_NOPS);
		return;
	}
	printf("  result:   CQEs missing or wrong (seen mask 0x%x)\n", seen);
	add_failure("io_uring NOP completions");
}

const char *demo_uring(void)
{
	struct uring u = { .fd = -1 };
	struct census sum = { 0 };
	const char *mode;
	bool single;

	printf("\n== io_uring rings: %d entries, raw syscalls ==\n",
	       URING_ENTRIES);
	if (uring_setup(&u)) {
		uring_teardown(&u);
		return not_tested("setup failed", "io_uring setup/mmap");
	}
	single = u.cq_ring == u.sq_ring;
	printf("  features: 0x%x%s\n", u.p.features,
	       single ? " (IORING_FEAT_SINGLE_MMAP: SQ and CQ ring share one mapping)" : "");

	describe_mapping(single ? "SQ+CQ ring" : "SQ ring", u.sq_ring,
			 u.sq_len, NULL, &sum);
	if (!single)
		describe_mapping("CQ ring", u.cq_ring, u.cq_len, NULL, &sum);
	describe_mapping("SQEs", u.sqes, u.sqes_len, NULL, &sum);
	mode = census_verdict(&sum);

	uring_check_nops(&u);
	printf("  mode:     %s\n", mode);
	uring_teardown(&u);
	return mode;
}

