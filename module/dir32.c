// SPDX-License-Identifier: GPL-2.0
/*
 * EMUCOMPAT_IOC_DIR32: 32-bit hash cookies as directory offsets on an open
 * directory (FMODE_32BITHASH), which filesystems hand out when
 * in_compat_syscall() is true at getdents/llseek time, or when the file
 * carries the mode, as nfsd sets it for NFSv2/v3 clients.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/spinlock.h>
#include "emucompat.h"

/**
 * ec_dir32() - hand out 32-bit directory offsets on an open directory
 * @req: validated request
 *
 * Sets FMODE_32BITHASH (and clears FMODE_64BITHASH).  The cookies already
 * handed out would change meaning, so the directory must not have been
 * read or seeked yet: its position must be 0.
 *
 * What f_lock guarantees: the read-modify-write of f_mode is atomic with
 * respect to the other writers of f_mode and f_flags that take f_lock
 * (fcntl(F_SETFL) and friends).  What it does not: getdents and lseek
 * serialise on f_pos_lock, not f_lock, so a getdents or lseek running at
 * the same time in another thread on the same open file may already have
 * moved f_pos, or may read the directory under either mode, and the
 * position checked here may be stale by the time the mode is set.  The
 * caller must not race its own reads of the directory with this call (an
 * emulator calls it right after opening, before the guest sees the fd).
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
