// SPDX-License-Identifier: GPL-2.0
/*
 * kop_bpf_maps - the pages behind BPF ring buffer and mmap()able array
 * mappings, through raw bpf() syscalls (no libbpf, no clang).
 *
 * The series "mm: map kernel-owned pages to user space" maps
 * BPF_MAP_TYPE_RINGBUF, BPF_MAP_TYPE_USER_RINGBUF and BPF_F_MMAPABLE
 * arrays with vm_insert_pages_prot() instead of remap_vmalloc_range().
 * This checks that the layout, the permissions, the freeze rules, the
 * double mapping of ring buffer data and the lifetime rules are kept,
 * and that the pages are now typed kernel-owned.
 *
 * Output is TAP.  Run as root (CAP_BPF, CAP_SYS_ADMIN for pagemap PFNs,
 * /proc/kpageflags, /proc/kpagecount and BPF_MAP_GET_FD_BY_ID).
 *
 * Kernel config: BPF_SYSCALL (everything is skipped without it);
 * PROC_PAGE_MONITOR (pagemap, kpageflags, kpagecount: the *_pages_typed
 * cases skip without it); CROSS_MEMORY_ATTACH (process_vm_readv skips
 * without it); NET (socket filter programs and BPF_PROG_TEST_RUN: the
 * prog_* cases skip without it); BPF_JIT (the verifier allows the user ring
 * buffer case's callback only in JITed programs).  No libbpf needed; that
 * case loads its own minimal BTF for its callback.
 *
 * Expected results:
 *   converted kernel: every case "ok".
 *   kernel that maps with remap_vmalloc_range() (untyped, refcounted
 *   pages): "not ok" for rb_pages_typed, array_pages_typed (no
 *   KPF_KERNEL_OWNED, kpagecount = number of PTEs, PM_FILE set),
 *   gup_vmsplice_refused (vmsplice() succeeds) and
 *   proc_mem_prot_none_refused (GUP with FOLL_FORCE reads a PROT_NONE
 *   mapping); every other case "ok".
 *
 * Build: gcc -Wall -Werror -O2 -o kop_bpf_maps kop_bpf_maps.c
 */
#define _GNU_SOURCE
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
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/capability.h>

/* Constants that older uapi headers may lack. */
#ifndef BPF_PSEUDO_FUNC
#define BPF_PSEUDO_FUNC		4
#endif
#define KOP_MAP_TYPE_RINGBUF		27	/* BPF_MAP_TYPE_RINGBUF */
#define KOP_MAP_TYPE_USER_RINGBUF	31	/* BPF_MAP_TYPE_USER_RINGBUF */
#define KOP_FUNC_ringbuf_output		130
#define KOP_FUNC_dynptr_read		201
#define KOP_FUNC_user_ringbuf_drain	209
#define KOP_RINGBUF_BUSY_BIT		(1U << 31)
#define KOP_RINGBUF_DISCARD_BIT		(1U << 30)
#define KOP_RINGBUF_HDR_SZ		8

/* /proc/pid/pagemap and /proc/kpageflags bits. */
#define PM_PFN_MASK		0x007fffffffffffffULL
#define PM_FILE			(1ULL << 61)
#define PM_PRESENT		(1ULL << 63)
#define KPF_KERNEL_OWNED	27

static long page_size;
static int failures;

/* ---- TAP ---- */

static int test_no;

static void tap_result(bool ok, const char *name)
{
	printf("%s %d - %s\n", ok ? "ok" : "not ok", ++test_no, name);
	if (!ok)
		failures++;
	fflush(stdout);
}

static void tap_skip(const char *name, const char *why)
{
	printf("ok %d - %s # SKIP %s\n", ++test_no, name, why);
	fflush(stdout);
}

/* Diagnostics: why a case failed. */
static void diag(const char *fmt, ...)
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

/* ---- bpf() ---- */

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int map_create(unsigned int type, unsigned int key_size,
		      unsigned int value_size, unsigned int max_entries,
		      unsigned int flags)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = type;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	attr.map_flags = flags;
	return sys_bpf(BPF_MAP_CREATE, &attr);
}

static int ringbuf_create(unsigned int type, unsigned int data_pages)
{
	return map_create(type, 0, 0, data_pages * page_size, 0);
}

static int map_lookup(int fd, uint32_t key, void *value)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = (uintptr_t)&key;
	attr.value = (uintptr_t)value;
	return sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr);
}

static int map_update(int fd, uint32_t key, const void *value)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = (uintptr_t)&key;
	attr.value = (uintptr_t)value;
	attr.flags = BPF_ANY;
	return sys_bpf(BPF_MAP_UPDATE_ELEM, &attr);
}

static int map_freeze(int fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	return sys_bpf(BPF_MAP_FREEZE, &attr);
}

static uint32_t map_id(int fd)
{
	struct bpf_map_info info;
	union bpf_attr attr;

	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (uintptr_t)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr))
		return 0;
	return info.id;
}

/*
 * Whether the map with @id still exists.  A VMA holds the map through its
 * file, and the map's ID is released as soon as its last reference is
 * dropped, so this tells whether a mapping kept the map alive.  Polls for
 * up to two seconds for "gone", since the last fput() may be deferred.
 */
static bool map_id_exists(uint32_t id, bool want)
{
	union bpf_attr attr;
	int i, fd;

	for (i = 0; i < 200; i++) {
		memset(&attr, 0, sizeof(attr));
		attr.map_id = id;
		fd = sys_bpf(BPF_MAP_GET_FD_BY_ID, &attr);
		if (fd >= 0)
			close(fd);
		else if (errno != ENOENT)
			diag("BPF_MAP_GET_FD_BY_ID: %s", strerror(errno));
		if ((fd >= 0) == want)
			return want;
		usleep(10000);
	}
	return !want;
}

/* ---- mappings and faults ---- */

static void *map_at(int fd, size_t len, int prot, off_t off)
{
	return mmap(NULL, len, prot, MAP_SHARED, fd, off);
}

/* Whether mmap() fails with @err; says what happened otherwise. */
static bool mmap_fails(int fd, size_t len, int prot, int flags, off_t off,
		       int err)
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
static volatile sig_atomic_t fault_sig;

static void fault_handler(int sig)
{
	fault_sig = sig;
	siglongjmp(fault_jmp, 1);
}

/* The signal a read of @p raises, or 0. */
static int probe_read(const volatile char *p)
{
	fault_sig = 0;
	if (!sigsetjmp(fault_jmp, 1))
		(void)*p;
	return fault_sig;
}

/* The signal a write of @v to @p raises, or 0. */
static int probe_write(volatile char *p, char v)
{
	fault_sig = 0;
	if (!sigsetjmp(fault_jmp, 1))
		*p = v;
	return fault_sig;
}

/* ---- pagemap, kpageflags, kpagecount, /proc/self/mem ---- */

