// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Guest ABIs.  The kernel's compat layer speaks one 32-bit ABI per host
 * (i386 on x86-64, AArch32 EABI on arm64).  A guest of the other ABI lays
 * out some ioctl arguments differently -- a 64-bit member is 4-aligned on
 * i386 and 8-aligned on ARM EABI -- so the struct's size, and with it the
 * command number, differ.  For every such command, abi-tables.h (generated
 * from the uapi headers by userlib/abi/abi-gen.py, `make abi`) gives the
 * kernel's number and the spans of bytes to move between the two layouts.
 *
 * A translated call reads the guest's argument (the guest pointer is not
 * trusted: process_vm_readv(), or a pipe where that is refused, turns a bad
 * one into EFAULT, as the kernel would), builds the kernel's layout in this thread's bounce buffer below
 * the compat TASK_SIZE, forwards it, and converts back only what the kernel
 * wrote: commands with _IOC_READ in their direction whose argument changed.
 * One the table marks as not translatable fails with EOPNOTSUPP.
 *
 * A command that is not in the table is one of two kinds.  The generator
 * compared it and found it the same in both ABIs (ec_abi_same_*[]): it
 * goes through unchanged.  Or nothing is known of it (a header the
 * generator could not compile, an out-of-tree driver, a command newer than
 * the headers): it fails with ENOTTY, as in stock QEMU, unless the handle
 * was set with EMUCOMPAT_ABI_PASS_UNKNOWN.  A wrong layout is a kernel
 * reading and writing the guest's memory at the wrong offsets, past the
 * end of its struct; an error is something a program handles.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/ioctl.h>

#include "internal.h"
#include "abi-tables.h"

#define EC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct ec_abi {
	unsigned int guest;			/* EMUCOMPAT_ABI_* */
	const struct ec_abi_cmd *cmds;		/* sorted by guest_cmd */
	size_t ncmds;
	const struct ec_abi_ethtool *ethtool;	/* SIOCETHTOOL sub-commands */
	size_t nethtool;
	const uint32_t *same;			/* identical in both ABIs, sorted */
	size_t nsame;
	const uint32_t *anysize;		/* the same, of any size (size field 0) */
	size_t nanysize;
};

/* Both directions are built everywhere; the host picks one. */
static const struct ec_abi ec_abis[] = {
	{ EMUCOMPAT_ABI_I386, ec_abi_i386_on_arm, EC_ARRAY_SIZE(ec_abi_i386_on_arm),
	  ec_abi_ethtool_i386_on_arm, EC_ARRAY_SIZE(ec_abi_ethtool_i386_on_arm),
	  ec_abi_same_i386_on_arm, EC_ARRAY_SIZE(ec_abi_same_i386_on_arm),
	  ec_abi_same_anysize_i386_on_arm, EC_ARRAY_SIZE(ec_abi_same_anysize_i386_on_arm) },
	{ EMUCOMPAT_ABI_ARM, ec_abi_arm_on_i386, EC_ARRAY_SIZE(ec_abi_arm_on_i386),
	  ec_abi_ethtool_arm_on_i386, EC_ARRAY_SIZE(ec_abi_ethtool_arm_on_i386),
	  ec_abi_same_arm_on_i386, EC_ARRAY_SIZE(ec_abi_same_arm_on_i386),
	  ec_abi_same_anysize_arm_on_i386, EC_ARRAY_SIZE(ec_abi_same_anysize_arm_on_i386) },
};

#if defined(__x86_64__)
#define EC_KERNEL_ABI EMUCOMPAT_ABI_I386
#define EC_FOREIGN (&ec_abis[1])
#elif defined(__aarch64__)
#define EC_KERNEL_ABI EMUCOMPAT_ABI_ARM
#define EC_FOREIGN (&ec_abis[0])
#else
#define EC_KERNEL_ABI EMUCOMPAT_ABI_KERNEL
#define EC_FOREIGN NULL
#endif

