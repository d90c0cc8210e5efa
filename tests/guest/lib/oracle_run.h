/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * oracle_run.h - find and run a 32-bit oracle program (o32_ioctl,
 * o32_xabi) from a 64-bit differential test, capturing its output.
 */
#ifndef ORACLE_RUN_H
#define ORACLE_RUN_H

#include <stddef.h>

#include "lane_expect.h"

/*
 * The path of oracle @name: $EMUCOMPAT_O32_DIR/@name if set, else beside
 * @argv0 if executable there, else /tests/@name.
 */
void or_find(const char *argv0, const char *name, char *path, size_t len);

/*
 * Run @path as "@name @arg" (stdout to a pipe; inherited descriptors stay),
 * killed after @timeout_ms without output.  Its whole stdout goes to @out.
 * 0 when it exited 0; -1 with a reason in @out otherwise (cannot exec,
 * timed out, killed by a signal, non-zero exit status: with the first 400
 * characters of its output).
 */
int or_run(const char *path, const char *name, const char *arg, char *out, size_t outlen,
	   int timeout_ms);

/*
 * TAP diagnostics for two records that differ: both, labelled @la and
 * @lb, and where they part.
 */
void or_diag_mismatch(const char *la, const char *a, const char *lb, const char *b);

/* Is case @name selected by the command line (no arguments: all are)? */
int or_selected(int argc, char **argv, const char *name);

#endif /* ORACLE_RUN_H */
