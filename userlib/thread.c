// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Per-thread state: memory at 32-bit addresses -- the pivot stack (kernels
 * with compat_alloc_user_space(), <= 5.14) and the bounce buffer that
 * guest-ABI translation converts arguments in -- and the pipe abi.c copies
 * guest memory through where process_vm_readv() is not available.  All
 * belong to the thread, not to a handle: made on first use, freed by a
 * pthread-key destructor at thread exit.
 *
 * The low memory comes from the handle's low-memory functions
 * (emucompat_set_lowmem_fns(), by default emucompat_mmap_range()), with a
 * PROT_NONE guard page on either side of every area: a kernel write past
 * the end of a bounce area, or a pivot stack overflowing, faults (EFAULT)
 * instead of reaching the next mapping.
 *
 * Signals: a call made from a signal handler that interrupted another call
 * of the same thread must not reuse, and above all not replace, the bounce
 * area the interrupted call is working in.  ec_bounce_get() counts the
 * users of the thread's area; a nested user gets an area of its own, freed
 * by ec_bounce_put().  Everything here is async-signal-safe once the thread
 * has its struct ec_thread (its first call), provided the low-memory
 * functions are.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

#define EC_PIVOT_MIN (64u * 1024)

/*
 * The highest address the low areas may reach: the compat TASK_SIZE (a
 * compat handler cannot fault in pages at or above it on arm64, and
 * compat_alloc_user_space() keeps only the low 32 bits of the stack
 * pointer), rounded down to 64 KiB, the largest page size, so that the
 * area ends on a page boundary of any kernel.
 */
#define EC_LOW_ALIGN 0x10000ULL

uint64_t ec_low_end(const struct emucompat *ec)
{
	uint64_t top = ec->info.compat_task_size;

	if (!top || top > (1ULL << 32))
		top = 1ULL << 32;
	return top & ~(EC_LOW_ALIGN - 1);
}

struct ec_thread {
	struct ec_area pivot;
	struct ec_area bounce;
	int bounce_users;	/* > 1: a signal handler nested in a call */
	int pipe[2];
	int have_pipe;
	pid_t pipe_pid;		/* a forked child makes its own */
};

static pthread_key_t ec_thread_key;
static pthread_once_t ec_thread_once = PTHREAD_ONCE_INIT;
static int ec_thread_key_err;
static __thread struct ec_thread *ec_tls;

static size_t ec_page_size(void)
{
	static size_t page;

	if (!page)
		page = (size_t)sysconf(_SC_PAGESIZE);
	return page;
}

/* ---- the default low-memory functions ---------------------------------- */

/*
 * [guard][len bytes read-write][guard] below the compat TASK_SIZE, reserved
 * PROT_NONE in one ranged mapping, then the middle opened.
 */
