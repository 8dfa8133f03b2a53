#!/bin/sh
# ingest: bad input gives a clear message with a position and stores
# nothing partial; a killed ingest leaves earlier runs intact; two ingests
# at once both succeed.
. tests/lib.sh
LOG=testdata/logs/seeds-go1.26.8-m2.log
DB=$T/t.db
runs() { sq "$DB" "SELECT count(*) FROM run"; }

check "ingest a real log" "$ESCDB" --db "$DB" ingest --commit c0ffee01 --date 2026-01-05 -C testdata/seeds "$LOG"
base_findings=$(sq "$DB" "SELECT count(*) FROM finding WHERE run = 1")
want=$(grep -c 'escapes to heap$\|: moved to heap: \|: leaking param\|does not escape$' "$LOG")
got=$(sq "$DB" "SELECT count(*) FROM finding WHERE run = 1 AND kind IN (0,1,2,3,4,5)")
check_eq "every verdict line is one finding" "$got" "$want"

# empty input
: >"$T/empty.log"
check_exit "empty file exits 2" 2 "$ESCDB" --db "$DB" ingest "$T/empty.log"
grep -q "empty.log: empty input" "$T/.err" && ok "empty file: message names the file" || notok "empty file: message names the file"
check_eq "empty file stores no run" "$(runs)" 1

# binary garbage: the same pseudo-random bytes every time (from
# /dev/urandom, about one input in 260 has a "# " at a line start, which is
# a package heading and changes the message)
python3 -c 'import random,sys; r=random.Random(14); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(65536)))' >"$T/garbage.log"
check_exit "binary garbage exits 2" 2 "$ESCDB" --db "$DB" ingest "$T/garbage.log"
grep -q "garbage.log:1: no Go compiler diagnostics found" "$T/.err" && ok "garbage: message with position" || { notok "garbage: message with position"; cat "$T/.err" | head -3; }
check_eq "garbage stores no run" "$(runs)" 1

# missing file
check_exit "missing file exits 2" 2 "$ESCDB" --db "$DB" ingest "$T/nope.log"
grep -q "cannot open .*nope.log: No such file" "$T/.err" && ok "missing file: message" || notok "missing file: message"
check_eq "missing file stores no run" "$(runs)" 1

# invalid UTF-8 inside a real log: warning with file:line, rest read
{ head -n 5 "$LOG"; printf './retptr/retptr.go:99:2: moved to heap: bad\377\376name\n'; tail -n +6 "$LOG"; } >"$T/utf8.log"
check "invalid UTF-8 is read" "$ESCDB" --db "$DB" ingest -C testdata/seeds "$T/utf8.log"
grep -q "utf8.log:6: warning: invalid UTF-8" "$T/.out" && ok "invalid UTF-8: warning at line 6" || { notok "invalid UTF-8: warning at line 6"; head -3 "$T/.out"; }
check_eq "invalid UTF-8: the rest is read" "$(sq "$DB" "SELECT count(*) FROM finding WHERE run = (SELECT max(id) FROM run)")" $((base_findings + 1))

# a 1 MB line in the middle
{ head -n 3 "$LOG"; head -c 1048576 /dev/zero | tr '\0' 'x'; echo; tail -n +4 "$LOG"; } >"$T/long.log"
check "a 1 MB line is read past" "$ESCDB" --db "$DB" ingest -C testdata/seeds "$T/long.log"
grep -q "long.log:4: warning: unrecognised line" "$T/.out" && ok "1 MB line: warning at line 4" || { notok "1 MB line: warning at line 4"; head -3 "$T/.out"; }
check_eq "1 MB line: every finding kept" "$(sq "$DB" "SELECT count(*) FROM finding WHERE run = (SELECT max(id) FROM run)")" "$base_findings"

# CRLF gives the same findings, keys and flows as LF
sed 's/$/\r/' "$LOG" >"$T/crlf.log"
check "CRLF log is read" "$ESCDB" --db "$DB" ingest -C testdata/seeds --commit c0ffee02 "$T/crlf.log"
a=$(sq "$DB" "SELECT group_concat(key || kind || hex(flows), ',') FROM (SELECT * FROM findings WHERE run = 1 ORDER BY key, kind)" | cksum)
b=$(sq "$DB" "SELECT group_concat(key || kind || hex(flows), ',') FROM (SELECT * FROM findings WHERE run = (SELECT max(id) FROM run) ORDER BY key, kind)" | cksum)
check_eq "CRLF: same keys and flows as LF" "$b" "$a"

