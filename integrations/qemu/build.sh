#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh [--host amd64|arm64] — static qemu-i386 and qemu-arm (linux-user)
# from Debian bookworm's QEMU 7.2 source package, with Debian's patches and
# then ours (patches/series), linked with libemucompat.a built from this
# tree.  --host defaults to this machine's architecture; arm64 on an amd64
# machine is a cross build against a sysroot of arm64 -dev packages
# (downloaded and unpacked with dpkg -x, never installed).
#
# stdout: exactly one line,  QEMU_USER_DIR=<dir>  with <dir>/qemu-i386 and
# <dir>/qemu-arm; <dir>/version holds the Debian source version and the
# series hash ("1:7.2+dfsg-7+deb12u18 emucompat-<hash>").  Everything else
# goes to stderr.  Non-zero exit with a message on failure.
#
# Cache (outside the clone; EMUCOMPAT_CACHE moves it):
#   qemu-src/                 private apt lists, the source package (once)
#   qemu-user/<debver>-<hash>/src          patched source tree
#   qemu-user/<debver>-<hash>/<host>/      build/, bin/, sysroot/ (arm64 cross)
# <hash> covers this script, patches/series and the patches: changing any
# of them builds afresh.  A rerun with nothing changed takes seconds; if
# only the library changed, the two binaries are relinked (a changed
# emucompat.h recompiles what includes it).  Parallel callers are
# serialised with flock.
#
# Environment: EMUCOMPAT_CACHE, QEMU_DEB_VERSION (pin a Debian version of
# qemu instead of bookworm's current one on the first download), JOBS (2).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${EMUCOMPAT_CACHE:-$HOME/.cache/emucompat}
jobs=${JOBS:-2}
targets=(i386 arm)

log() { echo "qemu-user: $*" >&2; }
die() { echo "qemu-user: error: $*" >&2; exit 1; }

usage() {
	sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
}

native=$(dpkg --print-architecture 2>/dev/null) || die "dpkg is needed"
host=$native
while [ $# -gt 0 ]; do
	case $1 in
	--host) host=${2:?--host needs amd64 or arm64}; shift 2 ;;
	--host=*) host=${1#--host=}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage; die "unknown argument '$1'" ;;
	esac
done
case $host in
amd64|arm64) ;;
*) die "--host must be amd64 or arm64, not '$host'" ;;
esac
cross=
if [ "$host" != "$native" ]; then
	[ "$native" = amd64 ] && [ "$host" = arm64 ] ||
		die "can cross-build only for arm64 on amd64 (this is $native)"
	cross=aarch64-linux-gnu
fi
triplet=${cross:-$(gcc -dumpmachine 2>/dev/null || echo "$native")}

# ---- build dependencies ------------------------------------------------------
# "test|package": a command name or an absolute path.
needs=(
	"make|make" "gcc|gcc" "patch|patch" "xz|xz-utils" "flock|util-linux"
	"python3|python3" "meson|meson" "ninja|ninja-build" "pkg-config|pkg-config"
	"dpkg-source|dpkg-dev" "apt-get|apt"
	"/usr/share/keyrings/debian-archive-keyring.gpg|debian-archive-keyring"
)
if [ -n "$cross" ]; then
	needs+=("$cross-gcc|gcc-$cross" "/usr/$cross/lib/libc.a|libc6-dev-arm64-cross")
else
	multi=$(gcc -print-multiarch 2>/dev/null || echo "$triplet")
	# bookworm's libglib2.0-dev ships the static archives (and pulls in
	# libpcre2-dev, zlib1g-dev, libffi-dev, libmount-dev, libselinux1-dev).
	needs+=("/usr/lib/$multi/libc.a|libc6-dev"
		"/usr/lib/$multi/libglib-2.0.a|libglib2.0-dev"
		"/usr/lib/$multi/libz.a|zlib1g-dev")
