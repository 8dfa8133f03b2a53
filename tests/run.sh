#!/bin/sh
# Runs every test: the unit programs and tests/t_*.sh, each against the
# normal build and the ASan+UBSan build.  Ends with "N passed, N failed".
#
# The two builds are tested side by side (one worker each; JOBS=1 runs
# them one after the other).  Each test's line gives its time.
# TESTS=PATTERN runs only the files whose name matches.
ROOT=$(pwd)
export ROOT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
only=${TESTS:-}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 1)}
work=$(mktemp -d "${TMPDIR:-/tmp}/escdb-run.XXXXXX")
# tests never write escdb's cache directory in HOME (lib.sh gives each its own)
export ESCDB_CACHE=$work/escdb-cache
trap 'rm -rf "$work"' EXIT

# count NAME STATUS SECONDS LOG REPORT: counts the ok/not ok lines of LOG
# (and a unit program's "N passed, M failed"), prints the verdict, appends
# a failure's lines to REPORT and the two counts to REPORT.n
count() {
	log=$4 rep=$5
	p=$(grep -c '^ok - ' "$log")
	f=$(grep -c '^not ok - ' "$log")
	up=$(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$log" | tail -1)
	uf=$(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log" | tail -1)
	p=$((p + ${up:-0})); f=$((f + ${uf:-0}))
	if grep -q 'ERROR: AddressSanitizer\|runtime error:\|ERROR: LeakSanitizer' "$log"; then
		f=$((f + 1)); echo "not ok - $1: sanitizer report" >>"$log"
	fi
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1; echo "not ok - $1: exited $2" >>"$log"
	fi
	echo "$p $f" >>"$rep.n"
	if [ "$f" -gt 0 ]; then
		echo "FAIL $1 ($p passed, $f failed) ${3}s"
		{ echo "FAIL $1"; grep -v '^ok - ' "$log" | head -60; } >>"$rep"
	else
		echo "pass $1 ($p) ${3}s"
	fi
}

# worker NAME UNITDIR ESCDB: every unit program in UNITDIR, then every
# tests/t_*.sh against ESCDB; the verdicts go to $work/NAME
worker() {
	rep=$work/$1 log=$work/$1.log
	: >"$rep"; : >"$rep.n"
	for bin in "$2"/test_*; do
		[ -x "$bin" ] || continue
		case $bin in *.c|*.o) continue ;; esac
		[ -n "$only" ] && ! echo "$bin" | grep -q "$only" && continue
		t0=$(date +%s)
		"$bin" >"$log" 2>&1; st=$?
		count "$bin" $st $(($(date +%s) - t0)) "$log" "$rep"
	done
	for t in tests/t_*.sh; do
		[ -f "$t" ] || continue
		[ -n "$only" ] && ! echo "$t" | grep -q "$only" && continue
		t0=$(date +%s)
		ESCDB=$3 sh "$t" >"$log" 2>&1; st=$?
		count "$t [$3]" $st $(($(date +%s) - t0)) "$log" "$rep"
	done
}

if [ "$jobs" -gt 1 ]; then
	worker normal build/unit ./escdb &
	worker asan build/unit-asan build/asan/escdb &
	wait
else
	worker normal build/unit ./escdb
	worker asan build/unit-asan build/asan/escdb
fi
# what failed, with its lines, after the verdicts
cat "$work/normal" "$work/asan"
pass=0 fail=0
for r in "$work"/normal.n "$work"/asan.n; do
	while read -r p f; do pass=$((pass + p)); fail=$((fail + f)); done <"$r"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
