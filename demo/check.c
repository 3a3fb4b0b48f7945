// SPDX-License-Identifier: GPL-2.0
/* Failure bookkeeping, error reports and write probes. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "pages.h"

static char failure_list[1024];

static void vadd_failure(const char *fmt, va_list ap)
{
	size_t len = strlen(failure_list);

	if (len && len < sizeof(failure_list) - 2) {
		strcat(failure_list, "; ");
		len += 2;
	}
	vsnprintf(failure_list + len, sizeof(failure_list) - len, fmt, ap);
}

void add_failure(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd_failure(fmt, ap);
	va_end(ap);
}

const char *failures(void)
{
	return failure_list;
}

/*
 * A kind that could not be set up: count the failure @fmt, and return the
 * verdict "not tested (@why)".  main() prints the verdicts of all kinds at
 * the end, so each one gets a string of its own, kept until exit.
 */
const char *not_tested(const char *why, const char *fmt, ...)
{
	char *verdict;
	va_list ap;

	va_start(ap, fmt);
	vadd_failure(fmt, ap);
	va_end(ap);
	if (asprintf(&verdict, "not tested (%s)", why) < 0)
		return "not tested";
	return verdict;
}

/* The hint for an open or a setup call that ran out of file descriptors. */
const char *fd_limit_hint(int err)
{
	if (err == EMFILE || err == ENFILE)
		return "raise the open file limit (ulimit -n)";
	return NULL;
}

/* Report errno about @what, with @hint's advice; errno is kept. */
static void report_hint(const char *what, hint_fn hint)
{
	int err = errno;

	report_errno(what, err, hint ? hint(err) : NULL);
	errno = err;
}

/* Returns @fd, the result of opening @what; reports why if that failed. */
int report_fd(int fd, const char *what, hint_fn hint)
{
	if (fd < 0)
		report_hint(what, hint);
	return fd;
}

/* mmap(MAP_SHARED) of @fd; NULL, after reporting why, if that failed. */
void *map_shared(int fd, size_t len, int prot, off_t off, const char *what,
		 hint_fn hint)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, off);

	if (p != MAP_FAILED)
		return p;
	report_hint(what, hint);
	return NULL;
}

void report_errno(const char *what, int err, const char *hint)
{
	printf("  error: %s: %s\n", what, strerror(err));
	if (hint)
		printf("  hint:  %s\n", hint);
}

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

/*
 * A store of @val, the value of @field, to @p must go through; @kind and
 * @page name the page.
 */
void check_write_works(__u64 *p, __u64 val, const char *kind,
		       const char *page, const char *field)
{
	int sig = probe_write(p, val);
	char what[64];

	snprintf(what, sizeof(what), "%s (%s = %llu)", page, field,
		 (unsigned long long)val);
	printf("  write:    %s: %s\n", what,
	       sig ? strsignal(sig) : "ok, as expected");
	if (sig)
		add_failure("write to %s %s raised %s", kind, what, strsignal(sig));
}

/*
 * A store to the page at @p must fault: print what it raised, and count a
 * failure if it went through.  @kind and @what name the page.  Returns the
 * signal, 0 if none.
 */
int check_write_faults(void *p, const char *kind, const char *what)
{
	__u64 *word = p;
	int sig;

	/* Store the value already there: harmless should the store succeed. */
	sig = probe_write(word, __atomic_load_n(word, __ATOMIC_RELAXED));
	printf("  write:    %s: %s\n", what,
	       sig ? strsignal(sig) : "SUCCEEDED (should have faulted)");
	if (!sig)
		add_failure("write to %s %s succeeded", kind, what);
	return sig;
}

/*
 * The page at @p (page-aligned) is mapped read-only for good: a store
 * faults, and mprotect() refuses to make it writable (the mapper cleared
 * VM_MAYWRITE).
 */
void check_read_only(void *p, const char *kind, const char *what)
{
	check_write_faults(p, kind, what);
	if (mprotect(p, page_size, PROT_READ | PROT_WRITE)) {
		printf("  mprotect: %s: PROT_WRITE refused (%s)\n", what,
		       strerror(errno));
		return;
	}
	printf("  mprotect: %s: PROT_WRITE ALLOWED (should be refused)\n", what);
	add_failure("mprotect(PROT_WRITE) of %s %s allowed", kind, what);
	mprotect(p, page_size, PROT_READ);
}
