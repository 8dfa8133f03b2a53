#!/bin/sh
# trend, html, merge, prune: the demo history (testdata/history.sh, run
# once and reused), ISO week boundaries, gaps, a single run, well-formed
# and escaped HTML, merging overlapping databases, retention.
. tests/lib.sh

LOG=testdata/logs/seeds-go1.26.8-m2.log
LOG2=testdata/logs/demo-go1.26.8-m2.log

# ---- the demo history ----
if ESCDB=$ESCDB HISTORY_DB=$T/h.db sh testdata/history.sh "$T/report.html" >"$T/hist.txt" 2>"$T/hist.err"; then
	ok "history: testdata/history.sh runs"
else
	notok "history: testdata/history.sh runs"; sed 's/^/#   /' "$T/hist.err" | head -20
fi
golden "history: trend text" "$T/hist.txt" tests/golden/trend-history.txt
"$ESCDB" --db "$T/h.db" trend --format json >"$T/hist.json" 2>&1
golden "history: trend json" "$T/hist.json" tests/golden/trend-history.json
# the weekly heap and moved counts the script documents, week by week
got=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = {x["name"]: x["values"] for x in d["series"]}
f = lambda v: "-" if v is None else str(v)
print(" ".join(w["week"][5:] + ":" + f(h) + "/" + f(m) for w, h, m in zip(d["weeks"], s["heap"], s["moved"])))
' "$T/hist.json" 2>&1)
check_eq "history: heap/moved per week as documented" "$got" \
	"W02:2/1 W03:3/3 W04:3/4 W05:-/- W06:5/3 W07:5/2 W08:6/1"
check_eq "history: the gap week has no run" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["weeks"][3])' "$T/hist.json")" \
	"{'week': '2026-W05', 'start': '2026-01-26', 'run': None}"
"$ESCDB" --db "$T/h.db" trend --by package --top 1 --format csv >"$T/pkg.csv" 2>&1
check_eq "history: --by package --top 1 csv" "$(cat "$T/pkg.csv")" \
"package,2026-W02,2026-W03,2026-W04,2026-W05,2026-W06,2026-W07,2026-W08,change
example.com/hist/cache,1,2,2,,4,5,5,0"
"$ESCDB" --db "$T/h.db" trend --format md >"$T/hist.md" 2>&1
check "history: md table has a header rule" grep -q '^|---|--:|' "$T/hist.md"
"$ESCDB" --db "$T/h.db" trend --weeks 2 --format csv >"$T/w2.csv" 2>&1
check_eq "history: --weeks 2 keeps the last two weeks" "$(head -1 "$T/w2.csv")" "kind,2026-W07,2026-W08,change"

# ---- html ----
cat >"$T/htmlcheck.py" <<'PY'
import sys
from html.parser import HTMLParser
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}
SVG_SELF = {"path", "circle", "line", "rect", "polyline"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []; self.errors = []; self.tags = set()
    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag not in VOID:
            self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        self.tags.add(tag)
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("unbalanced </%s> (open: %s)" % (tag, self.stack[-3:]))
        else:
            self.stack.pop()
p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read()); p.close()
if p.stack: p.errors.append("unclosed: %s" % p.stack)
for t in ("html", "head", "body"):
    if t not in p.tags: p.errors.append("no <%s>" % t)
if "script" in p.tags: p.errors.append("has <script>")
for e in p.errors: print(e)
sys.exit(1 if p.errors else 0)
PY
check "html: the history page is well-formed" python3 "$T/htmlcheck.py" "$T/report.html"
check "html: the history page has an svg chart" grep -q '<svg ' "$T/report.html"
check "html: the history page links a new finding as file:line" \
	grep -q '<code>cache/cache.go:[0-9]*</code></a>' "$T/report.html"
check_exit "html: nothing fetched from elsewhere" 1 grep -Eq '(src|href)="(https?:)?//' "$T/report.html"
"$ESCDB" --db "$T/h.db" summary --format html -o "$T/summary.html" 2>"$T/s.err"
check "html: summary page is well-formed" python3 "$T/htmlcheck.py" "$T/summary.html"
check "html: summary page has bar cells" grep -q 'class="bar"><span style="width:' "$T/summary.html"

