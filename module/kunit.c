// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites of the module, built only against kernels with KUnit
 * (module/Kbuild).  They run when the module is loaded and print KTAP to
 * the kernel log; tests/guest/run-tests.sh turns that into test results.
 *
 *   emucompat_range   the pure range arithmetic of range.c: spans, clamping,
 *                     rounding, wrap-around, prot/flags checks, argument
 *                     validation of the two range commands, and the
 *                     pre-6.1 VMA-tree gap search (ec_rb_highest_gap()) on
 *                     a synthetic tree
 *   emucompat_place   gap selection (top-down, alignment, wrap-around,
 *                     stack guard gap, no room) in the address space of the
 *                     process loading the module
 *   emucompat_uapi    the ABI of the ioctl structs: layout, command
 *                     encoding, the size and reserved-field rules, through
 *                     the real ioctl handler on user memory
 *   emucompat_compat  ec_arch_compat_enter()/ec_arch_compat_exit() on the current task
 *
 * Test cases run in kernel threads.  The place and uapi suites borrow the
 * loading process's address space (kthread_use_mm()) from suite_init, which
 * runs in that process; they skip when it has none.  While the address
 * space is borrowed only KUNIT_EXPECT_*() is used: an assertion would end
 * the thread with the borrowed mm still attached.  Up to 6.2 KUnit runs a
 * module's suites before its init function (MODULE_STATE_COMING), so
 * nothing here needs the misc device registered.
 */
#include <kunit/test.h>
#include <linux/compat.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/rbtree.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>
#include "emucompat.h"

#define P		PAGE_SIZE

/* ---------------------------------------------------------------------- */
/* emucompat_range: pure arithmetic                                       */
/* ---------------------------------------------------------------------- */

#define FLOOR	0x10000UL
#define TOP	0x7ffffffff000UL

static void ec_expect_span(struct kunit *test, const struct ec_span *s,
			   unsigned long start, unsigned long end)
{
	KUNIT_EXPECT_EQ(test, s->start, start);
	KUNIT_EXPECT_EQ(test, s->end, end);
}

static void range_inside(struct kunit *test)
{
	struct ec_span s[2];

	KUNIT_ASSERT_EQ(test, ec_range_spans(0x100000, 0x200000, FLOOR, TOP, s), 1);
	ec_expect_span(test, &s[0], 0x100000, 0x200000);
	/* the whole usable space */
	KUNIT_ASSERT_EQ(test, ec_range_spans(FLOOR, TOP, FLOOR, TOP, s), 1);
	ec_expect_span(test, &s[0], FLOOR, TOP);
	/* one page */
	KUNIT_ASSERT_EQ(test, ec_range_spans(0x100000, 0x100000 + P, FLOOR, TOP, s), 1);
	ec_expect_span(test, &s[0], 0x100000, 0x100000 + P);
}

static void range_rounds_inwards(struct kunit *test)
{
	struct ec_span s[2];

	KUNIT_ASSERT_EQ(test, ec_range_spans(0x100001, 0x200fff, FLOOR, TOP, s), 1);
	ec_expect_span(test, &s[0], 0x101000, 0x200000);
	KUNIT_ASSERT_EQ(test, ec_range_spans(0x100fff, 0x102001, FLOOR, TOP, s), 1);
	ec_expect_span(test, &s[0], 0x101000, 0x102000);
	/* less than a page once rounded: nothing */
	KUNIT_EXPECT_EQ(test, ec_range_spans(0x100001, 0x100fff, FLOOR, TOP, s), 0);
	KUNIT_EXPECT_EQ(test, ec_range_spans(0x100001, 0x101000, FLOOR, TOP, s), 0);
	KUNIT_EXPECT_EQ(test, ec_range_spans(0x100000, 0x100fff, FLOOR, TOP, s), 0);
	KUNIT_EXPECT_EQ(test, ec_range_spans(0x100001, 0x101fff, FLOOR, TOP, s), 0);
}

static void range_clamped(struct kunit *test)
{
	struct ec_span s[2];

	/* below the floor, above the top: clamped to [floor, top) */
	KUNIT_ASSERT_EQ(test, ec_range_spans(0, TOP + 0x5000, FLOOR, TOP, s), 1);
	ec_expect_span(test, &s[0], FLOOR, TOP);
	KUNIT_ASSERT_EQ(test, ec_range_spans(1, 0x20000, FLOOR, TOP, s), 1);
	ec_expect_span(test, &s[0], FLOOR, 0x20000);
	KUNIT_ASSERT_EQ(test, ec_range_spans(TOP - P, U64_MAX, FLOOR, TOP, s), 1);
	ec_expect_span(test, &s[0], TOP - P, TOP);
	/* an unaligned floor or top is rounded inwards too */
	KUNIT_ASSERT_EQ(test, ec_range_spans(0, U64_MAX, FLOOR + 1, TOP - 1, s), 1);
	ec_expect_span(test, &s[0], FLOOR + P, TOP - P);
	/* entirely outside: nothing */
	KUNIT_EXPECT_EQ(test, ec_range_spans(0, FLOOR, FLOOR, TOP, s), 0);
	KUNIT_EXPECT_EQ(test, ec_range_spans(0, FLOOR - 1, FLOOR, TOP, s), 0);
	KUNIT_EXPECT_EQ(test, ec_range_spans(TOP, U64_MAX, FLOOR, TOP, s), 0);
	KUNIT_EXPECT_EQ(test, ec_range_spans(TOP + P, TOP + 2 * P, FLOOR, TOP, s), 0);
}

