// SPDX-License-Identifier: GPL-2.0
/*
 * Page inspection: smaps VmFlags, pagemap PFNs, kpageflags and kpagecount
 * of every page of a mapping, and the verdict drawn from them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pages.h"

#define PM_PFN_MASK		((1ULL << 55) - 1)
#define PM_PRESENT		(1ULL << 63)

/* Page rows printed per mapping; the census counts every page regardless. */
#define MAX_ROWS		16

long page_size;

static int pagemap_fd = -1, kpageflags_fd = -1, kpagecount_fd = -1;
static bool have_kpage;	/* kpageflags and kpagecount both readable */

void open_page_info(void)
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

/* The pagemap entry of @addr, or false if pagemap cannot be read. */
static bool pagemap_entry(const void *addr, uint64_t *entry)
{
	return read_u64(pagemap_fd, (uintptr_t)addr / page_size, entry);
}

/* The PFN mapped at @addr; 0 if absent, hidden (not root) or unreadable. */
uint64_t page_pfn(const void *addr)
{
	uint64_t entry;

	if (!pagemap_entry(addr, &entry) || !(entry & PM_PRESENT))
		return 0;
	return entry & PM_PFN_MASK;
}

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

bool has_vmflag(const struct census *c, const char *flag)
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

/* Count the page at @addr in @c and write its table row to @row. */
static void describe_page(void *addr, struct census *c, char *row, size_t len)
{
	uint64_t entry, flags, count, pfn;
	char names[512];
	int n;

	c->pages++;
	if (!pagemap_entry(addr, &entry)) {
		snprintf(row, len, "pagemap unreadable");
		return;
	}
	if (!(entry & PM_PRESENT)) {
		snprintf(row, len, "not present in pagemap%s",
			 has_vmflag(c, "pf") ?
			 " (page walks skip VM_PFNMAP VMAs)" : "");
		return;
	}
	pfn = entry & PM_PFN_MASK;
	if (!pfn) {
		snprintf(row, len, "present, PFN hidden (needs CAP_SYS_ADMIN)");
		return;
	}
	c->walked++;
	n = snprintf(row, len, "pfn 0x%-9llx", (unsigned long long)pfn);
	if (!have_kpage || !read_u64(kpagecount_fd, pfn, &count) ||
	    !read_u64(kpageflags_fd, pfn, &flags))
		return;
	/* The zero page pads the trace meta area: not the mapper's page. */
	if (flags & (1ULL << KPF_ZERO_PAGE)) {
		c->zero++;
	} else {
		if (flags & (1ULL << KPF_KERNEL_OWNED))
			c->typed++;
		if (count)
			c->mapped++;
	}
	format_kpf(flags, names, sizeof(names));
	snprintf(row + n, len - n, " mapcount %llu  flags:%s",
		 (unsigned long long)count, names);
}

static void census_add(struct census *sum, const struct census *c)
{
	/* VmFlags: keep "mm" only if every mapping has it. */
	if (!sum->pages || !has_vmflag(c, "mm"))
		memcpy(sum->vmflags, c->vmflags, sizeof(sum->vmflags));
	sum->pages += c->pages;
	sum->walked += c->walked;
	sum->zero += c->zero;
	sum->typed += c->typed;
	sum->mapped += c->mapped;
}

/*
 * Print the VMA at @addr and a row per page, and add its pages to @sum:
 * a kind of several mappings gets one verdict for all of them.
 */
void describe_mapping(const char *name, void *addr, size_t len,
		      page_label_fn label, struct census *sum)
{
	unsigned int i, nr = (len + page_size - 1) / page_size;
	char buf[32], row[640];
	struct census c = { 0 };

	printf("\n  mapping %s at %p, %u page(s)\n", name, addr, nr);
	read_vmflags(addr, &c);
	for (i = 0; i < nr; i++) {
		const char *l = label ? label(i) : NULL;

		describe_page((char *)addr + i * page_size, &c, row,
			      sizeof(row));
		if (i >= MAX_ROWS)
			continue;
		if (!l) {
			snprintf(buf, sizeof(buf), "page %u", i);
			l = buf;
		}
		printf("  %-12s%s\n", l, row);
	}
	if (nr > MAX_ROWS)
		printf("  ...         %u more page(s) not listed, all counted in the verdict\n",
		       nr - MAX_ROWS);
	census_add(sum, &c);
}

/* Every page's PFN, type and mapcount could be read. */
bool census_complete(const struct census *c)
{
	return have_kpage && c->walked == c->pages;
}

/* Every page but zero-page padding is kernel-owned, and none is mapcounted. */
bool census_converted(const struct census *c)
{
	return c->typed == c->pages - c->zero && !c->mapped;
}

/* No page is typed, and every one but zero-page padding is mapcounted. */
static bool census_base(const struct census *c)
{
	return !c->typed && c->mapped == c->pages - c->zero;
}

/* The verdict for mappings of pages that the mm refcounts on a base kernel. */
const char *census_verdict(const struct census *c)
{
	if (!census_complete(c))
		return "not determined (needs root)";
	if (has_vmflag(c, "mm") && census_converted(c))
		return VERDICT_CONVERTED;
	if (census_base(c))
		return "base behaviour (refcounted)";
	return "unexpected (pages neither all typed with mapcount 0 nor all mapped untyped)";
}
