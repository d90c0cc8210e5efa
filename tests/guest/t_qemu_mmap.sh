#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# t_qemu_mmap.sh — guest mappings under QEMU linux-user (busybox sh, in the
# QEMU guest).  Two 32-bit programs (tests/guest/q32_*.c, static i386 and
# armhf), each run natively as the real 32-bit process of this kernel's
# own compat ABI (i386 on x86_64, armhf on arm64: the oracle) and under the
# patched and the stock qemu-i386 and qemu-arm, same-ABI and cross-ABI:
#
#   q32_mmap  thousands of mmaps, munmaps, mremaps, shmats and file
#             mappings, every address and every byte checked (TAP): must
#             pass everywhere; then the host's view of the process must
#             agree with the guest's (below);
#   q32_top   the edges of the 32-bit space, one line per call with its
#             errno: [0xfffff000, +8 KiB) past 4 GiB (mmap MAP_FIXED,
#             munmap, mprotect, madvise, msync, mremap: issue 20 item 1,
#             and the 10.0 series' "the kernel's errnos past the end of the
#             guest address space"), and MAP_FIXED_NOREPLACE of single pages
#             below 64 KiB (the host's real mmap floor applies to a guest
#             pointer only with guest_base 0: the series' "probe the host's
#             real mmap_min_addr", which makes guest_base 0 possible on
#             Debian's arm64 kernels).  Run as root and again as uid 65534,
#             QEMU included (root's CAP_SYS_RAWIO passes the floor; QEMU
#             picks guest_base under its own credentials).  Patched: every
#             "top"/"low" line as native.  Stock: the negative control, must
#             differ from native in at least one of them (stock 10.0:
#             madvise and mremap EINVAL; where the floor is above the
#             sysctl, also the low pages as nobody, with its non-zero
#             guest_base), each difference printed.
#
# The QEMU base is read from /sysroot/qemu-patched.version:
#   10.0 (and later; the default of the lanes): the series keeps QEMU's
#        stock layout, so the patched QEMU's host view must show
#        guest_base 0 and QEMU's reservation of the guest space
#        (q32_mmap --check-host --base0-reserved); stock QEMU's mappings
#        must be host memory at guest_base + address, whatever guest_base.
#   7.2  (QEMU_BASE=7.2, by hand): the 7.2 series' guest_base 0 without
#        reserved_va (--base0: no 1 GiB+ PROT_NONE reservation); stock 7.2
#        runs q32_mmap with -S (its mremap shrink re-reserves
#        old_addr + old_size, over the next mapping: SIGSEGV), the full
#        run only reported ("# stock ... full run").
#
# Each q32_mmap run with -T TABLE: q32_mmap writes its live mappings and
# waits; this script then runs `q32_mmap.<native> --check-host PID TABLE
# [--base0 | --base0-reserved]` against /proc/PID/maps of the running
# process (under QEMU linux-user the guest is the QEMU process) and lets
# it finish.
#
# Where things are (the initramfs of tests/qemu/mkinitramfs.sh):
#   q32_mmap.*, q32_top.*: in $Q32_DIR, else /tests, else /tests/bench
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

# run NAME CHECK CMD... — run CMD (q32_mmap with its arguments, maybe
# behind a QEMU) with -T; check the host view with q32_mmap --check-host
# and CHECK (-: any guest_base; --base0; --base0-reserved).  Two results:
# the run itself, the host view.  Sets run_rc.
run() {
	name=$1 check=$2
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
		if [ "$check" = - ]; then
			"$checker" --check-host "$pid" "$tbl" >"$TMP/check" 2>&1
		else
			"$checker" --check-host "$pid" "$tbl" "$check" >"$TMP/check" 2>&1
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
	case $check in
	--base0) what="guest_base 0, no 1 GiB+ PROT_NONE reservation" ;;
	--base0-reserved) what="guest_base 0, the guest space reserved (QEMU's stock layout)" ;;
	*) what="at guest_base ${gb:-?}" ;;
	esac
	if [ "$check_rc" -eq 0 ]; then
		ok "$name: the host's /proc/PID/maps agrees with the guest's table ($what)"
	else
		notok "$name: the host's /proc/PID/maps disagrees with the guest's table (want $what; guest_base ${gb:-?})"
	fi
	rm -f "$tbl" "$tbl.done"
}

# run_top NAME CMD... — run q32_top (CMD) into $TMP/top.NAME, as root and
# then, whole (QEMU included), as uid 65534 through the native q32_top
# --as-nobody (its lines prefixed "nobody "); the "top" and "low" lines,
# the ones compared, into $TMP/top.NAME.cmp.  Sets top_rc (0 iff both ran).
run_top() {
	tname=$1
	shift
	echo "# q32_top $tname: $* (as root, then as nobody)"
	"$@" >"$TMP/top.$tname" 2>&1
	top_rc=$?
	"$T/q32_top.$native" --as-nobody "$@" >"$TMP/top.$tname.nobody" 2>&1 || top_rc=$((top_rc + 1))
	sed 's/^/nobody /' "$TMP/top.$tname.nobody" >>"$TMP/top.$tname"
	sed 's/^/#   /' "$TMP/top.$tname"
	grep -E '^(nobody )?(top|low) ' "$TMP/top.$tname" >"$TMP/top.$tname.cmp"
}

