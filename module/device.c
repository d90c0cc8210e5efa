// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/emucompat and its uapi layer: copy-in, validation, dispatch and
 * copy-out of every command.  This is the only file that touches the
 * caller's request structs; the feature files get a validated request in
 * kernel memory (emucompat.h says what that means) and fill in results.
 *
 * Any user may open the device: every command acts only on the caller's
 * own address space and its own descriptors, with the caller's own
 * credentials, through the same kernel paths (LSM hooks included) a
 * plain syscall would take.
 *
 * Results that follow an action (a placement, new VA limits) are never
 * undone when they cannot be written back: between the action and the
 * write-back another thread may have replaced what was done, and an undo
 * would destroy its work.  ec_wb_check() (range.c) fails the common case, a
 * struct in read-only or unmapped memory, before anything is done: the
 * placements check it under the mmap lock of their gap search.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "emucompat.h"

static_assert(sizeof(struct emucompat_info) == EMUCOMPAT_INFO_SIZE_VER0);
static_assert(sizeof(struct emucompat_ioctl32) == EMUCOMPAT_IOCTL32_SIZE_VER0);
static_assert(sizeof(struct emucompat_mmap_range) ==
	      EMUCOMPAT_MMAP_RANGE_SIZE_VER0);
static_assert(sizeof(struct emucompat_reserve_range) ==
	      EMUCOMPAT_RESERVE_RANGE_SIZE_VER0);
static_assert(sizeof(struct emucompat_robust_list32) ==
	      EMUCOMPAT_ROBUST_LIST32_SIZE_VER0);
static_assert(sizeof(struct emucompat_dir32) == EMUCOMPAT_DIR32_SIZE_VER0);
static_assert(sizeof(struct emucompat_va_limits) ==
	      EMUCOMPAT_VA_LIMITS_SIZE_VER0);
static_assert(sizeof(struct emucompat_forwarder) ==
	      EMUCOMPAT_FORWARDER_SIZE_VER0);

/* Reserved members, padding: all zero. */
#define ec_zeroed(member) (!memchr_inv(&(member), 0, sizeof(member)))

/*
 * Copy in an extensible struct: size first, VER0 <= size <= PAGE_SIZE,
 * bytes past what this module knows must be zero (copy_struct_from_user()).
 * Return: the caller's size, or a negative errno.
 */
static long ec_copy_in(void *kbuf, size_t ksize, size_t ver0,
		       void __user *uarg)
{
	u32 usize;
	int err;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < ver0)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	err = copy_struct_from_user(kbuf, ksize, uarg, usize);
	if (err)
		return err;
	return usize;
}

/* Write back the first min(ksize, usize) bytes of the result. */
static long ec_copy_out(void __user *uarg, const void *kbuf, size_t ksize,
			size_t usize)
{
	if (copy_to_user(uarg, kbuf, min(ksize, usize)))
		return -EFAULT;
	return 0;
}

/* The write-back of a command's result: the first min(usize, ksize) bytes. */
static struct ec_wb ec_wb_of(void __user *uarg, size_t usize, size_t ksize)
{
	return (struct ec_wb){ .addr = (unsigned long)uarg,
			       .len = min(usize, ksize) };
}

