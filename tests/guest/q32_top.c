// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * q32_top - the edges of a 32-bit address space, as a 32-bit process sees
 * them: the guest of tests/guest/t_qemu_mmap.sh's edge checks.  Built
 * static for i386 and armhf (tests/Makefile, q32_* rule).  It prints one
 * line per call, "NAME: 0" or "NAME: -1 ERRNO", and nothing that varies
 * between runs, so that its output natively (a real 32-bit process of the
 * kernel's own compat ABI) and under QEMU linux-user can be compared line
 * by line.  Every call is made and reported; the exit status is 0 unless
 * the program could not run at all (it judges nothing itself).
 *
 *   top *    a range [0xfffff000, +8 KiB) that runs past 4 GiB: mmap
 *            (MAP_FIXED), munmap, mprotect, madvise(MADV_DONTNEED), msync,
 *            and an in-place mremap of one page there to two.  A 64-bit
 *            kernel gives a compat task ENOMEM, EINVAL, ENOMEM, ENOMEM,
 *            ENOMEM and EFAULT.  QEMU must neither wrap the end to a low
 *            address nor abort (issue 20 item 1); 10.0's stock QEMU
 *            answers EINVAL for madvise and mremap, which the series'
 *            "the kernel's errnos past the end of the guest address space"
 *            fixes.
 *   low *    mmap(MAP_FIXED_NOREPLACE) of one page at 0x1000, 0x2000,
 *            0x4000, 0x7000, 0x8000 and 0xf000 (unmapped again when it
 *            works): the host kernel's real floor, vm.mmap_min_addr and an
 *            LSM's (Debian's arm64 kernels: 32 KiB although the sysctl
 *            reads 4096), applies to a guest pointer only when it is a
 *            host pointer (guest_base 0).  Under a non-zero guest_base the
 *            guest maps pages a real 32-bit process cannot.
 *
 *
 *	q32_top --as-nobody PROG [ARG...]
 *
 * drops root for uid/gid 65534 (no supplementary groups) and executes
 * PROG: t_qemu_mmap.sh runs q32_top natively and QEMU itself this way too,
 * because the host's floor is only a floor for an unprivileged process
 * (root has CAP_SYS_RAWIO), and QEMU picks guest_base at start-up under
 * its own credentials.
 *
 * Then "info" lines, not for comparison (they legitimately differ under
 * QEMU, whose i386 guest space reaches 4 GiB where a compat task ends at
 * 0xffffe000 on x86-64 and 0xfffff000 on arm64): mmap(MAP_FIXED_NOREPLACE)
 * of the pages at 0xffffe000 and 0xfffff000 (NOREPLACE: the stack may be
 * up there).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <grp.h>
#include <unistd.h>
#include <sys/mman.h>

#if UINTPTR_MAX != 0xffffffffu
#error "q32_top is a 32-bit program: build it for i686 or armhf"
#endif

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PG 4096u

static const char *ename(int e)
{
	static char buf[16];

	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EBADF: return "EBADF";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case EOVERFLOW: return "EOVERFLOW";
	}
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

static void report(const char *prefix, const char *name, int failed, int err)
{
	if (failed)
		printf("%s %s: -1 %s\n", prefix, name, ename(err));
	else
		printf("%s %s: 0\n", prefix, name);
	fflush(stdout);
}

static void map_fixed(const char *prefix, const char *name, uint32_t a, uint32_t len, int flags)
{
	void *p;

	errno = 0;
	p = mmap((void *)(uintptr_t)a, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	report(prefix, name, p == MAP_FAILED, errno);
	if (p != MAP_FAILED)
		munmap(p, len);
}

/* The range calls at A, LEN; PREFIX names the group. */
static void range_calls(const char *prefix, uint32_t a, uint32_t len)
{
	void *addr = (void *)(uintptr_t)a;
	void *p;
	int r;

	map_fixed(prefix, "mmap(MAP_FIXED)", a, len, MAP_FIXED);
	errno = 0;
	r = munmap(addr, len);
	report(prefix, "munmap", r != 0, errno);
	errno = 0;
	r = mprotect(addr, len, PROT_READ);
	report(prefix, "mprotect", r != 0, errno);
	errno = 0;
	r = madvise(addr, len, MADV_DONTNEED);
	report(prefix, "madvise(MADV_DONTNEED)", r != 0, errno);
	errno = 0;
	r = msync(addr, len, MS_ASYNC);
	report(prefix, "msync(MS_ASYNC)", r != 0, errno);
	errno = 0;
	p = mremap(addr, PG, len, 0);
	report(prefix, "mremap in place", p == MAP_FAILED, errno);
}

int main(int argc, char **argv)
{
	static const unsigned int low[] = { 0x1000, 0x2000, 0x4000, 0x7000, 0x8000, 0xf000, 0 };
	char name[48];
	unsigned int i;

	if (argc >= 3 && !strcmp(argv[1], "--as-nobody")) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
			fprintf(stderr, "q32_top: dropping root: %s\n", strerror(errno));
			return 1;
		}
		execv(argv[2], argv + 2);
		fprintf(stderr, "q32_top: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: q32_top [--as-nobody PROG [ARG...]]\n");
		return 2;
	}

	if (sysconf(_SC_PAGESIZE) != PG) {
		fprintf(stderr, "q32_top: page size %ld, not 4096\n", sysconf(_SC_PAGESIZE));
		return 1;
	}
	range_calls("top", 0xfffff000u, 2 * PG);
	for (i = 0; low[i]; i++) {
		snprintf(name, sizeof(name), "mmap(%#x, MAP_FIXED_NOREPLACE)", low[i]);
		map_fixed("low", name, low[i], PG, MAP_FIXED_NOREPLACE);
	}
	map_fixed("info", "mmap(0xffffe000, MAP_FIXED_NOREPLACE)", 0xffffe000u, PG,
		  MAP_FIXED_NOREPLACE);
	map_fixed("info", "mmap(0xfffff000, MAP_FIXED_NOREPLACE)", 0xfffff000u, PG,
		  MAP_FIXED_NOREPLACE);
	return 0;
}
