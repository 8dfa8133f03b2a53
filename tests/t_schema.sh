#!/bin/sh
# schema: a database written by an older escdb (schema version 1) is
# upgraded in place, by a writing command or by the first reading one,
# and keeps its runs; a read-only old database says what to do.
. tests/lib.sh
LOG=testdata/logs/seeds-go1.26.8-m2.log
DB=$T/v1.db

check "ingest a real log" "$ESCDB" --db "$DB" ingest --commit c0ffee01 "$LOG"
check_eq "new databases have schema version 2" "$(sq "$DB" 'PRAGMA user_version')" 2
n=$(sq "$DB" "SELECT nfindings FROM run WHERE id = 1")
# turn it into what version 1 wrote: the run table without the v2 columns
for c in repo_prefix in_repo mode flags shard partial note; do
	sq "$DB" "ALTER TABLE run DROP COLUMN $c" || notok "drop column $c"
done
sq "$DB" "PRAGMA user_version = 1"
cp "$DB" "$T/v1-copy.db"

check "a reading command on a v1 database works" "$ESCDB" --db "$DB" runs
check_eq "the reading command upgraded it to v2" "$(sq "$DB" 'PRAGMA user_version')" 2
check_eq "the run survived the upgrade" "$(sq "$DB" 'SELECT nfindings FROM run WHERE id = 1')" "$n"
check_eq "new columns have their defaults" "$(sq "$DB" "SELECT partial || '|' || shard || '|' || mode FROM run")" "0||"

cp "$T/v1-copy.db" "$T/v1b.db"
check "a writing command on a v1 database works" "$ESCDB" --db "$T/v1b.db" ingest --commit c0ffee02 "$LOG"
check_eq "both runs are there" "$(sq "$T/v1b.db" 'SELECT count(*) FROM run')" 2
check_eq "schema version 2" "$(sq "$T/v1b.db" 'PRAGMA user_version')" 2

# an old database nobody may write: a message that says what to do, exit 2
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	chmod 755 "$T" && mkdir "$T/ro" && cp "$T/v1-copy.db" "$T/ro/old.db" && chmod 755 "$T/ro" && chmod 644 "$T/ro/old.db" &&
	    sq "$T/ro/old.db" "PRAGMA journal_mode=DELETE" >/dev/null
	setpriv --reuid=65534 --regid=65534 --clear-groups "$ESCDB" --db "$T/ro/old.db" runs >"$T/.out" 2>"$T/.err"
	check_eq "read-only v1 database exits 2" "$?" 2
	grep -q "old.db: .*schema version 1.*upgrade" "$T/.err" && ok "read-only v1: the message says to upgrade" ||
	    { notok "read-only v1: the message says to upgrade"; cat "$T/.err"; }
	check_eq "read-only v1 database left as it was" "$(sq "$T/ro/old.db" 'PRAGMA user_version')" 1
else
	ok "# skip read-only v1 (needs root and setpriv)"
fi

