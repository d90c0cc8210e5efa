#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deb-check.sh — `make check-deb`: the Debian packages as a user meets them.
#
#   1. build them (debian/build-deb.sh, into ${DEB_OUT:-build/deb});
#   2. lintian: no errors or warnings;
#   3. dpkg-deb -c: the module's source and dkms.conf under
#      /usr/src/emucompat-VER, the udev rule, libemucompat.so.0 and the .so
#      links, the headers, the static library, emucompat.pc, a section-3
#      man page for every symbol of userlib/libemucompat.map, emucompat(7);
#   4. in a throw-away Debian bookworm root (debootstrap --variant=minbase,
#      cached as a tarball, unpacked fresh for every run and deleted after):
#      install a kernel's headers (bookworm's linux-headers-<arch>, 6.1), then
#      `apt install ./*.deb`: the dkms postinst must build and install
#      emucompat.ko for that kernel (modinfo version = dkms.conf's); compile
#      and link a program against libemucompat-dev through pkg-config
#      (shared and static) and run it; run the udev rule through
#      `udevadm test` against a misc device "emucompat" in a stand-in sysfs
#      laid out as the kernel lays out a miscdevice, and the group variant
#      (70-emucompat-group.rules copied into /etc/udev/rules.d: group
#      emucompat, mode 0660) likewise; the postinst's system group
#      emucompat, also after a reconfigure; install man-db and
#      check that `man -w emucompat_ioctl32`, `man -w emucompat_close` and
#      `man -w 7 emucompat` find the packages' pages; `apt remove --purge`
#      and check that the module, its DKMS tree, the source, the rule, the
#      library, the man pages and the group are gone.
#
# Not proven here: that the module loads and creates /dev/emucompat 0666
# (tests/guest/t_modprobe.sh does that in every QEMU guest, with depmod +
# modprobe), nor that a running udevd applies the rule on a real system.
#
# Needs root, network access to a Debian mirror for the first run (and for
# apt-get update), ~1.5 GB in /tmp while it runs.
# Cache: ${EMUCOMPAT_CACHE:-~/.cache/emucompat}/deb-check/ — the bookworm
# tarball, apt's lists and downloaded .debs (outside the clone).
# Environment: EMUCOMPAT_DEB_MIRROR (default http://deb.debian.org/debian),
# EMUCOMPAT_DEB_HEADERS (default linux-headers-<dpkg arch>), EMUCOMPAT_KEEP=1
# keeps the root for inspection (its path is printed).
# Prints TAP; exit 0 iff every test passed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cache=${EMUCOMPAT_CACHE:-$HOME/.cache/emucompat}/deb-check
mirror=${EMUCOMPAT_DEB_MIRROR:-http://deb.debian.org/debian}
out=${DEB_OUT:-$top/build/deb}
suite=bookworm
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

die() { echo "deb-check: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mounts)"
darch=$(dpkg --print-architecture)
case $darch in
amd64 | arm64) ;;
*) die "host architecture $darch: the packages are for amd64 and arm64" ;;
esac
headers=${EMUCOMPAT_DEB_HEADERS:-linux-headers-$darch}
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
[ -n "$ver" ] || die "no PACKAGE_VERSION in dkms.conf"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)

n=0 fail=0
tap() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi
}
# check DESCRIPTION COMMAND... — run it (output to stderr), one TAP line.
check() { local d=$1 rc=0; shift; "$@" >&2 || rc=$?; tap "$rc" "$d"; }
finish() {
	echo "1..$n"
	echo "deb-check: $((n - fail)) passed, $fail failed ($(($(date +%s) - t0)) s)"
	[ "$fail" -eq 0 ] && exit 0
	exit 1
}
t0=$(date +%s)

