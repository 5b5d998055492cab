/*
 * hook_default.c - the default hook library (libzpoline_hook.so): prints
 * every system call of the program the way strace does, e.g.
 *
 *     openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3
 *     read(3, "root:x:0:0:root:/root:/bin/bash\n"..., 4096) = 1283
 *     openat(AT_FDCWD, "/nonexistent", O_RDONLY) = -1 ENOENT (No such file or directory)
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
 *  - Program memory is read directly only where the kernel has just read
 *    or written it for a successful call; elsewhere it is copied with
 *    process_vm_readv, which fails where a plain read would fault.
 *  - Per-thread state is in initial-exec TLS: nothing is allocated on a
 *    thread's first call, which may come while the program's malloc holds
 *    its lock.
 *  - In steady state the only system calls made here are the write of each
 *    line, process_vm_readv for memory the kernel has not vouched for, and
 *    gettid once per thread (for "[pid N] ", and at forks with a summary).
 *
 * Environment (read once, at load):
 *  ZPOLINE_OUTPUT=FILE  append the trace to FILE instead of stderr; every
 *                       process of a tree opens it O_APPEND, so they share it
 *                       (each from its own working directory: give a full
 *                       path).
 *  ZPOLINE_SUMMARY=1    print no trace; at exit_group print a table like
 *                       `strace -c -w` (calls, errors, wall time per call) of
 *                       this process since its execve or fork.
 *
 * "[pid N] " starts each line once the process has created a thread or a
 * child, or when its parent is traced too (its trace is then shared).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "zpoline.h"

#define LINE_BYTES PIPE_BUF	/* longest line; a pipe write this long is atomic */
#define ALIGN_COL 39		/* strace pads to here before " = " */
#define STR_MAX 32		/* strace -s default: bytes of a buffer shown */
#define PAGE 4096UL
#define COUNTED 1024		/* syscall numbers the summary counts */

/* ---- state ------------------------------------------------------------- */

static int out_fd = -1;		/* where lines go (a private descriptor) */
static int summary_only;	/* ZPOLINE_SUMMARY: count, print at exit */
static int multi;		/* lines need "[pid N] " (set, never cleared) */

static char **exec_argv;	/* this image's argv and envp, for the */
static char **exec_envp;	/* line of the execve that started it  */

/* Thread id, or 0 when it must be asked again (after clone, fork, vfork). */
static __thread int tid_cache __attribute__((tls_model("initial-exec")));
/* Entry time of the current call (summary only). */
static __thread long t_entry __attribute__((tls_model("initial-exec")));
/* Thread id of this thread while it forks (summary only), else 0. */
static __thread int t_forking __attribute__((tls_model("initial-exec")));

static struct count { unsigned long calls, errors, ns; } counts[COUNTED];

#include "syscall_names.h"	/* generated: syscall_names[nr] */

static const char *syscall_name(long nr)
{
	size_t n = sizeof syscall_names / sizeof syscall_names[0];
	return nr >= 0 && (size_t)nr < n ? syscall_names[nr] : NULL;
}

static int current_tid(void)
{
	if (!tid_cache)
		tid_cache = gettid();
	return tid_cache;
}

/* ---- a line being built ------------------------------------------------ */

struct line {
	size_t len;
	char buf[LINE_BYTES];
};

