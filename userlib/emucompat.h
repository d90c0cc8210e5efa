/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libemucompat — 32-bit compat ioctls and range-restricted mappings for
 * binary translators, on top of /dev/emucompat.
 *
 * Every call follows the conventions of the libc call it replaces:
 * -1 (or MAP_FAILED) with errno set on failure.  A handle may be shared by
 * all threads of a process.
 */
#ifndef EMUCOMPAT_H
#define EMUCOMPAT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/emucompat.h>

#ifdef __cplusplus
extern "C" {
#endif

struct emucompat;

/* Open /dev/emucompat (O_CLOEXEC).  NULL with errno on failure. */
struct emucompat *emucompat_open(void);

/* Close the handle.  Pivot stacks of live threads are freed at their exit. */
void emucompat_close(struct emucompat *ec);

/*
 * Fill @info (struct emucompat_info from <linux/emucompat.h>); the library
 * sets info->size itself.  0, or -1 with errno.
 */
int emucompat_info(struct emucompat *ec, struct emucompat_info *info);

/*
 * ioctl(fd, cmd, arg) as a 32-bit process of the kernel's compat ABI would
 * issue it (i386 on x86-64, AArch32 on arm64).  @arg is zero-extended.
 * Returns the ioctl's result, or -1 with errno.
 */
long emucompat_ioctl32(struct emucompat *ec, int fd, unsigned int cmd, uint32_t arg);

/*
 * The ioctl(2) the library calls for emucompat_ioctl32(): every ioctl it
 * issues on the caller's behalf there (to the module, to the forwarding
 * descriptor, or natively to @fd) goes through @fn, which returns as
 * ioctl(2) does (-1 with errno).  Its result is passed on unchanged, and
 * nothing is retried: an emulator whose blocking syscalls must stay
 * interruptible by its own signal handling (QEMU's safe_syscall()) passes
 * its wrapper.  NULL restores ioctl(2).  Set it before other threads use
 * @ec.  0, or -1 with EINVAL (@ec NULL).
 */
typedef long (*emucompat_ioctl_fn)(int fd, unsigned long request, unsigned long arg);
int emucompat_set_ioctl_fn(struct emucompat *ec, emucompat_ioctl_fn fn);

/*
 * The library's own low memory -- per-thread bounce areas (guest-ABI
 * translation) and pivot stacks (kernels <= 5.14) -- below the compat
 * TASK_SIZE, where the guest's memory lives too.  An emulator that keeps a
 * map of the guest's address space registers the functions that allocate
 * it there, so that the guest can neither map over it nor unmap it:
 *   @alloc(len, guard, opaque): map @len bytes read-write (a multiple of
 *	the page size) ending at or below the compat TASK_SIZE, with @guard
 *	bytes of PROT_NONE right before and right after them; return the
 *	start of the read-write bytes, or NULL with errno;
 *   @free(addr, len, guard, opaque): unmap what @alloc returned, guards
 *	included.
 * Both NULL restores the defaults (emucompat_mmap_range() and munmap()).
 * An area is freed by the functions that allocated it, at the exit of its
 * thread at the latest.  Set them before other threads use @ec.
 * 0, or -1 with EINVAL (@ec NULL, or only one of the functions NULL).
 */
typedef void *(*emucompat_lowmem_alloc_fn)(size_t len, size_t guard, void *opaque);
typedef void (*emucompat_lowmem_free_fn)(void *addr, size_t len, size_t guard, void *opaque);
int emucompat_set_lowmem_fns(struct emucompat *ec, emucompat_lowmem_alloc_fn alloc,
			     emucompat_lowmem_free_fn free, void *opaque);

/*
 * Guest ABIs: the 32-bit ABI whose structs and ioctl numbers the guest
 * passes to emucompat_ioctl32().  The kernel's compat layer speaks one of
 * them (i386 on x86-64, AArch32 EABI on arm64); for the other one the
 * library renumbers the command and converts the argument between the two
 * layouts (a 64-bit member is 4-aligned on i386, 8-aligned on ARM EABI),
 * from tables generated from the uapi headers (userlib/abi/).
 */
#define EMUCOMPAT_ABI_KERNEL	0	/* the kernel's own compat ABI (default) */
#define EMUCOMPAT_ABI_I386	1	/* i386 (x86 32-bit) */
#define EMUCOMPAT_ABI_ARM	2	/* AArch32 EABI (armel/armhf) */

/*
 * A flag or-ed into emucompat_set_guest_abi()'s @abi (0.7 and later;
 * earlier libraries refuse it with EINVAL): commands the tables do not
 * know pass through unchanged instead of failing with ENOTTY.
 */
#define EMUCOMPAT_ABI_PASS_UNKNOWN	(1u << 16)

/*
 * Set the guest ABI of @ec (every thread using the handle).  When @abi is
 * the kernel's own ABI, emucompat_ioctl32() is unchanged.  Otherwise every
 * command whose argument differs between the two ABIs is translated; one
 * that cannot be (see emucompat_set_guest_abi(3)) fails with EOPNOTSUPP;
 * one found identical in both passes unchanged; one the tables do not know
 * fails with ENOTTY, or passes unchanged with EMUCOMPAT_ABI_PASS_UNKNOWN.
 * 0, or -1 with errno: EINVAL (unknown @abi or flag, or @ec NULL).
 */
int emucompat_set_guest_abi(struct emucompat *ec, unsigned int abi);

/* The guest ABI of @ec (an EMUCOMPAT_ABI_* value, no flags), or -1 with EINVAL. */
int emucompat_get_guest_abi(struct emucompat *ec);

/* What emucompat_ioctl32() does with a command under @ec's guest ABI: */
#define EMUCOMPAT_CMD_UNKNOWN		0	/* not in the tables: ENOTTY or unchanged */
#define EMUCOMPAT_CMD_SAME		1	/* the same in both ABIs: unchanged */
#define EMUCOMPAT_CMD_TRANSLATED	2	/* renumbered and/or converted */
#define EMUCOMPAT_CMD_REFUSED		3	/* cannot be converted: EOPNOTSUPP */

/*
 * The class of @cmd under @ec's guest ABI (an EMUCOMPAT_CMD_* value;
 * EMUCOMPAT_CMD_SAME for every command under the kernel's own ABI), or -1
 * with EINVAL (@ec NULL).  0.7 and later.
 */
int emucompat_guest_abi_cmd(struct emucompat *ec, unsigned int cmd);

/*
 * The guest ABIs this library serves on this host: bit (1u << abi) set for
 * every value emucompat_set_guest_abi() accepts.
 */
unsigned int emucompat_guest_abis(void);

/*
 * mmap(NULL, len, prot, flags, fd, off) placed entirely inside [lo, hi).
 * lo == hi: as plain mmap(); lo > hi: the range wraps around.
 * MAP_FIXED / MAP_FIXED_NOREPLACE: placed at lo exactly.
 */
void *emucompat_mmap_range(struct emucompat *ec, uint64_t lo, uint64_t hi, size_t len,
			   int prot, int flags, int fd, off_t off);

/*
 * mremap(); when the mapping has to move (MREMAP_MAYMOVE) the new place is
 * inside [lo, hi).  MREMAP_FIXED places it at lo.
 */
void *emucompat_mremap_range(struct emucompat *ec, void *old, size_t old_len, size_t new_len,
			     int flags, uint64_t lo, uint64_t hi);

/* shmat(shmid, NULL, shmflg) with the attach address inside [lo, hi). */
void *emucompat_shmat_range(struct emucompat *ec, int shmid, int shmflg, uint64_t lo, uint64_t hi);

/*
 * Register @head (a 32-bit address of the guest's struct robust_list_head,
 * 32-bit layout, @len == 12; 0 unregisters) as the calling thread's compat
 * robust futex list, as a 32-bit thread's set_robust_list() would: when
 * the thread exits, the kernel marks the futexes on it FUTEX_OWNER_DIED
 * and wakes a waiter.  The host's own 64-bit list is kept.  0, or -1 with
 * errno (EINVAL for a bad len, EOPNOTSUPP without kernel support).
 */
int emucompat_set_robust_list32(struct emucompat *ec, uint32_t head, uint32_t len);

/* The calling thread's compat robust list, as get_robust_list(0, ...). */
int emucompat_get_robust_list32(struct emucompat *ec, uint32_t *head, uint32_t *len);

/*
 * From now on, directory offsets of @dirfd (getdents64 d_off, lseek,
 * telldir) are the 32-bit hash cookies a 32-bit process gets (ext4 and
 * other hashed-directory filesystems).  Call it before reading the
 * directory: EBUSY if its position is not 0; ENOTDIR, EBADF.
 */
int emucompat_dir32(struct emucompat *ec, int dirfd);

/*
 * From now on the kernel places every mapping it chooses the address of
 * for this process (mmap() without MAP_FIXED, mremap() moves, shmat(),
 * io_setup(), mappings drivers make inside ioctls; every thread) inside
 * [lo, hi) -- page aligned, lo < hi -- for as long as the range has room:
 * top-down from the lower of hi and the process's own mmap base (bottom-up
 * from lo in the legacy layout).  When it is full the kernel goes on
 * outside it, as plain mmap() would; a free hint address is honoured.
 * Mappings the emulator wants outside go through emucompat_mmap_range().
 * Calling it again replaces the limits.  0, or -1 with errno: EINVAL (bad
 * range), ERANGE (no part of it below the mmap base), EOPNOTSUPP.
 * If @base is not NULL it receives where the kernel's search now starts.
 */
int emucompat_set_va_limits(struct emucompat *ec, uint64_t lo, uint64_t hi, uint64_t *base);

/* The limits set by emucompat_set_va_limits(); -1 with ENOENT if none. */
int emucompat_get_va_limits(struct emucompat *ec, uint64_t *lo, uint64_t *hi);

/* Restore the placement the process had before; -1 with ENOENT if none. */
int emucompat_clear_va_limits(struct emucompat *ec);

#ifdef __cplusplus
}
#endif

#endif /* EMUCOMPAT_H */
