// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_dir32 - emucompat_dir32() gives an open ext4 directory the 32-bit hash
 * cookies a real 32-bit process gets: on a hashed (htree) directory of
 * 10 000 entries (1 000 on a kernel that needs more than 3 s for the first
 * 1 000, as the KASAN debug kernel: listing and seeking cost grows with
 * the square of it), the 64-bit process's listing after emucompat_dir32() is
 * byte for byte the 32-bit oracle's (o32_compat32 dir): every entry seen
 * exactly once, every d_off below 2^32, lseek() to each offset resumes at
 * the next entry.  Also: ENOTDIR, EBUSY (already read), EBADF, reserved
 * fields.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common_dir32.h"
#include "compat32_util.h"
#include "probe_util.h"

#define NFILES	10000
#define MIN_FILES	1000	/* what a slow (debug) kernel must reach */
#define SLOW_SECS	3	/* MIN_FILES took longer: a slow kernel */
#define CREATE_SECS	20	/* stop creating after this long */
#define IMG	"/tmp/dir32.img"
#define MNT	"/tmp/dir32.mnt"
#define DIR	MNT "/big"

static struct emucompat *ec;
static int nfiles;	/* entries created */

static int sh(const char *cmd)
{
	int r = system(cmd);

	return r == 0 ? 0 : -1;
}

static int setup(char *why, size_t n)
{
	char path[128];

	unlink(IMG);
	mkdir(MNT, 0755);
	if (sh("dd if=/dev/zero of=" IMG " bs=1M count=48 2>/dev/null") ||
	    sh("mke2fs -F -i 2048 " IMG " >/dev/null 2>&1")) {
		snprintf(why, n, "mke2fs failed");
		return -1;
	}
	if (sh("mount -o loop -t ext4 " IMG " " MNT " 2>/dev/null")) {
		snprintf(why, n, "cannot mount an ext4 image (loop, ext4)");
		return -1;
	}
	if (mkdir(DIR, 0755)) {
		snprintf(why, n, "mkdir: %s", strerror(errno));
		return -1;
	}
	/*
	 * Up to NFILES entries, but at most CREATE_SECS of creating: a KASAN
	 * and lockdep kernel under TCG is an order of magnitude slower.
	 */
	time_t t0 = time(NULL);

	for (nfiles = 0; nfiles < NFILES; nfiles++) {
		int i = nfiles, fd;

		/*
		 * Listing and seeking cost grows faster than creating: a kernel
		 * that needed more than SLOW_SECS for the first MIN_FILES stops
		 * there.
		 */
		if (i == MIN_FILES && time(NULL) - t0 > SLOW_SECS)
			break;
		if (i >= MIN_FILES && time(NULL) - t0 > CREATE_SECS)
			break;
		snprintf(path, sizeof(path), DIR "/entry-%05d", i);
		fd = open(path, O_CREAT | O_WRONLY, 0644);
		if (fd < 0) {
			snprintf(why, n, "create %s: %s", path, strerror(errno));
			return -1;
		}
		close(fd);
	}
	return 0;
}

static void teardown(void)
{
	umount(MNT);
	rmdir(MNT);
	unlink(IMG);
}

static unsigned long long max_native_off(void)
{
	char buf[8192];
	unsigned long long max = 0;
	int fd = open(DIR, O_RDONLY | O_DIRECTORY);
	long r;

	while (fd >= 0 && (r = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (long pos = 0; pos < r;) {
			unsigned long long off;
			unsigned short reclen;

			memcpy(&off, buf + pos + 8, 8);
			memcpy(&reclen, buf + pos + 16, 2);
			if (off > max && off != ~0ULL >> 1)
				max = off;
			pos += reclen;
		}
	if (fd >= 0)
		close(fd);
	return max;
}

static void check_errors(void)
{
	struct emucompat_dir32 req;
	char buf[4096];
	int fd, ecfd;

	fd = open(DIR "/entry-00000", O_RDONLY);
	pt_errno(emucompat_dir32(ec, fd), ENOTDIR, "dir32 on a regular file: ENOTDIR");
	close(fd);
	fd = open(DIR, O_RDONLY | O_DIRECTORY);
	syscall(SYS_getdents64, fd, buf, sizeof(buf));
	pt_errno(emucompat_dir32(ec, fd), EBUSY, "dir32 on a directory already read: EBUSY");
	close(fd);
	pt_errno(emucompat_dir32(ec, 999), EBADF, "dir32 on a closed descriptor: EBADF");
	fd = open(DIR, O_RDONLY | O_DIRECTORY);
	ecfd = open("/dev/emucompat", O_RDWR);
	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.fd = fd;
	req.flags = 1;
	pt_errno(ioctl(ecfd, EMUCOMPAT_IOC_DIR32, &req), EINVAL, "dir32 flags != 0: EINVAL");
	req.flags = 0;
	req.reserved[1] = 1;
	pt_errno(ioctl(ecfd, EMUCOMPAT_IOC_DIR32, &req), EINVAL, "dir32 reserved != 0: EINVAL");
	close(ecfd);
	close(fd);
}

int main(void)
{
	struct emucompat_info info;
	char why[256], arg[16], *mine = NULL, *oracle, *last;
	unsigned long long nat;
	unsigned long entries = 0, bad = 0;
	unsigned long long max_off = ~0ULL;
	size_t len = 0;
	FILE *f;
	int fd;

	ec = pt_open_ec(&info);
	LX_NEED_CAP(info.caps, DIR32);
	if (setup(why, sizeof(why))) {
		teardown();
		tap_skip_all("%s", why);
	}
	nat = max_native_off();
	tap_diag("native 64-bit listing: largest d_off %#llx", nat);
	if (nat < (1ULL << 32)) {
		teardown();
		tap_skip_all("directory is not hashed (d_off %#llx): no htree here", nat);
	}
	tap_ok(1, "%d-entry htree directory: a 64-bit reader gets 64-bit cookies (%#llx)", nfiles,
	       nat);
	if (nfiles < NFILES)
		tap_diag("created %d of %d entries (a slow kernel)", nfiles, NFILES);

	/* the oracle reads its own descriptor, inherited at position 0 */
	fd = open(DIR, O_RDONLY | O_DIRECTORY);
	snprintf(arg, sizeof(arg), "%d", fd);
	oracle = c32_oracle("dir", arg, why, sizeof(why));
	close(fd);

	fd = open(DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	tap_ok(emucompat_dir32(ec, fd) == 0, "emucompat_dir32 on the fresh directory");
	f = open_memstream(&mine, &len);
	dir32_list(fd, f);
	fclose(f);
	close(fd);

	last = strstr(mine, "dir: entries ");
	if (last)
		sscanf(last, "dir: entries %lu max_off %llu seek_ok %*u seek_bad %lu", &entries,
		       &max_off, &bad);
	tap_diag("%s", last ? last : "(no summary)");
	tap_ok(entries == (unsigned long)nfiles + 2, "every entry listed once (%lu of %d + . and ..)",
	       entries, nfiles + 2);
	tap_ok(max_off < (1ULL << 32), "every d_off fits 32 bits (largest %#llx)", max_off);
	tap_ok(bad == 0, "lseek() to each offset resumes after its entry (%lu bad)", bad);
	if (!oracle)
		tap_ok(0, "32-bit oracle ran (%s)", why);
	else
		tap_ok(!strcmp(mine, oracle),
		       "listing (names, d_off, seeks) identical to the real 32-bit process's");
	check_errors();
	free(mine);
	free(oracle);
	teardown();
	return tap_done();
}
