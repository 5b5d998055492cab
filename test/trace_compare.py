#!/usr/bin/env python3
"""trace_compare.py - checks the tracer's output against strace's view of
the same run, line by line and word for word.

    trace_compare.py [--names] [--name NAME] [--extra NAMES --probe FILE]
                     STRACE_PREFIX TRACE_FILE

The program ran once, under `strace -ff -o STRACE_PREFIX` (one file per
thread, STRACE_PREFIX.TID) and under the tracer at the same time, with
ZPOLINE_OUTPUT=TRACE_FILE.  Both saw the same system calls, with the same
arguments and results, at the same addresses: every line the tracer
prints must be strace's, character for character (without the padding
before " = " when the tracer's line has a "[pid N] " prefix, which
strace -ff does not write).  --names compares only each call's name and
result.

What strace sees and the tracer cannot, left out of strace's side:

  - startup: in each image, everything between its `execve(...) = 0`
    and the tracer's first write (the line for that execve): the dynamic
    loader's start-up, the runtime's rewriting, the tracer's own start-up,
    and, in the middle of it, the calls the program made before the tracer
    was loaded.  The runtime hands those to the tracer (init->earlier),
    which prints them right after the execve line: they must be strace's
    calls of that window, in order, with the loader's, the runtime's and
    the tracer's own calls between them (their names and results are
    compared; the tracer shows what they point to only where memory
    cannot have changed since: see "earlier" below);
  - tracer's own calls: writes to its private descriptor (the one it made
    with fcntl(F_DUPFD_CLOEXEC) from 256 or above), its one-line reports
    on standard error ("zpoline: ..."), and the process_vm_readv it reads
    memory with;
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

The remaining differences the tracer cannot remove, each counted and
named in the report (an exception applies to exactly the lines described):

  - envp: a successful execve is printed by the new image, which no longer
    knows the address of the old image's envp; that address is masked.
  - earlier: the calls made before the tracer was loaded are printed
    afterwards, when the memory they pointed to may have changed: the
    tracer shows an address for anything not in a read-only mapping, so
    only their names and results are compared.
  - sigaction-handler: an rt_sigaction that installs a handler, or changes
    a signal whose handler the runtime holds: the kernel is given the
    runtime's handler in its place (and the old action it reports is the
    runtime's), so strace's text differs; names and results are
    compared.
  - rt_sigreturn: strace shows the signal mask it reads from the frame at
    the caller's stack pointer, and the value the call restores; the hook
    is given neither (the call does not return to it), so only the name
    is compared.
  - signal-no-handler: strace's `--- SIGxxx {...} ---` line for a signal
    the program had no handler for (SIG_DFL: it is ignored, or ends the
    process): nothing in user space runs, so no hook can see it.  The
    disposition is the last rt_sigaction of that signal in the thread, or
    in its creator before the clone, and so on up, none past an execve.
  - vdso-fallback: a clock_gettime, clock_getres, gettimeofday, time or
    getcpu the tracer did not print: the vDSO makes these calls itself
    when it cannot answer (a CPU-time clock, say), and the runtime does
    not rewrite the vDSO (a known limit); calls the program makes itself
    reach the tracer and are compared.
  - interrupted: a call a signal handler interrupted, which then fails
    with EINTR: strace shows it as `= ? ERESTART...`, then the signal, then
    the handler's rt_sigreturn returning -1 EINTR; the tracer prints it
    once, when it returns, as `= -1 EINTR (Interrupted system call)`
    after the handler's lines.  strace's line with that result is put
    there (a call the kernel restarts is shown once by both).
  - lost-descriptor: the program closed the tracer's descriptor
    (close_range, close or dup2/dup3 over it) while the runtime offers no
    way to hide it (init->own_fd); the tracer's lines of that process
    from that call to its next execve are lost.
  - fd-hiding: the program's close_range over the tracer's descriptor,
    which the runtime makes as two calls around it: strace's two are
    joined into the program's one.

How the two are aligned: by thread.  A tracer line carries `[pid TID]`, or
no prefix for the first process before it had a second thread or child;
strace's file names carry the TID.  A signal delivered as a call returns
runs its handler before the runtime passes the result to the tracer, so
the tracer prints the handler's calls (up to its rt_sigreturn) first,
strace the call first: that one reordering is allowed.

The tracer's filter (ZPOLINE_TRACE=SET) is checked against strace run
with -e trace=SET,NAMES: strace then also shows the calls this comparison
needs to find processes, images, the tracer's start, signal handlers and
the tracer's lost descriptor (clone..., execve, write, fcntl,
rt_sigaction, close_range).  --extra NAMES lists them; each is then left out of
strace's side unless strace counts it in SET, which --probe FILE tells:
the output of `strace -f -e trace=SET` for the harness, which makes all
of them.

Exit status 0 when everything agrees; 1 with the first differences shown.
"""
import collections
import glob
import re
import sys

