/*
 * decoder.c - x86-64 instruction lengths, and the system call sites of
 * loaded ELF code.
 *
 * Two jobs, one per half of this file:
 *
 *   zp_insn_len    the length of one 64-bit-mode instruction, from opcode
 *                  maps kept as data (one row of 16 opcodes per line, to be
 *                  read against the Intel SDM Vol. 2 appendix A and the AMD
 *                  APM Vol. 3 appendix A).  Two walkers share the tables:
 *                  a fast path with 15 bytes readable (hot() for the
 *                  common case without a branch on the bytes, not_hot()
 *                  for one prefix, REX 0F, the groups and VEX/EVEX) and
 *                  general() for everything; the random test checks each
 *                  against the other.
 *   zp_find_sites  the syscall/sysenter instructions of a code range,
 *                  proven by decoding from a known instruction boundary.
 *
 * Invariants, relied on by libzpoline.so (which calls this at start-up and
 * from its dispatch path) and checked by `make check-decoder`:
 *   - no libc, no allocation, no mutable global state, no vector registers
 *     (built with -mgeneral-regs-only; `nm` shows no undefined symbol);
 *   - zp_insn_len reads at most min(n, 15) bytes at p; with fewer than 15
 *     readable (general()), only the bytes it needs: prefixes, opcode,
 *     ModRM, SIB and the VEX/EVEX/XOP payload; displacements and
 *     immediates are counted, never read (the fast path loads p[0..7]);
 *   - zp_find_sites reads only [lo, hi) and the object's mapped unwind
 *     tables, after checking that they lie inside one of its PT_LOADs.
 *
 * What "invalid" (0) covers: encodings that are #UD in 64-bit mode at the
 * level of the opcode (an undefined opcode, a group member that does not
 * exist, a VEX/EVEX/XOP prefix that cannot start an instruction, a VEX or
 * EVEX map that does not exist), instructions longer than 15 bytes, and
 * instructions cut off by n.  Operand-level faults (LOCK on a register
 * operand, VEX.L on a 128-bit-only instruction, an undefined opcode inside
 * a VEX/EVEX map) are not decided: their length is well defined anyway.
 */
#include <elf.h>

#include "decoder.h"

/* ---- Opcode attributes ---------------------------------------------------
 *
 * 16 bits per opcode.  Bits 0-3: the bytes of immediate (or of a
 * displacement-like operand) that follow the opcode and its ModRM, with
 * no 66/67/REX.W prefix; bits 4-5: how the operand or address size
 * changes that; bits 8-11: a class that is not an ordinary instruction
 * and is handled by code (prefixes, escapes, groups whose members differ
 * in length or validity); bits 12-15: all set if a ModRM byte follows
 * the opcode.  The groups' entries (C_GRP3, C_GRP11, C_GRP45) also give
 * the ModRM and immediate of their /0 member: the fast path measures the
 * instruction with them before it looks at the member (not_hot()).
 */
enum { SZ_FIXED, SZ_Z, SZ_V, SZ_MOFFS };
#define I0  0			/* no immediate */
#define IB  1			/* ib */
#define IW  2			/* iw (also two ib: SSE4a extrq/insertq) */
#define IWB 3			/* enter: iw, ib */
#define ID  4			/* rel32, id: 66 does not shorten rel32 in
				   64-bit mode (Intel: near branches ignore
				   66 there) */
#define IZ  (4 | SZ_Z << 4)	/* iz: 2 with operand size 16 (66 without
				   REX.W), else 4 */
#define IV  (4 | SZ_V << 4)	/* iv, B8+r mov: 8 with REX.W, 2 with 66 */
#define IM  (8 | SZ_MOFFS << 4)	/* moffs: the address size, 4 with 67 */
#define M   0xf000		/* ModRM follows the opcode (a 4-bit mask, so
				   that a >> 12 masks the ModRM's bytes) */
#define CLASS_MASK 0x0f00

enum {
	C_PFX = 1, /* legacy prefix: 66 67 F2 F3 F0 and the segments */
	C_REX,	   /* 40-4F */
	C_0F,	   /* escape to the two-byte map */
	C_0F38,	   /* escape to the 0F 38 map */
	C_0F3A,	   /* escape to the 0F 3A map */
	C_VEX3,	   /* C4: three-byte VEX */
	C_VEX2,	   /* C5: two-byte VEX */
	C_EVEX,	   /* 62 */
	C_8F,	   /* 8F: group 1A (pop Ev, /0 only) or XOP */
	C_GRP3,	   /* F6/F7: /0 and /1 take an immediate, /2../7 do not */
	C_GRP11,   /* C6/C7: /0 mov; C6 F8 xabort ib, C7 F8 xbegin rel */
	C_GRP45,   /* FE: /0 /1 only; FF: all but /7, /3 /5 memory only */
	C_CR,	   /* 0F 20-23 mov to/from CR/DR: ModRM.mod is ignored */
	C_SSE4A,   /* 0F 78: vmread; 66: extrq ib,ib; F2: insertq ib,ib */
	C_BAD,	   /* #UD in 64-bit mode */
};
#define CLASS(c) ((c) << 8)

/* Short names for the table rows below. */
#define _   I0
#define Ib  IB
#define Iw  IW
#define Iz  IZ
#define Iv  IV
#define Om  IM
#define Jz  ID
#define E   M
#define EIb (M | IB)
#define EIz (M | IZ)
#define PFX CLASS(C_PFX)
#define REX CLASS(C_REX)
#define UD  CLASS(C_BAD)
#define SPC(c) CLASS(c)

#define POPCNT SPC(C_BAD) /* 0F B8: valid only as F3 0F B8 popcnt */

/*
 * opmap[0], the one-byte map, SDM Vol. 2 table A-2 (AMD APM Vol. 3
 * table A-1).  Rows are opcode xN, columns x0..xF.
 */
