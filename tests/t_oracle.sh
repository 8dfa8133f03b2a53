#!/bin/sh
# t_oracle.sh: escdb against the Go repository's own escape-analysis
# tests.  Every $GOROOT/test/escape*.go whose first line is exactly
# "// errorcheck -0 -m -l" becomes one package of a temporary module;
# one `escdb run` stores its findings, and tests/oracle.py checks every
# "// ERROR" regexp against the stored finding messages of its line (the
# cmd/internal/testdir rules) and every stored finding against the
# regexps, and cross-checks the findings against the raw compiler output
# (go build -gcflags='-m -l') of the same module.
#
# Skipped files (oracle.py prints the reason of each as a "#" line):
#   - "// run" tests (escape.go, escape3.go): no ERROR comments to check;
#   - other flags: -N (escape2n.go), no -l (escape4.go, escape_bloop.go,
#     escape_make_non_const.go: inlining changes the verdicts), -d=...
#     debug flags escdb never passes (escape_alias.go,
#     escape_iface_data.go, escape_mutations.go);
#   - escape_runtime_atomic.go: imports internal/runtime/atomic, which
#     only std may import.
# Regexps that match only lines escdb does not store as findings
# (devirtualizing, inlining, bounds checks) are printed as
# "not a finding" comments and are not mismatches.
#
# Run from the repository root: ESCDB=./escdb sh tests/t_oracle.sh

. tests/lib.sh

if ! command -v go >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
	ok "oracle: skipped (go or python3 not installed) # SKIP"
	exit 0
fi
GOROOT_TEST=$(go env GOROOT)/test
if [ ! -d "$GOROOT_TEST" ]; then
	ok "oracle: skipped (no $GOROOT_TEST) # SKIP"
	exit 0
fi
GIT_CEILING_DIRECTORIES=$T
export GIT_CEILING_DIRECTORIES

mod=$T/mod
python3 "$ROOT/tests/oracle.py" prepare "$GOROOT_TEST" "$mod" >"$T/skip" 2>&1
check_eq "oracle: module prepared" "$?" 0
sed 's/^/# /' "$T/skip"
nfiles=$(ls "$mod" | grep -c '^escape')
echo "# $nfiles files checked, $(grep -c '^skip ' "$T/skip") skipped, go $(go env GOVERSION)"

# The go command caches both builds, so the second test pass (ASan)
# replays their output instead of compiling again.
(cd "$mod" && go build -gcflags='-m -l' ./...) >"$T/raw.log" 2>&1
check_eq "oracle: go build -gcflags='-m -l' succeeds" "$?" 0

# Without a stored run there is nothing to compare: one failure, not one
# per file.
"$ESCDB" --db "$T/db" run -C "$mod" --commit oracle --date 2024-01-01 \
    >"$T/run.out" 2>"$T/run.err"
st=$?
sed 's/^/#   /' "$T/run.err" | grep -v 'cannot resolve commit' | head -5
if [ "$st" != 0 ]; then
	notok "oracle: escdb run (exit $st); $nfiles files not checked"
	exit 0
fi
ok "oracle: escdb run"
if ! "$ESCDB" --db "$T/db" export --format jsonl >"$T/export.jsonl" 2>"$T/export.err"; then
	notok "oracle: escdb export; $nfiles files not checked"
	sed 's/^/#   /' "$T/export.err" | head -5
	exit 0
fi
ok "oracle: escdb export"

# Not a mismatch, but worth seeing: lines escdb kept as unrecognised.
sq "$T/db" "SELECT class || ': ' || text FROM kept_line" 2>/dev/null |
    sed 's/^/# kept line: /'

python3 "$ROOT/tests/oracle.py" check "$mod" "$T/export.jsonl" "$T/raw.log"
exit 0
