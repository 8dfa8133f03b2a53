#!/bin/sh
# t_inline: run --inline builds without -l.  On testdata/seeds and
# testdata/demo the stored verdicts equal the compiler's verdict lines of
# that build (go build -gcflags=-m=2, the same action ids, so the same
# output replayed), line for line: position and message.  Verdicts of
# bodies inlined from another package (the compiler prints the callee's
# file, e.g. ./handler/handler.go in package main) are kept, and explain
# finds them.  The run records mode inline; diff warns against a -l run;
# --tags and --gcflags reach the go command and the flags column.
. tests/lib.sh
unset ESCDB_DB
command -v go >/dev/null 2>&1 || { ok "inline: skipped (no go) # SKIP"; exit 0; }

VERDICT='^[^ ]+:[0-9]+(:[0-9]+)?: (moved to heap: |leaking param|.* escapes to heap$|.* does not escape|.* capturing by |.* ignoring self-assignment|assuming .* is unsafe uintptr|marking .* as escaping|(mutates|calls) param: |zero-copy |rewriting OCONVIFACE|alias analysis)'
GR=$(go env GOROOT)

for M in seeds demo; do
	d=$T/$M
	mkdir -p "$d"
	cp -R "$ROOT/testdata/$M/." "$d/"
	DB=$T/$M.db
	"$ESCDB" --db "$DB" run --inline -C "$d" --label inl >/dev/null 2>"$T/$M.err"
	check_eq "inline $M: run --inline exits 0" "$?" 0
	check_eq "inline $M: no warnings" "$(cat "$T/$M.err")" ""
	check_eq "inline $M: mode inline" "$(sq "$DB" "SELECT mode FROM run")" inline
	check_eq "inline $M: runs says inline" "$("$ESCDB" --db "$DB" runs | sed -n '2s/.*  //p')" inline
	check "inline $M: the go command ran without -l" \
	    test "$(sq "$DB" "SELECT input FROM run" | grep -c ' -gcflags=-m=2 -o /dev/null ./\.\.\.')" = 1
	(cd "$d" && go build -buildvcs=false -gcflags=-m=2 -o /dev/null ./... >"$T/$M.log" 2>&1)
	grep -E "$VERDICT" "$T/$M.log" | sed 's#^\./##' | sort >"$T/$M.want"
	mod=$(sed -n 's/^module //p' "$d/go.mod")
	"$ESCDB" --db "$DB" export | GR=$GR MOD=$mod D=$d python3 -c '
import json, os, sys
gr, mod, d = os.environ["GR"], os.environ["MOD"], os.environ["D"]
for l in sys.stdin:
    o = json.loads(l)
    f = o["file"]
    rel = o["package"][len(mod):].lstrip("/")
    if f.startswith("$GOROOT/"):
        f = gr + f[7:]
    elif not f.startswith("/") and not f.startswith("<") and rel and \
            os.path.exists(os.path.join(d, rel, f)):
        f = rel + "/" + f       # package-relative; else module-relative
    pos = "%s:%d" % (f, o["line"]) + (":%d" % o["col"] if o["col"] else "")
    print("%s: %s" % (pos, o["message"]))' | sort >"$T/$M.got"
	check "inline $M: the build prints verdicts" test -s "$T/$M.want"
	if diff -u "$T/$M.want" "$T/$M.got" >"$T/$M.diff"; then
		ok "inline $M: stored verdicts equal the compiler's verdict lines, line for line"
	else
		notok "inline $M: stored verdicts equal the compiler's verdict lines, line for line"
		head -20 "$T/$M.diff" | sed 's/^/#   /'
	fi
	check_eq "inline $M: identity keys are unique" \
	    "$(sq "$DB" "SELECT count(DISTINCT key) = count(*) FROM finding")" 1
done

# demo: bodies of package handler inlined into main are kept at the
# callee's position, in package main, and explain finds them.
DB=$T/demo.db
check_eq "inline demo: inlined verdicts are stored in the caller's package" \
    "$(sq "$DB" "SELECT count(*) > 0 FROM findings WHERE package = 'escdb.test/demo/cmd/demo' AND file = 'handler/handler.go'")" 1
L=$(sq "$DB" "SELECT line FROM findings WHERE package = 'escdb.test/demo/cmd/demo' AND file = 'handler/handler.go' AND kind = 'heap' LIMIT 1")
"$ESCDB" --db "$DB" explain "handler/handler.go:$L" >"$T/ex" 2>&1
check_eq "inline demo: explain finds an inlined verdict" "$?" 0

# The -json=0 form carries the inlining chain of a verdict reported at a
# call site: kept in its explanation block's heading, shown by explain.
JDB=$T/json.db
"$ESCDB" --db "$JDB" run --json --inline -C "$T/demo" >/dev/null 2>"$T/je"
check_eq "inline demo: run --json --inline exits 0" "$?" 0
check_eq "inline demo: --json --inline has no warnings" "$(cat "$T/je")" ""
"$ESCDB" --db "$JDB" explain handler/handler.go:86 >"$T/jx" 2>&1
check "inline demo: explain shows the inlining chain of a -json=0 verdict" \
    grep -q 'append(strings.b.buf, strings.s...) escapes to heap (inlined: .*/src/strings/builder.go:[0-9]*:[0-9]*)$' "$T/jx"

# A -l run of the same module: diff warns that the builds differ.
"$ESCDB" --db "$DB" run -C "$T/demo" --label noinl >/dev/null 2>&1
"$ESCDB" --db "$DB" diff noinl inl >/dev/null 2>"$T/dw"
check "inline demo: diff warns when the runs were built differently" grep -q 'built differently' "$T/dw"
check_eq "inline demo: the -l run has mode noinline" "$(sq "$DB" "SELECT mode FROM run WHERE label = 'noinl'")" noinline

"$ESCDB" --db "$DB" run -C "$T/demo" --label tagged --tags escdbtest --gcflags=-d=checkptr=0 >/dev/null 2>"$T/te"
check_eq "inline demo: --tags and --gcflags run" "$?" 0
check_eq "inline demo: --tags and --gcflags are recorded" \
    "$(sq "$DB" "SELECT flags FROM run WHERE label = 'tagged'")" "-tags=escdbtest -gcflags=-d=checkptr=0"
check "inline demo: --tags and --gcflags reach the go command" \
    test "$(sq "$DB" "SELECT input FROM run WHERE label = 'tagged'" | grep -c -- "-tags=escdbtest '-gcflags=-m=2 -l -d=checkptr=0'")" = 1

# A package that exists only under the run's tags and prints nothing is
# listed with the tags too, so it is stored with zero findings.
TG=$T/tg
mkdir -p "$TG/integ"
printf 'module example.com/tg\n\ngo 1.22\n' >"$TG/go.mod"
printf 'package tg\n\nvar sink any\n\nfunc A() { sink = new(int) }\n' >"$TG/a.go"
printf '//go:build integration\n\npackage integ\n\nfunc B(x int) int { return x + 1 }\n' >"$TG/integ/b.go"
"$ESCDB" --db "$T/tg.db" run -C "$TG" --tags integration >/dev/null 2>"$T/tge"
check_eq "tags: a silent package behind a build tag is stored, with zero findings" \
    "$(sq "$T/tg.db" "SELECT s || '=' || nfindings FROM package JOIN str ON str.id = package.name ORDER BY s" | tr '\n' ' ')" \
    "example.com/tg=1 example.com/tg/integ=0 "
exit 0
