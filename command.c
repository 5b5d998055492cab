/*
 * command.c - the `zpoline` command: runs a program with libzpoline.so
 * preloaded, its settings given with strace's options.
 *
 *     zpoline [-c | -C] [-o FILE] [-e trace=SPEC] [-v] [--hook HOOK.so[:...]]
 *             [--config FILE] [--swap[=SIGNAL]] [--] PROG [ARGS...]
 *     zpoline swap [--timeout=SECONDS] PID HOOK.so[:HOOK2.so...]
 *
 * The second form replaces the hooks of a running process started with
 * --swap (ZPOLINE_SWAP): see swap_command and swap.c.
 *
 * Invariants:
 *   - The command ends by exec'ing PROG in its own process, without a
 *     fork: PROG keeps the command's pid, its exit status or the signal
 *     that kills it is what the shell sees (a core dump is PROG's own, as
 *     in a native run), and signals sent to the command (^C, ^Z, kill)
 *     reach PROG directly.  Nothing of the command runs after that.
 *   - Every setting reaches the runtime through the environment
 *     (LD_PRELOAD and ZPOLINE_*), exactly as for someone who sets them by
 *     hand.  The command only makes paths absolute (PROG may change
 *     directory, and its children load the runtime again) and checks
 *     first what would make the run pointless.
 *   - Every error is one line on stderr (strace's wording where strace has
 *     one) and exit status 1, before PROG starts and before the -o file is
 *     touched.  PROG is never run unhooked where the command can tell it
 *     would be: a static executable, one for another machine, one that
 *     runs in secure-execution mode.
 *   - libzpoline.so is found from the command's own path: next to it (the
 *     build tree) or in ../lib (an installed PREFIX/bin/zpoline).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "zpoline.h"

#ifndef ZPOLINE_VERSION
#define ZPOLINE_VERSION "unknown"
#endif

/* ---- messages ------------------------------------------------------------ */

static void die(const char *fmt, ...)
{
	va_list ap;
	fputs("zpoline: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* A mistake in the command line: strace's second line follows. */
static void usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("zpoline: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'zpoline -h' for more information.\n", stderr);
	exit(1);
}

static void help(void)
{
	printf("Usage: zpoline [-c | -C] [-o FILE] [-e trace=SPEC] [-v] "
	       "[--hook HOOK.so[:HOOK2.so...]]\n"
	       "               [--config FILE] [--] PROG [ARGS...]\n"
	       "Runs PROG with every system call hooked (libzpoline.so "
	       "preloaded).  Without --hook the\n"
	       "hook is the default tracer, which prints each call as strace "
	       "does, on stderr.\n\n"
	       "  -o FILE, --output=FILE  write the trace to FILE (every process "
	       "appends to it)\n"
	       "  -c, --summary-only      no trace; a table of calls, errors and "
	       "time at exit\n"
	       "  -C, --summary           the trace and the table\n"
	       "  -e trace=SPEC, --trace=SPEC\n"
	       "                          trace only these calls (strace's "
	       "syntax: open,read %%file ...)\n"
	       "  -f, --follow-forks      accepted for strace's sake: children "
	       "are always followed\n"
	       "  -v, --verbose           the runtime's start-up report\n"
	       "  --hook HOOK.so[:...]    use these hook libraries instead of the "
	       "tracer\n"
	       "  --config FILE           read settings from FILE (options and "
	       "environment win)\n"
	       "  --swap[=SIGNAL]         let `zpoline swap` replace the hooks "
	       "later (signal: RTMAX)\n"
	       "  -h, --help              this text\n"
	       "  -V, --version           the version\n\n"
	       "zpoline swap [--timeout=SECONDS] PID HOOK.so[:HOOK2.so...]\n"
	       "  replaces the hooks of process PID, started with --swap\n\n"
	       "See zpoline(1) for the environment variables, zpoline(7) for "
	       "writing a hook.\n");
	exit(0);
}

/* ---- paths ------------------------------------------------------------------ */

/*
 * path made absolute, its directory without "." or ".." or symbolic links
 * (the directory must exist; the file need not).
 */
static char *absolute(const char *path)
{
	char *copy = strdup(path), *slash = strrchr(copy, '/'), *out;
	const char *dir = slash ? (slash == copy ? "/" : copy) : ".";
	const char *base = slash ? slash + 1 : copy;
	char real[PATH_MAX];

	if (slash)
		*slash = 0;
	if (!realpath(dir, real)) {
		free(copy);
		return strdup(path);	/* the caller's open() will say why */
	}
	if (asprintf(&out, "%s%s%s", real, strcmp(real, "/") ? "/" : "",
		     base) < 0)
		die("out of memory");
	free(copy);
	return out;
}

/* libzpoline.so next to this command, or in ../lib; its real path. */
static char *find_runtime(void)
{
	static const char *const places[] = { "%s/libzpoline.so",
					      "%s/../lib/libzpoline.so" };
	char self[PATH_MAX], real[PATH_MAX], *try;
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

	if (n < 0)
		die("cannot read /proc/self/exe: %s", strerror(errno));
	self[n] = 0;
	*strrchr(self, '/') = 0;
	for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
		if (asprintf(&try, places[i], self) < 0)
			die("out of memory");
		if (realpath(try, real) && access(real, R_OK) == 0) {
			free(try);
			if (strpbrk(real, " :"))
				die("%s: LD_PRELOAD cannot name a path with a "
				    "space or a colon in it", real);
			return strdup(real);
		}
		free(try);
	}
	die("cannot find libzpoline.so in %s or %s/../lib", self, self);
	return NULL;
}