static void range_wraps(struct kunit *test)
{
	struct ec_span s[2];

	/* lo > hi: [lo, top) first, then [floor, hi) */
	KUNIT_ASSERT_EQ(test, ec_range_spans(0x700000000000, 0x10000000, FLOOR, TOP, s), 2);
	ec_expect_span(test, &s[0], 0x700000000000, TOP);
	ec_expect_span(test, &s[1], FLOOR, 0x10000000);
	/* unaligned ends are rounded inwards in both windows */
	KUNIT_ASSERT_EQ(test, ec_range_spans(0x700000000001, 0x10000fff, FLOOR, TOP, s), 2);
	ec_expect_span(test, &s[0], 0x700000001000, TOP);
	ec_expect_span(test, &s[1], FLOOR, 0x10000000);
	/* lo at or above the top: only the low window, as the first one */
	KUNIT_ASSERT_EQ(test, ec_range_spans(TOP, 0x10000000, FLOOR, TOP, s), 1);
	ec_expect_span(test, &s[0], FLOOR, 0x10000000);
	KUNIT_ASSERT_EQ(test, ec_range_spans(U64_MAX, 0x10000000, FLOOR, TOP, s), 1);
	ec_expect_span(test, &s[0], FLOOR, 0x10000000);
	/* hi at or below the floor: only the high window */
	KUNIT_ASSERT_EQ(test, ec_range_spans(0x700000000000, FLOOR, FLOOR, TOP, s), 1);
	ec_expect_span(test, &s[0], 0x700000000000, TOP);
	KUNIT_ASSERT_EQ(test, ec_range_spans(0x700000000000, 0, FLOOR, TOP, s), 1);
	ec_expect_span(test, &s[0], 0x700000000000, TOP);
	/* neither: nothing */
	KUNIT_EXPECT_EQ(test, ec_range_spans(U64_MAX, 0, FLOOR, TOP, s), 0);
	KUNIT_EXPECT_EQ(test, ec_range_spans(TOP - 1, FLOOR + 1, FLOOR, TOP, s), 0);
	/* 32-bit guest style: [3 GiB, top) then [floor, 1 GiB) */
	KUNIT_ASSERT_EQ(test, ec_range_spans(3 * (u64)SZ_1G, SZ_1G, FLOOR, SZ_4G, s), 2);
	ec_expect_span(test, &s[0], 3 * (u64)SZ_1G, SZ_4G);
	ec_expect_span(test, &s[1], FLOOR, SZ_1G);
}

static void range_floor_top(struct kunit *test)
{
	unsigned long floor = ec_mmap_floor();

	KUNIT_EXPECT_EQ(test, floor & ~PAGE_MASK, 0UL);
	KUNIT_EXPECT_GE(test, floor, PAGE_SIZE);
	KUNIT_EXPECT_GE(test, floor, (unsigned long)CONFIG_DEFAULT_MMAP_MIN_ADDR);

	KUNIT_EXPECT_EQ(test, ec_mmap_top(0, SZ_4G), DEFAULT_MAP_WINDOW);
	KUNIT_EXPECT_EQ(test, ec_mmap_top(SZ_4G, 0), DEFAULT_MAP_WINDOW);
	KUNIT_EXPECT_EQ(test, ec_mmap_top(0, DEFAULT_MAP_WINDOW), DEFAULT_MAP_WINDOW);
	KUNIT_EXPECT_EQ(test, ec_mmap_top(DEFAULT_MAP_WINDOW + 1, 0), TASK_SIZE);
	KUNIT_EXPECT_EQ(test, ec_mmap_top(0, (u64)DEFAULT_MAP_WINDOW + 1), TASK_SIZE);
	KUNIT_EXPECT_EQ(test, ec_mmap_top(0, U64_MAX), TASK_SIZE);
}

static void range_mmap_flags(struct kunit *test)
{
	unsigned long rw = PROT_READ | PROT_WRITE;

	KUNIT_EXPECT_EQ(test, ec_check_mmap_flags(rw, MAP_PRIVATE | MAP_ANONYMOUS), 0);
	KUNIT_EXPECT_EQ(test, ec_check_mmap_flags(PROT_NONE, MAP_SHARED), 0);
	KUNIT_EXPECT_EQ(test, ec_check_mmap_flags(rw | PROT_EXEC | PROT_SEM,
						  MAP_SHARED_VALIDATE), 0);
	KUNIT_EXPECT_EQ(test, ec_check_mmap_flags(rw, MAP_PRIVATE | MAP_FIXED_NOREPLACE |
						  MAP_NORESERVE | MAP_POPULATE |
						  MAP_HUGETLB | MAP_HUGE_2MB), 0);
	/* map type 0 and an undefined type */
	KUNIT_EXPECT_EQ(test, ec_check_mmap_flags(rw, MAP_ANONYMOUS), -EINVAL);
	KUNIT_EXPECT_EQ(test, ec_check_mmap_flags(rw, 0x05), -EINVAL);
	/* unknown prot bits: PROT_GROWSDOWN is mprotect()'s, not mmap()'s */
	KUNIT_EXPECT_EQ(test, ec_check_mmap_flags(0x100, MAP_PRIVATE), -EINVAL);
	KUNIT_EXPECT_EQ(test, ec_check_mmap_flags(PROT_GROWSDOWN, MAP_PRIVATE), -EINVAL);
	/* an unknown flag bit */
	KUNIT_EXPECT_EQ(test, ec_check_mmap_flags(rw, MAP_PRIVATE | 0x200000), -EINVAL);
#ifdef MAP_32BIT
	KUNIT_EXPECT_EQ(test, ec_check_mmap_flags(rw, MAP_PRIVATE | MAP_32BIT), -EINVAL);
#endif
}

/* Argument checks that fail before the address space is looked at. */
static void range_mmap_args(struct kunit *test)
{
	struct emucompat_mmap_range r = {
		.size = sizeof(r), .prot = PROT_READ,
		.flags = MAP_PRIVATE | MAP_ANONYMOUS, .fd = -1,
		.lo = SZ_1G, .hi = SZ_4G,
	};

	r.len = 0;
	KUNIT_EXPECT_EQ(test, ec_mmap_range(&r, NULL), -EINVAL);
	r.len = P;
	r.prot = 0x100;
	KUNIT_EXPECT_EQ(test, ec_mmap_range(&r, NULL), -EINVAL);
	r.prot = PROT_READ;
	r.flags = MAP_ANONYMOUS;
	KUNIT_EXPECT_EQ(test, ec_mmap_range(&r, NULL), -EINVAL);
	r.flags = MAP_PRIVATE | MAP_ANONYMOUS;
	r.len = (u64)TASK_SIZE + 1;
	KUNIT_EXPECT_EQ(test, ec_mmap_range(&r, NULL), -ENOMEM);
	r.len = U64_MAX;
	KUNIT_EXPECT_EQ(test, ec_mmap_range(&r, NULL), -ENOMEM);
	r.len = P;
	r.flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB;
	KUNIT_EXPECT_EQ(test, ec_mmap_range(&r, NULL), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, r.addr, 0ULL);
}

