// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * b_ioctl - per-call cost of a compat ioctl, three ways, side by side:
 *
 *   o32     a real static 32-bit process (o32b_ioctl: i386 / armhf) doing
 *           the same loop through the kernel's compat syscall path; it
 *           times itself.  The floor, and the baseline of the ratios.
 *   emu     emucompat_ioctl32() from this 64-bit process, by the fastest
 *           path the module offers: the forwarding descriptor (one ioctl,
 *           ioctl(fwd, cmd, fd << 32 | arg), nothing copied in) on 6.1+
 *   emu-req the same through the request ioctl (EMUCOMPAT_IOC_IOCTL32, a
 *           56-byte struct copied in), the only path on 5.10 and the one
 *           before the forwarder: a handle whose forwarder is closed
 *   native  the 64-bit ioctl (the same command with 64-bit structs)
 *
 * Commands: TCGETS on a pty slave (tty_compat_ioctl), RTC_IRQP_READ on
 * /dev/rtc0 (a driver's compat_ioctl translating the argument: the 32-bit
 * command reads a u32, the native one an unsigned long; rtc_dev_compat_ioctl),
 * SIOCGIFCONF on a UDP socket (struct ifconf with a 32-bit pointer to
 * 32-byte ifreqs, translated by the socket layer), SIOCGIFFLAGS "lo" (on
 * 5.10 its compat handler takes compat_alloc_user_space(), so the library
 * pivots onto its low stack), and "null": TCGETS on /dev/null, which has
 * no ioctl at all (ENOTTY), i.e. the fixed cost of the path.  For null a fourth variant,
 * emu-off, runs with the module parameter ioctl32=0: the library call,
 * the syscall and the module's copy-in, then EOPNOTSUPP.  So
 *   emu-off           syscall + copy of the request
 *   emu null          + fget, LSM hook, compat window, dispatch
 *   emu OP - emu null the handler's own work (same code as o32 OP - o32 null)
 * which is the breakdown printed when a target is missed.
 *
 * Each round runs one batch of every variant (order rotated per round;
 * the 32-bit process stays alive and waits on a pipe between batches);
 * all run pinned to the same vCPU.
 *
 * Guest ABIs (section 1b): the same emucompat_ioctl32() through a handle
 * that names the kernel's own ABI (emu-named: must cost nothing more than
 * the default), and through one set to the other 32-bit ABI (foreign): for
 * TCGETS on /dev/null a table miss (nothing to convert), for
 * SNDRV_CTL_IOCTL_ELEM_READ (struct snd_ctl_elem_value, 708 bytes on i386,
 * 712 on AArch32: on snd-dummy (amd64) or snd-aloop (arm64) when loaded)
 * the whole translation: renumbering, reading the guest's struct,
 * conversion both ways, writing it back.
 *
 * The stack pivot (5.10): every call passes the thread's low stack, which
 * the module installs as the user stack pointer around the handler (two
 * stores); the per-call cost is in the rows above (compare the ratios on
 * 5.10 with those on later kernels).  The one-time cost is the first call
 * in each thread, which maps the thread's pivot stack: measured as the
 * first and second emucompat_ioctl32() (TCGETS) of fresh threads, on every
 * kernel (without a pivot the two are alike).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <asm/termbits.h>
#include <linux/rtc.h>
#include <sound/asound.h>
#include <pthread.h>

#include "emucompat.h"
#include "bench.h"
#include "ftrace.h"

#define ROUNDS		101
#define BATCH_NS	1000000.0	/* aim: 1 ms per batch (host preemption is ms-scale) */
#define PARAM_IOCTL32	"/sys/module/emucompat/parameters/ioctl32"
#define FIRST_THREADS	40

/* The 32-bit command (the kernel's RTC_IRQP_READ32, not in the uapi). */
#define B_RTC_IRQP_READ32	_IOR('p', 0x0b, uint32_t)

/* 32-bit layouts (the same on i386 and AArch32 for these) */
struct b32_ifreq {
	char name[16];
	union {
		int16_t flags;
		char pad[16];
	} u;
};
struct b32_ifconf {
	int32_t len;
	uint32_t buf;
};
_Static_assert(sizeof(struct b32_ifreq) == 32, "ifreq32");

