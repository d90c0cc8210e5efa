// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ioctl32_diff.c - the 64-bit driver of the differential ioctl test: sets
 * up the shared objects, runs each case in the 32-bit oracle and through
 * emucompat_ioctl32(), compares the records, prints TAP.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/input.h>
#include <linux/loop.h>
#include <linux/sockios.h>
#include <linux/uinput.h>

#include "emucompat.h"
#include "common_ioctl32.h"
#include "common_tap.h"
#include "ioctl32_diff.h"
#include "lane_expect.h"
#include "oracle_run.h"

#if IC_IS32
#error "ioctl32_diff.c is the 64-bit side"
#endif

#define ARENA_LEN	(1024 * 1024)
#define ORACLE_TIMEOUT_MS 180000

static struct emucompat *ic_ec;
static char ic_oracle[PATH_MAX];

static char ic_tmp_prefix[128];
static int ic_loop_nr = -1;

/* why each object is missing ("" when present) */
static char ic_missing[IC_RES_NR][160];

static const char *const ic_res_names[IC_RES_NR] = {
	[IC_RES_PTM] = "pty master",
	[IC_RES_PTS] = "pty slave",
	[IC_RES_PIPE_R] = "pipe",
	[IC_RES_PIPE_W] = "pipe",
	[IC_RES_FILE] = "tmpfs file",
	[IC_RES_FILE2] = "tmpfs file 2",
	[IC_RES_FILE3] = "tmpfs file 3",
	[IC_RES_DIR] = "tmpfs directory",
	[IC_RES_LOOP] = "loop device",
	[IC_RES_INET] = "AF_INET socket",
	[IC_RES_UDP_STAMPED] = "UDP socket",
	[IC_RES_DRM] = "/dev/dri/card0",
	[IC_RES_RTC] = "/dev/rtc0",
	[IC_RES_UINPUT] = "uinput device",
	[IC_RES_EVDEV] = "evdev node",
	[IC_RES_SERIAL] = "serial port",
	[IC_RES_PROC] = "/proc/self/stat",
	[IC_RES_NULL] = "/dev/null",
	[IC_RES_INOTIFY] = "inotify",
	[IC_RES_UINPUT_DEV] = "/dev/uinput",
	[IC_RES_EXT_FILE] = "ext2 file",
	[IC_RES_EXT_DIR] = "ext2 directory",
	[IC_RES_FAT_FILE] = "vfat file",
	[IC_RES_FAT_DIR] = "vfat directory",
};

/* mount points to take down at the end */
static char ic_mounts[2][200];

static long ec_ioctl32_prim(int fd, uint32_t cmd, uint32_t arg)
{
	return emucompat_ioctl32(ic_ec, fd, cmd, arg);
}

static void missing(enum ic_res res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void missing(enum ic_res res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ic_missing[res], sizeof(ic_missing[res]), fmt, ap);
	va_end(ap);
	if (!ic_missing[res][0])
		strcpy(ic_missing[res], "unavailable");
}

/* Move fd to IC_FD(res) (clearing close-on-exec) or record why not. */
static void place(enum ic_res res, int fd, const char *what)
{
	if (fd < 0) {
		missing(res, "%s: %s", what, strerror(errno));
		return;
	}
	if (fd != IC_FD(res)) {
		if (dup2(fd, IC_FD(res)) < 0) {
			missing(res, "dup2: %s", strerror(errno));
			close(fd);
			return;
		}
		close(fd);
	} else {
		fcntl(fd, F_SETFD, 0);
	}
	ic_missing[res][0] = '\0';
}

/* Write @size bytes of a letter pattern starting at @first, rewind; 0 or -1. */
static int fill_fd(int fd, size_t size, char first)
{
	char buf[4096];
	size_t done = 0, i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(first + i % 26);
	while (done < size) {
		size_t n = size - done < sizeof(buf) ? size - done : sizeof(buf);

		if (write(fd, buf, n) != (ssize_t)n)
			return -1;
		done += n;
	}
	return lseek(fd, 0, SEEK_SET) < 0 ? -1 : 0;
}

