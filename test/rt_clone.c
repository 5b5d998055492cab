/*
 * rt_clone.c - raw clone and clone3 with a new stack, from assembly
 * (rt_clone_asm.S): the child must start on exactly the stack it was
 * given, with the registers a real syscall gives it (rbx rbp r12-r15 and
 * the argument registers as in the parent, rcx = the address after the
 * syscall, r11 = the flags, CF as set), and clone3's argument struct must be left as the
 * caller wrote it.  With the argument "hooked", also requires that the
 * probe's syscall instruction was rewritten (its bytes are no longer
 * 0f 05).
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern unsigned long clone_in[8], child_regs[16];
extern const unsigned char clone_probe_after[];
long clone_probe(long nr, long a0, long a1, int *ptid, int *ctid);

static char stack[2][65536] __attribute__((aligned(16)));
static int failed;

static void check(const char *what, int ok)
{
	printf("%-48s %s\n", what, ok ? "ok" : "WRONG");
	failed |= !ok;
}

static void wait_child(volatile int *ctid)
{
	while (*ctid)
		syscall(SYS_futex, ctid, FUTEX_WAIT, *ctid, 0, 0, 0);
}

static void check_child(const char *how, unsigned long sp, long ret, int ptid)
{
	char what[80];
	snprintf(what, sizeof what, "%s: parent got the child's tid", how);
	check(what, ret > 0 && ret == ptid);
	snprintf(what, sizeof what, "%s: child rax = 0", how);
	check(what, child_regs[0] == 0);
	snprintf(what, sizeof what, "%s: child rbx rbp r12-r15 as the parent's", how);
	check(what, memcmp(&child_regs[1], clone_in, 6 * 8) == 0);
	snprintf(what, sizeof what, "%s: child rsp = the new stack", how);
	check(what, child_regs[7] == sp);
	snprintf(what, sizeof what, "%s: child rcx = address after the syscall", how);
	check(what, child_regs[8] == (unsigned long)clone_probe_after);
	/* The child got past `jc` in rt_clone_asm.S, so CF was set. */
	snprintf(what, sizeof what, "%s: child r11 = rflags of the syscall (CF)", how);
	check(what, (child_regs[9] & 1) && (child_regs[9] & 0x200));
}

int main(int argc, char **argv)
{
	unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			      CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID |
			      CLONE_CHILD_CLEARTID;
	static volatile int ptid, ctid;
	for (int i = 0; i < 6; i++)
		clone_in[i] = 0x1111111111111111ul * (i + 1);

	unsigned long sp = (unsigned long)(stack[0] + sizeof stack[0]);
	ctid = 1;
	long r = clone_probe(SYS_clone, flags, sp, (int *)&ptid, (int *)&ctid);
	wait_child(&ctid);
	check_child("clone", sp, r, ptid);
	check("clone: child rdi, rsi = flags, stack", child_regs[11] == flags &&
	      child_regs[12] == sp);

	struct clone_args ca = { 0 }, copy;
	ca.flags = flags;
	ca.parent_tid = (uintptr_t)&ptid;
	ca.child_tid = (uintptr_t)&ctid;
	ca.stack = (uintptr_t)stack[1];
	ca.stack_size = sizeof stack[1];
	copy = ca;
	memset((void *)child_regs, 0, 16 * 8);
	ctid = 1;
	r = clone_probe(SYS_clone3, (long)&ca, sizeof ca, 0, 0);
	wait_child(&ctid);
	check_child("clone3", ca.stack + ca.stack_size, r, ptid);
	check("clone3: clone_args left as the caller wrote them",
	      memcmp(&ca, &copy, sizeof ca) == 0);

	const unsigned char *p = clone_probe_after - 2;
	if (argc > 1 && strcmp(argv[1], "hooked") == 0 && p[0] == 0x0f && p[1] == 0x05) {
		printf("the probe's syscall was not rewritten\n");
		return 1;
	}
	return failed;
}
