/*
 * fds.c - the hooks' own file descriptors, invisible to the program.
 *
 * A hook registers a descriptor with init->own_fd(&fd) (the tracer's
 * output, say).  The runtime then keeps the program from seeing it or
 * touching it, as if it were not open:
 *   - it moves it above the program's RLIMIT_NOFILE soft limit when the
 *     hard limit allows (so it takes none of the numbers the program may
 *     use), close-on-exec;
 *   - the program's calls that name it get EBADF (read, write, fstat,
 *     fcntl, close, ... any call whose descriptor argument it is);
 *   - a dup2/dup3 onto its number first moves it to another number (the
 *     hook's variable is updated), then goes ahead;
 *   - close_range over it is split around it;
 *   - getdents64 of /proc/self/fd (and /proc/PID/fd, /proc/thread-self/fd,
 *     /dev/fd) leaves its entry out.
 * What is not hidden: its number in another process's /proc/PID/fd, and
 * poll/select arrays that name it (a program only polls what it opened).
 *
 * Invariants: dispatch path only: raw system calls, no libc.  Registration
 * happens while a hook loads (its zpoline_hook_init), which tags the
 * entry with that hook's owner number; readers take no lock and read the
 * number from the table, never from the hook's memory (a hook swapped out
 * is unloaded).  A dup2 moving a descriptor stores the new number in the
 * table and in the hook's variable, until the hook is swapped out
 * (zp_fds_orphan); when it is unloaded its descriptors are closed
 * (zp_fds_drop) and their entries free again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "runtime.h"

#define ZP_OWN_MAX 16
static struct zp_own {
	int fd;		/* the number, or -1: a free entry */
	int *var;	/* where the hook keeps it, or NULL (swapped out) */
	unsigned owner;	/* the hook's owner number (chain.c), 0 if none */
} zp_own[ZP_OWN_MAX];
static int zp_nown;	/* entries ever used */
unsigned zp_fds_owner;

static int zp_own_fd_of(int i)
{
	return __atomic_load_n(&zp_own[i].fd, __ATOMIC_RELAXED);
}

/* Descriptors of the program's open /proc/.../fd directories. */
#define ZP_FD_DIRS 16
static int zp_fd_dirs[ZP_FD_DIRS];

int zp_fds_active(void)
{
	return zp_nown;
}

static int zp_is_own(long fd)
{
	for (int i = 0; i < zp_nown; i++)
		if (fd >= 0 && fd == zp_own_fd_of(i))
			return 1;
	return 0;
}

/* A new number for descriptor fd, at min or above, close-on-exec, given
 * the limits lim; the soft limit is raised for the call if min is not
 * below it. */
static long zp_dup_above(long fd, unsigned long min, const struct rlimit *lim)
{
	struct rlimit tmp = *lim;
	long r;
	if (min < lim->rlim_cur)
		return sys3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, min);
	if (min >= lim->rlim_max)
		return -1;
	tmp.rlim_cur = min + 1;
	if (sys4(SYS_prlimit64, 0, RLIMIT_NOFILE, &tmp, 0) < 0)
		return -1;
	r = sys3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, min);
	sys4(SYS_prlimit64, 0, RLIMIT_NOFILE, lim, 0);
	return r;
}

