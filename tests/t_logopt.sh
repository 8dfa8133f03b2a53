#!/bin/sh
# t_logopt: the -json=0 logopt directory (parser/logopt.c, ingest DIR).
#
#  - the captured go1.26.8 directory ingests with form "logopt", the Go
#    version from its headers, the same counts as the text -m=2 log;
#  - cross-check: one local `go build -gcflags='-m=2 -l -json=0,file://D'`
#    of testdata/seeds writes both forms; their heap, moved and leak
#    findings (file:line:col, kind, subject, detail, func) and flow steps
#    agree except for tests/golden/logopt-crosscheck.diff, whose every
#    hunk is explained in man/parts/logopt.mdoc;
#  - a fresh output directory makes the go command recompile (the
#    directory is part of the compile flags, so of the action ID);
#  - bad input: a malformed line, an unknown code and a missing header
#    each warn with FILE:LINE and the rest is still read.
# UPDATE_GOLDEN=1 rewrites tests/golden/logopt-*.
. tests/lib.sh
unset ESCDB_DB
G=$ROOT/tests/golden
LOGS=$ROOT/testdata/logs
SEEDS=$ROOT/testdata/seeds

# The captured directory names /work/main; point it at this checkout.
relocate() {    # relocate SRC DST
	cp -R "$1" "$2"
	if [ "$ROOT" != /work/main ]; then
		for f in "$2"/*/*.json; do
			[ -f "$f" ] || continue
			sed "s#/work/main/#$ROOT/#g" "$f" >"$f.tmp" && mv "$f.tmp" "$f"
		done
	fi
}

relocate "$LOGS/seeds-go1.26.8-logopt" "$T/lo"
DB=$T/a.db
check_exit "ingest logopt dir" 0 "$ESCDB" --db "$DB" ingest -C "$SEEDS" --commit c1 \
    --date 2026-01-01 "$T/lo"
check_eq "logopt form recorded" "$(sq "$DB" "SELECT form FROM run WHERE id=1")" logopt
check_eq "go version from header" "$(sq "$DB" "SELECT go_version FROM run WHERE id=1")" go1.26.8
check_eq "no warnings on good input" "$(cat "$T/.err")" ""
"$ESCDB" --db "$DB" ingest -C "$SEEDS" --commit c2 --date 2026-01-01 \
    "$LOGS/seeds-go1.26.8-m2.log" >/dev/null 2>&1
kinds() { sq "$DB" "SELECT kind, count(*) FROM findings WHERE run=$1 AND kind IN
    ('moved','leak','leak-result','leak-content') GROUP BY kind ORDER BY kind"; }
check_eq "moved and leak counts equal text -m=2" "$(kinds 1)" "$(kinds 2)"
check_eq "heap count (one go-wrapper closure more)" \
    "$(sq "$DB" "SELECT (SELECT count(*) FROM findings WHERE run=1 AND kind='heap') -
                        (SELECT count(*) FROM findings WHERE run=2 AND kind='heap')")" 1
# every folder is a package, the empty ones too (git drops empty folders)
check_eq "packages" "$(sq "$DB" "SELECT count(*) FROM package WHERE run=1")" \
    "$(ls "$T/lo" | wc -l | tr -d ' ')"

# ---- cross-check on one live build ----
if command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ]; then
	command -v go >/dev/null 2>&1 || PATH=$PATH:/usr/local/go/bin
	mkdir "$T/live"
	(cd "$SEEDS" && go build -gcflags="-m=2 -l -json=0,file://$T/live" -o /dev/null ./... \
	    >"$T/live.log" 2>&1)
	check "live build wrote a logopt directory" test -d "$T/live/escdb.test%2Fseeds%2Fleakparam"
	"$ESCDB" --db "$T/x.db" ingest -C "$SEEDS" "$T/live.log" >/dev/null 2>&1
	"$ESCDB" --db "$T/x.db" ingest -C "$SEEDS" "$T/live" >/dev/null 2>&1
	"$ESCDB" --db "$T/x.db" export --run id:1 | python3 tests/proj.py --flows >"$T/text.p"
	"$ESCDB" --db "$T/x.db" export --run id:2 | python3 tests/proj.py --flows >"$T/json.p"
	check "cross-check has findings" test -s "$T/text.p"
	diff "$T/text.p" "$T/json.p" | grep '^[<>]' >"$T/cross.diff"
	golden "cross-check text vs logopt (differences explained in the man page)" \
	    "$T/cross.diff" "$G/logopt-crosscheck.diff"
	# a second build into a fresh directory recompiles and writes it again
	mkdir "$T/live2"
	(cd "$SEEDS" && go build -gcflags="-m=2 -l -json=0,file://$T/live2" -o /dev/null ./... \
	    >/dev/null 2>&1)
	check "fresh logopt directory forces recompilation" \
	    test -d "$T/live2/escdb.test%2Fseeds%2Fleakparam"
else
	notok "cross-check needs go"
fi

# ---- bad input ----
B=$T/bad
mkdir -p "$B/ex%2Fa" "$B/ex%2Fb" "$B/ex%2Fc"
for p in a b c; do
	sed "1s#escdb.test/seeds/leakparam#ex/$p#" "$T/lo/escdb.test%2Fseeds%2Fleakparam/leakparam.json" \
	    >"$B/ex%2F$p/$p.json"
done
# b: malformed line 3, unknown code line 4, then the rest
{ head -2 "$B/ex%2Fb/b.json"; echo '{"range":{"start":{"line":'
  echo '{"range":{"start":{"line":3,"character":1}},"severity":3,"code":"frobnicate","message":"x"}'
  tail -n +3 "$B/ex%2Fb/b.json"; } >"$B/b.tmp" && mv "$B/b.tmp" "$B/ex%2Fb/b.json"
# c: missing header, the diagnostics alone
tail -n +2 "$B/ex%2Fc/c.json" >"$B/c.tmp" && mv "$B/c.tmp" "$B/ex%2Fc/c.json"
check_exit "bad logopt input still ingests" 0 "$ESCDB" --db "$T/b.db" ingest -C "$SEEDS" "$B"
grep -q "ex%2Fb/b.json:3: warning: malformed logopt line" "$T/.err" &&
    ok "malformed line warned with file:line" || { notok "malformed line warning"; cat "$T/.err"; }
grep -q "ex%2Fb/b.json:4: warning: unknown logopt code 'frobnicate'" "$T/.err" &&
    ok "unknown code warned with file:line" || notok "unknown code warning"
grep -q "ex%2Fc/c.json:1: warning: missing logopt header" "$T/.err" &&
    ok "missing header warned with file:line" || notok "missing header warning"
check_eq "rest read: 4 findings in each of 3 packages" \
    "$(sq "$T/b.db" "SELECT group_concat(package || '=' || n, ' ') FROM (SELECT package, count(*) n
        FROM findings GROUP BY package ORDER BY package)")" "ex/a=4 ex/b=4 ex/c=4"
check_eq "no header: package from the folder name" \
    "$(sq "$T/b.db" "SELECT count(*) FROM findings WHERE package='ex/c'")" 4
check_eq "kept lines" "$(sq "$T/b.db" "SELECT count(*) FROM kept_line")" 2
check_exit "a directory that is not logopt is refused" 2 "$ESCDB" --db "$T/n.db" ingest "$ROOT/tests"
exit 0
