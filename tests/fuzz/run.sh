#!/bin/sh
# tests/fuzz/run.sh SECONDS [NAME...]: runs each fuzz target (default: every
# built build/fuzz/fuzz_NAME) for SECONDS (FUZZ_RUNS=N: for N executions
# instead, with no time limit) on a copy of its seed corpus and
# prints "ok - fuzz NAME: N execs, 0 crashes" or "not ok - ..." with the
# crash report.  Crash inputs are kept in build/fuzz/crashes/NAME/.
secs=${1:-300}; shift
names=$*
if [ -z "$names" ]; then
	for b in build/fuzz/fuzz_*; do
		[ -x "$b" ] && names="$names ${b#build/fuzz/fuzz_}"
	done
fi
out=${FUZZ_OUT:-build/fuzz}   # where NAME.log and NAME.result go
mkdir -p "$out"
sh tests/fuzz/corpus.sh || { echo "not ok - fuzz: corpus"; exit 0; }
# one: runs target $1, writes its ok/not ok line to build/fuzz/$1.result
one() {
	n=$1
	work=build/fuzz/work/$n crash=build/fuzz/crashes/$n
	mkdir -p "$work" "$crash"
	cp build/fuzz/corpus/$n/* "$work/" 2>/dev/null
	log=$out/$n.log
	if [ -n "$FUZZ_RUNS" ]; then limit=-runs=$FUZZ_RUNS; else limit=-max_total_time=$secs; fi
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  build/fuzz/fuzz_$n "$limit" -print_final_stats=1 \
	  -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	  -artifact_prefix="$crash/" "$work" >"$log" 2>&1
	st=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	if [ "$st" -eq 0 ]; then
		echo "ok - fuzz $n: ${execs:-0} execs, 0 crashes"
	else
		echo "not ok - fuzz $n: ${execs:-?} execs, crashed (exit $st; see $log, inputs in $crash)"
		grep -A25 'ERROR:\|runtime error\|deadly signal\|Timeout' "$log" | head -40 | sed 's/^/#   /'
	fi
}
# FUZZ_PARALLEL=1: every target at once (make check), else one by one
for n in $names; do
	if [ -n "$FUZZ_PARALLEL" ]; then one "$n" >"$out/$n.result" &
	else one "$n"; fi
done
wait
if [ -n "$FUZZ_PARALLEL" ]; then
	for n in $names; do cat "$out/$n.result"; done
fi
