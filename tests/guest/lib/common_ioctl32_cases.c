// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * common_ioctl32_cases.c - the cases of the differential ioctl test.
 *
 * This file is compiled into the 32-bit oracle and into the 64-bit tests;
 * the very same code runs on both sides and differs only in ic_ioctl32()
 * (see common_ioctl32.h).  Rules for a case:
 *   - act on the objects at IC_FD(...), prepared by the 64-bit test;
 *   - first bring them to a known state with ordinary calls (each process
 *     uses its own native ABI for that: the state reached is the same);
 *   - issue the ioctl(s) under test only through ic_do()/ic_ioctl32(),
 *     with 32-bit layouts in ic_out() memory;
 *   - record results, output bytes (with the guard after them) and any
 *     secondary state; never record something that legitimately differs
 *     between the two processes (addresses, pids, fd numbers) -- record
 *     its relation to a value of the same process instead, and say why;
 *   - leave shared objects usable for the next case.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/input.h>
#include <linux/loop.h>
#include <linux/msdos_fs.h>
#include <linux/rtc.h>
#include <linux/uinput.h>

#include "common_ioctl32.h"

#define FD(res) IC_FD(IC_RES_##res)

/* ------------------------------------------------------------------ */
/* helpers                                                             */
/* ------------------------------------------------------------------ */

/* Can this process read the byte at addr?  (write(2) from it to a pipe) */
static int ic_readable(uint32_t addr)
{
	int p[2], ok;

	if (pipe2(p, O_CLOEXEC))
		return 1;
	ok = write(p[1], (const void *)(uintptr_t)addr, 1) == 1 || errno != EFAULT;
	close(p[0]);
	close(p[1]);
	return ok;
}

/*
 * A bad-address case needs the address inaccessible in both processes;
 * in the 64-bit one something (the library's pivot stack, say) may live
 * there.
 */
static int need_unmapped(struct ic_rec *r, uint32_t addr)
{
	if (ic_readable(addr)) {
		r->skip = "the test address is accessible in this process";
		return 0;
	}
	return 1;
}

static void rec_fl(struct ic_rec *r, const char *label, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		ic_rec_add(r, "%s=-1:%s", label, ic_errname(errno));
	else
		ic_rec_add(r, "%s=0x%x", label, (unsigned int)fl);
}

static void rec_fd(struct ic_rec *r, const char *label, int fd)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0)
		ic_rec_add(r, "%s=-1:%s", label, ic_errname(errno));
	else
		ic_rec_add(r, "%s=0x%x", label, (unsigned int)fl);
}

static void set_fl(int fd, int set, int clear)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, (fl & ~clear) | set);
}

static uint32_t out_int(int32_t v)
{
	uint32_t a = ic_out(4);

	memcpy(ic_ptr(a), &v, 4);
	return a;
}

static uint32_t out_copy(const void *p, size_t n)
{
	uint32_t a = ic_out(n);

	memcpy(ic_ptr(a), p, n);
	return a;
}

/*
 * The struct (initialised from @in, or IC_FILL) ends at an inaccessible
 * page: a handler using the larger 64-bit layout faults instead of
 * silently reading or writing past the 32-bit struct.
 */
static uint32_t edge_do(struct ic_rec *r, int fd, uint32_t cmd, const void *in, size_t n)
{
	uint32_t a = ic_out_edge(n);

	if (in)
		memcpy(ic_ptr(a), in, n);
	ic_do(r, "ret", fd, cmd, a);
	ic_rec_hex(r, "out", ic_ptr(a), n);
	return a;
}

/* ------------------------------------------------------------------ */
/* tty                                                                 */
/* ------------------------------------------------------------------ */

/*
 * The asm-generic termbits values (x86 and ARM, both ABIs).  The known
 * state is the kernel's tty_std_termios without HUPCL.
 */
#define T_ICRNL		0000400
#define T_IXON		0002000
#define T_IGNBRK	0000001
#define T_OPOST		0000001
#define T_ONLCR		0000004
#define T_B38400	0000017
#define T_B9600		0000015
#define T_CS7		0000040
#define T_CS8		0000060
#define T_CREAD		0000200
#define T_PARENB	0000400
#define T_ISIG		0000001
#define T_ICANON	0000002
#define T_ECHO		0000010
#define T_ECHOE		0000020
#define T_ECHOK		0000040
#define T_ECHOCTL	0001000
#define T_ECHOKE	0004000
#define T_IEXTEN	0100000
#define T_VTIME		5
#define T_VMIN		6

static const struct ic32_termios tty_std = {
	.c_iflag = T_ICRNL | T_IXON,
	.c_oflag = T_OPOST | T_ONLCR,
	.c_cflag = T_B38400 | T_CS8 | T_CREAD,
	.c_lflag = T_ISIG | T_ICANON | T_ECHO | T_ECHOE | T_ECHOK | T_ECHOCTL |
		   T_ECHOKE | T_IEXTEN,
	.c_line = 0,
	.c_cc = "\003\034\177\025\004\0\1\0\021\023\032\0\022\017\027\026\0",
};

/* TCSETS, TCFLSH, TIOCSWINSZ: same numbers and layouts in both ABIs */
static void tty_reset(void)
{
	struct ic32_winsize ws = { 0, 0, 0, 0 };

	ioctl(FD(PTS), TCSETS, &tty_std);
	ioctl(FD(PTM), TCSETS, &tty_std);
	ioctl(FD(PTS), TIOCSWINSZ, &ws);
	ioctl(FD(PTS), TCFLSH, 2);
	ioctl(FD(PTM), TCFLSH, 2);
}

static void tty_native_tcgets(struct ic_rec *r, const char *label, int fd)
{
	struct ic32_termios t;

	memset(&t, IC_FILL, sizeof(t));
	if (ioctl(fd, TCGETS, &t) < 0)
		ic_rec_add(r, "%s=-1:%s", label, ic_errname(errno));
	else
		ic_rec_hex(r, label, &t, sizeof(t));
}

static void c_tcgets(struct ic_rec *r)
{
	uint32_t a = ic_out(sizeof(struct ic32_termios));

	tty_reset();
	ic_do(r, "ret", FD(PTS), IC32_TCGETS, a);
	ic_rec_out(r, "out", a, sizeof(struct ic32_termios));
}

static void c_tcgets_master(struct ic_rec *r)
{
	uint32_t a = ic_out(sizeof(struct ic32_termios));

	tty_reset();
	ic_do(r, "ret", FD(PTM), IC32_TCGETS, a);
	ic_rec_out(r, "out", a, sizeof(struct ic32_termios));
}

static void tcsets_common(struct ic_rec *r, uint32_t cmd)
{
	struct ic32_termios t = tty_std;
	uint32_t a, g;

	tty_reset();
	t.c_iflag |= T_IGNBRK;
	t.c_cflag = T_B9600 | T_CS7 | T_CREAD | T_PARENB;
	t.c_lflag &= ~(uint32_t)(T_ICANON | T_ECHO);
	t.c_cc[T_VMIN] = 3;
	t.c_cc[T_VTIME] = 7;
	a = out_copy(&t, sizeof(t));
	ic_do(r, "set", FD(PTS), cmd, a);
	ic_rec_out(r, "in_after", a, sizeof(t));
	tty_native_tcgets(r, "native", FD(PTS));
	g = ic_out(sizeof(t));
	ic_do(r, "get", FD(PTS), IC32_TCGETS, g);
	ic_rec_out(r, "out", g, sizeof(t));
	tty_reset();
}

static void c_tcsets(struct ic_rec *r)
{
	tcsets_common(r, IC32_TCSETS);
}

static void c_tcsetsw(struct ic_rec *r)
{
	tcsets_common(r, IC32_TCSETSW);
}

static void c_tcsetsf(struct ic_rec *r)
{
	tcsets_common(r, IC32_TCSETSF);
}

static void c_tcgets2(struct ic_rec *r)
{
	uint32_t a = ic_out(sizeof(struct ic32_termios2));

	tty_reset();
	ic_do(r, "ret", FD(PTS), IC32_TCGETS2, a);
	ic_rec_out(r, "out", a, sizeof(struct ic32_termios2));
}

static void c_tiocglcktrmios(struct ic_rec *r)
{
	uint32_t a = ic_out(sizeof(struct ic32_termios));

	tty_reset();
	ic_do(r, "ret", FD(PTS), IC32_TIOCGLCKTRMIOS, a);
	ic_rec_out(r, "out", a, sizeof(struct ic32_termios));
}

static void c_winsz(struct ic_rec *r)
{
	struct ic32_winsize ws = { 24, 80, 640, 384 }, nat;
	uint32_t a, g, m;

	tty_reset();
	a = out_copy(&ws, sizeof(ws));
	ic_do(r, "set", FD(PTS), IC32_TIOCSWINSZ, a);
	memset(&nat, IC_FILL, sizeof(nat));
	if (ioctl(FD(PTS), TIOCGWINSZ, &nat) < 0)
		ic_rec_add(r, "native=-1:%s", ic_errname(errno));
	else
		ic_rec_hex(r, "native", &nat, sizeof(nat));
	g = ic_out(sizeof(ws));
	ic_do(r, "get", FD(PTS), IC32_TIOCGWINSZ, g);
	ic_rec_out(r, "out", g, sizeof(ws));
	m = ic_out(sizeof(ws));
	ic_do(r, "get_master", FD(PTM), IC32_TIOCGWINSZ, m);
	ic_rec_out(r, "out_master", m, sizeof(ws));
	tty_reset();
}

static void c_tiocgptn(struct ic_rec *r)
{
	uint32_t a = ic_out(4);
	unsigned int n = 0;

	/* same pty on both sides: the same number */
	ic_do(r, "ret", FD(PTM), IC32_TIOCGPTN, a);
	ic_rec_out(r, "out", a, 4);
	ioctl(FD(PTM), TIOCGPTN, &n);
	ic_rec_add(r, "native=%u", n);
}

static void c_tiocgptn_slave(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	ic_do(r, "ret", FD(PTS), IC32_TIOCGPTN, a);
	ic_rec_out(r, "out", a, 4);
}

static void gptpeer_common(struct ic_rec *r, uint32_t flags)
{
	struct stat peer, slave;
	long fd;

	errno = 0;
	fd = ic_ioctl32(FD(PTM), IC32_TIOCGPTPEER, flags);
	if (fd < 0) {
		ic_rec_ret(r, "ret", fd, errno);
		return;
	}
	/* the number is the lowest free slot of each process: not recorded */
	ic_rec_add(r, "ret=fd");
	if (fstat((int)fd, &peer) == 0 && fstat(FD(PTS), &slave) == 0)
		ic_rec_add(r, "same_tty=%d", peer.st_rdev == slave.st_rdev);
	rec_fl(r, "fl", (int)fd);
	rec_fd(r, "fdfl", (int)fd);
	close((int)fd);
}

static void c_tiocgptpeer(struct ic_rec *r)
{
	gptpeer_common(r, O_RDWR | O_NOCTTY);
}

