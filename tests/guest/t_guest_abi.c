// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_guest_abi - the guest-ABI calls and the translation path's contract,
 * on any kernel (no device needed; t_xabi compares real drivers' answers
 * with the real 32-bit process):
 *   - emucompat_guest_abis() names the kernel's ABI and the foreign one,
 *     emucompat_set_guest_abi() rejects anything else with EINVAL and keeps
 *     the old setting; emucompat_get_guest_abi() reports what was set;
 *   - the kernel's own ABI named explicitly gives byte-identical results
 *     to the default handle;
 *   - with the foreign ABI, every row of the generated table (abi-tables.h)
 *     behaves as documented: a refused command is EOPNOTSUPP and touches
 *     nothing; a converted one issued on /dev/null (no ioctl there) gets
 *     the kernel's answer for the kernel's number and leaves the guest's
 *     bytes alone (nothing was written back); an unreadable argument is
 *     EFAULT, and EBADF when the descriptor is bad too; a renumbered one
 *     answers as the kernel's number does on a regular file;
 *   - every row of both tables (and of both SIOCETHTOOL tables) agrees with
 *     the layouts the 32-bit cross compilers gave at build time
 *     (guest_abi_layout.c, OUT/.obj/guest_abi_layout/layout.h): the guest's
 *     and the kernel's command numbers and argument sizes, and every member
 *     byte copied by a span to the member's offset in the other ABI; a
 *     command whose layouts differ has a row (a refused row: numbers and
 *     sizes only);
 *   - SIOCETHTOOL with an rxnfc sub-command on "lo" answers as the
 *     kernel's layout does; a bad ifr_data is EFAULT;
 *   - a thread's bounce buffer is gone after the thread exits;
 *   - emucompat_set_lowmem_fns(): a thread's bounce area comes from the
 *     registered functions, below the compat TASK_SIZE, with PROT_NONE
 *     guard pages either side, and goes back to them at thread exit;
 *     memory they place above the compat TASK_SIZE is refused (ERANGE)
 *     and given back; one function NULL or no handle is EINVAL.
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
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe_util.h"
#include "abi-tables.h"

/* one "->GL" line of guest_abi_layout.c's assembly (tests/Makefile) */
struct gl_row {
	char kind;		/* 'C' command, 'M' member, 'N' number only; 0: end */
	const char *name;
	uint32_t a;		/* C, N: the command's number; M: offsetof */
	uint32_t size, align;
};
#include "layout.h"

#if defined(__x86_64__)
#define KERNEL_ABI EMUCOMPAT_ABI_I386
#define FOREIGN_ABI EMUCOMPAT_ABI_ARM
#define FOREIGN_TAB ec_abi_arm_on_i386
#define FOREIGN_ETH ec_abi_ethtool_arm_on_i386
#else
#define KERNEL_ABI EMUCOMPAT_ABI_ARM
#define FOREIGN_ABI EMUCOMPAT_ABI_I386
#define FOREIGN_TAB ec_abi_i386_on_arm
#define FOREIGN_ETH ec_abi_ethtool_i386_on_arm
#endif
#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

#define BUF 8192	/* more than EC_ABI_MAX_SIZE, checked below */

static struct emucompat *ec_kernel, *ec_foreign;
static uint8_t *buf, *ref;	/* low: the guest's argument */

static long call(struct emucompat *ec, int fd, unsigned int cmd, uint32_t arg, int *err)
{
	long r;

	errno = 0;
	r = emucompat_ioctl32(ec, fd, cmd, arg);
	*err = r < 0 ? errno : 0;
	return r;
}

static void pattern(uint8_t *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + 1);
}

static void api_checks(void)
{
	unsigned int want = 1u << EMUCOMPAT_ABI_KERNEL | 1u << EMUCOMPAT_ABI_I386 |
			    1u << EMUCOMPAT_ABI_ARM;
	static const unsigned int bad[] = { 3, 4, 31, 32, 33, 0x80000001u, ~0u };
	unsigned int i;
	int ok = 1;

	tap_ok(emucompat_guest_abis() == want, "emucompat_guest_abis() = %#x (want %#x)",
	       emucompat_guest_abis(), want);
	tap_ok(emucompat_get_guest_abi(ec_kernel) == EMUCOMPAT_ABI_KERNEL,
	       "a new handle's guest ABI is EMUCOMPAT_ABI_KERNEL");
	for (i = 0; i < NROWS(bad); i++) {
		errno = 0;
		if (emucompat_set_guest_abi(ec_foreign, bad[i]) != -1 || errno != EINVAL) {
			tap_diag("set_guest_abi(%#x): errno %d", bad[i], errno);
			ok = 0;
		}
	}
	tap_ok(ok && emucompat_get_guest_abi(ec_foreign) == FOREIGN_ABI,
	       "unknown ABIs are EINVAL and leave the setting alone");
	errno = 0;
	tap_ok(emucompat_set_guest_abi(NULL, KERNEL_ABI) == -1 && errno == EINVAL,
	       "emucompat_set_guest_abi(NULL) is EINVAL");
	errno = 0;
	tap_ok(emucompat_get_guest_abi(NULL) == -1 && errno == EINVAL,
	       "emucompat_get_guest_abi(NULL) is EINVAL");
	tap_ok(EC_ABI_MAX_SIZE <= BUF / 2, "the largest table argument (%d) fits the test buffer",
	       EC_ABI_MAX_SIZE);
}

