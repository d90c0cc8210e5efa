#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sysroot32.sh i386|armhf   — a small sysroot of Debian bookworm's own 32-bit
#                             programs for t_qemu_user.sh, built once, cached
# sysroot32.sh --qemu-stock amd64|arm64
#                           — Debian's stock QEMU of the base QEMU_BASE for
#                             that host architecture: qemu-i386 and
#                             qemu-arm, cached
# sysroot32.sh --prepare amd64|arm64 TOP
#                           — everything a lane of that architecture needs
#                             for t_qemu_user.sh: both sysroots, stock QEMU,
#                             and the patched QEMU of the tree TOP
#                             (TOP/integrations/qemu/build.sh --base
#                             $QEMU_BASE --host ARCH)
# QEMU_BASE (default 10.0) picks the QEMU both come from:
#   10.0  trixie's qemu-user (static binaries; qemu-user-static is its
#         transitional package there), the version build.sh builds
#         (CURRENT of its trixie source, else trixie's candidate), and
#         build.sh --base 10.0
#   7.2   bookworm's qemu-user-static and build.sh --base 7.2 (by hand:
#         QEMU_BASE=7.2 tests/qemu/run.sh ...)
# sysroot32.sh --wants KERNEL
#                           — exit 0 iff lane KERNEL runs the QEMU test:
#                             its name matches a glob of $EMUCOMPAT_QEMU_USER
#                             (default "6.12-amd64 6.12-arm64"; "none": no
#                             lane, "*": every lane)
#
# Prints shell assignments on stdout for the caller to eval:
#   SYSROOT32_DIR=<dir>                 (the sysroot, / in the guest's chroot)
#   SYSROOT32_SIZE=<KiB>
# or
#   QEMU_STOCK_DIR=<dir>                (<dir>/qemu-i386, <dir>/qemu-arm)
#   QEMU_STOCK_VERSION=<Debian version of qemu-user-static>
# or, for --prepare, SYSROOT32_I386, SYSROOT32_ARMHF, QEMU_STOCK_DIR,
# QEMU_STOCK_VERSION and either QEMU_PATCHED_DIR (build.sh's QEMU_USER_DIR)
# or QEMU_PATCHED_NOTE ("skip: REASON" when the tree has no build.sh,
# "fail: REASON" when it failed: the guest reports it, the lane goes on).
# Progress goes to stderr.
#
# The sysroot: the packages of PROGRAMS below and the packages they depend
# on, as apt resolves them for an empty i386/armhf system (simulated, with
# a private apt configuration: this machine's apt state is never used or
# changed), are downloaded and unpacked with `dpkg -x` into a staging tree;
# then only the listed programs go into the sysroot, with the closure of
# their shared libraries (DT_NEEDED, resolved here against the staging
# tree: a library that no downloaded package ships is an error now, not a
# failed program in the guest), the ELF interpreter, and the few data files
# the programs read (DATA below).  No docs, man pages or locales.  The
# layout is merged-/usr, as on an installed bookworm system (/bin, /sbin,
# /lib are symlinks into /usr).  <dir>/.emucompat/packages lists every
# resolved package and version (`PKG VERSION ARCH`), .emucompat/programs
# `NAME PATH PACKAGE VERSION` per program: the guest compares the i386 and
# armhf ones before comparing their outputs.
#
# Cache: ${EMUCOMPAT_CACHE:-~/.cache/emucompat}/sysroot32/<abi>-<hash>,
# <hash> covering this script and the resolved package versions (a new
# bookworm point release or security update builds a new one); the .debs
# are kept in sysroot32/debs/<abi>/.  The private apt lists (apt32/) are
# refreshed at most once a day.  Both ABIs are bookworm's, built with a
# 32-bit time_t.
set -euo pipefail