static int tmpfile_with(const char *tag, size_t size, int unlink_it)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s.%s", ic_tmp_prefix, tag);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (fill_fd(fd, size, 'a')) {
		close(fd);
		return -1;
	}
	if (unlink_it)
		unlink(path);
	return fd;
}

static void setup_pty(void)
{
	int m, s;

	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0 || grantpt(m) || unlockpt(m)) {
		missing(IC_RES_PTM, "posix_openpt: %s", strerror(errno));
		missing(IC_RES_PTS, "no master");
		return;
	}
	s = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC);
	place(IC_RES_PTM, m, "posix_openpt");
	place(IC_RES_PTS, s, "open pts");
}

static void setup_pipe(void)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC)) {
		missing(IC_RES_PIPE_R, "pipe: %s", strerror(errno));
		missing(IC_RES_PIPE_W, "pipe: %s", strerror(errno));
		return;
	}
	place(IC_RES_PIPE_R, p[0], "pipe");
	place(IC_RES_PIPE_W, p[1], "pipe");
}

static void setup_files(void)
{
	char path[256];
	int fd;

	place(IC_RES_FILE, tmpfile_with("file", IC_FILE_SIZE, 1), "tmpfs file");
	place(IC_RES_FILE2, tmpfile_with("file2", IC_FILE2_SIZE, 1), "tmpfs file 2");
	place(IC_RES_FILE3, tmpfile_with("file3", 0, 1), "tmpfs file 3");

	snprintf(path, sizeof(path), "%s.dir", ic_tmp_prefix);
	if (mkdir(path, 0700) && errno != EEXIST) {
		missing(IC_RES_DIR, "mkdir %s: %s", path, strerror(errno));
		missing(IC_RES_INOTIFY, "no directory");
		return;
	}
	place(IC_RES_DIR, open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), "open dir");

	/* inotify with one event queued: IN_CREATE of "x" */
	fd = inotify_init1(IN_CLOEXEC);
	if (fd < 0) {
		missing(IC_RES_INOTIFY, "inotify_init1: %s", strerror(errno));
		return;
	}
	if (inotify_add_watch(fd, path, IN_CREATE) < 0) {
		missing(IC_RES_INOTIFY, "inotify_add_watch: %s", strerror(errno));
		close(fd);
		return;
	}
	snprintf(path, sizeof(path), "%s.dir/x", ic_tmp_prefix);
	close(open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600));
	place(IC_RES_INOTIFY, fd, "inotify");
}

/*
 * Bind @back to a free loop device.  Returns its fd (and number in @nr),
 * or -1 with the reason in @why.
 */
static int loop_attach(int back, int *nr, char *why, size_t whylen)
{
	char path[64];
	int ctl, lfd = -1, tries;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		snprintf(why, whylen, "/dev/loop-control: %s", strerror(errno));
		return -1;
	}
	for (tries = 0; tries < 8; tries++) {
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);

		if (n < 0) {
			snprintf(why, whylen, "LOOP_CTL_GET_FREE: %s", strerror(errno));
			break;
		}
		snprintf(path, sizeof(path), "/dev/loop%d", n);
		lfd = open(path, O_RDWR | O_CLOEXEC);
		if (lfd < 0 && errno == ENOENT &&
		    mknod(path, S_IFBLK | 0600, makedev(7, (unsigned int)n)) == 0)
			lfd = open(path, O_RDWR | O_CLOEXEC);
		if (lfd < 0) {
			snprintf(why, whylen, "open %s: %s", path, strerror(errno));
			break;
		}
		if (ioctl(lfd, LOOP_SET_FD, back) == 0) {
			*nr = n;
			close(ctl);
			return lfd;
		}
		snprintf(why, whylen, "LOOP_SET_FD: %s", strerror(errno));
		close(lfd);
		lfd = -1;
		if (errno != EBUSY)
			break;
	}
	close(ctl);
	return -1;
}

static void setup_loop(void)
{
	char why[160] = "";
	int back, lfd, nr = -1;

	back = tmpfile_with("loop", IC_LOOP_SIZE, 1);
	if (back < 0) {
		missing(IC_RES_LOOP, "backing file: %s", strerror(errno));
		return;
	}
	lfd = loop_attach(back, &nr, why, sizeof(why));
	close(back);
	if (lfd < 0) {
		missing(IC_RES_LOOP, "%s", why);
		return;
	}
	ic_loop_nr = nr;
	place(IC_RES_LOOP, lfd, "loop");
}

