#!/usr/bin/env python3
"""sites_check.py - the planner's rules on hand-made cases.

    sites_check.py ZPSCAN OBJECT

OBJECT is test/sites_cases.S assembled into a shared object.  zpscan
prints how each site is rewritten; the labels of the object (nm) say
where each case's syscall and ranges are.  Each expectation below names
the rule of sites.c it checks.  Exit status 0 when all hold.
"""
import re
import subprocess
import sys

zpscan, obj = sys.argv[1], sys.argv[2]
sym = {}
for line in subprocess.run(["nm", obj], capture_output=True, text=True,
                           check=True).stdout.splitlines():
    f = line.split()
    if len(f) == 3:
        sym[f[2]] = int(f[0], 16)

plan = {}
for line in subprocess.run([zpscan, obj], capture_output=True, text=True,
                           check=True).stdout.splitlines():
    f = line.split()
    if f and f[0] == "site":
        plan[int(f[2], 16)] = (f[4], f[5])


def kind(case):
    return plan.get(sym[case + "_site"], ("none", "-"))


def slot(case):
    k, at = kind(case)
    return int(at.split(">")[-1], 16) if k == "island" else None


def window(case):
    k, at = kind(case)
    return tuple(int(x, 16) for x in at.split("-")) if k == "jump" else None


def inside(a, case):
    return a is not None and sym[case + "_lo"] <= a and a + 5 <= sym[case + "_hi"]


checks = [
    ("fill after a ret is dead: an island in it",
     lambda: kind("island_after_ret")[0] == "island" and inside(slot("island_after_ret"), "island_after_ret")),
    ("fill that a branch targets is not used (no slot fits before the target)",
     lambda: kind("targeted_fill")[0] == "jump"),
    ("fill after a call inside a function is not dead",
     lambda: kind("fill_after_call")[0] == "jump"),
    ("padding after a function that ends with a call is dead: an island in it",
     lambda: kind("after_gap")[0] == "island" and inside(slot("after_gap"), "ends_with_call")),
    ("no fill in reach: mov $nr, %eax; syscall moves (a strict window)",
     lambda: window("pattern") == (sym["pattern_lo"], sym["pattern_hi"])),
    ("a syscall that a direct branch targets starts its window (never inside it)",
     lambda: window("pattern_target") == (sym["pattern_target_lo"], sym["pattern_target_hi"])),
    ("short instructions move with the first 5-byte one before them",
     lambda: window("moved_three") == (sym["moved_three_lo"], sym["moved_three_hi"])),
    ("a RIP-relative instruction moves (its displacement fixed up)",
     lambda: window("moved_riprel") == (sym["moved_riprel_lo"], sym["moved_riprel_hi"])),
    ("nothing movable before: the instructions after the syscall move",
     lambda: window("moved_after") == (sym["moved_after_lo"], sym["moved_after_hi"])),
]
failed = 0
for name, test in checks:
    try:
        good = test()
    except KeyError as e:
        good, name = False, name + " (no symbol %s)" % e
    print(("PASS " if good else "FAIL ") + name)
    failed += not good
if failed:
    for a, p in sorted(plan.items()):
        print("    %#x %s %s" % (a, p[0], p[1]))
print("sites: %d passed, %d failed" % (len(checks) - failed, failed))
sys.exit(1 if failed else 0)
