#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh — box64's box32 (patched with emucompat, and stock) against the
# same programs run natively as 32-bit processes, inside a guest of the test
# harness (busybox sh, TAP).  Packed as /tests/t_box64.sh by
# guest-check.sh --stage, which tests/qemu/run.sh calls on the lanes of
# $EMUCOMPAT_BOX64 (never by the suite itself: a lane without it has no
# t_box64.sh).
#
# /box64root   the chroot box64 runs in: Debian bookworm's i386 sysroot of
#              tests/qemu/sysroot32.sh (the programs and their libraries,
#              emulated by box32), the host's runtime libraries (x86-64
#              glibc, or bookworm's arm64 libc6/libgcc-s1), /bin/box64
#              (patched), /bin/box64-stock and /box32/ (the programs of
#              check/: dynamic PIE for box32, static for the reference);
# /box64ref    on arm64 only: the armhf sysroot (the same Debian versions)
#              with check/'s programs built static for armhf: the native
#              reference where the kernel has no i386 ABI.  On x86_64 the
#              reference runs the i386 programs natively in /box64root.
#
# Per case (CASES below):
#   native            the reference, run twice (the runs must agree, else
#                     the case says nothing);
#   patched           box64 with the module loaded: must equal native;
#   noemucompat       patched with BOX64_EMUCOMPAT=0 (only the box32 fixes
#                     0001/0002): shown;
#   stock             unpatched box64: the negative control, a table in
#                     the log ("# BOX64-ROW" lines), never a failure by
#                     itself; one check that it differs from native in at
#                     least one case;
#   patched-unloaded  after rmmod emucompat: must equal noemucompat (the
#                     series is off without /dev/emucompat).
# A record: stdout, then stderr lines prefixed "2> " are shown but not
# compared (box64's own messages differ from the native libraries'), then
# "exit N".  Filters drop only what varies between two runs (filter_*).
R=/box64root
n=0 nfail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); nfail=$((nfail + 1)); echo "not ok $n - $1"; }
finish() { echo "1..$n"; [ "$nfail" -eq 0 ]; exit; }
W=/tmp/box64
mkdir -p "$W"

arch=$(uname -m)
case $arch in
x86_64) REF=$R ;;
aarch64) REF=/box64ref ;;
*) notok "box64 on $arch: no 32-bit reference ABI"; finish ;;
esac
roots=$R
[ "$REF" != "$R" ] && roots="$R $REF"
if [ ! -x "$R/bin/box64" ] || [ ! -x "$R/bin/box64-stock" ]; then
	notok "no /bin/box64 and /bin/box64-stock in $R (guest-check.sh --stage)"
	finish
fi
for d in $roots; do
	[ -d "$d/box32" ] || { notok "no $d/box32 (guest-check.sh --stage)"; finish; }
	mkdir -p "$d/dev" "$d/proc" "$d/sys" "$d/tmp"
	{ mount --bind /dev "$d/dev" && mount -t proc proc "$d/proc" && mount --bind /sys "$d/sys" &&
	  mount -t tmpfs tmpfs "$d/tmp"; } || { notok "cannot prepare the chroot $d"; finish; }
done
echo "# box64: $(cat "$R/box64.version" 2>/dev/null)"
echo "# programs (i386): $(cut -d' ' -f1,3,4 "$R/.emucompat/programs" 2>/dev/null | tr '\n' ';')"
[ "$REF" != "$R" ] && echo "# programs (armhf reference): $(cut -d' ' -f1,3,4 "$REF/.emucompat/programs" 2>/dev/null | tr '\n' ';')"

