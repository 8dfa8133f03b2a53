#!/bin/sh
# history.sh REPO DB: the refactoring scenario of tests/t_refactor.sh.
#
# Copies base/ (module example.com/refactor, package svc) into a new git
# repository REPO, commits it and stores `escdb run` as run "base"; then
# for each steps/NN-NAME/ in order copies its files over the tree (its
# MESSAGE is the commit message), commits at a pinned date and stores a
# run labelled NN-NAME.  Steps 01-05 only restructure code (extract a
# method body, rename, move to a new file, insert a closure, reorder);
# 06 moves an allocation from First to Second (both old functions) and
# 07 adds one to Keep; 08 drops the closure of Counter (still present)
# while a new function Adder returns one: new, not extracted.
# Environment: ESCDB (the binary, default ./escdb).
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$1
DB=$2
ESCDB=${ESCDB:-./escdb}
[ -n "$REPO" ] && [ -n "$DB" ] || { echo "usage: history.sh REPO DB" >&2; exit 2; }
mkdir -p "$REPO"
cp -R "$HERE/base/." "$REPO/"
N=0
commit() {
	d="2025-01-$(printf %02d $((N + 1)))T12:00:00Z"
	(cd "$REPO" && git add -A && GIT_AUTHOR_DATE=$d GIT_COMMITTER_DATE=$d \
	    git -c user.name=t -c user.email=t@example.com -c commit.gpgsign=false \
	    commit -q -m "$1")
	"$ESCDB" --db "$DB" run -C "$REPO" --label "$2" >/dev/null
	N=$((N + 1))
}
(cd "$REPO" && git init -q .)
commit "base" base
for s in "$HERE"/steps/*/; do
	name=$(basename "$s")
	(cd "$s" && find . -type f ! -name MESSAGE) | while read -r f; do
		mkdir -p "$REPO/$(dirname "$f")"
		cp "$s/$f" "$REPO/$f"
	done
	commit "$(cat "$s/MESSAGE")" "$name"
done