cache=${EMUCOMPAT_CACHE:-$HOME/.cache/emucompat}
mirror=${EMUCOMPAT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${mirror%/debian}/debian-security
[ "$security" != "$mirror" ] || security=http://deb.debian.org/debian-security

# ---------------------------------------------------------------------------
# NAME:PACKAGE — the programs t_qemu_user.sh runs (found in the package's
# bin/ or sbin/).  THE ONLY PLACE TO EDIT THE LIST.
PROGRAMS="evtest:evtest lsinput:input-utils v4l2-ctl:v4l-utils
	v4l2-compliance:v4l-utils amixer:alsa-utils alsactl:alsa-utils
	modetest:libdrm-tests losetup:mount blockdev:util-linux ifconfig:net-tools
	ip:iproute2 stty:coreutils hwclock:util-linux-extra"
# Data the programs read at run time (paths in the packages, merged-/usr):
# alsa-lib's configuration (snd_ctl_open("hw:N") parses alsa.conf and
# cards/), iproute2's name tables.
DATA="usr/share/alsa etc/iproute2 usr/share/iproute2 usr/lib/iproute2"
# ---------------------------------------------------------------------------

die() { echo "sysroot32: $*" >&2; exit 1; }

if [ "${1:-}" = --wants ]; then
	k=${2:?usage: sysroot32.sh --wants KERNEL}
	# the globs are words, not file names of the current directory
	set -f
	for g in ${EMUCOMPAT_QEMU_USER-6.12-amd64 6.12-arm64}; do
		# shellcheck disable=SC2254  # a glob on purpose
		case $k in $g) exit 0 ;; esac
	done
	exit 1
fi
log() { echo "sysroot32: $*" >&2; }

# The QEMU base (see the top): stock QEMU's suite, package and binary
# suffix, and the file naming the version build.sh builds.
qbase=${QEMU_BASE:-10.0}
case $qbase in
7.2) stock_suite=bookworm stock_pkg=qemu-user-static stock_suffix=-static stock_src= ;;
10.0) stock_suite=trixie stock_pkg=qemu-user stock_suffix= stock_src=$cache/qemu-src/trixie/CURRENT ;;
*) die "QEMU_BASE must be 10.0 or 7.2, not '$qbase'" ;;
esac

