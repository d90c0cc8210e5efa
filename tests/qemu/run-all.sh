#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-all.sh [-j N] [--timeout S] [--test-timeout S] [--only GLOB] KERNEL...
#
# Runs tests/qemu/run.sh for each KERNEL, N at a time (default
# $EMUCOMPAT_PARALLEL, else 2), then prints a summary table and the total
#   N passed, N failed
# Exit status 0 iff every kernel passed.  Each kernel's run.sh output is in
# $EMUCOMPAT_LOGDIR/KERNEL.out (console alone: KERNEL.log); with -j 1 it is
# also streamed to stdout.  Kernels are fetched, and QEMU linux-user
# (sysroot32.sh --prepare) and box64 (integrations/box64/build.sh) built,
# serially before the runs start.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
logdir=${EMUCOMPAT_LOGDIR:-/tmp/emucompat-logs}
export EMUCOMPAT_LOGDIR=$logdir
par=${EMUCOMPAT_PARALLEL:-2}
pass=()
kernels=()
while [ $# -gt 0 ]; do
	case $1 in
	-j) par=$2; shift 2 ;;
	-j*) par=${1#-j}; shift ;;
	--timeout|--test-timeout|--only) pass+=("$1" "$2"); shift 2 ;;
	-*) echo "run-all.sh: unknown option '$1'" >&2; exit 2 ;;
	*) kernels+=("$1"); shift ;;
	esac
