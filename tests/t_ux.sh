#!/bin/sh
# t_ux: defaults people expect.  grep and explain print paths that are
# unambiguous in the module and explain takes any unique suffix of one;
# counts of one are singular; selector candidates are listed oldest
# first.  The module is built here by the real go command.
. tests/lib.sh
unset ESCDB_DB
M=$T/m
mkdir -p "$M/a" "$M/b" "$M/one"
printf 'module example.com/m\n\ngo 1.21\n' >"$M/go.mod"
printf 'package a\n\nfunc F() *int { x := 1; return &x }\n' >"$M/a/metric.go"
printf 'package b\n\nfunc G() *int { y := 2; return &y }\n' >"$M/b/metric.go"
printf 'package one\n\nfunc H() *int { z := 3; return &z }\n' >"$M/one/one.go"
(cd "$M" && go build -gcflags='-m=2 -l' ./... 2>"$T/m.log")
check "the module builds" grep -q 'moved to heap' "$T/m.log"
DB=$T/u.db
E() { "$ESCDB" --db "$DB" "$@"; }
check "ingest" E ingest -C "$M" --label first --date 2026-01-05 "$T/m.log"

# ---- paths ----
E grep 'moved to heap' >"$T/g"
check "grep prints the package directory with the file" grep -qx 'a/metric.go:3:17: moved to heap: x' "$T/g"
check "... for each package" grep -qx 'b/metric.go:3:17: moved to heap: y' "$T/g"
E grep -l . >"$T/l"
check_eq "grep -l prints the same paths" "$(sort "$T/l" | tr '\n' ' ')" "a/metric.go b/metric.go one/one.go "
check_exit "explain with an ambiguous file name exits 2" 2 E explain metric.go:3
check "... listing the files it names" grep -q "'metric.go' names 2 files of the run: .*a/metric.go" "$T/.err"
E explain b/metric.go:3 >"$T/e"
check_eq "explain takes the path grep printed" "$?" 0
check "... and prints it" grep -q '^b/metric.go:3:17: moved to heap: y' "$T/e"
check "... for that file only" sh -c '! grep -q "a/metric.go" "$1"' - "$T/e"
check "explain takes a unique file name" E explain one.go:3:17
check "explain takes the import path and the file" E explain example.com/m/b/metric.go:3
check_exit "explain of a suffix that is not at a '/' exits 1" 1 E explain etric.go:3

# ---- plurals ----
printf '# example.com/m/one\none/one.go:3:17: moved to heap: z\n' >"$T/one.log"
"$ESCDB" --db "$T/1.db" ingest -C "$M" --date 2026-01-05 "$T/one.log" >"$T/o" 2>&1
check "ingest of one finding in one package says so" grep -q '1 finding (heap 0, moved 1, leak 0) in 1 package$' "$T/o"
"$ESCDB" --db "$T/1.db" trend --format html -o "$T/t.html" 2>/dev/null
check "trend html: 1 ISO week" grep -q '1 ISO week,' "$T/t.html"
check "... not 1 ISO weeks" sh -c '! grep -q "1 ISO weeks" "$1"' - "$T/t.html"
"$ESCDB" --db "$T/2.db" merge "$T/1.db" >"$T/o" 2>&1
check "merge: 1 run copied" grep -q ': 1 run copied, 0 already present' "$T/o"
"$ESCDB" --db "$T/1.db" prune --keep-weeks 1 --dry-run >"$T/o" 2>&1
check "prune: 0 of 1 run" grep -q 'prune: 0 of 1 run would be deleted' "$T/o"

# ---- candidate lists: oldest first, the newest ten ----
i=2
while [ $i -le 12 ]; do
	E ingest -C "$M" --label "r$i" --date "2026-01-$((i + 5))" "$T/m.log" >/dev/null 2>&1
	i=$((i + 1))
done
check_exit "an unknown selector exits 2" 2 E summary nosuchrun
check "... listing the stored runs, oldest first" grep -q 'stored runs, oldest first:' "$T/.err"
ids=$(grep -o 'id:[0-9]*' "$T/.err" | tr '\n' ' ')
check_eq "... the newest ten, in ascending order" "$ids" "id:3 id:4 id:5 id:6 id:7 id:8 id:9 id:10 id:11 id:12 "
check "... saying how many older ones are not listed" grep -q '(and 2 older runs; escdb runs lists them all)' "$T/.err"
check_exit "latest~50 exits 2" 2 E summary latest~50
check_eq "... listing the same order" "$(grep -o 'id:[0-9]*' "$T/.err" | tr '\n' ' ')" "$ids"
