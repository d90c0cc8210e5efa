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
 * record outlives its mm.
 *
 * Registering a notifier runs mm_take_all_locks(): a global mutex, and
 * i_mmap_rwsem for write on every file the address space maps (libc.so
 * included), held until the registration is done.  So the record is
 * registered once per address space, by its first request, and stays
 * until ->release: CLEAR only marks it inactive, and a later SET reuses
 * it.  A SET/CLEAR loop therefore takes no lock but the caller's own
 * mmap_lock and its notifier list's spinlock, whatever the address space
 * maps.  Records are found through the mm's own notifier list
 * (mmu_notifier_get_locked()), never through a global table.
 *
 * Lifetime and locking:
 *  - a record's fields change only under mmap_write_lock() of its mm, or
 *    in ->release, when no task uses the mm any more;
 *  - a record with limits in force holds a module reference (taken by
 *    SET, dropped by CLEAR or ->release), so the module stays while any
 *    address space has limits;
 *  - every record is also on ec_va_all, only so that the module's exit
 *    can drop the inactive ones still registered; the list's spinlock is
 *    taken once when a record is made and once when it goes, never by a
 *    SET, GET or CLEAR of a known record.
 */
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include "emucompat.h"

/*
 * Built only with CONFIG_MMU_NOTIFIER (module/Kbuild); emucompat.h has the
 * stubs for kernels without it.
 */

/**
 * struct ec_va_limits - the VA limits of one address space
 * @mn: registered on the mm (mn.mm) from the first request to ->release;
 *      holds the one notifier reference of the record
 * @node: in ec_va_all; under ec_va_all_lock
 * @known: ec_va_get() has listed the record (set once, under mmap_lock)
 * @active: limits are in force (SET done, no CLEAR since); holds a module
 *          reference
 * @lo: range start, as SET gave it
 * @hi: range end, as SET gave it
 * @base: where searches start now
 * @topdown: the address space places top-down
 * @saved: the bases the first SET since activation found, restored by
 *         CLEAR
 *
 * All but @node: under mmap_write_lock(mn.mm), or in ->release.
 */
struct ec_va_limits {
	struct mmu_notifier mn;
	struct list_head node;
	bool known;
	bool active;
	unsigned long lo;
	unsigned long hi;
	unsigned long base;
	bool topdown;
	struct ec_mmap_bases saved;
};

/* Every registered record, for the module's exit only (see above). */
static LIST_HEAD(ec_va_all);
static DEFINE_SPINLOCK(ec_va_all_lock);

/*
 * Take @lim off ec_va_all; true if this caller did, and so owns the
 * record's notifier reference.  ->release and the module's exit may race
 * for it.  Context: takes ec_va_all_lock.
 */
static bool ec_va_unlist(struct ec_va_limits *lim)
{
	bool was = false;

	spin_lock(&ec_va_all_lock);
	if (!list_empty(&lim->node)) {
		list_del_init(&lim->node);
		was = true;
	}
	spin_unlock(&ec_va_all_lock);
	return was;
}

/* Context: mmu_notifier_get_locked(), mmap_write_lock(mm) held. */
static struct mmu_notifier *ec_va_alloc_notifier(struct mm_struct *mm)
{
	struct ec_va_limits *lim;

	lockdep_assert_held_write(&mm->mmap_lock);
	lim = kzalloc(sizeof(*lim), GFP_KERNEL);
	if (!lim)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&lim->node);
	return &lim->mn;
}

/*
 * After an SRCU grace period once the last reference is put (or at once
 * when the registration failed); the module's exit waits for these with
 * mmu_notifier_synchronize().
 */
static void ec_va_free_notifier(struct mmu_notifier *mn)
{
	kfree(container_of(mn, struct ec_va_limits, mn));
}

/*
 * exit_mmap(): the address space goes away, and the record with it.
 * Context: no task uses @mm any more (mm_users is 0), so no request runs
 * on the record; called inside the notifiers' SRCU read section, which
 * the module's exit waits for after the module_put() below.
 */
static void ec_va_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct ec_va_limits *lim = container_of(mn, struct ec_va_limits, mn);
	bool active = lim->active;

	if (active)
		lim->active = false;
	if (ec_va_unlist(lim))
		mmu_notifier_put(mn);
	if (active)
		module_put(THIS_MODULE);
}

static const struct mmu_notifier_ops ec_va_mn_ops = {
	.release = ec_va_release,
	.alloc_notifier = ec_va_alloc_notifier,
	.free_notifier = ec_va_free_notifier,
};

/**
 * ec_va_get() - the record of @mm
 * @mm: the caller's address space
 * @create: make the record if there is none
 *
 * mmu_notifier_get_locked() finds the record on @mm's own notifier list
 * (under that list's spinlock); only when there is none does it allocate
 * one and register it, the one mm_take_all_locks() of the address space.
 * Without @create, an address space with no notifier at all has no
 * record, and none is made for it; one that has another driver's
 * notifiers (KVM, a GPU) gets its record registered, inactive.
 *
 * Context: mmap_write_lock(mm) held.
 *
 * Return: the record, NULL (only without @create), or an ERR_PTR:
 * -ENOMEM, or -EINTR when a signal came during the registration.
 */
