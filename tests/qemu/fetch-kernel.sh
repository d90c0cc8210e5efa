#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh NAME — download and unpack a Debian kernel (image, modules,
# headers and the amd64 kbuild tools) into the cache, once.
#
# NAME is one of the entries in tests/qemu/kernels.conf (e.g. 6.12-amd64).
# Prints shell assignments on stdout for the caller to eval:
#   KREL=<uname -r>  KARCH=<x86_64|arm64>  KIMAGE=<vmlinuz>  KDIR=<headers>
#   KMODDIR=<lib/modules/KREL>  KDEBVER=<debian version>
#   KTOOLCHAIN=<host|suite> (kernels.conf's TOOLCHAIN column, see toolchain.sh)
#   KQEMUCPU=<-|cpu model> (kernels.conf's QEMU-CPU column, - = run.sh's default)
# Cache: ${EMUCOMPAT_CACHE:-~/.cache/emucompat}/kernels/NAME (outside the clone).
# A lock (kernels/.NAME.lock) serialises concurrent callers of one kernel;
# the shared private apt lists are updated under kernels/.apt.lock.  NAME's
# .done is written last, once the image, modules and headers its .env names
# are there; a cache entry without them (.done or not) is fetched again.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
name=${1:?usage: fetch-kernel.sh NAME}
cache=${EMUCOMPAT_CACHE:-$HOME/.cache/emucompat}
conf=$here/kernels.conf

line=$(awk -v n="$name" '$1 == n' "$conf")
[ -n "$line" ] || { echo "fetch-kernel: unknown kernel '$name' (see $conf)" >&2; exit 2; }
read -r _ debarch pattern toolchain qcpu _ <<<"$line"
toolchain=${toolchain:-host}
qcpu=${qcpu:--}

# Debug kernels (NAME *-debug-*: KUnit, KASAN, lockdep, kmemleak) are not
# downloaded but built from Debian's linux-source by debug-kernel.sh, which
# caches them the same way and prints the same assignments.
case $name in
*-debug-*) exec "$here/debug-kernel.sh" "$name" ;;
esac

