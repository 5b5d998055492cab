/*
 * hook_default.c - the default hook library (libzpoline_hook.so): prints
 * every system call of the program the way strace does, e.g.
 *
 *     openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3
 *     read(3, "root:x:0:0:root:/root:/bin/bash\n"..., 4096) = 1283
 *     openat(AT_FDCWD, "/nonexistent", O_RDONLY) = -1 ENOENT (No such file or directory)
 *
 * This file is the hook itself: settings, output, the "trace" filter, the
 * summary table and signal lines.  How each call is written is in
 * tracer_calls.c and the files tracer.h lists.
 *
 * Invariants:
 *  - It runs in its own link-map namespace (see zpoline.h): the libc it
 *    calls is never rewritten, so nothing done here comes back to the hook.
 *  - One line per call, built on the stack and sent with one write(2) once
 *    the call has returned (in init->after).  A line is at most LINE_BYTES
 *    (PIPE_BUF) bytes, so lines of several threads or processes sharing a
 *    pipe or an O_APPEND file never mix; a longer line is cut.
 *  - Calls that do not return (exit, exit_group, rt_sigreturn) are printed
 *    in the hook, before the call, with strace's "= ?".  rt_sigreturn shows
 *    no argument: strace reads the signal mask from the frame at the
 *    caller's stack pointer, which the hook is not given.  A successful
 *    execve is printed by the new image, when it loads this library (as
 *    strace prints it: after the call); a failed one is printed by after.
 *  - The few values a call overwrites but strace shows as they were (an
 *    address length, select's sets...) are copied in the hook, before the
 *    call, into a per-thread slot that after() finds by the call's number
 *    and arguments.
 *  - Per-thread state is in initial-exec TLS: nothing is allocated on a
 *    thread's first call, which may come while the program's malloc holds
 *    its lock.
 *  - In steady state the only system calls made here are the write of each
 *    line, process_vm_readv for memory the kernel has not vouched for, and
 *    gettid once per thread (for "[pid N] ", and at forks with a summary).
 *
 * Settings, each read through init->setting when the runtime offers it,
 * else from the environment variable ZPOLINE_<NAME>:
 *  output=FILE   append the trace to FILE instead of stderr; every process
 *                of a tree opens it O_APPEND, so they share it (each from
 *                its own working directory: give a full path).
 *  summary=1     print no trace; at exit_group print a table like
 *                `strace -c -w` (calls, errors, wall time per call) of
 *                this process since its execve or fork.
 *  summary=both  the trace and the table (strace -C).
 *  trace=SET     only the calls of SET, as strace's -e trace=SET: names and
 *                %classes separated by commas, "all", "none", a leading
 *                "!" for all but SET; a word strace would refuse is
 *                reported in one line and ignored.
 *
 * "[pid N] " starts each line once the process has created a thread or a
 * child, or when its parent is traced too (its trace is then shared).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tracer.h"

#define COUNTED 1024		/* syscall numbers the summary counts */
#define TLS __attribute__((tls_model("initial-exec")))

/* ---- state ------------------------------------------------------------- */

static int out_fd = -1;		/* where lines go (a private descriptor) */
static int tracing = 1;		/* print each call */
static int summary;		/* count the calls, print a table at exit */
static int multi;		/* lines need "[pid N] " (set, never cleared) */
static int write_failed;	/* a line could not be written: said once */
static unsigned char wanted[COUNTED / 8]; /* the "trace" filter, by number */

static char **exec_argv;	/* this image's argv and envp, for the */
static char **exec_envp;	/* line of the execve that started it  */

/* Thread id, or 0 when it must be asked again (after clone, fork, vfork). */
static __thread int tid_cache TLS;
/* Set from a vfork (or a clone sharing this thread's TLS) until it
 * returns: the child runs on this very TLS, so no id is cached then. */
static __thread int tls_shared TLS;
/* Entry time of the current call (summary only). */
static __thread long t_entry TLS;
/* Thread id of this thread while it forks (summary only), else 0. */
static __thread int t_forking TLS;