static void range_reserve_args(struct kunit *test)
{
	struct emucompat_reserve_range r = {
		.size = sizeof(r), .lo = SZ_1G, .hi = SZ_4G,
	};

	r.len = 0;
	KUNIT_EXPECT_EQ(test, ec_reserve_range(&r, NULL), -EINVAL);
	r.len = P;
	r.align = 3 * P;
	KUNIT_EXPECT_EQ(test, ec_reserve_range(&r, NULL), -EINVAL);
	r.align = P / 2;
	KUNIT_EXPECT_EQ(test, ec_reserve_range(&r, NULL), -EINVAL);
	r.align = 1;
	KUNIT_EXPECT_EQ(test, ec_reserve_range(&r, NULL), -EINVAL);
	r.align = BIT_ULL(63);
	KUNIT_EXPECT_EQ(test, ec_reserve_range(&r, NULL), -ENOMEM);
	r.align = 0;
	r.len = (u64)TASK_SIZE + 1;
	KUNIT_EXPECT_EQ(test, ec_reserve_range(&r, NULL), -ENOMEM);
	KUNIT_EXPECT_EQ(test, r.addr, 0ULL);
}

/* The pure part of VA limits: which bases a range gives. */
static void range_va_bases(struct kunit *test)
{
	bool arm64 = ec_arch_id() == EMUCOMPAT_ARCH_ARM64;
	struct ec_mmap_bases b = { .base = (1UL << 46), .legacy_base = (1UL << 44) };
	unsigned long four = (unsigned long)SZ_4G;

	/* top-down: the lower of hi and the own base */
	KUNIT_EXPECT_EQ(test, ec_arch_limit_mmap_bases(&b, true, SZ_1G, SZ_2G),
			(unsigned long)SZ_2G);
	KUNIT_EXPECT_EQ(test, b.base, (unsigned long)SZ_2G);
	b.base = 8 * four;
	KUNIT_EXPECT_EQ(test, ec_arch_limit_mmap_bases(&b, true, SZ_1G, 16 * four),
			8 * four);
	/* bottom-up: lo */
	b.base = (1UL << 46);
	KUNIT_EXPECT_EQ(test, ec_arch_limit_mmap_bases(&b, false, SZ_1G, SZ_2G),
			(unsigned long)SZ_1G);
	/* 4 GiB: arm64 keeps off the last page, beyond TASK_SIZE_32 */
	b.base = (1UL << 46);
	KUNIT_EXPECT_EQ(test, ec_arch_limit_mmap_bases(&b, true, SZ_1G, four),
			arm64 ? (unsigned long)ec_arch_compat_task_size() : four);
	if (arm64)
		return;
	/* x86-64: the bottom-up base is lo; the 32-bit pair follows below 4 GiB */
	b = (struct ec_mmap_bases){ (1UL << 46), (1UL << 44), 0xf7000000UL, 0x40000000UL };
	ec_arch_limit_mmap_bases(&b, true, SZ_2G, 3 * (unsigned long)SZ_1G);
	KUNIT_EXPECT_EQ(test, b.legacy_base, (unsigned long)SZ_2G);
	KUNIT_EXPECT_EQ(test, b.compat_base, 3 * (unsigned long)SZ_1G);
	KUNIT_EXPECT_EQ(test, b.compat_legacy_base, (unsigned long)SZ_2G);
	b = (struct ec_mmap_bases){ (1UL << 46), (1UL << 44), 0xf7000000UL, 0x40000000UL };
	ec_arch_limit_mmap_bases(&b, true, 8 * four, 16 * four);
	KUNIT_EXPECT_EQ(test, b.compat_base, 0xf7000000UL);
	KUNIT_EXPECT_EQ(test, b.compat_legacy_base, 0x40000000UL);
}

/*
 * ec_rb_highest_gap() on a synthetic augmented tree, against a linear scan
 * of the same gaps: the pre-6.1 VMA-tree search, testable on any kernel.
 */
struct ec_ku_gap_node {
	struct rb_node rb;
	unsigned long start;
	unsigned long gap_start;
	unsigned long subtree_gap;
};

#define ec_ku_gap_of(n) rb_entry(n, struct ec_ku_gap_node, rb)

static unsigned long ec_ku_gap_start_of(const struct rb_node *n)
{
	return ec_ku_gap_of(n)->start;
}

static unsigned long ec_ku_gap_prev_end(const struct rb_node *n)
{
	return ec_ku_gap_of(n)->gap_start;
}

static unsigned long ec_ku_gap_subtree(const struct rb_node *n)
{
	return ec_ku_gap_of(n)->subtree_gap;
}

static const struct ec_gap_tree_ops ec_ku_gap_ops = {
	.start = ec_ku_gap_start_of,
	.gap_start = ec_ku_gap_prev_end,
	.subtree_gap = ec_ku_gap_subtree,
};

static unsigned long ec_ku_augment(struct rb_node *n)
{
	struct ec_ku_gap_node *g;
	unsigned long big;

	if (!n)
		return 0;
	g = ec_ku_gap_of(n);
	big = g->start - g->gap_start;
	big = max(big, ec_ku_augment(n->rb_left));
	big = max(big, ec_ku_augment(n->rb_right));
	g->subtree_gap = big;
	return big;
}

#define EC_KU_GAP_NODES	97