static bool pread_u64(const char *path, off_t off, uint64_t *val)
{
	int fd = open(path, O_RDONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = pread(fd, val, sizeof(*val), off) == sizeof(*val);
	close(fd);
	return ok;
}

static bool have_cap_sys_admin(void)
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
static const char *typed_check_unavailable(void)
{
	if (!have_cap_sys_admin())
		return "PFNs in pagemap need CAP_SYS_ADMIN";
	if (access("/proc/self/pagemap", R_OK))
		return "no /proc/self/pagemap (PROC_PAGE_MONITOR)";
	if (access("/proc/kpageflags", R_OK) || access("/proc/kpagecount", R_OK))
		return "no /proc/kpageflags or /proc/kpagecount";
	return NULL;
}

static bool pfn_of(const void *addr, uint64_t *pfn, uint64_t *pme)
{
	if (!pread_u64("/proc/self/pagemap",
		       (uintptr_t)addr / page_size * sizeof(*pme), pme))
		return false;
	*pfn = *pme & PM_PFN_MASK;
	return true;
}

/*
 * Every page of [@addr, @addr + @nr pages) is present, not a file page in
 * pagemap, typed kernel-owned and mapped with mapcount 0.  If @alias is
 * not 0, page i and page i + @alias (i >= @first) have the same PFN.
 */
static bool pages_typed(const char *what, const char *addr, unsigned long nr,
			unsigned long first, unsigned long alias)
{
	uint64_t pme, pfn, flags, count, pfn2 = 0, pme2;
	unsigned long i, bad = 0;
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
		if (alias && i >= first && i < first + alias) {
			if (!pfn_of(p + alias * page_size, &pfn2, &pme2) ||
			    pfn2 != pfn) {
				diag("%s page %lu: PFN %#llx, alias PFN %#llx",
				     what, i, (unsigned long long)pfn,
				     (unsigned long long)pfn2);
				ok = false;
			}
		}
		if (!pread_u64("/proc/kpageflags", pfn * 8, &flags) ||
		    !pread_u64("/proc/kpagecount", pfn * 8, &count)) {
			diag("%s: cannot read kpageflags/kpagecount", what);
			return false;
		}
		if ((!(flags & (1ULL << KPF_KERNEL_OWNED)) || count ||
		     (pme & PM_FILE)) && bad++ < 3) {
			diag("%s page %lu: kpageflags %#llx (KERNEL_OWNED %s), kpagecount %llu, PM_FILE %s",
			     what, i, (unsigned long long)flags,
			     flags & (1ULL << KPF_KERNEL_OWNED) ? "set" : "clear",
			     (unsigned long long)count,
			     pme & PM_FILE ? "set" : "clear");
			ok = false;
		}
	}
	if (bad)
		diag("%s: %lu of %lu pages not typed with mapcount 0", what,
		     bad, nr);
	return ok && !bad;
}