static const uint16_t opmap[2][256] = {
[0] = {
/*        0    1    2    3    4    5    6    7    8    9    A    B    C    D    E    F */
/* 0x */  E,   E,   E,   E,   Ib,  Iz,  UD,  UD,  E,   E,   E,   E,   Ib,  Iz,  UD,  SPC(C_0F),
	/* add Eb,Gb .. add rAX,Iz; push/pop es #UD; or ...; push cs #UD; 0F escape */
/* 1x */  E,   E,   E,   E,   Ib,  Iz,  UD,  UD,  E,   E,   E,   E,   Ib,  Iz,  UD,  UD,
	/* adc; push/pop ss #UD; sbb; push/pop ds #UD */
/* 2x */  E,   E,   E,   E,   Ib,  Iz,  PFX, UD,  E,   E,   E,   E,   Ib,  Iz,  PFX, UD,
	/* and; es: prefix; daa #UD; sub; cs: prefix; das #UD */
/* 3x */  E,   E,   E,   E,   Ib,  Iz,  PFX, UD,  E,   E,   E,   E,   Ib,  Iz,  PFX, UD,
	/* xor; ss: prefix; aaa #UD; cmp; ds: prefix; aas #UD */
/* 4x */  REX, REX, REX, REX, REX, REX, REX, REX, REX, REX, REX, REX, REX, REX, REX, REX,
	/* REX prefixes (inc/dec in 32-bit mode) */
/* 5x */  _,   _,   _,   _,   _,   _,   _,   _,   _,   _,   _,   _,   _,   _,   _,   _,
	/* push r64; pop r64 */
/* 6x */  UD,  UD,  SPC(C_EVEX), E, PFX, PFX, PFX, PFX, Iz, EIz, Ib,  EIb, _,   _,   _,   _,
	/* pusha, popa #UD; EVEX (bound in 32-bit); movsxd Gv,Ev; fs: gs: 66 67;
	   push Iz; imul Gv,Ev,Iz; push Ib; imul Gv,Ev,Ib; ins; outs */
/* 7x */  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,
	/* jcc rel8 */
/* 8x */  EIb, EIz, UD,  EIb, E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   SPC(C_8F),
	/* group 1 Eb,Ib; Ev,Iz; 82 #UD; Ev,Ib; test; xchg; mov; mov Ev,Sw; lea;
	   mov Sw,Ew; group 1A pop Ev, or XOP */
/* 9x */  _,   _,   _,   _,   _,   _,   _,   _,   _,   _,   UD,  _,   _,   _,   _,   _,
	/* xchg r,rAX (90 nop/pause); cbw; cwd; callf #UD; fwait; pushf; popf;
	   sahf; lahf */
/* Ax */  Om,  Om,  Om,  Om,  _,   _,   _,   _,   Ib,  Iz,  _,   _,   _,   _,   _,   _,
	/* mov al/rAX <-> moffs; movs; cmps; test al,Ib; test rAX,Iz; stos;
	   lods; scas */
/* Bx */  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Iv,  Iv,  Iv,  Iv,  Iv,  Iv,  Iv,  Iv,
	/* mov r8,Ib; mov r,Iv (imm64 with REX.W) */
/* Cx */  EIb, EIb, Iw,  _,   SPC(C_VEX3), SPC(C_VEX2), SPC(C_GRP11) | EIb, SPC(C_GRP11) | EIz, IWB, _, Iw, _, _, Ib, UD, _,
	/* group 2 Eb,Ib; Ev,Ib; ret Iw; ret; VEX3 (les); VEX2 (lds);
	   group 11 Eb,Ib; Ev,Iz; enter Iw,Ib; leave; retf Iw; retf; int3;
	   int Ib; into #UD; iret */
/* Dx */  E,   E,   E,   E,   UD,  UD,  UD,  _,   E,   E,   E,   E,   E,   E,   E,   E,
	/* group 2 by 1 and cl; aam, aad, salc #UD; xlat; x87 escapes D8-DF */
/* Ex */  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Jz,  Jz,  UD,  Ib,  _,   _,   _,   _,
	/* loopne; loope; loop; jrcxz; in al/eAX,Ib; out Ib,al/eAX; call rel32;
	   jmp rel32; jmpf #UD; jmp rel8; in/out with dx */
/* Fx */  PFX, _,   PFX, PFX, _,   _,   SPC(C_GRP3) | EIb, SPC(C_GRP3) | EIz, _, _, _, _, _,   _,   SPC(C_GRP45) | E, SPC(C_GRP45) | E,
	/* lock; int1; repne; rep; hlt; cmc; group 3 Eb; Ev; clc; stc; cli;
	   sti; cld; std; group 4; group 5 */
},

/*
 * opmap[1], the two-byte map 0F xx, SDM table A-3 (APM table A-2).  The
 * mandatory prefixes 66/F2/F3 select among instructions of the same length here,
 * except at 0F 78 (SSE4a) and 0F B8 (popcnt needs F3), which code handles.
 */
[1] = {
/*        0    1    2    3    4    5    6    7    8    9    A    B    C    D    E    F */
/* 0x */  E,   E,   E,   E,   UD,  _,   _,   _,   _,   _,   UD,  _,   UD,  E,   _,   EIb,
	/* group 6; group 7; lar; lsl; syscall; clts; sysret; invd; wbinvd;
	   ud2; prefetch group (AMD); femms; 3DNow! (ModRM, then an ib suffix
	   naming the operation) */
/* 1x */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
	/* movups..movhps; group 16 prefetch; hint nops 19-1F (endbr, bnd*) */
/* 2x */  SPC(C_CR), SPC(C_CR), SPC(C_CR), SPC(C_CR), UD, UD, UD, UD, E, E, E, E, E, E, E, E,
	/* mov r,cr; mov r,dr; mov cr,r; mov dr,r; mov tr #UD; movaps..comis */
/* 3x */  _,   _,   _,   _,   _,   _,   UD,  _,   SPC(C_0F38), UD, SPC(C_0F3A), UD, UD, UD, UD, UD,
	/* wrmsr; rdtsc; rdmsr; rdpmc; sysenter; sysexit; getsec; 0F 38; 0F 3A */
/* 4x */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
	/* cmovcc */
/* 5x */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
	/* movmsk, sqrt, rsqrt, rcp, and, andn, or, xor, add, mul, cvt, sub,
	   min, div, max */
/* 6x */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
	/* punpck*, pcmpgt*, pack*, movd/q, movq/movdq* */
/* 7x */  EIb, EIb, EIb, EIb, E,   E,   E,   _,   SPC(C_SSE4A), E, UD, UD, E,  E,   E,   E,
	/* pshuf* Ib; groups 12, 13, 14 Ib; pcmpeq*; emms; vmread / extrq,
	   insertq; vmwrite / extrq, insertq (no immediate); haddp, hsubp;
	   movd/q; movq/movdq* */
/* 8x */  Jz,  Jz,  Jz,  Jz,  Jz,  Jz,  Jz,  Jz,  Jz,  Jz,  Jz,  Jz,  Jz,  Jz,  Jz,  Jz,
	/* jcc rel32 */
/* 9x */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
	/* setcc */
/* Ax */  _,   _,   _,   E,   EIb, E,   UD,  UD,  _,   _,   _,   E,   EIb, E,   E,   E,
	/* push fs; pop fs; cpuid; bt; shld Ib; shld cl; push gs; pop gs; rsm;
	   bts; shrd Ib; shrd cl; group 15 (fxsave.., fences); imul Gv,Ev */
/* Bx */  E,   E,   E,   E,   E,   E,   E,   E,   POPCNT, E, EIb, E,  E,   E,   E,   E,
	/* cmpxchg; lss; btr; lfs; lgs; movzx; popcnt (F3 only; jmpe #UD);
	   group 10 ud1; group 8 Ev,Ib; btc; bsf/tzcnt; bsr/lzcnt; movsx */
/* Cx */  E,   E,   EIb, E,   EIb, EIb, EIb, E,   _,   _,   _,   _,   _,   _,   _,   _,
	/* xadd; cmpps Ib; movnti; pinsrw Ib; pextrw Ib; shufps Ib; group 9;
	   bswap */
/* Dx */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
	/* addsub, psrl*, paddq, pmullw, movq, pmovmskb, psubus*, pminub, pand,
	   paddus*, pmaxub, pandn */
/* Ex */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
	/* pavg, psra*, pmulhu, pmulh, cvt, movntq, psubs*, pmins, por, padds*,
	   pmaxs, pxor */
/* Fx */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
	/* lddqu, psll*, pmuludq, pmadd, psadbw, maskmov, psub*, padd*; ud0 */
},
};

/*
 * The three-byte map 0F 38 xx without VEX, SDM table A-4: every
 * instruction has a ModRM and no immediate.  Blank rows hold only
 * VEX/EVEX instructions.
 */
static const uint16_t map0f38[256] = {
/*        0    1    2    3    4    5    6    7    8    9    A    B    C    D    E    F */
/* 0x */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   UD,  UD,  UD,  UD,
	/* pshufb, phadd*, pmaddubsw, phsub*, psign*, pmulhrsw */
/* 1x */  E,   UD,  UD,  UD,  E,   E,   UD,  E,   UD,  UD,  UD,  UD,  E,   E,   E,   UD,
	/* pblendvb; blendvps; blendvpd; ptest; pabsb, pabsw, pabsd */
/* 2x */  E,   E,   E,   E,   E,   E,   UD,  UD,  E,   E,   E,   E,   UD,  UD,  UD,  UD,
	/* pmovsx*; pmuldq; pcmpeqq; movntdqa; packusdw */
/* 3x */  E,   E,   E,   E,   E,   E,   UD,  E,   E,   E,   E,   E,   E,   E,   E,   E,
	/* pmovzx*; pcmpgtq; pmins*, pminu*, pmaxs*, pmaxu* */
/* 4x */  E,   E,   UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
	/* pmulld; phminposuw */
/* 5x */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
/* 6x */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
/* 7x */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
/* 8x */  E,   E,   E,   UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
	/* invept; invvpid; invpcid */
/* 9x */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
/* Ax */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
/* Bx */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
/* Cx */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  E,   E,   E,   E,   E,   E,   UD,  E,
	/* sha1nexte, sha1msg1, sha1msg2, sha256rnds2, sha256msg1, sha256msg2;
	   gf2p8mulb */
/* Dx */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  E,   UD,  UD,  E,   E,   E,   E,   E,
	/* Key Locker aes*wide*kl (F3); aesimc; aesenc, aesenclast, aesdec,
	   aesdeclast (and the F3 *kl forms) */
/* Ex */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
/* Fx */  E,   E,   UD,  UD,  UD,  E,   E,   UD,  E,   E,   E,   E,   E,   UD,  UD,  UD,
	/* movbe / crc32; wruss; adcx, adox, wrss; movdir64b, enqcmd(s);
	   movdiri; encodekey128; encodekey256; aadd, aand, aor, axor */
};

