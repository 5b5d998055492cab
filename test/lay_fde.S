/*
 * lay_fde.S - byte pairs 0f 05 at the end of a function's FDE range.
 *
 *   after_ret: the function ends with `ret`; the two bytes after its FDE
 *              are data that look like syscall.  Not a site: the runtime
 *              must leave them alone (the program reads them back).
 *   clone_like: the FDE closes just before a syscall that its last
 *              instruction falls into, as glibc's clone does.  A site:
 *              getppid through it must reach the hook.
 *
 * long fde_data(void): the two data bytes, as a little-endian word.
 * long fde_call(void): getppid() through the syscall after the FDE.
 */
	.text
	.globl	fde_data, fde_call

	.type	after_ret, @function
after_ret:
	.cfi_startproc
	mov	$1, %eax
	ret
	.cfi_endproc
looks_like_syscall:
	.byte	0x0f, 0x05
	.size	after_ret, . - after_ret

	.type	fde_data, @function
fde_data:
	.cfi_startproc
	movzwl	looks_like_syscall(%rip), %eax
	ret
	.cfi_endproc
	.size	fde_data, . - fde_data

	.type	fde_call, @function
fde_call:
	.cfi_startproc
	mov	$110, %eax
	.cfi_endproc
	syscall
	ret
	.size	fde_call, . - fde_call

	.section .note.GNU-stack, "", @progbits
