// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_xabi - differential cross-ABI ioctl test.
 *
 * The oracle is a REAL 32-bit process of the kernel's compat ABI in the
 * same guest (o32_xabi: static i386 on amd64, armhf on arm64).  Each case
 * of lib/common_xabi_cases.c runs four times on the same objects (shared
 * by descriptor number, brought to a known state natively before each run):
 *   oracle       o32_xabi CASE: the kernel's ABI, its own layout, ioctl(2);
 *   (1) translated  emucompat_set_guest_abi(FOREIGN), the FOREIGN layout
 *                (ARM on amd64, i386 on arm64) through emucompat_ioctl32():
 *                its record must equal the oracle's (field values);
 *   (2) negative control  EMUCOMPAT_ABI_KERNEL, the same foreign request
 *                untranslated: logged as "# negative control:" lines; where
 *                the layouts must clash the record must DIFFER, a test line
 *                (the expectation and its reason per case and host are
 *                below); where they need not, it is logged only, never a
 *                pass;
 *   (3) identity emucompat_set_guest_abi(the kernel's own ABI), the
 *                oracle's own-layout request through the library: the
 *                record must equal the oracle's byte for byte.
 * The "bytes_" cases record every byte of the struct, padding included
 * (lib/common_xabi.h: xa_rec_bytes()): the struct is filled with a pattern
 * before each call, so a byte the translation leaves stale (the high half
 * of a 64-bit-time tv_nsec) differs from the oracle's; padding only the
 * translated layout has must hold what that ABI's own kernel leaves there,
 * and the oracle of that ABI (the other lane) checks the same claim.
 * A case whose device is missing here is skipped (all its lines).
 *
 * "policy" (after the cases): the three answers of the foreign ABI for a
 * command the tables have no row for, on the KMS card.  DRM_IOCTL_GET_CAP
 * is known identical: unchanged, the value the kernel's ABI gets.  The
 * same command with a 24-byte size (drm_ioctl() takes any size, as an
 * out-of-tree driver's command might) is unknown: ENOTTY by default,
 * EBADF on a bad descriptor, the kernel's answer with
 * EMUCOMPAT_ABI_PASS_UNKNOWN (and under the kernel's own ABI: the control
 * that the kernel does answer it).  A translated and a refused command are
 * classified by emucompat_guest_abi_cmd(), the refused one EOPNOTSUPP.
 * Arguments, if any, restrict the run to the named cases ("policy" too).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <linux/videodev2.h>
#include <sound/asound.h>

#include "emucompat.h"
#include "common_xabi.h"
#include "common_tap.h"
#include "oracle_run.h"

#if XA_IS32
#error "t_xabi is the 64-bit side"
#endif

#if XA_KERNEL_ABI == XA_I386
#define XA_EC_OWN	EMUCOMPAT_ABI_I386
#define XA_EC_FOREIGN	EMUCOMPAT_ABI_ARM
#define XA_OWN_CASES	xa_cases_abi1
#define XA_FOREIGN_CASES xa_cases_abi2
#else
#define XA_EC_OWN	EMUCOMPAT_ABI_ARM
#define XA_EC_FOREIGN	EMUCOMPAT_ABI_I386
#define XA_OWN_CASES	xa_cases_abi2
#define XA_FOREIGN_CASES xa_cases_abi1
#endif

#define ARENA_LEN	(1024 * 1024)
#define ORACLE_TIMEOUT_MS 120000

static struct emucompat *xa_ec;
static char xa_oracle[PATH_MAX];
static char xa_missing[XA_RES_NR][200];
static const char *const xa_res_names[XA_RES_NR] = {
	[XA_RES_FILE] = "tmpfs file",
	[XA_RES_CTL] = "ALSA control device",
	[XA_RES_VIDEO] = "vivid capture node",
	[XA_RES_DRM] = "KMS card",
	[XA_RES_SOCK] = "NIC answering ETHTOOL_GRXRINGS",
};

/*
 * The negative control: must the untranslated foreign request differ from
 * the oracle on this host?  (1 = must differ; 0 = need not, with why.)
 */
struct xa_neg {
	const char *name;
	int differ_x86;
	const char *why_x86;
	int differ_arm64;
	const char *why_arm64;
};
static const struct xa_neg xa_negs[] = {
	{ "fioqsize",
	  1, "ARM's 0x545E is no FIOQSIZE to the x86 compat layer: ENOTTY",
	  0, "i386's 0x5460 is arm64's (and its compat layer's) own FIOQSIZE: same request" },
	{ "alsa_ctl",
	  0, "ELEM_READ/WRITE encode 712 (ARM), not i386's 708; but kernels with "
	     "CONFIG_X86_X32_ABI (Debian's) serve 712 with x32's snd_ctl_elem_value, "
	     "which is ARM's layout (value at 72): may work untranslated",
	  1, "ELEM_READ/WRITE encode 708 (i386) where arm64's compat handler knows 712: ENOTTY" },
	{ "v4l2_std",
	  0, "ARM's v4l2_standard (72) / v4l2_input (80) are the LP64 layouts, and v4l2 "
	     "accepts native numbers from compat tasks: may work untranslated",
	  1, "i386's v4l2_standard (64) / v4l2_input (76) numbers are unknown to arm64: ENOTTY" },
	{ "v4l2_event_t32",
	  1, "ARM's time32 v4l2_event (128, union at 8) has the number of i386's time64 one "
	     "(128, union at 4): fields shifted",
	  1, "i386's time32 v4l2_event number (120) is unknown to arm64 (DQEVENT_TIME32 is "
	     "served by 32-bit kernels only): ENOTTY" },
	{ "v4l2_event_t64",
	  0, "ARM's time64 v4l2_event (136) is the LP64 layout: may work untranslated",
	  1, "i386's time64 v4l2_event (128, union at 4) has the number of ARM's time32 one "
	     "(128, union at 8): fields shifted" },
	{ "drm_fb2",
	  0, "ADDFB2 dispatches on the nr to x86's compat handler; only modifier[] moves (68 vs 72) and LINEAR is 0: a 4-byte shift of zeros reads "
	     "as zeros; DRM dispatches on the command's nr, not its size",
	  0, "only modifier[] moves (68 vs 72) and LINEAR is 0: a 4-byte shift of zeros reads "
	     "as zeros; DRM dispatches on the command's nr, not its size" },
	{ "ethtool_grxrings",
	  0, "GRXRINGS copies only cmd, flow_type and data (offsets 0-15, the same in both)",
	  0, "GRXRINGS copies only cmd, flow_type and data (offsets 0-15, the same in both)" },
	{ "bytes_event_t32",
	  1, "ARM's time32 v4l2_event (128, union at 8) has the number of i386's time64 one: "
	     "fields shifted",
	  1, "i386's time32 v4l2_event number (120) is unknown to arm64: ENOTTY" },
	{ "bytes_event_t64",
	  0, "ARM's time64 v4l2_event (136) is the LP64 layout: x86-64 serves it natively",
	  1, "i386's time64 v4l2_event has the number of ARM's time32 one: fields shifted" },
	{ "bytes_buffer_t32",
	  0, "the time32 v4l2_buffer is the same in both ABIs",
	  0, "the time32 v4l2_buffer is the same in both ABIs" },
	{ "bytes_buffer_t64",
	  1, "ARM's time64 v4l2_buffer (80) is no number x86's compat layer knows: ENOTTY",
	  1, "i386's time64 v4l2_buffer (76) is no number arm64's compat layer knows: ENOTTY" },
	{ "bytes_alsa",
	  0, "x32's snd_ctl_elem_value is ARM's layout (CONFIG_X86_X32_ABI, Debian's)",
	  1, "ELEM_READ encodes 708 (i386) where arm64 knows 712: ENOTTY" },
	{ "bytes_drm",
	  1, "x86's compat ADDFB2 reads modifier[] at 68, where ARM has its padding (IC_FILL)",
	  0, "arm64 reads 100 bytes and zero-extends; LINEAR's zeros read the same shifted" },
	{ "bytes_ethtool",
	  0, "x86's compat layer reads ARM's rule_cnt at 176, ARM's fs.location (0): "
	     "GRXCLSRLALL of no rules, EOPNOTSUPP from virtio-net as in the oracle",
	  0, "arm64 reads i386's rule_cnt at 184, i386's rule_locs[1] (the fill pattern): "
	     "ENOMEM where the oracle gets virtio-net's EOPNOTSUPP -- on 6.12; 7.3's ethtool "
	     "core asks the driver first, so EOPNOTSUPP either way: may work untranslated" },
};

/*
 * A control that must differ does so only if the oracle's record holds
 * this text: the driver took the call whose layouts clash.  A driver that
 * refuses it for both layouts leaves nothing to tell apart: there the
 * control is a skip (expect.conf names the lanes).
 */
static const struct {
	const char *name, *bites_if;
} xa_bites[] = {
	{ "bytes_drm", "addfb2.linear=0 " },	/* 5.10's bochs takes no modifiers */
};

static const char *bites_if(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(xa_bites) / sizeof(xa_bites[0]); i++)
		if (!strcmp(xa_bites[i].name, name))
			return xa_bites[i].bites_if;
	return NULL;
}

static const struct xa_neg *neg_of(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(xa_negs) / sizeof(xa_negs[0]); i++)
		if (!strcmp(xa_negs[i].name, name))
			return &xa_negs[i];
	return NULL;
}

