#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-check.sh [KERNEL] — the DKMS path a distro user takes, on the host,
# against the headers of a kernel that is not the running one (default
# 6.12-amd64 from kernels.conf): dkms add, build, install, check where the
# module landed, remove.  Needs root and Debian's dkms (installed if missing).
# An arm64 KERNEL is cross-built: dkms passes ARCH and CROSS_COMPILE from the
# environment on to make (its host `strip` then warns that it cannot read
# the arm64 object and leaves it unstripped, which is harmless).
# Prints TAP; exit 0 when all steps pass.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
kernel=${1:-6.12-amd64}
n=0 fail=0
tap() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi; }

[ "$(id -u)" -eq 0 ] || { echo "dkms-check: needs root" >&2; exit 1; }
command -v dkms >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q dkms >&2

eval "$("$here/qemu/fetch-kernel.sh" "$kernel")"
if [ "$KARCH" = arm64 ] && [ "$(uname -m)" != aarch64 ]; then
	export ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
fi
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
src=/usr/src/emucompat-$ver
moddir=/lib/modules/$KREL
made_moddir=0

cleanup() {
	dkms remove "emucompat/$ver" --all >/dev/null 2>&1 || true
	rm -rf "$src"
	[ "$made_moddir" = 1 ] && rm -rf "$moddir"
	return 0
}
trap cleanup EXIT

[ "$KREL" != "$(uname -r)" ] || { echo "dkms-check: $KREL is the running kernel" >&2; exit 1; }
if [ ! -d "$moddir" ]; then
	mkdir -p "$moddir"
	made_moddir=1
fi
ln -sfn "$KDIR" "$moddir/build"
rm -rf "$src"
mkdir -p "$src"
# What a release tarball holds: the tracked files.
(cd "$top" && git ls-files -z | xargs -0 tar -cf - ) | tar -xf - -C "$src"
dkms remove "emucompat/$ver" --all >/dev/null 2>&1 || true

check() { local d=$1 rc=0; shift; "$@" >&2 || rc=$?; tap "$rc" "$d"; }
has_ko() { find "$moddir/updates" -name 'emucompat.ko*' 2>/dev/null | grep -q .; }
check "dkms add emucompat/$ver" dkms add "emucompat/$ver"
check "dkms build -k $KREL" dkms build "emucompat/$ver" -k "$KREL"
check "dkms install -k $KREL" dkms install "emucompat/$ver" -k "$KREL"
check "module installed under $moddir/updates" has_ko
check "installed module is for $KARCH" sh -c "file -L \"\$(find '$moddir/updates' -name 'emucompat.ko*' | head -1)\" | grep -q '$( [ "$KARCH" = arm64 ] && echo aarch64 || echo x86-64 )'"
check "depmod lists it in modules.dep" grep -qs emucompat "$moddir/modules.dep"
check "dkms remove" dkms remove "emucompat/$ver" --all
check "module gone after remove" test -z "$(find "$moddir/updates" -name 'emucompat.ko*' 2>/dev/null)"
echo "1..$n"
echo "dkms $kernel: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
