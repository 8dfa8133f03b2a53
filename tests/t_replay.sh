#!/bin/sh
# t_replay: when does the go command replay a package's diagnostics from
# its build cache, and what does run do about the packages that print
# nothing?  For the local go and for go1.27.3 (skipped when that toolchain
# cannot be had), on a module of library packages with a private GOCACHE:
#  - a cold build and a warm one print the same lines: cached output,
#    empty output included, is replayed;
#  - a package with an empty file, one with only constants, one whose
#    functions have no pointers print nothing, cold or warm, and a
#    test-only package is not built at all;
#  - deleting a package's cached output entry (its object stays) makes
#    the go command print nothing for it, build after build: the one case
#    of output that is not replayed;
#  - escdb run: two consecutive runs store identical findings, no go
#    command it spawns has -a, no go list runs, the directories are go
#    list's; silent packages whose output was replayed are asked again
#    under another action id (never their dependencies), once: then their
#    action ids are in escdb's silent list; those compiled in the run are
#    not; an evicted entry is recovered, and the run's input names every
#    go command run (a wrapper go on PATH logs each command line).
. tests/lib.sh
unset ESCDB_DB
REALGO=$(command -v go) || { ok "replay: skipped (no go) # SKIP"; exit 0; }

m=$T/mod
mkdir -p "$m/empty" "$m/consts" "$m/noptr" "$m/esc" "$m/user" "$m/testonly"
printf 'module escdb.test/replay\n\ngo 1.21\n' >"$m/go.mod"
printf 'package empty\n' >"$m/empty/empty.go"
printf 'package consts\n\nconst Answer = 42\n\nvar Primes = [3]int{2, 3, 5}\n' >"$m/consts/consts.go"
printf 'package noptr\n\nfunc Add(a, b int) int { return a + b }\n\nfunc Sum(v [4]int) (s int) {\n\tfor _, x := range v {\n\t\ts += x\n\t}\n\treturn s\n}\n' >"$m/noptr/noptr.go"
printf 'package esc\n\ntype T struct{ n int }\n\nvar Sink *T\n\nfunc New(n int) *T { return &T{n} }\n\nfunc Keep(t *T) { Sink = t }\n' >"$m/esc/esc.go"
printf 'package user\n\nimport (\n\t"escdb.test/replay/esc"\n\t"escdb.test/replay/noptr"\n)\n\nfunc Use() int { esc.Keep(esc.New(1)); return noptr.Add(1, 2) }\n' >"$m/user/user.go"
printf 'package testonly\n\nimport "testing"\n\nfunc TestX(t *testing.T) {}\n' >"$m/testonly/x_test.go"

mkdir -p "$T/bin"
cat >"$T/bin/go" <<EOF
#!/bin/sh
echo "\$*" >>"\$GO_LOG"
exec "$REALGO" "\$@"
EOF
chmod +x "$T/bin/go"

heads() { sed -n 's/^# //p' "$1" | sort | tr '\n' ' '; }
# Deletes the cached output entries that hold diagnostics of package esc
# (the files under GOCACHE whose text names esc/esc.go); objects stay.
evict() { grep -rl 'esc/esc.go:.*escapes to heap' "$1" | xargs rm -f; }
proj() { "$ESCDB" --db "$1" export --run "$2" | python3 "$ROOT/tests/proj.py"; }

