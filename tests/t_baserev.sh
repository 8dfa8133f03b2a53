#!/bin/sh
# gate --base-rev REV on a git history built here: without the base in the
# database it is built in a temporary worktree (go called, worktree gone),
# with it nothing is built (go not called); --format codequality; the
# composite action (action.yml) is valid YAML with the inputs the README
# documents, and the README's YAML examples parse.
. tests/lib.sh
py() { python3 - "$@"; }

# ---- action.yml and the README
if python3 -c 'import yaml' 2>/dev/null; then
	check "action.yml: a composite action with the README's inputs" py action.yml README.md <<'EOF'
import re, sys, yaml
a = yaml.safe_load(open(sys.argv[1]))
assert a["runs"]["using"] == "composite", a["runs"]
assert a["name"] and a["description"]
inputs = set(a["inputs"])
readme = open(sys.argv[2]).read()
sec = readme.split("### GitHub Actions", 1)[1].split("###", 1)[0]
documented = set(re.findall(r"^\| `([a-z-]+)` \|", sec, re.M))
assert documented == inputs, (sorted(documented), sorted(inputs))
for name, i in a["inputs"].items():
    assert i.get("description"), name
    assert i.get("required") in (None, False), name
steps = a["runs"]["steps"]
for s in steps:
    assert ("run" in s) != ("uses" in s), s
    if "run" in s:
        assert s.get("shell") == "bash", s
text = open(sys.argv[1]).read()
for used in re.findall(r"inputs\.([a-z-]+)", text):
    assert used in inputs, used
for name in inputs:
    assert "inputs." + name in text, "input %s unused" % name
assert "gate" in text and "--base-rev" in text and "upload-sarif" in text
assert any(s.get("id") == "gate" for s in steps)
# the README's workflow uses the action in at most five step lines
wf = re.search(r"```yaml\n(.*?)```", sec, re.S).group(1)
w = yaml.safe_load(wf)
st = w["jobs"]["escapes"]["steps"]
assert st[-1]["uses"].endswith("/escdb@main"), st
assert len(st) <= 3 and wf.count("\n      - ") <= 5, wf
EOF
	check "README: every YAML example parses" py README.md docs/ci.md <<'EOF'
import re, sys, yaml
n = 0
for f in sys.argv[1:]:
    for block in re.findall(r"```yaml\n(.*?)```", open(f).read(), re.S):
        yaml.safe_load(block)
        n += 1
assert n >= 4, n
EOF
else
	notok "python3 yaml module missing (tests/testdeps.sh installs python3-yaml)"
fi

command -v go >/dev/null 2>&1 && command -v git >/dev/null 2>&1 ||
    { ok "gate --base-rev: skipped (no go or git) # SKIP"; exit 0; }
GIT_CEILING_DIRECTORIES=$T
export GIT_CEILING_DIRECTORIES
g() { git -C "$R" -c user.name=t -c user.email=t@example.com "$@"; }

# ---- a history: the module sits in svc/ of the repository (a monorepo)
R=$T/repo
mkdir -p "$R/svc"
cp -r testdata/demo/. "$R/svc/"
echo "escdb.db*" >"$R/.gitignore"
g init -q
g add -A
GIT_COMMITTER_DATE=2026-01-05T10:00:00Z g commit -q -m base --date 2026-01-05T10:00:00Z
BASE=$(g rev-parse HEAD)
sed -i 's/^func New(/func Leak() *int { x := 1; return \&x }\n\nfunc New(/' "$R/svc/cache/cache.go"
grep -q 'func Leak' "$R/svc/cache/cache.go" || notok "test set-up: the head change"
GIT_COMMITTER_DATE=2026-01-06T10:00:00Z g commit -q -a -m head --date 2026-01-06T10:00:00Z
HEAD=$(g rev-parse HEAD)

# a go on PATH that records its calls, then runs the real one
REALGO=$(command -v go)
mkdir -p "$T/bin"
cat >"$T/bin/go" <<EOF
#!/bin/sh
echo "\$*" >>"$T/go.calls"
exec "$REALGO" "\$@"
EOF
chmod +x "$T/bin/go"
DB=$T/e.db
e() { (cd "$R/svc" && PATH="$T/bin:$PATH" "$ESCDB" --db "$DB" "$@"); }