static void range_rb_gap(struct kunit *test)
{
	struct ec_ku_gap_node *g;
	struct rb_root root = RB_ROOT;
	unsigned long addr = 16 * P, seed = 12345, end, want, s, e;
	int i, j, q, ret, want_ret;

	g = kunit_kcalloc(test, EC_KU_GAP_NODES, sizeof(*g), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, g);
	/* VMAs of 1..4 pages with gaps of 0..7 pages, inserted out of order */
	for (i = 0; i < EC_KU_GAP_NODES; i++) {
		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		g[i].gap_start = addr;
		g[i].start = addr + ((seed >> 33) % 8) * P;
		addr = g[i].start + (1 + (seed >> 40) % 4) * P;
	}
	for (i = 0; i < EC_KU_GAP_NODES; i++) {
		struct ec_ku_gap_node *n = &g[(i * 37) % EC_KU_GAP_NODES];
		struct rb_node **link = &root.rb_node, *parent = NULL;

		while (*link) {
			parent = *link;
			link = n->start < ec_ku_gap_of(parent)->start ?
			       &parent->rb_left : &parent->rb_right;
		}
		rb_link_node(&n->rb, parent, link);
		rb_insert_color(&n->rb, &root);
	}
	ec_ku_augment(root.rb_node);

	for (q = 0; q < 3000; q++) {
		unsigned long low, high, length;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		low = ((seed >> 20) % (addr / P + 8)) * P;
		high = low + ((seed >> 36) % 64) * P;
		length = (1 + (seed >> 50) % 8) * P;
		want_ret = -ENOMEM;
		want = 0;
		for (j = EC_KU_GAP_NODES - 1; j >= 0; j--) {
			s = max(g[j].gap_start, low);
			e = min(g[j].start, high);
			if (e > s && e - s >= length) {
				want_ret = 0;
				want = e;
				break;
			}
		}
		end = 0;
		ret = ec_rb_highest_gap(root.rb_node, &ec_ku_gap_ops, low, high,
					length, &end);
		KUNIT_EXPECT_EQ_MSG(test, ret, want_ret, "low %lx high %lx len %lx",
				    low, high, length);
		if (!ret && !want_ret)
			KUNIT_EXPECT_EQ_MSG(test, end, want,
					    "low %lx high %lx len %lx", low, high,
					    length);
	}
	/* an empty tree, and a window shorter than the length */
	KUNIT_EXPECT_EQ(test, ec_rb_highest_gap(NULL, &ec_ku_gap_ops, 0, SZ_1G,
						P, &end), -ENOMEM);
	KUNIT_EXPECT_EQ(test, ec_rb_highest_gap(root.rb_node, &ec_ku_gap_ops,
						16 * P, 17 * P, 2 * P, &end),
			-ENOMEM);
}

static struct kunit_case ec_range_cases[] = {
	KUNIT_CASE(range_inside),
	KUNIT_CASE(range_rounds_inwards),
	KUNIT_CASE(range_clamped),
	KUNIT_CASE(range_wraps),
	KUNIT_CASE(range_floor_top),
	KUNIT_CASE(range_mmap_flags),
	KUNIT_CASE(range_mmap_args),
	KUNIT_CASE(range_reserve_args),
	KUNIT_CASE(range_va_bases),
	KUNIT_CASE(range_rb_gap),
	{}
};

static struct kunit_suite ec_range_suite = {
	.name = "emucompat_range",
	.test_cases = ec_range_cases,
};

/* ---------------------------------------------------------------------- */
/* The loading process's address space, borrowed by the test threads     */
/* ---------------------------------------------------------------------- */

#define EC_KU_PAGES	2

static struct {
	struct mm_struct *mm;	/* with a reference (mmget()) */
	unsigned long buf;	/* EC_KU_PAGES read/write pages in it */
} ec_ku;

static int ec_ku_suite_init(struct kunit_suite *suite)
{
	unsigned long buf;

	memset(&ec_ku, 0, sizeof(ec_ku));
	if (!current->mm)
		return 0;
	buf = vm_mmap(NULL, 0, EC_KU_PAGES * P, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(buf))
		return 0;
	mmget(current->mm);
	ec_ku.mm = current->mm;
	ec_ku.buf = buf;
	return 0;
}

static void ec_ku_suite_exit(struct kunit_suite *suite)
{
	if (ec_ku.mm) {
		if (current->mm == ec_ku.mm)
			vm_munmap(ec_ku.buf, EC_KU_PAGES * P);
		mmput(ec_ku.mm);
	}
	memset(&ec_ku, 0, sizeof(ec_ku));
}

/* Borrow the address space; skips the test when there is none. */
static void ec_ku_use(struct kunit *test)
{
	if (!ec_ku.mm)
		kunit_skip(test, "the loading process has no address space");
	kthread_use_mm(ec_ku.mm);
}

static void ec_ku_unuse(void)
{
	kthread_unuse_mm(ec_ku.mm);
}

/* Is [start, end) unmapped in the borrowed address space? */
static bool ec_ku_free(unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma;
	bool free;

	mmap_read_lock(ec_ku.mm);
	vma = find_vma(ec_ku.mm, start);
	free = !vma || vma->vm_start >= end;
	mmap_read_unlock(ec_ku.mm);
	return free;
}

/* ---------------------------------------------------------------------- */
/* emucompat_place: gap selection in a real address space                 */
/* ---------------------------------------------------------------------- */

/* An area of the loading process that nothing uses: 64 MiB at 1/4 of it. */
#define EC_KU_AREA	SZ_64M

static unsigned long ec_place_base(struct kunit *test)
{
	unsigned long base = ALIGN_DOWN(DEFAULT_MAP_WINDOW / 4, SZ_1G);

	if (!ec_ku.mm)
		kunit_skip(test, "the loading process has no address space");
	if (!ec_ku_free(base, base + EC_KU_AREA))
		kunit_skip(test, "%#lx..+64M is in use", base);
	return base;
}

static long ec_reserve(u64 lo, u64 hi, u64 len, u64 align, u64 *addr)
{
	struct emucompat_reserve_range r = {
		.size = sizeof(r), .lo = lo, .hi = hi, .len = len,
		.align = align,
	};
	long ret = ec_reserve_range(&r, NULL);

	*addr = ret ? 0 : r.addr;
	return ret;
}

