#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh [--host amd64|arm64] — box64 0.4.3-3 with box32 (-DBOX32=ON),
# built twice from the same source: patched (patches/series, -DEMUCOMPAT=ON,
# linked with libemucompat.a built from this tree) and unpatched (the
# control).  amd64 (the default on an amd64 machine): the interpreter build
# box64's own CI makes for x86-64 (-DLD80BITS=1 -DNOALIGN=1).  arm64: the
# dynarec build Debian makes (-DARM_DYNAREC=ON), natively on arm64 or, on
# amd64, cross with gcc-aarch64-linux-gnu (its own libc6-dev-arm64-cross;
# no multiarch -dev package on the host).
#
# The source: `apt-get source box64/sid` with a private apt configuration
# (Debian's repacked upstream source, without Debian's patches), and if
# that fails, ../shared/inputs/box64-0.4.3-3.tar.xz relative to this tree's
# top (the upstream tag v0.4.3-3), checked against ../shared/inputs/SHA256SUMS.
#
# stdout: exactly one line,  BOX64_USER_DIR=<dir>  with <dir>/box64
# (patched), <dir>/box64-stock (unpatched) and <dir>/version ("0.4.3-3
# <origin> emucompat-<hash>"); for arm64 also <dir>/runtime/, bookworm's
# arm64 libc6 and libgcc-s1 unpacked with dpkg -x (what box64 and box32's
# wrapped libraries load at run time: a guest's chroot gets a copy), from
# `apt-get download` with a private apt configuration in
# box64-src/apt-arm64.  Everything else goes to stderr.  Non-zero
# exit with a message starting "box64-user: error:" on failure.
#
# Cache (outside the clone; EMUCOMPAT_CACHE moves it):
#   box64-src/                       private apt lists; <version>/ the source
#   box64-user/<version>/<host>/src, build/   one work tree for both builds
#   box64-user/<version>/<host>/stock-<hash>/  the unpatched box64
#   box64-user/<version>/<host>/emucompat-<hash>/   the output directory
# The stock <hash> covers the CMake flags, the patched one this script,
# patches/series, the patches and the CMake flags.  Both builds share one work tree and one
# CMake build directory, and only files whose content differs are
# rewritten, so that switching between them recompiles only what the
# series touches (a full build is 10-30 minutes on 2 busy cores; then a
# rebuild is about a minute).  Parallel callers are serialised with flock.
#
# Environment: EMUCOMPAT_CACHE, JOBS (2), EMUCOMPAT_BOX64_DEBUGINFO (1; 0: no -g).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${EMUCOMPAT_CACHE:-$HOME/.cache/emucompat}
jobs=${JOBS:-2}
version=0.4.3-3
tarball=$top/../shared/inputs/box64-$version.tar.xz

log() { echo "box64-user: $*" >&2; }
die() { echo "box64-user: error: $*" >&2; exit 1; }

usage() {
	sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
}

native=$(dpkg --print-architecture 2>/dev/null) || die "dpkg is needed"
host=$native
while [ $# -gt 0 ]; do
	case $1 in
	--host) host=${2:?--host needs amd64 or arm64}; shift 2 ;;
	--host=*) host=${1#--host=}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage; die "unknown argument '$1'" ;;
	esac
done
cross=
case $host/$native in
amd64/amd64)
	cmflags=(-DLD80BITS=1 -DNOALIGN=1 -DBOX32=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
arm64/arm64)
	cmflags=(-DARM_DYNAREC=ON -DBOX32=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
arm64/amd64)
	cross=aarch64-linux-gnu
	cmflags=(-DARM_DYNAREC=ON -DBOX32=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
		 -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=aarch64
		 "-DCMAKE_C_COMPILER=$cross-gcc" "-DCMAKE_ASM_COMPILER=$cross-gcc"
		 "-DCMAKE_FIND_ROOT_PATH=/usr/$cross"
		 -DCMAKE_FIND_ROOT_PATH_MODE_PROGRAM=NEVER) ;;
