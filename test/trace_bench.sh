#!/bin/sh
# trace_bench.sh - the tracer's cost per traced getppid (make bench-tracer).
#
#     sh test/trace_bench.sh BUILD_DIR
#
# trace_bench prints the median ns per getppid of its rounds.  It runs
# natively, under the tracer writing to /dev/null (ZPOLINE_OUTPUT), and
# under `strace -f -o /dev/null`; strace gets fewer calls per round, as
# each of its calls costs two ptrace stops.
set -eu
B=${1:-build}
bench="$B/test/trace_bench"
native=$("$bench" 200000 7)
traced=$(ZPOLINE_OUTPUT=/dev/null LD_PRELOAD=./libzpoline.so "$bench" 200000 7)
strace=$(strace -f -o /dev/null "$bench" 10000 5)
echo "tracer: getppid ns/call (median): native $native," \
	"tracer to /dev/null $traced, strace -f -o /dev/null $strace"
awk -v t="$traced" -v s="$strace" -v n="$native" 'BEGIN {
	printf "tracer: strace costs %.0f times the tracer per call" \
	       " (tracer adds %d ns to a native getppid)\n", s / t, t - n }'
