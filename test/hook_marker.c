/*
 * hook_marker.c - test hook: answers system call ZPTEST_MARKER_NR (500,
 * which no kernel has) with the marker ZPTEST_MARKER (4242) and lets every
 * other call through.  A program that gets 4242 back was hooked; natively
 * it gets -ENOSYS.  No libc: it loads and runs anywhere.
 */
#include "../zpoline.h"

#define ZPTEST_MARKER_NR 500
#define ZPTEST_MARKER 4242

static long hook(struct zpoline_call *c)
{
	return c->nr == ZPTEST_MARKER_NR ? ZPTEST_MARKER : ZPOLINE_DO_SYSCALL;
}

zpoline_hook_fn zpoline_hook_init(struct zpoline_init *init)
{
	init->flags |= ZPOLINE_HOOK_NO_VECTOR;
	return hook;
}
