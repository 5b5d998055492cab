/*
 * dispatch.c - what happens on every system call of the program, between
 * the stub (trampoline.S) and the hook, and the signals the runtime needs.
 *
 *   zp_enter        called by the stub for every call: the site check,
 *                   the re-entry guard, the hook (one: zp_hook; several:
 *                   chain.c), and how the stub must make the call (struct
 *                   zp_frame's how);
 *   zp_enter_tracked  the same when swapping is on (swap.c): the call holds
 *                   the slot of the chain it runs in until its last after;
 *   zp_leave        after the call, when the hook wants the result or the
 *                   runtime must note a mapping;
 *   zp_special      the calls that need the runtime: clone, vfork,
 *                   rt_sigreturn (made by the stub with the program's
 *                   stack), signal actions for SIGSEGV and SIGILL, mmap and
 *                   close (libraries mapped later: rewrite.c), calls that
 *                   touch the trampoline, and the ends of a process;
 *   the handler     SIGSEGV and SIGILL: traps at moved instructions, calls
 *                   of page-0 sites that fault, and everything else passed
 *                   to the program's own action;
 *   page 0          mapped on first need (zp_page0_prepare).
 *
 * Invariants:
 *   - No libc, no lock, no vector registers (-mgeneral-regs-only), no
 *     struct copies the compiler could turn into memcpy: libc's own
 *     system calls come through here.  The kernel is entered with
 *     zp_raw_syscall or from trampoline.S.
 *   - The program sees its own actions for SIGSEGV and SIGILL through
 *     rt_sigaction; the runtime's handler stays installed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>

#include "runtime.h"
#include "zpoline.h"

/* ------------------------------------------------------------------------
 * The hook in use, and the thread-local state of the dispatch path.
 */

static long zp_builtin_hook(struct zpoline_call *c)
{
	return ZPOLINE_DO_SYSCALL;
}

zpoline_hook_fn zp_hook = zp_builtin_hook;
void (*zp_after)(const struct zpoline_call *, long);
int zp_loading_hook;
unsigned char zp_vec_mode = ZP_VEC_NONE;

__thread struct zp_thread zp_tls __attribute__((tls_model("initial-exec"),
						 visibility("hidden")));

_Static_assert(offsetof(struct zp_frame, call.nr) == F_NR, "frame");
_Static_assert(offsetof(struct zp_frame, call.args[0]) == F_ARG0, "frame");
_Static_assert(offsetof(struct zp_frame, call.args[5]) == F_ARG5, "frame");
_Static_assert(offsetof(struct zp_frame, call.site) == F_SITE, "frame");
_Static_assert(offsetof(struct zp_frame, how) == F_HOW, "frame");
_Static_assert(offsetof(struct zp_frame, rdi) == F_RDI, "frame");
_Static_assert(offsetof(struct zp_frame, r9) == F_R9, "frame");
_Static_assert(offsetof(struct zp_frame, rbp) == F_RBP, "frame");
_Static_assert(offsetof(struct zp_frame, tail) == F_TAIL, "frame");
_Static_assert(offsetof(struct zp_frame, ret) == F_RET, "frame");
_Static_assert(offsetof(struct zp_frame, rflags) == F_RFLAGS, "frame");
_Static_assert(sizeof(struct zp_frame) == F_SIZE, "frame");
_Static_assert(offsetof(struct zp_thread, shared_ret) == T_SHARED_RET, "tls");

static void zp_copy_call(struct zpoline_call *d, const struct zpoline_call *s)
{
	d->nr = s->nr;
	for (int i = 0; i < 6; i++)
		d->args[i] = s->args[i];
	d->site = s->site;
}

static void zp_call_after(const struct zpoline_call *c, long result)
{
	zp_tls.in_hook = 1;
	zp_after(c, result);
	zp_tls.in_hook = 0;
}

/* Before the process ends or execs: let the hooks flush what they keep. */
static void zp_flush_hook(void)
{
	zp_tls.in_hook = 1;
	if (zp_swap_on)
		zp_swap_flush_all();
	else
		zp_chain_flush(&zp_chains[0]);
	zp_tls.in_hook = 0;
}

/* ------------------------------------------------------------------------
 * The calls made before the hook is loaded: from the runtime's start (in
 * the middle of ld.so's relocation, see zpoline.c) to the end of the
 * hook's loading, a built-in hook records each call with its result;
 * they are then handed to the hook's init->earlier, in order.
 */

#define ZP_EARLY_MAX 16384
struct zp_early {
	struct zpoline_call call;
	long result;
};
static struct zp_early *zp_early;
static size_t zp_nearly, zp_early_lost;

static void zp_record(const struct zpoline_call *c, long result)
{
	size_t i = __atomic_fetch_add(&zp_nearly, 1, __ATOMIC_RELAXED);
	if (i >= ZP_EARLY_MAX) {
		__atomic_fetch_add(&zp_early_lost, 1, __ATOMIC_RELAXED);
		return;
	}
	zp_copy_call(&zp_early[i].call, c);
	zp_early[i].result = result;
}