static void c_tiocgptpeer_cloexec(struct ic_rec *r)
{
	gptpeer_common(r, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
}

static void c_tiocgptpeer_slave(struct ic_rec *r)
{
	long fd;

	errno = 0;
	fd = ic_ioctl32(FD(PTS), IC32_TIOCGPTPEER, O_RDWR);
	if (fd >= 0) {
		ic_rec_add(r, "ret=fd");
		close((int)fd);
	} else {
		ic_rec_ret(r, "ret", fd, errno);
	}
}

static void c_tiocgserial_pty(struct ic_rec *r)
{
	uint32_t a = ic_out(sizeof(struct ic32_serial_struct));

	ic_do(r, "ret", FD(PTS), IC32_TIOCGSERIAL, a);
	ic_rec_out(r, "out", a, sizeof(struct ic32_serial_struct));
}

static void c_tiocgserial(struct ic_rec *r)
{
	uint32_t a = ic_out(sizeof(struct ic32_serial_struct));

	ic_do(r, "ret", FD(SERIAL), IC32_TIOCGSERIAL, a);
	ic_rec_out(r, "out", a, sizeof(struct ic32_serial_struct));
}

static void c_tiocgserial_edge(struct ic_rec *r)
{
	edge_do(r, FD(SERIAL), IC32_TIOCGSERIAL, NULL, sizeof(struct ic32_serial_struct));
}

static void c_serial_tcgets(struct ic_rec *r)
{
	uint32_t a = ic_out(sizeof(struct ic32_termios));

	ic_do(r, "ret", FD(SERIAL), IC32_TCGETS, a);
	ic_rec_out(r, "out", a, sizeof(struct ic32_termios));
}

static void c_fionread_pty(struct ic_rec *r)
{
	struct pollfd p = { .fd = FD(PTS), .events = POLLIN };
	uint32_t a = ic_out(4);

	tty_reset();
	if (write(FD(PTM), "hello\n", 6) != 6) {
		ic_rec_add(r, "write=-1:%s", ic_errname(errno));
		return;
	}
	ic_rec_add(r, "poll=%d", poll(&p, 1, 5000));
	/* canonical mode: FIONREAD counts complete lines only */
	ic_do(r, "ret", FD(PTS), IC32_FIONREAD, a);
	ic_rec_out(r, "out", a, 4);
	tty_reset();
}

static void c_tiocoutq(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	tty_reset();
	ic_do(r, "ret", FD(PTS), IC32_TIOCOUTQ, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_tcflsh(struct ic_rec *r)
{
	tty_reset();
	ic_do(r, "flush_in", FD(PTS), IC32_TCFLSH, 0);	/* TCIFLUSH, by value */
	ic_do(r, "flush_bad", FD(PTS), IC32_TCFLSH, 7);
}

static void c_tiocgpgrp(struct ic_rec *r)
{
	uint32_t a = ic_out(4), b = ic_out(4);

	/* not our controlling tty: both fail the same way */
	ic_do(r, "pgrp", FD(PTS), IC32_TIOCGPGRP, a);
	ic_rec_out(r, "pgrp_out", a, 4);
	ic_do(r, "sid", FD(PTS), IC32_TIOCGSID, b);
	ic_rec_out(r, "sid_out", b, 4);
}

static void c_tty_unknown(struct ic_rec *r)
{
	uint32_t a = ic_out(64);

	ic_do(r, "ret", FD(PTS), IC_IOR('T', 0xEE, 16), a);
	ic_rec_out(r, "out", a, 16);
}

static void c_tty_badptr(struct ic_rec *r)
{
	if (!need_unmapped(r, IC_BAD_ADDR_LOW) || !need_unmapped(r, IC_BAD_ADDR_HIGH))
		return;
	tty_reset();
	ic_do(r, "tcgets_low", FD(PTS), IC32_TCGETS, IC_BAD_ADDR_LOW);
	ic_do(r, "tcgets_high", FD(PTS), IC32_TCGETS, IC_BAD_ADDR_HIGH);
	ic_do(r, "tcsets_low", FD(PTS), IC32_TCSETS, IC_BAD_ADDR_LOW);
	ic_do(r, "winsz_low", FD(PTS), IC32_TIOCGWINSZ, IC_BAD_ADDR_LOW);
	ic_do(r, "ptn_low", FD(PTM), IC32_TIOCGPTN, IC_BAD_ADDR_LOW);
	ic_do(r, "null", FD(PTS), IC32_TCGETS, 0);
	tty_reset();
}

/* ------------------------------------------------------------------ */
/* generic file commands (the VFS's own, compat_sys_ioctl)             */
/* ------------------------------------------------------------------ */

static void pipe_fill(size_t n)
{
	char buf[4096];

	set_fl(FD(PIPE_R), O_NONBLOCK, O_ASYNC);
	while (read(FD(PIPE_R), buf, sizeof(buf)) > 0)
		;
	set_fl(FD(PIPE_R), 0, O_NONBLOCK | O_ASYNC);
	memset(buf, 'p', n);
	if (n && write(FD(PIPE_W), buf, n) != (ssize_t)n)
		perror("pipe_fill");
}

static void c_fionread_pipe(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	pipe_fill(123);
	ic_do(r, "ret", FD(PIPE_R), IC32_FIONREAD, a);
	ic_rec_out(r, "out", a, 4);
	pipe_fill(0);
}

static void c_fionread_pipe_empty(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	pipe_fill(0);
	ic_do(r, "ret", FD(PIPE_R), IC32_FIONREAD, a);
	ic_rec_out(r, "out", a, 4);
}

static void fionread_file_at(struct ic_rec *r, off_t pos)
{
	uint32_t a = ic_out(4);

	lseek(FD(FILE), pos, SEEK_SET);
	ic_do(r, "ret", FD(FILE), IC32_FIONREAD, a);
	ic_rec_out(r, "out", a, 4);
	ic_rec_add(r, "pos=%lld", (long long)lseek(FD(FILE), 0, SEEK_CUR));
}

static void c_fionread_file(struct ic_rec *r)
{
	fionread_file_at(r, 300);	/* i_size - pos = 700 */
}

static void c_fionread_file_eof(struct ic_rec *r)
{
	fionread_file_at(r, 1500);	/* i_size - pos = -500 */
}

static void c_fionread_dir(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	ic_do(r, "ret", FD(DIR), IC32_FIONREAD, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_fionread_inotify(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	/* no compat_ioctl needed: FIONREAD goes to unlocked_ioctl */
	ic_do(r, "ret", FD(INOTIFY), IC32_FIONREAD, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_fionread_null(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	ic_do(r, "ret", FD(NULL), IC32_FIONREAD, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_fionbio(struct ic_rec *r)
{
	int fd = FD(PIPE_R);

	set_fl(fd, 0, O_NONBLOCK);
	rec_fl(r, "fl0", fd);
	ic_do(r, "on", fd, IC32_FIONBIO, out_int(1));
	rec_fl(r, "fl1", fd);
	ic_do(r, "on_again", fd, IC32_FIONBIO, out_int(0x100));
	rec_fl(r, "fl2", fd);
	ic_do(r, "off", fd, IC32_FIONBIO, out_int(0));
	rec_fl(r, "fl3", fd);
	set_fl(fd, 0, O_NONBLOCK);
}

static void c_fionbio_tty(struct ic_rec *r)
{
	int fd = FD(PTS);

	set_fl(fd, 0, O_NONBLOCK);
	ic_do(r, "on", fd, IC32_FIONBIO, out_int(1));
	rec_fl(r, "fl1", fd);
	ic_do(r, "off", fd, IC32_FIONBIO, out_int(0));
	rec_fl(r, "fl2", fd);
	set_fl(fd, 0, O_NONBLOCK);
}

static void c_fioclex(struct ic_rec *r)
{
	int fd = FD(FILE);

	/* per-process fd table: each side changes and reads its own slot */
	fcntl(fd, F_SETFD, 0);
	rec_fd(r, "fd0", fd);
	ic_do(r, "clex", fd, IC32_FIOCLEX, 0);
	rec_fd(r, "fd1", fd);
	ic_do(r, "clex_again", fd, IC32_FIOCLEX, 0x12345);
	rec_fd(r, "fd2", fd);
	ic_do(r, "nclex", fd, IC32_FIONCLEX, 0);
	rec_fd(r, "fd3", fd);
	/* the 64-bit test must keep passing this descriptor on */
	fcntl(fd, F_SETFD, 0);
}

static void fioasync_common(struct ic_rec *r, int fd)
{
	set_fl(fd, 0, O_ASYNC);
	ic_do(r, "on", fd, IC32_FIOASYNC, out_int(1));
	rec_fl(r, "fl1", fd);
	ic_do(r, "off", fd, IC32_FIOASYNC, out_int(0));
	rec_fl(r, "fl2", fd);
	set_fl(fd, 0, O_ASYNC);
}

static void c_fioasync_pipe(struct ic_rec *r)
{
	fioasync_common(r, FD(PIPE_R));
}

static void c_fioasync_file(struct ic_rec *r)
{
	fioasync_common(r, FD(FILE));
}

static void c_fioasync_tty(struct ic_rec *r)
{
	fioasync_common(r, FD(PTS));
}

static void fioqsize_common(struct ic_rec *r, int fd, uint32_t cmd)
{
	uint32_t a = ic_out(8);

	ic_do(r, "ret", fd, cmd, a);
	ic_rec_out(r, "out", a, 8);
}

static void fioqsize_common_row(struct ic_rec *r, const struct ic_case *c)
{
	fioqsize_common(r, (int)c->val, c->cmd);
}

/* on ARM a 32-bit process may also pass the generic number */
static void c_figetbsz(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	ic_do(r, "ret", FD(FILE), IC32_FIGETBSZ, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_fibmap(struct ic_rec *r)
{
	uint32_t a = out_int(0);

	ic_do(r, "ret", FD(FILE), IC32_FIBMAP, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_getflags_tmpfs(struct ic_rec *r)
{
	uint32_t a = ic_out(4);
	int zero = 0;

	ioctl(FD(FILE3), FS_IOC_SETFLAGS, &zero);
	ic_do(r, "ret", FD(FILE3), IC32_FS_IOC_GETFLAGS, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_setflags_tmpfs(struct ic_rec *r)
{
	int zero = 0, nat = 0x5a5a5a5a;
	uint32_t a, g;

	ioctl(FD(FILE3), FS_IOC_SETFLAGS, &zero);
	a = out_int(FS_NODUMP_FL | FS_NOATIME_FL);
	ic_do(r, "set", FD(FILE3), IC32_FS_IOC_SETFLAGS, a);
	ic_rec_out(r, "in_after", a, 4);
	if (ioctl(FD(FILE3), FS_IOC_GETFLAGS, &nat) < 0)
		ic_rec_add(r, "native=-1:%s", ic_errname(errno));
	else
		ic_rec_add(r, "native=0x%x", (unsigned int)nat);
	g = ic_out(4);
	ic_do(r, "get", FD(FILE3), IC32_FS_IOC_GETFLAGS, g);
	ic_rec_out(r, "out", g, 4);
	ioctl(FD(FILE3), FS_IOC_SETFLAGS, &zero);
}

/* the LP64 number, issued by a 32-bit process */
static void c_getflags_lp64num(struct ic_rec *r)
{
	uint32_t a = ic_out(8);
	int zero = 0;

	ioctl(FD(FILE3), FS_IOC_SETFLAGS, &zero);
	ic_do(r, "ret", FD(FILE3), IC64_FS_IOC_GETFLAGS, a);
	ic_rec_out(r, "out", a, 8);
}

static void c_getflags_pipe(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	ic_do(r, "ret", FD(PIPE_R), IC32_FS_IOC_GETFLAGS, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_getflags_dir(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	ic_do(r, "ret", FD(DIR), IC32_FS_IOC_GETFLAGS, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_getversion_tmpfs(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	ic_do(r, "ret", FD(FILE3), IC32_FS_IOC_GETVERSION, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_fsgetxattr_tmpfs(struct ic_rec *r)
{
	uint32_t a = ic_out(sizeof(struct ic32_fsxattr));
	int zero = 0;

	ioctl(FD(FILE3), FS_IOC_SETFLAGS, &zero);
	ic_do(r, "ret", FD(FILE3), IC32_FS_IOC_FSGETXATTR, a);
	ic_rec_out(r, "out", a, sizeof(struct ic32_fsxattr));
}

static void c_ficlone(struct ic_rec *r)
{
	/* the source fd is passed by value: inherited, so the same number */
	ic_do(r, "ret", FD(FILE3), IC32_FICLONE, (uint32_t)FD(FILE2));
	ic_do(r, "badfd", FD(FILE3), IC32_FICLONE, IC_BAD_FD);
	ic_do(r, "negfd", FD(FILE3), IC32_FICLONE, 0xffffffffu);
}

static void c_ficlonerange(struct ic_rec *r)
{
	struct ic32_file_clone_range fcr = {
		.src_fd = FD(FILE2), .src_offset = 0, .src_length = 4096, .dest_offset = 0,
	};
	uint32_t a = out_copy(&fcr, sizeof(fcr));

	ic_do(r, "ret", FD(FILE3), IC32_FICLONERANGE, a);
	ic_rec_out(r, "in_after", a, sizeof(fcr));
}

static void c_fiemap(struct ic_rec *r)
{
	struct ic32_fiemap fm = { .fm_start = 0, .fm_length = ~0ull, .fm_flags = 0,
				  .fm_extent_count = 0 };
	uint32_t a = out_copy(&fm, sizeof(fm));

	ic_do(r, "ret", FD(FILE), IC32_FS_IOC_FIEMAP, a);
	ic_rec_out(r, "out", a, sizeof(fm));
}

static void rec_stat_blocks(struct ic_rec *r, int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0)
		ic_rec_add(r, "size=%lld blocks=%lld", (long long)st.st_size,
			   (long long)st.st_blocks);
}

static void resvsp_common(struct ic_rec *r, uint32_t cmd, int punch)
{
	struct ic32_space_resv sr;
	int fd = FD(FILE3);
	char buf[65536];
	uint32_t a;

	if (ftruncate(fd, 0) || ftruncate(fd, 8192))
		perror("ftruncate");
	if (punch) {
		memset(buf, 'x', sizeof(buf));
		if (pwrite(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
			perror("pwrite");
	}
	rec_stat_blocks(r, fd);
	memset(&sr, 0, sizeof(sr));
	sr.l_whence = SEEK_SET;
	sr.l_start = 4096;
	sr.l_len = 32768;
	a = out_copy(&sr, sizeof(sr));
	ic_do(r, "ret", fd, cmd, a);
	rec_stat_blocks(r, fd);
	if (ftruncate(fd, 0))
		perror("ftruncate");
}

static void c_resvsp(struct ic_rec *r)
{
	resvsp_common(r, IC32_FS_IOC_RESVSP, 0);
}

static void c_unresvsp(struct ic_rec *r)
{
	resvsp_common(r, IC32_FS_IOC_UNRESVSP, 1);
}

static void c_file_unknown(struct ic_rec *r)
{
	uint32_t a = ic_out(16);

	ic_do(r, "ret", FD(FILE), IC_IOR('Z', 0x42, 16), a);
	ic_rec_out(r, "out", a, 16);
}

/* ------------------------------------------------------------------ */
/* loop and block                                                      */
/* ------------------------------------------------------------------ */

/* LOOP_SET_STATUS64: struct loop_info64 is identical in both ABIs */
static void loop_reset(void)
{
	struct ic32_loop_info64 li;

	memset(&li, 0, sizeof(li));
	if (ioctl(FD(LOOP), LOOP_SET_STATUS64, &li) < 0)
		perror("loop_reset: LOOP_SET_STATUS64");
}

static void loop_native_status(struct ic_rec *r)
{
	struct ic32_loop_info64 li;

	memset(&li, IC_FILL, sizeof(li));
	if (ioctl(FD(LOOP), LOOP_GET_STATUS64, &li) < 0) {
		ic_rec_add(r, "native=-1:%s", ic_errname(errno));
		return;
	}
	ic_rec_add(r, "native_offset=%llu native_flags=0x%x native_name=%.64s",
		   (unsigned long long)li.lo_offset, li.lo_flags,
		   (const char *)li.lo_file_name);
}

static void c_loop_get_status(struct ic_rec *r)
{
	uint32_t a = ic_out(sizeof(struct ic32_loop_info));

	loop_reset();
	/*
	 * lo_number, lo_device and lo_inode describe the same loop device
	 * and backing file on both sides: they are compared as they are.
	 */
	ic_do(r, "ret", FD(LOOP), IC32_LOOP_GET_STATUS, a);
	ic_rec_out(r, "out", a, sizeof(struct ic32_loop_info));
}

static void c_loop_set_status(struct ic_rec *r)
{
	struct ic32_loop_info li;
	uint32_t a, g;

	loop_reset();
	memset(&li, 0, sizeof(li));
	li.lo_offset = 512;
	li.lo_flags = 0;
	strcpy(li.lo_name, "emucompat-loop-name");
	a = out_copy(&li, sizeof(li));
	ic_do(r, "set", FD(LOOP), IC32_LOOP_SET_STATUS, a);
	loop_native_status(r);
	g = ic_out(sizeof(li));
	ic_do(r, "get", FD(LOOP), IC32_LOOP_GET_STATUS, g);
	ic_rec_out(r, "out", g, sizeof(li));
	loop_reset();
}

static void c_loop_get_status_edge(struct ic_rec *r)
{
	loop_reset();
	edge_do(r, FD(LOOP), IC32_LOOP_GET_STATUS, NULL, sizeof(struct ic32_loop_info));
}

static void c_loop_set_status_edge(struct ic_rec *r)
{
	struct ic32_loop_info li;

	loop_reset();
	memset(&li, 0, sizeof(li));
	li.lo_offset = 1024;
	strcpy(li.lo_name, "emucompat-edge");
	edge_do(r, FD(LOOP), IC32_LOOP_SET_STATUS, &li, sizeof(li));
	loop_native_status(r);
	loop_reset();
}

static void c_loop_get_status64(struct ic_rec *r)
{
	uint32_t a = ic_out(sizeof(struct ic32_loop_info64));

	loop_reset();
	ic_do(r, "ret", FD(LOOP), IC32_LOOP_GET_STATUS64, a);
	ic_rec_out(r, "out", a, sizeof(struct ic32_loop_info64));
}

static void c_loop_badptr(struct ic_rec *r)
{
	if (!need_unmapped(r, IC_BAD_ADDR_LOW))
		return;
	loop_reset();
	ic_do(r, "get", FD(LOOP), IC32_LOOP_GET_STATUS, IC_BAD_ADDR_LOW);
	ic_do(r, "set", FD(LOOP), IC32_LOOP_SET_STATUS, IC_BAD_ADDR_LOW);
	loop_native_status(r);
	loop_reset();
}

static void blk_common(struct ic_rec *r, uint32_t cmd, size_t outlen)
{
	uint32_t a = ic_out(outlen);

	loop_reset();
	ic_do(r, "ret", FD(LOOP), cmd, a);
	ic_rec_out(r, "out", a, outlen);
}

static void blk_common_row(struct ic_rec *r, const struct ic_case *c)
{
	blk_common(r, c->cmd, (size_t)c->val);
}

static void c_blkgetsize_edge(struct ic_rec *r)
{
	loop_reset();
	edge_do(r, FD(LOOP), IC32_BLKGETSIZE, NULL, 4);
}

static void c_blkraget_edge(struct ic_rec *r)
{
	loop_reset();
	edge_do(r, FD(LOOP), IC32_BLKRAGET, NULL, 4);
}

/* ------------------------------------------------------------------ */
/* sockets                                                             */
/* ------------------------------------------------------------------ */

static void ifconf_common(struct ic_rec *r, int32_t len, int nbuf, uint32_t buf_addr)
{
	struct ic32_ifconf ifc;
	uint32_t a, buf = 0;

	if (nbuf)
		buf = ic_out((size_t)nbuf);
	else
		buf = buf_addr;
	ifc.len = len;
	ifc.buf = buf;
	a = out_copy(&ifc, sizeof(ifc));
	ic_do(r, "ret", FD(INET), IC32_SIOCGIFCONF, a);
	memcpy(&ifc, ic_ptr(a), sizeof(ifc));
	ic_rec_add(r, "ifc_len=%d", ifc.len);
	/* the buffer address is this process's own: compare its relation */
	ic_rec_ptr(r, "ifc_buf", ifc.buf, buf);
	ic_rec_hex(r, "guard", (char *)ic_ptr(a) + sizeof(ifc), IC_GUARD);
	if (nbuf)
		ic_rec_out(r, "buf", buf, (size_t)nbuf);
}

static void c_ifconf(struct ic_rec *r)
{
	ifconf_common(r, 4 * 32, 4 * 32, 0);
}

static void c_ifconf_query(struct ic_rec *r)
{
	ifconf_common(r, 0, 0, 0);
}

static void c_ifconf_small(struct ic_rec *r)
{
	ifconf_common(r, 16, 64, 0);
}

static void c_ifconf_odd(struct ic_rec *r)
{
	/* room for one entry and a half */
	ifconf_common(r, 48, 64, 0);
}

static void c_ifconf_edge(struct ic_rec *r)
{
	struct ic32_ifconf ifc;
	uint32_t buf = ic_out(128), a = ic_out_edge(sizeof(ifc));

	ifc.len = 128;
	ifc.buf = buf;
	memcpy(ic_ptr(a), &ifc, sizeof(ifc));
	ic_do(r, "ret", FD(INET), IC32_SIOCGIFCONF, a);
	memcpy(&ifc, ic_ptr(a), sizeof(ifc));
	ic_rec_add(r, "ifc_len=%d", ifc.len);
	ic_rec_ptr(r, "ifc_buf", ifc.buf, buf);
	ic_rec_out(r, "buf", buf, 128);
}

static void c_ifconf_badbuf(struct ic_rec *r)
{
	if (!need_unmapped(r, IC_BAD_ADDR_LOW))
		return;
	ifconf_common(r, 64, 0, IC_BAD_ADDR_LOW);
}

static void c_ifconf_badptr(struct ic_rec *r)
{
	if (!need_unmapped(r, IC_BAD_ADDR_LOW))
		return;
	ic_do(r, "ret", FD(INET), IC32_SIOCGIFCONF, IC_BAD_ADDR_LOW);
}

static void ifreq_common(struct ic_rec *r, uint32_t cmd, const char *name, int32_t ivalue)
{
	struct ic32_ifreq ifr;
	uint32_t a;

	memset(&ifr, 0, sizeof(ifr));
	if (name)
		strncpy(ifr.name, name, sizeof(ifr.name) - 1);
	ifr.u.ivalue = ivalue;
	a = out_copy(&ifr, sizeof(ifr));
	ic_do(r, "ret", FD(INET), cmd, a);
	ic_rec_out(r, "out", a, sizeof(ifr));
}

static void ifreq_common_row(struct ic_rec *r, const struct ic_case *c)
{
	ifreq_common(r, c->cmd, c->str, (int32_t)c->val);
}

static void ifreq_edge(struct ic_rec *r, uint32_t cmd, const char *name, int32_t ivalue)
{
	struct ic32_ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (name)
		strncpy(ifr.name, name, sizeof(ifr.name) - 1);
	ifr.u.ivalue = ivalue;
	edge_do(r, FD(INET), cmd, &ifr, sizeof(ifr));
}

static void ifreq_edge_row(struct ic_rec *r, const struct ic_case *c)
{
	ifreq_edge(r, c->cmd, c->str, (int32_t)c->val);
}

static void c_ifreq_badptr(struct ic_rec *r)
{
	if (!need_unmapped(r, IC_BAD_ADDR_LOW))
		return;
	ic_do(r, "flags", FD(INET), IC32_SIOCGIFFLAGS, IC_BAD_ADDR_LOW);
	ic_do(r, "index", FD(INET), IC32_SIOCGIFINDEX, IC_BAD_ADDR_LOW);
	ic_do(r, "map", FD(INET), IC32_SIOCGIFMAP, IC_BAD_ADDR_LOW);
}

static int lo_mtu_native(int set)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (set > 0) {
		ifr.ifr_mtu = set;
		return ioctl(FD(INET), SIOCSIFMTU, &ifr);
	}
	if (ioctl(FD(INET), SIOCGIFMTU, &ifr) < 0)
		return -1;
	return ifr.ifr_mtu;
}

static void c_sifmtu_lo(struct ic_rec *r)
{
	int orig = lo_mtu_native(0);

	if (orig <= 0) {
		r->skip = "cannot read the MTU of lo";
		return;
	}
	ifreq_common(r, IC32_SIOCSIFMTU, "lo", 1500);
	ic_rec_add(r, "native=%d", lo_mtu_native(0));
	lo_mtu_native(orig);
}

static void c_fionread_udp(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	/* one 77-byte datagram stays queued (set up by the 64-bit test) */
	ic_do(r, "ret", FD(UDP_STAMPED), IC32_FIONREAD, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_siocgstamp(struct ic_rec *r)
{
	uint32_t a = ic_out(sizeof(struct ic32_timeval));

	/* sk_stamp of the same socket, fixed at setup: the same value */
	ic_do(r, "ret", FD(UDP_STAMPED), IC32_SIOCGSTAMP, a);
	ic_rec_out(r, "out", a, sizeof(struct ic32_timeval));
}

static void c_siocgstamp_edge(struct ic_rec *r)
{
	edge_do(r, FD(UDP_STAMPED), IC32_SIOCGSTAMP, NULL, sizeof(struct ic32_timeval));
}

static void c_siocgstampns(struct ic_rec *r)
{
	uint32_t a = ic_out(sizeof(struct ic32_timespec));

	ic_do(r, "ret", FD(UDP_STAMPED), IC32_SIOCGSTAMPNS, a);
	ic_rec_out(r, "out", a, sizeof(struct ic32_timespec));
}

static void c_siocgstamp_none(struct ic_rec *r)
{
	uint32_t a = ic_out(sizeof(struct ic32_timeval));

	/* never received anything */
	ic_do(r, "ret", FD(INET), IC32_SIOCGSTAMP, a);
	ic_rec_out(r, "out", a, sizeof(struct ic32_timeval));
}

static void c_sock_unknown(struct ic_rec *r)
{
	uint32_t a = ic_out(16);

	ic_do(r, "ret", FD(INET), IC_IOR('Z', 0x43, 16), a);
	ic_rec_out(r, "out", a, 16);
}

/* ------------------------------------------------------------------ */
/* DRM                                                                 */
/* ------------------------------------------------------------------ */

static void drm_version_common(struct ic_rec *r, uint32_t cmd, uint32_t len, int bad)
{
	struct ic32_drm_version v;
	uint32_t a, name = 0, date = 0, desc = 0;

	memset(&v, 0, sizeof(v));
	if (bad) {
		name = IC_BAD_ADDR_LOW;
	} else if (len) {
		name = ic_out(len);
		date = ic_out(len);
		desc = ic_out(len);
	}
	v.name_len = v.date_len = v.desc_len = len;
	v.name = name;
	v.date = date;
	v.desc = desc;
	a = out_copy(&v, sizeof(v));
	ic_do(r, "ret", FD(DRM), cmd, a);
	memcpy(&v, ic_ptr(a), sizeof(v));
	ic_rec_add(r, "major=%d minor=%d patch=%d name_len=%u date_len=%u desc_len=%u",
		   v.version_major, v.version_minor, v.version_patchlevel,
		   v.name_len, v.date_len, v.desc_len);
	/* buffer addresses are per process: only their relation is kept */
	ic_rec_ptr(r, "name", v.name, name);
	ic_rec_ptr(r, "date", v.date, date);
	ic_rec_ptr(r, "desc", v.desc, desc);
	ic_rec_hex(r, "guard", (char *)ic_ptr(a) + sizeof(v), IC_GUARD);
	if (len && !bad) {
		ic_rec_out(r, "name_buf", name, len);
		ic_rec_out(r, "date_buf", date, len);
		ic_rec_out(r, "desc_buf", desc, len);
	}
}

static void c_drm_version_edge(struct ic_rec *r)
{
	struct ic32_drm_version v;

	/* lengths 0, NULL buffers: no per-process address in the output */
	memset(&v, 0, sizeof(v));
	edge_do(r, FD(DRM), IC32_DRM_IOCTL_VERSION, &v, sizeof(v));
}

static void c_drm_get_unique_edge(struct ic_rec *r)
{
	struct ic32_drm_unique u = { 0, 0 };

	edge_do(r, FD(DRM), IC32_DRM_IOCTL_GET_UNIQUE, &u, sizeof(u));
}

static void c_drm_version_len(struct ic_rec *r)
{
	drm_version_common(r, IC32_DRM_IOCTL_VERSION, 0, 0);
}

static void c_drm_version(struct ic_rec *r)
{
	drm_version_common(r, IC32_DRM_IOCTL_VERSION, 64, 0);
}

static void c_drm_version_short(struct ic_rec *r)
{
	drm_version_common(r, IC32_DRM_IOCTL_VERSION, 3, 0);
}

static void c_drm_version_badbuf(struct ic_rec *r)
{
	if (!need_unmapped(r, IC_BAD_ADDR_LOW))
		return;
	drm_version_common(r, IC32_DRM_IOCTL_VERSION, 64, 1);
}

static void c_drm_version_badptr(struct ic_rec *r)
{
	if (!need_unmapped(r, IC_BAD_ADDR_LOW))
		return;
	ic_do(r, "ret", FD(DRM), IC32_DRM_IOCTL_VERSION, IC_BAD_ADDR_LOW);
}

/* the LP64 number from a 32-bit process */
static void c_drm_version_lp64num(struct ic_rec *r)
{
	drm_version_common(r, IC64_DRM_IOCTL_VERSION, 64, 0);
}

static void c_drm_get_unique(struct ic_rec *r)
{
	struct ic32_drm_unique u;
	uint32_t a, buf = ic_out(64);

	u.unique_len = 64;
	u.unique = buf;
	a = out_copy(&u, sizeof(u));
	ic_do(r, "ret", FD(DRM), IC32_DRM_IOCTL_GET_UNIQUE, a);
	memcpy(&u, ic_ptr(a), sizeof(u));
	ic_rec_add(r, "unique_len=%u", u.unique_len);
	ic_rec_ptr(r, "unique", u.unique, buf);
	ic_rec_hex(r, "guard", (char *)ic_ptr(a) + sizeof(u), IC_GUARD);
	ic_rec_out(r, "buf", buf, 64);
}

static void drm_getclient_common(struct ic_rec *r, int idx, int edge)
{
	struct ic32_drm_client c;
	uint32_t a;

	memset(&c, 0, sizeof(c));
	c.idx = idx;
	if (edge) {
		a = ic_out_edge(sizeof(c));
		memcpy(ic_ptr(a), &c, sizeof(c));
	} else {
		a = out_copy(&c, sizeof(c));
	}
	ic_do(r, "ret", FD(DRM), IC32_DRM_IOCTL_GET_CLIENT, a);
	memcpy(&c, ic_ptr(a), sizeof(c));
	/* the kernel reports the caller's pid: compare it with our own */
	if (c.pid == (uint32_t)getpid())
		ic_rec_add(r, "pid=self");
	else
		ic_rec_add(r, "pid=0x%x", c.pid);
	c.pid = 0;
	ic_rec_hex(r, "rest", &c, sizeof(c));
	if (!edge)
		ic_rec_hex(r, "guard", (char *)ic_ptr(a) + sizeof(c), IC_GUARD);
}

static void c_drm_getclient0(struct ic_rec *r)
{
	drm_getclient_common(r, 0, 0);
}

static void c_drm_getclient1(struct ic_rec *r)
{
	drm_getclient_common(r, 1, 0);
}

static void c_drm_getclient_edge(struct ic_rec *r)
{
	drm_getclient_common(r, 0, 1);
}

static void c_drm_getstats(struct ic_rec *r)
{
	uint32_t a = ic_out(sizeof(struct ic32_drm_stats));

	ic_do(r, "ret", FD(DRM), IC32_DRM_IOCTL_GET_STATS, a);
	ic_rec_out(r, "out", a, sizeof(struct ic32_drm_stats));
}

static void c_drm_get_cap(struct ic_rec *r)
{
	struct ic32_drm_get_cap c = { .capability = 1 /* DRM_CAP_DUMB_BUFFER */ };
	uint32_t a = out_copy(&c, sizeof(c));

	ic_do(r, "ret", FD(DRM), IC32_DRM_IOCTL_GET_CAP, a);
	ic_rec_out(r, "out", a, sizeof(c));
}

static void c_drm_getresources(struct ic_rec *r)
{
	struct ic32_drm_mode_card_res res;
	uint32_t a;

	memset(&res, 0, sizeof(res));
	a = out_copy(&res, sizeof(res));
	ic_do(r, "ret", FD(DRM), IC32_DRM_IOCTL_MODE_GETRESOURCES, a);
	ic_rec_out(r, "out", a, sizeof(res));
}

static void c_drm_unknown(struct ic_rec *r)
{
	uint32_t a = ic_out(16);

	/* a driver-private number no driver here has */
	ic_do(r, "ret", FD(DRM), IC_IOWR('d', 0x9f, 16), a);
	ic_rec_out(r, "out", a, 16);
}

/* ------------------------------------------------------------------ */
/* RTC                                                                 */
/* ------------------------------------------------------------------ */

static long long tm_to_secs(const struct ic32_rtc_time *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_sec = t->tm_sec;
	tm.tm_min = t->tm_min;
	tm.tm_hour = t->tm_hour;
	tm.tm_mday = t->tm_mday;
	tm.tm_mon = t->tm_mon;
	tm.tm_year = t->tm_year;
	return (long long)timegm(&tm);
}

static void c_rtc_rd_time(struct ic_rec *r)
{
	struct ic32_rtc_time t, nat;
	uint32_t a = ic_out(sizeof(t));
	long long s1, s2;
	unsigned char guard[IC_GUARD];
	struct tm chk;
	time_t tt;

	if (ic_do(r, "ret", FD(RTC), IC32_RTC_RD_TIME, a) < 0)
		return;
	memcpy(&t, ic_ptr(a), sizeof(t));
	memcpy(guard, (char *)ic_ptr(a) + sizeof(t), IC_GUARD);
	memset(&nat, 0, sizeof(nat));
	if (ioctl(FD(RTC), RTC_RD_TIME, &nat) < 0) {
		ic_rec_add(r, "native=-1:%s", ic_errname(errno));
		return;
	}
	/*
	 * The clock ticks between the two processes' calls: the date and
	 * time fields are not compared, only that they are a valid time
	 * within a few seconds of a native read just after, and that the
	 * weekday and day of year agree with the date.
	 */
	s1 = tm_to_secs(&t);
	s2 = tm_to_secs(&nat);
	ic_rec_add(r, "valid=%d", t.tm_sec >= 0 && t.tm_sec < 61 && t.tm_min >= 0 &&
		   t.tm_min < 60 && t.tm_hour >= 0 && t.tm_hour < 24 &&
		   t.tm_mday >= 1 && t.tm_mday <= 31 && t.tm_mon >= 0 && t.tm_mon < 12 &&
		   t.tm_year >= 70);
	ic_rec_add(r, "close=%d", s2 - s1 >= 0 && s2 - s1 <= 5);
	tt = (time_t)s1;
	gmtime_r(&tt, &chk);
	ic_rec_add(r, "wday=%s yday=%s isdst=%d",
		   t.tm_wday == chk.tm_wday ? "match" : t.tm_wday == 0 ? "zero" : "other",
		   t.tm_yday == chk.tm_yday ? "match" : t.tm_yday == 0 ? "zero" : "other",
		   t.tm_isdst);
	ic_rec_hex(r, "guard", guard, IC_GUARD);
}

static void c_rtc_alm_read(struct ic_rec *r)
{
	uint32_t a = ic_out(sizeof(struct ic32_rtc_time));

	ic_do(r, "ret", FD(RTC), IC32_RTC_ALM_READ, a);
	ic_rec_out(r, "out", a, sizeof(struct ic32_rtc_time));
}

static void c_rtc_wkalm_rd(struct ic_rec *r)
{
	uint32_t a = ic_out(sizeof(struct ic32_rtc_wkalrm));

	ic_do(r, "ret", FD(RTC), IC32_RTC_WKALM_RD, a);
	ic_rec_out(r, "out", a, sizeof(struct ic32_rtc_wkalrm));
}

/* RTC_IRQP_SET in this process's native ABI (by value in both) */
static void rtc_irqp_reset(void)
{
	ioctl(FD(RTC), RTC_IRQP_SET, 1UL);
}

static void c_rtc_irqp_read(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	rtc_irqp_reset();
	ic_do(r, "ret", FD(RTC), IC32_RTC_IRQP_READ, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_rtc_irqp_read_edge(struct ic_rec *r)
{
	rtc_irqp_reset();
	edge_do(r, FD(RTC), IC32_RTC_IRQP_READ, NULL, 4);
}

static void c_rtc_irqp_set(struct ic_rec *r)
{
	unsigned long nat = 0;
	uint32_t a = ic_out(4);

	rtc_irqp_reset();
	ic_do(r, "set", FD(RTC), IC32_RTC_IRQP_SET, 16);
	if (ioctl(FD(RTC), RTC_IRQP_READ, &nat) < 0)
		ic_rec_add(r, "native=-1:%s", ic_errname(errno));
	else
		ic_rec_add(r, "native=%lu", nat);
	ic_do(r, "get", FD(RTC), IC32_RTC_IRQP_READ, a);
	ic_rec_out(r, "out", a, 4);
	ic_do(r, "set_bad", FD(RTC), IC32_RTC_IRQP_SET, 0);
	rtc_irqp_reset();
}

/* the LP64 number from a 32-bit process: an 8-byte write */
static void c_rtc_irqp_read_lp64num(struct ic_rec *r)
{
	uint32_t a = ic_out(8);

	rtc_irqp_reset();
	ic_do(r, "ret", FD(RTC), IC64_RTC_IRQP_READ, a);
	ic_rec_out(r, "out", a, 8);
}

static void c_rtc_epoch_read(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	ic_do(r, "ret", FD(RTC), IC32_RTC_EPOCH_READ, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_rtc_param_get(struct ic_rec *r)
{
	struct ic32_rtc_param p = { .param = 0 /* RTC_PARAM_FEATURES */ };
	uint32_t a = out_copy(&p, sizeof(p));

	ic_do(r, "ret", FD(RTC), IC32_RTC_PARAM_GET, a);
	ic_rec_out(r, "out", a, sizeof(p));
}

static void c_rtc_badptr(struct ic_rec *r)
{
	if (!need_unmapped(r, IC_BAD_ADDR_LOW))
		return;
	ic_do(r, "rd_time", FD(RTC), IC32_RTC_RD_TIME, IC_BAD_ADDR_LOW);
	ic_do(r, "irqp", FD(RTC), IC32_RTC_IRQP_READ, IC_BAD_ADDR_LOW);
}

/* ------------------------------------------------------------------ */
/* input                                                               */
/* ------------------------------------------------------------------ */

static void ev_common(struct ic_rec *r, uint32_t cmd, size_t len)
{
	uint32_t a = ic_out(len);

	ic_do(r, "ret", FD(EVDEV), cmd, a);
	ic_rec_out(r, "out", a, len);
}

static void ev_common_row(struct ic_rec *r, const struct ic_case *c)
{
	ev_common(r, c->cmd, (size_t)c->val);
}

/*
 * Bitmaps: a compat caller gets the length rounded to 32-bit longs, a
 * native one to 64-bit longs: the return value tells them apart.
 */
static void c_ev_mask(struct ic_rec *r)
{
	struct ic32_input_mask m;
	uint32_t a, codes = ic_out(32);

	m.type = EV_REL;
	m.codes_size = 32;
	m.codes_ptr = codes;
	a = out_copy(&m, sizeof(m));
	ic_do(r, "ret", FD(EVDEV), IC32_EVIOCGMASK, a);
	memcpy(&m, ic_ptr(a), sizeof(m));
	ic_rec_add(r, "type=%u size=%u", m.type, m.codes_size);
	ic_rec_ptr(r, "codes_ptr", (uint32_t)m.codes_ptr, codes);
	ic_rec_out(r, "codes", codes, 32);
}

static void c_ev_grab(struct ic_rec *r)
{
	ic_do(r, "grab", FD(EVDEV), IC32_EVIOCGRAB, 1);
	ic_do(r, "grab_again", FD(EVDEV), IC32_EVIOCGRAB, 1);
	ic_do(r, "ungrab", FD(EVDEV), IC32_EVIOCGRAB, 0);
	ic_do(r, "ungrab_again", FD(EVDEV), IC32_EVIOCGRAB, 0);
}

static void c_uinput_version(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	ic_do(r, "ret", FD(UINPUT), IC32_UI_GET_VERSION, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_uinput_sysname(struct ic_rec *r)
{
	uint32_t a = ic_out(64);

	/* the same uinput device: the same "inputN" */
	ic_do(r, "ret", FD(UINPUT), IC32_UI_GET_SYSNAME(64), a);
	ic_rec_out(r, "out", a, 64);
}

static void c_uinput_set_phys_created(struct ic_rec *r)
{
	ic_do(r, "ret", FD(UINPUT), IC32_UI_SET_PHYS, ic_str("emucompat/late"));
}

/*
 * UI_SET_PHYS takes a char *: each side creates its own device (a uinput
 * fd is single-use), sets the phys string through the call under test and
 * reads it back through the resulting evdev node.  The device number
 * differs and is not recorded.
 */
static void c_uinput_set_phys(struct ic_rec *r)
{
	struct uinput_setup us;
	char sysname[64], path[320], phys[64];
	struct dirent *de;
	DIR *d;
	int fd, ev = -1;

	fd = open("/dev/uinput", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ic_rec_add(r, "open=-1:%s", ic_errname(errno));
		return;
	}
	ioctl(fd, UI_SET_EVBIT, EV_KEY);
	ioctl(fd, UI_SET_KEYBIT, KEY_B);
	ic_do(r, "set_phys", fd, IC32_UI_SET_PHYS, ic_str("emucompat/phys0"));
	ic_do(r, "set_phys_bad", fd, IC32_UI_SET_PHYS, IC_BAD_ADDR_LOW);
	memset(&us, 0, sizeof(us));
	us.id.bustype = BUS_VIRTUAL;
	us.id.vendor = 0x1234;
	us.id.product = 0x4321;
	strcpy(us.name, "emucompat phys test");
	if (ioctl(fd, UI_DEV_SETUP, &us) < 0 || ioctl(fd, UI_DEV_CREATE) < 0) {
		ic_rec_add(r, "create=-1:%s", ic_errname(errno));
		close(fd);
		return;
	}
	memset(sysname, 0, sizeof(sysname));
	if (ioctl(fd, UI_GET_SYSNAME(sizeof(sysname)), sysname) < 0)
		goto out;
	snprintf(path, sizeof(path), "/sys/class/input/%s", sysname);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		if (!strncmp(de->d_name, "event", 5)) {
			snprintf(path, sizeof(path), "/dev/input/%s", de->d_name);
			ev = open(path, O_RDONLY | O_CLOEXEC);
			break;
		}
	}
	if (d)
		closedir(d);
	memset(phys, 0, sizeof(phys));
	if (ev < 0)
		ic_rec_add(r, "evdev=-1:%s", ic_errname(errno));
	else if (ioctl(ev, EVIOCGPHYS(sizeof(phys) - 1), phys) < 0)
		ic_rec_add(r, "phys=-1:%s", ic_errname(errno));
	else
		ic_rec_add(r, "phys=\"%s\"", phys);
	if (ev >= 0)
		close(ev);
out:
	ioctl(fd, UI_DEV_DESTROY);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* filesystems with their own compat_ioctl: ext2 (ext4 driver), vfat   */
/* ------------------------------------------------------------------ */

static void c_ext_getflags(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	/* same file: the same flags; the 5.10 VFS leaves this to ext4 */
	ic_do(r, "ret", FD(EXT_FILE), IC32_FS_IOC_GETFLAGS, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_ext_setflags(struct ic_rec *r)
{
	int orig = 0, nat = 0x5a5a5a5a;
	uint32_t a, g;

	if (ioctl(FD(EXT_FILE), FS_IOC_GETFLAGS, &orig) < 0) {
		ic_rec_add(r, "native_get=-1:%s", ic_errname(errno));
		return;
	}
	orig &= ~(FS_NODUMP_FL | FS_NOATIME_FL);
	ioctl(FD(EXT_FILE), FS_IOC_SETFLAGS, &orig);
	a = out_int(orig | FS_NODUMP_FL | FS_NOATIME_FL);
	ic_do(r, "set", FD(EXT_FILE), IC32_FS_IOC_SETFLAGS, a);
	if (ioctl(FD(EXT_FILE), FS_IOC_GETFLAGS, &nat) < 0)
		ic_rec_add(r, "native=-1:%s", ic_errname(errno));
	else
		ic_rec_add(r, "native=0x%x", (unsigned int)nat);
	g = ic_out(4);
	ic_do(r, "get", FD(EXT_FILE), IC32_FS_IOC_GETFLAGS, g);
	ic_rec_out(r, "out", g, 4);
	ioctl(FD(EXT_FILE), FS_IOC_SETFLAGS, &orig);
}

static void c_ext_getflags_lp64num(struct ic_rec *r)
{
	uint32_t a = ic_out(8);

	ic_do(r, "ret", FD(EXT_FILE), IC64_FS_IOC_GETFLAGS, a);
	ic_rec_out(r, "out", a, 8);
}

static void c_ext_getversion(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	/* i_generation of the same inode */
	ic_do(r, "ret", FD(EXT_FILE), IC32_FS_IOC_GETVERSION, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_ext_dir_getflags(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	ic_do(r, "ret", FD(EXT_DIR), IC32_FS_IOC_GETFLAGS, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_ext_fsgetxattr(struct ic_rec *r)
{
	uint32_t a = ic_out(sizeof(struct ic32_fsxattr));

	ic_do(r, "ret", FD(EXT_FILE), IC32_FS_IOC_FSGETXATTR, a);
	ic_rec_out(r, "out", a, sizeof(struct ic32_fsxattr));
}

static void c_ext_fiemap(struct ic_rec *r)
{
	size_t n = sizeof(struct ic32_fiemap) + 4 * sizeof(struct ic32_fiemap_extent);
	struct ic32_fiemap fm = { .fm_start = 0, .fm_length = ~0ull,
				  .fm_flags = FIEMAP_FLAG_SYNC, .fm_extent_count = 4 };
	uint32_t a = ic_out(n);

	memcpy(ic_ptr(a), &fm, sizeof(fm));
	ic_do(r, "ret", FD(EXT_FILE), IC32_FS_IOC_FIEMAP, a);
	ic_rec_out(r, "out", a, n);
}

static void c_ext_fibmap(struct ic_rec *r)
{
	uint32_t a = out_int(1);

	/* block 1 of the same file: the same physical block */
	ic_do(r, "ret", FD(EXT_FILE), IC32_FIBMAP, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_ext_figetbsz(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	ic_do(r, "ret", FD(EXT_FILE), IC32_FIGETBSZ, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_ext_fionread(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	lseek(FD(EXT_FILE), 1234, SEEK_SET);
	ic_do(r, "ret", FD(EXT_FILE), IC32_FIONREAD, a);
	ic_rec_out(r, "out", a, 4);
	lseek(FD(EXT_FILE), 0, SEEK_SET);
}

static void c_ext_resvsp(struct ic_rec *r)
{
	struct ic32_space_resv sr;
	uint32_t a;

	memset(&sr, 0, sizeof(sr));
	sr.l_whence = SEEK_SET;
	sr.l_start = 8192;
	sr.l_len = 4096;
	a = out_copy(&sr, sizeof(sr));
	ic_do(r, "ret", FD(EXT_FILE), IC32_FS_IOC_RESVSP, a);
}

static void c_ext_unknown(struct ic_rec *r)
{
	uint32_t a = ic_out(8);

	ic_do(r, "ret", FD(EXT_FILE), IC_IOR('f', 0x7e, 8), a);
	ic_rec_out(r, "out", a, 8);
}

static void fat_readdir_common(struct ic_rec *r, uint32_t cmd, int edge)
{
	size_t n = 2 * sizeof(struct ic32_fat_dirent);
	char label[16];
	uint32_t a;
	long ret;
	int i;

	/* the shared directory description: rewind it first */
	lseek(FD(FAT_DIR), 0, SEEK_SET);
	for (i = 0; i < 3; i++) {
		a = edge ? ic_out_edge(n) : ic_out(n);
		snprintf(label, sizeof(label), "ret%d", i);
		ret = ic_do(r, label, FD(FAT_DIR), cmd, a);
		snprintf(label, sizeof(label), "out%d", i);
		if (edge)
			ic_rec_hex(r, label, ic_ptr(a), n);
		else
			ic_rec_out(r, label, a, n);
		if (ret <= 0)
			break;
	}
	lseek(FD(FAT_DIR), 0, SEEK_SET);
}

static void c_fat_readdir_both(struct ic_rec *r)
{
	fat_readdir_common(r, IC32_VFAT_IOCTL_READDIR_BOTH, 0);
}

static void c_fat_readdir_short(struct ic_rec *r)
{
	fat_readdir_common(r, IC32_VFAT_IOCTL_READDIR_SHORT, 0);
}

static void c_fat_readdir_edge(struct ic_rec *r)
{
	fat_readdir_common(r, IC32_VFAT_IOCTL_READDIR_BOTH, 1);
}

static void c_fat_readdir_badptr(struct ic_rec *r)
{
	if (!need_unmapped(r, IC_BAD_ADDR_LOW))
		return;
	lseek(FD(FAT_DIR), 0, SEEK_SET);
	ic_do(r, "ret", FD(FAT_DIR), IC32_VFAT_IOCTL_READDIR_BOTH, IC_BAD_ADDR_LOW);
	lseek(FD(FAT_DIR), 0, SEEK_SET);
}

static void c_fat_readdir_file(struct ic_rec *r)
{
	uint32_t a = ic_out(2 * sizeof(struct ic32_fat_dirent));

	ic_do(r, "ret", FD(FAT_FILE), IC32_VFAT_IOCTL_READDIR_BOTH, a);
}

static void c_fat_get_attributes(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	ic_do(r, "ret", FD(FAT_FILE), IC32_FAT_IOCTL_GET_ATTRIBUTES, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_fat_set_attributes(struct ic_rec *r)
{
	uint32_t orig = 0, nat = 0;
	uint32_t g;

	/* FAT_IOCTL_*_ATTRIBUTES take a __u32 *: one number in both ABIs */
	if (ioctl(FD(FAT_FILE), FAT_IOCTL_GET_ATTRIBUTES, &orig) < 0) {
		ic_rec_add(r, "native_get=-1:%s", ic_errname(errno));
		return;
	}
	ic_do(r, "set", FD(FAT_FILE), IC32_FAT_IOCTL_SET_ATTRIBUTES,
	      out_int((int32_t)(orig | ATTR_SYS)));
	if (ioctl(FD(FAT_FILE), FAT_IOCTL_GET_ATTRIBUTES, &nat) < 0)
		ic_rec_add(r, "native=-1:%s", ic_errname(errno));
	else
		ic_rec_add(r, "native=0x%x", nat);
	g = ic_out(4);
	ic_do(r, "get", FD(FAT_FILE), IC32_FAT_IOCTL_GET_ATTRIBUTES, g);
	ic_rec_out(r, "out", g, 4);
	ioctl(FD(FAT_FILE), FAT_IOCTL_SET_ATTRIBUTES, &orig);
}

static void c_fat_get_volume_id(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	/* the same volume */
	ic_do(r, "ret", FD(FAT_FILE), IC32_FAT_IOCTL_GET_VOLUME_ID, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_fat_getflags(struct ic_rec *r)
{
	uint32_t a = ic_out(4);

	ic_do(r, "ret", FD(FAT_FILE), IC32_FS_IOC_GETFLAGS, a);
	ic_rec_out(r, "out", a, 4);
}

static void c_fat_unknown(struct ic_rec *r)
{
	uint32_t a = ic_out(8);

	ic_do(r, "ret", FD(FAT_FILE), IC_IOR('r', 0x7e, 8), a);
	ic_rec_out(r, "out", a, 8);
}

/* ------------------------------------------------------------------ */
/* errors: bad descriptors, bad pointers, unknown commands, files      */
/* without an ioctl of their own                                       */
/* ------------------------------------------------------------------ */

static void c_badfd(struct ic_rec *r)
{
	uint32_t a = ic_out(64);

	if (fcntl(IC_BAD_FD, F_GETFD) >= 0) {
		r->skip = "the test's closed descriptor is open";
		return;
	}
	ic_do(r, "tcgets", IC_BAD_FD, IC32_TCGETS, a);
	ic_do(r, "fionread", IC_BAD_FD, IC32_FIONREAD, a);
	ic_do(r, "fioclex", IC_BAD_FD, IC32_FIOCLEX, 0);
	ic_do(r, "fionbio", IC_BAD_FD, IC32_FIONBIO, a);
	ic_do(r, "fioqsize", IC_BAD_FD, IC32_FIOQSIZE, a);
	ic_do(r, "loop", IC_BAD_FD, IC32_LOOP_GET_STATUS, a);
	ic_do(r, "getflags", IC_BAD_FD, IC32_FS_IOC_GETFLAGS, a);
	ic_do(r, "minus1", -1, IC32_TCGETS, a);
	ic_do(r, "huge", 0x7fffffff, IC32_FIONREAD, a);
	ic_rec_out(r, "out", a, 64);
}

static void c_badptr_generic(struct ic_rec *r)
{
	if (!need_unmapped(r, IC_BAD_ADDR_LOW) || !need_unmapped(r, IC_BAD_ADDR_HIGH) ||
	    !need_unmapped(r, 0x80000000u))
		return;
	pipe_fill(10);
	ic_do(r, "fionread_pipe", FD(PIPE_R), IC32_FIONREAD, IC_BAD_ADDR_LOW);
	ic_do(r, "fionread_pipe_high", FD(PIPE_R), IC32_FIONREAD, IC_BAD_ADDR_HIGH);
	ic_do(r, "fionread_pipe_mid", FD(PIPE_R), IC32_FIONREAD, 0x80000000u);
	ic_do(r, "fionread_file", FD(FILE), IC32_FIONREAD, IC_BAD_ADDR_LOW);
	ic_do(r, "fionbio", FD(PIPE_R), IC32_FIONBIO, IC_BAD_ADDR_LOW);
	rec_fl(r, "fl", FD(PIPE_R));
	ic_do(r, "fioasync", FD(PIPE_R), IC32_FIOASYNC, IC_BAD_ADDR_LOW);
	ic_do(r, "fioqsize", FD(FILE), IC32_FIOQSIZE, IC_BAD_ADDR_LOW);
	ic_do(r, "figetbsz", FD(FILE), IC32_FIGETBSZ, IC_BAD_ADDR_LOW);
	ic_do(r, "getflags", FD(FILE3), IC32_FS_IOC_GETFLAGS, IC_BAD_ADDR_LOW);
	ic_do(r, "setflags", FD(FILE3), IC32_FS_IOC_SETFLAGS, IC_BAD_ADDR_LOW);
	ic_do(r, "fsgetxattr", FD(FILE3), IC32_FS_IOC_FSGETXATTR, IC_BAD_ADDR_LOW);
	pipe_fill(0);
	set_fl(FD(PIPE_R), 0, O_NONBLOCK | O_ASYNC);
}

static void c_unknown_cmds(struct ic_rec *r)
{
	uint32_t a = ic_out(32);

	ic_do(r, "pipe", FD(PIPE_R), IC_IOR('Z', 0x44, 8), a);
	ic_do(r, "pipe_none", FD(PIPE_R), IC_IO('Z', 0x45), 0);
	ic_do(r, "file", FD(FILE), IC_IOWR('Z', 0x46, 8), a);
	ic_do(r, "dir", FD(DIR), IC_IOR('Z', 0x47, 8), a);
	ic_do(r, "null", FD(NULL), IC_IOR('Z', 0x48, 8), a);
	ic_do(r, "zero_cmd", FD(FILE), 0, a);
	ic_do(r, "all_ones", FD(FILE), 0xffffffffu, a);
	ic_rec_out(r, "out", a, 32);
}

static void c_proc_stat(struct ic_rec *r)
{
	uint32_t a = ic_out(64);

	/* /proc/<pid>/stat: a regular file with no ioctl at all */
	lseek(FD(PROC), 0, SEEK_SET);
	ic_do(r, "tcgets", FD(PROC), IC32_TCGETS, a);
	ic_do(r, "fionread", FD(PROC), IC32_FIONREAD, a);
	ic_rec_out(r, "fionread_out", a, 4);
	ic_do(r, "fioqsize", FD(PROC), IC32_FIOQSIZE, a);
	ic_rec_out(r, "fioqsize_out", a, 8);
	ic_do(r, "getflags", FD(PROC), IC32_FS_IOC_GETFLAGS, a);
	ic_do(r, "loop", FD(PROC), IC32_LOOP_GET_STATUS, a);
	ic_do(r, "figetbsz", FD(PROC), IC32_FIGETBSZ, a);
	ic_rec_out(r, "figetbsz_out", a, 4);
}

static void c_devnull(struct ic_rec *r)
{
	uint32_t a = ic_out(64);

	ic_do(r, "tcgets", FD(NULL), IC32_TCGETS, a);
	ic_do(r, "fioqsize", FD(NULL), IC32_FIOQSIZE, a);
	ic_do(r, "getflags", FD(NULL), IC32_FS_IOC_GETFLAGS, a);
	ic_do(r, "fionbio", FD(NULL), IC32_FIONBIO, out_int(0));
	ic_rec_out(r, "out", a, 64);
}

static void c_dir_cmds(struct ic_rec *r)
{
	uint32_t a = ic_out(64);

	ic_do(r, "tcgets", FD(DIR), IC32_TCGETS, a);
	ic_do(r, "figetbsz", FD(DIR), IC32_FIGETBSZ, a);
	ic_rec_out(r, "figetbsz_out", a, 4);
	ic_do(r, "loop", FD(DIR), IC32_LOOP_GET_STATUS, a);
}

/* ------------------------------------------------------------------ */
/* the table                                                           */
/* ------------------------------------------------------------------ */

#define N(r) IC_NEED(IC_RES_##r)
#define C(n, g, nd, d) { .name = #n, .group = g, .needs = nd, .run = c_##n, .desc = d }
/* A row: a shared case function with its arguments (cmd, str, val). */
#define R(n, g, nd, fn, c, s, v, d) \
	{ .name = #n, .group = g, .needs = nd, .row = fn, .cmd = c, .str = s, .val = v, .desc = d }

const struct ic_case ic_cases[] = {
	/* tty */
	C(tcgets, "tty", N(PTM) | N(PTS), "TCGETS on a pty slave"),
	C(tcgets_master, "tty", N(PTM) | N(PTS), "TCGETS on a pty master"),
	C(tcsets, "tty", N(PTM) | N(PTS), "TCSETS then TCGETS"),
	C(tcsetsw, "tty", N(PTM) | N(PTS), "TCSETSW then TCGETS"),
	C(tcsetsf, "tty", N(PTM) | N(PTS), "TCSETSF then TCGETS"),
	C(tcgets2, "tty", N(PTM) | N(PTS), "TCGETS2"),
	C(tiocglcktrmios, "tty", N(PTM) | N(PTS), "TIOCGLCKTRMIOS"),
	C(winsz, "tty", N(PTM) | N(PTS), "TIOCSWINSZ then TIOCGWINSZ (slave, master)"),
	C(tiocgptn, "tty", N(PTM), "TIOCGPTN on the master"),
	C(tiocgptn_slave, "tty", N(PTS), "TIOCGPTN on the slave"),
	C(tiocgptpeer, "tty", N(PTM) | N(PTS), "TIOCGPTPEER O_RDWR|O_NOCTTY"),
	C(tiocgptpeer_cloexec, "tty", N(PTM) | N(PTS), "TIOCGPTPEER O_CLOEXEC|O_NONBLOCK"),
	C(tiocgptpeer_slave, "tty", N(PTS), "TIOCGPTPEER on the slave"),
	C(tiocgserial_pty, "tty", N(PTS), "TIOCGSERIAL on a pty"),
	C(tiocgserial, "tty", N(SERIAL), "TIOCGSERIAL on a serial port (serial_struct32)"),
	C(tiocgserial_edge, "tty", N(SERIAL), "TIOCGSERIAL, struct at a page end"),
	C(serial_tcgets, "tty", N(SERIAL), "TCGETS on a serial port"),
	C(fionread_pty, "tty", N(PTM) | N(PTS), "FIONREAD on a pty slave with a line queued"),
	C(tiocoutq, "tty", N(PTM) | N(PTS), "TIOCOUTQ"),
	C(tcflsh, "tty", N(PTM) | N(PTS), "TCFLSH by value, valid and invalid"),
	C(tiocgpgrp, "tty", N(PTS), "TIOCGPGRP/TIOCGSID on a non-controlling tty"),
	C(tty_unknown, "tty", N(PTS), "unknown 'T' command on a tty"),
	C(tty_badptr, "tty", N(PTM) | N(PTS), "bad pointers to tty commands"),
	C(fionbio_tty, "tty", N(PTS), "FIONBIO on a tty + F_GETFL"),
	C(fioasync_tty, "tty", N(PTS), "FIOASYNC on a tty + F_GETFL"),

	/* generic file commands */
	C(fionread_pipe, "file", N(PIPE_R) | N(PIPE_W), "FIONREAD on a pipe (123 bytes)"),
	C(fionread_pipe_empty, "file", N(PIPE_R) | N(PIPE_W), "FIONREAD on an empty pipe"),
	C(fionread_file, "file", N(FILE), "FIONREAD on a regular file (i_size - pos)"),
	C(fionread_file_eof, "file", N(FILE), "FIONREAD on a regular file, pos past EOF"),
	C(fionread_dir, "file", N(DIR), "FIONREAD on a directory"),
	C(fionread_inotify, "file", N(INOTIFY), "FIONREAD on an inotify fd"),
	C(fionread_null, "file", N(NULL), "FIONREAD on /dev/null"),
	C(fionbio, "file", N(PIPE_R) | N(PIPE_W), "FIONBIO on/off + F_GETFL"),
	C(fioclex, "file", N(FILE), "FIOCLEX/FIONCLEX + F_GETFD"),
	C(fioasync_pipe, "file", N(PIPE_R) | N(PIPE_W), "FIOASYNC on a pipe + F_GETFL"),
	C(fioasync_file, "file", N(FILE), "FIOASYNC on a regular file (no fasync)"),
	R(fioqsize_file, "file", N(FILE), fioqsize_common_row, IC32_FIOQSIZE, NULL, FD(FILE), "FIOQSIZE on a regular file"),
	R(fioqsize_dir, "file", N(DIR), fioqsize_common_row, IC32_FIOQSIZE, NULL, FD(DIR), "FIOQSIZE on a directory"),
	R(fioqsize_pipe, "file", N(PIPE_R), fioqsize_common_row, IC32_FIOQSIZE, NULL, FD(PIPE_R), "FIOQSIZE on a pipe"),
	R(fioqsize_generic, "file", N(FILE), fioqsize_common_row, IC_GENERIC_FIOQSIZE, NULL, FD(FILE), "FIOQSIZE, asm-generic number (0x5460)"),
	C(figetbsz, "file", N(FILE), "FIGETBSZ on a tmpfs file"),
	C(fibmap, "file", N(FILE), "FIBMAP on a tmpfs file"),
	C(getflags_tmpfs, "file", N(FILE3), "FS_IOC32_GETFLAGS on a tmpfs file"),
	C(setflags_tmpfs, "file", N(FILE3), "FS_IOC32_SETFLAGS then GETFLAGS on tmpfs"),
	C(getflags_lp64num, "file", N(FILE3), "FS_IOC_GETFLAGS LP64 number on tmpfs"),
	C(getflags_pipe, "file", N(PIPE_R), "FS_IOC32_GETFLAGS on a pipe"),
	C(getflags_dir, "file", N(DIR), "FS_IOC32_GETFLAGS on a tmpfs directory"),
	C(getversion_tmpfs, "file", N(FILE3), "FS_IOC32_GETVERSION on tmpfs"),
	C(fsgetxattr_tmpfs, "file", N(FILE3), "FS_IOC_FSGETXATTR on tmpfs"),
	C(ficlone, "file", N(FILE2) | N(FILE3), "FICLONE (fd by value) on tmpfs"),
	C(ficlonerange, "file", N(FILE2) | N(FILE3), "FICLONERANGE on tmpfs"),
	C(fiemap, "file", N(FILE), "FS_IOC_FIEMAP on tmpfs"),
	C(resvsp, "file", N(FILE3), "FS_IOC_RESVSP (space_resv_32 on x86)"),
	C(unresvsp, "file", N(FILE3), "FS_IOC_UNRESVSP (space_resv_32 on x86)"),
	C(file_unknown, "file", N(FILE), "unknown command on a regular file"),

	/* loop and block */
	C(loop_get_status, "loop", N(LOOP), "LOOP_GET_STATUS (compat_loop_info)"),
	C(loop_set_status, "loop", N(LOOP), "LOOP_SET_STATUS then LOOP_GET_STATUS"),
	C(loop_get_status_edge, "loop", N(LOOP), "LOOP_GET_STATUS, struct at a page end"),
	C(loop_set_status_edge, "loop", N(LOOP), "LOOP_SET_STATUS, struct at a page end"),
	C(loop_get_status64, "loop", N(LOOP), "LOOP_GET_STATUS64"),
	C(loop_badptr, "loop", N(LOOP), "LOOP_{GET,SET}_STATUS with a bad pointer"),
	R(blkgetsize, "loop", N(LOOP), blk_common_row, IC32_BLKGETSIZE, NULL, 4, "BLKGETSIZE (unsigned long)"),
	C(blkgetsize_edge, "loop", N(LOOP), "BLKGETSIZE, value at a page end"),
	C(blkraget_edge, "loop", N(LOOP), "BLKRAGET, value at a page end"),
	R(blkgetsize64, "loop", N(LOOP), blk_common_row, IC32_BLKGETSIZE64, NULL, 8, "BLKGETSIZE64 (32-bit number)"),
	R(blkbszget, "loop", N(LOOP), blk_common_row, IC32_BLKBSZGET, NULL, 4, "BLKBSZGET (32-bit number)"),
	R(blksszget, "loop", N(LOOP), blk_common_row, IC32_BLKSSZGET, NULL, 4, "BLKSSZGET"),
	R(blkpbszget, "loop", N(LOOP), blk_common_row, IC32_BLKPBSZGET, NULL, 4, "BLKPBSZGET"),
	R(blkraget, "loop", N(LOOP), blk_common_row, IC32_BLKRAGET, NULL, 4, "BLKRAGET (long)"),
	R(blkroget, "loop", N(LOOP), blk_common_row, IC32_BLKROGET, NULL, 4, "BLKROGET"),
	R(blksectget, "loop", N(LOOP), blk_common_row, IC32_BLKSECTGET, NULL, 2, "BLKSECTGET (unsigned short)"),
	R(hdio_getgeo, "loop", N(LOOP), blk_common_row, IC32_HDIO_GETGEO, NULL, sizeof(struct ic32_hd_geometry), "HDIO_GETGEO (hd_geometry32)"),
	R(loop_unknown, "loop", N(LOOP), blk_common_row, IC_IOR('L', 0x7e, 8), NULL, 8, "unknown 'L' command on a loop device"),

	/* sockets */
	C(ifconf, "net", N(INET), "SIOCGIFCONF, room for 4 (compat_ifconf)"),
	C(ifconf_query, "net", N(INET), "SIOCGIFCONF, NULL buffer: length query"),
	C(ifconf_small, "net", N(INET), "SIOCGIFCONF, buffer smaller than one entry"),
	C(ifconf_odd, "net", N(INET), "SIOCGIFCONF, 1.5 entries of room"),
	C(ifconf_edge, "net", N(INET), "SIOCGIFCONF, ifconf at a page end"),
	C(ifconf_badbuf, "net", N(INET), "SIOCGIFCONF, unmapped ifc_buf"),
	C(ifconf_badptr, "net", N(INET), "SIOCGIFCONF, unmapped ifconf"),
	R(ifflags_edge, "net", N(INET), ifreq_edge_row, IC32_SIOCGIFFLAGS, "lo", 0, "SIOCGIFFLAGS lo, ifreq at a page end"),
	R(ifindex_edge, "net", N(INET), ifreq_edge_row, IC32_SIOCGIFINDEX, "lo", 0, "SIOCGIFINDEX lo, ifreq at a page end"),
	R(ifname_edge, "net", N(INET), ifreq_edge_row, IC32_SIOCGIFNAME, NULL, 1, "SIOCGIFNAME 1, ifreq at a page end"),
	R(ifaddr_edge, "net", N(INET), ifreq_edge_row, IC32_SIOCGIFADDR, "lo", 0, "SIOCGIFADDR lo, ifreq at a page end"),
	R(ifmap_edge, "net", N(INET), ifreq_edge_row, IC32_SIOCGIFMAP, "lo", 0, "SIOCGIFMAP lo, ifreq at a page end"),
	R(ifflags_lo, "net", N(INET), ifreq_common_row, IC32_SIOCGIFFLAGS, "lo", 0, "SIOCGIFFLAGS lo (compat_ifreq)"),
	R(ifflags_nodev, "net", N(INET), ifreq_common_row, IC32_SIOCGIFFLAGS, "nosuchif0", 0, "SIOCGIFFLAGS on a missing interface"),
	R(ifindex_lo, "net", N(INET), ifreq_common_row, IC32_SIOCGIFINDEX, "lo", 0, "SIOCGIFINDEX lo"),
	R(ifname_1, "net", N(INET), ifreq_common_row, IC32_SIOCGIFNAME, NULL, 1, "SIOCGIFNAME index 1"),
	R(ifname_bad, "net", N(INET), ifreq_common_row, IC32_SIOCGIFNAME, NULL, 99999, "SIOCGIFNAME missing index"),
	R(ifaddr_lo, "net", N(INET), ifreq_common_row, IC32_SIOCGIFADDR, "lo", 0, "SIOCGIFADDR lo"),
	R(ifnetmask_lo, "net", N(INET), ifreq_common_row, IC32_SIOCGIFNETMASK, "lo", 0, "SIOCGIFNETMASK lo"),
	R(ifbrdaddr_lo, "net", N(INET), ifreq_common_row, IC32_SIOCGIFBRDADDR, "lo", 0, "SIOCGIFBRDADDR lo"),
	R(ifmtu_lo, "net", N(INET), ifreq_common_row, IC32_SIOCGIFMTU, "lo", 0, "SIOCGIFMTU lo"),
	R(ifmetric_lo, "net", N(INET), ifreq_common_row, IC32_SIOCGIFMETRIC, "lo", 0, "SIOCGIFMETRIC lo"),
	R(ifhwaddr_lo, "net", N(INET), ifreq_common_row, IC32_SIOCGIFHWADDR, "lo", 0, "SIOCGIFHWADDR lo"),
	R(ifmap_lo, "net", N(INET), ifreq_common_row, IC32_SIOCGIFMAP, "lo", 0, "SIOCGIFMAP lo (compat ifmap)"),
	R(iftxqlen_lo, "net", N(INET), ifreq_common_row, IC32_SIOCGIFTXQLEN, "lo", 0, "SIOCGIFTXQLEN lo"),
	C(ifreq_badptr, "net", N(INET), "ifreq commands with a bad pointer"),
	C(sifmtu_lo, "net", N(INET), "SIOCSIFMTU lo then native SIOCGIFMTU"),
	C(fionread_udp, "net", N(UDP_STAMPED), "FIONREAD (SIOCINQ) on a UDP socket"),
	C(siocgstamp, "net", N(UDP_STAMPED), "SIOCGSTAMP_OLD (compat timeval)"),
	C(siocgstamp_edge, "net", N(UDP_STAMPED), "SIOCGSTAMP_OLD, timeval at a page end"),
	C(siocgstampns, "net", N(UDP_STAMPED), "SIOCGSTAMPNS_OLD (compat timespec)"),
	C(siocgstamp_none, "net", N(INET), "SIOCGSTAMP_OLD with nothing received"),
	C(sock_unknown, "net", N(INET), "unknown command on a socket"),

	/* DRM */
	C(drm_version_edge, "drm", N(DRM), "DRM_IOCTL_VERSION, struct at a page end"),
	C(drm_get_unique_edge, "drm", N(DRM), "DRM_IOCTL_GET_UNIQUE, struct at a page end"),
	C(drm_version_len, "drm", N(DRM), "DRM_IOCTL_VERSION, lengths only"),
	C(drm_version, "drm", N(DRM), "DRM_IOCTL_VERSION (drm_version32)"),
	C(drm_version_short, "drm", N(DRM), "DRM_IOCTL_VERSION, short buffers"),
	C(drm_version_badbuf, "drm", N(DRM), "DRM_IOCTL_VERSION, unmapped name buffer"),
	C(drm_version_badptr, "drm", N(DRM), "DRM_IOCTL_VERSION, unmapped struct"),
	C(drm_version_lp64num, "drm", N(DRM), "DRM_IOCTL_VERSION, LP64 number"),
	C(drm_get_unique, "drm", N(DRM), "DRM_IOCTL_GET_UNIQUE (drm_unique32)"),
	C(drm_getclient0, "drm", N(DRM), "DRM_IOCTL_GET_CLIENT idx 0 (drm_client32)"),
	C(drm_getclient1, "drm", N(DRM), "DRM_IOCTL_GET_CLIENT idx 1"),
	C(drm_getclient_edge, "drm", N(DRM), "DRM_IOCTL_GET_CLIENT, struct at a page end"),
	C(drm_getstats, "drm", N(DRM), "DRM_IOCTL_GET_STATS (drm_stats32)"),
	C(drm_get_cap, "drm", N(DRM), "DRM_IOCTL_GET_CAP"),
	C(drm_getresources, "drm", N(DRM), "DRM_IOCTL_MODE_GETRESOURCES counts"),
	C(drm_unknown, "drm", N(DRM), "unknown driver DRM command"),

	/* RTC */
	C(rtc_rd_time, "rtc", N(RTC), "RTC_RD_TIME"),
	C(rtc_alm_read, "rtc", N(RTC), "RTC_ALM_READ"),
	C(rtc_wkalm_rd, "rtc", N(RTC), "RTC_WKALM_RD"),
	C(rtc_irqp_read, "rtc", N(RTC), "RTC_IRQP_READ (unsigned long -> u32)"),
	C(rtc_irqp_read_edge, "rtc", N(RTC), "RTC_IRQP_READ, value at a page end"),
	C(rtc_irqp_set, "rtc", N(RTC), "RTC_IRQP_SET by value, then read"),
	C(rtc_irqp_read_lp64num, "rtc", N(RTC), "RTC_IRQP_READ, LP64 number"),
	C(rtc_epoch_read, "rtc", N(RTC), "RTC_EPOCH_READ (32-bit number)"),
	C(rtc_param_get, "rtc", N(RTC), "RTC_PARAM_GET features"),
	C(rtc_badptr, "rtc", N(RTC), "RTC commands with a bad pointer"),

	/* input */
	R(ev_version, "input", N(EVDEV), ev_common_row, IC32_EVIOCGVERSION, NULL, 4, "EVIOCGVERSION"),
	R(ev_id, "input", N(EVDEV), ev_common_row, IC32_EVIOCGID, NULL, sizeof(struct ic32_input_id), "EVIOCGID"),
	R(ev_name, "input", N(EVDEV), ev_common_row, IC32_EVIOCGNAME(64), NULL, 64, "EVIOCGNAME(64)"),
	R(ev_name_short, "input", N(EVDEV), ev_common_row, IC32_EVIOCGNAME(5), NULL, 5, "EVIOCGNAME(5), truncated"),
	R(ev_phys, "input", N(EVDEV), ev_common_row, IC32_EVIOCGPHYS(64), NULL, 64, "EVIOCGPHYS"),
	R(ev_uniq, "input", N(EVDEV), ev_common_row, IC32_EVIOCGUNIQ(64), NULL, 64, "EVIOCGUNIQ"),
	R(ev_bit_ev, "input", N(EVDEV), ev_common_row, IC32_EVIOCGBIT(0, 32), NULL, 32, "EVIOCGBIT(0) (compat long rounding)"),
	R(ev_bit_key, "input", N(EVDEV), ev_common_row, IC32_EVIOCGBIT(EV_KEY, 128), NULL, 128, "EVIOCGBIT(EV_KEY)"),
	R(ev_bit_rel, "input", N(EVDEV), ev_common_row, IC32_EVIOCGBIT(EV_REL, 32), NULL, 32, "EVIOCGBIT(EV_REL) (compat long rounding)"),
	R(ev_bit_sw, "input", N(EVDEV), ev_common_row, IC32_EVIOCGBIT(EV_SW, 32), NULL, 32, "EVIOCGBIT(EV_SW) (compat long rounding)"),
	R(ev_key, "input", N(EVDEV), ev_common_row, IC32_EVIOCGKEY(128), NULL, 128, "EVIOCGKEY"),
	C(ev_mask, "input", N(EVDEV), "EVIOCGMASK"),
	C(ev_grab, "input", N(EVDEV), "EVIOCGRAB by value"),
	R(ev_unknown, "input", N(EVDEV), ev_common_row, IC_IOR('E', 0xee, 16), NULL, 16, "unknown 'E' command"),
	C(uinput_version, "input", N(UINPUT), "UI_GET_VERSION"),
	C(uinput_sysname, "input", N(UINPUT), "UI_GET_SYSNAME"),
	C(uinput_set_phys_created, "input", N(UINPUT), "UI_SET_PHYS after creation"),
	C(uinput_set_phys, "input", N(UINPUT_DEV), "UI_SET_PHYS (char *) read back via evdev"),

	/* filesystems with their own compat_ioctl */
	C(ext_getflags, "fs", N(EXT_FILE), "FS_IOC32_GETFLAGS on ext2"),
	C(ext_setflags, "fs", N(EXT_FILE), "FS_IOC32_SETFLAGS then GETFLAGS on ext2"),
	C(ext_getflags_lp64num, "fs", N(EXT_FILE), "FS_IOC_GETFLAGS LP64 number on ext2"),
	C(ext_getversion, "fs", N(EXT_FILE), "FS_IOC32_GETVERSION on ext2"),
	C(ext_dir_getflags, "fs", N(EXT_DIR), "FS_IOC32_GETFLAGS on an ext2 directory"),
	C(ext_fsgetxattr, "fs", N(EXT_FILE), "FS_IOC_FSGETXATTR on ext2"),
	C(ext_fiemap, "fs", N(EXT_FILE), "FS_IOC_FIEMAP with extents on ext2"),
	C(ext_fibmap, "fs", N(EXT_FILE), "FIBMAP on ext2"),
	C(ext_figetbsz, "fs", N(EXT_FILE), "FIGETBSZ on ext2"),
	R(ext_fioqsize, "fs", N(EXT_FILE), fioqsize_common_row, IC32_FIOQSIZE, NULL, FD(EXT_FILE), "FIOQSIZE on ext2"),
	C(ext_fionread, "fs", N(EXT_FILE), "FIONREAD on ext2 (i_size - pos)"),
	C(ext_resvsp, "fs", N(EXT_FILE), "FS_IOC_RESVSP on ext2"),
	C(ext_unknown, "fs", N(EXT_FILE), "unknown 'f' command on ext2"),
	C(fat_readdir_both, "fs", N(FAT_DIR) | N(FAT_FILE), "VFAT_IOCTL_READDIR_BOTH (compat dirent)"),
	C(fat_readdir_short, "fs", N(FAT_DIR) | N(FAT_FILE), "VFAT_IOCTL_READDIR_SHORT"),
	C(fat_readdir_edge, "fs", N(FAT_DIR) | N(FAT_FILE), "VFAT_IOCTL_READDIR_BOTH, dirents at a page end"),
	C(fat_readdir_badptr, "fs", N(FAT_DIR) | N(FAT_FILE), "VFAT_IOCTL_READDIR_BOTH, bad pointer"),
	C(fat_readdir_file, "fs", N(FAT_FILE), "VFAT_IOCTL_READDIR_BOTH on a file"),
	C(fat_get_attributes, "fs", N(FAT_FILE), "FAT_IOCTL_GET_ATTRIBUTES"),
	C(fat_set_attributes, "fs", N(FAT_FILE), "FAT_IOCTL_SET_ATTRIBUTES then GET"),
	C(fat_get_volume_id, "fs", N(FAT_FILE), "FAT_IOCTL_GET_VOLUME_ID"),
	C(fat_getflags, "fs", N(FAT_FILE), "FS_IOC32_GETFLAGS on vfat"),
	R(fat_fioqsize, "fs", N(FAT_FILE), fioqsize_common_row, IC32_FIOQSIZE, NULL, FD(FAT_FILE), "FIOQSIZE on vfat"),
	C(fat_unknown, "fs", N(FAT_FILE), "unknown 'r' command on vfat"),

	/* errors and files without ioctls */
	C(badfd, "err", 0, "closed and invalid descriptors: EBADF"),
	C(badptr_generic, "err", N(PIPE_R) | N(PIPE_W) | N(FILE) | N(FILE3),
	  "VFS commands with unmapped pointers"),
	C(unknown_cmds, "err", N(PIPE_R) | N(FILE) | N(DIR) | N(NULL),
	  "unknown commands on a pipe, file, directory, /dev/null"),
	C(proc_stat, "err", N(PROC), "/proc/PID/stat: no ioctl at all"),
	C(devnull, "err", N(NULL), "/dev/null: no ioctl at all"),
	C(dir_cmds, "err", N(DIR), "device commands on a directory"),
};

const unsigned int ic_ncases = sizeof(ic_cases) / sizeof(ic_cases[0]);

void ic_case_run(const struct ic_case *c, struct ic_rec *r)
{
	if (c->row)
		c->row(r, c);
	else
		c->run(r);
}
