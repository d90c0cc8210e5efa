#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh [--base 7.2|10.0|11.1] [--host amd64|arm64] [--bisect]
# — static qemu-i386 and qemu-arm (linux-user) from a Debian QEMU source
# package, with Debian's patches and then ours (<base>/series), linked with
# libemucompat.a built from this tree.  Bases: 7.2 (bookworm, the default),
# 10.0 (trixie), 11.1 (sid).  --host defaults to this machine's
# architecture; arm64 on an amd64 machine is a cross build (bookworm's
# gcc-aarch64-linux-gnu) against a sysroot of the base's suite's arm64 -dev
# packages, for 10.0 and later with that suite's glibc (downloaded and
# unpacked with dpkg -x, never installed).
# --bisect: build the series one patch at a time in one build tree
# (incremental ninja), each step configured with the emucompat feature once
# the series has it; fails at the first patch that does not build.  Prints
# the time per step; stdout as without --bisect (the full series).
#
# stdout: exactly one line,  QEMU_USER_DIR=<dir>  with <dir>/qemu-i386 and
# <dir>/qemu-arm; <dir>/version holds the Debian source version and the
# series hash ("1:7.2+dfsg-7+deb12u18 emucompat-<hash>").  Everything else
# goes to stderr.  Non-zero exit with a message on failure.
#
# Cache (outside the clone; EMUCOMPAT_CACHE moves it):
#   qemu-src/<suite>/         private apt lists, the source package (once),
#                             tools/ (a newer meson, for 10.0 and 11.1)
#   qemu-user/<debver>-<hash>/src          patched source tree
#   qemu-user/<debver>-<hash>/<host>/      build/, bin/, sysroot/ and
#                                          cross-bin/ (arm64 cross)
# <hash> covers this script, <base>/series and its patches: changing any
# of them builds afresh.  A rerun with nothing changed takes seconds; if
# only the library changed, the two binaries are relinked (a changed
# emucompat.h recompiles what includes it).  Parallel callers are
# serialised with flock.
#
# Environment: EMUCOMPAT_CACHE, QEMU_BASE (= --base), QEMU_DEB_VERSION (pin
# a Debian version of qemu instead of the suite's current one on the first
# download), JOBS (2).
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
qbase=${QEMU_BASE:-7.2}
bisect=0
while [ $# -gt 0 ]; do
	case $1 in
	--host) host=${2:?--host needs amd64 or arm64}; shift 2 ;;
	--host=*) host=${1#--host=}; shift ;;
	--base) qbase=${2:?--base needs 7.2, 10.0 or 11.1}; shift 2 ;;
	--base=*) qbase=${1#--base=}; shift ;;
	--bisect) bisect=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage; die "unknown argument '$1'" ;;
	esac
done
case $host in
amd64|arm64) ;;
*) die "--host must be amd64 or arm64, not '$host'" ;;
esac
# Per base: the Debian suite, the versions accepted, the meson it needs.
#   suite      deb-src suites (the first is also the binary suite for meson
#              and the arm64 sysroot)
#   verre      the source versions taken (newest first)
#   newmeson   1: meson from the suite's own package (the host's is older
#              than the base needs: 10.0 and 11.1 ask for >= 1.5)
case $qbase in
7.2)  suite=bookworm verre='^1:7\.2\+dfsg-7(\+deb12u[0-9]+)?$' newmeson=0 ;;
10.0) suite=trixie verre='^1:10\.0\.[0-9]+\+ds-' newmeson=1 ;;
11.1) suite=sid verre='^1:11\.1\.[0-9]+\+ds-' newmeson=1 ;;
*) die "--base must be 7.2, 10.0 or 11.1, not '$qbase'" ;;
esac
cross=
if [ "$host" != "$native" ]; then
	[ "$native" = amd64 ] && [ "$host" = arm64 ] ||
		die "can cross-build only for arm64 on amd64 (this is $native)"
	cross=aarch64-linux-gnu
fi
# The arm64 sysroot is unpacked from the suite's -dev packages.  For 7.2
# they are bookworm's and match the cross toolchain's own glibc (2.36).
# trixie's and sid's glib are built against a newer glibc, so for 10.0 and
# later the sysroot carries that suite's arm64 glibc (libc6-dev) as well,
# and bookworm's cross gcc is pointed at it, ahead of its own
# /usr/aarch64-linux-gnu, by a wrapper (cross-bin/ below).
triplet=${cross:-$(gcc -dumpmachine 2>/dev/null || echo "$native")}