check "the head run" e run
: >"$T/go.calls"
e gate --base-rev HEAD~1 --format json >"$T/gate1.json" 2>"$T/gate1.err"; st=$?
check_eq "base missing: gate exits 1 (a new escape)" "$st" 1
grep -q "no run of base commit ${BASE%"${BASE#????????????}"}; building it" "$T/gate1.err" &&
    ok "base missing: says it builds the base" || { notok "base missing: says it builds the base"; cat "$T/gate1.err"; }
grep -q "^build " "$T/go.calls" && ok "base missing: go build was called" || notok "base missing: go build was called"
check_eq "base missing: the base is stored under its commit" \
    "$(sq "$DB" "SELECT count(*) FROM run WHERE commit_id = '$BASE'")" 1
check_eq "base missing: its package directories are those of svc/" \
    "$(sq "$DB" "SELECT count(*) FROM package p JOIN run r ON r.id = p.run WHERE r.commit_id = '$BASE' AND p.dir LIKE '%/src/svc/%'")" 4
py "$T/gate1.json" <<'EOF' && ok "base missing: the report is JSON on stdout, naming the new finding" || notok "base missing: the report is JSON on stdout, naming the new finding"
import json, sys
v = json.load(open(sys.argv[1]))
new = [x for x in v if x["change"] == "new"]
assert len(new) == 1 and new[0]["message"] == "moved to heap: x" and new[0]["func"] == "Leak", v
EOF
check_eq "base missing: the worktree is removed" "$(g worktree list | wc -l)" 1
check_eq "base missing: no stray worktree metadata" "$(g worktree prune --dry-run -v 2>&1 | wc -l)" 0

: >"$T/go.calls"
e gate --base-rev "$BASE" --head "$HEAD" >"$T/gate2.out" 2>"$T/gate2.err"; st=$?
check_eq "base stored: gate exits 1" "$st" 1
[ -s "$T/go.calls" ] && { notok "base stored: go is not called"; cat "$T/go.calls"; } || ok "base stored: go is not called"
grep -q "building it" "$T/gate2.err" && notok "base stored: nothing built" || ok "base stored: nothing built"
check_eq "base stored: still two runs" "$(sq "$DB" "SELECT count(*) FROM run")" 2
grep -q "^+ .*cache/cache.go:[0-9]*:[0-9]*: *moved to heap: x" "$T/gate2.out" && ok "base stored: the new finding is named" ||
    { notok "base stored: the new finding is named"; cat "$T/gate2.out"; }
check_exit "gate --base-rev HEAD against itself passes" 0 e gate --base-rev HEAD --head "$HEAD"

# the action's own steps, run as GitHub runs them (bash -eo pipefail, the
# step's env and working directory, $GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY)
if python3 -c 'import yaml' 2>/dev/null; then
cat >"$T/action.py" <<'EOF2'
import os, re, subprocess, sys, yaml
action, wd, db, base, bindir, out = sys.argv[1:7]
a = yaml.safe_load(open(action))
inputs = {k: str(v.get("default", "")) for k, v in a["inputs"].items()}
inputs.update({"working-directory": wd, "database": db, "base-rev": base})
def expand(v):
    return re.sub(r"\$\{\{\s*inputs\.([a-z-]+)\s*\}\}", lambda m: inputs[m.group(1)], str(v))
steps = {s["name"]: s for s in a["runs"]["steps"]}
for name in ("Escape analysis of the head", "Gate against the base"):
    s = steps[name]
    env = dict(os.environ)
    env.update({k: expand(v) for k, v in s.get("env", {}).items()})
    env["PATH"] = bindir + ":" + env["PATH"]
    env["GITHUB_OUTPUT"] = out
    r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", s["run"]],
                       cwd=expand(s.get("working-directory", ".")), env=env)
    if r.returncode != 0:
        sys.exit("step %r exited %d" % (name, r.returncode))
