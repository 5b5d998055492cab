/*
 * rt_vfork.c - vfork and clone(CLONE_VM|CLONE_VFORK) without a new stack:
 * the child runs on the parent's stack, below the parent's frame, and
 * execs or exits; the parent must resume intact.  Checks a checksum of the
 * parent's locals across each call.  Prints what happened; exit 1 on harm.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

pid_t vfork_clone(void); /* rt_clone_asm.S */

static unsigned sum(const unsigned char *p, size_t n)
{
	unsigned s = 0;
	for (size_t i = 0; i < n; i++)
		s = s * 31 + p[i];
	return s;
}

static int report(const char *what, pid_t pid, unsigned before, unsigned after)
{
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		printf("%s: failed\n", what);
		return 1;
	}
	printf("%s: child exit %d, parent frame %s\n", what,
	       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st),
	       before == after ? "intact" : "DAMAGED");
	return before != after;
}

int main(void)
{
	volatile unsigned char locals[256];
	char *argv[] = { "echo", "exec from a vfork child", 0 };
	int bad = 0;
	for (int i = 0; i < 256; i++)
		locals[i] = (unsigned char)(i * 7);
	unsigned before = sum((const unsigned char *)locals, sizeof locals);
	fflush(stdout);

	pid_t pid = vfork();
	if (pid == 0) {
		execv("/bin/echo", argv);
		_exit(127);
	}
	bad |= report("vfork+execv", pid, before, sum((const unsigned char *)locals, sizeof locals));

	pid = vfork();
	if (pid == 0)
		_exit(7);
	bad |= report("vfork+_exit", pid, before, sum((const unsigned char *)locals, sizeof locals));

	fflush(stdout);
	pid = vfork_clone();
	if (pid == 0) {
		execv("/bin/echo", argv);
		_exit(127);
	}
	bad |= report("clone(CLONE_VM|CLONE_VFORK)+execv", pid, before,
		      sum((const unsigned char *)locals, sizeof locals));
	return bad;
}
