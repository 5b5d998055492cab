/*
 * config.c - parses a configuration file (ZPOLINE_CONFIG, zpoline
 * --config): `key = value` lines, comments, blank lines.  The syntax and
 * the keys are described in config.h.
 *
 * Invariants:
 *   - No libc, no allocation, no global state: the runtime calls this at
 *     start-up, perhaps before libc is initialised, on a buffer it read
 *     with raw system calls.  Compiled with the runtime's flags, so no
 *     loop here may become a memset or memcpy call (the Makefile checks
 *     that config.o needs no symbol at all).
 *   - Reads only text[0..len): the buffer need not end in NUL or newline.
 *   - A line is either taken whole or skipped whole, with exactly one
 *     message through error(); a value is stored only when it is valid and
 *     fits, NUL-terminated.
 */
#include "config.h"

/* ---- tiny helpers in place of string.h --------------------------------- */

static size_t zc_len(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

/* Whether s[0..n) is the NUL-terminated word w. */
static int zc_is(const char *s, size_t n, const char *w)
{
	size_t i = 0;
	for (; i < n; i++)
		if (w[i] != s[i] || !w[i])
			return 0;
	return w[i] == 0;
}

static int zc_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* ---- signal names (swap) ------------------------------------------------- */

/* Whether s[*i..n) starts with word w; if so, *i moves past it. */
static int zc_take(const char *s, size_t *i, size_t n, const char *w)
{
	size_t j = *i;
	for (; *w; w++, j++)
		if (j >= n || s[j] != *w)
			return 0;
	*i = j;
	return 1;
}

/* The decimal number s[i..n), or -1 (none, or over 1000). */
static long zc_number(const char *s, size_t i, size_t n)
{
	long v = 0;
	if (i >= n)
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > 1000)
			return -1;
		v = v * 10 + s[i] - '0';
	}
	return v;
}

int zp_config_signal(const char *s, size_t n)
{
	size_t i = 0;
	long sig, k;

	zc_take(s, &i, n, "SIG");
	if (zc_take(s, &i, n, "USR1"))
		sig = i == n ? ZP_SIGUSR1 : -1;
	else if (zc_take(s, &i, n, "USR2"))
		sig = i == n ? ZP_SIGUSR2 : -1;
	else if (zc_take(s, &i, n, "RTMIN"))
		sig = i == n ? ZP_SIGRTMIN : s[i] == '+' &&
		      (k = zc_number(s, i + 1, n)) >= 0 ? ZP_SIGRTMIN + k : -1;
	else if (zc_take(s, &i, n, "RTMAX"))
		sig = i == n ? ZP_SIGRTMAX : s[i] == '-' &&
		      (k = zc_number(s, i + 1, n)) >= 0 ? ZP_SIGRTMAX - k : -1;
	else
		sig = zc_number(s, i, n);
	return sig == ZP_SIGUSR1 || sig == ZP_SIGUSR2 ||
	       (sig >= ZP_SIGRTMIN && sig <= ZP_SIGRTMAX) ? (int)sig : -1;
}

/* ---- messages ------------------------------------------------------------ */

struct msg {
	char buf[ZP_CONFIG_ERROR];
	size_t n;
};

static void m_putn(struct msg *m, const char *s, size_t n)
{
	for (size_t i = 0; i < n && m->n < sizeof m->buf - 1; i++)
		m->buf[m->n++] = s[i];
	m->buf[m->n] = 0;
}

static void m_put(struct msg *m, const char *s)
{
	m_putn(m, s, zc_len(s));
}

static void m_dec(struct msg *m, unsigned long v)
{
	char d[20];
	size_t i = sizeof d;
	do
		d[--i] = (char)('0' + v % 10);
	while (v /= 10);
	m_putn(m, d + i, sizeof d - i);
}

/* "text" as the user wrote it, cut after 60 bytes ("text..."). */
static void m_quote(struct msg *m, const char *s, size_t n)
{
	m_put(m, "\"");
	m_putn(m, s, n > 60 ? 60 : n);
	m_put(m, n > 60 ? "...\"" : "\"");
}

/* ---- the keys -------------------------------------------------------------- */

enum check { PATHS, PATH, SUMMARY, TRACE, BOOL, SIGNAL, CACHE };

static const struct key {
	const char *name;
	enum check check;
	size_t offset, size;	/* where the value goes in struct zp_config */
} keys[] = {
	{ "hook", PATHS, offsetof(struct zp_config, hook), ZP_CONFIG_PATHS },
	{ "output", PATH, offsetof(struct zp_config, output), ZP_CONFIG_PATHS },
	{ "summary", SUMMARY, offsetof(struct zp_config, summary),
	  sizeof ((struct zp_config *)0)->summary },
	{ "trace", TRACE, offsetof(struct zp_config, trace), ZP_CONFIG_TRACE },
	{ "verbose", BOOL, offsetof(struct zp_config, verbose),
	  sizeof ((struct zp_config *)0)->verbose },
	{ "swap", SIGNAL, offsetof(struct zp_config, swap),
	  sizeof ((struct zp_config *)0)->swap },
	{ "cache", CACHE, offsetof(struct zp_config, cache), ZP_CONFIG_PATHS },
};
#define NKEYS (sizeof keys / sizeof keys[0])

static const struct key *find_key(const char *s, size_t n)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (zc_is(s, n, keys[i].name))
			return &keys[i];
	return 0;
}

/* Appends to m what is wrong with the absolute path s[0..n), if anything. */
static int bad_path(struct msg *m, const char *s, size_t n)
{
	if (n && s[0] == '/')
		return 0;
	m_quote(m, s, n);
	m_put(m, " is not an absolute path");
	return 1;
}

/*
 * Checks value v[0..n) of key k; on a bad one appends the reason to m
 * (after "bad value for KEY: ") and returns 1.
 */
