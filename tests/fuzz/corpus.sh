#!/bin/sh
# Builds the fuzz seed corpora into build/fuzz/corpus/NAME/ from testdata
# (not committed): slices of testdata/logs/*.log for the parser, Go
# sources for funcscan, logopt .json files for logopt, the profiles of
# testdata/hotprof for pprof; plus the small
# hand-picked seeds in tests/fuzz/seeds/NAME/.  Run from the repository root.
set -e
C=build/fuzz/corpus
# pprof: the profiles in testdata/hotprof, gzipped and bare, and their
# first kilobytes (built on its own: corpora made before it keep .done)
if [ ! -d "$C/pprof" ]; then
	mkdir -p "$C/pprof"
	for f in testdata/hotprof/*.pprof; do
		b=$(basename "$f" .pprof)
		cp "$f" "$C/pprof/$b.gz"
		gzip -dc <"$f" >"$C/pprof/$b.pb"
		head -c 1024 "$C/pprof/$b.pb" >"$C/pprof/$b.head"
	done
	[ -d tests/fuzz/seeds/pprof ] && cp tests/fuzz/seeds/pprof/* "$C/pprof/" 2>/dev/null || :
fi
[ -f "$C/.done" ] && exit 0
mkdir -p "$C/parser" "$C/funcscan" "$C/logopt"
n=0
for f in testdata/logs/*.log; do
	# slices of 60 lines (with a random first split byte), each log in 8
	lines=$(wc -l <"$f")
	step=$((lines / 8 + 1))
	i=1
	while [ "$i" -le "$lines" ]; do
		n=$((n + 1))
		{ printf '%s' "$((n % 10))"; sed -n "${i},$((i + 59))p" "$f"; } >"$C/parser/s$n"
		i=$((i + step))
	done
done
n=0
for f in $(find testdata/seeds testdata/demo -name '*.go' -size -64k | sort); do
	n=$((n + 1)); cp "$f" "$C/funcscan/g$n.go"
done
# function names as the compiler prints them, one per line
grep -ho ' in [^ :]*' testdata/logs/*-m2.log 2>/dev/null | sed 's/^ in //' | sort -u | head -400 >"$C/funcscan/names"
n=0
for f in $(find testdata/logs -name '*.json' -size -32k | sort | head -300); do
	n=$((n + 1)); cp "$f" "$C/logopt/j$n.json"
done
for t in parser funcscan logopt; do
	[ -d "tests/fuzz/seeds/$t" ] && cp tests/fuzz/seeds/$t/* "$C/$t/" 2>/dev/null || :
done
touch "$C/.done"
