// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_expect - the lane has what tests/qemu/expect.conf says it has.
 *
 * run.sh packs the lane's expectations as /etc/emucompat/expect (see
 * lib/lane_expect.h).  One result per line of it:
 *   cap NAME      the module reports EMUCOMPAT_CAP_NAME
 *   device PATH   PATH exists (a device node, a sysfs directory)
 *   va_bits N     the module's task_size is in (2^(N-1), 2^N]; above 48, a hint at
 *                 2^(N-2) gets a mapping above 2^48 (the kernel's own
 *                 placement, not the module's report)
 *   res NAME|*|!NAME  (for t_ioctl32_* and t_xabi: nothing to check here)
 * and one per helper module /init loaded from /kmod/order: it is in
 * /sys/module.  A missing file is a failure: under run.sh there is one.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common_tap.h"
#include "emucompat.h"
#include "lane_expect.h"

static const struct {
	const char *name;
	unsigned long long bit;
} caps[] = {
	{ "IOCTL32", EMUCOMPAT_CAP_IOCTL32 },
	{ "MMAP_RANGE", EMUCOMPAT_CAP_MMAP_RANGE },
	{ "MREMAP_RANGE", EMUCOMPAT_CAP_MREMAP_RANGE },
	{ "SHMAT_RANGE", EMUCOMPAT_CAP_SHMAT_RANGE },
	{ "ROBUST_LIST32", EMUCOMPAT_CAP_ROBUST_LIST32 },
	{ "DIR32", EMUCOMPAT_CAP_DIR32 },
	{ "VA_LIMITS", EMUCOMPAT_CAP_VA_LIMITS },
	{ "FORWARDER", EMUCOMPAT_CAP_FORWARDER },
};

static void check_cap(const struct emucompat_info *info, const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (!strcmp(caps[i].name, name)) {
			tap_ok(!!(info->caps & caps[i].bit),
			       "the module reports EMUCOMPAT_CAP_%s (caps %#llx)", name,
			       (unsigned long long)info->caps);
			return;
		}
	tap_ok(0, "expect.conf names an unknown capability %s", name);
}

static void check_va_bits(const struct emucompat_info *info, const char *arg)
{
	int bits = atoi(arg);
	unsigned long long hint;
	void *p;

	if (bits < 39 || bits > 57) {
		tap_ok(0, "expect.conf: va_bits %s out of range", arg);
		return;
	}
	/* x86-64 ends a page short of 2^47 (TASK_SIZE_MAX), arm64 at 2^48 */
	tap_ok(info->task_size > 1ULL << (bits - 1) && info->task_size <= 1ULL << bits,
	       "the module's task_size %#llx is a %d-bit address space",
	       (unsigned long long)info->task_size, bits);
	if (bits <= 48)
		return;
	/* the kernel's own answer: above 48 bits only where it has them */
	hint = 1ULL << (bits - 2);
	p = mmap((void *)(uintptr_t)hint, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	tap_ok(p != MAP_FAILED && (uintptr_t)p >= 1ULL << 48,
	       "mmap with a hint at %#llx lands above 2^48 (got %p%s%s)", hint, p,
	       p == MAP_FAILED ? ": " : "", p == MAP_FAILED ? strerror(errno) : "");
	if (p != MAP_FAILED)
		munmap(p, 4096);
}

static void check_device(const char *path)
{
	struct stat st;
	int r = stat(path, &st);

	tap_ok(r == 0, "%s exists%s%s", path, r ? ": " : "", r ? strerror(errno) : "");
}

static void check_modules(void)
{
	char line[256], path[300];
	FILE *f = fopen("/kmod/order", "r");
	struct stat st;
	size_t n;

	if (!f) {
		tap_diag("no /kmod/order: no helper modules in this initramfs");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		n = strlen(line);
		if (n > 3 && !strcmp(line + n - 3, ".ko"))
			line[n - 3] = '\0';
		if (!line[0])
			continue;
		snprintf(path, sizeof(path), "/sys/module/%s", line);
		tap_ok(stat(path, &st) == 0, "helper module %s loaded by /init (%s)", line, path);
	}
	fclose(f);
}

int main(void)
{
	struct emucompat_info info;
	struct emucompat *ec;
	char line[512], *v;
	FILE *f;

	ec = emucompat_open();
	if (!ec)
		lx_fail_all("emucompat_open: %s (is emucompat.ko loaded?)", strerror(errno));
	memset(&info, 0, sizeof(info));
	if (emucompat_info(ec, &info))
		lx_fail_all("emucompat_info: %s", strerror(errno));
	tap_diag("caps %#llx, flags %#x, task_size %#llx", (unsigned long long)info.caps,
		 info.flags, (unsigned long long)info.task_size);
	f = fopen(LX_PATH, "r");
	if (!f)
		lx_fail_all("%s: %s (run.sh packs the lane's expect.conf entries)", LX_PATH,
			    strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		v = strchr(line, ' ');
		if (!v)
			continue;
		*v++ = '\0';
		if (!strcmp(line, "cap"))
			check_cap(&info, v);
		else if (!strcmp(line, "device"))
			check_device(v);
		else if (!strcmp(line, "va_bits"))
			check_va_bits(&info, v);
		else if (!strcmp(line, "res"))
			tap_diag("res %s: checked by t_ioctl32_* and t_xabi", v);
		else
			tap_ok(0, "%s: unknown key %s", LX_PATH, line);
	}
	fclose(f);
	check_modules();
	emucompat_close(ec);
	return tap_done();
}
