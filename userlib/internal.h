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
struct ec_thread;

/* The low-memory functions of a handle (emucompat_set_lowmem_fns()). */
struct ec_lowmem {
	emucompat_lowmem_alloc_fn alloc;
	emucompat_lowmem_free_fn free;
	void *opaque;
};

/* One area of low memory: @size bytes at @base, @guard bytes each side. */
struct ec_area {
	void *base;
	size_t size, guard;
	struct ec_lowmem lm;	/* the functions that made it free it */
};

/* One use of the bounce memory (ec_bounce_get() .. ec_bounce_put()). */
struct ec_bounce {
	struct ec_thread *t;	/* the thread's own area, or NULL: */
	struct ec_area own;	/* a nested call's private one */
	int nested;		/* inside another call of this thread */
};

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
	/* emucompat_set_guest_abi()'s flags (EMUCOMPAT_ABI_PASS_UNKNOWN) */
	unsigned int abi_flags;
	/* emucompat_set_lowmem_fns()'s, or the defaults; set before other threads */
	struct ec_lowmem lowmem;
};

/* ioctl32.c: an ioctl through the handle's ioctl function.  Result or -1. */
long ec_call_ioctl(struct emucompat *ec, int fd, unsigned long request, unsigned long arg);

/*
 * ioctl32.c: one compat ioctl in the kernel's own ABI, no translation, by
 * the fastest path the module offers.  Result or -1.
 */
long ec_ioctl32_raw(struct emucompat *ec, int fd, unsigned int cmd, uint32_t arg);

/*
 * abi.c: DRM_IOCTL_MODE_GETFB2 of an i386 guest on an x86-64 kernel, which
 * has no compat GETFB2: converted to the LP64 (= ARM) layout and back.
 */
long ec_abi_getfb2_i386(struct emucompat *ec, int fd, uint32_t arg);

/* abi.c: emucompat_ioctl32() for a guest ABI that is not the kernel's. */
long ec_abi_ioctl32(struct emucompat *ec, const struct ec_abi *abi, int fd, unsigned int cmd,
		    uint32_t arg);

/*
 * thread.c: this thread's pivot stack top (0 with errno), allocated on
 * first use.
 */
uint64_t ec_thread_pivot_top(struct emucompat *ec);
/*
 * thread.c: bounce memory of at least @size bytes below the compat
 * TASK_SIZE, a guard page after it (NULL with errno): the thread's own
 * area, or, for a call nested in another one of the same thread (a signal
 * handler), a private one.  Give it back with ec_bounce_put() (keeps errno).
 */
void *ec_bounce_get(struct emucompat *ec, size_t size, struct ec_bounce *b);
void ec_bounce_put(struct ec_bounce *b);
/* thread.c: is a call of this thread using its bounce area (nested call)? */
int ec_thread_busy(void);
/* thread.c: the end of the low memory: compat TASK_SIZE, 64 KiB aligned */
uint64_t ec_low_end(const struct emucompat *ec);
/* thread.c: the default low-memory functions (@opaque is the handle) */
void *ec_lowmem_default_alloc(size_t len, size_t guard, void *opaque);
void ec_lowmem_default_free(void *addr, size_t len, size_t guard, void *opaque);
/* handle.c: a consistent copy of @ec's low-memory functions */
void ec_lowmem_get(struct emucompat *ec, struct ec_lowmem *lm);
/*
 * thread.c: this thread's non-blocking pipe {read, write} in process
 * @self (a forked child gets a new one), NULL with errno.
 */
const int *ec_thread_pipe(pid_t self);

#endif /* EMUCOMPAT_INTERNAL_H */