/* SIOCETHTOOL and struct ifreq are the same in both ABIs. */
#define EC_SIOCETHTOOL		0x8946u
#define EC_IFREQ_SIZE		32u
#define EC_IFREQ_DATA		16u	/* ifr_data, a 32-bit pointer */
#define EC_ETHTOOL_GRXCLSRLALL	0x30u	/* rule_cnt u32s follow the struct */
/* The kernel's own bound on rule_cnt (KMALLOC_MAX_SIZE / 4): beyond, ENOMEM. */
#define EC_ETHTOOL_MAX_RULES	(1u << 20)

EC_EXPORT unsigned int emucompat_guest_abis(void)
{
	unsigned int abis = 1u << EMUCOMPAT_ABI_KERNEL;

	if (EC_FOREIGN)
		abis |= 1u << EC_KERNEL_ABI | 1u << EC_FOREIGN->guest;
	return abis;
}

/* The flag bits emucompat_set_guest_abi() accepts (0.7 and later). */
#define EC_ABI_FLAGS EMUCOMPAT_ABI_PASS_UNKNOWN

/*
 * Two versions of one symbol: the attribute where the compiler has it
 * (GCC 10 and later; it survives LTO), else the assembler's directive.
 */
#if defined(__has_attribute)
#if __has_attribute(symver)
#define EC_SYMVER(name) __attribute__((symver(name)))
#endif
#endif
#ifndef EC_SYMVER
#define EC_SYMVER(name)
#define EC_SYMVER_ASM 1
#endif

/*
 * The static archive (built with EC_STATIC_ARCHIVE) carries no symbol
 * versions: a versioned definition would give every program that links
 * the archive a version definition section of its own (box64, for one,
 * then takes the program for a library worth searching in its dlsym()).
 * A program linked statically was built against this header, so it gets
 * the current version under its plain name, and no 0.4 variant.
 */
#ifdef EC_STATIC_ARCHIVE
#undef EC_SYMVER
#define EC_SYMVER(name)
#undef EC_SYMVER_ASM
#define ec_set_guest_abi_0_7 emucompat_set_guest_abi
#endif

static int ec_set_guest_abi(struct emucompat *ec, unsigned int abi, unsigned int flags)
{
	const struct ec_abi *t = NULL;

	if (!ec || abi >= 32 || !(emucompat_guest_abis() & (1u << abi))) {
		errno = EINVAL;
		return -1;
	}
	if (EC_FOREIGN && abi == EC_FOREIGN->guest)
		t = EC_FOREIGN;
	ec->guest_abi = abi;
	__atomic_store_n(&ec->abi_flags, flags, __ATOMIC_RELAXED);
	__atomic_store_n(&ec->abi, t, __ATOMIC_RELEASE);
	return 0;
}

/*
 * emucompat_set_guest_abi@@EMUCOMPAT_0.7: an ABI (the low byte) or-ed
 * with flags.  Unknown flag bits are EINVAL, as every bit beyond the ABI
 * was before 0.7.
 */
EC_EXPORT EC_SYMVER("emucompat_set_guest_abi@@EMUCOMPAT_0.7")
int ec_set_guest_abi_0_7(struct emucompat *ec, unsigned int abi)
{
	if (abi & ~(EC_ABI_FLAGS | 0xffu)) {
		errno = EINVAL;
		return -1;
	}
	return ec_set_guest_abi(ec, abi & 0xffu, abi & EC_ABI_FLAGS);
}

/*
 * emucompat_set_guest_abi@EMUCOMPAT_0.4, what programs built against
 * 0.4-0.6 call: no flags (any bit beyond the ABI is EINVAL), and commands
 * the tables do not know pass through unchanged, as those versions did and
 * documented.
 */
#ifndef EC_STATIC_ARCHIVE
EC_EXPORT EC_SYMVER("emucompat_set_guest_abi@EMUCOMPAT_0.4")
int ec_set_guest_abi_0_4(struct emucompat *ec, unsigned int abi)
{
	return ec_set_guest_abi(ec, abi, EMUCOMPAT_ABI_PASS_UNKNOWN);
}
#endif