static void place_top_down(struct kunit *test)
{
	unsigned long b = ec_place_base(test);
	u64 a1, a2, a3;

	ec_ku_use(test);
	/* highest fit first, then right below it, then no room */
	KUNIT_EXPECT_EQ(test, ec_reserve(b, b + 16 * P, 4 * P, 0, &a1), 0L);
	KUNIT_EXPECT_EQ(test, a1, (u64)b + 12 * P);
	KUNIT_EXPECT_EQ(test, ec_reserve(b, b + 16 * P, 10 * P, 0, &a2), 0L);
	KUNIT_EXPECT_EQ(test, a2, (u64)b + 2 * P);
	KUNIT_EXPECT_EQ(test, ec_reserve(b, b + 16 * P, 3 * P, 0, &a3), -ENOMEM);
	/* an unaligned length is rounded up to pages */
	KUNIT_EXPECT_EQ(test, ec_reserve(b, b + 16 * P, P + 1, 0, &a3), 0L);
	KUNIT_EXPECT_EQ(test, a3, (u64)b);
	KUNIT_EXPECT_EQ(test, ec_reserve(b, b + 16 * P, 1, 0, &a3), -ENOMEM);
	/* a range larger than the space: no room, not an overflow */
	KUNIT_EXPECT_EQ(test, ec_reserve(b, b + P, 2 * P, 0, &a3), -ENOMEM);
	vm_munmap(b, 16 * P);
	ec_ku_unuse();
}

static void place_aligned(struct kunit *test)
{
	unsigned long b = ec_place_base(test);
	u64 a1, a2;

	ec_ku_use(test);
	/* [b, b + 192K): the highest 64K-aligned page is at b + 128K */
	KUNIT_EXPECT_EQ(test, ec_reserve(b, b + 3 * SZ_64K, P, SZ_64K, &a1), 0L);
	KUNIT_EXPECT_EQ(test, a1, (u64)b + 2 * SZ_64K);
	/* the length becomes a multiple of the alignment */
	KUNIT_EXPECT_EQ(test, ec_reserve(b, b + 2 * SZ_64K, P, SZ_64K, &a2), 0L);
	KUNIT_EXPECT_EQ(test, a2, (u64)b + SZ_64K);
	KUNIT_EXPECT_TRUE(test, ec_ku_free(b, b + SZ_64K));
	/* an unaligned range start: the window must hold an aligned block */
	KUNIT_EXPECT_EQ(test, ec_reserve(b + P, b + SZ_64K, P, SZ_64K, &a2), -ENOMEM);
	vm_munmap(b, 3 * SZ_64K);
	ec_ku_unuse();
}

static void place_wraps(struct kunit *test)
{
	unsigned long b = ec_place_base(test);
	u64 a;

	ec_ku_use(test);
	/* [top - P, top) cannot hold 4 pages: the low window [floor, hi) */
	KUNIT_EXPECT_EQ(test, ec_reserve(DEFAULT_MAP_WINDOW - P, b + 16 * P, 4 * P,
					 0, &a), 0L);
	KUNIT_EXPECT_EQ(test, a, (u64)b + 12 * P);
	vm_munmap(b + 12 * P, 4 * P);
	/* lo == hi: anywhere in the default window */
	KUNIT_EXPECT_EQ(test, ec_reserve(b, b, P, 0, &a), 0L);
	KUNIT_EXPECT_GE(test, a, (u64)ec_mmap_floor());
	KUNIT_EXPECT_LE(test, a + P, (u64)DEFAULT_MAP_WINDOW);
	if (a)
		vm_munmap(a, P);
	ec_ku_unuse();
}

static void place_stack_guard(struct kunit *test)
{
	unsigned long b = ec_place_base(test);
	unsigned long g = b + SZ_32M, low = 0x80000, m;
	u64 a;

	ec_ku_use(test);
	/* a grows-down mapping: a window right below it keeps the guard gap */
	m = vm_mmap(NULL, g, P, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN |
		    MAP_FIXED_NOREPLACE, 0);
	KUNIT_EXPECT_EQ(test, m, g);
	if (m == g) {
		KUNIT_EXPECT_EQ(test, ec_reserve(b, g + P, P, 0, &a), 0L);
		KUNIT_EXPECT_EQ(test, a, (u64)g - EC_STACK_GUARD_GAP - P);
		if (a)
			vm_munmap(a, P);
		/* no room outside the guard gap */
		KUNIT_EXPECT_EQ(test, ec_reserve(g - EC_STACK_GUARD_GAP, g, P, 0, &a),
				-ENOMEM);
		vm_munmap(g, P);
	}
	/* a grows-down mapping closer to 0 than the guard gap: no room */
	if (ec_ku_free(ec_mmap_floor(), low + P)) {
		m = vm_mmap(NULL, low, P, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN |
			    MAP_FIXED_NOREPLACE, 0);
		if (m == low) {
			KUNIT_EXPECT_EQ(test, ec_reserve(ec_mmap_floor(), low + P, P, 0, &a),
					-ENOMEM);
			vm_munmap(low, P);
		}
	}
	ec_ku_unuse();
}

