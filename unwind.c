/*
 * unwind.c - does a system call come straight from the program, and not
 * from inside libc, ld.so or the allocator?  (swap.c's safe point.)
 *
 * The call's site is the `syscall` instruction.  If it lies in a plain
 * libc wrapper (the list below: functions that take no lock and call
 * nothing that takes one), the wrapper's return address is found with
 * libc's .eh_frame (the CFA rule at that address: a register, rsp or rbp,
 * plus an offset; the return address just below the CFA), and so on out
 * of nested wrappers (sleep -> nanosleep -> clock_nanosleep).  The first
 * code that is not such a wrapper must lie outside libc, ld.so and the
 * object whose malloc the program uses.
 *
 * Invariants:
 *   - zp_unwind_init runs once, with libc ready (it calls dlopen, dlsym,
 *     dladdr1, dl_iterate_phdr); zp_called_from_outside runs in the dispatch path
 *     and in a signal handler: no libc, stack words read with
 *     zp_safe_copy, nothing written.
 *   - Conservative: anything the tables do not say simply (an expression
 *     for the CFA, 64-bit DWARF, an unknown opcode) answers "no".
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <string.h>
#include <sys/auxv.h>

#include "decoder.h"
#include "runtime.h"

/* libc's functions that only make a system call: taking no lock, calling
 * nothing that takes one (glibc's cancellation helpers touch only the
 * thread's own state). */
static const char *const zp_wrapper_names[] = {
	"read", "write", "pread64", "pwrite64", "readv", "writev", "preadv",
	"pwritev", "preadv2", "pwritev2", "open", "open64", "openat",
	"openat64", "close", "poll", "ppoll", "select", "pselect",
	"epoll_wait", "epoll_pwait", "nanosleep", "clock_nanosleep", "sleep",
	"usleep", "pause", "accept", "accept4", "connect", "recv", "recvfrom",
	"recvmsg", "send", "sendto", "sendmsg", "wait", "waitpid", "wait4",
	"waitid", "sigsuspend", "sigtimedwait", "sigwaitinfo", "fsync",
	"fdatasync", "syscall", "getpid", "getppid", "gettid", "sched_yield",
	"ioctl", "fcntl", "fcntl64", "lseek", "lseek64", "fstat", "fstat64",
	"stat", "stat64", "lstat", "lstat64", "fstatat", "fstatat64",
	"newfstatat", "statx", "access", "faccessat", "dup", "dup2", "dup3",
	"pipe", "pipe2", "socket", "bind", "listen", "kill", "mkdir",
	"unlink", "rename", "getrandom", "uname",
};
#define ZP_NWRAPPERS (sizeof zp_wrapper_names / sizeof *zp_wrapper_names)

struct zp_range {
	uintptr_t lo, hi;
};
static struct zp_range zp_wrappers[ZP_NWRAPPERS];
static size_t zp_nwrappers;

#define ZP_OBJ_SEGS 4
struct zp_code {	/* an object's executable segments */
	struct zp_range seg[ZP_OBJ_SEGS];
	unsigned n;
};
static struct zp_code zp_libc, zp_ldso, zp_alloc;
static struct zp_elf zp_libc_elf;
static struct zp_funcs zp_libc_funcs;

static int zp_in(const struct zp_code *c, uintptr_t a)
{
	for (unsigned i = 0; i < c->n; i++)
		if (a >= c->seg[i].lo && a < c->seg[i].hi)
			return 1;
	return 0;
}

static int zp_in_wrapper(uintptr_t a)
{
	for (size_t i = 0; i < zp_nwrappers; i++)
		if (a >= zp_wrappers[i].lo && a < zp_wrappers[i].hi)
			return 1;
	return 0;
}

/* ------------------------------------------------------------------------
 * Start-up.
 */

struct zp_find {
	uintptr_t libc, ldso, alloc;	/* load biases of the objects */
	int libc_found;
};

