#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# t_modprobe.sh — the module as DKMS installs it, loaded the way a user
# loads it (busybox sh, in the QEMU guest; run first by run-tests.sh).
#
# mkinitramfs.sh puts the same emucompat.ko that /init insmods at
# /lib/modules/$(uname -r)/updates/dkms/emucompat.ko (DEST_MODULE_LOCATION
# of dkms.conf) and dkms.conf at /etc/emucompat/dkms.conf.  This test:
#   rmmod emucompat (insmod'ed by /init), depmod -a, modprobe emucompat;
#   /dev/emucompat is a character device with mode crw-rw-rw- (the
#   miscdevice's .mode, applied by devtmpfs: no udev here);
#   /sys/class/misc/emucompat is what tests/deb-check.sh's stand-in sysfs
#   for `udevadm test` assumes (subsystem misc, DEVNAME, DEVMODE);
#   modinfo's version and /sys/module/emucompat/version are dkms.conf's
#   PACKAGE_VERSION; modprobe -r + modprobe again.
# Leaves emucompat loaded, as the rest of the suite expects.  Prints TAP.

krel=$(uname -r)
moddir=/lib/modules/$krel
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; fail=$((fail + 1)); }
# t DESCRIPTION COMMAND... — ok iff COMMAND succeeds.
t() {
	d=$1
	shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}

echo "1..13"
if [ ! -f "$moddir/updates/dkms/emucompat.ko" ]; then
	echo "# no $moddir/updates/dkms/emucompat.ko in this initramfs"
	notok "emucompat.ko installed under $moddir/updates/dkms"
	exit 1
fi
want=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' /etc/emucompat/dkms.conf 2>/dev/null)
echo "# kernel $krel, dkms.conf PACKAGE_VERSION=${want:-?}"

if [ -d /sys/module/emucompat ]; then
	t "rmmod emucompat (loaded by /init with insmod)" rmmod emucompat
else
	notok "rmmod emucompat (loaded by /init with insmod): not loaded, /init's insmod failed"
fi
t "/dev/emucompat gone after rmmod" test ! -e /dev/emucompat

rm -f "$moddir"/modules.dep "$moddir"/modules.dep.bb "$moddir"/modules.alias "$moddir"/modules.symbols
t "depmod -a" depmod -a
t "modules.dep lists updates/dkms/emucompat.ko" \
	grep -q 'updates/dkms/emucompat\.ko' "$moddir/modules.dep"
t "modprobe emucompat" modprobe emucompat
t "/sys/module/emucompat exists" test -d /sys/module/emucompat

mode=$(ls -l /dev/emucompat 2>/dev/null | cut -c1-10)
echo "# $(ls -l /dev/emucompat 2>&1)"
t "/dev/emucompat is crw-rw-rw- (0666)" test "$mode" = crw-rw-rw-

uevent=$(cat /sys/class/misc/emucompat/uevent 2>/dev/null)
subsys=$(readlink /sys/class/misc/emucompat/subsystem 2>/dev/null)
echo "# /sys/class/misc/emucompat/uevent: $(echo "$uevent" | tr '\n' ' ')subsystem -> $subsys"
t "sysfs: misc class device with DEVNAME=emucompat, DEVMODE=0666, MAJOR=10" \
	sh -c 'case $1 in */misc) ;; *) exit 1 ;; esac
		printf "%s\n" "$2" | grep -qx DEVNAME=emucompat &&
		printf "%s\n" "$2" | grep -qx DEVMODE=0666 &&
		printf "%s\n" "$2" | grep -qx MAJOR=10' - "$subsys" "$uevent"

file=$(modinfo -n emucompat 2>/dev/null || modinfo emucompat 2>/dev/null | sed -n 's/^filename: *//p')
echo "# modinfo filename: ${file:-?}"
t "modinfo finds it in updates/dkms" sh -c 'case $1 in */updates/dkms/emucompat.ko) ;; *) exit 1 ;; esac' - "$file"
got=$(modinfo -F version emucompat 2>/dev/null)
echo "# modinfo -F version emucompat: ${got:-?}"
if [ -z "$got" ] && [ -f "$file" ]; then
	# busybox modinfo -F misses the field in some .ko layouts (6.1 and
	# 6.12 arm64: .modinfo starts right after another section's last
	# byte); read the .modinfo string of the file modprobe uses.
	got=$(strings "$file" | sed -n 's/^version=//p' | head -n 1)
	echo "# version= string in $file: ${got:-?}"
fi
t "installed module's version = dkms.conf PACKAGE_VERSION ($want)" test -n "$want" -a "$got" = "$want"
t "/sys/module/emucompat/version = $want" test "$(cat /sys/module/emucompat/version 2>/dev/null)" = "$want"

t "modprobe -r emucompat" modprobe -r emucompat
# Load it again for the rest of the suite, whatever happened above.
if [ ! -d /sys/module/emucompat ]; then
	modprobe emucompat || insmod /emucompat.ko
fi
t "modprobe emucompat again: /dev/emucompat back" test -c /dev/emucompat

[ "$fail" -eq 0 ]
