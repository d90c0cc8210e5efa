// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * o32_compat32 - the 32-bit oracle of t_robust and t_dir32.
 *
 *	o32_compat32 robust	runs lib/common_robust.c's scenarios with the
 *				real set_robust_list()/get_robust_list()
 *	o32_compat32 dir FD	lists the open directory FD (inherited, at
 *				position 0) with getdents64: "name d_off" lines,
 *				then checks lseek() to every returned offset
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common_dir32.h"
#include "common_robust.h"

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
	fprintf(stderr, "usage: o32_compat32 robust | dir FD\n");
	return 2;
}
