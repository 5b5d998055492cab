/*
 * rewrite.c - finds the code of every loaded object and rewrites its
 * system call sites, giving each one a gate of its own.
 *
 * When:
 *   - at start-up (zp_rewrite_loaded): every object ld.so has loaded, as
 *     dl_iterate_phdr lists them (load bias and program headers), each
 *     executable segment's bytes as the file has them (p_filesz), checked
 *     against /proc/self/maps (a private, readable, executable mapping);
 *   - later (zp_note_mmap, zp_note_close): ld.so maps a library with mmap
 *     calls on one descriptor, and closes that descriptor once every
 *     segment is in place, before it relocates the library or runs any of
 *     its code.  The runtime notes each thread's private file mappings;
 *     at the close it reads the object's headers from the descriptor
 *     (pread), checks that each segment is mapped from the file where the
 *     headers say, and rewrites the object then.
 *
 * How (sites.c chooses the kind of each site): ZP_ISLAND and ZP_JUMP
 * sites get a gate in an area the runtime maps within reach of a rel32
 * from the object (see trampoline.S for what a gate does); ZP_PAGE0 sites
 * become `call *%rax` and need page 0 (dispatch.c maps it on first need,
 * or sends those calls through the SIGSEGV handler when it cannot).
 *
 * The table of sites maps an address to what the signal handler and
 * zp_enter must know of it: a page-0 site, a trap where a moved syscall
 * was (make the call, go on at the gate's continuation), or a trap at a
 * moved instruction (go on at its copy).  Islands and jumps into a gate
 * need no entry: only gates enter zp_entry_gate.
 *
 * Invariants:
 *   - A byte of an object is written only where sites.c planned it, in a
 *     private mapping, with the execute bit kept while writing (another
 *     thread may run that page) and the exact protection restored.
 *   - Order: the gate area is executable, and each trap is in the table,
 *     before the first byte of a site changes; the byte that makes a site
 *     jump is written last (for ZP_JUMP, traps first, then the jmp's
 *     displacement, then its opcode).  Rewriting happens before the code
 *     runs (start-up, or a library not yet relocated), so no thread is
 *     inside an instruction being changed.
 *   - No libc: zp_note_close runs in the dispatch path.  The start-up path
 *     calls dl_iterate_phdr, once.
 *   - Writers are serialised (start-up runs first; ld.so holds its lock
 *     while it maps a library); readers of the table take no lock.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "decoder.h"
#include "runtime.h"

/* ------------------------------------------------------------------------
 * The table of sites: traps (moved instructions) and page-0 sites only.
 * Open addressing, at most half full; it starts at one page and doubles:
 * a new table is filled, then published, and the old one stays mapped
 * (a reader may still be in it).  It never shrinks (a library unmapped
 * later leaves its entries behind).  Keys cluster in a few pages that way:
 * each page of a table is one more page fault at start-up.
 */

#define ZP_TABLE_FIRST 256	/* slots of the first table: one page */
#define ZP_TABLE_MAX (1u << 20)	/* slots, at most */

struct zp_entry_slot {
	uintptr_t key, value;
};
struct zp_table {
	size_t mask, used;
	struct zp_entry_slot slot[];
};
static struct zp_table *zp_table;

static inline size_t zp_table_hash(uintptr_t a, size_t mask)
{
	return (a * 0x9e3779b97f4a7c15ul) >> 32 & mask;
}

uintptr_t zp_site_lookup(uintptr_t a)
{
	const struct zp_table *t = __atomic_load_n(&zp_table, __ATOMIC_ACQUIRE);
	if (!t || !a)
		return 0;
	for (size_t i = zp_table_hash(a, t->mask);; i = (i + 1) & t->mask) {
		uintptr_t k = __atomic_load_n(&t->slot[i].key, __ATOMIC_ACQUIRE);
		if (k == a)
			return t->slot[i].value;
		if (k == 0)
			return 0;
	}
}

/* Puts a -> value in t, which has room. */
static void zp_table_put(struct zp_table *t, uintptr_t a, uintptr_t value)
{
	for (size_t i = zp_table_hash(a, t->mask);; i = (i + 1) & t->mask) {
		if (t->slot[i].key == a) {
			t->slot[i].value = value;
			return;
		}
		if (t->slot[i].key == 0) {
			t->used++;
			t->slot[i].value = value;
			__atomic_store_n(&t->slot[i].key, a, __ATOMIC_RELEASE);
			return;
		}
	}
}

/* A table of n slots holding t's entries, or NULL. */
static struct zp_table *zp_table_new(const struct zp_table *t, size_t n)
{
	struct zp_table *u = zp_mmap(sizeof *u + n * sizeof u->slot[0]);
	if (!u)
		return NULL;
	u->mask = n - 1;
	for (size_t i = 0; t && i <= t->mask; i++)
		if (t->slot[i].key)
			zp_table_put(u, t->slot[i].key, t->slot[i].value);
	return u;
}

