/*
 * cache.c - a persistent cache of each object's plan (where its sites are
 * and how each is rewritten), so that start-up skips decoding and
 * planning for files it has seen.
 *
 * An entry is one file in the cache directory, named after a hash of its
 * key.  The key: the object file's identity (device, inode, size, mtime,
 * ctime: any change to the file changes its ctime), the kinds of rewriting
 * allowed (ZPOLINE_SITES), and the build-id of libzpoline.so itself (a
 * runtime with other rules plans differently).  The entry repeats the key,
 * the segments it was made for, the plans (addresses relative to the load
 * bias) and a hash of the original bytes of every range the plans change;
 * an entry is used only if all of that matches what is mapped now, so a
 * stale or damaged entry costs a fresh plan, never a wrong byte.
 *
 * The directory: ZPOLINE_CACHE (a path, or "0" for no cache), else
 * $XDG_CACHE_HOME/zpoline, else $HOME/.cache/zpoline, created 0700 when
 * missing.  It is used only if it belongs to the effective user and no one
 * else may write it (root's entries can then not be planted by another
 * user); in secure-execution mode there is no cache.  Entries are written
 * to a temporary file and renamed into place, mode 0600.
 *
 * Invariants: raw system calls only, and only at start-up (rewrite.c does
 * not use the cache for libraries mapped later: a tracer would see the
 * runtime's own calls in the middle of the program's).  Any failure turns
 * the cache off or skips the entry, silently but for ZPOLINE_VERBOSE.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "decoder.h"
#include "runtime.h"

#define ZP_CACHE_MAGIC 0x31656863617a707aull /* "zpcache1" */

struct zp_cache_head {
	uint64_t magic;
	uint8_t runtime[20];	/* libzpoline.so's build-id (first bytes) */
	struct zp_cache_key key;
	uint64_t nseg, nplans, unplaced, hash;
};

struct zp_cache_seg {
	uint64_t vaddr, filesz, count;	/* count: its plans, in order */
};

struct zp_cache_plan {
	uint64_t site, at, hop, end;	/* relative to the load bias */
	uint64_t kind;
};

static int zp_cache_dir = -1;
static uint8_t zp_runtime_id[20];

/* FNV-1a, 64 bits. */
static uint64_t zp_fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n--)
		h = (h ^ *b++) * 0x100000001b3ull;
	return h;
}
#define ZP_FNV_INIT 0xcbf29ce484222325ull

/* The build-id of the object holding the runtime (libzpoline.so, or a
 * program that embeds it), from its own program headers. */
static int zp_read_runtime_id(void)
{
	extern const Elf64_Ehdr __ehdr_start __attribute__((visibility("hidden")));
	const Elf64_Phdr *ph = (const void *)((const char *)&__ehdr_start +
					      __ehdr_start.e_phoff);
	uintptr_t bias = (uintptr_t)&__ehdr_start;

	/* The header is at the start of the segment of file offset 0: the
	   load bias is its address less that segment's p_vaddr (0 in a
	   shared object, the link address in a non-PIE program). */
	for (unsigned k = 0; k < __ehdr_start.e_phnum; k++)
		if (ph[k].p_type == PT_LOAD && ph[k].p_offset == 0)
			bias -= ph[k].p_vaddr;
	for (unsigned k = 0; k < __ehdr_start.e_phnum; k++) {
		if (ph[k].p_type != PT_NOTE)
			continue;
		const uint8_t *n = (const uint8_t *)(bias + ph[k].p_vaddr);
		const uint8_t *end = n + ph[k].p_filesz;
		while (n + 12 <= end) {
			const Elf64_Nhdr *h = (const Elf64_Nhdr *)n;
			const uint8_t *desc = n + 12 + ((h->n_namesz + 3) & ~3u);
			if (h->n_type == NT_GNU_BUILD_ID && h->n_namesz == 4 &&
			    desc + h->n_descsz <= end) {
				for (unsigned i = 0; i < h->n_descsz && i < 20; i++)
					zp_runtime_id[i] = desc[i];
				return 0;
			}
			n = desc + ((h->n_descsz + 3) & ~3u);
		}
	}
	return -1;
}

/* Opens dir (creating it 0700 if missing) if it is the effective user's
 * and only theirs to write; its descriptor, or -1. */
