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
 *
 * Two ways in, one dispatch (ec_forward()):
 *
 *   EMUCOMPAT_IOC_IOCTL32 on /dev/emucompat: a request struct, copied in
 *   by device.c; it may carry a pivot stack and can answer "native";
 *
 *   the forwarding descriptor (EMUCOMPAT_IOC_FORWARDER): an anonymous
 *   file on which ioctl(fwd, cmd, fd << 32 | arg) is the forward, so the
 *   guest's command is the syscall's own (seccomp and the LSM hook on the
 *   forwarder see it) and nothing is copied in.  Kernels that need the
 *   pivot stack do not get one: the forward has no room for it.
 */
#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/compat.h>
#include <linux/errno.h>
#include <linux/uaccess.h>
#include <linux/falloc.h>
#include <linux/fiemap.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/ptrace.h>
#include <asm/ioctls.h>
#include "emucompat.h"

static bool ec_allow_seccomp;
module_param_named(allow_seccomp, ec_allow_seccomp, bool, 0644);
MODULE_PARM_DESC(allow_seccomp,
		 "Let tasks under seccomp use what their filter cannot see: EMUCOMPAT_IOC_IOCTL32 (the filter sees only the request, not the command it carries) and PROT_EXEC in EMUCOMPAT_IOC_MMAP_RANGE (the filter sees no prot). Default 0: both EPERM under seccomp. See SECURITY.md");

static bool ec_allow_seccomp_fwd = true;
module_param_named(allow_seccomp_fwd, ec_allow_seccomp_fwd, bool, 0644);
MODULE_PARM_DESC(allow_seccomp_fwd,
		 "Let tasks under seccomp forward through the forwarding descriptor, where the filter sees the forwarded command as the ioctl's own but not that a 32-bit handler runs. Default 1; set 0 where filters allow the native architecture only (SystemCallArchitectures=native). See SECURITY.md");

static bool ec_ioctl32_enabled = true;
module_param_named(ioctl32, ec_ioctl32_enabled, bool, 0644);
MODULE_PARM_DESC(ioctl32,
		 "Compat ioctl forwarding (EMUCOMPAT_IOC_IOCTL32, forwarding descriptors). Default 1, also on arm64 CPUs without AArch32 at EL0 and x86-64 with ia32_emulation=0, where it makes compat handlers reachable that no 32-bit process reaches; 0 keeps ranged mappings only. See SECURITY.md");

/**
 * ec_ioctl32_policy() - may the caller forward ioctls now?
 * @fwd: through the forwarding descriptor (else the request ioctl)
 *
 * The one place that reads the module parameters (which root may change
 * at any time, hence READ_ONCE()): EMUCOMPAT_IOC_INFO reports what this
 * returns, both ways in obey it.
 *
 * Return: 0; -EOPNOTSUPP when the kernel has no compat support or the
 * ioctl32 parameter is off; -EPERM when the caller is under seccomp and
 * the path's parameter is off: allow_seccomp for the request ioctl (a
 * seccomp filter sees only EMUCOMPAT_IOC_IOCTL32, never the command it
 * carries, so the tunnel would bypass it), allow_seccomp_fwd for the
 * forwarder (the filter sees the command; see SECURITY.md).
 */
int ec_ioctl32_policy(bool fwd)
{
	bool allow = fwd ? READ_ONCE(ec_allow_seccomp_fwd) :
			   READ_ONCE(ec_allow_seccomp);

	if (!READ_ONCE(ec_ioctl32_enabled) || !ec_arch_compat_supported())
		return -EOPNOTSUPP;
	if (ec_seccomp_active() && !allow)
		return -EPERM;
	return 0;
}

/**
 * ec_mmap_exec_policy() - may the caller map with @prot through the device?
 * @prot: PROT_* bits of a ranged mmap
 *
 * A seccomp filter that enforces W^X (systemd's MemoryDenyWriteExecute=,
 * where PR_SET_MDWE is missing) inspects the prot of mmap() and
 * mprotect(); it sees EMUCOMPAT_IOC_MMAP_RANGE only as an ioctl.  So for a
 * caller under seccomp PROT_EXEC is refused unless allow_seccomp is set:
 * the library then maps without it and adds it with mprotect(), which
 * the filter judges.  Mappings without PROT_EXEC give nothing read() and
 * write() on the caller's own descriptors do not.
 *
 * Return: 0, or -EPERM.
 */
