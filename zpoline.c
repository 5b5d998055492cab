/*
 * zpoline.c - start-up, rewriting and dispatch of libzpoline.so.
 *
 * Start-up (zp_init, a constructor: it runs before the program's own):
 *   1. map the trampoline: page 0 (the sled) and the hop page;
 *   2. install the SIGSEGV handler that sends calls with numbers beyond the
 *      sled to the stub (and everything else to the program's handler);
 *   3. read /proc/self/maps, let the decoder find the syscall instructions
 *      of every executable mapping, rewrite them into `call *%rax`;
 *   4. load the hook library (nsload.c) and publish its hook.
 * Run time: trampoline.S calls zp_enter for every system call, zp_leave
 * after it when the hook asked to see results.
 *
 * Invariants:
 *   - The dispatch path (zp_enter, zp_leave, zp_shared_leave, zp_next, the
 *     SIGSEGV handler and what they call) uses no libc and takes no lock:
 *     libc's own system calls come through it.  The kernel is entered with
 *     zp_raw_syscall or from trampoline.S.  No vector registers either
 *     (-mgeneral-regs-only), and no struct copies the compiler could turn
 *     into memcpy.
 *   - A byte is written only if the decoder reported it as part of a
 *     2-byte syscall/sysenter instruction, in a private mapping, with the
 *     mapping's execute bit kept and its exact protection restored.
 *   - The table of rewritten sites is built before the first rewritten
 *     instruction can run, and only read afterwards.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>

#include "decoder.h"
#include "runtime.h"
#include "zpoline.h"

/* ------------------------------------------------------------------------
 * Kernel calls and messages, without libc.
 */

#define sys0(n) zp_raw_syscall(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a) zp_raw_syscall(n, (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) zp_raw_syscall(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) \
	zp_raw_syscall(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) \
	zp_raw_syscall(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define sys6(n, a, b, c, d, e, f)                                         \
	zp_raw_syscall(n, (long)(a), (long)(b), (long)(c), (long)(d), \
		       (long)(e), (long)(f))

static int zp_verbose;


static void zp_copy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (n--)
		*d++ = *s++;
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
	sys3(SYS_write, 2, line, n);
}

/* Numbers for messages: buf must hold 19 bytes. */
static const char *zp_hex(char *buf, unsigned long v)
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

static const char *zp_dec(char *buf, unsigned long v)
{
	char *p = buf + 18;
	*p = 0;
	do
		*--p = '0' + v % 10;
	while (v /= 10);
	return p;
}

static const char *zp_errname(long err)
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

