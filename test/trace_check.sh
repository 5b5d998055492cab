#!/bin/sh
# trace_check.sh - the tracer's tests (make check-tracer).
#
#     sh test/trace_check.sh BUILD_DIR
#
# Every check compares the tracer with something real: strace's view of the
# same run (trace_compare.py, trace_summary.py), or what a program is known
# to do (trace_lines.py).  Runs go under BUILD_DIR/trace/NAME/.  Last line:
# "tracer: N passed, N failed"; the exit status is 1 if anything failed.
set -u
B=${1:-build}
top=$(pwd)
out="$top/$B/trace"
pre="$top/libzpoline.so"
hook="$top/libzpoline_hook.so"
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3  # not a wrapper script
passed=0
failed=0

result() {	# result NAME STATUS: counts one check
	if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else
		failed=$((failed + 1)); echo "tracer: $1 FAILED"; fi
}

fresh() {	# fresh NAME: an empty directory for one run
	rm -rf "$out/$1" && mkdir -p "$out/$1" && echo "$out/$1"
}

# under_strace NAME CMD...: CMD runs once, seen by strace -ff and traced
# by the tracer (to NAME/t.txt); then the two views are compared line by
# line, word for word.
under_strace() {
	name=$1; shift
	d=$(fresh "$name")
	timeout 120 strace -ff -o "$d/s" -E LD_PRELOAD="$pre" \
		-E ZPOLINE_OUTPUT="$d/t.txt" "$@" >"$d/stdout" 2>"$d/stderr" </dev/null
	$py test/trace_compare.py --name "$name" "$d/s" "$d/t.txt"
	result "$name" $?
}

# 1. The harness: every family of calls the tracer decodes, word for word.
d=$(fresh harness)
TRACE_TMP="$d" timeout 60 strace -ff -o "$d/s" -E ZPOLINE_OUTPUT="$d/t.txt" \
	"$B/test/trace_harness" "$hook" >/dev/null 2>"$d/stderr"
$py test/trace_compare.py --name harness "$d/s" "$d/t.txt"
result harness $?

# 2. The corpus: real programs under the runtime.  A small git repository
# and a C file are made first, untraced.
corpus=$(fresh corpus)
git init -q "$corpus/repo" && printf 'hi\n' >"$corpus/repo/a.txt" &&
	printf 'int f(int x) { return 2 * x; }\n' >"$corpus/repo/f.c" &&
	git -C "$corpus/repo" add . &&
	git -C "$corpus/repo" -c user.name=t -c user.email=t@t commit -qm 1 &&
	printf 'more\n' >>"$corpus/repo/a.txt" || echo "tracer: corpus setup failed"
under_strace ls ls -la /usr
under_strace cat cat hook_default.c
under_strace pipeline bash -c 'grep -c root /etc/passwd | cat; ls / | wc -l'
under_strace python $py -c 'import json, subprocess
print(json.dumps({"rc": subprocess.run(["true"]).returncode}))'
under_strace git git -C "$corpus/repo" status
under_strace gcc gcc -c -o "$corpus/f.o" "$corpus/repo/f.c"
under_strace threads "$B/test/trace_threads" 4 20

# 3. The "trace" filter: ZPOLINE_TRACE=SET against strace -e trace=SET of
# the same run of test/trace_classes.py, which makes calls of each class.
# strace also shows the calls the comparison needs to find processes,
# images, the tracer's start, handlers and its lost descriptor (see
# trace_compare.py);
# it leaves them out unless a probe of the harness under
# `strace -e trace=SET` shows strace counts them in SET.
filter_case() {	# filter_case NAME SET
	name=$1 set=$2
	extra=write,execve,close_range,fcntl,clone,clone3,fork,vfork,rt_sigaction
	d=$(fresh "$name")
	case $set in '!'*|all) extra= ;; esac
	TRACE_TMP="$d" ZPOLINE_OUTPUT=/dev/null timeout 60 strace -f -qq \
		-e trace="$set" -o "$d/probe" "$B/test/trace_harness" "$hook" \
		>/dev/null 2>&1
	timeout 120 strace -ff -o "$d/s" -e trace="$set${extra:+,$extra}" \
		-E LD_PRELOAD="$pre" -E ZPOLINE_OUTPUT="$d/t.txt" \
		-E ZPOLINE_TRACE="$set" $py test/trace_classes.py \
		>/dev/null 2>"$d/stderr" </dev/null
	$py test/trace_compare.py --name "$name" --extra "$extra" \
		--probe "$d/probe" "$d/s" "$d/t.txt"
	result "$name" $?
}
filter_none() {	# trace=none: no call printed, as strace prints none
	d=$(fresh "filter none")
	timeout 120 strace -ff -o "$d/s" -e trace=none -E LD_PRELOAD="$pre" \
		-E ZPOLINE_OUTPUT="$d/t.txt" -E ZPOLINE_TRACE=none \
		$py test/trace_classes.py >/dev/null 2>"$d/stderr" </dev/null
	! cat "$d"/s.* | grep -v '^+++\|^---' && ! grep -v '^\(\[pid  *[0-9]*\] \)*\(+++\|---\)' "$d/t.txt" &&
		grep -q '+++ exited with 0 +++' "$d/t.txt" &&
		echo "filter none: ok, no call printed by either"
	result "filter none" $?
}
for set in %file %network %net %process %signal %memory %ipc %desc %creds \
	   %clock %stat %lstat %fstat %%stat %statfs %fstatfs %%statfs \
	   'openat,close,read' '!%memory' 'file,signal' all; do
	filter_case "filter $set" "$set"
