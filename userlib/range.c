// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Ranged mappings: mmap, mremap and shmat placed inside [lo, hi) by the
 * module's gap search (EMUCOMPAT_IOC_MMAP_RANGE, _RESERVE_RANGE).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/mman.h>

#include "internal.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 4U
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 1U
#endif
#ifndef SHM_REMAP
#define SHM_REMAP 040000
#endif
#ifndef SHM_EXEC
#define SHM_EXEC 0100000
#endif

static long ec_page_size(void)
{
	static long ps;

	if (!ps)
		ps = sysconf(_SC_PAGESIZE);
	return ps;
}

/* A placeholder in the range; *len becomes its real (rounded-up) length. */
static void *ec_reserve(struct emucompat *ec, uint64_t lo, uint64_t hi, size_t *len,
			uint64_t align)
{
	struct emucompat_reserve_range req = {
		.size = sizeof(req),
		.lo = lo,
		.hi = hi,
		.len = *len,
		.align = align,
	};

	if (ioctl(ec->fd, EMUCOMPAT_IOC_RESERVE_RANGE, &req) < 0)
		return MAP_FAILED;
	*len = req.len;
	return (void *)(uintptr_t)req.addr;
}

/*
 * Remove a placeholder after a failed replacement.  The failed mremap() or
 * shmat() may already have unmapped it, and another thread may have mapped
 * something into the hole since: never munmap() blindly.  Claim the hole
 * with MAP_FIXED_NOREPLACE first; if it is occupied, unmap only if what is
 * there is still exactly our PROT_NONE placeholder.
 */
static void ec_release_placeholder(void *addr, size_t len)
{
	unsigned long start = (unsigned long)addr, end = start + len, s, e;
	char line[256], perms[8];
	int err = errno;
	void *p;
	FILE *f;

	p = mmap(addr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		 MAP_FIXED_NOREPLACE, -1, 0);
	if (p == addr) {
		munmap(addr, len);
		goto out;
	}
	if (p != MAP_FAILED) {	/* a kernel without MAP_FIXED_NOREPLACE */
		munmap(p, len);
		goto out;
	}
	f = fopen("/proc/self/maps", "re");
	if (!f)
		goto out;
	while (fgets(line, sizeof(line), f)) {
		unsigned long off;
		unsigned int maj, min;
		unsigned long ino;

		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu", &s, &e, perms, &off, &maj, &min,
			   &ino) != 7)
			continue;
		if (s == start && e == end && !strcmp(perms, "---p") && !ino && !maj && !min) {
			munmap(addr, len);
			break;
		}
	}
	fclose(f);
out:
	errno = err;
}

