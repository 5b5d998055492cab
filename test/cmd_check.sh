#!/bin/sh
# cmd_check.sh - tests of the zpoline command, make install, the man pages
# and the configuration parser (make check-command).
#
#     sh test/cmd_check.sh BUILD_DIR
#
# Each check compares with something real: strace's view of the same run
# (through the tracer's comparators), the same program run natively (exit
# statuses, messages of a program denied a file), strace's own messages,
# what ld.so really does (a program the command refuses to run must be one
# the runtime cannot enter when preloaded by hand), or the files a test
# states its expectations in (the configuration files in test/cfg).
# Runs go under BUILD_DIR/cmd/NAME/.  Last line: "command: N passed, N
# failed, N skipped"; the exit status is 1 if anything failed.
set -u
B=${1:-build}
top=$(pwd)
out="$top/$B/cmd"
Z="$top/zpoline"
lib="$top/libzpoline.so"
T="$top/$B/test"
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3  # not a wrapper script
passed=0
failed=0
skipped=0
ulimit -c 0	# programs killed on purpose leave no core files

result() {	# result NAME STATUS [FILE...]: counts one check
	name=$1 st=$2; shift 2
	if [ "$st" -eq 0 ]; then passed=$((passed + 1)); return; fi
	failed=$((failed + 1)); echo "command: $name FAILED"
	for f in "$@"; do echo "--- $f"; head -20 "$f"; done
}

skip() {	# skip NAME WHY
	skipped=$((skipped + 1)); echo "command: $1 SKIPPED: $2"
}

fresh() {	# fresh NAME: an empty directory for one run
	rm -rf "$out/$1" && mkdir -p "$out/$1" && echo "$out/$1"
}

# ---- 1. the configuration parser --------------------------------------------
# config.o runs before libc is ready: it may need no symbol at all.
[ -z "$(nm -u "$B/config.o")" ]; result config-needs-no-symbols $?

d=$(fresh config)
# Files a repository keeps poorly are made here: a CRLF copy of good.conf
# (same values), control characters, values one byte too long, no final
# newline.
sed 's/$/\r/' test/cfg/good.conf >"$d/crlf.conf"
long=$(head -c 4096 /dev/zero | tr '\0' a)
{
	printf '#= verbose 1\n#= output /%s\n' "$(echo "$long" | cut -c 2-4095)"
	printf 'verbose = 1\n'
	printf 'verbose = 0\001 # expect: control character (byte 1) in the line\n'
	printf 'verbose\033= 0 # expect: control character (byte 27) in the line\n'
	printf 'output = /%s\n' "$(echo "$long" | cut -c 2-4095)"
	printf 'output = /%s # expect: value of output too long (4096 bytes, at most 4095)\n' \
		"$(echo "$long" | cut -c 2-4096)"
	printf 'trace = %s # expect: value of trace too long (1024 bytes, at most 1023)\n' \
		"$(echo "$long" | cut -c 1-1024)"
	printf 'verbose = 0 # expect: control character (byte 0) in the line\0 x\n'
	printf 'summary = 1 # expect: control character (byte 13) in the line\r\r\n'
	printf '#= summary both\nsummary = both'
} >"$d/generated.conf"
for t in cfg_check cfg_check_asan; do
	"$T/$t" test/cfg/good.conf test/cfg/bad.conf "$d/crlf.conf" \
		"$d/generated.conf" >"$d/$t.out" 2>&1
	st=$?; cat "$d/$t.out"; result "$t-files" $st
	"$T/$t" --edges; result "$t-edges" $?
done
"$T/cfg_check_asan" --random 20000; result config-random $?
# The check can fail: a file whose stated message differs is caught.
sed 's/unknown key "outptu"/unknown key "output"/' test/cfg/bad.conf \
	>"$d/wrong.conf"
! "$T/cfg_check" "$d/wrong.conf" >"$d/wrong.out"
result config-check-catches-a-wrong-message $? "$d/wrong.out"

# ---- 2. the command against strace, for the same run ------------------------
# under_strace NAME ZPOLINE_OPTIONS -- CMD...: the command runs CMD (from
# NAME's directory, -o FILE relative to it) while strace -ff sees it all.
# t.txt there starts stale: -o truncates it, as strace -o does.
under_strace() {
	name=$1; shift
	d=$(fresh "$name")
	echo "stale line" >"$d/t.txt"
	(cd "$d" && timeout 120 strace -ff -o "$d/s" "$Z" "$@" \
		>"$d/stdout" 2>"$d/stderr" </dev/null)
}

