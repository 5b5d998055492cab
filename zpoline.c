/*
 * zpoline.c - start-up of the runtime: settings, rewriting, the hooks.
 *
 * zp_start (from preload.c's IFUNC, before the program's own constructors;
 * or from zpoline_start, for a program that embeds the runtime):
 *   1. reads the settings: the environment, then the configuration file
 *      (none in secure-execution mode);
 *   2. installs the SIGSEGV and SIGILL handlers, and the swap signal's
 *      (dispatch.c);
 *   3. rewrites the system call sites of every loaded object (rewrite.c),
 *      then records the calls made until the hooks are loaded.
 * zp_start_hooks (preload.c's constructor) or zpoline_start then loads the
 * hooks (chain.c, nsload.c), hands them the recorded calls, and publishes
 * them (or starts swapping, swap.c).  This file also holds what the other
 * files share to print and to allocate without libc.
 *
 * Invariants:
 *   - Messages go to stderr as one line each, in one raw write, and only
 *     when the user must act (a hook that cannot load, code that cannot
 *     be rewritten) or asked for them (ZPOLINE_VERBOSE).
 *   - In secure-execution mode (AT_SECURE: set-user-ID, set-capability)
 *     every setting reads as unset, and the program runs with the
 *     built-in pass-through hook: nothing the real user names is opened,
 *     nothing of the program's data is shown.
 *   - Only the start-up path calls libc (getenv, getauxval, dladdr via
 *     nsload.c, dl_iterate_phdr via rewrite.c).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "config.h"
#include "decoder.h"
#include "runtime.h"
#include "zpoline.h"

/* ------------------------------------------------------------------------
 * Messages and memory, without libc.
 */

int zp_verbose;

void zp_copy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (n--)
		*d++ = *s++;
}

/* Where zp_say's lines go instead of stderr (a swap request's answer). */
static char *zp_say_buf;
static size_t zp_say_size, zp_say_len;

void zp_say_into(char *buf, size_t size)
{
	zp_say_buf = buf;
	zp_say_size = size;
	zp_say_len = 0;
	if (buf && size)
		buf[0] = 0;
}

void zp_say(const char *s, ...)
{
	char line[512];
	size_t n = 0;
	va_list ap;

	for (const char *p = "zpoline: "; *p; p++)
		line[n++] = *p;
	va_start(ap, s);
	for (; s; s = va_arg(ap, const char *))
		for (; *s && n < sizeof line - 1; s++)
			line[n++] = *s;
	va_end(ap);
	line[n++] = '\n';
	if (!zp_say_buf) {
		sys3(SYS_write, 2, line, n);
		return;
	}
	if (zp_say_len + n < zp_say_size) {
		zp_copy(zp_say_buf + zp_say_len, line, n);
		zp_say_len += n;
		zp_say_buf[zp_say_len] = 0;
	}
}

/* The strings, one after the other, into buf (cut to fit, NUL-ended);
 * the arguments end with NULL. */
void zp_cat(char *buf, size_t size, const char *s, ...)
{
	size_t n = 0;
	va_list ap;
	va_start(ap, s);
	for (; s; s = va_arg(ap, const char *))
		for (; *s && n + 1 < size; s++)
			buf[n++] = *s;
	va_end(ap);
	if (size)
		buf[n] = 0;
}

const char *zp_hex(char *buf, unsigned long v)
{
	char *p = buf + 18;
	*p = 0;
	do
		*--p = "0123456789abcdef"[v & 15];
	while (v >>= 4);
	*--p = 'x';
	*--p = '0';
	return p;
}

const char *zp_dec(char *buf, unsigned long v)
{
	char *p = buf + 18;
	*p = 0;
	do
		*--p = '0' + v % 10;
	while (v /= 10);
	return p;
}

const char *zp_errname(long err)
{
	switch (-err) {
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EEXIST: return "EEXIST";
	case ENOMEM: return "ENOMEM";
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	}
	return "error";
}

