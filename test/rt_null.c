/*
 * rt_null.c - calls through a null pointer must fault, not make a system
 * call.  Mode "rax": `call *%rax` with rax = 0 (the bytes of a rewritten
 * site) and rdi = -1: a runtime that took it for read(-1) would return
 * EBADF.  Mode "rdx": `call *%rdx` with rdx = 0 and rax = 60, rdi = 42: a
 * runtime that took it for exit(42) would end with status 42.  Mode
 * "caught": the program's own SIGSEGV handler gets the fault and carries
 * on.  Natively each mode dies of SIGSEGV (or prints "caught").
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf jb;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	siglongjmp(jb, 1);
}

static void call_null_rax(void)
{
	long rax = 0;
	__asm__ volatile("mov $-1, %%rdi; call *%%rax"
			 : "+a"(rax) : : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
	printf("returned %ld\n", rax);
}

static void call_null_rdx(void)
{
	__asm__ volatile("mov $60, %%eax; mov $42, %%edi; xor %%edx, %%edx; call *%%rdx"
			 : : : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
	printf("returned\n");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "rax";
	setvbuf(stdout, 0, _IONBF, 0);
	if (strcmp(mode, "caught") == 0) {
		struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
		sigaction(SIGSEGV, &sa, 0);
		if (sigsetjmp(jb, 1) == 0)
			call_null_rax();
		else
			printf("caught SIGSEGV from the call through null (rax)\n");
		if (sigsetjmp(jb, 1) == 0)
			call_null_rdx();
		else
			printf("caught SIGSEGV from the call through null (rdx)\n");
		return 0;
	}
	if (strcmp(mode, "rdx") == 0)
		call_null_rdx();
	else
		call_null_rax();
	return 0;
}