void *ec_lowmem_default_alloc(size_t len, size_t guard, void *opaque)
{
	struct emucompat *ec = opaque;
	char *base;

	base = emucompat_mmap_range(ec, 0, ec_low_end(ec), len + 2 * guard, PROT_NONE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	if (mprotect(base + guard, len, PROT_READ | PROT_WRITE)) {
		int err = errno;

		munmap(base, len + 2 * guard);
		errno = err;
		return NULL;
	}
	return base + guard;
}

void ec_lowmem_default_free(void *addr, size_t len, size_t guard, void *opaque)
{
	(void)opaque;
	munmap((char *)addr - guard, len + 2 * guard);
}

/* ---- areas -------------------------------------------------------------- */

/*
 * Map @size bytes (rounded up to pages) below the compat TASK_SIZE into @a
 * with the handle's low-memory functions; 0, or -1 with errno.  An area
 * the functions place anywhere else is given back: ERANGE.
 */
static int ec_area_map(struct emucompat *ec, struct ec_area *a, size_t size)
{
	size_t page = ec_page_size();
	struct ec_lowmem lm;
	uint64_t end;
	void *base;

	ec_lowmem_get(ec, &lm);
	if (size > (1ULL << 32)) {
		errno = ENOMEM;
		return -1;
	}
	size = (size + page - 1) & ~(page - 1);
	base = lm.alloc(size, page, lm.opaque);
	if (!base) {
		if (!errno)
			errno = ENOMEM;
		return -1;
	}
	end = (uint64_t)(uintptr_t)base + size;
	if (((uintptr_t)base & (page - 1)) || end > ec_low_end(ec)) {
		lm.free(base, size, page, lm.opaque);
		errno = ERANGE;
		return -1;
	}
	a->base = base;
	a->size = size;
	a->guard = page;
	a->lm = lm;
	return 0;
}

static void ec_area_unmap(struct ec_area *a)
{
	if (a->base)
		a->lm.free(a->base, a->size, a->guard, a->lm.opaque);
	a->base = NULL;
	a->size = 0;
}

static void ec_thread_free(void *p)
{
	struct ec_thread *t = p;

	/* no dangling pointer for a later destructor that calls the library */
	if (ec_tls == t)
		ec_tls = NULL;
	ec_area_unmap(&t->pivot);
	ec_area_unmap(&t->bounce);
	if (t->have_pipe) {
		close(t->pipe[0]);
		close(t->pipe[1]);
	}
	free(t);
}

static void ec_thread_key_init(void)
{
	ec_thread_key_err = pthread_key_create(&ec_thread_key, ec_thread_free);
}

static struct ec_thread *ec_thread_get(void)
{
	struct ec_thread *t = ec_tls;

	if (t)
		return t;
	pthread_once(&ec_thread_once, ec_thread_key_init);
	if (ec_thread_key_err) {
		errno = ec_thread_key_err;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	if (pthread_setspecific(ec_thread_key, t)) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	ec_tls = t;
	return t;
}

uint64_t ec_thread_pivot_top(struct emucompat *ec)
{
	struct ec_thread *t = ec_tls;
	size_t size = ec->info.pivot_stack_size;

	if (!t || !t->pivot.base) {
		t = ec_thread_get();
		if (!t)
			return 0;
		if (size < EC_PIVOT_MIN)
			size = EC_PIVOT_MIN;
		if (ec_area_map(ec, &t->pivot, size))
			return 0;
	}
	return (uint64_t)(uintptr_t)t->pivot.base + t->pivot.size;
}

void *ec_bounce_get(struct emucompat *ec, size_t size, struct ec_bounce *b)
{
	struct ec_thread *t = ec_thread_get();
	struct ec_area a;

	b->t = NULL;
	b->own.base = NULL;
	b->nested = 0;
	if (!t)
		return NULL;
	if (__atomic_fetch_add(&t->bounce_users, 1, __ATOMIC_SEQ_CST)) {
		/* nested in a call of this thread (a signal handler): its own area */
		__atomic_fetch_sub(&t->bounce_users, 1, __ATOMIC_SEQ_CST);
		b->nested = 1;
		if (ec_area_map(ec, &b->own, size))
			return NULL;
		return b->own.base;
	}
	b->t = t;
	if (t->bounce.size >= size)
		return t->bounce.base;
	/* too small (or none yet): nobody uses it now, a larger one replaces it */
	if (ec_area_map(ec, &a, size)) {
		ec_bounce_put(b);
		return NULL;
	}
	ec_area_unmap(&t->bounce);
	t->bounce = a;
	return t->bounce.base;
}

void ec_bounce_put(struct ec_bounce *b)
{
	int err = errno;

	if (b->t)
		__atomic_fetch_sub(&b->t->bounce_users, 1, __ATOMIC_SEQ_CST);
	else
		ec_area_unmap(&b->own);
	b->t = NULL;
	errno = err;
}

const int *ec_thread_pipe(pid_t self)
{
	struct ec_thread *t = ec_thread_get();

	if (!t)
		return NULL;
	if (t->have_pipe && t->pipe_pid != self) {
		/* inherited over fork(): the parent's thread uses it too */
		close(t->pipe[0]);
		close(t->pipe[1]);
		t->have_pipe = 0;
	}
	if (!t->have_pipe) {
		if (pipe2(t->pipe, O_CLOEXEC | O_NONBLOCK))
			return NULL;
		t->have_pipe = 1;
		t->pipe_pid = self;
	}
	return t->pipe;
}

int ec_thread_busy(void)
{
	struct ec_thread *t = ec_tls;

	return t && __atomic_load_n(&t->bounce_users, __ATOMIC_SEQ_CST) > 0;
}