static void zp_code_of(const struct dl_phdr_info *info, struct zp_code *c)
{
	c->n = 0;
	for (unsigned k = 0; k < info->dlpi_phnum && c->n < ZP_OBJ_SEGS; k++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[k];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		c->seg[c->n].lo = info->dlpi_addr + ph->p_vaddr;
		c->seg[c->n].hi = c->seg[c->n].lo + ph->p_memsz;
		c->n++;
	}
}

static int zp_find_object(struct dl_phdr_info *info, size_t size, void *data)
{
	struct zp_find *f = data;
	if (info->dlpi_addr == f->libc && !f->libc_found) {
		f->libc_found = 1;
		zp_code_of(info, &zp_libc);
		zp_libc_elf = (struct zp_elf){ info->dlpi_addr, info->dlpi_phdr,
					       info->dlpi_phnum };
	} else if (info->dlpi_addr == f->ldso && f->ldso) {
		zp_code_of(info, &zp_ldso);
	}
	if (f->alloc != f->libc && info->dlpi_addr == f->alloc)
		zp_code_of(info, &zp_alloc);
	return 0;
}

int zp_unwind_init(void)
{
	struct link_map *lm = 0, *am = 0;
	struct zp_find f = { 0 };
	Dl_info info;
	void *libc = dlopen("libc.so.6", RTLD_NOLOAD | RTLD_LAZY), *m;

	if (!libc || dlinfo(libc, RTLD_DI_LINKMAP, &lm) < 0 || !lm)
		return -1;
	f.libc = lm->l_addr;
	f.ldso = getauxval(AT_BASE);
	f.alloc = f.libc;
	m = dlsym(RTLD_DEFAULT, "malloc");	/* the program's allocator */
	if (m && dladdr1(m, &info, (void **)&am, RTLD_DL_LINKMAP) && am)
		f.alloc = am->l_addr;
	dl_iterate_phdr(zp_find_object, &f);
	if (!f.libc_found || !zp_funcs_init(&zp_libc_elf, &zp_libc_funcs)) {
		dlclose(libc);
		return -1;
	}
	/* Each wrapper's extent is its FDE's (what zp_step reads anyway; a
	   binary search, where dladdr1 would scan libc's symbols). */
	for (size_t i = 0; i < ZP_NWRAPPERS; i++) {
		uintptr_t a = (uintptr_t)dlsym(libc, zp_wrapper_names[i]), lo, hi;
		long k = a ? zp_funcs_find(&zp_libc_funcs, a) : -1;
		if (k < 0 || !zp_in(&zp_libc, a) ||
		    !zp_funcs_range(&zp_libc_funcs, k, &lo, &hi) || lo != a)
			continue;
		zp_wrappers[zp_nwrappers].lo = lo;
		zp_wrappers[zp_nwrappers].hi = hi;
		zp_nwrappers++;
	}
	dlclose(libc);	/* only the reference dlopen took */
	return (int)zp_nwrappers;
}

/* ------------------------------------------------------------------------
 * libc's .eh_frame: the CFA rule at an address.
 */

struct zp_rd {
	const uint8_t *p, *end;
};

static int zp_u8(struct zp_rd *r, unsigned *v)
{
	if (r->p >= r->end)
		return 0;
	*v = *r->p++;
	return 1;
}

