#!/bin/sh
# Static checks, run once (skipped, printing nothing, under the ASan pass):
# every source built by gcc with -Wall -Wextra -Werror into build/werror/,
# and cppcheck --enable=warning,portability clean on lib parser store report cmd.
. tests/lib.sh
case $ESCDB in */asan/*) exit 0 ;; esac

PCF=$(pkg-config --cflags libpcre2-8 sqlite3 libcjson 2>/dev/null)
mkdir -p build/werror
bad=0
for f in lib/*.c parser/*.c store/*.c report/*.c cmd/*.c tests/fuzz/*.c; do
	o=build/werror/$(echo "$f" | tr / _).o
	if ! gcc -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -I. $PCF -O2 \
	    -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	    -Wformat=2 -Wno-format-nonliteral -Werror -c -o "$o" "$f" >"$T/w" 2>&1; then
		bad=$((bad + 1)); notok "gcc -Werror $f"; sed 's/^/#   /' "$T/w" | head -20
	fi
done
[ "$bad" -eq 0 ] && ok "gcc -Wall -Wextra -Werror: every source"

if command -v cppcheck >/dev/null; then
	if cppcheck -q --enable=warning,portability --error-exitcode=1 --inline-suppr \
	    -D_GNU_SOURCE -I. lib parser store report cmd >"$T/c" 2>&1; then
		ok "cppcheck clean"
	else
		notok "cppcheck"; sed 's/^/#   /' "$T/c" | head -40
	fi
else
	notok "cppcheck not installed (tests/testdeps.sh installs it)"
fi
exit 0
