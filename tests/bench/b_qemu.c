// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * b_qemu - QEMU linux-user with emucompat (the patched qemu-i386/qemu-arm of
 * integrations/qemu/, whatever base tests/qemu/sysroot32.sh built) against
 * the stock qemu-user-static the lane packs, side by side in one guest,
 * with the real 32-bit process of this kernel's own compat ABI (i386 on
 * x86_64, armhf on arm64) as the reference.  Same-ABI and cross-ABI: both
 * qemu-i386 and qemu-arm on either host.
 *
 * Per call, measured inside the emulated guest by tests/bench/q32b_qemu.c
 * (static, i386 and armhf): anonymous mmap and munmap of 4 KiB, 64 KiB and
 * 1 MiB, mremap grow 1 -> 16 pages and shrink 16 -> 1 (each on a fresh
 * mapping, a program run of its own), ioctl TCGETS on a pty
 * and on /dev/null (ENOTTY), SIOCGIFCONF on an AF_INET socket (commands
 * stock QEMU translates itself), and getppid (a syscall both pass through:
 * the cost of emulating a syscall at all).  Per exec, timed here: start-up
 * (q32b_qemu exit: fork + exec of the static guest to its exit).  Opt-in
 * (EMUCOMPAT_BENCH_QEMU_WHOLE=1): the mmap-heavy q32_mmap -S, whole run and
 * by phase, as before.
 *
 * Each round runs every workload once per guest ABI and variant (native,
 * stock, patched), the variants back to back, their order rotated every
 * round, so the drift of a shared host hits them alike; ratios are taken
 * per round, then the median (bench.h).  A run that exits non-zero gives
 * no numbers for that workload and variant from then on: for the patched
 * QEMU or the native process a "not ok" line and exit 1 (a crashed
 * benchmark); for stock QEMU a "#" line and "fails (...)" in its cells, a
 * result (stock 7.2's qemu-i386 dies of SIGSEGV in the mremap shrinks).  The
 * patched/stock ratios are reported as targets (<= 1.00: not slower than
 * stock QEMU), met or missed, never failures.
 *
 * Where the binaries are: $QEMU_PATCHED_DIR/qemu-<arch> and
 * $QEMU_STOCK_DIR/..., else /sysroot/<abi>/qemu/<kind>/qemu-<arch>, as
 * tests/qemu/mkinitramfs.sh --qemu packs them (with /sysroot/qemu-<kind>
 * .version and .note); q32b_qemu.<abi> and q32_mmap.<abi> in $Q32_DIR,
 * /tests/bench or /tests.
 * Environment: EMUCOMPAT_BENCH_QEMU_ROUNDS (default 11, at least 3),
 * EMUCOMPAT_BENCH_QEMU_CALLS (calls per measurement, default 512),
 * EMUCOMPAT_BENCH_QEMU_BUDGET (seconds, default 600: after the first round
 * as many rounds as fit, never fewer than 3), EMUCOMPAT_BENCH_QEMU_WHOLE.
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
#define MAX_METRICS	40

static const char *const q32_dirs[] = { "/tests/bench", "/tests", NULL };

enum { V_NATIVE, V_STOCK, V_PATCHED, NV };
static const char *const vname[NV] = { "native", "stock", "patched" };

struct guest {
	const char *abi;	/* i386, armhf */
	const char *qemu;	/* qemu-i386, qemu-arm */
};

static const struct guest guests[] = { { "i386", "qemu-i386" }, { "armhf", "qemu-arm" } };
#define NGUESTS 2

enum { W_START, W_CALLS, W_GROW, W_SHRINK, W_WHOLE, NWORKS };
struct work {
	const char *name, *prog;
	const char *args[5];	/* "N": the calls per measurement */
};

static const struct work works[NWORKS] = {
	[W_START] = { "start-up", "q32b_qemu", { "exit", NULL } },
	[W_CALLS] = { "calls", "q32b_qemu", { "-n", "N", "calls", NULL } },
	[W_GROW] = { "mremap-grow", "q32b_qemu", { "-n", "N", "mremap-grow", NULL } },
	[W_SHRINK] = { "mremap-shrink", "q32b_qemu", { "-n", "N", "mremap-shrink", NULL } },
	[W_WHOLE] = { "q32_mmap", "q32_mmap", { "-S", NULL } },
};

/* One row of the table: a per-call time (ns) or a per-exec time (ns). */
struct metric {
	char name[64];
	int work;
	double v[NV][MAX_ROUNDS];
	int n[NV];		/* rounds with a value */
};

static struct metric metrics[NGUESTS][MAX_METRICS];
static int nmetrics[NGUESTS];

static int failures;
static int ecdev;	/* /dev/emucompat exists */
/* Why a variant gave no numbers for a workload ("" if it did). */
static char why[NGUESTS][NWORKS][NV][64];
/* { QEMU or "", guest program } of each run; have: still to be run. */
static char path[NGUESTS][NWORKS][NV][2][600];
static int have[NGUESTS][NWORKS][NV];

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

/* /sysroot/qemu-KIND.SUFFIX's first line (version, note), or "". */
static const char *qemu_file(int v, const char *suffix)
{
	static char buf[2][2][256];
	char path[64];
	FILE *f;
	char *b = buf[v == V_PATCHED][!strcmp(suffix, "note")];

	b[0] = 0;
	snprintf(path, sizeof(path), "/sysroot/qemu-%s.%s", vname[v], suffix);
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

/* One run: fork, exec argv with stdout/stderr to @log, wait.  ns. */
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
		if (!strncmp(line, "not ok", 6) || !strncmp(line, "qemu", 4) || n++ < 5)
			printf("#   %s", line);
	fclose(f);
}

static struct metric *metric(int g, int w, const char *name)
{
	int i;

	for (i = 0; i < nmetrics[g]; i++)
		if (!strcmp(metrics[g][i].name, name))
			return &metrics[g][i];
	if (nmetrics[g] == MAX_METRICS)
		return NULL;
	i = nmetrics[g]++;
	snprintf(metrics[g][i].name, sizeof(metrics[g][i].name), "%s", name);
	metrics[g][i].work = w;
	return &metrics[g][i];
}

static void put(int g, int w, const char *name, int v, int r, double ns)
{
	struct metric *m = metric(g, w, name);

	if (!m)
		return;
	m->v[v][r] = ns;
	m->n[v] = r + 1;
}

/*
 * q32_mmap's phase lines: "# PHASE: X ms" (CLOCK_MONOTONIC in the guest).
 */
static const char *const phases[] = { "mmap", "contents", "munmap", "refill", "mremap grow",
	"shmat", "file", "final contents", "/proc/self/maps", "unmap all" };
#define NPHASES ((int)(sizeof(phases) / sizeof(phases[0])))

/* Reads @log's results into the metrics of guest @g, variant @v, round @r. */
static void read_log(const char *log, int g, int w, int v, int r)
{
	char line[512], name[96];
	FILE *f = fopen(log, "re");
	int p;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *c = strstr(line, ": ");
		double x;

		if (sscanf(line, "@call %63s %lf", name, &x) == 2) {
			put(g, w, name, v, r, x);
			continue;
		}
		if (w != W_WHOLE || strncmp(line, "# ", 2) || !c ||
		    sscanf(c + 2, "%lf ms", &x) != 1 || !strstr(c, " ms"))
			continue;
		for (p = 0; p < NPHASES; p++)
			if ((size_t)(c - line - 2) == strlen(phases[p]) &&
			    !strncmp(line + 2, phases[p], strlen(phases[p]))) {
				snprintf(name, sizeof(name), "q32_mmap phase %s", phases[p]);
				put(g, w, name, v, r, x * 1e6);
			}
	}
	fclose(f);
}

