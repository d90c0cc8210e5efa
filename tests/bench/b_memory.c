// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * b_memory - what emucompat costs in memory:
 *
 *   module       the loaded module (/sys/module/emucompat/coresize, and
 *                initsize, freed after loading): once per machine
 *   per process  one handle: emucompat_open() (library heap, from
 *                mallinfo2(); the process's VmSize / VmRSS / VMAs) and,
 *                in the kernel, the struct file of /dev/emucompat (Slab of
 *                /proc/meminfo over 1 000 handles, per handle).  The first
 *                emucompat_mmap_range() and emucompat_ioctl32() leave
 *                nothing behind but what they map.
 *   per thread   THREADS threads each making one emucompat_ioctl32() call,
 *                against THREADS threads making none; all alive when
 *                measured (the library heap: the calls one at a time,
 *                mallinfo2() around each).  Every thread malloc()s once
 *                before: glibc's per-thread arena, which the first
 *                malloc() of a thread may create (64 MiB of address space,
 *                a few pages resident), is not the library's cost.
 *                On kernels with compat_alloc_user_space() (5.10) the
 *                library gives every calling thread a low pivot stack
 *                (64 KiB, MAP_NORESERVE: only the pages the handlers touch
 *                are resident) and a little heap; on later kernels nothing.
 *                After the threads exit, VmSize must be back where it was
 *                (the stacks are freed at thread exit).
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <asm/termbits.h>

#include "emucompat.h"
#include "bench.h"
#include "probe_util.h"

#define THREADS		32
#define HANDLES		1000

struct snap {
	long vmsize, vmrss, vmas, slab, heap;
};

static void take(struct snap *s)
{
	s->vmsize = b_status_kb("VmSize:");
	s->vmrss = b_status_kb("VmRSS:");
	s->vmas = b_maps_lines();
	s->slab = b_meminfo_kb("Slab:");
	s->heap = (long)mallinfo2().uordblks;
}

static struct emucompat *ec;
static int pts;
static uint32_t arg32;
static pthread_barrier_t ready, done;
static pthread_mutex_t one_at_a_time = PTHREAD_MUTEX_INITIALIZER;
static long heap_delta;		/* summed over the calling threads */

static void *thread_fn(void *call)
{
	/*
	 * What every real thread does sooner or later: its first malloc()
	 * gives it a glibc arena (64 MiB of address space reserved, a few
	 * pages touched) and a tcache.  Done first, so that this is not
	 * counted as the library's.
	 */
	void *volatile first = malloc(1);	/* volatile: gcc drops free(malloc()) */

	free(first);
	if (call) {
		long h0;

		/* serialized: the heap delta is this call's alone */
		pthread_mutex_lock(&one_at_a_time);
		h0 = (long)mallinfo2().uordblks;
		if (emucompat_ioctl32(ec, pts, TCGETS, arg32) < 0)
			b_die("emucompat_ioctl32 in a thread");
		heap_delta += (long)mallinfo2().uordblks - h0;
		pthread_mutex_unlock(&one_at_a_time);
	}
	pthread_barrier_wait(&ready);	/* measured here */
	pthread_barrier_wait(&done);
	return NULL;
}

/* THREADS threads, each calling (or not); the process measured while they live. */
static void with_threads(int call, struct snap *s)
{
	pthread_t t[THREADS];
	int i;

	pthread_barrier_init(&ready, NULL, THREADS + 1);
	pthread_barrier_init(&done, NULL, THREADS + 1);
	for (i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, thread_fn, call ? (void *)1 : NULL))
			b_die("pthread_create");
	pthread_barrier_wait(&ready);
	take(s);
	pthread_barrier_wait(&done);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&ready);
	pthread_barrier_destroy(&done);
}

