/*
 * chain.c - the hooks in use: one or several (ZPOLINE_HOOK=a.so:b.so),
 * each in a namespace of its own, called in a chain.
 *
 * A call reaches the first hook; what it lets through (returns
 * ZPOLINE_DO_SYSCALL) reaches the second; what the last lets through
 * reaches the kernel.  after() runs in the reverse order, each hook
 * seeing the result that the rest of the chain produced.  A hook that
 * answers stops the chain: the hooks before it see its answer in after(),
 * the hooks after it never see the call.  A hook's next() is "the rest of
 * the chain, then the kernel": it runs the later hooks (and their afters)
 * and returns the result they produced.
 *
 * The one-hook chain is not run through here: dispatch.c calls that hook
 * directly (zp_chain_start publishes it in zp_hook/zp_after), so that a
 * single hook costs what it did before chains existed.
 *
 * Invariants:
 *   - Everything here but loading runs in the dispatch path with the
 *     re-entry guard (zp_tls.in_hook) set: no libc of the program's, and
 *     zp_tls.cur_chain / chain_k name the hook running, for zp_chain_next.
 *   - A chain is filled before it is published (zp_chain_start, or
 *     swap.c) and not changed while published; swap.c unloads one only
 *     once no thread uses it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "runtime.h"

struct zp_chain zp_chains[ZP_SLOTS];
static unsigned zp_gens;	/* the last chain generation handed out */

/* ------------------------------------------------------------------------
 * Loading.
 */

static int zp_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Copies the next path of list (':'-separated) into the chain's store;
 * returns it, or NULL at the end.  *p moves past it. */
static const char *zp_next_path(struct zp_chain *ch, const char **p)
{
	const char *s = *p;
	size_t n = 0;
	while (*s == ':' || zp_is_space(*s))
		s++;
	if (!*s)
		return 0;
	while (s[n] && s[n] != ':' && s[n] != '\n')
		n++;
	*p = s + n;
	if (ch->used + n + 1 > sizeof ch->paths)
		return "";	/* too long: fails to load, with a message */
	char *d = ch->paths + ch->used;
	zp_copy(d, s, n);
	d[n] = 0;
	ch->used += n + 1;
	return d;
}

static size_t zp_count_paths(const char *s)
{
	size_t n = 0;
	for (;;) {
		while (*s == ':' || zp_is_space(*s))
			s++;
		if (!*s)
			return n;
		n++;
		while (*s && *s != ':' && *s != '\n')
			s++;
	}
}

/* The hook's own descriptors are tagged with its owner number (fds.c),
 * so that they can be closed when it is unloaded. */
static unsigned zp_owner_of(const struct zp_chain *ch, unsigned k)
{
	return ch->gen * ZP_HOOKS_MAX + k + 1;
}

/*
 * Loads the hooks of list, in order, after those ch already has.  A hook
 * that fails is left out (its line says why); at glibc's limits (or ours,
 * ZP_HOOKS_MAX) one line says which hooks are not loaded, and loading
 * stops.  Returns the number of hooks in the chain.
 */
