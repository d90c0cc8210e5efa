// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * 32-bit process state: the compat robust futex list, 32-bit directory
 * hashes, process-wide VA limits.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"

EC_EXPORT int emucompat_set_robust_list32(struct emucompat *ec, uint32_t head, uint32_t len)
{
	struct emucompat_robust_list32 req;

	if (!ec) {
		errno = EINVAL;
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.op = EMUCOMPAT_ROBUST_LIST32_SET;
	req.head = head;
	req.len = len;
	return ioctl(ec->fd, EMUCOMPAT_IOC_ROBUST_LIST32, &req) < 0 ? -1 : 0;
}

EC_EXPORT int emucompat_get_robust_list32(struct emucompat *ec, uint32_t *head, uint32_t *len)
{
	struct emucompat_robust_list32 req;

	if (!ec || !head || !len) {
		errno = EINVAL;
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.op = EMUCOMPAT_ROBUST_LIST32_GET;
	if (ioctl(ec->fd, EMUCOMPAT_IOC_ROBUST_LIST32, &req) < 0)
		return -1;
	*head = req.head;
	*len = req.len;
	return 0;
}

EC_EXPORT int emucompat_dir32(struct emucompat *ec, int dirfd)
{
	struct emucompat_dir32 req;

	if (!ec) {
		errno = EINVAL;
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.fd = dirfd;
	return ioctl(ec->fd, EMUCOMPAT_IOC_DIR32, &req) < 0 ? -1 : 0;
}

static int ec_va_limits(struct emucompat *ec, struct emucompat_va_limits *req, uint32_t op)
{
	if (!ec) {
		errno = EINVAL;
		return -1;
	}
	req->size = sizeof(*req);
	req->op = op;
	return ioctl(ec->fd, EMUCOMPAT_IOC_VA_LIMITS, req) < 0 ? -1 : 0;
}

EC_EXPORT int emucompat_set_va_limits(struct emucompat *ec, uint64_t lo, uint64_t hi,
				      uint64_t *base)
{
	struct emucompat_va_limits req;

	memset(&req, 0, sizeof(req));
	req.lo = lo;
	req.hi = hi;
	if (ec_va_limits(ec, &req, EMUCOMPAT_VA_LIMITS_SET))
		return -1;
	if (base)
		*base = req.base;
	return 0;
}

EC_EXPORT int emucompat_get_va_limits(struct emucompat *ec, uint64_t *lo, uint64_t *hi)
{
	struct emucompat_va_limits req;

	if (!lo || !hi) {
		errno = EINVAL;
		return -1;
	}
	memset(&req, 0, sizeof(req));
	if (ec_va_limits(ec, &req, EMUCOMPAT_VA_LIMITS_GET))
		return -1;
	*lo = req.lo;
	*hi = req.hi;
	return 0;
}

EC_EXPORT int emucompat_clear_va_limits(struct emucompat *ec)
{
	struct emucompat_va_limits req;

	memset(&req, 0, sizeof(req));
	return ec_va_limits(ec, &req, EMUCOMPAT_VA_LIMITS_CLEAR);
}
