/*
 * hook_signals.c - test hook that hears of signal deliveries
 * (init->signal) and writes one line per delivery, "SIGNO CODE", to the
 * descriptor ZPTEST_SIG_FD, in one write each.  It lets every call
 * through.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../zpoline.h"

static int fd = -1;

static long hook(struct zpoline_call *c)
{
	return ZPOLINE_DO_SYSCALL;
}

static void on_signal(int sig, const void *info)
{
	const siginfo_t *si = info;
	char line[32];
	int n = snprintf(line, sizeof line, "%d %d\n", sig, si->si_code);
	if (write(fd, line, n) != n)
		_exit(99);
}

zpoline_hook_fn zpoline_hook_init(struct zpoline_init *init)
{
	const char *v = getenv("ZPTEST_SIG_FD");
	if (!v || init->size < sizeof *init)
		return NULL;
	fd = atoi(v);
	init->signal = on_signal;
	return hook;
}
