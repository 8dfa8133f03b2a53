#!/bin/sh
# history.sh [OUT.html]: a demo history for escdb trend.
#
# Builds a small Go module (example.com/hist, packages shapes and cache)
# in a temporary git repository through twelve commits dated over seven
# ISO weeks (2026-W02 .. 2026-W08, no commit in W05), runs
# `escdb run -C REPO` at each commit, and writes the trend report
# (html) to OUT.html when given, and the text trend to standard output.
#
# Environment: ESCDB (the binary, default ./escdb), HISTORY_DB (keep the
# database there; default a temporary one), HISTORY_LONG=1 (the variant
# with long package names: module
# github.com/example-observability/telemetry-platform-exporters, packages
# under internal/collectors/, as real modules name them), HISTORY_HTML_ARGS
# (more options for trend --format html, e.g. --link-base URL).  Commits are pinned (author,
# committer, dates), so their hashes are the same on every machine.
#
# What each commit does to the escapes (heap = "escapes to heap",
# moved = "moved to heap"), as escdb counts them with Go 1.26.  From the
# start the global map literal in cache escapes (heap 1) and cache.Put
# leaks its parameter k (leak 1).
#   1  2026-01-05 W02  shapes.NewBox returns &x            moved +1 (x)
#   2  2026-01-07 W02  shapes.Describe returns v as any    heap  +1 (v)
#   3  2026-01-13 W03  cache.Put stores &it in a global     moved +1 (it)
#   4  2026-01-15 W03  shapes.Counter, a closure over n     moved +1 (n), heap +1 (func literal),
#                                                          capture +1
#   5  2026-01-20 W04  shapes.Describe removed              heap  -1
#   6  2026-01-22 W04  shapes.Boxes: make([]*int, n), &x    heap  +1 (make), moved +1 (x)
#      (no commit in W05: a gap in the trend)
#   7  2026-02-02 W06  shapes.NewBox returns a value        moved -1
#   8  2026-02-04 W06  cache.Keys: make and append          heap  +2 (make, append)
#   9  2026-02-10 W07  cache.Key returns a + b              heap  +1 (a + b), noescape +2 (a, b)
#  10  2026-02-12 W07  shapes.Counter removed               moved -1, heap -1, capture -1
#  11  2026-02-16 W08  cache.NewItem returns new(Item)      heap  +1 (new(Item))
#  12  2026-02-18 W08  cache.Put keeps values, not &it      moved -1
# The trend keeps the last run of each week: W02 (commit 2: heap 2,
# moved 1), W03 (4: 3, 3), W04 (6: 3, 4), W05 a gap, W06 (8: 5, 3),
# W07 (10: 5, 2), W08 (12: 6, 1).
set -e
OUT=$1
ROOT=$(pwd)
ESCDB=${ESCDB:-$ROOT/escdb}
case $ESCDB in /*) ;; *) ESCDB=$ROOT/$ESCDB ;; esac
W=$(mktemp -d "${TMPDIR:-/tmp}/escdb-history.XXXXXX")
trap 'rm -rf "$W"' EXIT
DB=${HISTORY_DB:-$W/history.db}
export ESCDB_DB="$DB" GOFLAGS=-mod=mod GOTOOLCHAIN=local TZ=UTC LC_ALL=C NO_COLOR=1
export GIT_AUTHOR_NAME=escdb GIT_AUTHOR_EMAIL=escdb@example.com
export GIT_COMMITTER_NAME=escdb GIT_COMMITTER_EMAIL=escdb@example.com
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
R=$W/repo
MODULE=example.com/hist SUB=
if [ "${HISTORY_LONG:-}" = 1 ]; then
	MODULE=github.com/example-observability/telemetry-platform-exporters
	SUB=internal/collectors/
fi
mkdir -p "$R/${SUB}shapes" "$R/${SUB}cache"
git -C "$R" init -q -b main

printf 'module %s\n\ngo 1.21\n' "$MODULE" >"$R/go.mod"

# Writes the sources for step $1 (each file is rewritten whole).
write() {
	step=$1
	{
		echo 'package shapes'
		echo
		if [ "$step" -lt 7 ]; then
			echo '// NewBox returns a pointer to a copy of w.'
			echo 'func NewBox(w int) *int {'
			echo '	x := w'
			echo '	return &x'
			echo '}'
		else
			echo '// NewBox returns w (no longer a pointer).'
			echo 'func NewBox(w int) int {'
			echo '	x := w'
			echo '	return x'
			echo '}'
		fi
		if [ "$step" -ge 2 ] && [ "$step" -lt 5 ]; then
			echo
			echo 'func Describe(v int) any {'
			echo '	return v'
			echo '}'
		fi
		if [ "$step" -ge 4 ] && [ "$step" -lt 10 ]; then
			echo
			echo 'func Counter() func() int {'
			echo '	n := 0'
			echo '	return func() int {'
			echo '		n++'
			echo '		return n'
			echo '	}'
			echo '}'
		fi
		if [ "$step" -ge 6 ]; then
			echo
			echo 'func Boxes(n int) []*int {'
			echo '	out := make([]*int, n)'
			echo '	for i := range out {'
			echo '		x := i'
			echo '		out[i] = &x'
			echo '	}'
			echo '	return out'
			echo '}'
		fi
	} >"$R/${SUB}shapes/shapes.go"
	{
		echo 'package cache'
		echo
		echo 'type Item struct{ V int }'
		echo
		if [ "$step" -ge 3 ] && [ "$step" -lt 12 ]; then
			echo 'var m = map[string]*Item{}'
			echo
			echo 'func Put(k string, v int) {'
			echo '	it := Item{v}'
			echo '	m[k] = &it'
			echo '}'
		else
			echo 'var m = map[string]Item{}'
			echo
			echo 'func Put(k string, v int) {'
			echo '	m[k] = Item{v}'
			echo '}'
		fi
		if [ "$step" -ge 8 ]; then
			echo
			echo 'func Keys() []string {'
			echo '	out := make([]string, 0, len(m))'
			echo '	for k := range m {'
			echo '		out = append(out, k)'
			echo '	}'
			echo '	return out'
			echo '}'
		fi
		if [ "$step" -ge 9 ]; then
			echo
			echo 'func Key(a, b string) string {'
			echo '	return a + b'
			echo '}'
		fi
		if [ "$step" -ge 11 ]; then
			echo
			echo 'func NewItem() *Item {'
			echo '	return new(Item)'
			echo '}'
		fi
	} >"$R/${SUB}cache/cache.go"
}

step=0
for when in 2026-01-05T10:00:00Z 2026-01-07T10:00:00Z 2026-01-13T10:00:00Z \
    2026-01-15T10:00:00Z 2026-01-20T10:00:00Z 2026-01-22T10:00:00Z \
    2026-02-02T10:00:00Z 2026-02-04T10:00:00Z 2026-02-10T10:00:00Z \
    2026-02-12T10:00:00Z 2026-02-16T10:00:00Z 2026-02-18T10:00:00Z; do
	step=$((step + 1))
	write $step
	git -C "$R" add -A
	GIT_AUTHOR_DATE=$when GIT_COMMITTER_DATE=$when git -C "$R" commit -q -m "step $step"
	"$ESCDB" run -C "$R" --label "step-$step" >/dev/null
done

"$ESCDB" trend
if [ -n "$OUT" ]; then
	# shellcheck disable=SC2086 # a list of options
	"$ESCDB" trend --format html ${HISTORY_HTML_ARGS:-} -o "$OUT"
	echo "history.sh: wrote $OUT" >&2
fi
