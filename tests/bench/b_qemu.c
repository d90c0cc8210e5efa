// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * b_qemu - QEMU linux-user with emucompat (the patched qemu-i386/qemu-arm of
 * integrations/qemu/: guest_base 0, no reserved_va, guest mmap/mremap/shmat
 * placed by the module's ranged calls) against Debian bookworm's stock
 * qemu-user-static 7.2 (reserved_va of 4 GiB - 1 page, nonzero guest_base,
 * placement by QEMU's own page-by-page search), side by side in one guest,
 * with the real 32-bit process of this kernel's own compat ABI (i386 on
 * x86_64, armhf on arm64) as the reference.
 *
 * Workloads, for each guest ABI (i386 under qemu-i386, armhf under
 * qemu-arm; natively only the kernel's own):
 *   start-up  q32_hello (static, one line of output): exec to exit
 *   mmap      q32_mmap -S (tests/guest/q32_mmap.c: 4 000 + 2 000 mmaps,
 *             1 600 munmaps, ~550 mremap grows, shmat, file mappings, every
 *             byte checked; -S skips the mremap shrinks, which stock 7.2 gets
 *             wrong, so that all variants do the same work): exec to exit
 * Each run is a fork + exec + waitpid timed with CLOCK_MONOTONIC; a run that
 * exits non-zero is a failure of the benchmark (a "not ok" line, exit 1),
 * never a number.  Variants are interleaved round by round, the order
 * rotated every round; ratios are per round, then the median (bench.h).
 *
 * Where the binaries are: as tests/guest/t_qemu_mmap.sh finds them
 * ($QEMU_PATCHED_DIR/qemu-<arch> / $QEMU_STOCK_DIR/..., else
 * /sysroot/<abi>/qemu/<kind>/qemu-<arch>, as tests/qemu/mkinitramfs.sh
 * --qemu packs them); q32_* in $Q32_DIR, /tests or /tests/bench.  What is
 * missing is said in the report (with /sysroot/qemu-<kind>.note) and left
 * out.
 * Rounds: $EMUCOMPAT_BENCH_QEMU_ROUNDS (start-up, default 21) and
 * $EMUCOMPAT_BENCH_QEMU_MMAP_ROUNDS (mmap, default 7), fewer (at least 3)
 * when the first round says they would not fit in 120 s / 600 s.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define MAX_ROUNDS	101

static const char *const q32_dirs[] = { "/tests", "/tests/bench", NULL };

enum { V_NATIVE, V_STOCK, V_PATCHED, NV };
static const char *const vname[NV] = { "native", "stock", "patched" };

struct guest {
	const char *abi;	/* i386, armhf */
	const char *qemu;	/* qemu-i386, qemu-arm */
};
static const struct guest guests[] = { { "i386", "qemu-i386" }, { "armhf", "qemu-arm" } };
#define NGUESTS 2

struct work {
	const char *name, *prog, *desc;
	const char *args[4];
};
static const struct work works[] = {
	{ "start-up", "q32_hello", "static hello, exec to exit", { NULL } },
	{ "mmap", "q32_mmap", "q32_mmap -S, exec to exit", { "-S", NULL } },
};
#define NWORKS 2

static int failures;

static int is_exec(const char *p)
{
	return access(p, X_OK) == 0;
}

/*
 * KIND's (patched, stock) QEMU for guest @g: $QEMU_<KIND>_DIR/qemu-<arch>,
 * else /sysroot/<abi>/qemu/<kind>/qemu-<arch> (mkinitramfs.sh --qemu).
 */
static int find_qemu(int v, const struct guest *g, char *out, size_t len)
{
	const char *e = getenv(v == V_PATCHED ? "QEMU_PATCHED_DIR" : "QEMU_STOCK_DIR");

	if (e && *e) {
		snprintf(out, len, "%s/%s", e, g->qemu);
		if (is_exec(out))
			return 0;
	}
	snprintf(out, len, "/sysroot/%s/qemu/%s/%s", g->abi, vname[v], g->qemu);
	return is_exec(out) ? 0 : -1;
}

/* The harness's note on why KIND's QEMU is absent, or "". */
static const char *qemu_note(int v)
{
	static char buf[2][256];
	char path[64];
	FILE *f;
	char *b = buf[v == V_PATCHED];

	b[0] = 0;
	snprintf(path, sizeof(path), "/sysroot/qemu-%s.note", vname[v]);
	f = fopen(path, "re");
	if (f) {
		if (!fgets(b, 256, f))
			b[0] = 0;
		b[strcspn(b, "\n")] = 0;
		fclose(f);
	}
	return b;
}

static int find_q32(const char *prog, const char *abi, char *out, size_t len)
{
	const char *e = getenv("Q32_DIR");
	const char *const *d;

	if (e && *e) {
		snprintf(out, len, "%s/%s.%s", e, prog, abi);
		if (is_exec(out))
			return 0;
	}
	for (d = q32_dirs; *d; d++) {
		snprintf(out, len, "%s/%s.%s", *d, prog, abi);
		if (is_exec(out))
			return 0;
	}
	return -1;
}

/* One run: fork, exec argv with stdout/stderr to @log, wait.  ns, or -1. */
static double run_once(char *const argv[], const char *log, int *status)
{
	uint64_t t0 = b_now(), t1;
	pid_t pid = fork();
	int st = 0;

	if (pid < 0)
		b_die("fork");
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			b_die("waitpid");
	t1 = b_now();
	*status = st;
	return (double)(t1 - t0);
}

static void show_log(const char *log)
{
	char line[512];
	FILE *f = fopen(log, "re");
	int n = 0;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "not ok", 6) || !strncmp(line, "# FAIL", 6) ||
		    !strncmp(line, "qemu", 4) || n++ < 3)
			printf("#   %s", line);
	fclose(f);
}