static int zp_open_dir(const char *dir, int create)
{
	struct stat st;
	long fd = sys2(SYS_open, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		       O_CLOEXEC);
	if (fd < 0 && create && sys2(SYS_mkdir, dir, 0700) == 0)
		fd = sys2(SYS_open, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			  O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (sys2(SYS_fstat, fd, &st) < 0 || st.st_uid != (uid_t)sys0(SYS_geteuid) ||
	    (st.st_mode & 022)) {
		if (zp_verbose)
			zp_say("cache: ", dir, " is not the user's own directory:"
			       " no cache", NULL);
		sys1(SYS_close, fd);
		return -1;
	}
	return fd;
}

/* path = a + b, in buf; 0, or -1 if it does not fit. */
static int zp_join(char *buf, size_t n, const char *a, const char *b)
{
	size_t k = 0;
	for (; *a && k < n - 1; a++)
		buf[k++] = *a;
	for (; *b && k < n - 1; b++)
		buf[k++] = *b;
	buf[k] = 0;
	return *a || *b ? -1 : 0;
}

void zp_cache_init(const char *setting, const char *xdg, const char *home)
{
	char path[4096];
	int parent;

	if (setting && setting[0] == '0' && !setting[1])
		return;
	if (zp_read_runtime_id() < 0)
		return;
	if (setting && *setting) {
		zp_cache_dir = zp_open_dir(setting, 1);
		return;
	}
	if (xdg && *xdg) {
		if (zp_join(path, sizeof path, xdg, "/zpoline") == 0)
			zp_cache_dir = zp_open_dir(path, 1);
		return;
	}
	if (!home || !*home || zp_join(path, sizeof path, home, "/.cache") < 0)
		return;
	parent = zp_open_dir(path, 1);
	if (parent < 0)
		return;
	sys1(SYS_close, parent);
	if (zp_join(path, sizeof path, home, "/.cache/zpoline") == 0)
		zp_cache_dir = zp_open_dir(path, 1);
}

/* The entry's file name: 16 hex digits of the key's hash, ".plan". */
static void zp_entry_name(const struct zp_cache_key *k, char *name)
{
	uint64_t h = zp_fnv(zp_fnv(ZP_FNV_INIT, k, sizeof *k), zp_runtime_id,
			    sizeof zp_runtime_id);
	for (int i = 0; i < 16; i++)
		name[i] = "0123456789abcdef"[h >> (60 - 4 * i) & 15];
	zp_copy(name + 16, ".plan", 6);
}

/* The hash of the bytes the plans p[0..n) change, as they are now. */
static uint64_t zp_plans_hash(const struct zp_plan *p, size_t n)
{
	uint64_t h = ZP_FNV_INIT;
	for (size_t k = 0; k < n; k++) {
		h = zp_fnv(h, (const void *)p[k].site, 2);
		if (p[k].kind == ZP_ISLAND) {
			h = zp_fnv(h, (const void *)p[k].at, 5);
			if (p[k].hop)
				h = zp_fnv(h, (const void *)p[k].hop, 2);
		} else if (p[k].kind == ZP_JUMP) {
			h = zp_fnv(h, (const void *)p[k].at, p[k].end - p[k].at);
		}
	}
	return h;
}

static int zp_same_key(const struct zp_cache_key *a, const struct zp_cache_key *b)
{
	const uint8_t *x = (const void *)a, *y = (const void *)b;
	for (size_t i = 0; i < sizeof *a; i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

#define ZP_CACHE_MAX (8u << 20) /* bytes of an entry, at most */

/* Maps the entry for key k, read-only (its pages are the page cache's: no
 * copy); its size, or -1.  Entries are replaced by rename, never rewritten
 * in place, so the mapped file keeps its size while it is read. */
static long zp_map_entry(const struct zp_cache_key *k, char **buf, size_t *cap)
{
	char name[32];
	long fd, m = -1;
	struct stat st;

	zp_entry_name(k, name);
	fd = sys4(SYS_openat, zp_cache_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (sys2(SYS_fstat, fd, &st) == 0 && st.st_size > 0 &&
	    st.st_size <= ZP_CACHE_MAX)
		m = sys6(SYS_mmap, 0, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	sys1(SYS_close, fd);
	if (m < 0)
		return -1;
	*buf = (char *)m;
	*cap = st.st_size;
	return st.st_size;
}

int zp_cache_load(const struct zp_cache_key *k, uintptr_t bias,
		  const struct zp_seg *g, size_t ng, struct zp_plans *ps,
		  size_t *first, size_t *unplaced)
{
	char *buf = 0;
	size_t cap = 0, at = sizeof(struct zp_cache_head);
	long n;
	int ok = 0;
	const struct zp_cache_head *h;

	if (zp_cache_dir < 0 || (n = zp_map_entry(k, &buf, &cap)) < (long)sizeof *h)
		goto out;
	h = (const struct zp_cache_head *)buf;
	if (h->magic != ZP_CACHE_MAGIC || !zp_same_key(&h->key, k) || h->nseg != ng ||
	    (size_t)n != sizeof *h + ng * sizeof(struct zp_cache_seg) +
				 h->nplans * sizeof(struct zp_cache_plan))
		goto out;
	for (size_t i = 0; i < sizeof zp_runtime_id; i++)
		if (h->runtime[i] != zp_runtime_id[i])
			goto out;
	ps->cap = h->nplans ? h->nplans : 1;
	ps->n = 0;
	if (!(ps->p = zp_mmap(ps->cap * sizeof *ps->p)))
		goto out;
	for (size_t i = 0; i < ng; i++) {
		const struct zp_cache_seg *s = (const void *)(buf + at);
		at += sizeof *s;
		if (bias + s->vaddr != g[i].lo || bias + s->vaddr + s->filesz != g[i].hi ||
		    s->count > h->nplans - ps->n)
			goto out;
		first[i] = ps->n;
		for (uint64_t j = 0; j < s->count; j++, at += sizeof(struct zp_cache_plan)) {
			const struct zp_cache_plan *c = (const void *)(buf + at);
			struct zp_plan *p = &ps->p[ps->n++];
			p->site = bias + c->site;
			p->at = c->at ? bias + c->at : 0;
			p->hop = c->hop ? bias + c->hop : 0;
			p->end = c->end ? bias + c->end : 0;
			p->kind = c->kind;
			/* every byte it changes lies in its segment */
			if (c->kind > ZP_JUMP || p->site < g[i].lo || p->site + 2 > g[i].hi ||
			    (p->kind == ZP_ISLAND && (p->at < g[i].lo || p->at + 5 > g[i].hi ||
			     (p->hop && (p->hop < g[i].lo || p->hop + 2 > g[i].hi)))) ||
			    (p->kind == ZP_JUMP && (p->at < g[i].lo || p->end > g[i].hi ||
			     p->at > p->site || p->end < p->site + 2 ||
			     p->end - p->at > ZP_MOVED_MAX)))
				goto out;
		}
	}
	first[ng] = ps->n;
	ok = ps->n == h->nplans && zp_plans_hash(ps->p, ps->n) == h->hash;
	*unplaced = h->unplaced;
out:
	if (buf)
		sys2(SYS_munmap, buf, cap);
	if (!ok && ps->p) {
		sys2(SYS_munmap, ps->p, ps->cap * sizeof *ps->p);
		ps->p = 0;
		ps->n = ps->cap = 0;
	}
	return ok ? 0 : -1;
}

void zp_cache_store(const struct zp_cache_key *k, uintptr_t bias,
		    const struct zp_seg *g, size_t ng, const struct zp_plans *ps,
		    const size_t *first, size_t unplaced)
{
	char name[32], part[32], tmp[64], pid[20];
	size_t size = sizeof(struct zp_cache_head) + ng * sizeof(struct zp_cache_seg) +
		      ps->n * sizeof(struct zp_cache_plan), at;
	struct zp_cache_head *h;
	char *buf;
	long fd, r;

	if (zp_cache_dir < 0 || size > ZP_CACHE_MAX || !(buf = zp_mmap(size)))
		return;
	h = (struct zp_cache_head *)buf;
	h->magic = ZP_CACHE_MAGIC;
	zp_copy(h->runtime, zp_runtime_id, sizeof h->runtime);
	h->key = *k;
	h->nseg = ng;
	h->nplans = ps->n;
	h->unplaced = unplaced;
	h->hash = zp_plans_hash(ps->p, ps->n);
	at = sizeof *h;
	for (size_t i = 0; i < ng; i++) {
		struct zp_cache_seg *s = (void *)(buf + at);
		s->vaddr = g[i].lo - bias;
		s->filesz = g[i].hi - g[i].lo;
		s->count = first[i + 1] - first[i];
		at += sizeof *s;
		for (size_t j = first[i]; j < first[i + 1]; j++, at += sizeof(struct zp_cache_plan)) {
			const struct zp_plan *p = &ps->p[j];
			struct zp_cache_plan *c = (void *)(buf + at);
			c->site = p->site - bias;
			c->at = p->at ? p->at - bias : 0;
			c->hop = p->hop ? p->hop - bias : 0;
			c->end = p->end ? p->end - bias : 0;
			c->kind = p->kind;
		}
	}
	/* Written as NAME.PID, then renamed to NAME: readers see whole
	   entries only. */
	zp_entry_name(k, name);
	zp_join(part, sizeof part, name, ".");
	zp_join(tmp, sizeof tmp, part, zp_dec(pid, sys0(SYS_getpid)));
	fd = sys4(SYS_openat, zp_cache_dir, tmp,
		  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		r = sys3(SYS_write, fd, buf, size);
		sys1(SYS_close, fd);
		if (r != (long)size ||
		    sys4(SYS_renameat, zp_cache_dir, tmp, zp_cache_dir, name) < 0)
			sys3(SYS_unlinkat, zp_cache_dir, tmp, 0);
	}
	sys2(SYS_munmap, buf, size);
}

void zp_cache_done(void)
{
	if (zp_cache_dir >= 0)
		sys1(SYS_close, zp_cache_dir);
	zp_cache_dir = -1;
}
