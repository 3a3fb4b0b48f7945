// SPDX-License-Identifier: GPL-2.0
/*
 * kop_kcov - the kcov coverage buffer mapping, before and after
 * "kcov: map the coverage buffer as kernel-owned pages".
 *
 * That patch maps the buffer of KCOV_INIT_TRACE with vm_insert_pages_prot()
 * instead of one vm_insert_page() per page.  This checks that the mapping
 * rules, the coverage seen through the mapping, fork() and the teardown
 * orders are kept, and that the pages are now typed kernel-owned, with what
 * comes with that: no mapcount, no RSS, no GUP, no PROT_EXEC and no
 * writable MAP_PRIVATE mapping.  The cases run in order and share one
 * buffer, from t_open() to t_munmap_close(); the others have their own.
 *
 * Output is TAP.  Run as root (pagemap PFNs, /proc/kpageflags and
 * /proc/kpagecount need CAP_SYS_ADMIN; the cases that read them fail
 * without them, or without PROC_PAGE_MONITOR).  debugfs is mounted on
 * /sys/kernel/debug if it is not yet, and unmounted again.  Without
 * /sys/kernel/debug/kcov (CONFIG_KCOV) the whole file is skipped: the plan
 * "1..0 # SKIP" and exit status 4.
 *
 * Expected results:
 *   converted kernel: every case "ok".
 *   kernel without the patch (vm_insert_page(): untyped, refcounted
 *   pages): "not ok" for every case whose comment starts "Converted:"
 *   (on a debugfs mounted noexec, the PROT_EXEC cases and the VmFlags one
 *   pass there too: do_mmap() clears VM_MAYEXEC); every other case "ok".
 *
 * Build: gcc -Wall -Werror -O2 -o kop_kcov kop_kcov.c
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <linux/kcov.h>

#include "kop_pages.h"

#define KCOV_PATH	"/sys/kernel/debug/kcov"
#define DEBUGFS_DIR	"/sys/kernel/debug"
#define ENTRIES		(64UL * 1024)	/* KCOV_INIT_TRACE words */
#define MAX_PAGES	1024

static size_t map_len;		/* ENTRIES words */
static size_t nr_pages;
static bool debugfs_noexec;

/* The main buffer, its PFNs (if /proc shows them) and a private mapping. */
static int kfd = -1;
static unsigned long *area;
static uint64_t pfns[MAX_PAGES];
static bool have_pfns;
static unsigned long *priv;

/* ---- helpers ---- */