static struct ec_va_limits *ec_va_get(struct mm_struct *mm, bool create)
{
	struct mmu_notifier *mn;
	struct ec_va_limits *lim;

	lockdep_assert_held_write(&mm->mmap_lock);
	if (!create && !mm_has_notifiers(mm))
		return NULL;
	mn = mmu_notifier_get_locked(&ec_va_mn_ops, mm);
	if (IS_ERR(mn))
		return ERR_CAST(mn);
	lim = container_of(mn, struct ec_va_limits, mn);
	if (lim->known) {
		/* Found: the record keeps the reference it was made with. */
		mmu_notifier_put(mn);
		return lim;
	}
	lim->known = true;
	spin_lock(&ec_va_all_lock);
	list_add(&lim->node, &ec_va_all);
	spin_unlock(&ec_va_all_lock);
	return lim;
}

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

/**
 * ec_va_set() - SET
 * @mm: the caller's address space
 * @req: validated request
 *
 * Context: mmap_write_lock(mm) held.
 *
 * Return: the record, now active, or an ERR_PTR (see ec_va_limits()).
 */
static struct ec_va_limits *ec_va_set(struct mm_struct *mm,
				      const struct emucompat_va_limits *req)
{
	struct ec_mmap_bases saved, b;
	struct ec_va_limits *lim;
	unsigned long base, lo;
	bool topdown;

	lockdep_assert_held_write(&mm->mmap_lock);
	if (req->lo >= req->hi || !PAGE_ALIGNED(req->lo) ||
	    !PAGE_ALIGNED(req->hi))
		return ERR_PTR(-EINVAL);
	if (req->hi > TASK_SIZE)
		return ERR_PTR(-EINVAL);

	lim = ec_va_get(mm, true);
	if (IS_ERR(lim))
		return lim;
	if (lim->active) {
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
		return ERR_PTR(-ERANGE);
	b = saved;
	base = ec_arch_limit_mmap_bases(&b, topdown, lo, req->hi);
	if (topdown && base <= lo)
		return ERR_PTR(-ERANGE);

	if (!lim->active) {
		/* Called from our own ioctl: the open device pins the module. */
		__module_get(THIS_MODULE);
		lim->saved = saved;
		lim->topdown = topdown;
		lim->active = true;
	}
	ec_arch_set_mmap_bases(mm, &b);
	lim->lo = req->lo;
	lim->hi = req->hi;
	lim->base = base;
	return lim;
}

/**
 * ec_va_limits() - EMUCOMPAT_IOC_VA_LIMITS
 * @req: validated request (GET and CLEAR came with @lo and @hi zero);
 *       SET and GET fill @lo, @hi, @base and @flags
 *
 * The whole command, the record lookup included, runs under one
 * mmap_write_lock() hold, so SETs and CLEARs of threads sharing the
 * address space are serialised and the last one stands.  No other lock
 * is held long: the first request of an address space registers its
 * record (ec_va_get()), and every later one finds it on the mm's own
 * notifier list.  Takes the lock; called without it.
 *
 * Return: 0; for SET -EINVAL for a range that is empty, not page aligned
 * or ends above TASK_SIZE, -ERANGE if no part of the range lies above the
 * mmap floor (mmap_min_addr's default) and below the top-down search's
 * start, or, bottom-up, inside the default map window; -ENOENT for GET or
 * CLEAR when this address space has no limits; -ENOMEM; -EINTR if a fatal
 * signal came while waiting for the mmap lock, or any signal during the
 * first request's registration.
 */
long ec_va_limits(struct emucompat_va_limits *req)
{
	struct mm_struct *mm = current->mm;
	struct ec_va_limits *lim;
	long ret = 0;

	if (mmap_write_lock_killable(mm))
		return -EINTR;
	if (req->op == EMUCOMPAT_VA_LIMITS_SET) {
		lim = ec_va_set(mm, req);
	} else {
		lim = ec_va_get(mm, false);
		if (!IS_ERR(lim) && (!lim || !lim->active))
			lim = ERR_PTR(-ENOENT);
	}
	if (IS_ERR(lim)) {
		ret = PTR_ERR(lim);
	} else if (req->op == EMUCOMPAT_VA_LIMITS_CLEAR) {
		ec_arch_set_mmap_bases(mm, &lim->saved);
		lim->active = false;
		/* The device is open: not the module's last reference. */
		module_put(THIS_MODULE);
	} else {
		/* SET and GET report the limits now in force. */
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
 * The record list is static and starts empty; nothing to set up.  (On
 * kernels before 6.3 the KUnit suites run before this, and may have made
 * records already.)
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
 * Records with limits in force hold a module reference, so every record
 * left is inactive, registered on an address space that still lives:
 * drop each one's notifier reference (->release may be dropping it at
 * the same time; ec_va_unlist() picks one of the two), then wait for the
 * ->release calls still running and for the notifiers being freed.
 *
 * Context: takes ec_va_all_lock.
 */
void ec_va_limits_exit(void)
{
	struct ec_va_limits *lim, *tmp;

	spin_lock(&ec_va_all_lock);
	list_for_each_entry_safe(lim, tmp, &ec_va_all, node) {
		list_del_init(&lim->node);
		WARN_ON(lim->active);
		mmu_notifier_put(&lim->mn);
	}
	spin_unlock(&ec_va_all_lock);
	mmu_notifier_synchronize();
}
