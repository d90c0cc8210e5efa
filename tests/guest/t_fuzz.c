// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_fuzz - random garbage at every command of /dev/emucompat, for a fixed
 * time, as an unprivileged user.
 *
 * Each round picks one of: a raw ioctl with a random command number on the
 * device; INFO / IOCTL32 / MMAP_RANGE / RESERVE_RANGE with random struct
 * sizes, random tails, random reserved and pad bits, and struct pointers
 * that are NULL, unmapped, read-only, misaligned, straddling a page end,
 * or kernel addresses; IOCTL32 forwarding random (and real) ioctl numbers
 * with random 32-bit arguments to random descriptors (the device itself,
 * epoll, io_uring, pidfd, eventfd, timerfd, signalfd, memfd, a pipe, a
 * socket, a pty, directories, regular files, closed and out-of-range
 * numbers); MMAP_RANGE / RESERVE_RANGE with random ranges (inverted,
 * wrapping, beyond the address space, unaligned), lengths, prot and flag
 * bits; the library's mremap/shmat wrappers on random ranges; and
 * emucompat_ioctl32() through a handle of a random guest ABI (the
 * foreign one mostly), with the commands of the generated translation
 * table, SIOCETHTOOL sub-commands and random numbers, on the same
 * pointers and descriptors (the library's conversion in the loop);
 * EMUCOMPAT_IOC_FORWARDER with random structs, and ioctls on a forwarding
 * descriptor with random commands and random 64-bit arguments (random,
 * closed and negative descriptors in the upper half, the forwarder itself
 * and /dev/emucompat among them): a target that is not open must be EBADF.
 *
 * The kernel log is the real oracle (the harness fails the run on any
 * BUG/WARNING/KASAN/lockdep line).  The test itself checks that every
 * struct-validation errno is one docs/semantics.md documents, that no call ever
 * maps outside the requested range or over the fuzzer's own memory, and
 * that no mapping or descriptor is left behind.
 *
 * Time: 20 s by default; ectest.fuzz_secs=N on the kernel command line
 * (make fuzz) sets it, ectest.fuzz_seed=N replays a seed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common_ioctl32.h"
#include "probe_util.h"
#include "abi-tables.h"

#define DEFAULT_SECS	20
#define ARENA_LEN	(64UL << 20)	/* MAP_FIXED targets live only here */
#define MAXFD		24
#define NOPS		13
#define OP_FORWARDER	11	/* EMUCOMPAT_IOC_FORWARDER's struct */
#define OP_FORWARD	12	/* ioctls on a forwarding descriptor */

static const char *const op_name[NOPS] = {
	"raw", "info", "ioctl32", "mmap_range", "reserve_range", "mremap", "shmat",
	"robust_list32", "dir32", "va_limits", "guest_abi", "forwarder", "forward"
};

static struct emucompat *ec, *ec_abi;
static struct emucompat_info info;
static int ecfd;
static uint64_t ps;
static uint64_t seed_state;

/* Memory the pointers point at. */
static uint8_t *low;		/* below 4 GiB, read/write, 4 pages */
static uint8_t *racy;		/* below 4 GiB, 2 pages a racing guest thread keeps flipping */
static uint8_t *low_ro;		/* below 4 GiB, read-only page */
static uint32_t low_hole;	/* below 4 GiB, PROT_NONE page */
static uint8_t *high;		/* anywhere, read/write, 2 pages (2nd page PROT_NONE) */
static uint8_t *ro;		/* read-only page */
static uint8_t *arena;		/* PROT_NONE reservation for MAP_FIXED */

static int fds[MAXFD];
static int nfds;
static int fwdfd = -1;		/* a forwarding descriptor, where the module has them */

struct stats {
	unsigned long ops[NOPS], ok[NOPS], errs[NOPS][134];
	unsigned long bad_errno, outside, clobber;
	int maps_start, maps_end, fds_start, fds_end;
	unsigned long racy_calls, racer_flips;
};

static struct stats *st;	/* shared with the fuzzing child */

static uint64_t rnd64(void)
{
	/* xorshift64* */
	seed_state ^= seed_state >> 12;
	seed_state ^= seed_state << 25;
	seed_state ^= seed_state >> 27;
	return seed_state * 0x2545F4914F6CDD1DULL;
}

static uint32_t rnd32(void)
{
	return (uint32_t)(rnd64() >> 32);
}

static unsigned int pick(unsigned int n)
{
	return n ? rnd32() % n : 0;
}

static int chance(unsigned int pct)
{
	return pick(100) < pct;
}

/* A pointer for a command's struct: mostly valid, often not. */
static void *struct_ptr(size_t need)
{
	switch (pick(12)) {
	case 0:
		return NULL;
	case 1:
		return ro;
	case 2:
		return (void *)(uintptr_t)low_hole;
	case 3:
		return high + ps - (need ? pick(need) + 1 : 1);	/* runs into PROT_NONE */
	case 4:
		return (void *)(uintptr_t)(0xffff800000000000ULL + pick(1 << 20) * 8);
	case 5:
		return (void *)(uintptr_t)(rnd64() | 1);
	case 6:
		return high + 1 + pick(7);			/* misaligned */
	case 7:
		return low_ro;
	default:
		return high;
	}
}

/*
 * Is @p inside the read/write page the structs are built in?  A command
 * that succeeded on such a pointer (the struct itself, or a misaligned
 * view of it that happened to be valid) wrote its result there.
 */
static int in_high(const void *p)
{
	return (const uint8_t *)p >= high && (const uint8_t *)p < high + ps;
}

/* A "struct size" field. */
static uint32_t rnd_size(uint32_t ver0)
{
	static const uint32_t sizes[] = { 0, 1, 4, 8, 16 };

	switch (pick(10)) {
	case 0:
		return sizes[pick(5)];
	case 1:
		return ver0 - 1 - pick(ver0 > 8 ? 8 : 1);
	case 2:
		return ver0 + 8 * (1 + pick(8));
	case 3:
		return (uint32_t)ps + pick(2);
	case 4:
		return rnd32();
	default:
		return ver0;
	}
}

/* Fill @buf (the high page) with a struct of @len bytes: mostly zeros. */
static void fill_struct(uint8_t *buf, size_t len)
{
	memset(buf, 0, ps);
	if (chance(15))
		for (size_t i = 0; i < len && i < ps; i++)
			buf[i] = (uint8_t)rnd32();
	else if (chance(20))
		buf[pick((uint32_t)(len < ps ? len + 16 : ps))] = (uint8_t)(1 + pick(255));
}

/*
 * Is errno @e documented for this op?  IOCTL32 and the forwarder return
 * whatever the forwarded handler returned (op_forward checks its own
 * EBADF rule); the library's mremap/shmat whatever mremap and shmat
 * return.
 */
static int documented(int op, int e)
{
	if (op == 2 || op == 5 || op == 6 || op == 10 || op == OP_FORWARD)
		return 1;
	if (op == OP_FORWARDER)	/* struct validation, or the new descriptor */
		return e == EINVAL || e == E2BIG || e == EFAULT || e == ENOTTY ||
		       e == EOPNOTSUPP || e == EMFILE || e == ENFILE || e == ENOMEM;
	if (op == 8 && e == EBADF)	/* DIR32 */
		return 1;
	if ((op == 7 || op == 9) && e == EOPNOTSUPP)	/* not on this kernel */
		return 1;
	if (op == 9 && e == ENOMEM)	/* VA_LIMITS: the record */
		return 1;
	switch (e) {
	case EINVAL: case E2BIG: case EFAULT: case ENOTTY:
		return 1;
	case ENOMEM: case EEXIST: case EAGAIN: case EPERM: case EBADF: case EACCES:
	case ENODEV: case EOVERFLOW: case ETXTBSY: case ENFILE: case EMFILE: case EOPNOTSUPP:
		return op == 3 || op == 4;
	case ENOTDIR: case EBUSY:
		return op == 8;
	case ENOENT: case ERANGE: case EINTR:
		return op == 9;
	default:
		return 0;
	}
}

static void count(int op, long ret)
{
	st->ops[op]++;
	if (ret >= 0) {
		st->ok[op]++;
		return;
	}
	st->errs[op][errno < 134 && errno > 0 ? errno : 0]++;
	if (!documented(op, errno)) {
		st->bad_errno++;
		if (st->bad_errno < 10)
			printf("# %s: undocumented errno %d (%s)\n", op_name[op], errno,
			       strerror(errno));
	}
}

/* Does [a, a + len) overlap memory the fuzzer owns (besides the arena)? */
static int clobbers(uint64_t a, uint64_t len)
{
	const struct { void *p; uint64_t l; } own[] = {
		{ low, 4 * ps }, { low_ro, ps }, { high, 2 * ps }, { ro, ps }, { st, sizeof(*st) },
	};

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		uint64_t o = (uintptr_t)own[i].p;

		if (a < o + own[i].l && o < a + len)
			return 1;
	}
	return 0;
}