# A line that differs from an earlier one only in QEMU-CPU (a CPU variant,
# e.g. 52-bit VA) shares that line's download.
base=$(awk -v a="$debarch" -v p="$pattern" -v t="$toolchain" \
	'$1 !~ /^#/ && NF >= 3 && $1 !~ /-debug-/ && $2 == a && $3 == p &&
	 (NF >= 4 ? $4 : "host") == t { print $1; exit }' "$conf")
dest=$cache/kernels/${base:-$name}
mkdir -p "$cache/kernels"
exec 9>"$cache/kernels/.${base:-$name}.lock"
flock 9

# unpacked DIR: the image, modules and headers DIR/.env names are there
unpacked() {
	local img kdir kmod
	[ -f "$1/.env" ] || return 1
	img=$(sed -n 's/^KIMAGE=//p' "$1/.env")
	kdir=$(sed -n 's/^KDIR=//p' "$1/.env")
	kmod=$(sed -n 's/^KMODDIR=//p' "$1/.env")
	[ -n "$img" ] && [ -f "$img" ] && [ -n "$kdir" ] && [ -f "$kdir/Makefile" ] &&
		[ -n "$kmod" ] && [ -d "$kmod/kernel" ]
}

if [ -f "$dest/.done" ] && unpacked "$dest"; then
	cat "$dest/.env"
	echo "KTOOLCHAIN=$toolchain"
	echo "KQEMUCPU=$qcpu"
	exit 0
fi
[ -e "$dest" ] && echo "fetch-kernel: $dest is incomplete, fetching again" >&2

# The private apt configuration and lists are shared by every kernel: set up
# and refreshed (at most once a day) by one caller at a time.
aptdir=$cache/apt
exec 7>"$cache/kernels/.apt.lock"
flock 7
mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
cat >"$aptdir/sources.list.tmp" <<LIST
deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bullseye main
deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bullseye-security main
deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main
deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main
LIST
mv "$aptdir/sources.list.tmp" "$aptdir/sources.list"
aptopts=(-o "Dir::Etc::SourceList=$aptdir/sources.list" -o Dir::Etc::SourceParts=/dev/null
	 -o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache=$aptdir/cache"
	 -o APT::Architectures::=amd64 -o APT::Architectures::=arm64
	 -o APT::Sandbox::User=root -q)
# apt leaves an unchanged list's mtime alone: the last successful update's
# time is .updated's.
if [ -z "$(find "$aptdir/lists" -maxdepth 1 -type f -name '*_Packages*' 2>/dev/null | head -1)" ] ||
   [ -z "$(find "$aptdir/.updated" -mmin -1440 2>/dev/null)" ]; then
	echo "fetch-kernel: apt-get update (private lists in $aptdir)" >&2
	apt-get "${aptopts[@]}" update >&2 || { echo "fetch-kernel: apt-get update failed" >&2; exit 1; }
	touch "$aptdir/.updated"
fi
flock -u 7

# Versions of the linux-image-<arch> metapackage matching the pattern, newest
# first.  If the newest cannot be downloaded (a mirror may lack some
# architectures' security uploads), fall back to the next one.
meta=linux-image-$debarch
vers=$(apt-cache "${aptopts[@]}" madison "$meta:$debarch" | awk -F'|' '{gsub(/ /,"",$2); print $2}' |
	grep -E "^$pattern\$" | sort -Vru)
[ -n "$vers" ] || { echo "fetch-kernel: no $meta version matches '$pattern'" >&2; exit 1; }

ok=
for ver in $vers; do
	abi=$(apt-cache "${aptopts[@]}" show "$meta:$debarch=$ver" | sed -n 's/^Depends:.*linux-image-\([^ ,]*\)-'"$debarch"'.*/\1/p' | head -1)
	[ -n "$abi" ] || { echo "fetch-kernel: cannot resolve the ABI of $meta=$ver" >&2; continue; }
	krel=$abi-$debarch

	# The image: up to 6.x in linux-image-KREL(-unsigned); from 7.x
	# linux-image-KREL is a metapackage and the kernel is in
	# linux-binary(-unsigned)-KREL, the modules in linux-modules-KREL.
	pkgs=()
	for p in "linux-binary-unsigned-$krel" "linux-binary-$krel" \
		"linux-image-$krel-unsigned" "linux-image-$krel"; do
		apt-cache "${aptopts[@]}" show "$p:$debarch" >/dev/null 2>&1 && { pkgs=("$p:$debarch"); break; }
	done
	[ ${#pkgs[@]} -gt 0 ] || { echo "fetch-kernel: no image package for $krel" >&2; continue; }
	for p in "linux-modules-$krel" "linux-base-$krel"; do
		apt-cache "${aptopts[@]}" show "$p:$debarch" >/dev/null 2>&1 && pkgs+=("$p:$debarch")
	done
	pkgs+=("linux-headers-$krel:$debarch")
	# The -common headers and the kbuild tools: names differ between 5.10 and 6.x.
	for p in "linux-headers-$abi-common" "linux-headers-$abi-common:all"; do
		apt-cache "${aptopts[@]}" show "$p" >/dev/null 2>&1 && { pkgs+=("$p"); break; }
	done
	# Pin kbuild to the headers' own version (same source package): a newer
	# linux-kbuild installed on the host would otherwise be apt's candidate.
	hinfo=$(apt-cache "${aptopts[@]}" show "linux-headers-$krel:$debarch")
	kb=$(sed -n 's/^Depends:.*\(linux-kbuild-[^ ,]*\).*/\1/p' <<<"$hinfo" | head -1)
	hver=$(sed -n 's/^Version: //p' <<<"$hinfo" | head -1)
	pkgs+=("$kb:amd64=$hver")

	rm -rf "$dest.tmp"
	mkdir -p "$dest.tmp/debs" "$dest.tmp/root"
	echo "fetch-kernel: $name = $krel ($ver): ${pkgs[*]}" >&2
	if (cd "$dest.tmp/debs" && apt-get "${aptopts[@]}" download "${pkgs[@]}" >&2); then
		ok=1
		break
	fi
	echo "fetch-kernel: download failed for $name $ver, trying an older version" >&2
done
[ -n "$ok" ] || { echo "fetch-kernel: download failed for $name" >&2; rm -rf "$dest.tmp"; exit 1; }
for d in "$dest.tmp"/debs/*.deb; do
	dpkg -x "$d" "$dest.tmp/root"
done
root=$dest/root
hdr=$root/usr/src/linux-headers-$krel
# The arch headers' Makefile names /usr/src/... absolutely; point it at the cache.
sed -i "s|/usr/src/|$root/usr/src/|g" "$dest.tmp/root/usr/src/linux-headers-$krel/Makefile"
kmod=$(ls -d "$dest.tmp/root/lib/modules/$krel" 2>/dev/null || ls -d "$dest.tmp/root/usr/lib/modules/$krel")
# /boot/vmlinuz-KREL up to 6.x; from 7.x lib/modules/KREL/vmlinuz(.unsigned).
img=$(ls "$dest.tmp/root/boot/"vmlinu[xz]-"$krel" 2>/dev/null || ls "$kmod"/vmlinu[xz]* | head -n 1)
# Debian generates modules.dep at install time; do it here.
depmod -b "${kmod%/lib/modules/"$krel"}" "$krel" >&2 ||
	echo "fetch-kernel: depmod failed for $name (mkinitramfs.sh retries)" >&2
karch=x86_64
[ "$debarch" = arm64 ] && karch=arm64
{
	echo "KNAME=$name"
	echo "KREL=$krel"
	echo "KDEBVER=$ver"
	echo "KARCH=$karch"
	echo "KDEBARCH=$debarch"
	echo "KIMAGE=${img/$dest.tmp/$dest}"
	echo "KDIR=$hdr"
	echo "KMODDIR=${kmod/$dest.tmp/$dest}"
} >"$dest.tmp/.env"
rm -rf "$dest.tmp/debs"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
unpacked "$dest" || {
	echo "fetch-kernel: $name: no image, modules or headers in $dest (see .env)" >&2
	exit 1
}
touch "$dest/.done"
cat "$dest/.env"
echo "KTOOLCHAIN=$toolchain"
echo "KQEMUCPU=$qcpu"
