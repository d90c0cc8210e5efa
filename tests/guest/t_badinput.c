// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_badinput - every /dev/emucompat command against malformed input,
 * through the raw uapi: the extensible-struct size rules, reserved members,
 * bad pointers, unknown commands, per-command argument checks, no leak
 * of mappings or descriptors over many failing calls (forwarders opened
 * and closed, failing forwards through them, included), and the seccomp
 * refusal of EMUCOMPAT_IOC_IOCTL32 (the forwarder's, allow_seccomp_fwd,
 * as set; t_security sets both ways).  EMUCOMPAT_IOC_FORWARDER is in the
 * generic size/tail/reserved/pointer table; its own contract is
 * t_forwarder's.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe_util.h"

#define LOW_LO		0x10000ULL
#define UNKNOWN_MAP_BIT	0x00400000	/* no MAP_* flag uses bit 22 */
#define KERNEL_ADDR	0xfff0000000000000ULL	/* above any TASK_SIZE */

static struct emucompat *ec;
static struct emucompat_info info;
static int ecfd;
static long pg;
static int can_ioctl32;
static uint64_t pivot_top;	/* for a valid EMUCOMPAT_IOC_IOCTL32 */
static int pipefd[2];		/* its target: FIONREAD on a pipe */
static int *low_int;		/* below 4 GiB: FIONREAD's result */

#define NRES(t) ((int)(sizeof(((t *)0)->reserved) / sizeof(__u64)))

struct cmd_desc {
	const char *name;
	unsigned int cmd;
	uint32_t ver0;
	size_t ksize;
	size_t reserved_off;	/* offset of reserved[] */
	int nreserved;
	void (*fill)(void *req);	/* a valid request (size excluded) */
	void (*undo)(void *req, long ret);	/* after a successful call */
	int usable;
	int returns_fd;		/* success is a new descriptor, not 0 */
};

static void fill_info(void *p)
{
	(void)p;
}

static void fill_ioctl32(void *p)
{
	struct emucompat_ioctl32 *r = p;

	r->fd = pipefd[0];
	r->cmd = FIONREAD;
	r->arg = pt_u32(low_int);
	r->pivot_sp = pivot_top;
}

static void fill_mmap(void *p)
{
	struct emucompat_mmap_range *r = p;

	r->prot = PROT_READ | PROT_WRITE;
	r->flags = MAP_PRIVATE | MAP_ANONYMOUS;
	r->fd = -1;
	r->lo = LOW_LO;
	r->hi = PT_4G;
	r->len = pg;
}

static void undo_mmap(void *p, long ret)
{
	(void)ret;
	struct emucompat_mmap_range *r = p;

	if (r->addr)
		munmap((void *)(uintptr_t)r->addr, r->len);
}

static void fill_reserve(void *p)
{
	struct emucompat_reserve_range *r = p;

	r->lo = LOW_LO;
	r->hi = PT_4G;
	r->len = pg;
}

static void undo_reserve(void *p, long ret)
{
	(void)ret;
	struct emucompat_reserve_range *r = p;

	if (r->addr)
		munmap((void *)(uintptr_t)r->addr, r->len);
}

static void undo_none(void *p, long ret)
{
	(void)ret;
	(void)p;
}

static int dirfd_root = -1;	/* never read: DIR32 accepts it every time */

static void fill_robust(void *p)
{
	struct emucompat_robust_list32 *r = p;

	r->op = EMUCOMPAT_ROBUST_LIST32_GET;
}

static void fill_dir32(void *p)
{
	struct emucompat_dir32 *r = p;

	r->fd = dirfd_root;
}

static void fill_va_limits(void *p)
{
	struct emucompat_va_limits *r = p;

	r->op = EMUCOMPAT_VA_LIMITS_SET;
	r->lo = 1ULL << 30;
	r->hi = PT_4G;
}

/* A SET that succeeded: back to the process's own placement. */
static void undo_va_limits(void *p, long ret)
{
	(void)ret;
	(void)p;
	if (emucompat_clear_va_limits(ec))
		tap_bail("emucompat_clear_va_limits: %s", strerror(errno));
}

static void fill_forwarder(void *p)
{
	struct emucompat_forwarder *r = p;

	r->flags = EMUCOMPAT_FORWARDER_CLOEXEC;
}

/* A forwarder was opened: close it. */
static void undo_forwarder(void *p, long ret)
{
	(void)p;
	if (ret >= 0)
		close((int)ret);
}

