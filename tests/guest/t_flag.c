// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_flag - the compat flag is set exactly for the duration of a forwarded
 * ioctl and restored on every path: success, error, a signal interrupting
 * a sleeping handler (with and without SA_RESTART), and it is not visible
 * on a sleeping thread on arm64 (preempt notifier).  After every forwarded
 * call the thread behaves as a 64-bit task again: mmap() lands above
 * 4 GiB, a large return value is not truncated, TLS is intact.
 *
 * Uses /dev/emucompat_probe (tests/kmod), forwarded through libemucompat.
 * Every check runs on each way the library forwards on this module (TAP
 * lines labelled with it): "[fwd]", the forwarding descriptor
 * (EMUCOMPAT_IOC_FORWARDER, where EMUCOMPAT_CAP_FORWARDER), and "[req]",
 * the request ioctl (EMUCOMPAT_IOC_IOCTL32) of a handle put on it with
 * pt_use_request_path(); each path first proves it is the one taken
 * (pt_check_path()).  The whole set costs about a second per path under
 * TCG, so nothing is cut short on the second one.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe_util.h"

#define SLEEP_MS	20000	/* the signal or PROBE_WAKE cuts it short */
#define WAIT_POLLS	10000	/* x 2 ms */
#define ERESTARTSYS_K	512	/* the kernel's ERESTARTSYS */

static struct emucompat *ec;	/* the handle of the path under test */
static const char *pname = "";	/* its TAP label */
static struct emucompat_info info;
static int pfd;
static int is_arm64;
static struct probe_state *low;	/* below 4 GiB, for forwarded replies */

static __thread unsigned long tls_marker;

/* TAP lines labelled with the path under test. */
#define P_OK(cond, fmt, ...) tap_ok(cond, "[%s] " fmt, pname, ##__VA_ARGS__)
#define P_SKIP(why, fmt, ...) tap_skip(why, "[%s] " fmt, pname, ##__VA_ARGS__)
#define P_DIAG(fmt, ...) tap_diag("[%s] " fmt, pname, ##__VA_ARGS__)

static int P_ERRNO(long ret, int err, const char *what)
{
	char buf[256];
	int e = errno;

	snprintf(buf, sizeof(buf), "[%s] %s", pname, what);
	errno = e;
	return pt_errno(ret, err, buf);
}

/* What the SIGUSR1 handler saw. */
static volatile sig_atomic_t sig_count;
static struct probe_state sig_state;
static volatile int sig_state_ret;
static volatile uintptr_t sig_sp;

static void on_sigusr1(int sig)
{
	int saved = errno;
	int local;

	(void)sig;
	sig_count++;
	sig_sp = (uintptr_t)&local;
	sig_state_ret = ioctl(pfd, PROBE_STATE, &sig_state);
	errno = saved;
}

static void set_handler(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		tap_bail("sigaction: %s", strerror(errno));
}

/* The 64-bit view of the thread right after a forwarded call. */
struct post {
	uint64_t mmap_addr;	/* a fresh mmap(NULL): must be >= 4 GiB */
	long long lseek_ret;	/* lseek to 5 GiB: must not be truncated */
	int tls_ok;
	struct probe_state native;
};

static void post_collect(struct post *p, unsigned long marker)
{
	void *m;
	int fd;

	memset(p, 0, sizeof(*p));
	m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m != MAP_FAILED) {
		p->mmap_addr = (uintptr_t)m;
		memset(m, 0x11, 4096);
		munmap(m, 1 << 20);
	}
	fd = memfd_create("t_flag", MFD_CLOEXEC);
	p->lseek_ret = fd < 0 ? -2 : lseek(fd, 5LL << 30, SEEK_SET);
	if (fd >= 0)
		close(fd);
	p->tls_ok = tls_marker == marker;
	pt_native_state(pfd, &p->native);
}

