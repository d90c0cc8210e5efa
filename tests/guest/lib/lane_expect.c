// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lane_expect.c - see lane_expect.h.  64-bit tests only.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common_tap.h"
#include "lane_expect.h"

int lx_have_file(void)
{
	return access(LX_PATH, R_OK) == 0;
}

int lx_expects(const char *key, const char *value)
{
	char line[512], *v;
	size_t kl = strlen(key);
	int found = 0, denied = 0;
	FILE *f = fopen(LX_PATH, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, key, kl) || line[kl] != ' ')
			continue;
		v = line + kl + 1;
		if (v[0] == '!' && !strcmp(v + 1, value))
			denied = 1;
		else if (!strcmp(v, value) || !strcmp(v, "*"))
			found = 1;
	}
	fclose(f);
	return found && !denied;
}

void lx_skip_all(const char *key, const char *value, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!lx_expects(key, value))
		tap_skip_all("%s", buf);
	tap_ok(0, "%s (this lane expects %s %s: tests/qemu/expect.conf)", buf, key, value);
	tap_done();
	exit(1);
}

void lx_skip(const char *key, const char *value, const char *why, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (lx_expects(key, value))
		tap_ok(0, "%s: %s (this lane expects %s %s: tests/qemu/expect.conf)", buf, why,
		       key, value);
	else
		tap_skip(why, "%s", buf);
}

void lx_absent(const char *key, const char *value, const char *what)
{
	if (lx_expects(key, value))
		tap_ok(0, "%s (this lane expects %s %s: tests/qemu/expect.conf)", what, key, value);
}

void lx_fail_all(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tap_ok(0, "%s", buf);
	tap_done();
	exit(1);
}

void lx_need_cap(unsigned long long caps, unsigned long long bit, const char *name)
{
	if (caps & bit)
		return;
	lx_skip_all("cap", name, "the module reports no EMUCOMPAT_CAP_%s (caps %#llx)", name,
		    caps);
}
