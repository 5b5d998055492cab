#!/bin/sh
# programs_check.sh - real programs natively and hooked (make check-programs).
#
#     sh test/programs_check.sh [--install] [WORKLOAD...]
#
# Each workload (git, python, bash, gcc, node, java, sqlite, tarxz,
# test_ctypes, test_subprocess; all by default) runs twice in the same
# directory, build/programs/run: natively, then under LD_PRELOAD with the
# default tracer writing to /dev/null.  The two runs must end with the same
# status and print the same standard output; most also must print the same
# standard error and leave the same files (type, mode, link target, bytes).
# CPython's own test suites are compared by outcome per test case instead
# (their output has times in it).  The runs of each workload are kept in
# build/programs/NAME.native and NAME.hooked for inspection.
#
# A comparison that cannot fail proves nothing: the first checks feed the
# comparison made-up runs that differ in one way each, and a real run under
# a hook that loses bytes of writes (hook_lose.c); it must see each.
# A hooked run that is not really hooked proves nothing either: each
# workload runs once more with the trace written to a file, which must show
# the programs it starts running hooked (their execve printed by the new
# image, which the tracer does only when the runtime loaded there).
#
# Missing programs are installed with apt-get; a workload whose package
# cannot be installed is skipped with one line saying so.  --install only
# installs.  Settings, for experiments: PROGRAMS_PRELOAD (the library; empty
# runs the "hooked" runs natively too, which must then fail the trace
# checks) and PROGRAMS_HOOK (ZPOLINE_HOOK for the hooked runs).
# Last line: "programs: N passed, N failed, N skipped"; exit status 1 if
# anything failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
P=$top/test/programs
B=$top/build/programs
PRELOAD=${PROGRAMS_PRELOAD-$top/libzpoline.so}
HOOK=${PROGRAMS_HOOK-}
PY=/usr/bin/python3.11
pass=0 fail=0 skip=0

ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() {
	fail=$((fail + 1)); echo "FAIL $1"
	for f in "$@"; do [ -f "$f" ] && sed -n '1,20s/^/    /p' "$f"; done
	return 0
}

# ---- what each workload needs --------------------------------------------
# needs WORKLOAD: lines "package probe...", the probe a shell command that
# succeeds once the package is installed.
needs() {
	case $1 in
	git) echo "git command -v git" ;;
	python) echo "python3.11 test -x $PY" ;;
	bash) echo "bash command -v bash" ;;
	gcc) printf '%s\n' "gcc command -v gcc" "make command -v make" "binutils command -v ar" ;;
	node) echo "nodejs command -v node" ;;
	java) echo "openjdk-17-jdk-headless command -v javac" ;;
	sqlite) echo "sqlite3 command -v sqlite3" ;;
	tarxz) printf '%s\n' "tar command -v tar" "xz-utils command -v xz" ;;
	test_ctypes | test_subprocess)
		printf '%s\n' "python3.11 test -x $PY" \
			"libpython3.11-testsuite test -f /usr/lib/python3.11/test/$1.py" ;;
	esac
	# test_ctypes's test_find loads the OpenGL libraries when ldconfig
	# knows them, as on any desktop; without them that part never runs.
	[ "$1" = test_ctypes ] && printf '%s\n' \
		"libgl1 ldconfig -p | grep -q 'libGL\.so\.1 '" \
		"libglu1-mesa ldconfig -p | grep -q 'libGLU\.so\.1 '"
	return 0
}

# missing WORKLOAD...: the packages whose probe fails, one per line.
missing() {
	for w in "$@"; do
		needs "$w" | while read -r pkg probe; do
			sh -c "$probe" >/dev/null 2>&1 || echo "$pkg"
		done
	done | sort -u
}

# install WORKLOAD...: apt-get install what is missing, all at once, or one
# by one if that fails (so one unavailable package does not stop the rest).
install() {
	pkgs=$(missing "$@")
	[ -z "$pkgs" ] && return 0
	echo "installing:" $pkgs
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null 2>&1
	# shellcheck disable=SC2086
	apt-get install -y -qq $pkgs >/dev/null 2>&1 && return 0
	for p in $pkgs; do apt-get install -y -qq "$p" >/dev/null 2>&1; done
	return 0
}

