// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_forwarder - the forwarding descriptor's contract (uapi/linux/emucompat.h,
 * struct emucompat_forwarder) and its bad inputs:
 *
 *   - EMUCOMPAT_IOC_FORWARDER validates its struct like every command (size
 *     below 32 EINVAL, above a page E2BIG, nonzero tail E2BIG, unknown flag
 *     or nonzero reserved EINVAL, unreadable EFAULT), writes nothing back,
 *     leaves no descriptor behind when it fails, and returns a fresh
 *     descriptor (the lowest free number, O_RDWR, "anon_inode:[emucompat-
 *     fwd]"), close-on-exec exactly with EMUCOMPAT_FORWARDER_CLOEXEC;
 *   - a forwarded call is the request ioctl's call: TCGETS/TIOCGWINSZ on a
 *     pty, RTC_IRQP_READ, ENOTTY on /dev/null and an EFAULT give the same
 *     return value, errno and bytes through the library's forwarder, its
 *     request path, the raw forwarder, and a real 32-bit process (o32_fwd);
 *   - the target in the upper half of the argument: not open, negative
 *     (-1, INT_MIN), closed just before: EBADF; the forwarder itself,
 *     /dev/emucompat, another forwarder: ENOTTY; the upper half selects the
 *     descriptor and never reaches the handler (PROBE_RETURN, PROBE_STATE,
 *     a pointer above 4 GiB cannot be passed);
 *   - the VFS's generic commands sent raw to a forwarder act on the
 *     forwarder (FIOCLEX sets ITS close-on-exec flag: why the library never
 *     sends them there), while emucompat_ioctl32(FIOCLEX) sets the target's;
 *     a command the module answers "issue natively" (FIBMAP,
 *     FS_IOC_FSGETXATTR on a regular file) is EOPNOTSUPP raw, and the
 *     library gives the real 32-bit answer (compared with o32_fwd);
 *   - the forwarder acts only for the address space that opened it: after
 *     fork() the child's calls on it are EPERM (a forwarder the child
 *     opens itself forwards to the child's descriptors), across exec
 *     (without CLOEXEC) it is still one in the new image but EPERM there,
 *     passed with SCM_RIGHTS it is EPERM in the receiver, for the sender's
 *     descriptor numbers and its own alike, while the sender's still
 *     works; a real 32-bit process calling it gets ENOTTY (t_sec_deputy:
 *     the confused-deputy case);
 *   - threads: forwarding to a number another thread closes and reopens
 *     gives 0 or EBADF, nothing else;
 *   - every forwarder pins the module (refcount), rmmod is refused while
 *     only a forwarder is open, and nothing leaks.
 *
 * On a kernel without EMUCOMPAT_CAP_FORWARDER (5.10: the pivot stack) only
 * the EOPNOTSUPP refusal is checked.
 *
 * FIONREAD forwarded to a forwarder sitting at descriptor 0 recursed
 * without bound in the first forwarder (the VFS hands FIONREAD on to
 * ->unlocked_ioctl, which forwarded to descriptor 0 again) until the
 * kernel stack overflowed; the module now refuses forwards inside a compat
 * window with ENOTTY.  A regression takes the guest down, which the
 * harness reports as a failure (no EMUCOMPAT-DONE, an Oops on the console).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <pty.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "common_ioctl32.h"
#include "oracle_run.h"
#include "probe_util.h"

#define FWD_LINK	"anon_inode:[emucompat-fwd]"
#define FORK_FD		77	/* opened in the fork child only */
#define SENDER_FD	78	/* opened in the sender only (SCM_RIGHTS) */
#define RECV_FD		79	/* opened in the receiver only */
#define CLOSED_FD	900	/* never open */
#define RES_LEN		8300	/* "ret=.. errno=.. bytes=" + 2 x 4096 hex */

static struct emucompat *ec;		/* the library's default: forwarder */
static struct emucompat *ec_req;	/* put on the request path */
static struct emucompat_info info;
static int ecfd, pfd, fwd, fwd_noclo;
static long pg;
static uint8_t *low;			/* below 4 GiB, 2 pages */
static uint32_t low_hole;		/* below 4 GiB, PROT_NONE */
static char o32[512];			/* o32_fwd's path */
static int have_o32;

static long fwd_call(int f, unsigned int cmd, int fd, uint32_t arg)
{
	return ioctl(f, cmd, EMUCOMPAT_FWD_ARG(fd, arg));
}

static int is_forwarder(int fd)
{
	char path[64], buf[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return 0;
	buf[n] = 0;
	return !strcmp(buf, FWD_LINK);
}

static int cloexec(int fd)
{
	int f = fcntl(fd, F_GETFD);

	return f < 0 ? -1 : !!(f & FD_CLOEXEC);
}

static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0 || errno != EBADF;
}

/* pt_child_result() and close both ends of the result pipe. */
static int child_result(int res[2], pid_t pid, void *out, size_t n)
{
	int ok;

	close(res[1]);
	ok = pt_child_result(res[0], pid, out, n);
	close(res[0]);
	return ok;
}

static long module_refcnt(void)
{
	return pt_read_long("/sys/module/emucompat/refcnt");
}

/* "ret=R errno=E bytes=HEX", as o32_fwd prints it. */
static void fmt_result(char *out, size_t n, long r, int e, const uint8_t *buf, size_t len)
{
	size_t i, k;

	k = (size_t)snprintf(out, n, "ret=%ld errno=%d bytes=", r, r < 0 ? e : 0);
	for (i = 0; i < len && k + 3 < n; i++)
		k += (size_t)snprintf(out + k, n - k, "%02x", buf[i]);
}

/* ---- EMUCOMPAT_IOC_FORWARDER's own input ---- */

static uint8_t *sbuf;	/* a read/write page followed by a PROT_NONE one */

