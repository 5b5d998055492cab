/*
 * hook_buffered.c - test hook that writes through its own namespace's
 * buffered stdio and never flushes: "hook: N calls" goes to stdout when
 * the program calls exit_group.  The line reaches a pipe only if the
 * runtime flushes the hook namespace's stdio before the process ends.
 */
#include <stdio.h>
#include <sys/syscall.h>

#include "../zpoline.h"

static long calls;

static long hook(struct zpoline_call *c)
{
	calls++;
	if (c->nr == SYS_exit_group)
		printf("hook: %ld calls, exit_group(%ld)\n", calls, c->args[0]);
	return ZPOLINE_DO_SYSCALL;
}

zpoline_hook_fn zpoline_hook_init(struct zpoline_init *init)
{
	printf("hook: loaded\n");
	return hook;
}