# ---- one run, and the comparison of two runs -----------------------------
# Every run gets the same environment, whatever the caller's (make's
# variables too: the gcc workload's make is not a sub-make of ours).
unset LD_PRELOAD ZPOLINE_HOOK ZPOLINE_OUTPUT ZPOLINE_SUMMARY ZPOLINE_VERBOSE \
	MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
export LC_ALL=C TZ=UTC HOME="$B/home" PYTHONDONTWRITEBYTECODE=1
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# run DEST TRACE LIMIT CMD...: CMD in a fresh build/programs/run (and with
# a fresh, empty HOME), natively when TRACE is "-", else hooked with the
# trace going to TRACE (and the runtime's plan cache kept apart, in
# build/programs/plan-cache: it is the tool's, not the program's).  Then the run directory becomes DEST/tree, next to
# DEST/out, DEST/err, DEST/status.  A death by signal shows in DEST/err as
# the shell's line about it ("Bus error").
run() {
	dest=$1 trace=$2 limit=$3; shift 3
	rm -rf "$B/run" "$dest" "$HOME" && mkdir -p "$B/run" "$dest" "$HOME"
	if [ "$trace" = - ]; then
		(cd "$B/run" && timeout -k 5 "$limit" "$@"; echo $? >"$dest/status") \
			>"$dest/out" 2>"$dest/err" </dev/null
	else
		(cd "$B/run" && timeout -k 5 "$limit" env LD_PRELOAD="$PRELOAD" \
			${HOOK:+ZPOLINE_HOOK="$HOOK"} ZPOLINE_OUTPUT="$trace" \
			ZPOLINE_CACHE="$B/plan-cache" "$@"
		 echo $? >"$dest/status") >"$dest/out" 2>"$dest/err" </dev/null
	fi
	mv "$B/run" "$dest/tree"
}

# files DIR: what the run left in DIR: a line per file or directory (type,
# mode, path, link target), then the SHA-256 of each regular file's bytes.
# .git/index is left out: it records inode numbers and change times.
files() {
	(cd "$1" && find . -path '*/.git/index' -prune -o -printf '%y %m %p -> %l\n' | sort &&
	 find . -path '*/.git/index' -prune -o -type f -print0 | sort -z | xargs -0r sha256sum)
}

# differ A B WHAT: the runs A and B (directories made by run) differ in
# WHAT, a word of letters: s status, o stdout, e stderr, f files.  Prints
# what differs to A.diff; true if anything does.
differ() {
	a=$1 b=$2 what=$3
	: >"$a.diff"
	case $what in *s*)
		cmp -s "$a/status" "$b/status" ||
			echo "status: $(cat "$a/status") natively, $(cat "$b/status") hooked" >>"$a.diff" ;;
	esac
	case $what in *e*)
		cmp -s "$a/err" "$b/err" || { echo "stderr:"; diff "$a/err" "$b/err"; } >>"$a.diff" ;;
	esac
	case $what in *o*)
		cmp -s "$a/out" "$b/out" || { echo "stdout:"; diff "$a/out" "$b/out"; } >>"$a.diff" ;;
	esac
	case $what in *f*)
		files "$a/tree" >"$a.files"; files "$b/tree" >"$b.files"
		cmp -s "$a.files" "$b.files" ||
			{ echo "files:"; diff "$a.files" "$b.files"; } >>"$a.diff" ;;
	esac
	[ -s "$a.diff" ]
}

# describe WHAT: the words for the letters of WHAT.
describe() {
	echo "$1" | sed 's/./& /g; s/s /status, /; s/o /stdout, /; s/e /stderr, /;
		s/f /files, /; s/, $//'
}

# pair NAME WHAT LIMIT CMD...: CMD natively and hooked (trace to /dev/null)
# must not differ in WHAT (see differ).
pair() {
	name=$1 what=$2 limit=$3; shift 3
	run "$B/$name.native" - "$limit" "$@"
	run "$B/$name.hooked" /dev/null "$limit" "$@"
	label="$name: native and hooked runs agree ($(describe "$what"))"
	if differ "$B/$name.native" "$B/$name.hooked" "$what"; then
		bad "$label" "$B/$name.native.diff"
	else
		ok "$label"
	fi
}

