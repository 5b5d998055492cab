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

# 3. ZPOLINE_SUMMARY's tables against the calls strace counted; the
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

# 4. 16 threads through the tracer, to a pipe and to a file.
d=$(fresh lines)
LD_PRELOAD="$pre" "$B/test/trace_threads" 16 400 2>&1 >/dev/null |
	$py test/trace_lines.py 16 400 >"$d/pipe.out"
st=$?; printf 'lines, pipe: '; cat "$d/pipe.out"; result lines-pipe $st
ZPOLINE_OUTPUT="$d/t.txt" LD_PRELOAD="$pre" "$B/test/trace_threads" 16 400
printf 'lines, file: '; $py test/trace_lines.py 16 400 "$d/t.txt"
result lines-file $?

# 5. The checks can fail: a trace with one line missing, or torn, is caught.
d=$(fresh broken)
sed '20d' "$out/ls/t.txt" >"$d/t.txt"
$py test/trace_compare.py --name broken "$out/ls/s" "$d/t.txt" >/dev/null
[ $? -eq 1 ]; result "compare-catches-a-lost-line" $?
sed '20s/= \(-*[0-9]\)/= 7\1/; 30s/, /,  /' "$out/ls/t.txt" >"$d/t.txt"
$py test/trace_compare.py --name broken "$out/ls/s" "$d/t.txt" >/dev/null
[ $? -eq 1 ]; result "compare-catches-a-changed-word" $?
awk 'NR == 500 { printf "%s", substr($0, 1, 20); next } { print }' \
	"$out/lines/t.txt" >"$d/torn.txt"
$py test/trace_lines.py 16 400 "$d/torn.txt" >/dev/null
[ $? -eq 1 ]; result "lines-catches-a-torn-line" $?

echo "tracer: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