static int kcov_open_init(unsigned long entries)
{
	int fd = open(KCOV_PATH, O_RDWR);

	if (fd < 0)
		return -1;
	if (ioctl(fd, KCOV_INIT_TRACE, entries)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* All of the buffer of @fd, the only mapping kcov_mmap() accepts. */
static void *kcov_map(int fd, int prot, int flags)
{
	return mmap(NULL, map_len, prot, flags, fd, 0);
}

/* A buffer of its own, for the cases that must not touch the main one. */
struct own_buf {
	int fd;
	unsigned long *m;
};

/* On failure what it did get stays open, as after any failed CHECK(). */
static bool own_open(struct own_buf *b)
{
	void *p;

	b->fd = kcov_open_init(ENTRIES);
	CHECK(b->fd >= 0);
	p = kcov_map(b->fd, PROT_READ | PROT_WRITE, MAP_SHARED);
	CHECK(p != MAP_FAILED);
	b->m = p;
	return true;
}

/* Whether the word at @p reads without a fault, and is @v. */
static bool word_is(const unsigned long *p, unsigned long v)
{
	return !probe_read(p) && *p == v;
}

/* Store @v at @p, unless a store there faults. */
static bool word_set(unsigned long *p, unsigned long v)
{
	if (probe_write(p, 0))
		return false;
	*p = v;
	return true;
}

/* The PFN of every page of the buffer mapped at @addr, all present. */
static bool get_pfns(const void *addr, uint64_t *out)
{
	uint64_t pme;
	size_t i;

	for (i = 0; i < nr_pages; i++)
		if (!pfn_of((const char *)addr + i * page_size, &out[i], &pme) ||
		    !(pme & PM_PRESENT) || !out[i])
			return false;
	return true;
}

/* Whether @addr maps the pages of the main buffer, as far as /proc says. */
static bool same_pages(const void *addr)
{
	static uint64_t other[MAX_PAGES];

	if (!have_pfns)
		return true;
	return get_pfns(addr, other) &&
	       !memcmp(pfns, other, nr_pages * sizeof(pfns[0]));
}

/* The typed cases fail, rather than skip, without the PFNs. */
static bool pfns_known(void)
{
	const char *why = typed_check_unavailable();

	if (!have_pfns)
		diag("no PFNs of the buffer: %s", why ? why : "pagemap shows none");
	return have_pfns;
}

static bool pfn_typed(uint64_t pfn)
{
	uint64_t flags, count;

	return kpage_of(pfn, &flags, &count) && kpf_kernel_owned(flags);
}

/* How many pages of the main buffer are typed kernel-owned. */
static size_t nr_typed(void)
{
	size_t i, n = 0;

	for (i = 0; i < nr_pages; i++)
		n += pfn_typed(pfns[i]);
	return n;
}

/*
 * The smaps block of the VMA starting at @addr: the value of field @name
 * ("Rss:", "VmFlags:") copied to @buf.
 */
static bool smaps_field(const void *addr, const char *name, char *buf,
			size_t len)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	bool in_vma = false, found = false;
	char line[512], start[32];
	unsigned long lo, hi;

	if (!f)
		return false;
	snprintf(start, sizeof(start), "%lx-", (unsigned long)(uintptr_t)addr);
	while (!found && fgets(line, sizeof(line), f)) {
		/* A VMA header line: "start-end perms offset dev inode path" */
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			in_vma = !strncmp(line, start, strlen(start));
			continue;
		}
		if (!in_vma || strncmp(line, name, strlen(name)))
			continue;
		snprintf(buf, len, "%s", line + strlen(name) +
			 strspn(line + strlen(name), " \t"));
		buf[strcspn(buf, "\n")] = 0;
		found = true;
	}
	fclose(f);
	return found;
}

/* Is @tok one of the space-separated tokens of @flags? */
static bool vmflags_has(const char *flags, const char *tok)
{
	char buf[1024], t[16];

	snprintf(buf, sizeof(buf), " %s ", flags);
	snprintf(t, sizeof(t), " %s ", tok);
	return strstr(buf, t);
}

static bool looks_like_kernel_pc(unsigned long pc)
{
#if defined(__s390x__)
	return pc != 0;		/* separate kernel address space */
#elif defined(__LP64__)
	return (long)pc < 0;	/* upper half */
#else
	return pc >= 0x80000000UL;
#endif
}

/* How many PCs a read(-1) leaves in @cover, a buffer enabled for this task. */
static unsigned long cover_read_minus_one(unsigned long *cover)
{
	__atomic_store_n(&cover[0], 0, __ATOMIC_RELAXED);
	(void)!read(-1, NULL, 0);
	return __atomic_load_n(&cover[0], __ATOMIC_RELAXED);
}

/* Run @fn in a child: whether it returned true there. */
static bool in_child(bool (*fn)(void))
{
	pid_t pid = fork();

	if (!pid)
		_exit(fn() ? 0 : 1);
	CHECK(pid > 0);
	return child_ok(pid);
}

/* ---- the main buffer: set-up and mapping rules ---- */

/* Unchanged. */
static bool t_open(void)
{
	kfd = open(KCOV_PATH, O_RDWR);
	CHECK(kfd >= 0);
	return true;
}

/* Unchanged: no area yet. */
static bool t_mmap_before_init(void)
{
	CHECK(kfd >= 0);
	return mmap_fails(kfd, map_len, PROT_READ | PROT_WRITE, MAP_SHARED, 0,
			  EINVAL);
}

/* Unchanged; the converted kernel types the pages here. */
static bool t_init(void)
{
	CHECK(kfd >= 0);
	CHECK(ioctl(kfd, KCOV_INIT_TRACE, ENTRIES) == 0);
	return true;
}

