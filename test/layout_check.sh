#!/bin/sh
# layout_check.sh - the runtime finds the code of objects however they
# were linked and loaded (make check-layouts).
#
# lay_main and lay_lib make system call 500 from their own code; under
# hook_marker each such call returns 4242 (natively -38, ENOSYS).  Each
# variant is built here with one linker and layout, run natively and
# hooked: the hooked output must be the native one with every -38 turned
# into 4242 (and the native one must really say -38), and nothing may
# appear on stderr.  Variants:
#   bfd, gold, lld     the linkers' default layouts (lld puts the first
#                      executable segment in the file page of offset 0);
#   old                ld.bfd with -z noseparate-code and 2 MiB pages: the
#                      first PT_LOAD is the executable one at offset 0, so
#                      ld.so's first mmap spans the whole object far past
#                      the end of the file (reading there is SIGBUS);
#   far                a section placed at 0x2000000: an executable segment
#                      far from the ELF header;
# and a program linked with the library (DT_NEEDED) as well as loading it
# with dlopen.  Then the end-of-function rule (rt_fde).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
T=$top/build/test
D=$top/build/test/lay
LIB=${LIB:-$top/libzpoline.so}
HOOK=$T/hook_marker.so
mkdir -p "$D"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() {
	fail=$((fail + 1)); echo "FAIL $1"
	shift
	for f in "$@"; do [ -f "$f" ] && sed -n '1,20s/^/    /p' "$f"; done
}

# build NAME CC LDFLAGS...: lay_lib.so, lay_main (linked with it) and
# lay_dl.so (a copy of the library for dlopen: a file ld.so has not loaded
# yet, so that it maps it then) for one variant; returns 1 when this
# machine cannot build it.
build() {
	name=$1 cc=$2; shift 2
	mkdir -p "$D/$name"
	$cc -O2 -fPIC -shared "$@" -o "$D/$name/lay_lib.so" "$top/test/lay_lib.c" 2>"$D/$name/build.err" &&
	cp "$D/$name/lay_lib.so" "$D/$name/lay_dl.so" &&
	$cc -O2 -DLINKED "$@" -o "$D/$name/lay_main" "$top/test/lay_main.c" \
		-L"$D/$name" -l:lay_lib.so -Wl,-rpath,"$D/$name" -ldl 2>>"$D/$name/build.err"
}

# check NAME CMD...: native vs hooked, as described above.
check() {
	name=$1; shift
	"$@" >"$D/$name.n" 2>&1; ns=$?
	ZPOLINE_HOOK="$HOOK" LD_PRELOAD="$LIB" "$@" >"$D/$name.h" 2>"$D/$name.err"; hs=$?
	sed 's/: -38$/: 4242/' "$D/$name.n" >"$D/$name.want"
	if [ $ns = 0 ] && [ $hs = 0 ] && grep -q ': -38$' "$D/$name.n" &&
	   ! grep -v ': -38$' "$D/$name.n" | grep -q . &&
	   cmp -s "$D/$name.want" "$D/$name.h" && [ ! -s "$D/$name.err" ]; then
		ok "$name: $(wc -l <"$D/$name.h") sites reach the hook"
	else
		echo "    status native $ns, hooked $hs"
		bad "$name" "$D/$name.n" "$D/$name.h" "$D/$name.err"
	fi
}

variant() { # NAME CC LDFLAGS...
	name=$1
	if build "$@"; then
		check "$name" "$D/$name/lay_main" "$D/$name/lay_dl.so"
	else
		echo "SKIP $name: cannot build here: $(head -1 "$D/$name/build.err")"
	fi
}

variant bfd cc -fuse-ld=bfd
variant gold cc -fuse-ld=gold
variant lld clang -fuse-ld=lld
variant old cc -fuse-ld=bfd -Wl,-z,noseparate-code -Wl,-z,max-page-size=0x200000

# The old layout really is the one that crashed: first PT_LOAD executable
# at offset 0, its memory size far beyond the file.
if [ -f "$D/old/lay_lib.so" ] &&
   readelf -lW "$D/old/lay_lib.so" | grep -m1 ' LOAD ' | grep -q 'LOAD  *0x000000 .* R E '; then
	ok "old: the first PT_LOAD is executable, at offset 0"
else
	bad "old: the library does not have the layout under test"
fi

mkdir -p "$D/far"
if cc -O2 -DFAR -no-pie -Wl,--section-start=.far_text=0x2000000 -o "$D/far/lay_main" \
	"$top/test/lay_main.c" -ldl 2>"$D/far/build.err"; then
	n=$(readelf -lW "$D/far/lay_main" | grep ' LOAD ' | grep -c ' R E ')
	if [ "$n" -ge 2 ]; then
		ok "far: $n executable segments"
	else
		bad "far: expected two executable segments, found $n"
	fi
	check far "$D/far/lay_main"
else
	echo "SKIP far: cannot build here: $(head -1 "$D/far/build.err")"
fi

# The end of a function: data right after it is left alone, a syscall
# that the function falls into is a site.
"$T/rt_fde" >"$D/fde.n"; ns=$?
ZPOLINE_HOOK="$T/hook_pass.so" LD_PRELOAD="$LIB" "$T/rt_fde" hooked >"$D/fde.h" 2>&1; hs=$?
if [ $ns = 0 ] && [ $hs = 0 ] && cmp -s "$D/fde.n" "$D/fde.h" &&
   grep -q 'bytes after the function: 0x50f$' "$D/fde.n"; then
	ok "end of a function: data after it kept, a fall-through syscall hooked"
else
	bad "end of a function" "$D/fde.n" "$D/fde.h"
fi
"$top/zpscan" "$T/rt_fde" >"$D/fde.scan"
if grep -q '^unplaced .* syscall .*after_ret' "$D/fde.scan" &&
   grep -q '^site .* syscall .*fde_call' "$D/fde.scan"; then
	ok "zpscan: the data is unplaced, the fall-through syscall a site"
else
	bad "zpscan on rt_fde" "$D/fde.scan"
fi

# The planner's hand-made cases, run: the same results natively and
# hooked, each syscall rewritten (sites_check.py checks how).
"$T/rt_sites" >"$D/sites.n"; ns=$?
ZPOLINE_HOOK="$T/hook_pass.so" LD_PRELOAD="$LIB" "$T/rt_sites" hooked >"$D/sites.h" 2>&1; hs=$?
if [ $ns = 0 ] && [ $hs = 0 ] && cmp -s "$D/sites.n" "$D/sites.h"; then
	ok "hand-made planner cases run as natively, each rewritten"
else
	bad "hand-made planner cases" "$D/sites.n" "$D/sites.h"
fi

echo "layouts: $pass passed, $fail failed"
[ $fail = 0 ]
