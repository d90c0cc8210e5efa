// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_robust - a 32-bit guest's robust futex list, registered through
 * emucompat_set_robust_list32(), behaves as a real 32-bit process's:
 * a thread that exits holding a robust lock (on the list, or pending in
 * list_op_pending), or a process SIGKILLed holding one in shared memory,
 * leaves FUTEX_OWNER_DIED in the lock word and wakes the waiter;
 * unregistering (head 0) leaves the word alone; a bad length is EINVAL and
 * get returns what was set.  The same scenarios (lib/common_robust.c) run
 * in the armhf/i386 oracle o32_compat32 with the real set_robust_list(),
 * and the records must be identical.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common_robust.h"
#include "compat32_util.h"
#include "probe_util.h"

static struct emucompat *ec;

static int set64(uint32_t head, uint32_t len)
{
	return emucompat_set_robust_list32(ec, head, len) ? -errno : 0;
}

static int get64(uint32_t *head, uint32_t *len)
{
	return emucompat_get_robust_list32(ec, head, len) ? -errno : 0;
}

static void check_line(const char *rec, const char *want)
{
	tap_ok(strstr(rec, want) != NULL, "expected: %s", want);
}

int main(void)
{
	static const struct robust_ops ops = { set64, get64 };
	struct emucompat_info info;
	char why[256], *mine = NULL, *oracle;
	size_t len = 0;
	FILE *f;
	void *r;

	ec = pt_open_ec(&info);
	LX_NEED_CAP(info.caps, ROBUST_LIST32);
	r = emucompat_mmap_range(ec, 0x10000, 1ULL << 32, ROBUST_REGION, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		tap_bail("low shared region: %s", strerror(errno));
	f = open_memstream(&mine, &len);
	robust_run(&ops, r, f);
	fclose(f);
	tap_diag("64-bit through emucompat:\n%s", mine);

	oracle = c32_oracle("robust", NULL, why, sizeof(why));
	if (!oracle) {
		tap_ok(0, "32-bit oracle ran (%s)", why);
	} else {
		tap_diag("32-bit oracle:\n%s", oracle);
		tap_ok(!strcmp(mine, oracle), "records identical to the real 32-bit process's");
	}
	check_line(mine, "robust: thread-exit set=0 owner_died=1 waiters=1 tid_cleared=1 changed=1");
	check_line(mine, "robust: op-pending set=0 owner_died=1 waiters=1 tid_cleared=1 changed=1");
	check_line(mine, "robust: unregistered set=0 owner_died=0 waiters=1 tid_cleared=0 changed=0");
	check_line(mine, "robust: sigkill set=0 owner_died=1 waiters=1 tid_cleared=1 changed=1");
	check_line(mine, "robust: set-get bad_len=-22 set=0 get=0 same=1 len=12");
	free(mine);
	free(oracle);
	return tap_done();
}
