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
 *     EOPNOTSUPP, MMAP_RANGE still works; on both paths ("[fwd]", the
 *     forwarding descriptor, and "[req]", the request ioctl), and
 *     EMUCOMPAT_IOC_FORWARDER itself is EOPNOTSUPP meanwhile; FIOCLEX,
 *     which the library issues natively (no compat handler), still works;
 *   - seccomp, both settings of both parameters, under a filter that
 *     fails ioctl(2) with EPERM when the command (masked to 32 bits, as
 *     flatpak does) is TIOCSTI:
 *       [fwd] the filter sees the forwarded command: TIOCSTI is the
 *             filter's EPERM and injects nothing, TCGETS works with
 *             allow_seccomp_fwd=1 (the default) and is the module's EPERM
 *             with allow_seccomp_fwd=0; INFO's FWD_SECCOMP_REFUSED says so;
 *       [req] the filter sees only EMUCOMPAT_IOC_IOCTL32: allow_seccomp=0
 *             (the default) refuses every forward with EPERM; with
 *             allow_seccomp=1 a TIOCSTI through the request ioctl really
 *             injects its byte into the pty, past the filter -- exactly
 *             why allow_seccomp stays 0 by default.
 *     The parameters are restored afterwards.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <poll.h>
#include <pty.h>
#include <stddef.h>
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
	struct pt_path paths[2];
	int fd = open("/dev/null", O_RDONLY), n, k, fwd = -1, ecfd, m, pts, *ip;
	struct termios *t;
	void *p;
	long r;

	if (!pt_module_param_on("ioctl32")) {
		tap_skip("ioctl32=0 already", "ioctl32=0 switch");
		return;
	}
	n = pt_paths(ec, paths);
	ecfd = open("/dev/" EMUCOMPAT_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (ecfd < 0 || openpty(&m, &pts, NULL, NULL, NULL))
		tap_bail("ioctl32=0 set-up: %s", strerror(errno));
	t = pt_low_map(ec, ps);
	ip = (int *)((char *)t + 256);
	if (info.caps & EMUCOMPAT_CAP_FORWARDER)
		fwd = pt_fwd_open(ecfd, EMUCOMPAT_FORWARDER_CLOEXEC);
	if (write_param("ioctl32", "0")) {
		tap_skip("cannot write the parameter", "ioctl32=0 switch");
		return;
	}
	memset(&i2, 0, sizeof(i2));
	emucompat_info(ec, &i2);
	tap_ok(!(i2.caps & EMUCOMPAT_CAP_IOCTL32) && !(i2.caps & EMUCOMPAT_CAP_FORWARDER) &&
	       (i2.caps & EMUCOMPAT_CAP_MMAP_RANGE),
	       "ioctl32=0: INFO drops CAP_IOCTL32 and CAP_FORWARDER, keeps CAP_MMAP_RANGE (caps %#llx)",
	       (unsigned long long)i2.caps);
	for (k = 0; k < n; k++) {
		char what[160];

		r = emucompat_ioctl32(paths[k].ec, fd, 0x5401, 0);
		snprintf(what, sizeof(what), "[%s] ioctl32=0: emucompat_ioctl32 is EOPNOTSUPP",
			 paths[k].name);
		pt_errno(r, EOPNOTSUPP, what);
		r = emucompat_ioctl32(paths[k].ec, pts, TCGETS, pt_u32(t));
		snprintf(what, sizeof(what), "[%s] ioctl32=0: TCGETS on a pty is EOPNOTSUPP",
			 paths[k].name);
		pt_errno(r, EOPNOTSUPP, what);
		/* FIONREAD is forwarded (it behaves differently per ABI) */
		*ip = 0;
		r = emucompat_ioctl32(paths[k].ec, pts, FIONREAD, pt_u32(ip));
		snprintf(what, sizeof(what), "[%s] ioctl32=0: FIONREAD is EOPNOTSUPP",
			 paths[k].name);
		pt_errno(r, EOPNOTSUPP, what);
		/*
		 * The generic commands with the same layout in both ABIs are no
		 * compat handlers: the library issues them natively, ioctl32=0
		 * or not (SECURITY.md).
		 */
		fcntl(fd, F_SETFD, 0);
		r = emucompat_ioctl32(paths[k].ec, fd, FIOCLEX, 0);
		tap_ok(r == 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
		       "[%s] ioctl32=0: FIOCLEX, issued natively by the library, still works (%ld %s)",
		       paths[k].name, r, r < 0 ? strerrorname_np(errno) : "-");
	}
	pt_errno(pt_raw_ioctl32(ecfd, pts, TCGETS, pt_u32(t), 0, 0, 0), EOPNOTSUPP,
		 "ioctl32=0: raw EMUCOMPAT_IOC_IOCTL32 is EOPNOTSUPP");
	if (fwd >= 0) {
		pt_errno(ioctl(fwd, TCGETS, EMUCOMPAT_FWD_ARG(pts, pt_u32(t))), EOPNOTSUPP,
			 "ioctl32=0: a forwarder opened before is EOPNOTSUPP");
		r = pt_fwd_open(ecfd, EMUCOMPAT_FORWARDER_CLOEXEC);
		pt_errno(r, EOPNOTSUPP, "ioctl32=0: EMUCOMPAT_IOC_FORWARDER is EOPNOTSUPP");
		if (r >= 0)
			close((int)r);
	} else {
		tap_skip("no EMUCOMPAT_CAP_FORWARDER", "ioctl32=0: forwarders EOPNOTSUPP");
	}
	p = emucompat_mmap_range(ec, 1ULL << 30, 1ULL << 32, ps, PROT_READ,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	tap_ok(p != MAP_FAILED && (uintptr_t)p >= (1ULL << 30) && (uintptr_t)p < (1ULL << 32),
	       "ioctl32=0: ranged mappings still work (%p)", p);
	if (p != MAP_FAILED)
		munmap(p, ps);
	tap_ok(write_param("ioctl32", "1") == 0 && pt_module_param_on("ioctl32"),
	       "ioctl32=1 restored");
	if (fwd >= 0) {
		tap_ok(ioctl(fwd, TCGETS, EMUCOMPAT_FWD_ARG(pts, pt_u32(t))) == 0,
		       "ioctl32=1: the same forwarder works again");
		close(fwd);
	}
	for (k = 1; k < n; k++)
		emucompat_close(paths[k].ec);
	munmap(t, ps);
	close(m);
	close(pts);
	close(ecfd);
	close(fd);
}

/* ---- seccomp ---- */

/*
 * ioctl(2) whose command, masked to 32 bits, is TIOCSTI: EPERM (flatpak's
 * filter); everything else allowed.
 */
static int install_tiocsti_filter(void)
{
	struct sock_filter insn[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCSTI, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(insn) / sizeof(insn[0]), .filter = insn };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/* Did a byte arrive on the pty's slave side (raw mode)?  It, or -1. */
static int injected(int pts)
{
	struct pollfd pf = { .fd = pts, .events = POLLIN };
	unsigned char c;

	if (poll(&pf, 1, 100) != 1 || read(pts, &c, 1) != 1)
		return -1;
	return c;
}

struct sc_out {
	int filter;			/* install_tiocsti_filter() */
	int native_sti, native_sti_err;	/* control: the filter works */
	uint32_t info_flags;
	int fwd_sti, fwd_sti_err, fwd_sti_byte;
	int fwd_tcgets, fwd_tcgets_err;
	int raw_tcgets, raw_tcgets_err;
	int req_tcgets, req_tcgets_err;
	int req_sti, req_sti_err, req_sti_byte;
	int has_fwd;
};

static void seccomp_child(int wfd)
{
	struct emucompat *e, *er;
	struct emucompat_info ci;
	struct termios *t, raw;
	struct sc_out o;
	char *c;
	int m, pts;

	memset(&o, 0, sizeof(o));
	o.filter = -9;
	e = emucompat_open();
	er = emucompat_open();
	if (!e || !er || openpty(&m, &pts, NULL, NULL, NULL))
		pt_child_exit(wfd, &o, sizeof(o));
	cfmakeraw(&raw);
	tcsetattr(pts, TCSANOW, &raw);
	pt_use_request_path(er);
	o.has_fwd = pt_ec_fwd(e) >= 0;
	t = pt_low_map(e, ps);
	c = (char *)t + 512;

	o.filter = install_tiocsti_filter();
	memset(&ci, 0, sizeof(ci));
	emucompat_info(e, &ci);
	o.info_flags = ci.flags;
	*c = 'n';
	errno = 0;
	o.native_sti = ioctl(pts, TIOCSTI, c);
	o.native_sti_err = errno;
	injected(pts);	/* should there be one, it must not count below */

	*c = 'f';
	errno = 0;
	o.fwd_sti = (int)emucompat_ioctl32(e, pts, TIOCSTI, pt_u32(c));
	o.fwd_sti_err = errno;
	o.fwd_sti_byte = injected(pts);
	errno = 0;
	o.fwd_tcgets = (int)emucompat_ioctl32(e, pts, TCGETS, pt_u32(t));
	o.fwd_tcgets_err = errno;
	errno = 0;
	o.raw_tcgets = o.has_fwd ? (int)ioctl(pt_ec_fwd(e), TCGETS,
					      EMUCOMPAT_FWD_ARG(pts, pt_u32(t))) : -2;
	o.raw_tcgets_err = errno;

	errno = 0;
	o.req_tcgets = (int)emucompat_ioctl32(er, pts, TCGETS, pt_u32(t));
	o.req_tcgets_err = errno;
	*c = 'r';
	errno = 0;
	o.req_sti = (int)emucompat_ioctl32(er, pts, TIOCSTI, pt_u32(c));
	o.req_sti_err = errno;
	o.req_sti_byte = injected(pts);
	pt_child_exit(wfd, &o, sizeof(o));
}

static const char *en(int ret, int err)
{
	return ret < 0 ? strerrorname_np(err) : "-";
}

/* One child under the filter with the parameters as set now. */
static void seccomp_case(int allow_fwd, int allow_req)
{
	char tag[64];
	struct sc_out o;
	int res[2];
	pid_t pid;

	snprintf(tag, sizeof(tag), "allow_seccomp_fwd=%d allow_seccomp=%d", allow_fwd, allow_req);
	memset(&o, 0, sizeof(o));
	o.filter = -8;
	pid = pt_fork_child(res);
	if (pid == 0)
		seccomp_child(res[1]);
	if (!pt_child_result(res[0], pid, &o, sizeof(o)) || o.filter) {
		tap_ok(0, "%s: seccomp child set up its filter (%d)", tag, o.filter);
		return;
	}
	tap_ok(o.native_sti == -1 && o.native_sti_err == EPERM,
	       "%s: the filter refuses the native TIOCSTI (%d %s)", tag, o.native_sti,
	       en(o.native_sti, o.native_sti_err));
	tap_ok(!!(o.info_flags & EMUCOMPAT_INFO_SECCOMP_REFUSED) == !allow_req,
	       "%s: INFO's SECCOMP_REFUSED is %s (flags %#x)", tag, allow_req ? "clear" : "set",
	       o.info_flags);
	if (o.has_fwd) {
		tap_ok(!!(o.info_flags & EMUCOMPAT_INFO_FWD_SECCOMP_REFUSED) == !allow_fwd,
		       "%s: INFO's FWD_SECCOMP_REFUSED is %s (flags %#x)", tag,
		       allow_fwd ? "clear" : "set", o.info_flags);
		tap_ok(o.fwd_sti == -1 && o.fwd_sti_err == EPERM && o.fwd_sti_byte < 0,
		       "[fwd] %s: TIOCSTI through the forwarder is EPERM (%d %s), nothing injected "
		       "(%d)", tag, o.fwd_sti, en(o.fwd_sti, o.fwd_sti_err), o.fwd_sti_byte);
		if (allow_fwd) {
			tap_ok(o.fwd_tcgets == 0 && o.raw_tcgets == 0,
			       "[fwd] %s: TCGETS through the forwarder works (library %d %s, raw %d %s)",
			       tag, o.fwd_tcgets, en(o.fwd_tcgets, o.fwd_tcgets_err), o.raw_tcgets,
			       en(o.raw_tcgets, o.raw_tcgets_err));
		} else {
			tap_ok(o.fwd_tcgets == -1 && o.fwd_tcgets_err == EPERM &&
			       o.raw_tcgets == -1 && o.raw_tcgets_err == EPERM,
			       "[fwd] %s: TCGETS through the forwarder is the module's EPERM (library "
			       "%d %s, raw %d %s)", tag, o.fwd_tcgets, en(o.fwd_tcgets, o.fwd_tcgets_err),
			       o.raw_tcgets, en(o.raw_tcgets, o.raw_tcgets_err));
		}
	}
	if (allow_req) {
		tap_ok(o.req_tcgets == 0, "[req] %s: TCGETS through the request ioctl works (%d %s)",
		       tag, o.req_tcgets, en(o.req_tcgets, o.req_tcgets_err));
		/* the reason allow_seccomp=0 is the default */
		tap_ok(o.req_sti == 0 && o.req_sti_byte == 'r',
		       "[req] %s: TIOCSTI through the request ioctl gets past the filter: "
		       "the byte arrives (%d %s, got %d)", tag, o.req_sti,
		       en(o.req_sti, o.req_sti_err), o.req_sti_byte);
	} else {
		tap_ok(o.req_tcgets == -1 && o.req_tcgets_err == EPERM,
		       "[req] %s: TCGETS through the request ioctl is EPERM (%d %s)", tag,
		       o.req_tcgets, en(o.req_tcgets, o.req_tcgets_err));
		tap_ok(o.req_sti == -1 && o.req_sti_err == EPERM && o.req_sti_byte < 0,
		       "[req] %s: TIOCSTI through the request ioctl is EPERM, nothing injected "
		       "(%d %s, %d)", tag, o.req_sti, en(o.req_sti, o.req_sti_err), o.req_sti_byte);
	}
}

static int param_set(const char *name, int on)
{
	return write_param(name, on ? "1" : "0") == 0 && pt_module_param_on(name) == on;
}

static void check_seccomp(void)
{
	int fwd0 = pt_module_param_on("allow_seccomp_fwd");
	int req0 = pt_module_param_on("allow_seccomp");
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/emucompat/parameters/allow_seccomp_fwd");
	if (access(path, W_OK)) {
		tap_skip("cannot write the parameters", "seccomp, both parameters");
		return;
	}
	if (!(info.caps & EMUCOMPAT_CAP_IOCTL32) || (info.flags & EMUCOMPAT_INFO_SECCOMP_REFUSED)) {
		tap_skip("no ioctl32 here", "seccomp, both parameters");
		return;
	}
	tap_diag("module defaults: allow_seccomp_fwd=%d allow_seccomp=%d", fwd0, req0);
	tap_ok(fwd0 == 1 && req0 == 0,
	       "defaults: allow_seccomp_fwd=1, allow_seccomp=0 (%d %d)", fwd0, req0);
	if (!param_set("allow_seccomp_fwd", 1) || !param_set("allow_seccomp", 0))
		tap_bail("cannot set the seccomp parameters");
	seccomp_case(1, 0);
	if (!param_set("allow_seccomp_fwd", 0))
		tap_bail("cannot set allow_seccomp_fwd");
	seccomp_case(0, 0);
	if (!param_set("allow_seccomp_fwd", 1) || !param_set("allow_seccomp", 1))
		tap_bail("cannot set the seccomp parameters");
	seccomp_case(1, 1);
	tap_ok(param_set("allow_seccomp_fwd", fwd0) && param_set("allow_seccomp", req0),
	       "allow_seccomp_fwd=%d, allow_seccomp=%d restored", fwd0, req0);
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
	check_seccomp();
	emucompat_close(ec);
	return tap_done();
}