static struct emucompat_forwarder *fwd_req(uint32_t size)
{
	struct emucompat_forwarder *r = (void *)sbuf;

	memset(sbuf, 0, pg);
	r->size = size;
	return r;
}

/* EMUCOMPAT_IOC_FORWARDER on @p; closes what it returns. */
static long open_close(void *p)
{
	long r = ioctl(ecfd, EMUCOMPAT_IOC_FORWARDER, p);

	if (r >= 0)
		close((int)r);
	return r;
}

static void check_struct(void)
{
	struct emucompat_forwarder *r;
	uint8_t *ro, copy[64];
	int fds0, i;
	long ret;

	fds0 = pt_count_fds();
	pt_errno(open_close(fwd_req(0)), EINVAL, "FORWARDER: size 0");
	pt_errno(open_close(fwd_req(EMUCOMPAT_FORWARDER_SIZE_VER0 - 1)), EINVAL,
		 "FORWARDER: size 31");
	pt_errno(open_close(fwd_req(4)), EINVAL, "FORWARDER: size 4 (flags missing)");
	pt_errno(open_close(fwd_req((uint32_t)pg + 1)), E2BIG, "FORWARDER: size one page + 1");
	pt_errno(open_close(fwd_req(0xffffffff)), E2BIG, "FORWARDER: size 0xffffffff");
	r = fwd_req(40);
	sbuf[35] = 1;
	pt_errno(open_close(r), E2BIG, "FORWARDER: size 40, nonzero byte 35 in the tail");
	r = fwd_req((uint32_t)pg);
	sbuf[pg - 1] = 0x80;
	pt_errno(open_close(r), E2BIG, "FORWARDER: size one page, nonzero last byte");
	r = fwd_req(sizeof(*r));
	r->flags = 2;
	pt_errno(open_close(r), EINVAL, "FORWARDER: unknown flag bit 1");
	r->flags = EMUCOMPAT_FORWARDER_CLOEXEC | 0x80000000u;
	pt_errno(open_close(r), EINVAL, "FORWARDER: CLOEXEC with unknown flag bit 31");
	for (i = 0; i < 3; i++) {
		char what[64];

		r = fwd_req(sizeof(*r));
		r->reserved[i] = 1ULL << 63;
		snprintf(what, sizeof(what), "FORWARDER: reserved[%d] nonzero", i);
		pt_errno(open_close(r), EINVAL, what);
	}
	pt_errno(open_close(NULL), EFAULT, "FORWARDER: NULL struct");
	pt_errno(open_close(sbuf + pg), EFAULT, "FORWARDER: struct on a PROT_NONE page");
	pt_errno(open_close((void *)(uintptr_t)0xfff0000000000000ULL), EFAULT,
		 "FORWARDER: kernel address as struct");
	/* a page-sized struct ending where the PROT_NONE page starts */
	memset(sbuf, 0, pg);
	*(uint32_t *)(sbuf + pg - sizeof(*r)) = (uint32_t)pg;
	pt_errno(open_close(sbuf + pg - sizeof(*r)), EFAULT,
		 "FORWARDER: size one page running into a PROT_NONE page");
	pt_errno(ioctl(ecfd, _IOWR(EMUCOMPAT_IOC_MAGIC, 0x07, struct emucompat_forwarder),
		       fwd_req(sizeof(*r))), ENOTTY,
		 "FORWARDER's number with the wrong direction (_IOWR) is unknown");
	tap_ok(pt_count_fds() == fds0, "no descriptor left by the refused calls (%d -> %d)", fds0,
	       pt_count_fds());

	/* accepted: grown struct with a zero tail, a page, another size in the number */
	ret = open_close(fwd_req(40));
	tap_ok(ret >= 0, "FORWARDER: size 40, zero tail: accepted (%ld)", ret);
	ret = open_close(fwd_req((uint32_t)pg));
	tap_ok(ret >= 0, "FORWARDER: size one page, zero tail: accepted (%ld)", ret);
	memset(sbuf, 0, pg);
	((struct emucompat_forwarder *)sbuf)->size = sizeof(*r);
	ret = ioctl(ecfd, _IOC(_IOC_WRITE, EMUCOMPAT_IOC_MAGIC, 0x07, 200), sbuf);
	tap_ok(ret >= 0 && is_forwarder((int)ret),
	       "FORWARDER with another size in the command number: accepted (%ld)", ret);
	if (ret >= 0)
		close((int)ret);

	/* nothing written back: a read-only struct works and is unchanged */
	ro = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	memset(ro, 0x5a, pg);
	memset(ro, 0, sizeof(*r));
	((struct emucompat_forwarder *)ro)->size = sizeof(*r);
	((struct emucompat_forwarder *)ro)->flags = EMUCOMPAT_FORWARDER_CLOEXEC;
	memcpy(copy, ro, sizeof(copy));
	mprotect(ro, pg, PROT_READ);
	ret = open_close(ro);
	tap_ok(ret >= 0 && !memcmp(copy, ro, sizeof(copy)),
	       "FORWARDER: read-only struct accepted (%ld %s), nothing written back", ret,
	       ret < 0 ? strerrorname_np(errno) : "-");
	munmap(ro, pg);
	tap_ok(pt_count_fds() == fds0, "accepted calls closed again: fds %d -> %d", fds0,
	       pt_count_fds());
}

