#!/usr/bin/env python3
"""Helper of tests/t_oracle.sh: checks escdb against the Go repository's
own escape-analysis tests ($GOROOT/test/escape*.go, "errorcheck" files).

  oracle.py prepare GOROOT_TEST MODDIR
      Copies each usable errorcheck file into MODDIR/NAME/NAME.go (one
      package per file, one module "escape.test"), with an empty .s file
      beside it so bodyless function declarations build.  Prints one line
      "skip FILE: REASON" per escape*.go file it does not use.

  oracle.py check MODDIR EXPORT.jsonl RAW.log
      EXPORT.jsonl: `escdb export --format jsonl` of a run of MODDIR;
      RAW.log: `go build -gcflags='-m -l' ./...` output of MODDIR.
      Prints "ok - oracle FILE" or "not ok - oracle FILE: N mismatches"
      per file, then up to 10 "#   LINE: ..." comment lines.

Matching follows cmd/internal/testdir (errorCheck, wantedErrors): on a
source line, the quoted regexps after "// ERROR" are taken in order; each
one must match (unanchored) at least one message of that line not yet
consumed by an earlier regexp, and consumes every message it matches;
messages left over are unmatched.  A line containing "////" has no
ERROR comment.  The messages compared are escdb's stored findings of the
file (kind capture excluded: "capturing by" is -m=2 only).

Two more checks, against the raw compiler output of the same module:
  - a regexp that matches no finding but matches a raw line escdb does
    not store as a finding (inlining, devirtualizing, bounds checks) is
    printed as "#   LINE: not a finding: ..." and is not a mismatch;
  - the multiset of finding messages on each line must equal the raw
    compiler's escape messages on that line (escdb dropped, duplicated
    or altered a verdict otherwise); reported as "raw:" mismatches.
"""

import json
import os
import re
import sys
from collections import Counter, defaultdict

HEADER = "// errorcheck -0 -m -l"

# Lines of compiler output that escdb classifies as not being findings.
NONFINDING = re.compile(
    r"^(can inline |cannot inline |inlining call to |"
    r"(partially )?devirtualizing |.*bounds check|Found Is(Slice)?InBounds)")

ERR_RX = re.compile(r"// (?:GC_)?ERROR (.*)")
ERRAUTO_RX = re.compile(r"// (?:GC_)?ERRORAUTO (.*)")
QUOTES_RX = re.compile(r'"([^"]*)"')
LINE_RX = re.compile(r"LINE(([+-])(\d+))?")

# Files with the right header that still cannot be built as an ordinary
# package of a user module.
SPECIAL = {
    "escape_runtime_atomic.go":
        "imports internal/runtime/atomic, not importable outside std",
}


def go_to_py(rx):
    """Go RE2 syntax to Python re.  The files use only the common subset;
    translate the few RE2-only spellings should they ever appear."""
    rx = rx.replace(r"\z", r"\Z")
    rx = re.sub(r"\(\?P<", "(?P<", rx)
    rx = rx.replace(r"\pL", r"[^\W\d_]").replace(r"\p{L}", r"[^\W\d_]")
    rx = rx.replace(r"\pN", r"\d").replace(r"\p{N}", r"\d")
    return rx


def prepare(testdir, moddir):
    os.makedirs(moddir, exist_ok=True)
    with open(os.path.join(moddir, "go.mod"), "w") as f:
        # The oracle expects this toolchain's semantics (loop variables
        # per iteration since 1.22, range-over-func): the GOROOT version.
        f.write("module escape.test\n\ngo %s\n" % goversion(testdir))
    for name in sorted(os.listdir(testdir)):
        if not (name.startswith("escape") and name.endswith(".go")):
            continue
        path = os.path.join(testdir, name)
        with open(path, encoding="utf-8") as f:
            src = f.read()
        first = src.split("\n", 1)[0].rstrip()
        if not first.startswith("// errorcheck"):
            print("skip %s: not an errorcheck test (%s)" % (name, first))
            continue
        if first != HEADER:
            rest = first[len("// errorcheck"):].strip()
            print("skip %s: flags %s, not exactly -0 -m -l" % (name, rest))
            continue
        if name in SPECIAL:
            print("skip %s: %s" % (name, SPECIAL[name]))
            continue
        if re.search(r"^//go:build", src, re.M):
            print("skip %s: has a //go:build constraint" % name)
            continue
        pkg = name[:-3]
        d = os.path.join(moddir, pkg)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name), "w", encoding="utf-8") as f:
            f.write(src)
        # bodyless declarations need an assembly file in the package;
        # an empty one is harmless elsewhere
        open(os.path.join(d, "empty.s"), "w").close()


def goversion(testdir):
    vf = os.path.join(os.path.dirname(os.path.abspath(testdir)), "VERSION")
    try:
        with open(vf) as f:
            m = re.match(r"go(\d+)\.(\d+)", f.readline())
            if m:
                return "%s.%s" % (m.group(1), m.group(2))
    except OSError:
        pass
    return "1.22"


