#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh — runs inside a guest of the test harness, packed there by
# guest-check.sh as /tests/t_box64_check.sh (never by the suite itself).
# /box64root is a chroot with the host's x86-64 glibc, /bin/box64 (patched),
# /bin/box64-stock and /box32/ (the i386 programs of check/, dynamic PIE for
# box32 and static for the native reference run).  For each program: the
# native i386 output, then box32 stock and patched; then the patched box64
# once more with the emucompat module unloaded (it must then behave as
# stock, or for Debian's programs, which stock cannot load, as itself with
# BOX64_EMUCOMPAT=0).  Compared: stdout and the exit status.  TAP; the
# outputs go to the console as "# " lines.
R=/box64root
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }

mkdir -p "$R/sys"
if ! mount --bind /dev "$R/dev" || ! mount -t proc proc "$R/proc" || ! mount -t tmpfs tmpfs "$R/tmp" ||
   ! mount --bind /sys "$R/sys"; then
	echo "not ok 1 - cannot prepare the chroot $R"
	exit 1
fi
export BOX64_LOG=0 BOX64_NOBANNER=1

# run NAME CMD... — output of CMD in the chroot to /tmp/NAME.out (stderr:
# /tmp/NAME.err), both shown as comments.
run() {
	name=$1; shift
	chroot "$R" "$@" >"/tmp/$name.out" 2>"/tmp/$name.err"
	rc=$?
	echo "# $name: exit $rc"
	sed "s/^/#   /" "/tmp/$name.out"
	if [ -s "/tmp/$name.err" ]; then
		echo "#   stderr:"; head -5 "/tmp/$name.err" | sed "s/^/#     /"
	fi
	# The value of a volatile V4L2 control (vivid's autogain) changes
	# from one run to the next: not compared.
	case $name in *v4l2*) sed -i '/flags=.*volatile/d' "/tmp/$name.out" ;; esac
	# The exit status is part of what is compared.
	echo "exit $rc" >>"/tmp/$name.out"
}

# args PROGRAM — its arguments
args() {
	case $1 in
	ioctl) echo /tmp ;;
	getopt) echo "-v --name=foo a --flag -x bar b" ;;
	amixer) echo "-c 0 contents" ;;
	v4l2) echo "-d /dev/video0 --all" ;;
	esac
}
# native/emulated paths of PROGRAM
nat() { case $1 in amixer) echo /usr/bin/amixer ;; v4l2) echo /usr/bin/v4l2-ctl ;; *) echo "/box32/box32-$1.static" ;; esac; }
emu() { nat "$1" | sed 's/\.static$//'; }
progs="ioctl getopt"
# Debian's i386 amixer with its libasound run emulated by box32, when the
# chroot is an i386 sysroot of tests/qemu/sysroot32.sh (snd-dummy's card 0).
if [ -x "$R/usr/bin/amixer" ] && [ -e /dev/snd/controlC0 ]; then
	progs="$progs amixer"
	export BOX64_EMULATED_LIBS=libasound.so.2 BOX64_LD_LIBRARY_PATH=/usr/lib/i386-linux-gnu
fi
# Debian's i386 v4l2-ctl on vivid's /dev/video0.
if [ -x "$R/usr/bin/v4l2-ctl" ] && [ -e /dev/video0 ]; then
	progs="$progs v4l2"
	export BOX64_LD_LIBRARY_PATH=/usr/lib/i386-linux-gnu
fi

for phase in loaded unloaded; do
	if [ $phase = unloaded ]; then
		rmmod emucompat || { nok "rmmod emucompat"; break; }
		[ -e /dev/emucompat ] && { nok "/dev/emucompat still there after rmmod"; break; }
	else
		[ -e /dev/emucompat ] || { nok "no /dev/emucompat (module not loaded)"; break; }
	fi
	for p in $progs; do
		a=$(args "$p")
		# shellcheck disable=SC2086
		run "native-$p-$phase" "$(nat $p)" $a
		# shellcheck disable=SC2086
		run "stock-$p-$phase" /bin/box64-stock "$(emu $p)" $a
		# shellcheck disable=SC2086
		run "patched-$p-$phase" /bin/box64 "$(emu $p)" $a
		if [ $phase = loaded ]; then
			# The box32 fixes alone, emucompat off: shown, not judged.
			# shellcheck disable=SC2086
			(export BOX64_EMUCOMPAT=0; run "patched-noemucompat-$p" /bin/box64 "$(emu $p)" $a)
		fi
		nat=/tmp/native-$p-$phase.out st=/tmp/stock-$p-$phase.out pa=/tmp/patched-$p-$phase.out
		if [ "$p" = amixer ] || [ "$p" = v4l2 ] && [ $phase = unloaded ]; then
			# Stock stops at optarg: compare with the box32 fixes alone.
			no=/tmp/patched-noemucompat-$p.out
			if cmp -s "$no" "$pa"; then ok "$p, module $phase: patched box32 gives what it gives with emucompat off"
			else nok "$p, module $phase: patched box32 differs from itself with emucompat off"; diff "$no" "$pa" | sed 's/^/#   /'; fi
		elif [ $phase = loaded ] || [ "$p" = getopt ]; then
			# With the module (and getopt in any case): the native output.
			if cmp -s "$nat" "$pa"; then ok "$p, module $phase: patched box32 gives the native output"
			else nok "$p, module $phase: patched box32 differs from native"; diff "$nat" "$pa" | sed 's/^/#   /'; fi
		else
			# Without the module the emucompat part is off: as stock.
			if cmp -s "$st" "$pa"; then ok "$p, module $phase: patched box32 gives stock's output"
			else nok "$p, module $phase: patched box32 differs from stock"; diff "$st" "$pa" | sed 's/^/#   /'; fi
		fi
		# The negative control: stock box32 must not give the native output.
		if cmp -s "$nat" "$st"; then nok "$p, module $phase: stock box32 gives the native output (the check proves nothing)"
		else ok "$p, module $phase: stock box32 differs from native (the negative control)"; fi
	done
done
insmod /emucompat.ko 2>/dev/null
umount "$R/sys" "$R/tmp" "$R/proc" "$R/dev" 2>/dev/null
echo "1..$n"
[ "$fails" -eq 0 ]