fi
missing=()
for n in "${needs[@]}"; do
	t=${n%%|*} p=${n#*|}
	case $t in
	/*) [ -e "$t" ] && continue ;;
	*) command -v "$t" >/dev/null 2>&1 && continue ;;
	esac
	missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		log "installing build dependencies: ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 || {
			apt-get update -q >&2
			apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
		} || die "apt-get install ${missing[*]} failed"
	else
		die "missing build dependencies; install them with: apt-get install --no-install-recommends ${missing[*]}"
	fi
fi

# ---- private apt configuration (never the system's) --------------------------
srcroot=$cache/qemu-src
aptdir=$srcroot/apt
mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
aptopts=(-o "Dir::Etc::SourceList=$aptdir/sources.list" -o Dir::Etc::SourceParts=/dev/null
	 -o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache=$aptdir/cache"
	 -o "Dir::State::Status=$aptdir/status"
	 -o APT::Architectures::=amd64 -o APT::Architectures::=arm64
	 -o APT::Sandbox::User=root -q)
touch "$aptdir/status"
apt_update() {
	# At most once a day.
	if [ -z "$(find "$aptdir/lists" -maxdepth 1 -name '*_Sources' -mmin -1440 2>/dev/null | head -1)" ] ||
	   [ -z "$(find "$aptdir/lists" -maxdepth 1 -name '*_Packages' -mmin -1440 2>/dev/null | head -1)" ]; then
		cat >"$aptdir/sources.list" <<-LIST
		deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
		deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main
		deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
		deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
		deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main
		deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
		LIST
		log "apt-get update (private lists in $aptdir)"
		apt-get "${aptopts[@]}" update >&2 || die "apt-get update failed"
	fi
}

# ---- the source package, once ------------------------------------------------
exec 7>"$srcroot/.lock"
flock 7
if [ ! -s "$srcroot/CURRENT" ] || [ -n "${QEMU_DEB_VERSION:-}" ]; then
	apt_update
	want=${QEMU_DEB_VERSION:-}
	if [ -z "$want" ]; then
		want=$(apt-cache "${aptopts[@]}" showsrc qemu | sed -n 's/^Version: //p' |
			grep -E '^1:7\.2\+dfsg-7(\+deb12u[0-9]+)?$' | sort -Vr | head -1)
		[ -n "$want" ] || die "no qemu 1:7.2+dfsg-7+deb12u* source in bookworm"
	fi
	case $want in
	1:7.2+dfsg-*) ;;
	*) die "the patches are for QEMU 7.2 (1:7.2+dfsg-*), not $want" ;;
	esac
	vdir=$srcroot/${want#*:}
	if [ ! -f "$vdir/.done" ]; then
		log "downloading the qemu $want source package"
		rm -rf "$vdir.tmp"
		mkdir -p "$vdir.tmp"
		(cd "$vdir.tmp" && apt-get "${aptopts[@]}" source --download-only "qemu=$want" >&2) ||
			die "apt-get source qemu=$want failed"
		rm -rf "$vdir"
		mv "$vdir.tmp" "$vdir"
		touch "$vdir/.done"
	fi
	echo "$want" >"$srcroot/CURRENT"
fi
debver=$(cat "$srcroot/CURRENT")
vdir=$srcroot/${debver#*:}
dsc=$(ls "$vdir"/qemu_*.dsc 2>/dev/null | head -1)
[ -n "$dsc" ] || die "no .dsc in $vdir (remove $srcroot/CURRENT to download again)"
flock -u 7

# ---- patched source tree, shared by both host arches -------------------------
series=$here/patches/series
[ -f "$series" ] || die "$series is missing"
mapfile -t patches < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$series")
hash=$( { cat "$here/build.sh" "$series"; for p in "${patches[@]}"; do cat "$here/patches/$p"; done; } |
	sha256sum | cut -c1-12)
base=$cache/qemu-user/${debver#*:}-$hash
mkdir -p "$base"
src=$base/src
exec 8>"$base/.src.lock"
flock 8
if [ ! -f "$src/.done" ]; then
	log "unpacking $(basename "$dsc") (with Debian's patches) and applying ${#patches[@]} patches"
	rm -rf "$src" "$src.tmp"
	dpkg-source -x "$dsc" "$src.tmp" >&2 || die "dpkg-source -x $dsc failed"
	for p in "${patches[@]}"; do
		log "  $p"
		patch -d "$src.tmp" -p1 --forward --no-backup-if-mismatch -s <"$here/patches/$p" >&2 ||
			die "$p does not apply to qemu $debver"
	done
	echo "$debver" >"$src.tmp/.debian-version"
	mv "$src.tmp" "$src"
	touch "$src/.done"
fi
flock -u 8

# ---- per host arch: everything below under one lock --------------------------
out=$base/$host
mkdir -p "$out"
exec 9>"$out.lock"
if ! flock -n 9; then
	log "another build for $host is running; waiting"
	flock 9
fi
build=$out/build
nice=(nice -n 10)

# The arm64 sysroot: bookworm's -dev packages for what the static link needs.
if [ -n "$cross" ]; then
	sysroot=$out/sysroot
	if [ ! -f "$sysroot/.done" ]; then
		apt_update
		pkgs=(libglib2.0-dev libglib2.0-0 libpcre2-dev libpcre2-8-0 zlib1g-dev zlib1g
		      libffi-dev libffi8 libmount-dev libmount1 libblkid-dev libblkid1
		      libselinux1-dev libselinux1 libsepol-dev libsepol2)
		log "arm64 sysroot: ${pkgs[*]}"
		rm -rf "$sysroot.tmp"
		mkdir -p "$sysroot.tmp/debs"
		(cd "$sysroot.tmp/debs" && apt-get "${aptopts[@]}" download "${pkgs[@]/%/:arm64}" >&2) ||
			die "apt-get download of the arm64 -dev packages failed"
		for d in "$sysroot.tmp"/debs/*.deb; do
			dpkg -x "$d" "$sysroot.tmp"
		done
		rm -rf "$sysroot.tmp/debs" "$sysroot"
		mv "$sysroot.tmp" "$sysroot"
		touch "$sysroot/.done"
	fi
	libprefix=/usr libroot=$sysroot
	libdir=/usr/lib/$cross
else
	libprefix=$out/emucompat libroot=
	libdir=$libprefix/lib
fi

# pkg-config as QEMU sees it (configure and any meson re-run).
if [ -n "$cross" ]; then
	pcenv="export PKG_CONFIG_LIBDIR=$sysroot/usr/lib/$cross/pkgconfig:$sysroot/usr/share/pkgconfig
export PKG_CONFIG_SYSROOT_DIR=$sysroot"
else
	pcenv="export PKG_CONFIG_PATH=$libprefix/lib/pkgconfig\${PKG_CONFIG_PATH:+:\$PKG_CONFIG_PATH}"
fi
printf '#!/bin/sh\n%s\nexec /usr/bin/pkg-config "$@"\n' "$pcenv" >"$out/pkg-config"
chmod +x "$out/pkg-config"

# libemucompat from this tree, through its own Makefile, into a staging
# directory; then copied where QEMU looks only if it differs, so that an
# unchanged library leaves the build untouched.
# Built afresh every time (a few seconds): objects of another copy of the
# tree must not look up to date by their mtimes.  The source path is mapped
# out of the debug info, so copies of one tree give the same archive.
log "libemucompat for $host (make install-lib in $top)"
stage=$out/lib-stage
rm -rf "$stage" "$out/lib-build"
LIB_CFLAGS="${LIB_CFLAGS:--O2 -g} -ffile-prefix-map=$top=." \
make -s -C "$top" install-lib B="$out/lib-build" DESTDIR="$stage" PREFIX="$libprefix" \
	LIBDIR="$libdir" ${cross:+CROSS_COMPILE=$cross-} >&2 ||
	die "building libemucompat failed (make -C $top install-lib)"
rm -rf "$out/lib-build"
relink=0 pc_changed=0
for f in "$libdir/libemucompat.a" "$libdir/pkgconfig/emucompat.pc" \
	 "$libprefix/include/emucompat.h" "$libprefix/include/linux/emucompat.h"; do
	[ -f "$stage$f" ] || die "make install-lib did not install $f"
	if ! cmp -s "$stage$f" "$libroot$f"; then
		mkdir -p "$(dirname "$libroot$f")"
		cp "$stage$f" "$libroot$f.tmp"
		mv "$libroot$f.tmp" "$libroot$f"
		case $f in
		*.a) relink=1 ;;
		*.pc) pc_changed=1 ;;
		esac
	fi
done

# Configure once.
if [ ! -f "$build/.configured" ]; then
	rm -rf "$build"
	mkdir -p "$build"
	conf=(--static --disable-system --enable-linux-user --disable-bsd-user
	      --disable-tools --disable-docs --disable-guest-agent --disable-xen
	      --disable-gio --disable-selinux --disable-capstone
	      --target-list="$(printf '%s-linux-user,' "${targets[@]}" | sed 's/,$//')"
	      --with-git-submodules=ignore --enable-emucompat
	      --with-pkgversion="Debian $debver, emucompat $hash"
	      --interp-prefix=/etc/qemu-binfmt/%M)
	[ -n "$cross" ] && conf+=(--cross-prefix="$cross-")
	log "configure for $host (log: $build/configure.log)"
	t0=$(date +%s)
	(cd "$build" && PKG_CONFIG="$out/pkg-config" "${nice[@]}" "$src/configure" "${conf[@]}") \
		>"$out/configure.log" 2>&1 || {
		tail -30 "$out/configure.log" >&2
		die "configure failed for $host (see $out/configure.log)"
	}
	mv "$out/configure.log" "$build/configure.log"
	grep -qE '^#define CONFIG_EMUCOMPAT( 1)?$' "$build/config-host.h" ||
		die "configure did not enable emucompat (see $build/configure.log)"
	log "configured in $(( $(date +%s) - t0 )) s"
	touch "$build/.configured"
elif [ "$pc_changed" = 1 ]; then
	log "emucompat.pc changed: re-running meson"
	(cd "$build" && PKG_CONFIG="$out/pkg-config" "${nice[@]}" ninja reconfigure >&2) ||
		die "meson reconfigure failed for $host"
fi

bins=("${targets[@]/#/qemu-}")
if [ "$relink" = 1 ] && [ -e "$build/${bins[0]}" ]; then
	# Make sure ninja links the binaries again with the new archive.
	log "libemucompat.a changed: relinking ${bins[*]}"
	for b in "${bins[@]}"; do rm -f "$build/$b"; done
fi
log "building ${bins[*]} for $host (nice, -j$jobs)"
t0=$(date +%s)
PKG_CONFIG="$out/pkg-config" "${nice[@]}" ninja -C "$build" -j "$jobs" "${bins[@]}" >"$out/ninja.log" 2>&1 || {
	grep -E 'error|FAILED' "$out/ninja.log" | head -30 >&2
	die "build failed for $host (see $out/ninja.log)"
}
log "ninja done in $(( $(date +%s) - t0 )) s"

# Publish: bin/ changes only when a binary does.
bindir=$out/bin
mkdir -p "$bindir"
for b in "${bins[@]}"; do
	[ -x "$build/$b" ] || die "$build/$b was not built"
	if ! cmp -s "$build/$b" "$bindir/$b"; then
		cp "$build/$b" "$bindir/.$b.tmp"
		mv "$bindir/.$b.tmp" "$bindir/$b"
	fi
done
echo "$debver emucompat-$hash" >"$bindir/.version.tmp"
if cmp -s "$bindir/.version.tmp" "$bindir/version"; then
	rm -f "$bindir/.version.tmp"
else
	mv "$bindir/.version.tmp" "$bindir/version"
fi
log "qemu $debver + emucompat patches ($hash) for $host: $bindir"
echo "QEMU_USER_DIR=$bindir"
