// SPDX-License-Identifier: GPL-2.0
/*
 * kmapdemo - show how perf and io_uring map kernel pages into user space.
 *
 * Maps a perf ring buffer and the io_uring rings, prints for each mapping
 * its smaps VmFlags and, per page, the PFN (/proc/self/pagemap), the page
 * flags (/proc/kpageflags) and the mapcount (/proc/kpagecount), then checks
 * that both mappings still work: perf records arrive through the ring, the
 * perf data pages are write-protected, and io_uring NOPs complete through
 * the mapped CQ ring.
 *
 * On a base kernel the perf ring is a VM_PFNMAP mapping ("pf" in VmFlags,
 * pagemap skips it) and the io_uring ring pages are refcounted and mapped
 * (mapcount 1).  With the kernel-owned pages series both are VM_MIXEDMAP
 * ("mm") mappings of pages typed PGTY_kernel_owned (KPF_KERNEL_OWNED in
 * kpageflags) with mapcount 0.
 *
 * Run as root: kpageflags, kpagecount and the PFNs in pagemap need
 * CAP_SYS_ADMIN.  Without them only the functional checks run.
 *
 * Build: gcc -O2 -Wall -Wextra -o kmapdemo kmapdemo.c
 * Exit status: 0 if the functional checks passed (on either kind of
 * kernel), 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/io_uring.h>
#include <linux/kernel-page-flags.h>
#include <linux/perf_event.h>

/* Added by the kernel-owned pages series; not in older UAPI headers. */
#ifndef KPF_KERNEL_OWNED
#define KPF_KERNEL_OWNED	27
#endif

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define PM_PFN_MASK		((1ULL << 55) - 1)
#define PM_PRESENT		(1ULL << 63)

#define PERF_DATA_PAGES		4	/* must be a power of two */
#define PERF_SAMPLE_NS		1000000	/* one sample per ms of task clock */
#define PERF_BUSY_NS		60000000
#define DEMO_COMM		"kmapdemo-comm"

#define URING_ENTRIES		128	/* big enough for multi-page rings */
#define URING_NOPS		4
#define URING_USER_DATA		0x6b6d6170ULL	/* "kmap" */

static long page_size;

/* ------------------------------------------------------------------ */
/* Failure bookkeeping                                                  */
/* ------------------------------------------------------------------ */

static char failures[1024];

