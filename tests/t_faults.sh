#!/bin/sh
# Faults: SIGKILL at random moments during run, ingest, merge and prune
# (FAULT_KILLS in total, default 56) must leave the database passing
# PRAGMA integrity_check, every run committed before intact (same findings,
# checked per run), and every new run whole or absent; a full disk gives a
# clear error (exit 4) and no damage; a read-only database gives a clear
# error.  Full disk and read-only use a tmpfs when mount is permitted
# (root), else ulimit -f and setpriv to nobody.
. tests/lib.sh

kills=${FAULT_KILLS:-56}
per=$((kills / 4 + 1))
case $ESCDB in */asan/*) slow=3 ;; *) slow=1 ;; esac

# A mid-size log: the seeds/demo -m2 logs repeated.
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do cat testdata/logs/*-m2.log; done >"$T/mid.log"
small=testdata/logs/seeds-go1.26.8-m2.log

# runsums DB: "ID COUNT MD5" per run, in id order
runsums() {
	for id in $(sq "$1" "SELECT id FROM run ORDER BY id"); do
		s=$(sq "$1" "SELECT file,line,col,func,kind,subject,detail,message,cause,key,hex(flows) FROM finding WHERE run=$id ORDER BY rowid" | md5sum | cut -c1-32)
		n=$(sq "$1" "SELECT count(*) FROM finding WHERE run=$id")
		echo "$id $n $s"
	done
}

# ms N: a random number 0..N-1
ms() { od -An -N2 -tu2 /dev/urandom | awk -v n="$1" '{print $1 % n}'; }

# killrun DB MAXMS CMD...: starts CMD, SIGKILLs it after a random 0..MAXMS ms
# (if still running); returns 0 when it was killed
killrun() {
	db=$1 max=$2; shift 2
	"$@" >/dev/null 2>&1 &
	pid=$!
	d=$(ms "$max")
	sleep "$(awk -v d="$d" 'BEGIN{printf "%.3f", d/1000}')"
	if kill -KILL "$pid" 2>/dev/null; then wait "$pid" 2>/dev/null; return 0; fi
	wait "$pid" 2>/dev/null
	return 1
}

total=0 survived=0 bad=0
# verify WHAT DB BEFORE MAYDROP WANTN: integrity, runs of BEFORE intact
# (MAYDROP=1: a run may be gone, as prune deletes), new runs whole (WANTN
# findings, or any count when WANTN is empty)
verify() {
	ic=$(sq "$2" "PRAGMA integrity_check" 2>&1)
	runsums "$2" >"$T/after"
	err=""
	[ "$ic" = ok ] || err="integrity_check: $ic"
	while read -r id n s; do
		a=$(awk -v id="$id" '$1 == id' "$T/after")
		if [ -z "$a" ]; then [ "$4" = 1 ] || err="$err; run $id lost"
		elif [ "$a" != "$id $n $s" ]; then err="$err; run $id changed"; fi
	done <"$3"
	if [ -n "$5" ]; then
		while read -r id n s; do
			grep -q "^$id " "$3" && continue
			[ "$n" = "$5" ] || err="$err; new run $id partial ($n findings, want $5)"
		done <"$T/after"
	fi
	if [ -n "$err" ]; then bad=$((bad + 1)); notok "$1: $err"; return 1; fi
	return 0
}

base=$T/base.db
"$ESCDB" --db "$base" ingest --label one --date 2024-01-01 "$small" >/dev/null 2>&1
"$ESCDB" --db "$base" ingest --label two --date 2024-02-01 testdata/logs/demo-go1.26.8-m2.log >/dev/null 2>&1
"$ESCDB" --db "$base" ingest --label three --date 2024-03-01 testdata/logs/seeds-go1.21.13-m2.log >/dev/null 2>&1
check_eq "faults: base database has 3 runs" "$(sq "$base" 'SELECT count(*) FROM run')" 3

# reference: findings of a whole ingest of mid.log and of a run of demo
cp "$base" "$T/ref.db"
t0=$(date +%s%N)
"$ESCDB" --db "$T/ref.db" ingest --label ref "$T/mid.log" >/dev/null 2>&1
t1=$(date +%s%N)
ingest_ms=$(( (t1 - t0) / 1000000 + 20 ))
nmid=$(sq "$T/ref.db" "SELECT count(*) FROM finding f JOIN run r ON r.id=f.run WHERE r.label=(SELECT id FROM str WHERE s='ref') OR r.label='ref'")

# --- ingest
db=$T/ingest.db; cp "$base" "$db"
i=0
while [ "$i" -lt "$per" ]; do
	i=$((i + 1))
	runsums "$db" >"$T/before"
	killrun "$db" "$ingest_ms" "$ESCDB" --db "$db" ingest --label k$i "$T/mid.log" && total=$((total + 1))
	verify "kill during ingest $i" "$db" "$T/before" 0 "$nmid" && survived=$((survived + 1))
done

# --- run (testdata/demo, copied: go writes nothing there, but be safe)
cp -r testdata/demo "$T/demo"
db=$T/run.db; cp "$base" "$db"
i=0
while [ "$i" -lt "$per" ]; do
	i=$((i + 1))
	runsums "$db" >"$T/before"
	killrun "$db" $((800 * slow)) "$ESCDB" --db "$db" run -C "$T/demo" --commit c$i && total=$((total + 1))
	verify "kill during run $i" "$db" "$T/before" 0 "" && survived=$((survived + 1))
done
nrun=$(sq "$db" "SELECT count(DISTINCT n) FROM (SELECT count(*) n FROM finding WHERE run > 3 GROUP BY run)")
check "faults: every stored run of demo is whole (one finding count)" test "${nrun:-0}" -le 1

# --- merge: a source with many runs into a copy of base
src=$T/src.db
j=0
while [ "$j" -lt 12 ]; do
	j=$((j + 1))
	"$ESCDB" --db "$src" ingest --label m$j --date "2023-0$((j % 9 + 1))-1$((j % 9))" "$small" >/dev/null 2>&1
done
t0=$(date +%s%N)
cp "$base" "$T/mref.db"; "$ESCDB" --db "$T/mref.db" merge "$src" >/dev/null 2>&1
t1=$(date +%s%N)
merge_ms=$(( (t1 - t0) / 1000000 + 20 ))
nsmall=$(sq "$src" "SELECT count(*) FROM finding WHERE run=1")
db=$T/merge.db; cp "$base" "$db"
i=0
while [ "$i" -lt "$per" ]; do
	i=$((i + 1))
	runsums "$db" >"$T/before"
	if killrun "$db" "$merge_ms" "$ESCDB" --db "$db" merge "$src"; then total=$((total + 1)); else cp "$base" "$db"; rm -f "$db-wal" "$db-shm"; runsums "$db" >"$T/before"; fi
	verify "kill during merge $i" "$db" "$T/before" 0 "$nsmall" && survived=$((survived + 1))
done

# --- prune: many runs over many weeks, --vacuum
mkp() {
	cp "$src" "$1"; rm -f "$1-wal" "$1-shm"
	"$ESCDB" --db "$1" merge "$T/ref.db" >/dev/null 2>&1
}
mkp "$T/pbase.db"
t0=$(date +%s%N)
cp "$T/pbase.db" "$T/pref.db"; "$ESCDB" --db "$T/pref.db" prune --keep-weeks 1 --vacuum >/dev/null 2>&1
t1=$(date +%s%N)
prune_ms=$(( (t1 - t0) / 1000000 + 20 ))
db=$T/prune.db; cp "$T/pbase.db" "$db"
i=0
while [ "$i" -lt "$per" ]; do
	i=$((i + 1))
	runsums "$db" >"$T/before"
	if killrun "$db" "$prune_ms" "$ESCDB" --db "$db" prune --keep-weeks 1 --vacuum; then total=$((total + 1)); else cp "$T/pbase.db" "$db"; rm -f "$db-wal" "$db-shm"; runsums "$db" >"$T/before"; fi
	verify "kill during prune $i" "$db" "$T/before" 1 "" && survived=$((survived + 1))
done

[ "$bad" -eq 0 ] && ok "faults: $survived checks after $total SIGKILLs (ingest, run, merge, prune): integrity ok, committed runs intact"
check "faults: at least 50 commands killed mid-way ($total)" test "$total" -ge 50
