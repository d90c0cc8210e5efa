#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh KERNEL [--demo|--bench] [--timeout S] [--test-timeout S] [--only GLOB]
#
# Fetch KERNEL (a name from kernels.conf, e.g. 6.12-amd64), build emucompat.ko
# (and tests/kmod's emucompat_probe.ko, if present) against its headers, build
# the static guest programs (tests/Makefile), pack an initramfs, boot it under
# QEMU (TCG) and judge the serial console.  The console goes to stdout and to
# $EMUCOMPAT_LOGDIR/KERNEL.log.  Last two lines:
#   KERNEL: N passed, N failed
#   KERNEL: PASS | KERNEL: FAIL (reason; ...)
# Exit status 0 iff PASS.
#
# Options:
#   --demo            boot in demo mode: run /tests/demo instead of the suite
#   --bench           boot in bench mode: run the benchmarks (tests/bench/,
#                     packed as /tests/bench/) instead of the suite; on a
#                     lane with QEMU linux-user (sysroot32.sh --wants), when
#                     --only selects b_qemu (or no --only), the sysroots and
#                     both QEMUs are packed as for the suite's t_qemu_*.sh
#   --timeout S       limit for the QEMU run (boot + tests); default 600 on
#                     x86_64, 900 on arm64, 1800 for a *-debug-* kernel, plus
#                     600 (x86_64) / 1200 (arm64) on a lane with QEMU
#                     linux-user (t_qemu_user_*.sh)
#   --test-timeout S  per-test-program limit inside the guest (default 300)
#   --only GLOB       run only the guest test programs matching GLOB (t_foo*)
# Environment:
#   EMUCOMPAT_TOP      source tree to test (default: the tree holding this script)
#   EMUCOMPAT_BUILD    build root (default: $EMUCOMPAT_TOP/build); this kernel
#                      builds in <build root>/KERNEL/{src,guest,...}
#   EMUCOMPAT_LOGDIR   logs (default /tmp/emucompat-logs): KERNEL.log (console),
#                      KERNEL.build.log, KERNEL.result (key=value summary)
#   EMUCOMPAT_CACHE    kernel/busybox cache (default ~/.cache/emucompat)
#   EMUCOMPAT_APPEND   extra kernel command line arguments
#   EMUCOMPAT_IGNORE   ERE: console lines matching it are exempt from the
#                      kernel-splat scan (for known, unrelated boot warnings)
#   EMUCOMPAT_JOBS     make -j for the builds (default: nproc)
#   EMUCOMPAT_BOX64    globs of the lanes that run t_box64.sh (box64's box32,
#                      integrations/box64; default none here;
#                      run-all.sh, so make check/check-all and CI, set
#                      "6.12-amd64 6.12-arm64", the two it is written for)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
harness=$(cd "$here/../.." && pwd)
usage() { echo "usage: run.sh KERNEL [--demo|--bench] [--timeout S] [--test-timeout S] [--only GLOB]" >&2; exit 2; }

kernel=
mode=suite
timeout=
test_timeout=
only=
while [ $# -gt 0 ]; do
	case $1 in
	--demo) mode=demo; shift ;;
	--bench) mode=bench; shift ;;
	--timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
	--test-timeout) [ $# -ge 2 ] || usage; test_timeout=$2; shift 2 ;;
	--only) [ $# -ge 2 ] || usage; only=$2; shift 2 ;;
	-h|--help) usage ;;
	-*) echo "run.sh: unknown option '$1'" >&2; usage ;;
	*) [ -z "$kernel" ] || usage; kernel=$1; shift ;;
	esac
done
[ -n "$kernel" ] || usage

top=$(cd "${EMUCOMPAT_TOP:-$harness}" && pwd)
logdir=${EMUCOMPAT_LOGDIR:-/tmp/emucompat-logs}
build=${EMUCOMPAT_BUILD:-$top/build}/$kernel
jobs=${EMUCOMPAT_JOBS:-$(nproc)}
mkdir -p "$logdir"
log=$logdir/$kernel.log
blog=$logdir/$kernel.build.log
result=$logdir/$kernel.result
rm -f "$log" "$log.boot1" "$result"
: >"$blog"

