#!/bin/sh
# bench_rt.sh - the runtime's figures (part of make bench): nanoseconds per
# getppid natively and hooked, at a libc wrapper site and an inline site,
# start-up wall time of /bin/true, python, clang and node natively and
# preloaded, and where the start-up time goes.
# Configurations are measured in turns (five passes), and each figure is
# the median over the passes, so that load on the machine falls on all of
# them alike.  Ratios are to the native figure of the same table.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
T=$top/build/test
LIB=$top/libzpoline.so
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
PASSES=5

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

run_cfg() { # NAME CALLS ENV...: one bench_calls run in configuration NAME
	name=$1 calls=$2; shift 2
	env "$@" "$T/bench_calls" "$calls" >>"$W/$name"
}

# The fault path costs a signal per call: fewer calls for it.
for p in $(seq $PASSES); do
	run_cfg native 200000
	for k in island jump page0; do
		run_cfg $k 200000 ZPOLINE_SITES=$k ZPOLINE_HOOK="$T/hook_pass.so" LD_PRELOAD="$LIB"
	done
	run_cfg fault 5000 ZPOLINE_SITES=fault ZPOLINE_HOOK="$T/hook_pass.so" LD_PRELOAD="$LIB"
	run_cfg vector 200000 ZPOLINE_HOOK="$T/hook_pass_vector.so" LD_PRELOAD="$LIB"
	run_cfg next 200000 ZPOLINE_HOOK="$T/hook_pass_next.so" LD_PRELOAD="$LIB"
	run_cfg chain 200000 ZPOLINE_HOOK="$T/hook_pass.so:$T/hook_pass.so" LD_PRELOAD="$LIB"
	run_cfg swap 200000 ZPOLINE_SWAP=RTMAX ZPOLINE_HOOK="$T/hook_pass.so" LD_PRELOAD="$LIB"
done
nw=$(awk '{ print $2 }' "$W/native" | median)
ni=$(awk '{ print $4 }' "$W/native" | median)
echo "runtime: ns per getppid, median of $PASSES runs (each the median of 15 rounds of"
echo "  200000 calls, 5000 for the fault path); the kind of each site as its bytes show it"
printf '  %-52s %8s %6s %8s %6s  %s\n' "" wrapper ratio inline ratio "kinds (wrapper, inline)"
for c in native:"native" \
	 island:"island sites, pass-through hook (no vector state)" \
	 jump:"jump sites, pass-through hook (no vector state)" \
	 page0:"page-0 sites, pass-through hook (no vector state)" \
	 fault:"page-0 sites by the fault path (page 0 unmapped)" \
	 vector:"default sites, pass-through hook, vector state saved" \
	 next:"default sites, pass-through hook making the call with next()" \
	 chain:"default sites, two pass-through hooks chained (no vector state)" \
	 swap:"default sites, pass-through hook, swapping on (vector state saved)"; do
	f=${c%%:*} label=${c#*:}
	w=$(awk '{ print $2 }' "$W/$f" | median)
	i=$(awk '{ print $4 }' "$W/$f" | median)
	kinds=$(awk '{ print $6 ", " $7 }' "$W/$f" | sort -u | tr '\n' ' ')
	printf '  %-52s %8.1f %6.2f %8.1f %6.2f  %s\n' "$label" "$w" \
		"$(echo "$w $nw" | awk '{ print $1 / $2 }')" "$i" \
		"$(echo "$i $ni" | awk '{ print $1 / $2 }')" "$kinds"
done

# Start-up: each program natively and preloaded, configurations in turns
# (3 passes).  The plan cache is one of our own, warmed by a first run;
# "no cache" plans every object on every run.
py=/usr/bin/python3.11
[ -x "$py" ] || py=$(python3 -c 'import sys; print(sys.executable)')
C=$W/cache
set -- true:21:/bin/true py:11:"$py -c pass" clang:11:"clang --version" node:5:"node -e 0"
progs=""
for e in "$@"; do
	f=${e%%:*} r=${e#*:}; n=${r%%:*} cmd=${r#*:}
	command -v ${cmd%% *} >/dev/null 2>&1 || { echo "runtime: no ${cmd%% *} here: left out"; continue; }
	progs="$progs $f"
	echo "$n" >"$W/$f.runs"
	echo "$cmd" >"$W/$f.cmd"
	env ZPOLINE_CACHE="$C" ZPOLINE_HOOK="$T/hook_pass.so" LD_PRELOAD="$LIB" $cmd >/dev/null 2>&1
done
start() { # PROG CONFIG ENV...: one bench_startup run
	f=$1 c=$2; shift 2
	env "$@" "$T/bench_startup" "$(cat "$W/$f.runs")" $(cat "$W/$f.cmd") >>"$W/$f.$c"
}
for p in 1 2 3; do
	for f in $progs; do
		start $f n
		start $f p ZPOLINE_CACHE="$C" ZPOLINE_HOOK="$T/hook_pass.so" LD_PRELOAD="$LIB"
		start $f c ZPOLINE_CACHE=0 ZPOLINE_HOOK="$T/hook_pass.so" LD_PRELOAD="$LIB"
		start $f t ZPOLINE_CACHE="$C" ZPOLINE_OUTPUT=/dev/null LD_PRELOAD="$LIB"
	done
done
ratio() { echo "$1 $2" | awk '{ printf "%.2f", $1 / $2 }'; }
echo "runtime: start-up wall time in microseconds, median of 3 passes (each the median"
echo "  of N runs); preloaded: pass-through hook (libc-free) with the plan cache, without"
echo "  it, and the default tracer writing to /dev/null"
printf '  %-26s %8s %9s %6s %9s %6s %9s %6s\n' "" native "pass" ratio "no cache" ratio tracer ratio
for f in $progs; do
	n=$(median <"$W/$f.n") p=$(median <"$W/$f.p") c=$(median <"$W/$f.c") t=$(median <"$W/$f.t")
	printf '  %-26s %8d %9d %6s %9d %6s %9d %6s\n' "$(cat "$W/$f.cmd")" "$n" \
		"$p" "$(ratio "$p" "$n")" "$c" "$(ratio "$c" "$n")" "$t" "$(ratio "$t" "$n")"
done

# Where the start-up goes, as ZPOLINE_VERBOSE reports it (11 runs, medians).
breakdown() { # PROG CACHE
	for i in $(seq 11); do
		env ZPOLINE_VERBOSE=1 ZPOLINE_CACHE="$2" ZPOLINE_HOOK="$T/hook_pass.so" \
			LD_PRELOAD="$LIB" $(cat "$W/$1.cmd") 2>&1 >/dev/null |
			sed -n 's/^zpoline: start-up took \([0-9]*\) us: objects and mappings \([0-9]*\), finding sites \([0-9]*\), planning \([0-9]*\), gates \([0-9]*\), rewriting \([0-9]*\), other \([0-9]*\); then loading the hook \([0-9]*\)$/\1 \2 \3 \4 \5 \6 \7 \8/p' | head -1
	done >"$W/$1.v"
	printf '  %-26s %-8s' "$(cat "$W/$1.cmd")" "$3"
	for k in 1 2 3 4 5 6 7 8; do
		printf ' %7s' "$(awk -v k=$k '{ print $k }' "$W/$1.v" | median)"
	done
	echo
}
echo "runtime: start-up breakdown in microseconds (ZPOLINE_VERBOSE; median of 11 runs)"
printf '  %-26s %-8s %7s %7s %7s %7s %7s %7s %7s %7s\n' "" "" total objects find plan gates rewrite other hook
for f in $progs; do
	breakdown $f "$C" cache
	breakdown $f 0 "no cache"
done
