// SPDX-License-Identifier: GPL-2.0
/*
 * Process-wide VA limits: EMUCOMPAT_IOC_VA_LIMITS.
 *
 * Every mapping the kernel places without an address -- mmap() without
 * MAP_FIXED, an mremap() move, shmat(), io_setup()'s ring, a driver's own
 * vm_mmap() inside an ioctl -- is placed by the architecture's
 * get_unmapped_area, which searches from the address space's mmap base:
 * top-down from mm->mmap_base to the first page, or bottom-up from the
 * legacy base.  Moving those bases is the one per-address-space placement
 * control every supported kernel has (the per-mm get_unmapped_area hook
 * went away in 6.10, and the kernel's search functions are not exported),
 * so that is what SET does, under mmap_write_lock(), which every placement
 * holds too.  What the bases cannot do: when the range is full the search
 * goes on outside it (below @lo, then bottom-up above @hi); a free hint
 * is honoured.  The uapi header says so.
 *
 * The module keeps a record per address space: the range, for GET, and
 * the bases SET found, for CLEAR.  It hangs off an mmu_notifier, whose
 * ->release runs when the address space is torn down (exit, exec), so no
 * record outlives its mm; each record holds a module reference, dropped
 * when the notifier is freed.
 */
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/hashtable.h>
#include <linux/spinlock.h>
#include "emucompat.h"

/*
 * Built only with CONFIG_MMU_NOTIFIER (module/Kbuild); emucompat.h has the
 * stubs for kernels without it.
 */

/**
 * struct ec_va_limits - the VA limits of one address space
 * @mn: registered on the mm; ->release drops the record
 * @node: in ec_va_hash, keyed by the mm
 * @mm: the address space (the notifier holds a reference on it)
 * @lo: range start, as SET gave it
 * @hi: range end, as SET gave it
 * @base: where searches start now
 * @topdown: the address space places top-down
 * @saved: the bases the first SET found, restored by CLEAR
 */
struct ec_va_limits {
	struct mmu_notifier mn;
	struct hlist_node node;
	struct mm_struct *mm;
	unsigned long lo;
	unsigned long hi;
	unsigned long base;
	bool topdown;
	struct ec_mmap_bases saved;
};

/*
 * Records by mm.  A record is only looked up, added or removed for
 * current->mm under its mmap_write_lock(), or by ->release when no task
 * uses the mm any more, so a record found stays valid while that lock is
 * held; the spinlock only protects the buckets.
 */
static DEFINE_HASHTABLE(ec_va_hash, 6);
static DEFINE_SPINLOCK(ec_va_lock);

/* The record of @mm, or NULL.  Context: mmap_write_lock(mm) held. */
static struct ec_va_limits *ec_va_find(struct mm_struct *mm)
{
	struct ec_va_limits *lim, *found = NULL;

	lockdep_assert_held_write(&mm->mmap_lock);
	spin_lock(&ec_va_lock);
	hash_for_each_possible(ec_va_hash, lim, node, (unsigned long)mm) {
		if (lim->mm == mm) {
			found = lim;
			break;
		}
	}
	spin_unlock(&ec_va_lock);
	return found;
}

/* Take @lim out of the table; true if this caller did (and must put it). */
static bool ec_va_unhash(struct ec_va_limits *lim)
{
	bool was = false;

	spin_lock(&ec_va_lock);
	if (!hlist_unhashed(&lim->node)) {
		hash_del(&lim->node);
		was = true;
	}
	spin_unlock(&ec_va_lock);
	return was;
}

static struct mmu_notifier *ec_va_alloc_notifier(struct mm_struct *mm)
{
	struct ec_va_limits *lim = kzalloc(sizeof(*lim), GFP_KERNEL);

	if (!lim)
		return ERR_PTR(-ENOMEM);
	INIT_HLIST_NODE(&lim->node);
	lim->mm = mm;
	/* Called from our own ioctl: the open device pins the module. */
	__module_get(THIS_MODULE);
	return &lim->mn;
}

/*
 * After an SRCU grace period once the last reference is put; the module
 * exit waits for these with mmu_notifier_synchronize(), so dropping the
 * module reference here is safe.
 */
static void ec_va_free_notifier(struct mmu_notifier *mn)
{
	kfree(container_of(mn, struct ec_va_limits, mn));
	module_put(THIS_MODULE);
}

/* exit_mmap(): the address space goes away, and the record with it. */
static void ec_va_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct ec_va_limits *lim = container_of(mn, struct ec_va_limits, mn);

	if (ec_va_unhash(lim))
		mmu_notifier_put(mn);
}

static const struct mmu_notifier_ops ec_va_mn_ops = {
	.release = ec_va_release,
	.alloc_notifier = ec_va_alloc_notifier,
	.free_notifier = ec_va_free_notifier,
};

/**
 * ec_mm_topdown() - does @mm place mappings top-down?
 * @mm: the caller's address space
 *
 * Since 6.10 the kernel keeps the layout in a flag (ec_mm_flag_topdown()).
 * Before, it is the mm's get_unmapped_area hook, set at exec to the
 * architecture's top-down or bottom-up search, neither of them exported.
 * So the hook is asked for one page with the top-down and the bottom-up
 * base made equal for the call: a top-down search answers below that
 * base, a bottom-up one at or above it.  No other placement can run: it
 * would need the mmap lock held here.  (Only a top-down space with no
 * free page at all below its base would be misread, and then both
 * layouts place the same way: upward.)
 *
 * Context: mmap_write_lock(mm) held.  Not mmap_assert_write_locked(),
 * whose DEBUG_VM check calls dump_mm(), not exported on 6.1.
 *
 * Return: true for the top-down layout.
 */