static struct cmd_desc cmds[] = {
	{ "INFO", EMUCOMPAT_IOC_INFO, EMUCOMPAT_INFO_SIZE_VER0,
	  sizeof(struct emucompat_info),
	  offsetof(struct emucompat_info, reserved),
	  NRES(struct emucompat_info),
	  fill_info, undo_none, 1, 0 },
	{ "IOCTL32", EMUCOMPAT_IOC_IOCTL32, EMUCOMPAT_IOCTL32_SIZE_VER0,
	  sizeof(struct emucompat_ioctl32),
	  offsetof(struct emucompat_ioctl32, reserved),
	  NRES(struct emucompat_ioctl32),
	  fill_ioctl32, undo_none, 1, 0 },
	{ "MMAP_RANGE", EMUCOMPAT_IOC_MMAP_RANGE,
	  EMUCOMPAT_MMAP_RANGE_SIZE_VER0, sizeof(struct emucompat_mmap_range),
	  offsetof(struct emucompat_mmap_range, reserved),
	  NRES(struct emucompat_mmap_range),
	  fill_mmap, undo_mmap, 1, 0 },
	{ "RESERVE_RANGE", EMUCOMPAT_IOC_RESERVE_RANGE,
	  EMUCOMPAT_RESERVE_RANGE_SIZE_VER0,
	  sizeof(struct emucompat_reserve_range),
	  offsetof(struct emucompat_reserve_range, reserved),
	  NRES(struct emucompat_reserve_range),
	  fill_reserve, undo_reserve, 1, 0 },
	{ "ROBUST_LIST32", EMUCOMPAT_IOC_ROBUST_LIST32,
	  EMUCOMPAT_ROBUST_LIST32_SIZE_VER0,
	  sizeof(struct emucompat_robust_list32),
	  offsetof(struct emucompat_robust_list32, reserved),
	  NRES(struct emucompat_robust_list32),
	  fill_robust, undo_none, 1, 0 },
	{ "DIR32", EMUCOMPAT_IOC_DIR32, EMUCOMPAT_DIR32_SIZE_VER0,
	  sizeof(struct emucompat_dir32),
	  offsetof(struct emucompat_dir32, reserved),
	  NRES(struct emucompat_dir32),
	  fill_dir32, undo_none, 1, 0 },
	{ "VA_LIMITS", EMUCOMPAT_IOC_VA_LIMITS, EMUCOMPAT_VA_LIMITS_SIZE_VER0,
	  sizeof(struct emucompat_va_limits),
	  offsetof(struct emucompat_va_limits, reserved),
	  NRES(struct emucompat_va_limits),
	  fill_va_limits, undo_va_limits, 1, 0 },
	{ "FORWARDER", EMUCOMPAT_IOC_FORWARDER, EMUCOMPAT_FORWARDER_SIZE_VER0,
	  sizeof(struct emucompat_forwarder),
	  offsetof(struct emucompat_forwarder, reserved),
	  NRES(struct emucompat_forwarder),
	  fill_forwarder, undo_forwarder, 1, 1 },
};
#define CMD_VA_LIMITS	(NCMDS - 2)
#define CMD_FORWARDER	(NCMDS - 1)
#define NCMDS ((int)(sizeof(cmds) / sizeof(cmds[0])))

static unsigned char *buf;	/* two pages, read/write */

static void *request(const struct cmd_desc *c, uint32_t size)
{
	memset(buf, 0, 2 * pg);
	c->fill(buf);
	memcpy(buf, &size, sizeof(size));
	return buf;
}