for V in local go1.27.3; do
	export GOTOOLCHAIN=$V
	if ! (cd "$m" && go version) >/dev/null 2>&1; then
		ok "replay $V: skipped (toolchain not available) # SKIP"
		continue
	fi
	export GOCACHE=$T/cache-$V
	rm -rf "$GOCACHE"
	(cd "$m" && go build -gcflags='-m=2 -l' ./... >"$T/cold" 2>&1)
	(cd "$m" && go build -gcflags='-m=2 -l' ./... >"$T/warm" 2>&1)
	check_eq "replay $V: a warm build prints what the cold one printed" \
	    "$(sort "$T/warm")" "$(sort "$T/cold")"
	check_eq "replay $V: packages with an empty file, constants, no pointers, tests only print nothing, cold or warm" \
	    "$(heads "$T/cold")|$(heads "$T/warm")" "escdb.test/replay/esc |escdb.test/replay/esc "
	evict "$GOCACHE"
	(cd "$m" && go build -gcflags='-m=2 -l' ./... >"$T/evicted" 2>&1)
	(cd "$m" && go build -gcflags='-m=2 -l' ./... >"$T/evicted2" 2>&1)
	check_eq "replay $V: an evicted output entry is not replayed, build after build" \
	    "$(heads "$T/evicted")|$(heads "$T/evicted2")" "|"

	# escdb run on the same module, with a fresh cache.
	rm -rf "$GOCACHE"
	DB=$T/run-$V.db
	for i in 1 2; do
		: >"$T/go-$i.log"
		GO_LOG=$T/go-$i.log PATH=$T/bin:$PATH "$ESCDB" --db "$DB" run -C "$m" >/dev/null 2>"$T/err-$i"
		check_eq "replay $V: run $i exits 0" "$?" 0
	done
	check_eq "replay $V: two consecutive runs store identical findings" "$(proj "$DB" id:2)" "$(proj "$DB" id:1)"
	check_eq "replay $V: the findings are those of esc" \
	    "$(sq "$DB" "SELECT group_concat(kind || ' ' || subject, ', ') FROM findings WHERE run = 2")" \
	    "heap &T{...}, leak t"
	check_eq "replay $V: silent packages are stored with zero findings" \
	    "$(sq "$DB" "SELECT group_concat(x, ' ') FROM (SELECT s || '=' || p.nfindings AS x FROM package p JOIN str ON str.id = p.name WHERE p.run = 2 ORDER BY s)")" \
	    "escdb.test/replay/consts=0 escdb.test/replay/empty=0 escdb.test/replay/esc=2 escdb.test/replay/noptr=0 escdb.test/replay/user=0"
	check_eq "replay $V: no go build -a" "$(cat "$T/go-1.log" "$T/go-2.log" | grep -c -- '^build .*-a ')" 0
	check_eq "replay $V: the stored directories are go list's" \
	    "$(sq "$DB" "SELECT group_concat(dir, ' ') FROM (SELECT dir FROM package WHERE run = 2 ORDER BY 1)")" \
	    "$(cd "$m" && "$REALGO" list -f '{{.Dir}}' ./... | grep -v testonly | sort | tr '\n' ' ' | sed 's/ $//')"
	# run 1 compiled every package: its silent ones printed nothing from
	# a compile, so neither run asks again, and no go list runs
	check_eq "replay $V: a cold run and a warm one: one go build each, no go list" \
	    "$(grep -c '^build ' "$T/go-1.log")$(grep -c '^build ' "$T/go-2.log")$(cat "$T/go-1.log" "$T/go-2.log" | grep -c '^list ')" "110"
	# a warm build cache, escdb's cache empty: the silent packages'
	# output was replayed, so they are asked again, once
	for i in 4 5; do
		: >"$T/go-$i.log"
		GO_LOG=$T/go-$i.log ESCDB_CACHE=$T/fresh-$V PATH=$T/bin:$PATH "$ESCDB" --db "$T/fresh-$V.db" run -C "$m" >/dev/null 2>&1
	done
	check_eq "replay $V: the silent packages, and only they, are asked again under another action id" \
	    "$(grep '^build .*-gcflags=./\.\.\.=' "$T/go-4.log")" \
	    "build -buildvcs=false -gcflags=./...=-m=2 -l -gcflags=escdb.test/replay/consts=-m=2 -l -m=2 -gcflags=escdb.test/replay/empty=-m=2 -l -m=2 -gcflags=escdb.test/replay/noptr=-m=2 -l -m=2 -gcflags=escdb.test/replay/user=-m=2 -l -m=2 -o /dev/null escdb.test/replay/consts escdb.test/replay/empty escdb.test/replay/noptr escdb.test/replay/user"
	check_eq "replay $V: ... once: the next run finds them in the silent list" \
	    "$(grep -c '^build ' "$T/go-5.log")" 1
	check_eq "replay $V: those runs store what the first one did" \
	    "$(proj "$T/fresh-$V.db" id:1)|$(proj "$T/fresh-$V.db" id:2)" "$(proj "$DB" id:1)|$(proj "$DB" id:1)"
	check_eq "replay $V: the run's input names every go build run" \
	    "$(sq "$DB" "SELECT input FROM run WHERE id = 2" | grep -o 'go build' | wc -l)" \
	    "$(grep -c '^build ' "$T/go-2.log")"
	evict "$GOCACHE"
	: >"$T/go-3.log"
	GO_LOG=$T/go-3.log PATH=$T/bin:$PATH "$ESCDB" --db "$DB" run -C "$m" >/dev/null 2>"$T/err-3"
	check_eq "replay $V: a run after the eviction exits 0" "$?" 0
	check_eq "replay $V: a package whose output was evicted is recovered whole" "$(proj "$DB" id:3)" "$(proj "$DB" id:1)"
	check_eq "replay $V: recovered without -a" "$(grep -c -- '^build .*-a ' "$T/go-3.log")" 0
	check_eq "replay $V: only the package whose output was evicted is asked again" \
	    "$(grep -o -- '-gcflags=[^ ]*=-m=2 -l -m=2' "$T/go-3.log" | tr '\n' ' ')" \
	    "-gcflags=escdb.test/replay/esc=-m=2 -l -m=2 "
	check_eq "replay $V: no warnings" "$(cat "$T/err-1" "$T/err-2" "$T/err-3")" ""