# ---- build dependencies ------------------------------------------------------
# "test|package": a command name or an absolute path.
needs=(
	"make|make" "gcc|gcc" "patch|patch" "xz|xz-utils" "flock|util-linux"
	"python3|python3" "ninja|ninja-build" "pkg-config|pkg-config"
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
[ "$newmeson" = 1 ] || needs+=("meson|meson")
[ "$newmeson" = 1 ] && needs+=("/usr/lib/python3*/venv/__init__.py|python3-venv")
missing=()
for n in "${needs[@]}"; do
	t=${n%%|*} p=${n#*|}
	case $t in
	/*) compgen -G "$t" >/dev/null && continue ;;
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
if [ "$suite" = bookworm ]; then
	srcroot=$cache/qemu-src		# where 7.2 always was
else
	srcroot=$cache/qemu-src/$suite
fi
aptdir=$srcroot/apt
mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
aptopts=(-o "Dir::Etc::SourceList=$aptdir/sources.list" -o Dir::Etc::SourceParts=/dev/null
	 -o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache=$aptdir/cache"
	 -o "Dir::State::Status=$aptdir/status"
	 -o APT::Architectures::=amd64 -o APT::Architectures::=arm64
	 -o APT::Sandbox::User=root -q)
touch "$aptdir/status"
apt_update() {
	# At most once a day: apt stores the lists compressed (..._Sources.lz4,
	# ..._Packages.lz4) and leaves an unchanged list's mtime alone, so the
	# time of the last successful update is .updated's (next to lists/).
	if [ -z "$(find "$aptdir/lists" -maxdepth 1 -type f -name '*_Sources*' 2>/dev/null | head -1)" ] ||
	   [ -z "$(find "$aptdir/lists" -maxdepth 1 -type f -name '*_Packages*' 2>/dev/null | head -1)" ] ||
	   [ -z "$(find "$aptdir/.updated" -mmin -1440 2>/dev/null)" ]; then
		key=/usr/share/keyrings/debian-archive-keyring.gpg
		{
			echo "deb [arch=amd64,arm64 signed-by=$key] http://deb.debian.org/debian $suite main"
			echo "deb-src [signed-by=$key] http://deb.debian.org/debian $suite main"
			if [ "$suite" != sid ]; then
				echo "deb [arch=amd64,arm64 signed-by=$key] http://deb.debian.org/debian $suite-updates main"
				echo "deb [arch=amd64,arm64 signed-by=$key] http://deb.debian.org/debian-security $suite-security main"
				echo "deb-src [signed-by=$key] http://deb.debian.org/debian $suite-updates main"
				echo "deb-src [signed-by=$key] http://deb.debian.org/debian-security $suite-security main"
			fi
		} >"$aptdir/sources.list"
		log "apt-get update (private lists in $aptdir)"
		apt-get "${aptopts[@]}" update >&2 || die "apt-get update failed"
		touch "$aptdir/.updated"
	fi
}

# ---- the source package, once ------------------------------------------------
exec 7>"$srcroot/.lock"
flock 7
if [ ! -s "$srcroot/CURRENT" ] || [ -n "${QEMU_DEB_VERSION:-}" ]; then
	apt_update
	want=${QEMU_DEB_VERSION:-}
	if [ -z "$want" ]; then
		cands=$(apt-cache "${aptopts[@]}" showsrc qemu | sed -n 's/^Version: //p' |
			grep -E "$verre" | sort -Vr)
		[ -n "$cands" ] || die "no qemu $qbase source in $suite"
	else
		cands=$QEMU_DEB_VERSION
	fi
	# A suite's index may list a version whose files the mirror no
	# longer (or not yet) has: take the newest that downloads.
	want=
	for v in $cands; do
		echo "$v" | grep -qE "$verre" ||
			die "the $qbase patches are for qemu versions matching $verre, not $v"
		vdir=$srcroot/${v#*:}
		if [ ! -f "$vdir/.done" ]; then
			log "downloading the qemu $v source package"
			rm -rf "$vdir.tmp"
			mkdir -p "$vdir.tmp"
			if ! (cd "$vdir.tmp" && apt-get "${aptopts[@]}" source --download-only "qemu=$v" >&2); then
				log "qemu=$v does not download"
				rm -rf "$vdir.tmp"
				continue
			fi
			rm -rf "$vdir"
			mv "$vdir.tmp" "$vdir"
			touch "$vdir/.done"
		fi
		want=$v
		break
	done
	[ -n "$want" ] || die "no qemu $qbase source package downloads from $suite (tried: ${cands//$'\n'/ })"
	echo "$want" >"$srcroot/CURRENT"
fi
debver=$(cat "$srcroot/CURRENT")
vdir=$srcroot/${debver#*:}
dsc=$(ls "$vdir"/qemu_*.dsc 2>/dev/null | head -1)
[ -n "$dsc" ] || die "no .dsc in $vdir (remove $srcroot/CURRENT to download again)"

# A meson new enough for 10.0 and later: the suite's own package
# (architecture all, pure Python), unpacked with dpkg -x and used through
# PYTHONPATH; never installed.  QEMU's configure finds it from its venv.
if [ "$newmeson" = 1 ]; then
	mroot=$srcroot/tools/meson
	if [ ! -f "$mroot/.done" ]; then
		apt_update
		rm -rf "$mroot.tmp"
		mkdir -p "$mroot.tmp/debs"
		(cd "$mroot.tmp/debs" && apt-get "${aptopts[@]}" download meson >&2) ||
			die "apt-get download meson ($suite) failed"
		dpkg -x "$mroot.tmp"/debs/meson_*.deb "$mroot.tmp"
		rm -rf "$mroot.tmp/debs" "$mroot"
		mv "$mroot.tmp" "$mroot"
		touch "$mroot/.done"
	fi
	export PYTHONPATH=$mroot/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}
fi
flock -u 7

# ---- patched source tree, shared by both host arches -------------------------
pdir=$here/$qbase
series=$pdir/series
[ -f "$series" ] || die "$series is missing"
mapfile -t patches < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$series")
hash=$( { cat "$here/build.sh" "$series"; for p in "${patches[@]}"; do cat "$pdir/$p"; done; } |
	sha256sum | cut -c1-12)
base=$cache/qemu-user/${debver#*:}-$hash
# --bisect always starts afresh: its tree ends with every patch applied.
if [ "$bisect" = 1 ]; then
	base=$base-bisect
	rm -rf "$base"
fi
mkdir -p "$base"
src=$base/src
exec 8>"$base/.src.lock"
flock 8
if [ ! -f "$src/.done" ]; then
	log "unpacking $(basename "$dsc") (with Debian's patches) and applying ${#patches[@]} patches"
	rm -rf "$src" "$src.tmp"
	dpkg-source -x "$dsc" "$src.tmp" >&2 || die "dpkg-source -x $dsc failed"
	# --bisect: only up to the patch that adds the emucompat option (the
	# first configure needs it); the others one at a time below.
	napplied=0
	for p in "${patches[@]}"; do
		if [ "$bisect" = 1 ] && grep -q "option('emucompat'" "$src.tmp/meson_options.txt"; then
			break
		fi
		log "  $p"
		patch -d "$src.tmp" -p1 --forward --no-backup-if-mismatch -s <"$pdir/$p" >&2 ||
			die "$p does not apply to qemu $debver"
		napplied=$((napplied + 1))
	done
	echo "$napplied" >"$src.tmp/.emucompat-applied"
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

# The arm64 sysroot: the suite's -dev packages for what the static link
# needs (and for trixie and later its glibc: see above).
if [ -n "$cross" ]; then
	sysroot=$out/sysroot
	if [ ! -f "$sysroot/.done" ]; then
		apt_update
		pkgs=(libpcre2-dev libpcre2-8-0 zlib1g-dev zlib1g
		      libffi-dev libffi8 libmount-dev libmount1 libblkid-dev libblkid1
		      libselinux1-dev libselinux1 libsepol-dev libsepol2)
		allpkgs=()
		if [ "$suite" = bookworm ]; then
			pkgs+=(libglib2.0-dev libglib2.0-0)
		else
			# glib's static archives and .pc files are in
			# libgio-2.0-dev; linux-libc-dev is architecture all.
			pkgs+=(libgio-2.0-dev libglib2.0-0t64 libsysprof-capture-4-dev
			       libc6-dev libc6 libcrypt-dev libcrypt1)
			allpkgs=(linux-libc-dev)
		fi
		log "arm64 sysroot ($suite): ${pkgs[*]} ${allpkgs[*]}"
		rm -rf "$sysroot.tmp"
		mkdir -p "$sysroot.tmp/debs"
		(cd "$sysroot.tmp/debs" &&
		 apt-get "${aptopts[@]}" download "${pkgs[@]/%/:arm64}" "${allpkgs[@]}" >&2) ||
			die "apt-get download of the arm64 -dev packages failed"
		for d in "$sysroot.tmp"/debs/*.deb; do
			dpkg -x "$d" "$sysroot.tmp"
		done
		# merged-/usr, as an installed system (libc.so names
		# /lib/<triplet>/libc.so.6)
		for d in lib bin sbin; do
			[ -e "$sysroot.tmp/$d" ] || ln -s "usr/$d" "$sysroot.tmp/$d"
		done
		rm -rf "$sysroot.tmp/debs" "$sysroot"
		mv "$sysroot.tmp" "$sysroot"
		touch "$sysroot/.done"
	fi
	libprefix=/usr libroot=$sysroot
	libdir=/usr/lib/$cross
	# The cross tools: bookworm's, the compiler through a wrapper that
	# puts the sysroot's glibc (crt files, libc.a, headers) ahead of
	# the toolchain's own when the sysroot has one.
	xbin=$out/cross-bin
	rm -rf "$xbin"
	mkdir -p "$xbin"
	for t in /usr/bin/"$cross"-*; do
		ln -s "$t" "$xbin/${t##*/}"
	done
	if [ -f "$sysroot/usr/lib/$cross/libc.a" ]; then
		for t in gcc cpp; do
			rm -f "$xbin/$cross-$t"
			printf '#!/bin/sh\nexec %s --sysroot=%s -B%s/ -L%s -isystem %s -isystem %s "$@"\n' \
				"/usr/bin/$cross-$t" "$sysroot" "$sysroot/usr/lib/$cross" \
				"$sysroot/usr/lib/$cross" "$sysroot/usr/include/$cross" \
				"$sysroot/usr/include" >"$xbin/$cross-$t"
			chmod +x "$xbin/$cross-$t"
		done
	fi
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
	LIBDIR="$libdir" ${cross:+CROSS_COMPILE=$xbin/$cross-} >&2 ||
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
	      --with-pkgversion="Debian $debver, emucompat $hash"
	      --interp-prefix=/etc/qemu-binfmt/%M)
	conf+=(--enable-emucompat)
	case $qbase in
	7.2) conf+=(--with-git-submodules=ignore) ;;
	# Debian's +ds source has no firmware blobs and no vendored crates.
	*) conf+=(--disable-install-blobs --disable-rust --disable-download) ;;
	esac
	[ -n "$cross" ] && conf+=(--cross-prefix="$xbin/$cross-")
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
build_bins() {	# build_bins WHAT
	local t0
	t0=$(date +%s)
	PKG_CONFIG="$out/pkg-config" "${nice[@]}" ninja -C "$build" -j "$jobs" "${bins[@]}" >"$out/ninja.log" 2>&1 || {
		grep -E 'error|FAILED' "$out/ninja.log" | head -30 >&2
		die "build failed for $host at $1 (see $out/ninja.log)"
	}
	log "$1: built in $(( $(date +%s) - t0 )) s"
}
if [ "$bisect" = 1 ]; then
	# One tree: built with the patches up to the one that adds the
	# emucompat option (configured with it), then each further patch
	# applied and built incrementally.
	tb=$(date +%s)
	k=$(cat "$src/.emucompat-applied")
	build_bins "patches 1-$k/${#patches[@]}"
	i=0
	for p in "${patches[@]}"; do
		i=$((i + 1))
		[ "$i" -le "$k" ] && continue
		patch -d "$src" -p1 --forward --no-backup-if-mismatch -s <"$pdir/$p" >&2 ||
			die "$p does not apply to qemu $debver after the patches before it"
		build_bins "patch $i/${#patches[@]} $p"
	done
	log "--bisect: ${#patches[@]} patches, each built, in $(( $(date +%s) - tb )) s"
else
	log "building ${bins[*]} for $host (nice, -j$jobs)"
	build_bins "qemu $debver + ${#patches[@]} patches"
fi

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
