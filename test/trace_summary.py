#!/usr/bin/env python3
"""trace_summary.py - checks the tables ZPOLINE_SUMMARY=1 prints against
strace's view of the same run.

    trace_summary.py STRACE_PREFIX SUMMARY_FILE

The program ran under `strace -ff -o STRACE_PREFIX` and under the tracer
with ZPOLINE_SUMMARY=1, its tables going to SUMMARY_FILE.  Its processes
must have one thread each (strace's files are then per process).  Each
process that exits prints a table ("[pid N] " before each row once the
trace is shared) of the calls of its last image since its execve, or
since its fork when it did not exec.  From strace's calls of that process
after the tracer's start-up (up to the fcntl that makes the tracer's
private descriptor; see trace_compare.py for what else is left out), the
table must have the same syscall names with the same calls and errors, a
total row adding them up, and percentages adding up to 100 (times are not
compared: the two measure different things).
"""
import os
import re
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import trace_compare as tc  # noqa: E402

ROW = re.compile(r"^(?:\[pid +(\d+)\] )?"
                 r" *(\d+\.\d\d) +(\d+\.\d{6}) +(\d+) +(\d+) +(\d*) (\S+)$")


def read_tables(path, root):
    """{pid: ({name: (calls, errors)}, total, percent sum)}"""
    tables = {}
    for line in open(path):
        m = ROW.match(line.rstrip("\n"))
        if not m:
            continue
        pid = int(m.group(1)) if m.group(1) else root
        rows, total, pct = tables.setdefault(pid, ({}, [None], [0.0]))
        calls, errors = int(m.group(5)), int(m.group(6) or 0)
        if m.group(7) == "total":
            total[0] = (calls, errors)
        else:
            rows[m.group(7)] = (calls, errors)
            pct[0] += float(m.group(2))
    return tables


def expected(calls):
    """(calls, errors) per name, for the last image of one process."""
    last = max((i for i, c in enumerate(calls)
                if c.name == "execve" and c.result == 0), default=0)
    want_calls, want_errors = Counter(), Counter()
    for c in calls[last:]:
        if c.name == "---":
            continue
        want_calls[c.name] += 1
        if c.result == -1:
            want_errors[c.name] += 1
    return {n: (want_calls[n], want_errors[n]) for n in want_calls}


def main(argv):
    prefix, path = argv
    strace = tc.read_strace(prefix)
    fds = tc.tracer_fds(strace)
    kids = tc.children(strace)
    roots = [t for t in strace if t not in kids]
    tables = read_tables(path, roots[0] if len(roots) == 1 else None)
    if set(tables) != set(strace):
        return fail("tables for %s, processes %s" % (sorted(tables), sorted(strace)))
    calls = errors = 0
    for pid, (rows, total, pct) in sorted(tables.items()):
        want = expected(tc.strace_view(strace[pid], fds, summary=True))
        for name in sorted(set(rows) | set(want)):
            if rows.get(name) != want.get(name):
                return fail("pid %d, %s: table says %s, strace saw %s" % (
                    pid, name, rows.get(name), want.get(name)))
        if total[0] != tuple(map(sum, zip(*want.values()))):
            return fail("pid %d: total row %s" % (pid, total[0]))
        if pct[0] and abs(pct[0] - 100.0) > 0.01 * len(rows) + 0.01:
            return fail("pid %d: percentages add up to %.2f" % (pid, pct[0]))
        calls += total[0][0]
        errors += total[0][1]
    print("summary: ok, %d tables, %d calls, %d errors as strace saw them" % (
        len(tables), calls, errors))
    return 0


def fail(msg):
    print("summary: FAIL: " + msg)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
