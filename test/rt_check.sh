#!/bin/sh
# rt_check.sh - the runtime's tests (make check-runtime).
#
# Most tests run a program twice, natively and under LD_PRELOAD with a test
# hook, and require the same standard output, the same standard error and
# the same exit status.  The hooks prove the calls were really seen:
# hook_count records every call it sees and the tests check the record
# against strace's view of the same run; hook_deny must change what the
# program sees; hook_libc clobbers the vector registers on every call;
# test programs check that their own syscall instructions were rewritten.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
T=$top/build/test
LIB=$top/libzpoline.so
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() {
	fail=$((fail + 1)); echo "FAIL $1"
	for f in "$@"; do [ -f "$f" ] && sed -n '1,20s/^/    /p' "$f"; done
}

# hooked HOOK CMD...: run CMD under the runtime with test hook HOOK.
hooked() {
	h=$1; shift
	env ZPOLINE_HOOK="$T/hook_$h.so" LD_PRELOAD="$LIB" "$@"
}

# same NAME HOOK CMD...: native and hooked runs agree (stdout, stderr, status).
same() {
	name=$1 h=$2; shift 2
	"$@" >"$W/n.out" 2>"$W/n.err"; ns=$?
	hooked "$h" "$@" >"$W/h.out" 2>"$W/h.err"; hs=$?
	if [ $ns = $hs ] && cmp -s "$W/n.out" "$W/h.out" && cmp -s "$W/n.err" "$W/h.err"; then
		ok "$name [$h]"
	else
		echo "    status native $ns, hooked $hs"
		diff "$W/n.out" "$W/h.out" >"$W/diff"; diff "$W/n.err" "$W/h.err" >>"$W/diff"
		bad "$name [$h]" "$W/diff"
	fi
}

# same_out NAME HOOK CMD...: as same, but standard error may differ.
same_out() {
	name=$1 h=$2; shift 2
	"$@" >"$W/n.out" 2>/dev/null; ns=$?
	hooked "$h" "$@" >"$W/h.out" 2>/dev/null; hs=$?
	if [ $ns = $hs ] && cmp -s "$W/n.out" "$W/h.out"; then
		ok "$name [$h]"
	else
		echo "    status native $ns, hooked $hs"
		diff "$W/n.out" "$W/h.out" >"$W/diff"; bad "$name [$h]" "$W/diff"
	fi
}

# expect NAME PATTERN FILE: FILE has a line matching PATTERN (grep -E).
expect() {
	if grep -Eq -- "$2" "$3"; then ok "$1"; else bad "$1" "$3"; fi
}

cd "$W" || exit 1

echo "== machine state"
# Each kind of rewritten site in turn (ZPOLINE_SITES forces it): the
# probe's own output natively and hooked must be the same, but for the
# word at rsp-8, which a page-0 site's `call` overwrites (a known limit of
# that kind only).  "hooked KIND" adds the check that its syscall was
# rewritten as KIND (so the hooked run is really hooked, the right way).
"$T/rt_regs" >"$W/n.out"; ns=$?
for k in island jump page0 fault; do
	as=$k; [ $k = fault ] && as=page0
	for h in libc pass; do
		ZPOLINE_SITES=$k hooked $h "$T/rt_regs" hooked $as >"$W/h.out" 2>"$W/h.err"; hs=$?
		if [ $as = page0 ]; then
			grep -v 'rsp-8' "$W/n.out" >"$W/n.cmp"; grep -v 'rsp-8' "$W/h.out" >"$W/h.cmp"
			grep -q 'rsp-8 preserved *CHANGED' "$W/h.out" || hs=rz
		else
			cp "$W/n.out" "$W/n.cmp"; cp "$W/h.out" "$W/h.cmp"
		fi
		if [ $ns = 0 ] && [ $hs = 0 ] && cmp -s "$W/n.cmp" "$W/h.cmp" && [ ! -s "$W/h.err" ]; then
			ok "registers, flags, vector state, red zone: $k site [$h]"
		else
			bad "registers, flags, vector state, red zone: $k site [$h]" "$W/h.out" "$W/h.err"
		fi
	done
