#!/bin/sh
# bench_grep: times escdb grep and explain on the standard-library corpus.
#
#     sh tests/bench_grep.sh [LOG]      (default /tmp/corpus/std.log)
#
# Ingests LOG into a temporary database under ${TMPDIR:-/tmp}, then times
# `grep interface`, `grep --reason interface-converted .` and `explain` of
# one position (the position with the most findings), each the best of
# three runs, and prints the seconds of each.  The bar is 0.2 s each.
# Called from make bench; exits 0 (1 only when the corpus is missing or
# ingest fails).

ROOT=$(pwd)
ESCDB=${ESCDB:-$ROOT/escdb}
LOG=${1:-${BENCH_LOG:-/tmp/corpus/std.log}}
if [ ! -r "$LOG" ]; then
	echo "bench_grep: $LOG is missing; skipped"
	exit 0
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/escdb-bench-grep.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
export NO_COLOR=1 LC_ALL=C
unset ESCDB_DB
DB=$T/std.db

now() { date +%s.%N; }

# best WHAT CMD...: runs CMD three times, prints the fastest wall time in
# seconds, and the CPU time (user + system) of that run when GNU time is
# there: on a loaded machine the wall time mostly measures the scheduler.
best() {
	what=$1
	shift
	b=
	bc=
	for i in 1 2 3; do
		t0=$(now)
		if [ -x /usr/bin/time ]; then
			/usr/bin/time -f '%U %S' -o "$T/time" "$@" >/dev/null 2>&1
		else
			"$@" >/dev/null 2>&1
		fi
		t1=$(now)
		s=$(echo "$t1 $t0" | awk '{ printf "%.3f", $1 - $2 }')
		if [ -z "$b" ] || awk "BEGIN { exit !($s < $b) }"; then
			b=$s
			[ -r "$T/time" ] && bc=$(awk '{ printf "%.2f", $1 + $2 }' "$T/time")
		fi
	done
	flag=
	awk "BEGIN { exit !($b >= 0.2) }" && flag="  (over the 0.2 s bar)"
	printf '%-45s %s s%s%s\n' "$what" "$b" "${bc:+ (cpu $bc s)}" "$flag"
}

t0=$(now)
if ! "$ESCDB" --db "$DB" ingest --commit bench "$LOG" >"$T/ingest.out" 2>&1; then
	echo "bench_grep: ingest of $LOG failed:"
	tail -5 "$T/ingest.out"
	exit 1
fi
t1=$(now)
printf '%-45s %s s (%s)\n' "ingest $(basename "$LOG")" \
	"$(echo "$t1 $t0" | awk '{ printf "%.3f", $1 - $2 }')" "$(tail -1 "$T/ingest.out")"
POS=$("$ESCDB" --db "$DB" sql --format csv "SELECT package || '/' || file || ':' || line || ':' || col
	FROM findings GROUP BY package, file, line, col ORDER BY count(*) DESC LIMIT 1" | tail -n 1)

best "grep interface" "$ESCDB" --db "$DB" grep interface
best "grep --reason interface-converted ." "$ESCDB" --db "$DB" grep --reason interface-converted .
best "explain $POS" "$ESCDB" --db "$DB" explain "$POS"
exit 0
