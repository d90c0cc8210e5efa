#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-consts.sh — emucompat.txt.const must hold what the headers say:
# compiles a program printing each constant from uapi/linux/emucompat.h and
# the libc headers and compares.  Run on amd64: the ioctl numbers use the
# generic _IOC encoding and these MAP_* values are the generic ones, which
# arm64 shares.  Exit status non-zero on any difference.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

names=$(sed -n 's/^\([A-Z_][A-Z0-9_]*\) = .*/\1/p' "$here/emucompat.txt.const")
{
	echo '#include <fcntl.h>'
	echo '#include <stdio.h>'
	echo '#include <sys/mman.h>'
	echo '#include <linux/emucompat.h>'
	echo 'int main(void) {'
	for n in $names; do
		echo "	printf(\"$n = %llu\\n\", (unsigned long long)(long long)($n));"
	done
	echo '	return 0; }'
} >"$tmp/c.c"
grep -E '^[A-Z_][A-Z0-9_]* = ' "$here/emucompat.txt.const" | sort >"$tmp/want"
rc=0
gcc -static -I"$top/uapi" -o "$tmp/c" "$tmp/c.c"
"$tmp/c" | sort >"$tmp/got"
if ! diff -u "$tmp/want" "$tmp/got"; then
	echo "check-consts: emucompat.txt.const disagrees with the headers"
	rc=1
fi
[ $rc -eq 0 ] && echo "check-consts: $(wc -l <"$tmp/want") constants match"
exit $rc