void *zp_mmap(size_t len)
{
	long r = sys6(SYS_mmap, 0, len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return r < 0 ? 0 : (void *)r;
}

int zp_ehdr_ok(const Elf64_Ehdr *eh)
{
	return eh->e_ident[EI_MAG0] == ELFMAG0 && eh->e_ident[EI_MAG1] == ELFMAG1 &&
	       eh->e_ident[EI_MAG2] == ELFMAG2 && eh->e_ident[EI_MAG3] == ELFMAG3 &&
	       eh->e_ident[EI_CLASS] == ELFCLASS64 && eh->e_machine == EM_X86_64 &&
	       eh->e_phentsize == sizeof(Elf64_Phdr);
}

unsigned long zp_now_ns(void)
{
	struct { long s, ns; } t;
	sys2(SYS_clock_gettime, 1 /* CLOCK_MONOTONIC */, &t);
	return t.s * 1000000000ul + t.ns;
}

/* ------------------------------------------------------------------------
 * Settings.
 */

/* Secure-execution mode: the real user chooses nothing. */
static int zp_secure;

/*
 * The program's initial environment, from /proc/self/environ: the runtime
 * starts before libc has set environ (and before the program's own
 * relocation: its copy of ld.so's __libc_stack_end may not be filled in
 * yet).  Settings are what the process started with; the strings stay for
 * the life of the process.
 */
static char *zp_env;
static size_t zp_env_len;
static const char **zp_envv;	/* each string's start, after the text */
static size_t zp_envc;

/* Points zp_envv at each string of the text, in the buffer's room after
 * it (cap bytes in all); without room, zp_getenv walks the text. */
static void zp_index_env(char *buf, size_t n, size_t cap)
{
	size_t at = (n + 1 + 7) & ~(size_t)7, c = 0;
	const char **v = (const char **)(buf + at);

	for (size_t i = 0; i < n; i++)
		c += i == 0 || buf[i - 1] == 0;
	if (at + c * sizeof *v > cap)
		return;
	for (size_t i = 0, k = 0; i < n; i++)
		if (i == 0 || buf[i - 1] == 0)
			v[k++] = buf + i;
	zp_envv = v;
	zp_envc = c;
}

static void zp_read_env(void)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = zp_mmap(cap);
	long fd = sys2(SYS_open, "/proc/self/environ", O_RDONLY | O_CLOEXEC), r;

	if (fd < 0 || !buf) {
		if (fd >= 0)
			sys1(SYS_close, fd);
		return;
	}
	for (;;) {
		if (n + 4096 > cap) {
			r = sys4(SYS_mremap, buf, cap, 2 * cap, MREMAP_MAYMOVE);
			if (r < 0)
				break;
			buf = (char *)r;
			cap *= 2;
		}
		r = sys3(SYS_read, fd, buf + n, cap - n - 1);
		if (r <= 0)
			break;
		n += r;
	}
	sys1(SYS_close, fd);
	buf[n] = 0;
	zp_env = buf;
	zp_env_len = n;
	zp_index_env(buf, n, cap);
}

/* The value of name in string e ("NAME=value"), or NULL. */
static const char *zp_env_match(const char *e, const char *name)
{
	while (*name && *e == *name)
		e++, name++;
	return !*name && *e == '=' ? e + 1 : 0;
}

const char *zp_getenv(const char *name)
{
	const char *v;

	for (size_t k = 0; k < zp_envc; k++)
		if ((v = zp_env_match(zp_envv[k], name)))
			return v;
	for (size_t i = 0; !zp_envv && i < zp_env_len; ) {
		if ((v = zp_env_match(zp_env + i, name)))
			return v;
		while (i < zp_env_len && zp_env[i])
			i++;
		i++;
	}
	return 0;
}

/* The configuration file (ZPOLINE_CONFIG), read once at start-up. */
static struct zp_config zp_config;
#define ZP_CONFIG_MAX 65536 /* bytes of a configuration file */

static void zp_config_error(const char *msg)
{
	zp_say(msg, NULL);
}