static ssize_t proc_mem_rw(void *buf, size_t len, const void *addr,
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
static bool proc_mem_matches(const char *addr, size_t len)
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

/* ---- ring buffer layout ---- */

struct rb {
	int fd;
	unsigned long data_pages;
	size_t data_sz;
	/* consumer page, producer page, data, data again: offset 0 on */
	size_t all_len;
};

static bool rb_open(struct rb *rb, unsigned int type, unsigned long data_pages)
{
	rb->data_pages = data_pages;
	rb->data_sz = data_pages * page_size;
	rb->all_len = 2 * page_size + 2 * rb->data_sz;
	rb->fd = ringbuf_create(type, data_pages);
	if (rb->fd < 0)
		diag("BPF_MAP_CREATE(ring buffer, %lu pages): %s", data_pages,
		     strerror(errno));
	return rb->fd >= 0;
}

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const unsigned long rb_sizes[] = { 4, 64 };
#define NR_RB_SIZES	ARRAY_SIZE(rb_sizes)

/* ---- test cases ---- */

static bool t_rb_kern_create(void)
{
	struct rb rb;
	unsigned int i;

	for (i = 0; i < NR_RB_SIZES; i++) {
		CHECK(rb_open(&rb, KOP_MAP_TYPE_RINGBUF, rb_sizes[i]));
		close(rb.fd);
		CHECK(rb_open(&rb, KOP_MAP_TYPE_USER_RINGBUF, rb_sizes[i]));
		close(rb.fd);
	}
	return true;
}

/* Which mmap() calls a kernel-produced ring buffer accepts. */
static bool t_rb_kern_mmap_rules(void)
{
	unsigned int i;
	struct rb rb;
	void *p;

	for (i = 0; i < NR_RB_SIZES; i++) {
		CHECK(rb_open(&rb, KOP_MAP_TYPE_RINGBUF, rb_sizes[i]));
		/* consumer page read/write */
		p = map_at(rb.fd, page_size, PROT_READ | PROT_WRITE, 0);
		CHECK(p != MAP_FAILED);
		munmap(p, page_size);
		/* producer page and data twice, read-only, exactly the max */
		p = map_at(rb.fd, page_size + 2 * rb.data_sz, PROT_READ,
			   page_size);
		CHECK(p != MAP_FAILED);
		munmap(p, page_size + 2 * rb.data_sz);
		/* everything from offset 0, read-only */
		p = map_at(rb.fd, rb.all_len, PROT_READ, 0);
		CHECK(p != MAP_FAILED);
		munmap(p, rb.all_len);
		/* data pages only */
		p = map_at(rb.fd, 2 * rb.data_sz, PROT_READ, 2 * page_size);
		CHECK(p != MAP_FAILED);
		munmap(p, 2 * rb.data_sz);
		/* one page too many, or starting past the end */
		CHECK(mmap_fails(rb.fd, rb.all_len + page_size, PROT_READ,
				 MAP_SHARED, 0, EINVAL));
		CHECK(mmap_fails(rb.fd, 2 * page_size + 2 * rb.data_sz,
				 PROT_READ, MAP_SHARED, page_size, EINVAL));
		CHECK(mmap_fails(rb.fd, page_size, PROT_READ, MAP_SHARED,
				 rb.all_len, EINVAL));
		/* writable: only the consumer page, alone */
		CHECK(mmap_fails(rb.fd, page_size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, page_size, EPERM));
		CHECK(mmap_fails(rb.fd, 2 * page_size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, 0, EPERM));
		CHECK(mmap_fails(rb.fd, page_size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, 2 * page_size, EPERM));
		/* private and executable mappings */
		CHECK(mmap_fails(rb.fd, page_size, PROT_READ, MAP_PRIVATE, 0,
				 EINVAL));
		CHECK(mmap_fails(rb.fd, page_size, PROT_READ | PROT_EXEC,
				 MAP_SHARED, 0, EPERM));
		close(rb.fd);
	}
	return true;
}

/* Consumer page writable, producer and data pages read-only for good. */
static bool t_rb_kern_write_protection(void)
{
	char *cons, *all;
	unsigned long i;
	struct rb rb;

	CHECK(rb_open(&rb, KOP_MAP_TYPE_RINGBUF, 4));
	cons = map_at(rb.fd, page_size, PROT_READ | PROT_WRITE, 0);
	CHECK(cons != MAP_FAILED);
	all = map_at(rb.fd, rb.all_len, PROT_READ, 0);
	CHECK(all != MAP_FAILED);

	/* consumer_pos is at the start of the consumer page */
	CHECK(probe_write(cons, 0) == 0);
	CHECK(probe_write(cons + page_size - 1, 0x5a) == 0);
	CHECK(all[page_size - 1] == 0x5a);
	cons[page_size - 1] = 0;

	/* the read-only mapping: every page refuses writes */
	for (i = 0; i < rb.all_len / page_size; i++)
		CHECK(probe_write(all + i * page_size, 1) == SIGSEGV);
	CHECK(mprotect(all, rb.all_len, PROT_READ | PROT_WRITE) == -1 &&
	      errno == EACCES);

	/* the consumer page can go read-only and back */
	CHECK(mprotect(cons, page_size, PROT_READ) == 0);
	CHECK(probe_write(cons + 8, 1) == SIGSEGV);
	CHECK(mprotect(cons, page_size, PROT_READ | PROT_WRITE) == 0);
	CHECK(probe_write(cons + 8, 1) == 0);
	CHECK(all[8] == 1);
	cons[8] = 0;

	munmap(all, rb.all_len);
	munmap(cons, page_size);
	close(rb.fd);
	return true;
}

/* Both aliases of every data page, and a separate mapping, agree. */
static bool t_rb_kern_double_mapping(void)
{
	char *all, *data;
	unsigned long i;
	struct rb rb;

	CHECK(rb_open(&rb, KOP_MAP_TYPE_RINGBUF, 64));
	all = map_at(rb.fd, rb.all_len, PROT_READ, 0);
	CHECK(all != MAP_FAILED);
	data = map_at(rb.fd, 2 * rb.data_sz, PROT_READ, 2 * page_size);
	CHECK(data != MAP_FAILED);
	for (i = 0; i < rb.data_pages; i++) {
		const char *a = all + (2 + i) * page_size;

		CHECK(!memcmp(a, a + rb.data_sz, page_size));
		CHECK(!memcmp(a, data + i * page_size, page_size));
		CHECK(!memcmp(a, data + rb.data_sz + i * page_size, page_size));
	}
	munmap(data, 2 * rb.data_sz);
	munmap(all, rb.all_len);
	close(rb.fd);
	return true;
}

/* Which mmap() calls a user ring buffer accepts. */
static bool t_rb_user_mmap_rules(void)
{
	unsigned int i;
	struct rb rb;
	void *p;

	for (i = 0; i < NR_RB_SIZES; i++) {
		CHECK(rb_open(&rb, KOP_MAP_TYPE_USER_RINGBUF, rb_sizes[i]));
		/* consumer page: read-only only */
		CHECK(mmap_fails(rb.fd, page_size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, 0, EPERM));
		p = map_at(rb.fd, page_size, PROT_READ, 0);
		CHECK(p != MAP_FAILED);
		munmap(p, page_size);
		/* producer page and data twice, read/write */
		p = map_at(rb.fd, page_size + 2 * rb.data_sz,
			   PROT_READ | PROT_WRITE, page_size);
		CHECK(p != MAP_FAILED);
		munmap(p, page_size + 2 * rb.data_sz);
		CHECK(mmap_fails(rb.fd, 2 * page_size + 2 * rb.data_sz,
				 PROT_READ | PROT_WRITE, MAP_SHARED, page_size,
				 EINVAL));
		/* everything read-only from offset 0 */
		p = map_at(rb.fd, rb.all_len, PROT_READ, 0);
		CHECK(p != MAP_FAILED);
		munmap(p, rb.all_len);
		CHECK(mmap_fails(rb.fd, page_size, PROT_READ, MAP_PRIVATE,
				 page_size, EINVAL));
		close(rb.fd);
	}
	return true;
}

/* A user ring buffer: writes through one alias show through the other. */
static bool t_rb_user_double_mapping(void)
{
	char *cons, *prod, *data, *all;
	unsigned long i;
	struct rb rb;

	CHECK(rb_open(&rb, KOP_MAP_TYPE_USER_RINGBUF, 64));
	cons = map_at(rb.fd, page_size, PROT_READ, 0);
	CHECK(cons != MAP_FAILED);
	prod = map_at(rb.fd, page_size + 2 * rb.data_sz,
		      PROT_READ | PROT_WRITE, page_size);
	CHECK(prod != MAP_FAILED);
	all = map_at(rb.fd, rb.all_len, PROT_READ, 0);
	CHECK(all != MAP_FAILED);
	data = prod + page_size;

	CHECK(probe_write(cons, 1) == SIGSEGV);
	for (i = 0; i < rb.data_pages; i++) {
		char *a = data + i * page_size, *b = a + rb.data_sz;

		memset(a, 0x40 + (i & 0x3f), page_size);
		CHECK(b[0] == (char)(0x40 + (i & 0x3f)));
		CHECK(b[page_size - 1] == (char)(0x40 + (i & 0x3f)));
		b[i % page_size] = 0x11;
		CHECK(a[i % page_size] == 0x11);
		CHECK(!memcmp(a, all + (2 + i) * page_size, page_size));
		CHECK(!memcmp(a, all + (2 + i) * page_size + rb.data_sz,
			      page_size));
	}
	/* the producer page too */
	prod[0] = 0x22;
	CHECK(all[page_size] == 0x22);
	prod[0] = 0;

	munmap(all, rb.all_len);
	munmap(prod, page_size + 2 * rb.data_sz);
	munmap(cons, page_size);
	close(rb.fd);
	return true;
}

/* Every mappable page is typed kernel-owned, mapcount 0, aliases shared. */
static bool t_rb_pages_typed(void)
{
	static const unsigned int types[] = {
		KOP_MAP_TYPE_RINGBUF, KOP_MAP_TYPE_USER_RINGBUF,
	};
	unsigned int t;
	struct rb rb;
	char *all;
	bool ok;

	for (t = 0; t < 2; t++) {
		CHECK(rb_open(&rb, types[t], 64));
		all = map_at(rb.fd, rb.all_len, PROT_READ, 0);
		CHECK(all != MAP_FAILED);
		/* nothing faulted in: mapped at mmap() time */
		ok = pages_typed(t ? "user ring buffer" : "ring buffer", all,
				 rb.all_len / page_size, 2, rb.data_pages);
		munmap(all, rb.all_len);
		close(rb.fd);
		if (!ok)
			return false;
	}
	return true;
}

/* PROT_NONE maps, faults, and mprotect(PROT_READ) shows the pages. */
static bool t_rb_prot_none(void)
{
	char *none, *prod;
	struct rb rb;

	CHECK(rb_open(&rb, KOP_MAP_TYPE_USER_RINGBUF, 4));
	prod = map_at(rb.fd, page_size + 2 * rb.data_sz,
		      PROT_READ | PROT_WRITE, page_size);
	CHECK(prod != MAP_FAILED);
	memset(prod + page_size, 0x33, rb.data_sz);
	none = map_at(rb.fd, rb.all_len, PROT_NONE, 0);
	CHECK(none != MAP_FAILED);
	CHECK(probe_read(none + 2 * page_size) == SIGSEGV);
	CHECK(mprotect(none, rb.all_len, PROT_READ) == 0);
	CHECK(none[2 * page_size] == 0x33);
	CHECK(none[2 * page_size + 2 * rb.data_sz - 1] == 0x33);
	CHECK(mprotect(none, rb.all_len, PROT_READ | PROT_WRITE) == -1 &&
	      errno == EACCES);
	munmap(none, rb.all_len);
	munmap(prod, page_size + 2 * rb.data_sz);
	close(rb.fd);
	return true;
}

/* A user ring buffer with a pattern written through its data mapping. */
static bool rb_user_with_pattern(struct rb *rb, char **prod, char pat)
{
	if (!rb_open(rb, KOP_MAP_TYPE_USER_RINGBUF, 4))
		return false;
	*prod = map_at(rb->fd, page_size + 2 * rb->data_sz,
		       PROT_READ | PROT_WRITE, page_size);
	if (*prod == MAP_FAILED) {
		close(rb->fd);
		return false;
	}
	memset(*prod + page_size, pat, rb->data_sz);
	return true;
}

static bool data_is(const char *data, size_t len, char pat)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (data[i] != pat)
			return false;
	return true;
}

static bool t_teardown_munmap_then_close(void)
{
	struct rb rb;
	uint32_t id;
	char *prod;

	CHECK(rb_user_with_pattern(&rb, &prod, 0x44));
	id = map_id(rb.fd);
	CHECK(id);
	CHECK(munmap(prod, page_size + 2 * rb.data_sz) == 0);
	CHECK(map_id_exists(id, true));
	close(rb.fd);
	CHECK(!map_id_exists(id, false));
	return true;
}

