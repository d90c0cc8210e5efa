// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_window - the compat window is invisible to everything but the
 * forwarded handler, while that handler sleeps, is migrated to another
 * CPU and is interrupted by a signal.
 *
 * On arm64, TIF_32BIT on a 64-bit task would change how the context
 * switch saves and restores the user TLS registers (tpidr_el0 /
 * tpidrro_el0), how FP/SIMD state is handled, what TASK_SIZE and the mmap
 * limits are, and which signal frame is built.  The module holds the flag
 * only while the task runs the handler (a preempt notifier drops it at
 * every switch-out).  This test checks, at the register level:
 *
 *   - the forwarding thread issues the raw EMUCOMPAT_IOC_IOCTL32 (a
 *     PROBE_SLEEP on /dev/emucompat_probe) from inline assembly with all
 *     32 vector registers (arm64; 16 XMM on x86-64) loaded with a pattern
 *     and FPCR/FPSR (MXCSR) changed from their defaults, and checks every
 *     one of them, the TLS registers and its CPU after the call;
 *   - while it sleeps it is moved to the other CPU (sched_setaffinity),
 *     so it resumes on a different CPU than it slept on;
 *   - meanwhile two other threads run native code in a loop, checking
 *     their own vector registers, TLS and that a fresh mmap() lands above
 *     4 GiB;
 *   - a signal is delivered mid-call: its handler checks that it runs on a
 *     64-bit frame whose saved vector registers are the pattern, that its
 *     TLS is the thread's own, that the kernel sees a native task and that
 *     mmap() lands above 4 GiB, then clobbers its vector registers (the
 *     interrupted call must not see that);
 *   - the handler itself saw the flag set right before it returned
 *     (PROBE_LAST), after the migration, i.e. the window was reopened on
 *     the new CPU.
 *
 * Runs on x86-64 too, where the same properties must hold for TS_COMPAT.
 *
 * Both ways in are checked, each TAP line labelled with its path: "[req]"
 * is the raw EMUCOMPAT_IOC_IOCTL32 above; "[fwd]" (where the module has
 * EMUCOMPAT_CAP_FORWARDER) is the same inline-assembly call on a
 * forwarding descriptor, ioctl(fwd, PROBE_SLEEP, EMUCOMPAT_FWD_ARG(pfd,
 * SLEEP_MS)), where the sleeping handler runs under the forwarder's own
 * syscall and SA_RESTART restarts that.  Both rounds run on each path (a
 * round costs well under a second under TCG).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "probe_util.h"

#if defined(__aarch64__)
#define NVREG		32
#define ARCH_NAME	"arm64"
#elif defined(__x86_64__)
#define NVREG		16
#define ARCH_NAME	"x86-64"
#else
#error "t_window: x86-64 or arm64 only"
#endif

#define SLEEP_MS	20000	/* PROBE_WAKE cuts it short */
#define WORKERS		2
#define ERESTARTSYS_K	512

typedef uint8_t vregs_t[NVREG][16];

static struct emucompat *ec;
static struct emucompat_info info;
static int ecfd, pfd, fwdfd = -1;

/* The path under test: the raw syscall fwd_main issues, and its label. */
static const char *pname = "";
static long call_fd, call_cmd, call_arg;
static uint64_t pivot_sp;
static int ncpu;

/* ---- arch: TLS registers, control registers, a syscall with vregs ---- */

struct tls_regs {
	uint64_t tp;	/* tpidr_el0 / %fs:0 (the thread pointer) */
	uint64_t ro;	/* tpidrro_el0 (0 for a 64-bit task) / unused */
};

static void read_tls(struct tls_regs *t)
{
#if defined(__aarch64__)
	asm volatile("mrs %0, tpidr_el0" : "=r"(t->tp));
	asm volatile("mrs %0, tpidrro_el0" : "=r"(t->ro));
#else
	asm volatile("mov %%fs:0, %0" : "=r"(t->tp));
	t->ro = 0;
#endif
}

#if defined(__aarch64__)
static uint64_t read_fpcr(void)
{
	uint64_t v;

	asm volatile("mrs %0, fpcr" : "=r"(v));
	return v;
}

static void write_fpcr(uint64_t v)
{
	asm volatile("msr fpcr, %0" : : "r"(v));
}

