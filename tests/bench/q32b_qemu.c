// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * q32b_qemu - the static 32-bit guest of b_qemu (i386 and armhf, built like
 * tests/guest/q32_*.c: no userlib, no guest/lib), run under stock and
 * patched QEMU linux-user and natively as the real 32-bit process.  It
 * times guest system calls per call, in batches, with CLOCK_MONOTONIC
 * read inside the guest around each batch.
 *
 *	q32b_qemu exit			return at once (start-up: exec to exit)
 *	q32b_qemu [-n N] calls		mmap/munmap, ioctls, a null syscall
 *	q32b_qemu [-n N] mremap-grow	mremap 1 -> 16 pages (MREMAP_MAYMOVE)
 *	q32b_qemu [-n N] mremap-shrink	mremap 16 pages -> 1, in place
 *
 * For each measured call one line "@call NAME NS" (ns per call, the mean
 * over N calls after one untimed batch), then "# q32b_qemu: done".  A call
 * that fails prints "not ok - NAME: ..." and exits 1: a benchmark of a
 * call that does not do its work measures nothing.
 *
 * The mremap shrinks run apart (their own exec): stock QEMU 7.2 gets them
 * wrong (tests/guest/q32_mmap.c -S; here qemu-i386 7.2 dies of SIGSEGV),
 * which must not take the other workloads' numbers with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BATCH	64	/* live mappings per mmap batch */

static int n_calls = 256;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void fail(const char *what)
{
	printf("not ok - %s: %s\n", what, strerror(errno));
	exit(1);
}

static void report(const char *name, uint64_t ns, long calls)
{
	printf("@call %s %.1f\n", name, calls > 0 ? (double)ns / (double)calls : 0.0);
}

/*
 * Anonymous private mappings of @size: BATCH mmaps timed, then their
 * BATCH munmaps timed, until n_calls of each.
 */
static void bench_mmap(size_t size, const char *tag)
{
	void *p[BATCH];
	uint64_t t_map = 0, t_unmap = 0, t0;
	long done = 0;
	int pass, i;
	char name[64];

	for (pass = 0; done < n_calls; pass++) {
		t0 = now_ns();
		for (i = 0; i < BATCH; i++) {
			p[i] = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				    -1, 0);
			if (p[i] == MAP_FAILED)
				fail("mmap");
		}
		if (pass)
			t_map += now_ns() - t0;
		t0 = now_ns();
		for (i = 0; i < BATCH; i++)
			if (munmap(p[i], size))
				fail("munmap");
		if (pass) {
			t_unmap += now_ns() - t0;
			done += BATCH;
		}
	}
	snprintf(name, sizeof(name), "mmap-%s", tag);
	report(name, t_map, done);
	snprintf(name, sizeof(name), "munmap-%s", tag);
	report(name, t_unmap, done);
}

/*
 * mremap of anonymous mappings, n_calls timed: @grow, a 1-page mapping to
 * @pages pages (MREMAP_MAYMOVE); else a @pages-page mapping to 1 page (in
 * place).  Each on a fresh mapping, unmapped after the call (untimed).
 */
static void bench_mremap(int pages, int grow)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t small = (size_t)pg, big = (size_t)pg * pages;
	size_t from = grow ? small : big, to = grow ? big : small;
	uint64_t t = 0, t0;
	long done = 0;
	int pass, i;
	char name[64];

	for (pass = 0; done < n_calls; pass++) {
		for (i = 0; i < BATCH; i++) {
			void *p = mmap(NULL, from, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			void *q;

			if (p == MAP_FAILED)
				fail("mmap");
			t0 = now_ns();
			q = mremap(p, from, to, grow ? MREMAP_MAYMOVE : 0);
			if (pass)
				t += now_ns() - t0;
			if (q == MAP_FAILED)
				fail(grow ? "mremap grow" : "mremap shrink");
			if (!grow && q != p) {
				errno = 0;
				fail("mremap shrink moved the mapping");
			}
			if (munmap(q, to))
				fail("munmap");
		}
		if (pass)
			done += BATCH;
	}
	if (grow)
		snprintf(name, sizeof(name), "mremap-grow-1to%d", pages);
	else
		snprintf(name, sizeof(name), "mremap-shrink-%dto1", pages);
	report(name, t, done);
}