static void *zp_mmap(size_t len)
{
	long r = sys6(SYS_mmap, 0, len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return r < 0 ? 0 : (void *)r;
}

static unsigned long zp_now_ns(void)
{
	struct { long s, ns; } t;
	sys2(SYS_clock_gettime, 1 /* CLOCK_MONOTONIC */, &t);
	return t.s * 1000000000ul + t.ns;
}

/* ------------------------------------------------------------------------
 * The trampoline: page 0 and the hop page.
 */

#define ZP_HOP_TARGET (ZP_SLED_END + 5 + (uintptr_t)ZP_HOP_REL)
#define ZP_HOP_PAGE (ZP_HOP_TARGET & ~(uintptr_t)(ZP_PAGE - 1))
#define ZP_HLT 0xf4

/* Map one page of the trampoline at addr: hlt everywhere, then code. */
static long zp_map_code_page(uintptr_t addr, const unsigned char *code,
			     size_t len, size_t at)
{
	long r = sys6(SYS_mmap, addr, ZP_PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (r < 0)
		return r;
	if ((uintptr_t)r != addr) { /* a kernel without MAP_FIXED_NOREPLACE */
		sys2(SYS_munmap, r, ZP_PAGE);
		return -EEXIST;
	}
	volatile unsigned char *p = (volatile unsigned char *)addr;
	for (size_t i = 0; i < ZP_PAGE; i++)
		p[i] = ZP_HLT;
	for (size_t i = 0; i < len; i++)
		p[at + i] = code[i];
	/* Execute only; where the CPU has protection keys, that means the
	   program cannot read it either. */
	return sys3(SYS_mprotect, addr, ZP_PAGE, PROT_EXEC);
}

static int zp_map_trampoline(void)
{
	char b1[20], b2[20];
	long r = zp_map_code_page(0, zp_page0_sled,
				  zp_page0_sled_end - zp_page0_sled, 0);
	if (r < 0) {
		char v[32] = "?";
		long fd = sys2(SYS_open, "/proc/sys/vm/mmap_min_addr", O_RDONLY);
		if (fd >= 0) {
			long n = sys3(SYS_read, fd, v, sizeof v - 1);
			v[n > 0 ? n - (v[n - 1] == '\n') : 1] = 0;
			sys1(SYS_close, fd);
		}
		if (r == -EEXIST)
			zp_say("cannot map page 0: something is mapped there already;"
			       " running unhooked", NULL);
		else
			zp_say("cannot map page 0 (", zp_errname(r),
			       ", vm.mmap_min_addr = ", v, "): run as root or"
			       " `sysctl -w vm.mmap_min_addr=0`; running unhooked",
			       NULL);
		return -1;
	}
	r = zp_map_code_page(ZP_HOP_PAGE, zp_hop_code,
			     zp_hop_code_end - zp_hop_code,
			     ZP_HOP_TARGET - ZP_HOP_PAGE);
	if (r < 0) {
		zp_say("cannot map the hop page at ", zp_hex(b1, ZP_HOP_PAGE),
		       " (", zp_errname(r), "); running unhooked", NULL);
		sys2(SYS_munmap, 0, ZP_PAGE);
		return -1;
	}
	if (zp_verbose)
		zp_say("trampoline: sled at 0x0-", zp_hex(b1, ZP_SLED_END - 1),
		       ", hop page at ", zp_hex(b2, ZP_HOP_PAGE), NULL);
	return 0;
}

/* Does [a, a+len) touch the trampoline's pages? */
static int zp_touches_trampoline(uintptr_t a, uintptr_t len)
{
	uintptr_t e = a + len;
	if (len && e < a)
		return 1;
	return (a < ZP_PAGE && len) || (a < ZP_HOP_PAGE + ZP_PAGE && e > ZP_HOP_PAGE);
}

/* ------------------------------------------------------------------------
 * The set of rewritten sites: an open-addressing hash table of their
 * addresses, read by zp_enter and the SIGSEGV handler without a lock.
 * Sites are added at start-up and when an executable file is mapped later
 * (zp_rewrite_mapped), each before its bytes are rewritten, with a
 * compare-and-swap on its slot; the table is never resized, and never
 * shrinks (a library unmapped later leaves its addresses behind).
 */

struct zp_site_table {
	unsigned bits;	/* 2^bits slots */
	size_t used;	/* at most half the slots */
	uintptr_t slot[];
};

static struct zp_site_table *zp_sites;

#define ZP_SITE_MIN_BITS 13 /* 8192 slots: room for libraries loaded later */

static inline __attribute__((always_inline)) size_t
zp_site_slot(const struct zp_site_table *t, uintptr_t a)
{
	return (a * 0x9e3779b97f4a7c15ul) >> (64 - t->bits);
}

static inline __attribute__((always_inline)) int zp_site_known(uintptr_t a)
{
	const struct zp_site_table *t = zp_sites;
	if (!t)
		return 0;
	size_t mask = ((size_t)1 << t->bits) - 1;
	for (size_t i = zp_site_slot(t, a);; i = (i + 1) & mask) {
		uintptr_t v = __atomic_load_n(&t->slot[i], __ATOMIC_RELAXED);
		if (v == a)
			return 1;
		if (v == 0)
			return 0;
	}
}

/* Adds a; 0 if it is in the table now, -1 if the table is full. */
static int zp_site_add(uintptr_t a)
{
	struct zp_site_table *t = zp_sites;
	size_t mask = ((size_t)1 << t->bits) - 1;
	if (__atomic_add_fetch(&t->used, 1, __ATOMIC_RELAXED) > mask / 2)
		return -1;
	for (size_t i = zp_site_slot(t, a);; i = (i + 1) & mask) {
		uintptr_t v = 0;
		if (__atomic_compare_exchange_n(&t->slot[i], &v, a, 0,
						__ATOMIC_RELEASE, __ATOMIC_RELAXED) ||
		    v == a)
			return 0;
	}
}

static int zp_sites_create(size_t n)
{
	unsigned bits = ZP_SITE_MIN_BITS;
	while (((size_t)1 << bits) < 4 * n)
		bits++;
	struct zp_site_table *t =
		zp_mmap(sizeof *t + (sizeof t->slot[0] << bits));
	if (!t)
		return -1;
	t->bits = bits;
	zp_sites = t;
	return 0;
}

/* ------------------------------------------------------------------------
 * /proc/self/maps, read with raw calls.
 */

struct zp_map {
	uintptr_t lo, hi;
	unsigned long off, inode, dev;
	int prot;
	int shared;
	const char *name; /* "" for anonymous mappings */
};

static struct zp_map *zp_maps;
static size_t zp_nmaps;

static unsigned long zp_parse_hex(const char **s)
{
	unsigned long v = 0;
	for (;; (*s)++) {
		char c = **s;
		if (c >= '0' && c <= '9')
			v = v * 16 + c - '0';
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + c - 'a' + 10;
		else
			return v;
	}
}

/* Reads the whole file into an mmap'd buffer; returns its length or -1. */
static long zp_read_maps(char **bufp)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = zp_mmap(cap);
	long fd = sys2(SYS_open, "/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (!buf || fd < 0)
		return -1;
	for (;;) {
		if (n + 4096 > cap) {
			long r = sys4(SYS_mremap, buf, cap, 2 * cap, MREMAP_MAYMOVE);
			if (r < 0)
				break;
			buf = (char *)r;
			cap *= 2;
		}
		long r = sys3(SYS_read, fd, buf + n, cap - n - 1);
		if (r <= 0)
			break;
		n += r;
	}
	sys1(SYS_close, fd);
	buf[n] = 0;
	*bufp = buf;
	return n;
}

static int zp_load_maps(void)
{
	char *buf;
	long len = zp_read_maps(&buf);
	size_t lines = 0;
	if (len < 0)
		return -1;
	for (long i = 0; i < len; i++)
		lines += buf[i] == '\n';
	zp_maps = zp_mmap((lines + 1) * sizeof *zp_maps);
	if (!zp_maps)
		return -1;
	for (const char *s = buf; *s && zp_nmaps <= lines;) {
		struct zp_map *m = &zp_maps[zp_nmaps++];
		m->lo = zp_parse_hex(&s), s++;
		m->hi = zp_parse_hex(&s), s++;
		m->prot = (s[0] == 'r' ? PROT_READ : 0) |
			  (s[1] == 'w' ? PROT_WRITE : 0) |
			  (s[2] == 'x' ? PROT_EXEC : 0);
		m->shared = s[3] == 's';
		s += 5;
		m->off = zp_parse_hex(&s), s++;
		m->dev = zp_parse_hex(&s) << 32, s++;
		m->dev |= zp_parse_hex(&s), s++;
		m->inode = 0;
		while (*s >= '0' && *s <= '9')
			m->inode = m->inode * 10 + *s++ - '0';
		while (*s == ' ')
			s++;
		m->name = s;
		while (*s && *s != '\n')
			s++;
		if (*s)
			*(char *)s++ = 0;
	}
	return 0;
}

/* The mapping an address lies in: its file's name ("" if none found) and
 * the address's offset in the file, for messages. */
static const char *zp_describe(uintptr_t a, uintptr_t *off)
{
	for (size_t i = 0; i < zp_nmaps; i++)
		if (a >= zp_maps[i].lo && a < zp_maps[i].hi) {
			*off = a - zp_maps[i].lo + zp_maps[i].off;
			return zp_maps[i].name[0] ? zp_maps[i].name : "anonymous";
		}
	return "";
}

/* ------------------------------------------------------------------------
 * Rewriting.
 */

struct zp_found {
	uintptr_t *a;
	size_t n, cap;
	size_t skipped_own;
};

static int zp_is_own_syscall(uintptr_t a)
{
	for (const int32_t *e = __start_zp_own; e < __stop_zp_own; e++)
		if ((uintptr_t)e + *e == a)
			return 1;
	return 0;
}

static void zp_collect(void *ctx, uintptr_t a)
{
	struct zp_found *f = ctx;
	if (zp_is_own_syscall(a)) {
		f->skipped_own++;
		return;
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 1024;
		uintptr_t *na = zp_mmap(cap * sizeof *na);
		if (!na)
			return;
		zp_copy(na, f->a, f->n * sizeof *na);
		if (f->a)
			sys2(SYS_munmap, f->a, f->cap * sizeof *na);
		f->a = na;
		f->cap = cap;
	}
	f->a[f->n++] = a;
}

static int zp_ehdr_ok(const Elf64_Ehdr *eh)
{
	return eh->e_ident[EI_MAG0] == ELFMAG0 && eh->e_ident[EI_MAG1] == ELFMAG1 &&
	       eh->e_ident[EI_MAG2] == ELFMAG2 && eh->e_ident[EI_MAG3] == ELFMAG3 &&
	       eh->e_ident[EI_CLASS] == ELFCLASS64 && eh->e_machine == EM_X86_64 &&
	       eh->e_phentsize == sizeof(Elf64_Phdr);
}

/* The ELF object an executable mapping belongs to: the mapping of the same
 * file at offset 0 just before it holds the ELF header. */
static int zp_object_of(size_t i, struct zp_elf *elf)
{
	size_t j = i;
	while (zp_maps[j].off != 0) {
		if (j == 0 || zp_maps[j - 1].inode != zp_maps[i].inode ||
		    zp_maps[j - 1].dev != zp_maps[i].dev ||
		    zp_maps[j - 1].hi != zp_maps[j].lo)
			return -1;
		j--;
	}
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)zp_maps[j].lo;
	if (!(zp_maps[j].prot & PROT_READ) ||
	    zp_maps[j].hi - zp_maps[j].lo < sizeof *eh || !zp_ehdr_ok(eh) ||
	    eh->e_phoff + eh->e_phnum * sizeof(Elf64_Phdr) >
		    zp_maps[j].hi - zp_maps[j].lo)
		return -1;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(zp_maps[j].lo + eh->e_phoff);
	for (unsigned k = 0; k < eh->e_phnum; k++) {
		if (ph[k].p_type == PT_LOAD && ph[k].p_offset == 0) {
			elf->bias = zp_maps[j].lo - (ph[k].p_vaddr & ~(uintptr_t)(ZP_PAGE - 1));
			elf->phdr = ph;
			elf->phnum = eh->e_phnum;
			return 0;
		}
	}
	return -1;
}

/* Rewrites the sites a[0..n) of mapping m; returns how many. */
static size_t zp_rewrite_mapping(const struct zp_map *m, const uintptr_t *a,
				 size_t n)
{
	char b[20];
	if (!n)
		return 0;
	if (m->shared) {
		zp_say("cannot rewrite ", m->name, ": a shared mapping (", zp_dec(b, n),
		       " system calls stay unhooked)", NULL);
		return 0;
	}
	uintptr_t lo = a[0] & ~(uintptr_t)(ZP_PAGE - 1);
	uintptr_t hi = (a[n - 1] + 2 + ZP_PAGE - 1) & ~(uintptr_t)(ZP_PAGE - 1);
	long r = sys3(SYS_mprotect, lo, hi - lo, m->prot | PROT_WRITE);
	if (r < 0) {
		zp_say("cannot rewrite ", m->name, ": mprotect: ", zp_errname(r),
		       " (", zp_dec(b, n), " system calls stay unhooked)", NULL);
		return 0;
	}
	for (size_t k = 0; k < n; k++) /* 0f 05 -> ff d0: call *%rax */
		if (zp_site_add(a[k]) == 0)
			*(volatile uint16_t *)a[k] = 0xd0ff;
	r = sys3(SYS_mprotect, lo, hi - lo, m->prot);
	if (r < 0)
		zp_say("cannot restore the protection of ", m->name, ": ",
		       zp_errname(r), NULL);
	return n;
}

static unsigned long zp_t_scan, zp_t_rewrite; /* ns, for the verbose report */

static void zp_rewrite_all(void)
{
	struct zp_found f = { 0 };
	size_t *first = 0, nexec = 0;
	char b1[20], b2[20];
	unsigned long t0 = zp_now_ns();

	if (zp_load_maps() < 0) {
		zp_say("cannot read /proc/self/maps; running unhooked", NULL);
		return;
	}
	first = zp_mmap((zp_nmaps + 1) * sizeof *first);
	if (!first)
		return;
	/* Find every site first, then rewrite: the decoder reads code that
	   the rewriting changes. */
	for (size_t i = 0; i < zp_nmaps; i++) {
		const struct zp_map *m = &zp_maps[i];
		struct zp_scan_stats st = { 0 };
		struct zp_elf elf;
		first[i] = f.n;
		if (!(m->prot & PROT_EXEC))
			continue;
		nexec++;
		if (m->lo < ZP_PAGE || m->lo == ZP_HOP_PAGE)
			continue; /* the trampoline */
		if (m->name[0] == '[') {
			if (zp_verbose)
				zp_say("skipped ", m->name, NULL);
			continue;
		}
		if (!(m->prot & PROT_READ) || !m->inode || zp_object_of(i, &elf) < 0) {
			zp_say("skipped ", m->name[0] ? m->name : "an anonymous mapping",
			       " at ", zp_hex(b1, m->lo), !(m->prot & PROT_READ)
			       ? ": not readable" : ": not an ELF object",
			       NULL);
			continue;
		}
		zp_find_sites(&elf, m->lo, m->hi, zp_collect, &f, &st);
		if (zp_verbose)
			zp_say(m->name, ": ", zp_dec(b1, f.n - first[i]), " sites, ",
			       zp_dec(b2, st.unplaced), " unplaced candidates"
			       " (byte pairs that look like syscall: left alone)",
			       NULL);
	}
	first[zp_nmaps] = f.n;
	zp_t_scan = zp_now_ns() - t0;
	if (zp_sites_create(f.n) < 0) {
		zp_say("out of memory; running unhooked", NULL);
		return;
	}
	size_t done = 0;
	for (size_t i = 0; i < zp_nmaps; i++)
		done += zp_rewrite_mapping(&zp_maps[i], f.a + first[i],
					   first[i + 1] - first[i]);
	zp_t_rewrite = zp_now_ns() - t0 - zp_t_scan;
	if (zp_verbose)
		zp_say("rewrote ", zp_dec(b1, done), " sites in ",
		       zp_dec(b2, nexec), " executable mappings", NULL);
	if (f.a)
		sys2(SYS_munmap, f.a, f.cap * sizeof *f.a);
	sys2(SYS_munmap, first, (zp_nmaps + 1) * sizeof *first);
}

/*
 * An executable file mapping made after start-up, at addr (mmap's result,
 * mapping the file from offset off): ld.so mapping the code of a library
 * the program loads.  By then ld.so has mapped the whole file from offset
 * 0 at the object's base, and the segments it has not mapped yet show
 * through that first mapping, with the right bytes where a segment's
 * p_vaddr - p_offset equals the first segment's, as with the usual
 * linkers' layouts.  So the ELF header is read at addr - off, through
 * zp_safe_copy (a layout that breaks the rule may leave nothing mapped
 * there), and the object is used only if its text and read-only segments
 * follow the rule; the decoder then finds .eh_frame_hdr in place.  Only an
 * object with sites costs system calls (two mprotect).  Called from the
 * dispatch path: raw calls only.
 */
#define ZP_MAX_PHDR 32

struct zp_mapped {
	const Elf64_Phdr *text;
	struct zp_elf elf;
	Elf64_Phdr ph[ZP_MAX_PHDR];
};

static int zp_mapped_object(uintptr_t addr, uintptr_t off, struct zp_mapped *o)
{
	const uintptr_t pmask = ZP_PAGE - 1;
	const Elf64_Phdr *first = 0;
	uintptr_t base = addr - off;
	Elf64_Ehdr eh;

	o->text = 0;
	if (off > addr || zp_safe_copy(&eh, (const void *)base, sizeof eh) < 0 ||
	    !zp_ehdr_ok(&eh) || eh.e_phnum > ZP_MAX_PHDR ||
	    zp_safe_copy(o->ph, (const void *)(base + eh.e_phoff),
			 eh.e_phnum * sizeof *o->ph) < 0)
		return -1;
	for (unsigned k = 0; k < eh.e_phnum; k++) {
		const Elf64_Phdr *p = &o->ph[k];
		if (p->p_type != PT_LOAD)
			continue;
		if (p->p_offset == 0)
			first = p;
		if ((p->p_flags & PF_X) && (p->p_offset & ~pmask) == off)
			o->text = p;
	}
	if (!first || !o->text)
		return -1;
	for (unsigned k = 0; k < eh.e_phnum; k++) {
		const Elf64_Phdr *p = &o->ph[k];
		if (p->p_type == PT_LOAD && !(p->p_flags & PF_W) &&
		    p->p_vaddr - p->p_offset != first->p_vaddr)
			return -1;
	}
	o->elf.bias = base - first->p_vaddr;
	o->elf.phdr = o->ph;
	o->elf.phnum = eh.e_phnum;
	return 0;
}

/* The path of file descriptor fd, for messages. */
static void zp_fd_name(long fd, char *name, size_t size)
{
	char link[40] = "/proc/self/fd/", d[20];
	size_t k = 14;
	for (const char *p = zp_dec(d, fd); *p; p++)
		link[k++] = *p;
	link[k] = 0;
	long r = sys3(SYS_readlink, link, name, size - 1);
	name[r > 0 ? r : 0] = 0;
}

static void zp_count_site(void *ctx, uintptr_t a)
{
	++*(size_t *)ctx;
}

static void zp_rewrite_later_site(void *ctx, uintptr_t a)
{
	if (zp_site_add(a) == 0) {
		*(volatile uint16_t *)a = 0xd0ff;
		++*(size_t *)ctx;
	}
}

static void zp_rewrite_mapped(const struct zpoline_call *c, uintptr_t addr)
{
	uintptr_t len = (c->args[1] + ZP_PAGE - 1) & ~(uintptr_t)(ZP_PAGE - 1);
	struct zp_scan_stats st = { 0 };
	struct zp_mapped o;
	size_t found = 0, done = 0;
	char name[256], b1[20], b2[20];

	if (zp_mapped_object(addr, c->args[5], &o) < 0) {
		if (zp_verbose) {
			zp_fd_name(c->args[4], name, sizeof name);
			zp_say(name, " (mapped after start-up): not an ELF object"
			       " laid out as expected; not rewritten", NULL);
		}
		return;
	}
	zp_find_sites(&o.elf, addr, addr + len, zp_count_site, &found, &st);
	if (found && sys3(SYS_mprotect, addr, len, c->args[2] | PROT_WRITE) == 0) {
		zp_find_sites(&o.elf, addr, addr + len, zp_rewrite_later_site,
			      &done, &st);
		sys3(SYS_mprotect, addr, len, c->args[2]);
	}
	if (done < found || zp_verbose) {
		zp_fd_name(c->args[4], name, sizeof name);
		zp_say(name, " (mapped after start-up): ", zp_dec(b1, done), " of ",
		       zp_dec(b2, found), " sites rewritten", NULL);
	}
}

/* ------------------------------------------------------------------------
 * The hook in use, and the thread-local state of the dispatch path.
 */

static long zp_builtin_hook(struct zpoline_call *c)
{
	return ZPOLINE_DO_SYSCALL;
}

static zpoline_hook_fn zp_hook = zp_builtin_hook;
static void (*zp_after)(const struct zpoline_call *, long);
static void (*zp_flush)(void);
unsigned char zp_vec_mode = ZP_VEC_NONE;

__thread struct zp_thread zp_tls __attribute__((tls_model("initial-exec"),
						 visibility("hidden")));

_Static_assert(offsetof(struct zp_frame, call.nr) == F_NR, "frame");
_Static_assert(offsetof(struct zp_frame, call.args[0]) == F_ARG0, "frame");
_Static_assert(offsetof(struct zp_frame, call.args[5]) == F_ARG5, "frame");
_Static_assert(offsetof(struct zp_frame, call.site) == F_SITE, "frame");
_Static_assert(offsetof(struct zp_frame, how) == F_HOW, "frame");
_Static_assert(offsetof(struct zp_frame, rdi) == F_RDI, "frame");
_Static_assert(offsetof(struct zp_frame, r9) == F_R9, "frame");
_Static_assert(offsetof(struct zp_frame, rbp) == F_RBP, "frame");
_Static_assert(offsetof(struct zp_frame, ret) == F_RET, "frame");
_Static_assert(offsetof(struct zp_frame, rflags) == F_RFLAGS, "frame");
_Static_assert(sizeof(struct zp_frame) == F_SIZE, "frame");
_Static_assert(offsetof(struct zp_thread, shared_ret) == T_SHARED_RET, "tls");

static void zp_copy_call(struct zpoline_call *d, const struct zpoline_call *s)
{
	d->nr = s->nr;
	for (int i = 0; i < 6; i++)
		d->args[i] = s->args[i];
	d->site = s->site;
}

static void zp_call_after(const struct zpoline_call *c, long result)
{
	zp_tls.in_hook = 1;
	zp_after(c, result);
	zp_tls.in_hook = 0;
}

/* Before the process ends or execs: let the hook flush what it keeps. */
static void zp_flush_hook(void)
{
	zp_tls.in_hook = 1;
	if (zp_flush)
		zp_flush();
	zp_ns_flush();
	zp_tls.in_hook = 0;
}

/* ------------------------------------------------------------------------
 * SIGSEGV: the runtime keeps its handler installed and holds the program's
 * own action for SIGSEGV, which rt_sigaction reads and writes instead.
 */

struct zp_ksigaction { /* the kernel's struct sigaction on x86-64 */
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long mask;
};

#define ZP_SA_RESTORER 0x04000000
static struct zp_ksigaction zp_app_segv; /* the program's SIGSEGV action */

static void zp_segv_handler(int sig, siginfo_t *si, void *ucv);

static long zp_install_segv(const struct zp_ksigaction *app)
{
	struct zp_ksigaction k = {
		.handler = (void *)zp_segv_handler,
		.flags = SA_SIGINFO | ZP_SA_RESTORER |
			 (app->flags & (SA_ONSTACK | SA_NODEFER | SA_RESTART)),
		.restorer = (void *)zp_sigreturn_restorer,
		.mask = app->mask,
	};
	return sys4(SYS_rt_sigaction, SIGSEGV, &k, 0, sizeof k.mask);
}

/* rt_sigaction(SIGSEGV, act, oact): the kernel gets the call (so it sees,
 * and validates, what the program does), with the runtime's handler in
 * place of the program's; oact reports the program's own action. */
static long zp_sigaction_segv(const struct zpoline_call *c)
{
	struct zp_ksigaction act, old = zp_app_segv, cur;
	long r;
	if (c->args[3] != sizeof act.mask || !c->args[1])
		r = zp_raw_syscall(SYS_rt_sigaction, SIGSEGV, 0, (long)&cur,
				   c->args[3], 0, 0);
	else if (zp_safe_copy(&act, (const void *)c->args[1], sizeof act) < 0)
		r = -EFAULT;
	else if ((r = zp_install_segv(&act)) == 0)
		zp_app_segv = act;
	if (r == 0 && c->args[2] &&
	    zp_safe_copy((void *)c->args[2], &old, sizeof old) < 0)
		r = -EFAULT;
	return r;
}

/* A SIGSEGV that is not the runtime's: do what the program asked for. */
static void zp_forward_segv(int sig, siginfo_t *si, ucontext_t *uc)
{
	struct zp_ksigaction a = zp_app_segv;
	if (a.handler == SIG_IGN && si->si_code <= 0)
		return; /* sent with kill() and ignored */
	if (a.handler == SIG_DFL || a.handler == SIG_IGN) {
		struct zp_ksigaction dfl = { .handler = SIG_DFL };
		sys4(SYS_rt_sigaction, SIGSEGV, &dfl, 0, sizeof dfl.mask);
		if (si->si_code <= 0) /* not a fault: it will not happen again */
			sys3(SYS_tgkill, sys0(SYS_getpid), sys0(SYS_gettid), SIGSEGV);
		return; /* a fault: it happens again, now with the default action */
	}
	if (a.flags & SA_RESETHAND) {
		zp_app_segv.handler = SIG_DFL;
		zp_app_segv.flags = 0;
	}
	if (a.flags & SA_SIGINFO)
		((void (*)(int, siginfo_t *, void *))a.handler)(sig, si, uc);
	else
		((void (*)(int))a.handler)(sig);
}

/* Is a fault at rip one that a rewritten call with a number beyond the sled
 * ends in?  The call jumped to rax: to unmapped memory, or to the fault
 * bytes of the trampoline. */
static int zp_in_fault_bytes(uintptr_t rip, uintptr_t rax)
{
	if (rip == rax)
		return 1;
	if (rip > ZP_SLED_END && rip < ZP_PAGE)
		return 1;
	return rip >= ZP_HOP_PAGE && rip < ZP_HOP_PAGE + ZP_PAGE &&
	       rip != ZP_HOP_TARGET;
}

static void zp_segv_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	uintptr_t rip = g[REG_RIP], rax = g[REG_RAX], rsp = g[REG_RSP];

	if (rip >= (uintptr_t)zp_safe_copy && rip < (uintptr_t)zp_safe_copy_fixup) {
		g[REG_RIP] = (greg_t)zp_safe_copy_fixup;
		return;
	}
	if (si->si_code > 0) { /* raised by the CPU, not sent */
		/* A non-canonical rax: #GP at the call itself, nothing pushed. */
		if ((uint64_t)(rax + (1ul << 47)) >= (1ul << 48) && zp_site_known(rip)) {
			*(uintptr_t *)(rsp - 8) = rip + 2;
			g[REG_RSP] = rsp - 8;
			g[REG_RIP] = (greg_t)zp_entry;
			return;
		}
		/* The call went through and its target faulted. */
		if (zp_in_fault_bytes(rip, rax) &&
		    zp_site_known(*(uintptr_t *)rsp - 2)) {
			g[REG_RIP] = (greg_t)zp_entry;
			return;
		}
	}
	zp_forward_segv(sig, si, uc);
}

