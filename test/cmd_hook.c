/*
 * cmd_hook.c - a hook built the way a user builds one, against an
 * installed zpoline (the include path comes from pkg-config only):
 * openat of the path named by CMD_HOOK_DENY fails with EACCES, as if the
 * file's mode forbade it; every other call goes through.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include <zpoline.h>

static const char *denied;

static long hook(struct zpoline_call *call)
{
	if (call->nr == SYS_openat && denied &&
	    strcmp((const char *)call->args[1], denied) == 0)
		return -EACCES;
	return ZPOLINE_DO_SYSCALL;
}

zpoline_hook_fn zpoline_hook_init(struct zpoline_init *init)
{
	if (init->abi_version != ZPOLINE_ABI_VERSION)
		return NULL;
	denied = getenv("CMD_HOOK_DENY");
	return hook;
}