/* PROG as execvp would find it; the name itself when no PATH entry has it. */
static char *find_program(const char *name)
{
	const char *path = getenv("PATH");
	char *try;
	struct stat st;

	if (strchr(name, '/'))
		return strdup(name);
	if (!path)
		path = "/bin:/usr/bin";
	for (const char *p = path;; p++) {
		size_t n = strcspn(p, ":");
		if (asprintf(&try, "%.*s%s%s", (int)n, p, n ? "/" : "", name) < 0)
			die("out of memory");
		if (stat(try, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_mode & 0111))
			return try;
		free(try);
		p += n;
		if (!*p)
			return strdup(name);
	}
}

/* ---- what would run PROG unhooked ------------------------------------------ */

/* The dynamic section of an ET_DYN without PT_INTERP says DF_1_PIE. */
static int is_static_pie(int fd, const Elf64_Phdr *dyn)
{
	Elf64_Dyn d[512];
	size_t n = dyn->p_filesz < sizeof d ? dyn->p_filesz : sizeof d;
	ssize_t got = pread(fd, d, n, dyn->p_offset);

	for (ssize_t i = 0; got > 0 && i < got / (ssize_t)sizeof *d; i++) {
		if (d[i].d_tag == DT_NULL)
			break;
		if (d[i].d_tag == DT_FLAGS_1 && (d[i].d_un.d_val & DF_1_PIE))
			return 1;
	}
	return 0;
}

/*
 * Dies unless ld.so will load the runtime into the program file path:
 * an x86-64 ELF executable with an interpreter, or a shared object run
 * directly (ld.so itself: it reads LD_PRELOAD).  A script is judged by its
 * interpreter.  Files that cannot be read or are not ELF are left to
 * execve.
 */
