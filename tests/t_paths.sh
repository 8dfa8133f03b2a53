#!/bin/sh
# t_paths.sh: paths from the repository root in SARIF, github and md
# output for a module in a subdirectory and a go.work workspace of two
# modules (issue 10); ingest --repo-prefix; external findings (GOROOT)
# and --exclude.
. tests/lib.sh

if ! command -v go >/dev/null 2>&1 || ! command -v git >/dev/null 2>&1; then
	ok "paths: skipped (go or git not installed) # SKIP"
	exit 0
fi
GIT_CEILING_DIRECTORIES=$T
export GIT_CEILING_DIRECTORIES
unset GITHUB_STEP_SUMMARY
R=$T/repo
DB=$T/p.db
E="$ESCDB --db $DB"
mkdir -p "$R/svc/pkg" "$R/ws/a/x" "$R/ws/b/y"
printf 'module example.com/svc\n\ngo 1.22\n' >"$R/svc/go.mod"
printf 'module example.com/a\n\ngo 1.22\n' >"$R/ws/a/go.mod"
printf 'module example.com/b\n\ngo 1.22\n' >"$R/ws/b/go.mod"
printf 'go 1.22\n\nuse (\n\t./a\n\t./b\n)\n' >"$R/ws/go.work"
# version V: the three packages; V=1 returns addresses (moved to heap)
version() {
	if [ "$1" = 1 ]; then r='&v'; t='*int'; else r=v; t=int; fi
	printf 'package p\n\nfunc P() %s {\n\tv := 1\n\treturn %s\n}\n' "$t" "$r" >"$R/svc/pkg/p.go"
	printf 'package x\n\nfunc X() %s {\n\tv := 2\n\treturn %s\n}\n' "$t" "$r" >"$R/ws/a/x/x.go"
	printf 'package y\n\nfunc Y() %s {\n\tv := 3\n\treturn %s\n}\n' "$t" "$r" >"$R/ws/b/y/y.go"
	(cd "$R" && git add -A && git -c user.name=t -c user.email=t@example.com \
	    -c commit.gpgsign=false commit -q -m "v$1") >/dev/null 2>&1
	$E run -C "$R/svc" --label "s$1" >/dev/null 2>&1 || notok "run svc v$1"
	# (workspace mode refuses GOFLAGS=-mod=mod)
	GOFLAGS= $E run -C "$R/ws" --label "w$1" -- example.com/a/... example.com/b/... \
	    >/dev/null 2>&1 || notok "run ws v$1"
}
(cd "$R" && git init -q .)
version 0
version 1
check_eq "run records the module's place in the repository" \
    "$(sq "$DB" "SELECT label || '=' || repo_prefix || ':' || in_repo FROM run ORDER BY id" | tr '\n' ' ')" \
    "s0=svc/:1 w0=ws/:1 s1=svc/:1 w1=ws/:1 "

$E gate --base s0 --head s1 --format github >"$T/s.gh" 2>/dev/null
check_eq "subdirectory module: github path from the repository root" \
    "$(cut -d, -f1 "$T/s.gh")" "::error file=svc/pkg/p.go"
$E gate --base s0 --head s1 >"$T/s.txt" 2>/dev/null
check "subdirectory module: text keeps the short path" grep -q '^+ pkg/p.go:4:2: *moved to heap: v$' "$T/s.txt"
$E gate --base s0 --head s1 --format md >"$T/s.md" 2>/dev/null
check "subdirectory module: md path from the repository root" grep -q '`svc/pkg/p.go:4:2`' "$T/s.md"
$E gate --base w0 --head w1 --format github >"$T/w.gh" 2>/dev/null
check_eq "go.work with two modules: github paths from the repository root" \
    "$(cut -d, -f1 "$T/w.gh" | sort | tr '\n' ' ')" "::error file=ws/a/x/x.go ::error file=ws/b/y/y.go "

# SARIF: the fields code scanning reads.
$E gate --base w0 --head w1 --format sarif -o "$T/w.sarif" 2>/dev/null
cat >"$T/sarif.py" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == "2.1.0"
run = d["runs"][0]
assert run["tool"]["driver"]["name"] == "escdb"
rules = {r["id"] for r in run["tool"]["driver"]["rules"]}
uris = []
for r in run["results"]:
    assert r["ruleId"] in rules
    assert r["message"]["text"]
    loc = r["locations"][0]["physicalLocation"]
    assert isinstance(loc["region"]["startLine"], int) and loc["region"]["startLine"] > 0
    assert r["partialFingerprints"]["escdbKey/v1"]
    uris.append(loc["artifactLocation"]["uri"])
