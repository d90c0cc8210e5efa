// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * oracle_run.c - see oracle_run.h.  64-bit tests only.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common_tap.h"
#include "oracle_run.h"

void or_find(const char *argv0, const char *name, char *path, size_t len)
{
	const char *env = getenv("EMUCOMPAT_O32_DIR");
	char buf[PATH_MAX];

	if (env && *env) {
		snprintf(path, len, "%s/%s", env, name);
		return;
	}
	snprintf(buf, sizeof(buf), "%s", argv0);
	snprintf(path, len, "%s/%s", dirname(buf), name);
	if (access(path, X_OK) == 0)
		return;
	snprintf(path, len, "/tests/%s", name);
}

int or_run(const char *path, const char *name, const char *arg, char *out, size_t outlen,
	   int timeout_ms)
{
	size_t len = 0;
	int p[2], status;
	char why[512];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC)) {
		snprintf(out, outlen, "pipe: %s", strerror(errno));
		return -1;
	}
	tap_flush();
	pid = fork();
	if (pid < 0) {
		snprintf(out, outlen, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		char *const argv[] = { (char *)name, (char *)arg, NULL };

		if (dup2(p[1], 1) < 0)
			_exit(126);
		execv(path, argv);
		dprintf(1, "EXEC %s\n", strerror(errno));
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pf = { .fd = p[0], .events = POLLIN };
		ssize_t n;
		int pr = poll(&pf, 1, timeout_ms);

		if (pr == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			close(p[0]);
			snprintf(out, outlen, "oracle timed out");
			return -1;
		}
		if (pr < 0 && errno == EINTR)
			continue;
		if (len + 1 >= outlen)
			break;
		n = read(p[0], out + len, outlen - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	out[len] = '\0';
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!strncmp(out, "EXEC ", 5)) {
		snprintf(why, sizeof(why), "cannot exec %s: %.100s", path, out + 5);
		snprintf(out, outlen, "%s", why);
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(why, sizeof(why), "oracle %s %d; output: %.400s",
			 WIFSIGNALED(status) ? "killed by signal" : "exit status",
			 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), out);
		snprintf(out, outlen, "%s", why);
		return -1;
	}
	return 0;
}

void or_diag_mismatch(const char *la, const char *a, const char *lb, const char *b)
{
	size_t i = 0;

	while (a[i] && a[i] == b[i])
		i++;
	tap_diag("%-11s %s", la, a);
	tap_diag("%-11s %s", lb, b);
	tap_diag("first difference at offset %zu: %s \"%.50s\" vs %s \"%.50s\"", i, la, a + i,
		 lb, b + i);
}

int or_selected(int argc, char **argv, const char *name)
{
	int i;

	if (argc < 2)
		return 1;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}
