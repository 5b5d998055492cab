/*
 * swap.c - replacing the hook chain of a running process (`zpoline swap
 * PID HOOK.so[:...]`), when ZPOLINE_SWAP names a signal for it.
 *
 * The request.  The command writes the new hook list to a control file,
 * DIR/PID.swap, where DIR is $XDG_RUNTIME_DIR/zpoline, or
 * /tmp/zpoline-UID without it, then sends the signal with sigqueue and a
 * magic value.  The runtime's handler for that signal (installed at
 * start-up; the program sees its own action through rt_sigaction, as for
 * SIGSEGV) only notes the request.  A request is served only from a
 * directory and a file that the process's real user owns and that no one
 * else may write (and a signal only that user, or root, may send); the
 * outcome goes to DIR/PID.result, which the command prints.
 *
 * The safe point.  Loading a chain (dlmopen) takes ld.so's lock and calls
 * the program's malloc; unloading one (dlclose) too.  Neither may happen
 * while the thread is inside malloc or ld.so, or in code that holds their
 * locks, which a signal handler cannot know.  So the work is done in a
 * thread whose system call comes straight from the program: the call's
 * site is in a plain libc wrapper (read, write, poll, nanosleep, syscall,
 * ...: functions that take no lock and call nothing that does), called
 * from code outside libc, ld.so and the object that provides malloc
 * (unwind.c follows the wrapper's frames with its .eh_frame); and the
 * thread runs no handler of the program's (with swapping on, the runtime
 * interposes every handler and counts them), is not a vfork child, and is
 * not inside a hook.  At such a call the thread holds no lock of libc's or
 * ld.so's: it is where the program itself could call dlopen.  Two places
 * test for it:
 *   - zp_enter_tracked, at each call while there is work (a request, or an
 *     old chain to unload: then only every 256th call of a thread);
 *   - the signal handler itself, when the thread it interrupted is blocked
 *     in such a call, in the stub's `syscall` (an idle single-threaded
 *     program).  The handler then restarts a call that the signal made
 *     fail with EINTR, unless a handler of the program's ran meanwhile
 *     (then the EINTR is the program's own).
 *
 * The switch.  A chain lives in one of ZP_SLOTS slots; zp_cur names the
 * slot new calls take.  Each call holds its slot from before its first
 * hook to after its last after() (zp_section_enter/leave: a counter per
 * thread and slot, in the thread's TLS, which a list of the threads lets
 * others read).  A new chain is loaded into a free slot and published by
 * storing zp_cur; then membarrier(2) makes every thread's later calls see
 * it, so that from then on the old slot's counters only go down.  When
 * every thread's counter for the old slot is 0, no call is inside the old
 * chain, and none can enter it: its hooks are flushed and unloaded
 * (dlclose), at a safe point.  Without membarrier the old chain is kept.
 *
 * Invariants:
 *   - The dispatch path takes no lock: sections are a plain counter of the
 *     thread's own (a signal handler's calls nested inside leave it as
 *     they found it), and a re-read of zp_cur after the increment (the
 *     other half of the membarrier protocol).
 *   - One thread at a time does the work (zp_swap_busy), with the re-entry
 *     guard set: the calls of ld.so, of the hooks' init and of their
 *     libcs go straight to the kernel.
 *   - With swapping on, vector state is always saved around the hooks (a
 *     hook swapped in later may need it), and calls never take the gates'
 *     tail path (a blocked call is then always in the stub's `syscall`).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>

#include "config.h"
#include "runtime.h"

#define ZP_SWAP_MAGIC 0x7a707377 /* "zpsw": si_value of a request */

int zp_swap_sig;
int zp_swap_on;
volatile unsigned zp_cur;
enum { ZP_WORK_REQUEST = 1, ZP_WORK_DRAIN = 2 };
volatile int zp_swap_work;
static int zp_swap_busy;	/* a thread does the work */

