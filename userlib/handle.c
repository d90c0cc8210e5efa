// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libemucompat — see emucompat.h for the contract: open, close, info.
 *
 * Errors are returned, never printed.  The only state outside a handle is
 * per-thread (thread.c), freed at thread exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

#define EC_DEVICE "/dev/" EMUCOMPAT_DEVICE_NAME

EC_EXPORT struct emucompat *emucompat_open(void)
{
	struct emucompat *ec = calloc(1, sizeof(*ec));
	int err;

	if (!ec)
		return NULL;
	ec->fd = open(EC_DEVICE, O_RDWR | O_CLOEXEC);
	if (ec->fd < 0)
		goto fail;
	ec->fwd = -1;
	emucompat_set_lowmem_fns(ec, NULL, NULL, NULL);
	if (emucompat_info(ec, &ec->info))
		goto fail;
	if (ec->info.caps & EMUCOMPAT_CAP_FORWARDER) {
		struct emucompat_forwarder req = {
			.size = sizeof(req),
			.flags = EMUCOMPAT_FORWARDER_CLOEXEC,
		};

		/* Without one (e.g. out of descriptors) the request path serves. */
		ec->fwd = ioctl(ec->fd, EMUCOMPAT_IOC_FORWARDER, &req);
		if (ec->fwd < 0)
			ec->fwd = -1;
	}
	return ec;
fail:
	err = errno;
	if (ec->fd >= 0)
		close(ec->fd);
	free(ec);
	errno = err;
	return NULL;
}

EC_EXPORT void emucompat_close(struct emucompat *ec)
{
	if (!ec)
		return;
	if (ec->fwd >= 0)
		close(ec->fwd);
	close(ec->fd);
	free(ec);
}

EC_EXPORT int emucompat_info(struct emucompat *ec, struct emucompat_info *info)
{
	if (!ec || !info) {
		errno = EINVAL;
		return -1;
	}
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return ioctl(ec->fd, EMUCOMPAT_IOC_INFO, info) < 0 ? -1 : 0;
}

EC_EXPORT int emucompat_set_ioctl_fn(struct emucompat *ec, emucompat_ioctl_fn fn)
{
	if (!ec) {
		errno = EINVAL;
		return -1;
	}
	__atomic_store_n(&ec->ioctl_fn, fn, __ATOMIC_RELEASE);
	return 0;
}

EC_EXPORT int emucompat_set_lowmem_fns(struct emucompat *ec, emucompat_lowmem_alloc_fn alloc,
				       emucompat_lowmem_free_fn free, void *opaque)
{
	if (!ec || !alloc != !free) {
		errno = EINVAL;
		return -1;
	}
	if (!alloc) {
		alloc = ec_lowmem_default_alloc;
		free = ec_lowmem_default_free;
		opaque = ec;
	}
	__atomic_store_n(&ec->lowmem.opaque, opaque, __ATOMIC_RELAXED);
	__atomic_store_n(&ec->lowmem.free, free, __ATOMIC_RELAXED);
	__atomic_store_n(&ec->lowmem.alloc, alloc, __ATOMIC_RELEASE);
	return 0;
}

void ec_lowmem_get(struct emucompat *ec, struct ec_lowmem *lm)
{
	lm->alloc = __atomic_load_n(&ec->lowmem.alloc, __ATOMIC_ACQUIRE);
	lm->free = __atomic_load_n(&ec->lowmem.free, __ATOMIC_RELAXED);
	lm->opaque = __atomic_load_n(&ec->lowmem.opaque, __ATOMIC_RELAXED);
}
