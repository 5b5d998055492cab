#!/bin/bash
# jobs.bash - bash workload of programs_check.sh: pipelines, traps (EXIT,
# ERR, RETURN, signals sent to the shell and to subshells), background jobs
# and `wait` (by pid, for all, -n), process substitution, a coprocess.
#
# The output is in a fixed order: background jobs write files, and the
# script prints them after waiting; `wait -n` results are summed, not
# listed in completion order; no pipeline ends early enough for SIGPIPE to
# depend on timing (but `yes | head`, where it always happens).  Files go
# to the current directory.
set -o pipefail
trap 'echo "USR1 trap"' USR1
kill -USR1 $$
echo "after USR1"

# Pipelines, with pipefail and PIPESTATUS.
seq 1 20000 | grep 7 | sort -rn | sed -n 1,3p
seq 1 100000 | awk '{ s = (s + $1 * $1) % 1000003 } END { print "sum of squares mod p", s }'
false | true; echo "pipefail status $?"
true | (exit 3) | true; echo "PIPESTATUS ${PIPESTATUS[*]}"
yes line | head -n 50000 | wc -l; echo "PIPESTATUS ${PIPESTATUS[*]}"

# Background jobs and wait.
for i in 1 2 3 4; do
	(seq $((i * 1000)) | sha256sum >"job$i.txt"; exit $((i + 10))) &
	pids[i]=$!
done
for i in 1 2 3 4; do
	wait "${pids[i]}"; echo "job $i status $?"
done
cat job1.txt job2.txt job3.txt job4.txt
(sleep 0.2; exit 5) &
(exit 6) &
total=0
wait -n; total=$((total + $?))
wait -n; total=$((total + $?))
echo "wait -n statuses sum to $total"
sleep 10 & victim=$!
kill -TERM $victim
wait $victim; echo "killed job status $?"
for i in 1 2 3; do (echo "bg $i" >"bg$i.txt") & done
wait
cat bg1.txt bg2.txt bg3.txt

# Traps in subshells and functions.
( trap 'echo "subshell TERM trap"; exit 9' TERM; kill -TERM $BASHPID; echo "not reached" )
echo "subshell status $?"
( trap 'echo "subshell EXIT trap"' EXIT; exit 4 ); echo "subshell status $?"
f() { trap 'echo "RETURN trap in f"' RETURN; echo "in f"; return 2; }
f; echo "f status $?"
trap - RETURN
(
	trap 'echo "ERR trap, status $?"' ERR
	set -E
	g() { false; }
	g
	grep -q nothing /dev/null
	echo "ERR traps done"
)
rm -f waiting.txt
(
	trap 'echo "HUP trap in a waiting subshell"; kill $sleeper; exit 7' HUP
	sleep 10 & sleeper=$!
	echo "waiting" >waiting.txt
	wait
) & outer=$!
while [ ! -e waiting.txt ]; do sleep 0.01; done
kill -HUP $outer
wait $outer; echo "interrupted wait status $?"

# Process substitution, here-documents, a coprocess.
diff <(seq 1 5) <(seq 1 6)
echo "diff status $?"
while read -r a b; do echo "$b-$a"; done <<EOF
one 1
two 2
EOF
coproc UPPER { tr a-z A-Z; }
echo "to the coprocess" >&"${UPPER[1]}"
exec {UPPER[1]}>&-
read -r line <&"${UPPER[0]}"
wait $UPPER_PID
echo "coprocess said: $line, status $?"
mapfile -t lines < <(printf '%s\n' c a b | sort)
echo "mapfile: ${lines[*]}"

# Set last: a child forked for `cmd &` and killed before it execs would
# run it too, at a time that depends on scheduling.
trap 'echo "EXIT trap, last status $?"' EXIT
exit 3
