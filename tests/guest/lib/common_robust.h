/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * common_robust.h - the robust-futex scenarios of t_robust, run the same
 * way by the 32-bit oracle (o32_compat32 robust, registering with the real
 * set_robust_list()) and by the 64-bit test (registering through
 * emucompat_set_robust_list32()).  Every list, lock word and pointer lives
 * in a caller-provided MAP_SHARED region below 4 GiB and uses the 32-bit
 * layout of struct robust_list_head / robust_list.
 *
 * Each scenario prints "robust: NAME key=value ..." lines that must be the
 * same from both sides.
 */
#ifndef COMMON_ROBUST_H
#define COMMON_ROBUST_H

#include <stdint.h>
#include <stdio.h>

#define ROBUST_REGION	65536	/* bytes the caller maps */

struct robust_ops {
	/* set_robust_list(head, len) of the calling thread: 0 or -errno */
	int (*set)(uint32_t head, uint32_t len);
	/* get_robust_list(0, ...) of the calling thread: 0 or -errno */
	int (*get)(uint32_t *head, uint32_t *len);
};

/* Run every scenario; print the records to @out.  Returns 0. */
int robust_run(const struct robust_ops *ops, void *region, FILE *out);

#endif /* COMMON_ROBUST_H */
