#!/bin/sh
# t_run.sh: escdb run against the real go command.
# Run from the repository root: ESCDB=./escdb sh tests/t_run.sh
# Prints "ok - ..." or "not ok - ..." per check and exits 0.

: "${ESCDB:=./escdb}"
case $ESCDB in
/*) ;;
*) ESCDB=$(pwd)/$ESCDB ;;
esac
root=$(pwd)

if ! command -v go >/dev/null 2>&1 || ! command -v git >/dev/null 2>&1 ||
    ! command -v sqlite3 >/dev/null 2>&1; then
	echo "ok - run: skipped (go, git or sqlite3 not installed) # SKIP"
	exit 0
fi
REALGO=$(command -v go)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/t_run.XXXXXX") || exit 0
export ESCDB_CACHE=$tmp/escdb-cache
# Directories outside the test's own repositories are not git's business.
GIT_CEILING_DIRECTORIES=$tmp
export GIT_CEILING_DIRECTORIES
# Sanitizer reports go to files (escdb's stderr is captured per check);
# they are shown at the end.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$tmp/san"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$tmp/san"
export ASAN_OPTIONS UBSAN_OPTIONS
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

check() {
	desc=$1
	shift
	if "$@"; then
		echo "ok - $desc"
	else
		echo "not ok - $desc"
	fi
}
eq() { [ "$1" = "$2" ] || { echo "# expected '$2', got '$1'" >&2; return 1; }; }
has() { grep -q -e "$2" "$1" || { echo "# '$1' lacks '$2':" >&2; sed 's/^/#   /' "$1" >&2; return 1; }; }
q() { sqlite3 -batch "$1" "$2"; }

# A copy of testdata/demo as a git repository with one commit at a
# fixed date.  $1: directory; $2: extra package "name" or "".
GIT_DATE='2024-03-01T12:00:00Z'
GIT_EPOCH=1709294400
mkmod() {
	mkdir -p "$1"
	cp -R "$root/testdata/demo/." "$1/"
	(
		cd "$1" || exit 1
		git init -q . &&
		git -c user.name=t -c user.email=t@example.com add -A &&
		GIT_AUTHOR_DATE=$GIT_DATE GIT_COMMITTER_DATE=$GIT_DATE \
		    git -c user.name=t -c user.email=t@example.com -c commit.gpgsign=false \
		    commit -q -m demo
	) >/dev/null 2>&1
}

# Counts of verdict lines in a go build log: heap moved leak noescape.
logcounts() {
	printf '%s %s %s %s\n' \
	    "$(grep -c 'escapes to heap$' "$1")" \
	    "$(grep -c 'moved to heap:' "$1")" \
	    "$(grep -c 'leaking param' "$1")" \
	    "$(grep -c 'does not escape$' "$1")"
}
# The same from a run in the database.
dbcounts() {
	q "$1" "SELECT
	    (SELECT count(*) FROM findings WHERE run = $2 AND kind = 'heap'),
	    (SELECT count(*) FROM findings WHERE run = $2 AND kind = 'moved'),
	    (SELECT count(*) FROM findings WHERE run = $2 AND kind IN ('leak', 'leak-result', 'leak-content')),
	    (SELECT count(*) FROM findings WHERE run = $2 AND kind = 'noescape')" | tr '|' ' '
}

# ---- a plain run: metadata, counts, summary line ----
m=$tmp/demo
db=$tmp/demo.db
mkmod "$m"
head=$(git -C "$m" rev-parse HEAD)
(cd "$m" && go build -a -gcflags='-m=2 -l' -o /dev/null ./... >"$tmp/direct.log" 2>&1)
want=$(logcounts "$tmp/direct.log")

"$ESCDB" --db "$db" run -C "$m" >"$tmp/out1" 2>"$tmp/err1"
rc=$?
check "run: exits 0" eq "$rc" 0
check "run: prints nothing on stderr when it is not a terminal" test ! -s "$tmp/err1"
check "run: one summary line" eq "$(wc -l <"$tmp/out1" | tr -d ' ')" 1
short=$(printf %.12s "$head")
check "run: summary names the run and the short commit" \
    has "$tmp/out1" "^run 1: $short  [0-9]* findings (heap [0-9]*, moved [0-9]*, leak [0-9]*) in 4 packages\$"
check "run: one run stored" eq "$(q "$db" 'SELECT count(*) FROM run')" 1
check "run: commit is HEAD" eq "$(q "$db" 'SELECT commit_id FROM run WHERE id = 1')" "$head"
check "run: date is the commit date" eq "$(q "$db" 'SELECT date FROM run WHERE id = 1')" "$GIT_EPOCH"
check "run: go version" eq "$(q "$db" 'SELECT go_version FROM run WHERE id = 1')" "$(go env GOVERSION)"
check "run: goos/goarch" eq "$(q "$db" "SELECT goos || '/' || goarch FROM run WHERE id = 1")" \
    "$(go env GOOS)/$(go env GOARCH)"
check "run: source and form" eq "$(q "$db" "SELECT source || ' ' || form FROM run WHERE id = 1")" "run m2"
check "run: dir is absolute" eq "$(q "$db" 'SELECT dir FROM run WHERE id = 1')" "$(cd "$m" && pwd -P)"
check "run: input is the go command" \
    eq "$(q "$db" 'SELECT input FROM run WHERE id = 1')" "go build -buildvcs=false '-gcflags=-m=2 -l' -o /dev/null ./..."
check "run: counts per kind equal the verdict lines of go build" eq "$(dbcounts "$db" 1)" "$want"
total=$(q "$db" 'SELECT count(*) FROM finding WHERE run = 1')
check "run: summary line total equals the stored findings" has "$tmp/out1" "  $total findings"
check "run: every listed package is recorded" \
    eq "$(q "$db" "SELECT group_concat(name, ' ') FROM (SELECT s.s AS name FROM package p JOIN str s ON s.id = p.name WHERE p.run = 1 ORDER BY 1)")" \
    "escdb.test/demo/cache escdb.test/demo/cmd/demo escdb.test/demo/handler escdb.test/demo/lineparse"
check "run: files are package-relative" \
    eq "$(q "$db" "SELECT count(*) FROM findings WHERE run = 1 AND package = 'escdb.test/demo/cache' AND file <> 'cache.go'")" 0

# ---- a second run of the same commit: go replays its cache ----
"$ESCDB" --db "$db" run -C "$m" --label again >"$tmp/out2" 2>"$tmp/err2"
check "run: second run exits 0" eq "$?" 0
check "run: second run stores the same counts (cache replay)" eq "$(dbcounts "$db" 2)" "$want"
check "run: second run stores the same identity keys" \
    eq "$(q "$db" 'SELECT count(*) FROM (SELECT key FROM finding WHERE run = 1 EXCEPT SELECT key FROM finding WHERE run = 2)')" 0
check "run: --label is recorded" eq "$(q "$db" 'SELECT label FROM run WHERE id = 2')" again

# ---- --date, --commit ----
"$ESCDB" --db "$db" run -C "$m" --date 2024-05-06T07:08:09Z --commit HEAD ./cache >/dev/null 2>&1
check "run: --date is recorded" eq "$(q "$db" 'SELECT date FROM run WHERE id = 3')" 1714979289
check "run: --commit HEAD is resolved" eq "$(q "$db" 'SELECT commit_id FROM run WHERE id = 3')" "$head"
check "run: PKG limits the packages" \
    eq "$(q "$db" "SELECT count(DISTINCT package) FROM findings WHERE run = 3")" 1
"$ESCDB" --db "$db" run -C "$m" --commit 0123456789abcdef --date @100 ./cache >/dev/null 2>&1
check "run: an unknown --commit is kept as given" \
    eq "$(q "$db" "SELECT commit_id || ' ' || date FROM run WHERE id = 4")" "0123456789abcdef 100"
"$ESCDB" --db "$db" run -C "$m" --commit no-such-rev ./cache >/dev/null 2>"$tmp/e"
check "run: an unresolvable --commit name is kept as given" \
    eq "$(q "$db" "SELECT commit_id FROM run WHERE id = 5")" "no-such-rev"
check "run: an unresolvable --commit name is warned about" \
    has "$tmp/e" "^escdb: warning: run: cannot resolve commit 'no-such-rev' with git; stored as given\$"

# ---- a failing build stores nothing ----
b=$tmp/bad
mkmod "$b"
mkdir -p "$b/broken"
printf 'package broken\n\nfunc F() int { return "x" }\n' >"$b/broken/broken.go"
nruns=$(q "$db" 'SELECT count(*) FROM run')
"$ESCDB" --db "$db" run -C "$b" >"$tmp/outb" 2>"$tmp/errb"
check "run: a failed build exits 3" eq "$?" 3
check "run: a failed build shows the compiler's error" has "$tmp/errb" 'broken.go:3:.*"x"'
check "run: a failed build says no run is stored" has "$tmp/errb" '^escdb: go build failed (exit 1); no run stored$'
check "run: a failed build prints nothing on stdout" test ! -s "$tmp/outb"
check "run: a failed build adds no run" eq "$(q "$db" 'SELECT count(*) FROM run')" "$nruns"
"$ESCDB" --db "$tmp/never.db" run -C "$b" ./broken >/dev/null 2>&1
check "run: a failed build creates no database" test ! -e "$tmp/never.db"

# ---- silent packages are recompiled ----
# A go shim logs its arguments and, with GO_SHIM_DROP set, drops one
# package's output from plain builds, as an evicted cache entry would.
mkdir -p "$tmp/bin"
cat >"$tmp/bin/go" <<EOF
#!/bin/sh
echo "\$*" >>"$tmp/go.log"
case " \$* " in *" -gcflags=-m=2 -l "*) first=1 ;; *) first= ;; esac
if [ -n "\$GO_SHIM_DROP\$GO_SHIM_EXTRA" ] && [ "\$1" = build ] && [ -n "\$first" ]; then
	"$REALGO" "\$@" >"$tmp/shim.out" 2>&1
	rc=\$?
	awk -v p="# \$GO_SHIM_DROP" '/^# /{ skip = (\$0 == p) } !skip' "$tmp/shim.out"
	[ -z "\$GO_SHIM_EXTRA" ] || printf '%s\\n' "\$GO_SHIM_EXTRA"
	exit \$rc
fi
exec "$REALGO" "\$@"
EOF
chmod +x "$tmp/bin/go"
s=$tmp/silent
mkdir -p "$s"
cp -R "$root/testdata/demo/." "$s/"
mkdir -p "$s/consts"
printf 'package consts\n\n// Answer is a constant: no code, no diagnostics.\nconst Answer = 42\n' >"$s/consts/consts.go"
sdb=$tmp/silent.db
# a warm cache: consts's empty output is replayed, not printed by a
# compile of this run
(cd "$s" && "$REALGO" build -gcflags='-m=2 -l' ./... >/dev/null 2>&1)
: >"$tmp/go.log"
PATH=$tmp/bin:$PATH "$ESCDB" --db "$sdb" run -C "$s" >"$tmp/outs" 2>"$tmp/errs"
check "run: a package with no output: exits 0" eq "$?" 0
check "run: a package with no output is asked for again under another action id" \
    has "$tmp/go.log" '^build -buildvcs=false -gcflags=./...=-m=2 -l -gcflags=escdb.test/demo/consts=-m=2 -l -m=2 -o /dev/null escdb.test/demo/consts$'
check "run: never go build -a" eq "$(grep -c -- ' -a ' "$tmp/go.log")" 0
check "run: no go list: the packages come from the build's action graph" \
    eq "$(grep -c '^list ' "$tmp/go.log")" 0
check "run: the action id found silent is in escdb's cache directory" \
    eq "$(wc -l <"$ESCDB_CACHE/silent-v1" | tr -d ' ')" 1
# a second run, into a database of its own
: >"$tmp/go.log"
PATH=$tmp/bin:$PATH "$ESCDB" --db "$tmp/again.db" run -C "$s" >/dev/null 2>&1
check "run: a package found silent under the same action id is not asked again" \
    eq "$(grep -c '^build' "$tmp/go.log")" 1
check "run: ... and is still stored with zero findings" \
    eq "$(q "$tmp/again.db" "SELECT p.nfindings FROM package p JOIN str s ON s.id = p.name WHERE s.s = 'escdb.test/demo/consts'")" 0
: >"$tmp/go.log"
ESCDB_CACHE=off PATH=$tmp/bin:$PATH "$ESCDB" --db "$tmp/off.db" run -C "$s" >/dev/null 2>&1
check "run: ESCDB_CACHE=off: asked again" \
    has "$tmp/go.log" '^build -buildvcs=false -gcflags=./...=-m=2 -l -gcflags=escdb.test/demo/consts=-m=2 -l -m=2 -o /dev/null escdb.test/demo/consts$'
printf 'garbage\n\000\377 not an id\nabc' >"$tmp/damaged"
mkdir -p "$tmp/dcache" && cp "$tmp/damaged" "$tmp/dcache/silent-v1"
: >"$tmp/go.log"
ESCDB_CACHE=$tmp/dcache PATH=$tmp/bin:$PATH "$ESCDB" --db "$tmp/dam.db" run -C "$s" >/dev/null 2>"$tmp/errd"
check "run: a damaged silent list: exits 0, asks again, says nothing" \
    eq "$?|$(grep -c 'escdb.test/demo/consts=-m=2 -l -m=2' "$tmp/go.log")|$(cat "$tmp/errd")" "0|1|"
check "run: ... and the damaged lines stay, the new id is added" \
    eq "$(head -c "$(wc -c <"$tmp/damaged")" "$tmp/dcache/silent-v1" | cmp - "$tmp/damaged" && tail -n 1 "$tmp/dcache/silent-v1" | grep -c '^[A-Za-z0-9_-]\{20\}$')" 1
# a list past 1 MiB keeps its newer half, from a line's start
mkdir -p "$tmp/bigcache"
awk 'BEGIN { for (i = 0; i < 50000; i++) printf "%020d\n", i }' >"$tmp/bigcache/silent-v1"
ESCDB_CACHE=$tmp/bigcache PATH=$tmp/bin:$PATH "$ESCDB" --db "$tmp/big.db" run -C "$s" >/dev/null 2>&1
check "run: a silent list past 1 MiB keeps its newer half, whole lines, the new id last" \
    eq "$(wc -c <"$tmp/bigcache/silent-v1" | awk '{ print ($1 <= 524288 + 64) }')|$(head -n 1 "$tmp/bigcache/silent-v1" | grep -c '^[0-9]\{20\}$')|$(tail -n 2 "$tmp/bigcache/silent-v1" | head -n 1)|$(tail -n 1 "$tmp/bigcache/silent-v1" | grep -c '^[A-Za-z0-9_-]\{20\}$')|$(ls "$tmp/bigcache" | grep -c tmp)" \
    "1|1|00000000000000049999|1|0"
ESCDB_CACHE=$tmp/damaged/sub PATH=$tmp/bin:$PATH "$ESCDB" --db "$tmp/ro.db" run -C "$s" >/dev/null 2>"$tmp/erro"
check "run: a cache directory that cannot be written: exits 0 quietly" eq "$?|$(cat "$tmp/erro")" "0|"
check "run: a package with no output is stored with zero findings" \
    eq "$(q "$sdb" "SELECT p.nfindings FROM package p JOIN str s ON s.id = p.name WHERE s.s = 'escdb.test/demo/consts'")" 0
check "run: no commit outside a git repository" eq "$(q "$sdb" 'SELECT commit_id FROM run')" ""
now=$(date +%s)
check "run: the date is now outside a git repository" \
    test "$(q "$sdb" "SELECT abs(date - $now) < 600 FROM run")" = 1
check "run: summary says (no commit) outside a git repository" has "$tmp/outs" '^run 1: (no commit)  '

: >"$tmp/go.log"
GO_SHIM_DROP=escdb.test/demo/handler PATH=$tmp/bin:$PATH \
    "$ESCDB" --db "$sdb" run -C "$s" >"$tmp/outs2" 2>"$tmp/errs2"
check "run: output the go command did not replay: exits 0" eq "$?" 0
check "run: output the go command did not replay is asked for again (and only it)" \
    has "$tmp/go.log" '^build -buildvcs=false -gcflags=./...=-m=2 -l -gcflags=escdb.test/demo/handler=-m=2 -l -m=2 -o /dev/null escdb.test/demo/handler$'
check "run: output the go command did not replay is stored whole" \
    eq "$(dbcounts "$sdb" 2)" "$(dbcounts "$sdb" 1)"
check "run: recompiled findings keep their identity" \
    eq "$(q "$sdb" 'SELECT count(*) FROM (SELECT key FROM finding WHERE run = 1 EXCEPT SELECT key FROM finding WHERE run = 2)')" 0

GO_SHIM_EXTRA='zzz: a line no compiler prints' PATH=$tmp/bin:$PATH \
    "$ESCDB" --db "$sdb" run -C "$s" ./cache >"$tmp/outs3" 2>"$tmp/errs3"
check "run: a run with an unrecognised line exits 0" eq "$?" 0
check "run: an unrecognised line is warned about with its line number" \
    has "$tmp/errs3" '^escdb: go build:[0-9][0-9]*: warning: '

# ---- usage and errors ----
"$ESCDB" --db "$db" run --bogus >"$tmp/o" 2>"$tmp/e"
check "run: an unknown option exits 2" eq "$?" 2
check "run: an unknown option is named" has "$tmp/e" "^escdb: run: unknown option '--bogus'\$"
check "run: an unknown option shows the usage" has "$tmp/e" '^usage: escdb run '
"$ESCDB" --db "$db" run -x >/dev/null 2>"$tmp/e"
check "run: an unknown short option exits 2" eq "$?" 2
check "run: an unknown short option is named" has "$tmp/e" "^escdb: run: unknown option '-x'\$"
"$ESCDB" --db "$db" run --label >/dev/null 2>"$tmp/e"
check "run: a missing option value exits 2" eq "$?" 2
"$ESCDB" --db "$db" run --date yesterday -C "$m" >/dev/null 2>"$tmp/e"
check "run: a bad --date exits 2" eq "$?" 2
"$ESCDB" run --help >"$tmp/o" 2>"$tmp/e"
check "run: --help exits 0" eq "$?" 0
check "run: --help prints the usage on stdout" has "$tmp/o" '^usage: escdb run \[-C DIR\]'
jdb=$tmp/json.db
# a TMPDIR of this test's own: the other build's t_run runs beside it
mkdir -p "$tmp/tmpdir"
TMPDIR_SAVED=${TMPDIR:-}
export TMPDIR="$tmp/tmpdir"
"$ESCDB" --db "$jdb" run --json -C "$m" --label json >/dev/null 2>"$tmp/e"
check "run --json: exits 0" eq "$?" 0
"$ESCDB" --db "$jdb" run -C "$m" --label text >/dev/null 2>"$tmp/e"
check "run --json: stores the logopt form" eq "$(sqlite3 "$jdb" "SELECT form FROM run WHERE label = 'json'")" logopt
for k in 1 2 3 4; do   # moved and the leak kinds agree with the text run
	check "run --json: kind $k as in the text run" eq \
	    "$(sqlite3 "$jdb" "SELECT count(*) FROM finding WHERE kind = $k AND run = (SELECT id FROM run WHERE label = 'json')")" \
	    "$(sqlite3 "$jdb" "SELECT count(*) FROM finding WHERE kind = $k AND run = (SELECT id FROM run WHERE label = 'text')")"
done
"$ESCDB" --db "$jdb" run --json -C "$m" --label json2 >/dev/null 2>"$tmp/e"
check "run --json: a second run (cache hit) is not empty" eq \
    "$(sqlite3 "$jdb" "SELECT nfindings FROM run WHERE label = 'json2'")" \
    "$(sqlite3 "$jdb" "SELECT nfindings FROM run WHERE label = 'json'")"
check "run --json: no temporary directory is left" eq "$(ls "$TMPDIR" | grep -c '^escdb-logopt' )" 0
if [ -n "$TMPDIR_SAVED" ]; then export TMPDIR="$TMPDIR_SAVED"; else unset TMPDIR; fi
"$ESCDB" --db "$db" run -C "$tmp/nonexistent" >/dev/null 2>"$tmp/e"
check "run: a missing directory exits 2" eq "$?" 2
check "run: a missing directory is named" has "$tmp/e" "^escdb: .*nonexistent.*: No such file or directory\$"
PATH=/nonexistent "$ESCDB" --db "$db" run -C "$m" >/dev/null 2>"$tmp/e"
check "run: go not found exits 2" eq "$?" 2
check "run: go not found is reported" has "$tmp/e" '^escdb: cannot run go: No such file or directory$'
mkdir -p "$tmp/empty"
printf 'module escdb.test/empty\n\ngo 1.21\n' >"$tmp/empty/go.mod"
"$ESCDB" --db "$db" run -C "$tmp/empty" >/dev/null 2>"$tmp/e"
check "run: a module with no packages exits 2" eq "$?" 2
"$ESCDB" --db "$db" run -C "$m" ./nosuchdir >/dev/null 2>"$tmp/e"
rc=$?
check "run: a pattern go cannot list exits 3" eq "$rc" 3
check "run: a pattern go cannot list shows go's error" has "$tmp/e" 'nosuchdir'
check "run: errors add no run" eq "$(q "$db" 'SELECT count(*) FROM run')" "$nruns"

if ls "$tmp"/san.* >/dev/null 2>&1; then
	cat "$tmp"/san.* >&2
	echo "not ok - run: no sanitizer reports"
else
	echo "ok - run: no sanitizer reports"
fi
exit 0
