/*
 * trace_bench.c - times a loop of getppid() calls.
 *
 *     trace_bench CALLS ROUNDS
 *
 * Makes ROUNDS rounds of CALLS getppid() calls (glibc's wrapper, one
 * `syscall` instruction each) and prints the median time per call of the
 * rounds, in nanoseconds, alone on a line.  The clock is read through the
 * vDSO, which makes no system call, so a tracer sees only the getppid
 * calls (and the final write).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	long calls = argc > 1 ? atol(argv[1]) : 100000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	double *ns = calloc(rounds > 0 ? rounds : 1, sizeof *ns);

	if (calls <= 0 || rounds <= 0 || !ns)
		return 2;
	for (int r = 0; r < rounds; r++) {
		double t0 = now();
		for (long i = 0; i < calls; i++)
			getppid();
		ns[r] = (now() - t0) / calls;
	}
	qsort(ns, rounds, sizeof *ns, by_value);
	printf("%.0f\n", ns[rounds / 2]);
	return 0;
}