/* ------------------------------------------------------------------------
 * The dispatch path.
 */

/* System call numbers that need the runtime's attention (zp_special), as
 * a bitmap that zp_init fills in from this list. */
static const unsigned short zp_special_nrs[] = {
	SYS_rt_sigreturn, SYS_clone, SYS_clone3, SYS_vfork, SYS_rt_sigaction,
	SYS_mmap, SYS_munmap, SYS_mprotect, SYS_mremap, SYS_shmat,
	SYS_exit, SYS_exit_group, SYS_execve, SYS_execveat,
};
static uint64_t zp_special_bits[ZP_SLED_END / 64];

static inline __attribute__((always_inline)) int zp_is_special(unsigned long nr)
{
	return nr < ZP_SLED_END && (zp_special_bits[nr / 64] >> (nr % 64) & 1);
}

static int zp_loading_hook; /* the hook namespace's code is never rewritten */

/* Is mmap call c mapping the code of an object, for the program (not for
 * the hook: a call that bypassed the hook has hooked == 0)? */
static int zp_maps_code(const struct zpoline_call *c, int hooked)
{
	return hooked && !zp_loading_hook && (c->args[2] & PROT_EXEC) &&
	       (c->args[3] & MAP_TYPE) == MAP_PRIVATE &&
	       !(c->args[3] & MAP_ANONYMOUS) && (int)c->args[4] >= 0;
}