int main(void)
{
	static struct emucompat *many[HANDLES];
	struct snap s0, s1, s2, sa, sb, sa_exit, sb_exit;
	struct emucompat_info info;
	int ptm, i, pivot;
	long core, init;
	char *low;

	b_pin();
	core = pt_read_long("/sys/module/emucompat/coresize");
	init = pt_read_long("/sys/module/emucompat/initsize");

	/* ---- per process ---- */
	take(&s0);
	ec = emucompat_open();
	if (!ec)
		b_die("emucompat_open");
	take(&s1);
	if (emucompat_info(ec, &info))
		b_die("emucompat_info");
	pivot = !!(info.flags & EMUCOMPAT_INFO_NEEDS_PIVOT);

	for (i = 0; i < HANDLES; i++) {
		many[i] = emucompat_open();
		if (!many[i])
			b_die("emucompat_open #%d", i);
	}
	take(&s2);
	for (i = 0; i < HANDLES; i++)
		emucompat_close(many[i]);

	/* ---- per thread ---- */
	ptm = posix_openpt(O_RDWR | O_NOCTTY);
	if (ptm < 0 || grantpt(ptm) || unlockpt(ptm))
		b_die("pty");
	pts = open(ptsname(ptm), O_RDWR | O_NOCTTY);
	if (pts < 0)
		b_die("pty slave");
	/* below compat_task_size, where a 32-bit process's memory is */
	low = emucompat_mmap_range(ec, 0x10000, info.compat_task_size, 4096,
				   PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (low == MAP_FAILED)
		b_die("low page");
	arg32 = (uint32_t)(uintptr_t)low;
	/* the main thread's own first call (and pivot stack), outside the deltas */
	if (emucompat_ioctl32(ec, pts, TCGETS, arg32) < 0)
		b_die("emucompat_ioctl32");

	/* twice each: the first run fills glibc's thread stack cache */
	with_threads(0, &sa);
	with_threads(0, &sa);
	take(&sa_exit);
	with_threads(1, &sb);
	take(&sb_exit);

	printf("# b_memory: kernel %s %s, pivot %s\n", b_kernel(), b_arch(), pivot ? "yes" : "no");
	b_csv_value("4", "memory", "module", "coresize", "B", core);
	b_csv_value("4", "memory", "module", "initsize", "B", init);
	b_csv_value("4", "memory", "process", "heap", "B", s1.heap - s0.heap);
	b_csv_value("4", "memory", "process", "vmsize", "KiB", s1.vmsize - s0.vmsize);
	b_csv_value("4", "memory", "process", "vmrss", "KiB", s1.vmrss - s0.vmrss);
	b_csv_value("4", "memory", "process", "vmas", "", s1.vmas - s0.vmas);
	b_csv_value("4", "memory", "process", "kernel-slab", "B",
		    (s2.slab - s1.slab) * 1024.0 / HANDLES);
	b_csv_value("4", "memory", "thread", "heap", "B", (double)heap_delta / THREADS);
	b_csv_value("4", "memory", "thread", "vmsize", "KiB",
		    (double)(sb.vmsize - sa.vmsize) / THREADS);
	b_csv_value("4", "memory", "thread", "vmrss", "KiB",
		    (double)(sb.vmrss - sa.vmrss) / THREADS);
	b_csv_value("4", "memory", "thread", "vmas", "", (double)(sb.vmas - sa.vmas) / THREADS);
	b_csv_value("4", "memory", "thread", "vmsize-after-exit", "KiB",
		    (double)(sb_exit.vmsize - sa_exit.vmsize));

	b_md("### 4. Memory");
	b_md("");
	b_md("| what | cost |");
	b_md("|---|---|");
	b_md("| module (once per machine) | %ld bytes resident (coresize), %ld bytes during "
	     "load (initsize) |", core, init);
	b_md("| per process: emucompat_open() | %ld bytes of library heap, %+ld KiB VmSize, "
	     "%+ld KiB VmRSS, %+ld VMAs; in the kernel %.0f bytes of slab per handle "
	     "(struct file of /dev/emucompat; over %d handles) |", s1.heap - s0.heap,
	     s1.vmsize - s0.vmsize, s1.vmrss - s0.vmrss, s1.vmas - s0.vmas,
	     (s2.slab - s1.slab) * 1024.0 / HANDLES, HANDLES);
	b_md("| per thread (%s) | %.0f bytes of library heap, %+.1f KiB VmSize, %+.1f KiB "
	     "VmRSS, %+.2f VMAs (mean over %d threads that made one emucompat_ioctl32 call, "
	     "against %d that made none) |",
	     pivot ? "5.10: pivot stack" : "no pivot stack on this kernel",
	     (double)heap_delta / THREADS, (double)(sb.vmsize - sa.vmsize) / THREADS,
	     (double)(sb.vmrss - sa.vmrss) / THREADS, (double)(sb.vmas - sa.vmas) / THREADS,
	     THREADS, THREADS);
	b_md("| after those threads exited | %+ld KiB VmSize, %+ld VMAs against after the "
	     "threads that made no call exited%s |", sb_exit.vmsize - sa_exit.vmsize,
	     sb_exit.vmas - sa_exit.vmas,
	     pivot && sb_exit.vmsize == sa_exit.vmsize ? " (pivot stacks freed)" : "");
	b_md("");
	munmap(low, 4096);
	emucompat_close(ec);
	return 0;
}
