/*
 * rt_clone_asm.S - clone and clone3 made from assembly, with a new stack
 * for the child.  The child stores the registers it starts with into
 * child_regs and ends with exit(0); the parent waits on the child's tid
 * word (CLONE_CHILD_CLEARTID) in rt_clone.c.
 *
 * long clone_probe(long nr, long flags_or_args, void *stack_or_size,
 *                  int *ptid, int *ctid)
 *   nr = 56: clone(flags, stack, ptid, ctid, 0)
 *   nr = 435: clone3(args, size)
 * Before the syscall rbx rbp r12-r15 = patterns from clone_in, CF set.
 */
	.data
	.globl	clone_in, child_regs
	.p2align 4
clone_in:	.skip	64	/* rbx rbp r12 r13 r14 r15 */
child_regs:	.skip	128	/* rax rbx rbp r12 r13 r14 r15 rsp rcx r11 rflags rdi rsi */

	.text
	.globl	clone_probe, clone_probe_after
	.type	clone_probe, @function
clone_probe:
	.cfi_startproc
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rdi, %rax
	mov	%rsi, %rdi
	mov	%rdx, %rsi
	mov	%rcx, %rdx
	mov	%r8, %r10
	xor	%r8d, %r8d
	mov	(clone_in + 0)(%rip), %rbx
	mov	(clone_in + 8)(%rip), %rbp
	mov	(clone_in + 16)(%rip), %r12
	mov	(clone_in + 24)(%rip), %r13
	mov	(clone_in + 32)(%rip), %r14
	mov	(clone_in + 40)(%rip), %r15
	stc
	syscall
clone_probe_after:
	jc	1f			/* flags must survive in both */
	jmp	.Lnocarry
1:	test	%rax, %rax
	jz	.Lchild
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret
.Lnocarry:
	ud2
.Lchild:
	mov	%rax, (child_regs + 0)(%rip)
	mov	%rbx, (child_regs + 8)(%rip)
	mov	%rbp, (child_regs + 16)(%rip)
	mov	%r12, (child_regs + 24)(%rip)
	mov	%r13, (child_regs + 32)(%rip)
	mov	%r14, (child_regs + 40)(%rip)
	mov	%r15, (child_regs + 48)(%rip)
	mov	%rsp, (child_regs + 56)(%rip)
	mov	%rcx, (child_regs + 64)(%rip)
	mov	%r11, (child_regs + 72)(%rip)
	mov	%rdi, (child_regs + 88)(%rip)
	mov	%rsi, (child_regs + 96)(%rip)
	pushfq
	popq	(child_regs + 80)(%rip)
	mov	$60, %eax		/* exit(0): this thread only */
	xor	%edi, %edi
	syscall
	ud2
	.cfi_endproc
	.size	clone_probe, . - clone_probe

/* pid_t vfork_clone(void): clone(CLONE_VM|CLONE_VFORK|SIGCHLD, no new
 * stack), made safe for the shared stack the way glibc's vfork is: the
 * return address waits in r9 (which the kernel preserves) while the child
 * runs, and each process pushes it back for its own `ret`. */
	.globl	vfork_clone
	.type	vfork_clone, @function
vfork_clone:
	.cfi_startproc
	pop	%r9
	.cfi_adjust_cfa_offset -8
	mov	$56, %eax
	mov	$0x4111, %edi		/* CLONE_VM | CLONE_VFORK | SIGCHLD */
	xor	%esi, %esi
	xor	%edx, %edx
	xor	%r10d, %r10d
	xor	%r8d, %r8d
	syscall
	push	%r9
	.cfi_adjust_cfa_offset 8
	ret
	.cfi_endproc
	.size	vfork_clone, . - vfork_clone

	.section .note.GNU-stack, "", @progbits