# -o: a relative file, a stale one, and a program whose children change
# directory: every process appends to the same file.
under_strace output-ls -o t.txt -- ls -la /usr
$py test/trace_compare.py --exact --name output-ls "$d/s" "$d/t.txt"
result output-ls $? "$d/stderr"
under_strace output-tree -o t.txt bash -c \
	'cd / && grep -c root etc/passwd | cat; ls / | wc -l'
$py test/trace_compare.py --exact --name output-tree "$d/s" "$d/t.txt"
result output-tree $? "$d/stderr"

# -c: the tables against the calls strace counted, and their heading
# against strace -c's own.
under_strace summary -c -- ls -la /usr
$py test/trace_summary.py "$d/s" "$d/stderr"; result summary $? "$d/stderr"
strace -c -f ls -la /usr 2>&1 >/dev/null </dev/null | head -2 >"$d/heading.strace"
head -2 "$d/stderr" >"$d/heading.zpoline"
cmp -s "$d/heading.strace" "$d/heading.zpoline"
result summary-heading $? "$d/heading.strace" "$d/heading.zpoline"

# -C and -e trace= are the tracer's to honour (ZPOLINE_SUMMARY=both,
# ZPOLINE_TRACE): checked once hook_default.c reads them.  -C writes to
# stderr: with -o, the tracer's close of the file's first descriptor would
# count in strace's view of the table.
if grep -q '"both"' hook_default.c; then
	under_strace both -C -- ls -la /usr
	$py test/trace_summary.py "$d/s" "$d/stderr"; result both-table $?
	grep -v -E '^(\[pid +[0-9]+\] )?( *[0-9]+\.[0-9]{2} +[0-9]+\.[0-9]{6} |% time|------)' \
		"$d/stderr" >"$d/trace-only.txt"
	$py test/trace_compare.py --exact --name both "$d/s" "$d/trace-only.txt"
	result both-trace $?
else
	skip summary-and-trace "-C: the tracer does not read ZPOLINE_SUMMARY=both yet"
fi
if grep -q -e '"trace"' -e ZPOLINE_TRACE hook_default.c; then
	for spec in openat,read,close %file '!write,mmap,mprotect'; do
		n=filter-$(echo "$spec" | tr -c 'a-z\n' _)
		under_strace "$n" -e "trace=$spec" -o t.txt -- ls -la /usr
		strace -f -e "trace=$spec" -o "$d/ref" ls -la /usr >/dev/null
		$py test/cmd_filter.py "$d/s" "$d/t.txt" "$d/ref"
		result "$n" $? "$d/stderr"
	done
else
	skip filter "-e trace=: the tracer does not read ZPOLINE_TRACE yet"
fi

# ---- 3. exit statuses, as the shell sees them ---------------------------------
# status CMD...: the wait status (signal, core flag and all) and stdout.
status() {
	$py -c 'import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
print("wait status", os.waitpid(pid, 0)[1])' "$@"
}
d=$(fresh status)
i=0
for args in "$T/cmd_exit 0" "$T/cmd_exit 3" "$T/cmd_exit 255" \
	    "$T/cmd_exit -15" "$T/cmd_exit -11" "$T/cmd_exit -6" \
	    "$T/cmd_exit -9" "sh -c 'exit 7'" "sh -c 'kill -INT \$\$'"; do
	i=$((i + 1))
	eval "status $args" >"$d/$i.native" 2>/dev/null
	eval "status $Z -o /dev/null $args" >"$d/$i.hooked" 2>/dev/null
	if cmp -s "$d/$i.native" "$d/$i.hooked" &&
	   grep -q 'wait status' "$d/$i.native"; then
		echo "status: ok, $args: $(tail -1 "$d/$i.native")"
		result "status-$i" 0
	else
		result "status-$i ($args)" 1 "$d/$i.native" "$d/$i.hooked"
	fi
done

# ---- 4. programs that cannot run, bad options: strace's words ----------------------------
d=$(fresh missing)
printf 'not a program\n' >"$d/garbage" && chmod +x "$d/garbage"
for prog in no-such-program ./no-such-program /etc/passwd /etc "$d/garbage"; do
	strace -o /dev/null "$prog" 2>&1 </dev/null | grep '^strace: ' |
		sed 's/^strace: /zpoline: /' >"$d/want"
	"$Z" "$prog" >"$d/out" 2>"$d/got" </dev/null
	st=$?
	if [ $st -eq 1 ] && [ -s "$d/want" ] && cmp -s "$d/want" "$d/got" &&
	   [ ! -s "$d/out" ]; then
		echo "missing: ok, $prog: $(cat "$d/got")"; result "missing $prog" 0
	else
		result "missing $prog (status $st)" 1 "$d/want" "$d/got"
	fi
