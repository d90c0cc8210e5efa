#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# qemu_user.sh GROUP — real 32-bit Debian programs under QEMU linux-user
# (patched with emucompat, and stock) against the same programs run
# natively as real 32-bit processes in this guest (busybox sh, TAP).  Run
# per GROUP by the tests t_qemu_user_GROUP.sh (one test program each, so
# that each stays within run-tests.sh's per-program time limit):
#   input (evtest, lsinput)  v4l2 (v4l2-ctl info, controls)
#   v4l2io (v4l2-ctl events, mmap streaming)  v4l2c (v4l2-compliance)
#   alsa (amixer, alsactl store and its state file)  drm (modetest)
#   block (losetup, blockdev)  net (ifconfig, ip)  misc (stty, hwclock)
#   unload (the patched QEMU with the module unloaded = stock QEMU)
#
# /sysroot/i386 and /sysroot/armhf are Debian bookworm's own binaries
# (tests/qemu/sysroot32.sh: the same package versions for both ABIs), with
# /sysroot/<abi>/qemu/{stock,patched}/qemu-{i386,arm}: Debian's stock QEMU
# of the base (sysroot32.sh's QEMU_BASE: trixie's qemu-user 10.0 by
# default, bookworm's qemu-user-static 7.2) and integrations/qemu/build.sh's
# patched build of the same base (static
# binaries, run chrooted into their sysroot, so native and emulated runs
# see the same files).  /dev, /proc, /sys and /tmp are bind-mounted into
# both sysroots.  Variants of each case:
#   native  chroot /sysroot/N /usr/bin/PROG ...   N = the kernel's own
#           32-bit ABI (i386 on x86_64, armhf on arm64): the reference, run
#           twice (the two runs must agree, else the case is not
#           deterministic here and its comparisons would mean nothing);
#   qemu-i386 / qemu-arm, patched and stock:
#           chroot /sysroot/A /qemu/KIND/qemu-T /usr/bin/PROG ...
#           same-ABI (qemu-i386 on x86_64, qemu-arm on arm64) and cross-ABI
#           (qemu-arm on x86_64, qemu-i386 on arm64: the program built for
#           the other ABI from the same Debian source and version).
# A record per run: each command line, its stdout, its stderr (lines
# prefixed "2> "), its exit status; only what legitimately varies between
# two runs is filtered, per case (filter_* below, each with its reason).
# The programs see the same environment (env -i, LC_ALL=C) and argv
# (the same absolute path) in every variant.
#   patched: must equal native (ok / not ok with the first differing lines);
#   stock:   the negative control, never a failure by itself: "# stock:"
#            lines; in the groups where stock QEMU has no translation
#            (input, v4l2, v4l2c, v4l2io, alsa, drm) one TAP check that it differs at
#            least once (else the group could not tell patched from stock).
# Every (case, QEMU) result is also printed as a machine-readable line
#   # QEMU-USER-ROW arch=.. case=.. prog=.. ver=PACKAGE=VERSION
#     kind=stock|patched qemu=qemu-T abi=same|cross guest=A native=N
#     result=same|differs|fails|skip first=<the first differing line, or
#     the reason>
# ("fails": an exit status differs; tests/qemu/qemu-user-table.sh makes
# docs/qemu-user.md's table from console logs), each group's time as
#   # QEMU-USER-TIME arch=.. group=.. seconds=..
# and the lane as  # QEMU-USER-LANE arch=.. kernel=.. stock=.. patched=..
#
# Needs: /sysroot (only the lanes of sysroot32.sh --wants have it), the
# virtio keyboard (run.sh), vivid, snd-dummy (x86_64) / snd-aloop (arm64),
# bochs (x86_64) / virtio_gpu (arm64), loop, an RTC; an absent one fails
# its cases (a lane with /sysroot is one that must have them all).

group=${1:?usage: qemu_user.sh GROUP}
SR=/sysroot
W=/tmp/qemu-user.$group
# per program run; the guest is TCG, and QEMU runs under it
QTIMEOUT=120
n=0
nfail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; nfail=$((nfail + 1)); }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
finish() {
	echo "1..$n"
	[ "$nfail" -eq 0 ]
	exit
}

arch=$(uname -m)
case $arch in
x86_64) nat=i386 ;;
aarch64) nat=armhf ;;
*) skip "QEMU linux-user ($group)" "no 32-bit ABI for $arch"; finish ;;
esac
if [ ! -d "$SR/i386/.emucompat" ] || [ ! -d "$SR/armhf/.emucompat" ]; then
	skip "QEMU linux-user ($group)" "no /sysroot in this initramfs (the lane is not in EMUCOMPAT_QEMU_USER, see tests/qemu/sysroot32.sh --wants)"
	finish
fi
echo "# kernel $(uname -r) $arch, native 32-bit ABI $nat, group $group"
echo "# QEMU-USER-LANE arch=$arch kernel=$(uname -r) stock=$(cat "$SR/qemu-stock.version" 2>/dev/null || echo none) patched=$(cat "$SR/qemu-patched.version" 2>/dev/null || echo none)"
have_stock=0 have_patched=0
for k in stock patched; do
	if [ -x "$SR/i386/qemu/$k/qemu-i386" ] && [ -x "$SR/armhf/qemu/$k/qemu-arm" ]; then
		eval "have_$k=1"
		echo "# $k QEMU: $(cat "$SR/qemu-$k.version" 2>/dev/null || echo '(no version file)')"
	else
		echo "# $k QEMU: none: $(cat "$SR/qemu-$k.note" 2>/dev/null || echo absent)"
	fi
done
if [ "$have_patched" = 0 ]; then
	note=$(cat "$SR/qemu-patched.note" 2>/dev/null)
	case $note in
	fail:*) notok "patched QEMU built for this lane (${note#fail: })" ;;
	esac
