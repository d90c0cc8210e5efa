// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * common_dir32.c - see common_dir32.h.  Builds for both widths.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common_dir32.h"

struct ent64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

struct seen {
	char name[64];
	uint64_t off;
};

/* llseek that works on both widths, with a 64-bit offset. */
static int seek64(int fd, uint64_t off)
{
#ifdef SYS__llseek
	uint64_t res;

	return (int)syscall(SYS__llseek, fd, (unsigned long)(off >> 32),
			    (unsigned long)(off & 0xffffffffu), &res, SEEK_SET);
#else
	return lseek(fd, (off_t)off, SEEK_SET) == (off_t)off ? 0 : -1;
#endif
}

/* The first entry getdents64 returns from the current position. */
static int first_name(int fd, char *name, size_t n)
{
	/* room for one entry: the filesystem reads no further than it must */
	char buf[sizeof(struct ent64) + 256 + 8];
	long r = syscall(SYS_getdents64, fd, buf, sizeof(buf));
	const char *src = ((struct ent64 *)buf)->name;
	size_t i;

	if (r <= 0)
		return -1;
	for (i = 0; i + 1 < n && src[i]; i++)
		name[i] = src[i];
	name[i] = 0;
	return 0;
}

int dir32_list(int fd, FILE *out)
{
	struct seen *v = NULL;
	size_t n = 0, cap = 0;
	uint64_t max_off = 0;
	unsigned long ok = 0, bad = 0;
	char buf[8192], name[64];

	for (;;) {
		long r = syscall(SYS_getdents64, fd, buf, sizeof(buf));

		if (r < 0) {
			fprintf(out, "dir: getdents64 failed errno %d\n", errno);
			free(v);
			return 1;
		}
		if (r == 0)
			break;
		for (long pos = 0; pos < r;) {
			struct ent64 *e = (struct ent64 *)(buf + pos);

			if (n == cap) {
				cap = cap ? 2 * cap : 1024;
				v = realloc(v, cap * sizeof(*v));
				if (!v)
					return 1;
			}
			snprintf(v[n].name, sizeof(v[n].name), "%s", e->name);
			v[n].off = (uint64_t)e->off;
			if (v[n].off > max_off)
				max_off = v[n].off;
			fprintf(out, "dir: %s %llu\n", e->name, (unsigned long long)e->off);
			n++;
			pos += e->reclen;
		}
	}
	/*
	 * seekdir(): resuming at entry i's offset must give entry i + 1 -- or,
	 * on a hash collision, any entry whose cookie is that same offset:
	 * the filesystem can only resume at the first entry of a hash, so a
	 * cookie shared by several entries brings back the first of them
	 * (what a 32-bit process gets too).
	 */
	for (size_t i = 0; i + 1 < n; i++) {
		size_t lo = i > 16 ? i - 16 : 1, hi = i + 17 < n ? i + 17 : n;
		int hit = 0;

		if (seek64(fd, v[i].off) == 0 && first_name(fd, name, sizeof(name)) == 0)
			for (size_t k = lo; k < hi && !hit; k++)
				hit = v[k - 1].off == v[i].off && !strcmp(name, v[k].name);
		if (hit)
			ok++;
		else
			bad++;
	}
	fprintf(out, "dir: entries %zu max_off %llu seek_ok %lu seek_bad %lu\n", n,
		(unsigned long long)max_off, ok, bad);
	free(v);
	return 0;
}