/* The kernel's ABI, named: byte-identical to the default on a pty. */
static void identity_checks(void)
{
	struct emucompat *named = emucompat_open();
	int ptm, pts, e1, e2;
	long r1, r2;

	if (!named || emucompat_set_guest_abi(named, KERNEL_ABI))
		tap_bail("a handle with the kernel's ABI named: %s", strerror(errno));
	tap_ok(emucompat_get_guest_abi(named) == KERNEL_ABI, "get_guest_abi returns what was set");
	ptm = posix_openpt(O_RDWR | O_NOCTTY);
	if (ptm < 0 || grantpt(ptm) || unlockpt(ptm))
		tap_bail("pty: %s", strerror(errno));
	pts = open(ptsname(ptm), O_RDWR | O_NOCTTY);
	if (pts < 0)
		tap_bail("pty slave: %s", strerror(errno));
	memset(buf, 0xa5, 64);
	memset(ref, 0xa5, 64);
	r1 = call(ec_kernel, pts, 0x5401 /* TCGETS */, pt_u32(buf), &e1);
	r2 = call(named, pts, 0x5401, pt_u32(ref), &e2);
	tap_ok(r1 == 0 && r2 == 0 && !memcmp(buf, ref, 64),
	       "TCGETS: the kernel's ABI named gives the default's bytes (%ld/%ld)", r1, r2);
	close(pts);
	close(ptm);
	emucompat_close(named);
}

/* --- the tables against the cross compilers' layouts -------------------- */

/* the 'C' or 'N' row of gl whose number is cmd (name NULL) or named name */
static const struct gl_row *gl_find(const struct gl_row *gl, uint32_t cmd, const char *name)
{
	for (; gl->kind; gl++)
		if ((gl->kind == 'C' || gl->kind == 'N') &&
		    (name ? !strcmp(gl->name, name) : gl->a == cmd))
			return gl;
	return NULL;
}

/*
 * Every byte of every member of g's type (guest layout) must be copied by
 * one of the spans to the same member's byte in k's (kernel layout); the
 * spans stay inside both sizes.  0, or 1 with a diagnostic.
 */
static int gl_spans_bad(const char *what, const struct gl_row *g, const struct gl_row *k,
			const struct ec_abi_span *sp, unsigned int n)
{
	const struct gl_row *gm = g + 1, *km = k + 1;
	unsigned int i, j;

	for (i = 0; i < n; i++)
		if (sp[i].goff + sp[i].len > g->size || sp[i].koff + sp[i].len > k->size) {
			tap_diag("%s %s: span {%u, %u, %u} outside the sizes %u/%u", what, g->name,
				 sp[i].goff, sp[i].koff, sp[i].len, g->size, k->size);
			return 1;
		}
	for (; gm->kind == 'M'; gm++, km++) {
		if (km->kind != 'M' || strcmp(gm->name, km->name) || gm->size != km->size) {
			tap_diag("%s %s.%s: the two ABIs' members differ (%s, %u/%u bytes)", what,
				 g->name, gm->name, km->kind == 'M' ? km->name : "none", gm->size,
				 km->kind == 'M' ? km->size : 0);
			return 1;
		}
		for (j = 0; j < gm->size; j++) {
			unsigned int gb = gm->a + j, kb = km->a + j;

			for (i = 0; i < n; i++)
				if (gb >= sp[i].goff && gb < sp[i].goff + sp[i].len)
					break;
			if (i == n || sp[i].koff + (gb - sp[i].goff) != kb) {
				tap_diag("%s %s.%s: guest byte %u (the compiler: kernel byte %u) %s", what,
					 g->name, gm->name, gb, kb, i == n ? "is not copied" : "goes elsewhere");
				tap_diag("  span {%u, %u, %u}", i == n ? 0 : sp[i].goff,
					 i == n ? 0 : sp[i].koff, i == n ? 0 : sp[i].len);
				return 1;
			}
		}
	}
	if (km->kind == 'M') {
		tap_diag("%s %s: the kernel's layout has more members (%s)", what, g->name, km->name);
		return 1;
	}
	return 0;
}

