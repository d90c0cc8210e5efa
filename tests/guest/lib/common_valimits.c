// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * common_valimits.c - see common_valimits.h.  Built for both the 64-bit
 * tests and the 32-bit oracle.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/aio_abi.h>

#include "common_valimits.h"

struct va_count {
	const char *kind;
	unsigned int n, inside, outside, failed;
};

static void va_note(struct va_count *c, uint64_t addr, uint64_t len, uint64_t lo, uint64_t hi,
		    FILE *out)
{
	c->n++;
	if (addr >= lo && addr < hi && len <= hi - addr) {
		c->inside++;
		return;
	}
	c->outside++;
	if (c->outside <= 4)
		fprintf(out, "# %s outside %#llx+%#llx\n", c->kind, (unsigned long long)addr,
			(unsigned long long)len);
}

static void va_fail(struct va_count *c, int err, FILE *out)
{
	c->n++;
	c->failed++;
	if (c->failed <= 4)
		fprintf(out, "# %s failed: %s\n", c->kind, strerror(err));
}

static void va_print(const struct va_count *c, FILE *out)
{
	fprintf(out, "place: %s n=%u inside=%u outside=%u failed=%u\n", c->kind, c->n,
		c->inside, c->outside, c->failed);
}

static void va_mmaps(unsigned int n, uint64_t lo, uint64_t hi, FILE *out)
{
	struct va_count c = { "mmap", 0, 0, 0, 0 };
	long page = sysconf(_SC_PAGESIZE);
	void **maps = calloc(n, sizeof(*maps));
	unsigned int i;

	if (!maps) {
		fprintf(out, "# mmap: no memory for the table\n");
		return;
	}
	for (i = 0; i < n; i++) {
		size_t len = (size_t)page * (1 + i % 8);

		maps[i] = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		if (maps[i] == MAP_FAILED)
			va_fail(&c, errno, out);
		else
			va_note(&c, (uintptr_t)maps[i], len, lo, hi, out);
	}
	for (i = 0; i < n; i++)
		if (maps[i] != MAP_FAILED)
			munmap(maps[i], (size_t)page * (1 + i % 8));
	free(maps);
	va_print(&c, out);
}

static int va_shmats(unsigned int n, uint64_t lo, uint64_t hi, FILE *out)
{
	struct va_count c = { "shmat", 0, 0, 0, 0 };
	void **at = calloc(n, sizeof(*at));
	unsigned int i;
	int id;

	if (!at) {
		fprintf(out, "# shmat: no memory for the table\n");
		return -1;
	}
	id = shmget(IPC_PRIVATE, VA_SHM_SIZE, IPC_CREAT | 0600);
	if (id < 0) {
		fprintf(out, "# shmget: %s\n", strerror(errno));
		free(at);
		return -1;
	}
	for (i = 0; i < n; i++) {
		at[i] = shmat(id, NULL, 0);
		if (at[i] == (void *)-1)
			va_fail(&c, errno, out);
		else
			va_note(&c, (uintptr_t)at[i], VA_SHM_SIZE, lo, hi, out);
	}
	for (i = 0; i < n; i++)
		if (at[i] != (void *)-1)
			shmdt(at[i]);
	shmctl(id, IPC_RMID, NULL);
	free(at);
	va_print(&c, out);
	return 0;
}

static void va_aio(uint64_t lo, uint64_t hi, FILE *out)
{
	struct va_count c = { "io_setup", 0, 0, 0, 0 };
	aio_context_t ctx = 0;

	/* The context id is the address of the ring mapped into the caller. */
	if (syscall(SYS_io_setup, 64, &ctx)) {
		va_fail(&c, errno, out);
	} else {
		va_note(&c, ctx, 1, lo, hi, out);
		syscall(SYS_io_destroy, ctx);
	}
	va_print(&c, out);
}

/* An mremap() that cannot grow in place: the kernel picks the new place. */
static int va_mremap(uint64_t lo, uint64_t hi, FILE *out)
{
	struct va_count c = { "mremap", 0, 0, 0, 0 };
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *a, *fence, *b;

	a = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED) {
		fprintf(out, "# mremap: set-up mmap: %s\n", strerror(errno));
		return -1;
	}
	/* A different protection keeps the neighbour a separate mapping. */
	fence = a + page;
	if (mprotect(fence, page, PROT_READ)) {
		fprintf(out, "# mremap: set-up mprotect: %s\n", strerror(errno));
		munmap(a, 2 * page);
		return -1;
	}
	a[0] = 42;
	b = mremap(a, page, 16 * page, MREMAP_MAYMOVE);
	if (b == MAP_FAILED) {
		va_fail(&c, errno, out);
		munmap(a, page);
	} else {
		if (b == a || b[0] != 42)
			fprintf(out, "# mremap: did not move (%p) or lost its data\n", (void *)b);
		va_note(&c, (uintptr_t)b, 16 * page, lo, hi, out);
		munmap(b, 16 * page);
	}
	munmap(fence, page);
	va_print(&c, out);
	return 0;
}

static void va_vmmaps(const struct va_ops *ops, uint64_t lo, uint64_t hi, FILE *out)
{
	struct va_count c = { "vm_mmap", 0, 0, 0, 0 };
	uint64_t addr[VA_VMMAPS];
	unsigned int i;
	int err;

	for (i = 0; i < VA_VMMAPS; i++) {
		addr[i] = 0;
		err = ops->vmmap(VA_VMMAP_LEN, &addr[i]);
		if (err)
			va_fail(&c, -err, out);
		else
			va_note(&c, addr[i], VA_VMMAP_LEN, lo, hi, out);
	}
	for (i = 0; i < VA_VMMAPS; i++)
		if (addr[i])
			munmap((void *)(uintptr_t)addr[i], VA_VMMAP_LEN);
	va_print(&c, out);
}

int va_place_run(const struct va_ops *ops, unsigned int n, uint64_t lo, uint64_t hi,
		 FILE *out)
{
	int ret = 0;

	va_mmaps(n, lo, hi, out);
	if (va_shmats(n, lo, hi, out))
		ret = -1;
	va_aio(lo, hi, out);
	if (va_mremap(lo, hi, out))
		ret = -1;
	va_vmmaps(ops, lo, hi, out);
	return ret;
}