void zp_record_start(void)
{
	zp_early = zp_mmap(ZP_EARLY_MAX * sizeof *zp_early);
	if (zp_early)
		zp_after = zp_record;
}

/* Ends the recording; hands the calls to earlier (if set) with the
 * re-entry guard held.  Returns how many were lost (buffer full). */
size_t zp_record_replay(void (*earlier)(const struct zpoline_call *, long))
{
	size_t n = zp_nearly < ZP_EARLY_MAX ? zp_nearly : ZP_EARLY_MAX;
	if (zp_after == zp_record)
		zp_after = 0;
	if (earlier) {
		zp_tls.in_hook = 1;
		for (size_t i = 0; i < n; i++)
			earlier(&zp_early[i].call, zp_early[i].result);
		zp_tls.in_hook = 0;
	}
	/* The buffer stays mapped (its untouched pages cost nothing): an
	   munmap here would be a call of the runtime's in the program's run. */
	return zp_early_lost;
}

/* ------------------------------------------------------------------------
 * Page 0 and the hop page, for page-0 sites: mapped on first need.
 */

#define ZP_HOP_TARGET (ZP_SLED_END + 5 + (uintptr_t)ZP_HOP_REL)
#define ZP_HOP_PAGE (ZP_HOP_TARGET & ~(uintptr_t)(ZP_PAGE - 1))
#define ZP_HLT 0xf4

enum { ZP_P0_UNTRIED, ZP_P0_SLED, ZP_P0_FAULT, ZP_P0_TAKEN };
static int zp_page0 = ZP_P0_UNTRIED;
int zp_page0_fault_only;

