/*
 * hook_libc.c - test hook that leans on its libc for every call: formats
 * the call with snprintf (floating point included), copies and measures
 * strings, keeps a running text in a malloc'd buffer, and lets the call
 * through; after each call it does the same with the result.  glibc's
 * string functions use AVX2/AVX-512 registers (zmm16-31 included) and
 * printf's %f touches MXCSR and x87: what the runtime must save and restore
 * around the hook.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../zpoline.h"

static __thread char *scratch;

static void churn(const struct zpoline_call *c, long r)
{
	char line[256];
	int n = snprintf(line, sizeof line, "%ld(%lx, %lx, %lx) = %ld %.3f %Lf",
			 c->nr, c->args[0], c->args[1], c->args[2], r,
			 c->nr / 7.0, (long double)r / 3);
	if (!scratch)
		scratch = malloc(4096);
	if (!scratch)
		return;
	memset(scratch, 'x', 4096);
	memcpy(scratch + 17, line, n > 0 ? (size_t)n : 0);
	scratch[17 + strlen(line)] = 0;
	if (strstr(scratch, "never") || strlen(scratch) > 4096)
		abort();
}

static long hook(struct zpoline_call *c)
{
	churn(c, 0);
	return ZPOLINE_DO_SYSCALL;
}

static void after(const struct zpoline_call *c, long r)
{
	churn(c, r);
}

zpoline_hook_fn zpoline_hook_init(struct zpoline_init *init)
{
	init->after = after;
	return hook;
}
