#!/bin/sh
# Whole or marked: cut input is refused (exit 2, FILE:LINE) unless
# --partial, which stores it marked partial; gate and diff refuse partial
# runs unless --allow-partial; ingest's Go version comes from the option,
# the log, or go env (noted).  A failed build shows its errors in a
# screenful.  A go command killed mid-build is cut output too.
. tests/lib.sh
LOG=testdata/logs/seeds-go1.26.8-m2.log
DB=$T/p.db
runs() { sq "$DB" "SELECT count(*) FROM run"; }
e() { "$ESCDB" --db "$DB" "$@"; }
has() { grep -q -- "$2" "$1"; }

check "a whole log is stored" e ingest --commit base0001 -C testdata/seeds "$LOG"

# ---- cut inside an explanation block (a heading and no flow line under it)
n=$(awk '/:   flow: / { if (prev ~ /:$/ && prev !~ /flow: /) { c++; if (c == 5) { print NR - 1; exit } } } { prev = $0 }' "$LOG")
head -n "$n" "$LOG" >"$T/block.log"
check_exit "cut inside a block: exit 2" 2 e ingest -C testdata/seeds "$T/block.log"
has "$T/.err" "block.log:[0-9]*: input ends in the middle of an explanation block" &&
    ok "cut inside a block: FILE:LINE message" || { notok "cut inside a block: FILE:LINE message"; cat "$T/.err"; }
has "$T/.err" "no run stored (--partial" && ok "message names --partial" || notok "message names --partial"
check_eq "cut inside a block: nothing stored" "$(runs)" 1

# ---- a log whose last block ends with a flow line that has no from lines
# is whole: the compiler prints such flows, and a parallel build may print
# that package last (a real go build of a module tripped on it)
D=testdata/logs/demo-go1.26.8-m2.log
n=$(awk '{ if (prev ~ /:   flow: / && $0 !~ /:     from /) { print NR - 1; exit } prev = $0 }' "$D")
head -n "$n" "$D" >"$T/stepless.log"
check_exit "ends with a step-less flow line: stored" 0 "$ESCDB" --db "$T/stepless.db" ingest -C testdata/demo "$T/stepless.log"
check_eq "ends with a step-less flow line: not partial" "$(sq "$T/stepless.db" "SELECT partial FROM run")" 0

# ---- cut inside a line
head -c $(( $(head -n 40 "$LOG" | wc -c) + 12 )) "$LOG" >"$T/line.log"
check_exit "cut inside a line: exit 2" 2 e ingest -C testdata/seeds "$T/line.log"
has "$T/.err" "line.log:41: input ends in the middle of a line" &&
    ok "cut inside a line: FILE:LINE message" || { notok "cut inside a line: FILE:LINE message"; cat "$T/.err"; }
check_eq "cut inside a line: nothing stored" "$(runs)" 1
check_exit "standard input cut: exit 2" 2 sh -c '"$1" --db "$2" ingest -C testdata/seeds - <"$3"' - "$ESCDB" "$DB" "$T/line.log"
has "$T/.err" "<stdin>:41:" && ok "standard input: named <stdin>" || notok "standard input: named <stdin>"

# ---- --partial stores it, marked
check_exit "--partial stores the cut log" 0 e ingest --partial --commit cut00001 -C testdata/seeds "$T/block.log"
check_eq "--partial: run.partial = 1" "$(sq "$DB" "SELECT partial FROM run WHERE commit_id = 'cut00001'")" 1
check_eq "whole log: run.partial = 0" "$(sq "$DB" "SELECT partial FROM run WHERE commit_id = 'base0001'")" 0
e ingest --partial --commit whole002 -C testdata/seeds "$LOG" >/dev/null 2>&1
check_eq "--partial on a whole log: not marked" "$(sq "$DB" "SELECT partial FROM run WHERE commit_id = 'whole002'")" 0
e runs >"$T/runs.txt"
grep -E '^ *2 .*partial' "$T/runs.txt" >/dev/null && ok "runs shows partial" || { notok "runs shows partial"; cat "$T/runs.txt"; }
grep -E '^ *1 .*partial' "$T/runs.txt" >/dev/null && notok "runs: whole run not partial" || ok "runs: whole run not partial"
e runs --format json | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert [r["partial"] for r in v] == [False, True, False], v' && ok "runs json: partial" || notok "runs json: partial"