struct zp_clone3_args { /* the first fields of struct clone_args */
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
		stack_size;
};

/* How clone, clone3 or vfork must be made; *sp = the child's new stack. */
static unsigned zp_clone_kind(const struct zpoline_call *c, uintptr_t *sp)
{
	unsigned long flags;
	*sp = 0;
	if (c->nr == SYS_vfork)
		return ZP_HOW_SHARED;
	if (c->nr == SYS_clone) {
		flags = c->args[0];
		*sp = c->args[1];
	} else {
		struct zp_clone3_args ca;
		if ((unsigned long)c->args[1] < sizeof ca ||
		    zp_safe_copy(&ca, (const void *)c->args[0], sizeof ca) < 0)
			return ZP_HOW_PLAIN; /* the kernel says EINVAL/EFAULT */
		flags = ca.flags;
		*sp = ca.stack ? ca.stack + ca.stack_size : 0;
	}
	if (*sp)
		return ZP_HOW_NEWSTACK;
	return flags & CLONE_VM ? ZP_HOW_SHARED : ZP_HOW_PLAIN;
}

/*
 * What the runtime does around call c besides entering the kernel.  Returns
 * a result when the runtime answers the call itself, else
 * ZPOLINE_DO_SYSCALL with *kind set.  With ret == 0 (from next(), inside
 * the hook) it only classifies: the preparations for the kinds made by the
 * stub happen when the hook has returned.
 */