static void check_preloadable(const char *path, int depth)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	union {
		Elf64_Ehdr eh;
		char text[256];		/* the kernel reads "#!" lines this far */
	} head;
	Elf64_Ehdr eh;
	Elf64_Phdr ph[64];
	const Elf64_Phdr *dyn = NULL;
	ssize_t n;

	if (fd < 0)
		return;
	n = pread(fd, head.text, sizeof head.text - 1, 0);
	if (n >= 2 && memcmp(head.text, "#!", 2) == 0 && depth == 0) {
		char *p = head.text + 2;
		head.text[n] = 0;
		p += strspn(p, " \t");
		p[strcspn(p, " \t\n")] = 0;
		close(fd);
		if (*p)
			check_preloadable(p, 1);
		return;
	}
	eh = head.eh;
	if (n < (ssize_t)sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)) {
		close(fd);
		return;
	}
	if (eh.e_machine != EM_X86_64)	/* same offset in both classes */
		die("'%s' is not an x86-64 program: libzpoline.so cannot be "
		    "loaded into it", path);
	if (eh.e_ident[EI_CLASS] != ELFCLASS64) {	/* x32: left to ld.so */
		close(fd);
		return;
	}
	size_t nph = eh.e_phnum < 64 ? eh.e_phnum : 64;
	n = eh.e_phentsize == sizeof ph[0]
		    ? pread(fd, ph, nph * sizeof ph[0], eh.e_phoff) : -1;
	for (ssize_t i = 0; i < n / (ssize_t)sizeof ph[0]; i++) {
		if (ph[i].p_type == PT_INTERP) {
			close(fd);
			return;
		}
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = &ph[i];
	}
	if (n >= 0 && (eh.e_type == ET_EXEC || !dyn || is_static_pie(fd, dyn)))
		die("'%s' is statically linked: LD_PRELOAD cannot load the "
		    "runtime into it", path);
	close(fd);
}

/*
 * Dies if executing path puts it in secure-execution mode (AT_SECURE),
 * where ld.so ignores a preload path with a slash in it: set-user-ID or
 * set-group-ID to another user or group, or file capabilities for a user
 * other than root; not on a nosuid mount.
 */
static void check_not_secure(const char *name, const char *path,
			     const struct stat *st)
{
	struct statvfs vfs;
	const char *why = NULL;

	if (statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_NOSUID))
		return;
	if ((st->st_mode & S_ISUID) && st->st_uid != getuid())
		why = "set-user-ID";
	else if ((st->st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
		 st->st_gid != getgid())
		why = "set-group-ID";
	else if (getuid() != 0 &&
		 getxattr(path, "security.capability", NULL, 0) > 0)
		why = "set-capability";
	if (why)
		die("'%s' is %s: it runs in secure-execution mode, where ld.so "
		    "does not preload the runtime", name, why);
}

/* ---- settings ----------------------------------------------------------------- */

/* HOOK.so[:HOOK2.so...] with each path made absolute; each must exist. */
static char *hook_list(const char *list)
{
	char *copy = strdup(list), *out = strdup(""), *p = copy, *one;

	while ((one = strsep(&p, ":")) != NULL) {
		char real[PATH_MAX], *joined;
		if (!*one)
			usage_error("--hook '%s': empty path in the list", list);
		if (!realpath(one, real))
			die("--hook '%s': %s", one, strerror(errno));
		if (asprintf(&joined, "%s%s%s", out, *out ? ":" : "", real) < 0)
			die("out of memory");
		free(out);
		out = joined;
	}
	free(copy);
	return out;
}

static void config_error(const char *msg)
{
	fprintf(stderr, "zpoline: %s\n", msg);
}

/* Dies unless FILE (absolute) can be read and parses cleanly: the runtime
 * would skip its bad lines, the command refuses them like bad options. */
static void check_config(const char *file)
{
	static struct zp_config cfg;
	char *text = NULL;
	size_t len = 0;
	FILE *f = fopen(file, "re");

	if (!f)
		die("--config '%s': %s", file, strerror(errno));
	for (;;) {
		char *more = realloc(text, len + 65536);
		if (!more)
			die("out of memory");
		text = more;
		size_t n = fread(text + len, 1, 65536, f);
		len += n;
		if (n < 65536)
			break;
	}
	if (ferror(f))
		die("--config '%s': %s", file, strerror(errno));
	fclose(f);
	if (zp_config_parse(text, len, file, &cfg, config_error))
		exit(1);
	free(text);
}

