// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * common_xabi_cases.c - the cases of the cross-ABI test (see common_xabi.h),
 * built into the 32-bit oracle (its own ABI's layout only) and the 64-bit
 * test (both layouts: this file includes itself once per ABI).
 *
 * A case issues its ioctls through ic_ioctl32 (real ioctl(2) in the
 * oracle, emucompat_ioctl32() in the test) with structs of the layout
 * XA_ABI placed in the low arena, and records field values by name.  The
 * object it acts on is brought to a known state by t_xabi (natively)
 * before every run; a case also undoes what it created.
 */
#ifndef XA_PASS
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "common_xabi.h"

char xa_note[XA_NOTE_MAX];

void xa_note_add(const char *fmt, ...)
{
	size_t len = strlen(xa_note);
	va_list ap;

	if (len + 2 >= sizeof(xa_note))
		return;
	if (len)
		xa_note[len++] = '\n';
	va_start(ap, fmt);
	vsnprintf(xa_note + len, sizeof(xa_note) - len, fmt, ap);
	va_end(ap);
}

/* ioctl through the primitive, errno kept; ret also goes to the record */
static long xa_do(struct ic_rec *r, const char *label, int fd, uint32_t cmd, uint32_t arg)
{
	long ret;
	int err;

	errno = 0;
	ret = ic_ioctl32(fd, cmd, arg);
	err = errno;
	if (label)
		ic_rec_ret(r, label, ret, err);
	errno = err;
	return ret;
}

/* an 8-byte value whatever its alignment */
static uint64_t xa_get64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* printable copy of a fixed-size char field */
static const char *xa_str(const void *p, size_t n)
{
	static char buf[4][80];
	static unsigned int k;
	char *b = buf[k++ % 4];
	const unsigned char *s = p;
	size_t i;

	if (n > sizeof(buf[0]) - 1)
		n = sizeof(buf[0]) - 1;
	for (i = 0; i < n && s[i]; i++)
		b[i] = (s[i] > ' ' && s[i] < 0x7f) ? (char)s[i] : '_';
	b[i] = '\0';
	return b;
}

static uint64_t xa_getn(const uint8_t *p, unsigned int len)
{
	uint64_t v = 0;

	memcpy(&v, p, len < sizeof(v) ? len : sizeof(v));	/* little endian */
	return v;
}

static int xa_all(const uint8_t *p, unsigned int len, uint8_t b)
{
	while (len--)
		if (*p++ != b)
			return 0;
	return 1;
}

static void xa_hex(char *out, size_t outlen, const uint8_t *p, unsigned int len)
{
	size_t o = 0;
	unsigned int i;

	for (i = 0; i < len && o + 3 < outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%02x", p[i]);
	out[o] = '\0';
}

/* 1 on a kernel before 5.11 (uname), else 0 */
static int xa_before_5_11(void)
{
	static int v = -1;
	struct utsname u;
	unsigned int major = 0, minor = 0;
	const char *p;

	if (v >= 0)
		return v;
	v = 0;
	if (!uname(&u)) {
		for (p = u.release; *p >= '0' && *p <= '9'; p++)
			major = major * 10 + (unsigned int)(*p - '0');
		if (*p == '.')
			for (p++; *p >= '0' && *p <= '9'; p++)
				minor = minor * 10 + (unsigned int)(*p - '0');
		v = major < 5 || (major == 5 && minor < 11);
	}
	return v;
}

static int xa_is_pad(enum xa_bk kind)
{
	return kind == XB_PAD_KEEP || kind == XB_PAD_ZERO || kind == XB_PAD_ZERO_5_11 ||
	       kind == XB_PAD_KEEP_5_11;
}

/* does the guest's own kernel write zeros into this padding? */
static int xa_pad_zero(enum xa_bk kind)
{
	if (kind == XB_PAD_ZERO_5_11)
		return !xa_before_5_11();
	if (kind == XB_PAD_KEEP_5_11)
		return xa_before_5_11();
	return kind == XB_PAD_ZERO;
}

void xa_fill(void *p, size_t size, const struct xa_bytes *map)
{
	memset(p, IC_FILL, size);
	for (; map->kind != XB_END; map++)
		if (!xa_is_pad(map->kind) && map->off + map->len <= size)
			memset((uint8_t *)p + map->off, 0, map->len);
}

static int xa_unwritten;

void xa_rec_unwritten(struct ic_rec *r, const char *label, const void *p, size_t size,
		      const struct xa_bytes *map)
{
	xa_unwritten = 1;
	xa_rec_bytes(r, label, p, size, map);
	xa_unwritten = 0;
}

/*
 * The v4l2 events' and buffers' timestamps are CLOCK_MONOTONIC: seconds v
 * in the window (now - XA_TS_WINDOW, now + XA_TS_AHEAD], now read when they
 * are recorded (a case takes less: the oracle's alarm; vivid stamps a
 * capture buffer with its frame's computed end, which can be a little
 * ahead of the clock when it is dequeued); anything else is printed.
 */
#define XA_TS_WINDOW 120
#define XA_TS_AHEAD 2
static int xa_mono_window(uint64_t v)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now))
		return 0;
	return v && v <= (uint64_t)now.tv_sec + XA_TS_AHEAD &&
	       v + XA_TS_WINDOW > (uint64_t)now.tv_sec;
}

