#!/usr/bin/env python3
"""trace_lines.py - checks a trace of `trace_threads THREADS CALLS` line by
line: every line complete, none lost, none mixed with another.

    trace_lines.py THREADS CALLS [FILE]     (standard input without FILE)

What the program does is known (see trace_threads.c), so its trace is too:
each worker thread makes CALLS rounds of getppid, openat of a 400-byte
path, write to /dev/null of "ROUND\\n", then exits with exit(0); the main
thread ends with exit_group(0).  Required:

  - every line is whole: "[pid TID] " (from the first thread on), then a
    call whose arguments and result parse, or "+++ exited with N +++";
  - each worker's lines are exactly its CALLS rounds, in order, with the
    round numbers 0..CALLS-1 in its writes, then exit(0) = ? and its
    "+++ exited with 0 +++": a lost or torn line breaks the count;
  - there are THREADS such workers, and the main thread's last lines are
    exit_group(0) = ? and "+++ exited with 0 +++": the output survives the
    exit and the exit_group.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trace_compare import Call  # noqa: E402

LINE = re.compile(r"^\[pid +(\d+)\] (.*)$")


def main(argv):
    threads, calls = int(argv[0]), int(argv[1])
    data = open(argv[2], "rb").read() if len(argv) > 2 else sys.stdin.buffer.read()
    text = data.decode("ascii", "strict")
    if not text.endswith("\n"):
        return fail("the trace does not end with a whole line")
    per_tid, threaded = {}, False
    for n, line in enumerate(text.split("\n")[:-1], 1):
        m = LINE.match(line)
        threaded = threaded or bool(m)
        if not m and threaded:
            return fail("line %d has no [pid N] prefix: %r" % (n, line))
        body = m.group(2) if m else line
        if not m:               # before the program had a thread
            if not Call(body).name:
                return fail("line %d is not a whole line: %r" % (n, line))
            continue
        if not re.fullmatch(r"\+\+\+ exited with \d+ \+\+\+", body):
            c = Call(body)
            if not c.name or c.result is None:
                return fail("line %d is not a whole line: %r" % (n, line))
        per_tid.setdefault(int(m.group(1)), []).append(body)

    long_path = '"/nonexistent/' + "x" * (400 - 1 - 13) + '"'
    workers = 0
    for tid, lines in per_tid.items():
        rounds = [l for l in lines if l.startswith("getppid()")]
        if not rounds:
            continue
        workers += 1
        calls_of_worker = [l for l in lines if re.match(
            r"(getppid|openat|write)\(", l)]
        if len(calls_of_worker) != 3 * calls:
            return fail("thread %d: %d lines of its rounds, not %d" % (
                tid, len(calls_of_worker), 3 * calls))
        for i in range(calls):
            g, o, w = calls_of_worker[3 * i:3 * i + 3]
            arg = '"%d\\n"' % i
            if not (g.startswith("getppid()")
                    and o.startswith("openat(AT_FDCWD, %s, O_RDONLY)" % long_path)
                    and o.endswith("= -1 ENOENT (No such file or directory)")
                    and re.match(r"write\(\d+, %s, %d\) += %d$" % (
                        re.escape(arg), len(str(i)) + 1, len(str(i)) + 1), w)):
                return fail("thread %d, round %d: %r %r %r" % (tid, i, g, o, w))
        if lines[-2:] != ["exit(0)" + lines[-2][7:], "+++ exited with 0 +++"] \
                or not re.fullmatch(r"exit\(0\) += \?", lines[-2]):
            return fail("thread %d does not end with exit(0): %r" % (tid, lines[-2:]))
    if workers != threads:
        return fail("%d threads made the calls, not %d" % (workers, threads))
    last = [l for l in text.split("\n")[:-1] if l.startswith("[pid")][-2:]
    if not (re.fullmatch(r"\[pid +\d+\] exit_group\(0\) += \?", last[0])
            and last[1].endswith("] +++ exited with 0 +++")):
        return fail("the trace does not end with exit_group(0): %r" % last)
    print("ok, %d lines from %d threads, whole and in order" % (
        text.count("\n"), len(per_tid)))
    return 0


def fail(msg):
    print("FAIL: " + msg)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
