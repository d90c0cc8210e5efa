// SPDX-License-Identifier: GPL-2.0
/*
 * Ranged mappings: EMUCOMPAT_IOC_MMAP_RANGE and EMUCOMPAT_IOC_RESERVE_RANGE.
 *
 * Placement is two steps, both the kernel's own code:
 *   1. under mmap_read_lock, the highest free window of the range that
 *      fits (ec_mm_highest_gap(), compat.h: the maple tree's gap search
 *      from 6.1, ec_rb_highest_gap() on the VMA rbtree before),
 *      keeping the stack guard gap below a VM_GROWSDOWN mapping;
 *   2. vm_mmap(..., MAP_FIXED_NOREPLACE) at that address, which takes
 *      mmap_write_lock and fails with -EEXIST if anything appeared there
 *      in between -- then search again.
 * Nothing is ever mapped over: a mapping another thread makes at the same
 * time is never clobbered, and two racing callers never overlap.
 *
 * One lock hold is not to be had with exported symbols: do_mmap() and
 * mmap_region() are not exported and vm_mmap() takes mmap_write_lock
 * itself.  What shares step 1's read lock is the check that the caller's
 * request struct can take the result (ec_wb_check_locked()), so a ranged
 * mmap takes the mmap lock twice, as few times as the two steps need.
 */
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/sched/mm.h>
#include <linux/log2.h>
#include <linux/rbtree.h>
#include <linux/uaccess.h>
#include "emucompat.h"

/* Lost placement races before giving up with -EAGAIN. */
#define EC_PLACE_RETRIES	1000

#define EC_MAP_KNOWN	(MAP_TYPE | MAP_ANONYMOUS | MAP_FIXED |		\
			 MAP_FIXED_NOREPLACE | MAP_NORESERVE |		\
			 MAP_POPULATE | MAP_NONBLOCK | MAP_STACK |	\
			 MAP_HUGETLB | (MAP_HUGE_MASK << MAP_HUGE_SHIFT) | \
			 MAP_LOCKED | MAP_GROWSDOWN | MAP_DENYWRITE |	\
			 MAP_EXECUTABLE | MAP_SYNC | MAP_UNINITIALIZED)

#define EC_PROT_KNOWN	(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | \
			 EC_PROT_BTI | EC_PROT_MTE)

/**
 * ec_mmap_floor() - lowest address a ranged mapping is placed at
 *
 * mmap_min_addr is not exported; the build-time default is what the
 * sysctl starts from.  An administrator who raises vm.mmap_min_addr above
 * it makes placements below the new value fail with EPERM.
 *
 * Return: the floor, page aligned.
 */
unsigned long ec_mmap_floor(void)
{
	return PAGE_ALIGN(max_t(unsigned long, PAGE_SIZE,
				CONFIG_DEFAULT_MMAP_MIN_ADDR));
}

/**
 * ec_mmap_top() - end of the search window for a range
 * @lo: range start as the caller gave it
 * @hi: range end as the caller gave it
 *
 * mmap() hands out addresses above DEFAULT_MAP_WINDOW (47 bits on x86-64
 * with 5-level paging, 48 bits on arm64 with 52-bit VAs) only to a caller
 * whose hint lies above it (arch_get_mmap_end()); the range is the hint
 * here.
 *
 * Return: TASK_SIZE if @lo or @hi lies above DEFAULT_MAP_WINDOW, else
 * DEFAULT_MAP_WINDOW.
 */
unsigned long ec_mmap_top(u64 lo, u64 hi)
{
	if (max(lo, hi) > DEFAULT_MAP_WINDOW)
		return TASK_SIZE;
	return DEFAULT_MAP_WINDOW;
}

static int ec_add_span(struct ec_span *spans, int n, u64 start, u64 end,
		       unsigned long floor, unsigned long top)
{
	start = max_t(u64, start, floor);
	end = min_t(u64, end, top);
	if (start >= end)
		return n;
	start = PAGE_ALIGN(start);
	end &= PAGE_MASK;
	if (start >= end)
		return n;
	spans[n].start = start;
	spans[n].end = end;
	return n + 1;
}

/**
 * ec_range_spans() - turn a user range into page-aligned search windows
 * @lo: range start as the caller gave it
 * @hi: range end (exclusive) as the caller gave it; @lo != @hi
 * @floor: lowest usable address (ec_mmap_floor())
 * @top: end of the usable address space (see ec_mmap_top())
 * @spans: out: up to two windows, in the order they are searched
 *
 * @lo < @hi gives [lo, hi); @lo > @hi wraps around and gives [lo, top)
 * then [floor, hi).  Bounds outside [floor, top) are clamped to it and
 * unaligned bounds are rounded inwards.
 *
 * Return: the number of non-empty windows (0, 1 or 2).
 */