static int zp_uleb(struct zp_rd *r, uint64_t *v)
{
	unsigned shift = 0, b;
	*v = 0;
	do {
		if (!zp_u8(r, &b) || shift > 63)
			return 0;
		*v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	return 1;
}

static int zp_sleb(struct zp_rd *r, int64_t *v)
{
	unsigned shift = 0, b;
	uint64_t u = 0;
	do {
		if (!zp_u8(r, &b) || shift > 63)
			return 0;
		u |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (shift < 64 && (b & 0x40))
		u |= ~(uint64_t)0 << shift;
	*v = (int64_t)u;
	return 1;
}

static int zp_skip(struct zp_rd *r, uint64_t n)
{
	if (n > (uint64_t)(r->end - r->p))
		return 0;
	r->p += n;
	return 1;
}

/* Bytes of a pointer in encoding enc (DW_EH_PE_*), or 0. */
static unsigned zp_enc_size(unsigned enc)
{
	switch (enc & 0x0f) {
	case 0x00: case 0x04: case 0x0c: return 8;	/* absptr, (s)data8 */
	case 0x02: case 0x0a: return 2;
	case 0x03: case 0x0b: return 4;
	}
	return 0;
}

/* What the CFA program says of the caller's frame. */
struct zp_rule {
	unsigned cfa_reg;	/* DWARF: 7 rsp, 6 rbp */
	int64_t cfa_off;
	int rbp_saved;		/* rbp saved at CFA + rbp_off */
	int64_t rbp_off;
	int64_t ra_off;		/* the return address at CFA + ra_off */
};

struct zp_cie {
	uint64_t caf;		/* code alignment factor */
	int64_t daf;		/* data alignment factor */
	uint64_t ra_reg;
	unsigned fde_enc;	/* how the FDE's addresses are encoded */
	int z;			/* augmentation data follows in FDEs */
	struct zp_rd insns;	/* initial instructions */
};

static int zp_read_cie(const uint8_t *c, struct zp_cie *cie)
{
	uint32_t len, id;
	unsigned version, ch, enc;
	const uint8_t *aug;
	struct zp_rd r;
	uint64_t alen;

	memcpy(&len, c, 4);
	memcpy(&id, c + 4, 4);
	if (len == 0 || len == 0xffffffff || id != 0)
		return 0;
	r = (struct zp_rd){ c + 8, c + 4 + len };
	if (!zp_u8(&r, &version) || (version != 1 && version != 3))
		return 0;
	aug = r.p;
	while (zp_u8(&r, &ch) && ch)
		;
	if (!zp_uleb(&r, &cie->caf) || !zp_sleb(&r, &cie->daf))
		return 0;
	if (version == 1) {
		if (!zp_u8(&r, &ch))
			return 0;
		cie->ra_reg = ch;
	} else if (!zp_uleb(&r, &cie->ra_reg)) {
		return 0;
	}
	cie->fde_enc = 0;
	cie->z = aug[0] == 'z';
	if (cie->z) {
		struct zp_rd a;
		if (!zp_uleb(&r, &alen) || alen > (uint64_t)(r.end - r.p))
			return 0;
		a = (struct zp_rd){ r.p, r.p + alen };
		for (const uint8_t *x = aug + 1; *x; x++) {
			if (*x == 'R') {
				if (!zp_u8(&a, &cie->fde_enc))
					return 0;
			} else if (*x == 'L') {
				if (!zp_u8(&a, &enc))
					return 0;
			} else if (*x == 'P') {
				if (!zp_u8(&a, &enc) || !zp_enc_size(enc) ||
				    !zp_skip(&a, zp_enc_size(enc)))
					return 0;
			} else if (*x != 'S' && *x != 'B' && *x != 'G') {
				return 0;
			}
		}
		r.p += alen;
	} else if (aug[0]) {
		return 0;
	}
	cie->insns = r;
	return 1;
}

#define ZP_STATES 4

/*
 * Runs CFA instructions r, from location loc, up to address pc (rows
 * whose location is above pc do not apply).  init: the CIE's rule, for
 * DW_CFA_restore.  0 if an instruction is one this reader does not take.
 */
static int zp_run_cfa(struct zp_rd r, uintptr_t loc, uintptr_t pc,
		      const struct zp_cie *cie, struct zp_rule *st,
		      const struct zp_rule *init)
{
	struct zp_rule saved[ZP_STATES];
	unsigned nsaved = 0, op;
	uint64_t reg, off, delta;
	int64_t soff;

	while (zp_u8(&r, &op)) {
		delta = 0;
		switch (op >> 6) {
		case 1:				/* advance_loc */
			delta = op & 0x3f;
			break;
		case 2:				/* offset */
			if (!zp_uleb(&r, &off))
				return 0;
			if ((op & 0x3f) == 6) {
				st->rbp_saved = 1;
				st->rbp_off = (int64_t)off * cie->daf;
			} else if ((op & 0x3f) == cie->ra_reg) {
				st->ra_off = (int64_t)off * cie->daf;
			}
			continue;
		case 3:				/* restore */
			if ((op & 0x3f) == 6) {
				st->rbp_saved = init->rbp_saved;
				st->rbp_off = init->rbp_off;
			}
			continue;
		}
		if (op >> 6 == 0) switch (op) {
		case 0x00:			/* nop */
			continue;
		case 0x02: {			/* advance_loc1 */
			unsigned b;
			if (!zp_u8(&r, &b))
				return 0;
			delta = b;
			break;
		}
		case 0x03:			/* advance_loc2 */
			if (r.end - r.p < 2)
				return 0;
			delta = r.p[0] | r.p[1] << 8;
			r.p += 2;
			break;
		case 0x04: {			/* advance_loc4 */
			uint32_t d;
			if (r.end - r.p < 4)
				return 0;
			memcpy(&d, r.p, 4);
			r.p += 4;
			delta = d;
			break;
		}
		case 0x05:			/* offset_extended */
		case 0x11:			/* offset_extended_sf */
			if (!zp_uleb(&r, &reg))
				return 0;
			if (op == 0x05) {
				if (!zp_uleb(&r, &off))
					return 0;
				soff = (int64_t)off * cie->daf;
			} else {
				if (!zp_sleb(&r, &soff))
					return 0;
				soff *= cie->daf;
			}
			if (reg == 6) {
				st->rbp_saved = 1;
				st->rbp_off = soff;
			} else if (reg == cie->ra_reg) {
				st->ra_off = soff;
			}
			continue;
		case 0x06:			/* restore_extended */
		case 0x07:			/* undefined */
		case 0x08:			/* same_value */
			if (!zp_uleb(&r, &reg))
				return 0;
			if (reg == cie->ra_reg && op == 0x07)
				return 0;	/* the outermost frame */
			if (reg == 6) {
				st->rbp_saved = op == 0x06 ? init->rbp_saved : 0;
				st->rbp_off = init->rbp_off;
			}
			continue;
		case 0x09:			/* register */
			if (!zp_uleb(&r, &reg) || !zp_uleb(&r, &off))
				return 0;
			if (reg == 6 || reg == cie->ra_reg)
				return 0;
			continue;
		case 0x0a:			/* remember_state */
			if (nsaved == ZP_STATES)
				return 0;
			saved[nsaved++] = *st;
			continue;
		case 0x0b:			/* restore_state */
			if (!nsaved)
				return 0;
			*st = saved[--nsaved];
			continue;
		case 0x0c:			/* def_cfa */
			if (!zp_uleb(&r, &reg) || !zp_uleb(&r, &off))
				return 0;
			st->cfa_reg = reg;
			st->cfa_off = off;
			continue;
		case 0x0d:			/* def_cfa_register */
			if (!zp_uleb(&r, &reg))
				return 0;
			st->cfa_reg = reg;
			continue;
		case 0x0e:			/* def_cfa_offset */
			if (!zp_uleb(&r, &off))
				return 0;
			st->cfa_off = off;
			continue;
		case 0x12:			/* def_cfa_sf */
			if (!zp_uleb(&r, &reg) || !zp_sleb(&r, &soff))
				return 0;
			st->cfa_reg = reg;
			st->cfa_off = soff * cie->daf;
			continue;
		case 0x13:			/* def_cfa_offset_sf */
			if (!zp_sleb(&r, &soff))
				return 0;
			st->cfa_off = soff * cie->daf;
			continue;
		case 0x10:			/* expression */
		case 0x16:			/* val_expression */
			if (!zp_uleb(&r, &reg) || !zp_uleb(&r, &off) || !zp_skip(&r, off))
				return 0;
			if (reg == 6 || reg == 7 || reg == cie->ra_reg)
				return 0;
			continue;
		case 0x14:			/* val_offset */
		case 0x15:			/* val_offset_sf */
			if (!zp_uleb(&r, &reg) || !zp_uleb(&r, &off))
				return 0;
			if (reg == 6 || reg == cie->ra_reg)
				return 0;
			continue;
		case 0x2e:			/* GNU_args_size */
			if (!zp_uleb(&r, &off))
				return 0;
			continue;
		default:	/* def_cfa_expression, set_loc, vendor ones */
			return 0;
		}
		loc += delta * cie->caf;
		if (loc > pc)
			return 1;
	}
	return 1;
}

/* One frame out of libc's function at pc: (sp, bp) become the caller's,
 * *ra the return address.  0 if the tables do not say. */
static int zp_step(uintptr_t pc, uintptr_t *sp, uintptr_t *bp, uintptr_t *ra)
{
	long i = zp_funcs_find(&zp_libc_funcs, pc);
	uintptr_t start, end, cfa, v;
	const uint8_t *fde;
	uint32_t len, id;
	struct zp_cie cie;
	struct zp_rule init = { 7, 8, 0, 0, -8 }, st;
	struct zp_rd r;
	unsigned sz;
	uint64_t alen;

	if (i < 0 || !zp_funcs_range(&zp_libc_funcs, i, &start, &end) ||
	    pc < start || pc >= end)
		return 0;
	fde = zp_libc_funcs.hdr + zp_libc_funcs.tab[2 * i + 1];
	memcpy(&len, fde, 4);
	memcpy(&id, fde + 4, 4);
	if (len == 0 || len == 0xffffffff || id == 0 ||
	    !zp_read_cie(fde + 4 - id, &cie) || !(sz = zp_enc_size(cie.fde_enc)))
		return 0;
	if (!zp_run_cfa(cie.insns, 0, ~(uintptr_t)0, &cie, &init, &init))
		return 0;
	r = (struct zp_rd){ fde + 8 + 2 * sz, fde + 4 + len };
	if (cie.z && (!zp_uleb(&r, &alen) || !zp_skip(&r, alen)))
		return 0;
	st = init;
	if (!zp_run_cfa(r, start, pc, &cie, &st, &init))
		return 0;
	if (st.cfa_reg == 7)
		cfa = *sp + st.cfa_off;
	else if (st.cfa_reg == 6)
		cfa = *bp + st.cfa_off;
	else
		return 0;
	if (zp_safe_copy(ra, (void *)(cfa + st.ra_off), sizeof *ra) < 0)
		return 0;
	if (st.rbp_saved) {
		if (zp_safe_copy(&v, (void *)(cfa + st.rbp_off), sizeof v) < 0)
			return 0;
		*bp = v;
	}
	*sp = cfa;
	return 1;
}

/* ------------------------------------------------------------------------
 * The question.
 */

/* (pc, sp, bp): the call's site and the program's registers there. */
int zp_called_from_outside(uintptr_t pc, uintptr_t sp, uintptr_t bp)
{
	uintptr_t at = pc;	/* an address inside the code that runs */
	for (int depth = 0; depth < 8; depth++) {
		if (!zp_in(&zp_libc, at))
			return !zp_in(&zp_ldso, at) && !zp_in(&zp_alloc, at);
		if (!zp_in_wrapper(at) || !zp_step(at, &sp, &bp, &pc))
			return 0;
		at = pc - 1;	/* inside the call instruction */
	}
	return 0;
}