/* -e EXPR: trace=SPEC, t=SPEC, or SPEC alone, as strace reads it. */
static const char *trace_spec(const char *expr)
{
	const char *eq = strchr(expr, '=');
	size_t n = eq ? (size_t)(eq - expr) : 0;

	if (eq && strspn(expr, "abcdefghijklmnopqrstuvwxyz_-") == n) {
		if ((n == 5 && !strncmp(expr, "trace", 5)) ||
		    (n == 1 && *expr == 't'))
			expr = eq + 1;
		else
			usage_error("-e %.*s=...: not supported (only -e trace=)",
				    (int)n, expr);
	}
	if (!*expr)
		die("invalid system call ''");	/* strace's words */
	return expr;
}

static void set(const char *var, const char *value)
{
	if (setenv(var, value, 1) < 0)
		die("cannot set %s: %s", var, strerror(errno));
}

/* ---- zpoline swap ----------------------------------------------------------- */

#define SWAP_MAGIC 0x7a707377	/* swap.c's ZP_SWAP_MAGIC */

/* ZPOLINE_SWAP's value as the runtime reads it: the signal, or -1. */
static int swap_signal(const char *v)
{
	return zp_config_signal(v, strlen(v));
}

/* NAME=value in /proc/PID/environ (the environment it started with), or
 * NULL. */
static char *environ_of(const char *env, size_t n, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < n; i += strlen(env + i) + 1)
		if (!strncmp(env + i, name, len) && env[i + len] == '=')
			return strdup(env + i + len + 1);
	return NULL;
}

static char *read_all(const char *path, size_t *n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t len = 0;
	ssize_t r;

	if (fd < 0)
		return NULL;
	do {
		char *more = realloc(buf, len + 65536 + 1);
		if (!more)
			die("out of memory");
		buf = more;
		r = read(fd, buf + len, 65536);
		if (r > 0)
			len += r;
	} while (r > 0);
	close(fd);
	buf[len] = 0;
	*n = len;
	return buf;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, ms % 1000 * 1000000 };
	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

/*
 * zpoline swap PID HOOK.so[:...]: writes the list to DIR/PID.swap, sends
 * the process its swap signal, and waits for DIR/PID.result (swap.c),
 * which it prints.  DIR is the one the runtime looks in: its
 * XDG_RUNTIME_DIR/zpoline, or /tmp/zpoline-UID.  Status 0 when the
 * process took the new hooks.
 */