int ec_range_spans(u64 lo, u64 hi, unsigned long floor, unsigned long top,
		   struct ec_span spans[2])
{
	int n = 0;

	if (lo < hi)
		return ec_add_span(spans, n, lo, hi, floor, top);
	n = ec_add_span(spans, n, lo, top, floor, top);
	return ec_add_span(spans, n, 0, hi, floor, top);
}

/* Up from @node to the first ancestor reached from its right child. */
static struct rb_node *ec_rb_up_from_right(struct rb_node *node)
{
	struct rb_node *parent;

	while ((parent = rb_parent(node))) {
		if (parent->rb_right == node)
			return parent;
		node = parent;
	}
	return NULL;
}

/**
 * ec_rb_highest_gap() - highest free window in an augmented VMA rbtree
 * @root: root of the tree, ordered by address; may be NULL
 * @ops: how to read a node
 * @low: lowest address the window may start at
 * @high: end (exclusive) the window may reach
 * @length: window length in bytes, > 0
 * @end: out: end (exclusive) of the highest free window
 *
 * The gaps are the spaces between a node's VMA and the previous one; the
 * space above the last VMA is not in the tree (the caller checks it).
 * Every node carries the largest such gap of its subtree, which prunes
 * the subtrees without a gap this long: O(log n), as vm_unmapped_area()
 * before 6.1.  Those gaps leave room for the stack guard (vm_start_gap()),
 * so they never exceed the plain gaps this search returns; a gap next to
 * a growing stack is only found when it fits with the guard, the rule
 * ec_find_gap() keeps.  Nodes are visited in reverse address order:
 * descend right while the right subtree may hold a fitting gap, then try
 * the node's own gap, then descend left; a subtree exhausted, climb to
 * the first ancestor reached from its right child and try its gap.
 *
 * Pure: reads the tree through @ops only, so KUnit (kunit.c) tests it on
 * a synthetic tree on any kernel.  The caller keeps the tree stable (for
 * the VMA tree: holds the mmap lock, read is enough).
 *
 * Return: 0 with *@end set, or -ENOMEM if no window fits.
 */
int ec_rb_highest_gap(struct rb_node *root, const struct ec_gap_tree_ops *ops,
		      unsigned long low, unsigned long high,
		      unsigned long length, unsigned long *end)
{
	struct rb_node *node = root, *child;
	bool descend = true;
	unsigned long s, e;

	if (high <= low || high - low < length)
		return -ENOMEM;
	if (!node || ops->subtree_gap(node) < length)
		return -ENOMEM;
	for (;;) {
		child = node->rb_right;
		if (descend && child && ops->gap_start(node) < high &&
		    ops->subtree_gap(child) >= length) {
			node = child;
			continue;
		}
		/* This node's own gap, below its VMA. */
		if (ops->start(node) <= low)
			return -ENOMEM;
		s = max(ops->gap_start(node), low);
		e = min(ops->start(node), high);
		if (e > s && e - s >= length) {
			*end = e;
			return 0;
		}
		child = node->rb_left;
		if (child && ops->subtree_gap(child) >= length) {
			node = child;
			descend = true;
			continue;
		}
		node = ec_rb_up_from_right(node);
		if (!node)
			return -ENOMEM;
		descend = false;
	}
}

/*
 * Highest address in @span where @len bytes aligned to @align fit, keeping
 * the stack guard gap below a VM_GROWSDOWN mapping.
 *
 * Context: the caller holds mmap_read_lock() (or the write lock).
 */
static int ec_find_gap(struct mm_struct *mm, const struct ec_span *span,
		       unsigned long len, unsigned long align,
		       unsigned long *addr)
{
	unsigned long length = len + align - PAGE_SIZE;
	unsigned long high = span->end;
	struct vm_area_struct *next;
	unsigned long end;

	lockdep_assert_held(&mm->mmap_lock);
	if (length < len)
		return -ENOMEM;
	while (high > span->start && high - span->start >= length) {
		if (ec_mm_highest_gap(mm, span->start, high, length, &end))
			return -ENOMEM;
		next = find_vma(mm, end);
		if (next && (next->vm_flags & VM_GROWSDOWN) &&
		    next->vm_start - end < EC_STACK_GUARD_GAP) {
			if (next->vm_start < EC_STACK_GUARD_GAP)
				return -ENOMEM;
			high = next->vm_start - EC_STACK_GUARD_GAP;
			continue;
		}
		*addr = (end - len) & ~(align - 1);
		return 0;
	}
	return -ENOMEM;
}