/* Appends n bytes; what does not fit (leaving room for '\n') is dropped. */
static void put_n(struct line *l, const char *s, size_t n)
{
	size_t room = sizeof l->buf - 1 - l->len;
	if (n > room)
		n = room;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void put(struct line *l, const char *s)
{
	put_n(l, s, strlen(s));
}

static void put_c(struct line *l, char c)
{
	put_n(l, &c, 1);
}

static void put_udec(struct line *l, unsigned long v)
{
	char b[24], *p = b + sizeof b;
	do
		*--p = '0' + v % 10;
	while (v /= 10);
	put_n(l, p, b + sizeof b - p);
}

static void put_dec(struct line *l, long v)
{
	if (v < 0) {
		put_c(l, '-');
		put_udec(l, -(unsigned long)v);
	} else {
		put_udec(l, v);
	}
}

/* strace's hex: "0" for zero, "0x1f" otherwise. */
static void put_hex(struct line *l, unsigned long v)
{
	char b[24], *p = b + sizeof b;
	if (!v) {
		put_c(l, '0');
		return;
	}
	do
		*--p = "0123456789abcdef"[v & 15];
	while (v >>= 4);
	put(l, "0x");
	put_n(l, p, b + sizeof b - p);
}

static void put_ptr(struct line *l, unsigned long v)
{
	if (v)
		put_hex(l, v);
	else
		put(l, "NULL");
}

static void put_oct(struct line *l, unsigned long v)
{
	char b[24], *p = b + sizeof b;
	do
		*--p = '0' + (v & 7);
	while (v >>= 3);
	*--p = '0';
	if (b + sizeof b - p < 3)
		*--p = '0';	/* strace shows mode 0 as "000" */
	put_n(l, p, b + sizeof b - p);
}

/* ---- reading the program's memory -------------------------------------- */

/*
 * Copies up to n bytes at addr; returns how many could be read.  trusted:
 * the kernel has just accessed these bytes for this call, a plain copy is
 * safe.  Otherwise process_vm_readv, one page at a time (it does not split
 * an iovec at a fault).
 */
static size_t peek(void *dst, unsigned long addr, size_t n, int trusted)
{
	size_t done = 0;

	if (trusted) {
		memcpy(dst, (const void *)addr, n);
		return n;
	}
	while (done < n) {
		unsigned long a = addr + done;
		size_t chunk = PAGE - (a & (PAGE - 1));
		if (chunk > n - done)
			chunk = n - done;
		struct iovec local = { (char *)dst + done, chunk };
		struct iovec remote = { (void *)a, chunk };
		if (process_vm_readv(current_tid(), &local, 1, &remote, 1, 0)
		    != (ssize_t)chunk)
			break;
		done += chunk;
	}
	return done;
}

/* ---- quoted strings, as strace escapes them ---------------------------- */

/*
 * Bytes are escaped one behind, because an octal escape takes three digits
 * when the next byte is itself an octal digit ("\0" + '1' -> "\0001").
 */
struct quoter {
	struct line *l;
	int pending;		/* byte not yet written, or -1 */
};

static void put_escaped(struct line *l, unsigned char c, int next)
{
	char b[4];
	switch (c) {
	case '"':  put(l, "\\\""); return;
	case '\\': put(l, "\\\\"); return;
	case '\f': put(l, "\\f"); return;
	case '\n': put(l, "\\n"); return;
	case '\r': put(l, "\\r"); return;
	case '\t': put(l, "\\t"); return;
	case '\v': put(l, "\\v"); return;
	}
	if (c >= ' ' && c < 0x7f) {
		put_c(l, c);
		return;
	}
	put_c(l, '\\');
	if (next >= '0' && next <= '7') {
		b[0] = '0' + (c >> 6);
		b[1] = '0' + ((c >> 3) & 7);
		b[2] = '0' + (c & 7);
		put_n(l, b, 3);
	} else {
		if (c >> 6)
			put_c(l, '0' + (c >> 6));
		if (c >> 3)
			put_c(l, '0' + ((c >> 3) & 7));
		put_c(l, '0' + (c & 7));
	}
}

static void q_push(struct quoter *q, unsigned char c)
{
	if (q->pending >= 0)
		put_escaped(q->l, q->pending, c);
	q->pending = c;
}

static void q_end(struct quoter *q)
{
	if (q->pending >= 0)
		put_escaped(q->l, q->pending, -1);
	q->pending = -1;
	put_c(q->l, '"');
}

/* A buffer of len bytes: its first STR_MAX shown, then "..." if longer. */
static void put_buf(struct line *l, unsigned long addr, unsigned long len,
		    int trusted)
{
	unsigned char b[STR_MAX];
	size_t n = len < STR_MAX ? len : STR_MAX;
	struct quoter q = { l, -1 };

	if (!addr || peek(b, addr, n, trusted) != n) {
		put_ptr(l, addr);
		return;
	}
	put_c(l, '"');
	for (size_t i = 0; i < n; i++)
		q_push(&q, b[i]);
	q_end(&q);
	if (len > n)
		put(l, "...");
}

/* A NUL-terminated string, at most max bytes shown, "..." if cut. */
static void put_str(struct line *l, unsigned long addr, size_t max,
		    int trusted)
{
	unsigned char b[256];
	struct quoter q = { l, -1 };
	size_t shown = 0;

	if (!addr) {
		put(l, "NULL");
		return;
	}
	for (;;) {
		size_t want = sizeof b, n;
		if (trusted) {
			/* the kernel read up to the NUL: read no further */
			const char *s = (const char *)addr + shown;
			n = strnlen(s, want);
			memcpy(b, s, n < want ? n + 1 : n);
			n = n < want ? n + 1 : n;
		} else {
			n = peek(b, addr + shown, want, 0);
			if (!n && !shown) {
				put_ptr(l, addr);
				return;
			}
		}
		if (!shown)
			put_c(l, '"');
		for (size_t i = 0; i < n; i++) {
			if (!b[i]) {
				q_end(&q);
				return;
			}
			if (shown++ == max) {
				q_end(&q);
				put(l, "...");
				return;
			}
			q_push(&q, b[i]);
		}
		if (n < want) {		/* unreadable before any NUL */
			q_end(&q);
			put(l, "...");
			return;
		}
	}
}

/*
 * Calls f on each pointer of the NULL-terminated array at addr, stopping
 * early when f returns 0; returns how many pointers were seen.
 */
static size_t each_ptr(unsigned long addr,
		       int (*f)(void *ctx, size_t i, unsigned long p), void *ctx)
{
	unsigned long p[32];
	size_t i = 0;

	for (;;) {
		/* its length is unknown: never read it directly */
		size_t n = peek(p, addr + i * sizeof p[0], sizeof p, 0);
		n /= sizeof p[0];
		for (size_t k = 0; k < n; k++, i++)
			if (!p[k] || !f(ctx, i, p[k]))
				return i;
		if (n < 32)
			return i;
	}
}

struct argv_ctx { struct line *l; int trusted; };

static int argv_elem(void *ctx, size_t i, unsigned long p)
{
	struct argv_ctx *a = ctx;
	if (i)
		put(a->l, ", ");
	if (i == STR_MAX) {
		put(a->l, "...");
		return 0;
	}
	put_str(a->l, p, STR_MAX, a->trusted);
	return 1;
}

/* execve's argv: ["ls", "-l"], at most STR_MAX strings. */
static void put_argv(struct line *l, unsigned long addr, int trusted)
{
	struct argv_ctx a = { l, trusted };
	if (!addr) {
		put(l, "NULL");
		return;
	}
	put_c(l, '[');
	each_ptr(addr, argv_elem, &a);
	put_c(l, ']');
}

static int count_elem(void *ctx, size_t i, unsigned long p)
{
	return 1;
}

/* execve's envp, as strace abbreviates it: 0x7ffc... / * 20 vars * / */
static void put_envp(struct line *l, unsigned long addr)
{
	put_ptr(l, addr);
	if (!addr)
		return;
	put(l, " /* ");
	put_udec(l, each_ptr(addr, count_elem, NULL));
	put(l, " vars */");
}

/* ---- flags and named constants ----------------------------------------- */

struct flag { unsigned long value; const char *name; };

/*
 * "A|B|0x40": names in table order (multi-bit values listed before their
 * parts), unknown bits in hex; zero_name (or "0") when v is 0.
 */
static void put_flags(struct line *l, unsigned long v, const struct flag *t,
		      const char *zero_name, int first)
{
	if (!v) {
		if (first)
			put(l, zero_name ? zero_name : "0");
		return;
	}
	for (; t->name; t++) {
		if (t->value && (v & t->value) == t->value) {
			if (!first)
				put_c(l, '|');
			put(l, t->name);
			v &= ~t->value;
			first = 0;
		}
	}
	if (v) {
		if (!first)
			put_c(l, '|');
		put_hex(l, v);
	}
}

/* Octal kernel values (asm-generic/fcntl.h); glibc hides some on x86-64. */
static const struct flag open_flags[] = {
	{ 0100, "O_CREAT" },	{ 0200, "O_EXCL" },
	{ 0400, "O_NOCTTY" },	{ 01000, "O_TRUNC" },
	{ 02000, "O_APPEND" },	{ 04000, "O_NONBLOCK" },
	{ 04010000, "O_SYNC" },	{ 04000000, "__O_SYNC" },
	{ 010000, "O_DSYNC" },	{ 040000, "O_DIRECT" },
	{ 0100000, "O_LARGEFILE" }, { 0400000, "O_NOFOLLOW" },
	{ 01000000, "O_NOATIME" }, { 02000000, "O_CLOEXEC" },
	{ 010000000, "O_PATH" }, { 020200000, "O_TMPFILE" },
	{ 020000000, "__O_TMPFILE" }, { 0200000, "O_DIRECTORY" },
	{ 020000, "FASYNC" },	{ 0, NULL }
};
#define O_CREAT_K 0100
#define O_TMPFILE_K 020000000

static void put_open_flags(struct line *l, unsigned long v)
{
	static const char *const acc[] = {
		"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"
	};
	put(l, acc[v & 3]);
	put_flags(l, v & ~3UL, open_flags, NULL, 0);
}

static const struct flag prot_flags[] = {
	{ 1, "PROT_READ" }, { 2, "PROT_WRITE" }, { 4, "PROT_EXEC" },
	{ 8, "PROT_SEM" }, { 0x01000000, "PROT_GROWSDOWN" },
	{ 0x02000000, "PROT_GROWSUP" }, { 0, NULL }
};

static const struct flag mmap_flags[] = {
	{ 0x10, "MAP_FIXED" },		{ 0x20, "MAP_ANONYMOUS" },
	{ 0x40, "MAP_32BIT" },		{ 0x4000, "MAP_NORESERVE" },
	{ 0x8000, "MAP_POPULATE" },	{ 0x10000, "MAP_NONBLOCK" },
	{ 0x100, "MAP_GROWSDOWN" },	{ 0x800, "MAP_DENYWRITE" },
	{ 0x1000, "MAP_EXECUTABLE" },	{ 0x2000, "MAP_LOCKED" },
	{ 0x20000, "MAP_STACK" },	{ 0x40000, "MAP_HUGETLB" },
	{ 0x80000, "MAP_SYNC" },	{ 0x100000, "MAP_FIXED_NOREPLACE" },
	{ 0, NULL }
};

/*
 * The mapping type (low four bits) by name, the other flags, then the huge
 * page size field (bits 26-31) as strace shows it: "|21<<MAP_HUGE_SHIFT".
 */
static void put_mmap_flags(struct line *l, unsigned long v)
{
	static const char *const type[] = {
		NULL, "MAP_SHARED", "MAP_PRIVATE", "MAP_SHARED_VALIDATE"
	};
	unsigned long t = v & 0xf, huge = (v >> 26) & 0x3f;

	v &= ~(0x3fUL << 26);
	if (t < 4 && type[t]) {
		put(l, type[t]);
		put_flags(l, v & ~0xfUL, mmap_flags, NULL, 0);
	} else {
		put_flags(l, v, mmap_flags, NULL, 1);
	}
	if (huge) {
		put_c(l, '|');
		put_udec(l, huge);
		put(l, "<<MAP_HUGE_SHIFT");
	}
}

static const struct flag at_flags[] = {
	{ 0x100, "AT_SYMLINK_NOFOLLOW" }, { 0x200, "AT_REMOVEDIR" },
	{ 0x400, "AT_SYMLINK_FOLLOW" },	{ 0x800, "AT_NO_AUTOMOUNT" },
	{ 0x1000, "AT_EMPTY_PATH" },	{ 0x8000, "AT_RECURSIVE" },
	{ 0, NULL }
};

/* statx: the sync type is a two-bit field, always named. */
static void put_statx_flags(struct line *l, unsigned long v)
{
	static const char *const sync[] = {
		"AT_STATX_SYNC_AS_STAT", "AT_STATX_FORCE_SYNC",
		"AT_STATX_DONT_SYNC", "AT_STATX_SYNC_TYPE"
	};
	put(l, sync[(v >> 13) & 3]);
	put_flags(l, v & ~0x6000UL, at_flags, NULL, 0);
}

static const struct flag access_modes[] = {
	{ 4, "R_OK" }, { 2, "W_OK" }, { 1, "X_OK" }, { 0, NULL }
};

static void put_name(struct line *l, unsigned long v,
		     const char *const *names, size_t n)
{
	if (v < n && names[v])
		put(l, names[v]);
	else
		put_dec(l, (int)v);
}
#define PUT_NAME(l, v, names) put_name(l, v, names, sizeof names / sizeof *names)

static const char *const signal_names[] = {
	NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
	"SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",
	"SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
	"SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
	"SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",
	"SIGSYS",
};

/* Signal numbers: SIGHUP..SIGSYS, SIGRTMIN, SIGRT_1..SIGRT_32, else decimal. */
static void put_signal(struct line *l, unsigned long v)
{
	int s = (int)v;
	if (s == 32) {
		put(l, "SIGRTMIN");
	} else if (s > 32 && s <= 64) {
		put(l, "SIGRT_");
		put_dec(l, s - 32);
	} else {
		PUT_NAME(l, (unsigned)s, signal_names);
	}
}

static const char *const whence_names[] = {
	"SEEK_SET", "SEEK_CUR", "SEEK_END", "SEEK_DATA", "SEEK_HOLE"
};
static const char *const sigprocmask_how[] = {
	"SIG_BLOCK", "SIG_UNBLOCK", "SIG_SETMASK"
};

/* ---- what each call's arguments are ------------------------------------ */

/*
 * One letter per argument:
 *   i int (fds too)    U unsigned int     u unsigned long   l long
 *   x hex              p pointer          d dirfd (AT_FDCWD)
 *   s path             w buffer the call reads, its length is the next argument
 *   r buffer the call fills, its length is the result (address on failure)
 *   g path the call fills (getcwd)
 *   o open flags       m mode, octal (for open: only with O_CREAT/O_TMPFILE)
 *   P mmap prot        M mmap flags       S signal          h lseek whence
 *   a AT_* flags       X statx flags      A access mode     H sigprocmask how
 *   v execve argv      e execve envp      F fcntl command (and its argument)
 * A call missing here prints six hex arguments, as strace does for a call
 * it does not know.
 */
static const char *const signatures[] = {
	[SYS_read] = "iru",		[SYS_write] = "iwu",
	[SYS_open] = "som",		[SYS_close] = "i",
	[SYS_stat] = "sp",		[SYS_fstat] = "ip",
	[SYS_lstat] = "sp",		[SYS_poll] = "pUi",
	[SYS_lseek] = "ilh",		[SYS_mmap] = "puPMix",
	[SYS_mprotect] = "puP",		[SYS_munmap] = "pu",
	[SYS_brk] = "p",		[SYS_rt_sigaction] = "Sppu",
	[SYS_rt_sigprocmask] = "Hppu",	[SYS_rt_sigreturn] = "",
	[SYS_ioctl] = "ixx",		[SYS_pread64] = "irul",
	[SYS_pwrite64] = "iwul",	[SYS_readv] = "ipi",
	[SYS_writev] = "ipi",		[SYS_access] = "sA",
	[SYS_pipe] = "p",		[SYS_select] = "ipppp",
	[SYS_sched_yield] = "",		[SYS_mremap] = "puuxp",
	[SYS_msync] = "pux",		[SYS_mincore] = "pup",
	[SYS_madvise] = "pui",		[SYS_shmget] = "xux",
	[SYS_shmat] = "ipx",		[SYS_shmctl] = "iip",
	[SYS_dup] = "i",		[SYS_dup2] = "ii",
	[SYS_pause] = "",		[SYS_nanosleep] = "pp",
	[SYS_getitimer] = "ip",		[SYS_alarm] = "U",
	[SYS_setitimer] = "ipp",	[SYS_getpid] = "",
	[SYS_sendfile] = "iipu",	[SYS_socket] = "ixi",
	[SYS_connect] = "ipi",		[SYS_accept] = "ipp",
	[SYS_sendto] = "iwuxpi",	[SYS_recvfrom] = "iruxpp",
	[SYS_sendmsg] = "ipx",		[SYS_recvmsg] = "ipx",
	[SYS_shutdown] = "ii",		[SYS_bind] = "ipi",
	[SYS_listen] = "ii",		[SYS_getsockname] = "ipp",
	[SYS_getpeername] = "ipp",	[SYS_socketpair] = "ixip",
	[SYS_setsockopt] = "iiipi",	[SYS_getsockopt] = "iiipp",
	[SYS_clone] = "xpppx",		[SYS_fork] = "",
	[SYS_vfork] = "",		[SYS_execve] = "sve",
	[SYS_exit] = "i",		[SYS_wait4] = "ipxp",
	[SYS_kill] = "iS",		[SYS_uname] = "p",
	[SYS_semget] = "xix",		[SYS_semop] = "ipu",
	[SYS_semctl] = "iixx",		[SYS_shmdt] = "p",
	[SYS_msgget] = "xx",		[SYS_msgsnd] = "ipux",
	[SYS_msgrcv] = "ipulx",		[SYS_msgctl] = "iip",
	[SYS_fcntl] = "iF",		[SYS_flock] = "ix",
	[SYS_fsync] = "i",		[SYS_fdatasync] = "i",
	[SYS_truncate] = "sl",		[SYS_ftruncate] = "il",
	[SYS_getdents] = "ipU",		[SYS_getcwd] = "gu",
	[SYS_chdir] = "s",		[SYS_fchdir] = "i",
	[SYS_rename] = "ss",		[SYS_mkdir] = "sm",
	[SYS_rmdir] = "s",		[SYS_creat] = "sm",
	[SYS_link] = "ss",		[SYS_unlink] = "s",
	[SYS_symlink] = "ss",		[SYS_readlink] = "sru",
	[SYS_chmod] = "sm",		[SYS_fchmod] = "im",
	[SYS_chown] = "sii",		[SYS_fchown] = "iii",
	[SYS_lchown] = "sii",		[SYS_umask] = "m",
	[SYS_gettimeofday] = "pp",	[SYS_getrlimit] = "ip",
	[SYS_getrusage] = "ip",		[SYS_sysinfo] = "p",
	[SYS_times] = "p",		[SYS_ptrace] = "xipp",
	[SYS_getuid] = "",		[SYS_syslog] = "ipi",
	[SYS_getgid] = "",		[SYS_setuid] = "i",
	[SYS_setgid] = "i",		[SYS_geteuid] = "",
	[SYS_getegid] = "",		[SYS_setpgid] = "ii",
	[SYS_getppid] = "",		[SYS_getpgrp] = "",
	[SYS_setsid] = "",		[SYS_setreuid] = "ii",
	[SYS_setregid] = "ii",		[SYS_getgroups] = "ip",
	[SYS_setgroups] = "ip",		[SYS_setresuid] = "iii",
	[SYS_getresuid] = "ppp",	[SYS_setresgid] = "iii",
	[SYS_getresgid] = "ppp",	[SYS_getpgid] = "i",
	[SYS_setfsuid] = "i",		[SYS_setfsgid] = "i",
	[SYS_getsid] = "i",		[SYS_capget] = "pp",
	[SYS_capset] = "pp",		[SYS_rt_sigpending] = "pu",
	[SYS_rt_sigtimedwait] = "pppu",	[SYS_rt_sigqueueinfo] = "iSp",
	[SYS_rt_sigsuspend] = "pu",	[SYS_sigaltstack] = "pp",
	[SYS_utime] = "sp",		[SYS_mknod] = "smx",
	[SYS_personality] = "x",	[SYS_statfs] = "sp",
	[SYS_fstatfs] = "ip",		[SYS_getpriority] = "ii",
	[SYS_setpriority] = "iii",	[SYS_sched_setparam] = "ip",
	[SYS_sched_getparam] = "ip",	[SYS_sched_setscheduler] = "iip",
	[SYS_sched_getscheduler] = "i",	[SYS_sched_get_priority_max] = "i",
	[SYS_sched_get_priority_min] = "i", [SYS_sched_rr_get_interval] = "ip",
	[SYS_mlock] = "pu",		[SYS_munlock] = "pu",
	[SYS_mlockall] = "x",		[SYS_munlockall] = "",
	[SYS_vhangup] = "",		[SYS_pivot_root] = "ss",
	[SYS_prctl] = "ixxxx",		[SYS_arch_prctl] = "xx",
	[SYS_adjtimex] = "p",		[SYS_setrlimit] = "ip",
	[SYS_chroot] = "s",		[SYS_sync] = "",
	[SYS_acct] = "s",		[SYS_settimeofday] = "pp",
	[SYS_mount] = "sssxp",		[SYS_umount2] = "sx",
	[SYS_swapon] = "sx",		[SYS_swapoff] = "s",
	[SYS_reboot] = "xxxp",		[SYS_sethostname] = "pu",
	[SYS_setdomainname] = "pu",	[SYS_gettid] = "",
	[SYS_readahead] = "ilu",	[SYS_setxattr] = "sspux",
	[SYS_lsetxattr] = "sspux",	[SYS_fsetxattr] = "ispux",
	[SYS_getxattr] = "sspu",	[SYS_lgetxattr] = "sspu",
	[SYS_fgetxattr] = "ispu",	[SYS_listxattr] = "spu",
	[SYS_llistxattr] = "spu",	[SYS_flistxattr] = "ipu",
	[SYS_removexattr] = "ss",	[SYS_lremovexattr] = "ss",
	[SYS_fremovexattr] = "is",	[SYS_tkill] = "iS",
	[SYS_time] = "p",		[SYS_futex] = "pxipxi",
	[SYS_sched_setaffinity] = "iup", [SYS_sched_getaffinity] = "iup",
	[SYS_io_setup] = "Up",		[SYS_io_destroy] = "x",
	[SYS_io_getevents] = "xllpp",	[SYS_io_submit] = "xlp",
	[SYS_io_cancel] = "xpp",	[SYS_epoll_create] = "i",
	[SYS_getdents64] = "ipU",	[SYS_set_tid_address] = "p",
	[SYS_restart_syscall] = "",	[SYS_semtimedop] = "ipup",
	[SYS_fadvise64] = "illi",	[SYS_timer_create] = "ipp",
	[SYS_timer_settime] = "ixpp",	[SYS_timer_gettime] = "ip",
	[SYS_timer_getoverrun] = "i",	[SYS_timer_delete] = "i",
	[SYS_clock_settime] = "ip",	[SYS_clock_gettime] = "ip",
	[SYS_clock_getres] = "ip",	[SYS_clock_nanosleep] = "ixpp",
	[SYS_exit_group] = "i",		[SYS_epoll_wait] = "ipii",
	[SYS_epoll_ctl] = "iiip",	[SYS_tgkill] = "iiS",
	[SYS_utimes] = "sp",		[SYS_mbind] = "puipux",
	[SYS_set_mempolicy] = "ipu",	[SYS_get_mempolicy] = "ppupx",
	[SYS_mq_open] = "sxmp",		[SYS_mq_unlink] = "s",
	[SYS_waitid] = "iipxp",		[SYS_ioprio_set] = "iii",
	[SYS_ioprio_get] = "ii",	[SYS_inotify_init] = "",
	[SYS_inotify_add_watch] = "isx", [SYS_inotify_rm_watch] = "ii",
	[SYS_openat] = "dsom",		[SYS_mkdirat] = "dsm",
	[SYS_mknodat] = "dsmx",		[SYS_fchownat] = "dsiia",
	[SYS_futimesat] = "dsp",	[SYS_newfstatat] = "dspa",
	[SYS_unlinkat] = "dsa",		[SYS_renameat] = "dsds",
	[SYS_linkat] = "dsdsa",		[SYS_symlinkat] = "sds",
	[SYS_readlinkat] = "dsru",	[SYS_fchmodat] = "dsm",
	[SYS_faccessat] = "dsA",	[SYS_pselect6] = "ipppp",
	[SYS_ppoll] = "pUppu",		[SYS_unshare] = "x",
	[SYS_set_robust_list] = "pu",	[SYS_get_robust_list] = "ipp",
	[SYS_splice] = "ipipux",	[SYS_tee] = "iiux",
	[SYS_sync_file_range] = "illx",	[SYS_vmsplice] = "ipux",
	[SYS_move_pages] = "iupppx",	[SYS_utimensat] = "dspa",
	[SYS_epoll_pwait] = "ipiipu",	[SYS_signalfd] = "ipu",
	[SYS_timerfd_create] = "ix",	[SYS_eventfd] = "U",
	[SYS_fallocate] = "ixll",	[SYS_timerfd_settime] = "ixpp",
	[SYS_timerfd_gettime] = "ip",	[SYS_accept4] = "ippx",
	[SYS_signalfd4] = "ipux",	[SYS_eventfd2] = "Ux",
	[SYS_epoll_create1] = "x",	[SYS_dup3] = "iix",
	[SYS_pipe2] = "px",		[SYS_inotify_init1] = "x",
	[SYS_preadv] = "ipil",		[SYS_pwritev] = "ipil",
	[SYS_rt_tgsigqueueinfo] = "iiSp", [SYS_perf_event_open] = "piiix",
	[SYS_recvmmsg] = "ipUxp",	[SYS_fanotify_init] = "xx",
	[SYS_prlimit64] = "iipp",	[SYS_name_to_handle_at] = "dsppx",
	[SYS_open_by_handle_at] = "ipo", [SYS_clock_adjtime] = "ip",
	[SYS_syncfs] = "i",		[SYS_sendmmsg] = "ipUx",
	[SYS_setns] = "ix",		[SYS_getcpu] = "ppp",
	[SYS_process_vm_readv] = "ipupux", [SYS_process_vm_writev] = "ipupux",
	[SYS_kcmp] = "iiixx",		[SYS_finit_module] = "isx",
	[SYS_renameat2] = "dsdsx",	[SYS_seccomp] = "xxp",
	[SYS_getrandom] = "pux",	[SYS_memfd_create] = "sx",
	[SYS_execveat] = "dsvea",	[SYS_membarrier] = "ixi",
	[SYS_mlock2] = "pux",		[SYS_copy_file_range] = "ipipux",
	[SYS_preadv2] = "ipilx",	[SYS_pwritev2] = "ipilx",
	[SYS_pkey_mprotect] = "puPi",	[SYS_pkey_alloc] = "xx",
	[SYS_pkey_free] = "i",		[SYS_statx] = "dsXxp",
	[SYS_rseq] = "pUxx",
#ifdef SYS_clone3
	[SYS_pidfd_send_signal] = "iSpx", [SYS_pidfd_open] = "ix",
	[SYS_clone3] = "pu",		[SYS_close_range] = "UUx",
	[SYS_openat2] = "dspu",		[SYS_pidfd_getfd] = "iix",
	[SYS_faccessat2] = "dsAa",	[SYS_epoll_pwait2] = "ipippu",
#endif
};

static const char *signature(long nr)
{
	size_t n = sizeof signatures / sizeof signatures[0];
	return nr >= 0 && (size_t)nr < n ? signatures[nr] : NULL;
}

static int returns_address(long nr)
{
	return nr == SYS_mmap || nr == SYS_brk || nr == SYS_mremap
	       || nr == SYS_shmat;
}

static const char *const fcntl_cmds[] = {
	"F_DUPFD", "F_GETFD", "F_SETFD", "F_GETFL", "F_SETFL", "F_GETLK",
	"F_SETLK", "F_SETLKW", "F_SETOWN", "F_GETOWN", "F_SETSIG", "F_GETSIG",
	[15] = "F_SETOWN_EX", "F_GETOWN_EX",
	[36] = "F_OFD_GETLK", "F_OFD_SETLK", "F_OFD_SETLKW",
};
static const char *const fcntl_cmds_1024[] = {
	"F_SETLEASE", "F_GETLEASE", "F_NOTIFY", [6] = "F_DUPFD_CLOEXEC",
	"F_SETPIPE_SZ", "F_GETPIPE_SZ", "F_ADD_SEALS", "F_GET_SEALS",
};

/* fcntl's command by name; its argument unless the command takes none. */
static void put_fcntl(struct line *l, unsigned long cmd, unsigned long arg)
{
	unsigned c = cmd;
	if (c >= 1024 && c - 1024 < sizeof fcntl_cmds_1024 / sizeof (char *)
	    && fcntl_cmds_1024[c - 1024])
		put(l, fcntl_cmds_1024[c - 1024]);
	else if (c < sizeof fcntl_cmds / sizeof (char *) && fcntl_cmds[c])
		put(l, fcntl_cmds[c]);
	else
		put_hex(l, c);
	switch (c) {
	case 1: case 3: case 9: case 11: case 1025: case 1032: case 1034:
		return;		/* the getters take no argument */
	case 5: case 6: case 7: case 15: case 16: case 36: case 37: case 38:
		put(l, ", ");
		put_ptr(l, arg);
		return;
	}
	put(l, ", ");
	put_dec(l, (int)arg);
}

/* One argument; next is the argument after it, res the call's result. */
static void put_arg(struct line *l, char type, unsigned long v,
		    unsigned long next, long res)
{
	int ok = res >= 0;	/* the kernel read what the call was given */

	switch (type) {
	case 'i': put_dec(l, (int)v); break;
	case 'U': put_udec(l, (unsigned)v); break;
	case 'u': put_udec(l, v); break;
	case 'l': put_dec(l, (long)v); break;
	case 'x': put_hex(l, v); break;
	case 'p': put_ptr(l, v); break;
	case 'd':
		if ((int)v == AT_FDCWD)
			put(l, "AT_FDCWD");
		else
			put_dec(l, (int)v);
		break;
	case 's': put_str(l, v, PATH_MAX, ok); break;
	case 'w':	/* shown: the first STR_MAX bytes; read: res bytes */
		put_buf(l, v, next, ok && ((unsigned long)res >= next
					    || res >= STR_MAX));
		break;
	case 'r':
		if (ok)
			put_buf(l, v, res, 1);
		else
			put_ptr(l, v);
		break;
	case 'g':
		if (ok)
			put_str(l, v, PATH_MAX, 1);
		else
			put_ptr(l, v);
		break;
	case 'o': put_open_flags(l, v); break;
	case 'm': put_oct(l, v); break;
	case 'P': put_flags(l, v, prot_flags, "PROT_NONE", 1); break;
	case 'M': put_mmap_flags(l, v); break;
	case 'S': put_signal(l, v); break;
	case 'h': PUT_NAME(l, (unsigned)v, whence_names); break;
	case 'a': put_flags(l, (unsigned)v, at_flags, NULL, 1); break;
	case 'X': put_statx_flags(l, (unsigned)v); break;
	case 'A': put_flags(l, (unsigned)v, access_modes, "F_OK", 1); break;
	case 'H': PUT_NAME(l, (unsigned)v, sigprocmask_how); break;
	case 'v': put_argv(l, v, ok); break;
	case 'e': put_envp(l, v); break;
	case 'F': put_fcntl(l, v, next); break;
	}
}

/* "name(args" of a call; the caller closes the parenthesis. */
static void put_call(struct line *l, const struct zpoline_call *c, long res)
{
	const char *name = syscall_name(c->nr);
	const char *sig = name ? signature(c->nr) : NULL;

	if (name) {
		put(l, name);
	} else {
		put(l, "syscall_");
		put_hex(l, c->nr);
	}
	put_c(l, '(');
	if (!sig)
		sig = "xxxxxx";
	for (int i = 0; sig[i]; i++) {
		/* open's mode is shown only when the flags use it */
		if (sig[i] == 'm' && i && sig[i - 1] == 'o'
		    && !(c->args[i - 1] & (O_CREAT_K | O_TMPFILE_K)))
			break;
		if (i)
			put(l, ", ");
		put_arg(l, sig[i], c->args[i], i < 5 ? c->args[i + 1] : 0, res);
	}
	put_c(l, ')');
}

/* ---- line start and end ------------------------------------------------ */

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

/* " = result", from strace's column. */
static void put_result(struct line *l, long nr, long res)
{
	if (l->len < ALIGN_COL) {
		memset(l->buf + l->len, ' ', ALIGN_COL - l->len);
		l->len = ALIGN_COL;
	}
	put(l, " = ");
	if (res < 0 && res >= -4095) {
		const char *name = strerrorname_np(-res);
		const char *desc = strerrordesc_np(-res);
		put(l, "-1 ");
		if (name) {
			put(l, name);
		} else {
			put(l, "ERRNO_");
			put_dec(l, -res);
		}
		put(l, " (");
		put(l, desc ? desc : "Unknown error");
		put_c(l, ')');
	} else if (returns_address(nr)) {
		put_hex(l, res);
	} else {
		put_dec(l, res);
	}
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
			return;
		}
	}
}

