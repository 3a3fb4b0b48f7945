/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kop_pages.h - what the test programs of tests/progs share: TAP output,
 * a table of cases and its runner, mmap() and fault probes, and what
 * /proc/self/pagemap, /proc/kpageflags, /proc/kpagecount and
 * /proc/self/mem say about the pages behind a mapping.
 *
 * Everything is static, and every function static inline, so that a
 * program includes it once and pays nothing for what it does not use.
 * A program defines _GNU_SOURCE before including it and sets page_size
 * first thing in main().
 */
#ifndef KOP_PAGES_H
#define KOP_PAGES_H

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
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

/* /proc/pid/pagemap and /proc/kpageflags bits. */
#define PM_PFN_MASK		0x007fffffffffffffULL
#define PM_MMAP_EXCLUSIVE	(1ULL << 56)
#define PM_FILE			(1ULL << 61)
#define PM_PRESENT		(1ULL << 63)
#define KPF_KERNEL_OWNED	27

/*
 * kselftest's KSFT_SKIP: scripts/ktap.py counts a log without results and
 * this status as a skip (which tests/expected-skips must list); with 0 it
 * would be a failure, "no results".
 */
#define KOP_EXIT_SKIP		4

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static long page_size;

/* ---- TAP ---- */

static int failures;
static int test_no;

static inline void tap_result(bool ok, const char *name)
{
	printf("%s %d - %s\n", ok ? "ok" : "not ok", ++test_no, name);
	if (!ok)
		failures++;
	fflush(stdout);
}

static inline void tap_skip(const char *name, const char *why)
{
	printf("ok %d - %s # SKIP %s\n", ++test_no, name, why);
	fflush(stdout);
}

/*
 * Nothing can run here: the plan "1..0 # SKIP @why".  main() returns what
 * this returns, the exit status that makes the parser count a skip.
 */
static inline int tap_skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	fflush(stdout);
	return KOP_EXIT_SKIP;
}

/* Diagnostics: why a case failed. */
static inline void __attribute__((format(printf, 1, 2)))
diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		diag("%s:%d: check failed: %s (errno %d: %s)", __func__,\
		     __LINE__, #cond, errno, strerror(errno));		\
		return false;						\
	}								\
} while (0)

/* ---- mappings, faults and children ---- */

static inline void *map_at(int fd, size_t len, int prot, off_t off)
{
	return mmap(NULL, len, prot, MAP_SHARED, fd, off);
}

/* Whether mmap(MAP_SHARED) works; says why not otherwise.  Unmaps it again. */
static inline bool mmap_works(int fd, size_t len, int prot, off_t off)
{
	void *p = map_at(fd, len, prot, off);

	if (p == MAP_FAILED) {
		diag("mmap(len %zu, prot %#x, off %lld): %s, expected success",
		     len, prot, (long long)off, strerror(errno));
		return false;
	}
	munmap(p, len);
	return true;
}

/* Whether mmap() fails with @err; says what happened otherwise. */
static inline bool mmap_fails(int fd, size_t len, int prot, int flags,
			      off_t off, int err)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p != MAP_FAILED) {
		munmap(p, len);
		diag("mmap(len %zu, prot %#x, flags %#x, off %lld) succeeded, expected errno %d",
		     len, prot, flags, (long long)off, err);
		return false;
	}
	if (errno != err) {
		diag("mmap(len %zu, prot %#x, flags %#x, off %lld): errno %d, expected %d",
		     len, prot, flags, (long long)off, errno, err);
		return false;
	}
	return true;
}

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_sig, probing;

/*
 * A fault in a probe returns from it with the signal; any other one kills
 * the process, as it would without the handler, rather than jumping back
 * into a probe that has returned.
 */
static inline void fault_handler(int sig)
{
	if (!probing) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	fault_sig = sig;
	siglongjmp(fault_jmp, 1);
}