int ec_mmap_exec_policy(unsigned long prot)
{
	if ((prot & PROT_EXEC) && ec_seccomp_active() &&
	    !READ_ONCE(ec_allow_seccomp))
		return -EPERM;
	return 0;
}

/*
 * The generic commands of compat_sys_ioctl() whose argument has the same
 * layout in both ABIs, for which a 32-bit caller runs the very code a
 * native ioctl runs: the command the caller must issue natively, or 0.
 * Deciding acts on nothing.  Any value a handler may return is a valid
 * result, so "issue this natively" travels out of band (*native below).
 */
static unsigned int ec_vfs_native(struct file *file, unsigned int cmd)
{
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
		return cmd;
	}
	/* The ones that depend on the kernel version. */
	native_cmd = ec_vfs_native_cmd(cmd);
	if (native_cmd)
		return native_cmd;

	/* file_ioctl(): regular files only. */
	if (ec_vfs_regular_file(file_inode(file))) {
		switch (cmd) {
		case FIBMAP:
		case FS_IOC_RESVSP:
		case FS_IOC_RESVSP64:
		case FS_IOC_UNRESVSP:
		case FS_IOC_UNRESVSP64:
		case FS_IOC_ZERO_RANGE:
			return cmd;
		}
	}
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

	if (cmd == FIONREAD) {
		/* The one generic command that behaves differently per ABI. */
		if (!ec_vfs_regular_file(inode))
			return ec_vfs_ioctl(file, cmd, (unsigned long)argp);
		return put_user(i_size_read(inode) - file->f_pos,
				(int __user *)argp);
	}
	*native = ec_vfs_native(file, cmd);
	return *native ? 0 : -ENOIOCTLCMD;
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

/*
 * A handler's result as a 32-bit caller sees it.  A restart block records
 * the compat state of the task (x86 restart_block.arch_data), which would
 * restart the wrong syscall in a 64-bit task.  No ioctl is known to use
 * one; refuse it cleanly.
 */
static long ec_ioctl32_result(long ret)
{
	if (ret == -ENOIOCTLCMD)
		return -ENOTTY;
	if (ret == -ERESTART_RESTARTBLOCK)
		return -EINTR;
	return ret;
}

/*
 * compat_sys_ioctl() on @file inside the compat window, on the pivot
 * stack @pivot_sp where the kernel needs one (0 otherwise).
 */
static long ec_forward(struct file *file, unsigned int cmd, u32 arg,
		       u64 pivot_sp, unsigned int *native)
{
	struct ec_compat_window w;
	unsigned long saved_sp = 0;
	long ret;

	if (EC_NEEDS_PIVOT)
		saved_sp = ec_swap_user_sp(pivot_sp);
	ec_arch_compat_enter(&w);
	ret = ec_compat_dispatch(file, cmd, arg, native);
	ec_arch_compat_exit(&w);
	if (EC_NEEDS_PIVOT)
		ec_swap_user_sp(saved_sp);
	return ret;
}

/**
 * ec_ioctl32() - forward one ioctl as a 32-bit caller would issue it
 * @req: validated request; @req->out_flags and @req->native_cmd are
 *       filled in when the caller must issue the command natively
 *
 * Return: the handler's result (>= 0); 0 with EMUCOMPAT_IOCTL32_NATIVE
 * set in @req->out_flags when the caller must issue the command natively
 * (also for a caller under seccomp that is otherwise refused); or a
 * negative errno: ec_ioctl32_policy()'s, -EINVAL for a bad pivot stack,
 * -EBADF for a bad fd, -ENOTTY when no handler knows the command.
 */
long ec_ioctl32(struct emucompat_ioctl32 *req)
{
	unsigned int native = 0;
	struct file *file;
	long policy, ret;

	policy = ec_ioctl32_policy(false);
	if (policy && policy != -EPERM)
		return policy;
	ret = ec_check_pivot(req->pivot_sp);
	if (ret)
		return ret;

	file = fget(req->fd);
	if (!file)
		return -EBADF;
	if (policy) {
		/*
		 * Refused under seccomp, but for "issue it natively": that acts
		 * on nothing, and the native ioctl that follows meets the
		 * filter and the LSM hook as what it is.
		 */
		native = ec_vfs_native(file, req->cmd);
		ret = policy;
	} else {
		ret = ec_forward(file, req->cmd, req->arg, req->pivot_sp,
				 &native);
	}
	fput(file);

	if (native) {
		req->out_flags = EMUCOMPAT_IOCTL32_NATIVE;
		req->native_cmd = native;
		return 0;
	}
	return ec_ioctl32_result(ret);
}