static void add_failure(const char *fmt, ...)
{
	size_t len = strlen(failures);
	va_list ap;

	if (len && len < sizeof(failures) - 2) {
		strcat(failures, "; ");
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(failures + len, sizeof(failures) - len, fmt, ap);
	va_end(ap);
}

static void report_errno(const char *what, int err, const char *hint)
{
	printf("  error: %s: %s\n", what, strerror(err));
	if (hint)
		printf("  hint:  %s\n", hint);
}

/* ------------------------------------------------------------------ */
/* /proc/self/pagemap, /proc/kpageflags, /proc/kpagecount               */
/* ------------------------------------------------------------------ */

static int pagemap_fd = -1, kpageflags_fd = -1, kpagecount_fd = -1;
static bool have_kpage;	/* kpageflags and kpagecount both readable */

static const char * const kpf_names[] = {
	[KPF_LOCKED]		= "LOCKED",
	[KPF_ERROR]		= "ERROR",
	[KPF_REFERENCED]	= "REFERENCED",
	[KPF_UPTODATE]		= "UPTODATE",
	[KPF_DIRTY]		= "DIRTY",
	[KPF_LRU]		= "LRU",
	[KPF_ACTIVE]		= "ACTIVE",
	[KPF_SLAB]		= "SLAB",
	[KPF_WRITEBACK]		= "WRITEBACK",
	[KPF_RECLAIM]		= "RECLAIM",
	[KPF_BUDDY]		= "BUDDY",
	[KPF_MMAP]		= "MMAP",
	[KPF_ANON]		= "ANON",
	[KPF_SWAPCACHE]		= "SWAPCACHE",
	[KPF_SWAPBACKED]	= "SWAPBACKED",
	[KPF_COMPOUND_HEAD]	= "COMPOUND_HEAD",
	[KPF_COMPOUND_TAIL]	= "COMPOUND_TAIL",
	[KPF_HUGE]		= "HUGE",
	[KPF_UNEVICTABLE]	= "UNEVICTABLE",
	[KPF_HWPOISON]		= "HWPOISON",
	[KPF_NOPAGE]		= "NOPAGE",
	[KPF_KSM]		= "KSM",
	[KPF_THP]		= "THP",
	[KPF_OFFLINE]		= "OFFLINE",
	[KPF_ZERO_PAGE]		= "ZERO_PAGE",
	[KPF_IDLE]		= "IDLE",
	[KPF_PGTABLE]		= "PGTABLE",
	[KPF_KERNEL_OWNED]	= "KERNEL_OWNED",
	/* Kernel-internal bits (include/linux/kernel-page-flags.h). */
	[32]			= "RESERVED",
	[33]			= "MLOCKED",
	[34]			= "OWNER_2",
	[35]			= "PRIVATE",
	[36]			= "PRIVATE_2",
	[37]			= "OWNER_PRIVATE",
	[38]			= "ARCH",
	[40]			= "SOFTDIRTY",
	[41]			= "ARCH_2",
	[42]			= "ARCH_3",
};

static void open_page_info(void)
{
	pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pagemap_fd < 0)
		report_errno("open /proc/self/pagemap", errno,
			     "kernel without CONFIG_PROC_PAGE_MONITOR?");

	kpageflags_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	kpagecount_fd = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
	have_kpage = kpageflags_fd >= 0 && kpagecount_fd >= 0;
	if (!have_kpage) {
		report_errno("open /proc/kpageflags or /proc/kpagecount", errno,
			     "needs root (CAP_SYS_ADMIN); page type and mapcount columns are skipped");
	}
}

static bool read_u64(int fd, uint64_t index, uint64_t *val)
{
	return fd >= 0 &&
	       pread(fd, val, sizeof(*val), index * sizeof(*val)) == sizeof(*val);
}

static void format_kpf(uint64_t flags, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int bit;

	buf[0] = '\0';
	for (bit = 0; bit < 64 && used < len; bit++) {
		const char *name = NULL;

		if (!(flags & (1ULL << bit)))
			continue;
		if (bit < ARRAY_SIZE(kpf_names))
			name = kpf_names[bit];
		if (name)
			used += snprintf(buf + used, len - used, " %s", name);
		else
			used += snprintf(buf + used, len - used, " bit%u", bit);
	}
	if (!flags)
		snprintf(buf, len, " (none)");
}

/* ------------------------------------------------------------------ */
/* One mapping: smaps VmFlags and per-page state                        */
/* ------------------------------------------------------------------ */

struct census {
	char vmflags[256];	/* the smaps "VmFlags:" value */
	unsigned int pages;
	unsigned int walked;	/* present in pagemap with a PFN */
	unsigned int typed;	/* KPF_KERNEL_OWNED set */
	unsigned int mapped;	/* kpagecount >= 1 */
};

/* Find the VMA starting at @addr in smaps; print its header, keep VmFlags. */
static void read_vmflags(void *addr, struct census *c)
{
	unsigned long start, end;
	bool in_vma = false;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	snprintf(c->vmflags, sizeof(c->vmflags), "?");
	f = fopen("/proc/self/smaps", "re");
	if (!f) {
		report_errno("open /proc/self/smaps", errno,
			     "kernel without CONFIG_PROC_PAGE_MONITOR?");
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		/* VMA header lines are the only ones of the form "start-end ". */
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			in_vma = start == (unsigned long)addr;
			if (in_vma)
				printf("  vma:      %s\n", line);
			continue;
		}
		if (in_vma && !strncmp(line, "VmFlags:", 8)) {
			snprintf(c->vmflags, sizeof(c->vmflags), "%s",
				 line + 8 + strspn(line + 8, " "));
			break;
		}
	}
	free(line);
	fclose(f);
	printf("  VmFlags:  %s\n", c->vmflags);
}

