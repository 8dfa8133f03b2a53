#!/bin/sh
# t_pcache: run's parse cache (store/ingest_cache.c).  With the local go
# and go1.27.3 (skipped when that toolchain cannot be had), on the demo
# and the seeds, and on the standard library with the local go:
#  - a run that fills the cache, one that reads it and one without it
#    store the same findings, flows, packages and line counts;
#  - the second run used the entries (an entry made old is touched);
#  - a function renamed without changing the compiler's output (same
#    length, Go 1.2x names no function in a "does not escape" line) is
#    stored under its new name: the entry's source file changed;
#  - output cut right after an explanation block's heading is refused;
#  - damaged entries (a byte flipped, cut short, a directory, a link to
#    /dev/zero) are misses: same result, no message;
#  - a 20 MiB line in a block: as without the cache;
#  - on std, the second run uses every entry, the largest blocks too;
#  - entries loaded ahead while go build prints nothing (the last run's
#    order): one not used leaves no text behind;
#  - a run into a database that holds runs already (its texts read in at
#    the start) stores what it stores alone, and no text twice;
#  - entries not used for five days go at the next daily trim;
#  - std (normal build only) as the modules.
. tests/lib.sh
unset ESCDB_DB
command -v go >/dev/null 2>&1 || { ok "pcache: skipped (no go) # SKIP"; exit 0; }

# what a run stored, without its id, date or input
dump() {
	"$ESCDB" --db "$1" export --format jsonl | sed 's/"run":[0-9]*,//'
	sq "$1" "SELECT s.s, p.dir, p.nfindings FROM package p JOIN str s ON s.id = p.name ORDER BY 1"
	sq "$1" "SELECT nlines, nfindings, norphans, nwarnings, form FROM run"
	sq "$1" "SELECT class, n FROM line_class ORDER BY 1"
	sq "$1" "SELECT text, class, first_line, n FROM kept_line ORDER BY 1"
}
entries() { find "$1/parse-v1" -type f ! -name trim.txt 2>/dev/null | wc -l | tr -d ' '; }

for V in local go1.27.3; do
	export GOTOOLCHAIN=$V
	if ! (cd "$ROOT/testdata/demo" && go version) >/dev/null 2>&1; then
		ok "pcache $V: skipped (toolchain not available) # SKIP"
		continue
	fi
	for mod in demo seeds; do
		m=$T/$V-$mod
		mkdir -p "$m"
		cp -R "$ROOT/testdata/$mod/." "$m/"
		C=$T/cache-$V-$mod
		ESCDB_CACHE=off "$ESCDB" --db "$T/off.db" run -C "$m" >/dev/null 2>"$T/err0"
		ESCDB_CACHE=$C "$ESCDB" --db "$T/fill.db" run -C "$m" >/dev/null 2>"$T/err1"
		n1=$(entries "$C")
		# every entry made two hours old: a run that uses one touches it
		find "$C/parse-v1" -type f ! -name trim.txt -exec touch -d '2 hours ago' {} +
		ESCDB_CACHE=$C "$ESCDB" --db "$T/read.db" run -C "$m" >/dev/null 2>"$T/err2"
		check_eq "pcache $V $mod: the runs exit 0 quietly" \
		    "$(cat "$T/err0" "$T/err1" "$T/err2")" ""
		check "pcache $V $mod: the first run fills the cache" test "$n1" -gt 0
		check_eq "pcache $V $mod: the second run reads every entry and writes none" \
		    "$(find "$C/parse-v1" -type f ! -name trim.txt -mmin +60 | wc -l | tr -d ' ')|$(entries "$C")" "0|$n1"
		dump "$T/off.db" >"$T/d0"
		dump "$T/fill.db" >"$T/d1"
		dump "$T/read.db" >"$T/d2"
		check "pcache $V $mod: filling the cache stores what no cache stores" cmp "$T/d0" "$T/d1"
		check "pcache $V $mod: reading it stores the same" cmp "$T/d0" "$T/d2"
		# again into that database: its texts are all found again
		n0=$(sq "$T/read.db" "SELECT count(*) FROM str")
		ESCDB_CACHE=$C "$ESCDB" --db "$T/read.db" run -C "$m" >/dev/null 2>&1
		"$ESCDB" --db "$T/read.db" export --format jsonl | sed 's/"run":[0-9]*,//' >"$T/d3"
		"$ESCDB" --db "$T/off.db" export --format jsonl | sed 's/"run":[0-9]*,//' >"$T/d4"
		check_eq "pcache $V $mod: a second run into the database adds no text" \
		    "$(sq "$T/read.db" "SELECT count(*), count(DISTINCT s) FROM str")" "$n0|$n0"
		check "pcache $V $mod: ... and stores what the first stored" cmp "$T/d3" "$T/d4"
		rm -f "$T/off.db" "$T/fill.db" "$T/read.db"
	done

	# a function renamed, the compiler's output unchanged
	m=$T/$V-rename
	mkdir -p "$m/p"
	printf 'module escdb.test/rename\n\ngo 1.21\n' >"$m/go.mod"
	printf 'package p\n\nfunc Old(p *int) int { return *p }\n' >"$m/p/p.go"
	C=$T/cache-$V-rename
	ESCDB_CACHE=$C "$ESCDB" --db "$T/ren-$V.db" run -C "$m" >/dev/null 2>&1
	sed -i 's/func Old/func Neu/' "$m/p/p.go"
	ESCDB_CACHE=$C "$ESCDB" --db "$T/ren-$V.db" run -C "$m" >/dev/null 2>&1
	check_eq "pcache $V: the output did not change with the rename" \
	    "$(sq "$T/ren-$V.db" "SELECT count(DISTINCT message || line || col) FROM findings")" 1
	check_eq "pcache $V: a renamed function is stored under its new name" \
	    "$(sq "$T/ren-$V.db" "SELECT group_concat(func, ' ') FROM (SELECT func FROM findings ORDER BY run)")" \
	    "Old Neu"