/* Adds a -> value; 0, or -1 when there is no room. */
static int zp_site_add(uintptr_t a, uintptr_t value)
{
	struct zp_table *t = zp_table;
	if (!t || t->used + 1 > (t->mask + 1) / 2) {
		size_t n = t ? 2 * (t->mask + 1) : ZP_TABLE_FIRST;
		if (n > ZP_TABLE_MAX || !(t = zp_table_new(t, n)))
			return -1;
		__atomic_store_n(&zp_table, t, __ATOMIC_RELEASE);
	}
	zp_table_put(t, a, value);
	return 0;
}

/* ------------------------------------------------------------------------
 * /proc/self/maps, read with raw calls.
 */

#define ZP_MAX_PHDR 64	/* program headers of an object mapped later */
#define ZP_MAX_SEGS 8	/* executable segments of an object */
#define ZP_MAX_OBJS 1024 /* objects loaded at start-up */

struct zp_map {
	uintptr_t lo, hi;
	unsigned long off, dev, inode;	/* dev as stat(2) encodes it */
	int prot;
	int shared;
	const char *name; /* "" for anonymous mappings */
};

struct zp_maps {
	char *text;		/* the file, its lines cut into names */
	size_t text_cap;
	struct zp_map *map;
	size_t n, cap;
};

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

static void zp_free_maps(struct zp_maps *m)
{
	if (m->text)
		sys2(SYS_munmap, m->text, m->text_cap);
	if (m->map)
		sys2(SYS_munmap, m->map, m->cap * sizeof *m->map);
}

/* Reads and parses /proc/self/maps into anonymous memory; 0 or -1. */
static int zp_read_maps(struct zp_maps *m)
{
	size_t cap = 1 << 16, n = 0, lines = 0;
	char *buf = zp_mmap(cap);
	long fd = sys2(SYS_open, "/proc/self/maps", O_RDONLY | O_CLOEXEC);

	*m = (struct zp_maps){ 0 };
	if (!buf || fd < 0) {
		if (buf)
			sys2(SYS_munmap, buf, cap);
		if (fd >= 0)
			sys1(SYS_close, fd);
		return -1;
	}
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
	m->text = buf;
	m->text_cap = cap;
	for (size_t i = 0; i < n; i++)
		lines += buf[i] == '\n';
	m->cap = lines + 1;
	m->map = zp_mmap(m->cap * sizeof *m->map);
	if (!m->map) {
		zp_free_maps(m);
		return -1;
	}
	for (const char *s = buf; *s && m->n < m->cap;) {
		struct zp_map *e = &m->map[m->n++];
		e->lo = zp_parse_hex(&s), s++;
		e->hi = zp_parse_hex(&s), s++;
		e->prot = (s[0] == 'r' ? PROT_READ : 0) |
			  (s[1] == 'w' ? PROT_WRITE : 0) |
			  (s[2] == 'x' ? PROT_EXEC : 0);
		e->shared = s[3] == 's';
		s += 5;
		e->off = zp_parse_hex(&s), s++;
		unsigned long major = zp_parse_hex(&s), minor;
		s++;
		minor = zp_parse_hex(&s), s++;
		e->dev = (minor & 0xff) | major << 8 | (minor & ~0xfful) << 12;
		e->inode = 0;
		while (*s >= '0' && *s <= '9')
			e->inode = e->inode * 10 + *s++ - '0';
		while (*s == ' ')
			s++;
		e->name = s;
		while (*s && *s != '\n')
			s++;
		if (*s)
			*(char *)s++ = 0;
	}
	return 0;
}

/* The file mapped at a, copied to name ("" if none), and a's offset in
 * it; for messages. */
const char *zp_describe(uintptr_t a, char *name, size_t size, uintptr_t *off)
{
	struct zp_maps m;
	name[0] = 0;
	if (zp_read_maps(&m) < 0)
		return name;
	for (size_t i = 0; i < m.n; i++) {
		if (a < m.map[i].lo || a >= m.map[i].hi)
			continue;
		size_t k = 0;
		for (const char *s = m.map[i].name; *s && k < size - 1; s++)
			name[k++] = *s;
		name[k] = 0;
		*off = a - m.map[i].lo + m.map[i].off;
		break;
	}
	zp_free_maps(&m);
	return name;
}

/* ------------------------------------------------------------------------
 * Gates.
 *
 *   [copies of the moved instructions before the site]      ZP_JUMP
 *   48 8d 0d rel32   lea cont(%rip), %rcx
 *   4c 8d 1d rel32   lea site(%rip), %r11
 *   ff 25 rel32      jmp *entry(%rip)      entry: the area's first word,
 *                                          &zp_entry_gate
 *   0f 05            syscall               the fast path's (ZP_HOW_TAIL)
 *   cont:
 *   48 8d 0d rel32   lea site+2(%rip), %rcx
 *   [copies of the moved instructions after the site]       ZP_JUMP
 *   e9 rel32         jmp back (site+2, or the end of the moved ones)
 */

