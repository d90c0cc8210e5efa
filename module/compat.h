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
 * tree, is (GPL), and finds the window in O(log n).  Before 6.1 the VMA
 * list is walked downwards from @high: O(VMAs above the gap).
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
	struct vm_area_struct *next, *prev;

	if (high <= low || high - low < length)
		return -ENOMEM;
	next = find_vma(mm, high - 1);
	if (next)
		prev = next->vm_prev;
	else
		prev = mm->highest_vm_end ?
			find_vma(mm, mm->highest_vm_end - 1) : NULL;
	for (;;) {
		unsigned long gs = prev ? max(prev->vm_end, low) : low;
		unsigned long ge = next && next->vm_start < high ?
				   next->vm_start : high;

		if (ge > gs && ge - gs >= length) {
			*end = ge;
			return 0;
		}
		if (!prev || prev->vm_start <= low)
			return -ENOMEM;
		next = prev;
		prev = prev->vm_prev;
	}
#endif
}

#endif /* _EMUCOMPAT_COMPAT_H */