t_start=$(date +%s)
t_boot=$t_start
KDEBVER='?'
QEMU_USER=none

# finish VERDICT PASSED FAILED SKIPPED REASON — print the verdict, write the
# result file, exit.
finish() {
	local verdict=$1 passed=$2 failed=$3 skipped=$4 reason=$5 now
	now=$(date +%s)
	{
		echo "kernel=$kernel"
		echo "debver=$KDEBVER"
		echo "mode=$mode"
		echo "passed=$passed"
		echo "failed=$failed"
		echo "skipped=$skipped"
		echo "verdict=$verdict"
		echo "reason=$reason"
		echo "build_seconds=$((t_boot - t_start))"
		echo "run_seconds=$((now - t_boot))"
		echo "seconds=$((now - t_start))"
		echo "qemu_user=$QEMU_USER"
		echo "boot_retry=${boot_retry:-}"
	} >"$result"
	echo "$kernel: $passed passed, $failed failed"
	if [ "$verdict" = PASS ]; then
		echo "$kernel: PASS"
		exit 0
	fi
	echo "$kernel: FAIL ($reason)"
	exit 1
}
# build_fail WHAT — a host-side step failed: show the build log's tail.
build_fail() {
	echo "run.sh: $kernel: $1 failed; errors, then the last lines of $blog:" >&2
	grep -m 20 -E 'error|Error [0-9]|undefined reference|No rule to make|fatal|failed' "$blog" |
		sed 's/^/    /' >&2 || true
	echo "    ..." >&2
	tail -n 25 "$blog" >&2
	finish FAIL 0 0 0 "$1 failed, see $blog"
}
step() { echo "run.sh: $kernel: $*"; echo "=== $* ===" >>"$blog"; }