#define ZP_GATE_MAX (ZP_MOVED_MAX + 7 + 7 + 6 + 2 + 7 + 5)
#define ZP_GATE_ALIGN 16

struct zp_emit {
	uint8_t *p;	/* where the next byte goes (its final address) */
	int ok;		/* 0 once a displacement did not fit */
};

static void emit_byte(struct zp_emit *e, uint8_t b)
{
	*e->p++ = b;
}

/* A rel32 to target, from the end of the 4 bytes it is written in. */
static void emit_rel32(struct zp_emit *e, uintptr_t target)
{
	intptr_t d = (intptr_t)(target - ((uintptr_t)e->p + 4));
	if (d != (int32_t)d)
		e->ok = 0;
	for (int k = 0; k < 4; k++)
		emit_byte(e, (uint32_t)d >> (8 * k));
}

static void emit_insn(struct zp_emit *e, const uint8_t *op, int n,
		      uintptr_t target)
{
	for (int k = 0; k < n; k++)
		emit_byte(e, op[k]);
	emit_rel32(e, target);
}

/*
 * A copy of the len-byte instruction at q, with a RIP-relative
 * displacement adjusted so that it names the same address.
 */
static void emit_moved(struct zp_emit *e, const uint8_t *q, int len)
{
	int m = zp_insn_modrm(q, len);
	uint8_t *start = e->p;
	for (int k = 0; k < len; k++)
		emit_byte(e, q[k]);
	if (m >= 0 && (q[m] & 0xc7) == 0x05) {
		int32_t d = (int32_t)((uint32_t)q[m + 1] | (uint32_t)q[m + 2] << 8 |
				      (uint32_t)q[m + 3] << 16 |
				      (uint32_t)q[m + 4] << 24);
		uintptr_t target = (uintptr_t)q + len + d;
		intptr_t nd = (intptr_t)(target - ((uintptr_t)start + len));
		if (nd != (int32_t)nd)
			e->ok = 0;
		for (int k = 0; k < 4; k++)
			start[m + 1 + k] = (uint32_t)nd >> (8 * k);
	}
}

/* Copies [a, b), instruction by instruction, and enters a trap for each
 * instruction start at trap_from or after, going on at its copy. */
static int emit_moved_range(struct zp_emit *e, uintptr_t a, uintptr_t b,
			    uintptr_t trap_from)
{
	for (uintptr_t q = a; q < b;) {
		int len = zp_insn_len((const uint8_t *)q, b - q);
		if (len <= 0)
			return -1;
		if (q >= trap_from &&
		    zp_site_add(q, ZP_T(ZP_T_GOTO, (uintptr_t)e->p)) < 0)
			return -1;
		emit_moved(e, (const uint8_t *)q, len);
		q += len;
	}
	return 0;
}

/*
 * Writes the gate of site p at g (the area's entry word at slot); returns
 * its size, or 0 if it cannot be made (a displacement out of reach, the
 * table full): the site then falls back to page 0.
 */
static size_t zp_emit_gate(const struct zp_plan *p, uint8_t *g,
			   uintptr_t slot)
{
	static const uint8_t lea_rcx[] = { 0x48, 0x8d, 0x0d };
	static const uint8_t lea_r11[] = { 0x4c, 0x8d, 0x1d };
	static const uint8_t jmp_mem[] = { 0xff, 0x25 };
	static const uint8_t jmp_rel[] = { 0xe9 };
	struct zp_emit e = { g, 1 };
	uintptr_t back = p->site + 2, traps = p->at + 5;
	uint8_t *cont;

	if (p->kind == ZP_JUMP &&
	    emit_moved_range(&e, p->at, p->site, traps) < 0)
		return 0;
	/* lea cont(%rip), %rcx: cont is 7 + 6 + 2 bytes after the lea */
	cont = e.p + 7 + 7 + 6 + 2;
	emit_insn(&e, lea_rcx, 3, (uintptr_t)cont);
	emit_insn(&e, lea_r11, 3, p->site);
	emit_insn(&e, jmp_mem, 2, slot);
	emit_byte(&e, 0x0f);
	emit_byte(&e, 0x05);
	emit_insn(&e, lea_rcx, 3, p->site + 2);
	if (p->kind == ZP_JUMP && p->end > p->site + 2) {
		if (emit_moved_range(&e, p->site + 2, p->end, traps) < 0)
			return 0;
		back = p->end;
	}
	emit_insn(&e, jmp_rel, 1, back);
	if (!e.ok)
		return 0;
	if (p->kind == ZP_JUMP && p->site >= traps &&
	    zp_site_add(p->site, ZP_T(ZP_T_CALL, (uintptr_t)cont)) < 0)
		return 0;
	return e.p - g;
}

