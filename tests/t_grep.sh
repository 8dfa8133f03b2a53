#!/bin/sh
# t_grep: escdb grep, explain and sql over runs stored from testdata logs.
#
#     ESCDB=./escdb sh tests/t_grep.sh
#
# Run 1 is testdata/logs/seeds-go1.26.8-m2.log (ingested with -C
# testdata/seeds, commit 1111aaaa...), run 2 the -m1 log of the same
# programs (commit 2222bbbb..., no flow chains).  Expected counts come from
# the log itself (grep on the log, or the same question asked through
# escdb sql) rather than from hard-coded numbers where possible.

. tests/lib.sh
unset ESCDB_DB
LOG=$ROOT/testdata/logs/seeds-go1.26.8-m2.log
LOG1=$ROOT/testdata/logs/seeds-go1.26.8-m1.log
DB=$T/g.db
E() { "$ESCDB" --db "$DB" "$@"; }
# verdicts: the finding lines of the -m2 log (no headers, headings or flows)
verdicts() {
	grep -v '^#' "$LOG" | grep -v ':$' | grep -Ev '^[^ ]+:[0-9]+:[0-9]+:   +(flow|from) '
}
# count of SQL: one number
sqln() { E sql --format csv "$1" | tail -n 1; }

check "ingest m2 log" E ingest -C "$ROOT/testdata/seeds" --commit 1111aaaa00000000000000000000000000000000 \
	--date 2026-01-01 --label m2 "$LOG"
check "ingest m1 log" E ingest -C "$ROOT/testdata/seeds" --commit 2222bbbb00000000000000000000000000000000 \
	--date 2026-01-02 --label m1 "$LOG1"
TOTAL=$(sqln "SELECT count(*) FROM finding WHERE run = 1")
R="--run 1111aaaa"

# ---- grep: matching and exit statuses ----
want=$(grep -c 'escapes to heap$' "$LOG")
check_eq "grep -c counts message matches" "$(E grep $R -c 'escapes to heap$')" "$want"
E grep $R 'escapes to heap$' >"$T/heap.txt"
check_eq "grep prints one line per hit" "$(wc -l <"$T/heap.txt" | tr -d ' ')" "$want"
check "grep prints dir/file:line:col: message" grep -Eq '^[a-z]+/[a-z]+\.go:[0-9]+:[0-9]+: .* escapes to heap$' "$T/heap.txt"
check_exit "grep exits 0 on a match" 0 E grep $R heap
check_exit "grep exits 1 when nothing matched" 1 E grep $R 'no such text anywhere'
check_eq "grep -c prints 0 when nothing matched" "$(E grep $R -c 'no such text anywhere')" 0
check_exit "grep exits 2 on a bad regex" 2 E grep $R 'make([]int'
check "bad regex: pcre2 message" grep -q 'missing terminating ] for character class' "$T/.err"
check "bad regex: offset and -F hint" grep -q 'offset [0-9][0-9]*.*use -F for a literal string' "$T/.err"
want=$(verdicts | grep -cF 'make([]int')
check_eq "grep -F with regex metacharacters" "$(E grep $R -cF 'make([]int')" "$want"
check_eq "grep -F treats dots literally" "$(E grep $R -cF '.')" \
	"$(sqln "SELECT count(*) FROM findings WHERE run = 1 AND instr(message, '.') > 0")"
want=$(verdicts | grep -ci 'ESCAPES TO HEAP$')
check_eq "grep -i" "$(E grep $R -ic 'ESCAPES TO HEAP$')" "$want"
check_exit "grep without -i is case-sensitive" 1 E grep $R 'ESCAPES TO HEAP'
n=$(E grep $R -c heap)
check_eq "grep -v counts the rest" "$(E grep $R -vc heap)" "$((TOTAL - n))"
check "grep -v prints no matching line" sh -c "! \"$ESCDB\" --db \"$DB\" grep $R -v heap | grep -q heap"
grep 'moved to heap: ' "$LOG" | cut -d: -f1 | sort -u >"$T/want-l"
E grep $R -l 'moved to heap' | sort >"$T/got-l"
check "grep -l lists each file with a match once" cmp -s "$T/want-l" "$T/got-l"
check_eq "grep -l prints no duplicates" "$(E grep $R -l heap | sort | uniq -d | wc -l | tr -d ' ')" 0
check_exit "grep -c with -l is a usage error" 2 E grep $R -c -l heap
check_exit "grep without a regex is a usage error" 2 E grep
check_exit "grep with an unknown option exits 2" 2 E grep --bogus x
check_exit "grep --help exits 0" 0 E grep --help