/* init->own_fd */
int zp_own_fd(int *fdp)
{
	struct rlimit lim;
	long fd = *fdp, moved = -1;
	int e;

	for (e = 0; e < zp_nown && zp_own_fd_of(e) >= 0; e++)
		;
	if (e == ZP_OWN_MAX)
		return -ENOSPC;
	if (fd < 0)
		return -EBADF;
	if (!zp_nown)
		for (int i = 0; i < ZP_FD_DIRS; i++)
			zp_fd_dirs[i] = -1;
	/* Above the soft limit (the program's numbers), else at its top;
	   the copy is close-on-exec. */
	if (sys4(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, &lim) == 0) {
		moved = zp_dup_above(fd, lim.rlim_cur, &lim);
		if (moved < 0 && lim.rlim_cur > 1)
			moved = zp_dup_above(fd, lim.rlim_cur - 1, &lim);
	}
	if (moved >= 0) {
		sys1(SYS_close, fd);
		fd = moved;
	} else if (sys3(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC) < 0) {
		return -EBADF;
	}
	*fdp = fd;
	zp_own[e].var = fdp;
	zp_own[e].owner = zp_fds_owner;
	__atomic_store_n(&zp_own[e].fd, (int)fd, __ATOMIC_RELEASE);
	if (e == zp_nown)
		__atomic_store_n(&zp_nown, e + 1, __ATOMIC_RELEASE);
	return 0;
}

/* A hook swapped out: its variables are no longer the runtime's to
 * update (its memory goes when it is unloaded). */
void zp_fds_orphan(unsigned owner)
{
	for (int i = 0; owner && i < zp_nown; i++)
		if (zp_own[i].owner == owner)
			__atomic_store_n(&zp_own[i].var, 0, __ATOMIC_RELAXED);
}

/* A hook unloaded: its descriptors are closed, their entries free. */
void zp_fds_drop(unsigned owner)
{
	for (int i = 0; owner && i < zp_nown; i++) {
		int fd = zp_own_fd_of(i);
		if (zp_own[i].owner != owner || fd < 0)
			continue;
		__atomic_store_n(&zp_own[i].var, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&zp_own[i].fd, -1, __ATOMIC_RELEASE);
		sys1(SYS_close, fd);
	}
}

/* System calls whose first argument is a descriptor (or a dirfd). */
static const unsigned short zp_fd0_nrs[] = {
	SYS_read, SYS_write, SYS_close, SYS_fstat, SYS_lseek, SYS_ioctl,
	SYS_pread64, SYS_pwrite64, SYS_readv, SYS_writev, SYS_fcntl,
	SYS_flock, SYS_fsync, SYS_fdatasync, SYS_ftruncate, SYS_getdents,
	SYS_getdents64, SYS_fchdir, SYS_fchmod, SYS_fchown, SYS_fstatfs,
	SYS_fadvise64, SYS_fallocate, SYS_readahead, SYS_fsetxattr,
	SYS_fgetxattr, SYS_flistxattr, SYS_fremovexattr, SYS_sync_file_range,
	SYS_syncfs, SYS_vmsplice, SYS_preadv, SYS_pwritev, SYS_preadv2,
	SYS_pwritev2, SYS_openat, SYS_mkdirat, SYS_mknodat, SYS_fchownat,
	SYS_futimesat, SYS_newfstatat, SYS_unlinkat, SYS_renameat,
	SYS_renameat2, SYS_linkat, SYS_readlinkat, SYS_fchmodat,
	SYS_faccessat, SYS_faccessat2, SYS_utimensat, SYS_statx,
	SYS_execveat, SYS_name_to_handle_at, SYS_open_by_handle_at,
	SYS_inotify_add_watch, SYS_inotify_rm_watch, SYS_epoll_wait,
	SYS_epoll_pwait, SYS_epoll_ctl, SYS_accept, SYS_accept4, SYS_bind,
	SYS_connect, SYS_listen, SYS_getsockname, SYS_getpeername,
	SYS_sendto, SYS_recvfrom, SYS_sendmsg, SYS_recvmsg, SYS_shutdown,
	SYS_setsockopt, SYS_getsockopt, SYS_sendmmsg, SYS_recvmmsg, SYS_dup,
	SYS_dup2, SYS_dup3, SYS_sendfile, SYS_splice, SYS_tee,
	SYS_copy_file_range, SYS_timerfd_settime, SYS_timerfd_gettime,
	SYS_io_uring_enter, SYS_io_uring_register, SYS_pidfd_send_signal,
	SYS_pidfd_getfd, SYS_fanotify_mark, SYS_fsconfig, SYS_fsmount,
	SYS_move_mount, SYS_open_tree, SYS_mount_setattr,
};
static uint64_t zp_fd0_bits[512 / 64];

