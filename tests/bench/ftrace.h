/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * ftrace.h - a kernel-side profile for the benchmarks, where perf is not
 * available: the function_graph tracer (Debian kernels have it) records
 * every call below a few entry points (set_graph_function) with its
 * duration, and ft_collect() folds the trace into a call tree with the
 * mean time per traced entry call.  Tracing makes each traced function
 * slower (more so under TCG), so the absolute numbers are inflated; two
 * trees taken the same way are comparable, and show where the time goes.
 *
 * Off unless EMUCOMPAT_BENCH_PROFILE=1 (run-bench.sh sets it for the
 * kernel argument ectest.profile=1): switching the tracer patches every
 * kernel function under stop_machine, which under TCG on a busy host
 * stalls a vCPU long enough for soft-lockup and RCU-stall reports.
 */
#ifndef EMUCOMPAT_BENCH_FTRACE_H
#define EMUCOMPAT_BENCH_FTRACE_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "probe_util.h"

#define FT_MAX_NODES	1024
#define FT_MAX_DEPTH	16

struct ft_node {
	char path[240];		/* "a>b>c" */
	const char *name;	/* last component */
	int depth;
	long calls;
	double total_us;
};

struct ft_profile {
	struct ft_node n[FT_MAX_NODES];
	int nn;
	long roots;		/* completed depth-0 calls */
};

static char ft_dir[64];

static int ft_write(const char *file, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", ft_dir, file);
	return pt_write_file(path, val);
}

/* Asked for, and is the function_graph tracer usable?  Mounts tracefs. */
static int ft_available(void)
{
	const char *want = getenv("EMUCOMPAT_BENCH_PROFILE");
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[128], buf[4096];
	unsigned int i;
	ssize_t r;
	int fd;

	if (!want || strcmp(want, "1"))
		return 0;
	for (i = 0; i < 2 && !ft_dir[0]; i++) {
		snprintf(path, sizeof(path), "%s/available_tracers", dirs[i]);
		if (access(path, R_OK) && i == 0)
			mount("tracefs", dirs[0], "tracefs", 0, NULL);
		if (!access(path, R_OK))
			snprintf(ft_dir, sizeof(ft_dir), "%s", dirs[i]);
	}
	if (!ft_dir[0])
		return 0;
	snprintf(path, sizeof(path), "%s/available_tracers", ft_dir);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return 0;
	buf[r] = 0;
	return strstr(buf, "function_graph") != NULL;
}

/*
 * Set up the function_graph tracer below @funcs (space separated; names
 * this kernel lacks are skipped), at most @depth levels, with recording
 * off.  Switching the tracer patches every kernel function (slow under
 * TCG): do it once, then ft_record() / ft_collect() per measurement, and
 * ft_end() at the end.  0 or -1.
 */
