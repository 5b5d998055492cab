/*
 * lay_main.c - a program whose own inline syscalls (number 500) must reach
 * the hook however it was linked (layout_check.sh): one in main's text,
 * one in a section of its own placed far from the rest (-DFAR: an
 * executable segment away from the ELF header), one in a library it links
 * with (-DLINKED), one in a library it loads with dlopen (argument).
 * Prints each result: -38 (ENOSYS) natively, 4242 under hook_marker.
 */
#include <dlfcn.h>
#include <stdio.h>

#define SYS500(r) __asm__ volatile("mov $500, %%eax\n\tsyscall" \
				   : "=a"(r) : : "rcx", "r11", "memory")

#ifdef FAR
__attribute__((noinline, section(".far_text"))) static long far_500(void)
{
	long r;
	SYS500(r);
	return r;
}
#endif
#ifdef LINKED
long lay_lib_500(void);
#endif

int main(int argc, char **argv)
{
	long r;
	SYS500(r);
	printf("main: %ld\n", r);
#ifdef FAR
	printf("far section: %ld\n", far_500());
#endif
#ifdef LINKED
	printf("linked library: %ld\n", lay_lib_500());
#endif
	if (argc > 1) {
		void *h = dlopen(argv[1], RTLD_NOW);
		long (*f)(void) = h ? (long (*)(void))dlsym(h, "lay_lib_500") : 0;
		if (!f) {
			printf("dlopen: %s\n", dlerror());
			return 1;
		}
		printf("dlopened library: %ld\n", f());
	}
	return 0;
}
