// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_range_release - the library's placeholders never cost a neighbour its
 * mapping (userlib/range.c).
 *
 * emucompat_shmat_range() and emucompat_mremap_range() reserve a PROT_NONE
 * placeholder in the range and replace it with shmat(SHM_REMAP) or
 * mremap(MREMAP_FIXED).  When that fails, the placeholder may or may not
 * still be there, and another thread may have mapped its own memory into
 * the hole meanwhile.
 *
 *   - race, made deterministic: this program's own shmat() (it links
 *     before libc's) unmaps the placeholder, maps a "foreign" PROT_NONE
 *     anonymous mapping of exactly its extent -- what another thread's
 *     reservation looks like -- and fails with ENOMEM.  The library must
 *     leave the foreign mapping alone (it used to compare /proc/self/maps
 *     lines and unmapped it);
 *   - a shmat() that fails before touching anything (EACCES): the
 *     placeholder is removed, nothing leaks;
 *   - /proc/meminfo unreadable (bind-mounted over in a private mount
 *     namespace): a SHM_HUGETLB segment of 2 MiB + 1 page (4 MiB in huge
 *     pages) offered a range of exactly 2 MiB + 1 page, huge-page aligned,
 *     with a neighbour right above it, must not map over the neighbour
 *     (it used to: without the huge page size the placeholder was placed
 *     2 MiB aligned and shmat(SHM_REMAP) mapped 4 MiB); in a roomy range
 *     the segment is still placed, huge-page aligned, inside.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe_util.h"

#define MiB	(1ULL << 20)

static long ps;

/* ---- shmat() interposed ---- */

enum { SHMAT_REAL, SHMAT_FOREIGN, SHMAT_EACCES };
static int shmat_mode;
static size_t shmat_len;		/* the placeholder's length */
static void *foreign;			/* where the foreign mapping went */

void *shmat(int shmid, const void *addr, int shmflg)
{
	long r;

	switch (shmat_mode) {
	case SHMAT_FOREIGN:
		/* the real shmat() unmapped the placeholder and failed ... */
		munmap((void *)addr, shmat_len);
		/* ... and another thread reserved the hole */
		foreign = mmap((void *)addr, shmat_len, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
		errno = ENOMEM;
		return (void *)-1;
	case SHMAT_EACCES:
		errno = EACCES;
		return (void *)-1;
	}
	r = syscall(SYS_shmat, shmid, addr, shmflg);
	return (void *)r;
}

/* Is [a, a + len) exactly one mapping with these permissions? */
static int mapped_as(void *a, size_t len, const char *perms)
{
	unsigned long s, e, start = (unsigned long)a;
	char line[512], p[8];
	FILE *f = fopen("/proc/self/maps", "re");
	int found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %7s", &s, &e, p) == 3 && s == start && e == start + len &&
		    !strcmp(p, perms))
			found = 1;
	fclose(f);
	return found;
}

static void check_release(struct emucompat *ec)
{
	uint64_t lo = 1ULL << 30, hi = 1ULL << 32;
	int id, maps;
	void *p;

	id = shmget(IPC_PRIVATE, 4 * ps, IPC_CREAT | 0600);
	if (id < 0)
		tap_bail("shmget: %s", strerror(errno));
	shmat_len = 4 * ps;

	shmat_mode = SHMAT_FOREIGN;
	foreign = MAP_FAILED;
	p = emucompat_shmat_range(ec, id, 0, lo, hi);
	tap_ok(p == (void *)-1 && errno == ENOMEM, "shmat() fails after unmapping the "
	       "placeholder: ENOMEM passed on (%s)", p == (void *)-1 ? strerrorname_np(errno) : "-");
	tap_ok(foreign != MAP_FAILED && mapped_as(foreign, shmat_len, "---p"),
	       "another thread's PROT_NONE mapping in the hole (%p) is left alone", foreign);
	if (foreign != MAP_FAILED)
		munmap(foreign, shmat_len);

	shmat_mode = SHMAT_EACCES;
	maps = pt_count_maps();
	p = emucompat_shmat_range(ec, id, 0, lo, hi);
	tap_ok(p == (void *)-1 && errno == EACCES && pt_count_maps() == maps,
	       "shmat() fails before touching the placeholder: EACCES, the placeholder is gone "
	       "(maps %d -> %d)", maps, pt_count_maps());

	shmat_mode = SHMAT_REAL;
	p = emucompat_shmat_range(ec, id, 0, lo, hi);
	tap_ok(p != (void *)-1 && (uintptr_t)p >= lo && (uintptr_t)p + 4 * ps <= hi,
	       "the real shmat() through the library still works (%p)", p);
	if (p != (void *)-1)
		shmdt(p);
	shmctl(id, IPC_RMID, NULL);
}

