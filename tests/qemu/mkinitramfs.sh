#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh — pack the emucompat test initramfs (an uncompressed newc cpio).
#
#   mkinitramfs.sh --arch x86_64|arm64 --kmoddir DIR --guest DIR --out FILE
#                  [--ko FILE]... [--sysroot32 DIR]... [--qemu KIND=DIR]...
#                  [--qemu-note KIND=TEXT]... [--expect FILE]
#
#   --kmoddir  the kernel image's lib/modules/<release> (KMODDIR of
#              fetch-kernel.sh); modules.dep is generated there with depmod if
#              the package did not ship one.
#   --guest    directory of built guest programs (t_*, o32_*, q32_*, demo, runtest)
#              -> /tests/
#   --ko       an out-of-tree module to put at /<name>.ko (emucompat.ko,
#              emucompat_probe.ko); may be repeated.  emucompat.ko also goes
#              where DKMS installs it, /lib/modules/<release>/updates/dkms/,
#              with its tree's dkms.conf at /etc/emucompat/dkms.conf, for
#              tests/guest/t_modprobe.sh (depmod -a + modprobe in the guest).
#   --sysroot32 a 32-bit sysroot of sysroot32.sh -> /sysroot/<abi>/ (i386,
#              armhf), for tests/guest/t_qemu_user.sh; may be repeated.
#   --qemu     KIND=DIR: DIR/qemu-i386 -> /sysroot/i386/qemu/KIND/qemu-i386,
#              DIR/qemu-arm -> /sysroot/armhf/qemu/KIND/qemu-arm (static
#              binaries, run chrooted into their sysroot); KIND is stock or
#              patched; DIR/version, if any, -> /sysroot/qemu-KIND.version.
#   --qemu-note KIND=TEXT: /sysroot/qemu-KIND.note (why there is no KIND
#              QEMU: "skip: ..." or "fail: ...").
#   --expect   the lane's expectations ("KEY VALUE" lines that run.sh takes
#              from tests/qemu/expect.conf) -> /etc/emucompat/expect, read
#              by the guest tests (tests/guest/lib/lane_expect.h, t_expect).
#
# Layout: /init (tests/guest/init), /run-tests.sh, /bin/busybox (+ /bin/sh),
# /tests/* (guest programs, and the script tests tests/guest/t_*.sh),
# /<name>.ko, /lib/modules/<release>/updates/dkms/emucompat.ko,
# /etc/emucompat/dkms.conf, /kmod/*.ko + /kmod/order (helper modules from the
# kernel image, decompressed on the host, in dependency order), /sysroot/
# (only with --sysroot32).
set -euo pipefail

# ---------------------------------------------------------------------------
# Helper modules from the kernel image loaded by /init before emucompat.ko,
# with their dependencies (resolved from modules.dep).  Names use '_' or '-'
# indifferently; a module that is built in (modules.builtin) or absent from
# this kernel is skipped.  THIS IS THE ONLY PLACE TO EDIT THE LIST.
# t_xabi: vivid (v4l2), virtio_net (SIOCETHTOOL on the run.sh virtio-net
# NIC), an ALSA card with a writable integer control: snd-dummy on x86-64;
# Debian's arm64 kernels have no snd-dummy, so snd-aloop there; bochs on
# arm64 too (after virtio_gpu, so card0 stays virtio_gpu): virtio_gpu
# refuses ADDFB2 with modifiers.  virtio_input: run.sh's virtio-keyboard-pci,
# an evdev device for t_qemu_user.sh's evtest and lsinput.
GUEST_MODULES_COMMON="loop uinput evdev crc32c_generic ext4 vfat nls_cp437 nls_ascii nls_utf8 nls_iso8859_1 vivid virtio_net virtio_input"
GUEST_MODULES_x86_64="bochs bochs_drm rtc_cmos virtio_pci snd_dummy"
GUEST_MODULES_arm64="virtio_pci virtio_gpu rtc_pl031 snd_aloop bochs bochs_drm"
# ---------------------------------------------------------------------------

here=$(cd "$(dirname "$0")" && pwd)
guestsrc=$(cd "$here/../guest" && pwd)
cache=${EMUCOMPAT_CACHE:-$HOME/.cache/emucompat}

die() { echo "mkinitramfs: $*" >&2; exit 1; }

