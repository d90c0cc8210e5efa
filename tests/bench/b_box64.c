// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * b_box64 - box64's box32 with the memory half of integrations/box64's
 * series (patched, /dev/emucompat open) against the same box64 unpatched
 * (stock), side by side in one guest, with the real i386 process as the
 * reference where the kernel runs one (x86_64).  Run by t_box64_bench.sh
 * (integrations/box64/bench-guest.sh) in the chroot of t_box64.sh.
 *
 *	b_box64 ROOT [ROUNDS]
 *
 * Workloads, the guest program tests/bench/b32_box64.c:
 *   start-up     fork + exec of "box64 b32_box64 exit" to its exit (box64's
 *                initialisation: its reservation of everything above 4 GiB,
 *                or the VA limits; loading the i386 ELF and its libc),
 *                timed here, the mean of 3 execs;
 *   per call     "b32_box64 N calls": mmap/munmap of 64 KiB, mmap+munmap of
 *                1 MiB, mremap growing 4 KiB -> 64 KiB (it must move), in
 *                an address space fragmented first; timed inside the guest
 *                in batches.
 * Each round runs every workload once per variant (native, stock,
 * patched), back to back, the order rotated every round; the ratio
 * patched/stock is taken per round, then the median and quartiles
 * (bench.h).  Output: bench.h's "@md"/"@csv" lines (section "box64"), and
 * TAP: a variant that exits non-zero is "not ok" (patched, native) or
 * shown (stock).
 */
#include "bench.h"

#include <fcntl.h>
#include <sys/wait.h>

#define NVAR 3
#define NCALL 4
#define MAXR 64
static const char *const var[NVAR] = { "native", "stock", "patched" };
static const char *const call[NCALL] = { "mmap-64k", "munmap-64k", "mmap+munmap-1m",
					  "mremap-grow" };
static const char *root;
static double start_ns[NVAR][MAXR], call_ns[NVAR][NCALL][MAXR];
static int have[NVAR];

/* Run variant v with args in the chroot; its stdout to *out (malloc'd). */
static int run(int v, const char *arg1, const char *arg2, char **out, uint64_t *ns)
{
	char *envp[] = { "PATH=/usr/bin:/bin", "LC_ALL=C", "BOX64_LOG=0", "BOX64_NOBANNER=1",
			 "BOX64_LD_LIBRARY_PATH=/usr/lib/i386-linux-gnu", NULL };
	char *argv[5];
	int pfd[2], st, n = 0;
	uint64_t t0;
	pid_t pid;

	if (v == 0) {
		argv[n++] = "/box32/b32_box64.static";
	} else {
		argv[n++] = v == 1 ? "/bin/box64-stock" : "/bin/box64";
		argv[n++] = "/box32/b32_box64";
	}
	argv[n++] = (char *)arg1;
	if (arg2)
		argv[n++] = (char *)arg2;
	argv[n] = NULL;
	if (pipe(pfd))
		b_die("pipe: %s", strerror(errno));
	t0 = b_now();
	pid = fork();
	if (pid < 0)
		b_die("fork: %s", strerror(errno));
	if (!pid) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		if (chroot(root) || chdir("/"))
			_exit(126);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(pfd[1]);
	if (out) {
		size_t cap = 4096, len = 0;
		ssize_t r;

		*out = malloc(cap);
		while (*out && (r = read(pfd[0], *out + len, cap - len - 1)) > 0) {
			len += r;
			if (len + 1 == cap)
				*out = realloc(*out, cap *= 2);
		}
		if (!*out)
			b_die("out of memory");
		(*out)[len] = 0;
	} else {
		char buf[256];

		while (read(pfd[0], buf, sizeof(buf)) > 0)
			;
	}
	close(pfd[0]);
	waitpid(pid, &st, 0);
	*ns = b_now() - t0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int nok;
static void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", ++nok);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int rounds = argc > 2 ? atoi(argv[2]) : 7, nfail = 0;
	char buf[64];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || rounds < 3 || rounds > MAXR) {
		fprintf(stderr, "usage: b_box64 ROOT [ROUNDS: 3..%d]\n", MAXR);
		return 2;
	}
	root = argv[1];
	have[0] = strcmp(b_arch(), "x86_64") == 0;	/* an i386 process: x86_64 only */
	have[1] = have[2] = 1;
	for (int r = 0; r < rounds; r++) {
		for (int k = 0; k < NVAR; k++) {
			int v = (k + r) % NVAR, rc = 0;
			uint64_t ns, sum = 0;
			char *out = NULL, *l;

			if (!have[v])
				continue;
			for (int i = 0; i < 3 && !rc; i++) {
				rc = run(v, "exit", NULL, NULL, &ns);
				sum += ns;
			}
			start_ns[v][r] = sum / 3.0;
			if (!rc)
				rc = run(v, "512", "calls", &out, &ns);
			for (int c = 0; !rc && c < NCALL; c++) {
				char key[64];

				snprintf(key, sizeof(key), "@call %s ", call[c]);
				l = strstr(out, key);
				if (!l) {
					rc = -1;
					break;
				}
				call_ns[v][c][r] = atof(l + strlen(key));
			}
			if (rc) {
				tap(v == 1, "%s: round %d: exit %d%s%s", var[v], r, rc,
				    out && *out ? ": " : "", out && *out ? strtok(out, "\n") : "");
				if (v != 1)
					nfail++;
				have[v] = 0;
			}
			free(out);
		}
		printf("# b_box64: round %d done\n", r + 1);
	}
	b_md("### box64 (box32): patched (emucompat) against stock, %d rounds", rounds);
	b_md("");
	b_md("| workload | native i386 | stock box64 | patched box64 | patched / stock |");
	b_md("|---|---|---|---|---|");
	for (int c = -1; c < NCALL; c++) {
		const char *name = c < 0 ? "start-up (exec to exit)" : call[c];
		const char *unit = c < 0 ? "ms" : "us";
		double div = c < 0 ? 1e6 : 1e3;
		struct b_stats s[NVAR], rt = { 0 };
		char cell[NVAR][64];

		if (have[1] && have[2])
			rt = c < 0 ? b_ratio_of(start_ns[2], start_ns[1], rounds)
				   : b_ratio_of(call_ns[2][c], call_ns[1][c], rounds);
		for (int v = 0; v < NVAR; v++) {
			double *vals = c < 0 ? start_ns[v] : call_ns[v][c];

			if (!have[v]) {
				snprintf(cell[v], sizeof(cell[v]), "%s", v == 0 ? "-" : "fails");
				continue;
			}
			s[v] = b_stats_of(vals, rounds);
			b_fmt(cell[v], sizeof(cell[v]), &s[v], div);
			b_csv("box64", c < 0 ? "startup" : "per-call", name, var[v],
			      v == 2 ? "stock" : NULL, "ns", c < 0 ? 3 : 512, &s[v],
			      v == 2 && have[1] ? &rt : NULL);
		}
		if (have[1] && have[2])
			b_fmt_ratio(buf, sizeof(buf), &rt);
		else
			snprintf(buf, sizeof(buf), "-");
		b_md("| %s [%s] | %s | %s | %s | %s |", name, unit, cell[0], cell[1], cell[2], buf);
	}
	tap(nfail == 0, "b_box64: %d rounds, native %s, stock %s, patched %s", rounds,
	    have[0] ? "ran" : "-", have[1] ? "ran" : "failed", have[2] ? "ran" : "failed");
	printf("1..%d\n", nok);
	return nfail ? 1 : 0;
}