print(" ".join(sorted(uris)))
EOF
check_eq "go.work: SARIF valid, with uris from the repository root" \
    "$(python3 "$T/sarif.py" "$T/w.sarif" 2>&1)" "ws/a/x/x.go ws/b/y/y.go"
$E gate --base s0 --head s1 --format sarif -o "$T/s.sarif" 2>/dev/null
check_eq "subdirectory module: SARIF uri from the repository root" \
    "$(python3 "$T/sarif.py" "$T/s.sarif" 2>&1)" "svc/pkg/p.go"

# A log made outside any repository, told where it belongs.
mkdir -p "$T/plain"
cp -R "$R/svc/." "$T/plain/"
(cd "$T/plain" && go build -gcflags='-m=2 -l' ./... 2>"$T/plain.log")
$E ingest -C "$T/plain" --repo-prefix svc/ --label i1 "$T/plain.log" >/dev/null 2>&1 ||
    notok "ingest --repo-prefix"
$E gate --base s0 --head i1 --format github >"$T/i.gh" 2>/dev/null
check_eq "ingest --repo-prefix: github path from the repository root" \
    "$(cut -d, -f1 "$T/i.gh")" "::error file=svc/pkg/p.go"

# Generic code of GOROOT instantiated in the package: external.
mkdir -p "$R/ext"
printf 'module example.com/ext\n\ngo 1.22\n' >"$R/ext/go.mod"
printf 'package ext\n\ntype T struct{ n int }\n\nfunc Grow(s []*T) []*T {\n\treturn s\n}\n' >"$R/ext/e.go"
$E run -C "$R/ext" --label e0 >/dev/null 2>&1 || notok "run ext 0"
printf 'package ext\n\nimport "slices"\n\ntype T struct{ n int }\n\nfunc Grow(s []*T) []*T {\n\treturn slices.Insert(s, 0, &T{})\n}\n' >"$R/ext/e.go"
printf 'package ext\n\nfunc Gen() *int {\n\tv := 1\n\treturn &v\n}\n' >"$R/ext/gen.pb.go"
$E run -C "$R/ext" --label e1 >/dev/null 2>&1 || notok "run ext 1"
NEXT=$(sq "$DB" "SELECT count(*) FROM findings WHERE run = (SELECT id FROM run WHERE label = 'e1') AND file LIKE '\$GOROOT/%' AND kind IN ('heap', 'moved')")
[ "$NEXT" -gt 0 ] && ok "external: GOROOT findings are stored ($NEXT heap)" ||
    notok "external: no GOROOT finding stored"
$E gate --base e0 --head e1 >"$T/e.txt" 2>/dev/null
check_eq "external: left out of the gate by default" \
    "$(grep '^[-+] ' "$T/e.txt" | sed 's/:[0-9]*:[0-9]*:/:L:C:/' | tr -s ' ' | sort | tr '\n' '|')" \
    "+ e.go:L:C: &T{} escapes to heap|+ gen.pb.go:L:C: moved to heap: v|"
check "external: counted as left out" grep -q "^2 new, 0 fixed, 0 moved, $NEXT external left out" "$T/e.txt"
$E gate --base e0 --head e1 --include-external --format json >"$T/e.json" 2>/dev/null
check_eq "external: --include-external gates them too" \
    "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/e.json")" "$((NEXT + 2))"
check_exit "exclude: the generated file left out, the gate still fails" 1 \
    $E gate --base e0 --head e1 --exclude '*.pb.go'
$E gate --base e0 --head e1 --exclude '*.pb.go' --exclude 'ext/e.go' >"$T/x.txt" 2>/dev/null
check "exclude: globs match paths from the repository root" grep -q '^0 new, 0 fixed, 0 moved, [0-9]* external left out, 2 excluded' "$T/x.txt"
check_exit "exclude: nothing left to fail on" 0 $E gate --base e0 --head e1 --exclude '*.pb.go' --exclude 'e.go'