/**
 * ec_fwd_ioctl() - the ioctl handler of a forwarding descriptor
 * @fwd: the forwarder; ->private_data is the address space that opened it
 * @cmd: the guest's command
 * @arg: the target descriptor in the upper 32 bits, the 32-bit argument
 *       in the lower (EMUCOMPAT_FWD_ARG())
 *
 * The VFS has already answered the generic commands it knows for @fwd
 * itself (FIOCLEX, ...) and run the LSM hook on @fwd; the library never
 * sends those here.  The target is looked up in the caller's file table
 * (fdget(): no reference where the table is not shared, as for the
 * ioctl syscall itself); forwarding to a forwarder or to /dev/emucompat
 * ends in -ENOTTY (neither has a compat_ioctl).
 *
 * A forwarder acts only for the address space that opened it (its
 * threads): any ioctl() looks like an ordinary one, so a forwarder handed
 * to another process (SCM_RIGHTS, fork(), exec()) would make that
 * process a confused deputy, running a compat ioctl on one of its own
 * descriptors picked by the upper half of an argument it meant for
 * something else.  Everyone else gets -EPERM before anything is looked
 * at; the library opens a new forwarder in a fork child.
 *
 * A forwarder is no target of a compat ioctl: a 32-bit caller, or a
 * forward whose target is a forwarder (the VFS hands FIONREAD on to
 * ->unlocked_ioctl), gets -ENOTTY here, which also ends any chain of
 * forwarders: each level would forward to descriptor 0.
 *
 * Return: the handler's result; -ENOTTY inside a compat syscall or
 * window; -EPERM for a caller outside the owner's address space;
 * ec_ioctl32_policy()'s error; -EBADF for a target that is not open;
 * -EOPNOTSUPP for a command compat_sys_ioctl() answers generically, which
 * only EMUCOMPAT_IOC_IOCTL32 can tell the caller to issue natively.  The
 * order is part of the ABI: a probe with target -1 tells -EPERM (not the
 * owner, or seccomp) from -EBADF (the owner).
 */
static long ec_fwd_ioctl(struct file *fwd, unsigned int cmd, unsigned long arg)
{
	unsigned int native = 0;
	struct fd f;
	long ret;

	if (in_compat_syscall())
		return -ENOTTY;
	if (fwd->private_data != current->mm)
		return -EPERM;
	ret = ec_ioctl32_policy(true);
	if (ret)
		return ret;

	f = fdget(upper_32_bits(arg));
	if (!fd_file(f))
		return -EBADF;
	ret = ec_forward(fd_file(f), cmd, lower_32_bits(arg), 0, &native);
	fdput(f);

	if (native)
		return -EOPNOTSUPP;
	return ec_ioctl32_result(ret);
}

/* The last reference to the forwarder: let go of its owner's mm_struct. */
static int ec_fwd_release(struct inode *inode, struct file *fwd)
{
	mmdrop(fwd->private_data);
	return 0;
}

/* No .compat_ioctl: a 32-bit caller gets ENOTTY. */
static const struct file_operations ec_fwd_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ec_fwd_ioctl,
	.release = ec_fwd_release,
	.llseek = noop_llseek,
};

/**
 * ec_forwarder_open() - a new forwarding descriptor for the caller
 * @flags: validated EMUCOMPAT_FORWARDER_* bits
 *
 * The file pins the module (anon_inode_getfile() takes a reference on
 * its fops' owner) and the caller's mm_struct (mmgrab(): the structure,
 * not the address space, so that no later address space can reuse the
 * pointer the ownership test compares).  The descriptor is installed
 * last, so a failure leaves nothing behind.
 *
 * Return: the new descriptor; -EOPNOTSUPP where forwarding is off or the
 * kernel needs the pivot stack; -EMFILE, -ENOMEM, ...
 */
int ec_forwarder_open(u32 flags)
{
	struct file *file;
	int fd;

	if (EC_NEEDS_PIVOT || ec_ioctl32_policy(true) == -EOPNOTSUPP)
		return -EOPNOTSUPP;
	fd = get_unused_fd_flags(O_RDWR |
				 (flags & EMUCOMPAT_FORWARDER_CLOEXEC ? O_CLOEXEC : 0));
	if (fd < 0)
		return fd;
	mmgrab(current->mm);
	file = anon_inode_getfile("[emucompat-fwd]", &ec_fwd_fops, current->mm,
				  O_RDWR);
	if (IS_ERR(file)) {
		mmdrop(current->mm);
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	fd_install(fd, file);
	return fd;
}
