#!/bin/sh
# t_hot.sh: escdb hot on real profiles.  The benchmark module
# testdata/hotbench is profiled here (go test -memprofile, -cpuprofile),
# stored with escdb run and joined; the profiles of two Go versions in
# testdata/hotprof are compared with golden outputs; malformed profiles
# exit 2; gate --min-share passes a new escape on a cold line and fails
# one on a hot line.  Run from the repository root.
. tests/lib.sh

if ! command -v go >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
	ok "hot: skipped (go or python3 not installed) # SKIP"
	exit 0
fi
P=$ROOT/testdata/hotprof
DB=$T/hot.db
cp -r "$ROOT/testdata/hotbench" "$T/hb"
"$ESCDB" --db "$DB" run -C "$T/hb" --label bench >"$T/run.out" 2>&1 ||
    { notok "run hotbench"; sed 's/^/#   /' "$T/run.out"; }

# ---- a real heap profile, made here ----
(cd "$T/hb" && go test -run '^$' -bench Mix -benchtime=2000x -memprofilerate 1 \
    -memprofile "$T/mem.out" -o "$T/hb.test" . >"$T/bench.out" 2>&1) ||
    { notok "go test -memprofile"; sed 's/^/#   /' "$T/bench.out" | head; }
check_exit "hot: heap profile" 0 "$ESCDB" --db "$DB" hot --profile "$T/mem.out" --format jsonl -o "$T/mem.jsonl"
# pprof's own reading of the profile: the bytes of every sample with a
# frame in the run's package outside *_test.go
go tool pprof -raw "$T/mem.out" >"$T/mem.raw" 2>/dev/null
python3 - "$T/mem.jsonl" "$T/mem.raw" >"$T/py.out" 2>&1 <<'EOF'
import json, re, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
found = [r for r in rows if r["explained"]]
def w(func):
    return sum(r["bytes"] for r in found if r["func"] == func)
total = sum(r["bytes"] for r in rows)
out = []
out.append("first %s %s" % (found[0]["func"], found[0]["line"]))
out.append("hot-most %d" % (w("Hot") > 0.9 * total))
out.append("warm %d cold %d never %d" % (0 < w("Warm") < 0.05 * total, 0 < w("Cold") < 0.01 * total, w("Never")))
out.append("callee %d" % any(r["via"] == "callee" and r["callee"] == "fmt.Sprintf" and r["func"] == "Warm" for r in found))
out.append("unexplained %s" % sorted(set((r["func"], r["line"]) for r in rows if not r["explained"])))
# the three findings of Cold's line share its weight evenly
cold = sorted(r["bytes"] for r in found if r["func"] == "Cold")
out.append("cold-split %d %d" % (len(cold), cold[-1] - cold[0] <= 1))
# pprof -raw: samples "v1 v2 v3 v4: loc loc ...", then locations
raw = open(sys.argv[2]).read().split("\n")
inrun, loc, cur, samples, sec = set(), {}, None, [], None
for l in raw:
    if l.startswith("Samples:"): sec = "s"; continue
    if l.startswith("Locations"): sec = "l"; continue
    if l.startswith("Mappings"): sec = None; continue
    if sec == "s":
        m = re.match(r"\s*([-\d]+)\s+([-\d]+)\s+[-\d]+\s+[-\d]+:\s*([\d ]+)$", l)
        if m: samples.append((int(m.group(2)), m.group(3).split()))
    elif sec == "l":
        m = re.match(r"\s+(\d+): \S+ M=\d+ (\S+) (\S+?)(?::\d+)+(?:\s|$)", l)
        if m: cur = m.group(1); frames = [(m.group(2), m.group(3))]
        else:
            m = re.match(r"\s+(\S+) (\S+?)(?::\d+)+(?:\s|$)", l)
            if not m or cur is None: continue
            frames = [(m.group(1), m.group(2))]
        for fn, f in frames:
            if fn.startswith("escdb.test/hotbench.") and not f.endswith("_test.go"):
                inrun.add(cur)
want = sum(v for v, locs in samples if any(x in inrun for x in locs))
out.append("landed %d of %d: %s" % (total, want, "all" if total == want and want > 0 else "NOT ALL"))
print("\n".join(out))
EOF
sed 's/^/#   /' "$T/py.out"
grep -q '^first Hot 22$' "$T/py.out" && ok "hot: the hot site ranks first" || notok "hot: the hot site ranks first"
grep -q '^hot-most 1$' "$T/py.out" && ok "hot: the hot site has most of the bytes" || notok "hot: the hot site has most of the bytes"
grep -q '^warm 1 cold 1 never 0$' "$T/py.out" && ok "hot: warm and cold small and non-zero, never-called none" ||
    notok "hot: warm and cold small and non-zero, never-called none"
