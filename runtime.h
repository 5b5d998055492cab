/*
 * runtime.h - what the files of libzpoline.so share (zpoline.c, rewrite.c,
 * dispatch.c, nsload.c, trampoline.S).  Nothing here is part of the hook
 * ABI (that is zpoline.h).
 *
 * The frame layout below is used by assembly and C alike: trampoline.S
 * builds a struct zp_frame with pushes, dispatch.c reads and writes it,
 * and dispatch.c checks with static assertions that the two agree.
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
#define F_TAIL 128 /* the `syscall` of the site's gate, or 0 (page 0) */
#define F_RET 136  /* where the program goes on: the gate's continuation,
		      or the rewritten site + 2 */
#define F_RFLAGS 144
#define F_SIZE 152 /* the program's rsp was base + F_SIZE + ZP_REDZONE */

/* F_HOW: the kind of call (low byte) and whether to call zp_leave after. */
#define ZP_HOW_PLAIN 0	  /* enter the kernel from the stub and return */
#define ZP_HOW_SIGRETURN 1 /* rt_sigreturn: rsp must be the program's */
#define ZP_HOW_NEWSTACK 2  /* clone/clone3 whose child gets its own stack */
#define ZP_HOW_SHARED 3	  /* vfork, clone(CLONE_VM) on the caller's stack */
#define ZP_HOW_STRAY 4	  /* not from a rewritten site: fault, as it would */
#define ZP_HOW_TAIL 5	  /* restore everything, enter the kernel from the
			     gate's own `syscall` (F_TAIL), which then jumps
			     straight back: nothing indirect after the call */
#define ZP_HOW_KIND 0xff
#define ZP_HOW_AFTER 0x100   /* zp_leave: pass the result to the hook */
#define ZP_HOW_REWRITE 0x200 /* zp_leave: note the code mmap mapped */
#define ZP_HOW_FDS 0x400     /* zp_leave: fds.c looks at the result */
#define ZP_HOW_SIGACT 0x800  /* zp_leave: the program's action in oact */
#define ZP_HOW_VMCHILD 0x1000 /* zp_leave (the parent): the vfork-like
				 child that shared the runtime is done */
#define ZP_HOW_LEAVE 0x1f00  /* the stub calls zp_leave(frame, result) */

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
#define T_SHARED_RET 16 /* where a vfork child and its parent return */

#include "zpoline.h"

/* Values of the table of sites (rewrite.c): kind << ZP_T_SHIFT | address. */
#define ZP_T_SHIFT 56
#define ZP_T_PAGE0 1 /* a page-0 site (`call *%rax`) */
#define ZP_T_CALL 2  /* a trap where a moved syscall was: make the call,
			going on at the gate's continuation (the address) */
#define ZP_T_GOTO 3  /* a trap at a moved instruction: go on at its copy */
#define ZP_T(kind, addr) ((uintptr_t)(kind) << ZP_T_SHIFT | (addr))

#ifndef __ASSEMBLER__
#include <elf.h>
#include <stddef.h>
#include <stdint.h>

/* ---- raw system calls: the runtime calls no libc on its own path ---- */
long zp_raw_syscall(long nr, long a0, long a1, long a2, long a3, long a4,
		    long a5);
