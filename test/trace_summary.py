#!/usr/bin/env python3
"""trace_summary.py - checks the table ZPOLINE_SUMMARY=1 prints against
strace's view of the same run.

    trace_summary.py STRACE_PREFIX SUMMARY_FILE

The program (one process) ran under `strace -ff -o STRACE_PREFIX` and under
the tracer with ZPOLINE_SUMMARY=1, its table going to SUMMARY_FILE.  The
calls strace saw after the tracer's start-up (up to the fcntl that makes
the tracer's private descriptor; see trace_compare.py for what else is
left out) are counted per syscall name: the table must have the same
names with the same calls and errors, a total row that adds them up, and
percentages of time that add up to 100 (time itself is not compared: the
two measure different things).
"""
import os
import re
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import trace_compare as tc  # noqa: E402

ROW = re.compile(r"^ *(\d+\.\d\d) +(\d+\.\d{6}) +(\d+) +(\d+) +(\d*) (\S+)$")


def main(argv):
    prefix, path = argv
    strace = tc.read_strace(prefix)
    fds = tc.tracer_fds(strace)
    if len(strace) != 1:
        return fail("expected one process, strace saw %d threads" % len(strace))
    want_calls, want_errors = Counter(), Counter()
    for c in tc.strace_view(next(iter(strace.values())), fds, summary=True):
        if c.name == "---":
            continue
        want_calls[c.name] += 1
        if isinstance(c.result, int) and c.result == -1:
            want_errors[c.name] += 1

    rows, total, pct = {}, None, 0.0
    for line in open(path):
        m = ROW.match(line.rstrip("\n"))
        if not m:
            continue
        calls, errors = int(m.group(4)), int(m.group(5) or 0)
        if m.group(6) == "total":
            total = (calls, errors)
        else:
            rows[m.group(6)] = (calls, errors)
            pct += float(m.group(1))
    if total is None:
        return fail("no total row in %s" % path)
    for name in sorted(set(rows) | set(want_calls)):
        want = (want_calls[name], want_errors[name])
        if rows.get(name) != want:
            return fail("%s: table says %s, strace saw %s (calls, errors)" % (
                name, rows.get(name), want))
    if total != (sum(want_calls.values()), sum(want_errors.values())):
        return fail("total row %s" % (total,))
    if abs(pct - 100.0) > 0.01 * len(rows) + 0.01 and pct != 0.0:
        return fail("percentages add up to %.2f" % pct)
    print("summary: ok, %d syscalls, %d calls, %d errors as strace saw them" % (
        len(rows), total[0], total[1]))
    return 0


def fail(msg):
    print("summary: FAIL: " + msg)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
