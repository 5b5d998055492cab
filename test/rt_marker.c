/*
 * rt_marker.c - makes system call 500 (which no kernel has) twice, from
 * libc's syscall() wrapper and from an inline `syscall` of its own, and
 * prints both results.  Natively both are -1/ENOSYS; under hook_marker
 * both are 4242, which proves that both kinds of sites reach the hook.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

static long inline_500(void)
{
	long r;
	__asm__ volatile("mov $500, %%eax\n\tsyscall" : "=a"(r) : : "rcx", "r11", "memory");
	return r;
}

int main(void)
{
	long a = syscall(500);
	int e = errno;
	printf("libc wrapper: %ld%s\n", a, a < 0 && e == ENOSYS ? " (ENOSYS)" : "");
	printf("inline: %ld\n", inline_500());
	return 0;
}
