/*
 * trampoline.S - the code between a rewritten site and the hook.
 *
 * Paths of a system call into the stub:
 *
 *   gate (rewrite.c writes one per site, near its object):
 *     site:  jmp to the gate (rel8 to an island slot, then rel32; or
 *            rel32 in place of the instructions moved with the site)
 *     gate:  [copies of the moved instructions before the site]
 *            lea cont(%rip), %rcx; lea site(%rip), %r11
 *            jmp *zp_entry_gate
 *     tail:  syscall                    (the fast path enters the kernel here)
 *     cont:  lea site+2(%rip), %rcx     (as sysret leaves it)
 *            [copies of the moved instructions after the site]
 *            jmp back into the program
 *   page 0:
 *     site:  call *%rax                 pushes site+2, jumps to address nr
 *     sled of prefixed nops [0, ZP_SLED_END), then jmp rel32 to the hop
 *     page: pop %rcx; lea -2(%rcx), %r11; jmp *zp_entry
 *
 * zp_entry_gate / zp_entry build a struct zp_frame and call zp_enter (C),
 * which calls the hook.  If the answer is ZPOLINE_DO_SYSCALL, the call is
 * made either from the gate's own `syscall` (ZP_HOW_TAIL: every register
 * restored first, so that nothing but direct jumps follows the kernel's
 * return), or here, after which the stub restores the program's
 * registers and jumps to F_RET (the gate's continuation, or site+2).
 *
 * Invariants:
 *   - Anything the stub still has to read lies above rsp: a signal handler
 *     runs below rsp - 128 and may overwrite everything lower.
 *   - The program's red zone [rsp-128, rsp) is never written: the frame
 *     starts below it.  (A page-0 site's `call` has already written the
 *     return address at -8(%rsp) before any code of ours runs; the stub
 *     reads it from the stack and writes nothing there.)
 *   - After the system call, nothing returns with `ret` into a frame
 *     made before it: the kernel leaves the return stack buffer useless
 *     and a mispredicted return costs tens of nanoseconds.
 *   - On the way back every register is the program's but rax (result),
 *     rcx (site+2) and r11 (rflags): exactly what `syscall` leaves.
 *   - The only `syscall` instructions of libzpoline.so are here, each
 *     listed in section zp_own (OWN_SYSCALL) so the rewriter leaves them
 *     alone.  The gates' own are in memory the rewriter never scans.
 */
#include "runtime.h" /* and zpoline.h: ZPOLINE_DO_SYSCALL */

/* A `syscall` instruction of the runtime's own, recorded for the rewriter
 * in section zp_own as an offset from the entry itself (no relocation). */
.macro OWN_SYSCALL
	.pushsection zp_own, "a"
	.p2align 2
9990:	.long	9991f - 9990b
	.popsection
9991:	syscall
.endm

/* Load the call's number and arguments from the frame (rbp). */
.macro LOAD_CALL
	mov	F_NR(%rbp), %rax
	mov	F_ARG0(%rbp), %rdi
	mov	F_ARG1(%rbp), %rsi
	mov	F_ARG2(%rbp), %rdx
	mov	F_ARG3(%rbp), %r10
	mov	F_ARG4(%rbp), %r8
	mov	F_ARG5(%rbp), %r9
.endm

/* The program's own argument registers back, from the frame (rbp). */
.macro PROGRAM_ARGS
	mov	F_RDI(%rbp), %rdi
	mov	F_RSI(%rbp), %rsi
	mov	F_RDX(%rbp), %rdx
	mov	F_R10(%rbp), %r10
	mov	F_R8(%rbp), %r8
	mov	F_R9(%rbp), %r9
.endm

/* Save/restore the vector state below the aligned rsp, if the hook needs it. */
.macro VEC_SAVE
	cmpb	$ZP_VEC_NONE, zp_vec_mode(%rip)
	je	9992f
	sub	$ZP_VEC_AREA, %rsp
	mov	%rsp, %rdi
	call	zp_vec_save
9992:
.endm
.macro VEC_RESTORE	/* rsp = the area; clobbers rcx, r11, flags */
	cmpb	$ZP_VEC_NONE, zp_vec_mode(%rip)
	je	9993f
	mov	%rsp, %rcx
	call	zp_vec_restore
9993:
.endm

/* The program's rflags back, from F_RFLAGS (rbp = frame), keeping rax.
 * Not with popfq, which is microcoded and slow: the stub and C code change
 * only DF (cld) and the arithmetic flags, so set DF again if it was set,
 * OF through an add that overflows exactly when OF was set, and SF ZF AF
 * PF CF with sahf.  Clobbers rcx and r11. */
