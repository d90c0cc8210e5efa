// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * q32_mmap - an mmap-heavy 32-bit program: the guest of the QEMU
 * linux-user placement test (tests/guest/t_qemu_mmap.sh) and benchmark
 * (tests/bench/b_qemu.c).  Built static for i386 and armhf (tests/Makefile,
 * q32_* rule: OUT/q32_mmap.i386, OUT/q32_mmap.armhf).  Run natively as a
 * real 32-bit process it is its own oracle: every check below holds for
 * the kernel's own placement, so it must hold under an emulator too.
 *
 *	q32_mmap [-n N] [-s SEED] [-S] [-T TABLE]
 *
 * Phases (one TAP line each; the first few failures as "# FAIL" lines):
 *   1. N (default 4000) anonymous mmap(NULL) of 1-64 pages, a quarter of
 *      them then mprotect()ed read-only (so neighbours do not merge);
 *   2. their contents (a tag in the first and last word of every 16th page);
 *   3. random munmap() of ~40%: whole mappings, heads, tails, middles;
 *   4. N/2 more mmap(NULL) into the fragmented space;
 *   5. mremap() grow with MREMAP_MAYMOVE of 10% of the writable ones:
 *      old contents at the new place, the grown part zero-filled;
 *   6. mremap() shrink in place (-S: skipped; QEMU 7.2 with reserved_va
 *      gets it wrong: target_mremap() re-reserves old_size - new_size bytes
 *      at old_addr + old_size instead of old_addr + new_size, i.e. turns the
 *      start of whatever follows the mapping into PROT_NONE, and the
 *      program dies with SIGSEGV when it reads that neighbour);
 *   7. shmget + shmat(NULL) of 8 segments (page aligned: SHMLBA binds
 *      only an address the caller passes; how many are is reported); a second
 *      attach of two of them sees the first one's writes and back;
 *   8. file mappings (MAP_SHARED read-only, MAP_PRIVATE writable, one
 *      MAP_SHARED writable whose write pread() sees, a private write it
 *      does not) at random page offsets of a 64-page file;
 *   9. the contents of every live mapping again;
 *  10. every live mapping is in /proc/self/maps (the emulator's view of it
 *      under QEMU);
 *  11. everything unmapped / detached.
 * Every address returned is checked when it is returned: page aligned,
 * at or above vm.mmap_min_addr, its end at or below
 * 4 GiB (0xffff0000, the vectors page, on ARM), not overlapping any live mapping of this program nor anything
 * that was mapped when it started (its own table: a bitmap of the 2^20
 * pages of the 32-bit space).
 *
 * -T TABLE: after phase 10, write the live mappings to TABLE (atomically:
 * TABLE.tmp, then rename) and wait (up to 600 s) for TABLE.done to appear
 * before going on: the caller then compares them with the host's view of
 * the process, /proc/PID/maps of the emulator:
 *
 *	q32_mmap --check-host PID TABLE [--base0 | --base0-reserved]
 *
 * run natively (a 32-bit process reads the 64-bit /proc/PID/maps fine):
 * guest_base is where the host maps the one-page marker file the table
 * names, minus the guest address the guest got for it; every live guest
 * mapping [a, a + len) must then be host memory at guest_base + a with the
 * guest's protections (readable; writable if the guest's is).  --base0:
 * guest_base must be 0 (guest pointers are host pointers) and the process
 * must hold no PROT_NONE reservation of 1 GiB or more (no reserved_va: the
 * 7.2 series).  --base0-reserved: guest_base must be 0 and the process
 * must hold such a reservation (QEMU's stock layout, kept by the 10.0
 * series: the guest space reserved, guest pointers host pointers).
 *
 * Output: TAP, then "# q32_mmap: summary: ..." with the counts, the
 * lowest/highest address used and the failures.  Exit 0 iff all passed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>

#if UINTPTR_MAX != 0xffffffffu
#error "q32_mmap is a 32-bit program: build it for i686 or armhf"
#endif

#define PG		4096u
#define NPG32		(1u << 20)		/* pages in the 32-bit space */
#define MAXENT		32768
#define MAXPAGES	64
#define TAGSTEP		16			/* every 16th page carries a tag */
#define NSHM		8
#define NFILE		12
#define FILE_PAGES	64
#define MAXFAILSHOWN	8

/*
 * The end of the guest address space: 4 GiB on i386; on ARM the vectors
 * page at 0xffff0000, where a 32-bit ARM kernel's user space ends and
 * where QEMU's arm targets end the guest space (7.2: arm_max_reserved_va();
 * the guest's commpage is there).  A real armhf process on arm64 gets its
 * mappings top-down from below its stack, far below it.
 */
#ifdef __arm__
#define GUEST_TOP	0xffff0000ull
#else
#define GUEST_TOP	(1ull << 32)
#endif