NO_RETURN = {"exit", "exit_group", "rt_sigreturn"}
VDSO = {"clock_gettime", "clock_getres", "gettimeofday", "time", "getcpu"}
PREFIX = re.compile(r"^\[pid +(\d+)\] ")
# the lines of a summary table (ZPOLINE_SUMMARY=both writes it there too)
TABLE = re.compile(r"^(% time |------ | *\d+\.\d\d +\d+\.\d{6} )")


class Call:
    def __init__(self, text):
        self.text = text
        self.name = None
        self.args = ""
        self.result = None
        self.tail = ""
        self.prefixed = False
        self.optional = None    # the exception that lets it be missing
        if text.startswith("--- "):
            self.name = "---"
            self.args = text
        else:
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
        else:
            self.name = None

    def key(self):
        if self.name in NO_RETURN or self.name == "---":
            return (self.name, "?")
        return (self.name, self.result)

    def normal_text(self):
        """The line without the padding before ' = '."""
        if self.name == "---":
            return self.text
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


def creators(strace):
    """{child tid: (creator tid, index of the creating call there)}"""
    made = {}
    for tid, calls in strace.items():
        for i, c in enumerate(calls):
            if c.name in ("clone", "clone3", "fork", "vfork") and \
                    isinstance(c.result, int) and c.result > 0:
                made[c.result] = (tid, i)
    return made


def children(strace):
    return set(creators(strace))


def has_handler(strace, made, tid, index, sig):
    """Whether signal sig had a handler in thread tid before its call
    number index (see signal-no-handler above)."""
    while True:
        for c in reversed(strace.get(tid, [])[:index]):
            if c.name == "execve" and c.result == 0:
                return False
            m = re.match(r"rt_sigaction\(%s, \{sa_handler=(\w+)" % sig,
                         c.args)
            if m and c.result == 0:
                return m.group(1) not in ("SIG_DFL", "SIG_IGN")
        if tid not in made:
            return False
        tid, index = made[tid]


def is_tracer_write(c, fds):
    m = re.match(r"write\((\d+), ", c.args)
    return bool(m) and int(m.group(1)) in fds


def is_tracer_dup(c, fds):
    m = re.match(r"fcntl\(\d+, F_DUPFD_CLOEXEC, (\d+)\)", c.args)
    return bool(m) and int(m.group(1)) >= 256 and c.result in fds


def is_tracer_message(c):
    """The tracer's one-line reports on standard error ("zpoline: ...")."""
    return c.name == "write" and c.args.startswith('write(2, "zpoline: ')


def closes_tracer_fd(c, fds):
    """Whether c took the tracer's descriptor away from it."""
    if c.name == "close_range" and c.result == 0:
        m = re.match(r"close_range\((\d+), (\d+), (\w+)\)", c.args)
        return bool(m) and "CLOSE_RANGE_CLOEXEC" not in m.group(3) and \
            any(int(m.group(1)) <= fd <= int(m.group(2)) for fd in fds)
    if c.name == "close" and c.result == 0:
        m = re.match(r"close\((\d+)\)", c.args)
        return bool(m) and int(m.group(1)) in fds
    return c.name in ("dup2", "dup3") and c.result in fds