/* ---- hugetlb without /proc/meminfo ---- */

static int hide_meminfo(void)
{
	char buf[4096];
	ssize_t n;
	int fd;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("/dev/null", "/proc/meminfo", NULL, MS_BIND, NULL))
		return -1;
	fd = open("/proc/meminfo", O_RDONLY);
	n = fd < 0 ? 0 : read(fd, buf, sizeof(buf));
	if (fd >= 0)
		close(fd);
	return n == 0 ? 0 : -1;
}

static void check_hugetlb(struct emucompat *ec)
{
	uint64_t seg = 2 * MiB + (uint64_t)ps, lo, hi;
	uint8_t *area, *nb;
	int id, intact = 1;
	void *p;

	id = shmget(IPC_PRIVATE, seg, IPC_CREAT | SHM_HUGETLB | 0600);
	if (id < 0) {
		tap_skip("no SHM_HUGETLB segment here", "hugetlb without /proc/meminfo (%s)",
			 strerrorname_np(errno));
		return;
	}
	if (hide_meminfo()) {
		tap_ok(0, "/proc/meminfo hidden in a private mount namespace (%s)", strerror(errno));
		shmctl(id, IPC_RMID, NULL);
		return;
	}
	tap_ok(1, "/proc/meminfo reads empty now");

	/* 8 MiB, 2 MiB aligned: the range [A, A + seg), a neighbour above it */
	area = mmap(NULL, 10 * MiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	lo = ((uintptr_t)area + 2 * MiB - 1) & ~(2 * MiB - 1);
	hi = lo + seg;
	munmap(area, 10 * MiB);
	nb = mmap((void *)(uintptr_t)hi, 4 * MiB - seg, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (nb != (void *)(uintptr_t)hi)
		tap_bail("neighbour: %s", strerror(errno));
	memset(nb, 0x6b, 4 * MiB - seg);

	p = emucompat_shmat_range(ec, id, 0, lo, hi);
	for (uint64_t i = 0; i < 4 * MiB - seg; i++)
		intact &= nb[i] == 0x6b;
	tap_ok(intact && mapped_as(nb, 4 * MiB - seg, "rw-p"),
	       "hugetlb segment of 2 MiB + 1 page into a range of exactly that size: the neighbour "
	       "above is untouched (result %p %s)", p, p == (void *)-1 ? strerrorname_np(errno) : "-");
	tap_ok(p == (void *)-1, "and the segment (4 MiB in huge pages) does not fit: refused");
	if (p != (void *)-1)
		shmdt(p);
	munmap(nb, 4 * MiB - seg);

	p = emucompat_shmat_range(ec, id, 0, 1ULL << 30, 1ULL << 32);
	tap_ok(p != (void *)-1 && (uintptr_t)p % (2 * MiB) == 0 && (uintptr_t)p >= 1ULL << 30 &&
	       (uintptr_t)p + 4 * MiB <= 1ULL << 32,
	       "in a roomy range it is placed, huge-page aligned, inside (%p %s)", p,
	       p == (void *)-1 ? strerrorname_np(errno) : "-");
	if (p != (void *)-1)
		shmdt(p);
	shmctl(id, IPC_RMID, NULL);
}

int main(void)
{
	struct emucompat_info info;
	struct emucompat *ec;

	ps = sysconf(_SC_PAGESIZE);
	ec = pt_open_ec(&info);
	/* first: the library caches the huge page size once it has read it */
	check_hugetlb(ec);
	check_release(ec);
	emucompat_close(ec);
	return tap_done();
}