/* Unchanged; also the -EBUSY path that clears the type of the new area. */
static bool t_init_twice(void)
{
	CHECK(kfd >= 0);
	CHECK(ioctl(kfd, KCOV_INIT_TRACE, ENTRIES) == -1 && errno == EBUSY);
	return true;
}

struct bad_mmap {
	size_t len;
	off_t off;
};

/* Each mmap(MAP_SHARED) of the main buffer at @bad fails with EINVAL. */
static bool bad_mmaps_fail(const struct bad_mmap *bad, size_t n)
{
	size_t i;

	CHECK(kfd >= 0);
	for (i = 0; i < n; i++)
		CHECK(mmap_fails(kfd, bad[i].len, PROT_READ | PROT_WRITE,
				 MAP_SHARED, bad[i].off, EINVAL));
	return true;
}

/* Unchanged: the VMA must be exactly the area. */
static bool t_bad_sizes(void)
{
	const struct bad_mmap bad[] = {
		{ map_len - page_size, 0 }, { map_len + page_size, 0 },
		{ page_size, 0 }, { 2 * map_len, 0 },
	};

	return bad_mmaps_fail(bad, ARRAY_SIZE(bad));
}

/* Unchanged: vm_pgoff must be 0. */
static bool t_bad_offsets(void)
{
	const struct bad_mmap bad[] = {
		{ map_len, page_size }, { map_len - page_size, page_size },
		{ page_size, map_len - page_size },
	};

	return bad_mmaps_fail(bad, ARRAY_SIZE(bad));
}

/*
 * Unchanged: 1000 words are no whole number of pages, so no VMA size
 * matches.  Only a page size that divides 8000 bytes (4000 on 32-bit)
 * could skip it, and no page size does.
 */
static int t_unaligned_area(const char **why)
{
	size_t len = 1000 * sizeof(unsigned long);
	bool ok;
	int fd;

	if (len % page_size == 0) {
		*why = "1000 words are whole pages here";
		return -1;
	}
	fd = kcov_open_init(1000);
	if (fd < 0) {
		diag("open/KCOV_INIT_TRACE(1000): %s", strerror(errno));
		return 0;
	}
	ok = mmap_fails(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0,
			EINVAL);
	close(fd);
	return ok;
}

/* Unchanged: the mapping the next cases use. */
static bool t_mmap(void)
{
	void *p;

	CHECK(kfd >= 0);
	p = kcov_map(kfd, PROT_READ | PROT_WRITE, MAP_SHARED);
	CHECK(p != MAP_FAILED);
	area = p;
	have_pfns = !typed_check_unavailable() && get_pfns(area, pfns);
	return true;
}

/* Unchanged: the kernel's coverage shows through the mapping. */
static bool t_coverage(void)
{
	unsigned long n, i;

	CHECK(area);
	CHECK(ioctl(kfd, KCOV_ENABLE, KCOV_TRACE_PC) == 0);
	n = cover_read_minus_one(area);
	CHECK(ioctl(kfd, KCOV_DISABLE, 0) == 0);
	diag("read(-1): %lu PCs, area[1] = %#lx", n, area[1]);
	CHECK(n > 0 && n < ENTRIES);
	for (i = 1; i <= n; i++) {
		if (!looks_like_kernel_pc(area[i]))
			diag("area[%lu] = %#lx is no kernel PC", i, area[i]);
		CHECK(looks_like_kernel_pc(area[i]));
	}
	return true;
}

/* Unchanged. */
static bool t_disable(void)
{
	unsigned long n;

	CHECK(area);
	n = __atomic_load_n(&area[0], __ATOMIC_RELAXED);
	(void)!read(-1, NULL, 0);
	CHECK(__atomic_load_n(&area[0], __ATOMIC_RELAXED) == n);
	return true;
}

/* ---- the main buffer: what the conversion changes ---- */