# --- the lane's expectations (tests/qemu/expect.conf) -------------------------
# Every section whose globs match this lane applies, in file order: `caps`
# and `devices` (and `va_bits`, `res`) accumulate into the guest's
# /etc/emucompat/expect, `min_pass` (the last one wins) and `skip` rules are
# judged here after the run.  See expect.conf.
expect_conf=${EMUCOMPAT_EXPECT:-$here/expect.conf}
exp_min_pass=
exp_guest=()
exp_max=() exp_ere=() exp_why=()
expect_load() {
	local line key rest active=0 g globs ln=0 ere why max
	[ -f "$expect_conf" ] || build_fail "reading $expect_conf (no such file)"
	while IFS= read -r line || [ -n "$line" ]; do
		ln=$((ln + 1))
		line=${line%%$'\r'}
		case $line in
		''|'#'*) continue ;;
		'['*']')
			active=0
			read -ra globs <<<"${line:1:${#line}-2}"
			for g in "${globs[@]}"; do
				# shellcheck disable=SC2254  # a glob on purpose
				case $kernel in $g) active=1 ;; esac
			done
			continue
			;;
		esac
		[ "$active" = 1 ] || continue
		read -r key rest <<<"$line"
		case $key in
		caps|devices)
			read -ra globs <<<"$rest"
			for g in "${globs[@]}"; do exp_guest+=("${key%s} $g"); done
			;;
		va_bits|res) exp_guest+=("$key $rest") ;;
		min_pass)
			[[ $rest =~ ^[0-9]+$ ]] || build_fail "reading $expect_conf:$ln (min_pass '$rest')"
			exp_min_pass=$rest
			;;
		skip)
			read -r max rest <<<"$rest"
			ere=${rest%% -- *}
			why=${rest#* -- }
			if ! [[ $max =~ ^[0-9]+$ ]] || [ "$ere" = "$rest" ] || [ -z "$why" ]; then
				build_fail "reading $expect_conf:$ln (want: skip MAX ERE -- WHY)"
			fi
			exp_max+=("$max") exp_ere+=("$ere") exp_why+=("$why")
			;;
		*) build_fail "reading $expect_conf:$ln (unknown key '$key')" ;;
		esac
	done <"$expect_conf"
	[ -n "$exp_min_pass" ] || build_fail "reading $expect_conf (no min_pass for $kernel: every lane states its expectations)"
}
# skip_records — one line per skipped result of the console log on stdin,
# "PROGRAM: LINE": an "ok ... # SKIP" line, or a program's exit 77 with its
# "1..0 # SKIP reason" line ("PROGRAM: skipped (exit 77): 1..0 # SKIP ...").
skip_records() {
	awk '
		/^# ==== .* ====$/ { prog = $3; why = ""; next }
		/^1\.\.0/ { why = $0; next }
		/^ok( |$)/ && tolower($0) ~ /#[[:space:]]*skip/ { print prog ": " $0; next }
		/^# .*: skipped \(exit 77\)$/ { print prog ": skipped (exit 77): " why }
	'
}
# expect_judge CONSOLE PASSED — appends to reasons[] what the lane misses:
# fewer passes than min_pass (suite mode, whole suite), a skip no rule
# allows, more skips under a rule than its MAX.
expect_judge() {
	local recs rec i hit unexpected=() cnt=()
	if [ "$mode" = suite ] && [ -z "$only" ] && [ "$2" -lt "$exp_min_pass" ]; then
		reasons+=("$2 passed, this lane expects at least $exp_min_pass (expect.conf)")
	fi
	for i in "${!exp_ere[@]}"; do cnt[i]=0; done
	recs=$(skip_records <<<"$1")
	while IFS= read -r rec; do
		[ -n "$rec" ] || continue
		hit=
		for i in "${!exp_ere[@]}"; do
			if [[ $rec =~ ${exp_ere[$i]} ]]; then
				hit=$i
				break
			fi
		done
		if [ -z "$hit" ]; then
			unexpected+=("$rec")
		else
			cnt[hit]=$((cnt[hit] + 1))
		fi
	done <<<"$recs"
	echo "run.sh: $kernel: skips by expect.conf rule:"
	for i in "${!exp_ere[@]}"; do
		echo "    ${cnt[$i]} of max ${exp_max[$i]}: ${exp_ere[$i]} (${exp_why[$i]})"
		if [ "${cnt[$i]}" -gt "${exp_max[$i]}" ]; then
			reasons+=("${cnt[$i]} skips match '${exp_ere[$i]}', expect.conf allows ${exp_max[$i]}")
		fi
	done
	if [ ${#unexpected[@]} -gt 0 ]; then
		echo "run.sh: $kernel: skips expect.conf does not allow on this lane:"
		printf '    %s\n' "${unexpected[@]}"
		reasons+=("${#unexpected[@]} skips not allowed by expect.conf, first: $(head -c 160 <<<"${unexpected[0]}")")
	fi
}
expect_load

# --- kernel ------------------------------------------------------------------
step "fetching kernel"
if ! env_out=$("$here/fetch-kernel.sh" "$kernel" 2>>"$blog"); then
	build_fail "fetching kernel $kernel"
fi
eval "$env_out"
for v in KREL KARCH KIMAGE KDIR KMODDIR; do
	[ -n "${!v:-}" ] || build_fail "fetching kernel $kernel (no $v)"
done
[ -f "$KIMAGE" ] || build_fail "fetching kernel $kernel (no image $KIMAGE)"
[ -d "$KDIR" ] || build_fail "fetching kernel $kernel (no headers $KDIR)"
echo "run.sh: $kernel: $KREL (Debian $KDEBVER), $KARCH"
mkdir -p "$build"
build=$(cd "$build" && pwd)

case $KARCH in
x86_64) cross= ;;
arm64) cross=aarch64-linux-gnu- ;;
*) build_fail "unsupported KARCH=$KARCH for $kernel" ;;
esac
kmake=(ARCH="$KARCH" CROSS_COMPILE="$cross" CC="${cross}gcc")
# KUnit suites (module/kunit.c) are opt-in; the debug kernel runs them at load.
case $kernel in *-debug-*) kmake+=(EC_KUNIT=1) ;; esac