*)	die "cannot build for $host on $native (amd64 and arm64 natively, arm64 cross on amd64)" ;;
esac
# EMUCOMPAT_BOX64_DEBUGINFO=0: the same optimisation without -g (what
# RelWithDebInfo adds; GCC's code does not depend on it).  The guests get
# stripped copies, so the tests need no debug info; it costs 10-30% of the
# compile time (the arm64 dynarec files most).  CI sets it; by hand the
# default keeps the debug info for gdb on the cached binaries.
if [ "${EMUCOMPAT_BOX64_DEBUGINFO:-1}" = 0 ]; then
	cmflags+=("-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -DNDEBUG" "-DCMAKE_ASM_FLAGS_RELWITHDEBINFO=-O2 -DNDEBUG")
fi

# ---- build dependencies ------------------------------------------------------
needs=("make|make" "gcc|gcc" "cmake|cmake" "patch|patch" "xz|xz-utils" "flock|util-linux"
       "python3|python3" "pkg-config|pkg-config" "dpkg-source|dpkg-dev" "apt-get|apt"
       "/usr/share/keyrings/debian-archive-keyring.gpg|debian-archive-keyring")
[ -n "$cross" ] && needs+=("$cross-gcc|gcc-$cross" "/usr/$cross/lib/libc.so|libc6-dev-arm64-cross")
missing=()
for n in "${needs[@]}"; do
	t=${n%%|*} p=${n#*|}
	case $t in
	/*) [ -e "$t" ] && continue ;;
	*) command -v "$t" >/dev/null 2>&1 && continue ;;
	esac
	missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		log "installing build dependencies: ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
			die "apt-get install ${missing[*]} failed"
	else
		die "missing build dependencies; install them with: apt-get install --no-install-recommends ${missing[*]}"
	fi
fi

# ---- the source, once ----------------------------------------------------------
# $srcroot/<version>/tree (pristine), $srcroot/<version>/origin.
srcroot=$cache/box64-src
mkdir -p "$srcroot"
exec 7>"$srcroot/.lock"
flock 7
vdir=$srcroot/$version
from_apt() {
	# A private apt configuration: own sources.list (deb-src for sid), own
	# lists and cache; the system's apt configuration is never touched.
	local aptdir=$srcroot/apt dl=$vdir.tmp/dl dsc
	mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
	touch "$aptdir/status"
	cat >"$aptdir/sources.list" <<-LIST
	deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main
	LIST
	local aptopts=(-o "Dir::Etc::SourceList=$aptdir/sources.list" -o Dir::Etc::SourceParts=/dev/null
		       -o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache=$aptdir/cache"
		       -o "Dir::State::Status=$aptdir/status" -o APT::Sandbox::User=root -q)
	log "apt-get update (private lists in $aptdir)"
	apt-get "${aptopts[@]}" update >&2 || return 1
	mkdir -p "$dl"
	log "apt-get source --download-only box64/sid"
	(cd "$dl" && apt-get "${aptopts[@]}" source --download-only box64/sid >&2) || return 1
	dsc=$(find "$dl" -maxdepth 1 -name 'box64_*.dsc' | head -1)
	[ -n "$dsc" ] || return 1
	case $(basename "$dsc") in
	box64_"$version"+*|box64_"$version"-*|box64_"$version".dsc) ;;
	*) log "sid has $(basename "$dsc"), not box64 $version"; return 1 ;;
	esac
	# Debian's repacked upstream source, without Debian's patches: the
	# series is written against upstream.
	dpkg-source --skip-patches -x "$dsc" "$vdir.tmp/tree" >&2 || return 1
	rm -rf "$vdir.tmp/tree/debian" "$dl"
	echo "apt:$(basename "$dsc" .dsc)" >"$vdir.tmp/origin"
}
from_tarball() {
	local sums
	sums=$(dirname "$tarball")/SHA256SUMS
	[ -f "$tarball" ] || die "apt-get source box64/sid failed and there is no $tarball"
	[ -f "$sums" ] || die "no $sums to check $tarball against"
	(cd "$(dirname "$tarball")" && grep " $(basename "$tarball")\$" SHA256SUMS | sha256sum -c --status) ||
		die "$tarball does not match $sums"
	log "unpacking $tarball (sha256 checked)"
	mkdir -p "$vdir.tmp"
	tar -xJf "$tarball" -C "$vdir.tmp" || die "cannot unpack $tarball"
	mv "$vdir.tmp/box64-$version" "$vdir.tmp/tree"
	echo "tarball:$(sha256sum "$tarball" | cut -c1-16)" >"$vdir.tmp/origin"
}
if [ ! -f "$vdir/.done" ]; then
	rm -rf "$vdir.tmp"
	if ! from_apt; then
		log "apt-get source box64/sid did not work; falling back to the tarball"
		rm -rf "$vdir.tmp"
		from_tarball
	fi
	[ -f "$vdir.tmp/tree/CMakeLists.txt" ] || die "no CMakeLists.txt in the box64 source"
	rm -rf "$vdir"
	mv "$vdir.tmp" "$vdir"
	touch "$vdir/.done"
fi
origin=$(cat "$vdir/origin")
pristine=$vdir/tree
flock -u 7

# ---- keys ----------------------------------------------------------------------
series=$here/patches/series
[ -f "$series" ] || die "$series is missing"
mapfile -t patches < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$series")
hash=$( { cat "$here/build.sh" "$series"; for p in "${patches[@]}"; do cat "$here/patches/$p"; done
	   printf '%s\n' "${cmflags[@]}"; } | sha256sum | cut -c1-12)
shash=$(printf '%s\n' "$origin" "${cmflags[@]}" | sha256sum | cut -c1-12)
base=$cache/box64-user/$version/$host
mkdir -p "$base"
exec 9>"$base/.lock"
if ! flock -n 9; then
	log "another box64 build for $host is running; waiting"
	flock 9
fi
work=$base/src build=$base/build
stockdir=$base/stock-$shash
outdir=$base/emucompat-$hash
nice=(nice -n 10)

# sync_work: make $work's files equal to $pristine's, rewriting only those
# whose content differs (so make rebuilds only what changed); files the
# series adds stay, unused by the unpatched CMakeLists.txt.
sync_work() {
	mkdir -p "$work"
	local line a b
	{ diff -rq --no-dereference "$pristine" "$work" 2>/dev/null || true; } | while IFS= read -r line; do
		case $line in
		"Files $pristine/"*" and $work/"*" differ")
			a=${line#Files }; a=${a%% and "$work"/*}
			b=$work/${a#"$pristine"/}
			rm -f "$b"; cp -P "$a" "$b" ;;
		"Only in $pristine"*)
			a=${line#Only in }; a=${a%%: *}/${line#*: }
			b=$work/${a#"$pristine"/}
			cp -a "$a" "$b"
			# a fresh copy is new to make
			find "$b" -exec touch -h {} + ;;
		esac
	done
	# Keep the generated wrappers of the release: box64 regenerates them
	# (rebuild_wrappers*.py, rewriting every file) when a wrapped*.c is
	# newer, which would recompile nearly everything.  The series adds no
	# wrapped function, so the release's files are right for it too.
	touch "$work"/src/wrapped/generated/functions_list.txt \
	      "$work"/src/wrapped32/generated/functions_list.txt
	# CMake copies tests/box64-bash (a prebuilt x86-64 bash, left out of
	# the source as Debian's +dfsg leaves it out) on non-x86 hosts; it is
	# only installed, never built into box64: an empty stand-in.
	if [ ! -e "$work/tests/box64-bash" ]; then
		mkdir -p "$work/tests"
		: >"$work/tests/box64-bash"
	fi
}

# cmake_build LOGNAME CMAKE-ARGS... — configure (again) and build box64.
cmake_build() {
	local name=$1 t0
	shift
	mkdir -p "$build"
	log "cmake ($name; log: $base/$name.cmake.log)"
	# An existing build directory is configured again in place.
	local from=$work
	[ -f "$build/CMakeCache.txt" ] && from=$build
	(cd "$build" && "${nice[@]}" cmake "${cmflags[@]}" "$@" "$from") >"$base/$name.cmake.log" 2>&1 || {
		tail -20 "$base/$name.cmake.log" >&2
		die "cmake failed for the $name box64 (see $base/$name.cmake.log)"
	}
	touch "$work"/src/wrapped/generated/functions_list.txt \
	      "$work"/src/wrapped32/generated/functions_list.txt
	log "building the $name box64 (nice, -j$jobs; log: $base/$name.make.log)"
	t0=$(date +%s)
	"${nice[@]}" make -C "$build" -j "$jobs" box64 >"$base/$name.make.log" 2>&1 || {
		grep -E 'error|Error' "$base/$name.make.log" | head -30 >&2
		die "the $name box64 did not build (see $base/$name.make.log)"
	}
	log "$name box64 built in $(( $(date +%s) - t0 )) s"
}

# arm64: bookworm's arm64 runtime libraries, for a guest's chroot.
if [ "$host" = arm64 ] && [ ! -f "$outdir/runtime/.done" ]; then
	rt_aptdir=$srcroot/apt-arm64
	mkdir -p "$rt_aptdir/lists/partial" "$rt_aptdir/cache/archives/partial"
	touch "$rt_aptdir/status"
	key=/usr/share/keyrings/debian-archive-keyring.gpg
	cat >"$rt_aptdir/sources.list" <<-LIST
	deb [arch=arm64 signed-by=$key] http://deb.debian.org/debian bookworm main
	deb [arch=arm64 signed-by=$key] http://deb.debian.org/debian bookworm-updates main
	deb [arch=arm64 signed-by=$key] http://deb.debian.org/debian-security bookworm-security main
	LIST
	rt_aptopts=(-o "Dir::Etc::SourceList=$rt_aptdir/sources.list" -o Dir::Etc::SourceParts=/dev/null
		    -o "Dir::State::Lists=$rt_aptdir/lists" -o "Dir::Cache=$rt_aptdir/cache"
		    -o "Dir::State::Status=$rt_aptdir/status" -o APT::Architecture=arm64
		    -o APT::Architectures::=arm64 -o APT::Sandbox::User=root -q)
	if [ -z "$(find "$rt_aptdir/lists" -maxdepth 1 -name '*_Packages' -mmin -1440 2>/dev/null | head -1)" ]; then
		log "apt-get update (arm64, private lists in $rt_aptdir)"
		apt-get "${rt_aptopts[@]}" update >&2 || die "apt-get update (arm64) failed"
	fi
	rm -rf "$outdir/runtime.tmp"
	mkdir -p "$outdir/runtime.tmp/debs"
	log "arm64 runtime: apt-get download libc6 libgcc-s1"
	(cd "$outdir/runtime.tmp/debs" && apt-get "${rt_aptopts[@]}" download libc6:arm64 libgcc-s1:arm64 >&2) ||
		die "apt-get download of the arm64 runtime libraries failed"
	for d in "$outdir/runtime.tmp"/debs/*.deb; do
		dpkg -x "$d" "$outdir/runtime.tmp"
		dpkg-deb -W --showformat='${Package} ${Version}\n' "$d" >>"$outdir/runtime.tmp/.packages"
	done
	rm -rf "$outdir/runtime.tmp/debs" "$outdir/runtime.tmp/usr/share" "$outdir/runtime"
	mv "$outdir/runtime.tmp" "$outdir/runtime"
	touch "$outdir/runtime/.done"
fi

# ---- the unpatched box64 (the control) -----------------------------------------
if [ ! -x "$stockdir/box64" ]; then
	sync_work
	cmake_build stock -DEMUCOMPAT=OFF
	mkdir -p "$stockdir"
	cp "$build/box64" "$stockdir/.box64.tmp"
	mv "$stockdir/.box64.tmp" "$stockdir/box64"
fi

# ---- libemucompat from this tree -----------------------------------------------
# Built afresh every time (a few seconds), into a staging directory, and
# copied where box64 looks only if it differs.  Only the static archive:
# the box64 binary must not need libemucompat.so in a guest.
log "libemucompat (make install-lib in $top)"
prefix=$base/emucompat
stage=$base/lib-stage
rm -rf "$stage" "$base/lib-build"
LIB_CFLAGS="${LIB_CFLAGS:--O2 -g} -ffile-prefix-map=$top=." \
make -s -C "$top" install-lib B="$base/lib-build" DESTDIR="$stage" PREFIX="$prefix" \
	LIBDIR="$prefix/lib" ${cross:+CROSS_COMPILE=$cross-} >&2 || die "building libemucompat failed (make -C $top install-lib)"
rm -rf "$base/lib-build"
for f in lib/libemucompat.a lib/pkgconfig/emucompat.pc include/emucompat.h include/linux/emucompat.h; do
	[ -f "$stage$prefix/$f" ] || die "make install-lib did not install $f"
	if ! cmp -s "$stage$prefix/$f" "$prefix/$f"; then
		mkdir -p "$(dirname "$prefix/$f")"
		cp "$stage$prefix/$f" "$prefix/$f.tmp"
		mv "$prefix/$f.tmp" "$prefix/$f"
	fi
done
rm -rf "$stage"

# ---- the patched box64 ---------------------------------------------------------
if [ ! -x "$outdir/box64" ] || [ "$prefix/lib/libemucompat.a" -nt "$outdir/box64" ]; then
	sync_work
	# Files the series creates, left by an earlier patched build.
	for p in "${patches[@]}"; do
		sed -n '/^--- \/dev\/null/{n;s/^+++ b\///p}' "$here/patches/$p"
	done | while IFS= read -r f; do rm -f "$work/$f"; done
	log "applying ${#patches[@]} patches"
	for p in "${patches[@]}"; do
		log "  $p"
		patch -d "$work" -p1 --forward --no-backup-if-mismatch -s <"$here/patches/$p" >&2 ||
			die "$p does not apply to box64 $version"
	done
	touch "$work"/src/wrapped/generated/functions_list.txt \
	      "$work"/src/wrapped32/generated/functions_list.txt
	export PKG_CONFIG_PATH=$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
	cmake_build patched -DEMUCOMPAT=ON
	grep -q 'EMUCOMPAT:BOOL=ON' "$build/CMakeCache.txt" || die "cmake did not take -DEMUCOMPAT=ON"
	"${cross:+$cross-}nm" "$build/box64" | grep ' emucompat_ioctl32$' >/dev/null ||
		die "the patched box64 is not linked with libemucompat"
	mkdir -p "$outdir"
	cp "$build/box64" "$outdir/.box64.tmp"
	mv "$outdir/.box64.tmp" "$outdir/box64"
fi
if ! cmp -s "$stockdir/box64" "$outdir/box64-stock"; then
	cp "$stockdir/box64" "$outdir/.box64-stock.tmp"
	mv "$outdir/.box64-stock.tmp" "$outdir/box64-stock"
fi
echo "$version $origin emucompat-$hash" >"$outdir/.version.tmp"
mv "$outdir/.version.tmp" "$outdir/version"
log "box64 $version ($origin) + emucompat patches ($hash) for $host: $outdir"
echo "BOX64_USER_DIR=$outdir"