done
same "invalid system call numbers" libc "$T/rt_badnr"
same "invalid system call numbers, through next()" pass_next "$T/rt_badnr"
same "longjmp out of a handler on the alternate stack" libc "$T/rt_altstack"

echo "== threads and processes"
for h in libc pass; do
	"$T/rt_clone" >"$W/n.out"; ns=$?
	hooked $h "$T/rt_clone" hooked >"$W/h.out" 2>"$W/h.err"; hs=$?
	if [ $ns = 0 ] && [ $hs = 0 ] && cmp -s "$W/n.out" "$W/h.out"; then
		ok "raw clone and clone3 from assembly [$h]"
	else
		bad "raw clone and clone3 from assembly [$h]" "$W/h.out" "$W/h.err"
	fi
done
same "raw clone and clone3, through next()" pass_next "$T/rt_clone"
same "32 threads" libc "$T/rt_threads"
same "vfork and clone(CLONE_VM|CLONE_VFORK), exec and exit" libc "$T/rt_vfork"
same "vfork, through next()" pass_next "$T/rt_vfork"
same "posix_spawn" libc "$T/rt_spawn"
same "signal storm with system calls in the handler" libc "$T/rt_signals"
same "the program's own SIGSEGV handling" libc "$T/rt_segv"
same "a fault with the default SIGSEGV action" libc "$T/rt_segv" default

echo "== the program cannot tell it is hooked"
same "a read through a null pointer faults" pass "$T/rt_transparent" nullread
same "the red zone survives an inline syscall" pass "$T/rt_transparent" redzone
same "a branch onto a moved syscall traps and makes the call" pass \
	env ZPOLINE_SITES=jump "$T/rt_transparent" trap
for m in rax rdx caught; do
	same "call through a null pointer ($m)" pass "$T/rt_null" $m
done

echo "== page-0 sites (ZPOLINE_SITES=page0): calls into page 0 that are not system calls"
for m in rax rdx caught; do
	same_out "call through a null pointer ($m)" pass env ZPOLINE_SITES=page0 "$T/rt_null" $m
	ZPOLINE_SITES=page0 hooked pass "$T/rt_null" $m >/dev/null 2>"$W/null.err"
	expect "call through a null pointer ($m): message names the caller" \
		'^zpoline: .*rt_null\+0x[0-9a-f]+\), which is not a rewritten system call' "$W/null.err"
done
ZPOLINE_SITES=page0 hooked pass "$T/rt_page0" >"$W/p0.out" 2>&1
expect "mmap(MAP_FIXED) over page 0 fails with EPERM" '^mmap\(0, MAP_FIXED\): Operation not permitted$' "$W/p0.out"
expect "munmap of page 0 fails with EINVAL" '^munmap\(0\): Invalid argument$' "$W/p0.out"
expect "the program goes on" '^still running, pid > 0: yes$' "$W/p0.out"
# With no page-0 site, page 0 is the program's, as natively.
same "without page-0 sites, the program may map page 0" pass "$T/rt_page0"
# The fault path: page-0 sites without the sled (as when page 0 cannot
# be mapped) still reach the hook, from a libc wrapper and inline.
"$T/rt_marker" >"$W/n.out"
ZPOLINE_SITES=fault hooked marker "$T/rt_marker" >"$W/h.out" 2>"$W/h.err"
if grep -q '^libc wrapper: -1 (ENOSYS)$' "$W/n.out" && [ ! -s "$W/h.err" ] &&
   [ "$(grep -c ': 4242$' "$W/h.out")" = 2 ]; then
	ok "page-0 sites through the fault path reach the hook"
else
	bad "page-0 sites through the fault path reach the hook" "$W/n.out" "$W/h.out" "$W/h.err"
fi

echo "== output a hook buffers survives the end of the process"
for how in exit_group exit return; do
	hooked buffered "$T/rt_exit" $how 2>&1 | cat >"$W/buf.out"
	expect "buffered hook output, process ends with $how" '^hook: loaded$' "$W/buf.out"
