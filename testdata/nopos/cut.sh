#!/bin/sh
# Cuts the whole package sections that hold Go 1.26+'s position-less
# range-over-func lines ("<unknown line number>: ...", "moved to heap:
# #next", "F capturing by ref: #next (...)") and "imprecise interface call"
# out of a `go build -a -gcflags='-m=2 -l' std` (or -m -l) log:
#   sh testdata/nopos/cut.sh FULL.log > std-goX-mN.log
# The logs here were captured on linux/amd64 with go1.26.8 (/usr/local/go)
# and GOTOOLCHAIN=go1.27.3.
awk '
/^# / { keep = ($0 == "# go/build/constraint" || $0 == "# internal/buildcfg" ||
                $0 == "# crypto/internal/fips140/tls13") }
keep' "$1"
