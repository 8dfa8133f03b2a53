#!/bin/sh
# The man page: clean under mandoc -Tlint, built from its parts, and
# covering every command escdb lists; every command answers --help.
. tests/lib.sh
if command -v mandoc >/dev/null; then
	check "man page is clean under mandoc -Tlint" mandoc -Tlint -Wwarning man/escdb.1
	# style too; only the look-ups of other pages depend on this machine
	mandoc -Tlint -Wstyle man/escdb.1 2>&1 |
	    grep -v 'outdated mandoc.db\|referenced manual not found' >"$T/style"
	if [ -s "$T/style" ]; then notok "man page has mandoc style warnings"; sed 's/^/#   /' "$T/style"
	else ok "man page has no mandoc style warnings"; fi
	# no quotes inside quotes (an inline macro swallowing the next one)
	mandoc -Tutf8 man/escdb.1 2>/dev/null | grep -n "’’\|‘‘\|‘[^’]*‘" >"$T/nested"
	if [ -s "$T/nested" ]; then notok "man page renders nested quotes"; sed 's/^/#   /' "$T/nested" | head
	else ok "man page renders no nested quotes"; fi
else
	notok "mandoc is not installed (make check installs it)"
fi
# assembled into $T: the tree is never written (the builds are tested side
# by side)
ESCDB="$ESCDB" OUT="$T/assembled.1" sh man/assemble.sh
if cmp -s man/escdb.1 "$T/assembled.1"; then ok "man/escdb.1 is assembled from escdb.1.in and parts"; else
	notok "man/escdb.1 is stale (run sh man/assemble.sh)"; diff -u man/escdb.1 "$T/assembled.1" | head -20 | sed 's/^/#   /'; fi
for c in $("$ESCDB" --help | awk '/^commands:/ { on = 1; next } on && !NF { exit } on { print $1 }'); do
	grep -q "^\.Ss $c\$" man/escdb.1 && ok "man page documents $c" || notok "man page documents $c"
	check "escdb $c --help" "$ESCDB" "$c" --help
done
check_exit "unknown command exits 2" 2 "$ESCDB" frobnicate
check_exit "no command exits 2" 2 "$ESCDB"
