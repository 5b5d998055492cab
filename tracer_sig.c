/*
 * tracer_sig.c - signals as strace prints them: names, sets ("[INT TERM]",
 * "~[RTMIN RT_1]"), struct sigaction, siginfo_t, the calls that take them,
 * and the line of a delivered signal:
 *
 *     --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=42, ...} ---
 *
 * Invariants: signal numbers follow the kernel's (x86-64): 1-31 by name,
 * 32 is RTMIN, 33-64 are RT_1..RT_32; a set is the kernel's 8 bytes.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>

#include "tracer.h"

#define A(i) (x->c->args[i])
#define SET_BYTES 8		/* the kernel's sigset_t */

static const char *const sig_names[] = {
	NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
	"SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",
	"SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
	"SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
	"SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",
	"SIGSYS", "SIGRTMIN",
};
#define NAMED 33		/* entries of sig_names */

/* SIGINT, SIGRTMIN, SIGRT_3, else decimal. */
void put_signame(struct line *l, long sig)
{
	int s = (int)sig;
	if (s > 0 && s < NAMED) {
		put(l, sig_names[s]);
	} else if (s > 32 && s <= 64) {
		put(l, "SIGRT_");
		put_dec(l, s - 32);
	} else {
		put_dec(l, s);
	}
}

/* "[CHLD]", or the signals not in it when they are fewer: "~[KILL STOP]". */
void put_sigset(struct line *l, const void *set, size_t bytes)
{
	unsigned long m = 0;
	int bits = (bytes < SET_BYTES ? bytes : SET_BYTES) * 8, first = 1;

	memcpy(&m, set, bits / 8);
	if (bits < 64)
		m &= (1UL << bits) - 1;
	if (__builtin_popcountl(m) >= bits * 2 / 3) {
		put_c(l, '~');
		m = ~m;
		if (bits < 64)
			m &= (1UL << bits) - 1;
	}
	put_c(l, '[');
	for (int i = 0; i < bits; i++) {
		int s = i + 1;
		if (!(m >> i & 1))
			continue;
		if (!first)
			put_c(l, ' ');
		first = 0;
		if (s < NAMED)
			put(l, sig_names[s] + 3);
		else if (s <= 64) {
			put(l, "RT_");
			put_dec(l, s - 32);
		}
	}
	put_c(l, ']');
}

/* A set of len bytes at addr; the address if len is not 8 (a word). */
void put_sigset_at(struct ctx *x, unsigned long addr, size_t len, enum dir d)
{
	unsigned char set[SET_BYTES];
	if (len != SET_BYTES) {
		put_ptr(x->l, addr);
		return;
	}
	if (fetch(x, addr, set, len, d))
		put_sigset(x->l, set, len);
}

/* ---- sigaction ------------------------------------------------------------ */

static const struct xlat sa_flags[] = {
	{ 0x04000000, "SA_RESTORER" }, { 0x08000000, "SA_ONSTACK" },
	{ 0x10000000, "SA_RESTART" }, { 0x20000000, "SA_INTERRUPT" },
	{ 0x40000000, "SA_NODEFER" }, { 0x80000000, "SA_RESETHAND" },
	{ 4, "SA_SIGINFO" },	      { 1, "SA_NOCLDSTOP" },
	{ 2, "SA_NOCLDWAIT" },	      XEND
};

/* The kernel's struct sigaction (x86-64). */
struct k_sigaction {
	unsigned long handler, flags, restorer;
	unsigned char mask[SET_BYTES];
};

static void put_handler(struct line *l, unsigned long h)
{
	if (h == 0)
		put(l, "SIG_DFL");
	else if (h == 1)
		put(l, "SIG_IGN");
	else if (h == ~0UL)
		put(l, "SIG_ERR");
	else
		put_hex(l, h);
}

void put_sigaction(struct ctx *x, unsigned long addr, enum dir d)
{
	struct k_sigaction sa;
	struct line *l = x->l;

	if (!fetch(x, addr, &sa, sizeof sa, d))
		return;
	put(l, "{sa_handler=");
	put_handler(l, sa.handler);
	put(l, ", sa_mask=");
	put_sigset(l, sa.mask, SET_BYTES);
	put(l, ", sa_flags=");
	put_flags(l, sa.flags, sa_flags, "SA_???");
	if (sa.flags & 0x04000000) {
		put(l, ", sa_restorer=");
		put_ptr(l, sa.restorer);
	}
	put_c(l, '}');
}

/* ---- siginfo --------------------------------------------------------------- */