/* Map one page of the trampoline at addr: hlt everywhere, then code. */
static long zp_map_code_page(uintptr_t addr, const unsigned char *code,
			     size_t len, size_t at)
{
	long r = sys6(SYS_mmap, addr, ZP_PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (r < 0)
		return r;
	if ((uintptr_t)r != addr) { /* a kernel without MAP_FIXED_NOREPLACE */
		sys2(SYS_munmap, r, ZP_PAGE);
		return -EEXIST;
	}
	volatile unsigned char *p = (volatile unsigned char *)addr;
	for (size_t i = 0; i < ZP_PAGE; i++)
		p[i] = ZP_HLT;
	for (size_t i = 0; i < len; i++)
		p[at + i] = code[i];
	/* Execute only; where the CPU has protection keys, that means the
	   program cannot read it either. */
	return sys3(SYS_mprotect, addr, ZP_PAGE, PROT_EXEC);
}

/*
 * Makes page-0 sites work: the sled at page 0 if it can be mapped, else
 * the fault path (each such call faults at address nr, and the SIGSEGV
 * handler makes it: slow, but the same calls).  -1 when the program
 * mapped page 0 itself: a `call *%rax` would run its code.
 */
int zp_page0_prepare(void)
{
	char b1[20], b2[20];
	long r;

	if (zp_page0 != ZP_P0_UNTRIED)
		return zp_page0 == ZP_P0_TAKEN ? -1 : 0;
	zp_page0 = ZP_P0_FAULT;
	if (zp_page0_fault_only)
		return 0;
	r = zp_map_code_page(0, zp_page0_sled, zp_page0_sled_end - zp_page0_sled, 0);
	if (r == -EEXIST) {
		zp_page0 = ZP_P0_TAKEN;
		return -1;
	}
	if (r < 0) {
		if (zp_verbose)
			zp_say("page 0: cannot map it (", zp_errname(r),
			       "); its sites take the fault path", NULL);
		return 0;
	}
	r = zp_map_code_page(ZP_HOP_PAGE, zp_hop_code,
			     zp_hop_code_end - zp_hop_code,
			     ZP_HOP_TARGET - ZP_HOP_PAGE);
	if (r < 0) {
		if (zp_verbose)
			zp_say("page 0: cannot map the hop page at ",
			       zp_hex(b1, ZP_HOP_PAGE), " (", zp_errname(r),
			       "); page-0 sites take the fault path", NULL);
		sys2(SYS_munmap, 0, ZP_PAGE);
		return 0;
	}
	zp_page0 = ZP_P0_SLED;
	if (zp_verbose)
		zp_say("page 0: sled at 0x0-", zp_hex(b1, ZP_SLED_END - 1),
		       ", hop page at ", zp_hex(b2, ZP_HOP_PAGE), NULL);
	return 0;
}

/* Does [a, a+len) touch what page-0 sites rely on: the sled and the hop
 * page, or (the fault path) page 0 staying unmapped? */
static int zp_touches_trampoline(uintptr_t a, uintptr_t len)
{
	uintptr_t e = a + len;
	if (zp_page0 != ZP_P0_SLED && zp_page0 != ZP_P0_FAULT)
		return 0;
	if (len && e < a)
		return 1;
	if (a < ZP_PAGE && len)
		return 1;
	return zp_page0 == ZP_P0_SLED && a < ZP_HOP_PAGE + ZP_PAGE &&
	       e > ZP_HOP_PAGE;
}

/* ------------------------------------------------------------------------
 * Signals.  The runtime keeps its handler installed for SIGSEGV and SIGILL
 * (traps, page-0 faults), and in place of every handler the program
 * installs (so that it can tell the hook, init->signal, of deliveries).
 * For such a "wrapped" signal it holds the program's own action, which
 * rt_sigaction reads and writes instead; a delivery it does not consume
 * goes to the program's handler, which then returns through the program's
 * own restorer, as natively (so the hook sees the rt_sigreturn that ends
 * it).  Every other rt_sigaction goes to the kernel untouched: the
 * runtime makes no call of its own for it, and the kernel's answer is the
 * program's.  At start-up no handler is installed yet (the runtime starts
 * before any constructor); SIG_IGN inherited through execve is the
 * kernel's to keep.
 */

struct zp_ksigaction { /* the kernel's struct sigaction on x86-64 */
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long mask;
};

#define ZP_SA_RESTORER 0x04000000
#define ZP_NSIG 65
static struct zp_ksigaction zp_app_act[ZP_NSIG]; /* the program's actions */
static uint64_t zp_wrapped;	/* bit sig - 1: zp_app_act[sig] is in use */
void (*zp_on_signal)(int sig, const void *si);	/* the hook's init->signal */

static void zp_handler(int sig, siginfo_t *si, void *ucv);

/* Set while a child that shares the runtime's memory but not its signal
 * actions runs (vfork, posix_spawn's clone): see zp_special's clone. */
static int zp_in_vmchild;

static int zp_is_wrapped(long sig)
{
	return sig >= 1 && sig < ZP_NSIG && (zp_wrapped >> (sig - 1) & 1);
}

/* Does the runtime keep its handler on sig, whatever the program's action?
 * SIGSEGV and SIGILL (its traps), and the swap signal (swap.c). */
static int zp_keeps(long sig)
{
	return sig == SIGSEGV || sig == SIGILL || (zp_swap_sig && sig == zp_swap_sig);
}

static int zp_is_handler(const struct zp_ksigaction *a)
{
	return a->handler != SIG_DFL && a->handler != SIG_IGN;
}

/*
 * Installs the program's action a for sig, with the runtime's handler in
 * its place where needed (sig is SIGSEGV or SIGILL, or a is a handler);
 * *old gets the program's previous action (from the kernel, when it had
 * it).  0 or -errno.
 */
static long zp_set_action(int sig, const struct zp_ksigaction *a,
			  struct zp_ksigaction *old)
{
	struct zp_ksigaction k = *a, kold;
	int keep = zp_keeps(sig), wrap = keep || zp_is_handler(a);
	long r;
	if (wrap) {
		/* SA_RESETHAND: the kernel resets the runtime's handler too,
		   but for SIGSEGV and SIGILL, which the runtime keeps (it
		   resets the program's action itself). */
		k.handler = (void *)zp_handler;
		k.flags = SA_SIGINFO | ZP_SA_RESTORER |
			  (a->flags & (SA_ONSTACK | SA_NODEFER | SA_RESTART |
				       (keep ? 0 : SA_RESETHAND)));
		k.restorer = (void *)zp_sigreturn_restorer;
		/* Swap requests, where the program has no handler of its own:
		   the calls they interrupt start again (swap.c restarts those
		   the kernel does not). */
		if (sig == zp_swap_sig && !zp_is_handler(a))
			k.flags |= SA_RESTART;
	}
	r = sys4(SYS_rt_sigaction, sig, &k, &kold, sizeof k.mask);
	if (r < 0)
		return r;
	if (old)
		*old = zp_is_wrapped(sig) ? zp_app_act[sig] : kold;
	zp_app_act[sig] = *a;
	if (wrap)
		zp_wrapped |= 1ul << (sig - 1);
	else
		zp_wrapped &= ~(1ul << (sig - 1));
	return 0;
}

/* SIGSEGV and SIGILL (and the swap signal), at start-up: the runtime's
 * handler, with the program's action (the default, or SIG_IGN from before
 * execve) kept.  Embedded (zpoline_start, from the program's main), also
 * the handlers the program has installed so far: every handler is
 * wrapped, as when the runtime starts before the program. */
int zp_install_handlers(void)
{
	for (int sig = 1; sig < ZP_NSIG; sig++) {
		struct zp_ksigaction cur;
		long r;
		if (!zp_keeps(sig) && (!zp_embedded || sig == SIGKILL || sig == SIGSTOP))
			continue;
		r = sys4(SYS_rt_sigaction, sig, 0, &cur, sizeof cur.mask);
		if (r < 0 && zp_keeps(sig))
			return r;
		if (r == 0 && (zp_keeps(sig) || zp_is_handler(&cur)) &&
		    (r = zp_set_action(sig, &cur, 0)) < 0 && zp_keeps(sig))
			return r;
	}
	return 0;
}

/* After the hook has loaded: tell it of deliveries from now on. */
void zp_signals_start(void (*on_signal)(int, const void *))
{
	zp_on_signal = on_signal;
}

/*
 * The program's rt_sigaction(sig, act, oact), when the runtime must take
 * part: sig is wrapped now, or act installs a handler.  The kernel gets
 * the call (so it sees, and validates, what the program does), with the
 * runtime's handler where it must be; oact reports the program's action.
 * Otherwise (ZPOLINE_DO_SYSCALL) the call goes to the kernel as it is.
 */
static long zp_sigaction(const struct zpoline_call *c)
{
	int sig = c->args[0];
	struct zp_ksigaction act, old;
	long r;
	if (sig < 1 || sig >= ZP_NSIG || sig == SIGKILL || sig == SIGSTOP ||
	    c->args[3] != sizeof act.mask)
		return ZPOLINE_DO_SYSCALL;	/* the kernel says EINVAL */
	/* A vfork-like child changes its own actions (posix_spawn resets
	   them before execve): as it asks, in the kernel only; the runtime's
	   record is its parent's too.  zp_sigaction_done corrects oact. */
	if (zp_in_vmchild)
		return ZPOLINE_DO_SYSCALL;
	if (c->args[1]) {
		if (zp_safe_copy(&act, (const void *)c->args[1], sizeof act) < 0)
			return zp_is_wrapped(sig) ? -EFAULT : ZPOLINE_DO_SYSCALL;
		if (!zp_is_wrapped(sig) && !zp_is_handler(&act))
			return ZPOLINE_DO_SYSCALL;
		r = zp_set_action(sig, &act, &old);
	} else {
		/* A question: the kernel answers (the call as it is, which a
		   tracer sees), zp_sigaction_done puts the program's action
		   in its answer. */
		return ZPOLINE_DO_SYSCALL;
	}
	if (r == 0 && c->args[2] &&
	    zp_safe_copy((void *)c->args[2], &old, sizeof old) < 0)
		r = -EFAULT;
	return r;
}

/* After the kernel answered rt_sigaction(sig, NULL, oact): for a wrapped
 * signal, the program's action, not the runtime's handler. */
static void zp_sigaction_done(const struct zpoline_call *c, long result)
{
	int sig = c->args[0];
	if (result == 0 && (!c->args[1] || zp_in_vmchild) && c->args[2] &&
	    zp_is_wrapped(sig))
		zp_safe_copy((void *)c->args[2], &zp_app_act[sig],
			     sizeof zp_app_act[sig]);
}

/*
 * Swapping on: a handler of the program's starts running on this thread.
 * swap.c must know (no library is loaded while one runs: it may have
 * interrupted malloc), and which frame it came in by (a handler left with
 * siglongjmp is no longer running once the stack is above that frame).
 * Returns the depth to restore when it returns.
 */
static unsigned zp_app_handler_start(ucontext_t *uc)
{
	greg_t *g = uc->uc_mcontext.gregs;
	uintptr_t rip = g[REG_RIP];
	unsigned d = zp_tls.app_depth;
	if (d < ZP_APP_NEST)
		zp_tls.app_uc[d] = (uintptr_t)uc;
	zp_tls.app_depth = d + 1;
	zp_tls.app_seq++;
	/* It interrupted a call of the stub: that call's EINTR is the
	   program's, which swap.c must not take back. */
	if (rip == (uintptr_t)zp_plain_syscall || rip == (uintptr_t)zp_plain_syscall + 2)
		zp_tls.eintr_frame = g[REG_RBP];
	return d;
}

/* A delivery the runtime does not consume: do what the program asked for.
 * uc is the kernel's frame, whose return address (the word before uc) is
 * the runtime's restorer. */
static void zp_forward(int sig, siginfo_t *si, ucontext_t *uc)
{
	struct zp_ksigaction a = zp_app_act[sig];
	if (a.handler == SIG_IGN && si->si_code <= 0)
		return; /* sent with kill() and ignored */
	if (a.handler == SIG_DFL || a.handler == SIG_IGN) {
		struct zp_ksigaction dfl = { .handler = SIG_DFL };
		sys4(SYS_rt_sigaction, sig, &dfl, 0, sizeof dfl.mask);
		if (si->si_code <= 0) /* not a fault: it will not happen again */
			sys3(SYS_tgkill, sys0(SYS_getpid), sys0(SYS_gettid), sig);
		return; /* a fault: it happens again, now with the default action */
	}
	if (zp_on_signal && !zp_tls.in_hook) {
		zp_tls.in_hook = 1;
		zp_on_signal(sig, si);
		zp_tls.in_hook = 0;
	}
	if (a.flags & SA_RESETHAND) {	/* the kernel's part is done */
		zp_app_act[sig].handler = SIG_DFL;
		zp_app_act[sig].flags = 0;
		if (!zp_keeps(sig))
			zp_wrapped &= ~(1ul << (sig - 1));
	}
	if (a.flags & ZP_SA_RESTORER)	/* return as natively */
		((void **)uc)[-1] = a.restorer;
	unsigned depth = zp_swap_on ? zp_app_handler_start(uc) : 0;
	if (a.flags & SA_SIGINFO)
		((void (*)(int, siginfo_t *, void *))a.handler)(sig, si, uc);
	else
		((void (*)(int))a.handler)(sig);
	if (zp_swap_on)
		zp_tls.app_depth = depth;
}

/* Is a fault at rip one that a page-0 site's call ends in?  The call
 * jumped to rax: to unmapped memory (page 0 not mapped, or a number past
 * page 0), or to the fault bytes of the trampoline. */
static int zp_in_fault_bytes(uintptr_t rip, uintptr_t rax)
{
	if (rip == rax)
		return 1;
	if (zp_page0 != ZP_P0_SLED)
		return 0;
	if (rip > ZP_SLED_END && rip < ZP_PAGE)
		return 1;
	return rip >= ZP_HOP_PAGE && rip < ZP_HOP_PAGE + ZP_PAGE &&
	       rip != ZP_HOP_TARGET;
}

static unsigned zp_table_kind(uintptr_t v)
{
	return v >> ZP_T_SHIFT;
}

static uintptr_t zp_table_addr(uintptr_t v)
{
	return v & (((uintptr_t)1 << ZP_T_SHIFT) - 1);
}

/* Sends the thread into the stub as if site had made its call: the
 * program goes on at ret afterwards. */
static void zp_enter_from_signal(greg_t *g, char *entry, uintptr_t site,
				 uintptr_t ret)
{
	g[REG_RCX] = (greg_t)ret;
	g[REG_R11] = (greg_t)site;
	g[REG_RIP] = (greg_t)entry;
}

static void zp_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	uintptr_t rip = g[REG_RIP], rax = g[REG_RAX], rsp = g[REG_RSP], v;

	if (sig == SIGSEGV && rip >= (uintptr_t)zp_safe_copy &&
	    rip < (uintptr_t)zp_safe_copy_fixup) {
		g[REG_RIP] = (greg_t)zp_safe_copy_fixup;
		return;
	}
	if (sig == zp_swap_sig && zp_swap_sig && zp_swap_signal(sig, si, uc))
		return;
	if (si->si_code <= 0 || (sig != SIGSEGV && sig != SIGILL))
		goto forward;	/* sent, or not one the runtime raises */
	if (sig == SIGILL) {
		/* A branch to a moved instruction or to a moved syscall. */
		v = zp_site_lookup(rip);
		if (zp_table_kind(v) == ZP_T_CALL) {
			zp_enter_from_signal(g, zp_entry_gate, rip, zp_table_addr(v));
			return;
		}
		if (zp_table_kind(v) == ZP_T_GOTO) {
			g[REG_RIP] = (greg_t)zp_table_addr(v);
			return;
		}
		goto forward;
	}
	/* A page-0 site with a non-canonical rax: #GP at the call itself,
	   nothing pushed. */
	if ((uint64_t)(rax + (1ul << 47)) >= (1ul << 48) &&
	    zp_table_kind(zp_site_lookup(rip)) == ZP_T_PAGE0) {
		__atomic_add_fetch(&zp_counts.faults, 1, __ATOMIC_RELAXED);
		zp_enter_from_signal(g, zp_entry, rip, rip + 2);
		return;
	}
	/* A page-0 site's call went through, and its target faulted. */
	if (zp_in_fault_bytes(rip, rax)) {
		uintptr_t ret = *(uintptr_t *)rsp;
		if (zp_table_kind(zp_site_lookup(ret - 2)) == ZP_T_PAGE0) {
			__atomic_add_fetch(&zp_counts.faults, 1, __ATOMIC_RELAXED);
			g[REG_RSP] = (greg_t)(rsp + 8);
			zp_enter_from_signal(g, zp_entry, ret - 2, ret);
			return;
		}
	}
forward:
	zp_forward(sig, si, uc);
}