/* VA limits on a real address space: placement, GET, CLEAR restores. */
static void place_va_limits(struct kunit *test)
{
	unsigned long base = ec_place_base(test), addr;
	struct emucompat_va_limits r = {
		.size = sizeof(r), .op = EMUCOMPAT_VA_LIMITS_SET,
		.lo = base, .hi = base + 16 * P,
	};
	struct ec_mmap_bases before, after;

	if (!ec_va_limits_supported())
		kunit_skip(test, "no VA limits without CONFIG_MMU_NOTIFIER");
	ec_ku_use(test);
	mmap_read_lock(ec_ku.mm);
	ec_arch_get_mmap_bases(ec_ku.mm, &before);
	mmap_read_unlock(ec_ku.mm);

	KUNIT_ASSERT_EQ(test, ec_va_limits(&r), 0L);
	KUNIT_EXPECT_TRUE(test, r.flags & EMUCOMPAT_VA_LIMITS_TOPDOWN);
	KUNIT_EXPECT_EQ(test, r.base, (u64)(base + 16 * P));
	addr = vm_mmap(NULL, 0, P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	KUNIT_EXPECT_EQ(test, addr, base + 15 * P);
	if (!IS_ERR_VALUE(addr))
		vm_munmap(addr, P);

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.op = EMUCOMPAT_VA_LIMITS_GET;
	KUNIT_EXPECT_EQ(test, ec_va_limits(&r), 0L);
	KUNIT_EXPECT_EQ(test, r.lo, (u64)base);
	KUNIT_EXPECT_EQ(test, r.hi, (u64)(base + 16 * P));
	r.op = EMUCOMPAT_VA_LIMITS_CLEAR;
	KUNIT_EXPECT_EQ(test, ec_va_limits(&r), 0L);
	KUNIT_EXPECT_EQ(test, ec_va_limits(&r), (long)-ENOENT);

	mmap_read_lock(ec_ku.mm);
	ec_arch_get_mmap_bases(ec_ku.mm, &after);
	mmap_read_unlock(ec_ku.mm);
	KUNIT_EXPECT_EQ(test, after.base, before.base);
	KUNIT_EXPECT_EQ(test, after.legacy_base, before.legacy_base);
	KUNIT_EXPECT_EQ(test, after.compat_base, before.compat_base);
	KUNIT_EXPECT_EQ(test, after.compat_legacy_base, before.compat_legacy_base);
	ec_ku_unuse();
}

static struct kunit_case ec_place_cases[] = {
	KUNIT_CASE(place_top_down),
	KUNIT_CASE(place_aligned),
	KUNIT_CASE(place_wraps),
	KUNIT_CASE(place_stack_guard),
	KUNIT_CASE(place_va_limits),
	{}
};

static struct kunit_suite ec_place_suite = {
	.name = "emucompat_place",
	.suite_init = ec_ku_suite_init,
	.suite_exit = ec_ku_suite_exit,
	.test_cases = ec_place_cases,
};

/* ---------------------------------------------------------------------- */
/* emucompat_uapi: the struct ABI and its size/reserved rules             */
/* ---------------------------------------------------------------------- */

static void uapi_layout(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct emucompat_info), (size_t)EMUCOMPAT_INFO_SIZE_VER0);
	KUNIT_EXPECT_EQ(test, sizeof(struct emucompat_ioctl32),
			(size_t)EMUCOMPAT_IOCTL32_SIZE_VER0);
	KUNIT_EXPECT_EQ(test, sizeof(struct emucompat_mmap_range),
			(size_t)EMUCOMPAT_MMAP_RANGE_SIZE_VER0);
	KUNIT_EXPECT_EQ(test, sizeof(struct emucompat_reserve_range),
			(size_t)EMUCOMPAT_RESERVE_RANGE_SIZE_VER0);
	KUNIT_EXPECT_EQ(test, sizeof(struct emucompat_va_limits),
			(size_t)EMUCOMPAT_VA_LIMITS_SIZE_VER0);
	KUNIT_EXPECT_EQ(test, offsetof(struct emucompat_va_limits, flags), (size_t)32);
	/* size first; 64-bit members naturally aligned (same in both ABIs) */
	KUNIT_EXPECT_EQ(test, offsetof(struct emucompat_info, size), (size_t)0);
	KUNIT_EXPECT_EQ(test, offsetof(struct emucompat_info, caps), (size_t)8);
	KUNIT_EXPECT_EQ(test, offsetof(struct emucompat_info, reserved), (size_t)56);
	KUNIT_EXPECT_EQ(test, offsetof(struct emucompat_ioctl32, pivot_sp), (size_t)24);
	KUNIT_EXPECT_EQ(test, offsetof(struct emucompat_ioctl32, reserved), (size_t)40);
	KUNIT_EXPECT_EQ(test, offsetof(struct emucompat_mmap_range, lo), (size_t)16);
	KUNIT_EXPECT_EQ(test, offsetof(struct emucompat_mmap_range, reserved), (size_t)56);
	KUNIT_EXPECT_EQ(test, offsetof(struct emucompat_reserve_range, lo), (size_t)8);
	KUNIT_EXPECT_EQ(test, offsetof(struct emucompat_reserve_range, reserved), (size_t)48);
}

static void uapi_commands(struct kunit *test)
{
	static const struct {
		unsigned int cmd, nr, size;
	} c[] = {
		{ EMUCOMPAT_IOC_INFO, 0, EMUCOMPAT_INFO_SIZE_VER0 },
		{ EMUCOMPAT_IOC_IOCTL32, 1, EMUCOMPAT_IOCTL32_SIZE_VER0 },
		{ EMUCOMPAT_IOC_MMAP_RANGE, 2, EMUCOMPAT_MMAP_RANGE_SIZE_VER0 },
		{ EMUCOMPAT_IOC_RESERVE_RANGE, 3, EMUCOMPAT_RESERVE_RANGE_SIZE_VER0 },
		{ EMUCOMPAT_IOC_ROBUST_LIST32, 4, EMUCOMPAT_ROBUST_LIST32_SIZE_VER0 },
		{ EMUCOMPAT_IOC_VA_LIMITS, 6, EMUCOMPAT_VA_LIMITS_SIZE_VER0 },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		KUNIT_EXPECT_EQ(test, _IOC_TYPE(c[i].cmd), (unsigned int)EMUCOMPAT_IOC_MAGIC);
		KUNIT_EXPECT_EQ(test, _IOC_NR(c[i].cmd), c[i].nr);
		KUNIT_EXPECT_EQ(test, _IOC_SIZE(c[i].cmd), c[i].size);
		KUNIT_EXPECT_EQ(test, _IOC_DIR(c[i].cmd),
				(unsigned int)(_IOC_READ | _IOC_WRITE));
	}
}

/*
 * Put @len bytes of @req at the start of the user buffer (the rest of it
 * filled with @fill), issue @cmd through the device's ioctl handler, read
 * the buffer back into @out (@outlen bytes).  Address space borrowed.
 */
static long ec_ku_ioctl(unsigned int cmd, const void *req, size_t len, u8 fill,
			void *out, size_t outlen)
{
	void __user *u = (void __user *)ec_ku.buf;
	u8 *pat;
	long ret;

	pat = kmalloc(EC_KU_PAGES * P, GFP_KERNEL);
	if (!pat)
		return -ENOMEM;
	memset(pat, fill, EC_KU_PAGES * P);
	memcpy(pat, req, len);
	ret = -EFAULT;
	if (copy_to_user(u, pat, EC_KU_PAGES * P))
		goto out;
	ret = ec_unlocked_ioctl(NULL, cmd, (unsigned long)u);
	if (out && copy_from_user(out, u, outlen))
		ret = -EFAULT;
out:
	kfree(pat);
	return ret;
}

