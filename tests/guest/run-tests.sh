#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-tests.sh [--unload] [PROGRAM...] — guest-side test runner (busybox sh).
#
# Runs PROGRAMs (default: every /tests/t_*, sorted, the shell-script tests
# /tests/t_*.sh first: t_modprobe.sh reloads the module with modprobe, and
# the programs then run against that module), one at a time, each under
# /tests/runtest (its own process group, killed whole when it exits or
# after EMUCOMPAT_TEST_TIMEOUT seconds, default 300), streaming its
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
# /init's own failures (a module that did not load: "not ok - init: ..."
# lines, already on the console) are in /run/ectest/init.tap: counted first.
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
suite=0
if [ $# -eq 0 ]; then
	suite=1
	set --
	for t in /tests/t_*.sh; do
		[ -f "$t" ] && [ -x "$t" ] && set -- "$@" "$t"
	done
	for t in /tests/t_*; do
		case $t in *.sh) continue ;; esac
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
	# runtest: own process group, killed whole at the end or the time
	# limit, so no orphan keeps the pipe open (see tests/guest/runtest.c).
	{ /tests/runtest "$TIMEOUT" "$prog" 2>&1 </dev/null; echo $? >"$TMP/rc"; } | tee "$TMP/out"
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

# kunit_check — the module's KUnit suites (module/kunit.c, built only
# against kernels with KUnit) ran at each load and printed KTAP to the kernel
# log.  Re-emit each case of every emucompat_* suite found in dmesg as a TAP
# line of the pseudo-test "kunit" ("ok - kunit: SUITE: CASE"), its failure
# messages as comments, and count them.  A suite whose KTAP ends early or
# whose result is "not ok" without a failing case adds a failure; so does a
# module built with suites when dmesg holds none.
kunit_check() {
	grep -q kunit_test_suites /emucompat.ko 2>/dev/null || return 0
	echo "# ==== kunit ===="
	dmesg | sed 's/^\[[^]]*\] //' | awk '
		function res(ok, text) { print (ok ? "ok - kunit: " : "not ok - kunit: ") text }
		/^    # Subtest: emucompat_/ {
			if (suite != "") res(0, suite ": KTAP ended early")
			suite = $3; nres = 0; nbad = 0; plan = -1; runs++; next
		}
		suite == "" { next }
		/^    1\.\.[0-9]+/ { plan = substr($1, 4) + 0; next }
		/^    (not )?ok [0-9]+ / {
			ok = ($1 == "ok"); t = $0; sub(/^ *(not )?ok [0-9]+ (- )?/, "", t)
			res(ok, suite ": " t); nres++; if (!ok) nbad++; next
		}
		/^(not )?ok [0-9]+ (- )?emucompat_/ {
			if ($1 == "not" && nbad == 0) res(0, suite ": suite failed")
			if (plan >= 0 && nres < plan) res(0, suite ": " nres " of " plan " cases ran")
			suite = ""; next
		}
		/^    / { t = $0; sub(/^ +/, "", t); sub(/^# /, "", t); print "# kunit: " t }
		END {
			if (suite != "") res(0, suite ": KTAP ended early")
			if (!runs) res(0, "emucompat.ko has KUnit suites, but no emucompat_* KTAP in dmesg")
		}' >"$TMP/kunit"
	cat "$TMP/kunit"
	count "$TMP/kunit"
	passed=$((passed + c_ok))
	skipped=$((skipped + c_skip))
	failed=$((failed + c_notok))
	echo "# kunit: $c_ok ok, $c_notok not ok, $c_skip skip"
}

# kmemleak_check — with kmemleak in the kernel (debug kernels), after the
# module is unloaded: scan twice (objects younger than 5 s are not
# reported yet), show the leaks as comments; any leak is a failure.
kmemleak_check() {
	k=/sys/kernel/debug/kmemleak
	[ -e "$k" ] || return 0
	echo "# ==== kmemleak ===="
	sleep 6
	if ! { echo scan >"$k" && echo scan >"$k"; } 2>/dev/null; then
		echo "not ok - kmemleak: scan failed (kmemleak disabled? see dmesg)"
		failed=$((failed + 1))
		return
	fi
	cat "$k" >"$TMP/kmemleak"
	n=$(grep -c '^unreferenced object' "$TMP/kmemleak")
	if [ "$n" -gt 0 ]; then
		sed 's/^/# /' "$TMP/kmemleak" | head -n 300
		echo "not ok - kmemleak: $n unreferenced objects"
		failed=$((failed + 1))
	else
		echo "ok - kmemleak: no unreferenced objects"
		passed=$((passed + 1))
	fi
}

if [ -s /run/ectest/init.tap ]; then
	echo "# ==== init ===="
	count /run/ectest/init.tap
	failed=$((failed + c_notok))
	echo "# init: $c_notok not ok (insmod failures at boot, printed above)"
fi

for prog in "$@"; do
	# shellcheck disable=SC2254  # $ONLY is a glob on purpose
	case ${prog##*/} in
	$ONLY) run_one "$prog" ;;
	esac
done
[ "$nprogs" -eq 0 ] && echo "# run-tests: no test programs to run"

[ "$suite" -eq 1 ] && kunit_check
if [ "$unload" -eq 1 ]; then
	echo "# ==== unload ===="
	unload_one emucompat_probe
	unload_one emucompat
	[ "$suite" -eq 1 ] && kmemleak_check
fi

rm -rf "$TMP"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