/*
 * Commands whose compiler layouts differ and that have no row on purpose
 * (userlib/abi/abi-gen.py's LITERAL_NO_ROW): the kernel, not the header,
 * decides.
 */
static const struct { const char *dir, *name, *why; } gl_no_row[] = {
	{ "i386 on arm", "FIOQSIZE", "arm64's compat layer implements the asm-generic 0x5460, "
	  "not arm's 0x545e: an i386 guest's number needs no renumbering" },
};

static const char *gl_no_row_why(const char *dir, const char *name)
{
	size_t i;

	for (i = 0; i < NROWS(gl_no_row); i++)
		if (!strcmp(gl_no_row[i].dir, dir) && !strcmp(gl_no_row[i].name, name))
			return gl_no_row[i].why;
	return NULL;
}

/*
 * Table rows the independent source cannot describe: the cross compilers
 * carry bookworm's uapi (linux-libc-dev-*-cross 6.1.4), the tables are the
 * union of the 6.1, 6.12 and 7.3 uapi.  Each is named with its guest number
 * per direction; a row not found in layout.h and not named here fails.
 * Compiling guest_abi_layout.c against the generator's 7.3 uapi would
 * check them too (not done yet).
 */
#define GL_NEWER "not in the cross compilers' 6.1.4 uapi"
#define GL_KVM "x86 KVM structs: armhf's 6.1.4 uapi has none"
static const struct { const char *dir; uint32_t cmd; const char *name, *why; } gl_unchecked[] = {
	{ "i386 on arm", 0x401c6445, "DRM_IOCTL_IVPU_SUBMIT", GL_NEWER },
	{ "i386 on arm", 0xc01c6447, "DRM_IOCTL_IVPU_METRIC_STREAMER_START", GL_NEWER },
	{ "arm on i386", 0xc0206447, "DRM_IOCTL_IVPU_METRIC_STREAMER_START", GL_NEWER },
	{ "i386 on arm", 0x40246608, "EXT4_IOC_GROUP_ADD", GL_NEWER },
	{ "arm on i386", 0x40286608, "EXT4_IOC_GROUP_ADD", GL_NEWER },
	{ "i386 on arm", 0x801c70ee, "IOC_OPAL_GET_GEOMETRY", GL_NEWER },
	{ "arm on i386", 0x802070ee, "IOC_OPAL_GET_GEOMETRY", GL_NEWER },
	{ "i386 on arm", 0x8004fe0d, "ISST_IF_GET_PERF_LEVEL_CPU_MASK", GL_NEWER },
	{ "arm on i386", 0x8004fe0d, "ISST_IF_GET_PERF_LEVEL_CPU_MASK", GL_NEWER },
	{ "i386 on arm", 0x8004fe0f, "ISST_IF_GET_BASE_FREQ_CPU_MASK", GL_NEWER },
	{ "arm on i386", 0x8004fe0f, "ISST_IF_GET_BASE_FREQ_CPU_MASK", GL_NEWER },
	{ "arm on i386", 0x40206445, "DRM_IOCTL_AMDGPU_INFO, DRM_IOCTL_IVPU_SUBMIT", GL_NEWER },
	{ "i386 on arm", 0x404cae87, "KVM_DEBUG_GUEST", GL_KVM },
	{ "arm on i386", 0x4050ae87, "KVM_DEBUG_GUEST", GL_KVM },
	{ "i386 on arm", 0x4008ae89, "KVM_SET_MSRS", GL_KVM },
	{ "arm on i386", 0x4008ae89, "KVM_SET_MSRS", GL_KVM },
	{ "i386 on arm", 0x4008ae8a, "KVM_SET_CPUID", GL_KVM },
	{ "arm on i386", 0x4008ae8a, "KVM_SET_CPUID", GL_KVM },
	{ "i386 on arm", 0x4008ae90, "KVM_SET_CPUID2", GL_KVM },
	{ "arm on i386", 0x4008ae90, "KVM_SET_CPUID2", GL_KVM },
	{ "i386 on arm", 0x400caeaa, "KVM_DIRTY_TLB", GL_KVM },
	{ "arm on i386", 0x4010aeaa, "KVM_DIRTY_TLB", GL_KVM },
	{ "i386 on arm", 0x4020aeb2, "KVM_SET_PMU_EVENT_FILTER", GL_KVM },
	{ "arm on i386", 0x4020aeb2, "KVM_SET_PMU_EVENT_FILTER", GL_KVM },
	{ "i386 on arm", 0x5000aea5, "KVM_SET_XSAVE", GL_KVM },
	{ "arm on i386", 0x5000aea5, "KVM_SET_XSAVE", GL_KVM },
	{ "i386 on arm", 0x9000aea4, "KVM_GET_XSAVE", GL_KVM },
	{ "arm on i386", 0x9000aea4, "KVM_GET_XSAVE", GL_KVM },
	{ "i386 on arm", 0x9000aecf, "KVM_GET_XSAVE2", GL_KVM },
	{ "arm on i386", 0x9000aecf, "KVM_GET_XSAVE2", GL_KVM },
	{ "i386 on arm", 0xc004ae02, "KVM_GET_MSR_INDEX_LIST", GL_KVM },
	{ "arm on i386", 0xc004ae02, "KVM_GET_MSR_INDEX_LIST", GL_KVM },
	{ "i386 on arm", 0xc004ae0a, "KVM_GET_MSR_FEATURE_INDEX_LIST", GL_KVM },
	{ "arm on i386", 0xc004ae0a, "KVM_GET_MSR_FEATURE_INDEX_LIST", GL_KVM },
	{ "i386 on arm", 0xc008ae05, "KVM_GET_SUPPORTED_CPUID", GL_KVM },
	{ "arm on i386", 0xc008ae05, "KVM_GET_SUPPORTED_CPUID", GL_KVM },
	{ "i386 on arm", 0xc008ae09, "KVM_GET_EMULATED_CPUID", GL_KVM },
	{ "arm on i386", 0xc008ae09, "KVM_GET_EMULATED_CPUID", GL_KVM },
	{ "i386 on arm", 0xc008ae88, "KVM_GET_MSRS", GL_KVM },
	{ "arm on i386", 0xc008ae88, "KVM_GET_MSRS", GL_KVM },
	{ "i386 on arm", 0xc008ae91, "KVM_GET_CPUID2", GL_KVM },
	{ "arm on i386", 0xc008ae91, "KVM_GET_CPUID2", GL_KVM },
	{ "i386 on arm", 0xc008aec1, "KVM_GET_SUPPORTED_HV_CPUID", GL_KVM },
	{ "arm on i386", 0xc008aec1, "KVM_GET_SUPPORTED_HV_CPUID", GL_KVM },
};