arch='' kmoddir='' guest='' out='' expect=''
kos=() sysroots=() qemus=() qnotes=()
while [ $# -gt 0 ]; do
	case $1 in
	--arch) arch=$2; shift 2 ;;
	--kmoddir) kmoddir=$2; shift 2 ;;
	--guest) guest=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--ko) kos+=("$2"); shift 2 ;;
	--sysroot32) sysroots+=("$2"); shift 2 ;;
	--qemu) qemus+=("$2"); shift 2 ;;
	--qemu-note) qnotes+=("$2"); shift 2 ;;
	--expect) expect=$2; shift 2 ;;
	*) die "unknown argument '$1'" ;;
	esac
done
if [ -z "$arch" ] || [ -z "$kmoddir" ] || [ -z "$out" ]; then
	die "usage: mkinitramfs.sh --arch x86_64|arm64 --kmoddir DIR --guest DIR --out FILE [--ko FILE]..."
fi
[ -d "$kmoddir" ] || die "no module directory $kmoddir"

case $arch in
x86_64) mods="$GUEST_MODULES_COMMON $GUEST_MODULES_x86_64"; bbarch=amd64 ;;
arm64) mods="$GUEST_MODULES_COMMON $GUEST_MODULES_arm64"; bbarch=arm64 ;;
*) die "unsupported arch '$arch'" ;;
esac

# --- busybox (static) ------------------------------------------------------
busybox_for() {
	local a=$1 dir
	if [ "$a" = "$(dpkg --print-architecture)" ] && [ -x /bin/busybox ] &&
		file -L /bin/busybox | grep -q 'statically linked'; then
		echo /bin/busybox
		return
	fi
	dir=$cache/busybox/$a
	if [ ! -x "$dir/bin/busybox" ]; then
		# The private apt configuration of fetch-kernel.sh knows amd64+arm64.
		local aptdir=$cache/apt
		[ -f "$aptdir/sources.list" ] ||
			die "no $aptdir/sources.list: run tests/qemu/fetch-kernel.sh first"
		local aptopts=(-o "Dir::Etc::SourceList=$aptdir/sources.list" -o Dir::Etc::SourceParts=/dev/null
			-o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache=$aptdir/cache"
			-o APT::Architectures::=amd64 -o APT::Architectures::=arm64
			-o APT::Sandbox::User=root -q)
		echo "mkinitramfs: downloading busybox-static:$a" >&2
		rm -rf "$dir.tmp"
		mkdir -p "$dir.tmp/deb"
		(cd "$dir.tmp/deb" && apt-get "${aptopts[@]}" download "busybox-static:$a/bookworm" >&2) ||
			die "cannot download busybox-static:$a"
		dpkg -x "$dir.tmp"/deb/*.deb "$dir.tmp/root"
		mkdir -p "$dir.tmp/bin"
		mv "$dir.tmp/root/bin/busybox" "$dir.tmp/bin/busybox"
		rm -rf "$dir.tmp/deb" "$dir.tmp/root" "$dir"
		mv "$dir.tmp" "$dir"
	fi
	echo "$dir/bin/busybox"
}
mkdir -p "$cache"
exec 9>"$cache/.busybox.lock"
flock 9
busybox=$(busybox_for "$bbarch") || exit 1
exec 9>&-

# --- kernel helper modules ---------------------------------------------------
krel=$(basename "$kmoddir")
if [ ! -s "$kmoddir/modules.dep" ]; then
	case $kmoddir in
	*/lib/modules/"$krel") base=${kmoddir%/lib/modules/"$krel"} ;;
	*) die "cannot run depmod: $kmoddir is not <base>/lib/modules/<release>" ;;
	esac
	echo "mkinitramfs: depmod -b $base $krel" >&2
	flock "$kmoddir/.depmod.lock" depmod -b "$base" "$krel" ||
		die "depmod failed for $kmoddir"
fi

norm() { local b=${1##*/}; b=${b%%.ko*}; echo "${b//-/_}"; }

declare -A path deps builtin seen
while IFS= read -r line; do
	[ -n "$line" ] || continue
	builtin[$(norm "$line")]=1
done <"$kmoddir/modules.builtin"
while IFS=: read -r mod rest; do
	n=$(norm "$mod")
	path[$n]=$mod
	d=
	for dep in $rest; do d+=" $(norm "$dep")"; done
	deps[$n]=$d
done <"$kmoddir/modules.dep"

order=()
visit() {
	local m=$1 d
	[ -z "${seen[$m]:-}" ] || return 0
	seen[$m]=1
	for d in ${deps[$m]}; do visit "$d"; done
	order+=("$m")
}
wanted=()
for m in $mods; do
	m=${m//-/_}
	if [ -n "${builtin[$m]:-}" ]; then
		wanted+=("$m(builtin)")
	elif [ -n "${path[$m]:-}" ]; then
		wanted+=("$m")
		visit "$m"
	fi
done

stage=$(mktemp -d "${out}.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,tests,kmod,etc}

for m in "${order[@]}"; do
	src=$kmoddir/${path[$m]}
	dst=$stage/kmod/$m.ko
	case $src in
	*.ko.xz) xz -dc "$src" >"$dst" ;;
	*.ko.zst) zstd -qdc "$src" >"$dst" ;;
	*.ko.gz) gzip -dc "$src" >"$dst" ;;
	*.ko) cp "$src" "$dst" ;;
	*) die "unexpected module file $src" ;;
	esac
	echo "$m.ko" >>"$stage/kmod/order"