# The compilers for the kernel modules (kernels.conf's TOOLCHAIN column):
# `host`, or a Debian suite's build root (toolchain.sh; created once, cached)
# that sees the build tree and this kernel's unpacked packages at their own
# paths.  The guest programs always build with the host's compilers.
KTOOLCHAIN=${KTOOLCHAIN:-host}
if [ "$KTOOLCHAIN" != host ]; then
	step "preparing the $KTOOLCHAIN toolchain"
	"$here/toolchain.sh" ensure "$KTOOLCHAIN" >>"$blog" 2>&1 ||
		build_fail "preparing the $KTOOLCHAIN toolchain for $kernel (tests/qemu/toolchain.sh)"
	echo "run.sh: $kernel: modules build in the $KTOOLCHAIN build root"
fi
kroot=${KDIR%%/usr/src/*}
kroot=${kroot:-$KDIR}
tc=("$here/toolchain.sh" run "$KTOOLCHAIN" --rw "$build" --ro "$kroot" --)

# --- sources: a private copy, so several kernels can build at once -----------
src=$build/src
rm -rf "$src"
mkdir -p "$src"
tar -C "$top" --exclude=./.git --exclude=./build --exclude=./out \
	--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
	--exclude='.*.cmd' --exclude=Module.symvers --exclude=modules.order \
	-cf - . | tar -C "$src" -xf -

# has_target DIR TARGET — does DIR/Makefile define TARGET (without running it)?
has_target() {
	[ -f "$1/Makefile" ] || return 1
	{ make -C "$1" -pRrn __emucompat_no_such_target__ 2>/dev/null || true; } |
		grep -E "^$2:([^=]|\$)" >/dev/null
}

step "building emucompat.ko"
if has_target "$src" module; then
	"${tc[@]}" make -C "$src" -j"$jobs" module KDIR="$KDIR" "${kmake[@]}" >>"$blog" 2>&1 ||
		build_fail "building emucompat.ko (make -C <top> module)"
else
	[ -d "$src/module" ] || build_fail "building emucompat.ko (no module/ directory in $top)"
	"${tc[@]}" make -C "$KDIR" -j"$jobs" M="$src/module" "${kmake[@]}" modules >>"$blog" 2>&1 ||
		build_fail "building emucompat.ko"
fi
ko=$(find "$src" -name emucompat.ko -not -path "$src/tests/*" | head -n 1)
[ -n "$ko" ] || build_fail "building emucompat.ko (no emucompat.ko produced)"
kos=(--ko "$ko")

if [ -f "$src/tests/kmod/Kbuild" ] || [ -f "$src/tests/kmod/Makefile" ]; then
	step "building emucompat_probe.ko"
	extra=()
	sym=$(dirname "$ko")/Module.symvers
	[ -f "$sym" ] && extra=(KBUILD_EXTRA_SYMBOLS="$sym")
	"${tc[@]}" make -C "$KDIR" -j"$jobs" M="$src/tests/kmod" "${kmake[@]}" ${extra[@]+"${extra[@]}"} modules >>"$blog" 2>&1 ||
		build_fail "building tests/kmod (emucompat_probe.ko)"
	[ -f "$src/tests/kmod/emucompat_probe.ko" ] ||
		build_fail "building tests/kmod (no emucompat_probe.ko produced)"
	kos+=(--ko "$src/tests/kmod/emucompat_probe.ko")
fi

step "building guest programs"
rm -rf "$build/guest"
# -k: one program that does not build must not hide the others' results; the
# ones missing are counted as failures in the verdict.
gmake=(make -f "$harness/tests/Makefile" -C "$src/tests" TOP="$src" ARCH="$KARCH" OUT="$build/guest")
unbuilt=()
if ! "${gmake[@]}" -k -j"$jobs" guest >>"$blog" 2>&1; then
	expected=$("${gmake[@]}" -s list 2>>"$blog") ||
		build_fail "building guest programs (tests/Makefile)"
	for p in $expected; do
		[ -x "$build/guest/$p" ] || unbuilt+=("$p")
	done
	[ ${#unbuilt[@]} -gt 0 ] || build_fail "building guest programs (tests/Makefile)"
	[ ${#unbuilt[@]} -lt "$(wc -w <<<"$expected")" ] ||
		build_fail "building guest programs (tests/Makefile): none built"
	echo "run.sh: $kernel: NOT BUILT (counted as failures): ${unbuilt[*]}; errors:"
	grep -m 20 -E 'error|undefined reference' "$blog" | sed 's/^/    /' || true
fi
grep "^tests:" "$blog" | tail -n 1 || true

# --- bench mode only: the benchmark programs (tests/bench) --------------------
if [ "$mode" = bench ]; then
	step "building benchmark programs"
	"${gmake[@]}" -j"$jobs" bench >>"$blog" 2>&1 ||
		build_fail "building benchmark programs (tests/Makefile bench)"
	grep "^bench:" "$blog" | tail -n 1 || true
fi

# --- QEMU linux-user (tests/guest/t_qemu_user.sh) -------------------------------
# Only on the lanes that run it (sysroot32.sh --wants: $EMUCOMPAT_QEMU_USER,
# default the 6.12 lanes) and only when --only selects a t_qemu_*.sh (bench
# mode: b_qemu): bookworm's i386
# and armhf sysroots, stock QEMU (qemu-user-static) for this architecture
# and the patched one (integrations/qemu/build.sh) go into the initramfs.
# A patched QEMU that fails to build is reported by the guest test, not here.
qargs=()
want_qemu=0
# bench mode: the same, when --only selects b_qemu (tests/bench/b_qemu.c,
# stock against patched QEMU; by default every benchmark runs).
case $mode in
bench) qprogs=("$harness"/tests/bench/b_qemu.c) ;;
suite) qprogs=("$harness"/tests/guest/t_qemu_*.sh) ;;
*) qprogs=() ;;
esac
for f in ${qprogs[@]+"${qprogs[@]}"}; do
	[ -e "$f" ] || continue
	f=${f##*/}
	# shellcheck disable=SC2254  # $only is a glob on purpose
	case ${f%.c} in ${only:-*}) want_qemu=1 ;; esac
