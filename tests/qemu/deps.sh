#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh — check (and, as root with apt-get, install) the host packages the
# QEMU harness needs.  Quiet and fast when everything is there.
#   --check   only report; never install
set -euo pipefail

check_only=0
[ "${1:-}" = --check ] && check_only=1

# "test|package": test is a command name or an absolute file path.
needs=(
	"make|make"
	"gcc|gcc"
	"/usr/lib/x86_64-linux-gnu/libc.a|libc6-dev"
	"qemu-system-x86_64|qemu-system-x86"
	"qemu-system-aarch64|qemu-system-arm"
	"aarch64-linux-gnu-gcc-12|gcc-12-aarch64-linux-gnu"
	"i686-linux-gnu-gcc-12|gcc-12-i686-linux-gnu"
	"arm-linux-gnueabihf-gcc-12|gcc-12-arm-linux-gnueabihf"
	"aarch64-linux-gnu-gcc|gcc-aarch64-linux-gnu"
	"i686-linux-gnu-gcc|gcc-i686-linux-gnu"
	"arm-linux-gnueabihf-gcc|gcc-arm-linux-gnueabihf"
	"/usr/aarch64-linux-gnu/lib/libc.a|libc6-dev-arm64-cross"
	"/usr/i686-linux-gnu/lib/libc.a|libc6-dev-i386-cross"
	"/usr/arm-linux-gnueabihf/lib/libc.a|libc6-dev-armhf-cross"
	"/bin/busybox|busybox-static"
	"cpio|cpio"
	"xz|xz-utils"
	"zstd|zstd"
	"depmod|kmod"
	"flock|util-linux"
	"file|file"
	"pahole|dwarves"
	"bc|bc"
	"sparse|sparse"
	"mandoc|mandoc"
	"groff|groff-base"
	# make docs / lint: docs/*.svg from docs/*.dot.
	"dot|graphviz"
	"git|git"
	"/usr/share/keyrings/debian-archive-keyring.gpg|debian-archive-keyring"
	# sysroot32.sh: bookworm's 32-bit programs for t_qemu_user_*.sh
	# (apt-get download, dpkg -x, DT_NEEDED resolved with readelf).
	"apt-get|apt"
	"dpkg-deb|dpkg"
	"readelf|binutils"
	"sha256sum|coreutils"
	# toolchain.sh: build roots for kernels whose headers need a newer
	# Debian's compilers (kernels.conf's TOOLCHAIN column, e.g. 7.x).
	"debootstrap|debootstrap"
	"unshare|util-linux"
	"chroot|coreutils"
	# debug-kernel.sh: the KUnit/KASAN/lockdep kernel built from source.
	"flex|flex"
	"bison|bison"
	"perl|perl"
	"/usr/include/gelf.h|libelf-dev"
	"/usr/include/openssl/ssl.h|libssl-dev"
	# userlib/abi/abi-gen.py (make abi / check-abi): DWARF reader.
	"/usr/lib/python3/dist-packages/elftools/__init__.py|python3-pyelftools"
)

# `make bench` also plots (tests/bench/bench.sh).
[ "${EMUCOMPAT_DEPS_BENCH:-0}" = 1 ] && needs+=("gnuplot|gnuplot-nox")

missing=()
for n in "${needs[@]}"; do
	t=${n%%|*} p=${n#*|}
	case $t in
	/*) [ -e "$t" ] && continue ;;
	*) command -v "$t" >/dev/null 2>&1 && continue ;;
	esac
	missing+=("$p")
done
# The harness needs a *static* busybox on the host architecture.
if [ -x /bin/busybox ] && ! file -L /bin/busybox | grep -q 'statically linked'; then
	missing+=(busybox-static)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps.sh: missing host packages: ${missing[*]}" >&2
if [ "$check_only" = 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	# gcc-12-<triplet> must be installed before gcc-<triplet>: the
	# metapackages alone do not resolve on bookworm.  Two rounds.
	first=() second=()
	for p in "${missing[@]}"; do
		case $p in
		gcc-i686-linux-gnu|gcc-aarch64-linux-gnu|gcc-arm-linux-gnueabihf) second+=("$p") ;;
		*) first+=("$p") ;;
		esac
	done
	apt-get update -q >&2
	export DEBIAN_FRONTEND=noninteractive
	[ ${#first[@]} -eq 0 ] || apt-get install -y -q --no-install-recommends "${first[@]}" >&2
	[ ${#second[@]} -eq 0 ] || apt-get install -y -q --no-install-recommends "${second[@]}" >&2
	exit 0
fi
echo "deps.sh: install them with: apt-get install ${missing[*]}" >&2
exit 1