grep -q '^callee 1$' "$T/py.out" && ok "hot: fmt.Sprintf's bytes weigh on Warm through a callee" ||
    notok "hot: fmt.Sprintf's bytes weigh on Warm through a callee"
grep -q "^unexplained \[('Note', 49)\]$" "$T/py.out" && ok "hot: Note's map and strconv bytes are not explained" ||
    notok "hot: Note's map and strconv bytes are not explained"
grep -q '^cold-split 3 1$' "$T/py.out" && ok "hot: three findings on one line share it evenly" ||
    notok "hot: three findings on one line share it evenly"
grep -q 'all$' "$T/py.out" && ok "hot: every byte in the run's package lands on a finding or the not-explained list" ||
    notok "hot: every byte in the run's package lands on a finding or the not-explained list"

# text, inuse_*, uncompressed protobuf
check_exit "hot: text" 0 "$ESCDB" --db "$DB" hot --profile "$T/mem.out"
grep -q 'allocations escape analysis does not explain' "$T/.out" && ok "hot: text lists the unexplained" ||
    notok "hot: text lists the unexplained"
check_exit "hot: --sample-index inuse_space" 0 "$ESCDB" --db "$DB" hot --profile "$T/mem.out" --sample-index inuse_space
grep -q 'inuse_space and inuse_objects' "$T/.out" && ok "hot: inuse_space pairs with inuse_objects" ||
    notok "hot: inuse_space pairs with inuse_objects"
check_exit "hot: unknown sample index" 2 "$ESCDB" --db "$DB" hot --profile "$T/mem.out" --sample-index nope
grep -q "no sample type 'nope'.*alloc_space/bytes" "$T/.err" && ok "hot: unknown sample index lists the types" ||
    notok "hot: unknown sample index lists the types"
gzip -dc <"$P/mem-go1.26.pprof" >"$T/plain.pb"
"$ESCDB" --db "$DB" hot --profile "$T/plain.pb" --format csv >"$T/plain.csv" 2>&1
"$ESCDB" --db "$DB" hot --profile "$P/mem-go1.26.pprof" --format csv >"$T/gz.csv" 2>&1
cmp -s "$T/plain.csv" "$T/gz.csv" && [ -s "$T/gz.csv" ] && ok "hot: an uncompressed profile reads the same" ||
    notok "hot: an uncompressed profile reads the same"
for f in json md html; do
	check_exit "hot: --format $f" 0 "$ESCDB" --db "$DB" hot --profile "$T/mem.out" --format $f -o "$T/out.$f"
done
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert a[0]["kind"]=="heap" and a[0]["flows"] and "share" in a[0]' \
    "$T/out.json" && ok "hot: json rows are finding objects with flows and share" ||
    notok "hot: json rows are finding objects with flows and share"
grep -q '<table>' "$T/out.html" && ! grep -q '<script' "$T/out.html" && ok "hot: html page" || notok "hot: html page"

# ---- a real CPU profile of the hot loop ----
(cd "$T/hb" && go test -run '^$' -bench Mix -benchtime=40000x -cpuprofile "$T/cpu.out" \
    -o "$T/hb.test" . >"$T/bench.out" 2>&1) ||
    { notok "go test -cpuprofile"; sed 's/^/#   /' "$T/bench.out" | head; }
check_exit "hot: cpu profile" 0 "$ESCDB" --db "$DB" hot --profile "$T/cpu.out" --format jsonl -o "$T/cpu.jsonl"
python3 - "$T/cpu.jsonl" >"$T/py.out" 2>&1 <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows:
    if r["explained"]:
        by[r["func"]] = by.get(r["func"], 0) + r["cpu_ns"]
top = max(by, key=by.get) if by else None
print("top", top, "keys", sorted(set(k for r in rows for k in ("cpu_ns", "samples") if k in r)))
EOF
grep -q "^top Hot keys \['cpu_ns', 'samples'\]$" "$T/py.out" && ok "hot: the CPU profile puts the hot loop first" ||
    { notok "hot: the CPU profile puts the hot loop first"; sed 's/^/#   /' "$T/py.out"; }

# ---- checked-in profiles of two Go versions: golden text ----
for f in mem-go1.26 mem-go1.27 cpu-go1.27; do
	(cd "$P" && "$ESCDB" --db "$DB" hot --profile $f.pprof) >"$T/$f.txt" 2>&1
	golden "hot: golden $f" "$T/$f.txt" "$ROOT/tests/golden/hot-$f.txt"
