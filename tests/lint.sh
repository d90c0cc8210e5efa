#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lint.sh checkpatch|kernel-doc|sparse|man|docs|all — kernel style, static
# analysis and the man pages.
#   checkpatch: checkpatch.pl --strict (from Debian's linux-source, cached)
#               on module/, uapi/ and the test probe module;
#   kernel-doc: scripts/kernel-doc -Wall on module/ (every documented
#               function's comment must match it);
#   sparse:     `make C=2` of the module against the default kernel's headers;
#   man:        man/man3/*.3 and man/man7/*.7: `mandoc -T lint -W warning`
#               and `groff -ww -z -man` must be silent (a page that is only
#               `.so man3/X.3` must point to an existing page), and every
#               symbol of userlib/libemucompat.map must have man/man3/NAME.3
#               whose target's NAME section lists it;
#   docs:       README.md and docs/*.md: every relative link names a file
#               of the tree and, with #anchor, a heading of that file
#               (GitHub's anchors); the generated blocks are checked by
#               their generators (make lint, make check-abi); the SVGs are
#               what their docs/*.dot give (docs/gen-svg.sh --check); the
#               README's example (the first C block) compiles with -Werror.
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

# The target of a `.so man3/X.3` page (relative to man/), or empty.
man_so_target() {
	sed -n '1s/^\.so[[:space:]]\{1,\}\([^[:space:]]*\)[[:space:]]*$/\1/p' "$1"
}

run_man() {
	local mandir=$top/man bad=0 p t out sym syms missing=() unnamed=()
	command -v mandoc >/dev/null || { echo "lint: mandoc missing (apt-get install mandoc)" >&2; return 1; }
	command -v groff >/dev/null || { echo "lint: groff missing (apt-get install groff-base)" >&2; return 1; }
	local pages=()
	mapfile -t pages < <(cd "$mandir" && ls man3/*.3 man7/*.7 2>/dev/null)
	[ ${#pages[@]} -gt 0 ] || { echo "lint: no man pages under man/" >&2; return 1; }
	echo "lint: man pages: mandoc -T lint -W warning, groff -ww on ${#pages[@]} pages"
	for p in "${pages[@]}"; do
		t=$(man_so_target "$mandir/$p")
		if [ -n "$t" ]; then
			# A link page: one .so line to an existing, real page.
			# (mandoc flags every .so as fragile; Debian turns them into
			# symlinks, man-db follows them.)
			if [ "$(wc -l <"$mandir/$p")" -ne 1 ] || [ ! -f "$mandir/$t" ] ||
				[ -n "$(man_so_target "$mandir/$t")" ]; then
				echo "$p: .so link page must be the single line '.so man3/PAGE.3' naming a real page" >&2
				bad=1
			fi
			continue
		fi
		# Run from man/, where .so paths resolve as in a man hierarchy.
		out=$(cd "$mandir" && { mandoc -T lint -W warning "$p" 2>&1 || echo "$p: mandoc exit status $?"; })
		[ -z "$out" ] || { echo "$out" >&2; bad=1; }
		out=$(cd "$mandir" && LC_ALL=C.UTF-8 groff -ww -z -man -Tutf8 "$p" 2>&1)
		[ -z "$out" ] || { printf '%s: groff:\n%s\n' "$p" "$out" >&2; bad=1; }
	done
	# Every exported symbol has a page, and that page's NAME lists it.
	syms=$(sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\)[[:space:]]*;.*/\1/p' \
		"$top/userlib/libemucompat.map" | LC_ALL=C sort -u)
	for sym in $syms; do
		p=man3/$sym.3
		if [ ! -f "$mandir/$p" ]; then
			missing+=("$sym")
			continue
		fi
		t=$(man_so_target "$mandir/$p")
		[ -n "$t" ] && p=$t
		[ -f "$mandir/$p" ] || continue # reported above
		sed -n '/^\.SH NAME/,/^\.SH/p' "$mandir/$p" | sed 's/\\-/-/g' |
			grep -Eq "(^|[ ,])$sym(,| -| *$)" || unnamed+=("$sym ($p)")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "lint: no man page (man/man3/NAME.3) for: ${missing[*]}" >&2
		bad=1
	fi
	if [ ${#unnamed[@]} -gt 0 ]; then
		echo "lint: NAME section does not list: ${unnamed[*]}" >&2
		bad=1
	fi
	[ "$bad" = 0 ] || return 1
	echo "lint: man pages clean; $(echo "$syms" | wc -w) exported symbols, each with a page"
}

# Relative links of the front page and docs/ must resolve: a file that
# exists in the tree, and for #anchor a heading of the target .md file.
run_docs() {
	echo "lint: links of README.md and docs/*.md"
	python3 - "$top" <<-'PY'
	import os, re, sys
	top = sys.argv[1]

	def anchors(path):
	    seen, out, fence = {}, set(), False
	    for line in open(path, encoding="utf-8"):
	        if line.startswith("```"):
	            fence = not fence
	        m = None if fence else re.match(r"#{1,6} +(.*?)\s*$", line)
	        if not m:
	            continue
	        a = re.sub(r"[^\w\- ]", "", m.group(1).replace("`", "").lower()).replace(" ", "-")
	        n = seen.get(a, 0)
	        seen[a] = n + 1
	        out.add(a if n == 0 else "%s-%d" % (a, n))
	    return out

	files = ["README.md"] + sorted("docs/" + f for f in os.listdir(os.path.join(top, "docs"))
	                                if f.endswith(".md"))
	bad = 0
	for rel in files:
	    text = open(os.path.join(top, rel), encoding="utf-8").read()
	    text = re.sub(r"```.*?```", "", text, flags=re.S)
	    for m in re.finditer(r"\]\(([^)\s]+)\)", text):
	        link = m.group(1)
	        if re.match(r"[a-z]+:", link):
	            continue
	        path, _, frag = link.partition("#")
	        target = os.path.normpath(os.path.join(os.path.dirname(rel), path)) if path else rel
	        full = os.path.join(top, target)
	        if not os.path.exists(full):
	            print("%s: link to a missing file: %s" % (rel, link), file=sys.stderr)
	            bad = 1
	        elif frag and target.endswith(".md") and frag not in anchors(full):
	            print("%s: link to a missing heading: %s" % (rel, link), file=sys.stderr)
	            bad = 1
	sys.exit(bad)
	PY
	echo "lint: links clean"
	"$top/docs/gen-svg.sh" --check
	echo "lint: docs/*.svg rendered from docs/*.dot"
	local ex
	ex=$(mktemp --suffix=.c)
	awk '/^```c$/ { on = 1; next } on && /^```$/ { exit } on' "$top/README.md" >"$ex"
	if [ ! -s "$ex" ] || ! gcc -std=gnu11 -Wall -Wextra -Werror -fsyntax-only \
		-I"$top/userlib" -I"$top/uapi" "$ex"; then
		echo "lint: README.md's C example does not compile" >&2
		rm -f "$ex"
		return 1
	fi
	rm -f "$ex"
	echo "lint: README.md's C example compiles"
}

case ${1:-all} in
checkpatch) run_checkpatch ;;
kernel-doc) run_kerneldoc ;;
sparse) run_sparse ;;
man) run_man ;;
docs) run_docs ;;
all) run_docs && run_man && run_checkpatch && run_kerneldoc && run_sparse ;;
*) echo "usage: lint.sh checkpatch|kernel-doc|sparse|man|docs|all" >&2; exit 2 ;;
esac