# a Go string literal with markup reaches the page escaped
printf '# example.com/x\n./x.go:2:6: moved to heap: a\n' >"$T/x1.log"
printf '# example.com/x\n./x.go:2:6: moved to heap: a\n./x.go:3:13: "<script>alert(1)</script>" escapes to heap\n./x.go:4:2: moved to heap: it'"'"'s&b\n' >"$T/x2.log"
"$ESCDB" --db "$T/x.db" ingest --date 2026-03-03T10:00:00Z "$T/x1.log" >/dev/null 2>&1
"$ESCDB" --db "$T/x.db" ingest --date 2026-03-10T10:00:00Z --label '<b>"l"</b>' "$T/x2.log" >/dev/null 2>&1
"$ESCDB" --db "$T/x.db" trend --format html -o "$T/x.html" 2>"$T/x.err"
check "html: escaped page is well-formed" python3 "$T/htmlcheck.py" "$T/x.html"
check "html: the literal is escaped" grep -qF '&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; escapes to heap' "$T/x.html"
check "html: quote and ampersand are escaped" grep -qF 'moved to heap: it&#39;s&amp;b' "$T/x.html"
check_exit "html: no raw <script>" 1 grep -qi '<script' "$T/x.html"
check_exit "html: no raw label markup" 1 grep -qF '<b>"l"</b>' "$T/x.html"

# ---- week boundaries, gaps, a single run ----
"$ESCDB" --db "$T/one.db" ingest --date 2026-03-01T23:59:59Z --label sun "$LOG" >/dev/null 2>&1
"$ESCDB" --db "$T/one.db" trend --format json >"$T/one.json" 2>&1
check_eq "weeks: a single run is one week without change" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["weeks"]), d["weeks"][0]["week"], d["series"][0]["change"])' "$T/one.json")" \
	"1 2026-W09 None"
"$ESCDB" --db "$T/one.db" trend >"$T/one.txt" 2>&1
check "weeks: a single run in text" grep -q '^heap ' "$T/one.txt"
"$ESCDB" --db "$T/one.db" ingest --date 2026-03-02T00:00:00Z --label mon "$LOG2" >/dev/null 2>&1
"$ESCDB" --db "$T/one.db" trend --format json >"$T/two.json" 2>&1
check_eq "weeks: Sunday 23:59:59 and Monday 00:00 UTC are different weeks" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join("%s:%s" % (w["week"], w["label"]) for w in d["weeks"]))' "$T/two.json")" \
	"2026-W09:sun 2026-W10:mon"
"$ESCDB" --db "$T/one.db" ingest --date 2026-03-08T23:00:00+02:00 --label sun2 "$LOG" >/dev/null 2>&1
"$ESCDB" --db "$T/one.db" ingest --date 2026-03-17T09:00:00Z --label tue "$LOG" >/dev/null 2>&1
"$ESCDB" --db "$T/one.db" trend --format json >"$T/gap.json" 2>&1
check_eq "weeks: last run of a week wins; an empty week is a gap" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join("%s:%s" % (w["week"], w.get("label")) for w in d["weeks"]))' "$T/gap.json")" \
	"2026-W09:sun 2026-W10:sun2 2026-W11:None 2026-W12:tue"
"$ESCDB" --db "$T/one.db" trend >"$T/gap.txt" 2>&1
check "weeks: the gap shows as '-' in text" grep -Eq '^heap +[0-9]+ +[0-9]+ +- +[0-9]+ ' "$T/gap.txt"

# ---- merge ----
"$ESCDB" --db "$T/a.db" ingest --commit aaaa1111 --date 2026-03-02T10:00:00Z --label one "$LOG" >/dev/null 2>&1
"$ESCDB" --db "$T/a.db" ingest --commit bbbb2222 --date 2026-03-03T10:00:00Z --label two "$LOG2" >/dev/null 2>&1
"$ESCDB" --db "$T/b.db" ingest --commit bbbb2222 --date 2026-03-03T10:00:00Z --label two "$LOG2" >/dev/null 2>&1
"$ESCDB" --db "$T/b.db" ingest --commit cccc3333 --date 2026-03-04T10:00:00Z --label three "$LOG" >/dev/null 2>&1
check "merge: b into a" "$ESCDB" --db "$T/a.db" merge "$T/b.db"
check_eq "merge: overlapping run not duplicated" "$(sq "$T/a.db" 'SELECT group_concat(label) FROM (SELECT label FROM run ORDER BY date)')" "one,two,three"
check "merge: again copies nothing" "$ESCDB" --db "$T/a.db" merge "$T/b.db"
check_eq "merge: still three runs" "$(sq "$T/a.db" 'SELECT count(*) FROM run')" "3"
check_eq "merge: finding counts equal" \
	"$(sq "$T/a.db" "SELECT count(*), (SELECT nfindings FROM run WHERE label = 'three') FROM finding WHERE run = (SELECT id FROM run WHERE label = 'three')")" \
	"$(sq "$T/b.db" "SELECT count(*), (SELECT nfindings FROM run WHERE label = 'three') FROM finding WHERE run = (SELECT id FROM run WHERE label = 'three')")"