#define sys0(n) zp_raw_syscall(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a) zp_raw_syscall(n, (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) zp_raw_syscall(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) \
	zp_raw_syscall(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) \
	zp_raw_syscall(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define sys6(n, a, b, c, d, e, f)                                         \
	zp_raw_syscall(n, (long)(a), (long)(b), (long)(c), (long)(d), \
		       (long)(e), (long)(f))

struct zp_frame {
	struct zpoline_call call;
	unsigned long how;
	unsigned long rdi, rsi, rdx, r10, r8, r9, rbp, tail, ret, rflags;
};

/* A private file mapping the thread made (rewrite.c: zp_note_mmap). */
#define ZP_PENDING_MAPS 8
struct zp_noted {
	int fd, prot;
	uintptr_t addr, len, off;	/* len 0: an empty note */
};
struct zp_pending {
	struct zp_noted map[ZP_PENDING_MAPS];
	unsigned next;	/* the oldest note, overwritten next */
	unsigned notes;	/* notes in use (len != 0) */
};

struct zp_thread {
	int in_hook;			  /* re-entry guard */
	int ns_ready;			  /* zp_ns_thread_init ran */
	int shared_leave;		  /* call zp_shared_leave after vfork */
	unsigned long shared_ret;	  /* T_SHARED_RET */
	struct zpoline_call shared_call;  /* the vfork-like call, for after */
	struct zp_pending pending;	  /* files mapped, until closed */
};
extern __thread struct zp_thread zp_tls
	__attribute__((tls_model("initial-exec"), visibility("hidden")));

/* ---- trampoline.S ---- */
extern char zp_entry[], zp_entry_gate[];	/* the two ways in */
extern const int32_t __start_zp_own[], __stop_zp_own[]; /* the runtime's
				own syscall instructions, each as an offset
				from its entry (OWN_SYSCALL) */
extern const unsigned char zp_page0_sled[], zp_page0_sled_end[];
extern const unsigned char zp_hop_code[], zp_hop_code_end[];
long zp_safe_copy(void *dst, const void *src, size_t n); /* 0 or -EFAULT */
extern char zp_safe_copy_fixup[];
void zp_sigreturn_restorer(void);
extern unsigned char zp_vec_mode;

/* ---- dispatch.c ---- */
long zp_enter(struct zp_frame *f);		/* from trampoline.S */
long zp_leave(struct zp_frame *f, long result);
long zp_shared_leave(struct zp_frame *f, long result);
int zp_page0_prepare(void);	/* 0: page-0 sites work; -1: page 0 taken */
int zp_install_handlers(void);	/* SIGSEGV and SIGILL; 0 or -errno */
void zp_signals_start(void (*on_signal)(int, const void *)); /* init->signal */
void zp_record_start(void);	/* calls before the hook: recorded */
size_t zp_record_replay(void (*earlier)(const struct zpoline_call *, long));
void zp_dispatch_init(void);
long zp_next(struct zpoline_call *c);		/* init->next */
extern zpoline_hook_fn zp_hook;
extern void (*zp_after)(const struct zpoline_call *, long);
extern void (*zp_flush)(void);
extern int zp_loading_hook;	/* mappings made now are the hook's */

/* ---- rewrite.c ---- */
/* An executable segment as mapped: its code [lo, hi) and its mapping. */
struct zp_seg {
	uintptr_t lo, hi;
	int prot;	/* the mapping's protection, restored after writing */
};
/* A growable array of plans, in anonymous memory. */
struct zp_plans {
	struct zp_plan *p;
	size_t n, cap;
};
void zp_rewrite_loaded(void);	/* start-up: every object loaded */
void zp_note_mmap(const struct zpoline_call *c, uintptr_t addr);
void zp_note_close(int fd);
uintptr_t zp_site_lookup(uintptr_t a);	/* the table's value, or 0 */
const char *zp_describe(uintptr_t a, char *name, size_t size,
			uintptr_t *off);	/* the file mapped at a */
extern unsigned zp_allowed_kinds; /* 1 << enum zp_kind, by ZPOLINE_SITES */
extern int zp_page0_fault_only;   /* ZPOLINE_SITES=fault: never map page 0 */
enum { ZP_T_OBJECTS, ZP_T_FIND, ZP_T_PLAN, ZP_T_GATES, ZP_T_WRITE, ZP_T_N };
struct zp_counts {
	size_t kind[3];	 /* sites rewritten, by enum zp_kind */
	size_t unplaced; /* candidates left alone */
	size_t faults;	 /* calls that took the fault path (dispatch.c) */
	unsigned long ns[ZP_T_N]; /* ZPOLINE_VERBOSE: where start-up went */
};
extern struct zp_counts zp_counts;

/* ---- fds.c ---- */
void zp_fds_init(void);
int zp_own_fd(int *fdp);	/* init->own_fd */
int zp_fds_active(void);	/* some descriptor is a hook's own */
long zp_fds_check(const struct zpoline_call *c, unsigned *how);
long zp_fds_after(const struct zpoline_call *c, long result);

/* ---- cache.c ---- */
/* What an object's cached plan is valid for: its file, and the kinds
 * allowed.  All fields 64 bits: no padding, compared bytewise. */
struct zp_cache_key {
	uint64_t dev, ino, size, mtime_s, mtime_ns, ctime_s, ctime_ns, allow;
};
void zp_cache_init(const char *dir_setting, const char *xdg, const char *home);
int zp_cache_load(const struct zp_cache_key *k, uintptr_t bias,
		  const struct zp_seg *g, size_t ng, struct zp_plans *ps,
		  size_t *first, size_t *unplaced);	/* 0: ps, first set */
void zp_cache_store(const struct zp_cache_key *k, uintptr_t bias,
		    const struct zp_seg *g, size_t ng, const struct zp_plans *ps,
		    const size_t *first, size_t unplaced);
void zp_cache_done(void);	/* start-up is over */

/* ---- nsload.c ---- */
zpoline_hook_fn zp_load_hook(const char *path, struct zpoline_init *init);
void zp_ns_flush(void);
void zp_ns_thread_init(void);	/* a thread's first entry into the hook */
const char *zp_default_hook_path(char *buf, size_t n);

/* ---- zpoline.c: messages and memory, without libc ---- */
extern int zp_verbose;
/* One line "zpoline: a b c ..." on stderr, in one raw write; the
 * arguments end with NULL. */
void zp_say(const char *s, ...) __attribute__((sentinel));
const char *zp_hex(char *buf, unsigned long v);	/* buf: 19 bytes */
const char *zp_dec(char *buf, unsigned long v);	/* buf: 19 bytes */
const char *zp_errname(long err);
void *zp_mmap(size_t len);	/* anonymous, read-write; NULL on failure */
void zp_copy(void *dst, const void *src, size_t n);
int zp_ehdr_ok(const Elf64_Ehdr *eh);	/* an x86-64 ELF header */
unsigned long zp_now_ns(void);		/* CLOCK_MONOTONIC */

#endif /* __ASSEMBLER__ */
#endif /* ZP_RUNTIME_H */
