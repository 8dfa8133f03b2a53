#!/bin/sh
# make demo: runs escdb on the Go module in testdata/demo into a fresh
# database (demo.db) and prints the summary.
set -e
PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "make demo needs Go (https://go.dev/dl/)"; exit 1; }
db=${DEMO_DB:-demo.db}
rm -f "$db" "$db-wal" "$db-shm"
echo "\$ escdb --db $db run -C testdata/demo"
./escdb --db "$db" run -C testdata/demo --label demo
echo
echo "\$ escdb --db $db summary"
./escdb --db "$db" summary
echo
echo "\$ escdb --db $db summary --by cause"
./escdb --db "$db" summary --by cause
