// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 side of the compat window: TIF_32BIT.
 *
 * On arm64 TIF_32BIT means far more than in_compat_syscall() (every
 * reader in 6.1 and 6.12, what the window does about it and what is left:
 * arch-arm64-audit.md next to this file): TASK_SIZE shrinks to
 * 4 GiB, so a uaccess fault above 4 GiB becomes -EFAULT and kernel-internal
 * mmaps fail; the context-switch code saves and restores the user TLS
 * registers (tls_thread_switch()) as for an AArch32 task; a flag left set
 * at syscall return truncates the return value to 32 bits and would build
 * an AArch32 signal frame.
 *
 * Hence the flag is held only while the forwarded handler runs, and a
 * preempt notifier drops it whenever the task is switched out and sets it
 * again when the task is switched back in: out-notifiers run in
 * prepare_task_switch() before __switch_to(), in-notifiers in
 * finish_task_switch() after it, so neither the TLS switch code, nor
 * remote readers of the flag, nor another CPU ever see it, whether the
 * handler sleeps, is preempted or migrates.  The window is closed before
 * the ioctl returns, so signal delivery and syscall return see a 64-bit
 * task.
 *
 * What remains inside the window is what a real 32-bit caller gets too:
 * TASK_SIZE is 4 GiB for the handler, which touches only compat_ptr()
 * addresses (< 4 GiB) or the pivot stack (< 4 GiB).  A handler that maps
 * memory without an address (vm_mmap(NULL, ...)) fails with -ENOMEM,
 * because this task's mmap_base lies far above 4 GiB, unless the process
 * set VA limits below 4 GiB (valimits.c); see docs/known-limits.md.
 *
 * Tasks cloned inside the window (vhost workers) copy the flag; a kernel
 * worker of a 64-bit process with TIF_32BIT set would then see a 4 GiB
 * TASK_SIZE for good.  See docs/known-limits.md.
 */
#include <linux/sched.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/preempt.h>
#include <linux/ptrace.h>
#include <linux/thread_info.h>
#include "emucompat.h"

static void ec_sched_in(struct preempt_notifier *pn, int cpu)
{
	set_thread_flag(TIF_32BIT);
}

static void ec_sched_out(struct preempt_notifier *pn, struct task_struct *next)
{
	clear_thread_flag(TIF_32BIT);
}

static struct preempt_ops ec_preempt_ops = {
	.sched_in = ec_sched_in,
	.sched_out = ec_sched_out,
};

/**
 * ec_arch_init() - arch set-up at module load
 *
 * Enables the preempt-notifier static key for as long as the module is
 * loaded.
 *
 * Return: 0.
 */
int ec_arch_init(void)
{
	preempt_notifier_inc();
	return 0;
}

/**
 * ec_arch_exit() - arch tear-down at module unload
 */
void ec_arch_exit(void)
{
	preempt_notifier_dec();
}

/**
 * ec_arch_id() - the EMUCOMPAT_ARCH_* value of this build
 *
 * Return: EMUCOMPAT_ARCH_ARM64.
 */
u32 ec_arch_id(void)
{
	return EMUCOMPAT_ARCH_ARM64;
}

/**
 * ec_arch_compat_supported() - can this kernel run compat ioctl handlers?
 *
 * The handlers run in the kernel, so the CPU need not support AArch32 at
 * EL0; only CONFIG_COMPAT matters.
 *
 * Return: true when the kernel was built with CONFIG_COMPAT.
 */
bool ec_arch_compat_supported(void)
{
	return IS_ENABLED(CONFIG_COMPAT);
}

/**
 * ec_arch_compat_flag() - is the compat flag set on the current task?
 *
 * For the KUnit suites, which check the window opens and closes.
 *
 * Return: true when TIF_32BIT is set.
 */
bool ec_arch_compat_flag(void)
{
	return test_thread_flag(TIF_32BIT);
}

