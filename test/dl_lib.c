/*
 * dl_lib.c - a library with a syscall instruction of its own, loaded by
 * rt_dlopen after start-up: openat(AT_FDCWD, path, O_RDONLY) made inline.
 */
#include <fcntl.h>
#include <sys/syscall.h>

long dl_open_raw(const char *path)
{
	register long r10 __asm__("r10") = 0;
	long r = SYS_openat;
	__asm__ volatile("syscall"
			 : "+a"(r)
			 : "D"((long)AT_FDCWD), "S"(path), "d"((long)O_RDONLY), "r"(r10)
			 : "rcx", "r11", "memory");
	return r;
}
