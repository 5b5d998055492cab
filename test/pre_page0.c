/*
 * pre_page0.c - preloaded before libzpoline.so, maps page 0 first, so the
 * runtime finds it taken: it must say so in one line and let the program
 * run unhooked.
 */
#include <sys/mman.h>

__attribute__((constructor)) static void take_page0(void)
{
	mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
}
