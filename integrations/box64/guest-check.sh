#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-check.sh --stage amd64|arm64 OUTDIR
#     What tests/qemu/run.sh appends to a lane's initramfs for the box64
#     test (the lanes of $EMUCOMPAT_BOX64, see run.sh): OUTDIR/box64root,
#     OUTDIR/box64ref (arm64 only) and OUTDIR/tests/t_box64.sh (guest.sh).
#     Prints BOX64_STAGE_NOTE=<one line: box64 version, programs> on stdout;
#     progress on stderr.
# guest-check.sh [KERNEL]
#     By hand: tests/qemu/run.sh KERNEL --only 't_box64*' with
#     EMUCOMPAT_BOX64=KERNEL (default lane 6.12-amd64).
#
# The stage:
# 1. build.sh --host ARCH (cached): box64 (patched) and box64-stock;
# 2. tests/qemu/sysroot32.sh i386 (and armhf on arm64): Debian bookworm's
#    own 32-bit programs with their libraries (cached), alsactl among them;
# 3. box64root = a copy of the i386 sysroot, the host's runtime libraries
#    (this machine's x86-64 glibc; on arm64 bookworm's arm64 libc6 and
#    libgcc-s1 that build.sh unpacked), the two box64, and check/*.c built
#    with i686-linux-gnu-gcc as PIE (for box32) and static (the native
#    reference on x86-64);
# 4. fftest from bookworm's joystick package (i386, and armhf for the
#    reference), and check/ff-uinput.c built for the guest (/box64-ff-uinput):
#    the force-feedback uinput device it runs on;
# 5. arm64: box64ref = a copy of the armhf sysroot with check/*.c built
#    static with arm-linux-gnueabihf-gcc -marm (the native reference: an
#    arm64 kernel has no i386 ABI, so the reference is the armhf build of
#    the same program version, as in tests/guest/qemu_user.sh).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${EMUCOMPAT_CACHE:-$HOME/.cache/emucompat}
die() { echo "box64-check: error: $*" >&2; exit 1; }
log() { echo "box64-check: $*" >&2; }

if [ "${1:-}" != --stage ]; then
	kernel=${1:-6.12-amd64}
	exec env EMUCOMPAT_BOX64="$kernel" "$top/tests/qemu/run.sh" "$kernel" --only 't_box64*'
fi
host=${2:?usage: guest-check.sh --stage amd64|arm64 OUTDIR}
out=${3:?usage: guest-check.sh --stage amd64|arm64 OUTDIR}
case $host in amd64|arm64) ;; *) die "--stage: amd64 or arm64, not '$host'" ;; esac

b=$("$here/build.sh" --host "$host") || die "build.sh --host $host failed"
dir=${b#BOX64_USER_DIR=}
if [ ! -x "$dir/box64" ] || [ ! -x "$dir/box64-stock" ]; then die "build.sh gave no box64 in '$dir'"; fi

# sysroot ABI — the sysroot32.sh sysroot's directory
sysroot() {
	local v
	v=$("$top/tests/qemu/sysroot32.sh" "$1") || die "tests/qemu/sysroot32.sh $1 failed"
	v=$(sed -n 's/^SYSROOT32_DIR=//p' <<<"$v")
	[ -f "$v/.emucompat/done" ] || die "sysroot32.sh $1 gave no sysroot"
	echo "$v"
}
# add_fftest ROOT ABI — usr/bin/fftest of bookworm's joystick package for
# ABI (only libc), downloaded once with sysroot32.sh's private apt lists
# (read, never updated here) into box64-src/debs/.
add_fftest() {
	local root=$1 abi=$2 a=$cache/apt32 d=$cache/box64-src/debs deb t x
	local opts=(-o "Dir::Etc::SourceList=$a/sources.list" -o Dir::Etc::SourceParts=/dev/null
		    -o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$d/apt-cache" -o Dir::State::status=/dev/null
		    -o APT::Sandbox::User=root -q)
	for x in i386 armhf amd64 arm64; do opts+=(-o "APT::Architectures::=$x"); done
	mkdir -p "$d/apt-cache/archives/partial"
	deb=$(find "$d" -maxdepth 1 -name "joystick_*_$abi.deb" | head -1)
	if [ -z "$deb" ]; then
		[ -f "$a/sources.list" ] || die "no $a/sources.list (tests/qemu/sysroot32.sh makes it)"
		(cd "$d" && apt-get "${opts[@]}" download "joystick:$abi" >&2) || die "apt-get download joystick:$abi failed"
		deb=$(find "$d" -maxdepth 1 -name "joystick_*_$abi.deb" | head -1)
	fi
	t=$(mktemp -d)
	dpkg -x "$deb" "$t"
	install -m 0755 "$t/usr/bin/fftest" "$root/usr/bin/fftest"
	rm -rf "$t"
	echo "fftest /usr/bin/fftest joystick $(dpkg-deb -f "$deb" Version)" >>"$root/.emucompat/programs"
}

rm -rf "$out"
mkdir -p "$out/tests"
R=$out/box64root
log "box64root: the i386 sysroot, $host runtime, box64"
cp -a "$(sysroot i386)" "$R"
chmod -R u+w "$R"
add_fftest "$R" i386
mkdir -p "$R/box32" "$R/usr/bin"
# stripped: the debug info (RelWithDebInfo) would only weigh on the initramfs
case $host in amd64) strip=strip ;; arm64) strip=aarch64-linux-gnu-strip ;; esac
"$strip" -o "$R/usr/bin/box64" "$dir/box64" || die "$strip $dir/box64 failed"
"$strip" -o "$R/usr/bin/box64-stock" "$dir/box64-stock" || die "$strip $dir/box64-stock failed"
cp "$dir/version" "$R/box64.version"
for p in box32-ioctl box32-getopt; do
	i686-linux-gnu-gcc -O2 -Wall -fPIE -pie -o "$R/box32/$p" "$here/check/$p.c" ||
		die "cannot build $p (i686-linux-gnu-gcc)"