static int rnd_fd(void)
{
	switch (pick(8)) {
	case 0:
		return chance(80) ? -1 : INT_MIN;
	case 1:
		return (int)rnd32();
	case 2:
		return 1000 + pick(100);	/* closed */
	default:
		return fds[pick(nfds)];
	}
}

/* ---- the commands ---- */

static void op_raw(void)
{
	unsigned int cmd;

	if (chance(50))
		cmd = _IOC(pick(4), EMUCOMPAT_IOC_MAGIC, pick(16), pick(1 << 14));
	else
		cmd = rnd32();
	/*
	 * Real commands are the other ops' business: a random MMAP_RANGE could
	 * legitimately MAP_FIXED over the fuzzer itself, a FORWARDER (0x07)
	 * returns a descriptor to close.
	 */
	if (_IOC_TYPE(cmd) == EMUCOMPAT_IOC_MAGIC && (_IOC_NR(cmd) <= 5 || _IOC_NR(cmd) == 7))
		cmd = _IOC(_IOC_DIR(cmd), EMUCOMPAT_IOC_MAGIC, 8 + pick(8), _IOC_SIZE(cmd));
	fill_struct(high, ps);
	count(0, ioctl(ecfd, cmd, struct_ptr(64)));
}

static void op_info(void)
{
	uint32_t size = rnd_size(EMUCOMPAT_INFO_SIZE_VER0);
	void *p;

	fill_struct(high, size);
	memcpy(high, &size, 4);
	p = struct_ptr(size);
	count(1, ioctl(ecfd, _IOC(_IOC_READ | _IOC_WRITE, EMUCOMPAT_IOC_MAGIC, 0,
				  chance(80) ? sizeof(struct emucompat_info) : pick(1 << 14)),
		       p));
}

/* Real compat ioctl numbers, so the handlers behind them run too. */
static const uint32_t real_cmds[] = {
	0x5401 /* TCGETS */, 0x5402 /* TCSETS */, 0x540b /* TCFLSH */, 0x541b /* FIONREAD */,
	0x5421 /* FIONBIO */, 0x5451 /* FIOCLEX */, 0x5450 /* FIONCLEX */, 0x5452 /* FIOASYNC */,
	0x5413 /* TIOCGWINSZ */, 0x5414 /* TIOCSWINSZ */, 0x80045430 /* TIOCGPTN */,
	0x40045431 /* TIOCSPTLCK */, 0x80046601 /* FS_IOC32_GETFLAGS */,
	0x80047601 /* FS_IOC32_GETVERSION */, 0x8912 /* SIOCGIFCONF */, 0x8913 /* SIOCGIFFLAGS */,
	0x8927 /* SIOCGIFHWADDR */, 0x890b /* SIOCADDRT */, 0x8933 /* SIOCGIFINDEX */,
	0x541c /* TIOCLINUX */, 0x5437 /* TIOCSERGETLSR */, 0x00009410 /* BTRFS_IOC_? */,
	0xc0086400 /* DRM_IOCTL_VERSION-ish */, 0x80086601 /* FS_IOC_GETFLAGS (64) */,
	0x40049409 /* FICLONE */, 0xc020660b /* FS_IOC_FIEMAP */, 0x4c00 /* LOOP_SET_FD */,
};