/*
 * One run of workload @w for guest @g, variant @v, round @r: its numbers
 * into the metrics.  A run that fails gives no numbers from then on:
 * stock QEMU's own bugs are a result (the table says so); the patched
 * QEMU (with /dev/emucompat) or the native process failing is a failure
 * of the benchmark.
 */
static void run_variant(int g, int w, int v, int r, char *nbuf, const char *log)
{
	/* without /dev/emucompat the patched QEMU is stock QEMU */
	int as_stock = v == V_STOCK || (v == V_PATCHED && !ecdev);
	char *argv[10];
	int a = 0, st, k;
	double ns;

	if (!have[g][w][v])
		return;
	if (path[g][w][v][0][0])
		argv[a++] = path[g][w][v][0];
	argv[a++] = path[g][w][v][1];
	for (k = 0; works[w].args[k]; k++)
		argv[a++] = !strcmp(works[w].args[k], "N") ? nbuf : (char *)works[w].args[k];
	argv[a] = NULL;
	ns = run_once(argv, log, &st);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		snprintf(why[g][w][v], sizeof(why[g][w][v]), "fails (%s %d)",
			 WIFEXITED(st) ? "exit status" : "signal",
			 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		printf("%s - b_qemu: %s %s %s, round %d: %s\n",
		       as_stock ? "# stock QEMU" : "not ok", guests[g].abi, works[w].name,
		       vname[v], r, why[g][w][v]);
		show_log(log);
		if (!as_stock)
			failures++;
		have[g][w][v] = 0;
		return;
	}
	if (w == W_START || w == W_WHOLE)
		put(g, w, works[w].name, v, r, ns);
	read_log(log, g, w, v, r);
}

