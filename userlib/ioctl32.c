// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * emucompat_ioctl32(): an ioctl through the kernel's compat layer, in the
 * guest's ABI (abi.c translates when it is not the kernel's own).
 *
 * Three paths, the fastest first:
 *   - the forwarding descriptor (EMUCOMPAT_IOC_FORWARDER): one ioctl,
 *     ioctl(fwd, cmd, fd << 32 | arg), nothing copied in;
 *   - the request ioctl (EMUCOMPAT_IOC_IOCTL32), where the module has no
 *     forwarder (kernels that need the pivot stack, older modules) and for
 *     the commands whose answer depends on the kernel version or the file
 *     type (ec_route());
 *   - the native ioctl, for the commands compat_sys_ioctl() answers itself
 *     with an argument of the same layout in both ABIs.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

/*
 * Generic commands that the VFS answers on any descriptor before its
 * driver sees them, some of them only on some kernels.  The numbers the
 * library's headers may lack (newer kernels, kernel-internal headers) are
 * spelled out; their sizes are those of the kernel's structs.
 */
#define EC_FS_IOC_RESVSP	_IOC(_IOC_WRITE, 'X', 40, 48)
#define EC_FS_IOC_UNRESVSP	_IOC(_IOC_WRITE, 'X', 41, 48)
#define EC_FS_IOC_RESVSP64	_IOC(_IOC_WRITE, 'X', 42, 48)
#define EC_FS_IOC_UNRESVSP64	_IOC(_IOC_WRITE, 'X', 43, 48)
#define EC_FS_IOC_ZERO_RANGE	_IOC(_IOC_WRITE, 'X', 57, 48)
#define EC_FS_IOC32_GETFLAGS	_IOC(_IOC_READ, 'f', 1, 4)
#define EC_FS_IOC32_SETFLAGS	_IOC(_IOC_WRITE, 'f', 2, 4)
#define EC_FS_IOC_GETFSUUID	_IOC(_IOC_READ, 0x15, 0, 17)
#define EC_FS_IOC_GETFSSYSFSPATH _IOC(_IOC_READ, 0x15, 1, 129)

enum ec_route {
	EC_ROUTE_FORWARD,	/* the file's compat_ioctl: forwarder or request */
	EC_ROUTE_NATIVE,	/* the same on every kernel: issue natively */
	EC_ROUTE_ASK,		/* kernel- or file-dependent: the request ioctl */
};

/*
 * The commands compat_sys_ioctl() handles before the file's compat_ioctl
 * (the module's ec_vfs_generic() and ec_vfs_native_cmd()).  Those it
 * answers "issue natively" on every kernel go straight to the native
 * ioctl; those whose answer depends on the kernel version or on the file
 * being a regular one are asked of the module.  Neither may go through
 * the forwarder, where the VFS would answer them for the forwarder itself.
 * FIONREAD is not here: on the forwarder, not a regular file, the VFS
 * passes it to the module, which answers it for the target.
 */
static enum ec_route ec_route(unsigned int cmd)
{
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
		return EC_ROUTE_NATIVE;
	case FIBMAP:
	case EC_FS_IOC_RESVSP:
	case EC_FS_IOC_UNRESVSP:
	case EC_FS_IOC_RESVSP64:
	case EC_FS_IOC_UNRESVSP64:
	case EC_FS_IOC_ZERO_RANGE:
	case EC_FS_IOC32_GETFLAGS:
	case EC_FS_IOC32_SETFLAGS:
	case FS_IOC_GETFLAGS:
	case FS_IOC_SETFLAGS:
	case FS_IOC_FSGETXATTR:
	case FS_IOC_FSSETXATTR:
	case EC_FS_IOC_GETFSUUID:
	case EC_FS_IOC_GETFSSYSFSPATH:
		return EC_ROUTE_ASK;
	}
	return EC_ROUTE_FORWARD;
}

long ec_call_ioctl(struct emucompat *ec, int fd, unsigned long request, unsigned long arg)
{
	emucompat_ioctl_fn fn = __atomic_load_n(&ec->ioctl_fn, __ATOMIC_ACQUIRE);

	if (fn)
		return fn(fd, request, arg);
	return ioctl(fd, request, arg);
}

