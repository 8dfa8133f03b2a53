#!/bin/sh
# t_report: the reporting commands runs, summary and export, and the
# output formats of report/format.c (text, json, jsonl, csv, md, colour).
#
# Run from the repository root with $ESCDB set to the binary under test:
#     ESCDB=./escdb sh tests/t_report.sh
# Prints "ok - ..." / "not ok - ..." per check and exits 0.
# UPDATE_GOLDEN=1 sh tests/t_report.sh rewrites tests/golden/report-*.
#
# Inputs: tests/data/report-small.log (go1.26.8 `go build -gcflags='-m=2 -l'`
# of tests/data/report-small-src, saved verbatim; 13 findings: heap 4,
# moved 1, leak 1, noescape 7), testdata/logs/demo-go1.26.8-m2.log and
# testdata/logs/seeds-go1.26.8-m1.log.  What varies is pinned: every run
# gets --commit/--date/--go-version/--goos/--goarch, colour is off unless
# tested, and ingest runs in the module directory of its log.

ESCDB=${ESCDB:-./escdb}
case $ESCDB in
/*) ;;
*) ESCDB=$(pwd)/$ESCDB ;;
esac
ROOT=$(pwd)
G=$ROOT/tests/golden
SMALL=$ROOT/tests/data/report-small.log
DEMO=$ROOT/testdata/logs/demo-go1.26.8-m2.log
SEEDS1=$ROOT/testdata/logs/seeds-go1.26.8-m1.log
T=$(mktemp -d "${TMPDIR:-/tmp}/t_report.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
unset ESCDB_DB
NO_COLOR=1
export NO_COLOR
LC_ALL=C
export LC_ALL
DB=$T/r.db
failed=0

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; failed=$((failed + 1)); }
# check DESC CMD...: ok when CMD succeeds.
check() {
	_d=$1
	shift
	if "$@"; then ok "$_d"; else notok "$_d"; fi
}
# golden NAME FILE: FILE equals tests/golden/NAME (or replaces it).
golden() {
	if [ -n "${UPDATE_GOLDEN:-}" ]; then
		cp "$2" "$G/$1"
		ok "golden $1 (updated)"
	elif diff -u "$G/$1" "$2" >"$T/diff" 2>&1; then
		ok "golden $1"
	else
		sed 's/^/# /' "$T/diff"
		notok "golden $1"
	fi
}
# status WANT DESC CMD...: CMD exits with WANT (output in $T/out, $T/err).
status() {
	_w=$1
	_d=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	_s=$?
	if [ "$_s" = "$_w" ]; then ok "$_d"; else
		echo "# exit $_s, want $_w; stderr:"
		sed 's/^/#   /' "$T/err"
		notok "$_d"
	fi
}
e() { "$ESCDB" --db "$DB" "$@"; }
py() { python3 -c "$@"; }

mkdir -p "$G"

# ---- three runs ----
(cd "$ROOT/tests/data/report-small-src" && "$ESCDB" --db "$DB" ingest \
    --commit abc123 --date 2026-01-05 --go-version go1.26.8 --goos linux \
    --goarch amd64 --label small "$SMALL") >"$T/out" 2>"$T/err"
check "ingest report-small.log" [ $? -eq 0 ]
(cd "$ROOT/testdata/demo" && "$ESCDB" --db "$DB" ingest \
    --commit 9f2c1e0aa1b2c3d4e5f60718293a4b5c6d7e8f90 --date 2026-01-12T10:30:00Z \
    --go-version go1.26.8 --goos linux --goarch amd64 --label demo "$DEMO") \
    >"$T/out" 2>"$T/err"
check "ingest demo-go1.26.8-m2.log" [ $? -eq 0 ]
(cd "$ROOT/testdata/seeds" && "$ESCDB" --db "$DB" ingest --commit 1234abcd \
    --date 2026-01-13 --go-version go1.26.8 --goos linux --goarch arm64 \
    --label seeds-m1 "$SEEDS1") >"$T/out" 2>"$T/err"
check "ingest seeds-go1.26.8-m1.log" [ $? -eq 0 ]

# ---- runs ----
for f in text json csv md; do
	e runs --format $f >"$T/runs.$f" 2>"$T/err"
	check "runs --format $f exits 0" [ $? -eq 0 ]
	golden report-runs.$f "$T/runs.$f"
done
e runs >"$T/runs.def"
check "runs: text is the default" cmp -s "$T/runs.text" "$T/runs.def"
check "runs --format json parses, 3 runs with counts" py '
import json, sys
v = json.load(open(sys.argv[1]))
assert [r["id"] for r in v] == [1, 2, 3], v
small = v[0]
assert small["commit"] == "abc123" and small["label"] == "small", small
assert small["date"] == "2026-01-05T00:00:00Z", small["date"]
assert (small["findings"], small["heap"], small["moved"], small["leak"]) == (13, 4, 1, 1), small
assert sum(small["kinds"].values()) == small["findings"]
' "$T/runs.json"
check "runs --format csv: 12 columns, full commit" py '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert rows[0][:2] == ["id", "commit"] and len(rows) == 4, rows
assert all(len(r) == 12 for r in rows), rows
assert rows[2][1] == "9f2c1e0aa1b2c3d4e5f60718293a4b5c6d7e8f90", rows[2]
' "$T/runs.csv"
check "runs text: commit cut to 12 characters" grep -q '  9f2c1e0aa1b2  demo  ' "$T/runs.text"
e runs -o "$T/runs.o" >"$T/out" 2>&1
check "runs -o FILE writes the file, nothing on stdout" \
    sh -c 'cmp -s "$1" "$2" && [ ! -s "$3" ]' - "$T/runs.text" "$T/runs.o" "$T/out"

# ---- summary ----
e summary small >"$T/sum.txt"
golden report-summary.txt "$T/sum.txt"
check "summary defaults to the latest run" sh -c \
    '"$1" --db "$2" summary | head -1 | grep -q "^run 3  1234abcd  2026-01-13 00:00  go1.26.8  linux/arm64"' - "$ESCDB" "$DB"
for by in kind file func cause reason; do
	e summary small --by $by >"$T/sum-$by.txt"
	check "summary --by $by exits 0" [ $? -eq 0 ]
	golden report-summary-$by.txt "$T/sum-$by.txt"
done
e summary demo >"$T/sum-demo.txt"
golden report-summary-demo.txt "$T/sum-demo.txt"
e summary demo --by cause >"$T/sum-demo-cause.txt"
golden report-summary-demo-cause.txt "$T/sum-demo-cause.txt"
e summary demo --by reason --format csv >"$T/sum-demo-reason.csv"
golden report-summary-demo-reason.csv "$T/sum-demo-reason.csv"
e summary small --format md >"$T/sum.md"
golden report-summary.md "$T/sum.md"
e summary small --format csv >"$T/sum.csv"
golden report-summary.csv "$T/sum.csv"
e summary small --format json >"$T/sum.json"
golden report-summary.json "$T/sum.json"
e summary small --by file --format md >"$T/sum-file.md"
golden report-summary-file.md "$T/sum-file.md"

check "summary --format md has a bold total row" \
    grep -q '^| \*\*total\*\* |' "$T/sum.md"
check "summary --format json parses; rows add up to the total" py '
import json, sys
v = json.load(open(sys.argv[1]))
assert v["by"] == "package" and v["run"] == 1, v
kinds = ["heap", "moved", "leak", "leak-result", "leak-content", "noescape", "capture", "note"]
for k in kinds + ["total"]:
    assert sum(r[k] for r in v["rows"]) == v["total"][k], k
assert v["total"]["total"] == 13
' "$T/sum.json"
check "summary --format csv parses, no total row" py '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert rows[0][0] == "package" and rows[0][-1] == "total", rows[0]
assert all(len(r) == len(rows[0]) for r in rows)
assert "total" not in [r[0] for r in rows[1:]]
assert sum(int(r[-1]) for r in rows[1:]) == 13
' "$T/sum.csv"
check "summary --by package: sorted by heap+moved, then name" py '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
keys = [(-(int(r["heap"]) + int(r["moved"])), r["package"]) for r in rows]
assert keys == sorted(keys), keys
' "$T/sum.csv"

# The totals against the log itself: one grep per kind.
count_kinds() { # LOG -> "heap moved leak leak-result leak-content noescape capture"
	printf '%s %s %s %s %s %s %s\n' \
	    "$(grep -cE ': .* escapes to heap$' "$1")" \
	    "$(grep -cE ': moved to heap: ' "$1")" \
	    "$(grep -cE ': leaking param: [^ ]*$' "$1")" \
	    "$(grep -cE ': leaking param: .* to result ' "$1")" \
	    "$(grep -cE ': leaking param content: ' "$1")" \
	    "$(grep -cE ': .* does not escape$' "$1")" \
	    "$(grep -cE ': .* capturing by (ref|value): ' "$1")"
}
kinds_of() { # SEL -> the same seven counts, then note and total
	e summary "$1" --by kind --format csv | awk -F, 'NR > 1 { n[$1] = $2; t += $2 }
	    END { print n["heap"], n["moved"], n["leak"], n["leak-result"], n["leak-content"],
	        n["noescape"], n["capture"], n["note"], t }'
}
for pair in "small:$SMALL:0" "demo:$DEMO:1" "seeds-m1:$SEEDS1:2"; do
	sel=${pair%%:*}
	rest=${pair#*:}
	log=${rest%:*}
	# notes in these logs: zero-copy conversions and self-assignments
	notes=$(grep -cE ': (zero-copy .*|.* ignoring self-assignment in .*)$' "$log")
	want="$(count_kinds "$log") $notes"
	got=$(kinds_of "$sel")
	check "summary --by kind of $sel equals the verdict lines of its log ($want)" \
	    [ "${got% *}" = "$want" ]
	verdicts=$(grep -cE ': (.* escapes to heap|moved to heap: .*|leaking param( content)?: .*|.* does not escape|.* capturing by (ref|value): .*|zero-copy .*|.* ignoring self-assignment in .*)$' "$log")
	check "summary total of $sel equals grep -c of verdict lines ($verdicts)" [ "${got##* }" = "$verdicts" ]
	total=$(e summary "$sel" --format csv | awk -F, 'NR > 1 { t += $NF } END { print t + 0 }')
	check "summary --by package total of $sel is $verdicts" [ "$total" = "$verdicts" ]
done

e summary demo --by cause --format json >"$T/cause.json"
check "summary --by cause: heap+moved+leak findings, known causes, hints" py '
import json, sys
v = json.load(open(sys.argv[1]))
assert v["rows"], v
names = {"goroutine", "closure", "send", "size", "append", "interface",
         "element", "global", "call", "return", "unknown"}
for r in v["rows"]:
    assert r["cause"] in names, r
    assert r["hint"], r
    assert r["total"] == r["heap"] + r["moved"] + r["leak"], r
assert v["total"]["total"] == 39 + 2 + 15 + 0 + 4, v["total"]
' "$T/cause.json"
e summary demo --by reason --format json >"$T/reason.json"
check "summary --by reason: counts each finding once per reason" py '
import json, sys
v = json.load(open(sys.argv[1]))
rows = {r["reason"]: r for r in v["rows"]}
assert "spill" in rows and "assign" in rows, rows.keys()
for r in v["rows"]:
    assert 0 < r["findings"] <= 88, r
    assert r["findings"] == r["heap"] + r["moved"] + r["leak"] + r.get("other", 0), r
assert "total" not in v
' "$T/reason.json"
status 0 "summary --by reason of a -m log warns that there are no chains" e summary seeds-m1 --by reason
check "... with the warning on stderr" grep -q 'no flow chains' "$T/err"
e summary small --kinds heap,moved --format csv >"$T/k.csv"
check "summary --kinds heap,moved keeps those columns only" \
    sh -c 'head -1 "$1" | grep -qx "package,heap,moved,total" && tail -n +2 "$1" | awk -F, "{ t += \$NF } END { exit t != 5 }"' - "$T/k.csv"
status 2 "summary --kinds bogus exits 2" e summary --kinds heap,bogus
check "... naming the kind" grep -q "unknown kind 'bogus'" "$T/err"
status 2 "summary --by bogus exits 2" e summary --by bogus

# ---- export ----
e export --run small >"$T/exp.jsonl"
golden report-export.jsonl "$T/exp.jsonl"
e export --run small --format csv >"$T/exp.csv"
golden report-export.csv "$T/exp.csv"
e export --run small --format json >"$T/exp.json"
e export --format jsonl --run small >"$T/exp.jsonl2"
e export --run seeds-m1 >"$T/exp3.jsonl"
e export >"$T/exp3.def"
check "export: jsonl is the default and so is the latest run" sh -c \
    'cmp -s "$1" "$2" && cmp -s "$3" "$4"' - "$T/exp.jsonl" "$T/exp.jsonl2" "$T/exp3.jsonl" "$T/exp3.def"
e export --run demo >"$T/demo.jsonl"
e export --run demo --format json >"$T/demo.json"
e export --run demo --format csv >"$T/demo.csv"
check "export: every object has DESIGN's keys in order, a 16-hex key, flows" py '
import json, re, sys
keys = ["run", "commit", "package", "file", "line", "col", "func", "kind",
        "subject", "detail", "message", "cause", "key", "flows"]
n = 0
for path in sys.argv[1:]:
    for line in open(path, encoding="utf-8"):
        o = json.loads(line)
        n += 1
        assert list(o.keys()) == keys, list(o.keys())
        assert re.fullmatch(r"[0-9a-f]{16}", o["key"]), o["key"]
        assert isinstance(o["line"], int) and isinstance(o["col"], int)
        for f in o["flows"]:
            assert list(f.keys()) == ["dst", "src", "steps"], f
            for s in f["steps"]:
                assert list(s.keys()) == ["expr", "reason", "pos"], s
                assert re.fullmatch(r".+:\d+(:\d+)?", s["pos"]), s
        if o["kind"] in ("noescape", "capture", "note"):
            assert o["cause"] is None, o
assert n == 13 + 88, n
' "$T/exp.jsonl" "$T/demo.jsonl"
check "export: heap findings of a -m=2 log carry their flows and a cause" py '
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
heap = [o for o in objs if o["kind"] == "heap"]
assert len(heap) == 39
assert all(o["flows"] and o["cause"] for o in heap), [o for o in heap if not o["flows"]][:1]
' "$T/demo.jsonl"
check "export --format json is one array of the jsonl objects" py '
import json, sys
arr = json.load(open(sys.argv[1]))
lines = [json.loads(l) for l in open(sys.argv[2])]
assert arr == lines
' "$T/demo.json" "$T/demo.jsonl"
check "export: ordered by package, file, line, col" py '
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
k = [(o["package"], o["file"], o["line"], o["col"]) for o in objs]
assert k == sorted(k)
' "$T/demo.jsonl"
check "export: identity keys are unique within a run" py '
import json, sys
for path in sys.argv[1:]:
    keys = [json.loads(l)["key"] for l in open(path)]
    dup = {k for k in keys if keys.count(k) > 1}
    assert not dup, (path, sorted(dup))
' "$T/exp.jsonl" "$T/demo.jsonl"
check "export --format csv parses: 14 columns, one row per finding, same data" py '
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
head = ["run", "commit", "package", "file", "line", "col", "func", "kind",
        "subject", "detail", "message", "cause", "key", "flows"]
assert rows[0] == head, rows[0]
assert all(len(r) == 14 for r in rows), [r for r in rows if len(r) != 14][:1]
objs = [json.loads(l) for l in open(sys.argv[2])]
assert len(rows) - 1 == len(objs) == 88
for r, o in zip(rows[1:], objs):
    d = dict(zip(head, r))
    for k in ("package", "file", "func", "kind", "subject", "detail", "message", "key"):
        assert d[k] == o[k], (k, d[k], o[k])
    assert d["cause"] == (o["cause"] or "")
    assert (d["flows"] != "") == bool(o["flows"]), d
    if o["flows"]:
        f = o["flows"][0]
        assert d["flows"].startswith(f["dst"] + " <- " + f["src"]), d["flows"]
' "$T/demo.csv" "$T/demo.jsonl"
check "export csv quotes fields with commas and quotes (RFC 4180)" \
    grep -qF '"join(a, ""\""q\"""")"' "$T/exp.csv"
e export --run small -o "$T/exp.o" >"$T/out"
check "export -o FILE" sh -c 'cmp -s "$1" "$2" && [ ! -s "$3" ]' - "$T/exp.jsonl" "$T/exp.o" "$T/out"

# ---- usage and errors ----
for c in runs summary export; do
	status 0 "$c --help exits 0" e $c --help
	check "$c --help prints its usage on stdout" grep -q "^usage: escdb $c" "$T/out"
	status 2 "$c --x exits 2" e $c --x
	check "$c --x: message and usage on stderr" sh -c \
	    'grep -qx "escdb: $1: unknown option '"'"'--x'"'"'" "$2" && grep -q "^usage: escdb $1" "$2"' - $c "$T/err"
done
status 2 "summary --format sarif is not offered (exit 2)" e summary --format sarif
check "... listing the formats it has" grep -q "unknown format 'sarif' (use text, json, csv, md, html)" "$T/err"
status 2 "runs --format sarif exits 2" e runs --format sarif
status 2 "export --format md exits 2" e export --format md
status 2 "export --format needs a value" e export --format
status 2 "summary of an unknown run exits 2" e summary id:99
status 2 "export --run of an unknown run exits 2" e export --run nosuchlabel
check "... listing the stored runs" grep -q 'id:1' "$T/err"
status 2 "summary with two selectors exits 2" e summary small demo
status 2 "runs on a missing database exits 2" "$ESCDB" --db "$T/none.db" runs

# ---- control characters and colour ----
DB2=$T/evil.db
printf '# example.com/ev\033[2Jil\nx.go:3:2: moved to heap: a,"b|c\\d\033[0m\n' >"$T/evil.log"
"$ESCDB" --db "$DB2" ingest --commit abc123 --date 2026-01-05 \
    --label "$(printf 'la\033]0;t\007b|el')" "$T/evil.log" >/dev/null 2>&1
"$ESCDB" --db "$DB2" runs >"$T/evil.runs"
"$ESCDB" --db "$DB2" summary --by file >"$T/evil.sum"
"$ESCDB" --db "$DB2" summary --format md >"$T/evil.md"
check "text output shows control characters as '?'" sh -c \
    '! grep -q "$(printf "\033")" "$1" "$2" && grep -q "la?\]0;t?b|el" "$1" && grep -q "example.com/ev?\[2Jil" "$2"' \
    - "$T/evil.runs" "$T/evil.sum"
check "md output escapes '|' and shows control characters as '?'" sh -c \
    '! grep -q "$(printf "\033")" "$1" && grep -q "la?\]0;t?b\\\\|el" "$1" && grep -q "^| example.com/ev?\[2Jil |" "$1"' \
    - "$T/evil.md"
"$ESCDB" --db "$DB2" runs --format json >"$T/evil.json"
"$ESCDB" --db "$DB2" export --format csv >"$T/evil.csv"
check "json and csv keep the text exactly" py '
import csv, json, sys
v = json.load(open(sys.argv[1]))
assert v[0]["label"] == "la\x1b]0;t\x07b|el", v[0]["label"]
rows = list(csv.reader(open(sys.argv[2], newline="")))
assert rows[1][2] == "example.com/ev\x1b[2Jil" and rows[1][8] == "a,\"b|c\\d\x1b[0m", rows[1]
' "$T/evil.json" "$T/evil.csv"

if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
	(unset NO_COLOR; script -qec "'$ESCDB' --db '$DB' summary small" /dev/null >"$T/tty" 2>&1)
	check "colour on a terminal" grep -q "$(printf '\033')\[1m" "$T/tty"
	NO_COLOR=1 script -qec "'$ESCDB' --db '$DB' summary small" /dev/null >"$T/tty" 2>&1
	check "NO_COLOR turns colour off on a terminal" sh -c '! grep -q "$(printf "\033")" "$1"' - "$T/tty"
else
	ok "colour on a terminal # SKIP no script(1)"
	ok "NO_COLOR turns colour off on a terminal # SKIP no script(1)"
fi
(unset NO_COLOR; "$ESCDB" --db "$DB" summary small >"$T/pipe")
check "no colour into a pipe or file" sh -c '! grep -q "$(printf "\033")" "$1"' - "$T/pipe"

[ "$failed" -eq 0 ] || echo "# t_report: $failed checks failed"
exit 0