fi
rm -rf "$W"
mkdir -p "$W"

# --- the sysroots: /dev /proc /sys /tmp of the guest --------------------------
mounted=
loop='' loop2='' printk=''
cleanup() {
	[ -n "$printk" ] && echo "$printk" >/proc/sys/kernel/printk
	for m in $mounted; do umount "$m" 2>/dev/null; done
	[ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
	[ -n "$loop2" ] && losetup -d "$loop2" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
for a in i386 armhf; do
	for d in dev proc sys tmp; do
		mkdir -p "$SR/$a/$d"
		# already there: another group's script was killed before its cleanup
		grep -q " $SR/$a/$d " /proc/mounts && umount "$SR/$a/$d"
		if mount --bind "/$d" "$SR/$a/$d"; then
			mounted="$SR/$a/$d $mounted"
		else
			notok "bind-mount /$d into $SR/$a"
			finish
		fi
	done
done

# --- the devices ----------------------------------------------------------------
evdev=
for e in /sys/class/input/event*; do
	[ -e "$e/device/name" ] || continue
	if [ "$(cat "$e/device/name")" = "QEMU Virtio Keyboard" ]; then
		evdev=/dev/input/${e##*/}
		break
	fi
done
video=
for v in /sys/class/video4linux/video*; do
	[ -e "$v/name" ] || continue
	if [ "$(cat "$v/name")" = vivid-000-vid-cap ]; then
		video=/dev/${v##*/}
		break
	fi
done
# snd-dummy on x86_64, snd-aloop on arm64 (Debian's arm64 kernels have no
# snd-dummy): /proc/asound/cards " N [Dummy   ]: ..."
card=$(sed -nE 's/^ *([0-9]+) \[(Dummy|Loopback) *\].*/\1 \2/p' /proc/asound/cards 2>/dev/null | head -n 1)
cardid=${card#* }
card=${card%% *}
# An integer control the programs write (the same value in every run):
# snd-dummy's "Master Volume" (-50..100, two channels), snd-aloop's
# "PCM Rate Shift 100000" of device 0, subdevice 0 (80000..120000).
case $cardid in
Dummy) cset="name='Master Volume' 42,17" ;;
Loopback) cset="iface=PCM,name='PCM Rate Shift 100000',device=0,subdevice=0 100500" ;;
*) cset='' ;;
esac
# bochs on x86_64 (the only card), virtio_gpu on arm64 (card0; bochs is
# card1 there): modetest -M takes the DRM driver's name.
case $arch in x86_64) drm=bochs-drm ;; *) drm=virtio_gpu ;; esac
# The card: debugfs's dri/N/name starts with the DRM driver's name (what
# modetest -M matches); else the card's device's driver in sysfs.
dri=
for d in /sys/kernel/debug/dri/[0-9]*; do
	[ -r "$d/name" ] || continue
	if [ "$(cut -d' ' -f1 "$d/name")" = "$drm" ] && [ -c "/dev/dri/card${d##*/}" ]; then
		dri=/dev/dri/card${d##*/}
		break
	fi
done
for c in /sys/class/drm/card[0-9]; do
	[ -z "$dri" ] && [ -e "$c/device/driver" ] || continue
	if [ "$(basename "$(readlink "$c/device/driver")")" = "$drm" ]; then
		dri=/dev/dri/${c##*/}
	fi
done
[ -n "$dri" ] || echo "# DRM cards: $(for c in /sys/class/drm/card[0-9]; do printf '%s:%s ' "${c##*/}" "$(basename "$(readlink "$c/device/driver" 2>/dev/null)")"; done) debugfs: $(cat /sys/kernel/debug/dri/*/name 2>/dev/null | tr '\n' ' ')"
rtc=
[ -c /dev/rtc0 ] && rtc=/dev/rtc0
tty=$(cat /sys/class/tty/console/active 2>/dev/null)
tty=${tty##* }
if [ -n "$tty" ] && [ -c "/dev/$tty" ]; then tty=/dev/$tty; else tty=; fi
netif=
[ -d /sys/class/net/eth0 ] && netif=eth0
# A 1 MiB image on a loop device (busybox losetup: not under test), and a
# second free device for the programs' own attach/detach.
img=$W/disk.img
if [ "$group" = block ] && [ -e /dev/loop-control ]; then
	dd if=/dev/zero of="$img" bs=1024 count=1024 2>/dev/null
	loop=$(losetup -f 2>/dev/null)
	if [ -n "$loop" ] && losetup "$loop" "$img"; then
		loop2=$(losetup -f 2>/dev/null)
	else
		loop=
	fi
fi
echo "# devices: evdev=${evdev:-none} video=${video:-none} card=${card:-none}${cardid:+ ($cardid)} dri=${dri:-none} ($drm) rtc=${rtc:-none} tty=${tty:-none} net=${netif:-none} loop=${loop:-none} loop2=${loop2:-none}"

# --- the cases ------------------------------------------------------------------
# GROUP|ID|NEED|FILTER|COMMAND [; COMMAND]...
# NEED: the device variable that must be set ("-": none); FILTER: a
# filter_* function or "-".  Commands are split like sh words (quotes
# allowed); the first word is a program of the sysroot (its path from
# .emucompat/programs).  Prefixes:
#   @bg CMD      run CMD in the background until it sleeps with its device
#                (its first /dev/ argument) open: it waits for input events;
#                its record is taken when it has exited (it must be the
#                last recorded command; SIGKILL after QTIMEOUT seconds);
#   !term        SIGTERM the @bg command (evtest ends, its output written;
#                not SIGINT: a background job of a script ignores it);
#   !native CMD  run CMD natively, not recorded (a non-zero exit is): to
#                bring the device to a known state, or to make the event
#                the @bg command waits for.
#   !show FILE   append FILE (a file the commands wrote, read here: not
#                under test) to the record, "--- FILE" then its lines, or
#                "--- FILE: absent"; then remove it.
cases() {
	cat <<EOF
input|evtest-list|evdev|-|evtest
input|evtest-caps|evdev|-|@bg evtest $evdev ; !term
input|evtest-query|evdev|-|evtest --query $evdev EV_KEY KEY_A
input|lsinput|evdev|-|lsinput
v4l2|v4l2-ctl-info|video|filter_v4l2_volatile|v4l2-ctl -d $video --all --list-ctrls-menus --list-formats-ext
v4l2|v4l2-ctl-setget|video|-|v4l2-ctl -d $video --set-ctrl=brightness=130 --get-ctrl=brightness,contrast
v4l2io|v4l2-ctl-event|video|filter_v4l2_event|!native v4l2-ctl -d $video --set-ctrl=brightness=128 ; @bg v4l2-ctl -d $video --wait-for-event=ctrl=brightness ; !native v4l2-ctl -d $video --set-ctrl=brightness=140
v4l2io|v4l2-ctl-stream|video|filter_v4l2_stream|v4l2-ctl -d $video --stream-mmap=3 --stream-count=3 --stream-to=/dev/null --verbose
alsa|amixer-info|card|-|amixer -c $card info
alsa|amixer-contents|card|-|amixer -c $card contents
alsa|amixer-cset|cset|-|amixer -c $card cset $cset
alsa|alsactl-store|card|-|alsactl -f $W/asound.state store $card ; !show $W/asound.state
v4l2c|v4l2-compliance|video|filter_v4l2_compliance|v4l2-compliance -d $video
drm|modetest|dri|-|modetest -M $drm
drm|modetest-set|modeset|-|modetest -M $drm -s $modeset
block|losetup|loop2|-|losetup -r -o 512 $loop2 $img ; losetup $loop2 ; losetup -d $loop2
block|blockdev|loop|-|blockdev --setra 512 --getsz --getsize --getsize64 --getss --getpbsz --getbsz --getro --getra --getfra --getiomin --getioopt --getalignoff --getmaxsect --getdiscardzeroes $loop
net|ifconfig|netif|-|ifconfig -a
net|ip|netif|-|ip -d addr show
misc|stty|tty|-|stty -a -F $tty
misc|hwclock|rtc|filter_hwclock|hwclock --show --verbose -f $rtc
EOF
}
# groups whose every case needs a translation stock QEMU (7.2, 10.0) lacks
case $group in input|v4l2|v4l2c|v4l2io|alsa|drm) stock_must_differ=1 ;; *) stock_must_differ=0 ;; esac

# Filters: only what differs between two runs of the same program.  A time
# is never masked: it is checked against the clock window of its run
# (run_one sets w_mono0/w_mono1, CLOCK_MONOTONIC, and w_real0/w_real1,
# CLOCK_REALTIME, in seconds, read before the first and after the last
# command) and replaced by "<t in window>" -- or "<t OUT OF WINDOW: value
# [lo, hi]>", which differs from native's record and fails the case.  A
# timestamp the translation garbles (time32 vs time64, i386 vs ARM
# padding) lands outside.
# window VALUE LO HI — "<t in window>" or "<t OUT OF WINDOW: ...>"; LO and
# HI are widened by 1 s (the clocks are read in separate syscalls, and
# /proc/uptime has 10 ms steps)
window() {
	awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN {
		if (v !~ /^[0-9]+(\.[0-9]+)?$/ || v + 0 < lo - 1 || v + 0 > hi + 1)
			printf "<t OUT OF WINDOW: %s [%s, %s]>", v, lo, hi
		else
			printf "<t in window>"
	}'
}
# mono_ts_window PREFIX-ERE — stdin with each CLOCK_MONOTONIC timestamp
# "S.UUUUUU" that follows PREFIX-ERE (awk) checked against the run's window
mono_ts_window() {
	awk -v re="$1" -v lo="$w_mono0" -v hi="$w_mono1" '{
		out = ""
		while (match($0, re "[0-9]+\\.[0-9]+")) {
			pre = substr($0, RSTART, RLENGTH)
			v = pre; sub(re, "", v)
			ok = (v + 0 >= lo - 1 && v + 0 <= hi + 1)
			out = out substr($0, 1, RSTART - 1) substr(pre, 1, length(pre) - length(v)) \
				(ok ? "<t in window>" : "<t OUT OF WINDOW: " v " [" lo ", " hi "]>")
			$0 = substr($0, RSTART + RLENGTH)
		}
		print out $0
	}'
}
# vivid's volatile controls (gain follows the simulated autogain, moved by
# its timer): their current value.
filter_v4l2_volatile() { sed -E '/volatile/s/ value=[-0-9]+/ value=<volatile>/'; }
# v4l2-ctl prints each event's timestamp (struct v4l2_event.timestamp,
# CLOCK_MONOTONIC) at the start of the line: checked against the window.
filter_v4l2_event() { mono_ts_window '^'; }
# v4l2-ctl --stream-mmap --verbose prints every dequeued buffer
# ("cap dqbuf: INDEX seq: SEQUENCE bytesused: N ts: TIMESTAMP delta: D ms
# (FLAGS)") and its ioctls: index, sequence, bytesused and flags compared
# as they are; the timestamp (struct v4l2_buffer.timestamp, CLOCK_MONOTONIC)
# checked against the window; what follows from the times (the delta to
# the previous frame, the frame rate measured so far, dropped frames by
# that rate) is dropped.
filter_v4l2_stream() {
	sed -E 's/ [0-9]+\.[0-9]+ fps//g
		s/ delta: -?[0-9]+\.[0-9]+ ms//
		s/ fps: [0-9]+\.[0-9]+//
		s/ dropped: [0-9]+//' | mono_ts_window ' ts: '
}
# v4l2-compliance (the whole run on vivid's capture node, no streaming):
# two things vary between runs of the same program, and nothing else is
# touched.
# 1. Its test Disconnect (vivid's Disconnect control) forks twice with
#    stdout's buffer unflushed, and each child exit()s: the buffered chunk
#    is written three times.  That chunk is what followed the last 4 KiB
#    flush, so which lines it holds depends on the length of everything
#    printed before -- one extra line earlier changes it.  The two copies
#    are removed (how they are found: in the filter; what the parent
#    prints between the forks, a warning, is in the second copy too).
# 2. Its test TIME32/64 subscribes to a control event with SEND_INITIAL
#    three times, dequeues the initial event with VIDIOC_DQEVENT, then
#    VIDIOC_DQEVENT_TIME32, then VIDIOC_DQEVENT_TIME64, and fails when the
#    later events' timestamps are more than 10 ms after the first one's.
#    The kernel stamps the initial event when the subscription is made, so
#    this is a bound on the time between two SUBSCRIBE_EVENT calls three
#    ioctls apart: natively 0 ms; under either QEMU the first input's test
#    took 2-3 and 5-6 ms (v4l2-compliance -v on 6.12-amd64, qemu-i386 and
#    qemu-arm alike, the later inputs 0 ms: QEMU translating that code for
#    the first time, in a guest that is itself TCG), and on a loaded
#    machine it went over 10 ms in qemu-i386 same-ABI (no layout
#    translated) and in qemu-arm cross-ABI.  Exactly that failure -- the
#    line "fail: v4l2-test-time32-64.cpp(N): delta_ms > 10" directly
#    followed by "test TIME32/64: FAIL" -- counts as the test's OK, the
#    totals line is corrected by as much, and each such run says so in the
#    TAP stream ("# v4l2-compliance: TIME32/64's 10 ms bound ...").  What
#    it no longer shows: a garbled timestamp that lands more than 10 ms
#    late; and when the 32-bit check (the first) is the one that fails, the
#    64-bit event's checks did not run.  The timestamps through the
#    translation are checked by t_xabi's byte-exact DQEVENT cases (seconds
#    in a window, nanoseconds below 10^9, every padding byte) and by the
#    v4l2-ctl-event case here.
filter_v4l2_compliance() {
	awk -v who="${r_qemu:-native} ($r_abi)" '
	# again(T, F, D, A) -- the last Q in (F, D), less than a 4 KiB buffer
	# after F, where A, the text at F, starts again and T[F, Q) is
	# repeated from Q on (A recurs in the output by itself too: the same
	# lines, one after the other and for every input)
	function again(t, f, d, a,    o, q, r) {
		r = 0
		for (o = f; (q = index(substr(t, o + 1, d - o - 1), a)) > 0 && o + q - f < 4096; ) {
			o += q
			if (substr(t, o, o - f) == substr(t, f, o - f))
				r = o
		}
		return r
	}
	{ t = t $0 "\n" }
	END {
		# the record is S[0, P) S[P, m1) S[P, m2) S[P, end): stdout S
		# flushed up to P (a multiple of 4096) when the first child was
		# forked, the children writing what was buffered when each
		# exited (m1, m2), the parent the rest; so from the last such P
		# before the line of test Disconnect, the text at P comes back
		# twice (once if the first child failed), each copy a prefix of
		# the next: the copies are cut.
		d = index(t, "\ttest Disconnect: ")
		h = index(t, "\n")
		for (P = (d > h ? int((d - 1 - h) / 4096) * 4096 : -1); P >= 0; P -= 4096) {
			p = h + P + 1
			a = substr(t, p, 32)
			if (length(a) < 32 || !(q1 = again(t, p, d, a)))
				continue
			if ((q2 = again(t, q1, d, a)))
				q1 = q2
			t = substr(t, 1, p - 1) substr(t, q1)
			break
		}
		nl = split(t, l, "\n")
		k = 0
		out = ""
		for (i = 1; i < nl; i++) {
			if (l[i] ~ /^\t\tfail: v4l2-test-time32-64\.cpp\([0-9]+\): delta_ms > 10$/ &&
			    l[i + 1] == "\ttest TIME32/64: FAIL") {
				k++
				l[i + 1] = "\ttest TIME32/64: OK"
				continue
			}
			if (k && match(l[i], /, Succeeded: [0-9]+, Failed: [0-9]+,/)) {
				s = l[i]
				sub(/.*Succeeded: /, "", s); sub(/,.*/, "", s)
				f = l[i]
				sub(/.*Failed: /, "", f); sub(/,.*/, "", f)
				sub(/Succeeded: [0-9]+, Failed: [0-9]+/, "Succeeded: " (s + k) ", Failed: " (f - k), l[i])
			}
			out = out l[i] "\n"
		}
		printf "%s", out
		if (k)
			printf "# v4l2-compliance: TIME32/64'"'"'s 10 ms bound exceeded %d time(s) under %s: counted as OK (filter_v4l2_compliance)\n", k, who > "/dev/stderr"
	}'
}
# filter_v4l2_compliance_check — the filter on made-up records: one with
# the timing failure (and so its test Disconnect's copies starting
# elsewhere) must come out as the one without; any other failure of the
# same test, and the timing check of another test, must stay.
# v4l2c_rec FAILLINE — stdout as v4l2-compliance writes it to a file: 4 KiB
# flushes, then the chunk buffered at test Disconnect's forks three times
v4l2c_rec() {
	awk -v fl="$1" -v one="${2:-}" 'BEGIN {
		b = "v4l2-compliance 1.22.1, 32 bits, 32-bit time_t\n\n"; nf = 24
		for (i = 0; i < 4; i++) {
			b = b "Control ioctls (Input " i "):\n"
			for (j = 0; j < 60; j++) b = b "\ttest VIDIOC_X" j ": OK (Not Supported)\n"
			for (j = 0; j < 12; j++) b = b "\ttest VIDIOC_(TRY_)DECODER_CMD: OK (Not Supported)\n"
			if (i == 0 && fl != "") { b = b "\t\t" fl "\n\ttest TIME32/64: FAIL\n"; nf++ }
			else b = b "\ttest TIME32/64: OK\n"
			b = b "\n"
		}
		w = "\t\twarn: between the forks\n"
		p = int(length(b) / 4096) * 4096; c = substr(b, p + 1)
		if (one)
			printf "$ v4l2-compliance -d /dev/video0\n%s%s%s%s", substr(b, 1, p), c, c, w
		else
			printf "$ v4l2-compliance -d /dev/video0\n%s%s%s%s%s", substr(b, 1, p), c, c w, c, w
		printf "\ttest Disconnect: OK\n\nTotal for vivid device /dev/video0: 245, Succeeded: %d, Failed: %d, Warnings: 0\n[exit 1]\n", 245 - nf, nf
	}'
}
filter_v4l2_compliance_check() {
	f_t="fail: v4l2-test-time32-64.cpp(164): delta_ms > 10"
	v4l2c_rec "" | filter_v4l2_compliance >"$W/fc.native" 2>/dev/null
	v4l2c_rec "$f_t" | filter_v4l2_compliance >"$W/fc.timing" 2>"$W/fc.err"
	if cmp -s "$W/fc.native" "$W/fc.timing" && grep -q "bound exceeded 1 time" "$W/fc.err" &&
		[ "$(grep -c 'test TIME32/64: OK' "$W/fc.native")" = 4 ] &&
		[ "$(grep -c 'test VIDIOC_X' "$W/fc.native")" = 240 ]; then
		ok "filter_v4l2_compliance: TIME32/64's 10 ms bound and test Disconnect's copies filtered, reported"
	else
		notok "filter_v4l2_compliance: TIME32/64's 10 ms bound and test Disconnect's copies filtered, reported"
	fi
	v4l2c_rec "" one | filter_v4l2_compliance >"$W/fc.native1" 2>/dev/null
	v4l2c_rec "$f_t" one | filter_v4l2_compliance >"$W/fc.timing1" 2>/dev/null
	if cmp -s "$W/fc.native1" "$W/fc.timing1" && [ "$(grep -c 'test VIDIOC_X' "$W/fc.native1")" = 240 ]; then
		ok "filter_v4l2_compliance: the same with one child's copy (the first child failed)"
	else
		notok "filter_v4l2_compliance: the same with one child's copy (the first child failed)"
	fi
	for f_o in "fail: v4l2-test-time32-64.cpp(158): ev.type != ev32.type" \
		"fail: v4l2-test-controls.cpp(164): delta_ms > 10"; do
		v4l2c_rec "$f_o" | filter_v4l2_compliance >"$W/fc.other" 2>/dev/null
		if grep -qF "$f_o" "$W/fc.other" && ! cmp -s "$W/fc.native" "$W/fc.other"; then
			ok "filter_v4l2_compliance keeps '$f_o'"
		else
			notok "filter_v4l2_compliance keeps '$f_o'"
		fi
	done
}
# hwclock reads the RTC and the system time: "System Time" is checked
# against the run's CLOCK_REALTIME window, every time read from the RTC
# against the run's RTC window (w_rtc0/w_rtc1: the RTC's own seconds, read
# through sysfs before and after the run).  The RTC is QEMU's host clock;
# the guest's system time was set from it at boot in whole seconds and
# then runs on its own timer, so the two clocks can be apart by more than
# the window's 1 s slack on a loaded host (CI saw the records of two
# native runs differ on 6.12-arm64): RTC values are compared with the RTC.
# "N seconds since 1969" and "Time since last adjustment is N seconds" (no
# adjustment file: since 1969) are times, the drift ("0.000000 seconds")
# is not.
filter_hwclock() {
	while IFS= read -r l; do
		case $l in
		"System Time: "*)
			echo "System Time: $(window "${l#System Time: }" "$w_real0" "$w_real1")"
			;;
		"Time read from Hardware Clock: "*)
			v=${l#*: }
			echo "Time read from Hardware Clock: $(window "$(date -u -d "$(echo "$v" | tr / -)" +%s 2>/dev/null || echo "$v")" "$w_rtc0" "$w_rtc1")"
			;;
		"Hw clock time : "*)
			v=${l#*= }
			v=${v%% seconds since 1969}
			d=${l#Hw clock time : }
			d=${d%% = *}
			echo "Hw clock time : $(window "$(date -u -d "$(echo "$d" | tr / -)" +%s 2>/dev/null || echo "$d")" "$w_rtc0" "$w_rtc1") = $(window "$v" "$w_rtc0" "$w_rtc1") seconds since 1969"
			;;
		"Time since last adjustment is "*)
			v=${l#Time since last adjustment is }
			echo "Time since last adjustment is $(window "${v%% seconds}" "$w_rtc0" "$w_rtc1") seconds"
			;;
		[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]\ [0-9][0-9]:*)
			# the result: "YYYY-MM-DD hh:mm:ss.uuuuuu+00:00" (UTC here),
			# the RTC's time plus what elapsed since hwclock read it
			d=${l%%.*}
			echo "$(window "$(date -u -d "$d" +%s 2>/dev/null || echo "$l")" "$w_rtc0" "$w_rtc1")${l#"${l%%+*}"}"
			;;
		*) echo "$l" ;;
		esac
	done
}