/*
 * The three-byte map 0F 3A xx without VEX, SDM table A-5: every
 * instruction has a ModRM and an ib.
 */
static const uint16_t map0f3a[256] = {
/*        0    1    2    3    4    5    6    7    8    9    A    B    C    D    E    F */
/* 0x */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  EIb, EIb, EIb, EIb, EIb, EIb, EIb, EIb,
	/* roundps, roundpd, roundss, roundsd, blendps, blendpd, pblendw,
	   palignr */
/* 1x */  UD,  UD,  UD,  UD,  EIb, EIb, EIb, EIb, UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
	/* pextrb, pextrw, pextrd/q, extractps */
/* 2x */  EIb, EIb, EIb, UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
	/* pinsrb, insertps, pinsrd/q */
/* 3x */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
/* 4x */  EIb, EIb, EIb, UD,  EIb, UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
	/* dpps, dppd, mpsadbw; pclmulqdq */
/* 5x */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
/* 6x */  EIb, EIb, EIb, EIb, UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
	/* pcmpestrm, pcmpestri, pcmpistrm, pcmpistri */
/* 7x */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
/* 8x */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
/* 9x */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
/* Ax */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
/* Bx */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
/* Cx */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  EIb, UD,  EIb, EIb,
	/* sha1rnds4; gf2p8affineqb, gf2p8affineinvqb */
/* Dx */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  EIb,
	/* aeskeygenassist */
/* Ex */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
/* Fx */  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,  UD,
};

/*
 * Map 1 (0F) under VEX and EVEX, SDM tables: every instruction
 * has a ModRM, except vzeroupper/vzeroall (77); the ones with an ib are
 * the same as without VEX.  Which opcodes exist under VEX/EVEX is not
 * checked (see the top of the file).
 */
static const uint16_t vexmap1[256] = {
/*        0    1    2    3    4    5    6    7    8    9    A    B    C    D    E    F */
/* 0x */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
/* 1x */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
/* 2x */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
/* 3x */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
/* 4x */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
/* 5x */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
/* 6x */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
/* 7x */  EIb, EIb, EIb, EIb, E,   E,   E,   _,   E,   E,   E,   E,   E,   E,   E,   E,
	/* vpshuf* Ib; groups 12, 13, 14 Ib; vpcmpeq*; vzeroupper/vzeroall */
/* 8x */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
/* 9x */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
/* Ax */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
/* Bx */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
/* Cx */  E,   E,   EIb, E,   EIb, EIb, EIb, E,   E,   E,   E,   E,   E,   E,   E,   E,
	/* vcmpps Ib; vpinsrw Ib; vpextrw Ib; vshufps Ib */
/* Dx */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
/* Ex */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
/* Fx */  E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,   E,
};

/*
 * The other VEX/EVEX/XOP maps, by map number (VEX.mmmmm, EVEX.mmm,
 * XOP.mmmmm): the attribute shared by every opcode of the map.  Map 1 is
 * the table above; which maps each of VEX, EVEX and XOP has is checked by
 * vex() below.
 */
static const uint16_t vexmaps[11] = {
	[2] = E,		/* 0F 38 (incl. AMX tile*): ModRM, no ib */
	[3] = EIb,		/* 0F 3A: ib (also FMA4's is4 register byte) */
	[5] = E,		/* EVEX map 5 (AVX512-FP16) */
	[6] = E,		/* EVEX map 6 (AVX512-FP16) */
	[8] = EIb,		/* XOP map 8: ib (vpcmov's is4, vpcom*, vprot*) */
	[9] = E,		/* XOP map 9 */
	[10] = M | ID,		/* XOP map A: bextr, lwpins, lwpval id */
};

/*
 * Bytes after a ModRM byte: SIB and displacement, 64- and 32-bit
 * addressing (67 selects 32-bit addressing in 64-bit mode, with the same
 * ModRM/SIB forms: no 16-bit forms exist here).  SDM tables 2-2 and 2-3.
 * For mod=00 rm=100 the SIB's base adds a disp32 when it is 101: see
 * modrm_len.
 */
#define MODRM_ROW(d) d, d, d, d, 1 + (d), (d) ? (d) : 4, d, d
static const uint8_t modrm_bytes[256] = {
	/* mod=00: no displacement; rm=100 SIB; rm=101 RIP+disp32 */
	MODRM_ROW(0), MODRM_ROW(0), MODRM_ROW(0), MODRM_ROW(0),
	MODRM_ROW(0), MODRM_ROW(0), MODRM_ROW(0), MODRM_ROW(0),
	/* mod=01: disp8; rm=100 SIB + disp8 */
	MODRM_ROW(1), MODRM_ROW(1), MODRM_ROW(1), MODRM_ROW(1),
	MODRM_ROW(1), MODRM_ROW(1), MODRM_ROW(1), MODRM_ROW(1),
	/* mod=10: disp32; rm=100 SIB + disp32 */
	MODRM_ROW(4), MODRM_ROW(4), MODRM_ROW(4), MODRM_ROW(4),
	MODRM_ROW(4), MODRM_ROW(4), MODRM_ROW(4), MODRM_ROW(4),
	/* mod=11: register operand, nothing follows */
	[0xc0 ... 0xff] = 0,
};

/*
 * Immediate bytes of an instruction with attribute a, given the operand
 * state st: bit 0 operand size 16 (66 seen), bit 1 address size 32 (67
 * seen), bit 2 REX.W.  REX.W takes precedence over 66 (SDM 2.2.1.2).
 */
enum { S66 = 1, S67 = 2, SW = 4 };
static inline unsigned imm_bytes(unsigned a, unsigned st)
{
	switch (a >> 4 & 3) {
	case SZ_Z:
		return (st & (S66 | SW)) == S66 ? 2 : 4;
	case SZ_V:
		return st & SW ? 8 : st & S66 ? 2 : 4;
	case SZ_MOFFS:
		return st & S67 ? 4 : 8;
	}
	return a & 15;
}

/*
 * Bytes after a ModRM byte m followed by s (the SIB, if m calls for
 * one): mod=00 with a SIB whose base is 101 has a disp32 (SDM table 2-3).
 */
static inline unsigned modrm_len(unsigned m, unsigned s)
{
	return modrm_bytes[m] + ((((m & 0xc7) == 0x04) & ((s & 7) == 5)) << 2);
}

/*
 * The length of an instruction whose opcode ends before p[i], with
 * attribute a and operand state st: ModRM, SIB, displacement, immediate.
 */
static inline int finish(const uint8_t *p, unsigned i, unsigned lim,
			 unsigned a, unsigned st)
{
	if (a & M) {
		if (i >= lim)
			return 0;
		unsigned m = p[i++];
		if ((m & 0xc7) == 0x04 && i >= lim)
			return 0;	/* mod=00 rm=100: SIB.base matters */
		i += modrm_len(m, (m & 0xc7) == 0x04 ? p[i] : 0);
	}
	i += imm_bytes(a, st);
	return i <= lim ? (int)i : 0;
}

/* ModRM.reg of the byte at p[i], or -1 when it is beyond lim. */
static inline int modrm_reg(const uint8_t *p, unsigned i, unsigned lim)
{
	return i < lim ? (p[i] >> 3) & 7 : -1;
}

