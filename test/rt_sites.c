/*
 * rt_sites.c - runs the hand-made planner cases of sites_cases.S (linked
 * in) and prints what each system call returned, as "pid", "ENOSYS" or
 * the number.  The same natively and hooked; with "hooked", also checks
 * that each case's syscall instruction was rewritten (no longer 0f 05).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CASES(X) X(island_after_ret) X(targeted_fill) X(fill_after_call) \
	X(after_gap) X(pattern) X(pattern_target) X(moved_three) \
	X(moved_riprel) X(moved_after)
#define DECLARE(c) long c(long); extern const unsigned char c##_site[2];
CASES(DECLARE)

static const char *show(long r)
{
	static char buf[32];
	if (r == getpid())
		return "pid";
	if (r == -38)
		return "ENOSYS";
	snprintf(buf, sizeof buf, "%ld", r);
	return buf;
}

int main(int argc, char **argv)
{
	int hooked = argc > 1 && !strcmp(argv[1], "hooked"), bad = 0;
#define RUN(c)                                                                 \
	printf("%-18s %s\n", #c, show(c(39)));                                 \
	if (hooked && c##_site[0] == 0x0f && c##_site[1] == 0x05) {            \
		printf("%s: its syscall was not rewritten\n", #c);             \
		bad = 1;                                                       \
	}
	CASES(RUN)
	return bad;
}