done
if [ "$want_qemu" = 1 ] && "$here/sysroot32.sh" --wants "$kernel"; then
	step "preparing the 32-bit sysroots and QEMU linux-user"
	case $KARCH in x86_64) qhost=amd64 ;; *) qhost=arm64 ;; esac
	SYSROOT32_I386='' SYSROOT32_ARMHF='' QEMU_STOCK_DIR='' QEMU_STOCK_VERSION='' QEMU_PATCHED_DIR='' QEMU_PATCHED_NOTE=''
	qenv=$("$here/sysroot32.sh" --prepare "$qhost" "$src" 2>>"$blog") ||
		build_fail "preparing the 32-bit sysroots or stock QEMU (tests/qemu/sysroot32.sh)"
	eval "$qenv"
	qargs+=(--sysroot32 "$SYSROOT32_I386" --sysroot32 "$SYSROOT32_ARMHF" --qemu "stock=$QEMU_STOCK_DIR")
	if [ -n "$QEMU_PATCHED_DIR" ]; then
		qargs+=(--qemu "patched=$QEMU_PATCHED_DIR")
	else
		qargs+=(--qemu-note "patched=$QEMU_PATCHED_NOTE")
	fi
	QEMU_USER="stock $QEMU_STOCK_VERSION, patched ${QEMU_PATCHED_DIR:-none ($QEMU_PATCHED_NOTE)}"
	echo "run.sh: $kernel: QEMU linux-user: $QEMU_USER"