unsigned zp_chain_load(struct zp_chain *ch, const char *list)
{
	size_t total = zp_count_paths(list) + ch->n, seen = ch->n;
	const char *p = list, *path;
	char b1[20], b2[20], b3[20];

	if (!ch->gen)
		ch->gen = ++zp_gens;
	while ((path = zp_next_path(ch, &p))) {
		struct zpoline_init init = {
			.abi_version = ZPOLINE_ABI_VERSION,
			.size = sizeof init,
			/* alone, next() is the kernel; in a chain, the rest
			   of the chain and then the kernel */
			.next = total == 1 ? zp_next : zp_chain_next,
			.setting = zp_setting,
			.own_fd = zp_own_fd,
		};
		const char *limit = 0;
		int r;
		seen++;
		if (ch->n == ZP_HOOKS_MAX) {
			zp_say("too many hooks: at most ", zp_dec(b1, ZP_HOOKS_MAX),
			       " (glibc has 16 link-map namespaces, one of them the"
			       " program's); ", path, total == seen ? " is not loaded"
			       : " and the ", total == seen ? "" : zp_dec(b2, total - seen),
			       total == seen ? "" : " after it are not loaded", NULL);
			break;
		}
		if (!*path) {
			zp_say("hook list too long: the hooks from number ",
			       zp_dec(b1, seen), " on are not loaded", NULL);
			break;
		}
		zp_fds_owner = zp_owner_of(ch, ch->n);
		r = zp_load_hook(path, &init, &ch->h[ch->n], &limit);
		zp_fds_owner = 0;
		if (r == -2) {
			zp_say("cannot load hook library ", path, ": ", limit,
			       " (hook ", zp_dec(b1, seen), " of ", zp_dec(b2, total),
			       ": a limit of glibc's, see zpoline(7)); ",
			       total == seen ? "it is not loaded" : "it and the ",
			       total == seen ? "" : zp_dec(b3, total - seen),
			       total == seen ? "" : " after it are not loaded", NULL);
			break;
		}
		if (r == 0) {
			ch->h[ch->n].owner = zp_owner_of(ch, ch->n);
			ch->n++;
		} else {	/* what its init registered goes with it */
			zp_fds_drop(zp_owner_of(ch, ch->n));
		}
	}
	zp_chain_summarise(ch);
	return ch->n;
}

/* A hook of the program's own namespace (zpoline_start): first in ch. */
void zp_chain_add_fn(struct zp_chain *ch, zpoline_hook_fn fn)
{
	if (!ch->gen)
		ch->gen = ++zp_gens;
	ch->h[ch->n++] = (struct zp_hook){ .fn = fn, .path = "(in the program)" };
	zp_chain_summarise(ch);
}

/* What the dispatch path asks of a chain as a whole. */
void zp_chain_summarise(struct zp_chain *ch)
{
	ch->any_after = ch->any_signal = 0;
	ch->no_vector = 1;
	for (unsigned k = 0; k < ch->n; k++) {
		ch->any_after |= ch->h[k].after != 0;
		ch->any_signal |= ch->h[k].signal != 0;
		ch->no_vector &= (ch->h[k].flags & ZPOLINE_HOOK_NO_VECTOR) != 0;
	}
}

/* Unloads every hook of ch, the last first, and empties it.  The
 * descriptors a hook registered with own_fd are closed before its
 * destructors run (they are the runtime's to close, not the hook's). */
void zp_chain_unload(struct zp_chain *ch)
{
	for (unsigned k = ch->n; k-- > 0;) {
		zp_fds_drop(ch->h[k].owner);
		zp_unload_hook(&ch->h[k]);
	}
	ch->n = 0;
	ch->used = 0;
	ch->gen = 0;
}

/* ------------------------------------------------------------------------
 * Running a chain (the re-entry guard is held).
 */

/* after() of hooks [lo, hi), the last first. */
static void zp_afters(const struct zp_chain *ch, unsigned lo, unsigned hi,
		      const struct zpoline_call *c, long r)
{
	while (hi-- > lo)
		if (ch->h[hi].after) {
			zp_tls.chain_k = hi;
			ch->h[hi].after(c, r);
		}
}

/*
 * Runs hooks [from, n) of ch on c.  ZPOLINE_DO_SYSCALL if they all let
 * the call through (the caller makes it and, later, runs their afters);
 * else the answer, after the afters of the hooks before the one that
 * answered.
 */
long zp_chain_run(const struct zp_chain *ch, unsigned from,
		  struct zpoline_call *c)
{
	zp_tls.cur_chain = ch;
	for (unsigned k = from; k < ch->n; k++) {
		long r;
		int through;
		zp_tls.chain_k = k;
		zp_tls.chain_through = 0;
		r = ch->h[k].fn(c);
		through = zp_tls.chain_through;	/* its next() ran the rest */
		zp_tls.chain_through = 0;
		if (r != ZPOLINE_DO_SYSCALL) {
			if (through)	/* the later hooks let it through */
				zp_afters(ch, k + 1, ch->n, c, r);
			zp_afters(ch, from, k, c, r);
			return r;
		}
		if (through)
			break;
	}
	return ZPOLINE_DO_SYSCALL;
}