.macro RESTORE_FLAGS
	mov	F_RFLAGS(%rbp), %rcx
	test	$0x400, %ecx		/* DF */
	jz	9994f
	std
9994:	mov	%ecx, %r11d
	shr	$4, %r11d		/* OF (bit 11) to bit 7 */
	and	$0x80, %r11d
	add	%r11b, %r11b		/* 0x80 + 0x80 overflows: OF as saved */
	xchg	%rax, %rcx		/* rax = rflags, rcx = result */
	mov	%al, %ah
	sahf				/* SF ZF AF PF CF as saved */
	xchg	%rax, %rcx		/* rax = result */
.endm

	.text

/* ---------------------------------------------------------------------- */
/* The two ways in.
 * zp_entry_gate, from a site's gate: rcx = the gate's continuation (its
 *      `syscall` is just before it), r11 = the site.
 * zp_entry, from the hop page and from the signal handler (page-0 sites,
 *      traps): rcx = where the program goes on, r11 = the site.
 * Both: rax = system call number, rsp = the program's rsp (nothing
 *      pushed), all other registers the program's; rcx and r11 are free
 *      (a real syscall clobbers them too).
 */
	.globl	zp_entry_gate, zp_entry
	.hidden	zp_entry_gate, zp_entry
	.type	zp_entry_gate, @function
	.p2align 6
zp_entry_gate:
	lea	-ZP_REDZONE(%rsp), %rsp	/* step over the red zone (lea: no flags) */
	pushfq				/* F_RFLAGS */
	push	%rcx			/* F_RET: the continuation */
	lea	-2(%rcx), %rcx
	push	%rcx			/* F_TAIL: the gate's syscall */
	jmp	.Lframe
zp_entry:
	lea	-ZP_REDZONE(%rsp), %rsp
	pushfq				/* F_RFLAGS */
	push	%rcx			/* F_RET */
	push	$0			/* F_TAIL: none */
.Lframe:
	push	%rbp			/* F_RBP */
	push	%r9			/* F_R9 .. F_RDI: restored on the way out */
	push	%r8
	push	%r10
	push	%rdx
	push	%rsi
	push	%rdi
	push	$ZP_HOW_PLAIN		/* F_HOW */
	push	%r11			/* F_SITE: struct zpoline_call ... */
	push	%r9
	push	%r8
	push	%r10
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rax			/* F_NR: ... what the hook sees */
	mov	%rsp, %rbp		/* rbp = frame, from here to the end */
	cld				/* C wants DF = 0; F_RFLAGS has the program's */
	and	$-64, %rsp
	VEC_SAVE
	mov	%rbp, %rdi
	call	zp_enter		/* rax = result, or ZPOLINE_DO_SYSCALL */
	cmp	$ZPOLINE_DO_SYSCALL, %rax
	jne	.Lreturn
	mov	F_HOW(%rbp), %r11
	test	$ZP_HOW_KIND, %r11d
	jnz	.Lspecial

/* An ordinary call: enter the kernel here, at the top level.  (swap.c
 * knows this syscall: a thread blocked in it has rbp = the frame.) */
	LOAD_CALL
	.globl	zp_plain_syscall
	.hidden	zp_plain_syscall
zp_plain_syscall:
	OWN_SYSCALL
	testl	$ZP_HOW_LEAVE, F_HOW(%rbp)
	jz	.Lreturn
.Lleave:				/* rax = result, rbp = frame */
	cld
	mov	%rbp, %rdi
	mov	%rax, %rsi
	call	zp_leave		/* the hook's after(), and our own */

/* Back to the program.  rax = result, rbp = frame, rsp = vector area. */
.Lreturn:
	VEC_RESTORE
	PROGRAM_ARGS
	RESTORE_FLAGS
	mov	F_RFLAGS(%rbp), %r11	/* r11 = rflags, as sysret leaves it */
	mov	F_RET(%rbp), %rcx	/* rcx = site+2 (the continuation sets it) */
	/* Nothing of the frame may be read once rsp is above it: a signal
	   delivered then would build its own frame over ours.  So rbp comes
	   back with a pop, the last read, and rsp then steps to the
	   program's.  mov, pop, lea, jmp: no flags touched. */
	lea	F_RBP(%rbp), %rsp
	pop	%rbp
	lea	(F_SIZE - F_RBP - 8 + ZP_REDZONE)(%rsp), %rsp
	jmp	*%rcx

