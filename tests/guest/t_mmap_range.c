// SPDX-License-Identifier: GPL-2.0
/*
 * emucompat_mmap_range(): placement inside [lo, hi), wrap-around, lo == hi,
 * FIXED / FIXED_NOREPLACE, full range, huge pages, file content, the stack
 * guard gap, clamping, bad input, and racing threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "emucompat.h"
#include "common_tap.h"
#include "probe_util.h"
#include "range_util.h"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)

static struct emucompat *ec;
static uint64_t ps;
static struct emucompat_info info;

static void *mr(uint64_t lo, uint64_t hi, size_t len, int prot, int flags, int fd, off_t off)
{
	return emucompat_mmap_range(ec, lo, hi, len, prot, flags, fd, off);
}

#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)

static void test_random_ranges(void)
{
	int bad = 0, nomem = 0, good = 0;
	uint64_t top = info.task_size;

	for (int i = 0; i < 3000; i++) {
		uint64_t base = (i & 1) ? 4 * GiB : (top > (1ULL << 47) ? 1ULL << 47 : top);
		uint64_t lo = info.mmap_min + rnd() % (base - info.mmap_min);
		uint64_t span = 1 + rnd() % (256 * ps);
		uint64_t hi = lo + span;
		size_t len = 1 + rnd() % (32 * ps);
		void *p;

		if (rnd() % 8 == 0)
			lo |= 1 + rnd() % (ps - 1);	/* unaligned bounds */
		if (hi > top)
			hi = top;
		p = mr(lo, hi, len, RW, ANON, -1, 0);
		if (p == MAP_FAILED) {
			if (errno != ENOMEM) {
				bad++;
				tap_diag("lo %#llx hi %#llx len %zu: errno %d", (unsigned long long)lo,
				     (unsigned long long)hi, len, errno);
			} else {
				nomem++;
			}
			continue;
		}
		if (!in_allowed((uintptr_t)p, len, lo, hi) || !range_mapped((uintptr_t)p, len)) {
			bad++;
			tap_diag("lo %#llx hi %#llx len %zu -> %p outside", (unsigned long long)lo,
			     (unsigned long long)hi, len, p);
		}
		*(volatile char *)p = 1;
		good++;
		munmap(p, len);
	}
	tap_ok(bad == 0 && good > 1000, "3000 random ranges: %d placed inside, %d ENOMEM, %d wrong",
	   good, nomem, bad);
}

static void test_low_4g_many(void)
{
	int bad = 0;
	static void *v[2000];
	static size_t lens[2000];

	for (int i = 0; i < 2000; i++) {
		size_t len = ps * (1 + rnd() % 16);

		lens[i] = len;
		v[i] = mr(0, 4 * GiB, len, RW, ANON, -1, 0);
		if (v[i] == MAP_FAILED || (uintptr_t)v[i] + len > 4 * GiB ||
		    (uintptr_t)v[i] < info.mmap_min)
			bad++;
		else
			memset(v[i], 0x5a, len);
	}
	tap_ok(!bad, "2000 live mappings below 4 GiB, all inside (%d bad)", bad);
	for (int i = 0; i < 2000; i++)
		if (v[i] != MAP_FAILED)
			munmap(v[i], lens[i]);
}

static void test_wrap(void)
{
	uint64_t lo = info.task_size - 64 * MiB, hi = 512 * MiB;
	int bad = 0, upper = 0, lower = 0;
	void *v[64];

	for (int i = 0; i < 64; i++) {
		v[i] = mr(lo, hi, 2 * MiB, RW, ANON, -1, 0);
		if (v[i] == MAP_FAILED) {
			bad++;
			continue;
		}
		if ((uintptr_t)v[i] >= lo)
			upper++;
		else if ((uintptr_t)v[i] + 2 * MiB <= hi)
			lower++;
		else
			bad++;
	}
	/* 64 MiB at the top holds at most 32 of them, so both halves get used. */
	tap_ok(!bad && upper && lower, "wrap-around: %d in [lo, top), %d in [floor, hi), %d bad", upper,
	   lower, bad);
	for (int i = 0; i < 64; i++)
		if (v[i] != MAP_FAILED)
			munmap(v[i], 2 * MiB);
}

