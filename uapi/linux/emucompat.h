/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT */
/*
 * emucompat — the ioctl ABI of /dev/emucompat, shared by the kernel module
 * and libemucompat.
 *
 * Every command takes a pointer to a struct whose first member is a __u32
 * `size`: the number of bytes of the struct that the caller knows about
 * (sizeof() of its copy of this header).  The module accepts any size from
 * the command's first published size (EMUCOMPAT_*_SIZE_VER0) up to one page:
 *   - a size smaller than VER0 fails with EINVAL,
 *   - a size larger than one page fails with E2BIG,
 *   - bytes beyond the module's own struct must be zero, else E2BIG
 *     (the clone3/openat2 rule; a newer caller on an older module),
 *   - reserved members inside the struct must be zero, else EINVAL.
 * Results are written back only into the first `size` bytes.
 *
 * A command that acts and then reports (MMAP_RANGE, RESERVE_RANGE,
 * VA_LIMITS SET) first checks that the struct lies in writable memory and
 * fails with EFAULT, having done nothing, if it does not.  If the struct
 * becomes unwritable during the call (another thread unmaps or protects
 * it), the write-back fails with EFAULT but what was done stands: the
 * module never undoes it, since another thread may already have replaced
 * it (unmapped the placement and mapped its own memory there, set its own
 * limits).  The mapping then stays in the caller's address space at an
 * address it was not told, as with the kernel's own calls that return an
 * address through user memory (ipc(SHMAT)); GET reports the limits.
 *
 * The ioctl numbers encode the VER0 size; the module matches on type,
 * direction and number only, so a grown struct keeps its command number.
 */
#ifndef _UAPI_LINUX_EMUCOMPAT_H
#define _UAPI_LINUX_EMUCOMPAT_H

#include <linux/const.h>
#include <linux/types.h>
#include <linux/ioctl.h>

#define EMUCOMPAT_DEVICE_NAME	"emucompat"
#define EMUCOMPAT_API_VERSION	1

#define EMUCOMPAT_IOC_MAGIC	0xE6

/* emucompat_info.arch */
#define EMUCOMPAT_ARCH_X86_64	1
#define EMUCOMPAT_ARCH_ARM64	2

/* emucompat_info.caps: one bit per operation the module performs here */
#define EMUCOMPAT_CAP_IOCTL32		_BITULL(0)	/* EMUCOMPAT_IOC_IOCTL32 */
#define EMUCOMPAT_CAP_MMAP_RANGE	_BITULL(1)	/* EMUCOMPAT_IOC_MMAP_RANGE */
/*
 * MREMAP_RANGE and SHMAT_RANGE have no ioctl of their own and are always
 * set: they are library features (emucompat_mremap_range(),
 * emucompat_shmat_range()) built on EMUCOMPAT_IOC_RESERVE_RANGE, which
 * every module version has.  Kept for the ABI.
 */
#define EMUCOMPAT_CAP_MREMAP_RANGE	_BITULL(2)
#define EMUCOMPAT_CAP_SHMAT_RANGE	_BITULL(3)
#define EMUCOMPAT_CAP_ROBUST_LIST32	_BITULL(4)	/* EMUCOMPAT_IOC_ROBUST_LIST32 */
#define EMUCOMPAT_CAP_DIR32		_BITULL(5)	/* EMUCOMPAT_IOC_DIR32 */
/*
 * EMUCOMPAT_IOC_VA_LIMITS: kernel-chosen placements start inside the limits
 * and stay there while the range has room; not a hard wall on any kernel
 * (a full range overflows, hints are honoured): see emucompat_va_limits.
 */
#define EMUCOMPAT_CAP_VA_LIMITS		_BITULL(6)
/*
 * EMUCOMPAT_IOC_FORWARDER: a forwarding descriptor (struct
 * emucompat_forwarder).  Clear on kernels that need the pivot stack
 * (EMUCOMPAT_INFO_NEEDS_PIVOT): a forward has no room for one there.
 */
#define EMUCOMPAT_CAP_FORWARDER		_BITULL(7)

