#!/bin/sh
# hooks_check.sh - several hooks at once, hot swap, embedding (make
# check-hooks).
#
# The test hooks answer system calls that no kernel has (500, 501, 502)
# with values that name them (hook_answer.c: a 500 -> 1111, b 501 -> 2222,
# c 500 -> 3333), or write down what they see (hook_log.c).  A native run
# of the same program gets ENOSYS for those calls and says what the kernel
# does with the others: the hooked run must differ exactly where a hook
# answers.  Swaps are checked by a program whose threads count, call by
# call, which hook answered (rt_swap.c): every call answered by the old or
# the new hook, none by nobody, and no thread back to the old one once it
# has seen the new.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
T=$top/build/test
LIB=$top/libzpoline.so
Z=$top/zpoline
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() {
	fail=$((fail + 1)); echo "FAIL $1"; shift
	for f in "$@"; do [ -f "$f" ] && sed -n '1,25s/^/    /p' "$f"; done
}
check() { # NAME FILE...: the command before it succeeded, or FAIL
	if [ $? = 0 ]; then ok "$1"; else name=$1; shift; bad "$name" "$@"; fi
}
hooks() { # a:b:c -> the test hooks' paths, joined by ':'
	echo "$1" | tr ':' '\n' | sed "s|^|$T/hook_|; s|\$|.so|" | paste -sd: -
}
cd "$W" || exit 1

# --------------------------------------------------------------------------
echo "== several hooks: a chain"
"$T/rt_chain" >native.out
enosys=$(sed -n 's/^libc 502: //p' native.out)	# the kernel's answer
# rt_chain's lines as they must be when hooks answer some numbers (a list
# "NR=VALUE ..."); the other lines as natively.
expect_chain() {
	cp native.out expect.out
	for a in "$@"; do
		sed -i "s/^\(libc\|inline\) ${a%=*}: .*/\1 ${a%=*}: ${a#*=}/" expect.out
	done
}
run_chain() { # NAME CHAIN EXPECTED...
	name=$1 chain=$2; shift 2
	expect_chain "$@"
	ZPOLINE_HOOK=$(hooks "$chain") LD_PRELOAD="$LIB" "$T/rt_chain" >h.out 2>h.err
	cmp -s expect.out h.out && [ ! -s h.err ]; check "$name" h.out h.err
}
run_chain "a:b: each hook answers its own number, the rest reaches the kernel" \
	answer_a:answer_b 500=1111 501=2222
run_chain "b:a: the same the other way round" answer_b:answer_a 500=1111 501=2222
run_chain "a:c: both answer 500, the first one wins" answer_a:answer_c 500=1111
run_chain "c:a: ... whichever is first" answer_c:answer_a 500=3333

# The order the hooks see a call in, and its result.  x and y log, a and b
# answer, n logs and makes the call with next() (the rest of the chain,
# then the kernel).  500: x, then a answers; x's after sees a's answer, y
# never sees it.  501: x, n, whose next() runs b, which answers; n returns
# that; x sees it in after.  502: nobody answers: x, n, y, the kernel,
# then the afters in reverse: y's (inside n's next()), x's.
log_chain() { # CHAIN: its log (ZPOLINE_ZPTEST_LOG_FD=9) of rt_chain
	ZPOLINE_ZPTEST_LOG_FD=9 ZPOLINE_HOOK=$(hooks "$1") LD_PRELOAD="$LIB" \
		"$T/rt_chain" >h.out 2>h.err 9>log.out
}
log_chain log_x:answer_a:log_next:answer_b:log_y
expect_chain 500=1111 501=2222
for how in libc inline; do cat <<EOF; done >expect.log
x call 500
x after 500 1111
x call 501
n call 501
n next 501 2222
x after 501 2222
x call 502
n call 502
y call 502
y after 502 $enosys
n next 502 $enosys
x after 502 $enosys
EOF
cmp -s expect.log log.out && cmp -s expect.out h.out && [ ! -s h.err ]
check "who sees what, in which order: calls in chain order, afters in reverse, next()" \
	log.out expect.log h.err