static int gl_unchecked_row(const char *dir, uint32_t cmd)
{
	size_t i;

	for (i = 0; i < NROWS(gl_unchecked); i++)
		if (!strcmp(gl_unchecked[i].dir, dir) && gl_unchecked[i].cmd == cmd) {
			tap_diag("%s row %#x (%s): not checked: %s", dir, cmd, gl_unchecked[i].name,
				 gl_unchecked[i].why);
			return 1;
		}
	return 0;
}

/* the members of g and k at different offsets, or the numbers differ */
static int gl_differ(const struct gl_row *g, const struct gl_row *k)
{
	if (g->a != k->a || g->size != k->size)
		return 1;
	for (g++, k++; g->kind == 'M' && k->kind == 'M'; g++, k++)
		if (g->a != k->a || g->size != k->size)
			return 1;
	return g->kind == 'M' || k->kind == 'M';
}

static void layout_table(const char *what, const struct ec_abi_cmd *tab, size_t nrows,
			 const struct gl_row *gt[2], const struct gl_row *kt[2])
{
	unsigned int bad = 0, checked = 0, missing = 0, unchecked = 0, t;
	size_t i;

	for (i = 0; i < nrows; i++) {
		const struct ec_abi_cmd *c = &tab[i];
		int found = 0;

		for (t = 0; t < 2; t++) {
			const struct gl_row *g = gl_find(gt[t], c->guest_cmd, NULL), *k;

			if (!g)
				continue;
			found = 1;
			k = gl_find(kt[t], 0, g->name);
			if (!k || k->a != c->kernel_cmd) {
				tap_diag("%s row %#x (%s, %s time): kernel number %#x, the compiler's %#x",
					 what, c->guest_cmd, g->name, t ? "64-bit" : "32-bit",
					 c->kernel_cmd, k ? k->a : 0);
				bad++;
				break;
			}
			if (g->kind == 'N') {
				if (c->kind != EC_ABI_COPY || c->nspans) {
					tap_diag("%s row %#x (%s): a renumbered command with spans",
						 what, c->guest_cmd, g->name);
					bad++;
					break;
				}
				continue;
			}
			if (c->gsize != g->size || c->ksize != k->size) {
				tap_diag("%s row %#x (%s, %s time): sizes %u/%u, the compiler's %u/%u",
					 what, c->guest_cmd, g->name, t ? "64-bit" : "32-bit",
					 c->gsize, c->ksize, g->size, k->size);
				bad++;
				break;
			}
			if (c->kind == EC_ABI_COPY &&
			    gl_spans_bad(what, g, k, &ec_abi_spans[c->span], c->nspans)) {
				bad++;
				break;
			}
		}
		if (!found && gl_unchecked_row(what, c->guest_cmd)) {
			unchecked++;
			continue;
		}
		if (!found) {
			tap_diag("%s row %#x -> %#x: no layout (add it to guest_abi_layout.c)", what,
				 c->guest_cmd, c->kernel_cmd);
			missing++;
		}
		checked++;
	}
	/* the other way round: every command whose layouts differ has a row */
	for (t = 0; t < 2; t++) {
		const struct gl_row *g;

		for (g = gt[t]; g->kind; g++) {
			const struct gl_row *k;
			size_t r;

			if (g->kind == 'M' || !g->a)
				continue;
			k = gl_find(kt[t], 0, g->name);
			if (!k || !gl_differ(g, k))
				continue;
			for (r = 0; r < nrows && tab[r].guest_cmd != g->a; r++)
				;
			if (r == nrows && gl_no_row_why(what, g->name)) {
				if (!t)
					tap_diag("%s: %s has no row on purpose: %s", what, g->name,
						 gl_no_row_why(what, g->name));
			} else if (r == nrows) {
				tap_diag("%s: %s (%#x, %s time) differs between the ABIs, no row", what,
					 g->name, g->a, t ? "64-bit" : "32-bit");
				bad++;
			}
		}
	}
	tap_ok(!bad && !missing && checked,
	       "%s: %u rows agree with the cross compilers' layouts (%u bad, %u without a layout; %u named rows beyond the compilers' uapi)",
	       what, checked, bad, missing, unchecked);
}