static void post_check(const struct post *p, const char *after)
{
	P_OK(p->native.in_compat == 0 && p->native.arch_flag == 0 &&
	      p->native.handler == PROBE_HANDLER_NATIVE,
	      "%s: native PROBE_STATE in_compat=%u flag=%u handler=%u (want 0 0 native)",
	      after, p->native.in_compat, p->native.arch_flag,
	      p->native.handler);
	P_OK(p->native.task_size > PT_4G, "%s: native TASK_SIZE %#llx > 4 GiB",
	      after, (unsigned long long)p->native.task_size);
	P_OK(p->mmap_addr >= PT_4G, "%s: fresh mmap(NULL) at %#llx, above 4 GiB",
	      after, (unsigned long long)p->mmap_addr);
	P_OK(p->lseek_ret == 5LL << 30,
	      "%s: lseek to 5 GiB returns %#llx (not truncated)", after,
	      p->lseek_ret);
	P_OK(p->tls_ok, "%s: TLS intact", after);
}

static void check_forwarded_state(void)
{
	struct probe_state native;
	struct post p;
	long r;

	memset(low, 0xff, sizeof(*low));
	errno = 0;
	r = emucompat_ioctl32(ec, pfd, PROBE_STATE, pt_u32(low));
	P_OK(r == 0, "forwarded PROBE_STATE returns 0 (%ld, %s)", r,
	      strerror(errno));
	P_OK(low->in_compat == 1, "forwarded: in_compat_syscall() = %u",
	      low->in_compat);
	P_OK(low->handler == PROBE_HANDLER_COMPAT,
	      "forwarded: compat_ioctl ran (handler %u)", low->handler);
	P_OK(low->arch_flag == 1, "forwarded: arch compat flag set (%u)",
	      low->arch_flag);
	if (is_arm64)
		P_OK(low->task_size <= PT_4G,
		      "forwarded, arm64: TASK_SIZE %#llx <= 4 GiB in the window",
		      (unsigned long long)low->task_size);
	else
		P_OK(low->task_size > PT_4G,
		      "forwarded, x86-64: TASK_SIZE %#llx unchanged",
		      (unsigned long long)low->task_size);
	pt_native_state(pfd, &native);
	P_DIAG("user sp: forwarded %#llx, native %#llx",
		(unsigned long long)low->user_sp,
		(unsigned long long)native.user_sp);
	if (!(info.flags & EMUCOMPAT_INFO_NEEDS_PIVOT))
		P_OK(low->user_sp >= PT_4G &&
		      (low->user_sp > native.user_sp ?
		       low->user_sp - native.user_sp :
		       native.user_sp - low->user_sp) < 65536,
		      "no pivot: forwarded call sees the caller's own stack");

	tls_marker = 0x7f1a9;
	post_collect(&p, 0x7f1a9);
	post_check(&p, "after success");
}

/* Whatever the compat handler returns is the result, 1 included. */
static void check_return_values(void)
{
	static const long vals[] = { 0, 1, 2, 3, 255, 4096, 0x7fffffff };
	unsigned int i;
	long r;

	struct emucompat_ioctl32 req;
	size_t psize;
	void *pbase;
	uint64_t top = 0;
	int ecfd;

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		errno = 0;
		r = emucompat_ioctl32(ec, pfd, PROBE_RETURN, (uint32_t)vals[i]);
		P_OK(r == vals[i], "library: forwarded handler returning %ld: result %ld (%s)",
		      vals[i], r, r < 0 ? strerrorname_np(errno) : "-");
	}

	ecfd = open("/dev/" EMUCOMPAT_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (ecfd < 0)
		tap_bail("open /dev/emucompat: %s", strerror(errno));
	if (pt_ec_fwd(ec) >= 0) {
		/* Raw forwarder: any result is the handler's, fd and arg split. */
		int fwd = pt_fwd_open(ecfd, EMUCOMPAT_FORWARDER_CLOEXEC);

		if (fwd < 0)
			tap_bail("EMUCOMPAT_IOC_FORWARDER: %s", strerror(errno));
		for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
			errno = 0;
			r = ioctl(fwd, PROBE_RETURN, EMUCOMPAT_FWD_ARG(pfd, vals[i]));
			P_OK(r == vals[i], "raw forwarder: handler returning %ld: result %ld (%s)",
			     vals[i], r, r < 0 ? strerrorname_np(errno) : "-");
		}
		close(fwd);
		close(ecfd);
		return;
	}
	/* Raw: the module must not mistake a result for "issue natively". */
	if (info.flags & EMUCOMPAT_INFO_NEEDS_PIVOT)
		top = pt_pivot_stack(ec, &info, &pbase, &psize);
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		memset(&req, 0, sizeof(req));
		req.size = sizeof(req);
		req.fd = pfd;
		req.cmd = PROBE_RETURN;
		req.arg = (uint32_t)vals[i];
		req.pivot_sp = top;
		errno = 0;
		r = ioctl(ecfd, EMUCOMPAT_IOC_IOCTL32, &req);
		P_OK(r == vals[i] && req.out_flags == 0,
		      "raw: forwarded handler returning %ld: result %ld, out_flags %#x (want 0)",
		      vals[i], r, req.out_flags);
	}
	if (top)
		munmap(pbase, psize);
	close(ecfd);
}

