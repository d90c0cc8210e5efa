// SPDX-License-Identifier: GPL-2.0
/*
 * box32-mem — an i386 program whose memory calls show where an emulator
 * places a 32-bit guest's mappings.  Run natively (the reference) and under
 * box64's box32 (t_box64_mem.sh); every line is the same on a native i386
 * process on any 64-bit kernel with a 4 GiB compat address space, so the
 * records compare as text.
 *
 *   mmap-bulk    24 anonymous 64 MiB mappings (1.5 GiB, MAP_NORESERVE): do
 *                all of them map, none overlapping another
 *   mmap-hint    a free hint above 2 GiB (0x90000000, no MAP_FIXED): taken
 *                as it is
 *   mremap-grow  a 64 KiB mapping with content grown to 256 MiB with
 *                MREMAP_MAYMOVE while a mapping right after it forces the
 *                move: the content kept
 *   shmat        8 attaches of a 16 MiB System V segment with a NULL address:
 *                distinct, a write through one seen through the others
 *   munmap-reuse 256 rounds of mmap/munmap of 1 MiB: every one maps
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

#define MiB (1024UL * 1024)

static int overlaps(uintptr_t *a, unsigned long *l, int n)
{
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (a[i] < a[j] + l[j] && a[j] < a[i] + l[i])
				return 1;
	return 0;
}

static void mmap_bulk(void)
{
	uintptr_t a[24];
	unsigned long l[24];
	int n = 0, err = 0;

	for (int i = 0; i < 24; i++) {
		void *p = mmap(NULL, 64 * MiB, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED) {
			err = errno;
			break;
		}
		a[n] = (uintptr_t)p;
		l[n++] = 64 * MiB;
		*(volatile char *)p = 1;
	}
	/* how many fit before the end varies with the randomised base: stderr */
	if (n < 24)
		fprintf(stderr, "mmap-bulk: %d of 24 mapped\n", n);
	printf("mmap-bulk: %s%s, %s\n", n == 24 ? "24 of 24 mapped" : "stopped before 24: ",
	       n == 24 ? "" : strerror(err), overlaps(a, l, n) ? "overlapping" : "disjoint");
	for (int i = 0; i < n; i++)
		munmap((void *)a[i], l[i]);
}

static void mmap_hint(void)
{
	void *hint = (void *)0x90000000UL;
	void *p = mmap(hint, 4 * MiB, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		printf("mmap-hint: %s\n", strerror(errno));
	else
		printf("mmap-hint: %s\n", p == hint ? "at the hint" : "elsewhere");
	if (p != MAP_FAILED)
		munmap(p, 4 * MiB);
}

static void mremap_grow(void)
{
	char *p = mmap(NULL, 64 * 1024, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *q, *b;

	if (p == MAP_FAILED) {
		printf("mremap-grow: mmap: %s\n", strerror(errno));
		return;
	}
	/* something right after it, so that growing must move it */
	b = mmap(p + 64 * 1024, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	memset(p, 0x5a, 64 * 1024);
	q = mremap(p, 64 * 1024, 256 * MiB, MREMAP_MAYMOVE);
	if (q == MAP_FAILED) {
		printf("mremap-grow: %s\n", strerror(errno));
	} else {
		int kept = q[0] == 0x5a && q[64 * 1024 - 1] == 0x5a;

		q[256 * MiB - 1] = 1;
		printf("mremap-grow: %s, content %s\n", q == p ? "in place" : "moved",
		       kept ? "kept" : "lost");
		munmap(q, 256 * MiB);
	}
	if (b != MAP_FAILED)
		munmap(b, 4096);
}

static void shm_attach(void)
{
	int id = shmget(IPC_PRIVATE, 16 * MiB, IPC_CREAT | 0600);
	uintptr_t a[8];
	unsigned long l[8];
	int n = 0, err = 0, seen = 1;

	if (id < 0) {
		printf("shmat: shmget: %s\n", strerror(errno));
		return;
	}
	for (int i = 0; i < 8; i++) {
		void *p = shmat(id, NULL, 0);

		if (p == (void *)-1) {
			err = errno;
			break;
		}
		a[n] = (uintptr_t)p;
		l[n++] = 16 * MiB;
	}
	if (n) {
		((volatile char *)a[0])[16 * MiB - 1] = 42;
		for (int i = 1; i < n; i++)
			seen &= ((volatile char *)a[i])[16 * MiB - 1] == 42;
	}
	printf("shmat: %d of 8 attached%s%s, %s, %s\n", n, err ? ", then " : "",
	       err ? strerror(err) : "", overlaps(a, l, n) ? "overlapping" : "disjoint",
	       seen ? "shared" : "not shared");
	for (int i = 0; i < n; i++)
		shmdt((void *)a[i]);
	shmctl(id, IPC_RMID, NULL);
}

static void munmap_reuse(void)
{
	int ok = 0;

	for (int i = 0; i < 256; i++) {
		void *p = mmap(NULL, MiB, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			break;
		*(volatile char *)p = 1;
		ok += munmap(p, MiB) == 0;
	}
	printf("munmap-reuse: %d of 256\n", ok);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	mmap_bulk();
	mmap_hint();
	mremap_grow();
	shm_attach();
	munmap_reuse();
	return 0;
}
