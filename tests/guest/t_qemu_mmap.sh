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
#   q32_mmap.i386, q32_mmap.armhf: in $Q32_DIR, else /tests, else /tests/bench
#   QEMU: $QEMU_PATCHED_DIR/qemu-{i386,arm} and $QEMU_STOCK_DIR/..., else
#         /sysroot/<abi>/qemu/<kind>/qemu-<arch> (mkinitramfs.sh --qemu
#         KIND=DIR); why one is absent: /sysroot/qemu-<kind>.note
# A missing binary is a "# SKIP" with the reason, never a pass.
# Exit status: 0 iff no test failed.

T=
for d in ${Q32_DIR:-} /tests /tests/bench; do
	if [ -x "$d/q32_mmap.i386" ] || [ -x "$d/q32_mmap.armhf" ]; then
		T=$d
		break
	fi
done
TMP=${TMPDIR:-/tmp}/t_qemu_mmap.$$
WAIT=${Q32_WAIT:-900}		# seconds a run may take to reach its table
mkdir -p "$TMP"

case $(uname -m) in
x86_64) native=i386 ;;
aarch64) native=armhf ;;
*) native= ;;
esac

# qemu_bin KIND ABI — the path of KIND's (patched, stock) QEMU for ABI, or "".
qemu_bin() {
	case $2 in i386) b=qemu-i386 ;; *) b=qemu-arm ;; esac
	case $1 in patched) d=${QEMU_PATCHED_DIR:-} ;; *) d=${QEMU_STOCK_DIR:-} ;; esac
	for p in ${d:+"$d/$b"} "/sysroot/$2/qemu/$1/$b"; do
		if [ -x "$p" ]; then
			echo "$p"
			return
		fi
	done
}
# why_not KIND — why KIND's QEMU is absent (the harness's note, if any).
why_not() {
	note=$(cat "/sysroot/qemu-$1.note" 2>/dev/null)
	echo "no $1 QEMU in this initramfs${note:+: $note}"
}

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
if [ -z "$T" ] || [ -z "$native" ] || [ ! -x "$checker" ]; then
	reason="no native 32-bit q32_mmap.${native:-?} in ${Q32_DIR:-/tests or /tests/bench}"
	for t in native-run native-maps i386-patched i386-patched-maps i386-stock i386-stock-maps \
		armhf-patched armhf-patched-maps armhf-stock armhf-stock-maps; do
		skip "$t" "$reason"
	done
	rm -rf "$TMP"
	exit 0
fi
echo "# native: $native; q32_mmap from $T; patched QEMU: $(qemu_bin patched i386) $(qemu_bin patched armhf); stock QEMU: $(qemu_bin stock i386) $(qemu_bin stock armhf)"
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
	qp=$(qemu_bin patched $g)
	qs=$(qemu_bin stock $g)
	if [ -n "$qp" ]; then
		run "$g under patched $q" 1 "$qp" "$prog"
	else
		skip "$g under patched $q: q32_mmap" "$(why_not patched)"
		skip "$g under patched $q: host view" "$(why_not patched)"
	fi
	if [ -n "$qs" ]; then
		run "$g under stock $q (-S)" 0 "$qs" "$prog" -S
		# The full run, for the record only.
		"$qs" "$prog" >"$TMP/full" 2>&1
		frc=$?
		first=$(grep -m 1 -E '^(not ok|# FAIL)|qemu:' "$TMP/full")
		echo "# stock $q full run (with the mremap shrinks): exit status $frc${first:+; first: $first}"
	else
		skip "$g under stock $q: q32_mmap -S" "$(why_not stock)"
		skip "$g under stock $q: host view" "$(why_not stock)"
	fi
done

rm -rf "$TMP"
[ "$fail" -eq 0 ]
