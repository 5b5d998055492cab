/*
 * zpscan - show what libzpoline.so would rewrite in an ELF object.
 *
 *   zpscan [--no-eh] FILE...    every syscall/sysenter site of the
 *                               executable segments, and the candidates
 *                               (0f 05 / 0f 34 byte pairs) left unplaced
 *   zpscan --all FILE           every instruction boundary, "offset
 *                               length" (file offset in hex, length in
 *                               decimal), one a line; length 0: invalid,
 *                               the sweep goes on at the next byte
 *   zpscan --bench FILE...      decoder throughput and zp_find_sites time
 *   --raw                       FILE is bare x86-64 code, not an ELF
 *   --kinds=K,K                 the kinds of rewriting allowed (island,
 *                               jump, page0), as ZPOLINE_SITES sets them
 *
 * Invariant: sites come from the runtime's own code path.  Each PT_LOAD is
 * mapped at bias + p_vaddr inside one reserved region, as a loader does,
 * and zp_find_candidates (the scan behind zp_find_sites) runs over each
 * executable segment, rounded to pages as /proc/self/maps shows it.
 * --all sweeps each executable section from its start, as objdump -d
 * does, for differential testing.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "decoder.h"

#define PAGE 4096ul
#define PAGE_DOWN(x) ((x) & ~(PAGE - 1))
#define PAGE_UP(x) PAGE_DOWN((x) + PAGE - 1)

static int no_eh;
static unsigned allow_kinds = ZP_ALLOW_ALL; /* --kinds */

struct file {
	const char *name;
	const uint8_t *data;	/* the whole file, read-only */
	size_t size;
	const Elf64_Ehdr *eh;	/* NULL for --raw */
	Elf64_Phdr *ph;		/* a copy (--no-eh edits it) */
	uintptr_t base;		/* the loader-like image */
	size_t span;
	struct zp_elf elf;
};

struct sym {
	uint64_t addr, size;
	const char *name;
};

static struct sym *syms;
static size_t nsyms;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void die(const char *what, const char *name)
{
	fprintf(stderr, "zpscan: %s: %s\n", name, what);
	exit(2);
}

/* The file's bytes [off, off + len), or NULL if outside the file. */
static const void *at(const struct file *f, uint64_t off, uint64_t len)
{
	return off <= f->size && len <= f->size - off ? f->data + off : NULL;
}

static void open_file(struct file *f, const char *name, int raw)
{
	struct stat sb;
	int fd = open(name, O_RDONLY);

	memset(f, 0, sizeof *f);
	f->name = name;
	if (fd < 0 || fstat(fd, &sb) < 0)
		die("cannot open", name);
	f->size = sb.st_size;
	f->data = f->size ? mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0)
			  : (const uint8_t *)"";
	if (f->data == MAP_FAILED)
		die("cannot map", name);
	if (raw) {
		close(fd);
		return;
	}
	f->eh = at(f, 0, sizeof *f->eh);
	if (!f->eh || memcmp(f->eh->e_ident, ELFMAG, SELFMAG) ||
	    f->eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    f->eh->e_machine != EM_X86_64 ||
	    f->eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    !at(f, f->eh->e_phoff, f->eh->e_phnum * sizeof(Elf64_Phdr)))
		die("not an x86-64 ELF file", name);
	f->ph = malloc(f->eh->e_phnum * sizeof(Elf64_Phdr));
	memcpy(f->ph, f->data + f->eh->e_phoff,
	       f->eh->e_phnum * sizeof(Elf64_Phdr));

	/* Map like a loader: reserve the span, then each PT_LOAD in it. */
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	for (unsigned k = 0; k < f->eh->e_phnum; k++) {
		Elf64_Phdr *p = &f->ph[k];
		if (no_eh && p->p_type == PT_GNU_EH_FRAME)
			p->p_type = PT_NULL;
		if (p->p_type != PT_LOAD)
			continue;
		if (PAGE_DOWN(p->p_vaddr) < lo)
			lo = PAGE_DOWN(p->p_vaddr);
		if (PAGE_UP(p->p_vaddr + p->p_memsz) > hi)
			hi = PAGE_UP(p->p_vaddr + p->p_memsz);
	}
	if (hi <= lo)
		die("no PT_LOAD", name);
	f->span = hi - lo;
	void *base = mmap(NULL, f->span, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		die("cannot reserve address space", name);
	f->base = (uintptr_t)base;
	f->elf.bias = f->base - lo;
	for (unsigned k = 0; k < f->eh->e_phnum; k++) {
		Elf64_Phdr *p = &f->ph[k];
		uint64_t in = p->p_vaddr - PAGE_DOWN(p->p_vaddr);
		if (p->p_type != PT_LOAD || !p->p_filesz)
			continue;
		if (PAGE_DOWN(p->p_offset) != p->p_offset - in ||
		    !at(f, p->p_offset, p->p_filesz) ||
		    mmap((void *)(f->elf.bias + p->p_vaddr - in),
			 p->p_filesz + in, PROT_READ, MAP_PRIVATE | MAP_FIXED,
			 fd, p->p_offset - in) == MAP_FAILED)
			die("cannot map a PT_LOAD", name);
	}
	close(fd);
	f->elf.phdr = f->ph;
	f->elf.phnum = f->eh->e_phnum;
}

