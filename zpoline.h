/*
 * zpoline.h - the hook ABI of libzpoline.so (version 2).
 *
 * A hook library is a shared object that exports one function:
 *
 *     zpoline_hook_fn zpoline_hook_init(struct zpoline_init *init);
 *
 * libzpoline.so loads it with dlmopen(LM_ID_NEWLM), so the hook and every
 * library it depends on (its own libc included) live in a separate link-map
 * namespace whose code is never rewritten: a hook may call printf, malloc
 * or fopen without its system calls coming back to it.
 *
 * zpoline_hook_init runs once, in the program's first thread, before the
 * program's own constructors.  It reads what the runtime offers in *init,
 * may fill in the fields marked "hook", and returns the hook function, or
 * NULL to refuse (the runtime then falls back to its next choice of hook).
 *
 * The hook function is then called for every system call the program
 * makes, in the thread that makes it:
 *
 *     long hook(struct zpoline_call *call)
 *     {
 *         if (call->nr == SYS_openat && is_secret((char *)call->args[1]))
 *             return -EPERM;                    answer without the call
 *         return ZPOLINE_DO_SYSCALL;            let the call through
 *     }
 *
 * A hook has three ways to finish:
 *   - return ZPOLINE_DO_SYSCALL: the runtime makes the call, with the
 *     number and arguments as they are in *call when the hook returns (a
 *     hook may change them), and passes its result to init->after if the
 *     hook set one.  This is the cheapest way: the kernel is entered from
 *     the trampoline, after the hook's frames are gone;
 *   - return the result itself (e.g. -EPERM): no system call is made;
 *   - call init->next(call) to make the call now and see its result, then
 *     return that result (or another).  next() is what a chain of hooks
 *     uses.  For the few calls that can only be made from the trampoline
 *     (see ZPOLINE_DO_SYSCALL below) next() makes no call and returns
 *     ZPOLINE_DO_SYSCALL, which the hook must return; their result, when
 *     there is one, reaches init->after.
 *
 * Whatever the hook does to *call, the program's registers are restored as
 * a real `syscall` leaves them: rax holds the result, every other general
 * register, rflags and (unless the hook declares ZPOLINE_HOOK_NO_VECTOR)
 * the x87/SSE/AVX/AVX-512 state are as they were.
 *
 * Re-entry: while a thread runs inside the hook, system calls that reach
 * the runtime again on that thread (from the shared dynamic linker, or from
 * a signal handler that interrupted the hook) are made directly, without
 * calling the hook.
 *
 * Return values follow the kernel's convention: -4095..-1 is -errno.
 */
#ifndef ZPOLINE_H
#define ZPOLINE_H