#ifdef EC_SYMVER_ASM
__asm__(".symver ec_set_guest_abi_0_7, emucompat_set_guest_abi@@EMUCOMPAT_0.7");
__asm__(".symver ec_set_guest_abi_0_4, emucompat_set_guest_abi@EMUCOMPAT_0.4");
#endif

EC_EXPORT int emucompat_get_guest_abi(struct emucompat *ec)
{
	if (!ec) {
		errno = EINVAL;
		return -1;
	}
	return (int)ec->guest_abi;
}

/* ---- guest memory ------------------------------------------------------ */

static pid_t ec_self;

static void ec_self_forget(void)
{
	ec_self = 0;
}

static void ec_self_atfork(void)
{
	pthread_atfork(NULL, NULL, ec_self_forget);
}

static pid_t ec_self_pid(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	if (!ec_self) {
		pthread_once(&once, ec_self_atfork);
		ec_self = getpid();
	}
	return ec_self;
}

/*
 * memcpy() through a pipe: the kernel copies from @src into the pipe and
 * from the pipe to @dst, so a bad address on either side is EFAULT, never
 * a fault in the emulator.  The thread's own pipe, or, in a call nested in
 * another one of the same thread (a signal handler, which may have
 * interrupted a copy), a pipe of its own.  0, or -1 with errno.
 */
static int ec_pipe_copy(void *dst, const void *src, size_t len, int nested)
{
	int tmp[2] = { -1, -1 };
	const int *p;
	char drain[256];
	ssize_t w, r;

	if (nested) {
		if (pipe2(tmp, O_CLOEXEC | O_NONBLOCK))
			return -1;
		p = tmp;
	} else {
		p = ec_thread_pipe(ec_self_pid());
		if (!p)
			return -1;
	}
	while (len) {
		w = write(p[1], src, len < 65536 ? len : 65536);
		if (w <= 0)
			break;
		r = read(p[0], dst, (size_t)w);
		if (r != w) {	/* @dst faulted: empty the pipe */
			while (read(p[0], drain, sizeof(drain)) > 0)
				;
			break;
		}
		src = (const char *)src + w;
		dst = (char *)dst + w;
		len -= (size_t)w;
	}
	if (nested) {
		close(tmp[0]);
		close(tmp[1]);
	}
	if (!len)
		return 0;
	errno = EFAULT;
	return -1;
}

/*
 * Is [addr, addr + len) inside the guest's part of the address space,
 * below the compat TASK_SIZE?  In 64 bits: no wrap at 4 GiB.
 */
static int ec_guest_range_ok(const struct emucompat *ec, uint32_t addr, size_t len)
{
	uint64_t top = ec->info.compat_task_size;

	if (!top || top > (1ULL << 32))
		top = 1ULL << 32;
	return len <= top && (uint64_t)addr <= top - len;
}

/* process_vm_readv/writev refused once (seccomp, a kernel without them). */
static int ec_no_cma;

/*
 * Copy between the guest's memory at @addr and @buf; 0, or -1 with
 * EFAULT when part of the guest's range is not mapped with the access
 * needed, or does not lie below the compat TASK_SIZE (computed in 64
 * bits: a range that wraps 4 GiB, or reaches the host's memory above the
 * guest's, is refused before anything is copied).  process_vm_readv/writev
 * on ourselves does it in one call; where they are refused (EPERM from the
 * seccomp filters of some container runtimes, ENOSYS without
 * CONFIG_CROSS_MEMORY_ATTACH) a pipe does.
 */
