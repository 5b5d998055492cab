/*
 * runtime.h - what the files of libzpoline.so share (zpoline.c, rewrite.c,
 * dispatch.c, chain.c, swap.c, unwind.c, nsload.c, trampoline.S, ...).
 * Nothing here is part of the hook ABI (that is zpoline.h).
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
#define ZP_HOW_SECTION 0x2000 /* zp_leave: the call holds a chain slot (swap.c) */
#define ZP_HOW_LEAVE 0x3f00  /* the stub calls zp_leave(frame, result) */
#define ZP_HOW_SLOT_SHIFT 16 /* with ZP_HOW_SECTION: which slot */

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
#include <signal.h>
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

#define ZP_SLOTS 4	/* chains loaded at once: the current one, and
			   older ones until no call uses them (swap.c) */
#define ZP_APP_NEST 8	/* program handlers running on a thread, counted */

struct zp_chain;
struct zp_thread {
	int in_hook;			  /* re-entry guard */
	int ns_ready;			  /* zp_ns_thread_init ran */
	int shared_leave;		  /* call zp_shared_leave after vfork */
	unsigned long shared_ret;	  /* T_SHARED_RET */
	struct zpoline_call shared_call;  /* the vfork-like call, for after */
	struct zp_pending pending;	  /* files mapped, until closed */

	/* chain.c: the hook of a chain that runs now (in_hook set) */
	const struct zp_chain *cur_chain;
	unsigned chain_k;		  /* its index in the chain */
	int chain_through;		  /* its next() let through a call only
					     the stub can make */
	/* swap.c: only when swapping is on */
	unsigned uses[ZP_SLOTS];	  /* calls of this thread inside the
					     chain of each slot */
	unsigned ns_gen;		  /* the chain whose namespaces it set up */
	int registered;			  /* in the list of threads */
	int shared_slot;		  /* the vfork-like call's slot + 1, or 0 */
	int in_vfork;			  /* a vfork-like call is under way: its
					     child runs on this memory
					     (dispatch.c) */
	unsigned vfork_uses[ZP_SLOTS];	  /* uses[] when it started */
	unsigned app_depth;		  /* program handlers running (dispatch.c) */
	uintptr_t app_uc[ZP_APP_NEST];	  /* ... and their signal frames */
	unsigned app_seq;		  /* program handlers started, ever */
	uintptr_t eintr_frame;		  /* a stub call a program handler
					     interrupted (its frame) */
	unsigned tick;			  /* calls, to space out retire attempts */
};
extern __thread struct zp_thread zp_tls
	__attribute__((tls_model("initial-exec"), visibility("hidden")));

/* ---- trampoline.S ---- */
extern char zp_entry[], zp_entry_gate[];	/* the two ways in */
extern char zp_plain_syscall[];	/* the stub's `syscall` of ordinary calls
				   (rbp = the frame there) */
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
extern unsigned zp_fds_owner;	/* the hook loading now: tags own_fd's */
void zp_fds_orphan(unsigned owner);	/* stop updating its variables */
void zp_fds_drop(unsigned owner);	/* close its descriptors */

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

/* ---- chain.c: the hooks in use ---- */
#define ZP_HOOKS_MAX 15	/* glibc's DL_NNS is 16, one of them the program's */
struct zp_hook {	/* one hook library, loaded */
	zpoline_hook_fn fn;
	void (*after)(const struct zpoline_call *, long);
	void (*flush)(void);
	void (*signal)(int, const void *);
	void (*earlier)(const struct zpoline_call *, long);
	int (*ns_fflush)(void *);	/* its namespace's fflush */
	void (*ns_ctype_init)(void);	/* its namespace's __ctype_init */
	void *handle;		/* dlmopen's; NULL: in the program's namespace */
	unsigned flags;		/* ZPOLINE_HOOK_* */
	unsigned owner;		/* the tag of its own descriptors (fds.c) */
	const char *path;
};
struct zp_chain {
	unsigned n;		/* hooks, called h[0] first */
	unsigned gen;		/* unique to this load: zp_tls.ns_gen */
	int any_after, any_signal;
	int no_vector;		/* every hook has ZPOLINE_HOOK_NO_VECTOR */
	struct zp_hook h[ZP_HOOKS_MAX];
	size_t used;		/* bytes of paths in use */
	char paths[4096];	/* the paths h[].path point to */
};
extern struct zp_chain zp_chains[ZP_SLOTS];	/* [0]: the start-up chain */
unsigned zp_chain_load(struct zp_chain *ch, const char *list);
void zp_chain_add_fn(struct zp_chain *ch, zpoline_hook_fn fn);
void zp_chain_summarise(struct zp_chain *ch);
void zp_chain_unload(struct zp_chain *ch);
long zp_chain_run(const struct zp_chain *ch, unsigned from,
		  struct zpoline_call *c);
