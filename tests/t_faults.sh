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

# A mid-size log: the seeds/demo -m2 logs repeated.
for i in 1 2 3 4 5 6; do cat testdata/logs/*-m2.log; done >"$T/mid.log"
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
# verify WHAT DB BEFORE MAYDROP: integrity, runs of BEFORE intact (MAYDROP=1:
# a run may be gone, as prune deletes), every run whole (its finding rows
# number its recorded nfindings)
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
	part=$(sq "$2" "SELECT group_concat(id) FROM run r WHERE nfindings <> (SELECT count(*) FROM finding WHERE run=r.id)")
	[ -z "$part" ] || err="$err; partial runs $part"
	if [ -n "$err" ]; then bad=$((bad + 1)); notok "$1: $err"; return 1; fi
	return 0
}

# phase NAME DB PRISTINE MAXMS MAYDROP CMD...: until PER kills (at most
# 3*PER tries), SIGKILL CMD at a random moment and verify DB; when CMD
# finished first, DB is reset to PRISTINE (a copy) if PRISTINE is not "-"
phase() {
	name=$1 db=$2 pristine=$3 max=$4 drop=$5; shift 5
	k=0 tries=0
	while [ "$k" -lt "$per" ] && [ "$tries" -lt $((5 * per)) ]; do
		tries=$((tries + 1))
		runsums "$db" >"$T/before"
		if killrun "$db" "$max" "$@"; then
			k=$((k + 1)); total=$((total + 1))
			verify "kill during $name $tries" "$db" "$T/before" "$drop" && survived=$((survived + 1))
		else
			verify "$name $tries (not killed)" "$db" "$T/before" "$drop"
			if [ "$pristine" != - ]; then cp "$pristine" "$db"; rm -f "$db-wal" "$db-shm"; fi
		fi
	done
	eval "k_$name=$k"
}

# elapsed_ms CMD...: runs CMD, prints its wall time in ms
elapsed_ms() {
	t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000000 ))
}

base=$T/base.db
"$ESCDB" --db "$base" ingest --label one --date 2024-01-01 "$small" >/dev/null 2>&1
"$ESCDB" --db "$base" ingest --label two --date 2024-02-01 testdata/logs/demo-go1.26.8-m2.log >/dev/null 2>&1
"$ESCDB" --db "$base" ingest --label three --date 2024-03-01 testdata/logs/seeds-go1.21.13-m2.log >/dev/null 2>&1
check_eq "faults: base database has 3 runs" "$(sq "$base" 'SELECT count(*) FROM run')" 3

# --- ingest (the database keeps growing: each kill leaves what it leaves)
cp "$base" "$T/ref.db"
ms_ingest=$(elapsed_ms "$ESCDB" --db "$T/ref.db" ingest --label ref "$T/mid.log")
db=$T/ingest.db; cp "$base" "$db"
phase ingest "$db" - "$ms_ingest" 0 "$ESCDB" --db "$db" ingest --label k "$T/mid.log"

# --- run (a copy of testdata/demo)
cp -r testdata/demo "$T/demo"
db=$T/run.db; cp "$base" "$db"
ms_run=$(elapsed_ms "$ESCDB" --db "$db" run -C "$T/demo" --commit first)
phase run "$db" - "$ms_run" 0 "$ESCDB" --db "$db" run -C "$T/demo" --commit c

# --- merge: a source with many runs into a copy of base
src=$T/src.db
j=0
while [ "$j" -lt 12 ]; do
	j=$((j + 1))
	"$ESCDB" --db "$src" ingest --label m$j --date "2023-0$((j % 9 + 1))-1$((j % 9))" testdata/logs/demo-go1.2$((j % 6 + 1))*-m2.log >/dev/null 2>&1
done
"$ESCDB" --db "$src" merge "$T/ref.db" >/dev/null 2>&1
cp "$base" "$T/mref.db"
ms_merge=$(elapsed_ms "$ESCDB" --db "$T/mref.db" merge "$src")
db=$T/merge.db; cp "$base" "$db"
phase merge "$db" "$base" "$ms_merge" 0 "$ESCDB" --db "$db" merge "$src"

# --- prune --vacuum: the merged source (16 runs over many weeks)
cp "$T/mref.db" "$T/pbase.db"; cp "$T/mref.db" "$T/pref.db"
ms_prune=$(elapsed_ms "$ESCDB" --db "$T/pref.db" prune --keep-weeks 1 --vacuum)
db=$T/prune.db; cp "$T/pbase.db" "$db"
phase prune "$db" "$T/pbase.db" "$ms_prune" 1 "$ESCDB" --db "$db" prune --keep-weeks 1 --vacuum

[ "$bad" -eq 0 ] && ok "faults: $survived of $total SIGKILLs survived (ingest $k_ingest, run $k_run, merge $k_merge, prune $k_prune): integrity ok, committed runs intact, no partial run"
check "faults: at least 50 commands killed mid-way ($total)" test "$total" -ge 50

# --- full disk: a 2 MB tmpfs if mount is permitted, else ulimit -f 2048
fd=$T/full
mkdir -p "$fd"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=2m tmpfs "$fd" 2>/dev/null; then
	how=tmpfs
	cp "$base" "$fd/x.db"
	runsums "$fd/x.db" >"$T/before"
	# fill the disk, then give back 128 KB: room to open, not to store
	dd if=/dev/zero of="$fd/fill" bs=64k 2>/dev/null
	truncate -s -128k "$fd/fill"
	"$ESCDB" --db "$fd/x.db" ingest --label big "$T/mid.log" >"$T/out" 2>"$T/err"; st=$?
else
	how="ulimit -f"
	cp "$base" "$fd/x.db"
	runsums "$fd/x.db" >"$T/before"
	( trap '' XFSZ; ulimit -f $(( $(wc -c <"$fd/x.db") / 512 + 256 )); exec "$ESCDB" --db "$fd/x.db" ingest --label big "$T/mid.log" ) >"$T/out" 2>"$T/err"; st=$?
fi
check_eq "faults: full disk ($how): exit 4" "$st" 4
check "faults: full disk ($how): message names the problem" grep -qi 'escdb: .*\(full\|disk\|space\|too large\)' "$T/err"
check "faults: full disk: no crash" sh -c "! grep -q 'Sanitizer\|runtime error\|Segmentation' '$T/err'"
verify "faults: full disk ($how): earlier runs intact" "$fd/x.db" "$T/before" 0 && ok "faults: full disk ($how): integrity ok, earlier runs intact"
[ "$how" = tmpfs ] && umount "$fd"

# --- full disk while the writer thread inserts: the thread runs only on a
# new database, and the run must outgrow SQLite's page cache (4 MB) for
# the thread's inserts to write; 1 MB per file under ulimit -f
fresh=$T/fresh
mkdir -p "$fresh"
i=0
while [ "$i" -lt 16 ]; do cat "$T/mid.log"; i=$((i + 1)); done >"$T/big.log"
( trap '' XFSZ; ulimit -f 2048; ESCDB_WRITER_THREAD=1 exec "$ESCDB" --db "$fresh/y.db" ingest --label big "$T/big.log" ) >"$T/out" 2>"$T/err"; st=$?
check_eq "faults: full disk in the writer thread: exit 4" "$st" 4
check "faults: full disk in the writer thread: message names the problem" grep -qi 'escdb: .*\(full\|disk\|space\|too large\)' "$T/err"
check "faults: full disk in the writer thread: no crash" sh -c "! grep -q 'Sanitizer\|runtime error\|Segmentation' '$T/err'"
# a new database is built beside its path and appears only with its run:
# nothing is left, neither the database nor its temporary file
check_eq "faults: full disk in the writer thread: no database, no temporary file left" \
	"$(ls -A "$fresh")" ""
rm -f "$T/big.log"

# --- read-only database: a tmpfs remounted read-only when permitted (root
# ignores file modes), else the file and directory made read-only and the
# command run as nobody through setpriv
ro=$T/ro
mkdir -p "$ro"
rocmd=""
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=8m tmpfs "$ro" 2>/dev/null; then
	cp "$base" "$ro/x.db"
	mount -o remount,ro "$ro" && how="read-only tmpfs"
elif [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	cp "$base" "$ro/x.db"; chmod 444 "$ro/x.db"; chmod 555 "$ro"; chmod o+x "$T"
	rocmd="setpriv --reuid=nobody --regid=nogroup --clear-groups"; how="mode 444, as nobody"
else
	cp "$base" "$ro/x.db"; chmod 444 "$ro/x.db"; chmod 555 "$ro"; how="mode 444"
fi
$rocmd "$ESCDB" --db "$ro/x.db" ingest --label ro "$small" >"$T/out" 2>"$T/err"; st=$?
check "faults: read-only database ($how): ingest fails with exit 2 or 4 ($st)" test "$st" = 4 -o "$st" = 2
check "faults: read-only database: message names the problem" grep -qi 'escdb: .*\(read-only\|readonly\|permission\|cannot open\|unable to open\)' "$T/err"
check "faults: read-only database: no crash" sh -c "! grep -q 'Sanitizer\|runtime error\|Segmentation' '$T/err'"
sed 's/^/# /' "$T/err" | head -3
$rocmd "$ESCDB" --db "$ro/x.db" runs >"$T/out" 2>"$T/err"; st=$?
check "faults: read-only database ($how): runs readable, or an error naming the problem ($st)" sh -c "[ $st = 0 ] || grep -qi '^escdb: .*\(read-only\|readonly\|unable to open\|permission\)' '$T/err'"
sed 's/^/# /' "$T/err" | head -3
[ "$how" = "read-only tmpfs" ] && umount "$ro"
chmod -R u+w "$ro" 2>/dev/null
exit 0
