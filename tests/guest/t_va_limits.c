// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_va_limits - process-wide VA limits (emucompat_set_va_limits()).
 *
 * With limits [1 GiB, 4 GiB) set by this 64-bit process, 10 000 plain
 * mmap()s (1 000 on a kernel too slow for that, the KASAN one), as many
 * shmat()s, an io_setup() ring, an mremap() move and a
 * driver's own vm_mmap() inside a forwarded ioctl (the probe's
 * PROBE_VM_MMAP) all land inside, exactly as the same scenario
 * (lib/common_valimits.c) lands below 4 GiB in a real 32-bit process
 * (o32_compat32 place): the two records must be the same.  Besides:
 * every bad request gets its errno and leaves nothing behind; threads,
 * malloc() and the native ioctl path land inside; emucompat_mmap_range()
 * outside the limits still works; a free hint is honoured; a full range
 * overflows below lo (top-down), as documented; SET again replaces, CLEAR
 * restores; fork() children inherit the placement but not the record;
 * exec drops the limits; the legacy bottom-up layout starts at lo; the
 * record of every exited process is gone (module refcount back).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common_valimits.h"
#include "compat32_util.h"
#include "probe_util.h"

#define GIB	(1ULL << 30)
#define LO	(1 * GIB)
#define HI	(4 * GIB)

static struct emucompat *ec;
static int ecfd;		/* a second descriptor, for raw requests */
static struct emucompat_info info;
static int pfd;
static long page;
static struct probe_vm_mmap *low_req;	/* below 4 GiB, for forwarded calls */

static long va_raw(struct emucompat_va_limits *req)
{
	return ioctl(ecfd, EMUCOMPAT_IOC_VA_LIMITS, req);
}

/* Forwarded PROBE_VM_MMAP: the driver runs as for a 32-bit caller. */
static int vmmap_fwd(uint64_t len, uint64_t *addr)
{
	long r;

	memset(low_req, 0, sizeof(*low_req));
	low_req->len = len;
	r = emucompat_ioctl32(ec, pfd, PROBE_VM_MMAP, pt_u32(low_req));
	if (r)
		return -errno;
	*addr = low_req->addr;
	return 0;
}

static int vmmap_native(uint64_t len, uint64_t *addr)
{
	struct probe_vm_mmap m = { len, 0 };

	if (ioctl(pfd, PROBE_VM_MMAP, &m))
		return -errno;
	*addr = m.addr;
	return 0;
}

static long module_refcnt(void)
{
	return pt_read_long("/sys/module/emucompat/refcnt");
}

/* Records are freed after an SRCU grace period: wait up to 5 s. */
static long refcnt_settle(long want)
{
	long n = module_refcnt();
	int i;

	for (i = 0; i < 500 && n != want; i++) {
		pt_msleep(10);
		n = module_refcnt();
	}
	return n;
}

static int inside(uint64_t a, uint64_t len, uint64_t lo, uint64_t hi)
{
	return a >= lo && a < hi && len <= hi - a;
}