enum kind { K_ANON, K_SHM, K_FILE, K_MARKER };
static const char kind_char[] = { 'a', 's', 'f', 'm' };

struct ent {
	uint32_t addr;		/* guest address */
	uint32_t np;		/* pages */
	uint32_t id;		/* mapping id (tags) */
	uint32_t pofs;		/* first page's index in the original mapping/file */
	uint8_t kind;
	uint8_t ro;		/* read-only */
	uint8_t shared;		/* MAP_SHARED (file) */
};

static struct ent tab[MAXENT];
static int nent;
static uint8_t used[NPG32 / 8];		/* pages of live mappings (ours) */
static uint8_t pre[NPG32 / 8];		/* pages mapped when we started */
static uint32_t min_addr = PG;
static uint32_t lowest = 0xffffffffu, highest;
static uint64_t rng_state;
static uint32_t seed = 1, next_id = 1;
static int tapn, total_fail;
static int phase_fail;
static const char *phase_name;
static char tmpdir[256];

static unsigned long n_shmlba;
static unsigned long n_mmap, n_munmap, n_partial, n_mremap, n_moved, n_shrink,
		     n_shmat, n_filemap;

/* ---- helpers ------------------------------------------------------------ */

static uint32_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

static uint32_t rnd_in(uint32_t lo, uint32_t hi)	/* [lo, hi] */
{
	return lo + rnd() % (hi - lo + 1);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	phase_fail++;
	total_fail++;
	if (phase_fail > MAXFAILSHOWN) {
		if (phase_fail == MAXFAILSHOWN + 1)
			printf("# FAIL %s: (more failures not shown)\n", phase_name);
		return;
	}
	printf("# FAIL %s: ", phase_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static double phase_t0;

static void phase_begin(const char *name)
{
	phase_name = name;
	phase_fail = 0;
	phase_t0 = now_ms();
}

static void phase_end(const char *fmt, ...)
{
	va_list ap;
	double ms = now_ms() - phase_t0;

	printf("%s %d - ", phase_fail ? "not ok" : "ok", ++tapn);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (phase_fail)
		printf(" (%d failures)", phase_fail);
	printf("\n# %s: %.1f ms\n", phase_name, ms);
	fflush(stdout);
}

static int bit_get(const uint8_t *b, uint32_t p)
{
	return b[p >> 3] >> (p & 7) & 1;
}

static void bits_set(uint8_t *b, uint32_t p, uint32_t n, int v)
{
	for (; n; n--, p++) {
		if (v)
			b[p >> 3] |= 1u << (p & 7);
		else
			b[p >> 3] &= ~(1u << (p & 7));
	}
}

/* The first page of [p, p + n) that is set in b, or -1. */
static int64_t bits_any(const uint8_t *b, uint32_t p, uint32_t n)
{
	for (; n; n--, p++)
		if (bit_get(b, p))
			return p;
	return -1;
}

static uint32_t tag_of(uint32_t id, uint32_t k)
{
	uint32_t x = (id * 0x9E3779B1u) ^ (k * 0x85EBCA77u) ^ seed;

	x ^= x >> 15;
	x *= 0x2C1B3C6Du;
	x ^= x >> 12;
	return x | 1;		/* never 0: a zero page is told apart */
}

static uint32_t file_tag(uint32_t k)
{
	return tag_of(0xF11E0000u, k);
}

static volatile uint32_t *word(uint32_t addr, uint32_t off)
{
	return (volatile uint32_t *)(uintptr_t)(addr + off);
}

/*
 * A new mapping [a, a + np pages) returned for @what: valid 32-bit
 * address, aligned to @align, no overlap with anything live or pre-existing.
 * Marks it used when valid.  Returns 0 if all checks held.
 */
static int place_check(const char *what, void *p, uint32_t np, uint32_t align)
{
	uint32_t a = (uint32_t)(uintptr_t)p;
	uint64_t end = (uint64_t)a + (uint64_t)np * PG;
	int64_t c;

	if (a % align) {
		fail("%s: %#" PRIx32 " not aligned to %#" PRIx32, what, a, align);
		return -1;
	}
	if (a < min_addr) {
		fail("%s: %#" PRIx32 " below mmap_min_addr %#" PRIx32, what, a, min_addr);
		return -1;
	}
	if (end > GUEST_TOP) {
		fail("%s: [%#" PRIx32 ", %#" PRIx64 ") ends above the guest space (%#llx)", what, a,
		     end, GUEST_TOP);
		return -1;
	}
	c = bits_any(used, a / PG, np);
	if (c >= 0) {
		fail("%s: [%#" PRIx32 ", %#" PRIx64 ") overlaps a live mapping at page %#" PRIx64,
		     what, a, end, (uint64_t)c * PG);
		return -1;
	}
	c = bits_any(pre, a / PG, np);
	if (c >= 0) {
		fail("%s: [%#" PRIx32 ", %#" PRIx64 ") overlaps %#" PRIx64
		     ", mapped when the program started", what, a, end, (uint64_t)c * PG);
		return -1;
	}
	bits_set(used, a / PG, np, 1);
	if (a < lowest)
		lowest = a;
	if (end - 1 > highest)
		highest = (uint32_t)(end - 1);
	return 0;
}

static struct ent *add_ent(uint32_t a, uint32_t np, uint32_t id, uint32_t pofs, int kind)
{
	struct ent *e;

	if (nent >= MAXENT) {
		fprintf(stderr, "q32_mmap: table full\n");
		exit(2);
	}
	e = &tab[nent++];
	memset(e, 0, sizeof(*e));
	e->addr = a;
	e->np = np;
	e->id = id;
	e->pofs = pofs;
	e->kind = kind;
	return e;
}

static void del_ent(int i)
{
	tab[i] = tab[--nent];
}

/* Write the tags of pages [from, to) (indices in the entry) of an anon entry. */
static void write_tags(const struct ent *e, uint32_t from, uint32_t to)
{
	uint32_t i;

	for (i = from; i < to; i++) {
		uint32_t k = e->pofs + i;

		if (k % TAGSTEP == 0) {
			uint32_t t = tag_of(e->id, k);

			*word(e->addr + i * PG, 0) = t;
			*word(e->addr + i * PG, PG - 4) = ~t;
		}
	}
}

/*
 * Check the contents of an entry.  Anonymous: pages k % TAGSTEP == 0 carry
 * (tag, ~tag) in their first and last word.  Shm: every page's first word
 * is its tag.  File: every page's first word is the file's tag of its
 * offset.  Returns the number of bad pages.
 */
static int check_ent(const struct ent *e, const char *what)
{
	uint32_t i, bad = 0;

	for (i = 0; i < e->np; i++) {
		uint32_t k = e->pofs + i, a = e->addr + i * PG, w0, w1, want;

		switch (e->kind) {
		case K_ANON:
			if (k % TAGSTEP)
				continue;
			want = tag_of(e->id, k);
			w0 = *word(a, 0);
			w1 = *word(a, PG - 4);
			if (w0 != want || w1 != ~want) {
				if (!bad)
					fail("%s: mapping %u at %#" PRIx32 ", page %u: %#" PRIx32
					     "/%#" PRIx32 ", want %#" PRIx32 "/%#" PRIx32,
					     what, e->id, e->addr, k, w0, w1, want, ~want);
				bad++;
			}
			break;
		case K_SHM:
			want = tag_of(e->id, k);
			w0 = *word(a, 0);
			if (w0 != want) {
				if (!bad)
					fail("%s: shm %u at %#" PRIx32 ", page %u: %#" PRIx32
					     ", want %#" PRIx32, what, e->id, e->addr, k, w0, want);
				bad++;
			}
			break;
		case K_FILE:
		case K_MARKER:
			want = e->kind == K_FILE ? file_tag(k) : 0x4d41524bu;
			w0 = *word(a, 0);
			if (w0 != want) {
				if (!bad)
					fail("%s: file mapping at %#" PRIx32 ", file page %u: %#" PRIx32
					     ", want %#" PRIx32, what, e->addr, k, w0, want);
				bad++;
			}
			break;
		}
	}
	return bad;
}

/* Mark what is mapped now (from /proc/self/maps) in pre[]. */
static int read_pre(void)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "re");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;

		if (sscanf(line, "%llx-%llx", &s, &e) != 2 || s >= (1ull << 32))
			continue;
		if (e > (1ull << 32))
			e = 1ull << 32;
		bits_set(pre, (uint32_t)(s / PG), (uint32_t)((e - s + PG - 1) / PG), 1);
		n++;
	}
	fclose(f);
	return n;
}