/* What the hook copied before a call, for after() to find (see above). */
struct entry_slot {
	long nr, args[6];	/* the call; nr -1: empty */
	unsigned char in[ENTRY_BYTES];
};
static __thread struct entry_slot entry_slots[2] TLS;
static __thread unsigned entry_next TLS;

static struct count { unsigned long calls, errors, ns; } counts[COUNTED];

int current_tid(void)
{
	if (tls_shared)
		return gettid();
	if (!tid_cache)
		tid_cache = gettid();
	return tid_cache;
}

static int is_wanted(long nr)
{
	return nr >= 0 && nr < COUNTED && (wanted[nr / 8] >> (nr % 8) & 1);
}

/* ---- output ---------------------------------------------------------------- */

/* "[pid N] " when the output is shared. */
static void begin(struct line *l)
{
	l->len = 0;
	if (__atomic_load_n(&multi, __ATOMIC_RELAXED)) {
		int tid = current_tid();
		put(l, "[pid ");
		for (int w = 10000; w > 1 && tid < w; w /= 10)
			put_c(l, ' ');	/* strace's %5d */
		put_dec(l, tid);
		put(l, "] ");
	}
}

/* The first failed write says so on stderr, once per process. */
static void report_write_error(int err)
{
	char msg[160];
	int n;

	if (__atomic_exchange_n(&write_failed, 1, __ATOMIC_RELAXED))
		return;
	n = snprintf(msg, sizeof msg, "zpoline: trace output: write failed: %s\n",
		     strerror(err));
	if (write(2, msg, n) < 0)
		return;		/* nowhere else to say it */
}

/* Sends the line with one write; a full pipe or a signal only delays it. */
static void emit(struct line *l)
{
	size_t done = 0;

	l->buf[l->len++] = '\n';
	while (done < l->len) {
		ssize_t n = write(out_fd, l->buf + done, l->len - done);
		if (n > 0) {
			done += n;
		} else if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { out_fd, POLLOUT, 0 };
			poll(&p, 1, -1);
		} else if (!(n < 0 && errno == EINTR)) {
			report_write_error(n < 0 ? errno : ENOSPC);
			return;
		}
	}
}

/* ---- summary -------------------------------------------------------------- */

static long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void count(long nr, long res, long ns)
{
	if (nr < 0 || nr >= COUNTED || !is_wanted(nr))
		return;
	__atomic_fetch_add(&counts[nr].calls, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&counts[nr].ns, ns, __ATOMIC_RELAXED);
	if (res < 0 && res >= -4095)
		__atomic_fetch_add(&counts[nr].errors, 1, __ATOMIC_RELAXED);
}

static int by_time(const void *a, const void *b)
{
	const int x = *(const int *)a, y = *(const int *)b;
	if (counts[x].ns != counts[y].ns)
		return counts[x].ns < counts[y].ns ? 1 : -1;
	return x - y;
}

static void summary_row(struct line *l, double pct, unsigned long ns,
			unsigned long calls, unsigned long errors,
			const char *name, long nr)
{
	char b[96];
	begin(l);
	snprintf(b, sizeof b, "%6.2f %11.6f %11lu %9lu ", pct, ns / 1e9,
		 calls ? ns / 1000 / calls : 0, calls);
	put(l, b);
	if (errors) {
		snprintf(b, sizeof b, "%9lu ", errors);
		put(l, b);
	} else {
		put(l, "          ");
	}
	if (name) {
		put(l, name);
	} else {
		put(l, "syscall_");
		put_hex(l, nr);
	}
	emit(l);
}

static void summary_text(struct line *l, const char *s)
{
	begin(l);
	put(l, s);
	emit(l);
}

/* The table of `strace -c`, busiest first; one write per row. */
static void print_summary(void)
{
	static const char rule[] = "------ ----------- ----------- "
				   "--------- --------- ----------------";
	int order[COUNTED], n = 0;
	unsigned long ns = 0, calls = 0, errors = 0;
	struct line l;

	for (int i = 0; i < COUNTED; i++) {
		if (!counts[i].calls)
			continue;
		order[n++] = i;
		ns += counts[i].ns;
		calls += counts[i].calls;
		errors += counts[i].errors;
	}
	qsort(order, n, sizeof order[0], by_time);
	summary_text(&l, "% time     seconds  usecs/call     calls    errors "
			 "syscall");
	summary_text(&l, rule);
	for (int k = 0; k < n; k++) {
		const struct count *c = &counts[order[k]];
		summary_row(&l, ns ? 100.0 * c->ns / ns : 0, c->ns, c->calls,
			    c->errors, syscall_name(order[k]), order[k]);
	}
	summary_text(&l, rule);
	summary_row(&l, 100.0, ns, calls, errors, "total", 0);
}