static int ec_guest_copy(struct emucompat *ec, const struct ec_bounce *b, void *buf,
			 uint32_t addr, size_t len, int to_guest)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	void *guest = (void *)(uintptr_t)addr;
	ssize_t n;

	if (!ec_guest_range_ok(ec, addr, len)) {
		errno = EFAULT;
		return -1;
	}
	if (!__atomic_load_n(&ec_no_cma, __ATOMIC_RELAXED)) {
		if (to_guest)
			n = process_vm_writev(ec_self_pid(), &local, 1, &remote, 1, 0);
		else
			n = process_vm_readv(ec_self_pid(), &local, 1, &remote, 1, 0);
		if (n == (ssize_t)len)
			return 0;
		if (n >= 0 || (errno != EPERM && errno != ENOSYS)) {
			errno = EFAULT;
			return -1;
		}
		__atomic_store_n(&ec_no_cma, 1, __ATOMIC_RELAXED);
	}
	return to_guest ? ec_pipe_copy(guest, buf, len, b->nested) :
			  ec_pipe_copy(buf, guest, len, b->nested);
}

/*
 * A guest argument that cannot be read: the kernel would have looked the
 * descriptor up first, so a bad one is EBADF; else EFAULT.  Error path only.
 */
static long ec_guest_fault(int fd)
{
	if (fcntl(fd, F_GETFD) >= 0)
		errno = EFAULT;
	return -1;
}

/* ---- conversion --------------------------------------------------------- */

#define EC_ALIGN8(x) (((x) + 7) & ~(size_t)7)

/*
 * The bytes a span moves, padding included.  The spans of a command cover
 * its members; a gap between two spans that move by the same amount is
 * padding in both layouts, at corresponding places -- and not always
 * padding to the kernel: glibc's 64-bit-time struct timespec on a 32-bit
 * ABI declares a 4-byte tv_nsec and 4 bytes of padding, where the kernel
 * reads and writes a 64-bit tv_nsec.  Such a gap goes with the span before
 * it, both ways, so the kernel sees the guest's bytes there and the guest
 * gets back what the kernel wrote, as a real process of either ABI would.
 */
static size_t ec_span_len(const struct ec_abi_span *s, unsigned int left)
{
	if (left > 1 && (int)s[1].koff - (int)s[1].goff == (int)s[0].koff - (int)s[0].goff &&
	    s[1].goff >= s[0].goff + s[0].len)
		return (size_t)(s[1].goff - s[0].goff);
	return s[0].len;
}

static void ec_spans_to_kernel(uint8_t *k, const uint8_t *g, const struct ec_abi_span *s,
			       unsigned int n)
{
	for (; n; n--, s++)
		memcpy(k + s->koff, g + s->goff, ec_span_len(s, n));
}

/*
 * Bytes of the guest's layout with no counterpart in the kernel's
 * (alignment padding only the guest's ABI has: on an ARM guest, the four
 * bytes before a 64-bit member that i386 packs right after a 32-bit one,
 * and trailing padding) get what the guest's own kernel writes there.
 * Kernels copy an argument in and out whole, or write it member by
 * member, so the caller's bytes stay: the default (@zero 0).  The commands
 * of ec_abi_zero_fill[] are answered, by the guest's own kernel, from a
 * struct built in zeroed kernel memory and copied out whole: zeros.
 */
static void ec_spans_to_guest(uint8_t *g, size_t glen, const uint8_t *k,
			      const struct ec_abi_span *s, unsigned int n, int zero)
{
	if (zero)
		memset(g, 0, glen);
	for (; n; n--, s++)
		memcpy(g + s->goff, k + s->koff, ec_span_len(s, n));
}

/*
 * Guest commands whose own kernel writes every byte of the struct, its
 * padding as zeros (see ec_spans_to_guest()).  ARM guests, arm64 kernels:
 * VIDIOC_DQEVENT with 64-bit time is the native struct v4l2_event, copied
 * whole from the zeroed kevent; the 64-bit-time v4l2_buffer commands go
 * through put_v4l2_buffer32(), which memsets its struct.  (The 32-bit-time
 * event is written member by member: the caller's bytes stay.  i386
 * layouts have no padding the ARM ones lack.)  What the real armhf process
 * gets on arm64 is checked by t_xabi's byte-exact cases.
 */