static void check_new_fd(void)
{
	int d, f, g, flags;
	long refs;

	d = dup(0);
	if (d < 0)
		tap_bail("dup: %s", strerror(errno));
	close(d);
	refs = module_refcnt();
	f = pt_fwd_open(ecfd, EMUCOMPAT_FORWARDER_CLOEXEC);
	tap_ok(f == d, "the forwarder is the lowest free descriptor, as open(2) gives (%d, want %d)",
	       f, d);
	tap_ok(f >= 0 && is_forwarder(f), "/proc/self/fd/%d is " FWD_LINK, f);
	tap_ok(cloexec(f) == 1, "EMUCOMPAT_FORWARDER_CLOEXEC: FD_CLOEXEC set (%d)", cloexec(f));
	flags = fcntl(f, F_GETFL);
	tap_ok(flags >= 0 && (flags & O_ACCMODE) == O_RDWR, "the forwarder is O_RDWR (%#x)", flags);
	tap_ok(module_refcnt() == refs + 1, "a forwarder holds one module reference (%ld -> %ld)",
	       refs, module_refcnt());
	g = pt_fwd_open(ecfd, 0);
	tap_ok(g >= 0 && g != f && cloexec(g) == 0,
	       "without the flag: another descriptor (%d), FD_CLOEXEC clear (%d)", g, cloexec(g));
	close(g);
	close(f);
	tap_ok(module_refcnt() == refs, "closed: the module reference is dropped (%ld)",
	       module_refcnt());
	tap_ok(cloexec(pt_ec_fwd(ec)) == 1, "the library's forwarder (%d) is close-on-exec",
	       pt_ec_fwd(ec));
}

/* ---- the same call four ways ---- */

struct eq_case {
	const char *name;
	int fd;
	unsigned int cmd;
	size_t size;		/* bytes at the argument (compared) */
	int fill;
	int use_hole;		/* argument: the PROT_NONE page */
};

static void lib_result(struct emucompat *e, const struct eq_case *c, char *out)
{
	uint32_t arg = c->use_hole ? low_hole : c->size ? pt_u32(low) : 0;
	long r;

	memset(low, c->fill, 2 * pg);
	errno = 0;
	r = emucompat_ioctl32(e, c->fd, c->cmd, arg);
	fmt_result(out, RES_LEN, r, errno, low, c->size);
}

static void raw_result(const struct eq_case *c, char *out)
{
	uint32_t arg = c->use_hole ? low_hole : c->size ? pt_u32(low) : 0;
	long r;

	memset(low, c->fill, 2 * pg);
	errno = 0;
	r = fwd_call(fwd, c->cmd, c->fd, arg);
	fmt_result(out, RES_LEN, r, errno, low, c->size);
}

/* o32_fwd's answer for @c; 0 when it could not run. */
static int o32_result(const struct eq_case *c, int pipe0, char *out)
{
	char arg[128], *nl;

	snprintf(arg, sizeof(arg), "%d,%#x,%zu,%d,%d", c->fd, c->cmd, c->size, c->fill, pipe0);
	if (or_run(o32, "o32_fwd", arg, out, RES_LEN, 20000)) {
		tap_diag("o32_fwd %s: %s", arg, out);
		return 0;
	}
	nl = strchr(out, '\n');
	if (nl)
		*nl = 0;
	return 1;
}

static void check_equivalence(void)
{
	static char a[RES_LEN], b[RES_LEN], c[RES_LEN], d[RES_LEN];
	int m, s, rtc, nul;
	struct winsize ws = { .ws_row = 33, .ws_col = 91 };

	if (openpty(&m, &s, NULL, NULL, &ws))
		tap_bail("openpty: %s", strerror(errno));
	rtc = open("/dev/rtc0", O_RDONLY);
	nul = open("/dev/null", O_RDWR);
	{
		const struct eq_case cases[] = {
			{ "TCGETS on a pty", s, IC32_TCGETS, 64, 0xa5, 0 },
			{ "TIOCGWINSZ on a pty", s, IC32_TIOCGWINSZ, 16, 0x11, 0 },
			{ "RTC_IRQP_READ on /dev/rtc0", rtc, IC32_RTC_IRQP_READ, 8, 0x33, 0 },
			{ "TCGETS on /dev/null (ENOTTY)", nul, IC32_TCGETS, 64, 0x44, 0 },
			{ "TCGETS on a pty into a PROT_NONE page (EFAULT)", s, IC32_TCGETS, 0, 0,
			  1 },
		};

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			const struct eq_case *k = &cases[i];
			int same;

			if (k->fd < 0) {
				tap_skip("no such device here", "%s: four ways agree", k->name);
				continue;
			}
			lib_result(ec, k, a);
			lib_result(ec_req, k, b);
			raw_result(k, c);
			same = !strcmp(a, b) && !strcmp(a, c);
			if (!k->use_hole && have_o32 && o32_result(k, 0, d))
				same = same && !strcmp(a, d);
			else
				d[0] = 0;
			tap_ok(same, "%s: library forwarder, request path, raw forwarder%s agree (%.80s)",
			       k->name, d[0] ? " and a 32-bit process" : "", a);
			if (!same) {
				or_diag_mismatch("[fwd]", a, "[req]", b);
				or_diag_mismatch("[fwd]", a, "raw", c);
				if (d[0])
					or_diag_mismatch("[fwd]", a, "o32", d);
			}
		}
	}
	if (rtc >= 0)
		close(rtc);
	close(nul);
	close(m);
	close(s);
}

/* ---- the target descriptor ---- */

