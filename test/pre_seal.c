/*
 * pre_seal.c - preloaded after libzpoline.so (so ld.so relocates it
 * first): a library with a syscall instruction of its own whose code is
 * sealed (mseal, Linux 6.10+) while ld.so relocates it, before the runtime
 * starts, so the runtime cannot make it writable: it must say so in one
 * line and go on with the rest.  sealed_getpid() makes that call.
 */
#include <elf.h>
#include <stdint.h>
#include <sys/syscall.h>

long sealed_getpid(void)
{
	long r = SYS_getpid;
	__asm__ volatile("syscall" : "+a"(r) : : "rcx", "r11", "memory");
	return r;
}

static void nothing(void)
{
}

/* Seals this library's executable segment, found from its own headers. */
static void (*seal_my_code(void))(void)
{
	extern const Elf64_Ehdr __ehdr_start;
	const Elf64_Phdr *ph = (const void *)((const char *)&__ehdr_start + __ehdr_start.e_phoff);
	for (int k = 0; k < __ehdr_start.e_phnum; k++) {
		if (ph[k].p_type != PT_LOAD || !(ph[k].p_flags & PF_X))
			continue;
		uintptr_t lo = ((uintptr_t)&__ehdr_start + ph[k].p_vaddr) & ~4095ul;
		uintptr_t hi = ((uintptr_t)&__ehdr_start + ph[k].p_vaddr + ph[k].p_memsz + 4095) & ~4095ul;
		long r;
		__asm__ volatile("syscall" : "=a"(r) : "a"(462 /* mseal */), "D"(lo),
				 "S"(hi - lo), "d"(0) : "rcx", "r11", "memory");
	}
	return nothing;
}

static void early(void) __attribute__((ifunc("seal_my_code")));
void (*const pre_seal_ref)(void) __attribute__((used)) = early;
