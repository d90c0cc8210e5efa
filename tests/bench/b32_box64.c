// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * b32_box64 - the i386 guest of b_box64: run under stock and patched box64
 * (box32, dynamic PIE: box32 runs only dynamic programs) and natively as the
 * real i386 process (static).  Times memory calls per call with
 * CLOCK_MONOTONIC around each call.
 *
 *	b32_box64 exit		return at once (start-up: exec to exit)
 *	b32_box64 [N] calls	the calls below, N each (default 512)
 *
 * Before the calls the address space is fragmented (512 mappings of 64 KiB,
 * every other one unmapped again), as a program's is after a while.  Per
 * call one line "@call NAME NS": the time of a batch of N calls
 * (CLOCK_MONOTONIC around the batch, never around one call), divided by N:
 *	mmap-64k	anonymous mmap of 64 KiB, N of them
 *	munmap-64k	their munmap (after touching each)
 *	mmap+munmap-1m	anonymous mmap of 1 MiB and its munmap
 *	mremap-grow	4 KiB -> 64 KiB with MREMAP_MAYMOVE, the page after it
 *			mapped (another protection) so that it must move
 * A call that fails prints "not ok - NAME: errno" and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static long long now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void fail(const char *what)
{
	printf("not ok - %s: %s\n", what, strerror(errno));
	exit(1);
}

#define K 1024UL
#define PROT (PROT_READ | PROT_WRITE)
#define FLAGS (MAP_PRIVATE | MAP_ANONYMOUS)

int main(int argc, char **argv)
{
	int n = 512;
	static void *frag[512], *p[4096];
	long long t, acc;

	if (argc > 1 && !strcmp(argv[1], "exit"))
		return 0;
	if (argc > 2)
		n = atoi(argv[1]);
	if (n < 1 || n > 4096) {
		printf("not ok - usage: b32_box64 exit | b32_box64 [N<=4096] calls\n");
		return 2;
	}
	for (int i = 0; i < 512; i++)
		if ((frag[i] = mmap(NULL, 64 * K, PROT, FLAGS, -1, 0)) == MAP_FAILED)
			fail("fragment");
	for (int i = 0; i < 512; i += 2)
		munmap(frag[i], 64 * K);

	t = now();
	for (int i = 0; i < n; i++)
		if ((p[i] = mmap(NULL, 64 * K, PROT, FLAGS, -1, 0)) == MAP_FAILED)
			fail("mmap-64k");
	acc = now() - t;
	printf("@call mmap-64k %lld\n", acc / n);
	for (int i = 0; i < n; i++)
		*(volatile char *)p[i] = 1;
	t = now();
	for (int i = 0; i < n; i++)
		if (munmap(p[i], 64 * K))
			fail("munmap-64k");
	acc = now() - t;
	printf("@call munmap-64k %lld\n", acc / n);
	t = now();
	for (int i = 0; i < n; i++) {
		void *q = mmap(NULL, 1024 * K, PROT, FLAGS, -1, 0);

		if (q == MAP_FAILED || munmap(q, 1024 * K))
			fail("mmap-1m");
	}
	acc = now() - t;
	printf("@call mmap+munmap-1m %lld\n", acc / n);
	/* 4 KiB mappings each followed by a mapped page: growing must move */
	for (int i = 0; i < n; i++) {
		char *a = mmap(NULL, 8 * K, PROT, FLAGS, -1, 0);

		if (a == MAP_FAILED || mprotect(a + 4 * K, 4 * K, PROT_READ))
			fail("mremap-grow (setup)");
		p[i] = a;
	}
	t = now();
	for (int i = 0; i < n; i++) {
		void *q = mremap(p[i], 4 * K, 64 * K, MREMAP_MAYMOVE);

		if (q == MAP_FAILED)
			fail("mremap-grow");
		p[i] = q;
	}
	acc = now() - t;
	printf("@call mremap-grow %lld\n", acc / n);
	printf("# b32_box64: done\n");
	return 0;
}