/* ---------------------------------------------------------------------- */
/* Calls that depend on the stack or the registers of the caller.
 * In: r11 = F_HOW, rbp = frame, rsp = vector area (or aligned frame). */
.Lspecial:
	movzbl	%r11b, %r11d
	cmp	$ZP_HOW_TAIL, %r11d
	je	.Ltail
	cmp	$ZP_HOW_SIGRETURN, %r11d
	je	.Lsigreturn
	cmp	$ZP_HOW_NEWSTACK, %r11d
	je	.Lnewstack
	cmp	$ZP_HOW_SHARED, %r11d
	je	.Lshared
	jmp	.Lstray

/* The fast path: zp_enter found the call's arguments still equal to the
 * program's registers, and nothing to do after the call.  Restore
 * everything, rax = the number, and jump to the gate's `syscall`: the
 * kernel returns to the gate, which jumps straight back to the program. */
.Ltail:
	VEC_RESTORE
	PROGRAM_ARGS
	mov	F_NR(%rbp), %rax
	RESTORE_FLAGS			/* keeps rax */
	mov	F_TAIL(%rbp), %rcx
	lea	F_RBP(%rbp), %rsp	/* as at .Lreturn: rbp is the last read */
	pop	%rbp
	lea	(F_SIZE - F_RBP - 8 + ZP_REDZONE)(%rsp), %rsp
	jmp	*%rcx

/* rt_sigreturn: the kernel reads the signal frame at the program's rsp. */
.Lsigreturn:
	mov	F_NR(%rbp), %rax
	lea	(F_SIZE + ZP_REDZONE)(%rbp), %rsp
	OWN_SYSCALL
	ud2				/* rt_sigreturn does not return */

/* clone/clone3 whose child starts on a stack of its own.  zp_enter wrote
 * the return address (site+2) just below the child's stack pointer.  The
 * child gets the registers of the syscall instruction: the program's, with
 * the (possibly hook-changed) arguments, and the program's flags and
 * vector state.  The parent keeps this frame: its stack is not shared. */
.Lnewstack:
	VEC_RESTORE
	push	%rbp			/* (%rsp) = frame, for the parent */
	LOAD_CALL
	pushq	F_RFLAGS(%rbp)
	mov	F_RBP(%rbp), %rbp	/* the program's rbp */
	popfq				/* the program's flags, untouched below */
	OWN_SYSCALL
	mov	%rax, %rcx
	jrcxz	.Lnewstack_child	/* rax = 0: the child (no flags touched) */
	pop	%rbp			/* parent: rbp = frame again */
	testl	$ZP_HOW_LEAVE, F_HOW(%rbp)
	jz	.Lreturn
	jmp	.Lleave			/* .Lreturn restores the vectors again */
.Lnewstack_child:			/* rsp = the child's stack */
	mov	-8(%rsp), %rcx		/* rcx = site+2, as sysret leaves it */
	jmp	*%rcx

/* vfork, or clone(CLONE_VM) without a new stack: the child runs on the
 * program's stack, below its rsp, and overwrites whatever we keep there
 * before the parent resumes.  So the call is made with every register the
 * program's (rsp included), and both return through the thread-local
 * T_SHARED_RET that zp_enter set.  The parent then builds a new frame to
 * report the result (zp_shared_leave). */
.Lshared:
	VEC_RESTORE
	LOAD_CALL
	lea	(F_SIZE + ZP_REDZONE)(%rbp), %r11	/* the program's rsp */
	pushq	F_RFLAGS(%rbp)
	mov	F_RBP(%rbp), %rbp
	popfq
	mov	%r11, %rsp
	OWN_SYSCALL
	mov	%rax, %rcx
	jrcxz	.Lshared_return		/* the child: straight back */
	lea	-ZP_REDZONE(%rsp), %rsp	/* the parent: a new frame, as zp_entry */
	pushfq				/* F_RFLAGS */
	mov	zp_tls@gottpoff(%rip), %rcx
	pushq	%fs:T_SHARED_RET(%rcx)	/* F_RET */
	push	$0			/* F_TAIL */
	push	%rbp
	push	%r9
	push	%r8
	push	%r10
	push	%rdx
	push	%rsi
	push	%rdi
	push	$ZP_HOW_PLAIN		/* F_HOW */
	sub	$F_HOW, %rsp		/* struct zpoline_call: zp_shared_leave */
	mov	%rsp, %rbp
	cld
	and	$-64, %rsp
	VEC_SAVE
	mov	%rbp, %rdi
	mov	%rax, %rsi
	call	zp_shared_leave		/* rax = result */
	jmp	.Lreturn