/* The mapping keeps the map, and its pages, after the last fd is closed. */
static bool t_teardown_close_then_munmap(void)
{
	struct rb rb;
	uint32_t id;
	char *prod;

	CHECK(rb_user_with_pattern(&rb, &prod, 0x45));
	id = map_id(rb.fd);
	CHECK(id);
	close(rb.fd);
	CHECK(map_id_exists(id, true));
	CHECK(data_is(prod + page_size, 2 * rb.data_sz, 0x45));
	memset(prod + page_size, 0x46, rb.data_sz);
	CHECK(data_is(prod + page_size + rb.data_sz, rb.data_sz, 0x46));
	CHECK(munmap(prod, page_size + 2 * rb.data_sz) == 0);
	CHECK(!map_id_exists(id, false));
	return true;
}

/* A forked child's copy of the mapping outlives the parent's. */
static bool t_teardown_fork(void)
{
	int go[2], status;
	struct rb rb;
	uint32_t id;
	char *prod;
	pid_t pid;
	char c;

	CHECK(rb_user_with_pattern(&rb, &prod, 0x47));
	id = map_id(rb.fd);
	CHECK(id);

	/* 1: the child reads and exits while the parent still maps */
	pid = fork();
	CHECK(pid >= 0);
	if (!pid)
		_exit(data_is(prod + page_size, 2 * rb.data_sz, 0x47) ? 0 : 1);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(data_is(prod + page_size, 2 * rb.data_sz, 0x47));

	/* 2: the parent unmaps and closes first; the child's copy holds */
	CHECK(pipe(go) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		close(go[1]);
		close(rb.fd);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		if (!data_is(prod + page_size, 2 * rb.data_sz, 0x47))
			_exit(1);
		memset(prod + page_size, 0x48, rb.data_sz);
		_exit(data_is(prod + page_size + rb.data_sz, rb.data_sz,
			      0x48) ? 0 : 1);
	}
	close(go[0]);
	CHECK(munmap(prod, page_size + 2 * rb.data_sz) == 0);
	close(rb.fd);
	CHECK(map_id_exists(id, true));
	CHECK(write(go[1], "x", 1) == 1);
	close(go[1]);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(!map_id_exists(id, false));
	return true;
}

/* A process that exits with the map mapped (and its fd closed). */
static bool t_teardown_exit_mapped(void)
{
	int ids[2], status;
	struct rb rb;
	uint32_t id;
	char *prod;
	pid_t pid;

	CHECK(pipe(ids) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		close(ids[0]);
		if (!rb_user_with_pattern(&rb, &prod, 0x49))
			_exit(1);
		id = map_id(rb.fd);
		close(rb.fd);
		if (write(ids[1], &id, sizeof(id)) != sizeof(id))
			_exit(1);
		_exit(data_is(prod + page_size, 2 * rb.data_sz, 0x49) ? 0 : 1);
	}
	close(ids[1]);
	CHECK(read(ids[0], &id, sizeof(id)) == sizeof(id));
	close(ids[0]);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(id);
	CHECK(!map_id_exists(id, false));
	return true;
}

static int array_create(unsigned int value_size, unsigned int max_entries,
			unsigned int flags)
{
	return map_create(BPF_MAP_TYPE_ARRAY, 4, value_size, max_entries,
			  BPF_F_MMAPABLE | flags);
}

/* /proc/self/mem reads every kind of page exactly as the mapping shows. */
static bool t_proc_self_mem_read(void)
{
	char *cons, *all, *prod, *arr;
	struct rb krb, urb;
	int afd;

	CHECK(rb_open(&krb, KOP_MAP_TYPE_RINGBUF, 4));
	cons = map_at(krb.fd, page_size, PROT_READ | PROT_WRITE, 0);
	CHECK(cons != MAP_FAILED);
	all = map_at(krb.fd, krb.all_len, PROT_READ, 0);
	CHECK(all != MAP_FAILED);
	memset(cons + 64, 0x51, 64);
	CHECK(proc_mem_matches(cons, page_size));
	CHECK(proc_mem_matches(all, krb.all_len));

	CHECK(rb_user_with_pattern(&urb, &prod, 0x52));
	prod[page_size + urb.data_sz - 8] = 0x53;
	/* a read across the end of the data and into the second alias */
	CHECK(proc_mem_matches(prod + page_size + urb.data_sz - 16, 32));
	CHECK(proc_mem_matches(prod, page_size + 2 * urb.data_sz));

	afd = array_create(8, 1024, 0);
	CHECK(afd >= 0);
	arr = map_at(afd, 2 * page_size, PROT_READ | PROT_WRITE, 0);
	CHECK(arr != MAP_FAILED);
	memset(arr, 0x54, 2 * page_size);
	CHECK(proc_mem_matches(arr, 2 * page_size));

	munmap(arr, 2 * page_size);
	close(afd);
	munmap(prod, page_size + 2 * urb.data_sz);
	close(urb.fd);
	munmap(all, krb.all_len);
	munmap(cons, page_size);
	close(krb.fd);
	return true;
}

/* /proc/self/mem writes only where the mapping is writable. */
static bool t_proc_self_mem_write(void)
{
	char *cons, *all, *prod, *arr;
	char buf[16] = "kernel-owned!";
	struct rb krb, urb;
	uint64_t val;
	int afd;

	CHECK(rb_open(&krb, KOP_MAP_TYPE_RINGBUF, 4));
	cons = map_at(krb.fd, page_size, PROT_READ | PROT_WRITE, 0);
	CHECK(cons != MAP_FAILED);
	all = map_at(krb.fd, krb.all_len, PROT_READ, 0);
	CHECK(all != MAP_FAILED);
	/* the consumer page: writable, before user space ever wrote it */
	CHECK(proc_mem_rw(buf, sizeof(buf), cons + 128, true) == sizeof(buf));
	CHECK(!memcmp(all + 128, buf, sizeof(buf)));
	memset(cons + 128, 0, sizeof(buf));
	/* producer and data pages: read-only mapping, forced write refused */
	CHECK(proc_mem_rw(buf, sizeof(buf), all + page_size, true) == -1 &&
	      errno == EIO);
	CHECK(proc_mem_rw(buf, sizeof(buf), all + 2 * page_size, true) == -1 &&
	      errno == EIO);
	CHECK(data_is(all + page_size + 64, 64, 0));

	CHECK(rb_user_with_pattern(&urb, &prod, 0));
	CHECK(proc_mem_rw(buf, sizeof(buf), prod + page_size + 256, true) ==
	      sizeof(buf));
	CHECK(!memcmp(prod + page_size + urb.data_sz + 256, buf, sizeof(buf)));

	afd = array_create(8, 1024, 0);
	CHECK(afd >= 0);
	arr = map_at(afd, 2 * page_size, PROT_READ | PROT_WRITE, 0);
	CHECK(arr != MAP_FAILED);
	val = 0x0123456789abcdefULL;
	CHECK(proc_mem_rw(&val, sizeof(val), arr + 8 * 700, true) ==
	      sizeof(val));
	val = 0;
	CHECK(map_lookup(afd, 700, &val) == 0);
	CHECK(val == 0x0123456789abcdefULL);

	munmap(arr, 2 * page_size);
	close(afd);
	munmap(prod, page_size + 2 * urb.data_sz);
	close(urb.fd);
	munmap(all, krb.all_len);
	munmap(cons, page_size);
	close(krb.fd);
	return true;
}

/*
 * Delta: GUP with FOLL_FORCE read a PROT_NONE mapping of the old
 * refcounted pages; vm_access_kernel_owned() refuses a VMA without access.
 */
