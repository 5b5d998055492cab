/*
 * pre_page0.c - preloaded after libzpoline.so (so ld.so relocates it
 * first), maps page 0 while ld.so relocates it, before the runtime starts:
 * the runtime finds page 0 taken.  An IFUNC resolver is what runs then.
 */
#include <sys/mman.h>
#include <sys/syscall.h>

static void nothing(void)
{
}

static void (*take_page0(void))(void)
{
	long r;
	register long r10 __asm__("r10") = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
	register long r8 __asm__("r8") = -1;
	register long r9 __asm__("r9") = 0;
	__asm__ volatile("syscall" : "=a"(r)
			 : "a"(SYS_mmap), "D"(0), "S"(4096), "d"(PROT_READ),
			   "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
	return nothing;
}

static void early(void) __attribute__((ifunc("take_page0")));
void (*const pre_page0_ref)(void) __attribute__((used)) = early;
