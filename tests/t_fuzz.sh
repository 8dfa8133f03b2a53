#!/bin/sh
# Brief libFuzzer runs (FUZZ_CHECK_SECONDS each, default 20, all at once) of every
# tests/fuzz/fuzz_NAME.c target; make fuzz runs them for longer.  Run
# once: skipped, printing nothing, under the ASan pass (the targets are
# built with ASan+UBSan themselves).
. tests/lib.sh
case $ESCDB in */asan/*) exit 0 ;; esac
if ! command -v clang >/dev/null; then
	notok "fuzz: clang not installed (tests/testdeps.sh installs it)"; exit 0
fi
if ! make -s fuzz-build >"$T/b" 2>&1; then
	notok "fuzz: build"; sed 's/^/#   /' "$T/b" | head -30; exit 0
fi
# run.sh prints ok/not ok lines; sanitizer text stays in build/fuzz/check/NAME.log
FUZZ_OUT=build/fuzz/check FUZZ_PARALLEL=1 sh tests/fuzz/run.sh "${FUZZ_CHECK_SECONDS:-20}" | grep -v 'runtime error\|ERROR: \(Address\|Leak\)Sanitizer'
exit 0
