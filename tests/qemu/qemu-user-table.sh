#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-user-table.sh [CONSOLE-LOG...] — README's "QEMU linux-user" table from
# the console logs of run.sh (default: $EMUCOMPAT_LOGDIR/*.log, i.e.
# /tmp/emucompat-logs), made from the "# QEMU-USER-ROW", "# QEMU-USER-LANE"
# and "# QEMU-USER-TIME" lines that tests/guest/qemu_user.sh prints.
#
# One row per program (Debian package and version), one column pair
# (stock, patched) per QEMU and guest architecture: qemu-i386 and qemu-arm
# on the amd64 guest, qemu-arm and qemu-i386 on the arm64 guest; "same-ABI"
# when the QEMU's guest is the kernel's own 32-bit ABI, else "cross-ABI".
# A cell is "same" when every case of the program gave the native output,
# else "differs N/M" or "fails N/M" (an exit status differs in at least one
# case), "-" when not run.  Then the first difference of stock QEMU per
# program, the lanes, and the test's time per lane.
set -euo pipefail

logs=("$@")
if [ ${#logs[@]} -eq 0 ]; then
	shopt -s nullglob
	logs=("${EMUCOMPAT_LOGDIR:-/tmp/emucompat-logs}"/*.log)
fi
[ ${#logs[@]} -gt 0 ] || { echo "qemu-user-table: no console logs" >&2; exit 1; }

cat "${logs[@]}" | tr -d '\r' | grep -E '^# QEMU-USER-(ROW|LANE|TIME) ' | awk '
function field(k,   i, s) {
	# "key=value" up to the next " key=" (first= is last and may hold spaces)
	i = index($0, " " k "=")
	if (!i) return ""
	s = substr($0, i + length(k) + 2)
	if (k != "first") sub(/ [a-z]+=.*/, "", s)
	return s
}
/QEMU-USER-LANE/ {
	a = field("arch"); lane[a] = "kernel " field("kernel") ", stock QEMU " field("stock") ", patched QEMU " field("patched")
	next
}
/QEMU-USER-TIME/ {
	a = field("arch"); g = field("group"); gsecs[a, g] = field("seconds")
	if (!((a, g) in gseen)) { gseen[a, g] = 1; glist[a] = glist[a] " " g }
	next
}
{
	# one result per (arch, case, QEMU, kind): the last log given wins
	a = field("arch"); p = field("prog"); k = field("kind"); q = field("qemu")
	if (!(p in pseen)) { pseen[p] = 1; progs[++np] = p }
	if (field("ver") != "") ver[p] = field("ver")
	key = a SUBSEP field("case") SUBSEP q SUBSEP k
	if (!(key in res)) keys[++nk] = key
	res[key] = field("result"); first[key] = field("first"); kprog[key] = p
}
function aggregate(   i, key, f, a, id, q, k, p, r, c) {
	for (i = 1; i <= nk; i++) {
		key = keys[i]; split(key, f, SUBSEP); a = f[1]; id = f[2]; q = f[3]; k = f[4]
		p = kprog[key]; r = res[key]
		c = a SUBSEP q SUBSEP k SUBSEP p
		if (r == "skip") continue
		n[c]++
		if (r != "same") bad[c]++
		if (r == "fails") fails[c]++
		if (k == "stock" && r != "same" && !((a, p) in sfirst))
			sfirst[a, p] = id " under " q ": " first[key]
		if (k == "patched" && r != "same")
			pbad[++npb] = ((a == "x86_64") ? "amd64" : "arm64") " guest, " id " under patched " q ": " r ": " first[key]
	}
}
function cell(c) {
	if (!(c in n)) return "-"
	if (!(c in bad)) return "same"
	return ((c in fails) ? "fails " : "differs ") bad[c] "/" n[c]
}
END {
	aggregate()
	cols = 0
	for (ai = 1; ai <= 2; ai++) {
		a = (ai == 1) ? "x86_64" : "aarch64"
		for (qi = 1; qi <= 2; qi++) {
			q = (a == "x86_64") == (qi == 1) ? "qemu-i386" : "qemu-arm"
			same = (a == "x86_64") == (q == "qemu-i386")
			ca[++cols] = a; cq[cols] = q
			ch[cols] = ((a == "x86_64") ? "amd64" : "arm64") " " q " " (same ? "same" : "cross") "-ABI"
		}
	}
	printf "| program |"
	for (i = 1; i <= cols; i++) printf " %s, stock | patched |", ch[i]
	printf "\n|---|"
	for (i = 1; i <= cols; i++) printf "---|---|"
	printf "\n"
	for (j = 1; j <= np; j++) {
		p = progs[j]
		printf "| %s (%s) |", p, ver[p]
		for (i = 1; i <= cols; i++)
			printf " %s | %s |", cell(ca[i] SUBSEP cq[i] SUBSEP "stock" SUBSEP p), cell(ca[i] SUBSEP cq[i] SUBSEP "patched" SUBSEP p)
		printf "\n"
	}
	printf "\nStock QEMU, the first difference from the native program:\n\n"
	for (ai = 1; ai <= 2; ai++) {
		a = (ai == 1) ? "x86_64" : "aarch64"
		for (j = 1; j <= np; j++)
			if ((a, progs[j]) in sfirst)
				printf "- %s guest, %s: %s\n", (a == "x86_64") ? "amd64" : "arm64", progs[j], sfirst[a, progs[j]]
	}
	if (npb) {
		printf "\nPatched QEMU differing from the native program:\n\n"
		for (i = 1; i <= npb; i++) printf "- %s\n", pbad[i]
	}
	printf "\n"
	for (a in lane) {
		m = split(substr(glist[a], 2), gl, " ")
		t = 0
		for (i = 1; i <= m; i++) t += gsecs[a, gl[i]]
		printf "- %s guest: %s; the test took %d s (", (a == "x86_64") ? "amd64" : "arm64", lane[a], t
		for (i = 1; i <= m; i++) printf "%s%s %d s", (i > 1 ? ", " : ""), gl[i], gsecs[a, gl[i]]
		printf ")\n"
	}
}'
