#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh [NAME] — build the debug test kernel (default NAME
# 6.1-debug-amd64) from Debian bookworm's linux-source-6.1, once.
#
# tinyconfig + tests/qemu/debug-6.1.config (KUnit, generic inline
# KASAN, lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_VM, kmemleak; no debug info;
# the drivers the guest tests need built in), then `make bzImage modules`
# and `modules_install`.  The build tree itself is KDIR: out-of-tree modules
# build with `make -C $KDIR M=...`.  fetch-kernel.sh dispatches the
# kernels.conf entry 6.1-debug-amd64 here, so run.sh uses it like any other:
#   tests/qemu/run.sh 6.1-debug-amd64
#
# Prints what fetch-kernel.sh prints, shell assignments on stdout:
#   KNAME KREL KDEBVER KARCH KDEBARCH KIMAGE KDIR KMODDIR KTOOLCHAIN
# Progress and the build's output go to stderr.
#
# Cache (outside the clone, ${EMUCOMPAT_CACHE:-~/.cache/emucompat}):
#   src/linux-source-6.1_<ver>_all.deb   the downloaded package
#   kernels/NAME/                        .env, .key, .done, bzImage,
#                                        root/lib/modules/KREL, build log
#   kernels/NAME.tree/linux-source-6.1/  the build tree (KDIR); kept between
#                                        builds, so a changed fragment only
#                                        rebuilds what it changes
# The result is keyed by the hash of the fragment, the linux-source version
# and this script's BUILD_REV; a different key rebuilds.  A lock
# (kernels/.NAME.lock) serialises concurrent callers.
#
# Environment: EMUCOMPAT_CACHE; EMUCOMPAT_KJOBS (make -j of the kernel
# build; default nproc).  Needs gcc, make, flex, bison, bc, libelf-dev,
# libssl-dev, cpio, xz (deps.sh does not install these: see the error).
set -euo pipefail

# Bump when the build recipe below changes in a way that needs a rebuild.
BUILD_REV=1

here=$(cd "$(dirname "$0")" && pwd)
name=${1:-6.1-debug-amd64}
cache=${EMUCOMPAT_CACHE:-$HOME/.cache/emucompat}
jobs=${EMUCOMPAT_KJOBS:-$(nproc)}
srcpkg=linux-source-6.1
frag=$here/debug-6.1.config

die() { echo "debug-kernel: $*" >&2; exit 1; }

case $name in
*-amd64) ;;
*) die "only amd64 debug kernels are supported (got '$name')" ;;
esac
[ -f "$frag" ] || die "no config fragment $frag"

dest=$cache/kernels/$name
tree=$cache/kernels/$name.tree
mkdir -p "$cache/kernels" "$cache/src"
exec 8>"$cache/kernels/.$name.lock"
flock 8

# --- which linux-source: the installed package, else download it ------------
# An installed linux-source-6.1 (/usr/src/linux-source-6.1.tar.xz) is used as
# it is; otherwise the candidate version is downloaded with apt-get (the
# host's apt lists; this is a bookworm package).
tarball=
srcver=$(dpkg-query -W -f='${Status} ${Version}\n' "$srcpkg" 2>/dev/null |
	sed -n 's/^install ok installed //p' || true)
if [ -n "$srcver" ] && [ -f "/usr/src/$srcpkg.tar.xz" ]; then
	tarball=/usr/src/$srcpkg.tar.xz
else
	srcver=$(apt-cache policy "$srcpkg" 2>/dev/null | sed -n 's/^ *Candidate: //p' || true)
	if [ -z "$srcver" ] || [ "$srcver" = "(none)" ]; then
		# Offline or no bookworm lists: the newest package already downloaded.
		deb=$(find "$cache/src" -maxdepth 1 -name "${srcpkg}_*_all.deb" | sort -V | tail -n 1)
		[ -n "$deb" ] || die "apt knows no $srcpkg (a Debian bookworm package): apt-get update?"
		srcver=$(dpkg-deb -f "$deb" Version)
	fi
fi
key=$( { echo "rev=$BUILD_REV src=$srcpkg=$srcver"; cat "$frag"; } | sha256sum | cut -c1-16)

if [ -f "$dest/.done" ] && [ "$(cat "$dest/.key" 2>/dev/null)" = "$key" ]; then
	cat "$dest/.env"
	echo "KTOOLCHAIN=host"
	exit 0
fi

missing=()
for t in gcc make flex bison bc perl cpio xz depmod; do
	command -v "$t" >/dev/null || missing+=("$t")
