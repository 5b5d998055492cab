/*
 * sites.c - how each system call site of an object is rewritten.
 *
 * zp_find_sites (decoder.c) proves where the syscall/sysenter instructions
 * are; zp_plan_sites chooses, for each one, the first of these that the
 * code around it allows:
 *
 *   ZP_ISLAND  the 2-byte instruction becomes `jmp rel8` to a 5-byte slot
 *              of dead fill within reach (-128..+127 from the end of the
 *              jmp), and the slot becomes `jmp rel32` to the site's gate;
 *              where no slot is in reach, the jmp rel8 may go through a
 *              2-byte hop of dead fill (another jmp rel8) to one;
 *   ZP_JUMP    the site moves to its gate together with the instructions
 *              next to it (typically `mov $nr, %eax` just before): the
 *              first of them becomes `jmp rel32` to the gate, which runs
 *              copies of them, and every other instruction start past the
 *              jmp's 5 bytes, the syscall's included, becomes a trap (ud2,
 *              or a one-byte invalid opcode).  A branch that lands on one
 *              of those starts traps, and the runtime's SIGILL handler
 *              goes on from the copy of that instruction in the gate, or
 *              makes the call with the registers it finds.  find_jump
 *              says which windows of instructions may move;
 *   ZP_PAGE0   `call *%rax` into the sled at page 0.
 *
 * Dead fill, the rule: a run of fill instructions (nop, int3: see
 * zp_insn_flow) is dead when
 *   - it directly follows, in the decoding of a function from its start,
 *     an instruction that never goes on (jmp, ret, ud2), and no direct
 *     branch, jump or call decoded in that function targets a byte of it
 *     (the run ends before the first such target); or
 *   - it is all of the bytes between the end of a function's FDE range and
 *     the start of the next function, and that function's last instruction
 *     never goes on or is a call (a compiler ends a function's code with a
 *     call only when the callee does not return).
 * Such bytes are reached by no fall-through and by no branch we can see;
 * branches between functions go to function starts.  A function whose
 * decoding meets an invalid encoding, or does not end exactly at its FDE's
 * end, gives no dead fill.
 *
 * The moved instructions of ZP_JUMP do not transfer control, and the one
 * operand that depends on an instruction's address (RIP-relative) is
 * fixed up in the copy, so the copies do what the originals did.  What
 * does differ: a fault raised by a moved instruction (a bad pointer in
 * its memory operand) reports the gate's address, not the original's.
 *
 * Invariants: pure (no system calls, no allocation, no globals written);
 * reads only [lo, hi) and the object's unwind tables, as decoder.c does.
 * Shared by libzpoline.so and zpscan, so that zpscan shows what the
 * runtime does.
 */
#include "decoder.h"

#define REL8_MIN (-128)
#define REL8_MAX 127
#define SLOT 5		 /* jmp rel32 */
#define HOP 2		 /* jmp rel8 */
#define MAX_RUNS 16	 /* dead runs kept per function */
#define MAX_GAP 256	 /* longest padding between functions looked at */
#define CACHE 32	 /* functions remembered (direct-mapped by index) */

struct run {
	uintptr_t lo, hi;
};

/* What sites.c knows of function i: its dead fill. */
struct func {
	long index;	/* -1: empty cache entry */
	size_t nruns;
	struct run run[MAX_RUNS];
};

struct planner {
	const struct zp_elf *elf;
	struct zp_funcs funcs;
	int have_funcs;
	uintptr_t lo, hi;
	struct func cache[CACHE];
};

static void add_run(struct func *f, uintptr_t lo, uintptr_t hi)
{
	if (hi - lo >= HOP && f->nruns < MAX_RUNS)
		f->run[f->nruns++] = (struct run){ lo, hi };
}

/* Does every instruction in [a, b) decode as fill, ending exactly at b? */
static int all_fill(uintptr_t a, uintptr_t b)
{
	uintptr_t t;
	while (a < b) {
		int len = zp_insn_len((const uint8_t *)a, b - a);
		if (len <= 0 || zp_insn_flow((const uint8_t *)a, len, &t) !=
					ZP_FLOW_FILL)
			return 0;
		a += len;
	}
	return a == b;
}

