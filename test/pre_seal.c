/*
 * pre_seal.c - preloaded before libzpoline.so: a library with a syscall
 * instruction of its own whose constructor seals its code (mseal, Linux
 * 6.10+), so the runtime cannot make it writable: it must say so in one
 * line and go on with the rest.  sealed_getpid() makes that call.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

long sealed_getpid(void)
{
	long r = SYS_getpid;
	__asm__ volatile("syscall" : "+a"(r) : : "rcx", "r11", "memory");
	return r;
}

__attribute__((constructor)) static void seal_my_code(void)
{
	uintptr_t me = (uintptr_t)sealed_getpid, lo, hi;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo <= me && me < hi)
			if (syscall(462 /* mseal */, lo, hi - lo, 0) != 0)
				perror("pre_seal: mseal");
	if (f)
		fclose(f);
}
