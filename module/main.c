// SPDX-License-Identifier: GPL-2.0
/*
 * emucompat — compat ioctls and ranged mappings for binary translators.
 *
 * /dev/emucompat is a misc device that any user may open: every command
 * acts only on the caller's own address space and its own descriptors,
 * with the caller's own credentials, through the same kernel paths
 * (LSM hooks included) a plain syscall would take.
 */

#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/sched.h>
#include "emucompat.h"

bool ec_allow_seccomp;
module_param_named(allow_seccomp, ec_allow_seccomp, bool, 0644);
MODULE_PARM_DESC(allow_seccomp,
		 "Forward ioctls for tasks under seccomp too (default: refuse with EPERM, since the filter cannot see the forwarded command)");

bool ec_ioctl32_enabled = true;
module_param_named(ioctl32, ec_ioctl32_enabled, bool, 0644);
MODULE_PARM_DESC(ioctl32,
		 "Allow compat ioctl forwarding (default: on; off keeps ranged mappings only)");

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

static long ec_copy_out(void __user *uarg, const void *kbuf, size_t ksize,
			size_t usize)
{
	if (copy_to_user(uarg, kbuf, min(ksize, usize)))
		return -EFAULT;
	return 0;
}

/*
 * Copy out the result of a placement; if the caller's struct cannot be
 * written, it never learns the address, so undo the mapping.
 */
static long ec_copy_out_placed(void __user *uarg, const void *kbuf,
			       size_t ksize, size_t usize, u64 addr, u64 len)
{
	long ret = ec_copy_out(uarg, kbuf, ksize, usize);

	if (ret)
		vm_munmap(addr, len);
	return ret;
}

static bool ec_zero(const u64 *v, size_t n)
{
	while (n--)
		if (*v++)
			return false;
	return true;
}

static long ec_cmd_info(void __user *uarg)
{
	struct emucompat_info info;
	long usize;

	usize = ec_copy_in(&info, sizeof(info), EMUCOMPAT_INFO_SIZE_VER0, uarg);
	if (usize < 0)
		return usize;
	if (!ec_zero(info.reserved, ARRAY_SIZE(info.reserved)))
		return -EINVAL;

	memset(&info, 0, sizeof(info));
	info.size = usize;
	info.api_version = EMUCOMPAT_API_VERSION;
	info.caps = EMUCOMPAT_CAP_MMAP_RANGE | EMUCOMPAT_CAP_MREMAP_RANGE |
		    EMUCOMPAT_CAP_SHMAT_RANGE;
	if (ec_ioctl32_enabled && ec_arch_compat_supported())
		info.caps |= EMUCOMPAT_CAP_IOCTL32;
	if (ec_robust_list32_supported())
		info.caps |= EMUCOMPAT_CAP_ROBUST_LIST32;
	info.caps |= EMUCOMPAT_CAP_DIR32;
	if (ec_va_limits_supported())
		info.caps |= EMUCOMPAT_CAP_VA_LIMITS;
	info.arch = ec_arch_id();
	if (EC_NEEDS_PIVOT) {
		info.flags |= EMUCOMPAT_INFO_NEEDS_PIVOT;
		info.pivot_stack_size = SZ_64K;
	}
	if (ec_seccomp_active() && !ec_allow_seccomp)
		info.flags |= EMUCOMPAT_INFO_SECCOMP_REFUSED;
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
	if (req.flags || req.__pad ||
	    !ec_zero(req.reserved, ARRAY_SIZE(req.reserved)))
		return -EINVAL;
	req.out_flags = 0;
	req.native_cmd = 0;

	ret = ec_ioctl32(&req);
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
	long usize, ret;

	usize = ec_copy_in(&req, sizeof(req), EMUCOMPAT_MMAP_RANGE_SIZE_VER0,
			   uarg);
	if (usize < 0)
		return usize;
	if (!ec_zero(req.reserved, ARRAY_SIZE(req.reserved)))
		return -EINVAL;

	ret = ec_mmap_range(&req);
	if (ret)
		return ret;
	return ec_copy_out_placed(uarg, &req, sizeof(req), usize, req.addr,
				  req.len);
}