static bool t_proc_mem_prot_none_refused(void)
{
	struct rb rb;
	char buf[8];
	char *none;
	ssize_t ret;

	CHECK(rb_open(&rb, KOP_MAP_TYPE_RINGBUF, 4));
	none = map_at(rb.fd, rb.all_len, PROT_NONE, 0);
	CHECK(none != MAP_FAILED);
	errno = 0;
	ret = proc_mem_rw(buf, sizeof(buf), none + 2 * page_size, false);
	munmap(none, rb.all_len);
	close(rb.fd);
	if (ret != -1 || errno != EIO)
		diag("/proc/self/mem read of a PROT_NONE mapping returned %zd (errno %d)",
		     ret, errno);
	CHECK(ret == -1 && errno == EIO);
	return true;
}

/* process_vm_readv() falls back to ->access; skipped without it. */
static int t_process_vm_readv(const char **why)
{
	char *prod, *arr, buf[64];
	struct iovec local, remote;
	struct rb rb;
	ssize_t ret;
	int afd;

	if (!rb_user_with_pattern(&rb, &prod, 0x61))
		return 0;
	local.iov_base = buf;
	local.iov_len = sizeof(buf);
	remote.iov_base = prod + page_size + rb.data_sz - 32;
	remote.iov_len = sizeof(buf);
	ret = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	if (ret < 0 && errno == ENOSYS) {
		*why = "process_vm_readv() not supported (CROSS_MEMORY_ATTACH)";
		munmap(prod, page_size + 2 * rb.data_sz);
		close(rb.fd);
		return -1;
	}
	if (ret != sizeof(buf) || !data_is(buf, sizeof(buf), 0x61)) {
		diag("process_vm_readv() of a ring buffer: %zd (%s)", ret,
		     strerror(errno));
		return 0;
	}
	munmap(prod, page_size + 2 * rb.data_sz);
	close(rb.fd);

	afd = array_create(4096, 3, 0);
	if (afd < 0)
		return 0;
	arr = map_at(afd, 3 * page_size, PROT_READ | PROT_WRITE, 0);
	if (arr == MAP_FAILED)
		return 0;
	memset(arr + page_size, 0x62, page_size);
	remote.iov_base = arr + page_size;
	ret = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	munmap(arr, 3 * page_size);
	close(afd);
	if (ret != sizeof(buf) || !data_is(buf, sizeof(buf), 0x62)) {
		diag("process_vm_readv() of an array: %zd (%s)", ret,
		     strerror(errno));
		return 0;
	}
	return 1;
}

/* Delta: GUP refuses the pages, so vmsplice() fails with EFAULT. */
static bool t_gup_vmsplice_refused(void)
{
	struct iovec iov;
	char *all, *arr;
	int pfd[2], afd;
	struct rb rb;
	ssize_t ret;

	CHECK(rb_open(&rb, KOP_MAP_TYPE_RINGBUF, 4));
	all = map_at(rb.fd, rb.all_len, PROT_READ, 0);
	CHECK(all != MAP_FAILED);
	afd = array_create(8, 1024, 0);
	CHECK(afd >= 0);
	arr = map_at(afd, 2 * page_size, PROT_READ | PROT_WRITE, 0);
	CHECK(arr != MAP_FAILED);
	CHECK(pipe(pfd) == 0);

	iov.iov_base = all + 2 * page_size;
	iov.iov_len = page_size;
	ret = vmsplice(pfd[1], &iov, 1, SPLICE_F_NONBLOCK);
	if (ret >= 0)
		diag("vmsplice() of ring buffer data succeeded (%zd bytes)",
		     ret);
	CHECK(ret == -1 && errno == EFAULT);
	iov.iov_base = arr;
	ret = vmsplice(pfd[1], &iov, 1, SPLICE_F_NONBLOCK);
	if (ret >= 0)
		diag("vmsplice() of array values succeeded (%zd bytes)", ret);
	CHECK(ret == -1 && errno == EFAULT);

	close(pfd[0]);
	close(pfd[1]);
	munmap(arr, 2 * page_size);
	close(afd);
	munmap(all, rb.all_len);
	close(rb.fd);
	return true;
}

struct array_case {
	unsigned int value_size, max_entries;
};

static const struct array_case array_cases[] = {
	{ 8, 1024 },	/* two pages of 8-byte values */
	{ 4096, 3 },	/* one page per value */
};

static size_t array_len(const struct array_case *ac)
{
	size_t len = (size_t)ac->value_size * ac->max_entries;

	return (len + page_size - 1) / page_size * page_size;
}

/* Writes through the mapping show in lookups and vice versa. */
static bool t_array_mmap_lookup(void)
{
	unsigned int i, k;
	char *p, *q, *val;
	size_t len;
	int fd;

	for (i = 0; i < 2; i++) {
		const struct array_case *ac = &array_cases[i];

		len = array_len(ac);
		fd = array_create(ac->value_size, ac->max_entries, 0);
		CHECK(fd >= 0);
		val = calloc(1, ac->value_size);
		CHECK(val);
		p = map_at(fd, len, PROT_READ | PROT_WRITE, 0);
		CHECK(p != MAP_FAILED);
		for (k = 0; k < ac->max_entries; k++)
			memset(p + (size_t)k * ac->value_size, k & 0x7f,
			       ac->value_size);
		for (k = 0; k < ac->max_entries; k++) {
			CHECK(map_lookup(fd, k, val) == 0);
			CHECK(data_is(val, ac->value_size, k & 0x7f));
		}
		memset(val, 0x7e, ac->value_size);
		CHECK(map_update(fd, ac->max_entries - 1, val) == 0);
		CHECK(data_is(p + (size_t)(ac->max_entries - 1) * ac->value_size,
			      ac->value_size, 0x7e));
		/* a second mapping from the second page on */
		q = map_at(fd, len - page_size, PROT_READ, page_size);
		CHECK(q != MAP_FAILED);
		CHECK(!memcmp(q, p + page_size, len - page_size));
		munmap(q, len - page_size);
		/* past the values */
		CHECK(mmap_fails(fd, len + page_size, PROT_READ, MAP_SHARED,
				 0, EINVAL));
		CHECK(mmap_fails(fd, page_size, PROT_READ, MAP_SHARED, len,
				 EINVAL));
		CHECK(mmap_fails(fd, page_size, PROT_READ, MAP_PRIVATE, 0,
				 EINVAL));
		munmap(p, len);
		free(val);
		close(fd);
	}
	return true;
}

/* BPF_MAP_FREEZE and mmap(): the write-count rules. */
static bool t_array_freeze_rules(void)
{
	uint64_t val = 1;
	char *rw, *ro;
	int fd;

	fd = array_create(8, 1024, 0);
	CHECK(fd >= 0);
	rw = map_at(fd, 2 * page_size, PROT_READ | PROT_WRITE, 0);
	CHECK(rw != MAP_FAILED);
	CHECK(map_freeze(fd) == -1 && errno == EBUSY);
	rw[0] = 0x71;
	CHECK(munmap(rw, 2 * page_size) == 0);
	/* a read-only mapping does not hold off the freeze */
	ro = map_at(fd, 2 * page_size, PROT_READ, 0);
	CHECK(ro != MAP_FAILED);
	CHECK(map_freeze(fd) == 0);
	CHECK(ro[0] == 0x71);
	CHECK(mprotect(ro, 2 * page_size, PROT_READ | PROT_WRITE) == -1 &&
	      errno == EACCES);
	CHECK(probe_write(ro, 1) == SIGSEGV);
	CHECK(mmap_fails(fd, 2 * page_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, 0, EPERM));
	CHECK(map_update(fd, 0, &val) == -1 && errno == EPERM);
	munmap(ro, 2 * page_size);
	close(fd);

	/* read-only for programs: never mapped writable */
	fd = array_create(8, 1024, BPF_F_RDONLY_PROG);
	CHECK(fd >= 0);
	CHECK(mmap_fails(fd, 2 * page_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, 0, EACCES));
	ro = map_at(fd, 2 * page_size, PROT_READ, 0);
	CHECK(ro != MAP_FAILED);
	munmap(ro, 2 * page_size);
	close(fd);
	return true;
}