def wanted(path):
    """{line: [regexp source, ...]} of a source file, as testdir reads it."""
    want = {}
    short = os.path.basename(path)
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines):
        n = i + 1
        if "////" in line:
            continue
        m = ERRAUTO_RX.search(line)
        if m:
            continue        # <autogenerated> messages: not in this check
        m = ERR_RX.search(line)
        if not m:
            continue
        rxs = []
        for q in QUOTES_RX.findall(m.group(1)):
            def repl(mm, n=n):
                k = n
                if mm.group(2) == "+":
                    k += int(mm.group(3))
                elif mm.group(2) == "-":
                    k -= int(mm.group(3))
                return "%s:%d" % (short, k)
            rxs.append(LINE_RX.sub(repl, q))
        if rxs:
            want[n] = rxs
    return want


POS_RX = re.compile(r"^(.*?\.go):(\d+):(?:\d+:)? (.*)$")


def read_raw(path):
    """{(pkgdir, line): [message, ...]} from go build -m output."""
    raw = defaultdict(list)
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line.startswith("#") or line.startswith("\t"):
                continue
            m = POS_RX.match(line)
            if not m:
                continue
            file = m.group(1)
            if file.startswith("./"):
                file = file[2:]
            parts = file.split("/")
            if len(parts) != 2 or parts[1] != parts[0] + ".go":
                continue    # $GOROOT/... positions of instantiated generics
            raw[(parts[0], int(m.group(2)))].append(m.group(3))
    return raw


def read_export(path):
    got = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            o = json.loads(line)
            if o["kind"] == "capture":
                continue
            pkg = o["package"].rsplit("/", 1)[-1]
            if o["file"] != pkg + ".go":
                continue
            got[(pkg, o["line"])].append(o["message"])
    return got


def check_file(pkg, src, got, raw):
    """Returns (mismatch texts, note texts)."""
    bad, notes = [], []
    want = wanted(src)
    lines = sorted(set(want) | {l for (p, l) in got if p == pkg}
                   | {l for (p, l) in raw if p == pkg})
    for n in lines:
        msgs = list(got.get((pkg, n), []))
        rawmsgs = raw.get((pkg, n), [])
        rawnon = [m for m in rawmsgs if NONFINDING.match(m)]
        rawesc = [m for m in rawmsgs if not NONFINDING.match(m)]
        for rs in want.get(n, []):
            rx = re.compile(go_to_py(rs))
            hit = [m for m in msgs if rx.search(m)]
            if not hit:
                if any(rx.search(m) for m in rawnon):
                    notes.append("%d: not a finding: regexp %s matches %s"
                                 % (n, json.dumps(rs), json.dumps(
                                     [m for m in rawnon if rx.search(m)][0])))
                    continue
                what = "missing" if not msgs else "no match in %s" % json.dumps(msgs)
                rawok = any(rx.search(m) for m in rawesc)
                bad.append("%d: regexp %s: %s (raw compiler: %s)" % (
                    n, json.dumps(rs), what,
                    "matches" if rawok else "no match either"))
                continue
            msgs = [m for m in msgs if not rx.search(m)]
        for m in msgs:
            bad.append("%d: unmatched finding %s (raw compiler: %s)" % (
                n, json.dumps(m), "has it" if m in rawesc else "lacks it"))
        g, r = Counter(got.get((pkg, n), [])), Counter(rawesc)
        if g != r:
            extra = list((g - r).elements())
            lost = list((r - g).elements())
            bad.append("%d: raw: escdb stored %s more, %s fewer than the compiler"
                       % (n, json.dumps(extra), json.dumps(lost)))
    return bad, notes


def check(moddir, export, rawlog):
    got = read_export(export)
    raw = read_raw(rawlog)
    nbad = 0
    for pkg in sorted(os.listdir(moddir)):
        src = os.path.join(moddir, pkg, pkg + ".go")
        if not os.path.isfile(src):
            continue
        bad, notes = check_file(pkg, src, got, raw)
        name = pkg + ".go"
        if bad:
            nbad += 1
            print("not ok - oracle %s: %d mismatches" % (name, len(bad)))
        else:
            print("ok - oracle %s" % name)
        for t in (bad + notes)[:10]:
            print("#   " + t)
    return nbad


def main(argv):
    if len(argv) == 4 and argv[1] == "prepare":
        prepare(argv[2], argv[3])
        return 0
    if len(argv) == 5 and argv[1] == "check":
        check(argv[2], argv[3], argv[4])
        return 0
    sys.stderr.write("usage: oracle.py prepare GOROOT_TEST MODDIR\n"
                     "       oracle.py check MODDIR EXPORT.jsonl RAW.log\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
