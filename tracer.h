/*
 * tracer.h - what the parts of the default tracer (libzpoline_hook.so)
 * share: a line being built, the program's memory, named constants, and
 * the description of one call being printed.
 *
 *   hook_default.c   the hook: settings, output, filter, summary, signals
 *   tracer_text.c    lines, numbers, quoted strings, flags, memory reads
 *   tracer_calls.c   each system call's arguments and result, as strace
 *                    prints them (files, memory, processes, time)
 *   tracer_more.c    the same for sockets, polling, futex, ioctl,
 *                    io_uring, prctl and other structured calls
 *   tracer_sig.c     signal sets, sigaction, siginfo and signal lines
 *   tracer_class.c   syscall classes for the "trace" filter
 *
 * Invariants: nothing here allocates, and nothing keeps state between
 * calls but read-only tables; a line is built on the caller's stack and
 * is at most LINE_BYTES long (what does not fit is dropped).
 */
#ifndef TRACER_H
#define TRACER_H

#include <limits.h>
#include <stddef.h>

#include "zpoline.h"

#define LINE_BYTES PIPE_BUF	/* longest line; a pipe write this long is atomic */
#define STR_MAX 32		/* strace -s default: bytes of a buffer shown */

#define HIDDEN __attribute__((visibility("hidden")))

/* ---- a line ------------------------------------------------------------ */

struct line {
	size_t len;
	char buf[LINE_BYTES];
};

HIDDEN void put_n(struct line *l, const char *s, size_t n);
HIDDEN void put(struct line *l, const char *s);
HIDDEN void put_c(struct line *l, char c);
HIDDEN void put_udec(struct line *l, unsigned long long v);
HIDDEN void put_dec(struct line *l, long long v);
HIDDEN void put_hex(struct line *l, unsigned long long v); /* 0, 0x1f */
HIDDEN void put_ptr(struct line *l, unsigned long v);	   /* NULL, 0x... */
HIDDEN void put_oct(struct line *l, unsigned long v);	   /* 000, 0644 */
HIDDEN void put_0x(struct line *l, unsigned long long v, int width);
					/* printf's %#0*llx: 00000000, 0x000005 */

/* ---- named constants (strace's "xlat") --------------------------------- */

struct xlat {
	unsigned long long v;
	const char *name;
};
#define XEND { 0, NULL }

HIDDEN const char *xlookup(const struct xlat *t, unsigned long long v);
/* The name, else the value in hex (decimal for put_xval_d) and dflt in a
 * comment: "0x64 / * F_??? * /". */
HIDDEN void put_xval(struct line *l, unsigned long long v,
		     const struct xlat *t, const char *dflt);
HIDDEN void put_xval_d(struct line *l, long long v, const struct xlat *t,
		       const char *dflt);
/* "A|B|0x40" in table order; no name for v != 0: "0x40 / * dflt * /";
 * v == 0: the table's zero entry, else "0" if there is a dflt, else
 * nothing.  Returns how many names. */
HIDDEN int put_flags(struct line *l, unsigned long long v,
		     const struct xlat *t, const char *dflt);
HIDDEN void put_comment(struct line *l, const char *s);	/* " / * s * /" */

/* ---- the program's memory ---------------------------------------------- */

HIDDEN int current_tid(void);	/* the calling thread's id, cached */

/* Copies up to n bytes at addr; returns how many could be read.  trusted:
 * the kernel has just accessed all n bytes for this call. */
HIDDEN size_t peek(void *dst, unsigned long addr, size_t n, int trusted);

/* Set while calls made before the tracer was loaded are printed
 * (init->earlier): their memory may be gone since, so nothing is
 * trusted. */
HIDDEN extern int memory_untrusted;

/* A buffer of len bytes, the first max shown, quoted; hex: every byte as
 * \xNN (strace's QUOTE_FORCE_HEX). */
HIDDEN void put_buf(struct line *l, unsigned long addr, unsigned long len,
		    int trusted);
HIDDEN void put_buf_ex(struct line *l, unsigned long addr,
		       unsigned long len, size_t max, int trusted, int hex);
/* Bytes already copied, quoted as put_buf does; "..." when len > n. */
HIDDEN void put_bytes(struct line *l, const unsigned char *b, size_t n,
		      unsigned long len, int hex);
/* A NUL-terminated string, at most max bytes shown, "..." if cut. */
HIDDEN void put_str(struct line *l, unsigned long addr, size_t max,
		    int trusted);
/* A string in a fixed-size array (uname's fields, sun_path...): up to its
 * NUL, or the whole array followed by "...". */
HIDDEN void put_fixed_str(struct line *l, const char *s, size_t size);

