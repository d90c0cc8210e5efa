// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * t_races - what the module does when the write-back of a result fails
 * after it acted, with another thread acting in between.
 *
 * Deterministic: the request struct lies on a page write-protected with
 * userfaultfd (UFFDIO_REGISTER_MODE_WP), so the module's copy-out stalls
 * in the fault.  While it stalls, the fault-handling thread here does
 * what a concurrent thread of an emulator may do:
 *
 *   placement: munmap()s the range the module just placed and maps its
 *              own memory there with mmap(MAP_FIXED), writes a marker;
 *   VA limits: sets its own limits;
 *
 * then unmaps the request page and wakes the faulting thread, whose
 * copy-out now fails with EFAULT.  The other thread's mapping, and its
 * limits, must survive: the module may not undo what it can no longer
 * tell apart from another thread's work.  (Before this rule, the module
 * unmapped the range and restored the stale limits: all three fail.)
 *
 * Needs write-protect userfaultfd on anonymous memory: x86-64 since 5.7,
 * arm64 since 6.10 (CONFIG_HAVE_ARCH_USERFAULTFD_WP); SKIP elsewhere.
 * MISSING mode cannot stand in: the copy-in reads every byte the copy-out
 * writes, so the page is present by the time of the write.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/emucompat.h>
#include <linux/userfaultfd.h>

#include "common_tap.h"

#define MARKER	0x5a5aa5a5c3c33c3cULL

static int ecfd;
static long pg;
static int wp_supported;
static const char *wp_why = "write-protect userfaultfd works on anonymous memory";

struct race {
	int uffd;
	void *page;		/* the write-protected request page */
	uint64_t addr;		/* placement: where the module places */
	uint64_t len;
	int (*interfere)(struct race *r);
	int faulted;		/* a write-protect fault arrived */
	int interfered;		/* interfere() succeeded */
};

