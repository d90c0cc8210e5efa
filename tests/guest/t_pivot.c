// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_pivot - the low-stack pivot of EMUCOMPAT_IOC_IOCTL32 on kernels that
 * still have compat_alloc_user_space() (5.10), through the raw uapi with
 * a stack of our own: the helper carves inside it, the handler sees it as
 * the user SP, the real SP is back after the call and before a signal
 * frame is built; bad pivot_sp values are refused.  On newer kernels a
 * pivot_sp is refused and the pivot tests skip.  On every kernel a
 * forwarded SIOCGIFFLAGS on "lo" goes through libemucompat.  A kernel
 * that needs the pivot has no forwarding descriptor (EOPNOTSUPP, the
 * capability clear); the rest of this test is the request path's.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe_util.h"
#include "range_util.h"

#define ALLOC_LEN	256
#define STACK_FILL	0x5a
#define ALLOC_FILL	0xc3
#define WAIT_POLLS	10000	/* x 2 ms */

static struct emucompat *ec;
static struct emucompat_info info;
static int ecfd;	/* our own descriptor of /dev/emucompat */
static int pfd;
static void *low;	/* one page below 4 GiB for the probe's structs */

static long raw_ioctl32(int fd, unsigned int cmd, uint32_t arg, uint64_t sp)
{
	return pt_raw_ioctl32(ecfd, fd, cmd, arg, sp, 0, 0);
}

/*
 * The library's first forwarded call in a process whose low 4 GiB are
 * still empty at the top: its own pivot stack must still be acceptable
 * (pivot_sp below 4 GiB).  Run before anything else maps low memory.
 */
static void check_library_first_call(void)
{
	struct probe_state *s;
	long r;

	s = emucompat_mmap_range(ec, 0x10000, 3ULL << 30, 4096,
				 PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED)
		tap_bail("emucompat_mmap_range below 3 GiB: %s", strerror(errno));
	memset(s, 0xff, sizeof(*s));
	errno = 0;
	r = emucompat_ioctl32(ec, pfd, PROBE_STATE, pt_u32(s));
	tap_ok(r == 0 && s->in_compat == 1,
	      "library: first forwarded call, top of the low 4 GiB free: %ld %s (handler sp %#llx)",
	      r, r ? strerrorname_np(errno) : "ok",
	      (unsigned long long)s->user_sp);
	munmap(s, 4096);
}

static void check_raw_info(void)
{
	struct emucompat_info ri;

	long r;

	memset(&ri, 0, sizeof(ri));
	ri.size = sizeof(ri);
	r = ioctl(ecfd, EMUCOMPAT_IOC_INFO, &ri);
	tap_ok(r == 0 && ri.flags == info.flags &&
	      ri.pivot_stack_size == info.pivot_stack_size,
	      "raw EMUCOMPAT_IOC_INFO agrees with the library (flags %#x)",
	      ri.flags);
	tap_ok(!!(info.flags & EMUCOMPAT_INFO_NEEDS_PIVOT) ==
	      !!info.pivot_stack_size,
	      "pivot_stack_size %u is nonzero exactly with NEEDS_PIVOT",
	      info.pivot_stack_size);
}

/*
 * The forwarding descriptor has no room for a pivot stack: a kernel that
 * needs one gets none (EOPNOTSUPP, EMUCOMPAT_CAP_FORWARDER clear); the
 * others get one.  The library then forwards on the request path, which
 * this test uses throughout.
 */
static void check_no_forwarder_with_pivot(void)
{
	int fwd;

	errno = 0;
	fwd = pt_fwd_open(ecfd, EMUCOMPAT_FORWARDER_CLOEXEC);
	if (info.flags & EMUCOMPAT_INFO_NEEDS_PIVOT) {
		tap_ok(fwd == -1 && errno == EOPNOTSUPP && !(info.caps & EMUCOMPAT_CAP_FORWARDER),
		       "NEEDS_PIVOT: EMUCOMPAT_IOC_FORWARDER refused with EOPNOTSUPP (%d %s), "
		       "EMUCOMPAT_CAP_FORWARDER clear (caps %#llx)", fwd,
		       fwd < 0 ? strerrorname_np(errno) : "-", (unsigned long long)info.caps);
		tap_ok(pt_ec_fwd(ec) < 0, "NEEDS_PIVOT: the library has no forwarder (%d)",
		       pt_ec_fwd(ec));
	} else {
		tap_ok(fwd >= 0 && (info.caps & EMUCOMPAT_CAP_FORWARDER),
		       "no NEEDS_PIVOT: EMUCOMPAT_IOC_FORWARDER gives a descriptor (%d %s), "
		       "EMUCOMPAT_CAP_FORWARDER set (caps %#llx)", fwd,
		       fwd < 0 ? strerrorname_np(errno) : "-", (unsigned long long)info.caps);
		tap_ok(pt_ec_fwd(ec) >= 0, "no NEEDS_PIVOT: the library has a forwarder (%d)",
		       pt_ec_fwd(ec));
	}
	if (fwd >= 0)
		close(fwd);
}