static bool has_vmflag(const struct census *c, const char *flag)
{
	size_t len = strlen(flag);
	const char *p = c->vmflags;

	/* VmFlags is a list of two-letter words separated by spaces. */
	while ((p = strstr(p, flag))) {
		bool starts = p == c->vmflags || p[-1] == ' ';
		bool ends = p[len] == '\0' || p[len] == ' ';

		if (starts && ends)
			return true;
		p += len;
	}
	return false;
}

static void describe_page(void *addr, const char *label, struct census *c)
{
	uint64_t entry, flags, count;
	char names[512];
	uint64_t pfn;

	c->pages++;
	printf("  %-12s", label);
	if (!read_u64(pagemap_fd, (uintptr_t)addr / page_size, &entry)) {
		printf("pagemap unreadable\n");
		return;
	}
	if (!(entry & PM_PRESENT)) {
		printf("not present in pagemap%s\n",
		       has_vmflag(c, "pf") ?
		       " (page walks skip VM_PFNMAP VMAs)" : "");
		return;
	}
	pfn = entry & PM_PFN_MASK;
	if (!pfn) {
		printf("present, PFN hidden (needs CAP_SYS_ADMIN)\n");
		return;
	}
	c->walked++;
	printf("pfn 0x%-9llx", (unsigned long long)pfn);
	if (!have_kpage || !read_u64(kpagecount_fd, pfn, &count) ||
	    !read_u64(kpageflags_fd, pfn, &flags)) {
		printf("\n");
		return;
	}
	if (flags & (1ULL << KPF_KERNEL_OWNED))
		c->typed++;
	if (count)
		c->mapped++;
	format_kpf(flags, names, sizeof(names));
	printf(" mapcount %llu  flags:%s\n", (unsigned long long)count, names);
}

static void describe_mapping(const char *name, void *addr, size_t len,
			     const char *(*label)(unsigned int),
			     struct census *c)
{
	unsigned int i, nr = (len + page_size - 1) / page_size;
	char buf[32];

	printf("\n  mapping %s at %p, %u page(s)\n", name, addr, nr);
	read_vmflags(addr, c);
	for (i = 0; i < nr; i++) {
		const char *l = label ? label(i) : NULL;

		if (!l) {
			snprintf(buf, sizeof(buf), "page %u", i);
			l = buf;
		}
		describe_page((char *)addr + i * page_size, l, c);
	}
}

/* ------------------------------------------------------------------ */
/* Write probe: does a store fault?                                     */
/* ------------------------------------------------------------------ */

static sigjmp_buf probe_env;
static volatile sig_atomic_t probe_signo;

static void probe_handler(int sig)
{
	probe_signo = sig;
	siglongjmp(probe_env, 1);
}

/*
 * Store @val to @p with release semantics, catching SIGBUS/SIGSEGV.
 * Returns 0 if the store went through, else the signal it raised.  A
 * forked child cannot do this for perf: the VMA is VM_DONTCOPY, so the
 * child would fault on a missing mapping instead.
 */
static int probe_write(__u64 *p, __u64 val)
{
	struct sigaction sa = { .sa_handler = probe_handler };
	struct sigaction old_bus, old_segv;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	probe_signo = 0;
	if (!sigsetjmp(probe_env, 1))
		__atomic_store_n(p, val, __ATOMIC_RELEASE);
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return probe_signo;
}

/* ------------------------------------------------------------------ */
/* perf ring buffer                                                     */
/* ------------------------------------------------------------------ */

struct perf_ring {
	int fd;
	size_t len;
	struct perf_event_mmap_page *meta;
	char *data;
	uint64_t data_size;
};

