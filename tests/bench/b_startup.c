// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * b_startup - what an emulator pays at start-up to keep 32-bit guest
 * memory below 4 GiB:
 *
 *   reserve  the FEX way: read /proc/self/maps and fill every gap between
 *            4 GiB and the top of the address space (task_size: 2^47 on
 *            x86-64, 2^48 on arm64 with 48-bit VAs) with a PROT_NONE
 *            MAP_NORESERVE MAP_FIXED_NOREPLACE mapping, so that no later
 *            host mmap() can land there and every mmap(NULL) of the guest
 *            ends up below 4 GiB.  One pass over the maps, read into a
 *            static buffer (FEX re-reads until nothing changed; one pass
 *            is the cheapest version of it).
 *   emu      emucompat_open() + the first emucompat_mmap_range() of a
 *            64 KiB guest block (the handle is all the set-up there is).
 *
 * Both are timed from nothing to "the first guest block is mapped" (the
 * reserve variant maps its first 64 KiB block with mmap(NULL) afterwards,
 * which now lands below 4 GiB), and undone untimed (munmap of what was
 * reserved / emucompat_close), round after round, interleaved.
 *
 * Rows: the process as it is (a static binary: a dozen mappings), and with
 * 100 and 1 000 extra host mappings scattered above 4 GiB (what shared
 * libraries, a JIT and its code cache leave): the reservation costs one
 * mmap() per gap, plus reading a /proc/self/maps that long.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "emucompat.h"
#include "bench.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define ROUNDS		21
#define GUEST_TOP	(1ULL << 32)
#define BLOCK		(64 * 1024)
#define MAX_GAPS	8192
#define MAPS_BUF	(1 << 20)
#define NROWS		3

enum { V_RESERVE, V_EMU, NV };
static const char *const vname[NV] = { "reserve", "emu" };

static uint64_t task_top;
static char maps[MAPS_BUF];
static struct { uint64_t start, end; } res[MAX_GAPS];
static int nres;

/* /proc/self/maps into the static buffer (no malloc: no new mappings). */
static size_t read_maps(void)
{
	size_t len = 0;
	ssize_t r;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		b_die("open /proc/self/maps");
	while ((r = read(fd, maps + len, sizeof(maps) - 1 - len)) > 0)
		len += r;
	close(fd);
	if (len >= sizeof(maps) - 1)
		b_die("/proc/self/maps larger than %d bytes", MAPS_BUF);
	maps[len] = 0;
	return len;
}

static void reserve_gap(uint64_t start, uint64_t end)
{
	void *p = mmap((void *)(uintptr_t)start, end - start, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != (void *)(uintptr_t)start)
		b_die("reserving %#llx-%#llx", (unsigned long long)start, (unsigned long long)end);
	if (nres == MAX_GAPS)
		b_die("more than %d gaps", MAX_GAPS);
	res[nres].start = start;
	res[nres].end = end;
	nres++;
}

/*
 * Reserve every gap in [GUEST_TOP, task_top).  One pass over the maps read
 * into a static buffer: nothing allocates in between, so nothing new
 * appears (FEX re-reads until nothing changes; one pass is the cheapest
 * honest version).
 */
static void reserve_all(void)
{
	uint64_t cur = GUEST_TOP, s, e;
	char *line = maps;

	read_maps();
	for (;;) {
		char *nl = strchr(line, '\n');
		unsigned long ls, le;

		if (!nl) {
			s = e = task_top;	/* past the last mapping */
		} else if (sscanf(line, "%lx-%lx", &ls, &le) == 2) {
			s = ls;
			e = le;
		} else {
			line = nl + 1;
			continue;
		}
		if (s > task_top)	/* the x86 vsyscall page */
			s = task_top;
		if (s > cur)
			reserve_gap(cur, s);
		if (e > cur)
			cur = e;
		if (!nl || cur >= task_top)
			break;
		line = nl + 1;
	}
}

static void *reserve_startup(void)
{
	void *p;

	nres = 0;
	reserve_all();
	p = mmap(NULL, BLOCK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || (uintptr_t)p + BLOCK > GUEST_TOP)
		b_die("after the reservation, mmap(NULL) gave %p", p);
	return p;
}

static void reserve_undo(void *block)
{
	int i;

	munmap(block, BLOCK);
	for (i = 0; i < nres; i++)
		munmap((void *)(uintptr_t)res[i].start, res[i].end - res[i].start);
	nres = 0;
}

static double open_ns;	/* of the last emu_startup(): emucompat_open() alone */

static struct emucompat *emu_startup(void **block)
{
	uint64_t t0 = b_now();
	struct emucompat *ec = emucompat_open();

	open_ns = (double)(b_now() - t0);
	if (!ec)
		b_die("emucompat_open");
	*block = emucompat_mmap_range(ec, 0x10000, GUEST_TOP, BLOCK, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*block == MAP_FAILED)
		b_die("emucompat_mmap_range");
	return ec;
}

struct row {
	const char *name;
	double ns[NV][ROUNDS];
	double open[ROUNDS];
	long gaps;
};