/* ---- phases ------------------------------------------------------------- */

static void do_mmaps(unsigned long n, const char *name)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		uint32_t np = rnd_in(1, MAXPAGES), id = next_id++;
		void *p = mmap(NULL, (size_t)np * PG, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct ent *e;

		n_mmap++;
		if (p == MAP_FAILED) {
			fail("%s: mmap(NULL, %u pages): %s", name, np, strerror(errno));
			continue;
		}
		if (place_check(name, p, np, PG)) {
			/* Not ours to keep: do not touch it (it may be someone else's). */
			continue;
		}
		e = add_ent((uint32_t)(uintptr_t)p, np, id, 0, K_ANON);
		write_tags(e, 0, np);
		if (rnd() % 4 == 0) {
			if (mprotect(p, (size_t)np * PG, PROT_READ))
				fail("%s: mprotect(%p, %u pages, PROT_READ): %s", name, p, np,
				     strerror(errno));
			else
				e->ro = 1;
		}
	}
}

static void check_all(const char *what)
{
	int i;

	for (i = 0; i < nent; i++)
		check_ent(&tab[i], what);
}

/* munmap [i0, i0 + n) pages of entry @i (anon), updating the table. */
static void unmap_part(int i, uint32_t i0, uint32_t n)
{
	struct ent *e = &tab[i];
	uint32_t a = e->addr + i0 * PG;

	n_munmap++;
	if (munmap((void *)(uintptr_t)a, (size_t)n * PG)) {
		fail("munmap(%#" PRIx32 ", %u pages): %s", a, n, strerror(errno));
		return;
	}
	bits_set(used, a / PG, n, 0);
	if (i0 == 0 && n == e->np) {
		del_ent(i);
		return;
	}
	n_partial++;
	if (i0 == 0) {			/* head */
		e->addr += n * PG;
		e->pofs += n;
		e->np -= n;
	} else if (i0 + n == e->np) {	/* tail */
		e->np = i0;
	} else {			/* middle: split */
		struct ent *t = add_ent(e->addr + (i0 + n) * PG, e->np - i0 - n, e->id,
					e->pofs + i0 + n, K_ANON);

		e = &tab[i];
		t->ro = e->ro;
		e->np = i0;
	}
}