"$ESCDB" --db "$T/a.db" export --run three --format jsonl 2>&1 | sed 's/^{"run":[0-9]*,//' >"$T/ma.jsonl"
"$ESCDB" --db "$T/b.db" export --run three --format jsonl 2>&1 | sed 's/^{"run":[0-9]*,//' >"$T/mb.jsonl"
check "merge: findings and flow chains identical after the copy" cmp -s "$T/ma.jsonl" "$T/mb.jsonl"
check "merge: flow chains present" grep -q '"steps":\[{' "$T/ma.jsonl"
check_eq "merge: packages and line classes copied" \
	"$(sq "$T/a.db" "SELECT (SELECT count(*) FROM package WHERE run = r.id), (SELECT sum(n) FROM line_class WHERE run = r.id), nlines FROM run r WHERE label = 'three'")" \
	"$(sq "$T/b.db" "SELECT (SELECT count(*) FROM package WHERE run = r.id), (SELECT sum(n) FROM line_class WHERE run = r.id), nlines FROM run r WHERE label = 'three'")"
check_exit "merge: a missing database is a usage error" 2 "$ESCDB" --db "$T/a.db" merge "$T/nope.db"
n=$(sq "$T/a.db" "SELECT count(*) FROM run")
check_exit "merge: no argument merges this database's shards (none here)" 0 "$ESCDB" --db "$T/a.db" merge
check_eq "merge: no argument changes no run without shards" "$(sq "$T/a.db" "SELECT count(*) FROM run")" "$n"

# ---- prune ----
for d in 2026-03-02T10:00:00Z:w10mon 2026-03-04T10:00:00Z:w10wed 2026-03-10T10:00:00Z:w11tue \
    2026-03-13T10:00:00Z:w11fri 2026-03-16T10:00:00Z:w12mon 2026-03-17T10:00:00Z:w12tue; do
	"$ESCDB" --db "$T/p.db" ingest --date "${d%:*}" --label "${d##*:}" "$LOG" >/dev/null 2>&1
done
check "prune: --dry-run" "$ESCDB" --db "$T/p.db" prune --keep-weeks 1 --dry-run
check_eq "prune: --dry-run deletes nothing" "$(sq "$T/p.db" 'SELECT count(*) FROM run')" "6"
check "prune: --keep-weeks 1" "$ESCDB" --db "$T/p.db" prune --keep-weeks 1
check_eq "prune: keeps the last run of each week and the kept week whole" \
	"$(sq "$T/p.db" 'SELECT group_concat(label) FROM (SELECT label FROM run ORDER BY date)')" "w10wed,w11fri,w12mon,w12tue"
check_eq "prune: findings of deleted runs are gone" \
	"$(sq "$T/p.db" 'SELECT count(*) FROM finding WHERE run NOT IN (SELECT id FROM run)')" "0"
check "prune: --keep-weeks 1 --vacuum" "$ESCDB" --db "$T/p.db" prune --keep-weeks 1 --vacuum
check_eq "prune: nothing more to delete" "$(sq "$T/p.db" 'SELECT count(*) FROM run')" "4"

# ---- usage ----
check "trend --help" "$ESCDB" trend --help
check "merge --help" "$ESCDB" merge --help
check "prune --help" "$ESCDB" prune --help
check_exit "trend: unknown option" 2 "$ESCDB" --db "$T/h.db" trend --bogus
check_exit "trend: bad --by" 2 "$ESCDB" --db "$T/h.db" trend --by file
check_exit "trend: bad --weeks" 2 "$ESCDB" --db "$T/h.db" trend --weeks 0
check_exit "prune: --keep-weeks required" 2 "$ESCDB" --db "$T/p.db" prune
check_exit "prune: unknown option" 2 "$ESCDB" --db "$T/p.db" prune --keep-weeks 1 --bogus
exit 0
