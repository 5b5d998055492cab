/*
 * rt_signals.c - a signal storm: SIGALRM every 200 microseconds for about
 * a second, at two threads busy making system calls, with a handler that
 * makes system calls itself.  Under a slow hook most signals land while a
 * thread is inside the hook or the trampoline.  Every result must stay
 * right; prints one line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static pid_t ppid;
static int devnull;
static volatile sig_atomic_t handled, bad, stop;

static void on_alarm(int sig)
{
	int e = errno;
	char c = 'x';
	if (getppid() != ppid || write(devnull, &c, 1) != 1 || syscall(SYS_getpid) != getpid())
		bad = 1;
	handled++;
	errno = e;
}

static void *busy(void *arg)
{
	char buf[64];
	int fd = open("/dev/zero", O_RDONLY);
	while (!stop) {
		if (getppid() != ppid || read(fd, buf, sizeof buf) != sizeof buf || buf[7])
			bad = 1;
	}
	close(fd);
	return arg;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval it = { { 0, 200 }, { 0, 200 } };
	struct timespec t0, t;
	pthread_t th;

	ppid = getppid();
	devnull = open("/dev/null", O_WRONLY);
	sigaction(SIGALRM, &sa, 0);
	pthread_create(&th, 0, busy, 0);
	setitimer(ITIMER_REAL, &it, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (getppid() != ppid)
			bad = 1;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000000000L + t.tv_nsec - t0.tv_nsec < 1000000000L);
	it = (struct itimerval){ 0 };
	setitimer(ITIMER_REAL, &it, 0);
	stop = 1;
	pthread_join(th, 0);
	printf("signal storm: %s\n", bad ? "WRONG RESULTS" : handled > 100 ? "ok" : "too few signals");
	return bad || handled <= 100;
}
