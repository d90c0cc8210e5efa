// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_lib - host-side unit tests of libemucompat's guest-facing code, under
 * AddressSanitizer and UBSan, without the module (make check-lib; x86-64).
 *
 * The library's sources are compiled into this program; the kernel is a
 * fake ioctl function (emucompat_set_ioctl_fn()) standing in for the
 * forwarding descriptor and the i386 compat layer, and the ranged mmap is
 * a MAP_32BIT mapping.  The guest is ARM (the foreign ABI on x86-64).
 * What is tested is what a hostile or unlucky guest can do to the library:
 *   - byte-exact write-back: the high half of a 64-bit-time tv_nsec and
 *     the padding only the ARM layout has (VIDIOC_DQEVENT and
 *     VIDIOC_QUERYBUF with 64-bit time: zeroed, as on arm64);
 *   - guest ranges reaching above the compat TASK_SIZE: EFAULT, the
 *     "kernel" never called;
 *   - SIOCETHTOOL: a guest thread flipping the sub-command and rule_cnt
 *     during the call; the kernel's copy must always be one the library
 *     sized the bounce area for;
 *   - a call nested in a signal handler that needs a larger bounce area
 *     than the interrupted one;
 *   - a pthread-key destructor calling the library after the library's own
 *     thread destructor ran;
 *   - emucompat_set_lowmem_fns(): its functions used, guards asked for,
 *     memory placed too high refused, EINVAL;
 *   - the policy for commands without a row: known identical (exact, of
 *     any size, a number family) unchanged, unknown ENOTTY (EBADF first)
 *     and never seen by the kernel unless EMUCOMPAT_ABI_PASS_UNKNOWN,
 *     refused EOPNOTSUPP; the 0.4 version of emucompat_set_guest_abi()
 *     passing unknown commands and refusing flags;
 *   - DRM_IOCTL_MODE_GETFB2, which x86-64 has no compat code for: an i386
 *     one through the LP64 layout, an ARM one unchanged.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

/*
 * -DT_LIB_OLD -I<old userlib>: the same tests against a library from before
 * emucompat_set_lowmem_fns() (to see them fail there); its tests left out.
 */
#include "abi.c"
#include "thread.c"
#include "ioctl32.c"
#include "handle.c"

#include "common_tap.h"

#if !defined(__x86_64__)
int main(void)
{
	tap_skip_all("the fake kernel speaks i386: an x86-64 host only");
}
#else

#define FAKE_FWD	1000
static int fake_fd = -1;	/* the guest's descriptor: /dev/null, as good as any */
#define FAKE_FD		fake_fd
/*
 * The compat TASK_SIZE of the fake kernel: x86-64's is 0xffffe000, but
 * AddressSanitizer reserves the memory around 2-4 GiB for itself; the
 * library takes it from the handle's info, so a lower one tests the same.
 */
#define TASK32		0x60000000u

#define ARM_DQEVENT_T64	0x80885659u
#define I386_DQEVENT_T64 0x80805659u
#define ETH_GRXRINGS	0x2du
#define ETH_GRXCLSRLALL	0x30u
#define I386_RXNFC_FLEX	180u	/* rule_locs[] in i386's struct ethtool_rxnfc */
#define ARM_RXNFC_FLEX	188u

static struct emucompat *ec;
static volatile int kernel_calls;
static volatile int kernel_bad;		/* the kernel's copy asked for more than was there */
static char kernel_why[200];

/* the bounce area this thread's calls use now (thread.c's state) */
static volatile int in_nested;

static int in_bounce(uint64_t addr, uint64_t len)
{
	struct ec_thread *t = ec_tls;
	uint64_t b, e;

	if (in_nested)	/* a nested call's own area: the guard pages tell */
		return 1;
	if (!t || !t->bounce.base)
		return 0;
	b = (uint64_t)(uintptr_t)t->bounce.base;
	e = b + t->bounce.size;
	return addr >= b && addr + len <= e;
}