/**
 * ec_arch_compat_task_size() - end of a real 32-bit process's address space
 *
 * Inside the window TASK_SIZE is TASK_SIZE_32, and a translation fault
 * at or above it is a bad access (is_ttbr0_addr()), so a handler cannot
 * fault in a page there.
 *
 * Return: TASK_SIZE_32.
 */
u64 ec_arch_compat_task_size(void)
{
	return TASK_SIZE_32;
}

/**
 * ec_arch_get_mmap_bases() - read the mmap base of an address space
 * @mm: the address space; the caller holds its mmap lock (read is enough)
 * @b: out: the bases; arm64 has one, used by both layouts
 *          (mm/util.c arch_pick_mmap_layout())
 */
void ec_arch_get_mmap_bases(struct mm_struct *mm, struct ec_mmap_bases *b)
{
	lockdep_assert_held(&mm->mmap_lock);
	memset(b, 0, sizeof(*b));
	b->base = mm->mmap_base;
}

/**
 * ec_arch_set_mmap_bases() - write the mmap base of an address space
 * @mm: the address space; the caller holds mmap_write_lock(), which every
 *      placement (get_unmapped_area() and its callers) holds too
 * @b: the bases
 */
void ec_arch_set_mmap_bases(struct mm_struct *mm, const struct ec_mmap_bases *b)
{
	lockdep_assert_held_write(&mm->mmap_lock);
	WRITE_ONCE(mm->mmap_base, b->base);
}

/**
 * ec_arch_limit_mmap_bases() - bases that place inside [lo, hi)
 * @b: in: the address space's own bases; out: the limited ones
 * @topdown: the address space places top-down
 * @lo: lowest address, page aligned
 * @hi: end, page aligned, > @lo
 *
 * Top-down: the lower of @hi and the own base (the gap below the stack
 * stays).  A compat window (a forwarded ioctl) searches from the same
 * base but may not use the last page below 4 GiB (TASK_SIZE_32), so a
 * base between it and 4 GiB becomes TASK_SIZE_32.  Bottom-up: @lo.
 *
 * Return: where the search starts.
 */
unsigned long ec_arch_limit_mmap_bases(struct ec_mmap_bases *b, bool topdown,
				       unsigned long lo, unsigned long hi)
{
	if (!topdown) {
		b->base = lo;
		return b->base;
	}
	b->base = min(hi, b->base);
	if (b->base > TASK_SIZE_32 && b->base <= SZ_4G)
		b->base = TASK_SIZE_32;
	return b->base;
}

/**
 * ec_arch_compat_enter() - make in_compat_syscall() true for the current task
 * @w: window state, passed back to ec_arch_compat_exit()
 *
 * Registers a preempt notifier on the current task that keeps the flag
 * off while the task is not running.  Must be paired with ec_arch_compat_exit()
 * on every path before the ioctl returns.
 */
void ec_arch_compat_enter(struct ec_compat_window *w)
{
	w->saved = test_thread_flag(TIF_32BIT);
	preempt_notifier_init(&w->arch.pn, &ec_preempt_ops);
	preempt_disable();
	preempt_notifier_register(&w->arch.pn);
	set_thread_flag(TIF_32BIT);
	preempt_enable();
}

/**
 * ec_arch_compat_exit() - close the window opened by ec_arch_compat_enter()
 * @w: window state from ec_arch_compat_enter()
 */
void ec_arch_compat_exit(struct ec_compat_window *w)
{
	preempt_disable();
	if (!w->saved)
		clear_thread_flag(TIF_32BIT);
	preempt_notifier_unregister(&w->arch.pn);
	preempt_enable();
}

/**
 * ec_arch_ioctl32_special() - commands compat_sys_ioctl() handles per arch
 * @file: target file
 * @cmd: command as the 32-bit caller passed it
 * @arg: 32-bit argument
 *
 * arm64 has none: AArch32 aligns 64-bit members as AArch64 does.
 *
 * Return: -ENOIOCTLCMD.
 */
long ec_arch_ioctl32_special(struct file *file, unsigned int cmd, u32 arg)
{
	return -ENOIOCTLCMD;
}