done

# Bad options that mean the same to both: the same two lines.
d=$(fresh options)
i=0
for args in "-j true" "--nope true" "-o" "--output" "-c -C true" \
	    "-e trace= true"; do
	i=$((i + 1))
	strace $args 2>&1 >/dev/null </dev/null | sed 's/strace/zpoline/g' >"$d/$i.want"
	"$Z" $args >"$d/$i.out" 2>"$d/$i.got" </dev/null
	st=$?
	if [ $st -eq 1 ] && [ -s "$d/$i.want" ] && cmp -s "$d/$i.want" "$d/$i.got"; then
		echo "options: ok, $args: $(head -1 "$d/$i.got")"; result "options $args" 0
	else
		result "options $args (status $st)" 1 "$d/$i.want" "$d/$i.got"
	fi
done

# ---- 5. what the command refuses is what ld.so would not preload into -------
# preloaded PROG...: whether the runtime starts in PROG, preloaded by hand.
preloaded() {
	LD_PRELOAD="$lib" ZPOLINE_VERBOSE=1 ZPOLINE_OUTPUT=/dev/null "$@" 2>&1 \
		>/dev/null </dev/null | grep -q '^zpoline: start-up took'
}
# refused NAME REASON PROG...: the runtime does not start there, and the
# command says why in one line, exits 1 and does not run PROG.
refused() {
	name=$1 why=$2; shift 2
	d=$(fresh "$name")
	! preloaded "$@"; p=$?
	"$Z" "$@" >"$d/out" 2>"$d/err" </dev/null
	st=$?
	if [ $p -eq 0 ] && [ $st -eq 1 ] && [ ! -s "$d/out" ] &&
	   [ "$(wc -l <"$d/err")" -eq 1 ] && grep -q -- "$why" "$d/err"; then
		echo "refused: ok, $name: $(cat "$d/err")"; result "$name" 0
	else
		[ $p -eq 0 ] || echo "$name: the runtime started when preloaded"
		result "$name (status $st)" 1 "$d/out" "$d/err"
	fi
}
refused static "is statically linked" "$T/cmd_static" 0
refused static-pie "is statically linked" "$T/cmd_static_pie" 0
d=$(fresh script)
printf '#!%s\n' "$T/cmd_static" >"$d/static.sh" && chmod +x "$d/static.sh"
refused static-interpreter "cmd_static' is statically linked" "$d/static.sh"
$py test/cmd_i386.py "$d/i386"		# runs natively where IA-32 is on
refused foreign "not an x86-64 program" "$d/i386"
# A set-user-ID program of another user runs in secure-execution mode
# (where the mount honours set-user-ID bits).
s=$(mktemp -d) && chmod 755 "$s"
cp "$T/cmd_exit" "$s/suid" && chown 65534 "$s/suid" && chmod 4755 "$s/suid"
cp "$T/cmd_exit" "$s/sgid" && chgrp 65534 "$s/sgid" && chmod 2755 "$s/sgid"
if $py -c 'import os, sys; sys.exit(os.statvfs(sys.argv[1]).f_flag & os.ST_NOSUID)' "$s"
then
	refused setuid "is set-user-ID" "$s/suid" 0
	refused setgid "is set-group-ID" "$s/sgid" 0
else
	skip setuid "$s is on a nosuid mount: nothing runs set-user-ID there"
