#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh — install the host packages that `make check` / `make demo` need
# (Debian bookworm).  As root it runs apt-get itself; otherwise it prints
# the exact command to run.  Prints nothing and does nothing when all is
# there already.
set -euo pipefail

# command-or-file  package
need=(
	"qemu-system-x86_64 qemu-system-x86"
	"qemu-system-aarch64 qemu-system-arm"
	"/bin/busybox busybox-static"
	"cpio cpio"
	"xz xz-utils"
	"zstd zstd"
	"depmod kmod"
	"make make"
	"gcc gcc"
	"bc bc"
	"pahole dwarves"
	"sparse sparse"
	"i686-linux-gnu-gcc-12 gcc-12-i686-linux-gnu"
	"i686-linux-gnu-gcc gcc-i686-linux-gnu"
	"/usr/i686-linux-gnu/lib/libc.a libc6-dev-i386-cross"
	"aarch64-linux-gnu-gcc-12 gcc-12-aarch64-linux-gnu"
	"aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu"
	"/usr/aarch64-linux-gnu/lib/libc.a libc6-dev-arm64-cross"
	"arm-linux-gnueabihf-gcc-12 gcc-12-arm-linux-gnueabihf"
	"arm-linux-gnueabihf-gcc gcc-arm-linux-gnueabihf"
	"/usr/arm-linux-gnueabihf/lib/libc.a libc6-dev-armhf-cross"
	"/usr/share/keyrings/debian-archive-keyring.gpg debian-archive-keyring"
)

missing=()
for n in "${need[@]}"; do
	what=${n%% *}
	pkg=${n##* }
	if [ "${what:0:1}" = / ]; then
		[ -e "$what" ] && continue
	else
		command -v "$what" >/dev/null 2>&1 && continue
	fi
	missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

# gcc-12-<triplet> must go in before gcc-<triplet> (the metapackage alone
# does not resolve here), so install in two rounds.
first=() second=()
for p in "${missing[@]}"; do
	case $p in
	gcc-i686-linux-gnu|gcc-aarch64-linux-gnu|gcc-arm-linux-gnueabihf) second+=("$p") ;;
	*) first+=("$p") ;;
	esac
done

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages; run as root:" >&2
	echo "  apt-get update && apt-get install -y ${first[*]}${second:+ && apt-get install -y ${second[*]}}" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
[ ${#first[@]} -eq 0 ] || apt-get install -y -q "${first[@]}" >&2
[ ${#second[@]} -eq 0 ] || apt-get install -y -q "${second[@]}" >&2
