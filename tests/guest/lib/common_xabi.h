/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * common_xabi.h - the differential cross-ABI ioctl test, shared by the
 * 32-bit oracle (tests/guest/o32_xabi.c), the 64-bit test
 * (tests/guest/t_xabi.c) and the compile-time layout check
 * (tests/guest/xabi_check.c).
 *
 * The kernel's compat layer speaks one 32-bit ABI (i386 on x86-64, AArch32
 * EABI on arm64); the library translates the other one ("foreign") when
 * emucompat_set_guest_abi() selects it.  A 64-bit member (u64/s64) is
 * 4-aligned on i386 and 8-aligned on ARM EABI, so layouts and the _IOC
 * numbers (which encode sizeof) differ.
 *
 * Layouts are written out by hand below for a chosen ABI XA_ABI (XA_I386 or
 * XA_ARM): fixed-width types, with the 64-bit types xa_u64/xa_s64 aligned
 * as that ABI aligns them.  The library's generated tables are NOT used.
 * Every type name carries the ABI as a suffix (XA_T(name)), so one
 * translation unit can hold both layouts: the 64-bit test needs the
 * foreign one (translated requests and the negative control) and the
 * kernel's own one (identity check); the oracle needs only its own.
 * Re-include this header after redefining XA_ABI to get the other layout.
 *
 * The hand-written layouts are proven by real compilers: with XA_CHECK_UAPI
 * defined, a 32-bit compiler whose ABI is XA_ABI checks every size, key
 * offset and command number against its own uapi headers.  The oracle does
 * (o32_xabi.c), and tests/Makefile compiles xabi_check.c -fsyntax-only with
 * the foreign cross compiler (and the own one), each with and without
 * -D_TIME_BITS=64, before the test program is built.
 *
 * Each case prints a record of NAMED FIELD VALUES ("ret=0 count=5 ..."),
 * which does not depend on the layout: the translated foreign request must
 * give the same record as the real 32-bit process of the kernel's ABI.
 */
#ifndef COMMON_XABI_H
#define COMMON_XABI_H

#include <stddef.h>
#include <stdint.h>
#include <linux/ioctl.h>

#include "common_ioctl32.h"	/* struct ic_rec, ic_rec_*, the low arena */

#define XA_I386	1
#define XA_ARM	2

/* The ABI of this compiler's target (32-bit builds), the kernel's compat ABI. */
#if defined(__i386__) || defined(__x86_64__)
#define XA_KERNEL_ABI	XA_I386
#define XA_FOREIGN_ABI	XA_ARM
#elif defined(__arm__) || defined(__aarch64__)
#define XA_KERNEL_ABI	XA_ARM
#define XA_FOREIGN_ABI	XA_I386
#else
#error "emucompat tests: x86 and ARM only"
#endif
#define XA_IS32		(__SIZEOF_POINTER__ == 4)
#define XA_ABI_NAME(a)	((a) == XA_I386 ? "i386" : "arm")

#define XA_CAT_(a, b)	a##b
#define XA_CAT(a, b)	XA_CAT_(a, b)
/* type and symbol names of the layout XA_ABI: xa_foo_abi1 / xa_foo_abi2 */
#define XA_T(n)		XA_CAT(n, XA_CAT(_abi, XA_ABI))