/* ---- summary (ZPOLINE_SUMMARY) ----------------------------------------- */

static long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void count(long nr, long res, long ns)
{
	if (nr < 0 || nr >= COUNTED)
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

/* ---- the hook ---------------------------------------------------------- */

/* exit, exit_group, rt_sigreturn: printed now, they have no after. */
static void print_no_return(const struct zpoline_call *c)
{
	struct line l;

	begin(&l);
	put_call(&l, c, 0);
	put_result(&l, c->nr, 0);
	l.len -= 1;		/* strace's "= ?" in place of the value */
	put_c(&l, '?');
	emit(&l);
	if (c->nr != SYS_rt_sigreturn) {
		begin(&l);
		put(&l, "+++ exited with ");
		put_dec(&l, c->args[0] & 0xff);
		put(&l, " +++");
		emit(&l);
	}
}

/* Whether a clone, clone3, fork or vfork makes a new address space. */
static int new_address_space(const struct zpoline_call *c)
{
	unsigned long flags;

	switch (c->nr) {
	case SYS_fork:
		return 1;
	case SYS_vfork:
		return 0;
	case SYS_clone:
		return !(c->args[0] & CLONE_VM);
	}
	/* clone3: the flags are the first field of struct clone_args */
	return peek(&flags, c->args[0], sizeof flags, 0) == sizeof flags
	       && !(flags & CLONE_VM);
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

static long hook(struct zpoline_call *c)
{
	if (summary_only)
		summary_enter();
	switch (c->nr) {
	case SYS_clone:
	case SYS_clone3:
	case SYS_fork:
	case SYS_vfork:
		/* the new thread or process shares the output from now on */
		__atomic_store_n(&multi, 1, __ATOMIC_RELAXED);
		tid_cache = 0;
		if (summary_only && new_address_space(c))
			t_forking = gettid();
		break;
	case SYS_exit_group:
		if (summary_only) {
			count(c->nr, 0, 0);
			print_summary();
			return ZPOLINE_DO_SYSCALL;
		}
		/* fall through */
	case SYS_exit:
	case SYS_rt_sigreturn:
		if (summary_only)
			count(c->nr, 0, 0);
		else
			print_no_return(c);
		return ZPOLINE_DO_SYSCALL;
	}
	return ZPOLINE_DO_SYSCALL;
}

static void after(const struct zpoline_call *c, long res)
{
	struct line l;

	switch (c->nr) {
	case SYS_clone:
	case SYS_clone3:
	case SYS_fork:
	case SYS_vfork:
		tid_cache = 0;	/* a vfork child may have cached its own */
		t_forking = 0;
		break;
	}
	if (summary_only) {
		count(c->nr, res, now_ns() - t_entry);
		return;
	}
	begin(&l);
	put_call(&l, c, res);
	put_result(&l, c->nr, res);
	emit(&l);
}

/* ---- start-up ---------------------------------------------------------- */

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
	struct line l;

	c.args[0] = getauxval(AT_EXECFN);
	c.args[1] = (unsigned long)exec_argv;
	c.args[2] = (unsigned long)exec_envp;
	if (!c.args[0] && exec_argv)
		c.args[0] = (unsigned long)exec_argv[0];
	begin(&l);
	put_call(&l, &c, 0);
	put_result(&l, SYS_execve, 0);
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
 * tracer), closed on exec: the next image opens its own.
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

static int open_output(void)
{
	const char *file = getenv("ZPOLINE_OUTPUT");
	int fd;

	if (!file || !*file)
		return private_fd(2);
	fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (fd < 0) {
		dprintf(2, "zpoline: ZPOLINE_OUTPUT=%s: %s\n", file,
			strerror(errno));
		return -1;
	}
	int moved = private_fd(fd);
	if (moved < 0)
		return fd;
	close(fd);
	return moved;
}

zpoline_hook_fn zpoline_hook_init(struct zpoline_init *init)
{
	const char *s = getenv("ZPOLINE_SUMMARY");

	if (init->abi_version != ZPOLINE_ABI_VERSION
	    || init->size < sizeof *init)
		return NULL;
	multi = parent_traced();
	out_fd = open_output();	/* the last system call of start-up */
	if (out_fd < 0)
		return NULL;
	summary_only = s && *s && strcmp(s, "0") != 0;
	init->after = after;
	if (summary_only)
		count(SYS_execve, 0, 0);
	else
		print_exec();
	return hook;
}
