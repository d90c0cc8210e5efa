// SPDX-License-Identifier: GPL-2.0
/*
 * 32-bit process state a 64-bit emulator cannot set from user space:
 *
 * - the compat robust futex list of a thread (task_struct's
 *   compat_robust_list), which the kernel walks at thread exit besides the
 *   native list: compat_sys_set_robust_list() would set it, but a 64-bit
 *   task cannot make that syscall;
 * - 32-bit hash cookies as directory offsets on an open directory
 *   (FMODE_32BITHASH), which filesystems hand out when in_compat_syscall()
 *   is true at getdents/llseek time, or when the file carries the mode, as
 *   nfsd sets it for NFSv2/v3 clients.
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/sched.h>
#include <linux/compat.h>
#include "emucompat.h"

/**
 * ec_robust_list32_supported() - can this kernel keep a compat robust list?
 *
 * Return: true with CONFIG_FUTEX and CONFIG_COMPAT.
 */
bool ec_robust_list32_supported(void)
{
	return EC_HAVE_ROBUST_LIST32;
}

/**
 * ec_robust_list32() - set or get the calling thread's compat robust list
 * @req: validated request; @req->head and @req->len are filled for GET
 *
 * SET stores compat_ptr(@req->head) exactly as compat_sys_set_robust_list()
 * does for a 32-bit thread: the kernel reads the list only at exit (or
 * exec) of this thread, with get_user() on 32-bit pointers, and only the
 * thread itself writes the field, so no lock is needed.
 *
 * Return: 0, -EINVAL for a bad @op or a @len other than the 32-bit
 * struct robust_list_head's, -EOPNOTSUPP without futex or compat support.
 */
long ec_robust_list32(struct emucompat_robust_list32 *req)
{
#if EC_HAVE_ROBUST_LIST32
	struct compat_robust_list_head __user **slot =
		ec_compat_robust_list(current);

	switch (req->op) {
	case EMUCOMPAT_ROBUST_LIST32_SET:
		if (req->len != sizeof(struct compat_robust_list_head))
			return -EINVAL;
		*slot = compat_ptr(req->head);
		return 0;
	case EMUCOMPAT_ROBUST_LIST32_GET:
		req->head = ptr_to_compat(*slot);
		req->len = sizeof(struct compat_robust_list_head);
		return 0;
	}
	return -EINVAL;
#else
	return -EOPNOTSUPP;
#endif
}

/**
 * ec_dir32() - hand out 32-bit directory offsets on an open directory
 * @req: validated request
 *
 * Sets FMODE_32BITHASH (and clears FMODE_64BITHASH) under f_lock.  The
 * cookies already handed out would change meaning, so the directory must
 * not have been read or seeked yet.
 *
 * Return: 0; -EBADF if @req->fd is not open; -ENOTDIR if it is not a
 * directory; -EBUSY if its position is not 0.
 */
long ec_dir32(const struct emucompat_dir32 *req)
{
	struct file *file;
	long ret = 0;

	file = fget(req->fd);
	if (!file)
		return -EBADF;
	if (!S_ISDIR(file_inode(file)->i_mode)) {
		ret = -ENOTDIR;
		goto out;
	}
	spin_lock(&file->f_lock);
	if (file->f_pos) {
		ret = -EBUSY;
	} else {
		file->f_mode &= ~FMODE_64BITHASH;
		file->f_mode |= FMODE_32BITHASH;
	}
	spin_unlock(&file->f_lock);
out:
	fput(file);
	return ret;
}
