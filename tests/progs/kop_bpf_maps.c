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
#include <sys/uio.h>
#include <linux/bpf.h>
#include <linux/btf.h>

#include "kop_pages.h"

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

/* ---- ring buffer layout ---- */

struct rb {
	int fd;
	unsigned long data_pages;
	size_t data_sz;
	/* producer page, data, data again: offset one page on */
	size_t prod_len;
	/* consumer page, producer page, data, data again: offset 0 on */
	size_t all_len;
};

static bool rb_open(struct rb *rb, unsigned int type, unsigned long data_pages)
{
	rb->data_pages = data_pages;
	rb->data_sz = data_pages * page_size;
	rb->prod_len = page_size + 2 * rb->data_sz;
	rb->all_len = 2 * page_size + 2 * rb->data_sz;
	rb->fd = ringbuf_create(type, data_pages);
	if (rb->fd < 0)
		diag("BPF_MAP_CREATE(ring buffer, %lu pages): %s", data_pages,
		     strerror(errno));
	return rb->fd >= 0;
}

/*
 * A kernel-produced ring buffer of 4 data pages, its consumer page mapped
 * read/write at @cons and all of it read-only at @all.  On failure what it
 * did get stays open, as after any failed CHECK().
 */
static bool rb_kern_map(struct rb *rb, char **cons, char **all)
{
	if (!rb_open(rb, KOP_MAP_TYPE_RINGBUF, 4))
		return false;
	*cons = map_at(rb->fd, page_size, PROT_READ | PROT_WRITE, 0);
	if (*cons == MAP_FAILED)
		return false;
	*all = map_at(rb->fd, rb->all_len, PROT_READ, 0);
	return *all != MAP_FAILED;
}

static void rb_kern_unmap(struct rb *rb, char *cons, char *all)
{
	munmap(all, rb->all_len);
	munmap(cons, page_size);
	close(rb->fd);
}

/* Unmap the producer and data pages at @prod, and close the map. */
static void rb_prod_unmap(struct rb *rb, char *prod)
{
	munmap(prod, rb->prod_len);
	close(rb->fd);
}

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

/*
 * @check each size of ring buffer of @type.  A failed check leaves its
 * ring buffer open, as a failed CHECK() does.
 */
static bool rb_each_size(unsigned int type, bool (*check)(const struct rb *rb))
{
	unsigned int i;
	struct rb rb;

	for (i = 0; i < NR_RB_SIZES; i++) {
		CHECK(rb_open(&rb, type, rb_sizes[i]));
		if (!check(&rb))
			return false;
		close(rb.fd);
	}
	return true;
}

static bool rb_kern_mmap_rules(const struct rb *rb)
{
	/* consumer page read/write */
	CHECK(mmap_works(rb->fd, page_size, PROT_READ | PROT_WRITE, 0));
	/* producer page and data twice, read-only, exactly the max */
	CHECK(mmap_works(rb->fd, rb->prod_len, PROT_READ, page_size));
	/* everything from offset 0, read-only */
	CHECK(mmap_works(rb->fd, rb->all_len, PROT_READ, 0));
	/* data pages only */
	CHECK(mmap_works(rb->fd, 2 * rb->data_sz, PROT_READ, 2 * page_size));
	/* one page too many, or starting past the end */
	CHECK(mmap_fails(rb->fd, rb->all_len + page_size, PROT_READ,
			 MAP_SHARED, 0, EINVAL));
	CHECK(mmap_fails(rb->fd, 2 * page_size + 2 * rb->data_sz, PROT_READ,
			 MAP_SHARED, page_size, EINVAL));
	CHECK(mmap_fails(rb->fd, page_size, PROT_READ, MAP_SHARED,
			 rb->all_len, EINVAL));
	/* writable: only the consumer page, alone */
	CHECK(mmap_fails(rb->fd, page_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, page_size, EPERM));
	CHECK(mmap_fails(rb->fd, 2 * page_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, 0, EPERM));
	CHECK(mmap_fails(rb->fd, page_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, 2 * page_size, EPERM));
	/* private and executable mappings */
	CHECK(mmap_fails(rb->fd, page_size, PROT_READ, MAP_PRIVATE, 0,
			 EINVAL));
	CHECK(mmap_fails(rb->fd, page_size, PROT_READ | PROT_EXEC,
			 MAP_SHARED, 0, EPERM));
	return true;
}