static void check_targets(void)
{
	struct probe_state *st = (void *)low;
	int t, other, x;
	long r;

	x = open("/dev/null", O_RDONLY | O_CLOEXEC);
	close(x);
	pt_errno(fwd_call(fwd, IC32_TCGETS, CLOSED_FD, pt_u32(low)), EBADF,
		 "target 900, not open: EBADF");
	pt_errno(fwd_call(fwd, IC32_TCGETS, -1, pt_u32(low)), EBADF, "target -1: EBADF");
	pt_errno(fwd_call(fwd, IC32_TCGETS, INT_MIN, pt_u32(low)), EBADF, "target INT_MIN: EBADF");
	pt_errno(fwd_call(fwd, IC32_TCGETS, x, pt_u32(low)), EBADF,
		 "target closed just before: EBADF");
	pt_errno(fwd_call(fwd, PROBE_RETURN, CLOSED_FD, 5), EBADF,
		 "PROBE_RETURN to a target that is not open: EBADF, no handler ran");
	pt_errno(fwd_call(fwd, IC32_TCGETS, fwd, pt_u32(low)), ENOTTY,
		 "target: the forwarder itself: ENOTTY");
	pt_errno(fwd_call(fwd, PROBE_RETURN, fwd, 5), ENOTTY,
		 "PROBE_RETURN to the forwarder itself: ENOTTY");
	pt_errno(fwd_call(fwd, EMUCOMPAT_IOC_INFO, ecfd, pt_u32(low)), ENOTTY,
		 "target /dev/emucompat, EMUCOMPAT_IOC_INFO: ENOTTY");
	pt_errno(fwd_call(fwd, EMUCOMPAT_IOC_FORWARDER, ecfd, pt_u32(low)), ENOTTY,
		 "target /dev/emucompat, EMUCOMPAT_IOC_FORWARDER: ENOTTY");
	other = pt_fwd_open(ecfd, EMUCOMPAT_FORWARDER_CLOEXEC);
	pt_errno(fwd_call(fwd, IC32_TCGETS, other, pt_u32(low)), ENOTTY,
		 "target: another forwarder: ENOTTY");
	pt_errno(fwd_call(fwd, PROBE_STATE, other, pt_u32(low)), ENOTTY,
		 "PROBE_STATE to another forwarder: ENOTTY");
	close(other);

	/* the upper half is the descriptor; only the lower reaches the handler */
	r = fwd_call(fwd, PROBE_RETURN, pfd, 0x7fffffff);
	tap_ok(r == 0x7fffffff, "PROBE_RETURN 0x7fffffff: the handler sees the lower half only (%ld)",
	       r);
	r = fwd_call(fwd, PROBE_RETURN, pfd, 4242);
	tap_ok(r == 4242, "PROBE_RETURN 4242 through fd %d in the upper half: %ld", pfd, r);
	memset(st, 0xff, sizeof(*st));
	r = fwd_call(fwd, PROBE_STATE, pfd, pt_u32(st));
	tap_ok(r == 0 && st->in_compat == 1 && st->handler == PROBE_HANDLER_COMPAT,
	       "PROBE_STATE: the low-half pointer is the handler's argument, compat_ioctl ran "
	       "in the window (%ld, in_compat %u handler %u)", r, st->in_compat, st->handler);
	t = open("/dev/null", O_RDWR | O_CLOEXEC);
	pt_errno(fwd_call(fwd, PROBE_STATE, t, pt_u32(st)), ENOTTY,
		 "the same lower half with /dev/null in the upper half: ENOTTY (the upper half picks the file)");
	close(t);
	{
		/* a 64-bit pointer cannot be passed: its upper half is read as a descriptor */
		uint8_t *high = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				     -1, 0);
		int hfd;

		if (high == MAP_FAILED)
			tap_bail("mmap: %s", strerror(errno));
		hfd = (int)((uintptr_t)high >> 32);
		memset(high, 0x77, pg);
		if ((uintptr_t)high < PT_4G || is_open(hfd)) {
			tap_skip("not applicable here", "a pointer above 4 GiB as the argument");
		} else {
			size_t i, bad = 0;

			errno = 0;
			r = ioctl(fwd, PROBE_STATE, (unsigned long)(uintptr_t)high);
			for (i = 0; i < (size_t)pg; i++)
				bad += high[i] != 0x77;
			tap_ok(r == -1 && errno == EBADF && !bad,
			       "PROBE_STATE with a pointer above 4 GiB (%p): its upper half is fd %d, "
			       "EBADF, nothing written (%ld %s, %zu bytes changed)", high, hfd, r,
			       r < 0 ? strerrorname_np(errno) : "-", bad);
		}
		munmap(high, pg);
	}
}

/* ---- the VFS's generic commands ---- */

