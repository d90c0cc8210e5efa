// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * common_ioctl32_rec.c - records, the low arena and small helpers of the
 * differential ioctl test (see common_ioctl32.h).  Built for both ABIs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "common_ioctl32.h"

long (*ic_ioctl32)(int fd, uint32_t cmd, uint32_t arg);
int ic_side;

void ic_rec_init(struct ic_rec *r)
{
	r->buf[0] = '\0';
	r->len = 0;
	r->skip = NULL;
}

void ic_rec_add(struct ic_rec *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->len + 2 >= sizeof(r->buf))
		return;
	if (r->len)
		r->buf[r->len++] = ' ';
	va_start(ap, fmt);
	n = vsnprintf(r->buf + r->len, sizeof(r->buf) - r->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	r->len += (size_t)n;
	if (r->len >= sizeof(r->buf))
		r->len = sizeof(r->buf) - 1;
	r->buf[r->len] = '\0';
}

static const struct {
	int err;
	const char *name;
} ic_errnames[] = {
#define E(x) { x, #x }
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(EBADF), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY),
	E(EEXIST), E(EXDEV), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL),
	E(ENFILE), E(EMFILE), E(ENOTTY), E(EFBIG), E(ENOSPC), E(ESPIPE),
	E(EROFS), E(ERANGE), E(ENOSYS), E(ENODATA), E(EOVERFLOW),
	E(EOPNOTSUPP), E(EADDRNOTAVAIL), E(ENOTSOCK), E(ENOTCONN),
#undef E
};

const char *ic_errname(int err)
{
	static char buf[32];
	size_t i;

	for (i = 0; i < sizeof(ic_errnames) / sizeof(ic_errnames[0]); i++)
		if (ic_errnames[i].err == err)
			return ic_errnames[i].name;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

void ic_rec_ret(struct ic_rec *r, const char *label, long ret, int err)
{
	if (ret == -1)
		ic_rec_add(r, "%s=-1:%s", label, ic_errname(err));
	else
		ic_rec_add(r, "%s=%ld", label, ret);
}

static void ic_hex(char *dst, const void *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		dst[2 * i] = digits[b[i] >> 4];
		dst[2 * i + 1] = digits[b[i] & 15];
	}
	dst[2 * n] = '\0';
}

void ic_rec_hex(struct ic_rec *r, const char *label, const void *p, size_t n)
{
	char hex[2 * 1024 + 1];

	if (n > 1024)
		n = 1024;
	ic_hex(hex, p, n);
	ic_rec_add(r, "%s=%s", label, hex);
}

void ic_rec_out(struct ic_rec *r, const char *label, uint32_t addr, size_t n)
{
	char hex[2 * 1024 + 1], guard[2 * IC_GUARD + 1];
	const unsigned char *p = ic_ptr(addr);

	if (n > 1024)
		n = 1024;
	ic_hex(hex, p, n);
	ic_hex(guard, p + n, IC_GUARD);
	ic_rec_add(r, "%s=%s|%s", label, hex, guard);
}

void ic_rec_ptr(struct ic_rec *r, const char *label, uint32_t out, uint32_t in)
{
	/*
	 * A pointer member holds an address of this process's arena: the
	 * value differs between the two processes by construction, so only
	 * its relation to what was passed in is recorded.
	 */
	if (out == in)
		ic_rec_add(r, "%s=in", label);
	else if (out == 0)
		ic_rec_add(r, "%s=0", label);
	else
		ic_rec_add(r, "%s=other", label);
}

static unsigned char *ic_arena_base;
static size_t ic_arena_len, ic_arena_used;

/*
 * Arena layout: [bump area][edge page][PROT_NONE page].  ic_out() takes
 * pieces of the bump area; ic_out_edge() returns memory that ends exactly
 * where the inaccessible page begins.
 */
void ic_arena_set(void *base, size_t len)
{
	ic_arena_base = base;
	ic_arena_len = len - 2 * IC_PAGE;
	if (mprotect(ic_arena_base + len - IC_PAGE, IC_PAGE, PROT_NONE))
		perror("ic_arena_set: mprotect");
	ic_arena_reset();
}

void ic_arena_reset(void)
{
	ic_arena_used = 0;
	memset(ic_arena_base, IC_FILL, ic_arena_len + IC_PAGE);
}

uint32_t ic_out(size_t n)
{
	size_t off = (ic_arena_used + 15) & ~(size_t)15;

	if (off + n + IC_GUARD > ic_arena_len) {
		fprintf(stderr, "ic_out: arena exhausted\n");
		return 0;
	}
	ic_arena_used = off + n + IC_GUARD;
	memset(ic_arena_base + off, IC_FILL, n + IC_GUARD);
	return (uint32_t)(uintptr_t)(ic_arena_base + off);
}

uint32_t ic_out_edge(size_t n)
{
	unsigned char *end = ic_arena_base + ic_arena_len + IC_PAGE;

	if (n > IC_PAGE)
		return 0;
	memset(end - IC_PAGE, IC_FILL, IC_PAGE);
	return (uint32_t)(uintptr_t)(end - n);
}

uint32_t ic_str(const char *s)
{
	size_t n = strlen(s) + 1;
	uint32_t a = ic_out(n);

	if (a)
		memcpy(ic_ptr(a), s, n);
	return a;
}

void *ic_ptr(uint32_t addr)
{
	return (void *)(uintptr_t)addr;
}

long ic_do(struct ic_rec *r, const char *label, int fd, uint32_t cmd, uint32_t arg)
{
	long ret;
	int err;

	errno = 0;
	ret = ic_ioctl32(fd, cmd, arg);
	err = errno;
	ic_rec_ret(r, label, ret, err);
	errno = err;
	return ret;
}

const struct ic_case *ic_case_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ic_ncases; i++)
		if (!strcmp(ic_cases[i].name, name))
			return &ic_cases[i];
	return NULL;
}