log_chain log_x:log_y
for how in libc inline; do for nr in 500 501 502; do
	printf 'x call %s\ny call %s\ny after %s %s\nx after %s %s\n' \
		$nr $nr $nr "$enosys" $nr "$enosys"; done; done >expect.log
cmp -s expect.log log.out; check "two hooks that let calls through: afters in reverse" log.out

# Calls only the stub can make (clone with a new stack, vfork), through
# hooks that call next() (which then makes nothing and says
# ZPOLINE_DO_SYSCALL), first or last in the chain: as natively.
for chain in pass_next:pass pass:pass_next pass_next:pass_next:libc; do
	for p in rt_clone rt_vfork rt_signals; do
		"$T/$p" >n.out 2>&1; ns=$?
		ZPOLINE_HOOK=$(hooks $chain) LD_PRELOAD="$LIB" "$T/$p" >h.out 2>&1; hs=$?
		[ $ns = $hs ] && cmp -s n.out h.out; check "$p through $chain" n.out h.out
	done
done

# The command and the configuration file pass the list on.
expect_chain 500=1111 501=2222
"$Z" --hook "$(hooks answer_a:answer_b)" "$T/rt_chain" >h.out 2>h.err
cmp -s expect.out h.out && [ ! -s h.err ]; check "zpoline --hook a.so:b.so" h.out h.err
printf 'hook = %s\n' "$(hooks answer_a:answer_b)" >cfg
ZPOLINE_CONFIG=$W/cfg LD_PRELOAD="$LIB" "$T/rt_chain" >h.out 2>h.err
cmp -s expect.out h.out && [ ! -s h.err ]; check "hook = a.so:b.so in the configuration file" h.out h.err

# Each hook's own init fields, in a chain of two copies of the same hook
# (each copy in its namespace): both hear of the same calls and signals,
# both flush, each keeps its descriptor hidden.
ZPOLINE_HOOK=$(hooks early:early) LD_PRELOAD="$LIB" ls / >/dev/null 2>h.err 9>early.out
n=$(wc -l <early.out); half=$((n / 2))
head -n $half early.out >first; tail -n $half early.out >second
[ $((half * 2)) = "$n" ] && [ "$half" -gt 50 ] && cmp -s first second && [ ! -s h.err ]
check "earlier and after: two hooks heard the same $half calls" first second h.err
ZPTEST_SIG_FD=9 ZPOLINE_HOOK="$T/hook_signals.so" LD_PRELOAD="$LIB" "$T/rt_sigs" >/dev/null 9>sig1
ZPTEST_SIG_FD=9 ZPOLINE_HOOK=$(hooks signals:signals) LD_PRELOAD="$LIB" "$T/rt_sigs" >/dev/null 9>sig2
awk 'NR % 2' sig2 >sig2.odd; awk '!(NR % 2)' sig2 >sig2.even
[ -s sig1 ] && cmp -s sig1 sig2.odd && cmp -s sig1 sig2.even
check "signal: each hook hears of each delivery ($(wc -l <sig1) of them)" sig1 sig2
ZPOLINE_HOOK=$(hooks buffered:buffered) LD_PRELOAD="$LIB" "$T/rt_exit" exit_group 2>&1 | cat >buf.out
[ "$(grep -c '^hook: loaded$' buf.out)" = 2 ] &&
	[ "$(grep '^hook: .* calls, exit_group' buf.out | sort -u | wc -l)" = 1 ] &&
	[ "$(grep -c 'exit_group' buf.out)" = 2 ]
check "flush: both hooks' buffered output survives exit_group" buf.out
"$T/rt_fds" list >n.out 2>&1
: >own.out
ZPTEST_OWN_OUT=$W/own.out ZPOLINE_HOOK=$(hooks ownfd:answer_a:ownfd) LD_PRELOAD="$LIB" \
	"$T/rt_fds" list >h.out 2>&1
cmp -s n.out h.out && [ "$(awk '{ print $1 }' own.out | sort -u | wc -l)" -ge 1 ] &&
	[ "$(wc -l <own.out)" -gt 20 ]
check "own_fd: two hooks' descriptors, both hidden" n.out h.out

