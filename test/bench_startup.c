/*
 * bench_startup.c - wall time to start and finish a command: runs
 * "bench_startup N cmd args..." N times (fork, execvp, wait) and prints the
 * median in microseconds.  The environment (LD_PRELOAD) is inherited; the
 * command's standard output goes to /dev/null.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[1]) : 0;
	double *t = calloc(n > 0 ? n : 1, sizeof *t);
	if (n <= 0 || !t) {
		fprintf(stderr, "usage: bench_startup N cmd [args...]\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		struct timespec a, b;
		int st;
		clock_gettime(CLOCK_MONOTONIC, &a);
		pid_t pid = fork();
		if (pid == 0) {
			int fd = open("/dev/null", O_WRONLY);
			if (fd >= 0)
				dup2(fd, 1);
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		waitpid(pid, &st, 0);
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "bench_startup: %s failed\n", argv[2]);
			return 1;
		}
		t[i] = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
	}
	qsort(t, n, sizeof *t, cmp);
	printf("%.0f\n", t[n / 2]);
	return 0;
}