/* ------------------------------------------------------------------------
 * The dispatch path.
 */

/* System call numbers that need the runtime's attention (zp_special), as
 * a bitmap that zp_dispatch_init fills in from this list at start-up. */
static const unsigned short zp_special_nrs[] = {
	SYS_rt_sigreturn, SYS_clone, SYS_clone3, SYS_vfork, SYS_rt_sigaction,
	SYS_mmap, SYS_munmap, SYS_mprotect, SYS_mremap, SYS_shmat, SYS_close,
	SYS_exit, SYS_exit_group, SYS_execve, SYS_execveat,
};
static uint64_t zp_special_bits[ZP_SLED_END / 64];

void zp_dispatch_init(void)
{
	for (size_t i = 0; i < sizeof zp_special_nrs / sizeof *zp_special_nrs; i++)
		zp_special_bits[zp_special_nrs[i] / 64] |= 1ul << (zp_special_nrs[i] % 64);
}

static inline __attribute__((always_inline)) int zp_is_special(unsigned long nr)
{
	return nr < ZP_SLED_END && (zp_special_bits[nr / 64] >> (nr % 64) & 1);
}

/* Is mmap call c mapping a file privately, for the program (not for the
 * hook: a call that bypassed the hook has hooked == 0)? */
static int zp_maps_file(const struct zpoline_call *c, int hooked)
{
	return hooked && !zp_loading_hook &&
	       (c->args[3] & MAP_TYPE) == MAP_PRIVATE &&
	       !(c->args[3] & MAP_ANONYMOUS) && (int)c->args[4] >= 0;
}