/* writable for the kernel: process_vm_writev() of zeros, as copy_to_user() */
static int kernel_can_write(uint64_t addr, size_t len)
{
	static char zeros[65536];
	struct iovec l, r;

	while (len) {
		size_t n = len < sizeof(zeros) ? len : sizeof(zeros);

		l.iov_base = zeros;
		l.iov_len = n;
		r.iov_base = (void *)(uintptr_t)addr;
		r.iov_len = n;
		if (process_vm_writev(getpid(), &l, 1, &r, 1, 0) != (ssize_t)n)
			return 0;
		addr += n;
		len -= n;
	}
	return 1;
}

static void (*kernel_hook)(void);

/* the i386 compat layer, as far as these tests need it */
static long fake_kernel_do(int fd, unsigned long req, unsigned long arg)
{
	uint32_t a = (uint32_t)arg;
	uint8_t *p = (uint8_t *)(uintptr_t)a;

	kernel_calls++;
	if (fd != FAKE_FWD || (int)(arg >> 32) != FAKE_FD) {
		errno = EBADF;
		return -1;
	}
	switch (req) {
	case I386_DQEVENT_T64: {
		uint64_t sec = 1234, nsec = 567890123;

		/* struct v4l2_event32 of x86's compat code: 64-bit tv_nsec */
		memset(p, 0, 128);
		p[0] = 3;
		memcpy(p + 76, &sec, 8);
		memcpy(p + 84, &nsec, 8);
		return 0;
	}
	case 0x80044501u:	/* EVIOCGVERSION */
		memcpy(p, &(uint32_t){ 0x10001 }, 4);
		return 0;
	case 0xc06864ceu: {	/* GETFB2, LP64: drm_ioctl()'s native struct */
		uint64_t mod = 0x0100000000000001ull;

		memcpy(p + 4, &(uint32_t){ 64 }, 4);
		memset(p + 72, 0, 32);
		memcpy(p + 72, &mod, 8);
		return 0;
	}
	case 0x80404506u:	/* EVIOCGNAME(64) */
	case 0x80184540u:	/* EVIOCGABS(ABS_X) */
	case 0xc02cec01u:	/* unknown to the tables */
		p[0] = 0x77;
		return 0;
	case 0xc04c5609u:	/* VIDIOC_QUERYBUF, i386, 64-bit time: bytesused */
		p[8] = 0x42;
		return 0;
	case 0x8946u: {	/* SIOCETHTOOL: the kernel reads its own copy */
		uint32_t data, cmd, cnt, i;

		memcpy(&data, p + 16, 4);
		memcpy(&cmd, (uint8_t *)(uintptr_t)data, 4);
		if (cmd != ETH_GRXCLSRLALL)
			return 0;
		memcpy(&cnt, (uint8_t *)(uintptr_t)data + I386_RXNFC_FLEX - 4, 4);
		if (!in_bounce(data, I386_RXNFC_FLEX + (uint64_t)cnt * 4) ||
		    !kernel_can_write(data + I386_RXNFC_FLEX, (size_t)cnt * 4)) {
			snprintf(kernel_why, sizeof(kernel_why),
				 "kernel's copy: GRXCLSRLALL rule_cnt %u at %#x, past the bounce area "
				 "[%p +%zu), ifreq at %#x", cnt, data, ec_tls ? ec_tls->bounce.base : NULL,
				 ec_tls ? ec_tls->bounce.size : 0, a);
			kernel_bad = 1;
			errno = EFAULT;
			return -1;
		}
		for (i = 0; i < cnt; i++)
			memcpy((uint8_t *)(uintptr_t)data + I386_RXNFC_FLEX + 4 * i, &i, 4);
		return 0;
	}
	}
	errno = ENOTTY;
	return -1;
}