static const uint32_t ec_abi_zero_fill_arm[] = {
	0x80885659u,	/* VIDIOC_DQEVENT, 64-bit time */
	0xc0505609u,	/* VIDIOC_QUERYBUF, 64-bit time */
	0xc050560fu,	/* VIDIOC_QBUF, 64-bit time */
	0xc0505611u,	/* VIDIOC_DQBUF, 64-bit time */
	0xc050565du,	/* VIDIOC_PREPARE_BUF, 64-bit time */
};

/*
 * Before 5.11 arm64's v4l2 compat code (v4l2-compat-ioctl32.c, before
 * Arnd Bergmann's rework moved the v4l2_buffer and v4l2_event handling
 * into v4l2-ioctl.c) answered the other way round: both events from a
 * zeroed struct, the 64-bit-time buffers member by member (the caller's
 * padding stays).  Measured against the real armhf process on 5.10.
 */
static const uint32_t ec_abi_zero_fill_arm_pre_5_11[] = {
	0x80885659u,	/* VIDIOC_DQEVENT, 64-bit time */
	0x80805659u,	/* VIDIOC_DQEVENT, 32-bit time */
};

/* 1 on a kernel before 5.11 (uname), 0 otherwise; computed once, racily but idempotently. */
static int ec_kernel_before_5_11(void)
{
	static int cached = -1;
	int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
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
	__atomic_store_n(&cached, v, __ATOMIC_RELAXED);
	return v;
}

static int ec_abi_zero_fill(unsigned int guest, uint32_t cmd)
{
	size_t i;

	if (guest != EMUCOMPAT_ABI_ARM)
		return 0;
	if (ec_kernel_before_5_11()) {
		for (i = 0; i < EC_ARRAY_SIZE(ec_abi_zero_fill_arm_pre_5_11); i++)
			if (ec_abi_zero_fill_arm_pre_5_11[i] == cmd)
				return 1;
		return 0;
	}
	for (i = 0; i < EC_ARRAY_SIZE(ec_abi_zero_fill_arm); i++)
		if (ec_abi_zero_fill_arm[i] == cmd)
			return 1;
	return 0;
}

/*
 * Areas of one translated call in the bounce memory: the guest's bytes,
 * the kernel's layout (at a 32-bit address, 8-aligned), and a snapshot of
 * the latter to tell whether the kernel wrote anything.
 */
struct ec_xcall {
	struct ec_bounce b;
	uint8_t *g, *k, *snap;
	size_t glen, klen;
};

static int ec_xcall_init(struct emucompat *ec, struct ec_xcall *x, size_t extra, size_t glen,
			 size_t klen)
{
	uint8_t *b = ec_bounce_get(ec, extra + EC_ALIGN8(glen) + 2 * EC_ALIGN8(klen), &x->b);

	if (!b)
		return -1;
	x->g = b + extra;
	x->k = x->g + EC_ALIGN8(glen);
	x->snap = x->k + EC_ALIGN8(klen);
	x->glen = glen;
	x->klen = klen;
	return 0;
}

/* After the call: did the kernel change its copy of the argument? */
static int ec_xcall_written(const struct ec_xcall *x)
{
	return memcmp(x->k, x->snap, x->klen) != 0;
}

