// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64 side of the compat window: TS_COMPAT.
 *
 * in_compat_syscall() on x86-64 is in_ia32_syscall() || in_x32_syscall();
 * in_ia32_syscall() tests TS_COMPAT in current_thread_info()->status.
 * Only the task itself writes that word, nothing in __switch_to() reads
 * it, and TASK_SIZE / access_ok() do not depend on it (they follow
 * TIF_ADDR32), so the flag may stay set across sleeps, preemption and
 * migration.  The entry code clears it on every return to user space
 * anyway (arch_exit_to_user_mode_prepare()), but only after signal
 * delivery, audit and ptrace have looked at the task, so the window is
 * closed before the ioctl returns.
 *
 * Known readers while the window is open, all intended: get_mmap_base()
 * and find_start_end() (a kernel-internal mmap without an address lands
 * below 4 GiB, as for a real 32-bit caller), syscall_get_arch() (AUDIT_ARCH_I386 in
 * /proc/PID/syscall), and set_restart_fn(), which records TS_COMPAT in
 * restart_block.arch_data -- ioctl32.c turns -ERESTART_RESTARTBLOCK into
 * -EINTR so that record is never used.
 *
 * Kernel threads cloned from the task inside the window (6.12's
 * vhost_task_create() from VHOST_SET_OWNER) copy thread_info and keep
 * TS_COMPAT for good, since they never return to user space: such a worker
 * would see in_compat_syscall() true.  See docs/known-limits.md.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/falloc.h>
#include <linux/compat.h>
#include <linux/uaccess.h>
#include <linux/ptrace.h>
#include <asm/thread_info.h>
#include "emucompat.h"

/**
 * ec_arch_init() - arch set-up at module load
 *
 * Return: 0 (nothing to set up on x86-64).
 */
int ec_arch_init(void)
{
	return 0;
}

/**
 * ec_arch_exit() - arch tear-down at module unload
 */
void ec_arch_exit(void)
{
}

/**
 * ec_arch_id() - the EMUCOMPAT_ARCH_* value of this build
 *
 * Return: EMUCOMPAT_ARCH_X86_64.
 */
u32 ec_arch_id(void)
{
	return EMUCOMPAT_ARCH_X86_64;
}

/**
 * ec_arch_compat_supported() - can this kernel run compat ioctl handlers?
 *
 * Return: true when the kernel was built with IA32 emulation.
 */
bool ec_arch_compat_supported(void)
{
	return IS_ENABLED(CONFIG_IA32_EMULATION);
}

/**
 * ec_arch_compat_flag() - is the compat flag set on the current task?
 *
 * For the KUnit suites, which check the window opens and closes.
 *
 * Return: true when TS_COMPAT is set.
 */
bool ec_arch_compat_flag(void)
{
#ifdef CONFIG_COMPAT
	return current_thread_info()->status & TS_COMPAT;
#else
	return false;
#endif
}

/**
 * ec_arch_compat_task_size() - end of a real 32-bit process's address space
 *
 * TASK_SIZE does not follow TS_COMPAT on x86-64 (it follows TIF_ADDR32),
 * so a forwarded handler can fault in pages up to 4 GiB; a real i386
 * process ends at IA32_PAGE_OFFSET, and that is what is reported.
 *
 * Return: IA32_PAGE_OFFSET for the current task.
 */
u64 ec_arch_compat_task_size(void)
{
	return IA32_PAGE_OFFSET;
}

/**
 * ec_arch_compat_enter() - make in_compat_syscall() true for the current task
 * @w: window state, passed back to ec_arch_compat_exit()
 *
 * Must be paired with ec_arch_compat_exit() on every path before the ioctl
 * returns.
 */
void ec_arch_compat_enter(struct ec_compat_window *w)
{
	w->saved = current_thread_info()->status & TS_COMPAT;
	current_thread_info()->status |= TS_COMPAT;
}

/**
 * ec_arch_compat_exit() - restore the flag saved by ec_arch_compat_enter()
 * @w: window state from ec_arch_compat_enter()
 */
void ec_arch_compat_exit(struct ec_compat_window *w)
{
	if (!w->saved)
		current_thread_info()->status &= ~TS_COMPAT;
}

/**
 * ec_arch_get_mmap_bases() - read the mmap bases of an address space
 * @mm: the address space; the caller holds its mmap lock (read is enough)
 * @b: out: the bases
 *
 * x86-64 keeps a top-down and a bottom-up base, and a second pair for
 * 32-bit syscalls (get_mmap_base() in arch/x86/kernel/sys_x86_64.c picks
 * one by in_32bit_syscall(), which a forwarded ioctl makes true).
 */
