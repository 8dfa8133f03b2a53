#!/bin/sh
# t_gate.sh: finding identity across commits, diff, gate and baseline,
# against a real git repository of a real Go module, one escdb run per
# commit.  Run from the repository root: ESCDB=./escdb sh tests/t_gate.sh
. tests/lib.sh

if ! command -v go >/dev/null 2>&1 || ! command -v git >/dev/null 2>&1; then
	ok "gate: skipped (go or git not installed) # SKIP"
	exit 0
fi
GIT_CEILING_DIRECTORIES=$T
export GIT_CEILING_DIRECTORIES
unset GITHUB_STEP_SUMMARY

R=$T/repo
DB=$T/gate.db
mkdir -p "$R/a"
STEP=0

# commit_run MSG: commits the tree at a fixed date and stores a run
# labelled step-N.
commit_run() {
	d="2024-03-0$((STEP + 1))T12:00:00Z"
	(cd "$R" && git add -A &&
	    GIT_AUTHOR_DATE=$d GIT_COMMITTER_DATE=$d git -c user.name=t \
	    -c user.email=t@example.com -c commit.gpgsign=false commit -q -m "$1") \
	    >/dev/null 2>&1 || notok "git commit $1"
	"$ESCDB" --db "$DB" run -C "$R" --label "step-$STEP" >"$T/run.out" 2>&1 ||
	    { notok "run step-$STEP"; sed 's/^/#   /' "$T/run.out"; }
	STEP=$((STEP + 1))
}

cat >"$R/go.mod" <<'EOF'
module example.com/m

go 1.21
EOF
cat >"$R/main.go" <<'EOF'
package main

import (
	"fmt"

	"example.com/m/a"
)

func main() {
	fmt.Println(a.Alloc(), a.Keep(3))
	_ = a.Gone()
}
EOF
cat >"$R/a/a.go" <<'EOF'
package a

type T struct{ n [4]int }

func Alloc() *T {
	t := &T{}
	return t
}

func Keep(n int) []int {
	s := make([]int, n)
	return s
}

func Gone() *int {
	x := 42
	return &x
}
EOF
(cd "$R" && git init -q .) || { notok "git init"; exit 0; }
commit_run base                                         # step-0

# (a) lines inserted above the existing escapes.
{ printf 'package a\n\n// Package a allocates.\n//\n// It has comments now.\n'; sed 1d "$R/a/a.go"; } >"$T/a.go"
mv "$T/a.go" "$R/a/a.go"
commit_run "comments"                                   # step-1
check_exit "a: gate passes when lines move" 0 "$ESCDB" --db "$DB" gate --base step-0 --head step-1
"$ESCDB" --db "$DB" diff step-0 step-1 --format jsonl >"$T/d1.jsonl"
check_eq "a: diff shows moved only" \
    "$(sed 's/.*"change":"\([a-z]*\)".*/\1/' "$T/d1.jsonl" | sort -u)" moved
check_eq "a: every finding of a.go moved" \
    "$(grep -c '"file":"a.go"' "$T/d1.jsonl")" "$(wc -l <"$T/d1.jsonl" | tr -d ' ')"
"$ESCDB" --db "$DB" diff step-0 step-1 >"$T/d1.txt"
check "a: text diff marks moved with ~ and the old line" grep -q '^~ a/a.go:[0-9]*:[0-9]*: .*(was [0-9]*:[0-9]*)$' "$T/d1.txt"
check "a: text diff counts" grep -q '^0 new, 0 fixed, [1-9][0-9]* moved between run 1' "$T/d1.txt"

# (b) one new escaping allocation.
cat >>"$R/a/a.go" <<'EOF'

func Extra() *T {
	return new(T)
}
EOF
commit_run "extra"                                      # step-2
G="$ESCDB --db $DB gate --base step-1 --head step-2"
check_exit "b: gate exits 1 on a new heap allocation" 1 $G
grep -q 'gate failed: 1 new heap,moved finding (allowed 0)' "$T/.err" &&
    ok "b: gate says why on stderr" || notok "b: gate says why on stderr"
