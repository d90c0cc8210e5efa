/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version shims, force-included into every file of the module
 * (module/Kbuild).  This is the only place that looks at LINUX_VERSION_CODE
 * or at feature probes; the feature files call the ec_* helpers below.
 * A new kernel that moves an API should be a change here and nowhere else.
 *
 * Supported: 5.10 .. current, x86-64 and arm64.
 */
#ifndef _EMUCOMPAT_COMPAT_H
#define _EMUCOMPAT_COMPAT_H

#include <linux/version.h>
#include <linux/types.h>

/*
 * The EC_HAVE_* macros come from the header probes in module/Kbuild.
 * copy_struct_from_user() (5.4) is the oldest API the module relies on;
 * everything older than 5.10 is untested and refused.
 */
#ifndef EC_HAVE_COPY_STRUCT_FROM_USER
#error "emucompat needs Linux 5.10 or later"
#endif

/*
 * compat_alloc_user_space() existed until 5.14 (removed by a7a08b275a8b in
 * 5.15).  While it exists, a compat handler may carve scratch space below
 * the user stack pointer, so the forwarded call needs a low stack.
 */
#if defined(CONFIG_COMPAT) && defined(EC_HAVE_COMPAT_ALLOC_USER_SPACE)
#define EC_NEEDS_PIVOT 1
#else
#define EC_NEEDS_PIVOT 0
#endif

/*
 * Since 5.13 (the fileattr rework) compat_sys_ioctl() handles
 * FS_IOC32_{GET,SET}FLAGS and FS_IOC_FS{GET,SET}XATTR in the VFS; before,
 * each filesystem's compat_ioctl translated them.
 */
#ifdef EC_HAVE_FILEATTR
#define EC_VFS_HANDLES_FILEATTR 1
#else
#define EC_VFS_HANDLES_FILEATTR 0
#endif

/*
 * The maple tree (6.1) gives a logarithmic gap search with exported
 * mas_empty_area_rev(); before it, the VMA list is walked.
 */
#ifdef EC_HAVE_MAPLE_TREE
#undef EC_HAVE_MAPLE_TREE
#define EC_HAVE_MAPLE_TREE 1
#else
#define EC_HAVE_MAPLE_TREE 0
#endif

#include <linux/security.h>
#include <linux/sched.h>
#include <linux/mm.h>
#include <linux/fs.h>

/**
 * ec_vfs_ioctl() - a file's own ->unlocked_ioctl, as the VFS calls it
 * @file: target file
 * @cmd: ioctl command
 * @arg: argument (already converted with compat_ptr() where needed)
 *
 * vfs_ioctl() was exported until 6.x; 7.x made it static in fs/ioctl.c
 * (module/Kbuild probes include/linux/fs.h).  Without it, do the same:
 * no handler or -ENOIOCTLCMD means -ENOTTY.
 *
 * Return: the handler's result.
 */
static inline long ec_vfs_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
#ifdef EC_HAVE_VFS_IOCTL
	return vfs_ioctl(file, cmd, arg);
#else
	long ret;

	if (!file->f_op->unlocked_ioctl)
		return -ENOTTY;
	ret = file->f_op->unlocked_ioctl(file, cmd, arg);
	return ret == -ENOIOCTLCMD ? -ENOTTY : ret;
#endif
}

/**
 * ec_vfs_regular_file() - does the VFS treat @inode as a regular file?
 * @inode: inode of the target file
 *
 * The generic ioctls that only regular files get (FIONREAD from i_size,
 * file_ioctl()'s FIBMAP and preallocation).  Since anonymous inodes
 * became S_IFREG (after 6.12, together with IS_ANON_FILE()), fs/ioctl.c
 * excludes them, so an inotify file's FIONREAD still reaches its own
 * ->unlocked_ioctl.
 *
 * Return: true for a regular file that is not an anonymous inode.
 */