/*
 * VEX (C4/C5), EVEX (62) and XOP (8F, map >= 8) at p[i].  SDM 2.3 and
 * 2.7, APM Vol. 3 1.8 and 1.9.  These may follow only segment and 67
 * prefixes: 66, F2, F3, F0 or REX before them is #UD (pfx says whether
 * any of those was seen).
 */
static int vex(const uint8_t *p, unsigned i, unsigned lim, unsigned cls,
	       int pfx)
{
	unsigned map, a, need = cls == C_VEX2 ? 2 : cls == C_EVEX ? 4 : 3;

	if (pfx || i + need >= lim)
		return 0;
	if (cls == C_VEX2) {
		map = 1;		/* C5 R.vvvv.L.pp: map 0F implied */
	} else if (cls == C_EVEX) {
		/* 62 P0=R.X.B.R'.0.mmm P1=W.vvvv.1.pp P2=z.L'L.b.V'.aaa */
		if ((p[i + 1] & 0x08) || !(p[i + 2] & 0x04))
			return 0;
		map = p[i + 1] & 7;	/* maps 1, 2, 3, 5, 6 */
		if (map == 0 || map == 4 || map == 7)
			return 0;
	} else {
		map = p[i + 1] & 0x1f;	/* C4/8F R.X.B.mmmmm W.vvvv.L.pp */
		if (cls == C_VEX3 ? map - 1 > 2 : map > 10)
			return 0;	/* VEX maps 1-3, XOP maps 8-A */
	}
	a = map == 1 ? vexmap1[p[i + need]] : vexmaps[map];
	return finish(p, i + need + 1, lim, a, 0);
}

/*
 * Records the legacy prefix op: operand and address size, the last of
 * F2/F3 (a mandatory prefix for 0F 78 and 0F B8), and whether a VEX,
 * EVEX or XOP prefix may still follow (not after 66 F0 F2 F3, nor REX).
 */
static inline void legacy_prefix(unsigned op, unsigned *st, unsigned *rep,
				 int *vexbad)
{
	*st |= (op == 0x66 ? S66 : 0) | (op == 0x67 ? S67 : 0);
	if (op == 0xf2 || op == 0xf3)
		*rep = op;
	if (op == 0x66 || op == 0xf0 || op == 0xf2 || op == 0xf3)
		*vexbad = 1;
}

/* The classes of opmap that need more than the tables' attribute. */
static __attribute__((noinline)) int special(const uint8_t *p, unsigned i,
					     unsigned lim, unsigned a,
					     unsigned op, unsigned st,
					     unsigned rep, int vexbad)
{
	int reg;

	switch (a >> 8 & 15) {
	case C_0F38:
		if (i >= lim)
			return 0;
		a = map0f38[p[i]];
		return a == UD ? 0 : finish(p, i + 1, lim, a, st);
	case C_0F3A:
		if (i >= lim)
			return 0;
		a = map0f3a[p[i]];
		return a == UD ? 0 : finish(p, i + 1, lim, a, st);
	case C_VEX3:
	case C_VEX2:
	case C_EVEX:
		return vex(p, i - 1, lim, a >> 8 & 15, vexbad);
	case C_8F:
		if (i < lim && (p[i] & 0x1f) >= 8)
			return vex(p, i - 1, lim, C_8F, vexbad);
		return modrm_reg(p, i, lim) == 0 ? finish(p, i, lim, M, st) : 0;
	case C_GRP3:	/* F6 /0 /1 test Eb,Ib; F7 /0 /1 test Ev,Iz */
		reg = modrm_reg(p, i, lim);
		if (reg < 0)
			return 0;
		return finish(p, i, lim, reg > 1 ? M : op == 0xf6 ? EIb : EIz,
			      st);
	case C_GRP11:	/* C6 /0 mov Eb,Ib; C7 /0 mov Ev,Iz */
		reg = modrm_reg(p, i, lim);
		if (reg == 0)
			return finish(p, i, lim, op == 0xc6 ? EIb : EIz, st);
		if (reg < 0 || p[i] != 0xf8)
			return 0;
		/* C6 F8 xabort Ib; C7 F8 xbegin rel16/32 (66 without REX.W) */
		return finish(p, i, lim, op == 0xc6 ? EIb : EIz, st);
	case C_GRP45:	/* FE /0 /1 inc, dec; FF /0-/6, /3 /5 far: memory */
		reg = modrm_reg(p, i, lim);
		if (reg < 0 || reg == 7 || (op == 0xfe && reg > 1) ||
		    ((reg == 3 || reg == 5) && p[i] >= 0xc0))
			return 0;
		return finish(p, i, lim, M, st);
	case C_CR:	/* the ModRM names two registers whatever its mod */
		return i + 1 <= lim ? (int)i + 1 : 0;
	case C_SSE4A:	/* 0F 78: F2 insertq Ib,Ib; 66 extrq /0 Ib,Ib */
		if (rep == 0xf3)
			return 0;
		return finish(p, i, lim, rep == 0xf2 || (st & S66) ? M | IW : M,
			      st);
	case C_BAD:
		if (op == 0xb8 && rep == 0xf3) /* F3 0F B8 popcnt */
			return finish(p, i, lim, M, st);
		return 0;
	}
	return 0;
}

static int general(const uint8_t *p, size_t n) __attribute__((noinline));

/* ---- The fast path -------------------------------------------------------
 *
 * A sweep is a chain of dependent steps: the next instruction starts
 * where this one ends.  Each step costs its longest path of dependent
 * operations (a load, a table lookup, arithmetic: about 18 cycles on the
 * Zen 3 this was measured on), plus about 20 cycles whenever a branch on
 * the bytes goes the way the processor did not guess.  So the common
 * case takes no branch on the bytes at all:
 *
 *   hot()      no legacy prefix, at most one of REX and 0F before the
 *              opcode, an opcode whose attribute has no class: 86% of
 *              libc's instructions, 92% of libLLVM's.  The table lookups
 *              for each place the opcode and the ModRM can be are done
 *              side by side, and conditional moves keep the right ones.
 *   not_hot()  out of line, the next commonest: one legacy prefix or
 *              REX 0F before what hot() takes (skip1(), which zp_sweep
 *              also has inline), the groups (whose table entries carry
 *              the operands of their /0 member, so hot() has measured
 *              the instruction already) and VEX/EVEX.
 *   general()  anything else, and anything with fewer than 15 bytes
 *              readable.
 *
 * The fast path runs only with 15 bytes readable; it reads p[0..7] in
 * one load and no byte beyond p[7].
 */
typedef uint64_t __attribute__((may_alias, aligned(1))) unaligned_u64;

/* Where the opcode and the ModRM are, in one of the cases hot() weighs. */
struct place {
	uint64_t a;	/* the opcode's attribute */
	uint64_t x;	/* modrm_bytes[] of the byte after the opcode */
	uint64_t ms;	/* the two bytes after the opcode: ModRM, SIB */
	uint64_t pos;	/* bytes up to the end of the opcode */
};

/*
 * *c = *alt if the low byte of key is k: with conditional moves, which
 * the compiler does not reliably choose over a branch on its own.
 */
#define TAKE_IF(key, k, c, alt)                                              \
	__asm__("cmpb %[kk], %b[kr]\n\t"                                     \
		"cmove %[a1], %[a]\n\t"                                      \
		"cmove %[x1], %[x]\n\t"                                      \
		"cmove %[ms1], %[ms]\n\t"                                    \
		"cmove %[pos1], %[pos]"                                      \
		: [a] "+r"((c).a), [x] "+r"((c).x), [ms] "+r"((c).ms),       \
		  [pos] "+r"((c).pos)                                        \
		: [kr] "q"(key), [kk] "n"(k), [a1] "r"((alt).a),             \
		  [x1] "r"((alt).x), [ms1] "r"((alt).ms), [pos1] "r"((alt).pos) \
		: "cc")

/* 4 if a ModRM and SIB (ms = ModRM | SIB << 8) are mod 00, rm 100 and a
   SIB base of 101, which adds a disp32 (SDM table 2-3), else 0. */
static inline unsigned sib_disp32(uint64_t ms)
{
	return ((ms & 0x7c7) == 0x504) << 2;
}

