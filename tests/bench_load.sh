#!/bin/sh
# make bench (part): flat memory on a huge log.  Ingests the corpus once
# (1x) and repeated to about BENCH_GB GB (default 2; Nx, streamed through a
# pipe so the big log never touches the disk) and prints the peak RSS of
# each, measured by /usr/bin/time -f %M.  The log is BENCH_LOG if set,
# else build/bench/std.log (written by tests/bench.sh), else
# /tmp/corpus/std.log.  Figures, plus a pass/fail line on the ratio.
log=${BENCH_LOG:-build/bench/std.log}
[ -s "$log" ] || log=/tmp/corpus/std.log
[ -s "$log" ] || { echo "bench_load: no log (set BENCH_LOG)"; exit 1; }
[ -x /usr/bin/time ] || { echo "bench_load: needs /usr/bin/time (apt-get install time)"; exit 1; }
dir=${BENCH_DIR:-build/bench}
mkdir -p "$dir"
size=$(wc -c <"$log")
gb=${BENCH_GB:-2}
n=$(( gb * 1073741824 / size + 1 ))
db=$dir/load.db
rm -f "$db" "$db-wal" "$db-shm"
/usr/bin/time -f %M -o "$dir/rss1" ./escdb --db "$db" ingest --label x1 "$log" >/dev/null 2>"$dir/load1.err" ||
	{ echo "bench_load: 1x ingest failed"; cat "$dir/load1.err"; exit 1; }
rm -f "$db" "$db-wal" "$db-shm"
t0=$(date +%s)
i=0
while [ "$i" -lt "$n" ]; do i=$((i + 1)); cat "$log"; done |
	/usr/bin/time -f %M -o "$dir/rssn" ./escdb --db "$db" ingest --label xn - >"$dir/loadn.out" 2>"$dir/loadn.err" ||
	{ echo "bench_load: ${n}x ingest failed"; cat "$dir/loadn.err"; exit 1; }
t1=$(date +%s)
r1=$(tail -1 "$dir/rss1"); rn=$(tail -1 "$dir/rssn")
echo "log:           $(awk -v s="$size" 'BEGIN{printf "%.1f MB", s/1048576}')"
echo "peak RSS 1x:   $r1 KB"
echo "peak RSS ${n}x:  $rn KB ($(awk -v s="$size" -v n="$n" 'BEGIN{printf "%.2f GB", s*n/1073741824}') in $((t1 - t0)) s: $(cat "$dir/loadn.out"))"
if [ "$rn" -le $((r1 * 3 / 2 + 16384)) ]; then echo "ok - bench_load: memory flat (${n}x uses at most 1.5x the 1x peak)"
else echo "not ok - bench_load: memory grows with the log (${n}x: $rn KB vs 1x: $r1 KB)"; fi
rm -f "$db" "$db-wal" "$db-shm"