static long zp_special(const struct zpoline_call *c, uintptr_t ret,
		       int hooked, unsigned *kind)
{
	uintptr_t sp;
	switch (c->nr) {
	case SYS_rt_sigreturn:
		*kind = ZP_HOW_SIGRETURN;
		break;
	case SYS_clone: case SYS_clone3: case SYS_vfork:
		*kind = zp_clone_kind(c, &sp);
		if (!ret)
			break;
		if (*kind == ZP_HOW_NEWSTACK &&
		    zp_safe_copy((void *)(sp - 8), &ret, sizeof ret) < 0)
			return -EFAULT;
		if (*kind == ZP_HOW_SHARED) {
			zp_tls.shared_ret = ret;
			zp_copy_call(&zp_tls.shared_call, c);
			zp_tls.shared_leave = hooked && zp_after;
		}
		break;
	case SYS_rt_sigaction:
		if (c->args[0] == SIGSEGV)
			return zp_sigaction_segv(c);
		break;
	case SYS_mmap:
		if ((c->args[3] & MAP_FIXED) &&
		    zp_touches_trampoline(c->args[0], c->args[1]))
			return -EPERM;
		if (zp_maps_code(c, hooked))
			*kind |= ZP_HOW_REWRITE;
		break;
	case SYS_mremap:
		if (zp_touches_trampoline(c->args[0], c->args[1]) ||
		    ((c->args[3] & MREMAP_FIXED) &&
		     zp_touches_trampoline(c->args[4], c->args[2])))
			return -EPERM;
		break;
	case SYS_munmap: case SYS_mprotect:
		if (zp_touches_trampoline(c->args[0], c->args[1]))
			return -EINVAL;
		break;
	case SYS_shmat:
		if (c->args[1] && zp_touches_trampoline(c->args[1], ZP_PAGE))
			return -EPERM;
		break;
	case SYS_exit: case SYS_exit_group: case SYS_execve: case SYS_execveat:
		if (hooked)
			zp_flush_hook();
		break;
	}
	return ZPOLINE_DO_SYSCALL;
}