static void do_munmaps(void)
{
	int todo = nent * 2 / 5, done = 0;

	while (done < todo && nent > 0) {
		int i = (int)(rnd() % (uint32_t)nent);
		struct ent *e = &tab[i];
		uint32_t r = rnd() % 4, np = e->np, i0, n;

		if (e->kind != K_ANON)
			continue;
		if (r < 2 || np < 3) {
			i0 = 0;
			n = np;
		} else if (r == 2) {
			n = rnd_in(1, np - 1);
			i0 = rnd() % 2 ? 0 : np - n;
		} else {
			i0 = rnd_in(1, np - 2);
			n = rnd_in(1, np - 1 - i0);
		}
		unmap_part(i, i0, n);
		done++;
	}
}

static void do_mremaps(void)
{
	int todo = nent / 10, done = 0, tries = 0;

	while (done < todo && tries++ < 100 * todo) {
		int i = (int)(rnd() % (uint32_t)nent);
		struct ent *e = &tab[i];
		uint32_t old = e->addr, np = e->np, g = rnd_in(1, MAXPAGES), j;
		void *p;

		if (e->kind != K_ANON || e->ro)
			continue;
		done++;
		n_mremap++;
		p = mremap((void *)(uintptr_t)old, (size_t)np * PG, (size_t)(np + g) * PG,
			   MREMAP_MAYMOVE);
		if (p == MAP_FAILED) {
			fail("mremap(%#" PRIx32 ", %u -> %u pages, MAYMOVE): %s", old, np,
			     np + g, strerror(errno));
			continue;
		}
		bits_set(used, old / PG, np, 0);
		if (place_check("mremap grow", p, np + g, PG)) {
			/* Keep our view consistent: the old range is gone either way. */
			del_ent(i);
			continue;
		}
		if ((uint32_t)(uintptr_t)p != old)
			n_moved++;
		e->addr = (uint32_t)(uintptr_t)p;
		if (check_ent(e, "mremap grow: old contents at the new place")) {
			e->np = np + g;
			continue;
		}
		e->np = np + g;
		for (j = np; j < np + g; j++) {
			uint32_t w = *word(e->addr + j * PG, 0);

			if (w) {
				fail("mremap grow: %#" PRIx32 " (grown page %u of mapping %u) reads %#"
				     PRIx32 ", not 0", e->addr + j * PG, j, e->id, w);
				break;
			}
		}
		write_tags(e, np, np + g);
	}
}

static void do_shrinks(void)
{
	int todo = nent / 40, done = 0, tries = 0;

	while (done < todo && tries++ < 100 * todo) {
		int i = (int)(rnd() % (uint32_t)nent);
		struct ent *e = &tab[i];
		uint32_t n;
		void *p;

		if (e->kind != K_ANON || e->np < 2)
			continue;
		done++;
		n_shrink++;
		n = rnd_in(1, e->np - 1);
		p = mremap((void *)(uintptr_t)e->addr, (size_t)e->np * PG, (size_t)n * PG, 0);
		if (p == MAP_FAILED || (uint32_t)(uintptr_t)p != e->addr) {
			fail("mremap(%#" PRIx32 ", %u -> %u pages) in place: %p (%s)", e->addr,
			     e->np, n, p, p == MAP_FAILED ? strerror(errno) : "moved");
			continue;
		}
		bits_set(used, (e->addr / PG) + n, e->np - n, 0);
		e->np = n;
	}
}