# a log cut in the middle of an explanation block (after a heading)
n=$(awk '/:   flow: / { if (prev ~ /:$/ && prev !~ /flow: /) h = NR - 1 } { prev = $0 } END { print h }' "$LOG")
head -n "$n" "$LOG" >"$T/cut.log"
check "truncated log is read (--partial)" "$ESCDB" --db "$DB" ingest --partial -C testdata/seeds "$T/cut.log"
grep -q "cut.log:[0-9]*: warning: input ends inside an explanation block" "$T/.out" && ok "truncated block: warning with line" || { notok "truncated block: warning with line"; head -5 "$T/.out"; }
# a log cut inside a line
head -c $(( $(head -n 40 "$LOG" | wc -c) + 12 )) "$LOG" >"$T/cutline.log"
check "log cut inside a line is read (--partial)" "$ESCDB" --db "$DB" ingest --partial -C testdata/seeds "$T/cutline.log"
grep -q "cutline.log:[0-9]*: warning: input ends without a newline" "$T/.out" && ok "cut line: warning with line" || notok "cut line: warning with line"

# standard input
check "ingest from standard input" sh -c "\"$ESCDB\" --db \"$DB\" ingest --label stdin - < \"$LOG\""
check_eq "stdin run stored with its label" "$(sq "$DB" "SELECT count(*) FROM finding WHERE run = (SELECT id FROM run WHERE label = 'stdin')")" "$base_findings"

check "integrity after bad input" sh -c "[ \"\$(sqlite3 '$DB' 'PRAGMA integrity_check')\" = ok ]"

# SIGKILL halfway through a large log leaves earlier runs intact
i=0; : >"$T/big.log"
while [ $i -lt 150 ]; do cat "$LOG" "$LOG"; i=$((i + 1)); done >"$T/big.log"
before=$(runs)
sum1=$(sq "$DB" "SELECT count(*), total(key % 1000003) FROM finding WHERE run = 1")
killed=0 k=0
while [ $k -lt 5 ]; do
	"$ESCDB" --db "$DB" ingest "$T/big.log" >/dev/null 2>&1 &
	pid=$!
	sleep 0.$((3 + k * 2))
	kill -9 $pid 2>/dev/null && killed=$((killed + 1))
	wait $pid 2>/dev/null
	k=$((k + 1))
done
[ $killed -gt 0 ] && ok "ingests killed with SIGKILL ($killed)" || notok "no ingest was killed (too fast?)"
check_eq "killed ingests: integrity_check ok" "$(sq "$DB" 'PRAGMA integrity_check')" ok
after=$(sq "$DB" "SELECT count(*) FROM run WHERE id <= (SELECT max(id) FROM run)")
[ "$after" -ge "$before" ] && ok "killed ingests: earlier runs kept" || notok "killed ingests: earlier runs kept"
check_eq "killed ingests: run 1 unchanged" "$(sq "$DB" "SELECT count(*), total(key % 1000003) FROM finding WHERE run = 1")" "$sum1"
check_eq "killed ingests: no run without its findings" \
	"$(sq "$DB" "SELECT count(*) FROM run r WHERE nfindings != (SELECT count(*) FROM finding f WHERE f.run = r.id)")" 0

# two ingests into one database at once both succeed
"$ESCDB" --db "$DB" ingest --label par1 "$T/big.log" >"$T/p1" 2>&1 & p1=$!
"$ESCDB" --db "$DB" ingest --label par2 "$T/big.log" >"$T/p2" 2>&1 & p2=$!
wait $p1; s1=$?; wait $p2; s2=$?
check_eq "concurrent ingests both exit 0" "$s1$s2" 00
check_eq "concurrent ingests both stored" "$(sq "$DB" "SELECT count(*) FROM run WHERE label IN ('par1','par2')")" 2
check_eq "concurrent ingests equal" "$(sq "$DB" "SELECT count(DISTINCT nfindings) FROM run WHERE label IN ('par1','par2')")" 1

# the writer thread (on a new database) stores what the caller's thread does
ESCDB_WRITER_THREAD=0 "$ESCDB" --db "$T/wt0.db" ingest --commit c1 --date 2026-01-05 "$LOG" >/dev/null 2>&1
ESCDB_WRITER_THREAD=1 "$ESCDB" --db "$T/wt1.db" ingest --commit c1 --date 2026-01-05 "$LOG" >/dev/null 2>&1
check_eq "writer thread: same export as without it" \
	"$("$ESCDB" --db "$T/wt1.db" export --format jsonl | cksum)" "$("$ESCDB" --db "$T/wt0.db" export --format jsonl | cksum)"
check_eq "writer thread: same texts and ids" \
	"$(sq "$T/wt1.db" 'SELECT id, h, s FROM str ORDER BY id' | cksum)" "$(sq "$T/wt0.db" 'SELECT id, h, s FROM str ORDER BY id' | cksum)"

