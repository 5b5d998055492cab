/*
 * rt_sigs.c - signals delivered to handlers of the program: SIGUSR1 raised
 * three times (once queued with a value), SIGUSR2 once with SA_RESETHAND,
 * SIGSEGV raised once, and two SIGSEGV from reads through a null pointer
 * that the program catches.  Prints what its handlers saw; the same natively and hooked.
 * Under hook_signals, the hook's record of deliveries is compared with
 * strace's "--- SIG..." lines of the same run.  A SIGSEGV that the
 * program raises itself returns from its handler: through the program's
 * own restorer, so the hook sees that rt_sigreturn as strace does.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile int usr1, usr2, value;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	usr1++;
	if (si->si_code == SI_QUEUE)
		value = si->si_value.sival_int;
}

static void on_usr2(int sig)
{
	usr2++;
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	if (si->si_code > 0)	/* a fault: leave the read; a raise: return */
		siglongjmp(jb, 1);
}

int main(void)
{
	struct sigaction a = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
	struct sigaction b = { .sa_handler = on_usr2, .sa_flags = SA_RESETHAND };
	struct sigaction c = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	struct sigaction now;
	sigaction(SIGUSR1, &a, 0);
	sigaction(SIGUSR2, &b, 0);
	sigaction(SIGSEGV, &c, 0);
	raise(SIGUSR1);
	raise(SIGUSR1);
	sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 42 });
	raise(SIGUSR2);
	sigaction(SIGUSR2, 0, &now);
	raise(SIGSEGV);
	for (int i = 0; i < 2; i++)
		if (sigsetjmp(jb, 1) == 0)
			printf("read %d\n", *(volatile int *)(long)(8 * i));
	printf("usr1 %d (value %d), usr2 %d, SIGUSR2 now %s\n", usr1, value, usr2,
	       now.sa_handler == SIG_DFL ? "SIG_DFL" : "a handler");
	return 0;
}
