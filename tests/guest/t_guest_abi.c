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
 *     the layouts the 32-bit cross compilers gave at build time, against
 *     every uapi version the tables come from (6.1, 6.12, 7.3:
 *     guest_abi_layout.c, OUT/.obj/guest_abi_layout/layout.h) that has the
 *     command on both arches: the guest's and the kernel's command numbers
 *     and argument sizes, and every member byte copied by a span to the
 *     member's offset in the other ABI; a row no version describes fails; a
 *     command whose layouts differ, in any version, has a row (a refused
 *     row: numbers and sizes only);
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
/* one uapi version's four layouts: [0] 32-bit, [1] 64-bit time_t */
struct gl_uapi {
	const char *name;	/* NULL: end */
	const struct gl_row *i386[2], *arm[2];
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

/* one row against one version's layouts (t: 64-bit time): 0, 1 bad, -1 not there */
static int layout_row(const char *what, const char *uapi, const struct ec_abi_cmd *c,
		      const struct gl_row *gt, const struct gl_row *kt, unsigned int t)
{
	const struct gl_row *g = gl_find(gt, c->guest_cmd, NULL), *k;
	const char *tn = t ? "64-bit" : "32-bit";

	if (!g)
		return -1;
	k = gl_find(kt, 0, g->name);
	if (!k)
		return -1;	/* one arch only in this version: x86 KVM, 6.12 on */
	if (k->a != c->kernel_cmd) {
		tap_diag("%s row %#x (%s, uapi %s, %s time): kernel number %#x, the compiler's %#x",
			 what, c->guest_cmd, g->name, uapi, tn, c->kernel_cmd, k->a);
		return 1;
	}
	if (g->kind == 'N') {
		if (c->kind != EC_ABI_COPY || c->nspans) {
			tap_diag("%s row %#x (%s): a renumbered command with spans", what,
				 c->guest_cmd, g->name);
			return 1;
		}
		return 0;
	}
	if (c->gsize != g->size || c->ksize != k->size) {
		tap_diag("%s row %#x (%s, uapi %s, %s time): sizes %u/%u, the compiler's %u/%u",
			 what, c->guest_cmd, g->name, uapi, tn, c->gsize, c->ksize, g->size,
			 k->size);
		return 1;
	}
	if (c->kind == EC_ABI_COPY && gl_spans_bad(what, g, k, &ec_abi_spans[c->span], c->nspans)) {
		tap_diag("  (uapi %s, %s time)", uapi, tn);
		return 1;
	}
	return 0;
}

/*
 * Every row against every version that has its command on both arches
 * (guest_i386: the guest is i386, the kernel arm); then every command whose
 * layouts differ, in any version, must have a row.
 */
static void layout_table(const char *what, const struct ec_abi_cmd *tab, size_t nrows,
			 int guest_i386)
{
	unsigned int bad = 0, checked = 0, missing = 0, pairs = 0, t;
	const struct gl_uapi *u;
	size_t i;

	for (i = 0; i < nrows; i++) {
		const struct ec_abi_cmd *c = &tab[i];
		int found = 0, r = 0;

		for (u = gl_uapi; u->name && r <= 0; u++)
			for (t = 0; t < 2 && r <= 0; t++) {
				const struct gl_row *gt = guest_i386 ? u->i386[t] : u->arm[t];
				const struct gl_row *kt = guest_i386 ? u->arm[t] : u->i386[t];

				r = layout_row(what, u->name, c, gt, kt, t);
				if (r >= 0) {
					found = 1;
					pairs++;
				}
			}
		if (r > 0)
			bad++;
		if (!found) {
			tap_diag("%s row %#x -> %#x: no layout in any uapi version (add it to guest_abi_layout.c)",
				 what, c->guest_cmd, c->kernel_cmd);
			missing++;
		}
		checked++;
	}
	/* the other way round: every command whose layouts differ has a row */
	for (u = gl_uapi; u->name; u++)
		for (t = 0; t < 2; t++) {
			const struct gl_row *g, *kt = guest_i386 ? u->arm[t] : u->i386[t];

			for (g = guest_i386 ? u->i386[t] : u->arm[t]; g->kind; g++) {
				const struct gl_row *k;
				size_t r;

				if (g->kind == 'M' || !g->a)
					continue;
				k = gl_find(kt, 0, g->name);
				if (!k || !gl_differ(g, k))
					continue;
				for (r = 0; r < nrows && tab[r].guest_cmd != g->a; r++)
					;
				if (r == nrows && gl_no_row_why(what, g->name)) {
					if (!t && u == gl_uapi)
						tap_diag("%s: %s has no row on purpose: %s", what,
							 g->name, gl_no_row_why(what, g->name));
				} else if (r == nrows) {
					tap_diag("%s: %s (%#x, uapi %s, %s time) differs between the ABIs, no row",
						 what, g->name, g->a, u->name,
						 t ? "64-bit" : "32-bit");
					bad++;
				}
			}
		}
	tap_ok(!bad && !missing && checked,
	       "%s: %u rows agree with the cross compilers' layouts of the uapi versions (%u bad, %u without a layout; %u row/version/time checks)",
	       what, checked, bad, missing, pairs);
}

static void layout_ethtool(const char *what, const struct ec_abi_ethtool *tab, size_t nrows,
			   int guest_i386)
{
	unsigned int bad = 0, nuapi = 0;
	const struct gl_uapi *u;
	size_t i;

	for (u = gl_uapi; u->name; u++, nuapi++) {
		const struct gl_row *g = guest_i386 ? u->i386[0] : u->arm[0];
		const struct gl_row *k = guest_i386 ? u->arm[0] : u->i386[0];

		g = gl_find(g, 0, "ETHTOOL_RXNFC");
		k = gl_find(k, 0, "ETHTOOL_RXNFC");
		if (!g || !k)
			tap_bail("layout.h has no ETHTOOL_RXNFC for uapi %s", u->name);
		for (i = 0; i < nrows; i++) {
			const struct ec_abi_ethtool *e = &tab[i];

			if (e->gsize != g->size || e->ksize != k->size) {
				tap_diag("%s %#x (uapi %s): sizes %u/%u, the compiler's %u/%u", what,
					 e->subcmd, u->name, e->gsize, e->ksize, g->size, k->size);
				bad++;
				continue;
			}
			if (gl_spans_bad(what, g, k, &ec_abi_spans[e->span], e->nspans)) {
				tap_diag("  (uapi %s)", u->name);
				bad++;
			}
		}
	}
	tap_ok(!bad && nrows && nuapi,
	       "%s: %zu sub-commands agree with the cross compilers' struct ethtool_rxnfc of %u uapi versions (%u bad)",
	       what, nrows, nuapi, bad);
}

static void layout_checks(void)
{
	layout_table("i386 on arm", ec_abi_i386_on_arm, NROWS(ec_abi_i386_on_arm), 1);
	layout_table("arm on i386", ec_abi_arm_on_i386, NROWS(ec_abi_arm_on_i386), 0);
	layout_ethtool("SIOCETHTOOL i386 on arm", ec_abi_ethtool_i386_on_arm,
		       NROWS(ec_abi_ethtool_i386_on_arm), 1);
	layout_ethtool("SIOCETHTOOL arm on i386", ec_abi_ethtool_arm_on_i386,
		       NROWS(ec_abi_ethtool_arm_on_i386), 0);
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