done
expect "the hook saw exit_group" '^hook: [0-9]+ calls, exit_group\(0\)$' "$W/buf.out"
hooked buffered sh -c 'echo one; exec sh -c "echo two"' 2>&1 | cat >"$W/exec.out"
n=$(grep -c '^hook: loaded$' "$W/exec.out")
if [ "$n" = 2 ] && grep -q '^two$' "$W/exec.out"; then
	ok "execve: the new image is hooked again"
else
	bad "execve: the new image is hooked again" "$W/exec.out"
fi

echo "== real programs"
mkdir -p "$W/proj" && printf 'int main(void) { return 0; }\n' >"$W/proj/hello.c"
printf 'all: hello\nhello: hello.c\n\tcc -o hello hello.c\n' >"$W/proj/Makefile"
same "ls -la /usr" libc ls -la /usr
same "cat" libc cat /etc/os-release
same "bash pipeline with subshells" libc bash -c \
	'for i in 1 2 3; do (echo "$i"; echo sub) | sort -r | (read a; echo "got $a"); done | wc -l'
same "dash" libc dash -c 'x=$(echo dash); echo $x | tr a-z A-Z'
same "python3 subprocess and 8 threads" libc python3 -c '
import subprocess, threading
out = []
def work(i):
    out.append(subprocess.run(["echo", str(i)], capture_output=True, text=True).stdout)
ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print(sorted(out))'
same "gcc compiling hello world" libc sh -c "cd '$W/proj' && rm -f hello && gcc -o hello hello.c && ./hello && echo built"
same "make" libc sh -c "cd '$W/proj' && rm -f hello && make -s && ./hello && echo made"

# libcrypto keeps tables in .text in which byte pairs look like syscall:
# rewriting one corrupts P-256 (field notes).  Key, signature, on-curve check.
same "OpenSSL P-256 key, signature and verification" libc sh -c "cd '$W' &&
	openssl ecparam -name prime256v1 -genkey -noout -out k.pem &&
	openssl ec -in k.pem -pubout -out pub.pem 2>/dev/null && echo message >m &&
	openssl dgst -sha256 -sign k.pem -out sig m &&
	openssl dgst -sha256 -verify pub.pem -signature sig m &&
	openssl ec -in k.pem -check -noout 2>&1"

echo "== code mapped after start-up (dlopen)"
hooked deny env ZPTEST_DENY=/etc/hostname "$T/rt_dlopen" "$T/dl_lib.so" /etc/hostname >"$W/dl.out" 2>&1
"$T/rt_dlopen" "$T/dl_lib.so" /etc/hostname >"$W/dl.native" 2>&1
if grep -qx opened "$W/dl.native" && grep -qx 'Operation not permitted' "$W/dl.out"; then
	ok "a library's own syscall, loaded with dlopen, reaches the hook"
else
	bad "a library's own syscall, loaded with dlopen, reaches the hook" "$W/dl.native" "$W/dl.out"
fi
ZPOLINE_VERBOSE=1 hooked pass_next "$T/rt_dlopen" "$T/dl_lib.so" /etc/hostname >"$W/dl.out" 2>&1
expect "the same when the hook makes the mmap with next()" \
	'dl_lib.so: 1 sites \(' "$W/dl.out"

echo "== a hook controls the calls"
same "deny hook: other files still open" deny env ZPTEST_DENY=/etc/hostname cat /etc/os-release
hooked deny env ZPTEST_DENY=/etc/hostname cat /etc/hostname >/dev/null 2>"$W/deny.err"
expect "deny hook: open of the chosen path fails with EPERM" 'Operation not permitted' "$W/deny.err"

