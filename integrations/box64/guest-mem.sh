#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest-mem.sh — where box64's box32 places a 32-bit guest's memory: the
# memory half of the series (patches 0010-0012) against stock box64 and
# against the same program run natively as a 32-bit process, inside a
# guest of the test harness (busybox sh, TAP).  Packed as
# /tests/t_box64_mem.sh by guest-check.sh --stage, beside t_box64.sh, in the
# same /box64root (see guest.sh).
#
# And check/box64-map32bit.c, an x86-64 guest's MAP_32BIT (0013).
# The program: check/box32-mem.c (mmap of 1.5 GiB in 64 MiB pieces, a free
# hint above 2 GiB, an mremap that must move, eight shmat(NULL) of one
# segment, an mmap/munmap loop).  Its record is stdout and the exit status.
#   native            /box32/box32-mem.static (amd64) or the armhf build in
#                     /box64ref (arm64), twice: the runs must agree;
#   patched           box64 with the module loaded: must give the native
#                     record, and box64's log must say that the kernel keeps
#                     the high memory free (emucompat_set_va_limits) in place
#                     of the reservation;
#   stock             unpatched box64: shown ("# BOX64-MEM-ROW"); it must
#                     differ from native somewhere (the negative control:
#                     its second shmat(NULL) fails everywhere, and on x86_64
#                     it has only x86-64's MAP_32BIT window, [1 GiB, 2 GiB),
#                     for guest mappings);
#   noemucompat       patched with BOX64_EMUCOMPAT=0: must give stock's
#                     record and reserve high memory as stock does;
#   patched-unloaded  after rmmod emucompat: as noemucompat.
R=/box64root
n=0 nfail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); nfail=$((nfail + 1)); echo "not ok $n - $1"; }
finish() { echo "1..$n"; [ "$nfail" -eq 0 ]; exit; }
W=/tmp/box64-mem
mkdir -p "$W"

arch=$(uname -m)
case $arch in
x86_64) REF=$R ;;
aarch64) REF=/box64ref ;;
*) notok "box64 on $arch: no 32-bit reference ABI"; finish ;;
esac
if [ ! -x "$R/bin/box64" ] || [ ! -x "$R/bin/box64-stock" ] || [ ! -e "$R/box32/box32-mem" ] ||
   [ ! -e "$REF/box32/box32-mem.static" ]; then
	notok "no box64, box64-stock or box32-mem in $R (guest-check.sh --stage)"
	finish
fi
mounted=
for d in $R $REF; do
	grep -q " $d/proc " /proc/mounts && continue
	{ mount --bind /dev "$d/dev" && mount -t proc proc "$d/proc" && mount -t tmpfs tmpfs "$d/tmp"; } ||
		{ notok "cannot prepare the chroot $d"; finish; }
	mounted="$mounted $d"
done
[ -e /dev/emucompat ] || insmod /emucompat.ko 2>/dev/null
CHROOT=$(command -v chroot)
t0=$(date +%s)

# rec NAME ROOT [ENV...] -- CMD...: the record of CMD in chroot ROOT (env -i)
# to $W/NAME.out, box64's log (BOX64_LOG=1) to $W/NAME.log.
rec() {
	name=$1 root=$2
	shift 2
	envs=
	while [ "$1" != "--" ]; do envs="$envs $1"; shift; done
	shift
	# shellcheck disable=SC2086  # $envs: words on purpose
	timeout 600 env -i PATH=/usr/bin:/bin LC_ALL=C BOX64_LOG=1 \
		BOX64_LD_LIBRARY_PATH=/usr/lib/i386-linux-gnu $envs \
		"$CHROOT" "$root" "$@" >"$W/$name.out" 2>"$W/$name.log" </dev/null
	echo "exit $?" >>"$W/$name.out"
	sed 's/^/#   /' "$W/$name.out"
}
same() { cmp -s "$W/$1.out" "$W/$2.out"; }
differ() { diff "$W/$1.out" "$W/$2.out" | grep '^[-+]' | grep -v '^[-+][-+]' | head -6 | sed 's/^/#   /'; }
row() { echo "# BOX64-MEM-ROW arch=$arch box64=$1 result=$2"; }
reserved() { grep -q "Memory higher than 32bits reserved" "$W/$1.log"; }
vafree() { grep -q "Memory higher than 32bits kept free by the kernel" "$W/$1.log"; }

echo "# native"
rec native "$REF" -- /box32/box32-mem.static
rec native2 "$REF" -- /box32/box32-mem.static
if same native native2; then
	ok "native: two runs agree"
else
	notok "native: two runs differ (the case says nothing)"; differ native native2
fi

echo "# stock box64"
rec stock "$R" -- /bin/box64-stock /box32/box32-mem
if same stock native; then row stock same; else row stock differs; fi
if same stock native; then
	notok "negative control: stock box32 gives the native record (the check could not tell patched from stock)"
else
	ok "negative control: stock box32 differs from native"; differ native stock
fi

echo "# patched box64, module loaded"
rec patched "$R" -- /bin/box64 /box32/box32-mem
if same patched native; then
	ok "patched: the native record"; row patched same
else
	notok "patched: differs from native"; differ native patched; row patched differs
fi
if vafree patched && ! reserved patched; then
	ok "patched: no high-memory reservation (the kernel keeps it free: VA limits)"
else
	notok "patched: the high-memory reservation ran"; grep -i "memory higher\|emucompat" "$W/patched.log" | sed 's/^/#   /'
fi

echo "# patched box64, BOX64_EMUCOMPAT=0"
rec off "$R" BOX64_EMUCOMPAT=0 -- /bin/box64 /box32/box32-mem
if same off stock && reserved off; then
	ok "BOX64_EMUCOMPAT=0: stock's record and reservation"
else
	notok "BOX64_EMUCOMPAT=0: not as stock"; differ stock off
fi

# An x86-64 guest's MAP_32BIT (patch 0013; on x86_64 hosts box64 hands it
# to the kernel, elsewhere it emulates it): every mapping in the first 2 GiB.
if [ -e "$R/box32/box64-map32bit" ]; then
	echo "# x86-64 guest, MAP_32BIT"
	[ "$arch" = x86_64 ] && rec map32.native "$R" -- /box32/box64-map32bit
	rec map32.stock "$R" -- /bin/box64-stock /box32/box64-map32bit
	rec map32.patched "$R" -- /bin/box64 /box32/box64-map32bit
	if grep -q "^map32bit: some mapped, 0 ending above 2 GiB" "$W/map32.stock.out"; then
		row map32-stock below-2GiB
	else
		row map32-stock above-2GiB
	fi
	if grep -q "^map32bit: some mapped, 0 ending above 2 GiB" "$W/map32.patched.out"; then
		ok "x86-64 guest: MAP_32BIT mappings below 2 GiB (patched)"
	else
		notok "x86-64 guest: MAP_32BIT mappings not all below 2 GiB (patched)"
	fi
fi

if rmmod emucompat && [ ! -e /dev/emucompat ]; then
	echo "# patched box64, module unloaded"
	rec unloaded "$R" -- /bin/box64 /box32/box32-mem
	if same unloaded stock && reserved unloaded; then
		ok "module unloaded: stock's record and reservation"
	else
		notok "module unloaded: not as stock"; differ stock unloaded
	fi
	insmod /emucompat.ko 2>/dev/null
else
	notok "rmmod emucompat (for the module-unloaded run)"
fi
echo "# BOX64-MEM-TIME arch=$arch seconds=$(($(date +%s) - t0))"
for d in $mounted; do umount "$d/tmp" "$d/proc" "$d/dev" 2>/dev/null; done
finish