/* Does the kernel have compat_alloc_user_space()?  Ask the probe. */
static void check_flag_matches_kernel(uint64_t top, void *base)
{
	struct probe_alloc *a = low;
	int needs = !!(info.flags & EMUCOMPAT_INFO_NEEDS_PIVOT);
	long r;

	memset(a, 0, sizeof(*a));
	a->len = ALLOC_LEN;
	a->pattern = ALLOC_FILL;
	a->lo = (uintptr_t)base;
	a->hi = top;
	errno = 0;
	r = raw_ioctl32(pfd, PROBE_ALLOC_USER, pt_u32(a), needs ? top : 0);
	if (needs)
		tap_ok(r == 0 || errno != EOPNOTSUPP,
		      "NEEDS_PIVOT: the kernel has compat_alloc_user_space() (probe: %s)",
		      r ? strerrorname_np(errno) : "ok");
	else
		pt_errno(r, EOPNOTSUPP,
			 "no NEEDS_PIVOT: the kernel has no compat_alloc_user_space() (probe)");
}

static void check_alloc_in_pivot(uint64_t top, unsigned char *base, size_t size)
{
	struct probe_alloc *a = low;
	uint64_t addr, want;
	size_t i, bad_in = 0, bad_out = 0;
	long r;

	memset(base, STACK_FILL, size);
	memset(a, 0, sizeof(*a));
	a->len = ALLOC_LEN;
	a->pattern = ALLOC_FILL;
	a->lo = (uintptr_t)base;
	a->hi = top;
	errno = 0;
	r = raw_ioctl32(pfd, PROBE_ALLOC_USER, pt_u32(a), top);
	addr = a->addr;
	tap_ok(r == 0, "forwarded PROBE_ALLOC_USER with our pivot returns 0 (%ld %s, addr %#llx)",
	      r, r ? strerrorname_np(errno) : "-", (unsigned long long)addr);
	tap_ok(a->user_sp == top, "handler's user sp %#llx == our pivot_sp %#llx",
	      (unsigned long long)a->user_sp, (unsigned long long)top);
	tap_ok(addr >= (uintptr_t)base && addr + ALLOC_LEN <= top,
	      "compat_alloc_user_space() = %#llx inside the pivot stack [%p, %#llx)",
	      (unsigned long long)addr, base, (unsigned long long)top);
	if (info.arch == EMUCOMPAT_ARCH_X86_64)
		want = (top - 128 - ALLOC_LEN) & ~15ULL;
	else
		want = top - ALLOC_LEN;
	tap_diag("expected compat_alloc_user_space() = %#llx", (unsigned long long)want);
	if (r != 0 || addr < (uintptr_t)base || addr + ALLOC_LEN > top)
		return;
	for (i = 0; i < size; i++) {
		uint64_t at = (uintptr_t)base + i;
		int inside = at >= addr && at < addr + ALLOC_LEN;

		if (inside && base[i] != ALLOC_FILL)
			bad_in++;
		if (!inside && base[i] != STACK_FILL)
			bad_out++;
	}
	tap_ok(bad_in == 0, "the handler's writes landed in the pivot stack (%zu bytes missing)",
	      bad_in);
	tap_ok(bad_out == 0, "nothing else in the pivot stack changed (%zu bytes)",
	      bad_out);
}

static void check_state_sp(uint64_t top)
{
	struct probe_state *s = low;
	struct probe_state n;
	uintptr_t here = (uintptr_t)&n;
	long r;

	memset(s, 0xff, sizeof(*s));
	r = raw_ioctl32(pfd, PROBE_STATE, pt_u32(s), top);
	tap_ok(r == 0 && s->user_sp == top && s->in_compat == 1,
	      "forwarded PROBE_STATE: sp %#llx == pivot_sp %#llx, in_compat %u",
	      (unsigned long long)s->user_sp, (unsigned long long)top,
	      s->in_compat);
	pt_native_state(pfd, &n);
	tap_ok(n.user_sp >= PT_4G && n.user_sp < here + 4096 &&
	      here - n.user_sp < 65536,
	      "after the call the native sp %#llx is the thread's own stack (near %#llx)",
	      (unsigned long long)n.user_sp, (unsigned long long)here);
}

