/*
 * cmd_exit.c - ends the way it is told, for the command's exit-status
 * tests: `cmd_exit N` exits with status N, `cmd_exit -S` dies of signal S
 * (its default action restored first).  Built dynamically, statically and
 * as a static PIE.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;

	printf("cmd_exit %d\n", n);
	fflush(stdout);
	if (n < 0) {
		signal(-n, SIG_DFL);
		raise(-n);
	}
	return n;
}