/* Reads and parses the file ZPOLINE_CONFIG names, with raw calls. */
static void zp_read_config(void)
{
	static char text[ZP_CONFIG_MAX + 1];
	const char *path = zp_getenv("ZPOLINE_CONFIG");
	long fd, n = 0, r;

	if (zp_secure || !path || !*path)
		return;
	fd = sys2(SYS_open, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		zp_say("cannot read the configuration file ", path, ": ",
		       zp_errname(fd), NULL);
		return;
	}
	while (n <= ZP_CONFIG_MAX &&
	       (r = sys3(SYS_read, fd, text + n, ZP_CONFIG_MAX + 1 - n)) > 0)
		n += r;
	sys1(SYS_close, fd);
	if (n > ZP_CONFIG_MAX) {
		zp_say("the configuration file ", path, " is too long (more than"
		       " 65536 bytes): ignored", NULL);
		return;
	}
	zp_config_parse(text, n, path, &zp_config, zp_config_error);
}

/* init->setting: ZPOLINE_<NAME> from the environment, else the
 * configuration file's <name>. */
const char *zp_setting(const char *name)
{
	char var[64] = "ZPOLINE_";
	size_t n = 8;
	const char *v;
	if (zp_secure)
		return 0;
	for (const char *p = name; *p && n < sizeof var - 1; p++)
		var[n++] = *p >= 'a' && *p <= 'z' ? *p - 32 : *p;
	var[n] = 0;
	v = zp_getenv(var);
	return v ? v : zp_config_get(&zp_config, name);
}

static int zp_is_on(const char *v)
{
	return v && *v && !(v[0] == '0' && !v[1]);
}

/*
 * ZPOLINE_SITES (for tests and measurements): the kinds of rewriting
 * allowed, a comma-separated list of island, jump, page0, fault (page0
 * without the sled: every page-0 call takes the fault path).  A site
 * whose kind is not allowed becomes a page-0 site.
 */
static void zp_read_sites_setting(void)
{
	static const struct { const char *name; unsigned bits; } kinds[] = {
		{ "island", 1u << ZP_ISLAND }, { "jump", 1u << ZP_JUMP },
		{ "page0", 1u << ZP_PAGE0 }, { "fault", 1u << ZP_PAGE0 },
	};
	const char *v = zp_setting("sites");
	if (!v || !*v)
		return;
	zp_allowed_kinds = 1u << ZP_PAGE0;
	while (*v) {
		size_t n = 0, k;
		while (v[n] && v[n] != ',')
			n++;
		for (k = 0; k < sizeof kinds / sizeof *kinds; k++) {
			const char *w = kinds[k].name;
			size_t i = 0;
			while (i < n && w[i] == v[i])
				i++;
			if (i == n && !w[i])
				break;
		}
		if (k == sizeof kinds / sizeof *kinds)
			zp_say("ZPOLINE_SITES: unknown kind (island, jump, page0,"
			       " fault)", NULL);
		else
			zp_allowed_kinds |= kinds[k].bits;
		zp_page0_fault_only |= k == 3;
		v += n + (v[n] == ',');
	}
}

/* ------------------------------------------------------------------------
 * The hook.
 */

/* The vector state a hook can change, by what this CPU and kernel enable. */
static unsigned char zp_cpu_vec_mode(void)
{
	unsigned a, b, c, d, xcr0_lo, xcr0_hi;
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 27))) /* OSXSAVE */
		return ZP_VEC_SSE;
	__asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
	if ((xcr0_lo & 0xe6) == 0xe6) { /* SSE, AVX, opmask, ZMM_Hi256, Hi16_ZMM */
		__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
		return b & (1u << 30) ? ZP_VEC_AVX512 : ZP_VEC_AVX512F;
	}
	return (xcr0_lo & 6) == 6 ? ZP_VEC_AVX : ZP_VEC_SSE;
}

/* Exported: nsload.c tells the runtime itself from a hook library by it
 * (a ZPOLINE_HOOK that names libzpoline.so), and zpoline_start a copy of
 * the runtime already running (a preloaded one). */
__attribute__((visibility("default"))) const char zpoline_runtime[] = "libzpoline";

/* Secure-execution mode: no hook of the user's choice, and none that
 * prints: the built-in pass-through hook. */
static int zp_choose_builtin(void)
{
	zp_record_replay(0);
	return 0;
}

/*
 * Loads the hooks into chain 0 and makes the dispatch path use them:
 * list (ZPOLINE_HOOK's value, or zpoline_start's) and/or in_process (a
 * hook of the program's own, first in the chain); with neither, the
 * default tracer.  Returns the number of hooks in use.
 */
