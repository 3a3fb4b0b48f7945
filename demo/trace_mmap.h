/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The trace ring buffer mmap() interface, from the system's UAPI headers
 * or, where they predate it (Linux 6.10), from this copy of
 * include/uapi/linux/trace_mmap.h.
 */
#ifndef KMAPDEMO_TRACE_MMAP_H
#define KMAPDEMO_TRACE_MMAP_H

#if __has_include(<linux/trace_mmap.h>)
#include <linux/trace_mmap.h>
#else
#include <linux/types.h>
struct trace_buffer_meta {
	__u32	meta_page_size;
	__u32	meta_struct_len;
	__u32	subbuf_size;
	__u32	nr_subbufs;
	struct {
		__u64	lost_events;
		__u32	id;
		__u32	read;
	} reader;
	__u64	flags;
	__u64	entries;
	__u64	overrun;
	__u64	read;
	__u64	pages_lost;
	__u64	pages_touched;
};
#define TRACE_MMAP_IOCTL_GET_READER	_IO('R', 0x20)
#endif

#endif