void zp_fds_init(void)
{
	for (size_t i = 0; i < sizeof zp_fd0_nrs / sizeof *zp_fd0_nrs; i++)
		zp_fd0_bits[zp_fd0_nrs[i] / 64] |= 1ul << (zp_fd0_nrs[i] % 64);
}

/* The descriptor arguments beyond the first, as a mask of argument
 * indices. */
static unsigned zp_more_fds(long nr)
{
	switch (nr) {
	case SYS_sendfile: case SYS_tee: case SYS_symlinkat:
		return 1u << 1;
	case SYS_splice: case SYS_copy_file_range: case SYS_renameat:
	case SYS_renameat2: case SYS_linkat: case SYS_epoll_ctl:
		return 1u << 2;
	}
	return 0;
}

/* Is the program's path at p one of the directories that list a
 * process's descriptors?  Read with zp_safe_copy: p may be bad (the
 * kernel then says EFAULT). */
static int zp_is_fd_dir_path(const char *p)
{
	static const char *const dirs[] = { "/proc/self/fd", "/proc/thread-self/fd",
					    "/dev/fd" };
	char path[48], pid[20];
	const char *s, *d;
	size_t n = 0;

	while (n < sizeof path - 1 && zp_safe_copy(&path[n], p + n, 1) == 0 && path[n])
		n++;
	path[n] = 0;
	if (path[0] != '/' || n == sizeof path - 1)
		return 0;
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		for (s = path, d = dirs[i]; *d && *s == *d; s++, d++)
			;
		if (!*d && (!*s || (s[0] == '/' && !s[1])))
			return 1;
	}
	/* /proc/PID/fd and /proc/PID/task/TID/fd of this process */
	for (s = path, d = "/proc/"; *d && *s == *d; s++, d++)
		;
	if (*d || *s < '0' || *s > '9')
		return 0;
	for (d = zp_dec(pid, sys0(SYS_getpid)); *d && *s == *d; s++, d++)
		;
	if (*d || *s != '/')
		return 0;
	if (s[1] == 't') {	/* task/TID */
		for (d = "/task/"; *d && *s == *d; s++, d++)
			;
		if (*d)
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return s[0] == '/' && s[1] == 'f' && s[2] == 'd' &&
	       (!s[3] || (s[3] == '/' && !s[4]));
}

static int zp_is_fd_dir(long fd)
{
	for (int i = 0; i < ZP_FD_DIRS; i++)
		if (fd >= 0 && zp_fd_dirs[i] == fd)
			return 1;
	return 0;
}

/* A dup2/dup3 is about to take the number of own descriptor fd. */
static void zp_move_away(long fd)
{
	struct rlimit lim;
	for (int i = 0; i < zp_nown; i++) {
		if (zp_own_fd_of(i) != fd)
			continue;
		long moved = -1;
		if (sys4(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, &lim) == 0)
			moved = zp_dup_above(fd, (unsigned long)fd + 1 < lim.rlim_cur
						 ? lim.rlim_cur : (unsigned long)fd + 1,
					     &lim);
		if (moved < 0)
			moved = sys3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 3);
		if (moved >= 0) {	/* the dup2 itself closes the old number */
			int *var = __atomic_load_n(&zp_own[i].var, __ATOMIC_RELAXED);
			__atomic_store_n(&zp_own[i].fd, (int)moved, __ATOMIC_RELAXED);
			if (var)
				__atomic_store_n(var, (int)moved, __ATOMIC_RELAXED);
		}
	}
}

