/*
 * rt_threads.c - many threads making system calls at once: each of 32
 * threads writes and reads back through its own pipe and checks getppid
 * and gettid, 2000 times.  Prints one line; exit status 1 on any mismatch.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define THREADS 32
#define ROUNDS 2000

static pid_t ppid;
static int bad;

static void *worker(void *arg)
{
	long id = (long)arg;
	int fd[2];
	pid_t tid = gettid();
	if (pipe(fd) < 0)
		return (void *)1;
	for (int i = 0; i < ROUNDS; i++) {
		unsigned char b = (unsigned char)(id * 31 + i), c = 0;
		if (write(fd[1], &b, 1) != 1 || read(fd[0], &c, 1) != 1 || c != b ||
		    getppid() != ppid || syscall(SYS_gettid) != tid)
			__atomic_store_n(&bad, 1, __ATOMIC_RELAXED);
	}
	close(fd[0]);
	close(fd[1]);
	return 0;
}

int main(void)
{
	pthread_t t[THREADS];
	ppid = getppid();
	for (long i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], 0, worker, (void *)i))
			return 2;
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], 0);
	printf("%d threads x %d rounds: %s\n", THREADS, ROUNDS, bad ? "MISMATCH" : "ok");
	return bad;
}