done
filter_none
# A word strace refuses: one line each, the rest of the set still applies.
d=$(fresh filter-unknown)
for w in bogus %nosuch; do
	strace -e trace="$w" true >/dev/null 2>&1 && echo "strace accepts $w"
	printf 'zpoline: trace: unknown system call or class "%s"\n' "$w"
done >"$d/expected"
ZPOLINE_TRACE='bogus,openat,%nosuch,?alsobogus' ZPOLINE_OUTPUT="$d/t.txt" \
	LD_PRELOAD="$pre" cat /dev/null 2>"$d/stderr"
cmp -s "$d/expected" "$d/stderr" && ! grep -v '^openat(\|^+++' "$d/t.txt" &&
	grep -q '^openat(AT_FDCWD, "/dev/null", O_RDONLY) = 3$' "$d/t.txt"
result filter-unknown-words $?

# 4. ZPOLINE_SUMMARY's tables against the calls strace counted; the
# pipeline's subshell is a fork child that exits without exec.
summary() {	# summary NAME CMD...
	name=$1; shift
	d=$(fresh "$name")
	timeout 60 strace -ff -o "$d/s" -E LD_PRELOAD="$pre" \
		-E ZPOLINE_SUMMARY=1 "$@" >/dev/null 2>"$d/table" </dev/null
	$py test/trace_summary.py "$d/s" "$d/table"
	result "$name" $?
}
summary summary ls -la /usr
summary summary-fork bash -c 'ls / >/dev/null; (echo x; true) | cat >/dev/null'
# summary=both: the trace, word for word, and the table, in one output.
d=$(fresh summary-both)
timeout 60 strace -ff -o "$d/s" -E LD_PRELOAD="$pre" -E ZPOLINE_SUMMARY=both \
	-E ZPOLINE_OUTPUT="$d/t.txt" ls -la /usr >/dev/null 2>&1 </dev/null
$py test/trace_compare.py --name summary-both "$d/s" "$d/t.txt" &&
	$py test/trace_summary.py "$d/s" "$d/t.txt"
result summary-both $?

# A trace that cannot be written says so once per process, on standard
# error, whatever the number of threads, and the program runs on.
d=$(fresh write-error)
$py -c 'import os
print("zpoline: trace output: write failed: " + os.strerror(28))' >"$d/expected"
ZPOLINE_OUTPUT=/dev/full LD_PRELOAD="$pre" "$B/test/trace_threads" 8 50 \
	>/dev/null 2>"$d/stderr"
st=$?
LD_PRELOAD="$pre" ZPOLINE_OUTPUT=/dev/full cat /etc/hostname >"$d/cat.out" \
	2>"$d/cat.err"
[ $st -eq 0 ] && cmp "$d/expected" "$d/stderr" && cmp "$d/expected" "$d/cat.err" &&
	cmp /etc/hostname "$d/cat.out" && echo "write-error: ok, one line: $(cat "$d/stderr")"
result write-error $?

# 5. 16 threads through the tracer, to a pipe and to a file.
d=$(fresh lines)
LD_PRELOAD="$pre" "$B/test/trace_threads" 16 400 2>&1 >/dev/null |
	$py test/trace_lines.py 16 400 >"$d/pipe.out"
st=$?; printf 'lines, pipe: '; cat "$d/pipe.out"; result lines-pipe $st
ZPOLINE_OUTPUT="$d/t.txt" LD_PRELOAD="$pre" "$B/test/trace_threads" 16 400
printf 'lines, file: '; $py test/trace_lines.py 16 400 "$d/t.txt"
result lines-file $?

# 6. The checks can fail: a trace with one line missing, or torn, is caught.
# (Lines of the program's own run: the earlier calls at the start of an
# image are checked only to be strace's, in order.)
d=$(fresh broken)
last_open=$(grep -n '^openat' "$out/ls/t.txt" | tail -1 | cut -d: -f1)
last_close=$(grep -n '^close' "$out/ls/t.txt" | tail -1 | cut -d: -f1)
sed "${last_open}d" "$out/ls/t.txt" >"$d/t.txt"
$py test/trace_compare.py --name broken "$out/ls/s" "$d/t.txt" >/dev/null
[ $? -eq 1 ]; result "compare-catches-a-lost-line" $?
sed "${last_close}s/= \(-*[0-9]\)/= 7\1/; ${last_open}s/, /,  /" "$out/ls/t.txt" >"$d/t.txt"
$py test/trace_compare.py --name broken "$out/ls/s" "$d/t.txt" >/dev/null
[ $? -eq 1 ]; result "compare-catches-a-changed-word" $?
$py test/trace_compare.py --name broken --extra "write,execve,close_range,fcntl,clone,clone3,fork,vfork,rt_sigaction" \
	--probe "$out/filter %desc/probe" "$out/filter %desc/s" \
	"$out/filter %fstat/t.txt" >/dev/null
[ $? -eq 1 ]; result "compare-catches-another-filter" $?
awk 'NR == 500 { printf "%s", substr($0, 1, 20); next } { print }' \
	"$out/lines/t.txt" >"$d/torn.txt"
$py test/trace_lines.py 16 400 "$d/torn.txt" >/dev/null
[ $? -eq 1 ]; result "lines-catches-a-torn-line" $?

echo "tracer: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
