/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * common_tap.h - a minimal TAP producer for the guest tests.
 *
 * Builds for the 32-bit oracles and the 64-bit tests alike.  Everything
 * goes to stdout, line-buffered, so test lines and diagnostics stay in
 * order:
 *
 *	tap_plan(n);			"1..n" (or call nothing: tap_done()
 *					prints a trailing plan)
 *	tap_ok(cond, "desc %d", x);	"ok N - desc" / "not ok N - desc"
 *	tap_skip("why", "desc");	"ok N - desc # SKIP why"
 *	tap_diag("fmt", ...);		"# ..." (each line of the text prefixed)
 *	return tap_done();		exit status: 0 all passed, 1 any
 *					failed (or the plan was not met),
 *					77 every test skipped (or none ran)
 *	tap_bail("fmt", ...);		"Bail out! ..." and exit(1)
 *	tap_skip_all("why");		"1..0 # SKIP why" and exit(77)
 *
 * Flush stdout (tap_flush()) before fork() so that buffered output is not
 * duplicated in the child.
 */
#ifndef COMMON_TAP_H
#define COMMON_TAP_H

#include <stdarg.h>

#define TAP_PRINTF(f, a) __attribute__((format(printf, f, a)))

void tap_plan(int n);
int tap_ok(int cond, const char *fmt, ...) TAP_PRINTF(2, 3);
void tap_skip(const char *reason, const char *fmt, ...) TAP_PRINTF(2, 3);
void tap_diag(const char *fmt, ...) TAP_PRINTF(1, 2);
void tap_vdiag(const char *fmt, va_list ap) TAP_PRINTF(1, 0);
int tap_done(void);
void tap_flush(void);
__attribute__((noreturn)) void tap_bail(const char *fmt, ...) TAP_PRINTF(1, 2);
__attribute__((noreturn)) void tap_skip_all(const char *fmt, ...) TAP_PRINTF(1, 2);

/* Counters, for callers that want to summarise. */
int tap_count(void);
int tap_failed(void);

#endif /* COMMON_TAP_H */