static void check_sizes(const struct cmd_desc *c)
{
	char what[128];
	long r;

	snprintf(what, sizeof(what), "%s: size 0", c->name);
	pt_errno(ioctl(ecfd, c->cmd, request(c, 0)), EINVAL, what);
	snprintf(what, sizeof(what), "%s: size VER0-1 = %u", c->name,
		 c->ver0 - 1);
	pt_errno(ioctl(ecfd, c->cmd, request(c, c->ver0 - 1)), EINVAL, what);
	snprintf(what, sizeof(what), "%s: size one page + 1", c->name);
	pt_errno(ioctl(ecfd, c->cmd, request(c, pg + 1)), E2BIG, what);
	snprintf(what, sizeof(what), "%s: size 0xffffffff", c->name);
	pt_errno(ioctl(ecfd, c->cmd, request(c, 0xffffffff)), E2BIG, what);

	request(c, c->ksize + 8);
	buf[c->ksize] = 1;
	snprintf(what, sizeof(what), "%s: size sizeof+8, nonzero byte after the struct",
		 c->name);
	pt_errno(ioctl(ecfd, c->cmd, buf), E2BIG, what);

	request(c, pg);
	buf[pg - 1] = 0x80;
	snprintf(what, sizeof(what), "%s: size one page, nonzero last byte",
		 c->name);
	pt_errno(ioctl(ecfd, c->cmd, buf), E2BIG, what);

	if (!c->usable) {
		tap_skip("not applicable here", "%s: valid calls (not available here)", c->name);
		return;
	}

	request(c, c->ksize + 8);
	errno = 0;
	r = ioctl(ecfd, c->cmd, buf);
	tap_ok(r >= 0, "%s: size sizeof+8, zero tail: accepted (%ld %s)",
	      c->name, r, r < 0 ? strerrorname_np(errno) : "-");
	if (r >= 0)
		c->undo(buf, r);

	request(c, pg);
	errno = 0;
	r = ioctl(ecfd, c->cmd, buf);
	tap_ok(r >= 0, "%s: size one page, zero tail: accepted (%ld %s)",
	      c->name, r, r < 0 ? strerrorname_np(errno) : "-");
	if (r >= 0)
		c->undo(buf, r);

	/* Bytes past `size` are not the module's business. */
	request(c, c->ver0);
	memset(buf + c->ver0, 0xa5, pg - c->ver0);
	errno = 0;
	r = ioctl(ecfd, c->cmd, buf);
	tap_ok(r >= 0, "%s: size VER0 with garbage after it: accepted (%ld %s)",
	      c->name, r, r < 0 ? strerrorname_np(errno) : "-");
	if (r >= 0) {
		size_t i, bad = 0;

		for (i = c->ver0; i < (size_t)pg; i++)
			bad += buf[i] != 0xa5;
		tap_ok(bad == 0, "%s: nothing written past size (%zu bytes)",
		      c->name, bad);
		c->undo(buf, r);
	}
}

static void check_reserved(const struct cmd_desc *c)
{
	char what[128];
	int i;

	for (i = 0; i < c->nreserved; i++) {
		request(c, c->ksize);
		buf[c->reserved_off + 8 * i + 7] = 1;
		snprintf(what, sizeof(what), "%s: reserved[%d] nonzero",
			 c->name, i);
		pt_errno(ioctl(ecfd, c->cmd, buf), EINVAL, what);
	}
}

static void check_pointers(const struct cmd_desc *c, unsigned char *ro,
			   uintptr_t hole)
{
	char what[128];
	int before;
	long r;

	snprintf(what, sizeof(what), "%s: NULL argument", c->name);
	pt_errno(ioctl(ecfd, c->cmd, NULL), EFAULT, what);
	snprintf(what, sizeof(what), "%s: argument on a PROT_NONE page", c->name);
	pt_errno(ioctl(ecfd, c->cmd, (void *)hole), EFAULT, what);
	snprintf(what, sizeof(what), "%s: kernel address as argument", c->name);
	pt_errno(ioctl(ecfd, c->cmd, (void *)KERNEL_ADDR), EFAULT, what);

	/* size claims a page; the struct ends a page, the next is PROT_NONE. */
	request(c, pg);
	memcpy((void *)(hole - c->ksize), buf, c->ksize);
	snprintf(what, sizeof(what), "%s: size runs into an unmapped page",
		 c->name);
	pt_errno(ioctl(ecfd, c->cmd, (void *)(hole - c->ksize)), EFAULT, what);

	/* Read-only: everything that must write its result back fails. */
	if (!c->usable)
		return;
	mprotect(ro, pg, PROT_READ | PROT_WRITE);
	request(c, c->ksize);
	if (c->cmd == EMUCOMPAT_IOC_IOCTL32) {
		/* Only EMUCOMPAT_IOCTL32_NATIVE has something to write back. */
		((struct emucompat_ioctl32 *)buf)->cmd = FIOCLEX;
	}
	memcpy(ro, buf, c->ksize);
	mprotect(ro, pg, PROT_READ);
	before = pt_count_maps();
	errno = 0;
	r = ioctl(ecfd, c->cmd, ro);
	snprintf(what, sizeof(what), "%s: read-only argument%s", c->name,
		 c->cmd == EMUCOMPAT_IOC_IOCTL32 ? " (FIOCLEX: NATIVE)" : "");
	if (_IOC_DIR(c->cmd) & _IOC_READ)
		pt_errno(r, EFAULT, what);
	else	/* an input-only command (_IOW) reads its struct and nothing else */
		tap_ok(c->returns_fd ? r >= 0 : r == 0, "%s: succeeds, nothing to write back (%s)",
		       what, r < 0 ? strerror(errno) : "ok");
	if (r >= 0)
		c->undo(ro, r);
	tap_ok(pt_count_maps() == before,
	      "%s: no mapping left behind by the failed write-back", c->name);
}