/* SIGSEGV and SIGBUS jump back into probe_read() or probe_write(). */
static inline void install_fault_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fault_handler;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

/* The signal a read of the byte at @p raises, or 0. */
static inline int probe_read(const volatile void *p)
{
	fault_sig = 0;
	probing = 1;
	if (!sigsetjmp(fault_jmp, 1))
		(void)*(const volatile char *)p;
	probing = 0;
	return fault_sig;
}

/* The signal a write of @v to the byte at @p raises, or 0. */
static inline int probe_write(volatile void *p, char v)
{
	fault_sig = 0;
	probing = 1;
	if (!sigsetjmp(fault_jmp, 1))
		*(volatile char *)p = v;
	probing = 0;
	return fault_sig;
}

/* The child @pid must exit with status 0. */
static inline bool child_ok(pid_t pid)
{
	int status;

	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return true;
}

/* ---- pagemap, kpageflags, kpagecount ---- */

static inline bool pread_u64(const char *path, off_t off, uint64_t *val)
{
	int fd = open(path, O_RDONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = pread(fd, val, sizeof(*val), off) == sizeof(*val);
	close(fd);
	return ok;
}

static inline bool have_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &
	       CAP_TO_MASK(CAP_SYS_ADMIN);
}

/* Why the typed checks cannot run here, or NULL. */
static inline const char *typed_check_unavailable(void)
{
	if (!have_cap_sys_admin())
		return "PFNs in pagemap need CAP_SYS_ADMIN";
	if (access("/proc/self/pagemap", R_OK))
		return "no /proc/self/pagemap (PROC_PAGE_MONITOR)";
	if (access("/proc/kpageflags", R_OK) || access("/proc/kpagecount", R_OK))
		return "no /proc/kpageflags or /proc/kpagecount";
	return NULL;
}

/* The pagemap entry of the page at @addr in *@pme, its PFN in *@pfn. */
static inline bool pfn_of(const void *addr, uint64_t *pfn, uint64_t *pme)
{
	if (!pread_u64("/proc/self/pagemap",
		       (uintptr_t)addr / page_size * sizeof(*pme), pme))
		return false;
	*pfn = *pme & PM_PFN_MASK;
	return true;
}

/* The kpageflags and the kpagecount (mapcount) of @pfn. */
static inline bool kpage_of(uint64_t pfn, uint64_t *flags, uint64_t *count)
{
	return pread_u64("/proc/kpageflags", pfn * 8, flags) &&
	       pread_u64("/proc/kpagecount", pfn * 8, count);
}

static inline bool kpf_kernel_owned(uint64_t flags)
{
	return flags & (1ULL << KPF_KERNEL_OWNED);
}

/* Page @i of @what at @p, of PFN @pfn: the same PFN @alias pages on. */
static inline bool alias_same(const char *what, const char *p,
			      unsigned long i, uint64_t pfn,
			      unsigned long alias)
{
	uint64_t pfn2 = 0, pme2;

	if (pfn_of(p + alias * page_size, &pfn2, &pme2) && pfn2 == pfn)
		return true;
	diag("%s page %lu: PFN %#llx, alias PFN %#llx", what, i,
	     (unsigned long long)pfn, (unsigned long long)pfn2);
	return false;
}

/*
 * Page @i of @what, of pagemap entry @pme and PFN @pfn: -1 if kpageflags or
 * kpagecount cannot be read, 0 if it is typed kernel-owned, mapped with
 * mapcount 0 and no file page in pagemap, 1 if not (said for the first 3
 * of those, *@bad counts them).
 */