#define ZP_IS_ERR(r) ((unsigned long)(r) >= -4095ul)

/* init->next: makes the call now, unless only the stub can make it. */
static long zp_next(struct zpoline_call *c)
{
	unsigned kind = ZP_HOW_PLAIN;
	if (zp_is_special(c->nr)) {
		long r = zp_special(c, 0, 1, &kind);
		if (r != ZPOLINE_DO_SYSCALL || (kind & ZP_HOW_KIND) != ZP_HOW_PLAIN)
			return r;
	}
	long r = zp_raw_syscall(c->nr, c->args[0], c->args[1], c->args[2],
				c->args[3], c->args[4], c->args[5]);
	if ((kind & ZP_HOW_REWRITE) && !ZP_IS_ERR(r))
		zp_rewrite_mapped(c, r);
	return r;
}

/* A jump into page 0 from somewhere that is not a rewritten site. */
static long zp_stray(struct zp_frame *f)
{
	char b1[20], b2[20], b3[20];
	uintptr_t off = 0;
	const char *name = zp_describe(f->ret - 2, &off);
	zp_say("a jump to page 0 (rax = ", zp_hex(b1, f->call.nr),
	       ") came from ", zp_hex(b2, f->ret - 2), " (", *name ? name : "?",
	       *name ? "+" : "", *name ? zp_hex(b3, off) : "", ")",
	       ", which is not a rewritten system call: a call through a null"
	       " pointer?  Raising SIGSEGV there", NULL);
	f->how = ZP_HOW_STRAY;
	return ZPOLINE_DO_SYSCALL;
}

