#!/bin/sh
# Builds and runs the funcscan unit test standalone (the Makefile's
# `make check` builds it too): once optimised, once under ASan+UBSan.
# Usage: sh tests/unit/run_funcscan.sh   (from anywhere)
set -e
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${TMPDIR:-/tmp}/escdb-funcscan.$$
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT
CC=${CC:-cc}
FLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -I$root -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror"
SRC="$root/tests/unit/test_funcscan.c $root/parser/funcscan.c $root/lib/util.c"
$CC $FLAGS -O2 -o "$out/t" $SRC
"$out/t"
$CC $FLAGS -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -o "$out/t-asan" $SRC
"$out/t-asan"