static unsigned zp_choose_hooks(const char *list, zpoline_hook_fn in_process)
{
	static const char *const vec_names[] = { "none", "SSE", "AVX", "AVX-512",
						 "AVX-512F" };
	struct zp_chain *ch = &zp_chains[0];
	const char *how = zp_embedded ? "zpoline_start" : "ZPOLINE_HOOK";
	char buf[4096], b1[20], b2[20];
	size_t lost;

	zp_loading_hook = 1;
	if (in_process)
		zp_chain_add_fn(ch, in_process);
	if (list && *list)
		zp_chain_load(ch, list);
	if (!ch->n && !zp_embedded) {
		how = "default";
		list = zp_default_hook_path(buf, sizeof buf);
		if (list)
			zp_chain_load(ch, list);
	}
	zp_loading_hook = 0;
	if (!ch->n) {
		zp_record_replay(0);
		if (list)
			zp_say("using the built-in pass-through hook", NULL);
	} else if ((lost = zp_chain_replay(ch))) {
		zp_say("the first ", zp_dec(b1, lost), " calls after the hook's"
		       " start could not be recorded for it", NULL);
	}
	/* With swapping on, a hook swapped in later may need the vector
	   state: it is always saved. */
	if (zp_swap_sig || (ch->n && !ch->no_vector))
		zp_vec_mode = zp_cpu_vec_mode();
	if (zp_swap_sig)
		zp_swap_start();
	if (!zp_swap_on && ch->n)
		zp_chain_start();
	if (zp_verbose)
		for (unsigned k = 0; k < ch->n; k++)
			zp_say("hook", ch->n == 1 ? "" : " ", ch->n == 1 ? "" : zp_dec(b1, k + 1),
			       ch->n == 1 ? "" : " of ", ch->n == 1 ? "" : zp_dec(b2, ch->n),
			       ": ", ch->h[k].path, " (", how, "), vector state"
			       " saved: ", vec_names[zp_vec_mode], NULL);
	return ch->n;
}

/*
 * Is this copy of the runtime the one the program loaded, in the initial
 * link-map namespace?  A copy that dlmopen put in a namespace of its own
 * (a hook path naming the runtime, say) must not start a second runtime.
 */
static int zp_in_base_namespace(void)
{
	Dl_info info;
	struct link_map *self = 0, *head;
	if (!dladdr1((void *)zp_in_base_namespace, &info, (void **)&self,
		     RTLD_DL_LINKMAP) || !self)
		return 1;
	/* The first object of the initial namespace is the program, whose
	   name is empty; a namespace dlmopen made starts with a library.
	   (Not _r_debug: a program's copy of it is not filled in yet.) */
	for (head = self; head->l_prev; head = head->l_prev)
		;
	return !head->l_name || !head->l_name[0];
}

/*
 * Start-up, part one (zp_start): the settings, the signal handlers, the
 * rewriting of every loaded object, then a recorder keeps each call until
 * the hooks are loaded.  libzpoline.so calls it before any constructor of
 * the program's libraries runs (preload.c: from an IFUNC resolver, while
 * ld.so relocates the runtime): libc is relocated but not initialised, so
 * zp_start uses raw system calls, and of libc only getauxval, dladdr and
 * dl_iterate_phdr (ld.so's data).  zpoline_start calls it from the
 * program.
 */
enum { ZP_NOT_STARTED, ZP_STARTED, ZP_HOOKED, ZP_OFF };
static int zp_state;
static unsigned long zp_t0, zp_t1;
int zp_embedded;

void zp_start(void)
{
	const char *swap;
	if (zp_state != ZP_NOT_STARTED)
		return;
	zp_state = ZP_OFF;
	if (!zp_in_base_namespace())
		return;
	zp_secure = getauxval(AT_SECURE) != 0;
	if (!zp_secure)
		zp_read_env();
	zp_read_config();
	zp_verbose = zp_is_on(zp_setting("verbose"));
	if (zp_verbose) /* timed only when asked: a tracer sees each call */
		zp_t0 = zp_now_ns();
	zp_read_sites_setting();
	swap = zp_setting("swap");
	if (swap && *swap)
		zp_swap_setting(swap);
	zp_dispatch_init();
	zp_fds_init();
	/* Not for a program that embeds the runtime: it did not ask for
	   files in its user's home. */
	if (!zp_secure && !zp_embedded)
		zp_cache_init(zp_setting("cache"), zp_getenv("XDG_CACHE_HOME"),
			      zp_getenv("HOME"));
	if (zp_install_handlers() < 0) {
		zp_say("cannot install the SIGSEGV and SIGILL handlers:"
		       " running unhooked", NULL);
		return;
	}
	zp_state = ZP_STARTED;
	zp_rewrite_loaded();
	zp_cache_done();
	zp_record_start();
	if (zp_verbose)
		zp_t1 = zp_now_ns();
}

