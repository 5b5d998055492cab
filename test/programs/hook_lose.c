/*
 * hook_lose.c - a deliberately wrong hook for programs_check.sh: every 20th
 * write(2) of more than one byte in a process writes one byte less, and
 * still reports the whole count as written.  A runtime that lost data this
 * way must make the native-versus-hooked comparison fail; the driver runs
 * one workload with this hook to show that it does.
 */
#include <sys/syscall.h>

#include "../../zpoline.h"

static zpoline_hook_fn next;
static unsigned long writes;	/* per process: fork copies it, that is fine */

static long lose(struct zpoline_call *c)
{
	if (c->nr != SYS_write || c->args[2] < 2 || ++writes % 20 != 0)
		return ZPOLINE_DO_SYSCALL;
	long want = c->args[2];
	c->args[2] = want - 1;
	long r = next(c);
	return r == want - 1 ? want : r;
}

zpoline_hook_fn zpoline_hook_init(struct zpoline_init *init)
{
	next = init->next;
	return lose;
}
