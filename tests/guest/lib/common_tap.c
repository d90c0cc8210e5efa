// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * common_tap.c - see common_tap.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common_tap.h"

static int tap_planned = -1;	/* -1: no plan printed yet */
static int tap_n;		/* tests run */
static int tap_nfail;
static int tap_nskip;
static int tap_inited;

static void tap_init(void)
{
	if (tap_inited)
		return;
	tap_inited = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

void tap_flush(void)
{
	fflush(stdout);
	fflush(stderr);
}

void tap_plan(int n)
{
	tap_init();
	if (tap_planned >= 0)
		return;
	tap_planned = n;
	printf("1..%d\n", n);
}

static void tap_vline(const char *prefix, const char *fmt, va_list ap)
{
	char buf[4096];
	char *line, *nl;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* A description must stay on one line: fold newlines. */
	for (line = buf; (nl = strchr(line, '\n')); line = nl + 1)
		*nl = ' ';
	/* '#' would start a TAP directive inside a description. */
	for (line = buf; (nl = strchr(line, '#')); line = nl + 1)
		*nl = '_';
	fputs(prefix, stdout);
	fputs(buf, stdout);
}

int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;
	char prefix[48];

	tap_init();
	tap_n++;
	if (!cond)
		tap_nfail++;
	snprintf(prefix, sizeof(prefix), "%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	tap_vline(prefix, fmt, ap);
	va_end(ap);
	putchar('\n');
	return cond;
}

void tap_skip(const char *reason, const char *fmt, ...)
{
	va_list ap;
	char prefix[48];

	tap_init();
	tap_n++;
	tap_nskip++;
	snprintf(prefix, sizeof(prefix), "ok %d - ", tap_n);
	va_start(ap, fmt);
	tap_vline(prefix, fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", reason ? reason : "");
}

void tap_vdiag(const char *fmt, va_list ap)
{
	char buf[16384];
	char *line, *nl;

	tap_init();
	vsnprintf(buf, sizeof(buf), fmt, ap);
	line = buf;
	for (;;) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		printf("# %s\n", line);
		if (!nl || !nl[1])
			break;
		line = nl + 1;
	}
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vdiag(fmt, ap);
	va_end(ap);
}

int tap_count(void)
{
	return tap_n;
}

int tap_failed(void)
{
	return tap_nfail;
}

int tap_done(void)
{
	tap_init();
	if (tap_planned < 0) {
		tap_planned = tap_n;
		printf("1..%d\n", tap_n);
	} else if (tap_planned != tap_n) {
		printf("# planned %d tests, ran %d\n", tap_planned, tap_n);
		tap_flush();
		return 1;
	}
	tap_flush();
	if (tap_nfail)
		return 1;
	if (tap_n == tap_nskip)
		return 77;
	return 0;
}

void tap_bail(const char *fmt, ...)
{
	va_list ap;

	tap_init();
	fputs("Bail out! ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	tap_flush();
	exit(1);
}

void tap_skip_all(const char *fmt, ...)
{
	va_list ap;

	tap_init();
	if (tap_n == 0 && tap_planned < 0) {
		fputs("1..0 # SKIP ", stdout);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		putchar('\n');
		tap_flush();
		exit(77);
	}
	/* Tests already ran: report the rest as a diagnostic and finish. */
	fputs("# skipping the rest: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(tap_done());
}
