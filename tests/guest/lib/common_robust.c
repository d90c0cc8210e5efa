// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * common_robust.c - see common_robust.h.  Builds for both widths.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common_robust.h"

/* The 32-bit ABI's struct robust_list_head and a lock on a robust list. */
struct rl32_head {
	uint32_t next;
	int32_t futex_offset;
	uint32_t list_op_pending;
};

struct rl32_lock {
	uint32_t next;		/* struct robust_list */
	uint32_t pad;
	uint32_t word;		/* the futex */
};

#define LOCK_OFFSET	((int32_t)offsetof(struct rl32_lock, word))

struct slot {
	struct rl32_head head;
	uint32_t pad;
	struct rl32_lock lock;
	uint32_t ready, go;	/* handshakes (futex words too) */
};

static const struct robust_ops *ops;
static uint8_t *base;

static uint32_t a32(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

static long futex(uint32_t *uaddr, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

static void post(uint32_t *w)
{
	__atomic_store_n(w, 1, __ATOMIC_SEQ_CST);
	futex(w, FUTEX_WAKE, 1, NULL);
}

static void await(uint32_t *w)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };

	for (int i = 0; i < 100 && !__atomic_load_n(w, __ATOMIC_SEQ_CST); i++)
		futex(w, FUTEX_WAIT, 0, &ts);
}

static uint32_t gettid32(void)
{
	return (uint32_t)syscall(SYS_gettid);
}

enum how { ON_LIST, PENDING, UNREGISTERED };

struct job {
	struct slot *s;
	enum how how;
	int set_ret;
};

/* Take the lock, put it where @how says, register, then exit when told. */
static void hold_and_exit(struct job *j)
{
	struct slot *s = j->s;

	s->lock.word = gettid32();
	s->head.futex_offset = LOCK_OFFSET;
	if (j->how == PENDING) {
		s->head.next = a32(&s->head);		/* empty list */
		s->head.list_op_pending = a32(&s->lock);
	} else {
		s->lock.next = a32(&s->head);		/* circular, one entry */
		s->head.next = a32(&s->lock);
		s->head.list_op_pending = 0;
	}
	j->set_ret = ops->set(a32(&s->head), sizeof(struct rl32_head));
	if (j->how == UNREGISTERED && !j->set_ret)
		j->set_ret = ops->set(0, sizeof(struct rl32_head));
	post(&s->ready);
	await(&s->go);
}

static void *thread_main(void *arg)
{
	hold_and_exit(arg);
	return NULL;	/* thread exit: the kernel walks its robust lists */
}

/*
 * Wait for the holder's death as a robust-mutex waiter would: mark the
 * word FUTEX_WAITERS, let the holder go, FUTEX_WAIT until the word
 * changes.  Prints what the kernel left in the word.
 */
static void wait_death(FILE *out, const char *name, struct slot *s, uint32_t tid,
		       int shared, int set_ret)
{
	struct timespec ts = { 1, 0 };
	int op = shared ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE, woke = 0;
	uint32_t w, exp = tid | FUTEX_WAITERS;

	if (!shared) {
		__atomic_compare_exchange_n(&s->lock.word, &tid, exp, 0, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
		post(&s->go);
	}
	for (int i = 0; i < 3; i++) {
		long r = futex(&s->lock.word, op, exp, &ts);

		if (r == 0 || errno == EAGAIN) {
			woke = __atomic_load_n(&s->lock.word, __ATOMIC_SEQ_CST) != exp;
			if (woke)
				break;
		}
	}
	w = __atomic_load_n(&s->lock.word, __ATOMIC_SEQ_CST);
	fprintf(out, "robust: %s set=%d owner_died=%d waiters=%d tid_cleared=%d changed=%d\n",
		name, set_ret, !!(w & FUTEX_OWNER_DIED), !!(w & FUTEX_WAITERS),
		(w & FUTEX_TID_MASK) == 0, woke);
}

static void thread_case(FILE *out, const char *name, int idx, enum how how)
{
	struct slot *s = (struct slot *)(base + idx * 256);
	struct job j = { s, how, 0 };
	pthread_t t;
	uint32_t tid;

	memset(s, 0, sizeof(*s));
	if (pthread_create(&t, NULL, thread_main, &j)) {
		fprintf(out, "robust: %s pthread_create failed\n", name);
		return;
	}
	await(&s->ready);
	tid = s->lock.word;
	wait_death(out, name, s, tid, 0, j.set_ret);
	pthread_join(t, NULL);
}

/* The holder is a child process, SIGKILLed while it holds the lock. */
static void killed_case(FILE *out, const char *name, int idx)
{
	struct slot *s = (struct slot *)(base + idx * 256);
	struct job j = { s, ON_LIST, 0 };
	uint32_t tid;
	pid_t pid;

	memset(s, 0, sizeof(*s));
	fflush(out);
	pid = fork();
	if (pid == 0) {
		hold_and_exit(&j);
		pause();
		_exit(0);
	}
	await(&s->ready);
	tid = s->lock.word;
	/* mark the waiter before the holder dies, as a blocked locker would */
	__atomic_compare_exchange_n(&s->lock.word, &tid, tid | FUTEX_WAITERS, 0,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	kill(pid, SIGKILL);
	wait_death(out, name, s, tid, 1, 0);
	waitpid(pid, NULL, 0);
}

struct get_job {
	int bad_len, set, get, same, len;
};

static void *get_thread(void *arg)
{
	struct get_job *g = arg;
	struct slot *s = (struct slot *)(base + 7 * 256);
	uint32_t head = 0xdead, len = 0;

	g->bad_len = ops->set(a32(&s->head), 8);
	g->set = ops->set(a32(&s->head), sizeof(struct rl32_head));
	g->get = ops->get(&head, &len);
	g->same = head == a32(&s->head);
	g->len = (int)len;
	ops->set(0, sizeof(struct rl32_head));
	return NULL;
}

int robust_run(const struct robust_ops *o, void *region, FILE *out)
{
	struct get_job g = { 0 };
	pthread_t t;

	ops = o;
	base = region;
	thread_case(out, "thread-exit", 0, ON_LIST);
	thread_case(out, "op-pending", 1, PENDING);
	thread_case(out, "unregistered", 2, UNREGISTERED);
	killed_case(out, "sigkill", 3);
	if (pthread_create(&t, NULL, get_thread, &g) == 0) {
		pthread_join(t, NULL);
		fprintf(out, "robust: set-get bad_len=%d set=%d get=%d same=%d len=%d\n",
			g.bad_len, g.set, g.get, g.same, g.len);
	}
	return 0;
}