# ZPOLINE_HOOK_NO_VECTOR counts only if every hook of the chain says it.
vec() { ZPOLINE_VERBOSE=1 ZPOLINE_HOOK=$(hooks "$1") LD_PRELOAD="$LIB" /bin/true 2>&1 |
	sed -n 's/.*vector state saved: //p' | sort -u; }
[ "$(vec pass:answer_a)" = none ] && [ "$(vec pass:libc)" != none ] && [ -n "$(vec pass:libc)" ]
check "vector state: not saved for pass:answer_a, saved for pass:libc ($(vec pass:libc))"

# --------------------------------------------------------------------------
echo "== several hooks: the limits"
# 16 hooks that need no libc: the 16th is one too many (glibc has 16
# namespaces, one the program's).  The first answers 500: the program runs
# with the 15 that loaded.
list=$T/hook_answer_a.so; for i in $(seq 15); do list=$list:$T/hook_pass.so; done
expect_chain 500=1111
ZPOLINE_HOOK=$list LD_PRELOAD="$LIB" "$T/rt_chain" >h.out 2>h.err
cmp -s expect.out h.out && [ "$(wc -l <h.err)" = 1 ] &&
	grep -q "^zpoline: too many hooks: at most 15 (glibc has 16 link-map namespaces, one of them the program's); $T/hook_pass.so is not loaded$" h.err
check "16 hooks: one line, the program runs with 15" h.err h.out
# Hooks with a libc of their own: each libc takes glibc's static TLS.
list=$T/hook_answer_a.so; for i in $(seq 14); do list=$list:$T/hook_answer_libc_c.so; done
env -u GLIBC_TUNABLES ZPOLINE_VERBOSE=1 ZPOLINE_HOOK=$list LD_PRELOAD="$LIB" \
	"$T/rt_chain" >h.out 2>h.err
loaded=$(grep -c '^zpoline: hook [0-9]* of [0-9]*: ' h.err)
grep -v '^zpoline: hook [0-9]* of\|sites (\|^zpoline: rewrote\|^zpoline: start-up' h.err >h.lines
cmp -s expect.out h.out && [ "$(wc -l <h.lines)" = 1 ] &&
	grep -q "^zpoline: cannot load hook library $T/hook_answer_libc_c.so: .*static TLS.* (hook [0-9]* of 15: a limit of glibc's, see zpoline(7)); it and the [0-9]* after it are not loaded$" h.lines
check "hooks with a libc each: $((loaded - 1)) load, then one line (static TLS)" h.lines h.out

# --------------------------------------------------------------------------
echo "== hot swap"
# swap_run HOOKS SECONDS THREADS: rt_swap under `zpoline --swap`, in the
# background; $pid is its pid once every thread has made a call.
swap_run() {
	rm -f ready
	"$Z" --swap --hook "$(hooks "$1")" "$T/rt_swap" threads "$3" "$2" "$W/ready" \
		>swap.out 2>swap.err &
	pid=$!
	while [ ! -e ready ] && kill -0 $pid 2>/dev/null; do sleep 0.02; done
}
# swap_ok FILE VALUES...: each thread saw the values in this order
# (consecutive repeats allowed), none lost.
swap_ok() {
	f=$1; shift
	python3 - "$f" "$@" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
order = [int(v) for v in sys.argv[2:]]
threads = [l for l in lines if l.startswith("thread ")]
lost = [int(l.split()[1]) for l in lines if l.startswith("lost ")]
ok = len(threads) > 0 and len(lost) == len(threads) and not any(lost)
for t in threads:
    words = t.split(":", 1)[1].split()
    seen = [int(w) for w in words[0::2]]
    ok = ok and seen == order
print("%d threads, %d calls, lost %d" % (len(threads),
      sum(int(w[1:]) for t in threads for w in t.split(":", 1)[1].split()[1::2]), sum(lost)))
sys.exit(0 if ok else 1)
PY
}
swap_run answer_a 1.5 4
"$Z" swap $pid "$(hooks answer_c)" 2>cmd.err; st=$?
sleep 0.3
maps=$(grep -c hook_answer_a /proc/$pid/maps)
wait $pid
summary=$(swap_ok swap.out 1111 3333); sst=$?
[ $st = 0 ] && [ $sst = 0 ] && [ "$maps" = 0 ] && grep -q '^zpoline: swapped$' cmd.err
check "4 threads, a -> c: $summary; the old hook unloaded" swap.out cmd.err swap.err

