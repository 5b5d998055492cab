/*
 * rt_badnr.c - system call numbers that are no system call: past the
 * sled, in the rest of page 0, in the hop page, beyond page 0, negative,
 * non-canonical as an address, and x32 numbers.  The kernel answers
 * ENOSYS to each (prints "n -> r errno"); the same lines must come out
 * hooked.  (Numbers that are addresses of executable code are not here:
 * the rewritten call jumps there, see README.)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	static const long nr[] = {
		470, 511, 512, 513, 514, 515, 516, 517, 600, 1000, 4095, 4096,
		0x10000, 0x6cf4f000, 0x6cf4f6f9, 0x6cf4fff0, 0x7fffffff,
		0x40000000 + 39, 1L << 47, (1L << 47) + 5, 1L << 62, -1, -2, -4096,
		-(1L << 47), (long)(1UL << 63),
	};
	for (unsigned i = 0; i < sizeof nr / sizeof nr[0]; i++) {
		errno = 0;
		long r = syscall(nr[i], 1, 2, 3, 4, 5, 6);
		printf("%#lx -> %ld %s\n", nr[i], r, strerror(errno));
	}
	printf("getpid still works: %s\n", getpid() > 0 ? "yes" : "no");
	return 0;
}