struct zp_clone3_args { /* the first fields of struct clone_args */
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
		stack_size;
};

/*
 * Swapping on: a vfork-like child (ZP_HOW_VMCHILD) runs on this thread's
 * memory (its zp_tls included) while the caller waits: it is no place for
 * a swap (in_vfork), and its calls must not leave the caller's slot
 * counters changed (the caller gets them back).
 */
static void zp_vfork_begin(void)
{
	zp_tls.in_vfork = 1;
	for (unsigned i = 0; i < ZP_SLOTS; i++)
		zp_tls.vfork_uses[i] = zp_tls.uses[i];
}

static void zp_vfork_end(void)	/* in the caller, the child gone */
{
	if (!zp_tls.in_vfork)
		return;
	for (unsigned i = 0; i < ZP_SLOTS; i++)
		zp_tls.uses[i] = zp_tls.vfork_uses[i];
	zp_tls.in_vfork = 0;
}

/* How clone, clone3 or vfork must be made; *sp = the child's new stack. */
static unsigned zp_clone_kind(const struct zpoline_call *c, uintptr_t *sp)
{
	unsigned long flags;
	*sp = 0;
	if (c->nr == SYS_vfork)
		return ZP_HOW_SHARED | ZP_HOW_VMCHILD;
	if (c->nr == SYS_clone) {
		flags = c->args[0];
		*sp = c->args[1];
	} else {
		struct zp_clone3_args ca;
		if ((unsigned long)c->args[1] < sizeof ca ||
		    zp_safe_copy(&ca, (const void *)c->args[0], sizeof ca) < 0)
			return ZP_HOW_PLAIN; /* the kernel says EINVAL/EFAULT */
		flags = ca.flags;
		*sp = ca.stack ? ca.stack + ca.stack_size : 0;
	}
	unsigned vmchild = (flags & (CLONE_VM | CLONE_VFORK | CLONE_SIGHAND)) ==
			   (CLONE_VM | CLONE_VFORK) ? ZP_HOW_VMCHILD : 0;
	if (*sp)
		return ZP_HOW_NEWSTACK | vmchild;
	return flags & CLONE_VM ? ZP_HOW_SHARED | vmchild : ZP_HOW_PLAIN;
}