$G >"$T/b.txt" 2>/dev/null
check_eq "b: text names exactly the new one" "$(grep '^[-+~] ' "$T/b.txt")" \
    "+ a/a.go:25:12: new(T) escapes to heap"
$G --format json >"$T/b.json" 2>/dev/null
check_eq "b: json names exactly the new one" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d), d[0]["change"], d[0]["file"], d[0]["line"], d[0]["func"], d[0]["message"])' "$T/b.json")" \
    "1 new a.go 25 Extra new(T) escapes to heap"
$G --format jsonl >"$T/b.jsonl" 2>/dev/null
check_eq "b: jsonl names exactly the new one" "$(wc -l <"$T/b.jsonl" | tr -d ' '):$(grep -c '"change":"new".*\|"line":25' "$T/b.jsonl")" "1:1"
$G --format md >"$T/b.md" 2>/dev/null
check_eq "b: md names exactly the new one" "$(grep '^| new' "$T/b.md")" \
    '| new | `example.com/m/a` | `a/a.go:25:12` | heap | `new(T) escapes to heap` | `'"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["key"])' "$T/b.json")"'` |'
check "b: md says failed" grep -q '^### escdb gate: \*\*failed\*\*, 1 new' "$T/b.md"
$G --format github >"$T/b.gh" 2>/dev/null
check_eq "b: github names exactly the new one" "$(cat "$T/b.gh")" \
    "::error file=a/a.go,line=25,col=12,title=escdb heap::new(T) escapes to heap"
$G --format sarif -o "$T/b.sarif" 2>/dev/null
check_eq "b: sarif names exactly the new one" \
    "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]["results"]; print(len(r), r[0]["ruleId"], r[0]["level"], r[0]["message"]["text"])' "$T/b.sarif")" \
    "1 escdb/heap error new(T) escapes to heap"
SUMM=$T/summary.md
: >"$SUMM"
GITHUB_STEP_SUMMARY=$SUMM $G >/dev/null 2>&1
check "b: \$GITHUB_STEP_SUMMARY gets the markdown" grep -q '^| new | `example.com/m/a` | `a/a.go:25:12`' "$SUMM"
check_exit "b: --max-new 1 tolerates it" 0 $G --max-new 1
check_exit "b: leak kinds alone pass" 0 $G --kinds leak,leak-result,leak-content
check_exit "b: diff itself exits 0" 0 "$ESCDB" --db "$DB" diff step-1 step-2

# (f) a baseline accepting the new finding.
"$ESCDB" --db "$DB" baseline step-2 -o "$T/baseline.json"
check "f: baseline has key, package, func, message, reason" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
e = [f for f in d["findings"] if f["message"] == "new(T) escapes to heap"]
assert len(e) == 1, e
e = e[0]
assert e["package"] == "example.com/m/a" and e["func"] == "Extra" and e["kind"] == "heap"
assert e["reason"] == "" and len(e["key"]) == 16
' "$T/baseline.json"
check_exit "f: gate passes with the baseline" 0 $G --baseline "$T/baseline.json"
$G --baseline "$T/baseline.json" >"$T/f.txt" 2>&1
check "f: text counts the accepted one" grep -q '^0 new, 0 fixed, 0 moved, 1 accepted by the baseline' "$T/f.txt"
echo '{"findings":[{"key":"zz"}]}' >"$T/bad.json"
check_exit "f: a bad baseline is a usage error" 2 $G --baseline "$T/bad.json"

