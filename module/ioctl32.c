// SPDX-License-Identifier: GPL-2.0
/*
 * EMUCOMPAT_IOC_IOCTL32: one ioctl through the kernel's compat layer.
 *
 * This mirrors compat_sys_ioctl() (fs/ioctl.c) step by step, with exported
 * symbols only:
 *
 *   fget -> security_file_ioctl_compat -> the commands the VFS handles
 *   itself -> f_op->compat_ioctl -> -ENOIOCTLCMD becomes -ENOTTY
 *
 * all inside a compat window (arch-*.c), so that in_compat_syscall() is
 * true for the LSM hook and the handler exactly as for a real 32-bit
 * caller.
 *
 * The VFS-generic commands whose helpers are static in fs/ioctl.c
 * (FIOCLEX, FIONBIO, FICLONE, ...) all take an argument with the same
 * layout in both ABIs -- compat_sys_ioctl() itself just passes them to
 * do_vfs_ioctl() with compat_ptr(arg) -- so the module answers
 * EMUCOMPAT_IOCTL32_NATIVE and the caller issues the native ioctl, which
 * runs exactly the code a 32-bit caller would reach.  The set is per
 * kernel version (ec_vfs_native_cmd() in compat.h).
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/compat.h>
#include <linux/errno.h>
#include <linux/uaccess.h>
#include <linux/falloc.h>
#include <linux/fiemap.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <asm/ioctls.h>
#include "emucompat.h"

static bool ec_allow_seccomp;
module_param_named(allow_seccomp, ec_allow_seccomp, bool, 0644);
MODULE_PARM_DESC(allow_seccomp,
		 "Forward ioctls for tasks under seccomp too (default: refuse with EPERM, since the filter cannot see the forwarded command)");

static bool ec_ioctl32_enabled = true;
module_param_named(ioctl32, ec_ioctl32_enabled, bool, 0644);
MODULE_PARM_DESC(ioctl32,
		 "Allow compat ioctl forwarding (default: on; off keeps ranged mappings only)");

/**
 * ec_ioctl32_policy() - may the caller forward ioctls now?
 *
 * The one place that reads the module parameters (which root may change
 * at any time, hence READ_ONCE()): EMUCOMPAT_IOC_INFO reports what this
 * returns, EMUCOMPAT_IOC_IOCTL32 obeys it.
 *
 * Return: 0; -EOPNOTSUPP when the kernel has no compat support or the
 * ioctl32 parameter is off; -EPERM when the caller is under seccomp and
 * allow_seccomp is off (a seccomp filter sees only EMUCOMPAT_IOC_IOCTL32,
 * never the command it carries, so the tunnel would bypass it).
 */
int ec_ioctl32_policy(void)
{
	if (!READ_ONCE(ec_ioctl32_enabled) || !ec_arch_compat_supported())
		return -EOPNOTSUPP;
	if (ec_seccomp_active() && !READ_ONCE(ec_allow_seccomp))
		return -EPERM;
	return 0;
}

/*
 * Any value a handler may return is a valid result, so "issue this
 * natively" travels in *native (the command to issue, 0 for none).
 */
static long ec_native(unsigned int *native, unsigned int cmd)
{
	*native = cmd;
	return 0;
}

/*
 * do_vfs_ioctl() for a compat caller: a final result (with *native set
 * when the caller must issue the command natively), or -ENOIOCTLCMD to go
 * on to f_op->compat_ioctl.
 */