/* emucompat_info.flags */
/* ioctl32 needs a low stack (kernel has compat_alloc_user_space()) */
#define EMUCOMPAT_INFO_NEEDS_PIVOT	_BITUL(0)
/* ioctl32 would be refused with EPERM for this caller (seccomp) */
#define EMUCOMPAT_INFO_SECCOMP_REFUSED	_BITUL(1)
/* the forwarding descriptor would refuse this caller with EPERM (seccomp) */
#define EMUCOMPAT_INFO_FWD_SECCOMP_REFUSED	_BITUL(2)
/*
 * EMUCOMPAT_IOC_MMAP_RANGE would refuse PROT_EXEC for this caller with EPERM
 * (seccomp, allow_seccomp=0): map without it, then mprotect(), which the
 * filter sees; emucompat_mmap_range() does that
 */
#define EMUCOMPAT_INFO_SECCOMP_EXEC_REFUSED	_BITUL(3)

/**
 * struct emucompat_info - what the module and the running kernel offer
 * @size: in: caller's sizeof(struct emucompat_info); unchanged on return
 * @api_version: EMUCOMPAT_API_VERSION of the module
 * @caps: EMUCOMPAT_CAP_* bits
 * @arch: EMUCOMPAT_ARCH_*
 * @flags: EMUCOMPAT_INFO_* bits
 * @task_size: end of the caller's user address space
 * @mmap_min: lowest address the module will place a ranged mapping at
 * @pivot_stack_size: minimum pivot stack the caller must pass, in bytes
 *                    (0 when the kernel needs no pivot)
 * @kernel_version: KERNEL_VERSION() of the headers the module was built with
 * @compat_task_size: end of a real 32-bit process's address space on this
 *                    kernel (arm64: 4 GiB - 4 KiB, x86-64: 4 GiB - 8 KiB).
 *                    Memory that forwarded ioctls touch must lie below it:
 *                    on arm64 the compat flag shrinks TASK_SIZE to this
 *                    value, and a handler faulting in a page above it gets
 *                    EFAULT, as a real 32-bit process would.
 * @reserved: zero
 */
struct emucompat_info {
	__u32 size;
	__u32 api_version;
	__u64 caps;
	__u32 arch;
	__u32 flags;
	__u64 task_size;
	__u64 mmap_min;
	__u32 pivot_stack_size;
	__u32 kernel_version;
	__u64 compat_task_size;
	__u64 reserved[3];
};

#define EMUCOMPAT_INFO_SIZE_VER0	80

/* emucompat_ioctl32.flags (in) */
/* none defined yet: must be 0 */

/* emucompat_ioctl32.out_flags (out) */
/*
 * The kernel's compat_sys_ioctl handles this command itself, generically,
 * with an argument layout identical in both ABIs: the caller must issue
 * ioctl(fd, native_cmd, arg) natively.  Nothing was done and 0 returned.
 */
#define EMUCOMPAT_IOCTL32_NATIVE	_BITUL(0)

/**
 * struct emucompat_ioctl32 - forward one ioctl through the compat layer
 * @size: sizeof(struct emucompat_ioctl32)
 * @fd: the target descriptor, in the caller's file table
 * @cmd: the ioctl command as a 32-bit process would pass it
 * @arg: the 32-bit argument; zero-extended as compat_ptr() does
 * @flags: zero
 * @out_flags: out: EMUCOMPAT_IOCTL32_* bits
 * @pivot_sp: top of a caller-owned low stack (< 4 GiB, 16-byte aligned,
 *            at least emucompat_info.pivot_stack_size bytes below it
 *            mapped read/write); required when the info flags have
 *            EMUCOMPAT_INFO_NEEDS_PIVOT, must be 0 otherwise
 * @native_cmd: out: with EMUCOMPAT_IOCTL32_NATIVE, the command to issue
 * @__pad: zero
 * @reserved: zero
 *
 * The ioctl returns what the compat handler returned: >= 0 on success,
 * -1 with errno on failure.
 */