/*
 * Does every page of @wb lie in a writable mapping (its address untagged,
 * as copy_to_user() sees it)?  The common case of a
 * result that cannot be written back (a struct in read-only or unmapped
 * memory) fails before anything is done; a struct that becomes unwritable
 * later makes the write-back fail and the action stand (device.c).
 *
 * Context: the caller holds mmap_read_lock() (or the write lock).
 */
static int ec_wb_check_locked(struct mm_struct *mm, const struct ec_wb *wb)
{
	/* arm64 TBI (and x86 LAM): the VMAs are keyed by untagged addresses */
	unsigned long addr = untagged_addr(wb->addr), end = addr + wb->len;
	struct vm_area_struct *vma;

	lockdep_assert_held(&mm->mmap_lock);
	while (addr < end) {
		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start > addr || !(vma->vm_flags & VM_WRITE))
			return -EFAULT;
		addr = vma->vm_end;
	}
	return 0;
}

/**
 * ec_wb_check() - can a command's result be written back?
 * @wb: the write-back; NULL (in-kernel callers: KUnit) checks nothing
 *
 * Context: takes mmap_read_lock; called without it.
 *
 * Return: 0, -EFAULT if a page of it is not in a writable mapping, or
 * -EINTR if a fatal signal came while waiting for the lock.
 */
int ec_wb_check(const struct ec_wb *wb)
{
	struct mm_struct *mm = current->mm;
	int ret;

	if (!wb)
		return 0;
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	ret = ec_wb_check_locked(mm, wb);
	mmap_read_unlock(mm);
	return ret;
}

/*
 * Search, then map with MAP_FIXED_NOREPLACE; retry when a race is lost.
 * Takes mmap_read_lock for the search (and, the first time, the check of
 * @wb), vm_mmap() takes the write lock; called without either.
 */
static long ec_place(struct file *file, const struct ec_span *spans, int n,
		     unsigned long len, unsigned long align, unsigned long prot,
		     unsigned long flags, unsigned long off,
		     const struct ec_wb *wb, u64 *out)
{
	struct mm_struct *mm = current->mm;
	unsigned long addr, ret;
	int i, tries;

	for (i = 0; i < n; i++) {
		for (tries = 0; tries < EC_PLACE_RETRIES; tries++) {
			int err = 0;

			if (mmap_read_lock_killable(mm))
				return -EINTR;
			if (wb) {
				err = ec_wb_check_locked(mm, wb);
				wb = NULL;
			}
			if (!err)
				err = ec_find_gap(mm, &spans[i], len, align,
						  &addr);
			mmap_read_unlock(mm);
			if (err == -EFAULT)
				return err;
			if (err)
				break;
			ret = vm_mmap(file, addr, len, prot,
				      flags | MAP_FIXED_NOREPLACE, off);
			if (ret != (unsigned long)-EEXIST) {
				if (IS_ERR_VALUE(ret))
					return (long)ret;
				*out = ret;
				return 0;
			}
		}
		if (tries == EC_PLACE_RETRIES)
			return -EAGAIN;
	}
	return -ENOMEM;
}

static bool ec_is_hugetlbfs(struct file *file)
{
	return file_inode(file)->i_sb->s_magic == HUGETLBFS_MAGIC;
}

/**
 * ec_check_mmap_flags() - validate the prot and flags of a ranged mmap
 * @prot: PROT_* bits
 * @flags: MAP_* bits
 *
 * Return: 0, or -EINVAL for bits mmap() does not know here or a map type
 * other than MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE (and
 * MAP_DROPPABLE where the kernel has it).
 */
int ec_check_mmap_flags(unsigned long prot, unsigned long flags)
{
	if (prot & ~EC_PROT_KNOWN)
		return -EINVAL;
	if (flags & ~(unsigned long)(EC_MAP_KNOWN | EC_MAP_DROPPABLE))
		return -EINVAL;
	switch (flags & MAP_TYPE) {
	case MAP_SHARED:
	case MAP_PRIVATE:
	case MAP_SHARED_VALIDATE:
		return 0;
	default:
		if (EC_MAP_DROPPABLE && (flags & MAP_TYPE) == EC_MAP_DROPPABLE)
			return 0;
		return -EINVAL;
	}
}

