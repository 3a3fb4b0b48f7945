// SPDX-License-Identifier: GPL-2.0
/*
 * kmapdemo - show how the kernel maps its own pages into user space.
 *
 * Maps a perf ring buffer, the io_uring rings, a trace ring buffer, a BPF
 * ring buffer and a kcov coverage buffer, and prints for each mapping its
 * smaps VmFlags and, per page, the PFN (/proc/self/pagemap), the page flags
 * (/proc/kpageflags) and the mapcount (/proc/kpagecount), then checks that each mapping still
 * works and stays write-protected where it should.  It ends with one
 * verdict line: per kind, base behaviour or converted to kernel-owned
 * pages, then whether the functional checks passed.
 *
 * Run as root: kpageflags, kpagecount and the PFNs in pagemap need
 * CAP_SYS_ADMIN, trace_pipe_raw, BPF maps and kcov need root too.  Without it
 * only the functional checks that can run do.
 *
 * Build, in demo/: gcc -O2 -Wall -Wextra -o kmapdemo *.c
 * Exit status: 0 if the functional checks passed (on either kind of
 * kernel), 1 otherwise.
 */
#include <stdio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "check.h"
#include "kinds.h"
#include "pages.h"

static const struct {
	const char *name;	/* as the verdict line names it */
	const char *(*run)(void);
} kinds[] = {
	{ "perf ring buffer",	demo_perf },
	{ "io_uring rings",	demo_uring },
	{ "trace ring buffer",	demo_trace },
	{ "BPF ring buffer",	demo_bpf },
	{ "kcov buffer",	demo_kcov },
};

int main(void)
{
	const char *mode[ARRAY_SIZE(kinds)];
	const char *failed;
	struct utsname uts;
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	if (!uname(&uts))
		printf("kmapdemo: kernel %s %s, page size %ld\n",
		       uts.release, uts.machine, page_size);
	open_page_info();
	printf("\n");

	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		mode[i] = kinds[i].run();

	failed = failures();
	printf("\nverdict: ");
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		printf("%s: %s; ", kinds[i].name, mode[i]);
	printf("functional checks: %s%s%s\n", failed[0] ? "FAILED (" : "OK",
	       failed, failed[0] ? ")" : "");
	return failed[0] ? 1 : 0;
}
