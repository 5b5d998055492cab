/*
 * hook_log.c - test hook that writes what it sees of the calls numbered
 * 500, 501 and 502 (which no kernel has), one line each, to the descriptor
 * ZPOLINE_ZPTEST_LOG_FD (read through init->setting):
 *     NAME call NR          when the call reaches it
 *     NAME next NR RESULT   (built with USE_NEXT) what next() returned:
 *                           the rest of the chain, then the kernel
 *     NAME after NR RESULT  what its after() was given
 * It answers nothing: with USE_NEXT it returns next()'s result, else it
 * lets the call through.  NAME is the build's (-DNAME=\"x\").  No libc:
 * raw write, so that its own calls are not among the lines.
 */
#include <sys/syscall.h>

#include "../zpoline.h"
#include "hook_dec.h"

static zpoline_hook_fn next;
static int fd = -1;

static int watched(long nr)
{
	return nr == 500 || nr == 501 || nr == 502;
}

static char *put(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static void line(const char *what, long nr, int with_result, long result)
{
	char buf[96], *p = buf;
	long r;
	p = put(p, NAME " ");
	p = put(p, what);
	p = put(p, " ");
	p = put_dec(p, nr);
	if (with_result) {
		p = put(p, " ");
		p = put_dec(p, result);
	}
	*p++ = '\n';
	__asm__ volatile("syscall" : "=a"(r) : "a"(SYS_write), "D"(fd), "S"(buf),
			 "d"(p - buf) : "rcx", "r11", "memory");
}

static long hook(struct zpoline_call *c)
{
	if (!watched(c->nr))
		return ZPOLINE_DO_SYSCALL;
	line("call", c->nr, 0, 0);
#ifdef USE_NEXT
	long r = next(c);
	line("next", c->nr, 1, r);
	return r;
#else
	return ZPOLINE_DO_SYSCALL;
#endif
}

static void after(const struct zpoline_call *c, long result)
{
	if (watched(c->nr))
		line("after", c->nr, 1, result);
}

/* The descriptor: init->setting("zptest_log_fd") is the environment's
 * ZPOLINE_ZPTEST_LOG_FD. */
zpoline_hook_fn zpoline_hook_init(struct zpoline_init *init)
{
	const char *v = init->size >= sizeof *init ? init->setting("zptest_log_fd") : 0;
	if (!v)
		return 0;
	fd = 0;
	for (; *v >= '0' && *v <= '9'; v++)
		fd = fd * 10 + *v - '0';
	next = init->next;
	init->after = after;
	init->flags |= ZPOLINE_HOOK_NO_VECTOR;
	return hook;
}