static void uapi_info_sizes(struct kunit *test)
{
	struct emucompat_info in = { .size = sizeof(in) };
	u8 out[sizeof(in) + 16] __aligned(8);
	struct emucompat_info *o = (void *)out;
	u8 big[sizeof(in) + 16] __aligned(8) = { 0 };
	struct emucompat_info *b = (void *)big;

	ec_ku_use(test);
	/* VER0: filled in, nothing written past it */
	KUNIT_EXPECT_EQ(test, ec_ku_ioctl(EMUCOMPAT_IOC_INFO, &in, sizeof(in), 0xa5,
					  out, sizeof(out)), 0L);
	KUNIT_EXPECT_EQ(test, o->size, (u32)sizeof(in));
	KUNIT_EXPECT_EQ(test, o->api_version, (u32)EMUCOMPAT_API_VERSION);
	KUNIT_EXPECT_EQ(test, o->arch, ec_arch_id());
	KUNIT_EXPECT_EQ(test, o->mmap_min, (u64)ec_mmap_floor());
	KUNIT_EXPECT_TRUE(test, o->caps & EMUCOMPAT_CAP_MMAP_RANGE);
	KUNIT_EXPECT_EQ(test, out[sizeof(in)], 0xa5);
	KUNIT_EXPECT_EQ(test, out[sizeof(in) + 15], 0xa5);
	/* smaller than VER0 (down to 0): EINVAL */
	in.size = EMUCOMPAT_INFO_SIZE_VER0 - 8;
	KUNIT_EXPECT_EQ(test, ec_ku_ioctl(EMUCOMPAT_IOC_INFO, &in, sizeof(in), 0,
					  NULL, 0), -EINVAL);
	in.size = 0;
	KUNIT_EXPECT_EQ(test, ec_ku_ioctl(EMUCOMPAT_IOC_INFO, &in, sizeof(in), 0,
					  NULL, 0), -EINVAL);
	/* larger than a page: E2BIG */
	in.size = PAGE_SIZE + 1;
	KUNIT_EXPECT_EQ(test, ec_ku_ioctl(EMUCOMPAT_IOC_INFO, &in, sizeof(in), 0,
					  NULL, 0), -E2BIG);
	/* larger than this module's struct: the tail must be zero */
	b->size = sizeof(big);
	KUNIT_EXPECT_EQ(test, ec_ku_ioctl(EMUCOMPAT_IOC_INFO, big, sizeof(big), 0xa5,
					  out, sizeof(out)), 0L);
	KUNIT_EXPECT_EQ(test, o->size, (u32)sizeof(big));
	KUNIT_EXPECT_EQ(test, o->api_version, (u32)EMUCOMPAT_API_VERSION);
	KUNIT_EXPECT_EQ(test, out[sizeof(in)], 0);
	big[sizeof(in) + 15] = 1;
	KUNIT_EXPECT_EQ(test, ec_ku_ioctl(EMUCOMPAT_IOC_INFO, big, sizeof(big), 0,
					  NULL, 0), -E2BIG);
	/* exactly a page, zero tail */
	in.size = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, ec_ku_ioctl(EMUCOMPAT_IOC_INFO, &in, sizeof(in), 0,
					  NULL, 0), 0L);
	ec_ku_unuse();
}

static void uapi_reserved(struct kunit *test)
{
	struct emucompat_info info = { .size = sizeof(info) };
	struct emucompat_ioctl32 io = { .size = sizeof(io), .fd = -1 };
	struct emucompat_mmap_range mr = { .size = sizeof(mr) };
	struct emucompat_reserve_range rr = { .size = sizeof(rr) };

	ec_ku_use(test);
	info.reserved[2] = 1;
	KUNIT_EXPECT_EQ(test, ec_ku_ioctl(EMUCOMPAT_IOC_INFO, &info, sizeof(info), 0,
					  NULL, 0), -EINVAL);
	io.flags = 1;
	KUNIT_EXPECT_EQ(test, ec_ku_ioctl(EMUCOMPAT_IOC_IOCTL32, &io, sizeof(io), 0,
					  NULL, 0), -EINVAL);
	io.flags = 0;
	io.__pad = 1;
	KUNIT_EXPECT_EQ(test, ec_ku_ioctl(EMUCOMPAT_IOC_IOCTL32, &io, sizeof(io), 0,
					  NULL, 0), -EINVAL);
	io.__pad = 0;
	io.reserved[1] = 1;
	KUNIT_EXPECT_EQ(test, ec_ku_ioctl(EMUCOMPAT_IOC_IOCTL32, &io, sizeof(io), 0,
					  NULL, 0), -EINVAL);
	io.reserved[1] = 0;
	io.size = EMUCOMPAT_IOCTL32_SIZE_VER0 - 1;
	KUNIT_EXPECT_EQ(test, ec_ku_ioctl(EMUCOMPAT_IOC_IOCTL32, &io, sizeof(io), 0,
					  NULL, 0), -EINVAL);
	mr.reserved[0] = 1;
	KUNIT_EXPECT_EQ(test, ec_ku_ioctl(EMUCOMPAT_IOC_MMAP_RANGE, &mr, sizeof(mr), 0,
					  NULL, 0), -EINVAL);
	rr.flags = 1;
	KUNIT_EXPECT_EQ(test, ec_ku_ioctl(EMUCOMPAT_IOC_RESERVE_RANGE, &rr, sizeof(rr), 0,
					  NULL, 0), -EINVAL);
	rr.flags = 0;
	rr.reserved[1] = 1;
	KUNIT_EXPECT_EQ(test, ec_ku_ioctl(EMUCOMPAT_IOC_RESERVE_RANGE, &rr, sizeof(rr), 0,
					  NULL, 0), -EINVAL);
	/* a non-zero byte past the struct: E2BIG, as copy_struct_from_user() */
	rr.reserved[1] = 0;
	rr.size = sizeof(rr) + 1;
	KUNIT_EXPECT_EQ(test, ec_ku_ioctl(EMUCOMPAT_IOC_RESERVE_RANGE, &rr, sizeof(rr), 0xff,
					  NULL, 0), -E2BIG);
	ec_ku_unuse();
}

