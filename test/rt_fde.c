/*
 * rt_fde.c - the two cases of lay_fde.S: data right after a function must
 * stay as it is; a syscall that a function falls into after its FDE ends
 * is a site.  With "hooked", also checks that the latter was rewritten.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

long fde_data(void), fde_call(void);

int main(int argc, char **argv)
{
	printf("bytes after the function: %#lx\n", fde_data());
	printf("getppid through the syscall after the FDE: %s\n",
	       fde_call() == getppid() ? "ok" : "WRONG");
	if (argc > 1 && !strcmp(argv[1], "hooked")) {
		const unsigned char *p = (const unsigned char *)fde_call + 5;
		if (p[0] == 0x0f && p[1] == 0x05) {
			printf("the syscall after the FDE was not rewritten\n");
			return 1;
		}
	}
	return 0;
}
