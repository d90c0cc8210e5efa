#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# toolchain.sh — the compilers a kernel's headers need (kernels.conf's
# TOOLCHAIN column).
#
#   toolchain.sh ensure TOOLCHAIN
#       make sure TOOLCHAIN is usable; create it if needed (once, cached)
#   toolchain.sh run TOOLCHAIN [--rw DIR]... [--ro DIR]... -- CMD [ARG]...
#       run CMD with TOOLCHAIN's compilers, in the current directory
#
# TOOLCHAIN `host` is this machine: `run` just runs CMD.  Any other name is a
# Debian suite (e.g. trixie): a build root made with `debootstrap
# --variant=minbase SUITE` plus the packages below, cached in
# ${EMUCOMPAT_CACHE:-~/.cache/emucompat}/SUITE-root (outside the clone), and
# CMD runs chrooted into it.  Headers built by a newer Debian than the host
# need that: its gcc's flags (gcc-14: -fmin-function-alignment), host tools
# (fixdep, modpost, objtool in linux-kbuild-*) linked against its glibc, its
# pahole for module BTF.  The root is read-only while CMD runs; the --rw and
# --ro directories (the build tree, the unpacked kernel headers) appear at
# the same paths inside, so the paths in the headers' Makefile and in make's
# arguments need no translation.  Every mount lives in a private mount
# namespace (unshare) and vanishes with CMD.  Needs root and debootstrap
# (tests/qemu/deps.sh).  Concurrent callers (run-all.sh) serialise the
# creation with a lock; everything after it is read-only.
set -euo pipefail

cache=${EMUCOMPAT_CACHE:-$HOME/.cache/emucompat}
mirror=${EMUCOMPAT_DEBIAN_MIRROR:-http://deb.debian.org/debian}

# What a build root holds, beyond minbase.  Changing the list updates
# existing roots (the stamp file records it).
PACKAGES=(make gcc libc6-dev gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
	libc6-dev-arm64-cross binutils libelf-dev libssl3t64 dwarves bc kmod
	xz-utils zstd)

die() { echo "toolchain.sh: $*" >&2; exit 1; }
usage() {
	echo "usage: toolchain.sh ensure TOOLCHAIN | run TOOLCHAIN [--rw DIR]... [--ro DIR]... -- CMD..." >&2
	exit 2
}

# ensure SUITE — create or update the build root of SUITE, under a lock.
ensure() {
	local suite=$1 root stamp want
	root=$cache/$suite-root
	stamp=$root/.emucompat-toolchain
	want="$suite: ${PACKAGES[*]}"
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
		return 0
	fi
	[ "$(id -u)" = 0 ] || die "creating the $suite build root needs root (debootstrap, chroot)"
	command -v debootstrap >/dev/null ||
		die "debootstrap is missing (tests/qemu/deps.sh installs it)"
	mkdir -p "$cache"
	exec 8>"$cache/$suite-root.lock"
	flock 8
	# Another caller may have finished it while we waited.
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
		exec 8>&-
		return 0
	fi
	local t0
	t0=$(date +%s)
	if [ ! -x "$root/usr/bin/apt-get" ]; then
		echo "toolchain.sh: creating the $suite build root in $root (debootstrap, once)" >&2
		rm -rf "$root.tmp"
		debootstrap --variant=minbase "$suite" "$root.tmp" "$mirror" >&2 ||
			die "debootstrap $suite failed (log: $root.tmp/debootstrap/debootstrap.log)"
		rm -rf "$root"
		mv "$root.tmp" "$root"
	fi
	echo "toolchain.sh: installing into the $suite build root: ${PACKAGES[*]}" >&2
	inroot "$root" rw "" "" -- sh -c 'apt-get update -q &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" &&
		apt-get clean' sh "${PACKAGES[@]}" >&2 ||
		die "installing the $suite build root's packages failed"
	echo "$want" >"$stamp"
	echo "toolchain.sh: $suite build root ready in $(($(date +%s) - t0))s" >&2
	exec 8>&-
}

# inroot ROOT ro|rw "RW-DIRS" "RO-DIRS" -- CMD... — run CMD chrooted into
# ROOT, in a private mount namespace with /proc, /dev, a private /tmp and the
# given directories (newline-separated) mounted at their own paths.
inroot() {
	local root=$1 mode=$2 rwdirs=$3 rodirs=$4
	shift 5
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private -- /bin/bash -c '
		set -eu
		root=$1 mode=$2 rwdirs=$3 rodirs=$4 cwd=$5
		shift 5
		mount --bind "$root" "$root"
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		mount -t tmpfs tmpfs "$root/tmp"
		while IFS= read -r d; do
			[ -n "$d" ] || continue
			mkdir -p "$root$d"
			mount --bind "$d" "$root$d"
		done <<<"$rwdirs"
		while IFS= read -r d; do
			[ -n "$d" ] || continue
			mkdir -p "$root$d"
			mount --bind "$d" "$root$d"
			mount -o remount,bind,ro "$root$d"
		done <<<"$rodirs"
		if [ "$mode" = ro ]; then
			mount -o remount,bind,ro "$root"
		else
			cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
		fi
		[ -d "$root$cwd" ] || cwd=/
		exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LC_ALL=C.UTF-8 /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$cwd" "$@"
	' inroot "$root" "$mode" "$rwdirs" "$rodirs" "$PWD" "$@"
}

[ $# -ge 2 ] || usage
cmd=$1 tc=$2
shift 2
case $tc in
host) ;;
*[!a-z0-9-]*|-*) die "bad toolchain name '$tc'" ;;
esac

case $cmd in
ensure)
	[ $# -eq 0 ] || usage
	[ "$tc" = host ] || ensure "$tc"
	;;
run)
	rw='' ro=''
	while [ $# -gt 0 ]; do
		case $1 in
		--rw) [ $# -ge 2 ] || usage; rw+=$(cd "$2" && pwd)$'\n'; shift 2 ;;
		--ro) [ $# -ge 2 ] || usage; ro+=$(cd "$2" && pwd)$'\n'; shift 2 ;;
		--) shift; break ;;
		*) usage ;;
		esac
	done
	[ $# -gt 0 ] || usage
	[ "$tc" = host ] && exec "$@"
	ensure "$tc"
	inroot "$cache/$tc-root" ro "$rw" "$ro" -- "$@"
	;;
*) usage ;;
esac