# ---- gate and diff refuse a partial run
check_exit "diff with a partial run: exit 2" 2 e diff base0001 cut00001
has "$T/.err" "run 2 is partial" && ok "diff: says which run is partial" || { notok "diff: says which run is partial"; cat "$T/.err"; }
check_exit "gate with a partial head: exit 2" 2 e gate --base base0001 --head cut00001
check_exit "gate with a partial base: exit 2" 2 e gate --base cut00001 --head base0001
check_exit "diff --allow-partial compares" 0 e diff --allow-partial base0001 cut00001
has "$T/.err" "warning: diff: run 2 is partial" && ok "--allow-partial warns" || notok "--allow-partial warns"
check_exit "gate --allow-partial compares (fewer findings: passes)" 0 e gate --allow-partial --base base0001 --head cut00001
check_exit "gate on whole runs is not affected" 0 e gate --base base0001 --head whole002

# ---- the Go version of an ingested log
DB2=$T/v.db
"$ESCDB" --db "$DB2" ingest --go-version go1.99.1 -C testdata/seeds "$LOG" >/dev/null 2>&1
check_eq "--go-version wins" "$(sq "$DB2" "SELECT go_version || '|' || note FROM run WHERE id = 1")" "go1.99.1|"
{ echo "go version go1.21.13 linux/arm64"; cat "$LOG"; } >"$T/ver.log"
"$ESCDB" --db "$DB2" ingest -C testdata/seeds "$T/ver.log" >/dev/null 2>"$T/ver.err"
check_eq "the log's go version line" "$(sq "$DB2" "SELECT go_version || ' ' || goos || '/' || goarch || '|' || note FROM run WHERE id = 2")" "go1.21.13 linux/arm64|"
has "$T/ver.err" "unrecognised" && notok "a go version line is not unrecognised" || ok "a go version line is not unrecognised"
"$ESCDB" --db "$DB2" ingest -C testdata/seeds "$LOG" >/dev/null 2>&1
check_eq "else go env GOVERSION" "$(sq "$DB2" "SELECT go_version FROM run WHERE id = 3")" "$(go env GOVERSION)"
check_eq "with a note" "$(sq "$DB2" "SELECT note FROM run WHERE id = 3")" "go version from go env"
"$ESCDB" --db "$DB2" runs | grep -E '^ *3 .*go version from go env' >/dev/null && ok "runs shows the note" || notok "runs shows the note"

# ---- run: a failed build in a module of many packages
command -v go >/dev/null 2>&1 || { ok "run tests skipped (no go) # SKIP"; exit 0; }
M=$T/many
mkdir -p "$M"
printf 'module example.com/many\n\ngo 1.21\n' >"$M/go.mod"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	mkdir "$M/p$i"
	cat >"$M/p$i/p.go" <<EOF
package p$i

import "fmt"

type T struct{ a, b int; s string }

func New(n int) *T { return &T{a: n, s: fmt.Sprint(n)} }

func Fill(xs []int) []*T {
	var out []*T
	for _, x := range xs {
		t := New(x)
		out = append(out, t)
		fmt.Println(t.s, x)
	}
	return out
}