done
[ ${#kernels[@]} -gt 0 ] || { echo "usage: run-all.sh [-j N] [--timeout S] KERNEL..." >&2; exit 2; }
[[ $par =~ ^[1-9][0-9]*$ ]] || { echo "run-all.sh: bad -j '$par'" >&2; exit 2; }
mkdir -p "$logdir"

# Each run builds with make -j(nproc / parallel runs).
ncpu=$(nproc)
jobs=$(( ncpu / par ))
[ "$jobs" -ge 1 ] || jobs=1
export EMUCOMPAT_JOBS=${EMUCOMPAT_JOBS:-$jobs}

# Fetch serially first: the kernel fetcher's private apt state is shared.
for k in "${kernels[@]}"; do
	"$here/fetch-kernel.sh" "$k" >/dev/null 2>"$logdir/$k.fetch.log" ||
		echo "run-all.sh: $k: fetch failed (run.sh will report it): $(tail -n 1 "$logdir/$k.fetch.log")"
done

# The same for QEMU linux-user (t_qemu_user_*.sh): the 32-bit sysroots, the
# stock QEMU and the patched build (integrations/qemu/build.sh) once per
# guest architecture of the lanes that run it, before the lanes start, so
# that two lanes do not build the same QEMU side by side.
only=
for ((i = 0; i < ${#pass[@]}; i++)); do
	[ "${pass[$i]}" = --only ] && only=${pass[$((i + 1))]}
done
qtop=$(cd "${EMUCOMPAT_TOP:-$here/../..}" && pwd)
want_qemu=0
for f in "$here"/../guest/t_qemu_*.sh; do
	# shellcheck disable=SC2254  # a glob on purpose
	case ${f##*/} in ${only:-*}) want_qemu=1 ;; esac
done
declare -A qhosts=()
if [ "$want_qemu" = 1 ]; then
	for k in "${kernels[@]}"; do
		"$here/sysroot32.sh" --wants "$k" || continue
		a=$(awk -v n="$k" '$1 == n { print $2 }' "$here/kernels.conf")
		[ -n "$a" ] && qhosts[$a]=1
	done
fi
for a in "${!qhosts[@]}"; do
	echo "run-all.sh: preparing QEMU linux-user for $a guests (sysroots, stock and patched QEMU)"
	if qenv=$("$here/sysroot32.sh" --prepare "$a" "$qtop" 2>>"$logdir/qemu-user-$a.prep.log"); then
		grep -E '^QEMU_(STOCK_VERSION|PATCHED_DIR|PATCHED_NOTE)=' <<<"$qenv" | sed "s/^/run-all.sh: $a: /"
	else
		echo "run-all.sh: $a: preparing QEMU linux-user failed (run.sh will report it): $(tail -n 1 "$logdir/qemu-user-$a.prep.log")"
	fi
done

# The same for box64 (t_box64.sh, integrations/box64): build.sh once per
# host architecture of the lanes that run it ($EMUCOMPAT_BOX64, as run.sh
# reads it; here the default is the two lanes it is written for, 6.12-amd64
# and 6.12-arm64, and EMUCOMPAT_BOX64= turns it off), with every core,
# before the lanes start; each lane's stage then finds its box64 build in
# the cache.
box64_lanes=${EMUCOMPAT_BOX64-6.12-amd64 6.12-arm64}
export EMUCOMPAT_BOX64=$box64_lanes
want_box64=0
# shellcheck disable=SC2254  # a glob on purpose
case t_box64.sh in ${only:-*}) want_box64=1 ;; esac
declare -A bhosts=()
if [ "$want_box64" = 1 ]; then
	for k in "${kernels[@]}"; do
		for g in $box64_lanes; do
			# shellcheck disable=SC2254  # globs on purpose
			case $k in $g) ;; *) continue ;; esac
			a=$(awk -v n="$k" '$1 == n { print $2 }' "$here/kernels.conf")
			[ -n "$a" ] && bhosts[$a]=1
		done
	done
fi
for a in "${!bhosts[@]}"; do
	echo "run-all.sh: preparing box64 for $a lanes (integrations/box64/build.sh --host $a)"
	bt0=$(date +%s)
	if benv=$(JOBS=${JOBS:-$ncpu} "$qtop/integrations/box64/build.sh" --host "$a" 2>>"$logdir/box64-$a.prep.log"); then
		echo "run-all.sh: $a: $benv ($(($(date +%s) - bt0)) s)"
	else
		echo "run-all.sh: $a: building box64 failed (run.sh will report it): $(tail -n 1 "$logdir/box64-$a.prep.log")"
	fi
done

t0=$(date +%s)
report() {
	local k=$1
	if [ -f "$logdir/$k.result" ]; then
		grep -hE "^$k: (PASS|FAIL)" "$logdir/$k.out" | tail -n 1 || echo "$k: FAIL (no verdict)"
	else
		echo "$k: FAIL (run.sh left no result, see $logdir/$k.out)"
	fi
	if ! grep -qx 'verdict=PASS' "$logdir/$k.result" 2>/dev/null; then
		grep -E '^(not ok|    )|^run\.sh: .*(failed|QEMU exited|splat)' "$logdir/$k.out" |
			tail -n 25 | sed "s/^/    $k| /"
	fi
}

declare -A pid_of=()
running=0
for k in "${kernels[@]}"; do
	rm -f "$logdir/$k.result"
	if [ "$par" -eq 1 ]; then
		"$here/run.sh" "$k" ${pass[@]+"${pass[@]}"} 2>&1 | tee "$logdir/$k.out" || true
		echo
		report "$k"
		continue
	fi
	while [ "$running" -ge "$par" ]; do
		wait -n || true
		running=$((running - 1))
		for d in "${!pid_of[@]}"; do
			if ! kill -0 "${pid_of[$d]}" 2>/dev/null; then
				report "$d"
				unset "pid_of[$d]"
			fi
		done
	done
	echo "run-all.sh: starting $k"
	"$here/run.sh" "$k" ${pass[@]+"${pass[@]}"} >"$logdir/$k.out" 2>&1 &
	pid_of[$k]=$!
	running=$((running + 1))
done
while [ ${#pid_of[@]} -gt 0 ]; do
	wait -n || true
	for d in "${!pid_of[@]}"; do
		if ! kill -0 "${pid_of[$d]}" 2>/dev/null; then
			report "$d"
			unset "pid_of[$d]"
		fi
	done
done

# --- summary -------------------------------------------------------------------
tp=0 tf=0 ts=0 bad=0 retried=()
echo
printf '%-15s %-22s %7s %7s %7s %-8s %7s\n' KERNEL DEBIAN PASSED FAILED SKIPPED VERDICT SECONDS
for k in "${kernels[@]}"; do
	debver='?' passed=0 failed=0 skipped=0 verdict=FAIL seconds='?'
	if [ -f "$logdir/$k.result" ]; then
		debver=$(sed -n 's/^debver=//p' "$logdir/$k.result")
		passed=$(sed -n 's/^passed=//p' "$logdir/$k.result")
		failed=$(sed -n 's/^failed=//p' "$logdir/$k.result")
		skipped=$(sed -n 's/^skipped=//p' "$logdir/$k.result")
		verdict=$(sed -n 's/^verdict=//p' "$logdir/$k.result")
		seconds=$(sed -n 's/^seconds=//p' "$logdir/$k.result")
		r=$(sed -n 's/^boot_retry=//p' "$logdir/$k.result")
		[ -z "$r" ] || retried+=("run-all.sh: $k: booted twice, the first kernel died before init: $r (see $logdir/$k.log.boot1)")
	fi
	[ "$verdict" = PASS ] || bad=$((bad + 1))
	tp=$((tp + passed))
	tf=$((tf + failed))
	ts=$((ts + ${skipped:-0}))
	printf '%-15s %-22s %7s %7s %7s %-8s %7s\n' "$k" "$debver" "$passed" "$failed" "${skipped:-0}" "$verdict" "$seconds"
done
for r in "${retried[@]}"; do echo "$r"; done
echo "run-all.sh: ${#kernels[@]} kernels in $(($(date +%s) - t0))s (${par} in parallel), $bad failed; logs in $logdir"
echo "$tp passed, $tf failed, $ts skipped"
[ "$bad" -eq 0 ]