# --- host tools ----------------------------------------------------------------
need=()
command -v lintian >/dev/null || need+=(lintian)
command -v debootstrap >/dev/null || need+=(debootstrap)
[ -e /usr/share/keyrings/debian-archive-keyring.gpg ] || need+=(debian-archive-keyring)
if [ ${#need[@]} -gt 0 ]; then
	echo "deb-check: installing ${need[*]}" >&2
	apt-get install -y -q --no-install-recommends "${need[@]}" >&2 ||
		die "apt-get install ${need[*]} failed"
fi

# --- 1. build ------------------------------------------------------------------
mkdir -p "$out"
out=$(cd "$out" && pwd)
echo "# building the packages (debian/build-deb.sh $out)"
if ! "$top/debian/build-deb.sh" "$out" >&2; then
	tap 1 "debian/build-deb.sh builds the packages"
	finish
fi
tap 0 "debian/build-deb.sh builds the packages"
deb_dkms=$out/emucompat-dkms_${ver}_all.deb
deb_lib=$out/libemucompat0_${ver}_$darch.deb
deb_dev=$out/libemucompat-dev_${ver}_$darch.deb
changes=$out/emucompat_${ver}_$darch.changes
for f in "$deb_dkms" "$deb_lib" "$deb_dev" "$changes"; do
	[ -f "$f" ] || { tap 1 "${f##*/} was built"; finish; }
done

# --- 2. lintian ----------------------------------------------------------------
echo "# lintian"
lrc=0
lintian --fail-on error,warning --display-info --tag-display-limit 0 "$changes" >"$out/lintian.log" 2>&1 || lrc=$?
sed 's/^/# lintian: /' "$out/lintian.log" | grep -v 'running with root privileges' || true
tap "$lrc" "lintian: no errors or warnings (log: $out/lintian.log)"

# --- 3. contents ---------------------------------------------------------------
# has DEB PATH [TYPE] — dpkg-deb -c of DEB lists ./PATH (TYPE: d, -, l).
declare -A listing
for d in "$deb_dkms" "$deb_lib" "$deb_dev"; do listing[$d]=$(dpkg-deb -c "$d"); done
has() {
	awk -v p="./$2" -v t="${3:-}" '
		$6 == p && (t == "" || substr($1, 1, 1) == t) { found = 1 }
		END { exit !found }' <<<"${listing[$1]}"
}
link_to() { # DEB PATH TARGET
	grep -qE "[[:space:]]\./$2 -> $3\$" <<<"${listing[$1]}"
}
src=usr/src/emucompat-$ver
missing=()
while IFS= read -r f; do
	has "$deb_dkms" "$src/$f" - || missing+=("$f")
done < <(cd "$top" && { echo dkms.conf; find module uapi -type f \( -name '*.c' -o -name '*.h' -o -name Kbuild \); } | LC_ALL=C sort)
tap "${#missing[@]}" "emucompat-dkms: module source, uapi header and dkms.conf under /$src${missing[*]:+ (missing: ${missing[*]})}"
junk=$(awk '{print $6}' <<<"${listing[$deb_dkms]}" | grep -E '\.(o|ko|mod|mod\.c|cmd)$|Module\.symvers|modules\.order' || true)
tap "$([ -z "$junk" ] && echo 0 || echo 1)" "emucompat-dkms: no build products in the source${junk:+ ($junk)}"
dkms_pkg=$(dpkg-deb --fsys-tarfile "$deb_dkms" | tar -xOf - "./$src/dkms.conf")
tap "$([ "$dkms_pkg" = "$(cat "$top/dkms.conf")" ] && echo 0 || echo 1)" "emucompat-dkms: dkms.conf is the tree's (PACKAGE_VERSION=$ver)"
rule_ok=1
if has "$deb_dkms" usr/lib/udev/rules.d/60-emucompat.rules - || has "$deb_dkms" lib/udev/rules.d/60-emucompat.rules -; then
	rule_ok=0
fi
tap "$rule_ok" "emucompat-dkms: udev rule (/usr)/lib/udev/rules.d/60-emucompat.rules"
group_ok=1
if has "$deb_dkms" usr/share/doc/emucompat-dkms/examples/70-emucompat-group.rules - &&
	! grep -q 'rules\.d/70-emucompat-group' <<<"${listing[$deb_dkms]}"; then
	group_ok=0
fi
tap "$group_ok" "emucompat-dkms: the group variant 70-emucompat-group.rules as an example, not active"
check "emucompat-dkms, libemucompat-dev: docs/ (install.md, the ioctl path's SVG) beside README.md" \
	sh -c "for p in emucompat-dkms libemucompat-dev; do for f in README.md docs/install.md docs/semantics.md docs/ioctl-path.svg; do dpkg-deb -c $out/\$p*_${ver}_*.deb | grep -E >/dev/null \" \\./usr/share/doc/\$p/\$f(\\.gz)?\$\" || { echo \"\$p: no \$f\"; exit 1; }; done; done"
check "emucompat-dkms: Depends on adduser (postinst's addgroup)" sh -c "dpkg-deb -f '$deb_dkms' Depends | grep -q '\badduser\b'"
check "emucompat-dkms: Depends on dkms" sh -c "dpkg-deb -f '$deb_dkms' Depends | grep -q '\\bdkms\\b'"
L=usr/lib/$multiarch
check "libemucompat0: $L/libemucompat.so.$ver" has "$deb_lib" "$L/libemucompat.so.$ver" -
check "libemucompat0: libemucompat.so.0 -> libemucompat.so.$ver" link_to "$deb_lib" "$L/libemucompat.so.0" "libemucompat.so.$ver"
check "libemucompat0: SONAME libemucompat.so.0" sh -c "dpkg-deb --fsys-tarfile '$deb_lib' | tar -xOf - './$L/libemucompat.so.$ver' >'$out/.so' && objdump -p '$out/.so' | grep -qE 'SONAME +libemucompat\\.so\\.0\$'; rc=\$?; rm -f '$out/.so'; exit \$rc"
check "libemucompat0: shlibs/symbols control files" sh -c "dpkg-deb -I '$deb_lib' | grep -q ' symbols' && dpkg-deb -I '$deb_lib' | grep -q ' shlibs'"
check "libemucompat-dev: libemucompat.so -> libemucompat.so.0" link_to "$deb_dev" "$L/libemucompat.so" "libemucompat.so.0"
check "libemucompat-dev: $L/libemucompat.a" has "$deb_dev" "$L/libemucompat.a" -
check "libemucompat-dev: /usr/include/emucompat.h" has "$deb_dev" usr/include/emucompat.h -
check "libemucompat-dev: /usr/include/linux/emucompat.h" has "$deb_dev" usr/include/linux/emucompat.h -
check "libemucompat-dev: $L/pkgconfig/emucompat.pc" has "$deb_dev" "$L/pkgconfig/emucompat.pc" -
# One page (or link) per exported symbol; the .so pages become symlinks.
missing=()
while IFS= read -r sym; do
	has "$deb_dev" "usr/share/man/man3/$sym.3.gz" || missing+=("$sym")
done < <(sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\)[[:space:]]*;.*/\1/p' "$top/userlib/libemucompat.map")
tap "${#missing[@]}" "libemucompat-dev: a man page /usr/share/man/man3/NAME.3.gz for every exported symbol${missing[*]:+ (missing: ${missing[*]})}"
check "emucompat-dkms: /usr/share/man/man7/emucompat.7.gz" has "$deb_dkms" usr/share/man/man7/emucompat.7.gz -

# --- 4. a throw-away bookworm root ----------------------------------------------
tarball=$cache/$suite-minbase-$darch.tar
mkdir -p "$cache/archives/partial" "$cache/lists/partial"
exec 8>"$cache/.lock"
flock 8 # one run at a time: the tarball, lists and archives are shared
if [ ! -s "$tarball" ]; then
	echo "# creating $tarball (debootstrap --variant=minbase $suite, once)"
	bs=$cache/bootstrap.tmp
	rm -rf --one-file-system "$bs"
	brc=0
	debootstrap --variant=minbase --arch="$darch" \
		--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
		"$suite" "$bs" "$mirror" >"$cache/debootstrap.log" 2>&1 || brc=$?
	if [ "$brc" -ne 0 ]; then
		tail -n 20 "$cache/debootstrap.log" >&2
		rm -rf --one-file-system "$bs"
		tap 1 "debootstrap --variant=minbase $suite (log: $cache/debootstrap.log)"
		finish
	fi
	cat >"$bs/etc/apt/sources.list" <<-LIST
		deb $mirror $suite main
		deb $mirror $suite-updates main
		deb http://deb.debian.org/debian-security $suite-security main
	LIST
	rm -rf "$bs"/var/cache/apt/archives/*.deb "$bs"/var/lib/apt/lists/*
	tar -C "$bs" --numeric-owner -cf "$tarball.tmp" .
	mv "$tarball.tmp" "$tarball"
	rm -rf --one-file-system "$bs"
	tap 0 "debootstrap --variant=minbase $suite -> ${tarball/#$HOME/\~}"
else
	tap 0 "cached $suite root ${tarball/#$HOME/\~}"
fi

work=$(mktemp -d /tmp/emucompat-deb-check.XXXXXX)
root=$work/root
mounts=()
mnt() { mount "$@"; mounts+=("${!#}"); }
cleanup() {
	local i busy=0
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount "${mounts[$i]}" 2>/dev/null || umount -l "${mounts[$i]}" 2>/dev/null || busy=1
	done
	# Never delete through a mount that is still there (the apt cache).
	if [ "$busy" = 0 ] && ! grep -q " $work/" /proc/mounts; then
		if [ "${EMUCOMPAT_KEEP:-0}" = 1 ]; then
			echo "deb-check: kept $root" >&2
		else
			rm -rf --one-file-system "$work"
		fi
	else
		echo "deb-check: $work still has mounts; not removed" >&2
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$root"
tar -C "$root" --numeric-owner -xf "$tarball"
# apt's downloads and lists live in the cache, so that a second run only
# revalidates them.
mnt --bind "$cache/archives" "$root/var/cache/apt/archives"
mnt --bind "$cache/lists" "$root/var/lib/apt/lists"
mnt -t proc proc "$root/proc"
mnt -t tmpfs -o mode=1777 tmpfs "$root/tmp"
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# No daemons from maintainer scripts (udev) in the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
cp "$deb_dkms" "$deb_lib" "$deb_dev" "$root/tmp/"

log=$out/chroot.log
: >"$log"
# inroot CMD... — run a shell command in the root; output to $log.
inroot() {
	echo "### $*" >>"$log"
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive /bin/sh -c "$*" >>"$log" 2>&1
}
cin() {
	local d=$1 rc=0 t=$SECONDS
	shift
	inroot "$@" || rc=$?
	tap "$rc" "$d"
	[ $((SECONDS - t)) -lt 10 ] || echo "# ($((SECONDS - t)) s)"
	[ "$rc" = 0 ] || tail -n 15 "$log" | sed 's/^/#   /'
	return 0
}
APT="apt-get -y -q -o APT::Sandbox::User=root -o Acquire::Languages=none"
# INSTALL PKG... — apt-get install; if that fails (lists older than the
# mirror), apt-get update and try again.
INSTALL="inst() { $APT install --no-install-recommends \"\$@\" || { $APT update && $APT install --no-install-recommends \"\$@\"; }; }; inst"

# The lists (cached) are refreshed at most once a day.
if [ -n "$(find "$cache/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n 1)" ]; then
	tap 0 "apt lists of the $suite root are less than a day old"
else
	cin "apt-get update in the $suite root" "$APT update"
fi
cin "install kernel headers ($headers) in the root" "$INSTALL $headers"
krel=
for d in "$root"/lib/modules/*/build; do
	[ -e "$d" ] && krel=$(basename "$(dirname "$d")")
done
[ -n "$krel" ] || { tap 1 "a kernel's headers under /lib/modules/*/build"; finish; }
echo "# kernel headers: $krel"

# What a user does: apt install ./*.deb.  Without Recommends (dkms's pull in
# build-essential, g++, sudo...): only the packages' hard dependencies count.
cin "apt install ./emucompat-dkms ./libemucompat0 ./libemucompat-dev" \
	"cd /tmp && apt -y -q -o APT::Sandbox::User=root install --no-install-recommends ./${deb_dkms##*/} ./${deb_lib##*/} ./${deb_dev##*/}"
cin "dpkg: the three packages are installed" \
	"for p in emucompat-dkms libemucompat0 libemucompat-dev; do dpkg-query -W -f='\${Status}\n' \$p | grep -qx 'install ok installed' || exit 1; done"
cin "dkms status: emucompat/$ver installed for $krel" "dkms status emucompat/$ver -k $krel | grep -q ': installed'"
ko=$(find "$root/lib/modules/$krel" -name 'emucompat.ko*' 2>/dev/null | head -n 1)
kodir=${ko%/*}
tap "$([ -n "$ko" ] && echo 0 || echo 1)" "postinst built the module: ${ko#"$root"}"
tap "$([ "$kodir" = "$root/lib/modules/$krel/updates/dkms" ] && echo 0 || echo 1)" \
	"module in /lib/modules/$krel/updates/dkms (dkms.conf DEST_MODULE_LOCATION)"
cin "modinfo: version $ver, vermagic $krel" \
	"modinfo -F version ${ko#"$root"} | grep -qx '$ver' && modinfo -F vermagic ${ko#"$root"} | grep -q '^$krel '"
cin "depmod: modules.dep lists it" "grep -q 'updates/dkms/emucompat.ko' /lib/modules/$krel/modules.dep"
cin "/usr/src/emucompat-$ver registered (dkms tree)" "test -f /usr/src/emucompat-$ver/dkms.conf && test -d /var/lib/dkms/emucompat/$ver"
# The group of the 0660 variant: created by postinst, a system group.
cin "postinst created the system group emucompat (gid below 1000)" \
	"g=\$(getent group emucompat | cut -d: -f3) && test -n \"\$g\" && test \"\$g\" -lt 1000"
cin "postinst configure again (reconfigure): succeeds, the same group" \
	"g=\$(getent group emucompat | cut -d: -f3) && dpkg-reconfigure -f noninteractive emucompat-dkms && test \"\$(getent group emucompat | cut -d: -f3)\" = \"\$g\" && test \$(getent group | grep -c '^emucompat:') = 1"

# --- the library through pkg-config ---
cat >"$root/tmp/use.c" <<'C'
#include <emucompat.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* No /dev/emucompat in a chroot: open fails with ENOENT; with the module
 * loaded it succeeds.  Either way the library's code ran. */
int main(void)
{
	struct emucompat *ec = emucompat_open();

	if (!ec) {
		printf("emucompat_open: %s\n", strerror(errno));
		return errno == ENOENT ? 0 : 1;
	}
	printf("emucompat_open: ok\n");
	emucompat_close(ec);
	return 0;
}

/* Not called: it links abi.o, the object with the versioned symbol. */
int set_abi(struct emucompat *ec)
{
	return emucompat_set_guest_abi(ec, EMUCOMPAT_ABI_I386);
}
C
# The compiler driver and pkg-config are the user's tools, not dependencies
# of ours; libc6-dev must come from libemucompat-dev's Depends.
cin "pkg-config: emucompat $ver" "$INSTALL gcc pkg-config && test \"\$(pkg-config --modversion emucompat)\" = '$ver'"
cin "cc use.c \$(pkg-config --cflags --libs emucompat), runs, uses libemucompat.so.0" \
	"cd /tmp && cc -Wall -Werror -o use use.c \$(pkg-config --cflags --libs emucompat) && ./use && ldd ./use | grep -q 'libemucompat.so.0 => .*/$multiarch/libemucompat.so.0'"
cin "cc -static use.c \$(pkg-config --static --cflags --libs emucompat) runs" \
	"cd /tmp && cc -static -Wall -Werror -o use-static use.c \$(pkg-config --static --cflags --libs emucompat) && ./use-static"
# Symbol versions belong to the shared library: from the archive they would
# give a program linked with -rdynamic (box64 is) a version definition
# section, which that program did not ask for.
cin "libemucompat.a linked into a -rdynamic program: no .gnu.version_d, set_guest_abi unversioned" \
	"cd /tmp && cc -rdynamic -Wall -Werror -o use-rdyn use.c /usr/lib/$multiarch/libemucompat.a -pthread && ./use-rdyn && ! readelf -SW use-rdyn | grep -q gnu.version_d && readelf -sW --dyn-syms use-rdyn | grep -qE ' emucompat_set_guest_abi\$'"

# --- the udev rule, through udev's own rule engine ---
# A stand-in sysfs with the device the module registers: misc_register()
# creates the class device /sys/devices/virtual/misc/emucompat (subsystem
# misc), whose uevent names it (t_modprobe.sh checks those files in a guest).
# It is a tmpfs, not sysfs: SYSTEMD_DEVICE_VERIFY_SYSFS=0 (systemd's knob
# for testing) lets sd-device accept it.
cin "install udev in the root" "$INSTALL udev"
sysfs=$root/sys
mnt -t tmpfs tmpfs "$sysfs"
dev=$sysfs/devices/virtual/misc/emucompat
mkdir -p "$dev" "$sysfs/class/misc" "$sysfs/dev/char"
ln -s ../../../../class/misc "$dev/subsystem"
ln -s ../../devices/virtual/misc/emucompat "$sysfs/class/misc/emucompat"
ln -s ../../devices/virtual/misc/emucompat "$sysfs/dev/char/10:120"
printf 'MAJOR=10\nMINOR=120\nDEVNAME=emucompat\nDEVMODE=0666\n' >"$dev/uevent"
echo 10:120 >"$dev/dev"
cin "udevadm test: 60-emucompat.rules matches the misc device emucompat and sets MODE 0666" \
	"SYSTEMD_DEVICE_VERIFY_SYSFS=0 udevadm test --action=add /devices/virtual/misc/emucompat >/tmp/udev.out 2>&1; cat /tmp/udev.out; grep -Eq '60-emucompat\.rules:[0-9]+ MODE \"?0?666' /tmp/udev.out"
grep -E '60-emucompat|emucompat.*(mode|MODE)' "$log" | grep -v '^###' | sort -u | sed 's/^/# udevadm: /' || true
cin "udevadm test: the rule file parses without errors" \
	"! grep -iE '60-emucompat\.rules.*(invalid|error|unknown|failed)' /tmp/udev.out"
# The group variant enabled as docs/install.md says: copied into /etc.
cin "udevadm test: with 70-emucompat-group.rules in /etc/udev/rules.d, GROUP emucompat and MODE 0660 win" \
	"cp /usr/share/doc/emucompat-dkms/examples/70-emucompat-group.rules /etc/udev/rules.d/ && SYSTEMD_DEVICE_VERIFY_SYSFS=0 udevadm test --action=add /devices/virtual/misc/emucompat >/tmp/udev-g.out 2>&1; cat /tmp/udev-g.out; grep -Eq '70-emucompat-group\.rules:[0-9]+ GROUP' /tmp/udev-g.out && grep -Eq '70-emucompat-group\.rules:[0-9]+ MODE \"?0?660' /tmp/udev-g.out && ! grep -iE 'emucompat.*(invalid|error|unknown|failed)' /tmp/udev-g.out"
grep -E '70-emucompat' "$log" | grep -v '^###' | sort -u | sed 's/^/# udevadm: /' || true
inroot "rm -f /etc/udev/rules.d/70-emucompat-group.rules"

# --- the man pages, as man-db finds them ---
cin "install man-db in the root" "$INSTALL man-db"
cin "man -w emucompat_ioctl32: libemucompat-dev's page" \
	"man -w emucompat_ioctl32 | grep -qx /usr/share/man/man3/emucompat_ioctl32.3.gz"
cin "man -w emucompat_close: a link to emucompat_open(3)" \
	"man -w emucompat_close | grep -Eqx '/usr/share/man/man3/emucompat_(close|open)\.3\.gz' && test \"\$(readlink /usr/share/man/man3/emucompat_close.3.gz)\" = emucompat_open.3.gz"
cin "man -w 7 emucompat: emucompat-dkms's page" \
	"man -w 7 emucompat | grep -qx /usr/share/man/man7/emucompat.7.gz"

# --- removal ---
cin "apt remove --purge the three packages" \
	"apt-get -y -q remove --purge emucompat-dkms libemucompat0 libemucompat-dev"
cin "purged: no emucompat.ko under /lib/modules/$krel" "! find /lib/modules/$krel -name 'emucompat.ko*' | grep -q ."
cin "purged: depmod dropped it from modules.dep" "! grep -q emucompat /lib/modules/$krel/modules.dep"
cin "purged: no /usr/src/emucompat-$ver, no /var/lib/dkms/emucompat" "test ! -e /usr/src/emucompat-$ver && test ! -e /var/lib/dkms/emucompat"
cin "purged: no udev rule, library, header, .pc" \
	"test ! -e /usr/lib/udev/rules.d/60-emucompat.rules && test ! -e /lib/udev/rules.d/60-emucompat.rules && ! ls /usr/lib/$multiarch/libemucompat* 2>/dev/null && test ! -e /usr/include/emucompat.h && test ! -e /usr/include/linux/emucompat.h && test ! -e /usr/lib/$multiarch/pkgconfig/emucompat.pc"
cin "purged: no emucompat man pages" \
	"! ls /usr/share/man/man3/emucompat_* /usr/share/man/man7/emucompat.7* 2>/dev/null | grep -q ."
cin "purged: postrm removed the (empty, unused) group emucompat" "! getent group emucompat"
cin "purged: dpkg knows none of them" \
	"! dpkg-query -W -f='\${Package} \${Status}\n' emucompat-dkms libemucompat0 libemucompat-dev 2>/dev/null | grep -v 'not-installed'"

finish
