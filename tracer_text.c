/*
 * tracer_text.c - the text primitives of the default tracer: a line being
 * built, numbers, named constants and flags, quoted strings and buffers,
 * and reading the program's memory, each as strace writes it.
 *
 * Invariants: a line never grows past LINE_BYTES - 1 (room is kept for
 * its '\n'); what does not fit is dropped.  Program memory is read
 * directly only when the caller says the kernel has just accessed it for
 * a successful call; otherwise through process_vm_readv, which fails
 * where a plain read would fault.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "tracer.h"

#define PAGE 4096UL

/* ---- a line ------------------------------------------------------------ */

void put_n(struct line *l, const char *s, size_t n)
{
	size_t room = sizeof l->buf - 1 - l->len;
	if (n > room)
		n = room;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

void put(struct line *l, const char *s)
{
	put_n(l, s, strlen(s));
}

void put_c(struct line *l, char c)
{
	put_n(l, &c, 1);
}

void put_udec(struct line *l, unsigned long long v)
{
	char b[24], *p = b + sizeof b;
	do
		*--p = '0' + v % 10;
	while (v /= 10);
	put_n(l, p, b + sizeof b - p);
}

void put_dec(struct line *l, long long v)
{
	if (v < 0) {
		put_c(l, '-');
		put_udec(l, -(unsigned long long)v);
	} else {
		put_udec(l, v);
	}
}

void put_hex(struct line *l, unsigned long long v)
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

void put_ptr(struct line *l, unsigned long v)
{
	if (v)
		put_hex(l, v);
	else
		put(l, "NULL");
}

/* strace's "%#03o": a leading 0, at least three characters. */
void put_oct(struct line *l, unsigned long v)
{
	char b[24], *p = b + sizeof b;
	do
		*--p = '0' + (v & 7);
	while (v >>= 3);
	*--p = '0';
	if (b + sizeof b - p < 3)
		*--p = '0';
	put_n(l, p, b + sizeof b - p);
}

void put_0x(struct line *l, unsigned long long v, int width)
{
	char b[40];
	snprintf(b, sizeof b, "%#0*llx", width, v);
	put(l, b);
}

void put_comment(struct line *l, const char *s)
{
	put(l, " /* ");
	put(l, s);
	put(l, " */");
}

/* ---- named constants ---------------------------------------------------- */

const char *xlookup(const struct xlat *t, unsigned long long v)
{
	for (; t->name; t++)
		if (t->v == v)
			return t->name;
	return NULL;
}

void put_xval(struct line *l, unsigned long long v, const struct xlat *t,
	      const char *dflt)
{
	const char *s = xlookup(t, v);
	if (s) {
		put(l, s);
		return;
	}
	put_hex(l, v);
	if (dflt)
		put_comment(l, dflt);
}

void put_xval_d(struct line *l, long long v, const struct xlat *t,
		const char *dflt)
{
	const char *s = xlookup(t, v);
	if (s) {
		put(l, s);
		return;
	}
	put_dec(l, v);
	if (dflt)
		put_comment(l, dflt);
}

int put_flags(struct line *l, unsigned long long v, const struct xlat *t,
	      const char *dflt)
{
	int n = 0;

	for (; t->name && (v || !n); t++) {
		if (v == t->v || (t->v && (v & t->v) == t->v)) {
			if (n++)
				put_c(l, '|');
			put(l, t->name);
			v &= ~t->v;
			if (!v)
				break;
		}
	}
	if (n) {
		if (v) {
			put_c(l, '|');
			put_hex(l, v);
		}
	} else if (v) {
		put_hex(l, v);
		if (dflt)
			put_comment(l, dflt);
	} else if (dflt) {
		put_c(l, '0');	/* strace writes nothing without a default */
	}
	return n;
}

/* ---- the program's memory ---------------------------------------------- */

int memory_untrusted;

/*
 * While memory_untrusted: the read-only segments of the loaded objects
 * (dl_iterate_phdr: no system call), listed once.  Their bytes are what
 * they were at the earlier call (string literals, mostly); anything
 * writable may have changed since, so it is shown as an address.
 */
#define RO_MAX 512
static struct { unsigned long lo, hi; } ro[RO_MAX];
static int nro = -1;

static int add_read_only(struct dl_phdr_info *info, size_t size, void *ctx)
{
	for (int k = 0; k < info->dlpi_phnum && nro < RO_MAX; k++) {
		const ElfW(Phdr) *p = &info->dlpi_phdr[k];
		if (p->p_type == PT_LOAD && !(p->p_flags & PF_W)) {
			ro[nro].lo = info->dlpi_addr + p->p_vaddr;
			ro[nro++].hi = info->dlpi_addr + p->p_vaddr + p->p_filesz;
		}
	}
	return 0;
}

static int read_only(unsigned long a, size_t n)
{
	if (nro < 0) {
		nro = 0;
		dl_iterate_phdr(add_read_only, NULL);
	}
	for (int i = 0; i < nro; i++)
		if (a >= ro[i].lo && a + n <= ro[i].hi)
			return 1;
	return 0;
}

size_t peek(void *dst, unsigned long addr, size_t n, int trusted)
{
	size_t done = 0;

	if (!addr)
		return 0;
	if (memory_untrusted && !read_only(addr, 1))
		return 0;
	if (trusted && !memory_untrusted) {
		memcpy(dst, (const void *)addr, n);
		return n;
	}
	/* one page at a time: process_vm_readv does not split an iovec at
	 * a fault */
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
	int hex;		/* every byte as \xNN */
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
	if (q->hex) {
		char b[4] = { '\\', 'x', "0123456789abcdef"[c >> 4],
			      "0123456789abcdef"[c & 15] };
		put_n(q->l, b, 4);
		return;
	}
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

void put_bytes(struct line *l, const unsigned char *b, size_t n,
	       unsigned long len, int hex)
{
	struct quoter q = { l, -1, hex };

	put_c(l, '"');
	for (size_t i = 0; i < n; i++)
		q_push(&q, b[i]);
	q_end(&q);
	if (len > n)
		put(l, "...");
}

void put_buf_ex(struct line *l, unsigned long addr, unsigned long len,
		size_t max, int trusted, int hex)
{
	unsigned char b[STR_MAX * 4];
	size_t n = len < max ? len : max;

	if (n > sizeof b)
		n = sizeof b;
	if (!addr || peek(b, addr, n, trusted) != n) {
		put_ptr(l, addr);
		return;
	}
	put_bytes(l, b, n, len, hex);
}

void put_buf(struct line *l, unsigned long addr, unsigned long len,
	     int trusted)
{
	put_buf_ex(l, addr, len, STR_MAX, trusted, 0);
}

void put_str(struct line *l, unsigned long addr, size_t max, int trusted)
{
	unsigned char b[256];
	struct quoter q = { l, -1, 0 };
	size_t shown = 0;

	if (!addr) {
		put(l, "NULL");
		return;
	}
	for (;;) {
		size_t want = sizeof b, n;
		if (trusted && !memory_untrusted) {
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

void put_fixed_str(struct line *l, const char *s, size_t size)
{
	size_t n = strnlen(s, size);
	put_bytes(l, (const unsigned char *)s, n, n, 0);
	if (n == size)
		put(l, "...");
}

/* ---- the call being printed --------------------------------------------- */

int fetch(struct ctx *x, unsigned long addr, void *dst, size_t n, enum dir d)
{
	if (addr && !(d == OUT && x->failed)
	    && peek(dst, addr, n, !x->failed) == n)
		return 1;
	put_ptr(x->l, addr);
	return 0;
}

void sep(struct ctx *x)
{
	put(x->l, ", ");
}

void set_aux(struct ctx *x, const char *s)
{
	size_t n = strlen(s);
	if (n >= sizeof x->rv->aux)
		n = sizeof x->rv->aux - 1;
	memcpy(x->rv->aux, s, n);
	x->rv->aux[n] = 0;
}

/* ---- printers several families share -------------------------------------- */

void put_fd(struct line *l, long fd)
{
	if ((int)fd == AT_FDCWD)
		put(l, "AT_FDCWD");
	else
		put_dec(l, (int)fd);
}

/* Octal kernel values (asm-generic/fcntl.h); glibc hides some on x86-64. */
static const struct xlat open_flags[] = {
	{ 0100, "O_CREAT" },	{ 0200, "O_EXCL" },
	{ 0400, "O_NOCTTY" },	{ 01000, "O_TRUNC" },
	{ 02000, "O_APPEND" },	{ 04000, "O_NONBLOCK" },
	{ 04010000, "O_SYNC" },	{ 04000000, "__O_SYNC" },
	{ 010000, "O_DSYNC" },	{ 040000, "O_DIRECT" },
	{ 0100000, "O_LARGEFILE" }, { 0400000, "O_NOFOLLOW" },
	{ 01000000, "O_NOATIME" }, { 02000000, "O_CLOEXEC" },
	{ 010000000, "O_PATH" }, { 020200000, "O_TMPFILE" },
	{ 020000000, "__O_TMPFILE" }, { 0200000, "O_DIRECTORY" },
	{ 020000, "FASYNC" },	XEND
};

/* The access mode by name, then the other flags. */
void put_open_flags(struct line *l, unsigned long v)
{
	static const char *const acc[] = {
		"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"
	};
	put(l, acc[v & 3]);
	v &= ~3UL;
	if (v) {
		put_c(l, '|');
		put_flags(l, v, open_flags, NULL);
	}
}

static const struct xlat mode_types[] = {
	{ 0100000, "S_IFREG" }, { 0140000, "S_IFSOCK" }, { 010000, "S_IFIFO" },
	{ 0120000, "S_IFLNK" }, { 040000, "S_IFDIR" }, { 060000, "S_IFBLK" },
	{ 020000, "S_IFCHR" }, XEND
};

/* st_mode: "S_IFDIR|S_ISVTX|0777"; a type without a name: plain octal. */
void put_mode_t(struct line *l, unsigned mode)
{
	const char *type = "";
	if (mode & 0170000)
		type = xlookup(mode_types, mode & 0170000);
	if (!type) {
		put_oct(l, mode);
		return;
	}
	put(l, type);
	if (*type)
		put_c(l, '|');
	if (mode & 04000)
		put(l, "S_ISUID|");
	if (mode & 02000)
		put(l, "S_ISGID|");
	if (mode & 01000)
		put(l, "S_ISVTX|");
	put_oct(l, mode & 0777);
}
