// SPDX-License-Identifier: GPL-2.0
/*
 * box64-map32bit — an x86-64 program (box64 runs it as a 64-bit guest)
 * that asks for 48 anonymous 32 MiB mappings (1.5 GiB) with MAP_32BIT, as
 * Wine's WoW64 and older x86-64 programs do.  x86-64's contract: every such
 * mapping lies in the first 2 GiB; x86-64 kernels place them in [1 GiB,
 * 2 GiB) and fail with ENOMEM when that is full, so how many map is shown
 * (stderr), and what is checked is that none ends above 2 GiB.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

int main(void)
{
	int n = 0, above = 0;

	for (int i = 0; i < 48; i++) {
		void *p = mmap(NULL, 32UL << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);

		if (p == MAP_FAILED)
			break;
		n++;
		if ((uintptr_t)p + (32UL << 20) > 0x80000000UL)
			above++;
	}
	fprintf(stderr, "map32bit: %d of 48 mapped\n", n);
	printf("map32bit: %s, %d ending above 2 GiB\n", n ? "some mapped" : "none mapped", above);
	return 0;
}