static long ec_abi_cmd_call(struct emucompat *ec, const struct ec_abi *abi,
			    const struct ec_abi_cmd *c, int fd, uint32_t arg)
{
	const struct ec_abi_span *spans = &ec_abi_spans[c->span];
	struct ec_xcall x;
	long ret;
	int err;

	if (c->kind == EC_ABI_REFUSE) {
		errno = EOPNOTSUPP;
		return -1;
	}
	/* Renumbering alone, or no argument: the kernel sees what it would. */
	if (!c->nspans || !arg)
		return ec_ioctl32_raw(ec, fd, c->kernel_cmd, arg);
	if (ec_xcall_init(ec, &x, 0, c->gsize, c->ksize))
		return -1;
	if (ec_guest_copy(ec, &x.b, x.g, arg, x.glen, 0)) {
		ec_bounce_put(&x.b);
		return ec_guest_fault(fd);
	}
	memset(x.k, 0, x.klen);
	ec_spans_to_kernel(x.k, x.g, spans, c->nspans);
	memcpy(x.snap, x.k, x.klen);

	ret = ec_ioctl32_raw(ec, fd, c->kernel_cmd, (uint32_t)(uintptr_t)x.k);
	err = errno;
	if ((_IOC_DIR(c->kernel_cmd) & _IOC_READ) && ec_xcall_written(&x)) {
		ec_spans_to_guest(x.g, x.glen, x.k, spans, c->nspans,
				  ec_abi_zero_fill(abi->guest, c->guest_cmd));
		if (ec_guest_copy(ec, &x.b, x.g, arg, x.glen, 1) && ret >= 0) {
			ec_bounce_put(&x.b);
			return -1;
		}
	}
	ec_bounce_put(&x.b);
	errno = err;
	return ret;
}

/* The largest fixed part of a translated ethtool struct (ethtool_rxnfc). */
#define EC_ETHTOOL_FIXED_MAX	512u

/*
 * SIOCETHTOOL: struct ifreq is the same in both ABIs, but its ifr_data
 * points to a struct chosen by its first u32, the sub-command; those whose
 * struct differs (struct ethtool_rxnfc) are converted.  ETHTOOL_GRXCLSRLALL
 * also returns rule_cnt u32s in rule_locs[], which starts where the last
 * member, rule_cnt, ends in either layout (the end of the last span).
 *
 * Every value that sizes the call is taken once: the sub-command from the
 * first read (and written into the kernel's copy, whatever the guest's
 * memory says by then), rule_cnt from the one copy of the fixed part the
 * kernel gets.  A guest thread changing its struct during the call changes
 * nothing the kernel or the library relies on.
 */
