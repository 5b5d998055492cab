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
 * The calls cover what test/trace_compare.py checks word for word: each
 * family the tracer decodes (files, stat and statx, fcntl, ioctl on files
 * and on a pty, signals, resources, sockets of the common families with
 * their addresses and messages, poll/select/epoll, futex, io_uring,
 * prctl, time, memory advice, vectors), in their successful and failing
 * forms, and children made by fork, clone and clone3.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <asm/prctl.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/futex.h>
#include <linux/io_uring.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <ucontext.h>
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
	if (r == 0 && (nr == SYS_fork || nr == SYS_vfork || nr == SYS_clone
		       || nr == SYS_clone3))
		return r;	/* the runtime calls no after in a child */
	if (init.after)
		init.after(&call, r);
	return r;
}
#define S0(n) sys(n, 0, 0, 0, 0, 0, 0)
#define S1(n, a) sys(n, (long)(a), 0, 0, 0, 0, 0)
#define S2(n, a, b) sys(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define S3(n, a, b, c) sys(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define S4(n, a, b, c, d) sys(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define S5(n, a, b, c, d, e) \
	sys(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define S6(n, a, b, c, d, e, f) \
	sys(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

static char buf[8192];
static char path[600];
static char cwd[4096];

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

/* struct stat, statx, getdents64, in their successful and failing forms. */
static void stats(const char *tmp)
{
	static char st[256];
	long fd, dir;

	S4(SYS_newfstatat, AT_FDCWD, "/etc/passwd", st, 0);
	S4(SYS_newfstatat, AT_FDCWD, "/tmp", st, AT_SYMLINK_NOFOLLOW);
	S4(SYS_newfstatat, AT_FDCWD, "/dev/null", st, 0);
	S4(SYS_newfstatat, AT_FDCWD, "/nonexistent", st, 0);
	S4(SYS_newfstatat, AT_FDCWD, "/etc/passwd", (void *)8, 0);
	S2(SYS_stat, "/usr/bin/su", st);
	S2(SYS_lstat, "/proc/self", st);
	fd = S3(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
	S2(SYS_fstat, fd, st);
	S4(SYS_newfstatat, fd, "", st, AT_EMPTY_PATH);
	S1(SYS_close, fd);
	S5(SYS_statx, AT_FDCWD, "/etc/passwd", AT_STATX_SYNC_AS_STAT,
	   STATX_BASIC_STATS, st);
	S5(SYS_statx, AT_FDCWD, "/", AT_NO_AUTOMOUNT | AT_SYMLINK_NOFOLLOW,
	   STATX_TYPE | STATX_MODE | STATX_SIZE, st);
	S5(SYS_statx, AT_FDCWD, "/dev/null", AT_STATX_DONT_SYNC,
	   STATX_MODE | STATX_UID | STATX_BTIME, st);
	S5(SYS_statx, AT_FDCWD, "/nonexistent", AT_STATX_FORCE_SYNC,
	   STATX_ALL, st);
	S5(SYS_statx, AT_FDCWD, "/etc", 0, 0, st);
	S5(SYS_statx, AT_FDCWD, "/etc", 0, 0x80000000u, st);
	dir = S3(SYS_openat, AT_FDCWD, tmp, O_RDONLY | O_DIRECTORY);
	S3(SYS_getdents64, dir, buf, sizeof buf);
	S3(SYS_getdents64, dir, buf, sizeof buf);
	S3(SYS_getdents64, 0, buf, sizeof buf);
	S3(SYS_lseek, dir, 0, SEEK_SET);
	S3(SYS_getdents64, dir, buf, 30);
	S3(SYS_getdents, dir, buf, sizeof buf);
	S2(SYS_statfs, "/", st);
	S2(SYS_fstatfs, dir, st);
	S2(SYS_statfs, "/nonexistent", st);
	S1(SYS_close, dir);
}

/* fcntl's commands, dup*, pipes, and the common ioctl requests on a pty
 * and on files. */
static void descriptors(const char *tmp)
{
	static int fds[2];
	static struct flock fl;
	static struct f_owner_ex owner;
	static char tio[64];
	static unsigned short ws[4];
	static int n;
	long fd, pt, master, mem;

	fd = S3(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
	S3(SYS_fcntl, fd, F_GETFD, 0);
	S3(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC);
	S3(SYS_fcntl, fd, F_GETFD, 0);
	S3(SYS_fcntl, fd, F_SETFD, 3);
	S3(SYS_fcntl, fd, F_GETFL, 0);
	S3(SYS_fcntl, fd, F_SETFL, O_NONBLOCK | O_APPEND);
	S3(SYS_fcntl, fd, F_GETFL, 0);
	S3(SYS_fcntl, fd, F_DUPFD, 20);
	S1(SYS_close, 20);
	S3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 0);
	S3(SYS_fcntl, -1, F_GETFL, 0);
	fl.l_type = F_RDLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = 0;
	fl.l_len = 10;
	S3(SYS_fcntl, fd, F_SETLK, &fl);
	S3(SYS_fcntl, fd, F_SETLKW, &fl);
	fl.l_type = F_WRLCK;
	S3(SYS_fcntl, fd, F_GETLK, &fl);
	fl.l_type = F_UNLCK;
	fl.l_whence = SEEK_CUR;
	fl.l_start = -5;
	S3(SYS_fcntl, fd, F_OFD_SETLK, &fl);
	S3(SYS_fcntl, fd, F_OFD_GETLK, &fl);
	S3(SYS_fcntl, fd, F_SETLK, NULL);
	S3(SYS_fcntl, fd, F_SETOWN, 0);
	S3(SYS_fcntl, fd, F_GETOWN, 0);
	S3(SYS_fcntl, fd, F_GETOWN_EX, &owner);
	owner.type = F_OWNER_PGRP;
	owner.pid = 1;
	S3(SYS_fcntl, fd, F_SETOWN_EX, &owner);
	S3(SYS_fcntl, fd, F_SETSIG, SIGIO);
	S3(SYS_fcntl, fd, F_GETSIG, 0);
	S3(SYS_fcntl, fd, F_SETSIG, 0);
	S3(SYS_fcntl, fd, F_GETSIG, 0);
	S3(SYS_fcntl, fd, F_GETLEASE, 0);
	S3(SYS_fcntl, fd, F_SETLEASE, F_UNLCK);
	S3(SYS_fcntl, fd, F_NOTIFY, DN_ACCESS | DN_MULTISHOT);
	S3(SYS_fcntl, fd, 0x7777, 5);
	S1(SYS_dup, fd);
	S3(SYS_dup3, fd, 30, O_CLOEXEC);
	S3(SYS_dup3, fd, 30, 0);
	S1(SYS_close, 30);
	S2(SYS_dup2, fd, fd);
	S3(SYS_ioctl, fd, TCGETS, tio);
	S3(SYS_ioctl, fd, TIOCGWINSZ, ws);
	S3(SYS_ioctl, fd, FIONREAD, &n);
	S3(SYS_ioctl, fd, FIOCLEX, 0);
	S3(SYS_ioctl, fd, FIONCLEX, 0);
	n = 1;
	S3(SYS_ioctl, fd, FIONBIO, &n);
	S3(SYS_ioctl, fd, FIOASYNC, &n);
	S3(SYS_ioctl, fd, _IOR('x', 1, int), &n);
	S3(SYS_ioctl, fd, 0x1234, 7);
	S1(SYS_close, fd);

	S2(SYS_pipe2, fds, O_CLOEXEC | O_NONBLOCK);
	S3(SYS_fcntl, fds[0], F_GETPIPE_SZ, 0);
	S3(SYS_fcntl, fds[0], F_SETPIPE_SZ, 8192);
	S3(SYS_ioctl, fds[0], FIONREAD, &n);
	S3(SYS_write, fds[1], "abc", 3);
	S3(SYS_ioctl, fds[0], FIONREAD, &n);
	S1(SYS_close, fds[0]);
	S1(SYS_close, fds[1]);
	S1(SYS_pipe, fds);
	S1(SYS_close, fds[0]);
	S1(SYS_close, fds[1]);
	S2(SYS_pipe2, (void *)8, 0);

	mem = S2(SYS_memfd_create, "seals", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	S3(SYS_fcntl, mem, F_GET_SEALS, 0);
	S3(SYS_fcntl, mem, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW);
	S3(SYS_fcntl, mem, F_GET_SEALS, 0);
	S2(SYS_ftruncate, mem, 4096);
	S1(SYS_close, mem);

	master = S3(SYS_openat, AT_FDCWD, "/dev/ptmx", O_RDWR | O_NOCTTY);
	n = 0;
	S3(SYS_ioctl, master, TIOCSPTLCK, &n);
	S3(SYS_ioctl, master, TIOCGPTN, &n);
	snprintf(path, sizeof path, "/dev/pts/%d", n);
	pt = S3(SYS_openat, AT_FDCWD, path, O_RDWR | O_NOCTTY);
	S3(SYS_ioctl, pt, TCGETS, tio);
	S3(SYS_ioctl, pt, TCSETS, tio);
	S3(SYS_ioctl, pt, TCSETSW, tio);
	S3(SYS_ioctl, pt, TCSETSF, tio);
	S3(SYS_ioctl, pt, TIOCGWINSZ, ws);
	ws[0] = 24;
	ws[1] = 80;
	S3(SYS_ioctl, pt, TIOCSWINSZ, ws);
	S3(SYS_ioctl, pt, TIOCGWINSZ, ws);
	S3(SYS_ioctl, pt, TIOCGPGRP, &n);
	S3(SYS_ioctl, pt, TIOCGSID, &n);
	S3(SYS_ioctl, pt, FIONREAD, &n);
	S3(SYS_ioctl, pt, TCFLSH, TCIFLUSH);
	S3(SYS_ioctl, pt, TCXONC, TCOON);
	S3(SYS_ioctl, pt, TIOCOUTQ, &n);
	S3(SYS_ioctl, pt, TCGETS, NULL);
	S3(SYS_ioctl, master, TIOCGPTN, NULL);
	S1(SYS_close, pt);
	S1(SYS_close, master);
	S1(SYS_umask, 022);
	S1(SYS_umask, 077);
	S2(SYS_getcwd, cwd, sizeof cwd);
	S1(SYS_chdir, tmp);
	S2(SYS_mkdir, "d", 0755);
	S3(SYS_mkdirat, AT_FDCWD, "d", 0700);
	S4(SYS_renameat2, AT_FDCWD, "d", AT_FDCWD, "e");
	S5(SYS_renameat2, AT_FDCWD, "e", AT_FDCWD, "d", RENAME_NOREPLACE);
	S3(SYS_unlinkat, AT_FDCWD, "d", AT_REMOVEDIR);
	S3(SYS_symlinkat, "/etc/passwd", AT_FDCWD, "l");
	S4(SYS_readlinkat, AT_FDCWD, "l", buf, 5);
	S3(SYS_readlink, "l", buf, sizeof buf);
	S3(SYS_readlink, "/nonexistent", buf, sizeof buf);
	S4(SYS_fchmodat, AT_FDCWD, "l", 0644, 0);
	S5(SYS_fchownat, AT_FDCWD, "l", -1, -1, AT_SYMLINK_NOFOLLOW);
	S4(SYS_faccessat, AT_FDCWD, "l", R_OK, 0);
	S4(SYS_faccessat2, AT_FDCWD, "l", X_OK, AT_EACCESS);
	S4(SYS_faccessat2, AT_FDCWD, "l", F_OK, AT_SYMLINK_NOFOLLOW);
	S3(SYS_unlinkat, AT_FDCWD, "l", 0);
	S1(SYS_unlink, "l");
	S2(SYS_getcwd, buf, 2);
	S1(SYS_chdir, cwd);
}

/* The kernel's struct sigaction (x86-64). */
struct k_sigaction {
	unsigned long handler, flags, restorer, mask;
};

static void handler(int sig)
{
}

/* rt_sigaction, signal masks and the calls around them. */
static void signal_calls(void)
{
	static struct k_sigaction act, old;
	static unsigned long set, oset;
	static stack_t ss, oss;
	static char stack[16384];
	static siginfo_t si;
	static struct timespec ts;
	long pid = S0(SYS_getpid);

	act.handler = (unsigned long)handler;
	act.flags = SA_RESTART | SA_SIGINFO | 0x04000000 | SA_ONSTACK;
	act.restorer = 0x1234;
	act.mask = 1UL << (SIGINT - 1) | 1UL << (SIGTERM - 1) | 1UL << 33;
	S4(SYS_rt_sigaction, SIGUSR1, &act, &old, 8);
	S4(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8);
	act.handler = (unsigned long)SIG_IGN;
	act.flags = SA_NOCLDSTOP | SA_NOCLDWAIT | SA_NODEFER | SA_RESETHAND;
	act.mask = ~0UL;
	S4(SYS_rt_sigaction, SIGCHLD, &act, NULL, 8);
	act.handler = (unsigned long)SIG_DFL;
	act.flags = 0x100;
	act.mask = ~(1UL << 32);
	S4(SYS_rt_sigaction, SIGCHLD, &act, &old, 8);
	S4(SYS_rt_sigaction, SIGUSR2, (void *)8, NULL, 8);
	S4(SYS_rt_sigaction, SIGKILL, &act, &old, 8);
	S4(SYS_rt_sigaction, SIGUSR1, &act, &old, 7);
	S4(SYS_rt_sigaction, 77, NULL, &old, 8);
	S4(SYS_rt_sigaction, SIGRTMIN + 3, NULL, &old, 8);
	set = 1UL << (SIGCHLD - 1);
	S4(SYS_rt_sigprocmask, SIG_BLOCK, &set, &oset, 8);
	S4(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &oset, 8);
	set = ~0UL;
	S4(SYS_rt_sigprocmask, SIG_BLOCK, &set, &oset, 8);
	set = ~(3UL << 31);
	S4(SYS_rt_sigprocmask, SIG_SETMASK, &set, &oset, 8);
	set = 0xaaaaaaaaaaaaaaaaUL;
	S4(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, 8);
	set = 0;
	S4(SYS_rt_sigprocmask, SIG_SETMASK, &set, NULL, 8);
	S4(SYS_rt_sigprocmask, 7, &set, NULL, 8);
	S4(SYS_rt_sigprocmask, SIG_SETMASK, &set, NULL, 4);
	S2(SYS_rt_sigpending, &set, 8);
	ss.ss_sp = stack;
	ss.ss_size = sizeof stack;
	S2(SYS_sigaltstack, &ss, &oss);
	S2(SYS_sigaltstack, NULL, &oss);
	ss.ss_flags = SS_DISABLE;
	S2(SYS_sigaltstack, &ss, NULL);
	set = 1UL << (SIGUSR2 - 1);
	S4(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 8);
	S2(SYS_kill, pid, SIGUSR2);
	S4(SYS_rt_sigtimedwait, &set, &si, NULL, 8);
	S3(SYS_tgkill, pid, pid, SIGUSR2);
	S4(SYS_rt_sigtimedwait, &set, NULL, NULL, 8);
	ts.tv_nsec = 1000;
	S4(SYS_rt_sigtimedwait, &set, &si, &ts, 8);
	si.si_code = SI_QUEUE;
	si.si_pid = pid;
	si.si_uid = 0;
	si.si_value.sival_int = 42;
	S3(SYS_rt_sigqueueinfo, pid, SIGUSR2, &si);
	S4(SYS_rt_sigtimedwait, &set, &si, NULL, 8);
	S4(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, 8);
	S2(SYS_tkill, pid, 0);
	S1(SYS_alarm, 0);
	S4(SYS_signalfd4, -1, &set, 8, SFD_CLOEXEC | SFD_NONBLOCK);
}

/*
 * Signals delivered to handlers, as the runtime reports them: the handler
 * first calls init->signal (the runtime does that before the program's
 * handler runs), and returns through a restorer that passes rt_sigreturn
 * through the hook.  Faults are made by two-byte instructions the handler
 * steps over.
 */
extern void harness_restorer(void);
__asm__(".text\n"
	"harness_restorer:\n"
	"	call harness_sigreturn\n"
	"	mov $15, %eax\n"
	"	syscall\n");

__attribute__((used)) void harness_sigreturn(void)
{
	struct zpoline_call call = { SYS_rt_sigreturn, { 0 }, NULL };
	hook(&call);
}

static void on_signal(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	if (init.signal)
		init.signal(sig, si);
	switch (sig) {
	case SIGSEGV: case SIGBUS: case SIGFPE: case SIGILL:
		uc->uc_mcontext.gregs[REG_RIP] += 2;
	}
}

static void catch(int sig, unsigned long flags)
{
	struct k_sigaction act = { (unsigned long)on_signal,
				   SA_SIGINFO | 0x04000000 | flags,
				   (unsigned long)harness_restorer, 0 };
	S4(SYS_rt_sigaction, sig, &act, NULL, 8);
}

static void signals_delivered(const char *tmp)
{
	static siginfo_t si;
	static struct sigevent ev;
	static struct itimerspec its;
	static int timer, fds[2];
	static unsigned long set;
	long pid = S0(SYS_getpid), fd, p;
	int sigs[] = { SIGUSR1, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP,
		       SIGALRM, SIGIO, SIGCHLD };

	for (unsigned i = 0; i < sizeof sigs / sizeof *sigs; i++)
		catch(sigs[i], sigs[i] == SIGCHLD ? SA_RESTART : 0);
	S2(SYS_kill, pid, SIGUSR1);			/* SI_USER */
	S3(SYS_tgkill, pid, pid, SIGUSR1);		/* SI_TKILL */
	si.si_code = SI_QUEUE;
	si.si_pid = pid;
	si.si_value.sival_int = 42;
	S3(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si);	/* SI_QUEUE */
	ev.sigev_notify = SIGEV_SIGNAL;			/* SI_TIMER */
	ev.sigev_signo = SIGALRM;
	ev.sigev_value.sival_int = 7;
	S3(SYS_timer_create, CLOCK_MONOTONIC, &ev, &timer);
	set = 1UL << (SIGALRM - 1);	/* blocked until rt_sigsuspend waits */
	S4(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 8);
	its.it_value.tv_nsec = 1000;
	S4(SYS_timer_settime, timer, 0, &its, NULL);
	set = 0;
	S2(SYS_rt_sigsuspend, &set, 8);
	set = 1UL << (SIGALRM - 1);
	S4(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, 8);
	S2(SYS_timer_gettime, timer, &its);
	S1(SYS_timer_delete, timer);
	S2(SYS_pipe2, fds, O_NONBLOCK);			/* SIGIO, POLL_IN */
	S3(SYS_fcntl, fds[0], F_SETOWN, pid);
	S3(SYS_fcntl, fds[0], F_SETSIG, SIGIO);
	S3(SYS_fcntl, fds[0], F_SETFL, O_ASYNC | O_NONBLOCK);
	S3(SYS_write, fds[1], "x", 1);
	S1(SYS_close, fds[0]);
	S1(SYS_close, fds[1]);
	p = S6(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	__asm__ volatile("movl %%eax, (%%rdx)" :: "a"(0), "d"(p) : "memory");
	__asm__ volatile("movl %%eax, (%%rdx)" :: "a"(0), "d"(8) : "memory");
	S2(SYS_munmap, p, 4096);
	snprintf(path, sizeof path, "%s/bus", tmp);	/* SIGBUS past the end */
	fd = S4(SYS_openat, AT_FDCWD, path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	p = S6(SYS_mmap, 0, 4096, PROT_READ, MAP_SHARED, fd, 0);
	__asm__ volatile("movl (%%rdx), %%eax" :: "d"(p) : "rax", "memory");
	S2(SYS_munmap, p, 4096);
	S1(SYS_close, fd);
	__asm__ volatile("cltd\n\tidivl %%ecx" :: "a"(1), "c"(0) : "rdx");
	__asm__ volatile("ud2");
	__asm__ volatile("int3");
}

/* System V IPC: a segment, a semaphore set and a queue, made and removed. */
static void ipc_calls(void)
{
	long id, p;

	id = S3(SYS_shmget, IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	p = S3(SYS_shmat, id, NULL, SHM_RDONLY);
	S1(SYS_shmdt, p);
	S3(SYS_shmctl, id, IPC_RMID, NULL);
	S3(SYS_shmget, 0x1234, 4096, 0);
	id = S3(SYS_semget, IPC_PRIVATE, 2, IPC_CREAT | IPC_EXCL | 0644);
	S4(SYS_semctl, id, 0, IPC_RMID, 0);
	id = S2(SYS_msgget, IPC_PRIVATE, 0600);
	S3(SYS_msgctl, id, IPC_RMID, NULL);
	S3(SYS_msgctl, -1, 77, NULL);
}

/* Capabilities, timers, scheduling, namespaces and other rarer calls. */
static void more_process_calls(void)
{
	static struct { unsigned version; int pid; } hdr = { 0x20080522, 0 };
	static unsigned data[6];
	static struct itimerval itv, oitv;
	static struct timeval tvs[2];
	static struct timespec ts;
	static int prio;
	static struct { unsigned long long flags, mode, resolve; } how;
	static int fds[2], pfd;
	long fd;

	S2(SYS_capget, &hdr, data);
	hdr.version = 0x19980330;
	S2(SYS_capget, &hdr, data);
	hdr.version = 0x20080522;
	S2(SYS_capget, &hdr, NULL);
	S2(SYS_capset, &hdr, data);
	itv.it_value.tv_sec = 100;
	S3(SYS_setitimer, ITIMER_REAL, &itv, &oitv);
	S2(SYS_getitimer, ITIMER_REAL, &oitv);
	itv.it_value.tv_sec = 0;
	S3(SYS_setitimer, ITIMER_REAL, &itv, NULL);
	S2(SYS_getitimer, 7, &oitv);
	S2(SYS_sched_getparam, 0, &prio);
	S3(SYS_sched_setscheduler, 0, 0, &prio);	/* SCHED_OTHER */
	S2(SYS_sched_setparam, 0, &prio);
	S2(SYS_sched_rr_get_interval, 0, &ts);
	S1(SYS_sched_get_priority_max, SCHED_FIFO);
	S1(SYS_unshare, 0);
	S2(SYS_setns, -1, CLONE_NEWNET);
	S3(SYS_mknodat, AT_FDCWD, "/nonexistent/fifo", S_IFIFO | 0644);
	S4(SYS_mknodat, AT_FDCWD, "/nonexistent/dev", S_IFCHR | 0600, makedev(1, 3));
	S3(SYS_mknod, "/nonexistent/x", S_IFREG | 0644, 0);
	how.flags = O_RDONLY | O_CLOEXEC;
	how.resolve = 0x04;	/* RESOLVE_NO_SYMLINKS */
	fd = S4(SYS_openat2, AT_FDCWD, "/etc/passwd", &how, sizeof how);
	S1(SYS_close, fd);
	S4(SYS_openat2, AT_FDCWD, "/etc/passwd", &how, 8);
	S2(SYS_utimes, "/nonexistent", tvs);
	S3(SYS_futimesat, AT_FDCWD, "/nonexistent", NULL);
	S2(SYS_utime, "/nonexistent", NULL);
	fd = S2(SYS_pidfd_open, S0(SYS_getpid), 0);
	S3(SYS_pidfd_getfd, fd, 0, 0);
	S1(SYS_close, fd);
	S2(SYS_pipe2, fds, 0);
	fd = S3(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
	S6(SYS_splice, fd, NULL, fds[1], NULL, 10, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	S4(SYS_sync_file_range, fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	S1(SYS_close, fd);
	S1(SYS_close, fds[0]);
	S1(SYS_close, fds[1]);
	S2(SYS_pkey_alloc, 0, 0);
	S5(SYS_mount, "none", "/nonexistent", "tmpfs", MS_RDONLY | MS_NOSUID, NULL);
	S2(SYS_umount2, "/nonexistent", MNT_DETACH);
	S3(SYS_syslog, 10, NULL, 0);
	(void)pfd;
}

/* Resources, identities and the other per-process calls. */
static void process_calls(void)
{
	static struct rlimit rl, orl;
	static char big[1024];
	static unsigned long long tp[4];
	static unsigned long mask[2];
	static unsigned cpu, node;
	static int pfd;

	S4(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &orl);
	S4(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &orl);
	S4(SYS_prlimit64, 0, RLIMIT_AS, NULL, &orl);
	rl.rlim_cur = 8192 * 1024;
	rl.rlim_max = RLIM_INFINITY;
	S4(SYS_prlimit64, 0, RLIMIT_STACK, &rl, &orl);
	rl.rlim_cur = 1000;
	rl.rlim_max = 1025;
	S4(SYS_prlimit64, 0, RLIMIT_CORE, &rl, NULL);
	S4(SYS_prlimit64, 0, 99, NULL, &orl);
	S2(SYS_getrlimit, RLIMIT_DATA, &rl);
	S2(SYS_setrlimit, RLIMIT_CORE, &rl);
	S2(SYS_getrusage, RUSAGE_SELF, big);
	S2(SYS_getrusage, RUSAGE_CHILDREN, big);
	S2(SYS_getrusage, RUSAGE_THREAD, (void *)8);
	S1(SYS_sysinfo, big);
	S1(SYS_uname, big);
	S1(SYS_times, big);
	S1(SYS_times, NULL);
	S0(SYS_getuid);
	S0(SYS_geteuid);
	S0(SYS_getgid);
	S0(SYS_getegid);
	S0(SYS_getpgrp);
	S1(SYS_getpgid, 0);
	S1(SYS_getsid, 0);
	S2(SYS_getgroups, 0, NULL);
	S2(SYS_getgroups, 4, big);
	S2(SYS_getgroups, 0, big);
	S3(SYS_getresuid, big, big + 4, big + 8);
	S3(SYS_getresgid, big, big + 4, big + 8);
	S2(SYS_setpgid, 0, 0);
	S1(SYS_setuid, 0);
	S1(SYS_set_tid_address, big);
	S2(SYS_set_robust_list, big, 24);
	S3(SYS_get_robust_list, 0, tp, tp + 1);
	S4(SYS_rseq, big, 32, 0, 0x53053053);
	S4(SYS_rseq, NULL, 32, 1, 0x53053053);
	S2(SYS_arch_prctl, ARCH_GET_FS, tp);
	S2(SYS_arch_prctl, ARCH_GET_GS, tp);
	S2(SYS_arch_prctl, ARCH_GET_CPUID, 0);
	S2(SYS_arch_prctl, 0x3001, tp);
	S2(SYS_arch_prctl, 0x9999, 0);
	S2(SYS_prctl, PR_GET_DUMPABLE, 0);
	S2(SYS_prctl, PR_SET_NAME, "harness");
	S2(SYS_prctl, PR_SET_NAME, "fifteen-chars-x");
	S2(SYS_prctl, PR_SET_NAME, "longer than fifteen bytes");
	S2(SYS_prctl, PR_GET_NAME, big);
	S2(SYS_prctl, PR_SET_PDEATHSIG, SIGTERM);
	S2(SYS_prctl, PR_GET_PDEATHSIG, &pfd);
	S2(SYS_prctl, PR_CAPBSET_READ, 21);
	S5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0);
	S5(SYS_prctl, PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	S2(SYS_prctl, PR_GET_TIMERSLACK, 0);
	S2(SYS_prctl, PR_SET_CHILD_SUBREAPER, 0);
	S2(SYS_prctl, PR_GET_CHILD_SUBREAPER, &pfd);
	S5(SYS_prctl, PR_SET_VMA, 0, 0, 0, 0);
	S2(SYS_prctl, PR_GET_SECCOMP, 0);
	S2(SYS_prctl, PR_GET_KEEPCAPS, 0);
	S2(SYS_prctl, PR_GET_THP_DISABLE, 0);
	S5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 21, 0, 0);
	S2(SYS_prctl, 0x7777, 0);
	S3(SYS_sched_getaffinity, 0, sizeof mask, mask);
	S3(SYS_getcpu, &cpu, &node, NULL);
	S0(SYS_sched_yield);
	S1(SYS_sched_getscheduler, 0);
	S3(SYS_getrandom, big, 16, GRND_NONBLOCK);
	S3(SYS_getrandom, big, 0, GRND_RANDOM | GRND_INSECURE);
	S3(SYS_getrandom, big, 8, 0);
	S1(SYS_personality, 0xffffffff);
	S2(SYS_membarrier, 0, 0);
	S1(SYS_getpriority, PRIO_PROCESS);
	S3(SYS_ioprio_get, 1, 0, 0);
	memset(big, 0, sizeof big);	/* modes 0: only read */
	S1(SYS_adjtimex, big);
	more_process_calls();
	S2(SYS_clock_adjtime, CLOCK_REALTIME, big);
	S2(SYS_clock_adjtime, CLOCK_REALTIME, NULL);
	ipc_calls();
}

/*
 * vfork, as the runtime makes it: the child runs on this frame's stack
 * until it exits, so it must not return from here; the syscall is made
 * inline, in this frame, and the child only calls further down.
 */
static __attribute__((noinline, noreturn)) void vfork_child(void)
{
	S1(SYS_exit_group, 5);
	__builtin_unreachable();
}

static __attribute__((noinline)) long sys_vfork(void)
{
	struct zpoline_call call = { SYS_vfork, { 0 }, NULL };
	long r = hook(&call);

	if (r != ZPOLINE_DO_SYSCALL)
		return r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(SYS_vfork)
			 : "rcx", "r11", "memory");
	if (r == 0)
		vfork_child();
	if (init.after)
		init.after(&call, r);
	return r;
}

/* Children made by fork, vfork, clone and clone3, and waiting for them. */
static void children(void)
{
	static int status, ptid;
	static char ru[256];
	static struct clone_args ca;
	static siginfo_t si;
	long pid;

	pid = S0(SYS_fork);
	if (pid == 0)
		S1(SYS_exit_group, 7);
	S4(SYS_wait4, pid, &status, 0, NULL);
	S4(SYS_wait4, -1, &status, WNOHANG, NULL);
	pid = sys_vfork();
	S4(SYS_wait4, pid, &status, 0, NULL);
	pid = S5(SYS_clone, CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD,
		 0, NULL, &ptid, 0);
	if (pid == 0)
		for (;;)
			S0(SYS_pause);
	S2(SYS_kill, pid, SIGKILL);
	S4(SYS_wait4, pid, &status, __WALL, ru);
	pid = S5(SYS_clone, CLONE_PARENT_SETTID | SIGCHLD, 0, &ptid, NULL, 0);
	if (pid == 0)
		S1(SYS_exit_group, 0);
	S5(SYS_waitid, P_PID, pid, &si, WEXITED, NULL);
	ca.flags = CLONE_PARENT_SETTID | CLONE_CHILD_SETTID;
	ca.parent_tid = (unsigned long)&ptid;
	ca.child_tid = (unsigned long)&ptid;
	ca.exit_signal = SIGCHLD;
	pid = S2(SYS_clone3, &ca, sizeof ca);
	if (pid == 0)
		S1(SYS_exit, 3);
	S4(SYS_wait4, -1, &status, 0, NULL);
	ca.flags = 0;
	ca.exit_signal = 0;
	pid = S2(SYS_clone3, &ca, 64);
	if (pid == 0)
		S1(SYS_exit_group, 0);
	S4(SYS_wait4, pid, &status, __WCLONE, NULL);
	S4(SYS_wait4, pid, &status, __WALL | WUNTRACED | WCONTINUED, NULL);
	S2(SYS_clone3, (void *)8, sizeof ca);
	S2(SYS_clone3, &ca, 8);
	S4(SYS_wait4, -1, NULL, 0, NULL);
}

/* sendmmsg and recvmmsg over a socket pair. */
static void mmsg_calls(int *sv)
{
	static struct mmsghdr mm[2];
	static struct iovec iov[2];
	static struct timespec ts;

	iov[0].iov_base = "first";
	iov[0].iov_len = 5;
	iov[1].iov_base = "second";
	iov[1].iov_len = 6;
	mm[0].msg_hdr.msg_iov = &iov[0];
	mm[0].msg_hdr.msg_iovlen = 1;
	mm[1].msg_hdr.msg_iov = &iov[1];
	mm[1].msg_hdr.msg_iovlen = 1;
	S4(SYS_sendmmsg, sv[0], mm, 2, MSG_NOSIGNAL);
	S4(SYS_sendmmsg, -1, mm, 2, 0);
	iov[0].iov_base = buf;
	iov[0].iov_len = 3;
	iov[1].iov_base = buf + 100;
	iov[1].iov_len = 100;
	S5(SYS_recvmmsg, sv[1], mm, 2, MSG_DONTWAIT, NULL);
	S5(SYS_recvmmsg, sv[1], mm, 2, MSG_DONTWAIT, &ts);
}

/* Sockets of the common families, addresses, messages, options. */
static void sockets(const char *tmp)
{
	static int sv[2], one = 1, fdpass;
	static socklen_t len;
	static struct sockaddr_un un;
	static struct sockaddr_in in4;
	static struct sockaddr_in6 in6;
	static struct sockaddr_nl nl;
	static struct sockaddr_storage ss;
	static struct msghdr mh;
	static struct iovec iov[2];
	static union { struct cmsghdr h; char b[64]; } cm;
	long s, t, u;

	S4(SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
	S6(SYS_sendto, sv[0], "hello", 5, MSG_NOSIGNAL | MSG_DONTWAIT, NULL, 0);
	S6(SYS_recvfrom, sv[1], buf, sizeof buf, 0, NULL, NULL);
	S6(SYS_recvfrom, sv[1], buf, sizeof buf, MSG_DONTWAIT, NULL, NULL);
	iov[0].iov_base = "abc";
	iov[0].iov_len = 3;
	iov[1].iov_base = "defgh";
	iov[1].iov_len = 5;
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	S3(SYS_sendmsg, sv[0], &mh, 0);
	iov[0].iov_base = buf;
	iov[0].iov_len = 4;
	iov[1].iov_base = buf + 100;
	iov[1].iov_len = 100;
	S3(SYS_recvmsg, sv[1], &mh, 0);
	fdpass = 0;
	cm.h.cmsg_len = CMSG_LEN(sizeof(int));
	cm.h.cmsg_level = SOL_SOCKET;
	cm.h.cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(&cm.h), &fdpass, sizeof fdpass);
	mh.msg_control = cm.b;
	mh.msg_controllen = CMSG_SPACE(sizeof(int));
	iov[0].iov_base = "x";
	iov[0].iov_len = 1;
	mh.msg_iovlen = 1;
	S3(SYS_sendmsg, sv[0], &mh, MSG_NOSIGNAL);
	iov[0].iov_base = buf;
	iov[0].iov_len = 64;
	mh.msg_controllen = sizeof cm.b;
	S3(SYS_recvmsg, sv[1], &mh, MSG_CMSG_CLOEXEC);
	S3(SYS_recvmsg, sv[1], &mh, MSG_DONTWAIT);
	S3(SYS_recvmsg, sv[1], (void *)8, 0);
	mmsg_calls(sv);
	S5(SYS_setsockopt, sv[0], SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	len = sizeof one;
	S5(SYS_getsockopt, sv[0], SOL_SOCKET, SO_TYPE, &one, &len);
	len = sizeof one;
	S5(SYS_getsockopt, sv[0], SOL_SOCKET, SO_RCVBUF, &one, &len);
	S5(SYS_getsockopt, sv[0], SOL_SOCKET, SO_PEERCRED, buf, &len);
	len = sizeof ss;
	S3(SYS_getsockname, sv[0], &ss, &len);
	len = sizeof ss;
	S3(SYS_getpeername, sv[0], &ss, &len);
	S2(SYS_shutdown, sv[0], SHUT_WR);
	S1(SYS_close, sv[0]);
	S1(SYS_close, sv[1]);

	s = S3(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	un.sun_family = AF_UNIX;
	snprintf(un.sun_path, sizeof un.sun_path, "%s/sock", tmp);
	S3(SYS_bind, s, &un, sizeof un);
	S2(SYS_listen, s, 5);
	t = S3(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
	S3(SYS_connect, t, &un, offsetof(struct sockaddr_un, sun_path)
	   + strlen(un.sun_path) + 1);
	len = sizeof ss;
	u = S4(SYS_accept4, s, &ss, &len, SOCK_CLOEXEC);
	S1(SYS_close, u);
	S3(SYS_accept, s, NULL, NULL);
	S1(SYS_close, t);
	S1(SYS_close, s);
	memcpy(un.sun_path, "\0abstract", 10);
	s = S3(SYS_socket, AF_UNIX, SOCK_DGRAM, 0);
	S3(SYS_bind, s, &un, offsetof(struct sockaddr_un, sun_path) + 9);
	S3(SYS_connect, s, &un, 2);
	S1(SYS_close, s);

	s = S3(SYS_socket, AF_INET, SOCK_DGRAM, IPPROTO_UDP);
	in4.sin_family = AF_INET;
	in4.sin_port = htons(53);
	in4.sin_addr.s_addr = htonl(0x7f000001);
	S3(SYS_connect, s, &in4, sizeof in4);
	len = sizeof ss;
	S3(SYS_getsockname, s, &ss, &len);
	S6(SYS_sendto, s, "q", 1, 0, &in4, sizeof in4);
	one = 1;
	S5(SYS_setsockopt, s, SOL_IP, IP_RECVERR, &one, sizeof one);
	S1(SYS_close, s);
	s = S3(SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_TCP);
	S5(SYS_setsockopt, s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	in4.sin_port = htons(1);
	S3(SYS_connect, s, &in4, sizeof in4);
	S1(SYS_close, s);
	s = S3(SYS_socket, AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	in6.sin6_family = AF_INET6;
	in6.sin6_port = htons(443);
	in6.sin6_addr.s6_addr[15] = 1;
	in6.sin6_flowinfo = htonl(5);
	S3(SYS_connect, s, &in6, sizeof in6);
	S5(SYS_setsockopt, s, SOL_IPV6, IPV6_V6ONLY, &one, sizeof one);
	S1(SYS_close, s);
	s = S3(SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	nl.nl_family = AF_NETLINK;
	S3(SYS_bind, s, &nl, sizeof nl);
	len = sizeof nl;
	S3(SYS_getsockname, s, &nl, &len);
	S1(SYS_close, s);
	s = S3(SYS_socket, AF_PACKET, SOCK_DGRAM, 0);
	S1(SYS_close, s);
	S3(SYS_socket, 99, 77, 0);
	S3(SYS_connect, -1, NULL, 0);
	S3(SYS_connect, -1, (void *)8, 16);
}

/* epoll, poll, ppoll, select, pselect6, eventfd, timerfd. */
static void polling(void)
{
	static int fds[2];
	static struct epoll_event ev, evs[4];
	static struct pollfd pf[3];
	static fd_set rd, wr;
	static struct timespec ts;
	static struct timeval tv;
	static unsigned long set;
	static struct itimerspec its;
	static struct { unsigned long set, size; } sigs = { 0, 8 };
	long ep, efd, tfd;

	S2(SYS_pipe2, fds, 0);
	ep = S1(SYS_epoll_create1, EPOLL_CLOEXEC);
	S1(SYS_epoll_create1, 0);
	S1(SYS_close, ep + 1);
	S1(SYS_epoll_create, 5);
	S1(SYS_close, ep + 1);
	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = 0x1234;
	S4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, fds[0], &ev);
	ev.events = EPOLLOUT | EPOLLRDHUP | EPOLLONESHOT;
	ev.data.fd = fds[1];
	S4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, fds[1], &ev);
	S4(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, fds[1], &ev);
	S4(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, fds[1], NULL);
	S4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, fds[1], &ev);
	S4(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, fds[1], &ev);
	S4(SYS_epoll_wait, ep, evs, 4, 0);
	S3(SYS_write, fds[1], "x", 1);
	S4(SYS_epoll_wait, ep, evs, 4, -1);
	S6(SYS_epoll_pwait, ep, evs, 4, 0, NULL, 8);
	set = 1UL << (SIGUSR1 - 1);
	S6(SYS_epoll_pwait, ep, evs, 4, 1, &set, 8);
	ts.tv_nsec = 1000;
	S6(SYS_epoll_pwait2, ep, evs, 4, &ts, NULL, 8);
	S4(SYS_epoll_wait, ep, (void *)8, 4, 0);
	S4(SYS_epoll_ctl, ep, 9, fds[0], &ev);

	pf[0].fd = fds[0];
	pf[0].events = POLLIN | POLLPRI;
	pf[1].fd = fds[1];
	pf[1].events = POLLOUT;
	pf[2].fd = -1;
	S3(SYS_poll, pf, 3, 0);
	S3(SYS_poll, pf, 1, 0);
	S3(SYS_read, fds[0], buf, 1);
	S3(SYS_poll, pf, 1, 0);
	S3(SYS_poll, pf, 1, 1);
	ts.tv_sec = 0;
	ts.tv_nsec = 2000000;
	S5(SYS_ppoll, pf, 1, &ts, NULL, 8);
	S5(SYS_ppoll, pf, 2, NULL, &set, 8);
	FD_SET(fds[0], &rd);
	FD_SET(fds[1], &wr);
	S5(SYS_select, fds[1] + 1, &rd, &wr, NULL, &tv);
	FD_SET(fds[0], &rd);
	tv.tv_usec = 1000;
	S5(SYS_select, fds[1] + 1, &rd, NULL, NULL, &tv);
	FD_SET(fds[0], &rd);
	ts.tv_nsec = 1000;
	S6(SYS_pselect6, fds[1] + 1, &rd, NULL, NULL, &ts, &sigs);
	S5(SYS_select, 0, NULL, NULL, NULL, &tv);
	S1(SYS_close, ep);

	efd = S2(SYS_eventfd2, 3, EFD_CLOEXEC | EFD_NONBLOCK);
	S3(SYS_read, efd, buf, 8);
	S1(SYS_close, efd);
	tfd = S2(SYS_timerfd_create, CLOCK_MONOTONIC, TFD_CLOEXEC);
	its.it_value.tv_sec = 100;
	S4(SYS_timerfd_settime, tfd, 0, &its, NULL);
	S2(SYS_timerfd_gettime, tfd, &its);
	S4(SYS_timerfd_settime, tfd, TFD_TIMER_ABSTIME, &its, &its);
	S1(SYS_close, tfd);
	S1(SYS_close, fds[0]);
	S1(SYS_close, fds[1]);
}

/* futex's operations, with and without their timeouts. */
static void futexes(void)
{
	static uint32_t f = 1, g;
	static struct timespec ts = { 0, 1000 };

	S6(SYS_futex, &f, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	S6(SYS_futex, &f, FUTEX_WAIT, 1, &ts, NULL, 0);
	S6(SYS_futex, &f, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	S6(SYS_futex, &f, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
	S6(SYS_futex, &f, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 1,
	   &ts, NULL, FUTEX_BITSET_MATCH_ANY);
	S6(SYS_futex, &f, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0x10);
	S6(SYS_futex, &f, FUTEX_REQUEUE_PRIVATE, 1, 2, &g, 0);
	S6(SYS_futex, &f, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2, &g, 1);
	S6(SYS_futex, &f, FUTEX_CMP_REQUEUE, 1, 2, &g, 5);
	S6(SYS_futex, &f, FUTEX_WAKE_OP_PRIVATE, 1, 1, &g,
	   FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GT, 0));
	S6(SYS_futex, &f, FUTEX_WAKE_OP, 1, 0, &g,
	   FUTEX_OP((FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT), 3, FUTEX_OP_CMP_EQ, 7));
	g = 0;
	S6(SYS_futex, &g, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0);
	S6(SYS_futex, &g, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0);
	S6(SYS_futex, &g, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0);
	S6(SYS_futex, &f, 99, 1, NULL, NULL, 0);
	S6(SYS_futex, (void *)8, FUTEX_WAIT, 0, NULL, NULL, 0);
}

/* io_uring's three calls. */
static void uring(void)
{
	static struct io_uring_params p;
	static int fds[1];
	long fd;

	fd = S2(SYS_io_uring_setup, 4, &p);
	S6(SYS_io_uring_enter, fd, 0, 0, IORING_ENTER_GETEVENTS, NULL, 8);
	S6(SYS_io_uring_enter, fd, 1, 1, 0, NULL, 0);
	fds[0] = 0;
	S4(SYS_io_uring_register, fd, IORING_REGISTER_FILES, fds, 1);
	S4(SYS_io_uring_register, fd, IORING_UNREGISTER_FILES, NULL, 0);
	S4(SYS_io_uring_register, fd, IORING_REGISTER_PROBE, NULL, 0);
	S4(SYS_io_uring_register, fd, 999, NULL, 0);
	S1(SYS_close, fd);
	p.flags = IORING_SETUP_CLAMP | IORING_SETUP_CQSIZE;
	p.cq_entries = 16;
	fd = S2(SYS_io_uring_setup, 2, &p);
	S1(SYS_close, fd);
	p.flags = 1u << 31;
	S2(SYS_io_uring_setup, 2, &p);
	S2(SYS_io_uring_setup, 0, NULL);
}

/* Time, sleeping, memory advice, vectors and the rest. */
static void misc_calls(const char *tmp)
{
	static struct timespec ts, rem;
	static struct timeval tv;
	static struct iovec iov[3];
	static long long off;
	static unsigned char vec[4];
	long fd, out, p;

	S2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	S2(SYS_clock_gettime, CLOCK_REALTIME, (void *)8);
	S2(SYS_clock_getres, CLOCK_BOOTTIME, &ts);
	S2(SYS_clock_getres, -74, &ts);	/* a CPU-time clock */
	S2(SYS_clock_gettime, 77, &ts);
	S2(SYS_gettimeofday, &tv, NULL);
	ts.tv_sec = 0;
	ts.tv_nsec = 1000;
	S2(SYS_nanosleep, &ts, &rem);
	S2(SYS_nanosleep, &ts, NULL);
	S4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, &rem);
	S4(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL);
	S1(SYS_time, NULL);

	p = S6(SYS_mmap, 0, 16384, PROT_READ | PROT_WRITE,
	       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	S3(SYS_madvise, p, 4096, MADV_DONTNEED);
	S3(SYS_madvise, p, 4096, MADV_HUGEPAGE);
	S3(SYS_madvise, p, 4096, MADV_DONTDUMP);
	S3(SYS_madvise, p, 4096, 77);
	S3(SYS_mincore, p, 16384, vec);
	S3(SYS_msync, p, 4096, MS_ASYNC | MS_INVALIDATE);
	S2(SYS_mlock, p, 4096);
	S2(SYS_munlock, p, 4096);
	S3(SYS_mlock2, p, 4096, MLOCK_ONFAULT);
	S1(SYS_mlockall, MCL_CURRENT | MCL_FUTURE);
	S0(SYS_munlockall);
	S2(SYS_munmap, p, 16384);
	p = S6(SYS_mmap, 0, 16384, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p = S5(SYS_mremap, p, 16384, 32768, MREMAP_MAYMOVE, 0);
	S4(SYS_mremap, p, 32768, 4096, 0);
	S2(SYS_munmap, p, 4096);

	fd = S3(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
	S4(SYS_fadvise64, fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	S4(SYS_fadvise64, fd, 10, 100, POSIX_FADV_DONTNEED);
	S4(SYS_fadvise64, fd, 0, 0, 99);
	S3(SYS_readahead, fd, 0, 4096);
	iov[0].iov_base = buf;
	iov[0].iov_len = 5;
	iov[1].iov_base = buf + 10;
	iov[1].iov_len = 40;
	iov[2].iov_base = NULL;
	iov[2].iov_len = 0;
	S3(SYS_readv, fd, iov, 3);
	S4(SYS_preadv, fd, iov, 2, 100);
	S5(SYS_preadv2, fd, iov, 1, -1, RWF_NOWAIT);
	S3(SYS_readv, fd, (void *)8, 1);
	snprintf(path, sizeof path, "%s/copy", tmp);
	out = S4(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	iov[0].iov_base = "line one\n";
	iov[0].iov_len = 9;
	iov[1].iov_base = "and the second line, longer than thirty-two bytes\n";
	iov[1].iov_len = 50;
	S3(SYS_writev, out, iov, 2);
	S4(SYS_pwritev, out, iov, 1, 0);
	S3(SYS_lseek, fd, 0, SEEK_SET);
	off = 0;
	S4(SYS_sendfile, out, fd, &off, 10);
	S4(SYS_sendfile, out, fd, NULL, 10);
	off = 5;
	S6(SYS_copy_file_range, fd, &off, out, NULL, 20, 0);
	S6(SYS_copy_file_range, fd, NULL, out, NULL, 1000000, 0);
	S4(SYS_pread64, fd, buf, 8, 3);
	S4(SYS_pwrite64, out, "pw", 2, 0);
	S2(SYS_ftruncate, out, 3);
	S2(SYS_truncate, path, 0);
	S4(SYS_fallocate, out, FALLOC_FL_KEEP_SIZE, 0, 4096);
	S1(SYS_fsync, out);
	S1(SYS_fdatasync, out);
	S4(SYS_utimensat, AT_FDCWD, path, NULL, 0);
	S1(SYS_close, out);
	S1(SYS_close, fd);
	S4(SYS_getxattr, "/etc/passwd", "security.selinux", buf, 255);
	S4(SYS_lgetxattr, "/etc", "system.posix_acl_access", NULL, 0);
	S3(SYS_listxattr, "/etc", buf, 100);
	S3(SYS_close_range, 100, 200, 0);
	S3(SYS_close_range, 100, ~0U, CLOSE_RANGE_CLOEXEC);
	fd = S1(SYS_inotify_init1, IN_CLOEXEC | IN_NONBLOCK);
	S3(SYS_inotify_add_watch, fd, tmp, IN_MODIFY | IN_CREATE | IN_DELETE);
	S2(SYS_inotify_rm_watch, fd, 1);
	S1(SYS_close, fd);
	S1(SYS_sync, 0);
	S1(SYS_syncfs, 0);
	S2(SYS_flock, 0, LOCK_SH | LOCK_NB);
	S2(SYS_flock, 0, LOCK_UN);
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
	const char *tmp;
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
	tmp = getenv("TRACE_TMP") ? getenv("TRACE_TMP") : "/tmp";
	files(tmp);
	mappings();
	others();
	stats(tmp);
	descriptors(tmp);
	signal_calls();
	process_calls();
	sockets(tmp);
	polling();
	futexes();
	uring();
	misc_calls(tmp);
	signals_delivered(tmp);
	children();	/* from here on, lines have "[pid N] " */
	exec_calls(argv[0], argv[1]);
	S1(SYS_exit_group, 1);	/* not reached: the execve succeeded */
	return 1;
}
