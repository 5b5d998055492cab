/*
 * decoder_cases.c - checks zp_insn_len and zp_find_candidates against the
 * hand-derived table test/decoder_cases.txt (format described there).
 *
 * Every instruction is placed so that its last byte is the last readable
 * byte before a PROT_NONE page: a decoder that reads one byte too many
 * faults.  Each case is also run cut short (every shorter n must answer
 * 0) and padded with nops to 16 bytes (the answer must not change).
 * Prints "N passed, M failed", counting cases; exit status 1 on any
 * failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../decoder.h"

#define PAGE 4096

static uint8_t *guard;	/* the last byte before a PROT_NONE page */
static int passed, failed, case_failed;

/* bytes placed to end just before the guard page */
static const uint8_t *at_guard(const uint8_t *b, size_t n)
{
	uint8_t *p = guard - n;
	memcpy(p, b, n);
	return p;
}

static void check(int ok, int line, const char *what, long got, long want)
{
	if (ok)
		return;
	case_failed = 1;
	printf("line %d: %s: got %ld, want %ld\n", line, what, got, want);
}

static size_t parse_hex(const char *s, uint8_t *b, size_t max)
{
	size_t n = 0;
	unsigned v;
	int k;

	while (n < max && sscanf(s, " %2x%n", &v, &k) == 1) {
		b[n++] = v;
		s += k;
	}
	return n;
}

static void insn_case(int line, const uint8_t *b, size_t n, const char *want)
{
	int cut = !strcmp(want, "cut"), bad = !strcmp(want, "bad");
	int len = cut || bad ? 0 : atoi(want);
	uint8_t pad[32];

	check(zp_insn_len(at_guard(b, n), n) == len, line, "length",
	      zp_insn_len(at_guard(b, n), n), len);
	for (size_t k = 0; k < n; k++) {	/* every shorter window */
		int r = zp_insn_len(at_guard(b, k), k);
		int w = len && (int)k >= len ? len : 0;
		check(r == w, line, "length cut short", r, w);
	}
	if (!cut) {			/* more bytes change nothing */
		memset(pad, 0x90, sizeof pad);
		memcpy(pad, b, n);
		int r = zp_insn_len(at_guard(pad, 16), 16);
		check(r == len, line, "length with nops after", r, len);
	}
}

struct found {
	uintptr_t base;
	long sites[16];
	int nsites, unplaced;
};

static void on_cand(void *ctx, uintptr_t a, enum zp_verdict v)
{
	struct found *f = ctx;
	if (v == ZP_SITE && f->nsites < 16)
		f->sites[f->nsites++] = a - f->base;
	if (v == ZP_UNPLACED)
		f->unplaced++;
}

static void stream_case(int line, const uint8_t *b, size_t n, char *want)
{
	const uint8_t *p = at_guard(b, n);
	struct found f = { (uintptr_t)p, { 0 }, 0, 0 };
	struct zp_scan_stats st = { 0 };
	long w[16];
	int nw = 0, unplaced = 0;
	char *s = strtok(want, " ,");

	if (s && !strcmp(s, "sites"))
		s = strtok(NULL, " ,");
	for (; s && strcmp(s, "unplaced"); s = strtok(NULL, " ,"))
		if (strcmp(s, "-") && nw < 16)
			w[nw++] = strtol(s, NULL, 0);
	if (s && (s = strtok(NULL, " ,")))
		unplaced = atoi(s);

	size_t r = zp_find_candidates(NULL, (uintptr_t)p, (uintptr_t)p + n,
				      on_cand, &f, &st);
	check((int)r == nw && f.nsites == nw, line, "number of sites",
	      f.nsites, nw);
	for (int k = 0; k < nw && k < f.nsites; k++)
		check(f.sites[k] == w[k], line, "site offset", f.sites[k], w[k]);
	check(f.unplaced == unplaced && (int)st.unplaced == unplaced, line,
	      "unplaced candidates", f.unplaced, unplaced);
}

int main(int argc, char **argv)
{
	char buf[512];
	uint8_t b[64];
	int line = 0;
	FILE *in = fopen(argc > 1 ? argv[1] : "test/decoder_cases.txt", "r");
	uint8_t *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (!in || m == MAP_FAILED || mprotect(m + PAGE, PAGE, PROT_NONE)) {
		perror("decoder_cases");
		return 2;
	}
	guard = m + PAGE;
	while (fgets(buf, sizeof buf, in)) {
		char *f1, *f2;
		line++;
		if (buf[0] == '#' || buf[0] == '\n')
			continue;
		if (!(f1 = strchr(buf, '|')) || !(f2 = strchr(f1 + 1, '|'))) {
			printf("line %d: malformed\n", line);
			failed++;
			continue;
		}
		*f1 = *f2 = 0;
		char want[64];
		if (sscanf(f1 + 1, " %63[^\n]", want) != 1)
			want[0] = 0;
		for (char *e = want + strlen(want); e > want && e[-1] == ' ';)
			*--e = 0;
		case_failed = 0;
		if (!strncmp(buf, "stream ", 7))
			stream_case(line, b, parse_hex(buf + 7, b, sizeof b), want);
		else
			insn_case(line, b, parse_hex(buf, b, sizeof b), want);
		if (case_failed)
			failed++;
		else
			passed++;
	}
	printf("decoder_cases: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