static void check_unknown_cmds(void)
{
	struct emucompat_info *i = (void *)buf;

	memset(buf, 0, 2 * pg);
	i->size = sizeof(*i);
	pt_errno(ioctl(ecfd, _IOWR(EMUCOMPAT_IOC_MAGIC, 0x08,
				   struct emucompat_info), buf),
		 ENOTTY, "unknown command nr 0x08 (the first unused)");
	pt_errno(ioctl(ecfd, _IOWR(EMUCOMPAT_IOC_MAGIC, 0xff,
				   struct emucompat_info), buf),
		 ENOTTY, "unknown command nr 0xff");
	pt_errno(ioctl(ecfd, _IOWR(EMUCOMPAT_IOC_MAGIC + 1, 0x00,
				   struct emucompat_info), buf),
		 ENOTTY, "other type, nr 0x00");
	pt_errno(ioctl(ecfd, TCGETS, buf), ENOTTY, "TCGETS");

	memset(buf, 0, 2 * pg);
	i->size = sizeof(*i);
	tap_ok(ioctl(ecfd, _IOC(_IOC_READ | _IOC_WRITE, EMUCOMPAT_IOC_MAGIC,
			       0x00, sizeof(*i) + 48), buf) == 0 &&
	      i->api_version == EMUCOMPAT_API_VERSION,
	      "INFO with a larger size in the command number: accepted");
	memset(buf, 0, 2 * pg);
	i->size = sizeof(*i);
	tap_ok(ioctl(ecfd, _IOC(_IOC_READ | _IOC_WRITE, EMUCOMPAT_IOC_MAGIC,
			       0x00, 8), buf) == 0 &&
	      i->api_version == EMUCOMPAT_API_VERSION,
	      "INFO with a smaller size in the command number: accepted");
	request(&cmds[2], sizeof(struct emucompat_mmap_range));
	tap_ok(ioctl(ecfd, _IOC(_IOC_READ | _IOC_WRITE, EMUCOMPAT_IOC_MAGIC,
			       0x02, 200), buf) == 0,
	      "MMAP_RANGE with a larger size in the command number: accepted");
	undo_mmap(buf, 0);
}

/* EMUCOMPAT_IOC_MMAP_RANGE on its own; returns the ioctl's result. */
static long mmap_range(uint64_t lo, uint64_t hi, uint64_t len, uint32_t prot,
		       uint32_t flags, int fd, struct emucompat_mmap_range *out)
{
	struct emucompat_mmap_range r;
	long ret;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.prot = prot;
	r.flags = flags;
	r.fd = fd;
	r.lo = lo;
	r.hi = hi;
	r.len = len;
	ret = ioctl(ecfd, EMUCOMPAT_IOC_MMAP_RANGE, &r);
	if (out)
		*out = r;
	else if (ret == 0)
		munmap((void *)(uintptr_t)r.addr, r.len);
	return ret;
}

static long reserve_range(uint64_t lo, uint64_t hi, uint64_t len,
			  uint64_t align, uint32_t flags)
{
	struct emucompat_reserve_range r;
	long ret;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.flags = flags;
	r.lo = lo;
	r.hi = hi;
	r.len = len;
	r.align = align;
	ret = ioctl(ecfd, EMUCOMPAT_IOC_RESERVE_RANGE, &r);
	if (ret == 0)
		munmap((void *)(uintptr_t)r.addr, r.len);
	return ret;
}

/* A 3-page low mapping: a range with no room left in it. */
static unsigned char *full;