/* ------------------------------------------------------------------------
 * The new bytes at a site, in the order they are written.
 */

/* Is the 5-byte jmp rel32 at a able to reach target? */
static int zp_reaches(uintptr_t a, uintptr_t target)
{
	intptr_t d = (intptr_t)(target - (a + 5));
	return d == (int32_t)d;
}

static void put32(uintptr_t a, uint32_t v)
{
	for (int k = 0; k < 4; k++)
		((volatile uint8_t *)a)[k] = v >> (8 * k);
}

static void zp_patch(const struct zp_plan *p, uintptr_t gate)
{
	volatile uint8_t *s = (volatile uint8_t *)p->site;

	switch (p->kind) {
	case ZP_PAGE0:			/* 0f 05 -> ff d0: call *%rax */
		*(volatile uint16_t *)s = 0xd0ff;
		break;
	case ZP_ISLAND: {
		volatile uint8_t *slot = (volatile uint8_t *)p->at;
		uintptr_t first = p->hop ? p->hop : p->at;
		put32(p->at + 1, gate - (p->at + 5));
		slot[0] = 0xe9;
		if (p->hop) {		/* hop: jmp rel8 to the slot */
			((volatile uint8_t *)p->hop)[1] = p->at - (p->hop + 2);
			((volatile uint8_t *)p->hop)[0] = 0xeb;
		}
		/* the site: jmp rel8, both bytes in one store */
		*(volatile uint16_t *)s =
			0xeb | (uint16_t)(uint8_t)(first - (p->site + 2)) << 8;
		break;
	}
	case ZP_JUMP: {
		/* Past the jmp's 5 bytes: a trap at every instruction start
		   (ud2, or the one-byte invalid opcode 06), int3 between.  The
		   starts are found before any byte changes. */
		uint8_t len[ZP_MOVED_MAX];
		for (uintptr_t q = p->at; q < p->end; q += len[q - p->at])
			len[q - p->at] = zp_insn_len((const uint8_t *)q, p->end - q);
		for (uintptr_t q = p->at + 5; q < p->end; q++)
			((volatile uint8_t *)q)[0] = 0xcc;
		for (uintptr_t q = p->at; q < p->end; q += len[q - p->at]) {
			if (q < p->at + 5)
				continue;
			((volatile uint8_t *)q)[0] = len[q - p->at] > 1 ? 0x0f : 0x06;
			if (len[q - p->at] > 1)
				((volatile uint8_t *)q)[1] = 0x0b;
		}
		put32(p->at + 1, gate - (p->at + 5));
		((volatile uint8_t *)p->at)[0] = 0xe9;
		break;
	}
	}
}

/* ------------------------------------------------------------------------
 * One object: find, plan, gate and rewrite the sites of its executable
 * segments.
 */

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

/* An object's name for messages: its file, or the file of descriptor fd,
 * looked up (readlink) only when there is something to say. */
struct zp_name {
	const char *name;
	int fd;
	char buf[256];
};

static const char *zp_name_of(struct zp_name *n)
{
	if (!n->name) {
		zp_fd_name(n->fd, n->buf, sizeof n->buf);
		n->name = n->buf;
	}
	return n->name;
}

static int zp_is_own_syscall(uintptr_t a)
{
	for (const int32_t *e = __start_zp_own; e < __stop_zp_own; e++)
		if ((uintptr_t)e + *e == a)
			return 1;
	return 0;
}

static void zp_collect(void *ctx, uintptr_t a)
{
	struct zp_plans *ps = ctx;
	if (zp_is_own_syscall(a))
		return;
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 256;
		struct zp_plan *np = zp_mmap(cap * sizeof *np);
		if (!np)
			return;
		zp_copy(np, ps->p, ps->n * sizeof *np);
		if (ps->p)
			sys2(SYS_munmap, ps->p, ps->cap * sizeof *np);
		ps->p = np;
		ps->cap = cap;
	}
	ps->p[ps->n++].site = a;
}

unsigned zp_allowed_kinds = ZP_ALLOW_ALL; /* ZPOLINE_SITES, for tests */

/*
 * An area of size bytes within reach of [lo, hi): just below or above
 * it, then farther away, up to 1 GiB, by MAP_FIXED_NOREPLACE probes.
 */