done
(cd "$P" && "$ESCDB" --db "$DB" hot --profile mem-go1.27.pprof --format csv --top 5) >"$T/g.csv" 2>&1
golden "hot: golden csv" "$T/g.csv" "$ROOT/tests/golden/hot-mem-go1.27.csv"

# ---- package main: frames named main.F join by their file's directory ----
cp -r "$ROOT/testdata/hotmain" "$T/hm"
cp -r "$ROOT/testdata/hotmain" "$T/elsewhere"
"$ESCDB" --db "$T/hm.db" run -C "$T/hm" >"$T/run.out" 2>&1 || { notok "run hotmain"; sed 's/^/#   /' "$T/run.out"; }
(cd "$T/elsewhere" && go run ./cmd/app "$T/else.pprof" && go run -trimpath ./cmd/app "$T/trim.pprof") >"$T/go.out" 2>&1 ||
    { notok "go run hotmain"; sed 's/^/#   /' "$T/go.out"; }
for v in else trim; do
	"$ESCDB" --db "$T/hm.db" hot --profile "$T/$v.pprof" --format jsonl >"$T/$v.jsonl" 2>&1
	python3 - "$T/$v.jsonl" <<'PY' >"$T/py.out" 2>&1
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(rows[0]["func"], rows[0]["line"], rows[0]["file"], rows[0]["via"], sum(1 for r in rows if r["func"] == "main"))
PY
	if grep -q '^alloc 17 main.go direct [1-9]' "$T/py.out"; then ok "hot: package main joins by directory ($v)"; else
		notok "hot: package main joins by directory ($v)"; sed 's/^/#   /' "$T/py.out" | head -5; fi
done

check_exit "hot: a profile of other code" 0 "$ESCDB" --db "$T/hm.db" hot --profile "$T/mem.out"
grep -q "no sample has a frame in the run's packages" "$T/.err" && ok "hot: warns when no sample is in the run's packages" ||
    notok "hot: warns when no sample is in the run's packages"

