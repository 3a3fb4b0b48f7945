// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test-only module, not part of the series: a software PMU "kop_aux" with an
 * AUX area, so that the perf selftests' AUX cases run under QEMU, which
 * emulates no PMU with AUX support (intel_pt, arm_spe, cs_etm).
 *
 * It asks for large AUX chunks (PERF_PMU_CAP_AUX_PREFER_LARGE), so
 * rb_alloc_aux() takes its high-order path and split_page()s the chunks.  On
 * every ->stop() (the event is scheduled out or disabled) it writes up to
 * KOP_AUX_CHUNK bytes at the AUX head through the kernel's addresses of the
 * pages, each byte kop_aux_byte(its absolute offset), and ends the AUX
 * transaction as a hardware PMU would: user space can check the contents it
 * reads through the mapping.  setup_aux() WARNs if a page it is given is not
 * kernel-owned, and prints the chunk layout it was given.
 */
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/perf_event.h>
#include <linux/slab.h>

#define KOP_AUX_CHUNK	512

struct kop_aux_buf {
	void **pages;
	int nr_pages;
	bool overwrite;
};

static struct pmu kop_aux_pmu;

/*
 * The byte at absolute AUX offset @pos; tests/progs/kop_aux_contents.c computes
 * the same.  Every bit of @pos counts, so a page mapped at the wrong offset
 * reads back wrong.
 */
static u8 kop_aux_byte(unsigned long pos)
{
	return (pos ^ (pos >> 8) ^ (pos >> 16) ^ (pos >> 24) ^ 0x5a) & 0xff;
}

static void kop_aux_write(struct perf_event *event)
{
	struct perf_output_handle handle;
	struct kop_aux_buf *buf;
	unsigned long size, len, i;

	buf = perf_aux_output_begin(&handle, event);
	if (!buf)
		return;
	size = (unsigned long)buf->nr_pages << PAGE_SHIFT;
	len = buf->overwrite ? KOP_AUX_CHUNK : min_t(unsigned long, handle.size, KOP_AUX_CHUNK);
	for (i = 0; i < len; i++) {
		unsigned long pos = handle.head + i;
		unsigned long off = pos % size;
		u8 *page = buf->pages[off >> PAGE_SHIFT];

		page[off & ~PAGE_MASK] = kop_aux_byte(pos);
	}
	/* In overwrite mode the PMU reports the new head itself. */
	if (buf->overwrite)
		handle.head += len;
	perf_aux_output_end(&handle, len);
}

static int kop_aux_event_init(struct perf_event *event)
{
	if (event->attr.type != kop_aux_pmu.type)
		return -ENOENT;
	if (event->attr.config || is_sampling_event(event))
		return -EINVAL;
	return 0;
}

static void kop_aux_start(struct perf_event *event, int flags)
{
	event->hw.state = 0;
}

static void kop_aux_stop(struct perf_event *event, int flags)
{
	if (event->hw.state & PERF_HES_STOPPED)
		return;
	event->hw.state = PERF_HES_STOPPED;
	kop_aux_write(event);
}

static int kop_aux_add(struct perf_event *event, int flags)
{
	event->hw.state = PERF_HES_STOPPED;
	if (flags & PERF_EF_START)
		kop_aux_start(event, flags);
	return 0;
}

static void kop_aux_del(struct perf_event *event, int flags)
{
	kop_aux_stop(event, flags);
}

static void kop_aux_read(struct perf_event *event)
{
}

static void *kop_aux_setup_aux(struct perf_event *event, void **pages, int nr_pages,
			       bool overwrite)
{
	struct kop_aux_buf *buf;
	int i, chunks = 0, max_order = 0;

	for (i = 0; i < nr_pages; i++) {
		struct page *page = virt_to_page(pages[i]);

		if (WARN_ON_ONCE(!PageKernelOwned(page)))
			return NULL;
		/* rb_alloc_aux_page() marks the head of a high-order chunk. */
		if (PagePrivate(page)) {
			max_order = max_t(int, max_order, page_private(page));
			chunks++;
		}
	}
	pr_info("kop_aux: setup_aux: %d pages, %d high-order chunks, max order %d, %s\n",
		nr_pages, chunks, max_order, overwrite ? "overwrite" : "writable");

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return NULL;
	buf->pages = pages;
	buf->nr_pages = nr_pages;
	buf->overwrite = overwrite;
	return buf;
}

static void kop_aux_free_aux(void *aux)
{
	kfree(aux);
}

static struct pmu kop_aux_pmu = {
	.module		= THIS_MODULE,
	.task_ctx_nr	= perf_sw_context,
	.capabilities	= PERF_PMU_CAP_AUX_PREFER_LARGE | PERF_PMU_CAP_NO_INTERRUPT,
	.event_init	= kop_aux_event_init,
	.add		= kop_aux_add,
	.del		= kop_aux_del,
	.start		= kop_aux_start,
	.stop		= kop_aux_stop,
	.read		= kop_aux_read,
	.setup_aux	= kop_aux_setup_aux,
	.free_aux	= kop_aux_free_aux,
};

static int __init kop_aux_init(void)
{
	return perf_pmu_register(&kop_aux_pmu, "kop_aux", -1);
}

static void __exit kop_aux_exit(void)
{
	perf_pmu_unregister(&kop_aux_pmu);
}

module_init(kop_aux_init);
module_exit(kop_aux_exit);
MODULE_DESCRIPTION("Test-only software PMU with an AUX area for the kernel-owned pages tests");
MODULE_LICENSE("GPL");
