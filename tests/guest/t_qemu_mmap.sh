#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# t_qemu_mmap.sh — ranged placement under QEMU linux-user (busybox sh, in
# the QEMU guest).  Runs the mmap-heavy 32-bit program q32_mmap
# (tests/guest/q32_mmap.c: thousands of mmaps, munmaps, mremaps, shmats and
# file mappings, every address and every byte checked, TAP):
#
#   native   the real 32-bit process of this kernel's own compat ABI (i386
#            on x86_64, armhf on arm64): the oracle, must pass;
#   patched  under the patched qemu-i386 and qemu-arm (integrations/qemu/,
#            linked with libemucompat: guest_base 0, no reserved_va, guest
#            mmap/mremap/shmat placed with the module's ranged calls): must
#            pass, and the host's view of the QEMU process must agree with
#            the guest's: every live guest mapping is host memory at the
#            same address with the guest's protections, guest_base is 0 and
#            there is no 4 GiB PROT_NONE reservation;
#   stock    under Debian bookworm's qemu-user-static (7.2, reserved_va,
#            nonzero guest_base): must pass with -S (the mremap shrinks
#            skipped: 7.2 re-reserves the shrunk-away bytes at old_addr +
#            old_size, i.e. over the next mapping, and the program dies with
#            SIGSEGV when it reads it), and its mappings must be host memory
#            at guest_base + address.  The full run (with the shrinks) is
#            run too, its outcome only reported ("# stock ... full run").
#
# Each run with -T TABLE: q32_mmap writes its live mappings and waits; this
# script then runs `q32_mmap.<native> --check-host PID TABLE [--base0]`
# against /proc/PID/maps of the running process (under QEMU linux-user the
# guest is the QEMU process) and lets it finish.
#
# Where things are (the initramfs of tests/qemu/mkinitramfs.sh):
#   /tests/q32_mmap.i386, /tests/q32_mmap.armhf ($Q32_DIR overrides /tests)
#   patched QEMU: $QEMU_PATCHED_DIR, else the first of the directories in
#                 PATCHED_DIRS below holding qemu-i386 or qemu-arm
#   stock QEMU:   $QEMU_STOCK_DIR, else likewise from STOCK_DIRS
# A missing binary is a "# SKIP" with the reason, never a pass.
# Exit status: 0 iff no test failed.

PATCHED_DIRS="/qemu/patched /opt/qemu/patched /usr/local/qemu/patched /tests/qemu/patched"
STOCK_DIRS="/qemu/stock /opt/qemu/stock /usr/local/qemu/stock /tests/qemu/stock"
T=${Q32_DIR:-/tests}
TMP=${TMPDIR:-/tmp}/t_qemu_mmap.$$
WAIT=${Q32_WAIT:-900}		# seconds a run may take to reach its table
mkdir -p "$TMP"

case $(uname -m) in
x86_64) native=i386 ;;
aarch64) native=armhf ;;
*) native= ;;
esac

