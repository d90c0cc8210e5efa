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
#include <sys/stat.h>
#include <sys/sysmacros.h>
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
 * What a placeholder is known by: the memfd whose PROT_NONE private
 * mapping it is (ec_mark()).  ino == 0: not marked.
 */
struct ec_mark {
	unsigned long ino;
	unsigned int major, minor;
};

/*
 * Make the placeholder just reserved at [addr, addr + len) recognisable:
 * map a fresh memfd over it (MAP_FIXED over our own new mapping), so that
 * /proc/self/maps names an inode nobody else maps.  An anonymous PROT_NONE
 * mapping is not: another thread may make one at the same place the moment
 * ours is gone.  Without memfd_create() (seccomp, old kernels) the
 * placeholder stays anonymous and unmarked.
 */
static void ec_mark(void *addr, size_t len, struct ec_mark *m)
{
	int err = errno, fd;
	struct stat st;

	m->ino = 0;
	fd = memfd_create("emucompat-placeholder", MFD_CLOEXEC);
	if (fd < 0)
		goto out;
	if (!fstat(fd, &st) &&
	    mmap(addr, len, PROT_NONE, MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE, fd, 0) == addr) {
		m->ino = st.st_ino;
		m->major = major(st.st_dev);
		m->minor = minor(st.st_dev);
	}
	close(fd);
out:
	errno = err;
}

/*
 * Remove a placeholder after a failed replacement.  The failed mremap() or
 * shmat() may already have unmapped it, and another thread may have mapped
 * something into the hole since: never munmap() blindly.  Unmap only when
 * /proc/self/maps shows exactly our marked placeholder there: its memfd's
 * inode is mapped by nobody else, so what is seen is ours, and stays ours
 * until we unmap it (only a thread unmapping memory it never got could
 * interfere, and that thread is broken anyway).  An unmarked placeholder,
 * or no /proc, leaves it in place: PROT_NONE address space lost, never a
 * neighbour's mapping.
 */
static void ec_release_placeholder(void *addr, size_t len, const struct ec_mark *m)
{
	unsigned long start = (unsigned long)addr, end = start + len, s, e;
	char line[512], perms[8];
	int err = errno;
	FILE *f;

	if (!m->ino)
		goto out;
	f = fopen("/proc/self/maps", "re");
	if (!f)
		goto out;
	while (fgets(line, sizeof(line), f)) {
		unsigned int maj, min;
		unsigned long off, ino;

		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu", &s, &e, perms, &off, &maj, &min,
			   &ino) != 7)
			continue;
		if (s == start && e == end && !strcmp(perms, "---p") && ino == m->ino &&
		    maj == m->major && min == m->minor) {
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
	struct ec_mark mark;
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
	ec_mark(place, place_len, &mark);
	/* mremap_to() unmaps the placeholder and moves under one mmap lock. */
	p = mremap(old, old_len, new_len, flags | MREMAP_MAYMOVE | MREMAP_FIXED, place);
	if (p == MAP_FAILED)
		ec_release_placeholder(place, place_len, &mark);
	return p;
}

/*
 * The default huge page size: /proc/meminfo, else the block size of a
 * hugetlb memfd (no /proc needed); 0 if unknown (no hugetlb support here).
 */
static size_t ec_default_hugepage(void)
{
	static size_t hps;
	int err = errno, fd;
	struct statfs sfs;
	char line[128];
	FILE *f;

	if (__atomic_load_n(&hps, __ATOMIC_RELAXED))
		return hps;
	f = fopen("/proc/meminfo", "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			unsigned long kb;

			if (sscanf(line, "Hugepagesize: %lu kB", &kb) == 1) {
				__atomic_store_n(&hps, (size_t)kb * 1024, __ATOMIC_RELAXED);
				break;
			}
		}
		fclose(f);
	}
	if (!hps) {
		fd = memfd_create("emucompat-hugetlb", MFD_CLOEXEC | MFD_HUGETLB);
		if (fd >= 0) {
			if (!fstatfs(fd, &sfs) && sfs.f_bsize > 0)
				__atomic_store_n(&hps, (size_t)sfs.f_bsize, __ATOMIC_RELAXED);
			close(fd);
		}
	}
	errno = err;
	return hps;
}

/*
 * shmat(SHM_REMAP) at a placeholder of @len bytes aligned to @unit (a page
 * or a huge page).  @avoid_align (0 or 2 * @unit): place it at an odd
 * multiple of @unit, so that a hugetlb segment whose huge pages are larger
 * than @unit (its real size rounded up past the placeholder) is refused
 * with EINVAL by its alignment check instead of mapping past the
 * placeholder over a neighbour: every huge page size larger than @unit is
 * a multiple of 2 * @unit.
 */
static void *ec_shmat_at(struct emucompat *ec, int shmid, int shmflg, uint64_t lo, uint64_t hi,
			 size_t len, size_t unit, size_t avoid_align)
{
	size_t extra = avoid_align ? unit : 0, rlen = len + extra;
	struct ec_mark mark;
	char *base, *addr;
	void *p;

	/* len is a multiple of unit: rlen == len + extra. */
	base = ec_reserve(ec, lo, hi, &rlen, unit > (size_t)ec_page_size() ? unit : 0);
	if (base == MAP_FAILED)
		return MAP_FAILED;
	addr = base;
	if (extra) {
		if ((uintptr_t)base % avoid_align == 0) {
			addr = base + unit;
			munmap(base, unit);
		} else {
			munmap(base + len, unit);
		}
	}
	ec_mark(addr, len, &mark);
	p = shmat(shmid, addr, shmflg | SHM_REMAP);
	if (p == (void *)-1)
		ec_release_placeholder(addr, len, &mark);
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

	/*
	 * An odd page multiple refuses every hugetlb segment, whatever its
	 * huge page size: also when the default one is unknown.
	 */
	p = ec_shmat_at(ec, shmid, shmflg, lo, hi, len, ps, 2 * ps);
	if (p != (void *)-1 || errno != EINVAL || hps <= ps)
		return p;
	/* Perhaps a SHM_HUGETLB segment: huge-page aligned and sized. */
	len = (ds.shm_segsz + hps - 1) & ~(hps - 1);
	return ec_shmat_at(ec, shmid, shmflg, lo, hi, len, hps, 2 * hps);
}