/* Run argv (PATH search) with stdout/stderr to /dev/null; 0 on exit 0. */
static int run_quiet(char *const argv[])
{
	int status;
	pid_t pid;

	tap_flush();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/*
 * Make a filesystem image with @mkfs, bind it to a loop device (autoclear)
 * and mount it; returns 0 with the mount point in @mnt, or -1 with @why.
 */
static int mount_image(const char *tag, const char *const mkfs[], const char *const types[],
		       char *mnt, size_t mntlen, char *why, size_t whylen)
{
	struct loop_info64 li;
	char img[256], dev[64];
	int back, lfd, nr, i, err = 0;

	snprintf(img, sizeof(img), "%s.%s.img", ic_tmp_prefix, tag);
	back = open(img, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (back < 0 || ftruncate(back, 4 << 20)) {
		snprintf(why, whylen, "image: %s", strerror(errno));
		if (back >= 0)
			close(back);
		return -1;
	}
	{
		char *argv[8];
		int k;

		for (k = 0; mkfs[k] && k < 6; k++)
			argv[k] = (char *)mkfs[k];
		argv[k++] = img;
		argv[k] = NULL;
		if (run_quiet(argv)) {
			snprintf(why, whylen, "%s failed (is it installed?)", mkfs[0]);
			close(back);
			unlink(img);
			return -1;
		}
	}
	unlink(img);
	lfd = loop_attach(back, &nr, why, whylen);
	close(back);
	if (lfd < 0)
		return -1;
	snprintf(dev, sizeof(dev), "/dev/loop%d", nr);
	snprintf(mnt, mntlen, "%s.%s.mnt", ic_tmp_prefix, tag);
	mkdir(mnt, 0700);
	for (i = 0; types[i]; i++) {
		if (mount(dev, mnt, types[i], 0, NULL) == 0)
			break;
		err = errno;
	}
	if (!types[i]) {
		snprintf(why, whylen, "mount -t %s: %s (module not loaded?)", types[0],
			 strerror(err));
		ioctl(lfd, LOOP_CLR_FD, 0);
		close(lfd);
		rmdir(mnt);
		return -1;
	}
	/* the loop device goes away with the mount */
	memset(&li, 0, sizeof(li));
	if (ioctl(lfd, LOOP_GET_STATUS64, &li) == 0) {
		li.lo_flags |= LO_FLAGS_AUTOCLEAR;
		ioctl(lfd, LOOP_SET_STATUS64, &li);
	}
	close(lfd);
	return 0;
}

static int file_on(const char *dir, const char *name, size_t size)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (fill_fd(fd, size, 'A') || fsync(fd)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void setup_fs(unsigned int needs)
{
	static const char *const ext_types[] = { "ext2", "ext4", NULL };
	static const char *const fat_types[] = { "vfat", NULL };
	/* -F: busybox's mke2fs refuses a regular file without it */
	static const char *const mke2fs[] = { "mke2fs", "-F", NULL };
	static const char *const mkdosfs[] = { "mkdosfs", NULL };
	char why[200];

	if (needs & (IC_NEED(IC_RES_EXT_FILE) | IC_NEED(IC_RES_EXT_DIR))) {
		if (mount_image("ext", mke2fs, ext_types, ic_mounts[0], sizeof(ic_mounts[0]),
				why, sizeof(why))) {
			missing(IC_RES_EXT_FILE, "%s", why);
			missing(IC_RES_EXT_DIR, "%s", why);
			ic_mounts[0][0] = '\0';
		} else {
			place(IC_RES_EXT_FILE, file_on(ic_mounts[0], "file", IC_EXT_FILE_SIZE),
			      "ext2 file");
			place(IC_RES_EXT_DIR, open(ic_mounts[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC),
			      "ext2 directory");
		}
	}
	if (needs & (IC_NEED(IC_RES_FAT_FILE) | IC_NEED(IC_RES_FAT_DIR))) {
		if (mount_image("fat", mkdosfs, fat_types, ic_mounts[1], sizeof(ic_mounts[1]),
				why, sizeof(why))) {
			missing(IC_RES_FAT_FILE, "%s", why);
			missing(IC_RES_FAT_DIR, "%s", why);
			ic_mounts[1][0] = '\0';
		} else {
			/* held open for the whole run: its inode number stays put */
			place(IC_RES_FAT_FILE, file_on(ic_mounts[1], IC_FAT_FILE_NAME,
						       IC_FAT_FILE_SIZE), "vfat file");
			place(IC_RES_FAT_DIR, open(ic_mounts[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC),
			      "vfat directory");
		}
	}
}

static void setup_sockets(void)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	struct pollfd p;
	struct timeval tv;
	char buf[128];
	int s;

	place(IC_RES_INET, socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket");

	/*
	 * A UDP socket that received one datagram (its timestamp is then
	 * fixed: SIOCGSTAMP returns the same value to every caller) and has a
	 * second one of 77 bytes queued (for FIONREAD).
	 */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		missing(IC_RES_UDP_STAMPED, "socket: %s", strerror(errno));
		return;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(s, (struct sockaddr *)&sin, &sl) ||
	    sendto(s, "x", 1, 0, (struct sockaddr *)&sin, sizeof(sin)) != 1 ||
	    recv(s, buf, sizeof(buf), 0) != 1 ||
	    ioctl(s, SIOCGSTAMP, &tv) ||
	    sendto(s, buf, 77, 0, (struct sockaddr *)&sin, sizeof(sin)) != 77) {
		missing(IC_RES_UDP_STAMPED, "UDP setup: %s", strerror(errno));
		close(s);
		return;
	}
	p.fd = s;
	p.events = POLLIN;
	poll(&p, 1, 5000);
	place(IC_RES_UDP_STAMPED, s, "udp");
}

static int find_evdev(const char *sysname)
{
	char path[320];
	struct dirent *de;
	DIR *d;
	int fd = -1, i;

	snprintf(path, sizeof(path), "/sys/class/input/%s", sysname);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "event", 5))
			continue;
		snprintf(path, sizeof(path), "/dev/input/%s", de->d_name);
		/* devtmpfs creates the node synchronously; be patient anyway */
		for (i = 0; i < 50 && fd < 0; i++) {
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				usleep(20000);
		}
		break;
	}
	closedir(d);
	return fd;
}

static void setup_input(void)
{
	struct uinput_setup us;
	struct input_event ev[2];
	char sysname[64];
	int fd, evfd;

	if (access("/dev/uinput", R_OK | W_OK) == 0)
		ic_missing[IC_RES_UINPUT_DEV][0] = '\0';
	else
		missing(IC_RES_UINPUT_DEV, "/dev/uinput: %s", strerror(errno));

	fd = open("/dev/uinput", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		missing(IC_RES_UINPUT, "/dev/uinput: %s", strerror(errno));
		missing(IC_RES_EVDEV, "no uinput");
		return;
	}
	ioctl(fd, UI_SET_EVBIT, EV_KEY);
	ioctl(fd, UI_SET_EVBIT, EV_REL);
	ioctl(fd, UI_SET_EVBIT, EV_SW);
	ioctl(fd, UI_SET_KEYBIT, KEY_A);
	ioctl(fd, UI_SET_KEYBIT, KEY_Z);
	ioctl(fd, UI_SET_KEYBIT, BTN_LEFT);
	ioctl(fd, UI_SET_RELBIT, REL_X);
	ioctl(fd, UI_SET_RELBIT, REL_WHEEL);
	ioctl(fd, UI_SET_SWBIT, SW_LID);
	memset(&us, 0, sizeof(us));
	us.id.bustype = BUS_VIRTUAL;
	us.id.vendor = 0xec32;
	us.id.product = 0x0001;
	us.id.version = 2;
	strcpy(us.name, IC_UINPUT_NAME);
	if (ioctl(fd, UI_DEV_SETUP, &us) || ioctl(fd, UI_DEV_CREATE)) {
		missing(IC_RES_UINPUT, "uinput create: %s", strerror(errno));
		missing(IC_RES_EVDEV, "no uinput device");
		close(fd);
		return;
	}
	memset(sysname, 0, sizeof(sysname));
	if (ioctl(fd, UI_GET_SYSNAME(sizeof(sysname)), sysname) < 0) {
		missing(IC_RES_EVDEV, "UI_GET_SYSNAME: %s", strerror(errno));
		place(IC_RES_UINPUT, fd, "uinput");
		return;
	}
	evfd = find_evdev(sysname);
	if (evfd < 0) {
		missing(IC_RES_EVDEV, "no event node for %s", sysname);
	} else {
		/* hold KEY_A down: EVIOCGKEY then has a bit set */
		memset(ev, 0, sizeof(ev));
		ev[0].type = EV_KEY;
		ev[0].code = KEY_A;
		ev[0].value = 1;
		ev[1].type = EV_SYN;
		ev[1].code = SYN_REPORT;
		if (write(fd, ev, sizeof(ev)) != (ssize_t)sizeof(ev))
			tap_diag("uinput write: %s", strerror(errno));
		place(IC_RES_EVDEV, evfd, "evdev");
	}
	place(IC_RES_UINPUT, fd, "uinput");
}

static void setup_devices(void)
{
	static const char *const serials[] = { "/dev/ttyS0", "/dev/ttyAMA0" };
	unsigned char t[64];
	unsigned int i;
	int fd;

	place(IC_RES_DRM, open("/dev/dri/card0", O_RDWR | O_CLOEXEC), "/dev/dri/card0");
	place(IC_RES_RTC, open("/dev/rtc0", O_RDONLY | O_CLOEXEC), "/dev/rtc0");
	place(IC_RES_PROC, open("/proc/self/stat", O_RDONLY | O_CLOEXEC), "/proc/self/stat");
	place(IC_RES_NULL, open("/dev/null", O_RDWR | O_CLOEXEC), "/dev/null");

	missing(IC_RES_SERIAL, "no /dev/ttyS0 or /dev/ttyAMA0");
	for (i = 0; i < sizeof(serials) / sizeof(serials[0]); i++) {
		fd = open(serials[i], O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (ioctl(fd, TCGETS, t) < 0) {
			close(fd);
			continue;
		}
		place(IC_RES_SERIAL, fd, serials[i]);
		break;
	}
}

static void setup(unsigned int needs)
{
	unsigned int i;

	for (i = 0; i < IC_RES_NR; i++)
		missing((enum ic_res)i, "not set up");
	snprintf(ic_tmp_prefix, sizeof(ic_tmp_prefix), "/tmp/emucompat-ioctl32.%d", (int)getpid());

	if (needs & (IC_NEED(IC_RES_PTM) | IC_NEED(IC_RES_PTS)))
		setup_pty();
	if (needs & (IC_NEED(IC_RES_PIPE_R) | IC_NEED(IC_RES_PIPE_W)))
		setup_pipe();
	if (needs & (IC_NEED(IC_RES_FILE) | IC_NEED(IC_RES_FILE2) | IC_NEED(IC_RES_FILE3) |
		     IC_NEED(IC_RES_DIR) | IC_NEED(IC_RES_INOTIFY)))
		setup_files();
	if (needs & IC_NEED(IC_RES_LOOP))
		setup_loop();
	if (needs & (IC_NEED(IC_RES_INET) | IC_NEED(IC_RES_UDP_STAMPED)))
		setup_sockets();
	if (needs & (IC_NEED(IC_RES_UINPUT) | IC_NEED(IC_RES_EVDEV) | IC_NEED(IC_RES_UINPUT_DEV)))
		setup_input();
	setup_fs(needs);
	setup_devices();

	for (i = 0; i < IC_RES_NR; i++)
		if ((needs & IC_NEED(i)) && ic_missing[i][0])
			tap_diag("%s: %s", ic_res_names[i], ic_missing[i]);
}

static void cleanup(void)
{
	char path[256];
	unsigned int i;

	if (!ic_missing[IC_RES_LOOP][0])
		ioctl(IC_FD(IC_RES_LOOP), LOOP_CLR_FD, 0);
	if (!ic_missing[IC_RES_UINPUT][0])
		ioctl(IC_FD(IC_RES_UINPUT), UI_DEV_DESTROY);
	for (i = 0; i < sizeof(ic_mounts) / sizeof(ic_mounts[0]); i++) {
		if (!ic_mounts[i][0])
			continue;
		close(IC_FD(i ? IC_RES_FAT_FILE : IC_RES_EXT_FILE));
		close(IC_FD(i ? IC_RES_FAT_DIR : IC_RES_EXT_DIR));
		if (umount2(ic_mounts[i], 0) && umount2(ic_mounts[i], MNT_DETACH))
			tap_diag("umount %s: %s", ic_mounts[i], strerror(errno));
		rmdir(ic_mounts[i]);
	}
	if (ic_tmp_prefix[0]) {
		snprintf(path, sizeof(path), "%s.dir/x", ic_tmp_prefix);
		unlink(path);
		snprintf(path, sizeof(path), "%s.dir", ic_tmp_prefix);
		rmdir(path);
	}
}

/*
 * Run the oracle with @arg; its stdout (one line) goes to @out.
 * Returns 0, or -1 with a reason in @out.
 */
static int run_oracle(const char *arg, char *out, size_t outlen)
{
	char *nl;

	if (or_run(ic_oracle, "o32_ioctl", arg, out, outlen, ORACLE_TIMEOUT_MS))
		return -1;
	nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	return 0;
}


/* The mappings below 4 GiB, once, at the first failure: where things went. */
static void diag_low_maps(void)
{
	static int done;
	char line[512];
	FILE *f;

	if (done++)
		return;
	f = fopen("/proc/self/maps", "re");
	if (!f)
		return;
	tap_diag("mappings below 4 GiB of the 64-bit test:");
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo;

		if (sscanf(line, "%llx-", &lo) == 1 && lo < 0x100000000ull) {
			line[strcspn(line, "\n")] = '\0';
			tap_diag("  %s", line);
		}
	}
	fclose(f);
}

/*
 * Make the addresses the bad-pointer cases use inaccessible here as they
 * are in the oracle, when nothing else is there.  Done after the first
 * emucompat_ioctl32() call so as not to steer where the library places
 * its own low memory (the pivot stack).
 */
static void reserve_bad_addresses(void)
{
	static const uint32_t addrs[] = { IC_BAD_ADDR_HIGH, 0x80000000u };
	unsigned int i;

	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		void *p = mmap((void *)(uintptr_t)(addrs[i] & ~4095u), 4096, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_NORESERVE,
			       -1, 0);

		if (p != MAP_FAILED && p != (void *)(uintptr_t)(addrs[i] & ~4095u))
			munmap(p, 4096);	/* an old kernel ignored the hint */
	}
}