static bool ec_mm_topdown(struct mm_struct *mm)
{
	unsigned long legacy = mm->mmap_legacy_base, addr;

	lockdep_assert_held_write(&mm->mmap_lock);
	if (EC_HAVE_MMF_TOPDOWN)
		return ec_mm_flag_topdown(mm);
	WRITE_ONCE(mm->mmap_legacy_base, mm->mmap_base);
	addr = ec_mm_get_unmapped_area(mm, PAGE_SIZE);
	WRITE_ONCE(mm->mmap_legacy_base, legacy);
	return !IS_ERR_VALUE(addr) && addr < mm->mmap_base;
}

/*
 * SET; *@limp is this mm's record or NULL, and the record afterwards.
 * Context: mmap_write_lock(mm) held.
 */
static long ec_va_set(struct mm_struct *mm, struct ec_va_limits **limp,
		      const struct emucompat_va_limits *req)
{
	struct ec_va_limits *lim = *limp;
	struct ec_mmap_bases saved, b;
	struct mmu_notifier *mn;
	unsigned long base, lo;
	bool topdown;

	lockdep_assert_held_write(&mm->mmap_lock);
	if (req->lo >= req->hi || !PAGE_ALIGNED(req->lo) ||
	    !PAGE_ALIGNED(req->hi))
		return -EINVAL;
	if (req->hi > TASK_SIZE)
		return -EINVAL;

	if (lim) {
		saved = lim->saved;
		topdown = lim->topdown;
	} else {
		ec_arch_get_mmap_bases(mm, &saved);
		topdown = ec_mm_topdown(mm);
	}
	/*
	 * A bottom-up search starts right at the base, so it must not lie
	 * below mmap_min_addr (the first free gap would be page 0 and every
	 * mmap() fail with EPERM), nor at the end of the default map window,
	 * where the search ends.
	 */
	lo = max_t(u64, req->lo, ec_mmap_floor());
	if (lo >= req->hi || (!topdown && lo >= DEFAULT_MAP_WINDOW))
		return -ERANGE;
	b = saved;
	base = ec_arch_limit_mmap_bases(&b, topdown, lo, req->hi);
	if (topdown && base <= lo)
		return -ERANGE;

	if (!lim) {
		mn = mmu_notifier_get_locked(&ec_va_mn_ops, mm);
		if (IS_ERR(mn))
			return PTR_ERR(mn);
		lim = container_of(mn, struct ec_va_limits, mn);
		lim->saved = saved;
		lim->topdown = topdown;
		spin_lock(&ec_va_lock);
		hash_add(ec_va_hash, &lim->node, (unsigned long)mm);
		spin_unlock(&ec_va_lock);
	}
	ec_arch_set_mmap_bases(mm, &b);
	lim->lo = req->lo;
	lim->hi = req->hi;
	lim->base = base;
	*limp = lim;
	return 0;
}

/**
 * ec_va_limits() - EMUCOMPAT_IOC_VA_LIMITS
 * @req: validated request (GET and CLEAR came with @lo and @hi zero);
 *       SET and GET fill @lo, @hi, @base and @flags
 *
 * The whole command, the record lookup included, runs under one
 * mmap_write_lock() hold, so SETs and CLEARs of threads sharing the
 * address space are serialised and the last one stands.  Takes the lock;
 * called without it.
 *
 * Return: 0; for SET -EINVAL for a range that is empty, not page aligned
 * or ends above TASK_SIZE, -ERANGE if no part of the range lies above the
 * mmap floor (mmap_min_addr's default) and below the top-down search's
 * start, or, bottom-up, inside the default map window; -ENOENT for GET or
 * CLEAR when this address space has no limits; -ENOMEM; -EINTR if a fatal
 * signal came while waiting for the mmap lock.
 */
long ec_va_limits(struct emucompat_va_limits *req)
{
	struct mm_struct *mm = current->mm;
	struct ec_va_limits *lim;
	long ret = 0;

	if (mmap_write_lock_killable(mm))
		return -EINTR;
	lim = ec_va_find(mm);
	switch (req->op) {
	case EMUCOMPAT_VA_LIMITS_SET:
		ret = ec_va_set(mm, &lim, req);
		break;
	case EMUCOMPAT_VA_LIMITS_GET:
		if (!lim)
			ret = -ENOENT;
		break;
	case EMUCOMPAT_VA_LIMITS_CLEAR:
		if (!lim) {
			ret = -ENOENT;
			break;
		}
		ec_arch_set_mmap_bases(mm, &lim->saved);
		if (ec_va_unhash(lim))
			mmu_notifier_put(&lim->mn);
		lim = NULL;
		break;
	}
	/* SET and GET report the limits now in force. */
	if (!ret && lim) {
		req->lo = lim->lo;
		req->hi = lim->hi;
		req->base = lim->base;
		req->flags = lim->topdown ? EMUCOMPAT_VA_LIMITS_TOPDOWN : 0;
	}
	mmap_write_unlock(mm);
	return ret;
}

/**
 * ec_va_limits_init() - at module load
 *
 * The record table is static and starts empty; nothing to set up.  (On
 * kernels before 6.3 the KUnit suites run before this, and may have used
 * the table already.)
 *
 * Return: 0.
 */
int ec_va_limits_init(void)
{
	return 0;
}

/**
 * ec_va_limits_exit() - at module unload
 *
 * Every record holds a module reference, so none is left; wait for the
 * notifiers being freed, whose callback drops the last of them.
 */
void ec_va_limits_exit(void)
{
	mmu_notifier_synchronize();
	WARN_ON(!hash_empty(ec_va_hash));
}