/* What hot() found, for not_hot(). */
struct hot {
	unsigned a;	/* the opcode's attribute: a class sends the
			   instruction to not_hot() */
	unsigned m;	/* the byte after the opcode: ModRM, if a has one */
	unsigned pos;	/* bytes up to the end of the opcode */
};

/*
 * The length of the instruction whose first bytes are w (hot() looks at
 * 4 of them; b0, b1, b2 are the first three, loaded on their own, which
 * is a cycle quicker than taking them out of w), if it has no legacy
 * prefix and at most one of REX and 0F before an opcode of opmap whose
 * attribute has no class.  Otherwise h->a has a class: a legacy prefix
 * (C_PFX, also after a REX), REX 0F (C_0F), REX REX (C_REX), or the
 * opcode's own.
 *
 * The three cases are: opcode at byte 0, opcode at byte 1 after 0F (map
 * 1), opcode at byte 1 after REX (map 0); ModRM and SIB follow the opcode.
 */
static inline __attribute__((always_inline)) unsigned hot(uint64_t w,
							  unsigned b0,
							  unsigned b1,
							  unsigned b2,
							  struct hot *h)
{
	struct place c = { opmap[0][b0], modrm_bytes[b1], w >> 8, 1 };
	struct place of = { opmap[1][b1], modrm_bytes[b2], w >> 16, 2 };
	struct place rex = { opmap[0][b1], modrm_bytes[b2], w >> 16, 2 };
	unsigned early;

	TAKE_IF(w, 0x0f, c, of);
	TAKE_IF(w & 0xf0, 0x40, c, rex);
	h->a = c.a;
	h->m = c.ms & 0xff;
	h->pos = c.pos;
	/* REX.W B8+r, mov r64, imm64: the one immediate REX.W widens */
	early = c.pos + ((w & 0xf8f8) == 0xb848 ? 4 : 0);
	/* known before the table lookups: hidden from the compiler, which
	   would otherwise add it after them, a cycle later */
	__asm__("" : "+r"(early));
	return early + ((c.a & 15) + ((1 + c.x + sib_disp32(c.ms)) & c.a >> 12));
}

static inline __attribute__((always_inline)) unsigned hot_at(const uint8_t *p,
							     uint64_t *w,
							     struct hot *h)
{
	*w = *(const unaligned_u64 *)p;
	return hot(*w, p[0], p[1], p[2], h);
}

/* hot() of the bytes v, from the byte after a prefix or REX on. */
static inline unsigned hot_of(uint64_t v, struct hot *h)
{
	return hot(v, v & 0xff, v >> 8 & 0xff, v >> 16 & 0xff, h);
}

/* Operand state (S66, S67) of a legacy prefix b. */
static inline unsigned prefix_state(unsigned b)
{
	return (b == 0x66 ? S66 : 0) | (b == 0x67 ? S67 : 0);
}

/* 1 if the instruction w, of class cls in hot(), starts with one legacy
   prefix (not after a REX) or with REX 0F, which skip1() steps over. */
static inline int skips(uint64_t w, unsigned cls)
{
	return cls == C_PFX ? (w & 0xf0) != 0x40 : cls == C_0F;
}

/*
 * The length of the instruction w when skips(w, cls): 1 + what hot()
 * finds in the bytes after the first, or -1 to ask general().
 */
static inline __attribute__((always_inline)) int skip1(uint64_t w,
							unsigned cls)
{
	unsigned st = cls == C_PFX ? prefix_state(w & 0xff) : 0, len;
	struct hot h;

	len = 1 + hot_of(w >> 8, &h);
	if (h.a & CLASS_MASK)
		return -1;
	if (__builtin_expect(st && (h.a & 0x30), 0)) {
		/* 66 or 67 resizes the immediate (with REX.W) */
		unsigned sw = (w >> 8 & 0xf8) == 0x48 ? SW : 0;
		len += imm_bytes(h.a, st | sw) - imm_bytes(h.a, sw);
	}
	return len;
}

/*
 * The instruction at p (first 8 bytes w) when hot() found a class: len, a,
 * m and pos are what hot() found (struct hot, passed in registers).  Its
 * length, 0 if invalid, -1 to ask general().
 */
static __attribute__((noinline)) int not_hot(const uint8_t *p, uint64_t w,
					     unsigned len, unsigned a,
					     unsigned m, unsigned pos)
{
	unsigned cls = a >> 8 & 15, reg = m >> 3 & 7;

	if (skips(w, cls))
		return skip1(w, cls);
	switch (cls) {
	case C_GRP11:	/* C6/C7 /0 mov; C6 F8 xabort, C7 F8 xbegin */
		return reg == 0 || m == 0xf8 ? (int)len : 0;
	case C_GRP3:	/* F6/F7: /0 /1 test take the immediate, the rest not */
		return reg > 1 ? (int)(len - (a & 15)) : (int)len;
	case C_GRP45:	/* FE: /0 /1; FF: all but /7, /3 /5 memory only */
		if (reg == 7 || ((w >> 8 * (pos - 1) & 0xff) == 0xfe && reg > 1) ||
		    ((reg == 3 || reg == 5) && m >= 0xc0))
			return 0;
		return len;
	case C_VEX3:
	case C_VEX2:
	case C_EVEX:	/* after a REX (pos 2): #UD */
		return vex(p, pos - 1, ZP_INSN_MAX, cls, pos > 1);
	}
	return -1;
}

int zp_insn_len(const uint8_t *p, size_t n)
{
	if (n >= ZP_INSN_MAX) {
		struct hot h;
		uint64_t w;
		unsigned len = hot_at(p, &w, &h);
		int r;

		if (__builtin_expect(!(h.a & CLASS_MASK), 1))
			return len;
		if ((r = not_hot(p, w, len, h.a, h.m, h.pos)) >= 0)
			return r;
	}
	return general(p, n);
}

/*
 * hot() inline, the rest out of line: the loop keeps what it carries in
 * registers, and a plain instruction adds its length to p directly.
 */
size_t zp_sweep(const uint8_t *p, size_t n, size_t *invalid)
{
	const uint8_t *end = p + n;
	size_t insns = 0, bad = 0;
	int len;

	for (; end - p >= ZP_INSN_MAX; insns++) {
		struct hot h;
		uint64_t w;
		unsigned l = hot_at(p, &w, &h);

		if (__builtin_expect(!(h.a & CLASS_MASK), 1)) {
			p += l;
			continue;
		}
		if (skips(w, h.a >> 8 & 15))	/* the commonest, inline */
			len = skip1(w, h.a >> 8 & 15);
		else
			len = not_hot(p, w, l, h.a, h.m, h.pos);
		if (len < 0)
			len = general(p, end - p);
		if (len > 0) {
			p += len;
		} else {
			bad++;
			p++;
		}
	}
	for (; p < end; insns++) {
		if ((len = general(p, end - p)) > 0) {
			p += len;
		} else {
			bad++;
			p++;
		}
	}
	if (invalid)
		*invalid = bad;
	return insns;
}

/*
 * What an instruction of length len at p does to the flow of control, as
 * the site planner (sites.c) and the end-of-function rule of place() need
 * it.  Prefixes are skipped (legacy ones, then a REX); the opcode alone
 * decides, SDM Vol. 2 (jcc, jmp, call, ret, loop, nop, ud2, int3, xbegin):
 *   ZP_FLOW_JUMP    never goes on to p + len: jmp (EB, E9, FF /4, FF /5),
 *                   ret (C3, C2), ud2 (0F 0B); *target for direct jumps;
 *   ZP_FLOW_CALL    call (E8, FF /2, FF /3); *target for E8;
 *   ZP_FLOW_BRANCH  jcc (70-7F, 0F 80-8F), loop/jrcxz (E0-E3), xbegin
 *                   (C7 F8): to *target, or on to p + len;
 *   ZP_FLOW_FILL    what compilers and linkers pad with: nop (90 without
 *                   REX.B or F3, 0F 1F /0) and int3 (CC), with no prefix
 *                   but 66, 2E, 3E (and a REX for 0F 1F);
 *   ZP_FLOW_NEXT    anything else.
 * *target is 0 when the destination is not in the instruction.
 */
