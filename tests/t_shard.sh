#!/bin/sh
# t_shard: run --shard K/N and merge.  A module (testdata/demo and eight
# small packages) split 3 ways, each shard in its own database as CI jobs
# do, merged, equals the unsharded run finding for finding (export and
# identity keys); every package is in exactly one shard and stays there
# when packages are added; shards stored in one database merge in place;
# a missing and a duplicated shard fail naming it, and merge nothing;
# diff refuses a shard run.
. tests/lib.sh
unset ESCDB_DB
command -v go >/dev/null 2>&1 || { ok "shard: skipped (no go) # SKIP"; exit 0; }

m=$T/mod
mkdir -p "$m"
cp -R "$ROOT/testdata/demo/." "$m/"
for i in 0 1 2 3 4 5 6 7; do
	mkdir -p "$m/p$i"
	printf 'package p%s\n\ntype T struct{ n int }\n\nvar Sink *T\n\nfunc New%s(n int) *T { return &T{n} }\n\nfunc Keep(t *T) { Sink = t }\n\nfunc Add(a, b int) int { return a + b }\n' "$i" "$i" >"$m/p$i/p.go"
done
R="--commit 0123456789abcdef0123456789abcdef01234567 --date 2026-01-01 --label pr"
proj() { "$ESCDB" --db "$1" export --run "$2" | python3 "$ROOT/tests/proj.py"; }
keys() { "$ESCDB" --db "$1" export --run "$2" | python3 -c 'import json,sys; print("\n".join(sorted(json.loads(l)["key"] for l in sys.stdin)))'; }
pkgs() { sq "$1" "SELECT s FROM package JOIN str ON str.id = package.name WHERE run = ${2:-1} ORDER BY s"; }

"$ESCDB" --db "$T/all.db" run -C "$m" $R >/dev/null 2>"$T/err"
check_eq "shard: the unsharded run exits 0" "$?" 0
for k in 1 2 3; do
	"$ESCDB" --db "$T/s$k.db" run -C "$m" $R --shard $k/3 >/dev/null 2>"$T/err$k"
	check_eq "shard: shard $k/3 exits 0" "$?" 0
	check_eq "shard: shard $k/3 is recorded" "$(sq "$T/s$k.db" "SELECT shard FROM run")" "$k/3"
	check "shard: shard $k/3 holds packages" test "$(pkgs "$T/s$k.db" | wc -l)" -gt 0
done
check_eq "shard: every package is in exactly one shard" \
    "$( (pkgs "$T/s1.db"; pkgs "$T/s2.db"; pkgs "$T/s3.db") | sort)" "$(pkgs "$T/all.db")"
check "shard: a shard names only its own packages on the go command line" \
    test "$(sq "$T/s1.db" "SELECT input FROM run" | grep -c './\.\.\.=-m=2 -l')" = 1

"$ESCDB" --db "$T/m.db" merge "$T/s1.db" "$T/s2.db" "$T/s3.db" >/dev/null 2>"$T/merr"
check_eq "shard: merging the three databases exits 0" "$?" 0
check_eq "shard: the three shards become one run" "$(sq "$T/m.db" "SELECT count(*) || ' ' || shard FROM run")" "1 */3"
check_eq "shard: the merged run equals the unsharded one, finding for finding" \
    "$(proj "$T/m.db" latest)" "$(proj "$T/all.db" latest)"
check_eq "shard: with the same identity keys" "$(keys "$T/m.db" latest)" "$(keys "$T/all.db" latest)"
check_eq "shard: and the same packages" "$(pkgs "$T/m.db")" "$(pkgs "$T/all.db")"
"$ESCDB" --db "$T/m.db" merge "$T/s1.db" "$T/s2.db" "$T/s3.db" >/dev/null 2>"$T/merr2"
check_eq "shard: merging again adds nothing" "$(sq "$T/m.db" "SELECT count(*) FROM run")" 1
check "shard: merging again says it is merged already" grep -q 'already merged as run 1' "$T/merr2"
"$ESCDB" --db "$T/m.db" gate --base pr --head pr >/dev/null 2>"$T/gerr"
check_eq "shard: gate sees one run" "$?" 0
check_eq "shard: runs tells a shard and a merge from a whole run" \
    "$("$ESCDB" --db "$T/s2.db" runs | sed -n '2s/.*  //p') / $("$ESCDB" --db "$T/m.db" runs | sed -n '2s/.*  //p') / $("$ESCDB" --db "$T/all.db" runs --format json | python3 -c 'import json,sys; r=json.load(sys.stdin)[0]; print(r["shard"] == "", r["mode"])')" \
    "shard 2/3 / 3 shards merged / True noinline"