static long ec_prim(int fd, uint32_t cmd, uint32_t arg)
{
	return emucompat_ioctl32(xa_ec, fd, cmd, arg);
}

static int set_abi(unsigned int abi)
{
	return emucompat_set_guest_abi(xa_ec, abi);
}

static void missing(enum xa_res res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void missing(enum xa_res res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(xa_missing[res], sizeof(xa_missing[res]), fmt, ap);
	va_end(ap);
}

static int place(enum xa_res res, int fd)
{
	if (dup2(fd, XA_FD(res)) < 0) {
		missing(res, "dup2: %s", strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	xa_missing[res][0] = '\0';
	return 0;
}

/* --- the policy for commands without a row ------------------------------ */

#define XP_GET_CAP		0xc010640cu	/* DRM_IOCTL_GET_CAP: identical */
#define XP_GET_CAP_24		0xc018640cu	/* the same nr, 24 bytes: unknown */
#define XP_DRM_CAP_DUMB_BUFFER	1u
#if XA_KERNEL_ABI == XA_I386
/* ARM's numbers, foreign on x86-64 */
#define XP_TRANSLATED	0xc01064b5u	/* DRM_IOCTL_MODE_GETPLANERESOURCES */
#define XP_REFUSED	0x00104706u	/* IOCTL_GNTALLOC_DEALLOC_GREF */
#else
/* i386's numbers, foreign on arm64 */
#define XP_TRANSLATED	0xc00c64b5u
#define XP_REFUSED	0x000c4706u
#endif
#define XP_TESTS	12

/* DRM, LP64 (= AArch32) layouts and numbers, for the native truth */
struct xp_fb_cmd2 {
	uint32_t fb_id, width, height, pixel_format, flags;
	uint32_t handles[4], pitches[4], offsets[4];
	uint64_t modifier[4];
};

#define XP_CREATE_DUMB	0xc02064b2u
#define XP_DESTROY_DUMB	0xc00464b4u
#define XP_ADDFB2	0xc06864b8u
#define XP_GETFB2	0xc06864ceu
#define XP_GETFB2_I386	0xc06464ceu
#define XP_RMFB		0xc00464afu
#define XP_GEM_CLOSE	0x40086409u

static void xp_gem_close(int fd, uint32_t h, uint32_t keep)
{
	uint32_t gc[2] = { h, 0 };

	if (h && h != keep && h != 0xa5a5a5a5u)
		ioctl(fd, XP_GEM_CLOSE, gc);
}

/* "width=.. pitch0=.. modifier0=.." of a GETFB2 answer, for comparison */
static void xp_fb_str(char *out, size_t len, const uint8_t *b, size_t modoff)
{
	uint32_t u[17];
	uint64_t m[4];

	memcpy(u, b, sizeof(u));
	memcpy(m, b + modoff, sizeof(m));
	snprintf(out, len, "width=%u height=%u format=0x%x flags=0x%x handle0=%s pitch0=%u "
		 "offset0=%u handle1=%u pitch1=%u modifier=0x%llx,0x%llx,0x%llx,0x%llx", u[1], u[2],
		 u[3], u[4], u[5] ? "nonzero" : "zero", u[9], u[13], u[6], u[10],
		 (unsigned long long)m[0], (unsigned long long)m[1], (unsigned long long)m[2],
		 (unsigned long long)m[3]);
}

/*
 * GETFB2 in both 32-bit layouts through the library against the native
 * 64-bit answer (the truth), into structs filled with 0xa5: x86-64 has no
 * compat GETFB2, and a real i386 process reads modifier[] 4 bytes off
 * (its own 0xa5 in modifier[0]'s low half); the library corrects it.
 */
static void xp_getfb2(uint8_t *buf, int fd)
{
	struct { uint32_t height, width, bpp, flags, handle, pitch; uint64_t size; } d;
	struct xp_fb_cmd2 f;
	char truth[256], got[256];
	uint32_t fb;
	long r;

	memset(&d, 0, sizeof(d));
	d.width = 64;
	d.height = 32;
	d.bpp = 32;
	memset(&f, 0, sizeof(f));
	if (ioctl(fd, XP_CREATE_DUMB, &d) == 0) {
		f.width = 64;
		f.height = 32;
		f.pixel_format = 0x34325258;	/* XRGB8888 */
		f.handles[0] = d.handle;
		f.pitches[0] = d.pitch;
	}
	if (!d.handle || ioctl(fd, XP_ADDFB2, &f)) {
		tap_ok(0, "policy: getfb2: native CREATE_DUMB/ADDFB2: %s", strerror(errno));
		tap_skip("no framebuffer", "policy: getfb2: i386 layout == native");
		tap_skip("no framebuffer", "policy: getfb2: ARM layout == native");
		goto out;
	}
	fb = f.fb_id;
	memset(&f, 0, sizeof(f));
	f.fb_id = fb;
	r = ioctl(fd, XP_GETFB2, &f);
	xp_fb_str(truth, sizeof(truth), (const uint8_t *)&f, 72);
	xp_gem_close(fd, f.handles[0], d.handle);
	tap_ok(r == 0, "policy: getfb2: native GETFB2 (the truth): %ld: %s", r, truth);

	memset(buf, 0xa5, 104);
	memcpy(buf, &fb, 4);
	set_abi(EMUCOMPAT_ABI_I386);
	r = emucompat_ioctl32(xa_ec, fd, XP_GETFB2_I386, (uint32_t)(uintptr_t)buf);
	set_abi(EMUCOMPAT_ABI_KERNEL);
	xp_fb_str(got, sizeof(got), buf, 68);
	xp_gem_close(fd, *(uint32_t *)(buf + 20), d.handle);
	tap_ok(r == 0 && !strcmp(got, truth), "policy: getfb2: i386 layout == native (%ld): %s",
	       r, got);

	memset(buf, 0xa5, 104);
	memcpy(buf, &fb, 4);
	set_abi(EMUCOMPAT_ABI_ARM);
	r = emucompat_ioctl32(xa_ec, fd, XP_GETFB2, (uint32_t)(uintptr_t)buf);
	set_abi(EMUCOMPAT_ABI_KERNEL);
	xp_fb_str(got, sizeof(got), buf, 72);
	xp_gem_close(fd, *(uint32_t *)(buf + 20), d.handle);
	tap_ok(r == 0 && !strcmp(got, truth), "policy: getfb2: ARM layout == native (%ld): %s",
	       r, got);
	ioctl(fd, XP_RMFB, &fb);
out:
	if (d.handle)
		ioctl(fd, XP_DESTROY_DUMB, &d.handle);
}

/* GET_CAP(DUMB_BUFFER) with number @cmd under @abi; the value, or -errno */
static long xp_get_cap(uint8_t *buf, uint32_t cmd, unsigned int abi, int fd)
{
	uint64_t cap = XP_DRM_CAP_DUMB_BUFFER, val = 0;
	long r;

	if (set_abi(abi))
		return -1000 - errno;
	memset(buf, 0, 24);
	memcpy(buf, &cap, 8);
	memcpy(buf + 8, &val, 8);
	r = emucompat_ioctl32(xa_ec, fd, cmd, (uint32_t)(uintptr_t)buf);
	if (r < 0) {
		r = -errno;
	} else {
		memcpy(&val, buf + 8, 8);
		r = (long)val;
	}
	set_abi(EMUCOMPAT_ABI_KERNEL);
	return r;
}

static void xp_policy(uint8_t *buf)
{
	const char *why = xa_missing[XA_RES_DRM];
	int fd = XA_FD(XA_RES_DRM), c[4], i;
	long own, r;

	tap_diag("---- policy: commands without a row under the %s ABI",
		 XA_ABI_NAME(XA_FOREIGN_ABI));
	set_abi(XA_EC_FOREIGN);
	c[0] = emucompat_guest_abi_cmd(xa_ec, XP_GET_CAP);
	c[1] = emucompat_guest_abi_cmd(xa_ec, XP_TRANSLATED);
	c[2] = emucompat_guest_abi_cmd(xa_ec, XP_GET_CAP_24);
	c[3] = emucompat_guest_abi_cmd(xa_ec, XP_REFUSED);
	set_abi(EMUCOMPAT_ABI_KERNEL);
	tap_ok(c[0] == EMUCOMPAT_CMD_SAME && c[1] == EMUCOMPAT_CMD_TRANSLATED &&
	       c[2] == EMUCOMPAT_CMD_UNKNOWN && c[3] == EMUCOMPAT_CMD_REFUSED,
	       "policy: classes: GET_CAP same (%d), GETPLANERESOURCES translated (%d), "
	       "GET_CAP with 24 bytes unknown (%d), GNTALLOC_DEALLOC_GREF refused (%d)",
	       c[0], c[1], c[2], c[3]);
	set_abi(XA_EC_FOREIGN);
	errno = 0;
	r = emucompat_ioctl32(xa_ec, fd, XP_REFUSED, 0);
	tap_ok(r == -1 && errno == EOPNOTSUPP, "policy: refused: EOPNOTSUPP (%ld, %s)", r,
	       strerror(errno));
	errno = 0;
	r = emucompat_ioctl32(xa_ec, 1000, XP_GET_CAP_24, 0);
	tap_ok(r == -1 && errno == EBADF, "policy: unknown on a bad descriptor: EBADF (%ld, %s)",
	       r, strerror(errno));
	set_abi(EMUCOMPAT_ABI_KERNEL);
	errno = 0;
	r = set_abi(XA_EC_FOREIGN | (EMUCOMPAT_ABI_PASS_UNKNOWN << 1));
	tap_ok(r == -1 && errno == EINVAL, "policy: an unknown flag bit: EINVAL (%ld, %s)", r,
	       strerror(errno));
	set_abi(EMUCOMPAT_ABI_KERNEL);
	if (why[0]) {
		for (i = 0; i < XP_TESTS - 4; i++)
			lx_skip("res", xa_res_names[XA_RES_DRM], why, "policy: %d on the KMS card", i);
		return;
	}
	own = xp_get_cap(buf, XP_GET_CAP, EMUCOMPAT_ABI_KERNEL, fd);
	tap_ok(own >= 0, "policy: GET_CAP(DUMB_BUFFER) under the kernel's ABI: %ld", own);
	r = xp_get_cap(buf, XP_GET_CAP, XA_EC_FOREIGN, fd);
	tap_ok(r == own, "policy: known identical: GET_CAP under the foreign ABI unchanged: %ld "
	       "(kernel's ABI %ld)", r, own);
	r = xp_get_cap(buf, XP_GET_CAP_24, EMUCOMPAT_ABI_KERNEL, fd);
	tap_ok(r == own, "policy: control: the kernel answers the 24-byte GET_CAP (%ld): what "
	       "the foreign ABI's ENOTTY withholds is a real answer", r);
	r = xp_get_cap(buf, XP_GET_CAP_24, XA_EC_FOREIGN, fd);
	tap_ok(r == -ENOTTY, "policy: unknown under the foreign ABI: ENOTTY by default (%ld)", r);
	r = xp_get_cap(buf, XP_GET_CAP_24, XA_EC_FOREIGN | EMUCOMPAT_ABI_PASS_UNKNOWN, fd);
	tap_ok(r == own, "policy: unknown with EMUCOMPAT_ABI_PASS_UNKNOWN: the kernel's answer "
	       "(%ld)", r);
	xp_getfb2(buf, fd);
}

/* --- objects and their known state (native 64-bit calls) ----------------- */

static unsigned int ctl_target;		/* numid of the writable integer control */
static unsigned int ctl_count;
static long ctl_min;

/* find a writable integer control on @fd natively; 0 if none */
static int ctl_find(int fd)
{
	struct snd_ctl_elem_list l;
	struct snd_ctl_elem_id ids[24];
	struct snd_ctl_elem_info in;
	unsigned int i, n;

	memset(&l, 0, sizeof(l));
	if (ioctl(fd, SNDRV_CTL_IOCTL_ELEM_LIST, &l))
		return 0;
	n = l.count < 24 ? l.count : 24;
	memset(&l, 0, sizeof(l));
	l.space = n;
	l.pids = ids;
	if (ioctl(fd, SNDRV_CTL_IOCTL_ELEM_LIST, &l))
		return 0;
	for (i = 0; i < l.used && i < n; i++) {
		memset(&in, 0, sizeof(in));
		in.id.numid = ids[i].numid;
		if (ioctl(fd, SNDRV_CTL_IOCTL_ELEM_INFO, &in))
			continue;
		if (in.type == SNDRV_CTL_ELEM_TYPE_INTEGER &&
		    (in.access & SNDRV_CTL_ELEM_ACCESS_WRITE) && in.count >= 1 && in.count <= 16) {
			ctl_target = in.id.numid;
			ctl_count = in.count;
			ctl_min = in.value.integer.min;
			return 1;
		}
	}
	return 0;
}

static void reset_ctl(void)
{
	struct snd_ctl_elem_value v;
	unsigned int i;

	memset(&v, 0, sizeof(v));
	v.id.numid = ctl_target;
	for (i = 0; i < ctl_count; i++)
		v.value.integer.value[i] = ctl_min;
	if (ioctl(XA_FD(XA_RES_CTL), SNDRV_CTL_IOCTL_ELEM_WRITE, &v) < 0)
		tap_diag("reset: ELEM_WRITE: %s", strerror(errno));
}

static void reset_video(void)
{
	struct v4l2_event_subscription sub;
	struct v4l2_requestbuffers q;
	struct v4l2_control c;
	int fd = XA_FD(XA_RES_VIDEO), type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	/* no streaming, no buffers: what a case left behind is undone */
	ioctl(fd, VIDIOC_STREAMOFF, &type);
	memset(&q, 0, sizeof(q));
	q.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	q.memory = V4L2_MEMORY_MMAP;
	ioctl(fd, VIDIOC_REQBUFS, &q);
	memset(&sub, 0, sizeof(sub));
	sub.type = V4L2_EVENT_ALL;
	ioctl(fd, VIDIOC_UNSUBSCRIBE_EVENT, &sub);	/* drops queued events too */
	/* input 0 (webcam); v4l2_std switches to the TV input itself */
	c.value = 0;
	if (ioctl(fd, VIDIOC_S_INPUT, &c.value))
		tap_diag("reset: S_INPUT 0: %s", strerror(errno));
	c.id = V4L2_CID_BRIGHTNESS;
	c.value = XA_V4L2_CTRL_BRIGHTNESS_RESET;
	if (ioctl(fd, VIDIOC_S_CTRL, &c))
		tap_diag("reset: S_CTRL brightness: %s", strerror(errno));
}

static void reset_for(const struct xa_case *c)
{
	if (c->needs & XA_NEED(XA_RES_CTL))
		reset_ctl();
	if (c->needs & XA_NEED(XA_RES_VIDEO))
		reset_video();
	if (c->needs & XA_NEED(XA_RES_FILE))
		lseek(XA_FD(XA_RES_FILE), 0, SEEK_SET);
}

static void setup_file(void)
{
	char path[] = "/tmp/emucompat-xabi.XXXXXX", buf[XA_FILE_SIZE];
	int fd = mkstemp(path);

	if (fd < 0) {
		missing(XA_RES_FILE, "mkstemp: %s", strerror(errno));
		return;
	}
	unlink(path);
	memset(buf, 'x', sizeof(buf));
	if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
		missing(XA_RES_FILE, "write: %s", strerror(errno));
		close(fd);
		return;
	}
	place(XA_RES_FILE, fd);
}

static void setup_ctl(void)
{
	char path[64];
	int i, fd, seen = 0;

	missing(XA_RES_CTL, "no /dev/snd/controlC* (snd-dummy / snd-aloop not loaded?)");
	for (i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "/dev/snd/controlC%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		seen = 1;
		if (ctl_find(fd)) {
			char numid[16];

			tap_diag("ALSA: %s, control numid %u (%u values, min %ld)", path, ctl_target,
				 ctl_count, ctl_min);
			snprintf(numid, sizeof(numid), "%u", ctl_target);
			setenv(XA_CTL_NUMID_ENV, numid, 1);
			place(XA_RES_CTL, fd);
			return;
		}
		close(fd);
	}
	if (seen)
		missing(XA_RES_CTL, "no writable integer control on any /dev/snd/controlC*");
}

static void setup_video(void)
{
	char path[300], name[128];
	struct dirent *de;
	DIR *d;
	int fd;

	missing(XA_RES_VIDEO, "no vivid video capture node (vivid not loaded?)");
	d = opendir("/sys/class/video4linux");
	if (!d)
		return;
	while ((de = readdir(d))) {
		FILE *f;

		if (strncmp(de->d_name, "video", 5))
			continue;
		snprintf(path, sizeof(path), "/sys/class/video4linux/%s/name", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		name[0] = '\0';
		if (!fgets(name, sizeof(name), f))
			name[0] = '\0';
		fclose(f);
		name[strcspn(name, "\n")] = '\0';
		if (!strstr(name, "vivid") || !strstr(name, "vid-cap"))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", de->d_name);
		fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			missing(XA_RES_VIDEO, "open %s: %s", path, strerror(errno));
			continue;
		}
		tap_diag("V4L2: %s (%s)", path, name);
		place(XA_RES_VIDEO, fd);
		break;
	}
	closedir(d);
}

/* struct drm_version, native (the host's gcc may have no <drm/drm.h>) */
struct xa_drm_version {
	int version_major, version_minor, version_patchlevel;
	size_t name_len;
	char *name;
	size_t date_len;
	char *date;
	size_t desc_len;
	char *desc;
};
#define XA_NATIVE_DRM_IOCTL_VERSION _IOWR('d', 0x00, struct xa_drm_version)

static void setup_drm(void)
{
	/* bochs takes ADDFB2 with modifiers; virtio_gpu refuses them (EINVAL) */
	static const char *const prefer[] = { "bochs-drm", "bochs", "virtio_gpu", NULL };
	char path[64], names[8][32];
	int fds[8], i, p;

	missing(XA_RES_DRM, "no /dev/dri/card* with a KMS driver");
	for (i = 0; i < 8; i++) {
		struct xa_drm_version v;

		fds[i] = -1;
		names[i][0] = '\0';
		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fds[i] = open(path, O_RDWR | O_CLOEXEC);
		if (fds[i] < 0)
			continue;
		memset(&v, 0, sizeof(v));
		v.name = names[i];
		v.name_len = sizeof(names[i]) - 1;
		if (ioctl(fds[i], XA_NATIVE_DRM_IOCTL_VERSION, &v))
			names[i][0] = '\0';
		else
			names[i][v.name_len < sizeof(names[i]) ? v.name_len : sizeof(names[i]) - 1] = '\0';
	}
	for (p = 0; prefer[p]; p++)
		for (i = 0; i < 8; i++)
			if (fds[i] >= 0 && !strcmp(names[i], prefer[p])) {
				tap_diag("DRM: /dev/dri/card%d, driver %s", i, names[i]);
				place(XA_RES_DRM, fds[i]);
				fds[i] = -1;
				goto done;
			}
done:
	for (i = 0; i < 8; i++)
		if (fds[i] >= 0) {
			if (xa_missing[XA_RES_DRM][0])
				missing(XA_RES_DRM, "no virtio_gpu or bochs card (card%d: %s)", i,
					names[i]);
			close(fds[i]);
		}
}

static char xa_ifname[IFNAMSIZ];

static void setup_sock(void)
{
	char why[160] = "no network interface besides lo (no virtio-net device?)";
	struct dirent *de;
	DIR *d;
	int s;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		missing(XA_RES_SOCK, "socket: %s", strerror(errno));
		return;
	}
	d = opendir("/sys/class/net");
	while (d && (de = readdir(d))) {
		struct ethtool_rxnfc n;
		struct ifreq ifr;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "lo") ||
		    strlen(de->d_name) >= IFNAMSIZ)
			continue;
		memset(&ifr, 0, sizeof(ifr));
		memset(&n, 0, sizeof(n));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", de->d_name);
		n.cmd = ETHTOOL_GRXRINGS;
		ifr.ifr_data = (void *)&n;
		if (ioctl(s, SIOCETHTOOL, &ifr)) {
			snprintf(why, sizeof(why), "%s: ETHTOOL_GRXRINGS: %s", de->d_name,
				 strerror(errno));
			continue;
		}
		snprintf(xa_ifname, sizeof(xa_ifname), "%s", de->d_name);
		tap_diag("ethtool: %s, %llu rx rings", xa_ifname, (unsigned long long)n.data);
		break;
	}
	if (d)
		closedir(d);
	if (!xa_ifname[0]) {
		missing(XA_RES_SOCK, "%s", why);
		close(s);
		return;
	}
	setenv(XA_IFNAME_ENV, xa_ifname, 1);
	place(XA_RES_SOCK, s);
}

