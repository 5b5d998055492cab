/*
 * trace_threads.c - a multithreaded program for the tracer's tests.
 *
 *     trace_threads THREADS CALLS
 *
 * Starts THREADS threads at once (they wait on a barrier), and each makes
 * CALLS rounds of: getppid(), an openat() of a long path that does not
 * exist (a long trace line), and a write of its round number to
 * /dev/null.  Then the main thread joins them and exits with exit_group.
 * The trace of a run is known in advance: per thread, CALLS of each line,
 * which is what test/trace_lines.py counts.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_barrier_t start;
static int devnull;
static long calls;
static char long_path[400];

static void *worker(void *arg)
{
	char buf[32];

	pthread_barrier_wait(&start);
	for (long i = 0; i < calls; i++) {
		getppid();
		openat(AT_FDCWD, long_path, O_RDONLY);
		write(devnull, buf, snprintf(buf, sizeof buf, "%ld\n", i));
	}
	return arg;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4;
	pthread_t *t;

	calls = argc > 2 ? atol(argv[2]) : 10;
	if (n < 1 || calls < 0)
		return 2;
	memset(long_path, 'x', sizeof long_path - 1);
	memcpy(long_path, "/nonexistent/", 13);
	devnull = open("/dev/null", O_WRONLY);
	t = calloc(n, sizeof *t);
	if (devnull < 0 || !t || pthread_barrier_init(&start, NULL, n))
		return 1;
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, worker, NULL))
			return 1;
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return 0;
}
