/*
 * rt_dlopen.c - code mapped after start-up is hooked too: dlopen()s
 * dl_lib.so (path in argv[1]), whose function makes openat with its own
 * syscall instruction, and opens argv[2] through it.  Prints "opened" or
 * the error; under hook_deny with ZPTEST_DENY=argv[2] the answer must be
 * EPERM, which only the hook can have given.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	void *h = dlopen(argv[1], RTLD_NOW);
	long (*open_raw)(const char *) = h ? (long (*)(const char *))dlsym(h, "dl_open_raw") : 0;
	if (!open_raw) {
		printf("dlopen: %s\n", dlerror());
		return 1;
	}
	long r = open_raw(argv[2]);
	printf("%s\n", r >= 0 ? "opened" : strerror((int)-r));
	return 0;
}