static int env_int(const char *name, int def, int lo, int hi)
{
	const char *e = getenv(name);
	int v = e && *e ? atoi(e) : def;

	return v < lo ? lo : v > hi ? hi : v;
}

/* Whether a patched/stock ratio of metric @name is a target. */
static int is_target(const char *name)
{
	return !strncmp(name, "mmap-", 5) || !strncmp(name, "munmap-", 7) ||
	       !strncmp(name, "mremap-", 7) || !strcmp(name, "ioctl-TCGETS-pty") ||
	       !strcmp(name, "ioctl-SIOCGIFCONF") || !strcmp(name, "start-up");
}

static const char *describe(const char *name)
{
	static const struct {
		const char *name, *desc;
	} d[] = {
		{ "start-up", "start-up: exec of a static guest to its exit, per exec" },
		{ "getppid", "getppid (passed through by both), per call" },
		{ "mmap-4k", "mmap anonymous 4 KiB, per call" },
		{ "munmap-4k", "munmap 4 KiB, per call" },
		{ "mmap-64k", "mmap anonymous 64 KiB, per call" },
		{ "munmap-64k", "munmap 64 KiB, per call" },
		{ "mmap-1m", "mmap anonymous 1 MiB, per call" },
		{ "munmap-1m", "munmap 1 MiB, per call" },
		{ "mremap-grow-1to16", "mremap grow 1 -> 16 pages (MAYMOVE), per call" },
		{ "mremap-shrink-16to1", "mremap shrink 16 -> 1 page, per call" },
		{ "ioctl-TCGETS-pty", "ioctl TCGETS on a pty, per call" },
		{ "ioctl-TCGETS-null-ENOTTY", "ioctl TCGETS on /dev/null (ENOTTY), per call" },
		{ "ioctl-SIOCGIFCONF", "ioctl SIOCGIFCONF (2 interfaces), per call" },
		{ "q32_mmap", "q32_mmap -S, whole run (exec to exit)" },
	};
	size_t i;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		if (!strcmp(d[i].name, name))
			return d[i].desc;
	return name;
}