static void layout_ethtool(const char *what, const struct ec_abi_ethtool *tab, size_t nrows,
			   const struct gl_row *g, const struct gl_row *k)
{
	unsigned int bad = 0;
	size_t i;

	g = gl_find(g, 0, "ETHTOOL_RXNFC");
	k = gl_find(k, 0, "ETHTOOL_RXNFC");
	if (!g || !k)
		tap_bail("layout.h has no ETHTOOL_RXNFC");
	for (i = 0; i < nrows; i++) {
		if (tab[i].gsize != g->size || tab[i].ksize != k->size) {
			tap_diag("%s %#x: sizes %u/%u, the compiler's %u/%u", what, tab[i].subcmd,
				 tab[i].gsize, tab[i].ksize, g->size, k->size);
			bad++;
			continue;
		}
		bad += gl_spans_bad(what, g, k, &ec_abi_spans[tab[i].span], tab[i].nspans);
	}
	tap_ok(!bad && nrows, "%s: %zu sub-commands agree with the cross compilers' struct "
	       "ethtool_rxnfc (%u bad)", what, nrows, bad);
}

static void layout_checks(void)
{
	const struct gl_row *i386[2] = { gl_i386_t32, gl_i386_t64 };
	const struct gl_row *arm[2] = { gl_arm_t32, gl_arm_t64 };

	layout_table("i386 on arm", ec_abi_i386_on_arm, NROWS(ec_abi_i386_on_arm), i386, arm);
	layout_table("arm on i386", ec_abi_arm_on_i386, NROWS(ec_abi_arm_on_i386), arm, i386);
	layout_ethtool("SIOCETHTOOL i386 on arm", ec_abi_ethtool_i386_on_arm,
		       NROWS(ec_abi_ethtool_i386_on_arm), gl_i386_t32, gl_arm_t32);
	layout_ethtool("SIOCETHTOOL arm on i386", ec_abi_ethtool_arm_on_i386,
		       NROWS(ec_abi_ethtool_arm_on_i386), gl_arm_t32, gl_i386_t32);
}