# (c) an escape removed.
python3 - "$R/a/a.go" <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read().replace("func Gone() *int {\n\tx := 42\n\treturn &x\n}", "func Gone() int {\n\tx := 42\n\treturn x\n}")
open(p, "w").write(s)
EOF
commit_run "gone"                                       # step-3
check_exit "c: gate passes when an escape is removed" 0 "$ESCDB" --db "$DB" gate --base step-2 --head step-3
"$ESCDB" --db "$DB" diff step-2 step-3 --kinds heap,moved >"$T/c.txt"
check_eq "c: the removed escape is fixed" "$(grep '^[-+~] ' "$T/c.txt")" "- a/a.go:20:2: moved to heap: x"
"$ESCDB" --db "$DB" gate --base step-2 --head step-3 --format github >"$T/c.gh"
check_eq "c: github gives a notice" "$(cat "$T/c.gh")" \
    "::notice file=a/a.go,line=20,col=2,title=escdb moved fixed::moved to heap: x"

# (d) a function moved within its file, and a closure added in another.
cat >"$R/a/a.go" <<'EOF'
package a

// Package a allocates.
//
// It has comments now.

type T struct{ n [4]int }

func Extra() *T {
	return new(T)
}

func Gone() int {
	x := 42
	return x
}

func Keep(n int) []int {
	s := make([]int, n)
	return s
}

func Alloc() *T {
	t := &T{}
	f := func() *int {
		v := 1
		return &v
	}
	_ = f()
	return t
}
EOF
commit_run "move and closure"                           # step-4
"$ESCDB" --db "$DB" diff step-3 step-4 --format jsonl >"$T/d.jsonl"
check_eq "d: only the closure's findings are new" \
    "$(grep '"change":"new"' "$T/d.jsonl" | sed 's/.*"line":\([0-9]*\),"col":\([0-9]*\),"func":"\([^"]*\)".*"message":"\([^"]*\)".*/\1:\2 \3 \4/' | sort)" \
    "$(printf '25:7 Alloc func literal does not escape\n26:3 Alloc.func1 moved to heap: v')"
check_eq "d: nothing is fixed" "$(grep -c '"change":"fixed"' "$T/d.jsonl")" 0
check "d: the moved function's finding is moved" grep -q '"line":19,"col":11,"func":"Keep".*"change":"moved"' "$T/d.jsonl"

# (e) the same commit from a second clone in another directory.
git clone -q "$R" "$T/clone2" >/dev/null 2>&1
"$ESCDB" --db "$DB" run -C "$T/clone2" --label clone >"$T/run.out" 2>&1 || notok "run clone"
"$ESCDB" --db "$DB" diff step-4 clone >"$T/e.txt"
check_eq "e: a second clone changes nothing" "$(tail -1 "$T/e.txt" | cut -d' ' -f1-6)" "0 new, 0 fixed, 0 moved"

# (h) run versus ingest of the same build.
(cd "$R" && go build -gcflags='-m=2 -l' -o /dev/null ./... >build.log 2>&1)
"$ESCDB" --db "$DB" ingest -C "$R" --label ingested "$R/build.log" >"$T/ing.out" 2>&1 ||
    { notok "ingest"; sed 's/^/#   /' "$T/ing.out"; }
rm -f "$R/build.log"
"$ESCDB" --db "$DB" diff step-4 ingested >"$T/h.txt"
check_eq "h: run and ingest of one build agree" "$(tail -1 "$T/h.txt" | cut -d' ' -f1-4)" "0 new, 0 fixed,"

# (g) SARIF for code scanning, github line by line.
"$ESCDB" --db "$DB" diff step-0 step-4 --format sarif -o "$T/g.sarif"
check "g: sarif has what code scanning needs" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == "2.1.0"
assert "sarif" in d["$schema"]
run = d["runs"][0]
drv = run["tool"]["driver"]
assert drv["name"] == "escdb" and "informationUri" not in drv  # no project address to point at yet
ids = [r["id"] for r in drv["rules"]]
for k in ("heap", "moved", "leak", "leak-result", "leak-content", "noescape", "capture", "note"):
    assert "escdb/" + k in ids, k
for r in drv["rules"]:
    assert r["shortDescription"]["text"] and r["help"]["text"]
