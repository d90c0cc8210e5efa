/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * ioctl32_diff.h - the 64-bit side of the differential ioctl test
 * (64-bit only; see common_ioctl32.h for the design).
 *
 * A test program is one line:
 *	int main(int argc, char **argv) { return ic_diff_main(argc, argv, "tty"); }
 * It runs every case of that group from lib/common_ioctl32_cases.c: first
 * in the 32-bit oracle (o32_ioctl, next to the test program or in /tests,
 * or in $EMUCOMPAT_O32_DIR), then itself through emucompat_ioctl32(), and
 * compares the two records.  Arguments, if any, restrict the run to the
 * named cases.
 */
#ifndef IOCTL32_DIFF_H
#define IOCTL32_DIFF_H

int ic_diff_main(int argc, char **argv, const char *group);

#endif /* IOCTL32_DIFF_H */