struct record_counts {
	uint64_t head;		/* data_head the walk stopped at */
	unsigned int comm, comm_ours, sample, mmap, lost, other;
	bool corrupt;
};

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
	case EMFILE:
	case ENFILE:
		return "raise the open file limit (ulimit -n)";
	default:
		return NULL;
	}
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
	if (fd < 0)
		report_errno("perf_event_open(TASK_CLOCK, this task)", errno,
			     perf_open_hint(errno));
	return fd;
}

static int perf_map(struct perf_ring *r)
{
	r->len = (1 + PERF_DATA_PAGES) * page_size;
	r->meta = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       r->fd, 0);
	if (r->meta == MAP_FAILED) {
		report_errno("mmap perf ring buffer", errno,
			     "EPERM: raise /proc/sys/kernel/perf_event_mlock_kb or RLIMIT_MEMLOCK");
		return -1;
	}
	/* data_offset/data_size are 0 on kernels older than 4.1. */
	r->data_size = r->meta->data_size ?:
		       (uint64_t)PERF_DATA_PAGES * page_size;
	r->data = (char *)r->meta +
		  (r->meta->data_offset ?: (uint64_t)page_size);
	return 0;
}

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

static void perf_check_records(struct perf_ring *r)
{
	struct record_counts rc = { 0 };
	uint64_t head_before, tail;
	int sig;

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
	sig = probe_write(&r->meta->data_tail, tail);
	printf("  write:    user page (data_tail = %llu): %s\n",
	       (unsigned long long)tail,
	       sig ? strsignal(sig) : "ok, as expected");
	if (sig)
		add_failure("write to perf user page raised %s", strsignal(sig));
}

static void perf_check_write_protect(struct perf_ring *r)
{
	__u64 *p = (__u64 *)r->data;
	__u64 old = __atomic_load_n(p, __ATOMIC_RELAXED);
	int sig;

	/* Store the value already there: harmless should the store succeed. */
	sig = probe_write(p, old);
	printf("  write:    data page 0: %s\n",
	       sig ? strsignal(sig) : "SUCCEEDED (should have faulted)");
	if (sig && sig != SIGBUS)
		printf("            (expected SIGBUS from perf_mmap_pfn_mkwrite())\n");
	if (!sig)
		add_failure("write to perf data page succeeded");
}

static const char *perf_mode(const struct census *c)
{
	if (has_vmflag(c, "pf"))
		return "base behaviour (VM_PFNMAP)";
	if (!has_vmflag(c, "mm"))
		return "unexpected (neither VM_PFNMAP nor VM_MIXEDMAP)";
	if (!have_kpage || c->walked < c->pages)
		return "VM_MIXEDMAP, page type not checked (needs root)";
	if (c->typed == c->pages && !c->mapped)
		return "converted to kernel-owned pages (VM_MIXEDMAP, typed, mapcount 0)";
	return "unexpected (VM_MIXEDMAP but pages not all typed with mapcount 0)";
}

static const char *demo_perf(void)
{
	struct perf_ring r = { 0 };
	struct census c = { 0 };
	const char *mode;

	printf("== perf ring buffer: task-clock sampling event, 1+%d pages ==\n",
	       PERF_DATA_PAGES);
	r.fd = perf_open();
	if (r.fd < 0) {
		add_failure("perf_event_open");
		return "not tested (perf_event_open failed)";
	}
	if (perf_map(&r)) {
		add_failure("perf mmap");
		close(r.fd);
		return "not tested (mmap failed)";
	}
	describe_mapping("perf ring", r.meta, r.len, perf_page_label, &c);
	mode = perf_mode(&c);
	perf_check_records(&r);
	perf_check_write_protect(&r);
	printf("  mode:     %s\n", mode);
	munmap(r.meta, r.len);
	close(r.fd);
	return mode;
}

/* ------------------------------------------------------------------ */
/* io_uring rings                                                       */
/* ------------------------------------------------------------------ */