/* Converted: vm_normal_page() finds no page, so no file or exclusive bit. */
static bool t_pagemap(void)
{
	uint64_t pfn, pme;
	size_t i;

	CHECK(area);
	CHECK(pfns_known());
	for (i = 0; i < nr_pages; i++) {
		CHECK(pfn_of((char *)area + i * page_size, &pfn, &pme));
		if (!(pme & PM_PRESENT) || !pfn ||
		    (pme & (PM_FILE | PM_MMAP_EXCLUSIVE))) {
			diag("page %zu: pagemap %#llx (%s)", i,
			     (unsigned long long)pme, pme & PM_PRESENT ?
			     "file/exclusive bits: a normal page" : "not present");
			return false;
		}
	}
	return true;
}

/* Converted: typed, with mapcount 0. */
static bool t_kpageflags(void)
{
	CHECK(area);
	CHECK(pfns_known());
	return pages_typed("kcov buffer", (const char *)area, nr_pages, 0, 0);
}

/* Converted: vm_insert_pages_prot() clears VM_MAYEXEC ("me"). */
static bool t_vmflags(void)
{
	char flags[512];

	CHECK(area);
	CHECK(smaps_field(area, "VmFlags:", flags, sizeof(flags)));
	diag("VmFlags: %s", flags);
	CHECK(vmflags_has(flags, "mm") && vmflags_has(flags, "de"));
	CHECK(!vmflags_has(flags, "me"));
	return true;
}

/* Converted: the pages are not counted. */
static bool t_rss(void)
{
	char rss[64];

	CHECK(area);
	CHECK(smaps_field(area, "Rss:", rss, sizeof(rss)));
	if (strcmp(rss, "0 kB"))
		diag("Rss: %s", rss);
	CHECK(!strcmp(rss, "0 kB"));
	return true;
}

/* Converted: no VM_MAYEXEC. */
static bool t_mprotect_exec(void)
{
	int ret;

	CHECK(area);
	ret = mprotect(area, map_len, PROT_READ | PROT_WRITE | PROT_EXEC);
	if (!ret)
		mprotect(area, map_len, PROT_READ | PROT_WRITE);
	CHECK(ret == -1 && errno == EACCES);
	return true;
}

/*
 * Converted: kcov_mmap() refuses an executable VMA; a noexec mount refuses
 * it in do_mmap() first, on either kernel.
 */
static bool t_mmap_exec(void)
{
	return mmap_fails(kfd, map_len, PROT_READ | PROT_EXEC, MAP_SHARED, 0,
			  debugfs_noexec ? EPERM : EINVAL);
}

/* Unchanged: through GUP before, through ->access now. */
static bool t_proc_mem(void)
{
	unsigned long marker = 0x6b6f705f6d656d31UL;
	unsigned long *last;

	CHECK(area);
	CHECK(proc_mem_matches(area, map_len));
	last = &area[ENTRIES - 1];
	CHECK(proc_mem_rw(&marker, sizeof(marker), last, true) ==
	      sizeof(marker));
	CHECK(word_is(last, marker));
	return true;
}

/* Unchanged: through GUP before, through the fallback to ->access now. */
static bool t_process_vm_readv(void)
{
	struct iovec local, remote = { .iov_base = area, .iov_len = map_len };
	unsigned long *buf;
	ssize_t n;
	bool ok;

	CHECK(area);
	buf = malloc(map_len);
	CHECK(buf);
	local.iov_base = buf;
	local.iov_len = map_len;
	n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	ok = n == (ssize_t)map_len && !memcmp(buf, area, map_len);
	if (!ok)
		diag("process_vm_readv: %zd (%s)", n,
		     n < 0 ? strerror(errno) : "short or differs");
	free(buf);
	return ok;
}

/* Converted: GUP refuses the pages, so vmsplice() fails with EFAULT. */
static bool t_gup_vmsplice(void)
{
	struct iovec iov = { .iov_base = area, .iov_len = page_size };
	int pfd[2], err;
	ssize_t n;

	CHECK(area);
	CHECK(pipe(pfd) == 0);
	n = vmsplice(pfd[1], &iov, 1, SPLICE_F_NONBLOCK);
	err = errno;
	close(pfd[0]);
	close(pfd[1]);
	if (n >= 0)
		diag("vmsplice() of the buffer succeeded (%zd bytes)", n);
	errno = err;
	CHECK(n == -1 && errno == EFAULT);
	return true;
}

