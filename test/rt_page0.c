/*
 * rt_page0.c - a program that maps page 0 itself (MAP_FIXED) would
 * replace the trampoline.  Under the runtime the request fails with EPERM
 * (as with vm.mmap_min_addr) and the program goes on with its system calls
 * hooked.  Prints the outcome.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
	void *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("mmap(0, MAP_FIXED): %s\n", p == MAP_FAILED ? strerror(errno) : "mapped");
	int r = munmap(0, 4096);
	printf("munmap(0): %s\n", r ? strerror(errno) : "done");
	printf("still running, pid > 0: %s\n", getpid() > 0 ? "yes" : "no");
	return 0;
}
