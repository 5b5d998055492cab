/*
 * decoder_random.c - zp_insn_len on millions of random 16-byte windows.
 *
 * Built with AddressSanitizer (decoder.c too): each window is copied to
 * the very end of a heap block, so a read past the n bytes the decoder
 * was given hits the redzone and aborts.  Checks, for every window and
 * every n from 0 to 16:
 *   - the answer is 0 or 1..15, and never more than n;
 *   - the answers agree with each other: with L the answer for 16 bytes,
 *     n >= L gives L and n < L gives 0 (fewer bytes can only cut the
 *     instruction short; they never make it another one).  n >= 15 takes
 *     the decoder's fast path, n < 15 its general one, so this also
 *     checks the two against each other.
 * Half the windows are uniform random bytes; half are built from bytes
 * that steer into prefixes, escapes, VEX/EVEX/XOP and groups.
 *
 * Then zp_find_candidates over random bare-code ranges of 0 to 64 bytes,
 * each in a heap block of exactly its size (ASan guards both ends): the
 * sites must be exactly those of a plain reference sweep with
 * zp_insn_len that stops at the first invalid encoding, and every 0f 05
 * / 0f 34 pair must be reported as a candidate once.
 * Prints "N passed, M failed" (windows and ranges); exit status 1 on any
 * failure.
 *
 *   decoder_random [WINDOWS [SEED]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../decoder.h"

static uint64_t state;

static uint64_t next(void)	/* xorshift64* */
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545f4914f6cdd1dull;
}

/* Bytes that lead into the decoder's less common paths. */
static const uint8_t steer[] = {
	0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x64, 0x40, 0x48, 0x4f, 0x0f,
	0x0f, 0x38, 0x3a, 0xc4, 0xc5, 0x62, 0x8f, 0xf6, 0xf7, 0xc6, 0xc7,
	0xfe, 0xff, 0x9b, 0xa0, 0xb8, 0xc8, 0xe8, 0x05, 0x34, 0x04, 0x24,
	0x25, 0x44, 0x84, 0x05, 0x78, 0x20, 0xf8, 0xe8, 0xea,
};

static void fill(uint8_t *b, int steered)
{
	for (int k = 0; k < 16; k++) {
		uint64_t r = next();
		b[k] = steered && (r & 1) ? steer[(r >> 8) % sizeof steer]
					  : (uint8_t)(r >> 16);
	}
}

struct seen {
	const uint8_t *base;
	uint64_t sites, cands;	/* bit k: offset k */
};

static void on_cand(void *ctx, uintptr_t a, enum zp_verdict v)
{
	struct seen *s = ctx;
	unsigned k = a - (uintptr_t)s->base;

	s->cands |= 1ull << k;
	if (v == ZP_SITE)
		s->sites |= 1ull << k;
}

/* One random range: 1 if zp_find_candidates agrees with the reference. */
static int range_ok(int steered)
{
	uint8_t b[64];
	size_t n = next() % 65;
	uint8_t *p;
	uint64_t sites = 0, cands = 0;
	struct seen s = { 0 };

	for (size_t k = 0; k < n; k += 16)
		fill(b + k, steered);
	for (size_t k = 0; k + 1 < n; k++)	/* plant some pairs */
		if (next() % 16 == 0) {
			b[k] = 0x0f;
			b[k + 1] = next() & 1 ? 0x05 : 0x34;
		}
	p = malloc(n ? n : 1);
	memcpy(p, b, n);
	for (size_t k = 0; k + 1 < n; k++)
		if (p[k] == 0x0f && (p[k + 1] == 0x05 || p[k + 1] == 0x34))
			cands |= 1ull << k;
	for (size_t k = 0; k < n;) {		/* the reference sweep */
		int len = zp_insn_len(p + k, n - k);
		if (len == 0)
			break;
		if (zp_is_syscall(p + k, len))
			sites |= 1ull << k;
		k += len;
	}
	s.base = p;
	size_t r = zp_find_candidates(NULL, (uintptr_t)p, (uintptr_t)p + n,
				      on_cand, &s, NULL);
	free(p);
	return s.sites == sites && s.cands == cands &&
	       r == (size_t)__builtin_popcountll(sites);
}

int main(int argc, char **argv)
{
	long windows = argc > 1 ? atol(argv[1]) : 2000000;
	uint8_t *block = malloc(16), b[16];
	long passed = 0, failed = 0;

	state = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x5eed2024;
	for (long w = 0; w < windows; w++) {
		int ok = 1, L = -1;
		fill(b, w & 1);
		for (int n = 16; n >= 0; n--) {
			uint8_t *p = block + 16 - n;	/* ends at the redzone */
			memcpy(p, b, n);
			int r = zp_insn_len(p, n);
			if (n == 16)
				L = r;
			int want = L > 0 && n >= L ? L : 0;
			if (r < 0 || r > 15 || r > n || r != want)
				ok = 0;
		}
		if (ok) {
			passed++;
			continue;
		}
		if (failed++ < 10) {
			printf("window");
			for (int k = 0; k < 16; k++)
				printf(" %02x", b[k]);
			printf(": answers differ with the bytes given\n");
		}
	}
	for (long w = 0; w < windows / 10; w++) {
		if (range_ok(w & 1)) {
			passed++;
		} else if (failed++ < 10) {
			printf("range %ld: sites differ from a plain sweep\n", w);
		}
	}
	printf("decoder_random: %ld passed, %ld failed\n", passed, failed);
	free(block);
	return failed != 0;
}
