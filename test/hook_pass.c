/*
 * hook_pass.c - test hook: lets every call through, touches nothing.
 *
 * Built with -mgeneral-regs-only and calling no library function, it can
 * declare ZPOLINE_HOOK_NO_VECTOR: the runtime's cheapest path.  With
 * ZPTEST_NEXT=1 it makes each call itself through init->next instead (the
 * nested path), for the benchmark and the tests of next().
 */
#include "../zpoline.h"

static zpoline_hook_fn next;

static long pass(struct zpoline_call *c)
{
	return ZPOLINE_DO_SYSCALL;
}

static long pass_next(struct zpoline_call *c)
{
	return next(c);
}

zpoline_hook_fn zpoline_hook_init(struct zpoline_init *init)
{
	extern char **environ;
	next = init->next;
	init->flags |= ZPOLINE_HOOK_NO_VECTOR;
	for (char **e = environ; *e; e++) {
		const char *s = *e, *k = "ZPTEST_NEXT=1";
		while (*k && *s == *k)
			s++, k++;
		if (!*k && !*s)
			return pass_next;
	}
	return pass;
}