static void check_mmap_args(void)
{
	const uint32_t rw = PROT_READ | PROT_WRITE;
	const uint32_t anon = MAP_PRIVATE | MAP_ANONYMOUS;
	uint64_t f = (uintptr_t)full;

	pt_errno(mmap_range(LOW_LO, PT_4G, 0, rw, anon, -1, NULL), EINVAL,
		 "MMAP_RANGE: len 0");
	pt_errno(mmap_range(LOW_LO, PT_4G, pg, rw, anon | UNKNOWN_MAP_BIT, -1,
			    NULL), EINVAL, "MMAP_RANGE: unknown MAP_ bit 0x400000");
	pt_errno(mmap_range(LOW_LO, PT_4G, pg, rw, MAP_ANONYMOUS, -1, NULL),
		 EINVAL, "MMAP_RANGE: no MAP_PRIVATE/MAP_SHARED");
	pt_errno(mmap_range(LOW_LO, PT_4G, pg, rw, MAP_PRIVATE, -1, NULL),
		 EBADF, "MMAP_RANGE: fd -1 without MAP_ANONYMOUS");
	pt_errno(mmap_range(LOW_LO, PT_4G, pg, rw, MAP_PRIVATE, 9999, NULL),
		 EBADF, "MMAP_RANGE: closed fd 9999");
	pt_errno(mmap_range(f, f + 3 * pg, pg, rw, anon, -1, NULL), ENOMEM,
		 "MMAP_RANGE: range fully mapped");
	pt_errno(mmap_range(f + pg, f + 2 * pg, pg, rw, anon, -1, NULL), ENOMEM,
		 "MMAP_RANGE: one-page range inside a mapping");
	pt_errno(mmap_range(f, f + 3 * pg, 4 * pg, rw, anon, -1, NULL), ENOMEM,
		 "MMAP_RANGE: len larger than the range");
	pt_errno(mmap_range(LOW_LO, PT_4G, 1ULL << 62, rw, anon, -1, NULL),
		 ENOMEM, "MMAP_RANGE: len 2^62");

	pt_errno(reserve_range(LOW_LO, PT_4G, 0, 0, 0), EINVAL,
		 "RESERVE_RANGE: len 0");
	pt_errno(reserve_range(LOW_LO, PT_4G, pg, 3 * pg, 0), EINVAL,
		 "RESERVE_RANGE: align not a power of two");
	pt_errno(reserve_range(LOW_LO, PT_4G, pg, pg / 2, 0), EINVAL,
		 "RESERVE_RANGE: align below a page");
	pt_errno(reserve_range(LOW_LO, PT_4G, pg, 0, 1), EINVAL,
		 "RESERVE_RANGE: flags nonzero");
	pt_errno(reserve_range(f, f + 3 * pg, pg, 0, 0), ENOMEM,
		 "RESERVE_RANGE: range fully mapped");
}

static long ioctl32_raw(int fd, unsigned int cmd, uint32_t arg, uint32_t flags,
			uint32_t pad)
{
	return pt_raw_ioctl32(ecfd, fd, cmd, arg, pivot_top, flags, pad);
}

static struct emucompat_ioctl32 *self_req;	/* below 4 GiB */

static void check_ioctl32_args(void)
{
	if (!can_ioctl32) {
		tap_skip("not applicable here", "IOCTL32 argument checks: no EMUCOMPAT_CAP_IOCTL32");
		return;
	}
	pt_errno(ioctl32_raw(pipefd[0], FIONREAD, pt_u32(low_int), 1, 0),
		 EINVAL, "IOCTL32: flags nonzero");
	pt_errno(ioctl32_raw(pipefd[0], FIONREAD, pt_u32(low_int), 0, 1),
		 EINVAL, "IOCTL32: __pad nonzero");
	pt_errno(ioctl32_raw(-1, FIONREAD, pt_u32(low_int), 0, 0), EBADF,
		 "IOCTL32: fd -1");
	pt_errno(ioctl32_raw(9999, FIONREAD, pt_u32(low_int), 0, 0), EBADF,
		 "IOCTL32: closed fd 9999");
	*low_int = -1;
	tap_ok(ioctl32_raw(pipefd[0], FIONREAD, pt_u32(low_int), 0, 0) == 0 &&
	      *low_int == 0, "IOCTL32: FIONREAD on an empty pipe: 0");

	/* /dev/emucompat has no compat_ioctl: forwarding to it ends there. */
	memset(self_req, 0, sizeof(*self_req));
	self_req->size = sizeof(*self_req);
	self_req->fd = ecfd;
	self_req->cmd = EMUCOMPAT_IOC_IOCTL32;
	self_req->arg = pt_u32(self_req);
	self_req->pivot_sp = pivot_top;
	pt_errno(ioctl32_raw(ecfd, EMUCOMPAT_IOC_IOCTL32, pt_u32(self_req), 0, 0),
		 ENOTTY, "IOCTL32 of IOCTL32 to /dev/emucompat itself: refused");
	pt_errno(ioctl32_raw(ecfd, EMUCOMPAT_IOC_INFO, pt_u32(self_req), 0, 0),
		 ENOTTY, "IOCTL32 of INFO to /dev/emucompat itself: refused");
}

