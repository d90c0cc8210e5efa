// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * b_mmap - cost of emucompat_mmap_range() against plain mmap(), and how
 * both scale with the number of mappings in the process.
 *
 * The process holds N "filler" mappings (N = 100, 1 000, 10 000, 60 000;
 * vm.max_map_count is raised by run-bench.sh): one page each, with a free
 * page between two of them, protections alternating PROT_READ / PROT_NONE
 * so that they never merge, packed downwards from 4 GiB -- where a 32-bit
 * guest's memory lives, and where the ranged search has to look.  Then,
 * per round, one batch of K anonymous mappings (1 page, then 16 pages;
 * protections alternating RW / R-X, so that no two merge and none merges
 * with a filler) for each variant:
 *
 *   plain        mmap(NULL, len)                 the kernel's own search
 *   emu          emucompat_mmap_range(ec, 64 KiB, 4 GiB, len)
 *   plain-fixed  mmap(addr, len, MAP_FIXED_NOREPLACE) at a free spot:
 *                mmap without any search
 *   emu-fixed    emucompat_mmap_range(MAP_FIXED_NOREPLACE) at a free spot:
 *                the module's ioctl path without its search
 *
 * The batch is timed as K mmaps, then (timed separately) K munmaps: the
 * headline is the mmap alone (munmap NOT included), the munmap time is
 * reported next to it.  The 1-page ranged mappings land in the free pages
 * between fillers (the highest hole), the 16-page ones below all fillers,
 * so the 16-page search has to skip every filler gap: on 6.1+ the maple
 * tree does that in O(log n), on 5.10 the module walks the VMA list.
 *
 * Breakdown for the targets: emu-fixed / plain-fixed is the cost of going
 * through the library and the ioctl for the very same mapping; the rest
 * of emu / plain is the search and where it lands (which neighbours the
 * new VMA gets in the tree: a 1-page mapping filling a 1-page hole exactly
 * is cheaper to insert than one splitting a large free range, so the
 * differences need not add up).  A function_graph profile of both at the
 * largest N shows where the time goes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "emucompat.h"
#include "bench.h"
#include "ftrace.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define K		8		/* mappings per batch */
#define MAX_ROUNDS	301
#define MIN_ROUNDS	31
#define ROW_BUDGET_NS	2.0e9		/* per (N, size) row */
#define TOP		(1ULL << 32)
#define RANGE_LO	0x10000ULL
#define FIXED_AREA	(1ULL << 30)	/* free: fillers end far above it */

enum { V_PLAIN, V_EMU, V_PLAIN_FIXED, V_EMU_FIXED, NV };
static const char *const vname[NV] = { "plain", "emu", "plain-fixed", "emu-fixed" };

static const long counts[] = { 100, 1000, 10000, 60000 };
#define NCOUNTS ((int)(sizeof(counts) / sizeof(counts[0])))
static const int sizes[] = { 1, 16 };
#define NSIZES 2

struct row {
	int rounds;
	double map[NV][MAX_ROUNDS], unmap[NV][MAX_ROUNDS];
};

static struct row rows[NSIZES][NCOUNTS];
static struct emucompat *ec;
static long page;
static long nfill;

static void add_fillers(long upto)
{
	for (; nfill < upto; nfill++) {
		uint64_t addr = TOP - (2 * nfill + 1) * page;
		void *p = mmap((void *)(uintptr_t)addr, page, nfill % 2 ? PROT_NONE : PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_NORESERVE,
			       -1, 0);

		if (p != (void *)(uintptr_t)addr)
			b_die("filler %ld at %#llx", nfill, (unsigned long long)addr);
	}
}

static int prot_of(int i)
{
	return i % 2 ? PROT_READ | PROT_EXEC : PROT_READ | PROT_WRITE;
}