/*
 * What the runtime does around call c besides entering the kernel.  Returns
 * a result when the runtime answers the call itself, else
 * ZPOLINE_DO_SYSCALL with *kind set.  With ret == 0 (from next(), inside
 * the hook) it only classifies: the preparations for the kinds made by the
 * stub happen when the hook has returned.
 */
static long zp_special(const struct zpoline_call *c, uintptr_t ret,
		       int hooked, unsigned *kind)
{
	uintptr_t sp;
	switch (c->nr) {
	case SYS_rt_sigreturn:
		*kind = ZP_HOW_SIGRETURN;
		break;
	case SYS_clone: case SYS_clone3: case SYS_vfork:
		*kind = zp_clone_kind(c, &sp);
		if (!ret) {
			*kind &= ~ZP_HOW_VMCHILD;
			break;
		}
		/* CLONE_VFORK: the parent waits in the kernel until the child
		   execs or exits; whatever the runtime does meanwhile is the
		   child's.  The parent clears this when the call returns. */
		if (*kind & ZP_HOW_VMCHILD) {
			zp_in_vmchild = 1;
			zp_vfork_begin();
		}
		if ((*kind & ZP_HOW_KIND) == ZP_HOW_NEWSTACK &&
		    zp_safe_copy((void *)(sp - 8), &ret, sizeof ret) < 0) {
			zp_in_vmchild = 0;
			zp_vfork_end();
			return -EFAULT;
		}
		if ((*kind & ZP_HOW_KIND) == ZP_HOW_SHARED) {
			zp_tls.shared_ret = ret;
			zp_copy_call(&zp_tls.shared_call, c);
			zp_tls.shared_leave = hooked && zp_after;
		}
		break;
	case SYS_rt_sigaction:
		if ((!c->args[1] || zp_in_vmchild) && c->args[2])
			*kind |= ZP_HOW_SIGACT;
		return zp_sigaction(c);
	case SYS_mmap:
		if ((c->args[3] & MAP_FIXED) &&
		    zp_touches_trampoline(c->args[0], c->args[1]))
			return -EPERM;
		if (zp_maps_file(c, hooked))
			*kind |= ZP_HOW_REWRITE;
		break;
	case SYS_close:
		if (zp_tls.pending.notes && hooked && !zp_loading_hook)
			zp_note_close((int)c->args[0]);
		break;
	case SYS_mremap:
		if (zp_touches_trampoline(c->args[0], c->args[1]) ||
		    ((c->args[3] & MREMAP_FIXED) &&
		     zp_touches_trampoline(c->args[4], c->args[2])))
			return -EPERM;
		break;
	case SYS_munmap: case SYS_mprotect:
		if (zp_page0 == ZP_P0_SLED &&
		    zp_touches_trampoline(c->args[0], c->args[1]))
			return -EINVAL;
		break;
	case SYS_shmat:
		if (c->args[1] && zp_touches_trampoline(c->args[1], ZP_PAGE))
			return -EPERM;
		break;
	case SYS_exit: case SYS_exit_group: case SYS_execve: case SYS_execveat:
		if (hooked)
			zp_flush_hook();
		break;
	}
	return ZPOLINE_DO_SYSCALL;
}