aptdir=$cache/apt32
apt_setup() {
	mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
	local kr=/usr/share/keyrings/debian-archive-keyring.gpg a=i386,armhf,amd64,arm64
	[ -f "$kr" ] || die "no $kr (tests/qemu/deps.sh installs debian-archive-keyring)"
	cat >"$aptdir/sources.list.new" <<LIST
deb [arch=$a signed-by=$kr] $mirror bookworm main
deb [arch=$a signed-by=$kr] $mirror bookworm-updates main
deb [arch=$a signed-by=$kr] $security bookworm-security main
LIST
	if ! cmp -s "$aptdir/sources.list.new" "$aptdir/sources.list" 2>/dev/null; then
		mv "$aptdir/sources.list.new" "$aptdir/sources.list"
		rm -f "$aptdir"/lists/*Packages* "$aptdir"/lists/*Release*
	else
		rm -f "$aptdir/sources.list.new"
	fi
	aptopts=(-o "Dir::Etc::SourceList=$aptdir/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache=$aptdir/cache"
		-o Dir::State::status=/dev/null -o APT::Sandbox::User=root -q)
	for x in i386 armhf amd64 arm64; do aptopts+=(-o "APT::Architectures::=$x"); done
	if [ -z "$(find "$aptdir/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n 1)" ]; then
		log "apt-get update (private lists in $aptdir)"
		apt-get "${aptopts[@]}" update >&2 || die "apt-get update failed"
	fi
}

# download DIR PKG:ARCH=VERSION... — apt-get download into DIR
download() {
	local dir=$1
	shift
	mkdir -p "$dir"
	(cd "$dir" && apt-get "${aptopts[@]}" download "$@" >&2) || die "cannot download: $*"
}

# --- stock QEMU ---------------------------------------------------------------
# stock_apt — aptopts for the stock QEMU's suite (bookworm: apt32 itself;
# trixie: its own private lists in apt-trixie/, amd64 and arm64 only)
stock_apt() {
	[ "$stock_suite" = bookworm ] && return 0
	local d=$cache/apt-$stock_suite kr=/usr/share/keyrings/debian-archive-keyring.gpg
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	cat >"$d/sources.list" <<LIST
deb [arch=amd64,arm64 signed-by=$kr] $mirror $stock_suite main
deb [arch=amd64,arm64 signed-by=$kr] $mirror $stock_suite-updates main
deb [arch=amd64,arm64 signed-by=$kr] $security $stock_suite-security main
LIST
	aptopts=(-o "Dir::Etc::SourceList=$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
		-o Dir::State::status=/dev/null -o APT::Sandbox::User=root -q
		-o APT::Architectures::=amd64 -o APT::Architectures::=arm64)
	if [ -z "$(find "$d/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n 1)" ]; then
		log "apt-get update (private lists in $d)"
		apt-get "${aptopts[@]}" update >&2 || die "apt-get update ($stock_suite) failed"
	fi
}

# qemu_stock HOSTARCH — the stock qemu-i386 and qemu-arm of QEMU_BASE for
# HOSTARCH
qemu_stock() {
	local host=$1 ver dir t f want
	case $host in amd64|arm64) ;; *) die "unsupported host architecture '$host'" ;; esac
	stock_apt
	# The version the patched build is made from, if there is one.
	want=
	[ -n "$stock_src" ] && want=$(cat "$stock_src" 2>/dev/null || true)
	ver=$(apt-cache "${aptopts[@]}" policy "$stock_pkg:$host" | sed -n 's/^ *Candidate: //p')
	if [ -n "$want" ] && [ "$want" != "$ver" ] &&
	   apt-cache "${aptopts[@]}" madison "$stock_pkg" | grep -q "| $want |"; then
		ver=$want
	fi
	if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
		die "no $stock_pkg:$host in $stock_suite"
	fi
	dir=$cache/qemu-stock/$host-${ver//[:~+]/_}
	if [ ! -x "$dir/qemu-i386" ] || [ ! -x "$dir/qemu-arm" ]; then
		log "downloading $stock_pkg:$host=$ver (~60 MB)"
		rm -rf "$dir.tmp"
		download "$dir.tmp/deb" "$stock_pkg:$host=$ver"
		dpkg -x "$dir.tmp"/deb/*.deb "$dir.tmp/root"
		for t in i386 arm; do
			f=$dir.tmp/root/usr/bin/qemu-$t$stock_suffix
			[ -f "$f" ] || die "$stock_pkg:$host has no usr/bin/qemu-$t$stock_suffix"
			# static or static-pie: no ELF interpreter
			! readelf -lW "$f" | grep -q 'program interpreter' || die "$f is not static"
			mv "$f" "$dir.tmp/qemu-$t"
		done
		echo "$ver" >"$dir.tmp/version"
		rm -rf "$dir.tmp/deb" "$dir.tmp/root" "$dir"
		mv "$dir.tmp" "$dir"
	fi
	echo "QEMU_STOCK_DIR=$dir"
	echo "QEMU_STOCK_VERSION=$ver"
}

# --- sysroot ------------------------------------------------------------------
# build_sysroot ABI — (a subshell) the cached sysroot of ABI, built if missing
build_sysroot() (
abi=$1
case $abi in
i386) triplet=i386-linux-gnu; elfmach='Intel 80386' ;;
armhf) triplet=arm-linux-gnueabihf; elfmach='ARM' ;;
*) die "unsupported ABI '$abi' (i386 or armhf)" ;;
esac

pkgs=()
for p in $PROGRAMS; do pkgs+=("${p#*:}"); done
# What apt would install on an empty $abi system (libc6 included).
sim=$(apt-get "${aptopts[@]}" -o "APT::Architecture=$abi" -s --no-install-recommends \
	install libc6 "${pkgs[@]}" 2>&1) || { echo "$sim" >&2; die "apt cannot resolve the $abi packages"; }
# Inst NAME (VERSION SUITE [ARCH]) ...
resolved=$(sed -nE 's/^Inst ([^ ]+) \(([^ ]+) .*\[([^]]+)\]\).*/\1 \2 \3/p' <<<"$sim" | LC_ALL=C sort)
[ -n "$resolved" ] || { echo "$sim" >&2; die "apt resolved nothing for $abi"; }
hash=$( { cat "$0"; echo "$resolved"; } | sha256sum | cut -c1-12)
dir=$cache/sysroot32/$abi-$hash
if [ -f "$dir/.emucompat/done" ]; then
	touch "$dir/.emucompat/done"	# in use: see "Older builds" below
	echo "SYSROOT32_DIR=$dir"
	echo "SYSROOT32_SIZE=$(du -sk "$dir" | cut -f1)"
	exit 0
fi

debs=$cache/sysroot32/debs/$abi
mkdir -p "$debs"
want=()
files=()
while read -r name ver arch; do
	f=$debs/${name}_${ver//:/%3a}_$arch.deb
	files+=("$f")
	[ -s "$f" ] || want+=("$name:$arch=$ver")
done <<<"$resolved"
if [ ${#want[@]} -gt 0 ]; then
	log "$abi: downloading ${#want[@]} of ${#files[@]} packages"
	download "$debs" "${want[@]}"
fi
# Forget .debs of older versions.
for f in "$debs"/*.deb; do
	case " ${files[*]} " in *" $f "*) ;; *) rm -f "$f" ;; esac
done

stage=$(mktemp -d "$cache/sysroot32/.stage-$abi.XXXXXX")
trap 'rm -rf "$stage"' EXIT
log "$abi: unpacking ${#files[@]} packages"
declare -A owner=()
for f in "${files[@]}"; do
	[ -s "$f" ] || die "missing $f after download"
	dpkg -x "$f" "$stage/root"
	pkg=$(dpkg-deb -f "$f" Package)
	# Which package ships which program (for .emucompat/programs).
	while read -r path; do
		owner[$path]=$pkg
	done < <(dpkg-deb -c "$f" | awk '{print $6}' | sed -nE 's,^\./((usr/)?s?bin/[^/]+)$,\1,p')
done
st=$stage/root

# merged-/usr: where a package path lives on an installed bookworm system
usrpath() {
	case $1 in
	bin/*|sbin/*|lib/*|lib32/*|libx32/*|lib64/*) echo "usr/$1" ;;
	*) echo "$1" ;;
	esac
}
# resolve P — P (relative to the staging root, no leading /) with every
# symlink followed inside the staging root and merged-/usr applied; prints
# the final path, or fails.
resolve() {
	local p i l
	p=$(usrpath "${1#/}")
	for ((i = 0; i < 40; i++)); do
		local src=
		for c in "$p" "${p#usr/}"; do
			if [ -L "$st/$c" ] || [ -e "$st/$c" ]; then src=$c; break; fi
		done
		[ -n "$src" ] || return 1
		if [ ! -L "$st/$src" ]; then
			echo "$p"
			return 0
		fi
		l=$(readlink "$st/$src")
		case $l in
		/*) p=$(usrpath "${l#/}") ;;
		*) p=$(usrpath "$(realpath -m --relative-to=/ "/$(dirname "$src")/$l")") ;;
		esac
	done
	return 1
}
# srcof P — the staging path holding merged path P
srcof() {
	if [ -e "$st/$1" ]; then echo "$st/$1"; else echo "$st/${1#usr/}"; fi
}

out=$dir.tmp
rm -rf "$out"
mkdir -p "$out/usr/bin" "$out/usr/sbin" "$out/usr/lib/$triplet" "$out/.emucompat" \
	"$out"/{dev,proc,sys,tmp,etc,root,run}
chmod 1777 "$out/tmp"
ln -s usr/bin "$out/bin"
ln -s usr/sbin "$out/sbin"
ln -s usr/lib "$out/lib"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$out/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$out/etc/group"

# put P — copy merged path P (a file, or a symlink chain ending in one)
# from the staging tree; symlinks are re-made relative to their merged-/usr
# places.
put() {
	local p=$1 i l s t
	for ((i = 0; i < 40; i++)); do
		s=$(srcof "$p")
		[ -L "$s" ] || [ -e "$s" ] || die "$abi: $p: not in any downloaded package"
		mkdir -p "$out/$(dirname "$p")"
		if [ ! -L "$s" ]; then
			[ -e "$out/$p" ] || cp -a "$s" "$out/$p"
			return 0
		fi
		l=$(readlink "$s")
		case $l in
		/*) t=$(usrpath "${l#/}") ;;
		*) t=$(usrpath "$(realpath -m --relative-to=/ "/$(dirname "${s#"$st"/}")/$l")") ;;
		esac
		[ -L "$out/$p" ] || ln -s "$(realpath -m --relative-to="/$(dirname "$p")" "/$t")" "$out/$p"
		p=$t
	done
	die "$abi: $1: symlink loop"
}

# ELF closure: interpreter + DT_NEEDED, searched like ld.so does for a
# Debian multiarch system without ld.so.cache (DT_RUNPATH/RPATH first).
declare -A done_elf=()
queue=()
progs=()
for p in $PROGRAMS; do
	name=${p%%:*} pkg=${p#*:} found=
	for d in usr/bin usr/sbin bin sbin; do
		if [ -e "$st/$d/$name" ] || [ -L "$st/$d/$name" ]; then found=$d/$name; break; fi
	done
	[ -n "$found" ] || die "$abi: $name not found in the packages (expected in $pkg)"
	by=${owner[$found]:-?}
	[ "$by" = "$pkg" ] || die "$abi: $name comes from $by, not $pkg"
	ver=$(awk -v n="$pkg" '$1 == n {print $2}' <<<"$resolved")
	merged=$(usrpath "$found")
	put "$merged"
	real=$(resolve "$found") || die "$abi: cannot resolve $found"
	queue+=("$real")
	progs+=("$name /$merged $pkg $ver")
done
while [ ${#queue[@]} -gt 0 ]; do
	e=${queue[0]}
	queue=("${queue[@]:1}")
	[ -z "${done_elf[$e]:-}" ] || continue
	done_elf[$e]=1
	f=$(srcof "$e")
	hdr=$(readelf -h "$f" 2>/dev/null) || die "$abi: $e is not an ELF file"
	grep -q "Machine: *$elfmach" <<<"$hdr" || die "$abi: $e is not a $elfmach ELF file"
	grep -q 'Class: *ELF32' <<<"$hdr" || die "$abi: $e is not ELF32"
	interp=$(readelf -lW "$f" | sed -nE 's/.*\[Requesting program interpreter: ([^]]+)\].*/\1/p')
	if [ -n "$interp" ]; then
		put "$(usrpath "${interp#/}")"
		r=$(resolve "$interp") || die "$abi: $e: interpreter $interp is in no downloaded package"
		queue+=("$r")
	fi
	dyn=$(readelf -dW "$f")
	runpath=$(sed -nE 's/.*\((RUNPATH|RPATH)\).*\[([^]]*)\].*/\2/p' <<<"$dyn" | tr ':' ' ')
	for lib in $(sed -nE 's/.*\(NEEDED\).*\[([^]]+)\].*/\1/p' <<<"$dyn"); do
		hit=
		for d in ${runpath//\$ORIGIN/\/$(dirname "$e")} "lib/$triplet" "usr/lib/$triplet" lib usr/lib; do
			c=$(usrpath "${d#/}")/$lib
			if r=$(resolve "$c"); then
				put "$c"
				hit=$r
				break
			fi
		done
		[ -n "$hit" ] || die "$abi: $e needs $lib, which no downloaded package ships (add its package to PROGRAMS' dependencies?)"
		queue+=("$hit")
	done
done
for d in $DATA; do
	s=$(srcof "$d")
	if [ -d "$s" ]; then
		mkdir -p "$out/$(dirname "$d")"
		cp -a "$s" "$out/$d"
	fi
done
[ -f "$out/usr/share/alsa/alsa.conf" ] || die "$abi: no usr/share/alsa/alsa.conf (libasound2-data)"
# Anything the data trees brought that is documentation.
find "$out" -depth \( -name '*.md' -o -name 'README*' -o -path '*/doc/*' -o -path '*/man/*' \) -exec rm -rf {} +

echo "$resolved" >"$out/.emucompat/packages"
printf '%s\n' "${progs[@]}" >"$out/.emucompat/programs"
echo "$abi" >"$out/.emucompat/abi"
size=$(du -sk "$out" | cut -f1)
log "$abi: $(wc -l <<<"$resolved") packages resolved, ${#progs[@]} programs, ${#done_elf[@]} ELF files, ${size} KiB"
touch "$out/.emucompat/done"
rm -rf "$dir"
mv "$out" "$dir"
# Older builds of this ABI, unused for a week.  Not at once: the cache is
# shared, and another tree's sysroot32.sh (another hash) may be about to
# pack its sysroot into an initramfs.
for old in "$cache/sysroot32/$abi"-*; do
	[ "$old" = "$dir" ] && continue
	if [ -z "$(find "$old/.emucompat/done" -mtime -7 2>/dev/null)" ]; then
		rm -rf "$old"
	fi
done
echo "SYSROOT32_DIR=$dir"
echo "SYSROOT32_SIZE=$size"
)

# --- main -------------------------------------------------------------------------
command -v readelf >/dev/null || die "no readelf (binutils)"
mkdir -p "$cache"
exec 9>"$cache/.sysroot32.lock"
flock 9
apt_setup
case ${1:-} in
i386|armhf) build_sysroot "$1" ;;
--qemu-stock) qemu_stock "${2:?usage: sysroot32.sh --qemu-stock amd64|arm64}" ;;
--prepare)
	host=${2:?usage: sysroot32.sh --prepare amd64|arm64 TOP}
	top=${3:?usage: sysroot32.sh --prepare amd64|arm64 TOP}
	for a in i386 armhf; do
		out=$(build_sysroot "$a") || exit 1
		d=$(sed -n 's/^SYSROOT32_DIR=//p' <<<"$out")
		printf 'SYSROOT32_%s=%q\n' "${a^^}" "$d"
	done
	qemu_stock "$host" || exit 1
	exec 9>&-
	# The patched QEMU (integrations/qemu/build.sh: prints
	# QEMU_USER_DIR=<dir> with <dir>/qemu-i386 and <dir>/qemu-arm), one
	# build at a time per host architecture; it caches its own builds.
	b=$top/integrations/qemu/build.sh
	if [ ! -x "$b" ]; then
		printf 'QEMU_PATCHED_NOTE=%q\n' "skip: no integrations/qemu/build.sh in this tree"
		exit 0
	fi
	log "patched QEMU: $b --base $qbase --host $host"
	exec 8>"$cache/.qemu-patched-$host.lock"
	flock 8
	if ! bout=$("$b" --base "$qbase" --host "$host"); then
		printf 'QEMU_PATCHED_NOTE=%q\n' "fail: integrations/qemu/build.sh --base $qbase --host $host failed"
		exit 0
	fi
	d=$(sed -n 's/^QEMU_USER_DIR=//p' <<<"$bout" | tail -n 1)
	if [ -z "$d" ]; then
		printf 'QEMU_PATCHED_NOTE=%q\n' "fail: integrations/qemu/build.sh --host $host printed no QEMU_USER_DIR="
	elif [ ! -x "$d/qemu-i386" ] || [ ! -x "$d/qemu-arm" ]; then
		printf 'QEMU_PATCHED_NOTE=%q\n' "fail: build.sh's $d lacks qemu-i386 or qemu-arm"
	else
		printf 'QEMU_PATCHED_DIR=%q\n' "$d"
	fi
	;;
*) die "usage: sysroot32.sh i386|armhf | --qemu-stock amd64|arm64 | --prepare amd64|arm64 TOP | --wants KERNEL" ;;
esac
