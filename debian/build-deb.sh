#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debian/build-deb.sh [OUTDIR] — `make deb`: build the binary packages
# (dpkg-buildpackage -us -uc -b) from a copy of the working tree, so that
# neither the tree nor its parent directory gets build products.
#
#   OUTDIR (default build/deb): emucompat-dkms_<v>_all.deb,
#   libemucompat0_<v>_<arch>.deb, libemucompat-dev_<v>_<arch>.deb (+ the
#   -dbgsym package), the .changes and .buildinfo files, build.log.
#
# The copy holds the tracked files plus untracked, not ignored ones (what
# `git status` shows), or, outside git, the tree minus .git and build/.
# The version is PACKAGE_VERSION in dkms.conf; a debian/changelog saying
# otherwise stops the build here (and in debian/rules).  Missing build
# tools are installed when run as root, else the apt-get command is printed.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)
die() { echo "build-deb: $*" >&2; exit 1; }

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
[ -n "$ver" ] || die "no PACKAGE_VERSION=\"...\" line in dkms.conf"

# Build tools (the Build-Depends of debian/control plus dpkg-dev, gcc, make).
need=("dpkg-buildpackage|dpkg-dev" "dpkg-parsechangelog|dpkg-dev" "dh|debhelper" "dh_dkms|dh-dkms"
	"gcc|gcc" "make|make")
missing=()
for n in "${need[@]}"; do
	command -v "${n%%|*}" >/dev/null 2>&1 || missing+=("${n#*|}")
done
if [ ${#missing[@]} -gt 0 ]; then
	mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
		echo "build-deb: installing ${missing[*]}" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			"${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
	else
		die "missing build tools; run: sudo apt-get install ${missing[*]}"
	fi
fi

chver=$(dpkg-parsechangelog -l "$top/debian/changelog" -SVersion)
if [ "$chver" != "$ver" ]; then
	die "version mismatch: debian/changelog has $chver, dkms.conf has PACKAGE_VERSION=\"$ver\"" \
		"(the single source of the version); add a changelog entry:" \
		"dch --newversion $ver --distribution unstable \"New upstream release.\""
fi

work=$out/src
rm -rf "$work"
mkdir -p "$work/emucompat-$ver"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# Tracked files still present, and untracked ones that are not ignored.
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
		done | sort -zu | tar --null --no-recursion -T - -cf -) |
		tar -C "$work/emucompat-$ver" -xf -
else
	tar -C "$top" --exclude=./.git --exclude=./build -cf - . | tar -C "$work/emucompat-$ver" -xf -
fi

rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
echo "build-deb: dpkg-buildpackage -us -uc -b in $work/emucompat-$ver (log: $out/build.log)"
if ! (cd "$work/emucompat-$ver" && dpkg-buildpackage -us -uc -b -J"$(nproc)") >"$out/build.log" 2>&1; then
	echo "build-deb: dpkg-buildpackage failed; the last lines of $out/build.log:" >&2
	tail -n 30 "$out/build.log" >&2
	exit 1
fi
mv "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out/"
rm -rf "$work"
echo "build-deb: packages of emucompat $ver in $out:"
for f in "$out"/*.deb "$out"/*.changes; do echo "    ${f##*/}"; done