/* a free place in [lo, hi), first fit from 256 MiB up */
static void *low_mmap(uint64_t lo, uint64_t hi, size_t len, int prot, int flags)
{
	uint64_t a = lo > 0x10000000u ? lo : 0x10000000u;

	len = (len + 4095) & ~(size_t)4095;
	for (; a + len <= hi; a += 0x10000) {
		void *p = mmap((void *)(uintptr_t)a, len, prot, flags | MAP_FIXED_NOREPLACE, -1, 0);

		if (p != MAP_FAILED)
			return p;
	}
	errno = ENOMEM;
	return MAP_FAILED;
}

/*
 * The kernel's answer, then the hook: a signal arriving as the ioctl
 * returns, when the interrupted call's bounce area holds the result.
 */
static long fake_kernel(int fd, unsigned long req, unsigned long arg)
{
	long r = fake_kernel_do(fd, req, arg);
	int err = errno;

	if (kernel_hook)
		kernel_hook();
	errno = err;
	return r;
}

/* emucompat_mmap_range() without the module */
void *emucompat_mmap_range(struct emucompat *e, uint64_t lo, uint64_t hi, size_t len, int prot,
			   int flags, int fd, off_t off)
{
	(void)e;
	(void)fd;
	(void)off;
	return low_mmap(lo, hi, len, prot, flags);
}

/* guest memory: below the compat TASK_SIZE */
static uint8_t *guest_alloc(size_t len)
{
	void *p = low_mmap(0, TASK32, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);

	if (p == MAP_FAILED)
		tap_bail("guest mmap: %s", strerror(errno));
	return p;
}