static void *map1(size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void check_errno(struct emucompat_va_limits *req, int want, const char *what)
{
	errno = 0;
	pt_errno(va_raw(req), want, what);
}

static struct emucompat_va_limits mkreq(uint32_t op, uint64_t lo, uint64_t hi)
{
	struct emucompat_va_limits r;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.op = op;
	r.lo = lo;
	r.hi = hi;
	return r;
}

static void test_bad_input(void)
{
	struct emucompat_va_limits r;
	uint64_t lo, hi;
	int maps = pt_count_maps();
	long refs = module_refcnt();
	uint64_t top = info.task_size & ~(uint64_t)(page - 1);
	struct {
		struct emucompat_va_limits r;
		uint64_t tail;
	} big;

	r = mkreq(EMUCOMPAT_VA_LIMITS_GET, 0, 0);
	check_errno(&r, ENOENT, "GET without limits: ENOENT");
	r = mkreq(EMUCOMPAT_VA_LIMITS_CLEAR, 0, 0);
	check_errno(&r, ENOENT, "CLEAR without limits: ENOENT");

	r = mkreq(EMUCOMPAT_VA_LIMITS_SET, LO, HI);
	r.size = EMUCOMPAT_VA_LIMITS_SIZE_VER0 - 8;
	check_errno(&r, EINVAL, "size below VER0: EINVAL");
	r = mkreq(EMUCOMPAT_VA_LIMITS_SET, LO, HI);
	r.size = page + 8;
	check_errno(&r, E2BIG, "size above a page: E2BIG");
	memset(&big, 0, sizeof(big));
	big.r = mkreq(EMUCOMPAT_VA_LIMITS_SET, LO, HI);
	big.r.size = sizeof(big);
	big.tail = 1;
	check_errno(&big.r, E2BIG, "nonzero bytes past the struct: E2BIG");
	r = mkreq(EMUCOMPAT_VA_LIMITS_SET, LO, HI);
	r.reserved[1] = 1;
	check_errno(&r, EINVAL, "nonzero reserved: EINVAL");
	r = mkreq(EMUCOMPAT_VA_LIMITS_SET, LO, HI);
	r.flags = 1;
	check_errno(&r, EINVAL, "nonzero flags: EINVAL");
	r = mkreq(EMUCOMPAT_VA_LIMITS_SET, LO, HI);
	r.__pad = 1;
	check_errno(&r, EINVAL, "nonzero __pad: EINVAL");
	r = mkreq(EMUCOMPAT_VA_LIMITS_SET, LO, HI);
	r.base = LO;
	check_errno(&r, EINVAL, "nonzero base on input: EINVAL");
	r = mkreq(3, LO, HI);
	check_errno(&r, EINVAL, "unknown op: EINVAL");
	r = mkreq(EMUCOMPAT_VA_LIMITS_GET, LO, 0);
	check_errno(&r, EINVAL, "GET with lo set: EINVAL");
	r = mkreq(EMUCOMPAT_VA_LIMITS_CLEAR, 0, HI);
	check_errno(&r, EINVAL, "CLEAR with hi set: EINVAL");
	r = mkreq(EMUCOMPAT_VA_LIMITS_SET, LO, LO);
	check_errno(&r, EINVAL, "empty range: EINVAL");
	r = mkreq(EMUCOMPAT_VA_LIMITS_SET, HI, LO);
	check_errno(&r, EINVAL, "lo above hi: EINVAL");
	r = mkreq(EMUCOMPAT_VA_LIMITS_SET, LO + 1, HI);
	check_errno(&r, EINVAL, "unaligned lo: EINVAL");
	r = mkreq(EMUCOMPAT_VA_LIMITS_SET, LO, HI - 1);
	check_errno(&r, EINVAL, "unaligned hi: EINVAL");
	r = mkreq(EMUCOMPAT_VA_LIMITS_SET, LO, top + page);
	check_errno(&r, EINVAL, "hi above TASK_SIZE: EINVAL");
	r = mkreq(EMUCOMPAT_VA_LIMITS_SET, top - 16 * page, top - 8 * page);
	check_errno(&r, ERANGE, "range above the mmap base (next to the stack): ERANGE");
	r = mkreq(EMUCOMPAT_VA_LIMITS_SET, 0, page);
	check_errno(&r, ERANGE, "range entirely below mmap_min: ERANGE");
	errno = 0;
	pt_errno(emucompat_get_va_limits(NULL, &lo, &hi), EINVAL, "library: NULL handle: EINVAL");

	r = mkreq(EMUCOMPAT_VA_LIMITS_GET, 0, 0);
	check_errno(&r, ENOENT, "after the refusals: still no limits");
	tap_ok(pt_count_maps() == maps, "no mapping left behind (%d maps)", maps);
	tap_ok(module_refcnt() == refs, "no record left behind (module refcount %ld)", refs);
}

static void test_set_get(uint64_t *base)
{
	uint64_t lo = 0, hi = 0, want = HI;
	struct emucompat_va_limits r;

	/* arm64: the last page below 4 GiB is beyond TASK_SIZE_32. */
	if (info.compat_task_size > 3 * GIB && info.compat_task_size < want &&
	    info.arch == EMUCOMPAT_ARCH_ARM64)
		want = info.compat_task_size;
	int r0 = emucompat_set_va_limits(ec, LO, HI, base);

	tap_ok(r0 == 0, "SET [1 GiB, 4 GiB): %s", r0 ? strerror(errno) : "ok");
	tap_ok(*base == want, "search starts at %#llx (want %#llx)", (unsigned long long)*base,
	       (unsigned long long)want);
	r0 = emucompat_get_va_limits(ec, &lo, &hi);
	tap_ok(r0 == 0 && lo == LO && hi == HI, "GET returns [%#llx, %#llx)",
	       (unsigned long long)lo, (unsigned long long)hi);
	r = mkreq(EMUCOMPAT_VA_LIMITS_GET, 0, 0);
	r0 = va_raw(&r);
	tap_ok(r0 == 0 && (r.flags & EMUCOMPAT_VA_LIMITS_TOPDOWN) && r.base == *base,
	       "GET reports the top-down layout and the base (flags %#x)", r.flags);
}

/* Both records without their "# ..." lines. */
static char *strip_comments(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	if (!out)
		tap_bail("out of memory");
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s + 1) : strlen(s);

		if (s[0] != '#') {
			memcpy(o, s, n);
			o += n;
		}
		s += n;
	}
	*o = 0;
	return out;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * How many mmaps and shmats the scenario makes: VA_COUNT (10 000), unless
 * ectest.va_count= says otherwise or this kernel is so slow (KASAN and
 * lockdep under TCG) that the four runs of VA_COUNT, here and in the
 * oracle, would take more than a minute; then 1 000.
 */
