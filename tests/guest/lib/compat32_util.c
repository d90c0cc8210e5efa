// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * compat32_util.c - see compat32_util.h.  64-bit only.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compat32_util.h"

char *c32_oracle(const char *arg1, const char *arg2, char *why, size_t whylen)
{
	const char *path = "/tests/o32_compat32";
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int p[2], status;
	pid_t pid;

	if (access(path, X_OK)) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (pipe(p)) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		return NULL;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *const argv[] = { (char *)"o32_compat32", (char *)arg1, (char *)arg2, NULL };

		dup2(p[1], 1);
		close(p[0]);
		execv(path, argv);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		ssize_t r;

		if (len + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				break;
		}
		r = read(p[0], buf + len, cap - len - 1);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(p[0]);
	waitpid(pid, &status, 0);
	if (!buf || !WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(why, whylen, "oracle %s exited with status %#x", arg1, status);
		free(buf);
		return NULL;
	}
	buf[len] = 0;
	return buf;
}