#define ZP_IS_ERR(r) ((unsigned long)(r) >= -4095ul)

/* init->next: makes the call now, unless only the stub can make it. */
long zp_next(struct zpoline_call *c)
{
	unsigned kind = ZP_HOW_PLAIN;
	if (zp_fds_active()) {
		long r = zp_fds_check(c, &kind);
		if (r != ZPOLINE_DO_SYSCALL)
			return r;
	}
	if (zp_is_special(c->nr)) {
		long r = zp_special(c, 0, 1, &kind);
		if (r != ZPOLINE_DO_SYSCALL || (kind & ZP_HOW_KIND) != ZP_HOW_PLAIN)
			return r;
	}
	long r = zp_raw_syscall(c->nr, c->args[0], c->args[1], c->args[2],
				c->args[3], c->args[4], c->args[5]);
	if ((kind & ZP_HOW_REWRITE) && !ZP_IS_ERR(r))
		zp_note_mmap(c, r);
	if (kind & ZP_HOW_FDS)
		r = zp_fds_after(c, r);
	if (kind & ZP_HOW_SIGACT)
		zp_sigaction_done(c, r);
	return r;
}

/* A jump into page 0 from somewhere that is not a rewritten site. */
static long zp_stray(struct zp_frame *f)
{
	char b1[20], b2[20], b3[20], name[256];
	uintptr_t off = 0;
	const char *n = zp_describe(f->ret - 2, name, sizeof name, &off);
	zp_say("a jump to page 0 (rax = ", zp_hex(b1, f->call.nr),
	       ") came from ", zp_hex(b2, f->ret - 2), " (", *n ? n : "?",
	       *n ? "+" : "", *n ? zp_hex(b3, off) : "", ")",
	       ", which is not a rewritten system call: a call through a null"
	       " pointer?  Raising SIGSEGV there", NULL);
	f->how = ZP_HOW_STRAY;
	return ZPOLINE_DO_SYSCALL;
}

/* zp_enter for the calls zp_is_special picks; kind may hold ZP_HOW_FDS. */
static __attribute__((noinline)) long zp_enter_special(struct zp_frame *f,
						       int hooked, unsigned kind)
{
	long r = zp_special(&f->call, f->ret, hooked, &kind);
	if (r != ZPOLINE_DO_SYSCALL) {
		if (hooked && zp_after)
			zp_call_after(&f->call, r);
		return r;
	}
	if (hooked && zp_after)
		kind |= ZP_HOW_AFTER;
	f->how = kind;
	return ZPOLINE_DO_SYSCALL;
}

/* Are the call's arguments still the program's registers? */
static inline int zp_args_unchanged(const struct zp_frame *f)
{
	return ((f->call.args[0] ^ f->rdi) | (f->call.args[1] ^ f->rsi) |
		(f->call.args[2] ^ f->rdx) | (f->call.args[3] ^ f->r10) |
		(f->call.args[4] ^ f->r8) | (f->call.args[5] ^ f->r9)) == 0;
}

/* The afters of chain ch (re-entry guard set). */
static void zp_call_chain_after(const struct zp_chain *ch,
				const struct zpoline_call *c, long r)
{
	zp_tls.in_hook = 1;
	zp_chain_after(ch, c, r);
	zp_tls.in_hook = 0;
}

static int zp_is_new_process(const struct zpoline_call *c)
{
	return c->nr == SYS_fork ||
	       (c->nr == SYS_clone && !(c->args[0] & CLONE_VM));
}

/*
 * zp_enter when swapping is on (swap.c): the call holds the slot of the
 * chain it runs in, from before the first hook to after the last after()
 * (ZP_HOW_SECTION and the slot in f->how tell zp_leave); vector state is
 * always saved (zp_vec_mode), and no call takes the tail path.
 */
static __attribute__((noinline)) long zp_enter_tracked(struct zp_frame *f)
{
	unsigned fds = 0, kind = ZP_HOW_PLAIN, s;
	const struct zp_chain *ch;
	long r;

	if (zp_tls.in_hook) {	/* made for a hook: straight to the kernel */
		if (zp_is_special(f->call.nr))
			return zp_enter_special(f, 0, 0);
		return ZPOLINE_DO_SYSCALL;
	}
	if (__builtin_expect(zp_swap_work, 0))
		zp_swap_point(f);
	s = zp_section_enter();
	ch = &zp_chains[s];
	zp_tls.in_hook = 1;
	if (__builtin_expect(zp_tls.ns_gen != ch->gen, 0)) {
		zp_tls.ns_gen = ch->gen;
		zp_chain_thread_init(ch);
	}
	r = zp_chain_run(ch, 0, &f->call);
	zp_tls.in_hook = 0;
	if (r != ZPOLINE_DO_SYSCALL)
		goto done;
	if (zp_fds_active()) {
		r = zp_fds_check(&f->call, &fds);
		if (r != ZPOLINE_DO_SYSCALL)
			goto answered;
	}
	if (zp_is_special(f->call.nr)) {
		r = zp_special(&f->call, f->ret, 1, &kind);
		if (r != ZPOLINE_DO_SYSCALL)
			goto answered;
	}
	if (f->call.nr == SYS_exit) {	/* the thread ends: no after */
		zp_section_leave(s);
		zp_swap_thread_exit();
		f->how = kind | fds;
		return ZPOLINE_DO_SYSCALL;
	}
	if ((kind & ZP_HOW_KIND) == ZP_HOW_SHARED) {
		/* zp_shared_leave ends the section, and puts back what the
		   child's calls changed here (zp_vfork_begin). */
		zp_tls.shared_slot = s + 1;
		f->how = kind | fds;
		return ZPOLINE_DO_SYSCALL;
	}
	if (ch->any_after || zp_is_new_process(&f->call))
		kind |= ZP_HOW_SECTION | s << ZP_HOW_SLOT_SHIFT |
			(ch->any_after ? ZP_HOW_AFTER : 0);
	else
		zp_section_leave(s);
	f->how = kind | fds;
	return ZPOLINE_DO_SYSCALL;
answered:
	if (ch->any_after)
		zp_call_chain_after(ch, &f->call, r);
done:
	zp_section_leave(s);
	return r;
}