static void table_checks(uint32_t hole)
{
	int null = open("/dev/null", O_RDWR), file = open("/tmp", O_TMPFILE | O_RDWR, 0600);
	unsigned int refused = 0, conv = 0, renum = 0, same = 0, bad = 0;
	size_t i;

	if (null < 0 || file < 0)
		tap_bail("/dev/null, O_TMPFILE: %s", strerror(errno));
	if (write(file, "0123456789", 10) != 10)
		tap_bail("write: %s", strerror(errno));
	for (i = 0; i < NROWS(FOREIGN_TAB); i++) {
		const struct ec_abi_cmd *c = &FOREIGN_TAB[i];
		int e1, e2;
		long r1, r2;

		pattern(buf, BUF / 2, i);
		memcpy(ref, buf, BUF / 2);
		if (emucompat_guest_abi_cmd(ec_foreign, c->guest_cmd) == EMUCOMPAT_CMD_SAME) {
			/*
			 * A row the library overrides, passing the command
			 * unchanged: x86-64's GETFB2 (no compat code there;
			 * its native handler speaks ARM's layout).
			 */
			same++;
			r1 = call(ec_foreign, null, c->guest_cmd, pt_u32(buf), &e1);
			r2 = call(ec_kernel, null, c->guest_cmd, pt_u32(ref + BUF / 2), &e2);
			if (r1 != r2 || e1 != e2 || memcmp(buf, ref, BUF / 2)) {
				tap_diag("passed unchanged %#x: %ld/%d vs the kernel's %ld/%d",
					 c->guest_cmd, r1, e1, r2, e2);
				bad++;
			}
			continue;
		}
		if (c->kind == EC_ABI_REFUSE) {
			refused++;
			r1 = call(ec_foreign, null, c->guest_cmd, pt_u32(buf), &e1);
			if (r1 != -1 || e1 != EOPNOTSUPP || memcmp(buf, ref, BUF / 2)) {
				tap_diag("refused %#x: %ld errno %d", c->guest_cmd, r1, e1);
				bad++;
			}
			continue;
		}
		if (!c->nspans) {
			renum++;
			r1 = call(ec_foreign, file, c->guest_cmd, pt_u32(buf), &e1);
			r2 = call(ec_kernel, file, c->kernel_cmd, pt_u32(ref), &e2);
			if (r1 != r2 || e1 != e2 || memcmp(buf, ref, BUF / 2)) {
				tap_diag("renumbered %#x -> %#x: %ld/%d vs the kernel's %ld/%d",
					 c->guest_cmd, c->kernel_cmd, r1, e1, r2, e2);
				bad++;
			}
			continue;
		}
		conv++;
		r1 = call(ec_foreign, null, c->guest_cmd, pt_u32(buf), &e1);
		r2 = call(ec_kernel, null, c->kernel_cmd, pt_u32(ref + BUF / 2), &e2);
		if (r1 != r2 || e1 != e2 || memcmp(buf, ref, BUF / 2)) {
			tap_diag("converted %#x -> %#x on /dev/null: %ld/%d vs the kernel's %ld/%d%s",
				 c->guest_cmd, c->kernel_cmd, r1, e1, r2, e2,
				 memcmp(buf, ref, BUF / 2) ? ", guest bytes changed" : "");
			bad++;
		}
		r1 = call(ec_foreign, null, c->guest_cmd, hole, &e1);
		r2 = call(ec_foreign, -1, c->guest_cmd, hole, &e2);
		if (r1 != -1 || e1 != EFAULT || r2 != -1 || e2 != EBADF) {
			tap_diag("converted %#x, unreadable argument: %d (want EFAULT), bad fd %d (want EBADF)",
				 c->guest_cmd, e1, e2);
			bad++;
		}
	}
	tap_diag("%zu rows: %u converted, %u renumbered, %u refused, %u passed unchanged",
		 NROWS(FOREIGN_TAB), conv, renum, refused, same);
	tap_ok(!bad, "every table row behaves as documented (%u bad)", bad);
	close(null);
	close(file);
}

/* SIOCETHTOOL with the rxnfc sub-commands on "lo" (no get_rxnfc there). */
static void ethtool_checks(uint32_t hole)
{
	int sock = socket(AF_INET, SOCK_DGRAM, 0), bad = 0, e1, e2;
	uint8_t *ifr = buf, *data = buf + 64, *kifr = ref, *kdata = ref + 64;
	uint32_t p;
	size_t i;
	long r1, r2;

	if (sock < 0)
		tap_bail("socket: %s", strerror(errno));
	for (i = 0; i < NROWS(FOREIGN_ETH); i++) {
		const struct ec_abi_ethtool *e = &FOREIGN_ETH[i];

		memset(buf, 0, BUF);
		memset(ref, 0, BUF);
		strcpy((char *)ifr, "lo");
		strcpy((char *)kifr, "lo");
		memcpy(data, &e->subcmd, 4);
		memcpy(kdata, &e->subcmd, 4);
		p = pt_u32(data);
		memcpy(ifr + 16, &p, 4);
		p = pt_u32(kdata);
		memcpy(kifr + 16, &p, 4);
		r1 = call(ec_foreign, sock, 0x8946, pt_u32(ifr), &e1);
		r2 = call(ec_kernel, sock, 0x8946, pt_u32(kifr), &e2);
		if (r1 != r2 || e1 != e2) {
			tap_diag("ethtool %#x on lo: %ld/%d vs the kernel's layout %ld/%d",
				 e->subcmd, r1, e1, r2, e2);
			bad++;
		}
		memcpy(ifr + 16, &hole, 4);
		r1 = call(ec_foreign, sock, 0x8946, pt_u32(ifr), &e1);
		if (r1 != -1 || e1 != EFAULT) {
			tap_diag("ethtool, ifr_data unreadable: %ld/%d (want EFAULT)", r1, e1);
			bad++;
		}
	}
	tap_ok(!bad, "SIOCETHTOOL: %zu converted sub-commands answer as the kernel's layout does",
	       NROWS(FOREIGN_ETH));
	close(sock);
}

