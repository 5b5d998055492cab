/*
 * rt_transparent.c - what a program must not notice about the runtime.
 * Run natively and hooked; the output must be the same.
 *
 *   nullread   a read through a null pointer (and a small offset) faults:
 *              the program's SIGSEGV handler sees si_addr, as natively
 *              (page 0 stays unmapped when no site needs it);
 *   redzone    a leaf function keeps values in its red zone, -8(%rsp)
 *              included, across an inline syscall;
 *   trap       a branch lands on the syscall of a `mov $nr, %eax;
 *              syscall` site from elsewhere, with another number in eax
 *              (an indirect jump, as a jump table makes): run with
 *              ZPOLINE_SITES=jump, that syscall is a trap in the rewritten
 *              code, and the call must still be made, with the number the
 *              jumping code chose.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile void *fault_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	fault_addr = si->si_addr;
	siglongjmp(jb, 1);
}

static void nullread(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	sigaction(SIGSEGV, &sa, 0);
	for (long off = 0; off <= 0x1f8; off += 0x1f8) {
		if (sigsetjmp(jb, 1) == 0) {
			long v = *(volatile long *)off;
			printf("read at %#lx returned %#lx\n", off, v);
		} else {
			printf("read at %#lx faulted, si_addr = %p\n", off, fault_addr);
		}
	}
}

/* A leaf function: stores in its red zone, makes getppid with an inline
 * syscall, reads the red zone back. */
__attribute__((noinline)) static long redzone(long seed)
{
	long r, out[16];
	__asm__ volatile(
		"lea	-128(%%rsp), %%rdx\n\t"
		"mov	%[s], %%rax\n\t"
		"xor	%%ecx, %%ecx\n"
		"1:	mov	%%rax, (%%rdx,%%rcx,8)\n\t"
		"add	%[s], %%rax\n\t"
		"inc	%%ecx\n\t"
		"cmp	$16, %%ecx\n\t"
		"jne	1b\n\t"
		"mov	$110, %%eax\n\t"
		"syscall\n\t"
		"mov	%%rax, %[r]\n\t"
		"lea	-128(%%rsp), %%rdx\n\t"
		"xor	%%ecx, %%ecx\n"
		"2:	mov	(%%rdx,%%rcx,8), %%rax\n\t"
		"mov	%%rax, (%[o],%%rcx,8)\n\t"
		"inc	%%ecx\n\t"
		"cmp	$16, %%ecx\n\t"
		"jne	2b\n\t"
		: [r] "=&r"(r) : [s] "r"(seed), [o] "r"(out)
		: "rax", "rcx", "rdx", "r11", "cc", "memory");
	int ok = r == getppid();
	for (int k = 0; k < 16; k++)
		ok &= out[k] == seed * (k + 1);
	printf("red zone [rsp-128, rsp) across a syscall: %s\n", ok ? "kept" : "CHANGED");
	return ok;
}

/* site_mov: mov $39 (getpid), %eax; site_sys: syscall; ret.  The caller
 * jumps to site_sys through a register with eax = 110 (getppid). */
long jump_to_site_sys(void);
long via_site(void);
__asm__(".text\n"
	".globl via_site, jump_to_site_sys\n"
	".type via_site, @function\n"
	"via_site:\n"
	".cfi_startproc\n"
	"	mov	$39, %eax\n"
	"site_sys:\n"
	"	syscall\n"
	"	ret\n"
	".cfi_endproc\n"
	".size via_site, . - via_site\n"
	".type jump_to_site_sys, @function\n"
	"jump_to_site_sys:\n"
	".cfi_startproc\n"
	"	lea	site_sys(%rip), %rcx\n"
	"	mov	$110, %eax\n"
	"	jmp	*%rcx\n"
	".cfi_endproc\n"
	".size jump_to_site_sys, . - jump_to_site_sys\n");

static void trap(void)
{
	printf("through the site: getpid %s\n", via_site() == getpid() ? "ok" : "WRONG");
	printf("jumping onto its syscall: getppid %s\n",
	       jump_to_site_sys() == getppid() ? "ok" : "WRONG");
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	if (!strcmp(m, "nullread"))
		nullread();
	else if (!strcmp(m, "redzone"))
		return !redzone(0x0101010101010101l);
	else if (!strcmp(m, "trap"))
		trap();
	else
		return 2;
	return 0;
}