/* From the stub, for every call: the hook's answer, or ZPOLINE_DO_SYSCALL
 * with f->how saying how the stub makes the call. */
long zp_enter(struct zp_frame *f)
{
	int hooked = 0;
	unsigned fds = 0;

	/* Only gates enter with a tail; from page 0, check the site. */
	if (!f->tail && zp_site_lookup((uintptr_t)f->call.site) >> ZP_T_SHIFT !=
				ZP_T_PAGE0)
		return zp_stray(f);
	if (__builtin_expect(zp_swap_on, 0))
		return zp_enter_tracked(f);
	if (!zp_tls.in_hook) {
		zp_tls.in_hook = 1;
		if (__builtin_expect(!zp_tls.ns_ready, 0)) {
			zp_tls.ns_ready = 1;
			zp_ns_thread_init();
		}
		long r = zp_hook(&f->call);
		zp_tls.in_hook = 0;
		if (r != ZPOLINE_DO_SYSCALL)
			return r;
		hooked = 1;
		/* The program's call on a hook's own descriptor. */
		if (zp_fds_active()) {
			r = zp_fds_check(&f->call, &fds);
			if (r != ZPOLINE_DO_SYSCALL) {
				if (zp_after)
					zp_call_after(&f->call, r);
				return r;
			}
		}
	}
	if (zp_is_special(f->call.nr))
		return zp_enter_special(f, hooked, fds);
	if ((hooked && zp_after) || fds)
		f->how = (hooked && zp_after ? ZP_HOW_AFTER : 0) | fds;
	else if (f->tail && zp_args_unchanged(f))
		f->how = ZP_HOW_TAIL;
	return ZPOLINE_DO_SYSCALL;
}

static int zp_is_fork_child(long nr, long result)
{
	return result == 0 && (nr == SYS_clone || nr == SYS_clone3 ||
			       nr == SYS_fork || nr == SYS_vfork);
}

/* zp_leave of a call that holds a slot (swapping on). */
static long zp_leave_section(struct zp_frame *f, long result)
{
	unsigned s = f->how >> ZP_HOW_SLOT_SHIFT & (ZP_SLOTS - 1);
	if (zp_is_fork_child(f->call.nr, result)) {
		if (zp_is_new_process(&f->call))
			zp_swap_forked();
	} else if (f->how & ZP_HOW_AFTER) {
		zp_call_chain_after(&zp_chains[s], &f->call, result);
	}
	zp_section_leave(s);
	return result;
}

long zp_leave(struct zp_frame *f, long result)
{
	if (f->how & ZP_HOW_VMCHILD) {	/* the parent: its child is done */
		zp_in_vmchild = 0;
		zp_vfork_end();
	}
	if (f->how & ZP_HOW_SIGACT)
		zp_sigaction_done(&f->call, result);
	if ((f->how & ZP_HOW_REWRITE) && !ZP_IS_ERR(result))
		zp_note_mmap(&f->call, result);
	if (f->how & ZP_HOW_FDS)
		result = zp_fds_after(&f->call, result);
	if (f->how & ZP_HOW_SECTION)
		return zp_leave_section(f, result);
	if ((f->how & ZP_HOW_AFTER) && !zp_is_fork_child(f->call.nr, result))
		zp_call_after(&f->call, result);
	return result;
}

long zp_shared_leave(struct zp_frame *f, long result)
{
	zp_in_vmchild = 0;	/* the parent: its child is done */
	zp_vfork_end();
	zp_copy_call(&f->call, &zp_tls.shared_call);
	if (zp_tls.shared_slot) {	/* swapping on: the parent goes on */
		unsigned s = zp_tls.shared_slot - 1;
		zp_tls.shared_slot = 0;
		if (zp_chains[s].any_after)
			zp_call_chain_after(&zp_chains[s], &f->call, result);
		zp_section_leave(s);
		return result;
	}
	if (zp_tls.shared_leave) {
		zp_tls.shared_leave = 0;
		zp_call_after(&f->call, result);
	}
	return result;
}