static int is_legacy_prefix(unsigned b)
{
	return b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3 ||
	       b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 ||
	       b == 0x65;
}

/* The sign-extended displacement in the last n (1, 2, 4) bytes of p[0..len). */
static intptr_t trailing_rel(const uint8_t *p, int len, int n)
{
	uint32_t v = 0;

	for (int k = 1; k <= n; k++)
		v = v << 8 | p[len - k];
	return n == 1 ? (int8_t)v : n == 2 ? (int16_t)v : (int32_t)v;
}

enum zp_flow zp_insn_flow(const uint8_t *p, int len, uintptr_t *target)
{
	int i = 0, fill_pfx = 1, opsz16 = 0, rexw = 0, rexb = 0, rep = 0;
	unsigned op, reg;
	uintptr_t next = (uintptr_t)p + len;

	*target = 0;
	for (; i < len && is_legacy_prefix(p[i]); i++) {
		fill_pfx &= p[i] == 0x66 || p[i] == 0x2e || p[i] == 0x3e;
		opsz16 |= p[i] == 0x66;
		rep |= p[i] == 0xf3;
	}
	if (i < len && (p[i] & 0xf0) == 0x40) {
		rexw = p[i] & 8;
		rexb = p[i] & 1;
		i++;
	}
	if (i >= len)
		return ZP_FLOW_NEXT;
	op = p[i];
	reg = i + 1 < len ? (p[i + 1] >> 3) & 7 : 8;
	if (op == 0x0f && i + 1 < len) {
		op = p[i + 1];
		reg = i + 2 < len ? (p[i + 2] >> 3) & 7 : 8;
		if (op == 0x0b)
			return ZP_FLOW_JUMP;			/* ud2 */
		if (op == 0x1f && reg == 0 && fill_pfx)
			return ZP_FLOW_FILL;			/* nop Ev */
		if (op >= 0x80 && op <= 0x8f) {			/* jcc rel32 */
			*target = next + trailing_rel(p, len, 4);
			return ZP_FLOW_BRANCH;
		}
		return ZP_FLOW_NEXT;
	}
	switch (op) {
	case 0x90:
		return fill_pfx && !rep && !rexb && i == len - 1 ? ZP_FLOW_FILL
							   : ZP_FLOW_NEXT;
	case 0xcc:
		return i == 0 && len == 1 ? ZP_FLOW_FILL : ZP_FLOW_NEXT;
	case 0xc2: case 0xc3:
		return ZP_FLOW_JUMP;				/* ret */
	case 0xeb:
		*target = next + trailing_rel(p, len, 1);
		return ZP_FLOW_JUMP;
	case 0xe9:
		*target = next + trailing_rel(p, len, 4);
		return ZP_FLOW_JUMP;
	case 0xe8:
		*target = next + trailing_rel(p, len, 4);
		return ZP_FLOW_CALL;
	case 0xe0: case 0xe1: case 0xe2: case 0xe3:	/* loop*, jrcxz */
		*target = next + trailing_rel(p, len, 1);
		return ZP_FLOW_BRANCH;
	case 0xc7:					/* xbegin */
		if (i + 1 < len && p[i + 1] == 0xf8) {
			*target = next + trailing_rel(p, len,
						      opsz16 && !rexw ? 2 : 4);
			return ZP_FLOW_BRANCH;
		}
		return ZP_FLOW_NEXT;
	case 0xff:
		if (reg == 2 || reg == 3)
			return ZP_FLOW_CALL;
		if (reg == 4 || reg == 5)
			return ZP_FLOW_JUMP;
		return ZP_FLOW_NEXT;
	}
	if (op >= 0x70 && op <= 0x7f) {				/* jcc rel8 */
		*target = next + trailing_rel(p, len, 1);
		return ZP_FLOW_BRANCH;
	}
	return ZP_FLOW_NEXT;
}

/*
 * The index of the ModRM byte of the valid len-byte instruction at p, or
 * -1 if it has none: the same walk as general() (prefixes, REX, escapes,
 * VEX/EVEX/XOP), asking the tables whether a ModRM follows the opcode.
 * The classes handled by special() that take a ModRM are the groups (8F
 * /0, F6/F7, C6/C7, FE/FF), 0F 20-23, 0F 78 and F3 0F B8.
 */
int zp_insn_modrm(const uint8_t *p, int len)
{
	int i = 0;
	unsigned a, op;

	while (i < len && (opmap[0][p[i]] == PFX || opmap[0][p[i]] == REX))
		i++;
	if (i >= len)
		return -1;
	op = p[i];
	a = opmap[0][op];
	switch (a >> 8 & 15) {
	case 0:
		return a & M ? i + 1 : -1;
	case C_VEX2:
		return i + 3 < len && (vexmap1[p[i + 2]] & M) ? i + 3 : -1;
	case C_VEX3:
	case C_EVEX:
	case C_8F: {
		int need = (a >> 8 & 15) == C_EVEX ? 4 : 3;
		unsigned map = (a >> 8 & 15) == C_EVEX ? p[i + 1] & 7
							 : p[i + 1] & 0x1f;
		if ((a >> 8 & 15) == C_8F && map < 8)
			return i + 1;			/* pop Ev */
		if (i + need + 1 >= len)
			return -1;
		a = map == 1 ? vexmap1[p[i + need]] : vexmaps[map];
		return a & M ? i + need + 1 : -1;
	}
	case C_GRP3: case C_GRP11: case C_GRP45:
		return i + 1;
	case C_0F:
		break;
	default:
		return -1;
	}
	if (++i >= len)
		return -1;
	op = p[i];
	if (op == 0x38 || op == 0x3a)
		return i + 2;			/* every 0F 38 / 0F 3A opcode */
	a = opmap[1][op];
	if (!(a & CLASS_MASK))
		return a & M ? i + 1 : -1;
	return (a >> 8 & 15) == C_CR || (a >> 8 & 15) == C_SSE4A ||
	       op == 0xb8 ? i + 1 : -1;
}

/* Any instruction: the prefixes one by one, then the tables. */
static int general(const uint8_t *p, size_t n)
{
	unsigned lim = n < ZP_INSN_MAX ? (unsigned)n : ZP_INSN_MAX;
	unsigned i = 0, st = 0, rep = 0, a, op;
	int vexbad = 0;		/* 66 F2 F3 F0 or REX seen: no VEX after */

	/* Prefixes, in any order and number; REX counts only if last. */
	for (;;) {
		if (i >= lim)
			return 0;
		op = p[i++];
		a = opmap[0][op];
		if (!(a & CLASS_MASK))
			return finish(p, i, lim, a, st);
		if (a == REX) {
			st = (st & ~SW) | (op & 8 ? SW : 0);
			vexbad = 1;
			continue;
		}
		if (a != PFX)
			break;
		st &= ~SW;	/* a REX followed by a prefix is ignored */
		legacy_prefix(op, &st, &rep, &vexbad);
	}
	if (a != SPC(C_0F))
		return special(p, i, lim, a, op, st, rep, vexbad);

	/* Two-byte map. */
	if (i >= lim)
		return 0;
	op = p[i++];
	a = opmap[1][op];
	if (!(a & CLASS_MASK))
		return finish(p, i, lim, a, st);
	return special(p, i, lim, a, op, st, rep, vexbad);
}

/* ---- System call sites ---------------------------------------------------
 *
 * zp_find_sites looks for the byte pairs 0f 05 / 0f 34 first, then proves
 * each one is an instruction by decoding up to it from a boundary known
 * to be an instruction start:
 *   - an ELF object with .eh_frame_hdr: the start of the function (FDE)
 *     whose range holds the candidate, or ends just at it (see fde_find);
 *     any other candidate is left unplaced (data, padding, or code
 *     without unwind info);
 *   - an ELF object without it, and bare code: lo, sweeping linearly; a
 *     candidate after the first invalid encoding of the sweep is left
 *     unplaced, since the sweep may be out of step from there on.
 * A decode that meets an invalid encoding before reaching its candidate
 * leaves that candidate unplaced too.
 */

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* High bit set in each byte of v that is zero (and maybe in a byte just
   above a zero byte: candidates are checked exactly afterwards). */