/* Unchanged: a read-only private mapping shares the pages. */
static bool t_private_ro(void)
{
	unsigned long marker = 0x6b6f705f70726976UL;
	void *p;

	CHECK(area);
	p = kcov_map(kfd, PROT_READ, MAP_PRIVATE);
	CHECK(p != MAP_FAILED);
	priv = p;
	CHECK(!memcmp(priv, area, map_len));
	area[ENTRIES - 2] = marker;
	CHECK(word_is(&priv[ENTRIES - 2], marker));
	return true;
}

/* Converted: kcov_mmap() clears VM_MAYWRITE of a private mapping. */
static bool t_private_ro_mprotect(void)
{
	int ret, err;

	CHECK(priv);
	ret = mprotect(priv, map_len, PROT_READ | PROT_WRITE);
	err = errno;
	munmap(priv, map_len);
	priv = NULL;
	errno = err;
	CHECK(ret == -1 && errno == EACCES);
	return true;
}

/* Converted: a COW mapping, which vm_insert_pages_prot() refuses. */
static bool t_private_rw(void)
{
	return mmap_fails(kfd, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0,
			  EINVAL);
}

/* Unchanged. */
static bool t_second_mmap(void)
{
	unsigned long *b, v;
	bool same;
	void *p;

	CHECK(area);
	p = kcov_map(kfd, PROT_READ | PROT_WRITE, MAP_SHARED);
	CHECK(p != MAP_FAILED);
	b = p;
	same = same_pages(b);
	b[ENTRIES - 1] = 0x1111;
	area[ENTRIES - 3] = 0x2222;
	v = b[ENTRIES - 3];
	munmap(b, map_len);
	CHECK(same);
	CHECK(v == 0x2222);
	/* the first mapping still works, and saw the write to the second */
	CHECK(word_is(&area[ENTRIES - 1], 0x1111));
	return true;
}

/* ---- fork ---- */

/* In the child of t_fork_inherits(). */
static bool child_inherited(void)
{
	CHECK(word_is(&area[ENTRIES - 1], 0x3333));
	CHECK(same_pages(area));
	CHECK(word_set(&area[ENTRIES - 2], 0x4444));
	return true;
}

/* Unchanged: no VM_DONTCOPY, fork() copies the PTEs too. */
static bool t_fork_inherits(void)
{
	CHECK(area);
	area[ENTRIES - 1] = 0x3333;
	area[ENTRIES - 2] = 0;
	CHECK(in_child(child_inherited));
	CHECK(area[ENTRIES - 2] == 0x4444);
	return true;
}

/* In the child of t_fork_kpagecount(), both processes mapping the buffer. */
static bool child_kpagecount(void)
{
	uint64_t flags, count;
	size_t i;

	for (i = 0; i < nr_pages; i++) {
		CHECK(kpage_of(pfns[i], &flags, &count));
		if (count)
			diag("page %zu: kpagecount %llu", i,
			     (unsigned long long)count);
		CHECK(!count);
	}
	return true;
}

/* Converted: copied PTEs take no mapcount either. */
static bool t_fork_kpagecount(void)
{
	CHECK(area);
	CHECK(pfns_known());
	CHECK(in_child(child_kpagecount));
	return true;
}

static struct own_buf outlive;
static int outlive_go[2];

/* In the child of t_fork_outlives_parent(), once the parent let go. */
static bool child_outlives(void)
{
	char c;

	close(outlive_go[1]);
	close(outlive.fd);
	CHECK(read(outlive_go[0], &c, 1) == 1);
	CHECK(word_is(&outlive.m[7], 0x5555));
	CHECK(word_set(&outlive.m[8], 0x6666));
	CHECK(word_is(&outlive.m[8], 0x6666));
	CHECK(munmap(outlive.m, map_len) == 0);
	return true;
}