static const struct xlat si_codes[] = {
	{ 0, "SI_USER" },	{ 0x80, "SI_KERNEL" },	{ -1U, "SI_QUEUE" },
	{ -2U, "SI_TIMER" },	{ -3U, "SI_MESGQ" },	{ -4U, "SI_ASYNCIO" },
	{ -5U, "SI_SIGIO" },	{ -6U, "SI_TKILL" },	{ -7U, "SI_DETHREAD" },
	{ -60U, "SI_ASYNCNL" },	XEND
};
static const struct xlat chld_codes[] = {
	{ 1, "CLD_EXITED" }, { 2, "CLD_KILLED" }, { 3, "CLD_DUMPED" },
	{ 4, "CLD_TRAPPED" }, { 5, "CLD_STOPPED" }, { 6, "CLD_CONTINUED" },
	XEND
};
static const struct xlat segv_codes[] = {
	{ 1, "SEGV_MAPERR" }, { 2, "SEGV_ACCERR" }, { 3, "SEGV_BNDERR" },
	{ 4, "SEGV_PKUERR" }, { 5, "SEGV_ACCADI" }, { 6, "SEGV_ADIDERR" },
	{ 7, "SEGV_ADIPERR" }, { 8, "SEGV_MTEAERR" }, { 9, "SEGV_MTESERR" },
	XEND
};
static const struct xlat bus_codes[] = {
	{ 1, "BUS_ADRALN" }, { 2, "BUS_ADRERR" }, { 3, "BUS_OBJERR" },
	{ 4, "BUS_MCEERR_AR" }, { 5, "BUS_MCEERR_AO" }, XEND
};
static const struct xlat ill_codes[] = {
	{ 1, "ILL_ILLOPC" }, { 2, "ILL_ILLOPN" }, { 3, "ILL_ILLADR" },
	{ 4, "ILL_ILLTRP" }, { 5, "ILL_PRVOPC" }, { 6, "ILL_PRVREG" },
	{ 7, "ILL_COPROC" }, { 8, "ILL_BADSTK" }, XEND
};
static const struct xlat fpe_codes[] = {
	{ 1, "FPE_INTDIV" }, { 2, "FPE_INTOVF" }, { 3, "FPE_FLTDIV" },
	{ 4, "FPE_FLTOVF" }, { 5, "FPE_FLTUND" }, { 6, "FPE_FLTRES" },
	{ 7, "FPE_FLTINV" }, { 8, "FPE_FLTSUB" }, { 14, "FPE_FLTUNK" },
	{ 15, "FPE_CONDTRAP" }, XEND
};
static const struct xlat trap_codes[] = {
	{ 1, "TRAP_BRKPT" }, { 2, "TRAP_TRACE" }, { 3, "TRAP_BRANCH" },
	{ 4, "TRAP_HWBKPT" }, { 5, "TRAP_UNK" }, { 6, "TRAP_PERF" }, XEND
};
static const struct xlat poll_codes[] = {
	{ 1, "POLL_IN" }, { 2, "POLL_OUT" }, { 3, "POLL_MSG" },
	{ 4, "POLL_ERR" }, { 5, "POLL_PRI" }, { 6, "POLL_HUP" }, XEND
};
static const struct xlat sys_codes[] = {
	{ 1, "SYS_SECCOMP" }, { 2, "SYS_USER_DISPATCH" }, XEND
};

static void put_si_code(struct line *l, int code, int sig)
{
	const struct xlat *t = NULL;
	const char *s = xlookup(si_codes, (unsigned)code);

	switch (sig) {
	case SIGCHLD: t = chld_codes; break;
	case SIGSEGV: t = segv_codes; break;
	case SIGBUS: t = bus_codes; break;
	case SIGILL: t = ill_codes; break;
	case SIGFPE: t = fpe_codes; break;
	case SIGTRAP: t = trap_codes; break;
	case SIGIO: t = poll_codes; break;
	case SIGSYS: t = sys_codes; break;
	case SIGPROF: t = NULL; break;
	}
	if (!s && t)
		s = xlookup(t, (unsigned)code);
	if (s)
		put(l, s);
	else
		put_hex(l, (unsigned)code);
}

static void put_source(struct line *l, const siginfo_t *si)
{
	put(l, ", si_pid=");
	put_dec(l, si->si_pid);
	put(l, ", si_uid=");
	put_udec(l, si->si_uid);
}

static void put_value(struct line *l, const siginfo_t *si)
{
	put(l, ", si_int=");
	put_dec(l, si->si_int);
	put(l, ", si_ptr=");
	put_ptr(l, (unsigned long)si->si_ptr);
}

static void put_ticks(struct line *l, unsigned long long v)
{
	put_udec(l, v);
	if (v) {		/* strace's comment, with 100 ticks a second */
		put(l, " /* ");
		put_udec(l, v / 100);
		put_c(l, '.');
		put_c(l, '0' + v % 100 / 10);
		put_c(l, '0' + v % 10);
		put(l, " s */");
	}
}