enum { V_O32, V_EMU, V_NATIVE, V_EMU_OFF, V_NAMED, V_FOREIGN, V_EMU_REQ, NV };
static const char *const vname[NV] = { "o32", "emu", "native", "emu-off", "emu-named",
				       "foreign", "emu-req" };
#define VM(v) (1u << (v))
#define VM_BASE (VM(V_O32) | VM(V_EMU) | VM(V_NATIVE) | VM(V_EMU_REQ))

/*
 * SNDRV_CTL_IOCTL_ELEM_READ in the other 32-bit ABI than the kernel's:
 * struct snd_ctl_elem_value's value union is 8-aligned on AArch32 (a
 * long long member), 4-aligned on i386 (see userlib/abi/REPORT.md).
 */
#if defined(__x86_64__)
#define B_FOREIGN_ABI		EMUCOMPAT_ABI_ARM
#define B_KERNEL_ABI		EMUCOMPAT_ABI_I386
#define B_FOREIGN_ELEM_READ	_IOWR('U', 0x12, char[712])
#else
#define B_FOREIGN_ABI		EMUCOMPAT_ABI_I386
#define B_KERNEL_ABI		EMUCOMPAT_ABI_ARM
#define B_FOREIGN_ELEM_READ	_IOWR('U', 0x12, char[708])
#endif
#define B_ELEM_READ32		_IOWR('U', 0x12, char[B_KERNEL_ABI == EMUCOMPAT_ABI_I386 ? 708 : 712])

struct op {
	const char *name;	/* for o32b_ioctl */
	const char *row;	/* for the report */
	int fd;
	unsigned int cmd;	/* the 32-bit command */
	unsigned int cmd64;	/* the native command, if not the same */
	uint32_t arg32;		/* below 4 GiB, 32-bit layout */
	void *arg64;		/* 64-bit layout */
	unsigned int cmd_foreign; /* V_FOREIGN: the other 32-bit ABI's number */
	uint32_t arg_foreign;	/* ... and its layout */
	unsigned int vmask;	/* VM(V_*) measured */
	double ns[NV][ROUNDS];
	long iters;
	long ret[NV];
	int err[NV];
};

static struct emucompat *ec, *ec_named, *ec_foreign, *ec_req;
static FILE *o32_in, *o32_out;
static pid_t o32_pid;

