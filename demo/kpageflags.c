// SPDX-License-Identifier: GPL-2.0
/* Names of the /proc/kpageflags bits, for the page table of a mapping. */
#include <stdio.h>

#include "pages.h"

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

void format_kpf(uint64_t flags, char *buf, size_t len)
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
