#!/bin/sh
# bench_diff.sh (called by make bench): ingests the standard-library
# corpus twice under different commits into a temporary database, then
# times `diff` and `gate` between the two runs (the bar: under 0.5 s
# each), and `diff --format json` against a small run, where nearly every
# finding is "fixed" (the rendering cost).  Figures, not pass/fail.
# CORPUS names the log (default /tmp/corpus/std.log, else build/bench/std.log).
set -e
ESCDB=${ESCDB:-./escdb}
log=${CORPUS:-/tmp/corpus/std.log}
[ -s "$log" ] || log=build/bench/std.log
if [ ! -s "$log" ]; then
	echo "bench_diff: no corpus (set CORPUS=FILE)"; exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/escdb-bench-diff.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
db=$tmp/diff.db
now() { date +%s.%N; }
secs() { echo "$1 $2" | awk '{printf "%.3f", $2-$1}'; }
"$ESCDB" --db "$db" ingest --commit aaaa1111 --date 2026-01-05 "$log" >/dev/null
"$ESCDB" --db "$db" ingest --commit bbbb2222 --date 2026-01-12 "$log" >/dev/null
"$ESCDB" --db "$db" ingest --commit cccc3333 --date 2026-01-19 testdata/logs/demo-go1.26.8-m2.log >/dev/null 2>&1
n=$(sqlite3 "$db" "SELECT nfindings FROM run WHERE id = 1" 2>/dev/null || echo "?")
t0=$(now); "$ESCDB" --db "$db" diff aaaa1111 bbbb2222 >"$tmp/diff.out"; t1=$(now)
t2=$(now); "$ESCDB" --db "$db" gate --base aaaa1111 --head bbbb2222 >"$tmp/gate.out"; t3=$(now)
t4=$(now); "$ESCDB" --db "$db" gate --base aaaa1111 --head bbbb2222 --kinds all --format sarif >"$tmp/gate.sarif"; t5=$(now)
t6=$(now); "$ESCDB" --db "$db" diff aaaa1111 cccc3333 --format json >"$tmp/big.json" 2>/dev/null; t7=$(now)
printf '%-36s %s s   %s\n' "diff (2 x $n findings):" "$(secs "$t0" "$t1")" \
    "$(tail -1 "$tmp/diff.out" | cut -d' ' -f1-6)"
printf '%-36s %s s\n' "gate (heap,moved):" "$(secs "$t2" "$t3")"
printf '%-36s %s s\n' "gate --kinds all --format sarif:" "$(secs "$t4" "$t5")"
printf '%-36s %s s   %s\n' "diff --format json, all fixed:" "$(secs "$t6" "$t7")" \
    "$(grep -c '"change"' "$tmp/big.json" || true) objects with flows"