static int ft_begin(const char *funcs, int depth)
{
	char list[512], *tok, *save, d[16];
	int any = 0;

	ft_write("tracing_on", "0");
	ft_write("current_tracer", "nop");
	ft_write("trace", "");
	ft_write("set_graph_function", "");
	snprintf(list, sizeof(list), "%s", funcs);
	for (tok = strtok_r(list, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char path[128];
		int fd;

		snprintf(path, sizeof(path), "%s/set_graph_function", ft_dir);
		fd = open(path, O_WRONLY | O_APPEND);
		if (fd < 0)
			return -1;
		if (write(fd, tok, strlen(tok)) == (ssize_t)strlen(tok))
			any = 1;
		close(fd);
	}
	if (!any)
		return -1;
	snprintf(d, sizeof(d), "%d", depth);
	ft_write("max_graph_depth", d);
	ft_write("options/funcgraph-irqs", "0");
	ft_write("options/funcgraph-proc", "0");
	ft_write("options/funcgraph-tail", "0");
	ft_write("buffer_size_kb", "8192");
	return ft_write("current_tracer", "function_graph");
}

/* Start recording (into an empty buffer). */
static int ft_record(void)
{
	ft_write("trace", "");
	return ft_write("tracing_on", "1");
}

static void ft_end(void)
{
	ft_write("tracing_on", "0");
	ft_write("current_tracer", "nop");
	ft_write("trace", "");
	ft_write("set_graph_function", "");
}

static struct ft_node *ft_node(struct ft_profile *p, const char *path, int depth)
{
	int i;

	for (i = 0; i < p->nn; i++)
		if (!strcmp(p->n[i].path, path))
			return &p->n[i];
	if (p->nn == FT_MAX_NODES)
		return NULL;
	snprintf(p->n[p->nn].path, sizeof(p->n[0].path), "%s", path);
	p->n[p->nn].name = strrchr(p->n[p->nn].path, '>');
	p->n[p->nn].name = p->n[p->nn].name ? p->n[p->nn].name + 1 : p->n[p->nn].path;
	p->n[p->nn].depth = depth;
	return &p->n[p->nn++];
}

/*
 * The node of @name called at @depth below stack[0..depth-1]; created on
 * first sight (a caller is seen, at its opening brace, before its callees:
 * the nodes stay in tree order).
 */
static struct ft_node *ft_find(struct ft_profile *p, char stack[][64], int depth,
			       const char *name)
{
	char path[240] = "";
	int i;

	for (i = 0; i < depth; i++) {
		strncat(path, stack[i], sizeof(path) - strlen(path) - 2);
		strcat(path, ">");
	}
	strncat(path, name, sizeof(path) - strlen(path) - 1);
	return ft_node(p, path, depth);
}

static void ft_add(struct ft_profile *p, char stack[][64], int depth, const char *name, double us)
{
	struct ft_node *n = ft_find(p, stack, depth, name);

	if (!n)
		return;
	n->calls++;
	n->total_us += us;
	if (depth == 0)
		p->roots++;
}

/* Stop recording and fold what was recorded into @p.  0 or -1. */
static int ft_collect(struct ft_profile *p)
{
	char path[128], line[512], stack[FT_MAX_DEPTH][64];
	FILE *f;

	memset(p, 0, sizeof(*p));
	ft_write("tracing_on", "0");
	snprintf(path, sizeof(path), "%s/trace", ft_dir);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *bar = strchr(line, '|'), *fn, *end, *num;
		double us = -1;
		int sp = 0, depth;

		if (line[0] == '#' || !bar || !strchr(line, ')'))
			continue;
		/* duration: the first number between ')' and '|' */
		for (num = strchr(line, ')') + 1; num < bar; num++)
			if (*num >= '0' && *num <= '9') {
				us = strtod(num, NULL);
				break;
			}
		fn = bar + 1;
		while (fn[sp] == ' ')
			sp++;
		depth = sp / 2 - 1;
		fn += sp;
		end = fn + strlen(fn);
		while (end > fn && (end[-1] == '\n' || end[-1] == ' '))
			*--end = 0;
		if (depth < 0 || depth >= FT_MAX_DEPTH)
			continue;
		if (fn[0] == '}') {
			if (us >= 0)
				ft_add(p, stack, depth, stack[depth], us);
		} else if (end - fn > 2 && end[-1] == '{') {
			char *paren = strstr(fn, "()");

			if (paren)
				*paren = 0;
			snprintf(stack[depth], sizeof(stack[0]), "%s", fn);
			ft_find(p, stack, depth, fn);
		} else if (end - fn > 3 && !strcmp(end - 3, "();")) {
			end[-3] = 0;
			if (us >= 0)
				ft_add(p, stack, depth, fn, us);
		}
	}
	fclose(f);
	return 0;
}

/* Print @p as a markdown code block: mean us per traced call of the roots. */
static void ft_print(const char *title, const struct ft_profile *p, double min_us)
{
	int i;

	b_md("%s (%ld traced calls; mean us per call, tracing overhead included):", title,
	     p->roots);
	b_md("");
	b_md("```");
	if (p->nn <= 1)
		b_md("(no callees recorded: %d nodes)", p->nn);
	for (i = 0; i < p->nn; i++) {
		const struct ft_node *n = &p->n[i];
		double per = p->roots ? n->total_us / p->roots : 0;

		if (per < min_us)
			continue;
		b_md("%*s%-*s %8.2f  (x%.2g)", 2 * n->depth, "", 44 - 2 * n->depth, n->name, per,
		     p->roots ? (double)n->calls / p->roots : 0);
	}
	b_md("```");
	b_md("");
}

#endif