static inline bool ec_vfs_regular_file(const struct inode *inode)
{
#ifdef IS_ANON_FILE
	if (IS_ANON_FILE(inode))
		return false;
#endif
	return S_ISREG(inode->i_mode);
}

/**
 * ec_security_file_ioctl_compat() - the LSM hook for a compat ioctl
 * @file: target file
 * @cmd: command as the 32-bit caller passed it
 * @arg: 32-bit argument
 *
 * security_file_ioctl_compat() came with 6.8 and was backported to
 * 5.10.210 and 6.1.76; module/Kbuild probes the header for it.  Older
 * kernels have only security_file_ioctl(), which LSMs then see instead.
 *
 * Return: 0 if allowed, else the LSM's negative errno.
 */
static inline int
ec_security_file_ioctl_compat(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
#ifdef EC_HAVE_SECURITY_FILE_IOCTL_COMPAT
	return security_file_ioctl_compat(file, cmd, arg);
#else
	return security_file_ioctl(file, cmd, arg);
#endif
}

/**
 * ec_seccomp_active() - is the calling task under seccomp (filter or strict)?
 *
 * Return: true when a seccomp mode is set on the current task.
 */
static inline bool ec_seccomp_active(void)
{
#ifdef CONFIG_SECCOMP
	return READ_ONCE(current->seccomp.mode) != 0;
#else
	return false;
#endif
}

/**
 * ec_highest_gap() - highest free window of a given length in [low, high)
 * @mm: address space; the caller holds its mmap lock (read is enough)
 * @low: lowest address the window may start at
 * @high: end (exclusive) the window may reach
 * @length: window length in bytes, > 0
 * @end: out: end (exclusive) of the highest free window
 *
 * The kernel's own top-down gap search (vm_unmapped_area()) is not
 * exported.  From 6.1 its primitive, mas_empty_area_rev() on the maple
 * tree, is (GPL), and finds the window in O(log n).  Before 6.1 the
 * augmented VMA rbtree (rb_subtree_gap) is descended the same way
 * vm_unmapped_area() does it: O(log n) too.
 *
 * Return: 0 with *@end set, or -ENOMEM if no window fits.
 */
static inline int ec_highest_gap(struct mm_struct *mm, unsigned long low,
				 unsigned long high, unsigned long length,
				 unsigned long *end)
{
#if EC_HAVE_MAPLE_TREE
	MA_STATE(mas, &mm->mm_mt, 0, 0);

	if (high <= low || high - low < length)
		return -ENOMEM;
	if (mas_empty_area_rev(&mas, low, high - 1, length))
		return -ENOMEM;
	*end = mas.last + 1;
	return 0;
#else
	struct vm_area_struct *vma, *child;
	struct rb_node *node;
	unsigned long gs, s, e;

	if (high <= low || high - low < length)
		return -ENOMEM;
	/* Above the highest VMA: the one gap the tree does not track. */
	s = max(mm->highest_vm_end, low);
	if (high > s && high - s >= length) {
		*end = high;
		return 0;
	}
	if (!mm->mm_rb.rb_node)
		return -ENOMEM;
	/*
	 * The VMA tree is augmented with rb_subtree_gap, the largest gap
	 * below any VMA of a subtree, which prunes subtrees without a gap
	 * this long: O(log n) as vm_unmapped_area().  Those gaps leave room
	 * for the stack guard (vm_start_gap()), so they never exceed the
	 * plain gaps this search returns; a gap next to a growing stack is
	 * only found when it fits with the guard, the rule range.c keeps.
	 * Visit order is reverse in-order: highest gap first.
	 */
	vma = rb_entry(mm->mm_rb.rb_node, struct vm_area_struct, vm_rb);
	if (vma->rb_subtree_gap < length)
		return -ENOMEM;
	for (;;) {
		gs = vma->vm_prev ? vma->vm_prev->vm_end : 0;
		if (gs < high && vma->vm_rb.rb_right) {
			child = rb_entry(vma->vm_rb.rb_right, struct vm_area_struct,
					 vm_rb);
			if (child->rb_subtree_gap >= length) {
				vma = child;
				continue;
			}
		}
check_current:
		if (vma->vm_start <= low)
			return -ENOMEM;
		s = max(gs, low);
		e = min(vma->vm_start, high);
		if (e > s && e - s >= length) {
			*end = e;
			return 0;
		}
		if (vma->vm_rb.rb_left) {
			child = rb_entry(vma->vm_rb.rb_left, struct vm_area_struct,
					 vm_rb);
			if (child->rb_subtree_gap >= length) {
				vma = child;
				continue;
			}
		}
		/* Up to the first ancestor reached from its right child. */
		for (;;) {
			node = &vma->vm_rb;
			if (!rb_parent(node))
				return -ENOMEM;
			vma = rb_entry(rb_parent(node), struct vm_area_struct,
				       vm_rb);
			if (node == vma->vm_rb.rb_right) {
				gs = vma->vm_prev ? vma->vm_prev->vm_end : 0;
				goto check_current;
			}
		}
	}
#endif
}