/* close_range(first, last, flags) with the own descriptors left out. */
static long zp_close_range(const struct zpoline_call *c)
{
	unsigned long first = (unsigned)c->args[0], last = (unsigned)c->args[1];
	unsigned long lo = first;
	long r = 0;

	if (first > last)
		return -EINVAL;
	for (;;) {
		unsigned long next = last + 1;	/* the lowest own number >= lo */
		for (int i = 0; i < zp_nown; i++) {
			if (zp_own_fd_of(i) < 0)
				continue;
			unsigned long o = (unsigned)zp_own_fd_of(i);
			if (o >= lo && o <= last && o < next)
				next = o;
		}
		if (next > lo) {
			long x = sys3(SYS_close_range, lo, next - 1, c->args[2]);
			if (x < 0 && !r)
				r = x;
		}
		if (next > last || next == ~0ul)
			return r;
		lo = next + 1;
	}
}

long zp_fds_check(const struct zpoline_call *c, unsigned *how)
{
	unsigned long nr = c->nr;
	unsigned more;

	if (nr < 512 && (zp_fd0_bits[nr / 64] >> (nr % 64) & 1) &&
	    zp_is_own(c->args[0]))
		return -EBADF;
	more = zp_more_fds(nr);
	for (int i = 1; i < 6; i++)
		if ((more >> i & 1) && zp_is_own(c->args[i]))
			return -EBADF;
	switch (nr) {
	case SYS_mmap:
		if (!(c->args[3] & MAP_ANONYMOUS) && zp_is_own(c->args[4]))
			return -EBADF;
		break;
	case SYS_dup2: case SYS_dup3:
		if (zp_is_own(c->args[1]))
			zp_move_away(c->args[1]);
		break;
	case SYS_close_range:
		return zp_close_range(c);
	case SYS_getdents64:
		if (zp_is_fd_dir(c->args[0]))
			*how |= ZP_HOW_FDS;
		break;
	case SYS_open:
		if (zp_is_fd_dir_path((const char *)c->args[0]))
			*how |= ZP_HOW_FDS;
		break;
	case SYS_openat:
		if (zp_is_fd_dir_path((const char *)c->args[1]))
			*how |= ZP_HOW_FDS;
		break;
	case SYS_close:
		for (int i = 0; i < ZP_FD_DIRS; i++)
			if (zp_fd_dirs[i] == c->args[0])
				zp_fd_dirs[i] = -1;
		break;
	}
	return ZPOLINE_DO_SYSCALL;
}

/* Is name the decimal number of an own descriptor? */
static int zp_names_own(const char *name)
{
	long v = 0;
	if (!*name)
		return 0;
	for (; *name; name++) {
		if (*name < '0' || *name > '9' || v > (1l << 31))
			return 0;
		v = v * 10 + *name - '0';
	}
	return zp_is_own(v);
}

/* Removes the own descriptors' entries from n bytes of linux_dirent64
 * records at buf; the bytes left. */
static long zp_filter_dirents(char *buf, long n)
{
	long in = 0, out = 0;
	while (in < n) {
		unsigned short reclen = *(unsigned short *)(buf + in + 16);
		if (reclen == 0 || in + reclen > n)
			return n;	/* not what we thought: leave it */
		if (!zp_names_own(buf + in + 19)) {
			for (long k = 0; out != in && k < reclen; k++)
				buf[out + k] = buf[in + k];
			out += reclen;
		}
		in += reclen;
	}
	return out;
}

long zp_fds_after(const struct zpoline_call *c, long result)
{
	if ((c->nr == SYS_open || c->nr == SYS_openat) && result >= 0) {
		for (int i = 0; i < ZP_FD_DIRS; i++)
			if (zp_fd_dirs[i] < 0) {
				zp_fd_dirs[i] = result;
				break;
			}
		return result;
	}
	if (c->nr != SYS_getdents64)
		return result;
	/* A read that held only own entries is not the end of the directory:
	   read on. */
	while (result > 0) {
		long left = zp_filter_dirents((char *)c->args[1], result);
		if (left > 0)
			return left;
		result = sys3(SYS_getdents64, c->args[0], c->args[1], c->args[2]);
	}
	return result;
}
