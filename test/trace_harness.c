/*
 * trace_harness.c - drives the tracer (libzpoline_hook.so) the way
 * libzpoline.so does, without rewriting anything, so that its text can be
 * compared with strace's view of the same calls.
 *
 *     trace_harness HOOK.so [stage2]
 *
 * It loads HOOK.so with dlmopen(LM_ID_NEWLM), calls zpoline_hook_init,
 * then makes a fixed series of system calls, each one as the runtime
 * would: hook(), the call itself (a raw `syscall`) when told
 * ZPOLINE_DO_SYSCALL, then init->after().  After init it makes no other
 * system call, so `strace -f` of this program sees exactly the calls the
 * tracer prints, plus the tracer's own writes.  The series ends with a
 * failing and a successful execve (of itself, "stage2"), and exit_group.
 *
 * The calls cover what test/trace_compare.py checks word for word:
 * openat, read, write, mmap, close, execve, exit_group, with the
 * argument shapes that matter (escapes, truncation, flags, errors).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zpoline.h"

static struct zpoline_init init;
static zpoline_hook_fn hook;

static long raw(const struct zpoline_call *c)
{
	long r;
	register long r10 __asm__("r10") = c->args[3];
	register long r8 __asm__("r8") = c->args[4];
	register long r9 __asm__("r9") = c->args[5];
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(c->nr), "D"(c->args[0]), "S"(c->args[1]),
			   "d"(c->args[2]), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return r;
}

static long next(struct zpoline_call *c)
{
	return raw(c);
}

/* One call, the way the runtime makes it. */
static long sys(long nr, long a, long b, long c, long d, long e, long f)
{
	struct zpoline_call call = { nr, { a, b, c, d, e, f }, NULL };
	long r = hook(&call);
	if (r != ZPOLINE_DO_SYSCALL)
		return r;
	r = raw(&call);
	if (init.after)
		init.after(&call, r);
	return r;
}
#define S0(n) sys(n, 0, 0, 0, 0, 0, 0)
#define S1(n, a) sys(n, (long)(a), 0, 0, 0, 0, 0)
#define S2(n, a, b) sys(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define S3(n, a, b, c) sys(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define S4(n, a, b, c, d) sys(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define S6(n, a, b, c, d, e, f) \
	sys(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

static char buf[8192];
static char path[600];

static void files(const char *tmp)
{
	long fd, dir;

	fd = S3(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY | O_CLOEXEC);
	S3(SYS_read, fd, buf, 100);
	S3(SYS_read, fd, buf, 10);
	S3(SYS_lseek, fd, 0, SEEK_END);
	S3(SYS_read, fd, buf, 100);
	S3(SYS_read, -1, buf, 10);
	S3(SYS_read, fd, NULL, 10);
	S1(SYS_close, fd);
	S1(SYS_close, fd);
	S3(SYS_openat, AT_FDCWD, "/nonexistent/dir", O_RDONLY);
	S3(SYS_openat, AT_FDCWD, "/x\n\t\"\\\001\377 7\0017\0010\r\v\f\177", O_RDONLY);
	memset(path, 'p', sizeof path - 1);
	path[0] = '/';
	S3(SYS_openat, AT_FDCWD, path, O_RDONLY);	/* ENAMETOOLONG */
	memcpy(path, "/nonexistent/", 13);
	path[80] = 0;
	S3(SYS_openat, AT_FDCWD, path, O_RDONLY);
	S3(SYS_openat, AT_FDCWD, NULL, O_RDONLY);
	S3(SYS_openat, AT_FDCWD, (char *)8, O_RDONLY);

	dir = S3(SYS_openat, AT_FDCWD, tmp,
		 O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	fd = S4(SYS_openat, dir, "out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	for (int i = 0; i < 256; i++)
		buf[i] = i;
	for (int i = 0; i < 256; i += 16)
		S3(SYS_write, fd, buf + i, 16);
	S3(SYS_write, fd, "0123456789abcdef0123456789abcdef", 32);
	S3(SYS_write, fd, "0123456789abcdef0123456789abcdefX", 33);
	S3(SYS_write, fd, "", 0);
	S3(SYS_write, fd, "\0" "1\0" "8\1" "2\n", 7);
	S3(SYS_write, fd, (char *)8, 5);		/* EFAULT */
	S3(SYS_write, -1, "abc", 3);			/* EBADF */
	S1(SYS_close, fd);
	S4(SYS_openat, dir, "out", O_RDWR | O_APPEND | O_EXCL | O_CREAT, 0600);
	fd = S3(SYS_openat, dir, "out", O_RDWR | O_APPEND | O_SYNC | O_NOATIME);
	S3(SYS_read, fd, buf, 64);
	S1(SYS_close, fd);
	fd = S4(SYS_openat, dir, ".", O_TMPFILE | O_RDWR, 0600);
	S1(SYS_close, fd);
	fd = S3(SYS_openat, dir, "out", O_PATH | O_LARGEFILE | O_NOCTTY | 0x40000000);
	S1(SYS_close, fd);
	S3(SYS_openat, dir, "out", O_RDWR | O_DIRECT | O_DSYNC | O_TRUNC);
	S4(SYS_openat, -7, "rel", O_RDONLY | O_CREAT, 0);
	S1(SYS_close, dir);
	S1(SYS_close, 1000000);
}

static void mappings(void)
{
	long fd = S3(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
	long p, q;

	p = S6(SYS_mmap, 0, 8192, PROT_READ | PROT_WRITE,
	       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	S6(SYS_mmap, p, 4096, PROT_READ | PROT_EXEC,
	   MAP_PRIVATE | MAP_FIXED | MAP_DENYWRITE, fd, 0);
	S3(SYS_mprotect, p, 4096, PROT_NONE);
	S3(SYS_mprotect, p, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
	S2(SYS_munmap, p, 8192);
	q = S6(SYS_mmap, 0, 4096, PROT_READ, MAP_SHARED, fd, 0);
	S2(SYS_munmap, q, 4096);
	q = S6(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 4096);
	q = S6(SYS_mmap, 0, 65536, PROT_READ | PROT_WRITE,
	       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE
	       | MAP_GROWSDOWN, -1, 0);
	S2(SYS_munmap, q, 65536);
	S6(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	S6(SYS_mmap, 0, 4096, PROT_NONE, MAP_SHARED_VALIDATE | 0x8000000, fd, 0);
	S6(SYS_mmap, 0, 4096, PROT_READ | 0x10, MAP_PRIVATE | MAP_ANONYMOUS
	   | MAP_32BIT | MAP_LOCKED | MAP_HUGETLB | (21 << 26), -1, 0);
	S6(SYS_mmap, 0x10000, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS
	   | MAP_FIXED_NOREPLACE | MAP_NONBLOCK | MAP_EXECUTABLE, -1, 0);
	S1(SYS_brk, 0);
	S1(SYS_close, fd);
}

static void others(void)
{
	long pid = S0(SYS_getpid);

	S0(SYS_getppid);
	S3(SYS_fcntl, 2, F_GETFD, 0);
	S3(SYS_fcntl, 2, F_DUPFD_CLOEXEC, 10);
	S2(SYS_kill, pid, 0);
	S2(SYS_kill, pid, SIGCONT);
	S3(SYS_tgkill, pid, pid, SIGWINCH);
	S2(SYS_kill, -2000000000, SIGRTMIN + 2);
	S2(SYS_access, "/etc/passwd", R_OK | W_OK);
	S2(SYS_access, "/nonexistent", F_OK);
	S4(SYS_newfstatat, AT_FDCWD, "/", buf, AT_SYMLINK_NOFOLLOW);
	S2(SYS_dup2, 2, 100);
	S1(SYS_close, 100);
	S3(SYS_lseek, 0, -1, SEEK_CUR);
	S3(SYS_rt_sigprocmask, SIG_BLOCK, NULL, buf);
	S6(0x1c8, 1, 2, 3, 0xffffffff, 0, 0);
	S3(1000, 1, 2, -128);
	S1(SYS_getcwd, buf);
	S2(SYS_getcwd, buf, sizeof buf);
}

static void exec_calls(char *self, char *hook_path)
{
	static char *argv[41];
	static char *env[] = { "A=1", "B=2", NULL };
	static char *again[] = { NULL, NULL, "stage2", NULL };

	for (int i = 0; i < 40; i++)
		argv[i] = i % 2 ? "arg" : "a string longer than thirty-two bytes, quoted \"here\"";
	S3(SYS_execve, "/nonexistent", argv, env);
	S3(SYS_execve, "/nonexistent", NULL, NULL);
	again[0] = self;
	again[1] = hook_path;
	S3(SYS_execve, self, again, environ);	/* keeps ZPOLINE_OUTPUT */
}

int main(int argc, char **argv)
{
	zpoline_hook_fn (*hook_init)(struct zpoline_init *);
	void *h;

	if (argc < 2) {
		fprintf(stderr, "usage: %s HOOK.so [stage2]\n", argv[0]);
		return 2;
	}
	h = dlmopen(LM_ID_NEWLM, argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	hook_init = (zpoline_hook_fn (*)(struct zpoline_init *))
		    dlsym(h, "zpoline_hook_init");
	if (!hook_init)
		return 1;
	init.abi_version = ZPOLINE_ABI_VERSION;
	init.size = sizeof init;
	init.next = next;
	hook = hook_init(&init);
	if (!hook)
		return 1;
	if (argc > 2) {
		S3(SYS_write, 1, "stage2\n", 7);
		S1(SYS_exit_group, 3);
	}
	files(getenv("TRACE_TMP") ? getenv("TRACE_TMP") : "/tmp");
	mappings();
	others();
	exec_calls(argv[0], argv[1]);
	S1(SYS_exit_group, 1);	/* not reached: the execve succeeded */
	return 1;
}