struct emucompat_ioctl32 {
	__u32 size;
	__s32 fd;
	__u32 cmd;
	__u32 arg;
	__u32 flags;
	__u32 out_flags;
	__u64 pivot_sp;
	__u32 native_cmd;
	__u32 __pad;
	__u64 reserved[2];
};

#define EMUCOMPAT_IOCTL32_SIZE_VER0	56

/**
 * struct emucompat_mmap_range - mmap() placed inside [lo, hi)
 * @size: sizeof(struct emucompat_mmap_range)
 * @prot: PROT_* as for mmap()
 * @flags: MAP_* as for mmap()
 * @fd: file descriptor, or -1 with MAP_ANONYMOUS
 * @lo: lowest address of the range; with MAP_FIXED(_NOREPLACE) the address
 * @hi: end of the range (exclusive); lo == hi: anywhere, as plain mmap();
 *      lo > hi: the range wraps, [lo, end) and [start, hi)
 * @len: in: length in bytes; out: the length mapped (rounded up to the
 *       page size, or to the huge page size on hugetlbfs)
 * @off: file offset in bytes (page aligned)
 * @addr: out: where the mapping was placed (a failed write-back leaves
 *        the mapping in place: see the top of this file)
 * @reserved: zero
 */
struct emucompat_mmap_range {
	__u32 size;
	__u32 prot;
	__u32 flags;
	__s32 fd;
	__u64 lo;
	__u64 hi;
	__u64 len;
	__u64 off;
	__u64 addr;
	__u64 reserved[2];
};

#define EMUCOMPAT_MMAP_RANGE_SIZE_VER0	72

/**
 * struct emucompat_reserve_range - reserve a placeholder inside [lo, hi)
 * @size: sizeof(struct emucompat_reserve_range)
 * @flags: zero
 * @lo: range start (see emucompat_mmap_range)
 * @hi: range end (see emucompat_mmap_range)
 * @len: in: length in bytes; out: the placeholder's length (rounded up to
 *       a multiple of @align)
 * @align: required alignment, a power of two >= PAGE_SIZE, or 0 for a page
 * @addr: out: start of the placeholder (a failed write-back leaves it
 *        in place: see the top of this file)
 * @reserved: zero
 *
 * The placeholder is a PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
 * MAP_NORESERVE mapping that the caller then replaces atomically, for
 * instance with mremap(MREMAP_MAYMOVE | MREMAP_FIXED) or
 * shmat(SHM_REMAP), both of which unmap it under the same mmap lock that
 * installs the new mapping.
 */
struct emucompat_reserve_range {
	__u32 size;
	__u32 flags;
	__u64 lo;
	__u64 hi;
	__u64 len;
	__u64 align;
	__u64 addr;
	__u64 reserved[2];
};

#define EMUCOMPAT_RESERVE_RANGE_SIZE_VER0	64

/* emucompat_robust_list32.op */
#define EMUCOMPAT_ROBUST_LIST32_SET	0
#define EMUCOMPAT_ROBUST_LIST32_GET	1

/**
 * struct emucompat_robust_list32 - the calling thread's 32-bit robust list
 * @size: sizeof(struct emucompat_robust_list32)
 * @op: EMUCOMPAT_ROBUST_LIST32_SET or _GET
 * @head: SET: the guest's struct robust_list_head (32-bit layout: next,
 *        futex_offset, list_op_pending; 12 bytes), a 32-bit address, 0 to
 *        unregister; GET: out, the registered head
 * @len: SET: must be 12, as for a 32-bit set_robust_list(); GET: out, 12
 * @reserved: zero
 *
 * The list is the kernel's compat robust list of the calling thread, which
 * the kernel walks at thread exit (besides the thread's own 64-bit list):
 * a robust futex the thread still holds gets FUTEX_OWNER_DIED and a
 * waiter is woken, as for a 32-bit process.
 */
struct emucompat_robust_list32 {
	__u32 size;
	__u32 op;
	__u32 head;
	__u32 len;
	__u64 reserved[2];
};

#define EMUCOMPAT_ROBUST_LIST32_SIZE_VER0	32

