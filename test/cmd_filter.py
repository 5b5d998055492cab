#!/usr/bin/env python3
"""cmd_filter.py - checks a trace filtered with `zpoline -e trace=SPEC`
against strace's view of the same run.

    cmd_filter.py STRACE_PREFIX TRACE_FILE REFERENCE

The program ran once under `strace -ff -o STRACE_PREFIX` (every call) and
under `zpoline -e trace=SPEC -o TRACE_FILE`.  REFERENCE is
`strace -f -e trace=SPEC -o REFERENCE` of the same program run natively:
the names strace puts in SPEC, as far as this program calls them.

For each thread, the tracer's lines must be the calls strace saw whose
names are in REFERENCE, in order, with the same results and word for
word, as trace_compare.py aligns them (the calls made before the tracer
was loaded, the tracer's own, and the named exceptions: see there).

Exit status 0 when everything agrees; 1 with the first differences shown.
"""
import collections
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import trace_compare as tc  # noqa: E402


def reference_names(path):
    """Names in strace -f's file, whose lines may start with "PID  "."""
    names = set()
    for line in open(path, errors="surrogateescape"):
        c = tc.Call(re.sub(r"^\d+ +", "", line.rstrip("\n")))
        if c.name:
            names.add(c.name)
    return names


def main(argv):
    prefix, trace_path, ref = argv
    names = reference_names(ref)
    if not names:
        return fail("strace's reference run %s shows no call" % ref)
    strace = tc.read_strace(prefix)
    kids = tc.children(strace)
    roots = [t for t in strace if t not in kids]
    if len(roots) != 1:
        return fail("cannot tell the first process: %s" % roots)
    fds = tc.tracer_fds(strace)
    trace = tc.read_trace(trace_path, roots[0])
    calls = exact = 0
    exceptions = collections.Counter()
    for tid in sorted(set(strace) | set(trace)):
        want = []
        for c in tc.strace_view(strace.get(tid, []), fds, exceptions=exceptions):
            if isinstance(c, tc.Window):    # the earlier calls, filtered too
                c.calls = [w for w in c.calls if w.name in names]
                if c.calls:
                    want.append(c)
            elif c.name in names:
                want.append(c)
        got = trace.get(tid, [])
        early = set(id(w) for c in want if isinstance(c, tc.Window)
                    for w in c.calls)
        for i, (s, t) in enumerate(tc.align(want, got, exceptions)):
            if s is None or t is None or not tc.agree(s, t):
                return fail("tid %d, call %d:\n  strace: %s\n  tracer: %s" % (
                    tid, i, s.text if s else "(nothing)",
                    t.text if t else "(nothing)"))
            calls += 1
            if id(s) not in early:
                exact += 1
                if not tc.text_equal(s, t, exceptions):
                    return fail("tid %d, call %d, text differs:\n  strace: %s\n"
                                "  tracer: %s" % (tid, i, s.text, t.text))
    if not calls:
        return fail("no call traced")
    print("filter: ok, %d calls of %s agree with strace, %d word for word" % (
        calls, ",".join(sorted(names)), exact))
    return 0


def fail(msg):
    print("filter: FAIL: " + msg)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