# ---- filters ----
check_eq "--kind heap" "$(E grep $R --kind heap -c .)" "$(grep -c 'escapes to heap$' "$LOG")"
want=$(sqln "SELECT count(*) FROM findings WHERE run = 1 AND kind IN ('heap','moved')")
check_eq "--kind heap,moved" "$(E grep $R --kind heap,moved -c .)" "$want"
check_exit "--kind with an unknown kind exits 2" 2 E grep $R --kind heap,bogus .
check_exit "--kind with -v: no heap finding lacks 'heap'" 1 E grep $R --kind heap -v heap
want=$(grep -c '^chansend/.*: moved to heap: ' "$LOG")
check_eq "--pkg GLOB with --kind" "$(E grep $R --pkg '*/chansend' --kind moved -c .)" "$want"
check_exit "--pkg GLOB matching no package" 1 E grep $R --pkg 'nosuch/*' .
want=$(verdicts | grep '^toolarge/' | grep -cF 'make([]int')
check_eq "--file GLOB with -F" "$(E grep $R --file 'toolarge*' -F -c 'make([]int')" "$want"
check_eq "--file matches the basename too" "$(E grep $R --file toolarge.go -c .)" \
	"$(verdicts | grep -c '^toolarge/toolarge.go:')"
want=$(sqln "SELECT count(*) FROM findings WHERE run = 1 AND kind = 'moved' AND func GLOB 'Send*'")
check_eq "--func GLOB with --kind" "$(E grep $R --func 'Send*' --kind moved -c .)" "$want"
check "--func GLOB found something" test "$want" -gt 0
want=$(grep '(interface-converted)' "$LOG" | cut -d: -f1-3 | sort -u | wc -l | tr -d ' ')
IC=$want
check_eq "--reason interface-converted" "$(E grep $R --reason interface-converted -c .)" "$want"
check_eq "--reason with a regex" "$(E grep $R --reason interface-converted -c 'moved to heap')" \
	"$(grep -B8 'moved to heap' "$LOG" | grep '(interface-converted)' | cut -d: -f1-3 | sort -u | wc -l | tr -d ' ')"
check_exit "--reason unknown exits 1" 1 E grep $R --reason no-such-reason .
# A database's first run is stored without the index of texts (str_h):
# the next writer builds it.  Look-ups of a text read them all instead.
D1=$T/one.db
check "ingest m2 log into a new database" "$ESCDB" --db "$D1" ingest -C "$ROOT/testdata/seeds" \
	--date 2026-01-01 "$LOG"
check_eq "one run: no str_h" "$(sq "$D1" "SELECT count(*) FROM sqlite_master WHERE name = 'str_h'")" 0
check_eq "one run: --reason finds the same without it" \
	"$("$ESCDB" --db "$D1" grep --reason interface-converted -c .)" "$IC"
check_exit "one run: --reason unknown exits 1" 1 "$ESCDB" --db "$D1" grep --reason no-such-reason .
check "the next writer builds str_h" "$ESCDB" --db "$D1" ingest -C "$ROOT/testdata/seeds" \
	--date 2026-01-02 "$LOG1"
check_eq "two runs: str_h, and no text twice" \
	"$(sq "$D1" "SELECT (SELECT count(*) FROM sqlite_master WHERE name = 'str_h'), count(*) - count(DISTINCT s) FROM str")" "1|0"
check_eq "two runs: --reason finds the same with it" \
	"$("$ESCDB" --db "$D1" grep --run 'id:1' --reason interface-converted -c .)" "$IC"
check "--reason unknown warns" grep -q "no stored flow step has reason 'no-such-reason'" "$T/.err"
check_exit "--reason on a run without chains (latest, -m1)" 1 E grep --reason interface-converted .
check_eq "--run selects the run" "$(E grep --run m1 -c 'escapes to heap$')" "$(grep -c 'escapes to heap$' "$LOG1")"
check_exit "--run unknown exits 2" 2 E grep --run nosuchrun .

# ---- fields ----
for fld in subject func file package; do
	col=$fld
	want=$(sqln "SELECT count(*) FROM findings WHERE run = 1 AND $col REGEXP '^[a-m]'")
	check_eq "--field $fld" "$(E grep $R --field $fld -c '^[a-m]')" "$want"
done
check_eq "--field subject anchors on the subject" "$(E grep $R --field subject -c '^x$')" \
	"$(sqln "SELECT count(*) FROM findings WHERE run = 1 AND subject = 'x'")"
check_eq "--field flow (reason text)" "$(E grep $R --field flow -c '^interface-converted$')" \
	"$(E grep $R --reason interface-converted -c .)"
check_eq "--field flow (dst text)" "$(E grep $R --field flow -c '^\{storage for')" \
	"$(grep -E 'flow: \{storage for' "$LOG" | cut -d: -f1-3 | sort -u | wc -l | tr -d ' ')"
check_exit "--field unknown exits 2" 2 E grep $R --field bogus .

