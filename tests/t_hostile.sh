#!/bin/sh
# Hostile input: expressions and file names with quotes, backslashes,
# <script>, ANSI escape sequences and (a raw string joined over two lines)
# newlines reach every output format escaped; selectors and labels with SQL
# metacharacters are data; explain reads sources only under the run's dir.
. tests/lib.sh
db=$T/h.db
ESC=$(printf '\033')

printf '# example.com/evil\n./ok.go:3:2: moved to heap: fine\n' >"$T/base.log"
{
printf '# example.com/evil\n'
printf './we"ird\\name.go:3:13: "\033[31m<script>alert(1)</script>" escapes to heap\n'
printf './we"ird\\name.go:4:2: moved to heap: a%%0D,b:c\n'
printf './x,y%%z.go:5:6: leaking param: p\047 OR 1=1 --\n'
printf './ok.go:7:14: `first\n'
printf 'second\033]0;title\007\r` escapes to heap\n'
printf './<script>.go:9:3: &T{...} escapes to heap\n'
} >"$T/head.log"
"$ESCDB" --db "$db" ingest --label base "$T/base.log" >/dev/null 2>&1
check "hostile: ingest with a label of SQL metacharacters" \
  "$ESCDB" --db "$db" ingest --label '"; DROP TABLE run; --' "$T/head.log"
check_eq "hostile: five hostile findings stored" "$(sq "$db" 'SELECT count(*) FROM finding WHERE run=2')" 5

# text output: no control characters other than newline and tab
ctl() {   # ctl FILE: succeeds when FILE has no C0 control (but \n \t) or DEL
	! tr -d '\n\t' <"$1" | LC_ALL=C grep -q '[[:cntrl:]]'
}
for c in "runs" "summary --by file" "summary --by func" "export --format jsonl" "grep ." "grep --explain ." "diff base" "explain ok.go:7"; do
	# shellcheck disable=SC2086
	eval "\"\$ESCDB\" --db \"\$db\" $c" >"$T/out" 2>&1
	check "hostile: text output of '$c' has no control characters" ctl "$T/out"
done
"$ESCDB" --db "$db" explain 'we"ird/name.go:3' >"$T/out" 2>&1
check "hostile: explain of a file named with a quote works" grep -q 'script' "$T/out"
check "hostile: text output of explain we\"ird has no control characters" ctl "$T/out"
"$ESCDB" --db "$db" grep 'script' >"$T/out" 2>&1
check "hostile: grep text shows the expression, escape replaced" grep -q '<script>alert(1)</script>' "$T/out"

# csv: the fields come back exactly
"$ESCDB" --db "$db" export --format csv >"$T/x.csv"
check "hostile: csv parses back to the exact subjects and files" python3 -c '
import csv,sys
rows=list(csv.DictReader(open(sys.argv[1],newline="")))
subj={r["subject"] for r in rows}; files={r["file"] for r in rows}
assert "\"\x1b[31m<script>alert(1)</script>\"" in subj, subj
assert "`first\nsecond\x1b]0;title\x07\r`" in subj, subj
assert "p\x27 OR 1=1 --" in subj and "a%0D,b:c" in subj, subj
assert "x,y%z.go" in files and "<script>.go" in files, files
assert any(f.startswith("we\"ird") for f in files), files
' "$T/x.csv"

# json: parses back exactly
"$ESCDB" --db "$db" export --format json >"$T/x.json"
check "hostile: json export parses back to the exact subjects" python3 -c '
import json,sys
rows=json.load(open(sys.argv[1]))
subj={r["subject"] for r in rows}
assert "\"\x1b[31m<script>alert(1)</script>\"" in subj, subj
assert "`first\nsecond\x1b]0;title\x07\r`" in subj, subj
' "$T/x.json"
for c in "runs --format json" "summary --by file --format json" "grep --format json ." "diff --format json base" "explain --format json ok.go:7"; do
	eval "\"\$ESCDB\" --db \"\$db\" $c" >"$T/out" 2>/dev/null
	check "hostile: '$c' is valid JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out"
done
"$ESCDB" --db "$db" grep --format jsonl . >"$T/out" 2>/dev/null
check "hostile: grep jsonl: each line valid JSON" python3 -c '
import json,sys
n=0
for l in open(sys.argv[1]): json.loads(l); n+=1
assert n==5, n' "$T/out"

# html: no raw markup from the input
for c in "summary --by file --format html" "summary --by func --format html" "trend --format html"; do
	eval "\"\$ESCDB\" --db \"\$db\" $c" >"$T/out" 2>/dev/null
	check "hostile: '$c' has no raw <script> and no raw quote in text" sh -c "! grep -q '<script>\|we\"ird' '$T/out'"
done
"$ESCDB" --db "$db" summary --by file --format html >"$T/out" 2>/dev/null
check "hostile: html escapes < and \"" grep -q '&lt;script&gt;.go' "$T/out"