static uint64_t read_fpsr(void)
{
	uint64_t v;

	asm volatile("mrs %0, fpsr" : "=r"(v));
	return v;
}

static void write_fpsr(uint64_t v)
{
	asm volatile("msr fpsr, %0" : : "r"(v));
}

/* Round toward zero (RMode = 0b11), flush-to-zero; QC and IXC set. */
#define CTL_SET		((3ULL << 22) | (1ULL << 24))
#define STS_SET		((1ULL << 27) | (1ULL << 4))

struct ctl_regs {
	uint64_t cr, sr;
};

static void read_ctl(struct ctl_regs *c)
{
	c->cr = read_fpcr();
	c->sr = read_fpsr();
}

static void set_ctl(struct ctl_regs *old)
{
	read_ctl(old);
	write_fpcr(old->cr | CTL_SET);
	write_fpsr(old->sr | STS_SET);
}

static void restore_ctl(const struct ctl_regs *old)
{
	write_fpcr(old->cr);
	write_fpsr(old->sr);
}

#define LD4(r0, r1, r2, r3) "ld1 {v" #r0 ".16b, v" #r1 ".16b, v" #r2 ".16b, v" #r3 ".16b}, [x9], #64\n\t"
#define ST4(r0, r1, r2, r3) "st1 {v" #r0 ".16b, v" #r1 ".16b, v" #r2 ".16b, v" #r3 ".16b}, [x10], #64\n\t"
#define VCLOBBER \
	"v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", \
	"v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", \
	"v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31"

/*
 * ioctl(fd, cmd, arg) with every vector register loaded from @in before
 * the svc and stored to @out right after it.  Returns the raw result
 * (-errno on failure).
 */
static long vreg_ioctl(long fd, long cmd, long arg, const vregs_t in, vregs_t out)
{
	register long x0 asm("x0") = fd;
	register long x1 asm("x1") = cmd;
	register long x2 asm("x2") = arg;
	register long x8 asm("x8") = __NR_ioctl;
	register const void *x9 asm("x9") = in;
	register void *x10 asm("x10") = out;

	asm volatile(LD4(0, 1, 2, 3) LD4(4, 5, 6, 7) LD4(8, 9, 10, 11) LD4(12, 13, 14, 15)
		     LD4(16, 17, 18, 19) LD4(20, 21, 22, 23) LD4(24, 25, 26, 27)
		     LD4(28, 29, 30, 31)
		     "svc #0\n\t"
		     ST4(0, 1, 2, 3) ST4(4, 5, 6, 7) ST4(8, 9, 10, 11) ST4(12, 13, 14, 15)
		     ST4(16, 17, 18, 19) ST4(20, 21, 22, 23) ST4(24, 25, 26, 27)
		     ST4(28, 29, 30, 31)
		     : "+r"(x0), "+r"(x9), "+r"(x10)
		     : "r"(x1), "r"(x2), "r"(x8)
		     : "memory", VCLOBBER);
	return x0;
}

/*
 * Load @in into the vector registers, spin @loops times without touching
 * them (the task may be preempted or migrated meanwhile), store to @out.
 */
static void vreg_spin(const vregs_t in, vregs_t out, unsigned long loops)
{
	register const void *x9 asm("x9") = in;
	register void *x10 asm("x10") = out;
	unsigned long n = loops;

	asm volatile(LD4(0, 1, 2, 3) LD4(4, 5, 6, 7) LD4(8, 9, 10, 11) LD4(12, 13, 14, 15)
		     LD4(16, 17, 18, 19) LD4(20, 21, 22, 23) LD4(24, 25, 26, 27)
		     LD4(28, 29, 30, 31)
		     "1: subs %[n], %[n], #1\n\t"
		     "b.ne 1b\n\t"
		     ST4(0, 1, 2, 3) ST4(4, 5, 6, 7) ST4(8, 9, 10, 11) ST4(12, 13, 14, 15)
		     ST4(16, 17, 18, 19) ST4(20, 21, 22, 23) ST4(24, 25, 26, 27)
		     ST4(28, 29, 30, 31)
		     : "+r"(x9), "+r"(x10), [n] "+r"(n)
		     :
		     : "memory", "cc", VCLOBBER);
}