static void do_shm(void)
{
	/*
	 * shmat(NULL) is only promised page alignment: SHMLBA (16 KiB on
	 * ARM) is what an address the caller passes must meet.  A real
	 * armhf process on arm64 gets page-aligned addresses (no cache
	 * colouring there), QEMU rounds to SHMLBA; both are right.
	 */
	uint32_t shmlba = PG;
	int ids[NSHM], i;
	void *first[NSHM];
	uint32_t np[NSHM], sid[NSHM];

	for (i = 0; i < NSHM; i++) {
		uint32_t k;
		void *p;

		ids[i] = -1;
		first[i] = NULL;
		np[i] = rnd_in(1, MAXPAGES);
		sid[i] = next_id++;
		ids[i] = shmget(IPC_PRIVATE, (size_t)np[i] * PG, IPC_CREAT | 0600);
		if (ids[i] < 0) {
			fail("shmget(%u pages): %s", np[i], strerror(errno));
			continue;
		}
		n_shmat++;
		p = shmat(ids[i], NULL, 0);
		if (p == (void *)-1) {
			fail("shmat(NULL) #%d: %s", i, strerror(errno));
			continue;
		}
		if (place_check("shmat", p, np[i], shmlba))
			continue;
		if ((uintptr_t)p % SHMLBA == 0)
			n_shmlba++;
		first[i] = p;
		add_ent((uint32_t)(uintptr_t)p, np[i], sid[i], 0, K_SHM);
		for (k = 0; k < np[i]; k++)
			*word((uint32_t)(uintptr_t)p + k * PG, 0) = tag_of(sid[i], k);
	}
	/* A second attach of two segments: one memory, two places. */
	for (i = 0; i < 2; i++) {
		uint32_t a, b, t;
		void *p;

		if (!first[i])
			continue;
		n_shmat++;
		p = shmat(ids[i], NULL, 0);
		if (p == (void *)-1) {
			fail("second shmat(NULL) of #%d: %s", i, strerror(errno));
			continue;
		}
		if (place_check("second shmat", p, np[i], shmlba))
			continue;
		a = (uint32_t)(uintptr_t)first[i];
		b = (uint32_t)(uintptr_t)p;
		if (*word(b, (np[i] - 1) * PG) != tag_of(sid[i], np[i] - 1))
			fail("second attach of #%d at %#" PRIx32 " does not see the first's data", i, b);
		t = tag_of(sid[i], 0x5a5a);
		*word(b, 4) = t;
		if (*word(a, 4) != t)
			fail("write through the second attach (%#" PRIx32 ") not seen at %#" PRIx32, b, a);
		if (shmdt(p))
			fail("shmdt(%p): %s", p, strerror(errno));
		bits_set(used, b / PG, np[i], 0);
	}
	for (i = 0; i < NSHM; i++)
		if (ids[i] >= 0 && shmctl(ids[i], IPC_RMID, NULL))
			fail("shmctl(IPC_RMID): %s", strerror(errno));
}

static char marker_path[300];