/* Many failing calls: no mapping or descriptor may stay behind. */
#define RO_RESERVE_OFF	512

static void check_no_leak(unsigned char *ro, uintptr_t hole)
{
	int maps0, fds0, maps1, fds1, i, k, n;
	uint64_t f = (uintptr_t)full;
	long r;

	mprotect(ro, pg, PROT_READ | PROT_WRITE);
	memset(ro, 0, pg);
	fill_mmap(ro);
	*(uint32_t *)ro = sizeof(struct emucompat_mmap_range);
	fill_reserve(ro + RO_RESERVE_OFF);
	*(uint32_t *)(ro + RO_RESERVE_OFF) = sizeof(struct emucompat_reserve_range);
	mprotect(ro, pg, PROT_READ);

	maps0 = pt_count_maps();
	fds0 = pt_count_fds();
	for (i = 0; i < 1000; i++) {
		for (k = 0; k < NCMDS; k++) {
			ioctl(ecfd, cmds[k].cmd, request(&cmds[k], pg + 1));
			request(&cmds[k], cmds[k].ksize + 8);
			buf[cmds[k].ksize + 3] = 7;
			ioctl(ecfd, cmds[k].cmd, buf);
			ioctl(ecfd, cmds[k].cmd, (void *)hole);
		}
		mmap_range(f, f + 3 * pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, NULL);
		mmap_range(LOW_LO, PT_4G, pg, PROT_READ, MAP_PRIVATE, 9999, NULL);
		mmap_range(f, f + 3 * pg, pg, PROT_READ, MAP_PRIVATE, pipefd[0],
			   NULL);
		reserve_range(f, f + 3 * pg, pg, 0, 0);
		/* Read-only argument: placed, then undone by the module. */
		r = ioctl(ecfd, i & 1 ? EMUCOMPAT_IOC_MMAP_RANGE :
			  EMUCOMPAT_IOC_RESERVE_RANGE,
			  i & 1 ? ro : ro + RO_RESERVE_OFF);
		if (r == 0)
			tap_bail("read-only request succeeded in the leak loop");
		if (cmds[CMD_FORWARDER].usable) {
			/* a forwarder opened and closed, failing forwards through another */
			int f = (int)ioctl(ecfd, EMUCOMPAT_IOC_FORWARDER,
					   request(&cmds[CMD_FORWARDER],
						   sizeof(struct emucompat_forwarder)));

			if (f < 0)
				tap_bail("FORWARDER in the leak loop: %s", strerror(errno));
			ioctl(f, FIONREAD, EMUCOMPAT_FWD_ARG(-1, pt_u32(low_int)));
			ioctl(f, FIONREAD, EMUCOMPAT_FWD_ARG(f, pt_u32(low_int)));
			ioctl(f, 0x7f7f, EMUCOMPAT_FWD_ARG(pipefd[0], pt_u32(low_int)));
			ioctl(f, EMUCOMPAT_IOC_INFO, EMUCOMPAT_FWD_ARG(ecfd, pt_u32(low_int)));
			close(f);
		}
		if (can_ioctl32) {
			ioctl32_raw(-1, FIONREAD, pt_u32(low_int), 0, 0);
			ioctl32_raw(ecfd, EMUCOMPAT_IOC_IOCTL32,
				    pt_u32(self_req), 0, 0);
			ioctl32_raw(pipefd[0], 0x7f7f, pt_u32(low_int), 0, 0);
		}
	}
	maps1 = pt_count_maps();
	fds1 = pt_count_fds();
	tap_ok(maps1 == maps0, "1000 rounds of failing calls: /proc/self/maps %d -> %d lines",
	      maps0, maps1);
	tap_ok(fds1 == fds0, "1000 rounds of failing calls: open fds %d -> %d",
	      fds0, fds1);

	n = 0;
	for (i = 0; i < 200; i++) {
		struct emucompat_mmap_range m;

		if (mmap_range(LOW_LO, PT_4G, pg, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, &m) == 0) {
			n++;
			munmap((void *)(uintptr_t)m.addr, pg);
		}
	}
	tap_ok(n == 200 && pt_count_maps() == maps0,
	      "200 good mmap_range + munmap: all placed, nothing left");
}

