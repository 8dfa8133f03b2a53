#!/bin/sh
# t_refactor.sh: the gate survives refactors (issue 10).  Builds the git
# history of testdata/refactor (extract a method body, rename, move to a
# new file, insert a closure, reorder; then allocation changes) with one
# escdb run per commit, and checks what diff and gate call new, fixed and
# moved; then a baseline entry that follows its function's rename.
. tests/lib.sh

if ! command -v go >/dev/null 2>&1 || ! command -v git >/dev/null 2>&1; then
	ok "refactor: skipped (go or git not installed) # SKIP"
	exit 0
fi
GIT_CEILING_DIRECTORIES=$T
export GIT_CEILING_DIRECTORIES
unset GITHUB_STEP_SUMMARY
DB=$T/r.db
if ! ESCDB=$ESCDB sh testdata/refactor/history.sh "$T/repo" "$DB" >"$T/h.out" 2>&1; then
	notok "refactor: history.sh"; sed 's/^/#   /' "$T/h.out" | head -20
	exit 0
fi
E="$ESCDB --db $DB"

# counts CHANGE FILE: how many objects of a JSON array have that change
counts() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[2])); print(sum(1 for o in d if o["change"]==sys.argv[1]))' "$1" "$2"
}
# matches FILE: the passes that paired the moved ones, sorted, unique
matches() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(sorted({o["old"]["match"] for o in d if o["change"]=="moved"})))' "$1"
}

prev=base
for s in 01-extract 02-rename 03-move 04-closure 05-reorder; do
	check_exit "$s: gate exits 0" 0 $E gate --base $prev --head $s
	$E diff --kinds heap,moved --format json $prev $s >"$T/$s.json" 2>/dev/null
	check_eq "$s: 0 new, 0 fixed heap/moved" \
	    "$(counts new "$T/$s.json") $(counts fixed "$T/$s.json")" "0 0"
	prev=$s
done
check_eq "01-extract: paired by extract (method body) and rename (its closure)" \
    "$(matches "$T/01-extract.json")" "extract key rename"
check_eq "02-rename: paired by rename" "$(matches "$T/02-rename.json")" "rename"
check_eq "03-move: paired by file" "$(matches "$T/03-move.json")" "file key"
check_eq "04-closure: paired by closure" "$(matches "$T/04-closure.json")" "closure key"
check_eq "05-reorder: exact keys" "$(matches "$T/05-reorder.json")" "key"
$E diff 01-extract 02-rename >"$T/02.txt"
check "02-rename: text says where it was and in which function" \
    grep -q '^~ svc/server.go:[0-9]*:[0-9]*: v escapes to heap (was [0-9]*:[0-9]* in Describe)$' "$T/02.txt"
$E diff 02-rename 03-move >"$T/03.txt"
check "03-move: text names the old file" \
    grep -q '^~ svc/helper.go:[0-9]*:[0-9]*: *moved to heap: y (was svc/server.go:[0-9]*:[0-9]*)$' "$T/03.txt"
check_eq "02-rename: json old object" \
    "$(python3 -c 'import json,sys; o=[o for o in json.load(open(sys.argv[1])) if o["change"]=="moved"][0]; print(o["func"], o["old"]["func"], o["old"]["file"], o["old"]["key"] != o["key"])' "$T/02-rename.json")" \
    "Explain Describe server.go True"
$E diff --format sarif 01-extract 02-rename >"$T/02.sarif"
check_eq "02-rename: sarif keeps the old key beside the new one" \
    "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]["results"]; print(len(r), r[0]["kind"], r[0]["level"], sorted(r[0]["partialFingerprints"]))' "$T/02.sarif")" \
    "1 pass none ['escdbKey/v1', 'escdbKey/v1/previous']"

# An escape leaves one old function and the same text appears in another
# old function: that is new, never moved.
check_exit "06-shift: gate exits 1" 1 $E gate --base 05-reorder --head 06-shift
$E gate --base 05-reorder --head 06-shift --format json >"$T/06.json" 2>/dev/null
check_eq "06-shift: names exactly the new and the fixed one" \
    "$(python3 -c 'import json,sys; print(sorted((o["change"], o["func"], o["message"]) for o in json.load(open(sys.argv[1]))))' "$T/06.json")" \
    "[('fixed', 'First', 'new(int) escapes to heap'), ('new', 'Second', 'new(int) escapes to heap')]"