static long ec_abi_ethtool(struct emucompat *ec, const struct ec_abi *abi, int fd, uint32_t arg)
{
	const struct ec_abi_ethtool *e = NULL;
	const struct ec_abi_span *spans, *last;
	uint8_t ifr[EC_IFREQ_SIZE], fixed[EC_ETHTOOL_FIXED_MAX];
	uint32_t data, sub, cnt = 0;
	size_t gflex = 0, kflex = 0, flex = 0, gfixed, kfixed, i;
	struct ec_bounce nb = { .nested = ec_thread_busy() };
	struct ec_xcall x;
	long ret;
	int err;

	/*
	 * A NULL ifreq or ifr_data: the kernel's own EFAULT.  One the library
	 * cannot read is EFAULT here: never handed to the kernel to read in
	 * the guest's layout.
	 */
	if (!arg)
		return ec_ioctl32_raw(ec, fd, EC_SIOCETHTOOL, arg);
	if (ec_guest_copy(ec, &nb, ifr, arg, sizeof(ifr), 0))
		return ec_guest_fault(fd);
	memcpy(&data, ifr + EC_IFREQ_DATA, sizeof(data));
	if (!data)
		return ec_ioctl32_raw(ec, fd, EC_SIOCETHTOOL, arg);
	if (ec_guest_copy(ec, &nb, &sub, data, sizeof(sub), 0))
		return ec_guest_fault(fd);
	for (i = 0; i < abi->nethtool; i++)
		if (abi->ethtool[i].subcmd == sub)
			e = &abi->ethtool[i];
	if (!e)	/* nothing differs: the kernel reads the guest's own bytes */
		return ec_ioctl32_raw(ec, fd, EC_SIOCETHTOOL, arg);
	spans = &ec_abi_spans[e->span];
	last = &spans[e->nspans - 1];
	gfixed = e->gsize;
	kfixed = e->ksize;
	if (sub == EC_ETHTOOL_GRXCLSRLALL) {
		gfixed = gflex = last->goff + last->len;
		kfixed = kflex = last->koff + last->len;
	}
	if (gfixed > sizeof(fixed) || gfixed < sizeof(sub)) {
		errno = EOPNOTSUPP;
		return -1;
	}
	/* the fixed part, once: the kernel's copy and rule_cnt come from it */
	if (ec_guest_copy(ec, &nb, fixed, data, gfixed, 0))
		return ec_guest_fault(fd);
	memcpy(fixed, &sub, sizeof(sub));
	if (gflex) {
		memcpy(&cnt, fixed + gflex - sizeof(cnt), sizeof(cnt));
		if (cnt > EC_ETHTOOL_MAX_RULES) {
			errno = ENOMEM;
			return -1;
		}
		flex = (size_t)cnt * sizeof(uint32_t);
	}
	if (ec_xcall_init(ec, &x, EC_IFREQ_SIZE, gfixed + flex, kfixed + flex))
		return -1;
	memcpy(x.g, fixed, gfixed);
	if (flex && ec_guest_copy(ec, &x.b, x.g + gflex, data + (uint32_t)gflex, flex, 0)) {
		ec_bounce_put(&x.b);
		return ec_guest_fault(fd);
	}
	memset(x.k, 0, x.klen);
	ec_spans_to_kernel(x.k, x.g, spans, e->nspans);
	memcpy(x.k + kflex, x.g + gflex, flex);
	memcpy(x.snap, x.k, x.klen);
	data = (uint32_t)(uintptr_t)x.k;
	memcpy(x.g - EC_IFREQ_SIZE, ifr, sizeof(ifr));
	memcpy(x.g - EC_IFREQ_SIZE + EC_IFREQ_DATA, &data, sizeof(data));

	ret = ec_ioctl32_raw(ec, fd, EC_SIOCETHTOOL, (uint32_t)(uintptr_t)(x.g - EC_IFREQ_SIZE));
	err = errno;
	if (ec_xcall_written(&x)) {
		ec_spans_to_guest(x.g, gfixed, x.k, spans, e->nspans, 0);
		memcpy(x.g + gflex, x.k + kflex, flex);
		memcpy(&data, ifr + EC_IFREQ_DATA, sizeof(data));
		if (ec_guest_copy(ec, &x.b, x.g, data, x.glen, 1) && ret >= 0) {
			ec_bounce_put(&x.b);
			return -1;
		}
	}
	ec_bounce_put(&x.b);
	errno = err;
	return ret;
}