# ---- --explain ----
E grep $R --explain --pkg '*/chansend' 'moved to heap: x' >"$T/ex.txt"
check "--explain prints the hit" grep -q '^chansend/chansend.go:10:2: moved to heap: x$' "$T/ex.txt"
check "--explain prints the heading indented" grep -q '^  x escapes to heap' "$T/ex.txt"
check "--explain prints flow: dst ← src" grep -q '^    flow: {heap} ← &x$' "$T/ex.txt"
check "--explain prints from expr (reason) at pos" \
	grep -q '^      from &x (address-of) at chansend.go:11:8$' "$T/ex.txt"

# ---- formats ----
n=$(E grep $R -c heap)
E grep $R --format json heap >"$T/g.json"
check_eq "--format json parses, one object per hit" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d))' "$T/g.json")" "$n"
check "--format json objects have the finding keys" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
keys = ["run","commit","package","file","line","col","func","kind","subject","detail","message","cause","key","flows"]
assert all(list(o.keys()) == keys for o in d), d[0].keys()
assert all(o["commit"].startswith("1111aaaa") and o["run"] == 1 for o in d)
' "$T/g.json"
E grep $R --format jsonl --reason interface-converted . >"$T/g.jsonl"
check "--format jsonl parses, flows carry the reason" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == int(sys.argv[2]), len(rows)
for r in rows:
    assert any(s["reason"] == "interface-converted" for f in r["flows"] for s in f["steps"]), r
