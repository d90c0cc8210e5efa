/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * bench.h - helpers shared by the benchmark programs (tests/bench/b_*.c,
 * 64-bit, and o32b_*.c, the 32-bit oracles).  Header only, so both widths
 * build it without a library of their own.
 *
 * Measuring: CLOCK_MONOTONIC around a batch of calls (never around one
 * call: under TCG, and on x86 kernels that fall back to the HPET, reading
 * the clock costs microseconds).  Variants are interleaved round by round
 * (ABAB..., the order rotated every round) so that drift of the host,
 * which other work shares, hits every variant alike.  A row reports the
 * median and the quartiles of its per-round values, and the ratio to its
 * baseline as the median of the per-round ratios: each variant is compared
 * with the baseline measured in the same round.
 *
 * Output, one line each, read back by tests/bench/bench.sh from the
 * console:
 *   "@md TEXT"      markdown (tables, headings) for the report
 *   "@csv FIELDS"   one result row (header: B_CSV_HEADER)
 *   "@target ..."   one target: id|what|measured|threshold|met or MISSED|note
 * and plain lines (progress, notes) for the console only.
 */
#ifndef EMUCOMPAT_BENCH_H
#define EMUCOMPAT_BENCH_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>

#define B_CSV_HEADER "kernel,arch,section,bench,row,variant,baseline,unit,rounds,iters," \
		     "median,q1,q3,min,max,ratio_median,ratio_q1,ratio_q3"

static inline uint64_t b_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void b_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (errno)
		fprintf(stderr, " (%s)", strerror(errno));
	fprintf(stderr, "\n");
	exit(1);
}

/* ---- statistics ------------------------------------------------------- */

struct b_stats {
	int n;
	double med, q1, q3, min, max;
};

static int b_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Quantile q of sorted v[0..n-1], linear interpolation (type 7). */
static inline double b_quantile(const double *v, int n, double q)
{
	double pos = q * (n - 1);
	int i = (int)pos;

	if (i >= n - 1)
		return v[n - 1];
	return v[i] + (pos - i) * (v[i + 1] - v[i]);
}

static inline struct b_stats b_stats_of(const double *v, int n)
{
	struct b_stats s = { .n = n };
	double *w;

	if (n <= 0)
		return s;
	w = malloc(sizeof(*w) * n);
	if (!w)
		b_die("out of memory");
	memcpy(w, v, sizeof(*w) * n);
	qsort(w, n, sizeof(*w), b_cmp_double);
	s.med = b_quantile(w, n, 0.5);
	s.q1 = b_quantile(w, n, 0.25);
	s.q3 = b_quantile(w, n, 0.75);
	s.min = w[0];
	s.max = w[n - 1];
	free(w);
	return s;
}

/* Per-round ratios v[i] / base[i]. */
static inline struct b_stats b_ratio_of(const double *v, const double *base, int n)
{
	double *r = malloc(sizeof(*r) * (n > 0 ? n : 1));
	struct b_stats s;
	int i;

	if (!r)
		b_die("out of memory");
	for (i = 0; i < n; i++)
		r[i] = base[i] > 0 ? v[i] / base[i] : 0;
	s = b_stats_of(r, n);
	free(r);
	return s;
}

/* ---- environment ------------------------------------------------------ */

static struct utsname b_uts;

static inline const char *b_kernel(void)
{
	if (!b_uts.release[0])
		uname(&b_uts);
	return b_uts.release;
}

static inline const char *b_arch(void)
{
	b_kernel();
	return b_uts.machine;
}

/* Kernel version as major*65536 + minor*256 + patch (from uname). */
static inline unsigned int b_kver(void)
{
	unsigned int a = 0, b = 0, c = 0;

	sscanf(b_kernel(), "%u.%u.%u", &a, &b, &c);
	return a << 16 | b << 8 | (c > 255 ? 255 : c);
}

/*
 * Pin the calling thread (and what it forks) to the last CPU: the 32-bit
 * oracle and the 64-bit loop then run on the same vCPU.
 */
static inline int b_pin(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	if (n < 1)
		n = 1;
	CPU_ZERO(&set);
	CPU_SET(n - 1, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -1;
	return (int)(n - 1);
}

/* Write a small string to a file (sysctl, module parameter); 0 or -1. */
static inline int b_write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fputs(s, f) >= 0;
	if (fclose(f))
		ok = 0;
	return ok ? 0 : -1;
}