/* One batch of variant @v: K mmaps, then K munmaps; ns per call of each. */
static void batch(int v, size_t len, double *map_ns, double *unmap_ns)
{
	void *p[K];
	uint64_t t0, t1, t2;
	int i;

	t0 = b_now();
	for (i = 0; i < K; i++) {
		uint64_t fixed = FIXED_AREA + (uint64_t)i * (len + page);

		switch (v) {
		case V_PLAIN:
			p[i] = mmap(NULL, len, prot_of(i), MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			break;
		case V_EMU:
			p[i] = emucompat_mmap_range(ec, RANGE_LO, TOP, len, prot_of(i),
						    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			break;
		case V_PLAIN_FIXED:
			p[i] = mmap((void *)(uintptr_t)fixed, len, prot_of(i),
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
			break;
		default:
			p[i] = emucompat_mmap_range(ec, fixed, fixed, len, prot_of(i),
						    MAP_PRIVATE | MAP_ANONYMOUS |
						    MAP_FIXED_NOREPLACE, -1, 0);
			break;
		}
		if (p[i] == MAP_FAILED)
			b_die("%s of %zu bytes", vname[v], len);
	}
	t1 = b_now();
	for (i = 0; i < K; i++)
		munmap(p[i], len);
	t2 = b_now();
	*map_ns = (double)(t1 - t0) / K;
	*unmap_ns = (double)(t2 - t1) / K;
}

static void measure(struct row *r, size_t len)
{
	double dummy;
	uint64_t t0;
	int v, k, round;

	for (v = 0; v < NV; v++)	/* warm-up */
		batch(v, len, &dummy, &dummy);
	r->rounds = MAX_ROUNDS;
	for (round = 0; round < r->rounds; round++) {
		t0 = b_now();
		for (k = 0; k < NV; k++) {
			v = (k + round) % NV;
			batch(v, len, &r->map[v][round], &r->unmap[v][round]);
		}
		if (round == 0) {
			double per = (double)(b_now() - t0);
			int want = (int)(ROW_BUDGET_NS / per);

			r->rounds = want < MIN_ROUNDS ? MIN_ROUNDS :
				    want > MAX_ROUNDS ? MAX_ROUNDS : want;
		}
	}
}

static double med(const double *v, int n)
{
	return b_stats_of(v, n).med;
}

#if defined(__x86_64__)
#define FT_MMAP "__x64_sys_mmap __x64_sys_ioctl"
#else
#define FT_MMAP "__arm64_sys_mmap __arm64_sys_ioctl"
#endif

static void profile(size_t len)
{
	static struct ft_profile prof;
	double a, b;

	if (!ft_available() || ft_begin(FT_MMAP, 5))
		return;
	b_md("Kernel-side profile at %ld mappings, %zu pages (function_graph, %d calls "
	     "each; nodes called by fewer than half the calls left out):", nfill, len / page, K);
	b_md("");
	if (!ft_record()) {
		batch(V_PLAIN, len, &a, &b);
		if (!ft_collect(&prof))
			ft_print("plain mmap", &prof, 0.1);
	}
	if (!ft_record()) {
		batch(V_EMU, len, &a, &b);
		if (!ft_collect(&prof))
			ft_print("emucompat_mmap_range", &prof, 0.1);
	}
	ft_end();
}

int main(void)
{
	struct emucompat_info info;
	char a[64], b[64], c[64], d[64], e[64], f[64];
	int s, i, v;
	uint64_t t0;

	page = sysconf(_SC_PAGESIZE);
	b_pin();
	ec = emucompat_open();
	if (!ec || emucompat_info(ec, &info))
		b_die("emucompat_open");
	printf("# b_mmap: kernel %s %s, page %ld, K=%d per batch, %s gap search\n", b_kernel(),
	       b_arch(), page, K, b_kver() >= 0x060100 ? "maple tree" : "VMA list");

	for (i = 0; i < NCOUNTS; i++) {
		t0 = b_now();
		add_fillers(counts[i]);
		printf("# %ld fillers (%.2f s), %ld VMAs in the process\n", nfill,
		       (b_now() - t0) / 1e9, b_maps_lines());
		for (s = 0; s < NSIZES; s++) {
			t0 = b_now();
			measure(&rows[s][i], (size_t)sizes[s] * page);
			printf("# measured %d page(s) at %ld mappings: %d rounds, %.1f s\n",
			       sizes[s], counts[i], rows[s][i].rounds, (b_now() - t0) / 1e9);
		}
		if (i == NCOUNTS - 1)
			profile(16 * page);
	}

	b_md("### 2. Ranged mmap: per-call latency (us, median and IQR) against the number "
	     "of mappings");
	b_md("");
	b_md("mmap alone (munmap timed separately, not included); the fixed columns are the "
	     "breakdown: no search at all, through mmap() and through the module.");
	b_md("");
	b_md("| pages | mappings | plain mmap | emucompat_mmap_range | emucompat / plain | "
	     "plain, fixed addr | emucompat, fixed addr | munmap after emucompat / after plain |");
	b_md("|---|---|---|---|---|---|---|---|");
	for (s = 0; s < NSIZES; s++) {
		for (i = 0; i < NCOUNTS; i++) {
			struct row *r = &rows[s][i];
			struct b_stats st[NV], ra[NV], um[NV], umr;
			char rowname[64];

			snprintf(rowname, sizeof(rowname), "pages=%d n=%ld", sizes[s], counts[i]);
			for (v = 0; v < NV; v++) {
				st[v] = b_stats_of(r->map[v], r->rounds);
				ra[v] = b_ratio_of(r->map[v], r->map[V_PLAIN], r->rounds);
				um[v] = b_stats_of(r->unmap[v], r->rounds);
				b_csv("2", "mmap", rowname, vname[v], v ? "plain" : NULL, "ns", K,
				      &st[v], v ? &ra[v] : NULL);
				b_csv("2", "munmap", rowname, vname[v], NULL, "ns", K, &um[v],
				      NULL);
			}
			umr = b_ratio_of(r->unmap[V_EMU], r->unmap[V_PLAIN], r->rounds);
			b_md("| %d | %ld | %s | %s | %s | %s | %s | %s |", sizes[s], counts[i],
			     b_fmt(a, sizeof(a), &st[V_PLAIN], 1000),
			     b_fmt(b, sizeof(b), &st[V_EMU], 1000),
			     b_fmt_ratio(c, sizeof(c), &ra[V_EMU]),
			     b_fmt(d, sizeof(d), &st[V_PLAIN_FIXED], 1000),
			     b_fmt(e, sizeof(e), &st[V_EMU_FIXED], 1000),
			     b_fmt_ratio(f, sizeof(f), &umr));
		}
	}
	b_md("");

	for (s = 0; s < NSIZES; s++) {
		struct row *r0 = &rows[s][0], *rn = &rows[s][NCOUNTS - 1];
		struct b_stats ra = b_ratio_of(r0->map[V_EMU], r0->map[V_PLAIN], r0->rounds);
		struct b_stats ran = b_ratio_of(rn->map[V_EMU], rn->map[V_PLAIN], rn->rounds);
		struct b_stats rf = b_ratio_of(r0->map[V_EMU_FIXED], r0->map[V_PLAIN_FIXED],
					       r0->rounds);
		struct b_stats rfn = b_ratio_of(rn->map[V_EMU_FIXED], rn->map[V_PLAIN_FIXED],
						rn->rounds);
		double pl0 = med(r0->map[V_PLAIN], r0->rounds);
		double pln = med(rn->map[V_PLAIN], rn->rounds);
		double em0 = med(r0->map[V_EMU], r0->rounds), emn = med(rn->map[V_EMU], rn->rounds);
		double pf0 = med(r0->map[V_PLAIN_FIXED], r0->rounds);
		double pfn = med(rn->map[V_PLAIN_FIXED], rn->rounds);
		double ef0 = med(r0->map[V_EMU_FIXED], r0->rounds);
		double efn = med(rn->map[V_EMU_FIXED], rn->rounds);
		char id[32], what[160], note[400];

		snprintf(id, sizeof(id), "mmap-100-%dp", sizes[s]);
		snprintf(what, sizeof(what), "%d page(s), 100 mappings: emucompat_mmap_range / "
			 "plain mmap", sizes[s]);
		snprintf(note, sizeof(note),
			 "medians: plain %.1f us, emucompat %.1f us; at a fixed address (no "
			 "search) plain %.1f us, emucompat %.1f us: the library + ioctl path "
			 "alone x%.2f", pl0 / 1000, em0 / 1000, pf0 / 1000, ef0 / 1000, rf.med);
		b_target(id, what, ra.med, 0, 1.25, note);

		snprintf(id, sizeof(id), "mmap-growth-%dp", sizes[s]);
		snprintf(what, sizeof(what), "%d page(s), growth 100 -> %ld mappings: "
			 "emucompat growth / plain growth", sizes[s], counts[NCOUNTS - 1]);
		/*
		 * (emu_n / emu_100) / (plain_n / plain_100), from the ratios
		 * measured side by side: (emu / plain)_n / (emu / plain)_100.
		 */
		snprintf(note, sizeof(note),
			 "emu/plain x%.2f at 100, x%.2f at %ld; medians: "
			 "emucompat x%.2f (%.1f -> %.1f us), plain x%.2f (%.1f -> %.1f us); "
			 "at a fixed address emucompat x%.2f, plain x%.2f (ioctl path alone "
			 "x%.2f -> x%.2f)", ra.med, ran.med, counts[NCOUNTS - 1], emn / em0,
			 em0 / 1000, emn / 1000, pln / pl0,
			 pl0 / 1000, pln / 1000, efn / ef0, pfn / pf0, rf.med, rfn.med);
		b_target(id, what, ran.med / ra.med, 0, 1.5, note);
	}
	emucompat_close(ec);
	return 0;
}
