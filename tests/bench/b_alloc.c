// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * b_alloc - emucompat_mmap_range() against what an emulator does today to
 * place guest memory inside [lo, hi): a userspace allocator that probes
 * with MAP_FIXED_NOREPLACE hints (QEMU linux-user's mmap_find_vma() /
 * FEX's 32-bit allocator, reduced to their core):
 *
 *   - a cursor (mmap_next_start) where the next search starts, moved past
 *     each allocation; at hi it wraps to lo, once;
 *   - the allocator knows its own blocks (QEMU's page flags, FEX's bitmap)
 *     and steps over them in user space, without a syscall;
 *   - mappings it did not make (libraries, the host side, other threads'
 *     mmaps) it can only discover by probing: mmap(hint, MAP_FIXED_NOREPLACE)
 *     fails with EEXIST, and since nothing tells it where that mapping
 *     ends, it steps one page and probes again.
 *
 * Two versions of it:
 *   probe     forgets what it probed (the foreign mapping may be gone by
 *             the next allocation): every pass over the range probes again
 *   remember  remembers every address where a probe failed (for blocks of
 *             this size; all are 64 KiB here) and never probes it again:
 *             one probe per address over the whole run, then user-space
 *             scanning only.  The best case for a prober (its knowledge
 *             goes stale when foreign mappings go away; here they never do)
 *
 * Scenario "full range" (the targets): [lo, hi) holds N foreign mappings
 * (N = 1 000, 10 000; one page each, a free page between two) and, right
 * above the last of them, a pool of 64 slots of 64 KiB in which the
 * workload keeps 63 blocks alive.  One step frees a random live block and
 * allocates a new 64 KiB block: the only place it fits is the slot just
 * freed.  A step is timed with its munmap (the same in every variant).
 *
 * Scenario "free range": the allocation goes into an empty 64 MiB range
 * (the N foreign mappings are elsewhere): the probing allocator's cursor
 * stands in free space and its first probe succeeds.
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

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define BLOCK_PAGES	16
#define SLOTS		64
#define RANGE_LO	(1ULL << 30)
#define FREE_LO		(3ULL << 30)
#define FREE_LEN	(64ULL << 20)
#define MAX_ROUNDS	15
#define MIN_ROUNDS	5
#define N_BUDGET_NS	12e9		/* per N, both scenarios */
#define PROBE_BATCH_NS	1.5e8

enum { V_PROBE, V_REMEMBER, V_EMU, NV };
static const char *const vname[NV] = { "probe", "remember", "emu" };

static const long counts[] = { 1000, 10000 };
#define NCOUNTS 2

static struct emucompat *ec;
static long page;
static size_t blen;

/* ---- the probing allocator -------------------------------------------- */

/* one byte per page of [lo, hi) */
#define OWN	1		/* one of our blocks */
#define FAILED	2		/* a probe starting here failed (remember) */

struct prober {
	uint64_t lo, hi, cursor[NV];
	uint8_t *own;
	long probes[NV], allocs[NV];
};

static void own_mark(struct prober *pa, uint64_t addr, size_t len, int v)
{
	if (pa->own && addr >= pa->lo && addr + len <= pa->hi)
		memset(pa->own + (addr - pa->lo) / page, v, len / page);
}

/* @v: V_PROBE or V_REMEMBER */
static void *probe_alloc(struct prober *pa, int v, size_t len, int prot)
{
	uint64_t addr = pa->cursor[v], start = pa->cursor[v];
	int wrapped = 0;

	for (;;) {
		long i, last = -1;
		void *p;

		if (addr + len > pa->hi) {
			if (wrapped)
				break;
			addr = pa->lo;
			wrapped = 1;
		}
		if (wrapped && addr >= start)
			break;
		/* our own blocks: skipped in user space */
		if (pa->own)
			for (i = 0; i < (long)(len / page); i++)
				if (pa->own[(addr - pa->lo) / page + i] & OWN)
					last = i;
		if (last >= 0) {
			addr += (last + 1) * page;
			continue;
		}
		if (v == V_REMEMBER && pa->own[(addr - pa->lo) / page] & FAILED) {
			addr += page;
			continue;
		}
		pa->probes[v]++;
		p = mmap((void *)(uintptr_t)addr, len, prot,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == (void *)(uintptr_t)addr) {
			pa->cursor[v] = addr + len;
			pa->allocs[v]++;
			return p;
		}
		if (p != MAP_FAILED) {	/* a kernel without MAP_FIXED_NOREPLACE */
			munmap(p, len);
		} else if (errno != EEXIST) {
			return MAP_FAILED;
		}
		/* where the mapping in the way ends is unknown: one page on */
		if (v == V_REMEMBER)
			pa->own[(addr - pa->lo) / page] |= FAILED;
		addr += page;
	}
	errno = ENOMEM;
	return MAP_FAILED;
}

/* ---- full range ----------------------------------------------------------- */

static struct prober pa;
static uint64_t pool_lo, range_hi;
static void *live[SLOTS];
static int nlive;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void setup_full(long n)
{
	long i;

	/* right above the last foreign page: no free page below the pool */
	pool_lo = RANGE_LO + (2 * n - 1) * page;
	range_hi = pool_lo + SLOTS * blen;
	for (i = 0; i < n; i++) {
		uint64_t a = RANGE_LO + 2 * i * page;

		if (mmap((void *)(uintptr_t)a, page, i % 2 ? PROT_NONE : PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_NORESERVE, -1,
			 0) != (void *)(uintptr_t)a)
			b_die("foreign mapping %ld", i);
	}
	free(pa.own);
	pa = (struct prober){ .lo = RANGE_LO, .hi = range_hi };
	pa.own = calloc((range_hi - RANGE_LO) / page, 1);
	if (!pa.own)
		b_die("out of memory");
	for (nlive = 0; nlive < SLOTS - 1; nlive++) {
		uint64_t a = pool_lo + nlive * blen;

		live[nlive] = mmap((void *)(uintptr_t)a, blen, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (live[nlive] != (void *)(uintptr_t)a)
			b_die("pool block");
		own_mark(&pa, a, blen, OWN);
	}
	pa.cursor[V_PROBE] = pa.cursor[V_REMEMBER] = pool_lo + nlive * blen;
}

static void teardown_full(long n)
{
	int i;

	for (i = 0; i < nlive; i++)
		munmap(live[i], blen);
	munmap((void *)(uintptr_t)RANGE_LO, (2 * n - 1) * page);
	nlive = 0;
}

/* @steps steps of variant @v; ns per step. */
static double full_batch(int v, int steps)
{
	uint64_t t0 = b_now();
	int s;

	for (s = 0; s < steps; s++) {
		int j = (int)(rnd() % nlive);
		void *p;

		munmap(live[j], blen);
		own_mark(&pa, (uintptr_t)live[j], blen, 0);
		if (v != V_EMU)
			p = probe_alloc(&pa, v, blen, PROT_READ | PROT_WRITE);
		else
			p = emucompat_mmap_range(ec, RANGE_LO, range_hi, blen,
						 PROT_READ | PROT_WRITE,
						 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED || (uintptr_t)p < pool_lo || (uintptr_t)p + blen > range_hi)
			b_die("%s: allocation at %p outside the pool", vname[v], p);
		live[j] = p;
		own_mark(&pa, (uintptr_t)p, blen, OWN);
	}
	return (double)(b_now() - t0) / steps;
}

/* ---- free range --------------------------------------------------------- */

static struct prober fr;

static double free_batch(int v, int steps)
{
	void *p[64];
	uint64_t t0, t1;
	int s;

	if (steps > 64)
		steps = 64;
	t0 = b_now();
	for (s = 0; s < steps; s++) {
		if (v != V_EMU)
			p[s] = probe_alloc(&fr, v, blen, PROT_READ | PROT_WRITE);
		else
			p[s] = emucompat_mmap_range(ec, FREE_LO, FREE_LO + FREE_LEN, blen,
						    PROT_READ | PROT_WRITE,
						    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p[s] == MAP_FAILED)
			b_die("%s in the free range", vname[v]);
	}
	t1 = b_now();
	for (s = 0; s < steps; s++) {
		munmap(p[s], blen);
		own_mark(&fr, (uintptr_t)p[s], blen, 0);
	}
	return (double)(t1 - t0) / steps;
}

/* ---- driver ------------------------------------------------------------- */

struct res {
	int rounds;
	double ns[NV][MAX_ROUNDS];
	double probes[NV];	/* per allocation, probing allocators */
	int steps[NV];
};

static struct res full[NCOUNTS], freer[NCOUNTS];

static void run(struct res *r, double (*fn)(int, int), struct prober *probe_state)
{
	uint64_t t0;
	double per;
	long p0[NV], a0[NV];
	int round, k, v;

	/* calibrate: one probing step decides the batch length */
	per = fn(V_PROBE, 1);
	r->steps[V_PROBE] = (int)(PROBE_BATCH_NS / (per > 1 ? per : 1));
	if (r->steps[V_PROBE] < 2)
		r->steps[V_PROBE] = 2;
	if (r->steps[V_PROBE] > 32)
		r->steps[V_PROBE] = 32;
	r->steps[V_REMEMBER] = 32;
	r->steps[V_EMU] = 32;
	fn(V_REMEMBER, 4);	/* its first pass, which probes everything once */
	fn(V_EMU, 4);
	for (v = 0; v < NV; v++) {
		p0[v] = probe_state->probes[v];
		a0[v] = probe_state->allocs[v];
	}
	r->rounds = MAX_ROUNDS;
	for (round = 0; round < r->rounds; round++) {
		t0 = b_now();
		for (k = 0; k < NV; k++) {
			v = (k + round) % NV;
			r->ns[v][round] = fn(v, r->steps[v]);
		}
		if (round == 0) {
			int want = (int)(N_BUDGET_NS / 2 / (double)(b_now() - t0));

			r->rounds = want < MIN_ROUNDS ? MIN_ROUNDS :
				    want > MAX_ROUNDS ? MAX_ROUNDS : want;
		}
	}
	for (v = 0; v < NV; v++) {
		long na = probe_state->allocs[v] - a0[v];

		r->probes[v] = (double)(probe_state->probes[v] - p0[v]) / (double)(na ? na : 1);
	}
}

static void report_row(const char *scenario, long n, struct res *r, int target)
{
	struct b_stats st[NV], ra[NV], re[NV];
	char row[64], a[NV][64], c[NV][64];
	int v;

	snprintf(row, sizeof(row), "%s n=%ld", scenario, n);
	for (v = 0; v < NV; v++) {
		st[v] = b_stats_of(r->ns[v], r->rounds);
		/* speed-up of emucompat over this variant, and the CSV ratio to probe */
		ra[v] = b_ratio_of(r->ns[v], r->ns[V_EMU], r->rounds);
		re[v] = b_ratio_of(r->ns[v], r->ns[V_PROBE], r->rounds);
		b_csv("3b", "alloc", row, vname[v], v == V_PROBE ? NULL : "probe", "ns",
		      r->steps[v], &st[v], v == V_PROBE ? NULL : &re[v]);
		b_fmt(a[v], sizeof(a[v]), &st[v], 1000);
		b_fmt_ratio(c[v], sizeof(c[v]), &ra[v]);
	}
	b_md("| %s | %ld | %s | %.0f | %s | %s | %.1f | %s | %s |", scenario, n, a[V_PROBE],
	     r->probes[V_PROBE], a[V_EMU], c[V_PROBE], r->probes[V_REMEMBER], a[V_REMEMBER],
	     c[V_REMEMBER]);
	if (target) {
		char id[32], what[160], note[256];

		snprintf(id, sizeof(id), "alloc-%ld", n);
		snprintf(what, sizeof(what), "full range, %ld foreign mappings: probing allocator "
			 "/ emucompat_mmap_range (speed-up)", n);
		snprintf(note, sizeof(note), "%.0f probes (failed mmap calls) per allocation; "
			 "per step %.0f us vs %.1f us; against the remembering prober %s",
			 r->probes[V_PROBE], st[V_PROBE].med / 1000, st[V_EMU].med / 1000,
			 c[V_REMEMBER]);
		b_target(id, what, ra[V_PROBE].med, 1, 10, note);
	}
}

int main(void)
{
	int i;

	page = sysconf(_SC_PAGESIZE);
	blen = BLOCK_PAGES * page;
	b_pin();
	ec = emucompat_open();
	if (!ec)
		b_die("emucompat_open");
	printf("# b_alloc: kernel %s %s, blocks of %zu KiB, %d-slot pool\n", b_kernel(), b_arch(),
	       blen >> 10, SLOTS);

	fr = (struct prober){ .lo = FREE_LO, .hi = FREE_LO + FREE_LEN,
			      .cursor = { FREE_LO, FREE_LO, FREE_LO } };
	fr.own = calloc(FREE_LEN / page, 1);
	for (i = 0; i < NCOUNTS; i++) {
		uint64_t t0 = b_now();

		setup_full(counts[i]);
		run(&full[i], full_batch, &pa);
		run(&freer[i], free_batch, &fr);
		printf("# %ld foreign mappings: %d + %d rounds, %.1f s\n", counts[i],
		       full[i].rounds,
		       freer[i].rounds, (b_now() - t0) / 1e9);
		teardown_full(counts[i]);
	}

	b_md("### 3b. Placing guest memory: probing allocator vs emucompat_mmap_range "
	     "(us per 64 KiB allocation, median and IQR)");
	b_md("");
	b_md("| scenario | foreign mappings | probing allocator (MAP_FIXED_NOREPLACE hints) | "
	     "probes per allocation | emucompat_mmap_range | speed-up | remembering prober: "
	     "probes per allocation | remembering prober | speed-up over it |");
	b_md("|---|---|---|---|---|---|---|---|---|");
	for (i = 0; i < NCOUNTS; i++)	/* the target is at 10 000 */
		report_row("full range (free + allocate)", counts[i], &full[i],
			   counts[i] >= 10000);
	for (i = 0; i < NCOUNTS; i++)
		report_row("free range (allocate)", counts[i], &freer[i], 0);
	b_md("");
	emucompat_close(ec);
	return 0;
}
