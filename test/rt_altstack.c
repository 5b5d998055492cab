/*
 * rt_altstack.c - glibc's fortified longjmp (__longjmp_chk) out of a
 * handler on an alternate signal stack calls sigaltstack() with its output
 * buffer in the red zone, at -0x18(%rsp): the kernel's answer lands on
 * the return address a rewritten `call` pushed.  Built with
 * -D_FORTIFY_SOURCE=2; jumps out of 200 handlers; prints one line.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static jmp_buf jb;

static void on_usr1(int sig)
{
	longjmp(jb, 1);
}

int main(void)
{
	static char altstack[1 << 16];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_ONSTACK | SA_NODEFER };
	volatile int jumps = 0;
	sigaltstack(&ss, 0);
	sigaction(SIGUSR1, &sa, 0);
	while (jumps < 200) {
		if (setjmp(jb) == 0)
			raise(SIGUSR1);
		else
			jumps++;
	}
	printf("longjmp out of %d handlers on the alternate stack: ok\n", jumps);
	return 0;
}
