// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * o32_xabi - the 32-bit oracle of the cross-ABI test (t_xabi).
 *
 * Built static for i386 (amd64 guests) or armhf (arm64 guests): a REAL
 * process of the kernel's compat ABI.  Run by t_xabi as
 *	o32_xabi hello		prints XA_HELLO, its ABI and the case count
 *	o32_xabi CASE		runs CASE of lib/common_xabi_cases.c in this
 *				ABI's own layout with the real ioctl(2) and
 *				prints its record line ("SKIP reason" if it
 *				cannot run here), then "# note: ..." lines
 * The objects a case acts on are inherited at XA_FD(...); the interface
 * of the ethtool case is named in $EMUCOMPAT_XA_IFNAME.
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

#include "common_xabi.h"

#if !XA_IS32
#error "o32_xabi is the 32-bit oracle: build it for i686 or armhf"
#endif

/*
 * This ABI's layout, checked against this compiler's own uapi headers
 * (sizes, key offsets, command numbers); the 64-bit time_t layout of
 * struct v4l2_event is checked by xabi_check.c with -D_TIME_BITS=64.
 */
#define XA_ABI XA_KERNEL_ABI
#define XA_CHECK_UAPI
#include "common_xabi.h"

static long o32_ioctl(int fd, uint32_t cmd, uint32_t arg)
{
	return syscall(SYS_ioctl, fd, (unsigned long)cmd, (unsigned long)arg);
}

#define ARENA_LEN (1024 * 1024)

int main(int argc, char **argv)
{
	const struct xa_case *cases = XA_T(xa_cases), *c = NULL;
	struct ic_rec *r;
	unsigned int i;
	void *arena;

	setvbuf(stdout, NULL, _IOFBF, 0);
	alarm(120);
	if (argc != 2) {
		fprintf(stderr, "usage: %s hello|CASE\n", argv[0]);
		return 2;
	}
	if (!strcmp(argv[1], "hello")) {
		printf("%s ptr=%u abi=%s cases=%u\n", XA_HELLO, (unsigned int)sizeof(void *),
		       XA_ABI_NAME(XA_ABI), XA_NCASES);
		return 0;
	}
	for (i = 0; i < XA_NCASES; i++)
		if (!strcmp(cases[i].name, argv[1]))
			c = &cases[i];
	if (!c) {
		printf("ERROR unknown case %s\n", argv[1]);
		return 2;
	}
	arena = mmap(NULL, ARENA_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r = malloc(sizeof(*r));
	if (arena == MAP_FAILED || !r) {
		printf("ERROR mmap/malloc: %s\n", strerror(errno));
		return 2;
	}
	ic_side = 32;
	ic_ioctl32 = o32_ioctl;
	ic_arena_set(arena, ARENA_LEN);
	ic_rec_init(r);
	xa_note[0] = '\0';
	c->run(r);
	if (r->skip)
		printf("SKIP %s\n", r->skip);
	else
		printf("%s\n", r->buf);
	if (xa_note[0]) {
		char *line = xa_note, *nl;

		do {
			nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			printf("# note: %s\n", line);
			line = nl + 1;
		} while (nl);
	}
	return 0;
}