find_dir() { # VAR-VALUE CANDIDATES...
	if [ -n "$1" ]; then
		echo "$1"
		return
	fi
	shift
	for d in "$@"; do
		if [ -x "$d/qemu-i386" ] || [ -x "$d/qemu-arm" ]; then
			echo "$d"
			return
		fi
	done
}
# shellcheck disable=SC2086  # word lists on purpose
patched=$(find_dir "${QEMU_PATCHED_DIR:-}" $PATCHED_DIRS)
# shellcheck disable=SC2086
stock=$(find_dir "${QEMU_STOCK_DIR:-}" $STOCK_DIRS)

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; fail=$((fail + 1)); }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# run NAME BASE0 CMD... — run CMD (q32_mmap with its arguments, maybe behind
# a QEMU) with -T; check the host view with --base0 if BASE0=1.  Two
# results: the run itself, the host view.  Sets run_rc.
run() {
	name=$1 base0=$2
	shift 2
	tbl=$TMP/table.$n
	rm -f "$tbl" "$tbl.done"
	echo "# $name: $* -T $tbl"
	start=$(date +%s)
	"$@" -T "$tbl" >"$TMP/out" 2>&1 &
	pid=$!
	waited=0
	while [ ! -f "$tbl" ] && kill -0 "$pid" 2>/dev/null && [ "$waited" -lt "$WAIT" ]; do
		sleep 1
		waited=$((waited + 1))
	done
	if [ -f "$tbl" ]; then
		if [ "$base0" = 1 ]; then
			"$checker" --check-host "$pid" "$tbl" --base0 >"$TMP/check" 2>&1
		else
			"$checker" --check-host "$pid" "$tbl" >"$TMP/check" 2>&1
		fi
		check_rc=$?
	else
		echo "no table after ${waited}s" >"$TMP/check"
		check_rc=1
		kill "$pid" 2>/dev/null
	fi
	touch "$tbl.done"
	wait "$pid"
	run_rc=$?
	secs=$(($(date +%s) - start))
	sed 's/^/#   /' "$TMP/out"
	summary=$(sed -n 's/^# q32_mmap: summary: //p' "$TMP/out")
	bad=$(grep -c '^not ok' "$TMP/out")
	if [ "$run_rc" -eq 0 ] && [ "$bad" -eq 0 ] && [ -n "$summary" ]; then
		ok "$name: q32_mmap passes (${secs}s; $summary)"
	else
		notok "$name: q32_mmap failed: exit status $run_rc, $bad 'not ok' (${secs}s)"
	fi
	sed 's/^/#   check-host: /' "$TMP/check"
	gb=$(sed -n 's/^# guest_base \([^ ]*\).*/\1/p' "$TMP/check")
	if [ "$base0" = 1 ]; then
		what="guest_base 0, no 1 GiB+ PROT_NONE reservation"
	else
		what="at guest_base ${gb:-?}"
	fi
	if [ "$check_rc" -eq 0 ]; then
		ok "$name: the host's /proc/PID/maps agrees with the guest's table ($what)"
	else
		notok "$name: the host's /proc/PID/maps disagrees with the guest's table (guest_base ${gb:-?})"
	fi
	rm -f "$tbl" "$tbl.done"
}

echo "1..10"
checker=$T/q32_mmap.$native
if [ -z "$native" ] || [ ! -x "$checker" ]; then
	reason="no native 32-bit q32_mmap ($T/q32_mmap.${native:-?}) in this initramfs"
	for t in native-run native-maps i386-patched i386-patched-maps i386-stock i386-stock-maps \
		armhf-patched armhf-patched-maps armhf-stock armhf-stock-maps; do
		skip "$t" "$reason"
	done
	rm -rf "$TMP"
	exit 0
fi
echo "# native: $native; patched QEMU: ${patched:-none}; stock QEMU: ${stock:-none}"
[ -e /dev/emucompat ] || echo "# /dev/emucompat is absent: the patched QEMU falls back to stock behaviour"

run "native $native" 1 "$checker"

for g in i386 armhf; do
	case $g in
	i386) q=qemu-i386 ;;
	armhf) q=qemu-arm ;;
	esac
	prog=$T/q32_mmap.$g
	if [ ! -x "$prog" ]; then
		skip "$g patched: q32_mmap" "no $prog"
		skip "$g patched: host view" "no $prog"
		skip "$g stock: q32_mmap -S" "no $prog"
		skip "$g stock: host view" "no $prog"
		continue
	fi
	if [ -n "$patched" ] && [ -x "$patched/$q" ]; then
		run "$g under patched $q" 1 "$patched/$q" "$prog"
	else
		skip "$g under patched $q: q32_mmap" "no patched $q (dir: ${patched:-none})"
		skip "$g under patched $q: host view" "no patched $q"
	fi
	if [ -n "$stock" ] && [ -x "$stock/$q" ]; then
		run "$g under stock $q (-S)" 0 "$stock/$q" "$prog" -S
		# The full run, for the record only.
		"$stock/$q" "$prog" >"$TMP/full" 2>&1
		frc=$?
		first=$(grep -m 1 -E '^(not ok|# FAIL)|qemu:' "$TMP/full")
		echo "# stock $q full run (with the mremap shrinks): exit status $frc${first:+; first: $first}"
	else
		skip "$g under stock $q: q32_mmap -S" "no stock $q (dir: ${stock:-none})"
		skip "$g under stock $q: host view" "no stock $q"
	fi
done

rm -rf "$TMP"
[ "$fail" -eq 0 ]