fi
# Without CAP_SYS_RAWIO, vm.mmap_min_addr keeps page 0 out of reach; the
# runtime does not need it: the command (a copy user nobody can read)
# traces as for root.
if command -v setpriv >/dev/null; then
	cp "$Z" "$lib" "$top/libzpoline_hook.so" "$s/"
	d=$(fresh nobody) && chmod 777 "$d"
	(cd / && setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$s/zpoline" -o "$d/t.txt" /bin/echo ran) >"$d/out" 2>"$d/err"
	st=$?
	if [ $st -eq 0 ] && [ "$(cat "$d/out")" = ran ] && [ ! -s "$d/err" ] &&
	   grep -q '^write(1, "ran\\n", 4) *= 4$' "$d/t.txt"; then
		echo "user nobody: ok, traced"; result nobody 0
	else
		result "nobody (status $st)" 1 "$d/err" "$d/t.txt"
	fi
else
	skip nobody "setpriv is missing"
fi
rm -rf "$s"
# ld.so run as a program preloads too: not refused, and traced.
d=$(fresh ldso)
preloaded /lib64/ld-linux-x86-64.so.2 "$T/cmd_exit" 0
p=$?
"$Z" -o "$d/t.txt" /lib64/ld-linux-x86-64.so.2 "$T/cmd_exit" 0 >"$d/out" 2>&1
st=$?
[ $p -eq 0 ] && [ $st -eq 0 ] && grep -q '^exit_group(0)' "$d/t.txt"
result ldso $? "$d/out" "$d/t.txt"

# ---- 6. options reach the runtime as the environment ----------------------
d=$(fresh environment)
mkdir "$d/sub" && printf 'verbose = 0\n' >"$d/sub/ok.conf"
(cd "$d/sub" && LD_PRELOAD=/prior.so "$Z" -o ../t.txt -c -v --config ok.conf \
	--hook "../../../test/hook_pass.so" -e trace=read /usr/bin/env) \
	2>/dev/null | grep -E '^(LD_PRELOAD|ZPOLINE_)' | sort >"$d/got"
sort >"$d/want" <<EOF
LD_PRELOAD=$lib:/prior.so
ZPOLINE_CONFIG=$d/sub/ok.conf
ZPOLINE_HOOK=$(realpath "$T/hook_pass.so")
ZPOLINE_OUTPUT=$d/t.txt
ZPOLINE_SUMMARY=1
ZPOLINE_TRACE=read
ZPOLINE_VERBOSE=1
EOF
cmp -s "$d/want" "$d/got"; result environment $? "$d/want" "$d/got"
# A bad configuration file: the parser's messages, and PROG does not run.
sed -n 's/.*# expect: \(.*\)/\1/p' test/cfg/bad.conf >"$d/msgs"
grep -n '# expect: ' test/cfg/bad.conf | cut -d: -f1 |
	paste -d: - "$d/msgs" | sed "s|^|zpoline: $top/test/cfg/bad.conf:|; s|:\([0-9]*\):|:\1: |" \
	>"$d/want"
"$Z" --config test/cfg/bad.conf /bin/echo ran >"$d/out" 2>"$d/err"
st=$?
[ $st -eq 1 ] && [ ! -s "$d/out" ] && cmp -s "$d/want" "$d/err"
result config-refused $? "$d/want" "$d/err"

# ---- 7. install, run from elsewhere, build a hook with pkg-config ---------
p=$(mktemp -d)
prefix="$p/prefix"
mkdir -p "$prefix/lib" "$prefix/share/man/man1"
echo other >"$prefix/lib/other.so"; echo other >"$prefix/share/man/man1/other.1"
make -s install PREFIX="$prefix" DESTDIR= >"$p/install.out" 2>&1
result install $? "$p/install.out"
(cd "$prefix" && find . -type f | sort) >"$p/installed"
# With the build tree hidden (an empty tmpfs over it, in a mount namespace
# of its own), from /: the installed command traces, with the installed
# default hook, what strace sees.
cp test/cmd_hook.c "$p/"
# zpoline(7)'s example and the two commands it shows (build, run), from the
# installed page, with the output it says they give.
mkdir "$p/ex"
page="$prefix/share/man/man7/zpoline.7"
unroff() { sed 's/\\-/-/g; s/\\e/\\/g'; }
sed -n '/^\/\* deny.c \*\//,/^\.EE/p' "$page" | sed '$d' | unroff >"$p/ex/deny.c"
grep '^\$ ' "$page" | sed 's/^\$ //' | unroff >"$p/ex/commands"
sed -n '/^\$ zpoline /{n;p;}' "$page" | unroff >"$p/ex/want"
if unshare -m true 2>/dev/null; then
	unshare -m sh -c '
		mount -t tmpfs tmpfs "$1" || exit 9
		cd / && ls "$1" | grep -q . && exit 9
		strace -ff -o "$2/s" "$2/prefix/bin/zpoline" -o "$2/t.txt" \
			cat /etc/hostname >"$2/cat.out" 2>"$2/cat.err"
		"$2/prefix/bin/zpoline" -v -o /dev/null /bin/true 2>"$2/v.err"
		export PKG_CONFIG_PATH="$2/prefix/lib/pkgconfig"
		pkg-config --modversion zpoline >"$2/pc.version" &&
		pkg-config --variable=runtime zpoline >"$2/pc.runtime" &&
		cc $(pkg-config --cflags zpoline) -O2 -shared -fPIC \
			-o "$2/cmd_hook.so" "$2/cmd_hook.c" 2>"$2/cc.err" &&
		CMD_HOOK_DENY=/etc/hostname "$2/prefix/bin/zpoline" \
			--hook "$2/cmd_hook.so" cat /etc/hostname \
			>"$2/deny.out" 2>"$2/deny.err"
		echo $? >"$2/deny.status"
		cd "$2/ex" && PATH="$2/prefix/bin:$PATH" sh -x commands >out 2>err
		echo $? >status
		cd /
		MANPATH="$2/prefix/share/man" man -P cat zpoline 2>&1 |
			grep -c ZPOLINE_OUTPUT >"$2/man.count"' - "$top" "$p"
	echo "hidden build tree: namespace exit status $?"
	cmp -s /etc/hostname "$p/cat.out" && [ ! -s "$p/cat.err" ] &&
		grep -q "^zpoline: hook: $prefix/lib/libzpoline_hook.so (default)" "$p/v.err"
	result installed-runs-elsewhere $? "$p/cat.err" "$p/v.err"
	$py test/trace_compare.py --exact --name installed "$p/s" "$p/t.txt"
	result installed-trace $?
	# The version pkg-config reports is the command's.
	"$Z" -V | grep -q -- "-- version $(cat "$p/pc.version") "
	result pkgconfig-version $?
	[ "$(cat "$p/pc.runtime")" = "$prefix/lib/libzpoline.so" ]
	result pkgconfig-runtime $? "$p/pc.runtime"
	# The hook built with pkg-config denies the file as its mode would:
	# compare with cat denied by the kernel (user nobody, mode 000).
	cp /etc/hostname "$p/hostname" && chmod 000 "$p/hostname" && chmod 755 "$p"
	(cd / && setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all cat "$p/hostname") >"$p/native.out" 2>"$p/native.err"
	echo $? >"$p/native.status"
	sed "s|$p/hostname|/etc/hostname|" "$p/native.err" >"$p/native.err2"
	[ -s "$p/native.err2" ] && cmp -s "$p/native.err2" "$p/deny.err" &&
		cmp -s "$p/native.status" "$p/deny.status" && [ ! -s "$p/deny.out" ]
	result pkgconfig-hook $? "$p/cc.err" "$p/native.err2" "$p/deny.err"
	[ "$(cat "$p/man.count")" -gt 0 ]; result installed-man-page $?
	grep -v '^+ ' "$p/ex/err" >"$p/ex/got"
	[ "$(wc -l <"$p/ex/commands")" -eq 2 ] && [ -s "$p/ex/want" ] &&
		cmp -s "$p/ex/want" "$p/ex/got" && [ "$(cat "$p/ex/status")" = 1 ]
	result man-example $? "$p/ex/commands" "$p/ex/err" "$p/ex/want"
else
	skip installed "unshare -m is not permitted here: cannot hide the build tree"
fi
make -s uninstall PREFIX="$prefix" DESTDIR= >"$p/uninstall.out" 2>&1
(cd "$prefix" && find . -type f | sort) >"$p/left"
printf './lib/other.so\n./share/man/man1/other.1\n' >"$p/want-left"
cmp -s "$p/want-left" "$p/left" && [ "$(wc -l <"$p/installed")" -eq 10 ]
result uninstall-removes-exactly-what-install-put $? "$p/installed" "$p/left"
rm -rf "$p"

# ---- 8. man pages and help ------------------------------------------------
d=$(fresh man)
for page in zpoline.1 zpoline.7; do
	MANWIDTH=80 man --warnings -E UTF-8 -l "$page" >"$d/$page.txt" 2>"$d/$page.err"
	[ -s "$d/$page.txt" ] && [ ! -s "$d/$page.err" ]
	result "man-$page" $? "$d/$page.err"
done
# Every long option of -h, and every variable of README's Environment
# table, is in zpoline(1).
"$Z" -h >"$d/help" && [ "$("$Z" -h | wc -l)" -gt 5 ]; result help $?
missing=""
for word in $(grep -o -- '--[a-z-]*' "$d/help" | sort -u) \
	    $(grep -o '^| `ZPOLINE_[A-Z_]*' README.md | cut -c4-); do
	grep -q -- "$word" "$d/zpoline.1.txt" || missing="$missing $word"
done
[ -z "$missing" ] || echo "not in zpoline(1):$missing"
[ -z "$missing" ]; result man-covers-options $?

echo "command: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
