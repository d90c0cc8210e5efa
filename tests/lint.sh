#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lint.sh checkpatch|kernel-doc|sparse|all — kernel style and static analysis.
#   checkpatch: checkpatch.pl --strict (from Debian's linux-source, cached)
#               on module/, uapi/ and the test probe module;
#   kernel-doc: scripts/kernel-doc -Wall on module/ (every documented
#               function's comment must match it);
#   sparse:     `make C=2` of the module against the default kernel's headers.
# Exit status non-zero on any finding.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cache=${EMUCOMPAT_CACHE:-$HOME/.cache/emucompat}
kernel=${KERNEL:-6.12-amd64}

checkpatch_path() {
	local dir=$cache/checkpatch
	if [ ! -x "$dir/scripts/checkpatch.pl" ] || [ ! -x "$dir/scripts/kernel-doc" ]; then
		local aptdir=$cache/apt tmp
		# fetch-kernel.sh sets up the private apt lists.
		"$here/qemu/fetch-kernel.sh" "$kernel" >/dev/null
		tmp=$(mktemp -d)
		(cd "$tmp" && apt-get -q -o "Dir::Etc::SourceList=$aptdir/sources.list" \
			-o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$aptdir/lists" \
			-o "Dir::Cache=$aptdir/cache" -o APT::Sandbox::User=root \
			download "linux-source-6.12" >&2)
		dpkg -x "$tmp"/linux-source-6.12_*.deb "$tmp/x"
		mkdir -p "$dir"
		tar -C "$dir" --strip-components=1 -xf "$tmp"/x/usr/src/linux-source-6.12.tar.xz \
			--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch' '*/scripts/kernel-doc'
		rm -rf "$tmp"
	fi
	echo "$dir/scripts/checkpatch.pl"
}

run_checkpatch() {
	local cp files
	cp=$(checkpatch_path)
	files=$(cd "$top" && ls module/*.c module/*.h uapi/linux/*.h tests/kmod/*.c 2>/dev/null | grep -v '\.mod\.c$')
	echo "lint: checkpatch --strict on $(echo "$files" | wc -w) files"
	# shellcheck disable=SC2086
	(cd "$top" && "$cp" --no-tree --strict --quiet --show-types -f $files)
}

run_kerneldoc() {
	local kd out
	kd=$(dirname "$(checkpatch_path)")/kernel-doc
	echo "lint: kernel-doc -Wall on module/"
	out=$(cd "$top" && "$kd" -none -Wall module/*.c module/*.h 2>&1)
	[ -z "$out" ] || { echo "$out"; return 1; }
}

run_sparse() {
	command -v sparse >/dev/null || { echo "lint: sparse missing (apt-get install sparse)" >&2; return 1; }
	eval "$("$here/qemu/fetch-kernel.sh" "$kernel")"
	local out
	out=$(mktemp -d)
	cp -r "$top/module" "$top/uapi" "$top/dkms.conf" "$out/"
	echo "lint: sparse (make C=2) against $KREL"
	make -s -C "$KDIR" M="$out/module" C=2 modules 2>&1 | tee "$out/sparse.log" >&2
	if grep -E 'warning|error' "$out/sparse.log" | grep -v '^make' >/dev/null; then
		rm -rf "$out"
		return 1
	fi
	rm -rf "$out"
	echo "lint: sparse clean"
}

case ${1:-all} in
checkpatch) run_checkpatch ;;
kernel-doc) run_kerneldoc ;;
sparse) run_sparse ;;
all) run_checkpatch && run_kerneldoc && run_sparse ;;
*) echo "usage: lint.sh checkpatch|kernel-doc|sparse|all" >&2; exit 2 ;;
esac