static uintptr_t zp_area_near(uintptr_t lo, uintptr_t hi, size_t size)
{
	for (uintptr_t d = 0; d <= (1ul << 30); d = d ? 2 * d : (1ul << 20)) {
		uintptr_t at[2] = { (lo & -(uintptr_t)ZP_PAGE) - d - size,
				    ((hi + ZP_PAGE - 1) & -(uintptr_t)ZP_PAGE) + d };
		for (int k = 0; k < 2; k++) {
			if (at[k] < (1ul << 20) || at[k] >= (1ul << 47))
				continue;
			long r = sys6(SYS_mmap, at[k], size, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS |
					      MAP_FIXED_NOREPLACE, -1, 0);
			if (r >= 0 && (uintptr_t)r == at[k])
				return r;
			if (r >= 0)	/* a kernel that took it as a hint */
				sys2(SYS_munmap, r, size);
		}
	}
	return 0;
}

struct zp_counts zp_counts; /* for the verbose report */

/* Adds the time since *t to zp_counts.ns[what]; only with ZPOLINE_VERBOSE
 * (a tracer sees each clock_gettime the runtime makes). */
static void zp_time(int what, unsigned long *t)
{
	if (zp_verbose) {
		unsigned long now = zp_now_ns();
		zp_counts.ns[what] += now - *t;
		*t = now;
	}
}

/*
 * Gates for every island and jump site of p[0..n), in one area near
 * [lo, hi); a site whose gate cannot be made becomes a page-0 site.
 * gate[k] gets site k's gate address.
 */
static void zp_make_gates(struct zp_plan *p, size_t n, uintptr_t *gate,
			  uintptr_t lo, uintptr_t hi)
{
	size_t need = 8, used = 8;
	uintptr_t area = 0;

	for (size_t k = 0; k < n; k++)
		if (p[k].kind != ZP_PAGE0)
			need += ZP_GATE_MAX + ZP_GATE_ALIGN;
	need = (need + ZP_PAGE - 1) & -(size_t)ZP_PAGE;
	if (need > ZP_PAGE || n > 0)
		area = zp_area_near(lo, hi, need);
	if (area)
		*(uintptr_t *)area = (uintptr_t)zp_entry_gate;
	for (size_t k = 0; k < n; k++) {
		gate[k] = 0;
		if (p[k].kind == ZP_PAGE0)
			continue;
		size_t sz = area ? zp_emit_gate(&p[k], (uint8_t *)area + used,
						area) : 0;
		uintptr_t g = area + used;
		if (!sz || !zp_reaches(p[k].kind == ZP_ISLAND ? p[k].at : p[k].at, g)) {
			p[k].kind = ZP_PAGE0;
			continue;
		}
		gate[k] = g;
		used = (used + sz + ZP_GATE_ALIGN - 1) & -(size_t)ZP_GATE_ALIGN;
	}
	if (area)
		sys3(SYS_mprotect, area, need, PROT_READ | PROT_EXEC);
}

/*
 * Rewrites the sites p[0..n) of segment g: makes its pages writable (the
 * execute bit kept), writes, restores the protection.  Returns how many.
 */
static size_t zp_write_sites(struct zp_name *name, const struct zp_seg *g,
			     const struct zp_plan *p, const uintptr_t *gate,
			     size_t n, int page0_ok)
{
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	size_t done = 0;
	char b[20];

	for (size_t k = 0; k < n; k++) {
		uintptr_t a = p[k].site, e = p[k].site + 2;
		if (p[k].kind == ZP_PAGE0 && !page0_ok)
			continue;
		if (p[k].kind == ZP_ISLAND) {
			a = p[k].at < a ? p[k].at : a;
			if (p[k].hop && p[k].hop < a)
				a = p[k].hop;
			e = p[k].at + 5 > e ? p[k].at + 5 : e;
			if (p[k].hop && p[k].hop + 2 > e)
				e = p[k].hop + 2;
		} else if (p[k].kind == ZP_JUMP) {
			a = p[k].at;
			e = p[k].end;
		}
		lo = a < lo ? a : lo;
		hi = e > hi ? e : hi;
	}
	if (lo >= hi)
		return 0;
	lo &= -(uintptr_t)ZP_PAGE;
	hi = (hi + ZP_PAGE - 1) & -(uintptr_t)ZP_PAGE;
	long r = sys3(SYS_mprotect, lo, hi - lo, g->prot | PROT_WRITE);
	if (r < 0) {
		zp_say("cannot rewrite ", zp_name_of(name), ": mprotect: ",
		       zp_errname(r),
		       " (", zp_dec(b, n), " system calls stay unhooked)", NULL);
		return 0;
	}
	for (size_t k = 0; k < n; k++) {
		if (p[k].kind == ZP_PAGE0 &&
		    (!page0_ok ||
		     zp_site_add(p[k].site, ZP_T(ZP_T_PAGE0, 0)) < 0))
			continue;
		zp_patch(&p[k], gate[k]);
		done++;
		zp_counts.kind[p[k].kind]++;
	}
	r = sys3(SYS_mprotect, lo, hi - lo, g->prot);
	if (r < 0)
		zp_say("cannot restore the protection of ", zp_name_of(name), ": ",
		       zp_errname(r), NULL);
	return done;
}