/* size / offset checks of the hand-written layouts (i386 value, ARM value) */
#define XA_SZ(t, i386, arm) \
	_Static_assert(sizeof(struct XA_T(t)) == (XA_ABI == XA_I386 ? (i386) : (arm)), \
		       "sizeof(" #t ") != " #i386 "/" #arm)
#define XA_OFF(t, m, i386, arm) \
	_Static_assert(offsetof(struct XA_T(t), m) == (XA_ABI == XA_I386 ? (i386) : (arm)), \
		       "offsetof(" #t ", " #m ") != " #i386 "/" #arm)

/* ------------------------------------------------------------------ */
/* Command numbers: evaluated where used, for the XA_ABI in force there */
/* ------------------------------------------------------------------ */

#define XA_SZOF(t)	sizeof(struct XA_T(t))

/* ALSA control (sound/asound.h) */
#define XA_SNDRV_CTL_IOCTL_ELEM_LIST	IC_IOWR('U', 0x10, XA_SZOF(xa_ctl_elem_list))
#define XA_SNDRV_CTL_IOCTL_ELEM_INFO	IC_IOWR('U', 0x11, XA_SZOF(xa_ctl_elem_info))
#define XA_SNDRV_CTL_IOCTL_ELEM_READ	IC_IOWR('U', 0x12, XA_SZOF(xa_ctl_elem_value))
#define XA_SNDRV_CTL_IOCTL_ELEM_WRITE	IC_IOWR('U', 0x13, XA_SZOF(xa_ctl_elem_value))
#define XA_SNDRV_CTL_ELEM_TYPE_INTEGER	2
#define XA_SNDRV_CTL_ELEM_ACCESS_WRITE	(1u << 1)

/* V4L2 (linux/videodev2.h) */
#define XA_VIDIOC_ENUMSTD	IC_IOWR('V', 25, XA_SZOF(xa_v4l2_standard))
#define XA_VIDIOC_ENUMINPUT	IC_IOWR('V', 26, XA_SZOF(xa_v4l2_input))
#define XA_VIDIOC_G_CTRL	IC_IOWR('V', 27, XA_SZOF(xa_v4l2_control))
#define XA_VIDIOC_S_CTRL	IC_IOWR('V', 28, XA_SZOF(xa_v4l2_control))
#define XA_VIDIOC_DQEVENT_T32	IC_IOR('V', 89, XA_SZOF(xa_v4l2_event_t32))
#define XA_VIDIOC_DQEVENT_T64	IC_IOR('V', 89, XA_SZOF(xa_v4l2_event_t64))
#define XA_VIDIOC_SUBSCRIBE_EVENT   IC_IOW('V', 90, XA_SZOF(xa_v4l2_event_subscription))
#define XA_VIDIOC_UNSUBSCRIBE_EVENT IC_IOW('V', 91, XA_SZOF(xa_v4l2_event_subscription))
#define XA_V4L2_EVENT_ALL	0u
#define XA_V4L2_EVENT_CTRL	3u
#define XA_V4L2_EVENT_SUB_FL_ALLOW_FEEDBACK 2u
#define XA_VIDIOC_S_INPUT	IC_IOWR('V', 39, 4)
#define XA_VIDIOC_REQBUFS	IC_IOWR('V', 8, XA_SZOF(xa_v4l2_requestbuffers))
#define XA_VIDIOC_QUERYBUF_T32	IC_IOWR('V', 9, XA_SZOF(xa_v4l2_buffer_t32))
#define XA_VIDIOC_QUERYBUF_T64	IC_IOWR('V', 9, XA_SZOF(xa_v4l2_buffer_t64))
#define XA_VIDIOC_QBUF_T32	IC_IOWR('V', 15, XA_SZOF(xa_v4l2_buffer_t32))
#define XA_VIDIOC_QBUF_T64	IC_IOWR('V', 15, XA_SZOF(xa_v4l2_buffer_t64))
#define XA_VIDIOC_DQBUF_T32	IC_IOWR('V', 17, XA_SZOF(xa_v4l2_buffer_t32))
#define XA_VIDIOC_DQBUF_T64	IC_IOWR('V', 17, XA_SZOF(xa_v4l2_buffer_t64))
#define XA_VIDIOC_STREAMON	IC_IOW('V', 18, 4)
#define XA_VIDIOC_STREAMOFF	IC_IOW('V', 19, 4)
#define XA_V4L2_BUF_TYPE_VIDEO_CAPTURE 1u
#define XA_V4L2_MEMORY_MMAP	1u
#define XA_V4L2_TV_INPUT	1	/* vivid's input 1 is "TV" (has standards) */
#define XA_V4L2_CID_BRIGHTNESS	0x00980900u
#define XA_V4L2_CTRL_BRIGHTNESS_RESET	128	/* the value t_xabi resets it to */

/* DRM (drm/drm.h, drm/drm_mode.h) */
#define XA_DRM_IOCTL_GEM_CLOSE		IC_IOW('d', 0x09, XA_SZOF(xa_drm_gem_close))
#define XA_DRM_IOCTL_MODE_RMFB		IC_IOWR('d', 0xAF, 4)
#define XA_DRM_IOCTL_MODE_CREATE_DUMB	IC_IOWR('d', 0xB2, XA_SZOF(xa_drm_mode_create_dumb))
#define XA_DRM_IOCTL_MODE_DESTROY_DUMB	IC_IOWR('d', 0xB4, XA_SZOF(xa_drm_mode_destroy_dumb))
#define XA_DRM_IOCTL_MODE_ADDFB2	IC_IOWR('d', 0xB8, XA_SZOF(xa_drm_mode_fb_cmd2))
#define XA_DRM_IOCTL_MODE_GETFB2	IC_IOWR('d', 0xCE, XA_SZOF(xa_drm_mode_fb_cmd2))
#define XA_DRM_MODE_FB_MODIFIERS	2u
#define XA_DRM_FORMAT_XRGB8888		0x34325258u	/* 'XR24' */
#define XA_DRM_FORMAT_MOD_LINEAR	0ull
#define XA_I915_FORMAT_MOD_X_TILED	0x0100000000000001ull	/* fourcc_mod_code(INTEL, 1) */

/*
 * FIOQSIZE: ARM keeps its historical 0x545E, i386 (and arm64, and so the
 * arm64 compat layer) uses the generic 0x5460.  arm64's compat layer knows
 * only 0x5460: a real armhf process on arm64 gets ENOTTY for 0x545E (a
 * kernel quirk), so on arm64 the ARM side issues 0x5460 and the 0x545E
 * result is logged (XA_FIOQSIZE_PRIMARY).
 */
#define XA_FIOQSIZE_ARM		0x545Eu
#define XA_FIOQSIZE_GENERIC	0x5460u
#define XA_FIOQSIZE		(XA_ABI == XA_ARM ? XA_FIOQSIZE_ARM : XA_FIOQSIZE_GENERIC)
#define XA_FIOQSIZE_PRIMARY \
	(XA_ABI == XA_ARM && XA_KERNEL_ABI == XA_ARM ? XA_FIOQSIZE_GENERIC : XA_FIOQSIZE)

/* ethtool (linux/sockios.h, linux/ethtool.h) */
#define XA_SIOCETHTOOL		0x8946u
#define XA_ETHTOOL_GRXRINGS	0x0000002du
#define XA_ETHTOOL_GRXCLSRLCNT	0x0000002eu
#define XA_ETHTOOL_GRXCLSRLALL	0x00000030u

/* ------------------------------------------------------------------ */
/* Objects, prepared by t_xabi at fixed descriptor numbers            */
/* ------------------------------------------------------------------ */

enum xa_res {
	XA_RES_FILE,		/* regular tmpfs file, XA_FILE_SIZE bytes */
	XA_RES_CTL,		/* /dev/snd/controlC<n> with a writable integer control */
	XA_RES_VIDEO,		/* vivid video capture node, O_NONBLOCK */
	XA_RES_DRM,		/* a KMS card (virtio_gpu / bochs-drm) */
	XA_RES_SOCK,		/* AF_INET socket; interface in $XA_IFNAME_ENV */
	XA_RES_NR
};
#define XA_FD_BASE	230
#define XA_FD(res)	(XA_FD_BASE + (int)(res))
#define XA_NEED(res)	(1u << (res))
#define XA_FILE_SIZE	12345
#define XA_IFNAME_ENV	"EMUCOMPAT_XA_IFNAME"
#define XA_CTL_NUMID_ENV "EMUCOMPAT_XA_CTL_NUMID"

struct xa_case {
	const char *name;
	unsigned int needs;	/* XA_NEED() bits */
	void (*run)(struct ic_rec *r);
	const char *desc;
};

#define XA_NCASES	14
/* one table per layout; the oracle has only its own ABI's */
extern const struct xa_case xa_cases_abi1[XA_NCASES];	/* i386 layout */
extern const struct xa_case xa_cases_abi2[XA_NCASES];	/* ARM layout */

/* "note" lines a case logs besides its record (printed as "# note: ...") */
#define XA_NOTE_MAX	1024
extern char xa_note[XA_NOTE_MAX];
void xa_note_add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define XA_HELLO	"emucompat-o32xabi-hello"

/*
 * Byte-exact records.  A map lists every byte of a struct in the layout
 * XA_ABI, in order, as regions: members, and the padding only this ABI's
 * layout has ("~" names, with what the ABI's own kernel leaves there: the
 * caller's bytes or zeros).  xa_rec_bytes() records each member region by
 * name -- hex, or for values that differ from run to run (timestamps,
 * handles) a class that still catches a half written or a pattern left
 * over -- and the ABI-only padding as one item, "ownpad=ok" when it holds
 * what the map says.  Cases fill the struct with IC_FILL before the call
 * (xa_fill(): the members an input needs zeroed, padding left IC_FILL), so
 * every byte the kernel, or the library, does not write shows.
 */
enum xa_bk {
	XB_END,
	XB_HEX,		/* exact bytes */
	XB_SET,		/* varies per run: zero / fill / set */
	XB_SEC64,	/* 64-bit CLOCK_MONOTONIC seconds: in the last 120 s */
	XB_SUB64,	/* 64-bit ns/us: v < 10^9 */
	XB_SEC32,
	XB_SUB32,
	XB_PAD_KEEP,	/* ABI-only padding, the caller's bytes stay */
	XB_PAD_ZERO,	/* ABI-only padding, the kernel writes zeros */
	/*
	 * The v4l2 compat code before its 5.11 rework answered the other way
	 * round (the real armhf process on 5.10 shows it): zeros from 5.11
	 * on and the caller's bytes before, or the reverse.
	 */
	XB_PAD_ZERO_5_11,
	XB_PAD_KEEP_5_11,
};
struct xa_bytes {
	const char *name;
	unsigned int off, len;
	enum xa_bk kind;
};
void xa_rec_bytes(struct ic_rec *r, const char *label, const void *p, size_t size,
		  const struct xa_bytes *map);
/* ... after a call that failed: the kernel wrote nothing, all padding kept */
void xa_rec_unwritten(struct ic_rec *r, const char *label, const void *p, size_t size,
		      const struct xa_bytes *map);
/* IC_FILL everywhere, then zeros over the members (not the ABI-only padding) */
void xa_fill(void *p, size_t size, const struct xa_bytes *map);

#endif /* COMMON_XABI_H */

/* ====================================================================== */
/* The layout of XA_ABI (re-included once per ABI)                        */
/* ====================================================================== */
#ifdef XA_ABI
#if XA_ABI == XA_I386 && !defined(XA_LAYOUT_DONE_1)
#define XA_LAYOUT_DONE_1
#define XA_LAYOUT_NOW
#elif XA_ABI == XA_ARM && !defined(XA_LAYOUT_DONE_2)
#define XA_LAYOUT_DONE_2
#define XA_LAYOUT_NOW
#endif
#endif

#ifdef XA_LAYOUT_NOW
#undef XA_LAYOUT_NOW

#if XA_ABI != XA_I386 && XA_ABI != XA_ARM
#error "XA_ABI must be XA_I386 or XA_ARM"
#endif

/* the 64-bit types: 4-aligned on i386, 8-aligned on ARM EABI */
typedef uint64_t XA_T(xa_u64) __attribute__((aligned(XA_ABI == XA_I386 ? 4 : 8)));
typedef int64_t XA_T(xa_s64) __attribute__((aligned(XA_ABI == XA_I386 ? 4 : 8)));

/* --- ALSA ------------------------------------------------------------ */
struct XA_T(xa_ctl_elem_id) {
	uint32_t numid;
	int32_t iface;
	uint32_t device;
	uint32_t subdevice;
	char name[44];
	uint32_t index;
};
XA_SZ(xa_ctl_elem_id, 64, 64);

struct XA_T(xa_ctl_elem_list) {
	uint32_t offset;
	uint32_t space;
	uint32_t used;
	uint32_t count;
	uint32_t pids;		/* struct snd_ctl_elem_id * */
	uint8_t reserved[50];
};
XA_SZ(xa_ctl_elem_list, 72, 72);

struct XA_T(xa_ctl_elem_info) {
	struct XA_T(xa_ctl_elem_id) id;
	int32_t type;
	uint32_t access;
	uint32_t count;
	int32_t owner;
	union {
		struct {
			int32_t min, max, step;		/* long */
		} integer;
		struct {
			XA_T(xa_s64) min, max, step;
		} integer64;
		struct {
			uint32_t items;
			uint32_t item;
			char name[64];
			XA_T(xa_u64) names_ptr;
			uint32_t names_length;
		} enumerated;
		uint8_t reserved[128];
	} value;
	uint8_t reserved[64];
};
XA_SZ(xa_ctl_elem_info, 272, 272);
XA_OFF(xa_ctl_elem_info, value, 80, 80);

/* the famous one: the value union holds long long, so it is 8-aligned on ARM */
struct XA_T(xa_ctl_elem_value) {
	struct XA_T(xa_ctl_elem_id) id;
	uint32_t indirect;		/* unsigned int indirect:1 (obsolete) */
	union {
		int32_t integer[128];		/* long */
		XA_T(xa_s64) integer64[64];
		uint32_t enumerated[128];
		uint8_t bytes[512];
	} value;
	uint8_t reserved[128];
};
XA_SZ(xa_ctl_elem_value, 708, 712);
XA_OFF(xa_ctl_elem_value, value, 68, 72);

/* --- V4L2 ------------------------------------------------------------ */
struct XA_T(xa_v4l2_standard) {
	uint32_t index;
	XA_T(xa_u64) id;		/* v4l2_std_id */
	uint8_t name[24];
	struct {
		uint32_t numerator, denominator;
	} frameperiod;
	uint32_t framelines;
	uint32_t reserved[4];
};
XA_SZ(xa_v4l2_standard, 64, 72);
XA_OFF(xa_v4l2_standard, id, 4, 8);
XA_OFF(xa_v4l2_standard, frameperiod, 36, 40);

struct XA_T(xa_v4l2_input) {
	uint32_t index;
	uint8_t name[32];
	uint32_t type;
	uint32_t audioset;
	uint32_t tuner;
	XA_T(xa_u64) std;
	uint32_t status;
	uint32_t capabilities;
	uint32_t reserved[3];
};
XA_SZ(xa_v4l2_input, 76, 80);
XA_OFF(xa_v4l2_input, std, 48, 48);

struct XA_T(xa_v4l2_control) {
	uint32_t id;
	int32_t value;
};
XA_SZ(xa_v4l2_control, 8, 8);

struct XA_T(xa_v4l2_event_subscription) {
	uint32_t type;
	uint32_t id;
	uint32_t flags;
	uint32_t reserved[5];
};
XA_SZ(xa_v4l2_event_subscription, 32, 32);

struct XA_T(xa_v4l2_event_ctrl) {
	uint32_t changes;
	uint32_t type;
	union {
		int32_t value;
		XA_T(xa_s64) value64;
	} v;
	uint32_t flags;
	int32_t minimum;
	int32_t maximum;
	int32_t step;
	int32_t default_value;
};
XA_SZ(xa_v4l2_event_ctrl, 36, 40);

union XA_T(xa_v4l2_event_u) {
	struct XA_T(xa_v4l2_event_ctrl) ctrl;
	uint8_t data[64];
};

/* struct v4l2_event with a 32-bit struct timespec (glibc's default on both) */
struct XA_T(xa_v4l2_event_t32) {
	uint32_t type;
	union XA_T(xa_v4l2_event_u) u;
	uint32_t pending;
	uint32_t sequence;
	struct {
		int32_t tv_sec, tv_nsec;
	} timestamp;
	uint32_t id;
	uint32_t reserved[8];
};
XA_SZ(xa_v4l2_event_t32, 120, 128);
XA_OFF(xa_v4l2_event_t32, u, 4, 8);
XA_OFF(xa_v4l2_event_t32, pending, 68, 72);
XA_OFF(xa_v4l2_event_t32, timestamp, 76, 80);
XA_OFF(xa_v4l2_event_t32, id, 84, 88);

/* ... and with a 64-bit one (-D_TIME_BITS=64) */
struct XA_T(xa_v4l2_event_t64) {
	uint32_t type;
	union XA_T(xa_v4l2_event_u) u;
	uint32_t pending;
	uint32_t sequence;
	struct {
		XA_T(xa_s64) tv_sec, tv_nsec;
	} timestamp;
	uint32_t id;
	uint32_t reserved[8];
};
XA_SZ(xa_v4l2_event_t64, 128, 136);
XA_OFF(xa_v4l2_event_t64, u, 4, 8);
XA_OFF(xa_v4l2_event_t64, timestamp, 76, 80);
XA_OFF(xa_v4l2_event_t64, id, 92, 96);

struct XA_T(xa_v4l2_requestbuffers) {
	uint32_t count, type, memory, capabilities;
	uint8_t flags, reserved[3];
};
XA_SZ(xa_v4l2_requestbuffers, 20, 20);

struct XA_T(xa_v4l2_timecode) {
	uint32_t type, flags;
	uint8_t frames, seconds, minutes, hours, userbits[4];
};

/* struct v4l2_buffer with a 32-bit struct timeval: the same in both ABIs */
struct XA_T(xa_v4l2_buffer_t32) {
	uint32_t index, type, bytesused, flags, field;
	struct {
		int32_t tv_sec, tv_usec;
	} timestamp;
	struct XA_T(xa_v4l2_timecode) timecode;
	uint32_t sequence, memory;
	uint32_t m;			/* union: offset, userptr, planes, fd */
	uint32_t length, reserved2;
	uint32_t request_fd;		/* union with reserved */
};
XA_SZ(xa_v4l2_buffer_t32, 68, 68);

/* ... and with a 64-bit one (glibc's: 64-bit tv_sec and tv_usec) */
struct XA_T(xa_v4l2_buffer_t64) {
	uint32_t index, type, bytesused, flags, field;
	struct {
		XA_T(xa_s64) tv_sec, tv_usec;
	} timestamp;
	struct XA_T(xa_v4l2_timecode) timecode;
	uint32_t sequence, memory;
	uint32_t m;
	uint32_t length, reserved2;
	uint32_t request_fd;
};
XA_SZ(xa_v4l2_buffer_t64, 76, 80);
XA_OFF(xa_v4l2_buffer_t64, timestamp, 20, 24);
XA_OFF(xa_v4l2_buffer_t64, sequence, 52, 56);

/* --- DRM ------------------------------------------------------------- */
struct XA_T(xa_drm_gem_close) {
	uint32_t handle;
	uint32_t pad;
};
XA_SZ(xa_drm_gem_close, 8, 8);

struct XA_T(xa_drm_mode_create_dumb) {
	uint32_t height, width, bpp, flags, handle, pitch;
	XA_T(xa_u64) size;
};
XA_SZ(xa_drm_mode_create_dumb, 32, 32);

struct XA_T(xa_drm_mode_destroy_dumb) {
	uint32_t handle;
};
XA_SZ(xa_drm_mode_destroy_dumb, 4, 4);

struct XA_T(xa_drm_mode_fb_cmd2) {
	uint32_t fb_id;
	uint32_t width, height;
	uint32_t pixel_format;
	uint32_t flags;
	uint32_t handles[4];
	uint32_t pitches[4];
	uint32_t offsets[4];
	XA_T(xa_u64) modifier[4];
};
XA_SZ(xa_drm_mode_fb_cmd2, 100, 104);
XA_OFF(xa_drm_mode_fb_cmd2, offsets, 52, 52);
XA_OFF(xa_drm_mode_fb_cmd2, modifier, 68, 72);

/* --- ethtool ----------------------------------------------------------- */
struct XA_T(xa_ethtool_rx_flow_spec) {
	uint32_t flow_type;
	uint8_t h_u[52];		/* union ethtool_flow_union */
	uint8_t h_ext[20];		/* struct ethtool_flow_ext */
	uint8_t m_u[52];
	uint8_t m_ext[20];
	XA_T(xa_u64) ring_cookie;
	uint32_t location;
};
XA_SZ(xa_ethtool_rx_flow_spec, 160, 168);
XA_OFF(xa_ethtool_rx_flow_spec, ring_cookie, 148, 152);

struct XA_T(xa_ethtool_rxnfc) {
	uint32_t cmd;
	uint32_t flow_type;
	XA_T(xa_u64) data;
	struct XA_T(xa_ethtool_rx_flow_spec) fs;
	uint32_t rule_cnt;		/* union { rule_cnt; rss_context; } */
	uint32_t rule_locs[];
};
XA_SZ(xa_ethtool_rxnfc, 180, 192);
XA_OFF(xa_ethtool_rxnfc, data, 8, 8);
XA_OFF(xa_ethtool_rxnfc, rule_cnt, 176, 184);

/* --- byte maps (see xa_rec_bytes()) ------------------------------------ */
#define XB_M(t, m, k)	{ #m, offsetof(struct XA_T(t), m), sizeof(((struct XA_T(t) *)0)->m), k }
#define XB_R(n, o, l, k) { n, o, l, k }
#define XB_ARM(...)	XA_CAT(XB_ARM_, XA_ABI)(__VA_ARGS__)
#define XB_ARM_1(...)
#define XB_ARM_2(...)	__VA_ARGS__,

/*
 * struct v4l2_event: ARM only, 4 bytes before the union (its ctrl has an
 * s64) and trailing padding.  What arm64 leaves there: the caller's bytes
 * for the 32-bit-time event (put_v4l2_event32_time32() writes member by
 * member), zeros for the 64-bit-time one (the native struct, copied whole
 * from the zeroed kevent), as the real armhf process on arm64 shows.
 */
#define XB_EVENT_MAP(T, SEC, SUB, PADK)						\
static const struct xa_bytes __attribute__((unused)) XA_T(xb_event_##T)[] = {				\
	XB_M(xa_v4l2_event_##T, type, XB_HEX),					\
	XB_ARM(XB_R("~u_pad", 4, 4, PADK))					\
	XB_M(xa_v4l2_event_##T, u, XB_HEX),					\
	XB_M(xa_v4l2_event_##T, pending, XB_HEX),				\
	XB_M(xa_v4l2_event_##T, sequence, XB_SET),				\
	XB_M(xa_v4l2_event_##T, timestamp.tv_sec, SEC),				\
	XB_M(xa_v4l2_event_##T, timestamp.tv_nsec, SUB),			\
	XB_M(xa_v4l2_event_##T, id, XB_HEX),					\
	XB_M(xa_v4l2_event_##T, reserved, XB_HEX),				\
	XB_ARM(XB_R("~tail", offsetof(struct XA_T(xa_v4l2_event_##T), reserved) + 32, \
		    4, PADK))							\
	{ NULL, 0, 0, XB_END }							\
};
XB_EVENT_MAP(t32, XB_SEC32, XB_SUB32, XB_PAD_KEEP_5_11)
XB_EVENT_MAP(t64, XB_SEC64, XB_SUB64, XB_PAD_ZERO)

/*
 * struct v4l2_buffer, 64-bit time: ARM only, 4 bytes before the timestamp;
 * arm64's put_v4l2_buffer32() memsets its struct: zeros.
 */
#define XB_BUFFER_MAP(T, SEC, SUB)						\
static const struct xa_bytes __attribute__((unused)) XA_T(xb_buffer_##T)[] = {				\
	XB_M(xa_v4l2_buffer_##T, index, XB_HEX),				\
	XB_M(xa_v4l2_buffer_##T, type, XB_HEX),					\
	XB_M(xa_v4l2_buffer_##T, bytesused, XB_HEX),				\
	XB_M(xa_v4l2_buffer_##T, flags, XB_HEX),				\
	XB_M(xa_v4l2_buffer_##T, field, XB_HEX),				\
	XB_ARM(XB_R("~ts_pad", 20, sizeof(((struct XA_T(xa_v4l2_buffer_##T) *)0)->timestamp) \
		    == 16 ? 4 : 0, XB_PAD_ZERO_5_11))			\
	XB_M(xa_v4l2_buffer_##T, timestamp.tv_sec, SEC),			\
	XB_M(xa_v4l2_buffer_##T, timestamp.tv_usec, SUB),			\
	XB_M(xa_v4l2_buffer_##T, timecode, XB_HEX),				\
	XB_M(xa_v4l2_buffer_##T, sequence, XB_HEX),				\
	XB_M(xa_v4l2_buffer_##T, memory, XB_HEX),				\
	XB_M(xa_v4l2_buffer_##T, m, XB_HEX),					\
	XB_M(xa_v4l2_buffer_##T, length, XB_HEX),				\
	XB_M(xa_v4l2_buffer_##T, reserved2, XB_HEX),				\
	XB_M(xa_v4l2_buffer_##T, request_fd, XB_HEX),				\
	{ NULL, 0, 0, XB_END }							\
};
XB_BUFFER_MAP(t32, XB_SEC32, XB_SUB32)
XB_BUFFER_MAP(t64, XB_SEC64, XB_SUB64)

/* ALSA: ARM only, 4 bytes before the value union; written value by value */
static const struct xa_bytes __attribute__((unused)) XA_T(xb_ctl_value)[] = {
	XB_M(xa_ctl_elem_value, id, XB_HEX),
	XB_M(xa_ctl_elem_value, indirect, XB_HEX),
	XB_ARM(XB_R("~value_pad", 68, 4, XB_PAD_KEEP))
	XB_M(xa_ctl_elem_value, value, XB_HEX),
	XB_M(xa_ctl_elem_value, reserved, XB_HEX),
	{ NULL, 0, 0, XB_END }
};
static const struct xa_bytes __attribute__((unused)) XA_T(xb_ctl_info)[] = {
	XB_M(xa_ctl_elem_info, id, XB_HEX),
	XB_M(xa_ctl_elem_info, type, XB_HEX),
	XB_M(xa_ctl_elem_info, access, XB_HEX),
	XB_M(xa_ctl_elem_info, count, XB_HEX),
	XB_M(xa_ctl_elem_info, owner, XB_HEX),
	XB_M(xa_ctl_elem_info, value, XB_HEX),
	XB_M(xa_ctl_elem_info, reserved, XB_HEX),
	{ NULL, 0, 0, XB_END }
};

/* DRM: ARM only, 4 bytes before modifier[]; arm64 copies it in and out whole */
static const struct xa_bytes __attribute__((unused)) XA_T(xb_fb_cmd2)[] = {
	XB_M(xa_drm_mode_fb_cmd2, fb_id, XB_SET),
	XB_M(xa_drm_mode_fb_cmd2, width, XB_HEX),
	XB_M(xa_drm_mode_fb_cmd2, height, XB_HEX),
	XB_M(xa_drm_mode_fb_cmd2, pixel_format, XB_HEX),
	XB_M(xa_drm_mode_fb_cmd2, flags, XB_HEX),
	XB_M(xa_drm_mode_fb_cmd2, handles[0], XB_SET),
	XB_R("handles[1..3]", 24, 12, XB_HEX),
	XB_M(xa_drm_mode_fb_cmd2, pitches, XB_HEX),
	XB_M(xa_drm_mode_fb_cmd2, offsets, XB_HEX),
	XB_ARM(XB_R("~modifier_pad", 68, 4, XB_PAD_KEEP))
	XB_M(xa_drm_mode_fb_cmd2, modifier, XB_HEX),
	{ NULL, 0, 0, XB_END }
};

/*
 * ethtool_rxnfc (fixed part): ARM only, 4 bytes before fs.ring_cookie and
 * fs's trailing padding; arm64 copies the struct in and out whole.
 */
static const struct xa_bytes __attribute__((unused)) XA_T(xb_rxnfc)[] = {
	XB_M(xa_ethtool_rxnfc, cmd, XB_HEX),
	XB_M(xa_ethtool_rxnfc, flow_type, XB_HEX),
	XB_M(xa_ethtool_rxnfc, data, XB_HEX),
	XB_R("fs.flow_type..m_ext", 16, 148, XB_HEX),
	XB_ARM(XB_R("~fs.ring_cookie_pad", 164, 4, XB_PAD_KEEP))
	XB_M(xa_ethtool_rxnfc, fs.ring_cookie, XB_HEX),
	XB_M(xa_ethtool_rxnfc, fs.location, XB_HEX),
	XB_ARM(XB_R("~fs.tail", 180, 4, XB_PAD_KEEP))
	XB_M(xa_ethtool_rxnfc, rule_cnt, XB_HEX),
	{ NULL, 0, 0, XB_END }
};

/* ----------------------------------------------------------------------- */
/* Against the real uapi headers of a 32-bit compiler of this ABI          */
/* ----------------------------------------------------------------------- */
#ifdef XA_CHECK_UAPI
#if !XA_IS32 || XA_ABI != XA_KERNEL_ABI
#error "XA_CHECK_UAPI: compile with a 32-bit compiler of the ABI XA_ABI"
#endif
#include <sys/ioctl.h>
#include <sys/time.h>
#include <time.h>
#include <sound/asound.h>
#include <linux/videodev2.h>
#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

#define XA_SAME(a, b)	_Static_assert((a) == (b), #a " != " #b)
#define XA_SAME_SIZE(real, mine) XA_SAME(sizeof(struct real), sizeof(struct XA_T(mine)))
#define XA_SAME_OFF(real, mine, m, mm) \
	XA_SAME(offsetof(struct real, m), offsetof(struct XA_T(mine), mm))

XA_SAME_SIZE(snd_ctl_elem_id, xa_ctl_elem_id);
XA_SAME_OFF(snd_ctl_elem_id, xa_ctl_elem_id, name, name);
XA_SAME_OFF(snd_ctl_elem_id, xa_ctl_elem_id, index, index);
XA_SAME_SIZE(snd_ctl_elem_list, xa_ctl_elem_list);
XA_SAME_OFF(snd_ctl_elem_list, xa_ctl_elem_list, pids, pids);
XA_SAME_SIZE(snd_ctl_elem_info, xa_ctl_elem_info);
XA_SAME_OFF(snd_ctl_elem_info, xa_ctl_elem_info, value, value);
XA_SAME_OFF(snd_ctl_elem_info, xa_ctl_elem_info, value.integer.max, value.integer.max);
XA_SAME_OFF(snd_ctl_elem_info, xa_ctl_elem_info, value.integer64.max, value.integer64.max);
XA_SAME_OFF(snd_ctl_elem_info, xa_ctl_elem_info, value.enumerated.names_ptr,
	    value.enumerated.names_ptr);
XA_SAME_OFF(snd_ctl_elem_info, xa_ctl_elem_info, reserved, reserved);
XA_SAME_SIZE(snd_ctl_elem_value, xa_ctl_elem_value);
XA_SAME_OFF(snd_ctl_elem_value, xa_ctl_elem_value, value, value);
XA_SAME_OFF(snd_ctl_elem_value, xa_ctl_elem_value, value.integer64.value[1],
	    value.integer64[1]);
XA_SAME_OFF(snd_ctl_elem_value, xa_ctl_elem_value, reserved, reserved);
XA_SAME(SNDRV_CTL_IOCTL_ELEM_LIST, XA_SNDRV_CTL_IOCTL_ELEM_LIST);
XA_SAME(SNDRV_CTL_IOCTL_ELEM_INFO, XA_SNDRV_CTL_IOCTL_ELEM_INFO);
XA_SAME(SNDRV_CTL_IOCTL_ELEM_READ, XA_SNDRV_CTL_IOCTL_ELEM_READ);
XA_SAME(SNDRV_CTL_IOCTL_ELEM_WRITE, XA_SNDRV_CTL_IOCTL_ELEM_WRITE);
XA_SAME(SNDRV_CTL_ELEM_TYPE_INTEGER, XA_SNDRV_CTL_ELEM_TYPE_INTEGER);
XA_SAME(SNDRV_CTL_ELEM_ACCESS_WRITE, XA_SNDRV_CTL_ELEM_ACCESS_WRITE);

XA_SAME_SIZE(v4l2_standard, xa_v4l2_standard);
XA_SAME_OFF(v4l2_standard, xa_v4l2_standard, id, id);
XA_SAME_OFF(v4l2_standard, xa_v4l2_standard, name, name);
XA_SAME_OFF(v4l2_standard, xa_v4l2_standard, frameperiod, frameperiod);
XA_SAME_OFF(v4l2_standard, xa_v4l2_standard, framelines, framelines);
XA_SAME_SIZE(v4l2_input, xa_v4l2_input);
XA_SAME_OFF(v4l2_input, xa_v4l2_input, std, std);
XA_SAME_OFF(v4l2_input, xa_v4l2_input, status, status);
XA_SAME_OFF(v4l2_input, xa_v4l2_input, capabilities, capabilities);
XA_SAME_SIZE(v4l2_control, xa_v4l2_control);
XA_SAME_SIZE(v4l2_event_subscription, xa_v4l2_event_subscription);
XA_SAME_SIZE(v4l2_event_ctrl, xa_v4l2_event_ctrl);
XA_SAME_OFF(v4l2_event_ctrl, xa_v4l2_event_ctrl, value64, v.value64);
XA_SAME_OFF(v4l2_event_ctrl, xa_v4l2_event_ctrl, flags, flags);
XA_SAME_OFF(v4l2_event_ctrl, xa_v4l2_event_ctrl, default_value, default_value);
#if defined(_TIME_BITS) && _TIME_BITS == 64
XA_SAME(sizeof(struct timespec), 16);
#define XA_EVT xa_v4l2_event_t64
XA_SAME(VIDIOC_DQEVENT, XA_VIDIOC_DQEVENT_T64);
#else
XA_SAME(sizeof(struct timespec), 8);
#define XA_EVT xa_v4l2_event_t32
XA_SAME(VIDIOC_DQEVENT, XA_VIDIOC_DQEVENT_T32);
#endif
XA_SAME_SIZE(v4l2_event, XA_EVT);
XA_SAME_OFF(v4l2_event, XA_EVT, u, u);
XA_SAME_OFF(v4l2_event, XA_EVT, u.ctrl.value64, u.ctrl.v.value64);
XA_SAME_OFF(v4l2_event, XA_EVT, pending, pending);
XA_SAME_OFF(v4l2_event, XA_EVT, sequence, sequence);
XA_SAME_OFF(v4l2_event, XA_EVT, timestamp, timestamp);
XA_SAME_OFF(v4l2_event, XA_EVT, id, id);
XA_SAME_OFF(v4l2_event, XA_EVT, reserved, reserved);
#undef XA_EVT
#if defined(_TIME_BITS) && _TIME_BITS == 64
#define XA_BUF xa_v4l2_buffer_t64
XA_SAME(VIDIOC_QUERYBUF, XA_VIDIOC_QUERYBUF_T64);
XA_SAME(VIDIOC_QBUF, XA_VIDIOC_QBUF_T64);
XA_SAME(VIDIOC_DQBUF, XA_VIDIOC_DQBUF_T64);
#else
#define XA_BUF xa_v4l2_buffer_t32
XA_SAME(VIDIOC_QUERYBUF, XA_VIDIOC_QUERYBUF_T32);
XA_SAME(VIDIOC_QBUF, XA_VIDIOC_QBUF_T32);
XA_SAME(VIDIOC_DQBUF, XA_VIDIOC_DQBUF_T32);
#endif
XA_SAME_SIZE(v4l2_buffer, XA_BUF);
XA_SAME_OFF(v4l2_buffer, XA_BUF, timestamp, timestamp);
XA_SAME_OFF(v4l2_buffer, XA_BUF, timestamp.tv_usec, timestamp.tv_usec);
XA_SAME_OFF(v4l2_buffer, XA_BUF, timecode, timecode);
XA_SAME_OFF(v4l2_buffer, XA_BUF, sequence, sequence);
XA_SAME_OFF(v4l2_buffer, XA_BUF, m, m);
XA_SAME_OFF(v4l2_buffer, XA_BUF, length, length);
XA_SAME_OFF(v4l2_buffer, XA_BUF, request_fd, request_fd);
#undef XA_BUF
XA_SAME_SIZE(v4l2_requestbuffers, xa_v4l2_requestbuffers);
XA_SAME(VIDIOC_REQBUFS, XA_VIDIOC_REQBUFS);
XA_SAME(VIDIOC_STREAMON, XA_VIDIOC_STREAMON);
XA_SAME(VIDIOC_STREAMOFF, XA_VIDIOC_STREAMOFF);
XA_SAME(V4L2_BUF_TYPE_VIDEO_CAPTURE, XA_V4L2_BUF_TYPE_VIDEO_CAPTURE);
XA_SAME(V4L2_MEMORY_MMAP, XA_V4L2_MEMORY_MMAP);
XA_SAME(VIDIOC_ENUMSTD, XA_VIDIOC_ENUMSTD);
XA_SAME(VIDIOC_ENUMINPUT, XA_VIDIOC_ENUMINPUT);
XA_SAME(VIDIOC_G_CTRL, XA_VIDIOC_G_CTRL);
XA_SAME(VIDIOC_S_CTRL, XA_VIDIOC_S_CTRL);
XA_SAME(VIDIOC_SUBSCRIBE_EVENT, XA_VIDIOC_SUBSCRIBE_EVENT);
XA_SAME(VIDIOC_UNSUBSCRIBE_EVENT, XA_VIDIOC_UNSUBSCRIBE_EVENT);
XA_SAME(V4L2_EVENT_ALL, XA_V4L2_EVENT_ALL);
XA_SAME(V4L2_EVENT_CTRL, XA_V4L2_EVENT_CTRL);
XA_SAME(V4L2_EVENT_SUB_FL_ALLOW_FEEDBACK, XA_V4L2_EVENT_SUB_FL_ALLOW_FEEDBACK);
XA_SAME(VIDIOC_S_INPUT, XA_VIDIOC_S_INPUT);
XA_SAME(V4L2_CID_BRIGHTNESS, XA_V4L2_CID_BRIGHTNESS);

XA_SAME_SIZE(drm_gem_close, xa_drm_gem_close);
XA_SAME_SIZE(drm_mode_create_dumb, xa_drm_mode_create_dumb);
XA_SAME_OFF(drm_mode_create_dumb, xa_drm_mode_create_dumb, size, size);
XA_SAME_SIZE(drm_mode_destroy_dumb, xa_drm_mode_destroy_dumb);
XA_SAME_SIZE(drm_mode_fb_cmd2, xa_drm_mode_fb_cmd2);
XA_SAME_OFF(drm_mode_fb_cmd2, xa_drm_mode_fb_cmd2, handles, handles);
XA_SAME_OFF(drm_mode_fb_cmd2, xa_drm_mode_fb_cmd2, offsets, offsets);
XA_SAME_OFF(drm_mode_fb_cmd2, xa_drm_mode_fb_cmd2, modifier, modifier);
XA_SAME(DRM_IOCTL_GEM_CLOSE, XA_DRM_IOCTL_GEM_CLOSE);
XA_SAME(DRM_IOCTL_MODE_RMFB, XA_DRM_IOCTL_MODE_RMFB);
XA_SAME(DRM_IOCTL_MODE_CREATE_DUMB, XA_DRM_IOCTL_MODE_CREATE_DUMB);
XA_SAME(DRM_IOCTL_MODE_DESTROY_DUMB, XA_DRM_IOCTL_MODE_DESTROY_DUMB);
XA_SAME(DRM_IOCTL_MODE_ADDFB2, XA_DRM_IOCTL_MODE_ADDFB2);
XA_SAME(DRM_IOCTL_MODE_GETFB2, XA_DRM_IOCTL_MODE_GETFB2);
XA_SAME(DRM_MODE_FB_MODIFIERS, XA_DRM_MODE_FB_MODIFIERS);

XA_SAME_SIZE(ethtool_rx_flow_spec, xa_ethtool_rx_flow_spec);
XA_SAME_OFF(ethtool_rx_flow_spec, xa_ethtool_rx_flow_spec, h_ext, h_ext);
XA_SAME_OFF(ethtool_rx_flow_spec, xa_ethtool_rx_flow_spec, m_u, m_u);
XA_SAME_OFF(ethtool_rx_flow_spec, xa_ethtool_rx_flow_spec, ring_cookie, ring_cookie);
XA_SAME_OFF(ethtool_rx_flow_spec, xa_ethtool_rx_flow_spec, location, location);
XA_SAME_SIZE(ethtool_rxnfc, xa_ethtool_rxnfc);
XA_SAME_OFF(ethtool_rxnfc, xa_ethtool_rxnfc, data, data);
XA_SAME_OFF(ethtool_rxnfc, xa_ethtool_rxnfc, fs, fs);
XA_SAME_OFF(ethtool_rxnfc, xa_ethtool_rxnfc, rule_cnt, rule_cnt);
XA_SAME(SIOCETHTOOL, XA_SIOCETHTOOL);
XA_SAME(ETHTOOL_GRXRINGS, XA_ETHTOOL_GRXRINGS);
XA_SAME(ETHTOOL_GRXCLSRLCNT, XA_ETHTOOL_GRXCLSRLCNT);
XA_SAME(ETHTOOL_GRXCLSRLALL, XA_ETHTOOL_GRXCLSRLALL);
XA_SAME(offsetof(struct ethtool_rxnfc, rule_locs), offsetof(struct XA_T(xa_ethtool_rxnfc), rule_locs));

/* FIOQSIZE as this ABI's own headers number it */
XA_SAME(FIOQSIZE, XA_FIOQSIZE);
#endif /* XA_CHECK_UAPI */

#endif /* XA_LAYOUT_NOW */
