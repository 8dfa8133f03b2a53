#!/bin/sh
# make bench: ingests the standard-library corpus (182 MB, 1.5M lines of
# go1.19 -m=2 output) into a fresh database and prints wall time, MB/s,
# database size, peak RSS, and gzip -1's time on the same file as a
# yardstick; then checks the per-kind counts against the log's verdict
# lines.  Figures, not pass/fail.
set -e
corpus=${CORPUS:-../shared/corpus/std-go1.19.8-m2.log.xz}
dir=${BENCH_DIR:-build/bench}
mkdir -p "$dir"
log=$dir/std.log
if [ ! -s "$log" ]; then
	echo "decompressing $corpus"
	xz -dc "$corpus" >"$log.tmp" && mv "$log.tmp" "$log"
fi
size=$(wc -c <"$log")
mb=$(echo "$size" | awk '{printf "%.1f", $1/1048576}')
now() { date +%s.%N; }
t0=$(now); gzip -1 -c "$log" >/dev/null; t1=$(now)
gz=$(echo "$t0 $t1" | awk '{printf "%.3f", $2-$1}')
db=$dir/bench.db
rm -f "$db" "$db-wal" "$db-shm"
t0=$(now)
/usr/bin/time -f "%M" -o "$dir/rss" ./escdb --db "$db" ingest --commit aaaa1111 --date 2026-01-05 "$log" >"$dir/ingest.out" 2>"$dir/ingest.err"
t1=$(now)
ing=$(echo "$t0 $t1" | awk '{printf "%.3f", $2-$1}')
rss=$(tail -1 "$dir/rss")
sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
dbsize=$(wc -c <"$db")
echo "corpus:        $mb MB, $(wc -l <"$log") lines"
echo "gzip -1:       $gz s"
echo "ingest:        $ing s  ($(echo "$size $ing" | awk '{printf "%.0f", $1/1048576/$2}') MB/s, $(echo "$ing $gz" | awk '{printf "%.2f", $1/$2}') x gzip -1)"
echo "database:      $(echo "$dbsize" | awk '{printf "%.1f", $1/1048576}') MB ($(echo "$dbsize $size" | awk '{printf "%.1f", 100*$1/$2}')% of the log)"
echo "peak RSS:      $(echo "$rss" | awk '{printf "%.1f", $1/1024}') MB"
# per-kind counts against the log's verdict lines
want_heap=$(grep -c 'escapes to heap$' "$log" || true)
want_moved=$(grep -c ': moved to heap: ' "$log" || true)
want_leak=$(grep -c ': leaking param: ' "$log" || true)
want_content=$(grep -c ': leaking param content: ' "$log" || true)
want_noesc=$(grep -c ': .* does not escape$' "$log" || true)
got() { sqlite3 "$db" "SELECT count(*) FROM findings WHERE run = 1 AND kind IN ($1)"; }
printf 'counts:        heap %s/%s  moved %s/%s  leak %s/%s  leak-content %s/%s  noescape %s/%s (stored/log)\n' \
	"$(got "'heap'")" "$want_heap" "$(got "'moved'")" "$want_moved" \
	"$(got "'leak','leak-result'")" "$want_leak" "$(got "'leak-content'")" "$want_content" \
	"$(got "'noescape'")" "$want_noesc"
for b in tests/bench_*.sh; do
	[ -f "$b" ] && BENCH_DIR=$dir BENCH_LOG=$log sh "$b"
done
true