/* The afters of the whole chain, once the call it let through is made. */
void zp_chain_after(const struct zp_chain *ch, const struct zpoline_call *c,
		    long r)
{
	zp_tls.cur_chain = ch;
	zp_afters(ch, 0, ch->n, c, r);
}

/*
 * init->next of a hook in a chain: the later hooks, then the kernel
 * (zp_next).  For a call only the stub can make, zp_next makes nothing
 * and says ZPOLINE_DO_SYSCALL: the hooks have all let it through, which
 * chain_through tells zp_chain_run, and their afters run after the stub
 * made it.
 */
long zp_chain_next(struct zpoline_call *c)
{
	const struct zp_chain *ch = zp_tls.cur_chain;
	unsigned k = zp_tls.chain_k;
	long r;

	if (!ch || !zp_tls.in_hook)	/* not from a hook of ours */
		return zp_next(c);
	r = zp_chain_run(ch, k + 1, c);
	zp_tls.cur_chain = ch;
	zp_tls.chain_k = k;
	if (r != ZPOLINE_DO_SYSCALL)
		return r;
	r = zp_next(c);
	if (r == ZPOLINE_DO_SYSCALL) {
		zp_tls.chain_through = 1;
		return r;
	}
	zp_afters(ch, k + 1, ch->n, c, r);
	zp_tls.chain_k = k;
	return r;
}

/* Each hook's flush, then its namespace's stdio (its libc runs no exit
 * handlers of its own). */
void zp_chain_flush(const struct zp_chain *ch)
{
	for (unsigned k = 0; k < ch->n; k++) {
		if (ch->h[k].flush)
			ch->h[k].flush();
		if (ch->h[k].ns_fflush)
			ch->h[k].ns_fflush(0);
	}
}

/* A signal delivery, to each hook that asked for them, in order. */
void zp_chain_signal(const struct zp_chain *ch, int sig, const void *si)
{
	for (unsigned k = 0; k < ch->n; k++)
		if (ch->h[k].signal)
			ch->h[k].signal(sig, si);
}

/*
 * A thread's first entry into the chain's namespaces.  The program's libc
 * sets up each new thread of its own (start_thread), but a hook
 * namespace's libc never hears of the thread: its per-thread pointers to
 * the ctype tables (toupper, isdigit, and printf's conversions use them)
 * are still null.  glibc's __ctype_init sets them for the calling thread.
 */
void zp_chain_thread_init(const struct zp_chain *ch)
{
	for (unsigned k = 0; k < ch->n; k++)
		if (ch->h[k].ns_ctype_init)
			ch->h[k].ns_ctype_init();
}

/* Hands the calls made before the hooks were loaded to each one's
 * earlier(), in chain order. */
size_t zp_chain_replay(const struct zp_chain *ch)
{
	size_t lost = zp_record_replay(0);
	for (unsigned k = 0; k < ch->n; k++)
		if (ch->h[k].earlier)
			zp_record_replay(ch->h[k].earlier);
	return lost;
}

/* ------------------------------------------------------------------------
 * The chain loaded at start-up, when swapping is off: zp_chains[0], for
 * good.  One hook is published as it is; several through these.
 */

static long zp_fixed_hook(struct zpoline_call *c)
{
	return zp_chain_run(&zp_chains[0], 0, c);
}

static void zp_fixed_after(const struct zpoline_call *c, long r)
{
	zp_chain_after(&zp_chains[0], c, r);
}

static void zp_fixed_signal(int sig, const void *si)
{
	zp_chain_signal(&zp_chains[0], sig, si);
}

/* Makes the dispatch path call chain 0. */
void zp_chain_start(void)
{
	const struct zp_chain *ch = &zp_chains[0];
	if (ch->n == 1) {
		zp_after = ch->h[0].after;
		zp_signals_start(ch->h[0].signal);
		zp_hook = ch->h[0].fn;
	} else {
		zp_after = ch->any_after ? zp_fixed_after : 0;
		zp_signals_start(ch->any_signal ? zp_fixed_signal : 0);
		zp_hook = zp_fixed_hook;
	}
}

/* A thread's first entry into the hooks (the fixed chain). */
void zp_ns_thread_init(void)
{
	zp_chain_thread_init(&zp_chains[0]);
}
