#!/bin/sh
# Installs what the tests need beyond the build: the sqlite3 and xz
# command-line tools, mandoc (man page lint), python3 (JSON/CSV checks)
# with its yaml module.
need=""
command -v sqlite3 >/dev/null || need="$need sqlite3"
command -v xz >/dev/null || need="$need xz-utils"
command -v mandoc >/dev/null || need="$need mandoc"
command -v python3 >/dev/null || need="$need python3"
# action.yml is checked as YAML (tests/t_baserev.sh)
python3 -c 'import yaml' 2>/dev/null || need="$need python3-yaml"
command -v cppcheck >/dev/null || need="$need cppcheck"
# fuzzing (tests/t_fuzz.sh): clang and its runtime libraries for -fsanitize=fuzzer
command -v clang >/dev/null || need="$need clang"
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1 || need="$need libclang-rt-14-dev"
command -v go >/dev/null || [ -x /usr/local/go/bin/go ] || { echo "tests need Go (go not found)"; exit 1; }
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "make: installing$need"
	apt-get install -y -q $need >/dev/null 2>&1 ||
	  { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q $need >/dev/null; } || exit 1
else
	echo "the tests need: sudo apt-get install$need"; exit 1
fi