/* --- the oracle ------------------------------------------------------------ */

/*
 * Run the oracle with @arg; the first line of its output goes to @out, the
 * rest ("# note: ..." lines) to @notes.  0, or -1 with a reason in @out.
 */
static int run_oracle(const char *arg, char *out, size_t outlen, char *notes, size_t nlen)
{
	static char buf[IC_REC_MAX + 4096];
	char *nl;

	notes[0] = '\0';
	if (or_run(xa_oracle, "o32_xabi", arg, buf, sizeof(buf), ORACLE_TIMEOUT_MS)) {
		snprintf(out, outlen, "%s", buf);
		return -1;
	}
	nl = strchr(buf, '\n');
	if (nl) {
		*nl = '\0';
		snprintf(notes, nlen, "%s", nl + 1);
	}
	snprintf(out, outlen, "%s", buf);
	return 0;
}


/* --- running a case here ------------------------------------------------- */

static void print_notes(const char *who, const char *notes)
{
	char copy[XA_NOTE_MAX + 8], *line, *nl;

	snprintf(copy, sizeof(copy), "%s", notes);
	for (line = copy; line && *line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		if (!strncmp(line, "# note: ", 8))
			line += 8;
		if (*line)
			tap_diag("%s note: %s", who, line);
	}
}

/*
 * Run case @c (a layout) with guest ABI @abi into @rec; returns 0, or -1
 * with the reason in @why (set_guest_abi failed).
 */