int ic_diff_main(int argc, char **argv, const char *group)
{
	static char orec[IC_REC_MAX + 512];
	static struct ic_rec rec;
	struct emucompat_info info;
	unsigned int i, needs = 0, n = 0;
	char hello[256];
	void *arena;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	ic_ec = emucompat_open();
	if (!ic_ec)
		tap_bail("emucompat_open: %s (is emucompat.ko loaded?)", strerror(errno));
	memset(&info, 0, sizeof(info));
	if (emucompat_info(ic_ec, &info))
		tap_bail("emucompat_info: %s", strerror(errno));
	LX_NEED_CAP(info.caps, IOCTL32);
	LX_NEED_CAP(info.caps, MMAP_RANGE);
	/*
	 * Name the kernel's own ABI as the guest's: the identity case of the
	 * guest-ABI translation, which must leave every record byte-exact.
	 */
	if (emucompat_set_guest_abi(ic_ec, IC_X86 ? EMUCOMPAT_ABI_I386 : EMUCOMPAT_ABI_ARM))
		tap_bail("emucompat_set_guest_abi(the kernel's own): %s", strerror(errno));

	/* the arena stays clear of the top of the 32-bit space (bad-pointer cases) */
	arena = emucompat_mmap_range(ic_ec, 0x10000, 0xf0000000ull, ARENA_LEN,
				     PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED)
		tap_bail("emucompat_mmap_range: %s", strerror(errno));
	if ((uintptr_t)arena + ARENA_LEN > 0x100000000ull)
		tap_bail("emucompat_mmap_range returned %p, above 4 GiB", arena);
	ic_side = 64;
	ic_ioctl32 = ec_ioctl32_prim;
	ic_arena_set(arena, ARENA_LEN);

	or_find(argv[0], "o32_ioctl", ic_oracle, sizeof(ic_oracle));
	/* every lane runs real 32-bit processes: an oracle that fails is a failure */
	if (run_oracle("hello", hello, sizeof(hello)))
		lx_fail_all("the 32-bit oracle %s runs: %s", ic_oracle, hello);
	if (strncmp(hello, IC_HELLO " ", strlen(IC_HELLO) + 1) || !strstr(hello, " ptr=4 "))
		tap_bail("unexpected oracle hello: %s", hello);
	{
		char want[64];

		snprintf(want, sizeof(want), " x86=%d arm=%d cases=%u", IC_X86, IC_ARM, ic_ncases);
		if (!strstr(hello, want))
			tap_bail("the oracle has a different case table: %s (want%s)", hello, want);
	}
	tap_diag("group %s: oracle %s; kernel api %u, arch %u, flags 0x%x", group, ic_oracle,
		 info.api_version, info.arch, info.flags);

	for (i = 0; i < ic_ncases; i++) {
		if (strcmp(ic_cases[i].group, group) || !or_selected(argc, argv, ic_cases[i].name))
			continue;
		needs |= ic_cases[i].needs;
		n++;
	}
	if (!n)
		tap_skip_all("no case selected in group %s", group);
	/* a first call: the library sets up whatever it needs (pivot stack) */
	{
		long ret = ic_ioctl32(-1, IC32_FIONREAD, 0);
		int err = errno;

		if (ret != -1 || err != EBADF) {
			tap_diag("warm-up emucompat_ioctl32(-1, FIONREAD, 0) = %ld, errno %d (%s); "
				 "expected -1 EBADF", ret, err, ic_errname(err));
			diag_low_maps();
		}
	}
	reserve_bad_addresses();
	/* a descriptor number known to be closed in both processes */
	close(IC_BAD_FD);
	setup(needs);
	tap_plan((int)n);

	for (i = 0; i < ic_ncases; i++) {
		const struct ic_case *c = &ic_cases[i];
		unsigned int r, miss = 0;

		if (strcmp(c->group, group) || !or_selected(argc, argv, c->name))
			continue;
		for (r = 0; r < IC_RES_NR; r++)
			if ((c->needs & IC_NEED(r)) && ic_missing[r][0] && !miss)
				miss = r + 1;
		if (miss) {
			char why[256];

			snprintf(why, sizeof(why), "%s: %s", ic_res_names[miss - 1],
				 ic_missing[miss - 1]);
			lx_skip("res", ic_res_names[miss - 1], why, "%s: %s", c->name, c->desc);
			continue;
		}
		if (run_oracle(c->name, orec, sizeof(orec))) {
			tap_ok(0, "%s: %s", c->name, c->desc);
			tap_diag("%s", orec);
			continue;
		}
		ic_arena_reset();
		ic_rec_init(&rec);
		ic_case_run(c, &rec);
		if (!strncmp(orec, "ERROR", 5)) {
			tap_ok(0, "%s: %s", c->name, c->desc);
			tap_diag("oracle: %s", orec);
		} else if (!strncmp(orec, "SKIP ", 5)) {
			tap_skip(orec + 5, "%s: %s (oracle)", c->name, c->desc);
		} else if (rec.skip) {
			tap_skip(rec.skip, "%s: %s", c->name, c->desc);
		} else if (strcmp(orec, rec.buf)) {
			tap_ok(0, "%s: %s", c->name, c->desc);
			or_diag_mismatch("o32:", orec, "o64:", rec.buf);
			diag_low_maps();
		} else {
			tap_ok(1, "%s: %s", c->name, c->desc);
			tap_diag("rec: %s", rec.buf);
		}
	}
	cleanup();
	emucompat_close(ic_ec);
	return tap_done();
}
