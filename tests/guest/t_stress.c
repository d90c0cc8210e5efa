// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_stress - many threads mixing everything, plus the failure paths:
 *
 *   mix:     for a fixed time (10 s; ectest.stress_secs=N), threads of
 *            one process mix forwarded ioctls (TCGETS on a pty, PROBE_RETURN,
 *            short PROBE_SLEEPs), ranged mmap/munmap, ranged mremap and
 *            shmat, fork + forwarded call + exec in the child, short-lived
 *            threads (whose pivot stacks the library frees on 5.10), while
 *            a signaller hits random threads with SIGUSR1 (SA_RESTART);
 *   kill:    a process SIGKILLed while asleep in a forwarded handler, 20
 *            times: it dies, the handler leaves, nothing stays asleep;
 *   limits:  with vm.max_map_count and RLIMIT_AS tiny, ranged mmap, mremap,
 *            shmat and forwarded calls fail with ENOMEM (or succeed) and
 *            leave no mapping behind;
 *   rmmod:   refused while a descriptor is open.
 *
 * Prints the operation counts; the harness fails the run on any kernel
 * report.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "probe_util.h"

#define DEFAULT_SECS	10
#define NWORK		6

static struct emucompat *ec;
static struct emucompat_info info;
static int pfd, ptm;
static uint64_t ps;
static volatile int stop;
static uint32_t low_termios;

enum { OP_IOCTL, OP_SLEEP, OP_MMAP, OP_MREMAP, OP_SHMAT, OP_FORK, OP_THREAD, OP_SIGNAL, NOP };
static const char *const op_name[NOP] = {
	"forwarded ioctl", "forwarded sleep", "ranged mmap", "ranged mremap", "ranged shmat",
	"fork+exec", "thread", "signal"
};
static unsigned long ops[NOP], bad[NOP];
static pid_t tids[NWORK];
static volatile sig_atomic_t sigs;

static void on_usr1(int sig)
{
	(void)sig;
	sigs++;
}

static void note(int op, int ok)
{
	__atomic_add_fetch(&ops[op], 1, __ATOMIC_RELAXED);
	if (!ok)
		__atomic_add_fetch(&bad[op], 1, __ATOMIC_RELAXED);
}

static int do_ioctl(unsigned int seed)
{
	long r;

	if (seed & 1) {
		r = emucompat_ioctl32(ec, ptm, TCGETS, low_termios);
		return r == 0;
	}
	r = emucompat_ioctl32(ec, pfd, PROBE_RETURN, seed & 0xffff);
	return r == (long)(seed & 0xffff);
}