.Lshared_return:
	mov	zp_tls@gottpoff(%rip), %rcx
	mov	%fs:T_SHARED_RET(%rcx), %rcx	/* rcx = site+2 */
	jmp	*%rcx

/* Not a rewritten site (a call through a null pointer, say): zp_enter has
 * said so on stderr.  Fault as that call would have, with the program's
 * registers and its return address back at -8(%rsp), in page 0's fault
 * bytes; the SIGSEGV goes to the program's own disposition. */
.Lstray:
	VEC_RESTORE
	LOAD_CALL
	mov	F_RET(%rbp), %rcx
	lea	(F_SIZE + ZP_REDZONE - 8)(%rbp), %r11
	mov	%rcx, (%r11)		/* the return address, where call put it */
	pushq	F_RFLAGS(%rbp)
	mov	F_RBP(%rbp), %rbp
	popfq
	mov	%r11, %rsp
	mov	$(ZP_PAGE - 1), %r11d	/* a hlt byte of page 0 */
	jmp	*%r11
	.size	zp_entry_gate, . - zp_entry_gate

/* ---------------------------------------------------------------------- */
/* long zp_raw_syscall(nr, a0, a1, a2, a3, a4, a5): the runtime's own calls
 * and the hook's next().  System V arguments to kernel registers. */
	.globl	zp_raw_syscall
	.hidden	zp_raw_syscall
	.type	zp_raw_syscall, @function
	.p2align 4
zp_raw_syscall:
	mov	%rdi, %rax
	mov	%rsi, %rdi
	mov	%rdx, %rsi
	mov	%rcx, %rdx
	mov	%r8, %r10
	mov	%r9, %r8
	mov	8(%rsp), %r9
	OWN_SYSCALL
	ret
	.size	zp_raw_syscall, . - zp_raw_syscall

/* The sa_restorer of the runtime's SIGSEGV handler. */
	.globl	zp_sigreturn_restorer
	.hidden	zp_sigreturn_restorer
	.type	zp_sigreturn_restorer, @function
	.p2align 4
zp_sigreturn_restorer:
	mov	$15, %eax		/* rt_sigreturn */
	OWN_SYSCALL
	ud2
	.size	zp_sigreturn_restorer, . - zp_sigreturn_restorer

/* long zp_safe_copy(void *dst, const void *src, size_t n): 0, or -EFAULT
 * if a byte cannot be read or written.  A fault between zp_safe_copy and
 * zp_safe_copy_fixup is resumed at zp_safe_copy_fixup by the SIGSEGV
 * handler.  Used for the program's pointers the runtime must follow
 * (clone3's arguments, sigaction's), where a bad pointer is the kernel's
 * EFAULT, not our crash. */
	.globl	zp_safe_copy, zp_safe_copy_fixup
	.hidden	zp_safe_copy, zp_safe_copy_fixup
	.type	zp_safe_copy, @function
	.p2align 4
zp_safe_copy:
	xor	%eax, %eax
	test	%rdx, %rdx
	jz	2f
1:	movzbl	(%rsi), %ecx
	mov	%cl, (%rdi)
	inc	%rsi
	inc	%rdi
	dec	%rdx
	jnz	1b
2:	ret
zp_safe_copy_fixup:
	mov	$-14, %rax		/* -EFAULT */
	ret
	.size	zp_safe_copy, . - zp_safe_copy

/* ---------------------------------------------------------------------- */
/* zp_vec_save: rdi = 64-byte aligned area of ZP_VEC_AREA bytes.
 * zp_vec_restore: rcx = that area.  Both keep every register but rcx,
 * r11 and the flags.  What a C hook may change and a real syscall does
 * not: the vector registers (SSE/AVX/AVX-512 by zp_vec_mode), the opmask
 * registers, MXCSR (its sticky exception flags), and the x87 status word
 * (its exception flags: repaired through fnstenv/fldenv in the rare case
 * the hook changed it).  The System V ABI has a C hook leave the x87
 * control word and the x87 stack as it found them. */
	.type	zp_vec_save, @function
	.p2align 4