# --- devices (as tests/guest/qemu_user.sh finds them) --------------------------
video=
for v in /sys/class/video4linux/video*; do
	[ -r "$v/name" ] || continue
	case $(cat "$v/name") in *"Capture"*) video=/dev/${v##*/}; break ;; esac
done
[ -n "$video" ] || { [ -c /dev/video0 ] && video=/dev/video0; }
card=
[ -c /dev/snd/controlC0 ] && card=0
case $arch in x86_64) drm=bochs-drm ;; *) drm=virtio_gpu ;; esac
evdev=
for e in /sys/class/input/event*; do
	case $(cat "$e/device/name" 2>/dev/null) in *[Kk]eyboard*) evdev=/dev/input/${e##*/}; break ;; esac
done
loop=
if [ -e /dev/loop-control ]; then
	dd if=/dev/zero of="$W/disk.img" bs=1024 count=1024 2>/dev/null
	loop=$(losetup -f 2>/dev/null)
	if [ -n "$loop" ] && ! losetup "$loop" "$W/disk.img"; then loop=; fi
fi
# fftest's force-feedback device: /box64-ff-uinput (check/ff-uinput.c,
# native) makes it with uinput and answers its effect uploads.
ffdev=
if [ -x /box64-ff-uinput ] && [ -e /dev/uinput ]; then
	ffdev=$(/box64-ff-uinput "$W/ff.pid") || ffdev=
fi
echo "# devices: video=${video:-none} card=${card:-none} drm=$drm evdev=${evdev:-none} loop=${loop:-none} ff=${ffdev:-none}"

# shellcheck disable=SC2317  # the filters are called through $filt
# --- filters --------------------------------------------------------------------
# vivid's volatile controls (gain follows its simulated autogain) and its
# read-only 32-bit test control (vivid's thread counts it up): the value.
filter_v4l2_volatile() {
	sed -E '/volatile|read_only_integer_32_bits/s/ value=[-0-9]+/ value=<changes>/'
}
# shellcheck disable=SC2317
# --stream-mmap --verbose: per buffer index, sequence, bytesused and flags
# are compared; its timestamp and what follows from the times are dropped.
# The sequence number: vivid skips one when its thread falls behind (a
# loaded host under TCG), so only what a misread field would break is
# kept: the first is below 100 and each later one is greater than the one
# before ("seq: up"), else the number is left in.
filter_v4l2_stream() {
	sed -E 's/ [0-9]+\.[0-9]+ fps//g; s/ ts: -?[0-9]+\.[0-9]+//; s/ delta: -?[0-9]+\.[0-9]+ ms//
		s/ fps: [0-9]+\.[0-9]+//; s/ dropped: [0-9]+//' |
	awk '/dqbuf: .* seq: +[0-9]+ / {
		v = $0; sub(/.* seq: +/, "", v); sub(/ .*/, "", v); v += 0
		if (have ? (v > last) : (v < 100)) t = "seq: up"; else t = "seq: " v
		have = 1; last = v
		sub(/seq: +[0-9]+/, t)
	}
	{ print }'
}

# --- the cases --------------------------------------------------------------------
# ID|NEED|EMULATED-LIBS|FILTER|POST|PROGRAM ARGS...
# NEED: a device variable that must be set ("-": none).  EMULATED-LIBS:
# BOX64_EMULATED_LIBS (the i386 library runs emulated, its raw ioctls
# reach box32).  POST: a file in the chroot whose content is appended to
# the record, "stderr": the program's VIDIOC_/dqbuf lines on stderr, "-":
# nothing more.  The program: a path in the chroots; /box32/X is
# check/'s program (the reference runs X.static).
CASES="ioctl|-|-|-|-|/box32/box32-ioctl /tmp
getopt|-|-|-|-|/box32/box32-getopt -v --name=foo a --flag -x bar b
amixer|card|libasound.so.2|-|-|/usr/bin/amixer -c $card contents
alsactl|card|libasound.so.2|-|/tmp/asound.state|/usr/sbin/alsactl -f /tmp/asound.state store $card
v4l2-all|video|-|filter_v4l2_volatile|-|/usr/bin/v4l2-ctl -d $video --all
v4l2-w|video|libv4l2.so.0|filter_v4l2_volatile|-|/usr/bin/v4l2-ctl -w -d $video --all
v4l2-stream|video|-|filter_v4l2_stream|stderr|/usr/bin/v4l2-ctl -d $video --stream-mmap=3 --stream-count=3 --stream-to=/dev/null --verbose
modetest|-|libdrm.so.2|-|-|/usr/bin/modetest -M $drm
evtest|evdev|-|-|-|/usr/bin/evtest --query $evdev EV_KEY KEY_A
fftest|ffdev|-|-|-|/usr/bin/fftest $ffdev
losetup|loop|-|-|-|/usr/sbin/losetup $loop
blockdev|loop|-|-|-|/usr/sbin/blockdev --getsz --getsize64 --getss --getro --getbsz $loop"

CHROOT=$(command -v chroot)
# rec ROOT NAME FILTER POST EMU CMD... — run CMD in chroot ROOT (env -i,
# LC_ALL=C), the record to $W/NAME.
rec() {
	root=$1 name=$2 filt=$3 post=$4 emu=$5
	shift 5
	rm -f "$root/tmp/asound.state"
	timeout 120 env -i PATH=/usr/bin:/bin:/usr/sbin:/sbin LC_ALL=C BOX64_LOG=0 BOX64_NOBANNER=1 \
		BOX64_LD_LIBRARY_PATH=/usr/lib/i386-linux-gnu ${emu:+BOX64_EMULATED_LIBS=$emu} \
		${noec:+BOX64_EMUCOMPAT=0} \
		"$CHROOT" "$root" "$@" </dev/null >"$W/$name.out" 2>"$W/$name.err"
	rc=$?
	# v4l2-ctl --verbose reports each ioctl and buffer on stderr: those
	# lines (not box64's own messages) are part of the record.
	if [ "$post" = stderr ]; then grep -E 'VIDIOC_|dqbuf' "$W/$name.err" | sed 's/^/2> /' >>"$W/$name.out"; fi
	if [ "$filt" != - ]; then $filt <"$W/$name.out" >"$W/$name.f" && mv "$W/$name.f" "$W/$name.out"; fi
	if [ "$post" != - ] && [ "$post" != stderr ]; then
		echo "--- $post" >>"$W/$name.out"
		cat "$root$post" >>"$W/$name.out" 2>&1
	fi
	echo "exit $rc" >>"$W/$name.out"
	echo "# $name: exit $rc, $(wc -l <"$W/$name.out") lines"
	sed 's/^/#   2> /' "$W/$name.err" | head -4
}
# differ A B — the first differing lines of two records, as comments
differ() { diff "$W/$1.out" "$W/$2.out" | grep '^[-+<>]' | head -6 | sed 's/^/#   /'; }
# row CASE KIND RESULT — the machine-readable table line
row() { echo "# BOX64-ROW arch=$arch case=$1 box64=$2 result=$3"; }