void xa_rec_bytes(struct ic_rec *r, const char *label, const void *p, size_t size,
		  const struct xa_bytes *map)
{
	const uint8_t *b = p;
	char hex[1100], bad[600] = "";
	unsigned int at = 0;
	size_t blen = 0;

	for (; map->kind != XB_END; map++) {
		const uint8_t *q = b + map->off;
		uint64_t v;

		if (!map->len)
			continue;
		if (map->off != at || map->off + map->len > size) {
			ic_rec_add(r, "%s.MAP-ERROR-at-%s", label, map->name);
			return;
		}
		at = map->off + map->len;
		v = xa_getn(q, map->len);
		switch (map->kind) {
		case XB_HEX:
			xa_hex(hex, sizeof(hex), q, map->len);
			ic_rec_add(r, "%s.%s=%s", label, map->name, hex);
			break;
		case XB_SET:
			ic_rec_add(r, "%s.%s=%s", label, map->name, xa_all(q, map->len, 0) ? "zero" :
				   xa_all(q, map->len, IC_FILL) ? "fill" : "set");
			break;
		case XB_SEC64:
		case XB_SEC32:
			if (xa_mono_window(v))
				ic_rec_add(r, "%s.%s=<t in window>", label, map->name);
			else
				ic_rec_add(r, "%s.%s=0x%llx", label, map->name, (unsigned long long)v);
			break;
		case XB_SUB64:
		case XB_SUB32:
			if (v < 1000000000ull)
				ic_rec_add(r, "%s.%s=%s", label, map->name, v ? "plausible" : "0");
			else
				ic_rec_add(r, "%s.%s=0x%llx", label, map->name, (unsigned long long)v);
			break;
		case XB_PAD_KEEP:
		case XB_PAD_ZERO:
		case XB_PAD_ZERO_5_11:
		case XB_PAD_KEEP_5_11:
			if (!xa_all(q, map->len,
				    xa_pad_zero(map->kind) && !xa_unwritten ? 0 : IC_FILL) &&
			    blen + 100 < sizeof(bad)) {
				xa_hex(hex, sizeof(hex), q, map->len);
				blen += (size_t)snprintf(bad + blen, sizeof(bad) - blen,
							 "%s%s=%s(want:%s)", blen ? "," : "", map->name,
							 hex, xa_pad_zero(map->kind) &&
							 !xa_unwritten ? "zero" : "kept");
			}
			break;
		case XB_END:
			break;
		}
	}
	if (at != size)
		ic_rec_add(r, "%s.MAP-ERROR-size-%u/%u", label, at, (unsigned int)size);
	ic_rec_add(r, "%s.ownpad=%s", label, blen ? bad : "ok");
}

#define XA_PASS 1
#if XA_IS32
#define XA_ABI XA_KERNEL_ABI
#include "common_xabi_cases.c"
#else
#define XA_ABI XA_I386
#include "common_xabi_cases.c"
#undef XA_ABI
#define XA_ABI XA_ARM
#include "common_xabi_cases.c"
#endif

#else /* XA_PASS: the cases, for the layout XA_ABI */

#include "common_xabi.h"

#define XS(n)	struct XA_T(n)
#ifndef XA_VIDIOC_DQEVENT_t32
#define XA_VIDIOC_DQEVENT_t32	XA_VIDIOC_DQEVENT_T32
#define XA_VIDIOC_DQEVENT_t64	XA_VIDIOC_DQEVENT_T64
#define XA_VIDIOC_QUERYBUF_t32	XA_VIDIOC_QUERYBUF_T32
#define XA_VIDIOC_QUERYBUF_t64	XA_VIDIOC_QUERYBUF_T64
#define XA_VIDIOC_QBUF_t32	XA_VIDIOC_QBUF_T32
#define XA_VIDIOC_QBUF_t64	XA_VIDIOC_QBUF_T64
#define XA_VIDIOC_DQBUF_t32	XA_VIDIOC_DQBUF_T32
#define XA_VIDIOC_DQBUF_t64	XA_VIDIOC_DQBUF_T64
#endif

/* --- FIOQSIZE on a regular file ------------------------------------------ */
static void XA_T(case_fioqsize)(struct ic_rec *r)
{
	int fd = XA_FD(XA_RES_FILE);
	uint32_t a = ic_out(8);
	long ret;

	ic_rec_add(r, "size=%d", XA_FILE_SIZE);
	ret = xa_do(r, "fioqsize", fd, XA_FIOQSIZE_PRIMARY, a);
	if (ret == 0)
		ic_rec_add(r, "qsize=%llu", (unsigned long long)xa_get64(ic_ptr(a)));
	if (XA_FIOQSIZE_PRIMARY != XA_FIOQSIZE) {
		/* arm64's compat layer: the ARM number, logged only */
		uint32_t b = ic_out(8);
		long r2;
		int err;

		errno = 0;
		r2 = ic_ioctl32(fd, XA_FIOQSIZE, b);
		err = errno;
		xa_note_add("FIOQSIZE 0x%x (this ABI's own number) -> %ld%s%s (arm64's compat "
			    "layer knows only 0x%x)", XA_FIOQSIZE, r2, r2 == -1 ? ":" : "",
			    r2 == -1 ? ic_errname(err) : "", XA_FIOQSIZE_GENERIC);
	}
}

/* --- ALSA: ELEM_LIST, ELEM_INFO, ELEM_READ, ELEM_WRITE + read back -------- */
#define XA_CTL_MAX 24

static void XA_T(rec_value)(struct ic_rec *r, const char *label, XS(xa_ctl_elem_value) *v,
			    unsigned int count)
{
	unsigned int i;

	ic_rec_add(r, "%s.id.numid=%u", label, v->id.numid);
	for (i = 0; i < count && i < 128; i++)
		ic_rec_add(r, "%s.value.integer[%u]=%d", label, i, v->value.integer[i]);
	/* what a layout mix-up moves: the word after the values */
	ic_rec_add(r, "%s.value.integer[%u]=%d", label, count, v->value.integer[count]);
}