# traced NAME PROGRAMS LIMIT CMD...: CMD hooked once more, the trace in
# NAME.trace/trace; each program of the list PROGRAMS (a word per execve
# expected, "python3.11 python3.11" for at least two) must appear in a line
# `execve("/path/prog", ...) = 0`, which the tracer prints from the new
# image: proof that the runtime and the tracer were loaded there.  List
# only programs that run to their end: one killed right after it starts
# may die before its image prints anything.
traced() {
	name=$1 progs=$2 limit=$3; shift 3
	d=$B/$name.trace
	run "$d" "$d/trace" "$limit" "$@"
	[ -f "$d/trace" ] || : >"$d/trace"
	: >"$d.diff"
	for p in $(echo $progs | tr ' ' '\n' | sort -u); do
		want=$(echo $progs | tr ' ' '\n' | grep -cx "$p")
		got=$(grep -cE "^(\[pid +[0-9]+\] )?execve\(\"([^\"]*/)?$p\", .*\) = 0$" "$d/trace")
		[ "$got" -ge "$want" ] || echo "$p: $got hooked execs seen, $want expected" >>"$d.diff"
	done
	n=$(wc -l <"$d/trace")
	label="$name: the trace of a hooked run shows $progs hooked"
	if [ -s "$d.diff" ] || [ "$n" -eq 0 ]; then
		echo "traced run: status $(cat "$d/status"), $n lines in $d/trace" >>"$d.diff"
		bad "$label" "$d.diff"
	else
		ok "$label ($n lines)"
	fi
}

# ---- the comparison itself must be able to fail ---------------------------
# made DIR: a made-up run (see run) with a status, output and some files.
made() {
	rm -rf "$1" && mkdir -p "$1/tree/d" "$1/tree/.git" && echo 0 >"$1/status" &&
	echo out >"$1/out" && echo err >"$1/err" && echo bytes >"$1/tree/d/f" &&
	chmod 644 "$1/tree/d/f" && ln -s f "$1/tree/d/l" && echo "$1" >"$1/tree/.git/index"
}

selfcheck() {
	s=$B/self
	made "$s/a"; made "$s/b"
	if differ "$s/a" "$s/b" soef; then
		bad "comparison: made-up runs that differ only in .git/index agree" "$s/a.diff"
	else
		ok "comparison: made-up runs that differ only in .git/index agree"
	fi
	for change in "status:echo 1 >\$x/status" "stdout:echo more >>\$x/out" \
		"stderr:echo more >>\$x/err" "file's bytes:echo byte >\$x/tree/d/f" \
		"file's mode:chmod 755 \$x/tree/d/f" "link target:ln -sfn g \$x/tree/d/l" \
		"extra file:: >\$x/tree/d/new" "missing file:rm \$x/tree/d/f"; do
		x=$s/b; made "$x"; eval "${change#*:}"
		if differ "$s/a" "$x" soef; then ok "comparison: catches a different ${change%%:*}"
		else bad "comparison: catches a different ${change%%:*}"; fi
	done
}

# lossy: the bash workload natively and with hook_lose.so (which loses a
# byte of some writes) must differ: the whole path through run and differ
# notices a runtime that corrupts data.
lossy() {
	run "$B/lossy.native" - 60 bash "$P/jobs.bash"
	hook=$HOOK; HOOK=$B/hook_lose.so
	run "$B/lossy.hooked" /dev/null 60 bash "$P/jobs.bash"
	HOOK=$hook
	label="comparison: catches a hook that loses bytes of writes (bash workload)"
	if [ ! -f "$B/hook_lose.so" ]; then
		bad "$label: no $B/hook_lose.so (make check-programs builds it)"
	elif differ "$B/lossy.native" "$B/lossy.hooked" soef; then
		ok "$label"
	else
		bad "$label"
	fi
}