#ifdef __cplusplus
extern "C" {
#endif

#define ZPOLINE_ABI_VERSION 2

/*
 * A hook's "make the call" answer.  No system call returns it: results in
 * -4095..-1 are errors, and -4096 would be an address in the kernel's half.
 */
#ifdef __ASSEMBLER__
#define ZPOLINE_DO_SYSCALL (-4096)
#else
#define ZPOLINE_DO_SYSCALL (-4096L)
#endif

#ifndef __ASSEMBLER__

/* One system call as the hook sees it. */
struct zpoline_call {
	long nr;		/* system call number (rax) */
	long args[6];		/* rdi, rsi, rdx, r10, r8, r9 */
	const void *site;	/* address of the rewritten instruction */
};

typedef long (*zpoline_hook_fn)(struct zpoline_call *call);

/* Flags a hook may set in zpoline_init.flags. */
#define ZPOLINE_HOOK_NO_VECTOR 1u /* the hook and all it calls leave x87,
				     SSE, AVX and AVX-512 registers alone
				     (e.g. built with -mgeneral-regs-only
				     and calling no libc): the runtime then
				     does not save them around the hook */

struct zpoline_init {
	/* runtime: what it offers */
	unsigned abi_version;	/* ZPOLINE_ABI_VERSION of the runtime */
	unsigned size;		/* sizeof(struct zpoline_init) of the runtime */
	zpoline_hook_fn next;	/* makes the call and returns its result */

	/* hook: what it asks for (all optional, zero by default) */
	unsigned flags;		/* ZPOLINE_HOOK_* */

	/*
	 * Called after a call the hook let through with ZPOLINE_DO_SYSCALL,
	 * with its result, in the calling thread.  Not called in the child
	 * of fork, vfork or clone (where the result is 0), nor for calls that
	 * do not return (exit, exit_group, successful execve, rt_sigreturn).
	 */
	void (*after)(const struct zpoline_call *call, long result);

	/*
	 * Called before exit_group, before a thread's exit, and before
	 * execve or execveat, after the hook has seen that call: the place
	 * to flush what the hook buffered.  The runtime also flushes the
	 * hook namespace's stdio (fflush(NULL)) at these points.
	 */
	void (*flush)(void);

	/* ---- version 2: present when size covers them ---- */

	/*
	 * runtime: the value of a setting, or NULL when it is unset.  Names
	 * are the keys of the configuration file ("output", "summary",
	 * "trace", ...); the environment variable ZPOLINE_<NAME> overrides
	 * the file.  Always NULL in secure-execution mode (set-user-ID and
	 * set-capability programs): a hook must then open nothing and write
	 * nothing that the real user chose.  The strings live as long as the
	 * process.
	 */
	const char *(*setting)(const char *name);

	/*
	 * runtime: makes *fd one of the hook's own descriptors, invisible to
	 * the program: not listed in /proc/self/fd, EBADF to the program's
	 * calls on it, kept open across close_range(), and moved to another
	 * number (with *fd updated) before the program's dup2, dup3 or
	 * fcntl(F_DUPFD) takes its number.  Returns 0, or -errno.  NULL if
	 * the runtime cannot hide descriptors.
	 */
	int (*own_fd)(int *fd);

	/*
	 * hook: called in the receiving thread when a signal is delivered
	 * to a handler of the program, before that handler runs.  si is the
	 * siginfo_t the handler gets (as const void *: this header does not
	 * need <signal.h>).
	 */
	void (*signal)(int sig, const void *si);

	/*
	 * hook: called once, right after zpoline_hook_init returns, for each
	 * call the program made between the runtime's start (before any
	 * constructor of the program's libraries) and the hook's (loading
	 * the hook makes calls too), in order, with its result.  The
	 * arguments are as the call had them; memory they point to may have
	 * changed since.  These calls were made; the hook can only report
	 * them.
	 */
	void (*earlier)(const struct zpoline_call *call, long result);
};

/* The one symbol a hook library exports. */
zpoline_hook_fn zpoline_hook_init(struct zpoline_init *init);

/*
 * Embedding.  A program linked with libzpoline.a (cc prog.c libzpoline.a
 * -ldl; the program itself dynamically linked) hooks its own system calls
 * from the moment it calls
 *
 *     zpoline_start(hook_path, in_process_hook)
 *
 * typically at the top of main.  hook_path names a hook library (or
 * several, separated by ':'), loaded into namespaces of their own as
 * ZPOLINE_HOOK's are; in_process_hook is a function of the program's own,
 * called first.  Either may be NULL, not both.  Nothing happens before
 * the call: libzpoline.a, unlike libzpoline.so, does not start by itself.
 *
 * An in-process hook runs in the program's namespace, with the program's
 * libc, at every system call, including those libc makes from inside
 * malloc or stdio with their locks held.  The re-entry guard keeps it from
 * looping (its own system calls go straight to the kernel), but it must
 * not take a lock that the interrupted code may hold: no malloc, no stdio,
 * nothing that is not async-signal-safe; write(2) and the like are fine.
 * It has no init->after, flush or next(): it answers, or returns
 * ZPOLINE_DO_SYSCALL.  Vector state is saved around it.
 *
 * Returns 0; -EINVAL (both NULL), -EALREADY (the runtime already runs: a
 * second call, or libzpoline.so preloaded), -ENOSYS (the runtime could
 * not start: a line on stderr says why), -ENOENT (no hook could be
 * loaded: the lines say why).  The settings of the environment apply
 * (ZPOLINE_VERBOSE, ZPOLINE_SWAP, ...), but ZPOLINE_HOOK.
 */
int zpoline_start(const char *hook_path, zpoline_hook_fn in_process_hook);

#endif /* __ASSEMBLER__ */

#ifdef __cplusplus
}
#endif

#endif /* ZPOLINE_H */