static double vals[NGUESTS][NWORKS][NV][MAX_ROUNDS];

/*
 * q32_mmap's own phase times ("# PHASE: X ms" lines, CLOCK_MONOTONIC in
 * the guest): where the difference between the variants comes from.
 */
static const char *const phases[] = { "mmap", "contents", "munmap", "refill", "mremap grow",
	"shmat", "file", "final contents", "/proc/self/maps", "unmap all" };
#define NPHASES ((int)(sizeof(phases) / sizeof(phases[0])))
static double pvals[NGUESTS][NV][NPHASES][MAX_ROUNDS];

static void read_phases(const char *log, double *out[NPHASES])
{
	char line[512];
	FILE *f = fopen(log, "re");
	int p;

	for (p = 0; p < NPHASES; p++)
		*out[p] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *c = strstr(line, ": ");
		double ms;

		if (strncmp(line, "# ", 2) || !c || sscanf(c + 2, "%lf ms", &ms) != 1 ||
		    !strstr(c, " ms"))
			continue;
		for (p = 0; p < NPHASES; p++)
			if ((size_t)(c - line - 2) == strlen(phases[p]) &&
			    !strncmp(line + 2, phases[p], strlen(phases[p])))
				*out[p] = ms * 1e6;
	}
	fclose(f);
}

static int env_rounds(const char *name, int def)
{
	const char *e = getenv(name);
	int v = e ? atoi(e) : def;

	return v < 3 ? 3 : v > MAX_ROUNDS ? MAX_ROUNDS : v;
}

