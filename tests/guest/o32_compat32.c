// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * o32_compat32 - the 32-bit oracle of t_robust and t_dir32.
 *
 *	o32_compat32 robust	runs lib/common_robust.c's scenarios with the
 *				real set_robust_list()/get_robust_list()
 *	o32_compat32 dir FD	lists the open directory FD (inherited, at
 *				position 0) with getdents64: "name d_off" lines,
 *				then checks lseek() to every returned offset
 *	o32_compat32 place N	runs lib/common_valimits.c's placements (N
 *				mmaps, N shmats, ...), the driver's ones through
 *				the probe's compat_ioctl, counting addresses
 *				below 4 GiB as inside
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common_dir32.h"
#include "common_robust.h"
#include "common_valimits.h"
#include "probe_uapi.h"

#if UINTPTR_MAX != 0xffffffffu
#error "o32_compat32 is the 32-bit oracle: build it for i686 or armhf"
#endif

static int set32(uint32_t head, uint32_t len)
{
	return syscall(SYS_set_robust_list, (void *)(uintptr_t)head, (size_t)len) ? -errno : 0;
}

static int get32(uint32_t *head, uint32_t *len)
{
	void *h = NULL;
	size_t l = 0;

	if (syscall(SYS_get_robust_list, 0, &h, &l))
		return -errno;
	*head = (uint32_t)(uintptr_t)h;
	*len = (uint32_t)l;
	return 0;
}

static int probe_fd = -1;

static int vmmap32(uint64_t len, uint64_t *addr)
{
	struct probe_vm_mmap m = { len, 0 };

	if (ioctl(probe_fd, PROBE_VM_MMAP, &m))
		return -errno;
	*addr = m.addr;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct robust_ops ops = { set32, get32 };

	if (argc >= 2 && !strcmp(argv[1], "robust")) {
		void *r = mmap(NULL, ROBUST_REGION, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (r == MAP_FAILED)
			return 2;
		return robust_run(&ops, r, stdout);
	}
	if (argc >= 3 && !strcmp(argv[1], "dir"))
		return dir32_list(atoi(argv[2]), stdout);
	if (argc >= 3 && !strcmp(argv[1], "place")) {
		static const struct va_ops vops = { vmmap32 };

		probe_fd = open(PROBE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		if (probe_fd < 0) {
			fprintf(stderr, "%s: %s\n", PROBE_DEVICE_PATH, strerror(errno));
			return 2;
		}
		return va_place_run(&vops, (unsigned int)atoi(argv[2]), 0, 1ULL << 32, stdout) ?
		       2 : 0;
	}
	fprintf(stderr, "usage: o32_compat32 robust | dir FD | place N\n");
	return 2;
}