static inline uint64_t zero_bytes(uint64_t v)
{
	return (v - ONES) & ~v & HIGHS;
}

static inline int is_candidate(const uint8_t *p)
{
	return p[0] == 0x0f && (p[1] == 0x05 || p[1] == 0x34);
}

/*
 * The first candidate in [p, hi - 1), or hi.  Eight bytes at a time: a
 * word a at p and a word b at p+1 give, for each of the eight positions,
 * the byte there and the byte after it.  05 and 34 differ only in bits
 * 0, 4 and 5 (mask 31) and agree on the rest (04): a byte pair passes
 * the filter if it is 0f followed by a byte that is 04 outside those
 * bits, which takes one test instead of two; the few pairs it lets
 * through besides 0f 05 / 0f 34 are weeded out exactly afterwards.
 */
static const uint8_t *next_candidate(const uint8_t *p, const uint8_t *hi)
{
	for (; hi - p >= 9; p += 8) {
		uint64_t a = *(const unaligned_u64 *)p;
		uint64_t b = *(const unaligned_u64 *)(p + 1);
		uint64_t m = zero_bytes((a ^ 0x0f * ONES) |
					((b & ~(0x31 * ONES)) ^ 0x04 * ONES));
		for (; m; m &= m - 1) {
			const uint8_t *c = p + (__builtin_ctzll(m) >> 3);
			if (is_candidate(c))
				return c;
		}
	}
	for (; hi - p >= 2; p++)
		if (is_candidate(p))
			return p;
	return hi;
}

/*
 * A decoding position: pos is an instruction boundary, decoding may go on
 * up to end; dead once an invalid encoding stopped it.
 */
struct cursor {
	const uint8_t *pos, *end;
	int dead;
};

/*
 * Decodes from cur->pos up to the first boundary at or after c.  A
 * candidate at fde_end (the first byte after its function's FDE range) is
 * a site only if the function's last instruction falls through into it.
 */
static enum zp_verdict place(struct cursor *cur, const uint8_t *c,
			     const uint8_t *fde_end, size_t *insns)
{
	const uint8_t *q = cur->pos, *prev = 0;
	size_t k = 0;
	int len = 1, prevlen = 0;
	uintptr_t target;

	while (q < c && (len = zp_insn_len(q, cur->end - q)) > 0) {
		prev = q;
		prevlen = len;
		q += len;
		k++;
	}
	*insns += k;
	cur->pos = q;
	if (len <= 0) {
		cur->dead = 1;
		return ZP_UNPLACED;
	}
	if (q != c)
		return ZP_INSIDE;
	len = zp_insn_len(q, cur->end - q);
	if (!zp_is_syscall(q, len))
		return ZP_INSIDE;	/* cut off by the end of the range */
	if (c == fde_end) {
		enum zp_flow f = prev ? zp_insn_flow(prev, prevlen, &target)
				      : ZP_FLOW_JUMP;
		if (f == ZP_FLOW_JUMP || f == ZP_FLOW_CALL)
			return ZP_UNPLACED;	/* nothing proves it is code */
	}
	cur->pos = q + len;
	(*insns)++;
	return ZP_SITE;
}

/* ---- .eh_frame_hdr and .eh_frame, as mapped ------------------------------
 *
 * Only the layout that GNU ld, gold and lld write is accepted: version 1,
 * a udata4/sdata4 FDE count and a table of (initial location, FDE
 * address) pairs, both datarel sdata4 and sorted by initial location (the
 * "binary search table" of the LSB's .eh_frame_hdr).  Anything else makes
 * the object count as having no .eh_frame_hdr.
 */
#define DW_EH_PE_absptr 0x00
#define DW_EH_PE_udata2 0x02
#define DW_EH_PE_udata4 0x03
#define DW_EH_PE_udata8 0x04
#define DW_EH_PE_sdata2 0x0a
#define DW_EH_PE_sdata4 0x0b
#define DW_EH_PE_sdata8 0x0c
#define DW_EH_PE_datarel 0x30
#define DW_EH_PE_omit 0xff

/* A bounded view of mapped metadata. */
struct bytes {
	const uint8_t *p, *end;
};

/* The part of a PT_LOAD of elf that holds [p, p + len), or an empty view. */
static struct bytes mapped(const struct zp_elf *elf, const void *p,
			   size_t len)
{
	const Elf64_Phdr *ph = elf->phdr;
	uintptr_t a = (uintptr_t)p;

	for (unsigned k = 0; k < elf->phnum; k++) {
		uintptr_t s = elf->bias + ph[k].p_vaddr;
		uintptr_t e = s + ph[k].p_filesz;
		if (ph[k].p_type == PT_LOAD && (ph[k].p_flags & PF_R) &&
		    a >= s && a < e && len <= e - a)
			return (struct bytes){ p, (const uint8_t *)e };
	}
	return (struct bytes){ 0, 0 };
}

static int get_u8(struct bytes *b, unsigned *v)
{
	if (b->p >= b->end)
		return 0;
	*v = *b->p++;
	return 1;
}

static int skip_uleb(struct bytes *b)
{
	unsigned v;

	while (get_u8(b, &v))
		if (!(v & 0x80))
			return 1;
	return 0;
}

/* Size of a value encoded with DW_EH_PE format enc (low nibble), or 0. */
static unsigned enc_size(unsigned enc)
{
	switch (enc & 0x0f) {
	case DW_EH_PE_absptr:
	case DW_EH_PE_udata8:
	case DW_EH_PE_sdata8:
		return 8;
	case DW_EH_PE_udata4:
	case DW_EH_PE_sdata4:
		return 4;
	case DW_EH_PE_udata2:
	case DW_EH_PE_sdata2:
		return 2;
	}
	return 0;
}

/* The unsigned value of size sz (2, 4, 8) at p, little-endian. */
static uint64_t get_uint(const uint8_t *p, unsigned sz)
{
	uint64_t v = 0;

	while (sz--)
		v = v << 8 | p[sz];
	return v;
}

/*
 * The FDE pointer encoding that a CIE's augmentation names ('R'), or
 * absptr without one; -1 if the CIE cannot be read.  The CIE layout is
 * that of the LSB (".eh_frame section").
 */
static int cie_fde_encoding(struct bytes b)
{
	unsigned version, c, enc;
	const uint8_t *aug;

	b.p += 8;		/* length (checked by the caller), CIE id 0 */
	if (b.p > b.end || !get_u8(&b, &version))
		return -1;
	aug = b.p;
	while (get_u8(&b, &c) && c)
		;
	if (!skip_uleb(&b) || !skip_uleb(&b))	/* code, data alignment */
		return -1;
	if (version == 1 ? !get_u8(&b, &c) : !skip_uleb(&b))
		return -1;	/* return address register */
	if (aug[0] != 'z')
		return DW_EH_PE_absptr;
	if (!skip_uleb(&b))	/* augmentation data length */
		return -1;
	for (const uint8_t *a = aug + 1; *a; a++) {
		switch (*a) {
		case 'R':
			return get_u8(&b, &enc) ? (int)enc : -1;
		case 'L':
			if (!get_u8(&b, &enc))
				return -1;
			break;
		case 'P':
			if (!get_u8(&b, &enc) || !enc_size(enc) ||
			    (enc & 0x70) == 0x50 /* aligned */ ||
			    (size_t)(b.end - b.p) < enc_size(enc))
				return -1;
			b.p += enc_size(enc);
			break;
		case 'S':
		case 'B':
		case 'G':
			break;
		default:
			return -1;
		}
	}
	return DW_EH_PE_absptr;
}

/* The pc_range of the FDE at f, or 0 when it cannot be read.  The last
 * CIE's encoding is kept in t: most FDEs of an object share one CIE. */
