/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * probe_util.h - helpers for the guest tests that use /dev/emucompat_probe
 * (t_flag, t_pivot, t_badinput): a small TAP printer, low mappings, the
 * pivot stack, /proc counters.  TAP output goes through common_tap.h.
 */
#ifndef PROBE_UTIL_H
#define PROBE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common_tap.h"
#include "emucompat.h"
#include "lane_expect.h"
#include "probe_uapi.h"

#define PT_4G		(1ULL << 32)

/* ok() for "call returned -1 with this errno". */
int pt_errno(long ret, int err, const char *what);

/*
 * Open the library handle and the probe device, or skip the whole test
 * when either is missing (module not loaded).  *info is filled.
 */
struct emucompat *pt_open_ec(struct emucompat_info *info);
int pt_open_probe(void);

/* An anonymous read/write mapping entirely below 4 GiB; bails on failure. */
void *pt_low_map(struct emucompat *ec, size_t len);
/* A low PROT_NONE page: any access to it faults (EFAULT in the kernel). */
uint32_t pt_low_hole(struct emucompat *ec);
/* The 32-bit value of a pointer below 4 GiB; bails otherwise. */
uint32_t pt_u32(const void *p);

/*
 * A pivot stack for the raw EMUCOMPAT_IOC_IOCTL32, below 4 GiB: *base is
 * its lowest byte, the return value its top (the pivot_sp to pass).
 * The size is max(64 KiB, info->pivot_stack_size).
 */
uint64_t pt_pivot_stack(struct emucompat *ec, const struct emucompat_info *info,
			void **base, size_t *size);

/*
 * EMUCOMPAT_IOC_IOCTL32 through the raw uapi on descriptor @ecfd, with the
 * given pivot_sp and (normally zero) flags / __pad.
 */
long pt_raw_ioctl32(int ecfd, int fd, unsigned int cmd, uint32_t arg, uint64_t sp,
		    uint32_t flags, uint32_t pad);

/* Native PROBE_STATE; bails if the ioctl fails. */
void pt_native_state(int pfd, struct probe_state *s);
/* PROBE_LAST; bails if the ioctl fails. */
void pt_probe_last(int pfd, struct probe_last *l);
/* PROBE_TASK_FLAG for a thread of this process: 0/1, or -1 with errno. */
int pt_task_flag(int pfd, pid_t tid);

/* Number of lines in /proc/self/maps, of entries in /proc/self/fd. */
int pt_count_maps(void);
int pt_count_fds(void);
/* State letter of /proc/self/task/TID/stat ('R', 'S', ...), or '?'. */
char pt_task_state(pid_t tid);
pid_t pt_gettid(void);
/*
 * Wait (up to 20 s) until PROBE_LAST counts at least @entries entries into
 * PROBE_SLEEP* and thread @tid sleeps in it; gives up early once *@done is
 * set.  1 when asleep, 0 otherwise.
 */
int pt_wait_asleep(int pfd, pid_t tid, const int *done, unsigned int entries);
/* Sleep for ms milliseconds. */
void pt_msleep(unsigned int ms);
/* The number after KEY (e.g. "ectest.fuzz_secs=") on /proc/cmdline, or @def. */
unsigned long pt_cmdline_ul(const char *key, unsigned long def);
/*
 * Read a child's @n-byte result from pipe @rfd, then reap @pid.
 * 1 when all @n bytes came, 0 if the child died first.
 */
int pt_child_result(int rfd, pid_t pid, void *out, size_t n);
/*
 * fork() with a result pipe: @res[1] is for the child (pt_child_exit()),
 * @res[0] for the parent (pt_child_result()).  Bails if either fails.
 */
pid_t pt_fork_child(int res[2]);
/* In the child: write the @n-byte result to pipe @wfd and _exit(). */
__attribute__((noreturn)) void pt_child_exit(int wfd, const void *out, size_t n);
/* 1 if /sys/module/emucompat/parameters/NAME reads Y or 1. */
int pt_module_param_on(const char *name);

/*
 * Write @val to @path (a /proc, /sys or tracefs file) in one write():
 * 0, or -1 with errno (EIO for a short write).
 */
int pt_write_file(const char *path, const char *val);

/* The first number in @path (a /proc or /sys file), or -1. */
long pt_read_long(const char *path);

/*
 * EMUCOMPAT_IOC_FORWARDER on descriptor @ecfd (size 32, @flags, reserved
 * zero): the new forwarding descriptor, or -1 with errno.
 */
int pt_fwd_open(int ecfd, uint32_t flags);

/*
 * Test only: close @ec's forwarding descriptor (if any) and forget it, so
 * that emucompat_ioctl32() on @ec takes the request path
 * (EMUCOMPAT_IOC_IOCTL32) from then on, as with a module without one.
 */
void pt_use_request_path(struct emucompat *ec);

/* @ec's forwarding descriptor, -1 when it has none (request path). */
int pt_ec_fwd(const struct emucompat *ec);

/*
 * The ways emucompat_ioctl32() forwards on this module: when @ec has a
 * forwarder, {"fwd", @ec} and {"req", a second handle put on the request
 * path}; else only {"req", @ec}.  Returns how many (2 or 1); bails when
 * the second handle cannot be opened.
 */
struct pt_path {
	const char *name;	/* "fwd" / "req": the TAP label */
	struct emucompat *ec;
};
int pt_paths(struct emucompat *ec, struct pt_path paths[2]);

/*
 * Prove which way @p's handle forwards: emucompat_ioctl32(@fd, @cmd, @arg)
 * with a recording ioctl function (emucompat_set_ioctl_fn()); one TAP
 * line, ok when the library's first ioctl went to the handle's forwarder
 * as (cmd, EMUCOMPAT_FWD_ARG(fd, arg)) on "fwd", to /dev/emucompat as
 * EMUCOMPAT_IOC_IOCTL32 on "req".  The function is reset afterwards.
 */
int pt_check_path(const struct pt_path *p, int fd, unsigned int cmd, uint32_t arg);

/*
 * Send @fd over the unix socket @sock (SCM_RIGHTS, one byte of data):
 * 0 or -1.  Receive one (close-on-exec): the new descriptor or -1.
 */
int pt_send_fd(int sock, int fd);
int pt_recv_fd(int sock);

#endif /* PROBE_UTIL_H */