EOF2
	rm -f "$DB"
	: >"$T/gh.out"
	: >"$T/gh.summary"
	mkdir -p "$T/escbin"
	ln -sf "$ESCDB" "$T/escbin/escdb"
	GITHUB_STEP_SUMMARY=$T/gh.summary python3 "$T/action.py" action.yml "$R/svc" "$DB" "$BASE" \
	    "$T/escbin" "$T/gh.out" >"$T/gh.log" 2>&1
	check_eq "action steps: run and gate succeed as steps" $? 0
	grep -q '^status=1$' "$T/gh.out" && grep -q '^compared=true$' "$T/gh.out" &&
	    ok "action steps: status=1 and compared in \$GITHUB_OUTPUT" ||
	    { notok "action steps: status=1 and compared in \$GITHUB_OUTPUT"; cat "$T/gh.out" "$T/gh.log" | head; }
	grep -q '^::error file=.*cache/cache.go,line=[0-9]*.*moved to heap: x' "$T/gh.log" &&
	    ok "action steps: the new escape is annotated" || { notok "action steps: the new escape is annotated"; head "$T/gh.log"; }
	grep -q 'moved to heap: x' "$T/gh.summary" && ok "action steps: the job summary names it" ||
	    notok "action steps: the job summary names it"
	check_eq "action steps: head and base stored" "$(sq "$DB" "SELECT count(*) FROM run")" 2
	: >"$T/gh.out"
	python3 "$T/action.py" action.yml "$R/svc" "$DB" 0000000000000000000000000000000000000000 \
	    "$T/escbin" "$T/gh.out" >"$T/gh.log" 2>&1
	grep -q '^status=0$' "$T/gh.out" && ! grep -q compared "$T/gh.out" &&
	    ok "action steps: no base (a new branch) stores the head only" || notok "action steps: no base (a new branch) stores the head only"
fi

# errors
check_exit "--base-rev of an unknown revision: exit 2" 2 e gate --base-rev no-such-branch
grep -q "no-such-branch" "$T/.err" && ok "unknown revision named" || notok "unknown revision named"
check_exit "--base and --base-rev together: exit 2" 2 e gate --base latest --base-rev HEAD
check_exit "--base-rev outside a repository: exit 2" 2 sh -c 'cd "$1" && "$2" --db "$3" gate --base-rev HEAD' - "$T" "$ESCDB" "$DB"

# a base that does not build: exit 3, nothing stored, worktree removed
sed -i 's/^func New(/func Broken() int { return "x" }\n\nfunc New(/' "$R/svc/cache/cache.go"
GIT_COMMITTER_DATE=2026-01-07T10:00:00Z g commit -q -a -m broken --date 2026-01-07T10:00:00Z
nruns=$(sq "$DB" "SELECT count(*) FROM run")
check_exit "a base that fails to build: exit 3" 3 e gate --base-rev HEAD --head "$HEAD"
check_eq "failed base: nothing stored" "$(sq "$DB" "SELECT count(*) FROM run")" "$nruns"
check_eq "failed base: the worktree is removed" "$(g worktree list | wc -l)" 1

# ---- --format codequality (GitLab)
e gate --base "$BASE" --head "$HEAD" --format codequality -o "$T/cq.json" 2>/dev/null
py "$T/cq.json" "$DB" <<'EOF' && ok "codequality: GitLab's fields, fingerprint = key, relative path" || notok "codequality: GitLab's fields, fingerprint = key, relative path"
import json, sqlite3, sys
v = json.load(open(sys.argv[1]))
assert isinstance(v, list) and len(v) == 1, v
e = v[0]
assert set(e) == {"description", "check_name", "fingerprint", "severity", "location"}, e
assert e["check_name"] == "escdb/moved" and e["severity"] == "major", e
assert e["description"].startswith("moved to heap: x"), e
# repository-relative once runs record their repo prefix, else module-relative
assert e["location"]["path"] in ("svc/cache/cache.go", "cache/cache.go"), e
assert isinstance(e["location"]["lines"]["begin"], int) and e["location"]["lines"]["begin"] > 0
keys = [r[0] for r in sqlite3.connect(sys.argv[2]).execute(
    "SELECT key FROM findings WHERE message = 'moved to heap: x'")]
assert e["fingerprint"] in keys, (e["fingerprint"], keys)
EOF
e diff "$BASE" "$HEAD" --format codequality >"$T/cq2.json" 2>/dev/null
py "$T/cq2.json" <<'EOF' && ok "diff --format codequality: new findings only" || notok "diff --format codequality: new findings only"
import json, sys
v = json.load(open(sys.argv[1]))
assert len(v) >= 1 and all(e["check_name"].startswith("escdb/") for e in v), v
assert {e["severity"] for e in v} <= {"major", "minor"}
EOF
e gate --base "$HEAD" --head "$HEAD" --format codequality >"$T/cq3.json" 2>/dev/null
check_eq "codequality with nothing new: an empty array" "$(tr -d ' \n' <"$T/cq3.json")" "[]"