int main(void)
{
	const char *own = !strcmp(b_arch(), "x86_64") ? "i386" :
			  !strcmp(b_arch(), "aarch64") ? "armhf" : "";
	int nfound[NV] = { 0 };
	int rounds[NWORKS] = { env_rounds("EMUCOMPAT_BENCH_QEMU_ROUNDS", 21),
			       env_rounds("EMUCOMPAT_BENCH_QEMU_MMAP_ROUNDS", 7) };
	const double budget_ns[NWORKS] = { 120e9, 600e9 };
	char path[NGUESTS][NWORKS][NV][3][600];
	int have[NGUESTS][NWORKS][NV];
	char log[256];
	int g, w, v, r, any = 0;

	snprintf(log, sizeof(log), "%s/b_qemu.%d.log", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 (int)getpid());
	b_pin();
	memset(have, 0, sizeof(have));
	printf("b_qemu: /dev/emucompat %s\n", access("/dev/emucompat", F_OK) ? "absent" : "present");

	/* path[g][w][v] = { qemu or "", program, "" } */
	for (g = 0; g < NGUESTS; g++)
		for (w = 0; w < NWORKS; w++) {
			char prog[600];

			if (find_q32(works[w].prog, guests[g].abi, prog, sizeof(prog)))
				continue;
			for (v = 0; v < NV; v++) {
				path[g][w][v][0][0] = 0;
				if (v == V_NATIVE) {
					if (strcmp(guests[g].abi, own))
						continue;
				} else if (find_qemu(v, &guests[g], path[g][w][v][0],
						     sizeof(path[g][w][v][0]))) {
					continue;
				}
				if (w == 0)
					printf("b_qemu: %s %s: %s %s\n", guests[g].abi, vname[v],
					       path[g][w][v][0], prog);
				snprintf(path[g][w][v][1], sizeof(path[g][w][v][1]), "%s", prog);
				have[g][w][v] = 1;
				nfound[v]++;
				any = 1;
			}
		}

	for (w = 0; w < NWORKS; w++) {
		uint64_t w0 = b_now();

		for (r = 0; r < rounds[w]; r++) {
			/*
			 * Time budget (arm64 under TCG is ~10x slower): after the
			 * first round, as many rounds as fit, never fewer than 3.
			 */
			if (r == 1) {
				double per = (double)(b_now() - w0);
				int fit = per > 0 ? (int)(budget_ns[w] / per) : rounds[w];

				if (fit < rounds[w])
					rounds[w] = fit < 3 ? 3 : fit;
			}
			for (g = 0; g < NGUESTS; g++) {
				for (int i = 0; i < NV; i++) {
					char *argv[8];
					int a = 0, st, k;

					v = (r + i) % NV;
					if (!have[g][w][v])
						continue;
					if (path[g][w][v][0][0])
						argv[a++] = path[g][w][v][0];
					argv[a++] = path[g][w][v][1];
					for (k = 0; works[w].args[k]; k++)
						argv[a++] = (char *)works[w].args[k];
					argv[a] = NULL;
					vals[g][w][v][r] = run_once(argv, log, &st);
					if (w == 1) {
						double *o[NPHASES];

						for (k = 0; k < NPHASES; k++)
							o[k] = &pvals[g][v][k][r];
						read_phases(log, o);
					}
					if (!WIFEXITED(st) || WEXITSTATUS(st)) {
						printf("not ok - b_qemu: %s %s %s, round %d: %s %d\n",
						       guests[g].abi, works[w].name, vname[v], r,
						       WIFEXITED(st) ? "exit status" : "signal",
						       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
						show_log(log);
						failures++;
						have[g][w][v] = 0;	/* no numbers from it */
					}
				}
			}
		}
		printf("b_qemu: %s: %d rounds done\n", works[w].name, rounds[w]);
		fflush(stdout);
	}
	unlink(log);

	b_md("### 5. QEMU linux-user: patched (emucompat) vs stock 7.2 (ms, median and IQR)");
	b_md("");
	b_md("Stock: Debian bookworm's qemu-user-static (reserved_va, nonzero guest_base). "
	     "Patched: integrations/qemu/ (guest_base 0, no reserved_va, ranged placement; "
	     "/dev/emucompat %s). Native: the real 32-bit process. Start-up: %d rounds, "
	     "q32_mmap: %d rounds, each variant once per round, interleaved.",
	     access("/dev/emucompat", F_OK) ? "ABSENT" : "present", rounds[0], rounds[1]);
	b_md("");
	for (v = V_STOCK; v < NV; v++)
		if (!nfound[v])
			b_md("Not in this guest: the %s QEMU%s%s.", vname[v], qemu_note(v)[0] ? ": " : "",
			     qemu_note(v));
	if (!any) {
		b_md("No QEMU and no q32_* programs in this guest: nothing measured.");
		b_md("");
		return failures ? 1 : 0;
	}
	b_md("");
	b_md("| guest | workload | native 32-bit | stock QEMU | patched QEMU | patched / stock | "
	     "stock / native | patched / native |");
	b_md("|---|---|---|---|---|---|---|---|");
	for (g = 0; g < NGUESTS; g++)
		for (w = 0; w < NWORKS; w++) {
			struct b_stats s[NV];
			char cell[NV][96], rat[3][96];
			const int pairs[3][2] = { { V_PATCHED, V_STOCK }, { V_STOCK, V_NATIVE },
						  { V_PATCHED, V_NATIVE } };
			char row[128];
			int p;

			if (!have[g][w][V_NATIVE] && !have[g][w][V_STOCK] && !have[g][w][V_PATCHED])
				continue;
			snprintf(row, sizeof(row), "%s %s", guests[g].abi, works[w].name);
			for (v = 0; v < NV; v++) {
				if (!have[g][w][v]) {
					snprintf(cell[v], sizeof(cell[v]), "-");
					continue;
				}
				s[v] = b_stats_of(vals[g][w][v], rounds[w]);
				b_fmt(cell[v], sizeof(cell[v]), &s[v], 1e6);
				b_csv("5", "qemu", row, vname[v], NULL, "ns", 1, &s[v], NULL);
			}
			for (p = 0; p < 3; p++) {
				int a = pairs[p][0], b = pairs[p][1];
				struct b_stats rs;

				if (!have[g][w][a] || !have[g][w][b]) {
					snprintf(rat[p], sizeof(rat[p]), "-");
					continue;
				}
				rs = b_ratio_of(vals[g][w][a], vals[g][w][b], rounds[w]);
				b_fmt_ratio(rat[p], sizeof(rat[p]), &rs);
				if (p == 0)
					b_csv("5", "qemu", row, "patched/stock", "stock", "ratio", 1, &s[a],
					      &rs);
			}
			b_md("| %s (%s) | %s (%s) | %s | %s | %s | %s | %s | %s |", guests[g].abi,
			     guests[g].qemu, works[w].name, works[w].desc, cell[V_NATIVE],
			     cell[V_STOCK], cell[V_PATCHED], rat[0], rat[1], rat[2]);
		}
	b_md("");

	/* Where q32_mmap's time goes, phase by phase. */
	b_md("q32_mmap -S by phase (ms inside the guest, median over the rounds; ratio per round):");
	b_md("");
	b_md("| guest | phase | native 32-bit | stock QEMU | patched QEMU | patched / stock |");
	b_md("|---|---|---|---|---|---|");
	for (g = 0; g < NGUESTS; g++) {
		int p;

		if (!have[g][1][V_STOCK] && !have[g][1][V_PATCHED] && !have[g][1][V_NATIVE])
			continue;
		for (p = 0; p < NPHASES; p++) {
			char cell[NV][96], rat[96] = "-", row[128];
			struct b_stats st;

			snprintf(row, sizeof(row), "%s q32_mmap phase %s", guests[g].abi, phases[p]);
			for (v = 0; v < NV; v++) {
				if (!have[g][1][v]) {
					snprintf(cell[v], sizeof(cell[v]), "-");
					continue;
				}
				st = b_stats_of(pvals[g][v][p], rounds[1]);
				b_fmt(cell[v], sizeof(cell[v]), &st, 1e6);
				b_csv("5", "qemu", row, vname[v], NULL, "ns", 1, &st, NULL);
			}
			if (have[g][1][V_PATCHED] && have[g][1][V_STOCK]) {
				struct b_stats rs = b_ratio_of(pvals[g][V_PATCHED][p],
							       pvals[g][V_STOCK][p], rounds[1]);

				b_fmt_ratio(rat, sizeof(rat), &rs);
			}
			b_md("| %s | %s | %s | %s | %s | %s |", guests[g].abi, phases[p],
			     cell[V_NATIVE], cell[V_STOCK], cell[V_PATCHED], rat);
		}
	}
	b_md("");
	return failures ? 1 : 0;
}
