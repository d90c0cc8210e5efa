/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * common_dir32.h - list an open directory with getdents64 and check that
 * lseek() to every offset it handed out resumes after that entry; shared
 * by the 32-bit oracle (o32_compat32 dir) and t_dir32 (after
 * emucompat_dir32()).
 */
#ifndef COMMON_DIR32_H
#define COMMON_DIR32_H

#include <stdio.h>

/*
 * Print "dir: NAME D_OFF" for every entry of @fd (at position 0), in
 * getdents64 order, then "dir: entries N max_off M seek_ok K seek_bad B".
 * Returns 0, or 1 if the directory could not be read.
 */
int dir32_list(int fd, FILE *out);

#endif /* COMMON_DIR32_H */