static inline int page_untyped(const char *what, unsigned long i,
			       uint64_t pfn, uint64_t pme, unsigned long *bad)
{
	uint64_t flags, count;

	if (!kpage_of(pfn, &flags, &count)) {
		diag("%s: cannot read kpageflags/kpagecount", what);
		return -1;
	}
	if (kpf_kernel_owned(flags) && !count && !(pme & PM_FILE))
		return 0;
	if ((*bad)++ < 3)
		diag("%s page %lu: kpageflags %#llx (KERNEL_OWNED %s), kpagecount %llu, PM_FILE %s",
		     what, i, (unsigned long long)flags,
		     kpf_kernel_owned(flags) ? "set" : "clear",
		     (unsigned long long)count, pme & PM_FILE ? "set" : "clear");
	return 1;
}

/*
 * Every page of [@addr, @addr + @nr pages) is present, not a file page in
 * pagemap, typed kernel-owned and mapped with mapcount 0.  If @alias is
 * not 0, page i and page i + @alias (i >= @first) have the same PFN.
 */
static inline bool pages_typed(const char *what, const char *addr,
			       unsigned long nr, unsigned long first,
			       unsigned long alias)
{
	unsigned long i, bad = 0;
	uint64_t pme, pfn;
	bool ok = true;

	for (i = 0; i < nr; i++) {
		const char *p = addr + i * page_size;

		if (!pfn_of(p, &pfn, &pme)) {
			diag("%s: cannot read pagemap", what);
			return false;
		}
		if (!(pme & PM_PRESENT) || !pfn) {
			diag("%s page %lu: not present (pagemap %#llx)", what,
			     i, (unsigned long long)pme);
			return false;
		}
		if (alias && i >= first && i < first + alias &&
		    !alias_same(what, p, i, pfn, alias))
			ok = false;
		if (page_untyped(what, i, pfn, pme, &bad) < 0)
			return false;
	}
	if (bad)
		diag("%s: %lu of %lu pages not typed with mapcount 0", what,
		     bad, nr);
	return ok && !bad;
}

/* ---- /proc/self/mem ---- */

static inline ssize_t proc_mem_rw(void *buf, size_t len, const void *addr,
				  bool write)
{
	int fd = open("/proc/self/mem", O_RDWR);
	ssize_t ret;

	if (fd < 0)
		return -1;
	if (write)
		ret = pwrite(fd, buf, len, (uintptr_t)addr);
	else
		ret = pread(fd, buf, len, (uintptr_t)addr);
	close(fd);
	return ret;
}

/* /proc/self/mem reads exactly what the mapping shows at @addr. */
static inline bool proc_mem_matches(const void *addr, size_t len)
{
	char *buf = malloc(len);
	bool ok;

	if (!buf)
		return false;
	ok = proc_mem_rw(buf, len, addr, false) == (ssize_t)len &&
	     !memcmp(buf, addr, len);
	if (!ok)
		diag("/proc/self/mem read at %p: %s", addr,
		     errno ? strerror(errno) : "contents differ");
	free(buf);
	return ok;
}

/* ---- cases ---- */

struct tap_case {
	const char *name;
	bool (*fn)(void);
	/* 1 ok, 0 not ok, -1 skip (with *why) */
	int (*fn_skip)(const char **why);
	bool typed;	/* needs pagemap PFNs, kpageflags, kpagecount */
};

/* A case of fn(); one that skips without the typed checks; one that may skip. */
#define CASE(n, f)		{ .name = n, .fn = f }
#define CASE_TYPED(n, f)	{ .name = n, .fn = f, .typed = true }
#define CASE_SKIP(n, f)		{ .name = n, .fn_skip = f }

/* Run @c and print its result, each case with errno 0 to begin with. */
static inline void run_case(const struct tap_case *c)
{
	const char *why = NULL;
	int res;

	errno = 0;
	if (c->typed)
		why = typed_check_unavailable();
	if (why) {
		tap_skip(c->name, why);
		return;
	}
	if (c->fn) {
		tap_result(c->fn(), c->name);
		return;
	}
	res = c->fn_skip(&why);
	if (res < 0)
		tap_skip(c->name, why);
	else
		tap_result(res > 0, c->name);
}

#endif /* KOP_PAGES_H */