static void test_lo_eq_hi(void)
{
	void *a = mr(12345 * ps, 12345 * ps, ps, RW, ANON, -1, 0);
	void *b = mmap(NULL, ps, RW, ANON, -1, 0);
	uint64_t d = (uintptr_t)a > (uintptr_t)b ? (uintptr_t)a - (uintptr_t)b :
						   (uintptr_t)b - (uintptr_t)a;

	/* Plain mmap() places top-down below mmap_base: the two land together. */
	tap_ok(a != MAP_FAILED && (uintptr_t)a > 4 * GiB && d < 64 * MiB,
	   "lo == hi behaves like plain mmap (%p next to %p)", a, b);
	munmap(a, ps);
	munmap(b, ps);
}

static void test_fixed(void)
{
	uint64_t at = 3 * GiB + 17 * ps;
	void *p = mr(at, 0, 4 * ps, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);

	tap_ok(p == (void *)(uintptr_t)at, "MAP_FIXED_NOREPLACE placed at lo exactly");
	p = mr(at + ps, at + ps, ps, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
	tap_ok(p == MAP_FAILED && errno == EEXIST, "MAP_FIXED_NOREPLACE collision -> EEXIST (%d)",
	   errno);
	memset((void *)(uintptr_t)at, 7, 4 * ps);
	p = mr(at + ps, 0, ps, RW, ANON | MAP_FIXED, -1, 0);
	tap_ok(p == (void *)(uintptr_t)(at + ps) && *(char *)p == 0 && *(char *)(uintptr_t)at == 7,
	   "MAP_FIXED replaces at lo exactly");
	munmap((void *)(uintptr_t)at, 4 * ps);
}

static void test_full(void)
{
	uint64_t at = 2 * GiB + 64 * ps;
	void *blk = mr(at, 0, 16 * ps, PROT_NONE, ANON | MAP_FIXED_NOREPLACE, -1, 0);
	void *p;

	p = mr(at, at + 16 * ps, ps, RW, ANON, -1, 0);
	tap_ok(blk != MAP_FAILED && p == MAP_FAILED && errno == ENOMEM, "full range -> ENOMEM");
	munmap((char *)blk + 5 * ps, 3 * ps);
	p = mr(at, at + 16 * ps, 4 * ps, RW, ANON, -1, 0);
	tap_ok(p == MAP_FAILED && errno == ENOMEM, "hole smaller than len -> ENOMEM");
	p = mr(at, at + 16 * ps, 3 * ps, RW, ANON, -1, 0);
	tap_ok(p == (char *)blk + 5 * ps, "the only hole that fits is used");
	p = mr(at + 1, at + 16 * ps - 1, 16 * ps, RW, ANON, -1, 0);
	tap_ok(p == MAP_FAILED && errno == ENOMEM, "bounds rounded inward: 16 pages do not fit");
	munmap(blk, 16 * ps);
}

static void test_clamp(void)
{
	void *p = mr(info.task_size - 4 * MiB, ~0ULL, ps, RW, ANON, -1, 0);

	tap_ok(p != MAP_FAILED && (uintptr_t)p + ps <= info.task_size &&
	   (uintptr_t)p >= info.task_size - 4 * MiB, "hi beyond the address space is clamped (%p)",
	   p);
	munmap(p, ps);
	p = mr(0, 1 * GiB, ps, RW, ANON, -1, 0);
	tap_ok(p != MAP_FAILED && (uintptr_t)p >= info.mmap_min, "lo below mmap_min is clamped");
	munmap(p, ps);
	p = mr(info.task_size, info.task_size + GiB, ps, RW, ANON, -1, 0);
	tap_ok(p == MAP_FAILED && errno == ENOMEM, "range entirely beyond the address space -> ENOMEM");
}

static void test_file(void)
{
	char path[] = "/tmp/emucompat-mmap-XXXXXX";
	int fd = mkstemp(path), good = 1;
	unsigned char *buf = malloc(4 * ps), *p;

	for (uint64_t i = 0; i < 4 * ps; i++)
		buf[i] = (unsigned char)(i * 7 + i / ps);
	if (fd < 0 || write(fd, buf, 4 * ps) != (ssize_t)(4 * ps)) {
		tap_ok(0, "file set-up");
		return;
	}
	p = mr(GiB, 4 * GiB, 2 * ps, PROT_READ, MAP_SHARED, fd, ps);
	if (p != MAP_FAILED)
		good = !memcmp(p, buf + ps, 2 * ps);
	tap_ok(p != MAP_FAILED && (uintptr_t)p >= GiB && (uintptr_t)p + 2 * ps <= 4 * GiB && good,
	   "file-backed mapping at offset 1 page: inside and content correct");
	munmap(p, 2 * ps);
	p = mr(GiB, 4 * GiB, ps, PROT_READ, MAP_SHARED, fd, 1);
	tap_ok(p == MAP_FAILED && errno == EINVAL, "unaligned offset -> EINVAL");
	p = mr(GiB, 4 * GiB, ps, PROT_READ | PROT_WRITE, MAP_SHARED, open("/proc/self/exe", O_RDONLY), 0);
	tap_ok(p == MAP_FAILED && errno == EACCES, "writable shared map of a read-only fd -> EACCES");
	close(fd);
	unlink(path);
	free(buf);
}

static void test_hugetlb(void)
{
	uint64_t hps = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");
	unsigned long kb, total = 0;
	int fd;
	void *p;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Hugepagesize: %lu kB", &kb) == 1)
			hps = kb * 1024ULL;
		if (sscanf(line, "HugePages_Total: %lu", &kb) == 1)
			total = kb;
	}
	if (f)
		fclose(f);
	if (!hps || total < 4) {
		tap_skip("not available here", "no huge pages reserved (HugePages_Total %lu)", total);
		tap_skip("not available here", "no huge pages reserved");
		return;
	}
	fd = open("/dev/hugepages/emucompat-test", O_CREAT | O_RDWR, 0600);
	if (fd < 0) {
		tap_skip("not available here", "hugetlbfs not mounted at /dev/hugepages");
	} else {
		p = mr(GiB + ps, 4 * GiB, hps, RW, MAP_SHARED, fd, 0);
		tap_ok(p != MAP_FAILED && (uintptr_t)p % hps == 0 && (uintptr_t)p >= GiB &&
		   (uintptr_t)p + hps <= 4 * GiB, "hugetlbfs file: huge-page aligned inside (%p)", p);
		if (p != MAP_FAILED) {
			memset(p, 1, hps);
			munmap(p, hps);
		}
		close(fd);
		unlink("/dev/hugepages/emucompat-test");
	}
	p = mr(GiB, 4 * GiB, hps + 1, RW, ANON | MAP_HUGETLB, -1, 0);
	tap_ok(p != MAP_FAILED && (uintptr_t)p % hps == 0 && (uintptr_t)p + 2 * hps <= 4 * GiB,
	   "anonymous MAP_HUGETLB: aligned, length rounded up (%p)", p);
	if (p != MAP_FAILED) {
		memset(p, 2, 2 * hps);
		munmap(p, 2 * hps);
	}
}