static const struct ec_abi_cmd *ec_abi_find(const struct ec_abi *abi, uint32_t cmd)
{
	size_t lo = 0, hi = abi->ncmds;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t c = abi->cmds[mid].guest_cmd;

		if (c == cmd)
			return &abi->cmds[mid];
		if (c < cmd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int ec_u32_find(const uint32_t *v, size_t n, uint32_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] == x)
			return 1;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Compared by the generator and found the same in both ABIs? */
static int ec_abi_same(const struct ec_abi *abi, uint32_t cmd)
{
	return ec_u32_find(abi->same, abi->nsame, cmd) ||
	       ec_u32_find(abi->anysize, abi->nanysize,
			   cmd & ~((uint32_t)_IOC_SIZEMASK << _IOC_SIZESHIFT));
}

/*
 * DRM_IOCTL_MODE_GETFB2 on x86-64 kernels, where the kernel itself is
 * wrong.  x86-64's DRM compat code converts ADDFB2 but has no GETFB2:
 * drm_ioctl() takes an i386 process's number (100 bytes) as the native
 * command, fills the LP64 struct drm_mode_fb_cmd2 -- modifier[] at 72,
 * after 4 bytes of padding that keep what was copied in -- and copies back
 * the 100 bytes the number names.  A real i386 process reads modifier[]
 * 4 bytes off: modifier[0]'s low half is its own stale bytes, the rest
 * shifted, modifier[3]'s high half lost.  The LP64 layout is AArch32's,
 * so the library does better than a real i386 process: an i386 guest's
 * GETFB2 is converted to the ARM layout and issued with the LP64 number
 * (the i386-on-arm row, as on arm64), and an ARM guest's passes through
 * unchanged.  arm64 kernels need nothing: AArch32's layout is arm64's.
 */
#define EC_DRM_GETFB2_I386	0xc06464ceu
#define EC_DRM_GETFB2_LP64	0xc06864ceu

#if defined(__x86_64__)
long ec_abi_getfb2_i386(struct emucompat *ec, int fd, uint32_t arg)
{
	const struct ec_abi_cmd *c = ec_abi_find(&ec_abis[0], EC_DRM_GETFB2_I386);

	if (!c || c->kernel_cmd != EC_DRM_GETFB2_LP64)	/* the tables say otherwise */
		return ec_ioctl32_raw(ec, fd, EC_DRM_GETFB2_I386, arg);
	return ec_abi_cmd_call(ec, &ec_abis[0], c, fd, arg);
}
#endif

static int ec_abi_class(const struct ec_abi *abi, uint32_t cmd, const struct ec_abi_cmd **cp)
{
	const struct ec_abi_cmd *c;

#if defined(__x86_64__)
	if (cmd == EC_DRM_GETFB2_LP64 && abi->guest == EMUCOMPAT_ABI_ARM) {
		*cp = NULL;
		return EMUCOMPAT_CMD_SAME;	/* x86-64's drm_ioctl() speaks ARM's layout */
	}
#endif
	c = ec_abi_find(abi, cmd);
	*cp = c;
	if (c)
		return c->kind == EC_ABI_REFUSE ? EMUCOMPAT_CMD_REFUSED : EMUCOMPAT_CMD_TRANSLATED;
	if (cmd == EC_SIOCETHTOOL && abi->nethtool)
		return EMUCOMPAT_CMD_TRANSLATED;
	if (ec_abi_same(abi, cmd))
		return EMUCOMPAT_CMD_SAME;
	return EMUCOMPAT_CMD_UNKNOWN;
}

EC_EXPORT int emucompat_guest_abi_cmd(struct emucompat *ec, unsigned int cmd)
{
	const struct ec_abi *abi;
	const struct ec_abi_cmd *c;

	if (!ec) {
		errno = EINVAL;
		return -1;
	}
	abi = __atomic_load_n(&ec->abi, __ATOMIC_ACQUIRE);
	if (!abi) {
#if defined(__x86_64__)
		if (cmd == EC_DRM_GETFB2_I386)
			return EMUCOMPAT_CMD_TRANSLATED;
#endif
		return EMUCOMPAT_CMD_SAME;
	}
	return ec_abi_class(abi, cmd, &c);
}

long ec_abi_ioctl32(struct emucompat *ec, const struct ec_abi *abi, int fd, unsigned int cmd,
		    uint32_t arg)
{
	const struct ec_abi_cmd *c;

	switch (ec_abi_class(abi, cmd, &c)) {
	case EMUCOMPAT_CMD_TRANSLATED:
	case EMUCOMPAT_CMD_REFUSED:
		if (c)
			return ec_abi_cmd_call(ec, abi, c, fd, arg);
		return ec_abi_ethtool(ec, abi, fd, arg);
	case EMUCOMPAT_CMD_SAME:
		break;
	default:
		if (__atomic_load_n(&ec->abi_flags, __ATOMIC_RELAXED) & EMUCOMPAT_ABI_PASS_UNKNOWN)
			break;
		/* the kernel looks the descriptor up before the command: EBADF first */
		if (fcntl(fd, F_GETFD) >= 0)
			errno = ENOTTY;
		return -1;
	}
	return ec_ioctl32_raw(ec, fd, cmd, arg);
}