/* What follows si_code: from the sender (si_code <= 0) or per signal. */
static void put_si_details(struct line *l, const siginfo_t *si)
{
	if (si->si_errno) {
		const char *e = strerrorname_np(si->si_errno);
		put(l, ", si_errno=");
		if (e)
			put(l, e);
		else
			put_udec(l, si->si_errno);
	}
	if (si->si_code <= 0) {
		switch (si->si_code) {
		case SI_USER:
		case SI_TKILL:
			put_source(l, si);
			return;
		case SI_TIMER:
			put(l, ", si_timerid=");
			put_hex(l, (unsigned)si->si_timerid);
			put(l, ", si_overrun=");
			put_dec(l, si->si_overrun);
			put_value(l, si);
			return;
		case SI_SIGIO:
			put(l, ", si_band=");
			put_dec(l, si->si_band);
			put(l, ", si_fd=");
			put_dec(l, si->si_fd);
			return;
		}
		put_source(l, si);
		if (si->si_ptr)
			put_value(l, si);
		return;
	}
	switch (si->si_signo) {
	case SIGCHLD:
		put_source(l, si);
		put(l, ", si_status=");
		if (si->si_code == CLD_EXITED)
			put_dec(l, si->si_status);
		else
			put_signame(l, si->si_status);
		put(l, ", si_utime=");
		put_ticks(l, si->si_utime);
		put(l, ", si_stime=");
		put_ticks(l, si->si_stime);
		return;
	case SIGILL:
	case SIGFPE:
	case SIGBUS:
	case SIGSEGV:
	case SIGTRAP:
		put(l, ", si_addr=");
		put_ptr(l, (unsigned long)si->si_addr);
		if (si->si_signo == SIGSEGV && si->si_code == SEGV_BNDERR) {
			put(l, ", si_lower=");
			put_ptr(l, (unsigned long)si->si_lower);
			put(l, ", si_upper=");
			put_ptr(l, (unsigned long)si->si_upper);
		} else if (si->si_signo == SIGSEGV && si->si_code == SEGV_PKUERR) {
			put(l, ", si_pkey=");
			put_udec(l, si->si_pkey);
		} else if (si->si_signo == SIGBUS && (si->si_code == 4
						       || si->si_code == 5)) {
			put(l, ", si_addr_lsb=");
			put_hex(l, (unsigned short)si->si_addr_lsb);
		}
		return;
	case SIGIO:
		if (si->si_code >= 1 && si->si_code <= 6) {
			put(l, ", si_band=");
			put_dec(l, si->si_band);
			put(l, ", si_fd=");
			put_dec(l, si->si_fd);
		}
		return;
	case SIGSYS:
		put(l, ", si_call_addr=");
		put_ptr(l, (unsigned long)si->si_call_addr);
		put(l, ", si_syscall=");
		if (syscall_name(si->si_syscall)) {
			put(l, "__NR_");
			put(l, syscall_name(si->si_syscall));
		} else {
			put_dec(l, si->si_syscall);
		}
		put(l, ", si_arch=");
		if (si->si_arch == 0xc000003e)
			put(l, "AUDIT_ARCH_X86_64");
		else
			put_hex(l, si->si_arch);
		return;
	}
	if (si->si_pid || si->si_uid)
		put_source(l, si);
	if (si->si_ptr)
		put_value(l, si);
}

void put_siginfo(struct line *l, const void *p)
{
	const siginfo_t *si = p;

	put_c(l, '{');
	if (si->si_signo) {
		put(l, "si_signo=");
		put_signame(l, si->si_signo);
		put(l, ", si_code=");
		put_si_code(l, si->si_code, si->si_signo);
		put_si_details(l, si);
	}
	put_c(l, '}');
}

static void put_siginfo_at(struct ctx *x, unsigned long addr, enum dir d)
{
	siginfo_t si;
	if (fetch(x, addr, &si, sizeof si, d))
		put_siginfo(x->l, &si);
}

void put_signal_line(struct line *l, int sig, const void *si)
{
	put(l, "--- ");
	put_signame(l, sig);
	put_c(l, ' ');
	put_siginfo(l, si);
	put(l, " ---");
}

/* ---- the calls ---------------------------------------------------------------- */

static const struct xlat how_names[] = {
	{ 0, "SIG_BLOCK" }, { 1, "SIG_UNBLOCK" }, { 2, "SIG_SETMASK" }, XEND
};
static const struct xlat ss_flags[] = {
	{ 1, "SS_ONSTACK" }, { 2, "SS_DISABLE" }, { 0x80000000, "SS_AUTODISARM" },
	XEND
};
static const struct xlat sfd_flags[] = {
	{ 02000000, "SFD_CLOEXEC" }, { 04000, "SFD_NONBLOCK" }, XEND
};

