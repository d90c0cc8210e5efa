// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_ioctl32_fs - differential ioctl test, group "fs": filesystems with a
 * compat_ioctl of their own (ext2 through the ext4 driver, vfat), each
 * case run by the 32-bit oracle (o32_ioctl) and through
 * emucompat_ioctl32(), records compared byte for byte.  Needs mke2fs and
 * mkdosfs (busybox) and the ext4/vfat modules; skips what is missing.
 * Arguments: optional case names to run only those.
 */
#include "ioctl32_diff.h"

int main(int argc, char **argv)
{
	return ic_diff_main(argc, argv, "fs");
}
