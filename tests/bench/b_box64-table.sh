#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# b_box64-table.sh LANE CONSOLE-LOG [OUTDIR] — b_box64's results from the
# console log of a lane run with t_box64_bench.sh, e.g.
#
#   EMUCOMPAT_BOX64=6.12-amd64 EMUCOMPAT_BOX64_BENCH=1 \
#       tests/qemu/run.sh 6.12-amd64 --only 't_box64*'
#   tests/bench/b_box64-table.sh 6.12-amd64 $EMUCOMPAT_LOGDIR/6.12-amd64.log
#
# writes OUTDIR/LANE.csv (bench.h's CSV header; section "box64") and
# OUTDIR/LANE.md (the table b_box64 prints), OUTDIR by default
# tests/bench/box64-results, and prints the table.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
lane=${1:?usage: b_box64-table.sh LANE CONSOLE-LOG [OUTDIR]}
log=${2:?usage: b_box64-table.sh LANE CONSOLE-LOG [OUTDIR]}
out=${3:-$here/box64-results}
[ -s "$log" ] || { echo "b_box64-table: no $log" >&2; exit 1; }
header=$(sed -n 's/^#define B_CSV_HEADER "\(.*\)" \\$/\1/p; s/^[[:space:]]*"\(.*\)"$/\1/p' "$here/bench.h" | tr -d '\n')
con=$(tr -d '\r' <"$log")
grep -q '^@csv [^,]*,[^,]*,box64,' <<<"$con" || { echo "b_box64-table: no b_box64 rows in $log" >&2; exit 1; }
mkdir -p "$out"
{
	echo "$header"
	sed -n 's/^@csv \([^,]*,[^,]*,box64,\)/\1/p' <<<"$con"
} >"$out/$lane.csv"
{
	echo "<!-- b_box64 (tests/bench/b_box64.c, b32_box64.c) on $lane: $(sed -n 's/^# box64: //p' <<<"$con" | head -1) -->"
	echo
	sed -n 's/^@md //p' <<<"$con" | sed -n '/^### box64/,$p'
	echo
	echo "Medians (quartiles) of the per-round values; patched / stock: the median (quartiles) of the per-round ratios."
} >"$out/$lane.md"
cat "$out/$lane.md"