"$ESCDB" --db "$T/miss.db" merge "$T/s1.db" "$T/s3.db" >/dev/null 2>"$T/e1"
check_eq "shard: a missing shard exits 2" "$?" 2
check "shard: a missing shard is named" grep -q 'shard 2/3 is missing (have 1/3, 3/3)' "$T/e1"
check_eq "shard: a missing shard merges nothing (no database left behind)" "$(ls "$T" | grep -c '^miss\.db')" 0
cp "$T/s2.db" "$T/s2b.db"
"$ESCDB" --db "$T/dup.db" merge "$T/s1.db" "$T/s2.db" "$T/s2b.db" "$T/s3.db" >/dev/null 2>"$T/e2"
check_eq "shard: a duplicated shard exits 2" "$?" 2
check "shard: a duplicated shard is named with both places" \
    grep -q "shard 2/3 is duplicated: $T/s2.db run 1 and $T/s2b.db run 1" "$T/e2"
check_eq "shard: a duplicated shard merges nothing (no database left behind)" "$(ls "$T" | grep -c '^dup\.db')" 0
cp "$T/s1.db" "$T/have.db"
before=$(sq "$T/have.db" "SELECT count(*) FROM run")
"$ESCDB" --db "$T/have.db" merge "$T/s1.db" "$T/s2.db" "$T/s2b.db" "$T/s3.db" >/dev/null 2>&1
check_eq "shard: a failed merge into a database leaves its runs" "$(sq "$T/have.db" "SELECT count(*) FROM run")" "$before"

# Shards written into one database (jobs sharing it) merge in place.
for k in 1 2 3; do
	"$ESCDB" --db "$T/one.db" run -C "$m" $R --shard $k/3 >/dev/null 2>&1
done
"$ESCDB" --db "$T/one.db" diff id:1 id:2 >/dev/null 2>"$T/e3"
check_eq "shard: diff refuses a shard run" "$?" 2
check "shard: and says to merge" grep -q 'run 1 is shard 1/3 of a sharded run' "$T/e3"
"$ESCDB" --db "$T/one.db" merge >/dev/null 2>"$T/e4"
check_eq "shard: merge without databases merges the shards in place" \
    "$(sq "$T/one.db" "SELECT count(*) || ' ' || shard FROM run")" "1 */3"
check_eq "shard: in place, the shard runs' rows are gone" \
    "$(sq "$T/one.db" "SELECT (SELECT count(*) FROM finding WHERE run <> 4) + (SELECT count(*) FROM package WHERE run <> 4) + (SELECT count(*) FROM line_class WHERE run <> 4)")" 0
check_eq "shard: in place, equal to the unsharded run" "$(proj "$T/one.db" latest)" "$(proj "$T/all.db" latest)"

# A package added does not move the others.
mkdir -p "$m/zz"
printf 'package zz\n\nfunc F(p *int) *int { return p }\n' >"$m/zz/zz.go"
for k in 1 2 3; do
	"$ESCDB" --db "$T/t$k.db" run -C "$m" $R --shard $k/3 >/dev/null 2>&1
	check_eq "shard: shard $k/3 keeps its packages when one is added" \
	    "$(pkgs "$T/t$k.db" | grep -v '/zz$')" "$(pkgs "$T/s$k.db")"
done

for bad in 0/3 4/3 3 a/b 1/0; do
	"$ESCDB" --db "$T/bad.db" run -C "$m" --shard "$bad" >/dev/null 2>"$T/e5"
	check_eq "shard: --shard $bad exits 2" "$?" 2
done
exit 0