check_exit "07-add: gate exits 1" 1 $E gate --base 06-shift --head 07-add
$E gate --base 06-shift --head 07-add >"$T/07.txt" 2>/dev/null
check_eq "07-add: names exactly the new one" "$(grep '^[-+] ' "$T/07.txt")" \
    "+ svc/server.go:39:14: n escapes to heap"

# The same tree in another directory: nothing changes.
git clone -q "$T/repo" "$T/clone" >/dev/null 2>&1
$E run -C "$T/clone" --label clone >/dev/null 2>&1 || notok "run clone"
check_eq "a second checkout: 0 new, 0 fixed, 0 moved" \
    "$($E diff 08-closure-elsewhere clone | tail -1 | cut -d' ' -f1-6)" "0 new, 0 fixed, 0 moved"

# A baseline entry follows its finding through a rename.
B=$T/b
mkdir -p "$B"
cat >"$B/go.mod" <<'EOF'
module example.com/bl

go 1.21
EOF
cat >"$B/b.go" <<'EOF'
package bl

type T struct{ n [4]int }

func Main(s []int) int { return len(s) }
EOF
bstep() {
	(cd "$B" && git add -A && git -c user.name=t -c user.email=t@example.com \
	    -c commit.gpgsign=false commit -q -m "$1") >/dev/null 2>&1
	$E run -C "$B" --label "$1" >/dev/null 2>&1 || notok "run $1"
}
(cd "$B" && git init -q .)
bstep b0
cat >>"$B/b.go" <<'EOF'

func Old() *T { return new(T) }
EOF
bstep b1
$E baseline b1 >"$T/bl.json"
sed 's/func Old/func Renamed/' "$B/b.go" >"$T/b.go" && mv "$T/b.go" "$B/b.go"
bstep b2
check_exit "baseline: without it the renamed finding is new" 1 $E gate --base b0 --head b2
check_exit "baseline: its entry follows the rename" 0 $E gate --base b0 --head b2 --baseline "$T/bl.json"
$E gate --base b0 --head b2 --baseline "$T/bl.json" >"$T/b2.txt" 2>&1
check "baseline: counted as accepted" grep -q '^0 new, 0 fixed, 0 moved, 1 accepted by the baseline' "$T/b2.txt"
sed 's/func Main(s \[\]int) int { return len(s) }/func Main(s []int) *T { _ = len(s); return new(T) }/' \
    "$B/b.go" >"$T/b.go" && mv "$T/b.go" "$B/b.go"
bstep b3
$E gate --base b0 --head b3 --baseline "$T/bl.json" >"$T/b3.txt" 2>/dev/null
check_eq "baseline: the same text in a function BASE had is not accepted" \
    "$(grep '^[-+] ' "$T/b3.txt" | sed 's/:[0-9]*:[0-9]*:/:L:C:/')" "+ b.go:L:C: new(T) escapes to heap"

# A closure leaves a function that stays (Counter) and a new function
# (Adder) returns one: too little in common to be an extraction.
check_exit "08: gate exits 1" 1 $E gate --base 07-add --head 08-closure-elsewhere
$E gate --base 07-add --head 08-closure-elsewhere --format json >"$T/08.json" 2>/dev/null
check_eq "08: the new closure is new, the old one fixed" \
    "$(python3 -c 'import json,sys; print(sorted((o["change"], o["func"], o["message"]) for o in json.load(open(sys.argv[1]))))' "$T/08.json")" \
    "[('fixed', 'Counter', 'func literal escapes to heap'), ('fixed', 'Counter', 'moved to heap: n'), ('new', 'Adder', 'func literal escapes to heap')]"

# A compiler temporary renumbered by an edit above it (the interface
# call's result in .autotmp_N) is the same finding, moved.
A=$T/a
mkdir -p "$A"
printf 'module example.com/at\n\ngo 1.22\n' >"$A/go.mod"
cat >"$A/a.go" <<'EOF'
package at

import "fmt"

type S interface{ String() string }

var mk func() S

func F(n int) string {
	return fmt.Sprint(n, mk().String())
}
EOF
B=$A bstep t0
sed 's/^func F(n int) string {$/func F(n int) string {\n\tif mk().String() == "" {\n\t\treturn ""\n\t}\n/' \
    "$A/a.go" >"$T/a.go" && mv "$T/a.go" "$A/a.go"
