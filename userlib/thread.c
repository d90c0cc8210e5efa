// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Per-thread state: memory at 32-bit addresses -- the pivot stack (kernels
 * with compat_alloc_user_space(), <= 5.14) and the bounce buffer that
 * guest-ABI translation converts arguments in -- and the pipe abi.c copies
 * guest memory through where process_vm_readv() is not available.  All
 * belong to the thread, not to a handle: made on first use, freed by a
 * pthread-key destructor at thread exit.
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
#define EC_LOW_END(ec) ((ec)->info.compat_task_size & ~(EC_LOW_ALIGN - 1))

struct ec_area {
	void *base;
	size_t size;
};

struct ec_thread {
	struct ec_area pivot;
	struct ec_area bounce;
	int pipe[2];
	int have_pipe;
	pid_t pipe_pid;		/* a forked child makes its own */
};

static pthread_key_t ec_thread_key;
static pthread_once_t ec_thread_once = PTHREAD_ONCE_INIT;
static int ec_thread_key_err;
static __thread struct ec_thread *ec_tls;

static void ec_thread_free(void *p)
{
	struct ec_thread *t = p;

	if (t->pivot.base)
		munmap(t->pivot.base, t->pivot.size);
	if (t->bounce.base)
		munmap(t->bounce.base, t->bounce.size);
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

/* Map @size bytes below EC_LOW_END into @a; 0, or -1 with errno. */
static int ec_area_map(struct emucompat *ec, struct ec_area *a, size_t size)
{
	void *base = emucompat_mmap_range(ec, 0, EC_LOW_END(ec), size, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (base == MAP_FAILED)
		return -1;
	a->base = base;
	a->size = size;
	return 0;
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

void *ec_thread_bounce(struct emucompat *ec, size_t size)
{
	struct ec_thread *t = ec_tls;
	struct ec_area a;

	if (t && t->bounce.size >= size)
		return t->bounce.base;
	t = ec_thread_get();
	if (!t)
		return NULL;
	/* too small (or none yet): a larger one replaces it, if it can be had */
	if (ec_area_map(ec, &a, size))
		return NULL;
	if (t->bounce.base)
		munmap(t->bounce.base, t->bounce.size);
	t->bounce = a;
	return t->bounce.base;
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