class Window:
    """The calls strace saw between an execve and the tracer's first write:
    the tracer prints a contiguous run of them (its earlier calls) right
    after that execve's line."""
    name = "<window>"
    optional = None
    result = None
    text = "(the calls before the tracer's first write)"

    def __init__(self):
        self.calls = []

    def key(self):
        return (self.name, None)


def ends_tracer_start(calls, i, fds):
    """Whether calls[i] is the last call of the tracer's start: the close
    of the descriptor that became its private one (the runtime's own_fd
    dups it to one of fds, restores RLIMIT_NOFILE, closes it)."""
    m = re.match(r"close\((\d+)\)", calls[i].args)
    if not m:
        return False
    for c in reversed(calls[max(0, i - 3):i]):
        d = re.match(r"fcntl\((\d+), F_DUPFD_CLOEXEC, \d+\)", c.args)
        if d and c.result in fds:
            return d.group(1) == m.group(1)
    return False


def close_range_args(c):
    m = re.match(r"close_range\((\d+), (\d+), (\w+)\)", c.args)
    return (int(m.group(1)), int(m.group(2)), m.group(3)) if m else None


def splits_around(c, nxt, fds):
    """Whether close_range c and the next call are the two halves the
    runtime makes of the program's close_range, around the tracer's
    descriptor (fds.c)."""
    a = close_range_args(c)
    b = close_range_args(nxt[0]) if nxt and nxt[0].name == "close_range" else None
    return bool(a and b and a[2] == b[2] and any(a[1] + 1 == fd == b[0] - 1
                                                 for fd in fds))


def joined_close_range(a, b):
    """The program's close_range that the halves a and b were made of."""
    x, y = close_range_args(a), close_range_args(b)
    return Call("close_range(%d, %d, %s) = %s" % (x[0], y[1], x[2],
                                                  b.text.split(" = ", 1)[1]))


def strace_view(calls, fds, summary=False, exceptions=None, handler=None,
                drop=()):
    """What the tracer should have printed for one thread.  The tracer's
    start-up ends with the fcntl(F_DUPFD_CLOEXEC) that makes its private
    descriptor (and the close of the file it dup'ed, when it writes to a
    file).
    handler(index, signal name): whether the signal line at index reached
    a handler of the program.  drop: names strace showed only for this
    comparison (see --extra)."""
    out, skipping, lost, shown, window = [], False, False, False, None
    second_half = None              # of a close_range split in two
    interrupted = {}                # rt_sigreturn's index: the call it ends
    if exceptions is None:
        exceptions = collections.Counter()
    for i, c in enumerate(calls):
        if c.name == "execve" and c.result == 0:
            if skipping and shown:  # the previous image was not traced
                out.pop()
            shown = c.name not in drop
            if shown:
                out.append(c)       # a new image: its start-up is not traced
            skipping, lost, window = True, False, Window()
            continue
        if skipping and is_tracer_write(c, fds):   # the tracer's first
            skipping = False
            if window.calls and not summary:   # a table counts no earlier call
                out.append(window)
            continue
        if skipping and summary and ends_tracer_start(calls, i, fds):
            skipping = False    # no write until the table: its start's end
            continue
        if skipping:
            if c.name not in drop and not c.name.startswith("<"):
                window.calls.append(c)
            continue
        if is_tracer_write(c, fds):
            continue
        if c.name in ("process_vm_readv", "restart_syscall", "gettid") \
                or runtime_answers(c) or is_tracer_message(c):
            continue
        if i == second_half:
            continue
        joined = c.name == "close_range" and \
            splits_around(c, calls[i + 1:i + 2], fds)
        if joined:
            c, second_half = joined_close_range(c, calls[i + 1]), i + 1
            exceptions["fd-hiding"] += 1
        if lost and c.name not in drop:
            exceptions["lost-descriptor"] += 1
            continue
        if not summary and not joined and closes_tracer_fd(c, fds):
            exceptions["lost-descriptor"] += c.name not in drop
            lost = True
            continue
        if lost or c.name in drop:
            continue
        if c.result == "?" and "ERESTART" in c.tail:
            k = next((k for k in range(i + 1, len(calls))
                      if calls[k].name == "rt_sigreturn"), None)
            if k is not None and calls[k].result == -1 and \
                    "EINTR" in calls[k].tail:
                interrupted[k] = Call(c.args.ljust(39) + " = -1 EINTR "
                                      "(Interrupted system call)")
            continue
        if c.name in VDSO:
            c.optional = "vdso-fallback"
        if c.name == "---" and handler:
            sig = c.text.split()[1]
            if not handler(i, sig):
                exceptions["signal-no-handler"] += 1
                continue
        out.append(c)
        if i in interrupted:
            exceptions["interrupted"] += 1
            out.append(interrupted.pop(i))
    if skipping and shown:          # nor was the last one
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


