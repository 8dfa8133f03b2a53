#!/bin/sh
# t_opts: the option layer every command shares (cmd/opts.c): --help from
# the table, --kind and --kinds as one option, the shared options'
# spellings, errors, and diff's default runs.
. tests/lib.sh
unset ESCDB_DB
LOG=$ROOT/testdata/logs/seeds-go1.26.8-m2.log
LOG1=$ROOT/testdata/logs/seeds-go1.26.8-m1.log
DB=$T/o.db
E() { "$ESCDB" --db "$DB" "$@"; }

check "ingest run 1" E ingest -C "$ROOT/testdata/seeds" --commit 1111aaaa00000000000000000000000000000000 \
	--date 2026-01-01 --label one "$LOG"
check "ingest run 2" E ingest -C "$ROOT/testdata/seeds" --commit 2222bbbb00000000000000000000000000000000 \
	--date 2026-01-02 --label two "$LOG1"

cmds=$("$ESCDB" --help | awk '/^commands:/ { on = 1; next } on && !NF { exit } on { print $1 }')
[ -n "$cmds" ] && ok "escdb --help lists the commands" || notok "escdb --help lists the commands"
kcmds=""
for c in $cmds; do
	"$ESCDB" "$c" --help >"$T/h" 2>&1
	check_eq "$c --help exits 0" "$?" 0
	check "$c --help starts with its usage" grep -q "^usage: escdb $c" "$T/h"
	check "$c --help lists -h, --help" grep -q '^  -h, --help' "$T/h"
	"$ESCDB" "$c" -h >"$T/h2" 2>&1
	check "$c -h is --help" cmp -s "$T/h" "$T/h2"
	"$ESCDB" --db "$DB" "$c" --no-such-option >"$T/o" 2>"$T/e"
	check_eq "$c: an unknown option exits 2" "$?" 2
	check "$c: an unknown option is named, with the usage" sh -c \
	    'grep -qx "escdb: $1: unknown option '"'"'--no-such-option'"'"'" "$2" && grep -q "^usage: escdb $1" "$2"' \
	    - "$c" "$T/e"
	"$ESCDB" "$c" --synopsis >"$T/syn"
	check "$c --synopsis is the man page's" sh -c \
	    'grep -q "^\.Cm $1\$" "$2" && grep -qxF "$(sed -n 3p "$2")" "$3"' - "$c" "$T/syn" "$ROOT/man/escdb.1"
	grep -q -- '--kinds LIST' "$T/h" && kcmds="$kcmds $c"
done
check_eq "the commands taking kinds" "$kcmds" " summary diff gate baseline grep hot"

# --kind and --kinds: the same option wherever kinds are taken
same() {    # same WHAT KIND CMD... : --kind KIND and --kinds KIND agree
	what=$1 k=$2; shift 2
	"$@" --kinds $k >"$T/k1" 2>&1; s1=$?
	"$@" --kind $k >"$T/k2" 2>&1; s2=$?
	"$@" --kind=$k >"$T/k3" 2>&1; s3=$?
	"$@" >"$T/k0" 2>&1
	if [ $s1 = $s2 ] && [ $s2 = $s3 ] && cmp -s "$T/k1" "$T/k2" && cmp -s "$T/k1" "$T/k3" &&
	    ! cmp -s "$T/k1" "$T/k0" && [ -s "$T/k1" ]; then ok "$what: --kind = --kinds"; else
		notok "$what: --kind = --kinds ($s1 $s2 $s3)"; diff "$T/k1" "$T/k2" | head -5; fi
}
same summary moved E summary --run one
same diff moved E diff one two
same gate capture E gate --base two --head one
same baseline capture E baseline one
same grep moved E grep --run one .
for c in summary diff baseline grep; do
	check_exit "$c --kind bogus exits 2" 2 E $c --kind bogus
	check "... naming the kind" grep -q "unknown kind 'bogus'" "$T/.err"
done
check_exit "gate --kinds '' exits 2" 2 E gate --base one --kinds ''
check_exit "hot --kind bogus exits 2" 2 E hot --profile "$T/none.pprof" --kind bogus
check "... naming the kind" grep -q "unknown kind 'bogus'" "$T/.err"
check_exit "hot --kind heap reads the profile" 2 E hot --profile "$T/none.pprof" --kind heap
check "... which is missing" grep -q "none.pprof" "$T/.err"

# the shared options, one spelling
E export --run one -o "$T/a" && E export --run=one --output "$T/b" && E export --run one --format jsonl -o"$T/c"
check "-o FILE, --output FILE and -oFILE are one option" sh -c 'cmp -s "$1" "$2" && cmp -s "$1" "$3"' - "$T/a" "$T/b" "$T/c"
check_eq "--run may come after the argument" "$(E grep -c . --run one)" "$(E grep --run one -c .)"
check_eq "a unique prefix of a long option" "$(E grep --ru one -c .)" "$(E grep --run one -c .)"
check_exit "an ambiguous prefix exits 2" 2 E grep --f x .
check "... saying so" grep -q "ambiguous option '--f'" "$T/.err"
check_exit "a missing value exits 2" 2 E export --format
check "... naming the option" grep -qx "escdb: export: option '--format' needs a value" "$T/.err"
check_exit "a value for a flag exits 2" 2 E grep --count=yes .
check_exit "gate without --base exits 2" 2 E gate
check "... saying --base is required" grep -qF "gate: --base SEL (or --base-rev REV) is required" "$T/.err"
check_exit "--max-new -1 exits 2" 2 E gate --base one --max-new -1
check_exit "--color sometimes exits 2" 2 E runs --color sometimes
E runs --color always >"$T/c1"
check "--color always colours a file" grep -q "$(printf '\033')" "$T/c1"
E runs --color never >"$T/c2"
check "--color never does not" sh -c '! grep -q "$(printf "\033")" "$1"' - "$T/c2"
check_eq "summary SEL and summary --run SEL agree" "$(E summary one | md5sum)" "$(E summary --run one | md5sum)"
check_exit "summary SEL with --run SEL exits 2" 2 E summary one --run two
check_eq "-- ends the options" "$(E grep -c -- -v 2>&1; echo $?)" "$(printf '0\n1')"

# diff without arguments: latest~1 against latest
E diff two~0 >/dev/null 2>&1
E diff one two >"$T/d2" 2>&1
E diff >"$T/d0" 2>"$T/d0.err"
check_eq "diff with no arguments exits 0" "$?" 0
check "diff with no arguments compares latest~1 and latest" cmp -s "$T/d2" "$T/d0"
E diff one >"$T/d1" 2>&1
check "diff BASE compares BASE and latest" cmp -s "$T/d2" "$T/d1"
check_exit "diff with three runs exits 2" 2 E diff one two one
"$ESCDB" --db "$T/one.db" ingest --label x "$LOG" >/dev/null 2>&1
check_exit "diff with no arguments on a single run exits 2" 2 "$ESCDB" --db "$T/one.db" diff
check "... saying no run matches latest~1" grep -q "latest~1" "$T/.err"