/*
 * ioctl(@fd, @cmd, @arg) n_calls times (plus one untimed batch); @expect_err
 * 0: each must succeed, else each must fail with that errno.
 */
static void bench_ioctl(const char *name, int fd, unsigned long cmd, void *arg,
			int expect_err, void (*reset)(void *))
{
	uint64_t t = 0, t0;
	long done = 0;
	int pass, i;

	for (pass = 0; done < n_calls; pass++) {
		t0 = now_ns();
		for (i = 0; i < BATCH; i++) {
			int r;

			if (reset)
				reset(arg);
			r = ioctl(fd, cmd, arg);
			if (expect_err ? r != -1 || errno != expect_err : r < 0) {
				if (!r)
					errno = 0;
				fail(name);
			}
		}
		if (pass) {
			t += now_ns() - t0;
			done += BATCH;
		}
	}
	report(name, t, done);
}

static struct ifreq ifr_buf[8];

static void ifconf_reset(void *arg)
{
	struct ifconf *ifc = arg;

	ifc->ifc_len = sizeof(ifr_buf);
	ifc->ifc_req = ifr_buf;
}

static void bench_getppid(void)
{
	uint64_t t = 0, t0;
	long done = 0;
	int pass, i;

	for (pass = 0; done < n_calls; pass++) {
		t0 = now_ns();
		for (i = 0; i < BATCH; i++)
			syscall(SYS_getppid);
		if (pass) {
			t += now_ns() - t0;
			done += BATCH;
		}
	}
	report("getppid", t, done);
}

static void bench_calls(void)
{
	unsigned char tio[128] __attribute__((__aligned__(8)));
	struct ifconf ifc;
	int pty, nul, sock;

	bench_getppid();
	bench_mmap(4096, "4k");
	bench_mmap(64 << 10, "64k");
	bench_mmap(1 << 20, "1m");

	pty = open("/dev/ptmx", O_RDWR | O_NOCTTY);
	if (pty < 0)
		fail("open /dev/ptmx");
	bench_ioctl("ioctl-TCGETS-pty", pty, TCGETS, tio, 0, NULL);
	close(pty);
	nul = open("/dev/null", O_RDWR);
	if (nul < 0)
		fail("open /dev/null");
	bench_ioctl("ioctl-TCGETS-null-ENOTTY", nul, TCGETS, tio, ENOTTY, NULL);
	close(nul);
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (sock < 0)
		fail("socket AF_INET");
	ifconf_reset(&ifc);
	if (ioctl(sock, SIOCGIFCONF, &ifc) < 0)
		fail("SIOCGIFCONF");
	printf("# SIOCGIFCONF: %d bytes, %d interfaces\n", ifc.ifc_len,
	       (int)(ifc.ifc_len / sizeof(struct ifreq)));
	bench_ioctl("ioctl-SIOCGIFCONF", sock, SIOCGIFCONF, &ifc, 0, ifconf_reset);
	close(sock);
}

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			n_calls = atoi(argv[++i]);
			if (n_calls < BATCH)
				n_calls = BATCH;
		} else if (!strcmp(argv[i], "exit")) {
			return 0;
		} else if (!strcmp(argv[i], "calls")) {
			bench_calls();
		} else if (!strcmp(argv[i], "mremap-grow")) {
			bench_mremap(16, 1);
		} else if (!strcmp(argv[i], "mremap-shrink")) {
			bench_mremap(16, 0);
		} else {
			fprintf(stderr, "usage: q32b_qemu exit | [-n N] %s\n",
				"calls|mremap-grow|mremap-shrink...");
			return 2;
		}
	}
	printf("# q32b_qemu: done\n");
	return 0;
}