/*
 * A compat handler writing into a page the caller never touched: the page
 * fault happens inside the window.  The last page below the range's end is
 * the one emucompat_mmap_range() hands out first.
 */
static void check_fresh_page(const char *what, uint64_t lo, uint64_t hi)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct probe_state *s;
	void *p;
	long r;

	p = emucompat_mmap_range(ec, lo, hi, pg, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		P_SKIP("not applicable here", "%s: cannot map it (%s)", what, strerror(errno));
		return;
	}
	s = p;
	errno = 0;
	r = emucompat_ioctl32(ec, pfd, PROBE_STATE, pt_u32(s));
	P_OK(r == 0 && s->in_compat == 1,
	      "forwarded PROBE_STATE into a never-touched page, %s (%p): %ld %s",
	      what, p, r, r ? strerrorname_np(errno) : "ok");
	munmap(p, pg);
}

static void check_fresh_pages(void)
{
	long pg = sysconf(_SC_PAGESIZE);

	/*
	 * info.compat_task_size is where a real 32-bit process's address space
	 * ends; on arm64 the compat window shrinks TASK_SIZE to it, so that is
	 * the highest page a forwarded handler can fault in.
	 */
	check_fresh_page("the last page below compat_task_size",
			 info.compat_task_size - pg, info.compat_task_size);
	check_fresh_page("below 3 GiB", 0x10000, 3ULL << 30);
}

static void check_error_paths(void)
{
	struct post p;
	int pipefd[2];
	long r;

	errno = 0;
	r = emucompat_ioctl32(ec, pfd, PROBE_STATE, pt_low_hole(ec));
	P_ERRNO(r, EFAULT, "forwarded PROBE_STATE to an unmapped low page");
	post_collect(&p, tls_marker);
	post_check(&p, "after EFAULT");

	errno = 0;
	r = emucompat_ioctl32(ec, pfd, PROBE_STATE, 0);
	P_ERRNO(r, EFAULT, "forwarded PROBE_STATE to NULL");

	errno = 0;
	r = emucompat_ioctl32(ec, pfd, _IOR(PROBE_IOC_MAGIC, 0x7f,
					    struct probe_state), pt_u32(low));
	P_ERRNO(r, ENOTTY, "forwarded unknown probe command");
	post_collect(&p, tls_marker);
	post_check(&p, "after ENOTTY");

	if (pipe2(pipefd, O_CLOEXEC))
		tap_bail("pipe2: %s", strerror(errno));
	errno = 0;
	r = emucompat_ioctl32(ec, pipefd[0], _IOR(PROBE_IOC_MAGIC, 0x7f,
						  struct probe_state),
			      pt_u32(low));
	P_ERRNO(r, ENOTTY, "forwarded ioctl to a pipe (no compat_ioctl)");
	post_collect(&p, tls_marker);
	post_check(&p, "after ENOTTY on a pipe");
	close(pipefd[0]);
	close(pipefd[1]);
}