static uint32_t g32(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

/* ---- byte-exact write-back --------------------------------------------- */
static void test_bytes(void)
{
	uint8_t *e = guest_alloc(4096);
	uint64_t nsec;
	long r;

	memset(e, 0xa5, 200);
	r = emucompat_ioctl32(ec, FAKE_FD, ARM_DQEVENT_T64, g32(e));
	tap_ok(r == 0, "DQEVENT (ARM, 64-bit time) translated: %ld", r);
	memcpy(&nsec, e + 88, 8);
	tap_ok(nsec == 567890123, "ARM tv_nsec holds the kernel's 64-bit value (0x%llx): the "
	       "high half is the kernel's, not the caller's padding", (unsigned long long)nsec);
	tap_ok(e[4] == 0 && e[7] == 0 && e[132] == 0 && e[135] == 0,
	       "ARM-only padding (before the union, trailing) zeroed, as arm64 writes it "
	       "(%02x %02x)", e[4], e[132]);
	tap_ok(e[136] == 0xa5, "nothing written past the 136-byte struct");

	memset(e, 0xa5, 200);
	memset(e, 0, 20);
	e[4] = 1;	/* type: capture */
	e[60] = 1;	/* memory: mmap */
	r = emucompat_ioctl32(ec, FAKE_FD, 0xc0505609u, g32(e));
	tap_ok(r == 0 && e[8] == 0x42, "QUERYBUF (ARM, 64-bit time) translated: %ld", r);
	tap_ok(e[20] == 0 && e[23] == 0 && e[80] == 0xa5,
	       "its ARM-only padding zeroed, as arm64's put_v4l2_buffer32() writes it (%02x)",
	       e[20]);
	munmap(e, 4096);
}

/* ---- guest ranges -------------------------------------------------------- */
static void test_ranges(void)
{
	/* guest memory up to the compat TASK_SIZE, host memory right above */
	uint8_t *lo = mmap((void *)(uintptr_t)(TASK32 - 4096), 3 * 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	long r;
	int calls;

	if (lo == MAP_FAILED) {
		tap_skip(strerror(errno), "a struct crossing the compat TASK_SIZE: EFAULT");
		tap_skip(strerror(errno), "... the kernel not called");
		return;
	}
	memset(lo, 0xa5, 3 * 4096);
	calls = kernel_calls;
	errno = 0;
	r = emucompat_ioctl32(ec, FAKE_FD, ARM_DQEVENT_T64, TASK32 - 64);
	tap_ok(r == -1 && errno == EFAULT, "a struct crossing the compat TASK_SIZE: %ld %s", r,
	       strerror(errno));
	tap_ok(kernel_calls == calls, "... the kernel not called, host memory above not read");
	errno = 0;
	r = emucompat_ioctl32(ec, FAKE_FD, ARM_DQEVENT_T64, 0xffffff80u);
	tap_ok(r == -1 && errno == EFAULT, "a struct wrapping 4 GiB: %ld %s", r, strerror(errno));
	munmap(lo, 3 * 4096);
}

/* ---- SIOCETHTOOL with a racing guest thread ------------------------------- */
static uint8_t *race_ifr, *race_nfc;
static volatile int race_stop;

static void *racer(void *arg)
{
	/* a count past the library's limit is refused: the area stays small */
	uint32_t subs[2] = { ETH_GRXRINGS, ETH_GRXCLSRLALL }, cnts[2] = { 1, 0x7fffffffu };
	unsigned int i = 0;

	(void)arg;
	while (!race_stop) {
		__atomic_store_n((uint32_t *)race_nfc, subs[i & 1], __ATOMIC_RELAXED);
		__atomic_store_n((uint32_t *)(race_nfc + ARM_RXNFC_FLEX - 4), cnts[(i >> 1) & 1],
				 __ATOMIC_RELAXED);
		i++;
	}
	return NULL;
}

static void test_ethtool_race(void)
{
	pthread_t th;
	int i, fails = 0, oks = 0;

	race_ifr = guest_alloc(4096);
	race_nfc = guest_alloc(ARM_RXNFC_FLEX + 4096);
	memset(race_ifr, 0, 32);
	memset(race_nfc, 0, ARM_RXNFC_FLEX);
	*(uint32_t *)race_nfc = ETH_GRXCLSRLALL;	/* translated from the start */
	memcpy(race_ifr, "eth0", 5);
	{
		uint32_t d = g32(race_nfc);

		memcpy(race_ifr + 16, &d, 4);
	}
	kernel_bad = 0;
	race_stop = 0;
	if (pthread_create(&th, NULL, racer, NULL))
		tap_bail("pthread_create");
	for (i = 0; i < 20000 && !kernel_bad; i++) {
		long r = emucompat_ioctl32(ec, FAKE_FD, 0x8946u, g32(race_ifr));

		if (r) {
			if (!fails)
				tap_diag("first failure: %s", strerror(errno));
			fails++;
		} else
			oks++;
	}
	race_stop = 1;
	pthread_join(th, NULL);
	tap_diag("%d calls: %d ok, %d failed (ENOMEM for a count past the limit)", i, oks, fails);
	if (kernel_bad)
		tap_diag("%s", kernel_why);
	tap_ok(!kernel_bad, "SIOCETHTOOL, guest thread flipping sub-command and rule_cnt: the "
	       "kernel's copy never sizes more than the bounce area");
	munmap(race_ifr, 4096);
	munmap(race_nfc, ARM_RXNFC_FLEX + 4096);
}

/* ---- nested call from a signal handler ------------------------------------ */
static uint8_t *nest_ifr, *nest_nfc, *nest_ev;
static volatile long nest_ret = 1;
static volatile int nest_done;

static void nest_handler(int sig)
{
	(void)sig;
	/* a bigger argument than the interrupted call's: a new area is needed */
	in_nested = 1;
	nest_ret = emucompat_ioctl32(ec, FAKE_FD, 0x8946u, g32(nest_ifr));
	in_nested = 0;
	nest_done = 1;
}

static void nest_hook(void)
{
	kernel_hook = NULL;
	raise(SIGUSR1);	/* the interrupted call is inside the kernel, its area in use */
}

static void test_nested(void)
{
	struct sigaction sa;
	uint32_t d, cnt = 20000;
	uint64_t nsec;
	long r;

	nest_ifr = guest_alloc(4096);
	nest_nfc = guest_alloc(ARM_RXNFC_FLEX + cnt * 4 + 4096);
	nest_ev = guest_alloc(4096);
	memset(nest_ifr, 0, 32);
	d = g32(nest_nfc);
	memcpy(nest_ifr + 16, &d, 4);
	memset(nest_nfc, 0, ARM_RXNFC_FLEX);
	d = ETH_GRXCLSRLALL;
	memcpy(nest_nfc, &d, 4);
	memcpy(nest_nfc + ARM_RXNFC_FLEX - 4, &cnt, 4);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = nest_handler;
	sigaction(SIGUSR1, &sa, NULL);

	memset(nest_ev, 0xa5, 136);
	kernel_hook = nest_hook;
	r = emucompat_ioctl32(ec, FAKE_FD, ARM_DQEVENT_T64, g32(nest_ev));
	kernel_hook = NULL;
	memcpy(&nsec, nest_ev + 88, 8);
	tap_ok(nest_done, "the signal handler ran inside the call");
	tap_ok(nest_ret == 0, "the call nested in a signal handler (larger argument): %ld",
	       nest_ret);
	memcpy(&d, nest_nfc + ARM_RXNFC_FLEX + 4 * 19999, 4);
	tap_ok(d == 19999, "... its rule_locs[] written back (last %u)", d);
	tap_ok(r == 0 && nsec == 567890123 && nest_ev[0] == 3,
	       "the interrupted call completes from its own, intact, bounce area");
	signal(SIGUSR1, SIG_DFL);
}

/* ---- a destructor after the library's --------------------------------------- */
static pthread_key_t late_key;
static volatile long late_ret = 1;

static void late_destructor(void *p)
{
	uint8_t *e = p;

	memset(e, 0xa5, 136);
	late_ret = emucompat_ioctl32(ec, FAKE_FD, ARM_DQEVENT_T64, g32(e));
}

static void *late_thread(void *arg)
{
	uint8_t *e = arg;

	emucompat_ioctl32(ec, FAKE_FD, ARM_DQEVENT_T64, g32(e));	/* the library's key first */
	pthread_setspecific(late_key, e);
	return NULL;
}

static void test_destructor(void)
{
	uint8_t *e = guest_alloc(4096);
	pthread_t th;

	/* created after the library's key: glibc runs it after the library's */
	pthread_key_create(&late_key, late_destructor);
	pthread_create(&th, NULL, late_thread, e);
	pthread_join(th, NULL);
	tap_ok(late_ret == 0, "a call from a later thread-exit destructor works (no dangling "
	       "thread pointer): %ld", late_ret);
	munmap(e, 4096);
}

#ifndef T_LIB_OLD
/* ---- guard pages, emucompat_set_lowmem_fns() ------------------------------ */
static int lm_allocs, lm_frees, lm_high;
static size_t lm_guard;

static void *lm_alloc(size_t len, size_t guard, void *opaque)
{
	char *p;

	lm_allocs++;
	lm_guard = guard;
	if (lm_high) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return p == MAP_FAILED ? NULL : p;
	}
	p = ec_lowmem_default_alloc(len, guard, opaque);
	return p;
}

static void lm_free(void *addr, size_t len, size_t guard, void *opaque)
{
	lm_frees++;
	if (lm_high)
		munmap(addr, len);
	else
		ec_lowmem_default_free(addr, len, guard, opaque);
}

static void *lm_thread(void *arg)
{
	long *r = arg;
	uint8_t *e = guest_alloc(4096);

	memset(e, 0xa5, 136);
	*r = emucompat_ioctl32(ec, FAKE_FD, ARM_DQEVENT_T64, g32(e));
	if (*r == 0) {
		struct ec_thread *t = ec_tls;
		uint8_t *end = (uint8_t *)t->bounce.base + t->bounce.size;

		/* the guard after the area: the kernel cannot write there */
		if (kernel_can_write((uintptr_t)end, 1) || !kernel_can_write((uintptr_t)end - 1, 1))
			*r = -2;
	}
	munmap(e, 4096);
	return NULL;
}

static void test_lowmem(void)
{
	pthread_t th;
	long r = 1;

	errno = 0;
	tap_ok(emucompat_set_lowmem_fns(ec, lm_alloc, NULL, NULL) == -1 && errno == EINVAL,
	       "set_lowmem_fns with one function NULL: EINVAL");
	errno = 0;
	tap_ok(emucompat_set_lowmem_fns(NULL, NULL, NULL, NULL) == -1 && errno == EINVAL,
	       "set_lowmem_fns(NULL handle): EINVAL");
	tap_ok(emucompat_set_lowmem_fns(ec, lm_alloc, lm_free, ec) == 0, "set_lowmem_fns: 0");
	pthread_create(&th, NULL, lm_thread, &r);
	pthread_join(th, NULL);
	tap_ok(r == 0, "a new thread's bounce area, with a guard page after it: %ld", r);
	tap_ok(lm_allocs == 1 && lm_frees == 1 && lm_guard == (size_t)getpagesize(),
	       "it came from the emulator's functions (%d alloc, %d free, guard %zu), freed at "
	       "thread exit", lm_allocs, lm_frees, lm_guard);
	lm_high = 1;
	pthread_create(&th, NULL, lm_thread, &r);
	pthread_join(th, NULL);
	tap_ok(r == -1 && lm_frees == 2, "memory above the compat TASK_SIZE from them: refused, "
	       "given back (%ld)", r);
	lm_high = 0;
	tap_ok(emucompat_set_lowmem_fns(ec, NULL, NULL, NULL) == 0, "defaults restored");
}

/* ---- commands without a row ---------------------------------------------- */
#define T_UNKNOWN	0xc02cec01u	/* _IOWR(0xec, 1, 44 bytes): no uapi header's */
#define T_REFUSED	0x00104706u	/* IOCTL_GNTALLOC_DEALLOC_GREF, ARM's */

/* @cmd under the handle's ABI: the result, or -errno; *@seen: the kernel called */
static long pol_call(uint8_t *g, uint32_t cmd, int fd, int *seen)
{
	int before = kernel_calls;
	long r;

	memset(g, 0, 64);
	r = emucompat_ioctl32(ec, fd, cmd, g32(g));
	if (r < 0)
		r = -errno;
	*seen = kernel_calls != before;
	return r;
}

static void test_policy(void)
{
	uint8_t *g = guest_alloc(4096);
	uint32_t v = 0;
	int seen;
	long r;

	tap_ok(emucompat_guest_abi_cmd(ec, 0x80044501u) == EMUCOMPAT_CMD_SAME &&
	       emucompat_guest_abi_cmd(ec, 0x80404506u) == EMUCOMPAT_CMD_SAME &&
	       emucompat_guest_abi_cmd(ec, 0x81004506u) == EMUCOMPAT_CMD_SAME &&
	       emucompat_guest_abi_cmd(ec, 0x80184540u) == EMUCOMPAT_CMD_SAME &&
	       emucompat_guest_abi_cmd(ec, 0x8018457fu) == EMUCOMPAT_CMD_SAME,
	       "known identical: EVIOCGVERSION, EVIOCGNAME(64) and (256), EVIOCGABS(0) and (0x3f)");
	tap_ok(emucompat_guest_abi_cmd(ec, ARM_DQEVENT_T64) == EMUCOMPAT_CMD_TRANSLATED &&
	       emucompat_guest_abi_cmd(ec, 0x8946u) == EMUCOMPAT_CMD_TRANSLATED &&
	       emucompat_guest_abi_cmd(ec, 0x545eu) == EMUCOMPAT_CMD_TRANSLATED,
	       "translated: VIDIOC_DQEVENT (64-bit time), SIOCETHTOOL, ARM's FIOQSIZE");
	tap_ok(emucompat_guest_abi_cmd(ec, T_REFUSED) == EMUCOMPAT_CMD_REFUSED,
	       "refused: IOCTL_GNTALLOC_DEALLOC_GREF");
	tap_ok(emucompat_guest_abi_cmd(ec, T_UNKNOWN) == EMUCOMPAT_CMD_UNKNOWN &&
	       emucompat_guest_abi_cmd(ec, 0x80184580u) == EMUCOMPAT_CMD_UNKNOWN,
	       "unknown: an out-of-tree number, EVIOCGABS past ABS_MAX");
	tap_ok(emucompat_guest_abi_cmd(NULL, 0) == -1 && errno == EINVAL, "NULL handle: EINVAL");
	tap_ok(emucompat_guest_abi_cmd(ec, 0x4c82u) == EMUCOMPAT_CMD_SAME &&
	       emucompat_guest_abi_cmd(ec, 0x4c05u) == EMUCOMPAT_CMD_SAME,
	       "linux/loop.h's literal numbers known identical: LOOP_CTL_GET_FREE, "
	       "LOOP_GET_STATUS64");
	tap_ok(emucompat_guest_abi_cmd(ec, 0x8912u) == EMUCOMPAT_CMD_SAME &&
	       emucompat_guest_abi_cmd(ec, 0x8913u) == EMUCOMPAT_CMD_SAME,
	       "linux/sockios.h's literal numbers known identical: SIOCGIFCONF, "
	       "SIOCGIFFLAGS");

	r = pol_call(g, 0x80044501u, FAKE_FD, &seen);
	memcpy(&v, g, 4);
	tap_ok(r == 0 && seen && v == 0x10001,
	       "known identical: unchanged to the kernel (%ld, %#x)", r, v);
	r = pol_call(g, 0x80404506u, FAKE_FD, &seen);	/* EVIOCGNAME(64) */
	tap_ok(r == 0 && seen && g[0] == 0x77, "known identical of any size: EVIOCGNAME(64) (%ld)",
	       r);
	r = pol_call(g, T_UNKNOWN, FAKE_FD, &seen);
	tap_ok(r == -ENOTTY && !seen && g[0] == 0, "unknown: ENOTTY, the kernel never asked "
	       "(%ld, seen %d)", r, seen);
	r = pol_call(g, T_UNKNOWN, 9999, &seen);
	tap_ok(r == -EBADF && !seen, "unknown on a bad descriptor: EBADF (%ld)", r);
	r = pol_call(g, 0x4c82u, FAKE_FD, &seen);	/* LOOP_CTL_GET_FREE */
	tap_ok(r == -ENOTTY && seen, "LOOP_CTL_GET_FREE: to the kernel (whose answer, ENOTTY "
	       "here, comes back) (%ld, seen %d)", r, seen);
	r = pol_call(g, T_REFUSED, FAKE_FD, &seen);
	tap_ok(r == -EOPNOTSUPP && !seen, "refused: EOPNOTSUPP (%ld)", r);

	tap_ok(emucompat_set_guest_abi(ec, EMUCOMPAT_ABI_ARM | EMUCOMPAT_ABI_PASS_UNKNOWN) == 0 &&
	       emucompat_get_guest_abi(ec) == EMUCOMPAT_ABI_ARM,
	       "EMUCOMPAT_ABI_PASS_UNKNOWN accepted; get_guest_abi() gives the ABI alone");
	r = pol_call(g, T_UNKNOWN, FAKE_FD, &seen);
	tap_ok(r == 0 && seen && g[0] == 0x77, "unknown with EMUCOMPAT_ABI_PASS_UNKNOWN: to the "
	       "kernel unchanged (%ld)", r);
	errno = 0;
	tap_ok(emucompat_set_guest_abi(ec, EMUCOMPAT_ABI_ARM | (1u << 17)) == -1 && errno == EINVAL,
	       "an unknown flag bit: EINVAL");
	errno = 0;
	tap_ok(ec_set_guest_abi_0_4(ec, EMUCOMPAT_ABI_ARM | EMUCOMPAT_ABI_PASS_UNKNOWN) == -1 &&
	       errno == EINVAL, "emucompat_set_guest_abi@EMUCOMPAT_0.4: flags are EINVAL");
	tap_ok(ec_set_guest_abi_0_4(ec, EMUCOMPAT_ABI_ARM) == 0, "the 0.4 version sets ARM");
	r = pol_call(g, T_UNKNOWN, FAKE_FD, &seen);
	tap_ok(r == 0 && seen, "... and passes unknown commands, as 0.4-0.6 did (%ld)", r);
	if (emucompat_set_guest_abi(ec, EMUCOMPAT_ABI_ARM))
		tap_bail("set_guest_abi(ARM): %s", strerror(errno));
	munmap(g, 4096);
}

/* ---- GETFB2: x86-64 has no compat one; the library corrects it ------------ */
static void test_getfb2(void)
{
	uint8_t *g = guest_alloc(4096);
	uint64_t mod = 0;
	uint32_t w = 0;
	long r;

	emucompat_set_guest_abi(ec, EMUCOMPAT_ABI_KERNEL);
	tap_ok(emucompat_guest_abi_cmd(ec, 0xc06464ceu) == EMUCOMPAT_CMD_TRANSLATED &&
	       emucompat_guest_abi_cmd(ec, 0xc06464b8u) == EMUCOMPAT_CMD_SAME,
	       "kernel's ABI: GETFB2 translated, ADDFB2 (x86-64 converts it) the same");
	memset(g, 0xa5, 200);
	memset(g, 0, 4);
	r = emucompat_ioctl32(ec, FAKE_FD, 0xc06464ceu, g32(g));
	memcpy(&mod, g + 68, 8);
	memcpy(&w, g + 4, 4);
	tap_ok(r == 0 && w == 64 && mod == 0x0100000000000001ull && g[100] == 0xa5,
	       "i386 GETFB2 (the kernel's ABI) through the LP64 layout: modifier[0] at 68 right "
	       "(%#llx), nothing past 100 bytes", (unsigned long long)mod);
	emucompat_set_guest_abi(ec, EMUCOMPAT_ABI_ARM);
	tap_ok(emucompat_guest_abi_cmd(ec, 0xc06864ceu) == EMUCOMPAT_CMD_SAME,
	       "ARM guest: GETFB2 the same (x86-64's drm_ioctl() speaks its layout)");
	memset(g, 0xa5, 200);
	memset(g, 0, 4);
	r = emucompat_ioctl32(ec, FAKE_FD, 0xc06864ceu, g32(g));
	memcpy(&mod, g + 72, 8);
	tap_ok(r == 0 && mod == 0x0100000000000001ull && g[104] == 0xa5,
	       "ARM GETFB2 unchanged: modifier[0] at 72 (%#llx)", (unsigned long long)mod);
	munmap(g, 4096);
}
#endif

int main(void)
{
	fake_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fake_fd < 0)
		tap_bail("/dev/null: %s", strerror(errno));
	ec = calloc(1, sizeof(*ec));
	if (!ec)
		tap_bail("calloc");
	ec->fd = -1;
	ec->fwd = FAKE_FWD;
	ec->info.size = sizeof(ec->info);
	ec->info.compat_task_size = TASK32;
#ifndef T_LIB_OLD
	emucompat_set_lowmem_fns(ec, NULL, NULL, NULL);
#endif
	emucompat_set_ioctl_fn(ec, fake_kernel);
	if (emucompat_set_guest_abi(ec, EMUCOMPAT_ABI_ARM))
		tap_bail("set_guest_abi(ARM): %s", strerror(errno));

	test_bytes();
	test_ranges();
	test_ethtool_race();
	test_nested();
	test_destructor();
#ifndef T_LIB_OLD
	test_lowmem();
	test_policy();
	test_getfb2();
#endif
	free(ec);
	return tap_done();
}
#endif