/* A slot's chain: none (FREE); the one new calls take (LIVE, zp_cur);
 * replaced, to be unloaded once no call is inside it (DRAINING); replaced
 * and never unloaded, for want of membarrier (KEPT). */
enum { ZP_FREE, ZP_LIVE, ZP_DRAINING, ZP_KEPT };
static int zp_slot_state[ZP_SLOTS];

/* ------------------------------------------------------------------------
 * ZPOLINE_SWAP: the signal.  A number or a name: SIGUSR1, SIGUSR2,
 * SIGRTMIN[+n], SIGRTMAX[-n] (glibc's SIGRTMIN is 34: 32 and 33 are its
 * own), "SIG" optional.  Other signals are refused: their default actions
 * and their uses are the program's.
 */

int zp_swap_setting(const char *v)
{
	size_t n = 0;
	while (v[n])
		n++;
	int sig = zp_config_signal(v, n);
	if (sig < 0) {
		zp_say("ZPOLINE_SWAP=", v, ": not a signal for swap requests"
		       " (SIGUSR1, SIGUSR2, SIGRTMIN..SIGRTMAX, e.g. RTMAX):"
		       " swapping is off", NULL);
		return -1;
	}
	zp_swap_sig = sig;
	return 0;
}

/* ------------------------------------------------------------------------
 * The threads: a list of each one's struct zp_thread, which it adds itself
 * to on its first call, and removes itself from at its exit (and a fork's
 * child keeps only itself).  Chunks are never freed; an entry is a
 * pointer, set and cleared atomically.  An entry whose thread ended
 * without saying so (its exit bypassed the hooks) stays: its memory, read
 * with zp_safe_copy, is gone (the entry is dropped), or is another
 * thread's zp_tls (listed as well), or is anything else, which may keep
 * an old chain loaded: never unloaded too early.
 */

#define ZP_REG_N 511
struct zp_reg {
	struct zp_reg *next;
	struct zp_thread *t[ZP_REG_N];
};
static struct zp_reg zp_reg0;
static int zp_reg_full;	/* a thread could not be listed: never unload */