/* A field of /proc/self/status in kB ("VmSize:", "VmRSS:"), -1 if absent. */
/* The number after FIELD (e.g. "VmRSS:") in a /proc file, or -1. */
static inline long b_proc_kb(const char *path, const char *field)
{
	char line[256];
	size_t fl = strlen(field);
	long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, fl)) {
			v = strtol(line + fl, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

static inline long b_status_kb(const char *field)
{
	return b_proc_kb("/proc/self/status", field);
}

/* Lines of /proc/self/maps (= VMAs). */
static inline long b_maps_lines(void)
{
	char buf[65536];
	long lines = 0;
	ssize_t r, i;
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return -1;
	while ((r = fread(buf, 1, sizeof(buf), f)) > 0)
		for (i = 0; i < r; i++)
			lines += buf[i] == '\n';
	fclose(f);
	return lines;
}

/* A field of /proc/meminfo in kB ("Slab:"), -1 if absent. */
static inline long b_meminfo_kb(const char *field)
{
	return b_proc_kb("/proc/meminfo", field);
}

/* ---- output ----------------------------------------------------------- */

static inline void b_md(const char *fmt, ...)
{
	va_list ap;

	fputs("@md ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/*
 * One result row.  @r may be NULL (no baseline / the baseline itself).
 * Values in @unit.
 */
static inline void b_csv_text(const char *t)
{
	for (; *t; t++)		/* no quoting: a field never holds a comma */
		putchar(*t == ',' ? ';' : *t);
	putchar(',');
}

static inline void b_csv(const char *section, const char *bench, const char *row,
			 const char *variant, const char *baseline, const char *unit,
			 long iters, const struct b_stats *s, const struct b_stats *r)
{
	fputs("@csv ", stdout);
	b_csv_text(b_kernel());
	b_csv_text(b_arch());
	b_csv_text(section);
	b_csv_text(bench);
	b_csv_text(row);
	b_csv_text(variant);
	b_csv_text(baseline ? baseline : "");
	b_csv_text(unit);
	printf("%d,%ld,%.6g,%.6g,%.6g,%.6g,%.6g,", s->n, iters, s->med, s->q1, s->q3, s->min,
	       s->max);
	if (r)
		printf("%.4f,%.4f,%.4f\n", r->med, r->q1, r->q3);
	else
		printf(",,\n");
	fflush(stdout);
}

/* A single measured value (memory sizes, counts). */
static inline void b_csv_value(const char *section, const char *bench, const char *row,
			       const char *variant, const char *unit, double v)
{
	struct b_stats s = { .n = 1, .med = v, .q1 = v, .q3 = v, .min = v, .max = v };

	b_csv(section, bench, row, variant, NULL, unit, 1, &s, NULL);
}

/*
 * A target.  @higher_is_better: met when measured >= threshold, else when
 * measured <= threshold.  Returns 1 when met.
 */
static inline int b_target(const char *id, const char *what, double measured,
			   int higher_is_better, double threshold, const char *note)
{
	int met = higher_is_better ? measured >= threshold : measured <= threshold;

	printf("@target %s|%s|%.3g|%s %.3g|%s|%s\n", id, what, measured,
	       higher_is_better ? ">=" : "<=", threshold, met ? "met" : "MISSED",
	       note ? note : "");
	fflush(stdout);
	return met;
}

/* "12.3 (11.9-13.0)": median and IQR, scaled by @div. */
static inline const char *b_fmt(char *buf, size_t len, const struct b_stats *s, double div)
{
	int prec = s->med / div >= 100 ? 0 : s->med / div >= 10 ? 1 : 2;

	snprintf(buf, len, "%.*f (%.*f-%.*f)", prec, s->med / div, prec, s->q1 / div,
		 prec, s->q3 / div);
	return buf;
}

static inline const char *b_fmt_ratio(char *buf, size_t len, const struct b_stats *r)
{
	int prec = r->med >= 100 ? 0 : r->med >= 10 ? 1 : 2;

	snprintf(buf, len, "%.*fx (%.*f-%.*f)", prec, r->med, prec, r->q1, prec, r->q3);
	return buf;
}

#endif