static unsigned int scenario_count(void)
{
	unsigned long forced = pt_cmdline_ul("ectest.va_count", 0);
	const int probe = 200;
	double t0, cost;
	int i, id;

	if (forced)
		return (unsigned int)forced;
	id = shmget(IPC_PRIVATE, VA_SHM_SIZE, IPC_CREAT | 0600);
	if (id < 0)
		tap_bail("shmget: %s", strerror(errno));
	t0 = now_s();
	for (i = 0; i < probe; i++) {
		void *p = map1(page), *q = shmat(id, NULL, 0);

		if (p != MAP_FAILED)
			munmap(p, page);
		if (q != (void *)-1)
			shmdt(q);
	}
	cost = (now_s() - t0) / probe;	/* one mmap and one shmat, undone */
	shmctl(id, IPC_RMID, NULL);
	tap_diag("one mmap + one shmat (and undoing them): %.0f us", cost * 1e6);
	if (cost * VA_COUNT * 2 > 60) {
		tap_diag("slow kernel: the scenario makes 1 000 of each, not %d", VA_COUNT);
		return 1000;
	}
	return VA_COUNT;
}

static void test_scenario(unsigned int n)
{
	static const struct va_ops ops = { vmmap_fwd };
	char why[256], *mine = NULL, *oracle, *a, *b, num[16], want[64];
	size_t len = 0;
	FILE *f = open_memstream(&mine, &len);
	int ret;

	if (!f)
		tap_bail("open_memstream: %s", strerror(errno));
	snprintf(num, sizeof(num), "%u", n);
	ret = va_place_run(&ops, n, LO, HI, f);
	fclose(f);
	tap_ok(ret == 0, "scenario set-up ran");
	tap_diag("this process, limits [1 GiB, 4 GiB):");
	tap_diag("%s", mine);
	oracle = c32_oracle("place", num, why, sizeof(why));
	if (!oracle) {
		tap_ok(0, "32-bit oracle ran: %s", why);
		free(mine);
		return;
	}
	tap_diag("real 32-bit process, below 4 GiB:");
	tap_diag("%s", oracle);
	a = strip_comments(mine);
	b = strip_comments(oracle);
	tap_ok(!strcmp(a, b), "placement record identical to the real 32-bit process's");
	snprintf(want, sizeof(want), "place: mmap n=%u inside=%u ", n, n);
	tap_ok(strstr(a, want) != NULL, "%u mmaps inside", n);
	snprintf(want, sizeof(want), "place: shmat n=%u inside=%u ", n, n);
	tap_ok(strstr(a, want) != NULL, "%u shmats inside", n);
	tap_ok(strstr(a, "place: io_setup n=1 inside=1 ") != NULL, "io_setup ring inside");
	tap_ok(strstr(a, "place: mremap n=1 inside=1 ") != NULL, "mremap move inside");
	tap_ok(strstr(a, "place: vm_mmap n=16 inside=16 ") != NULL,
	       "16 driver mappings in forwarded ioctls inside");
	free(a);
	free(b);
	free(mine);
	free(oracle);
}

