/*
 * rt_secure.c - run set-user-ID root by a normal user (rt_check.sh): reads
 * a file only root may read, makes getpid with an inline syscall, and
 * prints whether it ran in secure-execution mode and whether that syscall
 * instruction was rewritten (so whether the runtime hooked it).
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <unistd.h>

extern const unsigned char secure_site[2];

int main(int argc, char **argv)
{
	char buf[64];
	int fd = argc > 1 ? open(argv[1], O_RDONLY) : -1;
	long n = fd >= 0 ? read(fd, buf, sizeof buf) : -1, r;

	__asm__ volatile("mov $39, %%eax\n"
			 ".globl secure_site\n"
			 "secure_site:\n\t"
			 "syscall" : "=a"(r) : : "rcx", "r11", "memory");
	printf("secure-execution mode: %s\n", getauxval(AT_SECURE) ? "yes" : "no");
	printf("read the root-only file: %s\n", n > 0 ? "yes" : "no");
	printf("getpid: %s\n", r == getpid() ? "ok" : "WRONG");
	printf("its syscall rewritten: %s\n",
	       secure_site[0] == 0x0f && secure_site[1] == 0x05 ? "no" : "yes");
	return 0;
}