void zp_chain_after(const struct zp_chain *ch, const struct zpoline_call *c,
		    long r);
long zp_chain_next(struct zpoline_call *c);	/* init->next in a chain */
void zp_chain_flush(const struct zp_chain *ch);
void zp_chain_signal(const struct zp_chain *ch, int sig, const void *si);
void zp_chain_thread_init(const struct zp_chain *ch);
size_t zp_chain_replay(const struct zp_chain *ch);
void zp_chain_start(void);	/* publish zp_chains[0] (swapping off) */
void zp_ns_thread_init(void);	/* a thread's first entry into the hooks */

/* ---- swap.c: replacing the chain of a running process ---- */
/* (hidden: read on every call, without going through the GOT) */
extern int zp_swap_sig __attribute__((visibility("hidden"))); /* the signal
				   of swap requests, or 0 */
extern int zp_swap_on __attribute__((visibility("hidden"))); /* calls go
				   through zp_enter_tracked */
extern volatile int zp_swap_work __attribute__((visibility("hidden")));
				/* a request, or a chain to unload */
extern volatile unsigned zp_cur; /* the slot of the chain calls take */
int zp_swap_setting(const char *v);	/* ZPOLINE_SWAP: 0 or -1 */
void zp_swap_start(void);	/* after the start-up chain is loaded */
unsigned zp_section_enter(void);	/* the current slot, held */
void zp_section_leave(unsigned slot);
void zp_swap_point(const struct zp_frame *f);	/* maybe do the work now */
int zp_swap_signal(int sig, siginfo_t *si, void *uc); /* 1: consumed */
void zp_swap_thread_exit(void);	/* a thread's exit: forget it */
void zp_swap_forked(void);	/* the child of a fork */
void zp_swap_flush_all(void);	/* before exit or exec: every chain */

/* ---- unwind.c: where a call comes from ---- */
int zp_unwind_init(void);	/* start-up, libc ready: the number of
				   wrappers known, or -1 */
int zp_called_from_outside(uintptr_t pc, uintptr_t sp, uintptr_t bp);

/* ---- nsload.c ---- */
int zp_load_hook(const char *path, struct zpoline_init *init,
		 struct zp_hook *h, const char **limit);
void zp_unload_hook(struct zp_hook *h);
const char *zp_default_hook_path(char *buf, size_t n);

/* ---- zpoline.c: settings, messages and memory, without libc ---- */
extern int zp_verbose;
extern int zp_embedded;		/* started by zpoline_start (libzpoline.a) */
void zp_start(void);		/* start-up, part one (preload.c, zpoline_start) */
void zp_start_hooks(void);	/* part two: ZPOLINE_HOOK's hooks */
const char *zp_setting(const char *name);	/* init->setting */
const char *zp_getenv(const char *name);	/* the initial environment */
void zp_say_into(char *buf, size_t size);	/* zp_say appends there
						   (NULL: stderr again) */
/* One line "zpoline: a b c ..." on stderr, in one raw write; the
 * arguments end with NULL. */
void zp_say(const char *s, ...) __attribute__((sentinel));
void zp_cat(char *buf, size_t size, const char *s, ...) __attribute__((sentinel));
const char *zp_hex(char *buf, unsigned long v);	/* buf: 19 bytes */
const char *zp_dec(char *buf, unsigned long v);	/* buf: 19 bytes */
const char *zp_errname(long err);
void *zp_mmap(size_t len);	/* anonymous, read-write; NULL on failure */
void zp_copy(void *dst, const void *src, size_t n);
int zp_ehdr_ok(const Elf64_Ehdr *eh);	/* an x86-64 ELF header */
unsigned long zp_now_ns(void);		/* CLOCK_MONOTONIC */

#endif /* __ASSEMBLER__ */
#endif /* ZP_RUNTIME_H */