/* Overwrite every vector register (a signal handler's clobbering). */
static void vreg_clobber(void)
{
	asm volatile("movi v0.16b, #0xa5\n\t"
		     "mov v1.16b, v0.16b\n\t mov v2.16b, v0.16b\n\t mov v3.16b, v0.16b\n\t"
		     "mov v8.16b, v0.16b\n\t mov v9.16b, v0.16b\n\t mov v15.16b, v0.16b\n\t"
		     "mov v16.16b, v0.16b\n\t mov v24.16b, v0.16b\n\t mov v31.16b, v0.16b\n\t"
		     : : : VCLOBBER);
}

/* The vector registers saved in the signal frame, or NULL. */
static const uint8_t *frame_vregs(ucontext_t *uc)
{
	struct _aarch64_ctx *h = (struct _aarch64_ctx *)uc->uc_mcontext.__reserved;
	size_t off = 0;

	while (off + sizeof(*h) <= sizeof(uc->uc_mcontext.__reserved) && h->magic) {
		if (h->magic == FPSIMD_MAGIC)
			return (const uint8_t *)((struct fpsimd_context *)h)->vregs;
		if (!h->size)
			break;
		off += h->size;
		h = (struct _aarch64_ctx *)((char *)h + h->size);
	}
	return NULL;
}

#else /* __x86_64__ */

struct ctl_regs {
	uint32_t mxcsr;
};

static void read_ctl(struct ctl_regs *c)
{
	asm volatile("stmxcsr %0" : "=m"(c->mxcsr));
}

/* Round toward zero, flush-to-zero, the precision flag set. */
#define CTL_SET		((3U << 13) | (1U << 15) | (1U << 5))

static void set_ctl(struct ctl_regs *old)
{
	uint32_t v;

	read_ctl(old);
	v = old->mxcsr | CTL_SET;
	asm volatile("ldmxcsr %0" : : "m"(v));
}

static void restore_ctl(const struct ctl_regs *old)
{
	asm volatile("ldmxcsr %0" : : "m"(old->mxcsr));
}

#define XLD(i) "movdqu " #i "*16(%[in]), %%xmm" #i "\n\t"
#define XST(i) "movdqu %%xmm" #i ", " #i "*16(%[out])\n\t"
#define XALL(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11) \
	M(12) M(13) M(14) M(15)
#define VCLOBBER \
	"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", \
	"xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

static long vreg_ioctl(long fd, long cmd, long arg, const vregs_t in, vregs_t out)
{
	long rax = __NR_ioctl;

	asm volatile(XALL(XLD) "syscall\n\t" XALL(XST)
		     : "+a"(rax)
		     : "D"(fd), "S"(cmd), "d"(arg), [in] "r"(in), [out] "r"(out)
		     : "rcx", "r11", "memory", VCLOBBER);
	return rax;
}

static void vreg_spin(const vregs_t in, vregs_t out, unsigned long loops)
{
	unsigned long n = loops;

	asm volatile(XALL(XLD) "1: dec %[n]\n\t jnz 1b\n\t" XALL(XST)
		     : [n] "+r"(n)
		     : [in] "r"(in), [out] "r"(out)
		     : "memory", "cc", VCLOBBER);
}

static void vreg_clobber(void)
{
	asm volatile("pcmpeqd %%xmm0, %%xmm0\n\t movdqa %%xmm0, %%xmm1\n\t"
		     "movdqa %%xmm0, %%xmm8\n\t movdqa %%xmm0, %%xmm15\n\t"
		     : : : VCLOBBER);
}

static const uint8_t *frame_vregs(ucontext_t *uc)
{
	if (!uc->uc_mcontext.fpregs)
		return NULL;
	return (const uint8_t *)uc->uc_mcontext.fpregs->_xmm;
}
#endif

static void fill_pattern(vregs_t v, unsigned int seed)
{
	int i, j;

	for (i = 0; i < NVREG; i++)
		for (j = 0; j < 16; j++)
			v[i][j] = (uint8_t)(seed * 131 + i * 17 + j * 3 + 1);
}

/* Index of the first differing register, or -1. */
static int vreg_diff(const vregs_t a, const void *b)
{
	const uint8_t *p = b;
	int i;

	for (i = 0; i < NVREG; i++)
		if (memcmp(a[i], p + 16 * i, 16))
			return i;
	return -1;
}