static void o32_start(const char *self_dir, int nullfd, int ptyfd, int sockfd, int rtcfd,
		      int ctlfd)
{
	int in[2], out[2];
	char path[512], a[5][16];

	snprintf(path, sizeof(path), "%s/o32b_ioctl", self_dir);
	if (access(path, X_OK))
		b_die("no 32-bit oracle %s", path);
	if (pipe(in) || pipe(out))
		b_die("pipe");
	o32_pid = fork();
	if (o32_pid < 0)
		b_die("fork");
	if (!o32_pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		snprintf(a[0], sizeof(a[0]), "%d", nullfd);
		snprintf(a[1], sizeof(a[1]), "%d", ptyfd);
		snprintf(a[2], sizeof(a[2]), "%d", sockfd);
		snprintf(a[3], sizeof(a[3]), "%d", rtcfd);
		snprintf(a[4], sizeof(a[4]), "%d", ctlfd);
		execl(path, path, a[0], a[1], a[2], a[3], a[4], (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	o32_in = fdopen(in[1], "w");
	o32_out = fdopen(out[0], "r");
	if (!o32_in || !o32_out)
		b_die("fdopen");
	setvbuf(o32_in, NULL, _IOLBF, 0);
}

/* One batch in the 32-bit process; its own timing, in ns per call. */
static double o32_batch(const struct op *op, long iters, long *ret, int *err)
{
	unsigned long long ns;
	char line[128];

	fprintf(o32_in, "%s %ld\n", op->name, iters);
	if (!fgets(line, sizeof(line), o32_out) ||
	    sscanf(line, "%llu %ld %d", &ns, ret, err) != 3)
		b_die("the 32-bit oracle did not answer");
	return (double)ns / iters;
}

static double emu_batch(struct emucompat *h, unsigned int cmd, uint32_t arg, const struct op *op,
			long iters, long *ret, int *err)
{
	uint64_t t0, t1;
	long i, r = 0;

	errno = 0;
	t0 = b_now();
	for (i = 0; i < iters; i++)
		r = emucompat_ioctl32(h, op->fd, cmd, arg);
	t1 = b_now();
	*ret = r;
	*err = r < 0 ? errno : 0;
	return (double)(t1 - t0) / iters;
}

static double native_batch(const struct op *op, long iters, long *ret, int *err)
{
	uint64_t t0, t1;
	unsigned int cmd = op->cmd64 ? op->cmd64 : op->cmd;
	long i, r = 0;

	errno = 0;
	t0 = b_now();
	for (i = 0; i < iters; i++)
		r = ioctl(op->fd, cmd, op->arg64);
	t1 = b_now();
	*ret = r;
	*err = r < 0 ? errno : 0;
	return (double)(t1 - t0) / iters;
}

static double run_variant(struct op *op, int v, long iters)
{
	double ns;

	switch (v) {
	case V_O32:
		return o32_batch(op, iters, &op->ret[v], &op->err[v]);
	case V_EMU:
		return emu_batch(ec, op->cmd, op->arg32, op, iters, &op->ret[v], &op->err[v]);
	case V_EMU_REQ:
		return emu_batch(ec_req, op->cmd, op->arg32, op, iters, &op->ret[v], &op->err[v]);
	case V_NAMED:
		return emu_batch(ec_named, op->cmd, op->arg32, op, iters, &op->ret[v], &op->err[v]);
	case V_FOREIGN:
		return emu_batch(ec_foreign, op->cmd_foreign, op->arg_foreign, op, iters,
				 &op->ret[v], &op->err[v]);
	case V_NATIVE:
		return native_batch(op, iters, &op->ret[v], &op->err[v]);
	case V_EMU_OFF:
		if (b_write_file(PARAM_IOCTL32, "0"))
			b_die("cannot write %s", PARAM_IOCTL32);
		ns = emu_batch(ec, op->cmd, op->arg32, op, iters, &op->ret[v], &op->err[v]);
		if (b_write_file(PARAM_IOCTL32, "1"))
			b_die("cannot write %s", PARAM_IOCTL32);
		return ns;
	}
	return 0;
}

/* The variants @op measures, in order; their number. */
static int variants(const struct op *op, int *vars)
{
	int v, n = 0;

	for (v = 0; v < NV; v++)
		if (op->vmask & VM(v))
			vars[n++] = v;
	return n;
}

static void measure(struct op *op)
{
	long warm = 200;
	double per;
	int vars[NV], nvar = variants(op, vars), v, k, round;

	/* warm up every variant; calibrate the batch on the slowest */
	per = 0;
	for (k = 0; k < nvar; k++) {
		double t = run_variant(op, vars[k], warm);

		if (t > per)
			per = t;
	}
	op->iters = (long)(BATCH_NS / (per > 1 ? per : 1));
	if (op->iters < 50)
		op->iters = 50;
	if (op->iters > 200000)
		op->iters = 200000;
	for (round = 0; round < ROUNDS; round++)
		for (k = 0; k < nvar; k++) {
			v = vars[(k + round) % nvar];
			op->ns[v][round] = run_variant(op, v, op->iters);
		}
}

static void report(struct op *op)
{
	struct b_stats s[NV], r[NV];
	char a[64], b[64], c[64], d[64], e[64], f[64], g[64];
	int vars[NV], nvar = variants(op, vars), k, v;

	for (k = 0; k < nvar; k++) {
		v = vars[k];
		s[v] = b_stats_of(op->ns[v], ROUNDS);
		r[v] = b_ratio_of(op->ns[v], op->ns[V_O32], ROUNDS);
		b_csv("1", "ioctl", op->row, vname[v], v == V_O32 ? NULL : "o32", "ns", op->iters,
		      &s[v], v == V_O32 ? NULL : &r[v]);
	}
	b_md("| %s | %s | %s | %s | %s | %s | %s | %s |", op->row,
	     b_fmt(a, sizeof(a), &s[V_O32], 1000), b_fmt(b, sizeof(b), &s[V_EMU], 1000),
	     b_fmt(f, sizeof(f), &s[V_EMU_REQ], 1000), b_fmt(c, sizeof(c), &s[V_NATIVE], 1000),
	     b_fmt_ratio(d, sizeof(d), &r[V_EMU]), b_fmt_ratio(g, sizeof(g), &r[V_EMU_REQ]),
	     b_fmt_ratio(e, sizeof(e), &r[V_NATIVE]));
	for (k = 0; k < nvar; k++) {
		v = vars[k];
		if (v == V_NATIVE || v == V_EMU_OFF || v == V_O32)
			continue;
		if (op->ret[V_O32] != op->ret[v] || op->err[V_O32] != op->err[v])
			printf("# NOTE %s: o32 returned %ld/%s, %s %ld/%s\n", op->row,
			       op->ret[V_O32], strerror(op->err[V_O32]), vname[v], op->ret[v],
			       strerror(op->err[v]));
	}
}

/* Section 1b: the guest-ABI variants of @op beside the real 32-bit process. */
static void report_abi(const struct op *op, const char *foreign)
{
	struct b_stats so = b_stats_of(op->ns[V_O32], ROUNDS);
	struct b_stats se = b_stats_of(op->ns[V_EMU], ROUNDS);
	struct b_stats sn = b_stats_of(op->ns[V_NAMED], ROUNDS);
	struct b_stats sf = b_stats_of(op->ns[V_FOREIGN], ROUNDS);
	struct b_stats rn = b_ratio_of(op->ns[V_NAMED], op->ns[V_EMU], ROUNDS);
	struct b_stats rf = b_ratio_of(op->ns[V_FOREIGN], op->ns[V_O32], ROUNDS);
	struct b_stats re = b_ratio_of(op->ns[V_EMU], op->ns[V_O32], ROUNDS);
	char a[64], b[64], c[64], d[64], e[64], f[64], g[64];

	b_csv("1b", "ioctl-abi", op->row, vname[V_NAMED], "emu", "ns", op->iters, &sn, &rn);
	b_csv("1b", "ioctl-abi", op->row, vname[V_FOREIGN], "o32", "ns", op->iters, &sf, &rf);
	b_md("| %s | %s | %s | %s | %s (%s) | %s | %s | %s |", op->row,
	     b_fmt(a, sizeof(a), &so, 1000), b_fmt(b, sizeof(b), &se, 1000),
	     b_fmt(c, sizeof(c), &sn, 1000), b_fmt(d, sizeof(d), &sf, 1000), foreign,
	     b_fmt_ratio(e, sizeof(e), &rn), b_fmt_ratio(f, sizeof(f), &re),
	     b_fmt_ratio(g, sizeof(g), &rf));
}

static double med(const struct op *op, int v)
{
	return b_stats_of(op->ns[v], ROUNDS).med;
}

/* Median over the rounds of v[a] - v[b], measured side by side. */
static double med_diff(const struct op *op, int a, int b)
{
	double d[ROUNDS];
	int i;

	for (i = 0; i < ROUNDS; i++)
		d[i] = op->ns[a][i] - op->ns[b][i];
	return b_stats_of(d, ROUNDS).med;
}

static void target(const char *id, const struct op *op, const struct op *null)
{
	struct b_stats r = b_ratio_of(op->ns[V_EMU], op->ns[V_O32], ROUNDS);
	char what[160], note[512];

	snprintf(what, sizeof(what), "%s: emucompat_ioctl32 / real 32-bit process", op->row);
	/*
	 * The breakdown: the excess per call, and what the fixed part of the
	 * path (null: no handler at all) costs each way.
	 */
	snprintf(note, sizeof(note),
		 "excess %.0f ns per call; the same excess with no handler at all (null): "
		 "%.0f ns (forwarded %.0f vs 32-bit %.0f ns); of the forwarded null, reaching "
		 "the module (ioctl32=0: the library call and a 64-bit ioctl on the "
		 "forwarder, or on /dev/emucompat with the request's copy-in where there "
		 "is no forwarder) takes %.0f ns, a whole native 64-bit null ioctl %.0f ns; "
		 "the request path: %.0f ns per call for this ioctl",
		 med_diff(op, V_EMU, V_O32), med_diff(null, V_EMU, V_O32), med(null, V_EMU),
		 med(null, V_O32), med(null, V_EMU_OFF), med(null, V_NATIVE), med(op, V_EMU_REQ));
	b_target(id, what, r.med, 0, 1.10, note);
}

#if defined(__x86_64__)
#define FT_IOCTL "__x64_sys_ioctl __ia32_compat_sys_ioctl"
#else
#define FT_IOCTL "__arm64_sys_ioctl __arm64_compat_sys_ioctl"
#endif
#define FT_CALLS 100

/*
 * The kernel side of one variant of @op, traced: where the time of the
 * ioctl goes (the evidence behind a missed target).
 */
static void profile(struct op *op, int v, const char *title)
{
	static struct ft_profile prof;
	long ret;
	int err;

	if (ft_record())
		return;
	if (v == V_O32)
		o32_batch(op, FT_CALLS, &ret, &err);
	else
		emu_batch(v == V_EMU_REQ ? ec_req : ec, op->cmd, op->arg32, op, FT_CALLS, &ret,
			  &err);
	if (ft_collect(&prof))
		return;
	ft_print(title, &prof, 0.05);
}

/* ---- first call in a fresh thread (allocates the pivot stack on 5.10) ---- */

struct first_arg {
	int fd;
	uint32_t arg32;
	double first, second;
};

static void *first_fn(void *p)
{
	struct first_arg *a = p;
	uint64_t t0, t1, t2;

	t0 = b_now();
	if (emucompat_ioctl32(ec, a->fd, TCGETS, a->arg32) < 0)
		b_die("emucompat_ioctl32 in a fresh thread");
	t1 = b_now();
	if (emucompat_ioctl32(ec, a->fd, TCGETS, a->arg32) < 0)
		b_die("emucompat_ioctl32 in a fresh thread");
	t2 = b_now();
	a->first = (double)(t1 - t0);
	a->second = (double)(t2 - t1);
	return NULL;
}

static void first_calls(int fd, uint32_t arg32, int pivot)
{
	double first[FIRST_THREADS], second[FIRST_THREADS];
	struct b_stats sf, ss, r;
	char a[64], b[64], c[64];
	int i;

	for (i = 0; i < FIRST_THREADS; i++) {
		struct first_arg fa = { .fd = fd, .arg32 = arg32 };
		pthread_t t;

		if (pthread_create(&t, NULL, first_fn, &fa) || pthread_join(t, NULL))
			b_die("pthread_create");
		first[i] = fa.first;
		second[i] = fa.second;
	}
	sf = b_stats_of(first, FIRST_THREADS);
	ss = b_stats_of(second, FIRST_THREADS);
	r = b_ratio_of(first, second, FIRST_THREADS);
	b_csv("1", "ioctl-first", "TCGETS, first call in a thread", "first", "second", "ns", 1,
	      &sf, &r);
	b_csv("1", "ioctl-first", "TCGETS, first call in a thread", "second", NULL, "ns", 1, &ss,
	      NULL);
	b_md("Stack pivot, one-time cost: the first emucompat_ioctl32() (TCGETS) in a fresh "
	     "thread %s, against its second call (us, median and IQR over %d threads): "
	     "first %s, second %s, first / second %s; i.e. %.1f us once per thread.",
	     pivot ? "maps the thread's 64 KiB pivot stack" :
	     "(no pivot stack on this kernel: the two should be alike)",
	     FIRST_THREADS, b_fmt(a, sizeof(a), &sf, 1000), b_fmt(b, sizeof(b), &ss, 1000),
	     b_fmt_ratio(c, sizeof(c), &r), (sf.med - ss.med) / 1000);
	b_md("");
}

int main(int argc, char **argv)
{
	struct emucompat_info info;
	struct op ops[6];
	int nullfd, ptm, pts, sock, rtc, ctl, cpu, i, nops = 0;
	int o_null, o_tcgets, o_rtc = -1, o_ifconf, o_ifflags, o_elem = -1;
	static struct snd_ctl_elem_value elem64;
	char self_dir[512], *slash;
	struct b32_ifreq *ifr32, *ifc32_buf;
	struct b32_ifconf *ifc32;
	static struct ifreq ifr64, ifc64_buf[8];
	static struct ifconf ifc64;
	static struct termios tio64;
	static unsigned long freq64;
	char *low;
	int pivot;

	(void)argc;
	snprintf(self_dir, sizeof(self_dir), "%s", argv[0]);
	slash = strrchr(self_dir, '/');
	if (slash)
		*slash = 0;
	else
		strcpy(self_dir, ".");

	cpu = b_pin();
	ec = emucompat_open();
	if (!ec)
		b_die("emucompat_open");
	if (emucompat_info(ec, &info))
		b_die("emucompat_info");
	pivot = !!(info.flags & EMUCOMPAT_INFO_NEEDS_PIVOT);
	if (!(info.caps & EMUCOMPAT_CAP_IOCTL32))
		b_die("no EMUCOMPAT_CAP_IOCTL32");
	ec_req = emucompat_open();
	if (!ec_req)
		b_die("emucompat_open");
	pt_use_request_path(ec_req);
	ec_named = emucompat_open();
	ec_foreign = emucompat_open();
	if (!ec_named || !ec_foreign || emucompat_set_guest_abi(ec_named, B_KERNEL_ABI) ||
	    emucompat_set_guest_abi(ec_foreign, B_FOREIGN_ABI))
		b_die("handles with guest ABIs");

	nullfd = open("/dev/null", O_RDWR);
	ptm = posix_openpt(O_RDWR | O_NOCTTY);
	if (nullfd < 0 || ptm < 0 || grantpt(ptm) || unlockpt(ptm))
		b_die("pty");
	pts = open(ptsname(ptm), O_RDWR | O_NOCTTY);
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (pts < 0 || sock < 0)
		b_die("pty slave / socket");
	rtc = open("/dev/rtc0", O_RDONLY);
	if (rtc < 0)
		printf("# no /dev/rtc0 (%s): no RTC row\n", strerror(errno));
	ctl = open("/dev/snd/controlC0", O_RDWR);
	if (ctl < 0)
		printf("# no /dev/snd/controlC0 (%s): no ELEM_READ row\n", strerror(errno));

	/*
	 * The 32-bit arguments: one page where a 32-bit process could have
	 * it, below compat_task_size (arm64: 4 GiB - 4 KiB, kuser helpers).
	 */
	low = emucompat_mmap_range(ec, 0x10000, info.compat_task_size, 8192,
				   PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (low == MAP_FAILED)
		b_die("low page");
	ifr32 = (struct b32_ifreq *)low;
	strcpy(ifr32->name, "lo");
	ifc32 = (struct b32_ifconf *)(low + 64);
	ifc32_buf = (struct b32_ifreq *)(low + 128);
	ifc32->len = 8 * sizeof(*ifc32_buf);
	ifc32->buf = (uint32_t)(uintptr_t)ifc32_buf;
	strcpy(ifr64.ifr_name, "lo");
	ifc64.ifc_len = sizeof(ifc64_buf);
	ifc64.ifc_req = ifc64_buf;

	/*
	 * ELEM_READ of numid 1, the first control (numid at offset 0 in every
	 * layout): low + 4096 in the other 32-bit ABI's layout, low + 5120 in
	 * the kernel's (the mapping is fresh: zeroes around it).
	 */
	low[4096] = 1;
	low[5120] = 1;
	elem64.id.numid = 1;

	o32_start(self_dir, nullfd, pts, sock, rtc, ctl);

	memset(ops, 0, sizeof(ops));
	o_null = nops;
	ops[nops++] = (struct op){ .name = "null", .row = "null (/dev/null, ENOTTY)",
				   .fd = nullfd, .cmd = TCGETS,
				   .arg32 = (uint32_t)(uintptr_t)(low + 2048), .arg64 = &tio64,
				   .cmd_foreign = TCGETS,
				   .arg_foreign = (uint32_t)(uintptr_t)(low + 2048),
				   .vmask = VM_BASE | VM(V_EMU_OFF) | VM(V_NAMED) | VM(V_FOREIGN) };
	o_tcgets = nops;
	ops[nops++] = (struct op){ .name = "tcgets", .row = "TCGETS (pty)", .fd = pts,
				   .cmd = TCGETS, .arg32 = (uint32_t)(uintptr_t)(low + 2048),
				   .arg64 = &tio64, .vmask = VM_BASE };
	if (rtc >= 0) {
		o_rtc = nops;
		ops[nops++] = (struct op){ .name = "rtc", .row = "RTC_IRQP_READ (rtc0)",
					   .fd = rtc, .cmd = B_RTC_IRQP_READ32,
					   .cmd64 = RTC_IRQP_READ,
					   .arg32 = (uint32_t)(uintptr_t)(low + 3072),
					   .arg64 = &freq64, .vmask = VM_BASE };
	}
	o_ifconf = nops;
	ops[nops++] = (struct op){ .name = "ifconf", .row = "SIOCGIFCONF (UDP socket)",
				   .fd = sock, .cmd = SIOCGIFCONF,
				   .arg32 = (uint32_t)(uintptr_t)ifc32, .arg64 = &ifc64,
				   .vmask = VM_BASE };
	o_ifflags = nops;
	ops[nops++] = (struct op){ .name = "ifflags",
				   .row = pivot ? "SIOCGIFFLAGS (pivot: compat_alloc_user_space)" :
						  "SIOCGIFFLAGS",
				   .fd = sock, .cmd = SIOCGIFFLAGS,
				   .arg32 = (uint32_t)(uintptr_t)ifr32, .arg64 = &ifr64,
				   .vmask = VM_BASE };

	if (ctl >= 0) {
		o_elem = nops;
		ops[nops++] = (struct op){ .name = "elemread",
					   .row = "SNDRV_CTL_IOCTL_ELEM_READ (controlC0)",
					   .fd = ctl, .cmd = B_ELEM_READ32,
					   .cmd64 = SNDRV_CTL_IOCTL_ELEM_READ,
					   .arg32 = (uint32_t)(uintptr_t)(low + 5120),
					   .arg64 = &elem64, .cmd_foreign = B_FOREIGN_ELEM_READ,
					   .arg_foreign = (uint32_t)(uintptr_t)(low + 4096),
					   .vmask = VM_BASE | VM(V_NAMED) | VM(V_FOREIGN) };
	}
	printf("# b_ioctl: kernel %s %s, pinned to cpu %d, pivot %s, %d rounds\n", b_kernel(),
	       b_arch(), cpu, pivot ? "yes" : "no", ROUNDS);
	for (i = 0; i < nops; i++) {
		measure(&ops[i]);
		printf("# measured %s (%ld calls per batch)\n", ops[i].row, ops[i].iters);
	}

	b_md("### 1. Compat ioctl: per-call latency (us, median and IQR over %d rounds)", ROUNDS);
	b_md("");
	b_md("*emucompat_ioctl32*: the fastest path the module offers (%s); *request "
	     "path*: the same call through EMUCOMPAT_IOC_IOCTL32 and its copied-in struct.",
	     pt_ec_fwd(ec) >= 0 ? "the forwarding descriptor" :
				  "the request ioctl: no forwarder here");
	b_md("");
	b_md("| ioctl | real 32-bit process | emucompat_ioctl32 | request path | native 64-bit | "
	     "emucompat / 32-bit | request path / 32-bit | native / 32-bit |");
	b_md("|---|---|---|---|---|---|---|---|");
	for (i = 0; i < nops; i++)
		report(&ops[i]);
	{
		struct op *n = &ops[o_null];
		struct b_stats s = b_stats_of(n->ns[V_EMU_OFF], ROUNDS);
		struct b_stats r = b_ratio_of(n->ns[V_EMU_OFF], n->ns[V_O32], ROUNDS);
		char a[64], b[64];

		b_csv("1", "ioctl", n->row, vname[V_EMU_OFF], "o32", "ns", n->iters, &s, &r);
		b_md("| null, module ioctl32=0 (reaching the module only) | | %s | | | %s | | |",
		     b_fmt(a, sizeof(a), &s, 1000), b_fmt_ratio(b, sizeof(b), &r));
	}
	b_md("");

	b_md("### 1b. Guest ABIs: the kernel's own named, and the other 32-bit ABI (us, median and IQR over %d rounds)",
	     ROUNDS);
	b_md("");
	b_md("Same guest, same rounds as section 1. *kernel's ABI named*: a handle with "
	     "`emucompat_set_guest_abi(ec, %s)`, which must cost what the default handle costs. "
	     "*other ABI*: a handle set to %s, the request in that ABI's layout.",
	     B_KERNEL_ABI == EMUCOMPAT_ABI_I386 ? "EMUCOMPAT_ABI_I386" : "EMUCOMPAT_ABI_ARM",
	     B_FOREIGN_ABI == EMUCOMPAT_ABI_I386 ? "EMUCOMPAT_ABI_I386" : "EMUCOMPAT_ABI_ARM");
	b_md("");
	b_md("| ioctl | real 32-bit process | emucompat_ioctl32 | kernel's ABI named | other ABI | "
	     "named / default | default / 32-bit | other ABI / 32-bit |");
	b_md("|---|---|---|---|---|---|---|---|");
	report_abi(&ops[o_null], "table miss");
	if (o_elem >= 0)
		report_abi(&ops[o_elem], "translated");
	else
		b_md("| SNDRV_CTL_IOCTL_ELEM_READ | (no /dev/snd/controlC0 in this guest) | | | | | | |");
	b_md("");

	first_calls(pts, (uint32_t)(uintptr_t)(low + 2048), pivot);

	target("ioctl-null", &ops[o_null], &ops[o_null]);
	target("ioctl-tcgets", &ops[o_tcgets], &ops[o_null]);
	if (o_rtc >= 0)
		target("ioctl-rtc", &ops[o_rtc], &ops[o_null]);
	target("ioctl-ifconf", &ops[o_ifconf], &ops[o_null]);
	target(pivot ? "ioctl-pivot" : "ioctl-ifflags", &ops[o_ifflags], &ops[o_null]);

	if (ft_available() && !ft_begin(FT_IOCTL, 6)) {
		b_md("Kernel-side profile (function_graph tracer, %d calls each): the "
		     "extra work of the forwarded path is visible next to the 32-bit one.",
		     FT_CALLS);
		b_md("");
		profile(&ops[o_null], V_EMU, "emucompat_ioctl32, null (ENOTTY)");
		profile(&ops[o_null], V_EMU_REQ, "request path, null (ENOTTY)");
		profile(&ops[o_null], V_O32, "real 32-bit process, null (ENOTTY)");
		profile(&ops[o_tcgets], V_EMU, "emucompat_ioctl32, TCGETS");
		profile(&ops[o_tcgets], V_O32, "real 32-bit process, TCGETS");
		ft_end();
	} else {
		b_md("(No kernel-side profile: boot with ectest.profile=1, e.g. "
		     "`EMUCOMPAT_APPEND=ectest.profile=1 make bench`, for function_graph "
		     "call trees of both paths.)");
		b_md("");
	}

	fprintf(o32_in, "q\n");
	fclose(o32_in);
	waitpid(o32_pid, NULL, 0);
	emucompat_close(ec_foreign);
	emucompat_close(ec_named);
	emucompat_close(ec_req);
	emucompat_close(ec);
	return 0;
}