/* A thread that sleeps inside a forwarded PROBE_SLEEP*. */
struct sleeper {
	unsigned int cmd;
	unsigned int ms;
	pid_t tid;
	int started;
	int done;
	long ret;
	int err;
	struct post post;
	int release[2];		/* main writes a byte: the thread may exit */
};

static void *sleeper_main(void *arg)
{
	struct sleeper *s = arg;
	unsigned long marker;
	char c;

	s->tid = pt_gettid();
	marker = 0x5eed0000UL + (unsigned long)s->tid;
	tls_marker = marker;
	__atomic_store_n(&s->started, 1, __ATOMIC_SEQ_CST);
	errno = 0;
	s->ret = emucompat_ioctl32(ec, pfd, s->cmd, s->ms);
	s->err = errno;
	post_collect(&s->post, marker);
	__atomic_store_n(&s->done, 1, __ATOMIC_SEQ_CST);
	while (read(s->release[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

/* Until the sleeper entered PROBE_SLEEP* for the n-th time and sleeps. */
static int wait_asleep(struct sleeper *s, unsigned int entries)
{
	return pt_wait_asleep(pfd, s->tid, &s->done, entries);
}

static int wait_done(struct sleeper *s)
{
	int i;

	for (i = 0; i < WAIT_POLLS; i++) {
		if (__atomic_load_n(&s->done, __ATOMIC_SEQ_CST))
			return 1;
		pt_msleep(2);
	}
	return 0;
}

/* The flag of a sleeping thread, seen from here, sampled a few times. */
static int sample_sleeping_flag(pid_t tid)
{
	int i, f, any = 0;

	for (i = 0; i < 5; i++) {
		f = pt_task_flag(pfd, tid);
		if (f < 0)
			return -1;
		any |= f;
		pt_msleep(10);
	}
	return any;
}

/*
 * One signal scenario: a thread sleeps in a forwarded PROBE_SLEEP* (cmd);
 * we look at its flag from here, signal it (handler with sa_flags), and
 * expect either EINTR (restarts == 0) or one restart followed by
 * PROBE_WAKE (restarts == 1).
 */
static void signal_case(const char *name, unsigned int cmd, int sa_flags,
			int restarts)
{
	struct probe_last l0, l;
	struct sleeper s;
	pthread_t th;
	int f, ok;

	P_DIAG("--- %s", name);
	set_handler(sa_flags);
	sig_count = 0;
	sig_state_ret = -2;
	sig_sp = 0;
	memset(&sig_state, 0xff, sizeof(sig_state));
	memset(&s, 0, sizeof(s));
	s.cmd = cmd;
	s.ms = SLEEP_MS;
	if (pipe2(s.release, O_CLOEXEC))
		tap_bail("pipe2: %s", strerror(errno));
	pt_probe_last(pfd, &l0);
	if (pthread_create(&th, NULL, sleeper_main, &s))
		tap_bail("pthread_create");
	while (!__atomic_load_n(&s.started, __ATOMIC_SEQ_CST))
		pt_msleep(1);

	ok = wait_asleep(&s, l0.entries + 1);
	P_OK(ok, "%s: thread sleeps in the forwarded ioctl", name);

	f = sample_sleeping_flag(s.tid);
	if (is_arm64)
		P_OK(f == 0, "%s: arm64: TIF_32BIT not visible on the sleeping thread (%d)",
		      name, f);
	else
		P_DIAG("%s: x86-64: TS_COMPAT on the sleeping thread = %d (harmless)",
			name, f);

	syscall(SYS_tgkill, getpid(), s.tid, SIGUSR1);

	if (restarts) {
		ok = wait_asleep(&s, l0.entries + 2);
		P_OK(ok, "%s: the ioctl restarted and sleeps again", name);
		f = sample_sleeping_flag(s.tid);
		if (is_arm64)
			P_OK(f == 0, "%s: arm64: flag not visible after the restart (%d)",
			      name, f);
		if (ioctl(pfd, PROBE_WAKE, 0))
			tap_bail("PROBE_WAKE: %s", strerror(errno));
	}

	ok = wait_done(&s);
	P_OK(ok, "%s: the forwarded ioctl returned", name);
	if (!ok) {
		ioctl(pfd, PROBE_WAKE, 0);
		wait_done(&s);
	}

	if (restarts)
		P_OK(s.ret == 1, "%s: restarted call returns 1 after PROBE_WAKE (ret %ld errno %s)",
		      name, s.ret, strerrorname_np(s.err));
	else
		P_OK(s.ret == -1 && s.err == EINTR,
		      "%s: returns -1 EINTR (ret %ld errno %s)", name, s.ret,
		      strerrorname_np(s.err));
	P_OK(sig_count == 1, "%s: the handler ran once (%d)", name,
	      (int)sig_count);
	P_OK(sig_state_ret == 0 && sig_state.in_compat == 0 &&
	      sig_state.arch_flag == 0 &&
	      sig_state.handler == PROBE_HANDLER_NATIVE,
	      "%s: in the signal handler the thread is 64-bit (ret %d in_compat %u flag %u handler %u)",
	      name, sig_state_ret, sig_state.in_compat, sig_state.arch_flag,
	      sig_state.handler);
	P_OK(sig_sp >= PT_4G,
	      "%s: signal frame on the thread's own stack (%#llx), not a low pivot",
	      name, (unsigned long long)sig_sp);

	pt_probe_last(pfd, &l);
	P_OK(l.entries == l0.entries + 1 + restarts,
	      "%s: PROBE_SLEEP entered %u time(s), want %d", name,
	      l.entries - l0.entries, 1 + restarts);
	P_OK(l.tid == s.tid && l.handler == PROBE_HANDLER_COMPAT,
	      "%s: last sleep ran in the thread through compat_ioctl (tid %d/%d handler %u)",
	      name, l.tid, (int)s.tid, l.handler);
	P_OK(l.in_compat == 1 && l.arch_flag == 1,
	      "%s: flag back on in the handler after sleeping (in_compat %u flag %u)",
	      name, l.in_compat, l.arch_flag);
	if (restarts)
		P_OK(l.ret == 1, "%s: probe saw the wake-up (ret %d)", name,
		      l.ret);
	else
		P_OK(l.ret == (cmd == PROBE_SLEEP ? -ERESTARTSYS_K : -EINTR),
		      "%s: probe returned %d", name, l.ret);

	post_check(&s.post, name);
	f = pt_task_flag(pfd, s.tid);
	P_OK(f == 0, "%s: after the return the thread has no compat flag (%d)",
	      name, f);

	if (write(s.release[1], "x", 1) != 1)
		tap_bail("write: %s", strerror(errno));
	pthread_join(th, NULL);
	close(s.release[0]);
	close(s.release[1]);
}

static void check_sleep_timeout(void)
{
	struct probe_last l;
	struct post p;
	long r;

	errno = 0;
	r = emucompat_ioctl32(ec, pfd, PROBE_SLEEP, 50);
	P_OK(r == 0, "forwarded PROBE_SLEEP 50 ms times out, returns 0 (%ld %s)",
	      r, strerror(errno));
	pt_probe_last(pfd, &l);
	P_OK(l.in_compat == 1 && l.arch_flag == 1 && l.ret == 0,
	      "after the timeout sleep: flag on in the handler (in_compat %u flag %u ret %d)",
	      l.in_compat, l.arch_flag, l.ret);
	post_collect(&p, tls_marker);
	post_check(&p, "after a timed-out sleep");
}

/* Threads forwarding and sleeping concurrently: the flag stays per thread. */
#define STRESS_THREADS	3
#define STRESS_ITERS	200

struct stresser {
	struct probe_state *low;
	int bad;
	char why[128];
};

static void *stress_main(void *arg)
{
	struct stresser *st = arg;
	struct probe_state n;
	int i;

	for (i = 0; i < STRESS_ITERS && !st->bad; i++) {
		memset(st->low, 0xff, sizeof(*st->low));
		if (emucompat_ioctl32(ec, pfd, PROBE_STATE, pt_u32(st->low)) ||
		    st->low->in_compat != 1 || st->low->arch_flag != 1) {
			st->bad = 1;
			snprintf(st->why, sizeof(st->why),
				 "iter %d: forwarded state in_compat %u flag %u (%s)",
				 i, st->low->in_compat, st->low->arch_flag,
				 strerror(errno));
		}
		if (i % 4 == 0 && emucompat_ioctl32(ec, pfd, PROBE_SLEEP, 1) < 0) {
			st->bad = 1;
			snprintf(st->why, sizeof(st->why),
				 "iter %d: PROBE_SLEEP: %s", i, strerror(errno));
		}
		if (ioctl(pfd, PROBE_STATE, &n) || n.in_compat || n.arch_flag) {
			st->bad = 1;
			snprintf(st->why, sizeof(st->why),
				 "iter %d: native state in_compat %u flag %u",
				 i, n.in_compat, n.arch_flag);
		}
	}
	return NULL;
}

static void check_stress(void)
{
	struct stresser st[STRESS_THREADS];
	pthread_t th[STRESS_THREADS];
	int i, bad = 0;

	for (i = 0; i < STRESS_THREADS; i++) {
		memset(&st[i], 0, sizeof(st[i]));
		st[i].low = low + 1 + i;
		if (pthread_create(&th[i], NULL, stress_main, &st[i]))
			tap_bail("pthread_create");
	}
	for (i = 0; i < STRESS_THREADS; i++) {
		pthread_join(th[i], NULL);
		if (st[i].bad) {
			bad = 1;
			P_DIAG("stress thread %d: %s", i, st[i].why);
		}
	}
	P_OK(!bad, "%d threads x %d forwarded calls and sleeps: flag only inside the window",
	      STRESS_THREADS, STRESS_ITERS);
}

int main(void)
{
	struct pt_path paths[2];
	struct emucompat *ec0;
	int n, i;

	ec0 = pt_open_ec(&info);
	pfd = pt_open_probe();
	LX_NEED_CAP(info.caps, IOCTL32);
	if (info.flags & EMUCOMPAT_INFO_SECCOMP_REFUSED)
		tap_skip_all("running under seccomp: ioctl32 refused");
	is_arm64 = info.arch == EMUCOMPAT_ARCH_ARM64;
	n = pt_paths(ec0, paths);
	tap_ok((n == 2) == !!(info.caps & EMUCOMPAT_CAP_FORWARDER),
	       "the library opened a forwarder exactly where EMUCOMPAT_CAP_FORWARDER (caps %#llx, %d path(s))",
	       (unsigned long long)info.caps, n);
	if (n == 1)
		tap_diag("no EMUCOMPAT_CAP_FORWARDER: the request path only");
	for (i = 0; i < n; i++) {
		ec = paths[i].ec;
		pname = paths[i].name;
		tap_diag("==== path %s ====", pname);
		check_fresh_pages();
		low = pt_low_map(ec, 4096);
		pt_check_path(&paths[i], pfd, PROBE_STATE, pt_u32(low));

		check_forwarded_state();
		check_return_values();
		check_error_paths();
		check_sleep_timeout();
		signal_case("PROBE_SLEEP, no SA_RESTART", PROBE_SLEEP, 0, 0);
		signal_case("PROBE_SLEEP, SA_RESTART", PROBE_SLEEP, SA_RESTART, 1);
		signal_case("PROBE_SLEEP_EINTR, SA_RESTART", PROBE_SLEEP_EINTR,
			    SA_RESTART, 0);
		check_stress();
		munmap(low, 4096);
	}

	for (i = 1; i < n; i++)
		emucompat_close(paths[i].ec);
	emucompat_close(ec0);
	return tap_done();
}