/*
 * Rewrites object elf, whose executable segments are g[0..ng).  Returns
 * the number of sites rewritten.
 */
static size_t zp_rewrite_object(struct zp_name *name, const struct zp_elf *elf,
				const struct zp_seg *g, size_t ng,
				const struct zp_cache_key *key)
{
	struct zp_plans ps = { 0 };
	struct zp_scan_stats st = { 0 };
	unsigned long t = zp_verbose ? zp_now_ns() : 0;
	size_t first[ZP_MAX_SEGS + 1], done = 0, page0 = 0;
	uintptr_t lo = UINTPTR_MAX, hi = 0, *gate;
	char b1[20], b2[20], b3[20], b4[20], b5[20];
	int page0_ok = 1, cached = 0;

	for (size_t i = 0; i < ng; i++) {
		lo = g[i].lo < lo ? g[i].lo : lo;
		hi = g[i].hi > hi ? g[i].hi : hi;
	}
	if (key && zp_cache_load(key, elf->bias, g, ng, &ps, first,
				 &st.unplaced) == 0) {
		zp_time(ZP_T_FIND, &t);
		cached = 1;
	} else {
		for (size_t i = 0; i < ng; i++) {
			first[i] = ps.n;
			zp_find_sites(elf, g[i].lo, g[i].hi, zp_collect, &ps, &st);
			zp_time(ZP_T_FIND, &t);
			zp_plan_sites(elf, g[i].lo, g[i].hi, ps.p + first[i],
				      ps.n - first[i], zp_allowed_kinds);
			zp_time(ZP_T_PLAN, &t);
		}
		first[ng] = ps.n;
		if (key)	/* before any byte changes */
			zp_cache_store(key, elf->bias, g, ng, &ps, first, st.unplaced);
	}
	zp_counts.unplaced += st.unplaced;

	if (ps.n) {
		gate = zp_mmap(ps.n * sizeof *gate);
		if (!gate) {
			zp_say("out of memory: ", zp_name_of(name), " stays unhooked",
			       NULL);
			return 0;
		}
		zp_make_gates(ps.p, ps.n, gate, lo, hi);
		zp_time(ZP_T_GATES, &t);
		for (size_t k = 0; k < ps.n; k++)
			page0 += ps.p[k].kind == ZP_PAGE0;
		if (page0 && zp_page0_prepare() < 0) {
			static int said;	/* once: the user can act once */
			page0_ok = 0;
			if (!said++)
				zp_say("page 0 is in use by the program: system calls"
				       " that need it stay unhooked (", zp_dec(b1, page0),
				       " in ", zp_name_of(name), ")", NULL);
		}
		for (size_t i = 0; i < ng; i++)
			done += zp_write_sites(name, &g[i], ps.p + first[i],
					       gate + first[i],
					       first[i + 1] - first[i], page0_ok);
		sys2(SYS_munmap, gate, ps.n * sizeof *gate);
		zp_time(ZP_T_WRITE, &t);
	}
	if (zp_verbose) {
		size_t kind[3] = { 0 };
		for (size_t k = 0; k < ps.n; k++)
			kind[ps.p[k].kind]++;
		zp_say(zp_name_of(name), ": ", zp_dec(b1, done), " sites (",
		       zp_dec(b2, kind[ZP_ISLAND]),
		       " island, ", zp_dec(b3, kind[ZP_JUMP]), " jump, ",
		       zp_dec(b4, kind[ZP_PAGE0]), " page 0), ", zp_dec(b5, st.unplaced),
		       " unplaced candidates (left alone)",
		       cached ? "; plan from the cache" : "", NULL);
	}
	if (ps.p)
		sys2(SYS_munmap, ps.p, ps.cap * sizeof *ps.p);
	return done;
}

/* ------------------------------------------------------------------------
 * Start-up: the objects ld.so has loaded.
 */

struct zp_loaded {
	struct { const char *name; struct zp_elf elf; } obj[ZP_MAX_OBJS];
	size_t n;
};

static int zp_list_object(struct dl_phdr_info *info, size_t size, void *ctx)
{
	struct zp_loaded *l = ctx;
	if (l->n < ZP_MAX_OBJS) {
		l->obj[l->n].name = info->dlpi_name;
		l->obj[l->n].elf = (struct zp_elf){ info->dlpi_addr,
						    info->dlpi_phdr,
						    info->dlpi_phnum };
		l->n++;
	}
	return 0;
}

/*
 * The mapping of [lo, hi) in /proc/self/maps, if one private, readable,
 * executable mapping holds it all: its protection, and its file's name.
 */
