/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libemucompat internals, shared by the library's files:
 *   handle.c   open, close, info
 *   thread.c   per-thread memory below the compat TASK_SIZE (pivot stack,
 *              bounce buffer), freed at thread exit
 *   ioctl32.c  emucompat_ioctl32() and the raw forwarding request
 *   abi.c      guest ABIs: renumbering and struct conversion
 *   range.c    ranged mmap, mremap, shmat
 *   state32.c  robust list, directory hashes, VA limits
 */
#ifndef EMUCOMPAT_INTERNAL_H
#define EMUCOMPAT_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>
#include "emucompat.h"

#define EC_EXPORT __attribute__((visibility("default")))

struct ec_abi;

struct emucompat {
	int fd;
	/*
	 * The forwarding descriptor (EMUCOMPAT_IOC_FORWARDER), -1 where the
	 * module has none (older module, kernels that need the pivot stack).
	 */
	int fwd;
	struct emucompat_info info;
	/* emucompat_set_ioctl_fn()'s, or ioctl(2); atomic loads */
	emucompat_ioctl_fn ioctl_fn;
	/*
	 * The guest ABI's translation when it is not the kernel's own, else
	 * NULL: emucompat_ioctl32() tests this one pointer and nothing else
	 * on the kernel's ABI.  Written by emucompat_set_guest_abi(), read
	 * with atomic loads (any thread may use the handle).
	 */
	const struct ec_abi *abi;
	unsigned int guest_abi;
};

/* ioctl32.c: an ioctl through the handle's ioctl function.  Result or -1. */
long ec_call_ioctl(struct emucompat *ec, int fd, unsigned long request, unsigned long arg);

/*
 * ioctl32.c: one compat ioctl in the kernel's own ABI, no translation, by
 * the fastest path the module offers.  Result or -1.
 */
long ec_ioctl32_raw(struct emucompat *ec, int fd, unsigned int cmd, uint32_t arg);

/* abi.c: emucompat_ioctl32() for a guest ABI that is not the kernel's. */
long ec_abi_ioctl32(struct emucompat *ec, const struct ec_abi *abi, int fd, unsigned int cmd,
		    uint32_t arg);

/*
 * thread.c: this thread's pivot stack top (0 with errno), and its bounce
 * buffer of at least @size bytes at a 32-bit address the compat handlers
 * can reach (NULL with errno).  Both are allocated on first use.
 */
uint64_t ec_thread_pivot_top(struct emucompat *ec);
void *ec_thread_bounce(struct emucompat *ec, size_t size);
/*
 * thread.c: this thread's non-blocking pipe {read, write} in process
 * @self (a forked child gets a new one), NULL with errno.
 */
const int *ec_thread_pipe(pid_t self);

#endif /* EMUCOMPAT_INTERNAL_H */
