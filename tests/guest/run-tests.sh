#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-tests.sh [--unload] [PROGRAM...] — guest-side test runner (busybox sh).
#
# Runs PROGRAMs (default: every /tests/t_*, sorted), one at a time, each under
# `timeout` (EMUCOMPAT_TEST_TIMEOUT seconds, default 300), streaming its
# stdout+stderr to the console unchanged.  Programs print TAP:
#   "1..N" plan, "ok N - ...", "not ok N - ...", "# comment";
#   exit 0 = pass, 77 = skipped, anything else = failure.
# EMUCOMPAT_ONLY=<glob> keeps only the programs whose name matches.
#
# Counting, over all programs:
#   passed  += "ok" lines (without a "# SKIP" directive)
#   skipped += "ok ... # SKIP" lines, and +1 for a program that exits 77
#   failed  += "not ok" lines; and +1 (with a synthetic "not ok" line) for a
#              program that exits non-zero (not 77), times out or crashes
#              without printing any "not ok", or prints fewer results than
#              its plan announced.
#   A program that exits 0 without printing any result counts as 1 passed.
# --unload: afterwards rmmod emucompat_probe and emucompat (those whose .ko is
# in /) and count each as a result: a module that cannot unload is a failure.
#
# Last line printed: "N passed, N failed, N skipped".  Exit 0 iff N failed = 0.

TIMEOUT=${EMUCOMPAT_TEST_TIMEOUT:-300}
ONLY=${EMUCOMPAT_ONLY:-*}
TMP=${TMPDIR:-/tmp}/run-tests.$$
mkdir -p "$TMP"

unload=0
if [ "${1:-}" = --unload ]; then
	unload=1
	shift
fi
if [ $# -eq 0 ]; then
	set --
	for t in /tests/t_*; do
		[ -f "$t" ] && [ -x "$t" ] && set -- "$@" "$t"
	done
fi

passed=0
failed=0
skipped=0
nprogs=0

# count FILE — sets c_ok c_notok c_skip c_plan from a program's output
count() {
	# The pty-less pipe has no \r, but be tolerant of CRLF anyway.
	tr -d '\r' <"$1" >"$1.lf"
	c_ok=$(grep -cE '^ok( |$)' "$1.lf")
	c_skip=$(grep -E '^ok( |$)' "$1.lf" | grep -ciE '#[[:space:]]*skip')
	c_notok=$(grep -cE '^not ok( |$)' "$1.lf")
	c_plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$1.lf" | tail -n 1)
	c_ok=$((c_ok - c_skip))
}

run_one() {
	prog=$1
	name=${prog##*/}
	nprogs=$((nprogs + 1))
	echo "# ==== $name ===="
	start=$(date +%s)
	rm -f "$TMP/rc"
	# stdout/stderr of the program go through tee: to the console and a file.
	{ timeout "$TIMEOUT" "$prog" 2>&1 </dev/null; echo $? >"$TMP/rc"; } | tee "$TMP/out"
	rc=$(cat "$TMP/rc" 2>/dev/null || echo 255)
	secs=$(($(date +%s) - start))
	count "$TMP/out"
	passed=$((passed + c_ok))
	skipped=$((skipped + c_skip))
	failed=$((failed + c_notok))
	nres=$((c_ok + c_skip + c_notok))
	case $rc in
	0)
		if [ "$nres" -eq 0 ]; then
			passed=$((passed + 1))
		elif [ -n "$c_plan" ] && [ "$nres" -lt "$c_plan" ]; then
			echo "not ok - $name: planned $c_plan results, printed $nres"
			failed=$((failed + 1))
		fi
		;;
	77)
		skipped=$((skipped + 1))
		echo "# $name: skipped (exit 77)"
		;;
	*)
		if [ "$rc" -eq 143 ] || [ "$rc" -eq 137 ]; then
			why="killed (timeout ${TIMEOUT}s?)"
		elif [ "$rc" -gt 128 ]; then
			why="killed by signal $((rc - 128))"
		else
			why="exit status $rc"
		fi
		if [ "$c_notok" -eq 0 ]; then
			echo "not ok - $name: $why"
			failed=$((failed + 1))
		else
			echo "# $name: $why"
		fi
		;;
	esac
	echo "# $name: rc=$rc, $c_ok ok, $c_notok not ok, $c_skip skip, ${secs}s"
}

unload_one() {
	m=$1
	[ -e "/$m.ko" ] || return 0
	if [ ! -d "/sys/module/$m" ]; then
		echo "not ok - unload $m: module is not loaded (did insmod fail?)"
		failed=$((failed + 1))
	elif rmmod "$m"; then
		echo "ok - unload $m"
		passed=$((passed + 1))
	else
		echo "not ok - unload $m: rmmod failed"
		[ -r "/sys/module/$m/refcnt" ] && echo "# $m refcnt=$(cat "/sys/module/$m/refcnt")"
		failed=$((failed + 1))
	fi
}

for prog in "$@"; do
	# shellcheck disable=SC2254  # $ONLY is a glob on purpose
	case ${prog##*/} in
	$ONLY) run_one "$prog" ;;
	esac
done
[ "$nprogs" -eq 0 ] && echo "# run-tests: no test programs to run"

if [ "$unload" -eq 1 ]; then
	echo "# ==== unload ===="
	unload_one emucompat_probe
	unload_one emucompat
fi

rm -rf "$TMP"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
