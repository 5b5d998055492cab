/*
 * rt_spawn.c - posix_spawn (glibc: clone3(CLONE_VM|CLONE_VFORK) with a
 * stack of its own) with file actions, and posix_spawnp; prints the
 * children's exit statuses.  With a SIGCHLD handler installed, whose
 * child resets it (glibc's posix_spawn resets every handled signal in
 * the child, which shares the parent's memory): the parent must keep its
 * handler and get each SIGCHLD.
 */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>

static volatile int chld;

static void on_chld(int sig)
{
	chld++;
}

extern char **environ;

static int run(int use_path, char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 3, "/dev/null", O_RDONLY, 0);
	fflush(stdout);
	int r = use_path ? posix_spawnp(&pid, argv[0], &fa, 0, argv, environ)
			 : posix_spawn(&pid, argv[0], &fa, 0, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(void)
{
	char *a1[] = { "/bin/echo", "spawned", 0 };
	char *a2[] = { "sh", "-c", "exit 3", 0 };
	char *a3[] = { "/nonexistent/program", 0 };
	printf("posix_spawn echo: %d\n", run(0, a1));
	printf("posix_spawnp sh: %d\n", run(1, a2));
	printf("posix_spawn missing: %d\n", run(0, a3));

	struct sigaction sa = { .sa_handler = on_chld }, now;
	sigset_t block, old;
	sigaction(SIGCHLD, &sa, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	for (int i = 0; i < 3; i++) {
		int before = chld;
		printf("posix_spawn echo, SIGCHLD handled: %d\n", run(0, a1));
		while (chld == before)	/* delivered when unblocked */
			sigsuspend(&old);
	}
	sigaction(SIGCHLD, 0, &now);
	printf("SIGCHLD deliveries: %d, handler still set: %s\n", chld,
	       now.sa_handler == on_chld ? "yes" : "no");
	return 0;
}
