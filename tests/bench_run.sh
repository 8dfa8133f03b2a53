#!/bin/sh
# Called by tests/bench.sh.  escdb run against the plain build it wraps,
# go build -buildvcs=false -gcflags='-m=2 -l' -o /dev/null PKGS of the same
# packages, measured the benchstat way: alternating, PAIRS pairs (default
# 5), the median of the per-pair ratios with their min and max.
#  - warm: the build cache holds both sides' entries (one priming round);
#    on the standard library (std) and testdata/realworld (./...);
#  - cold: GOCACHE emptied before every measurement, both sides alike; on
#    testdata/realworld, and on std too with BENCH_COLD_STD=1 (each cold
#    std build compiles the whole library: minutes on a small machine).
# Each escdb run writes a fresh database; escdb's cache directory (its
# list of silent packages) is warm or cold with GOCACHE.  Figures, not pass/fail; the bars
# (warm <= 1.15x, cold <= 1.05x) are printed beside them.
ESCDB=${ESCDB:-./escdb}
case $ESCDB in /*) ;; *) ESCDB=$(pwd)/$ESCDB ;; esac
command -v go >/dev/null 2>&1 || { echo "bench run: skipped (no go)"; exit 0; }
ROOT=$(pwd) PAIRS=${PAIRS:-5} ESCDB=$ESCDB BENCH_COLD_STD=${BENCH_COLD_STD:-} \
BENCH_WARM_ONLY=${BENCH_WARM_ONLY:-} \
exec python3 - <<'EOF'
import os, shutil, statistics, subprocess, tempfile, time

root, escdb, pairs = os.environ["ROOT"], os.environ["ESCDB"], int(os.environ["PAIRS"])
tmp = tempfile.mkdtemp(prefix="escdb-bench-run.")
env = dict(os.environ, GOFLAGS="-mod=mod", GOTOOLCHAIN="local")

def timed(argv, cwd, env):
    t = time.perf_counter()
    p = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if p.returncode != 0:
        raise SystemExit("bench run: %s failed (exit %d)" % (" ".join(argv), p.returncode))
    return time.perf_counter() - t

def sides(name, cwd, pats, env):
    build = ["go", "build", "-buildvcs=false", "-gcflags=-m=2 -l", "-o", "/dev/null"] + pats
    db = os.path.join(tmp, name + ".db")
    def run():
        for suf in ("", "-wal", "-shm"):
            if os.path.exists(db + suf):
                os.remove(db + suf)
        return ["%s" % escdb, "--db", db, "run", "-C", cwd, "--commit", "bench",
                "--date", "2026-01-01"] + pats
    return build, run

def measure(name, cwd, pats, cold):
    e = dict(env)
    cache = os.path.join(tmp, "cache-" + name)
    ecache = os.path.join(tmp, "escdb-cache-" + name)
    e["ESCDB_CACHE"] = ecache
    if cold:
        e["GOCACHE"] = cache
    build, run = sides(name, cwd, pats, e)
    if not cold:
        timed(build, cwd, e)
        timed(run(), cwd, e)
    tb, tr, ratios = [], [], []
    for i in range(pairs):
        order = [0, 1] if i % 2 == 0 else [1, 0]
        got = {}
        for side in order:
            if cold:
                shutil.rmtree(cache, ignore_errors=True)
                shutil.rmtree(ecache, ignore_errors=True)
            got[side] = timed(build if side == 0 else run(), cwd, e)
        tb.append(got[0]); tr.append(got[1]); ratios.append(got[1] / got[0])
    bar = 1.05 if cold else 1.15
    med = statistics.median(ratios)
    print("run %-4s %-9s go build %6.2f s  escdb run %6.2f s  ratio %.2fx (min %.2f, max %.2f; %d pairs)  bar %.2fx: %s"
          % ("cold" if cold else "warm", name, statistics.median(tb), statistics.median(tr),
             med, min(ratios), max(ratios), pairs, bar, "met" if med <= bar else "NOT met"), flush=True)

try:
    rw = os.path.join(root, "testdata", "realworld")
    measure("realworld", rw, ["./..."], False)
    measure("std", rw, ["std"], False)
    if not os.environ.get("BENCH_WARM_ONLY"):
        measure("realworld", rw, ["./..."], True)
    if os.environ.get("BENCH_COLD_STD") and not os.environ.get("BENCH_WARM_ONLY"):
        measure("std", rw, ["std"], True)
finally:
    subprocess.run(["chmod", "-R", "u+w", tmp])
    shutil.rmtree(tmp, ignore_errors=True)
EOF
