#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh KERNEL [run.sh options]   — host side of `make bench`
# bench.sh --report KERNEL            — only redo the report from the last log
#
# Boots KERNEL (kernels.conf name) in bench mode (tests/qemu/run.sh --bench;
# the guest runs tests/bench/run-bench.sh), then reads the guest's result
# lines back from the console log and writes, into build/bench/KERNEL/:
#   console.log       the console as captured
#   report.md         the tables (markdown), the targets, the environment
#   results.csv       every result row (header: see bench.h, B_CSV_HEADER)
#   mmap-scaling.dat  gnuplot data; mmap-scaling.png its plot (gnuplot)
# and copies the plot to build/bench/mmap-scaling.png.  Prints report.md.
#
# Guest lines read: "@env K=V", "@md TEXT", "@csv FIELDS", "@target
# id|what|measured|threshold|met or MISSED|note".
# Kernel-side call trees (function_graph; slow, and on a busy host a source
# of soft-lockup reports): EMUCOMPAT_APPEND=ectest.profile=1.
# Exit status: that of run.sh (a benchmark that crashed, a kernel splat);
# missed targets are reported, not failures.
# Environment: as run.sh (EMUCOMPAT_BUILD, EMUCOMPAT_JOBS, ...); the console
# log and result go to $EMUCOMPAT_LOGDIR/bench/ (default /tmp/emucompat-logs/
# bench/); EMUCOMPAT_BENCH_OUT overrides build/bench.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
report_only=0
if [ "${1:-}" = --report ]; then
	report_only=1
	shift
fi
kernel=${1:?usage: bench.sh [--report] KERNEL [run.sh options]}
shift
# A directory of its own: the suite's KERNEL.log / .result stay as they are.
logdir=${EMUCOMPAT_LOGDIR:-/tmp/emucompat-logs}/bench
export EMUCOMPAT_LOGDIR=$logdir
outroot=${EMUCOMPAT_BENCH_OUT:-${EMUCOMPAT_BUILD:-$top/build}/bench}
out=$outroot/$kernel
mkdir -p "$out"

rc=0
if [ "$report_only" = 0 ]; then
	# The console is long (CSV, profiles): show progress only; all of it
	# is in $out/console.log.
	echo "bench.sh: $kernel: running tests/qemu/run.sh $kernel --bench $* (console: $logdir/$kernel.log)"
	# Generous limits (arm64 under TCG on a busy host is slow); the
	# caller's own --timeout / --test-timeout come later and win.
	"$top/tests/qemu/run.sh" "$kernel" --bench --timeout 2400 --test-timeout 1200 "$@" |
		grep --line-buffered -E '^(run\.sh:|# |ok |not ok|bench:|init:|EMUCOMPAT-|'"$kernel"': )'
	rc=${PIPESTATUS[0]}
fi
log=$logdir/$kernel.log
[ -s "$log" ] || { echo "bench.sh: no console log $log" >&2; exit 1; }
tr -d '\r' <"$log" >"$out/console.log"
con=$out/console.log

getenv() { sed -n "s/^@env $1=//p" "$con" | tail -n 1; }
debver=$(sed -n 's/^debver=//p' "$logdir/$kernel.result" 2>/dev/null)

# --- results.csv -----------------------------------------------------------------
{
	echo "kernel,arch,section,bench,row,variant,baseline,unit,rounds,iters,median,q1,q3,min,max,ratio_median,ratio_q1,ratio_q3"
	sed -n 's/^@csv //p' "$con"
} >"$out/results.csv"

# --- the library's size (host side: the object the guest programs linked) --------
libo=${EMUCOMPAT_BUILD:-$top/build}/$kernel/guest/.obj/64/userlib/emucompat.o
case $(getenv guest_arch) in
aarch64) sizecmd=aarch64-linux-gnu-size ;;
*) sizecmd=size ;;
esac
libsize=
if [ -f "$libo" ] && command -v "$sizecmd" >/dev/null; then
	libsize=$("$sizecmd" "$libo" | awk 'NR == 2 { printf "%d bytes text, %d data, %d bss", $1, $2, $3 }')
fi