static void XA_T(case_alsa)(struct ic_rec *r)
{
	int fd = XA_FD(XA_RES_CTL);
	uint32_t la = ic_out(sizeof(XS(xa_ctl_elem_list)));
	XS(xa_ctl_elem_list) *l = ic_ptr(la);
	uint32_t pa, ia, va;
	XS(xa_ctl_elem_id) *ids;
	XS(xa_ctl_elem_info) *in;
	XS(xa_ctl_elem_value) *v;
	unsigned int i, n, target = 0, tcount = 0;
	int32_t tmin = 0, tmax = 0;

	/* ELEM_LIST: the count, then the ids */
	memset(l, 0, sizeof(*l));
	if (xa_do(r, "list0", fd, XA_SNDRV_CTL_IOCTL_ELEM_LIST, la) == 0)
		ic_rec_add(r, "list0.count=%u list0.used=%u", l->count, l->used);
	n = l->count < XA_CTL_MAX ? l->count : XA_CTL_MAX;
	pa = ic_out(XA_CTL_MAX * sizeof(XS(xa_ctl_elem_id)));
	ids = ic_ptr(pa);
	memset(l, 0, sizeof(*l));
	l->space = n;
	l->pids = pa;
	if (xa_do(r, "list", fd, XA_SNDRV_CTL_IOCTL_ELEM_LIST, la) == 0) {
		ic_rec_add(r, "list.count=%u list.used=%u list.space=%u list.pids=%s", l->count,
			   l->used, l->space, l->pids == pa ? "same" : "changed");
		n = l->used < n ? l->used : n;
	} else {
		n = 0;
	}
	for (i = 0; i < n; i++)
		ic_rec_add(r, "id[%u]=%u/%d/%u/%u/%s/%u", i, ids[i].numid, ids[i].iface,
			   ids[i].device, ids[i].subdevice, xa_str(ids[i].name, sizeof(ids[i].name)),
			   ids[i].index);

	/* ELEM_INFO of each; the first writable integer control is the target */
	ia = ic_out(sizeof(XS(xa_ctl_elem_info)));
	in = ic_ptr(ia);
	for (i = 0; i < n; i++) {
		char lab[32];

		memset(in, 0, sizeof(*in));
		in->id.numid = ids[i].numid;
		snprintf(lab, sizeof(lab), "info[%u]", i);
		if (xa_do(r, lab, fd, XA_SNDRV_CTL_IOCTL_ELEM_INFO, ia))
			continue;
		ic_rec_add(r, "info[%u].type=%d access=0x%x count=%u owner=%d", i, in->type,
			   in->access, in->count, in->owner);
		if (in->type == XA_SNDRV_CTL_ELEM_TYPE_INTEGER) {
			ic_rec_add(r, "info[%u].min=%d max=%d step=%d", i, in->value.integer.min,
				   in->value.integer.max, in->value.integer.step);
			if (!target && (in->access & XA_SNDRV_CTL_ELEM_ACCESS_WRITE) &&
			    in->count >= 1 && in->count <= 16) {
				target = in->id.numid;
				tcount = in->count;
				tmin = in->value.integer.min;
				tmax = in->value.integer.max;
			}
		}
	}
	if (!target) {
		ic_rec_add(r, "target=none");
		return;
	}
	ic_rec_add(r, "target=%u", target);

	/* ELEM_READ (t_xabi reset it to min), ELEM_WRITE, read back */
	va = ic_out(sizeof(XS(xa_ctl_elem_value)) + 8);
	v = ic_ptr(va);
	memset(v, 0, sizeof(*v));
	v->id.numid = target;
	if (xa_do(r, "read1", fd, XA_SNDRV_CTL_IOCTL_ELEM_READ, va) == 0)
		XA_T(rec_value)(r, "read1", v, tcount);
	memset(v, 0, sizeof(*v));
	v->id.numid = target;
	for (i = 0; i < tcount; i++) {
		int64_t x = tmin + (int64_t)(tmax - tmin) / 3 + i;

		v->value.integer[i] = (int32_t)(x > tmax ? tmax : x);
	}
	xa_do(r, "write", fd, XA_SNDRV_CTL_IOCTL_ELEM_WRITE, va);
	memset(v, 0xa5, sizeof(*v));
	memset(&v->id, 0, sizeof(v->id));
	v->indirect = 0;
	v->id.numid = target;
	if (xa_do(r, "read2", fd, XA_SNDRV_CTL_IOCTL_ELEM_READ, va) == 0)
		XA_T(rec_value)(r, "read2", v, tcount);
}

/* --- V4L2: ENUMINPUT, ENUMSTD ------------------------------------------- */
static void XA_T(case_v4l2_std)(struct ic_rec *r)
{
	int fd = XA_FD(XA_RES_VIDEO);
	uint32_t ia = ic_out(sizeof(XS(xa_v4l2_input)));
	uint32_t sa = ic_out(sizeof(XS(xa_v4l2_standard)));
	XS(xa_v4l2_input) *in = ic_ptr(ia);
	XS(xa_v4l2_standard) *s = ic_ptr(sa);
	uint32_t xa_in = ic_out(4);
	unsigned int i;
	char lab[32];

	for (i = 0; i < 8; i++) {
		memset(in, 0xa5, sizeof(*in));
		in->index = i;
		snprintf(lab, sizeof(lab), "enuminput[%u]", i);
		if (xa_do(r, lab, fd, XA_VIDIOC_ENUMINPUT, ia))
			break;
		ic_rec_add(r, "input[%u].index=%u name=%s type=%u audioset=0x%x tuner=%u "
			   "std=0x%llx status=0x%x capabilities=0x%x", i, in->index,
			   xa_str(in->name, sizeof(in->name)), in->type, in->audioset, in->tuner,
			   (unsigned long long)in->std, in->status, in->capabilities);
	}
	/* ENUMSTD answers ENODATA on the webcam input: the TV input (int arg) */
	*(int32_t *)ic_ptr(xa_in) = XA_V4L2_TV_INPUT;
	xa_do(r, "s_input", fd, XA_VIDIOC_S_INPUT, xa_in);
	for (i = 0; i < 64; i++) {
		memset(s, 0xa5, sizeof(*s));
		s->index = i;
		errno = 0;
		if (ic_ioctl32(fd, XA_VIDIOC_ENUMSTD, sa)) {
			snprintf(lab, sizeof(lab), "enumstd[%u]", i);
			ic_rec_ret(r, lab, -1, errno);
			break;
		}
		/* every 4th standard, and the first ones, in full */
		if (i < 3 || i % 4 == 0)
			ic_rec_add(r, "std[%u].index=%u id=0x%llx name=%s frameperiod=%u/%u "
				   "framelines=%u", i, s->index, (unsigned long long)s->id,
				   xa_str(s->name, sizeof(s->name)), s->frameperiod.numerator,
				   s->frameperiod.denominator, s->framelines);
	}
	ic_rec_add(r, "enumstd.count=%u", i);
	*(int32_t *)ic_ptr(xa_in) = 0;
	xa_do(r, "s_input0", fd, XA_VIDIOC_S_INPUT, xa_in);
}