static void measure(struct row *r)
{
	struct emucompat *ec;
	void *block;
	uint64_t t0;
	int round, k, v;

	/* warm-up (page cache of /proc, the library's first calls) */
	reserve_undo(reserve_startup());
	ec = emu_startup(&block);
	munmap(block, BLOCK);
	emucompat_close(ec);

	for (round = 0; round < ROUNDS; round++) {
		for (k = 0; k < NV; k++) {
			v = (k + round) % NV;
			if (v == V_RESERVE) {
				t0 = b_now();
				block = reserve_startup();
				r->ns[v][round] = (double)(b_now() - t0);
				r->gaps = nres;
				reserve_undo(block);
			} else {
				t0 = b_now();
				ec = emu_startup(&block);
				r->ns[v][round] = (double)(b_now() - t0);
				r->open[round] = open_ns;
				munmap(block, BLOCK);
				emucompat_close(ec);
			}
		}
	}
}

/* @n one-page host mappings spread over [4 GiB, task_top). */
static void add_host_mappings(long n)
{
	static uint64_t shift;	/* each call at other addresses than the last */
	uint64_t step = (task_top / 2 - GUEST_TOP) / (uint64_t)n, a;
	long i;

	step &= ~(uint64_t)0xffff;
	shift += 0x10000;
	for (i = 0; i < n; i++) {
		int tries;

		a = GUEST_TOP + 0x100000000ULL + shift + (uint64_t)i * step;
		/* something already there (the stack, the vDSO): a bit higher */
		for (tries = 0; tries < 64; tries++, a += 0x10000000)
			if (mmap((void *)(uintptr_t)a, 4096, PROT_READ,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) ==
			    (void *)(uintptr_t)a)
				break;
		if (tries == 64)
			b_die("host mapping %ld at %#llx", i, (unsigned long long)a);
	}
}

int main(void)
{
	struct emucompat_info info;
	struct emucompat *ec;
	static struct row rows[NROWS] = { { .name = "as started" },
					  { .name = "+100 host mappings above 4 GiB" },
					  { .name = "+1000 host mappings above 4 GiB" } };
	static const long extra[NROWS] = { 0, 100, 900 };
	char a[64], b[64], c[64];
	int i, v;

	b_pin();
	ec = emucompat_open();
	if (!ec || emucompat_info(ec, &info))
		b_die("emucompat_open");
	task_top = info.task_size;
	emucompat_close(ec);
	printf("# b_startup: kernel %s %s, reserving [4 GiB, %#llx), %ld VMAs\n", b_kernel(),
	       b_arch(), (unsigned long long)task_top, b_maps_lines());

	for (i = 0; i < NROWS; i++) {
		if (extra[i])
			add_host_mappings(extra[i]);
		measure(&rows[i]);
		printf("# measured '%s': %ld gaps\n", rows[i].name, rows[i].gaps);
	}

	b_md("### 3a. Start-up: FEX-style reservation vs emucompat (us, median and IQR over "
	     "%d rounds)", ROUNDS);
	b_md("");
	b_md("Reserve: read /proc/self/maps, fill every gap in [4 GiB, %#llx) with PROT_NONE "
	     "MAP_NORESERVE, then map the first 64 KiB guest block. emucompat: "
	     "emucompat_open() + the first emucompat_mmap_range() of 64 KiB.",
	     (unsigned long long)task_top);
	b_md("");
	b_md("| process | gaps reserved | reserve everything above 4 GiB | "
	     "emucompat_open + first mmap_range | reserve / emucompat |");
	b_md("|---|---|---|---|---|");
	for (i = 0; i < NROWS; i++) {
		struct row *r = &rows[i];
		struct b_stats s[NV], ra;

		for (v = 0; v < NV; v++)
			s[v] = b_stats_of(r->ns[v], ROUNDS);
		/* the speed-up: baseline / emucompat, per round */
		ra = b_ratio_of(r->ns[V_RESERVE], r->ns[V_EMU], ROUNDS);
		{
			struct b_stats re = b_ratio_of(r->ns[V_EMU], r->ns[V_RESERVE], ROUNDS);

			b_csv("3a", "startup", r->name, vname[V_RESERVE], NULL, "ns", 1,
			      &s[V_RESERVE], NULL);
			b_csv("3a", "startup", r->name, vname[V_EMU], vname[V_RESERVE], "ns", 1,
			      &s[V_EMU], &re);
		}
		b_md("| %s | %ld | %s | %s | %s |", r->name, r->gaps,
		     b_fmt(a, sizeof(a), &s[V_RESERVE], 1000), b_fmt(b, sizeof(b), &s[V_EMU], 1000),
		     b_fmt_ratio(c, sizeof(c), &ra));
		if (i == 0) {
			char note[400];

			snprintf(note, sizeof(note),
				 "reserve %.1f us (1 read of /proc/self/maps, %ld mmaps of gaps, "
				 "1 mmap) vs emucompat %.1f us (of which emucompat_open(), i.e. "
				 "open(/dev/emucompat) + the info ioctl, %.1f us); %.0fx with 100, "
				 "%.0fx with 1000 host mappings", s[V_RESERVE].med / 1000, r->gaps,
				 s[V_EMU].med / 1000, b_stats_of(r->open, ROUNDS).med / 1000,
				 b_ratio_of(rows[1].ns[V_RESERVE], rows[1].ns[V_EMU], ROUNDS).med,
				 b_ratio_of(rows[2].ns[V_RESERVE], rows[2].ns[V_EMU], ROUNDS).med);
			b_target("startup", "start-up, process as started: reservation / "
				 "emucompat (speed-up)", ra.med, 1, 100, note);
		}
	}
	b_md("");
	return 0;
}