/**
 * struct emucompat_dir32 - 32-bit directory offsets on an open directory
 * @size: sizeof(struct emucompat_dir32)
 * @fd: the directory, in the caller's file table, not read from yet
 * @flags: zero
 * @__pad: zero
 * @reserved: zero
 *
 * From then on the filesystem hands out 32-bit hash cookies as directory
 * offsets (getdents64 d_off, lseek, telldir) on this open file, as it
 * does for a 32-bit process (FMODE_32BITHASH).
 */
struct emucompat_dir32 {
	__u32 size;
	__s32 fd;
	__u32 flags;
	__u32 __pad;
	__u64 reserved[2];
};

#define EMUCOMPAT_DIR32_SIZE_VER0	32

/* emucompat_va_limits.op */
#define EMUCOMPAT_VA_LIMITS_SET		0
#define EMUCOMPAT_VA_LIMITS_GET		1
#define EMUCOMPAT_VA_LIMITS_CLEAR	2

/* emucompat_va_limits.flags (out) */
/* the address space places top-down (the default layout): see below */
#define EMUCOMPAT_VA_LIMITS_TOPDOWN	_BITUL(0)

/**
 * struct emucompat_va_limits - where the kernel places mappings for this process
 * @size: sizeof(struct emucompat_va_limits)
 * @op: EMUCOMPAT_VA_LIMITS_SET, _GET or _CLEAR
 * @lo: SET: lowest address, page aligned; GET: out
 * @hi: SET: end (exclusive), page aligned, above @lo; GET: out
 * @base: out (SET, GET): where the kernel's search now starts: the lower
 *        of @hi and the address space's own mmap base when it places
 *        top-down, @lo (at least emucompat_info.mmap_min) when it places
 *        bottom-up
 * @flags: in: zero; out (SET, GET): EMUCOMPAT_VA_LIMITS_* bits
 * @__pad: zero
 * @reserved: zero
 * SET moves the mmap bases of the caller's address space (not of a
 * thread: of every thread sharing it), so that every mapping the kernel
 * places without an address -- mmap() without MAP_FIXED, mremap() moves,
 * shmat(), io_setup()'s ring, a driver's own mapping inside an ioctl --
 * is placed from @base: in a top-down address space at the highest free
 * gap below @base, so inside [@lo, @hi) while a gap there fits the
 * mapping; bottom-up (the legacy layout, an unlimited stack rlimit), at
 * the lowest free gap at or above @lo.  When the range is full the kernel
 * goes on outside it as it always does (top-down: below @lo, then above
 * @hi), rather than failing.  A free hint address is still honoured, as
 * is MAP_32BIT on x86-64.  SET again replaces the limits (threads that
 * SET at the same time are serialised: the last one stands, also when its
 * write-back fails); CLEAR restores the bases SET found.  The limits end
 * with the address space (exec or exit); fork() copies the bases into the
 * child, but GET and CLEAR in the child find no limits until it sets its
 * own.
 */
struct emucompat_va_limits {
	__u32 size;
	__u32 op;
	__u64 lo;
	__u64 hi;
	__u64 base;
	__u32 flags;
	__u32 __pad;
	__u64 reserved[2];
};

#define EMUCOMPAT_VA_LIMITS_SIZE_VER0	56

/* emucompat_forwarder.flags */
/* the new descriptor is close-on-exec (O_CLOEXEC) */
#define EMUCOMPAT_FORWARDER_CLOEXEC	_BITUL(0)

