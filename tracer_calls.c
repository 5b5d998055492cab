/*
 * tracer_calls.c - each system call's arguments and result, as strace
 * (6.1, abbreviated output: its defaults) prints them: the simple calls
 * through a one-letter-per-argument signature, the structured ones of
 * files, memory, processes and time through a function each.  Sockets,
 * polling, futex, ioctl and the like are in tracer_more.c, signals in
 * tracer_sig.c.
 *
 * strace's rules, followed throughout: an argument the kernel reads is
 * shown whether the call failed or not (the tracer reads it after the
 * call, which is the same memory unless the kernel wrote it back: those
 * few values are copied before the call, see entry_copy); an argument the
 * kernel writes is shown only when the call succeeded, else its address.
 * Named constants fall back to hex and a "/ * XXX_??? * /" comment.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/timex.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "tracer.h"

#define A(i) (x->c->args[i])
#define O_CREAT_K 0100		/* the kernel's values, as open's flags use */
#define O_TMPFILE_K 020000000

#include "syscall_names.h"	/* generated: syscall_names[nr] */

const char *syscall_name(long nr)
{
	size_t n = sizeof syscall_names / sizeof syscall_names[0];
	return nr >= 0 && (size_t)nr < n ? syscall_names[nr] : NULL;
}

long syscall_number(const char *name)
{
	size_t n = sizeof syscall_names / sizeof syscall_names[0];
	for (size_t i = 0; i < n; i++)
		if (syscall_names[i] && strcmp(syscall_names[i], name) == 0)
			return i;
	return -1;
}

/* ---- constants ------------------------------------------------------------ */

