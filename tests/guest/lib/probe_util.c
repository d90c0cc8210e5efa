// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * probe_util.c - see probe_util.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe_util.h"
#include "internal.h"	/* userlib: struct emucompat, for the path helpers */

int pt_errno(long ret, int err, const char *what)
{
	int e = errno;

	if (ret == -1 && e == err)
		return tap_ok(1, "%s -> %s", what, strerrorname_np(err));
	return tap_ok(0, "%s -> %s (got ret %ld errno %s)", what,
		     strerrorname_np(err), ret,
		     ret == -1 ? strerrorname_np(e) : "-");
}

struct emucompat *pt_open_ec(struct emucompat_info *info)
{
	struct emucompat *ec = emucompat_open();

	if (!ec) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			lx_skip_all("device", "/dev/emucompat", "/dev/emucompat: %s",
				    strerror(errno));
		tap_bail("emucompat_open: %s", strerror(errno));
	}
	memset(info, 0, sizeof(*info));
	if (emucompat_info(ec, info))
		tap_bail("emucompat_info: %s", strerror(errno));
	tap_diag("module api %u arch %u flags %#x caps %#llx kernel %#x task_size %#llx pivot_stack_size %u",
		info->api_version, info->arch, info->flags,
		(unsigned long long)info->caps, info->kernel_version,
		(unsigned long long)info->task_size, info->pivot_stack_size);
	return ec;
}

int pt_open_probe(void)
{
	int fd = open(PROBE_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			lx_skip_all("device", PROBE_DEVICE_PATH,
				    "%s: %s (emucompat_probe.ko not loaded)", PROBE_DEVICE_PATH,
				    strerror(errno));
		tap_bail("open %s: %s", PROBE_DEVICE_PATH, strerror(errno));
	}
	return fd;
}

void *pt_low_map(struct emucompat *ec, size_t len)
{
	/* Below the compat TASK_SIZE of both arches (see compat_task_size). */
	void *p = emucompat_mmap_range(ec, 0x10000, PT_4G - 0x10000, len,
				       PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		tap_bail("emucompat_mmap_range below 4 GiB (%zu bytes): %s",
			len, strerror(errno));
	if ((uint64_t)(uintptr_t)p + len > PT_4G)
		tap_bail("emucompat_mmap_range returned %p, not below 4 GiB", p);
	return p;
}

uint32_t pt_low_hole(struct emucompat *ec)
{
	long pg = sysconf(_SC_PAGESIZE);
	void *p = pt_low_map(ec, pg);

	/* PROT_NONE rather than unmapped: nothing else can land there. */
	if (mprotect(p, pg, PROT_NONE))
		tap_bail("mprotect: %s", strerror(errno));
	return pt_u32(p);
}

uint32_t pt_u32(const void *p)
{
	uintptr_t v = (uintptr_t)p;

	if ((uint64_t)v >= PT_4G)
		tap_bail("pointer %p is not below 4 GiB", p);
	return (uint32_t)v;
}

uint64_t pt_pivot_stack(struct emucompat *ec, const struct emucompat_info *info,
			void **base, size_t *size)
{
	size_t sz = 64 * 1024;

	if (info->pivot_stack_size > sz)
		sz = (info->pivot_stack_size + 0xfff) & ~(size_t)0xfff;
	/* pivot_sp itself must be below 4 GiB: keep the top page free. */
	*base = emucompat_mmap_range(ec, 0x10000, PT_4G - 0x10000, sz,
				     PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*base == MAP_FAILED)
		tap_bail("pivot stack below 4 GiB: %s", strerror(errno));
	memset(*base, 0, sz);
	*size = sz;
	return (uint64_t)(uintptr_t)*base + sz;
}

void pt_native_state(int pfd, struct probe_state *s)
{
	memset(s, 0, sizeof(*s));
	if (ioctl(pfd, PROBE_STATE, s))
		tap_bail("native PROBE_STATE: %s", strerror(errno));
}

void pt_probe_last(int pfd, struct probe_last *l)
{
	memset(l, 0, sizeof(*l));
	if (ioctl(pfd, PROBE_LAST, l))
		tap_bail("PROBE_LAST: %s", strerror(errno));
}

int pt_task_flag(int pfd, pid_t tid)
{
	struct probe_task_flag tf = { .tid = tid };

	if (ioctl(pfd, PROBE_TASK_FLAG, &tf))
		return -1;
	return tf.flag;
}

int pt_count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	int n = 0, c;

	if (!f)
		tap_bail("/proc/self/maps: %s", strerror(errno));
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

int pt_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		tap_bail("/proc/self/fd: %s", strerror(errno));
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

char pt_task_state(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return '?';
	return p[2];
}

pid_t pt_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

void pt_msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int pt_module_param_on(const char *name)
{
	char path[128], c = 0;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/emucompat/parameters/%s",
		 name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == 'Y' || c == 'y' || c == '1';
}

#define PT_WAIT_POLLS 10000	/* x 2 ms */

int pt_wait_asleep(int pfd, pid_t tid, const int *done, unsigned int entries)
{
	struct probe_last l;
	int i;

	for (i = 0; i < PT_WAIT_POLLS; i++) {
		pt_probe_last(pfd, &l);
		if (l.entries >= entries && l.sleepers >= 1 && pt_task_state(tid) == 'S') {
			pt_msleep(50);
			return 1;
		}
		if (__atomic_load_n(done, __ATOMIC_SEQ_CST))
			return 0;
		pt_msleep(2);
	}
	return 0;
}

long pt_raw_ioctl32(int ecfd, int fd, unsigned int cmd, uint32_t arg, uint64_t sp,
		    uint32_t flags, uint32_t pad)
{
	struct emucompat_ioctl32 req;

	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.fd = fd;
	req.cmd = cmd;
	req.arg = arg;
	req.flags = flags;
	req.__pad = pad;
	req.pivot_sp = sp;
	return ioctl(ecfd, EMUCOMPAT_IOC_IOCTL32, &req);
}

unsigned long pt_cmdline_ul(const char *key, unsigned long def)
{
	char buf[1024], *p;
	FILE *f = fopen("/proc/cmdline", "r");
	size_t n;

	if (!f)
		return def;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strstr(buf, key);
	return p ? strtoul(p + strlen(key), NULL, 0) : def;
}

int pt_child_result(int rfd, pid_t pid, void *out, size_t n)
{
	int ok = read(rfd, out, n) == (ssize_t)n;

	waitpid(pid, NULL, 0);
	return ok;
}

void pt_child_exit(int wfd, const void *out, size_t n)
{
	_exit(write(wfd, out, n) == (ssize_t)n ? 0 : 1);
}

pid_t pt_fork_child(int res[2])
{
	pid_t pid;

	if (pipe(res))
		tap_bail("pipe: %s", strerror(errno));
	tap_flush();
	pid = fork();
	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	return pid;
}

int pt_write_file(const char *path, const char *val)
{
	size_t len = strlen(val);
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC), err;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, len);
	err = errno;
	close(fd);
	if (n == (ssize_t)len)
		return 0;
	errno = n < 0 ? err : EIO;
	return -1;
}