static int mmap_lands_high(void)
{
	void *p = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ok;

	if (p == MAP_FAILED)
		return 0;
	ok = (uintptr_t)p >= PT_4G;
	munmap(p, 1 << 16);
	return ok;
}

static int pin_to(pid_t tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(tid, sizeof(set), &set);
}

/* TAP lines labelled with the path under test. */
#define P_OK(cond, fmt, ...) tap_ok(cond, "[%s] " fmt, pname, ##__VA_ARGS__)
#define P_DIAG(fmt, ...) tap_diag("[%s] " fmt, pname, ##__VA_ARGS__)

/* ---- the worker threads: native code beside the window ---- */

struct worker {
	pthread_t th;
	unsigned int seed;
	unsigned long rounds, bad_vregs, bad_tls, bad_mmap, migrations;
};

static int stop_workers;

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct tls_regs t0, t;
	vregs_t in, out;
	int cpu, last = -1;

	fill_pattern(in, w->seed);
	read_tls(&t0);
	while (!__atomic_load_n(&stop_workers, __ATOMIC_SEQ_CST)) {
		vreg_spin(in, out, 200000);
		if (vreg_diff(in, out) >= 0)
			w->bad_vregs++;
		read_tls(&t);
		if (t.tp != t0.tp || t.ro != t0.ro)
			w->bad_tls++;
		if (w->rounds % 8 == 0 && !mmap_lands_high())
			w->bad_mmap++;
		cpu = sched_getcpu();
		if (last >= 0 && cpu != last)
			w->migrations++;
		last = cpu;
		w->rounds++;
	}
	return NULL;
}

/* ---- the forwarding thread ---- */

struct fwd {
	pthread_t th;
	pid_t tid;
	int cpu0;		/* pinned here before the call */
	long ret;		/* raw result of the svc / syscall */
	int cpu_after;
	int vreg_bad;		/* first differing register, or -1 */
	int tls_ok, ctl_ok;
	struct tls_regs tls;
	int done;
};

static struct emucompat_ioctl32 *req;