static long ec_cmd_reserve_range(void __user *uarg)
{
	struct emucompat_reserve_range req;
	long usize, ret;

	usize = ec_copy_in(&req, sizeof(req), EMUCOMPAT_RESERVE_RANGE_SIZE_VER0,
			   uarg);
	if (usize < 0)
		return usize;
	if (req.flags || !ec_zero(req.reserved, ARRAY_SIZE(req.reserved)))
		return -EINVAL;

	ret = ec_reserve_range(&req);
	if (ret)
		return ret;
	return ec_copy_out_placed(uarg, &req, sizeof(req), usize, req.addr,
				  req.len);
}

static long ec_cmd_robust_list32(void __user *uarg)
{
	struct emucompat_robust_list32 req;
	long usize, ret;

	usize = ec_copy_in(&req, sizeof(req), EMUCOMPAT_ROBUST_LIST32_SIZE_VER0,
			   uarg);
	if (usize < 0)
		return usize;
	if (!ec_zero(req.reserved, ARRAY_SIZE(req.reserved)))
		return -EINVAL;
	if (req.op == EMUCOMPAT_ROBUST_LIST32_GET && (req.head || req.len))
		return -EINVAL;

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
	if (req.flags || req.__pad ||
	    !ec_zero(req.reserved, ARRAY_SIZE(req.reserved)))
		return -EINVAL;
	return ec_dir32(&req);
}

static long ec_cmd_va_limits(void __user *uarg)
{
	struct emucompat_va_limits req, prev;
	bool had = false;
	long usize, ret;

	usize = ec_copy_in(&req, sizeof(req), EMUCOMPAT_VA_LIMITS_SIZE_VER0,
			   uarg);
	if (usize < 0)
		return usize;
	if (req.flags || req.__pad || req.base ||
	    !ec_zero(req.reserved, ARRAY_SIZE(req.reserved)))
		return -EINVAL;
	if (req.op != EMUCOMPAT_VA_LIMITS_SET && (req.lo || req.hi))
		return -EINVAL;

	if (req.op == EMUCOMPAT_VA_LIMITS_SET) {
		prev = req;
		prev.op = EMUCOMPAT_VA_LIMITS_GET;
		prev.lo = 0;
		prev.hi = 0;
		had = !ec_va_limits(&prev);
	}
	ret = ec_va_limits(&req);
	if (ret || req.op == EMUCOMPAT_VA_LIMITS_CLEAR)
		return ret;
	ret = ec_copy_out(uarg, &req, sizeof(req), usize);
	if (ret && req.op == EMUCOMPAT_VA_LIMITS_SET) {
		/* The caller cannot learn that SET happened: undo it. */
		prev.op = had ? EMUCOMPAT_VA_LIMITS_SET :
				EMUCOMPAT_VA_LIMITS_CLEAR;
		prev.base = 0;
		prev.flags = 0;
		ec_va_limits(&prev);
	}
	return ret;
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

static int __init ec_init(void)
{
	int err;

	err = ec_arch_init();
	if (err)
		return err;
	err = misc_register(&ec_misc);
	if (err) {
		ec_arch_exit();
		return err;
	}
	pr_info(KBUILD_MODNAME ": version " EC_VERSION " loaded (api %d%s)\n",
		EMUCOMPAT_API_VERSION,
		EC_NEEDS_PIVOT ? ", stack pivot for compat_alloc_user_space" : "");
	return 0;
}

static void __exit ec_exit(void)
{
	misc_deregister(&ec_misc);
	ec_va_limits_exit();
	ec_arch_exit();
}

module_init(ec_init);
module_exit(ec_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("emucompat developers");
MODULE_DESCRIPTION("Compat ioctls and ranged mappings for binary translators");
MODULE_VERSION(EC_VERSION);