static long ec_vfs_generic(struct file *file, unsigned int cmd, u32 arg,
			   unsigned int *native)
{
	struct inode *inode = file_inode(file);
	void __user *argp = compat_ptr(arg);
	unsigned int native_cmd;

	switch (cmd) {
	case FIOCLEX:
	case FIONCLEX:
	case FIONBIO:
	case FIOASYNC:
	case FIOQSIZE:
	case FIFREEZE:
	case FITHAW:
	case FS_IOC_FIEMAP:
	case FIGETBSZ:
	case FICLONE:
	case FICLONERANGE:
	case FIDEDUPERANGE:
		/* FICLONE's argument is an fd number, passed on unchanged. */
		return ec_native(native, cmd);
	case FIONREAD:
		/* The one generic command that behaves differently per ABI. */
		if (!ec_vfs_regular_file(inode))
			return ec_vfs_ioctl(file, cmd, (unsigned long)argp);
		return put_user(i_size_read(inode) - file->f_pos,
				(int __user *)argp);
	}
	/* The ones that depend on the kernel version. */
	native_cmd = ec_vfs_native_cmd(cmd);
	if (native_cmd)
		return ec_native(native, native_cmd);

	/* file_ioctl(): regular files only. */
	if (ec_vfs_regular_file(inode)) {
		switch (cmd) {
		case FIBMAP:
		case FS_IOC_RESVSP:
		case FS_IOC_RESVSP64:
		case FS_IOC_UNRESVSP:
		case FS_IOC_UNRESVSP64:
		case FS_IOC_ZERO_RANGE:
			return ec_native(native, cmd);
		}
	}
	return -ENOIOCTLCMD;
}

/* compat_sys_ioctl() from the security hook on, inside the window. */
static long ec_compat_dispatch(struct file *file, unsigned int cmd, u32 arg,
			       unsigned int *native)
{
	long ret;

	ret = ec_security_file_ioctl_compat(file, cmd, arg);
	if (ret)
		return ret;

	ret = ec_arch_ioctl32_special(file, cmd, arg);
	if (ret != -ENOIOCTLCMD)
		return ret;

	ret = ec_vfs_generic(file, cmd, arg, native);
	if (ret != -ENOIOCTLCMD)
		return ret;

	if (file->f_op->compat_ioctl)
		ret = file->f_op->compat_ioctl(file, cmd, arg);
	return ret;
}

/*
 * Replace the user stack pointer saved at syscall entry, which
 * compat_alloc_user_space() carves below (the same pt_regs member on
 * x86-64 and arm64); returns the old one.
 */
static unsigned long ec_swap_user_sp(unsigned long sp)
{
	struct pt_regs *regs = current_pt_regs();
	unsigned long old = regs->sp;

	regs->sp = sp;
	return old;
}

static int ec_check_pivot(u64 sp)
{
	if (!EC_NEEDS_PIVOT)
		return sp ? -EINVAL : 0;
	/* compat_alloc_user_space() keeps the low 32 bits of the SP. */
	if (!sp || sp > U32_MAX || (sp & 15))
		return -EINVAL;
	return 0;
}

/**
 * ec_ioctl32() - forward one ioctl as a 32-bit caller would issue it
 * @req: validated request; @req->out_flags and @req->native_cmd are
 *       filled in when the caller must issue the command natively
 *
 * Return: the handler's result (>= 0); 0 with EMUCOMPAT_IOCTL32_NATIVE
 * set in @req->out_flags when the caller must issue the command natively;
 * or a negative errno: ec_ioctl32_policy()'s, -EINVAL for a bad pivot
 * stack,
 * -EBADF for a bad fd, -ENOTTY when no handler knows the command.
 */
long ec_ioctl32(struct emucompat_ioctl32 *req)
{
	struct ec_compat_window w;
	unsigned long saved_sp = 0;
	unsigned int native = 0;
	struct file *file;
	long ret;

	ret = ec_ioctl32_policy();
	if (ret)
		return ret;
	ret = ec_check_pivot(req->pivot_sp);
	if (ret)
		return ret;

	file = fget(req->fd);
	if (!file)
		return -EBADF;

	if (EC_NEEDS_PIVOT)
		saved_sp = ec_swap_user_sp(req->pivot_sp);
	ec_arch_compat_enter(&w);
	ret = ec_compat_dispatch(file, req->cmd, req->arg, &native);
	ec_arch_compat_exit(&w);
	if (EC_NEEDS_PIVOT)
		ec_swap_user_sp(saved_sp);

	fput(file);

	if (native) {
		req->out_flags = EMUCOMPAT_IOCTL32_NATIVE;
		req->native_cmd = native;
		return 0;
	}
	if (ret == -ENOIOCTLCMD)
		return -ENOTTY;
	/*
	 * A restart block records the compat state of the task (x86
	 * restart_block.arch_data), which would restart the wrong syscall in
	 * a 64-bit task.  No ioctl is known to use one; refuse it cleanly.
	 */
	if (ret == -ERESTART_RESTARTBLOCK)
		return -EINTR;
	return ret;
}
