// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * emucompat_ioctl32(): an ioctl through the kernel's compat layer, in the
 * guest's ABI (abi.c translates when it is not the kernel's own).
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "internal.h"

long ec_ioctl32_raw(struct emucompat *ec, int fd, unsigned int cmd, uint32_t arg)
{
	struct emucompat_ioctl32 req = {
		.size = sizeof(req),
		.fd = fd,
		.cmd = cmd,
		.arg = arg,
	};
	int ret;

	if (ec->info.flags & EMUCOMPAT_INFO_NEEDS_PIVOT) {
		req.pivot_sp = ec_thread_pivot_top(ec);
		if (!req.pivot_sp)
			return -1;
	}
	ret = ioctl(ec->fd, EMUCOMPAT_IOC_IOCTL32, &req);
	if (ret == 0 && (req.out_flags & EMUCOMPAT_IOCTL32_NATIVE))
		/* Same layout in both ABIs: the kernel's own native path. */
		return ioctl(fd, req.native_cmd, (unsigned long)arg);
	return ret;
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
	return ec_ioctl32_raw(ec, fd, cmd, arg);
}
