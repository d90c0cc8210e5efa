// SPDX-License-Identifier: GPL-2.0
/* emucompat_mremap_range(): in place when possible, moves stay inside. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "emucompat.h"
#include "common_tap.h"
#include "probe_util.h"
#include "range_util.h"

#define GiB (1ULL << 30)
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static struct emucompat *ec;
static uint64_t ps;

static void fill(void *p, size_t len, int seed)
{
	for (size_t i = 0; i < len; i += 64)
		((unsigned char *)p)[i] = (unsigned char)(i / 64 + seed);
}

static bool same(const void *p, size_t len, int seed)
{
	for (size_t i = 0; i < len; i += 64)
		if (((const unsigned char *)p)[i] != (unsigned char)(i / 64 + seed))
			return false;
	return true;
}

int main(void)
{
	uint64_t lo = GiB, hi = 2 * GiB;
	char *a, *b, *blk;
	int maps;

	ps = (uint64_t)sysconf(_SC_PAGESIZE);
	ec = emucompat_open();
	if (!tap_ok(ec != NULL, "emucompat_open"))
		return tap_done();

	a = emucompat_mmap_range(ec, lo + 4096 * ps, 0, 4 * ps, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
	fill(a, 4 * ps, 1);
	/* Make room right after it, then grow in place. */
	munmap(a + 4 * ps, 8 * ps);
	b = emucompat_mremap_range(ec, a, 4 * ps, 8 * ps, MREMAP_MAYMOVE, lo, hi);
	tap_ok(b == a && same(b, 4 * ps, 1), "grows in place when the space after is free");
	b = emucompat_mremap_range(ec, a, 8 * ps, 2 * ps, 0, lo, hi);
	tap_ok(b == a && same(b, 2 * ps, 1) && !range_mapped((uintptr_t)a + 2 * ps, ps),
	   "shrinks in place");

	/* Block the space after it: growing must move, inside the range. */
	blk = mmap(a + 2 * ps, ps, PROT_NONE, ANON | MAP_FIXED_NOREPLACE, -1, 0);
	b = emucompat_mremap_range(ec, a, 2 * ps, 64 * ps, 0, lo, hi);
	tap_ok(b == MAP_FAILED && errno == ENOMEM, "no MREMAP_MAYMOVE and no room -> ENOMEM");
	b = emucompat_mremap_range(ec, a, 2 * ps, 64 * ps, MREMAP_MAYMOVE, lo, hi);
	tap_ok(b != MAP_FAILED && b != a && in_allowed((uintptr_t)b, 64 * ps, lo, hi) &&
	   same(b, 2 * ps, 1) && !range_mapped((uintptr_t)a, ps),
	   "moves inside the range with content (%p -> %p)", a, b);
	munmap(blk, ps);

	/* A mapping outside the range moves in when it grows. */
	a = mmap(NULL, 2 * ps, RW, ANON, -1, 0);
	fill(a, 2 * ps, 3);
	b = emucompat_mremap_range(ec, a, 2 * ps, 3 * ps, MREMAP_MAYMOVE, lo, hi);
	tap_ok(b != MAP_FAILED && in_allowed((uintptr_t)b, 3 * ps, lo, hi) && same(b, 2 * ps, 3),
	   "a mapping above the range moves into it (%p -> %p)", a, b);
	munmap(b, 3 * ps);

	/* Wrap-around range. */
	a = mmap(NULL, ps, RW, ANON, -1, 0);
	b = emucompat_mremap_range(ec, a, ps, 5 * ps, MREMAP_MAYMOVE, 3 * GiB, 256 << 20);
	tap_ok(b != MAP_FAILED && in_allowed((uintptr_t)b, 5 * ps, 3 * GiB, 256 << 20),
	   "wrap-around range (%p)", b);
	munmap(b, 5 * ps);

	/* MREMAP_FIXED places at lo. */
	a = mmap(NULL, ps, RW, ANON, -1, 0);
	fill(a, ps, 4);
	b = emucompat_mremap_range(ec, a, ps, 2 * ps, MREMAP_MAYMOVE | MREMAP_FIXED,
				   3 * GiB + 5 * ps, 0);
	tap_ok(b == (void *)(uintptr_t)(3 * GiB + 5 * ps) && same(b, ps, 4), "MREMAP_FIXED at lo");
	munmap(b, 2 * ps);

	/* lo == hi: plain mremap. */
	a = mmap(NULL, ps, RW, ANON, -1, 0);
	b = emucompat_mremap_range(ec, a, ps, 4 * ps, MREMAP_MAYMOVE, 7, 7);
	tap_ok(b != MAP_FAILED, "lo == hi behaves like mremap");
	munmap(b, 4 * ps);

	/* Full range. */
	blk = emucompat_mmap_range(ec, 3 * GiB, 3 * GiB + 64 * ps, 64 * ps, PROT_NONE, ANON, -1, 0);
	a = mmap(NULL, ps, RW, ANON, -1, 0);
	maps = pt_count_maps();
	b = emucompat_mremap_range(ec, a, ps, 2 * ps, MREMAP_MAYMOVE, 3 * GiB, 3 * GiB + 64 * ps);
	tap_ok(blk != MAP_FAILED && b == MAP_FAILED && errno == ENOMEM && pt_count_maps() == maps &&
	   range_mapped((uintptr_t)a, ps), "full range -> ENOMEM, old mapping untouched");
	munmap(blk, 64 * ps);

	/* Bad input leaves nothing behind. */
	maps = pt_count_maps();
	b = emucompat_mremap_range(ec, (void *)(uintptr_t)(GiB + 12345 * ps), ps, 2 * ps,
				   MREMAP_MAYMOVE, 3 * GiB, 4 * GiB);
	tap_ok(b == MAP_FAILED && errno == EFAULT && pt_count_maps() == maps,
	   "unmapped old range -> EFAULT, no placeholder left (%d)", errno);
	b = emucompat_mremap_range(ec, a, ps, 2 * ps, 0x100, 3 * GiB, 4 * GiB);
	tap_ok(b == MAP_FAILED && errno == EINVAL, "unknown flag -> EINVAL");
	b = emucompat_mremap_range(ec, a + 1, ps, 2 * ps, MREMAP_MAYMOVE, 3 * GiB, 4 * GiB);
	tap_ok(b == MAP_FAILED && errno == EINVAL && pt_count_maps() == maps,
	   "unaligned old address -> EINVAL, nothing left");
	munmap(a, ps);
	emucompat_close(ec);
	return tap_done();
}