# ---- the workloads --------------------------------------------------------
# pytests NAME: CPython's test suite NAME; prints each test case's outcome,
# from regrtest's JUnit report, and the summary line.  The report is read
# after the run, natively.
pytests() {
	name=$1
	run "$B/$name.native" - 600 $PY -m test --junit-xml junit.xml "$name"
	run "$B/$name.hooked" /dev/null 600 $PY -m test --junit-xml junit.xml "$name"
	for m in native hooked; do
		d=$B/$name.$m
		mv "$d/out" "$d/regrtest.out"
		{ grep -E '^Tests result:' "$d/regrtest.out" || echo "no result line"
		  $PY "$P/junit_outcomes.py" "$d/tree/junit.xml"; } >"$d/out"
	done
	label="$name: same outcome for each test case natively and hooked"
	if differ "$B/$name.native" "$B/$name.hooked" so; then
		d=$B/$name.native.diff
		if grep -q '^no report' "$B/$name.hooked/out"; then
			{ echo "status: $(cat "$B/$name.native/status") natively," \
				"$(cat "$B/$name.hooked/status") hooked, and no report; its stderr:"
			  grep -v '^  File "/usr/lib/python3.11/unittest/' "$B/$name.hooked/err"
			} >"$d"
		else
			grep -v '^zpoline: cannot map page 0' "$B/$name.hooked/err" |
				tail -n 3 >>"$d"
		fi
		bad "$label" "$d"
	else
		n=$(grep -c ' ok$' "$B/$name.native/out")
		ok "$label ($n passed, $(grep -c ' skipped$' "$B/$name.native/out") skipped)"
	fi
}

workload() {
	case $1 in
	git)
		pair git soef 120 sh "$P/git.sh"
		traced git "git git-upload-pack awk" 120 sh "$P/git.sh" ;;
	python)
		pair python soef 120 $PY "$P/procs.py"
		traced python "python3.11 python3.11 sort echo" 120 $PY "$P/procs.py" ;;
	bash)
		pair bash soef 60 bash "$P/jobs.bash"
		traced bash "bash sort sleep diff" 60 bash "$P/jobs.bash" ;;
	gcc)
		pair gcc soef 300 sh -c "cp -R '$P/build/.' . && make -j2 >make.txt &&
			sort make.txt && rm make.txt && make -j2"
		traced gcc "make gcc cc1 as collect2 ld lto1 ar" 300 sh -c \
			"cp -R '$P/build/.' . && make -j2 >/dev/null" ;;
	node)
		pair node soef 120 node "$P/workers.js"
		traced node "node node sort" 120 node "$P/workers.js" ;;
	java)
		mkdir -p "$B/classes" && javac -d "$B/classes" "$P/ProgThreads.java" ||
			{ bad "java: javac ProgThreads.java"; return; }
		pair java soef 120 java -XX:-UsePerfData -cp "$B/classes" ProgThreads
		traced java "java sh sh sh" 120 java -XX:-UsePerfData -cp "$B/classes" ProgThreads ;;
	sqlite)
		pair sqlite soef 120 sh "$P/sqlite.sh"
		traced sqlite "sqlite3 sqlite3" 120 sh "$P/sqlite.sh" ;;
	tarxz)
		pair tarxz soef 120 sh "$P/tarxz.sh"
		traced tarxz "tar xz xz" 120 sh "$P/tarxz.sh" ;;
	test_ctypes)
		pytests test_ctypes
		traced test_ctypes "python3.11 gcc ld objdump" 120 \
			$PY -m test test_ctypes -m 'test_find_library_with_*' ;;
	test_subprocess)
		pytests test_subprocess
		traced test_subprocess "python3.11 python3.11" 120 \
			$PY -m test test_subprocess -m test_check_output ;;
	*)
		bad "no workload named $1" ;;
	esac
}

all="git python bash gcc node java sqlite tarxz test_ctypes test_subprocess"
if [ "${1-}" = --install ]; then
	shift
	install ${*:-$all}
	exit 0
fi
start=$(date +%s)
mkdir -p "$B"
install ${*:-$all}
echo "== the comparison"
selfcheck
lossy
for w in ${*:-$all}; do
	echo "== $w"
	pkgs=$(missing "$w")
	if [ -n "$pkgs" ]; then
		skip=$((skip + 1))
		echo "SKIP $w: package" $pkgs "cannot be installed"
		continue
	fi
	workload "$w"
done
echo "programs: ran in $(($(date +%s) - start)) s"
echo "programs: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