/* Unchanged: the child's VMA pins the file after the parent's are gone. */
static bool t_fork_outlives_parent(void)
{
	pid_t pid;

	CHECK(own_open(&outlive));
	outlive.m[7] = 0x5555;
	CHECK(pipe(outlive_go) == 0);
	pid = fork();
	if (!pid)
		_exit(child_outlives() ? 0 : 1);
	CHECK(pid > 0);
	close(outlive_go[0]);
	CHECK(munmap(outlive.m, map_len) == 0);
	close(outlive.fd);
	CHECK(write(outlive_go[1], "x", 1) == 1);
	close(outlive_go[1]);
	return child_ok(pid);
}

/* ---- teardown ---- */

/* Unchanged: no ->fault, so SIGBUS; the buffer keeps its data. */
static bool t_dontneed(void)
{
	struct own_buf b;
	unsigned long v;
	void *p;
	int sig;

	CHECK(own_open(&b));
	b.m[3] = 0x7777;
	CHECK(madvise(b.m, map_len, MADV_DONTNEED) == 0);
	sig = probe_read(&b.m[3]);
	if (sig != SIGBUS)
		diag("access after MADV_DONTNEED: signal %d, value %#lx", sig,
		     sig ? 0 : b.m[3]);
	CHECK(sig == SIGBUS);
	p = kcov_map(b.fd, PROT_READ, MAP_SHARED);
	CHECK(p != MAP_FAILED);
	v = ((unsigned long *)p)[3];
	munmap(p, map_len);
	munmap(b.m, map_len);
	close(b.fd);
	if (v != 0x7777)
		diag("the buffer lost its contents: %#lx", v);
	CHECK(v == 0x7777);
	return true;
}

/*
 * Converted: the main buffer, munmap() then close(): typed while the file
 * holds it, untyped by kcov_put() before vfree().
 */
static bool t_munmap_close(void)
{
	size_t typed;

	CHECK(area);
	CHECK(munmap(area, map_len) == 0);
	area = NULL;
	typed = have_pfns ? nr_typed() : 0;
	close(kfd);
	kfd = -1;
	CHECK(pfns_known());
	if (typed != nr_pages)
		diag("%zu of %zu pages typed after munmap, the fd still open",
		     typed, nr_pages);
	CHECK(typed == nr_pages);
	typed = nr_typed();
	if (typed)
		diag("%zu pages still typed after close", typed);
	CHECK(!typed);
	return true;
}

/* Unchanged: the VMA holds the file. */
static bool t_close_munmap(void)
{
	struct own_buf b;

	CHECK(own_open(&b));
	close(b.fd);
	CHECK(word_set(&b.m[5], 0x8888));
	CHECK(word_is(&b.m[5], 0x8888));
	CHECK(word_set(&b.m[ENTRIES - 1], 1));
	CHECK(munmap(b.m, map_len) == 0);
	return true;
}

/*
 * In the child of t_close_enabled(): the task's reference keeps the area
 * after the file and the mapping are gone.
 */
static bool child_close_enabled(void)
{
	struct own_buf b;

	CHECK(own_open(&b));
	CHECK(ioctl(b.fd, KCOV_ENABLE, KCOV_TRACE_PC) == 0);
	close(b.fd);
	CHECK(cover_read_minus_one(b.m) > 0);
	CHECK(munmap(b.m, map_len) == 0);
	/* still traced into the area, which only the kernel sees now */
	(void)!read(-1, NULL, 0);
	return true;
}

/* Unchanged. */
static bool t_close_enabled(void)
{
	CHECK(in_child(child_close_enabled));
	return true;
}

/* ---- main ---- */