static const struct zp_map *zp_seg_mapping(const struct zp_maps *m,
					   uintptr_t lo, uintptr_t hi)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct zp_map *e = &m->map[i];
		if (lo < e->lo || lo >= e->hi)
			continue;
		if (hi > e->hi || e->shared ||
		    (e->prot & (PROT_READ | PROT_EXEC)) != (PROT_READ | PROT_EXEC))
			return 0;
		return e;
	}
	return 0;
}

/* The cache key of the file mapped as e, if its path still names that
 * file (stat); 0 or -1. */
static int zp_key_of(const struct zp_map *e, struct zp_cache_key *k)
{
	struct stat st;
	if (!e->inode || sys2(SYS_stat, e->name, &st) < 0 ||
	    (unsigned long)st.st_dev != e->dev || st.st_ino != e->inode)
		return -1;
	*k = (struct zp_cache_key){ st.st_dev, st.st_ino, st.st_size,
				    st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
				    st.st_ctim.tv_sec, st.st_ctim.tv_nsec,
				    zp_allowed_kinds };
	return 0;
}

/* Is elf the runtime's own object (libzpoline.so), or the vDSO?  A program
 * that embeds the runtime (libzpoline.a) is rewritten like any other: the
 * runtime's own syscall instructions in it are left alone (zp_own). */
static int zp_skip_object(const struct zp_elf *elf)
{
	uintptr_t vdso = getauxval(AT_SYSINFO_EHDR);
	uintptr_t own = (uintptr_t)zp_entry_gate;
	for (unsigned k = 0; k < elf->phnum; k++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)elf->phdr + k;
		uintptr_t s = elf->bias + ph->p_vaddr, e = s + ph->p_memsz;
		if (ph->p_type != PT_LOAD)
			continue;
		if ((vdso >= s && vdso < e) || (!zp_embedded && own >= s && own < e))
			return 1;
	}
	return 0;
}

void zp_rewrite_loaded(void)
{
	static struct zp_loaded l;	/* start-up only: no thread runs yet */
	struct zp_maps maps;
	char b[20];
	unsigned long t = zp_verbose ? zp_now_ns() : 0;

	if (zp_read_maps(&maps) < 0) {
		zp_say("cannot read /proc/self/maps: running unhooked", NULL);
		return;
	}
	dl_iterate_phdr(zp_list_object, &l);
	zp_time(ZP_T_OBJECTS, &t);
	for (size_t i = 0; i < l.n; i++) {
		const struct zp_elf *elf = &l.obj[i].elf;
		const char *name = l.obj[i].name;
		struct zp_seg g[ZP_MAX_SEGS];
		struct zp_cache_key key;
		const struct zp_map *map = 0, *e;
		size_t ng = 0;
		if (zp_skip_object(elf))
			continue;
		for (unsigned k = 0; k < elf->phnum && ng < ZP_MAX_SEGS; k++) {
			const Elf64_Phdr *ph = (const Elf64_Phdr *)elf->phdr + k;
			uintptr_t lo = elf->bias + ph->p_vaddr, hi = lo + ph->p_filesz;
			if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) ||
			    !ph->p_filesz)
				continue;
			if (!(e = zp_seg_mapping(&maps, lo, hi)) ||
			    (map && (e->dev != map->dev || e->inode != map->inode))) {
				if (zp_verbose)
					zp_say("skipped ", *name ? name : "the program",
					       " at ", zp_hex(b, lo), ": not mapped"
					       " privately as executable code", NULL);
				continue;
			}
			map = e;
			g[ng].lo = lo;
			g[ng].hi = hi;
			g[ng].prot = e->prot;
			ng++;
		}
		if (ng) {
			struct zp_name n = { .name = *name ? name : map->name };
			zp_rewrite_object(&n, elf, g, ng,
					  zp_key_of(map, &key) == 0 ? &key : 0);
		}
	}
	zp_free_maps(&maps);
}

/* ------------------------------------------------------------------------
 * Later: libraries ld.so maps while the program runs (dlopen).
 */

/* After a private mmap of a file by the program: note it, per thread. */
void zp_note_mmap(const struct zpoline_call *c, uintptr_t addr)
{
	struct zp_pending *pd = &zp_tls.pending;
	unsigned i = pd->next++ % ZP_PENDING_MAPS;
	if (pd->map[i].len)	/* the oldest note goes */
		pd->notes--;
	pd->notes++;
	pd->map[i].fd = (int)c->args[4];
	pd->map[i].addr = addr;
	pd->map[i].len = c->args[1];
	pd->map[i].off = c->args[5];
	pd->map[i].prot = (int)c->args[2];
}

/* Forgets the notes on descriptor fd. */
static void zp_forget(struct zp_pending *pd, int fd)
{
	for (unsigned i = 0; i < ZP_PENDING_MAPS; i++) {
		if (pd->map[i].fd != fd || !pd->map[i].len)
			continue;
		pd->notes--;
		pd->map[i].len = 0;
	}
}