static void check_generic(void)
{
	struct pt_path paths[2] = { { "fwd", NULL }, { "req", NULL } };
	int t, rf, i, lib_fwd = pt_ec_fwd(ec);
	long r;

	paths[0].ec = ec;
	paths[1].ec = ec_req;
	t = open("/dev/null", O_RDWR);
	if (t < 0)
		tap_bail("open /dev/null: %s", strerror(errno));

	/* raw: the VFS answers them for the forwarder before the module is asked */
	r = fwd_call(fwd_noclo, FIOCLEX, t, 0);
	tap_ok(r == 0 && cloexec(fwd_noclo) == 1 && cloexec(t) == 0,
	       "raw FIOCLEX on a forwarder sets the FORWARDER's close-on-exec (%d), not the "
	       "target's (%d): the library must never send it there (%ld)", cloexec(fwd_noclo),
	       cloexec(t), r);
	r = fwd_call(fwd_noclo, FIONCLEX, t, 0);
	tap_ok(r == 0 && cloexec(fwd_noclo) == 0, "raw FIONCLEX clears the forwarder's again (%d)",
	       cloexec(fwd_noclo));

	/* the library: the target's flag, the forwarder's untouched */
	if (fcntl(lib_fwd, F_SETFD, 0))
		tap_bail("F_SETFD: %s", strerror(errno));
	for (i = 0; i < 2; i++) {
		r = emucompat_ioctl32(paths[i].ec, t, FIOCLEX, 0);
		tap_ok(r == 0 && cloexec(t) == 1 && cloexec(lib_fwd) == 0,
		       "[%s] emucompat_ioctl32(FIOCLEX) sets the target's close-on-exec (%d), not "
		       "the library forwarder's (%d) (%ld)", paths[i].name, cloexec(t),
		       cloexec(lib_fwd), r);
		r = emucompat_ioctl32(paths[i].ec, t, FIONCLEX, 0);
		tap_ok(r == 0 && cloexec(t) == 0, "[%s] emucompat_ioctl32(FIONCLEX) clears it (%d)",
		       paths[i].name, cloexec(t));
	}
	if (fcntl(lib_fwd, F_SETFD, FD_CLOEXEC))
		tap_bail("F_SETFD: %s", strerror(errno));
	close(t);

	/* "issue natively" commands: EOPNOTSUPP raw, the real answer through the library */
	rf = open("/tmp/t_forwarder.file", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (rf < 0 || write(rf, "0123456789", 10) != 10)
		tap_bail("/tmp/t_forwarder.file: %s", strerror(errno));
	{
		const struct eq_case cases[] = {
			{ "FIBMAP", rf, IC32_FIBMAP, 4, 0, 0 },
			{ "FS_IOC_FSGETXATTR", rf, IC32_FS_IOC_FSGETXATTR, 28, 0x5c, 0 },
		};
		static char a[RES_LEN], b[RES_LEN], d[RES_LEN];

		for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
			const struct eq_case *c = &cases[k];
			int same;

			memset(low, c->fill, 2 * pg);
			pt_errno(fwd_call(fwd, c->cmd, rf, pt_u32(low)), EOPNOTSUPP,
				 c->cmd == IC32_FIBMAP ?
				 "raw FIBMAP to a regular file through the forwarder: EOPNOTSUPP" :
				 "raw FS_IOC_FSGETXATTR to a regular file through the forwarder: "
				 "EOPNOTSUPP");
			lib_result(ec, c, a);
			lib_result(ec_req, c, b);
			same = !strcmp(a, b);
			if (have_o32 && o32_result(c, 0, d))
				same = same && !strcmp(a, d);
			else
				d[0] = 0;
			tap_ok(same, "%s on a regular file: emucompat_ioctl32 [fwd] = [req]%s (%.80s)",
			       c->name, d[0] ? " = a 32-bit process" : "", a);
			if (!same) {
				or_diag_mismatch("[fwd]", a, "[req]", b);
				if (d[0])
					or_diag_mismatch("[fwd]", a, "o32", d);
			}
		}
	}
	close(rf);
	unlink("/tmp/t_forwarder.file");
}

/*
 * FIONREAD reaches a forwarder's own ioctl handler (the VFS passes it on
 * for files that are not regular), so a FIONREAD forwarded TO a forwarder
 * must still end in ENOTTY, not be forwarded on to descriptor 0 (the
 * upper half of a 32-bit argument).  Run in a child whose descriptor 0 is
 * a pipe holding 3 bytes, so that a forward to it shows.
 */
static void check_fionread_to_forwarder(void)
{
	int res[2];
	pid_t pid;

	pid = pt_fork_child(res);
	if (pid == 0) {
		int out[8], p[2], other, mine, *n = (int *)low;

		memset(out, 0, sizeof(out));
		if (pipe(p) || write(p[1], "abc", 3) != 3 || dup2(p[0], 0) < 0)
			_exit(3);
		/* the parent's forwarder is EPERM here: one of our own */
		mine = pt_fwd_open(ecfd, EMUCOMPAT_FORWARDER_CLOEXEC);
		other = pt_fwd_open(ecfd, EMUCOMPAT_FORWARDER_CLOEXEC);
		*n = -1;
		errno = 0;
		out[0] = (int)fwd_call(mine, IC32_FIONREAD, other, pt_u32(n));
		out[1] = errno;
		out[2] = *n;
		*n = -1;
		errno = 0;
		out[3] = (int)emucompat_ioctl32(ec_req, other, IC32_FIONREAD, pt_u32(n));
		out[4] = errno;
		out[5] = *n;
		*n = -1;
		out[6] = ioctl(0, FIONREAD, n);
		out[7] = *n;
		pt_child_exit(res[1], out, sizeof(out));
	}
	{
		int out[8];

		if (!child_result(res, pid, out, sizeof(out))) {
			tap_ok(0, "FIONREAD child died");
			return;
		}
		tap_ok(out[6] == 0 && out[7] == 3, "child's descriptor 0 holds 3 bytes (FIONREAD %d)",
		       out[7]);
		tap_ok(out[0] == -1 && out[1] == ENOTTY,
		       "raw FIONREAD forwarded to another forwarder: ENOTTY (got %d %s, count %d: "
		       "forwarded on to descriptor 0)", out[0], out[0] < 0 ?
		       strerrorname_np(out[1]) : "-", out[2]);
		tap_ok(out[3] == -1 && out[4] == ENOTTY,
		       "[req] emucompat_ioctl32(FIONREAD) on a forwarder: ENOTTY (got %d %s, count %d)",
		       out[3], out[3] < 0 ? strerrorname_np(out[4]) : "-", out[5]);
	}
}

/* A forwarder at descriptor 0 forwarding FIONREAD to 0 (see the top). */
static void check_recursion(void)
{
	int res[2], out[2] = { 0, 0 };
	pid_t pid;

	pid = pt_fork_child(res);
	if (pid == 0) {
		int *n = (int *)low, mine;

		/* a forwarder of this process (the parent's is EPERM here) */
		mine = pt_fwd_open(ecfd, EMUCOMPAT_FORWARDER_CLOEXEC);
		if (mine < 0 || dup2(mine, 0) < 0)
			_exit(3);
		errno = 0;
		out[0] = (int)fwd_call(0, IC32_FIONREAD, 0, pt_u32(n));
		out[1] = errno;
		pt_child_exit(res[1], out, sizeof(out));
	}
	if (!child_result(res, pid, out, sizeof(out)))
		out[0] = -2;
	tap_ok(out[0] == -1 && out[1] == ENOTTY,
	       "FIONREAD through a forwarder at descriptor 0 to descriptor 0: ENOTTY (%d %s)",
	       out[0], out[0] == -1 ? strerrorname_np(out[1]) : "-");
}

