/*
 * cfg_check.c - tests the configuration file parser (config.c).
 *
 *     cfg_check FILE...      parse each real file, check it against what it
 *                            says about itself (below)
 *     cfg_check --edges      texts that end at a page boundary, with an
 *                            unreadable page after them; empty input
 *     cfg_check --random N   N random texts: no crash (run under
 *                            AddressSanitizer), one well-formed message per
 *                            bad line
 *
 * A test file says what the parser must make of it, in comments the parser
 * itself skips:
 *   - a line with "# expect: MSG" must produce exactly the message
 *     "FILE:LINE: MSG"; every other line must produce none;
 *   - a line "#= KEY VALUE" says that KEY must end up set to VALUE; a key
 *     no "#=" line names must end up unset.
 * The messages come in line order, one per bad line, and the parser
 * returns their number.
 *
 * Prints "config: NAME: ok, ..." or "config: NAME: FAIL ..." per check;
 * exit status 1 if any failed.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../config.h"

static const char *const key_names[] = { "hook", "output", "summary", "trace",
					 "verbose", "swap", "cache" };
#define NKEYS (sizeof key_names / sizeof key_names[0])

/* ---- messages the parser sends ----------------------------------------- */

static char *got[4096];
static int ngot;

static void collect(const char *msg)
{
	if (ngot < (int)(sizeof got / sizeof got[0]))
		got[ngot++] = strdup(msg);
}

static void forget(void)
{
	while (ngot)
		free(got[--ngot]);
}

/* ---- one real file -------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		perror(path);
		exit(2);
	}
	buf = malloc(n ? n : 1);
	if (fread(buf, 1, n, f) != (size_t)n) {
		perror(path);
		exit(2);
	}
	fclose(f);
	*len = n;
	return buf;
}

/* The expectations the file states: messages in order, values by key. */
struct want {
	char *msgs[4096];
	int nmsgs;
	const char *values[NKEYS];
};

static void read_want(const char *path, const char *text, size_t len,
		      struct want *w)
{
	unsigned long lineno = 0;

	memset(w, 0, sizeof *w);
	for (size_t start = 0; start < len; lineno++) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t n = nl ? (size_t)(nl - text) - start : len - start;
		char *line = strndup(text + start, n), *e, *save = NULL;

		start += n + 1;
		line[strcspn(line, "\r")] = 0;
		e = strstr(line, "# expect: ");
		if (e) {
			char *m;
			if (asprintf(&m, "%s:%lu: %s", path, lineno + 1,
				     e + strlen("# expect: ")) < 0)
				exit(2);
			w->msgs[w->nmsgs++] = m;
		}
		if (strncmp(line, "#= ", 3) == 0) {
			char *key = strtok_r(line + 3, " ", &save);
			char *val = strtok_r(NULL, "", &save);
			for (size_t k = 0; k < NKEYS; k++)
				if (key && strcmp(key, key_names[k]) == 0)
					w->values[k] = strdup(val ? val : "");
		}
		free(line);
	}
}

static int check_values(const char *name, const struct zp_config *c,
			const char *const want[NKEYS])
{
	int bad = 0;
	for (size_t k = 0; k < NKEYS; k++) {
		const char *v = zp_config_get(c, key_names[k]);
		if ((v == NULL) != (want[k] == NULL) ||
		    (v && strcmp(v, want[k]) != 0)) {
			printf("config: %s: FAIL: %s is %s%s%s, want %s%s%s\n",
			       name, key_names[k], v ? "\"" : "", v ? v : "unset",
			       v ? "\"" : "", want[k] ? "\"" : "",
			       want[k] ? want[k] : "unset", want[k] ? "\"" : "");
			bad = 1;
		}
	}
	return bad;
}

static int check_file(const char *path)
{
	size_t len;
	char *text = slurp(path, &len);
	static struct want w;
	static struct zp_config c;
	int n, bad = 0;

	read_want(path, text, len, &w);
	n = zp_config_parse(text, len, path, &c, collect);
	for (int i = 0; i < ngot || i < w.nmsgs; i++) {
		const char *g = i < ngot ? got[i] : "(nothing)";
		const char *e = i < w.nmsgs ? w.msgs[i] : "(nothing)";
		if (strcmp(g, e) != 0) {
			printf("config: %s: FAIL: message %d\n  got:  %s\n"
			       "  want: %s\n", path, i + 1, g, e);
			bad = 1;
			break;
		}
	}
	if (n != ngot) {
		printf("config: %s: FAIL: returned %d, %d messages\n", path, n,
		       ngot);
		bad = 1;
	}
	bad |= check_values(path, &c, w.values);
	if (!bad)
		printf("config: %s: ok, %d bad lines reported as expected\n",
		       path, ngot);
	forget();
	for (int i = 0; i < w.nmsgs; i++)
		free(w.msgs[i]);
	for (size_t k = 0; k < NKEYS; k++)
		free((char *)w.values[k]);
	free(text);
	return bad;
}