/* What ZPOLINE_VERBOSE shows of the start-up. */
static void zp_report(unsigned long th)
{
	char b[20], b1[20], b2[20], b3[20], b4[20], b5[20], b6[20], b7[20];
	const unsigned long *t = zp_counts.ns;
	unsigned long t0 = zp_t0, t1 = zp_t1, t2 = zp_now_ns();
	zp_say("rewrote ", zp_dec(b, zp_counts.kind[ZP_ISLAND] +
				  zp_counts.kind[ZP_JUMP] +
				  zp_counts.kind[ZP_PAGE0]),
	       " sites: ", zp_dec(b1, zp_counts.kind[ZP_ISLAND]),
	       " island, ", zp_dec(b2, zp_counts.kind[ZP_JUMP]), " jump, ",
	       zp_dec(b3, zp_counts.kind[ZP_PAGE0]), " page 0", NULL);
	zp_say("start-up took ", zp_dec(b, (t1 - t0) / 1000),
	       " us: objects and mappings ", zp_dec(b1, t[ZP_T_OBJECTS] / 1000),
	       ", finding sites ", zp_dec(b2, t[ZP_T_FIND] / 1000),
	       ", planning ", zp_dec(b3, t[ZP_T_PLAN] / 1000),
	       ", gates ", zp_dec(b4, t[ZP_T_GATES] / 1000),
	       ", rewriting ", zp_dec(b5, t[ZP_T_WRITE] / 1000),
	       ", other ", zp_dec(b6, (t1 - t0 - t[ZP_T_OBJECTS] - t[ZP_T_FIND] -
			      t[ZP_T_PLAN] - t[ZP_T_GATES] - t[ZP_T_WRITE]) / 1000),
	       "; then loading the hook ", zp_dec(b7, (t2 - th) / 1000), NULL);
}

/* Start-up, part two (preload.c's constructor): libc is ready; load the
 * hooks ZPOLINE_HOOK names. */
void zp_start_hooks(void)
{
	unsigned long th = 0;

	zp_start();	/* if ld.so did not resolve the IFUNC (a dlopen, say) */
	if (zp_state != ZP_STARTED)
		return;
	zp_state = ZP_HOOKED;
	if (zp_verbose)
		th = zp_now_ns();
	if (zp_secure)
		zp_choose_builtin();
	else
		zp_choose_hooks(zp_setting("hook"), 0);
	if (zp_verbose)
		zp_report(th);
}

/*
 * Embedding (libzpoline.a): the program hooks its own calls from here on,
 * with the hook library hook_path (a namespace of its own; several, with
 * ':' between them) and/or in_process_hook (a function of the program's
 * own, first in the chain).  See zpoline.h.
 */
__attribute__((visibility("default")))
int zpoline_start(const char *hook_path, zpoline_hook_fn in_process_hook)
{
	unsigned long th = 0;
	const char *other;

	if (!hook_path && !in_process_hook)
		return -EINVAL;
	other = dlsym(RTLD_DEFAULT, "zpoline_runtime");
	if (zp_state != ZP_NOT_STARTED || (other && other != zpoline_runtime))
		return -EALREADY;	/* this runtime, or a preloaded one */
	zp_embedded = 1;
	zp_start();
	if (zp_state != ZP_STARTED)
		return -ENOSYS;
	zp_state = ZP_HOOKED;
	if (zp_verbose)
		th = zp_now_ns();
	if (!zp_choose_hooks(hook_path, in_process_hook))
		return -ENOENT;
	if (zp_verbose)
		zp_report(th);
	return 0;
}