done
[ -f /usr/include/gelf.h ] || missing+=(libelf-dev)
[ -f /usr/include/openssl/ssl.h ] || missing+=(libssl-dev)
[ ${#missing[@]} -eq 0 ] ||
	die "missing build tools: ${missing[*]} (apt-get install build-essential flex bison bc libelf-dev libssl-dev cpio xz-utils kmod)"

echo "debug-kernel: building $name from $srcpkg $srcver (key $key, -j$jobs)" >&2
t0=$(date +%s)
rm -rf "$dest"

# --- the source tree ---------------------------------------------------------
ksrc=$tree/$srcpkg
if [ "$(cat "$tree/.srcver" 2>/dev/null)" != "$srcver" ]; then
	if [ -z "$tarball" ]; then
		deb=$cache/src/${srcpkg}_${srcver//:/%3a}_all.deb
		if [ ! -f "$deb" ]; then
			echo "debug-kernel: apt-get download $srcpkg=$srcver" >&2
			(cd "$cache/src" && apt-get -q download "$srcpkg=$srcver" >&2) ||
				die "cannot download $srcpkg=$srcver"
			deb=$(find "$cache/src" -maxdepth 1 -name "${srcpkg}_*${srcver#*:}_all.deb" | head -n 1)
			[ -f "$deb" ] || die "apt-get download gave no ${srcpkg}_*${srcver#*:}_all.deb"
		fi
		tarball=$deb
	fi
	echo "debug-kernel: unpacking $tarball" >&2
	rm -rf "$tree"
	mkdir -p "$tree"
	if [ "${tarball%.deb}" != "$tarball" ]; then
		dpkg-deb --fsys-tarfile "$tarball" | tar -xO "./usr/src/$srcpkg.tar.xz" | tar -C "$tree" -xJ
	else
		tar -C "$tree" -xJf "$tarball"
	fi
	[ -f "$ksrc/Makefile" ] || die "no $ksrc/Makefile after unpacking $tarball"
	echo "$srcver" >"$tree/.srcver"
fi

# --- configure ---------------------------------------------------------------
kmake=(make -C "$ksrc" ARCH=x86_64 -j"$jobs")
mkdir -p "$dest.tmp"
blog=$dest.tmp/build.log
: >"$blog"
run() { echo "+ $*" >>"$blog"; "$@" >>"$blog" 2>&1 || { tail -n 40 "$blog" >&2; die "failed: $* (log: $blog)"; }; }
run "${kmake[@]}" tinyconfig
run "$ksrc/scripts/kconfig/merge_config.sh" -m -O "$ksrc" "$ksrc/.config" "$frag"
run "${kmake[@]}" olddefconfig
# Every option of the fragment must have its value in the final .config.
bad=()
while IFS= read -r l; do
	case $l in
	CONFIG_*=*)
		grep -qxF "$l" "$ksrc/.config" || bad+=("$l (got: $(grep -E "^(# )?${l%%=*}[= ]" "$ksrc/.config" || echo unset))")
		;;
	"# CONFIG_"*" is not set")
		o=${l#\# }
		o=${o%% *}
		! grep -q "^$o=" "$ksrc/.config" || bad+=("$l (got: $(grep "^$o=" "$ksrc/.config"))")
		;;
	esac
done <"$frag"
if [ ${#bad[@]} -gt 0 ]; then
	printf 'debug-kernel: not in the final .config: %s\n' "${bad[@]}" >&2
	die "fix $frag (an option's dependencies are missing)"
fi

# --- build -------------------------------------------------------------------
t1=$(date +%s)
run "${kmake[@]}" bzImage modules
t2=$(date +%s)
krel=$("${kmake[@]}" -s kernelrelease)
run "${kmake[@]}" modules_install INSTALL_MOD_PATH="$dest.tmp/root" INSTALL_MOD_STRIP=1 DEPMOD=/sbin/depmod
cp "$ksrc/arch/x86/boot/bzImage" "$dest.tmp/bzImage"
cp "$ksrc/.config" "$dest.tmp/config"
kmod=$dest/root/lib/modules/$krel
# modules_install links build/ and source/ to the tree; harmless, but keep
# the module directory small for mkinitramfs.sh.
rm -f "$dest.tmp/root/lib/modules/$krel/build" "$dest.tmp/root/lib/modules/$krel/source"
{
	echo "KNAME=$name"
	echo "KREL=$krel"
	echo "KDEBVER=$srcver+debug"
	echo "KARCH=x86_64"
	echo "KDEBARCH=amd64"
	echo "KIMAGE=$dest/bzImage"
	echo "KDIR=$ksrc"
	echo "KMODDIR=$kmod"
} >"$dest.tmp/.env"
echo "$key" >"$dest.tmp/.key"
t3=$(date +%s)
{
	echo "configure_seconds=$((t1 - t0))"
	echo "make_seconds=$((t2 - t1))"
	echo "total_seconds=$((t3 - t0))"
	echo "jobs=$jobs"
} >"$dest.tmp/build-time"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
touch "$dest/.done"
echo "debug-kernel: $name = $krel built in $((t3 - t0))s (make bzImage modules: $((t2 - t1))s, -j$jobs)" >&2
cat "$dest/.env"
echo "KTOOLCHAIN=host"