static int ec_hugetlb_memfd(int flags, size_t *len)
{
	unsigned int mfd = MFD_CLOEXEC | MFD_HUGETLB |
			   (flags & (MAP_HUGE_MASK << MAP_HUGE_SHIFT));
	struct statfs sfs;
	size_t hps;
	int fd, err;

	fd = memfd_create("emucompat-hugetlb", mfd);
	if (fd < 0)
		return -1;
	if (fstatfs(fd, &sfs) < 0)
		goto fail;
	hps = sfs.f_bsize;
	*len = (*len + hps - 1) & ~(hps - 1);
	if (ftruncate(fd, *len) < 0)
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

EC_EXPORT void *emucompat_mmap_range(struct emucompat *ec, uint64_t lo, uint64_t hi, size_t len,
				     int prot, int flags, int fd, off_t off)
{
	struct emucompat_mmap_range req = {
		.size = sizeof(req),
		.prot = prot,
		.flags = flags,
		.fd = fd,
		.lo = lo,
		.hi = hi,
		.len = len,
		.off = off,
	};
	int memfd = -1, err, ret;

	if (!ec) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	/*
	 * Anonymous huge pages need hugetlb_file_setup(), which modules cannot
	 * call: back them with a hugetlbfs memfd instead, which the module
	 * places like any hugetlbfs file (huge-page aligned, race-free).
	 */
	if ((flags & MAP_HUGETLB) && (flags & MAP_ANONYMOUS) && len) {
		memfd = ec_hugetlb_memfd(flags, &len);
		if (memfd < 0)
			return MAP_FAILED;
		req.flags &= ~(MAP_ANONYMOUS | MAP_HUGETLB | (MAP_HUGE_MASK << MAP_HUGE_SHIFT));
		req.fd = memfd;
		req.len = len;
		req.off = 0;
	}
	ret = ioctl(ec->fd, EMUCOMPAT_IOC_MMAP_RANGE, &req);
	if (ret < 0 && errno == EPERM && (prot & PROT_EXEC) && !(flags & MAP_FIXED)) {
		/*
		 * Under seccomp the module refuses PROT_EXEC, which the filter
		 * cannot see in an ioctl (EMUCOMPAT_INFO_SECCOMP_EXEC_REFUSED):
		 * place the mapping without it, then ask for it with mprotect(),
		 * which the filter judges (MemoryDenyWriteExecute= and the like).
		 * Refused there, the new mapping goes again.  Not with MAP_FIXED,
		 * which would have replaced what the filter keeps in place.
		 */
		req.prot = prot & ~PROT_EXEC;
		req.len = len;
		ret = ioctl(ec->fd, EMUCOMPAT_IOC_MMAP_RANGE, &req);
		if (ret == 0 && mprotect((void *)(uintptr_t)req.addr, req.len, prot) < 0) {
			err = errno;
			munmap((void *)(uintptr_t)req.addr, req.len);
			errno = err;
			ret = -1;
		}
	}
	if (memfd >= 0) {
		err = errno;
		close(memfd);
		errno = err;
	}
	if (ret < 0)
		return MAP_FAILED;
	return (void *)(uintptr_t)req.addr;
}

static int ec_in_range(uint64_t addr, uint64_t len, uint64_t lo, uint64_t hi)
{
	uint64_t end = addr + len;

	if (end < addr)
		return 0;
	if (lo < hi)
		return addr >= lo && end <= hi;
	/* wrap-around: [lo, top) or [0, hi) */
	return addr >= lo || end <= hi;
}

EC_EXPORT void *emucompat_mremap_range(struct emucompat *ec, void *old, size_t old_len,
				       size_t new_len, int flags, uint64_t lo, uint64_t hi)
{
	size_t place_len;
	void *place, *p;

	if (!ec || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (flags & MREMAP_FIXED)
		return mremap(old, old_len, new_len, flags, (void *)(uintptr_t)lo);
	if (lo == hi)
		return mremap(old, old_len, new_len, flags);

	/* In place when the result stays inside the range. */
	if (!(flags & MREMAP_DONTUNMAP) &&
	    ec_in_range((uintptr_t)old, new_len > old_len ? new_len : old_len, lo, hi)) {
		p = mremap(old, old_len, new_len, 0);
		if (p != MAP_FAILED || errno != ENOMEM || !(flags & MREMAP_MAYMOVE))
			return p;
	} else if (!(flags & MREMAP_MAYMOVE)) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	if (!new_len) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	/*
	 * Validate the old range first (one VMA, mapped): mremap_to() unmaps
	 * the target before it checks the source.
	 */
	if (old_len && mremap(old, old_len, old_len, 0) == MAP_FAILED)
		return MAP_FAILED;

	place_len = new_len;
	place = ec_reserve(ec, lo, hi, &place_len, 0);
	if (place == MAP_FAILED)
		return MAP_FAILED;
	/* mremap_to() unmaps the placeholder and moves under one mmap lock. */
	p = mremap(old, old_len, new_len, flags | MREMAP_MAYMOVE | MREMAP_FIXED, place);
	if (p == MAP_FAILED)
		ec_release_placeholder(place, place_len);
	return p;
}

/* Default huge page size from /proc/meminfo, 0 if unknown. */
static size_t ec_default_hugepage(void)
{
	static size_t hps;
	char line[128];
	FILE *f;

	if (hps)
		return hps;
	f = fopen("/proc/meminfo", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long kb;

		if (sscanf(line, "Hugepagesize: %lu kB", &kb) == 1) {
			hps = (size_t)kb * 1024;
			break;
		}
	}
	fclose(f);
	return hps;
}

/*
 * shmat(SHM_REMAP) at a placeholder of @len bytes.  @avoid_align: make
 * sure the address is not a multiple of it, so that a hugetlb segment
 * (whose real size is rounded up to a huge page) is refused with EINVAL
 * by its alignment check instead of mapping past the placeholder.
 */
static void *ec_shmat_at(struct emucompat *ec, int shmid, int shmflg, uint64_t lo, uint64_t hi,
			 size_t len, size_t align, size_t avoid_align)
{
	size_t ps = ec_page_size(), extra = avoid_align ? ps : 0, rlen = len + extra;
	char *base, *addr;
	void *p;

	/* len is a multiple of align (or of the page size): rlen == len + extra. */
	base = ec_reserve(ec, lo, hi, &rlen, align);
	if (base == MAP_FAILED)
		return MAP_FAILED;
	addr = base;
	if (extra) {
		if ((uintptr_t)base % avoid_align == 0) {
			addr = base + ps;
			munmap(base, ps);
		} else {
			munmap(base + len, ps);
		}
	}
	p = shmat(shmid, addr, shmflg | SHM_REMAP);
	if (p == (void *)-1)
		ec_release_placeholder(addr, len);
	return p;
}

EC_EXPORT void *emucompat_shmat_range(struct emucompat *ec, int shmid, int shmflg, uint64_t lo,
				      uint64_t hi)
{
	size_t ps = ec_page_size(), hps, len;
	struct shmid_ds ds;
	void *p;

	if (!ec || (shmflg & ~(SHM_RDONLY | SHM_EXEC | SHM_RND))) {
		errno = EINVAL;
		return (void *)-1;
	}
	if (lo == hi)
		return shmat(shmid, NULL, shmflg);
	if (shmctl(shmid, IPC_STAT, &ds) < 0)
		return (void *)-1;
	len = (ds.shm_segsz + ps - 1) & ~(ps - 1);
	hps = ec_default_hugepage();

	p = ec_shmat_at(ec, shmid, shmflg, lo, hi, len, 0, hps > ps ? hps : 0);
	if (p != (void *)-1 || errno != EINVAL || hps <= ps)
		return p;
	/* Perhaps a SHM_HUGETLB segment: huge-page aligned and sized. */
	len = (ds.shm_segsz + hps - 1) & ~(hps - 1);
	return ec_shmat_at(ec, shmid, shmflg, lo, hi, len, hps, 0);
}
