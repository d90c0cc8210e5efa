/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * common_valimits.h - the placement scenario of t_va_limits, run the same
 * way by the 32-bit oracle (o32_compat32 place N: a real 32-bit process,
 * whose every kernel-chosen address lies below its 4 GiB end) and by the
 * 64-bit test after emucompat_set_va_limits(lo, hi): N plain mmap()s of
 * 1..8 pages (VA_COUNT normally; fewer on a slow debug kernel), N
 * shmat()s of one segment, an io_setup() ring, an mremap() that must
 * move, and VA_VMMAPS mappings a driver makes inside an ioctl (the
 * probe's PROBE_VM_MMAP).
 *
 * It prints "place: KIND n=N inside=N outside=N failed=N" lines, inside
 * meaning within the bounds the caller passes; both sides' lines must be
 * the same.  Every address outside is also reported as a "# KIND outside
 * ADDR" line for the log.  Everything is unmapped again.
 */
#ifndef COMMON_VALIMITS_H
#define COMMON_VALIMITS_H

#include <stdint.h>
#include <stdio.h>

#define VA_COUNT	10000	/* mmaps and shmats each, as the issue asks */
#define VA_SHM_SIZE	16384
#define VA_VMMAPS	16
#define VA_VMMAP_LEN	65536

struct va_ops {
	/*
	 * The probe's PROBE_VM_MMAP for @len bytes, through whatever path the
	 * side uses: 0 with *addr set, or -errno.
	 */
	int (*vmmap)(uint64_t len, uint64_t *addr);
};

/*
 * Run the scenario; count addresses inside [lo, hi).  Returns 0, or -1 if
 * a set-up step (not a placement) failed, with a "# ..." line saying why.
 */
int va_place_run(const struct va_ops *ops, unsigned int n, uint64_t lo, uint64_t hi,
		 FILE *out);

#endif /* COMMON_VALIMITS_H */