static void uapi_dispatch(struct kunit *test)
{
	struct emucompat_info info = { .size = sizeof(info) };
	unsigned int grown = _IOC(_IOC_READ | _IOC_WRITE, EMUCOMPAT_IOC_MAGIC, 0,
				  EMUCOMPAT_INFO_SIZE_VER0 + 8);

	ec_ku_use(test);
	/* a grown struct keeps its command number: the size field is ignored */
	KUNIT_EXPECT_EQ(test, ec_ku_ioctl(grown, &info, sizeof(info), 0, NULL, 0), 0L);
	/* unknown number, other type, other direction: ENOTTY */
	KUNIT_EXPECT_EQ(test, ec_ku_ioctl(_IOWR(EMUCOMPAT_IOC_MAGIC, 0x7f, u32), &info,
					  sizeof(info), 0, NULL, 0), -ENOTTY);
	KUNIT_EXPECT_EQ(test, ec_ku_ioctl(_IOWR(EMUCOMPAT_IOC_MAGIC + 1, 0,
						struct emucompat_info),
					  &info, sizeof(info), 0, NULL, 0), -ENOTTY);
	KUNIT_EXPECT_EQ(test, ec_ku_ioctl(_IOR(EMUCOMPAT_IOC_MAGIC, 0, struct emucompat_info),
					  &info, sizeof(info), 0, NULL, 0), -ENOTTY);
	/* a bad pointer: EFAULT */
	KUNIT_EXPECT_EQ(test, ec_unlocked_ioctl(NULL, EMUCOMPAT_IOC_INFO, 0), -EFAULT);
	ec_ku_unuse();
}

static struct kunit_case ec_uapi_cases[] = {
	KUNIT_CASE(uapi_layout),
	KUNIT_CASE(uapi_commands),
	KUNIT_CASE(uapi_info_sizes),
	KUNIT_CASE(uapi_reserved),
	KUNIT_CASE(uapi_dispatch),
	{}
};

static struct kunit_suite ec_uapi_suite = {
	.name = "emucompat_uapi",
	.suite_init = ec_ku_suite_init,
	.suite_exit = ec_ku_suite_exit,
	.test_cases = ec_uapi_cases,
};

/* ---------------------------------------------------------------------- */
/* emucompat_compat: the compat window on the current task                */
/* ---------------------------------------------------------------------- */

static void compat_window(struct kunit *test)
{
	struct ec_compat_window w;

	if (!ec_arch_compat_supported())
		kunit_skip(test, "no compat support in this kernel");
	KUNIT_ASSERT_FALSE(test, in_compat_syscall());
	KUNIT_ASSERT_FALSE(test, ec_arch_compat_flag());
	ec_arch_compat_enter(&w);
	KUNIT_EXPECT_TRUE(test, in_compat_syscall());
	KUNIT_EXPECT_TRUE(test, ec_arch_compat_flag());
	KUNIT_EXPECT_FALSE(test, w.saved);
	/* the window survives sleeping (and, on arm64, being scheduled out) */
	msleep(20);
	KUNIT_EXPECT_TRUE(test, in_compat_syscall());
	ec_arch_compat_exit(&w);
	KUNIT_EXPECT_FALSE(test, in_compat_syscall());
	KUNIT_EXPECT_FALSE(test, ec_arch_compat_flag());
}

static void compat_nested(struct kunit *test)
{
	struct ec_compat_window outer, inner;

	if (!ec_arch_compat_supported())
		kunit_skip(test, "no compat support in this kernel");
	ec_arch_compat_enter(&outer);
	ec_arch_compat_enter(&inner);
	KUNIT_EXPECT_TRUE(test, inner.saved);
	ec_arch_compat_exit(&inner);
	/* the inner exit restores the state it found: still compat */
	KUNIT_EXPECT_TRUE(test, in_compat_syscall());
	KUNIT_EXPECT_TRUE(test, ec_arch_compat_flag());
	ec_arch_compat_exit(&outer);
	KUNIT_EXPECT_FALSE(test, in_compat_syscall());
	KUNIT_EXPECT_FALSE(test, ec_arch_compat_flag());
}

static void compat_arch(struct kunit *test)
{
#ifdef CONFIG_X86_64
	KUNIT_EXPECT_EQ(test, ec_arch_compat_supported(), IS_ENABLED(CONFIG_IA32_EMULATION));
	KUNIT_EXPECT_EQ(test, ec_arch_id(), (u32)EMUCOMPAT_ARCH_X86_64);
	KUNIT_EXPECT_EQ(test, ec_arch_compat_task_size(), (u64)IA32_PAGE_OFFSET);
#elif defined(CONFIG_ARM64)
	KUNIT_EXPECT_EQ(test, ec_arch_id(), (u32)EMUCOMPAT_ARCH_ARM64);
#endif
	KUNIT_EXPECT_LE(test, ec_arch_compat_task_size(), (u64)SZ_4G);
}

static struct kunit_case ec_compat_cases[] = {
	KUNIT_CASE(compat_window),
	KUNIT_CASE(compat_nested),
	KUNIT_CASE(compat_arch),
	{}
};

/*
 * The arch set-up the module's init does (arm64: the preempt-notifier
 * static key); on some kernels (6.1) KUnit runs a module's suites before
 * its init function.
 */
static int ec_compat_suite_init(struct kunit_suite *suite)
{
	return ec_arch_init();
}

static void ec_compat_suite_exit(struct kunit_suite *suite)
{
	ec_arch_exit();
}

static struct kunit_suite ec_compat_suite = {
	.name = "emucompat_compat",
	.suite_init = ec_compat_suite_init,
	.suite_exit = ec_compat_suite_exit,
	.test_cases = ec_compat_cases,
};

kunit_test_suites(&ec_range_suite, &ec_place_suite, &ec_uapi_suite,
		  &ec_compat_suite);