fi

step "packing initramfs"
printf '%s\n' ${exp_guest[@]+"${exp_guest[@]}"} >"$build/expect"
"$here/mkinitramfs.sh" --arch "$KARCH" --kmoddir "$KMODDIR" --guest "$build/guest" \
	--out "$build/initramfs.cpio" --expect "$build/expect" "${kos[@]}" ${qargs[@]+"${qargs[@]}"} 2>>"$blog" ||
	build_fail "packing the initramfs"
grep '^mkinitramfs:' "$blog" | tail -n 3

# --- box64 (integrations/box64, t_box64.sh) -------------------------------------
# Only on the lanes named by a glob of $EMUCOMPAT_BOX64 (default none when
# run.sh runs alone; run-all.sh and `make check-box64` name the two it is
# written for, "6.12-amd64 6.12-arm64"; integrations/box64/README.md "Cost")
# and only when --only selects t_box64.sh:
# integrations/box64/guest-check.sh --stage builds box64 (cached; run-all.sh
# builds it before the lanes start) and its chroots, appended as a second
# cpio archive.  Without them the guest has no t_box64.sh.
box64_stage=
box64_test=t_box64.sh
for g in ${EMUCOMPAT_BOX64:-}; do
	# shellcheck disable=SC2254  # globs on purpose
	case $kernel in $g) case $box64_test in ${only:-*}) box64_stage=$build/box64-stage ;; esac ;; esac
done
[ "$mode" = suite ] || box64_stage=
if [ -n "$box64_stage" ]; then
	step "preparing box64 (integrations/box64/guest-check.sh --stage)"
	case $KARCH in x86_64) bhost=amd64 ;; *) bhost=arm64 ;; esac
	benv=$("$top/integrations/box64/guest-check.sh" --stage "$bhost" "$box64_stage" 2>>"$blog") ||
		build_fail "preparing box64 (integrations/box64/guest-check.sh --stage $bhost)"
	echo "run.sh: $kernel: box64: ${benv#BOX64_STAGE_NOTE=}"
	(cd "$box64_stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) \
		>>"$build/initramfs.cpio" 2>>"$blog" || build_fail "packing box64"
	rm -rf "$box64_stage"
fi

# --- bench mode only: append /tests/bench/ as a second cpio archive -----------
# (the kernel unpacks concatenated newc archives in turn)
if [ "$mode" = bench ]; then
	bstage=$build/bench-stage
	rm -rf "$bstage"
	mkdir -p "$bstage/tests/bench"
	cp "$build/guest/bench/"* "$bstage/tests/bench/"
	install -m 0755 "$src/tests/bench/run-bench.sh" "$bstage/tests/bench/run-bench.sh"
	(cd "$bstage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) \
		>>"$build/initramfs.cpio" 2>>"$blog" || build_fail "packing the benchmarks"
	rm -rf "$bstage"
fi

# --- boot ----------------------------------------------------------------------
append="panic=-1 ectest.mode=$mode"
# bench: a TSC clock (TCG's TSC follows the host clock) instead of the HPET
# the guest falls back to, whose every read is an MMIO exit and a syscall.
[ "$mode" = bench ] && [ "$KARCH" = x86_64 ] && append+=" clocksource=tsc tsc=reliable"
[ -n "$test_timeout" ] && append+=" ectest.timeout=$test_timeout"
[ -n "$only" ] && append+=" ectest.only=$only"
[ -n "${EMUCOMPAT_APPEND:-}" ] && append+=" $EMUCOMPAT_APPEND"
# A virtio-net NIC on a backend-less hub port (no host networking) for
# t_xabi's SIOCETHTOOL; -nic none keeps QEMU's default NIC away.  A
# virtio keyboard: an evdev device for t_qemu_user.sh's evtest/lsinput.
common=(-m 1024 -smp 2 -nographic -no-reboot -accel tcg -nic none
	-netdev hubport,id=n0,hubid=0 -device virtio-net-pci,netdev=n0
	-device virtio-rng-pci -device virtio-keyboard-pci -initrd "$build/initramfs.cpio")
# t_qemu_user_*.sh adds about 3 min of guest time on x86_64 and 9 on arm64
# (measured on an idle machine): more time for the lanes that run it, unless
# --timeout says how long.
qextra=0
if [ -z "$timeout" ] && [ ${#qargs[@]} -gt 0 ]; then
	case $KARCH in x86_64) qextra=600 ;; *) qextra=1200 ;; esac
fi
# t_box64.sh: box32 under TCG, about 70 program runs (box64 runs its
# interpreter on x86_64): more time, for the lane and for the test program.
if [ -n "$box64_stage" ]; then
	if [ -z "$timeout" ]; then
		case $KARCH in x86_64) qextra=$((qextra + 600)) ;; *) qextra=$((qextra + 1200)) ;; esac
	fi
	[ -n "$test_timeout" ] || append+=" ectest.timeout=1500"