static int swap_command(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, 0, 't' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 }
	};
	char path[PATH_MAX], dir[PATH_MAX], req[PATH_MAX + 64], tmp[PATH_MAX + 64],
	     res[PATH_MAX + 64], *env, *sigv, *xdg, *list, *end, *text;
	double timeout = 10;
	struct stat st;
	union sigval val = { .sival_int = SWAP_MAGIC };
	size_t n;
	long pid;
	int c, sig, fd, ok;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (c == 't') {
			timeout = strtod(optarg, &end);
			if (*end || timeout <= 0)
				usage_error("--timeout=%s: not a number of seconds",
					    optarg);
		} else if (c == 'h') {
			help();
		} else {
			usage_error("swap: unrecognized option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		usage_error("usage: zpoline swap [--timeout=SECONDS] PID "
			    "HOOK.so[:HOOK2.so...]");
	pid = strtol(argv[optind], &end, 10);
	if (*end || pid <= 0)
		usage_error("swap: '%s' is not a process id", argv[optind]);

	snprintf(path, sizeof path, "/proc/%ld", pid);
	if (stat(path, &st) < 0)
		die("swap: no process %ld", pid);
	if (st.st_uid != getuid())
		die("swap: process %ld is not yours: it takes swap requests "
		    "from its own user only", pid);
	snprintf(path, sizeof path, "/proc/%ld/environ", pid);
	if (!(env = read_all(path, &n)))
		die("swap: cannot read %s: %s", path, strerror(errno));
	sigv = environ_of(env, n, "ZPOLINE_SWAP");
	xdg = environ_of(env, n, "XDG_RUNTIME_DIR");
	if (!sigv || !*sigv)
		die("swap: process %ld takes no swap requests: it was not "
		    "started with ZPOLINE_SWAP set (zpoline --swap PROG)", pid);
	if ((sig = swap_signal(sigv)) < 0)
		die("swap: process %ld has ZPOLINE_SWAP=%s, which is not a "
		    "signal for swap requests", pid, sigv);
	/* Only a process that catches the signal: one that does not would
	   die of it (a program that kept ZPOLINE_SWAP but not the runtime). */
	snprintf(path, sizeof path, "/proc/%ld/status", pid);
	if (!(text = read_all(path, &n)) || !(end = strstr(text, "\nSigCgt:")) ||
	    !(strtoull(end + 9, NULL, 16) >> (sig - 1) & 1))
		die("swap: process %ld does not catch signal %d (ZPOLINE_SWAP=%s):"
		    " it does not run the runtime with swapping on", pid, sig, sigv);
	free(text);
	list = hook_list(argv[optind + 1]);

	if (xdg && xdg[0] == '/')
		snprintf(dir, sizeof dir, "%s/zpoline", xdg);
	else
		snprintf(dir, sizeof dir, "/tmp/zpoline-%u", (unsigned)getuid());
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		die("swap: cannot make %s: %s", dir, strerror(errno));
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != getuid() || (st.st_mode & 077))
		die("swap: %s is not a directory of yours that only you may use "
		    "(mode 700): the runtime would not take the request", dir);
	snprintf(req, sizeof req, "%s/%ld.swap", dir, pid);
	snprintf(tmp, sizeof tmp, "%s/%ld.swap.tmp", dir, pid);
	snprintf(res, sizeof res, "%s/%ld.result", dir, pid);
	unlink(res);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, list, strlen(list)) != (ssize_t)strlen(list) ||
	    close(fd) < 0 || rename(tmp, req) < 0)
		die("swap: cannot write %s: %s", req, strerror(errno));
	if (sigqueue(pid, sig, val) < 0)
		die("swap: cannot signal process %ld: %s", pid, strerror(errno));

	for (long waited = 0; waited < timeout * 1000; waited += 10) {
		if (access(res, F_OK) == 0)
			break;
		if (kill(pid, 0) < 0 && errno == ESRCH)
			die("swap: process %ld ended before it answered", pid);
		sleep_ms(10);
	}
	if (!(text = read_all(res, &n))) {
		unlink(req);
		die("swap: process %ld did not answer within %g s (it takes a "
		    "request at its next system call from its own code)", pid,
		    timeout);
	}
	unlink(res);
	fputs(text, stderr);
	ok = strstr(text, "zpoline: swapped\n") != NULL;
	return ok ? 0 : 1;
}

/*
 * A hook with a libc of its own takes a block of static TLS (144 bytes for
 * glibc 2.36's libc), and glibc takes back a block at dlclose only when it
 * is the last one: each swap between such hooks leaves one behind.  The
 * space glibc keeps for dlmopen'd libraries holds about ten; with --swap
 * it is raised to 16 KiB (about a hundred swaps), unless the user set it.
 */
static void more_static_tls(void)
{
	static const char name[] = "glibc.rtld.optional_static_tls";
	const char *old = getenv("GLIBC_TUNABLES");
	char *v;

	if (old && strstr(old, name))
		return;
	if (asprintf(&v, "%s%s%s=16384", old && *old ? old : "",
		     old && *old ? ":" : "", name) < 0)
		die("out of memory");
	set("GLIBC_TUNABLES", v);
}

/* ---- the command line --------------------------------------------------------- */

struct options {
	const char *output, *summary, *trace, *hooks, *config, *swap;
	int verbose, follow;
};

