/*
 * decoder.h - interface of decoder.c: x86-64 instruction lengths, and the
 * system call instructions of loaded ELF code.
 *
 * Shared by libzpoline.so (which rewrites what zp_find_sites reports),
 * zpscan (which shows it) and the tests.  Everything here is pure: no libc
 * calls, no allocation, no global state, no vector registers, so the
 * runtime may call it from any context, including its dispatch path.
 */
#ifndef ZP_DECODER_H
#define ZP_DECODER_H

#include <stddef.h>
#include <stdint.h>

#define ZP_INSN_MAX 15 /* architectural limit on an instruction's length */

/*
 * Length of the instruction at p, reading at most min(n, ZP_INSN_MAX)
 * bytes: 1..15, or 0 when the bytes are not a valid 64-bit-mode
 * instruction (#UD in 64-bit mode, longer than 15 bytes, or cut off by n).
 */
int zp_insn_len(const uint8_t *p, size_t n);

/*
 * Decodes [p, p + n) linearly from p, as objdump -d does: an invalid
 * encoding counts as one byte, and the sweep goes on at the next.
 * Returns the number of instructions; *invalid (if not NULL) gets the
 * number of invalid bytes among them.  For measurements and audits: a
 * sweep knows no instruction boundary but p.
 */
size_t zp_sweep(const uint8_t *p, size_t n, size_t *invalid);

/* True if the len-byte instruction at p is a bare syscall or sysenter. */
static inline int zp_is_syscall(const uint8_t *p, int len)
{
	return len == 2 && p[0] == 0x0f && (p[1] == 0x05 || p[1] == 0x34);
}

/* An ELF object as it is mapped in memory. */
struct zp_elf {
	uintptr_t bias;	  /* run-time address = bias + p_vaddr */
	const void *phdr; /* its program headers (Elf64_Phdr[phnum]), mapped */
	unsigned phnum;
};

/* What a scan saw; zp_find_sites adds to these counters. */
struct zp_scan_stats {
	size_t bytes;	   /* bytes of code in the ranges scanned */
	size_t insns;	   /* instructions decoded */
	size_t candidates; /* 0f 05 / 0f 34 byte pairs seen */
	size_t sites;	   /* syscall/sysenter instructions reported */
	size_t unplaced;   /* candidates that could not be proven to be
			      (or not to be) instructions: not reported */
};

typedef void (*zp_site_fn)(void *ctx, uintptr_t addr);

/*
 * Calls fn(ctx, a) for each syscall/sysenter instruction a (2 bytes) that
 * lies in [lo, hi), a readable executable range of the object elf (NULL
 * for bare code with no ELF metadata).  An address is reported only when
 * decoding from a known instruction boundary (a function start from the
 * object's .eh_frame_hdr, or lo for bare code) reaches it as the start of
 * an instruction; bytes that merely look like 0f 05 inside another
 * instruction or inside data are never reported.  Reads no byte outside
 * [lo, hi) and the object's mapped metadata.  Returns the number of sites
 * reported.
 */
size_t zp_find_sites(const struct zp_elf *elf, uintptr_t lo, uintptr_t hi,
		     zp_site_fn fn, void *ctx, struct zp_scan_stats *st);

/* What zp_find_candidates says of each 0f 05 / 0f 34 byte pair. */
enum zp_verdict {
	ZP_SITE,     /* a syscall/sysenter instruction: zp_find_sites reports it */
	ZP_INSIDE,   /* part of another instruction */
	ZP_UNPLACED, /* not proven either way (outside every FDE, or the
			decode to it met an invalid encoding): not reported */
};

typedef void (*zp_cand_fn)(void *ctx, uintptr_t addr, enum zp_verdict v);

/*
 * The same scan as zp_find_sites, calling fn for every candidate byte
 * pair with its verdict instead of for the sites alone: what an auditor
 * (zpscan) wants to see.  Returns the number of sites.
 */
size_t zp_find_candidates(const struct zp_elf *elf, uintptr_t lo,
			  uintptr_t hi, zp_cand_fn fn, void *ctx,
			  struct zp_scan_stats *st);

#endif /* ZP_DECODER_H */
