// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_tagged - request structs at tagged addresses (arm64 Top Byte Ignore).
 *
 * With the tagged address ABI enabled (PR_SET_TAGGED_ADDR_CTRL), an arm64
 * process may pass pointers whose top byte carries a tag (HWASan, MTE
 * heaps) to syscalls; copy_from_user() and copy_to_user() ignore it.  The
 * commands that act and then write back (MMAP_RANGE, RESERVE_RANGE) check
 * first that the struct lies in writable memory, looking its address up
 * among the VMAs, which are keyed by untagged addresses: that check must
 * untag too (untagged_addr()), or a struct on a tagged heap is EFAULT.
 *
 *   - MMAP_RANGE and RESERVE_RANGE with the struct at a tagged address
 *     succeed, and the result is written back (read through the untagged
 *     address);
 *   - the same struct, tagged, on a read-only page is still EFAULT with
 *     nothing mapped: the check still checks.
 *
 * x86-64 has no TBI (LAM needs hardware QEMU's CPU lacks here): skipped.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "probe_util.h"

#ifndef PR_SET_TAGGED_ADDR_CTRL
#define PR_SET_TAGGED_ADDR_CTRL	55
#define PR_TAGGED_ADDR_ENABLE	(1UL << 0)
#endif

#define TAG	(0x5aULL << 56)

int main(void)
{
	struct emucompat_info info;
	struct emucompat_mmap_range *mr;
	struct emucompat_reserve_range *rr;
	struct emucompat *ec;
	uint8_t *page, *ro;
	long ps = sysconf(_SC_PAGESIZE), r;
	int ecfd, maps0;

	ec = pt_open_ec(&info);
#if !defined(__aarch64__)
	(void)ps; (void)r; (void)mr; (void)rr; (void)page; (void)ro; (void)ecfd; (void)maps0;
	emucompat_close(ec);
	tap_skip_all("no Top Byte Ignore on this architecture");
#else
	if (prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE, 0, 0, 0))
		tap_skip_all("no tagged address ABI in this kernel (%s)", strerror(errno));
	ecfd = open("/dev/" EMUCOMPAT_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	page = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ecfd < 0 || page == MAP_FAILED)
		tap_bail("set-up: %s", strerror(errno));
	ro = page + ps;

	mr = (void *)page;
	memset(mr, 0, sizeof(*mr));
	mr->size = sizeof(*mr);
	mr->prot = PROT_READ | PROT_WRITE;
	mr->flags = MAP_PRIVATE | MAP_ANONYMOUS;
	mr->fd = -1;
	mr->lo = 1ULL << 30;
	mr->hi = 1ULL << 32;
	mr->len = ps;
	errno = 0;
	r = ioctl(ecfd, EMUCOMPAT_IOC_MMAP_RANGE, (void *)((uintptr_t)mr | TAG));
	tap_ok(r == 0 && mr->addr >= mr->lo && mr->addr + ps <= mr->hi,
	       "MMAP_RANGE with the struct at a tagged address: placed, result written back (%ld "
	       "%s, addr %#llx)", r, r < 0 ? strerrorname_np(errno) : "-",
	       (unsigned long long)mr->addr);
	if (r == 0)
		munmap((void *)(uintptr_t)mr->addr, ps);

	rr = (void *)(page + 256);
	memset(rr, 0, sizeof(*rr));
	rr->size = sizeof(*rr);
	rr->lo = 1ULL << 30;
	rr->hi = 1ULL << 32;
	rr->len = ps;
	errno = 0;
	r = ioctl(ecfd, EMUCOMPAT_IOC_RESERVE_RANGE, (void *)((uintptr_t)rr | TAG));
	tap_ok(r == 0 && rr->addr >= rr->lo && rr->addr + ps <= rr->hi,
	       "RESERVE_RANGE with the struct at a tagged address: placed, result written back "
	       "(%ld %s, addr %#llx)", r, r < 0 ? strerrorname_np(errno) : "-",
	       (unsigned long long)rr->addr);
	if (r == 0)
		munmap((void *)(uintptr_t)rr->addr, ps);

	/* the check still checks: a tagged struct on a read-only page */
	memcpy(ro, mr, sizeof(*mr));
	((struct emucompat_mmap_range *)ro)->addr = 0;
	mprotect(ro, ps, PROT_READ);
	maps0 = pt_count_maps();
	errno = 0;
	r = ioctl(ecfd, EMUCOMPAT_IOC_MMAP_RANGE, (void *)((uintptr_t)ro | TAG));
	tap_ok(r == -1 && errno == EFAULT && pt_count_maps() == maps0,
	       "MMAP_RANGE with a tagged struct on a read-only page: EFAULT, nothing mapped (%ld %s, "
	       "maps %d -> %d)", r, r < 0 ? strerrorname_np(errno) : "-", maps0, pt_count_maps());
	munmap(page, 2 * ps);
	close(ecfd);
	emucompat_close(ec);
	return tap_done();
#endif
}