static int bad_value(struct msg *m, const struct key *k, const char *v, size_t n)
{
	switch (k->check) {
	case PATHS:
		for (size_t i = 0, start = 0; i <= n; i++) {
			if (i < n && v[i] != ':')
				continue;
			if (i == start) {
				m_put(m, "empty path in ");
				m_quote(m, v, n);
				return 1;
			}
			if (bad_path(m, v + start, i - start))
				return 1;
			start = i + 1;
		}
		return 0;
	case PATH:
		return bad_path(m, v, n);
	case SUMMARY:
		if (zc_is(v, n, "0") || zc_is(v, n, "1") || zc_is(v, n, "both"))
			return 0;
		m_quote(m, v, n);
		m_put(m, " (0, 1 or both)");
		return 1;
	case BOOL:
		if (zc_is(v, n, "0") || zc_is(v, n, "1"))
			return 0;
		m_quote(m, v, n);
		m_put(m, " (0 or 1)");
		return 1;
	case SIGNAL:
		if (zp_config_signal(v, n) > 0)
			return 0;
		m_quote(m, v, n);
		m_put(m, " (USR1, USR2, RTMIN..RTMAX, e.g. RTMAX)");
		return 1;
	case CACHE:
		return !zc_is(v, n, "0") && bad_path(m, v, n);
	case TRACE:
		for (size_t i = 0; i < n; i++)
			if (zc_blank(v[i])) {
				m_quote(m, v, n);
				m_put(m, " has white space in it");
				return 1;
			}
		return 0;
	}
	return 0;
}

/* ---- lines ----------------------------------------------------------------- */

/*
 * Narrows line s[*i..*n) to its text: no "\r" at the end, no comment (a
 * "#" at the start or after white space), no white space around.  A line
 * with a control character in it is bad: returns 1 with the reason in m.
 */
static int trim_line(const char *s, size_t *i, size_t *n, struct msg *m)
{
	if (*n && s[*n - 1] == '\r')	/* a file written on Windows */
		(*n)--;
	for (size_t j = 0; j < *n; j++) {
		unsigned char c = (unsigned char)s[j];
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			m_put(m, "control character (byte ");
			m_dec(m, c);
			m_put(m, ") in the line");
			return 1;
		}
	}
	for (size_t j = 0; j < *n; j++)
		if (s[j] == '#' && (j == 0 || zc_blank(s[j - 1]))) {
			*n = j;
			break;
		}
	while (*i < *n && zc_blank(s[*i]))
		(*i)++;
	while (*n > *i && zc_blank(s[*n - 1]))
		(*n)--;
	return 0;
}

/* Stores value v[0..n) of key k, or says in m why not. */
static int set_value(struct zp_config *out, const struct key *k,
		     const char *v, size_t n, struct msg *m)
{
	char *dst = (char *)out + k->offset;
	size_t head;

	if (n == 0) {
		m_put(m, "no value for ");
		m_put(m, k->name);
		return 1;
	}
	head = m->n;	/* "bad value for KEY: " is sent only with a reason */
	m_put(m, "bad value for ");
	m_put(m, k->name);
	m_put(m, ": ");
	if (bad_value(m, k, v, n))
		return 1;
	m->n = head;
	m->buf[head] = 0;
	if (n > k->size - 1) {
		m_put(m, "value of ");
		m_put(m, k->name);
		m_put(m, " too long (");
		m_dec(m, n);
		m_put(m, " bytes, at most ");
		m_dec(m, k->size - 1);
		m_put(m, ")");
		return 1;
	}
	for (size_t j = 0; j < n; j++)
		dst[j] = v[j];
	dst[n] = 0;
	return 0;
}

/*
 * One line, s[0..n) without its newline.  Returns 0 when the line is
 * taken (or has no setting), else 1 with the reason in m.
 */
static int parse_line(const char *s, size_t n, struct zp_config *out,
		      struct msg *m)
{
	size_t i = 0, eq, kend, v;
	const struct key *k;

	if (trim_line(s, &i, &n, m))
		return 1;
	if (i == n)
		return 0;			/* blank or comment */
	for (eq = i; eq < n && s[eq] != '='; eq++)
		;
	for (kend = eq; kend > i && zc_blank(s[kend - 1]); kend--)
		;
	if (eq == n || kend == i) {
		m_put(m, "expected \"key = value\", not ");
		m_quote(m, s + i, n - i);
		return 1;
	}
	k = find_key(s + i, kend - i);
	if (!k) {
		m_put(m, "unknown key ");
		m_quote(m, s + i, kend - i);
		return 1;
	}
	for (v = eq + 1; v < n && zc_blank(s[v]); v++)
		;
	return set_value(out, k, s + v, n - v, m);
}

int zp_config_parse(const char *text, size_t len, const char *fname,
		    struct zp_config *out, void (*error)(const char *msg))
{
	int bad = 0;
	unsigned long lineno = 0;

	for (size_t i = 0; i < sizeof *out; i++)
		((char *)out)[i] = 0;
	for (size_t start = 0; start < len;) {
		size_t end = start;
		struct msg m;

		while (end < len && text[end] != '\n')
			end++;
		lineno++;
		m.n = 0;
		m_put(&m, fname);
		m_put(&m, ":");
		m_dec(&m, lineno);
		m_put(&m, ": ");
		if (parse_line(text + start, end - start, out, &m)) {
			bad++;
			error(m.buf);
		}
		start = end + 1;
	}
	return bad;
}

const char *zp_config_get(const struct zp_config *c, const char *name)
{
	const struct key *k = find_key(name, zc_len(name));
	const char *v;

	if (!k)
		return 0;
	v = (const char *)c + k->offset;
	return v[0] ? v : 0;
}
