/*
 * hook_deny.c - test hook: open/openat/creat of the path named by
 * ZPTEST_DENY fail with EPERM without reaching the kernel; everything else
 * goes through.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "../zpoline.h"

static const char *denied;

static long deny(struct zpoline_call *c)
{
	const char *path = 0;
	if (c->nr == SYS_openat)
		path = (const char *)c->args[1];
	else if (c->nr == SYS_open || c->nr == SYS_creat)
		path = (const char *)c->args[0];
	if (path && denied && strcmp(path, denied) == 0)
		return -EPERM;
	return ZPOLINE_DO_SYSCALL;
}

zpoline_hook_fn zpoline_hook_init(struct zpoline_init *init)
{
	denied = getenv("ZPTEST_DENY");
	return deny;
}
