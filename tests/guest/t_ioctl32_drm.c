// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_ioctl32_drm - differential ioctl test, group "drm": every "drm" case of
 * lib/common_ioctl32_cases.c run by the 32-bit oracle (o32_ioctl) and
 * through emucompat_ioctl32(), records compared byte for byte.
 * Arguments: optional case names to run only those.
 */
#include "ioctl32_diff.h"

int main(int argc, char **argv)
{
	return ic_diff_main(argc, argv, "drm");
}
