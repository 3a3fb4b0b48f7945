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

void add_failure(const char *fmt, ...)
{
	size_t len = strlen(failure_list);
	va_list ap;

	if (len && len < sizeof(failure_list) - 2) {
		strcat(failure_list, "; ");
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(failure_list + len, sizeof(failure_list) - len, fmt, ap);
	va_end(ap);
}

const char *failures(void)
{
	return failure_list;
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

/* A store of @val to @p must go through; @kind and @what name the page. */
void check_write_works(__u64 *p, __u64 val, const char *kind, const char *what)
{
	int sig = probe_write(p, val);

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
