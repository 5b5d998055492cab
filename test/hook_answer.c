/*
 * hook_answer.c - test hook, built several ways: answers system call
 * ANSWER_NR (a number no kernel has) with ANSWER and lets every other call
 * through.  A program that gets ANSWER back knows which hook answered;
 * natively it gets -ENOSYS.
 *
 *   hook_answer_a.so  500 -> 1111      (no libc: -nostdlib)
 *   hook_answer_b.so  501 -> 2222
 *   hook_answer_c.so  500 -> 3333
 *   hook_answer_libc_a.so, hook_answer_libc_c.so: the same as a and c
 *                     with a libc of their own, used on every call
 *                     (WITH_LIBC: snprintf into a malloc'd buffer)
 */
#include "../zpoline.h"

#ifdef WITH_LIBC
#include <stdio.h>
#include <stdlib.h>
static __thread char *buf;
#endif

static long hook(struct zpoline_call *c)
{
#ifdef WITH_LIBC
	if (!buf)
		buf = malloc(64);
	if (buf)
		snprintf(buf, 64, "%ld %x", c->nr, (unsigned)ANSWER);
#endif
	return c->nr == ANSWER_NR ? ANSWER : ZPOLINE_DO_SYSCALL;
}

zpoline_hook_fn zpoline_hook_init(struct zpoline_init *init)
{
#ifndef WITH_LIBC
	init->flags |= ZPOLINE_HOOK_NO_VECTOR;
#endif
	return hook;
}