struct seccomp_result {
	long filter_ret;
	int filter_errno;
	long info_ret;
	uint32_t info_flags;
	long ioctl32_ret;
	int ioctl32_errno;
	long fwd_open_ret;
	int fwd_open_errno;
	long fwd_ret;
	int fwd_errno;
	int fwd_count;
	long mmap_ret;
	int mmap_errno;
	uint64_t mmap_addr;
};

static int under_seccomp(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	int mode = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			break;
	fclose(f);
	return mode;
}

static void seccomp_child(int wfd)
{
	struct sock_filter insn[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 1, .filter = insn };
	struct seccomp_result res;
	struct emucompat_info ci;
	struct emucompat_mmap_range m;

	memset(&res, 0, sizeof(res));
	errno = 0;
	res.filter_ret = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (res.filter_ret == 0)
		res.filter_ret = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
					 0, &prog);
	res.filter_errno = errno;

	memset(&ci, 0, sizeof(ci));
	ci.size = sizeof(ci);
	res.info_ret = ioctl(ecfd, EMUCOMPAT_IOC_INFO, &ci);
	res.info_flags = ci.flags;

	errno = 0;
	res.ioctl32_ret = ioctl32_raw(pipefd[0], FIONREAD, pt_u32(low_int), 0, 0);
	res.ioctl32_errno = errno;

	errno = 0;
	res.fwd_open_ret = ioctl(ecfd, EMUCOMPAT_IOC_FORWARDER,
				 request(&cmds[CMD_FORWARDER], sizeof(struct emucompat_forwarder)));
	res.fwd_open_errno = errno;
	errno = 0;
	if (write(pipefd[1], "xyzzy", 5) != 5)
		_exit(2);
	*low_int = -1;
	res.fwd_ret = res.fwd_open_ret < 0 ? -2 :
		ioctl((int)res.fwd_open_ret, FIONREAD, EMUCOMPAT_FWD_ARG(pipefd[0], pt_u32(low_int)));
	res.fwd_errno = errno;
	res.fwd_count = *low_int;

	errno = 0;
	res.mmap_ret = mmap_range(LOW_LO, PT_4G, pg, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, &m);
	res.mmap_errno = errno;
	res.mmap_addr = m.addr;
	if (write(wfd, &res, sizeof(res)) != (ssize_t)sizeof(res))
		_exit(2);
	_exit(0);
}

