#!/bin/sh
# Position-less verdicts: Go 1.26 and 1.27 print range-over-func
# diagnostics without a position ("<unknown line number>: #next escapes to
# heap in F:" and its flow lines, "F capturing by ref: #next (...)",
# "moved to heap: #next").  testdata/nopos/ holds the whole package
# sections of real `go build -a -gcflags='-m=2 -l' std` (and -m -l) logs
# that contain them (testdata/nopos/cut.sh).  Each is ingested with no
# warning; every verdict line is one finding; the position-less ones are
# stored with file "" and line 0, the func from their message or block
# heading (checked against an awk reading of the log), the m=2 "moved"
# ones with their block; text output shows <unknown line number>.
. tests/lib.sh
unset ESCDB_DB
D=$ROOT/testdata/nopos
VERDICT='^[^ ]+:[0-9]+(:[0-9]+)?: (moved to heap: |leaking param|.* escapes to heap$|.* does not escape|.* capturing by |.* ignoring self-assignment|assuming .* is unsafe uintptr|marking .* as escaping|(mutates|calls) param: |zero-copy |rewriting OCONVIFACE|alias analysis)'
NOPOS='^(moved to heap: |[^ <]+ capturing by )'

for x in "$D"/*.log.xz; do
	L=$(basename "$x" .log.xz)
	V=$(echo "$L" | sed 's/^std-\(go[0-9.]*[0-9]\)-.*/\1/')
	xz -dc "$x" >"$T/$L.log"
	DB=$T/$L.db
	"$ESCDB" --db "$DB" ingest --go-version "$V" --commit "$L" --date 2026-01-01 \
	    "$T/$L.log" >/dev/null 2>"$T/$L.err"
	check_eq "$L: no warning" "$(cat "$T/$L.err")" ""
	check_eq "$L: nwarnings 0" "$(sq "$DB" 'SELECT nwarnings FROM run')" 0
	want_pos=$(grep -cE "$VERDICT" "$T/$L.log")
	want_nopos=$(grep -cE "$NOPOS" "$T/$L.log")
	check "$L: the log has position-less verdict lines" test "$want_nopos" -gt 0
	check_eq "$L: one finding per verdict line" \
	    "$(sq "$DB" 'SELECT count(*) FROM finding')" $((want_pos + want_nopos))
	got_nopos=$(sq "$DB" "SELECT count(*) FROM findings WHERE file = '' AND line = 0 AND col = 0")
	check_eq "$L: position-less verdicts stored with file \"\" and line 0" "$got_nopos" "$want_nopos"
	# kind|func|subject of each position-less verdict, in log order: the
	# func of "moved to heap" is that of the heading just before it (m=2)
	awk '
	/^<unknown line number>: [^ ]+ escapes to heap in .*:$/ {
		h = $0; sub(/^<unknown line number>: [^ ]+ escapes to heap in /, "", h); sub(/:$/, "", h); fn = h }
	/^# / { fn = "" }
	/^moved to heap: / { s = $0; sub(/^moved to heap: /, "", s); print "moved|" fn "|" s; fn = "" }
	/^[^ <]+ capturing by / { f = $1; s = $0; sub(/^[^ ]+ capturing by [a-z]+: /, "", s); sub(/ \(.*\)$/, "", s)
		print "capture|" f "|" s }' "$T/$L.log" >"$T/$L.want"
	sq "$DB" "SELECT kind, func, subject FROM findings WHERE file = '' AND line = 0 ORDER BY id" >"$T/$L.got"
	check "$L: position-less verdicts stored exactly (kind, func, subject)" diff -u "$T/$L.want" "$T/$L.got"
	case $L in *-m2)
		check_eq "$L: every position-less moved verdict has its block" \
		    "$(sq "$DB" "SELECT count(*) FROM findings WHERE file = '' AND kind = 'moved' AND flows IS NULL")" 0 ;;
	esac
	"$ESCDB" --db "$DB" grep -F '#next' >"$T/$L.grep"
	check_eq "$L: text output shows <unknown line number>" \
	    "$(grep -c '^<unknown line number>: ' "$T/$L.grep")" "$want_nopos"
	# the same log without those lines as a base: the diff's new ones
	# have no position, so GitHub annotations name no file or line and
	# SARIF results no physical location
	grep -v '^<unknown line number>: \|^moved to heap: \|^[^ <]* capturing by ' "$T/$L.log" >"$T/$L.base"
	"$ESCDB" --db "$DB" ingest --go-version "$V" --commit base --date 2026-01-01 \
	    "$T/$L.base" >/dev/null 2>&1
	"$ESCDB" --db "$DB" diff --kinds all --format github base "$L" >"$T/$L.gh" 2>/dev/null
	check_eq "$L: github: position-less annotations have no file and line" \
	    "$(grep -c '^::error title=escdb [a-z-]* in [^ ]* (no position)::' "$T/$L.gh") $(grep -c 'file=,\|line=0' "$T/$L.gh")" "$want_nopos 0"
	"$ESCDB" --db "$DB" diff --kinds all --format sarif base "$L" >"$T/$L.sarif" 2>/dev/null
	check_eq "$L: sarif: position-less results have no physical location" \
	    "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]["results"]; print(sum(1 for x in r if all("physicalLocation" not in l for l in x["locations"])), sum(1 for x in r for l in x["locations"] if l.get("physicalLocation",{}).get("artifactLocation",{}).get("uri")==""))' "$T/$L.sarif")" "$want_nopos 0"
done
exit 0