static void *thread_fn(void *arg)
{
	uint64_t *res = arg;
	void *p = map1(page);
	int local;

	res[0] = (uintptr_t)&local;
	res[1] = p == MAP_FAILED ? 0 : (uintptr_t)p;
	if (p != MAP_FAILED)
		munmap(p, page);
	return NULL;
}

static void test_process_wide(void)
{
	uint64_t res[2] = { 0, 0 }, a = 0;
	pthread_t t;
	void *m;
	int i, ok = 1;

	tap_ok(pthread_create(&t, NULL, thread_fn, res) == 0 && pthread_join(t, NULL) == 0,
	       "thread ran");
	tap_ok(inside(res[0], 1, LO, HI), "new thread's stack inside (%#llx)",
	       (unsigned long long)res[0]);
	tap_ok(inside(res[1], page, LO, HI), "new thread's mmap inside (%#llx)",
	       (unsigned long long)res[1]);
	m = malloc(1 << 20);
	tap_ok(m && inside((uintptr_t)m, 1 << 20, LO, HI), "malloc(1 MiB) inside (%p)", m);
	free(m);
	for (i = 0; i < VA_VMMAPS; i++) {
		int err = vmmap_native(VA_VMMAP_LEN, &a);

		if (err || !inside(a, VA_VMMAP_LEN, LO, HI)) {
			tap_diag("native vm_mmap: %s at %#llx", strerror(-err),
				 (unsigned long long)a);
			ok = 0;
		}
		if (!err)
			munmap((void *)(uintptr_t)a, VA_VMMAP_LEN);
	}
	tap_ok(ok, "16 driver mappings in native ioctls inside");
}

