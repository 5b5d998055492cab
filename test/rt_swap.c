/*
 * rt_swap.c - a program whose hooks are swapped while it runs.
 *
 *     rt_swap threads SECONDS READY_FILE
 *         THREADS threads make system call 500 (which no kernel has) in
 *         a loop, from libc's syscall() and from an inline `syscall`, for
 *         SECONDS seconds, counting the answers by value; READY_FILE is
 *         created once every thread has made a call.  Prints per thread
 *         the answers in the order they changed ("1111 x812 4242 x9000"),
 *         and "lost N" for the calls that got anything else.
 *     rt_swap read READY_FILE
 *         one thread, blocked in read(0) until a line comes (the swap
 *         signal must neither break the read nor be answered late); then
 *         makes call 500 and prints "read: LINE" and "500: ANSWER".
 *     rt_swap poll READY_FILE
 *         the same, blocked in poll(0) with no timeout (the kernel does
 *         not restart poll after a handler: the runtime must).
 *     rt_swap churn SECONDS READY_FILE
 *         for SECONDS seconds: threads that make a few calls each and
 *         end, children forked that make calls and exit, and a SIGALRM
 *         handler, every millisecond, that makes call 500 too (the
 *         program's handlers run while hooks are swapped).  Prints the
 *         number of threads, children and handler runs, the calls of the
 *         handler that no hook answered (a handler that interrupts a
 *         thread inside a hook has its calls bypass the hooks: a limit
 *         of the re-entry guard), and "lost N": the other calls anything
 *         but a test hook answered.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHANGES 64

struct worker {
	pthread_t t;
	int inline_call;
	long seen[MAX_CHANGES];		/* the answers, each time it changed */
	long count[MAX_CHANGES];
	int changes;
	long lost;
};

static volatile int stop;
static int started;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static long inline_500(void)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(500L) : "rcx", "r11", "memory");
	return r;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	int first = 1;
	while (!stop) {
		long r = w->inline_call ? inline_500() : syscall(500);
		if (r == -1)
			r = -errno;
		if (r != 1111 && r != 4242 && r != 3333) {
			w->lost++;
		} else if (!w->changes || w->seen[w->changes - 1] != r) {
			if (w->changes == MAX_CHANGES) {
				w->lost++;
				continue;
			}
			w->seen[w->changes] = r;
			w->count[w->changes++] = 1;
		} else {
			w->count[w->changes - 1]++;
		}
		if (first) {
			first = 0;
			pthread_mutex_lock(&lock);
			started++;
			pthread_mutex_unlock(&lock);
		}
	}
	return NULL;
}

static void ready(const char *file)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || close(fd) < 0)
		exit(2);
}

static int threads(int n, double seconds, const char *file)
{
	struct worker *w = calloc(n, sizeof *w);
	struct timespec t = { 0, 1000000 };
	double waited = 0;
	for (int i = 0; i < n; i++) {
		w[i].inline_call = i % 2;
		pthread_create(&w[i].t, NULL, work, &w[i]);
	}
	for (;;) {
		pthread_mutex_lock(&lock);
		int all = started == n;
		pthread_mutex_unlock(&lock);
		if (all)
			break;
		nanosleep(&t, NULL);
	}
	ready(file);
	t = (struct timespec){ 0, 10000000 };
	while (waited < seconds) {
		nanosleep(&t, NULL);
		waited += 0.01;
	}
	stop = 1;
	for (int i = 0; i < n; i++) {
		pthread_join(w[i].t, NULL);
		printf("thread %d (%s):", i, w[i].inline_call ? "inline" : "libc");
		for (int k = 0; k < w[i].changes; k++)
			printf(" %ld x%ld", w[i].seen[k], w[i].count[k]);
		printf("\nlost %ld\n", w[i].lost);
	}
	return 0;
}

static volatile long churn_lost, alarms, handler_lost;

static int answered(long r)
{
	return r == 1111 || r == 4242 || r == 3333;
}

static void on_alarm(int sig)
{
	int e = errno;
	long r = syscall(500);
	if (!answered(r))
		__atomic_add_fetch(&handler_lost, 1, __ATOMIC_RELAXED);
	alarms++;
	errno = e;
}

static void *short_thread(void *arg)
{
	for (int i = 0; i < 50; i++) {
		long r = i % 2 ? syscall(500) : inline_500();
		if (r == -1)
			r = -errno;
		if (!answered(r))
			__atomic_add_fetch(&churn_lost, 1, __ATOMIC_RELAXED);
	}
	return arg;
}

static int churn(double seconds, const char *file)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
	struct timespec t0, t;
	long threads = 0, children = 0, bad_children = 0;
	int status;

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ready(file);
	do {
		pthread_t th[4];
		for (int i = 0; i < 4; i++)
			pthread_create(&th[i], NULL, short_thread, NULL);
		for (int i = 0; i < 4; i++)
			pthread_join(th[i], NULL);
		threads += 4;
		if (threads % 64 == 0) {
			pid_t c = fork();
			if (c == 0) {
				churn_lost = 0;
				short_thread(NULL);
				_exit(churn_lost ? 1 : 0);
			}
			while (waitpid(c, &status, 0) < 0 && errno == EINTR)
				;
			children++;
			bad_children += !WIFEXITED(status) || WEXITSTATUS(status);
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
	it = (struct itimerval){ { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &it, NULL);
	printf("threads %ld, children %ld, handler runs %s, %ld of their calls"
	       " bypassed\nlost %ld\n", threads, children,
	       alarms > 100 ? "over 100" : "too few", handler_lost,
	       churn_lost + bad_children + (alarms <= 100));
	return 0;
}

static int blocked(int use_poll, const char *file)
{
	char line[256];
	ssize_t n;
	ready(file);
	if (use_poll) {
		struct pollfd p = { 0, POLLIN, 0 };
		int r = poll(&p, 1, -1);
		if (r != 1) {
			printf("poll: %d %s\n", r, r < 0 ? strerror(errno) : "");
			return 1;
		}
	}
	n = read(0, line, sizeof line - 1);
	if (n < 0) {
		printf("read: %s\n", strerror(errno));
		return 1;
	}
	line[n] = 0;
	printf("read: %s", line);
	long r = syscall(500);
	printf("500: %ld\n", r < 0 ? -errno : r);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "threads"))
		return threads(atoi(argv[2]), atof(argv[3]), argv[4]);
	if (argc == 3 && (!strcmp(argv[1], "read") || !strcmp(argv[1], "poll")))
		return blocked(argv[1][0] == 'p', argv[2]);
	if (argc == 4 && !strcmp(argv[1], "churn"))
		return churn(atof(argv[2]), argv[3]);
	fprintf(stderr, "usage: rt_swap threads N SECONDS FILE | read FILE | poll FILE"
		" | churn SECONDS FILE\n");
	return 2;
}