/* fork() copies a writable VMA, which holds off the freeze until exit. */
static bool t_array_freeze_fork(void)
{
	int go[2], status, fd;
	pid_t pid;
	char *rw;
	char c;

	fd = array_create(8, 1024, 0);
	CHECK(fd >= 0);
	rw = map_at(fd, 2 * page_size, PROT_READ | PROT_WRITE, 0);
	CHECK(rw != MAP_FAILED);
	CHECK(pipe(go) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		rw[8] = 0x72;
		_exit(0);
	}
	close(go[0]);
	CHECK(munmap(rw, 2 * page_size) == 0);
	CHECK(map_freeze(fd) == -1 && errno == EBUSY);
	CHECK(write(go[1], "x", 1) == 1);
	close(go[1]);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(map_freeze(fd) == 0);
	rw = map_at(fd, 2 * page_size, PROT_READ, 0);
	CHECK(rw != MAP_FAILED);
	CHECK(rw[8] == 0x72);
	munmap(rw, 2 * page_size);
	close(fd);
	return true;
}

static bool t_array_pages_typed(void)
{
	unsigned int i;
	size_t len;
	bool ok;
	char *p;
	int fd;

	for (i = 0; i < 2; i++) {
		len = array_len(&array_cases[i]);
		fd = array_create(array_cases[i].value_size,
				  array_cases[i].max_entries, 0);
		CHECK(fd >= 0);
		p = map_at(fd, len, PROT_READ | PROT_WRITE, 0);
		CHECK(p != MAP_FAILED);
		ok = pages_typed("array", p, len / page_size, 0, 0);
		munmap(p, len);
		close(fd);
		if (!ok)
			return false;
	}
	return true;
}

/* ---- hand-assembled programs ---- */

#define INSN(c, d, s, o, i) ((struct bpf_insn) {			\
	.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV64_IMM(d, i)		INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s)		INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD64_IMM(d, i)		INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define ST_DW(d, o, i)		INSN(BPF_ST | BPF_MEM | BPF_DW, d, 0, o, i)
#define LDX_DW(d, s, o)		INSN(BPF_LDX | BPF_MEM | BPF_DW, d, s, o, 0)
#define CALL(f)			INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT()			INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define JNE_IMM(d, i, o)	INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define JNE_REG(d, s, o)	INSN(BPF_JMP | BPF_JNE | BPF_X, d, s, o, 0)
/* 64-bit immediate loads take two instructions */
#define LD_IMM64_LO(d, s, i)	INSN(BPF_LD | BPF_DW | BPF_IMM, d, s, 0, i)
#define LD_IMM64_HI(i)		INSN(0, 0, 0, 0, i)

#define R0 0
#define R1 1
#define R2 2
#define R3 3
#define R4 4
#define R5 5
#define R6 6
#define R10 10

static char prog_log[65536];

/*
 * Callbacks need BTF function info: a minimal BTF with "int main(void *ctx)"
 * (id 4) and a static "int cb(void *dynptr, void *ctx)" (id 6).
 */
#define KOP_BTF_INFO(kind, vlen)	(((kind) << 24) | (vlen))

static int btf_load_main_and_cb(void)
{
	static const char strs[] = "\0int\0main\0cb\0ctx\0dynptr";
	__u32 types[32], *t = types;
	struct btf_header hdr;
	union bpf_attr attr;
	char btf[sizeof(hdr) + sizeof(types) + sizeof(strs)];
	size_t len;

	/* 1: int */
	*t++ = 1;
	*t++ = KOP_BTF_INFO(BTF_KIND_INT, 0);
	*t++ = 4;
	*t++ = (BTF_INT_SIGNED << 24) | 32;
	/* 2: void * */
	*t++ = 0;
	*t++ = KOP_BTF_INFO(BTF_KIND_PTR, 0);
	*t++ = 0;
	/* 3: int (void *ctx) */
	*t++ = 0;
	*t++ = KOP_BTF_INFO(BTF_KIND_FUNC_PROTO, 1);
	*t++ = 1;
	*t++ = 14;
	*t++ = 2;
	/* 4: main, global */
	*t++ = 5;
	*t++ = KOP_BTF_INFO(BTF_KIND_FUNC, BTF_FUNC_GLOBAL);
	*t++ = 3;
	/* 5: int (void *dynptr, void *ctx) */
	*t++ = 0;
	*t++ = KOP_BTF_INFO(BTF_KIND_FUNC_PROTO, 2);
	*t++ = 1;
	*t++ = 18;
	*t++ = 2;
	*t++ = 14;
	*t++ = 2;
	/* 6: cb, static */
	*t++ = 10;
	*t++ = KOP_BTF_INFO(BTF_KIND_FUNC, BTF_FUNC_STATIC);
	*t++ = 5;
	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = BTF_MAGIC;
	hdr.version = BTF_VERSION;
	hdr.hdr_len = sizeof(hdr);
	hdr.type_off = 0;
	hdr.type_len = (t - types) * sizeof(*t);
	hdr.str_off = hdr.type_len;
	hdr.str_len = sizeof(strs);
	memcpy(btf, &hdr, sizeof(hdr));
	memcpy(btf + sizeof(hdr), types, hdr.type_len);
	memcpy(btf + sizeof(hdr) + hdr.type_len, strs, sizeof(strs));
	len = sizeof(hdr) + hdr.type_len + sizeof(strs);

	memset(&attr, 0, sizeof(attr));
	attr.btf = (uintptr_t)btf;
	attr.btf_size = len;
	attr.btf_log_buf = (uintptr_t)prog_log;
	attr.btf_log_size = sizeof(prog_log);
	attr.btf_log_level = 1;
	prog_log[0] = 0;
	return sys_bpf(BPF_BTF_LOAD, &attr);
}

static int prog_load_btf(const struct bpf_insn *insns, unsigned int cnt,
			 int btf_fd, const struct bpf_func_info *fi,
			 unsigned int nr_fi)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = cnt;
	attr.license = (uintptr_t)"GPL";
	if (btf_fd >= 0) {
		attr.prog_btf_fd = btf_fd;
		attr.func_info = (uintptr_t)fi;
		attr.func_info_cnt = nr_fi;
		attr.func_info_rec_size = sizeof(*fi);
	}
	attr.log_buf = (uintptr_t)prog_log;
	attr.log_size = sizeof(prog_log);
	attr.log_level = 1;
	prog_log[0] = 0;
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd < 0 && errno == ENOSPC) {
		/* log too small: load again without it */
		attr.log_buf = 0;
		attr.log_size = 0;
		attr.log_level = 0;
		fd = sys_bpf(BPF_PROG_LOAD, &attr);
	}
	return fd;
}

static int prog_load(const struct bpf_insn *insns, unsigned int cnt)
{
	return prog_load_btf(insns, cnt, -1, NULL, 0);
}

