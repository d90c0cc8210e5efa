// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_sec_mdwe - /dev/emucompat cannot be used around a W^X seccomp filter.
 *
 * systemd's MemoryDenyWriteExecute= (before PR_SET_MDWE) is a seccomp
 * filter: mmap() with PROT_WRITE|PROT_EXEC, mprotect()/pkey_mprotect()
 * with PROT_EXEC and shmat() with SHM_EXEC fail with EPERM.  The filter
 * sees EMUCOMPAT_IOC_MMAP_RANGE only as an ioctl, never its prot, so the
 * module refuses PROT_EXEC to callers under seccomp (SECURITY.md), unless
 * the administrator set allow_seccomp=1.  In a child under that filter:
 *
 *   - controls: the native mmap(RWX) and mprotect(+X) are the filter's
 *     EPERM, a native RW mmap works;
 *   - INFO reports EMUCOMPAT_INFO_SECCOMP_EXEC_REFUSED;
 *   - raw MMAP_RANGE with RWX, and with R-X, is EPERM and maps nothing;
 *     MAP_FIXED RWX over a page of ours is EPERM and the page is unchanged;
 *     RW works, and the filter then refuses mprotect(+X) on it;
 *   - emucompat_mmap_range(RWX) is EPERM with nothing left behind (the
 *     library maps RW and asks for X with mprotect(), which the filter
 *     refuses);
 *   - RESERVE_RANGE places only PROT_NONE, and its placeholder cannot be
 *     made executable; emucompat_mremap_range() keeps the prot it moves;
 *     emucompat_shmat_range(SHM_EXEC) meets the filter (EPERM), without
 *     SHM_EXEC it works;
 * and outside seccomp, or with allow_seccomp=1, MMAP_RANGE RWX works: the
 * refusal is the seccomp policy and nothing else.  The parameter is
 * restored afterwards.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe_util.h"

#ifndef SHM_EXEC
#define SHM_EXEC 0100000
#endif
#ifndef __NR_pkey_mprotect
#define __NR_pkey_mprotect 329	/* x86-64; arm64 has 288 in its headers */
#endif

#define LO	(1ULL << 30)
#define HI	(1ULL << 32)
#define RWX	(PROT_READ | PROT_WRITE | PROT_EXEC)

static uint64_t ps;