static void check_bad_pivots(uint64_t top)
{
	struct probe_state *s = low;

	errno = 0;
	pt_errno(raw_ioctl32(pfd, PROBE_STATE, pt_u32(s), 0), EINVAL,
		 "NEEDS_PIVOT: pivot_sp 0");
	pt_errno(raw_ioctl32(pfd, PROBE_STATE, pt_u32(s), PT_4G), EINVAL,
		 "pivot_sp = 4 GiB");
	pt_errno(raw_ioctl32(pfd, PROBE_STATE, pt_u32(s), PT_4G + top), EINVAL,
		 "pivot_sp above 4 GiB");
	pt_errno(raw_ioctl32(pfd, PROBE_STATE, pt_u32(s), top - 8), EINVAL,
		 "pivot_sp not 16-byte aligned");
	pt_errno(raw_ioctl32(pfd, PROBE_STATE, pt_u32(s), top - 1), EINVAL,
		 "pivot_sp odd");
	pt_errno(raw_ioctl32(pfd, PROBE_ALLOC_USER, pt_u32(s), 0), EINVAL,
		 "PROBE_ALLOC_USER without a pivot is refused before the handler");
}

/* A pivoted call sleeping in the handler, interrupted by a signal. */
static volatile sig_atomic_t sig_count;
static volatile uintptr_t sig_sp;

static void on_sigusr1(int sig)
{
	int local;

	(void)sig;
	sig_count++;
	sig_sp = (uintptr_t)&local;
}

struct sleeper {
	uint64_t top;
	pid_t tid;
	int started, done;
	long ret;
	int err;
	struct probe_state after;
	uintptr_t stack_here;
};

static void *sleeper_main(void *arg)
{
	struct sleeper *s = arg;

	s->tid = pt_gettid();
	s->stack_here = (uintptr_t)&arg;
	__atomic_store_n(&s->started, 1, __ATOMIC_SEQ_CST);
	errno = 0;
	s->ret = raw_ioctl32(pfd, PROBE_SLEEP, 20000, s->top);
	s->err = errno;
	pt_native_state(pfd, &s->after);
	__atomic_store_n(&s->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static int wait_sleep_entries(struct sleeper *s, unsigned int entries)
{
	return pt_wait_asleep(pfd, s->tid, &s->done, entries);
}

static void check_signal_restores_sp(void)
{
	struct probe_last l0;
	struct sigaction sa;
	struct sleeper s;
	size_t size;
	void *base;
	pthread_t th;
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);

	memset(&s, 0, sizeof(s));
	s.top = pt_pivot_stack(ec, &info, &base, &size);
	pt_probe_last(pfd, &l0);
	if (pthread_create(&th, NULL, sleeper_main, &s))
		tap_bail("pthread_create");
	while (!__atomic_load_n(&s.started, __ATOMIC_SEQ_CST))
		pt_msleep(1);
	tap_ok(wait_sleep_entries(&s, l0.entries + 1),
	      "pivoted PROBE_SLEEP: the thread sleeps in the handler");
	syscall(SYS_tgkill, getpid(), s.tid, SIGUSR1);
	tap_ok(wait_sleep_entries(&s, l0.entries + 2),
	      "pivoted PROBE_SLEEP restarted after SA_RESTART signal");
	ioctl(pfd, PROBE_WAKE, 0);
	for (i = 0; i < WAIT_POLLS && !__atomic_load_n(&s.done, __ATOMIC_SEQ_CST); i++)
		pt_msleep(2);
	if (!s.done)
		ioctl(pfd, PROBE_WAKE, 0);
	pthread_join(th, NULL);
	tap_ok(sig_count == 1 && sig_sp >= PT_4G,
	      "signal frame built on the thread's own stack %#llx, not the pivot (%d signals)",
	      (unsigned long long)sig_sp, (int)sig_count);
	tap_ok(s.ret == 1, "restarted pivoted call returns 1 after PROBE_WAKE (ret %ld %s)",
	      s.ret, strerrorname_np(s.err));
	tap_ok(s.after.user_sp >= PT_4G && s.stack_here - s.after.user_sp < 65536,
	      "after the restarted call the thread's sp %#llx is its own",
	      (unsigned long long)s.after.user_sp);
	munmap(base, size);
}

/* struct ifreq of the 32-bit ABI: 16 bytes of name, a 16-byte union. */
#define IFREQ32_SIZE	32

static void check_siocgifflags(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *two, *ifr32;
	struct ifreq ifr;
	int16_t flags32;
	int sock;
	long r;

	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0) {
		tap_skip("not applicable here", "socket(AF_INET): %s", strerror(errno));
		return;
	}
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(sock, SIOCGIFFLAGS, &ifr)) {
		tap_skip("not applicable here", "native SIOCGIFFLAGS on lo: %s", strerror(errno));
		close(sock);
		return;
	}

	/* The compat ifreq ends a page; the next page is a hole. */
	two = pt_low_map(ec, 2 * pg);
	munmap(two + pg, pg);
	ifr32 = two + pg - IFREQ32_SIZE;
	memset(two, 0xee, pg);
	memset(ifr32, 0, IFREQ32_SIZE);
	strcpy((char *)ifr32, "lo");
	errno = 0;
	r = emucompat_ioctl32(ec, sock, SIOCGIFFLAGS, pt_u32(ifr32));
	memcpy(&flags32, ifr32 + 16, sizeof(flags32));
	tap_ok(r == 0, "library: forwarded SIOCGIFFLAGS on lo returns 0 (%ld %s)",
	      r, r ? strerrorname_np(errno) : "-");
	tap_ok(r == 0 && flags32 == ifr.ifr_flags && (flags32 & IFF_LOOPBACK),
	      "32-bit ifreq flags %#x == native %#x, IFF_LOOPBACK set",
	      (unsigned int)(uint16_t)flags32,
	      (unsigned int)(uint16_t)ifr.ifr_flags);
	tap_diag("lo flags %#x (IFF_UP %s)", (unsigned int)(uint16_t)flags32,
		flags32 & IFF_UP ? "set" : "clear");
	tap_ok(two[pg - IFREQ32_SIZE - 1] == 0xee,
	      "nothing written before the 32-bit ifreq");
	munmap(two, pg);
	close(sock);
}

