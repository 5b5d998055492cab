/*
 * config.h - the configuration file parser (config.c), shared by the
 * runtime (which reads ZPOLINE_CONFIG at start-up) and the zpoline command
 * (which checks a --config file before it runs anything).
 *
 * The file holds one setting per line, `key = value`, with the keys of
 * the ZPOLINE_* environment variables in lower case:
 *
 *     # comments take a whole line, or follow a value after white space
 *     hook    = /opt/hooks/deny.so:/usr/local/lib/libzpoline_hook.so
 *     output  = /tmp/trace.txt      # absolute paths only
 *     summary = both                # 0, 1 or both
 *     trace   = %file,read,write    # strace's -e trace= syntax
 *     verbose = 1                   # 0 or 1
 *     swap    = RTMAX               # the signal of swap requests
 *     cache   = /var/cache/zp       # the plan cache's directory, or 0: none
 *
 * A key given twice keeps its last value.  A bad line (unknown key, bad
 * value, no "=") is reported through the error callback and skipped; the
 * others still count.
 */
#ifndef ZP_CONFIG_H
#define ZP_CONFIG_H

#include <stddef.h>

#define ZP_CONFIG_PATHS 4096	/* bytes of hook and output values, NUL included */
#define ZP_CONFIG_TRACE 1024	/* bytes of the trace value, NUL included */
#define ZP_CONFIG_ERROR 512	/* longest message given to the callback */

/* The values read, as NUL-terminated strings; "" when a key was not given. */
struct zp_config {
	char hook[ZP_CONFIG_PATHS];	/* absolute paths, separated by ':' */
	char output[ZP_CONFIG_PATHS];	/* an absolute path */
	char summary[5];		/* "0", "1" or "both" */
	char trace[ZP_CONFIG_TRACE];	/* passed on to the tracer as given */
	char verbose[2];		/* "0" or "1" */
	char swap[12];			/* a signal, as zp_config_signal reads it */
	char cache[ZP_CONFIG_PATHS];	/* "0" or an absolute path */
};

/*
 * Parses len bytes of text (no NUL needed) into *out, which it clears
 * first.  For each bad line it calls error() with one message, e.g.
 *     /etc/zpoline.conf:3: unknown key "outptu"
 * (no "zpoline: " in front, no newline: the caller adds what it prints
 * with).  Returns the number of bad lines.
 *
 * Uses no libc and nothing but its arguments and the stack: the runtime
 * calls it before libc is initialised.
 */
int zp_config_parse(const char *text, size_t len, const char *fname,
		    struct zp_config *out, void (*error)(const char *msg));

/* The value of key name ("hook", "output", ...), or NULL when unset. */
const char *zp_config_get(const struct zp_config *c, const char *name);

/* Signal numbers as glibc has them on x86-64 Linux (signal.h is not
 * included here: the runtime's files use the kernel's numbers). */
#define ZP_SIGUSR1 10
#define ZP_SIGUSR2 12
#define ZP_SIGRTMIN 34	/* glibc's SIGRTMIN: the kernel's 32 and 33 are its own */
#define ZP_SIGRTMAX 64

/*
 * The signal named by s[0..n) for swap requests (ZPOLINE_SWAP, swap =,
 * zpoline --swap): USR1, USR2, RTMIN, RTMIN+k, RTMAX, RTMAX-k or a number,
 * "SIG" in front optional; -1 unless it is SIGUSR1, SIGUSR2 or one of
 * SIGRTMIN..SIGRTMAX.
 */
int zp_config_signal(const char *s, size_t n);

#endif /* ZP_CONFIG_H */
