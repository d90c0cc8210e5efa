/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT */
/*
 * probe_uapi.h - ABI of /dev/emucompat_probe, the test-only device built
 * from tests/kmod/emucompat_probe.c.  Shared by the module and the guest
 * tests; included from kernel code too, so it uses only <linux/types.h>
 * and <linux/ioctl.h>.
 *
 * Every struct has the same layout in the native and the compat ABI
 * (fixed-width members, 8-byte members 8-byte aligned, size a multiple of
 * 8), so a command number means the same thing from both sides.
 *
 * The device answers through both unlocked_ioctl (native) and
 * compat_ioctl; each reply says which one ran.
 */
#ifndef PROBE_UAPI_H
#define PROBE_UAPI_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define PROBE_DEVICE_NAME	"emucompat_probe"
#define PROBE_DEVICE_PATH	"/dev/emucompat_probe"

#define PROBE_IOC_MAGIC		0xE7

/* probe_state.handler, probe_last.handler */
#define PROBE_HANDLER_NATIVE	1	/* f_op->unlocked_ioctl ran */
#define PROBE_HANDLER_COMPAT	2	/* f_op->compat_ioctl ran */

/**
 * struct probe_state - what the calling task looks like from the kernel
 * @in_compat: in_compat_syscall()
 * @handler: PROBE_HANDLER_*
 * @arch_flag: x86-64: TS_COMPAT in thread_info->status; arm64: TIF_32BIT
 * @pad: zero
 * @user_sp: current_pt_regs()->sp, the user stack pointer as saved on entry
 *           (or as pivoted by emucompat)
 * @task_size: TASK_SIZE as evaluated in the handler
 */
struct probe_state {
	__u32 in_compat;
	__u32 handler;
	__u32 arch_flag;
	__u32 pad;
	__u64 user_sp;
	__u64 task_size;
};

/**
 * struct probe_last - module-global record of the last PROBE_SLEEP*
 * @sleepers: tasks inside PROBE_SLEEP* right now
 * @entries: PROBE_SLEEP* calls entered since load (restarts included)
 * @wakes: PROBE_WAKE calls since load
 * @ret: what the last PROBE_SLEEP* returned (0 timeout, 1 woken,
 *       -ERESTARTSYS = -512 or -EINTR when a signal interrupted it)
 * @in_compat: in_compat_syscall() right before that return
 * @arch_flag: the arch compat flag (see probe_state) right before it
 * @handler: PROBE_HANDLER_* of that call
 * @tid: task_pid_vnr(current) of that call
 */
struct probe_last {
	__u32 sleepers;
	__u32 entries;
	__u32 wakes;
	__s32 ret;
	__u32 in_compat;
	__u32 arch_flag;
	__u32 handler;
	__s32 tid;
};

/**
 * struct probe_task_flag - is the compat flag set on another task?
 * @tid: in: thread id, in the caller's pid namespace
 * @flag: out: 1 if the task's arch compat flag is set (see probe_state)
 */
struct probe_task_flag {
	__s32 tid;
	__u32 flag;
};

/**
 * struct probe_alloc - compat_alloc_user_space() from a compat_ioctl
 * @len: in: bytes to allocate, 1..PROBE_ALLOC_MAX
 * @pattern: in: byte written over the whole allocation
 * @lo: in: the allocation is written only if it lies inside [lo, hi)
 * @hi: in: (the caller's pivot stack); else -ERANGE, nothing written
 * @addr: out: what compat_alloc_user_space() returned
 * @user_sp: out: current_pt_regs()->sp in the handler
 */
struct probe_alloc {
	__u32 len;
	__u32 pattern;
	__u64 lo;
	__u64 hi;
	__u64 addr;
	__u64 user_sp;
};

#define PROBE_ALLOC_MAX		4096

/**
 * struct probe_vm_mmap - a driver's own anonymous mapping (vm_mmap(NULL))
 * @len: in: bytes, 1..PROBE_VM_MMAP_MAX
 * @addr: out: where the kernel placed it (the caller munmaps it)
 */
struct probe_vm_mmap {
	__u64 len;
	__u64 addr;
};

#define PROBE_VM_MMAP_MAX	(16u << 20)

/* Fill *arg (struct probe_state). */
#define PROBE_STATE		_IOR(PROBE_IOC_MAGIC, 0x00, struct probe_state)
/*
 * Sleep interruptibly until PROBE_WAKE or arg milliseconds (max 60000)
 * pass.  Returns 1 when woken, 0 on timeout, -ERESTARTSYS when a signal
 * interrupted it (restarted under SA_RESTART, else EINTR).
 */
#define PROBE_SLEEP		_IO(PROBE_IOC_MAGIC, 0x01)
/* As PROBE_SLEEP, but a signal yields -EINTR: never restarted. */
#define PROBE_SLEEP_EINTR	_IO(PROBE_IOC_MAGIC, 0x02)
/* Wake every PROBE_SLEEP* sleeper. */
#define PROBE_WAKE		_IO(PROBE_IOC_MAGIC, 0x03)
/* Fill *arg (struct probe_last). */
#define PROBE_LAST		_IOR(PROBE_IOC_MAGIC, 0x04, struct probe_last)
/* arg: struct probe_task_flag; -ESRCH if there is no such task. */
#define PROBE_TASK_FLAG		_IOWR(PROBE_IOC_MAGIC, 0x05, struct probe_task_flag)
/*
 * arg: struct probe_alloc.  Only through compat_ioctl on kernels that
 * have compat_alloc_user_space() (5.10); -EOPNOTSUPP on others, -EINVAL
 * through unlocked_ioctl.
 */
#define PROBE_ALLOC_USER	_IOWR(PROBE_IOC_MAGIC, 0x06, struct probe_alloc)
/*
 * arg: struct probe_vm_mmap.  vm_mmap(NULL, 0, len, PROT_READ | PROT_WRITE,
 * MAP_PRIVATE | MAP_ANONYMOUS, 0), as drivers map memory for the caller
 * inside an ioctl: the kernel chooses the address.  Its error, if any.
 */
#define PROBE_VM_MMAP		_IOWR(PROBE_IOC_MAGIC, 0x08, struct probe_vm_mmap)
/* Return arg (0 .. PROBE_RETURN_MAX) as the ioctl's result; no side effect. */
#define PROBE_RETURN		_IO(PROBE_IOC_MAGIC, 0x07)
#define PROBE_RETURN_MAX	0x7fffffff

#endif /* PROBE_UAPI_H */
