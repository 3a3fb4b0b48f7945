/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page inspection shared by every mapping kind: the smaps VmFlags of a
 * mapping, and per page its PFN (/proc/self/pagemap), page flags
 * (/proc/kpageflags) and mapcount (/proc/kpagecount), summed up in a census
 * that the verdict is drawn from.
 */
#ifndef KMAPDEMO_PAGES_H
#define KMAPDEMO_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kernel-page-flags.h>

/* Added by the kernel-owned pages series; not in older UAPI headers. */
#ifndef KPF_KERNEL_OWNED
#define KPF_KERNEL_OWNED	27
#endif

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define VERDICT_CONVERTED \
	"converted to kernel-owned pages (VM_MIXEDMAP, typed, mapcount 0)"

extern long page_size;

struct census {
	char vmflags[256];	/* the smaps "VmFlags:" value */
	unsigned int pages;
	unsigned int walked;	/* present in pagemap with a PFN */
	unsigned int zero;	/* the zero page (KPF_ZERO_PAGE), as padding */
	unsigned int typed;	/* KPF_KERNEL_OWNED set */
	unsigned int mapped;	/* kpagecount >= 1 */
};

/* Returns a label for page @i of a mapping, or NULL for "page i". */
typedef const char *(*page_label_fn)(unsigned int i);

/* Names the bits of a /proc/kpageflags word, " NAME" each (kpageflags.c). */
void format_kpf(uint64_t flags, char *buf, size_t len);

void open_page_info(void);
uint64_t page_pfn(const void *addr);
void describe_mapping(const char *name, void *addr, size_t len,
		      page_label_fn label, struct census *sum);
bool has_vmflag(const struct census *c, const char *flag);
bool census_complete(const struct census *c);
bool census_converted(const struct census *c);
const char *census_verdict(const struct census *c);

#endif