/* A 32-bit ioctl argument: NULL, unmapped, read-only, random, or garbage. */
static uint32_t rnd_arg(void)
{
	switch (pick(6)) {
	case 0:
		return 0;
	case 1:
		return low_hole;
	case 2:
		return pt_u32(low_ro);
	case 3:
		return rnd32();
	default:
		memset(low, (int)rnd32(), 4 * ps);
		return pt_u32(low) + pick((uint32_t)(4 * ps - 64));
	}
}

static void op_ioctl32(void)
{
	struct emucompat_ioctl32 *r = (struct emucompat_ioctl32 *)high;
	uint32_t size = rnd_size(EMUCOMPAT_IOCTL32_SIZE_VER0);
	uint32_t cmd, arg;

	fill_struct(high, size);
	if (chance(70))
		cmd = real_cmds[pick(sizeof(real_cmds) / sizeof(real_cmds[0]))];
	else if (chance(50))
		cmd = _IOC(pick(4), pick(256), pick(256), pick(1 << 14));
	else
		cmd = rnd32();
	arg = rnd_arg();
	r->size = size;
	r->fd = rnd_fd();
	r->cmd = cmd;
	r->arg = arg;
	if (info.flags & EMUCOMPAT_INFO_NEEDS_PIVOT) {
		switch (pick(4)) {
		case 0:
			r->pivot_sp = rnd64();
			break;
		case 1:
			r->pivot_sp = 0;
			break;
		default:
			/* the top of our own low buffer: compat_alloc_user_space() writes there */
			r->pivot_sp = ((uintptr_t)low + 4 * ps) & ~15ULL;
		}
	} else if (chance(5)) {
		r->pivot_sp = rnd64();
	}
	count(2, ioctl(ecfd, _IOC(_IOC_READ | _IOC_WRITE, EMUCOMPAT_IOC_MAGIC, 1,
				  sizeof(struct emucompat_ioctl32)),
		       chance(85) ? (void *)r : struct_ptr(size)));
}

static uint64_t rnd_addr(void)
{
	static const uint64_t fixed[] = {
		0, 1, 0x10000, 0xfffff000, 1ULL << 32, (1ULL << 32) + 4096, 1ULL << 47,
		(1ULL << 47) - 4096, 1ULL << 48, ~0ULL, ~0ULL << 12, 0x8000000000000000ULL,
	};

	switch (pick(5)) {
	case 0:
		return fixed[pick(sizeof(fixed) / sizeof(fixed[0]))];
	case 1:
		return rnd64();
	case 2:
		return rnd64() & ((1ULL << 32) - 1);
	case 3:
		return info.task_size - pick(1 << 20) * ps;
	default:
		return (uintptr_t)arena + pick(ARENA_LEN / ps) * ps + (chance(10) ? pick(4096) : 0);
	}
}

static uint64_t rnd_len(void)
{
	switch (pick(6)) {
	case 0:
		return 0;
	case 1:
		return rnd64();
	case 2:
		return 1 + pick(1 << 20);
	case 3:
		return (uint64_t)(1 + pick(64)) << 20;
	default:
		return (1 + pick(16)) * ps;
	}
}

static const uint32_t map_flags[] = {
	MAP_SHARED, MAP_PRIVATE, MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_NORESERVE,
	MAP_GROWSDOWN, MAP_HUGETLB, MAP_STACK, MAP_SHARED_VALIDATE, 0x40 /* MAP_32BIT on x86 */, MAP_POPULATE,
	MAP_LOCKED, MAP_SYNC, 0x4000000 /* MAP_UNINITIALIZED */, 0x8000000,
};

static uint32_t rnd_mflags(void)
{
	uint32_t f = 0;
	int n = 1 + (int)pick(4);

	if (chance(5))
		return rnd32();
	if (chance(70))
		f = MAP_PRIVATE | MAP_ANONYMOUS;
	while (n--)
		f |= map_flags[pick(sizeof(map_flags) / sizeof(map_flags[0]))];
	return f;
}

/*
 * Keep the fuzzer alive without hiding bugs: a MAP_FIXED placement (which
 * replaces whatever is there, as mmap does) is aimed at the arena; a
 * populated or locked mapping stays small.
 */
static void tame(uint32_t flags, uint64_t *lo, uint64_t *len)
{
	if ((flags & MAP_FIXED) && !(flags & MAP_FIXED_NOREPLACE & ~MAP_FIXED)) {
		*lo = (uintptr_t)arena + pick(ARENA_LEN / ps / 2) * ps;
		if (*len > ARENA_LEN / 2)
			*len = ps;
	}
	if ((flags & (MAP_POPULATE | MAP_LOCKED)) && *len > (1 << 20))
		*len = 1 << 20;
}

static void check_placed(int op, uint64_t addr, uint64_t len, uint64_t lo, uint64_t hi,
			 uint32_t flags)
{
	uint64_t end = addr + len, lo_dn = lo & ~(ps - 1);
	int in;

	/* bounds beyond the address space are clamped to it */
	if (hi > info.task_size)
		hi = info.task_size;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))
		in = addr == lo_dn || addr == lo;
	else if (lo == hi)
		in = 1;
	else if (lo < hi)
		in = addr >= lo_dn && end <= hi;
	else
		in = addr >= lo_dn || end <= hi;
	if (!in) {
		st->outside++;
		if (st->outside <= 10)
			printf("# %s: %#llx+%#llx outside [%#llx, %#llx) flags %#x\n", op_name[op],
			       (unsigned long long)addr, (unsigned long long)len,
			       (unsigned long long)lo, (unsigned long long)hi, flags);
	}
	if (clobbers(addr, len)) {
		st->clobber++;
		printf("# %s: %#llx+%#llx maps over the fuzzer's own memory\n", op_name[op],
		       (unsigned long long)addr, (unsigned long long)len);
	}
}