# check_native ID RECORD — the reference itself must be sound: its times in
# the clock window (else the window, not the translation, is wrong), and
# the streaming case must show every dequeued buffer.
check_native() {
	if grep -q 'OUT OF WINDOW' "$2"; then
		notok "$1: native $nat's times are in its run's clock window"
		grep 'OUT OF WINDOW' "$2" | head -n 3 | sed 's/^/#   /'
	fi
	case $1 in
	v4l2-ctl-stream)
		c_nb=$(grep -c 'dqbuf: .* bytesused: [0-9]* ts: <t in window>' "$2")
		if [ "$c_nb" -ge 3 ]; then
			ok "$1: native $nat's record shows the 3 dequeued buffers (index, sequence, bytesused, timestamp)"
		else
			notok "$1: native $nat's record shows the 3 dequeued buffers (found $c_nb)"
		fi
		grep 'dqbuf:' "$2" | sed 's/^/#   | /'
		;;
	esac
}
now() { cut -d' ' -f1 /proc/uptime; }
# rtc_secs — the RTC's time in whole seconds as the kernel reads it (as
# hwclock does), or "none" without one (out of every window)
rtc_secs() {
	if [ -n "$rtc" ] && [ -r "/sys/class/rtc/${rtc##*/}/since_epoch" ]; then
		cat "/sys/class/rtc/${rtc##*/}/since_epoch"
	else
		echo none
	fi
}
# xrun ABI QEMU PROG ARGS... — the program of sysroot ABI, natively (QEMU
# "") or under QEMU (/qemu/KIND/qemu-T), stdout $W/o$X, stderr $W/e$X
# ($X: "" for a recorded command, "h" for a !native helper, "b" for @bg,
# so that a helper running beside an @bg command keeps to its files); SIGTERM
# after QTIMEOUT seconds (busybox timeout execs the program in its own
# process: a background xrun's $! is the program's)
progpath() { sed -n "s,^$2 \\([^ ]*\\) .*,\\1,p" "$SR/$1/.emucompat/programs"; }
xrun() {
	x_abi=$1 x_qemu=$2 x_p=$3
	shift 3
	# shellcheck disable=SC2086  # $x_qemu: no word or the QEMU's path
	timeout "$QTIMEOUT" env -i PATH=/usr/bin:/usr/sbin LC_ALL=C HOME=/root TERM=dumb \
		chroot "$SR/$x_abi" $x_qemu "$(progpath "$x_abi" "$x_p")" "$@" >"$W/o$X" 2>"$W/e$X" </dev/null
}
# xexec: the same, replacing the (background sub)shell: "xexec ... &" makes
# $! the program's pid
xexec() {
	x_abi=$1 x_qemu=$2 x_p=$3
	shift 3
	# shellcheck disable=SC2086
	exec timeout "$QTIMEOUT" env -i PATH=/usr/bin:/usr/sbin LC_ALL=C HOME=/root TERM=dumb \
		chroot "$SR/$x_abi" $x_qemu "$(progpath "$x_abi" "$x_p")" "$@" >"$W/o$X" 2>"$W/e$X" </dev/null
}
# blocked PID DEV — PID sleeps (state S) with DEV open (/proc/PID/fd shows
# the path from our root: /sysroot/ABI/dev/...)
blocked() {
	b_open=0
	for f in /proc/"$1"/fd/*; do
		case $(readlink "$f" 2>/dev/null) in *"$2") b_open=1 ;; esac
	done
	[ "$b_open" = 1 ] || return 1
	s=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)
	[ "$s" = S ]
}
append_rec() {
	cat "$W/o$X" >>"$1"
	sed 's/^/2> /' "$W/e$X" >>"$1"
	echo "[exit $2]" >>"$1"
}

# run_one ABI QEMU FILTER CMDS OUT — one variant's record
X=
run_one() {
	r_abi=$1 r_qemu=$2 r_filter=$3 r_cmds=$4 r_out=$5
	: >"$r_out"
	w_real0=$(date +%s) w_mono0=$(now) w_rtc0=$(rtc_secs)
	bg=
	echo "$r_cmds" | tr ';' '\n' >"$W/cmds"
	while read -r c; do
		[ -n "$c" ] || continue
		case $c in
		!term)
			[ -n "$bg" ] && kill -TERM "$bg" 2>/dev/null
			continue
			;;
		!show\ *)
			eval "set -- ${c#!show }"
			if [ -f "$1" ]; then
				echo "--- $1" >>"$r_out"
				cat "$1" >>"$r_out"
				rm -f "$1"
			else
				echo "--- $1: absent" >>"$r_out"
			fi
			continue
			;;
		!native\ *)
			eval "set -- ${c#!native }"
			X=h
			xrun "$nat" "" "$@"
			rc=$?
			X=
			[ "$rc" = 0 ] || echo "[native helper '$*': exit $rc]" >>"$r_out"
			continue
			;;
		@bg\ *)
			eval "set -- ${c#@bg }"
			echo "\$ $*" >>"$r_out"
			X=b
			xexec "$r_abi" "$r_qemu" "$@" &
			bg=$!
			X=
			dev=
			for r_a in "$@"; do case $r_a in /dev/*) dev=$r_a; break ;; esac; done
			t=0 seen=0
			# two looks in a row 0.2 s apart: sleeping, not between syscalls
			while kill -0 "$bg" 2>/dev/null && [ "$t" -lt $((QTIMEOUT * 5)) ]; do
				if blocked "$bg" "$dev"; then
					seen=$((seen + 1))
					[ "$seen" -ge 2 ] && break
				else
					seen=0
				fi
				sleep 0.2
				t=$((t + 1))
			done
			continue
			;;
		esac
		eval "set -- $c"
		echo "\$ $*" >>"$r_out"
		xrun "$r_abi" "$r_qemu" "$@"
		append_rec "$r_out" $?
	done <"$W/cmds"
	if [ -n "$bg" ]; then
		t=0
		while kill -0 "$bg" 2>/dev/null && [ "$t" -lt $((QTIMEOUT * 5)) ]; do
			sleep 0.2
			t=$((t + 1))
		done
		kill -0 "$bg" 2>/dev/null && kill -KILL "$bg"
		wait "$bg"
		b_rc=$?
		X=b
		append_rec "$r_out" "$b_rc"
		X=
	fi
	w_mono1=$(now) w_real1=$(date +%s) w_rtc1=$(rtc_secs)
	if [ "$r_filter" != - ]; then
		$r_filter <"$r_out" >"$r_out.f" && mv "$r_out.f" "$r_out"
	fi
}

# firstdiff A B — "line N: native [...] / qemu [...]": the first line where
# B differs from A
firstdiff() {
	awk 'NR == FNR { a[FNR] = $0; na = FNR; next }
		{ nb = FNR; if (!d && (FNR > na || a[FNR] != $0)) { d = FNR; l = $0 } }
		END {
			if (!d && nb < na) { d = nb + 1; l = "<end>" }
			if (!d) { d = na + 1; l = "<end>" }
			printf "line %d: native [%s] / qemu [%s]", d, substr(a[d], 1, 70), substr(l, 1, 70)
		}' "$1" "$2"
}
# result NATIVE QEMU — same | fails (an exit status differs) | differs
result() {
	if cmp -s "$1" "$2"; then
		echo same
	elif [ "$(grep '^\[exit ' "$1")" != "$(grep '^\[exit ' "$2")" ]; then
		echo fails
	else
		echo differs
	fi
}
row() {
	echo "# QEMU-USER-ROW arch=$arch case=$1 prog=$2 ver=$(version_of "$nat" "$2") kind=$3 qemu=$4 abi=$5 guest=$6 native=$nat result=$7 first=$8"
}
# the Debian package and version of PROG in sysroot ABI
version_of() { awk -v p="$2" '$1 == p { print $3 "=" $4 }' "$SR/$1/.emucompat/programs"; }
# srcver PKG=VERSION — the source package version it was built from: a
# binNMU (VERSION+bN, the same source rebuilt on one architecture) is that
# source's; cross-ABI comparisons need the same source, not the same build.
srcver() { echo "$1" | sed -E 's/\+b[0-9]+$//'; }
qabi() { case $1 in i386) echo i386 ;; arm) echo armhf ;; esac; }

# The first connector of the card and its first mode, from native
# modetest -c: "ID ENCODER connected NAME ..." then, under "modes:", the
# mode lines "  #0 1024x768 ...".
modeset=
if [ "$group" = drm ] && [ -n "$dri" ]; then
	xrun "$nat" "" modetest -M "$drm" -c
	modeset=$(awk '$3 == "connected" && !c { c = $1 } c && $1 == "#0" { print c ":" $2; exit }' "$W/o")
	echo "# modetest -c: first connected connector and mode: ${modeset:-none}"
fi

# v4l2-compliance's VIDIOC_LOG_STATUS makes vivid print its status, about
# 45 lines at KERN_INFO per input, to the serial console: KERN_INFO is not
# shown during the group (console loglevel 6: notices, warnings and worse
# still are; the level is put back afterwards, and by cleanup).
if [ "$group" = v4l2c ] && [ -w /proc/sys/kernel/printk ]; then
	printk=$(cut -f1 /proc/sys/kernel/printk)
	echo 6 >/proc/sys/kernel/printk
fi

[ "$group" = v4l2c ] && filter_v4l2_compliance_check

t_start=$(now)
nstockbad=0 nstock=0
cases | grep "^$group|" >"$W/cases"
while IFS='|' read -r _ id need filter cmds; do
	prog=${cmds#!native *; }
	prog=${prog#@bg }
	prog=${prog%% *}
	eval "have=\${$need:-}"
	if [ "$need" != - ] && [ -z "$have" ]; then
		# A lane with /sysroot is a lane that runs these cases: run.sh
		# gives it every device (the "devices" line above says which were
		# found), so a missing one fails, it is not a skip.
		notok "$id: no $need in this guest (a QEMU linux-user lane must have it)"
		for q in i386 arm; do
			for k in stock patched; do row "$id" "$prog" "$k" "qemu-$q" - "$(qabi $q)" fails "no $need"; done
		done
		continue
	fi
	echo "# ---- $id: $cmds"
	t0=$(now)
	run_one "$nat" "" "$filter" "$cmds" "$W/$id.native.rec"
	t1=$(now)
	[ "$filter" = filter_hwclock ] &&
		echo "# native run's windows: RTC [$w_rtc0, $w_rtc1], CLOCK_REALTIME [$w_real0, $w_real1]"
	run_one "$nat" "" "$filter" "$cmds" "$W/$id.native2.rec"
	if ! cmp -s "$W/$id.native.rec" "$W/$id.native2.rec"; then
		notok "$id: native $nat runs twice alike (the output varies: the comparisons are void)"
		diff "$W/$id.native.rec" "$W/$id.native2.rec" | head -n 12 | sed 's/^/#   /'
		continue
	fi
	ok "$id: native $nat runs twice alike"
	check_native "$id" "$W/$id.native.rec"
	lines=$(wc -l <"$W/$id.native.rec")
	echo "# native record ($lines lines, $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s):"
	head -n 8 "$W/$id.native.rec" | sed 's/^/#   | /'
	[ "$lines" -gt 8 ] && echo "#   | ..."
	for q in i386 arm; do
		a=$(qabi $q)
		if [ "$a" = "$nat" ]; then abi=same; else abi=cross; fi
		vn=$(version_of "$nat" "$prog") va=$(version_of "$a" "$prog")
		for k in stock patched; do
			tag="$k qemu-$q ($a, $abi-ABI)"
			hk=0
			eval "hk=\$have_$k"
			if [ "$hk" = 0 ]; then
				row "$id" "$prog" "$k" "qemu-$q" "$abi" "$a" skip "no $k QEMU"
				[ "$k" = patched ] && skip "$id: $tag = native $nat" "no patched QEMU in this initramfs"
				continue
			fi
			if [ "$(srcver "$vn")" != "$(srcver "$va")" ]; then
				row "$id" "$prog" "$k" "qemu-$q" "$abi" "$a" fails "source versions differ: $vn vs $va"
				[ "$k" = patched ] && notok "$id: $tag = native $nat: $prog is not built from the same source version ($a $va, $nat $vn)"
				continue
			fi
			[ "$vn" = "$va" ] || [ "$k" = stock ] ||
				echo "# $id: $a $va and $nat $vn: binary rebuilds (binNMU) of the same source"
			rec=$W/$id.$k-$q.rec
			t0=$(now)
			run_one "$a" "/qemu/$k/qemu-$q" "$filter" "$cmds" "$rec"
			secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
			res=$(result "$W/$id.native.rec" "$rec")
			first=-
			[ "$res" = same ] || first=$(firstdiff "$W/$id.native.rec" "$rec")
			row "$id" "$prog" "$k" "qemu-$q" "$abi" "$a" "$res" "$first"
			if [ "$k" = stock ]; then
				nstock=$((nstock + 1))
				[ "$res" = same ] || nstockbad=$((nstockbad + 1))
				echo "# stock: $id: $tag: $res (${secs} s)${first:+: $first}"
			elif [ "$res" = same ]; then
				ok "$id: $tag = native $nat (${secs} s)"
			else
				notok "$id: $tag = native $nat: $res (${secs} s)"
				diff "$W/$id.native.rec" "$rec" | head -n 20 | sed 's/^/#   /'
			fi
		done
	done
done <"$W/cases"

if [ "$stock_must_differ" = 1 ] && [ "$have_stock" = 1 ] && [ "$nstock" -gt 0 ]; then
	if [ "$nstockbad" -gt 0 ]; then
		ok "negative control: stock QEMU differs from native in $nstockbad of $nstock $group runs"
	else
		notok "negative control: stock QEMU gives the native output in all $nstock $group runs"
	fi
fi

[ -n "$printk" ] && echo "$printk" >/proc/sys/kernel/printk && printk=

# --- unload: the patched QEMU without the module behaves as stock --------------
# A case of each group that stock QEMU cannot translate, run by stock QEMU
# and by the patched one with emucompat unloaded (no /dev/emucompat: the
# patched QEMU must keep QEMU's own handling and its own memory layout):
# the two records must be the same.  rmmod needs no open /dev/emucompat:
# every QEMU above has exited.  The modules are loaded again afterwards.
if [ "$group" = unload ]; then
	ucases="alsa|amixer-contents|card|-|amixer -c $card contents
v4l2|v4l2-ctl-setget|video|-|v4l2-ctl -d $video --get-ctrl=brightness,contrast
input|evtest-query|evdev|-|evtest --query $evdev EV_KEY KEY_A"
	if [ "$have_patched" = 0 ] || [ "$have_stock" = 0 ]; then
		skip "patched QEMU, module unloaded = stock QEMU" "needs both the stock and the patched QEMU"
	elif [ -d /sys/module/emucompat_probe ] && ! rmmod emucompat_probe; then
		notok "patched QEMU, module unloaded = stock QEMU: rmmod emucompat_probe failed"
	elif ! rmmod emucompat; then
		notok "patched QEMU, module unloaded = stock QEMU: rmmod emucompat failed"
	else
		t_ok=1
		[ -e /dev/emucompat ] && { notok "/dev/emucompat gone after rmmod"; t_ok=0; }
		echo "$ucases" >"$W/ucases"
		while IFS='|' read -r _ id need filter cmds; do
			eval "have=\${$need:-}"
			for q in i386 arm; do
				a=$(qabi $q)
				if [ -z "$have" ]; then
					skip "$id: patched qemu-$q, module unloaded = stock qemu-$q" "no $need in this guest"
					continue
				fi
				[ "$t_ok" = 1 ] || continue
				run_one "$a" "/qemu/stock/qemu-$q" "$filter" "$cmds" "$W/$id.stock-$q.rec"
				run_one "$a" "/qemu/patched/qemu-$q" "$filter" "$cmds" "$W/$id.unloaded-$q.rec"
				if cmp -s "$W/$id.stock-$q.rec" "$W/$id.unloaded-$q.rec"; then
					ok "$id: patched qemu-$q, module unloaded = stock qemu-$q"
				else
					notok "$id: patched qemu-$q, module unloaded = stock qemu-$q"
					diff "$W/$id.stock-$q.rec" "$W/$id.unloaded-$q.rec" | head -n 20 | sed 's/^/#   /'
				fi
			done
		done <"$W/ucases"
		modprobe emucompat 2>/dev/null || insmod /emucompat.ko
		if [ -e /emucompat_probe.ko ]; then insmod /emucompat_probe.ko; fi
		if [ -c /dev/emucompat ]; then ok "emucompat loaded again"; else notok "emucompat loaded again"; fi
	fi
fi
echo "# QEMU-USER-TIME arch=$arch group=$group seconds=$(awk -v a="$t_start" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }')"
finish
