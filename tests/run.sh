#!/bin/sh
# Runs every test: the unit programs and tests/t_*.sh, each against the
# normal build and the ASan+UBSan build.  Ends with "N passed, N failed".
ROOT=$(pwd)
export ROOT
pass=0 fail=0
log=$(mktemp "${TMPDIR:-/tmp}/escdb-run.XXXXXX")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
only=${TESTS:-}

count() {   # count NAME: reads the output in $log
	p=$(grep -c '^ok - ' "$log")
	f=$(grep -c '^not ok - ' "$log")
	# unit programs print "NAME: N passed, M failed"
	up=$(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$log" | tail -1)
	uf=$(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log" | tail -1)
	p=$((p + ${up:-0})); f=$((f + ${uf:-0}))
	if grep -q 'ERROR: AddressSanitizer\|runtime error:\|ERROR: LeakSanitizer' "$log"; then
		f=$((f + 1)); echo "not ok - $1: sanitizer report" >>"$log"
	fi
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1; echo "not ok - $1: exited $2" >>"$log"
	fi
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$f" -gt 0 ]; then
		echo "FAIL $1 ($p passed, $f failed)"
		grep -v '^ok - ' "$log" | head -60
	else
		echo "pass $1 ($p)"
	fi
}

for bin in build/unit/test_* build/unit-asan/test_*; do
	[ -x "$bin" ] || continue
	case $bin in *.c|*.o) continue ;; esac
	[ -n "$only" ] && ! echo "$bin" | grep -q "$only" && continue
	"$bin" >"$log" 2>&1; st=$?
	count "$bin" $st
done
for esc in ./escdb build/asan/escdb; do
	for t in tests/t_*.sh; do
		[ -f "$t" ] || continue
		[ -n "$only" ] && ! echo "$t" | grep -q "$only" && continue
		ESCDB=$esc sh "$t" >"$log" 2>&1; st=$?
		count "$t [$esc]" $st
	done
done
rm -f "$log"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