/* EMUCOMPAT_IOC_IOCTL32, and the native ioctl when it says so. */
static long ec_ioctl32_request(struct emucompat *ec, int fd, unsigned int cmd, uint32_t arg)
{
	struct emucompat_ioctl32 req = {
		.size = sizeof(req),
		.fd = fd,
		.cmd = cmd,
		.arg = arg,
	};
	long ret;

	if (ec->info.flags & EMUCOMPAT_INFO_NEEDS_PIVOT) {
		req.pivot_sp = ec_thread_pivot_top(ec);
		if (!req.pivot_sp)
			return -1;
	}
	ret = ec_call_ioctl(ec, ec->fd, EMUCOMPAT_IOC_IOCTL32, (unsigned long)&req);
	if (ret == 0 && (req.out_flags & EMUCOMPAT_IOCTL32_NATIVE))
		/* Same layout in both ABIs: the kernel's own native path. */
		return ec_call_ioctl(ec, fd, req.native_cmd, arg);
	return ret;
}

/*
 * After EPERM from the handle's forwarder: is it somebody else's, and if
 * so put one of our own at its number.  A forwarder acts only for the
 * address space that opened it and refuses everyone else with EPERM before
 * doing anything: in a fork() child (QEMU and box64 emulate the guest's
 * fork() with a host one) the handle's forwarder is the parent's.  The
 * handler's own EPERM is told apart by a probe (target -1: the owner gets
 * EBADF), seccomp's by INFO.  dup3() puts the new one at the old number,
 * which other threads may be using.  0: the call may go again.
 */
static int ec_fwd_reown(struct emucompat *ec)
{
	struct emucompat_forwarder freq = {
		.size = sizeof(freq),
		.flags = EMUCOMPAT_FORWARDER_CLOEXEC,
	};
	struct emucompat_info info = { .size = sizeof(info) };
	int nf;

	if (ioctl(ec->fwd, 0, EMUCOMPAT_FWD_ARG(-1, 0)) != -1 || errno != EPERM ||
	    ioctl(ec->fd, EMUCOMPAT_IOC_INFO, &info) < 0 ||
	    (info.flags & EMUCOMPAT_INFO_FWD_SECCOMP_REFUSED))
		return -1;
	nf = ioctl(ec->fd, EMUCOMPAT_IOC_FORWARDER, &freq);
	if (nf < 0)
		return -1;
	if (dup3(nf, ec->fwd, O_CLOEXEC) < 0) {
		close(nf);
		return -1;
	}
	close(nf);
	return 0;
}

long ec_ioctl32_raw(struct emucompat *ec, int fd, unsigned int cmd, uint32_t arg)
{
	long ret;

	switch (ec_route(cmd)) {
	case EC_ROUTE_NATIVE:
		return ec_call_ioctl(ec, fd, cmd, arg);
	case EC_ROUTE_ASK:
		return ec_ioctl32_request(ec, fd, cmd, arg);
	case EC_ROUTE_FORWARD:
		break;
	}
	if (ec->fwd < 0)
		return ec_ioctl32_request(ec, fd, cmd, arg);
	ret = ec_call_ioctl(ec, ec->fwd, cmd, EMUCOMPAT_FWD_ARG(fd, arg));
	if (ret != -1 || errno != EPERM)
		return ret;
	if (ec_fwd_reown(ec)) {
		errno = EPERM;	/* the call's own, not the probe's */
		return -1;
	}
	return ec_call_ioctl(ec, ec->fwd, cmd, EMUCOMPAT_FWD_ARG(fd, arg));
}

EC_EXPORT long emucompat_ioctl32(struct emucompat *ec, int fd, unsigned int cmd, uint32_t arg)
{
	const struct ec_abi *abi;

	if (!ec) {
		errno = EINVAL;
		return -1;
	}
	abi = __atomic_load_n(&ec->abi, __ATOMIC_ACQUIRE);
	if (abi)
		return ec_abi_ioctl32(ec, abi, fd, cmd, arg);
#if defined(__x86_64__)
	/* the kernel's own ABI, where the kernel is wrong (abi.c) */
	if (cmd == 0xc06464ceu)
		return ec_abi_getfb2_i386(ec, fd, arg);
#endif
	return ec_ioctl32_raw(ec, fd, cmd, arg);
}
