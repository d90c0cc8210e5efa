// SPDX-License-Identifier: GPL-2.0
/*
 * EMUCOMPAT_IOC_ROBUST_LIST32: the compat robust futex list of a thread
 * (task_struct's compat_robust_list), which the kernel walks at thread
 * exit besides the native list.  compat_sys_set_robust_list() would set
 * it, but a 64-bit task cannot make that syscall.
 *
 * Built only with CONFIG_FUTEX and CONFIG_COMPAT (module/Kbuild);
 * emucompat.h has the stubs for kernels without them.
 */
#include <linux/compat.h>
#include <linux/sched.h>
#include "emucompat.h"

/**
 * ec_robust_list32() - set or get the calling thread's compat robust list
 * @req: validated request (@req->op is SET or GET; GET came with @head
 *       and @len zero); @req->head and @req->len are filled for GET
 *
 * SET stores compat_ptr(@req->head) exactly as compat_sys_set_robust_list()
 * does for a 32-bit thread: the kernel reads the list only at exit (or
 * exec) of this thread, with get_user() on 32-bit pointers, and only the
 * thread itself writes the field, so no lock is needed.
 *
 * Return: 0, or -EINVAL for SET with a @len other than the 32-bit
 * struct robust_list_head's.
 */
long ec_robust_list32(struct emucompat_robust_list32 *req)
{
	struct compat_robust_list_head __user **slot =
		ec_compat_robust_list(current);

	if (req->op == EMUCOMPAT_ROBUST_LIST32_GET) {
		req->head = ptr_to_compat(*slot);
		req->len = sizeof(struct compat_robust_list_head);
		return 0;
	}
	if (req->len != sizeof(struct compat_robust_list_head))
		return -EINVAL;
	*slot = compat_ptr(req->head);
	return 0;
}