/* rt_sigaction(sig, act, oldact, size) */
static void d_rt_sigaction(struct ctx *x)
{
	put_signame(x->l, (int)A(0));
	sep(x);
	put_sigaction(x, A(1), IN);
	sep(x);
	put_sigaction(x, A(2), OUT);
	sep(x);
	put_udec(x->l, A(3));
}

/* rt_sigprocmask(how, set, oldset, size) */
static void d_rt_sigprocmask(struct ctx *x)
{
	put_xval(x->l, (unsigned)A(0), how_names, "SIG_???");
	sep(x);
	put_sigset_at(x, A(1), A(3), IN);
	sep(x);
	put_sigset_at(x, A(2), A(3), OUT);
	sep(x);
	put_udec(x->l, A(3));
}

/* rt_sigpending(set, size): any size up to 8 */
static void d_rt_sigpending(struct ctx *x)
{
	unsigned char set[SET_BYTES];
	size_t n = A(1);

	if (n < 1 || n > SET_BYTES)
		put_ptr(x->l, A(0));
	else if (fetch(x, A(0), set, n, OUT))
		put_sigset(x->l, set, n);
	sep(x);
	put_udec(x->l, A(1));
}

/* rt_sigsuspend(set, size) */
static void d_rt_sigsuspend(struct ctx *x)
{
	put_sigset_at(x, A(0), A(1), IN);
	sep(x);
	put_udec(x->l, A(1));
}

/* rt_sigtimedwait(set, info, timeout, size) = signal (its name) */
static void d_rt_sigtimedwait(struct ctx *x)
{
	put_sigset_at(x, A(0), A(3), IN);
	sep(x);
	if (A(1))
		put_siginfo_at(x, A(1), OUT);
	else
		put(x->l, "NULL");
	sep(x);
	put_timespec_at(x, A(2), IN);
	sep(x);
	put_udec(x->l, A(3));
	if (!x->failed && x->res > 0) {
		struct line name;
		name.len = 0;
		put_signame(&name, x->res);
		name.buf[name.len] = 0;
		set_aux(x, name.buf);
	}
}

/* rt_sigqueueinfo(tgid, sig, info), rt_tgsigqueueinfo(tgid, tid, sig, info) */
static void d_rt_sigqueueinfo(struct ctx *x)
{
	int i = 0;
	put_dec(x->l, (int)A(i++));
	sep(x);
	if (x->c->nr == SYS_rt_tgsigqueueinfo) {
		put_dec(x->l, (int)A(i++));
		sep(x);
	}
	put_signame(x->l, (int)A(i++));
	sep(x);
	put_siginfo_at(x, A(i), IN);
}

/* pidfd_send_signal(pidfd, sig, info, flags) */
static void d_pidfd_send_signal(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_signame(x->l, (int)A(1));
	sep(x);
	put_siginfo_at(x, A(2), IN);
	sep(x);
	put_hex(x->l, (unsigned)A(3));
}

static void put_stack_at(struct ctx *x, unsigned long addr, enum dir d)
{
	stack_t ss;
	if (!fetch(x, addr, &ss, sizeof ss, d))
		return;
	put(x->l, "{ss_sp=");
	put_ptr(x->l, (unsigned long)ss.ss_sp);
	put(x->l, ", ss_flags=");
	put_flags(x->l, (unsigned)ss.ss_flags, ss_flags, "SS_???");
	put(x->l, ", ss_size=");
	put_udec(x->l, ss.ss_size);
	put_c(x->l, '}');
}

/* sigaltstack(ss, old) */
static void d_sigaltstack(struct ctx *x)
{
	put_stack_at(x, A(0), IN);
	sep(x);
	put_stack_at(x, A(1), OUT);
}

/* signalfd(fd, mask, size), signalfd4(fd, mask, size, flags) */
static void d_signalfd(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_sigset_at(x, A(1), A(2), IN);
	sep(x);
	put_udec(x->l, A(2));
	if (x->c->nr == SYS_signalfd4) {
		sep(x);
		put_flags(x->l, (unsigned)A(3), sfd_flags, "SFD_???");
	}
}

decoder_fn *sig_decoder(long nr)
{
	switch (nr) {
	case SYS_rt_sigaction: return d_rt_sigaction;
	case SYS_rt_sigprocmask: return d_rt_sigprocmask;
	case SYS_rt_sigpending: return d_rt_sigpending;
	case SYS_rt_sigsuspend: return d_rt_sigsuspend;
	case SYS_rt_sigtimedwait: return d_rt_sigtimedwait;
	case SYS_rt_sigqueueinfo:
	case SYS_rt_tgsigqueueinfo: return d_rt_sigqueueinfo;
	case SYS_pidfd_send_signal: return d_pidfd_send_signal;
	case SYS_sigaltstack: return d_sigaltstack;
	case SYS_signalfd:
	case SYS_signalfd4: return d_signalfd;
	}
	return NULL;
}