# github workflow commands: one command a line; properties escape % \r \n : ,
"$ESCDB" --db "$db" diff --format github base >"$T/gh" 2>/dev/null
check "hostile: github: every line is a workflow command" sh -c "! grep -v '^::' '$T/gh'"
check "hostile: github: no raw carriage return" sh -c "! grep -q \"\$(printf '\r')\" '$T/gh'"
check "hostile: github: property escapes , and %" grep -q 'file=x%2Cy%25z.go,' "$T/gh"
check "hostile: github: message escapes % (data)" grep -q 'moved to heap: a%250D,b:c' "$T/gh"
check "hostile: github: message escapes newline and carriage return" grep -q '`first%0Asecond.*%0D` escapes' "$T/gh"
python3 - "$T/gh" <<'PY' >"$T/ghc" 2>&1
import re,sys
for l in open(sys.argv[1], newline=""):
    l = l.rstrip("\n")
    m = re.match(r"^::(\w+)( [^:]*)?::(.*)$", l)
    assert m, l
    props = m.group(2) or ""
    for kv in props.strip().split(","):
        if not kv: continue
        k, v = kv.split("=", 1)
        assert ":" not in v and "," not in v and "\r" not in v, (k, v)
        assert not re.search(r"%(?!25|0D|0A|3A|2C)", v), (k, v)
    assert not re.search(r"%(?!25|0D|0A)", m.group(3)), m.group(3)
PY
check "hostile: github: every % in a command is an escape" test ! -s "$T/ghc"
"$ESCDB" --db "$db" diff --format sarif base >"$T/out" 2>/dev/null
check "hostile: sarif is valid JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out"

# SQL metacharacters are data
check "hostile: a label with SQL selects its run" sh -c "'$ESCDB' --db '$db' export --run '\"; DROP TABLE run; --' | grep -q script"
check_exit "hostile: selector ' OR 1=1 -- is an unknown run (exit 2)" 2 "$ESCDB" --db "$db" export --run "' OR 1=1 --"
check_exit "hostile: selector id:1 OR 1=1 is rejected (exit 2)" 2 "$ESCDB" --db "$db" export --run "id:1 OR 1=1"
"$ESCDB" --db "$db" grep --pkg "' OR 1=1 --" . >/dev/null 2>&1
check_eq "hostile: grep --pkg with SQL matches nothing" "$?" 1
"$ESCDB" --db "$db" grep --func '"; DROP TABLE run; --' . >/dev/null 2>&1
"$ESCDB" --db "$db" summary --kinds "heap' OR 1=1 --" >/dev/null 2>&1
check_exit "hostile: --kinds with SQL is a usage error" 2 "$ESCDB" --db "$db" summary --kinds "heap' OR 1=1 --"
check_eq "hostile: run table intact" "$(sq "$db" 'SELECT count(*) FROM run')" 2
check_eq "hostile: integrity ok" "$(sq "$db" 'PRAGMA integrity_check')" ok
"$ESCDB" --db "$db" sql "DROP TABLE run" >/dev/null 2>"$T/err"
check "hostile: sql refuses a write with a message" grep -q '^escdb: ' "$T/err"
check_eq "hostile: run table intact after sql" "$(sq "$db" 'SELECT count(*) FROM run')" 2

# explain reads source only under the run's directory
mkdir -p "$T/proj/sub"
printf 'SECRET-LINE-1\nSECRET-LINE-2\n' >"$T/secret.go"
printf 'package p\n\nfunc F() *int { x := 1; return &x } // INSIDE\n' >"$T/proj/in.go"
ln -s ../secret.go "$T/proj/link.go"
{
printf '# example.com/p\n'
printf './in.go:3:19: moved to heap: x\n'
printf '../secret.go:1:1: moved to heap: s1\n'
printf './link.go:2:1: moved to heap: s2\n'
printf '%s:1:1: moved to heap: s3\n' "$T/secret.go"
printf './sub/../../secret.go:2:1: moved to heap: s4\n'
} >"$T/p.log"
"$ESCDB" --db "$db" ingest -C "$T/proj" --label proj "$T/p.log" >/dev/null 2>&1
# ingest -C records the directory per package; when the run's own dir is
# empty (as ingest leaves it at this writing) set it as run would
sq "$db" "UPDATE run SET dir='$T/proj' WHERE label='proj' AND dir=''"
"$ESCDB" --db "$db" explain in.go:3 >"$T/out" 2>&1
check "hostile: explain shows a source line under the run's directory" grep -q INSIDE "$T/out"
for pos in secret.go:1 secret.go:2 link.go:2 "$T/secret.go:1"; do
	"$ESCDB" --db "$db" explain "$pos" >"$T/out" 2>&1
	"$ESCDB" --db "$db" explain --format json "$pos" >>"$T/out" 2>&1
	check "hostile: explain $pos reads nothing outside the run's directory" sh -c "! grep -q SECRET '$T/out'"
done
exit 0