static const struct ec_abi_cmd *first_converted(void)
{
	size_t i;

	for (i = 0; i < NROWS(FOREIGN_TAB); i++)
		if (FOREIGN_TAB[i].kind == EC_ABI_COPY && FOREIGN_TAB[i].nspans)
			return &FOREIGN_TAB[i];
	return NULL;
}

static void *thread_fn(void *p)
{
	const struct ec_abi_cmd *c = p;
	int null = open("/dev/null", O_RDWR), e;

	call(ec_foreign, null, c->guest_cmd, pt_u32(buf), &e);
	close(null);
	return NULL;
}

static void thread_checks(void)
{
	const struct ec_abi_cmd *c = first_converted();
	int before, after, i;
	pthread_t t;

	if (!c) {
		tap_skip("no converted command in the table", "bounce buffers freed at thread exit");
		return;
	}
	/*
	 * A first thread, not counted: glibc keeps its stack for reuse and
	 * gives threads that allocate a malloc arena that outlives them.
	 */
	if (pthread_create(&t, NULL, thread_fn, (void *)c) || pthread_join(t, NULL))
		tap_bail("pthread_create");
	before = pt_count_maps();
	for (i = 0; i < 20; i++)
		if (pthread_create(&t, NULL, thread_fn, (void *)c) || pthread_join(t, NULL))
			tap_bail("pthread_create");
	after = pt_count_maps();
	tap_ok(after <= before, "20 threads' bounce buffers are gone after they exit (maps %d -> %d)",
	       before, after);
}

static struct emucompat *ec_lm;
static int lm_allocs, lm_frees, lm_high, lm_guards = -1;
static size_t lm_alloc_bytes, lm_free_bytes;
static uint64_t lm_addr, lm_task;
static size_t lm_len, lm_guard, lm_free_guard;