# topdiff NAME — the compared lines of NAME that differ from native's, as
# "LINE (native: NATIVE-LINE)" on stdout; exit status 0 iff none.
topdiff() {
	d=0
	while IFS= read -r l; do
		k=${l%%: *}
		w=$(awk -v k="$k: " 'index($0, k) == 1' "$TMP/top.native.cmp")
		if [ "$l" != "$w" ]; then
			echo "$l (native: ${w:-no such line})"
			d=1
		fi
	done <"$TMP/top.$1.cmp"
	# a line native has and NAME lacks (QEMU died half-way)
	while IFS= read -r w; do
		k=${w%%: *}
		[ -n "$(awk -v k="$k: " 'index($0, k) == 1' "$TMP/top.$1.cmp")" ] ||
			{ echo "(none) (native: $w)"; d=1; }
	done <"$TMP/top.native.cmp"
	return $d
}

# The base of the patched QEMU (its version file: "DEBVERSION emucompat-HASH").
pver=$(cat /sysroot/qemu-patched.version 2>/dev/null)
case $pver in
1:7.2*) legacy=1; pcheck=--base0 ;;
*) legacy=0; pcheck=--base0-reserved ;;
esac

echo "1..15"
checker=$T/q32_mmap.$native
if [ -z "$T" ] || [ -z "$native" ] || [ ! -x "$checker" ] || [ ! -x "$T/q32_top.$native" ]; then
	reason="no native 32-bit q32_mmap.${native:-?} or q32_top.${native:-?} in ${Q32_DIR:-/tests or /tests/bench}"
	for t in native-run native-maps native-top; do
		skip "$t" "$reason"
	done
	for g in i386 armhf; do
		for k in patched stock; do
			for t in q32_mmap "host view" q32_top; do
				skip "$g under $k: $t" "$reason"
			done
		done
	done
	rm -rf "$TMP"
	exit 0
fi
echo "# native: $native; q32_* from $T; patched QEMU: $(qemu_bin patched i386) $(qemu_bin patched armhf) (${pver:-no version file}); stock QEMU: $(qemu_bin stock i386) $(qemu_bin stock armhf) ($(cat /sysroot/qemu-stock.version 2>/dev/null || echo no version file))"
[ "$legacy" = 1 ] && echo "# the 7.2 series: guest_base 0 without reserved_va; stock 7.2 runs q32_mmap with -S"
[ -e /dev/emucompat ] || echo "# /dev/emucompat is absent: the patched QEMU falls back to stock behaviour"

run "native $native" --base0 "$checker"
run_top native "$T/q32_top.$native"
if [ "$top_rc" -eq 0 ] && [ "$(wc -l <"$TMP/top.native.cmp")" -eq 24 ]; then
	ok "native $native: q32_top ran ($(wc -l <"$TMP/top.native.cmp") calls: the reference)"
else
	notok "native $native: q32_top failed (exit status $top_rc, $(wc -l <"$TMP/top.native.cmp") calls)"
fi

for g in i386 armhf; do
	case $g in
	i386) q=qemu-i386 ;;
	armhf) q=qemu-arm ;;
	esac
	prog=$T/q32_mmap.$g
	tprog=$T/q32_top.$g
	qp=$(qemu_bin patched $g)
	qs=$(qemu_bin stock $g)
	for k in patched stock; do
		case $k in
		patched) qk=$qp ;;
		*) qk=$qs ;;
		esac
		label="$g under $k $q"
		if [ ! -x "$prog" ] || [ ! -x "$tprog" ] || [ -z "$qk" ]; then
			if [ -z "$qk" ]; then why=$(why_not $k); else why="no $prog or $tprog"; fi
			skip "$label: q32_mmap" "$why"
			skip "$label: host view" "$why"
			skip "$label: q32_top" "$why"
			continue
		fi
		if [ $k = patched ]; then
			run "$label" "$pcheck" "$qk" "$prog"
		elif [ "$legacy" = 1 ]; then
			run "$label (-S)" - "$qk" "$prog" -S
			# The full run, for the record only.
			"$qk" "$prog" >"$TMP/full" 2>&1
			frc=$?
			first=$(grep -m 1 -E '^(not ok|# FAIL)|qemu:' "$TMP/full")
			echo "# stock $q full run (with the mremap shrinks): exit status $frc${first:+; first: $first}"
		else
			run "$label" - "$qk" "$prog"
		fi
		run_top "$k.$g" "$qk" "$tprog"
		diffs=$(topdiff "$k.$g")
		ndiff=$(printf '%s' "$diffs" | grep -c .)
		printf '%s\n' "$diffs" | sed '/^$/d; s/^/#   differs: /'
		if [ $k = patched ]; then
			if [ "$top_rc" -eq 0 ] && [ "$ndiff" -eq 0 ]; then
				ok "$label: q32_top as native (every call at the top of the space and below 64 KiB)"
			else
				notok "$label: q32_top differs from native in $ndiff calls (exit status $top_rc)"
			fi
		elif [ "$ndiff" -gt 0 ]; then
			ok "$label: q32_top differs from native in $ndiff calls (the negative control: stock gets them wrong)"
		else
			notok "$label: q32_top as native: the negative control cannot tell stock from patched"
		fi
	done
done

rm -rf "$TMP"
[ "$fail" -eq 0 ]