/**
 * struct emucompat_forwarder - open a forwarding descriptor
 * @size: sizeof(struct emucompat_forwarder)
 * @flags: EMUCOMPAT_FORWARDER_* bits
 * @reserved: zero
 *
 * EMUCOMPAT_IOC_FORWARDER returns a new descriptor (nothing is written
 * back) on which every ioctl is one forwarded compat ioctl, with no
 * request struct to copy:
 *
 *   ioctl(fwd, cmd, EMUCOMPAT_FWD_ARG(fd, arg))
 *
 * is EMUCOMPAT_IOC_IOCTL32 with that fd, cmd and 32-bit arg: the guest's
 * command travels as the syscall's own, so seccomp filters and the LSM
 * hook on the forwarder see it; the target descriptor (in the caller's
 * file table at the time of the call) and the argument share the 64-bit
 * argument.  The return value is the handler's, -1 with errno: EBADF for
 * a target that is not open (a negative one included), ENOTTY where no
 * handler knows the command (the forwarder itself, /dev/emucompat, a file
 * without compat_ioctl), EPERM/EOPNOTSUPP as for EMUCOMPAT_IOC_IOCTL32
 * (EMUCOMPAT_INFO_FWD_SECCOMP_REFUSED tells the seccomp case), and
 * EOPNOTSUPP for the commands compat_sys_ioctl() answers generically,
 * which EMUCOMPAT_IOC_IOCTL32 answers with EMUCOMPAT_IOCTL32_NATIVE.
 * Never send through it the commands the VFS answers on any descriptor
 * before its driver sees them (FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC,
 * FIOQSIZE, FIFREEZE, FITHAW, FS_IOC_FIEMAP, FIGETBSZ, FICLONE,
 * FICLONERANGE, FIDEDUPERANGE, FS_IOC_GETFSUUID, FS_IOC_GETFSSYSFSPATH):
 * they would act on the forwarder itself.  A 32-bit caller gets ENOTTY.
 *
 * A forwarder acts only for the address space that opened it: its own
 * threads.  Anyone else -- a fork() child, the new image after exec(), a
 * process that received it with SCM_RIGHTS -- gets EPERM before anything
 * is looked at, so that a process handed a forwarder as an ordinary
 * descriptor never runs a compat ioctl on a descriptor of its own.  The
 * order of the checks is fixed (32-bit caller ENOTTY, not the owner EPERM,
 * EOPNOTSUPP/EPERM as for EMUCOMPAT_IOC_IOCTL32, then the target EBADF),
 * so ioctl(fwd, 0, EMUCOMPAT_FWD_ARG(-1, 0)) failing with EBADF tells the
 * owner; a fork child opens its own forwarder (the library does, on the
 * first EPERM).  The target is looked up in the calling thread's file
 * table at the time of the call.
 */
struct emucompat_forwarder {
	__u32 size;
	__u32 flags;
	__u64 reserved[3];
};

#define EMUCOMPAT_FORWARDER_SIZE_VER0	32

/* The forwarder's argument: the target descriptor and the 32-bit arg. */
#define EMUCOMPAT_FWD_ARG(fd, arg) \
	((((__u64)(__u32)(fd)) << 32) | (__u32)(arg))

#define EMUCOMPAT_IOC_INFO \
	_IOWR(EMUCOMPAT_IOC_MAGIC, 0x00, struct emucompat_info)
#define EMUCOMPAT_IOC_IOCTL32 \
	_IOWR(EMUCOMPAT_IOC_MAGIC, 0x01, struct emucompat_ioctl32)
#define EMUCOMPAT_IOC_MMAP_RANGE \
	_IOWR(EMUCOMPAT_IOC_MAGIC, 0x02, struct emucompat_mmap_range)
#define EMUCOMPAT_IOC_RESERVE_RANGE \
	_IOWR(EMUCOMPAT_IOC_MAGIC, 0x03, struct emucompat_reserve_range)
#define EMUCOMPAT_IOC_ROBUST_LIST32 \
	_IOWR(EMUCOMPAT_IOC_MAGIC, 0x04, struct emucompat_robust_list32)
#define EMUCOMPAT_IOC_DIR32 \
	_IOW(EMUCOMPAT_IOC_MAGIC, 0x05, struct emucompat_dir32)
#define EMUCOMPAT_IOC_VA_LIMITS \
	_IOWR(EMUCOMPAT_IOC_MAGIC, 0x06, struct emucompat_va_limits)
#define EMUCOMPAT_IOC_FORWARDER \
	_IOW(EMUCOMPAT_IOC_MAGIC, 0x07, struct emucompat_forwarder)

#endif /* _UAPI_LINUX_EMUCOMPAT_H */
