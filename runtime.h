/*
 * runtime.h - what zpoline.c, nsload.c and trampoline.S share inside
 * libzpoline.so.  Nothing here is part of the hook ABI (that is zpoline.h).
 *
 * The frame layout below is used by assembly and C alike: trampoline.S
 * builds a struct zp_frame with pushes, zpoline.c reads and writes it, and
 * zpoline.c checks with static assertions that the two agree.
 */
#ifndef ZP_RUNTIME_H
#define ZP_RUNTIME_H

#define ZP_REDZONE 128 /* System V: bytes below rsp a leaf may use */

/*
 * Page 0: a sled of valid syscall numbers [0, ZP_SLED_END), then at
 * ZP_SLED_END a `jmp rel32` to the far jump in the hop page.  The jmp's
 * four displacement bytes and everything after them in page 0 are bytes
 * that fault when executed (hlt, ins): a call that lands there, with a
 * number that is no system call, ends in the SIGSEGV handler, which sends
 * it on to the stub like any other.  ZP_HOP_REL is that displacement.
 */
#define ZP_PAGE 4096
#define ZP_SLED_END 512
#define ZP_HOP_REL 0x6cf4f4f4 /* bytes f4 f4 f4 6c: hlt, hlt, hlt, insb */

/* struct zp_frame: byte offsets from its base (the stub keeps it in rbp). */
#define F_NR 0	   /* struct zpoline_call: what the hook sees ... */
#define F_ARG0 8   /* rdi */
#define F_ARG1 16  /* rsi */
#define F_ARG2 24  /* rdx */
#define F_ARG3 32  /* r10 */
#define F_ARG4 40  /* r8 */
#define F_ARG5 48  /* r9 */
#define F_SITE 56  /* ... end of struct zpoline_call */
#define F_HOW 64   /* ZP_HOW_*: what the stub does after zp_enter */
#define F_RDI 72   /* the program's registers, restored on return */
#define F_RSI 80
#define F_RDX 88
#define F_R10 96
#define F_R8 104
#define F_R9 112
#define F_RBP 120
#define F_RET 128  /* return address: the rewritten site + 2 */
#define F_RFLAGS 136
#define F_SIZE 144 /* the program's rsp was base + F_SIZE + ZP_REDZONE */

/* F_HOW: the kind of call (low byte) and whether to call zp_leave after. */
#define ZP_HOW_PLAIN 0	  /* enter the kernel from the stub and return */
#define ZP_HOW_SIGRETURN 1 /* rt_sigreturn: rsp must be the program's */
#define ZP_HOW_NEWSTACK 2  /* clone/clone3 whose child gets its own stack */
#define ZP_HOW_SHARED 3	  /* vfork, clone(CLONE_VM) on the caller's stack */
#define ZP_HOW_STRAY 4	  /* not from a rewritten site: fault, as it would */
#define ZP_HOW_KIND 0xff
#define ZP_HOW_AFTER 0x100   /* zp_leave: pass the result to the hook */
#define ZP_HOW_REWRITE 0x200 /* zp_leave: rewrite the code mmap mapped */
#define ZP_HOW_LEAVE 0x300   /* the stub calls zp_leave(frame, result) */

/* Vector-state saving, chosen at start-up (zp_vec_mode). */
#define ZP_VEC_NONE 0	/* the hook declared ZPOLINE_HOOK_NO_VECTOR */
#define ZP_VEC_SSE 1	/* xmm0-15 */
#define ZP_VEC_AVX 2	/* ymm0-15 */
#define ZP_VEC_AVX512 3 /* zmm0-31, k0-7 (64-bit, AVX-512BW) */
#define ZP_VEC_AVX512F 4 /* zmm0-31, k0-7 (16-bit: AVX-512F alone) */
#define ZP_VEC_AREA 2176 /* bytes: 32 x 64 zmm, 8 x 8 k, mxcsr, x87 sw */
#define V_K 2048
#define V_MXCSR 2112
#define V_FSW 2116
#define V_ENV 2120 /* 28-byte fnstenv image for the rare x87 repair */

/* struct zp_thread (thread-local): offsets used by the stub. */
#define T_SHARED_RET 8 /* where a vfork child and its parent return */

#include "zpoline.h"

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct zp_frame {
	struct zpoline_call call;
	unsigned long how;
	unsigned long rdi, rsi, rdx, r10, r8, r9, rbp, ret, rflags;
};

struct zp_thread {
	int in_hook;			  /* re-entry guard */
	int shared_leave;		  /* call zp_shared_leave after vfork */
	unsigned long shared_ret;	  /* T_SHARED_RET */
	struct zpoline_call shared_call;  /* the vfork-like call, for after */
};

/* trampoline.S */
extern char zp_entry[];			 /* where the hop page jumps to */
extern const int32_t __start_zp_own[], __stop_zp_own[]; /* the runtime's
				own syscall instructions, each as an offset
				from its entry (OWN_SYSCALL) */
extern const unsigned char zp_page0_sled[], zp_page0_sled_end[];
extern const unsigned char zp_hop_code[], zp_hop_code_end[];
long zp_raw_syscall(long nr, long a0, long a1, long a2, long a3, long a4,
		    long a5);
long zp_safe_copy(void *dst, const void *src, size_t n); /* 0 or -EFAULT */
extern char zp_safe_copy_fixup[];
void zp_sigreturn_restorer(void);
extern unsigned char zp_vec_mode;

/* zpoline.c, called from trampoline.S */
long zp_enter(struct zp_frame *f);
long zp_leave(struct zp_frame *f, long result);
long zp_shared_leave(struct zp_frame *f, long result);

/* nsload.c */
zpoline_hook_fn zp_load_hook(const char *path, struct zpoline_init *init);
void zp_ns_flush(void);
const char *zp_default_hook_path(char *buf, size_t n);

/* zpoline.c: one line "zpoline: a b c ..." on stderr, in one raw write;
 * the arguments end with NULL. */
void zp_say(const char *s, ...) __attribute__((sentinel));

#endif /* __ASSEMBLER__ */
#endif /* ZP_RUNTIME_H */
