#!/bin/sh
# bench_hot: escdb hot on a real profile of a standard-library package.
#
#     sh tests/bench_hot.sh [PKG]      (default encoding/json)
#
# Runs PKG's benchmarks with a heap profile (go test -bench BENCH -benchtime
# 200x -memprofile, the test binary and the profile in a temporary
# directory), stores a run of PKG (escdb run in $GOROOT/src/PKG; nothing
# is written there), then prints:
#   - escdb hot's wall time, median of 7 runs with min and max, beside
#     go tool pprof -top on the same profile, alternating, as a yardstick
#     (the bar is 0.2 s);
#   - the share of the profile's bytes in PKG (by pprof's own -raw
#     reading: samples with a frame in PKG outside *_test.go) that lands
#     on a finding or on the "not explained" list (the bar is 100%).
# Called from make bench; figures, exits 0 (1 when go is missing).
ROOT=$(pwd)
ESCDB=${ESCDB:-$ROOT/escdb}
PKG=${1:-encoding/json}
# every benchmark of encoding/json but TypeFieldsCache, whose 10^6-type
# case takes minutes at 200x; BENCH overrides
BENCH=${BENCH:-'^Benchmark(Code|Marshal|Unicode|Decoder|Unmarshal|Issue|Unmapped|Encode|Number)'}
command -v go >/dev/null 2>&1 || PATH=/usr/local/go/bin:$PATH
command -v go >/dev/null 2>&1 || { echo "bench_hot: go not found; skipped"; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/escdb-bench-hot.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
export NO_COLOR=1 LC_ALL=C GOTOOLCHAIN=local
unset ESCDB_DB
DB=$T/hot.db
SRC=$(go env GOROOT)/src/$PKG

(cd "$SRC" && go test -run '^$' -bench "$BENCH" -benchtime 200x -memprofile "$T/mem.pprof" \
    -o "$T/pkg.test" . >"$T/bench.out" 2>&1) ||
    { echo "bench_hot: go test -bench in $PKG failed:"; tail -5 "$T/bench.out"; exit 0; }
"$ESCDB" --db "$DB" run -C "$SRC" . >"$T/run.out" 2>&1 ||
    { echo "bench_hot: escdb run of $PKG failed:"; tail -5 "$T/run.out"; exit 0; }

now() { date +%s.%N; }
# times CMD... into the file $T/t.NAME (one wall time a line)
timed() {
	name=$1; shift
	t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
	echo "$t0 $t1" | awk '{ printf "%.4f\n", $2 - $1 }' >>"$T/t.$name"
}
for i in 1 2 3 4 5 6 7; do
	timed hot "$ESCDB" --db "$DB" hot --profile "$T/mem.pprof" --top 0
	timed pprof go tool pprof -top "$T/pkg.test" "$T/mem.pprof"
done
# median (min..max) of the lines of a file
stats() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.3f s (min %.3f, max %.3f, n=%d)", v[int((NR + 1) / 2)], v[1], v[NR], NR }'; }
hot=$(sort -n "$T/t.hot" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
pp=$(sort -n "$T/t.pprof" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
flag=
awk "BEGIN { exit !($hot >= 0.2) }" && flag="  (over the 0.2 s bar)"
nf=$(sqlite3 "$DB" "SELECT count(*) FROM finding" 2>/dev/null)
echo "hot ($PKG, $(wc -c <"$T/mem.pprof") byte profile, $nf findings):"
echo "  escdb hot:          $(stats "$T/t.hot")$flag"
echo "  go tool pprof -top: $(stats "$T/t.pprof")  (hot/pprof $(echo "$hot $pp" | awk '{ printf "%.2f", $1 / $2 }'))"

"$ESCDB" --db "$DB" hot --profile "$T/mem.pprof" --format jsonl >"$T/rows.jsonl" 2>"$T/hot.err"
go tool pprof -raw "$T/mem.pprof" >"$T/mem.raw" 2>/dev/null
python3 - "$T/rows.jsonl" "$T/mem.raw" "$PKG" <<'EOF'
import json, re, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
pkg = sys.argv[3] + "."
landed = sum(r["bytes"] for r in rows)
found = sum(r["bytes"] for r in rows if r["explained"])
inrun, cur, samples, sec = set(), None, [], None
for l in open(sys.argv[2]).read().split("\n"):
    if l.startswith("Samples:"): sec = "s"; continue
    if l.startswith("Locations"): sec = "l"; continue
    if l.startswith("Mappings"): sec = None; continue
    if sec == "s":
        m = re.match(r"\s*([-\d]+)\s+([-\d]+)\s+[-\d]+\s+[-\d]+:\s*([\d ]+)$", l)
        if m: samples.append((int(m.group(2)), m.group(3).split()))
    elif sec == "l":
        m = re.match(r"\s+(\d+): \S+ M=\d+ (\S+) (\S+?)(?::\d+)+(?:\s|$)", l)
        if m: cur = m.group(1); fr = (m.group(2), m.group(3))
        else:
            m = re.match(r"\s+(\S+) (\S+?)(?::\d+)+(?:\s|$)", l)
            if not m or cur is None: continue
            fr = (m.group(1), m.group(2))
        if fr[0].startswith(pkg) and not fr[1].endswith("_test.go"):
            inrun.add(cur)
total = sum(v for v, _ in samples)
want = sum(v for v, locs in samples if any(x in inrun for x in locs))
print("  bytes in %s: %d of %d in the profile (%.1f%%); landed on findings %.1f%%, "
      "not explained %.1f%%; landed in all: %.2f%% (bar 100%%)" % (
      sys.argv[3], want, total, 100.0 * want / max(total, 1), 100.0 * found / max(want, 1),
      100.0 * (landed - found) / max(want, 1), 100.0 * landed / max(want, 1)))
EOF
exit 0