enum { OPT_HOOK = 256, OPT_CONFIG, OPT_TRACE, OPT_SWAP };

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, 0, 'o' },
		{ "summary-only", no_argument, 0, 'c' },
		{ "summary", no_argument, 0, 'C' },
		{ "trace", required_argument, 0, OPT_TRACE },
		{ "follow-forks", no_argument, 0, 'f' },
		{ "verbose", no_argument, 0, 'v' },
		{ "hook", required_argument, 0, OPT_HOOK },
		{ "config", required_argument, 0, OPT_CONFIG },
		{ "swap", optional_argument, 0, OPT_SWAP },
		{ "help", no_argument, 0, 'h' },
		{ "version", no_argument, 0, 'V' },
		{ 0, 0, 0, 0 }
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:o:cCe:fvhV", longopts, NULL)) != -1) {
		const char *summary = NULL;
		switch (c) {
		case 'o': o->output = optarg; break;
		case 'c': summary = "1"; break;
		case 'C': summary = "both"; break;
		case 'e': o->trace = trace_spec(optarg); break;
		case OPT_TRACE: o->trace = trace_spec(optarg); break;
		case 'f': o->follow++; break;
		case 'v': o->verbose = 1; break;
		case OPT_HOOK: o->hooks = optarg; break;
		case OPT_CONFIG: o->config = optarg; break;
		case OPT_SWAP:
			o->swap = optarg ? optarg : "RTMAX";
			if (swap_signal(o->swap) < 0)
				usage_error("--swap=%s: not a signal for swap requests "
					    "(USR1, USR2, RTMIN..RTMAX, e.g. RTMAX)",
					    o->swap);
			break;
		case 'h': help(); break;
		case 'V':
			printf("zpoline -- version %s (hook ABI version %d)\n",
			       ZPOLINE_VERSION, ZPOLINE_ABI_VERSION);
			exit(0);
		/* a missing argument ends the command line: argv[optind - 1]
		 * is the option; optopt is the letter of a short one */
		case ':':
			if (strncmp(argv[optind - 1], "--", 2) != 0)
				usage_error("option requires an argument -- '%c'", optopt);
			usage_error("option '%s' requires an argument", argv[optind - 1]);
			break;
		default:
			if (optopt > 0 && optopt < 128)
				usage_error("invalid option -- '%c'", optopt);
			usage_error("unrecognized option '%s'", argv[optind - 1]);
		}
		if (summary && o->summary && strcmp(summary, o->summary))
			usage_error("-c/--summary-only and -C/--summary are "
				    "mutually exclusive");
		if (summary)
			o->summary = summary;
	}
	if (o->follow > 1)
		usage_error("-ff is not supported: every process appends to the "
			    "same trace");
	if (optind == argc)
		usage_error("must have PROG [ARGS]");
	return optind;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct stat st;
	char *runtime, *prog, *preload;
	const char *old;
	int first;

	if (getauxval(AT_SECURE))
		die("refusing to run set-user-ID or with file capabilities");
	if (argc > 1 && strcmp(argv[1], "swap") == 0)
		return swap_command(argc - 1, argv + 1);
	first = parse_options(argc, argv, &o);
	runtime = find_runtime();
	prog = find_program(argv[first]);
	if (stat(prog, &st) < 0)
		die("Can't stat '%s': %s", argv[first], strerror(errno));
	check_preloadable(prog, 0);
	check_not_secure(argv[first], prog, &st);
	if (o.hooks)
		set("ZPOLINE_HOOK", hook_list(o.hooks));
	if (o.config) {
		char *file = absolute(o.config);
		check_config(file);
		set("ZPOLINE_CONFIG", file);
	}
	if (o.output) {
		char *file = absolute(o.output);
		int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (fd < 0)
			die("Can't fopen '%s': %s", o.output, strerror(errno));
		close(fd);
		set("ZPOLINE_OUTPUT", file);
	}
	if (o.summary)
		set("ZPOLINE_SUMMARY", o.summary);
	if (o.trace)
		set("ZPOLINE_TRACE", o.trace);
	if (o.verbose)
		set("ZPOLINE_VERBOSE", "1");
	if (o.swap) {
		set("ZPOLINE_SWAP", o.swap);
		more_static_tls();
	}
	old = getenv("LD_PRELOAD");
	if (asprintf(&preload, "%s%s%s", runtime, old && *old ? ":" : "",
		     old ? old : "") < 0)
		die("out of memory");
	set("LD_PRELOAD", preload);
	execv(prog, argv + first);
	die("exec: %s", strerror(errno));
}