# a database that is not escdb's, and a read-only one
sqlite3 "$T/other.db" "CREATE TABLE t(x)"
check_exit "foreign database refused" 2 "$ESCDB" --db "$T/other.db" ingest "$LOG"
check_exit "runs on a missing database exits 2" 2 "$ESCDB" --db "$T/missing.db" runs
check_exit "unknown option exits 2" 2 "$ESCDB" --db "$DB" ingest --bogus "$LOG"
check_exit "bad date exits 2" 2 "$ESCDB" --db "$DB" ingest --date yesterday "$LOG"

# Go 1.13 wording: "F x does not escape" and tab-indented from lines
O=$T/o13.db
check "go1.13 log is read" "$ESCDB" --db "$O" ingest --go-version go1.13.15 tests/data/go113-prefix.log
check_eq "go1.13: function prefix split from the subject" \
	"$(sq "$O" "SELECT group_concat(func || '|' || subject, ' ') FROM (SELECT * FROM findings WHERE kind = 'noescape' ORDER BY line)")" "Bar|p T.Get|t"
check_eq "go1.13: tab-indented steps belong to the verdict above" \
	"$("$ESCDB" --db "$O" export | grep '"kind":"heap"' | grep -o '"reason":"return"' | wc -l | tr -d ' ')" 2
check "a newer log's subjects with spaces stay whole" "$ESCDB" --db "$O" ingest --go-version go1.26.8 "$LOG"
check_eq "newer log: no subject split" "$(sq "$O" "SELECT count(*) FROM findings WHERE run = 2 AND subject = '... argument' AND kind = 'noescape'")" \
	"$(grep -c ': \.\.\. argument does not escape$' "$LOG")"

# A new database is built beside its path (PATH.tmp-XXXXXX) and appears
# only with its run: while the input still flows there is no file at the
# path; if someone else creates it meanwhile, the run is kept and named.
half=$(( $(wc -l <"$LOG") / 2 ))
head -n "$half" "$LOG" >"$T/h1.log"
tail -n +"$((half + 1))" "$LOG" >"$T/h2.log"
stage_ingest() {        # $1 db, then: feed h1, run $2 while blocked, feed h2
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	"$ESCDB" --db "$1" ingest -C testdata/seeds "$T/fifo" >"$T/st.out" 2>"$T/st.err" &
	pid=$!
	exec 3>"$T/fifo"
	cat "$T/h1.log" >&3
	sleep 0.5
	eval "$2"
	cat "$T/h2.log" >&3
	exec 3>&-
	wait "$pid"
}
S=$T/stage/s.db
mkdir -p "$T/stage"
stage_ingest "$S" 'during=$(ls -A "$T/stage" | sed "s/tmp-[0-9a-f]*$/tmp-N/" | tr "\n" " ")'
check_eq "new database: not at its path until the run is stored" "$during" "s.db.tmp-N "
check_eq "new database: the run is stored whole" \
	"$(sq "$S" "SELECT count(*) FROM finding")" "$base_findings"
check_eq "new database: no temporary file left" "$(ls -A "$T/stage" | grep -c tmp)" 0
check_eq "new database: write-ahead log and 8 KiB pages" \
	"$(sq "$S" "PRAGMA journal_mode; PRAGMA page_size" | tr '\n' ' ')" "wal 8192 "
umask_mode=$(umask 022; : >"$T/mode.ref"; stat -c %a "$T/mode.ref")
check_eq "new database: the mode SQLite would give it" "$(stat -c %a "$S")" "$umask_mode"
R=$T/race/r.db
mkdir -p "$T/race"
stage_ingest "$R" '"$ESCDB" --db "$R" ingest --label other -C testdata/seeds "$LOG" >/dev/null 2>&1'
st=$?
check_eq "created meanwhile: the run is not passed off as stored (exit 4)" "$st" 4
kept=$(ls "$T/race" | grep 'r\.db\.tmp-' | head -1)
grep -q "created by someone else.*kept in .*$kept.*merge" "$T/st.err" && ok "created meanwhile: the message names the kept file and the merge" ||
	{ notok "created meanwhile: the message names the kept file and the merge"; cat "$T/st.err"; }
check "created meanwhile: the kept run merges" "$ESCDB" --db "$R" merge "$T/race/$kept"
check_eq "created meanwhile: both runs, nothing lost" \
	"$(sq "$R" "SELECT count(*) FROM run") $(sq "$R" "SELECT count(*) FROM finding")" "2 $((base_findings * 2))"

