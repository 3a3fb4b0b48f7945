// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test-only module, not part of the series: it misuses kernel-owned pages on
 * purpose so that `make variant` can check that each misuse is reported.
 * Loading it creates /sys/kernel/debug/kop_misuse; writing to it runs a case:
 *
 *  free_typed   frees an order-0, an order-2 compound and an order-1
 *               non-compound allocation whose pages all still have the
 *               kernel-owned type.  It prints "kop_misuse: freeing typed pfn
 *               0x..." for each page; the page allocator must WARN and print
 *               "kernel-owned page freed with its type set (pfn 0x...)" for
 *               every one of them.
 *  free_mapped  maps a kernel-owned page into the writing process with
 *               vm_insert_pages_prot(), reads it through the mapping, then
 *               clears the type and frees the page while it is still mapped.
 *               With page_table_check=on that free is a kernel BUG, which
 *               kills the writing process; "kop_misuse: page table check
 *               missed" is printed if it is not.
 */
#include <linux/anon_inodes.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

static struct dentry *kop_misuse_file;

static void kop_misuse_free_typed(unsigned int order, gfp_t gfp)
{
	struct page *page = alloc_pages(gfp, order);
	unsigned int i;

	if (!page) {
		pr_err("kop_misuse: allocation of order %u failed\n", order);
		return;
	}
	for (i = 0; i < 1U << order; i++) {
		__SetPageKernelOwned(page + i);
		pr_info("kop_misuse: freeing typed pfn %#lx\n",
			page_to_pfn(page + i));
	}
	/* The misuse: no __ClearPageKernelOwned() before the free. */
	__free_pages(page, order);
}

/* private_data is the page to map. */
static int kop_misuse_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct page *pages[1] = { file->private_data };
	unsigned long nr = 1;

	if (vma->vm_pgoff || vma_pages(vma) != 1)
		return -EINVAL;
	vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP);
	return vm_insert_pages_prot(vma, vma->vm_start, pages, &nr,
				    vm_get_page_prot(vma->vm_flags & ~VM_SHARED));
}

static const struct file_operations kop_misuse_map_fops = {
	.owner	= THIS_MODULE,
	.mmap	= kop_misuse_mmap,
};

static int kop_misuse_free_mapped(void)
{
	struct page *page = alloc_page(GFP_KERNEL);
	unsigned long addr;
	struct file *file;
	char c;

	if (!page)
		return -ENOMEM;
	__SetPageKernelOwned(page);
	file = anon_inode_getfile("kop_misuse", &kop_misuse_map_fops, page,
				  O_RDWR);
	if (IS_ERR(file)) {
		__ClearPageKernelOwned(page);
		__free_page(page);
		return PTR_ERR(file);
	}
	addr = vm_mmap(file, 0, PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	/* The VMA holds its own reference to the file. */
	fput(file);
	if (IS_ERR_VALUE(addr) || copy_from_user(&c, (void __user *)addr, 1)) {
		pr_err("kop_misuse: cannot map and read the page (%ld)\n",
		       (long)addr);
		if (!IS_ERR_VALUE(addr))
			vm_munmap(addr, PAGE_SIZE);
		__ClearPageKernelOwned(page);
		__free_page(page);
		return -EIO;
	}
	pr_info("kop_misuse: freeing a mapped kernel-owned page, expect a BUG\n");
	__ClearPageKernelOwned(page);
	__free_page(page);
	/* Only reached if page table check missed the free. */
	pr_err("kop_misuse: page table check missed a page freed while mapped\n");
	vm_munmap(addr, PAGE_SIZE);
	return -EIO;
}

static ssize_t kop_misuse_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	char cmd[16] = "";
	int err = 0;

	if (copy_from_user(cmd, ubuf, min(len, sizeof(cmd) - 1)))
		return -EFAULT;
	strim(cmd);
	if (!strcmp(cmd, "free_typed")) {
		kop_misuse_free_typed(0, GFP_KERNEL);
		kop_misuse_free_typed(2, GFP_KERNEL | __GFP_COMP);
		kop_misuse_free_typed(1, GFP_KERNEL);
	} else if (!strcmp(cmd, "free_mapped")) {
		err = kop_misuse_free_mapped();
	} else {
		err = -EINVAL;
	}
	return err ? err : len;
}

static const struct file_operations kop_misuse_fops = {
	.owner	= THIS_MODULE,
	.write	= kop_misuse_write,
};

static int __init kop_misuse_init(void)
{
	kop_misuse_file = debugfs_create_file("kop_misuse", 0200, NULL, NULL,
					      &kop_misuse_fops);
	return 0;
}

static void __exit kop_misuse_exit(void)
{
	debugfs_remove(kop_misuse_file);
}

module_init(kop_misuse_init);
module_exit(kop_misuse_exit);
MODULE_DESCRIPTION("Misuses kernel-owned pages on purpose (test only)");
MODULE_LICENSE("GPL");
