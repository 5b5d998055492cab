/*
 * embed.c - a program that hooks its own system calls: linked with
 * libzpoline.a, it calls zpoline_start from main (zpoline.h).
 *
 *     embed none          never starts the runtime (nothing may happen)
 *     embed fn            its own hook, in_process_hook
 *     embed lib HOOK.so   a hook library (a namespace of its own)
 *     embed both HOOK.so  its own hook first, then the library
 *
 * Before and after zpoline_start it makes system calls 500 and 501 (no
 * kernel has them) from libc's syscall() and from an inline `syscall`,
 * and prints each result.  Its own hook answers 500 with 4242 and, on
 * 501, writes a line with libc's write() (the re-entry guard sends that
 * write straight to the kernel) and lets 501 through.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../zpoline.h"

static volatile long seen;	/* calls the hook saw */

static long my_hook(struct zpoline_call *c)
{
	static const char line[] = "my hook: 501\n";
	seen++;
	if (c->nr == 500)
		return 4242;
	if (c->nr == 501 && write(1, line, sizeof line - 1) < 0)
		return -EIO;
	return ZPOLINE_DO_SYSCALL;
}

static long inline_call(long nr)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(nr) : "rcx", "r11", "memory");
	return r;
}

static void calls(const char *when)
{
	long r;
	fflush(stdout);
	for (long nr = 500; nr <= 501; nr++) {
		r = syscall(nr);
		printf("%s, libc %ld: %ld\n", when, nr, r < 0 ? -errno : r);
		fflush(stdout);
		printf("%s, inline %ld: %ld\n", when, nr, inline_call(nr));
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "none", *lib = argc > 2 ? argv[2] : NULL;
	int r = 0;

	calls("before");
	if (!strcmp(mode, "fn"))
		r = zpoline_start(NULL, my_hook);
	else if (!strcmp(mode, "lib"))
		r = zpoline_start(lib, NULL);
	else if (!strcmp(mode, "both"))
		r = zpoline_start(lib, my_hook);
	if (strcmp(mode, "none"))
		printf("zpoline_start: %d\n", r);
	calls("after");
	printf("my hook saw calls: %s\n", seen ? "yes" : "no");
	return 0;
}
