/*
 * sites_cases.S - hand-made cases for the planner (sites.c), assembled
 * into a shared object that test/sites_check.py runs zpscan on.  Each
 * case is one function; its labels name the syscall (C_site) and the
 * ranges the expectation is about (C_lo .. C_hi).  The expectations, and
 * the rule each one checks, are in sites_check.py.
 *
 * FAR: bytes that are neither fill nor a branch, to keep other cases'
 * padding out of jmp rel8 reach.
 *
 * test/rt_sites.c also runs them (but ends_with_call): each returns the
 * result of its system call, getpid (39) unless said otherwise; rdi is
 * 39 where a case takes the number from it.
 */
#define FAR .rept 40; xor %ecx, %ecx; .endr

	.text
	.p2align 6

/* Fill after a ret, in the same function: dead, an island. */
	.globl	island_after_ret
island_after_ret:
	.cfi_startproc
	mov	$39, %eax
	.globl	island_after_ret_site
island_after_ret_site:
	syscall
	ret
island_after_ret_lo:
	.fill	8, 1, 0x90
island_after_ret_hi:
	FAR
	ret
	.cfi_endproc

/* Fill after a jmp that a jne targets in its middle: only the fill before
 * the target is dead (4 bytes: no slot), so the pattern is used. */
	.globl	targeted_fill
targeted_fill:
	.cfi_startproc
	FAR
	test	%edi, %edi
	jne	targeted_fill_target
	jmp	1f
targeted_fill_lo:
	.fill	4, 1, 0x90
targeted_fill_target:
	.fill	8, 1, 0x90
targeted_fill_hi:
1:	mov	$39, %eax
	.globl	targeted_fill_site
targeted_fill_site:
	syscall
	ret
	FAR
	ret
	.cfi_endproc

/* Fill after a call inside a function: not dead (the call returns into
 * it), so no island; the pattern is used. */
	.globl	fill_after_call
fill_after_call:
	.cfi_startproc
	FAR
	call	island_after_ret
fill_after_call_lo:
	.fill	12, 1, 0x90
fill_after_call_hi:
	mov	$39, %eax
	.globl	fill_after_call_site
fill_after_call_site:
	syscall
	ret
	FAR
	ret
	.cfi_endproc

/* A function ending with a call, then padding up to the next function:
 * dead, an island for the next function's syscall. */
	.globl	ends_with_call
ends_with_call:
	.cfi_startproc
	FAR
	call	abort@PLT
	.cfi_endproc
ends_with_call_lo:
	.fill	11, 1, 0x90
ends_with_call_hi:
	.globl	after_gap
after_gap:
	.cfi_startproc
	mov	$39, %eax
	.globl	after_gap_site
after_gap_site:
	syscall
	FAR
	ret
	.cfi_endproc

/* No fill in reach: mov $nr, %eax; syscall moves (a jump, strict). */
	.globl	pattern
pattern:
	.cfi_startproc
	FAR
	xor	%edi, %edi
pattern_lo:
	mov	$39, %eax
	.globl	pattern_site
pattern_site:
	syscall
pattern_hi:
	FAR
	ret
	.cfi_endproc

/* The syscall of a pattern is a direct branch target (a retry loop): a
 * window with it inside would trap on every turn, so the mov stays; the
 * window starts at the syscall itself (the branch lands on the jmp) and
 * takes the cmp after it. */
	.globl	pattern_target
pattern_target:
	.cfi_startproc
	FAR
	mov	$39, %eax
	.globl	pattern_target_site
pattern_target_site:
pattern_target_lo:
	syscall
	cmp	$-4, %rax
pattern_target_hi:
	je	pattern_target_site
	ret
	FAR
	ret
	.cfi_endproc

/* Short instructions before the syscall, then a 5-byte one: they all
 * move, the later ones behind traps (a jump, strict).  Number 0x1234:
 * ENOSYS. */
	.globl	moved_three
moved_three:
	.cfi_startproc
	FAR
moved_three_lo:
	mov	$0x1234, %edx
	mov	%edi, %esi
	xor	%r10d, %r10d
	mov	%edx, %eax
	.globl	moved_three_site
moved_three_site:
	syscall
moved_three_hi:
	FAR
	ret
	.cfi_endproc

/* A RIP-relative operand among the moved instructions: moved, with its
 * displacement fixed up (zpscan shows the window; the runtime test
 * checks the value loaded). */
	.globl	moved_riprel
moved_riprel:
	.cfi_startproc
	FAR
moved_riprel_lo:
	lea	moved_riprel_data(%rip), %rsi
	mov	%edi, %eax
	.globl	moved_riprel_site
moved_riprel_site:
	syscall
moved_riprel_hi:
	FAR
	ret
	.cfi_endproc

/* Only a branch before it, nothing movable: the instructions after the
 * syscall move instead (their first start lies under the jmp: allowed
 * only with no branch to it). */
	.globl	moved_after
moved_after:
	.cfi_startproc
	FAR
	test	%edi, %edi
	jz	1f
	mov	%edi, %eax
1:
moved_after_lo:
	.globl	moved_after_site
moved_after_site:
	syscall
	mov	%eax, %edx
	cmp	$0xfffff000, %eax
moved_after_hi:
	FAR
	ret
	.cfi_endproc

	.section .rodata
moved_riprel_data:
	.quad	0x1122334455667788

	.section .note.GNU-stack, "", @progbits
