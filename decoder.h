/*
 * decoder.h - interface of decoder.c (x86-64 instruction lengths, and the
 * system call instructions of loaded ELF code) and of sites.c (how each of
 * those instructions is rewritten).
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

/* What an instruction does to the flow of control: see zp_insn_flow. */
enum zp_flow {
	ZP_FLOW_NEXT,	/* goes on to the next instruction */
	ZP_FLOW_BRANCH, /* conditional: to its target, or on */
	ZP_FLOW_CALL,	/* call: returns to the next instruction */
	ZP_FLOW_JUMP,	/* never goes on: jmp, ret, ud2 */
	ZP_FLOW_FILL,	/* padding: nop, int3 */
};

/*
 * The flow class of the len-byte instruction at p (len from zp_insn_len);
 * *target gets the destination of a direct jmp, jcc, loop, call or xbegin
 * (its rel8/rel16/rel32 added to p + len), 0 otherwise.
 */
enum zp_flow zp_insn_flow(const uint8_t *p, int len, uintptr_t *target);

/*
 * The index in p of the ModRM byte of the valid len-byte instruction at p,
 * or -1 when it has none.  A ModRM m with (m & 0xc7) == 0x05 makes the
 * operand RIP-relative, with its disp32 right after m.
 */
int zp_insn_modrm(const uint8_t *p, int len);

/* An ELF object as it is mapped in memory. */
struct zp_elf {
	uintptr_t bias;	  /* run-time address = bias + p_vaddr */
	const void *phdr; /* its program headers (Elf64_Phdr[phnum]), mapped */
	unsigned phnum;
};

/*
 * The functions of an object, as its .eh_frame_hdr lists their FDEs:
 * sorted by start address.  Read in place; nothing is copied.
 */
struct zp_funcs {
	const uint8_t *hdr;	/* .eh_frame_hdr */
	const int32_t *tab;	/* [2 * count]: initial location, FDE */
	size_t count;
	const struct zp_elf *elf;
	const uint8_t *cie;	/* the last CIE read, and its FDE encoding */
	int cie_enc;
};

/* 1 if elf has an .eh_frame_hdr of the usual layout (then *t is set). */
int zp_funcs_init(const struct zp_elf *elf, struct zp_funcs *t);

/* The index of the last function that starts at or below a, or -1. */
long zp_funcs_find(const struct zp_funcs *t, uintptr_t a);

/* [*start, *end) of function i: its FDE's range; 0 if it cannot be read. */
int zp_funcs_range(struct zp_funcs *t, size_t i, uintptr_t *start,
		   uintptr_t *end);

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
 * instruction or inside data are never reported.  With .eh_frame_hdr,
 * only the functions' ranges are read (and counted in st->bytes); without,
 * all of [lo, hi).  Reads no byte outside [lo, hi) and the object's mapped
 * metadata.  Returns the number of sites reported.
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

/* ---- sites.c ---------------------------------------------------------- */

#define ZP_MOVED_MAX 32 /* bytes ZP_JUMP moves with a site, at most */

/* How a site is rewritten (see sites.c). */
enum zp_kind {
	ZP_PAGE0,  /* call *%rax into page 0 */
	ZP_ISLAND, /* jmp rel8 to a slot of dead fill, jmp rel32 to its gate */
	ZP_JUMP,   /* the site and the instructions next to it move to its
		      gate: jmp rel32 there, traps at the other starts */
};

struct zp_plan {
	uintptr_t site;		/* the syscall/sysenter (2 bytes): input */
	unsigned char kind;	/* enum zp_kind */
	uintptr_t at;		/* ZP_ISLAND: the 5-byte slot; ZP_JUMP: the
				   jmp rel32, at the first moved instruction */
	uintptr_t hop;		/* ZP_ISLAND: 0, or a 2-byte jmp rel8 of dead
				   fill between the site and the slot */
	uintptr_t end;		/* ZP_JUMP: the end of the moved instructions;
				   at <= site, site + 2 <= end */
};
/*
 * Chooses how each site p[0..n) is rewritten: p[k].site are ascending
 * addresses of sites zp_find_sites reported in [lo, hi), an executable
 * range of elf; fills in kind, at, hop and end.  Kinds not in allow (bits
 * 1 << enum zp_kind) are not chosen; ZP_PAGE0 always may be.  Every byte
 * it plans to change lies in [lo, hi).
 */
#define ZP_ALLOW_ALL 7u
void zp_plan_sites(const struct zp_elf *elf, uintptr_t lo, uintptr_t hi,
		   struct zp_plan *p, size_t n, unsigned allow);

#endif /* ZP_DECODER_H */