echo "== the hook sees every call strace sees after start-up"
# hook_count writes the numbers of the calls it saw to fd 9 at exit_group;
# its init makes one marker call.  strace -f -n numbers the same run's calls;
# those after the marker, minus the hook's own write to fd 9, must be the
# same calls (same sequence for one thread, same counts with threads).  A
# call is a line "pid [nr] name(": not "<... name resumed>" (the second half
# of a call strace printed in two) nor "+++ exited" or "--- SIG".
# Single-process programs only (a forked child inherits the hook's record);
# python3 may be a wrapper script, so ask it for the interpreter itself.
py=$(python3 -c 'import sys; print(sys.executable)')
for prog in "ls /usr" "cat /etc/os-release" "$py -c pass" "$T/rt_threads" "$T/rt_sigs"; do
	rm -f "$W/seen" "$W/strace"
	ZPTEST_COUNT_FD=9 ZPOLINE_HOOK="$T/hook_count.so" strace -f -n -o "$W/strace" \
		env LD_PRELOAD="$LIB" $prog >/dev/null 2>&1 9>"$W/seen"
	awk '/faccessat2?\(AT_FDCWD, "\/zpoline-count-start"/ { on = 1; next }
	     on && /^[0-9]+ +\[ *[0-9]+\] [a-z_0-9]+\(/ && !/\] write\(9,/ {
		sub(/^[0-9]+ +\[ */, ""); sub(/\].*/, ""); print }' "$W/strace" >"$W/strace.nr"
	if [ "$prog" = "$T/rt_threads" ]; then
		sort -n "$W/seen" >"$W/a"; sort -n "$W/strace.nr" >"$W/b"
	else
		cp "$W/seen" "$W/a"; cp "$W/strace.nr" "$W/b"
	fi
	n=$(wc -l <"$W/a")
	if [ "$n" -gt 10 ] && cmp -s "$W/a" "$W/b"; then
		ok "$prog: the hook saw the $n calls strace saw"
	else
		echo "    hook saw $(wc -l <"$W/seen"), strace $(wc -l <"$W/strace.nr")"
		diff "$W/a" "$W/b" >"$W/diff"; bad "$prog: hook and strace disagree" "$W/diff"
	fi
done

echo "== calls made before the hook was loaded"
# The runtime starts while ld.so relocates it, before any library's
# constructor; the calls made from then until the hook is loaded reach the
# hook through init->earlier.  hook_early's record (earlier, then its own)
# must be the end of strace's list for the same run (less the record's own
# write), and reach back before main: for ls, libselinux's constructor
# (statfs of /sys/fs/selinux).  What strace sees before it: ld.so's own
# start, and the runtime's (rewriting, the plan cache).
early_check() { # NAME CMD...
	name=$1; shift
	ZPOLINE_HOOK="$T/hook_early.so" strace -f -o "$W/e.strace" env LD_PRELOAD="$LIB" "$@" \
		>/dev/null 2>&1 9>"$W/e.hook"
	python3 - "$W/e.strace" "$W/e.hook" "$name" <<'PY'
import errno, re, sys
calls = []
for line in open(sys.argv[1]):
    m = re.match(r"^\d+ +(\w+)\(.*\) += (0x[0-9a-f]+|-?\d+|\?)( (E[A-Z0-9]+))?", line)
    if not m or line.split(None, 1)[1].startswith("write(9,"):
        continue	# the hook's own record, written at the end
    name, res, err = m.group(1), m.group(2), m.group(4)
    if res == "?":
        res = 0
    elif err:
        res = -getattr(errno, err, 0)
    else:
        res = int(res, 0)
    calls.append((name, res))
names = {}
for line in open("/usr/include/x86_64-linux-gnu/asm/unistd_64.h"):
    m = re.match(r"#define __NR_(\w+) (\d+)", line)
    if m:
        names[int(m.group(2))] = m.group(1)
hook = [(names.get(int(a), a), int(b)) for a, b in (l.split() for l in open(sys.argv[2]))]
ok = len(hook) > 10 and calls[-len(hook):] == hook
first = next((i for i, c in enumerate(hook) if c[0] == "execve"), None)
print("%s: the hook heard %d calls, the last %d of strace's %d%s" % (
    sys.argv[3], len(hook), len(hook) if ok else 0, len(calls),
    "" if ok else "; first difference at %r" % next(
        (i for i, (a, b) in enumerate(zip(calls[-len(hook):], hook)) if a != b), None)))
sys.exit(0 if ok else 1)
PY
}
if early_check ls ls /; then
	ok "calls before the hook, ls: its record is the end of strace's"
else
	bad "calls before the hook, ls"
fi
if grep -q '^137 ' "$W/e.hook"; then	# statfs
	ok "libselinux's constructor calls (statfs) reached the hook"
else
	bad "libselinux's constructor calls (statfs) reached the hook" "$W/e.hook"
fi

echo "== the hook hears of signal deliveries"
# hook_signals records each delivery to a handler of the program; strace
# -f of the same run prints "--- SIGNAME {si_signo=SIGNAME, si_code=CODE"
# for each: the two lists (signal, code) must be the same.
same "handlers, SA_RESETHAND, caught SIGSEGV" pass "$T/rt_sigs"
ZPTEST_SIG_FD=9 ZPOLINE_HOOK="$T/hook_signals.so" strace -f -o "$W/sig.strace" \
	env LD_PRELOAD="$LIB" "$T/rt_sigs" >/dev/null 9>"$W/sig.hook"
python3 -c '
import re, signal, sys
codes = {"SI_USER": 0, "SI_QUEUE": -1, "SI_TKILL": -6, "SEGV_MAPERR": 1, "SEGV_ACCERR": 2}
got = []
for line in open(sys.argv[1]):
    m = re.search(r"--- (SIG\w+) \{si_signo=\w+, si_code=(\w+)", line)
    if m:
        got.append("%d %d" % (getattr(signal, m.group(1)), codes.get(m.group(2), 99)))
print("\n".join(got))' "$W/sig.strace" >"$W/sig.want"
if [ "$(wc -l <"$W/sig.want")" -ge 6 ] && cmp -s "$W/sig.want" "$W/sig.hook"; then
	ok "the hook heard of the $(wc -l <"$W/sig.hook") deliveries strace saw"
else
	diff "$W/sig.want" "$W/sig.hook" >"$W/diff"; bad "signal deliveries differ from strace's" "$W/diff"
fi

echo "== bad input: one clear line, and the program runs"
echo hi >"$W/expected"
check_bad() { # NAME PATTERN ENV...
	name=$1 pat=$2; shift 2
	env "$@" /bin/echo hi >"$W/b.out" 2>"$W/b.err"; st=$?
	if [ $st = 0 ] && cmp -s "$W/b.out" "$W/expected" && grep -Eq -- "$pat" "$W/b.err" &&
	   [ "$(grep -Ec -- "$pat" "$W/b.err")" = 1 ]; then
		ok "$name"
	else
		bad "$name" "$W/b.out" "$W/b.err"
	fi
}
check_bad "ZPOLINE_HOOK names a missing file" \
	'^zpoline: cannot load hook library /nonexistent/hook.so: .*No such file' \
	ZPOLINE_HOOK=/nonexistent/hook.so LD_PRELOAD="$LIB"
check_bad "ZPOLINE_HOOK names a file that is not a library" \
	'^zpoline: cannot load hook library /etc/passwd: ' \
	ZPOLINE_HOOK=/etc/passwd LD_PRELOAD="$LIB"
check_bad "hook library without zpoline_hook_init" \
	"^zpoline: hook library $T/hook_nosym.so has no zpoline_hook_init: " \
	ZPOLINE_HOOK="$T/hook_nosym.so" LD_PRELOAD="$LIB"
check_bad "hook library whose init refuses" \
	"^zpoline: hook library $T/hook_refuse.so: zpoline_hook_init refused" \
	ZPOLINE_HOOK="$T/hook_refuse.so" LD_PRELOAD="$LIB"
# ld.so relocates preloaded libraries last one first: the pre_* helpers,
# listed after libzpoline.so, act (from IFUNC resolvers) before it starts.
check_bad "page 0 mapped by the program, page-0 sites" \
	'^zpoline: page 0 is in use by the program: system calls that need it stay unhooked \([0-9]+ in .*\)$' \
	ZPOLINE_SITES=page0 ZPOLINE_HOOK="$T/hook_pass.so" LD_PRELOAD="$LIB:$T/pre_page0.so"
check_bad "a mapping that cannot be made writable" \
	"^zpoline: cannot rewrite $T/pre_seal.so: mprotect: EPERM \([0-9]+ system calls stay unhooked\)$" \
	ZPOLINE_HOOK="$T/hook_pass.so" LD_PRELOAD="$LIB:$T/pre_seal.so"
check_bad "ZPOLINE_HOOK names the runtime itself" \
	"^zpoline: $LIB is libzpoline.so, the runtime itself, not a hook library: ignored$" \
	ZPOLINE_HOOK="$LIB" LD_PRELOAD="$LIB"

echo "== a hook's own descriptors are not the program's"
# hook_ownfd writes a line per call to a descriptor of its own.  The
# program must see the same as natively, and the hook must still have
# written lines of every process afterwards.
own() { # NAME CMD...: same output natively and hooked; the hook wrote on
	name=$1; shift
	"$@" >"$W/o.n" 2>&1; ns=$?
	: >"$W/own.out"
	ZPTEST_OWN_OUT="$W/own.out" ZPOLINE_HOOK="$T/hook_ownfd.so" LD_PRELOAD="$LIB" "$@" >"$W/o.h" 2>&1; hs=$?
	pids=$(awk '{ print $1 }' "$W/own.out" | sort -u | wc -l)
	if [ $ns = $hs ] && cmp -s "$W/o.n" "$W/o.h" && [ "$(wc -l <"$W/own.out")" -gt 10 ]; then
		ok "$name (the hook wrote $(wc -l <"$W/own.out") lines from $pids processes)"
	else
		echo "    status native $ns, hooked $hs"
		diff "$W/o.n" "$W/o.h" >"$W/diff"; bad "$name" "$W/diff"
	fi
}
own "not listed in /proc/self/fd, /dev/fd, /proc/PID/fd" "$T/rt_fds" list
own "EBADF to fcntl and fstat on every number" "$T/rt_fds" probe
own "dup2 onto every number: the hook's descriptor steps aside" "$T/rt_fds" dup2
own "close_range in a child: the hook goes on writing there" "$T/rt_fds" closerange
own "a lowered RLIMIT_NOFILE: as many files as natively" prlimit --nofile=29:4096 "$T/rt_fds" rlimit
own "python: os.listdir of /proc/self/fd" python3 -c 'import os; print(sorted(os.listdir("/proc/self/fd")))'
own "python subprocess with close_fds, pass_fds and a lowered limit" python3 -c '
import os, resource, subprocess, sys
r, w = os.pipe()
resource.setrlimit(resource.RLIMIT_NOFILE, (29, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
out = subprocess.run([sys.executable, "-c", "import os; print(sorted(os.listdir(\"/proc/self/fd\")))"],
                     pass_fds=[w], capture_output=True, text=True).stdout
print(out.replace(str(w), "W"))
'

echo "== the configuration file"
printf '# hooks for the test\nhook = %s\noutptu = /tmp/x\n' "$T/hook_marker.so" >"$W/cfg"
ZPOLINE_CONFIG="$W/cfg" LD_PRELOAD="$LIB" "$T/rt_marker" >"$W/c.out" 2>"$W/c.err"
if [ "$(grep -c ': 4242$' "$W/c.out")" = 2 ] &&
   [ "$(cat "$W/c.err")" = "zpoline: $W/cfg:3: unknown key \"outptu\"" ]; then
	ok "the file's hook is loaded; a bad line is named"
else
	bad "the file's hook is loaded; a bad line is named" "$W/c.out" "$W/c.err"
fi
ZPOLINE_CONFIG="$W/cfg" ZPOLINE_HOOK="$T/hook_pass.so" LD_PRELOAD="$LIB" "$T/rt_marker" >"$W/c.out" 2>/dev/null
if grep -q '^inline: -38$' "$W/c.out"; then
	ok "the environment overrides the file"
else
	bad "the environment overrides the file" "$W/c.out"
fi

echo "== the plan cache"
# The first run plans and stores, the second uses the entry; a damaged
# entry is not used (and the run is as good); a directory another user
# could write is not used; ZPOLINE_CACHE=0 writes nothing.
C=$W/cache
vrun() { env ZPOLINE_CACHE="$1" ZPOLINE_VERBOSE=1 ZPOLINE_HOOK="$T/hook_marker.so" \
	LD_PRELOAD="$LIB" "$T/rt_marker" >"$W/k.out" 2>"$W/k.err"; }
vrun "$C"; first=$(grep -c 'plan from the cache' "$W/k.err")
n=$(ls "$C" 2>/dev/null | wc -l)
vrun "$C"; second=$(grep -c 'plan from the cache' "$W/k.err")
if [ "$first" = 0 ] && [ "$n" -ge 2 ] && [ "$second" -ge 2 ] &&
   [ "$(stat -c %a "$C")" = 700 ] && [ "$(grep -c ': 4242$' "$W/k.out")" = 2 ]; then
	ok "a second run takes its plans from the cache ($n entries)"
else
	bad "a second run takes its plans from the cache" "$W/k.err"
fi
libc_entry=$(ls -S "$C" | head -1)	# the largest: libc's
python3 -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[-3] ^= 0x40; open(p, "wb").write(b)' "$C/$libc_entry"
vrun "$C"
if [ "$(grep -c 'plan from the cache' "$W/k.err")" = $((second - 1)) ] &&
   grep -q 'libc.so.6: 5[0-9][0-9] sites' "$W/k.err" && [ "$(grep -c ': 4242$' "$W/k.out")" = 2 ]; then
	ok "a damaged entry is not used"
else
	bad "a damaged entry is not used" "$W/k.err"
fi
chmod 777 "$C"
vrun "$C"
if grep -q 'is not the user.s own directory' "$W/k.err" && ! grep -q 'plan from the cache' "$W/k.err"; then
	ok "a directory others may write is not used"
else
	bad "a directory others may write is not used" "$W/k.err"
fi
vrun 0
if ! grep -q 'plan from the cache' "$W/k.err" && [ "$(grep -c ': 4242$' "$W/k.out")" = 2 ]; then
	ok "ZPOLINE_CACHE=0: no cache"
else
	bad "ZPOLINE_CACHE=0: no cache" "$W/k.err"
fi

echo "== a normal user, page 0 out of reach"
# Without CAP_SYS_RAWIO, vm.mmap_min_addr = 65536 keeps page 0 out of
# reach (the default of Ubuntu and Fedora).  The program is hooked all
# the same (no site needs page 0; with ZPOLINE_SITES=page0 they take the
# fault path), and nothing is printed.  The library and the hook go where
# user nobody can read them; the sysctl is restored afterwards.
if command -v setpriv >/dev/null && [ -w /proc/sys/vm/mmap_min_addr ]; then
	old_min=$(cat /proc/sys/vm/mmap_min_addr)
	echo 65536 >/proc/sys/vm/mmap_min_addr
	pub=$(mktemp -d) && chmod 755 "$pub" && cp "$LIB" "$T/hook_marker.so" "$T/rt_marker" "$pub/" &&
		chmod 644 "$pub/libzpoline.so" "$pub/hook_marker.so" && chmod 755 "$pub/rt_marker"
	for k in default page0; do
		(cd / && setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
			env ZPOLINE_SITES=$([ $k = page0 ] && echo page0) ZPOLINE_HOOK="$pub/hook_marker.so" \
			LD_PRELOAD="$pub/libzpoline.so" "$pub/rt_marker") >"$W/u.out" 2>"$W/u.err"
		if [ "$(grep -c ': 4242$' "$W/u.out")" = 2 ] && [ ! -s "$W/u.err" ]; then
			ok "user nobody with vm.mmap_min_addr = 65536 is hooked ($k sites)"
		else
			bad "user nobody with vm.mmap_min_addr = 65536 is hooked ($k sites)" "$W/u.out" "$W/u.err"
		fi
	done
	echo "$old_min" >/proc/sys/vm/mmap_min_addr
	rm -rf "$pub"
else
	echo "SKIP a normal user: needs setpriv and a writable vm.mmap_min_addr"
fi

echo "== secure-execution mode"
# A set-user-ID root program, run by user nobody with the runtime
# installed set-user-ID in the system library directory (the only way
# ld.so preloads a library then).  Every ZPOLINE_* setting must be ignored:
# no trace to a root-only file the user names, nothing on stderr (not even
# the program's data), no hook of the user's choice; the program runs
# hooked with the built-in pass-through hook.  The installed files are
# removed afterwards.
sysdir=/usr/lib/x86_64-linux-gnu
S=$(mktemp -d "$top/build/secure.XXXXXX")
if command -v setpriv >/dev/null && [ -w "$sysdir" ] &&
   python3 -c 'import os, sys; sys.exit(os.statvfs(sys.argv[1]).f_flag & os.ST_NOSUID)' "$S"; then
	name=libzpoline-sectest-$$.so
	cp "$LIB" "$sysdir/$name" && chmod 4755 "$sysdir/$name"
	# the default hook next to it, as an installation has it (unless one is
	# installed there already)
	hook_here=; [ -e "$sysdir/libzpoline_hook.so" ] ||
		{ cp "$top/libzpoline_hook.so" "$sysdir/" && hook_here=1; }
	cp "$T/rt_secure" "$S/rt_secure" && chmod 4755 "$S/rt_secure" && chmod 755 "$S"
	echo "root only" >"$S/secret" && chmod 600 "$S/secret"
	: >"$S/trace" && chmod 600 "$S/trace"
	printf 'output = %s\nverbose = 1\n' "$S/trace" >"$S/cfg" && chmod 644 "$S/cfg"
	(cd / && setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		env LD_PRELOAD="$name" ZPOLINE_OUTPUT="$S/trace" ZPOLINE_VERBOSE=1 \
		ZPOLINE_SUMMARY=1 ZPOLINE_HOOK="$T/hook_marker.so" ZPOLINE_CONFIG="$S/cfg" \
		"$S/rt_secure" "$S/secret") >"$S/out" 2>"$S/err"
	rm -f "$sysdir/$name"
	[ -n "$hook_here" ] && rm -f "$sysdir/libzpoline_hook.so"
	if grep -q '^secure-execution mode: yes$' "$S/out" &&
	   grep -q '^read the root-only file: yes$' "$S/out" &&
	   grep -q '^getpid: ok$' "$S/out" && grep -q '^its syscall rewritten: yes$' "$S/out" &&
	   [ ! -s "$S/err" ] && [ ! -s "$S/trace" ]; then
		ok "set-user-ID: settings ignored, nothing shown, hooked with the built-in hook"
	else
		bad "set-user-ID program" "$S/out" "$S/err" "$S/trace"
	fi
else
	echo "SKIP secure-execution mode: needs setpriv, a writable $sysdir, a mount without nosuid"
fi
rm -rf "$S"

echo "== the dispatch path calls no libc"
# dispatch.c (the path of every call), chain.c and swap.c (the hooks and
# their sections), the decoder and the planner call no libc at all;
# rewrite.c, zpoline.c and unwind.c only what start-up needs (zpoline.c's
# dlsym: zpoline_start looks for a runtime already running).
libc_of() {
	nm -u "$top/build/$1" | awk '$2 !~ /^zp_|^__start_zp_own$|^__stop_zp_own$|^_GLOBAL_OFFSET_TABLE_$/ { print $2 }' | sort | tr '\n' ' '
}
d=$(libc_of dispatch.o)$(libc_of chain.o)$(libc_of swap.o)
r=$(libc_of rewrite.o) z=$(libc_of zpoline.o) u=$(libc_of unwind.o)
s=$(libc_of decoder.o)$(libc_of sites.o)
if [ -z "$d" ] && [ -z "$s" ] &&
   [ "$r" = "dl_iterate_phdr getauxval " ] &&
   [ "$z" = "dladdr1 dlsym getauxval " ] &&
   [ "$u" = "dl_iterate_phdr dladdr1 dlclose dlinfo dlopen dlsym getauxval " ]; then
	ok "dispatch.o, chain.o, swap.o, decoder.o, sites.o: no libc; rewrite.o, zpoline.o, unwind.o: start-up only"
else
	echo "    dispatch.o, chain.o, swap.o: $d"; echo "    rewrite.o: $r"
	echo "    zpoline.o: $z"; echo "    unwind.o: $u"
	echo "    decoder.o, sites.o: $s"
	bad "unexpected undefined symbols"
fi

echo "runtime: $pass passed, $fail failed"
[ $fail = 0 ]