/* ---- one call being printed -------------------------------------------- */

/* How the result is shown. */
enum rfmt { R_DEC, R_HEX, R_OCT, R_UDEC };

#define ENTRY_BYTES 64		/* what the hook copies before some calls */

/* What the arguments' decoder says about the result. */
struct result_view {
	enum rfmt rfmt;
	char aux[512];			/* shown after the result: "(...)" */
};

struct ctx {
	struct line *l;
	const struct zpoline_call *c;
	long res;
	int failed;			/* res is -errno */
	const unsigned char *in;	/* copied before the call, or NULL */
	struct result_view *rv;		/* what the decoder says of the result */
};

/* Memory an argument points to.  IN: read by the call (shown whether it
 * failed or not); OUT: written by the call (shown only if it succeeded).
 * Returns 1 with *dst filled, or prints the address and returns 0. */
enum dir { IN, OUT };
HIDDEN int fetch(struct ctx *x, unsigned long addr, void *dst, size_t n,
		 enum dir d);

HIDDEN void sep(struct ctx *x);		/* ", " */
HIDDEN void set_aux(struct ctx *x, const char *s);

/* ---- shared printers -------------------------------------------------- */

HIDDEN void put_fd(struct line *l, long fd);		/* int, AT_FDCWD */
HIDDEN void put_open_flags(struct line *l, unsigned long v);
HIDDEN void put_mode_t(struct line *l, unsigned mode);	/* S_IFREG|0644 */
HIDDEN void put_signame(struct line *l, long sig);	/* SIGINT, 99 */
HIDDEN void put_sigset(struct line *l, const void *set, size_t bytes);
HIDDEN void put_sigset_at(struct ctx *x, unsigned long addr, size_t bytes,
			  enum dir d);
HIDDEN void put_siginfo(struct line *l, const void *si);
HIDDEN void put_sigaction(struct ctx *x, unsigned long addr, enum dir d);
HIDDEN void put_timespec(struct line *l, long sec, long nsec);
HIDDEN void put_timespec_at(struct ctx *x, unsigned long addr, enum dir d);
HIDDEN void put_timeval_at(struct ctx *x, unsigned long addr, enum dir d);
/* An array of n elements of size (at most 64) bytes at addr, each shown by
 * f, at most STR_MAX of them; strace's print_array. */
HIDDEN void put_array(struct ctx *x, unsigned long addr, size_t n,
		      size_t size, enum dir d,
		      void (*f)(struct line *, const void *));
HIDDEN void put_iovec(struct ctx *x, unsigned long addr, unsigned long n,
		      long data, enum dir d);
HIDDEN void put_sockaddr(struct ctx *x, unsigned long addr, long len,
			 enum dir d);
HIDDEN void put_int_at(struct ctx *x, unsigned long addr, enum dir d);

/* Prints "name(args)" of a call and fills *rv for
 * put_result, which prints " = result" from strace's column.  `in` is
 * what the hook copied before the call (entry_copy), or NULL. */
HIDDEN void put_call(struct line *l, const struct zpoline_call *c, long res,
		     const unsigned char *in, struct result_view *rv);
HIDDEN void put_result(struct line *l, const struct zpoline_call *c,
		       long res, const struct result_view *rv);
/* Before a call: copies what the call may overwrite but strace shows as
 * it was (an address length, select's sets...).  Returns the bytes
 * copied (0: nothing needed). */
HIDDEN size_t entry_copy(const struct zpoline_call *c,
			 unsigned char in[ENTRY_BYTES]);
HIDDEN const char *syscall_name(long nr);
HIDDEN long syscall_number(const char *name);

/* Per-family decoders (tracer_more.c, tracer_sig.c); each prints the
 * arguments of one call, without the parentheses. */
typedef void decoder_fn(struct ctx *x);
HIDDEN decoder_fn *more_decoder(long nr);
HIDDEN decoder_fn *sig_decoder(long nr);
HIDDEN size_t more_entry_copy(const struct zpoline_call *c,
			      unsigned char *in);

/* ---- signal lines (tracer_sig.c) ---------------------------------------- */

/* "--- SIGSEGV {si_signo=SIGSEGV, ...} ---" */
HIDDEN void put_signal_line(struct line *l, int sig, const void *si);

/* ---- the filter's classes (tracer_class.c) ------------------------------- */

/* Sets bit nr in set (of nbits) for each call of the class named by word
 * ("%file", "%%stat", or a name strace accepts without '%': "file");
 * returns 0 if there is no such class. */
HIDDEN int class_calls(const char *word, unsigned char *set, size_t nbits);

#endif /* TRACER_H */