done
touch "$stage/kmod/order"
echo "mkinitramfs: helper modules: ${wanted[*]:-none} -> load order: ${order[*]:-none}" >&2

# --- programs, scripts, modules ----------------------------------------------
cp "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
install -m 0755 "$guestsrc/init" "$stage/init"
install -m 0755 "$guestsrc/run-tests.sh" "$stage/run-tests.sh"
for ko in ${kos[@]+"${kos[@]}"}; do
	[ -f "$ko" ] || die "no module file $ko"
	cp "$ko" "$stage/$(basename "$ko")"
	if [ "$(basename "$ko")" = emucompat.ko ]; then
		# As `dkms install` places it (dkms.conf DEST_MODULE_LOCATION); the
		# guest runs depmod itself.  dkms.conf of the tree the module was
		# built from (<top>/module/emucompat.ko), else this harness's.
		mkdir -p "$stage/lib/modules/$krel/updates/dkms" "$stage/etc/emucompat"
		cp "$ko" "$stage/lib/modules/$krel/updates/dkms/emucompat.ko"
		conf=$(dirname "$ko")/../dkms.conf
		[ -f "$conf" ] || conf=$here/../../dkms.conf
		cp "$conf" "$stage/etc/emucompat/dkms.conf"
	fi
done
if [ -n "$guest" ] && [ -d "$guest" ]; then
	find "$guest" -maxdepth 1 -type f -perm -u+x \( -name 't_*' -o -name 'o32_*' -o -name 'q32_*' -o -name demo -o -name runtest \) \
		-exec cp {} "$stage/tests/" \;
	# Script tests (busybox sh) go with the programs as they are, with
	# the scripts they run (qemu_user.sh for t_qemu_user_*.sh).
	for s in "$guestsrc"/t_*.sh "$guestsrc"/qemu_*.sh; do
		if [ -f "$s" ]; then install -m 0755 "$s" "$stage/tests/"; fi
	done
fi
# --- 32-bit sysroots and QEMU linux-user (t_qemu_user.sh) ---------------------
for d in ${sysroots[@]+"${sysroots[@]}"}; do
	[ -f "$d/.emucompat/done" ] || die "$d is not a finished sysroot32.sh sysroot"
	a=$(cat "$d/.emucompat/abi")
	mkdir -p "$stage/sysroot"
	cp -a "$d" "$stage/sysroot/$a"
done
for q in ${qemus[@]+"${qemus[@]}"}; do
	kind=${q%%=*} d=${q#*=}
	for t in i386:i386 armhf:arm; do
		a=${t%%:*} b=qemu-${t#*:}
		[ -d "$stage/sysroot/$a" ] || die "--qemu $q: no --sysroot32 for $a"
		[ -x "$d/$b" ] || die "--qemu $q: no $d/$b"
		mkdir -p "$stage/sysroot/$a/qemu/$kind"
		cp "$d/$b" "$stage/sysroot/$a/qemu/$kind/$b"
	done
	if [ -f "$d/version" ]; then cp "$d/version" "$stage/sysroot/qemu-$kind.version"; fi
done
for n in ${qnotes[@]+"${qnotes[@]}"}; do
	mkdir -p "$stage/sysroot"
	printf '%s\n' "${n#*=}" >"$stage/sysroot/qemu-${n%%=*}.note"
done
if [ -d "$stage/sysroot" ]; then
	echo "mkinitramfs: /sysroot: $(cd "$stage/sysroot" && echo *) ($(du -sh "$stage/sysroot" | cut -f1))" >&2
fi

if [ -n "$expect" ]; then
	[ -f "$expect" ] || die "no expectation file $expect"
	mkdir -p "$stage/etc/emucompat"
	cp "$expect" "$stage/etc/emucompat/expect"
fi
echo 'root:x:0:0:root:/root:/bin/sh' >"$stage/etc/passwd"
echo 'root:x:0:' >"$stage/etc/group"

(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out ($(du -h "$out" | cut -f1), $(find "$stage/tests" -type f | wc -l) guest programs)" >&2
