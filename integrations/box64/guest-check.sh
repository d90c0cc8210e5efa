#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-check.sh [--reuse] [KERNEL] — run box32 (patched and stock, from build.sh) on
# i386 programs inside a guest of the test harness (default lane
# 6.12-amd64), by hand: it is not part of `make check`.
#
# 1. build.sh (cached) gives box64 and box64-stock;
# 2. check/*.c are built with i686-linux-gnu-gcc, as PIE (for box32) and
#    static (the native reference);
# 3. tests/qemu/run.sh KERNEL --only t_box64_check.sh builds the lane's
#    module and initramfs (that run finds no such test: its verdict is
#    ignored; --reuse: use the initramfs an earlier run.sh left in
#    EMUCOMPAT_BUILD, if there is one);
# 4. a second cpio archive is appended to a copy of that initramfs: a chroot
#    /box64root with this machine's x86-64 glibc, the two box64 and the
#    programs, and guest.sh as /tests/t_box64_check.sh;
# 5. the guest boots as run.sh boots it and runs only that script.
# BOX64_CHECK_SYSROOT32=<i386 sysroot of tests/qemu/sysroot32.sh> adds
# Debian's i386 amixer (libasound emulated) on snd-dummy.
# The console goes to $EMUCOMPAT_LOGDIR/box64-KERNEL.log (default
# /tmp/emucompat-logs); the last lines are run-tests.sh's counts.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
reuse=0
if [ "${1:-}" = --reuse ]; then reuse=1; shift; fi
kernel=${1:-6.12-amd64}
logdir=${EMUCOMPAT_LOGDIR:-/tmp/emucompat-logs}
build=${EMUCOMPAT_BUILD:-$top/build}/$kernel
die() { echo "box64-check: error: $*" >&2; exit 1; }
case $kernel in *-amd64) ;; *) die "only amd64 lanes so far" ;; esac
mkdir -p "$logdir"

out=$("$here/build.sh") || die "build.sh failed"
dir=${out#BOX64_USER_DIR=}

work=$(mktemp -d /tmp/box64-check.XXXXXX)
trap 'rm -rf "$work"' EXIT
R=$work/stage/box64root
mkdir -p "$work/stage"
# With BOX64_CHECK_SYSROOT32 (an i386 sysroot of tests/qemu/sysroot32.sh)
# the chroot is a copy of it: Debian's i386 amixer runs natively and under
# box32 (libasound emulated) on snd-dummy.
if [ -n "${BOX64_CHECK_SYSROOT32:-}" ]; then
	[ -f "$BOX64_CHECK_SYSROOT32/.emucompat/done" ] || die "$BOX64_CHECK_SYSROOT32 is not a sysroot32.sh sysroot"
	cp -a "$BOX64_CHECK_SYSROOT32" "$R"
fi
mkdir -p "$R"/{bin,box32,dev,proc,tmp,lib64,lib/x86_64-linux-gnu} "$work/stage/tests"
for p in box32-ioctl box32-getopt; do
	i686-linux-gnu-gcc -O2 -Wall -fPIE -pie -o "$R/box32/$p" "$here/check/$p.c" ||
		die "cannot build $p (i686-linux-gnu-gcc)"
	i686-linux-gnu-gcc -O2 -Wall -static -o "$R/box32/$p.static" "$here/check/$p.c" ||
		die "cannot build $p static"
done
cp "$dir/box64" "$R/bin/box64"
cp "$dir/box64-stock" "$R/bin/box64-stock"
# box64 and the native libraries box32's wrapped libc opens.
cp -L /lib64/ld-linux-x86-64.so.2 "$R/lib64/"
for l in libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libresolv.so.2 libutil.so.1 libgcc_s.so.1; do
	if [ -e "/lib/x86_64-linux-gnu/$l" ]; then cp -L "/lib/x86_64-linux-gnu/$l" "$R/lib/x86_64-linux-gnu/"; fi
done
install -m 0755 "$here/guest.sh" "$work/stage/tests/t_box64_check.sh"

if [ "$reuse" = 0 ] || [ ! -f "$build/initramfs.cpio" ]; then
	echo "box64-check: building the $kernel initramfs (tests/qemu/run.sh; its verdict is ignored)" >&2
	EMUCOMPAT_LOGDIR=$logdir "$top/tests/qemu/run.sh" "$kernel" --only t_box64_check.sh --timeout 300 >/dev/null 2>&1 || true
fi
[ -f "$build/initramfs.cpio" ] || die "run.sh did not build $build/initramfs.cpio (see $logdir/$kernel.build.log)"
env_out=$("$top/tests/qemu/fetch-kernel.sh" "$kernel" 2>/dev/null) || die "fetch-kernel.sh $kernel failed"
eval "$env_out"

cp "$build/initramfs.cpio" "$work/initramfs.cpio"
(cd "$work/stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >>"$work/initramfs.cpio"
log=$logdir/box64-$kernel.log
echo "box64-check: booting $kernel (console: $log)" >&2
timeout 900 qemu-system-x86_64 -M q35 -m 1024 -smp 2 -nographic -no-reboot -accel tcg -nic none \
	-device virtio-rng-pci -vga none -kernel "$KIMAGE" -initrd "$work/initramfs.cpio" \
	-append "console=ttyS0 panic=-1 ectest.mode=suite ectest.only=t_box64_check.sh" </dev/null | tee "$log" |
	grep -E '^(ok|not ok|#|[0-9]+ passed)' || true
tr -d '\r' <"$log" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1
tr -d '\r' <"$log" | grep -qE '^[0-9]+ passed, 0 failed' || exit 1