/* Run once on a zero packet; the program's return value, or -1. */
static long long prog_run(int prog_fd)
{
	unsigned char pkt[64];
	union bpf_attr attr;

	memset(pkt, 0, sizeof(pkt));
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = prog_fd;
	attr.test.data_in = (uintptr_t)pkt;
	attr.test.data_size_in = sizeof(pkt);
	attr.test.repeat = 1;
	if (sys_bpf(BPF_PROG_TEST_RUN, &attr))
		return -1;
	return attr.test.retval;
}

#define REC_LEN		200			/* payload bytes */
#define REC_TOTAL	(KOP_RINGBUF_HDR_SZ + REC_LEN)	/* multiple of 8 */

static uint32_t pattern(unsigned int k)
{
	return 0x5a000000 | (k << 8) | k;
}

/*
 * A program writes records with bpf_ringbuf_output(); user space reads them
 * through the data mapping, records wrapping around the end contiguously
 * through the second alias, and advances consumer_pos through the consumer
 * page, which the kernel must see for the ring not to fill up.
 */
static int t_prog_ringbuf_output(const char **why)
{
	struct bpf_insn insns[40];
	unsigned int n = 0, k, r;
	char *cons, *prod, *data;
	volatile unsigned long *cons_pos;
	const unsigned long *prod_pos;
	unsigned long pos = 0;
	bool wrapped = false;
	int prog, ret = 0;
	long long rv;
	struct rb rb;

	if (!rb_open(&rb, KOP_MAP_TYPE_RINGBUF, 4))
		return 0;
	for (k = 0; k < REC_LEN / 8; k++)
		insns[n++] = ST_DW(R10, -REC_LEN + 8 * k, pattern(k));
	insns[n++] = LD_IMM64_LO(R1, BPF_PSEUDO_MAP_FD, rb.fd);
	insns[n++] = LD_IMM64_HI(0);
	insns[n++] = MOV64_REG(R2, R10);
	insns[n++] = ADD64_IMM(R2, -REC_LEN);
	insns[n++] = MOV64_IMM(R3, REC_LEN);
	insns[n++] = MOV64_IMM(R4, 0);
	insns[n++] = CALL(KOP_FUNC_ringbuf_output);
	insns[n++] = EXIT();
	prog = prog_load(insns, n);
	if (prog < 0) {
		diag("BPF_PROG_LOAD: %s; log: %.200s", strerror(errno),
		     prog_log);
		*why = "cannot load a socket filter calling bpf_ringbuf_output()";
		close(rb.fd);
		return -1;
	}

	cons = map_at(rb.fd, page_size, PROT_READ | PROT_WRITE, 0);
	prod = map_at(rb.fd, page_size + 2 * rb.data_sz, PROT_READ, page_size);
	if (cons == MAP_FAILED || prod == MAP_FAILED)
		goto out;
	cons_pos = (volatile unsigned long *)cons;
	prod_pos = (const unsigned long *)prod;
	data = prod + page_size;

	/* enough records for one to wrap around the end */
	for (r = 0; r < rb.data_sz / REC_TOTAL + 2; r++) {
		const char *rec;
		uint32_t hdr;
		uint64_t v;

		rv = prog_run(prog);
		if (rv) {
			diag("record %u: test run returned %lld (%s)", r, rv,
			     rv == -1 ? strerror(errno) : "helper error");
			goto out;
		}
		if (__atomic_load_n(prod_pos, __ATOMIC_ACQUIRE) !=
		    pos + REC_TOTAL) {
			diag("record %u: producer_pos %lu, expected %lu", r,
			     *prod_pos, pos + REC_TOTAL);
			goto out;
		}
		rec = data + (pos & (rb.data_sz - 1));
		hdr = __atomic_load_n((const uint32_t *)rec, __ATOMIC_ACQUIRE);
		if (hdr != REC_LEN) {
			diag("record %u: header %#x", r, hdr);
			goto out;
		}
		if ((pos & (rb.data_sz - 1)) + REC_TOTAL > rb.data_sz)
			wrapped = true;
		for (k = 0; k < REC_LEN / 8; k++) {
			memcpy(&v, rec + KOP_RINGBUF_HDR_SZ + 8 * k, 8);
			if (v != pattern(k)) {
				diag("record %u word %u: %#llx", r, k,
				     (unsigned long long)v);
				goto out;
			}
		}
		pos += REC_TOTAL;
		/* consumed: the kernel reads consumer_pos from this page */
		__atomic_store_n(cons_pos, pos, __ATOMIC_RELEASE);
	}
	if (!wrapped) {
		diag("no record wrapped around the end");
		goto out;
	}
	ret = 1;
out:
	if (cons != MAP_FAILED)
		munmap(cons, page_size);
	if (prod != MAP_FAILED)
		munmap(prod, page_size + 2 * rb.data_sz);
	close(prog);
	close(rb.fd);
	return ret;
}

/*
 * User space writes records through the producer and data mapping of a
 * user ring buffer, some wrapping around the end through the second alias;
 * a program drains them with bpf_user_ringbuf_drain(), its callback
 * checking the first and the last word of each.  The kernel's
 * consumer_pos shows through the read-only consumer page.
 */