fi
# The KASAN/lockdep kernel runs the suite several times slower under TCG.
case $kernel in
*-debug-*) timeout=${timeout:-1800} ;;
esac
case $KARCH in
x86_64)
	timeout=${timeout:-600}
	qemu=(qemu-system-x86_64 -M q35 "${common[@]}" -vga none -device bochs-display
		-kernel "$KIMAGE" -append "console=ttyS0 $append")
	;;
arm64)
	timeout=${timeout:-900}
	image=$KIMAGE
	# QEMU wants a raw arm64 Image; Debian ships one, but accept gzip too.
	if [ "$(head -c 2 "$KIMAGE" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
		image=$build/Image
		gzip -dc "$KIMAGE" >"$image"
	fi
	cpu=cortex-a72
	[ "${KQEMUCPU:--}" != - ] && cpu=$KQEMUCPU
	# A second KMS card, bochs (card1: virtio_gpu loads first), for
	# t_xabi's ADDFB2 with modifiers, which virtio_gpu refuses.
	qemu=(qemu-system-aarch64 -M virt -cpu "$cpu" "${common[@]}" -device virtio-gpu-pci
		-device bochs-display
		-kernel "$image" -append "console=ttyAMA0 $append")
	;;
esac
timeout=$((timeout + qextra))
command -v "${qemu[0]}" >/dev/null || build_fail "finding ${qemu[0]}"

t_boot=$(date +%s)
# console_line — stdin's console lines without the printk timestamp, cut to
# the 100 characters a result's reason= and boot_retry= carry.
console_line() {
	sed -E 's/^\[ *[0-9.]+\] //' | cut -c1-100
}
# boot — one QEMU run; the console goes to $log, QEMU's status to $qrc.
boot() {
	local t
	t=$(date +%s)
	echo "run.sh: $kernel: booting (mode $mode, timeout ${timeout}s): ${qemu[*]}"
	qrc=0
	timeout --foreground -k 10 "$timeout" "${qemu[@]}" </dev/null 2>&1 | tee "$log" || qrc=${PIPESTATUS[0]}
	echo
	secs=$(($(date +%s) - t))
	echo "run.sh: $kernel: QEMU exited with status $qrc after ${secs}s (build $((t_boot - t_start))s)"
}
boot
# One more boot, once, when the kernel died before the initramfs's init
# printed its first line (EMUCOMPAT-GUEST:): nothing of this project had run
# yet -- init loads the module -- so that is the distro kernel under TCG, not
# emucompat.  Seen once in ~40 lanes of 7.3-amd64 under -smp 2: "Oops: int3"
# in sched_clock_cpu while static keys were patched during the initcalls.
# A guest that never reaches init for another reason fails both boots; a
# pre-init hang is not retried (it would double a 10-minute timeout).  The
# first console log is kept as $log.boot1; the result says boot_retry=.
boot_retry=
if ! tr -d '\r' <"$log" | grep -q '^EMUCOMPAT-GUEST:'; then
	boot_retry=$(tr -d '\r' <"$log" | grep -m 1 -E 'Kernel panic|Oops|BUG:' | console_line || true)
fi
if [ -n "$boot_retry" ]; then
	mv "$log" "$log.boot1"
	echo "run.sh: $kernel: the kernel died before init ($boot_retry); booting once more (first log: $log.boot1)"
	boot
fi

# --- verdict -------------------------------------------------------------------
clean=$(tr -d '\r' <"$log")
reasons=()
rc=$(sed -n 's/.*EMUCOMPAT-DONE rc=\([0-9][0-9]*\).*/\1/p' <<<"$clean" | tail -n 1)
if [ -z "$rc" ]; then
	last=$(sed -n 's/^# ==== \(.*\) ====$/\1/p' <<<"$clean" | tail -n 1)
	last=${last:+, during $last}
	if grep -q 'Kernel panic' <<<"$clean"; then
		reasons+=("no EMUCOMPAT-DONE: kernel panic$last")
	elif [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
		reasons+=("no EMUCOMPAT-DONE: timed out after ${timeout}s$last")
	else
		reasons+=("no EMUCOMPAT-DONE: guest crashed or QEMU failed (QEMU status $qrc)$last")
	fi
elif [ "$rc" != 0 ]; then
	reasons+=("guest rc=$rc")
fi
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$clean" | tail -n 1 || true)
nnotok=$(grep -cE '^not ok' <<<"$clean" || true)
if [ -n "$summary" ]; then
	passed=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$summary")
	failed=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$summary")
	skipped=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$summary")
	skipped=${skipped:-0}
else
	passed=$(grep -cE '^ok( |$)' <<<"$clean" || true)
	failed=$nnotok
	skipped=0
	[ -z "$rc" ] || reasons+=("no 'N passed, N failed' line")
fi
if [ ${#unbuilt[@]} -gt 0 ]; then
	failed=$((failed + ${#unbuilt[@]}))
	reasons+=("not built: ${unbuilt[*]}")
fi
if [ "$failed" -ne 0 ]; then
	first_notok=$(grep -m 1 -E '^not ok' <<<"$clean" | cut -c1-120 || true)
	reasons+=("$failed failed${first_notok:+, first: $first_notok}")
fi
if [ "$nnotok" -gt 0 ] && [ "$failed" -eq 0 ]; then
	reasons+=("$nnotok 'not ok' lines")
fi
# Kernel splats.  Lines printed by test programs (TAP) are not scanned.
splat_re='Kernel panic|BUG:|WARNING:|Oops|Call Trace|KASAN|UBSAN|possible circular locking|possible recursive locking|INFO: task|kernel BUG|general protection|Unable to handle kernel|Internal error:|lockdep'
# Boot banners of debug kernels (6.1-debug-amd64: PROVE_LOCKING) are not splats.
benign_re='RCU lockdep checking is enabled'
splats=$(grep -vE '^(ok|not ok|#)( |$)' <<<"$clean" | grep -E "$splat_re" | { grep -vE "$benign_re" || true; } |
	{ if [ -n "${EMUCOMPAT_IGNORE:-}" ]; then grep -vE "$EMUCOMPAT_IGNORE"; else cat; fi; } || true)
if [ -n "$splats" ]; then
	first=$(head -n 1 <<<"$splats" | console_line)
	reasons+=("kernel splat: $first")
	echo "run.sh: $kernel: kernel splat lines in the console log:"
	head -n 10 <<<"$splats" | sed 's/^/    /'
fi

[ "$mode" = bench ] || expect_judge "$clean" "$passed"

if [ ${#reasons[@]} -eq 0 ]; then
	finish PASS "$passed" "$failed" "$skipped" ""
fi
reason=$(printf '%s; ' "${reasons[@]}")
finish FAIL "$passed" "$failed" "$skipped" "${reason%; }"
