#!/bin/sh
# The standard-library corpus (go1.19.8 -m=2, 182 MB): stored per-kind
# counts equal the log's verdict lines, and `export --format jsonl` of the
# run is byte for byte the export recorded before the ingest was made fast
# (tests/data/corpus-export.sha256, computed with the parser, ingest and
# store of main at 7a7e1b9).  CORPUS= names another copy of the .xz file.
. tests/lib.sh

xzf=${CORPUS:-$ROOT/../shared/corpus/std-go1.19.8-m2.log.xz}
if [ ! -f "$xzf" ]; then
	notok "corpus: $xzf not found (set CORPUS=)"
	exit 0
fi
log=$T/std.log
xz -dc "$xzf" >"$log"
db=$T/c.db
check "corpus: ingest" "$ESCDB" --db "$db" ingest --commit aaaa1111 --date 2026-01-05 "$log"
got() { sq "$db" "SELECT count(*) FROM finding f JOIN kind k ON k.id = f.kind WHERE run = 1 AND k.name IN ($1)"; }
check_eq "corpus: heap findings = 'escapes to heap' verdict lines" \
	"$(got "'heap'")" "$(grep -c 'escapes to heap$' "$log")"
check_eq "corpus: moved findings = 'moved to heap' lines" \
	"$(got "'moved'")" "$(grep -c ': moved to heap: ' "$log")"
check_eq "corpus: leak + leak-result findings = 'leaking param' lines" \
	"$(got "'leak','leak-result'")" "$(grep -c ': leaking param: ' "$log")"
check_eq "corpus: leak-content findings = 'leaking param content' lines" \
	"$(got "'leak-content'")" "$(grep -c ': leaking param content: ' "$log")"
check_eq "corpus: noescape findings = 'does not escape' lines" \
	"$(got "'noescape'")" "$(grep -c ': .* does not escape$' "$log")"
check_eq "corpus: no line warned about" "$(sq "$db" 'SELECT nwarnings FROM run WHERE id = 1')" 0
"$ESCDB" --db "$db" export --format jsonl >"$T/export.jsonl"
check_eq "corpus: export identical to the recorded one (sha256)" \
	"$(sha256sum <"$T/export.jsonl" | cut -d' ' -f1)" "$(cat "$ROOT/tests/data/corpus-export.sha256")"
exit 0
