/*
 * rt_regs_probe.S - runs one inline `syscall` (getppid) with every register
 * the kernel preserves set to a known pattern, and stores what they hold
 * afterwards.  rt_regs.c checks the result.
 *
 * void probe(int avx512): reads probe_in, writes probe_out.
 * Before the syscall: rbx rbp rdi rsi rdx r8 r9 r10 r12-r15 = patterns,
 * rflags with DF and CF set, MXCSR and the x87 control word changed from
 * their defaults, two values on the x87 stack, xmm0-15 (or zmm0-31 and
 * k0-7) = patterns, and the red zone [rsp-128, rsp) filled.
 * Dead padding (nops after a jmp) lies within jmp rel8 reach of the
 * syscall, and `mov $nr, %eax` comes right before it, so the runtime may
 * rewrite it as an island, a jump or a page-0 site (ZPOLINE_SITES picks).
 */
	.data
	.globl	probe_in, probe_out
	.p2align 6
probe_in:	.skip	4096	/* gpr[16] @0, vec[32][64] @128, k[8] @2176, mxcsr @2240, fcw @2244 */
probe_out:	.skip	4096	/* gpr[16] @0, vec @128, k @2176, mxcsr @2240, fcw @2244, fsw @2246,
				   rflags_before @2248, rflags_after @2256, rcx_expected @2264,
				   x87[2] @2272 (tbyte each, 16 apart), redzone[16] @2304 */
saved_rsp:	.quad	0

	.text
	.globl	probe
	.type	probe, @function
probe:
	.cfi_startproc
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, saved_rsp(%rip)
	mov	%edi, %eax			/* eax = avx512 */
	/* vector patterns */
	test	%eax, %eax
	jz	1f
	.irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	vmovdqu64 (probe_in + 128 + \r * 64)(%rip), %zmm\r
	.endr
	.irp r, 0,1,2,3,4,5,6,7
	kmovq	(probe_in + 2176 + \r * 8)(%rip), %k\r
	.endr
	jmp	2f
1:	.irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu	(probe_in + 128 + \r * 64)(%rip), %xmm\r
	.endr
2:	ldmxcsr	(probe_in + 2240)(%rip)
	fninit
	fldcw	(probe_in + 2244)(%rip)
	fldpi
	fld1
	/* red zone */
	lea	-128(%rsp), %rcx
	mov	$16, %edx
	movabs	$0x0101010101010101, %rsi
3:	mov	%rdx, %rax
	imul	%rsi, %rax
	mov	%rax, (%rcx)
	add	$8, %rcx
	dec	%edx
	jnz	3b
	/* general registers */
	mov	(probe_in + 8 * 3)(%rip), %rbx
	mov	(probe_in + 8 * 5)(%rip), %rbp
	mov	(probe_in + 8 * 6)(%rip), %rsi
	mov	(probe_in + 8 * 7)(%rip), %rdi
	mov	(probe_in + 8 * 8)(%rip), %r8
	mov	(probe_in + 8 * 9)(%rip), %r9
	mov	(probe_in + 8 * 10)(%rip), %r10
	mov	(probe_in + 8 * 12)(%rip), %r12
	mov	(probe_in + 8 * 13)(%rip), %r13
	mov	(probe_in + 8 * 14)(%rip), %r14
	mov	(probe_in + 8 * 15)(%rip), %r15
	mov	(probe_in + 8 * 2)(%rip), %rdx
	lea	.Lafter(%rip), %rax
	mov	%rax, (probe_out + 2264)(%rip)
	/* flags: DF and CF set */
	pushfq
	orq	$0x401, (%rsp)
	popfq
	pushfq
	popq	(probe_out + 2248)(%rip)
	jmp	7f
	.fill	12, 1, 0x90			/* dead: room for an island */
	.globl	probe_mov
probe_mov:
7:	mov	$110, %eax			/* getppid */
	syscall
.Lafter:
	pushfq
	popq	(probe_out + 2256)(%rip)
	cld
	mov	%rax, (probe_out + 8 * 0)(%rip)
	mov	%rcx, (probe_out + 8 * 1)(%rip)
	mov	%rdx, (probe_out + 8 * 2)(%rip)
	mov	%rbx, (probe_out + 8 * 3)(%rip)
	mov	%rsp, (probe_out + 8 * 4)(%rip)
	mov	%rbp, (probe_out + 8 * 5)(%rip)
	mov	%rsi, (probe_out + 8 * 6)(%rip)
	mov	%rdi, (probe_out + 8 * 7)(%rip)
	mov	%r8, (probe_out + 8 * 8)(%rip)
	mov	%r9, (probe_out + 8 * 9)(%rip)
	mov	%r10, (probe_out + 8 * 10)(%rip)
	mov	%r11, (probe_out + 8 * 11)(%rip)
	mov	%r12, (probe_out + 8 * 12)(%rip)
	mov	%r13, (probe_out + 8 * 13)(%rip)
	mov	%r14, (probe_out + 8 * 14)(%rip)
	mov	%r15, (probe_out + 8 * 15)(%rip)
	/* red zone, as seen after the call: [rsp-128, rsp) */
	lea	-128(%rsp), %rcx
	lea	(probe_out + 2304)(%rip), %rdx
	mov	$16, %r8d
4:	mov	(%rcx), %rax
	mov	%rax, (%rdx)
	add	$8, %rcx
	add	$8, %rdx
	dec	%r8d
	jnz	4b
	stmxcsr	(probe_out + 2240)(%rip)
	fnstcw	(probe_out + 2244)(%rip)
	fnstsw	(probe_out + 2246)(%rip)
	fstpt	(probe_out + 2272)(%rip)
	fstpt	(probe_out + 2288)(%rip)
	mov	saved_rsp(%rip), %rax
	mov	%rax, %rsp
	/* vectors */
	cmpb	$0, probe_avx512(%rip)
	je	5f
	.irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	vmovdqu64 %zmm\r, (probe_out + 128 + \r * 64)(%rip)
	.endr
	.irp r, 0,1,2,3,4,5,6,7
	kmovq	%k\r, (probe_out + 2176 + \r * 8)(%rip)
	.endr
	vzeroupper
	jmp	6f
5:	.irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu	%xmm\r, (probe_out + 128 + \r * 64)(%rip)
	.endr
6:	mov	$0x1f80, %eax			/* the ABI's MXCSR and x87 control word */
	push	%rax
	ldmxcsr	(%rsp)
	movw	$0x37f, (%rsp)
	fldcw	(%rsp)
	pop	%rax
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret
	.cfi_endproc
	.size	probe, . - probe
	.globl	probe_site
	.set	probe_site, .Lafter - 2

	.data
	.globl	probe_avx512
probe_avx512:	.byte 0
	.section .note.GNU-stack, "", @progbits
