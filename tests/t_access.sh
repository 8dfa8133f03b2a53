#!/bin/sh
# t_access: what escdb does with a file that is not its database, a
# database it may not write, and a directory it may not write in: the exit
# statuses and messages of the man page, no go command run before the
# database is checked, and every reading command working read-only
# without leaving -wal/-shm files behind.  The unprivileged cases run as
# nobody (setpriv) when the tests run as root.
. tests/lib.sh
unset ESCDB_DB
LOG=$ROOT/testdata/logs/seeds-go1.26.8-m2.log
LOG1=$ROOT/testdata/logs/seeds-go1.26.8-m1.log
chmod 755 "$T"
W=$T/w
mkdir "$W" && chmod 777 "$W"

# as NOBODY CMD...: runs CMD as an unprivileged user (as ourselves when
# we are not root: then permissions apply to us already)
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null; then
		as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	else
		as_nobody() { runuser -u nobody -- "$@"; }
	fi
else
	as_nobody() { "$@"; }
fi

# A fake go command that records each call, on PATH first.
mkdir "$T/bin"
cat >"$T/bin/go" <<EOF
#!/bin/sh
echo "\$*" >>"$W/go-calls"
exit 1
EOF
chmod 755 "$T/bin/go"
went() { [ -s "$W/go-calls" ]; }
mkdir "$T/mod"
printf 'module example.com/m\n\ngo 1.21\n' >"$T/mod/go.mod"
printf 'package m\n\nfunc F() *int { x := 1; return &x }\n' >"$T/mod/m.go"
chmod -R a+rX "$T/mod"

# ---- a file that is not a database ----
head -c 8192 /dev/urandom >"$W/rand.bin"
cp "$T/mod/go.mod" "$W/go.mod"
check_exit "runs on a random file exits 2" 2 "$ESCDB" --db "$W/rand.bin" runs
check "... naming the file" grep -q "rand.bin: not an escdb database" "$T/.err"
check_exit "merge of a random file exits 2" 2 "$ESCDB" --db "$W/m.db" merge "$W/rand.bin"
check "... naming the file" grep -q "rand.bin: not an escdb database" "$T/.err"
check "... and creates nothing" test ! -e "$W/m.db"
rm -f "$W/go-calls"
check_exit "run with --db go.mod exits 2" 2 env PATH="$T/bin:$PATH" "$ESCDB" --db "$W/go.mod" run -C "$T/mod"
check "... naming the file" grep -q "go.mod: not an escdb database" "$T/.err"
check "... before any go command ran" sh -c '! test -s "$1"' - "$W/go-calls"
sq "$W/other.db" "CREATE TABLE t(x); INSERT INTO t VALUES (1);"
rm -f "$W/go-calls"
check_exit "run with --db of another program's database exits 2" 2 \
	env PATH="$T/bin:$PATH" "$ESCDB" --db "$W/other.db" run -C "$T/mod"
check "... saying so" grep -q "other.db: not an escdb database" "$T/.err"
check "... before any go command ran" sh -c '! test -s "$1"' - "$W/go-calls"
check_exit "ingest into another program's database exits 2" 2 "$ESCDB" --db "$W/other.db" ingest "$LOG"
check_eq "... which is left as it was" "$(sq "$W/other.db" 'SELECT count(*) FROM sqlite_master')" 1
check_exit "--db naming a directory exits 2" 2 "$ESCDB" --db "$W" runs
mkdir "$W/sub"
echo 'PRAGMA user_version = 99;' | sq "$W/sub/new.db"
check_exit "a newer schema exits 2" 2 "$ESCDB" --db "$W/sub/new.db" runs
check "... naming the file" grep -q "new.db" "$T/.err"

# the go command does run when the database is good (the checks above can fail)
rm -f "$W/go-calls"
env PATH="$T/bin:$PATH" "$ESCDB" --db "$W/good.db" run -C "$T/mod" >/dev/null 2>&1
check "run with a good --db runs go" went
check "... and a failed build leaves no new database" test ! -e "$W/good.db"