# --- report.md ---------------------------------------------------------------------
{
	echo "## emucompat benchmarks: $kernel"
	echo
	echo "Guest: Linux $(getenv guest_kernel)${debver:+ (Debian $debver)} $(getenv guest_arch)," \
		"$(getenv guest_cpus) vCPUs, QEMU TCG (no KVM), clocksource $(getenv clocksource)," \
		"emucompat $(getenv module_version)."
	echo "Host: $(uname -m), $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
		"load average $(cut -d' ' -f1-3 /proc/loadavg) at the end), $(date -u '+%Y-%m-%d %H:%M UTC')."
	echo "Rerun: \`make bench KERNEL=$kernel\`. Absolute times under TCG mean little; the ratios" \
		"are measured side by side in the same guest (per round, then the median)."
	echo
	sed -n 's/^@md \{0,1\}//p' "$con"
	if [ -n "$libsize" ]; then
		echo "Library code (userlib/emucompat.o as linked into the guest programs): $libsize."
		echo
	fi
	echo "### Targets"
	echo
	echo "| target | measured | wanted | result | breakdown |"
	echo "|---|---|---|---|---|"
	sed -n 's/^@target //p' "$con" |
		awk -F'|' '{ printf "| %s | %s | %s | %s | %s |\n", $2, $3, $4, ($5 == "met" ? "met" : "**MISSED**"), $6 }'
	echo
	failed=$(grep -E '^not ok' "$con")
	if [ -n "$failed" ]; then
		echo "Failures in this run:"
		echo
		printf '%s\n' "$failed" | sed 's/^/    /'
		echo
	fi
} >"$out/report.md"

# --- the plot ------------------------------------------------------------------------
# mmap-scaling.dat: one gnuplot data block per curve (blank-line separated,
# addressed by "index"): mappings, median us, q1 us, q3 us.
dat=$out/mmap-scaling.dat
awk -F, '
	$4 == "mmap" && ($6 == "plain" || $6 == "emu") {
		split($5, f, " "); p = substr(f[1], 7); n = substr(f[2], 3)
		key = p " page" (p == 1 ? "" : "s") ": " ($6 == "emu" ? "emucompat_mmap_range" : "plain mmap")
		rows[key] = rows[key] sprintf("%s %g %g %g\n", n, $11 / 1000, $12 / 1000, $13 / 1000)
		if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
	}
	$4 == "alloc" && $5 ~ /^full range/ {
		n = $5; sub(/.*n=/, "", n)
		key = "64 KiB in a full range: " ($6 == "emu" ? "emucompat_mmap_range" : $6 == "probe" ? "probing allocator" : "remembering prober")
		rows[key] = rows[key] sprintf("%s %g %g %g\n", n, $11 / 1000, $12 / 1000, $13 / 1000)
		if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
	}
	END { for (i = 1; i <= nk; i++) printf "# %s\n%s\n\n", order[i], rows[order[i]] }
' "$out/results.csv" >"$dat"
nblocks=$(grep -c '^# ' "$dat")
png=$out/mmap-scaling.png
plotted=
if [ "$nblocks" -gt 0 ] && command -v gnuplot >/dev/null; then
	# Left: mmap against plain mmap; right: 64 KiB allocations against
	# the probing allocators (section 3b).
	mplots='' aplots=''
	i=0
	while IFS= read -r title; do
		p="'$dat' index $i using 1:2:3:4 with yerrorlines lw 2 title '$title'"
		case $title in
		64*) aplots+="${aplots:+, }$p" ;;
		*) mplots+="${mplots:+, }$p" ;;
		esac
		i=$((i + 1))
	done < <(sed -n 's/^# //p' "$dat")
	if gnuplot <<EOF 2>"$out/gnuplot.err"; then
set terminal pngcairo size 1300,560 font ",10" noenhanced
set output '$png'
set multiplot layout 1,2 title "emucompat on $kernel ($(getenv guest_kernel), QEMU TCG, $(date -u +%Y-%m-%d)): median, bars = quartiles"
set logscale xy
set xlabel "mappings in the process"
set ylabel "us per call (TCG)"
set key top left
set grid
set title "mmap: ranged vs plain (section 2)"
set xrange [50:100000]
${mplots:+plot $mplots}
set title "64 KiB allocation (free + allocate) in a full range (section 3b)"
set xrange [500:20000]
${aplots:+plot $aplots}
unset multiplot
EOF
		cp "$png" "$outroot/mmap-scaling.png"
		plotted=", plot $png"
	else
		echo "bench.sh: gnuplot failed: $(head -n 3 "$out/gnuplot.err")" >&2
	fi
else
	echo "bench.sh: no plot (no gnuplot, or no mmap rows)" >&2
fi

echo
cat "$out/report.md"
echo "bench.sh: $kernel: report $out/report.md, data $out/results.csv$plotted"
exit "$rc"