/* --- V4L2: SUBSCRIBE_EVENT, S_CTRL, DQEVENT (time32 / time64) ----------- */
#define XA_EVENT_CASE(T)							\
static void XA_T(rec_event_##T)(struct ic_rec *r, const char *lab,		\
				XS(xa_v4l2_event_##T) *e)			\
{										\
	ic_rec_add(r, "%s.type=%u ctrl.changes=0x%x ctrl.type=%u ctrl.value=%d "	\
		   "ctrl.flags=0x%x ctrl.min=%d ctrl.max=%d ctrl.step=%d "	\
		   "ctrl.default=%d pending=%u id=0x%x timestamp=%s", lab,	\
		   e->type, e->u.ctrl.changes, e->u.ctrl.type, e->u.ctrl.v.value,	\
		   e->u.ctrl.flags, e->u.ctrl.minimum, e->u.ctrl.maximum,	\
		   e->u.ctrl.step, e->u.ctrl.default_value, e->pending, e->id,	\
		   (e->timestamp.tv_sec || e->timestamp.tv_nsec) ? "nonzero" : "zero"); \
	ic_rec_add(r, "%s.reserved=%s", lab,					\
		   e->reserved[0] || e->reserved[7] ? "nonzero" : "zero");	\
}										\
										\
static void XA_T(case_v4l2_event_##T)(struct ic_rec *r)			\
{										\
	int fd = XA_FD(XA_RES_VIDEO);						\
	uint32_t sa = ic_out(sizeof(XS(xa_v4l2_event_subscription)));		\
	uint32_t ca = ic_out(sizeof(XS(xa_v4l2_control)));			\
	uint32_t ea = ic_out(sizeof(XS(xa_v4l2_event_##T)));			\
	XS(xa_v4l2_event_subscription) *sub = ic_ptr(sa);			\
	XS(xa_v4l2_control) *c = ic_ptr(ca);					\
	XS(xa_v4l2_event_##T) *e = ic_ptr(ea);					\
	uint32_t seq[2] = { 0, 0 };						\
	int k;									\
										\
	memset(sub, 0, sizeof(*sub));						\
	sub->type = XA_V4L2_EVENT_CTRL;						\
	sub->id = XA_V4L2_CID_BRIGHTNESS;					\
	/* our own S_CTRL must reach us too */					\
	sub->flags = XA_V4L2_EVENT_SUB_FL_ALLOW_FEEDBACK;			\
	xa_do(r, "subscribe", fd, XA_VIDIOC_SUBSCRIBE_EVENT, sa);		\
	for (k = 0; k < 2; k++) {						\
		char lab[16];							\
										\
		c->id = XA_V4L2_CID_BRIGHTNESS;					\
		c->value = 100 + k;						\
		snprintf(lab, sizeof(lab), "s_ctrl%d", k);			\
		xa_do(r, lab, fd, XA_VIDIOC_S_CTRL, ca);			\
		memset(e, 0xa5, sizeof(*e));					\
		snprintf(lab, sizeof(lab), "dqevent%d", k);			\
		if (xa_do(r, lab, fd, XA_VIDIOC_DQEVENT_##T, ea) == 0) {	\
			XA_T(rec_event_##T)(r, lab, e);				\
			seq[k] = e->sequence;					\
		}								\
	}									\
	ic_rec_add(r, "sequence.delta=%d", (int)(seq[1] - seq[0]));		\
	memset(e, 0xa5, sizeof(*e));						\
	xa_do(r, "dqevent.empty", fd, XA_VIDIOC_DQEVENT_##T, ea);		\
	c->id = XA_V4L2_CID_BRIGHTNESS;						\
	c->value = 0;								\
	if (xa_do(r, "g_ctrl", fd, XA_VIDIOC_G_CTRL, ca) == 0)			\
		ic_rec_add(r, "g_ctrl.value=%d", c->value);			\
	xa_do(r, "unsubscribe", fd, XA_VIDIOC_UNSUBSCRIBE_EVENT, sa);		\
}

XA_EVENT_CASE(t32)
XA_EVENT_CASE(t64)

/* --- DRM: dumb buffer, ADDFB2 with a LINEAR modifier, GETFB2, RMFB ------ */
static void XA_T(case_drm_fb2)(struct ic_rec *r)
{
	int fd = XA_FD(XA_RES_DRM);
	uint32_t da = ic_out(sizeof(XS(xa_drm_mode_create_dumb)));
	uint32_t fa = ic_out(sizeof(XS(xa_drm_mode_fb_cmd2)));
	uint32_t ga = ic_out(sizeof(XS(xa_drm_mode_fb_cmd2)));
	uint32_t xa = ic_out(8);
	XS(xa_drm_mode_create_dumb) *d = ic_ptr(da);
	XS(xa_drm_mode_fb_cmd2) *f = ic_ptr(fa), *g = ic_ptr(ga);
	uint32_t handle, fb_id = 0;
	unsigned int i;

	memset(d, 0, sizeof(*d));
	d->width = 64;
	d->height = 32;
	d->bpp = 32;
	if (xa_do(r, "create_dumb", fd, XA_DRM_IOCTL_MODE_CREATE_DUMB, da))
		return;
	handle = d->handle;
	ic_rec_add(r, "dumb.handle=%s dumb.pitch=%u dumb.size=%llu", handle ? "nonzero" : "zero",
		   d->pitch, (unsigned long long)d->size);

	memset(f, 0, sizeof(*f));
	f->width = 64;
	f->height = 32;
	f->pixel_format = XA_DRM_FORMAT_XRGB8888;
	f->flags = XA_DRM_MODE_FB_MODIFIERS;
	f->handles[0] = handle;
	f->pitches[0] = d->pitch;
	f->offsets[0] = 0;
	f->modifier[0] = XA_DRM_FORMAT_MOD_LINEAR;
	if (xa_do(r, "addfb2", fd, XA_DRM_IOCTL_MODE_ADDFB2, fa) == 0) {
		fb_id = f->fb_id;
		ic_rec_add(r, "addfb2.fb_id=%s", fb_id ? "nonzero" : "zero");

		/*
		 * GETFB2 into a pre-filled struct: every field must be written.
		 * modifier[] starts zeroed: x86-64 has no compat GETFB2, so a
		 * real i386 caller gets the LP64 layout (modifier[] at 72, 4
		 * bytes past its 100-byte struct); logged as a note, and with
		 * zeroes there the values still compare.
		 */
		memset(g, 0xa5, sizeof(*g));
		memset(g->modifier, 0, sizeof(g->modifier));
		g->fb_id = fb_id;
		if (xa_do(r, "getfb2", fd, XA_DRM_IOCTL_MODE_GETFB2, ga) == 0) {
			const uint8_t *past = (const uint8_t *)(g + 1);

			for (i = 0; i < 8 && past[i] == IC_FILL; i++)
				;
			if (i < 8)
				xa_note_add("GETFB2 wrote past the %u-byte struct (bytes after it: "
					    "%02x%02x%02x%02x%02x%02x%02x%02x): the kernel wrote "
					    "another layout", (unsigned int)sizeof(*g), past[0],
					    past[1], past[2], past[3], past[4], past[5], past[6],
					    past[7]);
			ic_rec_add(r, "getfb2.fb_id=%s width=%u height=%u pixel_format=0x%x "
				   "flags=0x%x", g->fb_id == fb_id ? "same" : "changed", g->width,
				   g->height, g->pixel_format, g->flags);
			for (i = 0; i < 4; i++)
				ic_rec_add(r, "plane[%u].handle=%s pitch=%u offset=%u modifier=0x%llx",
					   i, !g->handles[i] ? "zero" :
					   g->handles[i] == 0xa5a5a5a5u ? "unwritten" : "nonzero",
					   g->pitches[i], g->offsets[i],
					   (unsigned long long)g->modifier[i]);
			/* GETFB2 hands out new GEM handles: close them */
			for (i = 0; i < 4; i++) {
				uint32_t h = g->handles[i];
				unsigned int j;
				int dup = 0;

				for (j = 0; j < i; j++)
					dup |= g->handles[j] == h;
				if (!h || h == 0xa5a5a5a5u || h == handle || dup)
					continue;
				memset(ic_ptr(xa), 0, 8);
				*(uint32_t *)ic_ptr(xa) = h;
				ic_ioctl32(fd, XA_DRM_IOCTL_GEM_CLOSE, xa);
			}
		}
		*(uint32_t *)ic_ptr(xa) = fb_id;
		xa_do(r, "rmfb", fd, XA_DRM_IOCTL_MODE_RMFB, xa);
	}
	*(uint32_t *)ic_ptr(xa) = handle;
	xa_do(r, "destroy_dumb", fd, XA_DRM_IOCTL_MODE_DESTROY_DUMB, xa);
}

/* --- SIOCETHTOOL ETHTOOL_GRXRINGS ---------------------------------------- */
static void XA_T(case_ethtool)(struct ic_rec *r)
{
	const char *ifname = getenv(XA_IFNAME_ENV);
	int fd = XA_FD(XA_RES_SOCK);
	uint32_t ra = ic_out(sizeof(struct ic32_ifreq));
	uint32_t na = ic_out(sizeof(XS(xa_ethtool_rxnfc)) + 16);
	struct ic32_ifreq *ifr = ic_ptr(ra);
	XS(xa_ethtool_rxnfc) *n = ic_ptr(na);

	if (!ifname || !*ifname) {
		r->skip = "no interface (" XA_IFNAME_ENV " unset)";
		return;
	}
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->name, sizeof(ifr->name), "%s", ifname);
	ifr->u.data = na;
	memset(n, 0, sizeof(*n));
	n->cmd = XA_ETHTOOL_GRXRINGS;
	n->flow_type = 0;
	n->data = 0x1122334455667788ull;
	n->fs.ring_cookie = 0x99aabbccddeeff00ull;
	n->rule_cnt = 0x5a5a5a5au;
	ic_rec_add(r, "ifname=%s", ifname);
	if (xa_do(r, "siocethtool", fd, XA_SIOCETHTOOL, ra) == 0)
		ic_rec_add(r, "rxnfc.cmd=0x%x flow_type=%u data=%llu fs.ring_cookie=0x%llx "
			   "rule_cnt=0x%x", n->cmd, n->flow_type, (unsigned long long)n->data,
			   (unsigned long long)n->fs.ring_cookie, n->rule_cnt);
	ic_rec_add(r, "ifr_data=%s", ifr->u.data == na ? "same" : "changed");
}

/* ====== byte-exact cases: every byte of the struct, padding included ====== */

/* --- V4L2 DQEVENT (32- and 64-bit time) into a struct full of IC_FILL ---- */
#define XA_BYTES_EVENT_CASE(T)							\
static void XA_T(case_bytes_event_##T)(struct ic_rec *r)			\
{										\
	int fd = XA_FD(XA_RES_VIDEO);						\
	uint32_t sa = ic_out(sizeof(XS(xa_v4l2_event_subscription)));		\
	uint32_t ca = ic_out(sizeof(XS(xa_v4l2_control)));			\
	uint32_t ea = ic_out(sizeof(XS(xa_v4l2_event_##T)));			\
	XS(xa_v4l2_event_subscription) *sub = ic_ptr(sa);			\
	XS(xa_v4l2_control) *c = ic_ptr(ca);					\
	void *e = ic_ptr(ea);							\
	int k;									\
										\
	memset(sub, 0, sizeof(*sub));						\
	sub->type = XA_V4L2_EVENT_CTRL;						\
	sub->id = XA_V4L2_CID_BRIGHTNESS;					\
	sub->flags = XA_V4L2_EVENT_SUB_FL_ALLOW_FEEDBACK;			\
	xa_do(r, "subscribe", fd, XA_VIDIOC_SUBSCRIBE_EVENT, sa);		\
	/* the subscription's initial event is not sent without SEND_INITIAL */ \
	for (k = 0; k < 2; k++) {						\
		char lab[16];							\
										\
		c->id = XA_V4L2_CID_BRIGHTNESS;					\
		c->value = 90 + k;						\
		xa_do(r, NULL, fd, XA_VIDIOC_S_CTRL, ca);			\
		memset(e, IC_FILL, sizeof(XS(xa_v4l2_event_##T)));		\
		snprintf(lab, sizeof(lab), "dqevent%d", k);			\
		if (xa_do(r, lab, fd, XA_VIDIOC_DQEVENT_##T, ea) == 0)		\
			xa_rec_bytes(r, lab, e, sizeof(XS(xa_v4l2_event_##T)),	\
				     XA_T(xb_event_##T));			\
	}									\
	/* a failed DQEVENT (none queued) writes nothing */			\
	memset(e, IC_FILL, sizeof(XS(xa_v4l2_event_##T)));			\
	xa_do(r, "dqevent.empty", fd, XA_VIDIOC_DQEVENT_##T, ea);		\
	xa_rec_unwritten(r, "dqevent.empty", e, sizeof(XS(xa_v4l2_event_##T)), \
		     XA_T(xb_event_##T));					\
	xa_do(r, "unsubscribe", fd, XA_VIDIOC_UNSUBSCRIBE_EVENT, sa);		\
}

XA_BYTES_EVENT_CASE(t32)
XA_BYTES_EVENT_CASE(t64)

/* --- V4L2 buffers while streaming from vivid (32- and 64-bit time) ------- */
#define XA_BYTES_BUFFER_CASE(T)							\
static void XA_T(buf_in_##T)(XS(xa_v4l2_buffer_##T) *b, unsigned int i)	\
{										\
	xa_fill(b, sizeof(*b), XA_T(xb_buffer_##T));				\
	b->index = i;								\
	b->type = XA_V4L2_BUF_TYPE_VIDEO_CAPTURE;				\
	b->memory = XA_V4L2_MEMORY_MMAP;					\
}										\
										\
static void XA_T(case_bytes_buffer_##T)(struct ic_rec *r)			\
{										\
	int fd = XA_FD(XA_RES_VIDEO);						\
	uint32_t qa = ic_out(sizeof(XS(xa_v4l2_requestbuffers)));		\
	uint32_t ba = ic_out(sizeof(XS(xa_v4l2_buffer_##T)));			\
	uint32_t ta = ic_out(4);						\
	XS(xa_v4l2_requestbuffers) *q = ic_ptr(qa);				\
	XS(xa_v4l2_buffer_##T) *b = ic_ptr(ba);					\
	unsigned int i, n;							\
	uint32_t seq, last = 0;							\
	char lab[24];								\
										\
	memset(q, 0, sizeof(*q));						\
	q->count = 2;								\
	q->type = XA_V4L2_BUF_TYPE_VIDEO_CAPTURE;				\
	q->memory = XA_V4L2_MEMORY_MMAP;					\
	if (xa_do(r, "reqbufs", fd, XA_VIDIOC_REQBUFS, qa))			\
		return;								\
	n = q->count < 4 ? q->count : 4;					\
	ic_rec_add(r, "reqbufs.count=%u", q->count);				\
	for (i = 0; i < n; i++) {						\
		XA_T(buf_in_##T)(b, i);						\
		snprintf(lab, sizeof(lab), "querybuf%u", i);			\
		if (xa_do(r, lab, fd, XA_VIDIOC_QUERYBUF_##T, ba) == 0)		\
			xa_rec_bytes(r, lab, b, sizeof(*b), XA_T(xb_buffer_##T)); \
		XA_T(buf_in_##T)(b, i);						\
		snprintf(lab, sizeof(lab), "qbuf%u", i);			\
		if (xa_do(r, lab, fd, XA_VIDIOC_QBUF_##T, ba) == 0)		\
			xa_rec_bytes(r, lab, b, sizeof(*b), XA_T(xb_buffer_##T)); \
	}									\
	*(uint32_t *)ic_ptr(ta) = XA_V4L2_BUF_TYPE_VIDEO_CAPTURE;		\
	if (xa_do(r, "streamon", fd, XA_VIDIOC_STREAMON, ta) == 0) {		\
		struct pollfd pfd = { .fd = fd, .events = POLLIN };		\
										\
		/* every queued buffer, dequeued in turn: index, m.offset,	\
		 * timestamp ... of each.  vivid counts the frames it falls	\
		 * behind on (TCG) in sequence: after the first buffer, a	\
		 * sequence above the last one is recorded as last + 1. */	\
		for (i = 0; i < n; i++) {					\
			snprintf(lab, sizeof(lab), "poll%u", i);		\
			ic_rec_add(r, "%s=%d", lab, poll(&pfd, 1, 10000));	\
			XA_T(buf_in_##T)(b, 0);					\
			snprintf(lab, sizeof(lab), "dqbuf%u", i);		\
			if (xa_do(r, lab, fd, XA_VIDIOC_DQBUF_##T, ba))	\
				continue;					\
			seq = b->sequence;					\
			if (i && seq > last)					\
				b->sequence = last + 1;				\
			last = seq;						\
			xa_rec_bytes(r, lab, b, sizeof(*b), XA_T(xb_buffer_##T)); \
		}								\
		*(uint32_t *)ic_ptr(ta) = XA_V4L2_BUF_TYPE_VIDEO_CAPTURE;	\
		xa_do(r, "streamoff", fd, XA_VIDIOC_STREAMOFF, ta);		\
	}									\
	memset(q, 0, sizeof(*q));						\
	q->type = XA_V4L2_BUF_TYPE_VIDEO_CAPTURE;				\
	q->memory = XA_V4L2_MEMORY_MMAP;					\
	xa_do(r, "reqbufs0", fd, XA_VIDIOC_REQBUFS, qa);			\
}

XA_BYTES_BUFFER_CASE(t32)
XA_BYTES_BUFFER_CASE(t64)

/* --- ALSA ELEM_INFO / ELEM_READ of the target control -------------------- */
static void XA_T(case_bytes_alsa)(struct ic_rec *r)
{
	int fd = XA_FD(XA_RES_CTL);
	uint32_t ia = ic_out(sizeof(XS(xa_ctl_elem_info)));
	uint32_t va = ic_out(sizeof(XS(xa_ctl_elem_value)));
	XS(xa_ctl_elem_info) *in = ic_ptr(ia);
	XS(xa_ctl_elem_value) *v = ic_ptr(va);
	const char *numid = getenv(XA_CTL_NUMID_ENV);
	unsigned int id = numid ? (unsigned int)strtoul(numid, NULL, 10) : 0;

	if (!id) {
		r->skip = "no control (" XA_CTL_NUMID_ENV " unset)";
		return;
	}
	xa_fill(in, sizeof(*in), XA_T(xb_ctl_info));
	in->id.numid = id;
	if (xa_do(r, "elem_info", fd, XA_SNDRV_CTL_IOCTL_ELEM_INFO, ia) == 0)
		xa_rec_bytes(r, "elem_info", in, sizeof(*in), XA_T(xb_ctl_info));
	xa_fill(v, sizeof(*v), XA_T(xb_ctl_value));
	v->id.numid = id;
	if (xa_do(r, "elem_read", fd, XA_SNDRV_CTL_IOCTL_ELEM_READ, va) == 0)
		xa_rec_bytes(r, "elem_read", v, sizeof(*v), XA_T(xb_ctl_value));
	/* a bad numid: an error, nothing written */
	xa_fill(v, sizeof(*v), XA_T(xb_ctl_value));
	v->id.numid = 0x7fffff;
	xa_do(r, "elem_read.bad", fd, XA_SNDRV_CTL_IOCTL_ELEM_READ, va);
	xa_rec_unwritten(r, "elem_read.bad", v, sizeof(*v), XA_T(xb_ctl_value));
}

/* --- DRM ADDFB2 (LINEAR, then X-tiled), GETFB2, every byte --------------- */
static void XA_T(case_bytes_drm)(struct ic_rec *r)
{
	static const uint64_t mods[2] = { XA_DRM_FORMAT_MOD_LINEAR, XA_I915_FORMAT_MOD_X_TILED };
	int fd = XA_FD(XA_RES_DRM);
	uint32_t da = ic_out(sizeof(XS(xa_drm_mode_create_dumb)));
	uint32_t fa = ic_out(sizeof(XS(xa_drm_mode_fb_cmd2)));
	uint32_t xa = ic_out(8);
	XS(xa_drm_mode_create_dumb) *d = ic_ptr(da);
	XS(xa_drm_mode_fb_cmd2) *f = ic_ptr(fa);
	uint32_t handle;
	unsigned int m, i;
	char lab[24];

	memset(d, 0, sizeof(*d));
	d->width = 64;
	d->height = 32;
	d->bpp = 32;
	if (xa_do(r, "create_dumb", fd, XA_DRM_IOCTL_MODE_CREATE_DUMB, da))
		return;
	handle = d->handle;
	for (m = 0; m < 2; m++) {
		uint32_t fb_id, pitch = d->pitch;

		xa_fill(f, sizeof(*f), XA_T(xb_fb_cmd2));
		f->width = 64;
		f->height = 32;
		f->pixel_format = XA_DRM_FORMAT_XRGB8888;
		f->flags = XA_DRM_MODE_FB_MODIFIERS;
		f->handles[0] = handle;
		f->pitches[0] = pitch;
		f->modifier[0] = mods[m];
		snprintf(lab, sizeof(lab), "addfb2.%s", m ? "xtiled" : "linear");
		if (xa_do(r, lab, fd, XA_DRM_IOCTL_MODE_ADDFB2, fa))
			continue;
		xa_rec_bytes(r, lab, f, sizeof(*f), XA_T(xb_fb_cmd2));
		fb_id = f->fb_id;
		xa_fill(f, sizeof(*f), XA_T(xb_fb_cmd2));
		f->fb_id = fb_id;
		snprintf(lab, sizeof(lab), "getfb2.%s", m ? "xtiled" : "linear");
		if (xa_do(r, lab, fd, XA_DRM_IOCTL_MODE_GETFB2, fa) == 0) {
#if XA_KERNEL_ABI == XA_I386
			/*
			 * x86-64 has no compat GETFB2: the real i386 process
			 * reads modifier[] 4 bytes off, and the library
			 * corrects it.  Compared with the native answer by
			 * t_xabi's "policy" lines instead.
			 */
			ic_rec_add(r, "%s: not compared with the i386 oracle", lab);
#else
			xa_rec_bytes(r, lab, f, sizeof(*f), XA_T(xb_fb_cmd2));
#endif
			for (i = 0; i < 4; i++) {
				uint32_t h = f->handles[i];

				if (!h || h == handle || (i && h == f->handles[0]))
					continue;
				memset(ic_ptr(xa), 0, 8);
				*(uint32_t *)ic_ptr(xa) = h;
				ic_ioctl32(fd, XA_DRM_IOCTL_GEM_CLOSE, xa);
			}
		}
		*(uint32_t *)ic_ptr(xa) = fb_id;
		xa_do(r, NULL, fd, XA_DRM_IOCTL_MODE_RMFB, xa);
	}
	*(uint32_t *)ic_ptr(xa) = handle;
	xa_do(r, "destroy_dumb", fd, XA_DRM_IOCTL_MODE_DESTROY_DUMB, xa);
}

/* --- SIOCETHTOOL GRXCLSRLCNT, GRXCLSRLALL with rule locations ------------- */
#define XA_RULES 8
static void XA_T(case_bytes_ethtool)(struct ic_rec *r)
{
	const char *ifname = getenv(XA_IFNAME_ENV);
	int fd = XA_FD(XA_RES_SOCK);
	size_t nsz = sizeof(XS(xa_ethtool_rxnfc));
	size_t fixed = offsetof(XS(xa_ethtool_rxnfc), rule_locs);
	uint32_t ra = ic_out(sizeof(struct ic32_ifreq));
	uint32_t na = ic_out(nsz + XA_RULES * 4);
	struct ic32_ifreq *ifr = ic_ptr(ra);
	XS(xa_ethtool_rxnfc) *n = ic_ptr(na);
	uint32_t cnt = XA_RULES;

	if (!ifname || !*ifname) {
		r->skip = "no interface (" XA_IFNAME_ENV " unset)";
		return;
	}
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->name, sizeof(ifr->name), "%s", ifname);
	ifr->u.data = na;
	xa_fill(n, fixed, XA_T(xb_rxnfc));
	n->cmd = XA_ETHTOOL_GRXCLSRLCNT;
	if (xa_do(r, "grxclsrlcnt", fd, XA_SIOCETHTOOL, ra) == 0) {
		xa_rec_bytes(r, "grxclsrlcnt", n, fixed, XA_T(xb_rxnfc));
		cnt = n->rule_cnt < XA_RULES ? n->rule_cnt : XA_RULES;
	}
	xa_fill(n, fixed, XA_T(xb_rxnfc));
	memset(n->rule_locs, IC_FILL, XA_RULES * 4);
	n->cmd = XA_ETHTOOL_GRXCLSRLALL;
	n->rule_cnt = cnt;
	if (xa_do(r, "grxclsrlall", fd, XA_SIOCETHTOOL, ra) == 0) {
		char hex[XA_RULES * 8 + 1];
		unsigned int i;

		xa_rec_bytes(r, "grxclsrlall", n, fixed, XA_T(xb_rxnfc));
		for (i = 0; i < XA_RULES * 4; i++)
			snprintf(hex + 2 * i, 3, "%02x", ((uint8_t *)n->rule_locs)[i]);
		ic_rec_add(r, "grxclsrlall.rule_locs=%s", hex);
	}
	ic_rec_add(r, "ifr_data=%s", ifr->u.data == na ? "same" : "changed");
}

const struct xa_case XA_T(xa_cases)[XA_NCASES] = {
	{ "fioqsize", XA_NEED(XA_RES_FILE), XA_T(case_fioqsize),
	  "FIOQSIZE on a regular file (ARM 0x545E, i386 0x5460)" },
	{ "alsa_ctl", XA_NEED(XA_RES_CTL), XA_T(case_alsa),
	  "ALSA SNDRV_CTL_IOCTL_ELEM_LIST/INFO/READ/WRITE + read back" },
	{ "v4l2_std", XA_NEED(XA_RES_VIDEO), XA_T(case_v4l2_std),
	  "V4L2 VIDIOC_ENUMINPUT, VIDIOC_ENUMSTD (v4l2_std_id u64)" },
	{ "v4l2_event_t32", XA_NEED(XA_RES_VIDEO), XA_T(case_v4l2_event_t32),
	  "V4L2 SUBSCRIBE_EVENT ctrl, S_CTRL, DQEVENT (32-bit time_t)" },
	{ "v4l2_event_t64", XA_NEED(XA_RES_VIDEO), XA_T(case_v4l2_event_t64),
	  "V4L2 SUBSCRIBE_EVENT ctrl, S_CTRL, DQEVENT (64-bit time_t)" },
	{ "drm_fb2", XA_NEED(XA_RES_DRM), XA_T(case_drm_fb2),
	  "DRM CREATE_DUMB, ADDFB2 (FB_MODIFIERS, LINEAR), GETFB2, RMFB" },
	{ "ethtool_grxrings", XA_NEED(XA_RES_SOCK), XA_T(case_ethtool),
	  "SIOCETHTOOL ETHTOOL_GRXRINGS (struct ethtool_rxnfc)" },
	{ "bytes_event_t32", XA_NEED(XA_RES_VIDEO), XA_T(case_bytes_event_t32),
	  "every byte: V4L2 DQEVENT (32-bit time) into a filled struct" },
	{ "bytes_event_t64", XA_NEED(XA_RES_VIDEO), XA_T(case_bytes_event_t64),
	  "every byte: V4L2 DQEVENT (64-bit time: tv_nsec's high half) into a filled struct" },
	{ "bytes_buffer_t32", XA_NEED(XA_RES_VIDEO), XA_T(case_bytes_buffer_t32),
	  "every byte: V4L2 REQBUFS, QUERYBUF, QBUF, STREAMON, DQBUF (32-bit time)" },
	{ "bytes_buffer_t64", XA_NEED(XA_RES_VIDEO), XA_T(case_bytes_buffer_t64),
	  "every byte: V4L2 REQBUFS, QUERYBUF, QBUF, STREAMON, DQBUF (64-bit time)" },
	{ "bytes_alsa", XA_NEED(XA_RES_CTL), XA_T(case_bytes_alsa),
	  "every byte: ALSA ELEM_INFO, ELEM_READ (and a failing one)" },
	{ "bytes_drm", XA_NEED(XA_RES_DRM), XA_T(case_bytes_drm),
	  "every byte: DRM ADDFB2/GETFB2, LINEAR and X-tiled modifiers" },
	{ "bytes_ethtool", XA_NEED(XA_RES_SOCK), XA_T(case_bytes_ethtool),
	  "every byte: SIOCETHTOOL GRXCLSRLCNT, GRXCLSRLALL with rule locations" },
};

#undef XS
#endif /* XA_PASS */