static void zp_reg_add(void)
{
	struct zp_thread *me = &zp_tls;
	struct zp_reg *r = &zp_reg0;
	zp_tls.registered = 1;
	for (;;) {
		for (int i = 0; i < ZP_REG_N; i++) {
			struct zp_thread *none = 0;
			if (!r->t[i] && __atomic_compare_exchange_n(&r->t[i], &none, me, 0,
					__ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
				return;
		}
		struct zp_reg *next = __atomic_load_n(&r->next, __ATOMIC_ACQUIRE);
		if (!next) {
			struct zp_reg *fresh = zp_mmap(sizeof *fresh), *none = 0;
			if (!fresh) {
				zp_reg_full = 1;
				return;
			}
			if (!__atomic_compare_exchange_n(&r->next, &none, fresh, 0,
							 __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE))
				sys2(SYS_munmap, fresh, sizeof *fresh);
			next = __atomic_load_n(&r->next, __ATOMIC_ACQUIRE);
		}
		r = next;
	}
}

/* Removes t (keep == NULL), or every thread but keep. */
static void zp_reg_remove(struct zp_thread *t, struct zp_thread *keep)
{
	for (struct zp_reg *r = &zp_reg0; r; r = __atomic_load_n(&r->next, __ATOMIC_ACQUIRE))
		for (int i = 0; i < ZP_REG_N; i++) {
			struct zp_thread *e = __atomic_load_n(&r->t[i], __ATOMIC_RELAXED);
			if (e && (keep ? e != keep : e == t))
				__atomic_compare_exchange_n(&r->t[i], &e, 0, 0,
							    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
		}
}

/* Is no call of any thread inside the chain of slot s? */
static int zp_slot_idle(unsigned s)
{
	if (zp_reg_full)
		return 0;
	for (struct zp_reg *r = &zp_reg0; r; r = __atomic_load_n(&r->next, __ATOMIC_ACQUIRE))
		for (int i = 0; i < ZP_REG_N; i++) {
			struct zp_thread *t = __atomic_load_n(&r->t[i], __ATOMIC_ACQUIRE);
			unsigned uses;
			if (!t)
				continue;
			if (zp_safe_copy(&uses, &t->uses[s], sizeof uses) < 0) {
				__atomic_compare_exchange_n(&r->t[i], &t, 0, 0,
							    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
				continue;
			}
			if (uses)
				return 0;
		}
	return 1;
}

/* ------------------------------------------------------------------------
 * Sections: a call holds the slot of the chain it runs in.
 */

unsigned zp_section_enter(void)
{
	if (__builtin_expect(!zp_tls.registered, 0))
		zp_reg_add();
	for (;;) {
		unsigned s = __atomic_load_n(&zp_cur, __ATOMIC_ACQUIRE);
		__atomic_store_n(&zp_tls.uses[s], zp_tls.uses[s] + 1, __ATOMIC_RELAXED);
		/* A compiler barrier only: the publisher's membarrier orders
		   the increment before this load on every CPU. */
		__asm__ volatile("" ::: "memory");
		if (__atomic_load_n(&zp_cur, __ATOMIC_RELAXED) == s)
			return s;
		__atomic_store_n(&zp_tls.uses[s], zp_tls.uses[s] - 1, __ATOMIC_RELAXED);
	}
}

void zp_section_leave(unsigned s)
{
	__asm__ volatile("" ::: "memory");
	__atomic_store_n(&zp_tls.uses[s], zp_tls.uses[s] - 1, __ATOMIC_RELEASE);
}

/* Every thread's later loads see what this thread stored before; 0, or -1
 * where the kernel has no membarrier (or forbids it). */
static int zp_membarrier(void)
{
	long r = sys3(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
	if (r == -EPERM) {	/* not registered (yet, or since a fork) */
		sys3(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0);
		r = sys3(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
	}
	if (r < 0)
		r = sys3(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
	return r < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------------
 * The control directory and files.
 */

/* DIR: $XDG_RUNTIME_DIR/zpoline (absolute), else /tmp/zpoline-UID. */
static void zp_swap_dir(char *buf, size_t n)
{
	const char *x = zp_getenv("XDG_RUNTIME_DIR");
	char b[20];
	buf[0] = 0;
	if (x && x[0] == '/')
		zp_cat(buf, n, x, "/zpoline", NULL);
	else
		zp_cat(buf, n, "/tmp/zpoline-", zp_dec(b, sys0(SYS_getuid)), NULL);
}

/* DIR/PID.ext */
static void zp_swap_file(char *buf, size_t n, const char *dir, const char *ext)
{
	char b[20];
	zp_cat(buf, n, dir, "/", zp_dec(b, sys0(SYS_getpid)), ext, NULL);
}

/* Reads the request into list (NUL-terminated) and removes it.  0; -1:
 * none, or a directory not the user's own (no answer goes there); -2: a
 * file not the user's own (said, and answered). */
static int zp_read_request(const char *dir, char *list, size_t n)
{
	char path[4200];
	struct stat st;
	long uid = sys0(SYS_getuid), fd, len = 0, r;

	if (sys4(SYS_newfstatat, AT_FDCWD, dir, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode) || st.st_uid != (unsigned long)uid ||
	    (st.st_mode & 077)) {
		zp_say("swap request ignored: ", dir, " is not the user's own"
		       " directory (mode 700)", NULL);
		return -1;
	}
	zp_swap_file(path, sizeof path, dir, ".swap");
	fd = sys3(SYS_open, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (sys2(SYS_fstat, fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != (unsigned long)uid || (st.st_mode & 022) ||
	    st.st_nlink != 1) {
		sys1(SYS_close, fd);
		zp_say("swap request ignored: ", path, " is not a file of the"
		       " user's own that only the user may write", NULL);
		return -2;
	}
	while (len < (long)n - 1 && (r = sys3(SYS_read, fd, list + len, n - 1 - len)) > 0)
		len += r;
	sys1(SYS_close, fd);
	sys1(SYS_unlink, path);
	list[len] = 0;
	return 0;
}

/* DIR/PID.result: text, whole (written aside, then renamed). */
static void zp_write_result(const char *dir, const char *text)
{
	char tmp[4200], path[4200];
	size_t n = 0;
	long fd;
	zp_swap_file(tmp, sizeof tmp, dir, ".result.tmp");
	zp_swap_file(path, sizeof path, dir, ".result");
	fd = sys3(SYS_open, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return;
	while (text[n])
		n++;
	sys3(SYS_write, fd, text, n);
	sys1(SYS_close, fd);
	sys2(SYS_rename, tmp, path);
}

/* ------------------------------------------------------------------------
 * The work: serve a request, unload what no call uses any more.
 */

/* Each hook's flush, the chain's namespaces set up for this thread first
 * (the thread may never have run in them). */
static void zp_flush_chain(const struct zp_chain *ch)
{
	zp_chain_thread_init(ch);
	zp_chain_flush(ch);
}

/* Makes slot s the one new calls take; the old chain drains. */
static void zp_publish(unsigned s)
{
	unsigned old = zp_cur;
	const struct zp_chain *och = &zp_chains[old];
	zp_slot_state[s] = ZP_LIVE;
	__atomic_store_n(&zp_cur, s, __ATOMIC_SEQ_CST);
	zp_slot_state[old] = zp_membarrier() == 0 ? ZP_DRAINING : ZP_KEPT;
	if (zp_slot_state[old] == ZP_KEPT)
		zp_say("the old hooks stay loaded: no membarrier(2) here, so"
		       " there is no telling when no call uses them", NULL);
	for (unsigned k = 0; k < och->n; k++)	/* it no longer hears of moves */
		zp_fds_orphan(och->h[k].owner);
	zp_flush_chain(och);
}

/* Loads the chain of list into a free slot and publishes it; says what
 * happened (zp_say). */
static void zp_swap_to(const char *list)
{
	unsigned long t0 = zp_verbose ? zp_now_ns() : 0;
	struct zp_chain *ch;
	char b[20];
	unsigned s;

	for (s = 0; s < ZP_SLOTS && zp_slot_state[s] != ZP_FREE; s++)
		;
	if (s == ZP_SLOTS) {
		zp_say("swap refused: the hooks of ", zp_dec(b, ZP_SLOTS - 1),
		       " earlier swaps are still in use; try again later", NULL);
		return;
	}
	ch = &zp_chains[s];
	ch->n = ch->used = ch->gen = 0;	/* a free slot may hold what a fork
					   cut short */
	if (zp_chain_load(ch, list) == 0) {
		zp_say("swap failed: no hook loaded; the hooks stay as they were",
		       NULL);
		zp_chain_unload(ch);
		return;
	}
	zp_publish(s);
	for (unsigned k = 0; k < ch->n; k++)
		zp_say("hook ", zp_dec(b, k + 1), ": ", ch->h[k].path, NULL);
	if (zp_verbose)
		zp_say("loading and switching took ", zp_dec(b, (zp_now_ns() - t0) / 1000),
		       " us", NULL);
	zp_say("swapped", NULL);
}

static void zp_serve_request(void)
{
	static char list[4096], text[4096];
	char dir[4096];
	int r;

	zp_swap_dir(dir, sizeof dir);
	zp_say_into(text, sizeof text);
	r = zp_read_request(dir, list, sizeof list);
	if (r == 0)
		zp_swap_to(list);
	zp_say_into(0, 0);
	if (r != -1)	/* else nothing to answer, or no safe place to */
		zp_write_result(dir, text);
}

/* Unloads each old chain that no call uses any more. */
static void zp_retire(void)
{
	int draining = 0;
	for (unsigned s = 0; s < ZP_SLOTS; s++) {
		if (zp_slot_state[s] != ZP_DRAINING)
			continue;
		if (!zp_slot_idle(s)) {
			draining = 1;
			continue;
		}
		zp_flush_chain(&zp_chains[s]);
		zp_chain_unload(&zp_chains[s]);
		zp_slot_state[s] = ZP_FREE;
	}
	if (!draining)
		__atomic_and_fetch(&zp_swap_work, ~ZP_WORK_DRAIN, __ATOMIC_SEQ_CST);
}

/* ------------------------------------------------------------------------
 * The safe point.
 */

/* The calls that change the process, its threads or its image: not a
 * moment to load anything. */
static int zp_is_process_call(long nr)
{
	switch (nr) {
	case SYS_clone: case SYS_clone3: case SYS_fork: case SYS_vfork:
	case SYS_exit: case SYS_exit_group: case SYS_execve: case SYS_execveat:
	case SYS_rt_sigreturn:
		return 1;
	}
	return 0;
}

/* May the thread making call f load and unload libraries now?  See the
 * comment at the top. */
static int zp_safe_point(const struct zp_frame *f)
{
	uintptr_t sp = (uintptr_t)f + F_SIZE + ZP_REDZONE;
	unsigned d = zp_tls.app_depth;

	if (zp_tls.in_hook || zp_tls.in_vfork || zp_is_process_call(f->call.nr))
		return 0;
	/* A handler whose signal frame is below the call's stack pointer has
	   been left (siglongjmp): it is no longer running. */
	while (d && d <= ZP_APP_NEST && zp_tls.app_uc[d - 1] < sp)
		d--;
	zp_tls.app_depth = d;
	if (d)
		return 0;
	return zp_called_from_outside((uintptr_t)f->call.site, sp, f->rbp);
}

/* Called with work to do (zp_swap_work): does it now if f is a safe point
 * and no other thread is at it. */
/* Every signal but those a fault raises (zp_safe_copy's included). */
#define ZP_SIG(s) (1ul << ((s) - 1))
static const uint64_t zp_async_signals =
	~(ZP_SIG(SIGSEGV) | ZP_SIG(SIGBUS) | ZP_SIG(SIGILL) | ZP_SIG(SIGFPE) |
	  ZP_SIG(SIGTRAP));

void zp_swap_point(const struct zp_frame *f)
{
	int work = zp_swap_work, none = 0;
	uint64_t mask;
	if (!(work & ZP_WORK_REQUEST) && (++zp_tls.tick & 255))
		return;		/* only unloading: not at every call */
	if (!zp_safe_point(f) ||
	    !__atomic_compare_exchange_n(&zp_swap_busy, &none, 1, 0,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	/* The program's signals wait: a handler run now would have its
	   calls bypass the hooks (the re-entry guard is set). */
	sys4(SYS_rt_sigprocmask, SIG_BLOCK, &zp_async_signals, &mask, sizeof mask);
	zp_tls.in_hook = 1;
	if (__atomic_fetch_and(&zp_swap_work, ~ZP_WORK_REQUEST, __ATOMIC_SEQ_CST) &
	    ZP_WORK_REQUEST) {
		zp_serve_request();
		__atomic_or_fetch(&zp_swap_work, ZP_WORK_DRAIN, __ATOMIC_SEQ_CST);
	}
	zp_retire();
	zp_tls.in_hook = 0;
	sys4(SYS_rt_sigprocmask, SIG_SETMASK, &mask, 0, sizeof mask);
	__atomic_store_n(&zp_swap_busy, 0, __ATOMIC_RELEASE);
}

/*
 * The swap signal, from the runtime's handler (dispatch.c).  1 if it was a
 * request (consumed), 0 if it is the program's to handle.
 */
int zp_swap_signal(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	uintptr_t rip = g[REG_RIP];
	unsigned seq = zp_tls.app_seq;
	const struct zp_frame *f;

	if (sig != zp_swap_sig || si->si_code != SI_QUEUE ||
	    si->si_value.sival_int != ZP_SWAP_MAGIC)
		return 0;
	__atomic_or_fetch(&zp_swap_work, ZP_WORK_REQUEST, __ATOMIC_SEQ_CST);
	if (!zp_swap_on ||
	    (rip != (uintptr_t)zp_plain_syscall && rip != (uintptr_t)zp_plain_syscall + 2))
		return 1;	/* the thread's next calls will see it */
	/* The thread is blocked in (or has just made) a call from the stub,
	   whose frame rbp holds. */
	f = (const struct zp_frame *)g[REG_RBP];
	zp_swap_point(f);
	/* The signal made the call fail with EINTR: make it again, as it
	   would be had no signal come; unless the EINTR is the program's (a
	   handler of its own ran at that call, or during this one). */
	if (rip == (uintptr_t)zp_plain_syscall + 2 && g[REG_RAX] == -EINTR &&
	    zp_tls.app_seq == seq && zp_tls.eintr_frame != (uintptr_t)f) {
		g[REG_RIP] = (greg_t)zp_plain_syscall;
		g[REG_RAX] = f->call.nr;
	}
	zp_tls.eintr_frame = 0;
	return 1;
}

/* ------------------------------------------------------------------------
 * Start, the ends of threads and processes.
 */

/* init->signal with swapping on: to the hooks of the chain that new calls
 * take (dispatch.c's zp_forward calls it, the re-entry guard set). */
static void zp_swap_on_signal(int sig, const void *si)
{
	unsigned s = zp_section_enter();
	const struct zp_chain *ch = &zp_chains[s];
	if (ch->any_signal) {
		if (zp_tls.ns_gen != ch->gen) {
			zp_tls.ns_gen = ch->gen;
			zp_chain_thread_init(ch);
		}
		zp_chain_signal(ch, sig, si);
	}
	zp_section_leave(s);
}

void zp_swap_start(void)
{
	char b[20], b1[20];
	int wrappers = zp_unwind_init();
	if (wrappers < 0) {
		zp_say("cannot find libc's code and unwind tables: swapping"
		       " (ZPOLINE_SWAP) is off", NULL);
		return;
	}
	zp_cur = 0;
	zp_slot_state[0] = ZP_LIVE;
	zp_signals_start(zp_swap_on_signal);	/* (every handler is wrapped) */
	zp_swap_on = 1;
	if (zp_verbose)
		zp_say("swap requests: signal ", zp_dec(b, zp_swap_sig), "; ",
		       zp_dec(b1, wrappers), " libc wrappers make safe points",
		       NULL);
}

/* A thread's exit: it leaves the list (its memory may go). */
void zp_swap_thread_exit(void)
{
	if (zp_tls.registered) {
		zp_reg_remove(&zp_tls, 0);
		zp_tls.registered = 0;
	}
}

/* The child of a fork: the only thread of a new process. */
void zp_swap_forked(void)
{
	zp_reg_remove(0, &zp_tls);
	if (!zp_tls.registered)
		zp_reg_add();
	zp_swap_busy = 0;	/* the parent's thread at work is not here */
}

/* Before exit_group or execve: every chain's hooks flush.  The old chains
 * only if no thread is unloading one now (one may be at it: then they
 * were flushed at the swap). */
void zp_swap_flush_all(void)
{
	int none = 0;
	int busy = !__atomic_compare_exchange_n(&zp_swap_busy, &none, 1, 0,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
	for (unsigned s = 0; s < ZP_SLOTS; s++)
		if (s == zp_cur || (!busy && (zp_slot_state[s] == ZP_DRAINING ||
					      zp_slot_state[s] == ZP_KEPT)))
			zp_flush_chain(&zp_chains[s]);
	if (!busy)
		__atomic_store_n(&zp_swap_busy, 0, __ATOMIC_RELEASE);
}