static void close_file(struct file *f)
{
	if (f->base)
		munmap((void *)f->base, f->span);
	if (f->size)
		munmap((void *)f->data, f->size);
	free(f->ph);
}

/* Section header k, or NULL. */
static const Elf64_Shdr *shdr(const struct file *f, unsigned k)
{
	if (!f->eh || f->eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    k >= f->eh->e_shnum)
		return NULL;
	return at(f, f->eh->e_shoff + k * sizeof(Elf64_Shdr),
		  sizeof(Elf64_Shdr));
}

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The function symbols of .symtab, or of .dynsym when there is none. */
static void load_syms(const struct file *f)
{
	const Elf64_Shdr *s, *str;

	nsyms = 0;
	for (int want = SHT_SYMTAB; want; want = want == SHT_SYMTAB ? SHT_DYNSYM : 0) {
		for (unsigned k = 0; (s = shdr(f, k)); k++) {
			if (s->sh_type != (unsigned)want || !(str = shdr(f, s->sh_link)))
				continue;
			const Elf64_Sym *sym = at(f, s->sh_offset, s->sh_size);
			size_t n = sym ? s->sh_size / sizeof *sym : 0;
			syms = realloc(syms, (nsyms + n) * sizeof *syms);
			for (size_t j = 0; j < n; j++) {
				if (ELF64_ST_TYPE(sym[j].st_info) != STT_FUNC ||
				    !sym[j].st_value ||
				    sym[j].st_name >= str->sh_size ||
				    !at(f, str->sh_offset, str->sh_size))
					continue;
				syms[nsyms++] = (struct sym){
					sym[j].st_value, sym[j].st_size,
					(const char *)f->data + str->sh_offset +
						sym[j].st_name };
			}
		}
		if (nsyms)
			break;
	}
	qsort(syms, nsyms, sizeof *syms, sym_cmp);
}

/* "name+0xoff" for a virtual address, in buf. */
static const char *sym_at(uint64_t va, char *buf, size_t len)
{
	size_t l = 0, r = nsyms;

	while (l < r) {
		size_t m = (l + r) / 2;
		if (syms[m].addr <= va)
			l = m + 1;
		else
			r = m;
	}
	if (l == 0 || (syms[l - 1].size && va >= syms[l - 1].addr + syms[l - 1].size))
		return "";
	snprintf(buf, len, "%s+0x%llx", syms[l - 1].name,
		 (unsigned long long)(va - syms[l - 1].addr));
	return buf;
}

/* File offset of virtual address va, or -1. */
static long long file_off(const struct file *f, uint64_t va)
{
	if (!f->eh)
		return va;
	for (unsigned k = 0; k < f->eh->e_phnum; k++) {
		const Elf64_Phdr *p = &f->ph[k];
		if (p->p_type == PT_LOAD && va >= p->p_vaddr &&
		    va < p->p_vaddr + p->p_filesz)
			return p->p_offset + (va - p->p_vaddr);
	}
	return -1;
}

struct range {
	uintptr_t lo, hi;
};

/* The executable ranges zp_find_sites is given, as the runtime gives
   them: each executable PT_LOAD's bytes from the file (p_filesz). */
static size_t exec_ranges(const struct file *f, struct range *r, size_t max)
{
	size_t n = 0;

	if (!f->eh) {
		r[0] = (struct range){ (uintptr_t)f->data,
				       (uintptr_t)f->data + f->size };
		return 1;
	}
	for (unsigned k = 0; k < f->eh->e_phnum && n < max; k++) {
		const Elf64_Phdr *p = &f->ph[k];
		if (p->p_type == PT_LOAD && (p->p_flags & PF_X) && p->p_filesz)
			r[n++] = (struct range){
				f->elf.bias + p->p_vaddr,
				f->elf.bias + p->p_vaddr + p->p_filesz };
	}
	return n;
}

