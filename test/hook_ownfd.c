/*
 * hook_ownfd.c - test hook with a descriptor of its own: opens the file
 * ZPTEST_OWN_OUT (appending), registers it with init->own_fd, and writes
 * one line per system call to it ("pid nr\n").  A test then checks that the
 * program could not see or disturb that descriptor, and that the hook
 * could still write after the program's close_range, dup2 and the like
 * (its file keeps growing, with lines of every process).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../zpoline.h"

static int fd = -1;

static long hook(struct zpoline_call *c)
{
	char line[48];
	int n = snprintf(line, sizeof line, "%d %ld\n", getpid(), c->nr);
	if (write(fd, line, n) != n)
		write(2, "hook_ownfd: write failed\n", 25);
	return ZPOLINE_DO_SYSCALL;
}

zpoline_hook_fn zpoline_hook_init(struct zpoline_init *init)
{
	const char *path = getenv("ZPTEST_OWN_OUT");
	if (init->size < sizeof *init || !init->own_fd || !path)
		return NULL;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0 || init->own_fd(&fd) < 0)
		return NULL;
	return hook;
}