static int do_files(void)
{
	char path[300];
	static uint32_t buf[FILE_PAGES * PG / 4];
	int fd, i, mfd;
	uint32_t k;
	void *p;

	snprintf(path, sizeof(path), "%s/q32_mmap.%d.dat", tmpdir, (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		fail("open(%s): %s", path, strerror(errno));
		return -1;
	}
	unlink(path);
	memset(buf, 0, sizeof(buf));
	for (k = 0; k < FILE_PAGES; k++)
		buf[k * PG / 4] = file_tag(k);
	if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
		fail("write(%s): %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	for (i = 0; i < NFILE; i++) {
		uint32_t off = rnd() % FILE_PAGES, np = rnd_in(1, FILE_PAGES - off);
		int shared = i % 2 == 0;
		struct ent *e;

		n_filemap++;
		p = mmap(NULL, (size_t)np * PG, shared ? PROT_READ : PROT_READ | PROT_WRITE,
			 shared ? MAP_SHARED : MAP_PRIVATE, fd, (off_t)off * PG);
		if (p == MAP_FAILED) {
			fail("mmap(file, %u pages at page %u): %s", np, off, strerror(errno));
			continue;
		}
		if (place_check("file mmap", p, np, PG))
			continue;
		e = add_ent((uint32_t)(uintptr_t)p, np, 0, off, K_FILE);
		e->ro = shared;
		e->shared = shared;
		if (check_ent(e, "file mmap contents"))
			continue;
		if (!shared) {
			/* A private write is not the file's. */
			uint32_t got = 0;

			*word(e->addr, 8) = 0xdeadbeefu;
			if (pread(fd, &got, 4, (off_t)off * PG + 8) != 4 || got != 0)
				fail("a MAP_PRIVATE write reached the file (%#" PRIx32 ")", got);
		}
	}
	/* A MAP_SHARED writable mapping: pread() sees the write. */
	n_filemap++;
	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 5 * PG);
	if (p == MAP_FAILED) {
		fail("mmap(file, MAP_SHARED, RW): %s", strerror(errno));
	} else if (!place_check("file mmap shared RW", p, 2, PG)) {
		uint32_t got = 0;
		struct ent *e = add_ent((uint32_t)(uintptr_t)p, 2, 0, 5, K_FILE);

		e->shared = 1;
		*word(e->addr, PG + 12) = 0x51a4edu;
		if (pread(fd, &got, 4, 6 * PG + 12) != 4 || got != 0x51a4edu)
			fail("a MAP_SHARED write is not in the file (pread: %#" PRIx32 ")", got);
	}
	close(fd);

	/* The marker: one page of a file with a name of its own (--check-host). */
	snprintf(marker_path, sizeof(marker_path), "%s/q32_mmap.%d.marker", tmpdir, (int)getpid());
	mfd = open(marker_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (mfd < 0) {
		fail("open(%s): %s", marker_path, strerror(errno));
		marker_path[0] = 0;
		return -1;
	}
	memset(buf, 0, PG);
	buf[0] = 0x4d41524bu;
	if (write(mfd, buf, PG) != (ssize_t)PG) {
		fail("write(%s): %s", marker_path, strerror(errno));
	} else {
		n_filemap++;
		p = mmap(NULL, PG, PROT_READ, MAP_SHARED, mfd, 0);
		if (p == MAP_FAILED) {
			fail("mmap(marker): %s", strerror(errno));
		} else if (!place_check("marker mmap", p, 1, PG)) {
			struct ent *e = add_ent((uint32_t)(uintptr_t)p, 1, 0, 0, K_MARKER);

			e->ro = 1;
			e->shared = 1;
			check_ent(e, "marker contents");
		}
	}
	close(mfd);
	return 0;
}

static int cmp_ent(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

struct mline {
	uint64_t s, e;
	char perms[5];
	uint64_t off;
	char path[160];
};

static struct mline ml[65536 + 1024];

static int read_maps(const char *path, int *truncated)
{
	static char line[4096];
	FILE *f = fopen(path, "re");
	int n = 0;

	*truncated = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e, off;
		char perms[8];
		int pos = 0;
		char *pth;

		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s%n", &s, &e, perms, &off, &pos) < 4)
			continue;
		if (n >= (int)(sizeof(ml) / sizeof(ml[0]))) {
			*truncated = 1;
			break;
		}
		ml[n].s = s;
		ml[n].e = e;
		memcpy(ml[n].perms, perms, 4);
		ml[n].perms[4] = 0;
		ml[n].off = off;
		pth = line + pos;
		while (*pth == ' ')
			pth++;
		pth[strcspn(pth, "\n")] = 0;
		snprintf(ml[n].path, sizeof(ml[n].path), "%s", pth);
		n++;
	}
	fclose(f);
	return n;
}

/*
 * Is [s, e) covered by consecutive lines of ml[0..n) (sorted), each with
 * 'r' and, if @w, 'w'?  Returns NULL if so, else a reason.
 */
static const char *covered(int n, uint64_t s, uint64_t e, int w)
{
	int lo = 0, hi = n;

	while (lo < hi) {	/* first line with end > s */
		int mid = (lo + hi) / 2;

		if (ml[mid].e <= s)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (s < e) {
		if (lo >= n || ml[lo].s > s)
			return "not mapped";
		if (ml[lo].perms[0] != 'r')
			return ml[lo].perms[0] == '-' && ml[lo].perms[1] == '-' ?
			       "mapped PROT_NONE" : "not readable";
		if (w && ml[lo].perms[1] != 'w')
			return "not writable";
		s = ml[lo].e;
		lo++;
	}
	return NULL;
}

static void check_self_maps(void)
{
	int n, i, truncated;

	n = read_maps("/proc/self/maps", &truncated);
	if (n < 0) {
		fail("/proc/self/maps: %s", strerror(errno));
		return;
	}
	if (truncated)
		fail("/proc/self/maps: more than %d lines", n);
	for (i = 0; i < nent; i++) {
		const struct ent *e = &tab[i];
		const char *why = covered(n, e->addr, (uint64_t)e->addr + (uint64_t)e->np * PG,
					  !e->ro);

		if (why)
			fail("[%#" PRIx32 ", +%u pages) (%c%s): %s in /proc/self/maps", e->addr,
			     e->np, kind_char[e->kind], e->ro ? " ro" : "", why);
	}
}

static int write_table(const char *path)
{
	char tmp[512];
	FILE *f;
	int i;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -1;
	fprintf(f, "q32_mmap-table 1\npid %d\n", (int)getpid());
	for (i = 0; i < nent; i++)
		if (tab[i].kind == K_MARKER)
			fprintf(f, "marker %#" PRIx32 " %s\n", tab[i].addr, marker_path);
	for (i = 0; i < nent; i++)
		fprintf(f, "map %#" PRIx32 " %u %c %s\n", tab[i].addr, tab[i].np,
			kind_char[tab[i].kind], tab[i].ro ? "r" : "rw");
	fprintf(f, "end %d\n", nent);
	if (fclose(f))
		return -1;
	return rename(tmp, path);
}

static int wait_done(const char *path)
{
	char done[512];
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	double t0 = now_ms();

	snprintf(done, sizeof(done), "%s.done", path);
	while (access(done, F_OK)) {
		if (now_ms() - t0 > 600e3)
			return -1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

static void unmap_all(void)
{
	int i;

	for (i = 0; i < nent; i++) {
		const struct ent *e = &tab[i];
		void *p = (void *)(uintptr_t)e->addr;
		int r = e->kind == K_SHM ? shmdt(p) : munmap(p, (size_t)e->np * PG);

		if (r)
			fail("%s(%p): %s", e->kind == K_SHM ? "shmdt" : "munmap", p, strerror(errno));
		else
			bits_set(used, e->addr / PG, e->np, 0);
	}
	nent = 0;
}

/* ---- --check-host ------------------------------------------------------- */

static int tap_line(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", ++tapn);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok)
		total_fail++;
	return ok;
}

/* base0: 0 any guest_base; 1 guest_base 0, no reservation; 2 with one */
static int check_host(const char *pid, const char *table, int base0)
{
	char path[64], line[512], mpath[300] = "";
	FILE *f = fopen(table, "re");
	uint32_t maddr = 0;
	int n, i, truncated, have_marker = 0, nmaps = 0, bad = 0, ended = 0;
	int64_t gb = 0;
	uint64_t big_none = 0;

	phase_name = "check-host";
	printf("1..%d\n", base0 ? 4 : 2);
	if (!f) {
		tap_line(0, "read table %s: %s", table, strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	n = read_maps(path, &truncated);
	if (n < 0 || truncated) {
		tap_line(0, "read %s: %s", path, n < 0 ? strerror(errno) : "too many lines");
		fclose(f);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "marker %" SCNx32 " %299s", &maddr, mpath) == 2)
			have_marker = 1;
		if (!strncmp(line, "end ", 4))
			ended = 1;
	}
	/* guest_base from the marker file's one host mapping. */
	for (i = 0; have_marker && i < n; i++)
		if (!strcmp(ml[i].path, mpath) && ml[i].off == 0)
			break;
	if (!tap_line(have_marker && ended && i < n,
		      "the marker file %s (guest %#" PRIx32 ") is mapped by the host", mpath,
		      maddr)) {
		fclose(f);
		return 1;
	}
	gb = (int64_t)ml[i].s - (int64_t)maddr;
	printf("# guest_base %#" PRIx64 " (host %#" PRIx64 " - guest %#" PRIx32 "), %d host maps lines\n",
	       (uint64_t)gb, ml[i].s, maddr, n);
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		uint32_t a, np;
		char kind, prot[4];
		const char *why;

		if (sscanf(line, "map %" SCNx32 " %" SCNu32 " %c %3s", &a, &np, &kind, prot) != 4)
			continue;
		nmaps++;
		why = covered(n, (uint64_t)(gb + a), (uint64_t)(gb + a) + (uint64_t)np * PG,
			      strchr(prot, 'w') != NULL);
		if (why) {
			if (bad++ < MAXFAILSHOWN)
				printf("# guest [%#" PRIx32 ", +%u pages) %c %s: host %#" PRIx64 " %s\n",
				       a, np, kind, prot, (uint64_t)(gb + a), why);
		}
	}
	fclose(f);
	tap_line(nmaps > 0 && !bad,
		 "all %d live guest mappings are host mappings at guest_base + address with the"
		 " guest's protections%s", nmaps, bad ? "" : "");
	if (bad)
		printf("# %d of %d not\n", bad, nmaps);
	for (i = 0; i < n; i++) {
		uint64_t len = ml[i].e - ml[i].s;

		if (!strcmp(ml[i].perms, "---p") && len > big_none)
			big_none = len;
	}
	printf("# largest PROT_NONE host mapping: %" PRIu64 " MiB\n", big_none >> 20);
	if (base0) {
		tap_line(gb == 0, "guest_base is 0: guest pointers are host pointers (%#" PRIx64 ")",
			 (uint64_t)gb);
		if (base0 == 1)
			tap_line(big_none < (1ull << 30),
				 "no PROT_NONE reservation of 1 GiB or more (largest: %" PRIu64 " MiB)",
				 big_none >> 20);
		else
			tap_line(big_none >= (1ull << 30),
				 "the guest space is reserved: a PROT_NONE mapping of 1 GiB or more"
				 " (largest: %" PRIu64 " MiB)", big_none >> 20);
	}
	return total_fail ? 1 : 0;
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
	unsigned long n = 4000;
	const char *table = NULL, *t;
	double t0 = now_ms();
	FILE *f;
	int i, npre, no_shrink = 0;

	if (argc >= 4 && !strcmp(argv[1], "--check-host")) {
		if (argc == 4)
			return check_host(argv[2], argv[3], 0);
		if (argc == 5 && !strcmp(argv[4], "--base0"))
			return check_host(argv[2], argv[3], 1);
		if (argc == 5 && !strcmp(argv[4], "--base0-reserved"))
			return check_host(argv[2], argv[3], 2);
		fprintf(stderr, "usage: q32_mmap --check-host PID TABLE [--base0 | --base0-reserved]\n");
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-s") && i + 1 < argc)
			seed = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-T") && i + 1 < argc)
			table = argv[++i];
		else if (!strcmp(argv[i], "-S"))
			no_shrink = 1;
		else {
			fprintf(stderr, "usage: q32_mmap [-n N] [-s SEED] [-S] [-T TABLE]\n"
					"       q32_mmap --check-host PID TABLE"
					" [--base0 | --base0-reserved]\n");
			return 2;
		}
	}
	if (n < 10 || n > MAXENT / 3) {
		fprintf(stderr, "q32_mmap: -n between 10 and %d\n", MAXENT / 3);
		return 2;
	}
	rng_state = 0x9E3779B97F4A7C15ull ^ seed;
	t = getenv("TMPDIR");
	snprintf(tmpdir, sizeof(tmpdir), "%s", t && *t ? t : "/tmp");

	printf("1..11\n");
	printf("# q32_mmap: %lu mappings, seed %u, pid %d, page size %ld, SHMLBA %#x\n", n, seed,
	       (int)getpid(), sysconf(_SC_PAGESIZE), (unsigned int)SHMLBA);
	fflush(stdout);
	if (sysconf(_SC_PAGESIZE) != PG) {
		printf("not ok 1 - page size is %ld, not 4096\n", sysconf(_SC_PAGESIZE));
		return 1;
	}
	f = fopen("/proc/sys/vm/mmap_min_addr", "re");
	if (f) {
		unsigned long v;

		if (fscanf(f, "%lu", &v) == 1 && v > min_addr)
			min_addr = (uint32_t)v;
		fclose(f);
	}
	npre = read_pre();
	printf("# %d mappings at start (/proc/self/maps), mmap_min_addr %#x\n", npre, min_addr);

	phase_begin("mmap");
	do_mmaps(n, "mmap");
	phase_end("%lu anonymous mmap(NULL) of 1-%u pages: 32-bit, aligned, no overlaps", n,
		  MAXPAGES);

	phase_begin("contents");
	check_all("contents");
	phase_end("contents of the %d mappings", nent);

	phase_begin("munmap");
	do_munmaps();
	phase_end("%lu munmaps (%lu partial), %d mappings left", n_munmap, n_partial, nent);

	phase_begin("refill");
	do_mmaps(n / 2, "refill");
	phase_end("%lu more mmap(NULL) into the fragmented space", n / 2);

	phase_begin("mremap grow");
	do_mremaps();
	phase_end("%lu mremap grows with MREMAP_MAYMOVE (%lu moved): placement, contents, zero tail",
		  n_mremap, n_moved);

	phase_begin("mremap shrink");
	if (no_shrink) {
		printf("ok %d - mremap shrinks in place # SKIP -S\n", ++tapn);
	} else {
		do_shrinks();
		phase_end("%lu mremap shrinks in place", n_shrink);
	}

	phase_begin("shmat");
	do_shm();
	phase_end("%lu shmat(NULL) of %d segments: page aligned (%lu of the first %d to SHMLBA %#x),"
		  " no overlaps, shared", n_shmat, NSHM, n_shmlba, NSHM, (unsigned int)SHMLBA);

	phase_begin("file");
	do_files();
	phase_end("%lu file mappings: placement, contents, MAP_SHARED/MAP_PRIVATE writes",
		  n_filemap);

	phase_begin("final contents");
	check_all("final contents");
	phase_end("contents of all %d live mappings", nent);

	phase_begin("/proc/self/maps");
	qsort(tab, nent, sizeof(tab[0]), cmp_ent);
	check_self_maps();
	phase_end("every live mapping is in /proc/self/maps with its protections");

	phase_begin("unmap all");
	if (table) {
		if (write_table(table))
			fail("writing the table %s: %s", table, strerror(errno));
		else if (wait_done(table))
			fail("nobody created %s.done within 600 s", table);
	}
	{
		int live = nent;

		unmap_all();
		if (marker_path[0])
			unlink(marker_path);
		phase_end("%d mappings unmapped/detached", live);
	}

	printf("# q32_mmap: summary: %lu mmap, %lu munmap (%lu partial), %lu mremap grow (%lu moved),"
	       " %lu shrink, %lu shmat, %lu file maps; addresses %#x-%#x; %.0f ms; %d failed\n",
	       n_mmap, n_munmap, n_partial, n_mremap, n_moved, n_shrink, n_shmat, n_filemap,
	       lowest, highest, now_ms() - t0, total_fail);
	return total_fail ? 1 : 0;
}