static const char *const verdict_name[] = {
	[ZP_SITE] = "site", [ZP_INSIDE] = "inside", [ZP_UNPLACED] = "unplaced",
};

static const char *const kind_name[] = {
	[ZP_PAGE0] = "page0", [ZP_ISLAND] = "island", [ZP_JUMP] = "jump",
};

/* The candidates of one range, with their verdicts, in address order. */
struct cands {
	struct cand {
		uintptr_t addr;
		enum zp_verdict v;
	} *c;
	size_t n, cap;
};

static void add_cand(void *ctx, uintptr_t addr, enum zp_verdict v)
{
	struct cands *cs = ctx;

	if (v == ZP_INSIDE)
		return;
	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? 2 * cs->cap : 256;
		cs->c = realloc(cs->c, cs->cap * sizeof *cs->c);
		if (!cs->c)
			die("out of memory", "zpscan");
	}
	cs->c[cs->n++] = (struct cand){ addr, v };
}

/* One line per site or unplaced candidate: verdict, file offset, address,
 * instruction, and for sites how the runtime rewrites it (kind, and the
 * address of the island slot, "hop>slot" through a hop, or the range
 * "start-end" of the moved instructions), then the function symbol. */
static void print_cands(const struct file *f, const struct cands *cs,
			const struct zp_plan *plan, size_t *kinds)
{
	uintptr_t base = f->eh ? f->elf.bias : (uintptr_t)f->data;
	char buf[512], at[48];
	size_t k = 0;

	for (size_t i = 0; i < cs->n; i++) {
		const struct cand *c = &cs->c[i];
		uint64_t va = c->addr - base;
		const char *kind = "-";
		strcpy(at, "-");
		if (c->v == ZP_SITE) {
			const struct zp_plan *pk = &plan[k++];
			kind = kind_name[pk->kind];
			kinds[pk->kind]++;
			if (pk->kind == ZP_ISLAND && pk->hop)
				snprintf(at, sizeof at, "%#llx>%#llx",
					 (unsigned long long)(pk->hop - base),
					 (unsigned long long)(pk->at - base));
			else if (pk->kind == ZP_ISLAND)
				snprintf(at, sizeof at, "%#llx",
					 (unsigned long long)(pk->at - base));
			else if (pk->kind == ZP_JUMP)
				snprintf(at, sizeof at, "%#llx-%#llx",
					 (unsigned long long)(pk->at - base),
					 (unsigned long long)(pk->end - base));
		}
		printf("%-8s %#10llx %#10llx %s %-6s %-17s %s\n",
		       verdict_name[c->v], file_off(f, va),
		       (unsigned long long)va,
		       ((const uint8_t *)c->addr)[1] == 0x05 ? "syscall "
							     : "sysenter",
		       kind, at, sym_at(va, buf, sizeof buf));
	}
}

static int scan_file(struct file *f)
{
	struct range r[16];
	size_t n = exec_ranges(f, r, 16), kinds[3] = { 0 };
	struct zp_scan_stats st = { 0 };
	double t = 0;

	load_syms(f);
	printf("%s:\n", f->name);
	for (size_t k = 0; k < n; k++) {
		struct cands cs = { 0 };
		struct zp_plan *plan;
		size_t ns = 0;
		double t0 = now();
		zp_find_candidates(f->eh ? &f->elf : NULL, r[k].lo, r[k].hi,
				   add_cand, &cs, &st);
		t += now() - t0;
		plan = calloc(cs.n + 1, sizeof *plan);
		for (size_t i = 0; i < cs.n; i++)
			if (cs.c[i].v == ZP_SITE)
				plan[ns++].site = cs.c[i].addr;
		zp_plan_sites(f->eh ? &f->elf : NULL, r[k].lo, r[k].hi, plan, ns,
			      allow_kinds);
		print_cands(f, &cs, plan, kinds);
		free(plan);
		free(cs.c);
	}
	printf("%s: %zu bytes, %zu instructions decoded, %zu candidates, "
	       "%zu sites (%zu island, %zu jump, %zu page0), %zu unplaced, "
	       "%.0f MB/s\n", f->name, st.bytes, st.insns, st.candidates,
	       st.sites, kinds[ZP_ISLAND], kinds[ZP_JUMP], kinds[ZP_PAGE0],
	       st.unplaced, t > 0 ? st.bytes / t / 1e6 : 0.0);
	return 0;
}

/* The code ranges --all and --bench sweep: executable sections, else
   executable segments, else (--raw) the file; as file offsets. */