done
case $host in
amd64)
	# box64 and the native libraries box32's wrapped libc opens.
	mkdir -p "$R/lib64" "$R/usr/lib/x86_64-linux-gnu"
	cp -L /lib64/ld-linux-x86-64.so.2 "$R/lib64/"
	for l in libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libresolv.so.2 libutil.so.1 libgcc_s.so.1; do
		if [ -e "/lib/x86_64-linux-gnu/$l" ]; then cp -L "/lib/x86_64-linux-gnu/$l" "$R/usr/lib/x86_64-linux-gnu/"; fi
	done
	for p in box32-ioctl box32-getopt; do
		i686-linux-gnu-gcc -O2 -Wall -static -o "$R/box32/$p.static" "$here/check/$p.c" ||
			die "cannot build $p static"
	done
	;;
arm64)
	[ -f "$dir/runtime/.done" ] || die "build.sh left no arm64 runtime in $dir/runtime"
	# into the merged-/usr sysroot: its /lib is a symlink to usr/lib
	tar -C "$dir/runtime" --exclude=./.done --exclude=./.packages -cf - . |
		tar -C "$R" --keep-directory-symlink -xf -
	F=$out/box64ref
	log "box64ref: the armhf sysroot"
	cp -a "$(sysroot armhf)" "$F"
	chmod -R u+w "$F"
	add_fftest "$F" armhf
	mkdir -p "$F/box32"
	for p in box32-ioctl box32-getopt; do
		arm-linux-gnueabihf-gcc -marm -O2 -Wall -static -o "$F/box32/$p.static" "$here/check/$p.c" ||
			die "cannot build $p static for armhf (arm-linux-gnueabihf-gcc)"
	done
	;;
esac
# the uinput force-feedback device fftest runs on: a native helper
case $host in amd64) cc=gcc ;; arm64) cc=aarch64-linux-gnu-gcc ;; esac
"$cc" -O2 -Wall -static -o "$out/box64-ff-uinput" "$here/check/ff-uinput.c" ||
	die "cannot build check/ff-uinput.c ($cc -static)"
# t_box64_mem.sh (guest-mem.sh): where box32 places guest memory
# (check/box32-mem.c; patches 0010-0012), beside t_box64.sh.
i686-linux-gnu-gcc -O2 -Wall -fPIE -pie -o "$R/box32/box32-mem" "$here/check/box32-mem.c" ||
	die "cannot build box32-mem (i686-linux-gnu-gcc)"
case $host in
amd64)	i686-linux-gnu-gcc -O2 -Wall -static -o "$R/box32/box32-mem.static" "$here/check/box32-mem.c" ||
		die "cannot build box32-mem static" ;;
arm64)	arm-linux-gnueabihf-gcc -marm -O2 -Wall -static -o "$F/box32/box32-mem.static" "$here/check/box32-mem.c" ||
		die "cannot build box32-mem static for armhf" ;;
esac
# an x86-64 guest's MAP_32BIT (0013): dynamic, box64 runs it with its own
# wrapped libc on either host
gcc -O2 -Wall -o "$R/box32/box64-map32bit" "$here/check/box64-map32bit.c" ||
	die "cannot build box64-map32bit (gcc, x86-64)"
install -m 0755 "$here/guest-mem.sh" "$out/tests/t_box64_mem.sh"
# b_box64 (tests/bench/b_box64.c), only when asked: EMUCOMPAT_BOX64_BENCH=1
# (EMUCOMPAT_BOX64_BENCH_ROUNDS, default 7), as /tests/t_box64_bench.sh.
if [ "${EMUCOMPAT_BOX64_BENCH:-0}" = 1 ]; then
	i686-linux-gnu-gcc -O2 -Wall -fPIE -pie -o "$R/box32/b32_box64" "$top/tests/bench/b32_box64.c" ||
		die "cannot build b32_box64"
	if [ "$host" = amd64 ]; then
		i686-linux-gnu-gcc -O2 -Wall -static -o "$R/box32/b32_box64.static" "$top/tests/bench/b32_box64.c" ||
			die "cannot build b32_box64 static"
	fi
	"$cc" -O2 -Wall -static -I"$top/tests/bench" -o "$out/b_box64" "$top/tests/bench/b_box64.c" ||
		die "cannot build tests/bench/b_box64.c ($cc -static)"
	echo "${EMUCOMPAT_BOX64_BENCH_ROUNDS:-7}" >"$out/box64-bench-rounds"
	install -m 0755 "$here/bench-guest.sh" "$out/tests/t_box64_bench.sh"
fi
install -m 0755 "$here/guest.sh" "$out/tests/t_box64.sh"
echo "BOX64_STAGE_NOTE=$(cat "$dir/version") ($host), $(du -sh "$out" | cut -f1)"
