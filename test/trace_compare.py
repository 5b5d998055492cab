#!/usr/bin/env python3
"""trace_compare.py - checks the tracer's output against strace's view of
the same run.

    trace_compare.py [--exact] [--name NAME] STRACE_PREFIX TRACE_FILE

The program ran once, under `strace -ff -o STRACE_PREFIX` (one file per
thread, STRACE_PREFIX.TID) and under the tracer at the same time, with
ZPOLINE_OUTPUT=TRACE_FILE.  Both saw the same system calls, with the same
results; strace also saw what the tracer cannot:

  - the calls made before the tracer was loaded (the dynamic loader's
    start-up, the runtime's rewriting, the tracer's own start-up): in each
    image, everything between its `execve(...) = 0` and the tracer's first
    write (the line for that execve) is dropped;
  - the tracer's own calls: writes to its private descriptor (the one it
    made with fcntl(F_DUPFD_CLOEXEC) from 256 or above) and the
    process_vm_readv it reads memory with;
  - gettid, on both sides: the tracer asks for its thread's id once (for
    the "[pid N]" prefix), and strace cannot tell that call from the
    program's;
  - rt_sigaction(SIGSEGV), on both sides: the runtime answers it from its
    own copy of the program's action;
  - a thread's last call when the process ended under it (`= ?`): the
    call never returned, so the tracer never printed it;
  - what the kernel does by itself: restart_syscall, and a call
    interrupted by a signal (`= ? ERESTART...`), which the kernel restarts
    below the hook, so the hook sees it once.

How the two are aligned: by thread.  A tracer line carries `[pid TID]`, or
no prefix for the first process before it had a second thread or child;
strace's file names carry the TID.  For each thread the list of
(syscall name, return value) must then be equal, in order.  Two values are
known to differ and only their names are compared: rt_sigreturn (strace
reads the restored rax from the signal frame; the hook prints `= ?` before
the call) and the calls that do not return (`= ?` on both sides).

With --exact, the text of every openat, read, write, mmap, close, execve
and exit_group must also be strace's, character for character (padding
before " = " included when neither side has a pid prefix).  The one
exception: a successful execve is printed by the new image, which no
longer knows the address of the old image's envp; that address is masked.

Exit status 0 when everything agrees; 1 with the first differences shown.
"""
import glob
import os
import re
import sys

EXACT = {"openat", "read", "write", "mmap", "close", "execve", "exit_group"}
NO_RETURN = {"exit", "exit_group", "rt_sigreturn"}
PREFIX = re.compile(r"^\[pid +(\d+)\] ")


class Call:
    def __init__(self, text):
        self.text = text
        self.name = None
        self.args = ""
        self.result = None
        self.parse(text)

    def parse(self, text):
        m = re.match(r"^(\w+)\(", text)
        if not m:
            return
        self.name = m.group(1)
        i, depth, quoted = m.end(), 1, False
        while i < len(text) and depth:
            c = text[i]
            if quoted:
                if c == "\\":
                    i += 1
                elif c == '"':
                    quoted = False
            elif c == '"':
                quoted = True
            elif c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
            i += 1
        self.args = text[:i]
        rest = text[i:]
        r = re.match(r"^\s*= (\?|0x[0-9a-f]+|-?\d+)(.*)$", rest)
        if r:
            v = r.group(1)
            self.result = "?" if v == "?" else (
                int(v, 8) if re.fullmatch(r"0[0-7]+", v) else int(v, 0))
            self.tail = r.group(2)
        elif "<unfinished ...>" in text:
            self.result = "?"
            self.tail = ""
        else:
            self.name = None

    def key(self):
        if self.name in NO_RETURN:
            return (self.name, "?")
        return (self.name, self.result)

    def normal_text(self):
        """The line without the padding before ' = '."""
        return self.args + " = " + ("?" if self.result == "?" else
                                     self.text[len(self.args):].split("= ", 1)[1])


def read_strace(prefix):
    """{tid: [Call]} from STRACE_PREFIX.TID files."""
    out = {}
    for path in glob.glob(glob.escape(prefix) + ".*"):
        tid = path.rsplit(".", 1)[1]
        if not tid.isdigit():
            continue
        calls = []
        with open(path, errors="surrogateescape") as f:
            for line in f:
                c = Call(line.rstrip("\n"))
                if line.startswith("--- SIG"):
                    c.name = "---"      # a signal delivered
                if c.name:
                    calls.append(c)
        out[int(tid)] = calls
    return out


def tracer_fds(strace):
    fds = set()
    for calls in strace.values():
        for c in calls:
            m = re.match(r"fcntl\(\d+, F_DUPFD_CLOEXEC, (\d+)\)", c.args)
            if m and int(m.group(1)) >= 256 and isinstance(c.result, int) \
                    and c.result >= 0:
                fds.add(c.result)
    return fds


def children(strace):
    kids = set()
    for calls in strace.values():
        for c in calls:
            if c.name in ("clone", "clone3", "fork", "vfork") and \
                    isinstance(c.result, int) and c.result > 0:
                kids.add(c.result)
    return kids


def is_tracer_write(c, fds):
    m = re.match(r"write\((\d+), ", c.args)
    return bool(m) and int(m.group(1)) in fds


