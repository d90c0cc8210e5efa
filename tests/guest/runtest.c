// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * runtest SECS PROG [ARGS...] - run one guest test program in its own
 * process group, with a time limit (run-tests.sh).
 *
 * `timeout` kills only the program, so a child it forked (an oracle, a
 * helper) kept run-tests.sh's output pipe open after a timeout and the
 * guest then stalled until QEMU's own limit.  Here the program runs in a
 * new process group (setpgid, not setsid: a session leader would acquire
 * a controlling terminal when a tty test opens a pty slave); when it
 * exits or its time is up, whatever is left of the group is SIGKILLed.
 *
 * Exit status: the program's, 128 + N if signal N killed it, 137 after a
 * timeout (as `timeout -s KILL` would give).  Messages go to stderr.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec t0, now;
	long secs;
	int status, left;
	pid_t pid, r;

	if (argc < 3 || (secs = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: runtest SECS PROG [ARGS...]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("runtest: fork");
		return 2;
	}
	if (pid == 0) {
		setpgid(0, 0);
		execv(argv[2], argv + 2);
		fprintf(stderr, "runtest: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);	/* both sides: no window before kill(-pid) works */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			perror("runtest: waitpid");
			return 2;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000 >=
		    secs * 1000) {
			printf("# runtest: %s: time limit %lds reached, killing its process group\n",
			       argv[2], secs);
			fflush(stdout);
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			return 137;
		}
		usleep(20000);
	}
	/* Leftovers (orphaned children still in the group) hold the pipe. */
	left = kill(-pid, 0) == 0;
	if (left) {
		printf("# runtest: %s left processes behind; killed\n", argv[2]);
		fflush(stdout);
		kill(-pid, SIGKILL);
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