# Back and forth between hooks with a libc each, 30 times: every swap
# taken, the old namespaces unloaded (glibc has 16).
swap_run answer_libc_a 3 4
n=0 failed=0
for i in $(seq 30); do
	if [ $((i % 2)) = 1 ]; then h=answer_libc_c; else h=answer_libc_a; fi
	"$Z" swap $pid "$(hooks $h)" 2>>cmd.err || failed=$((failed + 1))
	n=$((n + 1))
done
sleep 0.2
spaces=$(awk '$6 ~ /\/libc\.so\.6$/ && $3 == "00000000"' /proc/$pid/maps | wc -l)
wait $pid
order=1111; for i in $(seq 15); do order="$order 3333 1111"; done
summary=$(swap_ok swap.out $order); sst=$?
[ $sst = 0 ] && [ $failed = 0 ]
check "30 swaps between hooks with a libc each: $failed refused; $summary" swap.out cmd.err
# Every thread's 31 answers in order means every call went to the hook
# of the moment; copies of libc mapped at the end: the program's and the
# hook's.
[ "$spaces" = 2 ]; check "old namespaces unloaded ($spaces copies of libc mapped at the end)"

# A single thread blocked in read or in poll: the signal handler itself
# swaps (the thread makes no call), and the call goes on as if no signal
# had come (poll is one the kernel does not restart).
for how in read poll; do
	rm -f ready fifo && mkfifo fifo
	"$Z" --swap --hook "$(hooks answer_a)" "$T/rt_swap" $how "$W/ready" <fifo >blk.out 2>&1 &
	pid=$!
	exec 7>fifo
	while [ ! -e ready ]; do sleep 0.02; done
	sleep 0.2
	"$Z" swap $pid "$(hooks answer_c)" 2>cmd.err; st=$?
	echo line >&7; exec 7>&-
	wait $pid; pst=$?
	[ $st = 0 ] && [ $pst = 0 ] && [ "$(cat blk.out)" = "read: line
500: 3333" ]
	check "a thread blocked in $how: swapped, and its $how goes on" blk.out cmd.err
done

# Into the default tracer (with c after it), and back out: the trace has
# the calls c answered, and the tracer is unloaded after.  The same with
# hook_ownfd: the descriptor it registered (init->own_fd) is closed when
# it is unloaded.
export ZPOLINE_OUTPUT="$W/trace" ZPTEST_OWN_OUT="$W/own2.out"
swap_run answer_a 2 2
unset ZPOLINE_OUTPUT ZPTEST_OWN_OUT
"$Z" swap $pid "$top/libzpoline_hook.so:$(hooks answer_c)" 2>cmd.err; st1=$?
sleep 0.2
m1=$(grep -c libzpoline_hook.so /proc/$pid/maps)
"$Z" swap $pid "$(hooks ownfd:answer_a)" 2>>cmd.err; st2=$?
sleep 0.2
m2=$(grep -c libzpoline_hook.so /proc/$pid/maps)
fd1=$(ls -l /proc/$pid/fd | grep -c "$W/own2.out")
"$Z" swap $pid "$(hooks answer_c)" 2>>cmd.err; st3=$?
sleep 0.3
fd2=$(ls -l /proc/$pid/fd | grep -c "$W/own2.out")
wait $pid
summary=$(swap_ok swap.out 1111 3333 1111 3333); sst=$?
[ $sst = 0 ] && [ $st1 = 0 ] && [ $st2 = 0 ] && [ $st3 = 0 ] && [ "$m1" -gt 0 ] &&
	[ "$m2" = 0 ] && grep -q '^syscall_0x1f4(.*) = 3333$' "$W/trace"
check "swap to the tracer and out: $(grep -c ' = 3333$' "$W/trace") calls traced, then unloaded" \
	cmd.err swap.out
[ "$fd1" = 1 ] && [ "$fd2" = 0 ] && [ -s "$W/own2.out" ]
check "a hook's own descriptor is closed when it is unloaded" cmd.err

# While threads start and end by thousands, children are forked, and a
# SIGALRM handler of the program's runs every millisecond: 20 swaps, no
# call of a thread or child lost (the handler's calls that interrupt a
# thread inside a hook bypass the hooks: the re-entry guard's known limit).
rm -f ready
"$Z" --swap --hook "$(hooks answer_a)" "$T/rt_swap" churn 2 "$W/ready" >churn.out 2>&1 &
pid=$!
while [ ! -e ready ]; do sleep 0.02; done
failed=0
for i in $(seq 20); do
	if [ $((i % 2)) = 1 ]; then h=answer_libc_c; else h=answer_a; fi
	"$Z" swap --timeout=5 $pid "$(hooks $h)" 2>>cmd.err || failed=$((failed + 1))
	sleep 0.03
done
wait $pid; st=$?
[ $st = 0 ] && [ $failed = 0 ] && grep -q '^lost 0$' churn.out
check "20 swaps among threads that come and go, forks, a handler: $(head -1 churn.out)" churn.out

# A real program (python: threads, a subprocess, its own signal handler)
# swapped between the tracer and a pass-through hook while it runs: its
# output is what it is natively.
cat >py.py <<'PY'
import os, signal, subprocess, sys, threading, time
ready, seconds = sys.argv[1], float(sys.argv[2])
got = []
signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
def work(i):
    n = 0
    end = time.time() + seconds
    while time.time() < end:
        os.getppid(); os.stat("/"); n += 1
    return n
ts = [threading.Thread(target=work, args=(i,)) for i in range(3)]
[t.start() for t in ts]
open(ready, "w").close()
out = subprocess.run(["sh", "-c", "echo child; exit 3"], capture_output=True, text=True)
os.kill(os.getpid(), signal.SIGUSR1)
[t.join() for t in ts]
print(out.stdout.strip(), out.returncode, got)
PY
rm -f ready; python3 py.py "$W/ready" 1.5 >n.out 2>&1
rm -f ready
"$Z" --swap --hook "$T/hook_pass.so" -o "$W/py.trace" python3 py.py "$W/ready" 1.5 >h.out 2>&1 &
pid=$!
while [ ! -e ready ]; do sleep 0.02; done
"$Z" swap $pid "$top/libzpoline_hook.so" 2>cmd.err; st1=$?
sleep 0.3
"$Z" swap $pid "$T/hook_pass.so" 2>>cmd.err; st2=$?
wait $pid; st=$?
[ $st = 0 ] && [ $st1 = 0 ] && [ $st2 = 0 ] && cmp -s n.out h.out &&
	grep -q '^\(\[pid *[0-9]*\] \)\?getppid() *= [0-9]*$' "$W/py.trace"
check "python swapped to the tracer and back: same output as natively ($(grep -c getppid "$W/py.trace") getppid traced)" \
	n.out h.out cmd.err

# Refusals: a process started without --swap; another user; a request
# file that is not the user's own.
sleep 5 &
spid=$!
"$Z" swap $spid "$(hooks answer_c)" 2>cmd.err; st=$?
kill $spid
[ $st = 1 ] && grep -q "^zpoline: swap: process $spid takes no swap requests: it was not started with ZPOLINE_SWAP set" cmd.err
check "a process started without --swap: refused" cmd.err
swap_run answer_a 2 2
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$Z" swap $pid "$(hooks answer_c)" 2>cmd.err; st=$?
	[ $st = 1 ] && grep -q "^zpoline: swap: process $pid is not yours" cmd.err
	check "another user's zpoline swap: refused" cmd.err
	# Nor may that user send the signal (the kernel says so).
	setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
r = libc.sigqueue(int(sys.argv[1]), 64, ctypes.c_void_p(0x7a707377))
print(os.strerror(ctypes.get_errno()) if r else "sent")' $pid >q.out
	grep -q 'Operation not permitted' q.out; check "another user's signal: EPERM" q.out
fi
# A request file another user owns, in the user's directory: refused,
# with the reason as the answer; the hook stays.
dir=${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/zpoline}; dir=${dir:-/tmp/zpoline-$(id -u)}
mkdir -p "$dir" && chmod 700 "$dir" && rm -f "$dir/$pid.result"
printf '%s' "$(hooks answer_c)" >"$dir/$pid.swap" && chown 65534 "$dir/$pid.swap"
python3 -c '
import ctypes, sys
ctypes.CDLL(None).sigqueue(int(sys.argv[1]), 64, ctypes.c_void_p(0x7a707377))' $pid
sleep 0.5
cp "$dir/$pid.result" res.out 2>/dev/null
rm -f "$dir/$pid.swap" "$dir/$pid.result"
wait $pid
summary=$(swap_ok swap.out 1111); sst=$?
[ $sst = 0 ] && grep -q "^zpoline: swap request ignored: $dir/$pid.swap is not a file of the user's own that only the user may write$" res.out
check "a request file the user does not own: refused ($summary)" swap.out res.out
# ZPOLINE_SWAP without the runtime: the command does not send a signal
# that would kill the process.
ZPOLINE_SWAP=RTMAX sleep 5 &
spid=$!
sleep 0.1
"$Z" swap $spid "$(hooks answer_c)" 2>cmd.err; st=$?
kill -0 $spid && [ $st = 1 ] && grep -q "^zpoline: swap: process $spid does not catch signal 64" cmd.err
check "ZPOLINE_SWAP set but no runtime: refused, the process lives" cmd.err
kill $spid

# Swapping on, nothing swapped: programs run as natively (signal
# handlers included: the runtime takes them all over), and the swap
# signal's action is the program's own.
same() { # NAME CMD...
	name=$1; shift
	"$@" >n.out 2>n.err; ns=$?
	ZPOLINE_SWAP=RTMAX ZPOLINE_HOOK=$T/hook_pass.so LD_PRELOAD="$LIB" "$@" >h.out 2>h.err; hs=$?
	[ $ns = $hs ] && cmp -s n.out h.out && cmp -s n.err h.err; check "$name" n.out h.out h.err
}
same "swapping on: signal handlers, SA_RESETHAND, a caught SIGSEGV" "$T/rt_sigs"
same "swapping on: the swap signal is the program's (SIG_DFL, then its own)" python3 -c '
import signal, os
print(signal.getsignal(signal.SIGRTMAX))
signal.signal(signal.SIGRTMAX, lambda s, f: print("handler", s))
os.kill(os.getpid(), signal.SIGRTMAX)
print(signal.getsignal(signal.SIGRTMAX) is not signal.SIG_DFL)'
# A vfork child (python's subprocess) sets its signal handlers back to
# SIG_DFL before it execs: its signal table is its own, but its memory is
# the parent's, where the runtime keeps the program's actions.  The
# parent's handler must still run afterwards, with the runtime holding
# every handler (swapping on, or a hook that hears of signals).
vfork_py='import os, signal, subprocess
got = []
signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
print(subprocess.run(["true"]).returncode)
os.kill(os.getpid(), signal.SIGUSR1)
print(got)'
same "swapping on: a vfork child resets its handlers, the parent keeps its own" python3 -c "$vfork_py"
python3 -c "$vfork_py" >n.out 2>&1
ZPTEST_SIG_FD=9 ZPOLINE_HOOK=$T/hook_signals.so LD_PRELOAD="$LIB" python3 -c "$vfork_py" >h.out 2>&1 9>/dev/null
cmp -s n.out h.out; check "... and with a hook that hears of signals" n.out h.out
same "swapping on: python threads and subprocesses" python3 -c '
import subprocess, threading
out = []
def work(i):
    out.append(subprocess.run(["echo", str(i)], capture_output=True, text=True).stdout)
ts = [threading.Thread(target=work, args=(i,)) for i in range(6)]
[t.start() for t in ts]; [t.join() for t in ts]
print(sorted(out))'

# --------------------------------------------------------------------------
echo "== embedding (libzpoline.a)"
E=$T/embed
"$E" none >n.out 2>&1
ZPOLINE_VERBOSE=1 "$E" none >h.out 2>&1
cmp -s n.out h.out && ! grep -q ': [0-9]\{4\}$' h.out
check "without zpoline_start nothing starts (not even with ZPOLINE_VERBOSE)" h.out
"$E" fn >h.out 2>&1
[ "$(grep -c '^after, \(libc\|inline\) 500: 4242$' h.out)" = 2 ] &&
	[ "$(grep -c '^my hook: 501$' h.out)" = 2 ] &&
	[ "$(grep -c '^after, \(libc\|inline\) 501: '"$enosys"'$' h.out)" = 2 ] &&
	grep -q '^my hook saw calls: yes$' h.out && grep -q '^zpoline_start: 0$' h.out
check "its own hook: libc's and an inline call reach it; its write() does not loop" h.out
"$E" lib "$T/hook_answer_a.so" >h.out 2>&1
[ "$(grep -c '^after, \(libc\|inline\) 500: 1111$' h.out)" = 2 ]
check "a hook library" h.out
"$T/embed_nopie" fn >h.out 2>&1
[ "$(grep -c '^after, \(libc\|inline\) 500: 4242$' h.out)" = 2 ]
check "the same in a program that is not position-independent" h.out
"$E" both "$T/hook_answer_b.so" >h.out 2>&1
[ "$(grep -c '^after, \(libc\|inline\) 500: 4242$' h.out)" = 2 ] &&
	[ "$(grep -c '^after, \(libc\|inline\) 501: 2222$' h.out)" = 2 ]
check "its own hook, then a library" h.out
ZPOLINE_HOOK=$T/hook_answer_c.so LD_PRELOAD="$LIB" "$E" fn >h.out 2>&1
grep -q "^zpoline_start: -$(python3 -c 'import errno; print(errno.EALREADY)')$" h.out &&
	[ "$(grep -c '^after, \(libc\|inline\) 500: 3333$' h.out)" = 2 ]
check "libzpoline.so preloaded as well: zpoline_start says EALREADY" h.out
# The runtime's own syscall instructions are in the program now: zp_own
# must list each of them (objdump finds them in the runtime's functions),
# and the rewriting must leave them alone: the program's own sites, as
# zpscan counts them, are all that is rewritten in it.
"$top/zpscan" "$E" >scan.out
objdump -d --no-show-raw-insn "$E" | awk '
	/^[0-9a-f]+ <.*>:$/ { fn = $2 }
	fn ~ /^<(zp_entry_gate|zp_entry|zp_plain_syscall|zp_raw_syscall|zp_sigreturn_restorer)>:$/ && $2 == "syscall" {
		sub(":", "", $1); print "0x" $1 }' | sed 's/0x0*/0x/' | sort >own.want
python3 - "$E" <<'PY' | sort >own.got
import struct, subprocess, sys
for line in subprocess.run(["objdump", "-h", sys.argv[1]], capture_output=True,
                           text=True).stdout.splitlines():
    p = line.split()
    if len(p) > 5 and p[1] == "zp_own":
        size, vma, off = int(p[2], 16), int(p[3], 16), int(p[5], 16)
with open(sys.argv[1], "rb") as f:
    f.seek(off)
    data = f.read(size)
for i in range(size // 4):	# each entry: the instruction's offset from it
    print(hex(vma + 4 * i + struct.unpack_from("<i", data, 4 * i)[0]))
PY
sites=$(grep -c '^site ' scan.out)
ZPOLINE_VERBOSE=1 "$E" fn 2>&1 >/dev/null | grep "$E: " >v.out
[ -s own.want ] && cmp -s own.want own.got &&
	grep -q "^zpoline: $E: $sites sites (" v.out
check "zp_own lists the runtime's $(wc -l <own.got) syscall instructions; only the program's $sites sites rewritten" \
	own.want own.got v.out

echo "hooks: $pass passed, $fail failed"
[ $fail = 0 ]
