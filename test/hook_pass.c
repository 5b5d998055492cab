/*
 * hook_pass.c - test hook: lets every call through, touches nothing.
 *
 * Built with -mgeneral-regs-only and -nostdlib, calling no library
 * function, so it can declare ZPOLINE_HOOK_NO_VECTOR (the runtime's
 * cheapest path) and its namespace holds no libc.  Built three ways:
 *   hook_pass.so         returns ZPOLINE_DO_SYSCALL, declares NO_VECTOR;
 *   hook_pass_vector.so  the same without NO_VECTOR: the runtime saves
 *                        the vector state around it (-DPASS_VECTOR);
 *   hook_pass_next.so    makes each call itself through init->next, the
 *                        nested path (-DPASS_NEXT).
 */
#include "../zpoline.h"

static zpoline_hook_fn next;

static long pass(struct zpoline_call *c)
{
#ifdef PASS_NEXT
	return next(c);
#else
	return ZPOLINE_DO_SYSCALL;
#endif
}

zpoline_hook_fn zpoline_hook_init(struct zpoline_init *init)
{
	next = init->next;
#ifndef PASS_VECTOR
	init->flags |= ZPOLINE_HOOK_NO_VECTOR;
#endif
	return pass;
}