void ec_arch_get_mmap_bases(struct mm_struct *mm, struct ec_mmap_bases *b)
{
	lockdep_assert_held(&mm->mmap_lock);
	b->base = mm->mmap_base;
	b->legacy_base = mm->mmap_legacy_base;
#ifdef CONFIG_HAVE_ARCH_COMPAT_MMAP_BASES
	b->compat_base = mm->mmap_compat_base;
	b->compat_legacy_base = mm->mmap_compat_legacy_base;
#else
	b->compat_base = 0;
	b->compat_legacy_base = 0;
#endif
}

/**
 * ec_arch_set_mmap_bases() - write the mmap bases of an address space
 * @mm: the address space; the caller holds mmap_write_lock(), which every
 *      placement (get_unmapped_area() and its callers) holds too
 * @b: the bases, as ec_arch_get_mmap_bases() returned them or as
 *     ec_arch_limit_mmap_bases() changed them
 */
void ec_arch_set_mmap_bases(struct mm_struct *mm, const struct ec_mmap_bases *b)
{
	lockdep_assert_held_write(&mm->mmap_lock);
	WRITE_ONCE(mm->mmap_base, b->base);
	WRITE_ONCE(mm->mmap_legacy_base, b->legacy_base);
#ifdef CONFIG_HAVE_ARCH_COMPAT_MMAP_BASES
	WRITE_ONCE(mm->mmap_compat_base, b->compat_base);
	WRITE_ONCE(mm->mmap_compat_legacy_base, b->compat_legacy_base);
#endif
}

/**
 * ec_arch_limit_mmap_bases() - bases that place inside [lo, hi)
 * @b: in: the address space's own bases; out: the limited ones
 * @topdown: the address space places top-down
 * @lo: lowest address, page aligned
 * @hi: end, page aligned, > @lo
 *
 * Top-down searches start at the lower of @hi and the own base (never
 * higher: the gap the kernel keeps below the stack for its growth stays);
 * bottom-up ones at @lo.  The 32-bit pair, used by allocations inside
 * forwarded ioctls, is limited the same way when the range reaches below
 * the 32-bit address space's end, and left alone otherwise.
 *
 * Return: where the search starts for @topdown (64-bit syscalls).
 */
unsigned long ec_arch_limit_mmap_bases(struct ec_mmap_bases *b, bool topdown,
				       unsigned long lo, unsigned long hi)
{
	b->base = min(hi, b->base);
	b->legacy_base = lo;
	if (IS_ENABLED(CONFIG_HAVE_ARCH_COMPAT_MMAP_BASES) &&
	    lo < IA32_PAGE_OFFSET) {
		b->compat_base = min(hi, b->compat_base);
		b->compat_legacy_base = lo;
	}
	return topdown ? b->base : b->legacy_base;
}

#ifdef FS_IOC_RESVSP_32
/* compat_ioctl_preallocate() in fs/ioctl.c, which is static. */
static long ec_preallocate32(struct file *file, int mode,
			     struct space_resv_32 __user *argp)
{
	struct inode *inode = file_inode(file);
	struct space_resv_32 sr;

	if (copy_from_user(&sr, argp, sizeof(sr)))
		return -EFAULT;

	switch (sr.l_whence) {
	case SEEK_SET:
		break;
	case SEEK_CUR:
		sr.l_start += file->f_pos;
		break;
	case SEEK_END:
		sr.l_start += i_size_read(inode);
		break;
	default:
		return -EINVAL;
	}

	return vfs_fallocate(file, mode | FALLOC_FL_KEEP_SIZE, sr.l_start,
			     sr.l_len);
}
#endif

/**
 * ec_arch_ioctl32_special() - commands compat_sys_ioctl() handles per arch
 * @file: target file
 * @cmd: command as the 32-bit caller passed it
 * @arg: 32-bit argument
 *
 * x86-64's compat_sys_ioctl() converts the packed 32-bit struct space_resv
 * of the FS_IOC_*_32 preallocation commands itself.
 *
 * Return: the result, or -ENOIOCTLCMD when @cmd is not one of them.
 */
long ec_arch_ioctl32_special(struct file *file, unsigned int cmd, u32 arg)
{
#ifdef FS_IOC_RESVSP_32
	switch (cmd) {
	case FS_IOC_RESVSP_32:
	case FS_IOC_RESVSP64_32:
		return ec_preallocate32(file, 0, compat_ptr(arg));
	case FS_IOC_UNRESVSP_32:
	case FS_IOC_UNRESVSP64_32:
		return ec_preallocate32(file, FALLOC_FL_PUNCH_HOLE,
					compat_ptr(arg));
	case FS_IOC_ZERO_RANGE_32:
		return ec_preallocate32(file, FALLOC_FL_ZERO_RANGE,
					compat_ptr(arg));
	}
#endif
	return -ENOIOCTLCMD;
}