static void *lm_alloc(size_t len, size_t guard, void *opaque)
{
	char *p;

	lm_allocs++;
	lm_alloc_bytes += len;
	lm_len = len;
	lm_guard = guard;
	if (lm_high)
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	else
		p = emucompat_mmap_range(opaque, 0, lm_task, len + 2 * guard, PROT_NONE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (lm_high)
		return p;
	if (mprotect(p + guard, len, PROT_READ | PROT_WRITE))
		return NULL;
	lm_addr = (uint64_t)(uintptr_t)(p + guard);
	return p + guard;
}

static void lm_free(void *addr, size_t len, size_t guard, void *opaque)
{
	(void)opaque;
	lm_frees++;
	lm_free_bytes += len;
	lm_free_guard = guard;
	if (lm_high)
		munmap(addr, len);
	else
		munmap((char *)addr - guard, len + 2 * guard);
}

/*
 * readable by the kernel: 1, or 0 (EFAULT).  Through a pipe, as the
 * library does where process_vm_readv() is missing (the debug kernel has
 * no CONFIG_CROSS_MEMORY_ATTACH).
 */
static int kernel_reads(uint64_t addr)
{
	int p[2], ok;
	char c;

	if (pipe2(p, O_CLOEXEC))
		tap_bail("pipe2: %s", strerror(errno));
	ok = write(p[1], (void *)(uintptr_t)addr, 1) == 1;
	if (ok && read(p[0], &c, 1) != 1)
		ok = 0;
	close(p[0]);
	close(p[1]);
	return ok;
}

static void *lm_thread(void *p)
{
	const struct ec_abi_cmd *c = p;
	int null = open("/dev/null", O_RDWR), e = 0;
	long r = call(ec_lm, null, c->guest_cmd, pt_u32(buf), &e);

	close(null);
	if (!lm_high && lm_addr)
		lm_guards = kernel_reads(lm_addr) | kernel_reads(lm_addr + lm_len - 1) << 1 |
			    kernel_reads(lm_addr - 1) << 2 | kernel_reads(lm_addr + lm_len) << 3;
	return (void *)(intptr_t)(r == -1 ? e : 0);
}

static void lowmem_checks(const struct emucompat_info *info)
{
	const struct ec_abi_cmd *c = first_converted();
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	/* a thread's bounce area, and its pivot stack where the kernel needs one */
	int areas = 1 + !!(info->flags & EMUCOMPAT_INFO_NEEDS_PIVOT);
	pthread_t t;
	void *res;

	errno = 0;
	tap_ok(emucompat_set_lowmem_fns(ec_kernel, lm_alloc, NULL, NULL) == -1 && errno == EINVAL,
	       "set_lowmem_fns with only alloc: EINVAL");
	errno = 0;
	tap_ok(emucompat_set_lowmem_fns(NULL, lm_alloc, lm_free, NULL) == -1 && errno == EINVAL,
	       "set_lowmem_fns without a handle: EINVAL");
	if (!c) {
		tap_skip("no converted command in the table", "bounce area from the lowmem functions");
		return;
	}
	ec_lm = emucompat_open();
	if (!ec_lm || emucompat_set_guest_abi(ec_lm, FOREIGN_ABI))
		tap_bail("a second foreign handle: %s", strerror(errno));
	/* the library's low end: the compat TASK_SIZE rounded down to 64 KiB */
	lm_task = (info->compat_task_size ? info->compat_task_size : 1ull << 32) & ~0xffffull;
	tap_ok(emucompat_set_lowmem_fns(ec_lm, lm_alloc, lm_free, ec_lm) == 0,
	       "set_lowmem_fns(alloc, free): 0");
	if (pthread_create(&t, NULL, lm_thread, (void *)c) || pthread_join(t, &res))
		tap_bail("pthread_create");
	tap_ok(lm_allocs == areas && lm_guard == page && lm_addr && lm_addr + lm_len <= lm_task &&
	       (intptr_t)res != ERANGE && (intptr_t)res != ENOMEM,
	       "a thread's bounce area%s came from the registered alloc: %d call(s) (want %d), "
	       "last %zu bytes at %#llx, guard %zu; the call: %s",
	       areas > 1 ? " and pivot stack" : "", lm_allocs, areas, lm_len,
	       (unsigned long long)lm_addr, lm_guard, res ? strerror((int)(intptr_t)res) : "0");
	tap_ok(lm_frees == areas && lm_free_bytes == lm_alloc_bytes && lm_free_guard == lm_guard,
	       "... and went back to the registered free at thread exit (%d call(s), %zu of %zu "
	       "bytes)", lm_frees, lm_free_bytes, lm_alloc_bytes);
	lm_allocs = 0;
	if (pthread_create(&t, NULL, lm_thread, (void *)c) || pthread_join(t, &res))
		tap_bail("pthread_create");
	tap_ok(lm_allocs == areas, "a second thread: its own area%s (%d alloc, want %d)",
	       areas > 1 ? "s" : "", lm_allocs, areas);
	tap_ok(lm_guards == 3, "while its thread lives the area is readable, the guard page "
	       "before and after it is not (readable: first %d last %d before %d after %d)",
	       lm_guards & 1, lm_guards >> 1 & 1, lm_guards >> 2 & 1, lm_guards >> 3 & 1);
	lm_high = 1;
	lm_frees = 0;
	if (pthread_create(&t, NULL, lm_thread, (void *)c) || pthread_join(t, &res))
		tap_bail("pthread_create");
	tap_ok((intptr_t)res == ERANGE && lm_frees == 1,
	       "memory above the compat TASK_SIZE from alloc: the call fails with ERANGE (%s), "
	       "the memory goes back (%d free)", strerror((int)(intptr_t)res), lm_frees);
	lm_high = 0;
	tap_ok(emucompat_set_lowmem_fns(ec_lm, NULL, NULL, NULL) == 0, "defaults restored: 0");
	emucompat_close(ec_lm);
}

int main(void)
{
	struct emucompat_info info;
	uint32_t hole;

	ec_kernel = pt_open_ec(&info);
	LX_NEED_CAP(info.caps, IOCTL32);
	ec_foreign = emucompat_open();
	if (!ec_foreign || emucompat_set_guest_abi(ec_foreign, FOREIGN_ABI))
		tap_bail("a handle with the foreign guest ABI: %s", strerror(errno));
	buf = pt_low_map(ec_kernel, BUF);
	ref = pt_low_map(ec_kernel, BUF);
	hole = pt_low_hole(ec_kernel);
	tap_diag("tables: %s; %zu rows for this host's foreign ABI, %zu SIOCETHTOOL sub-commands",
		 EC_ABI_HEADERS, NROWS(FOREIGN_TAB), NROWS(FOREIGN_ETH));

	api_checks();
	identity_checks();
	layout_checks();
	table_checks(hole);
	ethtool_checks(hole);
	thread_checks();
	lowmem_checks(&info);
	emucompat_close(ec_foreign);
	emucompat_close(ec_kernel);
	return tap_done();
}