/* ---- fork, exec, SCM_RIGHTS, a 32-bit caller ---- */

static void check_fork(void)
{
	int res[2], m, s, out[8];
	struct termios *t = (void *)low;
	pid_t pid;

	if (openpty(&m, &s, NULL, NULL, NULL))
		tap_bail("openpty: %s", strerror(errno));
	close(FORK_FD);
	pid = pt_fork_child(res);
	if (pid == 0) {
		/* one the child opens (before s is closed: not at its number) */
		int cm, cs, mine = pt_fwd_open(ecfd, EMUCOMPAT_FORWARDER_CLOEXEC);

		close(s);	/* open in the parent only from here on */
		errno = 0;
		out[2] = (int)fwd_call(mine, IC32_TCGETS, s, pt_u32(t));
		out[3] = errno;
		if (openpty(&cm, &cs, NULL, NULL, NULL) || dup2(cs, FORK_FD) < 0)
			_exit(3);
		/* the parent's forwarder: not the child's */
		errno = 0;
		out[0] = (int)fwd_call(fwd, IC32_TCGETS, FORK_FD, pt_u32(t));
		out[1] = errno;
		/* the child's own: its own descriptors */
		errno = 0;
		out[4] = (int)fwd_call(mine, IC32_TCGETS, FORK_FD, pt_u32(t));
		out[5] = errno;
		pt_child_exit(res[1], out, sizeof(out));
	}
	if (!child_result(res, pid, out, sizeof(out))) {
		tap_ok(0, "fork child died");
		return;
	}
	tap_ok(out[0] == -1 && out[1] == EPERM,
	       "fork: the parent's forwarder is EPERM in the child, even for the child's own fd %d "
	       "(%d %s)", FORK_FD, out[0], out[0] < 0 ? strerrorname_np(out[1]) : "-");
	tap_ok(out[4] == 0, "fork: a forwarder the child opens forwards to the child's fd %d "
	       "(TCGETS %d %s)", FORK_FD, out[4], out[4] < 0 ? strerrorname_np(out[5]) : "-");
	tap_ok(out[2] == -1 && out[3] == EBADF,
	       "fork: a descriptor the child closed (open in the parent) is EBADF in the child (%d %s)",
	       out[2], out[2] < 0 ? strerrorname_np(out[3]) : "-");
	tap_ok(fwd_call(fwd, IC32_TCGETS, s, pt_u32(t)) == 0,
	       "fork: the parent's fd %d still forwards in the parent", s);
	pt_errno(fwd_call(fwd, IC32_TCGETS, FORK_FD, pt_u32(t)), EBADF,
		 "fork: the child's fd 77 is EBADF in the parent");
	close(m);
	close(s);
}