/* A run ends before the first byte of it that a direct branch targets. */
static void cut_runs(struct func *f, uintptr_t t)
{
	for (size_t k = 0; k < f->nruns; k++)
		if (t >= f->run[k].lo && t < f->run[k].hi)
			f->run[k].hi = t;
}

/*
 * The fill runs that follow a jmp/ret/ud2 in [s, e), then the padding up
 * to the next function (gap_end), cut at the direct branch targets found
 * on the way, in one decoding pass (a second one only for a function with
 * more than MAX_TARGETS targets in it).  0 if the decoding fails or
 * overruns e.
 */
#define MAX_TARGETS 256
static int find_runs(struct func *f, uintptr_t s, uintptr_t e,
		     uintptr_t gap_end)
{
	enum zp_flow last = ZP_FLOW_NEXT; /* the last instruction but fill */
	uintptr_t q = s, run = 0, t, target[MAX_TARGETS];
	size_t nt = 0, all = 1;

	while (q < e) {
		int len = zp_insn_len((const uint8_t *)q, e - q);
		if (len <= 0)
			return 0;
		enum zp_flow fl = zp_insn_flow((const uint8_t *)q, len, &t);
		if (fl == ZP_FLOW_FILL) {
			if (!run && last == ZP_FLOW_JUMP)
				run = q;
		} else {
			if (run)
				add_run(f, run, q);
			run = 0;
			last = fl;
		}
		if (t >= s && t < gap_end) {
			if (nt < MAX_TARGETS)
				target[nt++] = t;
			else
				all = 0;
		}
		q += len;
	}
	if (q != e)
		return 0;
	if ((run || last == ZP_FLOW_JUMP || last == ZP_FLOW_CALL) &&
	    gap_end > e && all_fill(e, gap_end))
		add_run(f, run ? run : e, gap_end);
	else if (run)
		add_run(f, run, e);
	for (size_t k = 0; k < nt; k++)
		cut_runs(f, target[k]);
	for (q = s; !all && q < e;) {	/* too many targets to keep */
		int len = zp_insn_len((const uint8_t *)q, e - q);
		zp_insn_flow((const uint8_t *)q, len, &t);
		cut_runs(f, t);
		q += len;
	}
	return 1;
}

/* The dead fill of function i (from the cache, or worked out now). */
static const struct func *func_runs(struct planner *pl, long i)
{
	struct func *f = &pl->cache[i % CACHE];
	uintptr_t s, e, ns, ne, gap_end;

	if (f->index == i)
		return f;
	f->index = i;
	f->nruns = 0;
	if (!zp_funcs_range(&pl->funcs, i, &s, &e) || s < pl->lo ||
	    e > pl->hi)
		return f;
	gap_end = e;
	if (zp_funcs_range(&pl->funcs, i + 1, &ns, &ne) && ns > e &&
	    ns - e <= MAX_GAP && ns <= pl->hi)
		gap_end = ns;
	if (!find_runs(f, s, e, gap_end))
		f->nruns = 0;
	return f;
}

/* Does [a, a + size) overlap a byte that the plans before p (or p's own
 * hop, when it has one) change? */
static int taken(const struct zp_plan *first, const struct zp_plan *p,
		 uintptr_t a, uintptr_t size)
{
	if (p->hop && a < p->hop + HOP && p->hop < a + size)
		return 1;
	for (const struct zp_plan *q = p; q-- > first;) {
		if (q->site + 4 * (REL8_MAX + SLOT) + ZP_MOVED_MAX < a)
			break;	/* sites ascend: nothing earlier reaches a */
		if (q->kind == ZP_ISLAND &&
		    ((a < q->at + SLOT && q->at < a + size) ||
		     (q->hop && a < q->hop + HOP && q->hop < a + size)))
			return 1;
		if (q->kind == ZP_JUMP && a < q->end && q->at < a + size)
			return 1;
	}
	return 0;
}

/* The lowest free size-byte slot of dead fill in function i, in [lo, hi]
 * for its start, at min or above; 0 if none. */
