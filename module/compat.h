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
 * The EC_HAVE_* macros come from the header probes in module/Kbuild, each
 * defined to 0 or 1 and tested with #if.  copy_struct_from_user() (5.4) is
 * the oldest API the module relies on; everything older than 5.10 is
 * untested and refused.
 */
#if !EC_HAVE_COPY_STRUCT_FROM_USER
#error "emucompat needs Linux 5.10 or later"
#endif

/*
 * compat_alloc_user_space() existed until 5.14 (removed by a7a08b275a8b in
 * 5.15).  While it exists, a compat handler may carve scratch space below
 * the user stack pointer, so the forwarded call needs a low stack.
 */
#if IS_ENABLED(CONFIG_COMPAT) && EC_HAVE_COMPAT_ALLOC_USER_SPACE
#define EC_NEEDS_PIVOT 1
#else
#define EC_NEEDS_PIVOT 0
#endif

#include <linux/security.h>
#include <linux/sched.h>
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>

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
#if EC_HAVE_VFS_IOCTL
	return vfs_ioctl(file, cmd, arg);
#else
	long ret;

	if (!file->f_op->unlocked_ioctl)
		return -ENOTTY;
	ret = file->f_op->unlocked_ioctl(file, cmd, arg);
	return ret == -ENOIOCTLCMD ? -ENOTTY : ret;
#endif
}

/*
 * fd_file() (6.12) reads the file of a struct fd; before, the member.
 * fdget() itself is exported everywhere (5.10/6.1: as __fdget()).
 */
#if !EC_HAVE_FD_FILE
#define fd_file(f) ((f).file)
#endif

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
#if EC_HAVE_SECURITY_FILE_IOCTL_COMPAT
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
 * ec_vfs_native_cmd() - generic commands of this kernel's compat_sys_ioctl()
 * @cmd: command as the 32-bit caller passed it
 *
 * The commands fs/ioctl.c handles itself for a compat caller, with an
 * argument identical in both ABIs, that not every supported kernel has:
 * since 5.13 (the fileattr rework) FS_IOC32_{GET,SET}FLAGS and
 * FS_IOC_FS{GET,SET}XATTR (before, each filesystem's compat_ioctl
 * translated them); FS_IOC_GETFSUUID and FS_IOC_GETFSSYSFSPATH since 6.7
 * and 6.9.
 *
 * Return: the command to issue natively, or 0 when @cmd is not one of
 * them here.
 */
static inline unsigned int ec_vfs_native_cmd(unsigned int cmd)
{
	switch (cmd) {
#if EC_HAVE_FILEATTR
	case FS_IOC32_GETFLAGS:
		return FS_IOC_GETFLAGS;
	case FS_IOC32_SETFLAGS:
		return FS_IOC_SETFLAGS;
	case FS_IOC_GETFLAGS:
	case FS_IOC_SETFLAGS:
	case FS_IOC_FSGETXATTR:
	case FS_IOC_FSSETXATTR:
		return cmd;
#endif
#ifdef FS_IOC_GETFSUUID
	case FS_IOC_GETFSUUID:
		return cmd;
#endif
#ifdef FS_IOC_GETFSSYSFSPATH
	case FS_IOC_GETFSSYSFSPATH:
		return cmd;
#endif
	}
	return 0;
}

/* MAP_DROPPABLE (6.11); 0 where the kernel does not have it. */
#ifdef MAP_DROPPABLE
#define EC_MAP_DROPPABLE	MAP_DROPPABLE
#else
#define EC_MAP_DROPPABLE	0
#endif

/* Arch PROT_* bits mmap() accepts (arm64: BTI 5.8, MTE 5.10); 0 elsewhere. */
#ifdef PROT_BTI
#define EC_PROT_BTI		PROT_BTI
#else
#define EC_PROT_BTI		0
#endif
#ifdef PROT_MTE
#define EC_PROT_MTE		PROT_MTE
#else
#define EC_PROT_MTE		0
#endif

struct rb_node;

/**
 * struct ec_gap_tree_ops - how ec_rb_highest_gap() reads a node
 * @start: start of the node's VMA (vm_start)
 * @gap_start: end of the previous VMA in address order, 0 for the first
 * @subtree_gap: the largest gap below any VMA of the node's subtree
 *               (rb_subtree_gap)
 *
 * The VMA rbtree of 5.10..6.0 (ec_mm_highest_gap() below), or a synthetic
 * tree (kunit.c).
 */
struct ec_gap_tree_ops {
	unsigned long (*start)(const struct rb_node *node);
	unsigned long (*gap_start)(const struct rb_node *node);
	unsigned long (*subtree_gap)(const struct rb_node *node);
};

/* range.c */
int ec_rb_highest_gap(struct rb_node *root, const struct ec_gap_tree_ops *ops,
		      unsigned long low, unsigned long high,
		      unsigned long length, unsigned long *end);