/* Another thread's mapping where the module just placed its own. */
static int replace_placement(struct race *r)
{
	void *p;

	if (munmap((void *)(uintptr_t)r->addr, r->len))
		return -1;
	p = mmap((void *)(uintptr_t)r->addr, r->len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	*(volatile uint64_t *)p = MARKER;
	return 0;
}

#define OTHER_LO	(2ULL << 30)
#define OTHER_HI	(3ULL << 30)

/* Another thread's VA limits. */
static int other_va_limits(struct race *r __attribute__((unused)))
{
	struct emucompat_va_limits v = {
		.size = sizeof(v),
		.op = EMUCOMPAT_VA_LIMITS_SET,
		.lo = OTHER_LO,
		.hi = OTHER_HI,
	};

	return ioctl(ecfd, EMUCOMPAT_IOC_VA_LIMITS, &v) ? -1 : 0;
}

static void *handler(void *arg)
{
	struct race *r = arg;
	struct pollfd pfd = { .fd = r->uffd, .events = POLLIN };
	struct uffdio_range wake;
	struct uffd_msg msg;

	if (poll(&pfd, 1, 20000) != 1 || !(pfd.revents & POLLIN) ||
	    read(r->uffd, &msg, sizeof(msg)) != sizeof(msg)) {
		tap_diag("handler: no fault within 20 s (revents %#x)",
			 pfd.revents);
		return NULL;
	}
	r->faulted = msg.event == UFFD_EVENT_PAGEFAULT &&
		     (msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP);
	tap_diag("handler: event %u flags %#llx at %#llx", msg.event,
		 (unsigned long long)msg.arg.pagefault.flags,
		 (unsigned long long)msg.arg.pagefault.address);
	r->interfered = r->interfere(r) == 0;
	tap_diag("handler: interfered %d; unmapping the request page", r->interfered);
	/* The write-back now finds no page: EFAULT. */
	munmap(r->page, pg);
	wake.start = (uintptr_t)r->page;
	wake.len = pg;
	if (ioctl(r->uffd, UFFDIO_WAKE, &wake))
		tap_diag("handler: UFFDIO_WAKE: %s", strerror(errno));
	return NULL;
}

struct wp_probe {
	volatile uint64_t *page;
	int done[2];		/* a pipe: the write went through */
};

static void *wp_probe_write(void *arg)
{
	struct wp_probe *w = arg;

	*w->page = 1;
	if (write(w->done[1], "x", 1) != 1)
		tap_diag("wp probe: write: %s", strerror(errno));
	return NULL;
}

/*
 * Does a write to a write-protected page reach @uffd as a fault?  Some
 * kernels accept UFFDIO_REGISTER_MODE_WP and UFFDIO_WRITEPROTECT where
 * the architecture has no uffd-wp PTE bit (arm64 before 6.10): the write
 * then goes through.  A thread writes to a protected page of its own;
 * whichever comes first, the fault or the thread's "done", decides.
 */
static int wp_works(int uffd, void *page)
{
	struct wp_probe w = { .page = page };
	struct uffdio_writeprotect un = {
		.range = { (uintptr_t)page, pg },
		.mode = 0,	/* unprotect and wake */
	};
	struct pollfd pfd[2];
	struct uffd_msg msg;
	pthread_t t;
	int works = 0;

	if (pipe(w.done))
		tap_bail("pipe: %s", strerror(errno));
	if (pthread_create(&t, NULL, wp_probe_write, &w))
		tap_bail("pthread_create");
	pfd[0] = (struct pollfd){ .fd = uffd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = w.done[0], .events = POLLIN };
	if (poll(pfd, 2, 60000) > 0 && (pfd[0].revents & POLLIN) &&
	    read(uffd, &msg, sizeof(msg)) == sizeof(msg) &&
	    (msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP)) {
		works = 1;
		ioctl(uffd, UFFDIO_WRITEPROTECT, &un);
	}
	pthread_join(t, NULL);
	close(w.done[0]);
	close(w.done[1]);
	return works;
}

/*
 * Write-protect @page (present, filled by the caller) with a new
 * userfaultfd.  Returns it, or -1 with errno (ENOSYS, EINVAL, EOPNOTSUPP:
 * no write-protect support for anonymous memory here).
 */
static int wp_page(void *page)
{
	struct uffdio_api api = {
		.api = UFFD_API,
		.features = UFFD_FEATURE_PAGEFAULT_FLAG_WP,
	};
	struct uffdio_register reg = {
		.range = { (uintptr_t)page, pg },
		.mode = UFFDIO_REGISTER_MODE_WP,
	};
	struct uffdio_writeprotect wp = {
		.range = { (uintptr_t)page, pg },
		.mode = UFFDIO_WRITEPROTECT_MODE_WP,
	};
	int uffd, err;

	/* poll() on a userfaultfd wants O_NONBLOCK (else EPOLLERR) */
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		return -1;
	if (ioctl(uffd, UFFDIO_API, &api) ||
	    !(api.features & UFFD_FEATURE_PAGEFAULT_FLAG_WP) ||
	    ioctl(uffd, UFFDIO_REGISTER, &reg) ||
	    !(reg.ioctls & (1ULL << _UFFDIO_WRITEPROTECT)) ||
	    ioctl(uffd, UFFDIO_WRITEPROTECT, &wp)) {
		err = errno ? errno : EINVAL;
		close(uffd);
		errno = err;
		return -1;
	}
	return uffd;
}

static void *new_page(void)
{
	void *p = mmap(NULL, pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	memset(p, 0, pg);	/* present: write-protect needs a page */
	return p;
}

/* Run @cmd on @page (filled) with @r->interfere racing the write-back. */
static int run_race(struct race *r, unsigned long cmd, const char *what,
		    long *ret, int *err)
{
	pthread_t t;

	r->uffd = wp_page(r->page);
	if (r->uffd < 0 || !wp_supported) {
		tap_skip(wp_why, "%s", what);
		if (r->uffd >= 0)
			close(r->uffd);
		munmap(r->page, pg);
		return -1;
	}
	if (pthread_create(&t, NULL, handler, r))
		tap_bail("pthread_create");
	tap_diag("%s: request at %p, write-protected", what, r->page);
	errno = 0;
	*ret = ioctl(ecfd, cmd, r->page);
	*err = errno;
	tap_diag("%s: returned %ld (%s)", what, *ret, *ret ? strerror(*err) : "ok");
	pthread_join(t, NULL);
	close(r->uffd);
	return 0;
}

/*
 * A hole of 4 pages between two PROT_NONE guards of 2 pages, where the
 * module will place: nothing bigger (a thread stack) lands in it.
 */
static uint64_t free_range(void)
{
	char *p = mmap(NULL, 8 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	munmap(p + 2 * pg, 4 * pg);
	return (uintptr_t)p + 2 * pg;
}

static void free_guards(uint64_t addr)
{
	munmap((void *)(uintptr_t)(addr - 2 * pg), 2 * pg);
	munmap((void *)(uintptr_t)(addr + 4 * pg), 2 * pg);
}

/* The lines of /proc/self/maps within 64 pages of @addr. */
static void diag_maps(uint64_t addr)
{
	unsigned long long s, e;
	char line[256];
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx", &s, &e) == 2 &&
		    e + 64 * pg >= addr && s <= addr + 64 * pg)
			tap_diag("maps: %s", line);
	}
	fclose(f);
}

static int mapped(uint64_t addr, uint64_t len)
{
	return msync((void *)(uintptr_t)addr, len, 0) == 0;
}

static void race_placement(unsigned long cmd, const char *name)
{
	struct race r = { .interfere = replace_placement };
	char what[160];
	int err, ok;
	long ret;

	r.page = new_page();
	r.len = 4 * pg;
	r.addr = free_range();
	if (cmd == EMUCOMPAT_IOC_RESERVE_RANGE) {
		struct emucompat_reserve_range *q = r.page;

		q->size = sizeof(*q);
		q->lo = r.addr;
		q->hi = r.addr + r.len;
		q->len = r.len;
	} else {
		struct emucompat_mmap_range *q = r.page;

		q->size = sizeof(*q);
		q->prot = PROT_READ;
		q->flags = MAP_PRIVATE | MAP_ANONYMOUS;
		q->fd = -1;
		q->lo = r.addr;
		q->hi = r.addr + r.len;
		q->len = r.len;
	}
	snprintf(what, sizeof(what),
		 "%s: another thread's mapping at the placed address survives a failed write-back",
		 name);
	if (run_race(&r, cmd, what, &ret, &err)) {
		free_guards(r.addr);
		return;
	}
	if (!r.faulted) {
		tap_diag("placing at [%#llx, %#llx):", (unsigned long long)r.addr,
			 (unsigned long long)(r.addr + r.len));
		diag_maps(r.addr);
	}
	tap_ok(r.faulted && r.interfered,
	       "%s: the write-back stalled and the other thread remapped the range (fault %d, remap %d)",
	       name, r.faulted, r.interfered);
	tap_ok(ret == -1 && err == EFAULT, "%s: the call fails with EFAULT (%ld, %s)",
	       name, ret, strerror(err));
	ok = r.interfered && mapped(r.addr, r.len) &&
	     *(volatile uint64_t *)(uintptr_t)r.addr == MARKER;
	tap_ok(ok, "%s", what);
	if (ok)
		munmap((void *)(uintptr_t)r.addr, r.len);
	free_guards(r.addr);
}

static void race_va_limits(void)
{
	struct emucompat_va_limits get = {
		.size = sizeof(get),
		.op = EMUCOMPAT_VA_LIMITS_GET,
	};
	struct emucompat_va_limits clr = {
		.size = sizeof(clr),
		.op = EMUCOMPAT_VA_LIMITS_CLEAR,
	};
	struct emucompat_va_limits *q;
	struct race r = { .interfere = other_va_limits };
	const char *what = "va_limits: another thread's SET during a failed write-back stands";
	int err, gerr;
	long ret, g;

	r.page = new_page();
	q = r.page;
	q->size = sizeof(*q);
	q->op = EMUCOMPAT_VA_LIMITS_SET;
	q->lo = 1ULL << 30;
	q->hi = 2ULL << 30;
	if (run_race(&r, EMUCOMPAT_IOC_VA_LIMITS, what, &ret, &err))
		return;
	tap_ok(r.faulted && r.interfered,
	       "va_limits: the write-back stalled and the other thread set its limits (fault %d, set %d)",
	       r.faulted, r.interfered);
	tap_ok(ret == -1 && err == EFAULT, "va_limits: the SET fails with EFAULT (%ld, %s)",
	       ret, strerror(err));
	errno = 0;
	g = ioctl(ecfd, EMUCOMPAT_IOC_VA_LIMITS, &get);
	gerr = errno;
	tap_ok(g == 0 && get.lo == OTHER_LO && get.hi == OTHER_HI,
	       "%s (GET: %ld %s, [%#llx, %#llx))", what, g, g ? strerror(gerr) : "ok",
	       (unsigned long long)get.lo, (unsigned long long)get.hi);
	ioctl(ecfd, EMUCOMPAT_IOC_VA_LIMITS, &clr);
}

/* After 120 s: where every thread of this process sleeps, then exit. */
static void *watchdog(void *arg)
{
	char path[64], buf[4096];
	int tid, fd, n;

	(void)arg;
	sleep(120);
	for (tid = getpid(); tid < getpid() + 8; tid++) {
		snprintf(path, sizeof(path), "/proc/self/task/%d/stack", tid);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = 0;
		tap_diag("watchdog: thread %d:\n%s", tid, buf);
	}
	tap_bail("a write-back stalled for 120 s");
}

int main(void)
{
	pthread_t wd;
	void *probe;
	int uffd;

	struct emucompat_info info = { .size = sizeof(info) };

	pg = sysconf(_SC_PAGESIZE);
	if (pthread_create(&wd, NULL, watchdog, NULL))
		tap_bail("pthread_create");
	ecfd = open("/dev/" EMUCOMPAT_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (ecfd < 0)
		tap_skip_all("no /dev/emucompat: %s", strerror(errno));
	if (ioctl(ecfd, EMUCOMPAT_IOC_INFO, &info))
		tap_bail("EMUCOMPAT_IOC_INFO: %s", strerror(errno));

	probe = new_page();
	uffd = wp_page(probe);
	if (uffd < 0) {
		wp_why = "no write-protect userfaultfd on anonymous memory (UFFDIO_REGISTER_MODE_WP)";
	} else {
		wp_supported = wp_works(uffd, probe);
		if (!wp_supported)
			wp_why = "a write to a write-protected page does not fault here (no uffd-wp PTE bit: arm64 before 6.10)";
		close(uffd);
	}
	munmap(probe, pg);

	race_placement(EMUCOMPAT_IOC_RESERVE_RANGE, "reserve_range");
	race_placement(EMUCOMPAT_IOC_MMAP_RANGE, "mmap_range");
	if (info.caps & EMUCOMPAT_CAP_VA_LIMITS)
		race_va_limits();
	else
		tap_skip("no EMUCOMPAT_CAP_VA_LIMITS", "va_limits race");
	return tap_done();
}
