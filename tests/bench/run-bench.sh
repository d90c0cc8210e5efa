#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-bench.sh — guest side of `make bench` (busybox sh), started by /init
# in ectest.mode=bench.  Runs the benchmark programs in /tests/bench
# (b_startup: 3a, b_ioctl: 1, b_mmap: 2, b_alloc: 3b, b_memory: 4, b_qemu: 5,
# QEMU linux-user patched vs stock) one
# after the other through /run-tests.sh (same timeout, same --only glob,
# same "N passed, N failed" line: a benchmark that crashes or exits
# non-zero is a failure), then unloads the modules.  The host side,
# tests/bench/bench.sh, reads their "@..." lines back from the console.
#
# Console noise would break the "@csv"/"@md" lines the host reads back,
# so kernel messages below KERN_ERR stay in the ring buffer while the
# benchmarks run; afterwards every splat the harness looks for is copied
# from dmesg to the console, where run.sh judges it as usual.

B=/tests/bench

echo "@env guest_kernel=$(uname -r)"
echo "@env guest_arch=$(uname -m)"
echo "@env guest_cpus=$(nproc)"
echo "@env clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"
echo "@env module_version=$(cat /sys/module/emucompat/version 2>/dev/null)"
echo "@env max_map_count_default=$(cat /proc/sys/vm/max_map_count)"

# b_mmap creates 60 000 mappings (+ its own): keep headroom over 65530.
echo 262144 >/proc/sys/vm/max_map_count
read -r printk_saved _ </proc/sys/kernel/printk
echo 4 >/proc/sys/kernel/printk

# ectest.profile=1: function_graph call trees (tests/bench/ftrace.h)
case " $(cat /proc/cmdline) " in
*" ectest.profile=1 "*) export EMUCOMPAT_BENCH_PROFILE=1 ;;
esac

set --
for p in b_startup b_ioctl b_mmap b_alloc b_memory b_qemu; do
	[ -x "$B/$p" ] && set -- "$@" "$B/$p"
done
/run-tests.sh --unload "$@"
rc=$?

echo "$printk_saved" >/proc/sys/kernel/printk
dmesg | grep -E 'Kernel panic|BUG:|WARNING:|Oops|Call Trace|KASAN|UBSAN|possible circular locking|possible recursive locking|INFO: task|kernel BUG|general protection|Unable to handle kernel|Internal error:|lockdep'
exit $rc