/* ---- calls -------------------------------------------------------------------- */

/* exit, exit_group, rt_sigreturn: printed now, they have no after. */
static void print_no_return(const struct zpoline_call *c)
{
	struct line l;

	if (tracing && is_wanted(c->nr)) {
		struct result_view rv;
		begin(&l);
		put_call(&l, c, 0, NULL, &rv);
		put_result(&l, c, 0, &rv);
		l.len -= 1;	/* strace's "= ?" in place of the value */
		put_c(&l, '?');
		emit(&l);
	}
	if (c->nr != SYS_rt_sigreturn && tracing) {
		begin(&l);
		put(&l, "+++ exited with ");
		put_dec(&l, c->args[0] & 0xff);
		put(&l, " +++");
		emit(&l);
	}
}

/* The flags of a clone, clone3, fork or vfork, as clone's. */
static unsigned long clone_flags(const struct zpoline_call *c)
{
	unsigned long flags = 0;

	switch (c->nr) {
	case SYS_fork:
		return 0;
	case SYS_vfork:
		return CLONE_VM | CLONE_VFORK;
	case SYS_clone:
		return c->args[0];
	}
	/* clone3: the flags are the first field of struct clone_args */
	peek(&flags, c->args[0], sizeof flags, 0);
	return flags;
}

/*
 * A fork child inherits its parent's counts and drops them on its first
 * call.  It is a copy of the forking thread, t_forking included, but has
 * another thread id.  (A vfork child shares the counts, as it shares all
 * memory, and must not drop them.)
 */
static void summary_enter(void)
{
	if (t_forking && gettid() != t_forking) {
		memset(counts, 0, sizeof counts);
		t_forking = 0;
	}
	t_entry = now_ns();	/* a signal handler's calls may overwrite it */
}

/* Saves what the call may overwrite, for after(). */
static void save_entry(const struct zpoline_call *c)
{
	struct entry_slot *s = &entry_slots[entry_next++ % 2];

	if (!entry_copy(c, s->in)) {
		entry_next--;
		return;
	}
	s->nr = c->nr;
	memcpy(s->args, c->args, sizeof s->args);
}

static const unsigned char *find_entry(const struct zpoline_call *c)
{
	for (int i = 0; i < 2; i++) {
		struct entry_slot *s = &entry_slots[i];
		if (s->nr == c->nr && !memcmp(s->args, c->args, sizeof s->args)) {
			s->nr = -1;
			return s->in;
		}
	}
	return NULL;
}

static long hook(struct zpoline_call *c)
{
	unsigned long flags;

	if (summary)
		summary_enter();
	switch (c->nr) {
	case SYS_clone:
	case SYS_clone3:
	case SYS_fork:
	case SYS_vfork:
		/* the new thread or process shares the output from now on */
		__atomic_store_n(&multi, 1, __ATOMIC_RELAXED);
		flags = clone_flags(c);	/* may ask for the tid: before it goes */
		tid_cache = 0;
		tls_shared = (flags & CLONE_VM) && !(flags & CLONE_SETTLS);
		if (summary && !(flags & CLONE_VM))
			t_forking = gettid();
		break;
	case SYS_exit_group:
		count(c->nr, 0, 0);
		print_no_return(c);
		if (summary)
			print_summary();
		return ZPOLINE_DO_SYSCALL;
	case SYS_exit:
	case SYS_rt_sigreturn:
		count(c->nr, 0, 0);
		print_no_return(c);
		return ZPOLINE_DO_SYSCALL;
	}
	if (tracing && is_wanted(c->nr))
		save_entry(c);
	return ZPOLINE_DO_SYSCALL;
}