/* The newest note on fd whose mapping holds address a, or NULL. */
static const struct zp_noted *zp_noted_at(const struct zp_pending *pd, int fd,
					  uintptr_t a)
{
	for (unsigned k = 1; k <= ZP_PENDING_MAPS; k++) {
		const struct zp_noted *m = &pd->map[(pd->next - k) % ZP_PENDING_MAPS];
		if (m->fd == fd && m->len && a >= m->addr && a < m->addr + m->len)
			return m;
	}
	return 0;
}

/*
 * The object being mapped from fd, from its headers (read in place, in
 * the mapping of its offset 0) and the thread's notes: *elf (with its
 * program headers copied to ph), and its executable segments in g.  0, or
 * -1 if the notes do not show every segment mapped from the file as its
 * headers say (then nothing else is read from memory).  No system call:
 * a tracer sees none that the program did not make.
 */
static int zp_mapped_object(const struct zp_pending *pd, int fd,
			    Elf64_Phdr *ph, struct zp_elf *elf,
			    struct zp_seg *g, size_t *ng)
{
	const uintptr_t pmask = ZP_PAGE - 1;
	const struct zp_noted *m = 0;
	Elf64_Ehdr eh;
	int have_bias = 0;

	for (unsigned k = 1; k <= ZP_PENDING_MAPS && !m; k++) { /* newest first */
		const struct zp_noted *n = &pd->map[(pd->next - k) % ZP_PENDING_MAPS];
		if (n->fd == fd && n->len && n->off == 0)
			m = n;
	}
	if (!m || zp_safe_copy(&eh, (const void *)m->addr, sizeof eh) < 0 ||
	    !zp_ehdr_ok(&eh) || eh.e_phnum > ZP_MAX_PHDR ||
	    eh.e_phoff + eh.e_phnum * sizeof *ph > m->len ||
	    zp_safe_copy(ph, (const void *)(m->addr + eh.e_phoff),
			 eh.e_phnum * sizeof *ph) < 0)
		return -1;
	elf->phdr = ph;
	elf->phnum = eh.e_phnum;
	/* The bias: an executable mapping is one of the PF_X segments. */
	for (unsigned k = 0; k < eh.e_phnum && !have_bias; k++) {
		if (ph[k].p_type != PT_LOAD || !(ph[k].p_flags & PF_X))
			continue;
		for (unsigned i = 0; i < ZP_PENDING_MAPS; i++) {
			const struct zp_noted *n = &pd->map[i];
			if (n->fd == fd && n->len && (n->prot & PROT_EXEC) &&
			    n->off == (ph[k].p_offset & ~pmask)) {
				elf->bias = n->addr - (ph[k].p_vaddr & ~pmask);
				have_bias = 1;
				break;
			}
		}
	}
	if (!have_bias)
		return -1;
	/* Every segment's bytes mapped from the file where the headers say. */
	*ng = 0;
	for (unsigned k = 0; k < eh.e_phnum; k++) {
		uintptr_t lo = elf->bias + ph[k].p_vaddr, hi = lo + ph[k].p_filesz;
		if (ph[k].p_type != PT_LOAD || !ph[k].p_filesz)
			continue;
		if (!(m = zp_noted_at(pd, fd, lo)) || hi > m->addr + m->len ||
		    m->addr - m->off != lo - ph[k].p_offset)
			return -1;
		if ((ph[k].p_flags & PF_X) && *ng < ZP_MAX_SEGS)
			g[(*ng)++] = (struct zp_seg){ lo, hi, m->prot };
	}
	return 0;
}

/* Before the program's close(fd): rewrite what ld.so mapped from fd. */
void zp_note_close(int fd)
{
	struct zp_pending *pd = &zp_tls.pending;
	Elf64_Phdr ph[ZP_MAX_PHDR];
	struct zp_elf elf;
	struct zp_seg g[ZP_MAX_SEGS];
	size_t ng = 0;
	int exec = 0;

	for (unsigned i = 0; i < ZP_PENDING_MAPS; i++)
		exec |= pd->map[i].fd == fd && pd->map[i].len &&
			(pd->map[i].prot & PROT_EXEC);
	if (!exec) {
		zp_forget(pd, fd);
		return;
	}
	if (zp_mapped_object(pd, fd, ph, &elf, g, &ng) < 0) {
		if (zp_verbose) {
			char name[256];
			zp_fd_name(fd, name, sizeof name);
			zp_say(name, " (mapped after start-up): not an ELF object"
			       " mapped as its headers say; not rewritten", NULL);
		}
	} else if (ng) {
		struct zp_name n = { .fd = fd };
		zp_rewrite_object(&n, &elf, g, ng, 0);
	}
	zp_forget(pd, fd);
}
