/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * lane_expect.h - what the QEMU lane promises, for the 64-bit guest tests.
 *
 * run.sh packs the lane's part of tests/qemu/expect.conf into the
 * initramfs as /etc/emucompat/expect, one "KEY VALUE" per line:
 *
 *	cap IOCTL32		the module must report EMUCOMPAT_CAP_IOCTL32
 *	device /dev/video0	the path must exist
 *	va_bits 52		user space must reach 2^52
 *	res *			every resource (a value of "*": all values)
 *	res !NAME		but not NAME (the lane truly lacks it)
 *
 * A test that finds a capability or a device missing asks whether the
 * lane expects it: if so the absence is a failure ("not ok", with the
 * reason), otherwise a skip (which run.sh then checks against the lane's
 * named, counted, allowed skips).  Without the file (a test run by hand
 * outside the harness) nothing is expected and absences stay skips.
 */
#ifndef LANE_EXPECT_H
#define LANE_EXPECT_H

#define LX_PATH "/etc/emucompat/expect"

#define LX_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Does the lane expect KEY VALUE?  1 yes, 0 no (or no expectation file). */
int lx_expects(const char *key, const char *value);

/* Is there an expectation file at all (0: the test runs outside run.sh)? */
int lx_have_file(void);

/*
 * A whole program cannot run because KEY VALUE is missing: "not ok" and
 * exit 1 when the lane expects it, else "1..0 # SKIP" and exit 77.
 */
__attribute__((noreturn)) void lx_skip_all(const char *key, const char *value,
					   const char *fmt, ...) LX_PRINTF(3, 4);

/*
 * One case cannot run because KEY VALUE is missing (@why): "not ok" when
 * the lane expects it, else "ok ... # SKIP @why".
 */
void lx_skip(const char *key, const char *value, const char *why, const char *fmt, ...)
	LX_PRINTF(4, 5);

/*
 * KEY VALUE is missing and the test goes on with what it checks in its
 * absence: "not ok" (@what, with the reason) when the lane expects it,
 * nothing otherwise.
 */
void lx_absent(const char *key, const char *value, const char *what);

/*
 * A program's precondition that no lane may lack (the 32-bit oracle runs,
 * ...): "not ok" with the reason and exit 1.
 */
__attribute__((noreturn)) void lx_fail_all(const char *fmt, ...) LX_PRINTF(1, 2);

/*
 * The module reports no @bit (EMUCOMPAT_CAP_@name) in @caps: lx_skip_all()
 * for "cap @name".  Returns when the bit is there.
 */
void lx_need_cap(unsigned long long caps, unsigned long long bit, const char *name);
#define LX_NEED_CAP(caps, NAME) lx_need_cap((caps), EMUCOMPAT_CAP_##NAME, #NAME)

#endif /* LANE_EXPECT_H */