done
export GOTOOLCHAIN=local

# ---- damaged entries ----
m=$T/dmg
mkdir -p "$m"
cp -R "$ROOT/testdata/demo/." "$m/"
C=$T/cache-dmg
ESCDB_CACHE=off "$ESCDB" --db "$T/dmg-off.db" run -C "$m" >/dev/null 2>&1
dump "$T/dmg-off.db" >"$T/dd0"
damage() {
	ESCDB_CACHE=$C "$ESCDB" --db "$T/dmg-fill.db" run -C "$m" >/dev/null 2>&1
	rm -f "$T/dmg-fill.db"
	for e in $(find "$C/parse-v1" -type f ! -name trim.txt); do "$@" "$e"; done
	ESCDB_CACHE=$C "$ESCDB" --db "$T/dmg.db" run -C "$m" >/dev/null 2>"$T/dmg.err"
	check_eq "pcache: ${1#dmg_} entries: exit 0, no message" "$?|$(cat "$T/dmg.err")" "0|"
	dump "$T/dmg.db" >"$T/dd1"
	check "pcache: ${1#dmg_} entries: the findings of a run without the cache" cmp "$T/dd0" "$T/dd1"
	rm -rf "$T/dmg.db" "$C"
}
dmg_flip() { python3 -c "import sys;p=sys.argv[1];b=bytearray(open(p,'rb').read());b[len(b)//2]^=0x20;open(p,'wb').write(b)" "$1"; }
dmg_cut() { python3 -c "import sys;p=sys.argv[1];b=open(p,'rb').read();open(p,'wb').write(b[:len(b)*2//3])" "$1"; }
dmg_dir() { rm -f "$1"; mkdir "$1"; }
dmg_zero() { rm -f "$1"; ln -s /dev/zero "$1"; }
damage dmg_flip
damage dmg_cut
damage dmg_dir
damage dmg_zero

# ---- output cut right after an explanation block's heading ----
# A go on PATH prints the real build's output up to its first block
# heading and exits 0; the cache was filled from the whole output.
REALGO=$(command -v go)
mkdir -p "$T/bin"
cat >"$T/bin/go" <<EOF
#!/bin/sh
case "\$1" in
build)	"$REALGO" "\$@" >"$T/whole.out" 2>&1
	awk '{ print } /escapes to heap in [^ ]*:\$/ { exit }' "$T/whole.out" ;;
*)	exec "$REALGO" "\$@" ;;
esac
EOF
chmod +x "$T/bin/go"
ESCDB_CACHE=$C "$ESCDB" --db "$T/cutfill.db" run -C "$m" >/dev/null 2>&1
PATH=$T/bin:$PATH ESCDB_CACHE=$C "$ESCDB" --db "$T/cut.db" run -C "$m" >/dev/null 2>"$T/cut.err"
check_eq "pcache: output cut after a block heading is refused, cache or not" \
    "$?|$(grep -c 'cut short' "$T/cut.err")" "2|1"