# ---- directories and files we may not write ----
R=$T/ro
mkdir "$R"
"$ESCDB" --db "$R/x.db" ingest --label one --date 2026-01-05 "$LOG1" >/dev/null 2>&1
"$ESCDB" --db "$R/x.db" ingest --label two --date 2026-01-12 "$LOG" >/dev/null 2>&1
chmod 755 "$R"
chmod 644 "$R/x.db"
check "the database has no -wal/-shm files to start with" sh -c '! ls "$1"/x.db-* 2>/dev/null | grep -q .' - "$R"
check_exit "as nobody: a new database in a read-only directory exits 2" 2 \
	as_nobody "$ESCDB" --db "$R/new.db" ingest "$LOG"
check "... naming the file" grep -q "cannot create database $R/new.db" "$T/.err"
check_exit "as nobody: ingest into a database it cannot write exits 2" 2 \
	as_nobody "$ESCDB" --db "$R/x.db" ingest "$LOG"
check "... naming the file" grep -q "cannot write database $R/x.db" "$T/.err"
rm -f "$W/go-calls"
check_exit "as nobody: run into a read-only directory exits 2" 2 \
	as_nobody env PATH="$T/bin:$PATH" "$ESCDB" --db "$R/new.db" run -C "$T/mod"
check "... before any go command ran" sh -c '! test -s "$1"' - "$W/go-calls"
rm -f "$W/go-calls"
check_exit "as nobody: run into a database it cannot write exits 2" 2 \
	as_nobody env PATH="$T/bin:$PATH" "$ESCDB" --db "$R/x.db" run -C "$T/mod"
check "... before any go command ran" sh -c '! test -s "$1"' - "$W/go-calls"

# every reading command, as nobody, in a read-only directory and in a
# writable one with a read-only file; the output is what the owner sees
cp "$R/x.db" "$W/y.db"
chmod 644 "$W/y.db"
reads() {   # the reading commands, one a line
	cat <<'EOF'
runs
summary
summary two --by kind
export --run one
trend
grep -c .
explain --run two chansend.go:1
diff
diff one two --format json
gate --base one --kinds all
baseline one
sql SELECT count(*) FROM finding
EOF
}
for db in "$R/x.db" "$W/y.db"; do
	reads | while IFS= read -r c; do
		# shellcheck disable=SC2086
		set -- $c
		if [ "$1" = sql ]; then set -- sql "$(echo "$c" | cut -d' ' -f2-)"; fi
		"$ESCDB" --db "$R/x.db" "$@" >"$T/want" 2>&1; want=$?
		as_nobody "$ESCDB" --db "$db" "$@" >"$T/got" 2>&1; got=$?
		if [ "$got" = "$want" ] && cmp -s "$T/want" "$T/got" && [ "$got" -le 1 ]; then
			ok "as nobody: $c on $(basename "$(dirname "$db")")/$(basename "$db")"
		else
			notok "as nobody: $c on $db (exit $got, want $want)"; diff "$T/want" "$T/got" | head -5 | sed 's/^/#   /'
		fi
	done
	check "as nobody: no -wal/-shm files left beside $(basename "$db")" \
		sh -c '! ls "$1"-* 2>/dev/null | grep -q .' - "$db"
done

# ---- baseline files people edit by hand ----
"$ESCDB" --db "$R/x.db" baseline two >"$W/bl.json" 2>/dev/null
check "a baseline is written" test -s "$W/bl.json"
# break the JSON on line 3: a missing comma between two members
awk 'NR == 3 { sub(/,$/, "") } { print }' "$W/bl.json" >"$W/bad.json"
col=$(awk 'NR == 4 { print index($0, "\"") }' "$W/bad.json")
check_exit "gate with a broken baseline exits 2" 2 "$ESCDB" --db "$R/x.db" gate --base one --baseline "$W/bad.json"
check "... naming FILE:LINE:COL of the error" grep -q "gate: $W/bad.json:4:$col: not valid JSON" "$T/.err"
printf '{"findings": [\n  {"key": "00ff"}\n' >"$W/short.json"
check_exit "gate with a baseline cut short exits 2" 2 "$ESCDB" --db "$R/x.db" gate --base one --baseline "$W/short.json"
check "... naming where it ends" grep -q "gate: $W/short.json:3:1: not valid JSON" "$T/.err"
check_exit "gate with a missing baseline exits 2" 2 "$ESCDB" --db "$R/x.db" gate --base one --baseline "$W/none.json"
check "... naming the file" grep -q "cannot read $W/none.json" "$T/.err"