static void check_seccomp(void)
{
	struct seccomp_result res;
	int p[2], status, allow, allow_fwd;
	pid_t pid;

	if (under_seccomp()) {
		tap_skip("not applicable here", "seccomp refusal: this test already runs under seccomp");
		return;
	}
	tap_ok(!(info.flags & EMUCOMPAT_INFO_SECCOMP_REFUSED),
	      "without seccomp INFO does not report SECCOMP_REFUSED");
	allow = pt_module_param_on("allow_seccomp");
	allow_fwd = pt_module_param_on("allow_seccomp_fwd");
	if (pipe2(p, O_CLOEXEC))
		tap_bail("pipe2: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		seccomp_child(p[1]);
	}
	close(p[1]);
	memset(&res, 0, sizeof(res));
	if (read(p[0], &res, sizeof(res)) != (ssize_t)sizeof(res))
		res.filter_ret = -99;
	close(p[0]);
	waitpid(pid, &status, 0);

	if (!tap_ok(res.filter_ret == 0, "child installed an allow-all seccomp filter (%ld %s)",
		   res.filter_ret, strerrorname_np(res.filter_errno)))
		return;
	tap_ok(res.info_ret == 0, "under seccomp: INFO works");
	if (allow) {
		tap_diag("allow_seccomp=1: forwarding is allowed under seccomp");
		tap_ok(!(res.info_flags & EMUCOMPAT_INFO_SECCOMP_REFUSED),
		      "allow_seccomp=1: INFO does not report SECCOMP_REFUSED");
		if (can_ioctl32)
			tap_ok(res.ioctl32_ret == 0,
			      "allow_seccomp=1: IOCTL32 works under seccomp");
	} else {
		tap_ok(res.info_flags & EMUCOMPAT_INFO_SECCOMP_REFUSED,
		      "under seccomp: INFO reports SECCOMP_REFUSED (flags %#x)",
		      res.info_flags);
		if (can_ioctl32)
			tap_ok(res.ioctl32_ret == -1 && res.ioctl32_errno == EPERM,
			      "under seccomp: IOCTL32 -> EPERM (%ld %s)",
			      res.ioctl32_ret,
			      strerrorname_np(res.ioctl32_errno));
	}
	if (cmds[CMD_FORWARDER].usable) {
		tap_ok(res.fwd_open_ret >= 0, "under seccomp: FORWARDER opens a descriptor (%ld %s)",
		       res.fwd_open_ret, strerrorname_np(res.fwd_open_errno));
		tap_ok(!!(res.info_flags & EMUCOMPAT_INFO_FWD_SECCOMP_REFUSED) == !allow_fwd,
		       "allow_seccomp_fwd=%d: INFO's FWD_SECCOMP_REFUSED %s (flags %#x)", allow_fwd,
		       allow_fwd ? "clear" : "set", res.info_flags);
		if (allow_fwd)
			tap_ok(res.fwd_ret == 0 && res.fwd_count == 5,
			       "allow_seccomp_fwd=1: FIONREAD through the forwarder works under "
			       "seccomp (%ld %s, %d)", res.fwd_ret, strerrorname_np(res.fwd_errno),
			       res.fwd_count);
		else
			tap_ok(res.fwd_ret == -1 && res.fwd_errno == EPERM,
			       "allow_seccomp_fwd=0: the forwarder is EPERM under seccomp (%ld %s)",
			       res.fwd_ret, strerrorname_np(res.fwd_errno));
	} else {
		tap_skip("no EMUCOMPAT_CAP_FORWARDER", "under seccomp: the forwarder");
	}
	tap_ok(res.mmap_ret == 0 && res.mmap_addr && res.mmap_addr < PT_4G,
	      "under seccomp: MMAP_RANGE still works (%ld %s, %#llx)",
	      res.mmap_ret, strerrorname_np(res.mmap_errno),
	      (unsigned long long)res.mmap_addr);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "seccomp child exited cleanly");
}

int main(void)
{
	unsigned char *ro, *holes;
	uintptr_t hole;
	size_t psize;
	void *pbase;
	int k;

	ec = pt_open_ec(&info);
	pg = sysconf(_SC_PAGESIZE);
	ecfd = open("/dev/" EMUCOMPAT_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (ecfd < 0)
		tap_bail("open /dev/emucompat: %s", strerror(errno));
	dirfd_root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pipe2(pipefd, O_CLOEXEC))
		tap_bail("pipe2: %s", strerror(errno));
	can_ioctl32 = (info.caps & EMUCOMPAT_CAP_IOCTL32) &&
		      !(info.flags & EMUCOMPAT_INFO_SECCOMP_REFUSED);
	cmds[1].usable = can_ioctl32;
	cmds[CMD_VA_LIMITS].usable = !!(info.caps & EMUCOMPAT_CAP_VA_LIMITS);
	cmds[CMD_FORWARDER].usable = !!(info.caps & EMUCOMPAT_CAP_FORWARDER);
	if (info.flags & EMUCOMPAT_INFO_NEEDS_PIVOT)
		pivot_top = pt_pivot_stack(ec, &info, &pbase, &psize);
	low_int = pt_low_map(ec, pg);
	memset(low_int, 0, pg);	/* present: t_flag tests fresh pages */
	self_req = (void *)(low_int + 64);
	full = pt_low_map(ec, 3 * pg);

	buf = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* A read/write page followed by an inaccessible one. */
	holes = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || ro == MAP_FAILED || holes == MAP_FAILED ||
	    mprotect(holes + pg, pg, PROT_NONE))
		tap_bail("mmap: %s", strerror(errno));
	hole = (uintptr_t)holes + pg;

	for (k = 0; k < NCMDS; k++) {
		check_sizes(&cmds[k]);
		check_reserved(&cmds[k]);
		check_pointers(&cmds[k], ro, hole);
	}
	if (can_ioctl32) {
		struct emucompat_ioctl32 *r;

		r = request(&cmds[1], sizeof(*r));
		r->__pad = 1;
		pt_errno(ioctl(ecfd, EMUCOMPAT_IOC_IOCTL32, r), EINVAL,
			 "IOCTL32: __pad nonzero (full struct)");
	}
	check_unknown_cmds();
	check_mmap_args();
	check_ioctl32_args();
	check_no_leak(ro, hole);
	check_seccomp();

	emucompat_close(ec);
	return tap_done();
}