# ---- malformed profiles: exit 2 with the file named ----
head -c 1000 "$P/mem-go1.26.pprof" >"$T/truncated.pprof"
: >"$T/empty.pprof"
cp "$ROOT/README.md" "$T/text.pprof"
printf '\037\213garbage-not-deflate' >"$T/badgz.pprof"
printf '\012\377\377\377\377\377\377\377\377\377\377\001' >"$T/varint.pprof"
head -c 3000 "$T/plain.pb" >"$T/cut.pb"
for c in "truncated:truncated gzip stream" "empty:empty file" "text:not gzip" \
    "badgz:bad gzip data" "varint:bad varint" "cut:runs past the end"; do
	n=${c%%:*} msg=${c#*:}
	f=$T/$n.pprof
	[ "$n" = cut ] && f=$T/cut.pb
	check_exit "hot: $n profile exits 2" 2 "$ESCDB" --db "$DB" hot --profile "$f"
	if grep -q "escdb: $f: .*$msg" "$T/.err"; then ok "hot: $n profile: clear message"; else
		notok "hot: $n profile: clear message"; sed 's/^/#   /' "$T/.err"; fi
done
check_exit "hot: missing profile file" 2 "$ESCDB" --db "$DB" hot --profile "$T/nope.pprof"
check_exit "hot: no --profile" 2 "$ESCDB" --db "$DB" hot
# ---- gate --profile --min-share: cold lines pass, hot lines fail ----
G=$T/g
GIT_CEILING_DIRECTORIES=$T
export GIT_CEILING_DIRECTORIES
unset GITHUB_STEP_SUMMARY
cp -r "$ROOT/testdata/hotbench" "$G"
gcommit() {
	(cd "$G" && git add -A && GIT_AUTHOR_DATE=2024-03-01T12:00:00Z GIT_COMMITTER_DATE=2024-03-01T12:00:00Z \
	    git -c user.name=t -c user.email=t@example.com -c commit.gpgsign=false commit -q -m "$1") >/dev/null 2>&1 ||
	    notok "git commit $1"
	"$ESCDB" --db "$DB" run -C "$G" --label "$1" >"$T/run.out" 2>&1 ||
	    { notok "run $1"; sed 's/^/#   /' "$T/run.out"; }
}
gprofile() {
	(cd "$G" && go test -run '^$' -bench Mix -benchtime=500x -memprofilerate 1 \
	    -memprofile "$T/$1.out" -o "$T/g.test" . >"$T/bench.out" 2>&1) ||
	    { notok "go test -memprofile ($1)"; sed 's/^/#   /' "$T/bench.out" | head; }
}
(cd "$G" && git init -q) && gcommit base
# a new escape on a cold line: Cold runs every 100th iteration
python3 - "$G/hotbench.go" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("func Cold(n int) *Pair {\n", "func Cold(n int) *Pair {\n\tsink = fmt.Sprint(n + 1000)\n")
open(p, "w").write(s)
PY
gcommit cold && gprofile cold
check_exit "gate: the cold change is a new finding without --profile" 1 \
    "$ESCDB" --db "$DB" gate --base base --head cold
check_exit "gate --min-share 5%: a new escape on a cold line passes" 0 \
    "$ESCDB" --db "$DB" gate --base base --head cold --profile "$T/cold.out" --min-share 5%
grep -q 'left out (--min-share)' "$T/.err" && ok "gate: says which new findings it left out" ||
    notok "gate: says which new findings it left out"
# a new escape on the hot line's function: Hot runs 64 times an iteration
(cd "$G" && git checkout -q HEAD~1 -- hotbench.go)
python3 - "$G/hotbench.go" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("\tr.Buf[i%len(r.Buf)] = byte(i)\n", "\tr.Buf[i%len(r.Buf)] = byte(i)\n\tr.Name = string(r.Buf[:i%16+8])\n")
open(p, "w").write(s)
PY
gcommit hot && gprofile hot
check_exit "gate --min-share 5%: a new escape on a hot line fails" 1 \
    "$ESCDB" --db "$DB" gate --base base --head hot --profile "$T/hot.out" --min-share 5%
grep -q 'string(r.Buf' "$T/.out" && ok "gate: names the hot new finding" || notok "gate: names the hot new finding"
check_exit "gate: --min-share without --profile" 2 "$ESCDB" --db "$DB" gate --base base --min-share 5%
check_exit "gate: bad --min-share" 2 "$ESCDB" --db "$DB" gate --base base --profile "$T/hot.out" --min-share 150%

# ---- explain and summary with --profile ----
check_exit "explain --profile" 0 "$ESCDB" --db "$DB" explain --run hot --profile "$T/hot.out" hotbench.go:22
grep -q '^  weight: .* alloc_space (.*% of the profile), .* alloc_objects, direct$' "$T/.out" &&
    ok "explain --profile: the weight line" || { notok "explain --profile: the weight line"; sed 's/^/#   /' "$T/.out"; }
check_exit "explain --profile: a line with a heap and a noescape finding" 0 \
    "$ESCDB" --db "$DB" explain --run base --profile "$T/mem.out" hotbench.go:29
check_eq "explain --profile: weight for the heap finding only" "$(grep -c '^  weight: ' "$T/.out")" 1
check_exit "explain --profile --format json" 0 "$ESCDB" --db "$DB" explain --run hot --profile "$T/hot.out" --format json hotbench.go:22
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert a[0]["bytes"] > 0 and 0 < a[0]["share"] <= 1' "$T/.out" &&
    ok "explain --profile: json bytes and share" || notok "explain --profile: json bytes and share"
check_exit "summary --profile" 0 "$ESCDB" --db "$DB" summary hot --profile "$T/hot.out" --by cause --format json
python3 - "$T/.out" "$T/hot.out" "$ESCDB" "$DB" <<'PY' >"$T/py.out" 2>&1
import json, subprocess, sys
s = json.load(open(sys.argv[1]))
rows = json.loads(subprocess.run([sys.argv[3], "--db", sys.argv[4], "hot", "--run", "hot", "--profile", sys.argv[2],
    "--format", "json"], capture_output=True, text=True).stdout)
on = sum(r["bytes"] for r in rows if r["explained"])
print("ok" if s["total"]["bytes"] == on == sum(r["bytes"] for r in s["rows"]) and on > 0 else "bad %s %s" % (s["total"], on))
PY
grep -q '^ok$' "$T/py.out" && ok "summary --profile: the cause rows add up to the findings' bytes" ||
    { notok "summary --profile: the cause rows add up to the findings' bytes"; sed 's/^/#   /' "$T/py.out"; }
check_exit "summary --profile --format html" 0 "$ESCDB" --db "$DB" summary hot --profile "$T/hot.out" --format html -o "$T/s.html"
grep -q 'The ten heaviest findings' "$T/s.html" && ok "summary html: the top ten" || notok "summary html: the top ten"
check_exit "summary --profile --by reason" 2 "$ESCDB" --db "$DB" summary --profile "$T/hot.out" --by reason
exit 0