static void unmap_result(uint64_t addr, uint64_t len)
{
	if (addr >= (uintptr_t)arena && addr + len <= (uintptr_t)arena + ARENA_LEN)
		mmap((void *)(uintptr_t)addr, len, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	else
		munmap((void *)(uintptr_t)addr, len);
}

/*
 * A failed MAP_FIXED / MREMAP_FIXED may already have unmapped its target
 * (mmap(2) and mremap(2) semantics: the old mapping is discarded first):
 * put the arena's reservation back there.
 */
static void rereserve(uint64_t lo, uint64_t len)
{
	uint64_t a = lo & ~(ps - 1), end = (lo + len + ps - 1) & ~(ps - 1);

	if (a < (uintptr_t)arena || end > (uintptr_t)arena + ARENA_LEN || end <= a)
		return;
	mmap((void *)(uintptr_t)a, end - a, PROT_NONE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
}

static void op_mmap_range(void)
{
	struct emucompat_mmap_range *m = (struct emucompat_mmap_range *)high;
	uint32_t size = rnd_size(EMUCOMPAT_MMAP_RANGE_SIZE_VER0);
	void *p = chance(90) ? (void *)m : struct_ptr(size);
	uint64_t lo = rnd_addr(), hi = chance(20) ? lo : rnd_addr(), len = rnd_len();
	uint32_t flags = rnd_mflags();
	long ret;

	tame(flags, &lo, &len);
	fill_struct(high, size);
	m->size = size;
	m->prot = chance(90) ? (uint32_t)pick(8) : rnd32();
	m->flags = flags;
	m->fd = (flags & MAP_ANONYMOUS) && chance(80) ? -1 : rnd_fd();
	m->lo = lo;
	m->hi = hi;
	m->len = len;
	m->off = chance(80) ? 0 : (chance(50) ? pick(16) * ps : rnd64());
	ret = ioctl(ecfd, _IOC(_IOC_READ | _IOC_WRITE, EMUCOMPAT_IOC_MAGIC, 2,
			       sizeof(struct emucompat_mmap_range)), p);
	count(3, ret);
	if (ret == 0 && in_high(p)) {
		struct emucompat_mmap_range res;

		/* p may be a misaligned, shifted view of the struct: read it back */
		memcpy(&res, p, sizeof(res));
		if (p == m)
			check_placed(3, res.addr, res.len, lo, hi, flags);
		unmap_result(res.addr, res.len);
	} else if (flags & MAP_FIXED) {
		rereserve(lo, len);
	}
}

static void op_reserve_range(void)
{
	struct emucompat_reserve_range *r = (struct emucompat_reserve_range *)high;
	uint32_t size = rnd_size(EMUCOMPAT_RESERVE_RANGE_SIZE_VER0);
	void *p = chance(90) ? (void *)r : struct_ptr(size);
	uint64_t lo = rnd_addr(), hi = chance(20) ? lo : rnd_addr(), len = rnd_len();
	long ret;

	fill_struct(high, size);
	r->size = size;
	r->flags = chance(90) ? 0 : rnd32();
	r->lo = lo;
	r->hi = hi;
	r->len = len;
	r->align = chance(70) ? 0 : (chance(50) ? 1ULL << pick(40) : rnd64());
	ret = ioctl(ecfd, _IOC(_IOC_READ | _IOC_WRITE, EMUCOMPAT_IOC_MAGIC, 3,
			       sizeof(struct emucompat_reserve_range)), p);
	count(4, ret);
	if (ret == 0 && in_high(p)) {
		struct emucompat_reserve_range res;

		memcpy(&res, p, sizeof(res));
		if (p == r)
			check_placed(4, res.addr, res.len, lo, hi, 0);
		unmap_result(res.addr, res.len);
	}
}

static void op_mremap(void)
{
	uint64_t old_len = (1 + pick(8)) * ps, new_len = chance(10) ? rnd64() : (1 + pick(32)) * ps;
	uint64_t lo = rnd_addr(), hi = chance(20) ? lo : rnd_addr();
	int flags = chance(80) ? MREMAP_MAYMOVE : (int)rnd32();
	void *old, *p;

	old = mmap(NULL, old_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (old == MAP_FAILED)
		return;
	if (flags & MREMAP_FIXED)
		tame(MAP_FIXED, &lo, &new_len);
	p = emucompat_mremap_range(ec, old, old_len, new_len, flags, lo, hi);
	count(5, p == MAP_FAILED ? -1 : 0);
	if (p != MAP_FAILED) {
		if (!(flags & MREMAP_FIXED) && lo != hi && new_len > old_len)
			check_placed(5, (uintptr_t)p, new_len, lo, hi, 0);
		unmap_result((uintptr_t)p, new_len);
		if (flags & MREMAP_DONTUNMAP)
			munmap(old, old_len);	/* left mapped by design */
	} else {
		munmap(old, old_len);
		if (flags & MREMAP_FIXED)
			rereserve(lo, new_len);
	}
}

static void op_shmat(void)
{
	size_t len = (1 + pick(16)) * ps;
	int id = shmget(IPC_PRIVATE, len, IPC_CREAT | 0600);
	uint64_t lo = rnd_addr(), hi = chance(20) ? lo : rnd_addr();
	int flg = chance(80) ? (chance(50) ? SHM_RDONLY : 0) : (int)rnd32();
	void *p;

	if (id < 0)
		return;
	if (chance(10)) {
		shmctl(id, IPC_RMID, NULL);	/* a removed id */
		p = emucompat_shmat_range(ec, id, flg, lo, hi);
	} else {
		p = emucompat_shmat_range(ec, id, flg, lo, hi);
		shmctl(id, IPC_RMID, NULL);
	}
	count(6, p == (void *)-1 ? -1 : 0);
	if (p != (void *)-1) {
		if (lo != hi)
			check_placed(6, (uintptr_t)p, len, lo, hi, 0);
		shmdt(p);
	}
}

static void op_robust(void)
{
	struct emucompat_robust_list32 *r = (struct emucompat_robust_list32 *)high;
	uint32_t size = rnd_size(EMUCOMPAT_ROBUST_LIST32_SIZE_VER0);

	fill_struct(high, size);
	r->size = size;
	r->op = chance(80) ? pick(2) : rnd32();
	/* a garbage list is the caller's own problem: the kernel walks it at exit */
	r->head = chance(50) ? 0 : (chance(50) ? pt_u32(low) : rnd32());
	r->len = chance(70) ? 12 : rnd32();
	if (r->op == EMUCOMPAT_ROBUST_LIST32_GET && chance(70))
		r->head = r->len = 0;
	count(7, ioctl(ecfd, _IOC(_IOC_READ | _IOC_WRITE, EMUCOMPAT_IOC_MAGIC, 4,
				  sizeof(struct emucompat_robust_list32)),
		       chance(90) ? (void *)r : struct_ptr(size)));
}

static void op_dir32(void)
{
	struct emucompat_dir32 *r = (struct emucompat_dir32 *)high;
	uint32_t size = rnd_size(EMUCOMPAT_DIR32_SIZE_VER0);

	fill_struct(high, size);
	r->size = size;
	r->fd = rnd_fd();
	count(8, ioctl(ecfd, _IOC(_IOC_WRITE, EMUCOMPAT_IOC_MAGIC, 5,
				  sizeof(struct emucompat_dir32)),
		       chance(90) ? (void *)r : struct_ptr(size)));
}

/*
 * Process-wide VA limits: random (mostly page-aligned) ranges, GET, CLEAR.
 * Later plain mmaps of this process then land in them, which no check
 * here depends on.
 */
static void op_va_limits(void)
{
	struct emucompat_va_limits *r = (struct emucompat_va_limits *)high;
	uint32_t size = rnd_size(EMUCOMPAT_VA_LIMITS_SIZE_VER0);

	fill_struct(high, size);
	r->size = size;
	r->op = chance(85) ? pick(3) : rnd32();
	if (r->op == EMUCOMPAT_VA_LIMITS_SET) {
		r->lo = rnd_addr();
		r->hi = rnd_addr();
		if (chance(70)) {
			r->lo &= ~(ps - 1);
			r->hi &= ~(ps - 1);
		}
	} else if (chance(80)) {
		r->lo = r->hi = 0;
	}
	if (chance(80))
		r->base = r->flags = r->__pad = 0;
	count(9, ioctl(ecfd, _IOC(_IOC_READ | _IOC_WRITE, EMUCOMPAT_IOC_MAGIC, 6,
				  sizeof(struct emucompat_va_limits)),
		       chance(90) ? (void *)r : struct_ptr(size)));
}

/*
 * EMUCOMPAT_IOC_FORWARDER with random sizes, tails, flags, reserved bits
 * and struct pointers; a descriptor it returns is closed at once.
 */
static void op_forwarder(void)
{
	struct emucompat_forwarder *r = (struct emucompat_forwarder *)high;
	uint32_t size = rnd_size(EMUCOMPAT_FORWARDER_SIZE_VER0);
	long ret;

	fill_struct(high, size);
	r->size = size;
	r->flags = chance(80) ? (chance(50) ? EMUCOMPAT_FORWARDER_CLOEXEC : 0) : rnd32();
	if (chance(80))
		memset(r->reserved, 0, sizeof(r->reserved));
	ret = ioctl(ecfd, chance(90) ? EMUCOMPAT_IOC_FORWARDER :
		    _IOC(pick(4), EMUCOMPAT_IOC_MAGIC, 7, pick(1 << 14)),
		    chance(90) ? (void *)r : struct_ptr(size));
	count(OP_FORWARDER, ret);
	if (ret >= 0)
		close((int)ret);
}

/*
 * Commands the VFS answers on the forwarder itself, before its handler
 * (do_vfs_ioctl()): the upper half of their argument is not a descriptor.
 */
static int vfs_own(uint32_t cmd)
{
	static const uint32_t own[] = {
		FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC, 0x5460 /* FIOQSIZE */, 0x5452, 0xc0045877,
		0xc0045878 /* FIFREEZE, FITHAW */, 0xc020660b /* FS_IOC_FIEMAP */,
		2 /* FIGETBSZ */, 0x40049409 /* FICLONE */, 0x4020940d /* FICLONERANGE */,
		0xc0189436 /* FIDEDUPERANGE */, 0x80111500 /* FS_IOC_GETFSUUID */,
		0x80811501 /* FS_IOC_GETFSSYSFSPATH */,
		0x80086601, 0x40086602, 0x80046601, 0x40046602 /* FS_IOC{,32}_[GS]ETFLAGS */,
		0x801c581f, 0x401c5820 /* FS_IOC_FS[GS]ETXATTR */,
	};

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (own[i] == cmd)
			return 1;
	return 0;
}

/*
 * ioctls on a forwarding descriptor: real and random commands, a random
 * 64-bit argument whose upper half is a random (open, closed, negative,
 * garbage) descriptor, the lower half the usual 32-bit argument; now and
 * then to the forwarder itself or /dev/emucompat.  Any errno may be the
 * handler's, but a target that is not open must be EBADF (for commands
 * the VFS does not answer on the forwarder itself).
 */
static void op_forward(void)
{
	uint32_t cmd, lo;
	int fd, open_before;
	uint64_t arg;
	long ret;

	if (fwdfd < 0)
		return;
	if (chance(60))
		cmd = real_cmds[pick(sizeof(real_cmds) / sizeof(real_cmds[0]))];
	else if (chance(50))
		cmd = _IOC(pick(4), pick(256), pick(256), pick(1 << 14));
	else
		cmd = rnd32();
	switch (pick(10)) {
	case 0:
		fd = fwdfd;
		break;
	case 1:
		fd = ecfd;
		break;
	default:
		fd = rnd_fd();
	}
	lo = rnd_arg();
	arg = chance(95) ? EMUCOMPAT_FWD_ARG(fd, lo) : rnd64();
	fd = (int)(uint32_t)(arg >> 32);
	open_before = fcntl(fd, F_GETFD) >= 0 || errno != EBADF;
	errno = 0;
	ret = ioctl(fwdfd, cmd, (unsigned long)arg);
	count(OP_FORWARD, ret);
	if (!open_before && !vfs_own(cmd) && !(ret == -1 && errno == EBADF)) {
		st->bad_errno++;
		if (st->bad_errno < 10)
			printf("# forward: cmd %#x to fd %d (not open): %ld %s, not EBADF\n", cmd,
			       fd, ret, ret < 0 ? strerror(errno) : "-");
	}
}

#if defined(__x86_64__)
#define FOREIGN_ABI EMUCOMPAT_ABI_ARM
#define FOREIGN_TAB ec_abi_arm_on_i386
#define FOREIGN_ETH ec_abi_ethtool_arm_on_i386
#else
#define FOREIGN_ABI EMUCOMPAT_ABI_I386
#define FOREIGN_TAB ec_abi_i386_on_arm
#define FOREIGN_ETH ec_abi_ethtool_i386_on_arm
#endif

/*
 * emucompat_ioctl32() in a random guest ABI.  Every errno is the forwarded
 * handler's or the library's documented EOPNOTSUPP/EFAULT, so only the
 * kernel log and the leak checks judge; an invalid ABI must be EINVAL.
 */
static void op_guest_abi(void)
{
	unsigned int abi = chance(80) ? FOREIGN_ABI : pick(3), cmd;
	uint8_t *ifr = low + pick((uint32_t)(2 * ps));
	uint32_t arg, data;

	if (chance(2)) {
		abi = 3 + pick(1000);
		if (emucompat_set_guest_abi(ec_abi, abi) != -1 || errno != EINVAL) {
			st->bad_errno++;
			printf("# guest_abi: set_guest_abi(%u) not EINVAL\n", abi);
		}
		return;
	}
	if (emucompat_set_guest_abi(ec_abi, abi))
		tap_bail("emucompat_set_guest_abi(%u): %s", abi, strerror(errno));
	switch (pick(5)) {
	case 4: {
		/*
		 * A guest thread (racer()) flips the struct during the call:
		 * SIOCETHTOOL with ifr_data in the racing pages (sub-command
		 * and rule_cnt changing under the library), or a table command
		 * whose argument is there.  Only the kernel log, the child's
		 * clean exit and the leak checks judge.
		 */
		uint32_t base = pt_u32(racy) + (uint32_t)pick((uint32_t)ps);

		st->racy_calls++;
		if (chance(50)) {
			data = pt_u32(racy) + (uint32_t)pick((uint32_t)ps);
			memcpy(ifr + 16, &data, 4);
			cmd = 0x8946;
			arg = pt_u32(ifr);
		} else {
			cmd = FOREIGN_TAB[pick(sizeof(FOREIGN_TAB) / sizeof(FOREIGN_TAB[0]))].guest_cmd;
			arg = base;
		}
		break;
	}
	case 0:
		/* SIOCETHTOOL: ifr_data somewhere, its sub-command a converted one */
		memset(low, (int)rnd32(), 4 * ps);
		cmd = 0x8946;
		data = chance(80) ? pt_u32(low) + pick((uint32_t)ps) : rnd32();
		memcpy(ifr + 16, &data, 4);
		if (data >= pt_u32(low) && data + 4 <= pt_u32(low) + 4 * ps)
			memcpy(low + (data - pt_u32(low)),
			       &FOREIGN_ETH[pick(sizeof(FOREIGN_ETH) / sizeof(FOREIGN_ETH[0]))].subcmd,
			       4);
		arg = pt_u32(ifr);
		break;
	case 1:
		cmd = rnd32();
		arg = rnd_arg();
		break;
	default:
		cmd = FOREIGN_TAB[pick(sizeof(FOREIGN_TAB) / sizeof(FOREIGN_TAB[0]))].guest_cmd;
		arg = rnd_arg();
		if (chance(15))	/* the struct runs past the end of the buffer */
			arg = pt_u32(low) + (uint32_t)(4 * ps) - 1 - pick(64);
	}
	count(10, emucompat_ioctl32(ec_abi, rnd_fd(), cmd, arg));
}

/*
 * The racing guest thread: rewrites words of the racing pages for as long
 * as the fuzzer runs -- SIOCETHTOOL sub-commands the library converts, and
 * rule counts from 0 to past the library's limit -- with its own generator
 * (pick() is the fuzzer's).
 */
static volatile int racer_stop;

static void *racer(void *arg)
{
	static const uint32_t vals[] = { 0x2d, 0x2e, 0x30, 0x29, 0x31, 0, 1, 2, 0x7fffffff,
					 (1u << 20), (1u << 20) + 1, 0xffffffff };
	uint64_t x = (uint64_t)(uintptr_t)arg | 1;
	uint32_t *w = (uint32_t *)(void *)racy;
	size_t nw = (size_t)(2 * ps) / 4;

	while (!racer_stop) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		__atomic_store_n(&w[x % nw], (x >> 32) & 1 ? vals[(x >> 40) % 12] : (uint32_t)(x >> 20),
				 __ATOMIC_RELAXED);
		st->racer_flips++;
	}
	return NULL;
}

/*
 * The library's per-thread bounce buffer is mapped at the first translated
 * call and grows to the largest one: have it at its largest before the
 * fuzzer counts mappings (an ETHTOOL_GRXCLSRLALL with the most rules the
 * library accepts; on descriptor -1, so nothing else happens).
 */
static void warm_bounce(void)
{
	uint32_t data = pt_u32(low) + 64, sub = 0x30 /* ETHTOOL_GRXCLSRLALL */,
		 cnt = 1u << 20;
	size_t i;

	for (i = 0; i < sizeof(FOREIGN_ETH) / sizeof(FOREIGN_ETH[0]); i++)
		if (FOREIGN_ETH[i].subcmd == sub) {
			const struct ec_abi_span *last =
				&ec_abi_spans[FOREIGN_ETH[i].span + FOREIGN_ETH[i].nspans - 1];

			memset(low, 0, ps);
			memcpy(low + 16, &data, 4);
			memcpy(low + 64, &sub, 4);
			memcpy(low + 64 + last->goff + last->len - 4, &cnt, 4);
			if (emucompat_set_guest_abi(ec_abi, FOREIGN_ABI))
				tap_bail("emucompat_set_guest_abi: %s", strerror(errno));
			emucompat_ioctl32(ec_abi, -1, 0x8946, pt_u32(low));
		}
	/*
	 * ... and the thread's pivot stack, where the kernel needs one (5.10):
	 * a forward the module answers (TCGETS on /dev/null: ENOTTY).  Both
	 * stay for the thread's life, between PROT_NONE guard pages.
	 */
	if (info.flags & EMUCOMPAT_INFO_NEEDS_PIVOT) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (emucompat_set_guest_abi(ec_abi, EMUCOMPAT_ABI_KERNEL))
			tap_bail("emucompat_set_guest_abi: %s", strerror(errno));
		emucompat_ioctl32(ec_abi, null, TCGETS, pt_u32(low));
		close(null);
	}
}

/* ---- set-up ---- */

static void add_fd(int fd)
{
	if (fd >= 0 && nfds < MAXFD)
		fds[nfds++] = fd;
}

static void open_fds(void)
{
	int pfd[2], m, s;

	add_fd(ecfd);
	add_fd(epoll_create1(EPOLL_CLOEXEC));
	add_fd((int)syscall(__NR_io_uring_setup, 4, high));
	memset(high, 0, ps);
	add_fd((int)syscall(__NR_pidfd_open, getpid(), 0));
	add_fd(eventfd(0, EFD_CLOEXEC));
	add_fd(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
	{
		sigset_t ss;

		sigemptyset(&ss);
		sigaddset(&ss, SIGUSR2);
		add_fd(signalfd(-1, &ss, SFD_CLOEXEC));
	}
	add_fd((int)syscall(__NR_memfd_create, "fuzz", 0));
	if (pipe(pfd) == 0) {
		add_fd(pfd[0]);
		add_fd(pfd[1]);
	}
	add_fd(socket(AF_INET, SOCK_DGRAM, 0));
	add_fd(socket(AF_UNIX, SOCK_STREAM, 0));
	if (openpty(&m, &s, NULL, NULL, NULL) == 0) {
		add_fd(m);
		add_fd(s);
	}
	add_fd(open("/", O_RDONLY | O_DIRECTORY));
	add_fd(open("/tmp", O_RDONLY | O_DIRECTORY));
	add_fd(open("/proc/self/status", O_RDONLY));
	add_fd(open("/dev/null", O_RDWR));
	add_fd(open("/dev/zero", O_RDWR));
	s = open("/tmp/fuzzfile", O_RDWR | O_CREAT | O_TRUNC, 0666);
	if (s >= 0 && ftruncate(s, 1 << 20) == 0)
		add_fd(s);
	add_fd(open("/dev/emucompat", O_RDWR));
	if (info.caps & EMUCOMPAT_CAP_FORWARDER) {
		struct emucompat_forwarder r = { .size = sizeof(r) };

		fwdfd = (int)ioctl(ecfd, EMUCOMPAT_IOC_FORWARDER, &r);
		if (fwdfd < 0)
			tap_bail("EMUCOMPAT_IOC_FORWARDER: %s", strerror(errno));
		add_fd(fwdfd);
	}
}

/* Keep /proc/self/maps; print it (and the kept copy) when @show. */
static void dump_maps(const char *what, int show)
{
	static char before[16384];
	char buf[16384];
	FILE *f = fopen("/proc/self/maps", "r");
	size_t n;

	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	if (!show) {
		memcpy(before, buf, n + 1);
		return;
	}
	tap_diag("child maps before:\n%s", before);
	tap_diag("%s:\n%s", what, buf);
}

static void fuzz(unsigned long secs)
{
	struct timespec t0, t;
	unsigned long n = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		switch (pick(16)) {
		case 0:
			op_raw();
			break;
		case 1:
			op_info();
			break;
		case 2:
		case 7:
		case 8:
			op_ioctl32();
			break;
		case 3:
		case 9:
			op_mmap_range();
			break;
		case 4:
			op_reserve_range();
			break;
		case 5:
			op_mremap();
			break;
		case 10:
			op_robust();
			break;
		case 11:
			op_dir32();
			break;
		case 12:
			op_va_limits();
			break;
		case 13:
			op_guest_abi();
			break;
		case 14:
			op_forwarder();
			break;
		case 15:
			op_forward();
			break;
		default:
			op_shmat();
		}
		if (++n % 64)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((unsigned long)(t.tv_sec - t0.tv_sec) >= secs)
			break;
	}
}

int main(void)
{
	unsigned long secs = pt_cmdline_ul("ectest.fuzz_secs=", DEFAULT_SECS);
	uint64_t seed = pt_cmdline_ul("ectest.fuzz_seed=", 0);
	int maps0, maps1, fds0, fds1, status, i;
	unsigned long total = 0, errs = 0;
	pid_t pid;

	ps = (uint64_t)sysconf(_SC_PAGESIZE);
	ec = pt_open_ec(&info);
	ec_abi = emucompat_open();
	if (!ec_abi)
		tap_bail("emucompat_open: %s", strerror(errno));
	ecfd = open("/dev/" EMUCOMPAT_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (ecfd < 0)
		tap_bail("open /dev/emucompat: %s", strerror(errno));
	if (!seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)ts.tv_nsec ^ (uint64_t)getpid();
	}
	seed_state = seed ? seed : 1;
	tap_diag("seed %#llx (replay: ectest.fuzz_seed=%#llx), %lu s",
		 (unsigned long long)seed, (unsigned long long)seed, secs);

	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	low = pt_low_map(ec, 4 * ps);
	racy = pt_low_map(ec, 2 * ps);
	low_ro = pt_low_map(ec, ps);
	mprotect(low_ro, ps, PROT_READ);
	low_hole = pt_low_hole(ec);
	high = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	arena = mmap(NULL, ARENA_LEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		     -1, 0);
	if (st == MAP_FAILED || high == MAP_FAILED || ro == MAP_FAILED || arena == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	mprotect(high + ps, ps, PROT_NONE);
	/*
	 * A FIONREAD forwarded to a forwarder goes on to descriptor 0 (the
	 * upper half of a 32-bit argument); were a forwarder itself at 0 the
	 * module recursed (see t_forwarder): keep 0 taken by something else.
	 */
	if (fcntl(0, F_GETFD) < 0 && open("/dev/null", O_RDONLY) != 0)
		tap_bail("descriptor 0: %s", strerror(errno));
	open_fds();
	tap_diag("%d descriptors to forward to%s", nfds,
		 fwdfd >= 0 ? ", a forwarder among them" : "; no forwarder here");

	maps0 = pt_count_maps();
	fds0 = pt_count_fds();
	tap_flush();
	pid = fork();
	if (pid == 0) {
		/* unprivileged, as an emulator runs: no CAP_NET_ADMIN, CAP_SYS_ADMIN, ... */
		static const int quiet[] = { SIGIO, SIGURG, SIGPIPE, SIGTTOU, SIGTTIN, SIGHUP,
					     SIGXFSZ, SIGUSR2 };

		if (setgid(65534) || setuid(65534))
			_exit(3);
		if (fwdfd >= 0) {
			/* a forwarder acts only for its opener: ours at the same number */
			struct emucompat_forwarder r = { .size = sizeof(r) };
			int nf = (int)ioctl(ecfd, EMUCOMPAT_IOC_FORWARDER, &r);

			if (nf < 0 || dup2(nf, fwdfd) < 0)
				_exit(4);
			close(nf);
		}
		/* FIOASYNC & co. on a forwarded descriptor may send these */
		for (i = 0; i < (int)(sizeof(quiet) / sizeof(quiet[0])); i++)
			signal(quiet[i], SIG_IGN);
		pthread_t th;

		alarm(secs + 120);	/* a call that never returns fails the test */
		warm_bounce();
		/* the racing thread runs through both counts: its stack is in each */
		if (pthread_create(&th, NULL, racer, (void *)(uintptr_t)seed_state))
			_exit(4);
		st->maps_start = pt_count_maps();
		st->fds_start = pt_count_fds();
		dump_maps("child maps before", 0);
		fuzz(secs);
		st->maps_end = pt_count_maps();
		st->fds_end = pt_count_fds();
		dump_maps("child maps after", st->maps_end != st->maps_start);
		racer_stop = 1;
		pthread_join(th, NULL);
		_exit(0);
	}
	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "fuzzing child (uid 65534) ran %lu s and exited cleanly (status %#x)", secs, status);

	for (i = 0; i < NOPS; i++) {
		total += st->ops[i];
		errs += st->ops[i] - st->ok[i];
		tap_diag("%-14s %8lu calls, %8lu succeeded", op_name[i], st->ops[i], st->ok[i]);
	}
	for (i = 0; i < NOPS; i++) {
		char line[512];
		int len = 0;

		for (int e = 0; e < 134; e++)
			if (st->errs[i][e] && len < (int)sizeof(line) - 32)
				len += snprintf(line + len, sizeof(line) - len, " %s:%lu",
						e ? ic_errname(e) : "?", st->errs[i][e]);
		tap_diag("%-14s errnos:%s", op_name[i], len ? line : " none");
	}
	/* 10 calls a second is what a KASAN + lockdep kernel under TCG manages */
	tap_ok(total >= 10 * secs, "%lu calls (%lu failed as expected for garbage)", total, errs);
	for (i = 0; i < NOPS; i++)
		if (i == OP_FORWARD && fwdfd < 0)
			tap_skip("no EMUCOMPAT_CAP_FORWARDER", "%s was exercised", op_name[i]);
		else
			tap_ok(st->ops[i] > 0, "%s was exercised (%lu calls, %lu succeeded)",
			       op_name[i], st->ops[i], st->ok[i]);
	tap_ok(st->racy_calls > 0 && st->racer_flips > 0,
	       "guest-ABI calls on structs a guest thread flips during the call: %lu calls, "
	       "%lu flips", st->racy_calls, st->racer_flips);
	tap_ok(!st->bad_errno, "every struct-validation errno is a documented one (%lu not)",
	       st->bad_errno);
	tap_ok(!st->outside, "no mapping placed outside its range (%lu)", st->outside);
	tap_ok(!st->clobber, "no mapping placed over the fuzzer's own memory (%lu)", st->clobber);

	tap_ok(st->maps_end == st->maps_start && st->fds_end == st->fds_start,
	       "fuzzing child left nothing behind: maps %d -> %d, fds %d -> %d",
	       st->maps_start, st->maps_end, st->fds_start, st->fds_end);
	maps1 = pt_count_maps();
	fds1 = pt_count_fds();
	tap_ok(maps1 == maps0 && fds1 == fds0, "parent unchanged: maps %d -> %d, fds %d -> %d",
	       maps0, maps1, fds0, fds1);
	emucompat_close(ec);
	return tap_done();
}
