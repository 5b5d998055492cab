/*
 * bench_calls.c - nanoseconds per getppid at two kinds of call site: libc's
 * getppid() wrapper and an inline `mov $110, %eax; syscall` in this loop
 * (with dead padding in reach, so that the runtime may make it an island,
 * a jump or a page-0 site, as ZPOLINE_SITES chooses).
 *
 *     bench_calls [CALLS]
 *
 * Prints "wrapper NS inline NS kinds WRAPPER_KIND INLINE_KIND", each figure
 * the median of 15 rounds of CALLS calls (default 200000), each kind what
 * the site's bytes show: native, island (jmp rel8), jump (jmp rel32 over
 * the mov, ud2 on the syscall) or page0 (call *%rax).  Run natively and
 * under the runtime by bench_rt.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 15

static long calls = 200000;
extern const unsigned char bench_mov[];

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
	for (long i = 0; i < calls; i++) {
		long r;
		__asm__ volatile("jmp 1f\n\t"
				 ".fill 8, 1, 0x90\n"
				 "1:\n"
				 ".globl bench_mov\n"
				 "bench_mov:\n\t"
				 "mov $110, %%eax\n\t"	/* getppid */
				 "syscall"
				 : "=a"(r) : : "rcx", "r11", "memory");
	}
}

__attribute__((noinline)) static void wrapper_site(void)
{
	for (long i = 0; i < calls; i++)
		getppid();
}

/* What `mov $nr, %eax; syscall` at p (7 bytes) became. */
static const char *kind(const unsigned char *p)
{
	if (p[5] == 0x0f && p[6] == 0x05)
		return "native";
	if (p[5] == 0xeb)
		return "island";
	if (p[0] == 0xe9)
		return "jump";
	if (p[5] == 0xff && p[6] == 0xd0)
		return "page0";
	return "other";
}

/* libc's getppid: find its `mov $110, %eax` in its first bytes. */
static const unsigned char *libc_site(void)
{
	const unsigned char *p = (const unsigned char *)getppid;
	for (int i = 0; i < 16; i++)
		if ((p[i] == 0xb8 || p[i] == 0xe9) && !memcmp(p + i + 1, "\x6e\0\0\0", 4))
			return p + i;
	for (int i = 0; i < 16; i++)	/* the mov was moved away */
		if (p[i] == 0xe9 && p[i + 5] == 0x0f && p[i + 6] == 0x0b)
			return p + i;
	return p;
}

int main(int argc, char **argv)
{
	double w[ROUNDS], in[ROUNDS];
	if (argc > 1)
		calls = atol(argv[1]);
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now();
		wrapper_site();
		double t1 = now();
		inline_site();
		double t2 = now();
		w[r] = (t1 - t0) / calls;
		in[r] = (t2 - t1) / calls;
	}
	qsort(w, ROUNDS, sizeof *w, cmp);
	qsort(in, ROUNDS, sizeof *in, cmp);
	printf("wrapper %.1f inline %.1f kinds %s %s\n", w[ROUNDS / 2],
	       in[ROUNDS / 2], kind(libc_site()), kind(bench_mov));
	return 0;
}