int main(void)
{
	const char *own = !strcmp(b_arch(), "x86_64") ? "i386" :
			  !strcmp(b_arch(), "aarch64") ? "armhf" : "";
	int rounds = env_int("EMUCOMPAT_BENCH_QEMU_ROUNDS", 11, 3, MAX_ROUNDS);
	int ncalls = env_int("EMUCOMPAT_BENCH_QEMU_CALLS", 512, 64, 1 << 20);
	double budget = env_int("EMUCOMPAT_BENCH_QEMU_BUDGET", 600, 1, 86400) * 1e9;
	int whole = env_int("EMUCOMPAT_BENCH_QEMU_WHOLE", 0, 0, 1);
	int nfound[NV] = { 0 };
	char log[256], nbuf[16];
	int g, w, v, r, any = 0;
	uint64_t t0;

	snprintf(log, sizeof(log), "%s/b_qemu.%d.log", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 (int)getpid());
	snprintf(nbuf, sizeof(nbuf), "%d", ncalls);
	ecdev = access("/dev/emucompat", F_OK) == 0;
	b_pin();
	printf("b_qemu: /dev/emucompat %s\n", ecdev ? "present" : "absent");

	/* path[g][w][v] = { qemu or "", program } */
	for (g = 0; g < NGUESTS; g++)
		for (w = 0; w < NWORKS; w++) {
			char prog[600];

			if (w == W_WHOLE && !whole)
				continue;
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
				if (w == W_START)
					printf("b_qemu: %s %s: %s %s\n", guests[g].abi, vname[v],
					       path[g][w][v][0], prog);
				snprintf(path[g][w][v][1], sizeof(path[g][w][v][1]), "%s", prog);
				have[g][w][v] = 1;
				nfound[v]++;
				any = 1;
			}
		}

	t0 = b_now();
	for (r = 0; r < rounds; r++) {
		/* Time budget (arm64 under TCG is ~10x slower): at least 3. */
		if (r == 1) {
			double per = (double)(b_now() - t0);
			int fit = per > 0 ? (int)(budget / per) : rounds;

			if (fit < rounds)
				rounds = fit < 3 ? 3 : fit;
		}
		/*
		 * Rotate among the variants this guest and workload have: with
		 * only stock and patched (no native process of the other ABI),
		 * rotating over all three put stock first in two rounds of
		 * three.
		 */
		for (w = 0; w < NWORKS; w++)
			for (g = 0; g < NGUESTS; g++) {
				int vs[NV], n = 0;

				for (v = 0; v < NV; v++)
					if (have[g][w][v])
						vs[n++] = v;
				for (int i = 0; i < n; i++)
					run_variant(g, w, vs[(r + i) % n], r, nbuf, log);
			}
		printf("b_qemu: round %d of %d done\n", r + 1, rounds);
		fflush(stdout);
	}
	unlink(log);

	b_md("### 5. QEMU linux-user: patched (emucompat) vs stock, per call (median and IQR)");
	b_md("");
	b_md("Stock: `%s` (the lane's qemu-user-static). Patched: `%s` (integrations/qemu/; "
	     "/dev/emucompat %s). Native: the real 32-bit process. %d rounds of %d calls per "
	     "measurement; each round runs every variant once per workload, back to back, "
	     "the order rotated; a ratio is taken per round, then the median (quartiles in "
	     "brackets). Times in us per call, start-up and whole runs in ms per exec.",
	     qemu_file(V_STOCK, "version")[0] ? qemu_file(V_STOCK, "version") : "version unknown",
	     qemu_file(V_PATCHED, "version")[0] ? qemu_file(V_PATCHED, "version") :
						  "version unknown",
	     ecdev ? "present" : "ABSENT: the patched QEMU runs as stock", rounds, ncalls);
	b_md("");
	for (v = V_STOCK; v < NV; v++)
		if (!nfound[v])
			b_md("Not in this guest: the %s QEMU%s%s.", vname[v],
			     qemu_file(v, "note")[0] ? ": " : "", qemu_file(v, "note"));
	if (!any) {
		b_md("No QEMU and no q32b_qemu programs in this guest: nothing measured.");
		b_md("");
		return failures ? 1 : 0;
	}
	b_md("");
	b_md("| guest | call | native 32-bit | stock QEMU | patched QEMU | patched / stock | "
	     "stock / native | patched / native |");
	b_md("|---|---|---|---|---|---|---|---|");
	for (g = 0; g < NGUESTS; g++) {
		int i;

		for (i = 0; i < nmetrics[g]; i++) {
			struct metric *m = &metrics[g][i];
			const int pairs[3][2] = { { V_PATCHED, V_STOCK }, { V_STOCK, V_NATIVE },
						  { V_PATCHED, V_NATIVE } };
			double div = m->work == W_START || m->work == W_WHOLE ? 1e6 : 1e3;
			char cell[NV][96], rat[3][96], row[128];
			int ok[NV], p;

			snprintf(row, sizeof(row), "%s %.63s", guests[g].abi, m->name);
			for (v = 0; v < NV; v++) {
				struct b_stats s;

				/* a value from every round, or none */
				ok[v] = have[g][m->work][v] && m->n[v] == rounds;
				if (!ok[v]) {
					snprintf(cell[v], sizeof(cell[v]), "%s",
						 why[g][m->work][v][0] ? why[g][m->work][v] : "-");
					continue;
				}
				s = b_stats_of(m->v[v], rounds);
				b_fmt(cell[v], sizeof(cell[v]), &s, div);
				b_csv("5", "qemu", row, vname[v], NULL, "ns", ncalls, &s, NULL);
			}
			for (p = 0; p < 3; p++) {
				int a = pairs[p][0], b = pairs[p][1];
				struct b_stats rs, sa;
				char what[320];

				if (!ok[a] || !ok[b]) {
					snprintf(rat[p], sizeof(rat[p]), "-");
					continue;
				}
				rs = b_ratio_of(m->v[a], m->v[b], rounds);
				b_fmt_ratio(rat[p], sizeof(rat[p]), &rs);
				if (p)
					continue;
				sa = b_stats_of(m->v[a], rounds);
				b_csv("5", "qemu", row, "patched/stock", "stock", "ratio", ncalls,
				      &sa, &rs);
				if (!is_target(m->name) || !ecdev)
					continue;
				snprintf(what, sizeof(what), "QEMU %s (%s): %.120s, %s",
					 guests[g].qemu,
					 strcmp(guests[g].abi, own) ? "cross-ABI" : "same ABI",
					 describe(m->name), "patched / stock");
				b_target("qemu", what, rs.med, 0, 1.0, rat[p]);
			}
			b_md("| %s (%s) | %s | %s | %s | %s | %s | %s | %s |", guests[g].abi,
			     guests[g].qemu, describe(m->name), cell[V_NATIVE], cell[V_STOCK],
			     cell[V_PATCHED], rat[0], rat[1], rat[2]);
		}
	}
	b_md("");
	return failures ? 1 : 0;
}
