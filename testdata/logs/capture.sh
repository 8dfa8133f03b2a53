#!/usr/bin/env bash
# Regenerates the captured escape-analysis logs in testdata/logs/.
# Not run by the tests. Needs network access to the Go module proxy the first
# time, to fetch each toolchain (GOTOOLCHAIN=goX.Y.Z downloads it as a module).
#
# Usage: testdata/logs/capture.sh [VERSION...]    (default: all versions below)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
testdata=$(dirname "$here")
versions=("$@")
if [ ${#versions[@]} -eq 0 ]; then
	versions=(1.21.13 1.22.12 1.23.12 1.24.13 1.25.14 1.26.8 1.27.3)
fi

# -mod=mod replaces any GOFLAGS from the environment (e.g. -buildvcs=false).
export GOFLAGS=-mod=mod

for v in "${versions[@]}"; do
	export GOTOOLCHAIN=go$v
	# Fetch the toolchain first so "go: downloading" never lands in a log.
	(cd "$testdata/seeds" && go version) >/dev/null 2>&1 || { echo "cannot get go$v" >&2; exit 1; }
	echo "== go$v" >&2

	# -a forces every package to be recompiled, so every package's
	# diagnostics are printed even when the build cache is warm. The
	# -gcflags without a package pattern apply only to the named packages,
	# so the standard library is rebuilt silently.
	(cd "$testdata/seeds" && go build -a -gcflags='-m=2 -l' -o /dev/null ./... \
		>"$here/seeds-go$v-m2.log" 2>&1) || true
	(cd "$testdata/seeds" && go build -a -gcflags='-m -l' -o /dev/null ./... \
		>"$here/seeds-go$v-m1.log" 2>&1) || true
	(cd "$testdata/demo" && go build -a -gcflags='-m=2 -l' -o /dev/null ./... \
		>"$here/demo-go$v-m2.log" 2>&1) || true

	# logopt JSON form: one folder per package (URL-escaped import path),
	# one .json file per source file (JSON-lines, LSP-style diagnostics).
	tmp=$(mktemp -d)
	(cd "$testdata/seeds" && go build -a -gcflags="-json=0,file://$tmp -l" -o /dev/null ./... \
		>/dev/null 2>&1) || true
	rm -rf "$here/seeds-go$v-logopt"
	mkdir -p "$here/seeds-go$v-logopt"
	cp -R "$tmp"/. "$here/seeds-go$v-logopt/"
	rm -rf "$tmp"

	# Real-world module: gorilla/mux and gorilla/handlers (which depends on
	# felixge/httpsnoop) from the module proxy. -gcflags=PATTERN=FLAGS applies
	# to the matching packages only (the last matching -gcflags wins per
	# package); these three patterns are disjoint and match no standard
	# library package, so the std library is rebuilt silently. Logs over
	# 200 KB are stored xz-compressed.
	# Download the modules first so "go: downloading" never lands in the log.
	(cd "$testdata/realworld" && go mod download) >/dev/null 2>&1 || { echo "cannot download modules" >&2; exit 1; }
	(cd "$testdata/realworld" && go build -a \
		-gcflags='escdb.test/realworld/...=-m=2 -l' \
		-gcflags='github.com/gorilla/...=-m=2 -l' \
		-gcflags='github.com/felixge/...=-m=2 -l' \
		-o /dev/null . >"$here/realworld-go$v-m2.log" 2>&1) || true
	rm -f "$here/realworld-go$v-m2.log.xz"
	if [ "$(wc -c <"$here/realworld-go$v-m2.log")" -gt 204800 ]; then
		xz -9e "$here/realworld-go$v-m2.log"
	fi
done