def is_tracer_dup(c, fds):
    m = re.match(r"fcntl\(\d+, F_DUPFD_CLOEXEC, (\d+)\)", c.args)
    return bool(m) and int(m.group(1)) >= 256 and c.result in fds


def strace_view(calls, fds, summary=False):
    """What the tracer should have printed for one thread.  The tracer's
    start-up ends with its first line (the execve); with summary, when it
    prints no lines, with the fcntl that makes its private descriptor."""
    out, skipping = [], False
    for c in calls:
        if c.name == "execve" and c.result == 0:
            if skipping:            # the previous image was not traced
                out.pop()
            out.append(c)           # a new image: its start-up is not traced
            skipping = True
            continue
        if is_tracer_write(c, fds) or summary and is_tracer_dup(c, fds):
            skipping = False
            continue
        if skipping:
            continue
        if c.name in ("process_vm_readv", "restart_syscall", "gettid") \
                or runtime_answers(c):
            continue
        if c.result == "?" and "ERESTART" in c.tail:
            continue
        out.append(c)
    if skipping:                    # nor was the last one
        out.pop()
    # a call cut short by the end of the process never reached the tracer
    if out and out[-1].result == "?" and out[-1].name not in NO_RETURN:
        out.pop()
    return out


def runtime_answers(c):
    """rt_sigaction(SIGSEGV): the runtime keeps its own handler installed
    and answers the program from its copy, so the kernel may not see it."""
    return c.name == "rt_sigaction" and c.args.startswith("rt_sigaction(SIGSEGV,")


def agree(s, t):
    if s.name == t.name == "rt_sigreturn":
        return True
    return s.key() == t.key()


def align(want, got):
    """Pairs strace's calls with the tracer's, in order: [(s, t)], with
    None on one side where they part.

    One reordering is allowed.  A signal delivered as a call returns runs
    its handler before the runtime passes the result to the tracer, so the
    tracer prints the handler's calls (up to its rt_sigreturn) first,
    strace the call first.  When a call strace shows right before a
    `--- SIG...` line does not match, it is moved after that handler."""
    want = list(want)
    out, i, j = [], 0, 0
    while i < len(want) or j < len(got):
        s = want[i] if i < len(want) else None
        t = got[j] if j < len(got) else None
        if s is not None and s.name == "---":
            i += 1
            continue
        if s is not None and t is not None and agree(s, t):
            out.append((s, t))
            i += 1
            j += 1
            continue
        if s is not None and i + 1 < len(want) and want[i + 1].name == "---":
            end = next((k for k in range(i + 2, len(want))
                        if want[k].name == "rt_sigreturn"), None)
            if end is not None:
                want[i:end + 1] = want[i + 1:end + 1] + [s]
                continue
        out.append((s, t))
        break
    return out


def read_trace(path, root):
    out = {}
    with open(path, errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            m = PREFIX.match(line)
            tid = int(m.group(1)) if m else root
            text = line[m.end():] if m else line
            if text.startswith("+++") or text.startswith("---"):
                continue
            c = Call(text)
            c.prefixed = bool(m)
            if not c.name:
                raise SystemExit("%s: cannot parse: %r" % (path, line))
            if c.name != "gettid" and not runtime_answers(c):
                out.setdefault(tid, []).append(c)
    return out


def mask_envp(text):
    return re.sub(r"0x[0-9a-f]+ (/\* \d+ vars \*/)", r"ENVP \1", text)


def compare_exact(s, t):
    if s.name == "execve" and s.result == 0:
        return mask_envp(s.normal_text()) == mask_envp(t.normal_text())
    if not t.prefixed:
        return s.text == t.text
    return s.normal_text() == t.normal_text()


def main(argv):
    exact = "--exact" in argv
    argv = [a for a in argv if a != "--exact"]
    name = "trace"
    if "--name" in argv:
        i = argv.index("--name")
        name = argv[i + 1]
        del argv[i:i + 2]
    prefix, trace_path = argv
    strace = read_strace(prefix)
    if not strace:
        raise SystemExit("%s: no strace files %s.*" % (name, prefix))
    kids = children(strace)
    roots = [t for t in strace if t not in kids]
    if len(roots) != 1:
        raise SystemExit("%s: cannot tell the first process: %s" % (name, roots))
    fds = tracer_fds(strace)
    trace = read_trace(trace_path, roots[0])

    errors, calls, exact_checked = [], 0, 0
    for tid in sorted(set(strace) | set(trace)):
        want = strace_view(strace.get(tid, []), fds)
        got = trace.get(tid, [])
        for i, (s, t) in enumerate(align(want, got)):
            if s is None or t is None or not agree(s, t):
                errors.append("tid %d, call %d:\n  strace: %s\n  tracer: %s" % (
                    tid, i, s.text if s else "(nothing)",
                    t.text if t else "(nothing)"))
                break
            calls += 1
            if exact and s.name in EXACT:
                exact_checked += 1
                if not compare_exact(s, t):
                    errors.append("tid %d, call %d, text differs:\n"
                                  "  strace: %s\n  tracer: %s" % (
                                      tid, i, s.text, t.text))
    if errors:
        print("%s: FAIL" % name)
        for e in errors[:10]:
            print(e)
        return 1
    print("%s: ok, %d calls in %d threads and processes agree with strace%s" % (
        name, calls, len(set(strace) | set(trace)),
        ", %d lines word for word" % exact_checked if exact else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