/* Which mmap() calls a kernel-produced ring buffer accepts. */
static bool t_rb_kern_mmap_rules(void)
{
	return rb_each_size(KOP_MAP_TYPE_RINGBUF, rb_kern_mmap_rules);
}

/* Consumer page writable, producer and data pages read-only for good. */
static bool t_rb_kern_write_protection(void)
{
	char *cons, *all;
	unsigned long i;
	struct rb rb;

	CHECK(rb_kern_map(&rb, &cons, &all));

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

	rb_kern_unmap(&rb, cons, all);
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

static bool rb_user_mmap_rules(const struct rb *rb)
{
	/* consumer page: read-only only */
	CHECK(mmap_fails(rb->fd, page_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, 0, EPERM));
	CHECK(mmap_works(rb->fd, page_size, PROT_READ, 0));
	/* producer page and data twice, read/write */
	CHECK(mmap_works(rb->fd, rb->prod_len, PROT_READ | PROT_WRITE,
			 page_size));
	CHECK(mmap_fails(rb->fd, 2 * page_size + 2 * rb->data_sz,
			 PROT_READ | PROT_WRITE, MAP_SHARED, page_size,
			 EINVAL));
	/* everything read-only from offset 0 */
	CHECK(mmap_works(rb->fd, rb->all_len, PROT_READ, 0));
	CHECK(mmap_fails(rb->fd, page_size, PROT_READ, MAP_PRIVATE,
			 page_size, EINVAL));
	return true;
}

/* Which mmap() calls a user ring buffer accepts. */
static bool t_rb_user_mmap_rules(void)
{
	return rb_each_size(KOP_MAP_TYPE_USER_RINGBUF, rb_user_mmap_rules);
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
	prod = map_at(rb.fd, rb.prod_len, PROT_READ | PROT_WRITE, page_size);
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
	munmap(prod, rb.prod_len);
	munmap(cons, page_size);
	close(rb.fd);
	return true;
}

/*
 * pages_typed() of the @len bytes mapped at @p, which are unmapped after,
 * and the map's @fd closed.
 */
static bool mapping_typed(const char *what, int fd, char *p, size_t len,
			  unsigned long first, unsigned long alias)
{
	bool ok = pages_typed(what, p, len / page_size, first, alias);

	munmap(p, len);
	close(fd);
	return ok;
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

	for (t = 0; t < 2; t++) {
		CHECK(rb_open(&rb, types[t], 64));
		all = map_at(rb.fd, rb.all_len, PROT_READ, 0);
		CHECK(all != MAP_FAILED);
		/* nothing faulted in: mapped at mmap() time */
		if (!mapping_typed(t ? "user ring buffer" : "ring buffer",
				   rb.fd, all, rb.all_len, 2, rb.data_pages))
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
	prod = map_at(rb.fd, rb.prod_len, PROT_READ | PROT_WRITE, page_size);
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
	rb_prod_unmap(&rb, prod);
	return true;
}

/* A user ring buffer with a pattern written through its data mapping. */
static bool rb_user_with_pattern(struct rb *rb, char **prod, char pat)
{
	if (!rb_open(rb, KOP_MAP_TYPE_USER_RINGBUF, 4))
		return false;
	*prod = map_at(rb->fd, rb->prod_len, PROT_READ | PROT_WRITE,
		       page_size);
	if (*prod == MAP_FAILED) {
		close(rb->fd);
		return false;
	}
	memset(*prod + page_size, pat, rb->data_sz);
	return true;
}

/* A user ring buffer as rb_user_with_pattern() maps it, and its map ID. */
struct rb_user {
	struct rb rb;
	char *prod;
	uint32_t id;
};

static bool rb_user_with_id(struct rb_user *u, char pat)
{
	CHECK(rb_user_with_pattern(&u->rb, &u->prod, pat));
	u->id = map_id(u->rb.fd);
	CHECK(u->id);
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
	struct rb_user u;

	CHECK(rb_user_with_id(&u, 0x44));
	CHECK(munmap(u.prod, u.rb.prod_len) == 0);
	CHECK(map_id_exists(u.id, true));
	close(u.rb.fd);
	CHECK(!map_id_exists(u.id, false));
	return true;
}

/* The mapping keeps the map, and its pages, after the last fd is closed. */
static bool t_teardown_close_then_munmap(void)
{
	struct rb_user u;
	char *data;

	CHECK(rb_user_with_id(&u, 0x45));
	data = u.prod + page_size;
	close(u.rb.fd);
	CHECK(map_id_exists(u.id, true));
	CHECK(data_is(data, 2 * u.rb.data_sz, 0x45));
	memset(data, 0x46, u.rb.data_sz);
	CHECK(data_is(data + u.rb.data_sz, u.rb.data_sz, 0x46));
	CHECK(munmap(u.prod, u.rb.prod_len) == 0);
	CHECK(!map_id_exists(u.id, false));
	return true;
}

/* A forked child's copy of the mapping outlives the parent's. */
static bool t_teardown_fork(void)
{
	struct rb_user u;
	size_t data_sz;
	char *data;
	pid_t pid;
	int go[2];
	char c;

	CHECK(rb_user_with_id(&u, 0x47));
	data = u.prod + page_size;
	data_sz = u.rb.data_sz;

	/* 1: the child reads and exits while the parent still maps */
	pid = fork();
	CHECK(pid >= 0);
	if (!pid)
		_exit(data_is(data, 2 * data_sz, 0x47) ? 0 : 1);
	CHECK(child_ok(pid));
	CHECK(data_is(data, 2 * data_sz, 0x47));

	/* 2: the parent unmaps and closes first; the child's copy holds */
	CHECK(pipe(go) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		close(go[1]);
		close(u.rb.fd);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		if (!data_is(data, 2 * data_sz, 0x47))
			_exit(1);
		memset(data, 0x48, data_sz);
		_exit(data_is(data + data_sz, data_sz, 0x48) ? 0 : 1);
	}
	close(go[0]);
	CHECK(munmap(u.prod, u.rb.prod_len) == 0);
	close(u.rb.fd);
	CHECK(map_id_exists(u.id, true));
	CHECK(write(go[1], "x", 1) == 1);
	close(go[1]);
	CHECK(child_ok(pid));
	CHECK(!map_id_exists(u.id, false));
	return true;
}

/* A process that exits with the map mapped (and its fd closed). */
static bool t_teardown_exit_mapped(void)
{
	struct rb rb;
	uint32_t id;
	int ids[2];
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
	CHECK(child_ok(pid));
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

/*
 * An mmap()able array, @len bytes of it mapped read/write at @p.  On
 * failure what it did get stays open, as after any failed CHECK().
 */
static bool array_map(unsigned int value_size, unsigned int max_entries,
		      size_t len, int *fd, char **p)
{
	*fd = array_create(value_size, max_entries, 0);
	if (*fd < 0)
		return false;
	*p = map_at(*fd, len, PROT_READ | PROT_WRITE, 0);
	return *p != MAP_FAILED;
}

/*
 * A mapping of every kind of page: a ring buffer's consumer page and all
 * of it read-only, a user ring buffer's producer and data pages, and two
 * pages of an array, each set up by the case where it needs it.
 */
struct every_kind {
	struct rb krb, urb;
	char *cons, *all, *prod, *arr;
	int afd;
};

static void every_kind_unmap(struct every_kind *k)
{
	munmap(k->arr, 2 * page_size);
	close(k->afd);
	rb_prod_unmap(&k->urb, k->prod);
	rb_kern_unmap(&k->krb, k->cons, k->all);
}

/* /proc/self/mem reads every kind of page exactly as the mapping shows. */
static bool t_proc_self_mem_read(void)
{
	struct every_kind k;
	char *data;

	CHECK(rb_kern_map(&k.krb, &k.cons, &k.all));
	memset(k.cons + 64, 0x51, 64);
	CHECK(proc_mem_matches(k.cons, page_size));
	CHECK(proc_mem_matches(k.all, k.krb.all_len));

	CHECK(rb_user_with_pattern(&k.urb, &k.prod, 0x52));
	data = k.prod + page_size;
	data[k.urb.data_sz - 8] = 0x53;
	/* a read across the end of the data and into the second alias */
	CHECK(proc_mem_matches(data + k.urb.data_sz - 16, 32));
	CHECK(proc_mem_matches(k.prod, k.urb.prod_len));

	CHECK(array_map(8, 1024, 2 * page_size, &k.afd, &k.arr));
	memset(k.arr, 0x54, 2 * page_size);
	CHECK(proc_mem_matches(k.arr, 2 * page_size));

	every_kind_unmap(&k);
	return true;
}

/* /proc/self/mem writes only where the mapping is writable. */
static bool t_proc_self_mem_write(void)
{
	char buf[16] = "kernel-owned!";
	struct every_kind k;
	uint64_t val;
	char *data;

	CHECK(rb_kern_map(&k.krb, &k.cons, &k.all));
	/* the consumer page: writable, before user space ever wrote it */
	CHECK(proc_mem_rw(buf, sizeof(buf), k.cons + 128, true) == sizeof(buf));
	CHECK(!memcmp(k.all + 128, buf, sizeof(buf)));
	memset(k.cons + 128, 0, sizeof(buf));
	/* producer and data pages: read-only mapping, forced write refused */
	CHECK(proc_mem_rw(buf, sizeof(buf), k.all + page_size, true) == -1 &&
	      errno == EIO);
	CHECK(proc_mem_rw(buf, sizeof(buf), k.all + 2 * page_size, true) == -1 &&
	      errno == EIO);
	CHECK(data_is(k.all + page_size + 64, 64, 0));

	CHECK(rb_user_with_pattern(&k.urb, &k.prod, 0));
	data = k.prod + page_size;
	CHECK(proc_mem_rw(buf, sizeof(buf), data + 256, true) == sizeof(buf));
	CHECK(!memcmp(data + k.urb.data_sz + 256, buf, sizeof(buf)));

	CHECK(array_map(8, 1024, 2 * page_size, &k.afd, &k.arr));
	val = 0x0123456789abcdefULL;
	CHECK(proc_mem_rw(&val, sizeof(val), k.arr + 8 * 700, true) ==
	      sizeof(val));
	val = 0;
	CHECK(map_lookup(k.afd, 700, &val) == 0);
	CHECK(val == 0x0123456789abcdefULL);

	every_kind_unmap(&k);
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
		rb_prod_unmap(&rb, prod);
		return -1;
	}
	if (ret != sizeof(buf) || !data_is(buf, sizeof(buf), 0x61)) {
		diag("process_vm_readv() of a ring buffer: %zd (%s)", ret,
		     strerror(errno));
		return 0;
	}
	rb_prod_unmap(&rb, prod);

	if (!array_map(4096, 3, 3 * page_size, &afd, &arr))
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
	CHECK(array_map(8, 1024, 2 * page_size, &afd, &arr));
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

	CHECK(array_map(8, 1024, 2 * page_size, &fd, &rw));
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
	CHECK(mmap_works(fd, 2 * page_size, PROT_READ, 0));
	close(fd);
	return true;
}

/* fork() copies a writable VMA, which holds off the freeze until exit. */
static bool t_array_freeze_fork(void)
{
	int go[2], fd;
	pid_t pid;
	char *rw;
	char c;

	CHECK(array_map(8, 1024, 2 * page_size, &fd, &rw));
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
	CHECK(child_ok(pid));
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
	char *p;
	int fd;

	for (i = 0; i < 2; i++) {
		len = array_len(&array_cases[i]);
		CHECK(array_map(array_cases[i].value_size,
				array_cases[i].max_entries, len, &fd, &p));
		if (!mapping_typed("array", fd, p, len, 0, 0))
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

/* The first and the last word of each record user space writes. */
static const uint64_t user_rec_pat[2] = {
	0x1122334455667788ULL, 0x99aabbccddeeff00ULL,
};

/* A load that failed: says why, with the start of the log; -1. */
static int load_failed(const char *cmd, int log_len, const char *reason,
		       const char **why)
{
	diag("%s: %s; log: %.*s", cmd, strerror(errno), log_len, prog_log);
	*why = reason;
	return -1;
}

/* Whether a record at @pos runs past the end of the data, into the alias. */
static bool rec_wraps(const struct rb *rb, unsigned long pos)
{
	return (pos & (rb->data_sz - 1)) + REC_TOTAL > rb->data_sz;
}

/* The end of a records check: one of them must have wrapped. */
static bool check_wrapped(bool wrapped)
{
	if (!wrapped)
		diag("no record wrapped around the end");
	return wrapped;
}

/* Loads the program for the map @map_fd: its fd, or -1 with *why set. */
typedef int (*rb_prog_load_fn)(int map_fd, const char **why);
/* Whether the records the program and user space pass were right. */
typedef bool (*rb_records_fn)(const struct rb *rb, int prog, char *cons,
			      char *prod);

/*
 * A ring buffer of @type, a program @load loads for it, and the @records
 * through its mapping: user space writes the pages of its side, the
 * consumer page of a kernel-produced ring buffer or the producer and data
 * pages of a user ring buffer.  1 ok, 0 not ok, -1 skip (with *why).
 */
static int rb_prog_run(unsigned int type, rb_prog_load_fn load,
		       rb_records_fn records, const char **why)
{
	bool user = type == KOP_MAP_TYPE_USER_RINGBUF;
	char *cons, *prod;
	int prog, ret = 0;
	struct rb rb;

	if (!rb_open(&rb, type, 4))
		return 0;
	prog = load(rb.fd, why);
	if (prog < 0) {
		close(rb.fd);
		return -1;
	}
	cons = map_at(rb.fd, page_size,
		      user ? PROT_READ : PROT_READ | PROT_WRITE, 0);
	prod = map_at(rb.fd, rb.prod_len,
		      user ? PROT_READ | PROT_WRITE : PROT_READ, page_size);
	if (cons != MAP_FAILED && prod != MAP_FAILED)
		ret = records(&rb, prog, cons, prod);
	if (cons != MAP_FAILED)
		munmap(cons, page_size);
	if (prod != MAP_FAILED)
		munmap(prod, rb.prod_len);
	close(prog);
	close(rb.fd);
	return ret;
}

/* A socket filter writing a REC_LEN record of pattern() words. */
static int ringbuf_output_load(int map_fd, const char **why)
{
	struct bpf_insn insns[40];
	unsigned int n = 0, k;
	int prog;

	for (k = 0; k < REC_LEN / 8; k++)
		insns[n++] = ST_DW(R10, -REC_LEN + 8 * k, pattern(k));
	insns[n++] = LD_IMM64_LO(R1, BPF_PSEUDO_MAP_FD, map_fd);
	insns[n++] = LD_IMM64_HI(0);
	insns[n++] = MOV64_REG(R2, R10);
	insns[n++] = ADD64_IMM(R2, -REC_LEN);
	insns[n++] = MOV64_IMM(R3, REC_LEN);
	insns[n++] = MOV64_IMM(R4, 0);
	insns[n++] = CALL(KOP_FUNC_ringbuf_output);
	insns[n++] = EXIT();
	prog = prog_load(insns, n);
	if (prog < 0)
		return load_failed("BPF_PROG_LOAD", 200,
				   "cannot load a socket filter calling bpf_ringbuf_output()",
				   why);
	return prog;
}

/*
 * Run the program until a record has wrapped around the end: each record
 * must show at producer_pos, read contiguously through the second alias
 * if it wraps, and consuming it through the consumer page must make room
 * for the next.
 */
static bool ringbuf_output_records(const struct rb *rb, int prog, char *cons,
				   char *prod)
{
	volatile unsigned long *cons_pos = (volatile unsigned long *)cons;
	const unsigned long *prod_pos = (const unsigned long *)prod;
	const char *data = prod + page_size;
	unsigned long pos = 0;
	bool wrapped = false;
	unsigned int k, r;
	long long rv;

	/* enough records for one to wrap around the end */
	for (r = 0; r < rb->data_sz / REC_TOTAL + 2; r++) {
		const char *rec;
		uint32_t hdr;
		uint64_t v;

		rv = prog_run(prog);
		if (rv) {
			diag("record %u: test run returned %lld (%s)", r, rv,
			     rv == -1 ? strerror(errno) : "helper error");
			return false;
		}
		if (__atomic_load_n(prod_pos, __ATOMIC_ACQUIRE) !=
		    pos + REC_TOTAL) {
			diag("record %u: producer_pos %lu, expected %lu", r,
			     *prod_pos, pos + REC_TOTAL);
			return false;
		}
		rec = data + (pos & (rb->data_sz - 1));
		hdr = __atomic_load_n((const uint32_t *)rec, __ATOMIC_ACQUIRE);
		if (hdr != REC_LEN) {
			diag("record %u: header %#x", r, hdr);
			return false;
		}
		if (rec_wraps(rb, pos))
			wrapped = true;
		for (k = 0; k < REC_LEN / 8; k++) {
			memcpy(&v, rec + KOP_RINGBUF_HDR_SZ + 8 * k, 8);
			if (v != pattern(k)) {
				diag("record %u word %u: %#llx", r, k,
				     (unsigned long long)v);
				return false;
			}
		}
		pos += REC_TOTAL;
		/* consumed: the kernel reads consumer_pos from this page */
		__atomic_store_n(cons_pos, pos, __ATOMIC_RELEASE);
	}
	return check_wrapped(wrapped);
}

/*
 * A program writes records with bpf_ringbuf_output(); user space reads them
 * through the data mapping, records wrapping around the end contiguously
 * through the second alias, and advances consumer_pos through the consumer
 * page, which the kernel must see for the ring not to fill up.
 */
static int t_prog_ringbuf_output(const char **why)
{
	return rb_prog_run(KOP_MAP_TYPE_RINGBUF, ringbuf_output_load,
			   ringbuf_output_records, why);
}

/*
 * Callback code: read the word at @off of the record (the dynptr in R6) to
 * the stack, and jump unless it is @pat.  The two jumps are at the indices
 * put in @jumps, their offsets left for the caller to set.
 */
static unsigned int emit_word_check(struct bpf_insn *insns, unsigned int n,
				    int off, uint64_t pat,
				    unsigned int *jumps)
{
	insns[n++] = MOV64_REG(R1, R10);
	insns[n++] = ADD64_IMM(R1, -8);
	insns[n++] = MOV64_IMM(R2, 8);
	insns[n++] = MOV64_REG(R3, R6);
	insns[n++] = MOV64_IMM(R4, off);
	insns[n++] = MOV64_IMM(R5, 0);
	insns[n++] = CALL(KOP_FUNC_dynptr_read);
	jumps[0] = n;
	insns[n++] = JNE_IMM(R0, 0, 0);
	insns[n++] = LDX_DW(R1, R10, -8);
	insns[n++] = LD_IMM64_LO(R2, 0, (uint32_t)pat);
	insns[n++] = LD_IMM64_HI((uint32_t)(pat >> 32));
	jumps[1] = n;
	insns[n++] = JNE_REG(R1, R2, 0);
	return n;
}

/* main() draining the user ring buffer @map_fd through cb(); returns n. */
static unsigned int user_ringbuf_drain_insns(struct bpf_insn *insns,
					     int map_fd)
{
	unsigned int n = 0, bad, i, jumps[4];

	/* main: r0 = bpf_user_ringbuf_drain(map, cb, NULL, 0) */
	insns[n++] = LD_IMM64_LO(R1, BPF_PSEUDO_MAP_FD, map_fd);
	insns[n++] = LD_IMM64_HI(0);
	insns[n++] = LD_IMM64_LO(R2, BPF_PSEUDO_FUNC, 5);	/* cb: insn 8 */
	insns[n++] = LD_IMM64_HI(0);
	insns[n++] = MOV64_IMM(R3, 0);
	insns[n++] = MOV64_IMM(R4, 0);
	insns[n++] = CALL(KOP_FUNC_user_ringbuf_drain);
	insns[n++] = EXIT();
	/* cb(dynptr): 0 if words 0 and REC_LEN / 8 - 1 match, else 1 */
	insns[n++] = MOV64_REG(R6, R1);
	n = emit_word_check(insns, n, 0, user_rec_pat[0], &jumps[0]);
	n = emit_word_check(insns, n, REC_LEN - 8, user_rec_pat[1], &jumps[2]);
	insns[n++] = MOV64_IMM(R0, 0);
	insns[n++] = EXIT();
	bad = n;
	insns[n++] = MOV64_IMM(R0, 1);
	insns[n++] = EXIT();
	for (i = 0; i < ARRAY_SIZE(jumps); i++)
		insns[jumps[i]].off = bad - jumps[i] - 1;
	return n;
}

/* The drain program, with the BTF function info its callback needs. */
static int user_ringbuf_drain_load(int map_fd, const char **why)
{
	struct bpf_func_info fi[2] = { { 0, 4 }, { 8, 6 } };
	struct bpf_insn insns[48];
	unsigned int n;
	int prog, btf;

	n = user_ringbuf_drain_insns(insns, map_fd);
	btf = btf_load_main_and_cb();
	if (btf < 0)
		return load_failed("BPF_BTF_LOAD", 200,
				   "BPF_BTF_LOAD of the callback's function info failed",
				   why);
	prog = prog_load_btf(insns, n, btf, fi, 2);
	close(btf);
	if (prog < 0)
		return load_failed("BPF_PROG_LOAD", 300,
				   "cannot load a socket filter calling bpf_user_ringbuf_drain()",
				   why);
	return prog;
}

/*
 * Rounds of 10 records written through the producer and data mapping,
 * until one has wrapped around the end: each run of the program drains
 * the round, and the kernel's consumer_pos shows through the consumer page.
 */
static bool user_ringbuf_drain_records(const struct rb *rb, int prog,
				       char *cons, char *prod)
{
	const volatile unsigned long *cons_pos =
		(const volatile unsigned long *)cons;
	unsigned long *prod_pos = (unsigned long *)prod, pos = 0;
	char *data = prod + page_size;
	unsigned int r, round;
	bool wrapped = false;
	long long rv;

	for (round = 0; round < rb->data_sz / (10 * REC_TOTAL) + 2; round++) {
		for (r = 0; r < 10; r++) {
			char *rec = data + (pos & (rb->data_sz - 1));
			uint32_t pg_off = 0;

			if (rec_wraps(rb, pos))
				wrapped = true;
			memset(rec + KOP_RINGBUF_HDR_SZ, 0xee, REC_LEN);
			memcpy(rec + KOP_RINGBUF_HDR_SZ, &user_rec_pat[0], 8);
			memcpy(rec + KOP_RINGBUF_HDR_SZ + REC_LEN - 8,
			       &user_rec_pat[1], 8);
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
			return false;
		}
		if (*cons_pos != pos) {
			diag("round %u: consumer_pos %lu, expected %lu", round,
			     *cons_pos, pos);
			return false;
		}
	}
	return check_wrapped(wrapped);
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
	return rb_prog_run(KOP_MAP_TYPE_USER_RINGBUF, user_ringbuf_drain_load,
			   user_ringbuf_drain_records, why);
}

/* ---- main ---- */

static const struct tap_case cases[] = {
	CASE("rb_create", t_rb_kern_create),
	CASE("rb_kern_mmap_rules", t_rb_kern_mmap_rules),
	CASE("rb_kern_write_protection", t_rb_kern_write_protection),
	CASE("rb_kern_double_mapping", t_rb_kern_double_mapping),
	CASE("rb_user_mmap_rules", t_rb_user_mmap_rules),
	CASE("rb_user_double_mapping", t_rb_user_double_mapping),
	CASE_TYPED("rb_pages_typed", t_rb_pages_typed),
	CASE("rb_prot_none_then_mprotect", t_rb_prot_none),
	CASE("teardown_munmap_then_close", t_teardown_munmap_then_close),
	CASE("teardown_close_then_munmap", t_teardown_close_then_munmap),
	CASE("teardown_fork", t_teardown_fork),
	CASE("teardown_exit_mapped", t_teardown_exit_mapped),
	CASE("proc_self_mem_read", t_proc_self_mem_read),
	CASE("proc_self_mem_write", t_proc_self_mem_write),
	CASE("proc_mem_prot_none_refused", t_proc_mem_prot_none_refused),
	CASE_SKIP("process_vm_readv", t_process_vm_readv),
	CASE("gup_vmsplice_refused", t_gup_vmsplice_refused),
	CASE("array_mmap_lookup", t_array_mmap_lookup),
	CASE("array_freeze_rules", t_array_freeze_rules),
	CASE("array_freeze_fork_writecnt", t_array_freeze_fork),
	CASE_TYPED("array_pages_typed", t_array_pages_typed),
	CASE_SKIP("prog_ringbuf_output", t_prog_ringbuf_output),
	CASE_SKIP("prog_user_ringbuf_drain", t_prog_user_ringbuf_drain),
};

#define NR_CASES	ARRAY_SIZE(cases)

int main(void)
{
	unsigned int i;
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	install_fault_handlers();

	printf("1..%zu\n", NR_CASES);
	fd = ringbuf_create(KOP_MAP_TYPE_RINGBUF, 4);
	if (fd < 0) {
		char reason[128];

		snprintf(reason, sizeof(reason),
			 "cannot create a BPF ring buffer: %s (BPF_SYSCALL, root?)",
			 strerror(errno));
		for (i = 0; i < NR_CASES; i++)
			tap_skip(cases[i].name, reason);
		return 0;
	}
	close(fd);

	for (i = 0; i < NR_CASES; i++)
		run_case(&cases[i]);
	return failures ? 1 : 0;
}