/* ---- texts at the edge of readable memory --------------------------------- */

/*
 * Each text is copied to the very end of a page followed by a PROT_NONE
 * page, without NUL or newline: a read past len faults.
 */
static int check_edges(void)
{
	static const struct {
		const char *text, *key, *value;
		int bad;
	} cases[] = {
		{ "verbose = 1", "verbose", "1", 0 },
		{ "output=/x", "output", "/x", 0 },
		{ "summary = both\r", "summary", "both", 0 },
		{ "trace = %file # a comment", "trace", "%file", 0 },
		{ "hook = /a.so:/b.so\n\n#", "hook", "/a.so:/b.so", 0 },
		{ "verbose =", "verbose", NULL, 1 },
		{ "verbose", "verbose", NULL, 1 },
		{ "#", "verbose", NULL, 0 },
		{ "", "verbose", NULL, 0 },
	};
	long page = sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static struct zp_config c;
	int bad = 0;

	if (map == MAP_FAILED || mprotect(map + page, page, PROT_NONE)) {
		perror("mmap");
		return 1;
	}
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = strlen(cases[i].text);
		char *text = map + page - len;
		const char *v;
		int n;

		memcpy(text, cases[i].text, len);
		n = zp_config_parse(text, len, "edge", &c, collect);
		v = zp_config_get(&c, cases[i].key);
		if (n != cases[i].bad || n != ngot ||
		    (v == NULL) != (cases[i].value == NULL) ||
		    (v && strcmp(v, cases[i].value) != 0)) {
			printf("config: edges: FAIL on %s: %d bad, %s = %s\n",
			       cases[i].text, n, cases[i].key, v ? v : "unset");
			bad = 1;
		}
		forget();
	}
	if (zp_config_get(&c, "nonsense") != NULL) {
		printf("config: edges: FAIL: a key that does not exist has a value\n");
		bad = 1;
	}
	if (!bad)
		printf("config: edges: ok, %zu texts ending at an unreadable page\n",
		       sizeof cases / sizeof cases[0]);
	return bad;
}

/* ---- random texts ------------------------------------------------------------ */

/* Bytes that make lines likely to get past the first checks. */
static char random_byte(void)
{
	static const char pool[] = "hook output summary trace verbose"
				   " = = = # # / / : : 0 1 both \n\n\n\t\r";
	int r = rand();
	if (r % 16 == 0)
		return (char)(r >> 8);		/* anything at all */
	return pool[(r >> 4) % (sizeof pool - 1)];
}

static int check_random(long count)
{
	static struct zp_config c;
	char text[300];
	long messages = 0;

	srand(1);
	for (long t = 0; t < count; t++) {
		size_t len = (size_t)rand() % sizeof text;
		unsigned long lines = 1;
		for (size_t i = 0; i < len; i++) {
			text[i] = random_byte();
			lines += text[i] == '\n';
		}
		int n = zp_config_parse(text, len, "random", &c, collect);
		unsigned long last = 0;
		for (int i = 0; i < ngot; i++) {
			unsigned long line;
			int end = 0;
			if (sscanf(got[i], "random:%lu: %n", &line, &end) != 1 ||
			    !end || !got[i][end] || line <= last || line > lines ||
			    strchr(got[i], '\n')) {
				printf("config: random: FAIL: message \"%s\"\n",
				       got[i]);
				return 1;
			}
			last = line;
		}
		if (n != ngot) {
			printf("config: random: FAIL: returned %d, %d messages\n",
			       n, ngot);
			return 1;
		}
		messages += n;
		forget();
	}
	printf("config: random: ok, %ld texts, %ld messages, each one line "
	       "naming a line of the text\n", count, messages);
	return 0;
}

int main(int argc, char **argv)
{
	int bad = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "--random") == 0)
		return check_random(atol(argv[2]));
	if (argc == 2 && strcmp(argv[1], "--edges") == 0)
		return check_edges();
	for (int i = 1; i < argc; i++)
		bad |= check_file(argv[i]);
	return bad;
}
