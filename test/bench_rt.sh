#!/bin/sh
# bench_rt.sh - the runtime's figures (part of make bench): nanoseconds per
# getppid natively and hooked, at a libc wrapper site and an inline site,
# and start-up wall time of /bin/true and python3 natively and preloaded.
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

py=$(python3 -c 'import sys; print(sys.executable)')
for p in $(seq 3); do
	"$T/bench_startup" 21 /bin/true >>"$W/true.n"
	env ZPOLINE_HOOK="$T/hook_pass.so" LD_PRELOAD="$LIB" "$T/bench_startup" 21 /bin/true >>"$W/true.h"
	"$T/bench_startup" 11 "$py" -c pass >>"$W/py.n"
	env ZPOLINE_HOOK="$T/hook_pass.so" LD_PRELOAD="$LIB" "$T/bench_startup" 11 "$py" -c pass >>"$W/py.h"
done
echo "runtime: start-up wall time in microseconds (median of 3 x 21 runs; python 3 x 11)"
printf '  %-44s %8s %9s %6s\n' "" native preloaded ratio
for c in true:"/bin/true" py:"python3 -c pass"; do
	f=${c%%:*} label=${c#*:}
	n=$(median <"$W/$f.n") h=$(median <"$W/$f.h")
	printf '  %-44s %8d %9d %6.2f\n' "$label" "$n" "$h" "$(echo "$h $n" | awk '{ print $1 / $2 }')"
done
