/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * compat32_util.h - run the o32_compat32 oracle and collect its output
 * (t_robust, t_dir32).
 */
#ifndef COMPAT32_UTIL_H
#define COMPAT32_UTIL_H

#include <stddef.h>

/*
 * Run the oracle with @arg1 [@arg2] (an inherited descriptor number, or
 * NULL); its stdout is returned in a malloc'ed string (NULL if it could not
 * run or exited non-zero; *why says why).
 */
char *c32_oracle(const char *arg1, const char *arg2, char *why, size_t whylen);

#endif /* COMPAT32_UTIL_H */