/* zp_enter for the calls zp_is_special picks. */
static __attribute__((noinline)) long zp_enter_special(struct zp_frame *f,
						       int hooked)
{
	unsigned kind = ZP_HOW_PLAIN;
	long r = zp_special(&f->call, f->ret, hooked, &kind);
	if (r != ZPOLINE_DO_SYSCALL) {
		if (hooked && zp_after)
			zp_call_after(&f->call, r);
		return r;
	}
	if (hooked && zp_after)
		kind |= ZP_HOW_AFTER;
	f->how = kind;
	return ZPOLINE_DO_SYSCALL;
}

/* From the stub, for every call: the hook's answer, or ZPOLINE_DO_SYSCALL
 * with f->how saying how the stub makes the call. */
long zp_enter(struct zp_frame *f)
{
	int hooked = 0;

	if (!zp_site_known((uintptr_t)f->call.site))
		return zp_stray(f);
	if (!zp_tls.in_hook) {
		zp_tls.in_hook = 1;
		long r = zp_hook(&f->call);
		zp_tls.in_hook = 0;
		if (r != ZPOLINE_DO_SYSCALL)
			return r;
		hooked = 1;
	}
	if (zp_is_special(f->call.nr))
		return zp_enter_special(f, hooked);
	if (hooked && zp_after)
		f->how = ZP_HOW_AFTER;
	return ZPOLINE_DO_SYSCALL;
}