long pt_read_long(const char *path)
{
	FILE *f = fopen(path, "re");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

int pt_fwd_open(int ecfd, uint32_t flags)
{
	struct emucompat_forwarder req;

	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.flags = flags;
	return ioctl(ecfd, EMUCOMPAT_IOC_FORWARDER, &req);
}

void pt_use_request_path(struct emucompat *ec)
{
	if (ec->fwd >= 0)
		close(ec->fwd);
	ec->fwd = -1;
}

int pt_ec_fwd(const struct emucompat *ec)
{
	return ec->fwd;
}

int pt_paths(struct emucompat *ec, struct pt_path paths[2])
{
	struct emucompat *req;

	if (ec->fwd < 0) {
		paths[0].name = "req";
		paths[0].ec = ec;
		return 1;
	}
	req = emucompat_open();
	if (!req)
		tap_bail("emucompat_open (request path): %s", strerror(errno));
	pt_use_request_path(req);
	paths[0].name = "fwd";
	paths[0].ec = ec;
	paths[1].name = "req";
	paths[1].ec = req;
	return 2;
}

/* pt_check_path()'s recorder: the first ioctl the library issued. */
static struct {
	int n;
	int fd;
	unsigned long request, arg;
} pt_rec;

static long pt_record_ioctl(int fd, unsigned long request, unsigned long arg)
{
	if (!pt_rec.n++) {
		pt_rec.fd = fd;
		pt_rec.request = request;
		pt_rec.arg = arg;
	}
	return ioctl(fd, request, arg);
}

int pt_check_path(const struct pt_path *p, int fd, unsigned int cmd, uint32_t arg)
{
	int fwd = p->ec->fwd, ok;
	long r;

	memset(&pt_rec, 0, sizeof(pt_rec));
	if (emucompat_set_ioctl_fn(p->ec, pt_record_ioctl))
		tap_bail("emucompat_set_ioctl_fn: %s", strerror(errno));
	r = emucompat_ioctl32(p->ec, fd, cmd, arg);
	emucompat_set_ioctl_fn(p->ec, NULL);
	if (!strcmp(p->name, "fwd"))
		ok = fwd >= 0 && pt_rec.fd == fwd && pt_rec.request == cmd &&
		     pt_rec.arg == EMUCOMPAT_FWD_ARG(fd, arg);
	else
		ok = fwd < 0 && pt_rec.fd == p->ec->fd &&
		     pt_rec.request == EMUCOMPAT_IOC_IOCTL32;
	return tap_ok(ok && pt_rec.n >= 1,
		      "[%s] emucompat_ioctl32(%#x) went %s: %d ioctl(s), first on fd %d "
		      "(forwarder %d, device %d), request %#lx, arg %#lx (result %ld)",
		      p->name, cmd, strcmp(p->name, "fwd") ? "to EMUCOMPAT_IOC_IOCTL32" :
		      "through the forwarder", pt_rec.n, pt_rec.fd, fwd, p->ec->fd,
		      pt_rec.request, pt_rec.arg, r);
}

/* One descriptor over a unix socket (SCM_RIGHTS), with one byte of data. */
int pt_send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c = 'f';
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	memset(cbuf, 0, sizeof(cbuf));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

int pt_recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}