static long ec_cmd_info(void __user *uarg)
{
	struct emucompat_info info;
	long usize;
	int policy;

	usize = ec_copy_in(&info, sizeof(info), EMUCOMPAT_INFO_SIZE_VER0, uarg);
	if (usize < 0)
		return usize;
	if (!ec_zeroed(info.reserved))
		return -EINVAL;

	memset(&info, 0, sizeof(info));
	info.size = usize;
	info.api_version = EMUCOMPAT_API_VERSION;
	/* MREMAP_RANGE and SHMAT_RANGE: library features on RESERVE_RANGE */
	info.caps = EMUCOMPAT_CAP_MMAP_RANGE | EMUCOMPAT_CAP_MREMAP_RANGE |
		    EMUCOMPAT_CAP_SHMAT_RANGE | EMUCOMPAT_CAP_DIR32;
	policy = ec_ioctl32_policy(false);
	if (policy != -EOPNOTSUPP)
		info.caps |= EMUCOMPAT_CAP_IOCTL32;
	if (policy == -EPERM)
		info.flags |= EMUCOMPAT_INFO_SECCOMP_REFUSED;
	if (policy != -EOPNOTSUPP && !EC_NEEDS_PIVOT)
		info.caps |= EMUCOMPAT_CAP_FORWARDER;
	if (ec_ioctl32_policy(true) == -EPERM)
		info.flags |= EMUCOMPAT_INFO_FWD_SECCOMP_REFUSED;
	if (ec_mmap_exec_policy(PROT_EXEC))
		info.flags |= EMUCOMPAT_INFO_SECCOMP_EXEC_REFUSED;
	if (ec_robust_list32_supported())
		info.caps |= EMUCOMPAT_CAP_ROBUST_LIST32;
	if (ec_va_limits_supported())
		info.caps |= EMUCOMPAT_CAP_VA_LIMITS;
	info.arch = ec_arch_id();
	if (EC_NEEDS_PIVOT) {
		info.flags |= EMUCOMPAT_INFO_NEEDS_PIVOT;
		info.pivot_stack_size = EC_PIVOT_STACK_SIZE;
	}
	info.task_size = TASK_SIZE;
	info.mmap_min = ec_mmap_floor();
	info.kernel_version = EC_KERNEL_VERSION;
	info.compat_task_size = ec_arch_compat_task_size();
	return ec_copy_out(uarg, &info, sizeof(info), usize);
}

static long ec_cmd_ioctl32(void __user *uarg)
{
	struct emucompat_ioctl32 req;
	long usize, ret;

	usize = ec_copy_in(&req, sizeof(req), EMUCOMPAT_IOCTL32_SIZE_VER0, uarg);
	if (usize < 0)
		return usize;
	if (req.flags || req.__pad || !ec_zeroed(req.reserved))
		return -EINVAL;
	req.out_flags = 0;
	req.native_cmd = 0;

	ret = ec_ioctl32(&req);
	/* Only "issue it natively" has something to report; nothing was done. */
	if (req.out_flags) {
		long err = ec_copy_out(uarg, &req, sizeof(req), usize);

		if (err)
			return err;
	}
	return ret;
}

static long ec_cmd_mmap_range(void __user *uarg)
{
	struct emucompat_mmap_range req;
	struct ec_wb wb;
	long usize, ret;

	usize = ec_copy_in(&req, sizeof(req), EMUCOMPAT_MMAP_RANGE_SIZE_VER0,
			   uarg);
	if (usize < 0)
		return usize;
	if (!ec_zeroed(req.reserved))
		return -EINVAL;
	wb = ec_wb_of(uarg, usize, sizeof(req));
	ret = ec_mmap_range(&req, &wb);
	if (ret)
		return ret;
	return ec_copy_out(uarg, &req, sizeof(req), usize);
}

static long ec_cmd_reserve_range(void __user *uarg)
{
	struct emucompat_reserve_range req;
	struct ec_wb wb;
	long usize, ret;

	usize = ec_copy_in(&req, sizeof(req), EMUCOMPAT_RESERVE_RANGE_SIZE_VER0,
			   uarg);
	if (usize < 0)
		return usize;
	if (req.flags || !ec_zeroed(req.reserved))
		return -EINVAL;
	wb = ec_wb_of(uarg, usize, sizeof(req));
	ret = ec_reserve_range(&req, &wb);
	if (ret)
		return ret;
	return ec_copy_out(uarg, &req, sizeof(req), usize);
}

