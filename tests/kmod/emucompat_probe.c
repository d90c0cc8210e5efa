// SPDX-License-Identifier: GPL-2.0
/*
 * emucompat_probe - a test-only misc device, /dev/emucompat_probe.
 *
 * It answers the same ioctls through unlocked_ioctl and compat_ioctl and
 * reports what the calling task looks like from inside the kernel: the
 * compat flag, in_compat_syscall(), the saved user stack pointer.  The
 * guest tests forward its commands through /dev/emucompat and compare.
 * The ABI is tests/guest/lib/probe_uapi.h.  Never load this on a system
 * that is not a test guest: the device is world-accessible.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <linux/wait.h>

#include "../guest/lib/probe_uapi.h"

/* Architecture and version differences: only here. */
#ifndef CONFIG_COMPAT
#error "emucompat_probe needs CONFIG_COMPAT"
#endif

#if defined(CONFIG_X86_64)
static bool probe_compat_flag(struct task_struct *t)
{
	return READ_ONCE(task_thread_info(t)->status) & TS_COMPAT;
}
#elif defined(CONFIG_ARM64)
static bool probe_compat_flag(struct task_struct *t)
{
	return test_tsk_thread_flag(t, TIF_32BIT);
}
#else
#error "emucompat_probe supports x86-64 and arm64 only"
#endif

#ifdef PROBE_HAVE_COMPAT_ALLOC_USER_SPACE
#define PROBE_HAVE_ALLOC_USER	1
#else
#define PROBE_HAVE_ALLOC_USER	0
#endif

#define PROBE_SLEEP_MAX_MS	60000

static DECLARE_WAIT_QUEUE_HEAD(probe_wq);
static atomic_t probe_wake_gen = ATOMIC_INIT(0);
static atomic_t probe_sleepers = ATOMIC_INIT(0);
static atomic_t probe_entries = ATOMIC_INIT(0);
static atomic_t probe_wakes = ATOMIC_INIT(0);

/* The tail of the last PROBE_SLEEP*; its counters are the atomics above. */
static DEFINE_SPINLOCK(probe_last_lock);
static struct probe_last probe_last_rec;

static long probe_state(void __user *uarg, int handler)
{
	struct probe_state s;

	memset(&s, 0, sizeof(s));
	s.in_compat = in_compat_syscall();
	s.handler = handler;
	s.arch_flag = probe_compat_flag(current);
	s.user_sp = current_pt_regs()->sp;
	s.task_size = TASK_SIZE;
	if (copy_to_user(uarg, &s, sizeof(s)))
		return -EFAULT;
	return 0;
}

static long probe_sleep(unsigned long ms, bool eintr, int handler)
{
	int gen = atomic_read(&probe_wake_gen);
	long left, ret;

	if (ms > PROBE_SLEEP_MAX_MS)
		return -EINVAL;

	atomic_inc(&probe_entries);
	atomic_inc(&probe_sleepers);
	left = wait_event_interruptible_timeout(probe_wq,
						atomic_read(&probe_wake_gen) != gen,
						msecs_to_jiffies(ms));
	atomic_dec(&probe_sleepers);

	if (left < 0)
		ret = eintr ? -EINTR : -ERESTARTSYS;
	else
		ret = left > 0 ? 1 : 0;

	spin_lock(&probe_last_lock);
	probe_last_rec.ret = ret;
	probe_last_rec.in_compat = in_compat_syscall();
	probe_last_rec.arch_flag = probe_compat_flag(current);
	probe_last_rec.handler = handler;
	probe_last_rec.tid = task_pid_vnr(current);
	spin_unlock(&probe_last_lock);
	return ret;
}

static long probe_wake(void)
{
	atomic_inc(&probe_wakes);
	atomic_inc(&probe_wake_gen);
	wake_up_interruptible_all(&probe_wq);
	return 0;
}

static long probe_last(void __user *uarg)
{
	struct probe_last l;

	spin_lock(&probe_last_lock);
	l = probe_last_rec;
	spin_unlock(&probe_last_lock);
	l.sleepers = atomic_read(&probe_sleepers);
	l.entries = atomic_read(&probe_entries);
	l.wakes = atomic_read(&probe_wakes);
	if (copy_to_user(uarg, &l, sizeof(l)))
		return -EFAULT;
	return 0;
}

