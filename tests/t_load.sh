#!/bin/sh
# Load: 8 processes ingest into one database at once, 20 runs each: all
# 160 runs stored, each whole, none lost, no "database is locked" (or any
# other) failure.  The 2 GB flat-memory check is tests/bench_load.sh
# (make bench).
. tests/lib.sh

procs=${LOAD_PROCS:-8} each=${LOAD_RUNS:-20}
log=testdata/logs/demo-go1.26.8-m2.log
db=$T/load.db
"$ESCDB" --db "$db" ingest --label seed "$log" >/dev/null 2>&1
p=0
while [ "$p" -lt "$procs" ]; do
	p=$((p + 1))
	(
		i=0
		while [ "$i" -lt "$each" ]; do
			i=$((i + 1))
			"$ESCDB" --db "$db" ingest --label "p$p-$i" --commit "c$p$i" "$log" \
			  >/dev/null 2>>"$T/err.$p" || echo "p$p-$i exit $?" >>"$T/fail.$p"
		done
	) &
done
wait
fails=$(cat "$T"/fail.* 2>/dev/null | wc -l)
check_eq "load: $procs x $each concurrent ingests: no command failed" "$fails" 0
cat "$T"/err.* 2>/dev/null | sort | uniq -c | head -5 | sed 's/^/#   /'
check "load: no \"database is locked\" error" sh -c "! cat '$T'/err.* | grep -qi 'locked\|busy'"
n=$(sq "$db" "SELECT count(*) FROM run WHERE label <> 'seed'")
check_eq "load: all $((procs * each)) runs stored" "$n" $((procs * each))
d=$(sq "$db" "SELECT count(DISTINCT label) FROM run WHERE label <> 'seed'")
check_eq "load: each run stored once (distinct labels)" "$d" $((procs * each))
part=$(sq "$db" "SELECT count(*) FROM run r WHERE nfindings <> (SELECT count(*) FROM finding WHERE run=r.id)")
check_eq "load: no partial run" "$part" 0
same=$(sq "$db" "SELECT count(DISTINCT nfindings) FROM run")
check_eq "load: every run has the same findings as the first" "$same" 1
check_eq "load: integrity_check" "$(sq "$db" 'PRAGMA integrity_check')" ok
exit 0