static void test_outside(void)
{
	void *p, *q;

	p = emucompat_mmap_range(ec, 4 * GIB, 8 * GIB, page, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	tap_ok(p != MAP_FAILED && inside((uintptr_t)p, page, 4 * GIB, 8 * GIB),
	       "emucompat_mmap_range [4 GiB, 8 GiB) still places there (%p)", p);
	q = emucompat_mmap_range(ec, 0x10000, LO, page, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	tap_ok(q != MAP_FAILED && inside((uintptr_t)q, page, 0x10000, LO),
	       "emucompat_mmap_range below lo still places there (%p)", q);
	if (p != MAP_FAILED)
		munmap(p, page);
	if (q != MAP_FAILED)
		munmap(q, page);

	/* A free hint is honoured, as documented. */
	p = mmap((void *)(uintptr_t)(12 * GIB), page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	tap_ok(p == (void *)(uintptr_t)(12 * GIB), "a free hint outside is honoured (%p)", p);
	if (p != MAP_FAILED)
		munmap(p, page);
}

/* A full range: the kernel goes on below lo (top-down), it does not fail. */
static void test_full(uint64_t base0)
{
	const int n = 16;
	uint64_t lo, hi, base = 0;
	void *hole, *m[17];
	int i, in = 0;

	hole = emucompat_mmap_range(ec, 2 * GIB, 3 * GIB, 64 * page, PROT_NONE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (hole == MAP_FAILED)
		tap_bail("hole: %s", strerror(errno));
	munmap(hole, 64 * page);
	lo = (uintptr_t)hole + 24 * page;
	hi = lo + n * page;
	i = emucompat_set_va_limits(ec, lo, hi, &base);
	tap_ok(i == 0 && base == hi, "SET again replaces: a %d-page range, base %#llx", n, (unsigned long long)base);
	for (i = 0; i <= n; i++) {
		m[i] = map1(page);
		if (m[i] != MAP_FAILED && i < n && inside((uintptr_t)m[i], page, lo, hi))
			in++;
	}
	tap_ok(in == n, "%d one-page mmaps fill the range (%d inside)", n, in);
	tap_ok(m[n] != MAP_FAILED && (uintptr_t)m[n] < lo,
	       "the next one lands below lo, not failing (%p)", m[n]);
	for (i = 0; i <= n; i++)
		if (m[i] != MAP_FAILED)
			munmap(m[i], page);
	tap_ok(emucompat_set_va_limits(ec, LO, HI, &base) == 0 && base == base0,
	       "SET [1 GiB, 4 GiB) again");
}

static void test_fork(void)
{
	int res[2];
	long out[4];
	pid_t pid = pt_fork_child(res);
	uint64_t lo, hi;

	if (pid == 0) {
		void *p = map1(page), *q;

		out[0] = p != MAP_FAILED && inside((uintptr_t)p, page, LO, HI);
		out[1] = emucompat_get_va_limits(ec, &lo, &hi) ? errno : 0;
		out[2] = emucompat_set_va_limits(ec, 2 * GIB, 3 * GIB, NULL) ? errno : 0;
		q = map1(page);
		out[3] = q != MAP_FAILED && inside((uintptr_t)q, page, 2 * GIB, 3 * GIB);
		pt_child_exit(res[1], out, sizeof(out));
	}
	close(res[1]);
	if (!pt_child_result(res[0], pid, out, sizeof(out)))
		tap_bail("fork child gave no result");
	close(res[0]);
	tap_ok(out[0], "fork child: inherits the placement (mmap inside)");
	tap_ok(out[1] == ENOENT, "fork child: GET finds no record (%s)", strerror(out[1]));
	tap_ok(out[2] == 0, "fork child: SET its own works (%s)", strerror(out[2]));
	tap_ok(out[3], "fork child: its own limits apply");
	tap_ok(emucompat_get_va_limits(ec, &lo, &hi) == 0 && lo == LO && hi == HI,
	       "parent's limits unchanged by the child");
}

/* Run this program again as "--MODE" in a child, return its exit status. */
static int run_self(const char *mode, unsigned long pers)
{
	int status;
	pid_t pid;

	tap_flush();
	pid = fork();
	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (pid == 0) {
		char *const argv[] = { (char *)"t_va_limits", (char *)mode, NULL };

		if (emucompat_set_va_limits(ec, LO, HI, NULL))
			_exit(90);
		if (pers != 0xffffffffUL && personality(pers) == -1)
			_exit(91);
		execv("/proc/self/exe", argv);
		_exit(92);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* After exec: a new address space, no limits. */
static int mode_after_exec(void)
{
	struct emucompat *e = emucompat_open();
	uint64_t lo, hi;
	void *p = map1(page);

	if (!e)
		return 10;
	if (!emucompat_get_va_limits(e, &lo, &hi) || errno != ENOENT)
		return 11;
	if (p == MAP_FAILED || (uintptr_t)p < HI)
		return 12;
	return 0;
}

/* The legacy layout (ADDR_COMPAT_LAYOUT at exec): bottom-up from lo. */
static int mode_legacy(void)
{
	struct emucompat_va_limits r;
	int i;

	ecfd = open("/dev/" EMUCOMPAT_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	ec = emucompat_open();
	if (ecfd < 0 || !ec || emucompat_info(ec, &info))
		return 20;
	r = mkreq(EMUCOMPAT_VA_LIMITS_SET, LO, HI);
	if (va_raw(&r))
		return 21;
	if (r.flags & EMUCOMPAT_VA_LIMITS_TOPDOWN)
		return 22;
	if (r.base != LO)
		return 23;
	for (i = 0; i < 100; i++) {
		void *p = map1(page);

		if (p == MAP_FAILED || !inside((uintptr_t)p, page, LO, HI))
			return 24;
	}
	/* lo = 0: the search starts at mmap_min, not at page 0. */
	r = mkreq(EMUCOMPAT_VA_LIMITS_SET, 0, HI);
	if (va_raw(&r))
		return 25;
	if (r.base != info.mmap_min)
		return 26;
	for (i = 0; i < 10; i++) {
		void *p = map1(page);

		if (p == MAP_FAILED || !inside((uintptr_t)p, page, info.mmap_min, HI))
			return 27;
	}
	/* Bottom-up, a range beyond the default map window (52-bit arm64) is refused. */
	r = mkreq(EMUCOMPAT_VA_LIMITS_SET, 1ULL << 48, (1ULL << 48) + 16 * page);
	if (info.arch == EMUCOMPAT_ARCH_ARM64 && info.task_size > (1ULL << 48) + 16 * page &&
	    (!va_raw(&r) || errno != ERANGE))
		return 28;
	return 0;
}

static void test_exec_and_layout(void)
{
	int st;

	st = run_self("--after-exec", 0xffffffffUL);
	tap_ok(st == 0, "exec: the new image has no limits and maps above 4 GiB (status %d)", st);
	st = run_self("--legacy", ADDR_COMPAT_LAYOUT);
	tap_ok(st == 0,
	       "legacy layout: no TOPDOWN flag, base == lo, 100 mmaps inside; lo 0 starts at mmap_min; beyond the map window ERANGE (status %d)",
	       st);
}

static void test_clear(void)
{
	uint64_t lo, hi;
	void *p;

	tap_ok(emucompat_clear_va_limits(ec) == 0, "CLEAR");
	tap_ok(emucompat_get_va_limits(ec, &lo, &hi) && errno == ENOENT, "GET after CLEAR: ENOENT");
	p = map1(page);
	tap_ok(p != MAP_FAILED && (uintptr_t)p >= HI, "after CLEAR mmap places as before (%p)", p);
	if (p != MAP_FAILED)
		munmap(p, page);
	tap_ok(emucompat_clear_va_limits(ec) && errno == ENOENT, "CLEAR twice: ENOENT");
}

/* Processes that set limits and exit leave no record behind. */
static void test_exit_cleanup(long baseline)
{
	const int n = 50;
	int i, bad = 0;
	long left;

	for (i = 0; i < n; i++) {
		pid_t pid = fork();
		int st;

		if (pid < 0)
			tap_bail("fork: %s", strerror(errno));
		if (pid == 0)
			_exit(emucompat_set_va_limits(ec, LO + (uint64_t)i * page, HI, NULL) ? 1 : 0);
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	}
	tap_ok(!bad, "%d processes set limits and exited", n);
	left = refcnt_settle(baseline);
	tap_ok(left == baseline, "every record freed (module refcount %ld)", left);
}

int main(int argc, char **argv)
{
	uint64_t base = 0;
	long baseline, refs;
	unsigned int count;

	page = sysconf(_SC_PAGESIZE);
	if (argc > 1 && !strcmp(argv[1], "--after-exec"))
		return mode_after_exec();
	if (argc > 1 && !strcmp(argv[1], "--legacy"))
		return mode_legacy();

	ec = pt_open_ec(&info);
	LX_NEED_CAP(info.caps, VA_LIMITS);
	ecfd = open("/dev/" EMUCOMPAT_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (ecfd < 0)
		tap_bail("/dev/" EMUCOMPAT_DEVICE_NAME ": %s", strerror(errno));
	pfd = pt_open_probe();
	low_req = pt_low_map(ec, page);
	baseline = module_refcnt();
	tap_diag("module refcount with this process's descriptors open: %ld", baseline);

	count = scenario_count();
	test_bad_input();
	test_set_get(&base);
	refs = refcnt_settle(baseline + 1);
	tap_ok(refs == baseline + 1, "the record holds one module reference (%ld)", refs);
	test_scenario(count);
	test_process_wide();
	test_outside();
	test_full(base);
	test_fork();
	test_exec_and_layout();
	test_clear();
	refs = refcnt_settle(baseline);
	tap_ok(refs == baseline, "CLEAR freed the record (refcount %ld)", refs);
	test_exit_cleanup(baseline);
	return tap_done();
}
