#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# b_qemu-table.sh [CSV...] — the patched / stock table of docs/performance.md
# ("QEMU linux-user") from b_qemu's results (section 5 rows of bench.sh's
# results.csv), by default tests/bench/qemu-results/per-call-*.csv.
#
# One row per call, one column per lane and guest ABI (same ABI: the
# kernel's own compat ABI, qemu-i386 on amd64, qemu-arm on arm64; cross-ABI
# the other): the median of the per-round ratios patched / stock and its
# quartiles; "stock fails" where stock QEMU gave no numbers and the patched
# one did.  Prints markdown on stdout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then
	set -- "$here"/qemu-results/per-call-*.csv
fi
for f in "$@"; do
	[ -f "$f" ] || { echo "b_qemu-table: no $f" >&2; exit 1; }
done

awk -F, '
	FNR == 1 { next }
	$3 != "5" || $4 != "qemu" { next }
	{
		lane = ($2 == "x86_64" ? "amd64" : $2 == "aarch64" ? "arm64" : $2)
		split($5, rw, " "); abi = rw[1]; call = rw[2]
		own = (lane == "amd64" ? "i386" : "armhf")
		col = lane " " (abi == "i386" ? "qemu-i386" : "qemu-arm") \
		      (abi == own ? " same ABI" : " cross-ABI")
		if (!(col in seencol)) { seencol[col] = 1; cols[++ncol] = col }
		if (!(call in seencall)) { seencall[call] = 1; calls[++ncall] = call }
		if ($6 == "patched/stock")
			cell[call, col] = sprintf("%.2fx (%.2f-%.2f)", $16, $17, $18)
		else if ($6 == "patched" || $6 == "stock")
			have[call, col, $6] = 1
		vers[lane] = 1
	}
	END {
		# columns: amd64 first, same ABI first
		n = 0
		for (pass = 1; pass <= 4; pass++)
			for (i = 1; i <= ncol; i++) {
				c = cols[i]
				k = (c ~ /^amd64/ ? 0 : 2) + (c ~ /same/ ? 1 : 2)
				if (k == pass) ord[++n] = c
			}
		printf "| call |"
		for (i = 1; i <= n; i++) printf " %s |", ord[i]
		printf "\n|---|"
		for (i = 1; i <= n; i++) printf "---|"
		printf "\n"
		for (j = 1; j <= ncall; j++) {
			printf "| %s |", calls[j]
			for (i = 1; i <= n; i++) {
				c = ord[i]
				if ((calls[j], c) in cell)
					v = cell[calls[j], c]
				else if (have[calls[j], c, "patched"] && !have[calls[j], c, "stock"])
					v = "stock fails"
				else
					v = "-"
				printf " %s |", v
			}
			printf "\n"
		}
	}
' "$@"