# A Markdown file: its "# Title" looks like a package heading, the rest is
# text; not a build log, so no run (seen: a README ingested as a run of
# package "jinja" with 0 findings).
printf '# jinja\n\nA template engine.\n\n## Usage\n\nRun it.\n' >"$T/README.md"
R2=$T/md.db
check_exit "markdown: exits 2" 2 "$ESCDB" --db "$R2" ingest "$T/README.md"
grep -q 'README.md:1: no Go compiler diagnostics found (.*1 "# " heading, 3 unrecognised); no run stored' "$T/.err" &&
	ok "markdown: the message counts the heading and the text" ||
	{ notok "markdown: the message counts the heading and the text"; cat "$T/.err"; }
check_eq "markdown: no database created" "$(ls "$T" | grep -c '^md\.db')" 0

# --commit names a revision of the -C directory's repository: stored as
# its full hash (HEAD~1, a short hash); a label stays as given.
G=$T/gitdir
mkdir -p "$G"
(cd "$G" && git init -q . && for i in 1 2; do echo $i >f; git add f; git -c user.name=t -c user.email=t@e -c commit.gpgsign=false commit -q -m c$i; done)
full1=$(git -C "$G" rev-parse HEAD~1)
CD=$T/commit.db
check "ingest --commit HEAD~1 -C a repository" "$ESCDB" --db "$CD" ingest --commit HEAD~1 -C "$G" "$LOG"
check "ingest --commit a short hash" "$ESCDB" --db "$CD" ingest --commit "$(echo "$full1" | cut -c1-7)" -C "$G" "$LOG"
check "ingest --commit a label" "$ESCDB" --db "$CD" ingest --commit nightly-7 -C "$G" "$LOG"
check_eq "ingest --commit: revisions stored as full hashes, a label as given" \
    "$(sq "$CD" "SELECT commit_id FROM run ORDER BY id" | tr '\n' ' ')" "$full1 $full1 nightly-7 "

# The writer thread (ESCDB_WRITER_THREAD=1) stores exactly what the single
# thread stores: every table, on every versioned log, the Go 1.26 and 1.27
# std logs of testdata/nopos, and an input of verdicts, explanation lines
# and garbage (kept lines and warnings between packages).
python3 -c '
import random
r=random.Random(5)
out=[]
for i in range(20000):
    k=r.randrange(6)
    if k==0: out.append("# pkg%d" % r.randrange(50))
    elif k==1: out.append("./a.go:%d:%d: x escapes to heap" % (r.randrange(1,900), r.randrange(1,80)))
    elif k==2: out.append("./a.go:%d:%d: leaking param: p" % (r.randrange(1,900), r.randrange(1,80)))
    elif k==3: out.append("garbage line %d" % i)
    elif k==4: out.append("./a.go:%d:%d:   flow: {heap} = p:" % (r.randrange(1,900), r.randrange(1,80)))
    else: out.append("./a.go:1:1:     from p (assign) at ./a.go:2:2")
print("\n".join(out))' >"$T/mix.log"
tables() {
	sq "$1" "SELECT nlines, nfindings, npackages, norphans, nwarnings, partial FROM run"
	for t in kept_line line_class package; do
		sq "$1" "SELECT * FROM $t ORDER BY 1, 2"
	done
	"$ESCDB" --db "$1" export
}
same=0 total=0
for f in testdata/logs/*.log testdata/logs/*.log.xz testdata/nopos/*.log.xz "$T/mix.log"; do
	case $f in *.xz) xz -dc "$f" >"$T/in.log" ;; *) cp "$f" "$T/in.log" ;; esac
	for wt in 0 1; do
		rm -f "$T/wt$wt.db"
		ESCDB_WRITER_THREAD=$wt "$ESCDB" --db "$T/wt$wt.db" ingest --commit c \
		    --date 2026-01-01 --go-version go1.26.8 "$T/in.log" >/dev/null 2>&1
		tables "$T/wt$wt.db" >"$T/wt$wt.txt"
	done
	total=$((total + 1))
	if [ -s "$T/wt0.txt" ] && cmp -s "$T/wt0.txt" "$T/wt1.txt"; then
		same=$((same + 1))
	else
		notok "writer thread: $f stored differently"
	fi
done
check_eq "writer thread: every table the same as the single thread's, on every log" "$same" "$total"

# A package whose output comes in two blocks (a cgo warning prints its
# heading twice) is one package, in the summary as in the table.
printf '# escdb.test/dup\n./a.go:3:6: moved to heap: x\n# escdb.test/dup\n./a.go:5:6: moved to heap: y\n' >"$T/dup.log"
check_eq "a package printed in two blocks counts once" \
    "$("$ESCDB" --db "$T/dup.db" ingest "$T/dup.log" | sed 's/.* in //')|$(sq "$T/dup.db" "SELECT count(*) || ' ' || sum(nfindings) FROM package")" \
    "1 package|1 2"