' "$T/g.jsonl" "$(E grep $R --reason interface-converted -c .)"
E grep $R --format csv -F 'make([]int' >"$T/g.csv"
check "--format csv parses with a header" python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == int(sys.argv[2]), len(rows)
assert all("make([]int" in r["message"] for r in rows)
' "$T/g.csv" "$(E grep $R -cF 'make([]int')"
check_exit "--format md is refused" 2 E grep $R --format md heap
check_eq "no colour off a terminal" "$(env -u NO_COLOR "$ESCDB" --db "$DB" grep $R heap | grep -c "$(printf '\033')")" 0
if command -v script >/dev/null 2>&1; then
	env -u NO_COLOR script -qec "\"$ESCDB\" --db \"$DB\" grep $R 'moved to heap: x'" /dev/null >"$T/tty.txt" 2>&1
	check "colour on a terminal" grep -q "$(printf '\033')\[" "$T/tty.txt"
	NO_COLOR=1 script -qec "\"$ESCDB\" --db \"$DB\" grep $R 'moved to heap: x'" /dev/null >"$T/tty2.txt" 2>&1
	check "no colour on a terminal with NO_COLOR" sh -c "! grep -q \"$(printf '\033')\" \"$T/tty2.txt\""
fi

# ---- explain ----
P=$(sqln "SELECT file || ':' || line || ':' || col FROM findings WHERE run = 1
	GROUP BY package, file, line, col HAVING count(*) > 1 ORDER BY package, file, line LIMIT 1")
NP=$(sqln "SELECT count(*) FROM findings WHERE run = 1 AND file || ':' || line || ':' || col = '$P'")
check "a position with several findings exists" test "$NP" -gt 1
E explain $R "$P" >"$T/x.txt"
check_exit "explain at a position with several findings exits 0" 0 E explain $R "$P"
check_eq "explain prints every finding there" "$(grep -c "^[a-z]*/$P: " "$T/x.txt")" "$NP"
check "explain prints the package and kind" grep -q '^  package escdb.test/seeds/.*, kind ' "$T/x.txt"
E explain $R --format json "$P" >"$T/x.json"
check "explain --format json parses" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == int(sys.argv[2])
assert all("hint" in o and "source" in o and "flows" in o for o in d)
' "$T/x.json" "$NP"
E explain $R chansend.go:10:2 >"$T/x2.txt"
check "explain prints the cause and hint" grep -q '^  cause: send; ' "$T/x2.txt"
check "explain prints the chain" grep -q '^      from ch <- &x (send) at chansend.go:11:5$' "$T/x2.txt"
check_exit "explain FILE:LINE without column" 0 E explain $R chansend.go:10
check_exit "explain with a module-relative path" 0 E explain $R chansend/chansend.go:10:2
check_exit "explain with the import path" 0 E explain $R escdb.test/seeds/chansend/chansend.go:10:2
check_exit "explain with a path that is not a suffix" 1 E explain $R other/chansend.go:10:2
check_exit "explain at a position with no finding exits 1" 1 E explain $R chansend.go:9999
check "explain says there is no finding" grep -q 'no finding at chansend.go:9999' "$T/.err"
check_exit "explain with a bad position exits 2" 2 E explain $R chansend.go
check_exit "explain --help exits 0" 0 E explain --help
check_exit "explain with an unknown option exits 2" 2 E explain --bogus x.go:1
# the source line: only under the run's directory
cp "$DB" "$T/src.db"
sq "$T/src.db" "UPDATE run SET dir = '$ROOT/testdata/seeds'"
want=$(sed -n 10p "$ROOT/testdata/seeds/chansend/chansend.go" | sed 's/^[[:space:]]*//')
check_eq "explain prints the source line" \
	"$("$ESCDB" --db "$T/src.db" explain $R chansend.go:10:2 | sed -n 's/^  source: //p')" "$want"
sq "$T/src.db" "UPDATE run SET dir = '$ROOT/testdata/seeds/closure'"
check_eq "no source line outside the run's directory" \
	"$("$ESCDB" --db "$T/src.db" explain $R chansend.go:10:2 | grep -c '^  source:')" 0
sq "$T/src.db" "UPDATE package SET dir = '../chansend' WHERE run = 1"
check_eq "no source line through .." \
	"$("$ESCDB" --db "$T/src.db" explain $R chansend.go:10:2 | grep -c '^  source:')" 0
check_eq "explain json: source null when not readable" \
	"$("$ESCDB" --db "$T/src.db" explain $R --format json chansend.go:10:2 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["source"])')" None

# ---- sql ----
check_eq "sql counts" "$(sqln 'SELECT count(*) FROM run')" 2
check_eq "sql regexp()" "$(sqln "SELECT count(*) FROM findings WHERE run = 1 AND message REGEXP 'escapes to heap\$'")" \
	"$(grep -c 'escapes to heap$' "$LOG")"
check_exit "sql regexp() with a bad pattern exits 2" 2 E sql "SELECT 'a' REGEXP '('"
check "sql regexp() error has the offset" grep -q 'offset 1' "$T/.err"
E sql --format json "SELECT id, escdb_flows(flows) AS chain FROM findings WHERE run = 1 AND kind = 'moved'" >"$T/s.json"
check "sql escdb_flows() is the flows JSON" python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
assert rows and all(isinstance(json.loads(r["chain"]), list) for r in rows)
assert any(json.loads(r["chain"]) for r in rows)
' "$T/s.json"
E export --run 1111aaaa --format jsonl >"$T/exp.jsonl"
E sql --format jsonl "SELECT key, escdb_flows(flows) AS chain FROM findings WHERE run = 1" >"$T/s.jsonl"
check "sql escdb_flows() equals export's flows" python3 -c '
import json, sys
exp = {}
for l in open(sys.argv[1]):
    o = json.loads(l); exp.setdefault(o["key"], []).append(o["flows"])
for l in open(sys.argv[2]):
    o = json.loads(l)
    chain = json.loads(o["chain"]) if o["chain"] is not None else []
    assert chain in exp[o["key"]], o
' "$T/exp.jsonl" "$T/s.jsonl"
E sql --format csv "SELECT file, line, message FROM findings WHERE run = 1 ORDER BY id" >"$T/s.csv"
check "sql --format csv parses" python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert rows[0] == ["file", "line", "message"] and len(rows) == int(sys.argv[2]) + 1
' "$T/s.csv" "$TOTAL"
check "sql text has a header" sh -c "\"$ESCDB\" --db \"$DB\" sql 'SELECT 1 AS one' | head -1 | grep -q '^one'"
for stmt in "INSERT INTO str(h, s) VALUES (1, 'x')" "DELETE FROM finding" "CREATE TABLE x(a)" \
    "UPDATE run SET label = 'x'" "DROP VIEW findings" "ATTACH '$T/other.db' AS o" \
    "PRAGMA user_version = 7" "PRAGMA query_only = 0" "BEGIN"; do
	check_exit "sql rejects: $stmt" 2 E sql "$stmt"
done
check "sql says why" sh -c "\"$ESCDB\" --db \"$DB\" sql 'DELETE FROM finding' 2>&1 | grep -q 'only read-only statements'"
check_exit "sql rejects a second statement" 2 E sql "SELECT 1; DELETE FROM finding"
check "sql says only one statement" grep -q 'only one statement' "$T/.err"
check_exit "sql accepts a trailing semicolon and comment" 0 E sql "SELECT 1; -- done"
check_eq "nothing was written" "$(sqln 'SELECT count(*) FROM finding WHERE run = 1')" "$TOTAL"
check "no file was attached" test ! -e "$T/other.db"
check_exit "sql accepts a read-only pragma" 0 E sql "PRAGMA table_info(finding)"
check_exit "sql syntax error exits 2" 2 E sql "SELEC 1"
check_exit "sql --help exits 0" 0 E sql --help
check_exit "sql with an unknown option exits 2" 2 E sql --bogus 'SELECT 1'
check_exit "sql on a missing database exits 2" 2 "$ESCDB" --db "$T/none.db" sql 'SELECT 1'
exit 0