check "pcache: ... and stores nothing" test ! -e "$T/cut.db"

# ---- a line longer than the parser keeps, inside a block ----
mkdir -p "$T/bin2"
cat >"$T/bin2/go" <<EOF
#!/bin/sh
case "\$1" in
build)	"$REALGO" "\$@" >"$T/whole2.out" 2>&1
	rc=\$?
	head -n 3 "$T/whole2.out"
	python3 -c "import sys; sys.stdout.write('x' * (20 << 20) + '\\n')"
	tail -n +4 "$T/whole2.out"
	exit \$rc ;;
*)	exec "$REALGO" "\$@" ;;
esac
EOF
chmod +x "$T/bin2/go"
PATH=$T/bin2:$PATH ESCDB_CACHE=off "$ESCDB" --db "$T/long0.db" run -C "$m" >/dev/null 2>"$T/long0.err"
PATH=$T/bin2:$PATH ESCDB_CACHE=$C "$ESCDB" --db "$T/long1.db" run -C "$m" >/dev/null 2>"$T/long1.err"
check_eq "pcache: a 20 MiB line: the same warnings with the cache as without" \
    "$(cat "$T/long1.err")" "$(cat "$T/long0.err")"
check "pcache: ... one of them about its length" grep -q 'longer than 16 MiB' "$T/long1.err"
dump "$T/long0.db" >"$T/l0"
dump "$T/long1.db" >"$T/l1"
check "pcache: ... and the same run stored" cmp "$T/l0" "$T/l1"
rm -f "$T/long0.db" "$T/long1.db" "$T/whole2.out"

# ---- the prefetch: entries loaded while go build prints nothing ----
# A go on PATH that waits before the build, so that the run has time to
# load ahead the entries its last run used.  Package a's output depends
# on package b's code, not on a's sources: when b stops leaking its
# parameter, a's old entry still loads (its sources did not change) but
# no block of a comes, and none of its texts may stay in the database.
# (pm and PC: the sections after use m and C as the sections before set them)
mkdir -p "$T/bin3"
cat >"$T/bin3/go" <<EOF
#!/bin/sh
case "\$1" in
build)	sleep 1 ;;
esac
exec "$REALGO" "\$@"
EOF
chmod +x "$T/bin3/go"
pm=$T/pf
mkdir -p "$pm/a" "$pm/b"
printf 'module escdb.test/pf\n\ngo 1.21\n' >"$pm/go.mod"
printf 'package a\n\nimport "escdb.test/pf/b"\n\nfunc UseA() int {\n\tescdbProbeX := 7\n\treturn b.Keep(&escdbProbeX)\n}\n' >"$pm/a/a.go"
printf 'package b\n\nvar G *int\n\nfunc Keep(p *int) int { G = p; return *p }\n' >"$pm/b/b.go"
PC=$T/cache-pf
PATH=$T/bin3:$PATH ESCDB_CACHE=$PC "$ESCDB" --db "$T/pf1.db" run -C "$pm" >/dev/null 2>&1
check_eq "pcache prefetch: the first run keeps its order of blocks" \
    "$(find "$PC/parse-v1" -type f -exec grep -l ESCDBPO1 {} + | wc -l | tr -d ' ')" 1
check "pcache prefetch: ... and a's texts are stored" \
    test "$(sq "$T/pf1.db" "SELECT count(*) FROM str WHERE s LIKE '%escdbProbe%'")" -gt 0
printf 'package b\n\nvar G *int\n\nfunc Keep(p *int) int { return *p }\n' >"$pm/b/b.go"
PATH=$T/bin3:$PATH ESCDB_CACHE=$PC "$ESCDB" --db "$T/pf2.db" run -C "$pm" >/dev/null 2>"$T/pf2.err"
ESCDB_CACHE=off "$ESCDB" --db "$T/pf0.db" run -C "$pm" >/dev/null 2>&1
check_eq "pcache prefetch: the run exits quietly" "$(cat "$T/pf2.err")" ""
dump "$T/pf0.db" >"$T/p0"
dump "$T/pf2.db" >"$T/p2"
check "pcache prefetch: it stores what no cache stores" cmp "$T/p0" "$T/p2"
check_eq "pcache prefetch: no text of the entry loaded ahead and not used stays" \
    "$(sq "$T/pf2.db" "SELECT count(*) FROM str WHERE s LIKE '%escdbProbe%'")" 0