static long ec_cmd_robust_list32(void __user *uarg)
{
	struct emucompat_robust_list32 req;
	long usize, ret;

	usize = ec_copy_in(&req, sizeof(req), EMUCOMPAT_ROBUST_LIST32_SIZE_VER0,
			   uarg);
	if (usize < 0)
		return usize;
	if (!ec_zeroed(req.reserved))
		return -EINVAL;
	switch (req.op) {
	case EMUCOMPAT_ROBUST_LIST32_SET:
		break;
	case EMUCOMPAT_ROBUST_LIST32_GET:
		if (req.head || req.len)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	ret = ec_robust_list32(&req);
	if (ret || req.op != EMUCOMPAT_ROBUST_LIST32_GET)
		return ret;
	return ec_copy_out(uarg, &req, sizeof(req), usize);
}

static long ec_cmd_dir32(void __user *uarg)
{
	struct emucompat_dir32 req;
	long usize;

	usize = ec_copy_in(&req, sizeof(req), EMUCOMPAT_DIR32_SIZE_VER0, uarg);
	if (usize < 0)
		return usize;
	if (req.flags || req.__pad || !ec_zeroed(req.reserved))
		return -EINVAL;
	return ec_dir32(&req);
}

static long ec_cmd_va_limits(void __user *uarg)
{
	struct emucompat_va_limits req;
	struct ec_wb wb;
	long usize, ret;

	usize = ec_copy_in(&req, sizeof(req), EMUCOMPAT_VA_LIMITS_SIZE_VER0,
			   uarg);
	if (usize < 0)
		return usize;
	if (req.flags || req.__pad || req.base || !ec_zeroed(req.reserved))
		return -EINVAL;
	switch (req.op) {
	case EMUCOMPAT_VA_LIMITS_SET:
		wb = ec_wb_of(uarg, usize, sizeof(req));
		ret = ec_wb_check(&wb);
		if (ret)
			return ret;
		break;
	case EMUCOMPAT_VA_LIMITS_GET:
	case EMUCOMPAT_VA_LIMITS_CLEAR:
		if (req.lo || req.hi)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	ret = ec_va_limits(&req);
	if (ret || req.op == EMUCOMPAT_VA_LIMITS_CLEAR)
		return ret;
	/* A SET whose result cannot be written back stands (GET tells). */
	return ec_copy_out(uarg, &req, sizeof(req), usize);
}

static long ec_cmd_forwarder(void __user *uarg)
{
	struct emucompat_forwarder req;
	long usize;

	usize = ec_copy_in(&req, sizeof(req), EMUCOMPAT_FORWARDER_SIZE_VER0,
			   uarg);
	if (usize < 0)
		return usize;
	if ((req.flags & ~EMUCOMPAT_FORWARDER_CLOEXEC) ||
	    !ec_zeroed(req.reserved))
		return -EINVAL;
	return ec_forwarder_open(req.flags);
}

/* Match type, direction and number; the size field may grow. */
#define EC_CMD(c) ((c) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

/**
 * ec_unlocked_ioctl() - the ioctl handler of /dev/emucompat
 * @file: the open device (not used: every command acts on the caller)
 * @cmd: EMUCOMPAT_IOC_*; matched on type, direction and number
 * @arg: user pointer to the command's struct
 *
 * Not static for the KUnit suites (kunit.c), which call it directly.
 *
 * Return: the command's result, or -ENOTTY for an unknown command.
 */
long ec_unlocked_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (EC_CMD(cmd)) {
	case EC_CMD(EMUCOMPAT_IOC_INFO):
		return ec_cmd_info(uarg);
	case EC_CMD(EMUCOMPAT_IOC_IOCTL32):
		return ec_cmd_ioctl32(uarg);
	case EC_CMD(EMUCOMPAT_IOC_MMAP_RANGE):
		return ec_cmd_mmap_range(uarg);
	case EC_CMD(EMUCOMPAT_IOC_RESERVE_RANGE):
		return ec_cmd_reserve_range(uarg);
	case EC_CMD(EMUCOMPAT_IOC_ROBUST_LIST32):
		return ec_cmd_robust_list32(uarg);
	case EC_CMD(EMUCOMPAT_IOC_DIR32):
		return ec_cmd_dir32(uarg);
	case EC_CMD(EMUCOMPAT_IOC_VA_LIMITS):
		return ec_cmd_va_limits(uarg);
	case EC_CMD(EMUCOMPAT_IOC_FORWARDER):
		return ec_cmd_forwarder(uarg);
	}
	return -ENOTTY;
}

/*
 * No .compat_ioctl: a 32-bit process gets ENOTTY, and forwarding an ioctl
 * to /dev/emucompat itself ends there too (no recursion).
 */
static const struct file_operations ec_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ec_unlocked_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice ec_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = EMUCOMPAT_DEVICE_NAME,
	.fops = &ec_fops,
	.mode = 0666,
};

/**
 * ec_device_init() - register /dev/emucompat
 *
 * Last in the init chain: from here on, user space can call in.
 *
 * Return: 0, or misc_register()'s error.
 */
int ec_device_init(void)
{
	return misc_register(&ec_misc);
}

/**
 * ec_device_exit() - unregister /dev/emucompat
 *
 * No call is in progress: an open file pins the module.
 */
void ec_device_exit(void)
{
	misc_deregister(&ec_misc);
}