static int run_here(const struct xa_case *c, unsigned int abi, const char *who,
		    struct ic_rec *rec, char *why, size_t whylen)
{
	ic_rec_init(rec);
	if (set_abi(abi)) {
		snprintf(why, whylen, "emucompat_set_guest_abi(%u): %s", abi, strerror(errno));
		return -1;
	}
	reset_for(c);
	ic_arena_reset();
	xa_note[0] = '\0';
	c->run(rec);
	if (xa_note[0])
		print_notes(who, xa_note);
	set_abi(EMUCOMPAT_ABI_KERNEL);
	return 0;
}

int main(int argc, char **argv)
{
	static char orec[IC_REC_MAX + 4096], onotes[4096];
	static struct ic_rec rec;
	const char *fname = XA_ABI_NAME(XA_FOREIGN_ABI), *oname = XA_ABI_NAME(XA_KERNEL_ABI);
	struct emucompat_info info;
	unsigned int i, r, needs = 0, n = 0;
	char hello[256], want[128], why[256];
	void *arena;

	signal(SIGPIPE, SIG_IGN);
	xa_ec = emucompat_open();
	if (!xa_ec)
		tap_bail("emucompat_open: %s (is emucompat.ko loaded?)", strerror(errno));
	memset(&info, 0, sizeof(info));
	if (emucompat_info(xa_ec, &info))
		tap_bail("emucompat_info: %s", strerror(errno));
	LX_NEED_CAP(info.caps, IOCTL32);
	arena = emucompat_mmap_range(xa_ec, 0x10000, 0xf0000000ull, ARENA_LEN,
				     PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED)
		tap_bail("emucompat_mmap_range: %s", strerror(errno));
	ic_side = 64;
	ic_ioctl32 = ec_prim;
	ic_arena_set(arena, ARENA_LEN);

	or_find(argv[0], "o32_xabi", xa_oracle, sizeof(xa_oracle));
	if (run_oracle("hello", hello, sizeof(hello), onotes, sizeof(onotes)))
		lx_fail_all("the 32-bit oracle %s runs: %s", xa_oracle, hello);
	snprintf(want, sizeof(want), "%s ptr=4 abi=%s cases=%u", XA_HELLO, oname, XA_NCASES);
	if (strcmp(hello, want))
		tap_bail("unexpected oracle hello: \"%s\" (want \"%s\")", hello, want);
	tap_diag("oracle %s (%s); translated layout: %s; library guest ABIs 0x%x", xa_oracle,
		 oname, fname, emucompat_guest_abis());

	for (i = 0; i < XA_NCASES; i++) {
		if (strcmp(XA_OWN_CASES[i].name, XA_FOREIGN_CASES[i].name))
			tap_bail("case tables differ at %u", i);
		if (or_selected(argc, argv, XA_OWN_CASES[i].name)) {
			needs |= XA_OWN_CASES[i].needs;
			n++;
		}
	}
	if (or_selected(argc, argv, "policy"))
		needs |= XA_NEED(XA_RES_DRM);
	else if (!n)
		tap_skip_all("no case selected");
	for (r = 0; r < XA_RES_NR; r++)
		missing((enum xa_res)r, "not set up");
	/* a first call: the library sets up whatever it needs (pivot stack) */
	ic_ioctl32(-1, 0x541Bu, 0);
	if (needs & XA_NEED(XA_RES_FILE))
		setup_file();
	if (needs & XA_NEED(XA_RES_CTL))
		setup_ctl();
	if (needs & XA_NEED(XA_RES_VIDEO))
		setup_video();
	if (needs & XA_NEED(XA_RES_DRM))
		setup_drm();
	if (needs & XA_NEED(XA_RES_SOCK))
		setup_sock();
	for (r = 0; r < XA_RES_NR; r++)
		if ((needs & XA_NEED(r)) && xa_missing[r][0])
			tap_diag("%s: %s", xa_res_names[r], xa_missing[r]);
	{
		unsigned int planned = 0;

		for (i = 0; i < XA_NCASES; i++) {
			const struct xa_neg *ng = neg_of(XA_OWN_CASES[i].name);

			if (!or_selected(argc, argv, XA_OWN_CASES[i].name))
				continue;
			planned += 2 + (ng && (XA_KERNEL_ABI == XA_I386 ? ng->differ_x86 :
					       ng->differ_arm64));
		}
		if (or_selected(argc, argv, "policy"))
			planned += XP_TESTS;
		tap_plan((int)planned);
	}

	for (i = 0; i < XA_NCASES; i++) {
		const struct xa_case *own = &XA_OWN_CASES[i], *fc = &XA_FOREIGN_CASES[i];
		const struct xa_neg *ng = neg_of(own->name);
		int must_differ = 0, differs;
		const char *neg_why = "?";
		unsigned int miss = 0;

		if (!or_selected(argc, argv, own->name))
			continue;
		if (ng) {
			must_differ = XA_KERNEL_ABI == XA_I386 ? ng->differ_x86 : ng->differ_arm64;
			neg_why = XA_KERNEL_ABI == XA_I386 ? ng->why_x86 : ng->why_arm64;
		}
		tap_diag("---- %s: %s", own->name, own->desc);
		for (r = 0; r < XA_RES_NR; r++)
			if ((own->needs & XA_NEED(r)) && xa_missing[r][0] && !miss)
				miss = r + 1;
		if (miss) {
			snprintf(why, sizeof(why), "%s: %s", xa_res_names[miss - 1],
				 xa_missing[miss - 1]);
			lx_skip("res", xa_res_names[miss - 1], why,
				"%s: translated %s layout == %s oracle", own->name, fname, oname);
			if (must_differ)
				lx_skip("res", xa_res_names[miss - 1], why, "%s: negative control",
					own->name);
			lx_skip("res", xa_res_names[miss - 1], why,
				"%s: identity (%s through the library)", own->name, oname);
			continue;
		}
		reset_for(own);
		if (run_oracle(own->name, orec, sizeof(orec), onotes, sizeof(onotes)) ||
		    !strncmp(orec, "ERROR", 5)) {
			tap_ok(0, "%s: oracle failed", own->name);
			tap_diag("%s", orec);
			if (must_differ)
				tap_skip("no oracle record", "%s: negative control", own->name);
			tap_skip("no oracle record", "%s: identity", own->name);
			continue;
		}
		print_notes("oracle", onotes);
		if (!strncmp(orec, "SKIP ", 5)) {
			tap_skip(orec + 5, "%s: translated (oracle)", own->name);
			if (must_differ)
				tap_skip(orec + 5, "%s: negative control (oracle)", own->name);
			tap_skip(orec + 5, "%s: identity (oracle)", own->name);
			continue;
		}
		tap_diag("oracle: %s", orec);
		if (must_differ && bites_if(own->name) && !strstr(orec, bites_if(own->name))) {
			tap_diag("%s: no \"%s\" in the oracle's record", own->name,
				 bites_if(own->name));
			tap_skip("the oracle's driver refused the call: nothing to tell apart",
				 "%s: negative control", own->name);
			must_differ = 0;
		}

		/* (1) translated */
		if (run_here(fc, XA_EC_FOREIGN, "translated", &rec, why, sizeof(why))) {
			tap_ok(0, "%s: translated %s layout == %s oracle", own->name, fname, oname);
			tap_diag("%s", why);
		} else if (rec.skip) {
			tap_skip(rec.skip, "%s: translated %s layout == %s oracle", own->name, fname,
				 oname);
		} else if (strcmp(orec, rec.buf)) {
			tap_ok(0, "%s: translated %s layout == %s oracle", own->name, fname, oname);
			or_diag_mismatch("oracle:", orec, "translated:", rec.buf);
		} else {
			tap_ok(1, "%s: translated %s layout == %s oracle", own->name, fname, oname);
		}

		/*
		 * (2) negative control: the same foreign request, untranslated.
		 * A test line only where it must differ (it bites); where the
		 * layouts need not clash it is logged, never counted as a pass.
		 */
		if (run_here(fc, EMUCOMPAT_ABI_KERNEL, "negative control", &rec, why, sizeof(why))) {
			if (must_differ)
				tap_ok(0, "%s: negative control", own->name);
			tap_diag("%s", why);
		} else if (rec.skip) {
			if (must_differ)
				tap_skip(rec.skip, "%s: negative control", own->name);
		} else {
			differs = strcmp(orec, rec.buf) != 0;
			tap_diag("negative control: untranslated %s: %s", fname, rec.buf);
			tap_diag("negative control: %s oracle:      %s", oname, orec);
			if (differs)
				or_diag_mismatch("oracle:", orec, "untranslated:", rec.buf);
			if (must_differ)
				tap_ok(differs, "%s: negative control: untranslated %s layout %s the "
				       "oracle (must differ: %s)", own->name, fname,
				       differs ? "differs from" : "EQUALS", neg_why);
			else
				tap_diag("%s: negative control, not a test: untranslated %s layout "
					 "%s the oracle (need not differ: %s)", own->name, fname,
					 differs ? "differs from" : "equals", neg_why);
		}

		/* (3) identity: the oracle's own request through the library */
		if (run_here(own, XA_EC_OWN, "identity", &rec, why, sizeof(why))) {
			tap_ok(0, "%s: identity (%s through the library, guest ABI %s)", own->name,
			       oname, oname);
			tap_diag("%s", why);
		} else if (rec.skip) {
			tap_skip(rec.skip, "%s: identity", own->name);
		} else if (strcmp(orec, rec.buf)) {
			tap_ok(0, "%s: identity (%s through the library, guest ABI %s)", own->name,
			       oname, oname);
			or_diag_mismatch("oracle:", orec, "identity:", rec.buf);
		} else {
			tap_ok(1, "%s: identity (%s through the library, guest ABI %s)", own->name,
			       oname, oname);
		}
		reset_for(own);
	}
	/* the policy lines' buffer: below the arena's guard page */
	if (or_selected(argc, argv, "policy"))
		xp_policy((uint8_t *)arena + ARENA_LEN - 3 * 4096);
	emucompat_close(xa_ec);
	return tap_done();
}