/* init->earlier: a call the program made before the tracer was loaded,
 * printed as after() prints a call, from memory that is not trusted. */
static void earlier(const struct zpoline_call *c, long res)
{
	struct line l;
	struct result_view rv;

	if (!tracing || !is_wanted(c->nr))
		return;		/* nor counted: a table counts from the start */
	memory_untrusted = 1;
	begin(&l);
	put_call(&l, c, res, NULL, &rv);
	put_result(&l, c, res, &rv);
	emit(&l);
	memory_untrusted = 0;
}

static void after(const struct zpoline_call *c, long res)
{
	struct line l;
	struct result_view rv;
	const unsigned char *in;

	switch (c->nr) {
	case SYS_clone:
	case SYS_clone3:
	case SYS_fork:
	case SYS_vfork:
		tid_cache = 0;
		tls_shared = 0;
		t_forking = 0;
		break;
	}
	if (summary)
		count(c->nr, res, now_ns() - t_entry);
	if (!tracing || !is_wanted(c->nr))
		return;
	in = find_entry(c);
	begin(&l);
	put_call(&l, c, res, in, &rv);
	put_result(&l, c, res, &rv);
	emit(&l);
}

/* init->signal: a signal is about to reach a handler of the program. */
static void on_signal(int sig, const void *si)
{
	struct line l;

	if (!tracing)
		return;
	begin(&l);
	put_signal_line(&l, sig, si);
	emit(&l);
}

/* ---- settings -------------------------------------------------------------------- */

static struct zpoline_init *the_init;	/* during zpoline_hook_init only */

/* A setting by name: through the runtime when it offers them, else from
 * the environment (ZPOLINE_<NAME>).  NULL when unset. */
static const char *setting(const char *name)
{
	char var[64] = "ZPOLINE_";
	size_t n = 8;

	if (the_init->size >= offsetof(struct zpoline_init, setting)
			      + sizeof the_init->setting
	    && the_init->setting)
		return the_init->setting(name);
	for (; *name && n < sizeof var - 1; name++)
		var[n++] = *name >= 'a' && *name <= 'z' ? *name - 32 : *name;
	var[n] = 0;
	return getenv(var);
}

static void want_all(int on)
{
	memset(wanted, on ? 0xff : 0, sizeof wanted);
}

/* One word of the filter: a name, a class, "all"; 0 if unknown. */
static int want_word(const char *w, unsigned char *set)
{
	long nr;

	if (strcmp(w, "all") == 0) {
		memset(set, 0xff, COUNTED / 8);
		return 1;
	}
	if (class_calls(w, set, COUNTED))
		return 1;
	nr = syscall_number(w);
	if (nr < 0 || nr >= COUNTED)
		return 0;
	set[nr / 8] |= 1 << (nr % 8);
	return 1;
}

/* The "trace" setting, as strace's -e trace=: each leading '!' inverts
 * the rest; "none" and "all" alone; else a comma-separated list. */
static void parse_filter(const char *spec, int quiet)
{
	unsigned char set[COUNTED / 8] = { 0 };
	char word[64];
	int invert = 0;

	while (*spec == '!') {
		invert = !invert;
		spec++;
	}
	if (strcmp(spec, "none") == 0) {
		want_all(invert);
		return;
	}
	while (*spec) {
		size_t n = strcspn(spec, ",");
		const char *w = word;
		if (n < sizeof word) {
			memcpy(word, spec, n);
			word[n] = 0;
			while (*w == '?')
				w++;
			if (*w && !want_word(w, set) && w == word && !quiet)
				dprintf(2, "zpoline: trace: unknown system call "
					"or class \"%s\"\n", word);
		}
		spec += n + (spec[n] == ',');
	}
	for (size_t i = 0; i < sizeof wanted; i++)
		wanted[i] = invert ? ~set[i] : set[i];
}

/* ---- start-up ----------------------------------------------------------------------- */

/* glibc passes argc, argv and envp to a library's constructors. */
__attribute__((constructor)) static void save_args(int argc, char **argv,
						   char **envp)
{
	exec_argv = argv;
	exec_envp = envp;
}

/*
 * The execve that started this image, printed as strace prints it on the
 * call's return: the file name as the caller passed it (AT_EXECFN), argv,
 * and envp (here at its new address).
 */
