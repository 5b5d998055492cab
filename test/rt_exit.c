/*
 * rt_exit.c - ends the process in one of three ways (argument): "exit_group"
 * (_exit), "exit" (the last thread calls exit directly), "return" (from
 * main, through libc's exit).  Used with a hook that buffers its output.
 */
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "return";
	if (strcmp(how, "exit_group") == 0)
		_exit(0);
	if (strcmp(how, "exit") == 0)
		syscall(SYS_exit, 0);
	return 0;
}
