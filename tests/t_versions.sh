#!/bin/sh
# t_versions: the version matrix.  Every captured log of testdata/logs
# (seeds -m=2 and -m, demo -m=2, seeds -json=0 logopt, realworld -m=2
# xz-compressed, for go1.21.13 ... go1.27.3) is ingested with --go-version and -C its module, exported,
# and a normalised projection (tests/proj.py: package, file, line, col,
# func, kind, subject, detail, cause, number of flows and steps; no run,
# commit, key) is compared with tests/golden/versions/NAME.jsonl.  Each
# log's verdict lines are also counted with grep and must equal the
# stored findings.  Then the older and newer wordings of tests/data/
# wording-*.log are parsed (goldens tests/golden/versions/wording-*).
# UPDATE_GOLDEN=1 rewrites the goldens.
. tests/lib.sh
unset ESCDB_DB
G=$ROOT/tests/golden/versions
LOGS=$ROOT/testdata/logs

proj() {        # proj DB OUT
	"$ESCDB" --db "$1" export | python3 "$ROOT/tests/proj.py" >"$2"
}

VERDICT='^[^ ]+:[0-9]+(:[0-9]+)?: (moved to heap: |leaking param|.* escapes to heap$|.* does not escape|.* capturing by |.* ignoring self-assignment|assuming .* is unsafe uintptr|marking .* as escaping|(mutates|calls) param: |zero-copy |rewriting OCONVIFACE|alias analysis)'

for V in go1.21.13 go1.22.12 go1.23.12 go1.24.13 go1.25.14 go1.26.8 go1.27.3; do
	for L in seeds-$V-m2 seeds-$V-m1 demo-$V-m2; do
		case $L in demo*) DIR=$ROOT/testdata/demo ;; *) DIR=$ROOT/testdata/seeds ;; esac
		DB=$T/$L.db
		"$ESCDB" --db "$DB" ingest --go-version "$V" --commit "$L" --date 2026-01-01 \
		    -C "$DIR" "$LOGS/$L.log" >/dev/null 2>"$T/$L.err"
		proj "$DB" "$T/$L.jsonl"
		golden "$L export" "$T/$L.jsonl" "$G/$L.jsonl"
		want=$(grep -cE "$VERDICT" "$LOGS/$L.log")
		got=$(sq "$DB" "SELECT count(*) FROM finding")
		check_eq "$L: one finding per verdict line" "$got" "$want"
	done
	# Real-world module (gorilla/mux, gorilla/handlers -> felixge/httpsnoop):
	# the dependencies' sources are only where a module cache has them, so
	# func is blanked for findings outside the main module (their files are
	# stored package-relative, or as $GOMODCACHE/... if outside it).
	L=realworld-$V-m2
	if [ -f "$LOGS/$L.log.xz" ]; then xz -dc "$LOGS/$L.log.xz" >"$T/$L.log"; else cp "$LOGS/$L.log" "$T/$L.log"; fi
	DB=$T/$L.db
	"$ESCDB" --db "$DB" ingest --go-version "$V" --commit "$L" --date 2026-01-01 \
	    -C "$ROOT/testdata/realworld" "$T/$L.log" >/dev/null 2>"$T/$L.err"
	"$ESCDB" --db "$DB" export | python3 "$ROOT/tests/proj.py" | python3 -c '
import json, sys
out = []
for l in sys.stdin:
    o = json.loads(l)
    if o[1].startswith("$GOMODCACHE/") or not (o[0] + "/").startswith("escdb.test/realworld/"):
        o[4] = ""
    out.append(json.dumps(o, ensure_ascii=False))
print("\n".join(sorted(out)))' >"$T/$L.jsonl"
	golden "$L export" "$T/$L.jsonl" "$G/$L.jsonl"
	want=$(grep -cE "$VERDICT" "$T/$L.log")
	got=$(sq "$DB" "SELECT count(*) FROM finding")
	check_eq "$L: one finding per verdict line" "$got" "$want"
	check_eq "$L: no warnings" "$(cat "$T/$L.err")" ""
	check_eq "$L: packages" "$(sq "$DB" "SELECT s FROM package JOIN str ON str.id = package.name ORDER BY s" | tr '\n' ' ')" \
	    "escdb.test/realworld github.com/felixge/httpsnoop github.com/gorilla/handlers github.com/gorilla/mux "
	check_eq "$L: no absolute file names" "$(sq "$DB" "SELECT count(*) FROM findings WHERE file LIKE '/%'")" 0
	rm -f "$T/$L.log"

	L=seeds-$V-logopt
	mkdir "$T/$L"
	cp -R "$LOGS/$L/." "$T/$L/"
	if [ "$ROOT" != /work/main ]; then
		for f in "$T/$L"/*/*.json; do
			sed "s#/work/main/#$ROOT/#g" "$f" >"$f.tmp" && mv "$f.tmp" "$f"
		done
	fi
	DB=$T/$L.db
	"$ESCDB" --db "$DB" ingest --go-version "$V" --commit "$L" --date 2026-01-01 \
	    -C "$ROOT/testdata/seeds" "$T/$L" >/dev/null 2>"$T/$L.err"
	proj "$DB" "$T/$L.jsonl"
	golden "$L export" "$T/$L.jsonl" "$G/$L.jsonl"
	check_eq "$L: no warnings" "$(cat "$T/$L.err")" ""
	check_eq "$L: form" "$(sq "$DB" "SELECT form FROM run")" logopt
done

# Wordings of other Go versions, hand-made from the compiler sources.
for W in "$ROOT"/tests/data/wording-*.log; do
	[ -f "$W" ] || continue
	N=$(basename "$W" .log)
	DB=$T/$N.db
	"$ESCDB" --db "$DB" ingest --go-version test --commit "$N" --date 2026-01-01 \
	    --package example.com/w -C "$ROOT/tests/data" "$W" >/dev/null 2>"$T/$N.err"
	"$ESCDB" --db "$DB" export | python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    print(json.dumps([d["line"], d["col"], d["func"], d["kind"], d["subject"], d["detail"],
                      d["cause"], [[f["dst"], f["src"], len(f["steps"])] for f in d["flows"]]],
                     ensure_ascii=False))' >"$T/$N.jsonl"
	golden "$N parsed" "$T/$N.jsonl" "$G/$N.jsonl"
	check_eq "$N: no warnings" "$(cat "$T/$N.err")" ""
done
exit 0