static void print_exec(void)
{
	struct zpoline_call c = { .nr = SYS_execve };
	struct result_view rv;
	struct line l;

	c.args[0] = getauxval(AT_EXECFN);
	c.args[1] = (unsigned long)exec_argv;
	c.args[2] = (unsigned long)exec_envp;
	if (!c.args[0] && exec_argv)
		c.args[0] = (unsigned long)exec_argv[0];
	begin(&l);
	put_call(&l, &c, 0, NULL, &rv);
	put_result(&l, &c, 0, &rv);
	emit(&l);
}

/*
 * Whether the parent process runs this library too: then the trace output
 * is shared and every line needs its pid.  Read from /proc/PPID/maps.
 */
static int parent_traced(void)
{
	char self[PATH_MAX], path[64], line[PATH_MAX + 128];
	Dl_info info;
	FILE *f;
	int found = 0;

	if (!dladdr((void *)zpoline_hook_init, &info) || !info.dli_fname
	    || !realpath(info.dli_fname, self))
		return 0;
	snprintf(path, sizeof path, "/proc/%d/maps", (int)getppid());
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof line, f))
		found = strstr(line, self) != NULL;
	fclose(f);
	return found;
}

/*
 * A private descriptor for the output, high above those the program uses
 * (its own open() calls then return the numbers they return without the
 * tracer), closed on exec: the next image opens its own.  The runtime
 * hides it from the program too when it can (init->own_fd).
 */
static int private_fd(int fd)
{
	struct rlimit r;
	long high = 1024;
	int moved;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < (rlim_t)high)
		high = r.rlim_cur;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, high - 1);
	if (moved < 0)
		moved = fcntl(fd, F_DUPFD_CLOEXEC, high / 2);
	return moved;
}

static int open_output(int hidden)
{
	const char *file = setting("output");
	int fd;

	if (!file || !*file)	/* a copy: the program may close its 2 */
		return hidden ? fcntl(2, F_DUPFD_CLOEXEC, 3) : private_fd(2);
	fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (fd < 0) {
		dprintf(2, "zpoline: ZPOLINE_OUTPUT=%s: %s\n", file,
			strerror(errno));
		return -1;
	}
	if (hidden)		/* own_fd places it */
		return fd;
	int moved = private_fd(fd);
	if (moved < 0)
		return fd;
	close(fd);
	return moved;
}

/* Offers the output descriptor to the runtime to hide, if it can. */
static void hide_output(void)
{
	if (the_init->size >= offsetof(struct zpoline_init, own_fd)
			      + sizeof the_init->own_fd
	    && the_init->own_fd)
		the_init->own_fd(&out_fd);
}

zpoline_hook_fn zpoline_hook_init(struct zpoline_init *init)
{
	const char *s, *f;

	if (init->abi_version < 1 || init->size < offsetof(struct zpoline_init,
							   flush))
		return NULL;
	the_init = init;
	s = setting("summary");
	f = setting("trace");
	for (int i = 0; i < 2; i++)
		entry_slots[i].nr = -1;
	multi = parent_traced();
	want_all(1);
	if (f && *f)		/* its errors: said by the first process */
		parse_filter(f, multi);
	if (s && *s && strcmp(s, "0") != 0) {
		summary = 1;
		tracing = strcmp(s, "both") == 0;
	}
	tzset();		/* time()'s date, read now, not mid-trace */
	out_fd = open_output(the_init->size >= offsetof(struct zpoline_init, own_fd)
			     + sizeof the_init->own_fd && the_init->own_fd);
	if (out_fd < 0)
		return NULL;
	hide_output();
	the_init = NULL;	/* *init lives only as long as this call */
	init->after = after;
	if (init->size >= offsetof(struct zpoline_init, signal)
			  + sizeof init->signal)
		init->signal = on_signal;
	if (init->size >= offsetof(struct zpoline_init, earlier)
			  + sizeof init->earlier)
		init->earlier = earlier;
	count(SYS_execve, 0, 0);
	if (tracing && is_wanted(SYS_execve))
		print_exec();
	return hook;
}