static int zp_is_fork_child(long nr, long result)
{
	return result == 0 && (nr == SYS_clone || nr == SYS_clone3 ||
			       nr == SYS_fork || nr == SYS_vfork);
}

long zp_leave(struct zp_frame *f, long result)
{
	if ((f->how & ZP_HOW_REWRITE) && !ZP_IS_ERR(result))
		zp_rewrite_mapped(&f->call, result);
	if ((f->how & ZP_HOW_AFTER) && !zp_is_fork_child(f->call.nr, result))
		zp_call_after(&f->call, result);
	return result;
}

long zp_shared_leave(struct zp_frame *f, long result)
{
	zp_copy_call(&f->call, &zp_tls.shared_call);
	if (zp_tls.shared_leave) {
		zp_tls.shared_leave = 0;
		zp_call_after(&f->call, result);
	}
	return result;
}

/* ------------------------------------------------------------------------
 * Start-up.
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

/* Secure-execution mode (set-user-ID, set-capability): the real user
 * chooses nothing; every setting reads as unset. */
static int zp_secure;

/* init->setting: ZPOLINE_<NAME> from the environment. */
static const char *zp_setting(const char *name)
{
	char var[64] = "ZPOLINE_";
	size_t n = 8;
	if (zp_secure)
		return 0;
	for (; *name && n < sizeof var - 1; name++)
		var[n++] = *name >= 'a' && *name <= 'z' ? *name - 32 : *name;
	var[n] = 0;
	return getenv(var);
}

static zpoline_hook_fn zp_try_hook(const char *path, struct zpoline_init *init)
{
	*init = (struct zpoline_init){
		.abi_version = ZPOLINE_ABI_VERSION,
		.size = sizeof *init,
		.next = zp_next,
		.setting = zp_setting,
	};
	return zp_load_hook(path, init);
}

static void zp_choose_hook(void)
{
	static const char *const vec_names[] = { "none", "SSE", "AVX", "AVX-512",
						 "AVX-512F" };
	struct zpoline_init init;
	zpoline_hook_fn fn = 0;
	const char *path = zp_setting("hook"), *how = "ZPOLINE_HOOK";
	char buf[4096];

	if (zp_secure) /* no hook of the user's choice, and none that prints */
		return;
	zp_loading_hook = 1;
	if (path && *path)
		fn = zp_try_hook(path, &init);
	if (!fn) {
		how = "default";
		path = zp_default_hook_path(buf, sizeof buf);
		if (path)
			fn = zp_try_hook(path, &init);
	}
	zp_loading_hook = 0;
	if (!fn) {
		if (path)
			zp_say("using the built-in pass-through hook", NULL);
		return;
	}
	zp_after = init.after;
	zp_flush = init.flush;
	zp_vec_mode = init.flags & ZPOLINE_HOOK_NO_VECTOR ? ZP_VEC_NONE
							  : zp_cpu_vec_mode();
	zp_hook = fn;
	if (zp_verbose)
		zp_say("hook: ", path, " (", how, "), vector state saved: ",
		       vec_names[zp_vec_mode], NULL);
}

__attribute__((constructor)) static void zp_init(void)
{
	const char *v;
	unsigned long t0 = zp_now_ns();
	char b[20];
	struct zp_ksigaction old;

	zp_secure = getauxval(AT_SECURE) != 0;
	v = zp_setting("verbose");
	zp_verbose = v && *v && !(v[0] == '0' && !v[1]);
	for (size_t i = 0; i < sizeof zp_special_nrs / sizeof *zp_special_nrs; i++)
		zp_special_bits[zp_special_nrs[i] / 64] |= 1ul << (zp_special_nrs[i] % 64);
	if (zp_map_trampoline() < 0)
		return;
	if (sys4(SYS_rt_sigaction, SIGSEGV, 0, &old, sizeof old.mask) == 0)
		zp_app_segv = old;
	if (zp_install_segv(&zp_app_segv) < 0)
		zp_say("cannot install the SIGSEGV handler: calls with numbers"
		       " beyond the sled will crash", NULL);
	unsigned long t1 = zp_now_ns();
	zp_rewrite_all();
	unsigned long t2 = zp_now_ns();
	zp_choose_hook();
	if (zp_verbose) {
		char b1[20], b2[20], b3[20], b4[20];
		zp_say("start-up took ", zp_dec(b, (zp_now_ns() - t0) / 1000),
		       " us: trampoline ", zp_dec(b1, (t1 - t0) / 1000),
		       ", finding sites ", zp_dec(b2, zp_t_scan / 1000),
		       ", rewriting ", zp_dec(b3, zp_t_rewrite / 1000),
		       ", loading the hook ", zp_dec(b4, (zp_now_ns() - t2) / 1000),
		       NULL);
	}
}