static void test_guard_gap(void)
{
	uint64_t g = 3 * GiB + 512 * MiB;
	void *stk = mmap((void *)(uintptr_t)g, 16 * ps, RW,
			 ANON | MAP_GROWSDOWN | MAP_FIXED_NOREPLACE, -1, 0);
	void *p;

	if (stk == MAP_FAILED) {
		tap_ok(0, "MAP_GROWSDOWN set-up (%d)", errno);
		return;
	}
	p = mr(g - 4 * MiB, g, 64 * 1024, RW, ANON, -1, 0);
	tap_ok(p != MAP_FAILED && (uintptr_t)p + 64 * 1024 <= g - 256 * ps,
	   "stack guard gap kept below a MAP_GROWSDOWN mapping (%p, stack %#llx)", p,
	   (unsigned long long)g);
	munmap(p, 64 * 1024);
	munmap(stk, 16 * ps);
}

static void test_bad_input(void)
{
	int maps = pt_count_maps(), fds = pt_count_fds();
	void *p;

	p = mr(GiB, 2 * GiB, 0, RW, ANON, -1, 0);
	tap_ok(p == MAP_FAILED && errno == EINVAL, "len 0 -> EINVAL");
	p = mr(GiB, 2 * GiB, ps, RW, ANON | 0x200000, -1, 0);
	tap_ok(p == MAP_FAILED && errno == EINVAL, "unknown flag -> EINVAL");
	p = mr(GiB, 2 * GiB, ps, RW | 0x1000, ANON, -1, 0);
	tap_ok(p == MAP_FAILED && errno == EINVAL, "unknown prot bit -> EINVAL");
	p = mr(GiB, 2 * GiB, ps, RW, MAP_ANONYMOUS, -1, 0);
	tap_ok(p == MAP_FAILED && errno == EINVAL, "no map type -> EINVAL");
	p = mr(GiB, 2 * GiB, ps, RW, MAP_PRIVATE, 999, 0);
	tap_ok(p == MAP_FAILED && errno == EBADF, "bad fd -> EBADF");
	p = mr(GiB, 2 * GiB, 1ULL << 62, RW, ANON, -1, 0);
	tap_ok(p == MAP_FAILED && errno == ENOMEM, "len beyond the address space -> ENOMEM");
	tap_ok(pt_count_maps() == maps && pt_count_fds() == fds, "bad input left no mapping and no descriptor");
}