static uintptr_t slot_in(struct planner *pl, long i, const struct zp_plan *first,
			 const struct zp_plan *p, uintptr_t lo, uintptr_t hi,
			 uintptr_t size)
{
	const struct func *f = func_runs(pl, i);
	for (size_t k = 0; k < f->nruns; k++) {
		uintptr_t a = f->run[k].lo < lo ? lo : f->run[k].lo;
		for (; a <= hi && a + size <= f->run[k].hi; a++)
			if (!taken(first, p, a, size))
				return a;
	}
	return 0;
}

/*
 * A free size-byte slot of dead fill, at min or above, that a jmp rel8 at
 * from (2 bytes) reaches; 0 if there is none.  The function holding from
 * is searched first, then its neighbours outwards: most sites find their
 * slot in their own function, and each function searched is decoded.
 */
static uintptr_t find_slot(struct planner *pl, const struct zp_plan *first,
			   const struct zp_plan *p, uintptr_t from,
			   uintptr_t size, uintptr_t min)
{
	uintptr_t lo = from + 2 + REL8_MIN, hi = from + 2 + REL8_MAX, s, e, a;
	long home = zp_funcs_find(&pl->funcs, from), n = pl->funcs.count;

	if (lo < min)
		lo = min;
	if (home < 0)
		home = 0;
	for (long d = 0; d < n; d++) {	/* home, home-1, home+1, ... */
		int more = 0;
		for (int side = 0; side < (d ? 2 : 1); side++) {
			long i = side ? home + d : home - d;
			if (i < 0 || i >= n || !zp_funcs_range(&pl->funcs, i, &s, &e))
				continue;
			if (s > hi + MAX_GAP || e + MAX_GAP < lo)
				continue;	/* its runs (and gap) are out of reach */
			more = 1;
			if ((a = slot_in(pl, i, first, p, lo, hi, size)))
				return a;
		}
		if (!more && d > 0)
			break;
	}
	return 0;
}

/*
 * An island for site p: a slot that the site's jmp rel8 reaches, or else
 * a 2-byte hop (a second jmp rel8) that it reaches and a slot that the hop
 * reaches.  Sets p->at and p->hop; 0 if there is none.
 */
static int find_island(struct planner *pl, const struct zp_plan *first,
		       struct zp_plan *p)
{
	uintptr_t h = 0;

	p->hop = 0;
	if ((p->at = find_slot(pl, first, p, p->site, SLOT, 0)))
		return 1;
	while ((h = find_slot(pl, first, p, p->site, HOP, h + 1))) {
		p->hop = h;
		if ((p->at = find_slot(pl, first, p, h, SLOT, 0)))
			return 1;
		p->hop = 0;
	}
	return 0;
}

/*
 * Can the len-byte instruction at q run from another address and do the
 * same?  Not if it transfers control or is itself a system call; a
 * RIP-relative operand is fixed up when it is copied (zp_relocate), with
 * 64-bit addressing only.
 */
static int relocatable(const uint8_t *q, int len)
{
	uintptr_t t;
	enum zp_flow f = zp_insn_flow(q, len, &t);
	int m;

	if (f != ZP_FLOW_NEXT && f != ZP_FLOW_FILL)
		return 0;
	if (len == 2 && q[0] == 0x0f && (q[1] == 0x05 || q[1] == 0x34 ||
					 q[1] == 0x07))
		return 0;	/* syscall, sysenter, sysret */
	m = zp_insn_modrm(q, len);
	if (m >= 0 && (q[m] & 0xc7) == 0x05)
		for (int i = 0; i < m; i++)
			if (q[i] == 0x67)
				return 0;	/* EIP-relative */
	return 1;
}

/*
 * The window [a, *end) that ZP_JUMP moves for site c when its jmp starts
 * at a (an instruction start in c's function, ending at e, at or before
 * c): from a through the syscall, and on past it while the jmp's 5 bytes
 * are not covered.  0 if those instructions cannot all move, or if a is
 * padding (the jmp would never run).  *strict: no instruction starts
 * inside the jmp's bytes (each start after them gets a trap).
 */
static int window(uintptr_t a, uintptr_t c, uintptr_t e, uintptr_t *end,
		  int *strict)
{
	uintptr_t q = a, t;

	*strict = 1;
	while (q < c + 2 || q < a + SLOT) {
		int len = zp_insn_len((const uint8_t *)q, e - q);
		if (len <= 0 || (q != c && !relocatable((const uint8_t *)q, len)))
			return 0;
		if (q == a && zp_insn_flow((const uint8_t *)q, len, &t) ==
				      ZP_FLOW_FILL)
			return 0;
		if (q > a && q < a + SLOT)
			*strict = 0;
		q += len;
		if (q - a > ZP_MOVED_MAX)
			return 0;
	}
	*end = q;
	return 1;
}

