// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * box32-ioctl - an i386 program whose output is compared between a native
 * run (static, on the x86-64 kernel's compat layer: the reference) and
 * runs under box64's box32 (dynamic PIE, libc wrapped by box32), patched and
 * unpatched.  One line per case; nothing in a line depends on the run
 * (no addresses, no timing).
 *
 *   fsflags-libc     FS_IOC_GETFLAGS (_IOR('f', 1, long): its number holds
 *                    sizeof(long)) through libc's ioctl()
 *   fsflags-syscall  the same through syscall(SYS_ioctl, ...)
 *   fsflags-int80    the same through int $0x80 (eax 54; armhf: svc #0)
 *   loop-status      LOOP_GET_STATUS (struct loop_info has longs; no size
 *                    in the number) on a loop device set up with
 *                    LOOP_SET_FD and LOOP_SET_STATUS64 (same on both ABIs)
 *   fionread         FIONREAD on a pipe: the same on both ABIs (control)
 *   robust-int80     set_robust_list through int $0x80 (eax 311; armhf:
 *                    svc #0, r7 338)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/fs.h>
#include <linux/loop.h>

/*
 * The raw trap: int $0x80 on i386; on armhf (the native reference on arm64
 * hosts, whose kernels have no i386 ABI) svc #0, the same calls under
 * their EABI numbers.
 */
#if defined(__i386__)
#define NR_IOCTL		54
#define NR_SET_ROBUST_LIST	311

static long int80(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("push %%ebx\n\tmov %2, %%ebx\n\tint $0x80\n\tpop %%ebx"
			 : "=a"(ret)
			 : "0"(nr), "r"(a), "c"(b), "d"(c)
			 : "memory");
	return ret;
}
#elif defined(__arm__) && !defined(__thumb__)
#define NR_IOCTL		54
#define NR_SET_ROBUST_LIST	338

static long int80(long nr, long a, long b, long c)
{
	register long r0 __asm__("r0") = a;
	register long r1 __asm__("r1") = b;
	register long r2 __asm__("r2") = c;
	register long r7 __asm__("r7") = nr;

	__asm__ volatile("svc #0" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r7) : "memory");
	return r0;
}
#else
#error "box32-ioctl is an i386 program (armhf, built with -marm, for the reference on arm64)"
#endif

static void result(const char *name, long rc, int err, const char *more)
{
	if (rc < 0)
		printf("%s: rc=-1 errno=%d\n", name, err);
	else
		printf("%s: rc=%ld%s%s\n", name, rc, *more ? " " : "", more);
}

static void fsflags(const char *dir)
{
	char path[256], more[64];
	long flags, rc;
	int fd;

	snprintf(path, sizeof(path), "%s/box32-ioctl.f", dir);
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (fd < 0) {
		printf("fsflags: cannot create %s: errno=%d\n", path, errno);
		return;
	}
	flags = -1;
	errno = 0;
	rc = ioctl(fd, FS_IOC_GETFLAGS, &flags);
	snprintf(more, sizeof(more), "flags=%#lx", flags);
	result("fsflags-libc", rc, errno, more);

	flags = -1;
	errno = 0;
	rc = syscall(SYS_ioctl, fd, FS_IOC_GETFLAGS, &flags);
	snprintf(more, sizeof(more), "flags=%#lx", flags);
	result("fsflags-syscall", rc, errno, more);

	flags = -1;
	rc = int80(NR_IOCTL, fd, FS_IOC_GETFLAGS, (long)&flags);
	snprintf(more, sizeof(more), "flags=%#lx", flags);
	result("fsflags-int80", rc < 0 && rc > -4096 ? -1 : rc, (int)-rc, more);
	close(fd);
	unlink(path);
}

static void loop_status(const char *dir)
{
	char path[256], dev[64], more[160];
	struct loop_info64 s64;
	union {
		struct loop_info li;
		unsigned char raw[512];	/* room for a wrong (64-bit) layout */
	} u;
	int ctl, n, bfd, lfd;
	long rc;

	snprintf(path, sizeof(path), "%s/box32-ioctl.img", dir);
	/* Kept between runs: a misread field may hold its inode number. */
	bfd = open(path, O_CREAT | O_RDWR, 0600);
	if (bfd < 0 || ftruncate(bfd, 65536)) {
		printf("loop-status: no backing file: errno=%d\n", errno);
		return;
	}
	ctl = open("/dev/loop-control", O_RDWR);
	n = ctl < 0 ? -1 : ioctl(ctl, LOOP_CTL_GET_FREE);
	if (n < 0) {
		printf("loop-status: no free loop device: errno=%d\n", errno);
		return;
	}
	snprintf(dev, sizeof(dev), "/dev/loop%d", n);
	lfd = open(dev, O_RDWR);
	if (lfd < 0 || ioctl(lfd, LOOP_SET_FD, bfd)) {
		printf("loop-status: LOOP_SET_FD on %s: errno=%d\n", dev, errno);
		return;
	}
	memset(&s64, 0, sizeof(s64));
	s64.lo_offset = 512;
	strcpy((char *)s64.lo_file_name, "box32-file");
	if (ioctl(lfd, LOOP_SET_STATUS64, &s64))
		printf("loop-status: LOOP_SET_STATUS64: errno=%d\n", errno);
	memset(&u, 0x5a, sizeof(u));
	errno = 0;
	rc = ioctl(lfd, LOOP_GET_STATUS, &u.li);
	snprintf(more, sizeof(more), "number=%d offset=%d flags=%#x name=%.16s past-end=%#x",
		 u.li.lo_number, u.li.lo_offset, u.li.lo_flags, u.li.lo_name,
		 u.raw[sizeof(u.li)]);
	result("loop-status", rc, errno, more);
	ioctl(lfd, LOOP_CLR_FD, 0);
	close(lfd);
	close(ctl);
	close(bfd);
}

static void fionread(void)
{
	char more[32];
	int p[2], n = -1;
	long rc;

	if (pipe(p)) {
		printf("fionread: pipe: errno=%d\n", errno);
		return;
	}
	if (write(p[1], "hello", 5) != 5)
		printf("fionread: write failed\n");
	errno = 0;
	rc = ioctl(p[0], FIONREAD, &n);
	snprintf(more, sizeof(more), "n=%d", n);
	result("fionread", rc, errno, more);
	close(p[0]);
	close(p[1]);
}

static void robust(void)
{
	static struct {
		unsigned int next;
		int futex_offset;
		unsigned int pending;
	} head;
	long rc;

	head.next = (unsigned int)(unsigned long)&head;
	head.futex_offset = 0;
	head.pending = 0;
	rc = int80(NR_SET_ROBUST_LIST, (long)&head, sizeof(head), 0);
	result("robust-int80", rc < 0 && rc > -4096 ? -1 : rc, (int)-rc, "");
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";

	setvbuf(stdout, NULL, _IOLBF, 0);
	fsflags(dir);
	loop_status(dir);
	fionread();
	robust();
	return 0;
}