res = run["results"]
assert len(res) > 0
for r in res:
    assert r["ruleId"] in ids and r["level"] == "warning"
    assert r["message"]["text"]
    pl = r["locations"][0]["physicalLocation"]
    assert pl["artifactLocation"]["uri"] in ("a/a.go", "main.go"), pl
    assert pl["region"]["startLine"] >= 1 and pl["region"]["startColumn"] >= 1
    assert len(r["partialFingerprints"]["escdbKey/v1"]) == 16
' "$T/g.sarif"
"$ESCDB" --db "$DB" diff step-0 step-4 --format github >"$T/g.gh"
bad=0
while IFS= read -r l; do
	case $l in
	"::error file=a/a.go,line="[0-9]*",col="[0-9]*",title=escdb "*"::"?*) ;;
	"::error file=main.go,line="[0-9]*",col="[0-9]*",title=escdb "*"::"?*) ;;
	"::notice file=a/a.go,line="[0-9]*",col="[0-9]*",title=escdb "*" fixed::"?*) ;;
	*) bad=1; echo "# bad github line: $l" ;;
	esac
done <"$T/g.gh"
check_eq "g: every github line is a well-formed command" "$bad" 0
check_eq "g: github has the new and the fixed ones" \
    "$(grep -c '^::error' "$T/g.gh") $(grep -c '^::notice' "$T/g.gh")" \
    "$("$ESCDB" --db "$DB" diff step-0 step-4 --format jsonl | grep -c '"change":"new"') $("$ESCDB" --db "$DB" diff step-0 step-4 --format jsonl | grep -c '"change":"fixed"')"

# Different Go versions are compared, with a warning.
GDB=$T/gover.db
"$ESCDB" --db "$GDB" ingest --commit 1111aaaa --go-version go1.21.13 testdata/logs/demo-go1.21.13-m2.log >/dev/null 2>&1
"$ESCDB" --db "$GDB" ingest --commit 2222bbbb --go-version go1.26.8 testdata/logs/demo-go1.26.8-m2.log >/dev/null 2>&1
"$ESCDB" --db "$GDB" diff 1111aaaa 2222bbbb >/dev/null 2>"$T/gover.err"
check "diff warns about different go versions" grep -q \
    '^escdb: warning: runs 1 and 2 were built with go1.21.13 and go1.26.8; the compiler, not the code, may explain differences$' "$T/gover.err"

# GitHub escaping: data % CR LF; properties also : and ,.
EDB=$T/esc.db
printf '# example.com/p\n./a.go:3:6: moved to heap: y\n' >"$T/e1.log"
printf '# example.com/p\n./we,ird%%.go:4:2: "50%%" + s escapes to heap\n' >"$T/e2.log"
"$ESCDB" --db "$EDB" ingest --label e1 "$T/e1.log" >/dev/null 2>&1
"$ESCDB" --db "$EDB" ingest --label e2 "$T/e2.log" >/dev/null 2>&1
"$ESCDB" --db "$EDB" diff e1 e2 --format github >"$T/esc.gh" 2>&1
check_eq "github escapes properties and data" "$(cat "$T/esc.gh")" \
    "$(printf '%s\n%s' '::notice file=a.go,line=3,col=6,title=escdb moved fixed::moved to heap: y' \
    '::error file=we%2Cird%25.go,line=4,col=2,title=escdb heap::"50%25" + s escapes to heap')"

# Usage.
check_exit "gate without --base is a usage error" 2 "$ESCDB" --db "$DB" gate
check_exit "gate rejects unknown options" 2 "$ESCDB" --db "$DB" gate --base step-0 --bogus
check_exit "diff rejects an unknown kind" 2 "$ESCDB" --db "$DB" diff step-0 --kinds heap,bogus
check_exit "diff rejects sarif's cousin csv" 2 "$ESCDB" --db "$DB" diff step-0 --format csv
check_exit "diff --help" 0 "$ESCDB" diff --help
check_exit "gate --help" 0 "$ESCDB" gate --help
check_exit "baseline --help" 0 "$ESCDB" baseline --help
check_exit "diff with an unknown run" 2 "$ESCDB" --db "$DB" diff nosuchlabel
exit 0