B=$A bstep t1
check "autotmp: the temporary was renumbered" \
    sh -c "$E grep --run t0 autotmp_ | grep -q autotmp_2 && $E grep --run t1 autotmp_ | grep -q autotmp_3"
check_exit "autotmp: gate exits 0" 0 $E gate --base t0 --head t1
$E diff --format json t0 t1 >"$T/at.json" 2>/dev/null
check_eq "autotmp: 0 new, 0 fixed, the temporary moved (file pass)" \
    "$(counts new "$T/at.json") $(counts fixed "$T/at.json") $(python3 -c 'import json,sys; print([o["old"]["match"] for o in json.load(open(sys.argv[1])) if "autotmp" in o["subject"]])' "$T/at.json")" \
    "0 0 ['file']"

# Extraction with additions (seen on a real module: a loop's body moved
# into a new function that also got new code, the old one kept as a
# wrapper): the moved escapes pair with their old function because most of
# what left it is in the new one, though they are not most of the new one;
# what is really new stays new.  A closure that leaves a function that
# stays (Methods renumbers its closures) does not pair with the new
# function's closure of the same shape: the two enclosing functions share
# nothing.  ([]int{depth} into an interface is two verdicts: its backing
# array and its header.)
X=$T/x
mkdir -p "$X"
(cd "$X" && git init -q .)
printf 'module example.com/ex\n\ngo 1.22\n' >"$X/go.mod"
cat >"$X/x.go" <<'EOF'
package ex

import "strconv"

type Item struct {
	name string
	vals []int
}

var sink any

func Render(items []Item) []string {
	out := make([]string, 0, 4)
	for _, it := range items {
		s := strconv.Itoa(len(it.vals))
		out = append(out, it.name+s)
		sink = &it
	}
	cb := func(x []int) any { return len(x) }
	sink = cb
	return out
}

func Methods(k int) int {
	a := func(x int) *int { y := x; return &y }
	b := func(x int) *int { y := x + k; return &y }
	c := func(x int) *int { y := x * 2; return &y }
	return *a(1) + *b(2) + *c(3)
}
EOF
B=$X bstep x0
python3 - "$X/x.go" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("""func Render(items []Item) []string {
	out""", """func Render(items []Item) []string {
	return renderItems(items, 0)
}

func renderItems(items []Item, depth int) []string {
	out""")
s = s.replace("""	sink = cb
	return out""", """	sink = cb
	sink = &Item{name: "extra"}
	sink = &Item{name: "a"}
	sink = &Item{name: "b"}
	sink = []int{depth}
	nest := func(x int) *int { y := x + depth; return &y }
	sink = nest
	return out""")
s = s.replace("\ta := func(x int) *int { y := x; return &y }\n", "")
s = s.replace("*a(1) + ", "")
open(p, "w").write(s)
PY
B=$X bstep x1
$E gate --base x0 --head x1 --format json >"$T/x.json" 2>/dev/null
check_eq "extract with additions: only the new code is new" \
    "$(python3 -c 'import json,sys; print(sorted((o["change"], o["func"], o["message"]) for o in json.load(open(sys.argv[1]))))' "$T/x.json")" \
    "[('fixed', 'Methods.func3', 'moved to heap: y'), ('new', 'renderItems', '&Item{...} escapes to heap'), ('new', 'renderItems', '&Item{...} escapes to heap'), ('new', 'renderItems', '&Item{...} escapes to heap'), ('new', 'renderItems', '[]int{...} escapes to heap'), ('new', 'renderItems', '[]int{...} escapes to heap'), ('new', 'renderItems', 'func literal escapes to heap'), ('new', 'renderItems.func2', 'moved to heap: y')]"
$E diff --kinds heap,moved --format json x0 x1 >"$T/xd.json" 2>/dev/null
check_eq "extract with additions: the moved code paired by extract (its closure by rename)" \
    "$(python3 -c 'import json,sys; print(sorted((o["func"], o["old"]["func"], o["old"]["match"]) for o in json.load(open(sys.argv[1])) if o["change"]=="moved" and o["old"]["func"] != o["func"]))' "$T/xd.json")" \
    "[('renderItems', 'Render', 'extract'), ('renderItems', 'Render', 'extract'), ('renderItems', 'Render', 'extract'), ('renderItems', 'Render', 'extract'), ('renderItems', 'Render', 'extract'), ('renderItems.func1', 'Render.func1', 'rename')]"