/* The exec'd image: argv "--exec-child CLOEXEC_FWD PLAIN_FWD DEVFD RESFD". */
static int exec_child(char **argv)
{
	int fc = atoi(argv[2]), fn = atoi(argv[3]), dev = atoi(argv[4]), wfd = atoi(argv[5]);
	int out[7], p;

	memset(out, 0, sizeof(out));
	/* before anything opens a descriptor that could take these numbers */
	out[0] = !is_open(fc);
	out[1] = is_forwarder(fn);
	errno = 0;
	out[5] = (int)fwd_call(fn, IC32_TCGETS, dev, 0);	/* closed by exec */
	out[6] = errno;
	p = open(PROBE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	errno = 0;
	out[2] = p < 0 ? -2 : (int)fwd_call(fn, PROBE_RETURN, p, 4242);
	out[3] = errno;
	out[4] = 1;
	return write(wfd, out, sizeof(out)) == (ssize_t)sizeof(out) ? 0 : 1;
}

static void check_exec(void)
{
	int res[2], fc, fn, out[7];
	char a[4][16];
	pid_t pid;

	fc = pt_fwd_open(ecfd, EMUCOMPAT_FORWARDER_CLOEXEC);
	fn = pt_fwd_open(ecfd, 0);
	if (fc < 0 || fn < 0 || pipe(res))
		tap_bail("exec set-up: %s", strerror(errno));
	snprintf(a[0], sizeof(a[0]), "%d", fc);
	snprintf(a[1], sizeof(a[1]), "%d", fn);
	snprintf(a[2], sizeof(a[2]), "%d", ecfd);	/* O_CLOEXEC */
	snprintf(a[3], sizeof(a[3]), "%d", res[1]);
	tap_flush();
	pid = fork();
	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (pid == 0) {
		char *const argv[] = { "t_forwarder", "--exec-child", a[0], a[1], a[2], a[3], NULL };

		close(res[0]);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	memset(out, 0, sizeof(out));
	if (!child_result(res, pid, out, sizeof(out)) || !out[4]) {
		tap_ok(0, "exec'd child reported nothing");
	} else {
		tap_ok(out[0], "exec: the CLOEXEC forwarder (fd %d) is gone in the new image", fc);
		tap_ok(out[1], "exec: the forwarder without CLOEXEC (fd %d) is still one there", fn);
		tap_ok(out[2] == -1 && out[3] == EPERM,
		       "exec: the new image is another address space: EPERM (PROBE_RETURN %d %s)",
		       out[2], out[2] < 0 ? strerrorname_np(out[3]) : "-");
		tap_ok(out[5] == -1 && out[6] == EPERM,
		       "exec: to a descriptor closed by exec (/dev/emucompat, fd %d) EPERM too (%d %s)",
		       ecfd, out[5], out[5] < 0 ? strerrorname_np(out[6]) : "-");
	}
	close(fc);
	close(fn);
}

static void check_scm_rights(void)
{
	struct termios *t = (void *)low;
	int sv[2], res[2], m, s, out[6], fn, after;
	pid_t pid;

	/* the receiver gets no forwarder by inheritance: it is opened after the fork */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		tap_bail("socketpair: %s", strerror(errno));
	close(SENDER_FD);
	pid = pt_fork_child(res);
	if (pid == 0) {
		int rfd, cm, cs;

		memset(out, 0, sizeof(out));
		close(sv[0]);
		rfd = pt_recv_fd(sv[1]);
		out[0] = rfd >= 0 && is_forwarder(rfd);
		if (openpty(&cm, &cs, NULL, NULL, NULL) || dup2(cs, RECV_FD) < 0)
			_exit(3);
		errno = 0;
		out[1] = (int)fwd_call(rfd, IC32_TCGETS, SENDER_FD, pt_u32(t));
		out[2] = errno;
		errno = 0;
		out[3] = (int)fwd_call(rfd, IC32_TCGETS, RECV_FD, pt_u32(t));
		out[4] = errno;
		out[5] = is_open(SENDER_FD);
		pt_child_exit(res[1], out, sizeof(out));
	}
	close(sv[1]);
	fn = pt_fwd_open(ecfd, EMUCOMPAT_FORWARDER_CLOEXEC);
	if (fn < 0 || openpty(&m, &s, NULL, NULL, NULL) || dup2(s, SENDER_FD) < 0)
		tap_bail("SCM_RIGHTS set-up: %s", strerror(errno));
	tap_ok(fwd_call(fn, IC32_TCGETS, SENDER_FD, pt_u32(t)) == 0,
	       "SCM_RIGHTS: in the sender, fd %d forwards (control)", SENDER_FD);
	if (pt_send_fd(sv[0], fn))
		tap_bail("sendmsg: %s", strerror(errno));
	if (!child_result(res, pid, out, sizeof(out))) {
		tap_ok(0, "SCM_RIGHTS receiver died");
	} else {
		tap_ok(out[0], "SCM_RIGHTS: the receiver got a forwarder");
		tap_ok(out[5] == 0 && out[1] == -1 && out[2] == EPERM,
		       "SCM_RIGHTS: the sender's fd %d (not open in the receiver) is EPERM there, "
		       "never the sender's (%d %s)", SENDER_FD, out[1],
		       out[1] < 0 ? strerrorname_np(out[2]) : "-");
		tap_ok(out[3] == -1 && out[4] == EPERM,
		       "SCM_RIGHTS: the receiver's own fd %d is EPERM too: the forwarder is the "
		       "sender's (%d %s)", RECV_FD, out[3], out[3] < 0 ? strerrorname_np(out[4]) : "-");
		after = (int)fwd_call(fn, IC32_TCGETS, SENDER_FD, pt_u32(t));
		tap_ok(after == 0, "SCM_RIGHTS: in the sender, fd %d still forwards after the send "
		       "(%d)", SENDER_FD, after);
	}
	close(sv[0]);
	close(fn);
	close(SENDER_FD);
	close(m);
	close(s);
}

static void check_32bit_caller(void)
{
	static char out[RES_LEN], want[RES_LEN];
	struct eq_case c = { "TCGETS", fwd_noclo, IC32_TCGETS, 64, 0xa5, 0 };

	if (!have_o32) {
		tap_skip("no o32_fwd", "a 32-bit process on a forwarder: ENOTTY");
		tap_skip("no o32_fwd", "a 32-bit process's FIONREAD on a forwarder: ENOTTY");
		return;
	}
	memset(low, c.fill, c.size);
	fmt_result(want, sizeof(want), -1, ENOTTY, low, c.size);
	if (!o32_result(&c, 0, out))
		snprintf(out, sizeof(out), "(o32_fwd failed)");
	tap_ok(!strcmp(out, want), "a 32-bit process's TCGETS on a forwarder: ENOTTY, nothing "
	       "written (%.60s)", out);
	/*
	 * FIONREAD is the VFS's: it reaches the forwarder's handler even from
	 * a 32-bit caller, which must not forward it (to its descriptor 0).
	 */
	c.cmd = IC32_FIONREAD;
	c.size = 4;
	c.fill = 0;
	memset(low, c.fill, c.size);
	fmt_result(want, sizeof(want), -1, ENOTTY, low, c.size);
	if (!o32_result(&c, 1, out))
		snprintf(out, sizeof(out), "(o32_fwd failed)");
	tap_ok(!strcmp(out, want),
	       "a 32-bit process's FIONREAD on a forwarder (its fd 0 a pipe holding 3 bytes): "
	       "ENOTTY (%.60s)", out);
}

/*
 * Threads share the file table, where the forwarder's lookup of the target
 * must take a reference (fdget()): one thread forwards TCGETS to a number
 * another keeps closing and reopening.  Every result is 0 or EBADF.
 */
#define RACE_FD		81
#define RACE_MAX	200000	/* forwards at most; 3 s at most */

static int race_src, race_stop;
static unsigned long race_cycles;

static void *race_closer(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&race_stop, __ATOMIC_SEQ_CST)) {
		close(RACE_FD);
		dup2(race_src, RACE_FD);
		__atomic_add_fetch(&race_cycles, 1, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static void check_threads(void)
{
	struct termios *t = (void *)low;
	int m, i, ok = 0, badf = 0, other = 0, last_err = 0;
	struct timespec t0, t1;
	pthread_t th;
	long r;

	if (openpty(&m, &race_src, NULL, NULL, NULL))
		tap_bail("openpty: %s", strerror(errno));
	race_stop = 0;
	race_cycles = 0;
	if (pthread_create(&th, NULL, race_closer, NULL))
		tap_bail("pthread_create");
	while (__atomic_load_n(&race_cycles, __ATOMIC_SEQ_CST) < 10)
		sched_yield();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < RACE_MAX; i++) {
		errno = 0;
		r = fwd_call(fwd, IC32_TCGETS, RACE_FD, pt_u32(t));
		if (r == 0)
			ok++;
		else if (r == -1 && errno == EBADF)
			badf++;
		else {
			other++;
			last_err = errno;
		}
		if (i % 256 == 255) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if ((ok >= 100 && badf >= 100) || t1.tv_sec - t0.tv_sec >= 3)
				break;
		}
	}
	__atomic_store_n(&race_stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(th, NULL);
	close(RACE_FD);
	close(race_src);
	close(m);
	tap_ok(other == 0, "%d forwards to a number another thread closes and reopens (%lu times): "
	       "%d ok, %d EBADF, %d other (last %s)", ok + badf + other, race_cycles, ok, badf,
	       other, other ? strerrorname_np(last_err) : "-");
	tap_ok(ok > 0 && badf > 0, "the race was exercised: the target seen open and closed");
}

/* ---- module reference, rmmod, leaks ---- */

static void check_unload(long base, int fds0)
{
	int last;
	long r, refs;

	last = pt_fwd_open(ecfd, EMUCOMPAT_FORWARDER_CLOEXEC);
	if (last < 0)
		tap_bail("EMUCOMPAT_IOC_FORWARDER: %s", strerror(errno));
	emucompat_close(ec);
	emucompat_close(ec_req);
	close(ecfd);
	close(fwd);
	close(fwd_noclo);
	refs = module_refcnt();
	tap_ok(refs == base + 1, "only a forwarder open: module refcount %ld (want %ld)", refs,
	       base + 1);
	if (base != 0) {
		tap_skip("the module is in use elsewhere", "rmmod refused while only a forwarder is open");
	} else {
		errno = 0;
		r = syscall(SYS_delete_module, "emucompat", O_NONBLOCK);
		tap_ok(r == -1 && (errno == EWOULDBLOCK || errno == EBUSY),
		       "rmmod emucompat refused while only a forwarder is open (%s)",
		       r ? strerrorname_np(errno) : "it was unloaded!");
	}
	tap_ok(fwd_call(last, PROBE_RETURN, pfd, 7) == 7,
	       "the last forwarder still forwards with /dev/emucompat closed");
	close(last);
	refs = module_refcnt();
	tap_ok(refs == base, "all closed: module refcount back to %ld (%ld)", base, refs);
	tap_ok(pt_count_fds() == fds0, "no descriptor leaked: %d open (the probe's included) at the "
	       "start, %d at the end", fds0, pt_count_fds());
}

int main(int argc, char **argv)
{
	long base;
	int fds0;

	if (argc == 6 && !strcmp(argv[1], "--exec-child"))
		return exec_child(argv);

	pg = sysconf(_SC_PAGESIZE);
	fds0 = pt_count_fds();
	base = module_refcnt();
	ec = pt_open_ec(&info);
	pfd = pt_open_probe();
	ecfd = open("/dev/" EMUCOMPAT_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (ecfd < 0)
		tap_bail("open /dev/emucompat: %s", strerror(errno));
	if (!(info.caps & EMUCOMPAT_CAP_FORWARDER)) {
		lx_absent("cap", "FORWARDER", "the module reports no EMUCOMPAT_CAP_FORWARDER");
		errno = 0;
		pt_errno(pt_fwd_open(ecfd, EMUCOMPAT_FORWARDER_CLOEXEC), EOPNOTSUPP,
			 "no EMUCOMPAT_CAP_FORWARDER: EMUCOMPAT_IOC_FORWARDER is EOPNOTSUPP");
		tap_ok(pt_ec_fwd(ec) < 0, "no EMUCOMPAT_CAP_FORWARDER: the library has none");
		close(ecfd);
		emucompat_close(ec);
		return tap_done();
	}
	if (info.flags & EMUCOMPAT_INFO_FWD_SECCOMP_REFUSED)
		tap_skip_all("running under seccomp with allow_seccomp_fwd=0");

	ec_req = emucompat_open();
	if (!ec_req)
		tap_bail("emucompat_open: %s", strerror(errno));
	pt_use_request_path(ec_req);
	fwd = pt_fwd_open(ecfd, EMUCOMPAT_FORWARDER_CLOEXEC);
	fwd_noclo = pt_fwd_open(ecfd, 0);
	if (fwd < 0 || fwd_noclo < 0)
		tap_bail("EMUCOMPAT_IOC_FORWARDER: %s", strerror(errno));
	low = pt_low_map(ec, 2 * pg);
	low_hole = pt_low_hole(ec);
	sbuf = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sbuf == MAP_FAILED || mprotect(sbuf + pg, pg, PROT_NONE))
		tap_bail("mmap: %s", strerror(errno));
	or_find(argv[0], "o32_fwd", o32, sizeof(o32));
	have_o32 = access(o32, X_OK) == 0;
	if (!have_o32)
		tap_diag("%s: not found, the 32-bit comparisons skip", o32);
	tap_ok(module_refcnt() == base + 6,
	       "module refcount +6: two library handles' devices, one's forwarder, our device and "
	       "two forwarders (%ld -> %ld)", base, module_refcnt());
	{
		struct pt_path p[2] = { { "fwd", ec }, { "req", ec_req } };

		pt_check_path(&p[0], pfd, PROBE_RETURN, 1);
		pt_check_path(&p[1], pfd, PROBE_RETURN, 1);
	}

	check_struct();
	check_new_fd();
	check_equivalence();
	check_targets();
	check_generic();
	check_fionread_to_forwarder();
	check_recursion();
	check_fork();
	check_exec();
	check_scm_rights();
	check_32bit_caller();
	check_threads();

	munmap(sbuf, 2 * pg);
	check_unload(base, fds0 + 1 /* the probe */);
	close(pfd);
	return tap_done();
}