/*
 * The library's pivot stacks: allocated on a thread's first forwarded call,
 * below the compat TASK_SIZE, and unmapped when the thread exits.
 */
struct lib_thread {
	uint64_t sp;		/* user sp the handler saw */
	int maps_before, maps_after;
	long r;
};

static void *lib_thread_main(void *arg)
{
	struct lib_thread *t = arg;
	struct probe_state *st = low;

	t->maps_before = pt_count_maps();
	t->r = emucompat_ioctl32(ec, pfd, PROBE_STATE, pt_u32(st));
	t->sp = st->user_sp;
	t->maps_after = pt_count_maps();
	return NULL;
}

static void check_library_pivot_lifetime(void)
{
	struct lib_thread t = { 0 };
	pthread_t th;

	pthread_create(&th, NULL, lib_thread_main, &t);
	pthread_join(th, NULL);
	tap_ok(t.r == 0 && t.sp && t.sp <= info.compat_task_size &&
	       t.maps_after >= t.maps_before,
	       "library: a new thread's first forwarded call runs on a fresh low stack (sp %#llx)",
	       (unsigned long long)t.sp);
	tap_ok(!range_touched(t.sp - 1, 1), "library: that pivot stack is unmapped after the thread exits");
}

int main(void)
{
	size_t size;
	void *base;
	uint64_t top;

	ec = pt_open_ec(&info);
	pfd = pt_open_probe();
	LX_NEED_CAP(info.caps, IOCTL32);
	if (info.flags & EMUCOMPAT_INFO_SECCOMP_REFUSED)
		tap_skip_all("running under seccomp: ioctl32 refused");
	check_library_first_call();
	ecfd = open("/dev/" EMUCOMPAT_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (ecfd < 0)
		tap_bail("open /dev/emucompat: %s", strerror(errno));
	low = pt_low_map(ec, 4096);
	memset(low, 0, 4096);
	top = pt_pivot_stack(ec, &info, &base, &size);
	tap_diag("pivot stack [%p, %#llx), %zu bytes", base,
		(unsigned long long)top, size);

	check_raw_info();
	check_no_forwarder_with_pivot();
	check_flag_matches_kernel(top, base);
	if (info.flags & EMUCOMPAT_INFO_NEEDS_PIVOT) {
		check_alloc_in_pivot(top, base, size);
		check_state_sp(top);
		check_bad_pivots(top);
		check_signal_restores_sp();
		check_library_pivot_lifetime();
	} else {
		struct probe_state *s = low;
		long r;

		pt_errno(raw_ioctl32(pfd, PROBE_STATE, pt_u32(s), top), EINVAL,
			 "no pivot needed: a nonzero pivot_sp");
		r = raw_ioctl32(pfd, PROBE_STATE, pt_u32(s), 0);
		tap_ok(r == 0 && s->in_compat == 1 && s->user_sp >= PT_4G,
		      "no pivot needed: pivot_sp 0 works, handler sees the real sp %#llx",
		      (unsigned long long)s->user_sp);
		tap_skip("not applicable here", "compat_alloc_user_space() lands in the pivot stack: kernel has none");
		tap_skip("not applicable here", "handler sees sp == pivot_sp: kernel needs no pivot");
		tap_skip("not applicable here", "bad pivot_sp values: kernel needs no pivot");
		tap_skip("not applicable here", "signal during a pivoted call: kernel needs no pivot");
		tap_skip("not applicable here", "library pivot stacks: kernel needs no pivot");
		tap_skip("not applicable here", "library pivot stacks freed at thread exit: none");
	}
	check_siocgifflags();

	munmap(base, size);
	close(ecfd);
	emucompat_close(ec);
	return tap_done();
}