noec=
rm -f "$W/stock-differs"
phase_run() {
	phase=$1
	while IFS='|' read -r id need emu filt post cmd; do
		if [ "$need" != - ]; then
			eval "v=\$$need"
			if [ -z "$v" ]; then notok "$id: no $need device in this guest"; continue; fi
		fi
		# shellcheck disable=SC2086
		set -- $cmd
		prog=$1
		shift
		case $prog in /box32/*) nprog=$prog.static ;; *) nprog=$prog ;; esac
		if [ "$phase" = loaded ]; then
			rec "$REF" "$id.native" "$filt" "$post" "" "$nprog" "$@"
			rec "$REF" "$id.native2" "$filt" "$post" "" "$nprog" "$@"
			if ! cmp -s "$W/$id.native.out" "$W/$id.native2.out"; then
				notok "$id: two native runs differ (the case is not deterministic here)"
				differ "$id.native" "$id.native2"
				continue
			fi
			rec "$R" "$id.stock" "$filt" "$post" "$emu" /bin/box64-stock "$prog" "$@"
			rec "$R" "$id.patched" "$filt" "$post" "$emu" /bin/box64 "$prog" "$@"
			noec=1
			rec "$R" "$id.noemucompat" "$filt" "$post" "$emu" /bin/box64 "$prog" "$@"
			noec=
			for k in stock noemucompat patched; do
				if cmp -s "$W/$id.native.out" "$W/$id.$k.out"; then r=same
				elif [ "$(tail -1 "$W/$id.native.out")" != "$(tail -1 "$W/$id.$k.out")" ]; then r=fails
				else r=differs; fi
				row "$id" "$k" "$r"
				[ $k = stock ] && [ $r != same ] && echo "$id" >>"$W/stock-differs"
			done
			if cmp -s "$W/$id.native.out" "$W/$id.patched.out"; then
				ok "$id: patched box32 = native"
			else
				notok "$id: patched box32 differs from native"
				differ "$id.native" "$id.patched"
			fi
		else
			rec "$R" "$id.unloaded" "$filt" "$post" "$emu" /bin/box64 "$prog" "$@"
			if cmp -s "$W/$id.noemucompat.out" "$W/$id.unloaded.out"; then
				ok "$id: module unloaded: patched box32 = itself with BOX64_EMUCOMPAT=0"
			else
				notok "$id: module unloaded: patched box32 differs from itself with BOX64_EMUCOMPAT=0"
				differ "$id.noemucompat" "$id.unloaded"
			fi
		fi
	done <<-EOF
	$CASES
	EOF
}

[ -e /dev/emucompat ] || { notok "no /dev/emucompat (module not loaded)"; finish; }
# Stock box64 (and the patched one with BOX64_EMUCOMPAT=0) crash on purpose
# here: the negative control.  The kernel would report each user-space
# fault on the console ("traps: ... general protection fault", "segfault
# at"), which run.sh's kernel-splat scan cannot tell from a kernel fault.
# debug.exception-trace governs only those user-space reports: off while
# the cases run, then as it was.
et=/proc/sys/debug/exception-trace
et_old=$(cat "$et" 2>/dev/null) || et_old=
[ -n "$et_old" ] && echo 0 >"$et"
t0=$(date +%s)
phase_run loaded
if [ -s "$W/stock-differs" ]; then
	ok "negative control: stock box32 differs from native in $(wc -l <"$W/stock-differs") cases ($(tr '\n' ' ' <"$W/stock-differs"))"
else
	notok "negative control: stock box32 gives the native record in every case (the check could not tell patched from stock)"
fi
if rmmod emucompat && [ ! -e /dev/emucompat ]; then
	phase_run unloaded
	insmod /emucompat.ko 2>/dev/null
else
	notok "rmmod emucompat (for the module-unloaded runs)"
fi
echo "# BOX64-TIME arch=$arch seconds=$(($(date +%s) - t0))"
[ -n "$et_old" ] && echo "$et_old" >"$et"
[ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
[ -s "$W/ff.pid" ] && kill "$(cat "$W/ff.pid")" 2>/dev/null
for d in $roots; do umount "$d/tmp" "$d/sys" "$d/proc" "$d/dev" 2>/dev/null; done
finish
