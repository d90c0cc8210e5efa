// SPDX-License-Identifier: GPL-2.0
/* emucompat_shmat_range(): SysV shm attached inside the range. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>
#include "emucompat.h"
#include "common_tap.h"
#include "probe_util.h"
#include "range_util.h"

#define GiB (1ULL << 30)

int main(void)
{
	struct emucompat *ec;
	uint64_t ps = (uint64_t)sysconf(_SC_PAGESIZE), lo = GiB, hi = 4 * GiB;
	struct map_ent m;
	char *a, *b, *blk;
	int id, maps, st;
	pid_t pid;

	ec = emucompat_open();
	if (!tap_ok(ec != NULL, "emucompat_open"))
		return tap_done();
	id = shmget(IPC_PRIVATE, 3 * ps + 100, IPC_CREAT | 0600);
	if (!tap_ok(id >= 0, "shmget"))
		return tap_done();

	a = emucompat_shmat_range(ec, id, 0, lo, hi);
	tap_ok(a != (void *)-1 && in_allowed((uintptr_t)a, 4 * ps, lo, hi) &&
	   range_mapped((uintptr_t)a, 4 * ps), "attached inside [1 GiB, 4 GiB) (%p)", a);
	strcpy(a + 3 * ps, "shared");
	b = emucompat_shmat_range(ec, id, SHM_RDONLY, 2 * GiB, 3 * GiB);
	tap_ok(b != (void *)-1 && in_allowed((uintptr_t)b, 4 * ps, 2 * GiB, 3 * GiB) &&
	   !strcmp(b + 3 * ps, "shared"), "second attach sees the same memory");
	tap_ok(map_at((uintptr_t)b, &m) && !strcmp(m.perms, "r--s"), "SHM_RDONLY honoured (%s)",
	   m.perms);
	pid = fork();
	if (!pid) {
		b[0] = 1;
		_exit(0);
	}
	waitpid(pid, &st, 0);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "write to SHM_RDONLY faults");
	shmdt(b);
	b = emucompat_shmat_range(ec, id, SHM_EXEC, lo, hi);
	tap_ok(b != (void *)-1 && map_at((uintptr_t)b, &m) && m.perms[2] == 'x',
	   "SHM_EXEC honoured (%s)", m.perms);
	shmdt(b);
	shmdt(a);

	b = emucompat_shmat_range(ec, id, 0, 3 * GiB + 512 * ps, 64 * ps);
	tap_ok(b != (void *)-1 && in_allowed((uintptr_t)b, 4 * ps, 3 * GiB + 512 * ps, 64 * ps),
	   "wrap-around range (%p)", b);
	shmdt(b);
	b = emucompat_shmat_range(ec, id, 0, 5, 5);
	tap_ok(b != (void *)-1, "lo == hi behaves like shmat(NULL)");
	shmdt(b);

	blk = emucompat_mmap_range(ec, 3 * GiB, 3 * GiB + 6 * ps, 6 * ps, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(blk + 2 * ps, 3 * ps);
	maps = pt_count_maps();
	b = emucompat_shmat_range(ec, id, 0, 3 * GiB, 3 * GiB + 6 * ps);
	tap_ok(b == (void *)-1 && errno == ENOMEM && pt_count_maps() == maps,
	   "no room (3-page hole, 4-page segment) -> ENOMEM, nothing left");
	munmap(blk, 6 * ps);

	maps = pt_count_maps();
	b = emucompat_shmat_range(ec, 0x7ffffff, 0, lo, hi);
	tap_ok(b == (void *)-1 && errno == EINVAL && pt_count_maps() == maps, "bad shmid -> EINVAL");
	b = emucompat_shmat_range(ec, id, SHM_REMAP, lo, hi);
	tap_ok(b == (void *)-1 && errno == EINVAL, "SHM_REMAP is refused -> EINVAL");
	shmctl(id, IPC_RMID, NULL);

	id = shmget(IPC_PRIVATE, 2 << 20, IPC_CREAT | SHM_HUGETLB | 0600);
	if (id < 0) {
		tap_skip("not available here", "no SHM_HUGETLB segment (%d)", errno);
	} else {
		b = emucompat_shmat_range(ec, id, 0, lo, hi);
		tap_ok(b != (void *)-1 && (uintptr_t)b % (2 << 20) == 0 &&
		   in_allowed((uintptr_t)b, 2 << 20, lo, hi), "SHM_HUGETLB segment aligned inside (%p)",
		   b);
		shmdt(b);
		shmctl(id, IPC_RMID, NULL);
	}
	emucompat_close(ec);
	return tap_done();
}