static void *short_thread(void *arg)
{
	(void)arg;
	note(OP_THREAD, do_ioctl(1) && do_ioctl(2));
	return NULL;
}

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	unsigned int seed = (unsigned int)id * 7919u + 1;
	void *ring[32] = { 0 };
	size_t ring_len[32] = { 0 };
	int slot = 0;

	tids[id] = pt_gettid();
	while (!stop) {
		seed = seed * 1103515245u + 12345u;
		switch ((seed >> 16) % 8) {
		case 0:
		case 1:
			note(OP_IOCTL, do_ioctl(seed >> 8));
			break;
		case 2: {
			long r = emucompat_ioctl32(ec, pfd, PROBE_SLEEP, 2);

			/* timeout (0), or EINTR-free restart after our SA_RESTART signal */
			note(OP_SLEEP, r == 0 || r == 1);
			break;
		}
		case 3: {
			size_t len = (1 + (seed >> 20) % 16) * ps;
			void *p = emucompat_mmap_range(ec, 1ULL << 28, 1ULL << 32, len,
						       PROT_READ | PROT_WRITE,
						       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			int ok = p != MAP_FAILED && (uintptr_t)p >= (1ULL << 28) &&
				 (uintptr_t)p + len <= (1ULL << 32);

			if (p != MAP_FAILED) {
				memset(p, id, len);
				if (ring[slot])
					munmap(ring[slot], ring_len[slot]);
				ring[slot] = p;
				ring_len[slot] = len;
				slot = (slot + 1) % 32;
			}
			note(OP_MMAP, ok);
			break;
		}
		case 4: {
			void *p = emucompat_mmap_range(ec, 1ULL << 28, 1ULL << 32, ps,
						       PROT_READ | PROT_WRITE,
						       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *q;

			if (p == MAP_FAILED) {
				note(OP_MREMAP, 0);
				break;
			}
			q = emucompat_mremap_range(ec, p, ps, 8 * ps, MREMAP_MAYMOVE,
						   1ULL << 28, 1ULL << 32);
			note(OP_MREMAP, q != MAP_FAILED && (uintptr_t)q + 8 * ps <= (1ULL << 32));
			munmap(q != MAP_FAILED ? q : p, q != MAP_FAILED ? 8 * ps : ps);
			break;
		}
		case 5: {
			int sid = shmget(IPC_PRIVATE, 4 * ps, IPC_CREAT | 0600);
			void *p = sid < 0 ? (void *)-1 :
				  emucompat_shmat_range(ec, sid, 0, 1ULL << 28, 1ULL << 32);

			if (sid >= 0)
				shmctl(sid, IPC_RMID, NULL);
			note(OP_SHMAT, p != (void *)-1 && (uintptr_t)p + 4 * ps <= (1ULL << 32));
			if (p != (void *)-1)
				shmdt(p);
			break;
		}
		case 6: {
			pid_t pid;
			int status;

			if (id != 0)	/* one forker: fork() of a busy process is slow under TCG */
				break;
			pid = fork();
			if (pid == 0) {
				if (!do_ioctl(1))
					_exit(5);
				execl("/bin/busybox", "true", (char *)NULL);
				_exit(6);
			}
			note(OP_FORK, pid > 0 && waitpid(pid, &status, 0) == pid &&
				      WIFEXITED(status) && WEXITSTATUS(status) == 0);
			break;
		}
		default: {
			pthread_t t;

			if (pthread_create(&t, NULL, short_thread, NULL) == 0)
				pthread_join(t, NULL);
			else
				note(OP_THREAD, 0);
		}
		}
	}
	for (slot = 0; slot < 32; slot++)
		if (ring[slot])
			munmap(ring[slot], ring_len[slot]);
	return NULL;
}

/* Mappings inside [2^28, 2^32), where every ranged mapping of this test goes. */
static int low_maps(void)
{
	unsigned long long a, b;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx-%llx", &a, &b) == 2 && a >= (1ULL << 28) && b <= (1ULL << 32))
			n++;
	fclose(f);
	return n;
}

static void phase_mix(unsigned long secs)
{
	pthread_t th[NWORK];
	struct timespec t0, t;
	struct sigaction sa;
	int i, maps0 = low_maps(), fds0 = pt_count_fds();
	unsigned int seed = 99;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	for (i = 0; i < NWORK; i++)
		pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		pt_msleep(3);
		seed = seed * 1103515245u + 12345u;
		if (tids[seed % NWORK])
			note(OP_SIGNAL, syscall(SYS_tgkill, getpid(), tids[seed % NWORK], SIGUSR1) == 0);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((unsigned long)(t.tv_sec - t0.tv_sec) < secs);
	stop = 1;
	ioctl(pfd, PROBE_WAKE);
	for (i = 0; i < NWORK; i++)
		pthread_join(th[i], NULL);

	for (i = 0; i < NOP; i++) {
		tap_diag("%-16s %8lu done, %lu unexpected", op_name[i], ops[i], bad[i]);
		tap_ok(ops[i] > 0 && !bad[i], "mix: %s: %lu done, %lu unexpected results", op_name[i],
		       ops[i], bad[i]);
	}
	tap_diag("%d signals handled", (int)sigs);
	/* (glibc keeps the stacks of joined threads: count the ranged area only) */
	tap_ok(low_maps() == maps0 && pt_count_fds() == fds0,
	       "mix left nothing behind (mappings in [256 MiB, 4 GiB) %d -> %d, fds %d -> %d)",
	       maps0, low_maps(), fds0, pt_count_fds());
}

/* State letter of process @pid ('S' asleep), or '?'. */
static char proc_state(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/* Wait (up to 10 s) until process @pid sleeps inside PROBE_SLEEP. */
static int wait_child_asleep(pid_t pid, unsigned int entries)
{
	struct probe_last l;

	for (int i = 0; i < 5000; i++) {
		pt_probe_last(pfd, &l);
		if (l.entries >= entries && l.sleepers >= 1 && proc_state(pid) == 'S')
			return 1;
		pt_msleep(2);
	}
	return 0;
}

static void phase_kill(void)
{
	struct probe_last l0, l;
	int i, killed = 0, clean = 0, asleep = 0;

	for (i = 0; i < 20; i++) {
		pid_t pid;
		int status;

		pt_probe_last(pfd, &l0);
		tap_flush();
		pid = fork();
		if (pid == 0) {
			emucompat_ioctl32(ec, pfd, PROBE_SLEEP, 30000);
			_exit(7);	/* woken: should not happen */
		}
		asleep += wait_child_asleep(pid, l0.entries + 1);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			killed++;
		for (int k = 0; k < 1000; k++) {
			pt_probe_last(pfd, &l);
			if (!l.sleepers)
				break;
			pt_msleep(2);
		}
		if (!l.sleepers && l.entries >= l0.entries + 1)
			clean++;
	}
	tap_ok(asleep == 20 && killed == 20,
	       "kill: 20 processes SIGKILLed asleep inside a forwarded handler died (%d asleep, %d died)",
	       asleep, killed);
	tap_ok(clean == 20, "kill: each left the handler, none stayed asleep (%d)", clean);
}

static int set_int(const char *path, long v, long *old)
{
	char buf[32];

	if (old) {
		*old = pt_read_long(path);
		if (*old < 0)
			return -1;
	}
	snprintf(buf, sizeof(buf), "%ld\n", v);
	return pt_write_file(path, buf);
}

static void phase_limits(void)
{
	int res[2];
	long old_max;
	pid_t pid;

	pid = pt_fork_child(res);
	if (pid == 0) {
		/* out: mmap ENOMEM seen, unexpected errnos, maps before, maps after */
		int out[4] = { 0, 0, 0, 0 };
		struct rlimit rl;
		void *keep[4096];
		int n = 0;

		out[2] = pt_count_maps();
		/* vm.max_map_count: a few more than we have */
		if (set_int("/proc/sys/vm/max_map_count", out[2] + 40, &old_max))
			_exit(3);
		for (int i = 0; i < 4096; i++) {
			void *p = emucompat_mmap_range(ec, 1ULL << 28, 1ULL << 32, ps,
						       (i & 1) ? PROT_READ : PROT_READ | PROT_WRITE,
						       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED) {
				if (errno == ENOMEM)
					out[0]++;
				else
					out[1]++;
				if (out[0] + out[1] > 20)
					break;
				/* the failing paths of the other calls, at the limit */
				if (emucompat_mremap_range(ec, keep[0], ps, 64 * ps, MREMAP_MAYMOVE,
							   1ULL << 28, 1ULL << 32) == MAP_FAILED &&
				    errno != ENOMEM)
					out[1]++;
				{
					int sid = shmget(IPC_PRIVATE, ps, IPC_CREAT | 0600);
					void *s = emucompat_shmat_range(ec, sid, 0, 1ULL << 28,
									1ULL << 32);

					shmctl(sid, IPC_RMID, NULL);
					if (s != (void *)-1)
						shmdt(s);
					else if (errno != ENOMEM)
						out[1]++;
				}
				continue;
			}
			keep[n++] = p;
		}
		set_int("/proc/sys/vm/max_map_count", old_max, NULL);
		while (n)
			munmap(keep[--n], ps);
		/* RLIMIT_AS: just above what we use */
		getrlimit(RLIMIT_AS, &rl);
		rl.rlim_cur = 64 << 20;
		if (setrlimit(RLIMIT_AS, &rl) == 0) {
			for (int i = 0; i < 10; i++) {
				void *p = emucompat_mmap_range(ec, 1ULL << 28, 1ULL << 32, 256 << 20,
							       PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
							       -1, 0);
				if (p != MAP_FAILED)
					munmap(p, 256 << 20);
				else if (errno == ENOMEM)
					out[0]++;
				else
					out[1]++;
			}
		}
		out[3] = pt_count_maps();
		pt_child_exit(res[1], out, sizeof(out));
	}
	{
		int out[4];

		if (!pt_child_result(res[0], pid, out, sizeof(out))) {
			tap_ok(0, "limits child died");
			return;
		}
		tap_ok(out[0] > 0 && out[1] == 0,
		       "limits: max_map_count / RLIMIT_AS failures are ENOMEM (%d ENOMEM, %d other)",
		       out[0], out[1]);
		tap_ok(out[3] == out[2], "limits: nothing left behind (maps %d -> %d)", out[2],
		       out[3]);
	}
}

static void phase_rmmod(void)
{
	long r = syscall(SYS_delete_module, "emucompat", O_NONBLOCK);
	int e = errno;

	tap_ok(r < 0 && (e == EBUSY || e == EWOULDBLOCK),
	       "rmmod emucompat is refused while a descriptor is open (%s)",
	       r < 0 ? strerror(e) : "it was unloaded!");
}

int main(void)
{
	unsigned long secs = pt_cmdline_ul("ectest.stress_secs=", DEFAULT_SECS);
	struct termios *t;
	int pts;

	ps = (uint64_t)sysconf(_SC_PAGESIZE);
	ec = pt_open_ec(&info);
	pfd = pt_open_probe();
	if (openpty(&ptm, &pts, NULL, NULL, NULL))
		tap_bail("openpty: %s", strerror(errno));
	t = pt_low_map(ec, ps);
	low_termios = pt_u32(t);
	tap_diag("mix for %lu s, %d workers", secs, NWORK);

	phase_mix(secs);
	phase_kill();
	phase_limits();
	phase_rmmod();
	emucompat_close(ec);
	return tap_done();
}