static uint64_t fde_range(struct zp_funcs *t, const uint8_t *f)
{
	struct bytes b = mapped(t->elf, f, 8), cie;
	uint32_t len, id;
	int enc;
	unsigned sz;

	if (!b.p)
		return 0;
	len = get_uint(f, 4);
	id = get_uint(f + 4, 4);
	if (len == 0 || len == 0xffffffff || id == 0 ||
	    len > (size_t)(b.end - f) - 4)
		return 0;	/* a terminator, 64-bit DWARF, a CIE */
	if (f + 4 - id == t->cie) {
		enc = t->cie_enc;
	} else {
		cie = mapped(t->elf, f + 4 - id, 8);
		if (!cie.p)
			return 0;
		enc = cie_fde_encoding(cie);
		t->cie = f + 4 - id;
		t->cie_enc = enc;
	}
	if (enc < 0 || !(sz = enc_size(enc)) || 8 + 2 * sz > len + 4)
		return 0;
	return get_uint(f + 8 + sz, sz);
}

/* Reads the .eh_frame_hdr of elf into t; 0 if it has none we can use. */
int zp_funcs_init(const struct zp_elf *elf, struct zp_funcs *t)
{
	const Elf64_Phdr *ph = elf->phdr;
	const uint8_t *h;
	struct bytes b;
	size_t count;

	for (unsigned k = 0; k < elf->phnum; k++) {
		if (ph[k].p_type != PT_GNU_EH_FRAME)
			continue;
		h = (const uint8_t *)(elf->bias + ph[k].p_vaddr);
		b = mapped(elf, h, 12);
		if (!b.p || h[0] != 1 ||
		    (h[2] != DW_EH_PE_udata4 && h[2] != DW_EH_PE_sdata4) ||
		    h[3] != (DW_EH_PE_datarel | DW_EH_PE_sdata4) ||
		    enc_size(h[1]) != 4)
			return 0;
		count = get_uint(h + 8, 4);
		if (count > (size_t)(b.end - h - 12) / 8)
			return 0;
		t->hdr = h;
		t->tab = (const int32_t *)(h + 12);
		t->count = count;
		t->elf = elf;
		t->cie = 0;
		t->cie_enc = -1;
		return 1;
	}
	return 0;
}

long zp_funcs_find(const struct zp_funcs *t, uintptr_t a)
{
	size_t l = 0, r = t->count;

	while (l < r) {		/* first entry whose start is above a */
		size_t mid = l + (r - l) / 2;
		if ((uintptr_t)t->hdr + t->tab[2 * mid] <= a)
			l = mid + 1;
		else
			r = mid;
	}
	return (long)l - 1;
}

int zp_funcs_range(struct zp_funcs *t, size_t i, uintptr_t *start,
		   uintptr_t *end)
{
	uint64_t range;

	if (i >= t->count)
		return 0;
	*start = (uintptr_t)t->hdr + t->tab[2 * i];
	range = fde_range(t, t->hdr + t->tab[2 * i + 1]);
	*end = *start + range;
	return range != 0 && *end > *start;
}

/*
 * The range [start, end) to decode in for a candidate at c, clipped to
 * [lo, hi): the FDE range that holds c, or the FDE range that ends at c
 * extended by the candidate's two bytes; *fend is the FDE's own end.  0
 * when there is
 * none, or when the range starts below lo (its start cannot be read then).
 *
 * An FDE ends at an instruction boundary as surely as it starts at one:
 * the assembler closes it between two instructions.  Hand-written code
 * that starts a new outermost frame with a system call closes the FDE
 * just before that syscall (glibc's clone and clone3): such a syscall is
 * proven when the FDE's last instruction falls through into it (place()
 * checks that).  Candidates anywhere else outside the FDEs stay unplaced:
 * measured over this machine's libraries, they are data (libcrypto's
 * tables, libGLdispatch's stubs) or displacements.
 */
static int fde_find(struct zp_funcs *t, uintptr_t c, uintptr_t lo,
		    uintptr_t hi, uintptr_t *start, uintptr_t *end, uintptr_t *fend)
{
	long i = zp_funcs_find(t, c);
	uintptr_t s, e;

	if (i < 0 || !zp_funcs_range(t, i, &s, &e) || c > e || s < lo)
		return 0;
	*fend = e;
	if (c == e)		/* the instruction after the FDE's last one */
		e += 2;
	*start = s;
	*end = e > hi ? hi : e;
	return 1;
}

/*
 * The scan behind zp_find_sites and zp_find_candidates: each candidate
 * with its verdict goes to cand (if set), each site to site (if set).
 */
/* The candidates in [lo, hi), each placed from its function's start
 * (with t) or from lo (without). */
static size_t scan_range(struct zp_funcs *t, uintptr_t lo, uintptr_t hi,
			 zp_site_fn site, zp_cand_fn cand, void *ctx,
			 struct zp_scan_stats *st)
{
	const uint8_t *c, *end = (const uint8_t *)hi;
	uintptr_t fs = 0, fe = 0, fend = 0; /* the range cur decodes in,
					       and its FDE's end */
	struct cursor cur = { (const uint8_t *)lo, end, 0 };
	size_t sites = 0;

	st->bytes += hi - lo;
	for (c = next_candidate((const uint8_t *)lo, end); c < end;
	     c = next_candidate(c + 1, end)) {
		enum zp_verdict v = ZP_UNPLACED;

		st->candidates++;
		if (t && !((uintptr_t)c >= fs && (uintptr_t)c < fe)) {
			fs = fe = 0;
			cur.dead = !fde_find(t, (uintptr_t)c, lo, hi, &fs, &fe,
					      &fend);
			cur.pos = (const uint8_t *)fs;
			cur.end = (const uint8_t *)fe;
		}
		if (!cur.dead)
			v = place(&cur, c, (const uint8_t *)fend, &st->insns);
		if (v == ZP_SITE) {
			sites++;
			if (site)
				site(ctx, (uintptr_t)c);
		} else if (v == ZP_UNPLACED) {
			st->unplaced++;
		}
		if (cand)
			cand(ctx, (uintptr_t)c, v);
	}
	return sites;
}

/*
 * The scan behind zp_find_sites and zp_find_candidates.  With FDEs, only
 * the bytes that can be code are scanned: each function's range and the
 * two bytes after it (see fde_find), adjacent ranges merged; data that
 * shares the executable segment (.rodata, tables) is never read.
 */
static size_t scan(const struct zp_elf *elf, uintptr_t lo, uintptr_t hi,
		   zp_site_fn site, zp_cand_fn cand, void *ctx,
		   struct zp_scan_stats *st)
{
	struct zp_scan_stats local = { 0 };
	struct zp_funcs t;
	size_t sites = 0;
	long i;
	uintptr_t s, e, ns, ne;

	if (!st)
		st = &local;
	if (hi <= lo)
		return 0;
	if (!elf || !zp_funcs_init(elf, &t)) {
		sites = scan_range(0, lo, hi, site, cand, ctx, st);
		st->sites += sites;
		return sites;
	}
	i = zp_funcs_find(&t, lo);
	for (i = i < 0 ? 0 : i; (size_t)i < t.count; i++) {
		if (!zp_funcs_range(&t, i, &s, &e))
			continue;
		if (s >= hi)
			break;
		e += 2;		/* a syscall the function falls into */
		while ((size_t)i + 1 < t.count &&
		       zp_funcs_range(&t, i + 1, &ns, &ne) && ns <= e) {
			e = ne + 2 > e ? ne + 2 : e;
			i++;
		}
		if (e > lo)
			sites += scan_range(&t, s < lo ? lo : s, e > hi ? hi : e,
					    site, cand, ctx, st);
	}
	st->sites += sites;
	return sites;
}

size_t zp_find_sites(const struct zp_elf *elf, uintptr_t lo, uintptr_t hi,
		     zp_site_fn fn, void *ctx, struct zp_scan_stats *st)
{
	return scan(elf, lo, hi, fn, 0, ctx, st);
}

size_t zp_find_candidates(const struct zp_elf *elf, uintptr_t lo,
			  uintptr_t hi, zp_cand_fn fn, void *ctx,
			  struct zp_scan_stats *st)
{
	return scan(elf, lo, hi, 0, fn, ctx, st);
}