struct uring {
	int fd;
	struct io_uring_params p;
	void *sq_ring, *cq_ring;
	size_t sq_len, cq_len;
	struct io_uring_sqe *sqes;
	size_t sqes_len;
};

#define RING_FIELD(base, off)	((unsigned int *)((char *)(base) + (off)))

static void *uring_mmap(int fd, size_t len, uint64_t off, const char *what)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);

	if (p == MAP_FAILED) {
		report_errno(what, errno,
			     "io_uring_mmap() refused the offset or size");
		return NULL;
	}
	return p;
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
	case EMFILE:
	case ENFILE:
		return "raise the open file limit (ulimit -n)";
	default:
		return NULL;
	}
}

static int uring_setup(struct uring *u)
{
	u->fd = syscall(__NR_io_uring_setup, URING_ENTRIES, &u->p);
	if (u->fd < 0) {
		report_errno("io_uring_setup", errno, uring_setup_hint(errno));
		return -1;
	}
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

static void census_add(struct census *sum, const struct census *c)
{
	/* VmFlags: keep "mm" only if every mapping has it. */
	if (!sum->pages || !has_vmflag(c, "mm"))
		memcpy(sum->vmflags, c->vmflags, sizeof(sum->vmflags));
	sum->pages += c->pages;
	sum->walked += c->walked;
	sum->typed += c->typed;
	sum->mapped += c->mapped;
}

static const char *uring_mode(const struct census *c)
{
	if (!have_kpage || c->walked < c->pages)
		return "not determined (needs root)";
	if (has_vmflag(c, "mm") && c->typed == c->pages && !c->mapped)
		return "converted to kernel-owned pages (VM_MIXEDMAP, typed, mapcount 0)";
	if (!c->typed && c->mapped == c->pages)
		return "base behaviour (refcounted)";
	return "unexpected (pages neither all typed with mapcount 0 nor all mapped untyped)";
}

static const char *demo_uring(void)
{
	struct census c_sq = { 0 }, c_cq = { 0 }, c_sqes = { 0 }, sum = { 0 };
	struct uring u = { .fd = -1 };
	const char *mode;
	bool single;

	printf("\n== io_uring rings: %d entries, raw syscalls ==\n",
	       URING_ENTRIES);
	if (uring_setup(&u)) {
		add_failure("io_uring setup/mmap");
		uring_teardown(&u);
		return "not tested (setup failed)";
	}
	single = u.cq_ring == u.sq_ring;
	printf("  features: 0x%x%s\n", u.p.features,
	       single ? " (IORING_FEAT_SINGLE_MMAP: SQ and CQ ring share one mapping)" : "");

	describe_mapping(single ? "SQ+CQ ring" : "SQ ring", u.sq_ring,
			 u.sq_len, NULL, &c_sq);
	census_add(&sum, &c_sq);
	if (!single) {
		describe_mapping("CQ ring", u.cq_ring, u.cq_len, NULL, &c_cq);
		census_add(&sum, &c_cq);
	}
	describe_mapping("SQEs", u.sqes, u.sqes_len, NULL, &c_sqes);
	census_add(&sum, &c_sqes);
	mode = uring_mode(&sum);

	uring_check_nops(&u);
	printf("  mode:     %s\n", mode);
	uring_teardown(&u);
	return mode;
}

int main(void)
{
	const char *perf, *uring;
	struct utsname uts;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	if (!uname(&uts))
		printf("kmapdemo: kernel %s %s, page size %ld\n",
		       uts.release, uts.machine, page_size);
	open_page_info();
	printf("\n");

	perf = demo_perf();
	uring = demo_uring();

	printf("\nverdict: perf ring buffer: %s; io_uring rings: %s; functional checks: %s%s%s\n",
	       perf, uring, failures[0] ? "FAILED (" : "OK",
	       failures, failures[0] ? ")" : "");
	return failures[0] ? 1 : 0;
}