/*
 * The thread's compat robust list pointer: a task_struct member until 7.0,
 * then inside task_struct::futex (struct futex_sched_data).  NULL when the
 * kernel has no futexes or no compat support.
 */
#if defined(CONFIG_FUTEX) && defined(CONFIG_COMPAT)
#include <linux/compat.h>
static inline struct compat_robust_list_head __user **
ec_compat_robust_list(struct task_struct *t)
{
#ifdef EC_HAVE_FUTEX_SCHED_DATA
	return &t->futex.compat_robust_list;
#else
	return &t->compat_robust_list;
#endif
}

#define EC_HAVE_ROBUST_LIST32 1
#else
#define EC_HAVE_ROBUST_LIST32 0
#endif

/*
 * Per-address-space state (VA limits) needs a callback when the address
 * space dies: an mmu_notifier's ->release.
 */
#if IS_ENABLED(CONFIG_MMU_NOTIFIER)
#define EC_HAVE_VA_LIMITS 1
#else
#define EC_HAVE_VA_LIMITS 0
#endif

#include <linux/sched/mm.h>

/**
 * ec_mm_topdown() - does @mm place mappings top-down?
 * @mm: the caller's address space; the caller holds mmap_write_lock()
 *
 * Since 6.10 the layout is the MMF_TOPDOWN flag (mm->flags became a
 * bitmap with accessors in 6.18; module/Kbuild probes mm_flags_test).
 * Before, it is the mm's get_unmapped_area hook, set at exec to the
 * architecture's top-down or bottom-up search, neither of them exported.
 * So the hook is asked for one page with the top-down and the bottom-up
 * base made equal for the call: a top-down search answers below that
 * base, a bottom-up one at or above it.  No other placement can run: it
 * would need the mmap lock held here.  (Only a top-down space with no
 * free page at all below its base would be misread, and then both
 * layouts place the same way: upward.)
 *
 * Return: true for the top-down layout.
 */
static inline bool ec_mm_topdown(struct mm_struct *mm)
{
#if defined(EC_HAVE_MM_FLAGS_TEST)
	return mm_flags_test(MMF_TOPDOWN, mm);
#elif defined(MMF_TOPDOWN)
	return test_bit(MMF_TOPDOWN, &mm->flags);
#else
	unsigned long legacy = mm->mmap_legacy_base, addr;

	/* not mmap_assert_write_locked(): with DEBUG_VM it needs dump_mm() */
	lockdep_assert_held_write(&mm->mmap_lock);
	WRITE_ONCE(mm->mmap_legacy_base, mm->mmap_base);
	addr = mm->get_unmapped_area(NULL, 0, PAGE_SIZE, 0, 0);
	WRITE_ONCE(mm->mmap_legacy_base, legacy);
	return !IS_ERR_VALUE(addr) && addr < mm->mmap_base;
#endif
}

#endif /* _EMUCOMPAT_COMPAT_H */
