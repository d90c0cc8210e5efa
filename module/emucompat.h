/* SPDX-License-Identifier: GPL-2.0 */
/*
 * emucompat — internal interfaces between the files of the module.
 */
#ifndef _EMUCOMPAT_INTERNAL_H
#define _EMUCOMPAT_INTERNAL_H

#include <linux/types.h>
#include <linux/preempt.h>
#include <linux/emucompat.h>

struct file;
struct mm_struct;

/* Module parameters (main.c). */
extern bool ec_allow_seccomp;
extern bool ec_ioctl32_enabled;

/*
 * Arch interface: one small file per architecture (arch-x86.c,
 * arch-arm64.c) implements these.
 */

/**
 * struct ec_compat_window - state of one compat window on the current task
 * @saved: the arch flag's state before the window, restored on exit
 * @pn: arm64: drops the flag while the task is scheduled out
 *
 * Lives on the kernel stack of the ioctl that opens the window.
 */
struct ec_compat_window {
	bool saved;
#ifdef CONFIG_PREEMPT_NOTIFIERS
	struct preempt_notifier pn;
#endif
};

int ec_arch_init(void);
void ec_arch_exit(void);
u32 ec_arch_id(void);
bool ec_arch_compat_supported(void);
u64 ec_arch_compat_task_size(void);
bool ec_arch_compat_flag(void);
void ec_compat_enter(struct ec_compat_window *w);
void ec_compat_exit(struct ec_compat_window *w);
unsigned long ec_user_sp(void);
void ec_set_user_sp(unsigned long sp);
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

/* compat32.c */
bool ec_robust_list32_supported(void);
long ec_robust_list32(struct emucompat_robust_list32 *req);
long ec_dir32(const struct emucompat_dir32 *req);

/* valimits.c */
bool ec_va_limits_supported(void);
long ec_va_limits(struct emucompat_va_limits *req);
void ec_va_limits_exit(void);

/* main.c */
long ec_unlocked_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* ioctl32.c */
long ec_ioctl32(struct emucompat_ioctl32 *req);

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
long ec_mmap_range(struct emucompat_mmap_range *req);
long ec_reserve_range(struct emucompat_reserve_range *req);

#endif /* _EMUCOMPAT_INTERNAL_H */