/*
 * Plans site p as ZP_JUMP if the instructions around it allow; 1 if so.
 * The window is chosen among those starting at most MAX_MOVED
 * instructions before the site:
 *   - no direct branch of the function may target an instruction start
 *     inside it (past its first): one inside the jmp's bytes would run a
 *     wrong instruction stream, one after them would trap every time;
 *   - a strict window (the jmp lies inside its first instruction, as for
 *     `mov $nr, %eax; syscall`) is taken first, the nearest one;
 *   - failing that, the nearest window whose jmp covers instruction
 *     starts: it relies on nothing branching to them but the decoded
 *     direct branches, as compiled code does (it branches to the starts
 *     of blocks, and a block that follows straight-line code with no
 *     branch to it is entered by falling through).
 * One decoding pass over the function finds the instruction starts before
 * the site and the direct branch targets near it.
 */
#define MAX_MOVED 8
#define MAX_NEAR 64
static int find_jump(struct planner *pl, const struct zp_plan *first,
		     struct zp_plan *p)
{
	long i = zp_funcs_find(&pl->funcs, p->site);
	uintptr_t s, e, q, t, at[MAX_MOVED + 1], near[MAX_NEAR];
	uintptr_t end, relaxed = 0, relaxed_end = 0, c = p->site;
	unsigned n = 0, nn = 0;
	int strict;

	if (i < 0 || !zp_funcs_range(&pl->funcs, i, &s, &e) || s < pl->lo ||
	    e > pl->hi || c + 2 > e)
		return 0;
	for (q = s; q < e;) {
		int len = zp_insn_len((const uint8_t *)q, e - q);
		if (len <= 0)
			return 0;
		if (q < c)	/* the last boundaries before the site */
			at[n++ % (MAX_MOVED + 1)] = q;
		zp_insn_flow((const uint8_t *)q, len, &t);
		if (t + ZP_MOVED_MAX > c && t < c + ZP_MOVED_MAX) {
			if (nn == MAX_NEAR)
				return 0;	/* cannot tell */
			near[nn++] = t;
		}
		q += len;
	}
	at[n % (MAX_MOVED + 1)] = c;
	for (unsigned k = 0; k <= n && k <= MAX_MOVED; k++) {
		uintptr_t a = at[(n - k) % (MAX_MOVED + 1)];
		int inside = 0;
		if (!window(a, c, e, &end, &strict))
			continue;
		for (unsigned j = 0; j < nn; j++)
			inside |= near[j] > a && near[j] < end;
		if (inside || taken(first, p, a, end - a))
			continue;
		if (strict) {
			p->at = a;
			p->end = end;
			return 1;
		}
		if (!relaxed) {
			relaxed = a;
			relaxed_end = end;
		}
	}
	if (!relaxed)
		return 0;
	p->at = relaxed;
	p->end = relaxed_end;
	return 1;
}

void zp_plan_sites(const struct zp_elf *elf, uintptr_t lo, uintptr_t hi,
		   struct zp_plan *p, size_t n, unsigned allow)
{
	struct planner pl;	/* no initializer: it would be a memset call */

	pl.elf = elf;
	pl.lo = lo;
	pl.hi = hi;
	for (size_t k = 0; k < CACHE; k++)
		pl.cache[k].index = -1;
	pl.have_funcs = elf && zp_funcs_init(elf, &pl.funcs);
	for (size_t k = 0; k < n; k++) {
		p[k].kind = ZP_PAGE0;
		p[k].at = p[k].hop = p[k].end = 0;
		if (!pl.have_funcs)
			continue;
		if ((allow & 1u << ZP_ISLAND) && find_island(&pl, p, &p[k]))
			p[k].kind = ZP_ISLAND;
		else if ((allow & 1u << ZP_JUMP) && find_jump(&pl, p, &p[k]))
			p[k].kind = ZP_JUMP;
	}
}