/**
 * ec_mmap_range() - EMUCOMPAT_IOC_MMAP_RANGE
 * @req: validated request; @req->addr receives the address and @req->len
 *       the length mapped (rounded up to the page or huge page size)
 * @wb: where the result will be written back, checked before anything is
 *      mapped (-EFAULT); NULL checks nothing
 *
 * Return: 0, or -EINVAL (zero length, unknown prot/flags bits, bad map
 * type, MAP_HUGETLB on a file that is not hugetlbfs, unaligned offset),
 * -EPERM (PROT_EXEC for a caller under seccomp: ec_mmap_exec_policy()),
 * -EOPNOTSUPP (anonymous MAP_HUGETLB: use EMUCOMPAT_IOC_RESERVE_RANGE and
 * mmap(MAP_FIXED) over the placeholder; the library does), -EBADF,
 * -ENOMEM (no room in the range), -EEXIST (MAP_FIXED_NOREPLACE collision),
 * -EAGAIN (lost the placement race EC_PLACE_RETRIES times), -EFAULT (@wb
 * not writable), or any error
 * of mmap() itself.
 *
 * Context: takes the mmap lock (ec_place(), vm_mmap()); called without it.
 */
long ec_mmap_range(struct emucompat_mmap_range *req, const struct ec_wb *wb)
{
	unsigned long prot = req->prot, flags = req->flags, len, align;
	struct ec_span spans[2];
	struct file *file = NULL;
	long ret;
	int n;

	if (!req->len)
		return -EINVAL;
	ret = ec_check_mmap_flags(prot, flags);
	if (ret)
		return ret;
	ret = ec_mmap_exec_policy(prot);
	if (ret)
		return ret;
	if (req->len > TASK_SIZE)
		return -ENOMEM;
	len = PAGE_ALIGN(req->len);
	align = PAGE_SIZE;

	if (!(flags & MAP_ANONYMOUS)) {
		file = fget(req->fd);
		if (!file)
			return -EBADF;
		if (ec_is_hugetlbfs(file)) {
			align = file_inode(file)->i_sb->s_blocksize;
			len = ALIGN(len, align);
		} else if (flags & MAP_HUGETLB) {
			ret = -EINVAL;
			goto out;
		}
	} else if (flags & MAP_HUGETLB) {
		return -EOPNOTSUPP;
	}

	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) || req->lo == req->hi) {
		unsigned long addr = 0;

		if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
			if (req->lo > TASK_SIZE) {
				ret = -ENOMEM;
				goto out;
			}
			addr = req->lo;
		}
		ret = ec_wb_check(wb);
		if (ret)
			goto out;
		addr = vm_mmap(file, addr, len, prot, flags, req->off);
		ret = IS_ERR_VALUE(addr) ? (long)addr : 0;
		if (!ret)
			req->addr = addr;
		goto out;
	}

	n = ec_range_spans(req->lo, req->hi, ec_mmap_floor(),
			   ec_mmap_top(req->lo, req->hi), spans);
	ret = ec_place(file, spans, n, len, align, prot, flags, req->off, wb,
		       &req->addr);
out:
	if (!ret)
		req->len = len;
	if (file)
		fput(file);
	return ret;
}

/**
 * ec_reserve_range() - EMUCOMPAT_IOC_RESERVE_RANGE
 * @req: validated request; @req->addr receives the placeholder address,
 *       @req->len its length (rounded up to a multiple of the alignment)
 * @wb: as for ec_mmap_range()
 *
 * Places a PROT_NONE, MAP_NORESERVE anonymous placeholder of @req->len
 * bytes aligned to @req->align inside the range (@req->lo == @req->hi
 * means the default mmap window), for the caller to replace atomically.
 *
 * Return: 0, or -EINVAL (zero length, @req->align not a power of two or
 * below PAGE_SIZE), -ENOMEM (no room), -EAGAIN (see ec_mmap_range()).
 *
 * Context: takes the mmap lock (ec_place()); called without it.
 */
long ec_reserve_range(struct emucompat_reserve_range *req,
		      const struct ec_wb *wb)
{
	unsigned long align = req->align ? req->align : PAGE_SIZE;
	unsigned long len;
	struct ec_span spans[2];
	long ret;
	int n;

	if (!req->len)
		return -EINVAL;
	if (req->align && (!is_power_of_2(req->align) ||
			   req->align < PAGE_SIZE))
		return -EINVAL;
	if (req->len > TASK_SIZE || req->align > TASK_SIZE)
		return -ENOMEM;
	len = ALIGN(PAGE_ALIGN(req->len), align);

	if (req->lo == req->hi) {
		spans[0].start = ec_mmap_floor();
		spans[0].end = DEFAULT_MAP_WINDOW & PAGE_MASK;
		n = 1;
	} else {
		n = ec_range_spans(req->lo, req->hi, ec_mmap_floor(),
				   ec_mmap_top(req->lo, req->hi), spans);
	}
	ret = ec_place(NULL, spans, n, len, align, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, 0, wb,
		       &req->addr);
	if (!ret)
		req->len = len;
	return ret;
}