def align(want, got, exceptions):
    """Pairs strace's calls with the tracer's, in order: [(s, t)], with
    None on one side where they part (see the reordering above)."""
    want = list(want)
    out, i, j = [], 0, 0
    while i < len(want) or j < len(got):
        s = want[i] if i < len(want) else None
        t = got[j] if j < len(got) else None
        if isinstance(s, Window):
            nxt = [w for w in want[i + 1:i + 8] if not w.optional and
                   w.name not in ("---", "rt_sigreturn", "<window>")][:3]
            pairs = earlier_run(s.calls, got[j:], nxt)
            out.extend(pairs)
            exceptions["earlier"] += len(pairs)
            i += 1
            j += len(pairs)
            continue
        if s is not None and t is not None and agree(s, t):
            out.append((s, t))
            i += 1
            j += 1
            continue
        if s is not None and s.optional:
            exceptions[s.optional] += 1
            i += 1
            continue
        if s is not None and i + 1 < len(want) and want[i + 1].name == "---" \
                and not getattr(s, "moved", False):
            end = next((k for k in range(i + 2, len(want))
                        if want[k].name == "rt_sigreturn"), None)
            if end is None:     # its rt_sigreturn is filtered out: after
                end = i + 1     # the signal lines, then
                while end + 1 < len(want) and want[end + 1].name == "---":
                    end += 1
            s.moved = True
            want[i:end + 1] = want[i + 1:end + 1] + [s]
            continue
        out.append((s, t))
        break
    return out


def same_line(s, t):
    """Word for word (as compare_thread sees it), without exceptions."""
    if s.name == "rt_sigaction":    # its text may be the runtime's (above)
        return s.key() == t.key() and \
            s.args.split(",")[0] == t.args.split(",")[0]
    return s.key() == t.key() and (
        s.name in NO_RETURN or
        mask_envp(s.normal_text()) == mask_envp(t.normal_text()))


def earlier_run(window, got, nxt):
    """The tracer's earlier calls at the head of got: the longest run of
    got that is a subsequence of window's calls (in order; what the window
    has besides are the loader's, the runtime's and the tracer's own) and
    that the next want (nxt) agrees with what follows it; as (strace's,
    tracer's) pairs, each tracer line paired with the latest call of the
    window it can be."""
    keys = [c.key() for c in window]
    for k in range(min(len(got), len(keys)), 0, -1):
        # what follows must be the program's next lines, word for word
        follow = list(zip(nxt, got[k:]))
        if not all(same_line(a, b) for a, b in follow):
            continue
        pairs, a = [], len(keys)
        for n in range(k - 1, -1, -1):      # from the end, backwards
            a -= 1
            while a >= 0 and keys[a] != got[n].key():
                a -= 1
            if a < 0:
                break
            pairs.append((window[a], got[n]))
        if len(pairs) == k:
            return pairs[::-1]
    return []


