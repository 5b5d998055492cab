/*
 * rt_fds.c - what a program can see of the descriptors it has open.  Run
 * natively and under hook_ownfd (a hook with a descriptor of its own);
 * the output must be the same.
 *
 *   list       the entries of /proc/self/fd, /dev/fd and /proc/PID/fd
 *   probe      fcntl(F_GETFD) and fstat on every number up to 4096: which
 *              answer (none should but 0-2 and what it opened)
 *   dup2       dup2(1, n) onto every number up to 4096, then a write to
 *              each and a close: the hook's descriptor must step aside
 *   rlimit     how many files it can open before EMFILE
 *   closerange a child calls close_range(3, ~0U, 0), lists its
 *              descriptors and makes more calls; the parent waits
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXFD 4096

static void list(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	printf("%s:", strncmp(dir, "/proc/", 6) == 0 && dir[6] >= '0' && dir[6] <= '9'
			       ? "/proc/PID/fd" : dir);
	if (!d) {
		printf(" %s\n", strerror(errno));
		return;
	}
	int mine = dirfd(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (atoi(e->d_name) == mine)
			printf(" (dir)");
		else
			printf(" %s", e->d_name);
		n++;
	}
	closedir(d);
	printf(" [%d]\n", n);
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	char path[64];
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(m, "list")) {
		list("/proc/self/fd");
		list("/dev/fd");
		snprintf(path, sizeof path, "/proc/%d/fd", getpid());
		list(path);
	} else if (!strcmp(m, "probe")) {
		struct stat st;
		for (int fd = 0; fd < MAXFD; fd++) {
			int a = fcntl(fd, F_GETFD) >= 0, b = fstat(fd, &st) == 0;
			if (a || b)
				printf("%d: fcntl %s, fstat %s\n", fd, a ? "ok" : "EBADF",
				       b ? "ok" : "EBADF");
		}
	} else if (!strcmp(m, "dup2")) {
		int ok = 0;
		for (int fd = 3; fd < MAXFD; fd++)
			if (dup2(1, fd) == fd) {
				ok += write(fd, "", 0) == 0;
				close(fd);
			}
		printf("dup2 onto %d numbers\n", ok);
		list("/proc/self/fd");
	} else if (!strcmp(m, "rlimit")) {
		int n = 0;
		while (open("/dev/null", O_RDONLY) >= 0)
			n++;
		printf("opened %d files, then %s\n", n, strerror(errno));
	} else if (!strcmp(m, "closerange")) {
		pid_t p = fork();
		if (p == 0) {
			syscall(SYS_close_range, 3, ~0U, 0);
			list("/proc/self/fd");
			for (int i = 0; i < 5; i++)
				getppid();
			_exit(0);
		}
		int st;
		waitpid(p, &st, 0);
		printf("child: %d\n", WEXITSTATUS(st));
	} else {
		return 2;
	}
	return 0;
}