zp_vec_save:
	stmxcsr	V_MXCSR(%rdi)
	fnstsw	V_FSW(%rdi)
	cmpb	$ZP_VEC_AVX, zp_vec_mode(%rip)
	je	.Lsave256
	ja	.Lsave512
	.irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqa	%xmm\r, (\r * 16)(%rdi)
	.endr
	ret
.Lsave256:
	.irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	vmovdqa	%ymm\r, (\r * 32)(%rdi)
	.endr
	ret
.Lsave512:
	.irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	vmovdqa64 %zmm\r, (\r * 64)(%rdi)
	.endr
	cmpb	$ZP_VEC_AVX512, zp_vec_mode(%rip)
	jne	.Lsavek16
	.irp r, 0,1,2,3,4,5,6,7
	kmovq	%k\r, (V_K + \r * 8)(%rdi)
	.endr
	ret
.Lsavek16:				/* AVX-512F without BW: 16-bit masks */
	.irp r, 0,1,2,3,4,5,6,7
	kmovw	%k\r, (V_K + \r * 8)(%rdi)
	.endr
	ret
	.size	zp_vec_save, . - zp_vec_save

	.type	zp_vec_restore, @function
	.p2align 4
zp_vec_restore:
	cmpb	$ZP_VEC_AVX, zp_vec_mode(%rip)
	je	.Lrest256
	ja	.Lrest512
	.irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqa	(\r * 16)(%rcx), %xmm\r
	.endr
	jmp	.Lrestctl
.Lrest256:
	.irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	vmovdqa	(\r * 32)(%rcx), %ymm\r
	.endr
	jmp	.Lrestctl
.Lrest512:
	.irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	vmovdqa64 (\r * 64)(%rcx), %zmm\r
	.endr
	cmpb	$ZP_VEC_AVX512, zp_vec_mode(%rip)
	jne	.Lrestk16
	.irp r, 0,1,2,3,4,5,6,7
	kmovq	(V_K + \r * 8)(%rcx), %k\r
	.endr
	jmp	.Lrestctl
.Lrestk16:
	.irp r, 0,1,2,3,4,5,6,7
	kmovw	(V_K + \r * 8)(%rcx), %k\r
	.endr
.Lrestctl:
	ldmxcsr	V_MXCSR(%rcx)
	fnstsw	V_ENV(%rcx)		/* the x87 status word: repair it */
	movzwl	V_ENV(%rcx), %r11d	/* only if the hook changed it */
	cmp	V_FSW(%rcx), %r11w
	jne	1f
	ret
1:	fnstenv	V_ENV(%rcx)		/* 28-byte image: cw at 0, sw at 4 */
	fldcw	V_ENV(%rcx)		/* (fnstenv masked the exceptions) */
	movzwl	V_FSW(%rcx), %r11d
	mov	%r11w, (V_ENV + 4)(%rcx)
	fldenv	V_ENV(%rcx)
	ret
	.size	zp_vec_restore, . - zp_vec_restore

/* ---------------------------------------------------------------------- */
/* The images zpoline.c copies into page 0 and the hop page. */
	.section .data.rel.ro, "aw"
	.globl	zp_page0_sled, zp_page0_sled_end, zp_hop_code, zp_hop_code_end
	.hidden	zp_page0_sled, zp_page0_sled_end, zp_hop_code, zp_hop_code_end
/* [0, ZP_SLED_END): blocks of fourteen 66 prefixes and a nop.  Entered at
 * any byte, each block decodes as one nop (at most 15 bytes long), so a
 * call to address nr reaches ZP_SLED_END in at most 35 instructions.  Then
 * jmp rel32 to the hop page; the displacement's bytes (f4 f4 f4 6c) fault
 * if a call lands on them. */
zp_page0_sled:
	.rept	ZP_SLED_END / 15
	.fill	14, 1, 0x66
	.byte	0x90
	.endr
	.fill	ZP_SLED_END % 15, 1, 0x90
	.byte	0xe9
	.long	ZP_HOP_REL
zp_page0_sled_end:
/* In the hop page: (%rsp) = site+2, pushed by the site's call.
 * pop %rcx; lea -2(%rcx), %r11; jmp *zp_entry (rcx and r11 are free). */
zp_hop_code:
	.byte	0x59			/* pop %rcx */
	.byte	0x4c, 0x8d, 0x59, 0xfe	/* lea -2(%rcx), %r11 */
	.byte	0xff, 0x25		/* jmp *0(%rip): the next 8 bytes */
	.long	0
	.quad	zp_entry
zp_hop_code_end:

	.section .note.GNU-stack, "", @progbits
