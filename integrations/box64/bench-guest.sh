#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench-guest.sh — b_box64 (tests/bench/b_box64.c) in a guest of the test
# harness: box64's box32 patched (the series, /dev/emucompat open) against
# stock, and the native i386 process on x86_64, in /box64root (see
# guest.sh).  Packed as /tests/t_box64_bench.sh by guest-check.sh --stage
# only when EMUCOMPAT_BOX64_BENCH=1 (never in check runs); the host reads
# its "@md"/"@csv" lines back from the console (tests/bench/b_box64-table.sh).
R=/box64root
if [ ! -x /b_box64 ] || [ ! -e "$R/box32/b32_box64" ]; then
	echo "not ok 1 - no /b_box64 or $R/box32/b32_box64 (guest-check.sh --stage with EMUCOMPAT_BOX64_BENCH=1)"
	echo "1..1"
	exit 1
fi
[ -e /dev/emucompat ] || insmod /emucompat.ko 2>/dev/null
mounted=
if ! grep -q " $R/proc " /proc/mounts; then
	mount --bind /dev "$R/dev" && mount -t proc proc "$R/proc" && mount -t tmpfs tmpfs "$R/tmp" &&
		mounted=1
fi
echo "# b_box64: /dev/emucompat $([ -e /dev/emucompat ] && echo present || echo MISSING)"
/b_box64 "$R" "$(cat /box64-bench-rounds 2>/dev/null || echo 7)"
rc=$?
[ -n "$mounted" ] && umount "$R/tmp" "$R/proc" "$R/dev"
exit $rc
