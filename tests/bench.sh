#!/bin/sh
# make bench: ingests the standard-library corpus (182 MB, 1.5M lines of
# go1.19 -m=2 output) into a fresh database, alternating with gzip -1 of
# the same file as a yardstick, BENCH_PAIRS (default 5) pairs, and prints
# the ratio ingest/gzip as a median with its min and max (wall time, and
# user+sys CPU time), MB/s, database size and peak RSS; then checks the
# per-kind counts against the log's verdict lines.  Figures, not pass/fail.
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
pairs=${BENCH_PAIRS:-5}
db=$dir/bench.db
# One pair: gzip -1 of the log, then an ingest of it into a fresh
# database, alternating, so machine load falls on both alike.  Each line
# of $dir/pairs: gzip wall, gzip cpu, ingest wall, ingest cpu, ingest RSS KB.
: >"$dir/pairs"
i=0
while [ "$i" -lt "$pairs" ]; do
	i=$((i + 1))
	/usr/bin/time -f "%e %U %S" -o "$dir/t.gz" gzip -1 -c "$log" >/dev/null
	rm -f "$db" "$db-wal" "$db-shm"
	/usr/bin/time -f "%e %U %S %M" -o "$dir/t.in" ./escdb --db "$db" ingest \
	    --commit aaaa1111 --date 2026-01-05 "$log" >"$dir/ingest.out" 2>"$dir/ingest.err"
	g=$(tail -1 "$dir/t.gz"); n=$(tail -1 "$dir/t.in")
	echo "$g $n" | awk '{printf "%s %.2f %s %.2f %s\n", $1, $2+$3, $4, $5+$6, $7}' >>"$dir/pairs"
done
# median, min and max of a column of ratios
stats() { sort -g | awk '{v[NR]=$1} END{m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2;
	printf "%.2fx (min %.2f, max %.2f, %d pairs)", m, v[1], v[NR], NR}'; }
rss=$(awk '$5>m{m=$5} END{print m}' "$dir/pairs")
sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
dbsize=$(wc -c <"$db")
echo "corpus:          $mb MB, $(wc -l <"$log") lines"
echo "gzip -1:         $(awk '{print $1}' "$dir/pairs" | sort -g | awk '{v[NR]=$1} END{printf "%.2f s median wall", v[int((NR+1)/2)]}')"
echo "ingest:          $(awk '{print $3}' "$dir/pairs" | sort -g | awk -v s="$size" '{v[NR]=$1} END{m=v[int((NR+1)/2)]; printf "%.2f s median wall (%.0f MB/s)", m, s/1048576/m}')"
echo "ingest/gzip -1:  $(awk '{print $3/$1}' "$dir/pairs" | stats) wall, median with spread"
echo "  cpu (user+sys): $(awk '$2>0{print $4/$2}' "$dir/pairs" | stats)"
echo "database:        $(echo "$dbsize" | awk '{printf "%.1f", $1/1048576}') MB ($(echo "$dbsize $size" | awk '{printf "%.1f", 100*$1/$2}')% of the log)"
echo "peak RSS:        $(echo "$rss" | awk '{printf "%.1f", $1/1024}') MB (largest of the $pairs ingests)"
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
# BENCH_QUICK=1: the ingest figures only
[ -n "$BENCH_QUICK" ] && exit 0
for b in tests/bench_*.sh; do
	[ -f "$b" ] && BENCH_DIR=$dir BENCH_LOG=$log sh "$b"
done
true