def read_trace(path, root):
    out = {}
    with open(path, errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            m = PREFIX.match(line)
            tid = int(m.group(1)) if m else root
            text = line[m.end():] if m else line
            if text.startswith("+++") or TABLE.match(text):
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


def text_equal(s, t, exceptions, earlier=False):
    """Word for word, but for the named exceptions."""
    if earlier:
        return True     # counted as "earlier" where aligned
    if s.name == "rt_sigaction" and "zp_handler" in s.text or \
            s.name == "rt_sigaction" and s.text != t.normal_text() and \
            s.text != t.text and handler_involved(s, t):
        exceptions["sigaction-handler"] += 1
        return True
    if s.name == "rt_sigreturn":
        exceptions["rt_sigreturn"] += 1
        return True
    if s.name == "execve" and s.result == 0:
        exceptions["envp"] += 1
        return mask_envp(s.normal_text()) == mask_envp(t.normal_text())
    if not t.prefixed:
        return s.text == t.text
    return s.normal_text() == t.normal_text()


def handler_involved(s, t):
    """Whether the rt_sigaction strace saw (s) and the one the tracer
    printed (t) are one that the runtime made with its handler in the
    program's: the tracer shows a handler the program installs, or strace a
    handler the program did not name."""
    def handlers(text):
        return re.findall(r"sa_handler=(0x[0-9a-f]+|SIG_\w+)", text)
    return handlers(s.text) != handlers(t.text)


def compare_thread(want, got, names_only, exceptions):
    """(equal lines, first difference or None) for one thread."""
    equal = 0
    pairs = align(want, got, exceptions)
    early = set()
    for w in want:
        if isinstance(w, Window):
            early.update(id(c) for c in w.calls)
    for i, (s, t) in enumerate(pairs):
        if s is None or t is None or not agree(s, t):
            return equal, "call %d:\n  strace: %s\n  tracer: %s" % (
                i, s.text if s else "(nothing)", t.text if t else "(nothing)")
        if not names_only and not text_equal(s, t, exceptions,
                                             id(s) in early):
            return equal, "call %d, text differs:\n  strace: %s\n  tracer: %s" % (
                i, s.text, t.text)
        equal += 1
    return equal, None


def probed_names(path, fds):
    """The names of the calls in a probe (strace -f -e trace=SET of the
    harness), but the tracer's writes (to descriptors 256 and up)."""
    names = set()
    if not path:
        return names
    with open(path, errors="surrogateescape") as f:
        for line in f:
            c = Call(re.sub(r"^\d+ +", "", line.rstrip("\n")))
            m = re.match(r"write\((\d+),", c.args)
            if c.name and not (m and int(m.group(1)) >= 256):
                names.add(c.name)
    return names


def main(argv):
    names_only = "--names" in argv
    argv = [a for a in argv if a not in ("--names", "--exact")]
    name = "trace"
    if "--name" in argv:
        i = argv.index("--name")
        name = argv[i + 1]
        del argv[i:i + 2]
    extra, probe = [], None
    if "--extra" in argv:
        i = argv.index("--extra")
        extra = [n for n in argv[i + 1].split(",") if n]
        del argv[i:i + 2]
    if "--probe" in argv:
        i = argv.index("--probe")
        probe = argv[i + 1]
        del argv[i:i + 2]
    prefix, trace_path = argv
    strace = read_strace(prefix)
    if not strace:
        raise SystemExit("%s: no strace files %s.*" % (name, prefix))
    made = creators(strace)
    roots = [t for t in strace if t not in made]
    if len(roots) != 1:
        raise SystemExit("%s: cannot tell the first process: %s" % (name, roots))
    fds = tracer_fds(strace)
    trace = read_trace(trace_path, roots[0])

    errors, lines = [], 0
    exceptions = collections.Counter()
    tids = sorted(set(strace) | set(trace))
    drop = set(extra) - probed_names(probe, fds) if extra else set()
    for tid in tids:
        want = strace_view(
            strace.get(tid, []), fds, exceptions=exceptions,
            handler=lambda i, sig, tid=tid: has_handler(strace, made, tid,
                                                        i, sig), drop=drop)
        equal, error = compare_thread(want, trace.get(tid, []), names_only,
                                      exceptions)
        lines += equal
        if error:
            errors.append("tid %d, %s" % (tid, error))
    if errors:
        print("%s: FAIL" % name)
        for e in errors[:10]:
            print(e)
        return 1
    what = "with the same names and results" if names_only else \
        "equal word for word"
    shown = ", ".join("%s %d" % kv for kv in sorted(exceptions.items())
                      if kv[1])
    print("%s: ok, %d lines in %d threads and processes %s%s" % (
        name, lines, len(tids), what,
        "; exceptions: " + shown if shown else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