#if EC_HAVE_MAPLE_TREE
/**
 * ec_mm_highest_gap() - highest free window of a given length in [low, high)
 * @mm: address space; the caller holds its mmap lock (read is enough)
 * @low: lowest address the window may start at
 * @high: end (exclusive) the window may reach; @high - @low >= @length
 * @length: window length in bytes, > 0
 * @end: out: end (exclusive) of the highest free window
 *
 * The kernel's own top-down gap search (vm_unmapped_area()) is not
 * exported.  From 6.1 its primitive, mas_empty_area_rev() on the maple
 * tree, is (GPL), and finds the window in O(log n).
 *
 * Return: 0 with *@end set, or -ENOMEM if no window fits.
 */
static inline int ec_mm_highest_gap(struct mm_struct *mm, unsigned long low,
				    unsigned long high, unsigned long length,
				    unsigned long *end)
{
	MA_STATE(mas, &mm->mm_mt, 0, 0);

	if (mas_empty_area_rev(&mas, low, high - 1, length))
		return -ENOMEM;
	*end = mas.last + 1;
	return 0;
}
#else
static inline unsigned long ec_vma_node_start(const struct rb_node *node)
{
	return rb_entry(node, struct vm_area_struct, vm_rb)->vm_start;
}

static inline unsigned long ec_vma_node_gap_start(const struct rb_node *node)
{
	const struct vm_area_struct *vma =
		rb_entry(node, struct vm_area_struct, vm_rb);

	return vma->vm_prev ? vma->vm_prev->vm_end : 0;
}

static inline unsigned long ec_vma_node_subtree_gap(const struct rb_node *node)
{
	return rb_entry(node, struct vm_area_struct, vm_rb)->rb_subtree_gap;
}

/*
 * ec_mm_highest_gap() - as above; before 6.1 the VMAs are an rbtree
 * augmented with rb_subtree_gap, walked by ec_rb_highest_gap() (range.c)
 * the way vm_unmapped_area() walks it.  The space above the highest VMA
 * is the one gap the tree does not track.
 */
static inline int ec_mm_highest_gap(struct mm_struct *mm, unsigned long low,
				    unsigned long high, unsigned long length,
				    unsigned long *end)
{
	static const struct ec_gap_tree_ops ops = {
		.start = ec_vma_node_start,
		.gap_start = ec_vma_node_gap_start,
		.subtree_gap = ec_vma_node_subtree_gap,
	};
	unsigned long s = max(mm->highest_vm_end, low);

	if (high > s && high - s >= length) {
		*end = high;
		return 0;
	}
	return ec_rb_highest_gap(mm->mm_rb.rb_node, &ops, low, high, length,
				 end);
}
#endif

/*
 * The thread's compat robust list pointer: a task_struct member until 7.0,
 * then inside task_struct::futex (struct futex_sched_data).  Only with
 * CONFIG_FUTEX and CONFIG_COMPAT (robust32.c).
 */
#if IS_ENABLED(CONFIG_FUTEX) && IS_ENABLED(CONFIG_COMPAT)
#include <linux/compat.h>
static inline struct compat_robust_list_head __user **
ec_compat_robust_list(struct task_struct *t)
{
#if EC_HAVE_FUTEX_SCHED_DATA
	return &t->futex.compat_robust_list;
#else
	return &t->compat_robust_list;
#endif
}
#endif

/*
 * The top-down/bottom-up layout of an address space: the MMF_TOPDOWN flag
 * since 6.10 (mm->flags became a bitmap with accessors in 6.18; module/
 * Kbuild probes mm_flags_test), which replaced the mm's own
 * get_unmapped_area hook.  valimits.c asks the hook where there is no flag.
 */
#ifdef MMF_TOPDOWN
#define EC_HAVE_MMF_TOPDOWN 1
#else
#define EC_HAVE_MMF_TOPDOWN 0
#endif

/**
 * ec_mm_flag_topdown() - the MMF_TOPDOWN flag of @mm
 * @mm: address space
 *
 * Return: the flag; false where the kernel has none (!EC_HAVE_MMF_TOPDOWN).
 */
static inline bool ec_mm_flag_topdown(struct mm_struct *mm)
{
#if EC_HAVE_MM_FLAGS_TEST
	return mm_flags_test(MMF_TOPDOWN, mm);
#elif EC_HAVE_MMF_TOPDOWN
	return test_bit(MMF_TOPDOWN, &mm->flags);
#else
	return false;
#endif
}

/**
 * ec_mm_get_unmapped_area() - the mm's own placement hook, before 6.10
 * @mm: address space; the caller holds its mmap_lock
 * @len: length to place, without a hint
 *
 * Return: what the hook answers; -EOPNOTSUPP where there is no hook
 * (EC_HAVE_MMF_TOPDOWN: ask ec_mm_flag_topdown() instead).
 */
static inline unsigned long ec_mm_get_unmapped_area(struct mm_struct *mm,
						    unsigned long len)
{
#if EC_HAVE_MMF_TOPDOWN
	return -EOPNOTSUPP;
#else
	return mm->get_unmapped_area(NULL, 0, len, 0, 0);
#endif
}

#endif /* _EMUCOMPAT_COMPAT_H */