struct racer {
	int id;
	uint64_t lo, hi;
	int n;
	void *addr[400];
	size_t len[400];
	bool plain;
};

static void *race_fn(void *arg)
{
	struct racer *r = arg;

	for (int i = 0; i < 400; i++) {
		size_t len = ps * (1 + (rnd() + r->id) % 4);
		void *p;

		if (r->plain) {
			/* A plain mmap with a hint inside the range. */
			uint64_t hint = r->lo + ((rnd() % ((r->hi - r->lo) / ps)) * ps);

			p = mmap((void *)(uintptr_t)hint, len, RW, ANON, -1, 0);
		} else {
			p = mr(r->lo, r->hi, len, RW, ANON, -1, 0);
		}
		if (p == MAP_FAILED)
			continue;
		memset(p, r->id + 1, len);
		r->addr[r->n] = p;
		r->len[r->n++] = len;
	}
	return NULL;
}

static int cmp_iv(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

static void test_race(void)
{
	struct racer r[5];
	pthread_t t[5];
	uint64_t lo = GiB, hi = GiB + 24 * MiB, (*iv)[3];
	int total = 0, overlap = 0, clobbered = 0, outside = 0, k = 0;

	for (int i = 0; i < 5; i++) {
		r[i] = (struct racer){ .id = i, .lo = lo, .hi = hi, .plain = i == 4 };
		pthread_create(&t[i], NULL, race_fn, &r[i]);
	}
	for (int i = 0; i < 5; i++) {
		pthread_join(t[i], NULL);
		total += r[i].n;
	}
	iv = calloc(total, sizeof(*iv));
	for (int i = 0; i < 5; i++) {
		for (int j = 0; j < r[i].n; j++) {
			unsigned char *p = r[i].addr[j];

			iv[k][0] = (uintptr_t)p;
			iv[k][1] = (uintptr_t)p + r[i].len[j];
			iv[k++][2] = i;
			for (size_t b = 0; b < r[i].len[j]; b += 512)
				if (p[b] != i + 1)
					clobbered++;
			if (i != 4 && !in_allowed((uintptr_t)p, r[i].len[j], lo, hi))
				outside++;
		}
	}
	qsort(iv, total, sizeof(*iv), cmp_iv);
	for (int i = 1; i < total; i++)
		if (iv[i][0] < iv[i - 1][1])
			overlap++;
	tap_ok(!overlap && !clobbered && !outside && r[0].n > 100,
	   "4 ranged threads + 1 plain-mmap thread: %d mappings, %d overlaps, %d clobbered, %d outside",
	   total, overlap, clobbered, outside);
	for (int i = 0; i < total; i++)
		munmap((void *)(uintptr_t)iv[i][0], iv[i][1] - iv[i][0]);
	free(iv);
}

static void test_47bit(void)
{
	uint64_t lim = 1ULL << 47;
	int bad = 0;

	if (info.task_size <= lim) {
		tap_skip("not available here", "address space is not above 47 bits (task_size %#llx)",
		     (unsigned long long)info.task_size);
		return;
	}
	for (int i = 0; i < 100; i++) {
		void *p = mr(4 * GiB, lim, 1 * MiB, RW, ANON, -1, 0);

		if (p == MAP_FAILED || (uintptr_t)p + MiB > lim)
			bad++;
		else
			munmap(p, MiB);
	}
	tap_ok(!bad, "47-bit range for x86-64 guests on a larger address space");
}

/*
 * Above 48 bits (arm64 with 52-bit VA and FEAT_LVA, x86-64 with LA57):
 * mmap() places a mapping above DEFAULT_MAP_WINDOW only when asked to with
 * a hint there.  A range lying entirely below the window, or "anywhere",
 * must stay below it; a range above it must be honoured.
 */
/*
 * The gap search against the address space as /proc/self/maps shows it:
 * in a 64 MiB region punched with random holes, every ranged mmap of a
 * random length must end exactly at the end of the highest hole that
 * fits (the search is top-down), or fail with ENOMEM when none does.
 */
static void test_gap_oracle(void)
{
	const uint64_t rlen = 64 * MiB;
	uint8_t *r = mmap(NULL, rlen, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint64_t a = (uintptr_t)r, npages = rlen / ps;
	int bad = 0, found = 0, nomem = 0;

	if (r == MAP_FAILED) {
		tap_ok(0, "gap oracle: region: %s", strerror(errno));
		return;
	}
	/* holes of 1..64 pages at random places; alternate prot keeps VMAs apart */
	for (int i = 0; i < 300; i++) {
		uint64_t pg = rnd() % npages, n = 1 + rnd() % 64;

		if (pg + n > npages)
			n = npages - pg;
		munmap(r + pg * ps, n * ps);
		if (i % 3 == 0)
			mmap(r + ((pg + n / 2) % npages) * ps, ps, PROT_READ,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	}
	for (int i = 0; i < 300; i++) {
		uint64_t len = (1 + rnd() % 48) * ps, want = 0;
		struct map_ent *v;
		int n = read_maps(&v);
		uint64_t cur = a + rlen;
		void *p;

		/* walk the maps downwards: free stretches inside [a, a + rlen) */
		for (int k = n - 1; k >= -1 && !want; k--) {
			uint64_t vs = k >= 0 ? v[k].start : 0, ve = k >= 0 ? v[k].end : 0;

			if (k >= 0 && vs >= cur)
				continue;
			if (ve < a)
				ve = a;
			if (cur > ve && cur - ve >= len)
				want = cur;
			if (k >= 0 && vs < cur)
				cur = vs;
			if (cur <= a)
				break;
		}
		free(v);
		p = mr(a, a + rlen, len, RW, ANON, -1, 0);
		if (!want) {
			nomem++;
			if (p != MAP_FAILED || errno != ENOMEM)
				bad++;
		} else {
			found++;
			if (p == MAP_FAILED || (uintptr_t)p + len != want) {
				if (bad++ < 5)
					tap_diag("gap oracle: len %#llx: got %p, want end %#llx",
						 (unsigned long long)len, p, (unsigned long long)want);
			}
		}
		/* keep some placements: the address space keeps changing */
		if (p != MAP_FAILED && (i & 1))
			munmap(p, len);
	}
	tap_ok(!bad, "gap search = highest fitting hole from /proc/self/maps: %d placed, %d ENOMEM, %d wrong",
	       found, nomem, bad);
	munmap(r, rlen);
}

static bool poke(void *p, uint64_t len)
{
	volatile char *c = p;

	c[0] = 1;
	c[len - 1] = 2;
	return c[0] == 1 && c[len - 1] == 2;
}

static void test_above_48bit(void)
{
	uint64_t win = 1ULL << 48, lo, hi;
	void *p, *q;
	int bad;

	if (info.task_size <= win) {
		tap_skip("not available here", "address space is not above 48 bits (task_size %#llx)",
		     (unsigned long long)info.task_size);
		return;
	}
	tap_diag("task_size %#llx: testing placement above 48 bits",
		 (unsigned long long)info.task_size);
	p = mmap(NULL, MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	q = mr(0, 0, MiB, RW, ANON, -1, 0);
	tap_ok(p != MAP_FAILED && (uintptr_t)p + MiB <= win && q != MAP_FAILED &&
	       (uintptr_t)q + MiB <= win,
	       "without a hint above 48 bits, plain mmap (%p) and an unranged mmap_range (%p) stay below it",
	       p, q);
	if (p != MAP_FAILED)
		munmap(p, MiB);
	if (q != MAP_FAILED)
		munmap(q, MiB);

	lo = win;
	hi = info.task_size;
	bad = 0;
	for (int i = 0; i < 50; i++) {
		p = mr(lo, hi, MiB, RW, ANON, -1, 0);
		if (p == MAP_FAILED || (uintptr_t)p < lo || (uintptr_t)p + MiB > hi ||
		    !poke(p, MiB))
			bad++;
		if (p != MAP_FAILED)
			munmap(p, MiB);
	}
	tap_ok(!bad, "[2^48, task_size): 50 mappings land inside and are usable (%d bad)", bad);

	lo = 1ULL << 50;
	hi = lo + 4 * GiB;
	p = mr(lo, hi, 64 * MiB, RW, ANON, -1, 0);
	tap_ok(p != MAP_FAILED && (uintptr_t)p >= lo && (uintptr_t)p + 64 * MiB <= hi &&
	       poke(p, 64 * MiB),
	       "[2^50, 2^50 + 4 GiB): 64 MiB lands inside (%p)", p);
	if (p != MAP_FAILED)
		munmap(p, 64 * MiB);

	/* a range straddling 2^48 that only fits straddling it */
	p = mr(win - 2 * MiB, win + 2 * MiB, 4 * MiB, RW, ANON, -1, 0);
	tap_ok(p == (void *)(uintptr_t)(win - 2 * MiB) && poke(p, 4 * MiB),
	       "[2^48 - 2 MiB, 2^48 + 2 MiB): 4 MiB lands across 2^48 (%p)", p);
	if (p != MAP_FAILED)
		munmap(p, 4 * MiB);
}

int main(void)
{
	ps = (uint64_t)sysconf(_SC_PAGESIZE);
	ec = emucompat_open();
	if (!tap_ok(ec != NULL, "emucompat_open"))
		return tap_done();
	memset(&info, 0, sizeof(info));
	emucompat_info(ec, &info);
	tap_ok(info.api_version == EMUCOMPAT_API_VERSION &&
	   (info.caps & EMUCOMPAT_CAP_MMAP_RANGE) && info.task_size > 4 * GiB && info.mmap_min,
	   "info: api %u caps %#llx arch %u task_size %#llx mmap_min %#llx", info.api_version,
	   (unsigned long long)info.caps, info.arch, (unsigned long long)info.task_size,
	   (unsigned long long)info.mmap_min);
	test_random_ranges();
	test_low_4g_many();
	test_wrap();
	test_lo_eq_hi();
	test_fixed();
	test_full();
	test_clamp();
	test_file();
	test_hugetlb();
	test_guard_gap();
	test_bad_input();
	test_race();
	test_47bit();
	test_above_48bit();
	test_gap_oracle();
	emucompat_close(ec);
	return tap_done();
}