static const struct xlat at_flags[] = {
	{ 0x100, "AT_SYMLINK_NOFOLLOW" }, { 0x200, "AT_REMOVEDIR" },
	{ 0x400, "AT_SYMLINK_FOLLOW" },	{ 0x800, "AT_NO_AUTOMOUNT" },
	{ 0x1000, "AT_EMPTY_PATH" },	{ 0x8000, "AT_RECURSIVE" },
	XEND
};
static const struct xlat faccessat_flags[] = {
	{ 0x200, "AT_EACCESS" }, { 0x100, "AT_SYMLINK_NOFOLLOW" },
	{ 0x1000, "AT_EMPTY_PATH" }, XEND
};
static const struct xlat access_modes[] = {
	{ 4, "R_OK" }, { 2, "W_OK" }, { 1, "X_OK" }, { 0, "F_OK" }, XEND
};
static const struct xlat whence_names[] = {
	{ 0, "SEEK_SET" }, { 1, "SEEK_CUR" }, { 2, "SEEK_END" },
	{ 3, "SEEK_DATA" }, { 4, "SEEK_HOLE" }, XEND
};
static const struct xlat prot_flags[] = {
	{ 1, "PROT_READ" }, { 2, "PROT_WRITE" }, { 4, "PROT_EXEC" },
	{ 8, "PROT_SEM" }, { 0x01000000, "PROT_GROWSDOWN" },
	{ 0x02000000, "PROT_GROWSUP" }, { 0, "PROT_NONE" }, XEND
};
static const struct xlat mmap_flags[] = {
	{ 0x10, "MAP_FIXED" },		{ 0x20, "MAP_ANONYMOUS" },
	{ 0x40, "MAP_32BIT" },		{ 0x4000, "MAP_NORESERVE" },
	{ 0x8000, "MAP_POPULATE" },	{ 0x10000, "MAP_NONBLOCK" },
	{ 0x100, "MAP_GROWSDOWN" },	{ 0x800, "MAP_DENYWRITE" },
	{ 0x1000, "MAP_EXECUTABLE" },	{ 0x2000, "MAP_LOCKED" },
	{ 0x20000, "MAP_STACK" },	{ 0x40000, "MAP_HUGETLB" },
	{ 0x80000, "MAP_SYNC" },	{ 0x100000, "MAP_FIXED_NOREPLACE" },
	XEND
};
static const struct xlat statx_masks[] = {
	{ 0xfff, "STATX_ALL" },		{ 0x7ff, "STATX_BASIC_STATS" },
	{ 0x1, "STATX_TYPE" },		{ 0x2, "STATX_MODE" },
	{ 0x4, "STATX_NLINK" },		{ 0x8, "STATX_UID" },
	{ 0x10, "STATX_GID" },		{ 0x20, "STATX_ATIME" },
	{ 0x40, "STATX_MTIME" },	{ 0x80, "STATX_CTIME" },
	{ 0x100, "STATX_INO" },		{ 0x200, "STATX_SIZE" },
	{ 0x400, "STATX_BLOCKS" },	{ 0x800, "STATX_BTIME" },
	{ 0x1000, "STATX_MNT_ID" },	{ 0x2000, "STATX_DIOALIGN" },
	XEND
};
static const struct xlat statx_attrs[] = {
	{ 0x4, "STATX_ATTR_COMPRESSED" },  { 0x10, "STATX_ATTR_IMMUTABLE" },
	{ 0x20, "STATX_ATTR_APPEND" },	   { 0x40, "STATX_ATTR_NODUMP" },
	{ 0x800, "STATX_ATTR_ENCRYPTED" }, { 0x1000, "STATX_ATTR_AUTOMOUNT" },
	{ 0x2000, "STATX_ATTR_MOUNT_ROOT" }, { 0x100000, "STATX_ATTR_VERITY" },
	{ 0x200000, "STATX_ATTR_DAX" },	   XEND
};
static const struct xlat fs_magics[] = {
	{ 0x1cd1, "DEVPTS_SUPER_MAGIC" },   { 0x6969, "NFS_SUPER_MAGIC" },
	{ 0x9660, "ISOFS_SUPER_MAGIC" },    { 0x9fa0, "PROC_SUPER_MAGIC" },
	{ 0x4d44, "MSDOS_SUPER_MAGIC" },    { 0xef53, "EXT2_SUPER_MAGIC" },
	{ 0x27e0eb, "CGROUP_SUPER_MAGIC" }, { 0x01021994, "TMPFS_MAGIC" },
	{ 0x01021997, "V9FS_MAGIC" },	    { 0x09041934, "ANON_INODE_FS_MAGIC" },
	{ 0x2011bab0, "EXFAT_SUPER_MAGIC" }, { 0x42494e4d, "BINFMTFS_MAGIC" },
	{ 0x50495045, "PIPEFS_MAGIC" },	    { 0x534f434b, "SOCKFS_MAGIC" },
	{ 0x58465342, "XFS_SUPER_MAGIC" },  { 0x62646576, "BDEVFS_MAGIC" },
	{ 0x62656570, "CONFIGFS_MAGIC" },   { 0x62656572, "SYSFS_MAGIC" },
	{ 0x63677270, "CGROUP2_SUPER_MAGIC" }, { 0x64626720, "DEBUGFS_MAGIC" },
	{ 0x65735543, "FUSE_CTL_SUPER_MAGIC" }, { 0x65735546, "FUSE_SUPER_MAGIC" },
	{ 0x6e736673, "NSFS_MAGIC" },	    { 0x73636673, "SECURITYFS_MAGIC" },
	{ 0x73717368, "SQUASHFS_MAGIC" },   { 0x74726163, "TRACEFS_MAGIC" },
	{ 0x794c7630, "OVERLAYFS_SUPER_MAGIC" }, { 0x858458f6, "RAMFS_MAGIC" },
	{ 0x9123683e, "BTRFS_SUPER_MAGIC" }, { 0x958458f6, "HUGETLBFS_MAGIC" },
	{ 0xcafe4a11, "BPF_FS_MAGIC" },	    { 0xde5e81e4, "EFIVARFS_MAGIC" },
	{ 0xf2f52010, "F2FS_SUPER_MAGIC" }, { 0xf97cff8c, "SELINUX_MAGIC" },
	{ 0xff534d42, "CIFS_SUPER_MAGIC" }, { 0xfe534d42, "SMB2_SUPER_MAGIC" },
	{ 0x6c6f6f70, "BINDERFS_SUPER_MAGIC" }, { 0x444d4142, "DMA_BUF_MAGIC" },
	{ 0x5345434d, "SECRETMEM_MAGIC" },  XEND
};
static const struct xlat statfs_flags[] = {
	{ 0x20, "ST_VALID" },	 { 0x1, "ST_RDONLY" },	  { 0x2, "ST_NOSUID" },
	{ 0x4, "ST_NODEV" },	 { 0x8, "ST_NOEXEC" },	  { 0x10, "ST_SYNCHRONOUS" },
	{ 0x40, "ST_MANDLOCK" }, { 0x400, "ST_NOATIME" }, { 0x800, "ST_NODIRATIME" },
	{ 0x1000, "ST_RELATIME" }, { 0x2000, "ST_NOSYMFOLLOW" }, XEND
};
/* pipe2, dup3, F_SETFL...: open flags without the access mode */
static const struct xlat cloexec_nonblock[] = {
	{ 04000, "O_NONBLOCK" }, { 02000000, "O_CLOEXEC" }, XEND
};
static const struct xlat o_cloexec[] = { { 02000000, "O_CLOEXEC" }, XEND };
static const struct xlat madvise_advice[] = {
	{ 0, "MADV_NORMAL" },	{ 1, "MADV_RANDOM" },	{ 2, "MADV_SEQUENTIAL" },
	{ 3, "MADV_WILLNEED" },	{ 4, "MADV_DONTNEED" },	{ 8, "MADV_FREE" },
	{ 9, "MADV_REMOVE" },	{ 10, "MADV_DONTFORK" },	{ 11, "MADV_DOFORK" },
	{ 12, "MADV_MERGEABLE" }, { 13, "MADV_UNMERGEABLE" },
	{ 14, "MADV_HUGEPAGE" }, { 15, "MADV_NOHUGEPAGE" },
	{ 16, "MADV_DONTDUMP" }, { 17, "MADV_DODUMP" },
	{ 18, "MADV_WIPEONFORK" }, { 19, "MADV_KEEPONFORK" },
	{ 20, "MADV_COLD" },	{ 21, "MADV_PAGEOUT" },
	{ 22, "MADV_POPULATE_READ" }, { 23, "MADV_POPULATE_WRITE" },
	{ 24, "MADV_DONTNEED_LOCKED" }, { 25, "MADV_COLLAPSE" },
	{ 100, "MADV_HWPOISON" }, { 101, "MADV_SOFT_OFFLINE" }, XEND
};
static const struct xlat fadvise_advice[] = {
	{ 0, "POSIX_FADV_NORMAL" }, { 1, "POSIX_FADV_RANDOM" },
	{ 2, "POSIX_FADV_SEQUENTIAL" }, { 3, "POSIX_FADV_WILLNEED" },
	{ 4, "POSIX_FADV_DONTNEED" }, { 5, "POSIX_FADV_NOREUSE" }, XEND
};
static const struct xlat msync_flags[] = {
	{ 1, "MS_ASYNC" }, { 2, "MS_INVALIDATE" }, { 4, "MS_SYNC" }, XEND
};
static const struct xlat mremap_flags[] = {
	{ 1, "MREMAP_MAYMOVE" }, { 2, "MREMAP_FIXED" },
	{ 4, "MREMAP_DONTUNMAP" }, XEND
};
static const struct xlat mlockall_flags[] = {
	{ 1, "MCL_CURRENT" }, { 2, "MCL_FUTURE" }, { 4, "MCL_ONFAULT" }, XEND
};
static const struct xlat mlock_flags[] = { { 1, "MLOCK_ONFAULT" }, XEND };
static const struct xlat membarrier_cmds[] = {
	{ 0, "MEMBARRIER_CMD_QUERY" },
	{ 1, "MEMBARRIER_CMD_GLOBAL" },
	{ 2, "MEMBARRIER_CMD_GLOBAL_EXPEDITED" },
	{ 4, "MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED" },
	{ 8, "MEMBARRIER_CMD_PRIVATE_EXPEDITED" },
	{ 16, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED" },
	{ 32, "MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE" },
	{ 64, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE" },
	{ 128, "MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ" },
	{ 256, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ" },
	XEND
};
static const struct xlat resources[] = {
	{ 0, "RLIMIT_CPU" },	 { 1, "RLIMIT_FSIZE" },	 { 2, "RLIMIT_DATA" },
	{ 3, "RLIMIT_STACK" },	 { 4, "RLIMIT_CORE" },	 { 5, "RLIMIT_RSS" },
	{ 6, "RLIMIT_NPROC" },	 { 7, "RLIMIT_NOFILE" }, { 8, "RLIMIT_MEMLOCK" },
	{ 9, "RLIMIT_AS" },	 { 10, "RLIMIT_LOCKS" }, { 11, "RLIMIT_SIGPENDING" },
	{ 12, "RLIMIT_MSGQUEUE" }, { 13, "RLIMIT_NICE" }, { 14, "RLIMIT_RTPRIO" },
	{ 15, "RLIMIT_RTTIME" }, XEND
};
static const struct xlat rusage_who[] = {
	{ 0, "RUSAGE_SELF" }, { -1ULL, "RUSAGE_CHILDREN" },
	{ 1, "RUSAGE_THREAD" }, XEND
};
static const struct xlat wait_options[] = {
	{ 1, "WNOHANG" },	{ 4, "WEXITED" },	{ 2, "WSTOPPED" },
	{ 8, "WCONTINUED" },	{ 0x1000000, "WNOWAIT" },
	{ 0x80000000, "__WCLONE" }, { 0x40000000, "__WALL" },
	{ 0x20000000, "__WNOTHREAD" }, XEND
};
static const struct xlat waitid_types[] = {
	{ 0, "P_ALL" }, { 1, "P_PID" }, { 2, "P_PGID" }, { 3, "P_PIDFD" }, XEND
};
static const struct xlat clone_flags[] = {
	{ 0x100, "CLONE_VM" },		 { 0x200, "CLONE_FS" },
	{ 0x400, "CLONE_FILES" },	 { 0x800, "CLONE_SIGHAND" },
	{ 0x1000, "CLONE_PIDFD" },	 { 0x2000, "CLONE_PTRACE" },
	{ 0x4000, "CLONE_VFORK" },	 { 0x8000, "CLONE_PARENT" },
	{ 0x10000, "CLONE_THREAD" },	 { 0x20000, "CLONE_NEWNS" },
	{ 0x40000, "CLONE_SYSVSEM" },	 { 0x80000, "CLONE_SETTLS" },
	{ 0x100000, "CLONE_PARENT_SETTID" }, { 0x200000, "CLONE_CHILD_CLEARTID" },
	{ 0x800000, "CLONE_UNTRACED" },	 { 0x1000000, "CLONE_CHILD_SETTID" },
	{ 0x2000000, "CLONE_NEWCGROUP" }, { 0x4000000, "CLONE_NEWUTS" },
	{ 0x8000000, "CLONE_NEWIPC" },	 { 0x10000000, "CLONE_NEWUSER" },
	{ 0x20000000, "CLONE_NEWPID" },	 { 0x40000000, "CLONE_NEWNET" },
	{ 0x80000000, "CLONE_IO" },
	/* clone3 only */
	{ 0x80, "CLONE_NEWTIME" },	 { 0x100000000ULL, "CLONE_CLEAR_SIGHAND" },
	{ 0x200000000ULL, "CLONE_INTO_CGROUP" }, XEND
};
static const struct xlat clock_names[] = {
	{ 0, "CLOCK_REALTIME" },	{ 1, "CLOCK_MONOTONIC" },
	{ 2, "CLOCK_PROCESS_CPUTIME_ID" }, { 3, "CLOCK_THREAD_CPUTIME_ID" },
	{ 4, "CLOCK_MONOTONIC_RAW" },	{ 5, "CLOCK_REALTIME_COARSE" },
	{ 6, "CLOCK_MONOTONIC_COARSE" }, { 7, "CLOCK_BOOTTIME" },
	{ 8, "CLOCK_REALTIME_ALARM" },	{ 9, "CLOCK_BOOTTIME_ALARM" },
	{ 10, "CLOCK_SGI_CYCLE" },	{ 11, "CLOCK_TAI" }, XEND
};
static const struct xlat timer_flags[] = { { 1, "TIMER_ABSTIME" }, XEND };
static const struct xlat tfd_set_flags[] = {
	{ 1, "TFD_TIMER_ABSTIME" }, { 2, "TFD_TIMER_CANCEL_ON_SET" }, XEND
};
static const struct xlat tfd_flags[] = {
	{ 02000000, "TFD_CLOEXEC" }, { 04000, "TFD_NONBLOCK" }, XEND
};
static const struct xlat efd_flags[] = {
	{ 1, "EFD_SEMAPHORE" }, { 02000000, "EFD_CLOEXEC" },
	{ 04000, "EFD_NONBLOCK" }, XEND
};
static const struct xlat mfd_flags[] = {
	{ 1, "MFD_CLOEXEC" }, { 2, "MFD_ALLOW_SEALING" }, { 4, "MFD_HUGETLB" },
	{ 8, "MFD_NOEXEC_SEAL" }, { 16, "MFD_EXEC" }, XEND
};
static const struct xlat close_range_flags[] = {
	{ 2, "CLOSE_RANGE_UNSHARE" }, { 4, "CLOSE_RANGE_CLOEXEC" }, XEND
};
static const struct xlat inotify_init_flags[] = {
	{ 04000, "IN_NONBLOCK" }, { 02000000, "IN_CLOEXEC" }, XEND
};
static const struct xlat inotify_mask[] = {
	{ 0x1, "IN_ACCESS" },	  { 0x2, "IN_MODIFY" },	{ 0x4, "IN_ATTRIB" },
	{ 0x8, "IN_CLOSE_WRITE" }, { 0x10, "IN_CLOSE_NOWRITE" },
	{ 0x20, "IN_OPEN" },	  { 0x40, "IN_MOVED_FROM" },
	{ 0x80, "IN_MOVED_TO" },  { 0x100, "IN_CREATE" },
	{ 0x200, "IN_DELETE" },	  { 0x400, "IN_DELETE_SELF" },
	{ 0x800, "IN_MOVE_SELF" }, { 0x2000, "IN_UNMOUNT" },
	{ 0x4000, "IN_Q_OVERFLOW" }, { 0x8000, "IN_IGNORED" },
	{ 0x1000000, "IN_ONLYDIR" }, { 0x2000000, "IN_DONT_FOLLOW" },
	{ 0x4000000, "IN_EXCL_UNLINK" }, { 0x10000000, "IN_MASK_CREATE" },
	{ 0x20000000, "IN_MASK_ADD" }, { 0x40000000, "IN_ISDIR" },
	{ 0x80000000, "IN_ONESHOT" }, XEND
};
static const struct xlat falloc_flags[] = {
	{ 1, "FALLOC_FL_KEEP_SIZE" }, { 2, "FALLOC_FL_PUNCH_HOLE" },
	{ 4, "FALLOC_FL_NO_HIDE_STALE" }, { 8, "FALLOC_FL_COLLAPSE_RANGE" },
	{ 16, "FALLOC_FL_ZERO_RANGE" }, { 32, "FALLOC_FL_INSERT_RANGE" },
	{ 64, "FALLOC_FL_UNSHARE_RANGE" }, XEND
};
static const struct xlat flock_ops[] = {
	{ 1, "LOCK_SH" }, { 2, "LOCK_EX" }, { 4, "LOCK_NB" }, { 8, "LOCK_UN" },
	{ 32, "LOCK_MAND" }, { 192, "LOCK_RW" }, { 64, "LOCK_READ" },
	{ 128, "LOCK_WRITE" }, XEND
};
static const struct xlat rename_flags[] = {
	{ 1, "RENAME_NOREPLACE" }, { 2, "RENAME_EXCHANGE" },
	{ 4, "RENAME_WHITEOUT" }, XEND
};
static const struct xlat xattr_flags[] = {
	{ 1, "XATTR_CREATE" }, { 2, "XATTR_REPLACE" }, XEND
};
static const struct xlat rwf_flags[] = {
	{ 1, "RWF_HIPRI" }, { 2, "RWF_DSYNC" }, { 4, "RWF_SYNC" },
	{ 8, "RWF_NOWAIT" }, { 16, "RWF_APPEND" }, XEND
};
static const struct xlat grnd_flags[] = {
	{ 1, "GRND_NONBLOCK" }, { 2, "GRND_RANDOM" }, { 4, "GRND_INSECURE" },
	XEND
};
static const struct xlat prio_which[] = {
	{ 0, "PRIO_PROCESS" }, { 1, "PRIO_PGRP" }, { 2, "PRIO_USER" }, XEND
};
static const struct xlat ioprio_who[] = {
	{ 1, "IOPRIO_WHO_PROCESS" }, { 2, "IOPRIO_WHO_PGRP" },
	{ 3, "IOPRIO_WHO_USER" }, XEND
};
static const struct xlat ioprio_class[] = {
	{ 0, "IOPRIO_CLASS_NONE" }, { 1, "IOPRIO_CLASS_RT" },
	{ 2, "IOPRIO_CLASS_BE" }, { 3, "IOPRIO_CLASS_IDLE" }, XEND
};
static const struct xlat schedulers[] = {
	{ 0, "SCHED_OTHER" }, { 1, "SCHED_FIFO" }, { 2, "SCHED_RR" },
	{ 3, "SCHED_BATCH" }, { 4, "SCHED_ISO" }, { 5, "SCHED_IDLE" },
	{ 6, "SCHED_DEADLINE" }, XEND
};
static const struct xlat personalities[] = {
	{ 0, "PER_LINUX" }, { 0x0008, "PER_LINUX32" }, XEND
};

/* ---- small shared printers -------------------------------------------------- */

void put_int_at(struct ctx *x, unsigned long addr, enum dir d)
{
	int v;
	if (fetch(x, addr, &v, sizeof v, d)) {
		put_c(x->l, '[');
		put_dec(x->l, v);
		put_c(x->l, ']');
	}
}

static void put_uint_at(struct ctx *x, unsigned long addr, enum dir d)
{
	unsigned v;
	if (fetch(x, addr, &v, sizeof v, d)) {
		put_c(x->l, '[');
		put_udec(x->l, v);
		put_c(x->l, ']');
	}
}

static void put_ulong_ptr_at(struct ctx *x, unsigned long addr, enum dir d)
{
	unsigned long v;
	if (fetch(x, addr, &v, sizeof v, d)) {
		put_c(x->l, '[');
		put_ptr(x->l, v);
		put_c(x->l, ']');
	}
}

void put_timespec(struct line *l, long sec, long nsec)
{
	put(l, "{tv_sec=");
	put_dec(l, sec);
	put(l, ", tv_nsec=");
	put_dec(l, nsec);
	put_c(l, '}');
}

void put_timespec_at(struct ctx *x, unsigned long addr, enum dir d)
{
	struct timespec ts;
	if (fetch(x, addr, &ts, sizeof ts, d))
		put_timespec(x->l, ts.tv_sec, ts.tv_nsec);
}

static void put_timeval(struct line *l, const struct timeval *tv)
{
	put(l, "{tv_sec=");
	put_dec(l, tv->tv_sec);
	put(l, ", tv_usec=");
	put_dec(l, tv->tv_usec);
	put_c(l, '}');
}

void put_timeval_at(struct ctx *x, unsigned long addr, enum dir d)
{
	struct timeval tv;
	if (fetch(x, addr, &tv, sizeof tv, d))
		put_timeval(x->l, &tv);
}

/* An array of n elements of size bytes at addr, at most STR_MAX shown,
 * each by f; strace's print_array. */
void put_array(struct ctx *x, unsigned long addr, size_t n, size_t size,
	       enum dir d, void (*f)(struct line *, const void *))
{
	unsigned char e[64];

	if (!addr || (d == OUT && x->failed)) {
		put_ptr(x->l, addr);
		return;
	}
	put_c(x->l, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			put(x->l, ", ");
		if (i == STR_MAX) {
			put(x->l, "...");
			break;
		}
		if (peek(e, addr + i * size, size, !x->failed) != size) {
			if (!i) {
				x->l->len--;	/* no '[' for an unreadable array */
				put_ptr(x->l, addr);
				return;
			}
			put(x->l, "... /* ");
			put_hex(x->l, addr + i * size);
			put(x->l, " */");
			break;
		}
		f(x->l, e);
	}
	put_c(x->l, ']');
}

static void elem_uint(struct line *l, const void *e)
{
	put_udec(l, *(const unsigned *)e);
}

/* ---- files ------------------------------------------------------------------ */

static void put_stat(struct line *l, const struct stat *st)
{
	put(l, "{st_mode=");
	put_mode_t(l, st->st_mode);
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
		put(l, ", st_rdev=makedev(");
		put_hex(l, major(st->st_rdev));
		put(l, ", ");
		put_hex(l, minor(st->st_rdev));
		put_c(l, ')');
	} else {
		put(l, ", st_size=");
		put_dec(l, st->st_size);
	}
	put(l, ", ...}");
}

static void put_stat_at(struct ctx *x, unsigned long addr)
{
	struct stat st;
	if (fetch(x, addr, &st, sizeof st, OUT))
		put_stat(x->l, &st);
}

/* newfstatat(dirfd, path, statbuf, flags) */
static void d_newfstatat(struct ctx *x)
{
	put_fd(x->l, A(0));
	sep(x);
	put_str(x->l, A(1), PATH_MAX, !x->failed);
	sep(x);
	put_stat_at(x, A(2));
	sep(x);
	put_flags(x->l, (unsigned)A(3), at_flags, "AT_???");
}

/* stat, lstat (path, statbuf); fstat (fd, statbuf) */
static void d_stat(struct ctx *x)
{
	if (x->c->nr == SYS_fstat)
		put_dec(x->l, (int)A(0));
	else
		put_str(x->l, A(0), PATH_MAX, !x->failed);
	sep(x);
	put_stat_at(x, A(1));
}

static void put_statx_flags(struct line *l, unsigned v)
{
	static const struct xlat sync[] = {
		{ 0, "AT_STATX_SYNC_AS_STAT" }, { 0x2000, "AT_STATX_FORCE_SYNC" },
		{ 0x4000, "AT_STATX_DONT_SYNC" }, XEND
	};
	put_flags(l, v & 0x6000, sync, NULL);
	if (v & ~0x6000u) {
		put_c(l, '|');
		put_flags(l, v & ~0x6000u, at_flags, NULL);
	}
}

/* statx(dirfd, path, flags, mask, statxbuf) */
static void d_statx(struct ctx *x)
{
	struct statx stx;
	struct line *l = x->l;

	put_fd(l, A(0));
	sep(x);
	put_str(l, A(1), PATH_MAX, !x->failed);
	sep(x);
	put_statx_flags(l, A(2));
	sep(x);
	put_flags(l, (unsigned)A(3), statx_masks, "STATX_???");
	sep(x);
	if (!fetch(x, A(4), &stx, sizeof stx, OUT))
		return;
	put(l, "{stx_mask=");
	put_flags(l, stx.stx_mask, statx_masks, "STATX_???");
	put(l, ", stx_attributes=");
	put_flags(l, stx.stx_attributes, statx_attrs, "STATX_ATTR_???");
	if (stx.stx_mask & (STATX_TYPE | STATX_MODE)) {
		put(l, ", stx_mode=");
		put_mode_t(l, stx.stx_mode);
	}
	if (stx.stx_mask & STATX_SIZE) {
		put(l, ", stx_size=");
		put_udec(l, stx.stx_size);
	}
	put(l, ", ...}");
}

/* statfs(path, buf), fstatfs(fd, buf): the whole struct */
static void d_statfs(struct ctx *x)
{
	struct statfs b;
	struct line *l = x->l;

	if (x->c->nr == SYS_fstatfs)
		put_dec(l, (int)A(0));
	else
		put_str(l, A(0), PATH_MAX, !x->failed);
	sep(x);
	if (!fetch(x, A(1), &b, sizeof b, OUT))
		return;
	put(l, "{f_type=");
	put_xval(l, (unsigned long)b.f_type, fs_magics, NULL);
	put(l, ", f_bsize=");
	put_udec(l, b.f_bsize);
	put(l, ", f_blocks=");
	put_udec(l, b.f_blocks);
	put(l, ", f_bfree=");
	put_udec(l, b.f_bfree);
	put(l, ", f_bavail=");
	put_udec(l, b.f_bavail);
	put(l, ", f_files=");
	put_udec(l, b.f_files);
	put(l, ", f_ffree=");
	put_udec(l, b.f_ffree);
	put(l, ", f_fsid={val=[");
	put_hex(l, (unsigned)b.f_fsid.__val[0]);
	put(l, ", ");
	put_hex(l, (unsigned)b.f_fsid.__val[1]);
	put(l, "]}, f_namelen=");
	put_udec(l, b.f_namelen);
	put(l, ", f_frsize=");
	put_udec(l, b.f_frsize);
	if (b.f_flags & 0x20) {
		put(l, ", f_flags=");
		put_flags(l, b.f_flags, statfs_flags, "ST_???");
	}
	put_c(l, '}');
}

/* getdents, getdents64(fd, dirp, count): the entries are counted. */
static void d_getdents(struct ctx *x)
{
	unsigned long addr = A(1), len = x->res, count = 0;
	size_t head = x->c->nr == SYS_getdents64 ? 19 : 18;
	unsigned short reclen;

	put_dec(x->l, (int)A(0));
	sep(x);
	put_ptr(x->l, addr);
	if (!x->failed && len <= (unsigned)A(2)) {
		/* the kernel just wrote all len bytes */
		while (len >= head) {
			memcpy(&reclen, (char *)addr + 16, sizeof reclen);
			count++;
			if (reclen > len || reclen < head)
				break;	/* cannot happen */
			len -= reclen;
			addr += reclen;
			if (!len)
				break;
		}
		put(x->l, " /* ");
		put_udec(x->l, count);
		put(x->l, len ? "+ entries */" : " entries */");
	}
	sep(x);
	put_udec(x->l, (unsigned)A(2));
}

/* pipe(fds), pipe2(fds, flags) */
static void d_pipe(struct ctx *x)
{
	int fds[2];
	if (fetch(x, A(0), fds, sizeof fds, OUT)) {
		put_c(x->l, '[');
		put_dec(x->l, fds[0]);
		put(x->l, ", ");
		put_dec(x->l, fds[1]);
		put_c(x->l, ']');
	}
	if (x->c->nr == SYS_pipe2) {
		sep(x);
		put_flags(x->l, (unsigned)A(1), cloexec_nonblock, "O_???");
	}
}

/* dup3(old, new, flags) */
static void d_dup3(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_dec(x->l, (int)A(1));
	sep(x);
	put_flags(x->l, (unsigned)A(2), o_cloexec, "O_???");
}

static void d_umask(struct ctx *x)
{
	put_oct(x->l, (unsigned)A(0));
	x->rv->rfmt = R_OCT;
}

/* faccessat2(dirfd, path, mode, flags) */
static void d_faccessat2(struct ctx *x)
{
	put_fd(x->l, A(0));
	sep(x);
	put_str(x->l, A(1), PATH_MAX, !x->failed);
	sep(x);
	put_flags(x->l, (unsigned)A(2), access_modes, "?_OK");
	sep(x);
	put_flags(x->l, (unsigned)A(3), faccessat_flags, "AT_???");
}

/* renameat2(olddirfd, old, newdirfd, new, flags) */
static void d_renameat2(struct ctx *x)
{
	int ok = !x->failed;
	put_fd(x->l, A(0));
	sep(x);
	put_str(x->l, A(1), PATH_MAX, ok);
	sep(x);
	put_fd(x->l, A(2));
	sep(x);
	put_str(x->l, A(3), PATH_MAX, ok);
	sep(x);
	put_flags(x->l, (unsigned)A(4), rename_flags, "RENAME_???");
}

/* getxattr family: (path|fd, name, value, size) */
static void d_getxattr(struct ctx *x)
{
	long nr = x->c->nr;
	if (nr == SYS_fgetxattr)
		put_dec(x->l, (int)A(0));
	else
		put_str(x->l, A(0), PATH_MAX, !x->failed);
	sep(x);
	put_str(x->l, A(1), PATH_MAX, !x->failed);
	sep(x);
	if (x->failed || !A(2))
		put_ptr(x->l, A(2));
	else
		put_buf(x->l, A(2), x->res, 1);
	sep(x);
	put_udec(x->l, A(3));
}

/* setxattr family: (path|fd, name, value, size, flags) */
static void d_setxattr(struct ctx *x)
{
	if (x->c->nr == SYS_fsetxattr)
		put_dec(x->l, (int)A(0));
	else
		put_str(x->l, A(0), PATH_MAX, !x->failed);
	sep(x);
	put_str(x->l, A(1), PATH_MAX, !x->failed);
	sep(x);
	put_buf(x->l, A(2), A(3), !x->failed);
	sep(x);
	put_udec(x->l, A(3));
	sep(x);
	put_flags(x->l, (unsigned)A(4), xattr_flags, "XATTR_???");
}

/* listxattr family: (path|fd, list, size) */
static void d_listxattr(struct ctx *x)
{
	if (x->c->nr == SYS_flistxattr)
		put_dec(x->l, (int)A(0));
	else
		put_str(x->l, A(0), PATH_MAX, !x->failed);
	sep(x);
	if (x->failed || !A(1))
		put_ptr(x->l, A(1));
	else
		put_buf(x->l, A(1), x->res, 1);
	sep(x);
	put_udec(x->l, A(2));
}

/* memfd_create(name, flags) */
static void d_memfd_create(struct ctx *x)
{
	put_str(x->l, A(0), 255, !x->failed);
	sep(x);
	put_flags(x->l, (unsigned)A(1), mfd_flags, "MFD_???");
}

static void d_close_range(struct ctx *x)
{
	put_udec(x->l, (unsigned)A(0));
	sep(x);
	put_udec(x->l, (unsigned)A(1));
	sep(x);
	put_flags(x->l, (unsigned)A(2), close_range_flags, "CLOSE_RANGE_???");
}

static void d_inotify_init1(struct ctx *x)
{
	put_flags(x->l, (unsigned)A(0), inotify_init_flags, "IN_???");
}

static void d_inotify_add_watch(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_str(x->l, A(1), PATH_MAX, !x->failed);
	sep(x);
	put_flags(x->l, (unsigned)A(2), inotify_mask, "IN_???");
}

static void d_fallocate(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_flags(x->l, (unsigned)A(1), falloc_flags, "FALLOC_FL_???");
	sep(x);
	put_dec(x->l, (long)A(2));
	sep(x);
	put_dec(x->l, (long)A(3));
}

static void d_fadvise64(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_dec(x->l, (long)A(1));
	sep(x);
	put_dec(x->l, (long)A(2));
	sep(x);
	put_xval(x->l, (unsigned)A(3), fadvise_advice, "POSIX_FADV_???");
}

static void d_flock(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_flags(x->l, (unsigned)A(1), flock_ops, "LOCK_???");
}

/* readv/writev (fd, iov, n), preadv/pwritev (+ offset), preadv2/pwritev2
 * (+ flags): the buffers as read (up to the result) or written. */
void put_iovec(struct ctx *x, unsigned long addr, unsigned long n,
	       long data, enum dir d)
{
	struct iovec v;
	struct line *l = x->l;
	unsigned long left = data;

	if (!addr || (d == OUT && x->failed)
	    || peek(&v, addr, sizeof v, 0) != sizeof v) {
		put_ptr(l, addr);
		return;
	}
	put_c(l, '[');
	for (unsigned long i = 0; i < n; i++) {
		if (i)
			put(l, ", ");
		if (i == STR_MAX) {
			put(l, "...");
			break;
		}
		if (peek(&v, addr + i * sizeof v, sizeof v, 0) != sizeof v) {
			put(l, "... /* ");
			put_hex(l, addr + i * sizeof v);
			put(l, " */");
			break;
		}
		put(l, "{iov_base=");
		if (data < 0) {
			put_ptr(l, (unsigned long)v.iov_base);
		} else {
			unsigned long shown = v.iov_len < left ? v.iov_len : left;
			put_buf(l, (unsigned long)v.iov_base, shown, 0);
			left -= shown;
		}
		put(l, ", iov_len=");
		put_udec(l, v.iov_len);
		put_c(l, '}');
	}
	put_c(l, ']');
}

static void d_rwv(struct ctx *x)
{
	long nr = x->c->nr;
	int reads = nr == SYS_readv || nr == SYS_preadv || nr == SYS_preadv2;

	put_dec(x->l, (int)A(0));
	sep(x);
	if (reads)
		put_iovec(x, A(1), A(2), x->failed ? -1 : x->res, OUT);
	else
		put_iovec(x, A(1), A(2), x->failed ? 0x7fffffff : x->res, IN);
	sep(x);
	put_udec(x->l, A(2));
	if (nr == SYS_readv || nr == SYS_writev)
		return;
	sep(x);
	put_dec(x->l, (long)A(3));
	if (nr == SYS_preadv2 || nr == SYS_pwritev2) {
		sep(x);
		put_flags(x->l, (unsigned)A(5), rwf_flags, "RWF_???");
	}
}

/* A loff_t in/out argument: "[5]", or "[0] => [10]" when it moved. */
static void put_off_inout(struct ctx *x, unsigned long addr, int slot)
{
	long long before, after;

	if (!addr) {
		put(x->l, "NULL");
		return;
	}
	if (x->in) {
		memcpy(&before, x->in + 8 * slot, sizeof before);
	} else if (peek(&before, addr, sizeof before, 0) != sizeof before) {
		put_ptr(x->l, addr);
		return;
	}
	put_c(x->l, '[');
	put_dec(x->l, before);
	put_c(x->l, ']');
	if (x->c->nr == SYS_sendfile && !x->failed
	    && peek(&after, addr, sizeof after, 1) == sizeof after) {
		put(x->l, " => [");
		put_dec(x->l, after);
		put_c(x->l, ']');
	}
}

/* sendfile(out, in, offset, count) */
static void d_sendfile(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_dec(x->l, (int)A(1));
	sep(x);
	put_off_inout(x, A(2), 0);
	sep(x);
	put_udec(x->l, A(3));
}

/* copy_file_range(in, off_in, out, off_out, len, flags): the offsets as
 * they were */
static void d_copy_file_range(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_off_inout(x, A(1), 0);
	sep(x);
	put_dec(x->l, (int)A(2));
	sep(x);
	put_off_inout(x, A(3), 1);
	sep(x);
	put_udec(x->l, A(4));
	sep(x);
	put_hex(x->l, (unsigned)A(5));
}

/* utimensat(dirfd, path, times[2], flags) */
static void d_utimensat(struct ctx *x)
{
	struct timespec ts[2];
	put_fd(x->l, A(0));
	sep(x);
	put_str(x->l, A(1), PATH_MAX, !x->failed);
	sep(x);
	if (fetch(x, A(2), ts, sizeof ts, IN)) {
		put_c(x->l, '[');
		for (int i = 0; i < 2; i++) {
			if (i)
				put(x->l, ", ");
			if (ts[i].tv_nsec == UTIME_NOW)
				put(x->l, "UTIME_NOW");
			else if (ts[i].tv_nsec == UTIME_OMIT)
				put(x->l, "UTIME_OMIT");
			else
				put_timespec(x->l, ts[i].tv_sec, ts[i].tv_nsec);
		}
		put_c(x->l, ']');
	}
	sep(x);
	put_flags(x->l, (unsigned)A(3), at_flags, "AT_???");
}

/* ---- memory ---------------------------------------------------------------- */

/* The mapping type (low four bits) by name, the other flags, then the huge
 * page size field (bits 26-31) as strace shows it: "|21<<MAP_HUGE_SHIFT". */
static void put_mmap_flags(struct line *l, unsigned long v)
{
	static const char *const type[] = {
		NULL, "MAP_SHARED", "MAP_PRIVATE", "MAP_SHARED_VALIDATE"
	};
	unsigned long t = v & 0xf, huge = (v >> 26) & 0x3f;

	v &= ~(0x3fUL << 26);
	if (t < 4 && type[t]) {
		put(l, type[t]);
		if (v & ~0xfUL) {
			put_c(l, '|');
			put_flags(l, v & ~0xfUL, mmap_flags, NULL);
		}
	} else {
		put_flags(l, v, mmap_flags, NULL);
	}
	if (huge) {
		put_c(l, '|');
		put_udec(l, huge);
		put(l, "<<MAP_HUGE_SHIFT");
	}
}

static void d_madvise(struct ctx *x)
{
	put_ptr(x->l, A(0));
	sep(x);
	put_udec(x->l, A(1));
	sep(x);
	put_xval(x->l, (unsigned)A(2), madvise_advice, "MADV_???");
}

static void d_msync(struct ctx *x)
{
	put_ptr(x->l, A(0));
	sep(x);
	put_udec(x->l, A(1));
	sep(x);
	put_flags(x->l, (unsigned)A(2), msync_flags, "MS_???");
}

/* mremap(old, old_size, new_size, flags[, new_address]) */
static void d_mremap(struct ctx *x)
{
	put_ptr(x->l, A(0));
	sep(x);
	put_udec(x->l, A(1));
	sep(x);
	put_udec(x->l, A(2));
	sep(x);
	put_flags(x->l, A(3), mremap_flags, "MREMAP_???");
	if (A(3) & 2) {		/* MREMAP_FIXED */
		sep(x);
		put_ptr(x->l, A(4));
	}
	x->rv->rfmt = R_HEX;
}

static void d_mlock2(struct ctx *x)
{
	put_ptr(x->l, A(0));
	sep(x);
	put_udec(x->l, A(1));
	sep(x);
	put_flags(x->l, (unsigned)A(2), mlock_flags, "MLOCK_???");
}

static void d_mlockall(struct ctx *x)
{
	put_flags(x->l, (unsigned)A(0), mlockall_flags, "MCL_???");
}

static void elem_core(struct line *l, const void *e)
{
	put_udec(l, *(const unsigned char *)e & 1);
}

static void d_mincore(struct ctx *x)
{
	put_ptr(x->l, A(0));
	sep(x);
	put_udec(x->l, A(1));
	sep(x);
	put_array(x, A(2), (A(1) + 4095) / 4096, 1, OUT, elem_core);
}

static void d_membarrier(struct ctx *x)
{
	put_xval(x->l, (unsigned)A(0), membarrier_cmds, "MEMBARRIER_CMD_???");
	sep(x);
	put_hex(x->l, (unsigned)A(1));
	if (!x->failed && A(0) == 0 && x->res) {
		struct line aux = { 0 };
		x->rv->rfmt = R_HEX;
		put_flags(&aux, x->res, membarrier_cmds + 1, NULL);
		aux.buf[aux.len] = 0;
		set_aux(x, aux.buf);
	}
}

static const struct xlat mpol_modes[] = {
	{ 0, "MPOL_DEFAULT" }, { 1, "MPOL_PREFERRED" }, { 2, "MPOL_BIND" },
	{ 3, "MPOL_INTERLEAVE" }, { 4, "MPOL_LOCAL" },
	{ 5, "MPOL_PREFERRED_MANY" }, XEND
};
static const struct xlat mpol_get_flags[] = {
	{ 1, "MPOL_F_NODE" }, { 2, "MPOL_F_ADDR" }, { 4, "MPOL_F_MEMS_ALLOWED" },
	XEND
};

static void elem_node(struct line *l, const void *e)
{
	put_0x(l, *(const unsigned long *)e, 16);
}

/* A node mask of maxnode bits, by longs: "[0000000000000001, ...]" */
static void put_nodemask(struct ctx *x, unsigned long addr,
			 unsigned long maxnode, enum dir d)
{
	unsigned long n = (maxnode + 62) / 64;
	if (n < maxnode / 64 || (maxnode && !n))
		put_ptr(x->l, addr);
	else
		put_array(x, addr, n, 8, d, elem_node);
}

/* get_mempolicy(mode, nodemask, maxnode, addr, flags) */
static void d_get_mempolicy(struct ctx *x)
{
	int mode;
	if (fetch(x, A(0), &mode, sizeof mode, OUT)) {
		put_c(x->l, '[');
		put_xval(x->l, (unsigned)mode, mpol_modes, "MPOL_???");
		put_c(x->l, ']');
	}
	sep(x);
	put_nodemask(x, A(1), A(2), OUT);
	sep(x);
	put_udec(x->l, A(2));
	sep(x);
	put_ptr(x->l, A(3));
	sep(x);
	put_flags(x->l, A(4), mpol_get_flags, "MPOL_???");
}

/* set_mempolicy(mode, nodemask, maxnode) */
static void d_set_mempolicy(struct ctx *x)
{
	put_xval(x->l, (unsigned)A(0) & 0xffff, mpol_modes, "MPOL_???");
	sep(x);
	put_nodemask(x, A(1), A(2), IN);
	sep(x);
	put_udec(x->l, A(2));
}

/* ---- processes ----------------------------------------------------------------- */

static void put_rlim(struct line *l, unsigned long long v)
{
	if (v == ~0ULL) {
		put(l, "RLIM64_INFINITY");
	} else if (v > 1024 && v % 1024 == 0) {
		put_udec(l, v / 1024);
		put(l, "*1024");
	} else {
		put_udec(l, v);
	}
}

static void put_rlimit_at(struct ctx *x, unsigned long addr, enum dir d)
{
	unsigned long long r[2];
	if (fetch(x, addr, r, sizeof r, d)) {
		put(x->l, "{rlim_cur=");
		put_rlim(x->l, r[0]);
		put(x->l, ", rlim_max=");
		put_rlim(x->l, r[1]);
		put_c(x->l, '}');
	}
}

/* prlimit64(pid, resource, new, old) */
static void d_prlimit64(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_xval(x->l, (unsigned)A(1), resources, "RLIMIT_???");
	sep(x);
	put_rlimit_at(x, A(2), IN);
	sep(x);
	put_rlimit_at(x, A(3), OUT);
}

/* getrlimit(resource, rlim), setrlimit(resource, rlim) */
static void d_rlimit(struct ctx *x)
{
	put_xval(x->l, (unsigned)A(0), resources, "RLIMIT_???");
	sep(x);
	put_rlimit_at(x, A(1), x->c->nr == SYS_setrlimit ? IN : OUT);
}

static void put_rusage_at(struct ctx *x, unsigned long addr)
{
	struct rusage ru;
	if (fetch(x, addr, &ru, sizeof ru, OUT)) {
		put(x->l, "{ru_utime=");
		put_timeval(x->l, &ru.ru_utime);
		put(x->l, ", ru_stime=");
		put_timeval(x->l, &ru.ru_stime);
		put(x->l, ", ...}");
	}
}

static void d_getrusage(struct ctx *x)
{
	put_xval_d(x->l, (int)A(0), rusage_who, "RUSAGE_???");
	sep(x);
	put_rusage_at(x, A(1));
}

static void d_sysinfo(struct ctx *x)
{
	struct sysinfo s;
	struct line *l = x->l;

	if (!fetch(x, A(0), &s, sizeof s, OUT))
		return;
	put(l, "{uptime=");
	put_dec(l, s.uptime);
	put(l, ", loads=[");
	put_udec(l, s.loads[0]);
	put(l, ", ");
	put_udec(l, s.loads[1]);
	put(l, ", ");
	put_udec(l, s.loads[2]);
	put(l, "], totalram=");
	put_udec(l, s.totalram);
	put(l, ", freeram=");
	put_udec(l, s.freeram);
	put(l, ", sharedram=");
	put_udec(l, s.sharedram);
	put(l, ", bufferram=");
	put_udec(l, s.bufferram);
	put(l, ", totalswap=");
	put_udec(l, s.totalswap);
	put(l, ", freeswap=");
	put_udec(l, s.freeswap);
	put(l, ", procs=");
	put_udec(l, s.procs);
	put(l, ", totalhigh=");
	put_udec(l, s.totalhigh);
	put(l, ", freehigh=");
	put_udec(l, s.freehigh);
	put(l, ", mem_unit=");
	put_udec(l, s.mem_unit);
	put_c(l, '}');
}

static void d_uname(struct ctx *x)
{
	struct utsname u;
	if (!fetch(x, A(0), &u, sizeof u, OUT))
		return;
	put(x->l, "{sysname=");
	put_fixed_str(x->l, u.sysname, sizeof u.sysname);
	put(x->l, ", nodename=");
	put_fixed_str(x->l, u.nodename, sizeof u.nodename);
	put(x->l, ", ...}");
}

/* A clock_t count of ticks, with its seconds when not zero: "2 / * 0.02 s * /" */
static void put_clock_t(struct line *l, unsigned long long v)
{
	static long hz;
	char b[48];

	put_udec(l, v);
	if (!hz)
		hz = sysconf(_SC_CLK_TCK);
	if (v && hz == 100) {
		snprintf(b, sizeof b, "%llu.%02llu s", v / 100, v % 100);
		put_comment(l, b);
	}
}

static void d_times(struct ctx *x)
{
	struct tms t;
	struct line *l = x->l;

	if (fetch(x, A(0), &t, sizeof t, OUT)) {
		put(l, "{tms_utime=");
		put_clock_t(l, t.tms_utime);
		put(l, ", tms_stime=");
		put_clock_t(l, t.tms_stime);
		put(l, ", tms_cutime=");
		put_clock_t(l, t.tms_cutime);
		put(l, ", tms_cstime=");
		put_clock_t(l, t.tms_cstime);
		put_c(l, '}');
	}
	x->rv->rfmt = R_UDEC;
}

/* A wait status: "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]" */
static void put_wait_status(struct line *l, int s)
{
	put(l, "[{");
	if ((s & 0xff) == 0x7f) {
		put(l, "WIFSTOPPED(s) && WSTOPSIG(s) == ");
		put_signame(l, (s >> 8) & 0x7f);
		if (s & 0x8000)
			put(l, " | 0x80");
		s &= ~0xff7f;
		s &= ~0x80;
	} else if ((s & 0x7f) && (s & 0xff) != 0x7f && s != 0xffff) {
		put(l, "WIFSIGNALED(s) && WTERMSIG(s) == ");
		put_signame(l, s & 0x7f);
		if (s & 0x80)
			put(l, " && WCOREDUMP(s)");
		s &= ~0xff;
	} else if (!(s & 0x7f)) {
		put(l, "WIFEXITED(s) && WEXITSTATUS(s) == ");
		put_dec(l, (s >> 8) & 0xff);
		s &= ~0xff00;
	} else if (s == 0xffff) {
		put(l, "WIFCONTINUED(s)");
		s = 0;
	} else {
		l->len--;
		put_hex(l, (unsigned)s);
		put_c(l, ']');
		return;
	}
	put_c(l, '}');
	if (s) {
		put(l, " | ");
		put_hex(l, (unsigned)s);
	}
	put_c(l, ']');
}

/* wait4(pid, status, options, rusage) */
static void d_wait4(struct ctx *x)
{
	int s;

	put_dec(x->l, (int)A(0));
	sep(x);
	if (x->res == 0)
		put_ptr(x->l, A(1));
	else if (fetch(x, A(1), &s, sizeof s, OUT))
		put_wait_status(x->l, s);
	sep(x);
	put_flags(x->l, (unsigned)A(2), wait_options, "W???");
	sep(x);
	if (x->res > 0)
		put_rusage_at(x, A(3));
	else
		put_ptr(x->l, A(3));
}

/* waitid(idtype, id, info, options, rusage) */
static void d_waitid(struct ctx *x)
{
	siginfo_t si;

	put_xval(x->l, (unsigned)A(0), waitid_types, "P_???");
	sep(x);
	put_dec(x->l, (int)A(1));
	sep(x);
	if (fetch(x, A(2), &si, sizeof si, OUT))
		put_siginfo(x->l, &si);
	sep(x);
	put_flags(x->l, (unsigned)A(3), wait_options, "W???");
	sep(x);
	put_rusage_at(x, A(4));
}

/* clone(flags, stack, parent_tid, child_tid, tls), in strace's order. */
static void d_clone(struct ctx *x)
{
	unsigned long flags = A(0) & ~0xffUL, sig = A(0) & 0xff;
	struct line *l = x->l;

	put(l, "child_stack=");
	put_ptr(l, A(1));
	put(l, ", flags=");
	if (flags) {
		put_flags(l, flags, clone_flags, "CLONE_???");
		if (sig) {
			put_c(l, '|');
			put_signame(l, sig);
		}
	} else {
		put_signame(l, sig);
	}
	if (flags & (CLONE_PARENT_SETTID | CLONE_PIDFD)) {
		put(l, ", parent_tid=");
		put_int_at(x, A(2), OUT);
	}
	if (flags & CLONE_SETTLS) {
		put(l, ", tls=");
		put_ptr(l, A(4));
	}
	if (flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) {
		put(l, ", child_tidptr=");
		put_ptr(l, A(3));
	}
}

/* clone3(args, size): the struct as given, then what the call wrote. */
static void d_clone3(struct ctx *x)
{
	struct clone_args ca = { 0 };
	size_t size = A(1), n = size < sizeof ca ? size : sizeof ca;
	struct line *l = x->l;
	int tid;

	if (n < 64 || peek(&ca, A(0), n, 0) != n) {	/* up to tls */
		put_ptr(l, A(0));
		goto size;
	}
	put(l, "{flags=");
	put_flags(l, ca.flags, clone_flags, "CLONE_???");
	if (ca.flags & CLONE_PIDFD) {
		put(l, ", pidfd=");
		put_ptr(l, ca.pidfd);
	}
	if (ca.flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) {
		put(l, ", child_tid=");
		put_ptr(l, ca.child_tid);
	}
	if (ca.flags & CLONE_PARENT_SETTID) {
		put(l, ", parent_tid=");
		put_ptr(l, ca.parent_tid);
	}
	put(l, ", exit_signal=");
	if (ca.exit_signal < 0x7fffffff)
		put_signame(l, ca.exit_signal);
	else
		put_udec(l, ca.exit_signal);
	put(l, ", stack=");
	put_ptr(l, ca.stack);
	put(l, ", stack_size=");
	put_hex(l, ca.stack_size);
	if (ca.flags & CLONE_SETTLS) {
		put(l, ", tls=");
		put_ptr(l, ca.tls);
	}
	if (n > 80 && (ca.cgroup || ca.flags & 0x200000000ULL)) {
		put(l, ", cgroup=");
		put_udec(l, ca.cgroup);
	}
	put_c(l, '}');
	if (!x->failed && ca.flags & CLONE_PARENT_SETTID
	    && peek(&tid, ca.parent_tid, sizeof tid, 1) == sizeof tid) {
		put(l, " => {parent_tid=[");
		put_dec(l, tid);
		put(l, "]}");
	}
size:
	sep(x);
	put_udec(l, size);
}

/* get_robust_list(pid, head_ptr, len_ptr) */
static void d_get_robust_list(struct ctx *x)
{
	unsigned long len;
	put_dec(x->l, (int)A(0));
	sep(x);
	put_ulong_ptr_at(x, A(1), OUT);
	sep(x);
	if (fetch(x, A(2), &len, sizeof len, OUT)) {
		put_c(x->l, '[');
		put_udec(x->l, len);
		put_c(x->l, ']');
	}
}

/* getgroups(size, list), setgroups(size, list): as many groups as the
 * call returned or was given */
static void d_groups(struct ctx *x)
{
	int set = x->c->nr == SYS_setgroups;
	unsigned long n = set ? (unsigned)A(0) : (unsigned long)x->res;

	put_dec(x->l, (int)A(0));
	sep(x);
	if (n > 65536)		/* NGROUPS_MAX; a failure's -1 too */
		put_ptr(x->l, A(1));
	else
		put_array(x, A(1), n, 4, set ? IN : OUT, elem_uint);
}

/* getresuid/getresgid (ruid, euid, suid) */
static void d_getres(struct ctx *x)
{
	for (int i = 0; i < 3; i++) {
		if (i)
			sep(x);
		put_uint_at(x, A(i), OUT);
	}
}

/* sched_getaffinity(pid, size, mask): the CPUs, "[0 1]" */
static void d_sched_getaffinity(struct ctx *x)
{
	unsigned long m[16];
	size_t n = x->c->nr == SYS_sched_getaffinity ? x->res : A(1);
	enum dir d = x->c->nr == SYS_sched_getaffinity ? OUT : IN;
	int first = 1;

	put_dec(x->l, (int)A(0));
	sep(x);
	put_udec(x->l, A(1));
	sep(x);
	if (n > sizeof m)
		n = sizeof m;
	if (!fetch(x, A(2), m, n, d))
		return;
	put_c(x->l, '[');
	for (size_t i = 0; i < n * 8; i++) {
		if (m[i / 64] >> (i % 64) & 1) {
			if (!first)
				put_c(x->l, ' ');
			put_udec(x->l, i);
			first = 0;
		}
	}
	put_c(x->l, ']');
}

static void d_getcpu(struct ctx *x)
{
	put_uint_at(x, A(0), OUT);
	sep(x);
	put_uint_at(x, A(1), OUT);
	sep(x);
	put_ptr(x->l, A(2));
}

static void d_sched_getscheduler(struct ctx *x)
{
	const char *s;
	put_dec(x->l, (int)A(0));
	if (!x->failed && (s = xlookup(schedulers, x->res)))
		set_aux(x, s);
}

/* getrandom(buf, len, flags): the bytes in hex */
static void d_getrandom(struct ctx *x)
{
	if (x->failed)
		put_ptr(x->l, A(0));
	else
		put_buf_ex(x->l, A(0), x->res, STR_MAX, 1, 1);
	sep(x);
	put_udec(x->l, A(1));
	sep(x);
	put_flags(x->l, (unsigned)A(2), grnd_flags, "GRND_???");
}

static void d_personality(struct ctx *x)
{
	const char *s;
	put_hex(x->l, (unsigned)A(0));
	x->rv->rfmt = R_HEX;
	if (!x->failed && (s = xlookup(personalities, x->res)))
		set_aux(x, s);
}

static void d_priority(struct ctx *x)
{
	put_xval(x->l, (unsigned)A(0), prio_which, "PRIO_???");
	sep(x);
	put_dec(x->l, (int)A(1));
	if (x->c->nr == SYS_setpriority) {
		sep(x);
		put_dec(x->l, (int)A(2));
	}
}

static void d_ioprio_get(struct ctx *x)
{
	char b[80];
	put_xval(x->l, (unsigned)A(0), ioprio_who, "IOPRIO_WHO_???");
	sep(x);
	put_dec(x->l, (int)A(1));
	if (!x->failed) {
		const char *c = xlookup(ioprio_class, x->res >> 13);
		if (c) {
			snprintf(b, sizeof b, "IOPRIO_PRIO_VALUE(%s, %ld)", c,
				 x->res & 0x1fff);
			set_aux(x, b);
		}
	}
}

/* ---- time ------------------------------------------------------------------------ */

/* A sleep's remaining time: meaningful only when a signal cut it short
 * (and the sleep was relative). */
static void put_remaining(struct ctx *x, unsigned long addr, int relative)
{
	struct timespec ts;
	if (relative && x->res == -EINTR && addr
	    && peek(&ts, addr, sizeof ts, 0) == sizeof ts)
		put_timespec(x->l, ts.tv_sec, ts.tv_nsec);
	else
		put_ptr(x->l, addr);
}

static void d_clock(struct ctx *x)
{
	long nr = x->c->nr;

	put_xval(x->l, (unsigned)A(0), clock_names, "CLOCK_???");
	sep(x);
	if (nr == SYS_clock_nanosleep) {
		put_flags(x->l, (unsigned)A(1), timer_flags, "TIMER_???");
		sep(x);
		put_timespec_at(x, A(2), IN);
		sep(x);
		put_remaining(x, A(3), A(1) == 0);
		return;
	}
	put_timespec_at(x, A(1), nr == SYS_clock_settime ? IN : OUT);
}

/* nanosleep(req, rem): rem is written only when interrupted */
static void d_nanosleep(struct ctx *x)
{
	put_timespec_at(x, A(0), IN);
	sep(x);
	put_remaining(x, A(1), 1);
}

static void d_gettimeofday(struct ctx *x)
{
	put_timeval_at(x, A(0), OUT);
	sep(x);
	put_ptr(x->l, A(1));
}

/* time(t): the result with its date, in local time */
static void d_time(struct ctx *x)
{
	char b[64];
	time_t t = x->res;
	struct tm tm;

	if (A(0) && !x->failed) {
		long v;
		if (peek(&v, A(0), sizeof v, 1) == sizeof v) {
			put_c(x->l, '[');
			put_dec(x->l, v);
			put_c(x->l, ']');
		}
	} else {
		put_ptr(x->l, A(0));
	}
	if (!x->failed && t && localtime_r(&t, &tm)
	    && strftime(b, sizeof b, "%FT%T%z", &tm))
		set_aux(x, b);
}

static void put_itimerspec_at(struct ctx *x, unsigned long addr, enum dir d)
{
	struct itimerspec it;
	if (fetch(x, addr, &it, sizeof it, d)) {
		put(x->l, "{it_interval=");
		put_timespec(x->l, it.it_interval.tv_sec, it.it_interval.tv_nsec);
		put(x->l, ", it_value=");
		put_timespec(x->l, it.it_value.tv_sec, it.it_value.tv_nsec);
		put_c(x->l, '}');
	}
}

/* timer_create(clock, sigevent, timerid) */
static void d_timer_create(struct ctx *x)
{
	static const struct xlat notify[] = {
		{ 0, "SIGEV_SIGNAL" }, { 1, "SIGEV_NONE" }, { 2, "SIGEV_THREAD" },
		{ 4, "SIGEV_THREAD_ID" }, XEND
	};
	struct sigevent ev;
	struct line *l = x->l;

	put_xval(l, (unsigned)A(0), clock_names, "CLOCK_???");
	sep(x);
	if (fetch(x, A(1), &ev, sizeof ev, IN)) {
		put_c(l, '{');
		if (ev.sigev_value.sival_ptr) {
			put(l, "sigev_value={sival_int=");
			put_dec(l, ev.sigev_value.sival_int);
			put(l, ", sival_ptr=");
			put_ptr(l, (unsigned long)ev.sigev_value.sival_ptr);
			put(l, "}, ");
		}
		put(l, "sigev_signo=");
		if (ev.sigev_notify == SIGEV_SIGNAL || ev.sigev_notify == SIGEV_THREAD
		    || ev.sigev_notify == SIGEV_THREAD_ID)
			put_signame(l, ev.sigev_signo);
		else
			put_udec(l, (unsigned)ev.sigev_signo);
		put(l, ", sigev_notify=");
		put_xval(l, (unsigned)ev.sigev_notify, notify, "SIGEV_???");
		if (ev.sigev_notify == SIGEV_THREAD_ID) {
			put(l, ", sigev_notify_thread_id=");
			put_dec(l, ev._sigev_un._tid);
		}
		put_c(l, '}');
	}
	sep(x);
	put_int_at(x, A(2), OUT);
}

/* timer_settime(id, flags, new, old), timer_gettime(id, cur) */
static void d_timer_settime(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	if (x->c->nr == SYS_timer_gettime) {
		put_itimerspec_at(x, A(1), OUT);
		return;
	}
	put_flags(x->l, (unsigned)A(1), timer_flags, "TIMER_???");
	sep(x);
	put_itimerspec_at(x, A(2), IN);
	sep(x);
	put_itimerspec_at(x, A(3), OUT);
}

static void d_timerfd_create(struct ctx *x)
{
	put_xval(x->l, (unsigned)A(0), clock_names, "CLOCK_???");
	sep(x);
	put_flags(x->l, (unsigned)A(1), tfd_flags, "TFD_???");
}

/* timerfd_settime(fd, flags, new, old): new as it was (old may be new) */
static void d_timerfd_settime(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_flags(x->l, (unsigned)A(1), tfd_set_flags, "TFD_???");
	sep(x);
	if (x->in) {
		struct itimerspec it;
		memcpy(&it, x->in, sizeof it);
		put(x->l, "{it_interval=");
		put_timespec(x->l, it.it_interval.tv_sec, it.it_interval.tv_nsec);
		put(x->l, ", it_value=");
		put_timespec(x->l, it.it_value.tv_sec, it.it_value.tv_nsec);
		put_c(x->l, '}');
	} else {
		put_itimerspec_at(x, A(2), IN);
	}
	sep(x);
	put_itimerspec_at(x, A(3), OUT);
}

static void d_timerfd_gettime(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_itimerspec_at(x, A(1), OUT);
}

static void d_eventfd2(struct ctx *x)
{
	put_udec(x->l, (unsigned)A(0));
	sep(x);
	put_flags(x->l, (unsigned)A(1), efd_flags, "EFD_???");
}

static const struct xlat adj_modes[] = {
	{ 0xa001, "ADJ_OFFSET_SS_READ" }, { 0x8001, "ADJ_OFFSET_SINGLESHOT" },
	{ 0x0001, "ADJ_OFFSET" },	{ 0x0002, "ADJ_FREQUENCY" },
	{ 0x0004, "ADJ_MAXERROR" },	{ 0x0008, "ADJ_ESTERROR" },
	{ 0x0010, "ADJ_STATUS" },	{ 0x0020, "ADJ_TIMECONST" },
	{ 0x0080, "ADJ_TAI" },		{ 0x0100, "ADJ_SETOFFSET" },
	{ 0x1000, "ADJ_MICRO" },	{ 0x2000, "ADJ_NANO" },
	{ 0x4000, "ADJ_TICK" },		XEND
};
static const struct xlat sta_flags[] = {
	{ 0x0001, "STA_PLL" },	    { 0x0002, "STA_PPSFREQ" },
	{ 0x0004, "STA_PPSTIME" },  { 0x0008, "STA_FLL" },
	{ 0x0010, "STA_INS" },	    { 0x0020, "STA_DEL" },
	{ 0x0040, "STA_UNSYNC" },   { 0x0080, "STA_FREQHOLD" },
	{ 0x0100, "STA_PPSSIGNAL" }, { 0x0200, "STA_PPSJITTER" },
	{ 0x0400, "STA_PPSWANDER" }, { 0x0800, "STA_PPSERROR" },
	{ 0x1000, "STA_CLOCKERR" }, { 0x2000, "STA_NANO" },
	{ 0x4000, "STA_MODE" },	    { 0x8000, "STA_CLK" }, XEND
};
static const struct xlat time_states[] = {
	{ 0, "TIME_OK" }, { 1, "TIME_INS" }, { 2, "TIME_DEL" },
	{ 3, "TIME_OOP" }, { 4, "TIME_WAIT" }, { 5, "TIME_ERROR" }, XEND
};

static void put_long_field(struct line *l, const char *name, long v)
{
	put(l, name);
	put_dec(l, v);
}

/* adjtimex(buf), clock_adjtime(clock, buf): the struct as the call left
 * it, and the clock state the call returns */
static void d_adjtimex(struct ctx *x)
{
	struct timex t;
	struct line *l = x->l;
	int i = 0;

	if (x->c->nr == SYS_clock_adjtime) {
		put_xval(l, (unsigned)A(i++), clock_names, "CLOCK_???");
		sep(x);
	}
	if (!x->failed && xlookup(time_states, x->res))
		set_aux(x, xlookup(time_states, x->res));
	if (!fetch(x, A(i), &t, sizeof t, OUT))
		return;
	put(l, "{modes=");
	put_flags(l, t.modes, adj_modes, "ADJ_???");
	put_long_field(l, ", offset=", t.offset);
	put_long_field(l, ", freq=", t.freq);
	put_long_field(l, ", maxerror=", t.maxerror);
	put_long_field(l, ", esterror=", t.esterror);
	put(l, ", status=");
	put_flags(l, t.status, sta_flags, "STA_???");
	put_long_field(l, ", constant=", t.constant);
	put_long_field(l, ", precision=", t.precision);
	put_long_field(l, ", tolerance=", t.tolerance);
	put(l, ", time=");
	put_timeval(l, &t.time);
	put_long_field(l, ", tick=", t.tick);
	put_long_field(l, ", ppsfreq=", t.ppsfreq);
	put_long_field(l, ", jitter=", t.jitter);
	put_long_field(l, ", shift=", t.shift);
	put_long_field(l, ", stabil=", t.stabil);
	put_long_field(l, ", jitcnt=", t.jitcnt);
	put_long_field(l, ", calcnt=", t.calcnt);
	put_long_field(l, ", errcnt=", t.errcnt);
	put_long_field(l, ", stbcnt=", t.stbcnt);
	put_long_field(l, ", tai=", t.tai);
	put_c(l, '}');
}

/* ---- System V IPC ---------------------------------------------------------------- */

static const struct xlat ipc_resource_flags[] = {
	{ 01000, "IPC_CREAT" }, { 02000, "IPC_EXCL" }, { 04000, "IPC_NOWAIT" },
	XEND
};
static const struct xlat shm_resource_flags[] = {
	{ 01000, "IPC_CREAT" }, { 02000, "IPC_EXCL" }, { 04000, "SHM_HUGETLB" },
	{ 010000, "SHM_NORESERVE" }, XEND
};
static const struct xlat shm_flags[] = {
	{ 010000, "SHM_RDONLY" }, { 020000, "SHM_RND" }, { 040000, "SHM_REMAP" },
	{ 0100000, "SHM_EXEC" }, XEND
};
static const struct xlat shm_cmds[] = {
	{ 0, "IPC_RMID" }, { 1, "IPC_SET" }, { 2, "IPC_STAT" }, { 3, "IPC_INFO" },
	{ 11, "SHM_LOCK" }, { 12, "SHM_UNLOCK" }, { 13, "SHM_STAT" },
	{ 14, "SHM_INFO" }, { 15, "SHM_STAT_ANY" }, XEND
};
static const struct xlat sem_cmds[] = {
	{ 0, "IPC_RMID" }, { 1, "IPC_SET" }, { 2, "IPC_STAT" }, { 3, "IPC_INFO" },
	{ 11, "GETPID" }, { 12, "GETVAL" }, { 13, "GETALL" }, { 14, "GETNCNT" },
	{ 15, "GETZCNT" }, { 16, "SETVAL" }, { 17, "SETALL" }, { 18, "SEM_STAT" },
	{ 19, "SEM_INFO" }, { 20, "SEM_STAT_ANY" }, XEND
};
static const struct xlat msg_cmds[] = {
	{ 0, "IPC_RMID" }, { 1, "IPC_SET" }, { 2, "IPC_STAT" }, { 3, "IPC_INFO" },
	{ 11, "MSG_STAT" }, { 12, "MSG_INFO" }, { 13, "MSG_STAT_ANY" }, XEND
};

static void put_ipc_key(struct line *l, unsigned key)
{
	if (key)
		put_hex(l, key);
	else
		put(l, "IPC_PRIVATE");
}

/* Resource flags, then the permissions: "IPC_CREAT|0600". */
static void put_ipc_flags(struct line *l, unsigned v, const struct xlat *t)
{
	if (v & ~0777u) {
		put_flags(l, v & ~0777u, t, NULL);
		put_c(l, '|');
	}
	put_oct(l, v & 0777);
}

/* shmget(key, size, flags), semget(key, n, flags), msgget(key, flags) */
static void d_ipcget(struct ctx *x)
{
	long nr = x->c->nr;
	put_ipc_key(x->l, A(0));
	sep(x);
	if (nr != SYS_msgget) {
		put_udec(x->l, nr == SYS_shmget ? A(1) : (unsigned)A(1));
		sep(x);
	}
	put_ipc_flags(x->l, A(nr == SYS_msgget ? 1 : 2),
		      nr == SYS_shmget ? shm_resource_flags : ipc_resource_flags);
}

static void d_shmat(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_ptr(x->l, A(1));
	sep(x);
	put_flags(x->l, (unsigned)A(2), shm_flags, "SHM_???");
	x->rv->rfmt = R_HEX;
}

/* shmctl, msgctl (id, cmd, buf); semctl (id, num, cmd, arg) */
static void d_ipcctl(struct ctx *x)
{
	long nr = x->c->nr;
	int c = nr == SYS_semctl ? 2 : 1;

	put_dec(x->l, (int)A(0));
	sep(x);
	if (nr == SYS_semctl) {
		put_dec(x->l, (int)A(1));
		sep(x);
	}
	put_xval(x->l, (unsigned)A(c),
		 nr == SYS_shmctl ? shm_cmds : nr == SYS_semctl ? sem_cmds
								: msg_cmds,
		 nr == SYS_shmctl ? "SHM_???" : nr == SYS_semctl ? "SEM_???"
								 : "MSG_???");
	sep(x);
	put_ptr(x->l, A(c + 1));
}

/* ---- capabilities, timers, scheduling, namespaces, mounts ----------------------- */

static const struct xlat cap_versions[] = {
	{ 0x19980330, "_LINUX_CAPABILITY_VERSION_1" },
	{ 0x20071026, "_LINUX_CAPABILITY_VERSION_2" },
	{ 0x20080522, "_LINUX_CAPABILITY_VERSION_3" }, XEND
};
static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};
#define NCAPS (sizeof cap_names / sizeof *cap_names)

/* 32 capability bits from bit base: "1<<CAP_CHOWN|1<<CAP_KILL|0x..." */
static void put_cap_half(struct line *l, unsigned v, unsigned base)
{
	int n = 0;
	for (unsigned i = 0; i < 32 && base + i < NCAPS; i++) {
		if (!(v >> i & 1))
			continue;
		if (n++)
			put_c(l, '|');
		put(l, "1<<");
		put(l, cap_names[base + i]);
		v &= ~(1u << i);
	}
	if (v) {
		if (n)
			put_c(l, '|');
		put_hex(l, v);
		if (!n)
			put_comment(l, "CAP_???");
	} else if (!n) {
		put_c(l, '0');
	}
}

static void put_caps(struct line *l, unsigned lo, unsigned hi)
{
	if (lo || !hi)
		put_cap_half(l, lo, 0);
	if (hi) {
		if (lo)
			put_c(l, '|');
		put_cap_half(l, hi, 32);
	}
}

/* capget(header, data), capset(header, data) */
static void d_capget(struct ctx *x)
{
	struct { unsigned version; int pid; } h;
	unsigned d[6];
	int set = x->c->nr == SYS_capset, have;
	size_t n;
	struct line *l = x->l;

	if (x->in && !set) {
		memcpy(&h, x->in, sizeof h);	/* as it was: the call may write it */
		have = 1;
		put(l, "{version=");
		put_xval(l, h.version, cap_versions, "_LINUX_CAPABILITY_VERSION_???");
		put(l, ", pid=");
		put_dec(l, h.pid);
		put_c(l, '}');
	} else if ((have = fetch(x, A(0), &h, sizeof h, IN))) {
		put(l, "{version=");
		put_xval(l, h.version, cap_versions, "_LINUX_CAPABILITY_VERSION_???");
		put(l, ", pid=");
		put_dec(l, h.pid);
		put_c(l, '}');
	}
	sep(x);
	if (!have || (!set && x->failed) || !A(1)) {
		put_ptr(l, A(1));
		return;
	}
	n = h.version == 0x20071026 || h.version == 0x20080522 ? 2 : 1;
	if (!fetch(x, A(1), d, n * 12, set ? IN : OUT))
		return;
	if (n == 1)
		d[3] = d[4] = d[5] = 0;
	put(l, "{effective=");
	put_caps(l, d[0], d[3]);
	put(l, ", permitted=");
	put_caps(l, d[1], d[4]);
	put(l, ", inheritable=");
	put_caps(l, d[2], d[5]);
	put_c(l, '}');
}

static const struct xlat itimer_which[] = {
	{ 0, "ITIMER_REAL" }, { 1, "ITIMER_VIRTUAL" }, { 2, "ITIMER_PROF" }, XEND
};

static void put_itimerval_at(struct ctx *x, unsigned long addr, enum dir d)
{
	struct itimerval it;
	if (fetch(x, addr, &it, sizeof it, d)) {
		put(x->l, "{it_interval=");
		put_timeval(x->l, &it.it_interval);
		put(x->l, ", it_value=");
		put_timeval(x->l, &it.it_value);
		put_c(x->l, '}');
	}
}

/* setitimer(which, new, old), getitimer(which, cur) */
static void d_itimer(struct ctx *x)
{
	put_xval(x->l, (unsigned)A(0), itimer_which, "ITIMER_???");
	sep(x);
	if (x->c->nr == SYS_getitimer) {
		put_itimerval_at(x, A(1), OUT);
		return;
	}
	put_itimerval_at(x, A(1), IN);
	sep(x);
	put_itimerval_at(x, A(2), OUT);
}

/* mknod(path, mode, dev), mknodat(dirfd, path, mode, dev): dev only for
 * devices */
static void d_mknod(struct ctx *x)
{
	int i = 0;
	unsigned mode;

	if (x->c->nr == SYS_mknodat) {
		put_fd(x->l, A(i++));
		sep(x);
	}
	put_str(x->l, A(i++), PATH_MAX, !x->failed);
	sep(x);
	mode = A(i++);
	put_mode_t(x->l, mode);
	if (S_ISCHR(mode) || S_ISBLK(mode)) {
		sep(x);
		put(x->l, "makedev(");
		put_hex(x->l, major(A(i)));
		put(x->l, ", ");
		put_hex(x->l, minor(A(i)));
		put_c(x->l, ')');
	}
}

static void put_sched_param_at(struct ctx *x, unsigned long addr, enum dir d)
{
	int prio;
	if (fetch(x, addr, &prio, sizeof prio, d)) {
		put_c(x->l, '[');
		put_dec(x->l, prio);
		put_c(x->l, ']');
	}
}

/* sched_getparam/setparam(pid, param), sched_setscheduler(pid, policy,
 * param), sched_get_priority_max/min(policy), sched_rr_get_interval */
static void d_sched(struct ctx *x)
{
	long nr = x->c->nr;

	if (nr == SYS_sched_get_priority_max || nr == SYS_sched_get_priority_min) {
		put_xval(x->l, (unsigned)A(0), schedulers, "SCHED_???");
		return;
	}
	put_dec(x->l, (int)A(0));
	sep(x);
	if (nr == SYS_sched_rr_get_interval) {
		put_timespec_at(x, A(1), OUT);
		return;
	}
	if (nr == SYS_sched_setscheduler) {
		put_xval(x->l, (unsigned)A(1), schedulers, "SCHED_???");
		sep(x);
		put_sched_param_at(x, A(2), IN);
		return;
	}
	put_sched_param_at(x, A(1), nr == SYS_sched_getparam ? OUT : IN);
}

static const struct xlat ns_types[] = {
	{ 0x80, "CLONE_NEWTIME" }, { 0x20000, "CLONE_NEWNS" },
	{ 0x2000000, "CLONE_NEWCGROUP" }, { 0x4000000, "CLONE_NEWUTS" },
	{ 0x8000000, "CLONE_NEWIPC" }, { 0x10000000, "CLONE_NEWUSER" },
	{ 0x20000000, "CLONE_NEWPID" }, { 0x40000000, "CLONE_NEWNET" }, XEND
};
static const struct xlat unshare_flags[] = {
	{ 0x80, "CLONE_NEWTIME" }, { 0x100, "CLONE_VM" }, { 0x200, "CLONE_FS" },
	{ 0x400, "CLONE_FILES" }, { 0x800, "CLONE_SIGHAND" },
	{ 0x10000, "CLONE_THREAD" }, { 0x20000, "CLONE_NEWNS" },
	{ 0x40000, "CLONE_SYSVSEM" }, { 0x2000000, "CLONE_NEWCGROUP" },
	{ 0x4000000, "CLONE_NEWUTS" }, { 0x8000000, "CLONE_NEWIPC" },
	{ 0x10000000, "CLONE_NEWUSER" }, { 0x20000000, "CLONE_NEWPID" },
	{ 0x40000000, "CLONE_NEWNET" }, XEND
};

static void d_setns(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_flags(x->l, (unsigned)A(1), ns_types, "CLONE_NEW???");
}

static void d_unshare(struct ctx *x)
{
	put_flags(x->l, A(0), unshare_flags, "CLONE_???");
}

/* openat2(dirfd, path, how, size) */
static void d_openat2(struct ctx *x)
{
	static const struct xlat resolve[] = {
		{ 0x01, "RESOLVE_NO_XDEV" }, { 0x02, "RESOLVE_NO_MAGICLINKS" },
		{ 0x04, "RESOLVE_NO_SYMLINKS" }, { 0x08, "RESOLVE_BENEATH" },
		{ 0x10, "RESOLVE_IN_ROOT" }, { 0x20, "RESOLVE_CACHED" }, XEND
	};
	unsigned long long how[3];
	struct line *l = x->l;

	put_fd(l, A(0));
	sep(x);
	put_str(l, A(1), PATH_MAX, !x->failed);
	sep(x);
	if ((unsigned long)A(3) < sizeof how)
		put_ptr(l, A(2));
	else if (fetch(x, A(2), how, sizeof how, IN)) {
		put(l, "{flags=");
		put_open_flags(l, how[0]);
		if ((how[0] & (O_CREAT_K | O_TMPFILE_K)) || how[1]) {
			put(l, ", mode=");
			put_oct(l, how[1]);
		}
		put(l, ", resolve=");
		put_flags(l, how[2], resolve, "RESOLVE_???");
		put_c(l, '}');
	}
	sep(x);
	put_udec(l, A(3));
}

/* utimes(path, times[2]), futimesat(dirfd, path, times[2]) */
static void d_utimes(struct ctx *x)
{
	struct timeval tv[2];
	int i = 0;

	if (x->c->nr == SYS_futimesat) {
		put_fd(x->l, A(i++));
		sep(x);
	}
	put_str(x->l, A(i++), PATH_MAX, !x->failed);
	sep(x);
	if (fetch(x, A(i), tv, sizeof tv, IN)) {
		put_c(x->l, '[');
		put_timeval(x->l, &tv[0]);
		put(x->l, ", ");
		put_timeval(x->l, &tv[1]);
		put_c(x->l, ']');
	}
}

static const struct xlat splice_flags[] = {
	{ 1, "SPLICE_F_MOVE" }, { 2, "SPLICE_F_NONBLOCK" }, { 4, "SPLICE_F_MORE" },
	{ 8, "SPLICE_F_GIFT" }, XEND
};

/* splice(in, off_in, out, off_out, len, flags) */
static void d_splice(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_off_inout(x, A(1), 0);
	sep(x);
	put_dec(x->l, (int)A(2));
	sep(x);
	put_off_inout(x, A(3), 1);
	sep(x);
	put_udec(x->l, A(4));
	sep(x);
	put_flags(x->l, (unsigned)A(5), splice_flags, "SPLICE_F_???");
}

/* tee(in, out, len, flags) */
static void d_tee(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_dec(x->l, (int)A(1));
	sep(x);
	put_udec(x->l, A(2));
	sep(x);
	put_flags(x->l, (unsigned)A(3), splice_flags, "SPLICE_F_???");
}

static void d_sync_file_range(struct ctx *x)
{
	static const struct xlat flags[] = {
		{ 1, "SYNC_FILE_RANGE_WAIT_BEFORE" }, { 2, "SYNC_FILE_RANGE_WRITE" },
		{ 4, "SYNC_FILE_RANGE_WAIT_AFTER" }, XEND
	};
	put_dec(x->l, (int)A(0));
	sep(x);
	put_dec(x->l, (long)A(1));
	sep(x);
	put_dec(x->l, (long)A(2));
	sep(x);
	put_flags(x->l, (unsigned)A(3), flags, "SYNC_FILE_RANGE_???");
}

static const struct xlat mount_flags[] = {
	{ 1u << 0, "MS_RDONLY" },	{ 1u << 1, "MS_NOSUID" },
	{ 1u << 2, "MS_NODEV" },	{ 1u << 3, "MS_NOEXEC" },
	{ 1u << 4, "MS_SYNCHRONOUS" },	{ 1u << 5, "MS_REMOUNT" },
	{ 1u << 6, "MS_MANDLOCK" },	{ 1u << 7, "MS_DIRSYNC" },
	{ 1u << 8, "MS_NOSYMFOLLOW" },	{ 1u << 10, "MS_NOATIME" },
	{ 1u << 11, "MS_NODIRATIME" },	{ 1u << 12, "MS_BIND" },
	{ 1u << 13, "MS_MOVE" },	{ 1u << 14, "MS_REC" },
	{ 1u << 15, "MS_SILENT" },	{ 1u << 16, "MS_POSIXACL" },
	{ 1u << 17, "MS_UNBINDABLE" },	{ 1u << 18, "MS_PRIVATE" },
	{ 1u << 19, "MS_SLAVE" },	{ 1u << 20, "MS_SHARED" },
	{ 1u << 21, "MS_RELATIME" },	{ 1u << 22, "MS_KERNMOUNT" },
	{ 1u << 23, "MS_I_VERSION" },	{ 1u << 24, "MS_STRICTATIME" },
	{ 1u << 25, "MS_LAZYTIME" },	{ 1u << 26, "MS_SUBMOUNT" },
	{ 1u << 27, "MS_NOREMOTELOCK" }, { 1u << 28, "MS_NOSEC" },
	{ 1u << 29, "MS_BORN" },	{ 1u << 30, "MS_ACTIVE" },
	{ 1u << 31, "MS_NOUSER" },	XEND
};

/* mount(source, target, type, flags, data) */
static void d_mount(struct ctx *x)
{
	unsigned long flags = A(3);
	int magic = (flags & 0xffff0000) == 0xc0ed0000, no_type = 0, no_data = 0;
	struct line *l = x->l;

	if (magic)
		flags &= ~0xffff0000UL;
	if (flags & (1u << 5))
		no_type = 1;
	else if (flags & (1u << 12 | 1u << 13 | 1u << 20 | 1u << 18 | 1u << 19
			  | 1u << 17))
		no_type = no_data = 1;
	put_str(l, A(0), PATH_MAX, 0);
	sep(x);
	put_str(l, A(1), PATH_MAX, 0);
	sep(x);
	if (no_type)
		put_ptr(l, A(2));
	else
		put_str(l, A(2), STR_MAX, 0);
	sep(x);
	if (magic) {
		put(l, "MS_MGC_VAL");
		if (flags)
			put_c(l, '|');
	}
	if (flags || !magic)
		put_flags(l, flags, mount_flags, "MS_???");
	sep(x);
	if (no_data)
		put_ptr(l, A(4));
	else
		put_str(l, A(4), STR_MAX, 0);
}

static void d_umount2(struct ctx *x)
{
	static const struct xlat flags[] = {
		{ 1, "MNT_FORCE" }, { 2, "MNT_DETACH" }, { 4, "MNT_EXPIRE" },
		{ 8, "UMOUNT_NOFOLLOW" }, XEND
	};
	put_str(x->l, A(0), PATH_MAX, !x->failed);
	sep(x);
	put_flags(x->l, (unsigned)A(1), flags, "MNT_???");
}

static const struct xlat pkey_access[] = {
	{ 1, "PKEY_DISABLE_ACCESS" }, { 2, "PKEY_DISABLE_WRITE" }, XEND
};

/* pkey_alloc(flags, access_rights) */
static void d_pkey_alloc(struct ctx *x)
{
	put_hex(x->l, A(0));
	sep(x);
	put_flags(x->l, A(1), pkey_access, "PKEY_???");
}

/* syslog(type, buf, len): the type by number and name */
static void d_syslog(struct ctx *x)
{
	static const char *const actions[] = {
		"SYSLOG_ACTION_CLOSE", "SYSLOG_ACTION_OPEN", "SYSLOG_ACTION_READ",
		"SYSLOG_ACTION_READ_ALL", "SYSLOG_ACTION_READ_CLEAR",
		"SYSLOG_ACTION_CLEAR", "SYSLOG_ACTION_CONSOLE_OFF",
		"SYSLOG_ACTION_CONSOLE_ON", "SYSLOG_ACTION_CONSOLE_LEVEL",
		"SYSLOG_ACTION_SIZE_UNREAD", "SYSLOG_ACTION_SIZE_BUFFER",
	};
	int type = A(0);

	put_dec(x->l, type);
	put_comment(x->l, type >= 0 && type < 11 ? actions[type]
						 : "SYSLOG_ACTION_???");
	switch (type) {
	case 0: case 1: case 5: case 6: case 7: case 9: case 10:
		return;			/* no buffer, no length */
	case 2: case 3: case 4:
		sep(x);
		if (x->failed)
			put_ptr(x->l, A(1));
		else
			put_buf(x->l, A(1), x->res, 1);
		break;
	default:
		sep(x);
		put_ptr(x->l, A(1));
	}
	sep(x);
	put_dec(x->l, (int)A(2));
}

/* ---- the table ----------------------------------------------------------------- */

static decoder_fn *const decoders[] = {
	[SYS_newfstatat] = d_newfstatat,   [SYS_stat] = d_stat,
	[SYS_lstat] = d_stat,		   [SYS_fstat] = d_stat,
	[SYS_statx] = d_statx,		   [SYS_statfs] = d_statfs,
	[SYS_fstatfs] = d_statfs,	   [SYS_getdents] = d_getdents,
	[SYS_getdents64] = d_getdents,	   [SYS_pipe] = d_pipe,
	[SYS_pipe2] = d_pipe,		   [SYS_dup3] = d_dup3,
	[SYS_umask] = d_umask,		   [SYS_faccessat2] = d_faccessat2,
	[SYS_renameat2] = d_renameat2,	   [SYS_getxattr] = d_getxattr,
	[SYS_lgetxattr] = d_getxattr,	   [SYS_fgetxattr] = d_getxattr,
	[SYS_setxattr] = d_setxattr,	   [SYS_lsetxattr] = d_setxattr,
	[SYS_fsetxattr] = d_setxattr,	   [SYS_listxattr] = d_listxattr,
	[SYS_llistxattr] = d_listxattr,	   [SYS_flistxattr] = d_listxattr,
	[SYS_memfd_create] = d_memfd_create, [SYS_close_range] = d_close_range,
	[SYS_inotify_init1] = d_inotify_init1,
	[SYS_inotify_add_watch] = d_inotify_add_watch,
	[SYS_fallocate] = d_fallocate,	   [SYS_fadvise64] = d_fadvise64,
	[SYS_flock] = d_flock,		   [SYS_readv] = d_rwv,
	[SYS_writev] = d_rwv,		   [SYS_preadv] = d_rwv,
	[SYS_pwritev] = d_rwv,		   [SYS_preadv2] = d_rwv,
	[SYS_pwritev2] = d_rwv,		   [SYS_sendfile] = d_sendfile,
	[SYS_copy_file_range] = d_copy_file_range,
	[SYS_utimensat] = d_utimensat,	   [SYS_madvise] = d_madvise,
	[SYS_msync] = d_msync,		   [SYS_mremap] = d_mremap,
	[SYS_mlock2] = d_mlock2,	   [SYS_mlockall] = d_mlockall,
	[SYS_mincore] = d_mincore,	   [SYS_membarrier] = d_membarrier,
	[SYS_prlimit64] = d_prlimit64,	   [SYS_getrlimit] = d_rlimit,
	[SYS_setrlimit] = d_rlimit,	   [SYS_getrusage] = d_getrusage,
	[SYS_sysinfo] = d_sysinfo,	   [SYS_uname] = d_uname,
	[SYS_times] = d_times,		   [SYS_wait4] = d_wait4,
	[SYS_waitid] = d_waitid,	   [SYS_clone] = d_clone,
	[SYS_clone3] = d_clone3,	   [SYS_get_robust_list] = d_get_robust_list,
	[SYS_getgroups] = d_groups,	   [SYS_setgroups] = d_groups,
	[SYS_getresuid] = d_getres,	   [SYS_getresgid] = d_getres,
	[SYS_sched_getaffinity] = d_sched_getaffinity,
	[SYS_sched_setaffinity] = d_sched_getaffinity,
	[SYS_getcpu] = d_getcpu,	   [SYS_sched_getscheduler] = d_sched_getscheduler,
	[SYS_getrandom] = d_getrandom,	   [SYS_personality] = d_personality,
	[SYS_getpriority] = d_priority,	   [SYS_setpriority] = d_priority,
	[SYS_ioprio_get] = d_ioprio_get,   [SYS_clock_gettime] = d_clock,
	[SYS_clock_settime] = d_clock,	   [SYS_clock_getres] = d_clock,
	[SYS_clock_nanosleep] = d_clock,   [SYS_nanosleep] = d_nanosleep,
	[SYS_gettimeofday] = d_gettimeofday, [SYS_time] = d_time,
	[SYS_timerfd_create] = d_timerfd_create,
	[SYS_timerfd_settime] = d_timerfd_settime,
	[SYS_timerfd_gettime] = d_timerfd_gettime,
	[SYS_eventfd2] = d_eventfd2,	   [SYS_adjtimex] = d_adjtimex,
	[SYS_clock_adjtime] = d_adjtimex,  [SYS_shmget] = d_ipcget,
	[SYS_semget] = d_ipcget,	   [SYS_msgget] = d_ipcget,
	[SYS_shmat] = d_shmat,		   [SYS_shmctl] = d_ipcctl,
	[SYS_semctl] = d_ipcctl,	   [SYS_msgctl] = d_ipcctl,
	[SYS_capget] = d_capget,	   [SYS_capset] = d_capget,
	[SYS_setitimer] = d_itimer,	   [SYS_getitimer] = d_itimer,
	[SYS_mknod] = d_mknod,		   [SYS_mknodat] = d_mknod,
	[SYS_sched_getparam] = d_sched,	   [SYS_sched_setparam] = d_sched,
	[SYS_sched_setscheduler] = d_sched, [SYS_sched_rr_get_interval] = d_sched,
	[SYS_sched_get_priority_max] = d_sched,
	[SYS_sched_get_priority_min] = d_sched,
	[SYS_setns] = d_setns,		   [SYS_unshare] = d_unshare,
	[SYS_openat2] = d_openat2,	   [SYS_utimes] = d_utimes,
	[SYS_futimesat] = d_utimes,	   [SYS_splice] = d_splice,
	[SYS_tee] = d_tee,		   [SYS_sync_file_range] = d_sync_file_range,
	[SYS_mount] = d_mount,		   [SYS_umount2] = d_umount2,
	[SYS_syslog] = d_syslog,	   [SYS_pkey_alloc] = d_pkey_alloc,
	[SYS_get_mempolicy] = d_get_mempolicy,
	[SYS_set_mempolicy] = d_set_mempolicy,
	[SYS_timer_create] = d_timer_create,
	[SYS_timer_settime] = d_timer_settime,
	[SYS_timer_gettime] = d_timer_settime,
};

static decoder_fn *decoder(long nr)
{
	size_t n = sizeof decoders / sizeof decoders[0];
	if (nr >= 0 && (size_t)nr < n && decoders[nr])
		return decoders[nr];
	return more_decoder(nr);
}

/* ---- calls described by a signature ------------------------------------------------ */

/*
 * One letter per argument:
 *   i int (fds too)    U unsigned int     u unsigned long   l long
 *   x hex              p pointer          d dirfd (AT_FDCWD)
 *   s path             w buffer the call reads, its length is the next argument
 *   r buffer the call fills, its length is the result (address on failure)
 *   g path the call fills (getcwd)
 *   o open flags       m mode, octal (for open: only with O_CREAT/O_TMPFILE)
 *   P mmap prot        M mmap flags       S signal          h lseek whence
 *   a AT_* flags       A access mode      v execve argv     e execve envp
 * A call missing here and from the decoders prints six hex arguments, as
 * strace does for a call it does not know.
 */
static const char *const signatures[] = {
	[SYS_read] = "iru",		[SYS_write] = "iwu",
	[SYS_open] = "som",		[SYS_close] = "i",
	[SYS_lseek] = "ilh",		[SYS_mmap] = "puPMix",
	[SYS_mprotect] = "puP",		[SYS_munmap] = "pu",
	[SYS_brk] = "p",		[SYS_pread64] = "irul",
	[SYS_pwrite64] = "iwul",	[SYS_access] = "sA",
	[SYS_sched_yield] = "",				[SYS_dup] = "i",		[SYS_dup2] = "ii",
	[SYS_pause] = "",			[SYS_alarm] = "U",			[SYS_getpid] = "",		[SYS_fork] = "",
	[SYS_vfork] = "",		[SYS_execve] = "sve",
	[SYS_exit] = "i",		[SYS_kill] = "iS",
	[SYS_semop] = "ipu",
	[SYS_shmdt] = "p",
	[SYS_msgsnd] = "ipux",
	[SYS_msgrcv] = "ipulx",			[SYS_fsync] = "i",		[SYS_fdatasync] = "i",
	[SYS_truncate] = "sl",		[SYS_ftruncate] = "il",
	[SYS_getcwd] = "gu",		[SYS_chdir] = "s",
	[SYS_fchdir] = "i",		[SYS_rename] = "ss",
	[SYS_mkdir] = "sm",		[SYS_rmdir] = "s",
	[SYS_creat] = "sm",		[SYS_link] = "ss",
	[SYS_unlink] = "s",		[SYS_symlink] = "ss",
	[SYS_readlink] = "sru",		[SYS_chmod] = "sm",
	[SYS_fchmod] = "im",		[SYS_chown] = "sii",
	[SYS_fchown] = "iii",		[SYS_lchown] = "sii",
	[SYS_ptrace] = "xipp",		[SYS_getuid] = "",
	[SYS_getgid] = "",
	[SYS_setuid] = "i",		[SYS_setgid] = "i",
	[SYS_geteuid] = "",		[SYS_getegid] = "",
	[SYS_setpgid] = "ii",		[SYS_getppid] = "",
	[SYS_getpgrp] = "",		[SYS_setsid] = "",
	[SYS_setreuid] = "ii",		[SYS_setregid] = "ii",
	[SYS_setresuid] = "iii",	[SYS_setresgid] = "iii",
	[SYS_getpgid] = "i",		[SYS_setfsuid] = "i",
	[SYS_setfsgid] = "i",		[SYS_getsid] = "i",
		[SYS_utime] = "sp",					[SYS_sched_rr_get_interval] = "ip",
	[SYS_mlock] = "pu",		[SYS_munlock] = "pu",
	[SYS_munlockall] = "",		[SYS_vhangup] = "",
	[SYS_pivot_root] = "ss",		[SYS_chroot] = "s",		[SYS_sync] = "",
	[SYS_acct] = "s",		[SYS_settimeofday] = "pp",
		[SYS_swapon] = "sx",		[SYS_swapoff] = "s",
	[SYS_reboot] = "xxxp",		[SYS_sethostname] = "pu",
	[SYS_setdomainname] = "pu",	[SYS_gettid] = "",
	[SYS_readahead] = "ilu",	[SYS_removexattr] = "ss",
	[SYS_lremovexattr] = "ss",	[SYS_fremovexattr] = "is",
	[SYS_tkill] = "iS",		[SYS_io_setup] = "Up",
	[SYS_io_destroy] = "x",		[SYS_io_getevents] = "xllpp",
	[SYS_io_submit] = "xlp",	[SYS_io_cancel] = "xpp",
	[SYS_set_tid_address] = "p",	[SYS_restart_syscall] = "",
	[SYS_semtimedop] = "ipup",			[SYS_timer_getoverrun] = "i",	[SYS_timer_delete] = "i",
	[SYS_exit_group] = "i",		[SYS_tgkill] = "iiS",
	[SYS_mbind] = "puipux",
	[SYS_mq_open] = "sxmp",		[SYS_mq_unlink] = "s",
	[SYS_ioprio_set] = "iii",	[SYS_inotify_init] = "",
	[SYS_inotify_rm_watch] = "ii",	[SYS_openat] = "dsom",
	[SYS_mkdirat] = "dsm",			[SYS_fchownat] = "dsiia",		[SYS_unlinkat] = "dsa",		[SYS_renameat] = "dsds",
	[SYS_linkat] = "dsdsa",		[SYS_symlinkat] = "sds",
	[SYS_readlinkat] = "dsru",	[SYS_fchmodat] = "dsm",
	[SYS_faccessat] = "dsA",		[SYS_set_robust_list] = "pu",			[SYS_vmsplice] = "ipux",	[SYS_move_pages] = "iupppx",
	[SYS_eventfd] = "U",		[SYS_fanotify_init] = "xx",
	[SYS_name_to_handle_at] = "dsppx", [SYS_open_by_handle_at] = "ipo",
	[SYS_syncfs] = "i",
	[SYS_process_vm_readv] = "ipupux",
	[SYS_process_vm_writev] = "ipupux", [SYS_kcmp] = "iiixx",
	[SYS_finit_module] = "isx",	[SYS_seccomp] = "xxp",
	[SYS_execveat] = "dsvea",	[SYS_pkey_mprotect] = "puPi",
	[SYS_pkey_free] = "i",
	[SYS_rseq] = "xxxx",		[SYS_pidfd_open] = "ix",
	[SYS_pidfd_getfd] = "iix",
	[SYS_rt_sigreturn] = "",	[SYS_listen] = "ii",
	[SYS_epoll_create] = "i",	[SYS_perf_event_open] = "piiix",
	/* rare: their arguments, without strace's finer decoding */
	[SYS_uselib] = "s",		[SYS_ustat] = "xp",
	[SYS_sysfs] = "ixx",		[SYS_modify_ldt] = "ipu",
	[SYS__sysctl] = "p",		[SYS_iopl] = "i",
	[SYS_ioperm] = "xxi",		[SYS_create_module] = "xx",
	[SYS_init_module] = "pus",	[SYS_delete_module] = "sx",
	[SYS_get_kernel_syms] = "x",	[SYS_query_module] = "xxxxx",
	[SYS_quotactl] = "xsxp",	[SYS_nfsservctl] = "xxx",
	[SYS_getpmsg] = "xxxxx",	[SYS_putpmsg] = "xxxxx",
	[SYS_afs_syscall] = "xxxxx",	[SYS_tuxcall] = "xxx",
	[SYS_security] = "xxx",		[SYS_set_thread_area] = "p",
	[SYS_get_thread_area] = "p",	[SYS_lookup_dcookie] = "xpu",
	[SYS_epoll_ctl_old] = "xxxx",	[SYS_epoll_wait_old] = "xxxx",
	[SYS_remap_file_pages] = "puxux", [SYS_vserver] = "xxxxx",
	[SYS_mq_timedsend] = "ipulp",	[SYS_mq_timedreceive] = "ipupp",
	[SYS_mq_notify] = "ip",		[SYS_mq_getsetattr] = "ipp",
	[SYS_kexec_load] = "xupx",	[SYS_add_key] = "sspui",
	[SYS_request_key] = "sssi",	[SYS_keyctl] = "xxxxx",
	[SYS_migrate_pages] = "iupp",	[SYS_fanotify_mark] = "ixxds",
	[SYS_sched_setattr] = "ipx",	[SYS_sched_getattr] = "ipUx",
	[SYS_kexec_file_load] = "iiusx", [SYS_bpf] = "xpU",
	[SYS_userfaultfd] = "x",	[SYS_io_pgetevents] = "xllppp",
	[SYS_open_tree] = "dsx",	[SYS_move_mount] = "dsdsx",
	[SYS_fsopen] = "sx",		[SYS_fsconfig] = "ixspi",
	[SYS_fsmount] = "ixx",		[SYS_fspick] = "dsx",
	[SYS_process_madvise] = "ipuix", [SYS_mount_setattr] = "dsxpu",
	[SYS_quotactl_fd] = "ixip",	[SYS_landlock_create_ruleset] = "pux",
	[SYS_landlock_add_rule] = "ixpx", [SYS_landlock_restrict_self] = "ix",
	[SYS_memfd_secret] = "x",	[SYS_process_mrelease] = "ix",
	[SYS_futex_waitv] = "pUxpi",	[SYS_set_mempolicy_home_node] = "uuux",
};

static const char *signature(long nr)
{
	size_t n = sizeof signatures / sizeof signatures[0];
	return nr >= 0 && (size_t)nr < n ? signatures[nr] : NULL;
}

/* ---- execve's argv and envp ------------------------------------------------------ */

/* Calls f on each pointer of the NULL-terminated array at addr, stopping
 * early when f returns 0; returns how many pointers were seen. */
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

/* One argument; next is the argument after it, res the call's result. */
static void put_arg(struct ctx *x, char type, unsigned long v,
		    unsigned long next)
{
	struct line *l = x->l;
	long res = x->res;
	int ok = !x->failed;	/* the kernel read what the call was given */

	switch (type) {
	case 'i': put_dec(l, (int)v); break;
	case 'U': put_udec(l, (unsigned)v); break;
	case 'u': put_udec(l, v); break;
	case 'l': put_dec(l, (long)v); break;
	case 'x': put_hex(l, v); break;
	case 'p': put_ptr(l, v); break;
	case 'd': put_fd(l, v); break;
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
	case 'P': put_flags(l, v, prot_flags, "PROT_???"); break;
	case 'M': put_mmap_flags(l, v); break;
	case 'S': put_signame(l, (int)v); break;
	case 'h': put_xval(l, (unsigned)v, whence_names, "SEEK_???"); break;
	case 'a': put_flags(l, (unsigned)v, at_flags, "AT_???"); break;
	case 'A': put_flags(l, (unsigned)v, access_modes, "?_OK"); break;
	case 'v': put_argv(l, v, ok); break;
	case 'e': put_envp(l, v); break;
	}
}

static int returns_address(long nr)
{
	return nr == SYS_mmap || nr == SYS_brk || nr == SYS_mremap
	       || nr == SYS_shmat;
}


void put_call(struct line *l, const struct zpoline_call *c, long res,
	      const unsigned char *in, struct result_view *rv)
{
	const char *name = syscall_name(c->nr);
	const char *sig = name ? signature(c->nr) : NULL;
	decoder_fn *fn = name ? decoder(c->nr) : NULL;
	struct ctx x = { l, c, res, res < 0 && res >= -4095, in, rv };

	rv->rfmt = returns_address(c->nr) ? R_HEX : R_DEC;
	rv->aux[0] = 0;
	if (name) {
		put(l, name);
	} else {
		put(l, "syscall_");
		put_hex(l, c->nr);
	}
	put_c(l, '(');
	if (fn) {
		fn(&x);
		put_c(l, ')');
		return;
	}
	if (!sig)
		sig = "xxxxxx";
	for (int i = 0; sig[i]; i++) {
		/* open's mode is shown only when the flags use it */
		if (sig[i] == 'm' && i && sig[i - 1] == 'o'
		    && !(c->args[i - 1] & (O_CREAT_K | O_TMPFILE_K)))
			break;
		if (i)
			put(l, ", ");
		put_arg(&x, sig[i], c->args[i], i < 5 ? c->args[i + 1] : 0);
	}
	put_c(l, ')');
}

/* ---- the result ------------------------------------------------------------------- */

#define ALIGN_COL 39		/* strace pads to here before " = " */


void put_result(struct line *l, const struct zpoline_call *c, long res,
		const struct result_view *rv)
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
		return;
	}
	switch (rv->rfmt) {
	case R_HEX: put_hex(l, res); break;
	case R_OCT: put_oct(l, res); break;
	case R_UDEC: put_udec(l, res); break;
	default: put_dec(l, res); break;
	}
	if (rv->aux[0]) {
		put(l, " (");
		put(l, rv->aux);
		put_c(l, ')');
	}
}

/* ---- what is copied before a call --------------------------------------------------- */

size_t entry_copy(const struct zpoline_call *c, unsigned char in[ENTRY_BYTES])
{
	switch (c->nr) {
	case SYS_sendfile:
		return c->args[2] && peek(in, c->args[2], 8, 0) == 8 ? 8 : 0;
	case SYS_timerfd_settime:
		return c->args[2] && peek(in, c->args[2], 32, 0) == 32 ? 32 : 0;
	case SYS_capget:	/* the kernel may write its version back */
		return c->args[0] && peek(in, c->args[0], 8, 0) == 8 ? 8 : 0;
	case SYS_splice:
		memset(in, 0, 16);
		if (c->args[1])
			peek(in, c->args[1], 8, 0);
		if (c->args[3])
			peek(in + 8, c->args[3], 8, 0);
		return 16;
	case SYS_copy_file_range:
		memset(in, 0, 16);
		if (c->args[1])
			peek(in, c->args[1], 8, 0);
		if (c->args[3])
			peek(in + 8, c->args[3], 8, 0);
		return 16;
	}
	return more_entry_copy(c, in);
}