static size_t code_ranges(const struct file *f, struct range *r, size_t max)
{
	const Elf64_Shdr *s;
	size_t n = 0;

	if (!f->eh) {
		r[0] = (struct range){ 0, f->size };
		return 1;
	}
	for (unsigned k = 0; (s = shdr(f, k)) && n < max; k++)
		if (s->sh_type == SHT_PROGBITS && (s->sh_flags & SHF_EXECINSTR) &&
		    at(f, s->sh_offset, s->sh_size))
			r[n++] = (struct range){ s->sh_offset,
						 s->sh_offset + s->sh_size };
	for (unsigned k = 0; !n && k < f->eh->e_phnum && n < max; k++) {
		const Elf64_Phdr *p = &f->ph[k];
		if (p->p_type == PT_LOAD && (p->p_flags & PF_X))
			r[n++] = (struct range){ p->p_offset,
						 p->p_offset + p->p_filesz };
	}
	return n;
}

/* Linear sweep of [lo, hi) of the file, printing each boundary. */
static void print_sweep(const struct file *f, struct range r)
{
	for (size_t o = r.lo; o < r.hi;) {
		int len = zp_insn_len(f->data + o, r.hi - o);
		printf("%zx %d\n", o, len);
		o += len ? len : 1;
	}
}

static int all_file(const struct file *f)
{
	struct range r[64];
	size_t n = code_ranges(f, r, 64);

	for (size_t k = 0; k < n; k++)
		print_sweep(f, r[k]);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Median of runs timings of fn over f. */
#define RUNS 15
static double median(double *t)
{
	qsort(t, RUNS, sizeof *t, cmp_double);
	return t[RUNS / 2];
}

static int bench_file(struct file *f)
{
	struct range c[64], e[16];
	size_t nc = code_ranges(f, c, 64), ne = exec_ranges(f, e, 16);
	size_t bytes = 0, insns = 0;
	double t[RUNS], s[RUNS];
	struct zp_scan_stats st = { 0 };

	for (size_t k = 0; k < nc; k++)
		bytes += c[k].hi - c[k].lo;
	for (int i = 0; i < RUNS; i++) {
		insns = 0;
		t[i] = now();
		for (size_t k = 0; k < nc; k++)
			insns += zp_sweep(f->data + c[k].lo, c[k].hi - c[k].lo,
					  NULL);
		t[i] = now() - t[i];
	}
	for (int i = 0; i < RUNS; i++) {
		memset(&st, 0, sizeof st);
		s[i] = now();
		for (size_t k = 0; k < ne; k++)
			zp_find_sites(f->eh ? &f->elf : NULL, e[k].lo, e[k].hi,
				      NULL, NULL, &st);
		s[i] = now() - s[i];
	}
	double m = median(t), ms = median(s);
	printf("%s: decode %zu bytes, %zu insns: %.0f MB/s, %.2f ns/insn "
	       "(median of %d); zp_find_sites: %.3f ms, %zu sites, "
	       "%zu unplaced\n", f->name, bytes, insns, bytes / m / 1e6,
	       m / insns * 1e9, RUNS, ms * 1e3, st.sites, st.unplaced);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: zpscan [--raw] [--no-eh] [--kinds=K,K] "
			"[--all | --bench] FILE...\n");
	exit(2);
}

/* --kinds=island,jump,page0: the kinds the planner may choose (page0
 * always), as ZPOLINE_SITES gives them to the runtime. */
static unsigned parse_kinds(const char *s)
{
	unsigned k = 1u << ZP_PAGE0;
	char *copy = strdup(s), *save = NULL;

	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (!strcmp(w, "island"))
			k |= 1u << ZP_ISLAND;
		else if (!strcmp(w, "jump"))
			k |= 1u << ZP_JUMP;
		else if (strcmp(w, "page0"))
			usage();
	}
	free(copy);
	return k;
}

int main(int argc, char **argv)
{
	int raw = 0, all = 0, bench = 0, i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--raw"))
			raw = 1;
		else if (!strcmp(argv[i], "--all"))
			all = 1;
		else if (!strcmp(argv[i], "--bench"))
			bench = 1;
		else if (!strcmp(argv[i], "--no-eh"))
			no_eh = 1;
		else if (!strncmp(argv[i], "--kinds=", 8))
			allow_kinds = parse_kinds(argv[i] + 8);
		else
			usage();
	}
	if (i == argc || (all && bench))
		usage();
	for (; i < argc; i++) {
		struct file f;
		open_file(&f, argv[i], raw);
		if (all)
			all_file(&f);
		else if (bench)
			bench_file(&f);
		else
			scan_file(&f);
		close_file(&f);
	}
	return 0;
}