# explain of an older run shows that run's source (from git at its
# commit), not the working tree's line of the same number.
check_eq "explain: an older run's source line comes from its commit" \
    "$($E explain --run x0 x.go:13:13 | sed -n 's/^  source: //p')" "out := make([]string, 0, 4)"
check_eq "explain: the current run reads the working tree" \
    "$($E explain --run x1 x.go:17:13 | sed -n 's/^  source: //p')" "out := make([]string, 0, 4)"

# A finding added above others of the same text in one function: the keys
# count such findings in order (k-th with k-th), which would call the last
# one new and the really new one moved; the group is aligned instead, by
# column and by how far each line moved, so the gate names the added line.
Y=$T/y
mkdir -p "$Y"
(cd "$Y" && git init -q .)
printf 'module example.com/al\n\ngo 1.22\n' >"$Y/go.mod"
cat >"$Y/y.go" <<'EOF'
package al

var sink any

func F(v int) {
	if v > 0 {
		sink = new(int)
	}
	sink = new(int)
	sink = new(int)
}
EOF
B=$Y bstep y0
# replace_first FILE OLD NEW: OLD's first occurrence becomes NEW (both
# with \t and \n escapes)
replace_first() {
	python3 -c 'import codecs,sys; p=sys.argv[1]; d=lambda x: codecs.decode(x, "unicode_escape"); s=open(p).read(); open(p, "w").write(s.replace(d(sys.argv[2]), d(sys.argv[3]), 1))' "$@"
}
replace_first "$Y/y.go" '\t}\n\tsink = new(int)\n' '\t}\n\tif v > 5 {\n\t\tif v > 6 {\n\t\t\tsink = new(int)\n\t\t}\n\t}\n\tsink = new(int)\n'
B=$Y bstep y1
check_eq "same text added above: the gate names the added line" \
    "$($E gate --base y0 --head y1 2>/dev/null | grep '^[-+] ')" "+ y.go:11:14: new(int) escapes to heap"

# Identical statements added at the top of a run of identical statements
# (same column, same text): only the source history tells them apart, so
# the alignment follows the lines git says moved (the runs' commits in
# their repository) and names the added one.
cat >>"$Y/y.go" <<'EOF'

func G(v int) {
	switch v {
	case 1:
		sink = new(int)
	case 2:
		sink = new(int)
	}
}
EOF
B=$Y bstep y2
replace_first "$Y/y.go" '\tswitch v {\n\tcase 1:\n' '\tswitch v {\n\tcase 0:\n\t\tsink = new(int)\n\tcase 1:\n'
B=$Y bstep y3
added=$(grep -n 'case 0:' "$Y/y.go" | cut -d: -f1)
check_eq "identical statement added above its twins: the gate names the added line (from git)" \
    "$($E gate --base y2 --head y3 2>/dev/null | grep '^[-+] ')" "+ y.go:$((added + 1)):13: new(int) escapes to heap"

# A renamed function with lines added at its top: two findings of one text
# pair by column before by offset inside the function, so they do not
# cross (seen on gjson: escapeComp renamed Escape).
cat >"$Y/r.go" <<'EOF'
package al

func Old(p *int) {
	if *p > 0 {
		sink = new(int)
	}
	sink = new(int)
}
EOF
B=$Y bstep r0
replace_first "$Y/r.go" 'func Old(p *int) {\n' 'func Renamed(p *int) {\n\tq := *p + 1\n\t_ = q\n'
B=$Y bstep r1
$E diff --format json r0 r1 >"$T/r.json" 2>/dev/null
check_eq "rename with lines added: same-text findings keep their columns" \
    "$(python3 -c 'import json,sys; print(sorted((o["line"], o["col"], o["old"]["line"], o["old"]["col"]) for o in json.load(open(sys.argv[1])) if o["change"]=="moved" and o["message"]=="new(int) escapes to heap"))' "$T/r.json")" \
    "[(7, 13, 5, 13), (9, 12, 7, 12)]"