static int t_prog_user_ringbuf_drain(const char **why)
{
	const uint64_t pat0 = 0x1122334455667788ULL, pat1 = 0x99aabbccddeeff00ULL;
	struct bpf_insn insns[48];
	unsigned int n = 0, bad, j1, j2, j3, j4, r, round;
	struct bpf_func_info fi[2] = { { 0, 4 }, { 8, 6 } };
	const volatile unsigned long *cons_pos;
	unsigned long *prod_pos, pos = 0;
	char *cons, *prod, *data;
	int prog, btf, ret = 0;
	bool wrapped = false;
	long long rv;
	struct rb rb;

	if (!rb_open(&rb, KOP_MAP_TYPE_USER_RINGBUF, 4))
		return 0;
	/* main: r0 = bpf_user_ringbuf_drain(map, cb, NULL, 0) */
	insns[n++] = LD_IMM64_LO(R1, BPF_PSEUDO_MAP_FD, rb.fd);
	insns[n++] = LD_IMM64_HI(0);
	insns[n++] = LD_IMM64_LO(R2, BPF_PSEUDO_FUNC, 5);	/* cb: insn 8 */
	insns[n++] = LD_IMM64_HI(0);
	insns[n++] = MOV64_IMM(R3, 0);
	insns[n++] = MOV64_IMM(R4, 0);
	insns[n++] = CALL(KOP_FUNC_user_ringbuf_drain);
	insns[n++] = EXIT();
	/* cb(dynptr): 0 if words 0 and REC_LEN / 8 - 1 match, else 1 */
	insns[n++] = MOV64_REG(R6, R1);
	insns[n++] = MOV64_REG(R1, R10);
	insns[n++] = ADD64_IMM(R1, -8);
	insns[n++] = MOV64_IMM(R2, 8);
	insns[n++] = MOV64_REG(R3, R6);
	insns[n++] = MOV64_IMM(R4, 0);
	insns[n++] = MOV64_IMM(R5, 0);
	insns[n++] = CALL(KOP_FUNC_dynptr_read);
	j1 = n;
	insns[n++] = JNE_IMM(R0, 0, 0);
	insns[n++] = LDX_DW(R1, R10, -8);
	insns[n++] = LD_IMM64_LO(R2, 0, (uint32_t)pat0);
	insns[n++] = LD_IMM64_HI((uint32_t)(pat0 >> 32));
	j2 = n;
	insns[n++] = JNE_REG(R1, R2, 0);
	insns[n++] = MOV64_REG(R1, R10);
	insns[n++] = ADD64_IMM(R1, -8);
	insns[n++] = MOV64_IMM(R2, 8);
	insns[n++] = MOV64_REG(R3, R6);
	insns[n++] = MOV64_IMM(R4, REC_LEN - 8);
	insns[n++] = MOV64_IMM(R5, 0);
	insns[n++] = CALL(KOP_FUNC_dynptr_read);
	j3 = n;
	insns[n++] = JNE_IMM(R0, 0, 0);
	insns[n++] = LDX_DW(R1, R10, -8);
	insns[n++] = LD_IMM64_LO(R2, 0, (uint32_t)pat1);
	insns[n++] = LD_IMM64_HI((uint32_t)(pat1 >> 32));
	j4 = n;
	insns[n++] = JNE_REG(R1, R2, 0);
	insns[n++] = MOV64_IMM(R0, 0);
	insns[n++] = EXIT();
	bad = n;
	insns[n++] = MOV64_IMM(R0, 1);
	insns[n++] = EXIT();
	insns[j1].off = bad - j1 - 1;
	insns[j2].off = bad - j2 - 1;
	insns[j3].off = bad - j3 - 1;
	insns[j4].off = bad - j4 - 1;

	btf = btf_load_main_and_cb();
	if (btf < 0) {
		diag("BPF_BTF_LOAD: %s; log: %.200s", strerror(errno),
		     prog_log);
		*why = "BPF_BTF_LOAD of the callback's function info failed";
		close(rb.fd);
		return -1;
	}
	prog = prog_load_btf(insns, n, btf, fi, 2);
	close(btf);
	if (prog < 0) {
		diag("BPF_PROG_LOAD: %s; log: %.300s", strerror(errno),
		     prog_log);
		*why = "cannot load a socket filter calling bpf_user_ringbuf_drain()";
		close(rb.fd);
		return -1;
	}

	cons = map_at(rb.fd, page_size, PROT_READ, 0);
	prod = map_at(rb.fd, page_size + 2 * rb.data_sz,
		      PROT_READ | PROT_WRITE, page_size);
	if (cons == MAP_FAILED || prod == MAP_FAILED)
		goto out;
	cons_pos = (const volatile unsigned long *)cons;
	prod_pos = (unsigned long *)prod;
	data = prod + page_size;

	/* rounds of 10 records, until one has wrapped around the end */
	for (round = 0; round < rb.data_sz / (10 * REC_TOTAL) + 2; round++) {
		for (r = 0; r < 10; r++) {
			char *rec = data + (pos & (rb.data_sz - 1));
			uint32_t pg_off = 0;

			if ((pos & (rb.data_sz - 1)) + REC_TOTAL > rb.data_sz)
				wrapped = true;
			memset(rec + KOP_RINGBUF_HDR_SZ, 0xee, REC_LEN);
			memcpy(rec + KOP_RINGBUF_HDR_SZ, &pat0, 8);
			memcpy(rec + KOP_RINGBUF_HDR_SZ + REC_LEN - 8, &pat1, 8);
			memcpy(rec + 4, &pg_off, 4);
			__atomic_store_n((uint32_t *)rec, REC_LEN,
					 __ATOMIC_RELEASE);
			pos += REC_TOTAL;
			__atomic_store_n(prod_pos, pos, __ATOMIC_RELEASE);
		}
		rv = prog_run(prog);
		if (rv != 10) {
			diag("round %u: drained %lld records, expected 10 (%s)",
			     round, rv, rv == -1 ? strerror(errno) :
			     "callback saw wrong data, or a peek error");
			goto out;
		}
		if (*cons_pos != pos) {
			diag("round %u: consumer_pos %lu, expected %lu", round,
			     *cons_pos, pos);
			goto out;
		}
	}
	if (!wrapped) {
		diag("no record wrapped around the end");
		goto out;
	}
	ret = 1;
out:
	if (cons != MAP_FAILED)
		munmap(cons, page_size);
	if (prod != MAP_FAILED)
		munmap(prod, page_size + 2 * rb.data_sz);
	close(prog);
	close(rb.fd);
	return ret;
}

/* ---- main ---- */

struct test {
	const char *name;
	bool (*fn)(void);
	/* 1 ok, 0 not ok, -1 skip (with *why) */
	int (*fn_skip)(const char **why);
	bool typed;	/* needs pagemap PFNs, kpageflags, kpagecount */
};

static const struct test tests[] = {
	{ .name = "rb_create", .fn = t_rb_kern_create },
	{ .name = "rb_kern_mmap_rules", .fn = t_rb_kern_mmap_rules },
	{ .name = "rb_kern_write_protection", .fn = t_rb_kern_write_protection },
	{ .name = "rb_kern_double_mapping", .fn = t_rb_kern_double_mapping },
	{ .name = "rb_user_mmap_rules", .fn = t_rb_user_mmap_rules },
	{ .name = "rb_user_double_mapping", .fn = t_rb_user_double_mapping },
	{ .name = "rb_pages_typed", .fn = t_rb_pages_typed, .typed = true },
	{ .name = "rb_prot_none_then_mprotect", .fn = t_rb_prot_none },
	{ .name = "teardown_munmap_then_close", .fn = t_teardown_munmap_then_close },
	{ .name = "teardown_close_then_munmap", .fn = t_teardown_close_then_munmap },
	{ .name = "teardown_fork", .fn = t_teardown_fork },
	{ .name = "teardown_exit_mapped", .fn = t_teardown_exit_mapped },
	{ .name = "proc_self_mem_read", .fn = t_proc_self_mem_read },
	{ .name = "proc_self_mem_write", .fn = t_proc_self_mem_write },
	{ .name = "proc_mem_prot_none_refused", .fn = t_proc_mem_prot_none_refused },
	{ .name = "process_vm_readv", .fn_skip = t_process_vm_readv },
	{ .name = "gup_vmsplice_refused", .fn = t_gup_vmsplice_refused },
	{ .name = "array_mmap_lookup", .fn = t_array_mmap_lookup },
	{ .name = "array_freeze_rules", .fn = t_array_freeze_rules },
	{ .name = "array_freeze_fork_writecnt", .fn = t_array_freeze_fork },
	{ .name = "array_pages_typed", .fn = t_array_pages_typed, .typed = true },
	{ .name = "prog_ringbuf_output", .fn_skip = t_prog_ringbuf_output },
	{ .name = "prog_user_ringbuf_drain", .fn_skip = t_prog_user_ringbuf_drain },
};

#define NR_TESTS	ARRAY_SIZE(tests)

int main(void)
{
	struct sigaction sa;
	const char *why;
	unsigned int i;
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fault_handler;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	printf("1..%zu\n", NR_TESTS);
	fd = ringbuf_create(KOP_MAP_TYPE_RINGBUF, 4);
	if (fd < 0) {
		char reason[128];

		snprintf(reason, sizeof(reason),
			 "cannot create a BPF ring buffer: %s (BPF_SYSCALL, root?)",
			 strerror(errno));
		for (i = 0; i < NR_TESTS; i++)
			tap_skip(tests[i].name, reason);
		return 0;
	}
	close(fd);

	for (i = 0; i < NR_TESTS; i++) {
		const struct test *t = &tests[i];
		int res;

		errno = 0;
		why = NULL;
		if (t->typed)
			why = typed_check_unavailable();
		if (why) {
			tap_skip(t->name, why);
			continue;
		}
		if (t->fn) {
			tap_result(t->fn(), t->name);
			continue;
		}
		res = t->fn_skip(&why);
		if (res < 0)
			tap_skip(t->name, why);
		else
			tap_result(res > 0, t->name);
	}
	return failures ? 1 : 0;
}