check_eq "pcache prefetch: ... the texts are those of a run without the cache" \
    "$(sq "$T/pf2.db" "SELECT s FROM str ORDER BY s" | md5sum)" \
    "$(sq "$T/pf0.db" "SELECT s FROM str ORDER BY s" | md5sum)"
# b leaks again: a's entry is loaded ahead and used
printf 'package b\n\nvar G *int\n\nfunc Keep(p *int) int { G = p; return *p }\n' >"$pm/b/b.go"
PATH=$T/bin3:$PATH ESCDB_CACHE=$PC "$ESCDB" --db "$T/pf3.db" run -C "$pm" >/dev/null 2>&1
ESCDB_CACHE=off "$ESCDB" --db "$T/pf4.db" run -C "$pm" >/dev/null 2>&1
dump "$T/pf3.db" >"$T/p3"
dump "$T/pf4.db" >"$T/p4"
check "pcache prefetch: an entry loaded ahead and used stores what no cache stores" cmp "$T/p4" "$T/p3"
rm -f "$T"/pf[0-4].db

# ---- the trim ----
ESCDB_CACHE=$C "$ESCDB" --db "$T/t1.db" run -C "$m" >/dev/null 2>&1
n=$(entries "$C")
used=$(find "$C/parse-v1" -type f ! -name trim.txt | head -n 1)
# entries no run of this module makes: one unused for six days, one new
mkdir -p "$C/parse-v1/ab"
echo stale >"$C/parse-v1/ab/stale" && touch -d '6 days ago' "$C/parse-v1/ab/stale"
echo fresh >"$C/parse-v1/ab/fresh"
touch -d '6 days ago' "$used"
ESCDB_CACHE=$C "$ESCDB" --db "$T/t2.db" run -C "$m" >/dev/null 2>&1
check "pcache: no trim within a day of the last" test -e "$C/parse-v1/ab/stale"
check_eq "pcache: ... and that run touched the entries it used" "$(find "$used" -mmin -60 | wc -l | tr -d ' ')" 1
touch -d '2 days ago' "$C/parse-v1/trim.txt"
rm -f "$T/t2.db"
ESCDB_CACHE=$C "$ESCDB" --db "$T/t2.db" run -C "$m" >/dev/null 2>&1
check_eq "pcache: the daily trim removes an entry unused for five days, keeps the others" \
    "$(test -e "$C/parse-v1/ab/stale" && echo kept)|$(cat "$C/parse-v1/ab/fresh")|$(entries "$C")" "|fresh|$((n + 1))"
check_eq "pcache: ... and dates the trim" "$(find "$C/parse-v1/trim.txt" -mmin -60 | wc -l | tr -d ' ')" 1

# ---- the standard library ----
# Under the sanitizer build only the modules above: it would parse std's
# 85 MB three times in the longer of make check's two halves.
case $ESCDB in */asan/*) exit 0 ;; esac
S=$T/cache-std
for i in 1 2; do
	(cd "$ROOT/testdata/demo" && ESCDB_CACHE=$S "$ESCDB" --db "$T/std$i.db" run std >/dev/null 2>"$T/std$i.err")
	# the second run must use every entry: go/types alone prints some
	# 50 MB (Go 1.26), a block read in many pieces and hashed as it passes
	[ $i = 1 ] && find "$S/parse-v1" -type f ! -name trim.txt -exec touch -d '2 hours ago' {} +
done
check_eq "pcache std: the second run reads every entry and writes none" \
    "$(find "$S/parse-v1" -type f ! -name trim.txt -mmin +60 | wc -l | tr -d ' ')" 0
(cd "$ROOT/testdata/demo" && ESCDB_CACHE=off "$ESCDB" --db "$T/std0.db" run std >/dev/null 2>&1)
check_eq "pcache std: the runs exit quietly" "$(cat "$T/std1.err" "$T/std2.err")" ""
dump "$T/std0.db" >"$T/s0"
dump "$T/std1.db" >"$T/s1"
dump "$T/std2.db" >"$T/s2"
check "pcache std: filling the cache stores what no cache stores" cmp "$T/s0" "$T/s1"
check "pcache std: reading it stores the same" cmp "$T/s0" "$T/s2"
check "pcache std: findings were stored" test "$(wc -l <"$T/s0")" -gt 10000
exit 0