static void *fwd_main(void *arg)
{
	struct fwd *f = arg;
	struct ctl_regs old, in_ctl, out_ctl;
	struct tls_regs t;
	vregs_t in, out;

	__atomic_store_n(&f->tid, pt_gettid(), __ATOMIC_SEQ_CST);
	pin_to(0, f->cpu0);
	sched_yield();
	read_tls(&f->tls);
	fill_pattern(in, 0x5a);
	memset(out, 0, sizeof(out));
	set_ctl(&old);
	read_ctl(&in_ctl);
	f->ret = vreg_ioctl(call_fd, call_cmd, call_arg, in, out);
	read_ctl(&out_ctl);
	restore_ctl(&old);
	read_tls(&t);
	f->cpu_after = sched_getcpu();
	f->vreg_bad = vreg_diff(in, out);
	f->tls_ok = t.tp == f->tls.tp && t.ro == f->tls.ro;
	f->ctl_ok = !memcmp(&in_ctl, &out_ctl, sizeof(in_ctl));
	__atomic_store_n(&f->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* ---- the signal handler ---- */

static struct fwd *sig_fwd;
static volatile sig_atomic_t sig_count;
static volatile int sig_tls_ok, sig_frame_ok, sig_native_ok, sig_mmap_ok, sig_tid_ok;

static void on_signal(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	struct tls_regs t;
	struct probe_state s;
	const uint8_t *v;
	vregs_t want;
	int saved = errno;

	(void)sig;
	(void)si;
	read_tls(&t);
	sig_tls_ok = t.tp == sig_fwd->tls.tp && t.ro == sig_fwd->tls.ro;
	sig_tid_ok = pt_gettid() == sig_fwd->tid;
	fill_pattern(want, 0x5a);
	v = frame_vregs(uc);
	sig_frame_ok = v && vreg_diff(want, v) < 0;
	memset(&s, 0xff, sizeof(s));
	sig_native_ok = ioctl(pfd, PROBE_STATE, &s) == 0 && !s.in_compat && !s.arch_flag &&
			s.handler == PROBE_HANDLER_NATIVE && s.task_size > PT_4G;
	sig_mmap_ok = mmap_lands_high();
	vreg_clobber();
	sig_count++;
	errno = saved;
}

static void set_handler(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		tap_bail("sigaction: %s", strerror(errno));
}

static int wait_for(volatile sig_atomic_t *v, int want)
{
	int i;

	for (i = 0; i < 10000 && *v < want; i++)
		pt_msleep(2);
	return *v >= want;
}

/*
 * One round: a forwarded PROBE_SLEEP on cpu0, moved to cpu1 while asleep,
 * a signal (with @sa_flags) mid-call, then PROBE_WAKE (SA_RESTART) or the
 * EINTR return.
 */
static void round_run(const char *name, int sa_flags)
{
	struct worker w[WORKERS];
	struct probe_last l0, l;
	struct fwd f;
	int i, restart = !!(sa_flags & SA_RESTART), cpu1 = ncpu > 1 ? 1 : 0;
	int asleep, moved;

	memset(&f, 0, sizeof(f));
	memset(w, 0, sizeof(w));
	f.cpu0 = 0;
	sig_fwd = &f;
	sig_count = 0;
	sig_tls_ok = sig_frame_ok = sig_native_ok = sig_mmap_ok = sig_tid_ok = 0;
	set_handler(sa_flags);
	pt_probe_last(pfd, &l0);

	stop_workers = 0;
	for (i = 0; i < WORKERS; i++) {
		w[i].seed = 100 + i;
		if (pthread_create(&w[i].th, NULL, worker_main, &w[i]))
			tap_bail("pthread_create");
	}
	if (pthread_create(&f.th, NULL, fwd_main, &f))
		tap_bail("pthread_create");

	for (i = 0; i < 10000 && !__atomic_load_n(&f.tid, __ATOMIC_SEQ_CST); i++)
		pt_msleep(1);
	asleep = f.tid && pt_wait_asleep(pfd, f.tid, &f.done, l0.entries + 1);
	P_OK(asleep, "%s: forwarded PROBE_SLEEP asleep on CPU %d", name, f.cpu0);
	if (!asleep) {
		ioctl(pfd, PROBE_WAKE);
		goto join;
	}
#if defined(__aarch64__)
	/* the preempt notifier dropped TIF_32BIT when the forwarder slept */
	P_OK(pt_task_flag(pfd, f.tid) == 0, "%s: sleeping forwarder shows no compat flag", name);
#else
	/* TS_COMPAT is read only by the task itself: it may stay set while asleep */
	P_DIAG("%s: sleeping forwarder's TS_COMPAT: %d", name, pt_task_flag(pfd, f.tid));
#endif
	moved = pin_to(f.tid, cpu1) == 0;
	P_OK(moved, "%s: sched_setaffinity(forwarder, CPU %d) while it sleeps", name, cpu1);
	P_OK(mmap_lands_high(), "%s: mmap() from another thread lands above 4 GiB", name);

	pt_msleep(100);
	syscall(SYS_tgkill, getpid(), f.tid, SIGUSR1);
	P_OK(wait_for(&sig_count, 1), "%s: signal delivered mid-call", name);
	P_OK(sig_tid_ok && sig_tls_ok, "%s: handler runs on the forwarder with its TLS registers",
	       name);
	P_OK(sig_frame_ok, "%s: signal frame is 64-bit and holds the forwarder's vector registers",
	       name);
	P_OK(sig_native_ok, "%s: handler's own ioctl sees a native task (no flag, TASK_SIZE > 4G)",
	       name);
	P_OK(sig_mmap_ok, "%s: mmap() in the handler lands above 4 GiB", name);
	if (restart) {
		asleep = pt_wait_asleep(pfd, f.tid, &f.done, l0.entries + 2);
		P_OK(asleep, "%s: SA_RESTART restarted the forwarded call", name);
		pt_msleep(200);	/* the workers keep running beside it */
		ioctl(pfd, PROBE_WAKE);
	}
join:
	pthread_join(f.th, NULL);
	__atomic_store_n(&stop_workers, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < WORKERS; i++)
		pthread_join(w[i].th, NULL);

	if (restart)
		P_OK(f.ret == 1, "%s: forwarded call returned 1 (woken) (got %ld)", name, f.ret);
	else
		P_OK(f.ret == -EINTR, "%s: forwarded call returned -EINTR (got %ld)", name, f.ret);
	P_OK(f.vreg_bad < 0, "%s: all %d vector registers intact across the call (first bad: %d)",
	       name, NVREG, f.vreg_bad);
	P_OK(f.ctl_ok, "%s: FP control/status registers intact", name);
	P_OK(f.tls_ok, "%s: TLS registers intact (tp %#llx)", name, (unsigned long long)f.tls.tp);
	P_OK(f.cpu_after == cpu1, "%s: resumed on CPU %d (on CPU %d)", name, cpu1, f.cpu_after);
	pt_probe_last(pfd, &l);
	P_OK(l.tid == f.tid && l.handler == PROBE_HANDLER_COMPAT && l.in_compat && l.arch_flag,
	       "%s: handler saw the window open after migrating (tid %d compat %u flag %u handler %u)",
	       name, l.tid, l.in_compat, l.arch_flag, l.handler);
	for (i = 0; i < WORKERS; i++) {
		P_DIAG("%s: worker %d: %lu rounds, %lu migrations", name, i, w[i].rounds,
			 w[i].migrations);
		P_OK(w[i].rounds > 0 && !w[i].bad_vregs && !w[i].bad_tls && !w[i].bad_mmap,
		       "%s: worker %d: vector registers, TLS, mmap() above 4 GiB all intact "
		       "(%lu rounds; bad: %lu vregs, %lu tls, %lu mmap)", name, i, w[i].rounds,
		       w[i].bad_vregs, w[i].bad_tls, w[i].bad_mmap);
	}
}

int main(void)
{
	struct probe_state s;
	void *pbase = NULL;
	size_t psize = 0;

	ec = pt_open_ec(&info);
	pfd = pt_open_probe();
	ecfd = open("/dev/" EMUCOMPAT_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (ecfd < 0)
		tap_bail("open /dev/%s: %s", EMUCOMPAT_DEVICE_NAME, strerror(errno));
	ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	tap_diag("%s, %d CPUs, pivot %s", ARCH_NAME, ncpu,
		 info.flags & EMUCOMPAT_INFO_NEEDS_PIVOT ? "needed" : "not needed");
	if (info.flags & EMUCOMPAT_INFO_NEEDS_PIVOT)
		pivot_sp = pt_pivot_stack(ec, &info, &pbase, &psize);

	req = calloc(1, sizeof(*req));
	if (!req)
		tap_bail("calloc");
	req->size = sizeof(*req);
	req->fd = pfd;
	req->cmd = PROBE_SLEEP;
	req->arg = SLEEP_MS;
	req->pivot_sp = pivot_sp;

	pt_native_state(pfd, &s);
	tap_ok(!s.in_compat && !s.arch_flag, "main thread starts native");
	if (ncpu < 2)
		tap_diag("only one CPU: the migration checks degrade to CPU 0");

	if (info.caps & EMUCOMPAT_CAP_FORWARDER) {
		fwdfd = pt_fwd_open(ecfd, EMUCOMPAT_FORWARDER_CLOEXEC);
		tap_ok(fwdfd >= 0, "EMUCOMPAT_CAP_FORWARDER: a forwarding descriptor (%d %s)",
		       fwdfd, fwdfd < 0 ? strerrorname_np(errno) : "-");
	} else {
		tap_diag("no EMUCOMPAT_CAP_FORWARDER: the request path only");
	}
	if (fwdfd >= 0) {
		pname = "fwd";
		call_fd = fwdfd;
		call_cmd = PROBE_SLEEP;
		call_arg = (long)EMUCOMPAT_FWD_ARG(pfd, SLEEP_MS);
		round_run("SA_RESTART", SA_RESTART);
		round_run("no SA_RESTART", 0);
		close(fwdfd);
	}
	pname = "req";
	call_fd = ecfd;
	call_cmd = EMUCOMPAT_IOC_IOCTL32;
	call_arg = (long)req;
	round_run("SA_RESTART", SA_RESTART);
	round_run("no SA_RESTART", 0);

	pt_native_state(pfd, &s);
	tap_ok(!s.in_compat && !s.arch_flag, "main thread ends native");
	free(req);
	return tap_done();
}
