/* SPDX-License-Identifier: GPL-2.0 */
/*
 * emucompat — internal interfaces between the files of the module.
 *
 * One pair of _init/_exit per file that owns global state, called by
 * main.c in order and unwound in reverse.  A "validated request" below is
 * one device.c has checked: the size rule of the uapi header, reserved
 * members, padding and input-only flags zero, and a known op; the callee
 * checks the values themselves (lengths, ranges, descriptors).
 *
 * Locking: a function that needs the caller's mmap_lock says which mode
 * in its comment and asserts it with lockdep; the others take what they
 * need themselves and are called without it.
 */
#ifndef _EMUCOMPAT_INTERNAL_H
#define _EMUCOMPAT_INTERNAL_H

#include <linux/types.h>
#include <linux/sizes.h>
#include <linux/emucompat.h>

struct file;
struct mm_struct;

/*
 * stack_guard_gap (mm/mmap.c) is not exported; its default, 256 pages, is
 * kept below a VM_GROWSDOWN mapping.  A kernel booted with a larger
 * stack_guard_gap= still gets at least this.
 */
#define EC_STACK_GUARD_GAP	(256UL << PAGE_SHIFT)

/* The low stack EMUCOMPAT_IOCTL32 needs with compat_alloc_user_space(). */
#define EC_PIVOT_STACK_SIZE	SZ_64K

/* device.c: the misc device and the uapi layer. */
int ec_device_init(void);
void ec_device_exit(void);
long ec_unlocked_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/*
 * Arch interface: one file per architecture (arch-x86.c, arch-arm64.c);
 * struct ec_arch_window comes from its header.
 */
#if IS_ENABLED(CONFIG_ARM64)
#include "arch-arm64.h"
#else
#include "arch-x86.h"
#endif

/**
 * struct ec_compat_window - state of one compat window on the current task
 * @saved: the arch flag's state before the window, restored on exit
 * @arch: what the architecture needs besides (arm64: a preempt notifier)
 *
 * Lives on the kernel stack of the ioctl that opens the window.
 */
struct ec_compat_window {
	bool saved;
	struct ec_arch_window arch;
};

int ec_arch_init(void);
void ec_arch_exit(void);
u32 ec_arch_id(void);
bool ec_arch_compat_supported(void);
u64 ec_arch_compat_task_size(void);
bool ec_arch_compat_flag(void);
void ec_arch_compat_enter(struct ec_compat_window *w);
void ec_arch_compat_exit(struct ec_compat_window *w);
long ec_arch_ioctl32_special(struct file *file, unsigned int cmd, u32 arg);

/**
 * struct ec_mmap_bases - where an address space's placement searches start
 * @base: top-down search start (mm->mmap_base)
 * @legacy_base: x86-64: bottom-up search start (mm->mmap_legacy_base);
 *               elsewhere the bottom-up layout uses @base
 * @compat_base: x86-64: @base of 32-bit syscalls (mm->mmap_compat_base)
 * @compat_legacy_base: x86-64: @legacy_base of 32-bit syscalls
 *
 * Members an architecture does not use are 0 and ignored.
 */
struct ec_mmap_bases {
	unsigned long base;
	unsigned long legacy_base;
	unsigned long compat_base;
	unsigned long compat_legacy_base;
};

void ec_arch_get_mmap_bases(struct mm_struct *mm, struct ec_mmap_bases *b);
void ec_arch_set_mmap_bases(struct mm_struct *mm,
			    const struct ec_mmap_bases *b);
unsigned long ec_arch_limit_mmap_bases(struct ec_mmap_bases *b, bool topdown,
				       unsigned long lo, unsigned long hi);

/* ioctl32.c: compat ioctl forwarding, and its three module parameters. */
int ec_ioctl32_policy(bool fwd);
int ec_mmap_exec_policy(unsigned long prot);
long ec_ioctl32(struct emucompat_ioctl32 *req);
int ec_forwarder_open(u32 flags);

/* range.c */

/**
 * struct ec_span - one contiguous, page-aligned search window [start, end)
 * @start: first usable address
 * @end: end of the window (exclusive)
 */
struct ec_span {
	unsigned long start;
	unsigned long end;
};

unsigned long ec_mmap_floor(void);
unsigned long ec_mmap_top(u64 lo, u64 hi);
int ec_check_mmap_flags(unsigned long prot, unsigned long flags);
int ec_range_spans(u64 lo, u64 hi, unsigned long floor, unsigned long top,
		   struct ec_span spans[2]);
/* ec_rb_highest_gap() and struct ec_gap_tree_ops: compat.h */

/**
 * struct ec_wb - where a command's result will be written back
 * @addr: user address of the request struct
 * @len: bytes the write-back covers
 *
 * A command that acts first checks that its result can be written back
 * (every page of the range in a writable mapping); the placements do it
 * under the mmap lock their gap search holds anyway.
 */
struct ec_wb {
	unsigned long addr;
	size_t len;
};

int ec_wb_check(const struct ec_wb *wb);
long ec_mmap_range(struct emucompat_mmap_range *req, const struct ec_wb *wb);
long ec_reserve_range(struct emucompat_reserve_range *req,
		      const struct ec_wb *wb);

/* dir32.c */
long ec_dir32(const struct emucompat_dir32 *req);

/* robust32.c: built with CONFIG_FUTEX and CONFIG_COMPAT (module/Kbuild). */
#if IS_ENABLED(CONFIG_FUTEX) && IS_ENABLED(CONFIG_COMPAT)
long ec_robust_list32(struct emucompat_robust_list32 *req);

static inline bool ec_robust_list32_supported(void)
{
	return true;
}
#else
static inline long ec_robust_list32(struct emucompat_robust_list32 *req)
{
	return -EOPNOTSUPP;
}

static inline bool ec_robust_list32_supported(void)
{
	return false;
}
#endif

/* valimits.c: built with CONFIG_MMU_NOTIFIER (module/Kbuild). */
#if IS_ENABLED(CONFIG_MMU_NOTIFIER)
int ec_va_limits_init(void);
void ec_va_limits_exit(void);
long ec_va_limits(struct emucompat_va_limits *req);

static inline bool ec_va_limits_supported(void)
{
	return true;
}
#else
static inline int ec_va_limits_init(void)
{
	return 0;
}

static inline void ec_va_limits_exit(void)
{
}

static inline long ec_va_limits(struct emucompat_va_limits *req)
{
	return -EOPNOTSUPP;
}

static inline bool ec_va_limits_supported(void)
{
	return false;
}
#endif

#endif /* _EMUCOMPAT_INTERNAL_H */