/* Only threads of the caller's own process, seen from its pid namespace. */
static long probe_task_flag(void __user *uarg)
{
	struct probe_task_flag tf;
	struct task_struct *t;
	struct pid *pid;

	if (copy_from_user(&tf, uarg, sizeof(tf)))
		return -EFAULT;
	pid = find_get_pid(tf.tid);
	if (!pid)
		return -ESRCH;
	t = get_pid_task(pid, PIDTYPE_PID);
	put_pid(pid);
	if (!t)
		return -ESRCH;
	if (!same_thread_group(t, current)) {
		put_task_struct(t);
		return -EPERM;
	}
	tf.flag = probe_compat_flag(t);
	put_task_struct(t);
	if (copy_to_user(uarg, &tf, sizeof(tf)))
		return -EFAULT;
	return 0;
}

#if PROBE_HAVE_ALLOC_USER
/*
 * compat_alloc_user_space() carves its space below the saved user stack
 * pointer.  Write into it only when it lies in [lo, hi), the caller's own
 * pivot stack: a wrong pointer would scribble over the caller's memory.
 */
static long probe_alloc_user(void __user *uarg)
{
	struct probe_alloc a;
	void __user *p;
	long ret = 0;
	u8 *buf;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (!a.len || a.len > PROBE_ALLOC_MAX)
		return -EINVAL;

	a.user_sp = current_pt_regs()->sp;
	p = compat_alloc_user_space(a.len);
	a.addr = (unsigned long)p;
	if (!p || a.addr < a.lo || a.addr > a.hi || a.hi - a.addr < a.len) {
		ret = -ERANGE;
	} else {
		buf = kmalloc(a.len, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		memset(buf, a.pattern, a.len);
		if (copy_to_user(p, buf, a.len))
			ret = -EFAULT;
		kfree(buf);
	}
	if (copy_to_user(uarg, &a, sizeof(a)))
		return -EFAULT;
	return ret;
}
#else
static long probe_alloc_user(void __user *uarg)
{
	return -EOPNOTSUPP;
}
#endif

/* A driver mapping memory for its caller: the kernel picks the address. */
static long probe_vm_mmap(void __user *uarg)
{
	struct probe_vm_mmap m;
	unsigned long addr;

	if (copy_from_user(&m, uarg, sizeof(m)))
		return -EFAULT;
	if (!m.len || m.len > PROBE_VM_MMAP_MAX)
		return -EINVAL;
	addr = vm_mmap(NULL, 0, m.len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(addr))
		return (long)addr;
	m.addr = addr;
	if (copy_to_user(uarg, &m, sizeof(m))) {
		vm_munmap(addr, m.len);
		return -EFAULT;
	}
	return 0;
}

static long probe_ioctl_common(unsigned int cmd, unsigned long arg,
			       void __user *uarg, int handler)
{
	switch (cmd) {
	case PROBE_STATE:
		return probe_state(uarg, handler);
	case PROBE_SLEEP:
		return probe_sleep(arg, false, handler);
	case PROBE_SLEEP_EINTR:
		return probe_sleep(arg, true, handler);
	case PROBE_WAKE:
		return probe_wake();
	case PROBE_LAST:
		return probe_last(uarg);
	case PROBE_TASK_FLAG:
		return probe_task_flag(uarg);
	case PROBE_ALLOC_USER:
		if (!PROBE_HAVE_ALLOC_USER)
			return -EOPNOTSUPP;
		if (handler != PROBE_HANDLER_COMPAT)
			return -EINVAL;
		return probe_alloc_user(uarg);
	case PROBE_VM_MMAP:
		return probe_vm_mmap(uarg);
	case PROBE_RETURN:
		if (arg > PROBE_RETURN_MAX)
			return -EINVAL;
		return arg;
	}
	return -ENOTTY;
}

static long probe_unlocked_ioctl(struct file *file, unsigned int cmd,
				 unsigned long arg)
{
	return probe_ioctl_common(cmd, arg, (void __user *)arg,
				  PROBE_HANDLER_NATIVE);
}

static long probe_compat_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	return probe_ioctl_common(cmd, arg, compat_ptr(arg),
				  PROBE_HANDLER_COMPAT);
}

static const struct file_operations probe_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= probe_unlocked_ioctl,
	.compat_ioctl	= probe_compat_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice probe_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= PROBE_DEVICE_NAME,
	.fops	= &probe_fops,
	.mode	= 0666,
};

static int __init probe_init(void)
{
	return misc_register(&probe_misc);
}

static void __exit probe_exit(void)
{
	misc_deregister(&probe_misc);
}

module_init(probe_init);
module_exit(probe_exit);

MODULE_DESCRIPTION("emucompat test probe: reports the compat state of its callers");
MODULE_LICENSE("GPL");
