// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_sec_deputy - a forwarder acts only for the address space that opened
 * it, so it cannot make another process a confused deputy.
 *
 * Any ioctl() on a forwarder is a forward: the upper half of the argument
 * picks a descriptor of the caller, the command runs on it as a compat
 * ioctl.  A process handed a forwarder as what it believes is an ordinary
 * descriptor would run its own command on one of its own descriptors:
 * descriptor 0 for an integer argument.  Two processes:
 *
 *   - the sender, uid 65534, opens a forwarder and shows it works for
 *     itself (TCFLSH forwarded to its own pty empties that pty's input);
 *   - the receiver, root, whose descriptor 0 is a pty holding 3 unread
 *     bytes, gets the forwarder with SCM_RIGHTS and calls
 *     ioctl(fd, TCFLSH, TCIFLUSH) on it, as on a terminal it was given:
 *     EPERM, and its own terminal keeps its 3 bytes.
 *
 * Inheritance: a fork() child calling the parent's forwarder gets EPERM,
 * as does the probe ioctl(fwd, 0, EMUCOMPAT_FWD_ARG(-1, 0)) that tells an
 * owner (EBADF) from anyone else; the library in that child opens its
 * own forwarder at the same number, transparently (TCGETS works, the
 * probe is EBADF there afterwards), and the parent's is untouched.
 * Threads of the owner share its address space and forward.
 *
 * On a kernel without EMUCOMPAT_CAP_FORWARDER (5.10) only that is checked.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "probe_util.h"

static struct emucompat *ec;
static struct emucompat_info info;
static int ecfd;

/* A pty in raw mode whose slave holds @n unread bytes; the slave, or -1. */
static int pty_with_input(int *master, int n)
{
	struct termios raw;
	int s;

	if (openpty(master, &s, NULL, NULL, NULL))
		return -1;
	cfmakeraw(&raw);
	tcsetattr(s, TCSANOW, &raw);
	if (write(*master, "xyzxyzxyz", (size_t)n) != n)
		return -1;
	for (int i = 0; i < 100; i++) {	/* the bytes reach the slave's queue */
		int q = 0;

		if (!ioctl(s, FIONREAD, &q) && q == n)
			break;
		pt_msleep(10);
	}
	return s;
}

static int queued(int fd)
{
	int q = -1;

	return ioctl(fd, FIONREAD, &q) ? -1 : q;
}

struct sender_out {
	int ok, own_ret, own_err, own_left;
};

struct receiver_out {
	int ok, is_fwd, before, ret, err, after;
};

static void check_scm_deputy(void)
{
	int sv[2], sres[2], rres[2];
	struct sender_out so;
	struct receiver_out ro;
	pid_t sp, rp;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		tap_bail("socketpair: %s", strerror(errno));
	memset(&so, 0, sizeof(so));
	memset(&ro, 0, sizeof(ro));

	rp = pt_fork_child(rres);
	if (rp == 0) {
		/* the privileged receiver: root, its terminal at descriptor 0 */
		char link[64];
		int m, s, rfd;

		close(sv[0]);
		s = pty_with_input(&m, 3);
		if (s < 0 || dup2(s, 0) != 0)
			pt_child_exit(rres[1], &ro, sizeof(ro));
		ro.before = queued(0);
		rfd = pt_recv_fd(sv[1]);
		snprintf(link, sizeof(link), "/proc/self/fd/%d", rfd);
		{
			char buf[128];
			ssize_t n = readlink(link, buf, sizeof(buf) - 1);

			buf[n > 0 ? n : 0] = 0;
			ro.is_fwd = !strcmp(buf, "anon_inode:[emucompat-fwd]");
		}
		/* "flush the input of the terminal I was given" */
		errno = 0;
		ro.ret = ioctl(rfd, TCFLSH, TCIFLUSH);
		ro.err = errno;
		ro.after = queued(0);
		ro.ok = 1;
		pt_child_exit(rres[1], &ro, sizeof(ro));
	}
	sp = pt_fork_child(sres);
	if (sp == 0) {
		/* the unprivileged sender */
		int m, s, fwd, dev;

		close(sv[1]);
		if (setgid(65534) || setuid(65534))
			pt_child_exit(sres[1], &so, sizeof(so));
		dev = open("/dev/" EMUCOMPAT_DEVICE_NAME, O_RDWR | O_CLOEXEC);
		fwd = dev < 0 ? -1 : pt_fwd_open(dev, EMUCOMPAT_FORWARDER_CLOEXEC);
		s = pty_with_input(&m, 3);
		if (fwd < 0 || s < 0)
			pt_child_exit(sres[1], &so, sizeof(so));
		errno = 0;
		so.own_ret = ioctl(fwd, TCFLSH, EMUCOMPAT_FWD_ARG(s, TCIFLUSH));
		so.own_err = errno;
		so.own_left = queued(s);
		so.ok = pt_send_fd(sv[0], fwd) == 0;
		pt_child_exit(sres[1], &so, sizeof(so));
	}
	close(sv[0]);
	close(sv[1]);
	if (!pt_child_result(sres[0], sp, &so, sizeof(so)) || !so.ok) {
		tap_ok(0, "sender (uid 65534) set up and sent its forwarder");
		kill(rp, SIGKILL);
		waitpid(rp, NULL, 0);
		return;
	}
	tap_ok(so.own_ret == 0 && so.own_left == 0,
	       "sender: TCFLSH forwarded to its own pty empties its input (%d %s, %d left)",
	       so.own_ret, so.own_ret < 0 ? strerrorname_np(so.own_err) : "-", so.own_left);
	if (!pt_child_result(rres[0], rp, &ro, sizeof(ro)) || !ro.ok) {
		tap_ok(0, "receiver ran");
		return;
	}
	tap_ok(ro.is_fwd && ro.before == 3, "receiver (root) got the forwarder; its terminal at "
	       "descriptor 0 holds %d bytes", ro.before);
	tap_ok(ro.ret == -1 && ro.err == EPERM,
	       "receiver's ioctl(received, TCFLSH, TCIFLUSH) is EPERM, not a forward to its own "
	       "descriptor 0 (%d %s)", ro.ret, ro.ret < 0 ? strerrorname_np(ro.err) : "-");
	tap_ok(ro.after == 3, "the receiver's terminal keeps its 3 bytes (%d)", ro.after);
}

struct fork_out {
	int raw_ret, raw_err, probe_ret, probe_err, lib_ret, lib_err, same_num, probe2_err;
	int raw2_ret;
};

static void check_fork(void)
{
	struct termios *t = pt_low_map(ec, 4096);
	int res[2], m, s, fwd = pt_ec_fwd(ec);
	struct fork_out o;
	pid_t pid;
	long r;

	if (openpty(&m, &s, NULL, NULL, NULL))
		tap_bail("openpty: %s", strerror(errno));
	memset(&o, 0, sizeof(o));
	errno = 0;
	r = ioctl(fwd, 0, EMUCOMPAT_FWD_ARG(-1, 0));
	tap_ok(r == -1 && errno == EBADF, "owner: the probe ioctl(fwd, 0, FWD_ARG(-1, 0)) is EBADF "
	       "(%ld %s)", r, r < 0 ? strerrorname_np(errno) : "-");
	pid = pt_fork_child(res);
	if (pid == 0) {
		errno = 0;
		o.raw_ret = ioctl(fwd, TCGETS, EMUCOMPAT_FWD_ARG(s, pt_u32(t)));
		o.raw_err = errno;
		errno = 0;
		o.probe_ret = ioctl(fwd, 0, EMUCOMPAT_FWD_ARG(-1, 0));
		o.probe_err = errno;
		errno = 0;
		o.lib_ret = (int)emucompat_ioctl32(ec, s, TCGETS, pt_u32(t));
		o.lib_err = errno;
		o.same_num = pt_ec_fwd(ec) == fwd;
		errno = 0;
		ioctl(fwd, 0, EMUCOMPAT_FWD_ARG(-1, 0));
		o.probe2_err = errno;
		o.raw2_ret = ioctl(fwd, TCGETS, EMUCOMPAT_FWD_ARG(s, pt_u32(t)));
		pt_child_exit(res[1], &o, sizeof(o));
	}
	if (!pt_child_result(res[0], pid, &o, sizeof(o))) {
		tap_ok(0, "fork child ran");
		return;
	}
	tap_ok(o.raw_ret == -1 && o.raw_err == EPERM,
	       "fork child: the inherited forwarder is EPERM (%d %s)", o.raw_ret,
	       o.raw_ret < 0 ? strerrorname_np(o.raw_err) : "-");
	tap_ok(o.probe_ret == -1 && o.probe_err == EPERM,
	       "fork child: the probe is EPERM there (%d %s)", o.probe_ret,
	       o.probe_ret < 0 ? strerrorname_np(o.probe_err) : "-");
	tap_ok(o.lib_ret == 0, "fork child: emucompat_ioctl32(TCGETS) works, the library opened its "
	       "own forwarder (%d %s)", o.lib_ret, o.lib_ret < 0 ? strerrorname_np(o.lib_err) : "-");
	tap_ok(o.same_num && o.probe2_err == EBADF && o.raw2_ret == 0,
	       "fork child: at the same number (%d), owned by the child now (probe %s, raw TCGETS %d)",
	       fwd, strerrorname_np(o.probe2_err), o.raw2_ret);
	r = ioctl(fwd, TCGETS, EMUCOMPAT_FWD_ARG(s, pt_u32(t)));
	tap_ok(r == 0, "parent: its forwarder still forwards (%ld %s)", r,
	       r < 0 ? strerrorname_np(errno) : "-");
	close(m);
	close(s);
}

static int th_fwd, th_fd, th_ret, th_err;
static struct termios *th_t;

static void *thread_fn(void *arg)
{
	(void)arg;
	errno = 0;
	th_ret = ioctl(th_fwd, TCGETS, EMUCOMPAT_FWD_ARG(th_fd, pt_u32(th_t)));
	th_err = errno;
	return NULL;
}

static void check_thread(void)
{
	pthread_t th;
	int m;

	th_t = pt_low_map(ec, 4096);
	th_fwd = pt_ec_fwd(ec);
	if (openpty(&m, &th_fd, NULL, NULL, NULL) || pthread_create(&th, NULL, thread_fn, NULL))
		tap_bail("thread set-up: %s", strerror(errno));
	pthread_join(th, NULL);
	tap_ok(th_ret == 0, "another thread of the owner forwards (%d %s)", th_ret,
	       th_ret < 0 ? strerrorname_np(th_err) : "-");
	close(m);
	close(th_fd);
}

int main(void)
{
	ec = pt_open_ec(&info);
	ecfd = open("/dev/" EMUCOMPAT_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (ecfd < 0)
		tap_bail("open: %s", strerror(errno));
	if (!(info.caps & EMUCOMPAT_CAP_FORWARDER)) {
		pt_errno(pt_fwd_open(ecfd, EMUCOMPAT_FORWARDER_CLOEXEC), EOPNOTSUPP,
			 "no EMUCOMPAT_CAP_FORWARDER: no forwarder to hand to anyone (EOPNOTSUPP)");
		close(ecfd);
		emucompat_close(ec);
		return tap_done();
	}
	if (info.flags & EMUCOMPAT_INFO_FWD_SECCOMP_REFUSED)
		tap_skip_all("running under seccomp with allow_seccomp_fwd=0");
	check_scm_deputy();
	check_fork();
	check_thread();
	close(ecfd);
	emucompat_close(ec);
	return tap_done();
}
