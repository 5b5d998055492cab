/*
 * rt_chain.c - makes system calls 500, 501 and 502 (which no kernel has)
 * and getppid, from libc's syscall() and from inline `syscall`
 * instructions of its own, and prints each result.  Natively 500-502
 * fail with ENOSYS; under a chain of test hooks each shows which hook
 * answered (hook_answer.c), and getppid that a call the hooks let through
 * reaches the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static long inline_call(long nr)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(nr) : "rcx", "r11", "memory");
	return r;
}

static void show(const char *how, long nr, long r)
{
	if (nr == SYS_getppid)
		printf("%s getppid: %s\n", how, r == getppid() ? "the parent" : "WRONG");
	else
		printf("%s %ld: %ld\n", how, nr, r);
}

int main(void)
{
	long nrs[] = { 500, 501, 502, SYS_getppid };
	for (int i = 0; i < 4; i++) {
		long r = syscall(nrs[i]);
		show("libc", nrs[i], r < 0 ? -errno : r);
	}
	for (int i = 0; i < 4; i++)
		show("inline", nrs[i], inline_call(nrs[i]));
	return 0;
}