static const struct tap_case cases[] = {
	CASE("open " KCOV_PATH, t_open),
	CASE("mmap before KCOV_INIT_TRACE fails with EINVAL", t_mmap_before_init),
	CASE("KCOV_INIT_TRACE of 64K entries", t_init),
	CASE("second KCOV_INIT_TRACE fails with EBUSY", t_init_twice),
	CASE("mmap of a wrong size fails with EINVAL", t_bad_sizes),
	CASE("mmap at a non-zero offset fails with EINVAL", t_bad_offsets),
	CASE_SKIP("mmap of an area of no whole number of pages fails with EINVAL",
		  t_unaligned_area),
	CASE("mmap PROT_READ|PROT_WRITE MAP_SHARED", t_mmap),
	CASE("KCOV_ENABLE(TRACE_PC) + read(-1): kernel PCs in the mapping", t_coverage),
	CASE("KCOV_DISABLE: no more coverage", t_disable),
	CASE("pagemap: present with PFN, no file/exclusive bits", t_pagemap),
	CASE("kpageflags KERNEL_OWNED and kpagecount 0 on every page", t_kpageflags),
	CASE("smaps VmFlags: mm de, no me", t_vmflags),
	CASE("smaps Rss: 0 kB", t_rss),
	CASE("mprotect(PROT_EXEC) fails with EACCES", t_mprotect_exec),
	CASE("mmap(PROT_EXEC) fails with EINVAL (EPERM on noexec debugfs)", t_mmap_exec),
	CASE("/proc/self/mem reads the mapping and writes to it", t_proc_mem),
	CASE("process_vm_readv reads the mapping", t_process_vm_readv),
	CASE("GUP refused: vmsplice of the mapping fails with EFAULT", t_gup_vmsplice),
	CASE("MAP_PRIVATE PROT_READ mapping shows the live buffer", t_private_ro),
	CASE("MAP_PRIVATE PROT_READ: mprotect(PROT_WRITE) fails with EACCES",
	     t_private_ro_mprotect),
	CASE("MAP_PRIVATE PROT_READ|PROT_WRITE fails with EINVAL", t_private_rw),
	CASE("second MAP_SHARED mmap: same pages, survives munmap of the other",
	     t_second_mmap),
	CASE("fork: child inherits the mapping (no VM_DONTCOPY), same pages",
	     t_fork_inherits),
	CASE("fork: kpagecount stays 0 with two processes mapping it", t_fork_kpagecount),
	CASE("fork: child's mapping outlives parent's munmap and close",
	     t_fork_outlives_parent),
	CASE("MADV_DONTNEED: next access SIGBUS (no ->fault), data kept for a new mmap",
	     t_dontneed),
	CASE("munmap then close: typed while the fd is open, untyped after", t_munmap_close),
	CASE("close then munmap: mapping usable after close", t_close_munmap),
	CASE("close while enabled: coverage still arrives in the mapping", t_close_enabled),
};

#define NR_CASES	ARRAY_SIZE(cases)

static bool mounted_debugfs;

/* Whether there is a kcov file, with debugfs mounted if it was not. */
static bool find_kcov(void)
{
	if (!access(KCOV_PATH, F_OK))
		return true;
	if (!mount("debugfs", DEBUGFS_DIR, "debugfs", 0, NULL)) {
		mounted_debugfs = true;
		diag("mounted debugfs on %s", DEBUGFS_DIR);
	}
	return !access(KCOV_PATH, F_OK);
}

static void unmount_debugfs(void)
{
	if (mounted_debugfs)
		umount(DEBUGFS_DIR);
}

int main(void)
{
	struct statvfs sv;
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	map_len = ENTRIES * sizeof(unsigned long);
	nr_pages = map_len / page_size;
	if (nr_pages > MAX_PAGES || map_len % page_size)
		return tap_skip_all("page size not supported");
	if (!find_kcov()) {
		unmount_debugfs();
		return tap_skip_all("no " KCOV_PATH " (CONFIG_KCOV)");
	}
	install_fault_handlers();

	printf("1..%zu\n", NR_CASES);
	if (!statvfs(DEBUGFS_DIR, &sv))
		debugfs_noexec = sv.f_flag & ST_NOEXEC;
	diag("debugfs is mounted %s", debugfs_noexec ? "noexec" : "exec");
	for (i = 0; i < NR_CASES; i++)
		run_case(&cases[i]);
	unmount_debugfs();
	return failures ? 1 : 0;
}