done

# A nested module of the main module's path, replaced by another
# directory: the build takes its package from there, not from the
# directory under the main module (which has a go.mod of its own).
export GOTOOLCHAIN=local
n=$T/nest
mkdir -p "$n/nested/p" "$n/other/p"
printf 'module escdb.test/nest\n\ngo 1.21\n\nrequire escdb.test/nest/nested v0.0.0\n\nreplace escdb.test/nest/nested => ./other\n' >"$n/go.mod"
printf 'module escdb.test/nest/nested\n\ngo 1.21\n' >"$n/nested/go.mod"
cp "$n/nested/go.mod" "$n/other/go.mod"
printf 'package p\n\nvar Sink *int\n\nfunc Keep(x *int) { Sink = x }\n' >"$n/other/p/p.go"
printf 'package p\n\nfunc Local() {}\n' >"$n/nested/p/p.go"
"$ESCDB" --db "$T/nest.db" run -C "$n" escdb.test/nest/nested/p >/dev/null 2>"$T/nest.err"
check_eq "replay: a nested module's package: its directory is go list's, not the main module's" \
    "$(sq "$T/nest.db" "SELECT dir FROM package")" \
    "$(cd "$n" && "$REALGO" list -f '{{.Dir}}' escdb.test/nest/nested/p)"
check_eq "replay: ... and its file is named from there" \
    "$(sq "$T/nest.db" "SELECT DISTINCT file FROM findings")" "p.go"

# .go files named: their one package, command-line-arguments, printed
# nothing from a replay: asked again by those names once, then known.
f=$T/files
mkdir -p "$f/c"
printf 'module escdb.test/files\n\ngo 1.21\n' >"$f/go.mod"
printf 'package c\n\nconst A = 1\n' >"$f/c/c.go"
(cd "$f" && "$REALGO" build -gcflags='-m=2 -l' ./c/c.go >/dev/null 2>&1)
for i in 1 2; do
	: >"$T/files-$i.log"
	(cd "$f" && GO_LOG=$T/files-$i.log ESCDB_CACHE=$T/files-cache PATH=$T/bin:$PATH \
	    "$ESCDB" --db "$T/files-$i.db" run ./c/c.go >/dev/null 2>"$T/files-$i.err")
done
check_eq "replay: .go files whose package printed nothing: asked again by their names, once" \
    "$(grep -c '^build .*-gcflags=-m=2 -l -m=2 .*c/c.go' "$T/files-1.log")|$(grep -c '^build' "$T/files-2.log")" "1|1"
check_eq "replay: ... stored with zero findings both times, quietly" \
    "$(sq "$T/files-1.db" "SELECT s.s || '=' || p.nfindings FROM package p JOIN str s ON s.id = p.name")|$(sq "$T/files-2.db" "SELECT s.s || '=' || p.nfindings FROM package p JOIN str s ON s.id = p.name")|$(cat "$T/files-1.err" "$T/files-2.err")" \
    "command-line-arguments=0|command-line-arguments=0|"
exit 0
