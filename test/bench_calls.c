/*
 * bench_calls.c - nanoseconds per getppid at two kinds of call site: libc's
 * getppid() wrapper (syscall; ret) and an inline `syscall` in this loop.
 * Prints "wrapper NS inline NS", each the median of 15 rounds of 200000
 * calls.  Run natively and under the runtime by bench_rt.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 15
#define CALLS 200000

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

__attribute__((noinline)) static void inline_site(void)
{
	for (int i = 0; i < CALLS; i++) {
		long r = 110; /* getppid */
		__asm__ volatile("syscall" : "+a"(r) : : "rcx", "r11", "memory");
	}
}

__attribute__((noinline)) static void wrapper_site(void)
{
	for (int i = 0; i < CALLS; i++)
		getppid();
}

int main(void)
{
	double w[ROUNDS], in[ROUNDS];
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now();
		wrapper_site();
		double t1 = now();
		inline_site();
		double t2 = now();
		w[r] = (t1 - t0) / CALLS;
		in[r] = (t2 - t1) / CALLS;
	}
	qsort(w, ROUNDS, sizeof *w, cmp);
	qsort(in, ROUNDS, sizeof *in, cmp);
	printf("wrapper %.1f inline %.1f\n", w[ROUNDS / 2], in[ROUNDS / 2]);
	return 0;
}
