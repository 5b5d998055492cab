/*
 * rt_segv.c - the program's own SIGSEGV handling is untouched by the
 * runtime's handler: a handler catches a write through a null pointer
 * (a write: page 0 holds the trampoline, readable where the CPU has no
 * protection keys, see README); sigaction
 * reports back the handler the program set; SA_RESETHAND restores the
 * default after one delivery; kill() of SIGSEGV with SIG_IGN is ignored;
 * with the default action a fault kills the process (mode "default").
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile int *volatile nullp;
static int hits;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	hits++;
	siglongjmp(jb, si->si_addr == 0 ? 1 : 2);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO }, old;
	setvbuf(stdout, 0, _IONBF, 0);
	if (argc > 1 && strcmp(argv[1], "default") == 0) {
		printf("writing through null with the default action\n");
		*nullp = 1;
		return 0;
	}
	sigaction(SIGSEGV, &sa, 0);
	int r = sigsetjmp(jb, 1);
	if (r == 0)
		*nullp = 1;
	printf("caught write through null: %s\n", r == 1 ? "si_addr 0" : "other address");
	sigaction(SIGSEGV, 0, &old);
	printf("sigaction reports our handler: %s, SA_SIGINFO: %s\n",
	       old.sa_sigaction == on_segv ? "yes" : "no",
	       old.sa_flags & SA_SIGINFO ? "yes" : "no");
	sa.sa_flags |= SA_RESETHAND;
	sigaction(SIGSEGV, &sa, 0);
	if (sigsetjmp(jb, 1) == 0)
		*nullp = 2;
	sigaction(SIGSEGV, 0, &old);
	printf("after SA_RESETHAND: %s\n", old.sa_handler == SIG_DFL ? "default" : "still ours");
	signal(SIGSEGV, SIG_IGN);
	kill(getpid(), SIGSEGV);
	printf("kill(SIGSEGV) ignored; handler ran %d times\n", hits);
	return 0;
}
