// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_security - the threat model of SECURITY.md, tested:
 *
 *   - a caller reaches only its own descriptors: a descriptor number that
 *     is open in another process (and not in the caller) is EBADF;
 *   - a caller changes only its own address space: a MAP_FIXED_NOREPLACE
 *     placement at an address where another process has memory succeeds
 *     in the caller and leaves the other process's memory untouched;
 *   - forwarded ioctls run with the caller's credentials: as uid 65534,
 *     a forwarded SIOCSIFFLAGS gets EPERM, like a real 32-bit process of
 *     that user, while the device itself opens and answers INFO;
 *   - LSM ioctl hooks run: under a Landlock ruleset that handles
 *     LANDLOCK_ACCESS_FS_IOCTL_DEV (ABI 5, 6.10+), a forwarded TCGETS on a
 *     pty is refused with EACCES as the native one is;
 *   - an administrator can switch compat ioctls off (ioctl32=0) and keep
 *     ranged mappings: INFO drops the capability, IOCTL32 gives
 *     EOPNOTSUPP, MMAP_RANGE still works.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "probe_util.h"

#define OTHER_FD	57	/* open only in the child */

static struct emucompat *ec;
static struct emucompat_info info;
static uint64_t ps;

static void check_fd_isolation(void)
{
	int to_child[2], to_parent[2], fd;
	char c = 0;
	long r;
	pid_t pid;

	if (pipe(to_child) || pipe(to_parent))
		tap_bail("pipe: %s", strerror(errno));
	close(OTHER_FD);
	tap_flush();
	pid = fork();
	if (pid == 0) {
		fd = open("/dev/ptmx", O_RDWR | O_NOCTTY);
		if (fd < 0 || dup2(fd, OTHER_FD) < 0)
			_exit(1);
		c = 'r';
		if (write(to_parent[1], &c, 1) != 1 || read(to_child[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	if (read(to_parent[0], &c, 1) != 1 || c != 'r')
		tap_bail("child did not get ready");
	errno = 0;
	r = emucompat_ioctl32(ec, OTHER_FD, TCGETS, 0);
	pt_errno(r, EBADF, "descriptor open only in another process: EBADF");
	if (write(to_child[1], &c, 1) != 1)
		tap_bail("pipe write");
	waitpid(pid, NULL, 0);
}

static void check_mm_isolation(void)
{
	int to_child[2], to_parent[2];
	volatile uint8_t *p;
	uint64_t addr = 0;
	void *q;
	pid_t pid;
	int status;

	if (pipe(to_child) || pipe(to_parent))
		tap_bail("pipe: %s", strerror(errno));
	tap_flush();
	pid = fork();
	if (pid == 0) {
		/* after fork(): a fresh page the parent does not have */
		p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(1);
		memset((void *)p, 0x5c, ps);
		addr = (uintptr_t)p;
		if (write(to_parent[1], &addr, sizeof(addr)) != sizeof(addr) ||
		    read(to_child[0], &addr, sizeof(addr)) != sizeof(addr))
			_exit(1);
		for (uint64_t i = 0; i < ps; i++)
			if (p[i] != 0x5c)
				_exit(2);
		_exit(0);
	}
	if (read(to_parent[0], &addr, sizeof(addr)) != sizeof(addr))
		tap_bail("child did not report its page");
	q = emucompat_mmap_range(ec, addr, addr + ps, ps, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	tap_ok(q == (void *)(uintptr_t)addr,
	       "MAP_FIXED_NOREPLACE at another process's page %#llx lands in ours (%p)",
	       (unsigned long long)addr, q);
	if (q != MAP_FAILED) {
		memset(q, 0xa3, ps);
		munmap(q, ps);
	}
	if (write(to_child[1], &addr, sizeof(addr)) != sizeof(addr))
		tap_bail("pipe write");
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "the other process's page is untouched (child status %#x)", status);
}

/* struct ifreq of i386/armhf: 16-byte name + 16-byte union (flags first). */
struct ifreq32 {
	char name[16];
	int16_t flags;
	uint8_t pad[14];
};

static void check_credentials(void)
{
	int res[2];
	pid_t pid;

	pid = pt_fork_child(res);
	if (pid == 0) {
		struct ifreq32 *ifr;
		int out[4] = { -1, -1, -1, -1 }, s;
		struct emucompat *e;
		struct emucompat_info i;
		long r;

		if (setgid(65534) || setuid(65534))
			_exit(3);
		e = emucompat_open();
		out[0] = e != NULL;
		out[1] = e && emucompat_info(e, &i) == 0;
		s = socket(AF_INET, SOCK_DGRAM, 0);
		ifr = e ? pt_low_map(e, ps) : NULL;
		if (ifr && s >= 0) {
			strcpy(ifr->name, "lo");
			r = emucompat_ioctl32(e, s, SIOCGIFFLAGS, pt_u32(ifr));
			out[2] = r == 0 && (ifr->flags & IFF_UP);
			r = emucompat_ioctl32(e, s, SIOCSIFFLAGS, pt_u32(ifr));
			out[3] = r < 0 ? errno : 0;
		}
		pt_child_exit(res[1], out, sizeof(out));
	}
	{
		int out[4];

		if (!pt_child_result(res[0], pid, out, sizeof(out)))
			tap_bail("credentials child died");
		tap_ok(out[0] == 1 && out[1] == 1, "uid 65534 opens /dev/emucompat and reads INFO");
		tap_ok(out[2] == 1, "uid 65534: forwarded SIOCGIFFLAGS on lo works");
		tap_ok(out[3] == EPERM, "uid 65534: forwarded SIOCSIFFLAGS is EPERM, as for a 32-bit "
		       "process of that user (got %d)", out[3]);
	}
}

/* Landlock, from the uapi (bookworm's headers predate IOCTL_DEV). */
#define LL_CREATE_RULESET_VERSION	(1U << 0)
#define LL_ACCESS_FS_IOCTL_DEV		(1ULL << 15)
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset	444
#define __NR_landlock_restrict_self	446
#endif

static void check_landlock(void)
{
	struct { uint64_t handled_access_fs; } attr = { LL_ACCESS_FS_IOCTL_DEV };
	int abi, res[2], fd;
	struct termios *t;
	pid_t pid;

	abi = (int)syscall(__NR_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
	if (abi < 5) {
		tap_skip(abi < 0 ? "Landlock not enabled" : "Landlock ABI < 5 (no IOCTL_DEV)",
			 "LSM ioctl hook runs for forwarded ioctls (Landlock IOCTL_DEV)");
		return;
	}
	/* control: the same call works without the ruleset */
	t = pt_low_map(ec, ps);
	fd = open("/dev/ptmx", O_RDWR | O_NOCTTY);
	tap_ok(fd >= 0 && emucompat_ioctl32(ec, fd, TCGETS, pt_u32(t)) == 0,
	       "Landlock ABI %d: forwarded TCGETS on a pty works without a ruleset", abi);
	if (fd >= 0)
		close(fd);
	pid = pt_fork_child(res);
	if (pid == 0) {
		int out[2] = { -1, -1 }, rs, f;
		struct termios nt;

		rs = (int)syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);
		if (rs < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(__NR_landlock_restrict_self, rs, 0))
			_exit(3);
		f = open("/dev/ptmx", O_RDWR | O_NOCTTY);
		if (f >= 0) {
			out[0] = ioctl(f, TCGETS, &nt) < 0 ? errno : 0;
			out[1] = emucompat_ioctl32(ec, f, TCGETS, pt_u32(t)) < 0 ? errno : 0;
		}
		pt_child_exit(res[1], out, sizeof(out));
	}
	{
		int out[2];

		if (!pt_child_result(res[0], pid, out, sizeof(out))) {
			tap_ok(0, "Landlock child failed to set up");
			return;
		}
		tap_ok(out[0] == EACCES, "under Landlock IOCTL_DEV the native TCGETS is EACCES (%d)",
		       out[0]);
		tap_ok(out[1] == EACCES, "under Landlock IOCTL_DEV the forwarded TCGETS is EACCES too "
		       "(the compat LSM hook ran) (%d)", out[1]);
	}
}

static int write_param(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/emucompat/parameters/%s", name);
	return pt_write_file(path, val);
}

static void check_ioctl32_off(void)
{
	struct emucompat_info i2;
	int fd = open("/dev/null", O_RDONLY);
	void *p;
	long r;

	if (!pt_module_param_on("ioctl32")) {
		tap_skip("ioctl32=0 already", "ioctl32=0 switch");
		return;
	}
	if (write_param("ioctl32", "0")) {
		tap_skip("cannot write the parameter", "ioctl32=0 switch");
		return;
	}
	memset(&i2, 0, sizeof(i2));
	emucompat_info(ec, &i2);
	tap_ok(!(i2.caps & EMUCOMPAT_CAP_IOCTL32) && (i2.caps & EMUCOMPAT_CAP_MMAP_RANGE),
	       "ioctl32=0: INFO drops CAP_IOCTL32, keeps CAP_MMAP_RANGE (caps %#llx)",
	       (unsigned long long)i2.caps);
	r = emucompat_ioctl32(ec, fd, 0x5401, 0);
	pt_errno(r, EOPNOTSUPP, "ioctl32=0: IOCTL32 is EOPNOTSUPP");
	p = emucompat_mmap_range(ec, 1ULL << 30, 1ULL << 32, ps, PROT_READ,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	tap_ok(p != MAP_FAILED && (uintptr_t)p >= (1ULL << 30) && (uintptr_t)p < (1ULL << 32),
	       "ioctl32=0: ranged mappings still work (%p)", p);
	if (p != MAP_FAILED)
		munmap(p, ps);
	tap_ok(write_param("ioctl32", "1") == 0 && pt_module_param_on("ioctl32"),
	       "ioctl32=1 restored");
	close(fd);
}

int main(void)
{
	ps = (uint64_t)sysconf(_SC_PAGESIZE);
	ec = pt_open_ec(&info);
	check_fd_isolation();
	check_mm_isolation();
	check_credentials();
	check_landlock();
	check_ioctl32_off();
	emucompat_close(ec);
	return tap_done();
}