func Closure(n int) func() int { return func() int { n++; return n } }
EOF
done
printf '\nfunc Bad() int { var s string = 3; return s }\n' >>"$M/p7/p.go"
DB3=$T/m.db
(cd "$M" && "$ESCDB" --db "$DB3" run) >"$T/fail.out" 2>&1; st=$?
check_eq "failed build: exit 3" "$st" 3
lines=$(wc -l <"$T/fail.out")
[ "$lines" -lt 30 ] && ok "failed build: under 30 lines ($lines)" || { notok "failed build: under 30 lines ($lines)"; head -40 "$T/fail.out"; }
has "$T/fail.out" "p7/p.go:21:33: cannot use 3" && ok "failed build: the compile error is shown" || notok "failed build: the compile error is shown"
has "$T/fail.out" "^# example.com/many/p7" && ok "failed build: its package header" || notok "failed build: its package header"
has "$T/fail.out" "escapes to heap" && notok "failed build: no diagnostics" || ok "failed build: no diagnostics"
grep -Eq "escdb: [0-9]+ diagnostic lines of the build omitted" "$T/fail.out" && ok "failed build: omitted lines counted" || notok "failed build: omitted lines counted"
[ -e "$DB3" ] && [ "$(sq "$DB3" "SELECT count(*) FROM run")" != 0 ] && notok "failed build: no run stored" || ok "failed build: no run stored"
(cd "$M" && "$ESCDB" --db "$DB3" run --verbose) >"$T/failv.out" 2>&1; st=$?
check_eq "--verbose: exit 3" "$st" 3
[ "$(grep -c 'escapes to heap' "$T/failv.out")" -gt 50 ] && ok "--verbose: the whole output" || notok "--verbose: the whole output"

# ---- run: a go command killed mid-output, and one whose output is cut
rm "$M/p7/p.go"
cp "$M/p1/p.go" "$M/p7/p.go"; sed -i 's/^package p1/package p7/' "$M/p7/p.go"
REALGO=$(command -v go)
mkdir -p "$T/fakebin"
cat >"$T/fakebin/go" <<EOF
#!/bin/sh
# go build: prints half of the real output, then is killed ($MODE) or exits 0
if [ "\$1" = build ]; then
	"$REALGO" "\$@" >"$T/real.out" 2>&1
	n=\$(( \$(wc -c <"$T/real.out") / 2 ))
	head -c "\$n" "$T/real.out" >&2
	[ "\$FAKE_MODE" = kill ] && kill -9 \$\$
	exit 0
fi
exec "$REALGO" "\$@"
EOF
chmod +x "$T/fakebin/go"
DB4=$T/k.db
(cd "$M" && FAKE_MODE=kill PATH="$T/fakebin:$PATH" "$ESCDB" --db "$DB4" run) >"$T/kill.out" 2>&1; st=$?
check_eq "killed go build: exit 2" "$st" 2
has "$T/kill.out" "killed (signal 9)" && ok "killed go build: says so" || { notok "killed go build: says so"; cat "$T/kill.out"; }
[ -e "$DB4" ] && [ "$(sq "$DB4" "SELECT count(*) FROM run")" != 0 ] && notok "killed: no run stored" || ok "killed: no run stored"
(cd "$M" && FAKE_MODE=kill PATH="$T/fakebin:$PATH" "$ESCDB" --db "$DB4" run --partial) >"$T/kill2.out" 2>&1; st=$?
check_eq "killed go build, --partial: exit 0" "$st" 0
check_eq "killed go build, --partial: marked partial" "$(sq "$DB4" "SELECT partial FROM run")" 1
(cd "$M" && FAKE_MODE=cut PATH="$T/fakebin:$PATH" "$ESCDB" --db "$DB4" run) >"$T/cut.out" 2>&1; st=$?
check_eq "cut output, exit 0: refused with exit 2" "$st" 2
grep -Eq "go build:[0-9]+: input ends in the middle" "$T/cut.out" && ok "cut output: position named" || { notok "cut output: position named"; cat "$T/cut.out"; }
check_eq "cut output: no second run" "$(sq "$DB4" "SELECT count(*) FROM run")" 1