/* systemd's MemoryDenyWriteExecute= rules, EPERM instead of a kill. */
static int install_mdwe(void)
{
	struct sock_filter insn[] = {
		/* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 0, 3),
		/* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
		/* 3 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, PROT_WRITE | PROT_EXEC),
		/* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROT_WRITE | PROT_EXEC, 8, 7),
		/* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mprotect, 1, 0),
		/* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pkey_mprotect, 0, 2),
		/* 7 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
		/* 8 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 4, 3),
		/* 9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_shmat, 0, 2),
		/* 10 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
		/* 11 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, SHM_EXEC, 1, 0),
		/* 12 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* 13 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
	};
	struct sock_fprog prog = { .len = sizeof(insn) / sizeof(insn[0]), .filter = insn };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/* The permissions /proc/self/maps shows for @addr, "" if unmapped. */
static void perms_of(uint64_t addr, char out[8])
{
	unsigned long s, e;
	char line[512], p[8];
	FILE *f = fopen("/proc/self/maps", "re");

	out[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s", &s, &e, p) == 3 && addr >= s && addr < e) {
			memcpy(out, p, 8);
			break;
		}
	}
	fclose(f);
}

static long mmap_range(int ecfd, uint32_t prot, uint32_t flags, uint64_t lo, uint64_t hi,
		       uint64_t *addr)
{
	struct emucompat_mmap_range r = {
		.size = sizeof(r), .prot = prot, .flags = flags, .fd = -1,
		.lo = lo, .hi = hi, .len = ps,
	};
	long ret = ioctl(ecfd, EMUCOMPAT_IOC_MMAP_RANGE, &r);

	*addr = ret == 0 ? r.addr : 0;
	return ret;
}

#define NRES 24

struct res {
	int v[NRES];	/* results, -1000 - errno for a failure */
	char perms[4][8];
};

static int rc(long ret)
{
	return ret < 0 ? -1000 - errno : (int)ret;
}

enum {
	R_FILTER, R_NATIVE_RWX, R_NATIVE_MPROT, R_NATIVE_RW, R_INFO_FLAG,
	R_RAW_RWX, R_RAW_RX, R_MAPS_AFTER_RAW, R_RAW_FIXED, R_FIXED_BYTE, R_RAW_RW,
	R_RW_IN_RANGE, R_RW_MPROT, R_LIB_RWX, R_MAPS_AFTER_LIB, R_RESERVE, R_RESERVE_MPROT,
	R_MREMAP, R_SHM_EXEC, R_SHM, R_MAPS0,
};

static void mdwe_child(int wfd)
{
	struct emucompat_info ci = { .size = sizeof(ci) };
	struct res o;
	struct emucompat *e;
	uint64_t a = 0, rw = 0;
	int ecfd, shmid, m0;
	uint8_t *p, *fixed;
	void *q;

	memset(&o, 0, sizeof(o));
	for (int i = 0; i < NRES; i++)
		o.v[i] = -1;
	e = emucompat_open();
	ecfd = open("/dev/" EMUCOMPAT_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	fixed = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shmid = shmget(IPC_PRIVATE, ps, IPC_CREAT | 0600);
	if (!e || ecfd < 0 || fixed == MAP_FAILED || shmid < 0) {
		if (shmid >= 0)
			shmctl(shmid, IPC_RMID, NULL);
		pt_child_exit(wfd, &o, sizeof(o));
	}
	memset(fixed, 0x3c, ps);

	o.v[R_FILTER] = install_mdwe();
	if (o.v[R_FILTER]) {
		shmctl(shmid, IPC_RMID, NULL);
		pt_child_exit(wfd, &o, sizeof(o));
	}
	/* controls: the filter works */
	p = mmap(NULL, ps, RWX, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	o.v[R_NATIVE_RWX] = p == MAP_FAILED ? -1000 - errno : 0;
	o.v[R_NATIVE_MPROT] = rc(mprotect(fixed, ps, RWX));
	p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	o.v[R_NATIVE_RW] = p == MAP_FAILED ? -1000 - errno : 0;
	if (p != MAP_FAILED)
		munmap(p, ps);
	o.v[R_INFO_FLAG] = ioctl(ecfd, EMUCOMPAT_IOC_INFO, &ci) == 0 &&
			   (ci.flags & EMUCOMPAT_INFO_SECCOMP_EXEC_REFUSED);

	/* the device, raw */
	m0 = pt_count_maps();
	o.v[R_MAPS0] = m0;
	o.v[R_RAW_RWX] = rc(mmap_range(ecfd, RWX, MAP_PRIVATE | MAP_ANONYMOUS, LO, HI, &a));
	perms_of(a, o.perms[0]);
	o.v[R_RAW_RX] = rc(mmap_range(ecfd, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
				      LO, HI, &a));
	o.v[R_MAPS_AFTER_RAW] = pt_count_maps();
	o.v[R_RAW_FIXED] = rc(mmap_range(ecfd, RWX, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
					 (uintptr_t)fixed, (uintptr_t)fixed + ps, &a));
	o.v[R_FIXED_BYTE] = fixed[ps - 1];
	perms_of((uintptr_t)fixed, o.perms[1]);
	o.v[R_RAW_RW] = rc(mmap_range(ecfd, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				      LO, HI, &rw));
	o.v[R_RW_IN_RANGE] = rw >= LO && rw + ps <= HI;
	o.v[R_RW_MPROT] = rw ? rc(mprotect((void *)(uintptr_t)rw, ps, RWX)) : -2;

	/* the library */
	m0 = pt_count_maps();
	q = emucompat_mmap_range(e, LO, HI, ps, RWX, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	o.v[R_LIB_RWX] = q == MAP_FAILED ? -1000 - errno : 0;
	o.v[R_MAPS_AFTER_LIB] = pt_count_maps() - m0;

	{
		struct emucompat_reserve_range r = {
			.size = sizeof(r), .lo = LO, .hi = HI, .len = ps,
		};

		o.v[R_RESERVE] = rc(ioctl(ecfd, EMUCOMPAT_IOC_RESERVE_RANGE, &r));
		perms_of(r.addr, o.perms[2]);
		o.v[R_RESERVE_MPROT] = o.v[R_RESERVE] ? -2 :
				       rc(mprotect((void *)(uintptr_t)r.addr, ps, RWX));
	}
	if (rw) {
		q = emucompat_mremap_range(e, (void *)(uintptr_t)rw, ps, 2 * ps, MREMAP_MAYMOVE,
					   LO, HI);
		o.v[R_MREMAP] = q == MAP_FAILED ? -1000 - errno : 0;
		if (q != MAP_FAILED)
			perms_of((uintptr_t)q, o.perms[3]);
	}
	q = emucompat_shmat_range(e, shmid, SHM_EXEC, LO, HI);
	o.v[R_SHM_EXEC] = q == (void *)-1 ? -1000 - errno : 0;
	q = emucompat_shmat_range(e, shmid, 0, LO, HI);
	o.v[R_SHM] = q == (void *)-1 ? -1000 - errno : ((uintptr_t)q >= LO && (uintptr_t)q < HI);
	shmctl(shmid, IPC_RMID, NULL);
	pt_child_exit(wfd, &o, sizeof(o));
}

static const char *en(int v)
{
	return v <= -1000 ? strerrorname_np(-1000 - v) : "-";
}

static void check_filtered(void)
{
	struct res o;
	int res[2];
	pid_t pid;

	memset(&o, 0, sizeof(o));
	pid = pt_fork_child(res);
	if (pid == 0)
		mdwe_child(res[1]);
	if (!pt_child_result(res[0], pid, &o, sizeof(o)) || o.v[R_FILTER]) {
		tap_ok(0, "MDWE child set up its filter (%d)", o.v[R_FILTER]);
		return;
	}
	tap_ok(o.v[R_NATIVE_RWX] == -1000 - EPERM, "control: the filter refuses a native RWX mmap "
	       "(%s)", en(o.v[R_NATIVE_RWX]));
	tap_ok(o.v[R_NATIVE_MPROT] == -1000 - EPERM, "control: the filter refuses mprotect(+X) (%s)",
	       en(o.v[R_NATIVE_MPROT]));
	tap_ok(o.v[R_NATIVE_RW] == 0, "control: a native RW mmap works (%s)", en(o.v[R_NATIVE_RW]));
	tap_ok(o.v[R_INFO_FLAG] == 1, "INFO reports EMUCOMPAT_INFO_SECCOMP_EXEC_REFUSED");
	tap_ok(o.v[R_RAW_RWX] == -1000 - EPERM && !o.perms[0][0],
	       "MMAP_RANGE PROT_READ|WRITE|EXEC under the filter: EPERM, nothing mapped (%s%s%s)",
	       en(o.v[R_RAW_RWX]), o.perms[0][0] ? ", mapped " : "", o.perms[0]);
	tap_ok(o.v[R_RAW_RX] == -1000 - EPERM, "MMAP_RANGE PROT_READ|EXEC under the filter: EPERM "
	       "(%s)", en(o.v[R_RAW_RX]));
	tap_ok(o.v[R_MAPS_AFTER_RAW] == o.v[R_MAPS0], "no mapping left by the refused calls "
	       "(%d -> %d)", o.v[R_MAPS0], o.v[R_MAPS_AFTER_RAW]);
	tap_ok(o.v[R_RAW_FIXED] == -1000 - EPERM && o.v[R_FIXED_BYTE] == 0x3c &&
	       !strcmp(o.perms[1], "rw-p"),
	       "MMAP_RANGE MAP_FIXED RWX over a page of ours: EPERM, the page unchanged (%s, byte "
	       "%#x, %s)", en(o.v[R_RAW_FIXED]), o.v[R_FIXED_BYTE], o.perms[1]);
	tap_ok(o.v[R_RAW_RW] == 0 && o.v[R_RW_IN_RANGE] == 1,
	       "MMAP_RANGE PROT_READ|WRITE still works, in the range (%s)", en(o.v[R_RAW_RW]));
	tap_ok(o.v[R_RW_MPROT] == -1000 - EPERM,
	       "and the filter refuses mprotect(+X) on that mapping (%s)", en(o.v[R_RW_MPROT]));
	tap_ok(o.v[R_LIB_RWX] == -1000 - EPERM && o.v[R_MAPS_AFTER_LIB] == 0,
	       "emucompat_mmap_range(RWX): EPERM (its mprotect() met the filter), nothing left "
	       "(%s, %+d mappings)", en(o.v[R_LIB_RWX]), o.v[R_MAPS_AFTER_LIB]);
	tap_ok(o.v[R_RESERVE] == 0 && !strcmp(o.perms[2], "---p") &&
	       o.v[R_RESERVE_MPROT] == -1000 - EPERM,
	       "RESERVE_RANGE places PROT_NONE (%s) that the filter keeps from becoming executable "
	       "(%s)", o.perms[2], en(o.v[R_RESERVE_MPROT]));
	tap_ok(o.v[R_MREMAP] == 0 && !strcmp(o.perms[3], "rw-p"),
	       "emucompat_mremap_range() moves the RW mapping and keeps its prot (%s, %s)",
	       en(o.v[R_MREMAP]), o.perms[3]);
	tap_ok(o.v[R_SHM_EXEC] == -1000 - EPERM,
	       "emucompat_shmat_range(SHM_EXEC): the filter's EPERM (%s)", en(o.v[R_SHM_EXEC]));
	tap_ok(o.v[R_SHM] == 1, "emucompat_shmat_range() without SHM_EXEC works, in the range (%d %s)",
	       o.v[R_SHM], en(o.v[R_SHM]));
}

/* Under any filter (allow-all): MMAP_RANGE RWX with allow_seccomp=1 works. */
static void allowed_child(int wfd)
{
	struct sock_filter insn[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sock_fprog prog = { .len = 1, .filter = insn };
	int out[2] = { -1, -1 }, ecfd = open("/dev/" EMUCOMPAT_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	uint64_t a = 0;

	if (ecfd < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		pt_child_exit(wfd, out, sizeof(out));
	out[0] = 0;
	out[1] = rc(mmap_range(ecfd, RWX, MAP_PRIVATE | MAP_ANONYMOUS, LO, HI, &a));
	pt_child_exit(wfd, out, sizeof(out));
}

static void check_parameter(void)
{
	int allow0 = pt_module_param_on("allow_seccomp"), out[2] = { -1, -1 }, res[2];
	const char *path = "/sys/module/emucompat/parameters/allow_seccomp";
	pid_t pid;

	tap_ok(allow0 == 0, "default: allow_seccomp=0 (%d)", allow0);
	if (access(path, W_OK) || pt_write_file(path, "1")) {
		tap_skip("cannot write the parameter", "allow_seccomp=1: RWX under seccomp");
		return;
	}
	pid = pt_fork_child(res);
	if (pid == 0)
		allowed_child(res[1]);
	if (!pt_child_result(res[0], pid, out, sizeof(out)))
		out[0] = -2;
	tap_ok(out[0] == 0 && out[1] == 0,
	       "allow_seccomp=1: MMAP_RANGE RWX under a seccomp filter works (%d %s): the "
	       "administrator's choice", out[1], en(out[1]));
	tap_ok(pt_write_file(path, allow0 ? "1" : "0") == 0 &&
	       pt_module_param_on("allow_seccomp") == allow0, "allow_seccomp=%d restored", allow0);
}

int main(void)
{
	struct emucompat_info info;
	struct emucompat *ec;
	uint64_t a = 0;
	int ecfd;
	long r;

	ps = (uint64_t)sysconf(_SC_PAGESIZE);
	ec = pt_open_ec(&info);
	ecfd = open("/dev/" EMUCOMPAT_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (ecfd < 0)
		tap_bail("open: %s", strerror(errno));
	if (pt_module_param_on("allow_seccomp") != 0)
		tap_bail("allow_seccomp is not 0 at the start");
	/* outside seccomp the module refuses nothing */
	tap_ok(!(info.flags & EMUCOMPAT_INFO_SECCOMP_EXEC_REFUSED),
	       "without seccomp INFO does not report SECCOMP_EXEC_REFUSED");
	r = mmap_range(ecfd, RWX, MAP_PRIVATE | MAP_ANONYMOUS, LO, HI, &a);
	tap_ok(r == 0 && a >= LO && a < HI, "without seccomp MMAP_RANGE RWX works (%ld %s)", r,
	       r < 0 ? strerrorname_np(errno) : "-");
	if (a)
		munmap((void *)(uintptr_t)a, ps);
	check_filtered();
	check_parameter();
	close(ecfd);
	emucompat_close(ec);
	return tap_done();
}
