// SPDX-License-Identifier: GPL-2.0
/*
 * `make demo`: what emucompat does, in a readable page.  A 64-bit process
 * issues 32-bit ioctls through the kernel's compat layer and places
 * mappings below 4 GiB without reserving anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>
#include "emucompat.h"

#define GiB (1ULL << 30)

/* The i386 / AArch32 layouts of struct ifconf and struct ifreq. */
struct ifconf32 {
	int32_t len;
	uint32_t buf;
};

struct ifreq32 {
	char name[16];
	unsigned char u[16];
};

static const char *arch_name(uint32_t a)
{
	return a == EMUCOMPAT_ARCH_X86_64 ? "x86-64 (compat ABI: i386)" :
	       a == EMUCOMPAT_ARCH_ARM64 ? "arm64 (compat ABI: AArch32)" : "?";
}

int main(void)
{
	struct emucompat *ec = emucompat_open();
	struct emucompat_info info;
	struct ifconf32 *ifc;
	struct ifreq32 *reqs;
	struct winsize *ws;
	long r;
	int s, pty;

	if (!ec) {
		printf("emucompat_open: %s\n", strerror(errno));
		return 1;
	}
	emucompat_info(ec, &info);
	printf("\n== emucompat: what this kernel offers ==\n");
	printf("  api version      %u\n", info.api_version);
	printf("  architecture     %s\n", arch_name(info.arch));
	printf("  capabilities     %s%s%s%s\n",
	       info.caps & EMUCOMPAT_CAP_IOCTL32 ? "ioctl32 " : "",
	       info.caps & EMUCOMPAT_CAP_MMAP_RANGE ? "mmap_range " : "",
	       info.caps & EMUCOMPAT_CAP_MREMAP_RANGE ? "mremap_range " : "",
	       info.caps & EMUCOMPAT_CAP_SHMAT_RANGE ? "shmat_range" : "");
	printf("  stack pivot      %s\n", info.flags & EMUCOMPAT_INFO_NEEDS_PIVOT ?
	       "yes (kernel has compat_alloc_user_space)" : "not needed");
	printf("  address space    %#llx bytes, mappings from %#llx\n",
	       (unsigned long long)info.task_size, (unsigned long long)info.mmap_min);

	/* 32-bit structs must live below 4 GiB: the guest's own memory. */
	ifc = emucompat_mmap_range(ec, 0, 4 * GiB, 4096, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ifc == MAP_FAILED) {
		printf("emucompat_mmap_range: %s\n", strerror(errno));
		return 1;
	}
	reqs = (struct ifreq32 *)(ifc + 1);
	ws = (struct winsize *)((char *)ifc + 2048);

	printf("\n== a 32-bit ioctl from this 64-bit process ==\n");
	s = socket(AF_INET, SOCK_DGRAM, 0);
	ifc->len = 8 * sizeof(*reqs);
	ifc->buf = (uint32_t)(uintptr_t)reqs;
	r = emucompat_ioctl32(ec, s, SIOCGIFCONF, (uint32_t)(uintptr_t)ifc);
	printf("  SIOCGIFCONF with struct ifconf32 at %p -> %ld (%s)\n", (void *)ifc, r,
	       r < 0 ? strerror(errno) : "ok");
	if (r == 0) {
		printf("  the kernel filled %d bytes = %d entries of %zu bytes (i386/AArch32 "
		       "struct ifreq; native is %zu):\n", ifc->len,
		       ifc->len / (int)sizeof(*reqs), sizeof(*reqs), sizeof(struct ifreq));
		for (int i = 0; i < ifc->len / (int)sizeof(*reqs); i++)
			printf("    %-8s %u.%u.%u.%u\n", reqs[i].name, reqs[i].u[4],
			       reqs[i].u[5], reqs[i].u[6], reqs[i].u[7]);
	}
	pty = posix_openpt(O_RDWR | O_NOCTTY);
	ws->ws_row = 0;
	r = emucompat_ioctl32(ec, pty, TIOCGWINSZ, (uint32_t)(uintptr_t)ws);
	printf("  TIOCGWINSZ on a pty -> %ld, %ux%u\n", r, ws->ws_col, ws->ws_row);
	r = emucompat_ioctl32(ec, s, 0x8badf00d, 0);
	printf("  an unknown command -> %ld (%s), as for a real 32-bit caller\n", r,
	       strerror(errno));

	printf("\n== ranged mappings: no reservation, no /proc/self/maps ==\n");
	for (int i = 0; i < 4; i++) {
		void *p = emucompat_mmap_range(ec, 1 * GiB, 4 * GiB, 1 << 20,
					       PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		printf("  emucompat_mmap_range([1 GiB, 4 GiB), 1 MiB) -> %p\n", p);
	}
	printf("  plain mmap(NULL, 1 MiB)                      -> %p\n",
	       mmap(NULL, 1 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	printf("  emucompat_mmap_range([4 GiB, 2^47), 1 MiB)   -> %p\n",
	       emucompat_mmap_range(ec, 4 * GiB, 1ULL << 47, 1 << 20, PROT_READ,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	printf("\ndemo done\n");
	emucompat_close(ec);
	return 0;
}
