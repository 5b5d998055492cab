/*
 * hook_pass.c - test hook: lets every call through, touches nothing.
 *
 * Built with -mgeneral-regs-only and calling no library function, it can
 * declare ZPOLINE_HOOK_NO_VECTOR: the runtime's cheapest path.  With
 * ZPTEST_NEXT=1 it makes each call itself through init->next instead (the
 * nested path), for the benchmark and the tests of next(); with
 * ZPTEST_VECTOR=1 it does not declare NO_VECTOR, so the runtime saves the
 * vector state around it (what the benchmark measures).
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

static int env_is_1(const char *key)
{
	extern char **environ;
	for (char **e = environ; *e; e++) {
		const char *s = *e, *k = key;
		while (*k && *s == *k)
			s++, k++;
		if (!*k && s[0] == '=' && s[1] == '1' && !s[2])
			return 1;
	}
	return 0;
}

zpoline_hook_fn zpoline_hook_init(struct zpoline_init *init)
{
	next = init->next;
	if (!env_is_1("ZPTEST_VECTOR"))
		init->flags |= ZPOLINE_HOOK_NO_VECTOR;
	return env_is_1("ZPTEST_NEXT") ? pass_next : pass;
}
